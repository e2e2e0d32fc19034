//! Widgets the kiosk and the complaint desk share: the theme (sizes, colours, styles), the
//! embedded font, the numeric keypad, the on-screen keyboard, PIN sign-in and languages. They
//! depend on the core only, never on the booth service or either program.

pub mod drag_scroll;
pub mod i18n;
pub mod icons;
pub mod keyboard;
pub mod keypad;
pub mod pin_gate;
pub mod signin;
pub mod theme;
pub mod typing;

pub use crate::assets::{FONT_BOLD, FONT_REGULAR};

/// The family name inside the embedded DejaVu Sans files.
pub const FONT: iced::Font = iced::Font::with_name("DejaVu Sans");
