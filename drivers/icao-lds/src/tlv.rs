//! BER-TLV as ISO/IEC 7816-4 §5.2 and ICAO 9303-10 use it: tags of one or two bytes, definite
//! lengths in their shortest form. Decoding is strict (the encoder's form only) and flat: each
//! call reads the objects lying side by side in one buffer; nothing recurses on the input.

/// Why bytes are not a well-formed BER-TLV object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("the data ends inside a tag or length at byte {at}")]
    Truncated { at: usize },
    #[error("the value of tag {tag:X} at byte {at} runs past the end of its parent")]
    Overrun { tag: u16, at: usize },
    #[error("byte {at}: not a tag this profile uses")]
    BadTag { at: usize },
    #[error("byte {at}: the length is indefinite, not minimal or over 65 535")]
    BadLength { at: usize },
    #[error("expected tag {expected:X}, found {found:X}")]
    Unexpected { expected: u16, found: u16 },
    #[error("tag {0:X} is missing")]
    Missing(u16),
    #[error("{0} bytes follow the last object")]
    Trailing(usize),
}

/// A value is over 65 535 bytes, more than a two-byte length can say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a value of {0} bytes is too long for a BER-TLV length")]
pub struct TooLong(pub usize);

/// Appends `tag`, the shortest length and `value`.
pub fn push(out: &mut Vec<u8>, tag: u16, value: &[u8]) -> Result<(), TooLong> {
    if tag > 0xFF {
        out.extend_from_slice(&tag.to_be_bytes());
    } else {
        out.push(tag as u8);
    }
    match value.len() {
        n @ 0..=0x7F => out.push(n as u8),
        n @ 0x80..=0xFF => out.extend_from_slice(&[0x81, n as u8]),
        n @ 0x100..=0xFFFF => {
            out.push(0x82);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => return Err(TooLong(n)),
    }
    out.extend_from_slice(value);
    Ok(())
}

/// `tag`, its length and `value` as a new buffer.
pub fn encode(tag: u16, value: &[u8]) -> Result<Vec<u8>, TooLong> {
    let mut out = Vec::with_capacity(value.len() + 5);
    push(&mut out, tag, value)?;
    Ok(out)
}

/// One data object read from a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u16,
    pub value: &'a [u8],
}

/// Reads the objects of one buffer in order.
pub struct Reader<'a> {
    input: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Reader { input, at: 0 }
    }

    fn byte(&self, at: usize) -> Result<u8, TlvError> {
        self.input
            .get(at)
            .copied()
            .ok_or(TlvError::Truncated { at })
    }

    /// The next object, without consuming it.
    pub fn peek(&self) -> Result<Option<(Tlv<'a>, usize)>, TlvError> {
        if self.at >= self.input.len() {
            return Ok(None);
        }
        let start = self.at;
        let mut at = start;
        let first = self.byte(at)?;
        at += 1;
        if first == 0x00 || first == 0xFF {
            return Err(TlvError::BadTag { at: start });
        }
        let tag = if first & 0x1F == 0x1F {
            let second = self.byte(at)?;
            at += 1;
            // Two-byte tags only (every ICAO LDS1 tag); second byte without continuation.
            if second & 0x80 != 0 || second == 0x00 {
                return Err(TlvError::BadTag { at: start });
            }
            u16::from_be_bytes([first, second])
        } else {
            u16::from(first)
        };
        let l0 = self.byte(at)?;
        let len_at = at;
        at += 1;
        let len = match l0 {
            0x00..=0x7F => usize::from(l0),
            0x81 => {
                let n = usize::from(self.byte(at)?);
                at += 1;
                if n < 0x80 {
                    return Err(TlvError::BadLength { at: len_at });
                }
                n
            }
            0x82 => {
                let n = usize::from(u16::from_be_bytes([self.byte(at)?, self.byte(at + 1)?]));
                at += 2;
                if n < 0x100 {
                    return Err(TlvError::BadLength { at: len_at });
                }
                n
            }
            _ => return Err(TlvError::BadLength { at: len_at }),
        };
        let end = at
            .checked_add(len)
            .filter(|e| *e <= self.input.len())
            .ok_or(TlvError::Overrun { tag, at: start })?;
        Ok(Some((
            Tlv {
                tag,
                value: &self.input[at..end],
            },
            end,
        )))
    }

    /// The next object's tag, if any object follows.
    pub fn peek_tag(&self) -> Result<Option<u16>, TlvError> {
        Ok(self.peek()?.map(|(t, _)| t.tag))
    }

    /// The next object, whatever its tag.
    pub fn next_any(&mut self) -> Result<Option<Tlv<'a>>, TlvError> {
        match self.peek()? {
            Some((t, end)) => {
                self.at = end;
                Ok(Some(t))
            }
            None => Ok(None),
        }
    }

    /// The next object, which must carry `tag`.
    pub fn take(&mut self, tag: u16) -> Result<&'a [u8], TlvError> {
        match self.next_any()? {
            Some(t) if t.tag == tag => Ok(t.value),
            Some(t) => Err(TlvError::Unexpected {
                expected: tag,
                found: t.tag,
            }),
            None => Err(TlvError::Missing(tag)),
        }
    }

    /// The next object's value when it carries `tag`; nothing is consumed otherwise.
    pub fn take_if(&mut self, tag: u16) -> Result<Option<&'a [u8]>, TlvError> {
        if self.peek_tag()? == Some(tag) {
            return self.take(tag).map(Some);
        }
        Ok(None)
    }

    /// Refuses anything left over.
    pub fn finish(&self) -> Result<(), TlvError> {
        match self.input.len() - self.at.min(self.input.len()) {
            0 => Ok(()),
            n => Err(TlvError::Trailing(n)),
        }
    }
}

/// The value of the single object `tag` that is the whole of `file`.
pub fn single(file: &[u8], tag: u16) -> Result<&[u8], TlvError> {
    let mut r = Reader::new(file);
    let v = r.take(tag)?;
    r.finish()?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn lengths_round_trip_in_their_shortest_form() {
        for n in [0usize, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF] {
            let value = vec![0xA5; n];
            let enc = encode(0x5F1F, &value).unwrap();
            assert_eq!(single(&enc, 0x5F1F).unwrap(), &value[..]);
        }
        assert_eq!(encode(0x61, &[0; 0x10000]), Err(TooLong(0x10000)));
    }

    #[test]
    fn non_minimal_indefinite_and_overrunning_lengths_are_refused() {
        assert_eq!(
            single(&[0x61, 0x81, 0x05, 1, 2, 3, 4, 5], 0x61),
            Err(TlvError::BadLength { at: 1 })
        );
        assert_eq!(
            single(&[0x61, 0x80, 0, 0], 0x61),
            Err(TlvError::BadLength { at: 1 })
        );
        assert_eq!(
            single(&[0x61, 0x03, 1], 0x61),
            Err(TlvError::Overrun { tag: 0x61, at: 0 })
        );
        assert_eq!(single(&[0x00, 0x00], 0x61), Err(TlvError::BadTag { at: 0 }));
        assert_eq!(
            single(&[0x61, 0x00, 0x01, 0x00], 0x61),
            Err(TlvError::Trailing(2))
        );
    }
}
