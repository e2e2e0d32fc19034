//! The transmitter against the centre simulator over real HTTP on loopback, in every fault mode,
//! through a week-long outage, and across a restart. Time is a manual clock: a week takes
//! seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{rig, Rig};
use jiff::Timestamp;
use ktpel_booth::booth::transmit::{TransmitStatus, TransmitterHandle};
use ktpel_booth::centre_sim::Fault;
use ktpel_booth::queue::{Handover, State};
use ktpel_booth::wire::centre::verdict_code;
use ktpel_booth::wire::centre::CentreStatus;
use std::time::Duration;

async fn step(rig: &Rig, tx: &TransmitterHandle, by: Duration) -> TransmitStatus {
    rig.hand.advance(by);
    let at: Timestamp = rig.clock.now();
    tokio::time::timeout(Duration::from_secs(60), tx.pass_after(at))
        .await
        .expect("the transmitter finished a pass")
}

async fn states(rig: &Rig) -> Vec<State> {
    rig.booth
        .queue
        .list()
        .await
        .unwrap()
        .iter()
        .map(|r| r.state)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn print_ready_within_the_window_purges_captures_and_keeps_a_verified_bundle() {
    let rig = rig(Duration::from_secs(20)).await;
    let a = rig.record(0).await;
    let b = rig.record(1).await;
    let tx = rig.booth.transmitter().spawn();
    let s = step(&rig, &tx, Duration::ZERO).await;
    assert_eq!(s.sent, 2);
    assert_eq!(states(&rig).await, vec![State::Received; 2]);
    for id in [a.packet_id, b.packet_id] {
        let row = rig.booth.queue.get(id).await.unwrap().unwrap();
        assert!(!row.holds_sealed_captures, "captures still on the booth");
    }
    // Before the verdict delay: still processing.
    step(&rig, &tx, Duration::from_secs(10)).await;
    assert_eq!(states(&rig).await, vec![State::Received; 2]);
    step(&rig, &tx, Duration::from_secs(30)).await;
    assert_eq!(states(&rig).await, vec![State::PrintReady; 2]);
    let bundle = rig
        .booth
        .queue
        .call(move |s| s.personalization(a.packet_id))
        .await
        .unwrap()
        .expect("print-ready bundle kept for the card");
    assert_eq!(bundle.resident.nik, rig.resident(0).nik);
    assert!(!bundle.data_groups.is_empty());
    // The window closes later: no receipt for a printable record.
    step(&rig, &tx, Duration::from_secs(3600)).await;
    let counts = rig.booth.queue.counts().await.unwrap();
    assert_eq!(counts.receipts_due, 0);
    assert!(rig.booth.queue.verify_audit().await.unwrap().ok());
}

/// Each fault: nothing is confirmed while it lasts, the error says what happened, and once
/// the centre is well again every packet arrives exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_mode_is_ridden_out_without_loss_or_duplication() {
    let cases = [
        (Fault::Down, "unreachable"),
        (Fault::Reset, "unreachable"),
        (Fault::ServerError, "http_503"),
        (Fault::Garbage, "garbage"),
        (Fault::Slow(Duration::from_secs(8)), "timeout"),
    ];
    for (n, (fault, class)) in cases.into_iter().enumerate() {
        let rig = rig(Duration::from_secs(20)).await;
        rig.centre.set_fault(fault.clone());
        let a = rig.record(2 * n).await;
        rig.record(2 * n + 1).await;
        let tx = rig.booth.transmitter().spawn();
        let s = step(&rig, &tx, Duration::ZERO).await;
        assert_eq!(
            s.sent, 0,
            "{fault:?}: a packet was confirmed during the fault"
        );
        let err = s.last_error.clone().unwrap_or_default();
        assert!(err.starts_with(class), "{fault:?}: last error {err:?}");
        let row = rig.booth.queue.get(a.packet_id).await.unwrap().unwrap();
        assert_eq!(row.state, State::Sending);
        assert!(row.attempts >= 1 && row.holds_sealed_captures);
        // A second round of failures backs off further.
        step(&rig, &tx, Duration::from_secs(10)).await;
        rig.centre.set_fault(Fault::None);
        let mut s = step(&rig, &tx, Duration::from_secs(600)).await;
        for _ in 0..3 {
            if s.sent == 2 {
                break;
            }
            s = step(&rig, &tx, Duration::from_secs(600)).await;
        }
        assert_eq!(s.sent, 2, "{fault:?}: not everything arrived");
        assert_eq!(
            rig.centre.enrollments(),
            2,
            "{fault:?}: duplicated at the centre"
        );
        assert_eq!(states(&rig).await, vec![State::Received; 2], "{fault:?}");
        // The verdicts ride the same faults.
        rig.centre.set_fault(fault.clone());
        step(&rig, &tx, Duration::from_secs(60)).await;
        assert_eq!(states(&rig).await, vec![State::Received; 2], "{fault:?}");
        rig.centre.set_fault(Fault::None);
        for _ in 0..4 {
            step(&rig, &tx, Duration::from_secs(600)).await;
        }
        assert_eq!(states(&rig).await, vec![State::PrintReady; 2], "{fault:?}");
        assert!(rig.booth.queue.verify_audit().await.unwrap().ok());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_week_without_the_centre_loses_nothing_and_delivers_everything_once() {
    let rig = rig(Duration::from_secs(20)).await;
    rig.centre.set_fault(Fault::Down);
    let tx = rig.booth.transmitter().spawn();
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(rig.record(i).await.packet_id);
        step(&rig, &tx, Duration::from_secs(180)).await;
    }
    // Seven days, an hour at a time.
    for _ in 0..(7 * 24) {
        let s = step(&rig, &tx, Duration::from_secs(3600)).await;
        assert_eq!(s.sent, 0);
    }
    let counts = rig.booth.queue.counts().await.unwrap();
    assert_eq!(counts.unsent(), 20, "records lost during the outage");
    assert_eq!(
        counts.receipts_due, 20,
        "receipts not marked when the windows closed"
    );
    for id in &ids {
        let row = rig.booth.queue.get(*id).await.unwrap().unwrap();
        assert!(row.holds_sealed_captures && row.attempts > 10);
        assert!(row
            .last_error
            .as_deref()
            .unwrap_or("")
            .starts_with("unreachable"));
    }
    rig.centre.set_fault(Fault::None);
    let mut s = step(&rig, &tx, Duration::from_secs(600)).await;
    for _ in 0..5 {
        if s.sent == 20 {
            break;
        }
        s = step(&rig, &tx, Duration::from_secs(600)).await;
    }
    assert_eq!(s.sent, 20);
    // Then the verdicts are polled.
    for _ in 0..3 {
        step(&rig, &tx, Duration::from_secs(600)).await;
    }
    assert_eq!(rig.centre.enrollments(), 20);
    assert_eq!(rig.centre.packets_received(), 20, "a packet was sent twice");
    let rows = rig.booth.queue.list().await.unwrap();
    assert!(
        rows.iter().all(|r| r.state == State::PrintReady),
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r.handover == Handover::ReceiptDue));
    assert!(rig.booth.queue.verify_audit().await.unwrap().ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_resumes_after_a_restart_and_a_packet_caught_mid_send_is_sent_once() {
    let rig = rig(Duration::from_secs(20)).await;
    rig.centre.set_fault(Fault::Down);
    rig.record(0).await;
    let b = rig.record(1).await;
    // The booth "crashes" with both packets claimed (state sending) and never confirmed.
    let now = rig.clock.now();
    rig.booth
        .queue
        .call(move |s| s.claim_sendable(now, Duration::from_secs(60), 2))
        .await
        .unwrap();
    let common::Rig {
        centre,
        booth,
        clock,
        hand,
        dir,
    } = rig;
    let config = booth.config.clone();
    drop(booth);
    centre.set_fault(Fault::None);
    let booth = ktpel_booth::booth::Booth::start(config, dir.path().to_path_buf(), clock.clone())
        .await
        .unwrap();
    let rig = Rig {
        centre,
        booth,
        clock,
        hand,
        dir,
    };
    let row = rig.booth.queue.get(b.packet_id).await.unwrap().unwrap();
    assert_eq!(row.state, State::Sending);
    let tx = rig.booth.transmitter().spawn();
    let s = step(&rig, &tx, Duration::from_secs(120)).await;
    assert_eq!(states(&rig).await, vec![State::Received; 2], "{s:?}");
    assert_eq!(rig.centre.enrollments(), 2);
    // Once each: the centre deduplicates, so only its count of arrivals shows a double send.
    assert_eq!(rig.centre.packets_received(), 2, "a packet was sent twice");
    // And a later pass sends nothing again.
    step(&rig, &tx, Duration::from_secs(120)).await;
    assert_eq!(
        rig.centre.packets_received(),
        2,
        "a received packet was sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_printable_verdicts_come_back_with_their_reason() {
    let rig = rig(Duration::from_secs(20)).await;
    // Resident 0 is recorded twice: the second recording is a duplicate.
    let first = rig.record(0).await;
    rig.centre
        .script_verdict(&rig.resident(1).nik, CentreStatus::Adjudicate);
    let adjudicate = rig.record(1).await;
    // A resident SIAK does not know.
    let mut stranger = rig.resident(2);
    stranger.nik = rig.resident(3).nik.clone();
    let e = common::enrollment(&stranger, 99, rig.clock.now());
    let unknown = rig.booth.record(e, None).await.unwrap();
    let tx = rig.booth.transmitter().spawn();
    step(&rig, &tx, Duration::ZERO).await;
    step(&rig, &tx, Duration::from_secs(60)).await;
    let second = rig.record(0).await;
    step(&rig, &tx, Duration::from_secs(1)).await;
    step(&rig, &tx, Duration::from_secs(60)).await;
    let queue = rig.booth.queue.clone();
    let show = |id| {
        let queue = queue.clone();
        async move { queue.get(id).await.unwrap().unwrap() }
    };
    assert_eq!(show(first.packet_id).await.state, State::PrintReady);
    let r = show(second.packet_id).await;
    assert_eq!(r.state, State::Duplicate);
    assert_eq!(r.verdict_code.as_deref(), Some(verdict_code::NIK_ENROLLED));
    assert_eq!(show(adjudicate.packet_id).await.state, State::Adjudicate);
    let r = show(unknown.packet_id).await;
    assert_eq!(r.state, State::EnrollFailure);
    assert_eq!(r.verdict_code.as_deref(), Some(verdict_code::SIAK_MISMATCH));
    // A judged record gets its own notice, never the pickup receipt, when the window closes.
    step(&rig, &tx, Duration::from_secs(3600)).await;
    assert_eq!(rig.booth.queue.counts().await.unwrap().receipts_due, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_centre_is_idempotent_by_packet_id_and_refuses_a_different_packet_under_one_id() {
    use ktpel_booth::booth::centre_client::CentreError;
    let rig = rig(Duration::from_secs(20)).await;
    let c = rig.record(0).await;
    let envelope = rig
        .booth
        .queue
        .call(move |s| {
            s.claim_sendable(common::start_time(), Duration::from_secs(1), 1)
                .map(|mut v| v.remove(0).envelope)
        })
        .await
        .unwrap();
    let first = rig
        .booth
        .client
        .send(c.packet_id, envelope.clone())
        .await
        .unwrap();
    let again = rig
        .booth
        .client
        .send(c.packet_id, envelope.clone())
        .await
        .unwrap();
    assert!(!first.repeat && again.repeat);
    assert_eq!(first.received_at_ms, again.received_at_ms);
    assert_eq!(rig.centre.enrollments(), 1);
    // Another packet (resident 1) sent under the first one's id.
    let other = rig.record(1).await;
    let other_env = rig
        .booth
        .queue
        .call(move |s| {
            s.claim_sendable(common::start_time(), Duration::from_secs(1), 5)
                .map(|v| {
                    v.into_iter()
                        .find(|o| o.packet_id == other.packet_id)
                        .unwrap()
                        .envelope
                })
        })
        .await
        .unwrap();
    let err = rig
        .booth
        .client
        .send(c.packet_id, other_env)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CentreError::Http { status: 409, .. }),
        "{err:?}"
    );
    // Garbage in the body of a PUT is refused as unreadable, not stored.
    let err = rig
        .booth
        .client
        .send(uuid::Uuid::now_v7(), b"not a packet".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(err, CentreError::Http { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(rig.centre.enrollments(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn siak_lookup_names_the_wrong_part_or_says_unknown() {
    use ktpel_booth::booth::centre_client::CentreError;
    use ktpel_booth::booth::LookupError;
    let rig = rig(Duration::from_secs(20)).await;
    let r = rig.resident(5);
    let found = rig.booth.lookup(r.nik.as_str()).await.unwrap();
    assert_eq!(found.name, r.name);
    match rig.booth.lookup("3273019208900001").await {
        Err(LookupError::InvalidNik(e)) => assert!(e.to_string().contains("day 92"), "{e}"),
        other => panic!("{other:?}"),
    }
    // Valid, but nobody in SIAK has it.
    match rig.booth.lookup("3273010101010001").await {
        Err(LookupError::Centre(CentreError::NotFound)) => {}
        other => panic!("{other:?}"),
    }
    rig.centre.set_fault(Fault::Garbage);
    assert!(matches!(
        rig.booth.lookup(r.nik.as_str()).await,
        Err(LookupError::Centre(CentreError::Garbage(_)))
    ));
}
