//! Prints the assessment of image files and of synthetic faces with known faults (a
//! calibration aid): `cargo run --release -p ktpel-face-quality --example probe -- a.jpg`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]
use ktpel_face_quality::{assess, portrait_frame, PortraitSpec};

fn show(name: &str, img: &image::RgbImage) {
    let t = std::time::Instant::now();
    let a = assess(img);
    let took = t.elapsed();
    println!(
        "{name} {}x{} {:?} ok={} score={} faces={} face={:?}",
        img.width(),
        img.height(),
        took,
        a.ok,
        a.score,
        a.faces,
        a.face
    );
    for c in &a.checks {
        println!("    {c}");
    }
    if let Some(f) = a.face {
        println!(
            "    portrait: {:?}",
            portrait_frame(img, &f, &PortraitSpec::default())
        );
    }
}

fn main() {
    for path in std::env::args().skip(1) {
        let img = image::open(&path).unwrap().to_rgb8();
        show(&path, &img);
        for sigma in [1.0f32, 2.0, 3.0] {
            show(
                &format!("{path} blurred {sigma}"),
                &image::imageops::blur(&img, sigma),
            );
        }
    }
    for subject in 0..12u64 {
        let m = ktpel_sim::face::FaceModel::generate(subject);
        let (w, h) = (640usize, 480usize);
        let rgb = m.render_rgb(
            w,
            h,
            ktpel_sim::face::Placement {
                cx: w as f32 / 2.0,
                cy: h as f32 * 0.47,
                scale: h as f32 * 0.3,
            },
        );
        let img = image::RgbImage::from_raw(w as u32, h as u32, rgb).unwrap();
        show(&format!("sim {subject} {:?}", m.style), &img);
        let small = image::imageops::resize(&img, 320, 240, image::imageops::FilterType::Triangle);
        show(&format!("sim {subject} small"), &small);
        for sigma in [2.0f32, 3.0, 4.0] {
            show(
                &format!("sim {subject} blurred {sigma}"),
                &image::imageops::blur(&img, sigma),
            );
        }
        let rot = rotate(&img, 12.0);
        show(&format!("sim {subject} rotated 12"), &rot);
    }
}

fn rotate(img: &image::RgbImage, deg: f32) -> image::RgbImage {
    let (w, h) = img.dimensions();
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    image::RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = (c * dx + s * dy + cx).round();
        let sy = (-s * dx + c * dy + cy).round();
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            image::Rgb([204, 212, 222])
        }
    })
}
