//! Compact JWS (RFC 7515) as SBI uses it: `alg` RS256, the device certificate in `x5c`.
//!
//! The client verifies: the header must say RS256 (anything else, `none` included, is
//! refused), the first `x5c` certificate is parsed (`x509-cert`), its key must be RSA of at
//! least 2048 bits (SBI's cryptography table), and the signature over
//! `base64url(header) "." base64url(payload)` must verify with it (`rsa`, PKCS#1 v1.5 with
//! SHA-256). Whether that certificate is one the booth trusts is the caller's decision
//! ([`crate::client::Trust`]). The simulator signs with [`sign`].

use crate::b64;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::SystemTime;
use x509_cert::der::{Decode, Encode};

/// The smallest RSA key SBI accepts.
pub const MIN_RSA_BITS: usize = 2048;

/// Why a JWS was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("not a compact JWS (expected three base64url parts separated by dots)")]
    Malformed,
    #[error("the JWS {part} is not valid base64url")]
    Base64 { part: &'static str },
    #[error("the JWS header is not valid JSON: {0}")]
    Header(String),
    #[error("the JWS is signed with {0:?}, not RS256")]
    Algorithm(String),
    #[error("the JWS header carries no certificate (x5c)")]
    NoCertificate,
    #[error("the device certificate cannot be read: {0}")]
    Certificate(String),
    #[error("the device certificate's key is not an RSA key: {0}")]
    KeyNotRsa(String),
    #[error("the device certificate's RSA key has {0} bits, fewer than 2048")]
    KeyTooSmall(usize),
    #[error("the signature does not match the data and the device certificate")]
    BadSignature,
}

/// The JOSE header SBI devices send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwsHeader {
    pub alg: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// Standard base64 DER certificates, the device's first. Some devices send one string.
    #[serde(default, deserialize_with = "one_or_many")]
    pub x5c: Vec<String>,
}

/// A device certificate taken from `x5c`.
#[derive(Clone)]
pub struct DeviceCertificate {
    der: Vec<u8>,
    fingerprint: [u8; 32],
    key: RsaPublicKey,
    subject: String,
    not_before: SystemTime,
    not_after: SystemTime,
}

impl fmt::Debug for DeviceCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCertificate")
            .field("subject", &self.subject)
            .field("fingerprint", &self.fingerprint_hex())
            .field("rsa_bits", &self.key.size().saturating_mul(8))
            .finish()
    }
}

impl PartialEq for DeviceCertificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for DeviceCertificate {}

impl DeviceCertificate {
    /// Parses a DER certificate and checks its key is RSA ≥ 2048 bits.
    pub fn from_der(der: &[u8]) -> Result<Self, JwsError> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|e| JwsError::Certificate(e.to_string()))?;
        let tbs = &cert.tbs_certificate;
        let spki = tbs
            .subject_public_key_info
            .to_der()
            .map_err(|e| JwsError::Certificate(e.to_string()))?;
        let key = RsaPublicKey::from_public_key_der(&spki)
            .map_err(|e| JwsError::KeyNotRsa(e.to_string()))?;
        let bits = key.size() * 8;
        if bits < MIN_RSA_BITS {
            return Err(JwsError::KeyTooSmall(bits));
        }
        Ok(Self {
            der: der.to_vec(),
            fingerprint: Sha256::digest(der).into(),
            key,
            subject: tbs.subject.to_string(),
            not_before: tbs.validity.not_before.to_system_time(),
            not_after: tbs.validity.not_after.to_system_time(),
        })
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of the DER certificate, upper-case hex (how certificates are pinned in config).
    pub fn fingerprint_hex(&self) -> String {
        upper_hex(&self.fingerprint)
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// Whether `at` lies in the certificate's validity period.
    pub fn valid_at(&self, at: SystemTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    pub fn not_after(&self) -> SystemTime {
        self.not_after
    }

    pub fn public_key(&self) -> &RsaPublicKey {
        &self.key
    }
}

/// A JWS whose signature checked out against its own `x5c` certificate.
#[derive(Clone)]
pub struct Verified {
    pub header: JwsHeader,
    pub payload: Vec<u8>,
    pub certificate: DeviceCertificate,
}

// The payload may be a capture (biometric data): its size only.
impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("alg", &self.header.alg)
            .field("payload_bytes", &self.payload.len())
            .field("certificate", &self.certificate)
            .finish()
    }
}

/// Splits a compact JWS into its three parts.
fn split(compact: &str) -> Result<(&str, &str, &str), JwsError> {
    let mut parts = compact.trim().split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) if !h.is_empty() && !s.is_empty() => Ok((h, p, s)),
        _ => Err(JwsError::Malformed),
    }
}

/// Verifies a compact JWS against the certificate in its own header.
pub fn verify(compact: &str) -> Result<Verified, JwsError> {
    let (h, p, s) = split(compact)?;
    let header_bytes = b64::url_decode(h).map_err(|_| JwsError::Base64 { part: "header" })?;
    let header: JwsHeader =
        serde_json::from_slice(&header_bytes).map_err(|e| JwsError::Header(e.to_string()))?;
    if header.alg != "RS256" {
        return Err(JwsError::Algorithm(header.alg));
    }
    let first = header.x5c.first().ok_or(JwsError::NoCertificate)?;
    let der = b64::std_or_url_decode(first)
        .map_err(|_| JwsError::Certificate("x5c is not base64".into()))?;
    let certificate = DeviceCertificate::from_der(&der)?;
    let signature_bytes = b64::url_decode(s).map_err(|_| JwsError::Base64 { part: "signature" })?;
    let signature =
        Signature::try_from(signature_bytes.as_slice()).map_err(|_| JwsError::BadSignature)?;
    let signing_input = compact
        .trim()
        .get(..h.len() + 1 + p.len())
        .unwrap_or_default();
    VerifyingKey::<Sha256>::new(certificate.key.clone())
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| JwsError::BadSignature)?;
    let payload = b64::url_decode(p).map_err(|_| JwsError::Base64 { part: "payload" })?;
    Ok(Verified {
        header,
        payload,
        certificate,
    })
}

/// The payload of a JWS, or of a bare base64url value, without checking any signature (for
/// the unsigned digital id of discovery and the info of an unregistered device).
pub fn unverified_payload(value: &str) -> Result<Vec<u8>, JwsError> {
    let t = value.trim();
    let payload = match split(t) {
        Ok((_, p, _)) => p,
        Err(_) if !t.contains('.') => t,
        Err(e) => return Err(e),
    };
    b64::url_decode(payload).map_err(|_| JwsError::Base64 { part: "payload" })
}

/// Signs `payload` as a compact JWS with RS256, putting `cert_der` in `x5c`.
pub fn sign(payload: &[u8], key: &SigningKey<Sha256>, cert_der: &[u8]) -> String {
    let header = JwsHeader {
        alg: "RS256".into(),
        typ: Some("JWT".into()),
        x5c: vec![b64::std_encode(cert_der)],
    };
    // A struct of three strings always serialises.
    let header_json = serde_json::to_vec(&header).unwrap_or_default();
    let input = format!(
        "{}.{}",
        b64::url_encode(&header_json),
        b64::url_encode(payload)
    );
    let signature = key.sign_with_rng(&mut rsa::rand_core::OsRng, input.as_bytes());
    format!("{input}.{}", b64::url_encode(&signature.to_bytes()))
}

/// Upper-case hex, as SBI writes hashes.
pub fn upper_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02X}");
            s
        })
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}
