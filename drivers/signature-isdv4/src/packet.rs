//! ISDv4 packets (Linux `wacom_w8001`): a lead byte with bit 7 set, then bytes with bit 7
//! clear. A pen packet is 9 bytes; a control packet (the answer to a query, bit 6 set in the
//! lead byte) is 11 and is laid out like pen data: x, y and pressure give the maxima.
//! [`PacketDecoder`] takes bytes as they come, skips stray bytes until a lead byte, restarts
//! at a lead byte that comes too early (a packet cut short), and never panics.

/// Pen packet length.
pub const PEN_LEN: usize = 9;
/// Control (query answer) packet length.
pub const CONTROL_LEN: usize = 11;

const LEAD: u8 = 0x80;
const CONTROL: u8 = 0x40;
const PROXIMITY: u8 = 0x20;
/// Touch packets (lead | 0x10) come from touch sensors, which this driver does not use.
const TOUCH: u8 = 0x10;
const SIDE_SWITCHES: u8 = 0x06;
const TIP: u8 = 0x01;

/// One report of the pen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PenPacket {
    /// The pen is near enough to be tracked.
    pub proximity: bool,
    /// The tip presses on the surface.
    pub tip: bool,
    /// Side switch bits (bit 0: first switch, bit 1: second / eraser).
    pub switches: u8,
    pub x: u16,
    pub y: u16,
    /// 10 bits.
    pub pressure: u16,
    pub tilt_x: u8,
    pub tilt_y: u8,
}

impl PenPacket {
    /// Decodes 9 bytes laid out as REFERENCE.md gives them.
    pub fn decode(b: &[u8; PEN_LEN]) -> Self {
        let x = (u16::from(b[1] & 0x7F) << 9)
            | (u16::from(b[2] & 0x7F) << 2)
            | u16::from((b[6] & 0x60) >> 5);
        let y = (u16::from(b[3] & 0x7F) << 9)
            | (u16::from(b[4] & 0x7F) << 2)
            | u16::from((b[6] & 0x18) >> 3);
        let pressure = u16::from(b[5] & 0x7F) | (u16::from(b[6] & 0x07) << 7);
        Self {
            proximity: b[0] & PROXIMITY != 0,
            tip: b[0] & TIP != 0,
            switches: (b[0] & SIDE_SWITCHES) >> 1,
            x,
            y,
            pressure,
            tilt_x: b[7] & 0x7F,
            tilt_y: b[8] & 0x7F,
        }
    }

    /// The bytes a pad sends for this report (pressure above 10 bits and tilt above 7 bits
    /// are cut).
    pub fn encode(&self) -> [u8; PEN_LEN] {
        let (x, y, p) = (self.x, self.y, self.pressure & 0x3FF);
        [
            LEAD | if self.proximity { PROXIMITY } else { 0 }
                | ((self.switches << 1) & SIDE_SWITCHES)
                | u8::from(self.tip),
            ((x >> 9) & 0x7F) as u8,
            ((x >> 2) & 0x7F) as u8,
            ((y >> 9) & 0x7F) as u8,
            ((y >> 2) & 0x7F) as u8,
            (p & 0x7F) as u8,
            (((x & 3) << 5) | ((y & 3) << 3) | ((p >> 7) & 7)) as u8,
            self.tilt_x & 0x7F,
            self.tilt_y & 0x7F,
        ]
    }
}

/// What the pad answers to a query: its coordinate and pressure ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub max_x: u16,
    pub max_y: u16,
    pub max_pressure: u16,
    pub max_tilt_x: u8,
    pub max_tilt_y: u8,
    /// Bytes 9 and 10 (some firmware puts its version there).
    pub firmware: (u8, u8),
}

impl Capabilities {
    pub fn decode(b: &[u8; CONTROL_LEN]) -> Self {
        let mut pen = [0u8; PEN_LEN];
        pen.copy_from_slice(&b[..PEN_LEN]);
        let p = PenPacket::decode(&pen);
        Self {
            max_x: p.x,
            max_y: p.y,
            max_pressure: p.pressure,
            max_tilt_x: p.tilt_x,
            max_tilt_y: p.tilt_y,
            firmware: (b[9] & 0x7F, b[10] & 0x7F),
        }
    }
}

/// One complete packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packet {
    Pen(PenPacket),
    Control(Capabilities),
}

/// A streaming packet reader.
#[derive(Debug, Default)]
pub struct PacketDecoder {
    buf: Vec<u8>,
    skipped: usize,
    resyncs: usize,
}

impl PacketDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn reset(&mut self) {
        self.buf.clear();
    }

    /// Stray bytes skipped so far.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Packets cut short so far (a lead byte arrived before the packet was complete).
    pub fn resyncs(&self) -> usize {
        self.resyncs
    }

    /// Bytes of an incomplete packet waiting for the rest.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Feeds one byte; answers the packet it completes.
    pub fn push(&mut self, byte: u8) -> Option<Packet> {
        if byte & LEAD != 0 {
            if !self.buf.is_empty() {
                self.resyncs += 1;
                self.skipped += self.buf.len();
                self.buf.clear();
            }
            if byte & TOUCH != 0 && byte & CONTROL == 0 {
                // A touch report: not ours; its body is skipped as stray bytes.
                self.skipped += 1;
                return None;
            }
            self.buf.push(byte);
            return None;
        }
        if self.buf.is_empty() {
            self.skipped += 1;
            return None;
        }
        self.buf.push(byte);
        let want = if self.buf[0] & CONTROL != 0 {
            CONTROL_LEN
        } else {
            PEN_LEN
        };
        if self.buf.len() < want {
            return None;
        }
        let packet = if want == CONTROL_LEN {
            let mut b = [0u8; CONTROL_LEN];
            b.copy_from_slice(&self.buf);
            Packet::Control(Capabilities::decode(&b))
        } else {
            let mut b = [0u8; PEN_LEN];
            b.copy_from_slice(&self.buf);
            Packet::Pen(PenPacket::decode(&b))
        };
        self.buf.clear();
        Some(packet)
    }

    /// Feeds bytes; answers the packets they complete.
    pub fn push_all(&mut self, bytes: &[u8]) -> Vec<Packet> {
        bytes.iter().filter_map(|b| self.push(*b)).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_the_reference_layout() {
        // x = 0x2EE0 (12000), y = 0x0FA0 (4000), pressure 0x3FF, tip down, in proximity.
        let b = [0xA1, 0x17, 0x38, 0x07, 0x68, 0x7F, 0x07, 0x20, 0x21];
        let p = PenPacket::decode(&b);
        assert_eq!((p.x, p.y, p.pressure), (12000, 4000, 1023));
        assert!(p.proximity && p.tip);
        assert_eq!((p.tilt_x, p.tilt_y), (0x20, 0x21));
        assert_eq!(p.encode(), b);
    }

    #[test]
    fn resynchronises_on_stray_bytes_and_cut_packets() {
        let a = PenPacket {
            proximity: true,
            tip: true,
            x: 500,
            y: 600,
            pressure: 300,
            ..Default::default()
        };
        let b = PenPacket { x: 501, ..a };
        let mut bytes = vec![0x00, 0x31, 0x7F];
        bytes.extend(&a.encode()[..5]);
        bytes.extend(a.encode());
        bytes.push(0x0A);
        bytes.extend(b.encode());
        let mut d = PacketDecoder::new();
        assert_eq!(d.push_all(&bytes), vec![Packet::Pen(a), Packet::Pen(b)]);
        assert_eq!(d.resyncs(), 1);
        assert_eq!(d.skipped(), 3 + 5 + 1);
    }

    fn arb_pen() -> impl Strategy<Value = PenPacket> {
        (
            any::<bool>(),
            any::<bool>(),
            0u8..4,
            any::<u16>(),
            any::<u16>(),
            0u16..1024,
            0u8..128,
            0u8..128,
        )
            .prop_map(
                |(proximity, tip, switches, x, y, pressure, tilt_x, tilt_y)| PenPacket {
                    proximity,
                    tip,
                    switches,
                    x,
                    y,
                    pressure,
                    tilt_x,
                    tilt_y,
                },
            )
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..500)) {
            let mut d = PacketDecoder::new();
            let n = d.push_all(&bytes).len();
            prop_assert!(n * PEN_LEN <= bytes.len());
        }

        #[test]
        fn pen_packets_round_trip_through_stray_bytes(
            packets in proptest::collection::vec(arb_pen(), 1..20),
            noise in proptest::collection::vec(0u8..0x80, 0..5),
        ) {
            let mut bytes = Vec::new();
            for p in &packets {
                bytes.extend(&noise);
                bytes.extend(p.encode());
            }
            let mut d = PacketDecoder::new();
            let got = d.push_all(&bytes);
            let want: Vec<Packet> = packets.into_iter().map(Packet::Pen).collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn capabilities_round_trip(x in any::<u16>(), y in any::<u16>(), p in 0u16..1024) {
            let mut b = [0u8; CONTROL_LEN];
            b[..PEN_LEN].copy_from_slice(
                &PenPacket { x, y, pressure: p, ..Default::default() }.encode(),
            );
            b[0] |= CONTROL;
            let mut d = PacketDecoder::new();
            let got = d.push_all(&b);
            prop_assert_eq!(got.len(), 1);
            let Packet::Control(c) = got[0] else { panic!("not control") };
            prop_assert_eq!((c.max_x, c.max_y, c.max_pressure), (x, y, p));
        }
    }
}
