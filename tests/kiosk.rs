//! The kiosk driven headless through its real update loop: `.ice` scripts under `tests/ice`
//! run in iced_test's emulator against a booth with simulated devices and the embedded centre
//! (tasks and subscriptions really run), and the idle lock is driven with ticks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ktpel_booth::booth::service::Staff;
use ktpel_booth::clock::Clock;
use ktpel_booth::config::{Config, Role};
use ktpel_booth::kiosk::{self, App, Message, Screen};
use ktpel_booth::widgets::signin::{self, Notice};
use std::time::{Duration, Instant};

fn boot() -> (App, iced::Task<Message>) {
    let dir = tempfile::tempdir().unwrap().keep();
    let (clock, _hand) = Clock::manual(common::start_time());
    common::boot_kiosk(Config::load(None).unwrap(), dir, clock)
}

/// Happy path (sign in → documents → NIK → SIAK → record → save → waiting list), invalid and
/// unknown NIKs with their specific messages, and the PIN lockout.
#[test]
fn ice_scripts() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ice");
    if let Err(e) = iced_test::run(kiosk::application(boot, false), dir) {
        panic!("{e}: {e:?}");
    }
}

fn staff(id: &str, role: Role) -> Staff {
    Staff {
        id: id.into(),
        name: "Petugas".into(),
        role,
    }
}

#[test]
fn the_screen_locks_when_idle_and_gives_the_same_operator_their_screen_back() {
    let mut app = App::new(Config::load(None).unwrap());
    let op = staff("op-01", Role::Operator);
    app.screen = Screen::SignIn(signin::State::new(None, true));
    let _ = app.update(Message::SignIn(signin::Message::Checked(Ok(op.clone()))));
    assert!(matches!(app.screen, Screen::Home(_)));
    let _ = app.update(Message::Home(kiosk::screen::home::Message::StartRecording));
    assert!(matches!(app.screen, Screen::Documents(_)));
    // Four minutes of nothing: still there.
    let _ = app.update(Message::Tick(Instant::now() + Duration::from_secs(240)));
    assert!(matches!(app.screen, Screen::Documents(_)));
    // Past the five minutes of the default config: locked.
    let _ = app.update(Message::Tick(Instant::now() + Duration::from_secs(301)));
    match &app.screen {
        Screen::SignIn(s) => assert_eq!(s.notice(), Some(Notice::Idle)),
        _ => panic!("not locked"),
    }
    assert!(app.who.is_none());
    // The same operator gets the documents screen back; another one starts at home.
    let _ = app.update(Message::SignIn(signin::Message::Checked(Ok(op.clone()))));
    assert!(matches!(app.screen, Screen::Documents(_)));
    let _ = app.update(Message::Tick(Instant::now() + Duration::from_secs(400)));
    let _ = app.update(Message::SignIn(signin::Message::Checked(Ok(staff(
        "op-02",
        Role::Operator,
    )))));
    assert!(matches!(app.screen, Screen::Home(_)));
}

/// The camera sends thirty frames a second while the face is framed: none of them is a touch.
/// Six minutes on the face step with nobody at the kiosk lock it, hiding the applicant and
/// stopping the preview; a real touch keeps it open.
#[test]
fn camera_frames_do_not_keep_the_screen_awake_but_a_touch_does() {
    use kiosk::screen::record;
    use kiosk::screen::verify::Confirmed;
    let config = Config::load(None).unwrap();
    let mut app = App::new(config.clone());
    let op = staff("op-01", Role::Operator);
    app.screen = Screen::SignIn(signin::State::new(None, true));
    let _ = app.update(Message::SignIn(signin::Message::Checked(Ok(op))));
    let start = Instant::now();
    let resident = ktpel_booth::domain::population::generate(5, 1, jiff::civil::date(2026, 1, 1))
        .pop()
        .unwrap();
    let confirmed = Confirmed {
        verified: ktpel_booth::booth::service::applicant::Verified {
            resident: Box::new(resident),
            here: vec![],
            centre: vec![],
            centre_unknown: None,
        },
        approval: None,
    };
    let procedure = ktpel_booth::booth::procedure::Procedure::new(&config, start);
    let rules = ktpel_booth::booth::recording::ApprovalRules::of(&config.procedure);
    let (state, _begin) = record::State::new(confirmed, procedure, false, rules);
    app.screen = Screen::Record(Box::new(state));
    let frame = || {
        Message::Record(record::Message::Preview(kiosk::preview::Event::Frame(
            iced::widget::image::Handle::from_rgba(1, 1, vec![0, 0, 0, 255]),
        )))
    };
    // A touch at four minutes, then frames every "second" until six minutes.
    for s in (0..360).step_by(1) {
        let _ = app.update(frame());
        if s == 240 {
            let _ = app.update(Message::Input);
        }
        let _ = app.update(Message::Tick(start + Duration::from_secs(s)));
    }
    assert!(
        matches!(app.screen, Screen::Record(_)),
        "a touch at 4:00 keeps it open until 9:00"
    );
    assert!(app.camera_on());
    // Frames alone, past five minutes after the touch.
    for s in 360..(240 + 301) {
        let _ = app.update(frame());
        let _ = app.update(Message::Tick(start + Duration::from_secs(s)));
    }
    match &app.screen {
        Screen::SignIn(s) => assert_eq!(s.notice(), Some(Notice::Idle)),
        _ => panic!("frames kept the screen awake"),
    }
    // Behind the lock nothing of the applicant shows, and the preview is off.
    assert!(!app.camera_on());
}
