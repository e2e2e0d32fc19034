//! Draws the extracted minutiae (red: endings, blue: bifurcations) and the simulator's true ones
//! (green) over a synthetic print, for looking at what the extractor does.
//!
//! `cargo run -p ktpel-minutiae --example show -- SUBJECT FINGER_CODE OUT.png [poor]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
mod common;

use image::{Rgb, RgbImage};
use ktpel_hal::FingerPosition;
use ktpel_sim::finger::FingerPattern;

const SCALE: u32 = 3;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let subject: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let code: u8 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    let out = args.get(3).cloned().unwrap_or_else(|| "show.png".into());
    let poor = args.get(4).is_some_and(|s| s == "poor");
    let position = FingerPosition::from_iso_code(code).expect("finger code 1–10");
    let image = common::capture(subject, position, poor);
    let truth = common::ground_truth(&FingerPattern::generate(subject, position));
    let result = ktpel_minutiae::extract(&image, 500);
    let mut canvas = RgbImage::new(image.width * SCALE, image.height * SCALE);
    for (i, &v) in image.pixels.iter().enumerate() {
        let (x, y) = (i as u32 % image.width, i as u32 / image.width);
        for dy in 0..SCALE {
            for dx in 0..SCALE {
                canvas.put_pixel(x * SCALE + dx, y * SCALE + dy, Rgb([v, v, v]));
            }
        }
    }
    for t in &truth {
        mark(&mut canvas, t.x, t.y, t.angle_deg, Rgb([0, 200, 0]), 5.0);
    }
    match &result {
        Ok(t) => {
            for m in &t.minutiae {
                let colour = match m.kind {
                    ktpel_minutiae::MinutiaKind::Ending => Rgb([230, 0, 0]),
                    ktpel_minutiae::MinutiaKind::Bifurcation => Rgb([0, 60, 255]),
                };
                mark(
                    &mut canvas,
                    f32::from(m.x),
                    f32::from(m.y),
                    m.angle_deg,
                    colour,
                    3.0,
                );
            }
            let inner: Vec<_> = truth
                .iter()
                .copied()
                .filter(|t| t.edge_distance >= common::EDGE_MARGIN)
                .collect();
            let s = common::score(&truth, &truth, &t.minutiae);
            let si = common::score(&inner, &truth, &t.minutiae);
            println!(
                "{:?}: {} true ({} inner), {} found; within 10 px: {}, +15°: {} (inner {}/{}), false {}",
                t,
                s.truths,
                si.truths,
                s.detections,
                s.found_position,
                s.found_position_angle,
                si.found_position_angle,
                si.truths,
                s.false_detections
            );
        }
        Err(e) => println!("no template: {e}"),
    }
    canvas.save(&out).unwrap();
}

fn mark(c: &mut RgbImage, x: f32, y: f32, angle_deg: f32, colour: Rgb<u8>, r: f32) {
    let (s, k) = (SCALE as f32, SCALE as f32 / 2.0);
    let (cx, cy) = (x * s + k, y * s + k);
    for i in 0..64 {
        let a = i as f32 / 64.0 * std::f32::consts::TAU;
        put(c, cx + r * s * a.cos(), cy + r * s * a.sin(), colour);
    }
    let a = angle_deg.to_radians();
    for i in 0..(4.0 * r * s) as i32 {
        let d = i as f32 / 2.0;
        put(c, cx + d * a.cos(), cy - d * a.sin(), colour);
    }
}

fn put(c: &mut RgbImage, x: f32, y: f32, colour: Rgb<u8>) {
    if x >= 0.0 && y >= 0.0 && (x as u32) < c.width() && (y as u32) < c.height() {
        c.put_pixel(x as u32, y as u32, colour);
    }
}
