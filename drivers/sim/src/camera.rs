//! `SimCamera`: a UVC-like camera looking at a synthetic face — a live 640 × 480 preview with
//! a little head motion, and a 480 × 640 JPEG portrait for the record.

use crate::control::SimControl;
use crate::device::{self, acquisition_rng, check, draw_quality, step, SELF_TEST_MIN_QUALITY};
use crate::face::{FaceModel, Placement};
use crate::imaging::{add_noise, box_blur, contrast, encode_jpeg, wash_out};
use ktpel_hal::{
    Camera, Device, DeviceInfo, DeviceKind, DeviceResult, FaceCapture, Frame, SelfTestReport,
};

pub const PREVIEW_WIDTH: u32 = 640;
pub const PREVIEW_HEIGHT: u32 = 480;
pub const PORTRAIT_WIDTH: u32 = 480;
pub const PORTRAIT_HEIGHT: u32 = 640;
/// JPEG quality of the portrait (a 480 × 640 portrait comes to roughly 50–150 KB).
pub const PORTRAIT_JPEG_QUALITY: u8 = 92;

/// How far the preview canvas reaches beyond the frame on each side (room for head motion).
const MARGIN: usize = 16;

/// The portrait of person `subject` before acquisition noise: RGB8, 480 × 640.
pub fn portrait_rgb(subject: u64) -> Vec<u8> {
    FaceModel::generate(subject).render_rgb(
        PORTRAIT_WIDTH as usize,
        PORTRAIT_HEIGHT as usize,
        Placement {
            cx: PORTRAIT_WIDTH as f32 / 2.0,
            cy: PORTRAIT_HEIGHT as f32 * 0.45,
            scale: PORTRAIT_HEIGHT as f32 * 0.3,
        },
    )
}

/// A simulated camera.
pub struct SimCamera {
    seed: u64,
    control: SimControl,
    /// The preview canvas of the current subject (rendered once per person).
    preview: Option<(u64, Vec<u8>)>,
    frames: u64,
}

// The cached canvas is a face: never in debug output.
impl std::fmt::Debug for SimCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCamera")
            .field("control", &self.control)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl SimCamera {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            control: SimControl::new(DeviceKind::Camera),
            preview: None,
            frames: 0,
        }
    }

    /// The handle that scripts this camera.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    fn preview_canvas(&mut self, subject: u64) -> &[u8] {
        let stale = !matches!(&self.preview, Some((s, _)) if *s == subject);
        if stale {
            let (w, h) = (
                PREVIEW_WIDTH as usize + 2 * MARGIN,
                PREVIEW_HEIGHT as usize + 2 * MARGIN,
            );
            let canvas = FaceModel::generate(subject).render_rgb(
                w,
                h,
                Placement {
                    cx: w as f32 / 2.0,
                    cy: h as f32 * 0.47,
                    scale: PREVIEW_HEIGHT as f32 * 0.3,
                },
            );
            self.preview = Some((subject, canvas));
        }
        self.preview.as_ref().map_or(&[], |(_, c)| c.as_slice())
    }
}

impl Device for SimCamera {
    fn info(&self) -> DeviceInfo {
        device::info(DeviceKind::Camera, "Sim UVC Camera 640x480", self.seed)
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span =
            tracing::debug_span!("sim_device", device = "camera", op = "self_test").entered();
        let mut checks = vec![check("connection", true, "camera answers")];
        checks.extend(step("preview", self.preview_frame(), |f| {
            let c = contrast(&f.rgb);
            vec![
                check(
                    "preview size",
                    f.width == PREVIEW_WIDTH && f.height == PREVIEW_HEIGHT,
                    format!("{}x{}", f.width, f.height),
                ),
                check("preview contrast", c >= 40, format!("contrast {c}")),
            ]
        })?);
        checks.extend(step("still", self.capture_face(), |c| {
            vec![check(
                "still quality",
                c.quality.0 >= SELF_TEST_MIN_QUALITY,
                format!(
                    "{}x{} JPEG, {} bytes, quality {}",
                    c.image.width,
                    c.image.height,
                    c.image.bytes.len(),
                    c.quality.0
                ),
            )]
        })?);
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl Camera for SimCamera {
    fn preview_frame(&mut self) -> DeviceResult<Frame> {
        let _span =
            tracing::debug_span!("sim_device", device = "camera", op = "preview_frame").entered();
        let call = self.control.begin("preview_frame")?;
        if let Some(shown) = self.control.lock().shown.clone() {
            // Something held up to the lens fills the view.
            self.frames += 1;
            return Ok(shown);
        }
        let t = self.frames as f32;
        self.frames += 1;
        let dx = (MARGIN as f32 + 6.0 * (t * 0.21).sin()).round() as usize;
        let dy = (MARGIN as f32 + 4.0 * (t * 0.13 + 1.0).sin()).round() as usize;
        let (w, h) = (PREVIEW_WIDTH as usize, PREVIEW_HEIGHT as usize);
        let stride = (w + 2 * MARGIN) * 3;
        let canvas = self.preview_canvas(call.subject);
        let mut rgb = Vec::with_capacity(w * h * 3);
        for y in 0..h {
            let start = (y + dy) * stride + dx * 3;
            rgb.extend_from_slice(canvas.get(start..start + w * 3).unwrap_or(&[]));
        }
        rgb.resize(w * h * 3, 0);
        let mut rng = acquisition_rng(self.seed, call.subject, call.index, 0xF4A);
        if call.poor_quality {
            degrade(&mut rgb, w, h, &mut rng);
        } else {
            add_noise(&mut rgb, 2.0, &mut rng);
        }
        Ok(Frame {
            width: PREVIEW_WIDTH,
            height: PREVIEW_HEIGHT,
            rgb,
        })
    }

    fn capture_face(&mut self) -> DeviceResult<FaceCapture> {
        let _span =
            tracing::debug_span!("sim_device", device = "camera", op = "capture_face").entered();
        let call = self.control.begin("capture_face")?;
        let mut rgb = portrait_rgb(call.subject);
        let mut rng = acquisition_rng(self.seed, call.subject, call.index, 0xFACE);
        let (w, h) = (PORTRAIT_WIDTH as usize, PORTRAIT_HEIGHT as usize);
        if call.poor_quality {
            degrade(&mut rgb, w, h, &mut rng);
        } else {
            // Sensor noise (it also gives the JPEG a realistic size).
            add_noise(&mut rgb, 3.5, &mut rng);
        }
        let quality = draw_quality(&mut rng, call.poor_quality, (70, 95));
        let image = encode_jpeg(&rgb, PORTRAIT_WIDTH, PORTRAIT_HEIGHT, PORTRAIT_JPEG_QUALITY)?;
        tracing::debug!(
            quality = quality.0,
            bytes = image.bytes.len(),
            "portrait captured"
        );
        Ok(FaceCapture { image, quality })
    }
}

/// Out of focus, under-exposed and noisy.
fn degrade(rgb: &mut [u8], w: usize, h: usize, rng: &mut crate::rng::SimRng) {
    box_blur(rgb, w, h, 3, 4);
    wash_out(rgb, 40, 0.35);
    add_noise(rgb, 22.0, rng);
}
