//! The simulated device itself: its state and faults, and the answers to discovery, info and
//! capture (everything but HTTP and the preview).

use super::identity::DeviceIdentity;
use super::{
    SimFault, SimKind, SimOptions, SIM_CODE_AUTH_UNSUPPORTED, SIM_CODE_BAD_REQUEST,
    SIM_CODE_BAD_TYPE,
};
use crate::b64;
use crate::chain;
use crate::client::Slap;
use crate::codes::SbiCode;
use crate::iso::{
    CaptureTime, FaceDataType, FaceImageRecord, FingerCompression, FingerImageRecord, IrisFormat,
    IrisImageRecord, FACE_IMAGE_TYPE_FULL_FRONTAL, IRIS_IMAGE_TYPE_VGA,
};
use crate::jws::upper_hex;
use crate::wire::{
    BioRequest, BioSubType, BioType, BiometricData, BiometricEntry, CaptureRequest,
    CaptureResponse, DeviceInfoPayload, DeviceStatus, DigitalId, DiscoverRequest, DiscoverType,
    DiscoveredDevice, ErrorBody, InfoEntry, SPEC_VERSION,
};
use image::{ExtendedColorType, ImageEncoder};
use ktpel_hal::{Camera, Device, Eye, FingerprintScanner, GrayImage, ImageFormat, IrisScanner};
use ktpel_sim::{Fault, SimCamera, SimFingerprint, SimIris};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

/// What changes while the simulator runs.
#[derive(Debug)]
pub(crate) struct SimState {
    pub persistent: Vec<SimFault>,
    pub once: VecDeque<SimFault>,
    pub subject: u64,
    /// A capture is being answered: the device is busy.
    pub capturing: bool,
    pub captures: u64,
    pub frames: u64,
}

/// The scanner behind the service (the booth's own simulated devices).
pub(crate) enum Scanner {
    Finger(SimFingerprint),
    Iris(SimIris),
    Face(SimCamera),
}

pub(crate) struct Shared {
    pub kind: SimKind,
    pub port: u16,
    pub identity: DeviceIdentity,
    /// Another identity, made on first use, for the foreign-certificate fault.
    foreign: OnceLock<Option<DeviceIdentity>>,
    pub device_id: String,
    pub device_code: String,
    pub serial: String,
    pub model: String,
    pub stream_fps: u32,
    state: Mutex<SimState>,
    pub scanner: Mutex<Scanner>,
}

/// Marks the device busy while a capture is answered.
pub(crate) struct Capturing(Arc<Shared>);

impl Drop for Capturing {
    fn drop(&mut self) {
        self.0.lock().capturing = false;
    }
}

/// A validated capture request, ready to be acquired.
pub(crate) struct CaptureJob {
    /// Persistent faults and the one queued for this capture.
    pub faults: Vec<SimFault>,
    /// The fault queued for this capture only.
    pub once: Option<SimFault>,
    pub request: CaptureRequest,
    pub bio: BioRequest,
    pub sub_types: Vec<Option<BioSubType>>,
    pub previous: [u8; 32],
    pub subject: u64,
}

fn error_response(code: SbiCode, info: &str) -> CaptureResponse {
    CaptureResponse {
        biometrics: vec![BiometricEntry {
            spec_version: SPEC_VERSION.into(),
            data: String::new(),
            hash: String::new(),
            error: Some(ErrorBody::new(code, info)),
        }],
        error: None,
    }
}

fn now_iso() -> String {
    jiff::Zoned::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// Flips a byte in the middle of a JWS signature, so it no longer verifies.
fn spoil_signature(jws: &str) -> String {
    let Some((input, sig)) = jws.rsplit_once('.') else {
        return jws.to_string();
    };
    let mut bytes = b64::url_decode(sig).unwrap_or_default();
    let middle = bytes.len() / 2;
    if let Some(b) = bytes.get_mut(middle) {
        *b ^= 0x5A;
    }
    format!("{input}.{}", b64::url_encode(&bytes))
}

impl Shared {
    pub fn new(options: &SimOptions, port: u16, identity: DeviceIdentity) -> Self {
        let (scanner, model) = match options.kind {
            SimKind::Finger => (
                Scanner::Finger(SimFingerprint::new(options.seed)),
                "Sim SBI Slap 4-4-2",
            ),
            SimKind::Iris => (
                Scanner::Iris(SimIris::new(options.seed)),
                "Sim SBI Iris Double",
            ),
            SimKind::Face => (Scanner::Face(SimCamera::new(options.seed)), "Sim SBI Face"),
        };
        let serial = match &scanner {
            Scanner::Finger(s) => s.info().serial,
            Scanner::Iris(s) => s.info().serial,
            Scanner::Face(s) => s.info().serial,
        };
        Self {
            kind: options.kind,
            port,
            identity,
            foreign: OnceLock::new(),
            device_id: format!("{}-{port}", options.kind.as_str().to_ascii_uppercase()),
            device_code: format!("{serial}-{port}"),
            serial,
            model: model.into(),
            stream_fps: options.stream_fps.max(1),
            state: Mutex::new(SimState {
                persistent: options.faults.clone(),
                once: VecDeque::new(),
                subject: options.subject,
                capturing: false,
                captures: 0,
                frames: 0,
            }),
            scanner: Mutex::new(scanner),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn lock_scanner(&self) -> MutexGuard<'_, Scanner> {
        self.scanner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn has(&self, fault: &SimFault) -> bool {
        self.lock().persistent.contains(fault)
    }

    /// The delay every answer waits (sum of the persistent slow faults).
    pub fn delay(&self) -> Duration {
        self.lock()
            .persistent
            .iter()
            .filter_map(|f| match f {
                SimFault::Slow(d) => Some(*d),
                _ => None,
            })
            .sum()
    }

    /// The status the device reports, with `extra` faults on top of the persistent ones.
    pub fn status(&self, extra: &[SimFault]) -> DeviceStatus {
        let s = self.lock();
        let has = |f: &SimFault| s.persistent.contains(f) || extra.contains(f);
        if has(&SimFault::NotRegistered) {
            DeviceStatus::NotRegistered
        } else if has(&SimFault::NotReady) {
            DeviceStatus::NotReady
        } else if has(&SimFault::Busy) || s.capturing {
            DeviceStatus::Busy
        } else {
            DeviceStatus::Ready
        }
    }

    fn sub_ids(&self) -> Vec<u8> {
        match self.kind {
            SimKind::Finger | SimKind::Iris => vec![1, 2, 3],
            SimKind::Face => vec![0],
        }
    }

    fn digital_id(&self) -> Vec<u8> {
        let id = DigitalId {
            serial_no: self.serial.clone(),
            make: "KTP-el Sim".into(),
            model: self.model.clone(),
            kind: self.kind.bio_type().as_str().into(),
            device_sub_type: match self.kind {
                SimKind::Finger => "Slap",
                SimKind::Iris => "Double",
                SimKind::Face => "Full face",
            }
            .into(),
            device_provider: "KTP-el booth simulator".into(),
            device_provider_id: "ktpel-sim".into(),
            date_time: now_iso(),
        };
        serde_json::to_vec(&id).unwrap_or_default()
    }

    /// Signs with the device key (or spoils the signature under the bad-signature fault).
    fn sign(&self, payload: &[u8], faults: &[SimFault]) -> String {
        let jws = self.identity.sign(payload);
        if faults.contains(&SimFault::BadSignature) || self.has(&SimFault::BadSignature) {
            spoil_signature(&jws)
        } else {
            jws
        }
    }

    fn signed_digital_id(&self, faults: &[SimFault]) -> String {
        self.sign(&self.digital_id(), faults)
    }

    /// The answer to `MOSIPDISC`: a list, or an error object for an unknown type.
    pub fn discover(&self, body: &[u8]) -> serde_json::Value {
        let wanted = serde_json::from_slice::<DiscoverRequest>(body)
            .ok()
            .and_then(|r| DiscoverType::parse(&r.kind));
        let Some(wanted) = wanted else {
            return serde_json::json!({ "error": ErrorBody::new(
                SbiCode::Vendor(SIM_CODE_BAD_TYPE),
                "Invalid type value in the discovery request (Biometric Device, Finger, Face or Iris)",
            )});
        };
        if !wanted.matches(self.kind.bio_type()) {
            return serde_json::json!([]);
        }
        let status = self.status(&[]);
        let registered = status != DeviceStatus::NotRegistered;
        let d = DiscoveredDevice {
            device_id: self.device_id.clone(),
            device_status: status.as_str().into(),
            certification: "L0".into(),
            service_version: SPEC_VERSION.into(),
            device_sub_id: self.sub_ids(),
            callback_id: format!("http://127.0.0.1:{}", self.port),
            digital_id: b64::url_encode(&self.digital_id()),
            device_code: if registered {
                self.device_code.clone()
            } else {
                String::new()
            },
            spec_version: vec![SPEC_VERSION.into()],
            purpose: if registered {
                "Registration".into()
            } else {
                String::new()
            },
            error: Some(ErrorBody::success()),
        };
        serde_json::to_value(vec![d]).unwrap_or_default()
    }

    /// The answer to `MOSIPDINFO`.
    pub fn info(&self) -> Vec<InfoEntry> {
        let status = self.status(&[]);
        let registered = status != DeviceStatus::NotRegistered;
        let payload = DeviceInfoPayload {
            device_status: status.as_str().into(),
            device_id: self.device_id.clone(),
            firmware: "ktpel-sim-1".into(),
            certification: "L0".into(),
            service_version: SPEC_VERSION.into(),
            device_sub_id: self.sub_ids(),
            callback_id: format!("http://127.0.0.1:{}", self.port),
            digital_id: if registered {
                self.signed_digital_id(&[])
            } else {
                b64::url_encode(&self.digital_id())
            },
            device_code: if registered {
                self.device_code.clone()
            } else {
                String::new()
            },
            env: if registered {
                "Developer".into()
            } else {
                "None".into()
            },
            purpose: if registered {
                "Registration".into()
            } else {
                String::new()
            },
            spec_version: vec![SPEC_VERSION.into()],
        };
        let json = serde_json::to_vec(&payload).unwrap_or_default();
        let entry = if registered {
            InfoEntry {
                device_info: self.sign(&json, &[]),
                error: Some(ErrorBody::success()),
            }
        } else {
            InfoEntry {
                device_info: b64::url_encode(&json),
                error: Some(ErrorBody::new(
                    SbiCode::NotRegistered,
                    "Device not registered",
                )),
            }
        };
        vec![entry]
    }

    /// The answer to `CAPTURE` (authentication): refused, this is a registration device.
    pub fn auth_capture(&self) -> CaptureResponse {
        error_response(
            SbiCode::Vendor(SIM_CODE_AUTH_UNSUPPORTED),
            "CAPTURE (authentication) is not supported by this L0 registration device: use RCAPTURE",
        )
    }

    /// Validates an `RCAPTURE` request and marks the device busy; an `Err` is the answer.
    pub fn begin_capture(
        self: &Arc<Self>,
        body: &[u8],
    ) -> Result<(CaptureJob, Capturing), CaptureResponse> {
        let bad = |info: String| error_response(SbiCode::Vendor(SIM_CODE_BAD_REQUEST), &info);
        let request: CaptureRequest = serde_json::from_slice(body)
            .map_err(|e| bad(format!("the capture request is not valid JSON: {e}")))?;
        // One capture call consumes one queued fault, whatever becomes of it.
        let (faults, once, subject) = {
            let mut s = self.lock();
            s.captures += 1;
            let once = s.once.pop_front();
            let mut faults = s.persistent.clone();
            faults.extend(once.clone());
            (faults, once, s.subject)
        };
        if request.spec_version.trim() != SPEC_VERSION {
            return Err(bad(format!(
                "spec version {:?} is not supported (this device speaks {SPEC_VERSION})",
                request.spec_version
            )));
        }
        let tid = request.transaction_id.as_str();
        if !(4..=50).contains(&tid.len())
            || !tid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(error_response(
                SbiCode::BadTransactionId,
                "Invalid transaction id (4 to 50 letters, digits or hyphens)",
            ));
        }
        let mine = self.kind.bio_type();
        let Some(bio) = request
            .bio
            .iter()
            .find(|b| BioType::parse(&b.kind) == Some(mine))
            .cloned()
        else {
            return Err(error_response(
                SbiCode::DeviceNotFound,
                &format!(
                    "this service has no device for the requested type (it is a {mine} device)"
                ),
            ));
        };
        if !bio.device_id.trim().is_empty() && bio.device_id.trim() != self.device_id {
            return Err(error_response(
                SbiCode::DeviceNotFound,
                &format!("no device with id {:?} here", bio.device_id),
            ));
        }
        let status = self.status(&faults);
        if let Some(code) = status.refusal() {
            return Err(error_response(code, code.describe()));
        }
        let sub_types = self
            .select(&bio)
            .map_err(|(code, info)| error_response(code, &info))?;
        let previous = if bio.previous_hash.trim().is_empty() {
            chain::genesis()
        } else {
            chain::parse_hex(&bio.previous_hash)
                .ok_or_else(|| bad("previousHash is not a SHA-256 in hex".into()))?
        };
        {
            let mut s = self.lock();
            if s.capturing {
                return Err(error_response(
                    SbiCode::Busy,
                    "Device Busy: another capture is in progress",
                ));
            }
            s.capturing = true;
        }
        Ok((
            CaptureJob {
                faults,
                once,
                request,
                bio,
                sub_types,
                previous,
                subject,
            },
            Capturing(self.clone()),
        ))
    }

    /// Which fingers or eyes to return for a request.
    fn select(&self, bio: &BioRequest) -> Result<Vec<Option<BioSubType>>, (SbiCode, String)> {
        let sub_id: u8 = bio.device_sub_id.trim().parse().unwrap_or(0);
        let parse_list =
            |names: &[String], what: &str| -> Result<Vec<BioSubType>, (SbiCode, String)> {
                names
                    .iter()
                    .filter(|n| !n.trim().is_empty() && !n.trim().eq_ignore_ascii_case("UNKNOWN"))
                    .map(|n| {
                        BioSubType::parse(n).ok_or_else(|| {
                            (
                                SbiCode::Vendor(SIM_CODE_BAD_REQUEST),
                                format!("unknown {what} {n:?}"),
                            )
                        })
                    })
                    .collect()
            };
        let count: usize = bio.count.trim().parse().unwrap_or(usize::MAX);
        if self.kind == SimKind::Face {
            if !bio.exception.is_empty() {
                return Err((
                    SbiCode::Vendor(SIM_CODE_BAD_REQUEST),
                    "exception photos are not simulated".into(),
                ));
            }
            if count != 1 {
                return Err((
                    SbiCode::CountNotSupported,
                    format!("a face capture has count 1, not {}", bio.count),
                ));
            }
            return Ok(vec![None]);
        }
        let available: Vec<BioSubType> = match self.kind {
            SimKind::Finger => match Slap::from_sub_id(sub_id) {
                Some(slap) => slap
                    .fingers()
                    .iter()
                    .map(|f| BioSubType::Finger(*f))
                    .collect(),
                None => {
                    return Err((
                        SbiCode::CountNotSupported,
                        format!("device sub id {sub_id} is not a slap (1 left, 2 right, 3 thumbs)"),
                    ))
                }
            },
            _ => match sub_id {
                1 => vec![BioSubType::Iris(Eye::Left)],
                2 => vec![BioSubType::Iris(Eye::Right)],
                0 | 3 => vec![BioSubType::Iris(Eye::Left), BioSubType::Iris(Eye::Right)],
                other => {
                    return Err((
                        SbiCode::CountNotSupported,
                        format!("device sub id {other} is not an iris module (1, 2 or 3)"),
                    ))
                }
            },
        };
        let requested = parse_list(
            bio.bio_sub_type.as_deref().unwrap_or_default(),
            "bioSubType",
        )?;
        let exceptions = parse_list(&bio.exception, "exception")?;
        if let Some(outside) = requested.iter().find(|r| !available.contains(r)) {
            return Err((
                SbiCode::CountNotSupported,
                format!("{outside} is not on device sub id {sub_id}"),
            ));
        }
        let wanted: Vec<Option<BioSubType>> = available
            .iter()
            .filter(|a| requested.is_empty() || requested.contains(a))
            .filter(|a| !exceptions.contains(a))
            .map(|a| Some(*a))
            .collect();
        if wanted.is_empty() || count != wanted.len() {
            return Err((
                SbiCode::CountNotSupported,
                format!(
                    "count {} does not match the {} biometrics left after the exceptions",
                    bio.count,
                    wanted.len()
                ),
            ));
        }
        Ok(wanted)
    }

    /// Acquires, signs and chains the biometrics of a job (blocking: renders images).
    pub fn capture(&self, job: &CaptureJob) -> CaptureResponse {
        let low = job.faults.contains(&SimFault::LowQuality);
        let mut entries = Vec::with_capacity(job.sub_types.len());
        let mut previous = if job.faults.contains(&SimFault::BrokenHashChain) {
            // Links from somewhere else than the previousHash sent.
            chain::link(&chain::genesis(), b"not the previous capture")
        } else {
            job.previous
        };
        let signer = if job.faults.contains(&SimFault::ForeignCertificate) {
            self.foreign
                .get_or_init(|| DeviceIdentity::generate("KTP-el SBI sim foreign key").ok())
                .as_ref()
                .unwrap_or(&self.identity)
        } else {
            &self.identity
        };
        let digital_id = self.signed_digital_id(&job.faults);
        for sub_type in &job.sub_types {
            let (iso, quality) = match self.acquire(*sub_type, low, job.subject) {
                Ok(v) => v,
                Err(info) => return error_response(SbiCode::ExtractionError, &info),
            };
            let data = BiometricData {
                digital_id: digital_id.clone(),
                device_code: self.device_code.clone(),
                device_service_version: SPEC_VERSION.into(),
                bio_type: self.kind.bio_type().as_str().into(),
                bio_sub_type: sub_type.map(|s| s.as_str().to_string()).unwrap_or_default(),
                purpose: job.request.purpose.clone(),
                env: job.request.env.clone(),
                domain_uri: None,
                bio_value: b64::url_encode(&iso),
                transaction_id: job.request.transaction_id.clone(),
                timestamp: now_iso(),
                requested_score: job.bio.requested_score.clone(),
                quality_score: quality.to_string(),
            };
            let json = serde_json::to_vec(&data).unwrap_or_default();
            let mut jws = signer.sign(&json);
            if job.faults.contains(&SimFault::BadSignature) {
                jws = spoil_signature(&jws);
            }
            let hash = chain::link(&previous, &iso);
            previous = hash;
            entries.push(BiometricEntry {
                spec_version: SPEC_VERSION.into(),
                data: jws,
                hash: upper_hex(&hash),
                error: Some(ErrorBody::success()),
            });
        }
        CaptureResponse {
            biometrics: entries,
            error: None,
        }
    }

    /// One ISO record and its quality from the simulated scanner.
    fn acquire(
        &self,
        sub_type: Option<BioSubType>,
        low: bool,
        subject: u64,
    ) -> Result<(Vec<u8>, u8), String> {
        let mut scanner = self.lock_scanner();
        let timeout = Duration::from_secs(10);
        match (&mut *scanner, sub_type) {
            (Scanner::Finger(s), Some(BioSubType::Finger(position))) => {
                let control = s.control();
                control.set_subject(subject);
                if low {
                    control.push_fault(Fault::PoorQuality);
                }
                let c = s.capture_finger(position, timeout).map_err(|e| e.message)?;
                let record = FingerImageRecord {
                    captured: CaptureTime::now(),
                    position: Some(position),
                    quality: Some(c.quality.0),
                    ppi: c.resolution_ppi,
                    width: dim(c.image.width)?,
                    height: dim(c.image.height)?,
                    bit_depth: 8,
                    compression: FingerCompression::Png,
                    image: png_gray(&c.image)?,
                };
                Ok((record.encode(), c.quality.0))
            }
            (Scanner::Iris(s), Some(BioSubType::Iris(eye))) => {
                let control = s.control();
                control.set_subject(subject);
                if low {
                    control.push_fault(Fault::PoorQuality);
                }
                let c = s.capture_iris(eye, timeout).map_err(|e| e.message)?;
                let record = IrisImageRecord {
                    captured: CaptureTime::now(),
                    eye: Some(eye),
                    quality: Some(c.quality.0),
                    image_type: IRIS_IMAGE_TYPE_VGA,
                    format: IrisFormat::MonoPng,
                    width: dim(c.image.width)?,
                    height: dim(c.image.height)?,
                    image: png_gray(&c.image)?,
                };
                Ok((record.encode(), c.quality.0))
            }
            (Scanner::Face(s), None) => {
                let control = s.control();
                control.set_subject(subject);
                if low {
                    control.push_fault(Fault::PoorQuality);
                }
                let c = s.capture_face().map_err(|e| e.message)?;
                let data_type = match c.image.format {
                    ImageFormat::Jpeg => FaceDataType::Jpeg,
                    ImageFormat::Png => FaceDataType::Png,
                };
                let record = FaceImageRecord {
                    captured: CaptureTime::now(),
                    quality: Some(c.quality.0),
                    face_image_type: FACE_IMAGE_TYPE_FULL_FRONTAL,
                    data_type,
                    width: dim(c.image.width)?,
                    height: dim(c.image.height)?,
                    image: c.image.bytes,
                };
                Ok((record.encode(), c.quality.0))
            }
            _ => Err("the request does not fit this device".into()),
        }
    }
}

fn dim(v: u32) -> Result<u16, String> {
    u16::try_from(v).map_err(|_| format!("image side {v} does not fit an ISO record"))
}

/// PNG of an 8-bit grey image.
pub(crate) fn png_gray(img: &GrayImage) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&img.pixels, img.width, img.height, ExtendedColorType::L8)
        .map_err(|e| format!("PNG encoding failed: {e}"))?;
    Ok(out)
}
