//! A row-major `f32` image plane and the box filters the pipeline is built from.

/// A `w × h` plane of `f32`, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plane {
    pub w: usize,
    pub h: usize,
    pub data: Vec<f32>,
}

impl Plane {
    pub fn new(w: usize, h: usize) -> Self {
        Self {
            w,
            h,
            data: vec![0.0; w * h],
        }
    }

    #[cfg(test)]
    pub fn from_fn(w: usize, h: usize, mut f: impl FnMut(usize, usize) -> f32) -> Self {
        let mut data = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                data.push(f(x, y));
            }
        }
        Self { w, h, data }
    }

    #[inline]
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.w + x]
    }

    /// Bilinear sample; positions outside the plane read the nearest edge value.
    pub fn bilinear(&self, x: f32, y: f32) -> f32 {
        let x = x.clamp(0.0, (self.w - 1) as f32);
        let y = y.clamp(0.0, (self.h - 1) as f32);
        let (x0, y0) = (x.floor() as usize, y.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let top = self.at(x0, y0) * (1.0 - fx) + self.at(x1, y0) * fx;
        let bottom = self.at(x0, y1) * (1.0 - fx) + self.at(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// The mean over the `(2r+1)²` window around every pixel (the window is cut at the edges
    /// and the mean taken over what is left), in O(w·h) with a summed-area table.
    pub fn box_mean(&self, r: usize) -> Plane {
        let (w, h) = (self.w, self.h);
        let stride = w + 1;
        let mut sat = vec![0.0f64; stride * (h + 1)];
        for y in 0..h {
            let mut row = 0.0f64;
            for x in 0..w {
                row += f64::from(self.data[y * w + x]);
                sat[(y + 1) * stride + x + 1] = sat[y * stride + x + 1] + row;
            }
        }
        let mut out = Plane::new(w, h);
        for y in 0..h {
            let y0 = y.saturating_sub(r);
            let y1 = (y + r + 1).min(h);
            for x in 0..w {
                let x0 = x.saturating_sub(r);
                let x1 = (x + r + 1).min(w);
                let sum = sat[y1 * stride + x1] - sat[y0 * stride + x1] - sat[y1 * stride + x0]
                    + sat[y0 * stride + x0];
                let n = ((y1 - y0) * (x1 - x0)) as f64;
                out.data[y * w + x] = (sum / n) as f32;
            }
        }
        out
    }

    /// Element-wise map.
    pub fn map(&self, f: impl Fn(f32) -> f32) -> Plane {
        Plane {
            w: self.w,
            h: self.h,
            data: self.data.iter().map(|&v| f(v)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_mean_of_a_constant_is_the_constant_even_at_the_edges() {
        let p = Plane::from_fn(7, 5, |_, _| 3.5);
        let m = p.box_mean(2);
        assert!(m.data.iter().all(|v| (v - 3.5).abs() < 1e-5));
    }

    #[test]
    fn box_mean_averages_the_window() {
        // A single 9 in the middle of zeros: every pixel whose 3×3 window holds it reads 1.
        let mut p = Plane::new(5, 5);
        p.data[2 * 5 + 2] = 9.0;
        let m = p.box_mean(1);
        assert!((m.at(1, 1) - 1.0).abs() < 1e-6);
        assert!((m.at(3, 3) - 1.0).abs() < 1e-6);
        assert!(m.at(0, 0).abs() < 1e-6);
    }

    #[test]
    fn bilinear_interpolates_between_pixels() {
        let p = Plane::from_fn(2, 2, |x, y| (x + 2 * y) as f32);
        assert!((p.bilinear(0.5, 0.5) - 1.5).abs() < 1e-6);
        assert!((p.bilinear(-3.0, 0.0) - 0.0).abs() < 1e-6);
    }
}
