//! Ground truth from the simulator's synthetic prints, and scoring of extracted minutiae
//! against it. Shared by the accuracy tests and the `extract` bench (which prints the report).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{FingerPosition, FingerprintScanner, GrayImage};
use ktpel_minutiae::{iso_angle, Minutia, MinutiaKind};
use ktpel_sim::finger::{FingerPattern, FINGER_HEIGHT, FINGER_WIDTH};
use ktpel_sim::SimFingerprint;
use std::time::Duration;

/// Position tolerance of the issue: 10 px.
pub const MAX_DISTANCE: f32 = 10.0;
/// Direction tolerance of the issue: 15°.
pub const MAX_ANGLE_DEG: f32 = 15.0;
/// Minutiae closer than this to the edge of the print (or the image) count as "near the edge".
pub const EDGE_MARGIN: f32 = 16.0;

/// A minutia the simulator put there.
#[derive(Debug, Clone, Copy)]
pub struct TrueMinutia {
    pub x: f32,
    pub y: f32,
    /// ISO/IEC 19794-2 angle (degrees, counter-clockwise as seen).
    pub angle_deg: f32,
    pub kind: MinutiaKind,
    /// Approximate distance to the edge of the visible print or of the image, pixels.
    pub edge_distance: f32,
}

/// The true minutiae of a pattern: one per spiral (a point where the ridge phase winds once).
///
/// Direction: with `n` the unit gradient of the base phase (across the ridges) and `p` the
/// spiral's polarity, the phase near the spiral is `φ ≈ base + p·arg(r)`. Crossing the ridges
/// at a distance on the side `s` (a unit vector along the ridges), `arg` sweeps by ≈ ±π with
/// the sign of `cross(s, n)`, so the side with one ridge more is the one where
/// `p·cross(s, n) > 0`, i.e. `e = p·(n_y, −n_x)`. The extra line starts at the minutia and runs
/// towards `e`: a ridge there is a ridge ending whose ridge runs towards `e`, a valley there is a
/// bifurcation whose branches enclose it — in both cases the ISO/ANSI minutia direction is `e`.
/// So the ground truth has a polarity, and directions are compared over the full 360°.
/// The kind is read from the phase a few pixels out along `e` (`cos φ > 0`: ridge, ending), as
/// the simulator's documentation prescribes.
pub fn ground_truth(p: &FingerPattern) -> Vec<TrueMinutia> {
    p.spirals
        .iter()
        .map(|s| {
            let h = 0.5;
            let gx = p.base_phase_at(s.x + h, s.y) - p.base_phase_at(s.x - h, s.y);
            let gy = p.base_phase_at(s.x, s.y + h) - p.base_phase_at(s.x, s.y - h);
            let gl = gx.hypot(gy).max(1e-6);
            let (nx, ny) = (gx / gl, gy / gl);
            let pol = f32::from(s.polarity);
            let (ex, ey) = (pol * ny, -pol * nx);
            let probe = p.phase_at(s.x + 4.0 * ex, s.y + 4.0 * ey);
            let kind = if probe.cos() > 0.0 {
                MinutiaKind::Ending
            } else {
                MinutiaKind::Bifurcation
            };
            TrueMinutia {
                x: s.x,
                y: s.y,
                angle_deg: iso_angle(ex, ey),
                kind,
                edge_distance: edge_distance(p, s.x, s.y),
            }
        })
        .collect()
}

fn edge_distance(p: &FingerPattern, x: f32, y: f32) -> f32 {
    let m = p.mask;
    let r = m.radius(x, y).max(1e-3);
    let from_centre = (x - m.cx).hypot(y - m.cy);
    // The rendered print fades out between r = 0.93 and 1.0 (and pressure moves it a little).
    let to_ellipse = (0.95 - r) / r * from_centre;
    let to_image = x
        .min(y)
        .min(FINGER_WIDTH as f32 - 1.0 - x)
        .min(FINGER_HEIGHT as f32 - 1.0 - y);
    to_ellipse.min(to_image)
}

/// The finger as the simulated scanner images it (sensor noise and brightness shift included;
/// `poor` adds the scripted bad-placement fault: blur, wash-out, heavy noise).
pub fn capture(subject: u64, position: FingerPosition, poor: bool) -> GrayImage {
    let mut scanner = SimFingerprint::new(0x5EED);
    let control = scanner.control();
    control.set_subject(subject);
    if poor {
        control.push_fault(ktpel_sim::Fault::PoorQuality);
    }
    scanner
        .capture_finger(position, Duration::from_secs(1))
        .expect("the simulated scanner captures")
        .image
}

/// Smallest difference between two angles in degrees, over `period` (360 or 180).
pub fn angle_diff(a: f32, b: f32, period: f32) -> f32 {
    let d = (a - b).rem_euclid(period);
    d.min(period - d)
}

/// How one image (or many, added up) scored.
#[derive(Debug, Clone, Copy, Default)]
pub struct Score {
    pub images: usize,
    pub truths: usize,
    /// True minutiae with a detection within 10 px (one-to-one).
    pub found_position: usize,
    /// … and within 15° over 360°.
    pub found_position_angle: usize,
    /// … and within 15° modulo 180°.
    pub found_position_angle_180: usize,
    /// Matched (10 px, 15°) with the same kind.
    pub same_kind: usize,
    pub detections: usize,
    /// Detections with no true minutia within 10 px.
    pub false_detections: usize,
}

impl Score {
    pub fn add(&mut self, o: &Score) {
        self.images += o.images;
        self.truths += o.truths;
        self.found_position += o.found_position;
        self.found_position_angle += o.found_position_angle;
        self.found_position_angle_180 += o.found_position_angle_180;
        self.same_kind += o.same_kind;
        self.detections += o.detections;
        self.false_detections += o.false_detections;
    }

    pub fn recall_position(&self) -> f32 {
        self.found_position as f32 / self.truths.max(1) as f32
    }

    pub fn recall(&self) -> f32 {
        self.found_position_angle as f32 / self.truths.max(1) as f32
    }

    pub fn recall_180(&self) -> f32 {
        self.found_position_angle_180 as f32 / self.truths.max(1) as f32
    }

    pub fn false_per_image(&self) -> f32 {
        self.false_detections as f32 / self.images.max(1) as f32
    }

    pub fn detections_per_image(&self) -> f32 {
        self.detections as f32 / self.images.max(1) as f32
    }

    pub fn truths_per_image(&self) -> f32 {
        self.truths as f32 / self.images.max(1) as f32
    }
}

/// One-to-one greedy matching (closest pairs first) of detections to the given true minutiae;
/// false detections are counted against `all_truths` (a detection next to an edge minutia
/// that was left out of `truths` is not false).
pub fn score(truths: &[TrueMinutia], all_truths: &[TrueMinutia], found: &[Minutia]) -> Score {
    let matched = |angle_ok: &dyn Fn(&TrueMinutia, &Minutia) -> bool| {
        let mut pairs = Vec::new();
        for (i, t) in truths.iter().enumerate() {
            for (j, d) in found.iter().enumerate() {
                let dist = (t.x - f32::from(d.x)).hypot(t.y - f32::from(d.y));
                if dist <= MAX_DISTANCE && angle_ok(t, d) {
                    pairs.push((dist, i, j));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut ut, mut ud) = (vec![false; truths.len()], vec![false; found.len()]);
        let mut out = Vec::new();
        for (_, i, j) in pairs {
            if !ut[i] && !ud[j] {
                ut[i] = true;
                ud[j] = true;
                out.push((i, j));
            }
        }
        out
    };
    let by_position = matched(&|_, _| true);
    let by_angle = matched(&|t, d| angle_diff(t.angle_deg, d.angle_deg, 360.0) <= MAX_ANGLE_DEG);
    let by_angle_180 =
        matched(&|t, d| angle_diff(t.angle_deg, d.angle_deg, 180.0) <= MAX_ANGLE_DEG);
    let same_kind = by_angle
        .iter()
        .filter(|(i, j)| truths[*i].kind == found[*j].kind)
        .count();
    let false_detections = found
        .iter()
        .filter(|d| {
            !all_truths
                .iter()
                .any(|t| (t.x - f32::from(d.x)).hypot(t.y - f32::from(d.y)) <= MAX_DISTANCE)
        })
        .count();
    Score {
        images: 1,
        truths: truths.len(),
        found_position: by_position.len(),
        found_position_angle: by_angle.len(),
        found_position_angle_180: by_angle_180.len(),
        same_kind,
        detections: found.len(),
        false_detections,
    }
}
