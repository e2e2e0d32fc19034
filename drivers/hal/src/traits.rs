//! One small trait per device kind. All calls block; the booth runs them off the UI thread.

use crate::{
    CardInfo, DeviceResult, EncodedImage, Eye, FaceCapture, FingerCapture, FingerPosition, Frame,
    IrisCapture, PrinterStatus, ReceiptDoc, SignatureCapture,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The kinds of device a booth has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Camera,
    FingerprintScanner,
    IrisScanner,
    SignaturePad,
    CardEncoder,
    CardPrinter,
    ReceiptPrinter,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 7] = [
        DeviceKind::Camera,
        DeviceKind::FingerprintScanner,
        DeviceKind::IrisScanner,
        DeviceKind::SignaturePad,
        DeviceKind::CardEncoder,
        DeviceKind::CardPrinter,
        DeviceKind::ReceiptPrinter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Camera => "camera",
            DeviceKind::FingerprintScanner => "fingerprint",
            DeviceKind::IrisScanner => "iris",
            DeviceKind::SignaturePad => "signature",
            DeviceKind::CardEncoder => "card_encoder",
            DeviceKind::CardPrinter => "card_printer",
            DeviceKind::ReceiptPrinter => "receipt_printer",
        }
    }
}

/// Who a device is: enough for a technician to tell two of them apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub kind: DeviceKind,
    /// The driver that speaks to it ("sim", "zfm", "isdv4", ...).
    pub driver: String,
    pub model: String,
    pub serial: String,
    pub firmware: String,
}

/// One thing a self-test looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    /// What was seen, for the technician ("sensor 256x288, firmware 1.2").
    pub detail: String,
    /// For a check that failed because the device call failed: what kind of failure, so the
    /// self-test can say what to look at next.
    #[serde(default)]
    pub kind: Option<crate::ErrorKind>,
}

impl Check {
    /// A check and how it went.
    pub fn new(name: &str, passed: bool, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            passed,
            detail: detail.into(),
            kind: None,
        }
    }

    /// A check that failed with a device error of `kind`.
    pub fn failed(name: &str, kind: crate::ErrorKind, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            passed: false,
            detail: detail.into(),
            kind: Some(kind),
        }
    }
}

/// The result of a self-test: what was checked and how each check went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfTestReport {
    pub device: DeviceInfo,
    pub checks: Vec<Check>,
}

impl SelfTestReport {
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.passed)
    }
}

/// What every device answers.
pub trait Device: Send {
    fn info(&self) -> DeviceInfo;
    /// Talks to the device and reports what was checked. An `Err` means the device could not
    /// be reached at all; a reachable device with a failing part answers `Ok` with a failed check.
    fn self_test(&mut self) -> DeviceResult<SelfTestReport>;
}

pub trait Camera: Device {
    /// A new applicant is in front of the booth: forget anything kept from the last one.
    fn begin_applicant(&mut self) {}
    /// The latest frame for the live preview.
    fn preview_frame(&mut self) -> DeviceResult<Frame>;
    /// A still for the record.
    fn capture_face(&mut self) -> DeviceResult<FaceCapture>;
}

pub trait FingerprintScanner: Device {
    /// A new applicant: forget anything kept from the last one (a slap scanner keeps the other
    /// fingers of a slap for the following calls).
    fn begin_applicant(&mut self) {}
    /// The fingers the operator recorded as exceptions, so a slap scanner does not wait for
    /// them.
    fn set_exceptions(&mut self, _fingers: &[FingerPosition]) {}
    /// Waits up to `timeout` for the finger on the glass and returns its image.
    fn capture_finger(
        &mut self,
        position: FingerPosition,
        timeout: Duration,
    ) -> DeviceResult<FingerCapture>;
}

pub trait IrisScanner: Device {
    /// A new applicant: forget anything kept from the last one.
    fn begin_applicant(&mut self) {}
    /// The eyes the operator recorded as exceptions.
    fn set_exceptions(&mut self, _eyes: &[Eye]) {}
    fn capture_iris(&mut self, eye: Eye, timeout: Duration) -> DeviceResult<IrisCapture>;
}

pub trait SignaturePad: Device {
    /// Clears the pad for a new signature.
    fn clear(&mut self) -> DeviceResult<()>;
    /// Collects strokes until the signer is done (or `timeout` passes with no pen activity
    /// after at least one stroke) and renders them.
    fn capture_signature(&mut self, timeout: Duration) -> DeviceResult<SignatureCapture>;
}

/// A contact or contactless card reader used to personalise the chip.
pub trait CardEncoder: Device {
    /// Waits up to `timeout` for a card and connects to it.
    fn wait_card(&mut self, timeout: Duration) -> DeviceResult<CardInfo>;
    /// Sends one command APDU and returns the response APDU (data followed by SW1 SW2).
    fn transmit(&mut self, apdu: &[u8]) -> DeviceResult<Vec<u8>>;
    /// Lets go of the card.
    fn release(&mut self) -> DeviceResult<()>;
}

/// Prints the KTP-el card body.
pub trait CardPrinter: Device {
    /// Whether a card can be printed now (blank cards loaded, no jam, cover closed, queue
    /// accepting jobs), asked before anything is sent: an `Err` here means no blank was used.
    /// A driver that cannot ask its printer answers `Ok`.
    fn ready(&mut self) -> DeviceResult<()> {
        Ok(())
    }
    /// Prints the front of the card; answers the job's identifier. An `Err` may come after the
    /// card went in (a jam): the caller must assume the blank is used.
    fn print_card(&mut self, front: &EncodedImage) -> DeviceResult<String>;
}

/// Prints receipts and complaint tickets.
pub trait ReceiptPrinter: Device {
    fn status(&mut self) -> DeviceResult<PrinterStatus>;
    fn print(&mut self, doc: &ReceiptDoc) -> DeviceResult<()>;
}
