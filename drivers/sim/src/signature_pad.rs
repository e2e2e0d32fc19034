//! `SimSignaturePad`: an ISDv4-like pen pad on which the person in front of the booth signs
//! ([`crate::signature`]).

use crate::control::SimControl;
use crate::device::{self, check, step};
use crate::rng::mix;
use crate::signature::{
    signature_strokes, PAD_MAX_PRESSURE, PAD_MAX_X, PAD_MAX_Y, SIGNATURE_IMAGE_HEIGHT,
    SIGNATURE_IMAGE_WIDTH,
};
use ktpel_hal::{
    render_signature, Device, DeviceInfo, DeviceKind, DeviceResult, PenPoint, SelfTestReport,
    SignatureCapture, SignaturePad, Stroke,
};
use std::time::Duration;

/// A simulated signature pad.
#[derive(Debug)]
pub struct SimSignaturePad {
    seed: u64,
    control: SimControl,
}

impl SimSignaturePad {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            control: SimControl::new(DeviceKind::SignaturePad),
        }
    }

    /// The handle that scripts this pad.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }
}

impl Device for SimSignaturePad {
    fn info(&self) -> DeviceInfo {
        device::info(
            DeviceKind::SignaturePad,
            "Sim ISDv4 pen pad 12000x4000",
            self.seed,
        )
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span =
            tracing::debug_span!("sim_device", device = "signature", op = "self_test").entered();
        let mut checks = vec![check("connection", true, "pad answers")];
        checks.extend(step("clear", self.clear(), |()| {
            vec![check("clear", true, "pad cleared")]
        })?);
        checks.push(check(
            "digitizer range",
            PAD_MAX_X > 0 && PAD_MAX_Y > 0 && PAD_MAX_PRESSURE > 0,
            format!("{PAD_MAX_X}x{PAD_MAX_Y}, pressure 0..{PAD_MAX_PRESSURE}"),
        ));
        // A diagonal test stroke must render to a non-blank image.
        let stroke = Stroke {
            points: (0..20)
                .map(|i| PenPoint {
                    x: 1000 + i * 500,
                    y: 1000 + i * 100,
                    pressure: 600,
                    t_ms: i * 7,
                })
                .collect(),
        };
        let rendered = render_signature(
            &[stroke],
            PAD_MAX_X,
            PAD_MAX_Y,
            PAD_MAX_PRESSURE,
            SIGNATURE_IMAGE_WIDTH,
            SIGNATURE_IMAGE_HEIGHT,
        );
        checks.push(match rendered {
            Ok(img) => check(
                "render",
                !img.bytes.is_empty(),
                format!("{} byte PNG", img.bytes.len()),
            ),
            Err(e) => check("render", false, e.to_string()),
        });
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl SignaturePad for SimSignaturePad {
    fn clear(&mut self) -> DeviceResult<()> {
        let _span =
            tracing::debug_span!("sim_device", device = "signature", op = "clear").entered();
        // The simulated signer only writes during capture_signature: nothing stays on the pad.
        self.control.begin("clear")?;
        Ok(())
    }

    fn capture_signature(&mut self, _timeout: Duration) -> DeviceResult<SignatureCapture> {
        let _span =
            tracing::debug_span!("sim_device", device = "signature", op = "capture_signature")
                .entered();
        let call = self.control.begin("capture_signature")?;
        // Never 0: every capture differs a little from the person's reference form.
        let variation = mix(&[self.seed, call.subject, call.index]) | 1;
        let strokes = signature_strokes(call.subject, variation, call.poor_quality);
        let image = render_signature(
            &strokes,
            PAD_MAX_X,
            PAD_MAX_Y,
            PAD_MAX_PRESSURE,
            SIGNATURE_IMAGE_WIDTH,
            SIGNATURE_IMAGE_HEIGHT,
        )?;
        tracing::debug!(strokes = strokes.len(), "signature captured");
        Ok(SignatureCapture {
            strokes,
            max_x: PAD_MAX_X,
            max_y: PAD_MAX_Y,
            max_pressure: PAD_MAX_PRESSURE,
            image,
        })
    }
}
