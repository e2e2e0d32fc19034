//! BER-TLV as ISO/IEC 7816-4 uses it (§5.2), encoded and decoded strictly: the one codec of
//! the chip profile (`src/card`, `ktpel-icao-lds`), the PC/SC encoder's FCP reading
//! (`ktpel-card-pcsc`) and the virtual card (`ktpel-sim`), so all of them accept exactly the
//! same bytes.
//!
//! The chip profile is small, fixed and written by us, so the decoder accepts exactly the
//! encoding the encoder produces and refuses anything else with the byte offset of the fault:
//!
//! - tags of one to three bytes; the first byte is neither `00` nor `FF`; a subsequent byte is
//!   never `80` (leading zero bits) and the second is never `00`. Second bytes `01`–`1E`, which
//!   ISO/IEC 7816-4 reserves, are accepted because ICAO 9303 uses them (`5F01`, `5F0E`, `5F10`);
//! - definite lengths only, in the shortest form (`00`–`7F`, `81 80`–`81 FF`,
//!   `82 0100`–`82 FFFF`); the indefinite form `80` and lengths over 65 535 are refused;
//! - a value never runs past the end of its parent.
//!
//! Decoding is flat: [`parse_all`] reads the data objects lying side by side in one buffer and
//! hands back each value as a slice; the caller descends into a constructed value by parsing
//! that slice again, as the profile's schema says. Nothing recurses on the input, so no input
//! can exhaust the stack.
//!
//! `iso7816-tlv` 0.4 was considered and not used: it accepts non-minimal lengths, parses
//! children without bounding them to their parent, recurses once per nesting level of the input
//! (a few kilobytes of `7F 61 82 ..` overflow the stack), and encodes a 127-byte value with the
//! long form `81 7F`, which a strict reader must refuse.

/// The longest value this profile encodes or accepts (two length bytes).
pub const MAX_LEN: usize = 0xFFFF;

/// Why bytes are not a well-formed BER-TLV object. `at` is the offset of the faulty byte
/// within the buffer that was being parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("the data ends inside a tag or length field at byte {at}")]
    Truncated { at: usize },
    #[error(
        "the value of tag {tag:X} at byte {at} needs {needed} bytes but only {available} remain"
    )]
    ValueOverrun {
        tag: u32,
        at: usize,
        needed: usize,
        available: usize,
    },
    #[error("byte {at}: {byte:02X} cannot start a tag")]
    InvalidTag { at: usize, byte: u8 },
    #[error("byte {at}: the tag is not in its shortest form or longer than three bytes")]
    BadTagForm { at: usize },
    #[error("byte {at}: indefinite lengths are not allowed")]
    IndefiniteLength { at: usize },
    #[error("byte {at}: the length is not in its shortest form")]
    NonMinimalLength { at: usize },
    #[error("byte {at}: the length is over {MAX_LEN} bytes")]
    LengthTooLong { at: usize },
}

impl TlvError {
    /// The same error with its offset moved by `base` (for errors in a nested value).
    pub fn shifted(self, base: usize) -> TlvError {
        match self {
            TlvError::Truncated { at } => TlvError::Truncated { at: at + base },
            TlvError::ValueOverrun {
                tag,
                at,
                needed,
                available,
            } => TlvError::ValueOverrun {
                tag,
                at: at + base,
                needed,
                available,
            },
            TlvError::InvalidTag { at, byte } => TlvError::InvalidTag {
                at: at + base,
                byte,
            },
            TlvError::BadTagForm { at } => TlvError::BadTagForm { at: at + base },
            TlvError::IndefiniteLength { at } => TlvError::IndefiniteLength { at: at + base },
            TlvError::NonMinimalLength { at } => TlvError::NonMinimalLength { at: at + base },
            TlvError::LengthTooLong { at } => TlvError::LengthTooLong { at: at + base },
        }
    }
}

/// One data object read from a buffer: its tag (the tag bytes read as a big-endian number,
/// e.g. `0x5F2E`), its value, and where it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u32,
    pub value: &'a [u8],
    /// Offset of the tag's first byte in the parsed buffer.
    pub offset: usize,
    /// Offset of the value's first byte in the parsed buffer.
    pub value_offset: usize,
}

/// True when `tag` is constructed (bit 6 of its first byte set).
pub fn is_constructed(tag: u32) -> bool {
    let first = if tag > 0xFFFF {
        tag >> 16
    } else if tag > 0xFF {
        tag >> 8
    } else {
        tag
    };
    first & 0x20 != 0
}

fn read_tag(input: &[u8], at: usize) -> Result<(u32, usize), TlvError> {
    let first = *input.get(at).ok_or(TlvError::Truncated { at })?;
    if first == 0x00 || first == 0xFF {
        return Err(TlvError::InvalidTag { at, byte: first });
    }
    if first & 0x1F != 0x1F {
        return Ok((u32::from(first), at + 1));
    }
    let second = *input
        .get(at + 1)
        .ok_or(TlvError::Truncated { at: at + 1 })?;
    if second == 0x80 {
        return Err(TlvError::BadTagForm { at: at + 1 });
    }
    if second & 0x80 == 0 {
        if second == 0x00 {
            return Err(TlvError::BadTagForm { at: at + 1 });
        }
        // Second bytes 01–1E are reserved by ISO/IEC 7816-4 but ICAO 9303 uses them (5F01,
        // 5F0E, 5F10 ...), and so does this profile.
        return Ok((u32::from(first) << 8 | u32::from(second), at + 2));
    }
    let third = *input
        .get(at + 2)
        .ok_or(TlvError::Truncated { at: at + 2 })?;
    if third & 0x80 != 0 {
        return Err(TlvError::BadTagForm { at: at + 2 });
    }
    Ok((
        u32::from(first) << 16 | u32::from(second) << 8 | u32::from(third),
        at + 3,
    ))
}

fn read_len(input: &[u8], at: usize) -> Result<(usize, usize), TlvError> {
    let first = *input.get(at).ok_or(TlvError::Truncated { at })?;
    match first {
        0x00..=0x7F => Ok((usize::from(first), at + 1)),
        0x80 => Err(TlvError::IndefiniteLength { at }),
        0x81 => {
            let n = *input
                .get(at + 1)
                .ok_or(TlvError::Truncated { at: at + 1 })?;
            if n < 0x80 {
                return Err(TlvError::NonMinimalLength { at });
            }
            Ok((usize::from(n), at + 2))
        }
        0x82 => {
            let hi = *input
                .get(at + 1)
                .ok_or(TlvError::Truncated { at: at + 1 })?;
            let lo = *input
                .get(at + 2)
                .ok_or(TlvError::Truncated { at: at + 2 })?;
            let n = usize::from(hi) << 8 | usize::from(lo);
            if n < 0x100 {
                return Err(TlvError::NonMinimalLength { at });
            }
            Ok((n, at + 3))
        }
        _ => Err(TlvError::LengthTooLong { at }),
    }
}

/// Reads the data object starting at `at` in `input`; answers it and the offset just past it.
pub fn parse_at(input: &[u8], at: usize) -> Result<(Tlv<'_>, usize), TlvError> {
    let (tag, after_tag) = read_tag(input, at)?;
    let (len, value_offset) = read_len(input, after_tag)?;
    let available = input.len().saturating_sub(value_offset);
    if len > available {
        return Err(TlvError::ValueOverrun {
            tag,
            at,
            needed: len,
            available,
        });
    }
    let end = value_offset + len;
    Ok((
        Tlv {
            tag,
            value: &input[value_offset..end],
            offset: at,
            value_offset,
        },
        end,
    ))
}

/// Reads every data object lying side by side in `input`, which they must fill exactly.
pub fn parse_all(input: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < input.len() {
        let (tlv, next) = parse_at(input, at)?;
        out.push(tlv);
        at = next;
    }
    Ok(out)
}

/// Bytes the tag takes.
fn tag_len(tag: u32) -> usize {
    if tag > 0xFFFF {
        3
    } else if tag > 0xFF {
        2
    } else {
        1
    }
}

/// Bytes the length field of a `len`-byte value takes.
fn len_len(len: usize) -> usize {
    match len {
        0..=0x7F => 1,
        0x80..=0xFF => 2,
        _ => 3,
    }
}

/// Bytes a data object with a `len`-byte value takes in all.
pub fn encoded_len(tag: u32, len: usize) -> usize {
    tag_len(tag) + len_len(len) + len
}

/// Appends the data object `tag`/`value` to `out`. Values over [`MAX_LEN`] bytes are a
/// programming error of the profile (every field is bounded before it gets here), answered
/// with `Err` all the same.
pub fn push(out: &mut Vec<u8>, tag: u32, value: &[u8]) -> Result<(), ValueTooLong> {
    if value.len() > MAX_LEN {
        return Err(ValueTooLong {
            tag,
            len: value.len(),
        });
    }
    let tag_bytes = tag.to_be_bytes();
    out.extend_from_slice(&tag_bytes[4 - tag_len(tag)..]);
    let len = value.len();
    match len_len(len) {
        1 => out.push(len as u8),
        2 => out.extend_from_slice(&[0x81, len as u8]),
        _ => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(value);
    Ok(())
}

/// The data object `tag`/`value` on its own.
pub fn encode(tag: u32, value: &[u8]) -> Result<Vec<u8>, ValueTooLong> {
    let mut out = Vec::with_capacity(encoded_len(tag, value.len()));
    push(&mut out, tag, value)?;
    Ok(out)
}

/// A value longer than a BER-TLV length of this profile can say.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the value of tag {tag:X} is {len} bytes, over the {MAX_LEN}-byte limit")]
pub struct ValueTooLong {
    pub tag: u32,
    pub len: usize,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lengths_use_the_shortest_form_at_every_boundary() {
        for (len, head) in [
            (0usize, vec![0x80u8, 0x00]),
            (0x7F, vec![0x80, 0x7F]),
            (0x80, vec![0x80, 0x81, 0x80]),
            (0xFF, vec![0x80, 0x81, 0xFF]),
            (0x100, vec![0x80, 0x82, 0x01, 0x00]),
            (0xFFFF, vec![0x80, 0x82, 0xFF, 0xFF]),
        ] {
            let value = vec![0xA5; len];
            let bytes = encode(0x80, &value).unwrap();
            assert_eq!(&bytes[..head.len()], &head[..], "len {len}");
            assert_eq!(bytes.len(), encoded_len(0x80, len));
            let all = parse_all(&bytes).unwrap();
            assert_eq!(all.len(), 1);
            assert_eq!(all[0].value, &value[..]);
        }
        assert!(encode(0x80, &vec![0; 0x10000]).is_err());
    }

    #[test]
    fn multi_byte_tags_round_trip() {
        for tag in [0x5F1F, 0x7F61, 0x5F2E, 0x1F8101, 0x61, 0x30] {
            let bytes = encode(tag, b"xy").unwrap();
            let t = parse_all(&bytes).unwrap()[0];
            assert_eq!(
                (t.tag, t.value, t.offset, t.value_offset),
                (tag, &b"xy"[..], 0, bytes.len() - 2)
            );
        }
        assert!(is_constructed(0x7F61) && is_constructed(0x61) && is_constructed(0x30));
        assert!(!is_constructed(0x5F2E) && !is_constructed(0x80) && !is_constructed(0x04));
    }

    #[test]
    fn malformed_encodings_are_refused_with_their_offset() {
        let cases: [(&[u8], TlvError); 11] = [
            (
                &[0x80, 0x81, 0x05, 1, 2, 3, 4, 5],
                TlvError::NonMinimalLength { at: 1 },
            ),
            (
                &[0x80, 0x82, 0x00, 0xFF],
                TlvError::NonMinimalLength { at: 1 },
            ),
            (
                &[0x80, 0x80, 0x00, 0x00],
                TlvError::IndefiniteLength { at: 1 },
            ),
            (
                &[0x80, 0x83, 0x01, 0x00, 0x00],
                TlvError::LengthTooLong { at: 1 },
            ),
            (&[0x00, 0x00], TlvError::InvalidTag { at: 0, byte: 0 }),
            (&[0xFF, 0x00], TlvError::InvalidTag { at: 0, byte: 0xFF }),
            (&[0x5F, 0x80, 0x01, 0x00], TlvError::BadTagForm { at: 1 }),
            (&[0x5F, 0x00, 0x00], TlvError::BadTagForm { at: 1 }),
            (&[0x5F, 0x81, 0x81, 0x00], TlvError::BadTagForm { at: 2 }),
            (
                &[0x80, 0x03, 1, 2],
                TlvError::ValueOverrun {
                    tag: 0x80,
                    at: 0,
                    needed: 3,
                    available: 2,
                },
            ),
            (&[0x80, 0x01, 1, 0x5F], TlvError::Truncated { at: 4 }),
        ];
        for (bytes, want) in cases {
            assert_eq!(parse_all(bytes), Err(want.clone()), "{bytes:02X?}");
        }
    }

    #[test]
    fn a_child_cannot_run_past_its_parent() {
        // 30 03 { 04 05 ... } followed by more bytes: the child's length reaches beyond the
        // parent's three bytes; reading the parent's value alone must catch it.
        let bytes = [0x30, 0x03, 0x04, 0x05, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE];
        let outer = parse_at(&bytes, 0).unwrap().0;
        assert_eq!(outer.value.len(), 3);
        assert!(matches!(
            parse_all(outer.value),
            Err(TlvError::ValueOverrun { .. })
        ));
    }

    #[test]
    fn deep_nesting_is_not_a_stack_hazard() {
        // 4000 nested constructed headers: parse_all only looks at the outermost.
        let mut bytes = Vec::new();
        for _ in 0..4000 {
            bytes.extend_from_slice(&[0x7F, 0x61, 0x82, 0xFF, 0xFF]);
        }
        assert!(matches!(
            parse_all(&bytes),
            Err(TlvError::ValueOverrun { .. })
        ));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok(all) = parse_all(&bytes) {
                // What parses re-encodes to the same bytes: the encoding is canonical.
                let mut again = Vec::new();
                for t in &all {
                    push(&mut again, t.tag, t.value).unwrap();
                }
                prop_assert_eq!(again, bytes);
            }
        }

        #[test]
        fn encode_then_parse_is_identity(
            tags in proptest::collection::vec(prop_oneof![
                0x01u32..0x1F, 0x40u32..0x5F, 0x80u32..0x9F, 0xC1u32..0xDF,
                (0x01u32..0x80).prop_map(|n| 0x5F00 | n),
                (0x1Fu32..0x80).prop_map(|n| 0x7F00 | n),
            ], 1..6),
            lens in proptest::collection::vec(0usize..400, 6),
        ) {
            let mut bytes = Vec::new();
            for (i, &tag) in tags.iter().enumerate() {
                push(&mut bytes, tag, &vec![i as u8; lens[i]]).unwrap();
            }
            let all = parse_all(&bytes).unwrap();
            prop_assert_eq!(all.len(), tags.len());
            for (i, t) in all.iter().enumerate() {
                prop_assert_eq!(t.tag, tags[i]);
                prop_assert_eq!(t.value.len(), lens[i]);
            }
        }
    }
}
