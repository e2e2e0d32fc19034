//! The preview frames of `STREAM`: the face camera's live view, or the slap / the eyes as the
//! scanner sees them, with a little movement and noise from frame to frame, as JPEG.

use super::device::{Scanner, Shared};
use image::codecs::jpeg::JpegEncoder;
use image::ExtendedColorType;
use ktpel_hal::{Camera, Eye, GrayImage};
use ktpel_sim::finger::render_finger;
use ktpel_sim::iris::render_iris;

use crate::client::Slap;

const JPEG_QUALITY: u8 = 70;

/// A grey canvas rendered once per person and module.
pub(crate) struct Canvas {
    key: (u64, u8),
    image: GrayImage,
}

/// Makes the preview frames of one stream.
pub(crate) struct PreviewSource {
    sub_id: u8,
    canvas: Option<Canvas>,
    frame: u64,
}

impl PreviewSource {
    pub(crate) fn new(sub_id: u8) -> Self {
        Self {
            sub_id,
            canvas: None,
            frame: 0,
        }
    }

    /// The next frame as JPEG (blocking: renders and encodes).
    pub(crate) fn next_jpeg(&mut self, shared: &Shared) -> Result<Vec<u8>, String> {
        self.frame += 1;
        let subject = shared.lock().subject;
        {
            let mut scanner = shared.lock_scanner();
            if let Scanner::Face(camera) = &mut *scanner {
                camera.control().set_subject(subject);
                let f = camera.preview_frame().map_err(|e| e.message)?;
                return jpeg(&f.rgb, f.width, f.height, ExtendedColorType::Rgb8);
            }
        }
        let key = (subject, self.sub_id);
        if self.canvas.as_ref().map(|c| c.key) != Some(key) {
            let image = match shared.kind {
                super::SimKind::Finger => {
                    let slap = Slap::from_sub_id(self.sub_id).unwrap_or(Slap::RightFour);
                    let parts: Vec<GrayImage> = slap
                        .fingers()
                        .iter()
                        .map(|p| render_finger(subject, *p))
                        .collect();
                    halve(&side_by_side(&parts))
                }
                _ => {
                    let eyes: &[Eye] = match self.sub_id {
                        1 => &[Eye::Left],
                        2 => &[Eye::Right],
                        _ => &[Eye::Right, Eye::Left],
                    };
                    let parts: Vec<GrayImage> =
                        eyes.iter().map(|e| render_iris(subject, *e)).collect();
                    halve(&side_by_side(&parts))
                }
            };
            self.canvas = Some(Canvas { key, image });
        }
        let Some(canvas) = &self.canvas else {
            return Err("no preview canvas".into());
        };
        let moved = jitter(&canvas.image, self.frame);
        jpeg(
            &moved.pixels,
            moved.width,
            moved.height,
            ExtendedColorType::L8,
        )
    }
}

fn jpeg(pixels: &[u8], w: u32, h: u32, color: ExtendedColorType) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode(pixels, w, h, color)
        .map_err(|e| format!("JPEG encoding failed: {e}"))?;
    Ok(out)
}

fn side_by_side(parts: &[GrayImage]) -> GrayImage {
    let h = parts.iter().map(|p| p.height).max().unwrap_or(0);
    let w: u32 = parts.iter().map(|p| p.width).sum();
    let mut pixels = vec![255u8; (w * h) as usize];
    let mut x0 = 0u32;
    for p in parts {
        for y in 0..p.height {
            let src = (y * p.width) as usize;
            let dst = (y * w + x0) as usize;
            if let (Some(d), Some(s)) = (
                pixels.get_mut(dst..dst + p.width as usize),
                p.pixels.get(src..src + p.width as usize),
            ) {
                d.copy_from_slice(s);
            }
        }
        x0 += p.width;
    }
    GrayImage {
        width: w,
        height: h,
        pixels,
    }
}

/// Half the size, averaging 2 × 2 blocks.
fn halve(img: &GrayImage) -> GrayImage {
    let (w, h) = (img.width / 2, img.height / 2);
    let mut pixels = Vec::with_capacity((w * h) as usize);
    let at = |x: u32, y: u32| u16::from(img.pixels[(y * img.width + x) as usize]);
    for y in 0..h {
        for x in 0..w {
            let s = at(2 * x, 2 * y)
                + at(2 * x + 1, 2 * y)
                + at(2 * x, 2 * y + 1)
                + at(2 * x + 1, 2 * y + 1);
            pixels.push((s / 4) as u8);
        }
    }
    GrayImage {
        width: w,
        height: h,
        pixels,
    }
}

/// The canvas moved by a few pixels and lightly noised, differently each frame.
fn jitter(img: &GrayImage, frame: u64) -> GrayImage {
    let t = frame as f32;
    let dx = (3.0 * (t * 0.7).sin()).round() as i64;
    let dy = (2.0 * (t * 0.45).cos()).round() as i64;
    let mut state = frame.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let (w, h) = (i64::from(img.width), i64::from(img.height));
    let mut pixels = Vec::with_capacity(img.pixels.len());
    for y in 0..h {
        for x in 0..w {
            let sx = (x + dx).clamp(0, w - 1);
            let sy = (y + dy).clamp(0, h - 1);
            let v = i32::from(img.pixels[(sy * w + sx) as usize]);
            // xorshift noise, ±3 grey levels
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let n = (state % 7) as i32 - 3;
            pixels.push((v + n).clamp(0, 255) as u8);
        }
    }
    GrayImage {
        width: img.width,
        height: img.height,
        pixels,
    }
}
