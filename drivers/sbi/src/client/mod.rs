//! The blocking SBI client: discovery over the port range, verified device info, and
//! [`SbiDevice`] for captures and the preview stream.
//!
//! Every call blocks the calling thread (the booth calls devices from worker threads). The
//! requests themselves run on one small shared tokio runtime; discovery sends its hundred
//! `MOSIPDISC` requests concurrently and stops waiting when the budget (5 s by default, as
//! MOSIP's client) runs out.

mod capture;
mod device;
mod stream;

pub use capture::{BestCapture, Biometric, Capture, CaptureSpec, IsoRecord, Slap};
pub use device::SbiDevice;
pub use stream::PreviewStream;

use crate::codes::SbiCode;
use crate::error::SbiError;
use crate::jws::{self, DeviceCertificate};
use crate::runtime;
use crate::wire::{
    BioType, DeviceInfoPayload, DeviceStatus, DigitalId, DiscoverRequest, DiscoverType,
    DiscoveredDevice, InfoEntry,
};
use futures_util::future::join_all;
use reqwest::Method;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// The SBI port range.
pub const SBI_PORTS: RangeInclusive<u16> = 4501..=4600;

/// Which device certificates the booth accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Trust {
    /// Any certificate whose signature checks out (integrity only: the data were signed by
    /// the key in the certificate the device presents). For development and simulators.
    #[default]
    AnyCertificate,
    /// Only these certificates, by SHA-256 fingerprint of the DER (hex, any case).
    Pinned(Vec<String>),
}

/// How a device's certificate stands against the booth's pins (for the technician: a scan
/// accepts any certificate whose signatures verify, and says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertTrust {
    /// One of the pinned certificates.
    Trusted,
    /// Certificates are pinned, and this is none of them: captures from it are refused.
    Untrusted,
    /// Nothing is pinned: any certificate whose signatures verify is accepted.
    NotPinned,
    /// The device signs nothing (an unregistered device).
    Unsigned,
}

impl CertTrust {
    pub fn as_str(self) -> &'static str {
        match self {
            CertTrust::Trusted => "trusted",
            CertTrust::Untrusted => "untrusted",
            CertTrust::NotPinned => "not_pinned",
            CertTrust::Unsigned => "unsigned",
        }
    }

    /// `cert`'s standing against `pins` (SHA-256 fingerprints, any case).
    pub fn of(cert: Option<&DeviceCertificate>, pins: &[String]) -> Self {
        match cert {
            None => CertTrust::Unsigned,
            Some(_) if pins.is_empty() => CertTrust::NotPinned,
            Some(c) => {
                let fingerprint = c.fingerprint_hex();
                if pins
                    .iter()
                    .any(|p| p.trim().eq_ignore_ascii_case(&fingerprint))
                {
                    CertTrust::Trusted
                } else {
                    CertTrust::Untrusted
                }
            }
        }
    }
}

impl std::fmt::Display for CertTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CertTrust::Trusted => "trusted (pinned)",
            CertTrust::Untrusted => "untrusted (not among the pinned certificates)",
            CertTrust::NotPinned => "not pinned (any certificate that verifies is accepted)",
            CertTrust::Unsigned => "unsigned",
        })
    }
}

impl Trust {
    /// The pinned fingerprints (none for [`Trust::AnyCertificate`]).
    pub fn pins(&self) -> &[String] {
        match self {
            Trust::AnyCertificate => &[],
            Trust::Pinned(p) => p,
        }
    }

    fn check(&self, cert: &DeviceCertificate) -> Result<(), SbiError> {
        let fingerprint = cert.fingerprint_hex();
        if !cert.valid_at(SystemTime::now()) {
            return Err(SbiError::CertificateExpired { fingerprint });
        }
        match self {
            Trust::AnyCertificate => Ok(()),
            Trust::Pinned(pins) => {
                if pins
                    .iter()
                    .any(|p| p.trim().eq_ignore_ascii_case(&fingerprint))
                {
                    Ok(())
                } else {
                    Err(SbiError::Untrusted { fingerprint })
                }
            }
        }
    }
}

/// How the client talks to SBI devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Always 127.0.0.1 for SBI; configurable for tests only.
    pub host: Ipv4Addr,
    /// The ports discovery scans.
    pub ports: RangeInclusive<u16>,
    /// The whole discovery scan stops waiting after this.
    pub discovery_budget: Duration,
    /// `MOSIPDINFO` timeout.
    pub info_timeout: Duration,
    /// The capture `timeout` sent to the device (how long it may wait for a good frame).
    pub capture_timeout: Duration,
    /// Extra time the client waits beyond `capture_timeout` for the answer.
    pub answer_margin: Duration,
    /// `env` of capture requests: "Staging", "Developer", "Pre-Production", "Production".
    pub env: String,
    /// `purpose`: the booth registers people.
    pub purpose: String,
    /// The `EXT` header: the calling application's name.
    pub app_name: String,
    pub trust: Trust,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            host: Ipv4Addr::LOCALHOST,
            ports: SBI_PORTS,
            discovery_budget: Duration::from_secs(5),
            info_timeout: Duration::from_secs(5),
            capture_timeout: Duration::from_secs(40),
            answer_margin: Duration::from_secs(5),
            env: "Developer".into(),
            purpose: "Registration".into(),
            app_name: "ktpel-booth".into(),
            trust: Trust::AnyCertificate,
        }
    }
}

/// Quality thresholds and retries for captures (MOSIP's client asks finger ≥ 40, iris ≥ 60).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityPolicy {
    pub finger: u8,
    pub iris: u8,
    pub face: u8,
    /// Further captures after one below the threshold.
    pub retries: u32,
}

impl Default for QualityPolicy {
    fn default() -> Self {
        Self {
            finger: 40,
            iris: 60,
            face: 40,
            retries: 2,
        }
    }
}

impl QualityPolicy {
    pub fn threshold(&self, bio: BioType) -> u8 {
        match bio {
            BioType::Finger => self.finger,
            BioType::Iris => self.iris,
            BioType::Face => self.face,
        }
    }
}

/// A device found by discovery (unsigned facts, for the technician's screen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDevice {
    pub port: u16,
    pub device_id: String,
    pub status: DeviceStatus,
    /// From the digital id's `type`.
    pub bio_type: Option<BioType>,
    /// The unsigned digital id, if it could be read.
    pub digital_id: Option<DigitalId>,
    pub certification: String,
    pub purpose: String,
    pub sub_ids: Vec<u8>,
    pub spec_versions: Vec<String>,
    pub callback_id: String,
    pub device_code: String,
    /// An error the device reported alongside (code, its message).
    pub error: Option<(SbiCode, String)>,
}

impl FoundDevice {
    fn from_wire(port: u16, d: DiscoveredDevice) -> Self {
        let digital_id = jws::unverified_payload(&d.digital_id)
            .ok()
            .and_then(|b| serde_json::from_slice::<DigitalId>(&b).ok());
        let bio_type = digital_id.as_ref().and_then(|id| BioType::parse(&id.kind));
        let error = d
            .error
            .as_ref()
            .map(|e| (e.code(), e.error_info.clone()))
            .filter(|(c, _)| !c.is_success());
        Self {
            port,
            device_id: d.device_id,
            status: DeviceStatus::parse(&d.device_status),
            bio_type,
            digital_id,
            certification: d.certification,
            purpose: d.purpose,
            sub_ids: d.device_sub_id,
            spec_versions: d.spec_version,
            callback_id: d.callback_id,
            device_code: d.device_code,
            error,
        }
    }
}

/// What a discovery scan saw.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub devices: Vec<FoundDevice>,
    /// Ports that answered but not as an SBI device should (port, what was wrong).
    pub faulty: Vec<(u16, SbiError)>,
    /// Ports that took a connection but did not answer within the budget.
    pub timed_out: Vec<u16>,
    pub ports_scanned: usize,
    pub elapsed: Duration,
}

/// The verified `MOSIPDINFO` of one device.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    pub port: u16,
    pub payload: DeviceInfoPayload,
    pub status: DeviceStatus,
    pub digital_id: DigitalId,
    pub bio_type: Option<BioType>,
    /// The certificate that signed the info; `None` for an unregistered device, whose info
    /// comes unsigned.
    pub certificate: Option<DeviceCertificate>,
    /// An error the device reported with the info (code 100 for "not registered").
    pub error: Option<(SbiCode, String)>,
}

impl DeviceInfo {
    /// Whether the device can be used for registration captures.
    pub fn usable(&self) -> Result<(), SbiError> {
        if self.certificate.is_none() || self.status == DeviceStatus::NotRegistered {
            return Err(SbiError::NotUsable {
                status: DeviceStatus::NotRegistered.as_str().into(),
            });
        }
        match self.status.refusal() {
            Some(_) => Err(SbiError::NotUsable {
                status: self.status.as_str().into(),
            }),
            None => Ok(()),
        }
    }
}

struct Inner {
    config: ClientConfig,
    http: reqwest::Client,
}

/// The SBI client. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct SbiClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SbiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SbiClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

pub(crate) fn method(name: &'static str) -> Method {
    // The five SBI verbs are valid HTTP tokens; `from_bytes` only fails on invalid ones.
    Method::from_bytes(name.as_bytes()).unwrap_or(Method::POST)
}

impl SbiClient {
    pub fn new(config: ClientConfig) -> Result<Self, SbiError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(Duration::from_secs(2))
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| SbiError::Runtime(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner { config, http }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    pub(crate) fn url(&self, port: u16, path: &str) -> String {
        format!("http://{}:{port}/{path}", self.inner.config.host)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Scans the configured port range for SBI devices of `wanted` type.
    pub fn discover(&self, wanted: DiscoverType) -> Result<Discovery, SbiError> {
        let _span =
            tracing::debug_span!("sbi", op = "discover", wanted = wanted.as_str()).entered();
        let ports: Vec<u16> = self.inner.config.ports.clone().collect();
        let budget = self.inner.config.discovery_budget;
        let started = Instant::now();
        let this = self.clone();
        let results = runtime::block_on(async move {
            let scans = ports.iter().map(|&port| {
                let this = this.clone();
                async move {
                    let r =
                        tokio::time::timeout(budget, this.discover_port_async(port, wanted)).await;
                    (port, r)
                }
            });
            join_all(scans).await
        })?;
        let mut devices = Vec::new();
        let mut faulty = Vec::new();
        let mut timed_out = Vec::new();
        let ports_scanned = results.len();
        for (port, r) in results {
            match r {
                Err(_) | Ok(Err(SbiError::Timeout { .. })) => timed_out.push(port),
                Ok(Ok(found)) => devices.extend(found),
                Ok(Err(SbiError::Unreachable { .. })) => {}
                Ok(Err(e)) => faulty.push((port, e)),
            }
        }
        let elapsed = started.elapsed();
        tracing::debug!(
            found = devices.len(),
            faulty = faulty.len(),
            ms = elapsed.as_millis() as u64,
            "discovery done"
        );
        Ok(Discovery {
            devices,
            faulty,
            timed_out,
            ports_scanned,
            elapsed,
        })
    }

    /// Asks one port which devices it serves.
    pub fn discover_port(
        &self,
        port: u16,
        wanted: DiscoverType,
    ) -> Result<Vec<FoundDevice>, SbiError> {
        let _span = tracing::debug_span!("sbi", op = "discover_port", port).entered();
        let this = self.clone();
        let budget = self.inner.config.discovery_budget;
        runtime::block_on(async move {
            match tokio::time::timeout(budget, this.discover_port_async(port, wanted)).await {
                Ok(r) => r,
                Err(_) => Err(SbiError::Timeout {
                    port,
                    during: "MOSIPDISC",
                    after: budget,
                }),
            }
        })?
    }

    async fn discover_port_async(
        &self,
        port: u16,
        wanted: DiscoverType,
    ) -> Result<Vec<FoundDevice>, SbiError> {
        const DURING: &str = "MOSIPDISC";
        let body = DiscoverRequest {
            kind: wanted.as_str().into(),
        };
        let bytes = self
            .send(
                port,
                "MOSIPDISC",
                "device",
                &body,
                self.inner.config.discovery_budget,
                DURING,
            )
            .await?;
        // A device answers a list; an error alone comes as an object.
        let value: serde_json::Value = parse_json(port, DURING, &bytes)?;
        if value.is_object() {
            if let Ok(e) = serde_json::from_value::<crate::wire::ErrorOnly>(value.clone()) {
                let code = e.error.code();
                if !code.is_success() {
                    return Err(SbiError::Device {
                        during: DURING,
                        code,
                        info: e.error.error_info,
                    });
                }
            }
        }
        let list: Vec<DiscoveredDevice> =
            serde_json::from_value(value).map_err(|e| SbiError::Json {
                port,
                during: DURING,
                reason: e.to_string(),
            })?;
        Ok(list
            .into_iter()
            .map(|d| FoundDevice::from_wire(port, d))
            .filter(|d| match (wanted, d.bio_type) {
                (DiscoverType::Only(t), Some(b)) => t == b,
                _ => true,
            })
            .collect())
    }

    /// `MOSIPDINFO`: every device on `port`, each info's signature verified against its
    /// certificate and that certificate checked against the trust policy.
    pub fn device_info(&self, port: u16) -> Result<Vec<DeviceInfo>, SbiError> {
        let _span = tracing::debug_span!("sbi", op = "device_info", port).entered();
        const DURING: &str = "MOSIPDINFO";
        let this = self.clone();
        let timeout = self.inner.config.info_timeout;
        let bytes = runtime::block_on(async move {
            this.send(
                port,
                "MOSIPDINFO",
                "info",
                &serde_json::json!({}),
                timeout,
                DURING,
            )
            .await
        })??;
        let entries: Vec<InfoEntry> = parse_json(port, DURING, &bytes)?;
        entries
            .into_iter()
            .filter(|e| !e.device_info.trim().is_empty() || e.error.is_some())
            .map(|e| self.verify_info(port, e))
            .collect()
    }

    fn verify_info(&self, port: u16, entry: InfoEntry) -> Result<DeviceInfo, SbiError> {
        const DURING: &str = "MOSIPDINFO";
        let error = entry
            .error
            .as_ref()
            .map(|e| (e.code(), e.error_info.clone()))
            .filter(|(c, _)| !c.is_success());
        if entry.device_info.trim().is_empty() {
            let (code, info) = error.unwrap_or((SbiCode::DeviceNotFound, String::new()));
            return Err(SbiError::Device {
                during: DURING,
                code,
                info,
            });
        }
        let unregistered = matches!(error, Some((SbiCode::NotRegistered, _)));
        let (payload_bytes, certificate) = if unregistered && !entry.device_info.contains('.') {
            // An unregistered device sends the bare payload (spec, "Device Info").
            let bytes = jws::unverified_payload(&entry.device_info).map_err(|source| {
                SbiError::Signature {
                    what: "device info",
                    source,
                }
            })?;
            (bytes, None)
        } else {
            let v = jws::verify(&entry.device_info).map_err(|source| SbiError::Signature {
                what: "device info",
                source,
            })?;
            self.inner.config.trust.check(&v.certificate)?;
            (v.payload, Some(v.certificate))
        };
        let payload: DeviceInfoPayload = parse_json(port, DURING, &payload_bytes)?;
        let digital_id_bytes = if certificate.is_some() {
            jws::verify(&payload.digital_id)
                .map_err(|source| SbiError::Signature {
                    what: "digital id",
                    source,
                })?
                .payload
        } else {
            jws::unverified_payload(&payload.digital_id).map_err(|source| SbiError::Signature {
                what: "digital id",
                source,
            })?
        };
        let digital_id: DigitalId = parse_json(port, DURING, &digital_id_bytes)?;
        Ok(DeviceInfo {
            port,
            status: DeviceStatus::parse(&payload.device_status),
            bio_type: BioType::parse(&digital_id.kind),
            digital_id,
            payload,
            certificate,
            error,
        })
    }

    /// Opens the `bio_type` device on `port` (its info verified) for captures.
    pub fn open(&self, port: u16, bio_type: BioType) -> Result<SbiDevice, SbiError> {
        let infos = self.device_info(port)?;
        let info = infos
            .into_iter()
            .find(|i| i.bio_type == Some(bio_type))
            .ok_or_else(|| SbiError::NoSuchDevice {
                port,
                wanted: bio_type.to_string(),
            })?;
        Ok(SbiDevice::new(self.clone(), info))
    }

    /// Discovers the ports and opens the first `bio_type` device that is ready (or, if none
    /// is ready, reports why the first one found is not).
    pub fn find(&self, bio_type: BioType) -> Result<SbiDevice, SbiError> {
        let found = self.discover(DiscoverType::Only(bio_type))?;
        let mut candidates: Vec<&FoundDevice> = found
            .devices
            .iter()
            .filter(|d| d.bio_type == Some(bio_type))
            .collect();
        candidates.sort_by_key(|d| (d.status != DeviceStatus::Ready, d.port));
        let Some(first) = candidates.first() else {
            return Err(SbiError::NotFound {
                wanted: bio_type.to_string(),
                first: *self.inner.config.ports.start(),
                last: *self.inner.config.ports.end(),
            });
        };
        self.open(first.port, bio_type)
    }

    /// Sends one SBI request and returns the body of a 200 answer.
    pub(crate) async fn send<B: serde::Serialize + ?Sized>(
        &self,
        port: u16,
        verb: &'static str,
        path: &str,
        body: &B,
        timeout: Duration,
        during: &'static str,
    ) -> Result<bytes::Bytes, SbiError> {
        let json = serde_json::to_vec(body).map_err(|e| SbiError::Json {
            port,
            during,
            reason: e.to_string(),
        })?;
        let response = self
            .inner
            .http
            .request(method(verb), self.url(port, path))
            .header("EXT", self.inner.config.app_name.as_str())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(timeout)
            .body(json)
            .send()
            .await
            .map_err(|e| http_error(port, during, timeout, &e))?;
        let status = response.status();
        let bytes = bounded_body(response, port, during, timeout).await?;
        if !status.is_success() {
            // Some devices put an SBI error in a non-200 answer.
            if let Ok(e) = serde_json::from_slice::<crate::wire::ErrorOnly>(&bytes) {
                let code = e.error.code();
                if !code.is_success() {
                    return Err(SbiError::Device {
                        during,
                        code,
                        info: e.error.error_info,
                    });
                }
            }
            return Err(SbiError::Status {
                port,
                during,
                status: status.as_u16(),
            });
        }
        Ok(bytes)
    }
}

/// The largest SBI answer read. The largest real one is a capture of ten fingers: ten JWS
/// values, each an ISO/IEC 19794-4 record of at most a few hundred kilobytes, base64 twice
/// (inside the payload and as the JWS) — about 15 MB. A longer answer is refused before it is
/// all read.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

async fn bounded_body(
    mut response: reqwest::Response,
    port: u16,
    during: &'static str,
    timeout: Duration,
) -> Result<bytes::Bytes, SbiError> {
    let too_long = |len: u64| SbiError::Json {
        port,
        during,
        reason: format!("the answer is {len} bytes or more; at most {MAX_ANSWER_BYTES} are read"),
    };
    if let Some(len) = response.content_length() {
        if len > MAX_ANSWER_BYTES as u64 {
            return Err(too_long(len));
        }
    }
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| http_error(port, during, timeout, &e))?
    {
        if out.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_long((out.len() + chunk.len()) as u64));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

pub(crate) fn http_error(
    port: u16,
    during: &'static str,
    after: Duration,
    e: &reqwest::Error,
) -> SbiError {
    if e.is_timeout() {
        SbiError::Timeout {
            port,
            during,
            after,
        }
    } else if e.is_connect() {
        SbiError::Unreachable { port, during }
    } else {
        SbiError::Http {
            port,
            during,
            reason: e.to_string(),
        }
    }
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    port: u16,
    during: &'static str,
    bytes: &[u8],
) -> Result<T, SbiError> {
    serde_json::from_slice(bytes).map_err(|e| SbiError::Json {
        port,
        during,
        reason: e.to_string(),
    })
}
