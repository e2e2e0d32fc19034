//! The on-screen numeric keypad for NIKs, KK numbers, receipt numbers and PINs: big keys in the
//! telephone layout, backspace and clear.

use iced::widget::{button, column, row, text};
use iced::{Element, Length};

use super::theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Digit(u8),
    Back,
    Clear,
}

/// Applies `key` to `buffer`, keeping at most `max` digits.
pub fn apply(buffer: &mut String, key: Key, max: usize) {
    match key {
        Key::Digit(d) if buffer.len() < max && d <= 9 => buffer.push(char::from(b'0' + d)),
        Key::Digit(_) => {}
        Key::Back => {
            buffer.pop();
        }
        Key::Clear => buffer.clear(),
    }
}

const KEY_W: f32 = 120.0;
const KEY_H: f32 = 80.0;

fn key<'a, M: Clone + 'a>(label: &'a str, message: M) -> Element<'a, M> {
    button(
        text(label)
            .size(theme::HEADING)
            .center()
            .width(Length::Fill),
    )
    .width(Length::Fixed(KEY_W))
    .height(Length::Fixed(KEY_H))
    .style(button::secondary)
    .on_press(message)
    .into()
}

/// The keypad; every press becomes `on_key(key)`.
pub fn view<'a, M: Clone + 'a>(on_key: impl Fn(Key) -> M) -> Element<'a, M> {
    let digit = |d: u8| -> Element<'a, M> {
        const LABELS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
        key(LABELS[usize::from(d)], on_key(Key::Digit(d)))
    };
    column![
        row![digit(1), digit(2), digit(3)].spacing(theme::GAP / 2.0),
        row![digit(4), digit(5), digit(6)].spacing(theme::GAP / 2.0),
        row![digit(7), digit(8), digit(9)].spacing(theme::GAP / 2.0),
        row![
            key("C", on_key(Key::Clear)),
            digit(0),
            key("⌫", on_key(Key::Back))
        ]
        .spacing(theme::GAP / 2.0),
    ]
    .spacing(theme::GAP / 2.0)
    .into()
}

/// Digits grouped by four for reading back ("3273 0145 0890 0001").
pub fn grouped(digits: &str) -> String {
    digits
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number being typed into its `len` places, the places still to fill as dots, grouped by
/// four: "3273 01·· ···· ····". The operator sees at a glance how many digits are left.
pub fn framed(digits: &str, len: usize) -> String {
    let places: String = digits
        .chars()
        .chain(std::iter::repeat('·'))
        .take(len.max(digits.chars().count()))
        .collect();
    places
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_edit_the_buffer_within_its_length() {
        let mut b = String::new();
        for d in [3, 2, 7, 3] {
            apply(&mut b, Key::Digit(d), 5);
        }
        apply(&mut b, Key::Digit(0), 5);
        apply(&mut b, Key::Digit(1), 5);
        assert_eq!(b, "32730");
        apply(&mut b, Key::Back, 5);
        assert_eq!(b, "3273");
        apply(&mut b, Key::Clear, 5);
        assert!(b.is_empty());
        assert_eq!(grouped("3273014508900001"), "3273 0145 0890 0001");
        assert_eq!(framed("327301", 16), "3273 01·· ···· ····");
        assert_eq!(framed("3273014508900001", 16), "3273 0145 0890 0001");
        assert_eq!(framed("2611250", 13), "2611 250· ···· ·");
    }
}
