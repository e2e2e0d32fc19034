//! The kiosk driven headless through its real update loop: `.ice` scripts under `tests/ice`
//! run in iced_test's emulator against a booth with simulated devices and the embedded centre
//! (tasks and subscriptions really run), and the idle lock is driven with ticks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ktpel_booth::clock::Clock;
use ktpel_booth::config::{Config, Role};
use ktpel_booth::ui::screen::signin::{self, Notice, Operator};
use ktpel_booth::ui::{self, App, Message, Screen};
use std::time::{Duration, Instant};

fn boot() -> (App, iced::Task<Message>) {
    let dir = tempfile::tempdir().unwrap().keep();
    let (clock, _hand) = Clock::manual(common::start_time());
    App::boot_with(Config::load(None).unwrap(), dir, clock)
}

/// Happy path (sign in → documents → NIK → SIAK → record → save → waiting list), invalid and
/// unknown NIKs with their specific messages, and the PIN lockout.
#[test]
fn ice_scripts() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ice");
    if let Err(e) = iced_test::run(ui::application(boot, false), dir) {
        panic!("{e}: {e:?}");
    }
}

#[test]
fn the_screen_locks_when_idle_and_gives_the_same_operator_their_screen_back() {
    let mut app = App::new(Config::load(None).unwrap());
    let op = Operator {
        id: "op-01".into(),
        name: "Petugas".into(),
        role: Role::Operator,
    };
    app.screen = Screen::SignIn(signin::State::new(None));
    let _ = app.update(Message::SignIn(signin::Message::Checked(Some(op.clone()))));
    assert!(matches!(app.screen, Screen::Home(_)));
    let _ = app.update(Message::Home(ui::screen::home::Message::StartRecording));
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
    assert!(app.operator.is_none());
    // The same operator gets the documents screen back; another one starts at home.
    let _ = app.update(Message::SignIn(signin::Message::Checked(Some(op.clone()))));
    assert!(matches!(app.screen, Screen::Documents(_)));
    let _ = app.update(Message::Tick(Instant::now() + Duration::from_secs(400)));
    let other = Operator {
        id: "op-02".into(),
        ..op
    };
    let _ = app.update(Message::SignIn(signin::Message::Checked(Some(other))));
    assert!(matches!(app.screen, Screen::Home(_)));
}
