//! The assessment: each check with what was measured, its limit and whether it passed, the
//! advice to show when it did not, an overall verdict and a 0–100 score.

use crate::detect::{detect, scale_box, work_image, FaceBox};
use crate::measure::{exposure, face_region, highlights, light_balance, roll_degrees, sharpness};
use crate::portrait::{frame_in, CropError, Edge, PortraitSpec, View};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The checks, in the order a person should fix them (the first failing one is the one to
/// show in the live overlay).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// A face was found. Value: faces found.
    FaceFound,
    /// No other face of a size that matters (≥ [`Thresholds::other_face_fraction`] of the
    /// main face's height). Value: such faces, the main one included.
    OneFace,
    /// The face box's height over the image height.
    Size,
    /// The ICAO-style portrait fits in the image around the head (1 yes, 0 no), head fraction
    /// at most the [`PortraitSpec`](crate::PortraitSpec)'s largest.
    Framing,
    /// How far the face centre is from where it should be, as a fraction of the image size
    /// (the larger of the horizontal and vertical offsets).
    Centred,
    /// Head roll in degrees (absolute value).
    EyesLevel,
    /// Mean luminance of the face, 0–255.
    Exposure,
    /// The fraction of the face that is blown out (luminance ≥ 250).
    Highlights,
    /// Mean luminance of the darker half of the face over the brighter half.
    LightBalance,
    /// 0 (blurred) to 1 (crisp), see [`crate::measure`].
    Sharpness,
}

impl CheckId {
    /// A stable name (for translations and logs).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::FaceFound => "face_found",
            CheckId::OneFace => "one_face",
            CheckId::Size => "size",
            CheckId::Framing => "framing",
            CheckId::Centred => "centred",
            CheckId::EyesLevel => "eyes_level",
            CheckId::Exposure => "exposure",
            CheckId::Highlights => "highlights",
            CheckId::LightBalance => "light_balance",
            CheckId::Sharpness => "sharpness",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The limit a measured value must respect.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    AtLeast(f32),
    AtMost(f32),
    Between(f32, f32),
}

impl Limit {
    pub fn holds(self, v: f32) -> bool {
        match self {
            Limit::AtLeast(a) => v >= a,
            Limit::AtMost(b) => v <= b,
            Limit::Between(a, b) => (a..=b).contains(&v),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::AtLeast(a) => write!(f, "≥ {a}"),
            Limit::AtMost(b) => write!(f, "≤ {b}"),
            Limit::Between(a, b) => write!(f, "{a}–{b}"),
        }
    }
}

/// What the applicant (or the operator) should do. Directions are in image terms: `MoveLeft`
/// means the face must move towards the left edge of the image as the camera sees it (the
/// kiosk words it for a mirrored preview if it shows one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Advice {
    LookAtCamera,
    OnlyOnePerson,
    ComeCloser,
    MoveBack,
    MoveLeft,
    MoveRight,
    MoveUp,
    MoveDown,
    HeadLevel,
    MoreLight,
    LessLight,
    EvenLight,
    HoldStill,
}

impl Advice {
    /// A stable key for the kiosk's translations (`face-<key>` in Fluent, say).
    pub fn key(self) -> &'static str {
        match self {
            Advice::LookAtCamera => "look-at-camera",
            Advice::OnlyOnePerson => "only-one-person",
            Advice::ComeCloser => "come-closer",
            Advice::MoveBack => "move-back",
            Advice::MoveLeft => "move-left",
            Advice::MoveRight => "move-right",
            Advice::MoveUp => "move-up",
            Advice::MoveDown => "move-down",
            Advice::HeadLevel => "head-level",
            Advice::MoreLight => "more-light",
            Advice::LessLight => "less-light",
            Advice::EvenLight => "even-light",
            Advice::HoldStill => "hold-still",
        }
    }

    /// The English wording (the kiosk translates by [`key`](Self::key)).
    pub fn english(self) -> &'static str {
        match self {
            Advice::LookAtCamera => "No face found: look straight at the camera",
            Advice::OnlyOnePerson => "Only the applicant may be in the picture",
            Advice::ComeCloser => "Come closer to the camera",
            Advice::MoveBack => "Move back from the camera",
            Advice::MoveLeft => "Move towards the left of the picture",
            Advice::MoveRight => "Move towards the right of the picture",
            Advice::MoveUp => "Raise the face in the picture (sit up straight or raise the camera)",
            Advice::MoveDown => "Lower the face in the picture (lower the seat or the camera)",
            Advice::HeadLevel => "Keep the head level: eyes on one line",
            Advice::MoreLight => "The face is too dark: turn on the lights",
            Advice::LessLight => "The face is too bright: dim the light",
            Advice::EvenLight => "Light the face evenly from both sides",
            Advice::HoldStill => "The picture is blurred: hold still",
        }
    }
}

/// One check: what was measured, its limit, how it went and what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub id: CheckId,
    pub passed: bool,
    pub value: f32,
    pub limit: Limit,
    /// What to do; `None` when the check passed.
    pub advice: Option<Advice>,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({:.3}, limit {})",
            self.id,
            if self.passed { "ok" } else { "failed" },
            self.value,
            self.limit
        )
    }
}

/// The limits of every check. The defaults suit a booth: one seated applicant in front of a
/// plain backdrop, the face filling about 40 % of the frame height.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Another face counts when its box is at least this fraction of the main face's height.
    pub other_face_fraction: f32,
    /// Face box height over image height. The upper limit is loose: whether the portrait fits
    /// is checked on its own ([`CheckId::Framing`]).
    pub size: (f32, f32),
    /// Where the face centre should be, as fractions of the image width and height.
    pub target_centre: (f32, f32),
    /// The largest allowed offset from the target, as a fraction of the image size.
    pub max_offset: f32,
    /// The largest head roll, degrees (ISO/IEC 19794-5 allows ±8°).
    pub max_roll_degrees: f32,
    /// Mean face luminance. The lower limit is low on purpose: dark skin in good light
    /// measures 70–100 and must pass.
    pub exposure: (f32, f32),
    pub max_highlights: f32,
    pub min_light_balance: f32,
    pub min_sharpness: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            other_face_fraction: 0.4,
            size: (0.28, 0.65),
            target_centre: (0.5, 0.45),
            max_offset: 0.10,
            max_roll_degrees: 8.0,
            exposure: (55.0, 215.0),
            max_highlights: 0.05,
            min_light_balance: 0.75,
            min_sharpness: 0.50,
        }
    }
}

/// The verdict on one image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// Every check passed.
    pub ok: bool,
    /// 0–100: 60 and above when `ok`, below 60 otherwise; higher is better within each band.
    pub score: u8,
    /// Faces that matter (see [`CheckId::OneFace`]).
    pub faces: usize,
    /// The main face (the largest), in image pixels.
    pub face: Option<FaceBox>,
    /// The checks in the order to fix them; only "face found" when there is no face.
    pub checks: Vec<Check>,
    pub width: u32,
    pub height: u32,
}

impl Assessment {
    /// The first check that failed: the one to tell the applicant about.
    pub fn first_problem(&self) -> Option<&Check> {
        self.checks.iter().find(|c| !c.passed)
    }

    /// The advice of the first failing check.
    pub fn advice(&self) -> Option<Advice> {
        self.first_problem().and_then(|c| c.advice)
    }

    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The failed checks in one line, for logs and error messages.
    pub fn summary(&self) -> String {
        let failed: Vec<String> = self
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(ToString::to_string)
            .collect();
        if failed.is_empty() {
            format!("all checks passed (score {})", self.score)
        } else {
            format!("score {}: {}", self.score, failed.join("; "))
        }
    }
}

/// Why an image could not be assessed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QualityError {
    #[error("frame {width}x{height} should hold {expected} RGB bytes but holds {got}")]
    FrameSize {
        width: u32,
        height: u32,
        expected: usize,
        got: usize,
    },
}

/// How good a value is within its limit: 1 well inside, 0.6 at the limit, falling to 0 at
/// `span` beyond it.
fn goodness(v: f32, limit: Limit, span: f32) -> f32 {
    let span = span.max(1e-6);
    // Distance inside the limit (positive) or outside it (negative).
    let inside = match limit {
        Limit::AtLeast(a) => v - a,
        Limit::AtMost(b) => b - v,
        Limit::Between(a, b) => (v - a).min(b - v),
    };
    if inside >= 0.0 {
        0.6 + 0.4 * (inside / span).min(1.0)
    } else {
        (0.5 * (1.0 + inside / span)).max(0.0)
    }
}

struct Builder {
    checks: Vec<Check>,
    goodness: Vec<f32>,
}

impl Builder {
    fn push(&mut self, id: CheckId, value: f32, limit: Limit, span: f32, advice: Advice) {
        let passed = limit.holds(value);
        self.checks.push(Check {
            id,
            passed,
            value,
            limit,
            advice: (!passed).then_some(advice),
        });
        self.goodness.push(goodness(value, limit, span));
    }
}

/// Assesses an image with the default thresholds.
pub fn assess(image: &image::RgbImage) -> Assessment {
    assess_rgb(
        image.as_raw(),
        image.width(),
        image.height(),
        &Thresholds::default(),
    )
}

/// Assesses an image with the given thresholds.
pub fn assess_with(image: &image::RgbImage, t: &Thresholds) -> Assessment {
    assess_rgb(image.as_raw(), image.width(), image.height(), t)
}

/// Assesses a preview frame (no copy).
pub fn assess_frame(frame: &ktpel_hal::Frame, t: &Thresholds) -> Result<Assessment, QualityError> {
    let expected = frame.width as usize * frame.height as usize * 3;
    if frame.rgb.len() != expected {
        return Err(QualityError::FrameSize {
            width: frame.width,
            height: frame.height,
            expected,
            got: frame.rgb.len(),
        });
    }
    Ok(assess_rgb(&frame.rgb, frame.width, frame.height, t))
}

fn assess_rgb(rgb: &[u8], width: u32, height: u32, t: &Thresholds) -> Assessment {
    let _span = tracing::trace_span!("face_quality", width, height).entered();
    let (w, h) = (width as usize, height as usize);
    let mut b = Builder {
        checks: Vec::new(),
        goodness: Vec::new(),
    };
    let (found, scale) = if w == 0 || h == 0 || rgb.len() < w * h * 3 {
        (Ok(Vec::new()), 1.0)
    } else {
        let (work, scale) = work_image(rgb, w, h);
        (detect(&work), scale)
    };
    let faces = match found {
        Ok(faces) => faces,
        Err(e) => {
            // The model ships inside this crate and is tested; if it ever fails to load, no
            // face can be found, and the log says why.
            tracing::error!(error = %e, "face detector model failed to load");
            Vec::new()
        }
    };
    let Some(main) = faces.first().copied() else {
        b.push(
            CheckId::FaceFound,
            0.0,
            Limit::AtLeast(1.0),
            1.0,
            Advice::LookAtCamera,
        );
        return Assessment {
            ok: false,
            score: 0,
            faces: 0,
            face: None,
            checks: b.checks,
            width,
            height,
        };
    };
    let counted = faces
        .iter()
        .filter(|f| f.height as f32 >= t.other_face_fraction * main.height as f32)
        .count();
    let face = scale_box(main, scale, w, h);
    b.push(
        CheckId::FaceFound,
        faces.len() as f32,
        Limit::AtLeast(1.0),
        1.0,
        Advice::LookAtCamera,
    );
    b.push(
        CheckId::OneFace,
        counted as f32,
        Limit::AtMost(1.0),
        1.0,
        Advice::OnlyOnePerson,
    );

    let size = face.height as f32 / height as f32;
    let (lo, hi) = t.size;
    b.push(
        CheckId::Size,
        size,
        Limit::Between(lo, hi),
        0.1,
        if size < lo {
            Advice::ComeCloser
        } else {
            Advice::MoveBack
        },
    );

    let spec = PortraitSpec {
        min_source_height: 0,
        ..PortraitSpec::default()
    };
    let view = View { rgb, width, height };
    let framing = match frame_in(view, &face, &spec) {
        Ok(_) => None,
        Err(CropError::TooClose { .. } | CropError::TooSmall { .. }) => Some(Advice::MoveBack),
        Err(CropError::OffCentre { edge }) => Some(match edge {
            Edge::Left => Advice::MoveRight,
            Edge::Right => Advice::MoveLeft,
            Edge::Top => Advice::MoveDown,
            Edge::Bottom => Advice::MoveUp,
        }),
        Err(CropError::FaceOutside { .. }) => Some(Advice::LookAtCamera),
    };
    b.push(
        CheckId::Framing,
        if framing.is_none() { 1.0 } else { 0.0 },
        Limit::AtLeast(1.0),
        1.0,
        framing.unwrap_or(Advice::MoveBack),
    );

    let (cx, cy) = face.centre();
    let dx = cx / width as f32 - t.target_centre.0;
    let dy = cy / height as f32 - t.target_centre.1;
    let offset = dx.abs().max(dy.abs());
    let direction = if dx.abs() >= dy.abs() {
        if dx > 0.0 {
            Advice::MoveLeft
        } else {
            Advice::MoveRight
        }
    } else if dy > 0.0 {
        Advice::MoveUp
    } else {
        Advice::MoveDown
    };
    b.push(
        CheckId::Centred,
        offset,
        Limit::AtMost(t.max_offset),
        0.1,
        direction,
    );

    let region = face_region(rgb, w, &face);
    b.push(
        CheckId::EyesLevel,
        roll_degrees(&region).abs(),
        Limit::AtMost(t.max_roll_degrees),
        8.0,
        Advice::HeadLevel,
    );
    let mean = exposure(&region);
    b.push(
        CheckId::Exposure,
        mean,
        Limit::Between(t.exposure.0, t.exposure.1),
        40.0,
        if mean < t.exposure.0 {
            Advice::MoreLight
        } else {
            Advice::LessLight
        },
    );
    b.push(
        CheckId::Highlights,
        highlights(&region),
        Limit::AtMost(t.max_highlights),
        0.05,
        Advice::LessLight,
    );
    b.push(
        CheckId::LightBalance,
        light_balance(&region),
        Limit::AtLeast(t.min_light_balance),
        0.2,
        Advice::EvenLight,
    );
    b.push(
        CheckId::Sharpness,
        sharpness(&region),
        Limit::AtLeast(t.min_sharpness),
        0.2,
        Advice::HoldStill,
    );

    let ok = b.checks.iter().all(|c| c.passed);
    let mean_goodness = b.goodness.iter().sum::<f32>() / b.goodness.len() as f32;
    let raw = (100.0 * mean_goodness).round().clamp(0.0, 100.0) as u8;
    let score = if ok { raw.max(60) } else { raw.min(59) };
    Assessment {
        ok,
        score,
        faces: counted,
        face: Some(face),
        checks: b.checks,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_hold_inclusively() {
        assert!(Limit::AtLeast(1.0).holds(1.0));
        assert!(!Limit::AtLeast(1.0).holds(0.99));
        assert!(Limit::AtMost(0.1).holds(0.1));
        assert!(Limit::Between(2.0, 3.0).holds(2.5));
        assert!(!Limit::Between(2.0, 3.0).holds(3.5));
    }

    #[test]
    fn goodness_is_graded_around_the_limit() {
        let l = Limit::AtLeast(0.5);
        assert!((goodness(0.5, l, 0.2) - 0.6).abs() < 1e-6);
        assert!((goodness(0.9, l, 0.2) - 1.0).abs() < 1e-6);
        assert!(goodness(0.45, l, 0.2) < 0.5);
        assert_eq!(goodness(0.0, l, 0.2), 0.0);
    }

    #[test]
    fn a_blank_image_has_no_face_and_says_so() {
        let img = image::RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128]));
        let a = assess(&img);
        assert!(!a.ok);
        assert_eq!(a.score, 0);
        assert_eq!(a.faces, 0);
        assert_eq!(a.advice(), Some(Advice::LookAtCamera));
        assert_eq!(a.checks.len(), 1);
    }

    #[test]
    fn a_frame_of_the_wrong_length_is_refused() {
        let frame = ktpel_hal::Frame {
            width: 4,
            height: 4,
            rgb: vec![0; 47],
        };
        assert!(matches!(
            assess_frame(&frame, &Thresholds::default()),
            Err(QualityError::FrameSize {
                expected: 48,
                got: 47,
                ..
            })
        ));
        let empty = ktpel_hal::Frame {
            width: 0,
            height: 0,
            rgb: vec![],
        };
        assert!(!assess_frame(&empty, &Thresholds::default())
            .map(|a| a.ok)
            .unwrap_or(true));
    }
}
