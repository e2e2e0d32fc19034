//! An in-memory sign-in lockout for a program that keeps no lockout of its own on disk (the
//! complaint desk's window): wrong PINs in a row lock sign-in for a while. The kiosk keeps its
//! lockout in the queue file instead, so a restart does not clear it.

use std::time::{Duration, Instant};

use crate::widgets::signin::Refusal;

/// How many wrong PINs in a row lock sign-in, and for how long.
pub struct Rules {
    pub attempts: u32,
    pub lockout: Duration,
}

#[derive(Default)]
pub struct PinGate {
    failures: u32,
    locked_until: Option<Instant>,
}

impl PinGate {
    /// How long sign-in stays locked yet, if it is.
    pub fn locked_for(&self, now: Instant) -> Option<Duration> {
        self.locked_until
            .filter(|t| now < *t)
            .map(|t| t.saturating_duration_since(now))
    }

    pub fn accepted(&mut self) {
        self.failures = 0;
    }

    /// A wrong PIN: how many tries are left, or the lockout once they are used up.
    pub fn rejected(&mut self, now: Instant, rules: &Rules) -> Refusal {
        self.failures += 1;
        tracing::warn!(failures = self.failures, "wrong PIN");
        if self.failures >= rules.attempts {
            self.locked_until = Some(now + rules.lockout);
            self.failures = 0;
            Refusal::LockedOut {
                left: rules.lockout,
            }
        } else {
            Refusal::Wrong {
                left: rules.attempts - self.failures,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_pins_lock_for_the_rule_s_time() {
        let rules = Rules {
            attempts: 3,
            lockout: Duration::from_secs(60),
        };
        let now = Instant::now();
        let mut g = PinGate::default();
        assert_eq!(g.rejected(now, &rules), Refusal::Wrong { left: 2 });
        g.accepted();
        assert_eq!(g.rejected(now, &rules), Refusal::Wrong { left: 2 });
        assert_eq!(g.rejected(now, &rules), Refusal::Wrong { left: 1 });
        assert_eq!(
            g.rejected(now, &rules),
            Refusal::LockedOut {
                left: Duration::from_secs(60)
            }
        );
        assert_eq!(
            g.locked_for(now + Duration::from_secs(10)),
            Some(Duration::from_secs(50))
        );
        assert_eq!(g.locked_for(now + Duration::from_secs(61)), None);
    }
}
