//! `SimIris`: a monocular near-infrared iris camera (640 × 480 grey) imaging synthetic eyes
//! ([`crate::iris`]).

use crate::control::SimControl;
use crate::device::{self, acquisition_rng, check, draw_quality, step, SELF_TEST_MIN_QUALITY};
use crate::imaging::{add_noise, box_blur, contrast, wash_out};
use crate::iris::{IrisModel, IRIS_HEIGHT, IRIS_WIDTH};
use ktpel_hal::{
    Device, DeviceInfo, DeviceKind, DeviceResult, Eye, IrisCapture, IrisScanner, SelfTestReport,
};
use std::time::Duration;

/// A simulated iris scanner.
#[derive(Debug)]
pub struct SimIris {
    seed: u64,
    control: SimControl,
}

impl SimIris {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            control: SimControl::new(DeviceKind::IrisScanner),
        }
    }

    /// The handle that scripts this scanner.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }
}

impl Device for SimIris {
    fn info(&self) -> DeviceInfo {
        device::info(
            DeviceKind::IrisScanner,
            "Sim SBI Iris Mono NIR 640x480",
            self.seed,
        )
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span = tracing::debug_span!("sim_device", device = "iris", op = "self_test").entered();
        let mut checks = vec![check("connection", true, "scanner answers")];
        let capture = self.capture_iris(Eye::Right, Duration::from_secs(1));
        checks.extend(step("capture", capture, |c| {
            let contrast = contrast(&c.image.pixels);
            let darkest = c.image.pixels.iter().copied().min().unwrap_or(255);
            vec![
                check(
                    "sensor",
                    c.image.width == IRIS_WIDTH && c.image.height == IRIS_HEIGHT,
                    format!("{}x{}", c.image.width, c.image.height),
                ),
                check("contrast", contrast >= 60, format!("contrast {contrast}")),
                check(
                    "illumination",
                    darkest < 60,
                    format!("darkest pixel {darkest} (the pupil should be dark)"),
                ),
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

impl IrisScanner for SimIris {
    fn capture_iris(&mut self, eye: Eye, _timeout: Duration) -> DeviceResult<IrisCapture> {
        let _span =
            tracing::debug_span!("sim_device", device = "iris", op = "capture_iris").entered();
        let call = self.control.begin("capture_iris")?;
        let mut image = IrisModel::generate(call.subject, eye).render();
        let what = match eye {
            Eye::Right => 1,
            Eye::Left => 2,
        };
        let mut rng = acquisition_rng(self.seed, call.subject, call.index, what);
        if call.poor_quality {
            // Motion blur, off-axis glare and noise.
            box_blur(
                &mut image.pixels,
                IRIS_WIDTH as usize,
                IRIS_HEIGHT as usize,
                1,
                5,
            );
            wash_out(&mut image.pixels, 200, 0.4);
            add_noise(&mut image.pixels, 25.0, &mut rng);
        } else {
            add_noise(&mut image.pixels, 3.0, &mut rng);
        }
        let quality = draw_quality(&mut rng, call.poor_quality, (60, 95));
        tracing::debug!(quality = quality.0, "iris captured");
        Ok(IrisCapture {
            eye,
            image,
            quality,
        })
    }
}
