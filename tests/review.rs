//! Review before sending (`[procedure] review_before_send`) through the booth service, with the
//! transmitter running against the centre simulator on loopback and a manual clock: a record
//! waits for the supervisor, is not sent meanwhile, goes once approved with its verdict window
//! starting at the approval; a rejected one is purged and audited with who and why, and the
//! day's statistics keep it. Only a supervisor may review. An applicant who cannot wait for the
//! review leaves with a proof of recording that says so.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use jiff::Timestamp;
use ktpel_booth::booth::service::papers::Paper;
use ktpel_booth::booth::service::review::{RejectReason, ReviewError};
use ktpel_booth::booth::service::{Service, Staff};
use ktpel_booth::booth::transmit::TransmitStatus;
use ktpel_booth::centre_sim::CentreSim;
use ktpel_booth::clock::{Clock, ManualClock, Zone};
use ktpel_booth::config::Role;
use ktpel_booth::enrollment::Approval;
use ktpel_booth::queue::{Committed, Handover, State};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

struct Office {
    centre: CentreSim,
    service: Arc<Service>,
    clock: Clock,
    hand: Arc<ManualClock>,
    dir: tempfile::TempDir,
}

/// A booth whose office reviews records before sending; the centre takes `verdict_delay` to
/// judge.
async fn office(verdict_delay: Duration) -> Office {
    let common::Rig {
        centre,
        booth,
        clock,
        hand,
        dir,
    } = common::rig_with(verdict_delay, |c| c.procedure.review_before_send = true).await;
    let service = Service::with_devices(booth, ktpel_booth::booth::devices::Devices::simulated(7));
    Office {
        centre,
        service,
        clock,
        hand,
        dir,
    }
}

impl Office {
    async fn record(&self, i: usize, approvals: Vec<Approval>) -> Committed {
        let resident = self.centre.population()[i].clone();
        let mut e = common::enrollment(&resident, i as u64 + 1, self.clock.now());
        e.approvals = approvals;
        self.service.booth().record(e, None).await.unwrap()
    }

    async fn row(&self, id: Uuid) -> ktpel_booth::queue::QueueRow {
        self.service.queue().get(id).await.unwrap().unwrap()
    }

    /// Moves the clock on by `by` and waits for a whole transmitter pass after it.
    async fn step(&self, by: Duration) -> TransmitStatus {
        self.hand.advance(by);
        let at: Timestamp = self.clock.now();
        tokio::time::timeout(
            Duration::from_secs(60),
            self.service.transmitter().pass_after(at),
        )
        .await
        .expect("the transmitter finished a pass")
    }

    /// The audit chain's events for `id`: (event, to, detail).
    fn audit(&self, id: Uuid) -> Vec<(String, String, String)> {
        common::audit_events(self.dir.path(), id)
    }
}

fn staff(id: &str, role: Role) -> Staff {
    Staff {
        id: id.into(),
        name: id.into(),
        role,
    }
}

/// The office's supervisor and operator.
fn office_staff() -> (Staff, Staff) {
    (
        staff("spv-01", Role::Supervisor),
        staff("op-01", Role::Operator),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_under_review_waits_unsent_and_its_verdict_window_starts_at_the_approval() {
    // The centre takes three hours: the verdict window (an hour) closes first.
    let office = office(Duration::from_secs(3 * 3600)).await;
    let (spv, op) = office_staff();
    let a = office.record(0, Vec::new()).await;
    assert_eq!(a.state, State::AwaitingReview, "the save says so");
    assert_eq!(office.row(a.packet_id).await.state, State::AwaitingReview);
    // The applicant sees it on the waiting list.
    let waiting = office.service.queue().waiting_list().await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        (waiting[0].packet_id, waiting[0].state),
        (a.packet_id, State::AwaitingReview)
    );

    // Two hours on, the transmitter has sent nothing and no receipt fell due.
    let s = office.step(Duration::from_secs(2 * 3600)).await;
    assert_eq!(s.sent, 0);
    assert_eq!(office.centre.packets_received(), 0);
    let row = office.row(a.packet_id).await;
    assert_eq!(
        (row.state, row.handover),
        (State::AwaitingReview, Handover::None)
    );
    assert!(row.holds_sealed_captures);

    // An operator may neither see the review list nor decide.
    assert!(matches!(
        office.service.awaiting_review(&op).await,
        Err(ReviewError::NotYours(_))
    ));
    assert!(matches!(
        office.service.approve_record(&op, a.packet_id).await,
        Err(ReviewError::NotYours(_))
    ));
    assert_eq!(office.row(a.packet_id).await.state, State::AwaitingReview);

    // The supervisor sees what to judge by: the operator and each capture, nothing personal.
    let items = office.service.awaiting_review(&spv).await.unwrap();
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(
        (item.packet_id, item.queue_no, item.operator_id.as_str()),
        (a.packet_id, a.queue_no, "operator-01")
    );
    // Face, ten fingers, two irises, each with its quality and threshold.
    assert_eq!(item.captures.len(), 13);
    assert_eq!(item.captures[0].slot, "face");
    assert!(item
        .captures
        .iter()
        .all(|c| c.quality.is_some() && c.min.is_some()));
    assert_eq!(office.service.awaiting_review_count().await.unwrap(), 1);

    // Approved: sent at once, and the window runs from now.
    let approved_at = office.clock.now();
    office
        .service
        .approve_record(&spv, a.packet_id)
        .await
        .unwrap();
    // The approval wakes the transmitter, which may already be sending it when we look.
    let row = office.row(a.packet_id).await;
    assert!(
        matches!(
            row.state,
            State::Recorded | State::Sending | State::Received
        ),
        "approved, it is on its way: {:?}",
        row.state
    );
    assert_eq!(
        row.deadline_at,
        approved_at + jiff::SignedDuration::from_mins(60)
    );
    // Sent within a second of the approval, once.
    office.step(Duration::from_secs(1)).await;
    assert_eq!(office.centre.packets_received(), 1);
    assert_eq!(office.row(a.packet_id).await.state, State::Received);
    // Fifty-nine minutes after the approval (three hours after the save) no receipt is due;
    // past the hour it is.
    office.step(Duration::from_secs(59 * 60)).await;
    assert_eq!(office.row(a.packet_id).await.handover, Handover::None);
    office.step(Duration::from_secs(2 * 60)).await;
    assert_eq!(office.row(a.packet_id).await.handover, Handover::ReceiptDue);

    // The audit chain names the supervisor; it holds together.
    let events = office.audit(a.packet_id);
    assert_eq!(events[0].1, "awaiting_review");
    assert!(events
        .iter()
        .any(|(e, to, d)| e == "state" && to == "recorded" && d == "approved by spv-01"));
    let report = office.service.queue().verify_audit().await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applicant_who_cannot_wait_for_the_review_leaves_with_a_proof_that_says_so() {
    let office = office(Duration::from_secs(3 * 3600)).await;
    let (spv, op) = office_staff();
    let a = office.record(0, Vec::new()).await;
    let rec = office.service.open(a.packet_id).await.unwrap();
    assert_eq!(Paper::due_for(&rec.row), Some(Paper::Receipt));
    let doc = office.service.paper(&rec, Paper::Receipt).unwrap();
    let text = ktpel_sim::receipt_text(&doc).replace('\n', " ");
    assert!(
        text.contains("masih ditinjau supervisor sebelum dikirim ke pusat"),
        "{text}"
    );
    office
        .service
        .print_paper(&op, a.packet_id, Paper::Receipt)
        .await
        .unwrap();
    let row = office.row(a.packet_id).await;
    assert_eq!(
        (row.state, row.handover),
        (State::AwaitingReview, Handover::ReceiptPrinted)
    );
    // They have left: off the waiting list, still waiting for the supervisor.
    assert!(office
        .service
        .queue()
        .waiting_list()
        .await
        .unwrap()
        .is_empty());
    assert_eq!(office.service.awaiting_review_count().await.unwrap(), 1);
    // Approved later: sent; its window closing asks for no second proof.
    office
        .service
        .approve_record(&spv, a.packet_id)
        .await
        .unwrap();
    office.step(Duration::from_secs(1)).await;
    assert_eq!(office.centre.packets_received(), 1);
    office.step(Duration::from_secs(61 * 60)).await;
    let row = office.row(a.packet_id).await;
    assert_eq!(
        (row.state, row.handover),
        (State::Received, Handover::ReceiptPrinted)
    );
    // Once approved, a reprint no longer says it is under review.
    let rec = office.service.open(a.packet_id).await.unwrap();
    let doc = office.service.paper(&rec, Paper::Receipt).unwrap();
    assert!(!ktpel_sim::receipt_text(&doc).contains("ditinjau supervisor"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_record_is_purged_audited_with_the_reason_and_still_counted() {
    let office = office(Duration::from_secs(20)).await;
    let spv = staff("spv-01", Role::Supervisor);
    let a = office.record(0, Vec::new()).await;
    // The second came with an exception the supervisor approved at the booth.
    let approval = Approval {
        what: "exceptions".into(),
        reason: "exception:left_little:bandaged".into(),
        supervisor_id: "spv-01".into(),
        at_ms: office.clock.now().as_millisecond(),
    };
    let b = office.record(1, vec![approval]).await;
    let items = office.service.awaiting_review(&spv).await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].approvals.len(), 1);
    assert_eq!(items[1].approvals[0].supervisor_id, "spv-01");

    // "Other" without words is refused, and nothing changes.
    assert!(matches!(
        office
            .service
            .reject_record(&spv, a.packet_id, RejectReason::Other, "  ")
            .await,
        Err(ReviewError::NoteNeeded)
    ));
    assert_eq!(office.row(a.packet_id).await.state, State::AwaitingReview);

    office
        .service
        .reject_record(
            &spv,
            a.packet_id,
            RejectReason::PoorQuality,
            "sidik jari kabur",
        )
        .await
        .unwrap();
    let row = office.row(a.packet_id).await;
    assert_eq!(row.state, State::Rejected);
    assert!(!row.holds_sealed_captures, "the sealed payload is deleted");
    assert!(!row.holds_applicant, "the applicant's summary is deleted");
    let events = office.audit(a.packet_id);
    assert_eq!(
        events.last().unwrap(),
        &(
            "state".to_string(),
            "rejected".to_string(),
            "rejected by spv-01 · poor_quality: sidik jari kabur".to_string()
        )
    );
    // Off the waiting list; a decided record cannot be decided again.
    let waiting = office.service.queue().waiting_list().await.unwrap();
    assert_eq!(
        waiting.iter().map(|w| w.packet_id).collect::<Vec<_>>(),
        vec![b.packet_id]
    );
    assert!(office
        .service
        .approve_record(&spv, a.packet_id)
        .await
        .is_err());

    // Never sent, even once the other is approved and sent.
    office
        .service
        .approve_record(&spv, b.packet_id)
        .await
        .unwrap();
    let s = office.step(Duration::from_secs(60)).await;
    assert_eq!(s.sent, 1);
    assert_eq!(office.centre.packets_received(), 1);
    assert_eq!(office.row(a.packet_id).await.state, State::Rejected);

    // The day's numbers keep both recordings; the rejected one is not backlog.
    let day = ktpel_booth::clock::wib_date(office.clock.now());
    let stats = office
        .service
        .queue()
        .call(move |s| s.day_stats(day, Zone::Wib))
        .await
        .unwrap();
    assert_eq!(stats.counts.recorded, 2);
    // The daily report and the dashboard count the rejection; only the approved one was sent.
    assert_eq!((stats.counts.rejected, stats.counts.sent), (1, 1));
    assert_eq!(stats.backlog[24].1, 0);

    // A new recording of the same NIK is not held up by the rejected record.
    let nik = office.centre.population()[0].nik.to_string();
    let verified = office
        .service
        .lookup(&staff("op-01", Role::Operator), &nik)
        .await
        .unwrap();
    assert_eq!(verified.prior(), None);

    let report = office.service.queue().verify_audit().await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}
