//! What both sides agree on: header names, the version, checksum algorithms, metadata.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha1::Digest as _;
use std::collections::BTreeMap;

/// A header's value as text (absent, or not visible ASCII: `None`).
pub fn header<'a>(h: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// A header that is not the non-negative decimal integer tus requires (digits only: no sign,
/// no spaces, nothing empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

/// A header's value as a non-negative integer; `Ok(None)` when the header is absent.
pub fn header_u64(h: &http::HeaderMap, name: &str) -> Result<Option<u64>, NotANumber> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or(NotANumber),
    }
}

/// The only protocol version spoken.
pub const TUS_VERSION: &str = "1.0.0";

pub const TUS_RESUMABLE: &str = "tus-resumable";
pub const TUS_VERSION_HEADER: &str = "tus-version";
pub const TUS_EXTENSION: &str = "tus-extension";
pub const TUS_MAX_SIZE: &str = "tus-max-size";
pub const TUS_CHECKSUM_ALGORITHM: &str = "tus-checksum-algorithm";
pub const UPLOAD_LENGTH: &str = "upload-length";
pub const UPLOAD_OFFSET: &str = "upload-offset";
pub const UPLOAD_METADATA: &str = "upload-metadata";
pub const UPLOAD_CHECKSUM: &str = "upload-checksum";
/// The body type of every `PATCH`.
pub const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";
/// The tus status for a checksum that does not match the chunk.
pub const CHECKSUM_MISMATCH: u16 = 460;

/// Checksum algorithms of the checksum extension that this crate speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha1,
    Sha256,
}

impl Algorithm {
    pub const ALL: [Algorithm; 2] = [Algorithm::Sha1, Algorithm::Sha256];

    /// The name used in `Upload-Checksum` and `Tus-Checksum-Algorithm`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Algorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Algorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
        }
    }

    /// The `Upload-Checksum` value for `data`: `<name> <base64 digest>`.
    pub fn header_value(self, data: &[u8]) -> String {
        format!("{} {}", self.name(), B64.encode(self.digest(data)))
    }
}

/// Why an `Upload-Checksum` value is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecksumHeaderError {
    #[error("Upload-Checksum is not `<algorithm> <base64>`")]
    Malformed,
    #[error("checksum algorithm {0:?} is not supported")]
    Unsupported(String),
}

/// Parses an `Upload-Checksum` value into the algorithm and the digest it announces.
pub fn parse_checksum(value: &str) -> Result<(Algorithm, Vec<u8>), ChecksumHeaderError> {
    let (name, digest) = value
        .trim()
        .split_once(' ')
        .ok_or(ChecksumHeaderError::Malformed)?;
    let alg = Algorithm::from_name(name)
        .ok_or_else(|| ChecksumHeaderError::Unsupported(name.chars().take(32).collect()))?;
    let digest = B64
        .decode(digest.trim())
        .map_err(|_| ChecksumHeaderError::Malformed)?;
    if digest.len() != alg.digest(b"").len() {
        return Err(ChecksumHeaderError::Malformed);
    }
    Ok((alg, digest))
}

/// `Upload-Metadata`: keys (ASCII, no spaces or commas) with optional binary values.
pub type Metadata = BTreeMap<String, Vec<u8>>;

/// Encodes metadata as `key base64value,key2 base64value2`; an empty value is sent as a bare
/// key.
pub fn encode_metadata(m: &Metadata) -> String {
    m.iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k} {}", B64.encode(v))
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Upload-Metadata is malformed: {0}")]
pub struct MetadataError(pub String);

/// Decodes an `Upload-Metadata` value; keys must be unique and non-empty.
pub fn decode_metadata(value: &str) -> Result<Metadata, MetadataError> {
    let mut m = Metadata::new();
    for pair in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, v) = match pair.split_once(' ') {
            Some((k, v)) => (
                k,
                B64.decode(v.trim())
                    .map_err(|_| MetadataError(format!("the value of {k:?} is not base64")))?,
            ),
            None => (pair, Vec::new()),
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_graphic() && c != ',') {
            return Err(MetadataError(
                "a key is empty or not printable ASCII".into(),
            ));
        }
        if m.insert(key.to_string(), v).is_some() {
            return Err(MetadataError(format!("key {key:?} appears twice")));
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_and_refuses_garbage() {
        let mut m = Metadata::new();
        m.insert("packet-id".into(), b"0190-abc".to_vec());
        m.insert("is_confidential".into(), Vec::new());
        let s = encode_metadata(&m);
        assert_eq!(decode_metadata(&s), Ok(m));
        assert!(decode_metadata("a !!!").is_err());
        assert!(decode_metadata("a YQ==,a YQ==").is_err());
    }

    #[test]
    fn checksum_headers_parse_and_refuse() {
        let v = Algorithm::Sha256.header_value(b"hello");
        let (alg, digest) = parse_checksum(&v).unwrap_or((Algorithm::Sha1, vec![]));
        assert_eq!(alg, Algorithm::Sha256);
        assert_eq!(digest, Algorithm::Sha256.digest(b"hello"));
        // sha1("hello") in base64, as `printf hello | sha1sum | xxd -r -p | base64` gives.
        assert_eq!(
            Algorithm::Sha1.header_value(b"hello"),
            "sha1 qvTGHdzF6KLavt4PO0gs2a6pQ00="
        );
        assert_eq!(
            parse_checksum("md5 XUFAKrxLKna5cZ2REBfFkg=="),
            Err(ChecksumHeaderError::Unsupported("md5".into()))
        );
        assert_eq!(parse_checksum("sha1"), Err(ChecksumHeaderError::Malformed));
        assert_eq!(
            parse_checksum("sha1 AAAA"),
            Err(ChecksumHeaderError::Malformed)
        );
    }
}
