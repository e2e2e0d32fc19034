//! Synthetic faces: a frontal head-and-shoulders drawing (skin-tone face with shading, hair or
//! a hijab, ears, brows, eyes, nose, mouth, clothing) on a neutral background. Face shape, skin
//! tone, hair and features vary per person; the drawing is a pure function of the model, the
//! canvas and where the face sits on it.

use crate::imaging::{ellipse_cover, smoothstep};
use crate::rng::{fbm, mix, value_noise, SimRng};

/// How the head is covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HairStyle {
    Short,
    Long,
    Hijab,
}

/// Everything that determines one person's face. Lengths are in face half-heights.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceModel {
    pub skin: [f32; 3],
    /// Hair colour, or the cloth's for a hijab.
    pub hair: [f32; 3],
    pub brows: [f32; 3],
    pub iris: [f32; 3],
    pub lips: [f32; 3],
    pub background: [f32; 3],
    pub clothing: [f32; 3],
    pub style: HairStyle,
    pub face_width: f32,
    /// How much the face narrows towards the chin.
    pub jaw: f32,
    pub hair_volume: f32,
    pub eye_spacing: f32,
    pub eye_size: f32,
    pub eye_y: f32,
    pub brow_thickness: f32,
    pub brow_tilt: f32,
    pub nose_length: f32,
    pub nose_width: f32,
    pub mouth_width: f32,
    pub mouth_y: f32,
    pub lip_thickness: f32,
    pub moustache: bool,
    pub texture_seed: u64,
}

/// Where the face sits on a canvas: centre (pixels) and the face half-height (pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub cx: f32,
    pub cy: f32,
    pub scale: f32,
}

fn lerp3(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn scale3(a: [f32; 3], k: f32) -> [f32; 3] {
    [a[0] * k, a[1] * k, a[2] * k]
}

/// The first subject from `from` on (`from`, `from + 1`, …) whose face is drawn as a man's
/// (short hair) or a woman's (long hair or a hijab), so that a face can match the sex a NIK
/// records. Faces are drawn short-haired two times in five, so a few steps find one.
pub fn subject_of_sex(from: u64, female: bool) -> u64 {
    (0..64)
        .map(|i| from.wrapping_add(i))
        .find(|&s| (FaceModel::generate(s).style != HairStyle::Short) == female)
        .unwrap_or(from)
}

impl FaceModel {
    pub fn generate(subject: u64) -> Self {
        let mut rng = SimRng::new(mix(&[subject, 0xFACE]));
        // Skin tones from light tan to deep brown.
        let tone = rng.unit();
        let skin = lerp3([236.0, 196.0, 164.0], [112.0, 74.0, 52.0], tone);
        let skin = lerp3(skin, [skin[0], skin[1] * 0.96, skin[2] * 0.92], rng.unit());
        let hair_shade = rng.range(0.0, 1.0);
        let hair = lerp3(
            [18.0, 14.0, 12.0],
            [92.0, 62.0, 40.0],
            hair_shade * hair_shade,
        );
        let style = match rng.int(0, 9) {
            0..=3 => HairStyle::Short,
            4..=6 => HairStyle::Long,
            _ => HairStyle::Hijab,
        };
        let clothing = match rng.int(0, 5) {
            0 => [235.0, 235.0, 232.0],
            1 => [40.0, 52.0, 90.0],
            2 => [30.0, 30.0, 34.0],
            3 => [120.0, 30.0, 40.0],
            4 => [60.0, 100.0, 80.0],
            _ => [150.0, 120.0, 90.0],
        };
        let natural_hair = hair;
        let hair = if style == HairStyle::Hijab {
            // The cloth takes the hair's place.
            match rng.int(0, 4) {
                0 => [235.0, 232.0, 226.0],
                1 => [30.0, 30.0, 36.0],
                2 => [110.0, 70.0, 100.0],
                3 => [70.0, 95.0, 140.0],
                _ => [170.0, 140.0, 110.0],
            }
        } else {
            hair
        };
        FaceModel {
            skin,
            hair,
            brows: natural_hair,
            iris: lerp3([40.0, 24.0, 16.0], [90.0, 58.0, 34.0], rng.unit()),
            lips: lerp3(
                scale3(skin, 0.78),
                [170.0, 80.0, 80.0],
                rng.range(0.15, 0.35),
            ),
            background: [204.0, 212.0, 222.0],
            clothing,
            style,
            face_width: rng.range(0.66, 0.8),
            jaw: rng.range(0.05, 0.35),
            hair_volume: rng.range(0.0, 1.0),
            eye_spacing: rng.range(0.29, 0.36),
            eye_size: rng.range(0.11, 0.14),
            eye_y: rng.range(-0.12, -0.04),
            brow_thickness: rng.range(0.03, 0.055),
            brow_tilt: rng.range(-0.15, 0.2),
            nose_length: rng.range(0.3, 0.4),
            nose_width: rng.range(0.12, 0.17),
            mouth_width: rng.range(0.19, 0.27),
            mouth_y: rng.range(0.52, 0.6),
            lip_thickness: rng.range(0.035, 0.06),
            moustache: style == HairStyle::Short && rng.chance(0.3),
            texture_seed: rng.next_u64(),
        }
    }

    /// Draws the face into an RGB8 canvas of `width` × `height`.
    pub fn render_rgb(&self, width: usize, height: usize, at: Placement) -> Vec<u8> {
        let mut rgb = vec![0u8; width * height * 3];
        let mut grain = SimRng::new(self.texture_seed ^ 0x6A);
        for (y, row) in rgb.chunks_exact_mut(width * 3).enumerate() {
            for (x, px) in row.chunks_exact_mut(3).enumerate() {
                let u = (x as f32 - at.cx) / at.scale;
                let v = (y as f32 - at.cy) / at.scale;
                let c = self.colour(u, v, 1.0 / at.scale);
                let n = grain.range(-3.0, 3.0);
                for (o, ch) in px.iter_mut().zip(c) {
                    *o = (ch + n).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
        rgb
    }

    /// The colour at face coordinates (u right, v down, in face half-heights); `px` is the
    /// size of one pixel in those units.
    fn colour(&self, u: f32, v: f32, px: f32) -> [f32; 3] {
        let seed = self.texture_seed;
        let fw = self.face_width;
        let hijab = self.style == HairStyle::Hijab;
        let over = |c: [f32; 3], layer: [f32; 3], a: f32| lerp3(c, layer, a.clamp(0.0, 1.0));
        let edge = |d: f32| (0.5 - d / px).clamp(0.0, 1.0); // d: signed distance, units

        // Background: light, slightly graded.
        let mut c = scale3(self.background, 1.02 - 0.04 * (v + 1.5) / 3.0);
        if u.abs() > 2.6 && v < -1.2 {
            return c;
        }

        // Hair behind the head.
        let hair_tex = |u: f32, v: f32| {
            let strands = value_noise(seed ^ 0x4A, u * 90.0, v * 6.0, 0) - 0.5;
            scale3(
                self.hair,
                1.0 + 0.35 * strands - 0.15 * (u / (fw + 0.3)).powi(2),
            )
        };
        let back_a = match self.style {
            HairStyle::Short => ellipse_cover(
                u,
                v,
                0.0,
                -0.16,
                fw + 0.07 + 0.06 * self.hair_volume,
                1.0 + 0.05 * self.hair_volume,
                px,
            ),
            HairStyle::Long => {
                let top = ellipse_cover(u, v, 0.0, -0.12, fw + 0.2, 1.12, px);
                let side = if v > -0.12 {
                    edge(u.abs() - (fw + 0.2 - 0.08 * (v + 0.12))) * edge(v - 1.5)
                } else {
                    0.0
                };
                top.max(side)
            }
            HairStyle::Hijab => 0.0,
        };
        if back_a > 0.0 {
            c = over(c, hair_tex(u, v), back_a);
        }

        // Shoulders and clothing.
        let shoulder_v = 1.3 + 0.42 * smoothstep(0.25, 1.7, u.abs());
        let clothing_a = edge(shoulder_v - v);
        if clothing_a > 0.0 {
            let fold = 0.08 * (value_noise(seed ^ 0xC1, u * 4.0, v * 2.0, 0) - 0.5);
            let shade = 1.0 - 0.25 * smoothstep(0.6, 2.2, u.abs()) + fold;
            c = over(c, scale3(self.clothing, shade), clothing_a);
        }

        // Neck (under the chin, in the face's shadow).
        if !hijab {
            let neck_a =
                edge(u.abs() - 0.34 + 0.04 * v) * edge(0.55 - v) * edge(v - (shoulder_v + 0.08));
            if neck_a > 0.0 {
                let shade = 0.78 - 0.12 * smoothstep(1.1, 0.7, v);
                c = over(c, scale3(self.skin, shade), neck_a);
            }
        }

        // Hijab: head cloth and the drape over neck and shoulders.
        if hijab {
            let head = ellipse_cover(u, v, 0.0, -0.05, fw + 0.26, 1.25, px);
            let drape = if v > 0.2 {
                edge(u.abs() - (fw + 0.22 + 0.55 * (v - 0.2))) * edge(v - (shoulder_v + 0.35))
            } else {
                0.0
            };
            let a = head.max(drape);
            if a > 0.0 {
                let fold = 0.1 * (value_noise(seed ^ 0x41, u * 6.0 + v * 3.0, v * 2.0, 0) - 0.5);
                let shade = 1.0 - 0.2 * smoothstep(0.4, 1.6, u.abs()) + fold;
                c = over(c, scale3(self.hair, shade), a);
            }
        }

        // Ears.
        if self.style == HairStyle::Short {
            for s in [-1.0, 1.0] {
                let a = ellipse_cover(u, v, s * (fw - 0.01), 0.02, 0.085, 0.17, px);
                if a > 0.0 {
                    c = over(c, scale3(self.skin, 0.9), a);
                }
            }
        }

        // The face.
        // Kept positive: far below the chin v² alone puts the pixel outside the face.
        let a_face = fw * (1.0 - self.jaw * v.max(0.0).powi(2)).max(0.1);
        let face_a = ellipse_cover(u, v, 0.0, 0.0, a_face, 1.0, px);
        if face_a <= 0.0 {
            return c;
        }
        let q2 = (u / a_face).powi(2) + v * v;
        let skin_tex = 0.04 * (fbm(seed ^ 0x5F, u * 18.0, v * 18.0, 2) - 0.5);
        let light = 1.0 - 0.2 * q2 * q2 - 0.05 * u + skin_tex;
        let mut f = scale3(self.skin, light);

        // Cheeks a touch warmer.
        for s in [-1.0, 1.0] {
            let blush = (-((u - s * 0.38).powi(2) + (v - 0.22).powi(2)) / 0.02).exp();
            f = lerp3(f, [f[0] * 1.04, f[1] * 0.97, f[2] * 0.96], blush);
        }

        // Brows and eyes.
        for s in [-1.0, 1.0] {
            let ex = s * self.eye_spacing;
            let du = u - ex;
            if du.abs() < 0.2 && (v - self.eye_y).abs() < 0.3 {
                // Brow: an arc above the eye, thinning outwards.
                let bu = du / 0.14;
                if bu.abs() < 1.0 {
                    let bv = self.eye_y - 0.17 - 0.035 * (1.0 - bu * bu)
                        + self.brow_tilt * 0.05 * bu * s;
                    let thick = self.brow_thickness * (1.0 - 0.45 * (bu * s).max(0.0));
                    let a = edge((v - bv).abs() - thick * 0.5) * smoothstep(1.0, 0.8, bu.abs());
                    f = lerp3(f, scale3(self.brows, 0.9), 0.85 * a);
                }
                // Eye: almond-shaped opening, iris, pupil, highlight, lid line.
                let es = self.eye_size;
                let open = ellipse_cover(u, v, ex, self.eye_y, es, es * 0.42, px);
                if open > 0.0 {
                    let mut e = [236.0, 232.0, 226.0];
                    let ir = es * 0.42;
                    let ia = ellipse_cover(u, v, ex, self.eye_y, ir, ir, px);
                    e = lerp3(e, self.iris, ia);
                    let pa = ellipse_cover(u, v, ex, self.eye_y, ir * 0.45, ir * 0.45, px);
                    e = lerp3(e, [12.0, 10.0, 10.0], pa);
                    let ha = ellipse_cover(
                        u,
                        v,
                        ex - ir * 0.3,
                        self.eye_y - ir * 0.3,
                        ir * 0.18,
                        ir * 0.18,
                        px,
                    );
                    e = lerp3(e, [250.0, 250.0, 250.0], ha);
                    f = lerp3(f, e, open);
                }
                // Upper lid line and crease.
                let lu = du / es;
                if lu.abs() < 1.05 {
                    let lid_v = self.eye_y - es * 0.42 * (1.0 - lu * lu).max(0.0).sqrt();
                    let a = edge((v - lid_v).abs() - 0.008) * smoothstep(1.05, 0.85, lu.abs());
                    f = lerp3(f, [30.0, 22.0, 20.0], 0.9 * a);
                    let crease_v = lid_v - 0.045;
                    let a = edge((v - crease_v).abs() - 0.004) * smoothstep(1.0, 0.6, lu.abs());
                    f = lerp3(f, scale3(f, 0.8), a);
                }
            }
        }

        // Nose: a shaded side of the bridge, nostrils and a lit tip.
        let nose_tip = self.eye_y + self.nose_length;
        if u.abs() < 0.25 && v > self.eye_y - 0.05 && v < nose_tip + 0.1 {
            let t = ((v - self.eye_y) / self.nose_length).clamp(0.0, 1.0);
            let side = (-((u - 0.045 - 0.03 * t).powi(2)) / 0.0006).exp() * smoothstep(0.0, 0.5, t);
            f = lerp3(f, scale3(f, 0.82), side);
            let tip = ellipse_cover(u, v, 0.0, nose_tip - 0.04, self.nose_width * 0.55, 0.06, px);
            f = lerp3(f, scale3(f, 1.06), 0.6 * tip);
            for s in [-1.0, 1.0] {
                let a = ellipse_cover(
                    u,
                    v,
                    s * self.nose_width * 0.4,
                    nose_tip + 0.01,
                    0.035,
                    0.018,
                    px,
                );
                f = lerp3(f, scale3(self.skin, 0.45), 0.85 * a);
            }
            let wing = ellipse_cover(u, v, 0.0, nose_tip - 0.01, self.nose_width, 0.05, px)
                - ellipse_cover(
                    u,
                    v,
                    0.0,
                    nose_tip - 0.015,
                    self.nose_width - 0.02,
                    0.045,
                    px,
                );
            f = lerp3(f, scale3(f, 0.85), wing.max(0.0));
        }

        // Mouth and moustache.
        if u.abs() < self.mouth_width + 0.05 && (v - self.mouth_y).abs() < 0.2 {
            let lips = ellipse_cover(
                u,
                v,
                0.0,
                self.mouth_y,
                self.mouth_width,
                self.lip_thickness,
                px,
            );
            f = lerp3(f, self.lips, lips);
            let mu = u / self.mouth_width;
            if mu.abs() < 1.0 {
                let line_v = self.mouth_y - 0.012 * (1.0 - mu * mu);
                let a = edge((v - line_v).abs() - 0.006) * smoothstep(1.0, 0.85, mu.abs());
                f = lerp3(f, scale3(self.lips, 0.45), a);
            }
            if self.moustache {
                let a = ellipse_cover(
                    u,
                    v,
                    0.0,
                    self.mouth_y - self.lip_thickness - 0.04,
                    self.mouth_width * 1.05,
                    0.035,
                    px,
                );
                f = lerp3(f, hair_tex(u, v), 0.85 * a);
            }
        }
        c = over(c, f, face_a);

        // Hair or cloth over the forehead.
        match self.style {
            HairStyle::Short | HairStyle::Long => {
                let part = 0.12 * (u - 0.25).abs().min(0.4);
                let wave = 0.03 * (value_noise(seed ^ 0x77, u * 7.0, 0.0, 0) - 0.5);
                let hairline = -0.52 - 0.1 * self.hair_volume + 0.16 * u * u - part + wave;
                let within = ellipse_cover(
                    u,
                    v,
                    0.0,
                    -0.16,
                    fw + 0.08,
                    1.0 + 0.05 * self.hair_volume,
                    px,
                );
                let a = edge(v - hairline) * within;
                if a > 0.0 {
                    c = over(c, hair_tex(u, v), a);
                }
            }
            HairStyle::Hijab => {
                let visible = ellipse_cover(u, v, 0.0, 0.12, fw - 0.04, 0.92, px);
                let a = (1.0 - visible) * ellipse_cover(u, v, 0.0, -0.05, fw + 0.26, 1.25, px);
                if a > 0.0 {
                    let fold =
                        0.1 * (value_noise(seed ^ 0x41, u * 6.0 + v * 3.0, v * 2.0, 0) - 0.5);
                    let shade = 1.0 - 0.2 * smoothstep(0.4, 1.6, u.abs()) + fold;
                    c = over(c, scale3(self.hair, shade), a);
                }
            }
        }
        c
    }
}
