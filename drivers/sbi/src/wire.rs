//! The JSON bodies of SBI 0.9.5, field for field as the spec ("Device Service - Communication
//! Interfaces") and MOSIP's registration client spell them.
//!
//! Devices in the field disagree on small things: numbers sent as strings (`"count": "4"`,
//! `"qualityScore": "44.44"`, `"deviceSubId": ["1","2"]`), an absent or `null` `bioSubType`
//! for the face, an `error` with a numeric code. Deserialisation accepts all of these;
//! serialisation sends what MOSIP's own client sends (strings for the request's numbers).

use crate::codes::SbiCode;
use ktpel_hal::{Eye, FingerPosition};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The spec version this crate speaks.
pub const SPEC_VERSION: &str = "0.9.5";

/// The `type` of a discovery request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiscoverType {
    /// "Biometric Device": any device.
    Any,
    Only(BioType),
}

impl DiscoverType {
    pub fn as_str(self) -> &'static str {
        match self {
            DiscoverType::Any => "Biometric Device",
            DiscoverType::Only(t) => t.as_str(),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        if text.trim().eq_ignore_ascii_case("Biometric Device") {
            Some(DiscoverType::Any)
        } else {
            BioType::parse(text).map(DiscoverType::Only)
        }
    }

    /// Whether a device of `device` type answers this request.
    pub fn matches(self, device: BioType) -> bool {
        match self {
            DiscoverType::Any => true,
            DiscoverType::Only(t) => t == device,
        }
    }
}

/// A modality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BioType {
    Finger,
    Iris,
    Face,
}

impl BioType {
    pub fn as_str(self) -> &'static str {
        match self {
            BioType::Finger => "Finger",
            BioType::Iris => "Iris",
            BioType::Face => "Face",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        [BioType::Finger, BioType::Iris, BioType::Face]
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(t))
    }
}

impl fmt::Display for BioType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `bioSubType` / `exception` name: one finger or one eye.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BioSubType {
    Finger(FingerPosition),
    Iris(Eye),
}

impl BioSubType {
    pub fn as_str(self) -> &'static str {
        match self {
            BioSubType::Finger(p) => finger_name(p),
            BioSubType::Iris(Eye::Left) => "Left",
            BioSubType::Iris(Eye::Right) => "Right",
        }
    }

    /// Parses a name ("Left IndexFinger", "Right", ...). "UNKNOWN" and anything else: `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("Left") {
            return Some(BioSubType::Iris(Eye::Left));
        }
        if t.eq_ignore_ascii_case("Right") {
            return Some(BioSubType::Iris(Eye::Right));
        }
        FingerPosition::ALL
            .into_iter()
            .find(|p| finger_name(*p).eq_ignore_ascii_case(t))
            .map(BioSubType::Finger)
    }

    pub fn bio_type(self) -> BioType {
        match self {
            BioSubType::Finger(_) => BioType::Finger,
            BioSubType::Iris(_) => BioType::Iris,
        }
    }
}

impl fmt::Display for BioSubType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The SBI name of a finger.
pub fn finger_name(p: FingerPosition) -> &'static str {
    match p {
        FingerPosition::RightThumb => "Right Thumb",
        FingerPosition::RightIndex => "Right IndexFinger",
        FingerPosition::RightMiddle => "Right MiddleFinger",
        FingerPosition::RightRing => "Right RingFinger",
        FingerPosition::RightLittle => "Right LittleFinger",
        FingerPosition::LeftThumb => "Left Thumb",
        FingerPosition::LeftIndex => "Left IndexFinger",
        FingerPosition::LeftMiddle => "Left MiddleFinger",
        FingerPosition::LeftRing => "Left RingFinger",
        FingerPosition::LeftLittle => "Left LittleFinger",
    }
}

/// `deviceStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeviceStatus {
    Ready,
    Busy,
    NotReady,
    NotRegistered,
    /// A value outside the spec, kept as sent.
    Other(String),
}

impl DeviceStatus {
    pub fn as_str(&self) -> &str {
        match self {
            DeviceStatus::Ready => "Ready",
            DeviceStatus::Busy => "Busy",
            DeviceStatus::NotReady => "Not Ready",
            DeviceStatus::NotRegistered => "Not Registered",
            DeviceStatus::Other(s) => s,
        }
    }

    pub fn parse(text: &str) -> Self {
        let t = text.trim();
        [
            DeviceStatus::Ready,
            DeviceStatus::Busy,
            DeviceStatus::NotReady,
            DeviceStatus::NotRegistered,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(t))
        .unwrap_or_else(|| DeviceStatus::Other(t.to_string()))
    }

    /// The error code a capture meets in this state, if it cannot capture.
    pub fn refusal(&self) -> Option<SbiCode> {
        match self {
            DeviceStatus::Ready | DeviceStatus::Other(_) => None,
            DeviceStatus::Busy => Some(SbiCode::Busy),
            DeviceStatus::NotReady => Some(SbiCode::NotReady),
            DeviceStatus::NotRegistered => Some(SbiCode::NotRegistered),
        }
    }
}

impl fmt::Display for DeviceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `{"errorCode": "...", "errorInfo": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(default, deserialize_with = "string_or_number")]
    pub error_code: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub error_info: String,
}

impl ErrorBody {
    pub fn new(code: SbiCode, info: impl Into<String>) -> Self {
        Self {
            error_code: code.code().to_string(),
            error_info: info.into(),
        }
    }

    pub fn success() -> Self {
        Self::new(SbiCode::Success, "Success")
    }

    /// The code; a body with no code at all counts as success, an unreadable one as unknown.
    pub fn code(&self) -> SbiCode {
        if self.error_code.trim().is_empty() {
            SbiCode::Success
        } else {
            SbiCode::parse(&self.error_code).unwrap_or(SbiCode::Unknown(u16::MAX))
        }
    }
}

/// The body of `MOSIPDISC /device`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoverRequest {
    #[serde(rename = "type")]
    pub kind: String,
}

/// One entry of the discovery answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredDevice {
    #[serde(default, deserialize_with = "string_or_number")]
    pub device_id: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub device_status: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub certification: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub service_version: String,
    #[serde(default, deserialize_with = "sub_ids")]
    pub device_sub_id: Vec<u8>,
    #[serde(default, deserialize_with = "string_or_null")]
    pub callback_id: String,
    /// Unsigned: base64url of the digital id JSON.
    #[serde(default, deserialize_with = "string_or_null")]
    pub digital_id: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub device_code: String,
    #[serde(default, deserialize_with = "strings")]
    pub spec_version: Vec<String>,
    #[serde(default, deserialize_with = "string_or_null")]
    pub purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// One entry of the `MOSIPDINFO /info` answer: `deviceInfo` is a compact JWS (or, for an
/// unregistered device, just the base64url payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InfoEntry {
    #[serde(default, deserialize_with = "string_or_null")]
    pub device_info: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// The signed payload of `deviceInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfoPayload {
    #[serde(default, deserialize_with = "string_or_null")]
    pub device_status: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub device_id: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub firmware: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub certification: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub service_version: String,
    #[serde(default, deserialize_with = "sub_ids")]
    pub device_sub_id: Vec<u8>,
    #[serde(default, deserialize_with = "string_or_null")]
    pub callback_id: String,
    /// Signed (compact JWS) for a registered device, unsigned base64url otherwise.
    #[serde(default, deserialize_with = "string_or_null")]
    pub digital_id: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub device_code: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub env: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub purpose: String,
    #[serde(default, deserialize_with = "strings")]
    pub spec_version: Vec<String>,
}

/// Who the device is (the "Digital ID").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DigitalId {
    #[serde(default, deserialize_with = "string_or_number")]
    pub serial_no: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub make: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub model: String,
    #[serde(rename = "type", default, deserialize_with = "string_or_null")]
    pub kind: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub device_sub_type: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub device_provider: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub device_provider_id: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub date_time: String,
}

/// The body of `RCAPTURE /capture` (and `CAPTURE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CaptureRequest {
    #[serde(default, deserialize_with = "string_or_null")]
    pub env: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub purpose: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub spec_version: String,
    /// Milliseconds.
    #[serde(default, deserialize_with = "string_or_number")]
    pub timeout: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub capture_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_uri: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    pub transaction_id: String,
    #[serde(default)]
    pub bio: Vec<BioRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_opts: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One `bio[]` entry of a capture request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct BioRequest {
    #[serde(rename = "type", default, deserialize_with = "string_or_null")]
    pub kind: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub count: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio_sub_type: Option<Vec<String>>,
    #[serde(default, deserialize_with = "strings")]
    pub exception: Vec<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    pub requested_score: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub device_id: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub device_sub_id: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub previous_hash: String,
}

/// The answer to a capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CaptureResponse {
    #[serde(default)]
    pub biometrics: Vec<BiometricEntry>,
    /// Some devices answer a refused capture with a top-level error and no biometrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// One captured biometric: `data` is a compact JWS over [`BiometricData`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct BiometricEntry {
    #[serde(default, deserialize_with = "string_or_null")]
    pub spec_version: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub data: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// The signed payload of one biometric.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct BiometricData {
    #[serde(default, deserialize_with = "string_or_null")]
    pub digital_id: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub device_code: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub device_service_version: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub bio_type: String,
    /// Absent, `null` or empty for the face.
    #[serde(default, deserialize_with = "string_or_null")]
    pub bio_sub_type: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub purpose: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub env: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_uri: Option<String>,
    /// base64url of the ISO 19794 record.
    #[serde(default, deserialize_with = "string_or_null")]
    pub bio_value: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub transaction_id: String,
    #[serde(default, deserialize_with = "string_or_null")]
    pub timestamp: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub requested_score: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub quality_score: String,
}

// `data` and `bioValue` carry biometric data: never in debug output.
impl fmt::Debug for BiometricEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BiometricEntry")
            .field("spec_version", &self.spec_version)
            .field("data_bytes", &self.data.len())
            .field("hash", &self.hash)
            .field("error", &self.error)
            .finish()
    }
}

impl fmt::Debug for BiometricData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BiometricData")
            .field("bio_type", &self.bio_type)
            .field("bio_sub_type", &self.bio_sub_type)
            .field("transaction_id", &self.transaction_id)
            .field("quality_score", &self.quality_score)
            .field("bio_value_bytes", &self.bio_value.len())
            .finish_non_exhaustive()
    }
}

/// The body of `STREAM /stream`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct StreamRequest {
    #[serde(default, deserialize_with = "string_or_number")]
    pub device_id: String,
    #[serde(default, deserialize_with = "string_or_number")]
    pub device_sub_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

/// An error-only answer (`{"error": {...}}`), as devices send for a refused stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ErrorOnly {
    pub error: ErrorBody,
}

/// Parses a score sent as a number or a string ("44.44"); empty is `None`.
pub fn parse_score(text: &str) -> Option<f32> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f32>().ok().filter(|s| s.is_finite())
}

// --- lenient field readers ---

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Null => Ok(String::new()),
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        other => Err(de::Error::custom(format!(
            "expected a string or a number, found {other}"
        ))),
    }
}

fn string_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Null => Ok(Vec::new()),
        serde_json::Value::String(s) if s.is_empty() => Ok(Vec::new()),
        serde_json::Value::String(s) => Ok(vec![s]),
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|i| match i {
                serde_json::Value::String(s) => Ok(s),
                serde_json::Value::Number(n) => Ok(n.to_string()),
                other => Err(de::Error::custom(format!(
                    "expected a list of strings, found {other}"
                ))),
            })
            .collect(),
        other => Err(de::Error::custom(format!(
            "expected a list of strings, found {other}"
        ))),
    }
}

fn sub_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    strings(d)?
        .iter()
        .map(|s| {
            s.trim()
                .parse::<u8>()
                .map_err(|_| de::Error::custom(format!("device sub id {s:?} is not a number")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sub_types_round_trip() {
        for p in FingerPosition::ALL {
            let s = BioSubType::Finger(p);
            assert_eq!(BioSubType::parse(s.as_str()), Some(s));
        }
        for e in Eye::BOTH {
            let s = BioSubType::Iris(e);
            assert_eq!(BioSubType::parse(s.as_str()), Some(s));
        }
        assert_eq!(BioSubType::parse("UNKNOWN"), None);
        assert_eq!(
            BioSubType::parse("left indexfinger"),
            Some(BioSubType::Finger(FingerPosition::LeftIndex))
        );
    }

    #[test]
    fn lenient_numbers_and_lists() {
        let d: DiscoveredDevice = serde_json::from_str(
            r#"{"deviceId": 7, "deviceStatus": "Not Ready", "deviceSubId": ["1", 2, "3"],
                "specVersion": "0.9.5", "error": {"errorCode": 0, "errorInfo": null}}"#,
        )
        .unwrap();
        assert_eq!(d.device_id, "7");
        assert_eq!(d.device_sub_id, vec![1, 2, 3]);
        assert_eq!(d.spec_version, vec!["0.9.5".to_string()]);
        assert_eq!(
            DeviceStatus::parse(&d.device_status),
            DeviceStatus::NotReady
        );
        assert_eq!(d.error.unwrap().code(), SbiCode::Success);
    }

    #[test]
    fn scores_as_strings_or_numbers() {
        let b: BiometricData =
            serde_json::from_str(r#"{"qualityScore": 44.5, "requestedScore": "40"}"#).unwrap();
        assert_eq!(parse_score(&b.quality_score), Some(44.5));
        assert_eq!(parse_score(&b.requested_score), Some(40.0));
        assert_eq!(parse_score(""), None);
        assert_eq!(parse_score("NaN"), None);
    }

    #[test]
    fn a_request_serialises_as_mosip_sends_it() {
        let r = CaptureRequest {
            env: "Developer".into(),
            purpose: "Registration".into(),
            spec_version: SPEC_VERSION.into(),
            timeout: "10000".into(),
            transaction_id: "abc-1".into(),
            bio: vec![BioRequest {
                kind: "Finger".into(),
                count: "4".into(),
                device_sub_id: "1".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["specVersion"], "0.9.5");
        assert_eq!(v["transactionId"], "abc-1");
        assert_eq!(v["bio"][0]["type"], "Finger");
        assert_eq!(v["bio"][0]["deviceSubId"], "1");
        assert!(v.get("domainUri").is_none());
    }
}
