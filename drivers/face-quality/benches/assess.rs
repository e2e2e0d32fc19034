//! Milliseconds per assessment on a 320 × 240 preview frame, a 640 × 480 frame and a
//! 1280 × 720 still, and per portrait crop (run with `cargo bench -p ktpel-face-quality`).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use ktpel_face_quality::{assess, crop_portrait, PortraitSpec};
use ktpel_sim::face::{FaceModel, Placement};
use std::time::Instant;

fn face(w: u32, h: u32, subject: u64) -> image::RgbImage {
    let rgb = FaceModel::generate(subject).render_rgb(
        w as usize,
        h as usize,
        Placement {
            cx: w as f32 / 2.0,
            cy: h as f32 * 0.47,
            scale: h as f32 * 0.3,
        },
    );
    image::RgbImage::from_raw(w, h, rgb).unwrap()
}

fn main() {
    let blank = image::RgbImage::from_pixel(320, 240, image::Rgb([200, 205, 210]));
    for (w, h) in [(320u32, 240u32), (640, 480), (1280, 720)] {
        let images: Vec<_> = (0..6).map(|s| face(w, h, s)).collect();
        let _ = assess(&images[0]); // warm-up: model load, detector
        let rounds = if w > 640 { 10 } else { 30 };
        let t = Instant::now();
        let mut ok = 0;
        for _ in 0..rounds {
            for img in &images {
                ok += usize::from(assess(img).ok);
            }
        }
        let n = rounds * images.len();
        let ms = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
        println!("assess {w}x{h}: {ms:.2} ms/frame ({ok}/{n} passed)");
    }
    let t = Instant::now();
    for _ in 0..100 {
        let _ = assess(&blank);
    }
    println!(
        "assess 320x240 without a face: {:.2} ms/frame",
        t.elapsed().as_secs_f64() * 10.0
    );
    let still = face(1280, 720, 3);
    let a = assess(&still);
    let f = a.face.unwrap();
    let t = Instant::now();
    for _ in 0..20 {
        let _ = crop_portrait(&still, &f, &PortraitSpec::default()).unwrap();
    }
    println!(
        "crop_portrait 1280x720 -> 413x531: {:.2} ms",
        t.elapsed().as_secs_f64() * 1000.0 / 20.0
    );
}
