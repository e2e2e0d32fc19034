//! Local normalisation and the ridge orientation field.
//!
//! The orientation comes from the averaged gradient structure tensor (Bazen & Gerez, "Systematic
//! methods for the computation of the directional fields and singular points of fingerprints",
//! IEEE PAMI 2002): with `Gxx = ⟨gx²⟩`, `Gyy = ⟨gy²⟩`, `Gxy = ⟨gx·gy⟩` over a window, the
//! dominant gradient direction is `½·atan2(2Gxy, Gxx − Gyy)` and the ridges run perpendicular to
//! it; the coherence `√((Gxx − Gyy)² + 4Gxy²) / (Gxx + Gyy)` is 1 for perfectly parallel ridges
//! and near 0 for noise. The doubled-angle vectors are then smoothed again, which is the usual
//! way of averaging orientations (an angle and the same angle + π are the same orientation).

use crate::plane::Plane;
use std::f32::consts::{FRAC_PI_2, PI};

/// The image brought to zero local mean and unit local deviation, with the raw local
/// deviation kept for segmentation and quality.
pub(crate) struct Normalised {
    pub image: Plane,
    /// Grey-level standard deviation in the window around each pixel.
    pub deviation: Plane,
}

/// `(I − local mean) / max(local deviation, floor)` over a `(2r+1)²` window.
pub(crate) fn normalise(raw: &Plane, r: usize, deviation_floor: f32) -> Normalised {
    let mean = raw.box_mean(r);
    let mean_sq = raw.map(|v| v * v).box_mean(r);
    let deviation = Plane {
        w: raw.w,
        h: raw.h,
        data: mean
            .data
            .iter()
            .zip(&mean_sq.data)
            .map(|(m, m2)| (m2 - m * m).max(0.0).sqrt())
            .collect(),
    };
    let image = Plane {
        w: raw.w,
        h: raw.h,
        data: raw
            .data
            .iter()
            .zip(&mean.data)
            .zip(&deviation.data)
            .map(|((v, m), d)| (v - m) / d.max(deviation_floor))
            .collect(),
    };
    Normalised { image, deviation }
}

/// The ridge orientation (radians in `[0, π)`, measured in image coordinates: x right, y down)
/// and its coherence (0–1) at every pixel.
pub(crate) struct Orientation {
    pub angle: Plane,
    pub coherence: Plane,
}

impl Orientation {
    /// The ridge direction at a pixel as a unit vector (one of its two senses).
    pub fn direction(&self, x: usize, y: usize) -> (f32, f32) {
        let a = self.angle.at(x, y);
        (a.cos(), a.sin())
    }
}

/// Sobel gradients of the image lightly pre-smoothed (two 3×3 box passes, so that pixel noise
/// does not swamp the gradients), structure tensor averaged over radius `tensor_r`, orientation
/// smoothed by two further box passes of radius `smooth_r` over the doubled-angle vectors.
pub(crate) fn orientation_field(image: &Plane, tensor_r: usize, smooth_r: usize) -> Orientation {
    let (w, h) = (image.w, image.h);
    let smoothed = image.box_mean(1).box_mean(1);
    let image = &smoothed;
    let mut gxx = Plane::new(w, h);
    let mut gyy = Plane::new(w, h);
    let mut gxy = Plane::new(w, h);
    let px = |x: isize, y: isize| {
        let xc = x.clamp(0, w as isize - 1) as usize;
        let yc = y.clamp(0, h as isize - 1) as usize;
        image.data[yc * w + xc]
    };
    for y in 0..h as isize {
        for x in 0..w as isize {
            let gx = (px(x + 1, y - 1) + 2.0 * px(x + 1, y) + px(x + 1, y + 1))
                - (px(x - 1, y - 1) + 2.0 * px(x - 1, y) + px(x - 1, y + 1));
            let gy = (px(x - 1, y + 1) + 2.0 * px(x, y + 1) + px(x + 1, y + 1))
                - (px(x - 1, y - 1) + 2.0 * px(x, y - 1) + px(x + 1, y - 1));
            let i = y as usize * w + x as usize;
            gxx.data[i] = gx * gx;
            gyy.data[i] = gy * gy;
            gxy.data[i] = gx * gy;
        }
    }
    let (gxx, gyy, gxy) = (
        gxx.box_mean(tensor_r),
        gyy.box_mean(tensor_r),
        gxy.box_mean(tensor_r),
    );
    let mut vx = Plane::new(w, h);
    let mut vy = Plane::new(w, h);
    let mut coherence = Plane::new(w, h);
    for i in 0..w * h {
        let (a, b, c) = (gxx.data[i], gyy.data[i], gxy.data[i]);
        let (dx, dy) = (a - b, 2.0 * c);
        let energy = a + b;
        vx.data[i] = dx;
        vy.data[i] = dy;
        coherence.data[i] = if energy > 1e-6 {
            (dx.hypot(dy) / energy).min(1.0)
        } else {
            0.0
        };
    }
    let vx = vx.box_mean(smooth_r).box_mean(smooth_r);
    let vy = vy.box_mean(smooth_r).box_mean(smooth_r);
    let angle = Plane {
        w,
        h,
        data: vx
            .data
            .iter()
            .zip(&vy.data)
            .map(|(&x, &y)| (0.5 * y.atan2(x) + FRAC_PI_2).rem_euclid(PI))
            .collect(),
    };
    Orientation { angle, coherence }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight ridges at angle `a` (ridge direction), period 9.
    fn stripes(a: f32) -> Plane {
        let (nx, ny) = (-a.sin(), a.cos());
        Plane::from_fn(64, 64, |x, y| {
            (std::f32::consts::TAU * (x as f32 * nx + y as f32 * ny) / 9.0).cos()
        })
    }

    fn angle_diff(a: f32, b: f32) -> f32 {
        let d = (a - b).rem_euclid(PI);
        d.min(PI - d)
    }

    #[test]
    fn finds_the_direction_of_straight_ridges() {
        for deg in [0.0f32, 30.0, 60.0, 90.0, 135.0, 170.0] {
            let a = deg.to_radians();
            let o = orientation_field(&stripes(a), 6, 3);
            let got = o.angle.at(32, 32);
            assert!(
                angle_diff(got, a) < 2f32.to_radians(),
                "{deg}°: got {}°",
                got.to_degrees()
            );
            assert!(o.coherence.at(32, 32) > 0.9);
        }
    }

    #[test]
    fn normalise_gives_zero_mean_unit_deviation_on_stripes() {
        let raw = stripes(0.4).map(|v| 120.0 + 40.0 * v);
        let n = normalise(&raw, 8, 1.0);
        let centre = n.image.box_mean(8).at(32, 32);
        assert!(centre.abs() < 0.1);
        assert!((n.deviation.at(32, 32) - 40.0 / 2f32.sqrt()).abs() < 3.0);
    }
}
