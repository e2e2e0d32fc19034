//! Sign-in with a PIN on the keypad, for the kiosk's staff and the complaint desk's alike. The
//! screen does no I/O and keeps no lockout of its own: it asks the program to check a PIN
//! ([`Outcome::Check`]) and shows the program's answer — signed in, a wrong PIN with the tries
//! left, or a lockout with the time left. Where the program lets a supervisor clear a lockout,
//! the locked screen offers it.

use iced::widget::{column, row, text, Space};
use iced::{Element, Length};
use std::marker::PhantomData;
use std::time::{Duration, Instant};

use crate::widgets::keypad::{self, Key};
use crate::widgets::theme::{self, Kind};

/// Someone who can sign in.
pub trait Who: Clone + std::fmt::Debug + Send + 'static {
    /// What the log names them by (an id, never a name).
    fn id(&self) -> &str;
}

/// Why the program did not accept a PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Wrong {
        left: u32,
    },
    /// Sign-in is locked for this long yet.
    LockedOut {
        left: Duration,
    },
    /// A supervisor's PIN was asked for and this is someone else's.
    NotSupervisor,
    /// The check itself failed (the booth's storage); try again.
    Failed,
}

#[derive(Debug, Clone)]
pub enum Message<W> {
    Key(Key),
    Submit,
    Checked(Result<W, Refusal>),
    ToggleLang,
    /// Switch to (or away from) typing a supervisor's PIN to clear the lockout.
    Override,
}

/// What the screen asks of the program.
#[derive(Debug)]
pub enum Outcome<W> {
    None,
    /// Check this PIN; `overriding` when it is a supervisor clearing the lockout.
    Check {
        pin: String,
        overriding: bool,
    },
    SignedIn(W),
    ToggleLang,
}

/// Shown above the keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Wrong {
        left: u32,
    },
    LockedOut,
    /// Locked or signed out after the idle time.
    Idle,
    NotSupervisor,
    Failed,
}

/// The words the screen shows, in the program's language.
pub enum Text {
    Title,
    Prompt,
    Submit,
    LangSwitch,
    Wrong {
        left: u32,
    },
    LockedOut,
    /// How long the lockout lasts yet.
    LockedFor {
        minutes: u64,
        seconds: u64,
    },
    Idle,
    /// The button that lets a supervisor clear the lockout.
    Override,
    /// The prompt while a supervisor types their PIN.
    OverridePrompt,
    NotSupervisor,
    Failed,
}

pub struct State<W> {
    pin: String,
    checking: bool,
    notice: Option<Notice>,
    locked_until: Option<Instant>,
    overriding: bool,
    /// Whether a supervisor may clear a lockout here.
    can_override: bool,
    who: PhantomData<fn() -> W>,
}

impl<W: Who> State<W> {
    pub fn new(notice: Option<Notice>, can_override: bool) -> Self {
        Self {
            pin: String::new(),
            checking: false,
            notice,
            locked_until: None,
            overriding: false,
            can_override,
            who: PhantomData,
        }
    }

    /// A screen that opens locked (the lockout outlived a restart).
    pub fn locked(left: Duration, can_override: bool, now: Instant) -> Self {
        let mut s = Self::new(Some(Notice::LockedOut), can_override);
        s.locked_until = Some(now + left);
        s
    }

    pub fn notice(&self) -> Option<Notice> {
        self.notice
    }

    pub fn is_locked_out(&self, now: Instant) -> bool {
        self.locked_until.is_some_and(|t| now < t)
    }

    pub fn is_overriding(&self) -> bool {
        self.overriding
    }

    /// A key typed on a keyboard: digits and Backspace as on the keypad, Enter signs in.
    pub fn typed(&self, typed: super::typing::Typed) -> Option<Message<W>> {
        match typed {
            super::typing::Typed::Enter => Some(Message::Submit),
            t => t.keypad().map(Message::Key),
        }
    }

    pub fn update(&mut self, message: Message<W>, now: Instant) -> Outcome<W> {
        match message {
            Message::Key(k) => {
                if !self.checking {
                    keypad::apply(&mut self.pin, k, crate::pin::MAX_LEN);
                }
                Outcome::None
            }
            Message::Submit => {
                if self.checking || self.pin.len() < crate::pin::MIN_LEN {
                    return Outcome::None;
                }
                if self.is_locked_out(now) && !self.overriding {
                    self.pin.clear();
                    self.notice = Some(Notice::LockedOut);
                    return Outcome::None;
                }
                self.checking = true;
                Outcome::Check {
                    pin: std::mem::take(&mut self.pin),
                    overriding: self.overriding,
                }
            }
            Message::Checked(Ok(who)) => {
                self.checking = false;
                self.locked_until = None;
                self.overriding = false;
                tracing::info!(who = who.id(), "signed in");
                Outcome::SignedIn(who)
            }
            Message::Checked(Err(refusal)) => {
                self.checking = false;
                self.notice = Some(match refusal {
                    Refusal::Wrong { left } => Notice::Wrong { left },
                    Refusal::LockedOut { left } => {
                        self.locked_until = Some(now + left);
                        self.overriding = false;
                        Notice::LockedOut
                    }
                    Refusal::NotSupervisor => Notice::NotSupervisor,
                    Refusal::Failed => Notice::Failed,
                });
                Outcome::None
            }
            Message::ToggleLang => Outcome::ToggleLang,
            Message::Override => {
                if self.can_override && self.is_locked_out(now) && !self.checking {
                    self.overriding = !self.overriding;
                    self.pin.clear();
                }
                Outcome::None
            }
        }
    }

    pub fn view<'a>(
        &'a self,
        words: impl Fn(Text) -> String,
        office: &str,
        now: Instant,
    ) -> Element<'a, Message<W>> {
        let locked = self.is_locked_out(now);
        let notice: Element<'_, Message<W>> = match self.notice {
            Some(Notice::LockedOut) if locked => {
                let left = self
                    .locked_until
                    .map(|t| t.saturating_duration_since(now))
                    .unwrap_or_default();
                let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
                column![
                    theme::alert(words(Text::LockedOut)),
                    text(words(Text::LockedFor {
                        minutes: secs / 60,
                        seconds: secs % 60,
                    }))
                    .size(theme::HEADING),
                ]
                .spacing(theme::GAP / 2.0)
                .into()
            }
            Some(Notice::Wrong { left }) => theme::alert(words(Text::Wrong { left })),
            Some(Notice::NotSupervisor) => theme::alert(words(Text::NotSupervisor)),
            Some(Notice::Failed) => theme::alert(words(Text::Failed)),
            Some(Notice::Idle) => theme::panel(text(words(Text::Idle)).size(theme::BODY)),
            _ => Space::new().height(Length::Fixed(theme::TOUCH)).into(),
        };
        let can_submit =
            self.pin.len() >= crate::pin::MIN_LEN && !self.checking && (!locked || self.overriding);
        let prompt = if self.overriding {
            words(Text::OverridePrompt)
        } else {
            words(Text::Prompt)
        };
        let dots = "●".repeat(self.pin.len())
            + &"○".repeat(crate::pin::MIN_LEN.saturating_sub(self.pin.len()));
        let mut buttons = row![
            theme::action(
                words(Text::Submit),
                Kind::Primary,
                can_submit.then_some(Message::Submit)
            )
            .width(Length::Fixed(260.0)),
            theme::action(
                words(Text::LangSwitch),
                Kind::Secondary,
                Some(Message::ToggleLang)
            )
            .width(Length::Fixed(220.0)),
        ]
        .spacing(theme::GAP);
        if self.can_override && locked {
            buttons = buttons.push(
                theme::action(words(Text::Override), Kind::Danger, Some(Message::Override))
                    .width(Length::Fixed(260.0)),
            );
        }
        let left = column![
            text(words(Text::Title)).size(theme::TITLE),
            text(office.to_string()).size(theme::BODY),
            text(prompt).size(theme::HEADING),
            text(dots).size(theme::TITLE),
            notice,
            buttons,
        ]
        .spacing(theme::GAP * 1.5)
        .width(Length::Fill);
        theme::page(row![left, keypad::view(Message::Key)].spacing(theme::GAP * 2.0))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct P(&'static str);
    impl Who for P {
        fn id(&self) -> &str {
            self.0
        }
    }

    fn type_pin(s: &mut State<P>, pin: &str, now: Instant) {
        for c in pin.chars() {
            s.update(Message::Key(Key::Digit(c as u8 - b'0')), now);
        }
    }

    #[test]
    fn a_lockout_shows_its_time_and_only_a_supervisor_pin_goes_through_it() {
        let now = Instant::now();
        let mut s: State<P> = State::new(None, true);
        type_pin(&mut s, "111111", now);
        assert!(matches!(
            s.update(Message::Submit, now),
            Outcome::Check {
                overriding: false,
                ..
            }
        ));
        s.update(
            Message::Checked(Err(Refusal::LockedOut {
                left: Duration::from_secs(900),
            })),
            now,
        );
        assert!(s.is_locked_out(now + Duration::from_secs(899)));
        // Typing a PIN while locked asks nothing.
        type_pin(&mut s, "246810", now);
        assert!(matches!(s.update(Message::Submit, now), Outcome::None));
        // The supervisor's way through.
        s.update(Message::Override, now);
        assert!(s.is_overriding());
        type_pin(&mut s, "975310", now);
        assert!(
            matches!(s.update(Message::Submit, now), Outcome::Check { overriding: true, pin } if pin == "975310")
        );
        assert!(matches!(
            s.update(Message::Checked(Ok(P("spv"))), now),
            Outcome::SignedIn(P("spv"))
        ));
        assert!(!s.is_locked_out(now));
    }

    #[test]
    fn without_an_override_the_locked_screen_offers_none() {
        let now = Instant::now();
        let mut s: State<P> = State::locked(Duration::from_secs(60), false, now);
        s.update(Message::Override, now);
        assert!(!s.is_overriding());
        assert!(
            !s.is_locked_out(now + Duration::from_secs(61)),
            "it runs out"
        );
    }
}
