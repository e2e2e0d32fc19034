//! What every simulated device shares: its identity, capture quality draws and self-test
//! checks.

use crate::rng::{mix, SimRng};
use ktpel_hal::{Check, DeviceInfo, DeviceKind, DeviceResult, ErrorKind, Quality};

/// Who a simulated device is; the serial follows from its construction seed.
pub(crate) fn info(kind: DeviceKind, model: &str, seed: u64) -> DeviceInfo {
    let code = match kind {
        DeviceKind::Camera => "CAM",
        DeviceKind::FingerprintScanner => "FPR",
        DeviceKind::IrisScanner => "IRS",
        DeviceKind::SignaturePad => "SIG",
        DeviceKind::CardEncoder => "ENC",
        DeviceKind::CardPrinter => "CPR",
        DeviceKind::ReceiptPrinter => "RPR",
    };
    let serial = mix(&[seed, kind as u64]) as u32;
    DeviceInfo {
        kind,
        driver: "sim".into(),
        model: model.into(),
        serial: format!("SIM-{code}-{serial:08X}"),
        firmware: "sim-1".into(),
    }
}

/// The randomness of one acquisition: a function of the device, the person and the call.
pub(crate) fn acquisition_rng(seed: u64, subject: u64, call_index: u64, what: u64) -> SimRng {
    SimRng::new(mix(&[seed, subject, call_index, what]))
}

/// A capture's quality: `normal` range usually, 5–25 when degraded.
pub(crate) fn draw_quality(rng: &mut SimRng, poor: bool, normal: (u32, u32)) -> Quality {
    let q = if poor {
        rng.int(5, 25)
    } else {
        rng.int(normal.0, normal.1)
    };
    Quality(q.min(100) as u8)
}

/// Below this a self-test capture counts as failed.
pub(crate) const SELF_TEST_MIN_QUALITY: u8 = 40;

/// A check and how it went (every simulator's self-test speaks in these).
pub(crate) fn check(name: &str, passed: bool, detail: impl Into<String>) -> Check {
    Check::new(name, passed, detail)
}

/// Turns one self-test step into checks: an unreachable device (`Disconnected`) aborts the
/// self-test with that error; any other error is a failed check.
pub(crate) fn step<T>(
    name: &str,
    result: DeviceResult<T>,
    judge: impl FnOnce(T) -> Vec<Check>,
) -> DeviceResult<Vec<Check>> {
    match result {
        Ok(value) => Ok(judge(value)),
        Err(e) if e.kind == ErrorKind::Disconnected => Err(e),
        Err(e) => Ok(vec![Check::failed(name, e.kind, e.to_string())]),
    }
}
