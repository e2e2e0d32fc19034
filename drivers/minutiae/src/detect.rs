//! Minutiae on the skeleton: crossing number, ridge tracing, direction, false-minutia removal
//! and quality.
//!
//! Candidates are skeleton pixels with crossing number 1 (ridge endings) and clusters of pixels
//! with crossing number ≥ 3 (bifurcations). Each candidate's ridge is traced along the
//! skeleton for about one ridge period; the trace gives the minutia's direction and exposes the
//! structures that thinning makes out of noise (Maltoni et al., *Handbook of Fingerprint
//! Recognition*, 2nd ed., §3.8–3.9):
//!
//! - a **spur**: an ending whose ridge reaches a junction within about one period (both go);
//! - a **short fragment**: two endings joined by less than ~1.5 periods of ridge (both go);
//! - a **bridge** or small **lake**: two junctions joined by less than ~1.5 periods (both go);
//! - a **broken ridge**: two endings facing each other across a short gap (both go);
//! - **close pairs**: any two minutiae closer than ~0.7 period (both go);
//! - minutiae near the **edge of the print**, where the cut ridges end (they go);
//! - minutiae of low **quality** (incoherent flow, low contrast).
//!
//! Directions follow ISO/IEC 19794-2 and ANSI/NIST-ITL: a ridge ending points from the end into
//! its ridge; a bifurcation points along the valley between its two branches (the bisector of the
//! smallest of the three angles between the branches). The traced direction picks the sense; the
//! smoothed orientation field then gives the precise angle.

use crate::orientation::Orientation;
use crate::plane::Plane;
use crate::segment::Mask;
use crate::skeleton::{Binary, RING};
use crate::MinutiaKind;

pub(crate) struct DetectParams {
    /// The print's typical ridge period, pixels.
    pub period: f32,
}

/// A detected minutia in pixel coordinates, with its direction as a unit vector (y down).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Found {
    pub x: f32,
    pub y: f32,
    pub dx: f32,
    pub dy: f32,
    pub kind: MinutiaKind,
    pub quality: u8,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    /// Walked the whole length without meeting anything.
    Length,
    /// Reached a line end (the pixel).
    End(usize),
    /// Reached a junction (its cluster id).
    Junction(u32),
}

struct Trace {
    points: Vec<(usize, usize)>,
    stop: Stop,
}

struct Candidate {
    x: f32,
    y: f32,
    kind: MinutiaKind,
    /// Traced direction (not yet normalised).
    tx: f32,
    ty: f32,
    /// Fraction of the direction length the trace(s) covered before stopping.
    trace_cover: f32,
    /// Why the candidate was dropped, if it was.
    dropped: Option<&'static str>,
    /// Final direction (unit) and how well the trace agreed with the orientation field.
    dir: (f32, f32),
    align: f32,
}

impl Candidate {
    fn drop_for(&mut self, why: &'static str) {
        self.dropped.get_or_insert(why);
    }
}

/// A candidate with the reason it was dropped (`None`: kept), for diagnostics.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Verdict {
    pub found: Found,
    pub dropped: Option<&'static str>,
}

pub(crate) fn detect(
    skel: &Binary,
    orientation: &Orientation,
    clarity: &Plane,
    mask: &Mask,
    p: &DetectParams,
) -> Vec<Verdict> {
    let (w, h) = (skel.w, skel.h);
    let period = p.period;
    let dir_len = (1.2 * period).round().max(4.0) as usize;
    let spur_len = 1.0 * period;
    let short_len = 1.6 * period;
    let bridge_len = 1.6 * period;
    let trace_len = dir_len
        .max(short_len.ceil() as usize)
        .max(bridge_len.ceil() as usize)
        + 1;

    // Crossing numbers, junction clusters.
    let mut endings = Vec::new();
    let mut junction = vec![0u32; w * h];
    let mut junction_pixels = Vec::new();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            if !skel.get(x, y) {
                continue;
            }
            match skel.crossing_number(x, y) {
                1 => endings.push((x, y)),
                cn if cn >= 3 => junction_pixels.push((x, y)),
                _ => {}
            }
        }
    }
    let clusters = cluster_junctions(&junction_pixels, &mut junction, w);

    let mut cands: Vec<Candidate> = Vec::new();
    // Index of the candidate of each ending pixel / junction cluster, to remove pairs.
    let mut ending_cand = std::collections::HashMap::new();
    let mut junction_cand = vec![usize::MAX; clusters.len() + 1];
    // (candidate, stop, trace length) for the structural rules below.
    let mut links: Vec<(usize, Stop, usize)> = Vec::new();

    for &(x, y) in &endings {
        let Some(first) = line_neighbour(skel, x, y) else {
            continue;
        };
        let t = trace(skel, &junction, (x, y), first, trace_len);
        let k = (dir_len.min(t.points.len())).saturating_sub(1);
        let (ex, ey) = t.points.get(k).copied().unwrap_or(first);
        let id = cands.len();
        cands.push(Candidate {
            x: x as f32,
            y: y as f32,
            kind: MinutiaKind::Ending,
            tx: ex as f32 - x as f32,
            ty: ey as f32 - y as f32,
            trace_cover: (t.points.len() as f32 / dir_len as f32).min(1.0),
            dropped: (t.points.len() < 3).then_some("fragment"),
            dir: (0.0, 0.0),
            align: 0.0,
        });
        ending_cand.insert(y * w + x, id);
        links.push((id, t.stop, t.points.len()));
    }

    for (ci, cluster) in clusters.iter().enumerate() {
        let cid = ci as u32 + 1;
        let n = cluster.len() as f32;
        let cx = cluster.iter().map(|p| p.0 as f32).sum::<f32>() / n;
        let cy = cluster.iter().map(|p| p.1 as f32).sum::<f32>() / n;
        let starts = branch_starts(skel, &junction, cluster, cid);
        if starts.len() != 3 {
            // A crossing or a tangle: not a bifurcation.
            cands.push(Candidate {
                x: cx,
                y: cy,
                kind: MinutiaKind::Bifurcation,
                tx: 0.0,
                ty: 0.0,
                trace_cover: 0.0,
                dropped: Some(if starts.len() > 3 {
                    "crossing"
                } else {
                    "not a junction"
                }),
                dir: (0.0, 0.0),
                align: 0.0,
            });
            continue;
        }
        let mut vectors = Vec::with_capacity(3);
        let mut cover = 1.0f32;
        let id = cands.len();
        for &(from, first) in &starts {
            let t = trace(skel, &junction, from, first, trace_len);
            let k = (dir_len.min(t.points.len())).saturating_sub(1);
            let (ex, ey) = t.points.get(k).copied().unwrap_or(first);
            let (vx, vy) = (ex as f32 - cx, ey as f32 - cy);
            let len = vx.hypot(vy).max(1e-3);
            vectors.push((vx / len, vy / len));
            cover = cover.min((t.points.len() as f32 / dir_len as f32).min(1.0));
            links.push((id, t.stop, t.points.len()));
        }
        // The two branches with the smallest angle between them; the direction bisects them.
        let pairs = [(0, 1), (0, 2), (1, 2)];
        let (i, j) = pairs
            .iter()
            .copied()
            .max_by(|a, b| {
                let da = vectors[a.0].0 * vectors[a.1].0 + vectors[a.0].1 * vectors[a.1].1;
                let db = vectors[b.0].0 * vectors[b.1].0 + vectors[b.0].1 * vectors[b.1].1;
                da.total_cmp(&db)
            })
            .unwrap_or((0, 1));
        cands.push(Candidate {
            x: cx,
            y: cy,
            kind: MinutiaKind::Bifurcation,
            tx: vectors[i].0 + vectors[j].0,
            ty: vectors[i].1 + vectors[j].1,
            trace_cover: cover,
            dropped: None,
            dir: (0.0, 0.0),
            align: 0.0,
        });
        junction_cand[cid as usize] = id;
    }

    // Structural rules: spurs, short fragments, bridges and lakes.
    for &(id, stop, len) in &links {
        let len = len as f32;
        match (cands[id].kind, stop) {
            (MinutiaKind::Ending, Stop::Junction(j)) if len <= spur_len => {
                cands[id].drop_for("spur");
                if let Some(&other) = junction_cand.get(j as usize) {
                    if other != usize::MAX {
                        cands[other].drop_for("spur");
                    }
                }
            }
            (MinutiaKind::Ending, Stop::End(pix)) if len <= short_len => {
                cands[id].drop_for("short ridge");
                if let Some(&other) = ending_cand.get(&pix) {
                    cands[other].drop_for("short ridge");
                }
            }
            (MinutiaKind::Bifurcation, Stop::Junction(j)) if len <= bridge_len => {
                let other = junction_cand.get(j as usize).copied().unwrap_or(usize::MAX);
                // A bridge runs across the ridge flow; two junctions joined along the flow
                // (a short stretch of ridge between two genuine bifurcations) are kept. A
                // branch that comes back to its own junction is a small lake.
                let across = if other == usize::MAX || other == id {
                    true
                } else {
                    let (a, b) = (&cands[id], &cands[other]);
                    let (gx, gy) = (b.x - a.x, b.y - a.y);
                    let gl = gx.hypot(gy).max(1e-3);
                    let (mx, my) = (0.5 * (a.x + b.x), 0.5 * (a.y + b.y));
                    let (ox, oy) = orientation.direction(mx.round() as usize, my.round() as usize);
                    ((gx * ox + gy * oy) / gl).abs() < 0.8
                };
                if across {
                    cands[id].drop_for("bridge");
                    if other != usize::MAX {
                        cands[other].drop_for("bridge");
                    }
                }
            }
            _ => {}
        }
    }

    // Directions: the trace picks the sense, the orientation field the angle.
    for c in &mut cands {
        let (xi, yi) = (c.x.round() as usize, c.y.round() as usize);
        let (ox, oy) = orientation.direction(xi, yi);
        let tl = c.tx.hypot(c.ty);
        if tl < 1e-3 {
            c.drop_for("no direction");
            continue;
        }
        let dot = (c.tx * ox + c.ty * oy) / tl;
        c.dir = if dot >= 0.0 { (ox, oy) } else { (-ox, -oy) };
        c.align = dot.abs();
    }

    // Broken ridges: two endings facing each other across a short gap.
    let break_dist = 1.6 * period;
    let n = cands.len();
    let mut broken = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            let (ca, cb) = (&cands[a], &cands[b]);
            if ca.dropped.is_some()
                || cb.dropped.is_some()
                || ca.kind != MinutiaKind::Ending
                || cb.kind != MinutiaKind::Ending
            {
                continue;
            }
            let (gx, gy) = (cb.x - ca.x, cb.y - ca.y);
            let gap = gx.hypot(gy);
            if gap > break_dist || gap < 1e-3 {
                continue;
            }
            let (da, db) = (ca.dir, cb.dir);
            let opposite = da.0 * db.0 + da.1 * db.1 < -0.5;
            // b lies on the open side of a (a points back into its own ridge), in line.
            let in_line =
                -(gx * da.0 + gy * da.1) / gap > 0.6 && (gx * db.0 + gy * db.1) / gap > 0.6;
            if opposite && in_line {
                broken.push((a, b));
            }
        }
    }
    for (a, b) in broken {
        cands[a].drop_for("broken ridge");
        cands[b].drop_for("broken ridge");
    }
    // Close pairs.
    let close = 0.7 * period;
    let mut pairs = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            if cands[a].dropped.is_some() || cands[b].dropped.is_some() {
                continue;
            }
            if (cands[a].x - cands[b].x).hypot(cands[a].y - cands[b].y) < close {
                pairs.push((a, b));
            }
        }
    }
    for (a, b) in pairs {
        cands[a].drop_for("close pair");
        cands[b].drop_for("close pair");
    }

    // Edge of the print, quality.
    let border = 1.2 * period;
    let mut out = Vec::with_capacity(cands.len());
    for mut c in cands {
        let (xi, yi) = (c.x.round() as usize, c.y.round() as usize);
        let edge = mask.edge_distance.at(xi, yi);
        if edge < border {
            c.drop_for("edge");
        }
        let coh = ((orientation.coherence.at(xi, yi) - 0.2) / 0.6).clamp(0.0, 1.0);
        let contrast = clarity_factor(clarity.at(xi, yi));
        let inner = ((edge - border) / (2.0 * period)).clamp(0.0, 1.0);
        let q = coh
            * contrast
            * (0.4 + 0.6 * inner)
            * (0.5 + 0.5 * c.trace_cover)
            * (0.5 + 0.5 * c.align);
        let quality = (100.0 * q).round().clamp(1.0, 100.0) as u8;
        if quality < MIN_QUALITY {
            c.drop_for("low quality");
        }
        out.push(Verdict {
            found: Found {
                x: c.x,
                y: c.y,
                dx: c.dir.0,
                dy: c.dir.1,
                kind: c.kind,
                quality,
            },
            dropped: c.dropped,
        });
    }
    out
}

/// Ridge clarity (local RMS of the enhanced image; ≈ 1 for clean ridges, ≈ 0.3 for noise) as
/// a 0–1 factor.
pub(crate) fn clarity_factor(rms: f32) -> f32 {
    ((rms - 0.3) / 0.5).clamp(0.0, 1.0)
}

/// Minutiae below this quality are dropped.
const MIN_QUALITY: u8 = 10;

/// Groups junction pixels lying within two pixels of each other; writes cluster ids (from 1)
/// into `junction`.
fn cluster_junctions(
    pixels: &[(usize, usize)],
    junction: &mut [u32],
    w: usize,
) -> Vec<Vec<(usize, usize)>> {
    let mut clusters: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut assigned = vec![false; pixels.len()];
    for i in 0..pixels.len() {
        if assigned[i] {
            continue;
        }
        assigned[i] = true;
        let mut members = vec![pixels[i]];
        let mut k = 0;
        while k < members.len() {
            let (mx, my) = members[k];
            for j in 0..pixels.len() {
                if !assigned[j] && pixels[j].0.abs_diff(mx) <= 2 && pixels[j].1.abs_diff(my) <= 2 {
                    assigned[j] = true;
                    members.push(pixels[j]);
                }
            }
            k += 1;
        }
        let id = clusters.len() as u32 + 1;
        for &(x, y) in &members {
            junction[y * w + x] = id;
        }
        clusters.push(members);
    }
    clusters
}

/// The neighbour to walk to from a line end: a 4-neighbour when there is one.
fn line_neighbour(skel: &Binary, x: usize, y: usize) -> Option<(usize, usize)> {
    let ring = skel.ring(x, y);
    let pick = |k: usize| {
        let (dx, dy) = RING[k];
        ((x as isize + dx) as usize, (y as isize + dy) as usize)
    };
    (0..8)
        .filter(|&k| ring[k] == 1)
        .min_by_key(|&k| k % 2)
        .map(pick)
}

/// Where the branches leave a junction cluster: (cluster pixel, first branch pixel), with
/// starts side by side (4-adjacent: the same line leaving on a slant) merged.
fn branch_starts(
    skel: &Binary,
    junction: &[u32],
    cluster: &[(usize, usize)],
    id: u32,
) -> Vec<((usize, usize), (usize, usize))> {
    let w = skel.w;
    let mut starts: Vec<((usize, usize), (usize, usize))> = Vec::new();
    for &(x, y) in cluster {
        for (dx, dy) in RING {
            let (nx, ny) = ((x as isize + dx) as usize, (y as isize + dy) as usize);
            if !skel.get(nx, ny) || junction[ny * w + nx] == id {
                continue;
            }
            let touches = starts
                .iter()
                .any(|(_, s)| s.0.abs_diff(nx) + s.1.abs_diff(ny) <= 1);
            if !touches {
                starts.push(((x, y), (nx, ny)));
            }
        }
    }
    starts
}

/// Follows the skeleton from `start` through `first` for at most `max_len` pixels.
fn trace(
    skel: &Binary,
    junction: &[u32],
    start: (usize, usize),
    first: (usize, usize),
    max_len: usize,
) -> Trace {
    let w = skel.w;
    let start_junction = junction[start.1 * w + start.0];
    let mut points = vec![first];
    let mut prev = start;
    let mut cur = first;
    loop {
        let j = junction[cur.1 * w + cur.0];
        if j != 0 && j != start_junction {
            return Trace {
                points,
                stop: Stop::Junction(j),
            };
        }
        if j != 0 && points.len() > 3 {
            // Came back round into the junction it started from: a small loop (a lake).
            return Trace {
                points,
                stop: Stop::Junction(j),
            };
        }
        if points.len() >= max_len {
            return Trace {
                points,
                stop: Stop::Length,
            };
        }
        let (cx, cy) = cur;
        if cx == 0 || cy == 0 || cx + 1 >= skel.w || cy + 1 >= skel.h {
            return Trace {
                points,
                stop: Stop::Length,
            };
        }
        let recent = &points[points.len().saturating_sub(4)..];
        let mut best: Option<((usize, usize), u8)> = None;
        for (k, (dx, dy)) in RING.iter().enumerate() {
            let n = ((cx as isize + dx) as usize, (cy as isize + dy) as usize);
            if !skel.get(n.0, n.1) || n == prev || n == start || recent.contains(&n) {
                continue;
            }
            // Rank: junction pixels first (so that junctions are not stepped round), then
            // pixels not touching the previous one, then 4-neighbours.
            let is_junction = junction[n.1 * w + n.0] != 0;
            let touches_prev = n.0.abs_diff(prev.0) <= 1 && n.1.abs_diff(prev.1) <= 1;
            let rank = 4 * u8::from(!is_junction) + 2 * u8::from(touches_prev) + (k % 2) as u8;
            if best.is_none_or(|(_, r)| rank < r) {
                best = Some((n, rank));
            }
        }
        match best {
            None => {
                return Trace {
                    points,
                    stop: Stop::End(cy * w + cx),
                }
            }
            Some((n, _)) => {
                points.push(n);
                prev = cur;
                cur = n;
            }
        }
    }
}
