//! The data generators: deterministic, different per person and per finger or eye, and shaped
//! like what real devices produce.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{render_signature, Eye, FingerPosition, GrayImage, PenPoint, Stroke};
use ktpel_sim::camera::portrait_rgb;
use ktpel_sim::finger::{render_finger, FingerPattern, PatternClass, FINGER_HEIGHT, FINGER_WIDTH};
use ktpel_sim::iris::{render_iris, IrisModel};
use ktpel_sim::mean_abs_diff;
use ktpel_sim::signature::{signature_strokes, PAD_MAX_PRESSURE, PAD_MAX_X, PAD_MAX_Y};
use std::collections::HashSet;
use std::time::Instant;

fn px(img: &GrayImage, x: i32, y: i32) -> Option<u8> {
    if x < 0 || y < 0 || x >= img.width as i32 || y >= img.height as i32 {
        return None;
    }
    img.pixels
        .get(y as usize * img.width as usize + x as usize)
        .copied()
}

#[test]
fn fingers_are_deterministic() {
    let a = render_finger(17, FingerPosition::LeftRing);
    let b = render_finger(17, FingerPosition::LeftRing);
    assert_eq!(a, b);
    assert_eq!((a.width, a.height), (FINGER_WIDTH, FINGER_HEIGHT));
    assert_eq!(a.pixels.len(), (FINGER_WIDTH * FINGER_HEIGHT) as usize);
}

#[test]
fn fingers_differ_across_fingers_and_people() {
    let person: Vec<GrayImage> = FingerPosition::ALL
        .iter()
        .map(|&p| render_finger(5, p))
        .collect();
    for i in 0..person.len() {
        for j in i + 1..person.len() {
            let d = mean_abs_diff(&person[i].pixels, &person[j].pixels);
            assert!(d > 25.0, "fingers {i} and {j} of one person differ by {d}");
        }
    }
    for subject in 6..12 {
        for p in [FingerPosition::RightIndex, FingerPosition::LeftThumb] {
            let d = mean_abs_diff(
                &render_finger(5, p).pixels,
                &render_finger(subject, p).pixels,
            );
            assert!(d > 25.0, "{p:?} of persons 5 and {subject} differ by {d}");
        }
    }
}

#[test]
fn every_pattern_class_occurs_and_loops_lead() {
    let mut counts = std::collections::HashMap::new();
    for subject in 0..80 {
        for &p in &FingerPosition::ALL {
            *counts
                .entry(FingerPattern::generate(subject, p).class)
                .or_insert(0) += 1;
        }
    }
    for class in [
        PatternClass::Arch,
        PatternClass::TentedArch,
        PatternClass::LeftLoop,
        PatternClass::RightLoop,
        PatternClass::Whorl,
    ] {
        assert!(
            counts.get(&class).copied().unwrap_or(0) > 0,
            "{class:?} never drawn: {counts:?}"
        );
    }
    let loops = counts[&PatternClass::LeftLoop] + counts[&PatternClass::RightLoop];
    assert!(loops > counts[&PatternClass::Whorl], "{counts:?}");
    assert!(
        counts[&PatternClass::Whorl] > counts[&PatternClass::Arch],
        "{counts:?}"
    );
}

/// The apparent ridge period along a line: twice its length over the dark/light transitions.
fn apparent_period(img: &GrayImage, x0: f32, y0: f32, angle: f32, half: f32) -> Option<f32> {
    let (dx, dy) = (angle.cos(), angle.sin());
    let n = (2.0 * half) as i32;
    let samples: Vec<f32> = (0..n)
        .filter_map(|i| {
            let t = i as f32 - half;
            px(
                img,
                (x0 + t * dx).round() as i32,
                (y0 + t * dy).round() as i32,
            )
            .map(f32::from)
        })
        .collect();
    if samples.len() < n as usize {
        return None;
    }
    let mean = samples.iter().sum::<f32>() / samples.len() as f32;
    let dark: Vec<bool> = samples.iter().map(|&v| v < mean).collect();
    let transitions = dark.windows(2).filter(|w| w[0] != w[1]).count();
    (transitions > 0).then(|| 2.0 * samples.len() as f32 / transitions as f32)
}

#[test]
fn ridge_period_is_eight_to_ten_pixels() {
    let mut estimates = Vec::new();
    for subject in 0..6 {
        for &pos in &[
            FingerPosition::RightIndex,
            FingerPosition::LeftMiddle,
            FingerPosition::RightThumb,
        ] {
            let pattern = FingerPattern::generate(subject, pos);
            let img = pattern.render();
            // Lines through points well inside the fingertip; across the ridges the apparent
            // period is shortest, so take the minimum over directions.
            for &(fx, fy) in &[
                (-0.3f32, -0.2f32),
                (0.3, -0.2),
                (0.0, 0.3),
                (-0.25, 0.35),
                (0.25, 0.1),
            ] {
                let (x0, y0) = (
                    pattern.mask.cx + fx * pattern.mask.rx,
                    pattern.mask.cy + fy * pattern.mask.ry,
                );
                let best = (0..12)
                    .filter_map(|k| {
                        apparent_period(&img, x0, y0, k as f32 * std::f32::consts::PI / 12.0, 30.0)
                    })
                    .fold(f32::INFINITY, f32::min);
                if best.is_finite() {
                    estimates.push(best);
                }
            }
            // The phase field agrees: 2π / |∇φ| averaged over the print.
            let mut grads = Vec::new();
            for k in 0..40 {
                let a = k as f32 * 0.61;
                let r = 0.2 + 0.5 * ((k * 7) % 10) as f32 / 10.0;
                let (x, y) = (
                    pattern.mask.cx + r * pattern.mask.rx * a.cos(),
                    pattern.mask.cy + r * pattern.mask.ry * a.sin(),
                );
                let gx = pattern.base_phase_at(x + 0.5, y) - pattern.base_phase_at(x - 0.5, y);
                let gy = pattern.base_phase_at(x, y + 0.5) - pattern.base_phase_at(x, y - 0.5);
                grads.push(std::f32::consts::TAU / gx.hypot(gy));
            }
            grads.sort_by(f32::total_cmp);
            let median = grads[grads.len() / 2];
            assert!(
                (7.5..=11.0).contains(&median),
                "phase period {median} for {subject} {pos:?}"
            );
        }
    }
    estimates.sort_by(f32::total_cmp);
    let median = estimates[estimates.len() / 2];
    assert!(
        (7.5..=11.0).contains(&median),
        "median apparent period {median}: {estimates:?}"
    );
    let within = estimates
        .iter()
        .filter(|p| (6.5..=13.0).contains(*p))
        .count();
    assert!(within * 10 >= estimates.len() * 8, "{estimates:?}");
}

#[test]
fn ridges_are_where_the_phase_says() {
    let pattern = FingerPattern::generate(3, FingerPosition::RightMiddle);
    let img = pattern.render();
    let (mut ridge, mut valley) = (Vec::new(), Vec::new());
    for y in (0..FINGER_HEIGHT).step_by(3) {
        for x in (0..FINGER_WIDTH).step_by(3) {
            let (xf, yf) = (x as f32, y as f32);
            if pattern.mask.radius(xf, yf) > 0.8 {
                continue;
            }
            let c = pattern.phase_at(xf, yf).cos();
            let v = f32::from(px(&img, x as i32, y as i32).unwrap());
            if c > 0.9 {
                ridge.push(v);
            } else if c < -0.9 {
                valley.push(v);
            }
        }
    }
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    assert!(ridge.len() > 200 && valley.len() > 200);
    assert!(
        mean(&valley) - mean(&ridge) > 60.0,
        "ridge {} valley {}",
        mean(&ridge),
        mean(&valley)
    );
}

#[test]
fn an_added_spiral_changes_only_its_neighbourhood_topology() {
    let mut pattern = FingerPattern::generate(8, FingerPosition::LeftIndex);
    let before = pattern.render();
    let (x, y) = (pattern.mask.cx + 20.0, pattern.mask.cy + 40.0);
    pattern
        .spirals
        .push(ktpel_sim::finger::Spiral { x, y, polarity: 1 });
    let after = pattern.render();
    assert_ne!(before, after);
    // Going once around the new point, the phase winds by exactly 2π more than before.
    let winding = |p: &FingerPattern| {
        let mut total = 0.0;
        let mut prev = p.phase_at(x + 6.0, y);
        for k in 1..=64 {
            let a = k as f32 / 64.0 * std::f32::consts::TAU;
            let cur = p.phase_at(x + 6.0 * a.cos(), y + 6.0 * a.sin());
            let mut d = cur - prev;
            d -= std::f32::consts::TAU * (d / std::f32::consts::TAU).round();
            total += d;
            prev = cur;
        }
        (total / std::f32::consts::TAU).round() as i32
    };
    let mut without = pattern.clone();
    without.spirals.pop();
    assert_eq!(winding(&pattern) - winding(&without), 1);
}

#[test]
fn a_finger_renders_quickly() {
    // Generous for unoptimised debug builds; a few ms with optimisation.
    let t = Instant::now();
    let _ = render_finger(1, FingerPosition::RightIndex);
    assert!(t.elapsed().as_millis() < 400, "{:?}", t.elapsed());
}

#[test]
fn irises_are_deterministic_and_differ_per_eye_and_person() {
    let a = render_iris(4, Eye::Left);
    assert_eq!(a, render_iris(4, Eye::Left));
    assert_eq!((a.width, a.height), (640, 480));
    let d_eye = mean_abs_diff(&a.pixels, &render_iris(4, Eye::Right).pixels);
    let d_person = mean_abs_diff(&a.pixels, &render_iris(5, Eye::Left).pixels);
    assert!(d_eye > 8.0, "eyes differ by {d_eye}");
    assert!(d_person > 8.0, "persons differ by {d_person}");
}

#[test]
fn an_iris_has_a_dark_pupil_inside_a_lighter_iris_inside_the_sclera() {
    for subject in 0..5 {
        let m = IrisModel::generate(subject, Eye::Right);
        let img = m.render();
        let at = |r: f32, a: f32| {
            f32::from(
                px(
                    &img,
                    (m.cx + r * a.cos()) as i32,
                    (m.cy + r * a.sin()) as i32,
                )
                .unwrap(),
            )
        };
        let ring = |r: f32| (0..36).map(|k| at(r, k as f32 * 0.1745)).sum::<f32>() / 36.0;
        let pupil = (0..36)
            .map(|k| at(m.pupil_radius * 0.5, k as f32 * 0.1745))
            .fold(f32::INFINITY, f32::min);
        let iris = ring(0.5 * (m.pupil_radius + m.iris_radius));
        // The sclera: beside the iris, on the horizontal (never under a lid).
        let sclera =
            0.5 * (at(m.iris_radius + 25.0, 0.0) + at(m.iris_radius + 25.0, std::f32::consts::PI));
        assert!(
            pupil < 40.0 && pupil + 30.0 < iris && iris + 30.0 < sclera,
            "{pupil} {iris} {sclera}"
        );
    }
}

#[test]
fn portraits_keep_the_clothing_below_the_chin() {
    // The bottom rows are clothing (or cloth), never the face's skin colour.
    for subject in 0..40 {
        let model = ktpel_sim::face::FaceModel::generate(subject);
        let rgb = portrait_rgb(subject);
        let at = |x: usize, y: usize| {
            let i = (y * 480 + x) * 3;
            [
                f32::from(rgb[i]),
                f32::from(rgb[i + 1]),
                f32::from(rgb[i + 2]),
            ]
        };
        let bottom = at(240, 636);
        let skin = model.skin;
        let dist = |c: [f32; 3]| {
            bottom
                .iter()
                .zip(c)
                .map(|(a, b)| (a - b).abs())
                .sum::<f32>()
        };
        let cloth = dist(model.clothing).min(dist(model.hair));
        assert!(
            cloth < dist(skin),
            "subject {subject}: bottom {bottom:?}, skin {skin:?}"
        );
    }
}

#[test]
fn portraits_are_deterministic_and_personal() {
    let a = portrait_rgb(10);
    assert_eq!(a, portrait_rgb(10));
    assert_eq!(a.len(), 480 * 640 * 3);
    for other in 11..15 {
        let d = mean_abs_diff(&a, &portrait_rgb(other));
        assert!(d > 6.0, "persons 10 and {other} differ by {d}");
    }
}

fn all_points(strokes: &[Stroke]) -> Vec<PenPoint> {
    strokes
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .collect()
}

#[test]
fn signatures_are_personal_plausible_and_vary_a_little() {
    let reference = signature_strokes(21, 0, false);
    assert_eq!(reference, signature_strokes(21, 0, false));
    assert!(
        (2..=5).contains(&reference.len()),
        "{} strokes",
        reference.len()
    );
    let pts = all_points(&reference);
    assert!(pts.iter().all(|p| p.x <= PAD_MAX_X && p.y <= PAD_MAX_Y));
    assert!(pts
        .iter()
        .all(|p| (1..=PAD_MAX_PRESSURE).contains(&p.pressure)));
    assert!(
        pts.windows(2).all(|w| w[0].t_ms <= w[1].t_ms),
        "time runs forward"
    );
    let pressures: HashSet<u16> = pts.iter().map(|p| p.pressure).collect();
    assert!(pressures.len() > 20, "pressure varies");
    let (minx, maxx) = (
        pts.iter().map(|p| p.x).min().unwrap(),
        pts.iter().map(|p| p.x).max().unwrap(),
    );
    assert!(maxx - minx > PAD_MAX_X / 3, "a signature spans the pad");
    let duration = pts.last().unwrap().t_ms;
    assert!((500..8000).contains(&duration), "{duration} ms");

    // Another capture of the same person: same shape, slightly different.
    let again = signature_strokes(21, 99, false);
    assert_ne!(again, reference);
    assert_eq!(again.len(), reference.len());
    let other = signature_strokes(22, 0, false);
    assert_ne!(other, reference);
}

fn ink(png: &[u8]) -> usize {
    let img = image::load_from_memory(png).unwrap().to_luma8();
    img.pixels().filter(|p| p.0[0] < 128).count()
}

#[test]
fn signature_image_is_dark_ink_on_white_with_pressure_thickness() {
    let strokes = signature_strokes(3, 0, false);
    let img = render_signature(&strokes, PAD_MAX_X, PAD_MAX_Y, PAD_MAX_PRESSURE, 600, 200).unwrap();
    assert_eq!(
        (img.format, img.width, img.height),
        (ktpel_hal::ImageFormat::Png, 600, 200)
    );
    let decoded = image::load_from_memory(&img.bytes).unwrap().to_luma8();
    assert_eq!(decoded.dimensions(), (600, 200));
    let dark = ink(&img.bytes);
    assert!(dark > 800 && dark < 600 * 200 / 5, "{dark} ink pixels");
    assert_eq!(
        img,
        render_signature(&strokes, PAD_MAX_X, PAD_MAX_Y, PAD_MAX_PRESSURE, 600, 200).unwrap()
    );

    let line = |pressure| Stroke {
        points: (0..50)
            .map(|i| PenPoint {
                x: 1000 + i * 200,
                y: 2000,
                pressure,
                t_ms: i * 7,
            })
            .collect(),
    };
    let light = render_signature(
        &[line(60)],
        PAD_MAX_X,
        PAD_MAX_Y,
        PAD_MAX_PRESSURE,
        600,
        200,
    )
    .unwrap();
    let heavy = render_signature(
        &[line(1000)],
        PAD_MAX_X,
        PAD_MAX_Y,
        PAD_MAX_PRESSURE,
        600,
        200,
    )
    .unwrap();
    assert!(
        ink(&heavy.bytes) > ink(&light.bytes) * 3 / 2,
        "{} vs {}",
        ink(&heavy.bytes),
        ink(&light.bytes)
    );

    assert_eq!(
        render_signature(&strokes, 0, PAD_MAX_Y, PAD_MAX_PRESSURE, 600, 200)
            .unwrap_err()
            .kind,
        ktpel_hal::ErrorKind::BadData
    );
    // No strokes: a blank page, not an error.
    assert_eq!(
        ink(&render_signature(&[], 100, 100, 10, 60, 20).unwrap().bytes),
        0
    );
}

#[test]
fn a_subject_of_either_sex_is_drawn_as_one() {
    use ktpel_sim::face::{subject_of_sex, FaceModel, HairStyle};
    let (mut long, mut hijab) = (0, 0);
    for from in (0..100u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)) {
        let man = FaceModel::generate(subject_of_sex(from, false));
        assert_eq!(man.style, HairStyle::Short, "from {from}");
        let woman = FaceModel::generate(subject_of_sex(from, true));
        assert!(!woman.moustache, "from {from}");
        match woman.style {
            HairStyle::Long => long += 1,
            HairStyle::Hijab => hijab += 1,
            HairStyle::Short => panic!("from {from}: a woman drawn short-haired"),
        }
        // Close by: the same seed stays (nearly) the same person.
        assert!(subject_of_sex(from, false).wrapping_sub(from) < 64);
    }
    // Both ways of covering a woman's head occur.
    assert!(long > 20 && hijab > 20, "long {long}, hijab {hijab}");
}
