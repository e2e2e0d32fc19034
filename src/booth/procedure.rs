//! The SOP's steps for one applicant as an ordered list the booth builds from its config, and
//! the clock of each: when it started, how long it took, against the SOP's standard time. The
//! kiosk walks the list (each step is a screen) and shows every step's clock by one rule; the
//! timings travel in the packet and feed the office's statistics.

use std::time::{Duration, Instant};

use crate::config::Config;
use crate::enrollment::StepTiming;

/// A step of the SOP the booth takes the applicant through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// SOP 1–2: the application and the KK photocopy checked.
    Documents,
    /// SOP 3: the NIK verified against SIAK.
    Verify,
    /// SOP 4: photo, fingerprints, irises, signature; ends when the record is saved.
    Record,
}

impl Step {
    /// The SOP's standard time for the step.
    pub fn standard(self) -> Duration {
        match self {
            Step::Documents => Duration::from_secs(60),
            Step::Verify => Duration::from_secs(60),
            Step::Record => Duration::from_secs(180),
        }
    }

    /// The step whose [`Step::key`] is `key`.
    pub fn from_key(key: &str) -> Option<Step> {
        [Step::Documents, Step::Verify, Step::Record]
            .into_iter()
            .find(|s| s.key() == key)
    }

    /// The step's name in the packet and in translations.
    pub fn key(self) -> &'static str {
        match self {
            Step::Documents => "step-documents",
            Step::Verify => "step-verify",
            Step::Record => "step-record",
        }
    }
}

/// A step's clock as the screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepClock {
    pub elapsed: Duration,
    pub standard: Duration,
    /// Still running (a finished step's clock stands still).
    pub running: bool,
}

impl StepClock {
    /// Over the SOP's standard time.
    pub fn over(&self) -> bool {
        self.elapsed > self.standard
    }

    /// "1:07 / 1:00".
    pub fn text(&self) -> String {
        let fmt = |d: Duration| format!("{}:{:02}", d.as_secs() / 60, d.as_secs() % 60);
        format!("{} / {}", fmt(self.elapsed), fmt(self.standard))
    }
}

/// One applicant's way through the steps, with their timings.
#[derive(Debug, Clone)]
pub struct Procedure {
    steps: Vec<Step>,
    current: usize,
    started: Instant,
    /// Set when the current step finished (its clock stops there).
    finished: Option<Instant>,
    timings: Vec<StepTiming>,
}

impl Procedure {
    /// The steps this booth's config asks for, in SOP order, starting at the first.
    pub fn new(config: &Config, now: Instant) -> Self {
        let mut steps = Vec::with_capacity(3);
        if config.procedure.check_documents {
            steps.push(Step::Documents);
        }
        steps.push(Step::Verify);
        steps.push(Step::Record);
        Self {
            steps,
            current: 0,
            started: now,
            finished: None,
            timings: Vec::new(),
        }
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn current(&self) -> Step {
        self.steps[self.current.min(self.steps.len() - 1)]
    }

    /// The current step's clock at `now`.
    pub fn clock(&self, now: Instant) -> StepClock {
        let end = self.finished.unwrap_or(now);
        StepClock {
            elapsed: end.saturating_duration_since(self.started),
            standard: self.current().standard(),
            running: self.finished.is_none(),
        }
    }

    /// The current step is done: its time is kept, and the next step (if any) starts.
    pub fn finish(&mut self, now: Instant) -> Option<Step> {
        if self.finished.is_some() {
            return None;
        }
        let step = self.current();
        self.timings.push(StepTiming {
            step: step.key().to_string(),
            seconds: now.saturating_duration_since(self.started).as_secs() as u32,
        });
        if self.current + 1 < self.steps.len() {
            self.current += 1;
            self.started = now;
            Some(self.current())
        } else {
            self.finished = Some(now);
            None
        }
    }

    /// The timings of the finished steps, for the packet.
    pub fn timings(&self) -> &[StepTiming] {
        &self.timings
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_follow_the_sop_and_each_clock_stops_when_its_step_is_done() {
        let mut config = Config::load(None).unwrap();
        let t0 = Instant::now();
        let mut p = Procedure::new(&config, t0);
        assert_eq!(p.steps(), [Step::Documents, Step::Verify, Step::Record]);
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert!(!p.clock(at(59)).over());
        assert!(
            p.clock(at(61)).over(),
            "one rule: over a minute is over for documents"
        );
        assert_eq!(p.finish(at(70)), Some(Step::Verify));
        assert_eq!(p.clock(at(100)).text(), "0:30 / 1:00");
        assert_eq!(p.finish(at(130)), Some(Step::Record));
        assert_eq!(p.finish(at(400)), None);
        // Recorded: the clock stands at the save, however long the screen stays up.
        let stopped = p.clock(at(4000));
        assert!(!stopped.running);
        assert_eq!(stopped.text(), "4:30 / 3:00");
        assert!(stopped.over());
        let secs: Vec<u32> = p.timings().iter().map(|t| t.seconds).collect();
        assert_eq!(secs, [70, 60, 270]);
        assert_eq!(
            p.finish(at(5000)),
            None,
            "finishing twice keeps the timings"
        );
        assert_eq!(p.timings().len(), 3);

        config.procedure.check_documents = false;
        let p = Procedure::new(&config, t0);
        assert_eq!(p.steps(), [Step::Verify, Step::Record]);
    }
}
