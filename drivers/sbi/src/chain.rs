//! The capture hash chain: every biometric's `hash` is
//! `SHA-256(previous hash ‖ SHA-256(ISO record))` over the raw 32-byte digests, written as
//! upper-case hex; the chain starts from `SHA-256("")`. It ties all the captures of one
//! registration together, in order (MOSIP's device services compute it this way).

use crate::jws::upper_hex;
use sha2::{Digest, Sha256};

/// Where a chain starts: SHA-256 of the empty string.
pub fn genesis() -> [u8; 32] {
    Sha256::digest(b"").into()
}

/// The hash of the next block after `previous` for the record `iso`.
pub fn link(previous: &[u8; 32], iso: &[u8]) -> [u8; 32] {
    let current: [u8; 32] = Sha256::digest(iso).into();
    let mut h = Sha256::new();
    h.update(previous);
    h.update(current);
    h.finalize().into()
}

/// Parses a 64-digit hex hash (either case).
pub fn parse_hex(text: &str) -> Option<[u8; 32]> {
    let t = text.trim().as_bytes();
    if t.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in t.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

/// A chain the client keeps across the captures of one registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashChain {
    head: [u8; 32],
    blocks: usize,
}

impl Default for HashChain {
    fn default() -> Self {
        Self::new()
    }
}

impl HashChain {
    /// A new chain (a new registration).
    pub fn new() -> Self {
        Self {
            head: genesis(),
            blocks: 0,
        }
    }

    /// The hash the next capture request sends as `previousHash`.
    pub fn head_hex(&self) -> String {
        upper_hex(&self.head)
    }

    pub fn head(&self) -> [u8; 32] {
        self.head
    }

    /// How many biometrics the chain holds.
    pub fn len(&self) -> usize {
        self.blocks
    }

    pub fn is_empty(&self) -> bool {
        self.blocks == 0
    }

    /// Checks that `claimed` (the device's `hash`) links `iso` after the current head, and
    /// moves the head on. On a mismatch the chain is unchanged and the expected hash returned.
    pub fn push(&mut self, iso: &[u8], claimed: &str) -> Result<(), String> {
        let expected = link(&self.head, iso);
        match parse_hex(claimed) {
            Some(got) if got == expected => {
                self.head = expected;
                self.blocks += 1;
                Ok(())
            }
            _ => Err(upper_hex(&expected)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn starts_from_the_hash_of_the_empty_string() {
        assert_eq!(
            HashChain::new().head_hex(),
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
        );
    }

    #[test]
    fn links_raw_digests_in_order() {
        let mut c = HashChain::new();
        let h1 = link(&genesis(), b"first");
        c.push(b"first", &upper_hex(&h1)).unwrap();
        let h2 = link(&h1, b"second");
        // Lower-case hex is accepted too.
        c.push(b"second", &upper_hex(&h2).to_lowercase()).unwrap();
        assert_eq!(c.head(), h2);
        assert_eq!(c.len(), 2);
        // A block computed from the wrong predecessor is refused and leaves the chain alone.
        let wrong = link(&genesis(), b"third");
        let expected = c.push(b"third", &upper_hex(&wrong)).unwrap_err();
        assert_eq!(expected, upper_hex(&link(&h2, b"third")));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn hex_parsing() {
        assert_eq!(parse_hex(&upper_hex(&[0xAB; 32])), Some([0xAB; 32]));
        assert_eq!(parse_hex("zz"), None);
        assert_eq!(parse_hex(&"G".repeat(64)), None);
    }
}
