//! The answer to reset (ISO/IEC 7816-3) and what its historical bytes (ISO/IEC 7816-4 §8.1)
//! say about the card: the protocols it offers and whether it takes extended Lc/Le fields.

use std::fmt;

/// What an ATR tells the encoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atr {
    /// The transmission protocols the interface bytes indicate (T=0 when none is).
    pub protocols: Vec<u8>,
    /// The historical bytes.
    pub historical: Vec<u8>,
    /// The card capabilities' "extended Lc and Le fields" bit (compact-TLV tag 7, third
    /// software-function byte, b7), or `None` when the ATR does not carry that byte.
    pub extended_length: Option<bool>,
}

/// An ATR that does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed ATR ({len} bytes): {reason}")]
pub struct AtrError {
    pub len: usize,
    pub reason: &'static str,
}

/// Upper-case hex with spaces, for messages and self-test reports (an ATR is not personal).
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Atr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let protocols: Vec<String> = self.protocols.iter().map(|t| format!("T={t}")).collect();
        write!(f, "{}", protocols.join("/"))?;
        match self.extended_length {
            Some(true) => write!(f, ", extended length"),
            Some(false) => write!(f, ", short APDUs only"),
            None => write!(f, ", no card capabilities"),
        }
    }
}

impl Atr {
    /// Parses an ATR.
    pub fn parse(atr: &[u8]) -> Result<Atr, AtrError> {
        let err = |reason| AtrError {
            len: atr.len(),
            reason,
        };
        let (&ts, rest) = atr.split_first().ok_or(err("empty"))?;
        if ts != 0x3B && ts != 0x3F {
            return Err(err("TS is neither 3B (direct) nor 3F (inverse convention)"));
        }
        let (&t0, mut rest) = rest.split_first().ok_or(err("no T0"))?;
        let historical_len = usize::from(t0 & 0x0F);
        let mut y = t0 >> 4;
        let mut protocols = Vec::new();
        loop {
            let count = (y & 0x07).count_ones() as usize; // TA, TB, TC
            rest = rest.get(count..).ok_or(err("interface bytes cut short"))?;
            if y & 0x08 == 0 {
                break;
            }
            let (&td, after) = rest.split_first().ok_or(err("TD cut short"))?;
            protocols.push(td & 0x0F);
            y = td >> 4;
            rest = after;
        }
        let historical = rest
            .get(..historical_len)
            .ok_or(err("historical bytes cut short"))?
            .to_vec();
        let tail = &rest[historical_len..];
        let needs_tck = protocols.iter().any(|&t| t != 0);
        match (needs_tck, tail) {
            (false, []) => {}
            (true, [_tck]) => {
                let xor = atr[1..].iter().fold(0u8, |x, b| x ^ b);
                if xor != 0 {
                    return Err(err("check byte TCK does not match"));
                }
            }
            (true, []) => return Err(err("check byte TCK missing")),
            _ => return Err(err("bytes after the historical bytes")),
        }
        protocols.dedup();
        protocols.retain(|&t| t != 15); // T=15 carries global parameters only
        if protocols.is_empty() {
            protocols.push(0);
        }
        let extended_length = card_capabilities(&historical)
            .and_then(|caps| caps.get(2).copied())
            .map(|third| third & 0x40 != 0);
        Ok(Atr {
            protocols,
            historical,
            extended_length,
        })
    }
}

/// The value of the compact-TLV "card capabilities" object (tag 7) in the historical bytes.
fn card_capabilities(historical: &[u8]) -> Option<&[u8]> {
    let (&category, body) = historical.split_first()?;
    let mut objects = match category {
        0x80 => body,
        // The last three bytes are the status indicator.
        0x00 => body.get(..body.len().checked_sub(3)?)?,
        _ => return None,
    };
    while let Some((&head, rest)) = objects.split_first() {
        let (tag, len) = (head >> 4, usize::from(head & 0x0F));
        let value = rest.get(..len)?;
        if tag == 0x7 {
            return Some(value);
        }
        objects = &rest[len..];
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use ktpel_sim::VirtualCard;

    #[test]
    fn the_virtual_cards_atr_says_what_the_card_does() {
        let a = Atr::parse(&VirtualCard::new().atr()).unwrap();
        assert_eq!(a.protocols, [0, 1]);
        assert_eq!(a.extended_length, Some(true));
        let a = Atr::parse(&VirtualCard::new().short_only().atr()).unwrap();
        assert_eq!(a.extended_length, Some(false));
        assert_eq!(a.to_string(), "T=0/T=1, short APDUs only");
    }

    #[test]
    fn real_world_atrs() {
        // A T=0 card without TD: no TCK, no capabilities.
        let a = Atr::parse(&[0x3B, 0x02, 0x14, 0x50]).unwrap();
        assert_eq!(
            (a.protocols.as_slice(), a.extended_length),
            (&[0u8][..], None)
        );
        assert_eq!(a.historical, [0x14, 0x50]);
        // A JCOP-like T=1 ATR with 80 73 C8 21 C0 capabilities (extended bit set).
        let mut atr = vec![
            0x3B, 0x88, 0x81, 0x01, 0x80, 0x73, 0xC8, 0x21, 0xC0, 0x81, 0x90, 0x00,
        ];
        let tck = atr[1..].iter().fold(0u8, |x, b| x ^ b);
        atr.push(tck);
        let a = Atr::parse(&atr).unwrap();
        assert_eq!(a.protocols, [1]);
        assert_eq!(a.extended_length, Some(true));
    }

    #[test]
    fn broken_atrs_are_refused() {
        assert!(Atr::parse(&[]).is_err());
        assert!(Atr::parse(&[0x3A, 0x00]).is_err());
        assert!(Atr::parse(&[0x3B, 0x05, 0x01]).is_err());
        let mut atr = VirtualCard::new().atr();
        *atr.last_mut().unwrap() ^= 0xFF;
        assert_eq!(
            Atr::parse(&atr).unwrap_err().reason,
            "check byte TCK does not match"
        );
        atr.pop();
        assert!(Atr::parse(&atr).is_err());
    }

    #[test]
    fn hex_formatting() {
        assert_eq!(hex(&[0x3B, 0x0A]), "3B 0A");
    }
}
