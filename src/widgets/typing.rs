//! Keys from a physical keyboard — a USB keyboard at the counter, or a keyboard-wedge barcode
//! scanner, which "types" the code it read followed by Enter — as the kiosk's keypads and
//! on-screen keyboard understand them. The screens map a [`Typed`] key to the same message their
//! own keys send, so a key typed and a key tapped do the same thing.

use iced::keyboard::key::Named;
use iced::keyboard::{Event, Key};
use std::time::{Duration, Instant};

use super::{keyboard, keypad};

/// One key as the kiosk reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    Char(char),
    Space,
    Back,
    Enter,
    Escape,
}

impl Typed {
    /// The key a keyboard event stands for, if the kiosk has a use for it. Shortcuts with Ctrl,
    /// Alt or the logo key are not typing.
    pub fn from_event(event: &Event) -> Option<Self> {
        let Event::KeyPressed {
            key,
            text,
            modifiers,
            ..
        } = event
        else {
            return None;
        };
        if modifiers.control() || modifiers.alt() || modifiers.logo() {
            return None;
        }
        match key {
            Key::Named(Named::Enter) => Some(Self::Enter),
            Key::Named(Named::Backspace) => Some(Self::Back),
            Key::Named(Named::Escape) => Some(Self::Escape),
            Key::Named(Named::Space) => Some(Self::Space),
            _ => {
                let mut chars = text.as_deref()?.chars();
                match (chars.next(), chars.next()) {
                    (Some(' '), None) => Some(Self::Space),
                    // A scanner configured to end with a line feed instead of the Enter key.
                    (Some('\n' | '\r'), None) => Some(Self::Enter),
                    (Some(c), None) if !c.is_control() => Some(Self::Char(c)),
                    _ => None,
                }
            }
        }
    }

    /// The numeric keypad's key: digits and Backspace.
    pub fn keypad(self) -> Option<keypad::Key> {
        match self {
            Self::Char(c) => c
                .to_digit(10)
                .and_then(|d| u8::try_from(d).ok())
                .map(keypad::Key::Digit),
            Self::Back => Some(keypad::Key::Back),
            _ => None,
        }
    }

    /// The on-screen keyboard's key: the characters it has, space and Backspace.
    pub fn keyboard(self) -> Option<keyboard::Key> {
        match self {
            Self::Char(c) if keyboard::has(c) => Some(keyboard::Key::Char(c)),
            Self::Space => Some(keyboard::Key::Space),
            Self::Back => Some(keyboard::Key::Back),
            _ => None,
        }
    }
}

/// A scanner types a whole code faster than any hand: at most this between two of its keys.
pub const SCANNER_GAP: Duration = Duration::from_millis(60);

/// Digits arriving at a scanner's pace, to tell a scanned code from keys a person presses.
#[derive(Debug, Default, Clone)]
pub struct Scan {
    digits: String,
    last: Option<Instant>,
}

impl Scan {
    /// Takes the key typed at `at`; answers the code when Enter ends a fast run of digits.
    pub fn key(&mut self, typed: Typed, at: Instant) -> Option<String> {
        let fast = self
            .last
            .is_some_and(|l| at.saturating_duration_since(l) <= SCANNER_GAP);
        self.last = Some(at);
        match typed {
            Typed::Char(c) if c.is_ascii_digit() => {
                if !fast {
                    self.digits.clear();
                }
                // A code is short; anything longer is not one.
                if self.digits.len() < 64 {
                    self.digits.push(c);
                }
                None
            }
            Typed::Enter if fast && !self.digits.is_empty() => {
                Some(std::mem::take(&mut self.digits))
            }
            _ => {
                self.digits.clear();
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced::keyboard::{key::Physical, Location, Modifiers};

    fn press(key: Key, text: Option<&str>, modifiers: Modifiers) -> Event {
        Event::KeyPressed {
            modified_key: key.clone(),
            key,
            physical_key: Physical::Unidentified(iced::keyboard::key::NativeCode::Unidentified),
            location: Location::Standard,
            modifiers,
            text: text.map(Into::into),
            repeat: false,
        }
    }

    #[test]
    fn keyboard_events_become_the_kiosks_keys() {
        let digit = press(Key::Character("7".into()), Some("7"), Modifiers::empty());
        assert_eq!(Typed::from_event(&digit), Some(Typed::Char('7')));
        assert_eq!(
            Typed::Char('7').keypad(),
            Some(keypad::Key::Digit(7)),
            "a digit is the keypad's digit"
        );
        let enter = press(Key::Named(Named::Enter), None, Modifiers::empty());
        assert_eq!(Typed::from_event(&enter), Some(Typed::Enter));
        let back = press(Key::Named(Named::Backspace), None, Modifiers::empty());
        assert_eq!(
            Typed::from_event(&back).and_then(Typed::keypad),
            Some(keypad::Key::Back)
        );
        let ctrl_c = press(Key::Character("c".into()), Some("c"), Modifiers::CTRL);
        assert_eq!(Typed::from_event(&ctrl_c), None, "a shortcut is not typing");
        assert_eq!(Typed::Char('x').keypad(), None);
        assert_eq!(Typed::Char('é').keyboard(), None, "not on the keyboard");
        assert_eq!(Typed::Char('a').keyboard(), Some(keyboard::Key::Char('a')));
    }

    #[test]
    fn a_fast_run_of_digits_ended_by_enter_is_a_scanned_code() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut scan = Scan::default();
        for (i, c) in "1234".chars().enumerate() {
            assert_eq!(scan.key(Typed::Char(c), ms(i as u64 * 10)), None);
        }
        assert_eq!(scan.key(Typed::Enter, ms(45)), Some("1234".into()));

        // A person typing: a second between keys is never a scan.
        let mut slow = Scan::default();
        for (i, c) in "1234".chars().enumerate() {
            slow.key(Typed::Char(c), ms(1000 * i as u64));
        }
        assert_eq!(slow.key(Typed::Enter, ms(4000)), None);

        // A pause restarts the code: only the fast run counts.
        let mut pause = Scan::default();
        pause.key(Typed::Char('9'), ms(0));
        pause.key(Typed::Char('1'), ms(500));
        pause.key(Typed::Char('2'), ms(510));
        assert_eq!(pause.key(Typed::Enter, ms(520)), Some("12".into()));
    }
}
