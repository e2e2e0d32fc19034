//! The chip's security object: SHA-256 of every data group, signed by the centre's document
//! signer (Ed25519). Built by the centre, checked by the booth before it encodes a card and by
//! `card read` on a card a citizen brings back.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::api::{DataGroupFile, SignedSod};
use crate::seal::{verify_ed25519, DocumentSigner};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataGroupHash {
    pub fid: u16,
    #[serde(with = "serde_bytes")]
    pub sha256: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityObject {
    pub version: u8,
    pub packet_id: Uuid,
    pub issued_at_ms: i64,
    pub hashes: Vec<DataGroupHash>,
    /// The signer's public key, so a reader can tell which signer to trust.
    #[serde(with = "serde_bytes")]
    pub signer_key: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SodError {
    #[error("the security object is not valid base64 or CBOR: {0}")]
    Malformed(String),
    #[error("the security object is signed by a key the booth does not trust")]
    UntrustedSigner,
    #[error("the security object's signature does not verify")]
    BadSignature,
    #[error("data group {fid:04X} does not match its hash")]
    HashMismatch { fid: u16 },
    #[error("data group {fid:04X} has no hash in the security object")]
    Unlisted { fid: u16 },
    #[error("data group {fid:04X} is listed but missing")]
    Missing { fid: u16 },
}

/// Signs the hashes of `groups` (fid, contents).
pub fn sign(
    signer: &DocumentSigner,
    packet_id: Uuid,
    issued_at_ms: i64,
    groups: &[(u16, Vec<u8>)],
) -> Result<SignedSod, SodError> {
    let object = SecurityObject {
        version: 1,
        packet_id,
        issued_at_ms,
        hashes: groups
            .iter()
            .map(|(fid, data)| DataGroupHash {
                fid: *fid,
                sha256: Sha256::digest(data).to_vec(),
            })
            .collect(),
        signer_key: signer.public().to_vec(),
    };
    let mut bytes = Vec::new();
    ciborium::into_writer(&object, &mut bytes).map_err(|e| SodError::Malformed(e.to_string()))?;
    let signature = signer.sign(&bytes);
    Ok(SignedSod {
        object_b64: B64.encode(&bytes),
        signature_b64: B64.encode(signature),
    })
}

/// Checks the signature against `trusted_signer` and every group against its hash; answers the
/// decoded object.
pub fn verify(
    sod: &SignedSod,
    trusted_signer: &[u8],
    groups: &[DataGroupFile],
) -> Result<SecurityObject, SodError> {
    let bytes = B64
        .decode(&sod.object_b64)
        .map_err(|e| SodError::Malformed(e.to_string()))?;
    let signature = B64
        .decode(&sod.signature_b64)
        .map_err(|e| SodError::Malformed(e.to_string()))?;
    let object: SecurityObject =
        ciborium::from_reader(bytes.as_slice()).map_err(|e| SodError::Malformed(e.to_string()))?;
    if object.signer_key != trusted_signer {
        return Err(SodError::UntrustedSigner);
    }
    if !verify_ed25519(trusted_signer, &bytes, &signature) {
        return Err(SodError::BadSignature);
    }
    for g in groups {
        let data = B64
            .decode(&g.contents_b64)
            .map_err(|e| SodError::Malformed(e.to_string()))?;
        let listed = object
            .hashes
            .iter()
            .find(|h| h.fid == g.fid)
            .ok_or(SodError::Unlisted { fid: g.fid })?;
        if listed.sha256 != Sha256::digest(&data).as_slice() {
            return Err(SodError::HashMismatch { fid: g.fid });
        }
    }
    if let Some(h) = object
        .hashes
        .iter()
        .find(|h| !groups.iter().any(|g| g.fid == h.fid))
    {
        return Err(SodError::Missing { fid: h.fid });
    }
    Ok(object)
}
