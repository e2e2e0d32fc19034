#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

// ---- ticket numbers

#[test]
fn a_ticket_number_is_date_booth_sequence_and_a_luhn_digit() {
    // 2026-11-25 09:00 WIB.
    let t = TicketNo::new(at("2026-11-25T02:00:00Z"), 1, 17).unwrap();
    assert_eq!(t.as_str().len(), 12);
    assert_eq!(&t.as_str()[..11], "26112501017");
    assert_eq!(t.day(), "261125");
    assert_eq!(t.booth_number(), 1);
    assert_eq!(t.sequence(), 17);
    assert_eq!(
        t.as_str().as_bytes()[11],
        luhn_digit("26112501017") as u8,
        "check digit"
    );
    assert_eq!(
        t.display(),
        format!("PGD 2611 2501 017{}", &t.as_str()[11..])
    );
    // The WIB day, not the UTC one: 23:30 UTC on the 24th is the 25th in Jakarta.
    let late = TicketNo::new(at("2026-11-24T23:30:00Z"), 0, 1).unwrap();
    assert_eq!(late.day(), "261125");
    assert_eq!(late.booth_number(), SECRETARIAT_BOOTH);
}

#[test]
fn a_ticket_number_reads_back_in_every_printed_form() {
    let t = TicketNo::new(at("2026-11-25T02:00:00Z"), 7, 3).unwrap();
    for form in [
        t.as_str().to_string(),
        t.display(),
        format!(
            "pgd-{}-{}-{}",
            &t.as_str()[..6],
            &t.as_str()[6..8],
            &t.as_str()[8..]
        ),
        format!("  {}  ", t.display()),
    ] {
        assert_eq!(TicketNo::parse(&form), Ok(t.clone()), "{form}");
    }
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(json, format!("\"{}\"", t.as_str()));
    assert_eq!(serde_json::from_str::<TicketNo>(&json).unwrap(), t);
}

#[test]
fn a_mistyped_ticket_number_is_refused_with_the_reason() {
    let t = TicketNo::new(at("2026-11-25T02:00:00Z"), 1, 17).unwrap();
    let s = t.as_str();
    // Every single wrong digit is caught.
    for i in 0..12 {
        let mut b = s.as_bytes().to_vec();
        b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
        let wrong = String::from_utf8(b).unwrap();
        assert!(TicketNo::parse(&wrong).is_err(), "{wrong} accepted");
    }
    // Two neighbours swapped (when they differ) too.
    let mut b = s.as_bytes().to_vec();
    b.swap(9, 10); // "…017…" → "…071…"
    assert_eq!(
        TicketNo::parse(std::str::from_utf8(&b).unwrap()),
        Err(TicketError::CheckDigit)
    );
    assert_eq!(TicketNo::parse(&s[..11]), Err(TicketError::Length(11)));
    assert_eq!(
        TicketNo::parse("PGD 2611 2501 01X7"),
        Err(TicketError::NotDigits)
    );
    // A 13-digit proof-of-recording number is not a ticket.
    assert_eq!(
        TicketNo::parse("2611250100019"),
        Err(TicketError::Length(13))
    );
    // Month 13, with a correct check digit.
    let base = "26132501017";
    let bad_date = format!("{base}{}", luhn_digit(base));
    assert_eq!(TicketNo::parse(&bad_date), Err(TicketError::Date));
    let base = "26112501000";
    let zero = format!("{base}{}", luhn_digit(base));
    assert_eq!(TicketNo::parse(&zero), Err(TicketError::Sequence(0)));
    assert_eq!(
        TicketNo::new(at("2026-11-25T02:00:00Z"), 1, 1000),
        Err(TicketError::Sequence(1000))
    );
    assert_eq!(
        TicketNo::new(at("2026-11-25T02:00:00Z"), 100, 1),
        Err(TicketError::Booth(100))
    );
    let wrong_check = (luhn_digit("26112501017") as u8 - b'0' + 1) % 10;
    let json = format!("\"26112501017{wrong_check}\"");
    let e = serde_json::from_str::<TicketNo>(&json)
        .unwrap_err()
        .to_string();
    assert!(e.contains("check digit"), "{e}");
}

// ---- the complaint

pub(crate) fn sample(received: Timestamp) -> Complaint {
    Complaint {
        id: Uuid::now_v7(),
        ticket_no: TicketNo::new(received, 1, 1).unwrap(),
        booth_id: "3273-01".into(),
        received_at: received,
        channel: Channel::Booth,
        complainant: "SITI AMINAH".into(),
        contact: "0812-3456-7890".into(),
        category: Category::CardNotReady,
        description: "KTP-EL BELUM JADI SETELAH 3 BULAN".into(),
        link: Some(Link::Receipt(format!(
            "261125010001{}",
            luhn_digit("261125010001")
        ))),
    }
}

#[test]
fn a_good_complaint_validates_and_each_bad_field_is_named() {
    let now = at("2026-11-25T02:00:00Z");
    let good = sample(now);
    assert_eq!(good.validate(), Ok(()));
    let check = |f: &dyn Fn(&mut Complaint), field: &str| {
        let mut c = sample(now);
        f(&mut c);
        let e = c.validate().expect_err(field);
        assert_eq!(e.field(), field, "{e}");
        assert!(e.to_string().starts_with(field), "{e}");
    };
    check(
        &|c| c.id = uuid::Builder::from_random_bytes([7u8; 16]).into_uuid(),
        "id",
    );
    check(&|c| c.booth_id = "booth 1".into(), "booth_id");
    check(&|c| c.complainant = "  ".into(), "complainant");
    check(&|c| c.complainant = "A".repeat(MAX_NAME + 1), "complainant");
    check(&|c| c.complainant = "SITI\u{7}".into(), "complainant");
    check(&|c| c.contact = "12345".into(), "contact");
    check(&|c| c.contact = "siti@".into(), "contact");
    check(&|c| c.description = String::new(), "description");
    check(
        &|c| c.description = "x".repeat(MAX_DESCRIPTION + 1),
        "description",
    );
    check(
        &|c| c.link = Some(Link::Receipt("2611250100010".into())),
        "link",
    );
    check(&|c| c.channel = Channel::Phone, "channel");
    check(
        &|c| c.ticket_no = TicketNo::new(at("2026-11-20T02:00:00Z"), 1, 1).unwrap(),
        "ticket_no",
    );
    // A phone complaint has the secretariat's booth number.
    let mut phone = sample(now);
    phone.channel = Channel::Phone;
    phone.ticket_no = TicketNo::new(now, SECRETARIAT_BOOTH, 1).unwrap();
    phone.contact = "siti.aminah@example.id".into();
    phone.description = "Line one\nline two".into();
    phone.link = None;
    assert_eq!(phone.validate(), Ok(()));
}

#[test]
fn contacts_are_phone_numbers_or_email_addresses() {
    for ok in ["081234567890", "+62 812 3456 7890", "022-7654321", "a@b.id"] {
        assert!(contact_is_valid(ok), "{ok}");
    }
    for bad in [
        "0812",
        "call me",
        "a@b",
        "@b.id",
        "a b@c.id",
        "+62 812 3456 7890 1234",
    ] {
        assert!(!contact_is_valid(bad), "{bad}");
    }
}

#[test]
fn the_wire_form_is_stable_and_refuses_unknown_fields() {
    let c = sample(at("2026-11-25T02:00:00Z"));
    let v: serde_json::Value = serde_json::to_value(&c).unwrap();
    assert_eq!(v["channel"], "booth");
    assert_eq!(v["category"], "card_not_ready");
    assert!(v["link"]["receipt"].is_string());
    assert_eq!(v["ticket_no"], c.ticket_no.as_str());
    let back: Complaint = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(back, c);
    assert_eq!(back.canonical_bytes(), c.canonical_bytes());
    let mut extra = v;
    extra["nik"] = "3273014508900001".into();
    assert!(serde_json::from_value::<Complaint>(extra).is_err());
    let s = serde_json::to_value(Stage::Forwarded(Assignee::PencatatanSipil)).unwrap();
    assert_eq!(s, serde_json::json!({"forwarded": "pencatatan_sipil"}));
    assert_eq!(serde_json::to_value(Stage::Escalated).unwrap(), "escalated");
    // Debug shows ids only.
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("SITI") && !dbg.contains("0812"), "{dbg}");
}

// ---- the procedure

fn all_stages() -> Vec<Stage> {
    let mut v = vec![Stage::Received, Stage::Escalated, Stage::Decided];
    for a in Assignee::ALL {
        v.push(Stage::Forwarded(a));
        v.push(Stage::Resolved(a));
    }
    v
}

fn all_actions() -> Vec<Action> {
    let mut v = vec![Action::Resolve, Action::Escalate, Action::Decide];
    v.extend(Assignee::ALL.map(Action::Forward));
    v
}

fn all_actors() -> Vec<Actor> {
    let mut v: Vec<Actor> = Role::ALL.into_iter().map(Actor::Staff).collect();
    v.push(Actor::System);
    v
}

#[test]
fn the_permission_table_allows_exactly_the_procedure() {
    use Role::*;
    let s = Actor::Staff;
    // Every move the procedure gives, and nothing else.
    let mut allowed: Vec<(Actor, Action, Stage, Stage)> = Vec::new();
    for a in Assignee::ALL {
        allowed.push((
            s(Secretariat),
            Action::Forward(a),
            Stage::Received,
            Stage::Forwarded(a),
        ));
        allowed.push((
            s(a.role()),
            Action::Resolve,
            Stage::Forwarded(a),
            Stage::Resolved(a),
        ));
        allowed.push((
            s(a.role()),
            Action::Escalate,
            Stage::Forwarded(a),
            Stage::Escalated,
        ));
        allowed.push((
            Actor::System,
            Action::Escalate,
            Stage::Forwarded(a),
            Stage::Escalated,
        ));
    }
    allowed.push((
        Actor::System,
        Action::Escalate,
        Stage::Received,
        Stage::Escalated,
    ));
    allowed.push((
        s(KepalaDinas),
        Action::Decide,
        Stage::Escalated,
        Stage::Decided,
    ));
    assert_eq!(allowed.len(), 14);

    let mut seen = 0;
    for actor in all_actors() {
        for action in all_actions() {
            for stage in all_stages() {
                let got = next_stage(actor, action, stage);
                let expected = allowed
                    .iter()
                    .find(|(a, x, st, _)| *a == actor && *x == action && *st == stage)
                    .map(|(.., next)| *next);
                match (got, expected) {
                    (Ok(next), Some(e)) => {
                        assert_eq!(next, e);
                        seen += 1;
                    }
                    (Err(_), None) => {}
                    (got, expected) => {
                        panic!("{actor} {action} on {stage}: got {got:?}, expected {expected:?}")
                    }
                }
            }
        }
    }
    assert_eq!(seen, allowed.len());
}

#[test]
fn a_refusal_says_why() {
    use Role::*;
    let s = Actor::Staff;
    // An action the role does not have at all, in any stage.
    for stage in all_stages() {
        assert_eq!(
            next_stage(s(Secretary), Action::Decide, stage),
            Err(Refusal::NotPermitted {
                actor: s(Secretary),
                action: Action::Decide
            })
        );
        assert!(matches!(
            next_stage(s(KepalaDinas), Action::Forward(Assignee::Secretary), stage),
            Err(Refusal::NotPermitted { .. })
        ));
        assert!(matches!(
            next_stage(s(Secretariat), Action::Resolve, stage),
            Err(Refusal::NotPermitted { .. })
        ));
        assert!(matches!(
            next_stage(Actor::System, Action::Resolve, stage),
            Err(Refusal::NotPermitted { .. })
        ));
    }
    // The right kind of action, but another unit's complaint.
    assert_eq!(
        next_stage(
            s(HeadPencatatan),
            Action::Resolve,
            Stage::Forwarded(Assignee::Pendaftaran)
        ),
        Err(Refusal::NotHolder {
            role: HeadPencatatan,
            holder: HeadPendaftaran
        })
    );
    assert_eq!(
        next_stage(
            s(Secretariat),
            Action::Forward(Assignee::Secretary),
            Stage::Forwarded(Assignee::Pendaftaran)
        ),
        Err(Refusal::NotHolder {
            role: Secretariat,
            holder: HeadPendaftaran
        })
    );
    assert_eq!(
        next_stage(s(Secretary), Action::Escalate, Stage::Received),
        Err(Refusal::NotHolder {
            role: Secretary,
            holder: Secretariat
        })
    );
    // Closed is closed.
    assert_eq!(
        next_stage(
            s(Secretary),
            Action::Resolve,
            Stage::Resolved(Assignee::Secretary)
        ),
        Err(Refusal::WrongStage {
            action: Action::Resolve,
            stage: Stage::Resolved(Assignee::Secretary)
        })
    );
    assert!(matches!(
        next_stage(s(KepalaDinas), Action::Decide, Stage::Decided),
        Err(Refusal::WrongStage { .. })
    ));
    assert!(matches!(
        next_stage(Actor::System, Action::Escalate, Stage::Escalated),
        Err(Refusal::WrongStage { .. })
    ));
    let msg = Refusal::NotHolder {
        role: HeadPencatatan,
        holder: HeadPendaftaran,
    }
    .to_string();
    assert!(
        msg.contains("head_pendaftaran") && msg.contains("head_pencatatan"),
        "{msg}"
    );
}

#[test]
fn stages_have_one_holder_and_a_stable_key() {
    for stage in all_stages() {
        assert_eq!(Stage::parse_key(&stage.key()), Some(stage));
        // Exactly one role works on an open complaint; nobody on a closed one.
        let workers = Role::ALL.iter().filter(|r| r.works_on(stage)).count();
        assert_eq!(workers, usize::from(!stage.is_closed()), "{stage}");
    }
    assert_eq!(Stage::parse_key("forwarded:nobody"), None);
    assert_eq!(Stage::parse_key("lost"), None);
    for r in Role::ALL {
        assert_eq!(Role::parse(r.as_str()), Some(r));
    }
    assert!(needs_answer(Action::Resolve) && needs_answer(Action::Decide));
    assert!(!needs_answer(Action::Escalate));
}
