//! What is measured on the face once it is found: exposure, blown highlights, left/right light
//! balance, sharpness and head roll. Every measure works on the face box resampled to
//! [`REGION`] × [`REGION`] luminance pixels, so the numbers mean the same on a 320 × 240
//! preview frame and on a 1280 × 720 still.

use crate::detect::{resample_luma, FaceBox, Luma};

/// The side of the resampled face region.
pub const REGION: usize = 96;

/// The face box of an RGB8 image as `REGION` × `REGION` luminance (each output pixel the mean
/// of the source pixels it covers, or the nearest one when the face is smaller than that).
pub(crate) fn face_region(rgb: &[u8], width: usize, face: &FaceBox) -> Luma {
    resample_luma(
        rgb,
        width,
        (face.x as usize, face.y as usize),
        (face.width as usize, face.height as usize),
        (REGION, REGION),
    )
}

/// The skin area used for light measures: the middle 70 % of the width, from just under the
/// hairline to above the chin.
fn inner(region: &Luma) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    let w = region.width;
    let h = region.height;
    (w * 15 / 100..w * 85 / 100, h * 15 / 100..h * 90 / 100)
}

/// Mean luminance of the face (0–255).
pub(crate) fn exposure(region: &Luma) -> f32 {
    let (xs, ys) = inner(region);
    let (mut sum, mut n) = (0u64, 0u64);
    for y in ys {
        for x in xs.clone() {
            sum += u64::from(region.at(x, y));
            n += 1;
        }
    }
    sum as f32 / n.max(1) as f32
}

/// The fraction of the face that is blown out (luminance ≥ 250).
pub(crate) fn highlights(region: &Luma) -> f32 {
    let (xs, ys) = inner(region);
    let (mut clipped, mut n) = (0u32, 0u32);
    for y in ys {
        for x in xs.clone() {
            clipped += u32::from(region.at(x, y) >= 250);
            n += 1;
        }
    }
    clipped as f32 / n.max(1) as f32
}

/// The darker half of the face over the brighter half (1.0 is perfectly even light). The
/// middle tenth (the nose and its shadow) is left out.
pub(crate) fn light_balance(region: &Luma) -> f32 {
    let (xs, ys) = inner(region);
    let mid = region.width / 2;
    let gap = region.width / 20;
    let (mut left, mut right, mut nl, mut nr) = (0u64, 0u64, 0u64, 0u64);
    for y in ys {
        for x in xs.clone() {
            let v = u64::from(region.at(x, y));
            if x + gap < mid {
                left += v;
                nl += 1;
            } else if x >= mid + gap {
                right += v;
                nr += 1;
            }
        }
    }
    let l = left as f32 / nl.max(1) as f32;
    let r = right as f32 / nr.max(1) as f32;
    let (lo, hi) = if l < r { (l, r) } else { (r, l) };
    if hi <= 0.0 {
        0.0
    } else {
        lo / hi
    }
}

/// Sharpness, 0 (a flat blur) to 1 (crisp): one minus the no-reference blur measure of
/// Crete et al. (2007, "The blur effect"): how much of the image's pixel-to-pixel variation
/// survives a further 9-tap blur. A sharp image loses much of it; an already blurred one
/// loses little. Taken as the worse of the horizontal and vertical directions.
pub(crate) fn sharpness(region: &Luma) -> f32 {
    let (w, h) = (region.width, region.height);
    let at = |x: usize, y: usize| f32::from(region.at(x, y));
    let blur_h = |x: usize, y: usize| {
        let (a, b) = (x.saturating_sub(4), (x + 4).min(w - 1));
        (a..=b).map(|i| at(i, y)).sum::<f32>() / (b - a + 1) as f32
    };
    let blur_v = |x: usize, y: usize| {
        let (a, b) = (y.saturating_sub(4), (y + 4).min(h - 1));
        (a..=b).map(|j| at(x, j)).sum::<f32>() / (b - a + 1) as f32
    };
    let mut worst: f32 = 0.0;
    for horizontal in [true, false] {
        let (mut d_sum, mut v_sum) = (0.0f32, 0.0f32);
        for y in 1..h {
            for x in 1..w {
                let (d, db) = if horizontal {
                    (
                        (at(x, y) - at(x - 1, y)).abs(),
                        (blur_h(x, y) - blur_h(x - 1, y)).abs(),
                    )
                } else {
                    (
                        (at(x, y) - at(x, y - 1)).abs(),
                        (blur_v(x, y) - blur_v(x, y - 1)).abs(),
                    )
                };
                d_sum += d;
                v_sum += (d - db).max(0.0);
            }
        }
        let blur = if d_sum <= 0.0 {
            1.0
        } else {
            (d_sum - v_sum) / d_sum
        };
        worst = worst.max(blur);
    }
    1.0 - worst
}

/// Head roll in degrees (positive: the face's right side, image left, is higher). The
/// brow-and-eye band of the left half of the face is matched against the right half's: the
/// vertical shift that best aligns their row profiles, over the distance between the two
/// strips, gives the angle. Needs no landmark detector, and is unaffected by the eyes being
/// open or closed; it assumes the face box is upright around the face, which the detector's
/// boxes are up to its own roll tolerance.
pub(crate) fn roll_degrees(region: &Luma) -> f32 {
    let (w, h) = (region.width, region.height);
    let strip = |x0: usize, x1: usize| -> Vec<f32> {
        (0..h)
            .map(|y| (x0..x1).map(|x| f32::from(region.at(x, y))).sum::<f32>() / (x1 - x0) as f32)
            .collect()
    };
    // Strips centred at 30 % and 70 % of the box width, 24 % wide each.
    let left = strip(w * 18 / 100, w * 42 / 100);
    let right = strip(w * 58 / 100, w * 82 / 100);
    let dx = 0.4 * w as f32;
    // Rows of the band in the left strip, compared with the right strip shifted by `s`.
    let band = (h * 12 / 100) as i32..(h * 62 / 100) as i32;
    let max_shift = (h * 15 / 100) as i32;
    let score = |s: i32| -> f32 {
        let pairs: Vec<(f32, f32)> = band
            .clone()
            .filter_map(|y| {
                let ys = y + s;
                (ys >= 0 && (ys as usize) < h).then(|| (left[y as usize], right[ys as usize]))
            })
            .collect();
        let n = pairs.len() as f32;
        if n < 4.0 {
            return -1.0;
        }
        let (ma, mb) = (
            pairs.iter().map(|p| p.0).sum::<f32>() / n,
            pairs.iter().map(|p| p.1).sum::<f32>() / n,
        );
        let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
        for (a, b) in &pairs {
            num += (a - ma) * (b - mb);
            da += (a - ma) * (a - ma);
            db += (b - mb) * (b - mb);
        }
        if da <= 0.0 || db <= 0.0 {
            -1.0
        } else {
            num / (da * db).sqrt()
        }
    };
    let scores: Vec<(i32, f32)> = (-max_shift..=max_shift).map(|s| (s, score(s))).collect();
    let Some(&(best, best_score)) = scores
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.abs().cmp(&a.0.abs())))
    else {
        return 0.0;
    };
    // Sub-pixel peak by a parabola through the neighbours.
    let at = |s: i32| scores.iter().find(|p| p.0 == s).map(|p| p.1);
    let shift = match (at(best - 1), at(best + 1)) {
        (Some(a), Some(c)) => {
            let denom = a - 2.0 * best_score + c;
            if denom.abs() > 1e-6 {
                best as f32 + 0.5 * (a - c) / denom
            } else {
                best as f32
            }
        }
        _ => best as f32,
    };
    // The right strip's features sit `shift` rows lower than the left strip's.
    (shift / dx).atan().to_degrees()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region_from(f: impl Fn(usize, usize) -> u8) -> Luma {
        let mut pixels = Vec::with_capacity(REGION * REGION);
        for y in 0..REGION {
            for x in 0..REGION {
                pixels.push(f(x, y));
            }
        }
        Luma {
            width: REGION,
            height: REGION,
            pixels,
        }
    }

    #[test]
    fn flat_light_is_balanced_and_side_light_is_not() {
        let flat = region_from(|_, _| 120);
        assert!((light_balance(&flat) - 1.0).abs() < 1e-6);
        assert!((exposure(&flat) - 120.0).abs() < 1e-3);
        assert_eq!(highlights(&flat), 0.0);
        let side = region_from(|x, _| if x < REGION / 2 { 60 } else { 120 });
        assert!((light_balance(&side) - 0.5).abs() < 0.01);
        let blown = region_from(|_, _| 255);
        assert_eq!(highlights(&blown), 1.0);
    }

    #[test]
    fn sharp_edges_score_higher_than_soft_ones() {
        let sharp = region_from(|x, y| if (x / 8 + y / 8) % 2 == 0 { 40 } else { 200 });
        let soft = region_from(|x, y| {
            let v = ((x as f32 / 6.0).sin() + (y as f32 / 6.0).sin()) * 40.0 + 120.0;
            v as u8
        });
        assert!(sharpness(&sharp) > 0.5, "{}", sharpness(&sharp));
        assert!(sharpness(&soft) < sharpness(&sharp));
        assert_eq!(sharpness(&region_from(|_, _| 9)), 0.0);
    }

    #[test]
    fn a_tilted_bar_pattern_gives_its_angle() {
        // Two dark horizontal bars (brows and eyes), tilted by `deg`.
        for deg in [-12.0f32, -5.0, 0.0, 5.0, 12.0] {
            let t = deg.to_radians().tan();
            let r = region_from(|x, y| {
                let yy = y as f32 - (x as f32 - REGION as f32 / 2.0) * t;
                let dark = (28.0..34.0).contains(&yy) || (40.0..46.0).contains(&yy);
                if dark {
                    40
                } else {
                    180
                }
            });
            let got = roll_degrees(&r);
            assert!((got - deg).abs() < 2.0, "tilt {deg}: measured {got}");
        }
    }
}
