//! An SBI 0.9.5 device service simulator on loopback: one device per process/handle and per
//! port (a slap scanner, a double iris scanner or a face camera), answering `MOSIPDISC`,
//! `MOSIPDINFO`, `RCAPTURE`, `CAPTURE` and `STREAM` over HTTP/1.1 on 127.0.0.1.
//!
//! - **Identity.** An RSA 2048 key and a self-signed certificate are generated at start
//!   ([`DeviceIdentity`]); device info, digital id and every biometric's `data` are RS256
//!   compact JWS with that certificate in `x5c`. It behaves as an L0 registration device:
//!   `CAPTURE` (authentication, which needs an FTM and an encrypted `bioValue`) is answered
//!   with error [`SIM_CODE_AUTH_UNSUPPORTED`].
//! - **Images.** Fingers, irises and faces come from `ktpel-sim`'s generators through its
//!   simulated scanners (same person → same fingers, acquisition noise per capture, quality
//!   scores), wrapped in ISO/IEC 19794-4/-6/-5 records ([`crate::iso`]) with PNG (finger,
//!   iris) or JPEG (face) inside. The preview is an M-JPEG stream at about 10 fps.
//! - **Faults** ([`SimFault`]), persistent ([`SimHandle::set_faults`], the CLI's `--fault`)
//!   or for the next capture only ([`SimHandle::push_next`]): busy, not ready, not
//!   registered, bad signature, a certificate other than the device's, broken hash chain,
//!   low quality, slow answers. A capture in progress also makes the device busy, as the
//!   spec requires ("the capture call will respond with success to only one call at a time").
//!
//! Use [`SimHandle::start`] in tests and [`run`] from the command line.

mod device;
mod identity;
mod preview;
mod server;

pub use identity::DeviceIdentity;

use crate::wire::BioType;
use device::Shared;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::ops::RangeInclusive;
use std::str::FromStr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::watch;

/// The vendor code the simulator answers `CAPTURE` (authentication) with.
pub const SIM_CODE_AUTH_UNSUPPORTED: u16 = 501;
/// The vendor code for a request the simulator cannot read.
pub const SIM_CODE_BAD_REQUEST: u16 = 500;
/// The vendor code for a discovery `type` that is not one of the spec's.
pub const SIM_CODE_BAD_TYPE: u16 = 502;

/// Which device the simulator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimKind {
    /// A slap scanner: left four (sub id 1), right four (2), two thumbs (3).
    Finger,
    /// A double iris scanner: left (1), right (2), both (3).
    Iris,
    /// A face camera (sub id 0).
    Face,
}

impl SimKind {
    pub fn bio_type(self) -> BioType {
        match self {
            SimKind::Finger => BioType::Finger,
            SimKind::Iris => BioType::Iris,
            SimKind::Face => BioType::Face,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SimKind::Finger => "finger",
            SimKind::Iris => "iris",
            SimKind::Face => "face",
        }
    }
}

impl fmt::Display for SimKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SimKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "finger" | "fingerprint" | "slap" => Ok(SimKind::Finger),
            "iris" => Ok(SimKind::Iris),
            "face" | "camera" => Ok(SimKind::Face),
            other => Err(format!(
                "unknown SBI device kind {other:?} (expected finger, iris or face)"
            )),
        }
    }
}

/// A fault the simulated device shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SimFault {
    /// Status "Busy"; captures answer 111.
    Busy,
    /// Status "Not Ready"; captures answer 110.
    NotReady,
    /// Status "Not Registered": info unsigned with error 100, captures answer 100.
    NotRegistered,
    /// Signatures (info, digital id, capture data) do not verify.
    BadSignature,
    /// Capture data signed with another key and certificate than the device's info.
    ForeignCertificate,
    /// Capture hashes do not link to the `previousHash` sent.
    BrokenHashChain,
    /// Degraded captures (quality 5–25).
    LowQuality,
    /// Every answer waits this long first.
    Slow(Duration),
}

impl fmt::Display for SimFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimFault::Busy => f.write_str("busy"),
            SimFault::NotReady => f.write_str("not-ready"),
            SimFault::NotRegistered => f.write_str("not-registered"),
            SimFault::BadSignature => f.write_str("bad-signature"),
            SimFault::ForeignCertificate => f.write_str("foreign-certificate"),
            SimFault::BrokenHashChain => f.write_str("broken-hash-chain"),
            SimFault::LowQuality => f.write_str("low-quality"),
            SimFault::Slow(d) => write!(f, "slow={}ms", d.as_millis()),
        }
    }
}

impl FromStr for SimFault {
    type Err = String;
    /// `busy`, `not-ready`, `not-registered`, `bad-signature`, `foreign-certificate`,
    /// `broken-hash-chain`, `low-quality`, `slow=MS` (also `slow=2s`; `slow` alone is 3 s).
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase().replace('_', "-");
        let (name, arg) = match t.split_once(['=', ':']) {
            Some((n, a)) => (n.to_string(), Some(a.trim().to_string())),
            None => (t.clone(), None),
        };
        Ok(match name.as_str() {
            "busy" => SimFault::Busy,
            "not-ready" | "notready" => SimFault::NotReady,
            "not-registered" | "notregistered" | "unregistered" => SimFault::NotRegistered,
            "bad-signature" | "bad-sig" => SimFault::BadSignature,
            "foreign-certificate" | "foreign-cert" => SimFault::ForeignCertificate,
            "broken-hash-chain" | "broken-hash" | "bad-hash" => SimFault::BrokenHashChain,
            "low-quality" | "poor-quality" => SimFault::LowQuality,
            "slow" => SimFault::Slow(match arg {
                None => Duration::from_secs(3),
                Some(a) => parse_duration(&a)?,
            }),
            _ => {
                return Err(format!(
                    "unknown SBI fault {s:?} (expected busy, not-ready, not-registered, \
                     bad-signature, foreign-certificate, broken-hash-chain, low-quality or \
                     slow=MS)"
                ))
            }
        })
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (digits, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("bad duration {text:?} (e.g. 2500, 2500ms or 3s)"))?;
    match unit.trim() {
        "" | "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        _ => Err(format!("bad duration unit in {text:?} (ms or s)")),
    }
}

/// Where the simulator listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortChoice {
    /// The first free port of the range (the SBI range by default).
    FirstFree(RangeInclusive<u16>),
    /// Exactly this port (0: any free port the system gives, for tests).
    Fixed(u16),
}

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub kind: SimKind,
    pub port: PortChoice,
    /// Seeds the device's serial number and its acquisition noise.
    pub seed: u64,
    /// The person in front of the device (whose fingers, eyes and face are generated).
    pub subject: u64,
    /// Faults shown from the start (persistent).
    pub faults: Vec<SimFault>,
    /// A ready-made identity (tests reuse one to save the key generation); `None` generates.
    pub identity: Option<DeviceIdentity>,
    /// Preview frames per second.
    pub stream_fps: u32,
}

impl SimOptions {
    pub fn new(kind: SimKind) -> Self {
        Self {
            kind,
            port: PortChoice::FirstFree(crate::client::SBI_PORTS),
            seed: 1,
            subject: 1,
            faults: Vec::new(),
            identity: None,
            stream_fps: 10,
        }
    }

    /// Options as the command line gives them: `--kind`, `--port` (none: first free in
    /// 4501–4600) and any number of `--fault`s.
    pub fn from_cli(kind: &str, port: Option<u16>, faults: &[String]) -> Result<Self, String> {
        let mut o = Self::new(kind.parse()?);
        if let Some(p) = port {
            o.port = PortChoice::Fixed(p);
        }
        o.faults = faults
            .iter()
            .map(|f| f.parse())
            .collect::<Result<Vec<SimFault>, String>>()?;
        Ok(o)
    }
}

/// Why a simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("no free port in {first}–{last} for the SBI simulator")]
    NoFreePort { first: u16, last: u16 },
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("the SBI simulator cannot start its runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("the SBI simulator cannot make its device identity: {0}")]
    Identity(String),
    #[error("the SBI simulator thread failed: {0}")]
    Thread(String),
}

/// A running simulator. Stopped by [`SimHandle::stop`] or on drop.
pub struct SimHandle {
    port: u16,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimHandle")
            .field("port", &self.port)
            .field("kind", &self.shared.kind)
            .finish_non_exhaustive()
    }
}

fn bind(choice: &PortChoice) -> Result<TcpListener, SimError> {
    let try_port = |port: u16| TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
    match choice {
        PortChoice::Fixed(port) => try_port(*port).map_err(|source| SimError::Bind {
            port: *port,
            source,
        }),
        PortChoice::FirstFree(range) => {
            range
                .clone()
                .find_map(|p| try_port(p).ok())
                .ok_or(SimError::NoFreePort {
                    first: *range.start(),
                    last: *range.end(),
                })
        }
    }
}

impl SimHandle {
    /// Binds, makes the identity and starts serving on its own thread.
    pub fn start(options: SimOptions) -> Result<Self, SimError> {
        let listener = bind(&options.port)?;
        let port = listener
            .local_addr()
            .map_err(|source| SimError::Bind { port: 0, source })?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(|source| SimError::Bind { port, source })?;
        let identity = match options.identity.clone() {
            Some(id) => id,
            None => DeviceIdentity::generate(&format!("KTP-el SBI sim {} {port}", options.kind))
                .map_err(SimError::Identity)?,
        };
        let shared = Arc::new(Shared::new(&options, port, identity));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(SimError::Runtime)?;
        let (shutdown, watcher) = watch::channel(false);
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("sbi-sim-{port}"))
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => server::serve(l, s, watcher).await,
                        Err(e) => tracing::warn!(port, error = %e, "SBI simulator cannot listen"),
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .map_err(|e| SimError::Thread(e.to_string()))?;
        tracing::info!(
            port,
            kind = options.kind.as_str(),
            "SBI simulator listening"
        );
        Ok(Self {
            port,
            shared,
            shutdown,
            thread: Some(thread),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn kind(&self) -> SimKind {
        self.shared.kind
    }

    /// The device certificate (DER).
    pub fn certificate_der(&self) -> Vec<u8> {
        self.shared.identity.certificate_der().to_vec()
    }

    /// SHA-256 fingerprint of the certificate (upper-case hex), as pinned in config.
    pub fn certificate_fingerprint(&self) -> String {
        use sha2::Digest;
        crate::jws::upper_hex(&sha2::Sha256::digest(
            self.shared.identity.certificate_der(),
        ))
    }

    /// Replaces the persistent faults.
    pub fn set_faults(&self, faults: Vec<SimFault>) {
        self.shared.lock().persistent = faults;
    }

    /// Shows one persistent fault (or none).
    pub fn set_fault(&self, fault: Option<SimFault>) {
        self.set_faults(fault.into_iter().collect());
    }

    /// Queues a fault for the next capture only (several queue for successive captures).
    pub fn push_next(&self, fault: SimFault) {
        self.shared.lock().once.push_back(fault);
    }

    /// Puts another person in front of the device.
    pub fn set_subject(&self, subject: u64) {
        self.shared.lock().subject = subject;
    }

    /// How many captures (`RCAPTURE`) the device answered, successful or not.
    pub fn captures(&self) -> u64 {
        self.shared.lock().captures
    }

    /// How many preview frames the device sent.
    pub fn frames_sent(&self) -> u64 {
        self.shared.lock().frames
    }

    /// Stops serving and waits for the server thread.
    pub fn stop(mut self) -> Result<(), SimError> {
        self.shutdown_now()
    }

    fn shutdown_now(&mut self) -> Result<(), SimError> {
        let _ = self.shutdown.send(true);
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| SimError::Thread("the server thread panicked".into())),
            None => Ok(()),
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.shutdown_now();
    }
}

/// Runs a simulator until Ctrl-C (for `ktpel-booth sim sbi --port N --kind K --fault F`).
pub fn run(options: SimOptions) -> Result<(), SimError> {
    let handle = SimHandle::start(options)?;
    tracing::info!(
        port = handle.port(),
        kind = handle.kind().as_str(),
        certificate = %handle.certificate_fingerprint(),
        "SBI simulator running; Ctrl-C stops it"
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(SimError::Runtime)?;
    rt.block_on(tokio::signal::ctrl_c())
        .map_err(SimError::Runtime)?;
    handle.stop()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn faults_parse_from_the_command_line() {
        assert_eq!("busy".parse::<SimFault>().unwrap(), SimFault::Busy);
        assert_eq!("Not_Ready".parse::<SimFault>().unwrap(), SimFault::NotReady);
        assert_eq!(
            "slow=1500".parse::<SimFault>().unwrap(),
            SimFault::Slow(Duration::from_millis(1500))
        );
        assert_eq!(
            "slow:2s".parse::<SimFault>().unwrap(),
            SimFault::Slow(Duration::from_secs(2))
        );
        assert!("slow=fast".parse::<SimFault>().is_err());
        assert!("melted".parse::<SimFault>().is_err());
        for f in [
            SimFault::Busy,
            SimFault::NotRegistered,
            SimFault::BrokenHashChain,
            SimFault::Slow(Duration::from_millis(20)),
        ] {
            assert_eq!(f.to_string().parse::<SimFault>().unwrap(), f);
        }
    }

    #[test]
    fn options_from_the_command_line() {
        let o = SimOptions::from_cli("iris", Some(4510), &["low-quality".into()]).unwrap();
        assert_eq!(o.kind, SimKind::Iris);
        assert_eq!(o.port, PortChoice::Fixed(4510));
        assert_eq!(o.faults, vec![SimFault::LowQuality]);
        assert!(SimOptions::from_cli("toaster", None, &[]).is_err());
        let d = SimOptions::from_cli("face", None, &[]).unwrap();
        assert_eq!(d.port, PortChoice::FirstFree(4501..=4600));
    }
}
