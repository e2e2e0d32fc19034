//! The applicant's side of the SOP: the NIK checked and looked up in SIAK together with every
//! record the centre and this booth already hold for it (so a re-recording is caught before
//! capture), the captures, the save, and the queue as the operator sees it.

use ktpel_hal::DeviceError;
use tracing::Instrument as _;
use uuid::Uuid;

use super::staff::{allow, Action, Staff};
use super::Service;
use crate::booth::recording::{
    self, ApprovalCase, ApprovalRules, Captured, Captures, Slot, EXCEPTIONS_APPROVAL,
};
use crate::booth::{LookupError, RecordError};
use crate::domain::nik::Nik;
use crate::domain::resident::Resident;
use crate::enrollment::{Approval, StepTiming};
use crate::queue::{
    ApplicantSummary, BlankStock, Committed, Counts, QueueError, QueueRow, State as QState,
    WaitingEntry,
};
use crate::wire::centre::{RecordFact, RecordStatus};

/// A resident SIAK knows, with what is already on record for them.
#[derive(Debug, Clone)]
pub struct Verified {
    pub resident: Box<Resident>,
    /// Records of this NIK in this booth's queue (some may not have reached the centre yet).
    pub here: Vec<QueueRow>,
    /// Records the centre holds for this NIK.
    pub centre: Vec<RecordFact>,
    /// Why the centre's records could not be asked for (the link is down): the operator is
    /// told the check for earlier records was not possible.
    pub centre_unknown: Option<String>,
}

/// What an earlier record means for a new recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prior {
    /// Still being sent or judged: the applicant should wait, or come back with the receipt.
    InProcess,
    /// A card is ready to be printed: serve it as a pickup.
    PrintReady,
    /// A card was issued: a new recording makes a duplicate.
    Issued,
    /// The earlier record was judged a duplicate.
    Duplicate,
    /// An officer is deciding on the earlier record.
    Adjudicate,
}

impl Prior {
    pub fn as_str(self) -> &'static str {
        match self {
            Prior::InProcess => "in_process",
            Prior::PrintReady => "print_ready",
            Prior::Issued => "issued",
            Prior::Duplicate => "duplicate",
            Prior::Adjudicate => "adjudicate",
        }
    }
}

impl Verified {
    /// The earlier record that stands in the way of a new one, most telling first: nothing
    /// (never recorded, or only failed enrollments) lets the recording go ahead.
    pub fn prior(&self) -> Option<Prior> {
        let here = self.here.iter().filter_map(|r| match r.state {
            QState::AwaitingReview | QState::Recorded | QState::Sending | QState::Received => {
                Some(Prior::InProcess)
            }
            QState::PrintReady => Some(Prior::PrintReady),
            QState::Issued | QState::PickedUp => Some(Prior::Issued),
            QState::Duplicate => Some(Prior::Duplicate),
            QState::Adjudicate => Some(Prior::Adjudicate),
            // Rejected at review (never sent) or failed: a new recording goes ahead.
            QState::EnrollFailure | QState::Rejected => None,
        });
        let centre = self.centre.iter().filter_map(|f| match f.status {
            RecordStatus::InProcess => Some(Prior::InProcess),
            RecordStatus::PrintReady => Some(Prior::PrintReady),
            RecordStatus::Issued => Some(Prior::Issued),
            RecordStatus::Duplicate => Some(Prior::Duplicate),
            RecordStatus::Adjudicate => Some(Prior::Adjudicate),
            RecordStatus::EnrollFailure => None,
        });
        let rank = |p: &Prior| match p {
            Prior::Issued => 0,
            Prior::PrintReady => 1,
            Prior::InProcess => 2,
            Prior::Adjudicate => 3,
            Prior::Duplicate => 4,
        };
        here.chain(centre).min_by_key(rank)
    }

    /// This booth's record to open for a pickup or a status check, when there is one.
    pub fn open_here(&self) -> Option<&QueueRow> {
        self.here
            .iter()
            .rev()
            .find(|r| !matches!(r.state, QState::EnrollFailure | QState::Rejected))
    }
}

/// One applicant's record as the applicant screen opens it.
#[derive(Debug, Clone)]
pub struct ApplicantRecord {
    pub row: QueueRow,
    /// Name and NIK while the booth keeps them (until the card is handed over).
    pub summary: Option<ApplicantSummary>,
}

/// The queue at a glance for the home screen.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub counts: Counts,
    pub waiting: Vec<WaitingEntry>,
    /// Print-ready applicants who left with the out-of-blanks paper.
    pub awaiting_blanks: Vec<WaitingEntry>,
    pub blanks: BlankStock,
}

impl Service {
    /// Checks the NIK here (the operator learns which part is wrong), then asks SIAK for the
    /// resident and, at once, the centre and this booth's queue for earlier records.
    pub async fn lookup(&self, who: &Staff, nik: &str) -> Result<Verified, LookupError> {
        allow(who, Action::Record).map_err(LookupError::NotYours)?;
        // The start of a new recording: refused while a day's records might not fit on disk.
        crate::booth::disk::room_for_a_day(
            &self.booth.data_dir,
            self.booth.config.booth.min_free_disk_mb,
        )
        .map_err(LookupError::LowDisk)?;
        let today = crate::clock::wib_date(self.clock().now());
        let nik = Nik::parse(nik.trim(), today)?;
        let client = &self.booth.client;
        let (resident, centre) =
            tokio::join!(client.resident(nik.as_str()), client.records(nik.as_str()));
        let resident = resident?;
        let (centre, centre_unknown) = match centre {
            Ok(h) => (h.records, None),
            Err(e) => {
                tracing::warn!(error = %e.class(), "earlier records not checked at the centre");
                (Vec::new(), Some(e.to_string()))
            }
        };
        let key = nik.as_str().to_string();
        let here = self
            .queue()
            .call(move |s| s.find_by_nik(&key))
            .await
            .map_err(LookupError::Queue)?;
        Ok(Verified {
            resident: Box::new(resident),
            here,
            centre,
            centre_unknown,
        })
    }

    /// A new applicant in front of the booth: devices that keep captures forget the last
    /// one's, and simulated devices show the person for this NIK.
    pub async fn begin_applicant(&self, nik: &str) -> Result<(), DeviceError> {
        self.devices.set_subject(recording::sim_subject(nik));
        self.devices.begin_applicant().await
    }

    /// Runs the device for `slot` on its worker; a scanner or pad still busy with an earlier
    /// call answers `Busy` at once instead of queueing a second capture behind it (the camera's
    /// still waits for the preview frame in hand).
    pub async fn capture(&self, slot: Slot) -> Result<Captured, DeviceError> {
        self.capture_inner(slot)
            .instrument(tracing::info_span!("capture", slot = ?slot))
            .await
    }

    async fn capture_inner(&self, slot: Slot) -> Result<Captured, DeviceError> {
        let d = &self.devices;
        let timeout = recording::CAPTURE_TIMEOUT;
        let result = match slot {
            // The preview shares the camera: the still waits for the frame in hand.
            Slot::Face => d
                .camera
                .call(|c| c.capture_face())
                .await?
                .map(Captured::Face),
            Slot::Finger(p) => d
                .fingerprint
                .try_call(move |f| f.capture_finger(p, timeout))
                .await?
                .map(Captured::Finger),
            Slot::Iris(e) => d
                .iris
                .try_call(move |i| i.capture_iris(e, timeout))
                .await?
                .map(Captured::Iris),
            Slot::Signature => match &d.signature {
                Some(pad) => pad
                    .try_call(move |p| {
                        p.clear()?;
                        p.capture_signature(timeout)
                    })
                    .await?
                    .map(Captured::Signature),
                None => Err(DeviceError::not_present(
                    "no signature pad is configured: the applicant signs on the touchscreen",
                )),
            },
        };
        match &result {
            Ok(c) => tracing::info!(quality = ?c.quality(), "captured"),
            Err(e) => tracing::warn!(kind = e.kind.as_str(), error = %e, "capture failed"),
        }
        result
    }

    /// Tells the devices which fingers and eyes are exceptions (a slap scanner stops waiting
    /// for them).
    pub async fn set_exceptions(
        &self,
        fingers: Vec<ktpel_hal::FingerPosition>,
        eyes: Vec<ktpel_hal::Eye>,
    ) -> Result<(), DeviceError> {
        self.devices
            .fingerprint
            .call(move |f| f.set_exceptions(&fingers))
            .await?;
        self.devices
            .iris
            .call(move |i| i.set_exceptions(&eyes))
            .await
    }

    /// Assembles the record of `resident` from `captures` (every slot filled), with the step
    /// times and the supervisor's approvals (of a re-recording, of the record's exceptions),
    /// seals it and makes it durable; only `Ok` lets the screen say "recorded". Sending starts
    /// at once. A record the office's rules want approved (see [`Captures::needing_approval`])
    /// is refused without a configured supervisor's approval of exactly its cases.
    pub async fn record(
        &self,
        who: &Staff,
        resident: Resident,
        captures: Captures,
        timings: Vec<StepTiming>,
        approvals: Vec<Approval>,
    ) -> Result<Committed, RecordError> {
        allow(who, Action::Record).map_err(RecordError::NotYours)?;
        let cases = ApprovalCase::codes(
            &captures.needing_approval(ApprovalRules::of(&self.config().procedure)),
        );
        if !cases.is_empty() {
            let supervisor = |id: &str| {
                self.config()
                    .operators
                    .iter()
                    .any(|o| o.id == id && Action::Approve.allowed(o.role))
            };
            let approved = approvals.iter().any(|a| {
                a.what == EXCEPTIONS_APPROVAL && a.reason == cases && supervisor(&a.supervisor_id)
            });
            if !approved {
                return Err(RecordError::NeedsApproval(cases));
            }
        }
        let mut enrollment = captures.into_enrollment(
            resident,
            &self.config().booth.id,
            &who.id,
            self.clock().now(),
            timings,
        )?;
        enrollment.approvals.extend(approvals);
        let waker = self.transmitter.waker();
        let committed = self.booth.record(enrollment, Some(&waker)).await;
        // The captures are sealed and gone from memory: give their pages back.
        super::release_free_memory().await;
        committed
    }

    /// The queue at a glance: counts, the waiting list, the out-of-blanks list, the stock.
    pub async fn overview(&self) -> Result<Overview, QueueError> {
        self.queue()
            .call(|s| {
                Ok(Overview {
                    counts: s.counts()?,
                    waiting: s.waiting_list()?,
                    awaiting_blanks: s.awaiting_blanks()?,
                    blanks: s.blank_stock()?,
                })
            })
            .await
    }

    /// One record with the applicant's name and NIK while they are kept.
    pub async fn open(&self, id: Uuid) -> Result<ApplicantRecord, QueueError> {
        self.queue()
            .call(move |s| {
                let row = s.get(id)?.ok_or(QueueError::UnknownPacket(id))?;
                Ok(ApplicantRecord {
                    summary: s.applicant(id)?,
                    row,
                })
            })
            .await
    }

    /// The record a receipt (or another paper) was printed for, if it is at this booth.
    pub async fn find_receipt(
        &self,
        receipt_no: &str,
    ) -> Result<Option<ApplicantRecord>, QueueError> {
        let no = receipt_no.to_string();
        self.queue()
            .call(move |s| {
                let Some(row) = s.find_by_receipt(&no)? else {
                    return Ok(None);
                };
                Ok(Some(ApplicantRecord {
                    summary: s.applicant(row.packet_id)?,
                    row,
                }))
            })
            .await
    }
}
