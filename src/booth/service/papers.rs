//! The papers an applicant leaves with when no card is handed over: the proof of recording
//! (no verdict in the window), a notice of its own for each non-printable verdict, the
//! out-of-blanks paper for a print-ready record — and taking an applicant who has left off the
//! waiting list without any paper, with a reason.

use jiff::ToSpan;
use ktpel_hal::{DeviceError, ErrorKind, ReceiptDoc};
use uuid::Uuid;

use super::applicant::ApplicantRecord;
use super::staff::{allow, Action, NotYours, Staff};
use super::Service;
use crate::papers::notice::{AwaitingBlanks, Verdict, VerdictNotice};
use crate::papers::receipt::ProofOfRecording;
use crate::papers::Holder;
use crate::queue::{QueueError, QueueRow, State as QState};

/// Why a paper was not printed. Nothing changes in the queue when it is not.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PaperError {
    #[error(transparent)]
    NotYours(#[from] NotYours),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("the receipt printer: {0}")]
    Printer(#[from] DeviceError),
    #[error("no paper of that kind belongs to a {state} record")]
    Wrong { state: QState },
    #[error("the applicant's name and NIK are no longer kept for this record")]
    NoApplicant,
}

impl PaperError {
    /// A person must act at the printer (paper out, cover open).
    pub fn needs_person(&self) -> bool {
        matches!(self, PaperError::Printer(e) if e.kind == ErrorKind::NeedsAttention)
    }
}

/// Why an applicant left without a paper (audited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftReason {
    /// They left before their turn came back.
    LeftOffice,
    /// They will come back another day with their documents.
    WillReturn,
    /// Recorded by mistake (wrong person, test).
    RecordedInError,
}

impl LeftReason {
    pub const ALL: [LeftReason; 3] = [
        LeftReason::LeftOffice,
        LeftReason::WillReturn,
        LeftReason::RecordedInError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeftReason::LeftOffice => "left_office",
            LeftReason::WillReturn => "will_return",
            LeftReason::RecordedInError => "recorded_in_error",
        }
    }
}

/// Which paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// The proof of recording, to come back for the card.
    Receipt,
    /// The notice of a duplicate, adjudicate or enroll-failure verdict.
    Notice,
    /// Print ready, no blank cards: the card is printed when blanks arrive.
    AwaitingBlanks,
}

impl Paper {
    /// The paper a record's applicant should leave with now, if any.
    pub fn due_for(row: &QueueRow) -> Option<Paper> {
        match row.state {
            // Not sent (or not judged) yet: the SOP's proof of recording, also while the record
            // waits for the supervisor's review, for an applicant who cannot wait for it.
            QState::AwaitingReview | QState::Recorded | QState::Sending | QState::Received => {
                Some(Paper::Receipt)
            }
            s if s.not_printable() => Some(Paper::Notice),
            QState::PrintReady => Some(Paper::AwaitingBlanks),
            _ => None,
        }
    }
}

impl Service {
    fn holder(&self, rec: &ApplicantRecord) -> Result<Holder, PaperError> {
        let s = rec.summary.as_ref().ok_or(PaperError::NoApplicant)?;
        let cfg = self.config();
        Ok(Holder {
            office: cfg.booth.office.clone(),
            booth_id: cfg.booth.id.clone(),
            receipt_no: rec.row.receipt_no.clone(),
            queue_no: rec.row.queue_no,
            name: s.name.clone(),
            nik_masked: if s.nik.len() == 16 {
                crate::domain::nik::mask(&s.nik)
            } else {
                "*".repeat(16)
            },
            recorded_at: rec.row.recorded_at,
            zone: cfg.booth.time_zone,
        })
    }

    /// The document `paper` prints for `rec`, or why that paper does not belong to it.
    pub fn paper(&self, rec: &ApplicantRecord, paper: Paper) -> Result<ReceiptDoc, PaperError> {
        let holder = self.holder(rec)?;
        let state = rec.row.state;
        Ok(match paper {
            Paper::Receipt
                if !matches!(state, QState::Issued | QState::PickedUp | QState::Rejected) =>
            {
                let day = crate::clock::wib_date(rec.row.recorded_at);
                let days = i64::from(self.config().procedure.come_back_days);
                ProofOfRecording {
                    holder,
                    come_back_from: day.checked_add(days.days()).unwrap_or(day),
                    under_review: state == QState::AwaitingReview,
                }
                .document()
            }
            Paper::Notice => {
                let verdict = match state {
                    QState::Duplicate => Verdict::Duplicate,
                    QState::Adjudicate => Verdict::Adjudicate,
                    QState::EnrollFailure => Verdict::EnrollFailure,
                    _ => return Err(PaperError::Wrong { state }),
                };
                VerdictNotice {
                    holder,
                    verdict,
                    reason: rec.row.verdict_code.clone(),
                }
                .document()
            }
            Paper::AwaitingBlanks if state == QState::PrintReady => {
                AwaitingBlanks { holder }.document()
            }
            _ => return Err(PaperError::Wrong { state }),
        })
    }

    /// Prints `paper` for record `id` and records it (the first print of each moves the
    /// record; printing one again later is allowed and changes nothing).
    pub async fn print_paper(&self, who: &Staff, id: Uuid, paper: Paper) -> Result<(), PaperError> {
        allow(who, Action::Papers)?;
        let rec = self.open(id).await?;
        let doc = self.paper(&rec, paper)?;
        self.print_receipt_doc(doc).await?;
        let now = self.clock().now();
        let moved = match paper {
            Paper::Receipt => {
                self.queue()
                    .call(move |s| s.mark_receipt_printed(id, now))
                    .await
            }
            Paper::Notice => {
                self.queue()
                    .call(move |s| s.mark_notice_printed(id, now))
                    .await
            }
            Paper::AwaitingBlanks => {
                self.queue()
                    .call(move |s| s.mark_awaiting_blanks(id, now))
                    .await
            }
        };
        match moved {
            // Printed again: the record already moved the first time.
            Ok(()) | Err(QueueError::HandoverNotAllowed { .. }) => {
                super::release_free_memory().await;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Sends a document to the receipt printer on its worker.
    pub async fn print_receipt_doc(&self, doc: ReceiptDoc) -> Result<(), DeviceError> {
        self.devices
            .receipt_printer
            .call(move |p| p.print(&doc))
            .await?
    }

    /// Takes an applicant who left without a paper off the waiting list (audited with why).
    pub async fn dismiss(
        &self,
        who: &Staff,
        id: Uuid,
        reason: LeftReason,
    ) -> Result<(), PaperError> {
        allow(who, Action::Papers)?;
        let now = self.clock().now();
        let detail = format!("{} by {}", reason.as_str(), who.id);
        self.queue()
            .call(move |s| s.dismiss(id, &detail, now))
            .await?;
        Ok(())
    }
}
