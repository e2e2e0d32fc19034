//! EF.SOD (file 011D): the SHA-256 of every data group, signed by the centre's document signer
//! with Ed25519.
//!
//! ICAO 9303-10 puts an `LDSSecurityObject` inside a CMS `SignedData` with an X.509
//! certificate. This profile keeps the same idea in a small DER-compatible structure
//! (byte-for-byte layout in `docs/card-profile.md`):
//!
//! ```text
//! 77 L                       EF.SOD
//!    30 L                    security object: the signed bytes are this whole TLV
//!       02 01 01             version 1
//!       06 09 608648016503040201   hash algorithm: id-sha256 (2.16.840.1.101.3.4.2.1)
//!       30 L                 data group hashes, ascending DG number
//!          30 25 02 01 dg 04 20 sha256      one per data group
//!       06 03 2B6570         signature algorithm: id-Ed25519 (1.3.101.112)
//!       04 20 key            the document signer's public key
//!    04 40 signature         Ed25519 over the security object TLV
//! ```

use sha2::{Digest, Sha256};

use super::profile::ProfileError;
use super::reader::Reader;
use super::tlv;
use crate::seal::{verify_ed25519, DocumentSigner};

/// EF.SOD's outer tag (ICAO's application tag 23).
pub const TAG_SOD: u32 = 0x77;
const TAG_SEQUENCE: u32 = 0x30;
const TAG_INTEGER: u32 = 0x02;
const TAG_OID: u32 = 0x06;
const TAG_OCTETS: u32 = 0x04;

/// The version this profile writes and reads.
pub const SOD_VERSION: u8 = 1;
/// DER contents of id-sha256, 2.16.840.1.101.3.4.2.1.
pub const OID_SHA256: [u8; 9] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
/// DER contents of id-Ed25519, 1.3.101.112 (RFC 8410).
pub const OID_ED25519: [u8; 3] = [0x2B, 0x65, 0x70];

/// A decoded EF.SOD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityObject {
    pub version: u8,
    /// (data group number, SHA-256 of the data group file), ascending.
    pub hashes: Vec<(u8, [u8; 32])>,
    pub signer_key: [u8; 32],
    /// The security object TLV exactly as read: what the signature covers.
    pub signed: Vec<u8>,
    pub signature: [u8; 64],
}

impl SecurityObject {
    /// The listed hash of data group `dg`.
    pub fn hash_of(&self, dg: u8) -> Option<&[u8; 32]> {
        self.hashes.iter().find(|(n, _)| *n == dg).map(|(_, h)| h)
    }

    /// True when the signature verifies under the key the object names.
    pub fn signature_verifies(&self) -> bool {
        verify_ed25519(&self.signer_key, &self.signed, &self.signature)
    }
}

/// Builds and signs EF.SOD over `groups` (data group number, file contents); the numbers must
/// be distinct.
pub fn sign(signer: &DocumentSigner, groups: &[(u8, &[u8])]) -> Result<Vec<u8>, tlv::ValueTooLong> {
    let mut sorted: Vec<(u8, [u8; 32])> = groups
        .iter()
        .map(|(dg, data)| (*dg, Sha256::digest(data).into()))
        .collect();
    sorted.sort_by_key(|(dg, _)| *dg);
    let mut list = Vec::new();
    for (dg, hash) in &sorted {
        let mut entry = Vec::with_capacity(39);
        tlv::push(&mut entry, TAG_INTEGER, &[*dg])?;
        tlv::push(&mut entry, TAG_OCTETS, hash)?;
        tlv::push(&mut list, TAG_SEQUENCE, &entry)?;
    }
    let mut object = Vec::new();
    tlv::push(&mut object, TAG_INTEGER, &[SOD_VERSION])?;
    tlv::push(&mut object, TAG_OID, &OID_SHA256)?;
    tlv::push(&mut object, TAG_SEQUENCE, &list)?;
    tlv::push(&mut object, TAG_OID, &OID_ED25519)?;
    tlv::push(&mut object, TAG_OCTETS, &signer.public())?;
    let signed = tlv::encode(TAG_SEQUENCE, &object)?;
    let signature = signer.sign(&signed);
    let mut body = signed;
    tlv::push(&mut body, TAG_OCTETS, &signature)?;
    tlv::encode(TAG_SOD, &body)
}

/// The length EF.SOD will have for `n` data groups (it does not depend on their contents).
pub fn encoded_len(n: usize) -> usize {
    let entry = tlv::encoded_len(TAG_SEQUENCE, 3 + 34);
    let list = tlv::encoded_len(TAG_SEQUENCE, n * entry);
    let object = 3
        + tlv::encoded_len(TAG_OID, OID_SHA256.len())
        + list
        + tlv::encoded_len(TAG_OID, OID_ED25519.len())
        + tlv::encoded_len(TAG_OCTETS, 32);
    let body = tlv::encoded_len(TAG_SEQUENCE, object) + tlv::encoded_len(TAG_OCTETS, 64);
    tlv::encoded_len(TAG_SOD, body)
}

/// Decodes EF.SOD (`fid` names the file in errors). Checks the structure only; the signature
/// and the hashes are checked by [`super::profile::verify`].
pub fn decode(fid: u16, bytes: &[u8]) -> Result<SecurityObject, ProfileError> {
    let mut file = Reader::new(fid, bytes, 0)?;
    let outer = file.take(TAG_SOD)?;
    file.finish()?;
    let mut body = file.nested(outer)?;
    let object_tlv = body.take(TAG_SEQUENCE)?;
    let signature = body.take(TAG_OCTETS)?;
    body.finish()?;
    let signature: [u8; 64] = signature
        .value
        .try_into()
        .map_err(|_| ProfileError::BadField {
            fid,
            field: "signature",
            reason: format!("{} bytes where Ed25519 has 64", signature.value.len()),
        })?;
    // The decoder admits only the canonical encoding, so re-encoding gives the bytes read.
    let signed =
        tlv::encode(TAG_SEQUENCE, object_tlv.value).map_err(|e| ProfileError::BadField {
            fid,
            field: "security object",
            reason: e.to_string(),
        })?;

    let mut object = body.nested(object_tlv)?;
    let version = object.take(TAG_INTEGER)?;
    if version.value != [SOD_VERSION] {
        return Err(ProfileError::BadField {
            fid,
            field: "version",
            reason: format!(
                "{:02X?} where this profile knows version {SOD_VERSION}",
                version.value
            ),
        });
    }
    let hash_alg = object.take(TAG_OID)?;
    if hash_alg.value != OID_SHA256 {
        return Err(ProfileError::BadField {
            fid,
            field: "hash algorithm",
            reason: "not id-sha256".into(),
        });
    }
    let list = object.take(TAG_SEQUENCE)?;
    let sig_alg = object.take(TAG_OID)?;
    if sig_alg.value != OID_ED25519 {
        return Err(ProfileError::BadField {
            fid,
            field: "signature algorithm",
            reason: "not id-Ed25519".into(),
        });
    }
    let key = object.take(TAG_OCTETS)?;
    object.finish()?;
    let signer_key: [u8; 32] = key.value.try_into().map_err(|_| ProfileError::BadField {
        fid,
        field: "signer key",
        reason: format!("{} bytes where Ed25519 has 32", key.value.len()),
    })?;

    let mut entries = object.nested(list)?;
    let mut hashes: Vec<(u8, [u8; 32])> = Vec::new();
    while entries.peek_tag().is_some() {
        let entry_tlv = entries.take(TAG_SEQUENCE)?;
        let mut entry = entries.nested(entry_tlv)?;
        let dg = entry.take(TAG_INTEGER)?;
        let hash = entry.take(TAG_OCTETS)?;
        entry.finish()?;
        let dg = match dg.value {
            [n @ 1..=16] => *n,
            other => {
                return Err(ProfileError::BadField {
                    fid,
                    field: "data group number",
                    reason: format!("{other:02X?} is not 1–16"),
                })
            }
        };
        if hashes.last().is_some_and(|(prev, _)| *prev >= dg) {
            return Err(ProfileError::BadField {
                fid,
                field: "data group hashes",
                reason: format!("DG{dg} is out of order or listed twice"),
            });
        }
        let hash: [u8; 32] = hash.value.try_into().map_err(|_| ProfileError::BadField {
            fid,
            field: "data group hash",
            reason: format!("{} bytes where SHA-256 has 32", hash.value.len()),
        })?;
        hashes.push((dg, hash));
    }
    Ok(SecurityObject {
        version: SOD_VERSION,
        hashes,
        signer_key,
        signed,
        signature,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn signs_decodes_and_has_the_predicted_length() {
        let signer = DocumentSigner::generate();
        let groups: [(u8, &[u8]); 3] = [(7, b"seven"), (1, b"one"), (2, b"two")];
        let bytes = sign(&signer, &groups).unwrap();
        assert_eq!(bytes.len(), encoded_len(3));
        assert_eq!(&bytes[..1], &[0x77]);
        let sod = decode(0x011D, &bytes).unwrap();
        assert_eq!(sod.signer_key, signer.public());
        assert!(sod.signature_verifies());
        assert_eq!(
            sod.hashes.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            vec![1, 2, 7]
        );
        assert_eq!(
            sod.hash_of(2).unwrap(),
            &<[u8; 32]>::from(Sha256::digest(b"two"))
        );
        // Any changed byte of the signed part breaks the signature.
        let mut bad = sod.clone();
        bad.signed[20] ^= 1;
        assert!(!bad.signature_verifies());
    }

    #[test]
    fn a_wrong_algorithm_is_named() {
        let signer = DocumentSigner::generate();
        let mut bytes = sign(&signer, &[(1, b"x".as_slice())]).unwrap();
        let at = bytes
            .windows(OID_SHA256.len())
            .position(|w| w == OID_SHA256)
            .unwrap();
        bytes[at + 8] = 0x02; // id-sha384
        match decode(0x011D, &bytes) {
            Err(ProfileError::BadField { field, .. }) => assert_eq!(field, "hash algorithm"),
            other => panic!("{other:?}"),
        }
    }
}
