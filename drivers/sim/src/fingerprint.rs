//! `SimFingerprint`: a single-finger optical scanner like the R30x/ZFM modules (256 × 288,
//! 500 ppi) imaging synthetic fingers ([`crate::finger`]).

use crate::control::SimControl;
use crate::device::{self, acquisition_rng, check, draw_quality, step, SELF_TEST_MIN_QUALITY};
use crate::finger::{FingerPattern, FINGER_HEIGHT, FINGER_PPI, FINGER_WIDTH};
use crate::imaging::{add_noise, box_blur, contrast, wash_out};
use crate::rng::SimRng;
use ktpel_hal::{
    Device, DeviceInfo, DeviceKind, DeviceResult, FingerCapture, FingerPosition,
    FingerprintScanner, SelfTestReport,
};
use std::time::Duration;

/// A simulated fingerprint scanner.
#[derive(Debug)]
pub struct SimFingerprint {
    seed: u64,
    control: SimControl,
}

impl SimFingerprint {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            control: SimControl::new(DeviceKind::FingerprintScanner),
        }
    }

    /// The handle that scripts this scanner.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }
}

impl Device for SimFingerprint {
    fn info(&self) -> DeviceInfo {
        device::info(
            DeviceKind::FingerprintScanner,
            "Sim R307 optical 256x288 500ppi",
            self.seed,
        )
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span =
            tracing::debug_span!("sim_device", device = "fingerprint", op = "self_test").entered();
        let mut checks = vec![check("connection", true, "scanner answers")];
        let capture = self.capture_finger(FingerPosition::RightIndex, Duration::from_secs(1));
        checks.extend(step("capture", capture, |c| {
            let contrast = contrast(&c.image.pixels);
            vec![
                check(
                    "sensor",
                    c.image.width == FINGER_WIDTH
                        && c.image.height == FINGER_HEIGHT
                        && c.resolution_ppi == FINGER_PPI,
                    format!(
                        "{}x{} at {} ppi",
                        c.image.width, c.image.height, c.resolution_ppi
                    ),
                ),
                check("contrast", contrast >= 80, format!("contrast {contrast}")),
                check(
                    "quality",
                    c.quality.0 >= SELF_TEST_MIN_QUALITY,
                    format!("quality {}", c.quality.0),
                ),
            ]
        })?);
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl FingerprintScanner for SimFingerprint {
    fn capture_finger(
        &mut self,
        position: FingerPosition,
        _timeout: Duration,
    ) -> DeviceResult<FingerCapture> {
        let _span = tracing::debug_span!(
            "sim_device",
            device = "fingerprint",
            op = "capture_finger",
            finger = position.as_str()
        )
        .entered();
        let call = self.control.begin("capture_finger")?;
        let mut image = FingerPattern::generate(call.subject, position).render();
        let mut rng = acquisition_rng(
            self.seed,
            call.subject,
            call.index,
            u64::from(position.iso_code()),
        );
        acquire(&mut image.pixels, call.poor_quality, &mut rng);
        let quality = draw_quality(&mut rng, call.poor_quality, (60, 95));
        tracing::debug!(quality = quality.0, "finger captured");
        Ok(FingerCapture {
            position,
            image,
            resolution_ppi: FINGER_PPI,
            quality,
        })
    }
}

/// What the glass adds: a brightness shift and sensor noise; a bad placement smears, washes
/// out and adds heavy noise.
fn acquire(pixels: &mut [u8], poor: bool, rng: &mut SimRng) {
    if poor {
        box_blur(pixels, FINGER_WIDTH as usize, FINGER_HEIGHT as usize, 1, 3);
        wash_out(pixels, 225, 0.55);
        add_noise(pixels, 30.0, rng);
    } else {
        let shift = rng.range(-6.0, 6.0);
        for p in pixels.iter_mut() {
            *p = (f32::from(*p) + shift).clamp(0.0, 255.0) as u8;
        }
        add_noise(pixels, 4.0, rng);
    }
}
