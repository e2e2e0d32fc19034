//! PIN entry with a lockout, shared by the kiosk's and the complaint desk's sign-in: the digits
//! typed, whether an argon2 check is running, and the count of wrong PINs in a row that locks
//! sign-in for a while. The screens own what they show; this owns the rules.

use std::time::{Duration, Instant};

use crate::pin;
use crate::ui::keypad::{self, Key};

/// How many wrong PINs in a row lock sign-in, and for how long.
pub struct Rules {
    pub attempts: u32,
    pub lockout: Duration,
}

/// Why a PIN was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Wrong { left: u32 },
    LockedOut,
}

#[derive(Default)]
pub struct PinGate {
    pin: String,
    failures: u32,
    locked_until: Option<Instant>,
    checking: bool,
}

impl PinGate {
    pub fn is_locked_out(&self, now: Instant) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    /// A keypad press; ignored while locked out or while a PIN is being checked.
    pub fn key(&mut self, k: Key, now: Instant) {
        if !self.is_locked_out(now) && !self.checking {
            keypad::apply(&mut self.pin, k, pin::MAX_LEN);
        }
    }

    /// The PIN to check now (taken out of the field), `Ok(None)` when there is nothing to check
    /// yet, or the lockout.
    pub fn submit(&mut self, now: Instant) -> Result<Option<String>, Refusal> {
        if self.is_locked_out(now) {
            return Err(Refusal::LockedOut);
        }
        if self.checking || self.pin.len() < pin::MIN_LEN {
            return Ok(None);
        }
        self.checking = true;
        Ok(Some(std::mem::take(&mut self.pin)))
    }

    pub fn accepted(&mut self) {
        self.checking = false;
        self.failures = 0;
    }

    /// A wrong PIN: how many tries are left, or the lockout once they are used up.
    pub fn rejected(&mut self, now: Instant, rules: &Rules) -> Refusal {
        self.checking = false;
        self.failures += 1;
        tracing::warn!(failures = self.failures, "wrong PIN");
        if self.failures >= rules.attempts {
            self.locked_until = Some(now + rules.lockout);
            self.failures = 0;
            Refusal::LockedOut
        } else {
            Refusal::Wrong {
                left: rules.attempts - self.failures,
            }
        }
    }

    /// One dot per digit typed, hollow ones up to the shortest PIN.
    pub fn dots(&self) -> String {
        "●".repeat(self.pin.len()) + &"○".repeat(pin::MIN_LEN.saturating_sub(self.pin.len()))
    }

    pub fn can_submit(&self, now: Instant) -> bool {
        self.pin.len() >= pin::MIN_LEN && !self.checking && !self.is_locked_out(now)
    }
}
