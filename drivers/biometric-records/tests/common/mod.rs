//! Captures from the simulators, as the booth's devices hand them over.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use image::ImageEncoder;
use ktpel_hal::{
    EncodedImage, Eye, FaceCapture, FingerCapture, FingerPosition, FingerRecord, ImageFormat,
    IrisCapture, IrisRecord, Quality,
};

/// 2026-12-05 07:00:00.123 UTC.
pub const T: i64 = 1_796_454_000_123;

pub fn finger(subject: u64, position: FingerPosition) -> FingerRecord {
    FingerRecord::Captured(FingerCapture {
        position,
        image: ktpel_sim::finger::render_finger(subject, position),
        resolution_ppi: 500,
        quality: Quality(71),
    })
}

pub fn iris(subject: u64, eye: Eye) -> IrisRecord {
    IrisRecord::Captured(IrisCapture {
        eye,
        image: ktpel_sim::iris::render_iris(subject, eye),
        quality: Quality(83),
    })
}

pub fn face_rgb(subject: u64) -> (u32, u32, Vec<u8>) {
    (
        ktpel_sim::camera::PORTRAIT_WIDTH,
        ktpel_sim::camera::PORTRAIT_HEIGHT,
        ktpel_sim::camera::portrait_rgb(subject),
    )
}

pub fn face(subject: u64, format: ImageFormat) -> FaceCapture {
    let (w, h, rgb) = face_rgb(subject);
    let mut bytes = Vec::new();
    match format {
        ImageFormat::Jpeg => image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut bytes,
            ktpel_sim::camera::PORTRAIT_JPEG_QUALITY,
        )
        .write_image(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .unwrap(),
        ImageFormat::Png => image::codecs::png::PngEncoder::new(&mut bytes)
            .write_image(&rgb, w, h, image::ExtendedColorType::Rgb8)
            .unwrap(),
    }
    FaceCapture {
        image: EncodedImage {
            format,
            width: w,
            height: h,
            bytes,
        },
        quality: Quality(88),
    }
}

pub fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

pub fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
