//! Face detection with SeetaFace's funnel-structured cascade (the `rustface` crate) and its
//! frontal model, which ships in this crate (`model/`, BSD-2-Clause, from the rustface
//! package on crates.io).
//!
//! Detection runs on a luminance copy of the image box-filtered down to about
//! [`WORK_WIDTH`] pixels wide, so a 1280 × 720 still costs about what a 320 × 240 preview
//! frame does. Faces smaller than [`MIN_FACE_FRACTION`] of the shorter side are not looked
//! for (it keeps the search fast; the booth wants a face far larger than that).

use std::cell::RefCell;
use std::sync::OnceLock;

/// SeetaFace frontal face model (1.2 MB).
static MODEL_BYTES: &[u8] = include_bytes!("../model/seeta_fd_frontal_v1.0.bin");

/// The width the detector works at.
pub const WORK_WIDTH: u32 = 240;
/// The smallest face looked for, as a fraction of the image's shorter side.
pub const MIN_FACE_FRACTION: f32 = 0.18;
/// The detector's confidence threshold (rustface suggests 0.95–4.5; 2.0 is its example).
pub const SCORE_THRESHOLD: f64 = 2.0;

/// A face found, in the pixels of the image that was assessed.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FaceBox {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// The detector's confidence (higher is surer; faces below 2.0 are not reported).
    pub confidence: f32,
}

impl FaceBox {
    pub fn centre(&self) -> (f32, f32) {
        (
            self.x as f32 + self.width as f32 / 2.0,
            self.y as f32 + self.height as f32 / 2.0,
        )
    }

    pub fn bottom(&self) -> u32 {
        self.y + self.height
    }

    pub fn right(&self) -> u32 {
        self.x + self.width
    }
}

/// An 8-bit luminance image, row-major.
pub(crate) struct Luma {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Luma {
    pub fn at(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }
}

/// BT.601 luma of one RGB pixel.
#[inline]
pub(crate) fn luma(p: &[u8]) -> u8 {
    ((77 * u32::from(p[0]) + 150 * u32::from(p[1]) + 29 * u32::from(p[2]) + 128) >> 8) as u8
}

/// The luminance of the `src_w` × `src_h` window at (`x0`, `y0`) of an RGB8 image `width`
/// pixels wide, resampled to `out_w` × `out_h`: each output pixel is the mean of the source
/// pixels it covers (the nearest one when enlarging).
#[allow(clippy::too_many_arguments)]
pub(crate) fn resample_luma(
    rgb: &[u8],
    width: usize,
    (x0, y0): (usize, usize),
    (src_w, src_h): (usize, usize),
    (out_w, out_h): (usize, usize),
) -> Luma {
    let sx = src_w as f32 / out_w as f32;
    let sy = src_h as f32 / out_h as f32;
    let span = |start: usize, step: f32, i: usize, limit: usize| {
        let a = (start + (step * i as f32) as usize).min(start + limit - 1);
        let b = (start + (step * (i + 1) as f32) as usize).clamp(a + 1, start + limit);
        a..b
    };
    let cols: Vec<_> = (0..out_w).map(|i| span(x0, sx, i, src_w)).collect();
    let mut pixels = Vec::with_capacity(out_w * out_h);
    for oy in 0..out_h {
        let rows = span(y0, sy, oy, src_h);
        for c in &cols {
            let (mut sum, mut n) = (0u32, 0u32);
            for y in rows.clone() {
                for p in rgb[(y * width + c.start) * 3..(y * width + c.end) * 3].chunks_exact(3) {
                    sum += u32::from(luma(p));
                    n += 1;
                }
            }
            pixels.push(((sum + n / 2) / n.max(1)) as u8);
        }
    }
    Luma {
        width: out_w,
        height: out_h,
        pixels,
    }
}

/// The image as the detector sees it: luminance at most [`WORK_WIDTH`] wide, and the factor
/// from its pixels to the image's.
pub(crate) fn work_image(rgb: &[u8], width: usize, height: usize) -> (Luma, f32) {
    let out_w = width.min(WORK_WIDTH as usize);
    let scale = width as f32 / out_w as f32;
    let out_h = ((height as f32 / scale).round() as usize).clamp(1, height);
    (
        resample_luma(rgb, width, (0, 0), (width, height), (out_w, out_h)),
        scale,
    )
}

fn model() -> Result<&'static rustface::Model, String> {
    static MODEL: OnceLock<Result<rustface::Model, String>> = OnceLock::new();
    MODEL
        .get_or_init(|| rustface::read_model(MODEL_BYTES).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

thread_local! {
    // rustface's detector is not `Send`: one per thread that assesses faces.
    static DETECTOR: RefCell<Option<Box<dyn rustface::Detector>>> = const { RefCell::new(None) };
}

/// Every face in `work` (a downscaled luminance image), in `work` pixels, largest first.
pub(crate) fn detect(work: &Luma) -> Result<Vec<FaceBox>, String> {
    let short = work.width.min(work.height);
    let min_face = ((short as f32 * MIN_FACE_FRACTION) as u32).max(20);
    // The detector asserts on sizes it cannot search: such an image holds no face we want.
    if short < min_face as usize || short < 24 {
        return Ok(Vec::new());
    }
    let model = model()?;
    DETECTOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let detector = slot.get_or_insert_with(|| {
            let mut d = rustface::create_detector_with_model(model.clone());
            d.set_score_thresh(SCORE_THRESHOLD);
            // 0.7 rather than rustface's 0.8: fewer pyramid levels, half the time, and every
            // booth-sized face in the tests and sample photos is still found.
            d.set_pyramid_scale_factor(0.7);
            d.set_slide_window_step(4, 4);
            d
        });
        detector.set_min_face_size(min_face);
        detector.set_max_face_size(short as u32);
        let image = rustface::ImageData::new(&work.pixels, work.width as u32, work.height as u32);
        let mut faces: Vec<FaceBox> = detector
            .detect(&image)
            .into_iter()
            .filter_map(|f| {
                let b = f.bbox();
                // Clip to the image (the detector's boxes may overhang an edge).
                let x0 = b.x().max(0) as u32;
                let y0 = b.y().max(0) as u32;
                let x1 = (b.x() + b.width() as i32).clamp(0, work.width as i32) as u32;
                let y1 = (b.y() + b.height() as i32).clamp(0, work.height as i32) as u32;
                (x1 > x0 && y1 > y0).then_some(FaceBox {
                    x: x0,
                    y: y0,
                    width: x1 - x0,
                    height: y1 - y0,
                    confidence: f.score() as f32,
                })
            })
            .collect();
        faces.sort_by_key(|f| std::cmp::Reverse(f.width * f.height));
        Ok(faces)
    })
}

/// `face` (in work pixels) in the pixels of the full image.
pub(crate) fn scale_box(face: FaceBox, scale: f32, width: usize, height: usize) -> FaceBox {
    let f = |v: u32| (v as f32 * scale).round() as u32;
    let x = f(face.x).min(width as u32 - 1);
    let y = f(face.y).min(height as u32 - 1);
    FaceBox {
        x,
        y,
        width: f(face.width).clamp(1, width as u32 - x),
        height: f(face.height).clamp(1, height as u32 - y),
        confidence: face.confidence,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_shipped_model_loads() {
        assert!(model().is_ok());
    }

    #[test]
    fn resampling_averages_what_each_pixel_covers() {
        // 4 × 2 image: left 2×2 block black, right block white → 2 × 1.
        let mut rgb = Vec::new();
        for _ in 0..2 {
            rgb.extend_from_slice(&[0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
        }
        let l = resample_luma(&rgb, 4, (0, 0), (4, 2), (2, 1));
        assert_eq!((l.width, l.height), (2, 1));
        assert_eq!(l.pixels, vec![0, 255]);
        // A window, enlarged: nearest pixels.
        let l = resample_luma(&rgb, 4, (1, 0), (2, 1), (4, 1));
        assert_eq!(l.pixels, vec![0, 0, 255, 255]);
        // The work image keeps the aspect and says how to scale back.
        let big = vec![90u8; 1280 * 720 * 3];
        let (w, scale) = work_image(&big, 1280, 720);
        assert_eq!((w.width, w.height), (240, 135));
        assert!((scale - 1280.0 / 240.0).abs() < 1e-4);
        assert!(w.pixels.iter().all(|&p| p == 90));
        let small = vec![90u8; 200 * 100 * 3];
        let (w, scale) = work_image(&small, 200, 100);
        assert_eq!((w.width, w.height, scale), (200, 100, 1.0));
    }

    #[test]
    fn boxes_scale_back_inside_the_image() {
        let b = FaceBox {
            x: 100,
            y: 50,
            width: 60,
            height: 60,
            confidence: 5.0,
        };
        let s = scale_box(b, 2.0, 400, 300);
        assert_eq!((s.x, s.y, s.width, s.height), (200, 100, 120, 120));
        let s = scale_box(b, 4.0, 400, 300);
        assert_eq!((s.x, s.y), (399, 200));
        assert!(s.right() <= 400 && s.bottom() <= 300);
    }

    #[test]
    fn tiny_and_blank_images_have_no_faces() {
        let tiny = Luma {
            width: 10,
            height: 10,
            pixels: vec![128; 100],
        };
        assert!(detect(&tiny).unwrap().is_empty());
        let blank = Luma {
            width: 320,
            height: 240,
            pixels: vec![128; 320 * 240],
        };
        assert!(detect(&blank).unwrap().is_empty());
    }
}
