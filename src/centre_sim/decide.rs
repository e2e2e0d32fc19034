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

use crate::domain::resident::Resident;
use crate::enrollment::Enrollment;
use crate::wire::centre::{verdict_code as code, CentreStatus};

/// Below this a capture cannot be matched.
pub const UNUSABLE_QUALITY: Quality = Quality(20);

/// The verdict and, for a non-printable one, its [`code`].
pub fn decide(
    e: &Enrollment,
    siak: Option<&Resident>,
    already_enrolled: bool,
    scripted: Option<CentreStatus>,
) -> (CentreStatus, Option<&'static str>) {
    if let Some(s) = scripted.filter(|s| s.is_verdict()) {
        let why = match s {
            CentreStatus::Duplicate => Some(code::BIOMETRIC_MATCH),
            CentreStatus::Adjudicate => Some(code::INCONCLUSIVE),
            CentreStatus::EnrollFailure => Some(code::INCOMPLETE),
            _ => None,
        };
        return (s, why);
    }
    if let Err(why) = e.check_complete() {
        return (CentreStatus::EnrollFailure, {
            tracing::debug!(%why, "incomplete record");
            Some(code::INCOMPLETE)
        });
    }
    let Some(known) = siak else {
        return (CentreStatus::EnrollFailure, Some(code::NOT_IN_SIAK));
    };
    if known.name != e.resident.name || known.birth_date != e.resident.birth_date {
        return (CentreStatus::EnrollFailure, Some(code::SIAK_MISMATCH));
    }
    if e.face.quality < UNUSABLE_QUALITY {
        return (CentreStatus::EnrollFailure, Some(code::PHOTO_UNUSABLE));
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
        return (CentreStatus::Adjudicate, Some(code::NO_FINGERPRINTS));
    }
    if captured.iter().all(|q| *q < UNUSABLE_QUALITY) {
        return (CentreStatus::EnrollFailure, Some(code::FINGERS_UNREADABLE));
    }
    if already_enrolled {
        return (CentreStatus::Duplicate, Some(code::NIK_ENROLLED));
    }
    (CentreStatus::PrintReady, None)
}
