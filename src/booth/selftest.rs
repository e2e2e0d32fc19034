//! The technician's self-test: every configured device says who it is and what it checked;
//! a failing one says what to look at next.

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
    /// What the technician should look at next, when it failed.
    pub next_step: Option<String>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportError {
    pub kind: ErrorKind,
    pub message: String,
}

/// Advice for a failure, by what went wrong.
pub fn next_step(kind: Option<ErrorKind>) -> &'static str {
    match kind {
        Some(ErrorKind::Disconnected) => {
            "check the cable and the device's power, then run the self-test again"
        }
        Some(ErrorKind::Timeout) => {
            "the device did not answer: check the port and speed in the config and that no \
             other program holds the port"
        }
        Some(ErrorKind::NotPresent) => {
            "no device was found at the configured place: check the config and the connection"
        }
        Some(ErrorKind::Busy) => "the device is busy: wait a moment and try again",
        Some(ErrorKind::NeedsAttention) => {
            "the device needs a person: load paper or blank cards, close the cover"
        }
        Some(ErrorKind::BadData) => {
            "the device answered with data that make no sense: check the driver chosen in the \
             config matches the device"
        }
        Some(_) => "see the message; if it repeats, restart the device",
        None => "a check failed: see its detail",
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
    let next = (!passed).then(|| next_step(failure_kind(&error, &checks)).to_string());
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
        next_step: next,
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
    let failure = Some(e.kind);
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
        next_step: Some(next_step(failure).to_string()),
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
