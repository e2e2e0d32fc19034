//! The packet framing: `EF 01` · 4-byte address · packet id · 2-byte length (payload + 2) ·
//! payload · 2-byte checksum (the sum of the id, both length bytes and the payload, mod 2¹⁶,
//! big-endian). [`FrameDecoder`] takes bytes as they arrive, skips anything before a header
//! (line noise), and never panics, whatever it is fed.

use std::fmt;

pub const HEADER: [u8; 2] = [0xEF, 0x01];
/// The default (broadcast) module address.
pub const DEFAULT_ADDRESS: u32 = 0xFFFF_FFFF;
/// Bytes before the payload: header, address, id, length.
const PREFIX: usize = 9;
/// The largest length field accepted: a 256-byte data packet plus its checksum.
pub const MAX_LENGTH: usize = 256 + 2;

/// What a packet carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketId {
    Command,
    Data,
    Ack,
    /// The last data packet of a transfer.
    EndData,
}

impl PacketId {
    pub fn byte(self) -> u8 {
        match self {
            PacketId::Command => 0x01,
            PacketId::Data => 0x02,
            PacketId::Ack => 0x07,
            PacketId::EndData => 0x08,
        }
    }

    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            0x01 => Some(PacketId::Command),
            0x02 => Some(PacketId::Data),
            0x07 => Some(PacketId::Ack),
            0x08 => Some(PacketId::EndData),
            _ => None,
        }
    }
}

/// One packet.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    pub address: u32,
    pub id: PacketId,
    pub payload: Vec<u8>,
}

// Data packets carry image bytes: show sizes only.
impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Frame({:?} to {:08X}, {} bytes)",
            self.id,
            self.address,
            self.payload.len()
        )
    }
}

/// Why a frame on the wire was not good. (A header with an unknown packet id or an
/// impossible length is taken for noise and skipped, not reported.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("packet checksum mismatch (sent {sent:04X}, computed {computed:04X})")]
    Checksum { sent: u16, computed: u16 },
}

/// The checksum of a packet with id byte `id`, length field `length` and `payload`.
pub fn checksum(id: u8, length: u16, payload: &[u8]) -> u16 {
    payload.iter().fold(
        u16::from(id)
            .wrapping_add(length >> 8)
            .wrapping_add(length & 0xFF),
        |sum, b| sum.wrapping_add(u16::from(*b)),
    )
}

impl Frame {
    pub fn command(address: u32, payload: Vec<u8>) -> Self {
        Self {
            address,
            id: PacketId::Command,
            payload,
        }
    }

    /// The bytes on the wire. Payloads longer than [`MAX_LENGTH`] − 2 are the caller's bug:
    /// they are cut to fit.
    pub fn encode(&self) -> Vec<u8> {
        let payload = &self.payload[..self.payload.len().min(MAX_LENGTH - 2)];
        let length = (payload.len() + 2) as u16;
        let mut out = Vec::with_capacity(PREFIX + payload.len() + 2);
        out.extend_from_slice(&HEADER);
        out.extend_from_slice(&self.address.to_be_bytes());
        out.push(self.id.byte());
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&checksum(self.id.byte(), length, payload).to_be_bytes());
        out
    }
}

/// A streaming frame parser.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    skipped: usize,
}

impl FrameDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Forgets everything buffered (after an error, before a new command).
    pub fn reset(&mut self) {
        self.buf.clear();
    }

    /// Bytes thrown away so far while looking for a header.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The next complete frame (or the reason the next one is bad); `None` until more bytes
    /// are needed. Bytes that are not part of a frame are skipped (and counted).
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        loop {
            // Find a header; keep a trailing EF, it may be the start of one.
            match self.buf.windows(2).position(|w| w == HEADER) {
                Some(start) => {
                    self.skipped += start;
                    self.buf.drain(..start);
                }
                None => {
                    let keep = usize::from(self.buf.last() == Some(&HEADER[0]));
                    let drop = self.buf.len() - keep;
                    self.skipped += drop;
                    self.buf.drain(..drop);
                    return None;
                }
            }
            if self.buf.len() < PREFIX {
                return None;
            }
            let id_byte = self.buf[6];
            let length = u16::from_be_bytes([self.buf[7], self.buf[8]]);
            let Some(id) = PacketId::from_byte(id_byte) else {
                // Not a header after all (noise that looked like one): look further.
                self.skip_false_header();
                continue;
            };
            if !(2..=MAX_LENGTH).contains(&usize::from(length)) {
                self.skip_false_header();
                continue;
            }
            let total = PREFIX + usize::from(length);
            if self.buf.len() < total {
                return None;
            }
            let frame: Vec<u8> = self.buf.drain(..total).collect();
            let payload = &frame[PREFIX..total - 2];
            let sent = u16::from_be_bytes([frame[total - 2], frame[total - 1]]);
            let computed = checksum(id_byte, length, payload);
            if sent != computed {
                return Some(Err(FrameError::Checksum { sent, computed }));
            }
            return Some(Ok(Frame {
                address: u32::from_be_bytes([frame[2], frame[3], frame[4], frame[5]]),
                id,
                payload: payload.to_vec(),
            }));
        }
    }

    fn skip_false_header(&mut self) {
        self.skipped += 1;
        self.buf.drain(..1);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gen_img_command_matches_the_datasheet_bytes() {
        let bytes = Frame::command(DEFAULT_ADDRESS, vec![0x01]).encode();
        assert_eq!(
            bytes,
            [0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x01, 0x00, 0x05]
        );
    }

    #[test]
    fn a_bad_checksum_is_reported_and_the_next_frame_still_found() {
        let mut bad = Frame::command(1, vec![0x0F]).encode();
        let n = bad.len();
        bad[n - 1] ^= 0x40;
        let good = Frame::command(1, vec![0x13, 0, 0, 0, 0]);
        let mut d = FrameDecoder::new();
        d.push(&bad);
        d.push(&good.encode());
        assert!(matches!(
            d.next_frame(),
            Some(Err(FrameError::Checksum { .. }))
        ));
        assert_eq!(d.next_frame(), Some(Ok(good)));
        assert_eq!(d.next_frame(), None);
    }

    fn arb_frame() -> impl Strategy<Value = Frame> {
        (
            any::<u32>(),
            prop_oneof![
                Just(PacketId::Command),
                Just(PacketId::Data),
                Just(PacketId::Ack),
                Just(PacketId::EndData)
            ],
            proptest::collection::vec(any::<u8>(), 0..=256),
        )
            .prop_map(|(address, id, payload)| Frame {
                address,
                id,
                payload,
            })
    }

    proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..1200)) {
            let mut d = FrameDecoder::new();
            d.push(&bytes);
            let mut n = 0;
            while d.next_frame().is_some() {
                n += 1;
                prop_assert!(n <= bytes.len());
            }
        }

        #[test]
        fn frames_round_trip_through_noise_and_any_split(
            frames in proptest::collection::vec(arb_frame(), 1..4),
            noise in proptest::collection::vec(0u8..0xEF, 0..20),
            split in any::<prop::sample::Index>(),
        ) {
            let mut bytes = noise.clone();
            for f in &frames {
                bytes.extend(f.encode());
            }
            let cut = split.index(bytes.len() + 1);
            let mut d = FrameDecoder::new();
            let mut got = Vec::new();
            d.push(&bytes[..cut]);
            while let Some(f) = d.next_frame() {
                got.push(f);
            }
            d.push(&bytes[cut..]);
            while let Some(f) = d.next_frame() {
                got.push(f);
            }
            let want: Vec<Result<Frame, FrameError>> = frames.into_iter().map(Ok).collect();
            prop_assert_eq!(got, want);
            prop_assert_eq!(d.skipped(), noise.len());
        }
    }
}
