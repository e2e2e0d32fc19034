//! Synthetic handwritten signatures as an ISDv4-like pen pad reports them (pad units, pressure,
//! milliseconds); `ktpel_hal::render_signature` turns them into the PNG the record keeps, as
//! it does for every real pad.
//!
//! A signature is a capital loop, one or two cursive words drawn as coupled oscillations (the
//! pen sweeps right while circling, so letters loop where the circling outruns the sweep),
//! and sometimes an underline flourish and a dot. The person fixes the shape; each capture
//! varies it slightly (size, slant, position, speed), as real signatures do.

use crate::rng::{mix, SimRng};
use ktpel_hal::{PenPoint, Stroke};
use std::f32::consts::{PI, TAU};

/// Pad coordinate range (ISDv4-like).
pub const PAD_MAX_X: u32 = 12000;
pub const PAD_MAX_Y: u32 = 4000;
pub const PAD_MAX_PRESSURE: u16 = 1023;
/// The rendered signature image.
pub const SIGNATURE_IMAGE_WIDTH: u32 = 600;
pub const SIGNATURE_IMAGE_HEIGHT: u32 = 200;
/// Pen report interval (≈ 133 Hz).
pub const SAMPLE_INTERVAL_MS: u32 = 7;

/// A stroke in abstract units (x right, y down, letters about 1 high) with times in ms.
struct RawStroke {
    points: Vec<(f32, f32, f32)>,
}

/// The strokes of person `subject`'s signature. `variation` seeds the capture-to-capture
/// differences (0 gives the person's reference form); `shaky` degrades it (tremor, dropped
/// samples).
pub fn signature_strokes(subject: u64, variation: u64, shaky: bool) -> Vec<Stroke> {
    let mut rng = SimRng::new(mix(&[subject, 0x516]));
    let mut raws = Vec::new();
    let slant = rng.range(-0.45, 0.05);
    let speed = rng.range(0.8, 1.25);

    // Capital: a big loop that runs into the first word.
    let cap_r = rng.range(0.9, 1.4);
    let cap_aspect = rng.range(0.45, 0.9);
    let cap_tilt = rng.range(-0.5, 0.5);
    let turns = rng.range(0.9, 1.6);
    let n = (turns * 60.0 / speed) as usize;
    let mut capital = Vec::with_capacity(n);
    for i in 0..n {
        let s = i as f32 / n as f32;
        let a = -PI / 2.0 + s * turns * TAU;
        let r = cap_r * (1.0 - 0.35 * s);
        let (cx, cy) = (r * cap_aspect * a.cos(), r * a.sin());
        capital.push((cx + cap_tilt * cy, -0.3 + cy, 0.0));
    }
    let mut x0 = capital.last().map_or(0.0, |p| p.0) + 0.2;
    raws.push(RawStroke { points: capital });

    // One or two cursive words.
    let words = if rng.chance(0.5) { 2 } else { 1 };
    for w in 0..words {
        let letters = rng.int(if w == 0 { 4 } else { 3 }, if w == 0 { 8 } else { 6 });
        let amps: Vec<f32> = (0..=letters)
            .map(|_| {
                if rng.chance(0.2) {
                    rng.range(1.4, 2.0) // ascender
                } else {
                    rng.range(0.45, 0.85)
                }
            })
            .collect();
        let loopiness = rng.range(0.7, 1.7);
        let samples_per_letter = (24.0 / speed) as usize;
        let total = letters as usize * samples_per_letter;
        let mut pts = Vec::with_capacity(total);
        for i in 0..total {
            let s = i as f32 / samples_per_letter as f32; // letters drawn so far
            let k = (s as usize).min(letters as usize - 1);
            let f = s - k as f32;
            let blend = 0.5 - 0.5 * (PI * f).cos();
            let amp = amps[k] + (amps[k + 1] - amps[k]) * blend;
            let ph = s * TAU;
            let x = x0 + s * 0.55 + 0.5 * loopiness * 0.55 / PI * ph.sin();
            let y = -amp * 0.5 * (1.0 - ph.cos()) + 0.1 * (s * 0.7).sin();
            pts.push((x, y, 0.0));
        }
        x0 = pts.last().map_or(x0, |p| p.0) + rng.range(0.4, 0.8);
        raws.push(RawStroke { points: pts });
    }

    // Underline flourish.
    if rng.chance(0.6) {
        let n = 50;
        let (start, end) = (rng.range(-0.8, 0.2), x0 - rng.range(0.0, 0.6));
        let sag = rng.range(-0.15, 0.25);
        let pts = (0..n)
            .map(|i| {
                let s = i as f32 / (n - 1) as f32;
                (
                    start + (end - start) * s,
                    0.45 + sag * (PI * s).sin() - 0.15 * s,
                    0.0,
                )
            })
            .collect();
        raws.push(RawStroke { points: pts });
    }
    // A dot.
    if rng.chance(0.3) {
        let x = rng.range(1.0, x0.max(1.5) - 0.5);
        raws.push(RawStroke {
            points: vec![
                (x, -1.3, 0.0),
                (x + 0.03, -1.28, 0.0),
                (x + 0.05, -1.27, 0.0),
            ],
        });
    }

    let base_pressure = rng.range(420.0, 720.0);
    let person_seed = rng.next_u64();
    let mut var = SimRng::new(mix(&[subject, 0x516, variation]));
    let v = if variation == 0 { 0.0 } else { 1.0 };
    let scale_jitter = 1.0 + v * var.range(-0.04, 0.04);
    let slant = slant + v * var.range(-0.04, 0.04);
    let rot = v * var.range(-0.03, 0.03);
    let time_scale = 1.0 + v * var.range(-0.08, 0.08);
    let (ox, oy) = (v * var.range(-0.03, 0.03), v * var.range(-0.05, 0.05));

    // Slant and rotate, then fit into the pad.
    let (sr, cr) = rot.sin_cos();
    for raw in &mut raws {
        for p in &mut raw.points {
            let x = p.0 - slant * p.1;
            (p.0, p.1) = (x * cr - p.1 * sr, x * sr + p.1 * cr);
        }
    }
    let all = raws.iter().flat_map(|r| r.points.iter());
    let (mut minx, mut maxx, mut miny, mut maxy) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for p in all {
        minx = minx.min(p.0);
        maxx = maxx.max(p.0);
        miny = miny.min(p.1);
        maxy = maxy.max(p.1);
    }
    let (pad_w, pad_h) = (PAD_MAX_X as f32, PAD_MAX_Y as f32);
    let fit = (0.8 * pad_w / (maxx - minx).max(1e-3)).min(0.75 * pad_h / (maxy - miny).max(1e-3));
    let fit = fit * scale_jitter * SimRng::new(person_seed).range(0.85, 1.0);
    let cx = pad_w * (0.5 + ox) - fit * 0.5 * (minx + maxx);
    let cy = pad_h * (0.5 + oy) - fit * 0.5 * (miny + maxy);

    let mut tremor = SimRng::new(mix(&[person_seed, variation, 0x7E]));
    let mut t_ms = 0.0f32;
    let mut strokes = Vec::with_capacity(raws.len());
    for (si, raw) in raws.iter().enumerate() {
        if si > 0 {
            t_ms += time_scale * tremor.range(120.0, 380.0);
        }
        let n = raw.points.len();
        let mut points = Vec::with_capacity(n);
        for (i, p) in raw.points.iter().enumerate() {
            if shaky && i % 2 == 1 {
                t_ms += SAMPLE_INTERVAL_MS as f32 * time_scale;
                continue;
            }
            let (mut x, mut y) = (cx + fit * p.0, cy + fit * p.1);
            if shaky {
                x += tremor.range(-60.0, 60.0);
                y += tremor.range(-60.0, 60.0);
            } else {
                x += tremor.range(-4.0, 4.0);
                y += tremor.range(-4.0, 4.0);
            }
            // Pressure: lands, holds with some wobble, lifts; heavier where the pen is slow.
            let (prev, next) = (
                &raw.points[i.saturating_sub(1)],
                &raw.points[(i + 1).min(n - 1)],
            );
            let speed = (next.0 - prev.0).hypot(next.1 - prev.1);
            let env = (i as f32 / 4.0).min(1.0) * ((n - 1 - i) as f32 / 5.0).min(1.0);
            let wobble = 1.0 + 0.08 * (i as f32 * 0.31 + si as f32).sin();
            let slow = 1.15 - 0.5 * (speed * 8.0).min(1.0);
            let pressure =
                base_pressure * env.max(0.15) * wobble * slow + tremor.range(-15.0, 15.0);
            points.push(PenPoint {
                x: x.round().clamp(0.0, pad_w) as u32,
                y: y.round().clamp(0.0, pad_h) as u32,
                pressure: pressure.round().clamp(1.0, f32::from(PAD_MAX_PRESSURE)) as u16,
                t_ms: t_ms.round() as u32,
            });
            t_ms += SAMPLE_INTERVAL_MS as f32 * time_scale;
        }
        strokes.push(Stroke { points });
    }
    strokes
}
