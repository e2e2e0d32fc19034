//! Operator sign-in with a PIN on the keypad. The argon2 check runs off the UI thread; after
//! too many wrong PINs in a row sign-in is locked for a while.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};
use std::sync::Arc;
use std::time::Instant;

use crate::config::{OperatorConfig, Role};
use crate::pin;
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::keypad::{self, Key};
use crate::ui::pin_gate::{PinGate, Refusal};
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
    gate: PinGate,
    /// Shown above the keypad: a wrong PIN, the lockout, or why the screen locked.
    notice: Option<Notice>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Wrong { left: u32 },
    LockedOut,
    IdleLocked,
}

pub use crate::ui::pin_gate::Rules;

impl State {
    pub fn new(notice: Option<Notice>) -> Self {
        Self {
            gate: PinGate::default(),
            notice,
        }
    }

    pub fn notice(&self) -> Option<Notice> {
        self.notice
    }

    pub fn is_locked_out(&self, now: Instant) -> bool {
        self.gate.is_locked_out(now)
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
                self.gate.key(k, now);
                (Task::none(), None)
            }
            Message::Submit => {
                let pin = match self.gate.submit(now) {
                    Ok(Some(pin)) => pin,
                    Ok(None) => return (Task::none(), None),
                    Err(_) => {
                        self.notice = Some(Notice::LockedOut);
                        return (Task::none(), None);
                    }
                };
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
                self.gate.accepted();
                tracing::info!(operator = %op.id, "signed in");
                (Task::none(), Some(Event::SignedIn(op)))
            }
            Message::Checked(None) => {
                self.notice = Some(match self.gate.rejected(now, rules) {
                    Refusal::LockedOut => Notice::LockedOut,
                    Refusal::Wrong { left } => Notice::Wrong { left },
                });
                (Task::none(), None)
            }
            Message::ToggleLang => (Task::none(), Some(Event::ToggleLang)),
        }
    }

    pub fn view(&self, lang: Lang, office: &str) -> Element<'_, Message> {
        let now = Instant::now();
        let dots = self.gate.dots();
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
        let submit = self.gate.can_submit(now).then_some(Message::Submit);
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
