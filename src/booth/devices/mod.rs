//! The booth's devices, built from the config: one trait object per role. The workflow and the
//! self-test only ever see the `ktpel_hal` traits. Building opens nothing: every driver opens
//! its port on first use, so a missing device shows up as a clear error where it is used.
//! At run time each role lives on its own [`Worker`] thread ([`DeviceSet`]).
//!
//! The simulated printers keep what they print in memory only (the last few jobs, for tests and
//! demonstrations): nothing personal is written to disk.

pub mod set;
pub mod worker;

pub use set::DeviceSet;
pub use worker::Worker;

use ktpel_hal::{
    Camera, CardEncoder, CardPrinter, Device, DeviceKind, FingerprintScanner, IrisScanner,
    ReceiptPrinter, SignaturePad,
};
use ktpel_printer_escpos::{EncodeOptions, EscposConfig, EscposPrinter, Font, TransportConfig};
use ktpel_sim::SimControl;

use crate::config::{
    CameraConfig, CardEncoderConfig, CardPrinterConfig, DevicesConfig, EscposFont,
    FingerprintConfig, IrisConfig, ReceiptPrinterConfig, SignatureConfig, SimParams,
};

pub struct Devices {
    pub camera: Box<dyn Camera>,
    pub fingerprint: Box<dyn FingerprintScanner>,
    pub iris: Box<dyn IrisScanner>,
    /// `None` when the config says the applicant signs on the touchscreen.
    pub signature: Option<Box<dyn SignaturePad>>,
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

/// Keeps a simulated device's control, pulling its cable first when the config says so.
fn keep(sim: &mut Vec<SimControl>, control: SimControl, p: &SimParams) {
    if p.unplugged {
        control.unplug();
    }
    sim.push(control);
}

impl Devices {
    /// Builds every device the config names.
    pub fn from_config(cfg: &DevicesConfig) -> Self {
        let mut sim = Vec::new();
        let camera: Box<dyn Camera> = match &cfg.camera {
            CameraConfig::Sim(p) => {
                let d = ktpel_sim::SimCamera::new(p.seed);
                keep(&mut sim, d.control(), p);
                Box::new(d)
            }
            CameraConfig::Uvc(c) => Box::new(ktpel_camera_uvc::UvcCamera::new(c.clone())),
            CameraConfig::Sbi(p) => match ktpel_sbi::SbiCamera::new(p.to_config()) {
                Ok(d) => Box::new(d),
                Err(e) => Box::new(Unavailable::new(DeviceKind::Camera, "sbi", e.into())),
            },
        };
        let fingerprint: Box<dyn FingerprintScanner> = match &cfg.fingerprint {
            FingerprintConfig::Sim(p) => {
                let d = ktpel_sim::SimFingerprint::new(p.seed);
                keep(&mut sim, d.control(), p);
                Box::new(d)
            }
            FingerprintConfig::Zfm(z) => {
                let mut c = ktpel_fingerprint_zfm::ZfmConfig::new(z.port.clone());
                c.baud = z.baud;
                c.address = z.address;
                c.password = z.password;
                Box::new(ktpel_fingerprint_zfm::ZfmScanner::new(c))
            }
            FingerprintConfig::Sbi(p) => match ktpel_sbi::SbiFingerprintScanner::new(p.to_config())
            {
                Ok(d) => Box::new(d),
                Err(e) => Box::new(Unavailable::new(
                    DeviceKind::FingerprintScanner,
                    "sbi",
                    e.into(),
                )),
            },
        };
        let iris: Box<dyn IrisScanner> = match &cfg.iris {
            IrisConfig::Sim(p) => {
                let d = ktpel_sim::SimIris::new(p.seed);
                keep(&mut sim, d.control(), p);
                Box::new(d)
            }
            IrisConfig::Sbi(p) => match ktpel_sbi::SbiIrisScanner::new(p.to_config()) {
                Ok(d) => Box::new(d),
                Err(e) => Box::new(Unavailable::new(DeviceKind::IrisScanner, "sbi", e.into())),
            },
        };
        let signature: Option<Box<dyn SignaturePad>> = match &cfg.signature {
            SignatureConfig::Sim(p) => {
                let d = ktpel_sim::SimSignaturePad::new(p.seed);
                keep(&mut sim, d.control(), p);
                Some(Box::new(d))
            }
            SignatureConfig::Isdv4(s) => {
                let mut c = ktpel_signature_isdv4::Isdv4Config::new(s.port.clone());
                c.baud = s.baud;
                Some(Box::new(ktpel_signature_isdv4::Isdv4Pad::new(c)))
            }
            SignatureConfig::Touchscreen => None,
        };
        let card_encoder: Box<dyn CardEncoder> = match &cfg.card_encoder {
            CardEncoderConfig::Sim(p) => {
                let d = ktpel_sim::SimCardEncoder::new(p.seed, true);
                // The simulated reader sits in a card printer with a hopper of blank cards.
                d.control().set_card_feeder(true);
                keep(&mut sim, d.control(), p);
                Box::new(d)
            }
            CardEncoderConfig::Pcsc(p) => Box::new(ktpel_card_pcsc::PcscEncoder::new(
                ktpel_card_pcsc::PcscConfig {
                    reader: p.reader.clone(),
                    extended_length: if p.short_apdus_only {
                        ktpel_card_pcsc::ExtendedLength::Never
                    } else {
                        ktpel_card_pcsc::ExtendedLength::Auto
                    },
                    ..Default::default()
                },
            )),
        };
        let card_printer: Box<dyn CardPrinter> = match &cfg.card_printer {
            CardPrinterConfig::Sim(p) => {
                let d = ktpel_sim::SimCardPrinter::new(p.seed, None);
                keep(&mut sim, d.control(), p);
                Box::new(d)
            }
            CardPrinterConfig::Ipp(p) => {
                let mut c = ktpel_printer_ipp::IppConfig::new(p.uri.clone());
                c.media = p.media.clone();
                c.job_timeout = std::time::Duration::from_secs(p.job_timeout_seconds);
                match ktpel_printer_ipp::IppCardPrinter::new(c) {
                    Ok(d) => Box::new(d),
                    Err(e) => Box::new(Unavailable::new(DeviceKind::CardPrinter, "ipp", e)),
                }
            }
        };
        let escpos =
            |t: TransportConfig, paper_mm: u32, font: EscposFont| -> Box<dyn ReceiptPrinter> {
                let mut c = EscposConfig::new(t);
                c.encode = EncodeOptions::for_paper(
                    paper_mm,
                    match font {
                        EscposFont::A => Font::A,
                        EscposFont::B => Font::B,
                    },
                );
                Box::new(EscposPrinter::new(c))
            };
        let receipt_printer: Box<dyn ReceiptPrinter> = match &cfg.receipt_printer {
            ReceiptPrinterConfig::Sim(p) => {
                let d = ktpel_sim::SimReceiptPrinter::new(p.seed, None);
                keep(&mut sim, d.control(), p);
                Box::new(d)
            }
            ReceiptPrinterConfig::EscposSerial(s) => escpos(
                TransportConfig::Serial {
                    path: s.port.clone(),
                    baud: s.baud,
                },
                s.paper_mm,
                s.font,
            ),
            ReceiptPrinterConfig::EscposUsb(u) => escpos(
                TransportConfig::DeviceFile {
                    path: u.device.clone(),
                },
                u.paper_mm,
                u.font,
            ),
            ReceiptPrinterConfig::EscposTcp(t) => escpos(
                TransportConfig::Tcp {
                    addr: t.addr.clone(),
                },
                t.paper_mm,
                t.font,
            ),
        };
        Self {
            camera,
            fingerprint,
            iris,
            signature,
            card_encoder,
            card_printer,
            receipt_printer,
            sim,
        }
    }

    /// A full set of simulated devices (tests, benchmarks, demonstrations).
    pub fn simulated(seed: u64) -> Self {
        Self::from_config(&simulated_config(seed))
    }

    /// A new applicant: devices that keep captures between calls forget the last one's.
    pub fn begin_applicant(&mut self) {
        self.camera.begin_applicant();
        self.fingerprint.begin_applicant();
        self.iris.begin_applicant();
    }

    /// Puts simulated person `subject` in front of every simulated device.
    pub fn set_subject(&self, subject: u64) {
        for c in &self.sim {
            c.set_subject(subject);
        }
    }

    /// Every device with its role, for the self-test (a touchscreen signature has no device).
    pub fn all_mut(&mut self) -> Vec<(DeviceKind, &mut dyn Device)> {
        let mut all: Vec<(DeviceKind, &mut dyn Device)> = vec![
            (DeviceKind::Camera, self.camera.as_mut() as &mut dyn Device),
            (DeviceKind::FingerprintScanner, self.fingerprint.as_mut()),
            (DeviceKind::IrisScanner, self.iris.as_mut()),
        ];
        if let Some(pad) = self.signature.as_mut() {
            all.push((DeviceKind::SignaturePad, pad.as_mut()));
        }
        all.push((DeviceKind::CardEncoder, self.card_encoder.as_mut()));
        all.push((DeviceKind::CardPrinter, self.card_printer.as_mut()));
        all.push((DeviceKind::ReceiptPrinter, self.receipt_printer.as_mut()));
        all
    }
}

/// Every role with its simulated device, seeded from `seed`.
pub fn simulated_config(seed: u64) -> DevicesConfig {
    let p = |n: u64| SimParams {
        seed: seed.wrapping_mul(31).wrapping_add(n),
        unplugged: false,
    };
    DevicesConfig {
        camera: CameraConfig::Sim(p(1)),
        fingerprint: FingerprintConfig::Sim(p(2)),
        iris: IrisConfig::Sim(p(3)),
        signature: SignatureConfig::Sim(p(4)),
        card_encoder: CardEncoderConfig::Sim(p(5)),
        card_printer: CardPrinterConfig::Sim(p(6)),
        receipt_printer: ReceiptPrinterConfig::Sim(p(7)),
    }
}

/// A device the config names but that could not even be set up (its driver refused the
/// settings): every call answers why, so the self-test and the screens say it where it is
/// used instead of the booth failing to start.
pub struct Unavailable {
    kind: DeviceKind,
    driver: &'static str,
    error: ktpel_hal::DeviceError,
}

impl Unavailable {
    pub fn new(kind: DeviceKind, driver: &'static str, error: ktpel_hal::DeviceError) -> Self {
        tracing::error!(role = kind.as_str(), driver, error = %error, "device unavailable");
        Self {
            kind,
            driver,
            error,
        }
    }
}

impl Device for Unavailable {
    fn info(&self) -> ktpel_hal::DeviceInfo {
        ktpel_hal::DeviceInfo {
            kind: self.kind,
            driver: self.driver.into(),
            model: "unavailable".into(),
            serial: String::new(),
            firmware: String::new(),
        }
    }

    fn self_test(&mut self) -> ktpel_hal::DeviceResult<ktpel_hal::SelfTestReport> {
        Err(self.error.clone())
    }
}

impl Camera for Unavailable {
    fn preview_frame(&mut self) -> ktpel_hal::DeviceResult<ktpel_hal::Frame> {
        Err(self.error.clone())
    }
    fn capture_face(&mut self) -> ktpel_hal::DeviceResult<ktpel_hal::FaceCapture> {
        Err(self.error.clone())
    }
}

impl FingerprintScanner for Unavailable {
    fn capture_finger(
        &mut self,
        _position: ktpel_hal::FingerPosition,
        _timeout: std::time::Duration,
    ) -> ktpel_hal::DeviceResult<ktpel_hal::FingerCapture> {
        Err(self.error.clone())
    }
}

impl IrisScanner for Unavailable {
    fn capture_iris(
        &mut self,
        _eye: ktpel_hal::Eye,
        _timeout: std::time::Duration,
    ) -> ktpel_hal::DeviceResult<ktpel_hal::IrisCapture> {
        Err(self.error.clone())
    }
}

impl CardPrinter for Unavailable {
    fn print_card(&mut self, _front: &ktpel_hal::EncodedImage) -> ktpel_hal::DeviceResult<String> {
        Err(self.error.clone())
    }
}
