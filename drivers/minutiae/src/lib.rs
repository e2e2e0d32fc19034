//! Fingerprint minutiae extraction and ISO/IEC 19794-2 templates.
//!
//! [`extract`] turns a captured finger image (8-bit grey, dark ridges on a light background) into
//! a [`Template`]: ridge endings and bifurcations with position, direction and quality.
//! [`iso19794_2`] writes and reads such templates as ISO/IEC 19794-2:2005 finger minutiae
//! records, the form the e-KTP chip stores in DG3, and [`choose_fingers`] picks the two fingers
//! that go on the chip.
//!
//! # The pipeline
//!
//! The classic one (Maltoni, Maio, Jain & Prabhakar, *Handbook of Fingerprint Recognition*, 2nd
//! ed., ch. 3), every step in its own module:
//!
//! 1. local normalisation and the gradient orientation field with its coherence
//!    (module `orientation`);
//! 2. segmentation of the print from the glass by block contrast and coherence
//!    (module `segment`);
//! 3. ridge period per block from oriented x-signatures (module `frequency`);
//! 4. enhancement with oriented Gabor filters (module `gabor`);
//! 5. binarisation and Zhang–Suen thinning (module `skeleton`);
//! 6. crossing-number minutiae, ridge tracing for direction, removal of false minutiae and a
//!    quality per minutia (module `detect`).
//!
//! Window sizes are set for 500 ppi and scaled for other resolutions (250–1000 ppi).
//!
//! On 400 synthetic prints from `ktpel-sim` (256 × 288, 500 ppi, whose minutiae are known) it
//! finds 92 % of the true minutiae within 10 px and 87 % within 10 px and 15°, with about 6.9
//! detections per image that have no true minutia within 10 px, in about 25 ms per image
//! (release build); `cargo bench -p ktpel-minutiae` prints the current figures.

mod detect;
mod frequency;
mod gabor;
pub mod iso19794_2;
mod orientation;
mod plane;
mod segment;
mod select;
mod skeleton;

pub use select::choose_fingers;

use ktpel_hal::GrayImage;
use plane::Plane;
use std::fmt;

/// The two kinds of minutiae ISO/IEC 19794-2 records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MinutiaKind {
    /// A ridge stops.
    Ending,
    /// A ridge splits in two.
    Bifurcation,
}

/// One minutia in image coordinates (pixels, origin at the top-left corner, y down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Minutia {
    pub x: u16,
    pub y: u16,
    /// degrees, 0..360, ISO 19794-2 convention (counter-clockwise from the x axis)
    ///
    /// Counter-clockwise as the image is seen, so with y growing downwards a direction
    /// `(dx, dy)` in pixels has the angle `atan2(−dy, dx)`. A ridge ending points from its end
    /// into its ridge; a bifurcation points between its two branches, along the valley they
    /// enclose.
    pub angle_deg: f32,
    pub kind: MinutiaKind,
    /// 1–100: how sure the extractor is (local coherence and contrast, distance from the edge of
    /// the print, how cleanly the ridge could be traced).
    pub quality: u8,
}

/// The minutiae of one finger image.
#[derive(Clone, PartialEq)]
pub struct Template {
    pub width: u16,
    pub height: u16,
    pub ppi: u16,
    /// 0..=100
    ///
    /// Finger quality: the clarity of the ridge flow (coherence and contrast) over the print,
    /// reduced when the usable area is small.
    pub quality: u8,
    /// [`extract`] lists them highest quality first.
    pub minutiae: Vec<Minutia>,
}

// Minutiae are biometric data: debug output shows only the shape of the template.
impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Template({}x{} @{}ppi, quality {}, {} minutiae)",
            self.width,
            self.height,
            self.ppi,
            self.quality,
            self.minutiae.len()
        )
    }
}

/// Why no template could be extracted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("the image is {width}×{height} pixels; at least {min}×{min} are needed")]
    ImageTooSmall { width: u32, height: u32, min: u32 },
    #[error("the image is {width}×{height} pixels; ISO/IEC 19794-2 coordinates stop at {max}")]
    ImageTooLarge { width: u32, height: u32, max: u32 },
    #[error("the image claims {width}×{height} pixels but holds {actual} bytes")]
    PixelCountMismatch {
        width: u32,
        height: u32,
        actual: usize,
    },
    #[error("resolution {ppi} ppi is outside the supported {min}–{max} ppi")]
    UnsupportedResolution { ppi: u16, min: u16, max: u16 },
    #[error(
        "no usable ridge area: {area_mm2} mm² of clear ridges found, at least {min_mm2} mm² needed"
    )]
    NoUsableRidgeArea { area_mm2: u32, min_mm2: u32 },
}

/// Smallest side, in pixels at 500 ppi (scaled with the resolution).
pub const MIN_SIDE_500PPI: u32 = 64;
/// Largest side: ISO/IEC 19794-2 has 14 bits per coordinate.
pub const MAX_SIDE: u32 = 0x3FFF;
/// Supported resolutions.
pub const MIN_PPI: u16 = 250;
pub const MAX_PPI: u16 = 1000;
/// The least area of clear ridges that is worth a template (a 5 × 4 mm patch).
pub const MIN_RIDGE_AREA_MM2: u32 = 20;

/// Extracts the minutiae of one finger image captured at `ppi` pixels per inch.
pub fn extract(image: &GrayImage, ppi: u16) -> Result<Template, ExtractError> {
    let _span = tracing::debug_span!(
        "minutiae_extract",
        width = image.width,
        height = image.height,
        ppi
    )
    .entered();
    if !(MIN_PPI..=MAX_PPI).contains(&ppi) {
        return Err(ExtractError::UnsupportedResolution {
            ppi,
            min: MIN_PPI,
            max: MAX_PPI,
        });
    }
    let scale = f32::from(ppi) / 500.0;
    let (width, height) = (image.width, image.height);
    let min_side = (MIN_SIDE_500PPI as f32 * scale).round() as u32;
    if width < min_side || height < min_side {
        return Err(ExtractError::ImageTooSmall {
            width,
            height,
            min: min_side,
        });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ExtractError::ImageTooLarge {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    if image.pixels.len() as u64 != u64::from(width) * u64::from(height) {
        return Err(ExtractError::PixelCountMismatch {
            width,
            height,
            actual: image.pixels.len(),
        });
    }
    let (w, h) = (width as usize, height as usize);
    let px = |v: f32| ((v * scale).round() as usize).max(1);

    let raw = Plane {
        w,
        h,
        data: image.pixels.iter().map(|&v| f32::from(v)).collect(),
    };
    let norm = orientation::normalise(&raw, px(8.0), 8.0);
    let orient = orientation::orientation_field(&norm.image, px(8.0), px(4.0));
    let mask = segment::segment(
        &norm.deviation,
        &orient.coherence,
        &segment::SegmentParams {
            block: px(8.0),
            min_deviation: 12.0,
            min_coherence: 0.35,
        },
    );
    let px_per_mm = f32::from(ppi) / 25.4;
    let area_mm2 = mask.area as f32 / (px_per_mm * px_per_mm);
    if area_mm2 < MIN_RIDGE_AREA_MM2 as f32 {
        tracing::debug!("no usable ridge area");
        return Err(ExtractError::NoUsableRidgeArea {
            area_mm2: area_mm2 as u32,
            min_mm2: MIN_RIDGE_AREA_MM2,
        });
    }
    let period = frequency::ridge_period(
        &norm.image,
        &orient,
        &mask,
        &frequency::FrequencyParams {
            block: px(16.0),
            length: px(32.0),
            half_width: px(8.0),
            min_period: 4.0 * scale,
            max_period: 18.0 * scale,
            default_period: 9.0 * scale,
        },
    );
    let enhanced = gabor::enhance(
        &norm.image,
        &orient,
        &period,
        &mask,
        &gabor::GaborParams {
            sigma_along: 4.0 * scale,
            sigma_across: 3.0 * scale,
            radius: px(8.0),
            orientation_bins: 24,
            period_step: 0.5 * scale,
        },
    );
    // Ridge clarity: how much of the local signal survives the Gabor filter tuned to it.
    let clarity = enhanced.map(|v| v * v).box_mean(px(8.0)).map(f32::sqrt);
    let typical_period = period.median();
    let mut ridges = skeleton::binarise(&enhanced, &mask);
    skeleton::clean_blobs(
        &mut ridges,
        &mask,
        (0.6 * typical_period * typical_period) as usize,
    );
    skeleton::thin(&mut ridges);
    let found = detect::detect(
        &ridges,
        &orient,
        &clarity,
        &mask,
        &detect::DetectParams {
            period: typical_period,
        },
    );

    let mut minutiae: Vec<Minutia> = found
        .iter()
        .filter(|v| v.dropped.is_none())
        .map(|v| v.found)
        .map(|f| Minutia {
            x: f.x.round() as u16,
            y: f.y.round() as u16,
            angle_deg: iso_angle(f.dx, f.dy),
            kind: f.kind,
            quality: f.quality,
        })
        .collect();
    minutiae.sort_by(|a, b| {
        b.quality
            .cmp(&a.quality)
            .then(a.y.cmp(&b.y))
            .then(a.x.cmp(&b.x))
    });
    let quality = finger_quality(&orient.coherence, &clarity, &mask, area_mm2);
    tracing::debug!(minutiae = minutiae.len(), quality, "template extracted");
    Ok(Template {
        width: width as u16,
        height: height as u16,
        ppi,
        quality,
        minutiae,
    })
}

/// The ISO/IEC 19794-2 angle (degrees, counter-clockwise as seen, in `[0, 360)`) of a direction
/// given in image coordinates (y down).
pub fn iso_angle(dx: f32, dy: f32) -> f32 {
    let a = (-dy).atan2(dx).to_degrees().rem_euclid(360.0);
    // rem_euclid can round up to exactly 360.0 for tiny negative angles.
    if a >= 360.0 {
        0.0
    } else {
        a
    }
}

/// Mean of coherence × ridge clarity over the print, scaled down when the print is small.
fn finger_quality(coherence: &Plane, clarity: &Plane, mask: &segment::Mask, area_mm2: f32) -> u8 {
    let (mut sum, mut n) = (0.0f32, 0.0f32);
    for y in (0..mask.h).step_by(4) {
        for x in (0..mask.w).step_by(4) {
            if mask.contains(x, y) {
                let coh = ((coherence.at(x, y) - 0.2) / 0.6).clamp(0.0, 1.0);
                let contrast = detect::clarity_factor(clarity.at(x, y));
                sum += coh * contrast;
                n += 1.0;
            }
        }
    }
    if n == 0.0 {
        return 0;
    }
    let area = (area_mm2 / 80.0).clamp(0.0, 1.0);
    (100.0 * sum / n * area).round().clamp(0.0, 100.0) as u8
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn iso_angles_turn_counter_clockwise_as_seen() {
        assert!((iso_angle(1.0, 0.0) - 0.0).abs() < 1e-4);
        // Up on the screen is −y in pixels: 90°.
        assert!((iso_angle(0.0, -1.0) - 90.0).abs() < 1e-4);
        assert!((iso_angle(-1.0, 0.0) - 180.0).abs() < 1e-4);
        assert!((iso_angle(0.0, 1.0) - 270.0).abs() < 1e-4);
        assert!(iso_angle(1.0, 1e-9) < 360.0);
    }

    #[test]
    fn rejects_images_it_cannot_read() {
        let img = GrayImage::new(32, 32, vec![0; 32 * 32]).unwrap();
        assert!(matches!(
            extract(&img, 500),
            Err(ExtractError::ImageTooSmall { min: 64, .. })
        ));
        let img = GrayImage::new(100, 100, vec![0; 100 * 100]).unwrap();
        assert!(matches!(
            extract(&img, 100),
            Err(ExtractError::UnsupportedResolution { ppi: 100, .. })
        ));
        let bad = GrayImage {
            width: 100,
            height: 100,
            pixels: vec![0; 99],
        };
        assert!(matches!(
            extract(&bad, 500),
            Err(ExtractError::PixelCountMismatch { actual: 99, .. })
        ));
    }

    #[test]
    fn template_debug_shows_no_minutiae() {
        let t = Template {
            width: 10,
            height: 10,
            ppi: 500,
            quality: 50,
            minutiae: vec![Minutia {
                x: 3,
                y: 4,
                angle_deg: 12.0,
                kind: MinutiaKind::Ending,
                quality: 80,
            }],
        };
        let s = format!("{t:?}");
        assert_eq!(s, "Template(10x10 @500ppi, quality 50, 1 minutiae)");
    }
}
