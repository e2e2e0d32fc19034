//! The booth's devices, built from the config: one trait object per role. The workflow and the
//! self-test only ever see the `ktpel_hal` traits.

use ktpel_hal::{
    Camera, CardEncoder, CardPrinter, Device, DeviceKind, FingerprintScanner, IrisScanner,
    ReceiptPrinter, SignaturePad,
};
use ktpel_sim::SimControl;
use std::path::{Path, PathBuf};

use crate::config::{DeviceConfig, DevicesConfig};

pub struct Devices {
    pub camera: Box<dyn Camera>,
    pub fingerprint: Box<dyn FingerprintScanner>,
    pub iris: Box<dyn IrisScanner>,
    pub signature: Box<dyn SignaturePad>,
    pub card_encoder: Box<dyn CardEncoder>,
    pub card_printer: Box<dyn CardPrinter>,
    pub receipt_printer: Box<dyn ReceiptPrinter>,
    /// The controls of the simulated devices among them (the person in front of the booth,
    /// scripted faults), for demonstrations and tests.
    pub sim: Vec<SimControl>,
}

impl std::fmt::Debug for Devices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Devices({} simulated)", self.sim.len())
    }
}

fn sim_seed(c: &DeviceConfig) -> (u64, bool) {
    match c {
        DeviceConfig::Sim { seed, unplugged } => (*seed, *unplugged),
    }
}

impl Devices {
    /// Builds every device the config names. `spool` is where simulated printers put their
    /// output.
    pub fn from_config(cfg: &DevicesConfig, spool: &Path) -> Self {
        let mut sim = Vec::new();
        let mut take = |control: SimControl, unplugged: bool| {
            if unplugged {
                control.unplug();
            }
            sim.push(control);
        };
        let (seed, unplugged) = sim_seed(&cfg.camera);
        let camera = ktpel_sim::SimCamera::new(seed);
        take(camera.control(), unplugged);
        let (seed, unplugged) = sim_seed(&cfg.fingerprint);
        let fingerprint = ktpel_sim::SimFingerprint::new(seed);
        take(fingerprint.control(), unplugged);
        let (seed, unplugged) = sim_seed(&cfg.iris);
        let iris = ktpel_sim::SimIris::new(seed);
        take(iris.control(), unplugged);
        let (seed, unplugged) = sim_seed(&cfg.signature);
        let signature = ktpel_sim::SimSignaturePad::new(seed);
        take(signature.control(), unplugged);
        let (seed, unplugged) = sim_seed(&cfg.card_encoder);
        let card_encoder = ktpel_sim::SimCardEncoder::new(seed, true);
        // The simulated reader sits in a card printer with a hopper of blank cards.
        card_encoder.control().set_card_feeder(true);
        take(card_encoder.control(), unplugged);
        let (seed, unplugged) = sim_seed(&cfg.card_printer);
        let card_printer = ktpel_sim::SimCardPrinter::new(seed, Some(spool.join("cards")));
        take(card_printer.control(), unplugged);
        let (seed, unplugged) = sim_seed(&cfg.receipt_printer);
        let receipt_printer = ktpel_sim::SimReceiptPrinter::new(seed, Some(spool.join("receipts")));
        take(receipt_printer.control(), unplugged);
        Self {
            camera: Box::new(camera),
            fingerprint: Box::new(fingerprint),
            iris: Box::new(iris),
            signature: Box::new(signature),
            card_encoder: Box::new(card_encoder),
            card_printer: Box::new(card_printer),
            receipt_printer: Box::new(receipt_printer),
            sim,
        }
    }

    /// A full set of simulated devices (tests, benchmarks, demonstrations).
    pub fn simulated(seed: u64, spool: Option<PathBuf>) -> Self {
        let dir = spool.unwrap_or_else(|| std::env::temp_dir().join("ktpel-sim-spool"));
        let sim = |n: u64| DeviceConfig::Sim {
            seed: seed.wrapping_mul(31).wrapping_add(n),
            unplugged: false,
        };
        Self::from_config(
            &DevicesConfig {
                camera: sim(1),
                fingerprint: sim(2),
                iris: sim(3),
                signature: sim(4),
                card_encoder: sim(5),
                card_printer: sim(6),
                receipt_printer: sim(7),
            },
            &dir,
        )
    }

    /// Puts simulated person `subject` in front of every simulated device.
    pub fn set_subject(&self, subject: u64) {
        for c in &self.sim {
            c.set_subject(subject);
        }
    }

    /// Every device with its role, for the self-test.
    pub fn all_mut(&mut self) -> [(DeviceKind, &mut dyn Device); 7] {
        [
            (DeviceKind::Camera, self.camera.as_mut() as &mut dyn Device),
            (DeviceKind::FingerprintScanner, self.fingerprint.as_mut()),
            (DeviceKind::IrisScanner, self.iris.as_mut()),
            (DeviceKind::SignaturePad, self.signature.as_mut()),
            (DeviceKind::CardEncoder, self.card_encoder.as_mut()),
            (DeviceKind::CardPrinter, self.card_printer.as_mut()),
            (DeviceKind::ReceiptPrinter, self.receipt_printer.as_mut()),
        ]
    }
}
