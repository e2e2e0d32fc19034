//! The on-screen keyboard for the few free-text fields (a complainant's name and message, the
//! reason for re-issuing a card): QWERTY with a digit row, big keys, a shift that defaults to
//! capitals (KTP-el data is written in capitals), space, backspace and the punctuation that
//! addresses and phone numbers need.

use iced::widget::{button, column, row, text};
use iced::{Element, Length};

use super::theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Space,
    Back,
    Clear,
    /// Switches between capitals and small letters.
    Shift,
}

/// The text being typed and the keyboard's case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub text: String,
    pub capitals: bool,
    max_chars: usize,
}

impl Input {
    /// An empty field of at most `max_chars` characters, typing capitals.
    pub fn new(max_chars: usize) -> Self {
        Self {
            text: String::new(),
            capitals: true,
            max_chars,
        }
    }

    pub fn apply(&mut self, key: Key) {
        let full = self.text.chars().count() >= self.max_chars;
        match key {
            Key::Char(c) if !full => {
                let c = if self.capitals {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
                self.text.push(c);
            }
            // No leading or doubled spaces: they only hide what was typed.
            Key::Space if !full && !self.text.is_empty() && !self.text.ends_with(' ') => {
                self.text.push(' ')
            }
            Key::Char(_) | Key::Space => {}
            Key::Back => {
                self.text.pop();
            }
            Key::Clear => self.text.clear(),
            Key::Shift => self.capitals = !self.capitals,
        }
    }

    /// The text without surrounding spaces.
    pub fn value(&self) -> &str {
        self.text.trim()
    }
}

const ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl-", "zxcvbnm.,/"];

/// Whether the keyboard has a key for `c` (in either case).
pub fn has(c: char) -> bool {
    c == '@' || ROWS.iter().any(|r| r.contains(c.to_ascii_lowercase()))
}
const KEY_W: f32 = 104.0;
const KEY_H: f32 = theme::TOUCH;

fn key<'a, M: Clone + 'a>(label: String, width: f32, message: M) -> Element<'a, M> {
    button(text(label).size(theme::BODY).center().width(Length::Fill))
        .width(Length::Fixed(width))
        .height(Length::Fixed(KEY_H))
        .style(button::secondary)
        .on_press(message)
        .into()
}

/// The keyboard for `input`; every press becomes `on_key(key)`.
pub fn view<'a, M: Clone + 'a>(input: &Input, on_key: impl Fn(Key) -> M) -> Element<'a, M> {
    let gap = theme::GAP / 2.0;
    let mut rows = column![].spacing(gap);
    for r in ROWS {
        let keys = r.chars().map(|c| {
            let label = if input.capitals {
                c.to_ascii_uppercase()
            } else {
                c
            };
            key(label.to_string(), KEY_W, on_key(Key::Char(c)))
        });
        rows = rows.push(row(keys).spacing(gap));
    }
    let shift = if input.capitals { "abc" } else { "ABC" };
    rows.push(
        row![
            key(shift.into(), KEY_W * 1.5, on_key(Key::Shift)),
            key("@".into(), KEY_W, on_key(Key::Char('@'))),
            key("␣".into(), KEY_W * 4.0 + gap * 3.0, on_key(Key::Space)),
            key("C".into(), KEY_W, on_key(Key::Clear)),
            key("⌫".into(), KEY_W * 1.5, on_key(Key::Back)),
        ]
        .spacing(gap),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(input: &mut Input, s: &str) {
        for c in s.chars() {
            input.apply(if c == ' ' { Key::Space } else { Key::Char(c) });
        }
    }

    #[test]
    fn typing_builds_capitals_by_default_within_the_length() {
        let mut i = Input::new(12);
        typed(&mut i, " siti  aminah");
        assert_eq!(i.text, "SITI AMINAH", "no leading or doubled spaces");
        i.apply(Key::Shift);
        typed(&mut i, "xyz");
        assert_eq!(i.text, "SITI AMINAHx", "stops at 12 characters");
        i.apply(Key::Back);
        i.apply(Key::Back);
        assert_eq!(i.value(), "SITI AMINA");
        i.apply(Key::Clear);
        assert!(i.value().is_empty());
    }
}
