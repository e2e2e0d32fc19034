//! Reading and writing the LDS files' data objects with the booth's one strict BER-TLV codec
//! (`ktpel-ber-tlv`): tags of one or two bytes (every ICAO LDS1 tag), definite lengths in
//! their shortest form. [`Reader`] walks the objects lying side by side in one buffer; nothing
//! recurses on the input.

use ktpel_ber_tlv as codec;

/// Why bytes are not the data objects a file should hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// Not well-formed BER-TLV (the codec says where and how).
    #[error(transparent)]
    Malformed(#[from] codec::TlvError),
    #[error("byte {at}: a tag longer than the two bytes LDS1 uses")]
    BadTag { at: usize },
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
    codec::push(out, u32::from(tag), value).map_err(|e| TooLong(e.len))
}

/// `tag`, its length and `value` as a new buffer.
pub fn encode(tag: u16, value: &[u8]) -> Result<Vec<u8>, TooLong> {
    codec::encode(u32::from(tag), value).map_err(|e| TooLong(e.len))
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

    /// The next object, without consuming it.
    pub fn peek(&self) -> Result<Option<(Tlv<'a>, usize)>, TlvError> {
        if self.at >= self.input.len() {
            return Ok(None);
        }
        let (t, end) = codec::parse_at(self.input, self.at)?;
        let tag = u16::try_from(t.tag).map_err(|_| TlvError::BadTag { at: self.at })?;
        Ok(Some((
            Tlv {
                tag,
                value: t.value,
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
        assert!(matches!(
            single(&[0x61, 0x81, 0x05, 1, 2, 3, 4, 5], 0x61),
            Err(TlvError::Malformed(codec::TlvError::NonMinimalLength {
                at: 1
            }))
        ));
        assert!(matches!(
            single(&[0x61, 0x80, 0, 0], 0x61),
            Err(TlvError::Malformed(codec::TlvError::IndefiniteLength {
                at: 1
            }))
        ));
        assert!(matches!(
            single(&[0x61, 0x03, 1], 0x61),
            Err(TlvError::Malformed(codec::TlvError::ValueOverrun {
                tag: 0x61,
                at: 0,
                ..
            }))
        ));
        assert!(matches!(
            single(&[0x00, 0x00], 0x61),
            Err(TlvError::Malformed(codec::TlvError::InvalidTag {
                at: 0,
                ..
            }))
        ));
        assert_eq!(
            single(&[0x1F, 0x81, 0x01, 0x00], 0x61),
            Err(TlvError::BadTag { at: 0 }),
            "a three-byte tag is not LDS1's"
        );
        assert_eq!(
            single(&[0x61, 0x00, 0x01, 0x00], 0x61),
            Err(TlvError::Trailing(2))
        );
    }
}
