//! The deadline: a task that escalates to the Kepala Dinas every complaint that nobody resolved
//! in time, recording "system" as the actor. It sleeps until the earliest deadline on the
//! injected [`crate::clock::Clock`] (so tests move time by hand), and wakes early when a new
//! complaint arrives with a nearer deadline.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

use super::DeskCore;
use crate::clock::add;

/// The longest the task sleeps before it looks again: on the system clock a jump (NTP, a
/// suspended machine) is noticed within this.
const RECHECK: Duration = Duration::from_secs(60);
/// After a database error, wait this long (real time) before trying again.
const RETRY: Duration = Duration::from_secs(5);

/// Runs until `stop` turns true (or its sender is dropped).
pub async fn run(core: DeskCore, mut stop: watch::Receiver<bool>) {
    let wake: Arc<Notify> = core.wake.clone();
    loop {
        if *stop.borrow() {
            return;
        }
        let now = core.clock.now();
        let pause = match core.store.call(move |s| s.escalate_overdue(now)).await {
            Ok(escalated) => {
                if !escalated.is_empty() {
                    tracing::info!(
                        count = escalated.len(),
                        "escalated to the Kepala Dinas at their deadline"
                    );
                }
                core.checked.send_replace(Some(now));
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "deadline escalation failed; trying again");
                Some(RETRY)
            }
        };
        let next = match pause {
            Some(_) => None,
            None => match core.store.call(|s| s.next_deadline()).await {
                Ok(next) => next,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the next deadline");
                    None
                }
            },
        };
        let clock = core.clock.clone();
        // The recheck counts from the moment just checked, not from now: a clock that moved on
        // meanwhile (a day passed while the store answered) is checked again at once.
        let until = next.map(|t| t.min(add(now, RECHECK)));
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            _ = wake.notified() => {}
            _ = async {
                match (pause, until) {
                    (Some(p), _) => tokio::time::sleep(p).await,
                    (None, Some(t)) => clock.sleep_until(t).await,
                    (None, None) => std::future::pending::<()>().await,
                }
            } => {}
        }
    }
}
