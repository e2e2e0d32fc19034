//! A Wacom ISDv4 serial pen digitizer, device side. It takes the single-byte commands `0`
//! (stop), `*` (query: an 11-byte control packet with max x, max y, max pressure and the
//! firmware version) and `1` (start). Each start with a signer present draws one signature of
//! the control's subject ([`crate::signature::signature_strokes`]) as 9-byte pen packets at
//! the pen's report rate: the pen comes into proximity, hovers, draws each stroke with the tip
//! down, hovers between strokes, and leaves proximity.
//!
//! Packet layout (Linux `wacom_w8001`): byte 0 = `0x80` lead | `0x20` proximity | `0x04`/`0x02`
//! side switches | `0x01` tip; x = b1(7) b2(7) b6 bits 5–6; y = b3(7) b4(7) b6 bits 3–4;
//! pressure = b5(7) | b6 bits 0–2 << 7; tilt b7, b8. The control packet has bit 6 set in its
//! lead byte; this simulator puts its firmware version in bytes 9 and 10.

use super::wire::{at_line_speed, read_some, write_paced, Got};
use super::{Pace, SerialControl, SerialFault};
use crate::signature::{signature_strokes, PAD_MAX_PRESSURE, PAD_MAX_X, PAD_MAX_Y};
use ktpel_hal::Stroke;
use serialport::SerialPort;
use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Pen report interval (about 133 packets/s).
pub const REPORT_INTERVAL: Duration = Duration::from_micros(7_500);
/// After a start, how long the signer takes to bring the pen to the pad (real time).
const REACH_TIME: Duration = Duration::from_millis(300);

/// How the simulated pad is set up.
#[derive(Debug, Clone)]
pub struct Isdv4SimOptions {
    pub control: SerialControl,
    pub max_x: u32,
    pub max_y: u32,
    pub max_pressure: u16,
    /// Firmware version reported in the query answer (major, minor; 7 bits each).
    pub firmware: (u8, u8),
    /// Only for timing: the pad's baud rate (19200 or 38400).
    pub pace: Pace,
    /// The pad's fixed speed (38400 or 19200, by model): commands sent at another speed are
    /// line noise it does not answer. `None`: any (a port whose speed cannot be seen, as the
    /// CLI's socat pair).
    pub line_speed: Option<u32>,
}

impl Default for Isdv4SimOptions {
    fn default() -> Self {
        Self {
            control: SerialControl::new(),
            max_x: PAD_MAX_X,
            max_y: PAD_MAX_Y,
            max_pressure: PAD_MAX_PRESSURE,
            firmware: (1, 23),
            pace: Pace::real(38_400),
            line_speed: None,
        }
    }
}

/// The strokes the simulator draws for the `n`-th signature (1-based) of `subject`: what a
/// driver must assemble from the packets.
pub fn isdv4_strokes(subject: u64, n: u64) -> Vec<Stroke> {
    signature_strokes(subject, n, false)
}

/// One pen packet (the 9-byte layout).
fn pen_packet(proximity: bool, tip: bool, x: u32, y: u32, pressure: u16) -> [u8; 9] {
    let x = x.min(0xFFFF);
    let y = y.min(0xFFFF);
    let p = u32::from(pressure.min(0x3FF));
    let mut b = [0u8; 9];
    b[0] = 0x80 | if proximity { 0x20 } else { 0 } | u8::from(tip);
    b[1] = ((x >> 9) & 0x7F) as u8;
    b[2] = ((x >> 2) & 0x7F) as u8;
    b[3] = ((y >> 9) & 0x7F) as u8;
    b[4] = ((y >> 2) & 0x7F) as u8;
    b[5] = (p & 0x7F) as u8;
    b[6] = (((x & 3) << 5) | ((y & 3) << 3) | ((p >> 7) & 7)) as u8;
    b[7] = 0x40;
    b[8] = 0x40;
    b
}

/// The 11-byte control packet answering a query.
fn query_packet(opts: &Isdv4SimOptions) -> [u8; 11] {
    let pen = pen_packet(false, false, opts.max_x, opts.max_y, opts.max_pressure);
    let mut b = [0u8; 11];
    b[..9].copy_from_slice(&pen);
    b[0] = 0xC0;
    b[7] = 0x3F;
    b[8] = 0x3F;
    b[9] = opts.firmware.0 & 0x7F;
    b[10] = opts.firmware.1 & 0x7F;
    b
}

/// The packets of one signature with their times from the start command.
fn plan_signature(strokes: &[Stroke]) -> VecDeque<(Duration, Vec<u8>)> {
    let mut plan = VecDeque::new();
    let reach = REACH_TIME;
    let mut last_t = reach;
    let mut push = |t: Duration, packet: [u8; 9]| plan.push_back((t, packet.to_vec()));
    let hover = |from: (u32, u32), to: (u32, u32), t0: Duration, t1: Duration| {
        let span = t1.saturating_sub(t0);
        let steps = (span.as_micros() / REPORT_INTERVAL.as_micros()).max(1) as u32;
        (1..steps)
            .map(|i| {
                let f = i as f32 / steps as f32;
                let x = from.0 as f32 + (to.0 as f32 - from.0 as f32) * f;
                let y = from.1 as f32 + (to.1 as f32 - from.1 as f32) * f;
                (
                    t0 + REPORT_INTERVAL * i,
                    pen_packet(true, false, x as u32, y as u32, 0),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut at: Option<(u32, u32)> = None;
    for stroke in strokes {
        let Some(first) = stroke.points.first() else {
            continue;
        };
        let t_first = reach + Duration::from_millis(u64::from(first.t_ms));
        match at {
            // The pen comes into proximity above the first point.
            None => {
                for i in (1..=5u32).rev() {
                    push(
                        t_first.saturating_sub(REPORT_INTERVAL * i),
                        pen_packet(true, false, first.x, first.y, 0),
                    );
                }
            }
            Some(from) => {
                for (t, p) in hover(from, (first.x, first.y), last_t, t_first) {
                    push(t, p);
                }
            }
        }
        for p in &stroke.points {
            last_t = reach + Duration::from_millis(u64::from(p.t_ms));
            push(last_t, pen_packet(true, true, p.x, p.y, p.pressure));
        }
        at = stroke.points.last().map(|p| (p.x, p.y));
    }
    if let Some(end) = at {
        // Lift, hover a moment, leave proximity.
        for i in 1..=6u32 {
            push(
                last_t + REPORT_INTERVAL * i,
                pen_packet(true, false, end.0, end.1 + 20 * i, 0),
            );
        }
        push(
            last_t + REPORT_INTERVAL * 7,
            pen_packet(false, false, end.0, end.1 + 140, 0),
        );
    }
    plan
}

/// Serves the pad's side of the protocol on `port` until `stop` is set or a scripted
/// [`SerialFault::Unplug`] closes the port.
pub fn serve_isdv4(
    mut port: Box<dyn SerialPort>,
    opts: Isdv4SimOptions,
    stop: Arc<AtomicBool>,
) -> io::Result<()> {
    let pace = opts.pace;
    let mut streaming = false;
    // The signature being drawn: when it started, its packets, the fault it met.
    let mut started = Instant::now();
    let mut plan: VecDeque<(Duration, Vec<u8>)> = VecDeque::new();
    let mut stream_fault = SerialFault::Pass;
    let mut sent_in_stream = 0usize;
    let mut plan_len = 0usize;
    let mut chunk = [0u8; 64];
    while !stop.load(Ordering::Relaxed) {
        // Send what is due.
        while streaming && !plan.is_empty() {
            let Some((t, _)) = plan.front() else { break };
            if Instant::now() < started + pace.scale(*t) {
                break;
            }
            let Some((_, mut packet)) = plan.pop_front() else {
                break;
            };
            sent_in_stream += 1;
            match &stream_fault {
                SerialFault::Unplug if sent_in_stream >= plan_len / 2 => {
                    tracing::debug!("isdv4 sim: unplugged mid-signature");
                    return Ok(());
                }
                SerialFault::Corrupt if sent_in_stream == plan_len / 2 => packet.truncate(5),
                SerialFault::Noise(noise) if sent_in_stream.checked_rem(25) == Some(0) => {
                    let stray: Vec<u8> = noise.iter().map(|b| b & 0x7F).collect();
                    packet.splice(0..0, stray);
                }
                _ => {}
            }
            if let Err(e) = write_paced(port.as_mut(), &packet, pace, &stop) {
                tracing::debug!(error = %e, "isdv4 sim: packet not delivered");
                plan.clear();
            }
        }
        let wait = match (streaming, plan.front()) {
            (true, Some((t, _))) => (started + pace.scale(*t))
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(20)),
            _ => Duration::from_millis(20),
        };
        port.set_timeout(wait.max(Duration::from_micros(200)))?;
        let n = match read_some(port.as_mut(), &mut chunk, false) {
            Got::Bytes(n) => n,
            Got::Idle | Got::Closed => continue,
        };
        if !at_line_speed(port.as_ref(), opts.line_speed) {
            // Framing errors at the pad's UART: nothing it understands.
            continue;
        }
        for &command in &chunk[..n] {
            if !matches!(command, b'0' | b'1' | b'*' | b'%') {
                continue;
            }
            let Some(fault) = opts.control.next_fault() else {
                continue;
            };
            match fault {
                SerialFault::Unplug if command != b'1' => return Ok(()),
                SerialFault::Silent => continue,
                _ => {}
            }
            match command {
                b'0' => {
                    streaming = false;
                    plan.clear();
                }
                b'1' => {
                    streaming = true;
                    started = Instant::now();
                    sent_in_stream = 0;
                    stream_fault = fault.clone();
                    let signer = {
                        let mut s = opts.control.lock();
                        if s.no_signer {
                            None
                        } else {
                            s.signatures_drawn += 1;
                            Some((s.subject, s.signatures_drawn))
                        }
                    };
                    plan = signer
                        .map(|(subject, n)| plan_signature(&isdv4_strokes(subject, n)))
                        .unwrap_or_default();
                    plan_len = plan.len();
                }
                b'*' => {
                    let mut answer = query_packet(&opts).to_vec();
                    match &fault {
                        SerialFault::Corrupt => answer.truncate(6),
                        SerialFault::Noise(noise) => {
                            let stray: Vec<u8> = noise.iter().map(|b| b & 0x7F).collect();
                            answer.splice(0..0, stray);
                        }
                        _ => {}
                    }
                    if let Err(e) = write_paced(port.as_mut(), &answer, pace, &stop) {
                        tracing::debug!(error = %e, "isdv4 sim: query answer not delivered");
                    }
                }
                // No touch sensor: a touch query gets no answer.
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_plan_has_one_tip_down_packet_per_point_and_ends_out_of_proximity() {
        let strokes = isdv4_strokes(5, 1);
        let plan = plan_signature(&strokes);
        let points: usize = strokes.iter().map(|s| s.points.len()).sum();
        let tip_down = plan.iter().filter(|(_, p)| p[0] & 0x01 == 1).count();
        assert_eq!(tip_down, points);
        assert_eq!(plan.back().unwrap().1[0] & 0x20, 0);
        // Times never go backwards.
        assert!(plan
            .iter()
            .zip(plan.iter().skip(1))
            .all(|(a, b)| a.0 <= b.0));
        // Only lead bytes have bit 7.
        for (_, p) in &plan {
            assert!(p[0] & 0x80 != 0 && p[1..].iter().all(|b| b & 0x80 == 0));
        }
    }
}
