//! Synthetic near-infrared iris images (ISO/IEC 19794-6 style, 640 × 480 grey): skin, the eye
//! opening between two lids with lashes, the sclera, the iris annulus with radial fibres, a
//! collarette and crypts, the dark pupil, and the LED's specular highlight.

use crate::imaging::smoothstep;
use crate::rng::{mix, value_noise, SimRng};
use ktpel_hal::{Eye, GrayImage};
use std::f32::consts::{PI, TAU};

pub const IRIS_WIDTH: u32 = 640;
pub const IRIS_HEIGHT: u32 = 480;

/// Everything that determines one eye's image.
#[derive(Debug, Clone, PartialEq)]
pub struct IrisModel {
    /// Iris centre (pixels).
    pub cx: f32,
    pub cy: f32,
    pub iris_radius: f32,
    pub pupil_radius: f32,
    /// Pupil centre offset from the iris centre (pixels).
    pub pupil_dx: f32,
    pub pupil_dy: f32,
    /// Half width of the eye opening and the lids' heights above / below the iris centre.
    pub eye_half_width: f32,
    pub upper_lid: f32,
    pub lower_lid: f32,
    pub skin_level: f32,
    pub sclera_level: f32,
    pub iris_level: f32,
    pub pupil_level: f32,
    /// Collarette radius as a fraction of the way from pupil to limbus.
    pub collarette: f32,
    /// Crypts: (fraction of the way out, angle, size in pixels).
    pub crypts: Vec<(f32, f32, f32)>,
    /// LED highlights (pixels).
    pub highlights: Vec<(f32, f32, f32)>,
    pub texture_seed: u64,
}

/// The deterministic ideal image of one eye of one person.
pub fn render_iris(subject: u64, eye: Eye) -> GrayImage {
    IrisModel::generate(subject, eye).render()
}

impl IrisModel {
    pub fn generate(subject: u64, eye: Eye) -> Self {
        let eye_code = match eye {
            Eye::Right => 1,
            Eye::Left => 2,
        };
        // Some traits are the person's (both eyes alike), the texture is the eye's own.
        let mut person = SimRng::new(mix(&[subject, 0x1415]));
        let iris_radius = person.range(100.0, 122.0);
        let iris_level = person.range(85.0, 135.0);
        let skin_level = person.range(150.0, 185.0);
        let mut rng = SimRng::new(mix(&[subject, 0x1415, eye_code]));
        let pupil_ratio = rng.range(0.3, 0.48);
        let cx = 320.0 + rng.range(-20.0, 20.0);
        let cy = 240.0 + rng.range(-12.0, 12.0);
        let crypts = (0..rng.int(4, 10))
            .map(|_| {
                (
                    rng.range(0.25, 0.85),
                    rng.range(0.0, TAU),
                    rng.range(4.0, 11.0),
                )
            })
            .collect();
        let highlights = (0..rng.int(1, 2))
            .map(|_| {
                (
                    cx + rng.range(-0.5, 0.5) * pupil_ratio * iris_radius,
                    cy + rng.range(-0.5, 0.3) * pupil_ratio * iris_radius,
                    rng.range(4.0, 7.0),
                )
            })
            .collect();
        IrisModel {
            cx,
            cy,
            iris_radius: iris_radius * rng.range(0.98, 1.02),
            pupil_radius: iris_radius * pupil_ratio,
            pupil_dx: rng.range(-4.0, 4.0),
            pupil_dy: rng.range(-3.0, 3.0),
            eye_half_width: iris_radius * rng.range(2.3, 2.7),
            upper_lid: iris_radius * rng.range(0.7, 0.95),
            lower_lid: iris_radius * rng.range(0.85, 1.05),
            skin_level,
            sclera_level: rng.range(175.0, 205.0),
            iris_level,
            pupil_level: rng.range(12.0, 28.0),
            collarette: rng.range(0.28, 0.42),
            crypts,
            highlights,
            texture_seed: rng.next_u64(),
        }
    }

    /// The ideal image: a pure function of the model.
    pub fn render(&self) -> GrayImage {
        let (w, h) = (IRIS_WIDTH as usize, IRIS_HEIGHT as usize);
        let mut pixels = vec![0u8; w * h];
        let mut grain = SimRng::new(self.texture_seed ^ 0x9A);
        let seed = self.texture_seed;
        let (pcx, pcy) = (self.cx + self.pupil_dx, self.cy + self.pupil_dy);
        for (y, row) in pixels.chunks_exact_mut(w).enumerate() {
            let yf = y as f32;
            for (x, out) in row.iter_mut().enumerate() {
                let xf = x as f32;
                let noise = grain.range(-1.0, 1.0);
                // The lids are parabolas through the eye corners.
                let u = (xf - self.cx) / self.eye_half_width;
                let open = (1.0 - u * u).max(0.0);
                let upper = self.cy - self.upper_lid * open + 6.0;
                let lower = self.cy + self.lower_lid * open - 4.0;
                let inside = smoothstep(-1.5, 1.5, yf - upper) * smoothstep(-1.5, 1.5, lower - yf);
                let skin = self.skin(xf, yf, upper, seed) + 3.0 * noise;
                if inside <= 0.0 {
                    *out = skin.clamp(0.0, 255.0) as u8;
                    continue;
                }
                let eye = self.eyeball(xf, yf, pcx, pcy, seed) + 4.0 * noise;
                // Shadow of the upper lid on the eyeball.
                let shadow = 1.0 - 0.35 * (1.0 - smoothstep(0.0, 18.0, yf - upper));
                let v = skin + (eye * shadow - skin) * inside;
                *out = v.clamp(0.0, 255.0) as u8;
            }
        }
        GrayImage {
            width: IRIS_WIDTH,
            height: IRIS_HEIGHT,
            pixels,
        }
    }

    /// Skin with lashes along the upper lid.
    fn skin(&self, x: f32, y: f32, upper: f32, seed: u64) -> f32 {
        let mut v = self.skin_level - 25.0 * smoothstep(60.0, 0.0, (y - upper).abs());
        v += 10.0 * (value_noise(seed ^ 0x5C, x / 40.0, y / 40.0, 0) - 0.5);
        let above = upper - y;
        if (-2.0..28.0).contains(&above) {
            // Lashes: slanted dark strokes, denser near the lid.
            let slant = x + above * 0.6;
            let lash = value_noise(seed ^ 0x1A5, slant / 3.0, 0.5, 0);
            let strength = smoothstep(28.0, 0.0, above);
            if lash > 0.55 {
                v -= 110.0 * strength * smoothstep(0.55, 0.7, lash);
            }
        }
        v
    }

    /// Sclera, iris and pupil at one pixel.
    fn eyeball(&self, x: f32, y: f32, pcx: f32, pcy: f32, seed: u64) -> f32 {
        let (dx, dy) = (x - self.cx, y - self.cy);
        let r = (dx * dx + dy * dy).sqrt();
        let sclera =
            self.sclera_level - 20.0 * smoothstep(self.iris_radius, self.iris_radius * 2.6, r);
        let limbus = smoothstep(self.iris_radius - 1.5, self.iris_radius + 1.5, r);
        if limbus >= 1.0 {
            return sclera;
        }
        let (qx, qy) = (x - pcx, y - pcy);
        let rp = (qx * qx + qy * qy).sqrt();
        let theta = dy.atan2(dx);
        // Fraction of the way from the pupil edge to the limbus.
        let t = ((r - self.pupil_radius) / (self.iris_radius - self.pupil_radius)).clamp(0.0, 1.0);
        let a = (theta + PI) / TAU * 96.0;
        let fibres = value_noise(seed, a, t * 5.0, 96) - 0.5;
        let fine = value_noise(seed ^ 0xF1B, a * 2.5, t * 9.0, 240) - 0.5;
        let zig = 0.04 * (value_noise(seed ^ 0xC0, a / 3.0, 0.0, 32) - 0.5);
        let collarette = (-((t - self.collarette - zig) / 0.03).powi(2)).exp();
        let mut iris = self.iris_level + 45.0 * fibres + 25.0 * fine - 22.0 * collarette;
        // Inner iris (pupillary zone) lighter, outer edge darker towards the limbus.
        iris += 12.0 * smoothstep(self.collarette + 0.05, 0.0, t) - 30.0 * smoothstep(0.8, 1.0, t);
        for &(ct, ca, size) in &self.crypts {
            let rc = self.pupil_radius + ct * (self.iris_radius - self.pupil_radius);
            let (ex, ey) = (self.cx + rc * ca.cos() - x, self.cy + rc * ca.sin() - y);
            let d2 = ex * ex + ey * ey;
            if d2 < 4.0 * size * size {
                iris -= 40.0 * (-d2 / (size * size)).exp();
            }
        }
        let pupil_edge = smoothstep(self.pupil_radius - 1.5, self.pupil_radius + 1.5, rp);
        let mut v = self.pupil_level + (iris - self.pupil_level) * pupil_edge;
        for &(hx, hy, hr) in &self.highlights {
            let d = (x - hx).hypot(y - hy);
            v += (255.0 - v) * smoothstep(hr + 1.0, hr - 1.0, d);
        }
        v + (sclera - v) * limbus
    }
}
