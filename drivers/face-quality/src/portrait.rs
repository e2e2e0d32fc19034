//! The still cropped to an ICAO 9303-style portrait: 35:45 (close to 3:4), the head (chin to crown) filling
//! about three quarters of the height, centred left to right, the crown a little below the
//! top edge.
//!
//! The detector gives a face box (roughly brows to chin), not the crown and chin. They are
//! estimated:
//! - **chin**: [`CHIN_BELOW_BOX`] box heights below the box;
//! - **crown**: found by walking up from the box through the columns above the face until
//!   the row looks like the backdrop (sampled in the top corners of the image), which is
//!   how a booth with a plain backdrop is set up; when the corners differ (no plain
//!   backdrop) or no such row is found, [`CROWN_ABOVE_BOX`] box heights above the box.
//!
//! Hair volume makes the second estimate uncertain by about ±10 % of the head height; the
//! backdrop walk removes most of that. The limits are honest ones: a crop whose head
//! fraction matters to the millimetre needs a landmark model, which this crate does not have.

use crate::detect::FaceBox;
use image::imageops::FilterType;
use image::RgbImage;

/// Chin below the bottom of the detector's box, in box heights.
pub const CHIN_BELOW_BOX: f32 = 0.12;
/// Crown above the top of the box when the backdrop cannot be used, in box heights.
pub const CROWN_ABOVE_BOX: f32 = 0.40;

/// The portrait to make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PortraitSpec {
    /// Output size; 413 × 531 is 35 × 45 mm at 300 dpi.
    pub width: u32,
    pub height: u32,
    /// Chin-to-crown over the portrait height aimed at (ICAO: 0.70–0.80).
    pub head_fraction: f32,
    /// The largest head fraction accepted when the target one does not fit the image.
    pub max_head_fraction: f32,
    /// Space above the crown, as a fraction of the portrait height.
    pub top_margin: f32,
    /// How much of the portrait may lie outside the image and be shifted back in, as a
    /// fraction of its size in each direction, before the crop is refused as off-centre.
    pub max_shift: f32,
    /// The crop must come from at least this many source rows (less would be a blurry
    /// upscale).
    pub min_source_height: u32,
}

impl Default for PortraitSpec {
    fn default() -> Self {
        Self {
            width: 413,
            height: 531,
            head_fraction: 0.75,
            max_head_fraction: 0.80,
            top_margin: 0.08,
            max_shift: 0.08,
            min_source_height: 300,
        }
    }
}

/// An edge of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    Left,
    Right,
    Top,
    Bottom,
}

impl std::fmt::Display for Edge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Edge::Left => "left",
            Edge::Right => "right",
            Edge::Top => "top",
            Edge::Bottom => "bottom",
        })
    }
}

/// Why the portrait could not be cropped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CropError {
    #[error("the face box lies outside the {width}x{height} image")]
    FaceOutside { width: u32, height: u32 },
    #[error("the head is too large for the frame: the portrait needs {need_w}x{need_h} pixels of a {width}x{height} image (move back from the camera)")]
    TooClose {
        need_w: u32,
        need_h: u32,
        width: u32,
        height: u32,
    },
    #[error("the head is too close to the {edge} edge of the image for a centred portrait")]
    OffCentre { edge: Edge },
    #[error("the head is only {rows} pixels tall in the source; the portrait needs at least {min} rows (come closer or use a larger still size)")]
    TooSmall { rows: u32, min: u32 },
}

/// Where the portrait lies in the source image, and the head estimate it is based on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PortraitFrame {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub crown_y: f32,
    pub chin_y: f32,
    /// Whether the crown came from the backdrop walk (else from the box ratio).
    pub crown_from_backdrop: bool,
}

/// A borrowed RGB8 image.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub rgb: &'a [u8],
    pub width: u32,
    pub height: u32,
}

impl View<'_> {
    fn px(&self, x: u32, y: u32) -> &[u8] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        &self.rgb[i..i + 3]
    }

    fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}

impl<'a> From<&'a RgbImage> for View<'a> {
    fn from(image: &'a RgbImage) -> Self {
        View {
            rgb: image.as_raw(),
            width: image.width(),
            height: image.height(),
        }
    }
}

/// Sum of absolute RGB differences.
fn diff(a: &[u8], b: [u8; 3]) -> u32 {
    a.iter().zip(b).map(|(x, y)| u32::from(x.abs_diff(y))).sum()
}

/// The backdrop colour from the two top corners (each 10 % × 10 % of the image), if they agree
/// and are even.
fn backdrop(image: View<'_>) -> Option<[u8; 3]> {
    let (w, h) = image.dimensions();
    let (cw, ch) = ((w / 10).max(1), (h / 10).max(1));
    let mean = |x0: u32| {
        let mut s = [0u64; 3];
        let mut n = 0u64;
        for y in 0..ch {
            for x in x0..x0 + cw {
                let p = image.px(x, y);
                for (acc, v) in s.iter_mut().zip(p.iter().copied()) {
                    *acc += u64::from(v);
                }
                n += 1;
            }
        }
        s.map(|v| (v / n.max(1)) as u8)
    };
    let (l, r) = (mean(0), mean(w - cw));
    if diff(&l, r) > 45 {
        return None;
    }
    let avg = [0, 1, 2].map(|i| ((u16::from(l[i]) + u16::from(r[i])) / 2) as u8);
    // Even: most corner pixels close to the average.
    let mut close = 0u32;
    let mut n = 0u32;
    for x0 in [0, w - cw] {
        for y in 0..ch {
            for x in x0..x0 + cw {
                close += u32::from(diff(image.px(x, y), avg) <= 45);
                n += 1;
            }
        }
    }
    (close * 10 >= n * 9).then_some(avg)
}

/// Walks up from the face box until the rows above the face look like the backdrop.
fn crown_from_backdrop(image: View<'_>, face: &FaceBox, colour: [u8; 3]) -> Option<f32> {
    let (w, _) = image.dimensions();
    let (cx, _) = face.centre();
    let half = face.width as f32 * 0.25;
    let x0 = (cx - half).max(0.0) as u32;
    let x1 = ((cx + half) as u32).min(w - 1).max(x0 + 1);
    let top = face.y as f32;
    let h = face.height as f32;
    // The crown is looked for between 0.1 and 1.0 box heights above the box.
    let start = (top - 0.1 * h).max(0.0) as u32;
    let stop = (top - 1.0 * h).max(0.0) as u32;
    let mut run = 0;
    let mut y = start;
    while y > stop {
        let background = (x0..x1)
            .filter(|&x| diff(image.px(x, y), colour) <= 45)
            .count() as u32;
        if background * 10 >= (x1 - x0) * 9 {
            run += 1;
            // Two backdrop rows in a row: the crown is just below them.
            if run == 2 {
                return Some((y + 2) as f32);
            }
        } else {
            run = 0;
        }
        y -= 1;
    }
    None
}

/// Where the portrait of `face` lies in `image`.
pub fn portrait_frame(
    image: &RgbImage,
    face: &FaceBox,
    spec: &PortraitSpec,
) -> Result<PortraitFrame, CropError> {
    frame_in(image.into(), face, spec)
}

pub(crate) fn frame_in(
    image: View<'_>,
    face: &FaceBox,
    spec: &PortraitSpec,
) -> Result<PortraitFrame, CropError> {
    let (w, h) = image.dimensions();
    if face.width == 0 || face.height == 0 || face.right() > w || face.bottom() > h {
        return Err(CropError::FaceOutside {
            width: w,
            height: h,
        });
    }
    let fh = face.height as f32;
    let chin = face.bottom() as f32 + CHIN_BELOW_BOX * fh;
    let walked = backdrop(image).and_then(|c| crown_from_backdrop(image, face, c));
    let crown = walked.unwrap_or(face.y as f32 - CROWN_ABOVE_BOX * fh);
    let head = (chin - crown).max(1.0);
    let aspect = spec.width as f32 / spec.height as f32;
    // The target head fraction if the portrait fits the image, else up to the largest one
    // allowed.
    let fits = |f: f32| {
        let ch = head / f;
        (ch.round() as u32 <= h && (ch * aspect).round() as u32 <= w).then_some(ch)
    };
    let crop_h = fits(spec.head_fraction)
        .or_else(|| fits(spec.max_head_fraction.max(spec.head_fraction)))
        .ok_or_else(|| {
            let ch = head / spec.max_head_fraction.max(spec.head_fraction);
            CropError::TooClose {
                need_w: (ch * aspect).round() as u32,
                need_h: ch.round() as u32,
                width: w,
                height: h,
            }
        })?;
    let crop_w = crop_h * aspect;
    if (crop_h.round() as u32) < spec.min_source_height {
        return Err(CropError::TooSmall {
            rows: crop_h.round() as u32,
            min: spec.min_source_height,
        });
    }
    let (cx, _) = face.centre();
    let mut x = cx - crop_w / 2.0;
    let mut y = crown - spec.top_margin * crop_h;
    // Shift back inside the image, within limits.
    let shift = |pos: &mut f32, size: f32, limit: f32, low: Edge, high: Edge| {
        if *pos < 0.0 {
            if -*pos > spec.max_shift * size {
                return Err(CropError::OffCentre { edge: low });
            }
            *pos = 0.0;
        } else if *pos + size > limit {
            if *pos + size - limit > spec.max_shift * size {
                return Err(CropError::OffCentre { edge: high });
            }
            *pos = limit - size;
        }
        Ok(())
    };
    shift(&mut x, crop_w, w as f32, Edge::Left, Edge::Right)?;
    shift(&mut y, crop_h, h as f32, Edge::Top, Edge::Bottom)?;
    let (cw, ch) = (
        (crop_w.round() as u32).clamp(1, w),
        (crop_h.round() as u32).clamp(1, h),
    );
    Ok(PortraitFrame {
        x: (x.round() as u32).min(w - cw),
        y: (y.round() as u32).min(h - ch),
        width: cw,
        height: ch,
        crown_y: crown,
        chin_y: chin,
        crown_from_backdrop: walked.is_some(),
    })
}

/// Crops and scales `image` to the portrait of `face` (from [`crate::assess`]).
pub fn crop_portrait(
    image: &RgbImage,
    face: &FaceBox,
    spec: &PortraitSpec,
) -> Result<RgbImage, CropError> {
    let f = portrait_frame(image, face, spec)?;
    let _span =
        tracing::trace_span!("portrait", x = f.x, y = f.y, w = f.width, h = f.height).entered();
    let cropped = image::imageops::crop_imm(image, f.x, f.y, f.width, f.height).to_image();
    Ok(image::imageops::resize(
        &cropped,
        spec.width,
        spec.height,
        FilterType::CatmullRom,
    ))
}
