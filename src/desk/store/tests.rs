#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::wire::complaint::Assignee;

const DAY: Duration = Duration::from_secs(24 * 3600);
const DEADLINE: Duration = Duration::from_secs(72 * 3600);

fn t0() -> Timestamp {
    // 2026-11-25 09:00 WIB.
    "2026-11-25T02:00:00Z".parse().unwrap()
}

fn complaint(seq: u16, at: Timestamp) -> Complaint {
    Complaint {
        id: Uuid::now_v7(),
        ticket_no: TicketNo::new(at, 1, seq).unwrap(),
        booth_id: "3273-01".into(),
        received_at: at,
        channel: Channel::Booth,
        complainant: "SITI AMINAH".into(),
        contact: "081234567890".into(),
        category: Category::CardNotReady,
        description: "KTP-EL BELUM JADI".into(),
        link: None,
    }
}

fn staff(id: &str, role: Role) -> StaffRef {
    StaffRef {
        id: id.into(),
        role,
    }
}

fn booth() -> Via {
    Via::Booth("3273-01".into())
}

pub(super) fn key() -> LocalKey {
    LocalKey::from_bytes(&[9u8; 32]).unwrap()
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.sqlite"), key()).unwrap();
    (dir, store)
}

#[test]
fn the_file_is_durable_and_migrations_refuse_a_newer_file() {
    let (dir, store) = open();
    let (mode, sync) = store.durability().unwrap();
    assert_eq!((mode.as_str(), sync), ("wal", 2));
    drop(store);
    // Opening again applies nothing twice.
    let store = Store::open(&dir.path().join("desk.sqlite"), key()).unwrap();
    store
        .conn
        .pragma_update(None, "user_version", LATEST + 1)
        .unwrap();
    drop(store);
    assert!(matches!(
        Store::open(&dir.path().join("desk.sqlite"), key()),
        Err(DeskError::Db(
            crate::durable_db::DbError::NewerSchema { .. }
        ))
    ));
}

#[test]
fn a_submission_is_idempotent_by_id_and_conflicts_are_refused() {
    let (_dir, mut s) = open();
    let c = complaint(1, t0());
    let first = s.submit(&c, &booth(), t0(), DEADLINE).unwrap();
    assert!(!first.repeat);
    assert_eq!(first.stage, Stage::Received);
    let again = s.submit(&c, &booth(), add(t0(), DAY), DEADLINE).unwrap();
    assert!(again.repeat);
    assert_eq!(again.stored_at, t0(), "the first storing time");
    let mut changed = c.clone();
    changed.description = "SOMETHING ELSE".into();
    assert_eq!(
        s.submit(&changed, &booth(), t0(), DEADLINE),
        Err(DeskError::IdConflict(c.id))
    );
    let mut other = complaint(1, t0());
    other.id = Uuid::now_v7();
    assert_eq!(
        s.submit(&other, &booth(), t0(), DEADLINE),
        Err(DeskError::TicketTaken(c.ticket_no.clone()))
    );
    let mut bad = complaint(2, t0());
    bad.contact = "123".into();
    assert!(matches!(
        s.submit(&bad, &booth(), t0(), DEADLINE),
        Err(DeskError::Invalid(ComplaintError::Contact))
    ));
    assert_eq!(s.all().unwrap().len(), 1);
    // Only the secretariat hands in complaints in person.
    assert_eq!(
        s.submit(
            &complaint(3, t0()),
            &Via::Staff(staff("sekdin-01", Role::Secretary)),
            t0(),
            DEADLINE
        ),
        Err(DeskError::OnlySecretariatRecords(Role::Secretary))
    );
}

fn draft() -> Draft {
    Draft {
        channel: Channel::Phone,
        complainant: " BUDI SANTOSO ".into(),
        contact: "022-7654321".into(),
        category: Category::DataError,
        description: "NAMA SALAH DI KTP".into(),
        link: None,
    }
}

#[test]
fn the_secretariat_numbers_its_own_complaints_per_day() {
    let (_dir, mut s) = open();
    let sek = staff("sek-01", Role::Secretariat);
    let a = s.record(draft(), &sek, t0(), DEADLINE).unwrap();
    let b = s.record(draft(), &sek, t0(), DEADLINE).unwrap();
    assert_eq!(a.ticket_no.booth_number(), SECRETARIAT_BOOTH);
    assert_eq!((a.ticket_no.sequence(), b.ticket_no.sequence()), (1, 2));
    assert_eq!(a.complainant, "BUDI SANTOSO");
    assert_eq!(a.booth_id, SECRETARIAT_ID);
    // A booth's complaints that day do not take the secretariat's numbers.
    s.submit(&complaint(3, t0()), &booth(), t0(), DEADLINE)
        .unwrap();
    let c = s.record(draft(), &sek, t0(), DEADLINE).unwrap();
    assert_eq!(c.ticket_no.sequence(), 3);
    // The next day starts again at 1.
    let d = s.record(draft(), &sek, add(t0(), DAY), DEADLINE).unwrap();
    assert_eq!(d.ticket_no.sequence(), 1);
    assert_eq!(
        s.record(
            draft(),
            &staff("kadis-01", Role::KepalaDinas),
            t0(),
            DEADLINE
        ),
        Err(DeskError::OnlySecretariatRecords(Role::KepalaDinas))
    );
    let mut bad = draft();
    bad.contact = "call me".into();
    assert!(matches!(
        s.record(bad, &sek, t0(), DEADLINE),
        Err(DeskError::Invalid(ComplaintError::Contact))
    ));
}

#[test]
fn forward_then_resolve_with_an_answer_the_citizen_sees() {
    let (_dir, mut s) = open();
    let c = complaint(1, t0());
    s.submit(&c, &booth(), t0(), DEADLINE).unwrap();
    let sek = staff("sek-01", Role::Secretariat);
    let dafduk = staff("dafduk-01", Role::HeadPendaftaran);
    let capil = staff("capil-01", Role::HeadPencatatan);
    assert_eq!(s.worklist(Role::Secretariat).unwrap().len(), 1);
    assert!(s.worklist(Role::HeadPendaftaran).unwrap().is_empty());

    let at = add(t0(), Duration::from_secs(600));
    let stage = s
        .act(c.id, &sek, Action::Forward(Assignee::Pendaftaran), None, at)
        .unwrap();
    assert_eq!(stage, Stage::Forwarded(Assignee::Pendaftaran));
    assert!(s.worklist(Role::Secretariat).unwrap().is_empty());
    assert_eq!(s.worklist(Role::HeadPendaftaran).unwrap().len(), 1);
    // The other division may not answer it, and nobody closes without an answer.
    assert_eq!(
        s.act(c.id, &capil, Action::Resolve, Some("OK"), at),
        Err(DeskError::Refused(Refusal::NotHolder {
            role: Role::HeadPencatatan,
            holder: Role::HeadPendaftaran
        }))
    );
    assert_eq!(
        s.act(c.id, &dafduk, Action::Resolve, Some("   "), at),
        Err(DeskError::AnswerRequired {
            action: Action::Resolve
        })
    );
    let status = s.status(&c.ticket_no).unwrap().unwrap();
    assert_eq!(status.holder, Role::HeadPendaftaran);
    assert_eq!(status.answer, None);

    let answered = add(t0(), Duration::from_secs(3600));
    s.act(
        c.id,
        &dafduk,
        Action::Resolve,
        Some("Kartu sudah dicetak, silakan ambil."),
        answered,
    )
    .unwrap();
    let status = s.status(&c.ticket_no).unwrap().unwrap();
    assert_eq!(status.stage, Stage::Resolved(Assignee::Pendaftaran));
    assert_eq!(
        status.answer.as_deref(),
        Some("Kartu sudah dicetak, silakan ambil.")
    );
    assert_eq!(status.answered_at, Some(answered));
    assert!(s.worklist(Role::HeadPendaftaran).unwrap().is_empty());
    // Closed: nothing more happens to it, and the deadline no longer applies.
    assert!(matches!(
        s.act(c.id, &dafduk, Action::Escalate, None, answered),
        Err(DeskError::Refused(Refusal::WrongStage { .. }))
    ));
    assert_eq!(s.next_deadline().unwrap(), None);
    assert!(s.escalate_overdue(add(t0(), DAY * 10)).unwrap().is_empty());

    let h = s.history(c.id).unwrap();
    let line: Vec<(&str, &str, &str)> = h
        .iter()
        .map(|e| (e.actor.as_str(), e.role.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        line,
        [
            ("booth:3273-01", "booth", "submit"),
            ("sek-01", "secretariat", "forward:pendaftaran"),
            ("dafduk-01", "head_pendaftaran", "resolve"),
        ]
    );
    assert_eq!(h[2].at, answered);
    assert!(s.verify_audit().unwrap().ok());
}

#[test]
fn an_unknown_complaint_is_named() {
    let (_dir, mut s) = open();
    let id = Uuid::now_v7();
    assert_eq!(
        s.act(
            id,
            &staff("sek-01", Role::Secretariat),
            Action::Forward(Assignee::Secretary),
            None,
            t0()
        ),
        Err(DeskError::UnknownComplaint(id))
    );
    assert_eq!(s.get(id).unwrap(), None);
    assert_eq!(s.status(&TicketNo::new(t0(), 1, 1).unwrap()).unwrap(), None);
}

#[test]
fn the_system_escalates_exactly_the_overdue_open_complaints() {
    let (_dir, mut s) = open();
    let early = complaint(1, t0());
    let forwarded = complaint(2, t0());
    let later = complaint(3, add(t0(), Duration::from_secs(3600)));
    for c in [&early, &forwarded, &later] {
        s.submit(c, &booth(), c.received_at, DEADLINE).unwrap();
    }
    s.act(
        forwarded.id,
        &staff("sek-01", Role::Secretariat),
        Action::Forward(Assignee::Secretary),
        None,
        t0(),
    )
    .unwrap();
    assert_eq!(s.next_deadline().unwrap(), Some(add(t0(), DEADLINE)));
    // A second before the deadline: nothing.
    assert!(s
        .escalate_overdue(add(t0(), DEADLINE - Duration::from_secs(1)))
        .unwrap()
        .is_empty());
    let at = add(t0(), DEADLINE);
    let escalated = s.escalate_overdue(at).unwrap();
    assert_eq!(
        escalated,
        vec![early.ticket_no.clone(), forwarded.ticket_no.clone()]
    );
    for c in [&early, &forwarded] {
        assert_eq!(
            s.status(&c.ticket_no).unwrap().unwrap().stage,
            Stage::Escalated
        );
        let last = s.history(c.id).unwrap().pop().unwrap();
        assert_eq!(
            (last.actor.as_str(), last.role.as_str()),
            ("system", "system")
        );
        assert_eq!(last.action, "escalate");
        assert_eq!(last.at, at);
    }
    assert_eq!(
        s.status(&later.ticket_no).unwrap().unwrap().stage,
        Stage::Received
    );
    assert_eq!(
        s.next_deadline().unwrap(),
        Some(add(later.received_at, DEADLINE))
    );
    // Already with the Kepala Dinas: not escalated twice.
    assert!(s.escalate_overdue(at).unwrap().is_empty());
    assert_eq!(s.worklist(Role::KepalaDinas).unwrap().len(), 2);
    let kadis = staff("kadis-01", Role::KepalaDinas);
    s.act(
        early.id,
        &kadis,
        Action::Decide,
        Some("Dicetak ulang hari ini."),
        at,
    )
    .unwrap();
    let st = s.status(&early.ticket_no).unwrap().unwrap();
    assert_eq!((st.stage, st.holder), (Stage::Decided, Role::KepalaDinas));
    assert_eq!(st.answer.as_deref(), Some("Dicetak ulang hari ini."));
    assert!(s.verify_audit().unwrap().ok());
}

#[test]
fn the_audit_chain_verifies_and_finds_tampering() {
    let (_dir, mut s) = open();
    let c = complaint(1, t0());
    s.submit(&c, &booth(), t0(), DEADLINE).unwrap();
    s.act(
        c.id,
        &staff("sek-01", Role::Secretariat),
        Action::Forward(Assignee::Secretary),
        None,
        t0(),
    )
    .unwrap();
    s.act(
        c.id,
        &staff("sekdin-01", Role::Secretary),
        Action::Resolve,
        Some("Sudah selesai."),
        t0(),
    )
    .unwrap();
    let report = s.verify_audit().unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.events, 3);

    // The triggers stop an ordinary edit of the chain.
    assert!(s
        .conn
        .execute("UPDATE audit SET actor = 'sek-02' WHERE seq = 2", [])
        .is_err());
    assert!(s
        .conn
        .execute("DELETE FROM audit WHERE seq = 3", [])
        .is_err());

    // Someone with the file (even with the key) edits the answer: found.
    let original: Vec<u8> = s
        .conn
        .query_row("SELECT answer FROM complaints", [], |r| r.get(0))
        .unwrap();
    let id: String = s
        .conn
        .query_row("SELECT id FROM complaints", [], |r| r.get(0))
        .unwrap();
    let forged = key()
        .seal(Uuid::parse_str(&id).unwrap(), b"Ditolak.")
        .unwrap();
    for edited in [forged, b"Ditolak.".to_vec()] {
        s.conn
            .execute("UPDATE complaints SET answer = ?1", [edited])
            .unwrap();
        let report = s.verify_audit().unwrap();
        assert!(
            report.problems.iter().any(|p| p.contains("answer")),
            "{report:?}"
        );
    }
    s.conn
        .execute("UPDATE complaints SET answer = ?1", [original])
        .unwrap();
    assert!(s.verify_audit().unwrap().ok());

    // ... or puts the complaint back in another unit's list: found.
    s.conn
        .execute("UPDATE complaints SET stage = 'forwarded:pendaftaran'", [])
        .unwrap();
    let report = s.verify_audit().unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("stage")),
        "{report:?}"
    );
    s.conn
        .execute("UPDATE complaints SET stage = 'resolved:secretary'", [])
        .unwrap();

    // ... or drops the triggers and rewrites who acted: every hash after it breaks.
    s.conn
        .execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
        .unwrap();
    s.conn
        .execute("UPDATE audit SET actor = 'sek-02' WHERE seq = 2", [])
        .unwrap();
    let report = s.verify_audit().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.starts_with("event 2:") && p.contains("hash")),
        "{report:?}"
    );
    s.conn
        .execute("UPDATE audit SET actor = 'sek-01' WHERE seq = 2", [])
        .unwrap();
    assert!(s.verify_audit().unwrap().ok());
    s.conn
        .execute("DELETE FROM audit WHERE seq = 2", [])
        .unwrap();
    let report = s.verify_audit().unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("sequence")),
        "{report:?}"
    );
}

/// Everything the file holds, main file and write-ahead log.
fn file_bytes(dir: &tempfile::TempDir) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        all.extend(std::fs::read(entry.path()).unwrap_or_default());
    }
    all
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn the_complaint_and_its_answers_are_sealed_at_rest_and_read_back_whole() {
    let (dir, mut s) = open();
    let c = complaint(1, t0());
    s.submit(&c, &booth(), t0(), DEADLINE).unwrap();
    let sek = staff("sek-01", Role::Secretariat);
    s.act(c.id, &sek, Action::Forward(Assignee::Secretary), None, t0())
        .unwrap();
    s.act(
        c.id,
        &staff("sekdin-01", Role::Secretary),
        Action::Escalate,
        Some("MOHON KEPUTUSAN UNTUK SITI AMINAH"),
        t0(),
    )
    .unwrap();
    s.checkpoint().unwrap();
    let bytes = file_bytes(&dir);
    for secret in [
        "SITI AMINAH",
        "081234567890",
        "KTP-EL BELUM JADI",
        "MOHON KEPUTUSAN",
    ] {
        assert!(
            !holds(&bytes, secret),
            "{secret} is in the desk's file in clear"
        );
    }
    // The scan above can fail: a planted copy is found.
    assert!(holds(
        &[b"xx".as_slice(), b"SITI AMINAH"].concat(),
        "SITI AMINAH"
    ));
    let e = s.get(c.id).unwrap().unwrap();
    assert_eq!(e.complaint, c);
    assert_eq!(
        e.escalation_note.as_deref(),
        Some("MOHON KEPUTUSAN UNTUK SITI AMINAH")
    );
    // Another desk's key cannot read it.
    drop(s);
    let other = LocalKey::from_bytes(&[1u8; 32]).unwrap();
    let s = Store::open(&dir.path().join("desk.sqlite"), other).unwrap();
    assert!(matches!(s.get(c.id), Err(DeskError::Corrupt(_))));
}

#[test]
fn complaints_stored_before_sealing_are_sealed_when_the_desk_opens() {
    let (dir, mut s) = open();
    let c = complaint(2, t0());
    s.submit(&c, &booth(), t0(), DEADLINE).unwrap();
    // As an older desk left it: the complaint in clear, not marked sealed.
    s.conn
        .execute(
            "UPDATE complaints SET content = ?1, sealed = 0 WHERE id = ?2",
            params![c.canonical_bytes(), c.id.to_string()],
        )
        .unwrap();
    s.checkpoint().unwrap();
    assert!(holds(&file_bytes(&dir), "SITI AMINAH"));
    drop(s);
    let s = Store::open(&dir.path().join("desk.sqlite"), key()).unwrap();
    s.checkpoint().unwrap();
    assert_eq!(s.get(c.id).unwrap().unwrap().complaint, c);
    let sealed: i64 = s
        .conn
        .query_row(
            "SELECT count(*) FROM complaints WHERE sealed = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sealed, 0);
}
