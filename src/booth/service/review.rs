//! The supervisor's review before sending (`[procedure] review_before_send`): the records
//! awaiting it, and the supervisor's approval (the record goes to the transmitter, its verdict
//! window starting now) or rejection with a reason (the record is purged, the audit chain names
//! the supervisor and the reason). Only a supervisor may do either.

use uuid::Uuid;

use super::staff::{allow, Action, NotYours, Staff};
use super::Service;
use crate::queue::{QueueError, ReviewItem};

/// Why a supervisor rejects a record: a few fixed reasons to tap, and the free one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// Captures too poor to be matched (and kept after the retries).
    PoorQuality,
    /// An exception recorded where a capture was possible.
    WrongException,
    /// The steps were not followed (documents, verification).
    Procedure,
    /// The record does not belong to the applicant verified.
    WrongApplicant,
    /// Something else, said in words.
    Other,
}

impl RejectReason {
    pub const ALL: [RejectReason; 5] = [
        RejectReason::PoorQuality,
        RejectReason::WrongException,
        RejectReason::Procedure,
        RejectReason::WrongApplicant,
        RejectReason::Other,
    ];

    /// The code the audit chain carries (and the translation key's tail: `review-reason-<code>`).
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::PoorQuality => "poor_quality",
            RejectReason::WrongException => "wrong_exception",
            RejectReason::Procedure => "procedure",
            RejectReason::WrongApplicant => "wrong_applicant",
            RejectReason::Other => "other",
        }
    }
}

/// The longest note a rejection may carry.
pub const NOTE_MAX: usize = 200;

/// Why a review could not be given.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    NotYours(#[from] NotYours),
    #[error("\"other\" needs a few words saying why the record is rejected")]
    NoteNeeded,
    #[error("the note is {0} characters long; at most {NOTE_MAX} fit")]
    NoteTooLong(usize),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// The reason as the audit chain carries it: the code, then the note on one line.
pub fn reason_text(reason: RejectReason, note: &str) -> Result<String, ReviewError> {
    let note = note.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = note.chars().count();
    if len > NOTE_MAX {
        return Err(ReviewError::NoteTooLong(len));
    }
    match (reason, note.is_empty()) {
        (RejectReason::Other, true) => Err(ReviewError::NoteNeeded),
        (_, true) => Ok(reason.as_str().to_string()),
        (_, false) => Ok(format!("{}: {note}", reason.as_str())),
    }
}

impl Service {
    /// Whether this office reviews records before sending.
    pub fn reviews_before_sending(&self) -> bool {
        self.config().procedure.review_before_send
    }

    /// The records awaiting review, oldest first (nothing personal: times, qualities,
    /// exceptions, the operator).
    pub async fn awaiting_review(&self, who: &Staff) -> Result<Vec<ReviewItem>, ReviewError> {
        allow(who, Action::Review)?;
        Ok(self.queue().call(|s| s.awaiting_review()).await?)
    }

    /// How many records await review (the supervisor area's count).
    pub async fn awaiting_review_count(&self) -> Result<u64, QueueError> {
        self.queue().call(|s| s.awaiting_review_count()).await
    }

    /// The supervisor approves record `id`: it goes to the transmitter now, and the verdict
    /// window starts now.
    pub async fn approve_record(&self, who: &Staff, id: Uuid) -> Result<(), ReviewError> {
        allow(who, Action::Review)?;
        let now = self.clock().now();
        let window = self.config().verdict_wait();
        let supervisor = who.id.clone();
        self.queue()
            .call(move |s| s.approve_review(id, &supervisor, window, now))
            .await?;
        tracing::info!(supervisor = %who.id, packet = %id, "record approved at review");
        self.transmitter().wake();
        Ok(())
    }

    /// The supervisor rejects record `id` for `reason` (with `note`, needed for
    /// [`RejectReason::Other`]): it is never sent and its data are deleted.
    pub async fn reject_record(
        &self,
        who: &Staff,
        id: Uuid,
        reason: RejectReason,
        note: &str,
    ) -> Result<(), ReviewError> {
        allow(who, Action::Review)?;
        let text = reason_text(reason, note)?;
        let now = self.clock().now();
        let supervisor = who.id.clone();
        self.queue()
            .call(move |s| s.reject_review(id, &supervisor, &text, now))
            .await?;
        tracing::info!(supervisor = %who.id, packet = %id, reason = reason.as_str(), "record rejected at review");
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_a_code_with_an_optional_note_on_one_line() {
        assert_eq!(
            reason_text(RejectReason::PoorQuality, "  ").unwrap(),
            "poor_quality"
        );
        assert_eq!(
            reason_text(RejectReason::Other, "jari\n basah ").unwrap(),
            "other: jari basah"
        );
        assert!(matches!(
            reason_text(RejectReason::Other, ""),
            Err(ReviewError::NoteNeeded)
        ));
        let long = "x".repeat(NOTE_MAX + 1);
        assert!(matches!(
            reason_text(RejectReason::Procedure, &long),
            Err(ReviewError::NoteTooLong(201))
        ));
    }
}
