//! The simulated device's key and certificate: an RSA 2048 key generated at start and a
//! self-signed end-entity X.509 certificate for it (as an L0 device signs with its own device
//! key; a real device's certificate would be issued by its provider's CA).

use rsa::pkcs1v15::SigningKey;
use rsa::RsaPrivateKey;
use sha2::Sha256;
use std::str::FromStr;
use std::time::Duration;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::Encode;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

/// The key size the simulator generates.
pub const SIM_RSA_BITS: usize = 2048;

/// A device key and its certificate.
#[derive(Clone)]
pub struct DeviceIdentity {
    key: SigningKey<Sha256>,
    cert_der: Vec<u8>,
}

// Never print key material.
impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("cert_bytes", &self.cert_der.len())
            .finish_non_exhaustive()
    }
}

impl DeviceIdentity {
    /// Generates a fresh key and a certificate valid for a year, for subject `common_name`.
    pub fn generate(common_name: &str) -> Result<Self, String> {
        let mut rng = rsa::rand_core::OsRng;
        let private = RsaPrivateKey::new(&mut rng, SIM_RSA_BITS)
            .map_err(|e| format!("RSA key generation failed: {e}"))?;
        let public = private.to_public_key();
        let key = SigningKey::<Sha256>::new(private);
        let cn: String = common_name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.'))
            .collect();
        let subject = Name::from_str(&format!("CN={cn},O=KTP-el booth simulator,C=ID"))
            .map_err(|e| format!("bad certificate subject: {e}"))?;
        let spki = SubjectPublicKeyInfoOwned::from_key(public)
            .map_err(|e| format!("cannot encode the public key: {e}"))?;
        let mut serial = [0u8; 12];
        rsa::rand_core::RngCore::fill_bytes(&mut rng, &mut serial);
        serial[0] &= 0x7F; // a positive INTEGER
        serial[0] |= 0x01; // no leading zero byte
        let serial = SerialNumber::new(&serial).map_err(|e| format!("bad serial: {e}"))?;
        let validity = Validity::from_now(Duration::from_secs(365 * 24 * 3600))
            .map_err(|e| format!("bad validity: {e}"))?;
        let profile = Profile::Leaf {
            issuer: subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let builder = CertificateBuilder::new(profile, serial, validity, subject, spki, &key)
            .map_err(|e| format!("cannot build the certificate: {e}"))?;
        let cert = builder
            .build_with_rng::<rsa::pkcs1v15::Signature>(&mut rng)
            .map_err(|e| format!("cannot sign the certificate: {e}"))?;
        let cert_der = cert
            .to_der()
            .map_err(|e| format!("cannot encode the certificate: {e}"))?;
        Ok(Self { key, cert_der })
    }

    pub fn signing_key(&self) -> &SigningKey<Sha256> {
        &self.key
    }

    /// The certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Signs `payload` as a compact JWS with this identity.
    pub fn sign(&self, payload: &[u8]) -> String {
        crate::jws::sign(payload, &self.key, &self.cert_der)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::jws::{self, JwsError};

    #[test]
    fn a_signed_payload_verifies_and_a_tampered_one_does_not() {
        let id = DeviceIdentity::generate("Sim Finger").unwrap();
        let jws = id.sign(br#"{"bioType":"Finger"}"#);
        let v = jws::verify(&jws).unwrap();
        assert_eq!(v.payload, br#"{"bioType":"Finger"}"#);
        assert_eq!(v.certificate.der(), id.certificate_der());
        assert!(v.certificate.subject().contains("Sim Finger"));
        assert!(v.certificate.valid_at(std::time::SystemTime::now()));

        // Another payload under the same signature.
        let parts: Vec<&str> = jws.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            crate::b64::url_encode(br#"{"bioType":"Iris"}"#),
            parts[2]
        );
        assert_eq!(jws::verify(&forged).unwrap_err(), JwsError::BadSignature);

        // Another key's signature with this certificate.
        let other = DeviceIdentity::generate("Other").unwrap();
        let theirs = other.sign(br#"{"bioType":"Finger"}"#);
        let swapped = format!(
            "{}.{}.{}",
            parts[0],
            parts[1],
            theirs.split('.').nth(2).unwrap()
        );
        assert_eq!(jws::verify(&swapped).unwrap_err(), JwsError::BadSignature);
    }

    #[test]
    fn other_algorithms_and_shapes_are_refused() {
        let none = format!(
            "{}.{}.",
            crate::b64::url_encode(br#"{"alg":"none"}"#),
            crate::b64::url_encode(b"{}")
        );
        assert_eq!(jws::verify(&none).unwrap_err(), JwsError::Malformed);
        let hs = format!(
            "{}.{}.c2ln",
            crate::b64::url_encode(br#"{"alg":"HS256","x5c":[]}"#),
            crate::b64::url_encode(b"{}")
        );
        assert_eq!(
            jws::verify(&hs).unwrap_err(),
            JwsError::Algorithm("HS256".into())
        );
        let no_cert = format!(
            "{}.{}.c2ln",
            crate::b64::url_encode(br#"{"alg":"RS256"}"#),
            crate::b64::url_encode(b"{}")
        );
        assert_eq!(jws::verify(&no_cert).unwrap_err(), JwsError::NoCertificate);
        assert_eq!(jws::verify("a.b").unwrap_err(), JwsError::Malformed);
    }

    #[test]
    fn the_unsigned_payload_reader_takes_both_forms() {
        let id = DeviceIdentity::generate("Sim").unwrap();
        let signed = id.sign(b"hello");
        assert_eq!(jws::unverified_payload(&signed).unwrap(), b"hello");
        assert_eq!(
            jws::unverified_payload(&crate::b64::url_encode(b"bare")).unwrap(),
            b"bare"
        );
    }
}
