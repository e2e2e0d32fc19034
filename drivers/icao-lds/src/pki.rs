//! The country signing CA (CSCA) and the document signer (DS) of Doc 9303 part 12, with
//! ECDSA P-256 / SHA-256 keys (part 12, 5.3 and Appendix: one of the listed algorithms).
//!
//! Certificate profiles written (part 12, 7.1, table 6):
//!
//! - **CSCA**, self-signed: basicConstraints critical (CA, path length 0), keyUsage critical
//!   (keyCertSign, cRLSign), subjectKeyIdentifier.
//! - **Document signer**, issued by the CSCA: keyUsage critical (digitalSignature only),
//!   authorityKeyIdentifier (the CSCA's key identifier), subjectKeyIdentifier, and the ICAO
//!   Document Type List extension (2.23.136.1.1.6.2) naming the document types it signs.
//!   No extendedKeyUsage: part 12 forbids it on document signer certificates (it is mandatory
//!   only for master-list and deviation-list signers).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use const_oid::ObjectIdentifier;
use der::asn1::{BitString, GeneralizedTime, OctetString, PrintableString, SetOfVec, UtcTime};
use der::{Decode, DecodePem, Encode, Sequence};
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::certificate::{Certificate, TbsCertificate, Version};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
pub const ID_CE_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
pub const ID_CE_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
pub const ID_CE_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
pub const ID_CE_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
pub const ID_CE_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// id-icao-mrtd-security-extensions-documentTypeList (Doc 9303 part 12, 7.1.1.3).
pub const ID_ICAO_DOCUMENT_TYPE_LIST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.23.136.1.1.6.2");

/// Why a key or certificate could not be made or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error("DER: {0}")]
    Der(String),
    #[error("the private key is not a PKCS #8 P-256 key")]
    Key,
    #[error("signing failed")]
    Sign,
    #[error("{0}")]
    Name(String),
}

impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        PkiError::Der(e.to_string())
    }
}

/// DocumentTypeListSyntax (part 12, 7.1.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct DocumentTypeList {
    pub version: u8,
    pub doc_types: SetOfVec<PrintableString>,
}

/// The ECDSA-with-SHA256 algorithm identifier (no parameters, RFC 5758).
pub fn ecdsa_sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ECDSA_WITH_SHA256,
        parameters: None,
    }
}

/// A certificate time: UTCTime through 2049, GeneralizedTime after (RFC 5280, 4.1.2.5).
pub fn time(at: SystemTime) -> Result<Time, PkiError> {
    let since = at
        .duration_since(UNIX_EPOCH)
        .map_err(|_| PkiError::Der("time before 1970".into()))?;
    // 2050-01-01T00:00:00Z
    if since < Duration::from_secs(2_524_608_000) {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(since)?))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_unix_duration(
            since,
        )?))
    }
}

/// The key identifier used here: the first 20 bytes of the SHA-256 of the subject public key
/// bits (RFC 7093, method 1).
pub fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Result<OctetString, PkiError> {
    let digest = Sha256::digest(spki.subject_public_key.raw_bytes());
    Ok(OctetString::new(&digest[..20])?)
}

fn extension<T: Encode>(
    oid: ObjectIdentifier,
    critical: bool,
    value: &T,
) -> Result<Extension, PkiError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

fn random_serial() -> Result<SerialNumber, PkiError> {
    let mut bytes = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    bytes[0] &= 0x7F; // positive
    bytes[0] |= 0x01; // and 16 bytes long
    Ok(SerialNumber::new(&bytes)?)
}

fn sign_tbs(tbs: TbsCertificate, key: &SigningKey) -> Result<Certificate, PkiError> {
    let der = tbs.to_der()?;
    let sig: DerSignature =
        p256::ecdsa::signature::Signer::try_sign(key, &der).map_err(|_| PkiError::Sign)?;
    Ok(Certificate {
        tbs_certificate: tbs,
        signature_algorithm: ecdsa_sha256(),
        signature: BitString::from_bytes(sig.as_bytes())?,
    })
}

fn spki_of(key: &SigningKey) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    let der = key
        .verifying_key()
        .to_public_key_der()
        .map_err(|e| PkiError::Der(e.to_string()))?;
    Ok(SubjectPublicKeyInfoOwned::from_der(der.as_bytes())?)
}

/// A private key with its certificate: the CSCA or a document signer.
#[derive(Clone)]
pub struct KeyAndCertificate {
    key: SigningKey,
    pub certificate: Certificate,
}

impl std::fmt::Debug for KeyAndCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KeyAndCertificate({})",
            self.certificate.tbs_certificate.subject
        )
    }
}

/// A distinguished name from its string form (`CN=…,O=…,C=ID`).
fn parse_name(subject: &str) -> Result<Name, PkiError> {
    subject
        .parse()
        .map_err(|e: der::Error| PkiError::Name(e.to_string()))
}

/// A v3 certificate for `spki` named `subject`, issued by `issuer` and signed with
/// `issuer_key`, valid from `not_before` for `lifetime`, with a fresh random serial.
fn certify(
    issuer: Name,
    issuer_key: &SigningKey,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
    extensions: Vec<Extension>,
    not_before: SystemTime,
    lifetime: Duration,
) -> Result<Certificate, PkiError> {
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: random_serial()?,
        signature: ecdsa_sha256(),
        issuer,
        validity: Validity {
            not_before: time(not_before)?,
            not_after: time(not_before + lifetime)?,
        },
        subject,
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    sign_tbs(tbs, issuer_key)
}

impl KeyAndCertificate {
    /// A new CSCA: a fresh key and its self-signed certificate, valid from `not_before` for
    /// `lifetime`.
    pub fn new_csca(
        subject: &str,
        not_before: SystemTime,
        lifetime: Duration,
    ) -> Result<Self, PkiError> {
        let key = SigningKey::random(&mut rand_core::OsRng);
        let name = parse_name(subject)?;
        let spki = spki_of(&key)?;
        let extensions = vec![
            extension(
                ID_CE_BASIC_CONSTRAINTS,
                true,
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
            )?,
            extension(
                ID_CE_KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
            )?,
            extension(
                ID_CE_SUBJECT_KEY_ID,
                false,
                &SubjectKeyIdentifier(key_identifier(&spki)?),
            )?,
        ];
        let certificate = certify(
            name.clone(),
            &key,
            name,
            spki,
            extensions,
            not_before,
            lifetime,
        )?;
        Ok(KeyAndCertificate { key, certificate })
    }

    /// A new document signer issued by this CSCA for the document types `doc_types` (as the
    /// MRZ's document code gives them, filler removed: "ID").
    pub fn issue_document_signer(
        &self,
        subject: &str,
        doc_types: &[&str],
        not_before: SystemTime,
        lifetime: Duration,
    ) -> Result<Self, PkiError> {
        let key = SigningKey::random(&mut rand_core::OsRng);
        let name = parse_name(subject)?;
        let spki = spki_of(&key)?;
        let mut types = SetOfVec::new();
        for t in doc_types {
            types.insert(PrintableString::new(t)?)?;
        }
        let extensions = vec![
            extension(
                ID_CE_KEY_USAGE,
                true,
                &KeyUsage(KeyUsages::DigitalSignature.into()),
            )?,
            extension(
                ID_CE_AUTHORITY_KEY_ID,
                false,
                &AuthorityKeyIdentifier {
                    key_identifier: Some(key_identifier(
                        &self.certificate.tbs_certificate.subject_public_key_info,
                    )?),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                },
            )?,
            extension(
                ID_CE_SUBJECT_KEY_ID,
                false,
                &SubjectKeyIdentifier(key_identifier(&spki)?),
            )?,
            extension(
                ID_ICAO_DOCUMENT_TYPE_LIST,
                false,
                &DocumentTypeList {
                    version: 0,
                    doc_types: types,
                },
            )?,
        ];
        let certificate = certify(
            self.certificate.tbs_certificate.subject.clone(),
            &self.key,
            name,
            spki,
            extensions,
            not_before,
            lifetime,
        )?;
        Ok(KeyAndCertificate { key, certificate })
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The private key as PKCS #8 DER (to be sealed before it touches a disk).
    pub fn private_key_der(&self) -> Result<Vec<u8>, PkiError> {
        Ok(self
            .key
            .to_pkcs8_der()
            .map_err(|_| PkiError::Key)?
            .as_bytes()
            .to_vec())
    }

    pub fn certificate_der(&self) -> Result<Vec<u8>, PkiError> {
        Ok(self.certificate.to_der()?)
    }

    /// A key and certificate read back; refuses a key that is not the certificate's.
    pub fn from_der(private_key: &[u8], certificate: &[u8]) -> Result<Self, PkiError> {
        let key = SigningKey::from_pkcs8_der(private_key).map_err(|_| PkiError::Key)?;
        let certificate = Certificate::from_der(certificate)?;
        if spki_of(&key)? != certificate.tbs_certificate.subject_public_key_info {
            return Err(PkiError::Key);
        }
        Ok(KeyAndCertificate { key, certificate })
    }
}

/// A certificate from DER or PEM bytes (a `csca_certificate` file may be either).
pub fn read_certificate(bytes: &[u8]) -> Result<Certificate, PkiError> {
    if bytes.starts_with(b"-----BEGIN") {
        Ok(Certificate::from_pem(bytes)?)
    } else {
        Ok(Certificate::from_der(bytes)?)
    }
}

/// A certificate as DER.
pub fn certificate_der(cert: &Certificate) -> Result<Vec<u8>, PkiError> {
    Ok(cert.to_der()?)
}

/// A certificate as PEM text.
pub fn certificate_pem(cert: &Certificate) -> Result<String, PkiError> {
    use der::EncodePem;
    Ok(cert.to_pem(der::pem::LineEnding::LF)?)
}

/// The P-256 public key of a certificate.
pub fn verifying_key(cert: &Certificate) -> Option<VerifyingKey> {
    VerifyingKey::from_sec1_bytes(
        cert.tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes(),
    )
    .ok()
}
