//! `Isdv4Pad`: the hal signature pad over the ISDv4 serial protocol.

use crate::error::Isdv4Error;
use crate::packet::{Capabilities, Packet, PacketDecoder};
use crate::state::Isdv4State;
use crate::stroke::StrokeBuilder;
use ktpel_hal::{
    Check, Device, DeviceError, DeviceInfo, DeviceKind, DeviceResult, ErrorKind, SelfTestReport,
    SignatureCapture, SignaturePad,
};
use serialport::{ClearBuffer, SerialPort};
use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::time::{Duration, Instant};

/// The single-byte commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Stop,
    Start,
    Query,
}

impl Command {
    pub fn byte(self) -> u8 {
        match self {
            Command::Stop => b'0',
            Command::Start => b'1',
            Command::Query => b'*',
        }
    }
}

const READ_SLICE: Duration = Duration::from_millis(50);

/// The two speeds ISDv4 pads run at. A pad that does not answer the query at the configured
/// one is asked at the other (as xf86-input-wacom's ISDv4 code retries 38400 → 19200).
pub const STANDARD_SPEEDS: [u32; 2] = [38_400, 19_200];

/// The other standard speed, for a pad configured at one of them.
pub fn other_speed(baud: u32) -> Option<u32> {
    match baud {
        38_400 => Some(19_200),
        19_200 => Some(38_400),
        _ => None,
    }
}

/// How to reach the pad and when a signature is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isdv4Config {
    pub path: String,
    /// 38400 or 19200, depending on the model.
    pub baud: u32,
    /// How long the query answer may take.
    pub query_timeout: Duration,
    /// A signature is done when the pen has been away this long after at least one stroke.
    pub done_after: Duration,
    /// The rendered signature's size.
    pub image_width: u32,
    pub image_height: u32,
}

impl Isdv4Config {
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            baud: 38_400,
            query_timeout: Duration::from_secs(1),
            done_after: Duration::from_millis(1500),
            image_width: 600,
            image_height: 200,
        }
    }
}

/// Counters of what the line looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineStats {
    pub packets: u64,
    pub stray_bytes: usize,
    pub cut_packets: usize,
}

/// A Wacom ISDv4 pen digitizer on a serial port.
pub struct Isdv4Pad {
    config: Isdv4Config,
    port: Option<Box<dyn SerialPort>>,
    state: Isdv4State,
    decoder: PacketDecoder,
    strokes: StrokeBuilder,
    began: Option<Instant>,
    packets: u64,
    /// The speed the port is set to now (the configured one, or the other standard speed the
    /// pad answered at).
    speed: u32,
}

impl std::fmt::Debug for Isdv4Pad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Isdv4Pad")
            .field("path", &self.config.path)
            .field("state", &self.state)
            .finish()
    }
}

impl Isdv4Pad {
    /// A driver for the pad at `config.path`. Nothing is opened until the first call.
    pub fn new(config: Isdv4Config) -> Self {
        Self {
            speed: config.baud,
            config,
            port: None,
            state: Isdv4State::Closed,
            decoder: PacketDecoder::new(),
            strokes: StrokeBuilder::new(),
            began: None,
            packets: 0,
        }
    }

    /// The speed the pad answered at (the configured one unless it only answered the other
    /// standard speed); `None` before it answered.
    pub fn answered_at(&self) -> Option<u32> {
        self.state.capabilities().map(|_| self.speed)
    }

    pub fn state(&self) -> Isdv4State {
        self.state
    }

    pub fn line_stats(&self) -> LineStats {
        LineStats {
            packets: self.packets,
            stray_bytes: self.decoder.skipped(),
            cut_packets: self.decoder.resyncs(),
        }
    }

    /// Opens the port, stops the pad and asks its range (done on demand by the hal calls).
    pub fn connect(&mut self) -> Result<Capabilities, Isdv4Error> {
        let _span =
            tracing::debug_span!("isdv4", op = "connect", path = %self.config.path).entered();
        let r = self.ensure_idle();
        self.settle(r)
    }

    fn port(&mut self) -> Result<&mut Box<dyn SerialPort>, Isdv4Error> {
        if self.port.is_none() {
            let port = serialport::new(&self.config.path, self.speed)
                .timeout(READ_SLICE)
                .open()
                .map_err(|source| Isdv4Error::Open {
                    path: self.config.path.clone(),
                    source,
                })?;
            self.port = Some(port);
            self.state = Isdv4State::Stopped;
            self.decoder.reset();
        }
        self.port.as_mut().ok_or_else(|| Isdv4Error::Io {
            during: "open",
            source: std::io::Error::other("no port"),
        })
    }

    fn send(&mut self, command: Command) -> Result<(), Isdv4Error> {
        let during = match command {
            Command::Stop => "stop",
            Command::Start => "start",
            Command::Query => "query",
        };
        self.port()?
            .write_all(&[command.byte()])
            .map_err(|source| Isdv4Error::Io { during, source })
    }

    /// Reads what arrives within `wait` (at most one read slice) into the decoder.
    fn read_packets(
        &mut self,
        wait: Duration,
        during: &'static str,
    ) -> Result<Vec<Packet>, Isdv4Error> {
        let mut buf = [0u8; 256];
        let port = self.port()?;
        let _ = port.set_timeout(wait.clamp(Duration::from_millis(1), READ_SLICE));
        match port.read(&mut buf) {
            Ok(n) => Ok(self.decoder.push_all(&buf[..n])),
            Err(e) if matches!(e.kind(), IoErrorKind::TimedOut | IoErrorKind::Interrupted) => {
                Ok(Vec::new())
            }
            Err(source) => Err(Isdv4Error::Io { during, source }),
        }
    }

    /// Stop, drop what was in flight, query the range; a pad silent at the configured speed
    /// is asked again at the other standard speed, and the port stays at the one that
    /// answered.
    fn ensure_idle(&mut self) -> Result<Capabilities, Isdv4Error> {
        if let Isdv4State::Idle(c) = self.state {
            return Ok(c);
        }
        match self.query_range() {
            Err(Isdv4Error::NoAnswer(after)) => {
                let first = self.speed;
                let Some(other) = other_speed(first) else {
                    return Err(Isdv4Error::NoAnswer(after));
                };
                tracing::debug!(
                    baud = first,
                    retry = other,
                    "no answer; asking at the other speed"
                );
                self.set_speed(other)?;
                match self.query_range() {
                    Ok(caps) => {
                        tracing::info!(
                            configured = self.config.baud,
                            answered = other,
                            "signature pad answers at the other standard speed"
                        );
                        Ok(caps)
                    }
                    Err(Isdv4Error::NoAnswer(_)) => {
                        self.set_speed(self.config.baud)?;
                        Err(Isdv4Error::Silent {
                            tried: [first, other],
                            after,
                        })
                    }
                    Err(e) => Err(e),
                }
            }
            other => other,
        }
    }

    fn set_speed(&mut self, baud: u32) -> Result<(), Isdv4Error> {
        self.speed = baud;
        if let Some(port) = self.port.as_mut() {
            port.set_baud_rate(baud).map_err(|source| Isdv4Error::Io {
                during: "speed change",
                source: source.into(),
            })?;
        }
        Ok(())
    }

    fn query_range(&mut self) -> Result<Capabilities, Isdv4Error> {
        self.send(Command::Stop)?;
        // Let reports already on the way arrive, then drop them.
        let quiet_until = Instant::now() + Duration::from_millis(30);
        while Instant::now() < quiet_until {
            self.read_packets(quiet_until - Instant::now(), "stop")?;
        }
        if let Some(port) = self.port.as_mut() {
            let _ = port.clear(ClearBuffer::Input);
        }
        self.decoder.reset();
        self.send(Command::Query)?;
        let deadline = Instant::now() + self.config.query_timeout;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(match self.decoder.pending() {
                    0 => Isdv4Error::NoAnswer(self.config.query_timeout),
                    got => Isdv4Error::ShortAnswer { got },
                });
            }
            for packet in self.read_packets(deadline - now, "query")? {
                if let Packet::Control(caps) = packet {
                    if caps.max_x == 0 || caps.max_y == 0 || caps.max_pressure == 0 {
                        return Err(Isdv4Error::BadRange {
                            max_x: caps.max_x,
                            max_y: caps.max_y,
                            max_pressure: caps.max_pressure,
                        });
                    }
                    tracing::debug!(
                        max_x = caps.max_x,
                        max_y = caps.max_y,
                        max_pressure = caps.max_pressure,
                        "pad range"
                    );
                    self.state = Isdv4State::Idle(caps);
                    return Ok(caps);
                }
            }
        }
    }

    fn ensure_streaming(&mut self) -> Result<Capabilities, Isdv4Error> {
        if let Isdv4State::Streaming(c) = self.state {
            return Ok(c);
        }
        let caps = self.ensure_idle()?;
        self.send(Command::Start)?;
        self.state = Isdv4State::Streaming(caps);
        Ok(caps)
    }

    fn settle<T>(&mut self, r: Result<T, Isdv4Error>) -> Result<T, Isdv4Error> {
        if let Err(e) = &r {
            if e.kind() == ErrorKind::Disconnected {
                tracing::debug!(error = %e, "port closed");
                self.port = None;
                self.state = Isdv4State::Closed;
                self.strokes = StrokeBuilder::new();
                self.began = None;
            } else if self.port.is_some() {
                self.state = Isdv4State::Stopped;
            }
        }
        r
    }

    fn collect(&mut self, timeout: Duration) -> Result<SignatureCapture, Isdv4Error> {
        if self.strokes.is_empty() {
            // A fresh signature: restart the reports so nothing stale is taken for it.
            if matches!(self.state, Isdv4State::Streaming(_)) {
                let caps = self.state.capabilities();
                self.state = caps.map_or(Isdv4State::Stopped, Isdv4State::Idle);
                self.send(Command::Stop)?;
            }
            self.began = None;
        }
        let caps = self.ensure_streaming()?;
        let deadline = Instant::now() + timeout;
        // When the pen was last reported (real pads go quiet out of proximity).
        let mut last_seen: Option<Instant> = (!self.strokes.is_empty()).then(Instant::now);
        loop {
            let now = Instant::now();
            let quiet = last_seen.is_some_and(|t| now.duration_since(t) >= self.config.done_after);
            if self.strokes.strokes() > 0 && !self.strokes.pen_down() && quiet {
                break;
            }
            if now >= deadline {
                if self.strokes.strokes() > 0 || self.strokes.pen_down() {
                    break;
                }
                return Err(Isdv4Error::NoSignature(timeout));
            }
            for packet in self.read_packets(deadline - now, "capture")? {
                let Packet::Pen(pen) = packet else { continue };
                self.packets += 1;
                let at = Instant::now();
                last_seen = Some(at);
                if pen.tip && self.began.is_none() {
                    self.began = Some(at);
                }
                let t_ms = self.began.map_or(0, |b| {
                    at.duration_since(b).as_millis().min(u128::from(u32::MAX)) as u32
                });
                self.strokes.feed(&pen, t_ms);
            }
        }
        let strokes = self.strokes.take();
        self.began = None;
        let image = ktpel_hal::render_signature(
            &strokes,
            u32::from(caps.max_x),
            u32::from(caps.max_y),
            caps.max_pressure,
            self.config.image_width,
            self.config.image_height,
        )
        .map_err(Isdv4Error::Render)?;
        Ok(SignatureCapture {
            strokes,
            max_x: u32::from(caps.max_x),
            max_y: u32::from(caps.max_y),
            max_pressure: caps.max_pressure,
            image,
        })
    }
}

impl Device for Isdv4Pad {
    fn info(&self) -> DeviceInfo {
        let (model, firmware) = match self.state.capabilities() {
            Some(c) => (
                format!(
                    "Wacom ISDv4 pen {}x{} on {}",
                    c.max_x, c.max_y, self.config.path
                ),
                format!("{}.{}", c.firmware.0, c.firmware.1),
            ),
            None => (
                format!("Wacom ISDv4 pen on {}", self.config.path),
                "unknown (pad not reached yet)".into(),
            ),
        };
        DeviceInfo {
            kind: DeviceKind::SignaturePad,
            driver: "isdv4".into(),
            model,
            serial: self.config.path.clone(),
            firmware,
        }
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span =
            tracing::debug_span!("isdv4", op = "self_test", path = %self.config.path).entered();
        let mut checks = Vec::new();
        // Ask again even when known: the test is that the pad answers now.
        if self.port.is_some() {
            self.state = Isdv4State::Stopped;
        }
        let r = self.ensure_idle();
        match self.settle(r) {
            Ok(c) => {
                checks.push(Check::new(
                    "port",
                    true,
                    if self.speed == self.config.baud {
                        format!("{} at {} baud", self.config.path, self.speed)
                    } else {
                        format!(
                            "{} answers at {} baud, not the configured {}: set baud = {} in \
                             the config",
                            self.config.path, self.speed, self.config.baud, self.speed
                        )
                    },
                ));
                checks.push(Check::new(
                    "query",
                    true,
                    format!(
                        "range {}x{} ({:.0}x{:.0} mm), pressure 0..{}, firmware {}.{}",
                        c.max_x,
                        c.max_y,
                        f32::from(c.max_x) / 100.0,
                        f32::from(c.max_y) / 100.0,
                        c.max_pressure,
                        c.firmware.0,
                        c.firmware.1
                    ),
                ));
            }
            Err(e) if e.kind() == ErrorKind::Disconnected => return Err(e.into()),
            Err(e) => {
                checks.push(Check::failed("query", e.kind(), e.to_string()));
                return Ok(SelfTestReport {
                    device: self.info(),
                    checks,
                });
            }
        }
        // A live read: start reporting briefly and see what the line carries.
        let live = (|| {
            self.send(Command::Start)?;
            let until = Instant::now() + Duration::from_millis(200);
            let mut seen = 0usize;
            while Instant::now() < until {
                seen += self
                    .read_packets(until - Instant::now(), "self test")?
                    .len();
            }
            self.send(Command::Stop)?;
            Ok::<usize, Isdv4Error>(seen)
        })();
        let stray = self.decoder.skipped();
        match self.settle(live) {
            Ok(seen) => checks.push(Check::new(
                "live read",
                true,
                format!("reporting started and stopped; {seen} pen reports, {stray} stray bytes"),
            )),
            Err(e) if e.kind() == ErrorKind::Disconnected => return Err(e.into()),
            Err(e) => checks.push(Check::failed("live read", e.kind(), e.to_string())),
        }
        self.strokes = StrokeBuilder::new();
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl SignaturePad for Isdv4Pad {
    fn clear(&mut self) -> DeviceResult<()> {
        let _span = tracing::debug_span!("isdv4", op = "clear", path = %self.config.path).entered();
        self.strokes = StrokeBuilder::new();
        self.began = None;
        let r = (|| {
            if matches!(self.state, Isdv4State::Streaming(_)) {
                self.send(Command::Stop)?;
                self.state = self
                    .state
                    .capabilities()
                    .map_or(Isdv4State::Stopped, Isdv4State::Idle);
            }
            Ok(())
        })();
        self.settle(r).map_err(DeviceError::from)
    }

    fn capture_signature(&mut self, timeout: Duration) -> DeviceResult<SignatureCapture> {
        let _span =
            tracing::debug_span!("isdv4", op = "capture_signature", path = %self.config.path)
                .entered();
        let r = self.collect(timeout);
        let capture = self.settle(r).map_err(DeviceError::from)?;
        tracing::debug!(strokes = capture.strokes.len(), "signature captured");
        Ok(capture)
    }
}
