//! A day at the booth without a screen: `ktpel-booth simulate-day`. It takes N applicants
//! through the same booth-service operations the kiosk's screens call — SIAK look-up, every
//! capture from the simulated devices, the save, transmission to the embedded centre, then the
//! card, a paper, or a pickup later — on a clock that runs as fast as the work allows. The mix
//! of outcomes is fixed by the applicant's number (see [`Plan`]), so two runs are comparable:
//!
//! | every 20 applicants | what happens |
//! |---|---|
//! | 15 | print ready within the hour: card printed, chip written and verified, handed over — while blank cards last; after that, the out-of-blanks paper, and the card when blanks arrive |
//! | 2 (3rd, 13th) | leaves with the proof of recording, picks the card up at the end of the day |
//! | 1 (7th) | duplicate verdict: the duplicate notice |
//! | 1 (11th) | adjudicate verdict: the adjudicate notice |
//! | 1 (17th) | enroll failure: the enroll-failure notice |
//!
//! Every tenth applicant also files a complaint at the booth (its ticket printed; the embedded
//! desk receives it). At the end one applicant who already has a card comes back to be
//! recorded again, and is caught at verification. For each applicant the report gives the outcome, the software's own
//! time in each SOP step and the process's resident memory. Offices use it for training and
//! soak tests; the memory benchmark runs it.

use jiff::Timestamp;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

use crate::booth::recording::{Captured, Captures, Slot};
use crate::booth::service::papers::Paper;
use crate::booth::service::{Service, Staff};
use crate::centre_sim::CentreSim;
use crate::clock::{Clock, ManualClock};
use crate::config::{CentreConfig, Config, EmbeddedCentreConfig, Role};
use crate::domain::resident::Resident;
use crate::queue::{IssueProgress, State as QState};
use crate::wire::centre::CentreStatus;

/// What the day is asked to be.
#[derive(Debug, Clone)]
pub struct DayOptions {
    pub applicants: usize,
    /// Blank cards loaded at the start of the day (the rest arrive at its end).
    pub blanks: u32,
    /// The booth's data, kept after the run; `None` for a folder removed at the end.
    pub data_dir: Option<PathBuf>,
}

/// What happens to applicant `n` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    PrintReady,
    PickupLater,
    Duplicate,
    Adjudicate,
    EnrollFailure,
}

impl Plan {
    pub fn for_applicant(n: usize) -> Plan {
        match n % 20 {
            3 | 13 => Plan::PickupLater,
            7 => Plan::Duplicate,
            11 => Plan::Adjudicate,
            17 => Plan::EnrollFailure,
            _ => Plan::PrintReady,
        }
    }

    fn scripted(self) -> Option<CentreStatus> {
        match self {
            Plan::Duplicate => Some(CentreStatus::Duplicate),
            Plan::Adjudicate => Some(CentreStatus::Adjudicate),
            Plan::EnrollFailure => Some(CentreStatus::EnrollFailure),
            Plan::PrintReady | Plan::PickupLater => None,
        }
    }
}

/// How an applicant's visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Card handed over within the hour.
    Issued,
    /// Left with the proof of recording; card collected later.
    ReceiptThenPickedUp,
    /// Left with the out-of-blanks paper; card printed when blanks arrived and collected.
    BlanksThenPickedUp,
    DuplicateNotice,
    AdjudicateNotice,
    EnrollFailureNotice,
    /// Came back to record again and was stopped at verification (the NIK has a card).
    RerecordingCaught,
}

/// The software's own time in each SOP step of one applicant, in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StepTimes {
    pub verify_ms: u64,
    pub record_ms: u64,
    /// From the save until the centre has the packet (on the simulated clock the wait for the
    /// verdict itself takes no time).
    pub transmit_ms: u64,
    /// Printing, chip and hand-over, or the paper.
    pub handover_ms: u64,
}

/// One applicant's line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicantReport {
    pub n: usize,
    pub queue_no: u32,
    pub receipt_no: String,
    pub plan: Plan,
    pub outcome: Outcome,
    /// The ticket of the complaint this applicant filed, if they did.
    pub complaint: Option<String>,
    pub steps: StepTimes,
    /// Resident memory of the process after this applicant.
    pub rss_bytes: u64,
    /// Where the office reviews before sending: the supervisor rejected the first recording
    /// and the applicant was recorded again.
    pub rejected_at_review: bool,
}

/// The whole day.
#[derive(Debug, Clone, Serialize)]
pub struct DayReport {
    pub applicants: Vec<ApplicantReport>,
    pub blanks_left: i64,
    pub cards_printed: i64,
    pub audit_events: u64,
    pub audit_intact: bool,
    pub data_dir: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DayError {
    #[error("the booth could not start: {0}")]
    Start(String),
    #[error("applicant {n}: {what}")]
    Step { n: usize, what: String },
    #[error("the config has no {0}")]
    NoStaff(&'static str),
}

fn step(n: usize, what: impl std::fmt::Display) -> DayError {
    DayError::Step {
        n,
        what: what.to_string(),
    }
}

/// A simulated day's booth: the service on simulated devices and the embedded centre, on a
/// clock the day moves by hand.
pub struct Day {
    service: Arc<Service>,
    centre: Arc<CentreSim>,
    hand: Arc<ManualClock>,
    operator: Staff,
    technician: Staff,
    /// Approves what the office's rules want approved, when the config has one.
    supervisor: Option<Staff>,
    residents: Vec<Resident>,
    data_dir: PathBuf,
    remove_after: bool,
}

fn staff(config: &Config, role: Role, what: &'static str) -> Result<Staff, DayError> {
    config
        .operators
        .iter()
        .find(|o| o.role == role)
        .map(Staff::from)
        .ok_or(DayError::NoStaff(what))
}

impl Day {
    /// Starts the booth of `config` with simulated devices and the embedded centre, at 08:00
    /// WIB of today on a hand-moved clock.
    pub async fn open(mut config: Config, options: &DayOptions) -> Result<Self, DayError> {
        let operator = staff(&config, Role::Operator, "operator")?;
        let technician = staff(&config, Role::Technician, "technician")?;
        let supervisor = staff(&config, Role::Supervisor, "supervisor").ok();
        let (data_dir, remove_after) = match &options.data_dir {
            Some(d) => (d.clone(), false),
            None => (
                std::env::temp_dir().join(format!("ktpel-day-{}", Uuid::now_v7())),
                true,
            ),
        };
        config.booth.data_dir = Some(data_dir.clone());
        config.devices = crate::booth::devices::simulated_config(2026);
        let embedded = match &config.centre {
            CentreConfig::Embedded(e) => e.clone(),
            CentreConfig::Remote(_) => EmbeddedCentreConfig::default(),
        };
        config.centre = CentreConfig::Embedded(embedded);
        config.complaints.desk = crate::booth::EMBEDDED.into();
        let today = crate::clock::wib_date(Timestamp::now());
        let start = crate::clock::WIB
            .to_timestamp(today.at(8, 0, 0, 0))
            .map_err(|e| DayError::Start(e.to_string()))?;
        let (clock, hand) = Clock::manual(start);
        let (booth, started) = crate::embedded::start(config, data_dir.clone(), clock)
            .await
            .map_err(|e| DayError::Start(e.to_string()))?;
        let centre = started
            .centre
            .ok_or_else(|| DayError::Start("no embedded centre".into()))?;
        let residents = centre.population().to_vec();
        let service = Service::start(booth)
            .await
            .map_err(|e| DayError::Start(e.to_string()))?;
        Ok(Self {
            service,
            centre,
            hand,
            operator,
            technician,
            supervisor,
            residents,
            data_dir,
            remove_after,
        })
    }

    pub fn service(&self) -> &Arc<Service> {
        &self.service
    }

    /// Runs the day; `each` hears of every applicant as their visit ends.
    pub async fn run(
        &self,
        options: &DayOptions,
        mut each: impl FnMut(&ApplicantReport),
    ) -> Result<DayReport, DayError> {
        let svc = &self.service;
        svc.load_blanks(&self.technician, options.blanks)
            .await
            .map_err(|e| step(0, e))?;
        let mut reports: Vec<ApplicantReport> = Vec::new();
        let mut come_back: Vec<(usize, Uuid)> = Vec::new();
        for n in 1..=options.applicants {
            let resident = self.residents[(n - 1) % self.residents.len()].clone();
            let plan = Plan::for_applicant(n);
            let mut report = self.visit(n, &resident, plan).await?;
            if matches!(
                report.outcome,
                Outcome::ReceiptThenPickedUp | Outcome::BlanksThenPickedUp
            ) {
                come_back.push((reports.len(), self.packet_of(&report.receipt_no).await?));
            }
            if n % 10 == 0 {
                report.complaint = Some(self.complain(n, &resident, &report.receipt_no).await?);
            }
            // Resident memory between applicants, as the booth holds it while it waits for the
            // next one: what the allocator keeps free is handed back first, as the booth's
            // service does after each record and hand-over.
            let _ = tokio::task::spawn_blocking(ktpel_malloc::release_free_memory).await;
            report.rss_bytes = crate::telemetry::resident_bytes().unwrap_or(0);
            each(&report);
            reports.push(report);
            // The next applicant comes a few minutes later.
            self.hand.advance(Duration::from_secs(240));
        }
        // Blanks arrive at the end of the day; everyone who left with a paper comes back.
        svc.load_blanks(&self.technician, options.applicants as u32)
            .await
            .map_err(|e| step(0, e))?;
        self.hand.advance(Duration::from_secs(24 * 3600));
        for (i, id) in come_back {
            let t = Instant::now();
            self.wait_judged(reports[i].n, id).await?;
            self.issue(reports[i].n, id).await?;
            reports[i].steps.handover_ms += t.elapsed().as_millis() as u64;
        }
        // Someone with a card comes back to be recorded again.
        if let Some(issued) = reports.iter().find(|r| r.outcome == Outcome::Issued) {
            let n = options.applicants + 1;
            let resident = self.residents[(issued.n - 1) % self.residents.len()].clone();
            let t = Instant::now();
            let verified = svc
                .lookup(&self.operator, resident.nik.as_str())
                .await
                .map_err(|e| step(n, e))?;
            let caught = verified.prior().is_some();
            let report = ApplicantReport {
                n,
                queue_no: 0,
                receipt_no: String::new(),
                plan: Plan::PrintReady,
                complaint: None,
                outcome: if caught {
                    Outcome::RerecordingCaught
                } else {
                    return Err(step(
                        n,
                        "a second recording of an issued NIK was not caught",
                    ));
                },
                steps: StepTimes {
                    verify_ms: t.elapsed().as_millis() as u64,
                    ..StepTimes::default()
                },
                rss_bytes: crate::telemetry::resident_bytes().unwrap_or(0),
                rejected_at_review: false,
            };
            each(&report);
            reports.push(report);
        }
        let stock = svc.blank_stock().await.map_err(|e| step(0, e))?;
        let audit = svc.queue().verify_audit().await.map_err(|e| step(0, e))?;
        Ok(DayReport {
            applicants: reports,
            blanks_left: stock.on_hand,
            cards_printed: stock.used + stock.spoiled,
            audit_events: audit.events,
            audit_intact: audit.ok(),
            data_dir: self.data_dir.display().to_string(),
        })
    }

    async fn packet_of(&self, receipt_no: &str) -> Result<Uuid, DayError> {
        self.service
            .find_receipt(receipt_no)
            .await
            .map_err(|e| step(0, e))?
            .map(|r| r.row.packet_id)
            .ok_or_else(|| step(0, format!("receipt {receipt_no} not found")))
    }

    /// Captures every slot from the devices and saves the record (approvals the office's
    /// rules want given by the day's supervisor, as at the booth).
    async fn record_once(
        &self,
        n: usize,
        op: &Staff,
        verified: &crate::booth::service::applicant::Verified,
    ) -> Result<crate::queue::Committed, DayError> {
        let svc = &self.service;
        let resident = &verified.resident;
        svc.begin_applicant(resident.nik.as_str())
            .await
            .map_err(|e| step(n, e))?;
        let mut captures = Captures::default();
        for slot in Slot::sequence() {
            let captured: Captured = svc.capture(slot).await.map_err(|e| step(n, e))?;
            captures.put(slot, captured).map_err(|e| step(n, e))?;
        }
        // A case the office's rules want approved (a capture kept below its threshold, under a
        // production config) is approved by the day's supervisor, as at the booth.
        let cases = captures.needing_approval(crate::booth::recording::ApprovalRules::of(
            &svc.config().procedure,
        ));
        let approvals = match self.supervisor.as_ref() {
            Some(spv) if !cases.is_empty() => vec![crate::enrollment::Approval {
                what: crate::booth::recording::EXCEPTIONS_APPROVAL.into(),
                reason: crate::booth::recording::ApprovalCase::codes(&cases),
                supervisor_id: spv.id.clone(),
                at_ms: svc.clock().now().as_millisecond(),
            }],
            _ => Vec::new(),
        };
        let committed = svc
            .record(
                op,
                (*verified.resident).clone(),
                captures,
                operator_pace(n),
                approvals,
            )
            .await
            .map_err(|e| step(n, e))?;
        Ok(committed)
    }

    /// One applicant from SIAK to the end of their visit.
    async fn visit(
        &self,
        n: usize,
        resident: &Resident,
        plan: Plan,
    ) -> Result<ApplicantReport, DayError> {
        let svc = &self.service;
        let op = &self.operator;
        let mut steps = StepTimes::default();
        if let Some(verdict) = plan.scripted() {
            self.centre.script_verdict(&resident.nik, verdict);
        }
        // SOP 3: SIAK.
        let t = Instant::now();
        let verified = svc
            .lookup(op, resident.nik.as_str())
            .await
            .map_err(|e| step(n, e))?;
        steps.verify_ms = t.elapsed().as_millis() as u64;
        // SOP 4: every capture from the devices, then the save; where the office reviews
        // before sending, the supervisor's review (one applicant in twenty is rejected once and
        // recorded again).
        let t = Instant::now();
        let mut rejected_at_review = false;
        let committed = loop {
            let committed = self.record_once(n, op, &verified).await?;
            if !svc.reviews_before_sending() {
                break committed;
            }
            let spv = self.supervisor.as_ref().ok_or_else(|| {
                step(
                    n,
                    "review_before_send is on but the config has no supervisor",
                )
            })?;
            if n % 20 == 19 && !rejected_at_review {
                svc.reject_record(
                    spv,
                    committed.packet_id,
                    crate::booth::service::review::RejectReason::PoorQuality,
                    "",
                )
                .await
                .map_err(|e| step(n, e))?;
                rejected_at_review = true;
                continue;
            }
            svc.approve_record(spv, committed.packet_id)
                .await
                .map_err(|e| step(n, e))?;
            break committed;
        };
        steps.record_ms = t.elapsed().as_millis() as u64;
        let id = committed.packet_id;
        let mut report = ApplicantReport {
            n,
            queue_no: committed.queue_no,
            receipt_no: committed.receipt_no.clone(),
            plan,
            outcome: Outcome::Issued,
            complaint: None,
            steps,
            rss_bytes: 0,
            rejected_at_review,
        };
        if plan == Plan::PickupLater {
            // The applicant does not wait: the proof of recording, and home.
            let t = Instant::now();
            svc.print_paper(op, id, Paper::Receipt)
                .await
                .map_err(|e| step(n, e))?;
            report.steps.handover_ms = t.elapsed().as_millis() as u64;
            report.outcome = Outcome::ReceiptThenPickedUp;
            return Ok(report);
        }
        // SOP 5: transmission and the verdict.
        let t = Instant::now();
        let state = self.wait_judged(n, id).await?;
        report.steps.transmit_ms = t.elapsed().as_millis() as u64;
        let t = Instant::now();
        report.outcome = match state {
            QState::PrintReady => {
                let stock = svc.blank_stock().await.map_err(|e| step(n, e))?;
                if stock.on_hand > 0 {
                    self.issue(n, id).await?;
                    Outcome::Issued
                } else {
                    svc.print_paper(op, id, Paper::AwaitingBlanks)
                        .await
                        .map_err(|e| step(n, e))?;
                    Outcome::BlanksThenPickedUp
                }
            }
            QState::Duplicate | QState::Adjudicate | QState::EnrollFailure => {
                svc.print_paper(op, id, Paper::Notice)
                    .await
                    .map_err(|e| step(n, e))?;
                match state {
                    QState::Duplicate => Outcome::DuplicateNotice,
                    QState::Adjudicate => Outcome::AdjudicateNotice,
                    _ => Outcome::EnrollFailureNotice,
                }
            }
            other => return Err(step(n, format!("no verdict, still {other}"))),
        };
        report.steps.handover_ms = t.elapsed().as_millis() as u64;
        Ok(report)
    }

    /// The applicant complains at the booth: kept sealed, ticket printed, sent to the desk.
    async fn complain(&self, n: usize, r: &Resident, receipt_no: &str) -> Result<String, DayError> {
        use crate::wire::complaint::{Category, Channel, Link};
        let draft = crate::queue::ComplaintDraft {
            channel: Channel::Booth,
            complainant: r.name.clone(),
            contact: format!("08{:010}", 1_000_000 + n),
            category: Category::CardNotReady,
            description: format!(
                "Saya {} dari {} sudah menunggu lama; mohon kabar KTP-el saya.",
                r.name, r.address
            ),
            link: (!receipt_no.is_empty()).then(|| Link::Receipt(receipt_no.to_string())),
        };
        let svc = &self.service;
        let c = svc
            .take_complaint(&self.operator, draft)
            .await
            .map_err(|e| step(n, e))?;
        svc.print_ticket(&self.operator, &c)
            .await
            .map_err(|e| step(n, e))?;
        Ok(c.ticket_no.as_str().to_string())
    }

    /// Moves the clock on until the centre has judged packet `id`.
    async fn wait_judged(&self, n: usize, id: Uuid) -> Result<QState, DayError> {
        for _ in 0..120 {
            let now = self.service.clock().now();
            self.service.transmitter().pass_after(now).await;
            let row = self
                .service
                .queue()
                .get(id)
                .await
                .map_err(|e| step(n, e))?
                .ok_or_else(|| step(n, "the record left the queue"))?;
            if !row.state.unjudged() {
                return Ok(row.state);
            }
            self.hand.advance(Duration::from_secs(30));
        }
        Err(step(n, "no verdict after an hour of simulated polling"))
    }

    /// Prints, encodes and hands over `id`'s card.
    async fn issue(&self, n: usize, id: Uuid) -> Result<(), DayError> {
        let svc = &self.service;
        let op = &self.operator;
        let printed = svc.print_card(op, id, None).await.map_err(|e| step(n, e))?;
        let chip = svc.encode_chip(
            op,
            id,
            printed.print_id,
            false,
            ktpel_card_pcsc::CancelFlag::new(),
        );
        let mut chip = std::pin::pin!(chip);
        use futures::StreamExt as _;
        let mut done = None;
        while let Some(e) = chip.next().await {
            if let crate::booth::service::issue::ChipEvent::Done(r) = e {
                done = Some(r);
            }
        }
        done.ok_or_else(|| step(n, "the chip encoding ended without an answer"))?
            .map_err(|e| step(n, e))?;
        match svc.issue_progress(id).await.map_err(|e| step(n, e))? {
            IssueProgress::HandOver { .. } => {}
            other => return Err(step(n, format!("not ready to hand over: {other:?}"))),
        }
        svc.hand_over(op, id).await.map_err(|e| step(n, e))?;
        Ok(())
    }

    /// Stops the booth and removes its folder when it was a temporary one.
    pub fn close(self) {
        let (dir, remove) = (self.data_dir.clone(), self.remove_after);
        drop(self);
        if remove {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The operator's time in each SOP step for applicant `n`, as the booth's step clocks would
/// measure a person's pace (the simulated clock does not move while the software works): varied
/// and fixed by `n`, some over the SOP's standard, for the office's statistics.
fn operator_pace(n: usize) -> Vec<crate::enrollment::StepTiming> {
    use crate::booth::procedure::Step;
    let pace =
        |step: Step, least: usize, spread: usize, stride: usize| crate::enrollment::StepTiming {
            step: step.key().to_string(),
            seconds: (least + (n * stride) % spread) as u32,
        };
    vec![
        pace(Step::Documents, 35, 40, 7),
        pace(Step::Verify, 30, 50, 11),
        pace(Step::Record, 140, 80, 13),
    ]
}

impl DayReport {
    /// The report as a table for people.
    pub fn text(&self) -> String {
        let mut out = format!(
            "{:>4} {:>5}  {:<14} {:<24} {:>8} {:>8} {:>9} {:>9} {:>8}\n",
            "n",
            "queue",
            "receipt",
            "outcome",
            "verify",
            "record",
            "transmit",
            "handover",
            "RSS MB"
        );
        for a in &self.applicants {
            out.push_str(&a.line());
            out.push('\n');
        }
        out.push_str(&format!(
            "cards printed {} · blank cards left {} · audit chain {} ({} events) · data in {}\n",
            self.cards_printed,
            self.blanks_left,
            if self.audit_intact {
                "intact"
            } else {
                "BROKEN"
            },
            self.audit_events,
            self.data_dir
        ));
        out
    }
}

impl ApplicantReport {
    /// One line of the table (times in ms).
    pub fn line(&self) -> String {
        let outcome = serde_json::to_value(self.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        format!(
            "{:>4} {:>5}  {:<14} {:<24} {:>8} {:>8} {:>9} {:>9} {:>8.1}",
            self.n,
            self.queue_no,
            self.receipt_no,
            outcome,
            self.steps.verify_ms,
            self.steps.record_ms,
            self.steps.transmit_ms,
            self.steps.handover_ms,
            self.rss_bytes as f64 / 1_048_576.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_is_fixed_by_the_applicant_s_number() {
        let plans: Vec<Plan> = (1..=20).map(Plan::for_applicant).collect();
        let count = |p: Plan| plans.iter().filter(|x| **x == p).count();
        assert_eq!(count(Plan::PrintReady), 15);
        assert_eq!(count(Plan::PickupLater), 2);
        assert_eq!(count(Plan::Duplicate), 1);
        assert_eq!(count(Plan::Adjudicate), 1);
        assert_eq!(count(Plan::EnrollFailure), 1);
    }
}
