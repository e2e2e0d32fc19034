//! `SimBooth`: one simulated device of every kind, built from one seed — what the default
//! configuration and the integration tests run on.

use crate::camera::SimCamera;
use crate::card_encoder::SimCardEncoder;
use crate::control::SimControl;
use crate::fingerprint::SimFingerprint;
use crate::iris_scanner::SimIris;
use crate::printer::{SimCardPrinter, SimReceiptPrinter};
use crate::rng::mix;
use crate::signature_pad::SimSignaturePad;
use ktpel_hal::{
    Camera, CardEncoder, CardPrinter, DeviceKind, FingerprintScanner, IrisScanner, ReceiptPrinter,
    SignaturePad,
};
use std::path::PathBuf;

/// One simulated device of every kind.
#[derive(Debug)]
pub struct SimBooth {
    pub camera: SimCamera,
    pub fingerprint: SimFingerprint,
    pub iris: SimIris,
    pub signature: SimSignaturePad,
    pub card_encoder: SimCardEncoder,
    pub card_printer: SimCardPrinter,
    pub receipt_printer: SimReceiptPrinter,
}

/// The controls of a [`SimBooth`]'s devices (kept by a test after the devices are boxed).
#[derive(Debug, Clone)]
pub struct SimBoothControls {
    pub camera: SimControl,
    pub fingerprint: SimControl,
    pub iris: SimControl,
    pub signature: SimControl,
    pub card_encoder: SimControl,
    pub card_printer: SimControl,
    pub receipt_printer: SimControl,
}

impl SimBoothControls {
    /// Every control, in [`DeviceKind::ALL`] order.
    pub fn all(&self) -> [&SimControl; 7] {
        [
            &self.camera,
            &self.fingerprint,
            &self.iris,
            &self.signature,
            &self.card_encoder,
            &self.card_printer,
            &self.receipt_printer,
        ]
    }

    /// The control of one kind of device.
    pub fn get(&self, kind: DeviceKind) -> &SimControl {
        match kind {
            DeviceKind::Camera => &self.camera,
            DeviceKind::FingerprintScanner => &self.fingerprint,
            DeviceKind::IrisScanner => &self.iris,
            DeviceKind::SignaturePad => &self.signature,
            DeviceKind::CardEncoder => &self.card_encoder,
            DeviceKind::CardPrinter => &self.card_printer,
            DeviceKind::ReceiptPrinter => &self.receipt_printer,
        }
    }

    /// Puts the same person in front of every device.
    pub fn set_subject(&self, subject: u64) {
        for c in self.all() {
            c.set_subject(subject);
        }
    }
}

/// A [`SimBooth`] as the hal's trait objects.
pub struct BoxedBooth {
    pub camera: Box<dyn Camera>,
    pub fingerprint: Box<dyn FingerprintScanner>,
    pub iris: Box<dyn IrisScanner>,
    pub signature: Box<dyn SignaturePad>,
    pub card_encoder: Box<dyn CardEncoder>,
    pub card_printer: Box<dyn CardPrinter>,
    pub receipt_printer: Box<dyn ReceiptPrinter>,
}

impl SimBooth {
    /// Every device seeded from `seed`; both printers spool into `spool_dir` when given. The
    /// card encoder has extended-length support and a card feeder (a fresh blank card for
    /// every `wait_card` after a `release`).
    pub fn new(seed: u64, spool_dir: Option<PathBuf>) -> Self {
        let s = |kind: DeviceKind| mix(&[seed, kind as u64]);
        let card_encoder = SimCardEncoder::new(s(DeviceKind::CardEncoder), true);
        card_encoder.control().set_card_feeder(true);
        Self {
            camera: SimCamera::new(s(DeviceKind::Camera)),
            fingerprint: SimFingerprint::new(s(DeviceKind::FingerprintScanner)),
            iris: SimIris::new(s(DeviceKind::IrisScanner)),
            signature: SimSignaturePad::new(s(DeviceKind::SignaturePad)),
            card_encoder,
            card_printer: SimCardPrinter::new(s(DeviceKind::CardPrinter), spool_dir.clone()),
            receipt_printer: SimReceiptPrinter::new(s(DeviceKind::ReceiptPrinter), spool_dir),
        }
    }

    pub fn controls(&self) -> SimBoothControls {
        SimBoothControls {
            camera: self.camera.control(),
            fingerprint: self.fingerprint.control(),
            iris: self.iris.control(),
            signature: self.signature.control(),
            card_encoder: self.card_encoder.control(),
            card_printer: self.card_printer.control(),
            receipt_printer: self.receipt_printer.control(),
        }
    }

    /// Puts the same person in front of every device.
    pub fn set_subject(&self, subject: u64) {
        self.controls().set_subject(subject);
    }

    pub fn into_boxed(self) -> BoxedBooth {
        BoxedBooth {
            camera: Box::new(self.camera),
            fingerprint: Box::new(self.fingerprint),
            iris: Box::new(self.iris),
            signature: Box::new(self.signature),
            card_encoder: Box::new(self.card_encoder),
            card_printer: Box::new(self.card_printer),
            receipt_printer: Box::new(self.receipt_printer),
        }
    }
}
