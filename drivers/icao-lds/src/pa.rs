//! Passive authentication (Doc 9303 part 11, 5.1): the trusted CSCA certificate, the document
//! signer certificate inside EF.SOD, the SOD signature and every data group hash — each check
//! with its own error, in the order a reader performs them.

use std::time::SystemTime;

use cms::cert::CertificateChoices;
use cms::signed_data::SignerIdentifier;
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::DerSignature;
use sha2::{Digest, Sha256};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::Certificate;

use crate::pki::{
    verifying_key, DocumentTypeList, ECDSA_WITH_SHA256, ID_CE_BASIC_CONSTRAINTS,
    ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE, ID_ICAO_DOCUMENT_TYPE_LIST,
};
use crate::sod::{self, ID_CONTENT_TYPE, ID_LDS_SECURITY_OBJECT, ID_MESSAGE_DIGEST, ID_SHA256};

/// Why passive authentication failed. Every variant names one check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaError {
    #[error("EF.SOD is not a CMS SignedData over an LDSSecurityObject: {0}")]
    Malformed(String),
    #[error("the trusted CSCA certificate is not a valid CSCA: {0}")]
    BadCsca(&'static str),
    #[error("the trusted CSCA certificate is not valid now (valid {not_before} to {not_after})")]
    CscaOutsideValidity {
        not_before: String,
        not_after: String,
    },
    #[error("EF.SOD must hold exactly one document signer certificate and one signer, found {certificates} and {signers}")]
    SignerCount { certificates: usize, signers: usize },
    #[error("the document signer certificate was issued by \"{issuer}\", not by the trusted CSCA \"{csca}\"")]
    OtherCsca { issuer: String, csca: String },
    #[error("the document signer certificate's signature does not verify under the trusted CSCA key: it comes from another CSCA or was altered")]
    CertificateSignature,
    #[error("the document signer certificate has expired (valid until {not_after})")]
    SignerExpired { not_after: String },
    #[error("the document signer certificate is not yet valid (valid from {not_before})")]
    SignerNotYetValid { not_before: String },
    #[error("the document signer certificate does not follow Doc 9303 part 12: {0}")]
    SignerProfile(&'static str),
    #[error("the SignerInfo does not name the document signer certificate in EF.SOD")]
    SignerMismatch,
    #[error("EF.SOD's structure is not Doc 9303 part 10's: {0}")]
    Structure(&'static str),
    #[error("unsupported algorithm {0} (this reader takes SHA-256 and ECDSA P-256 with SHA-256)")]
    Algorithm(String),
    #[error("the signed attributes are wrong: {0}")]
    SignedAttributes(&'static str),
    #[error("the SOD signature does not verify under the document signer's key")]
    BadSignature,
    #[error("DG{dg} does not match its hash in EF.SOD")]
    HashMismatch { dg: u8 },
    #[error("DG{dg} is on the chip but has no hash in EF.SOD")]
    Unlisted { dg: u8 },
    #[error("DG{dg} has a hash in EF.SOD but is not on the chip")]
    Missing { dg: u8 },
}

/// What passed, for a reader to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaReport {
    pub csca_subject: String,
    pub signer_subject: String,
    pub signer_issuer: String,
    pub signer_serial: String,
    pub signer_not_before: String,
    pub signer_not_after: String,
    /// The data groups whose hashes matched, ascending.
    pub groups: Vec<u8>,
}

fn extension(cert: &Certificate, oid: ObjectIdentifier) -> Option<&x509_cert::ext::Extension> {
    cert.tbs_certificate
        .extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == oid))
}

fn key_usage(cert: &Certificate) -> Option<(bool, KeyUsage)> {
    let ext = extension(cert, ID_CE_KEY_USAGE)?;
    let ku = KeyUsage::from_der(ext.extn_value.as_bytes()).ok()?;
    Some((ext.critical, ku))
}

fn within(cert: &Certificate, now: SystemTime) -> bool {
    let v = &cert.tbs_certificate.validity;
    v.not_before.to_system_time() <= now && now <= v.not_after.to_system_time()
}

/// Checks that `csca` can serve as a trust anchor: self-issued, a CA allowed to sign
/// certificates, self-signature valid, valid at `now`.
pub fn check_csca(csca: &Certificate, now: SystemTime) -> Result<(), PaError> {
    let tbs = &csca.tbs_certificate;
    if tbs.issuer != tbs.subject {
        return Err(PaError::BadCsca("not self-issued"));
    }
    let bc = extension(csca, ID_CE_BASIC_CONSTRAINTS)
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
        .ok_or(PaError::BadCsca("no basic constraints"))?;
    if !bc.ca {
        return Err(PaError::BadCsca("not a CA"));
    }
    match key_usage(csca) {
        Some((true, ku)) if ku.0.contains(KeyUsages::KeyCertSign) => {}
        _ => return Err(PaError::BadCsca("no critical keyUsage with keyCertSign")),
    }
    verify_certificate(csca, csca)
        .map_err(|_| PaError::BadCsca("its self-signature does not verify"))?;
    if !within(csca, now) {
        return Err(PaError::CscaOutsideValidity {
            not_before: tbs.validity.not_before.to_string(),
            not_after: tbs.validity.not_after.to_string(),
        });
    }
    Ok(())
}

fn verify_certificate(cert: &Certificate, issuer: &Certificate) -> Result<(), PaError> {
    if cert.signature_algorithm.oid != ECDSA_WITH_SHA256
        || cert.tbs_certificate.signature.oid != ECDSA_WITH_SHA256
    {
        return Err(PaError::Algorithm(cert.signature_algorithm.oid.to_string()));
    }
    let key = verifying_key(issuer).ok_or(PaError::BadCsca("its key is not a P-256 key"))?;
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| PaError::Malformed(e.to_string()))?;
    let sig = cert
        .signature
        .as_bytes()
        .and_then(|b| DerSignature::from_bytes(b).ok())
        .ok_or(PaError::CertificateSignature)?;
    key.verify(&tbs, &sig)
        .map_err(|_| PaError::CertificateSignature)
}

fn check_signer_profile(ds: &Certificate) -> Result<(), PaError> {
    match key_usage(ds) {
        Some((true, ku))
            if ku.digital_signature()
                && ku.0.bits() == KeyUsage(KeyUsages::DigitalSignature.into()).0.bits() => {}
        _ => {
            return Err(PaError::SignerProfile(
                "keyUsage must be critical and digitalSignature only",
            ))
        }
    }
    if extension(ds, ID_CE_EXT_KEY_USAGE).is_some() {
        return Err(PaError::SignerProfile(
            "a document signer certificate carries no extendedKeyUsage",
        ));
    }
    if let Some(bc) = extension(ds, ID_CE_BASIC_CONSTRAINTS)
        .and_then(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).ok())
    {
        if bc.ca {
            return Err(PaError::SignerProfile("a document signer is not a CA"));
        }
    }
    let types = extension(ds, ID_ICAO_DOCUMENT_TYPE_LIST)
        .and_then(|e| DocumentTypeList::from_der(e.extn_value.as_bytes()).ok())
        .ok_or(PaError::SignerProfile("no ICAO document type list"))?;
    if types.doc_types.is_empty() {
        return Err(PaError::SignerProfile("the document type list is empty"));
    }
    verifying_key(ds).ok_or(PaError::SignerProfile("its key is not a P-256 key"))?;
    Ok(())
}

/// Passive authentication of `ef_sod` against the trusted `csca` at time `now`, over the data
/// groups read from the chip (`(number, whole file)`).
pub fn verify(
    ef_sod: &[u8],
    groups: &[(u8, &[u8])],
    csca: &Certificate,
    now: SystemTime,
) -> Result<PaReport, PaError> {
    check_csca(csca, now)?;
    let parsed = sod::parse(ef_sod).map_err(PaError::Malformed)?;
    let sd = &parsed.signed_data;

    let certs: Vec<&Certificate> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    let cert_count = sd.certificates.as_ref().map_or(0, |s| s.0.len());
    let signers = sd.signer_infos.0.as_slice();
    let (ds, si) = match (certs.as_slice(), signers) {
        ([ds], [si]) if cert_count == 1 => (*ds, si),
        _ => {
            return Err(PaError::SignerCount {
                certificates: cert_count,
                signers: signers.len(),
            })
        }
    };

    // 0. The SignedData is the one part 10 describes. Its version, its digest algorithms and
    //    the SignerInfo's version are outside the signature: an altered one must still fail.
    if sd.version != cms::content_info::CmsVersion::V3 {
        return Err(PaError::Structure("SignedData version is not 3"));
    }
    let listed: Vec<&ObjectIdentifier> = sd.digest_algorithms.iter().map(|a| &a.oid).collect();
    if listed != [&si.digest_alg.oid] {
        return Err(PaError::Structure(
            "digestAlgorithms is not exactly the signer's digest algorithm",
        ));
    }
    if si.version != cms::content_info::CmsVersion::V1 {
        return Err(PaError::Structure(
            "SignerInfo version is not 1 (issuer and serial number)",
        ));
    }

    // 1. The document signer certificate chains to the trusted CSCA.
    let tbs = &ds.tbs_certificate;
    if tbs.issuer != csca.tbs_certificate.subject {
        return Err(PaError::OtherCsca {
            issuer: tbs.issuer.to_string(),
            csca: csca.tbs_certificate.subject.to_string(),
        });
    }
    verify_certificate(ds, csca)?;
    // 2. Its validity and profile.
    if now < tbs.validity.not_before.to_system_time() {
        return Err(PaError::SignerNotYetValid {
            not_before: tbs.validity.not_before.to_string(),
        });
    }
    if now > tbs.validity.not_after.to_system_time() {
        return Err(PaError::SignerExpired {
            not_after: tbs.validity.not_after.to_string(),
        });
    }
    check_signer_profile(ds)?;

    // 3. The SignerInfo names that certificate and its signature verifies.
    match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias)
            if ias.issuer == tbs.issuer && ias.serial_number == tbs.serial_number => {}
        _ => return Err(PaError::SignerMismatch),
    }
    if si.digest_alg.oid != ID_SHA256 {
        return Err(PaError::Algorithm(si.digest_alg.oid.to_string()));
    }
    if si.signature_algorithm.oid != ECDSA_WITH_SHA256 {
        return Err(PaError::Algorithm(si.signature_algorithm.oid.to_string()));
    }
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or(PaError::SignedAttributes("absent (part 10 requires them)"))?;
    let single = |oid| {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (Some(a), None) if a.values.len() == 1 => a.values.get(0),
            _ => None,
        }
    };
    let content_type = single(ID_CONTENT_TYPE)
        .and_then(|v| v.decode_as::<ObjectIdentifier>().ok())
        .ok_or(PaError::SignedAttributes("no single contentType"))?;
    if content_type != ID_LDS_SECURITY_OBJECT {
        return Err(PaError::SignedAttributes(
            "contentType is not ldsSecurityObject",
        ));
    }
    let digest = single(ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .ok_or(PaError::SignedAttributes("no single messageDigest"))?;
    if digest.as_bytes() != Sha256::digest(&parsed.econtent).as_slice() {
        return Err(PaError::SignedAttributes(
            "messageDigest is not the SHA-256 of the LDSSecurityObject",
        ));
    }
    let signed = attrs
        .to_der()
        .map_err(|e| PaError::Malformed(e.to_string()))?;
    let key = verifying_key(ds).ok_or(PaError::SignerProfile("its key is not a P-256 key"))?;
    let sig =
        DerSignature::from_bytes(si.signature.as_bytes()).map_err(|_| PaError::BadSignature)?;
    key.verify(&signed, &sig)
        .map_err(|_| PaError::BadSignature)?;

    // 4. Every data group against its hash.
    let so = &parsed.security_object;
    if so.hash_algorithm.oid != ID_SHA256 {
        return Err(PaError::Algorithm(so.hash_algorithm.oid.to_string()));
    }
    let mut checked = Vec::new();
    for (dg, data) in groups {
        let listed = so
            .data_group_hash_values
            .iter()
            .find(|h| h.data_group_number == *dg)
            .ok_or(PaError::Unlisted { dg: *dg })?;
        if listed.data_group_hash_value.as_bytes() != Sha256::digest(data).as_slice() {
            return Err(PaError::HashMismatch { dg: *dg });
        }
        checked.push(*dg);
    }
    for h in &so.data_group_hash_values {
        if !checked.contains(&h.data_group_number) {
            return Err(PaError::Missing {
                dg: h.data_group_number,
            });
        }
    }
    checked.sort_unstable();
    Ok(PaReport {
        csca_subject: csca.tbs_certificate.subject.to_string(),
        signer_subject: tbs.subject.to_string(),
        signer_issuer: tbs.issuer.to_string(),
        signer_serial: tbs.serial_number.to_string(),
        signer_not_before: tbs.validity.not_before.to_string(),
        signer_not_after: tbs.validity.not_after.to_string(),
        groups: checked,
    })
}
