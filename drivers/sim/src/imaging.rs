//! Small pixel helpers shared by the generators: encoding, blur, noise and contrast figures.

use crate::rng::SimRng;
use image::{ExtendedColorType, ImageEncoder};
use ktpel_hal::{DeviceError, DeviceResult, EncodedImage, ImageFormat};

/// Encodes RGB8 pixels as a baseline JPEG.
pub(crate) fn encode_jpeg(
    rgb: &[u8],
    width: u32,
    height: u32,
    quality: u8,
) -> DeviceResult<EncodedImage> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(|e| DeviceError::other(format!("sim: JPEG encoding failed: {e}")))?;
    Ok(EncodedImage {
        format: ImageFormat::Jpeg,
        width,
        height,
        bytes,
    })
}

/// Encodes RGB8 pixels as a PNG.
pub(crate) fn encode_png_rgb(rgb: &[u8], width: u32, height: u32) -> DeviceResult<EncodedImage> {
    encode_png(rgb, width, height, ExtendedColorType::Rgb8)
}

fn encode_png(
    pixels: &[u8],
    width: u32,
    height: u32,
    color: ExtendedColorType,
) -> DeviceResult<EncodedImage> {
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(pixels, width, height, color)
        .map_err(|e| DeviceError::other(format!("sim: PNG encoding failed: {e}")))?;
    Ok(EncodedImage {
        format: ImageFormat::Png,
        width,
        height,
        bytes,
    })
}

/// Box blur of an interleaved image with `channels` channels, radius `r`, edges clamped.
pub(crate) fn box_blur(pixels: &mut [u8], width: usize, height: usize, channels: usize, r: usize) {
    if r == 0 || width == 0 || height == 0 || pixels.len() != width * height * channels {
        return;
    }
    let mut tmp = vec![0u8; pixels.len()];
    let n = (2 * r + 1) as u32;
    // Horizontal pass into tmp, vertical pass back.
    for y in 0..height {
        for c in 0..channels {
            let at = |x: usize| u32::from(pixels[(y * width + x.min(width - 1)) * channels + c]);
            let mut sum: u32 = (0..=2 * r).map(|i| at(i.saturating_sub(r))).sum();
            for x in 0..width {
                tmp[(y * width + x) * channels + c] = (sum / n) as u8;
                sum += at(x + r + 1);
                sum -= at(x.saturating_sub(r));
            }
        }
    }
    for x in 0..width {
        for c in 0..channels {
            let at = |y: usize| u32::from(tmp[(y.min(height - 1) * width + x) * channels + c]);
            let mut sum: u32 = (0..=2 * r).map(|i| at(i.saturating_sub(r))).sum();
            for y in 0..height {
                pixels[(y * width + x) * channels + c] = (sum / n) as u8;
                sum += at(y + r + 1);
                sum -= at(y.saturating_sub(r));
            }
        }
    }
}

/// Adds uniform noise of ± `amplitude` to every byte.
pub(crate) fn add_noise(pixels: &mut [u8], amplitude: f32, rng: &mut SimRng) {
    for p in pixels.iter_mut() {
        let v = f32::from(*p) + rng.range(-amplitude, amplitude);
        *p = v.round().clamp(0.0, 255.0) as u8;
    }
}

/// Pulls every byte towards `towards` by `amount` (0 = unchanged, 1 = flat).
pub(crate) fn wash_out(pixels: &mut [u8], towards: u8, amount: f32) {
    for p in pixels.iter_mut() {
        let v = f32::from(*p) + (f32::from(towards) - f32::from(*p)) * amount;
        *p = v.round().clamp(0.0, 255.0) as u8;
    }
}

/// The spread between the 5th and 95th percentile of the bytes (a robust contrast figure).
pub(crate) fn contrast(pixels: &[u8]) -> u8 {
    let mut hist = [0u32; 256];
    for &p in pixels {
        hist[usize::from(p)] += 1;
    }
    let total: u32 = hist.iter().sum();
    let percentile = |q: f32| {
        let target = (total as f32 * q) as u32;
        let mut acc = 0;
        for (v, &n) in hist.iter().enumerate() {
            acc += n;
            if acc > target {
                return v as u8;
            }
        }
        255
    };
    percentile(0.95).saturating_sub(percentile(0.05))
}

/// Mean absolute difference between two equally sized byte buffers.
pub fn mean_abs_diff(a: &[u8], b: &[u8]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return f32::INFINITY;
    }
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f32 / a.len() as f32
}

/// Hermite smoothstep of `x` between `e0` and `e1`.
pub(crate) fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Coverage (0..1) of a pixel by an axis-aligned ellipse, antialiased over about one pixel.
/// Coordinates in any unit; `px` is the size of a pixel in that unit.
pub(crate) fn ellipse_cover(u: f32, v: f32, cu: f32, cv: f32, a: f32, b: f32, px: f32) -> f32 {
    let (du, dv) = ((u - cu) / a, (v - cv) / b);
    let q = (du * du + dv * dv).sqrt();
    let dist = (q - 1.0) * a.min(b) / px;
    (0.5 - dist).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn encoders_round_trip() {
        let rgb = vec![128u8; 16 * 8 * 3];
        let jpg = encode_jpeg(&rgb, 16, 8, 90).unwrap();
        assert_eq!(&jpg.bytes[..2], &[0xFF, 0xD8]);
        let png = encode_png_rgb(&rgb, 16, 8).unwrap();
        let back = image::load_from_memory(&png.bytes).unwrap();
        assert_eq!((back.width(), back.height()), (16, 8));
    }

    #[test]
    fn blur_keeps_flat_images_flat_and_smooths_edges() {
        let mut flat = vec![77u8; 20 * 10];
        box_blur(&mut flat, 20, 10, 1, 2);
        assert!(flat.iter().all(|&p| p == 77));
        let mut edge: Vec<u8> = (0..20 * 10)
            .map(|i| if i % 20 < 10 { 0 } else { 250 })
            .collect();
        box_blur(&mut edge, 20, 10, 1, 2);
        assert!(edge[9] > 0 && edge[10] < 250);
    }

    #[test]
    fn contrast_of_two_levels() {
        let px: Vec<u8> = (0..1000)
            .map(|i| if i % 2 == 0 { 10 } else { 210 })
            .collect();
        assert_eq!(contrast(&px), 200);
        assert_eq!(contrast(&[5; 100]), 0);
    }
}
