//! How the simulated centre judges a record, standing in for ABIS (1:N matching) and the
//! regional/central checks. The rules are plain so tests and operators can predict them:
//!
//! 1. a verdict scripted for the NIK (tests, demonstrations) wins;
//! 2. incomplete data, a NIK SIAK does not know, demographics that differ from SIAK, or
//!    captures too poor to match → enroll failure;
//! 3. no usable fingerprint at all → adjudicate (a person must decide on face and iris);
//! 4. the NIK already enrolled by an earlier packet → duplicate (re-recording after a move);
//! 5. otherwise print ready.

use ktpel_hal::{FingerRecord, Quality};

use super::api::CentreStatus;
use crate::domain::resident::Resident;
use crate::enrollment::Enrollment;

/// Below this a capture cannot be matched.
pub const UNUSABLE_QUALITY: Quality = Quality(20);

pub fn decide(
    e: &Enrollment,
    siak: Option<&Resident>,
    already_enrolled: bool,
    scripted: Option<CentreStatus>,
) -> (CentreStatus, Option<String>) {
    if let Some(s) = scripted.filter(|s| s.is_verdict()) {
        return (s, Some("verdict scripted in the centre simulator".into()));
    }
    if let Err(why) = e.check_complete() {
        return (
            CentreStatus::EnrollFailure,
            Some(format!("data incomplete: {why}")),
        );
    }
    let Some(known) = siak else {
        return (
            CentreStatus::EnrollFailure,
            Some("the NIK is not in SIAK".into()),
        );
    };
    if known.name != e.resident.name || known.birth_date != e.resident.birth_date {
        return (
            CentreStatus::EnrollFailure,
            Some("the recorded data do not match SIAK".into()),
        );
    }
    if e.face.quality < UNUSABLE_QUALITY {
        return (
            CentreStatus::EnrollFailure,
            Some("the photo cannot be used for matching".into()),
        );
    }
    let captured: Vec<Quality> = e
        .fingers
        .iter()
        .filter_map(|f| match f {
            FingerRecord::Captured(c) => Some(c.quality),
            FingerRecord::Exception { .. } => None,
        })
        .collect();
    if captured.is_empty() {
        return (
            CentreStatus::Adjudicate,
            Some("no fingerprints could be taken; an officer decides on face and iris".into()),
        );
    }
    if captured.iter().all(|q| *q < UNUSABLE_QUALITY) {
        return (
            CentreStatus::EnrollFailure,
            Some("the fingerprints are unreadable".into()),
        );
    }
    if already_enrolled {
        return (
            CentreStatus::Duplicate,
            Some("this NIK was already recorded".into()),
        );
    }
    (CentreStatus::PrintReady, None)
}
