//! Operator PINs: hashed with argon2id (the `argon2` crate), never stored or logged in clear.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

use crate::config::OperatorConfig;

pub const MIN_LEN: usize = 4;
pub const MAX_LEN: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("a PIN is {MIN_LEN} to {MAX_LEN} digits")]
    Shape,
    #[error("the PIN could not be hashed: {0}")]
    Hash(String),
}

/// The PHC string (`$argon2id$…`) for `pin`, with a fresh random salt.
pub fn hash(pin: &str) -> Result<String, PinError> {
    if !(MIN_LEN..=MAX_LEN).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PinError::Shape);
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| PinError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

pub fn verify(pin: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The operator whose PIN this is. Slow on purpose (argon2): call it off the UI thread.
pub fn find_operator<'a>(pin: &str, operators: &'a [OperatorConfig]) -> Option<&'a OperatorConfig> {
    operators.iter().find(|o| verify(pin, &o.pin_hash))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_pin_verifies_against_its_own_hash_only() {
        let h = hash("246810").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("246810", &h));
        assert!(!verify("246811", &h));
        assert!(!verify("246810", "not a hash"));
        assert_ne!(hash("246810").unwrap(), h, "salted");
        assert_eq!(hash("12a4"), Err(PinError::Shape));
        assert_eq!(hash("123"), Err(PinError::Shape));
    }

    #[test]
    fn the_default_config_has_a_working_demo_operator() {
        let c = crate::config::Config::load(None).unwrap();
        let op = find_operator("246810", &c.operators).unwrap();
        assert_eq!(op.id, "op-01");
        assert!(find_operator("000000", &c.operators).is_none());
    }
}
