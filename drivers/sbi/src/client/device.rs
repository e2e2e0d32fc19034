//! One opened SBI device: registration captures (verified end to end) and the preview.

use super::capture::{BestCapture, Biometric, Capture, CaptureSpec, IsoRecord};
use super::stream::PreviewStream;
use super::{parse_json, DeviceInfo, SbiClient};
use crate::b64;
use crate::chain::HashChain;
use crate::codes::SbiCode;
use crate::error::SbiError;
use crate::iso::{FaceImageRecord, FingerImageRecord, IrisImageRecord};
use crate::jws;
use crate::runtime;
use crate::wire::{
    parse_score, BioRequest, BioSubType, BioType, BiometricData, CaptureRequest, CaptureResponse,
    DeviceStatus, SPEC_VERSION,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A device opened with verified info. Captures must be signed with the certificate the
/// device identified itself with.
#[derive(Debug, Clone)]
pub struct SbiDevice {
    client: SbiClient,
    info: DeviceInfo,
}

static TRANSACTIONS: AtomicU64 = AtomicU64::new(0);

/// A transaction id: 4–50 letters, digits and hyphens, unique per capture.
fn transaction_id() -> String {
    use rsa::rand_core::RngCore;
    let n = TRANSACTIONS.fetch_add(1, Ordering::Relaxed);
    let r = rsa::rand_core::OsRng.next_u32();
    let ms = jiff::Timestamp::now().as_millisecond();
    format!("KTPEL-{ms}-{r:08X}-{n}")
}

fn now_iso() -> String {
    jiff::Zoned::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

impl SbiDevice {
    pub(crate) fn new(client: SbiClient, info: DeviceInfo) -> Self {
        Self { client, info }
    }

    pub fn port(&self) -> u16 {
        self.info.port
    }

    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    pub fn client(&self) -> &SbiClient {
        &self.client
    }

    /// The same device (same verified info) through another client, e.g. with other timeouts.
    pub fn with_client(&self, client: SbiClient) -> SbiDevice {
        SbiDevice {
            client,
            info: self.info.clone(),
        }
    }

    pub fn bio_type(&self) -> Option<BioType> {
        self.info.bio_type
    }

    /// Reads the device info again (its status changes: Busy, Not Ready, ...). The device
    /// must still present the same certificate.
    pub fn refresh(&mut self) -> Result<&DeviceInfo, SbiError> {
        let port = self.info.port;
        let infos = self.client.device_info(port)?;
        let info = infos
            .into_iter()
            .find(|i| i.bio_type == self.info.bio_type)
            .ok_or_else(|| SbiError::NoSuchDevice {
                port,
                wanted: self
                    .info
                    .bio_type
                    .map_or_else(|| "the same".into(), |t| t.to_string()),
            })?;
        if let (Some(old), Some(new)) = (&self.info.certificate, &info.certificate) {
            if old != new {
                return Err(SbiError::CertificateMismatch {
                    what: "the device info",
                    expected: old.fingerprint_hex(),
                    got: new.fingerprint_hex(),
                });
            }
        }
        self.info = info;
        Ok(&self.info)
    }

    /// One `RCAPTURE`, verified, the chain moved on by its biometrics.
    pub fn capture(&self, spec: &CaptureSpec, chain: &mut HashChain) -> Result<Capture, SbiError> {
        let (capture, next) = self.capture_from(spec, chain)?;
        *chain = next;
        Ok(capture)
    }

    /// Captures until every biometric reaches `threshold`, at most `1 + retries` times, and
    /// keeps the best capture (highest lowest score, then highest mean). Every attempt links
    /// from the same chain head; only the kept capture moves the chain on.
    pub fn capture_best(
        &self,
        spec: &CaptureSpec,
        chain: &mut HashChain,
        threshold: u8,
        retries: u32,
    ) -> Result<BestCapture, SbiError> {
        let _span = tracing::debug_span!(
            "sbi",
            op = "capture_best",
            port = self.info.port,
            bio = spec.bio_type.as_str(),
            sub_id = spec.device_sub_id
        )
        .entered();
        let mut best: Option<(Capture, HashChain)> = None;
        let mut attempts = 0;
        for _ in 0..=retries {
            attempts += 1;
            let (capture, next) = self.capture_from(spec, chain)?;
            let met = capture.meets(threshold);
            tracing::debug!(
                attempt = attempts,
                min_quality = capture.min_quality(),
                met,
                "capture attempt"
            );
            let better = match &best {
                None => true,
                Some((b, _)) => {
                    (capture.min_quality(), capture.mean_quality())
                        > (b.min_quality(), b.mean_quality())
                }
            };
            if better {
                best = Some((capture, next));
            }
            if met {
                break;
            }
        }
        let Some((capture, next)) = best else {
            return Err(SbiError::Inconsistent("no capture was made".into()));
        };
        *chain = next;
        Ok(BestCapture {
            met_threshold: capture.meets(threshold),
            capture,
            attempts,
            threshold,
        })
    }

    /// Captures from `chain` without changing it; answers the capture and the chain after it.
    fn capture_from(
        &self,
        spec: &CaptureSpec,
        chain: &HashChain,
    ) -> Result<(Capture, HashChain), SbiError> {
        const DURING: &str = "RCAPTURE";
        let port = self.info.port;
        let _span = tracing::debug_span!(
            "sbi",
            op = "rcapture",
            port,
            bio = spec.bio_type.as_str(),
            sub_id = spec.device_sub_id
        )
        .entered();
        let config = self.client.config();
        let device_timeout = spec.timeout.unwrap_or(config.capture_timeout);
        let transaction = transaction_id();
        let request = CaptureRequest {
            env: config.env.clone(),
            purpose: config.purpose.clone(),
            spec_version: SPEC_VERSION.into(),
            timeout: device_timeout.as_millis().to_string(),
            capture_time: now_iso(),
            domain_uri: None,
            transaction_id: transaction.clone(),
            bio: vec![BioRequest {
                kind: spec.bio_type.as_str().into(),
                count: spec.count().to_string(),
                bio_sub_type: (spec.bio_type != BioType::Face).then(|| {
                    spec.sub_types
                        .iter()
                        .map(|s| s.as_str().to_string())
                        .collect()
                }),
                exception: spec
                    .exceptions
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
                requested_score: spec.requested_score.to_string(),
                device_id: self.info.payload.device_id.clone(),
                device_sub_id: spec.device_sub_id.to_string(),
                previous_hash: chain.head_hex(),
            }],
            custom_opts: None,
        };
        let started = Instant::now();
        let client = self.client.clone();
        let wait = device_timeout + config.answer_margin;
        let bytes = runtime::block_on(async move {
            client
                .send(port, "RCAPTURE", "capture", &request, wait, DURING)
                .await
        })??;
        let response: CaptureResponse = parse_json(port, DURING, &bytes)?;
        let mut next = chain.clone();
        let biometrics = self.verify(spec, &transaction, response, &mut next)?;
        let elapsed = started.elapsed();
        tracing::debug!(
            biometrics = biometrics.len(),
            ms = elapsed.as_millis() as u64,
            "capture verified"
        );
        Ok((
            Capture {
                transaction_id: transaction,
                biometrics,
                elapsed,
            },
            next,
        ))
    }

    fn verify(
        &self,
        spec: &CaptureSpec,
        transaction: &str,
        response: CaptureResponse,
        chain: &mut HashChain,
    ) -> Result<Vec<Biometric>, SbiError> {
        const DURING: &str = "RCAPTURE";
        let port = self.info.port;
        if let Some(e) = &response.error {
            let code = e.code();
            if !code.is_success() && response.biometrics.iter().all(|b| b.data.is_empty()) {
                return Err(SbiError::Device {
                    during: DURING,
                    code,
                    info: e.error_info.clone(),
                });
            }
        }
        let Some(expected_cert) = &self.info.certificate else {
            return Err(SbiError::NotUsable {
                status: DeviceStatus::NotRegistered.as_str().into(),
            });
        };
        let mut out: Vec<Biometric> = Vec::with_capacity(response.biometrics.len());
        for (index, entry) in response.biometrics.into_iter().enumerate() {
            if let Some(e) = &entry.error {
                let code = e.code();
                if !code.is_success() {
                    return Err(SbiError::Device {
                        during: DURING,
                        code,
                        info: e.error_info.clone(),
                    });
                }
            }
            if entry.data.trim().is_empty() {
                return Err(SbiError::Device {
                    during: DURING,
                    code: SbiCode::NoBiometricObject,
                    info: "the device sent a biometric without data".into(),
                });
            }
            if entry.spec_version.trim() != SPEC_VERSION {
                return Err(SbiError::Inconsistent(format!(
                    "biometric {index} is of spec version {:?}, {SPEC_VERSION} was requested",
                    entry.spec_version
                )));
            }
            let v = jws::verify(&entry.data).map_err(|source| SbiError::Signature {
                what: "capture data",
                source,
            })?;
            if &v.certificate != expected_cert {
                return Err(SbiError::CertificateMismatch {
                    what: "the capture",
                    expected: expected_cert.fingerprint_hex(),
                    got: v.certificate.fingerprint_hex(),
                });
            }
            let data: BiometricData = parse_json(port, DURING, &v.payload)?;
            if data.transaction_id != transaction {
                return Err(SbiError::Inconsistent(format!(
                    "biometric {index} belongs to transaction {:?}, not {transaction:?}",
                    data.transaction_id
                )));
            }
            if BioType::parse(&data.bio_type) != Some(spec.bio_type) {
                return Err(SbiError::Inconsistent(format!(
                    "biometric {index} is of type {:?}, {} was requested",
                    data.bio_type, spec.bio_type
                )));
            }
            let sub_type = match spec.bio_type {
                BioType::Face => None,
                _ => {
                    let s = BioSubType::parse(&data.bio_sub_type).ok_or_else(|| {
                        SbiError::Inconsistent(format!(
                            "biometric {index} has an unknown sub type {:?}",
                            data.bio_sub_type
                        ))
                    })?;
                    if !spec.sub_types.contains(&s) {
                        return Err(SbiError::Inconsistent(format!(
                            "the device returned {s}, which was not requested"
                        )));
                    }
                    if out.iter().any(|b| b.sub_type == Some(s)) {
                        return Err(SbiError::Inconsistent(format!(
                            "the device returned {s} twice"
                        )));
                    }
                    Some(s)
                }
            };
            let quality = parse_score(&data.quality_score).ok_or_else(|| {
                SbiError::Inconsistent(format!(
                    "biometric {index} has no usable quality score ({:?})",
                    data.quality_score
                ))
            })?;
            let iso = b64::url_decode(&data.bio_value).map_err(|_| {
                SbiError::Inconsistent(format!("biometric {index}'s bioValue is not base64url"))
            })?;
            let what = sub_type.map_or_else(|| "face".to_string(), |s| s.to_string());
            let (record, gray) = decode_record(spec.bio_type, sub_type, &iso, &what)?;
            chain
                .push(&iso, &entry.hash)
                .map_err(|expected| SbiError::HashChain {
                    index,
                    sub_type: what.clone(),
                    expected,
                    got: entry.hash.clone(),
                })?;
            out.push(Biometric {
                bio_type: spec.bio_type,
                sub_type,
                quality,
                requested_score: parse_score(&data.requested_score),
                timestamp: data.timestamp,
                iso,
                record,
                gray,
                hash: entry.hash.trim().to_ascii_uppercase(),
            });
        }
        if out.len() != spec.count() {
            let missing: Vec<String> = spec
                .sub_types
                .iter()
                .filter(|s| !out.iter().any(|b| b.sub_type == Some(**s)))
                .map(|s| s.to_string())
                .collect();
            return Err(SbiError::Inconsistent(format!(
                "{} biometrics were requested, the device sent {} (missing: {})",
                spec.count(),
                out.len(),
                if missing.is_empty() {
                    "none".to_string()
                } else {
                    missing.join(", ")
                }
            )));
        }
        Ok(out)
    }

    /// Starts the `STREAM` preview of `sub_id` (the slap, the eyes, 0 for the face).
    pub fn stream(&self, sub_id: u8) -> Result<PreviewStream, SbiError> {
        PreviewStream::start(
            self.client.clone(),
            self.info.port,
            self.info.payload.device_id.clone(),
            sub_id,
            Duration::from_secs(5),
        )
    }
}

fn decode_record(
    bio: BioType,
    sub_type: Option<BioSubType>,
    iso: &[u8],
    what: &str,
) -> Result<(IsoRecord, Option<ktpel_hal::GrayImage>), SbiError> {
    let iso_err = |source| SbiError::Iso {
        what: what.to_string(),
        source,
    };
    match bio {
        BioType::Finger => {
            let rec = FingerImageRecord::decode(iso).map_err(iso_err)?;
            if let (Some(BioSubType::Finger(want)), Some(got)) = (sub_type, rec.position) {
                if want != got {
                    return Err(SbiError::Inconsistent(format!(
                        "the record for {} says finger position {}",
                        BioSubType::Finger(want),
                        got.iso_code()
                    )));
                }
            }
            let gray = rec.to_gray().map_err(iso_err)?;
            Ok((IsoRecord::Finger(rec), Some(gray)))
        }
        BioType::Iris => {
            let rec = IrisImageRecord::decode(iso).map_err(iso_err)?;
            if let (Some(BioSubType::Iris(want)), Some(got)) = (sub_type, rec.eye) {
                if want != got {
                    return Err(SbiError::Inconsistent(format!(
                        "the record for the {} iris is labelled as the other eye",
                        BioSubType::Iris(want)
                    )));
                }
            }
            let gray = rec.to_gray().map_err(iso_err)?;
            Ok((IsoRecord::Iris(rec), Some(gray)))
        }
        BioType::Face => {
            let rec = FaceImageRecord::decode(iso).map_err(iso_err)?;
            rec.check_image().map_err(iso_err)?;
            Ok((IsoRecord::Face(rec), None))
        }
    }
}
