//! Segmentation: which part of the image holds a usable print.
//!
//! A block belongs to the print when its grey-level deviation is high (ridges give contrast,
//! the empty glass does not) and its orientation is coherent (noise has contrast too, but no
//! direction). The block map is then cleaned up: the largest connected region is kept, its holes
//! (cores and deltas, where coherence drops naturally) are filled, and every pixel gets its
//! distance to the edge of the print, which later removes the false endings that the edge cuts.

use crate::plane::Plane;
use std::collections::VecDeque;

/// The usable region of the image.
pub(crate) struct Mask {
    pub w: usize,
    pub h: usize,
    pub inside: Vec<bool>,
    /// For each pixel inside, the distance (pixels) to the nearest pixel outside or to the image
    /// edge; 0 outside.
    pub edge_distance: Plane,
    pub area: usize,
}

impl Mask {
    #[inline]
    pub fn contains(&self, x: usize, y: usize) -> bool {
        self.inside[y * self.w + x]
    }
}

/// Thresholds for [`segment`].
pub(crate) struct SegmentParams {
    pub block: usize,
    pub min_deviation: f32,
    pub min_coherence: f32,
}

pub(crate) fn segment(deviation: &Plane, coherence: &Plane, p: &SegmentParams) -> Mask {
    let (w, h) = (deviation.w, deviation.h);
    let b = p.block;
    let (bw, bh) = (w.div_ceil(b), h.div_ceil(b));
    let mut blocks = vec![false; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (mut dev, mut coh, mut n) = (0.0f32, 0.0f32, 0.0f32);
            for y in by * b..((by + 1) * b).min(h) {
                for x in bx * b..((bx + 1) * b).min(w) {
                    dev += deviation.at(x, y);
                    coh += coherence.at(x, y);
                    n += 1.0;
                }
            }
            blocks[by * bw + bx] = dev / n >= p.min_deviation && coh / n >= p.min_coherence;
        }
    }
    let blocks = fill_holes(&largest_component(&blocks, bw, bh), bw, bh);
    let mut inside = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            inside[y * w + x] = blocks[(y / b) * bw + x / b];
        }
    }
    let area = inside.iter().filter(|&&v| v).count();
    let edge_distance = distance_to_outside(&inside, w, h);
    Mask {
        w,
        h,
        inside,
        edge_distance,
        area,
    }
}

/// The largest 4-connected set of `true` cells.
fn largest_component(cells: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut label = vec![0u32; cells.len()];
    let mut best = (0u32, 0usize);
    let mut next = 0u32;
    let mut queue = VecDeque::new();
    for start in 0..cells.len() {
        if !cells[start] || label[start] != 0 {
            continue;
        }
        next += 1;
        label[start] = next;
        queue.push_back(start);
        let mut size = 0;
        while let Some(i) = queue.pop_front() {
            size += 1;
            let (x, y) = (i % w, i / w);
            let mut visit = |j: usize| {
                if cells[j] && label[j] == 0 {
                    label[j] = next;
                    queue.push_back(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        if size > best.1 {
            best = (next, size);
        }
    }
    label.iter().map(|&l| l != 0 && l == best.0).collect()
}

/// Sets every `false` cell that cannot reach the border through `false` cells.
fn fill_holes(cells: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut outside = vec![false; cells.len()];
    let mut queue = VecDeque::new();
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if (x == 0 || y == 0 || x + 1 == w || y + 1 == h) && !cells[i] {
                outside[i] = true;
                queue.push_back(i);
            }
        }
    }
    while let Some(i) = queue.pop_front() {
        let (x, y) = (i % w, i / w);
        let mut visit = |j: usize| {
            if !cells[j] && !outside[j] {
                outside[j] = true;
                queue.push_back(j);
            }
        };
        if x > 0 {
            visit(i - 1);
        }
        if x + 1 < w {
            visit(i + 1);
        }
        if y > 0 {
            visit(i - w);
        }
        if y + 1 < h {
            visit(i + w);
        }
    }
    outside.iter().map(|&o| !o).collect()
}

/// Chamfer (3-4) distance from each inside pixel to the nearest outside pixel, where the
/// image border counts as outside; in pixels.
fn distance_to_outside(inside: &[bool], w: usize, h: usize) -> Plane {
    const BIG: u32 = u32::MAX / 4;
    let mut d: Vec<u32> = inside.iter().map(|&v| if v { BIG } else { 0 }).collect();
    // Pixels on the image edge are one step from the outside.
    for y in 0..h {
        for x in 0..w {
            if (x == 0 || y == 0 || x + 1 == w || y + 1 == h) && inside[y * w + x] {
                d[y * w + x] = 3;
            }
        }
    }
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let mut v = d[i];
            if x > 0 {
                v = v.min(d[i - 1] + 3);
            }
            if y > 0 {
                v = v.min(d[i - w] + 3);
                if x > 0 {
                    v = v.min(d[i - w - 1] + 4);
                }
                if x + 1 < w {
                    v = v.min(d[i - w + 1] + 4);
                }
            }
            d[i] = v;
        }
    }
    for y in (0..h).rev() {
        for x in (0..w).rev() {
            let i = y * w + x;
            let mut v = d[i];
            if x + 1 < w {
                v = v.min(d[i + 1] + 3);
            }
            if y + 1 < h {
                v = v.min(d[i + w] + 3);
                if x + 1 < w {
                    v = v.min(d[i + w + 1] + 4);
                }
                if x > 0 {
                    v = v.min(d[i + w - 1] + 4);
                }
            }
            d[i] = v;
        }
    }
    Plane {
        w,
        h,
        data: d.iter().map(|&v| v as f32 / 3.0).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_largest_region_and_fills_its_holes() {
        #[rustfmt::skip]
        let cells = [
            true,  false, false, false, false,
            false, true,  true,  true,  false,
            false, true,  false, true,  false,
            false, true,  true,  true,  false,
            false, false, false, false, false,
        ];
        let kept = fill_holes(&largest_component(&cells, 5, 5), 5, 5);
        assert!(!kept[0], "the lone corner cell is not the largest region");
        assert!(kept[2 * 5 + 2], "the hole in the ring is filled");
        assert_eq!(kept.iter().filter(|&&v| v).count(), 9);
    }

    #[test]
    fn distance_grows_towards_the_middle() {
        let inside = vec![true; 9 * 9];
        let d = distance_to_outside(&inside, 9, 9);
        assert!((d.at(0, 4) - 1.0).abs() < 1e-6);
        assert!((d.at(4, 4) - 5.0).abs() < 1e-6);
    }
}
