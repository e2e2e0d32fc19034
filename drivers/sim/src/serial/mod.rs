//! Protocol simulators: the device's side of three serial protocols, spoken over a real port
//! (the master end of a pty pair in tests, a `socat` pty or a real serial line from the CLI),
//! so that the real drivers are tested byte for byte.
//!
//! - [`zfm`]: an R30x / ZFM / AS608 optical fingerprint module (0xEF01 packets) imaging the
//!   generated fingers of [`crate::finger`].
//! - [`isdv4`]: a Wacom ISDv4 serial pen digitizer drawing the generated signatures of
//!   [`crate::signature`].
//! - [`escpos`]: an ESC/POS receipt printer that answers `DLE EOT` status and decodes what it
//!   receives back into receipt lines a test can check.
//!
//! Each simulator is one blocking function (`serve_*`) that runs until its `stop` flag is set,
//! its script unplugs it, or the port breaks. A [`SerialControl`] shared with the test says who
//! is in front of the device and scripts its faults ([`SerialFault`]), one per command received.
//! [`Pace`] sets how fast bytes go over the simulated wire: real baud-rate timing, faster, or
//! as fast as the pty takes them. [`PtyDevice`] plugs a simulator in on a pty pair behind a
//! stable link, the way the drivers' tests use it.

pub mod escpos;
mod escpos_decode;
pub mod isdv4;
pub mod pty;
mod wire;
pub mod zfm;

pub use escpos::{serve_escpos, serve_escpos_tcp, EscposSimOptions};
pub use escpos_decode::{DecodedReceipt, EscposDecoder, EscposEvent};
pub use isdv4::isdv4_strokes;
pub use isdv4::{serve_isdv4, Isdv4SimOptions};
pub use pty::PtyDevice;
pub use zfm::{serve_zfm, zfm_wire_image, ZfmSimOptions};

use ktpel_hal::FingerPosition;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// What the next command received meets. Each command (a ZFM command packet, an ISDv4
/// command byte, an ESC/POS `DLE EOT` status query) consumes one entry of the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialFault {
    /// Answer normally (lets a script fault the second command, not the first).
    Pass,
    /// The answer is damaged on the wire: a wrong checksum (ZFM), a packet cut short (ISDv4),
    /// a status byte with its fixed bits wrong (ESC/POS).
    Corrupt,
    /// These stray bytes go out before the answer (for a pen that starts streaming, also
    /// between its packets; the ISDv4 simulator clears bit 7 of each, as line noise a reader
    /// resynchronises on).
    Noise(Vec<u8>),
    /// This command gets no answer at all.
    Silent,
    /// The device goes away while handling this command: the simulator closes its end of the
    /// port and returns (the driver sees a broken port; a new pty pair is the replug).
    Unplug,
}

/// How fast bytes go over the simulated wire. A pty has no baud rate: the simulator sleeps
/// as a real line would take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// As fast as the port takes them (unit tests).
    Instant,
    /// Ten bits per byte at `baud`, `speedup` times faster (1.0 is real time).
    Wire { baud: u32, speedup: f32 },
}

impl Pace {
    /// Real-time pacing at `baud`.
    pub fn real(baud: u32) -> Self {
        Pace::Wire { baud, speedup: 1.0 }
    }

    /// How long `bytes` take on the wire.
    pub fn duration(&self, bytes: usize) -> Duration {
        match *self {
            Pace::Instant => Duration::ZERO,
            Pace::Wire { baud, speedup } => {
                let secs = bytes as f64 * 10.0 / f64::from(baud.max(1));
                Duration::from_secs_f64(secs / f64::from(speedup).max(1e-3))
            }
        }
    }

    /// Scales a device-side delay (a sensor's exposure, the pen's sample interval) like the
    /// wire: unchanged in real time, shortened by `speedup`, zero when instant.
    pub fn scale(&self, d: Duration) -> Duration {
        match *self {
            Pace::Instant => Duration::ZERO,
            Pace::Wire { speedup, .. } => d.div_f64(f64::from(speedup).max(1e-3)),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct SerialState {
    pub subject: u64,
    /// The finger on the glass (ZFM) and how many more `GenImg` polls see no finger.
    pub finger: Option<FingerPosition>,
    pub finger_after_polls: u32,
    pub script: VecDeque<SerialFault>,
    pub muted: bool,
    pub commands: u64,
    /// ISDv4: whether someone signs each time the pen is started.
    pub no_signer: bool,
    pub signatures_drawn: u64,
    /// ESC/POS.
    pub paper_out: bool,
    pub cover_open: bool,
    pub decoded: Vec<DecodedReceipt>,
    pub dropped_lines: u64,
}

/// A cloneable handle on one protocol simulator; every clone controls the same device.
#[derive(Clone, Default)]
pub struct SerialControl {
    inner: Arc<Mutex<SerialState>>,
}

// Decoded receipts carry names: show counts only.
impl fmt::Debug for SerialControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("SerialControl")
            .field("subject", &s.subject)
            .field("finger", &s.finger)
            .field("pending_faults", &s.script.len())
            .field("muted", &s.muted)
            .field("commands", &s.commands)
            .field("paper_out", &s.paper_out)
            .field("cover_open", &s.cover_open)
            .field("receipts", &s.decoded.len())
            .finish()
    }
}

impl SerialControl {
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, SerialState> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts another person in front of the device; the generated finger images and
    /// signatures depend on it.
    pub fn set_subject(&self, subject: u64) {
        self.lock().subject = subject;
    }

    pub fn subject(&self) -> u64 {
        self.lock().subject
    }

    /// Replaces the fault script: command *n* meets `faults[n]`, later commands none.
    pub fn script(&self, faults: Vec<SerialFault>) {
        self.lock().script = faults.into();
    }

    pub fn push_fault(&self, fault: SerialFault) {
        self.lock().script.push_back(fault);
    }

    pub fn pending_faults(&self) -> usize {
        self.lock().script.len()
    }

    /// A device that stops answering (`true`) until told otherwise: every command is read and
    /// ignored.
    pub fn set_muted(&self, muted: bool) {
        self.lock().muted = muted;
    }

    /// How many commands the device has received.
    pub fn commands(&self) -> u64 {
        self.lock().commands
    }

    // --- fingerprint module ---

    /// Puts finger `position` on the glass; the first `after_polls` `GenImg` commands still
    /// see no finger (the person is still moving it there).
    pub fn place_finger(&self, position: FingerPosition, after_polls: u32) {
        let mut s = self.lock();
        s.finger = Some(position);
        s.finger_after_polls = after_polls;
    }

    /// Takes the finger off the glass.
    pub fn lift_finger(&self) {
        self.lock().finger = None;
    }

    // --- pen pad ---

    /// Whether the person signs each time the pad is started (default yes).
    pub fn set_signer_present(&self, present: bool) {
        self.lock().no_signer = !present;
    }

    /// How many signatures the pen simulator has drawn.
    pub fn signatures_drawn(&self) -> u64 {
        self.lock().signatures_drawn
    }

    // --- receipt printer ---

    pub fn set_paper_out(&self, out: bool) {
        self.lock().paper_out = out;
    }

    pub fn set_cover_open(&self, open: bool) {
        self.lock().cover_open = open;
    }

    /// Every receipt decoded so far (a receipt ends at a cut), oldest first.
    pub fn decoded_receipts(&self) -> Vec<DecodedReceipt> {
        self.lock().decoded.clone()
    }

    /// Receipt lines thrown away because the printer was not ready when they came.
    pub fn dropped_lines(&self) -> u64 {
        self.lock().dropped_lines
    }

    /// Counts one command and answers the fault it meets (`None` when muted: ignore it).
    pub(crate) fn next_fault(&self) -> Option<SerialFault> {
        let mut s = self.lock();
        s.commands += 1;
        let fault = s.script.pop_front().unwrap_or(SerialFault::Pass);
        if s.muted && fault != SerialFault::Unplug {
            return None;
        }
        Some(fault)
    }
}
