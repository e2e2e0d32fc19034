//! The two base64 alphabets SBI uses: base64url without padding for JWS parts, `bioValue`
//! and `digitalId` (RFC 7515), standard base64 for the DER certificates in `x5c`
//! (RFC 7515 §4.1.6). Decoding accepts padding or none, as devices differ.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_padding_mode(DecodePaddingMode::Indifferent);

/// base64url, no padding on encode, padding optional on decode.
pub const URL: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Standard base64 with padding on encode, padding optional on decode.
pub const STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub fn url_encode(bytes: &[u8]) -> String {
    URL.encode(bytes)
}

pub fn url_decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL.decode(text.trim())
}

pub fn std_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Standard base64, or base64url when that fails (some devices put base64url in `x5c`).
pub fn std_or_url_decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let t = text.trim();
    STANDARD.decode(t).or_else(|_| URL.decode(t))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn url_round_trip_and_lenient_padding() {
        let data = b"\xfb\xff\x00sb"; // 5 bytes: 7 characters, one '=' when padded
        let e = url_encode(data);
        assert_eq!(e.len(), 7);
        assert!(!e.contains('=') && !e.contains('+') && !e.contains('/'));
        assert_eq!(url_decode(&e).unwrap(), data);
        assert_eq!(url_decode(&format!("{e}=")).unwrap(), data);
    }

    #[test]
    fn certificate_base64_in_either_alphabet() {
        let data = b"\xfb\xff\xfe certificate";
        assert_eq!(std_or_url_decode(&std_encode(data)).unwrap(), data);
        assert_eq!(std_or_url_decode(&url_encode(data)).unwrap(), data);
    }
}
