//! The simulators' side of the wire: reads that tell "nothing yet" from "gone", and paced
//! writes.

use super::Pace;
use std::io::{self, ErrorKind, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Whether bytes from the driver arrive at `line_speed` (always, when the device has no fixed
/// speed). A device at another speed than the driver's port receives framing errors, not
/// commands, and ignores them. On the master end of a pty pair the speed read is the one the
/// driver set on its (slave) end; where it cannot be read the bytes are taken.
pub(crate) fn at_line_speed(port: &dyn serialport::SerialPort, line_speed: Option<u32>) -> bool {
    match (line_speed, port.baud_rate()) {
        (Some(want), Ok(set)) => want == set,
        _ => true,
    }
}

/// What one read saw.
pub(crate) enum Got {
    Bytes(usize),
    /// Nothing arrived in time (or no one has the other end open just now).
    Idle,
    /// The other end closed for good (TCP end of stream).
    Closed,
}

/// Reads what is there. On a pty master, a closed slave end reads as an error (hang-up) until
/// the driver opens it again: that is `Idle` after a short sleep, not the end.
pub(crate) fn read_some<R: Read + ?Sized>(r: &mut R, buf: &mut [u8], eof_closes: bool) -> Got {
    match r.read(buf) {
        Ok(0) if eof_closes => Got::Closed,
        Ok(0) => Got::Idle,
        Ok(n) => Got::Bytes(n),
        Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => Got::Idle,
        Err(e) if e.kind() == ErrorKind::Interrupted => Got::Idle,
        Err(e) if eof_closes => {
            tracing::debug!(error = %e, "sim wire read failed: connection closed");
            Got::Closed
        }
        Err(_) => {
            std::thread::sleep(Duration::from_millis(10));
            Got::Idle
        }
    }
}

/// Writes all of `bytes`, then sleeps as long as they take on the wire. A reader that does not
/// drain the port for two seconds (or the stop flag) ends the write with an error.
pub(crate) fn write_paced<W: Write + ?Sized>(
    w: &mut W,
    bytes: &[u8],
    pace: Pace,
    stop: &AtomicBool,
) -> io::Result<()> {
    let started = Instant::now();
    let give_up = started + Duration::from_secs(2);
    let mut rest = bytes;
    while !rest.is_empty() {
        if stop.load(Ordering::Relaxed) {
            return Err(io::Error::new(ErrorKind::Interrupted, "simulator stopped"));
        }
        match w.write(rest) {
            Ok(0) => return Err(io::Error::new(ErrorKind::WriteZero, "port took nothing")),
            Ok(n) => rest = &rest[n..],
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted
                ) && Instant::now() < give_up => {}
            Err(e) => return Err(e),
        }
    }
    let due = started + pace.duration(bytes.len());
    let now = Instant::now();
    if due > now {
        std::thread::sleep(due - now);
    }
    Ok(())
}
