//! The booth's hal traits over SBI devices: [`SbiFingerprintScanner`], [`SbiIrisScanner`]
//! and [`SbiCamera`], so an SBI device can fill a role.
//!
//! # One finger at a time from a slap scanner
//!
//! The kiosk asks for fingers one by one in a fixed order; a slap scanner images four at a
//! time (left four, right four, two thumbs). The fingerprint adapter maps the two honestly:
//!
//! - Asked for a finger, it captures **the slap that contains it**, requesting that finger and
//!   every other finger of the slap not yet served in this session (`bioSubType`), less the
//!   fingers the operator marked missing or bandaged ([`SbiFingerprintScanner::set_exceptions`],
//!   sent as `exception[]`). It answers the asked finger.
//! - The slap's other fingers come from the **same transaction** (same signature check, same
//!   hash chain) and are kept; the following calls for them are answered from it at once,
//!   without asking the applicant to press again.
//! - Kept fingers are dropped when they get older than the transaction lifetime (3 minutes by
//!   default, the SOP's recording time), on [`new_session`](SbiFingerprintScanner::new_session)
//!   (the next applicant), and a finger is served from them only once: asking for a finger
//!   again (a retake) captures again, this time only that finger.
//!
//! The iris adapter does the same with a double iris scanner: the first eye asked captures
//! both (deviceSubId 3) and keeps the other; the camera adapter previews from `STREAM` and
//! takes the portrait with `RCAPTURE` of the face.
//!
//! Each adapter keeps the session's hash chain ([`HashChain`]) across its captures; every
//! capture is retried up to the policy's count until it reaches its quality threshold, and the
//! best one is kept (its quality reported, even when below the threshold).

use crate::chain::HashChain;
use crate::client::{
    Biometric, CaptureSpec, ClientConfig, IsoRecord, PreviewStream, QualityPolicy, SbiClient,
    SbiDevice, Slap, Trust,
};
use crate::error::SbiError;
use crate::wire::{BioSubType, BioType};
use ktpel_hal::{
    Camera, Check, Device, DeviceError, DeviceInfo, DeviceKind, DeviceResult, EncodedImage,
    ErrorKind, Eye, FaceCapture, FingerCapture, FingerPosition, FingerprintScanner, Frame,
    ImageFormat, IrisCapture, IrisScanner, Quality, SelfTestReport,
};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

/// How the booth configures an SBI device (`[devices.iris] driver = "sbi", port = 4501`).
/// Every field has a default; an absent `port` means: find the device by discovery.
///
/// `env = "Production"` needs `trusted_certificates`: a production booth accepts captures only
/// from devices whose certificate it pinned (the file is refused otherwise), and each pin must
/// be a SHA-256 fingerprint (64 hex digits, as `ktpel-booth devices` shows it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "SbiParamsFile")]
pub struct SbiParams {
    /// The device service's port (4501–4600); none: discover it.
    pub port: Option<u16>,
    /// `env` of the captures ("Developer", "Staging", "Pre-Production", "Production").
    pub env: String,
    /// SHA-256 fingerprints of the device certificates accepted; empty: any certificate whose
    /// signatures verify.
    pub trusted_certificates: Vec<String>,
    pub finger_quality: u8,
    pub iris_quality: u8,
    pub face_quality: u8,
    /// Further captures after one below the threshold.
    pub retries: u32,
    /// How long fingers or an eye from one capture may be served to later calls.
    pub transaction_ttl_secs: u64,
    /// The discovery scan's budget.
    pub discovery_budget_ms: u64,
}

/// [`SbiParams`] as written, before its checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct SbiParamsFile {
    /// The device service's port (4501–4600); none: discover it.
    pub port: Option<u16>,
    /// `env` of the captures ("Developer", "Staging", "Pre-Production", "Production").
    pub env: String,
    /// SHA-256 fingerprints of the device certificates accepted; empty: any certificate whose
    /// signatures verify.
    pub trusted_certificates: Vec<String>,
    pub finger_quality: u8,
    pub iris_quality: u8,
    pub face_quality: u8,
    /// Further captures after one below the threshold.
    pub retries: u32,
    /// How long fingers or an eye from one capture may be served to later calls.
    pub transaction_ttl_secs: u64,
    /// The discovery scan's budget.
    pub discovery_budget_ms: u64,
}

impl Default for SbiParamsFile {
    fn default() -> Self {
        let d = SbiParams::default();
        Self {
            port: d.port,
            env: d.env,
            trusted_certificates: d.trusted_certificates,
            finger_quality: d.finger_quality,
            iris_quality: d.iris_quality,
            face_quality: d.face_quality,
            retries: d.retries,
            transaction_ttl_secs: d.transaction_ttl_secs,
            discovery_budget_ms: d.discovery_budget_ms,
        }
    }
}

impl TryFrom<SbiParamsFile> for SbiParams {
    type Error = String;

    fn try_from(f: SbiParamsFile) -> Result<Self, String> {
        for pin in &f.trusted_certificates {
            let pin = pin.trim();
            if pin.len() != 64 || !pin.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(format!(
                    "trusted_certificates: \"{pin}\" is not a SHA-256 fingerprint (64 hex \
                     digits, as `ktpel-booth devices` shows each SBI device's certificate)"
                ));
            }
        }
        if f.env.eq_ignore_ascii_case("Production") && f.trusted_certificates.is_empty() {
            return Err(
                "env = \"Production\" needs trusted_certificates: pin the SHA-256 fingerprint \
                 of each device certificate the booth may accept (`ktpel-booth devices` shows \
                 them); without pins any certificate whose signatures verify is accepted"
                    .into(),
            );
        }
        Ok(Self {
            port: f.port,
            env: f.env,
            trusted_certificates: f.trusted_certificates,
            finger_quality: f.finger_quality,
            iris_quality: f.iris_quality,
            face_quality: f.face_quality,
            retries: f.retries,
            transaction_ttl_secs: f.transaction_ttl_secs,
            discovery_budget_ms: f.discovery_budget_ms,
        })
    }
}

impl Default for SbiParams {
    fn default() -> Self {
        let q = QualityPolicy::default();
        Self {
            port: None,
            env: "Developer".into(),
            trusted_certificates: Vec::new(),
            finger_quality: q.finger,
            iris_quality: q.iris,
            face_quality: q.face,
            retries: q.retries,
            transaction_ttl_secs: 180,
            discovery_budget_ms: 5000,
        }
    }
}

impl SbiParams {
    /// The adapter configuration these parameters describe.
    pub fn to_config(&self) -> SbiConfig {
        SbiConfig {
            client: ClientConfig {
                env: self.env.clone(),
                trust: if self.trusted_certificates.is_empty() {
                    Trust::AnyCertificate
                } else {
                    Trust::Pinned(self.trusted_certificates.clone())
                },
                discovery_budget: Duration::from_millis(self.discovery_budget_ms),
                ..ClientConfig::default()
            },
            port: self.port,
            quality: QualityPolicy {
                finger: self.finger_quality,
                iris: self.iris_quality,
                face: self.face_quality,
                retries: self.retries,
            },
            transaction_ttl: Duration::from_secs(self.transaction_ttl_secs),
        }
    }
}

/// An adapter's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbiConfig {
    pub client: ClientConfig,
    /// `None`: find the device by discovery (the first ready one of the right type).
    pub port: Option<u16>,
    pub quality: QualityPolicy,
    pub transaction_ttl: Duration,
}

impl Default for SbiConfig {
    fn default() -> Self {
        SbiParams::default().to_config()
    }
}

impl SbiConfig {
    /// The device on `port`, everything else default.
    pub fn on_port(port: u16) -> Self {
        Self {
            port: Some(port),
            ..Self::default()
        }
    }
}

/// The connection shared by the three adapters: opened on first use, dropped after a
/// transport failure so the next call opens (or discovers) it again.
struct Link {
    config: SbiConfig,
    client: SbiClient,
    bio: BioType,
    device: Option<SbiDevice>,
    chain: HashChain,
}

impl Link {
    fn new(config: SbiConfig, bio: BioType) -> Result<Self, SbiError> {
        let client = SbiClient::new(config.client.clone())?;
        Ok(Self {
            config,
            client,
            bio,
            device: None,
            chain: HashChain::new(),
        })
    }

    fn device(&mut self) -> Result<&SbiDevice, SbiError> {
        if self.device.is_none() {
            let d = match self.config.port {
                Some(port) => self.client.open(port, self.bio)?,
                None => self.client.find(self.bio)?,
            };
            d.info().usable()?;
            self.device = Some(d);
        }
        self.device.as_ref().ok_or(SbiError::NotFound {
            wanted: self.bio.to_string(),
            first: *self.config.client.ports.start(),
            last: *self.config.client.ports.end(),
        })
    }

    /// Forgets the device after an error that means it went away or changed.
    fn after_error(&mut self, e: &SbiError) {
        if matches!(
            e.kind(),
            ErrorKind::Disconnected | ErrorKind::NotPresent | ErrorKind::NeedsAttention
        ) || matches!(e, SbiError::CertificateMismatch { .. })
        {
            self.device = None;
        }
    }

    fn capture(&mut self, spec: &CaptureSpec) -> Result<crate::client::BestCapture, SbiError> {
        let threshold = self.config.quality.threshold(spec.bio_type);
        let retries = self.config.quality.retries;
        let result = self.device().cloned().and_then(|d| {
            let mut chain = self.chain.clone();
            let r = d.capture_best(spec, &mut chain, threshold, retries);
            if r.is_ok() {
                self.chain = chain;
            }
            r
        });
        if let Err(e) = &result {
            self.after_error(e);
        }
        result
    }

    fn info(&self, kind: DeviceKind) -> DeviceInfo {
        match &self.device {
            Some(d) => {
                let id = &d.info().digital_id;
                DeviceInfo {
                    kind,
                    driver: "sbi".into(),
                    model: format!("{} {} (SBI, port {})", id.make, id.model, d.port())
                        .trim()
                        .to_string(),
                    serial: id.serial_no.clone(),
                    firmware: d.info().payload.firmware.clone(),
                }
            }
            None => DeviceInfo {
                kind,
                driver: "sbi".into(),
                model: match self.config.port {
                    Some(p) => format!("SBI {} device on port {p} (not connected yet)", self.bio),
                    None => format!("SBI {} device (not discovered yet)", self.bio),
                },
                serial: String::new(),
                firmware: String::new(),
            },
        }
    }

    /// Connection, signed info, status, certificate and a preview frame, as checks.
    fn self_test(&mut self, kind: DeviceKind, preview_sub_id: u8) -> DeviceResult<SelfTestReport> {
        let _span =
            tracing::debug_span!("sbi", op = "self_test", bio = self.bio.as_str()).entered();
        self.device = None;
        let mut checks = Vec::new();
        let device = match self.device().cloned() {
            Ok(d) => d,
            Err(e) if e.kind() == ErrorKind::Disconnected => return Err(e.into()),
            Err(e) => {
                self.after_error(&e);
                checks.push(Check::failed("connection", e.kind(), e.to_string()));
                return Ok(SelfTestReport {
                    device: self.info(kind),
                    checks,
                });
            }
        };
        let info = device.info();
        checks.push(Check::new(
            "connection",
            true,
            format!(
                "SBI {} on port {}",
                info.payload.spec_version.join(", "),
                device.port()
            ),
        ));
        checks.push(Check::new(
            "signed device info",
            info.certificate.is_some(),
            match &info.certificate {
                Some(c) => format!("RS256, certificate {}", c.fingerprint_hex()),
                None => "unsigned".into(),
            },
        ));
        let trust = crate::client::CertTrust::of(
            info.certificate.as_ref(),
            self.config.client.trust.pins(),
        );
        checks.push(Check::new(
            "certificate trust",
            trust != crate::client::CertTrust::Untrusted,
            trust.to_string(),
        ));
        if let Some(c) = &info.certificate {
            let left = c
                .not_after()
                .duration_since(std::time::SystemTime::now())
                .map(|d| d.as_secs() / 86_400)
                .unwrap_or(0);
            checks.push(Check::new(
                "certificate validity",
                left > 0,
                format!("{left} days left"),
            ));
        }
        checks.push(Check::new(
            "status",
            info.usable().is_ok(),
            format!("{} ({})", info.status, info.payload.purpose),
        ));
        match device.stream(preview_sub_id) {
            Ok(stream) => match stream.next_frame(Duration::from_secs(5)) {
                Ok(Some(jpeg)) => {
                    let decoded = image::load_from_memory(&jpeg);
                    checks.push(Check::new(
                        "preview",
                        decoded.is_ok(),
                        match decoded {
                            Ok(i) => format!("{}x{} JPEG frames", i.width(), i.height()),
                            Err(e) => format!("frame does not decode: {e}"),
                        },
                    ));
                }
                Ok(None) => checks.push(Check::failed(
                    "preview",
                    ErrorKind::BadData,
                    "the device ended the stream at once",
                )),
                Err(e) => checks.push(Check::failed("preview", e.kind(), e.to_string())),
            },
            Err(e) => checks.push(Check::failed("preview", e.kind(), e.to_string())),
        }
        Ok(SelfTestReport {
            device: self.info(kind),
            checks,
        })
    }
}

/// What one applicant's captures on a device that returns several at once (a slap, both eyes)
/// leave behind: the captures kept for later calls, what has been served, and the operator's
/// exceptions. Keyed by finger position or eye.
struct Session<K, C> {
    kept: HashMap<K, (C, Instant)>,
    served: HashSet<K>,
    exceptions: HashSet<K>,
}

impl<K: Copy + Eq + std::hash::Hash + Ord, C> Session<K, C> {
    fn new() -> Self {
        Self {
            kept: HashMap::new(),
            served: HashSet::new(),
            exceptions: HashSet::new(),
        }
    }

    /// The next applicant: nothing kept, served or excepted.
    fn clear(&mut self) {
        self.kept.clear();
        self.served.clear();
        self.exceptions.clear();
    }

    /// The operator's exceptions replace the previous ones; nothing kept for them is served.
    fn set_exceptions(&mut self, keys: &[K]) {
        self.exceptions = keys.iter().copied().collect();
        for k in keys {
            self.kept.remove(k);
        }
    }

    /// The capture of `key` kept from an earlier call, if it is younger than `ttl`; served once.
    fn take(&mut self, key: K, ttl: Duration) -> Option<C> {
        self.kept.retain(|_, (_, at)| at.elapsed() < ttl);
        let (c, _) = self.kept.remove(&key)?;
        self.served.insert(key);
        Some(c)
    }

    /// Whether a capture should leave `key` out: served already, or an exception.
    fn skips(&self, key: &K) -> bool {
        self.served.contains(key) || self.exceptions.contains(key)
    }

    fn is_exception(&self, key: &K) -> bool {
        self.exceptions.contains(key)
    }

    /// Keeps the captures of a call: the one asked for is answered and marked served, the
    /// others kept for later calls.
    fn settle(&mut self, asked: K, captures: Vec<(K, C)>) -> Option<C> {
        let now = Instant::now();
        let mut answer = None;
        for (k, c) in captures {
            if k == asked {
                answer = Some(c);
            } else {
                self.kept.insert(k, (c, now));
            }
        }
        self.served.insert(asked);
        answer
    }

    fn kept(&self) -> Vec<K> {
        let mut v: Vec<K> = self.kept.keys().copied().collect();
        v.sort();
        v
    }
}

fn quality(b: &Biometric) -> Quality {
    Quality(b.quality_u8().max(1))
}

fn finger_capture(b: &Biometric) -> Result<FingerCapture, SbiError> {
    let (Some(BioSubType::Finger(position)), IsoRecord::Finger(rec), Some(gray)) =
        (b.sub_type, &b.record, &b.gray)
    else {
        return Err(SbiError::Inconsistent(
            "a finger biometric without its image".into(),
        ));
    };
    Ok(FingerCapture {
        position,
        image: gray.clone(),
        resolution_ppi: rec.ppi,
        quality: quality(b),
    })
}

/// A slap scanner as the booth's [`FingerprintScanner`] (see the module docs for the mapping).
pub struct SbiFingerprintScanner {
    link: Link,
    session: Session<FingerPosition, FingerCapture>,
}

impl std::fmt::Debug for SbiFingerprintScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SbiFingerprintScanner")
            .field("port", &self.link.config.port)
            .field("kept", &self.session.kept.len())
            .field("served", &self.session.served.len())
            .finish_non_exhaustive()
    }
}

impl SbiFingerprintScanner {
    /// An adapter; the device is opened (or discovered) on first use.
    pub fn new(config: SbiConfig) -> Result<Self, SbiError> {
        Ok(Self {
            link: Link::new(config, BioType::Finger)?,
            session: Session::new(),
        })
    }

    /// Opens the device now (to report a missing device at start-up).
    pub fn connect(&mut self) -> Result<(), SbiError> {
        self.link.device().map(|_| ())
    }

    /// The next applicant: forgets kept fingers, served fingers, exceptions and the chain.
    pub fn new_session(&mut self) {
        self.session.clear();
        self.link.chain = HashChain::new();
    }

    /// The fingers the operator marked missing or bandaged (sent as `exception[]`).
    pub fn set_exceptions(&mut self, fingers: &[FingerPosition]) {
        self.session.set_exceptions(fingers);
    }

    /// The session's hash chain so far.
    pub fn hash_chain(&self) -> &HashChain {
        &self.link.chain
    }

    /// The fingers kept from earlier slaps for later calls.
    pub fn kept_fingers(&self) -> Vec<FingerPosition> {
        self.session.kept()
    }
}

impl Device for SbiFingerprintScanner {
    fn info(&self) -> DeviceInfo {
        self.link.info(DeviceKind::FingerprintScanner)
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        self.link
            .self_test(DeviceKind::FingerprintScanner, Slap::RightFour.sub_id())
    }
}

impl FingerprintScanner for SbiFingerprintScanner {
    fn begin_applicant(&mut self) {
        self.new_session();
    }

    fn set_exceptions(&mut self, fingers: &[FingerPosition]) {
        SbiFingerprintScanner::set_exceptions(self, fingers);
    }

    fn capture_finger(
        &mut self,
        position: FingerPosition,
        timeout: Duration,
    ) -> DeviceResult<FingerCapture> {
        let _span = tracing::debug_span!("sbi", op = "capture_finger", finger = position.as_str())
            .entered();
        if let Some(c) = self
            .session
            .take(position, self.link.config.transaction_ttl)
        {
            tracing::debug!("served from the slap already captured");
            return Ok(c);
        }
        let slap = Slap::containing(position);
        let wanted: Vec<FingerPosition> = slap
            .fingers()
            .iter()
            .copied()
            .filter(|f| *f == position || !self.session.skips(f))
            .collect();
        let excluded: Vec<FingerPosition> = slap
            .fingers()
            .iter()
            .copied()
            .filter(|f| *f != position && self.session.is_exception(f))
            .collect();
        let mut spec = CaptureSpec::slap(slap, &excluded, self.link.config.quality.finger);
        spec.sub_types = wanted.iter().map(|f| BioSubType::Finger(*f)).collect();
        let spec = spec.with_timeout(timeout);
        let best = self.link.capture(&spec).map_err(DeviceError::from)?;
        let captures = best
            .capture
            .biometrics
            .iter()
            .map(|b| finger_capture(b).map(|c| (c.position, c)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(DeviceError::from)?;
        let answer = self.session.settle(position, captures);
        tracing::debug!(
            attempts = best.attempts,
            met = best.met_threshold,
            kept = self.session.kept.len(),
            "slap captured"
        );
        answer.ok_or_else(|| {
            DeviceError::bad_data(format!(
                "the scanner did not return the {}",
                position.as_str()
            ))
        })
    }
}

/// A double iris scanner as the booth's [`IrisScanner`]: the first eye asked captures both.
pub struct SbiIrisScanner {
    link: Link,
    session: Session<Eye, IrisCapture>,
}

impl std::fmt::Debug for SbiIrisScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SbiIrisScanner")
            .field("port", &self.link.config.port)
            .field("kept", &self.session.kept.len())
            .finish_non_exhaustive()
    }
}

impl SbiIrisScanner {
    pub fn new(config: SbiConfig) -> Result<Self, SbiError> {
        Ok(Self {
            link: Link::new(config, BioType::Iris)?,
            session: Session::new(),
        })
    }

    pub fn connect(&mut self) -> Result<(), SbiError> {
        self.link.device().map(|_| ())
    }

    pub fn new_session(&mut self) {
        self.session.clear();
        self.link.chain = HashChain::new();
    }

    /// Eyes the operator marked missing (sent as `exception[]`).
    pub fn set_exceptions(&mut self, eyes: &[Eye]) {
        self.session.set_exceptions(eyes);
    }

    pub fn hash_chain(&self) -> &HashChain {
        &self.link.chain
    }
}

impl Device for SbiIrisScanner {
    fn info(&self) -> DeviceInfo {
        self.link.info(DeviceKind::IrisScanner)
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        self.link.self_test(DeviceKind::IrisScanner, 3)
    }
}

impl IrisScanner for SbiIrisScanner {
    fn begin_applicant(&mut self) {
        self.new_session();
    }

    fn set_exceptions(&mut self, eyes: &[Eye]) {
        SbiIrisScanner::set_exceptions(self, eyes);
    }

    fn capture_iris(&mut self, eye: Eye, timeout: Duration) -> DeviceResult<IrisCapture> {
        let _span = tracing::debug_span!("sbi", op = "capture_iris", eye = ?eye).entered();
        if let Some(c) = self.session.take(eye, self.link.config.transaction_ttl) {
            return Ok(c);
        }
        let other = match eye {
            Eye::Left => Eye::Right,
            Eye::Right => Eye::Left,
        };
        let skipped: Vec<Eye> = if self.session.skips(&other) {
            vec![other]
        } else {
            Vec::new()
        };
        let spec =
            CaptureSpec::irises(&skipped, self.link.config.quality.iris).with_timeout(timeout);
        let best = self.link.capture(&spec).map_err(DeviceError::from)?;
        let mut captures = Vec::new();
        for b in &best.capture.biometrics {
            let (Some(BioSubType::Iris(got)), Some(gray)) = (b.sub_type, &b.gray) else {
                return Err(DeviceError::bad_data("an iris biometric without its image"));
            };
            let c = IrisCapture {
                eye: got,
                image: gray.clone(),
                quality: quality(b),
            };
            captures.push((got, c));
        }
        self.session
            .settle(eye, captures)
            .ok_or_else(|| DeviceError::bad_data("the scanner did not return the eye asked"))
    }
}

/// An SBI face camera as the booth's [`Camera`]: preview from `STREAM`, portrait from
/// `RCAPTURE`.
pub struct SbiCamera {
    link: Link,
    preview: Option<PreviewStream>,
}

impl std::fmt::Debug for SbiCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SbiCamera")
            .field("port", &self.link.config.port)
            .field("previewing", &self.preview.is_some())
            .finish_non_exhaustive()
    }
}

impl SbiCamera {
    pub fn new(config: SbiConfig) -> Result<Self, SbiError> {
        Ok(Self {
            link: Link::new(config, BioType::Face)?,
            preview: None,
        })
    }

    pub fn connect(&mut self) -> Result<(), SbiError> {
        self.link.device().map(|_| ())
    }

    pub fn new_session(&mut self) {
        self.link.chain = HashChain::new();
    }

    /// Stops the preview stream (it restarts on the next `preview_frame`).
    pub fn stop_preview(&mut self) {
        self.preview = None;
    }

    pub fn hash_chain(&self) -> &HashChain {
        &self.link.chain
    }
}

impl Device for SbiCamera {
    fn info(&self) -> DeviceInfo {
        self.link.info(DeviceKind::Camera)
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        self.preview = None;
        self.link.self_test(DeviceKind::Camera, 0)
    }
}

impl Camera for SbiCamera {
    fn begin_applicant(&mut self) {
        self.new_session();
    }

    fn preview_frame(&mut self) -> DeviceResult<Frame> {
        let _span = tracing::trace_span!("sbi", op = "preview_frame").entered();
        if self.preview.as_ref().is_none_or(|p| p.is_finished()) {
            self.preview = None;
            let device = self.link.device().cloned().map_err(|e| {
                self.link.after_error(&e);
                DeviceError::from(e)
            })?;
            self.preview = Some(device.stream(0).map_err(DeviceError::from)?);
        }
        let Some(stream) = &self.preview else {
            return Err(DeviceError::other("the preview did not start"));
        };
        let jpeg = match stream.latest(Duration::from_secs(3)) {
            Ok(Some(j)) => j,
            Ok(None) => {
                self.preview = None;
                return Err(DeviceError::disconnected(
                    "the camera ended the preview stream",
                ));
            }
            Err(e) => {
                self.preview = None;
                return Err(e.into());
            }
        };
        let rgb = image::load_from_memory(&jpeg)
            .map_err(|e| DeviceError::bad_data(format!("a preview frame does not decode: {e}")))?
            .to_rgb8();
        let (width, height) = rgb.dimensions();
        Ok(Frame {
            width,
            height,
            rgb: rgb.into_raw(),
        })
    }

    fn capture_face(&mut self) -> DeviceResult<FaceCapture> {
        let _span = tracing::debug_span!("sbi", op = "capture_face").entered();
        let spec = CaptureSpec::face(self.link.config.quality.face);
        let best = self.link.capture(&spec).map_err(DeviceError::from)?;
        let Some(b) = best.capture.biometrics.first() else {
            return Err(DeviceError::bad_data("the camera returned no face"));
        };
        let IsoRecord::Face(rec) = &b.record else {
            return Err(DeviceError::bad_data("the camera returned no face record"));
        };
        let (format, bytes) = match rec.data_type {
            crate::iso::FaceDataType::Jpeg => (ImageFormat::Jpeg, rec.image.clone()),
            crate::iso::FaceDataType::Png => (ImageFormat::Png, rec.image.clone()),
            crate::iso::FaceDataType::Jpeg2000Lossy
            | crate::iso::FaceDataType::Jpeg2000Lossless => {
                let png = rec
                    .jpeg2000_as_png()
                    .map_err(|e| DeviceError::bad_data(e.to_string()))?;
                (ImageFormat::Png, png)
            }
            crate::iso::FaceDataType::Other(code) => {
                return Err(DeviceError::bad_data(format!(
                    "the face image has an unknown image data type ({code})"
                )))
            }
        };
        Ok(FaceCapture {
            image: EncodedImage {
                format,
                width: u32::from(rec.width),
                height: u32::from(rec.height),
                bytes,
            },
            quality: quality(b),
        })
    }
}

/// What the technician's screen shows for one discovered device.
#[derive(Debug, Clone)]
pub struct ScannedDevice {
    pub found: crate::client::FoundDevice,
    /// The verified device info, or why it could not be had.
    pub info: Result<crate::client::DeviceInfo, SbiError>,
}

/// Scans the SBI ports and reads every device's verified info (for the technician screen).
pub fn scan(
    config: &ClientConfig,
) -> Result<(crate::client::Discovery, Vec<ScannedDevice>), SbiError> {
    let client = SbiClient::new(config.clone())?;
    let discovery = client.discover(crate::wire::DiscoverType::Any)?;
    let mut infos: HashMap<u16, Result<Vec<crate::client::DeviceInfo>, SbiError>> = HashMap::new();
    let mut out = Vec::new();
    for found in &discovery.devices {
        let port_infos = infos
            .entry(found.port)
            .or_insert_with(|| client.device_info(found.port));
        let info = match port_infos {
            Ok(list) => list
                .iter()
                .find(|i| i.payload.device_id == found.device_id)
                .cloned()
                .ok_or(SbiError::NoSuchDevice {
                    port: found.port,
                    wanted: found.device_id.clone(),
                }),
            Err(e) => Err(e.clone()),
        };
        out.push(ScannedDevice {
            found: found.clone(),
            info,
        });
    }
    Ok((discovery, out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use FingerPosition::{RightIndex, RightLittle, RightMiddle, RightRing};

    #[test]
    fn a_slaps_other_fingers_are_served_once_and_never_past_an_exception_or_their_time() {
        let mut s: Session<FingerPosition, &str> = Session::new();
        let slap = vec![
            (RightIndex, "index"),
            (RightMiddle, "middle"),
            (RightRing, "ring"),
            (RightLittle, "little"),
        ];
        assert_eq!(s.settle(RightIndex, slap), Some("index"));
        assert_eq!(s.kept(), vec![RightMiddle, RightRing, RightLittle]);
        let ttl = Duration::from_secs(60);
        assert_eq!(s.take(RightMiddle, ttl), Some("middle"));
        assert_eq!(s.take(RightMiddle, ttl), None, "served once");
        assert!(s.skips(&RightIndex) && s.skips(&RightMiddle) && !s.skips(&RightRing));
        // The operator marks the ring finger bandaged: its kept capture is not served.
        s.set_exceptions(&[RightRing]);
        assert_eq!(s.take(RightRing, ttl), None);
        assert!(s.is_exception(&RightRing) && s.skips(&RightRing));
        // A capture older than the device's transaction time is not served either.
        assert_eq!(s.take(RightLittle, Duration::ZERO), None);
        assert!(s.kept().is_empty());
        // The next applicant starts clean.
        s.clear();
        assert!(!s.skips(&RightIndex) && !s.is_exception(&RightRing));
    }
}
