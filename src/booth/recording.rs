//! The recording step of the SOP over the device traits: face, ten fingers in the fixed order
//! (an exception where the operator recorded one), both irises, signature.
//!
//! The kiosk captures one [`Slot`] at a time with [`capture_slot`], keeps the results in
//! [`Captures`] (retaking any slot replaces it) and assembles the enrollment when every slot is
//! filled. [`capture_enrollment`] runs the same calls in one go for tools, tests and benches.

use jiff::Timestamp;
use ktpel_hal::{
    DeviceError, DeviceResult, Eye, FaceCapture, FingerCapture, FingerException, FingerPosition,
    FingerRecord, IrisCapture, IrisException, IrisRecord, Quality, SignatureCapture,
};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

use crate::booth::devices::Devices;
use crate::domain::resident::Resident;
use crate::enrollment::{Enrollment, IncompleteEnrollment, StepTiming};

/// How long a finger, an iris or a signature may take before the device gives up.
pub const CAPTURE_TIMEOUT: Duration = Duration::from_secs(20);

/// The lowest quality at which a finger is taken without asking for a retake (MOSIP's
/// registration client asks the same of SBI devices).
pub const FINGER_QUALITY_MIN: Quality = Quality(40);
/// The lowest quality at which an iris is taken without asking for a retake.
pub const IRIS_QUALITY_MIN: Quality = Quality(60);
/// The lowest quality at which a portrait is taken without asking for a retake.
pub const FACE_QUALITY_MIN: Quality = Quality(50);

/// One thing the recording step captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    Face,
    Finger(FingerPosition),
    Iris(Eye),
    Signature,
}

impl Slot {
    /// Every slot in the order the booth captures them: face, the ten fingers in the fixed
    /// order, right then left iris, signature.
    pub fn sequence() -> Vec<Slot> {
        let mut all = vec![Slot::Face];
        all.extend(FingerPosition::ALL.iter().map(|&p| Slot::Finger(p)));
        all.extend(Eye::BOTH.iter().map(|&e| Slot::Iris(e)));
        all.push(Slot::Signature);
        all
    }

    /// 0-based position in [`Slot::sequence`].
    pub fn index(self) -> usize {
        Self::sequence()
            .iter()
            .position(|&s| s == self)
            .unwrap_or_default()
    }

    pub fn next(self) -> Option<Slot> {
        Self::sequence().get(self.index() + 1).copied()
    }

    pub fn previous(self) -> Option<Slot> {
        self.index()
            .checked_sub(1)
            .and_then(|i| Self::sequence().get(i).copied())
    }

    /// The quality below which the booth suggests a retake.
    pub fn quality_min(self) -> Quality {
        match self {
            Slot::Face => FACE_QUALITY_MIN,
            Slot::Finger(_) => FINGER_QUALITY_MIN,
            Slot::Iris(_) => IRIS_QUALITY_MIN,
            Slot::Signature => Quality(1),
        }
    }
}

/// What a device gave for one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Captured {
    Face(FaceCapture),
    Finger(FingerCapture),
    Iris(IrisCapture),
    Signature(SignatureCapture),
}

impl Captured {
    /// The device's quality score, where it gives one.
    pub fn quality(&self) -> Option<Quality> {
        match self {
            Captured::Face(f) => Some(f.quality),
            Captured::Finger(f) => Some(f.quality),
            Captured::Iris(i) => Some(i.quality),
            Captured::Signature(_) => None,
        }
    }
}

/// Why a finger or an eye was not captured, as the operator recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exception {
    Finger(FingerException),
    Iris(IrisException),
}

/// The result for one slot so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotStatus {
    Empty,
    Captured(Option<Quality>),
    Exception(Exception),
}

/// Which recordings need a supervisor's PIN before the save (the office's rules, from
/// `[procedure]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalRules {
    /// Any finger or eye recorded as an exception (missing, bandaged, unusable).
    pub exceptions: bool,
    /// Any capture kept below its quality threshold (the operator gave up retaking it).
    pub low_quality: bool,
}

/// One reason a record needs a supervisor's approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalCase {
    pub slot: Slot,
    pub why: NeedsApproval,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedsApproval {
    Exception(Exception),
    LowQuality(Quality),
}

impl ApprovalCase {
    /// The case as the packet and the audit chain carry it: `exception:right_thumb:bandaged`,
    /// `low_quality:left_iris`.
    pub fn code(&self) -> String {
        match self.why {
            NeedsApproval::Exception(x) => {
                format!("exception:{}:{}", slot_code(self.slot), exception_code(x))
            }
            NeedsApproval::LowQuality(_) => format!("low_quality:{}", slot_code(self.slot)),
        }
    }

    /// Several cases as one approval's reason: their codes, comma-separated.
    pub fn codes(cases: &[ApprovalCase]) -> String {
        cases.iter().map(Self::code).collect::<Vec<_>>().join(",")
    }
}

impl ApprovalRules {
    /// The office's rules from its `[procedure]` config.
    pub fn of(procedure: &crate::config::ProcedureConfig) -> Self {
        Self {
            exceptions: procedure.exceptions_need_supervisor,
            low_quality: procedure.low_quality_needs_supervisor,
        }
    }
}

/// What an approval of a record's exceptions is called in the packet and the audit chain.
pub const EXCEPTIONS_APPROVAL: &str = "exceptions";

/// A slot's code in approvals: `face`, `right_thumb` … `left_little`, `right_iris`,
/// `left_iris`, `signature`.
pub fn slot_code(slot: Slot) -> &'static str {
    match slot {
        Slot::Face => "face",
        Slot::Finger(p) => p.as_str(),
        Slot::Iris(Eye::Right) => "right_iris",
        Slot::Iris(Eye::Left) => "left_iris",
        Slot::Signature => "signature",
    }
}

/// An exception's code in approvals and the statistics: `missing`, `bandaged`, `unusable`.
pub fn exception_code(x: Exception) -> &'static str {
    match x {
        Exception::Finger(FingerException::Missing) | Exception::Iris(IrisException::Missing) => {
            "missing"
        }
        Exception::Finger(FingerException::Bandaged) => "bandaged",
        Exception::Finger(FingerException::Unusable) | Exception::Iris(IrisException::Unusable) => {
            "unusable"
        }
    }
}

/// Everything captured for one applicant so far. Lives in memory only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Captures {
    pub face: Option<FaceCapture>,
    pub fingers: BTreeMap<FingerPosition, FingerRecord>,
    pub irises: BTreeMap<Eye, IrisRecord>,
    pub signature: Option<SignatureCapture>,
}

// Biometric data: Debug shows which slots are filled only.
impl std::fmt::Debug for Captures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Captures(face: {}, fingers: {}, irises: {}, signature: {})",
            self.face.is_some(),
            self.fingers.len(),
            self.irises.len(),
            self.signature.is_some()
        )
    }
}

/// A capture was offered for a slot it does not belong to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {got} capture cannot fill the {slot:?} slot")]
pub struct WrongSlot {
    pub slot: Slot,
    pub got: &'static str,
}

impl Captures {
    /// Stores `captured` in `slot`, replacing what was there (a retake).
    pub fn put(&mut self, slot: Slot, captured: Captured) -> Result<(), WrongSlot> {
        match (slot, captured) {
            (Slot::Face, Captured::Face(f)) => self.face = Some(f),
            (Slot::Finger(p), Captured::Finger(f)) if f.position == p => {
                self.fingers.insert(p, FingerRecord::Captured(f));
            }
            (Slot::Iris(e), Captured::Iris(i)) if i.eye == e => {
                self.irises.insert(e, IrisRecord::Captured(i));
            }
            (Slot::Signature, Captured::Signature(s)) => self.signature = Some(s),
            (slot, other) => {
                let got = match other {
                    Captured::Face(_) => "face",
                    Captured::Finger(_) => "finger",
                    Captured::Iris(_) => "iris",
                    Captured::Signature(_) => "signature",
                };
                return Err(WrongSlot { slot, got });
            }
        }
        Ok(())
    }

    /// Empties `slot` (the operator retakes it from scratch).
    pub fn clear(&mut self, slot: Slot) {
        match slot {
            Slot::Face => self.face = None,
            Slot::Finger(p) => {
                self.fingers.remove(&p);
            }
            Slot::Iris(e) => {
                self.irises.remove(&e);
            }
            Slot::Signature => self.signature = None,
        }
    }

    /// Records that a finger or an eye cannot be captured.
    pub fn except(&mut self, slot: Slot, exception: Exception) -> Result<(), WrongSlot> {
        match (slot, exception) {
            (Slot::Finger(position), Exception::Finger(exception)) => {
                self.fingers.insert(
                    position,
                    FingerRecord::Exception {
                        position,
                        exception,
                    },
                );
            }
            (Slot::Iris(eye), Exception::Iris(exception)) => {
                self.irises
                    .insert(eye, IrisRecord::Exception { eye, exception });
            }
            (slot, _) => {
                return Err(WrongSlot {
                    slot,
                    got: "exception",
                })
            }
        }
        Ok(())
    }

    /// Why this record needs a supervisor's approval under `rules`, one case per slot in
    /// capture order; empty when it needs none.
    pub fn needing_approval(&self, rules: ApprovalRules) -> Vec<ApprovalCase> {
        Slot::sequence()
            .into_iter()
            .filter_map(|slot| match self.status(slot) {
                SlotStatus::Exception(x) if rules.exceptions => Some(ApprovalCase {
                    slot,
                    why: NeedsApproval::Exception(x),
                }),
                SlotStatus::Captured(Some(q)) if rules.low_quality && q < slot.quality_min() => {
                    Some(ApprovalCase {
                        slot,
                        why: NeedsApproval::LowQuality(q),
                    })
                }
                _ => None,
            })
            .collect()
    }

    pub fn status(&self, slot: Slot) -> SlotStatus {
        match slot {
            Slot::Face => match &self.face {
                Some(f) => SlotStatus::Captured(Some(f.quality)),
                None => SlotStatus::Empty,
            },
            Slot::Finger(p) => match self.fingers.get(&p) {
                Some(FingerRecord::Captured(c)) => SlotStatus::Captured(Some(c.quality)),
                Some(FingerRecord::Exception { exception, .. }) => {
                    SlotStatus::Exception(Exception::Finger(*exception))
                }
                None => SlotStatus::Empty,
            },
            Slot::Iris(e) => match self.irises.get(&e) {
                Some(IrisRecord::Captured(c)) => SlotStatus::Captured(Some(c.quality)),
                Some(IrisRecord::Exception { exception, .. }) => {
                    SlotStatus::Exception(Exception::Iris(*exception))
                }
                None => SlotStatus::Empty,
            },
            Slot::Signature => match &self.signature {
                Some(_) => SlotStatus::Captured(None),
                None => SlotStatus::Empty,
            },
        }
    }

    /// The fingers recorded as exceptions.
    pub fn finger_exceptions(&self) -> Vec<FingerPosition> {
        self.fingers
            .values()
            .filter_map(|f| match f {
                FingerRecord::Exception { position, .. } => Some(*position),
                FingerRecord::Captured(_) => None,
            })
            .collect()
    }

    /// The eyes recorded as exceptions.
    pub fn eye_exceptions(&self) -> Vec<Eye> {
        self.irises
            .values()
            .filter_map(|i| match i {
                IrisRecord::Exception { eye, .. } => Some(*eye),
                IrisRecord::Captured(_) => None,
            })
            .collect()
    }

    /// The first slot, in capture order, with nothing in it.
    pub fn first_empty(&self) -> Option<Slot> {
        Slot::sequence()
            .into_iter()
            .find(|&s| self.status(s) == SlotStatus::Empty)
    }

    /// The enrollment, once every slot is filled.
    pub fn into_enrollment(
        self,
        resident: Resident,
        booth_id: &str,
        operator_id: &str,
        now: Timestamp,
        step_timings: Vec<StepTiming>,
    ) -> Result<Enrollment, IncompleteEnrollment> {
        let face = self.face.ok_or(IncompleteEnrollment::EmptyFace)?;
        let signature = self.signature.ok_or(IncompleteEnrollment::EmptySignature)?;
        let e = Enrollment {
            packet_id: Uuid::now_v7(),
            booth_id: booth_id.into(),
            operator_id: operator_id.into(),
            recorded_at_ms: now.as_millisecond(),
            resident,
            face,
            fingers: self.fingers.into_values().collect(),
            irises: Eye::BOTH
                .iter()
                .filter_map(|e| self.irises.get(e).cloned())
                .collect(),
            signature,
            step_timings,
            approvals: Vec::new(),
        };
        e.check_complete()?;
        Ok(e)
    }
}

/// Runs the device for one slot. A signature needs a pad: without one the kiosk collects it on
/// the touchscreen instead.
pub fn capture_slot(devices: &mut Devices, slot: Slot) -> DeviceResult<Captured> {
    let span = tracing::info_span!("capture", slot = ?slot);
    let _enter = span.enter();
    let result = match slot {
        Slot::Face => devices.camera.capture_face().map(Captured::Face),
        Slot::Finger(p) => devices
            .fingerprint
            .capture_finger(p, CAPTURE_TIMEOUT)
            .map(Captured::Finger),
        Slot::Iris(e) => devices
            .iris
            .capture_iris(e, CAPTURE_TIMEOUT)
            .map(Captured::Iris),
        Slot::Signature => match devices.signature.as_mut() {
            Some(pad) => {
                pad.clear()?;
                pad.capture_signature(CAPTURE_TIMEOUT)
                    .map(Captured::Signature)
            }
            None => Err(DeviceError::not_present(
                "no signature pad is configured: the applicant signs on the touchscreen",
            )),
        },
    };
    match &result {
        Ok(c) => tracing::info!(quality = ?c.quality(), "captured"),
        Err(e) => tracing::warn!(kind = e.kind.as_str(), error = %e, "capture failed"),
    }
    result
}

/// The simulated person for a NIK: simulated devices show the same person for the same NIK,
/// a man's face for a man's NIK and a woman's for a woman's.
pub fn sim_subject(nik: &str) -> u64 {
    use crate::domain::nik::{sex_in_digits, Sex};
    let h = nik.bytes().fold(1469598103934665603u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1099511628211)
    });
    match sex_in_digits(nik) {
        Some(sex) => ktpel_sim::face::subject_of_sex(h, sex == Sex::Female),
        None => h,
    }
}

/// Exceptions the operator recorded for fingers and eyes that cannot be captured.
#[derive(Debug, Clone, Default)]
pub struct Exceptions {
    pub fingers: BTreeMap<FingerPosition, FingerException>,
    pub eyes: BTreeMap<Eye, IrisException>,
}

/// Captures everything for `resident` and assembles the enrollment (still in memory).
pub fn capture_enrollment(
    devices: &mut Devices,
    resident: Resident,
    exceptions: &Exceptions,
    booth_id: &str,
    operator_id: &str,
    now: Timestamp,
) -> DeviceResult<Enrollment> {
    let started = std::time::Instant::now();
    let mut captures = Captures::default();
    for slot in Slot::sequence() {
        let exception = match slot {
            Slot::Finger(p) => exceptions.fingers.get(&p).map(|&x| Exception::Finger(x)),
            Slot::Iris(e) => exceptions.eyes.get(&e).map(|&x| Exception::Iris(x)),
            Slot::Face | Slot::Signature => None,
        };
        let stored = match exception {
            Some(x) => captures.except(slot, x),
            None => captures.put(slot, capture_slot(devices, slot)?),
        };
        stored.map_err(|e| DeviceError::bad_data(e.to_string()))?;
    }
    let timings = vec![StepTiming {
        step: "perekaman".into(),
        seconds: started.elapsed().as_secs() as u32,
    }];
    captures
        .into_enrollment(resident, booth_id, operator_id, now, timings)
        .map_err(|e| DeviceError::bad_data(e.to_string()))
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_nik_gives_the_same_simulated_person_of_the_sex_it_records() {
        use ktpel_sim::face::{FaceModel, HairStyle};
        // Day field 20: a man; 60: a woman (born on the 20th).
        let (man, woman) = ("3273012001900001", "3273016001900001");
        assert_eq!(sim_subject(man), sim_subject(man));
        assert_ne!(sim_subject(man), sim_subject(woman));
        assert_eq!(
            FaceModel::generate(sim_subject(man)).style,
            HairStyle::Short
        );
        assert_ne!(
            FaceModel::generate(sim_subject(woman)).style,
            HairStyle::Short
        );
    }

    #[test]
    fn the_sequence_is_face_ten_fingers_two_irises_signature() {
        let s = Slot::sequence();
        assert_eq!(s.len(), 14);
        assert_eq!(s[0], Slot::Face);
        assert_eq!(s[1], Slot::Finger(FingerPosition::RightThumb));
        assert_eq!(s[10], Slot::Finger(FingerPosition::LeftLittle));
        assert_eq!(s[11], Slot::Iris(Eye::Right));
        assert_eq!(s[13], Slot::Signature);
        assert_eq!(Slot::Face.previous(), None);
        assert_eq!(Slot::Signature.next(), None);
        assert_eq!(Slot::Iris(Eye::Right).next(), Some(Slot::Iris(Eye::Left)));
        assert_eq!(
            Slot::Iris(Eye::Right).previous(),
            Some(Slot::Finger(FingerPosition::LeftLittle))
        );
    }

    #[test]
    fn an_exception_fills_its_slot_and_a_capture_replaces_it() {
        let mut c = Captures::default();
        let slot = Slot::Finger(FingerPosition::LeftIndex);
        assert_eq!(c.status(slot), SlotStatus::Empty);
        c.except(slot, Exception::Finger(FingerException::Bandaged))
            .expect("a finger takes a finger exception");
        assert_eq!(
            c.status(slot),
            SlotStatus::Exception(Exception::Finger(FingerException::Bandaged))
        );
        assert!(c
            .except(Slot::Face, Exception::Finger(FingerException::Missing))
            .is_err());
        assert!(c
            .except(slot, Exception::Iris(IrisException::Missing))
            .is_err());
        assert_eq!(c.first_empty(), Some(Slot::Face));
    }
}
