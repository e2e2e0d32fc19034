//! One module per screen. Each owns its `State`, its `Message`s and its view, and tells the
//! kiosk what happened through an `Event` the root turns into the next screen or a task.

pub mod applicant;
pub mod complaint;
pub mod complaint_status;
pub mod documents;
pub mod home;
pub mod issue;
pub mod pickup;
pub mod record;
pub mod signin;
pub mod technician;
pub mod verify;

use std::time::{Duration, Instant};

/// The SOP step a screen belongs to, with the standard time the SOP gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Documents,
    Verify,
    Record,
}

impl Step {
    pub fn standard(self) -> Duration {
        match self {
            Step::Documents => Duration::from_secs(60),
            Step::Verify => Duration::from_secs(60),
            Step::Record => Duration::from_secs(180),
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Step::Documents => "step-documents",
            Step::Verify => "step-verify",
            Step::Record => "step-record",
        }
    }
}

/// "1:07 / 1:00" — the step's running time against the SOP standard.
pub fn step_clock(step: Step, started: Instant, now: Instant) -> (String, bool) {
    let elapsed = now.saturating_duration_since(started);
    let fmt = |d: Duration| format!("{}:{:02}", d.as_secs() / 60, d.as_secs() % 60);
    (
        format!("{} / {}", fmt(elapsed), fmt(step.standard())),
        elapsed > step.standard(),
    )
}
