//! The card: the chip's data groups (profile) and, later, the card face and the encoder.

pub mod profile;
