//! `EscposPrinter`: the hal receipt printer. Status before the job (a printer that is not
//! ready gets nothing, so the receipt stays in the booth's queue), the job, status after it.

use crate::encode::{encode_receipt, EncodeOptions};
use crate::error::EscposError;
use crate::status::{is_status_byte, RawStatus, StatusKind};
use crate::transport::{Transport, TransportConfig};
use ktpel_hal::{
    Check, Device, DeviceError, DeviceInfo, DeviceKind, DeviceResult, ErrorKind, PrinterStatus,
    ReceiptDoc, ReceiptPrinter, SelfTestReport,
};
use std::time::{Duration, Instant};

/// How to reach the printer and how to drive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscposConfig {
    pub transport: TransportConfig,
    pub encode: EncodeOptions,
    /// How long one status answer may take.
    pub status_timeout: Duration,
    /// Whether the printer answers `DLE EOT` on this transport (some USB device files do not:
    /// then the job is sent unchecked).
    pub query_status: bool,
    /// How long a job waits for a printer that is not ready (0: give up at once and leave the
    /// receipt in the queue).
    pub wait_ready: Duration,
    /// How long a write may block (a printer that takes no data).
    pub write_timeout: Duration,
}

impl EscposConfig {
    pub fn new(transport: TransportConfig) -> Self {
        Self {
            transport,
            encode: EncodeOptions::default(),
            status_timeout: Duration::from_millis(500),
            query_status: true,
            wait_ready: Duration::ZERO,
            write_timeout: Duration::from_secs(10),
        }
    }
}

/// Where the conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscposState {
    Closed,
    Connected,
    /// A job is being sent.
    Printing,
}

pub struct EscposPrinter {
    config: EscposConfig,
    transport: Option<Box<dyn Transport>>,
    state: EscposState,
    last_status: Option<RawStatus>,
}

impl std::fmt::Debug for EscposPrinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EscposPrinter")
            .field("transport", &self.config.transport.describe())
            .field("state", &self.state)
            .finish()
    }
}

impl EscposPrinter {
    /// A driver for the printer `config` names. Nothing is opened until the first call.
    pub fn new(config: EscposConfig) -> Self {
        Self {
            config,
            transport: None,
            state: EscposState::Closed,
            last_status: None,
        }
    }

    /// A driver over a transport opened elsewhere.
    pub fn with_transport(config: EscposConfig, transport: Box<dyn Transport>) -> Self {
        Self {
            config,
            transport: Some(transport),
            state: EscposState::Connected,
            last_status: None,
        }
    }

    pub fn state(&self) -> EscposState {
        self.state
    }

    /// The status bytes read last.
    pub fn last_status(&self) -> Option<RawStatus> {
        self.last_status
    }

    fn transport(&mut self) -> Result<&mut Box<dyn Transport>, EscposError> {
        if self.transport.is_none() {
            let t = self
                .config
                .transport
                .open(self.config.write_timeout)
                .map_err(|source| EscposError::Open {
                    target: self.config.transport.describe(),
                    source,
                })?;
            self.transport = Some(t);
            self.state = EscposState::Connected;
        }
        self.transport.as_mut().ok_or_else(|| EscposError::Io {
            during: "open",
            source: std::io::Error::other("no transport"),
        })
    }

    fn query(&mut self, kind: StatusKind, timeout: Duration) -> Result<u8, EscposError> {
        let t = self.transport()?;
        t.write_all(&kind.request())
            .map_err(|source| EscposError::Io {
                during: "status",
                source,
            })?;
        let deadline = Instant::now() + timeout;
        let mut invalid = 0;
        let mut buf = [0u8; 1];
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(if invalid > 0 {
                    EscposError::BadStatus(invalid)
                } else {
                    EscposError::NoStatus(timeout)
                });
            }
            let n = t
                .read_some(&mut buf, deadline - now)
                .map_err(|source| EscposError::Io {
                    during: "status",
                    source,
                })?;
            if n == 1 {
                if is_status_byte(buf[0]) {
                    return Ok(buf[0]);
                }
                invalid += 1;
            }
        }
    }

    fn read_status(&mut self) -> Result<RawStatus, EscposError> {
        self.read_status_behind(Duration::ZERO)
    }

    /// The three status bytes; the first answer may take `behind` longer than the status
    /// timeout (what a job written just before may still need on the line).
    fn read_status_behind(&mut self, behind: Duration) -> Result<RawStatus, EscposError> {
        let base = self.config.status_timeout;
        let t = self.transport()?;
        t.discard_input();
        let request = StatusKind::Printer.request().len();
        let next = base + t.wire_time(request) * 2;
        let first = next + behind;
        let raw = RawStatus {
            printer: self.query(StatusKind::Printer, first)?,
            offline_cause: self.query(StatusKind::OfflineCause, next)?,
            paper: self.query(StatusKind::PaperSensor, next)?,
        };
        tracing::debug!(status = %raw.describe(), "printer status");
        self.last_status = Some(raw);
        Ok(raw)
    }

    fn settle<T>(&mut self, r: Result<T, EscposError>) -> Result<T, EscposError> {
        match &r {
            Err(e) if e.kind() == ErrorKind::Disconnected => {
                tracing::debug!(error = %e, "connection closed");
                self.transport = None;
                self.state = EscposState::Closed;
            }
            _ if self.transport.is_some() => self.state = EscposState::Connected,
            _ => {}
        }
        r
    }

    fn print_job(&mut self, doc: &ReceiptDoc) -> Result<(), EscposError> {
        let job = encode_receipt(doc, &self.config.encode)?;
        if self.config.query_status {
            let give_up = Instant::now() + self.config.wait_ready;
            loop {
                let raw = self.read_status()?;
                let Some(todo) = raw.what_to_do() else { break };
                if Instant::now() >= give_up {
                    return Err(EscposError::NotReady(todo));
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        }
        self.state = EscposState::Printing;
        let sent = Instant::now();
        let t = self.transport()?;
        t.write_all(&job).map_err(|source| EscposError::Io {
            during: "print",
            source,
        })?;
        // The job is in the kernel's buffer, not yet at the printer: wait until it has left.
        t.drain().map_err(|source| EscposError::Io {
            during: "print",
            source,
        })?;
        // What the job may still need on the line: twice its time at this speed, less what
        // the drain already waited (a pty, or an adapter that reports drained early, waits
        // nothing; a real line waits most of it).
        let behind = (t.wire_time(job.len()) * 2).saturating_sub(sent.elapsed());
        tracing::debug!(
            bytes = job.len(),
            behind_ms = behind.as_millis() as u64,
            "job sent"
        );
        if self.config.query_status {
            // The printer answers after it has taken the job: this also confirms delivery.
            // The request queues behind whatever of the job is still on its way.
            let raw = self.read_status_behind(behind)?;
            if let Some(todo) = raw.what_to_do() {
                return Err(EscposError::StoppedDuringJob(todo));
            }
        }
        Ok(())
    }
}

impl Device for EscposPrinter {
    fn info(&self) -> DeviceInfo {
        DeviceInfo {
            kind: DeviceKind::ReceiptPrinter,
            driver: "escpos".into(),
            model: format!(
                "ESC/POS receipt printer ({})",
                self.config.transport.describe()
            ),
            serial: "unknown".into(),
            firmware: "unknown".into(),
        }
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span = tracing::debug_span!("escpos", op = "self_test").entered();
        let opened = self.transport().map(|_| ());
        self.settle(opened).map_err(DeviceError::from)?;
        let mut checks = vec![Check::new(
            "connection",
            true,
            self.config.transport.describe(),
        )];
        if !self.config.query_status {
            checks.push(Check::new(
                "status",
                true,
                "not queried on this transport (configured)",
            ));
            return Ok(SelfTestReport {
                device: self.info(),
                checks,
            });
        }
        let r = self.read_status();
        match self.settle(r) {
            Ok(raw) => {
                let s = raw.status();
                checks.push(Check::new("status", true, raw.describe()));
                checks.push(Check::new(
                    "online",
                    s.online,
                    if s.online { "online" } else { "offline" },
                ));
                checks.push(Check::new(
                    "paper",
                    !s.paper_out,
                    if s.paper_out {
                        "out"
                    } else if raw.paper_near_end() {
                        "near end"
                    } else {
                        "loaded"
                    },
                ));
                checks.push(Check::new(
                    "cover",
                    !s.cover_open,
                    if s.cover_open { "open" } else { "closed" },
                ));
            }
            Err(e) if e.kind() == ErrorKind::Disconnected => return Err(e.into()),
            Err(e) => checks.push(Check::failed("status", e.kind(), e.to_string())),
        }
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl ReceiptPrinter for EscposPrinter {
    fn status(&mut self) -> DeviceResult<PrinterStatus> {
        let _span = tracing::debug_span!("escpos", op = "status").entered();
        let r = self.read_status();
        Ok(self.settle(r).map_err(DeviceError::from)?.status())
    }

    fn print(&mut self, doc: &ReceiptDoc) -> DeviceResult<()> {
        let _span = tracing::debug_span!("escpos", op = "print", lines = doc.lines.len()).entered();
        let r = self.print_job(doc);
        self.settle(r).map_err(DeviceError::from)
    }
}
