//! Sign-in with a PIN on the keypad, for the kiosk's operators and the complaint desk's staff
//! alike: the argon2 check runs off the UI thread, and after too many wrong PINs in a row
//! sign-in is locked for a while ([`PinGate`]). The screen is generic over who signs in; each
//! program says how a PIN finds its person and gives the words.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length, Task};
use std::marker::PhantomData;
use std::time::Instant;

use crate::config::Role;
use crate::t;
use crate::ui::i18n::Lang;
use crate::ui::keypad::{self, Key};
use crate::ui::pin_gate::{PinGate, Refusal};
use crate::ui::theme::{self, Kind};

pub use crate::ui::pin_gate::Rules;

/// Someone who can sign in.
pub trait Who: Clone + std::fmt::Debug + Send + 'static {
    /// What the log names them by (an id, never a name).
    fn id(&self) -> &str;
}

/// A kiosk operator who is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl Who for Operator {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The kiosk's operator by PIN. Slow on purpose (argon2): call it off the UI thread.
pub fn find_operator(pin: &str, operators: &[crate::config::OperatorConfig]) -> Option<Operator> {
    crate::pin::find_operator(pin, operators).map(|o| Operator {
        id: o.id.clone(),
        name: o.name.clone(),
        role: o.role,
    })
}

/// The kiosk's words for the screen.
pub fn kiosk_words(lang: Lang, t: Text) -> String {
    match t {
        Text::Title => t!(lang, "app-title"),
        Text::Prompt => t!(lang, "signin-prompt"),
        Text::Submit => t!(lang, "signin-submit"),
        Text::LangSwitch => t!(lang, "lang-switch"),
        Text::Wrong { left } => t!(lang, "signin-wrong", left = left),
        Text::LockedOut => t!(lang, "signin-locked-out"),
        Text::Idle => t!(lang, "signin-idle-locked"),
    }
}

#[derive(Debug, Clone)]
pub enum Message<W> {
    Key(Key),
    Submit,
    Checked(Option<W>),
    ToggleLang,
}

pub enum Event<W> {
    SignedIn(W),
    ToggleLang,
}

/// Shown above the keypad: a wrong PIN, the lockout, or why the screen is back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Wrong {
        left: u32,
    },
    LockedOut,
    /// Locked or signed out after the idle time.
    Idle,
}

/// The words the screen shows, in the program's language.
pub enum Text {
    Title,
    Prompt,
    Submit,
    LangSwitch,
    Wrong { left: u32 },
    LockedOut,
    Idle,
}

pub struct State<W> {
    gate: PinGate,
    notice: Option<Notice>,
    who: PhantomData<fn() -> W>,
}

impl<W: Who> State<W> {
    pub fn new(notice: Option<Notice>) -> Self {
        Self {
            gate: PinGate::default(),
            notice,
            who: PhantomData,
        }
    }

    pub fn notice(&self) -> Option<Notice> {
        self.notice
    }

    pub fn is_locked_out(&self, now: Instant) -> bool {
        self.gate.is_locked_out(now)
    }

    /// `find` is who the PIN belongs to, if anyone; it runs on a blocking thread.
    pub fn update<F>(
        &mut self,
        message: Message<W>,
        find: F,
        rules: &Rules,
    ) -> (Task<Message<W>>, Option<Event<W>>)
    where
        F: FnOnce(&str) -> Option<W> + Send + 'static,
    {
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
                let check = async move {
                    tokio::task::spawn_blocking(move || find(&pin))
                        .await
                        .ok()
                        .flatten()
                };
                (Task::perform(check, Message::Checked), None)
            }
            Message::Checked(Some(who)) => {
                self.gate.accepted();
                tracing::info!(who = who.id(), "signed in");
                (Task::none(), Some(Event::SignedIn(who)))
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

    pub fn view<'a>(
        &'a self,
        words: impl Fn(Text) -> String,
        office: &str,
    ) -> Element<'a, Message<W>> {
        let now = Instant::now();
        let notice: Element<'_, Message<W>> = match self.notice {
            Some(Notice::Wrong { left }) => theme::alert(words(Text::Wrong { left })),
            Some(Notice::LockedOut) if self.is_locked_out(now) => {
                theme::alert(words(Text::LockedOut))
            }
            Some(Notice::Idle) => theme::panel(text(words(Text::Idle)).size(theme::BODY)),
            _ => Space::new().height(Length::Fixed(theme::TOUCH)).into(),
        };
        let submit = self.gate.can_submit(now).then_some(Message::Submit);
        let left = column![
            text(words(Text::Title)).size(theme::TITLE),
            text(office.to_string()).size(theme::BODY),
            text(words(Text::Prompt)).size(theme::HEADING),
            text(self.gate.dots()).size(theme::TITLE),
            notice,
            row![
                theme::action(words(Text::Submit), Kind::Primary, submit)
                    .width(Length::Fixed(260.0)),
                theme::action(
                    words(Text::LangSwitch),
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
