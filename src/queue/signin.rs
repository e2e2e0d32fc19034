//! The kiosk's sign-in lockout, kept in the queue file so that restarting the booth does not
//! give a PIN guesser a fresh set of tries. Wrong PINs in a row lock sign-in for a while; a
//! supervisor can clear the lockout early. Each lock and each clearing is an audit event.

use jiff::Timestamp;
use rusqlite::{params, TransactionBehavior};
use std::time::Duration;

use super::audit::{self, Event};
use super::store::Store;
use super::QueueError;
use crate::clock::{add, from_millis, to_millis};

/// The id under which sign-in events are chained.
pub const SIGNIN_EVENTS: &str = "signin";

/// Where sign-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Open; `failures` wrong PINs in a row so far.
    Open { failures: u32 },
    /// Locked until then.
    LockedUntil(Timestamp),
}

impl Store {
    /// The sign-in gate at `now` (a lockout that has run out is open again).
    pub fn signin_gate(&self, now: Timestamp) -> Result<Gate, QueueError> {
        let (failures, until): (u32, Option<i64>) = self.conn().query_row(
            "SELECT failures, locked_until FROM signin_lockout WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(match until.map(from_millis) {
            Some(t) if t > now => Gate::LockedUntil(t),
            Some(_) => Gate::Open { failures: 0 },
            None => Gate::Open { failures },
        })
    }

    /// A wrong PIN: counts it, and locks sign-in for `lockout` once `attempts` are used up.
    pub fn signin_failed(
        &mut self,
        attempts: u32,
        lockout: Duration,
        now: Timestamp,
    ) -> Result<Gate, QueueError> {
        let tx = self
            .conn_and_key()
            .0
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (failures, until): (u32, Option<i64>) = tx.query_row(
            "SELECT failures, locked_until FROM signin_lockout WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        // A lockout that ran out starts the count afresh.
        let failures = match until {
            Some(t) if from_millis(t) <= now => 1,
            _ => failures + 1,
        };
        let gate = if failures >= attempts {
            // Kept to the millisecond, as the file keeps it.
            let until = from_millis(to_millis(add(now, lockout)));
            tx.execute(
                "UPDATE signin_lockout SET failures = 0, locked_until = ?1 WHERE id = 1",
                [to_millis(until)],
            )?;
            audit::append(
                &tx,
                &Event {
                    at_ms: to_millis(now),
                    packet_id: SIGNIN_EVENTS,
                    event: "signin",
                    from: "open",
                    to: "locked",
                    detail: &format!(
                        "{attempts} wrong PINs; locked for {} min",
                        lockout.as_secs() / 60
                    ),
                },
            )?;
            Gate::LockedUntil(until)
        } else {
            tx.execute(
                "UPDATE signin_lockout SET failures = ?1, locked_until = NULL WHERE id = 1",
                [failures],
            )?;
            Gate::Open { failures }
        };
        tx.commit()?;
        Ok(gate)
    }

    /// A right PIN: the count of wrong ones starts again.
    pub fn signin_succeeded(&mut self) -> Result<(), QueueError> {
        self.conn().execute(
            "UPDATE signin_lockout SET failures = 0 WHERE id = 1 AND locked_until IS NULL",
            [],
        )?;
        Ok(())
    }

    /// A supervisor clears the lockout.
    pub fn clear_signin_lockout(
        &mut self,
        supervisor: &str,
        now: Timestamp,
    ) -> Result<(), QueueError> {
        let tx = self
            .conn_and_key()
            .0
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE signin_lockout SET failures = 0, locked_until = NULL WHERE id = 1",
            params![],
        )?;
        audit::append(
            &tx,
            &Event {
                at_ms: to_millis(now),
                packet_id: SIGNIN_EVENTS,
                event: "signin",
                from: "locked",
                to: "open",
                detail: &format!("cleared by {supervisor}"),
            },
        )?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::queue::tests::{store_with_key, t0};

    #[test]
    fn wrong_pins_lock_sign_in_across_a_reopen_until_the_time_runs_out_or_a_supervisor_clears_it() {
        let (mut s, dir) = store_with_key();
        let lock = Duration::from_secs(15 * 60);
        for n in 1..5 {
            assert_eq!(
                s.signin_failed(5, lock, t0()).unwrap(),
                Gate::Open { failures: n }
            );
        }
        let locked = s.signin_failed(5, lock, t0()).unwrap();
        assert_eq!(locked, Gate::LockedUntil(add(t0(), lock)));
        // A restart of the booth: the lockout is still there.
        drop(s);
        let mut s = crate::queue::tests::reopen(&dir);
        let minute_later = add(t0(), Duration::from_secs(60));
        assert_eq!(s.signin_gate(minute_later).unwrap(), locked);
        // A right PIN during the lockout does not open it either.
        s.signin_succeeded().unwrap();
        assert_eq!(s.signin_gate(minute_later).unwrap(), locked);
        // Run out: open, and the count starts again.
        let after = add(t0(), lock + Duration::from_secs(1));
        assert_eq!(s.signin_gate(after).unwrap(), Gate::Open { failures: 0 });
        assert_eq!(
            s.signin_failed(5, lock, after).unwrap(),
            Gate::Open { failures: 1 }
        );
        // Locked again, then cleared by a supervisor.
        for _ in 0..4 {
            s.signin_failed(5, lock, after).unwrap();
        }
        assert!(matches!(
            s.signin_gate(after).unwrap(),
            Gate::LockedUntil(_)
        ));
        s.clear_signin_lockout("spv-01", after).unwrap();
        assert_eq!(s.signin_gate(after).unwrap(), Gate::Open { failures: 0 });
        assert!(s.verify_audit().unwrap().ok());
    }
}
