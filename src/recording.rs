//! The recording step of the SOP over the device traits: face, ten fingers in the fixed order
//! (an exception where the operator recorded one), both irises, signature. The kiosk drives the
//! same calls one at a time with retakes; this runs them in one go for tools, tests and benches.

use jiff::Timestamp;
use ktpel_hal::{
    DeviceResult, Eye, FingerException, FingerPosition, FingerRecord, IrisException, IrisRecord,
};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

use crate::devices::Devices;
use crate::domain::resident::Resident;
use crate::enrollment::{Enrollment, StepTiming};

/// How long a finger, an iris or a signature may take before the device gives up.
pub const CAPTURE_TIMEOUT: Duration = Duration::from_secs(20);

/// Exceptions the operator recorded for fingers and eyes that cannot be captured.
#[derive(Debug, Clone, Default)]
pub struct Exceptions {
    pub fingers: BTreeMap<FingerPosition, FingerException>,
    pub eyes: BTreeMap<Eye, IrisException>,
}

/// Captures everything for `resident` and assembles the enrollment (still in memory).
pub fn capture_enrollment(
    devices: &mut Devices,
    resident: Resident,
    exceptions: &Exceptions,
    booth_id: &str,
    operator_id: &str,
    now: Timestamp,
) -> DeviceResult<Enrollment> {
    let started = std::time::Instant::now();
    let face = devices.camera.capture_face()?;
    let mut fingers = Vec::with_capacity(10);
    for position in FingerPosition::ALL {
        fingers.push(match exceptions.fingers.get(&position) {
            Some(&exception) => FingerRecord::Exception {
                position,
                exception,
            },
            None => FingerRecord::Captured(
                devices
                    .fingerprint
                    .capture_finger(position, CAPTURE_TIMEOUT)?,
            ),
        });
    }
    let mut irises = Vec::with_capacity(2);
    for eye in Eye::BOTH {
        irises.push(match exceptions.eyes.get(&eye) {
            Some(&exception) => IrisRecord::Exception { eye, exception },
            None => IrisRecord::Captured(devices.iris.capture_iris(eye, CAPTURE_TIMEOUT)?),
        });
    }
    devices.signature.clear()?;
    let signature = devices.signature.capture_signature(CAPTURE_TIMEOUT)?;
    Ok(Enrollment {
        packet_id: Uuid::now_v7(),
        booth_id: booth_id.into(),
        operator_id: operator_id.into(),
        recorded_at_ms: now.as_millisecond(),
        resident,
        face,
        fingers,
        irises,
        signature,
        step_timings: vec![StepTiming {
            step: "perekaman".into(),
            seconds: started.elapsed().as_secs() as u32,
        }],
    })
}
