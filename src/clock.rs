//! The booth's clock, injected so that tests of hours and days run in paused time.
//!
//! Production uses [`Clock::System`]. Tests use [`Clock::manual`] and move time forward by hand;
//! everything that waits (the transmitter's back-off, the verdict window, the centre simulator's
//! verdict delay) waits through [`Clock::sleep_until`], so a week passes in milliseconds.
//! Network timeouts stay on real time on purpose: they guard real sockets.

use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Western Indonesia Time (UTC+7, no daylight saving), the office's local time: a fixed offset,
/// so no time-zone database is needed.
pub const WIB: jiff::tz::Offset = jiff::tz::Offset::constant(7);

/// Indonesia's three time zones (no daylight saving): the office's local time, by config.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
pub enum Zone {
    /// Western Indonesia Time, UTC+7 (Sumatra, Java, West and Central Kalimantan).
    #[default]
    #[serde(rename = "WIB")]
    Wib,
    /// Central Indonesia Time, UTC+8 (Bali, Nusa Tenggara, Sulawesi, East Kalimantan).
    #[serde(rename = "WITA")]
    Wita,
    /// Eastern Indonesia Time, UTC+9 (Maluku, Papua).
    #[serde(rename = "WIT")]
    Wit,
}

impl Zone {
    pub fn offset(self) -> jiff::tz::Offset {
        match self {
            Zone::Wib => WIB,
            Zone::Wita => jiff::tz::Offset::constant(8),
            Zone::Wit => jiff::tz::Offset::constant(9),
        }
    }

    pub fn abbreviation(self) -> &'static str {
        match self {
            Zone::Wib => "WIB",
            Zone::Wita => "WITA",
            Zone::Wit => "WIT",
        }
    }

    /// "2026-11-25 09:12:05 WITA".
    pub fn format(self, t: Timestamp) -> String {
        let dt = self.offset().to_datetime(t);
        format!(
            "{} {:02}:{:02}:{:02} {}",
            dt.date(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            self.abbreviation()
        )
    }
}

#[derive(Clone, Default)]
pub enum Clock {
    #[default]
    System,
    Manual(Arc<ManualClock>),
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Clock::System => f.write_str("Clock::System"),
            Clock::Manual(m) => write!(f, "Clock::Manual({})", m.now()),
        }
    }
}

impl Clock {
    /// A clock that stands still at `start` until [`ManualClock::advance`] moves it.
    pub fn manual(start: Timestamp) -> (Clock, Arc<ManualClock>) {
        let (tx, _rx) = watch::channel(start);
        let manual = Arc::new(ManualClock {
            now: Mutex::new(start),
            changed: tx,
        });
        (Clock::Manual(manual.clone()), manual)
    }

    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Manual(m) => m.now(),
        }
    }

    /// Waits until the clock reads `deadline` or later.
    pub async fn sleep_until(&self, deadline: Timestamp) {
        match self {
            Clock::System => {
                let left = deadline.duration_since(Timestamp::now());
                if left > SignedDuration::ZERO {
                    let left = Duration::try_from(left).unwrap_or(Duration::ZERO);
                    tokio::time::sleep(left).await;
                }
            }
            Clock::Manual(m) => {
                let mut rx = m.changed.subscribe();
                loop {
                    if *rx.borrow_and_update() >= deadline {
                        return;
                    }
                    if rx.changed().await.is_err() {
                        // The clock is gone: nothing will ever advance it again.
                        std::future::pending::<()>().await;
                    }
                }
            }
        }
    }

    pub async fn sleep(&self, d: Duration) {
        let deadline = add(self.now(), d);
        self.sleep_until(deadline).await;
    }
}

/// A hand-driven clock for tests.
pub struct ManualClock {
    now: Mutex<Timestamp>,
    changed: watch::Sender<Timestamp>,
}

impl ManualClock {
    pub fn now(&self) -> Timestamp {
        match self.now.lock() {
            Ok(g) => *g,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    pub fn advance(&self, d: Duration) {
        let mut g = match self.now.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *g = add(*g, d);
        self.changed.send_replace(*g);
    }
}

/// `t + d`, saturating at the end of jiff's range (never reached by a booth).
pub fn add(t: Timestamp, d: Duration) -> Timestamp {
    SignedDuration::try_from(d)
        .ok()
        .and_then(|d| t.checked_add(d).ok())
        .unwrap_or(Timestamp::MAX)
}

/// Milliseconds since the Unix epoch, as stored in SQLite.
pub fn to_millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub fn from_millis(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Today's date in WIB (UTC+7), the date the office lives by.
pub fn wib_date(t: Timestamp) -> jiff::civil::Date {
    WIB.to_datetime(t).date()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[tokio::test]
    async fn manual_sleep_wakes_only_when_advanced_past_the_deadline() {
        let (clock, hand) = Clock::manual(Timestamp::UNIX_EPOCH);
        let deadline = add(clock.now(), Duration::from_secs(3600));
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(deadline).await }
        });
        hand.advance(Duration::from_secs(1800));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "woke half-way through the hour");
        hand.advance(Duration::from_secs(1800));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("sleeper woke")
            .expect("sleeper ran");
        assert_eq!(clock.now().as_second(), 3600);
    }
}
