#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::clock::add;
use crate::wire::centre::{CentreStatus, Personalization, SignedSod};
use std::time::Duration;

fn store(dir: &tempfile::TempDir) -> Store {
    let key = LocalKey::from_bytes(&[7u8; 32]).unwrap();
    Store::open(&dir.path().join("q.db"), key, 1).unwrap()
}

/// A fresh queue in its own directory (kept alive by the second value).
pub(crate) fn store_with_key() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (store(&dir), dir)
}

/// The queue in `dir` opened again, as after a restart.
pub(crate) fn reopen(dir: &tempfile::TempDir) -> Store {
    store(dir)
}

/// A record just committed.
pub(crate) fn recorded(s: &mut Store, at: Timestamp) -> Uuid {
    record(s, at).packet_id
}

/// A record sent, received and judged print ready, with the centre's card data.
pub(crate) fn print_ready(s: &mut Store, at: Timestamp) -> Uuid {
    let id = recorded(s, at);
    let claimed = s.claim_sendable(at, Duration::from_secs(60), 100).unwrap();
    assert!(claimed.iter().any(|o| o.packet_id == id));
    s.mark_received(id, at, at).unwrap();
    s.apply_verdict(id, CentreStatus::PrintReady, None, Some(&bundle()), at)
        .unwrap();
    id
}

pub(crate) fn t0() -> Timestamp {
    // 2026-11-25 09:00 WIB
    "2026-11-25T02:00:00Z".parse().unwrap()
}

fn record(store: &mut Store, at: Timestamp) -> Committed {
    store
        .commit(NewRecord {
            packet_id: Uuid::now_v7(),
            envelope: vec![0xAB; 1000],
            summary: ApplicantSummary {
                name: "SITI RAHAYU".into(),
                nik: "3273014508900001".into(),
            },
            recorded_at: at,
            deadline_at: add(at, Duration::from_secs(3600)),
            approvals: Vec::new(),
            facts: Default::default(),
            awaiting_review: false,
        })
        .unwrap()
}

pub(crate) fn bundle() -> Personalization {
    let resident = crate::domain::population::generate(1, 1, crate::clock::wib_date(t0()))
        .pop()
        .unwrap();
    Personalization {
        resident,
        portrait_jpeg_b64: String::new(),
        signature_png_b64: String::new(),
        data_groups: vec![],
        sod: SignedSod {
            ef_sod_b64: String::new(),
        },
    }
}

#[test]
fn opens_in_wal_with_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(&dir);
    let (mode, sync) = s.durability().unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2);
}

#[test]
fn receipt_numbers_count_per_day_and_carry_a_check_digit() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let a = record(&mut s, t0());
    let b = record(&mut s, add(t0(), Duration::from_secs(60)));
    let next_day = record(&mut s, add(t0(), Duration::from_secs(24 * 3600)));
    assert_eq!((a.queue_no, b.queue_no, next_day.queue_no), (1, 2, 1));
    assert!(a.receipt_no.starts_with("26112501"), "{}", a.receipt_no);
    assert!(receipt_no_is_well_formed(&a.receipt_no));
    assert!(receipt_no_is_well_formed(&next_day.receipt_no));
    // A single mistyped digit is caught.
    let mut typo = a.receipt_no.clone().into_bytes();
    typo[9] = if typo[9] == b'9' { b'0' } else { typo[9] + 1 };
    assert!(!receipt_no_is_well_formed(
        &String::from_utf8(typo).unwrap()
    ));
    assert_eq!(
        s.find_by_receipt(&b.receipt_no).unwrap().unwrap().packet_id,
        b.packet_id
    );
}

#[test]
fn the_happy_path_purges_captures_then_applicant_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let c = record(&mut s, t0());
    let row = s.get(c.packet_id).unwrap().unwrap();
    assert_eq!(row.state, State::Recorded);
    assert!(row.holds_sealed_captures && row.holds_applicant);
    assert_eq!(
        s.applicant(c.packet_id).unwrap().unwrap().name,
        "SITI RAHAYU"
    );

    let claimed = s.claim_sendable(t0(), Duration::from_secs(60), 10).unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].envelope, vec![0xAB; 1000]);
    // Leased: a second pass does not take it again.
    assert!(s
        .claim_sendable(t0(), Duration::from_secs(60), 10)
        .unwrap()
        .is_empty());

    s.mark_received(c.packet_id, t0(), t0()).unwrap();
    let row = s.get(c.packet_id).unwrap().unwrap();
    assert_eq!(row.state, State::Received);
    assert!(!row.holds_sealed_captures, "captures kept after receipt");

    assert_eq!(s.verdict_due(t0(), 10).unwrap(), vec![c.packet_id]);
    let st = s
        .apply_verdict(
            c.packet_id,
            CentreStatus::PrintReady,
            None,
            Some(&bundle()),
            t0(),
        )
        .unwrap();
    assert_eq!(st, State::PrintReady);
    assert!(s.personalization(c.packet_id).unwrap().is_some());
    assert_eq!(
        s.mark_handed_over(c.packet_id, t0()).unwrap(),
        State::Issued
    );
    let row = s.get(c.packet_id).unwrap().unwrap();
    assert!(!row.holds_applicant && !row.holds_personalization);
    let audit = s.verify_audit().unwrap();
    assert!(audit.ok(), "{:?}", audit.problems);
    assert_eq!(audit.events, 5);
}

#[test]
fn a_closed_window_marks_a_receipt_and_pickup_follows_later() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let c = record(&mut s, t0());
    // Half-way through the window nothing is due.
    assert!(s
        .mark_receipts_due(add(t0(), Duration::from_secs(1800)))
        .unwrap()
        .is_empty());
    let due = s
        .mark_receipts_due(add(t0(), Duration::from_secs(3600)))
        .unwrap();
    assert_eq!(due, vec![c.packet_id]);
    // Only once.
    assert!(s
        .mark_receipts_due(add(t0(), Duration::from_secs(7200)))
        .unwrap()
        .is_empty());
    s.mark_receipt_printed(c.packet_id, t0()).unwrap();
    // Days later: sent, print ready, picked up.
    s.claim_sendable(
        add(t0(), Duration::from_secs(86400)),
        Duration::from_secs(60),
        5,
    )
    .unwrap();
    s.mark_received(c.packet_id, t0(), t0()).unwrap();
    s.apply_verdict(
        c.packet_id,
        CentreStatus::PrintReady,
        None,
        Some(&bundle()),
        t0(),
    )
    .unwrap();
    assert_eq!(
        s.mark_handed_over(c.packet_id, t0()).unwrap(),
        State::PickedUp
    );
    assert!(s.verify_audit().unwrap().ok());
}

#[test]
fn illegal_moves_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let c = record(&mut s, t0());
    assert!(matches!(
        s.mark_received(c.packet_id, t0(), t0()),
        Err(QueueError::NotInState { .. })
    ));
    assert!(matches!(
        s.apply_verdict(c.packet_id, CentreStatus::Duplicate, None, None, t0()),
        Err(QueueError::NotInState { .. })
    ));
    assert!(matches!(
        s.mark_handed_over(c.packet_id, t0()),
        Err(QueueError::NotInState { .. })
    ));
    assert!(matches!(
        s.apply_verdict(c.packet_id, CentreStatus::Processing, None, None, t0()),
        Err(QueueError::NotAVerdict(_))
    ));
    assert_eq!(s.get(c.packet_id).unwrap().unwrap().state, State::Recorded);
    assert!(s.verify_audit().unwrap().ok());
}

#[test]
fn a_failed_send_is_retried_only_when_due() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let c = record(&mut s, t0());
    s.claim_sendable(t0(), Duration::from_secs(60), 5).unwrap();
    let retry = add(t0(), Duration::from_secs(4));
    assert_eq!(s.mark_failed(c.packet_id, "timeout", retry).unwrap(), 1);
    assert!(s
        .claim_sendable(
            add(t0(), Duration::from_secs(3)),
            Duration::from_secs(60),
            5
        )
        .unwrap()
        .is_empty());
    let again = s.claim_sendable(retry, Duration::from_secs(60), 5).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    assert_eq!(
        s.next_wake().unwrap(),
        Some(add(retry, Duration::from_secs(60)))
    );
}

#[test]
fn tampering_with_the_audit_chain_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let key = || LocalKey::from_bytes(&[7u8; 32]).unwrap();
    let mut s = Store::open(&path, key(), 1).unwrap();
    let c = record(&mut s, t0());
    record(&mut s, t0());
    s.claim_sendable(t0(), Duration::from_secs(60), 5).unwrap();
    assert!(s.verify_audit().unwrap().ok());
    drop(s);
    let raw = rusqlite::Connection::open(&path).unwrap();
    // The triggers refuse edits...
    assert!(raw
        .execute("UPDATE audit SET detail = 'x' WHERE seq = 2", [])
        .is_err());
    // ...so an attacker drops them first; the chain still gives it away.
    raw.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit SET to_state = 'issued' WHERE seq = 3;",
    )
    .unwrap();
    // And a packet whose state is changed behind the chain's back.
    raw.execute(
        "UPDATE packets SET state = 'print_ready' WHERE id = ?1",
        [c.packet_id.to_string()],
    )
    .unwrap();
    drop(raw);
    let s = Store::open(&path, key(), 1).unwrap();
    let report = s.verify_audit().unwrap();
    assert!(!report.ok());
    assert!(
        report.problems.iter().any(|p| p.contains("event 3")),
        "{:?}",
        report.problems
    );
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains(&c.packet_id.to_string())),
        "{:?}",
        report.problems
    );
}

#[test]
fn the_wrong_local_key_cannot_read_applicant_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    let mut s = Store::open(&path, LocalKey::from_bytes(&[7u8; 32]).unwrap(), 1).unwrap();
    let c = record(&mut s, t0());
    drop(s);
    let s = Store::open(&path, LocalKey::from_bytes(&[8u8; 32]).unwrap(), 1).unwrap();
    assert!(matches!(s.applicant(c.packet_id), Err(QueueError::Seal(_))));
}

#[test]
fn a_file_that_is_not_a_database_is_reported_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("q.db");
    std::fs::write(&path, vec![0x5Au8; 8192]).unwrap();
    let r = Store::open(&path, LocalKey::from_bytes(&[7u8; 32]).unwrap(), 1);
    assert!(
        matches!(
            r,
            Err(QueueError::Db(crate::durable_db::DbError::Corrupt(_)))
        ),
        "{:?}",
        r.err()
    );
}

#[tokio::test]
async fn the_async_handle_serves_calls_from_its_writer_thread() {
    let dir = tempfile::tempdir().unwrap();
    let q = Queue::spawn(store(&dir));
    let c = q
        .commit(NewRecord {
            packet_id: Uuid::now_v7(),
            envelope: vec![1, 2, 3],
            summary: ApplicantSummary {
                name: "A".into(),
                nik: "3273014508900001".into(),
            },
            recorded_at: t0(),
            deadline_at: t0(),
            approvals: Vec::new(),
            facts: Default::default(),
            awaiting_review: false,
        })
        .await
        .unwrap();
    let counts = q.counts().await.unwrap();
    assert_eq!(counts.get(State::Recorded), 1);
    assert_eq!(counts.oldest_unsent, Some(t0()));
    assert_eq!(q.list().await.unwrap()[0].packet_id, c.packet_id);
}

#[test]
fn complaints_are_numbered_sealed_and_purged_once_delivered() {
    use crate::queue::ComplaintDraft;
    use crate::wire::complaint::{Category, Channel};
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let draft = ComplaintDraft {
        channel: Channel::Booth,
        complainant: "SITI AMINAH".into(),
        contact: "081234567890".into(),
        category: Category::CardNotReady,
        description: "kartu belum jadi sejak bulan lalu".into(),
        link: None,
    };
    let a = s.record_complaint(draft.clone(), "3273-01", t0()).unwrap();
    let b = s.record_complaint(draft, "3273-01", t0()).unwrap();
    assert_ne!(a.ticket_no, b.ticket_no);
    // YYMMDD · booth 01 · the day's sequence · check digit.
    assert_eq!(&a.ticket_no.as_str()[..11], "26112501001");
    assert_eq!(&b.ticket_no.as_str()[..11], "26112501002");
    let due = s.due_complaints(t0(), 10).unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].complainant, "SITI AMINAH");
    // Nothing personal in the file in clear.
    drop(s);
    let raw = std::fs::read(dir.path().join("q.db")).unwrap();
    let wal = std::fs::read(dir.path().join("q.db-wal")).unwrap_or_default();
    for hay in [&raw, &wal] {
        assert!(!hay.windows(11).any(|w| w == b"SITI AMINAH"));
        assert!(!hay.windows(12).any(|w| w == b"081234567890"));
    }
    let mut s = store(&dir);
    s.mark_complaint_failed(a.id, "desk unreachable", t0())
        .unwrap();
    assert_eq!(s.complaint_attempts(a.id).unwrap(), 1);
    s.mark_complaint_delivered(a.id, t0()).unwrap();
    let row = s.complaint(a.ticket_no.as_str()).unwrap().unwrap();
    assert!(row.delivered);
    assert_eq!(s.due_complaints(t0(), 10).unwrap().len(), 1);
    assert_eq!(s.undelivered_complaints().unwrap(), 1);
    // Both recordings and the delivery are in the audit chain; a repeated confirmation adds
    // nothing, and a delivery undone in the file is found.
    let report = s.verify_audit().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.events, 3);
    s.mark_complaint_delivered(a.id, t0()).unwrap();
    assert_eq!(s.verify_audit().unwrap().events, 3);
    s.conn()
        .execute(
            "UPDATE complaints SET delivered = 0 WHERE id = ?1",
            [a.id.to_string()],
        )
        .unwrap();
    assert_eq!(
        s.verify_audit().unwrap().problems,
        vec![format!(
            "complaint {}: delivery is pending but the audit chain says delivered",
            a.ticket_no.as_str()
        )]
    );
}

#[test]
fn an_uploads_url_offset_and_size_survive_a_restart_and_size_the_backlog() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    let a = recorded(&mut s, t0());
    let b = recorded(&mut s, t0());
    let counts = s.counts().unwrap();
    assert_eq!(counts.backlog_bytes, 2000);
    assert_eq!((counts.link_rate_bps, counts.backlog_eta()), (None, None));
    s.claim_sendable(t0(), Duration::from_secs(60), 10).unwrap();
    s.upload_created(a, "http://centre/centre/v1/uploads/ab12", 0)
        .unwrap();
    s.upload_acked(a, 600).unwrap();
    s.set_link_rate(8_000, t0()).unwrap();
    drop(s);

    let mut s = reopen(&dir);
    let claimed = s
        .claim_sendable(
            add(t0(), Duration::from_secs(120)),
            Duration::from_secs(60),
            10,
        )
        .unwrap();
    let out = claimed.iter().find(|o| o.packet_id == a).unwrap();
    assert_eq!(
        out.upload_url.as_deref(),
        Some("http://centre/centre/v1/uploads/ab12")
    );
    assert_eq!(out.upload_offset, 600);
    let other = claimed.iter().find(|o| o.packet_id == b).unwrap();
    assert_eq!(
        (other.upload_url.as_deref(), other.upload_offset),
        (None, 0)
    );
    let counts = s.counts().unwrap();
    assert_eq!(counts.backlog_bytes, 400 + 1000);
    assert_eq!(counts.link_rate_bps, Some(8_000));
    // 1400 bytes at 8 kbit/s.
    assert_eq!(counts.backlog_eta(), Some(Duration::from_millis(1400)));
    let row = s.get(a).unwrap().unwrap();
    assert_eq!((row.sealed_size, row.upload_offset), (Some(1000), 600));

    // Received: the envelope goes, the size stays.
    s.mark_received(a, t0(), t0()).unwrap();
    let row = s.get(a).unwrap().unwrap();
    assert!(!row.holds_sealed_captures);
    assert_eq!(row.sealed_size, Some(1000));
    s.upload_forgotten(b).unwrap();
    assert!(matches!(
        s.upload_acked(Uuid::now_v7(), 1),
        Err(QueueError::UnknownPacket(_))
    ));
}
