//! Files from `assets/` embedded in the binary, shared by whoever draws text: the card face and
//! the kiosk's and the desk's windows.

/// DejaVu Sans (assets/fonts, with its licence beside it).
pub const FONT_REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
pub const FONT_BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");
