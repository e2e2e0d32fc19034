//! Seeded, portable randomness. Every generated datum in this crate is a pure function of its
//! seeds, computed with these few lines (SplitMix64 and a hashed value-noise lattice) so that the
//! bytes stay the same across platforms and dependency upgrades.

/// One SplitMix64 step: a good 64-bit mixer (Steele, Lea, Flood 2014).
pub(crate) const fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Derives one seed from several parts (order matters).
pub(crate) fn mix(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x4B54_5045_4C53_494D, |h, &p| splitmix64(h ^ splitmix64(p)))
}

/// A small deterministic generator (SplitMix64 stream).
#[derive(Debug, Clone)]
pub(crate) struct SimRng {
    state: u64,
}

impl SimRng {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            state: splitmix64(seed),
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in [lo, hi).
    pub(crate) fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in [lo, hi] (inclusive).
    pub(crate) fn int(&mut self, lo: u32, hi: u32) -> u32 {
        let span = u64::from(hi.saturating_sub(lo)) + 1;
        lo + (self.next_u64() % span) as u32
    }

    pub(crate) fn chance(&mut self, p: f32) -> bool {
        self.unit() < p
    }
}

/// A lattice value in [0, 1) for integer coordinates.
fn lattice(seed: u64, x: i32, y: i32) -> f32 {
    let h = splitmix64(
        seed ^ (x as u32 as u64).wrapping_mul(0x9E37_79B1)
            ^ (y as u32 as u64).wrapping_mul(0x85EB_CA77_C2B2_AE63),
    );
    (h >> 40) as f32 / (1u64 << 24) as f32
}

fn fade(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// Smooth value noise in [0, 1) with one lattice cell per unit. `wrap_x`, when non-zero, makes
/// the noise periodic in x with that many cells (used for angles).
pub(crate) fn value_noise(seed: u64, x: f32, y: f32, wrap_x: i32) -> f32 {
    let xf = x.floor();
    let yf = y.floor();
    let (mut x0, y0) = (xf as i32, yf as i32);
    let (tx, ty) = (fade(x - xf), fade(y - yf));
    let mut x1 = x0 + 1;
    if wrap_x > 0 {
        x0 = x0.rem_euclid(wrap_x);
        x1 = x1.rem_euclid(wrap_x);
    }
    let a = lattice(seed, x0, y0);
    let b = lattice(seed, x1, y0);
    let c = lattice(seed, x0, y0 + 1);
    let d = lattice(seed, x1, y0 + 1);
    let top = a + (b - a) * tx;
    let bottom = c + (d - c) * tx;
    top + (bottom - top) * ty
}

/// Fractal sum of `octaves` layers of value noise, in [0, 1).
pub(crate) fn fbm(seed: u64, x: f32, y: f32, octaves: u32) -> f32 {
    let mut sum = 0.0;
    let mut amp = 0.5;
    let mut norm = 0.0;
    let mut f = 1.0;
    for o in 0..octaves {
        sum += amp * value_noise(seed.wrapping_add(u64::from(o)), x * f, y * f, 0);
        norm += amp;
        amp *= 0.5;
        f *= 2.0;
    }
    sum / norm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_seed_dependent() {
        let draw = |seed| {
            let mut r = SimRng::new(seed);
            (0..4).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        let (a, b, c) = (draw(7), draw(7), draw(8));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(mix(&[1, 2]), mix(&[2, 1]));
    }

    #[test]
    fn ranges_hold() {
        let mut r = SimRng::new(1);
        for _ in 0..1000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            let i = r.int(3, 5);
            assert!((3..=5).contains(&i));
            let n = value_noise(9, r.range(-50.0, 50.0), r.range(-50.0, 50.0), 0);
            assert!((0.0..1.0).contains(&n));
        }
    }

    #[test]
    fn wrapped_noise_is_periodic() {
        for i in 0..20 {
            let y = i as f32 * 0.37;
            let a = value_noise(3, 0.25, y, 16);
            let b = value_noise(3, 16.25, y, 16);
            assert!((a - b).abs() < 1e-6);
        }
    }
}
