//! An ESC/POS receipt printer, device side: it answers `DLE EOT n` real-time status from the
//! control's paper and cover state and decodes everything else back into receipts
//! ([`DecodedReceipt`], kept in [`SerialControl::decoded_receipts`]). While the paper is out
//! or the cover open it is offline: status still answers, print data is thrown away (as the
//! lines a real printer would not print), see [`SerialControl::dropped_lines`].
//!
//! Status bytes (fixed bits: 1 and 4 set, 0 and 7 clear): `n = 1` printer (bit 3 offline),
//! `n = 2` offline cause (bit 2 cover open, bit 5 stopped by paper end, bit 6 error),
//! `n = 3` error cause (none simulated), `n = 4` roll paper sensor (bits 5–6 paper end).

use super::escpos_decode::{DecodedReceipt, EscposDecoder, EscposEvent};
use super::wire::{read_some, write_paced, Got};
use super::{Pace, SerialControl, SerialFault};
use serialport::SerialPort;
use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How the simulated printer is set up.
#[derive(Debug, Clone)]
pub struct EscposSimOptions {
    /// Paper, cover, faults and the decoded receipts.
    pub control: SerialControl,
    pub pace: Pace,
}

impl Default for EscposSimOptions {
    fn default() -> Self {
        Self {
            control: SerialControl::new(),
            pace: Pace::real(115_200),
        }
    }
}

/// How many bytes the simulated line delivers at a time (16 bytes: under 2 ms at 115200 baud,
/// 17 ms at 9600).
const WIRE_SLICE: usize = 16;

/// How a conversation ended.
enum End {
    Stopped,
    Unplugged,
    Closed,
}

/// The status byte for `DLE EOT n` (`None` for an `n` the printer does not know).
fn status_byte(control: &SerialControl, n: u8) -> Option<u8> {
    let s = control.lock();
    let offline = s.paper_out || s.cover_open;
    let bits = match n {
        1 => u8::from(offline) << 3,
        2 => (u8::from(s.cover_open) << 2) | (u8::from(s.paper_out) << 5),
        3 => 0,
        4 => {
            if s.paper_out {
                0x60
            } else {
                0
            }
        }
        _ => return None,
    };
    Some(0x12 | bits)
}

fn ready(control: &SerialControl) -> bool {
    let s = control.lock();
    !s.paper_out && !s.cover_open
}

fn serve_stream<S: Read + Write + ?Sized>(
    stream: &mut S,
    opts: &EscposSimOptions,
    stop: &AtomicBool,
    eof_closes: bool,
) -> End {
    let control = &opts.control;
    let mut decoder = EscposDecoder::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if stop.load(Ordering::Relaxed) {
            break End::Stopped;
        }
        let n = match read_some(stream, &mut chunk, eof_closes) {
            Got::Bytes(n) => n,
            Got::Idle => continue,
            Got::Closed => break End::Closed,
        };
        let mut unplug = false;
        // Bytes reach the printer one after another at the line's speed: a status request
        // written behind a job is seen (and answered) only once the job has come through.
        for piece in chunk[..n].chunks(WIRE_SLICE) {
            std::thread::sleep(opts.pace.duration(piece.len()));
            for event in decoder.push(piece) {
                match event {
                    EscposEvent::StatusRequest(n) => {
                        let Some(fault) = control.next_fault() else {
                            continue;
                        };
                        let mut answer = Vec::new();
                        let mut corrupt = false;
                        match fault {
                            SerialFault::Unplug => {
                                unplug = true;
                                break;
                            }
                            SerialFault::Silent => continue,
                            SerialFault::Noise(noise) => answer.extend(noise),
                            SerialFault::Corrupt => corrupt = true,
                            SerialFault::Pass => {}
                        }
                        match status_byte(control, n) {
                            // Fixed bits spoilt: bit 0 and 7 set, bit 1 clear.
                            Some(b) if corrupt => answer.push((b | 0x81) & !0x02),
                            Some(b) => answer.push(b),
                            None => continue,
                        }
                        if let Err(e) = write_paced(stream, &answer, opts.pace, stop) {
                            tracing::debug!(error = %e, "escpos sim: status not delivered");
                        }
                    }
                    EscposEvent::Line(_) if !ready(control) => control.lock().dropped_lines += 1,
                    EscposEvent::Line(_) => {}
                    EscposEvent::ReceiptDone(receipt) => keep(control, receipt),
                }
            }
            if unplug {
                break;
            }
        }
        if unplug {
            break End::Unplugged;
        }
    };
    for event in decoder.finish() {
        if let EscposEvent::ReceiptDone(receipt) = event {
            keep(control, receipt);
        }
    }
    end
}

/// Keeps a finished receipt when the printer was ready to print it.
fn keep(control: &SerialControl, receipt: DecodedReceipt) {
    if ready(control) {
        control.lock().decoded.push(receipt);
    } else {
        tracing::debug!("escpos sim: receipt dropped, printer not ready");
    }
}

/// Serves the printer's side on a serial port until `stop` is set or a scripted
/// [`SerialFault::Unplug`] closes the port.
pub fn serve_escpos(
    mut port: Box<dyn SerialPort>,
    opts: EscposSimOptions,
    stop: Arc<AtomicBool>,
) -> io::Result<()> {
    port.set_timeout(Duration::from_millis(20))?;
    match serve_stream(port.as_mut(), &opts, &stop, false) {
        End::Stopped | End::Unplugged | End::Closed => Ok(()),
    }
}

/// Serves the printer's side on TCP (port 9100 on a real printer), one connection at a time,
/// until `stop` is set or a scripted [`SerialFault::Unplug`] (which also closes the listener).
pub fn serve_escpos_tcp(
    listener: TcpListener,
    opts: EscposSimOptions,
    stop: Arc<AtomicBool>,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    while !stop.load(Ordering::Relaxed) {
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            Err(e) => return Err(e),
        };
        stream.set_nonblocking(false)?;
        stream.set_read_timeout(Some(Duration::from_millis(20)))?;
        stream.set_nodelay(true)?;
        match serve_stream(&mut stream, &opts, &stop, true) {
            End::Unplugged => return Ok(()),
            End::Stopped | End::Closed => {}
        }
    }
    Ok(())
}
