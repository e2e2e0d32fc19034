//! Contextual enhancement with oriented even-symmetric Gabor filters (Hong, Wan & Jain 1998).
//!
//! Each pixel of the print is filtered with a Gabor kernel tuned to the local ridge direction
//! and period: a cosine across the ridges under a Gaussian envelope that is longer along them.
//! That smooths along the ridges (closing small breaks and pores) and band-passes across them
//! (removing noise and uneven pressure). Kernels are quantised in orientation and period and built
//! once per image for the combinations it uses. The output is ≈ −1 on ridge centres (ridges are
//! dark) and ≈ +1 on valley centres; 0 outside the print.

use crate::frequency::BlockMap;
use crate::orientation::Orientation;
use crate::plane::Plane;
use crate::segment::Mask;
use std::collections::HashMap;
use std::f32::consts::PI;

pub(crate) struct GaborParams {
    /// Envelope standard deviation along the ridges, pixels.
    pub sigma_along: f32,
    /// Envelope standard deviation across the ridges, pixels.
    pub sigma_across: f32,
    /// Kernel radius, pixels.
    pub radius: usize,
    /// Orientation bins over 180°.
    pub orientation_bins: usize,
    /// Period quantisation step, pixels.
    pub period_step: f32,
}

/// A kernel as (offset in the padded image, weight) pairs, zero weights dropped.
struct Kernel {
    taps: Vec<(isize, f32)>,
}

fn build_kernel(angle: f32, period: f32, p: &GaborParams, stride: usize) -> Kernel {
    let r = p.radius as isize;
    let (tx, ty) = (angle.cos(), angle.sin());
    let (nx, ny) = (-ty, tx);
    // (offset, envelope, carrier)
    let mut raw = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            let (x, y) = (dx as f32, dy as f32);
            let along = x * tx + y * ty;
            let across = x * nx + y * ny;
            let env = (-0.5
                * (along * along / (p.sigma_along * p.sigma_along)
                    + across * across / (p.sigma_across * p.sigma_across)))
                .exp();
            if env < 0.01 {
                continue;
            }
            let wave = (2.0 * PI * across / period).cos();
            raw.push((dy * stride as isize + dx, env, wave));
        }
    }
    // Zero mean, so that a flat area gives 0 whatever its level; then unit gain on a matching
    // cosine, so that the output is on the scale of the normalised input.
    let env_sum: f32 = raw.iter().map(|t| t.1).sum();
    let mean = raw.iter().map(|t| t.1 * t.2).sum::<f32>() / env_sum;
    let gain: f32 = raw.iter().map(|t| t.1 * (t.2 - mean) * t.2).sum();
    let gain = if gain.abs() > 1e-6 { gain } else { 1.0 };
    Kernel {
        taps: raw
            .into_iter()
            .map(|(o, e, wv)| (o, e * (wv - mean) / gain))
            .collect(),
    }
}

pub(crate) fn enhance(
    image: &Plane,
    orientation: &Orientation,
    period: &BlockMap,
    mask: &Mask,
    p: &GaborParams,
) -> Plane {
    let (w, h) = (image.w, image.h);
    let r = p.radius;
    let stride = w + 2 * r;
    // Zero-padded copy of the normalised image, with zeros outside the print too so that the
    // background does not ring into the ridges at the edge.
    let mut padded = vec![0.0f32; stride * (h + 2 * r)];
    for y in 0..h {
        for x in 0..w {
            if mask.contains(x, y) {
                padded[(y + r) * stride + x + r] = image.at(x, y);
            }
        }
    }
    let bins = p.orientation_bins;
    let mut kernels: HashMap<(usize, u32), Kernel> = HashMap::new();
    let mut out = Plane::new(w, h);
    for y in 0..h {
        for x in 0..w {
            if !mask.contains(x, y) {
                continue;
            }
            let a = orientation.angle.at(x, y);
            let ob = ((a / PI * bins as f32).round() as usize) % bins;
            let pb = (period.at_pixel(x, y) / p.period_step).round().max(1.0) as u32;
            let kernel = kernels.entry((ob, pb)).or_insert_with(|| {
                build_kernel(
                    ob as f32 * PI / bins as f32,
                    pb as f32 * p.period_step,
                    p,
                    stride,
                )
            });
            let centre = ((y + r) * stride + x + r) as isize;
            let mut acc = 0.0f32;
            for &(off, wt) in &kernel.taps {
                acc += padded[(centre + off) as usize] * wt;
            }
            out.data[y * w + x] = acc;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_has_zero_mean_and_unit_gain() {
        let p = GaborParams {
            sigma_along: 4.0,
            sigma_across: 3.0,
            radius: 8,
            orientation_bins: 16,
            period_step: 0.5,
        };
        let k = build_kernel(0.3, 9.0, &p, 100);
        let sum: f32 = k.taps.iter().map(|t| t.1).sum();
        assert!(sum.abs() < 1e-3, "sum {sum}");
    }
}
