//! Synthetic fingerprints as an R30x/ZFM module images them: 256 × 288 pixels, 8-bit grey,
//! 500 ppi, dark ridges on a light background inside an elliptical fingertip.
//!
//! # The model: a phase field
//!
//! The image is `cos φ(x, y)` pushed through a ridge profile, where the phase
//!
//! ```text
//! φ(x, y) = 2π · ψ(x', y') / period  +  offset  +  Σ bumps  +  Σ pₙ · arg((x, y) − (xₙ, yₙ))
//! ```
//!
//! - `ψ` is the **base flow**, a potential whose level lines are the ridges, built from distances
//!   to a skeleton (so that its gradient has length ≈ 1 and the ridge period is constant):
//!   a loop is the distance to a ray leaving the core (nested hairpins), a whorl the distance
//!   to a short segment (nested rings); both are soft-minimised with straight "type lines" whose
//!   meeting points with the core system are the deltas (a delta is a point equidistant from
//!   three parts of the skeleton). An arch is a single bent family. `(x', y')` are the image
//!   coordinates rotated by the pattern's rotation about the fingertip centre. Distances are
//!   softened near the skeleton (`√(d² + ε²)`) so the phase has no crease there.
//! - Each **spiral** (`pₙ = ±1`) winds the phase once around its point: exactly one ridge more
//!   on one side than on the other, i.e. a minutia (Larkin & Fletcher, "A coherent framework
//!   for fingerprint analysis: are fingerprints holograms?", Opt. Express 2007). A generated
//!   finger carries some twenty natural minutiae (balanced polarities), listed in [`FingerPattern::spirals`].
//! - **Bumps** are smooth local phase shifts (a Gaussian of the given radius) that move ridges
//!   sideways without changing the topology.
//!
//! # Inserting a known minutia later
//!
//! Push a [`Spiral`] at the point. Which side gains the extra ridge depends on the polarity and
//! on the ridge direction there ([`FingerPattern::ridge_angle_at`]); whether the extra line is
//! a ridge (a **ridge ending**) or a valley (a **bifurcation**) depends on the phase the spiral
//! sees along that side: sample [`FingerPattern::phase_at`] a few pixels out along the ridge
//! direction on the extra side — `cos φ ≈ 1` there is a ridge (ending), `≈ −1` a valley
//! (bifurcation) — and add a [`PhaseBump`] centred on the point (radius of one or two periods,
//! shift of π) to flip it. Rendering is a pure function of the pattern, so the inserted
//! minutiae are exactly where they were put.

use crate::imaging::smoothstep;
use crate::rng::{fbm, mix, SimRng};
use ktpel_hal::{FingerPosition, GrayImage};
use std::f32::consts::{PI, TAU};

pub const FINGER_WIDTH: u32 = 256;
pub const FINGER_HEIGHT: u32 = 288;
pub const FINGER_PPI: u16 = 500;

/// The Henry class of a generated pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternClass {
    Arch,
    TentedArch,
    /// Hairpins open towards the left of the image.
    LeftLoop,
    /// Hairpins open towards the right of the image.
    RightLoop,
    Whorl,
}

/// A point around which the phase winds once: a minutia.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spiral {
    /// Image coordinates (pixels).
    pub x: f32,
    pub y: f32,
    /// +1 or −1: the sense of the winding.
    pub polarity: i8,
}

/// A smooth local phase shift: `shift · exp(−r²/radius²)` radians around the point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseBump {
    pub x: f32,
    pub y: f32,
    pub radius: f32,
    pub shift: f32,
}

/// One part of a flow skeleton; the base potential is the soft minimum of the distances to
/// every part. Coordinates are in pattern space (pixels, before rotation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Skeleton {
    /// A half-line from `start` in direction `angle` (radians; y grows downwards).
    Ray { start: (f32, f32), angle: f32 },
    /// A segment between two points.
    Segment { a: (f32, f32), b: (f32, f32) },
    /// A straight line given by a point on it and its unit normal pointing into the finger;
    /// the distance is signed (negative beyond the line).
    Line {
        point: (f32, f32),
        normal: (f32, f32),
    },
}

impl Skeleton {
    /// Squared distance (for the ray and the segment) or signed distance (for the line).
    fn distance(&self, x: f32, y: f32, eps2: f32) -> f32 {
        match *self {
            Skeleton::Ray { start, angle } => {
                let (dx, dy) = (x - start.0, y - start.1);
                let (c, s) = (angle.cos(), angle.sin());
                let along = dx * c + dy * s;
                let d2 = if along > 0.0 {
                    let perp = dx * s - dy * c;
                    perp * perp
                } else {
                    dx * dx + dy * dy
                };
                (d2 + eps2).sqrt()
            }
            Skeleton::Segment { a, b } => {
                let (ux, uy) = (b.0 - a.0, b.1 - a.1);
                let len2 = ux * ux + uy * uy;
                let t = if len2 > 0.0 {
                    (((x - a.0) * ux + (y - a.1) * uy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (dx, dy) = (x - a.0 - t * ux, y - a.1 - t * uy);
                (dx * dx + dy * dy + eps2).sqrt()
            }
            Skeleton::Line { point, normal } => (x - point.0) * normal.0 + (y - point.1) * normal.1,
        }
    }
}

/// The ridge flow without minutiae.
#[derive(Debug, Clone, PartialEq)]
pub enum BaseFlow {
    /// Ridges across the finger, bent upwards around `peak_x`: ψ = base_y − y − h·g(x)·s(y).
    Arch {
        peak_x: f32,
        base_y: f32,
        height: f32,
        width: f32,
    },
    /// Soft minimum (radius `smoothing`) of the distances to the skeleton's parts.
    Skeleton {
        parts: Vec<Skeleton>,
        smoothing: f32,
        /// Softening of the distance near rays and segments (pixels).
        softening: f32,
    },
}

impl BaseFlow {
    /// The potential ψ in pixels at pattern coordinates.
    pub fn potential(&self, x: f32, y: f32) -> f32 {
        match self {
            BaseFlow::Arch {
                peak_x,
                base_y,
                height,
                width,
            } => {
                let g = (-((x - peak_x) / width).powi(2)).exp();
                let s = 0.35 + 0.65 * (-((y - 150.0) / 110.0).powi(2)).exp();
                base_y - y - height * g * s
            }
            BaseFlow::Skeleton {
                parts,
                smoothing,
                softening,
            } => {
                let eps2 = softening * softening;
                let mut ds = [0.0f32; 6];
                let n = parts.len().min(ds.len());
                let mut m = f32::INFINITY;
                for (d, part) in ds.iter_mut().zip(parts) {
                    *d = part.distance(x, y, eps2);
                    m = m.min(*d);
                }
                let tau = smoothing.max(0.1);
                let sum: f32 = ds[..n].iter().map(|d| (-(d - m) / tau).exp()).sum();
                m - tau * sum.ln()
            }
        }
    }
}

/// The pressed area: an ellipse in image coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FingertipMask {
    pub cx: f32,
    pub cy: f32,
    pub rx: f32,
    pub ry: f32,
}

impl FingertipMask {
    /// The normalised elliptical radius (1 on the edge).
    pub fn radius(&self, x: f32, y: f32) -> f32 {
        let (u, v) = ((x - self.cx) / self.rx, (y - self.cy) / self.ry);
        (u * u + v * v).sqrt()
    }
}

/// Everything that determines one finger's image.
#[derive(Debug, Clone, PartialEq)]
pub struct FingerPattern {
    pub class: PatternClass,
    /// Ridge period in pixels (8–10 at 500 ppi).
    pub period: f32,
    /// Rotation of the flow about the fingertip centre, radians.
    pub rotation: f32,
    pub flow: BaseFlow,
    /// Constant phase added everywhere (radians).
    pub phase_offset: f32,
    pub bumps: Vec<PhaseBump>,
    pub spirals: Vec<Spiral>,
    pub mask: FingertipMask,
    /// Core points (image coordinates) of the base flow, for reference.
    pub cores: Vec<(f32, f32)>,
    /// Delta points (image coordinates) of the base flow, for reference.
    pub deltas: Vec<(f32, f32)>,
    /// Seeds the skin texture (pressure, background, grain).
    pub texture_seed: u64,
}

/// The deterministic ideal image of one finger of one person.
pub fn render_finger(subject: u64, position: FingerPosition) -> GrayImage {
    FingerPattern::generate(subject, position).render()
}

impl FingerPattern {
    /// The finger `position` of person `subject`: always the same pattern for the same pair.
    pub fn generate(subject: u64, position: FingerPosition) -> Self {
        let person = SimRng::new(mix(&[subject, 0xF1_9E7]));
        let mut person = person;
        let person_period = person.range(8.1, 9.6);
        let mut rng = SimRng::new(mix(&[subject, 0xF1_9E7, u64::from(position.iso_code())]));
        let period = (person_period + rng.range(-0.25, 0.25)).clamp(8.0, 10.0);
        let right_hand = position.iso_code() <= 5;
        let thumb = matches!(
            position,
            FingerPosition::RightThumb | FingerPosition::LeftThumb
        );
        let index = matches!(
            position,
            FingerPosition::RightIndex | FingerPosition::LeftIndex
        );

        // Henry class frequencies, roughly: loops 60 %, whorls 30 %, arches 10 %; thumbs whorl
        // more, index fingers carry most arches; loops mostly open towards the little finger.
        let r = rng.unit();
        let (p_whorl, p_arch) = match (thumb, index) {
            (true, _) => (0.45, 0.04),
            (_, true) => (0.30, 0.16),
            _ => (0.25, 0.08),
        };
        let ulnar = if right_hand {
            PatternClass::RightLoop
        } else {
            PatternClass::LeftLoop
        };
        let radial = if right_hand {
            PatternClass::LeftLoop
        } else {
            PatternClass::RightLoop
        };
        let class = if r < p_arch {
            if rng.chance(0.35) {
                PatternClass::TentedArch
            } else {
                PatternClass::Arch
            }
        } else if r < p_arch + p_whorl {
            PatternClass::Whorl
        } else if rng.chance(0.88) {
            ulnar
        } else {
            radial
        };

        let mask = FingertipMask {
            cx: 128.0 + rng.range(-8.0, 8.0),
            cy: 158.0 + rng.range(-6.0, 8.0),
            rx: rng.range(96.0, 112.0) * if thumb { 1.06 } else { 1.0 },
            ry: rng.range(128.0, 142.0),
        };
        let rotation = rng.range(-0.2, 0.2);
        let centre = (mask.cx, mask.cy);
        let mut cores = Vec::new();
        let mut deltas = Vec::new();
        let mut spirals = Vec::new();

        let flow = match class {
            PatternClass::Arch | PatternClass::TentedArch => {
                let tented = class == PatternClass::TentedArch;
                BaseFlow::Arch {
                    peak_x: centre.0 + rng.range(-12.0, 12.0),
                    base_y: 320.0,
                    height: if tented {
                        rng.range(38.0, 50.0)
                    } else {
                        rng.range(18.0, 32.0)
                    },
                    width: if tented {
                        rng.range(30.0, 40.0)
                    } else {
                        rng.range(60.0, 90.0)
                    },
                }
            }
            PatternClass::LeftLoop | PatternClass::RightLoop => {
                // +1: hairpins open to the right, the delta sits on the left.
                let side = if class == PatternClass::RightLoop {
                    1.0
                } else {
                    -1.0
                };
                let core = (centre.0 + rng.range(-10.0, 10.0), rng.range(112.0, 136.0));
                let open = rng.range(0.25, 0.75);
                let angle = if side > 0.0 { open } else { PI - open };
                let delta = (
                    core.0 - side * rng.range(48.0, 70.0),
                    core.1 + rng.range(62.0, 86.0),
                );
                let ray = Skeleton::Ray { start: core, angle };
                let r = ray.distance(delta.0, delta.1, 0.0);
                let tilt = rng.range(-0.25, 0.15);
                let far_normal = (side * tilt.cos(), -tilt.sin() * 0.5);
                let far_normal = normalise(far_normal);
                let bottom_normal = normalise((side * rng.range(-0.12, 0.12), -1.0));
                let parts = vec![
                    ray,
                    line_at_distance(delta, bottom_normal, r),
                    line_at_distance(delta, far_normal, r),
                ];
                cores.push(core);
                deltas.push(delta);
                BaseFlow::Skeleton {
                    parts,
                    smoothing: rng.range(2.5, 3.5),
                    softening: 3.0,
                }
            }
            PatternClass::Whorl => {
                let c = (centre.0 + rng.range(-10.0, 10.0), rng.range(118.0, 140.0));
                let half = rng.range(0.0, 18.0);
                let a = rng.range(-0.6, 0.6) + PI / 2.0;
                let seg = Skeleton::Segment {
                    a: (c.0 - half * a.cos(), c.1 - half * a.sin()),
                    b: (c.0 + half * a.cos(), c.1 + half * a.sin()),
                };
                // Left delta fixes the bottom line; the right one is found on the same line.
                let left = (c.0 - rng.range(62.0, 80.0), c.1 + rng.range(60.0, 80.0));
                let r_left = seg.distance(left.0, left.1, 0.0);
                let bottom_y = left.1 + r_left;
                let right_x = c.0 + rng.range(62.0, 80.0);
                let mut lo = c.1;
                let mut hi = bottom_y;
                for _ in 0..30 {
                    let mid = 0.5 * (lo + hi);
                    if seg.distance(right_x, mid, 0.0) < bottom_y - mid {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                let right = (right_x, 0.5 * (lo + hi));
                let r_right = bottom_y - right.1;
                let parts = vec![
                    seg,
                    Skeleton::Line {
                        point: (c.0, bottom_y),
                        normal: (0.0, -1.0),
                    },
                    line_at_distance(left, normalise((1.0, rng.range(-0.1, 0.1))), r_left),
                    line_at_distance(right, normalise((-1.0, rng.range(-0.1, 0.1))), r_right),
                ];
                cores.push(c);
                deltas.push(left);
                deltas.push(right);
                // Most whorls wind: a spiral at the centre.
                if rng.chance(0.6) {
                    spirals.push(Spiral {
                        x: c.0,
                        y: c.1,
                        polarity: if rng.chance(0.5) { 1 } else { -1 },
                    });
                }
                BaseFlow::Skeleton {
                    parts,
                    smoothing: rng.range(2.5, 3.5),
                    softening: 3.0,
                }
            }
        };

        let rotate = |p: (f32, f32)| rotate_about(p, centre, rotation);
        let cores: Vec<_> = cores.into_iter().map(rotate).collect();
        let deltas: Vec<_> = deltas.into_iter().map(rotate).collect();
        for s in &mut spirals {
            (s.x, s.y) = rotate((s.x, s.y));
        }

        // Natural minutiae: balanced polarities, spread over the print, clear of the cores.
        let count = rng.int(18, 28) as usize;
        let mut tries = 0;
        while spirals.len() < count && tries < 2000 {
            tries += 1;
            let x = rng.range(mask.cx - mask.rx, mask.cx + mask.rx);
            let y = rng.range(mask.cy - mask.ry, FINGER_HEIGHT as f32);
            if mask.radius(x, y) > 0.9 {
                continue;
            }
            let clear = |p: &(f32, f32)| (p.0 - x).hypot(p.1 - y) > 14.0;
            if !cores.iter().all(clear) || !deltas.iter().all(clear) {
                continue;
            }
            if spirals.iter().any(|s| (s.x - x).hypot(s.y - y) < 16.0) {
                continue;
            }
            let polarity = if spirals.len() % 2 == 0 { 1 } else { -1 };
            spirals.push(Spiral { x, y, polarity });
        }

        FingerPattern {
            class,
            period,
            rotation,
            flow,
            phase_offset: if rng.chance(0.5) { 0.0 } else { PI },
            bumps: Vec::new(),
            spirals,
            mask,
            cores,
            deltas,
            texture_seed: rng.next_u64(),
        }
    }

    /// Image coordinates → pattern coordinates.
    fn to_pattern(&self, x: f32, y: f32) -> (f32, f32) {
        rotate_about((x, y), (self.mask.cx, self.mask.cy), -self.rotation)
    }

    /// The phase without spirals (radians) at image coordinates.
    pub fn base_phase_at(&self, x: f32, y: f32) -> f32 {
        let (px, py) = self.to_pattern(x, y);
        let mut phase = TAU * self.flow.potential(px, py) / self.period + self.phase_offset;
        for b in &self.bumps {
            let r2 = (x - b.x).powi(2) + (y - b.y).powi(2);
            phase += b.shift * (-r2 / (b.radius * b.radius)).exp();
        }
        phase
    }

    /// The full phase (radians, defined modulo 2π) at image coordinates; `cos φ = 1` is the
    /// middle of a ridge.
    pub fn phase_at(&self, x: f32, y: f32) -> f32 {
        self.base_phase_at(x, y)
            + self
                .spirals
                .iter()
                .map(|s| f32::from(s.polarity) * (y - s.y).atan2(x - s.x))
                .sum::<f32>()
    }

    /// The ridge direction (radians, modulo π) of the base flow at image coordinates.
    pub fn ridge_angle_at(&self, x: f32, y: f32) -> f32 {
        let h = 0.5;
        let gx = self.base_phase_at(x + h, y) - self.base_phase_at(x - h, y);
        let gy = self.base_phase_at(x, y + h) - self.base_phase_at(x, y - h);
        (gy.atan2(gx) + PI / 2.0).rem_euclid(PI)
    }

    /// The ideal image: a pure function of the pattern.
    pub fn render(&self) -> GrayImage {
        let (w, h) = (FINGER_WIDTH as usize, FINGER_HEIGHT as usize);
        let texture = Texture::new(self.texture_seed, w, h);
        let mut grain = SimRng::new(self.texture_seed ^ 0x6AA1);
        let mut pixels = vec![0u8; w * h];
        let (sin_r, cos_r) = (-self.rotation).sin_cos();
        let (cx, cy) = (self.mask.cx, self.mask.cy);
        let k = TAU / self.period;
        for (y, row) in pixels.chunks_exact_mut(w).enumerate() {
            let yf = y as f32;
            for (x, out) in row.iter_mut().enumerate() {
                let xf = x as f32;
                let (pressure, background) = texture.at(x, y);
                let edge = self.mask.radius(xf, yf) + 0.05 * (0.5 - pressure);
                let inside = 1.0 - smoothstep(0.93, 1.0, edge);
                let grain_noise = grain.range(-1.0, 1.0);
                if inside <= 0.0 {
                    *out = (background + 4.0 * grain_noise).clamp(0.0, 255.0) as u8;
                    continue;
                }
                // Base phase (rotation inlined for speed).
                let (dx, dy) = (xf - cx, yf - cy);
                let (px, py) = (cx + dx * cos_r - dy * sin_r, cy + dx * sin_r + dy * cos_r);
                let mut phase = k * self.flow.potential(px, py) + self.phase_offset;
                for b in &self.bumps {
                    let r2 = (xf - b.x).powi(2) + (yf - b.y).powi(2);
                    phase += b.shift * (-r2 / (b.radius * b.radius)).exp();
                }
                // Spirals as a product of unit complex numbers: no atan2 per pixel.
                let (mut re, mut im) = (1.0f64, 0.0f64);
                for s in &self.spirals {
                    let sx = f64::from(xf - s.x);
                    let sy = f64::from(yf - s.y) * f64::from(s.polarity);
                    (re, im) = (re * sx - im * sy, re * sy + im * sx);
                }
                let norm = (re * re + im * im).sqrt();
                let c = if norm > 1e-30 {
                    let (ps, pc) = phase.sin_cos();
                    ((f64::from(pc) * re - f64::from(ps) * im) / norm) as f32
                } else {
                    0.0
                };
                // Ridge profile: slightly flattened, ridges a little wider than valleys.
                let ridge = smoothstep(-0.45, 0.55, c);
                let depth = (95.0 + 80.0 * pressure) * inside;
                let v = background - depth * ridge + 7.0 * grain_noise;
                *out = v.clamp(0.0, 255.0) as u8;
            }
        }
        GrayImage {
            width: FINGER_WIDTH,
            height: FINGER_HEIGHT,
            pixels,
        }
    }
}

/// Low-frequency skin texture, computed on a coarse grid and interpolated.
struct Texture {
    step: usize,
    cols: usize,
    pressure: Vec<f32>,
    background: Vec<f32>,
}

impl Texture {
    fn new(seed: u64, w: usize, h: usize) -> Self {
        let step = 16;
        let cols = w / step + 2;
        let rows = h / step + 2;
        let mut pressure = Vec::with_capacity(cols * rows);
        let mut background = Vec::with_capacity(cols * rows);
        for j in 0..rows {
            for i in 0..cols {
                let (x, y) = ((i * step) as f32, (j * step) as f32);
                pressure.push(smoothstep(0.25, 0.75, fbm(seed, x / 70.0, y / 70.0, 3)));
                background.push(222.0 + 22.0 * fbm(seed ^ 0xB6, x / 90.0, y / 90.0, 2));
            }
        }
        Self {
            step,
            cols,
            pressure,
            background,
        }
    }

    fn at(&self, x: usize, y: usize) -> (f32, f32) {
        let (i, j) = (x / self.step, y / self.step);
        let tx = (x % self.step) as f32 / self.step as f32;
        let ty = (y % self.step) as f32 / self.step as f32;
        let idx = j * self.cols + i;
        let lerp = |v: &[f32]| {
            let top = v[idx] + (v[idx + 1] - v[idx]) * tx;
            let bottom = v[idx + self.cols] + (v[idx + self.cols + 1] - v[idx + self.cols]) * tx;
            top + (bottom - top) * ty
        };
        (lerp(&self.pressure), lerp(&self.background))
    }
}

fn normalise(v: (f32, f32)) -> (f32, f32) {
    let n = v.0.hypot(v.1).max(1e-6);
    (v.0 / n, v.1 / n)
}

/// The line at distance `r` from `p`, on the side opposite to `normal`.
fn line_at_distance(p: (f32, f32), normal: (f32, f32), r: f32) -> Skeleton {
    Skeleton::Line {
        point: (p.0 - normal.0 * r, p.1 - normal.1 * r),
        normal,
    }
}

fn rotate_about(p: (f32, f32), c: (f32, f32), angle: f32) -> (f32, f32) {
    let (s, co) = angle.sin_cos();
    let (dx, dy) = (p.0 - c.0, p.1 - c.1);
    (c.0 + dx * co - dy * s, c.1 + dx * s + dy * co)
}
