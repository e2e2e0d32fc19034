//! The enrollment record: everything recorded for one applicant, as it is sealed and sent.
//!
//! A value of this type only ever lives in memory. [`crate::seal`] turns it into a sealed packet
//! before anything touches disk, and the booth cannot open that packet again.
//!
//! What is sealed is not this type but a [`PacketBody`]: the same record with the face, the
//! fingers and the irises as standard biometric records — ISO/IEC 19794-5/-4/-6:2011 image
//! records in CBEFF BIRs, images in JPEG 2000 per the configured [`Profile`] — in place of raw
//! pixels. `docs/packet.md` lays it out byte for byte.

use crate::domain::resident::Resident;
use ktpel_biometric_records::{self as records, Bir, Modality, Profile, RecordError};
use ktpel_hal::{Eye, FaceCapture, FingerPosition, FingerRecord, IrisRecord, SignatureCapture};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

/// How long one step of the SOP took, for the office's service statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTiming {
    pub step: String,
    pub seconds: u32,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// UUID v7: unique, time-ordered, the idempotency key at the centre.
    pub packet_id: Uuid,
    pub booth_id: String,
    pub operator_id: String,
    /// Unix milliseconds.
    pub recorded_at_ms: i64,
    /// The resident's data as SIAK returned them and the operator confirmed them.
    pub resident: Resident,
    pub face: FaceCapture,
    /// Ten entries, one per finger, each a capture or an exception.
    pub fingers: Vec<FingerRecord>,
    /// Two entries, one per eye.
    pub irises: Vec<IrisRecord>,
    pub signature: SignatureCapture,
    pub step_timings: Vec<StepTiming>,
    /// What a supervisor approved at the booth for this record (a re-recording of a NIK that
    /// already has a record), so the centre sees who allowed it and why.
    #[serde(default)]
    pub approvals: Vec<Approval>,
}

/// A supervisor's approval that travels with the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// What was approved: `rerecord` (the NIK already has a record).
    pub what: String,
    /// Why, as a code from a fixed list (`moved_house`, `lost_card`, ...).
    pub reason: String,
    pub supervisor_id: String,
    pub at_ms: i64,
}

// Captures and demographics are personal data: Debug names the packet only.
impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Enrollment({})", self.packet_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncompleteEnrollment {
    #[error("{0} fingers recorded; all ten are needed (a capture or an exception each)")]
    FingerCount(usize),
    #[error("finger {0} is recorded more than once")]
    FingerTwice(&'static str),
    #[error("{0} irises recorded; both eyes are needed (a capture or an exception each)")]
    IrisCount(usize),
    #[error("the same eye is recorded twice")]
    IrisTwice,
    #[error("the signature has no strokes")]
    EmptySignature,
    #[error("the face image is empty")]
    EmptyFace,
}

impl Enrollment {
    /// Checks that every part of the SOP's recording step is present before sealing.
    pub fn check_complete(&self) -> Result<(), IncompleteEnrollment> {
        if self.face.image.bytes.is_empty() {
            return Err(IncompleteEnrollment::EmptyFace);
        }
        if self.fingers.len() != FingerPosition::ALL.len() {
            return Err(IncompleteEnrollment::FingerCount(self.fingers.len()));
        }
        let mut seen = BTreeSet::new();
        for f in &self.fingers {
            if !seen.insert(f.position()) {
                return Err(IncompleteEnrollment::FingerTwice(f.position().as_str()));
            }
        }
        if self.irises.len() != Eye::BOTH.len() {
            return Err(IncompleteEnrollment::IrisCount(self.irises.len()));
        }
        if self.irises[0].eye() == self.irises[1].eye() {
            return Err(IncompleteEnrollment::IrisTwice);
        }
        if self.signature.strokes.iter().all(|s| s.points.is_empty()) {
            return Err(IncompleteEnrollment::EmptySignature);
        }
        Ok(())
    }

    /// Total bytes of capture data (images), for benchmarks and the queue panel.
    pub fn capture_bytes(&self) -> usize {
        let fingers: usize = self
            .fingers
            .iter()
            .map(|f| match f {
                FingerRecord::Captured(c) => c.image.pixels.len(),
                FingerRecord::Exception { .. } => 0,
            })
            .sum();
        let irises: usize = self
            .irises
            .iter()
            .map(|i| match i {
                IrisRecord::Captured(c) => c.image.pixels.len(),
                IrisRecord::Exception { .. } => 0,
            })
            .sum();
        self.face.image.bytes.len() + fingers + irises + self.signature.image.bytes.len()
    }
}

/// The version of the [`PacketBody`] layout.
pub const PACKET_BODY_VERSION: u8 = 2;

/// What is sealed inside the HPKE envelope (as CBOR): the enrollment with its captures as CBEFF
/// BIRs — the face first, then the ten fingers in [`FingerPosition::ALL`] order, then the right
/// and the left iris.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PacketBody {
    /// [`PACKET_BODY_VERSION`].
    pub version: u8,
    pub packet_id: Uuid,
    pub booth_id: String,
    pub operator_id: String,
    pub recorded_at_ms: i64,
    pub resident: Resident,
    /// How the images were compressed (also stated in each record).
    pub profile: Profile,
    pub biometrics: Vec<Bir>,
    pub signature: SignatureCapture,
    pub step_timings: Vec<StepTiming>,
    #[serde(default)]
    pub approvals: Vec<Approval>,
}

impl std::fmt::Debug for PacketBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PacketBody({}, {:?}, {} BIRs)",
            self.packet_id,
            self.profile,
            self.biometrics.len()
        )
    }
}

/// Why the captures could not be turned into records, or records back into captures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PacketError {
    #[error("packet body version {0} is not supported")]
    Version(u8),
    #[error("the {part} record: {source}")]
    Record {
        part: String,
        #[source]
        source: RecordError,
    },
    #[error("the packet holds {faces} face, {fingers} finger and {irises} iris records; 1, 10 and 2 are needed")]
    Counts {
        faces: usize,
        fingers: usize,
        irises: usize,
    },
    #[error("the records do not make a complete enrollment: {0}")]
    Incomplete(#[from] IncompleteEnrollment),
}

fn part(what: &str) -> impl Fn(RecordError) -> PacketError + '_ {
    move |source| PacketError::Record {
        part: what.to_string(),
        source,
    }
}

impl Enrollment {
    /// The body to seal: every capture as a standard record compressed per `profile`, each
    /// record then read back (header checked, image decoded) so a record the centre could not
    /// read is an error here, before anything is sealed.
    pub fn to_packet_body(&self, profile: Profile) -> Result<PacketBody, PacketError> {
        let _span =
            tracing::info_span!("packet_body", packet = %self.packet_id, ?profile).entered();
        let t = self.recorded_at_ms;
        let mut biometrics = Vec::with_capacity(1 + self.fingers.len() + self.irises.len());
        biometrics.push(records::face_bir(&self.face, profile, t).map_err(part("face"))?);
        let mut fingers: Vec<&FingerRecord> = self.fingers.iter().collect();
        fingers.sort_by_key(|f| f.position());
        for f in fingers {
            let bir = records::finger_bir(f, profile, t).map_err(part(f.position().as_str()))?;
            biometrics.push(bir);
        }
        let mut irises: Vec<&IrisRecord> = self.irises.iter().collect();
        irises.sort_by_key(|i| i.eye());
        for i in irises {
            let name = match i.eye() {
                Eye::Right => "right iris",
                Eye::Left => "left iris",
            };
            biometrics.push(records::iris_bir(i, profile, t).map_err(part(name))?);
        }
        let body = PacketBody {
            version: PACKET_BODY_VERSION,
            packet_id: self.packet_id,
            booth_id: self.booth_id.clone(),
            operator_id: self.operator_id.clone(),
            recorded_at_ms: self.recorded_at_ms,
            resident: self.resident.clone(),
            profile,
            biometrics,
            signature: self.signature.clone(),
            step_timings: self.step_timings.clone(),
            approvals: self.approvals.clone(),
        };
        // The decode check: what the centre will do, done once here.
        body.decode_biometrics()?;
        Ok(body)
    }
}

/// The captures read back from a packet body's records.
struct Decoded {
    face: FaceCapture,
    fingers: Vec<FingerRecord>,
    irises: Vec<IrisRecord>,
}

impl PacketBody {
    fn decode_biometrics(&self) -> Result<Decoded, PacketError> {
        records::cbeff::check_list(&self.biometrics).map_err(part("BIR list"))?;
        let (mut faces, mut fingers, mut irises) = (Vec::new(), Vec::new(), Vec::new());
        for (i, bir) in self.biometrics.iter().enumerate() {
            let what = format!("BIR {i}");
            match bir.check().map_err(part(&what))? {
                Modality::Face => faces.push(records::read_face(bir).map_err(part(&what))?),
                Modality::Finger => fingers.push(records::read_finger(bir).map_err(part(&what))?),
                Modality::Iris => irises.push(records::read_iris(bir).map_err(part(&what))?),
            }
        }
        if faces.len() != 1 || fingers.len() != FingerPosition::ALL.len() || irises.len() != 2 {
            return Err(PacketError::Counts {
                faces: faces.len(),
                fingers: fingers.len(),
                irises: irises.len(),
            });
        }
        let face = faces.remove(0);
        Ok(Decoded {
            face,
            fingers,
            irises,
        })
    }

    /// The centre's side: every BIR's header checked, every record parsed field by field and
    /// its image decoded; the result must be a complete enrollment.
    pub fn into_enrollment(self) -> Result<Enrollment, PacketError> {
        if self.version != PACKET_BODY_VERSION {
            return Err(PacketError::Version(self.version));
        }
        let d = self.decode_biometrics()?;
        let e = Enrollment {
            packet_id: self.packet_id,
            booth_id: self.booth_id,
            operator_id: self.operator_id,
            recorded_at_ms: self.recorded_at_ms,
            resident: self.resident,
            face: d.face,
            fingers: d.fingers,
            irises: d.irises,
            signature: self.signature,
            step_timings: self.step_timings,
            approvals: self.approvals,
        };
        e.check_complete()?;
        Ok(e)
    }

    /// Bytes of each BIR's BDB (the ISO/IEC 19794 record), by part, for benchmarks and the
    /// queue panel: (face, fingers, irises).
    pub fn record_bytes(&self) -> (usize, usize, usize) {
        let mut sums = (0, 0, 0);
        for bir in &self.biometrics {
            let n = bir.bdb.as_ref().map_or(0, Vec::len);
            match bir.check() {
                Ok(Modality::Face) => sums.0 += n,
                Ok(Modality::Finger) => sums.1 += n,
                Ok(Modality::Iris) => sums.2 += n,
                Err(_) => {}
            }
        }
        sums
    }
}
