//! Operator sign-in with a PIN on the keypad. The argon2 check runs off the UI thread; after
//! too many wrong PINs in a row sign-in is locked for a while.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::{OperatorConfig, Role};
use crate::pin;
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::keypad::{self, Key};
use crate::ui::theme::{self, Kind};

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    Submit,
    Checked(Option<Operator>),
    ToggleLang,
}

pub enum Event {
    SignedIn(Operator),
    ToggleLang,
}

pub struct State {
    pin: String,
    failures: u32,
    locked_until: Option<Instant>,
    checking: bool,
    /// Shown above the keypad: a wrong PIN, the lockout, or why the screen locked.
    notice: Option<Notice>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Wrong { left: u32 },
    LockedOut,
    IdleLocked,
}

pub struct Rules {
    pub attempts: u32,
    pub lockout: Duration,
}

impl State {
    pub fn new(notice: Option<Notice>) -> Self {
        Self {
            pin: String::new(),
            failures: 0,
            locked_until: None,
            checking: false,
            notice,
        }
    }

    pub fn notice(&self) -> Option<Notice> {
        self.notice
    }

    pub fn is_locked_out(&self, now: Instant) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    pub fn update(
        &mut self,
        message: Message,
        operators: &Arc<Vec<OperatorConfig>>,
        rules: &Rules,
    ) -> (Task<Message>, Option<Event>) {
        let now = Instant::now();
        match message {
            Message::Key(k) => {
                if !self.is_locked_out(now) && !self.checking {
                    keypad::apply(&mut self.pin, k, pin::MAX_LEN);
                }
                (Task::none(), None)
            }
            Message::Submit => {
                if self.is_locked_out(now) {
                    self.notice = Some(Notice::LockedOut);
                    return (Task::none(), None);
                }
                if self.checking || self.pin.len() < pin::MIN_LEN {
                    return (Task::none(), None);
                }
                self.checking = true;
                let pin = std::mem::take(&mut self.pin);
                let operators = operators.clone();
                let check = async move {
                    tokio::task::spawn_blocking(move || {
                        pin::find_operator(&pin, &operators).map(|o| Operator {
                            id: o.id.clone(),
                            name: o.name.clone(),
                            role: o.role,
                        })
                    })
                    .await
                    .ok()
                    .flatten()
                };
                (Task::perform(check, Message::Checked), None)
            }
            Message::Checked(Some(op)) => {
                self.checking = false;
                self.failures = 0;
                tracing::info!(operator = %op.id, "signed in");
                (Task::none(), Some(Event::SignedIn(op)))
            }
            Message::Checked(None) => {
                self.checking = false;
                self.failures += 1;
                tracing::warn!(failures = self.failures, "wrong PIN");
                if self.failures >= rules.attempts {
                    self.locked_until = Some(now + rules.lockout);
                    self.failures = 0;
                    self.notice = Some(Notice::LockedOut);
                } else {
                    self.notice = Some(Notice::Wrong {
                        left: rules.attempts - self.failures,
                    });
                }
                (Task::none(), None)
            }
            Message::ToggleLang => (Task::none(), Some(Event::ToggleLang)),
        }
    }

    pub fn view(&self, lang: Lang, office: &str) -> Element<'_, Message> {
        let now = Instant::now();
        let dots: String =
            "●".repeat(self.pin.len()) + &"○".repeat(pin::MIN_LEN.saturating_sub(self.pin.len()));
        let notice: Element<'_, Message> = match self.notice {
            Some(Notice::Wrong { left }) => theme::alert(t!(lang, "signin-wrong", left = left)),
            Some(Notice::LockedOut) if self.is_locked_out(now) => {
                theme::alert(t!(lang, "signin-locked-out"))
            }
            Some(Notice::IdleLocked) => {
                theme::panel(text(t!(lang, "signin-idle-locked")).size(theme::BODY))
            }
            _ => Space::new().height(Length::Fixed(theme::TOUCH)).into(),
        };
        let submit = (self.pin.len() >= pin::MIN_LEN && !self.checking && !self.is_locked_out(now))
            .then_some(Message::Submit);
        let left = column![
            text(t!(lang, "app-title")).size(theme::TITLE),
            text(office.to_string()).size(theme::BODY),
            text(t!(lang, "signin-prompt")).size(theme::HEADING),
            text(dots).size(theme::TITLE),
            notice,
            row![
                theme::action(t!(lang, "signin-submit"), Kind::Primary, submit)
                    .width(Length::Fixed(260.0)),
                theme::action(
                    t!(lang, "lang-switch"),
                    Kind::Secondary,
                    Some(Message::ToggleLang)
                )
                .width(Length::Fixed(220.0)),
            ]
            .spacing(theme::GAP),
        ]
        .spacing(theme::GAP * 1.5)
        .width(Length::Fill);
        theme::page(row![left, keypad::view(Message::Key)].spacing(theme::GAP * 2.0))
    }
}
