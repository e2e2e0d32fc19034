//! The technician's self-test: every configured device says who it is and what it checked;
//! a failing one says what to look at next.
//!
//! Screens translate by kind: each check's [`CheckKind`] (from the stable names the drivers
//! give their checks) and the [`Advice`] for a failure (from the error's kind and the driver).
//! The drivers' own words (`Check::detail`, the error message) are technical detail.

use ktpel_hal::{Check, DeviceKind, ErrorKind};
use serde::Serialize;
use std::fmt::Write as _;
use std::time::Instant;

use crate::booth::devices::Devices;
use crate::config::Config;

#[derive(Debug, Clone, Serialize)]
pub struct DeviceReport {
    #[serde(skip)]
    pub kind: DeviceKind,
    pub role: &'static str,
    pub driver: String,
    pub model: String,
    pub serial: String,
    pub firmware: String,
    pub passed: bool,
    pub checks: Vec<Check>,
    /// Why the device could not be reached at all.
    pub error: Option<ReportError>,
    /// What the technician should look at next, when it failed (by kind, for translation).
    pub advice: Option<Advice>,
    /// The same advice in words (the command line's).
    pub next_step: Option<String>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportError {
    pub kind: ErrorKind,
    pub message: String,
}

/// What to look at next after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Advice {
    /// Cable and power.
    CheckCable,
    /// A serial device that answers only its own address, password and speed (ZFM): all three.
    CheckAddressPasswordSpeed,
    /// A serial device that did not answer: port and speed.
    CheckPortAndSpeed,
    /// Any other device that did not answer.
    NoAnswer,
    /// Nothing at the configured place.
    CheckConfigPlace,
    Wait,
    /// Paper, blank cards, the cover.
    NeedsPerson,
    /// An SBI device that is not registered, not ready, or whose certificate is not pinned.
    CheckSbiDevice,
    /// The driver chosen does not fit the device.
    CheckDriver,
    /// The device refused the configured password.
    CheckPassword,
    /// See the detail; restart the device if it repeats.
    SeeDetail,
    /// A check failed without a device error: see its detail.
    SeeCheck,
}

impl Advice {
    pub const ALL: [Advice; 12] = [
        Advice::CheckCable,
        Advice::CheckAddressPasswordSpeed,
        Advice::CheckPortAndSpeed,
        Advice::NoAnswer,
        Advice::CheckConfigPlace,
        Advice::Wait,
        Advice::NeedsPerson,
        Advice::CheckSbiDevice,
        Advice::CheckDriver,
        Advice::CheckPassword,
        Advice::SeeDetail,
        Advice::SeeCheck,
    ];

    /// The advice for a failure of `kind` (none: a check failed without an error) on a device
    /// spoken to by `driver`.
    pub fn for_failure(kind: Option<ErrorKind>, driver: &str) -> Self {
        match kind {
            Some(ErrorKind::Disconnected) => Advice::CheckCable,
            Some(ErrorKind::Timeout) => match driver {
                "zfm" => Advice::CheckAddressPasswordSpeed,
                "isdv4" | "escpos" => Advice::CheckPortAndSpeed,
                _ => Advice::NoAnswer,
            },
            Some(ErrorKind::NotPresent) => Advice::CheckConfigPlace,
            Some(ErrorKind::Busy) => Advice::Wait,
            Some(ErrorKind::NeedsAttention) if driver == "sbi" => Advice::CheckSbiDevice,
            Some(ErrorKind::NeedsAttention) => Advice::NeedsPerson,
            Some(ErrorKind::BadData) => Advice::CheckDriver,
            Some(ErrorKind::AccessDenied) => Advice::CheckPassword,
            Some(_) => Advice::SeeDetail,
            None => Advice::SeeCheck,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Advice::CheckCable => "check_cable",
            Advice::CheckAddressPasswordSpeed => "check_address_password_speed",
            Advice::CheckPortAndSpeed => "check_port_and_speed",
            Advice::NoAnswer => "no_answer",
            Advice::CheckConfigPlace => "check_config_place",
            Advice::Wait => "wait",
            Advice::NeedsPerson => "needs_person",
            Advice::CheckSbiDevice => "check_sbi_device",
            Advice::CheckDriver => "check_driver",
            Advice::CheckPassword => "check_password",
            Advice::SeeDetail => "see_detail",
            Advice::SeeCheck => "see_check",
        }
    }

    /// The advice in words, for the command line.
    pub fn text(self) -> &'static str {
        match self {
            Advice::CheckCable => {
                "check the cable and the device's power, then run the self-test again"
            }
            Advice::CheckAddressPasswordSpeed => {
                "the device is silent on an open port: check its address, password and speed \
                 (baud) in the config against the device's, and that no other program holds \
                 the port"
            }
            Advice::CheckPortAndSpeed => {
                "the device did not answer: check the port and speed in the config and that no \
                 other program holds the port"
            }
            Advice::NoAnswer => {
                "the device did not answer: check the config and that no other program holds \
                 the device"
            }
            Advice::CheckConfigPlace => {
                "no device was found at the configured place: check the config and the connection"
            }
            Advice::Wait => "the device is busy: wait a moment and try again",
            Advice::NeedsPerson => {
                "the device needs a person: load paper or blank cards, close the cover"
            }
            Advice::CheckSbiDevice => {
                "the SBI device is not usable as it is: register it, wait until it is ready, or \
                 pin its certificate in trusted_certificates (see the detail)"
            }
            Advice::CheckDriver => {
                "the device answered with data that make no sense: check the driver chosen in the \
                 config matches the device"
            }
            Advice::CheckPassword => {
                "the device refused the password: set the device's password in the config"
            }
            Advice::SeeDetail => "see the message; if it repeats, restart the device",
            Advice::SeeCheck => "a check failed: see its detail",
        }
    }
}

/// Advice for a failure, by what went wrong (any driver).
pub fn next_step(kind: Option<ErrorKind>) -> &'static str {
    Advice::for_failure(kind, "").text()
}

/// What a check looked at, by the stable names the drivers give their checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Connection,
    Port,
    Handshake,
    Parameters,
    Sensor,
    ImageUpload,
    LiveRead,
    Query,
    Status,
    Online,
    Paper,
    CardHopper,
    Cover,
    SignedInfo,
    CertificateTrust,
    CertificateValidity,
    Preview,
    PreviewRate,
    Modes,
    PreviewFrame,
    StillFrame,
    Contrast,
    Still,
    Capture,
    Clear,
    Render,
    Chip,
    SpoolFolder,
    Reader,
    Readers,
    Card,
    Pcscd,
    Reachable,
    State,
    TakesPng,
    Media,
    PreviewSize,
    Quality,
    DigitizerRange,
    Illumination,
    PrintServer,
    /// A name this booth does not know (shown as the driver gives it).
    Other,
}

impl CheckKind {
    pub const ALL: [CheckKind; 42] = [
        CheckKind::Connection,
        CheckKind::Port,
        CheckKind::Handshake,
        CheckKind::Parameters,
        CheckKind::Sensor,
        CheckKind::ImageUpload,
        CheckKind::LiveRead,
        CheckKind::Query,
        CheckKind::Status,
        CheckKind::Online,
        CheckKind::Paper,
        CheckKind::CardHopper,
        CheckKind::Cover,
        CheckKind::SignedInfo,
        CheckKind::CertificateTrust,
        CheckKind::CertificateValidity,
        CheckKind::Preview,
        CheckKind::PreviewRate,
        CheckKind::Modes,
        CheckKind::PreviewFrame,
        CheckKind::StillFrame,
        CheckKind::Contrast,
        CheckKind::Still,
        CheckKind::Capture,
        CheckKind::Clear,
        CheckKind::Render,
        CheckKind::Chip,
        CheckKind::SpoolFolder,
        CheckKind::Reader,
        CheckKind::Readers,
        CheckKind::Card,
        CheckKind::Pcscd,
        CheckKind::Reachable,
        CheckKind::State,
        CheckKind::TakesPng,
        CheckKind::Media,
        CheckKind::PreviewSize,
        CheckKind::Quality,
        CheckKind::DigitizerRange,
        CheckKind::Illumination,
        CheckKind::PrintServer,
        CheckKind::Other,
    ];

    /// The kind of the check a driver named `name`.
    pub fn of(name: &str) -> Self {
        match name {
            "connection" => CheckKind::Connection,
            "port" => CheckKind::Port,
            "handshake" => CheckKind::Handshake,
            "parameters" => CheckKind::Parameters,
            "sensor" => CheckKind::Sensor,
            "image upload" => CheckKind::ImageUpload,
            "live read" => CheckKind::LiveRead,
            "query" => CheckKind::Query,
            "status" => CheckKind::Status,
            "online" => CheckKind::Online,
            "paper" => CheckKind::Paper,
            "card hopper" => CheckKind::CardHopper,
            "cover" => CheckKind::Cover,
            "signed device info" => CheckKind::SignedInfo,
            "certificate trust" => CheckKind::CertificateTrust,
            "certificate validity" => CheckKind::CertificateValidity,
            "preview" => CheckKind::Preview,
            "preview frame rate" => CheckKind::PreviewRate,
            "modes" => CheckKind::Modes,
            "preview frame" => CheckKind::PreviewFrame,
            "still frame" => CheckKind::StillFrame,
            "contrast" | "preview contrast" | "still contrast" => CheckKind::Contrast,
            "still" => CheckKind::Still,
            "capture" => CheckKind::Capture,
            "clear" => CheckKind::Clear,
            "render" => CheckKind::Render,
            "select MF" => CheckKind::Chip,
            "spool folder" => CheckKind::SpoolFolder,
            "reader" => CheckKind::Reader,
            "readers" => CheckKind::Readers,
            "card" => CheckKind::Card,
            "pcscd" => CheckKind::Pcscd,
            "reachable" => CheckKind::Reachable,
            "state" => CheckKind::State,
            "takes PNG" => CheckKind::TakesPng,
            "media" => CheckKind::Media,
            "preview size" => CheckKind::PreviewSize,
            "quality" | "still quality" => CheckKind::Quality,
            "digitizer range" => CheckKind::DigitizerRange,
            "illumination" => CheckKind::Illumination,
            "CUPS-Get-Printers" => CheckKind::PrintServer,
            _ => CheckKind::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Connection => "connection",
            CheckKind::Port => "port",
            CheckKind::Handshake => "handshake",
            CheckKind::Parameters => "parameters",
            CheckKind::Sensor => "sensor",
            CheckKind::ImageUpload => "image_upload",
            CheckKind::LiveRead => "live_read",
            CheckKind::Query => "query",
            CheckKind::Status => "status",
            CheckKind::Online => "online",
            CheckKind::Paper => "paper",
            CheckKind::CardHopper => "card_hopper",
            CheckKind::Cover => "cover",
            CheckKind::SignedInfo => "signed_info",
            CheckKind::CertificateTrust => "certificate_trust",
            CheckKind::CertificateValidity => "certificate_validity",
            CheckKind::Preview => "preview",
            CheckKind::PreviewRate => "preview_rate",
            CheckKind::Modes => "modes",
            CheckKind::PreviewFrame => "preview_frame",
            CheckKind::StillFrame => "still_frame",
            CheckKind::Contrast => "contrast",
            CheckKind::Still => "still",
            CheckKind::Capture => "capture",
            CheckKind::Clear => "clear",
            CheckKind::Render => "render",
            CheckKind::Chip => "chip",
            CheckKind::SpoolFolder => "spool_folder",
            CheckKind::Reader => "reader",
            CheckKind::Readers => "readers",
            CheckKind::Card => "card",
            CheckKind::Pcscd => "pcscd",
            CheckKind::Reachable => "reachable",
            CheckKind::State => "state",
            CheckKind::TakesPng => "takes_png",
            CheckKind::Media => "media",
            CheckKind::PreviewSize => "preview_size",
            CheckKind::Quality => "quality",
            CheckKind::DigitizerRange => "digitizer_range",
            CheckKind::Illumination => "illumination",
            CheckKind::PrintServer => "print_server",

            CheckKind::Other => "other",
        }
    }
}

pub fn run(devices: &mut Devices) -> Vec<DeviceReport> {
    devices
        .all_mut()
        .into_iter()
        .map(|(kind, device)| test_one(kind, device))
        .collect()
}

/// Tests the device in one role (`None` when the booth has no device in it, e.g. a
/// touchscreen signature).
pub fn run_role(devices: &mut Devices, role: DeviceKind) -> Option<DeviceReport> {
    devices
        .all_mut()
        .into_iter()
        .find(|(kind, _)| *kind == role)
        .map(|(kind, device)| test_one(kind, device))
}

/// Runs one device's self-test and says what to do when it fails.
pub fn test_one(kind: DeviceKind, device: &mut dyn ktpel_hal::Device) -> DeviceReport {
    let _span = tracing::info_span!("device.self_test", role = kind.as_str()).entered();
    let started = Instant::now();
    let result = device.self_test();
    // After the test: a driver learns the device's identity by talking to it.
    let info = device.info();
    let duration_ms = started.elapsed().as_millis() as u64;
    let (passed, checks, error) = match result {
        Ok(report) => (report.passed(), report.checks, None),
        Err(e) => (
            false,
            Vec::new(),
            Some(ReportError {
                kind: e.kind,
                message: e.message,
            }),
        ),
    };
    let advice =
        (!passed).then(|| Advice::for_failure(failure_kind(&error, &checks), &info.driver));
    DeviceReport {
        kind,
        role: role_name(kind),
        driver: info.driver,
        model: info.model,
        serial: info.serial,
        firmware: info.firmware,
        passed,
        checks,
        error,
        advice,
        next_step: advice.map(|a| a.text().to_string()),
        duration_ms,
    }
}

fn failure_kind(error: &Option<ReportError>, checks: &[Check]) -> Option<ErrorKind> {
    error
        .as_ref()
        .map(|e| e.kind)
        .or_else(|| checks.iter().find(|c| !c.passed).and_then(|c| c.kind))
}

fn role_name(kind: DeviceKind) -> &'static str {
    kind.as_str()
}

/// Builds the configured devices and tests each one.
pub fn run_all(config: &Config) -> Vec<DeviceReport> {
    let mut devices = Devices::from_config(&config.devices);
    run(&mut devices)
}

/// The report for a role whose device could not even be asked (its worker is busy with a call
/// that does not end, or stopped).
pub fn unreachable(kind: DeviceKind, e: ktpel_hal::DeviceError) -> DeviceReport {
    let advice = Advice::for_failure(Some(e.kind), "");
    DeviceReport {
        kind,
        role: role_name(kind),
        driver: String::new(),
        model: "?".into(),
        serial: String::new(),
        firmware: String::new(),
        passed: false,
        checks: Vec::new(),
        error: Some(ReportError {
            kind: e.kind,
            message: e.message,
        }),
        advice: Some(advice),
        next_step: Some(advice.text().to_string()),
        duration_ms: 0,
    }
}

impl DeviceReport {
    /// What went wrong, when it failed: the error's kind, or the first failed check's.
    pub fn failure(&self) -> Option<ErrorKind> {
        if self.passed {
            return None;
        }
        failure_kind(&self.error, &self.checks)
    }

    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{} {:<16} {} (serial {}, firmware {}, driver {}) — {} ms",
            if self.passed { "PASS" } else { "FAIL" },
            self.role,
            self.model,
            self.serial,
            self.firmware,
            self.driver,
            self.duration_ms
        );
        for c in &self.checks {
            let _ = write!(
                s,
                "\n       [{}] {}: {}",
                if c.passed { "ok" } else { "!!" },
                c.name,
                c.detail
            );
        }
        if let Some(e) = &self.error {
            let _ = write!(s, "\n       error ({}): {}", e.kind, e.message);
        }
        if let Some(n) = &self.next_step {
            let _ = write!(s, "\n       next: {n}");
        }
        s
    }
}

impl crate::queue::selftests::SelftestRow for DeviceReport {
    fn role(&self) -> &str {
        self.role
    }
    fn driver(&self) -> &str {
        &self.driver
    }
    fn model(&self) -> &str {
        &self.model
    }
    fn serial(&self) -> &str {
        &self.serial
    }
    fn passed(&self) -> bool {
        self.passed
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ktpel_fingerprint_zfm::{ZfmConfig, ZfmScanner};
    use ktpel_sim::serial::{serve_zfm, Pace, PtyDevice, ZfmSimOptions};
    use std::time::Duration;

    fn module(opts: ZfmSimOptions) -> PtyDevice {
        PtyDevice::plug_in("fingerprint", move |port, stop| {
            serve_zfm(port, opts.clone(), stop)
        })
        .unwrap()
    }

    fn scanner(pty: &PtyDevice, address: u32, password: u32) -> ZfmScanner {
        let mut c = ZfmConfig::new(pty.link().to_string_lossy());
        c.reply_timeout = Duration::from_millis(300);
        c.address = address;
        c.password = password;
        ZfmScanner::new(c)
    }

    /// A fingerprint module silent on an open port (another address) gets advice naming address,
    /// password and speed; one that refuses the password gets advice about the password — not
    /// "check the port" nor "restart the device".
    #[test]
    fn a_zfm_failure_gets_advice_about_its_settings() {
        let pty = module(ZfmSimOptions {
            pace: Pace::Instant,
            password: 0x0BAD_CAFE,
            ..ZfmSimOptions::default()
        });
        let mut silent = scanner(&pty, 0x1234_5678, 0x0BAD_CAFE);
        let r = test_one(DeviceKind::FingerprintScanner, &mut silent);
        assert!(!r.passed);
        assert_eq!(r.advice, Some(Advice::CheckAddressPasswordSpeed), "{r:?}");
        let next = r.next_step.unwrap();
        assert!(
            next.contains("address") && next.contains("password") && next.contains("speed"),
            "{next}"
        );
        drop(silent);

        let mut refused = scanner(&pty, 0xFFFF_FFFF, 0);
        let r = test_one(DeviceKind::FingerprintScanner, &mut refused);
        assert_eq!(r.failure(), Some(ErrorKind::AccessDenied), "{r:?}");
        assert_eq!(r.advice, Some(Advice::CheckPassword));
        assert!(r.next_step.unwrap().contains("password"));
        drop(refused);

        let mut right = scanner(&pty, 0xFFFF_FFFF, 0x0BAD_CAFE);
        let r = test_one(DeviceKind::FingerprintScanner, &mut right);
        assert!(r.passed, "{r:?}");
        assert_eq!(r.advice, None);
    }

    #[test]
    fn every_check_a_driver_names_has_its_kind() {
        for name in [
            "connection",
            "port",
            "handshake",
            "parameters",
            "sensor",
            "image upload",
            "live read",
            "query",
            "status",
            "online",
            "paper",
            "cover",
            "certificate trust",
            "signed device info",
        ] {
            assert_ne!(CheckKind::of(name), CheckKind::Other, "{name}");
        }
        assert_eq!(CheckKind::of("something new"), CheckKind::Other);
    }

    /// What the default (simulated) booth's self-test says is all in the operator's language:
    /// no check falls back to the driver's English name ("preview size" did).
    #[test]
    fn the_simulated_devices_checks_all_have_their_kind() {
        let config = Config::load(None).unwrap();
        let reports = run_all(&config);
        assert!(!reports.is_empty());
        for r in &reports {
            for c in &r.checks {
                assert_ne!(
                    CheckKind::of(&c.name),
                    CheckKind::Other,
                    "{}: check {:?} has no kind (and so no translation)",
                    r.role,
                    c.name
                );
            }
        }
    }
}
