//! `ZfmScanner`: the hal fingerprint scanner over the module's packet protocol.

use crate::codes::{Confirmation, Instruction};
use crate::error::ZfmError;
use crate::frame::{PacketId, DEFAULT_ADDRESS};
use crate::image::{estimate_quality, unpack_4bit};
use crate::link::Link;
use crate::state::ZfmState;
use crate::sysparam::SysParams;
use ktpel_hal::{
    Check, Device, DeviceError, DeviceInfo, DeviceKind, DeviceResult, ErrorKind, FingerCapture,
    FingerPosition, FingerprintScanner, GrayImage, SelfTestReport,
};
use std::time::{Duration, Instant};

/// How to reach the module and what to expect of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZfmConfig {
    /// The serial device (`/dev/ttyUSB0`, `/dev/serial/by-id/...`).
    pub path: String,
    /// 57600 by default (the module's factory setting; N × 9600 for N = 1..12).
    pub baud: u32,
    /// The module's address, `FF FF FF FF` unless it was changed.
    pub address: u32,
    /// The handshake password, 0 unless it was changed.
    pub password: u32,
    /// How long one ack or one data packet may take.
    pub reply_timeout: Duration,
    /// Pause between two `GenImg` polls while waiting for a finger.
    pub poll_interval: Duration,
    /// The sensor image size and resolution (256 × 288 at 500 ppi on R30x / ZFM / AS608).
    pub width: u32,
    pub height: u32,
    pub resolution_ppi: u16,
}

impl ZfmConfig {
    /// The factory settings on `path`.
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            baud: 57_600,
            address: DEFAULT_ADDRESS,
            password: 0,
            reply_timeout: Duration::from_secs(1),
            poll_interval: Duration::from_millis(50),
            width: 256,
            height: 288,
            resolution_ppi: 500,
        }
    }
}

/// What one image upload gave.
struct Upload {
    image: GrayImage,
    packets: usize,
    took: Duration,
}

/// An R30x / ZFM / AS608 module on a serial port.
pub struct ZfmScanner {
    config: ZfmConfig,
    link: Option<Link>,
    state: ZfmState,
    params: Option<SysParams>,
}

impl std::fmt::Debug for ZfmScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZfmScanner")
            .field("path", &self.config.path)
            .field("state", &self.state.name())
            .finish()
    }
}

impl ZfmScanner {
    /// A driver for the module at `config.path`. Nothing is opened until the first call.
    pub fn new(config: ZfmConfig) -> Self {
        Self {
            config,
            link: None,
            state: ZfmState::Closed,
            params: None,
        }
    }

    /// Opens the port and does the handshake now (the hal calls do it on demand).
    pub fn connect(&mut self) -> Result<SysParams, ZfmError> {
        let _span = tracing::debug_span!("zfm", op = "connect", path = %self.config.path).entered();
        let result = self.ensure_ready();
        self.settle(result)
    }

    pub fn config(&self) -> &ZfmConfig {
        &self.config
    }

    /// Where the conversation is.
    pub fn state(&self) -> &ZfmState {
        &self.state
    }

    /// The parameters read at the last handshake.
    pub fn params(&self) -> Option<SysParams> {
        self.params
    }

    fn link(&mut self) -> Result<&mut Link, ZfmError> {
        if self.link.is_none() {
            let link = Link::open(&self.config.path, self.config.baud, self.config.address)?;
            tracing::debug!("port opened");
            self.link = Some(link);
            self.state = ZfmState::Connected;
        }
        self.link.as_mut().ok_or(ZfmError::Unexpected {
            during: "open",
            what: "no port".into(),
        })
    }

    /// Brings the conversation to `Ready`: open, `VfyPwd`, `ReadSysPara`.
    fn ensure_ready(&mut self) -> Result<SysParams, ZfmError> {
        if let ZfmState::Ready(p) = self.state {
            return Ok(p);
        }
        let timeout = self.config.reply_timeout;
        let password = self.config.password.to_be_bytes();
        let (path, baud, address) = (
            self.config.path.clone(),
            self.config.baud,
            self.config.address,
        );
        // A module that answered these settings before and has gone quiet is a module that
        // stopped answering, not one configured wrongly.
        let answered_before = self.params.is_some();
        let link = self.link()?;
        match link.command(Instruction::VfyPwd, &password, timeout) {
            Ok(_) => {}
            // The port is open and nothing came back: not the port, the module's settings.
            Err(ZfmError::NoAnswer { after, .. }) if !answered_before => {
                return Err(ZfmError::Silent {
                    path,
                    baud,
                    address,
                    after,
                })
            }
            Err(ZfmError::Refused {
                code: Confirmation::WrongPassword,
                ..
            }) => return Err(ZfmError::WrongPassword),
            Err(e) => return Err(e),
        }
        let data = link.command(Instruction::ReadSysPara, &[], timeout)?;
        let params = SysParams::parse(&data).ok_or_else(|| ZfmError::Unexpected {
            during: "ReadSysPara",
            what: format!("{}-byte parameter block", data.len()),
        })?;
        tracing::debug!(
            library = params.library_size,
            packet_size = params.packet_size,
            "handshake done"
        );
        self.params = Some(params);
        self.state = ZfmState::Ready(params);
        Ok(params)
    }

    /// After a call: a broken port is closed (the next call reopens it); any other failure
    /// leaves the port open but asks for a new handshake.
    fn settle<T>(&mut self, result: Result<T, ZfmError>) -> Result<T, ZfmError> {
        match &result {
            Ok(_) => {
                if let Some(p) = self.params {
                    if !matches!(self.state, ZfmState::Ready(_)) {
                        self.state = ZfmState::Ready(p);
                    }
                }
            }
            Err(e) if e.kind() == ErrorKind::Disconnected => {
                tracing::debug!(error = %e, "port closed");
                self.link = None;
                self.state = ZfmState::Closed;
            }
            Err(ZfmError::Refused {
                code: Confirmation::NoFinger,
                ..
            })
            | Err(ZfmError::NoFinger(_)) => {
                if let Some(p) = self.params {
                    self.state = ZfmState::Ready(p);
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "handshake again on the next call");
                let quiet = self.config.reply_timeout.min(Duration::from_millis(50));
                if let Some(link) = self.link.as_mut() {
                    link.drain_until_quiet(quiet, self.config.reply_timeout * 4);
                }
                self.state = if self.link.is_some() {
                    ZfmState::Connected
                } else {
                    ZfmState::Closed
                };
            }
        }
        result
    }

    /// One `GenImg`: `true` when a finger was imaged, `false` for "no finger".
    fn gen_img(&mut self) -> Result<bool, ZfmError> {
        let timeout = self.config.reply_timeout;
        match self.link()?.command(Instruction::GenImg, &[], timeout) {
            Ok(_) => Ok(true),
            Err(ZfmError::Refused {
                code: Confirmation::NoFinger,
                ..
            }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Polls `GenImg` until a finger is imaged or `timeout` passes.
    fn wait_finger(&mut self, timeout: Duration) -> Result<(), ZfmError> {
        let deadline = Instant::now() + timeout;
        let mut polls = 0;
        loop {
            self.state = ZfmState::AwaitingFinger { polls };
            polls += 1;
            if self.gen_img()? {
                tracing::debug!(polls, "finger imaged");
                self.state = ZfmState::ImageTaken;
                return Ok(());
            }
            let now = Instant::now();
            if now + self.config.poll_interval >= deadline {
                return Err(ZfmError::NoFinger(timeout));
            }
            std::thread::sleep(self.config.poll_interval);
        }
    }

    /// `UpImage`: the ack, then data packets until the end packet, reassembled.
    fn upload(&mut self) -> Result<Upload, ZfmError> {
        let started = Instant::now();
        let (width, height, timeout) = (
            self.config.width,
            self.config.height,
            self.config.reply_timeout,
        );
        let expected = width as usize * height as usize / 2;
        let link = self.link()?;
        link.command(Instruction::UpImage, &[], timeout)?;
        let mut packed = Vec::with_capacity(expected);
        let mut packets = 0;
        loop {
            self.state = ZfmState::Uploading {
                packets,
                bytes: packed.len(),
            };
            let link = self.link()?;
            let frame = link.read_frame(timeout, "UpImage data")?;
            packets += 1;
            match frame.id {
                PacketId::Data | PacketId::EndData => packed.extend_from_slice(&frame.payload),
                other => {
                    return Err(ZfmError::Unexpected {
                        during: "UpImage data",
                        what: format!("{other:?} packet"),
                    })
                }
            }
            if packed.len() > expected {
                return Err(ZfmError::ImageSize {
                    got: packed.len(),
                    expected,
                });
            }
            if frame.id == PacketId::EndData {
                break;
            }
        }
        let image = unpack_4bit(&packed, width, height).ok_or(ZfmError::ImageSize {
            got: packed.len(),
            expected,
        })?;
        let took = started.elapsed();
        tracing::debug!(packets, ms = took.as_millis() as u64, "image uploaded");
        Ok(Upload {
            image,
            packets,
            took,
        })
    }

    fn capture(&mut self, timeout: Duration) -> Result<Upload, ZfmError> {
        self.ensure_ready()?;
        self.wait_finger(timeout)?;
        self.upload()
    }

    fn device_info(&self) -> DeviceInfo {
        let (serial, firmware) = match self.params {
            Some(p) => (
                format!("addr {:08X} sysid {:04X}", p.address, p.system_id),
                p.summary(),
            ),
            None => (
                format!("addr {:08X}", self.config.address),
                "unknown (module not reached yet)".into(),
            ),
        };
        DeviceInfo {
            kind: DeviceKind::FingerprintScanner,
            driver: "zfm".into(),
            model: format!(
                "R30x/ZFM/AS608 optical {}x{} on {}",
                self.config.width, self.config.height, self.config.path
            ),
            serial,
            firmware,
        }
    }
}

impl Device for ZfmScanner {
    fn info(&self) -> DeviceInfo {
        self.device_info()
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span =
            tracing::debug_span!("zfm", op = "self_test", path = %self.config.path).entered();
        let mut checks = Vec::new();
        // Identity: the port opens and the module takes our password.
        self.state = match self.link {
            Some(_) => ZfmState::Connected,
            None => ZfmState::Closed,
        };
        let opened = self.link().map(|_| ());
        let opened = self.settle(opened);
        if let Err(e) = opened {
            return Err(e.into());
        }
        checks.push(Check::new(
            "port",
            true,
            format!("{} at {} baud", self.config.path, self.config.baud),
        ));
        let handshake = self.ensure_ready();
        match self.settle(handshake) {
            Ok(p) => {
                checks.push(Check::new("handshake", true, "password accepted"));
                let address_ok = p.address == self.config.address;
                let baud_ok = p.baud == self.config.baud;
                checks.push(Check::new(
                    "parameters",
                    address_ok && baud_ok && (1..=5).contains(&p.security_level),
                    p.summary(),
                ));
            }
            Err(e) if e.kind() == ErrorKind::Disconnected => return Err(e.into()),
            Err(e) => {
                checks.push(Check::failed("handshake", e.kind(), e.to_string()));
                return Ok(SelfTestReport {
                    device: self.info(),
                    checks,
                });
            }
        }
        // A live read: expose once and upload what the sensor sees (finger or bare glass).
        let live = self.gen_img().and_then(|finger| {
            let upload = self.upload()?;
            Ok((finger, upload))
        });
        match self.settle(live) {
            Ok((finger, upload)) => {
                let mean = upload
                    .image
                    .pixels
                    .iter()
                    .map(|&p| u64::from(p))
                    .sum::<u64>()
                    / upload.image.pixels.len().max(1) as u64;
                checks.push(Check::new(
                    "sensor",
                    true,
                    if finger {
                        "exposed: finger on the glass"
                    } else {
                        "exposed: glass empty"
                    },
                ));
                checks.push(Check::new(
                    "image upload",
                    true,
                    format!(
                        "{}x{} in {} packets, {} ms, mean level {}",
                        upload.image.width,
                        upload.image.height,
                        upload.packets,
                        upload.took.as_millis(),
                        mean
                    ),
                ));
            }
            Err(e) if e.kind() == ErrorKind::Disconnected => return Err(e.into()),
            Err(e) => checks.push(Check::failed("live read", e.kind(), e.to_string())),
        }
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl FingerprintScanner for ZfmScanner {
    fn capture_finger(
        &mut self,
        position: FingerPosition,
        timeout: Duration,
    ) -> DeviceResult<FingerCapture> {
        let _span = tracing::debug_span!(
            "zfm",
            op = "capture_finger",
            finger = position.as_str(),
            path = %self.config.path
        )
        .entered();
        let result = self.capture(timeout);
        let upload = self.settle(result).map_err(DeviceError::from)?;
        let quality = estimate_quality(&upload.image);
        tracing::debug!(quality = quality.0, "finger captured");
        Ok(FingerCapture {
            position,
            image: upload.image,
            resolution_ppi: self.config.resolution_ppi,
            quality,
        })
    }
}
