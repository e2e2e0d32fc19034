//! The durable queue: one SQLite file in WAL mode with full sync, owned by one writer thread.
//!
//! Everything the booth keeps about an applicant passes through here: the sealed envelope until
//! the centre confirms it, a locally sealed name and NIK until the card is handed over, and a
//! hash-chained audit of every transition. The UI awaits [`Queue`] calls; the SQLite work runs on
//! the writer thread, so neither the UI nor the tokio workers ever block on the disk.

pub mod audit;
pub mod complaints;
pub mod issuance;
pub mod review;
pub mod schema;
pub mod selftests;
pub mod signin;
pub mod state;
pub mod statistics;
pub mod store;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use uuid::Uuid;

pub use crate::domain::numbers::receipt_no_is_well_formed;
pub use audit::AuditReport;
pub use complaints::{ComplaintDraft, ComplaintRow};
pub use issuance::{Approval, BlankStock, CardPrint, IssueProgress, PrintOutcome, ReprintReason};
pub use review::ReviewItem;
pub use selftests::SelftestEntry;
pub use state::{Handover, State};
pub use statistics::{
    ApprovalFact, CaptureFact, DayCounts, DayStats, RecordingFacts, StepFact, StepStats,
};
pub use store::Store;

use crate::durable_db::{DbError, Stopped, Writer};
use crate::seal::{LocalKey, SealError};
use crate::wire::centre::CentreStatus;

#[derive(Debug, Clone, thiserror::Error)]
pub enum QueueError {
    #[error("the queue database: {0}")]
    Db(#[from] DbError),
    /// A row whose content does not read back (the file itself is sound).
    #[error("the queue holds a damaged entry: {0}")]
    Corrupt(String),
    #[error("not recorded: {0}")]
    Invalid(String),
    #[error("{0}")]
    Io(String),
    #[error("packet {0} is not in the queue")]
    UnknownPacket(Uuid),
    #[error("packet {id} cannot go from {from} to {to}")]
    IllegalMove { id: Uuid, from: State, to: State },
    #[error("packet {id} is not {expected}")]
    NotInState { id: Uuid, expected: State },
    #[error("packet {id}: hand-over cannot go from {current} to {to}")]
    HandoverNotAllowed {
        id: Uuid,
        current: Handover,
        to: Handover,
    },
    #[error("{0:?} is not a verdict")]
    NotAVerdict(CentreStatus),
    #[error("packet {0}: a print-ready verdict came without the card's data")]
    MissingPersonalization(Uuid),
    #[error("this booth has recorded 9999 applicants today; no receipt number is left")]
    DayFull,
    #[error("local sealing failed: {0}")]
    Seal(String),
    #[error("the queue's writer thread has stopped")]
    Closed,
    #[error("the record is {state}, not print ready: no card can be printed for it")]
    NotPrintReady { state: State },
    #[error("a card was already put through the printer for packet {0}: printing another needs a supervisor's approval")]
    ReprintNeedsApproval(Uuid),
    #[error("packet {0}'s card has been handed over already")]
    AlreadyIssued(Uuid),
    #[error("card print {0} is not waiting for that answer")]
    UnknownPrint(i64),
}

impl From<rusqlite::Error> for QueueError {
    fn from(e: rusqlite::Error) -> Self {
        QueueError::Db(e.into())
    }
}

impl From<Stopped> for QueueError {
    fn from(_: Stopped) -> Self {
        QueueError::Closed
    }
}

impl From<SealError> for QueueError {
    fn from(e: SealError) -> Self {
        QueueError::Seal(e.to_string())
    }
}

/// The little the booth keeps readable (under its local key) to serve the applicant later.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantSummary {
    pub name: String,
    pub nik: String,
}

impl std::fmt::Debug for ApplicantSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApplicantSummary(..)")
    }
}

/// A sealed enrollment ready to be made durable.
pub struct NewRecord {
    pub packet_id: Uuid,
    /// CBOR of the [`crate::seal::SealedPacket`].
    pub envelope: Vec<u8>,
    pub summary: ApplicantSummary,
    pub recorded_at: Timestamp,
    /// End of the verdict window.
    pub deadline_at: Timestamp,
    /// The supervisor's approvals given at the booth for this record (they join the audit
    /// chain with it).
    pub approvals: Vec<crate::enrollment::Approval>,
    /// What the office's statistics keep of it (nothing personal).
    pub facts: RecordingFacts,
    /// The office reviews records before sending (`review_before_send`): the record waits in
    /// [`State::AwaitingReview`] until the supervisor approves or rejects it.
    pub awaiting_review: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Committed {
    pub packet_id: Uuid,
    pub queue_no: u32,
    pub receipt_no: String,
    /// The state it was saved in: `recorded`, or `awaiting_review` where the office reviews
    /// records before sending.
    pub state: State,
}

/// A packet claimed for sending.
pub struct Outgoing {
    pub packet_id: Uuid,
    pub envelope: Vec<u8>,
    pub attempts: u32,
    /// The centre's upload URL, once an upload was created.
    pub upload_url: Option<String>,
    /// Bytes the centre last acknowledged.
    pub upload_offset: u64,
    /// Written to a removable drive: the centre may hold it already.
    pub exported: bool,
}

/// One packet as `queue list` and `queue show` print it: ids, states and times, never
/// personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueRow {
    pub packet_id: Uuid,
    pub queue_no: u32,
    pub receipt_no: String,
    pub state: State,
    pub handover: Handover,
    pub recorded_at: Timestamp,
    pub deadline_at: Timestamp,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    /// The centre's verdict as its machine code (`duplicate.nik_enrolled`, …).
    pub verdict_code: Option<String>,
    pub updated_at: Timestamp,
    pub holds_sealed_captures: bool,
    pub holds_applicant: bool,
    pub holds_personalization: bool,
    /// Bytes of the sealed envelope (None for packets recorded before sizes were kept and
    /// already sent).
    pub sealed_size: Option<u64>,
    /// Bytes of it the centre has acknowledged.
    pub upload_offset: u64,
}

/// One line of the waiting list on the home screen. Holds the applicant's name: shown on the
/// screen, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct WaitingEntry {
    pub packet_id: Uuid,
    pub queue_no: u32,
    pub receipt_no: String,
    pub name: String,
    pub state: State,
    pub handover: Handover,
    pub deadline_at: Timestamp,
}

impl std::fmt::Debug for WaitingEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WaitingEntry({}, {})", self.queue_no, self.state)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub by_state: BTreeMap<State, u64>,
    pub receipts_due: u64,
    pub oldest_unsent: Option<Timestamp>,
    pub last_error: Option<String>,
    /// Sealed bytes the centre does not hold yet.
    pub backlog_bytes: u64,
    /// The link's last measured rate, bits per second.
    pub link_rate_bps: Option<u64>,
}

impl Counts {
    /// How long the backlog takes at the measured rate (None until a rate is measured).
    pub fn backlog_eta(&self) -> Option<std::time::Duration> {
        let rate = self.link_rate_bps.filter(|r| *r > 0)?;
        Some(std::time::Duration::from_millis(
            self.backlog_bytes.saturating_mul(8_000) / rate,
        ))
    }

    pub fn get(&self, s: State) -> u64 {
        self.by_state.get(&s).copied().unwrap_or(0)
    }
    pub fn unsent(&self) -> u64 {
        self.get(State::Recorded) + self.get(State::Sending)
    }
}

/// A handle to the queue's writer thread. Cheap to clone.
#[derive(Clone)]
pub struct Queue {
    writer: Writer<Store>,
}

impl Queue {
    /// Opens the queue file and starts its writer thread.
    pub fn open(path: &Path, local: LocalKey, booth_number: u8) -> Result<Self, QueueError> {
        let store = Store::open(path, local, booth_number)?;
        Ok(Self::spawn(store))
    }

    pub fn spawn(store: Store) -> Self {
        let writer = Writer::spawn("queue-writer", store, |store| {
            if let Err(e) = store.checkpoint() {
                tracing::warn!(error = %e, "checkpoint at shutdown failed");
            }
        });
        Self { writer }
    }

    /// Runs `f` on the writer thread and awaits its answer.
    pub async fn call<T, F>(&self, f: F) -> Result<T, QueueError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, QueueError> + Send + 'static,
    {
        self.writer.call(f).await
    }

    pub async fn commit(&self, rec: NewRecord) -> Result<Committed, QueueError> {
        self.call(move |s| s.commit(rec)).await
    }

    pub async fn list(&self) -> Result<Vec<QueueRow>, QueueError> {
        self.call(|s| s.list()).await
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<QueueRow>, QueueError> {
        self.call(move |s| s.get(id)).await
    }

    pub async fn counts(&self) -> Result<Counts, QueueError> {
        self.call(|s| s.counts()).await
    }

    pub async fn waiting_list(&self) -> Result<Vec<WaitingEntry>, QueueError> {
        self.call(|s| s.waiting_list()).await
    }

    pub async fn verify_audit(&self) -> Result<AuditReport, QueueError> {
        self.call(|s| s.verify_audit()).await
    }

    pub async fn mark_receipt_printed(&self, id: Uuid, now: Timestamp) -> Result<(), QueueError> {
        self.call(move |s| s.mark_receipt_printed(id, now)).await
    }

    pub async fn mark_handed_over(&self, id: Uuid, now: Timestamp) -> Result<State, QueueError> {
        self.call(move |s| s.mark_handed_over(id, now)).await
    }
}

#[cfg(test)]
pub(crate) mod tests;
