//! Review before sending (`[procedure] review_before_send`): a saved record waits in
//! [`State::AwaitingReview`] until the supervisor approves it (it becomes `recorded`, due for
//! sending at once, and its verdict window starts then) or rejects it with a reason (it becomes
//! `rejected`: its sealed payload, the applicant's summary and NIK tag are deleted, the
//! statistics row stays). Both are one transaction with an audit event naming the supervisor
//! (and the reason). What the supervisor judges by is read from the statistics: nothing personal.

use jiff::Timestamp;
use rusqlite::{params, TransactionBehavior};
use std::time::Duration;
use uuid::Uuid;

use super::state::State;
use super::statistics::{ApprovalFact, CaptureFact, StepFact};
use super::store::Store;
use super::QueueError;
use crate::clock::{add, from_millis, to_millis};

/// One record awaiting review as the supervisor's screen shows it: no name, NIK or image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub packet_id: Uuid,
    pub queue_no: u32,
    pub recorded_at: Timestamp,
    /// The operator's staff id.
    pub operator_id: String,
    /// The SOP steps' times against their standards.
    pub steps: Vec<StepFact>,
    /// Each face, finger and iris: quality against threshold, or its exception.
    pub captures: Vec<CaptureFact>,
    /// Approvals given at the booth before the save (exceptions, re-recording).
    pub approvals: Vec<ApprovalFact>,
}

impl ReviewItem {
    /// Fingers and eyes recorded as exceptions.
    pub fn exceptions(&self) -> impl Iterator<Item = &CaptureFact> {
        self.captures.iter().filter(|c| c.exception.is_some())
    }

    /// Captures kept below their quality threshold.
    pub fn below_threshold(&self) -> impl Iterator<Item = &CaptureFact> {
        self.captures.iter().filter(|c| c.below_threshold())
    }
}

fn json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, QueueError> {
    serde_json::from_str(text).map_err(|e| QueueError::Corrupt(format!("{what}: {e}")))
}

impl Store {
    /// The records awaiting the supervisor's review, oldest first.
    pub fn awaiting_review(&self) -> Result<Vec<ReviewItem>, QueueError> {
        let mut stmt = self.conn().prepare(
            "SELECT p.id, p.queue_no, p.recorded_at,
                    COALESCE(r.operator_id, ''), COALESCE(r.steps, '[]'),
                    COALESCE(r.captures, '[]'), COALESCE(r.approvals, '[]')
             FROM packets p LEFT JOIN recording_stats r ON r.packet_id = p.id
             WHERE p.state = 'awaiting_review' ORDER BY p.recorded_at, p.id",
        )?;
        type Raw = (String, u32, i64, String, String, String, String);
        let rows = stmt.query_map([], |r| Raw::try_from(r))?;
        rows.map(|raw| {
            let (id, queue_no, at, operator_id, steps, captures, approvals): Raw = raw?;
            Ok(ReviewItem {
                packet_id: Uuid::parse_str(&id).map_err(|e| QueueError::Corrupt(e.to_string()))?,
                queue_no,
                recorded_at: from_millis(at),
                operator_id,
                steps: json("step times of a recording", &steps)?,
                captures: json("captures of a recording", &captures)?,
                approvals: json("approvals of a recording", &approvals)?,
            })
        })
        .collect()
    }

    /// How many records await review.
    pub fn awaiting_review_count(&self) -> Result<u64, QueueError> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM packets WHERE state = 'awaiting_review'",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// The supervisor `supervisor_id` approved record `id`: it goes to the transmitter at once,
    /// and its verdict window (`window`) starts now.
    pub fn approve_review(
        &mut self,
        id: Uuid,
        supervisor_id: &str,
        window: Duration,
        now: Timestamp,
    ) -> Result<(), QueueError> {
        let (conn, _) = self.conn_and_key();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let _span = tracing::info_span!("queue.review", %id, supervisor = supervisor_id, verdict = "approved").entered();
        let detail = format!("approved by {supervisor_id}");
        Store::transition(
            &tx,
            id,
            State::AwaitingReview,
            State::Recorded,
            now,
            &detail,
        )?;
        tx.execute(
            "UPDATE packets SET deadline_at = ?1, next_attempt_at = ?2 WHERE id = ?3",
            params![to_millis(add(now, window)), to_millis(now), id.to_string()],
        )?;
        tx.execute(
            "UPDATE recording_stats SET review = 'approved', reviewed_at = ?1, reviewer_id = ?2
             WHERE packet_id = ?3",
            params![to_millis(now), supervisor_id, id.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The supervisor `supervisor_id` rejected record `id` for `reason`: it is never sent; its
    /// sealed payload, the applicant's summary and NIK tag are deleted in the same transaction
    /// (a new recording of the NIK is not held up by it). The statistics row stays.
    pub fn reject_review(
        &mut self,
        id: Uuid,
        supervisor_id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), QueueError> {
        if reason.trim().is_empty() {
            return Err(QueueError::Invalid(
                "a rejection needs a reason".to_string(),
            ));
        }
        let (conn, _) = self.conn_and_key();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let _span = tracing::info_span!("queue.review", %id, supervisor = supervisor_id, verdict = "rejected").entered();
        let detail = format!("rejected by {supervisor_id} · {}", reason.trim());
        Store::transition(
            &tx,
            id,
            State::AwaitingReview,
            State::Rejected,
            now,
            &detail,
        )?;
        let key = id.to_string();
        tx.execute("DELETE FROM sealed WHERE id = ?1", [&key])?;
        tx.execute("DELETE FROM applicant WHERE id = ?1", [&key])?;
        tx.execute("UPDATE packets SET nik_tag = NULL WHERE id = ?1", [&key])?;
        tx.execute(
            "UPDATE recording_stats SET review = 'rejected', reviewed_at = ?1, reviewer_id = ?2
             WHERE packet_id = ?3",
            params![to_millis(now), supervisor_id, key],
        )?;
        tx.commit()?;
        Ok(())
    }
}
