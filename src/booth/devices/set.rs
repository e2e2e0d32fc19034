//! The booth's devices at run time: each role on a [`Worker`] thread of its own, so a device
//! that hangs holds up only its role. Built from the [`Devices`] the config names.

use ktpel_hal::{
    Camera, CardEncoder, CardPrinter, DeviceError, DeviceKind, FingerprintScanner, IrisScanner,
    ReceiptPrinter, SignaturePad,
};
use ktpel_sim::SimControl;
use std::time::Duration;

use super::{Devices, Worker};
use crate::booth::selftest::{self, DeviceReport};

/// How long a self-test may wait for a role that is busy before it reports it as such.
pub const SELF_TEST_LIMIT: Duration = Duration::from_secs(30);

/// Every role's worker. Cheap to clone.
#[derive(Clone)]
pub struct DeviceSet {
    pub camera: Worker<dyn Camera>,
    pub fingerprint: Worker<dyn FingerprintScanner>,
    pub iris: Worker<dyn IrisScanner>,
    /// `None` when the applicant signs on the touchscreen.
    pub signature: Option<Worker<dyn SignaturePad>>,
    pub card_encoder: Worker<dyn CardEncoder>,
    pub card_printer: Worker<dyn CardPrinter>,
    pub receipt_printer: Worker<dyn ReceiptPrinter>,
    /// The simulated devices' controls (the person in front of the booth, scripted faults).
    sim: Vec<SimControl>,
}

impl std::fmt::Debug for DeviceSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceSet({} simulated)", self.sim.len())
    }
}

impl DeviceSet {
    /// Puts every device on its own thread.
    pub fn spawn(d: Devices) -> Self {
        Self {
            camera: Worker::spawn(DeviceKind::Camera, d.camera),
            fingerprint: Worker::spawn(DeviceKind::FingerprintScanner, d.fingerprint),
            iris: Worker::spawn(DeviceKind::IrisScanner, d.iris),
            signature: d
                .signature
                .map(|s| Worker::spawn(DeviceKind::SignaturePad, s)),
            card_encoder: Worker::spawn(DeviceKind::CardEncoder, d.card_encoder),
            card_printer: Worker::spawn(DeviceKind::CardPrinter, d.card_printer),
            receipt_printer: Worker::spawn(DeviceKind::ReceiptPrinter, d.receipt_printer),
            sim: d.sim,
        }
    }

    /// The roles the booth has a device in (all but a touchscreen signature).
    pub fn roles(&self) -> Vec<DeviceKind> {
        DeviceKind::ALL
            .into_iter()
            .filter(|k| *k != DeviceKind::SignaturePad || self.signature.is_some())
            .collect()
    }

    /// Whether the device in `role` is in the middle of a call.
    pub fn is_busy(&self, role: DeviceKind) -> bool {
        match role {
            DeviceKind::Camera => self.camera.is_busy(),
            DeviceKind::FingerprintScanner => self.fingerprint.is_busy(),
            DeviceKind::IrisScanner => self.iris.is_busy(),
            DeviceKind::SignaturePad => self.signature.as_ref().is_some_and(Worker::is_busy),
            DeviceKind::CardEncoder => self.card_encoder.is_busy(),
            DeviceKind::CardPrinter => self.card_printer.is_busy(),
            DeviceKind::ReceiptPrinter => self.receipt_printer.is_busy(),
        }
    }

    /// The simulated device in `role`'s control, when that device is simulated.
    pub fn sim(&self, role: DeviceKind) -> Option<SimControl> {
        self.sim.iter().find(|c| c.kind() == role).cloned()
    }

    /// Puts simulated person `subject` in front of every simulated device.
    pub fn set_subject(&self, subject: u64) {
        for c in &self.sim {
            c.set_subject(subject);
        }
    }

    /// A new applicant: devices that keep captures between calls forget the last one's.
    pub async fn begin_applicant(&self) -> Result<(), DeviceError> {
        self.camera.call(|c| c.begin_applicant()).await?;
        self.fingerprint.call(|f| f.begin_applicant()).await?;
        self.iris.call(|i| i.begin_applicant()).await?;
        Ok(())
    }

    /// Self-tests the device in `role` on its own worker; a role still busy after `limit` is
    /// reported as busy rather than waited for (`None` when the booth has no device there).
    pub async fn self_test(&self, role: DeviceKind, limit: Duration) -> Option<DeviceReport> {
        let answer = match role {
            DeviceKind::Camera => {
                self.camera
                    .call_within(limit, move |d| selftest::test_one(role, d))
                    .await
            }
            DeviceKind::FingerprintScanner => {
                self.fingerprint
                    .call_within(limit, move |d| selftest::test_one(role, d))
                    .await
            }
            DeviceKind::IrisScanner => {
                self.iris
                    .call_within(limit, move |d| selftest::test_one(role, d))
                    .await
            }
            DeviceKind::SignaturePad => {
                self.signature
                    .as_ref()?
                    .call_within(limit, move |d| selftest::test_one(role, d))
                    .await
            }
            DeviceKind::CardEncoder => {
                self.card_encoder
                    .call_within(limit, move |d| selftest::test_one(role, d))
                    .await
            }
            DeviceKind::CardPrinter => {
                self.card_printer
                    .call_within(limit, move |d| selftest::test_one(role, d))
                    .await
            }
            DeviceKind::ReceiptPrinter => {
                self.receipt_printer
                    .call_within(limit, move |d| selftest::test_one(role, d))
                    .await
            }
        };
        Some(answer.unwrap_or_else(|e| selftest::unreachable(role, e)))
    }

    /// Self-tests every role at once, each on its own worker.
    pub async fn self_test_all(&self, limit: Duration) -> Vec<DeviceReport> {
        let tests = self.roles().into_iter().map(|r| self.self_test(r, limit));
        futures::future::join_all(tests)
            .await
            .into_iter()
            .flatten()
            .collect()
    }
}
