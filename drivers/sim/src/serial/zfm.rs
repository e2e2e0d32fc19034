//! An R30x / ZFM / AS608 optical fingerprint module, device side: it answers `VfyPwd`,
//! `ReadSysPara`, `GenImg` (no finger for the first polls, then the finger the control put on
//! the glass) and `UpImage` (the generated finger of [`crate::finger`], 4 bits per pixel in
//! data packets of the configured size), each reply framed `EF 01 · address · id · length ·
//! payload · checksum`. Frames for another address are ignored, as a module on a shared bus
//! does; a frame with a bad checksum is answered with confirmation code 01.

use super::wire::{at_line_speed, read_some, write_paced, Got};
use super::{Pace, SerialControl, SerialFault};
use crate::finger::{render_finger, FINGER_HEIGHT, FINGER_WIDTH};
use crate::rng::{mix, SimRng};
use ktpel_hal::{FingerPosition, GrayImage};
use serialport::SerialPort;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const HEADER: [u8; 2] = [0xEF, 0x01];
const PID_COMMAND: u8 = 0x01;
const PID_DATA: u8 = 0x02;
const PID_ACK: u8 = 0x07;
const PID_END_DATA: u8 = 0x08;
/// The longest command payload the module accepts (DownChar data is the longest, 256 + 2).
const MAX_LEN: usize = 258 + 2;
/// How long the sensor takes to expose and check an image, in real time.
const GEN_IMG_TIME: Duration = Duration::from_millis(150);

/// How the simulated module is set up.
#[derive(Debug, Clone)]
pub struct ZfmSimOptions {
    pub control: SerialControl,
    /// The module's address (`FF FF FF FF` by default).
    pub address: u32,
    /// The handshake password (0 by default).
    pub password: u32,
    /// Data packet payload size: 32, 64, 128 (default) or 256 bytes.
    pub packet_size: usize,
    /// The baud rate the module reports (and, with [`Pace::Wire`], the one it is paced at).
    pub baud: u32,
    /// Whether the module hears only a line set to `baud` (bytes at another speed are noise
    /// to its UART). Off where the driver's speed cannot be seen (the CLI's socat pair).
    pub strict_speed: bool,
    pub pace: Pace,
    /// Template library capacity and security level (1–5), as reported by `ReadSysPara`.
    pub library_size: u16,
    pub security_level: u16,
    pub system_id: u16,
}

impl Default for ZfmSimOptions {
    fn default() -> Self {
        Self {
            control: SerialControl::new(),
            address: 0xFFFF_FFFF,
            password: 0,
            packet_size: 128,
            baud: 57_600,
            strict_speed: false,
            pace: Pace::real(57_600),
            library_size: 1000,
            security_level: 3,
            system_id: 0x0009,
        }
    }
}

/// The image the module sends for `finger` of `subject` (`None`: the empty glass), as the
/// driver must reassemble it: 4-bit grey levels scaled back to 8 bits (`level × 17`).
pub fn zfm_wire_image(subject: u64, finger: Option<FingerPosition>) -> GrayImage {
    let pixels = sensor_levels(subject, finger)
        .into_iter()
        .map(|l| l * 17)
        .collect();
    GrayImage {
        width: FINGER_WIDTH,
        height: FINGER_HEIGHT,
        pixels,
    }
}

/// 4-bit grey levels (0–15) of one sensor image.
fn sensor_levels(subject: u64, finger: Option<FingerPosition>) -> Vec<u8> {
    match finger {
        Some(position) => render_finger(subject, position)
            .pixels
            .into_iter()
            .map(|p| p >> 4)
            .collect(),
        None => {
            // The bare glass: bright, with a little sensor noise.
            let mut rng = SimRng::new(mix(&[subject, 0x61A55]));
            (0..FINGER_WIDTH * FINGER_HEIGHT)
                .map(|_| 13 + u8::from(rng.chance(0.3)) + u8::from(rng.chance(0.1)))
                .collect()
        }
    }
}

fn checksum(pid: u8, len: u16, payload: &[u8]) -> u16 {
    let mut sum = u16::from(pid)
        .wrapping_add(len >> 8)
        .wrapping_add(len & 0xFF);
    for b in payload {
        sum = sum.wrapping_add(u16::from(*b));
    }
    sum
}

fn frame(address: u32, pid: u8, payload: &[u8], corrupt: bool) -> Vec<u8> {
    let len = (payload.len() + 2) as u16;
    let mut sum = checksum(pid, len, payload);
    if corrupt {
        sum = sum.wrapping_add(0x5A);
    }
    let mut out = Vec::with_capacity(payload.len() + 11);
    out.extend_from_slice(&HEADER);
    out.extend_from_slice(&address.to_be_bytes());
    out.push(pid);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&sum.to_be_bytes());
    out
}

/// A command as the module received it.
enum Incoming {
    Command(Vec<u8>),
    BadChecksum,
}

/// Takes the next whole frame for `address` out of `buf`, skipping garbage; `None` while the
/// frame is incomplete.
fn take_frame(buf: &mut Vec<u8>, address: u32) -> Option<Incoming> {
    loop {
        let start = buf.windows(2).position(|w| w == HEADER);
        match start {
            None => {
                // Keep a trailing EF: it may start the next header.
                let keep = usize::from(buf.last() == Some(&0xEF));
                buf.drain(..buf.len() - keep);
                return None;
            }
            Some(s) => {
                buf.drain(..s);
            }
        }
        if buf.len() < 9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([buf[7], buf[8]]));
        if !(2..=MAX_LEN).contains(&len) {
            buf.drain(..2);
            continue;
        }
        if buf.len() < 9 + len {
            return None;
        }
        let frame: Vec<u8> = buf.drain(..9 + len).collect();
        let addr = u32::from_be_bytes([frame[2], frame[3], frame[4], frame[5]]);
        let pid = frame[6];
        let payload = &frame[9..9 + len - 2];
        let got = u16::from_be_bytes([frame[7 + len], frame[8 + len]]);
        if addr != address || pid != PID_COMMAND {
            tracing::debug!(pid, "zfm sim: frame not for this module, ignored");
            continue;
        }
        if got != checksum(pid, len as u16, payload) {
            return Some(Incoming::BadChecksum);
        }
        return Some(Incoming::Command(payload.to_vec()));
    }
}

/// Where the module's conversation is.
struct Module {
    opts: ZfmSimOptions,
    /// The image buffer holds a capture (`GenImg` ran): of this finger, or the bare glass.
    image: Option<Option<FingerPosition>>,
    verified: bool,
}

/// Serves the module's side of the protocol on `port` until `stop` is set or a scripted
/// [`SerialFault::Unplug`] closes the port.
pub fn serve_zfm(
    mut port: Box<dyn SerialPort>,
    opts: ZfmSimOptions,
    stop: Arc<AtomicBool>,
) -> io::Result<()> {
    port.set_timeout(Duration::from_millis(20))?;
    let mut module = Module {
        opts,
        image: None,
        verified: false,
    };
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    while !stop.load(Ordering::Relaxed) {
        match read_some(port.as_mut(), &mut chunk, false) {
            Got::Bytes(_)
                if module.opts.strict_speed
                    && !at_line_speed(port.as_ref(), Some(module.opts.baud)) =>
            {
                // Framing errors at the module's UART: no packet to answer.
                continue;
            }
            Got::Bytes(n) => buf.extend_from_slice(&chunk[..n]),
            Got::Idle | Got::Closed => continue,
        }
        while let Some(incoming) = take_frame(&mut buf, module.opts.address) {
            let Some(fault) = module.opts.control.next_fault() else {
                tracing::debug!("zfm sim: muted, command ignored");
                continue;
            };
            if fault == SerialFault::Unplug {
                tracing::debug!("zfm sim: unplugged");
                return Ok(());
            }
            if fault == SerialFault::Silent {
                continue;
            }
            let replies = match incoming {
                Incoming::BadChecksum => vec![module.ack(0x01, &[])],
                Incoming::Command(cmd) => module.handle(&cmd),
            };
            if let Err(e) = module.send(port.as_mut(), replies, &fault, &stop) {
                tracing::debug!(error = %e, "zfm sim: reply not delivered");
                buf.clear();
            }
        }
    }
    Ok(())
}

impl Module {
    fn ack(&self, code: u8, data: &[u8]) -> Vec<u8> {
        let mut payload = vec![code];
        payload.extend_from_slice(data);
        payload
    }

    /// The payloads to send back: the ack first, then (for `UpImage`) data packets, each
    /// tagged with its packet id in the first position of the tuple built by `send`.
    fn handle(&mut self, cmd: &[u8]) -> Vec<Vec<u8>> {
        let Some((&instruction, params)) = cmd.split_first() else {
            return vec![self.ack(0x01, &[])];
        };
        let control = self.opts.control.clone();
        match instruction {
            // VfyPwd
            0x13 => {
                let ok = params.len() == 4
                    && u32::from_be_bytes([params[0], params[1], params[2], params[3]])
                        == self.opts.password;
                self.verified = ok;
                vec![self.ack(if ok { 0x00 } else { 0x13 }, &[])]
            }
            // ReadSysPara
            0x0F => {
                let status: u16 =
                    (u16::from(self.verified) << 2) | (u16::from(self.image.is_some()) << 3);
                let size_code: u16 = match self.opts.packet_size {
                    32 => 0,
                    64 => 1,
                    256 => 3,
                    _ => 2,
                };
                let mut data = Vec::with_capacity(16);
                data.extend_from_slice(&status.to_be_bytes());
                data.extend_from_slice(&self.opts.system_id.to_be_bytes());
                data.extend_from_slice(&self.opts.library_size.to_be_bytes());
                data.extend_from_slice(&self.opts.security_level.to_be_bytes());
                data.extend_from_slice(&self.opts.address.to_be_bytes());
                data.extend_from_slice(&size_code.to_be_bytes());
                data.extend_from_slice(&((self.opts.baud / 9600) as u16).to_be_bytes());
                vec![self.ack(0x00, &data)]
            }
            // GenImg
            0x01 => {
                std::thread::sleep(self.opts.pace.scale(GEN_IMG_TIME));
                let mut s = control.lock();
                match s.finger {
                    Some(finger) if s.finger_after_polls == 0 => {
                        self.image = Some(Some(finger));
                        drop(s);
                        vec![self.ack(0x00, &[])]
                    }
                    Some(_) => {
                        s.finger_after_polls -= 1;
                        drop(s);
                        self.image = Some(None);
                        vec![self.ack(0x02, &[])]
                    }
                    None => {
                        drop(s);
                        self.image = Some(None);
                        vec![self.ack(0x02, &[])]
                    }
                }
            }
            // UpImage
            0x0A => {
                let Some(finger) = self.image else {
                    return vec![self.ack(0x15, &[])];
                };
                let levels = sensor_levels(control.subject(), finger);
                let packed: Vec<u8> = levels.chunks(2).map(|p| (p[0] << 4) | p[1]).collect();
                let mut replies = vec![self.ack(0x00, &[])];
                replies.extend(
                    packed
                        .chunks(self.opts.packet_size.max(1))
                        .map(<[u8]>::to_vec),
                );
                replies
            }
            // TemplateNum: an empty library.
            0x1D => vec![self.ack(0x00, &[0, 0])],
            // Instructions this module does not implement answer "packet receive error".
            _ => vec![self.ack(0x01, &[])],
        }
    }

    /// Frames and sends the replies: the first is the ack, the rest data packets (the last
    /// with id 08). A `Corrupt` fault spoils the ack's checksum, or for an image upload a
    /// data packet in the middle; `Noise` goes out first.
    fn send(
        &self,
        port: &mut dyn SerialPort,
        replies: Vec<Vec<u8>>,
        fault: &SerialFault,
        stop: &AtomicBool,
    ) -> io::Result<()> {
        if let SerialFault::Noise(bytes) = fault {
            write_paced(port, bytes, self.opts.pace, stop)?;
        }
        let count = replies.len();
        let corrupt_at = match (fault, count) {
            (SerialFault::Corrupt, 1) => Some(0),
            (SerialFault::Corrupt, n) => Some(n / 2),
            _ => None,
        };
        for (i, payload) in replies.iter().enumerate() {
            let pid = match i {
                0 => PID_ACK,
                i if i + 1 == count => PID_END_DATA,
                _ => PID_DATA,
            };
            let bytes = frame(self.opts.address, pid, payload, corrupt_at == Some(i));
            write_paced(port, &bytes, self.opts.pace, stop)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn takes_a_frame_after_garbage_and_checks_its_sum() {
        let mut buf = vec![0x00, 0xEF, 0x13];
        buf.extend(frame(0xFFFF_FFFF, PID_COMMAND, &[0x01], false));
        match take_frame(&mut buf, 0xFFFF_FFFF) {
            Some(Incoming::Command(c)) => assert_eq!(c, vec![0x01]),
            _ => panic!("no command"),
        }
        buf.extend(frame(0xFFFF_FFFF, PID_COMMAND, &[0x01], true));
        assert!(matches!(
            take_frame(&mut buf, 0xFFFF_FFFF),
            Some(Incoming::BadChecksum)
        ));
        // Another module's frame is ignored.
        buf.extend(frame(0x1234_5678, PID_COMMAND, &[0x01], false));
        assert!(take_frame(&mut buf, 0xFFFF_FFFF).is_none());
    }

    #[test]
    fn wire_image_is_4_bit() {
        let img = zfm_wire_image(7, Some(FingerPosition::LeftThumb));
        assert_eq!((img.width, img.height), (256, 288));
        assert!(img.pixels.iter().all(|p| p % 17 == 0));
    }

    proptest! {
        #[test]
        fn frame_scanner_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut buf = bytes;
            while take_frame(&mut buf, 0xFFFF_FFFF).is_some() {}
        }
    }
}
