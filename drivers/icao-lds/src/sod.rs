//! EF.SOD (Doc 9303 part 10, 4.6.2): tag 77 around a CMS ContentInfo (RFC 5652) of type
//! SignedData whose encapsulated content is an LDSSecurityObject (2.23.136.1.1.1) holding the
//! SHA-256 of every data group; the document signer's certificate travels inside, and one
//! SignerInfo (identified by issuer and serial number) signs the signed attributes
//! (contentType, messageDigest) with ECDSA P-256 / SHA-256.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use p256::ecdsa::DerSignature;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, AttributeValue};

use crate::lds::TAG_SOD;
use crate::pki::{ecdsa_sha256, KeyAndCertificate, PkiError};
use crate::tlv;

/// id-icao-mrtd-security-ldsSecurityObject.
pub const ID_LDS_SECURITY_OBJECT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.136.1.1.1");
pub const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");

/// DataGroupHash ::= SEQUENCE { dataGroupNumber, dataGroupHashValue OCTET STRING }.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct DataGroupHash {
    pub data_group_number: u8,
    pub data_group_hash_value: OctetString,
}

/// LDSSecurityObject version 0 (no LDS version info), part 10, 4.6.2.2.
#[derive(Debug, Clone, PartialEq, Eq, Sequence)]
pub struct LdsSecurityObject {
    pub version: u8,
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub data_group_hash_values: Vec<DataGroupHash>,
}

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    }
}

/// Why EF.SOD could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Pki(#[from] PkiError),
    #[error(transparent)]
    TooLong(#[from] tlv::TooLong),
    #[error("data group {0} is listed twice")]
    DuplicateGroup(u8),
}

impl From<der::Error> for SignError {
    fn from(e: der::Error) -> Self {
        SignError::Pki(e.into())
    }
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, der::Error> {
    let mut values = SetOfVec::new();
    values.insert(AttributeValue::from(value))?;
    Ok(Attribute { oid, values })
}

/// Builds EF.SOD over `groups` (data group number, the whole file), signed by `signer`.
pub fn sign(signer: &KeyAndCertificate, groups: &[(u8, &[u8])]) -> Result<Vec<u8>, SignError> {
    let mut hashes: Vec<DataGroupHash> = Vec::with_capacity(groups.len());
    for (dg, data) in groups {
        if hashes.iter().any(|h| h.data_group_number == *dg) {
            return Err(SignError::DuplicateGroup(*dg));
        }
        hashes.push(DataGroupHash {
            data_group_number: *dg,
            data_group_hash_value: OctetString::new(Sha256::digest(data).to_vec())?,
        });
    }
    hashes.sort_by_key(|h| h.data_group_number);
    let lds_so = LdsSecurityObject {
        version: 0,
        hash_algorithm: sha256_alg(),
        data_group_hash_values: hashes,
    }
    .to_der()?;

    let mut signed_attrs = SetOfVec::new();
    signed_attrs.insert(attribute(
        ID_CONTENT_TYPE,
        Any::encode_from(&ID_LDS_SECURITY_OBJECT)?,
    )?)?;
    signed_attrs.insert(attribute(
        ID_MESSAGE_DIGEST,
        Any::encode_from(&OctetString::new(Sha256::digest(&lds_so).to_vec())?)?,
    )?)?;
    // The signature covers the DER of the attributes as a SET OF (RFC 5652, 5.4).
    let to_sign = signed_attrs.to_der()?;
    let sig: DerSignature =
        p256::ecdsa::signature::Signer::try_sign(signer.signing_key(), &to_sign)
            .map_err(|_| PkiError::Sign)?;

    let tbs = &signer.certificate.tbs_certificate;
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer.clone(),
            serial_number: tbs.serial_number.clone(),
        }),
        digest_alg: sha256_alg(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: ecdsa_sha256(),
        signature: OctetString::new(sig.as_bytes())?,
        unsigned_attrs: None,
    };
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256_alg())?;
    let mut certs = SetOfVec::new();
    certs.insert(CertificateChoices::Certificate(signer.certificate.clone()))?;
    let mut infos = SetOfVec::new();
    infos.insert(signer_info)?;
    let signed_data = SignedData {
        // Part 10: SignedData version 3.
        version: CmsVersion::V3,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_LDS_SECURITY_OBJECT,
            econtent: Some(Any::encode_from(&OctetString::new(lds_so)?)?),
        },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    let content_info = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data)?,
    };
    Ok(tlv::encode(TAG_SOD, &content_info.to_der()?)?)
}

/// The CMS ContentInfo inside EF.SOD (the bytes `openssl cms` reads).
pub fn content_info_der(ef_sod: &[u8]) -> Result<&[u8], tlv::TlvError> {
    tlv::single(ef_sod, TAG_SOD)
}

/// EF.SOD taken apart, nothing verified yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSod {
    pub signed_data: SignedData,
    /// The LDSSecurityObject bytes exactly as signed.
    pub econtent: Vec<u8>,
    pub security_object: LdsSecurityObject,
}

pub fn parse(ef_sod: &[u8]) -> Result<ParsedSod, String> {
    let ci = content_info_der(ef_sod).map_err(|e| e.to_string())?;
    let ci = ContentInfo::from_der(ci).map_err(|e| format!("ContentInfo: {e}"))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(format!(
            "content type {} is not SignedData",
            ci.content_type
        ));
    }
    let signed_data: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| format!("SignedData: {e}"))?;
    let encap = &signed_data.encap_content_info;
    if encap.econtent_type != ID_LDS_SECURITY_OBJECT {
        return Err(format!(
            "encapsulated content {} is not an LDSSecurityObject",
            encap.econtent_type
        ));
    }
    let econtent: OctetString = encap
        .econtent
        .as_ref()
        .ok_or("the LDSSecurityObject is not encapsulated")?
        .decode_as()
        .map_err(|e| format!("eContent: {e}"))?;
    let econtent = econtent.into_bytes();
    let security_object =
        LdsSecurityObject::from_der(&econtent).map_err(|e| format!("LDSSecurityObject: {e}"))?;
    Ok(ParsedSod {
        signed_data,
        econtent,
        security_object,
    })
}
