//! The wire: one open serial port, commands out, frames in, each read bounded by a deadline.

use crate::codes::{Confirmation, Instruction};
use crate::error::ZfmError;
use crate::frame::{Frame, FrameDecoder, PacketId};
use serialport::{ClearBuffer, SerialPort};
use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::time::{Duration, Instant};

/// The longest single wait on the port, so that deadlines are kept closely.
const READ_SLICE: Duration = Duration::from_millis(50);

pub(crate) struct Link {
    port: Box<dyn SerialPort>,
    decoder: FrameDecoder,
    address: u32,
}

impl Link {
    pub fn open(path: &str, baud: u32, address: u32) -> Result<Self, ZfmError> {
        let port = serialport::new(path, baud)
            .timeout(READ_SLICE)
            .open()
            .map_err(|source| ZfmError::Open {
                path: path.to_string(),
                source,
            })?;
        Ok(Self::with_port(port, address))
    }

    pub fn with_port(port: Box<dyn SerialPort>, address: u32) -> Self {
        Self {
            port,
            decoder: FrameDecoder::new(),
            address,
        }
    }

    /// Drops anything left from an earlier exchange.
    pub fn discard_input(&mut self) {
        let _ = self.port.clear(ClearBuffer::Input);
        self.decoder.reset();
    }

    /// Reads and drops whatever still arrives (the rest of an aborted transfer) until the line
    /// has been quiet for `quiet`, for at most `max`.
    pub fn drain_until_quiet(&mut self, quiet: Duration, max: Duration) {
        let give_up = Instant::now() + max;
        let mut buf = [0u8; 512];
        let _ = self.port.set_timeout(quiet);
        while Instant::now() < give_up {
            match self.port.read(&mut buf) {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
        self.discard_input();
    }

    pub fn send(&mut self, frame: &Frame, during: &'static str) -> Result<(), ZfmError> {
        let bytes = frame.encode();
        self.port
            .write_all(&bytes)
            .map_err(|source| ZfmError::Io { during, source })
    }

    /// The next frame from our module, waiting at most `timeout`.
    pub fn read_frame(
        &mut self,
        timeout: Duration,
        during: &'static str,
    ) -> Result<Frame, ZfmError> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 512];
        loop {
            while let Some(next) = self.decoder.next_frame() {
                let frame = next.map_err(|source| ZfmError::Frame { during, source })?;
                if frame.address == self.address {
                    return Ok(frame);
                }
                tracing::debug!(
                    address = format_args!("{:08X}", frame.address),
                    "packet for another address ignored"
                );
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ZfmError::NoAnswer {
                    during,
                    after: timeout,
                });
            }
            let _ = self.port.set_timeout((deadline - now).min(READ_SLICE));
            match self.port.read(&mut buf) {
                Ok(0) => {}
                Ok(n) => self.decoder.push(&buf[..n]),
                Err(e) if matches!(e.kind(), IoErrorKind::TimedOut | IoErrorKind::Interrupted) => {}
                Err(source) => return Err(ZfmError::Io { during, source }),
            }
        }
    }

    /// Sends `instruction` and waits for its ack. Answers the data after the confirmation
    /// code when it is 00, or the refusal.
    pub fn command(
        &mut self,
        instruction: Instruction,
        params: &[u8],
        timeout: Duration,
    ) -> Result<Vec<u8>, ZfmError> {
        let during = instruction.name();
        self.discard_input();
        let mut payload = Vec::with_capacity(params.len() + 1);
        payload.push(instruction.code());
        payload.extend_from_slice(params);
        self.send(&Frame::command(self.address, payload), during)?;
        let deadline = Instant::now() + timeout;
        let frame = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let frame = self.read_frame(left, during)?;
            if frame.id == PacketId::Ack {
                break frame;
            }
            // The tail of a transfer we gave up on.
            tracing::debug!(id = ?frame.id, "stale packet skipped");
        };
        let Some((&code, data)) = frame.payload.split_first() else {
            return Err(ZfmError::Unexpected {
                during,
                what: "empty ack".into(),
            });
        };
        match Confirmation::from_code(code) {
            None => Ok(data.to_vec()),
            Some(code) => Err(ZfmError::Refused { instruction, code }),
        }
    }
}
