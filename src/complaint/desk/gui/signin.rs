//! Staff sign-in with a PIN on the keypad, as at the kiosk: the argon2 check runs off the UI
//! thread, and after too many wrong PINs in a row sign-in is locked for a while.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};
use std::sync::Arc;
use std::time::Instant;

use super::i18n::{arg, tr, tr_with, Lang};
use super::Staff;
use crate::complaint::desk::config::StaffConfig;
use crate::pin;
use crate::ui::keypad::{self, Key};
use crate::ui::pin_gate::{PinGate, Refusal};
use crate::ui::theme::{self, Kind};

#[derive(Debug, Clone)]
pub enum Message {
    Key(Key),
    Submit,
    Checked(Option<Staff>),
    ToggleLang,
}

pub enum Event {
    SignedIn(Staff),
    ToggleLang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Wrong {
        left: u32,
    },
    LockedOut,
    /// Signed out after the idle time.
    IdleSignedOut,
}

pub use crate::ui::pin_gate::Rules;

pub struct State {
    gate: PinGate,
    notice: Option<Notice>,
}

/// The member of staff whose PIN this is. Slow on purpose (argon2): call it off the UI thread.
pub fn find_staff(pin: &str, staff: &[StaffConfig]) -> Option<Staff> {
    staff
        .iter()
        .find(|s| pin::verify(pin, &s.pin_hash))
        .map(|s| Staff {
            id: s.id().to_string(),
            name: s.name.clone(),
            role: s.role,
        })
}

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
        staff: &Arc<Vec<StaffConfig>>,
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
                let staff = staff.clone();
                let check = async move {
                    tokio::task::spawn_blocking(move || find_staff(&pin, &staff))
                        .await
                        .ok()
                        .flatten()
                };
                (Task::perform(check, Message::Checked), None)
            }
            Message::Checked(Some(s)) => {
                self.gate.accepted();
                tracing::info!(staff = %s.id, role = %s.role, "desk sign-in");
                (Task::none(), Some(Event::SignedIn(s)))
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
            Some(Notice::Wrong { left }) => {
                theme::alert(tr_with(lang, "signin-wrong", &[arg("left", left)]))
            }
            Some(Notice::LockedOut) if self.is_locked_out(now) => {
                theme::alert(tr(lang, "signin-locked-out"))
            }
            Some(Notice::IdleSignedOut) => {
                theme::panel(text(tr(lang, "signin-idle")).size(theme::BODY))
            }
            _ => Space::new().height(Length::Fixed(theme::TOUCH)).into(),
        };
        let submit = self.gate.can_submit(now).then_some(Message::Submit);
        let left = column![
            text(tr(lang, "desk-title")).size(theme::TITLE),
            text(office.to_string()).size(theme::BODY),
            text(tr(lang, "signin-prompt")).size(theme::HEADING),
            text(dots).size(theme::TITLE),
            notice,
            row![
                theme::action(tr(lang, "signin-submit"), Kind::Primary, submit)
                    .width(Length::Fixed(260.0)),
                theme::action(
                    tr(lang, "lang-switch"),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::complaint::desk::config::DeskConfig;
    use crate::complaint::model::Role;

    #[test]
    fn the_demo_staff_sign_in_with_the_pins_the_config_documents() {
        let c = DeskConfig::load(None).unwrap();
        for (pin, role) in [
            ("201001", Role::Secretariat),
            ("202002", Role::Secretary),
            ("203003", Role::HeadPendaftaran),
            ("204004", Role::HeadPencatatan),
            ("205005", Role::KepalaDinas),
        ] {
            let s = find_staff(pin, &c.staff).unwrap();
            assert_eq!(s.role, role, "{pin}");
            assert!(crate::complaint::desk::config::DEFAULT_TOML.contains(&format!("{role} {pin}")));
        }
        assert!(find_staff("000000", &c.staff).is_none());
    }
}
