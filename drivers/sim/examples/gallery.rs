//! Writes a sample of every generated datum into a folder, to look at:
//! `cargo run -p ktpel-sim --example gallery -- [OUT_DIR] [FIRST_SUBJECT] [COUNT]`.
//!
//! Per person: `fingers-<s>.png` (all ten fingers, right thumb first), `iris-<s>.png` (right,
//! left), `portrait-<s>.jpg`, `preview-<s>.png` and `signature-<s>.png`.

use ktpel_hal::{Camera, Eye, FingerPosition, FingerprintScanner, IrisScanner, SignaturePad};
use ktpel_sim::{SimCamera, SimFingerprint, SimIris, SimSignaturePad};
use std::path::PathBuf;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "sim-gallery".into()));
    let first: u64 = args.next().map_or(Ok(0), |s| s.parse())?;
    let count: u64 = args.next().map_or(Ok(3), |s| s.parse())?;
    std::fs::create_dir_all(&out)?;
    let (mut cam, mut fpr, mut iris, mut pad) = (
        SimCamera::new(1),
        SimFingerprint::new(1),
        SimIris::new(1),
        SimSignaturePad::new(1),
    );
    let t = Duration::from_secs(1);
    for subject in first..first + count {
        for control in [cam.control(), fpr.control(), iris.control(), pad.control()] {
            control.set_subject(subject);
        }
        // Ten fingers in two rows of five.
        let mut sheet = image::GrayImage::from_pixel(5 * 256, 2 * 288, image::Luma([255]));
        for (i, &pos) in FingerPosition::ALL.iter().enumerate() {
            let c = fpr.capture_finger(pos, t)?;
            let img = image::GrayImage::from_raw(c.image.width, c.image.height, c.image.pixels)
                .ok_or("finger image size")?;
            image::imageops::replace(&mut sheet, &img, (i % 5) as i64 * 256, (i / 5) as i64 * 288);
        }
        sheet.save(out.join(format!("fingers-{subject}.png")))?;

        let mut eyes = image::GrayImage::new(2 * 640, 480);
        for (i, eye) in Eye::BOTH.into_iter().enumerate() {
            let c = iris.capture_iris(eye, t)?;
            let img = image::GrayImage::from_raw(c.image.width, c.image.height, c.image.pixels)
                .ok_or("iris image size")?;
            image::imageops::replace(&mut eyes, &img, i as i64 * 640, 0);
        }
        eyes.save(out.join(format!("iris-{subject}.png")))?;

        std::fs::write(
            out.join(format!("portrait-{subject}.jpg")),
            cam.capture_face()?.image.bytes,
        )?;
        let frame = cam.preview_frame()?;
        image::RgbImage::from_raw(frame.width, frame.height, frame.rgb)
            .ok_or("preview size")?
            .save(out.join(format!("preview-{subject}.png")))?;
        std::fs::write(
            out.join(format!("signature-{subject}.png")),
            pad.capture_signature(t)?.image.bytes,
        )?;
    }
    tracing::info!(dir = %out.display(), "gallery written");
    Ok(())
}
