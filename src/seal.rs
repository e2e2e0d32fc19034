//! Sealing: nothing personal touches the booth's disk in clear.
//!
//! * An enrollment is encrypted to the centre's public key with HPKE (RFC 9180, base mode,
//!   X25519-HKDF-SHA256 / HKDF-SHA256 / ChaCha20-Poly1305) and the result is signed with the
//!   booth's key: ECDSA P-256 made inside the booth's TPM, or Ed25519 in a file on a booth
//!   without one ([`BoothKey`]; the envelope says which, [`KeyAlgorithm`]). Only the centre's private key opens it; the booth keeps no way back.
//!   What is encrypted is the CBOR of a [`PacketBody`]: the captures as ISO/IEC 19794 records
//!   in CBEFF BIRs (`docs/packet.md`).
//! * The few fields the booth itself needs later (the applicant's name and NIK for the waiting
//!   list, the receipt and the pickup check) are sealed with the booth's local storage key
//!   (XChaCha20-Poly1305) and deleted when the applicant has their card.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
#[cfg(feature = "centre-sim")]
use hpke::OpModeR;
use hpke::{Deserializable, Kem, OpModeS, Serializable};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::Zeroize;

use crate::enrollment::{Enrollment, PacketBody, PacketError};
use ktpel_biometric_records::Profile;

type KemX = X25519HkdfSha256;
/// Version 2: the plaintext is a [`PacketBody`] (standard biometric records); version 1 carried
/// raw pixels in the booth's own layout.
const HPKE_INFO: &[u8] = b"ktpel enrollment packet v2";
const SIGN_CONTEXT: &[u8] = b"KTPEL-SEAL-V1\0";
const LOCAL_CONTEXT: &[u8] = b"KTPEL-LOCAL-V1\0";
pub const ENVELOPE_VERSION: u8 = 2;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the enrollment could not be encoded: {0}")]
    Encode(String),
    #[error("the envelope could not be decoded: {0}")]
    Decode(String),
    #[error("HPKE failed: {0}")]
    Hpke(String),
    #[error("the booth signature does not verify")]
    BadSignature,
    #[error("the booth key could not sign: {0}")]
    Sign(String),
    #[error("the key is not valid: {0}")]
    BadKey(String),
    #[error("envelope version {0} is not supported")]
    Version(u8),
    #[error("the locally sealed data could not be opened (wrong key or damaged)")]
    LocalOpen,
    #[error("biometric records: {0}")]
    Packet(#[from] PacketError),
}

/// An Ed25519 signing key in a file: the booth's identity when it has no TPM ([`BoothKey`]).
pub struct Ed25519Key(SigningKey);

/// How a booth key signs. Envelopes and manifests made before booths had TPM keys carry no
/// algorithm and are Ed25519.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyAlgorithm {
    /// Ed25519 (RFC 8032): 32-byte public key, 64-byte signature.
    #[default]
    #[serde(rename = "ed25519")]
    Ed25519,
    /// ECDSA on P-256 with SHA-256: SEC1 uncompressed public point (65 bytes), `r || s`
    /// (64 bytes).
    #[serde(rename = "ecdsa-p256")]
    EcdsaP256,
}

impl KeyAlgorithm {
    pub fn is_ed25519(&self) -> bool {
        *self == KeyAlgorithm::Ed25519
    }

    /// As technicians read it.
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "Ed25519",
            KeyAlgorithm::EcdsaP256 => "ECDSA P-256",
        }
    }

    /// Whether `signature` over `message` verifies with `public` under this algorithm.
    pub fn verify(self, public: &[u8], message: &[u8], signature: &[u8]) -> bool {
        match self {
            KeyAlgorithm::Ed25519 => verify_ed25519(public, message, signature),
            KeyAlgorithm::EcdsaP256 => verify_p256(public, message, signature),
        }
    }
}

/// The booth's signing key made inside its TPM: the private part never leaves it.
pub struct TpmKey {
    tpm: std::sync::Arc<ktpel_tpm::Tpm>,
    public: [u8; 65],
}

impl TpmKey {
    /// The key `tpm` has loaded with `load_signing_key`, whose public point is `public`.
    pub fn new(tpm: std::sync::Arc<ktpel_tpm::Tpm>, public: [u8; 65]) -> Self {
        Self { tpm, public }
    }
}

/// The booth's identity: it signs every sealed packet and every hand-carry manifest.
pub enum BoothKey {
    /// Ed25519 in a 0600 file (a booth without a TPM).
    File(Ed25519Key),
    /// ECDSA P-256 inside the TPM.
    Tpm(TpmKey),
}

impl BoothKey {
    /// A new Ed25519 key in memory (tests and benchmarks; a booth makes its key at start).
    pub fn generate() -> Self {
        BoothKey::File(Ed25519Key::generate())
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        match self {
            BoothKey::File(_) => KeyAlgorithm::Ed25519,
            BoothKey::Tpm(_) => KeyAlgorithm::EcdsaP256,
        }
    }

    /// The public key as packets and manifests carry it and the centre pins it.
    pub fn public(&self) -> Vec<u8> {
        match self {
            BoothKey::File(k) => k.public().to_vec(),
            BoothKey::Tpm(k) => k.public.to_vec(),
        }
    }

    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SealError> {
        match self {
            BoothKey::File(k) => Ok(k.sign(message).to_vec()),
            BoothKey::Tpm(k) => k
                .tpm
                .sign(message)
                .map(|s| s.to_vec())
                .map_err(|e| SealError::Sign(e.to_string())),
        }
    }
}

impl Ed25519Key {
    pub fn generate() -> Self {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Self(SigningKey::from_bytes(&secret))
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        let secret: [u8; 32] = bytes
            .try_into()
            .map_err(|_| SealError::BadKey(format!("{} bytes, expected 32", bytes.len())))?;
        Ok(Self(SigningKey::from_bytes(&secret)))
    }
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
    pub fn public(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0.sign(message).to_bytes()
    }
}

/// The centre's HPKE public key, which every booth holds.
#[derive(Clone)]
pub struct CentrePublicKey(<KemX as Kem>::PublicKey);

impl CentrePublicKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        <KemX as Kem>::PublicKey::from_bytes(bytes)
            .map(Self)
            .map_err(|e| SealError::BadKey(e.to_string()))
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.to_bytes().to_vec()
    }
}

/// The centre's HPKE private key (only the centre and its simulator have one).
/// The centre's private key: only the centre simulator has it (feature `centre-sim`); a booth
/// built without the simulator cannot open a packet at all.
#[cfg(feature = "centre-sim")]
pub struct CentreSecretKey {
    secret: <KemX as Kem>::PrivateKey,
    public: <KemX as Kem>::PublicKey,
}

#[cfg(feature = "centre-sim")]
impl CentreSecretKey {
    pub fn generate() -> Self {
        let (secret, public) = KemX::gen_keypair(&mut rand::rng());
        Self { secret, public }
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        let secret = <KemX as Kem>::PrivateKey::from_bytes(bytes)
            .map_err(|e| SealError::BadKey(e.to_string()))?;
        let public = KemX::sk_to_pk(&secret);
        Ok(Self { secret, public })
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        self.secret.to_bytes().to_vec()
    }
    pub fn public(&self) -> CentrePublicKey {
        CentrePublicKey(self.public.clone())
    }
}

/// What is stored in the queue and sent to the centre. Encoded as CBOR (RFC 8949).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedPacket {
    pub version: u8,
    pub packet_id: Uuid,
    pub booth_id: String,
    #[serde(with = "serde_bytes")]
    pub booth_key: Vec<u8>,
    /// How `booth_key` signs; absent (Ed25519) in envelopes of booths without a TPM, as in
    /// every envelope sealed before booths had TPM keys.
    #[serde(default, skip_serializing_if = "KeyAlgorithm::is_ed25519")]
    pub key_algorithm: KeyAlgorithm,
    #[serde(with = "serde_bytes")]
    pub encapped_key: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub ciphertext: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub signature: Vec<u8>,
}

impl std::fmt::Debug for SealedPacket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SealedPacket({}, {} bytes)",
            self.packet_id,
            self.ciphertext.len()
        )
    }
}

impl SealedPacket {
    pub fn to_cbor(&self) -> Result<Vec<u8>, SealError> {
        let mut out = Vec::with_capacity(self.ciphertext.len() + 256);
        ciborium::into_writer(self, &mut out).map_err(|e| SealError::Encode(e.to_string()))?;
        Ok(out)
    }

    pub fn from_cbor(bytes: &[u8]) -> Result<Self, SealError> {
        let p: SealedPacket =
            ciborium::from_reader(bytes).map_err(|e| SealError::Decode(e.to_string()))?;
        if p.version != ENVELOPE_VERSION {
            return Err(SealError::Version(p.version));
        }
        Ok(p)
    }

    fn signed_message(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(256);
        m.extend_from_slice(SIGN_CONTEXT);
        m.push(self.version);
        m.extend_from_slice(self.packet_id.as_bytes());
        m.extend_from_slice(&(self.booth_id.len() as u32).to_be_bytes());
        m.extend_from_slice(self.booth_id.as_bytes());
        m.extend_from_slice(&self.booth_key);
        // Ed25519 envelopes sign exactly what they signed before the algorithm was a field.
        if !self.key_algorithm.is_ed25519() {
            m.extend_from_slice(b"ecdsa-p256\0");
        }
        m.extend_from_slice(&(self.encapped_key.len() as u32).to_be_bytes());
        m.extend_from_slice(&self.encapped_key);
        m.extend_from_slice(&Sha256::digest(&self.ciphertext));
        m
    }

    /// Checks the booth's signature against the key the packet names. Whether that key belongs
    /// to the booth is the receiver's business (the centre pins each booth's key).
    pub fn verify_signature(&self) -> Result<(), SealError> {
        let ok = match self.key_algorithm {
            // As before: the non-strict check every sealed envelope has passed so far.
            KeyAlgorithm::Ed25519 => {
                let key: [u8; 32] = self
                    .booth_key
                    .as_slice()
                    .try_into()
                    .map_err(|_| SealError::BadSignature)?;
                let key = VerifyingKey::from_bytes(&key).map_err(|_| SealError::BadSignature)?;
                let sig =
                    Signature::from_slice(&self.signature).map_err(|_| SealError::BadSignature)?;
                key.verify(&self.signed_message(), &sig).is_ok()
            }
            KeyAlgorithm::EcdsaP256 => {
                verify_p256(&self.booth_key, &self.signed_message(), &self.signature)
            }
        };
        if ok {
            Ok(())
        } else {
            Err(SealError::BadSignature)
        }
    }

    /// The centre's side: verify, decrypt and decode the records (every BIR's header checked,
    /// every record parsed, every image decoded).
    #[cfg(feature = "centre-sim")]
    pub fn open(&self, centre: &CentreSecretKey) -> Result<Enrollment, SealError> {
        Ok(self.open_body(centre)?.into_enrollment()?)
    }

    /// Verify and decrypt, leaving the records as they came.
    #[cfg(feature = "centre-sim")]
    pub fn open_body(&self, centre: &CentreSecretKey) -> Result<PacketBody, SealError> {
        self.verify_signature()?;
        let encapped = <KemX as Kem>::EncappedKey::from_bytes(&self.encapped_key)
            .map_err(|e| SealError::Hpke(e.to_string()))?;
        let plain = hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, KemX>(
            &OpModeR::Base,
            &centre.secret,
            &encapped,
            HPKE_INFO,
            &self.ciphertext,
            &aad(self.packet_id, &self.booth_id),
        )
        .map_err(|e| SealError::Hpke(e.to_string()))?;
        let body: PacketBody = ciborium::from_reader(plain.as_slice())
            .map_err(|e| SealError::Decode(e.to_string()))?;
        if body.packet_id != self.packet_id || body.booth_id != self.booth_id {
            return Err(SealError::Decode(
                "the packet id or booth inside differs from the envelope".into(),
            ));
        }
        Ok(body)
    }
}

fn aad(packet_id: Uuid, booth_id: &str) -> Vec<u8> {
    let mut a = packet_id.as_bytes().to_vec();
    a.extend_from_slice(booth_id.as_bytes());
    a
}

/// Turns the captures into standard records per `profile` (checking each decodes), encrypts
/// the result to the centre and signs it with the booth key.
pub fn seal(
    enrollment: &Enrollment,
    profile: Profile,
    centre: &CentrePublicKey,
    booth: &BoothKey,
) -> Result<SealedPacket, SealError> {
    let body = enrollment.to_packet_body(profile)?;
    seal_body(&body, centre, booth)
}

/// Encrypts an already built body to the centre and signs it.
pub fn seal_body(
    body: &PacketBody,
    centre: &CentrePublicKey,
    booth: &BoothKey,
) -> Result<SealedPacket, SealError> {
    let mut plain = Vec::with_capacity(512 * 1024);
    ciborium::into_writer(body, &mut plain).map_err(|e| SealError::Encode(e.to_string()))?;
    let sealed = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, KemX, _>(
        &OpModeS::Base,
        &centre.0,
        HPKE_INFO,
        &plain,
        &aad(body.packet_id, &body.booth_id),
        &mut rand::rng(),
    );
    // The clear encoding must not outlive this function.
    plain.zeroize();
    let (encapped, ciphertext) = sealed.map_err(|e| SealError::Hpke(e.to_string()))?;
    let mut packet = SealedPacket {
        version: ENVELOPE_VERSION,
        packet_id: body.packet_id,
        booth_id: body.booth_id.clone(),
        booth_key: booth.public(),
        key_algorithm: booth.algorithm(),
        encapped_key: encapped.to_bytes().to_vec(),
        ciphertext,
        signature: Vec::new(),
    };
    packet.signature = booth.sign(&packet.signed_message())?;
    Ok(packet)
}

/// The booth's local storage key for the little it must read back itself, and for keyed tags
/// (an HMAC under a key derived from it) that let the queue find a NIK again without holding it.
pub struct LocalKey {
    aead: XChaCha20Poly1305,
    tag_key: [u8; 32],
}

/// The label the tag key is derived under, so a tag never equals anything else made with the key.
const TAG_LABEL: &[u8] = b"ktpel-booth local tag key v1";

impl LocalKey {
    pub fn generate_bytes() -> [u8; 32] {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        k
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        let aead = XChaCha20Poly1305::new_from_slice(bytes)
            .map_err(|_| SealError::BadKey(format!("{} bytes, expected 32", bytes.len())))?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(bytes)
            .map_err(|_| SealError::BadKey("the tag key cannot be derived".into()))?;
        mac.update(TAG_LABEL);
        let tag_key = mac.finalize().into_bytes().into();
        Ok(Self { aead, tag_key })
    }

    /// A keyed tag of `data` (HMAC-SHA256 under the derived tag key): equal data give equal
    /// tags on this booth, and nobody without the key can tell what was tagged.
    pub fn tag(&self, data: &[u8]) -> [u8; 32] {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.tag_key) else {
            // HMAC takes keys of any length: this branch cannot be reached.
            return [0; 32];
        };
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// Seals `plain` bound to `record_id`: nonce (24 bytes) followed by the ciphertext.
    pub fn seal(&self, record_id: Uuid, plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let aad = [LOCAL_CONTEXT, record_id.as_bytes()].concat();
        let ct = self
            .aead
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Encode("local sealing failed".into()))?;
        Ok([nonce.as_slice(), &ct].concat())
    }

    pub fn open(&self, record_id: Uuid, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.len() < 24 {
            return Err(SealError::LocalOpen);
        }
        let (nonce, ct) = sealed.split_at(24);
        let aad = [LOCAL_CONTEXT, record_id.as_bytes()].concat();
        self.aead
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| SealError::LocalOpen)
    }
}

/// Verifies an Ed25519 signature made by a key whose public half is `public`.
pub fn verify_ed25519(public: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = <[u8; 32]>::try_from(public) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&key) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(signature) else {
        return false;
    };
    key.verify_strict(message, &sig).is_ok()
}

/// Verifies an ECDSA P-256 / SHA-256 signature (`r || s`) by the SEC1 public point `public`.
pub fn verify_p256(public: &[u8], message: &[u8], signature: &[u8]) -> bool {
    use p256::ecdsa::signature::Verifier as _;
    let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(public) else {
        return false;
    };
    let Ok(sig) = p256::ecdsa::Signature::from_slice(signature) else {
        return false;
    };
    key.verify(message, &sig).is_ok()
}
