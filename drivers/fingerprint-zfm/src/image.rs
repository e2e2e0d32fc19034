//! The uploaded image: 4 bits per pixel, two pixels per byte, high nibble first, rows top to
//! bottom; and this driver's own quality estimate.

use ktpel_hal::{GrayImage, Quality};

/// Unpacks `packed` (two pixels per byte) into an 8-bit image, each level `n` becoming
/// `n × 17` so that 0–15 spans 0–255. `None` when the byte count does not fit the size.
pub fn unpack_4bit(packed: &[u8], width: u32, height: u32) -> Option<GrayImage> {
    let pixels = width as usize * height as usize;
    if packed.len() * 2 != pixels {
        return None;
    }
    let mut out = Vec::with_capacity(pixels);
    for b in packed {
        out.push((b >> 4) * 17);
        out.push((b & 0x0F) * 17);
    }
    GrayImage::new(width, height, out)
}

/// A quality estimate from 1 to 100: how much of the image is ridged skin (16 × 16 blocks
/// whose grey levels vary like ridges and valleys) and how clear those ridges are (their
/// contrast). The bare glass scores 1; a finger pressed flat and well inked scores 60–95.
/// This is no NFIQ 2, but it orders good, poor and missing placements the right way.
pub fn estimate_quality(image: &GrayImage) -> Quality {
    const BLOCK: usize = 16;
    let (w, h) = (image.width as usize, image.height as usize);
    if w < BLOCK || h < BLOCK || image.pixels.len() != w * h {
        return Quality(1);
    }
    let (mut blocks, mut ridged, mut clarity) = (0usize, 0usize, 0f32);
    for by in (0..=h - BLOCK).step_by(BLOCK) {
        for bx in (0..=w - BLOCK).step_by(BLOCK) {
            let (mut sum, mut sq) = (0f32, 0f32);
            for y in by..by + BLOCK {
                for &p in &image.pixels[y * w + bx..y * w + bx + BLOCK] {
                    let p = f32::from(p);
                    sum += p;
                    sq += p * p;
                }
            }
            let n = (BLOCK * BLOCK) as f32;
            let mean = sum / n;
            let sd = (sq / n - mean * mean).max(0.0).sqrt();
            blocks += 1;
            if sd >= 20.0 {
                ridged += 1;
                clarity += (sd / 70.0).min(1.0);
            }
        }
    }
    if ridged == 0 {
        return Quality(1);
    }
    let coverage = (ridged as f32 / blocks as f32 / 0.6).min(1.0);
    let clarity = clarity / ridged as f32;
    let q = 100.0 * (0.5 * coverage + 0.5 * clarity);
    Quality(q.round().clamp(1.0, 100.0) as u8)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn high_nibble_first() {
        let img = unpack_4bit(&[0xF0, 0x1E], 2, 2).unwrap();
        assert_eq!(img.pixels, vec![255, 0, 17, 238]);
        assert!(unpack_4bit(&[0xF0], 2, 2).is_none());
    }

    #[test]
    fn blank_glass_scores_lowest_and_stripes_score_high() {
        let blank = GrayImage::new(64, 64, vec![230; 64 * 64]).unwrap();
        assert_eq!(estimate_quality(&blank), Quality(1));
        let stripes: Vec<u8> = (0..64 * 64)
            .map(|i| if (i % 64) / 4 % 2 == 0 { 30 } else { 220 })
            .collect();
        let q = estimate_quality(&GrayImage::new(64, 64, stripes).unwrap());
        assert!(q.0 >= 90, "{q:?}");
    }
}
