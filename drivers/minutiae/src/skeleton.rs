//! Binarisation and thinning: from the enhanced image to one-pixel-wide ridge lines.
//!
//! The enhanced image is thresholded at 0 inside the print (ridges are negative), specks and
//! pin-holes smaller than `min_blob` pixels are removed, and the ridges are thinned with the
//! Zhang–Suen parallel algorithm (Zhang & Suen, "A fast parallel algorithm for thinning digital
//! patterns", CACM 1984). Zhang–Suen leaves 4-connected "staircase" corners; one final pass
//! removes them so that every line pixel has exactly two neighbours, which the crossing number
//! and the ridge tracing rely on.

use crate::plane::Plane;
use crate::segment::Mask;
use std::collections::VecDeque;

/// A binary image: 1 = ridge (or skeleton) pixel. The outermost row and column are always 0,
/// so neighbourhood look-ups never leave the image.
#[derive(Clone)]
pub(crate) struct Binary {
    pub w: usize,
    pub h: usize,
    pub px: Vec<u8>,
}

/// Neighbour offsets in ring order, starting north and turning clockwise on screen
/// (N, NE, E, SE, S, SW, W, NW).
pub(crate) const RING: [(isize, isize); 8] = [
    (0, -1),
    (1, -1),
    (1, 0),
    (1, 1),
    (0, 1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
];

impl Binary {
    #[inline]
    pub fn get(&self, x: usize, y: usize) -> bool {
        self.px[y * self.w + x] != 0
    }

    /// The ring of eight neighbours of an interior pixel as 0/1, in [`RING`] order.
    #[inline]
    pub fn ring(&self, x: usize, y: usize) -> [u8; 8] {
        let mut r = [0u8; 8];
        for (k, (dx, dy)) in RING.iter().enumerate() {
            let (nx, ny) = ((x as isize + dx) as usize, (y as isize + dy) as usize);
            r[k] = self.px[ny * self.w + nx];
        }
        r
    }

    /// Number of set neighbours.
    #[cfg(test)]
    pub fn neighbours(&self, x: usize, y: usize) -> u8 {
        self.ring(x, y).iter().sum()
    }

    /// The crossing number: half the number of 0↔1 changes around the ring. 1 at a line end,
    /// 2 inside a line, 3 or more where lines meet.
    #[inline]
    pub fn crossing_number(&self, x: usize, y: usize) -> u8 {
        let r = self.ring(x, y);
        let mut changes = 0;
        for k in 0..8 {
            changes += r[k].abs_diff(r[(k + 1) % 8]);
        }
        changes / 2
    }
}

/// Ridge pixels: enhanced value below 0 inside the print, image border cleared.
pub(crate) fn binarise(enhanced: &Plane, mask: &Mask) -> Binary {
    let (w, h) = (enhanced.w, enhanced.h);
    let mut px = vec![0u8; w * h];
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            if mask.contains(x, y) && enhanced.at(x, y) < 0.0 {
                px[y * w + x] = 1;
            }
        }
    }
    Binary { w, h, px }
}

/// Removes 8-connected ridge components and fills 4-connected valley components (inside the
/// print) smaller than `min_blob` pixels.
pub(crate) fn clean_blobs(b: &mut Binary, mask: &Mask, min_blob: usize) {
    remove_small(b, 1, min_blob, true, None);
    remove_small(b, 0, min_blob, false, Some(mask));
}

fn remove_small(b: &mut Binary, value: u8, min: usize, eight: bool, mask: Option<&Mask>) {
    let (w, h) = (b.w, b.h);
    let mut seen = vec![false; w * h];
    let mut queue = VecDeque::new();
    let mut comp = Vec::new();
    for start in 0..w * h {
        if seen[start] || b.px[start] != value {
            continue;
        }
        seen[start] = true;
        queue.push_back(start);
        comp.clear();
        let mut touches_outside = false;
        while let Some(i) = queue.pop_front() {
            comp.push(i);
            let (x, y) = ((i % w) as isize, (i / w) as isize);
            if let Some(m) = mask {
                if !m.inside[i] {
                    touches_outside = true;
                }
            }
            for (k, (dx, dy)) in RING.iter().enumerate() {
                if !eight && k % 2 == 1 {
                    continue;
                }
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= w as isize || ny >= h as isize {
                    touches_outside = true;
                    continue;
                }
                let j = ny as usize * w + nx as usize;
                if !seen[j] && b.px[j] == value {
                    seen[j] = true;
                    queue.push_back(j);
                }
            }
        }
        // A valley region that reaches the outside of the print is the background, not a hole.
        if comp.len() < min && !(mask.is_some() && touches_outside) {
            for &i in &comp {
                b.px[i] = 1 - value;
            }
        }
    }
}

/// Zhang–Suen thinning followed by staircase removal.
pub(crate) fn thin(b: &mut Binary) {
    let (w, h) = (b.w, b.h);
    let mut candidates: Vec<usize> = (0..w * h).filter(|&i| b.px[i] != 0).collect();
    let mut marked = Vec::new();
    loop {
        let mut changed = false;
        for pass in 0..2 {
            marked.clear();
            for &i in &candidates {
                if b.px[i] == 0 {
                    continue;
                }
                let (x, y) = (i % w, i / w);
                if x == 0 || y == 0 || x + 1 == w || y + 1 == h {
                    continue;
                }
                let r = b.ring(x, y);
                let n: u8 = r.iter().sum();
                if !(2..=6).contains(&n) {
                    continue;
                }
                let mut transitions = 0;
                for k in 0..8 {
                    if r[k] == 0 && r[(k + 1) % 8] == 1 {
                        transitions += 1;
                    }
                }
                if transitions != 1 {
                    continue;
                }
                // r: 0=N(P2) 1=NE 2=E(P4) 3=SE 4=S(P6) 5=SW 6=W(P8) 7=NW
                let (p2, p4, p6, p8) = (r[0], r[2], r[4], r[6]);
                let ok = if pass == 0 {
                    p2 * p4 * p6 == 0 && p4 * p6 * p8 == 0
                } else {
                    p2 * p4 * p8 == 0 && p2 * p6 * p8 == 0
                };
                if ok {
                    marked.push(i);
                }
            }
            for &i in &marked {
                b.px[i] = 0;
            }
            changed |= !marked.is_empty();
        }
        if !changed {
            break;
        }
        candidates.retain(|&i| b.px[i] != 0);
    }
    remove_staircases(b);
}

/// Removes a line pixel whose two perpendicular 4-neighbours are set while the three pixels on
/// the opposite side are clear: its neighbours stay 8-connected without it.
fn remove_staircases(b: &mut Binary) {
    let (w, h) = (b.w, b.h);
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            if !b.get(x, y) {
                continue;
            }
            let r = b.ring(x, y);
            // (first 4-neighbour, second 4-neighbour, the three opposite pixels)
            const CORNERS: [(usize, usize, [usize; 3]); 4] = [
                (0, 2, [4, 5, 6]), // N+E set, S SW W clear
                (2, 4, [6, 7, 0]), // E+S set, W NW N clear
                (4, 6, [0, 1, 2]), // S+W set, N NE E clear
                (6, 0, [2, 3, 4]), // W+N set, E SE S clear
            ];
            for (a, c, opposite) in CORNERS {
                if r[a] == 1 && r[c] == 1 && opposite.iter().all(|&k| r[k] == 0) {
                    b.px[y * w + x] = 0;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_rows(rows: &[&str]) -> Binary {
        let h = rows.len();
        let w = rows[0].len();
        let px = rows
            .iter()
            .flat_map(|r| r.bytes().map(|c| u8::from(c == b'#')))
            .collect();
        Binary { w, h, px }
    }

    #[test]
    fn a_thick_bar_thins_to_a_one_pixel_line() {
        let mut b = from_rows(&[
            "..............",
            ".############.",
            ".############.",
            ".############.",
            ".############.",
            "..............",
        ]);
        thin(&mut b);
        // Every remaining pixel is a line pixel (crossing number ≤ 2) and the two ends exist.
        let mut ends = 0;
        for y in 1..b.h - 1 {
            for x in 1..b.w - 1 {
                if b.get(x, y) {
                    let cn = b.crossing_number(x, y);
                    assert!(cn <= 2, "({x},{y}) cn {cn}");
                    if cn == 1 {
                        ends += 1;
                    }
                }
            }
        }
        assert_eq!(ends, 2);
    }

    #[test]
    fn a_y_junction_has_crossing_number_three() {
        let mut b = from_rows(&[
            ".........",
            ".#.....#.",
            "..#...#..",
            "...#.#...",
            "....#....",
            "....#....",
            "....#....",
            ".........",
        ]);
        thin(&mut b);
        assert_eq!(b.crossing_number(4, 4), 3);
        assert_eq!(b.crossing_number(4, 6), 1);
        assert_eq!(b.crossing_number(1, 1), 1);
    }

    #[test]
    fn staircase_corners_are_removed() {
        let mut b = from_rows(&[
            "......", //
            ".#....", //
            ".##...", //
            "..##..", //
            "...#..", //
            "......", //
        ]);
        remove_staircases(&mut b);
        for y in 1..b.h - 1 {
            for x in 1..b.w - 1 {
                if b.get(x, y) {
                    assert!(b.neighbours(x, y) <= 2, "({x},{y})");
                }
            }
        }
    }
}
