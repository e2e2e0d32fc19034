//! Ridge period (the inverse of the ridge frequency) per block.
//!
//! In each block the normalised image is summed along the ridge direction inside an oriented
//! window, giving a 1-D "x-signature" across the ridges (Hong, Wan & Jain, "Fingerprint image
//! enhancement: algorithm and performance evaluation", IEEE PAMI 1998). Its period is taken from
//! the first peak of its autocorrelation, refined by a parabola through the peak. Blocks without
//! a clear period take the median of the print, and the map is smoothed once.

use crate::orientation::Orientation;
use crate::plane::Plane;
use crate::segment::Mask;

/// A value per `block × block` tile.
pub(crate) struct BlockMap {
    pub block: usize,
    pub bw: usize,
    pub bh: usize,
    pub values: Vec<f32>,
}

impl BlockMap {
    #[inline]
    pub fn at_pixel(&self, x: usize, y: usize) -> f32 {
        self.values[(y / self.block).min(self.bh - 1) * self.bw + (x / self.block).min(self.bw - 1)]
    }

    /// The median over all blocks (used as the print's typical period).
    pub fn median(&self) -> f32 {
        median(&self.values).unwrap_or(0.0)
    }
}

pub(crate) struct FrequencyParams {
    pub block: usize,
    /// Length of the signature across the ridges, pixels.
    pub length: usize,
    /// Half-width of the window along the ridges, pixels.
    pub half_width: usize,
    pub min_period: f32,
    pub max_period: f32,
    /// Used when no block shows a clear period.
    pub default_period: f32,
}

pub(crate) fn ridge_period(
    image: &Plane,
    orientation: &Orientation,
    mask: &Mask,
    p: &FrequencyParams,
) -> BlockMap {
    let b = p.block;
    let (bw, bh) = (image.w.div_ceil(b), image.h.div_ceil(b));
    let mut raw: Vec<Option<f32>> = vec![None; bw * bh];
    let mut signature = vec![0.0f32; p.length];
    for by in 0..bh {
        for bx in 0..bw {
            let cx = ((bx * b + b / 2).min(image.w - 1)) as f32;
            let cy = ((by * b + b / 2).min(image.h - 1)) as f32;
            if !mask.contains(cx as usize, cy as usize) {
                continue;
            }
            let (tx, ty) = orientation.direction(cx as usize, cy as usize);
            let (nx, ny) = (-ty, tx);
            for (k, s) in signature.iter_mut().enumerate() {
                let u = k as f32 - p.length as f32 / 2.0;
                let mut sum = 0.0;
                for j in -(p.half_width as isize)..=p.half_width as isize {
                    let v = j as f32;
                    sum += image.bilinear(cx + u * nx + v * tx, cy + u * ny + v * ty);
                }
                *s = sum;
            }
            raw[by * bw + bx] = signature_period(&signature, p.min_period, p.max_period);
        }
    }
    let found: Vec<f32> = raw.iter().flatten().copied().collect();
    let global = median(&found).unwrap_or(p.default_period);
    // One pass of 3×3 averaging over the blocks that found a period.
    let mut values = vec![global; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut sum, mut n) = (0.0, 0.0);
            for y in by.saturating_sub(1)..(by + 2).min(bh) {
                for x in bx.saturating_sub(1)..(bx + 2).min(bw) {
                    if let Some(v) = raw[y * bw + x] {
                        sum += v;
                        n += 1.0;
                    }
                }
            }
            if n > 0.0 {
                values[by * bw + bx] = sum / n;
            }
        }
    }
    BlockMap {
        block: b,
        bw,
        bh,
        values,
    }
}

/// The period of a signature from its first autocorrelation peak in `[min, max]`.
fn signature_period(sig: &[f32], min: f32, max: f32) -> Option<f32> {
    let n = sig.len();
    let mean = sig.iter().sum::<f32>() / n as f32;
    let d: Vec<f32> = sig.iter().map(|v| v - mean).collect();
    let r0: f32 = d.iter().map(|v| v * v).sum();
    if r0 <= 1e-6 {
        return None;
    }
    let lag_max = (max.ceil() as usize + 1).min(n - 2);
    let ac: Vec<f32> = (0..=lag_max)
        .map(|lag| {
            let s: f32 = d[..n - lag].iter().zip(&d[lag..]).map(|(a, b)| a * b).sum();
            // Unbiased: the overlap shrinks with the lag.
            s / r0 * n as f32 / (n - lag) as f32
        })
        .collect();
    let lag_min = (min.floor() as usize).max(2);
    for lag in lag_min..lag_max {
        let (a, c, e) = (ac[lag - 1], ac[lag], ac[lag + 1]);
        if c >= a && c >= e && c > 0.25 {
            let denom = a - 2.0 * c + e;
            let offset = if denom.abs() > 1e-6 {
                (0.5 * (a - e) / denom).clamp(-0.5, 0.5)
            } else {
                0.0
            };
            let period = lag as f32 + offset;
            return (period >= min && period <= max).then_some(period);
        }
    }
    None
}

fn median(values: &[f32]) -> Option<f32> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f32::total_cmp);
    Some(v[v.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_period_of_a_sine() {
        for period in [6.0f32, 8.5, 9.0, 11.3] {
            let sig: Vec<f32> = (0..40)
                .map(|k| (std::f32::consts::TAU * k as f32 / period).cos())
                .collect();
            let got = signature_period(&sig, 4.0, 16.0);
            assert!(
                got.is_some_and(|g| (g - period).abs() < 0.4),
                "{period}: {got:?}"
            );
        }
    }

    #[test]
    fn a_flat_signature_has_no_period() {
        assert_eq!(signature_period(&[1.0; 32], 4.0, 16.0), None);
    }
}
