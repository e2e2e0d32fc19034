//! The enrollment record: everything recorded for one applicant, as it is sealed and sent.
//!
//! A value of this type only ever lives in memory. [`crate::seal`] turns it into a sealed packet
//! before anything touches disk, and the booth cannot open that packet again.

use crate::domain::resident::Resident;
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
