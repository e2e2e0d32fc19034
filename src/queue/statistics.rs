//! The office's numbers without personal data: one `recording_stats` row per recording (SOP
//! step times against the standard, exceptions, the operator's staff id, and the times it was
//! sent, judged, given a receipt and handed over), the link's measurements, and what the day's
//! dashboard and daily report (laporan harian) read from them together with the card prints,
//! the blank-card ledger and the complaints.
//!
//! A row is written in the same transaction as the record's save and kept in step at every
//! transition ([`on_state`], [`on_receipt`]); it holds no name, NIK, NIK tag, receipt number or
//! image, and no foreign key, so it outlives the purge of the applicant and of the packet.

use jiff::civil::Date;
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use super::state::State;
use super::store::Store;
use super::QueueError;
use crate::clock::{to_millis, Zone};

/// One SOP step's time for the statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFact {
    /// The step's key (`step-documents`, `step-verify`, `step-record`).
    pub step: String,
    pub seconds: u32,
    /// The SOP's standard time for the step, in seconds.
    pub standard: u32,
}

/// One capture as the statistics (and the supervisor's review) keep it: its slot and either
/// the device's quality against the booth's threshold or the exception recorded instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureFact {
    /// The slot's code (`face`, `right_thumb` … `left_little`, `right_iris`, `left_iris`).
    pub slot: String,
    /// The device's quality score, 0–100 (None for an exception).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<u8>,
    /// The quality below which the booth asks for a retake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u8>,
    /// The exception recorded instead of a capture (`missing`, `bandaged`, `unusable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<String>,
}

impl CaptureFact {
    /// Captured below its threshold (the operator kept it after the retries).
    pub fn below_threshold(&self) -> bool {
        matches!((self.quality, self.min), (Some(q), Some(m)) if q < m)
    }
}

/// A supervisor's approval given at the booth, as the review shows it (ids and codes only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalFact {
    pub what: String,
    pub reason: String,
    pub supervisor_id: String,
}

/// What the statistics keep of a recording when it is saved: nothing personal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordingFacts {
    pub operator_id: String,
    pub steps: Vec<StepFact>,
    /// Fingers and eyes recorded as exceptions (amputation, bandage, ...).
    pub exceptions: u32,
    /// Each face, finger and iris: its quality against the threshold, or its exception.
    pub captures: Vec<CaptureFact>,
}

/// The day's counts, each the events of that kind whose time falls in the day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    /// Recordings saved (perekaman).
    pub recorded: u64,
    /// Records the centre received (terkirim).
    pub sent: u64,
    /// Records the supervisor rejected at review before sending (ditolak saat tinjauan): saved,
    /// never sent.
    #[serde(default)]
    pub rejected: u64,
    /// Print-ready verdicts (siap cetak).
    pub print_ready: u64,
    /// Cards handed over in the verdict window (KTP-el diserahkan).
    pub issued: u64,
    /// Proofs of recording printed (bukti perekaman).
    pub receipts: u64,
    /// Cards collected later with a paper (diambil).
    pub picked_up: u64,
    /// Duplicate verdicts (duplikat).
    pub duplicates: u64,
    /// Adjudicate verdicts (adjudikasi).
    pub adjudicate: u64,
    /// Enroll-failure verdicts (gagal rekam).
    pub failures: u64,
    /// Complaints taken at the booth (pengaduan).
    pub complaints: u64,
    /// Blank cards printed into cards (blangko terpakai).
    pub blanks_used: u64,
    /// Blank cards spoiled or lost to a failed print (blangko rusak).
    pub blanks_spoiled: u64,
}

/// One SOP step's times over the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepStats {
    pub step: String,
    /// The SOP's standard, seconds.
    pub standard: u32,
    /// Every recording's time for the step, seconds, ascending.
    pub seconds: Vec<u32>,
}

impl StepStats {
    pub fn count(&self) -> usize {
        self.seconds.len()
    }

    /// The median time, seconds (the lower middle of an even count).
    pub fn median(&self) -> Option<u32> {
        (!self.seconds.is_empty()).then(|| self.seconds[(self.seconds.len() - 1) / 2])
    }

    pub fn mean(&self) -> Option<f64> {
        (!self.seconds.is_empty()).then(|| {
            self.seconds.iter().map(|s| f64::from(*s)).sum::<f64>() / self.seconds.len() as f64
        })
    }

    pub fn max(&self) -> Option<u32> {
        self.seconds.last().copied()
    }

    /// How many took longer than the standard.
    pub fn over(&self) -> usize {
        self.seconds.iter().filter(|s| **s > self.standard).count()
    }

    /// The share over the standard, 0–100 (0 with no recordings).
    pub fn over_percent(&self) -> f64 {
        if self.seconds.is_empty() {
            0.0
        } else {
            100.0 * self.over() as f64 / self.seconds.len() as f64
        }
    }
}

/// A value over the day: hours since the office's local midnight (0.0–24.0) and the value.
pub type Series = Vec<(f64, i64)>;

/// Everything the dashboard and the daily report show of one local day.
#[derive(Debug, Clone, PartialEq)]
pub struct DayStats {
    pub day: Date,
    pub zone: Zone,
    pub counts: DayCounts,
    /// The steps in SOP order, as the day's recordings have them.
    pub steps: Vec<StepStats>,
    /// Recordings saved in each local hour.
    pub per_hour: [u32; 24],
    /// The day's verdicts by kind, in a fixed order.
    pub verdicts: Vec<(String, u64)>,
    /// Records recorded but not yet at the centre, at the end of each hour (and at midnight).
    pub backlog: Series,
    /// The link's measured rate over the day, bits per second.
    pub link_rate: Series,
    /// The blank-card stock over the day: its value at midnight, then after each movement.
    pub blank_stock: Series,
}

impl DayStats {
    /// Whether the day saw anything at all.
    pub fn is_empty(&self) -> bool {
        self.counts == DayCounts::default()
    }
}

/// The order the steps are shown in (the SOP's), unknown keys after them.
const STEP_ORDER: [&str; 3] = ["step-documents", "step-verify", "step-record"];
/// The verdict mix's kinds, in the order shown.
pub const VERDICTS: [&str; 4] = ["print_ready", "duplicate", "adjudicate", "enroll_failure"];

/// Writes the statistics row of a recording being saved (inside the save's transaction).
pub(super) fn record(
    tx: &Transaction<'_>,
    packet_id: &str,
    recorded_at_ms: i64,
    state: State,
    facts: &RecordingFacts,
    approvals: &[crate::enrollment::Approval],
) -> Result<(), QueueError> {
    let steps = to_json(&facts.steps)?;
    let captures = to_json(&facts.captures)?;
    let approvals: Vec<ApprovalFact> = approvals
        .iter()
        .map(|a| ApprovalFact {
            what: a.what.clone(),
            reason: a.reason.clone(),
            supervisor_id: a.supervisor_id.clone(),
        })
        .collect();
    let approvals = to_json(&approvals)?;
    tx.execute(
        "INSERT INTO recording_stats (packet_id, recorded_at, operator_id, steps, exceptions, state,
                                      captures, approvals)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            packet_id,
            recorded_at_ms,
            facts.operator_id,
            steps,
            facts.exceptions,
            state.as_str(),
            captures,
            approvals
        ],
    )?;
    Ok(())
}

/// JSON of one of the statistics' list columns.
fn to_json<T: Serialize>(v: &T) -> Result<String, QueueError> {
    serde_json::to_string(v).map_err(|e| QueueError::Io(e.to_string()))
}

/// Keeps a recording's row in step with its state (inside the transition's transaction).
pub(super) fn on_state(
    tx: &Transaction<'_>,
    packet_id: &str,
    to: State,
    at_ms: i64,
) -> Result<(), QueueError> {
    let sql = match to {
        State::Received => "UPDATE recording_stats SET state = ?1, sent_at = ?2 WHERE packet_id = ?3",
        State::PrintReady | State::Duplicate | State::Adjudicate | State::EnrollFailure => {
            "UPDATE recording_stats SET state = ?1, verdict = ?1, verdict_at = ?2 WHERE packet_id = ?3"
        }
        State::Issued | State::PickedUp => {
            "UPDATE recording_stats SET state = ?1, handed_at = ?2 WHERE packet_id = ?3"
        }
        State::AwaitingReview | State::Recorded | State::Sending | State::Rejected => {
            tx.execute(
                "UPDATE recording_stats SET state = ?1 WHERE packet_id = ?2",
                params![to.as_str(), packet_id],
            )?;
            return Ok(());
        }
    };
    tx.execute(sql, params![to.as_str(), at_ms, packet_id])?;
    Ok(())
}

/// A recording's proof of recording was printed (the first time counts).
pub(super) fn on_receipt(
    tx: &Transaction<'_>,
    packet_id: &str,
    at_ms: i64,
) -> Result<(), QueueError> {
    tx.execute(
        "UPDATE recording_stats SET receipt_at = COALESCE(receipt_at, ?1) WHERE packet_id = ?2",
        params![at_ms, packet_id],
    )?;
    Ok(())
}

/// The office's local day `day` as unix milliseconds `[start, end)`.
pub fn day_bounds(day: Date, zone: Zone) -> Result<(i64, i64), QueueError> {
    let bad = |e: jiff::Error| QueueError::Invalid(format!("the day {day}: {e}"));
    let start = zone
        .offset()
        .to_timestamp(day.at(0, 0, 0, 0))
        .map_err(bad)?;
    let next = day.tomorrow().map_err(bad)?;
    let end = zone
        .offset()
        .to_timestamp(next.at(0, 0, 0, 0))
        .map_err(bad)?;
    Ok((to_millis(start), to_millis(end)))
}

/// Hours since `start_ms` (local midnight).
fn hours(start_ms: i64, at_ms: i64) -> f64 {
    (at_ms - start_ms) as f64 / 3_600_000.0
}

struct Row {
    recorded_at: i64,
    steps: String,
    sent_at: Option<i64>,
    /// When the supervisor rejected it at review (it never goes to the centre).
    rejected_at: Option<i64>,
}

impl Store {
    /// The statistics of the office's local day `day` (`zone` is the office's time zone).
    pub fn day_stats(&self, day: Date, zone: Zone) -> Result<DayStats, QueueError> {
        let (start, end) = day_bounds(day, zone)?;
        let conn = self.conn();
        let count = |sql: &str| -> Result<u64, QueueError> {
            let n: i64 = conn.query_row(sql, params![start, end], |r| r.get(0))?;
            Ok(n.max(0) as u64)
        };
        let in_day = |col: &str, extra: &str| {
            format!("SELECT count(*) FROM recording_stats WHERE {col} >= ?1 AND {col} < ?2 {extra}")
        };
        let counts = DayCounts {
            recorded: count(&in_day("recorded_at", ""))?,
            sent: count(&in_day("sent_at", ""))?,
            rejected: count(&in_day("reviewed_at", "AND review = 'rejected'"))?,
            print_ready: count(&in_day("verdict_at", "AND verdict = 'print_ready'"))?,
            issued: count(&in_day("handed_at", "AND state = 'issued'"))?,
            receipts: count(&in_day("receipt_at", ""))?,
            picked_up: count(&in_day("handed_at", "AND state = 'picked_up'"))?,
            duplicates: count(&in_day("verdict_at", "AND verdict = 'duplicate'"))?,
            adjudicate: count(&in_day("verdict_at", "AND verdict = 'adjudicate'"))?,
            failures: count(&in_day("verdict_at", "AND verdict = 'enroll_failure'"))?,
            complaints: count(
                "SELECT count(*) FROM complaints WHERE created_at >= ?1 AND created_at < ?2",
            )?,
            blanks_used: count(
                "SELECT count(*) FROM card_prints WHERE outcome = 'printed'
                 AND COALESCE(finished_at, started_at) >= ?1 AND COALESCE(finished_at, started_at) < ?2",
            )?,
            blanks_spoiled: count(
                "SELECT count(*) FROM card_prints WHERE outcome IN ('spoiled', 'failed')
                 AND COALESCE(finished_at, started_at) >= ?1 AND COALESCE(finished_at, started_at) < ?2",
            )?,
        };

        // Every recording that was saved before the day ended and not at the centre before it
        // began: the day's own recordings and the backlog it inherited.
        let rows: Vec<Row> = {
            let mut stmt = conn.prepare(
                "SELECT recorded_at, steps, sent_at,
                        CASE WHEN review = 'rejected' THEN reviewed_at END
                 FROM recording_stats
                 WHERE recorded_at < ?2 AND (recorded_at >= ?1 OR sent_at IS NULL OR sent_at >= ?1)
                 ORDER BY recorded_at, packet_id",
            )?;
            let rows = stmt.query_map(params![start, end], |r| {
                Ok(Row {
                    recorded_at: r.get(0)?,
                    steps: r.get(1)?,
                    sent_at: r.get(2)?,
                    rejected_at: r.get(3)?,
                })
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let mut per_hour = [0u32; 24];
        let mut steps: Vec<StepStats> = Vec::new();
        for row in rows.iter().filter(|r| r.recorded_at >= start) {
            let hour = ((row.recorded_at - start) / 3_600_000).clamp(0, 23) as usize;
            per_hour[hour] += 1;
            let facts: Vec<StepFact> = serde_json::from_str(&row.steps)
                .map_err(|e| QueueError::Corrupt(format!("step times of a recording: {e}")))?;
            for f in facts {
                match steps.iter_mut().find(|s| s.step == f.step) {
                    Some(s) => s.seconds.push(f.seconds),
                    None => steps.push(StepStats {
                        step: f.step,
                        standard: f.standard,
                        seconds: vec![f.seconds],
                    }),
                }
            }
        }
        for s in &mut steps {
            s.seconds.sort_unstable();
        }
        let rank = |k: &str| {
            STEP_ORDER
                .iter()
                .position(|o| *o == k)
                .unwrap_or(usize::MAX)
        };
        steps.sort_by(|a, b| rank(&a.step).cmp(&rank(&b.step)).then(a.step.cmp(&b.step)));

        let verdicts = vec![
            (VERDICTS[0].to_string(), counts.print_ready),
            (VERDICTS[1].to_string(), counts.duplicates),
            (VERDICTS[2].to_string(), counts.adjudicate),
            (VERDICTS[3].to_string(), counts.failures),
        ];

        let backlog_at = |t: i64| -> i64 {
            rows.iter()
                .filter(|r| {
                    r.recorded_at < t
                        && r.sent_at.is_none_or(|s| s >= t)
                        && r.rejected_at.is_none_or(|x| x >= t)
                })
                .count() as i64
        };
        let backlog: Series = (0..=24)
            .map(|h| (f64::from(h), backlog_at(start + i64::from(h) * 3_600_000)))
            .collect();

        let link_rate: Series = {
            let mut stmt = conn.prepare(
                "SELECT at, bits_per_s FROM link_rate_samples WHERE at >= ?1 AND at < ?2
                 ORDER BY at",
            )?;
            let rows = stmt.query_map(params![start, end], |r| {
                Ok((hours(start, r.get(0)?), r.get::<_, i64>(1)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };

        let blank_stock: Series = {
            let opening: i64 = conn.query_row(
                "SELECT COALESCE(SUM(delta), 0) FROM blank_stock WHERE at < ?1",
                [start],
                |r| r.get(0),
            )?;
            let mut series = vec![(0.0, opening)];
            let mut stmt = conn.prepare(
                "SELECT at, delta FROM blank_stock WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
            )?;
            let moves = stmt.query_map(params![start, end], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })?;
            let mut stock = opening;
            for m in moves {
                let (at, delta) = m?;
                stock += delta;
                series.push((hours(start, at), stock));
            }
            series
        };

        Ok(DayStats {
            day,
            zone,
            counts,
            steps,
            per_hour,
            verdicts,
            backlog,
            link_rate,
            blank_stock,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::clock::add;
    use crate::queue::tests::{store_with_key, t0};
    use crate::queue::{ApplicantSummary, NewRecord};
    use crate::wire::centre::CentreStatus;
    use std::time::Duration;
    use uuid::Uuid;

    const NAME: &str = "SITI RAHAYU";
    const NIK: &str = "3273014508900001";

    fn at(minutes: i64) -> jiff::Timestamp {
        t0() + jiff::SignedDuration::from_mins(minutes)
    }

    fn save(s: &mut Store, when: jiff::Timestamp, verify: u32, record: u32) -> Uuid {
        let id = Uuid::now_v7();
        s.commit(NewRecord {
            packet_id: id,
            envelope: vec![0xAB; 100],
            summary: ApplicantSummary {
                name: NAME.into(),
                nik: NIK.into(),
            },
            recorded_at: when,
            deadline_at: add(when, Duration::from_secs(3600)),
            approvals: Vec::new(),
            facts: RecordingFacts {
                operator_id: "op-01".into(),
                steps: vec![
                    StepFact {
                        step: "step-record".into(),
                        seconds: record,
                        standard: 180,
                    },
                    StepFact {
                        step: "step-verify".into(),
                        seconds: verify,
                        standard: 60,
                    },
                ],
                exceptions: 1,
                captures: Vec::new(),
            },
            awaiting_review: false,
        })
        .unwrap();
        id
    }

    fn send(s: &mut Store, id: Uuid, when: jiff::Timestamp) {
        let claimed = s
            .claim_sendable(when, Duration::from_secs(60), 100)
            .unwrap();
        assert!(claimed.iter().any(|o| o.packet_id == id));
        s.mark_received(id, when, when).unwrap();
    }

    fn judge(s: &mut Store, id: Uuid, verdict: CentreStatus, when: jiff::Timestamp) {
        let bundle = (verdict == CentreStatus::PrintReady).then(crate::queue::tests::bundle);
        s.apply_verdict(id, verdict, None, bundle.as_ref(), when)
            .unwrap();
    }

    #[test]
    fn a_day_s_numbers_follow_its_records_and_outlive_their_purge() {
        let (mut s, _dir) = store_with_key();
        let day: Date = "2026-11-25".parse().unwrap();
        // The evening before (t0 is 09:00 WIB): recorded, never sent — the day inherits it.
        let inherited = save(&mut s, at(-12 * 60), 40, 170);
        // 09:00: sent at 09:10, print ready, handed over at 09:30.
        let a = save(&mut s, at(0), 50, 200);
        send(&mut s, a, at(10));
        judge(&mut s, a, CentreStatus::PrintReady, at(20));
        assert_eq!(s.mark_handed_over(a, at(30)).unwrap(), State::Issued);
        // 10:00: leaves with the proof of recording; judged at 10:40, collected tomorrow.
        let b = save(&mut s, at(60), 70, 150);
        s.mark_receipt_printed(b, at(65)).unwrap();
        send(&mut s, b, at(90));
        judge(&mut s, b, CentreStatus::PrintReady, at(100));
        assert_eq!(s.mark_handed_over(b, at(25 * 60)).unwrap(), State::PickedUp);
        // 11:00: a duplicate, sent at 12:30 (in the backlog at the end of the 11 o'clock hour).
        let d = save(&mut s, at(120), 61, 181);
        send(&mut s, d, at(210));
        judge(&mut s, d, CentreStatus::Duplicate, at(215));
        s.set_link_rate(250_000, at(10)).unwrap();
        s.set_link_rate(1_000_000, at(90)).unwrap();

        let st = s.day_stats(day, Zone::Wib).unwrap();
        assert_eq!(
            st.counts,
            DayCounts {
                recorded: 3,
                sent: 3,
                print_ready: 2,
                issued: 1,
                receipts: 1,
                picked_up: 0,
                duplicates: 1,
                ..DayCounts::default()
            }
        );
        assert_eq!(
            (st.per_hour[9], st.per_hour[10], st.per_hour[11]),
            (1, 1, 1)
        );
        assert_eq!(st.per_hour.iter().sum::<u32>(), 3);
        // Steps in SOP order, times ascending, the share over the standard.
        assert_eq!(st.steps[0].step, "step-verify");
        assert_eq!(st.steps[0].seconds, vec![50, 61, 70]);
        assert_eq!(st.steps[0].over(), 2);
        assert_eq!(st.steps[0].median(), Some(61));
        assert_eq!(st.steps[1].seconds, vec![150, 181, 200]);
        assert_eq!(st.steps[1].over(), 2);
        // Backlog: the inherited record all day; the duplicate at 12:00 (sent 12:30).
        assert_eq!(st.backlog[0], (0.0, 1));
        assert_eq!(st.backlog[12], (12.0, 2));
        assert_eq!(st.backlog[24], (24.0, 1));
        assert_eq!(
            st.link_rate,
            vec![(9.0 + 10.0 / 60.0, 250_000), (10.5, 1_000_000)]
        );
        assert_eq!(
            st.verdicts,
            vec![
                ("print_ready".to_string(), 2),
                ("duplicate".to_string(), 1),
                ("adjudicate".to_string(), 0),
                ("enroll_failure".to_string(), 0)
            ]
        );
        // The next day has the pickup, and the inherited record is still not sent.
        let next = s.day_stats(day.tomorrow().unwrap(), Zone::Wib).unwrap();
        assert_eq!((next.counts.picked_up, next.counts.recorded), (1, 0));
        assert_eq!(next.backlog[0], (0.0, 1));
        let _ = inherited;

        // Nothing personal in the statistics' rows.
        let dump: Vec<String> = {
            let mut stmt = s
                .conn()
                .prepare("SELECT packet_id || operator_id || steps || state FROM recording_stats")
                .unwrap();
            let rows = stmt.query_map([], |r| r.get(0)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        assert_eq!(dump.len(), 4);
        assert!(dump.iter().all(|r| !r.contains("SITI") && !r.contains(NIK)));

        // The packet itself purged: the day's numbers stay.
        s.conn()
            .execute_batch(&format!("DELETE FROM packets WHERE id = '{a}'"))
            .unwrap();
        assert_eq!(s.day_stats(day, Zone::Wib).unwrap(), st);
    }

    #[test]
    fn a_day_that_does_not_exist_is_a_clear_error() {
        let (s, _dir) = store_with_key();
        let last: Date = "9999-12-31".parse().unwrap();
        let e = s.day_stats(last, Zone::Wib).unwrap_err();
        assert!(e.to_string().contains("9999-12-31"), "{e}");
    }
}
