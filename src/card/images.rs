//! The portrait and the signature as the chip stores them: small enough for the 8 KB budget,
//! as good as the budget allows.
//!
//! - Portrait (DG2): cropped to the ICAO 3:4 head-and-shoulders frame, downscaled (Lanczos) to
//!   the largest size of [`PORTRAIT_SIZES`] that still reaches [`PORTRAIT_MIN_QUALITY`] within
//!   the bytes left, then baseline JPEG (4:2:0, optimised Huffman tables) at the highest quality
//!   that fits, found by binary search.
//! - Signature (DG7): cropped to the ink, scaled to fit [`SIGNATURE_MAX_WIDTH`] ×
//!   [`SIGNATURE_MAX_HEIGHT`], thresholded to black and white and stored as a 1-bit grayscale PNG.

use image::imageops::FilterType;
use image::{GrayImage, RgbImage};

/// Portrait sizes tried, largest first (width × height, 3:4).
pub const PORTRAIT_SIZES: [(u32, u32); 4] = [(240, 320), (210, 280), (180, 240), (150, 200)];
/// The lowest JPEG quality accepted before a smaller size is tried.
pub const PORTRAIT_MIN_QUALITY: u8 = 50;
/// The highest quality ever used (above it JPEG grows fast for nothing visible at this size).
pub const PORTRAIT_MAX_QUALITY: u8 = 90;
/// The lowest quality used at the smallest size before giving up.
pub const PORTRAIT_FLOOR_QUALITY: u8 = 20;

pub const SIGNATURE_MAX_WIDTH: u32 = 300;
pub const SIGNATURE_MAX_HEIGHT: u32 = 100;
/// Grey level below which a pixel of the captured signature counts as ink.
const INK_LEVEL: u8 = 160;
/// White border kept around the ink, in output pixels.
const SIGNATURE_MARGIN: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the portrait cannot be decoded: {0}")]
    PortraitUnreadable(String),
    #[error("the portrait is {width}×{height}, too small for the chip (at least 150×200)")]
    PortraitTooSmall { width: u32, height: u32 },
    #[error(
        "the portrait does not fit in {budget} bytes even at {width}×{height}, quality {quality}"
    )]
    PortraitTooLarge {
        budget: usize,
        width: u32,
        height: u32,
        quality: u8,
    },
    #[error("the signature cannot be decoded: {0}")]
    SignatureUnreadable(String),
    #[error("the signature image has no ink")]
    SignatureBlank,
    #[error("image encoding failed: {0}")]
    Encode(String),
}

/// What was chosen for the portrait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortraitChoice {
    pub width: u32,
    pub height: u32,
    pub quality: u8,
    /// Bytes of JPEG.
    pub bytes: usize,
}

/// The portrait JPEG for the chip from the captured portrait `jpeg`, at most `budget` bytes.
pub fn portrait_for_chip(
    jpeg: &[u8],
    budget: usize,
) -> Result<(Vec<u8>, PortraitChoice), ImageError> {
    let img = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg)
        .map_err(|e| ImageError::PortraitUnreadable(e.to_string()))?
        .to_rgb8();
    let framed = frame_3_4(&img)?;
    let last = PORTRAIT_SIZES.len() - 1;
    for (i, &(w, h)) in PORTRAIT_SIZES.iter().enumerate() {
        let small = image::imageops::resize(&framed, w, h, FilterType::Lanczos3);
        let floor = if i == last {
            PORTRAIT_FLOOR_QUALITY
        } else {
            PORTRAIT_MIN_QUALITY
        };
        if let Some((bytes, quality)) = best_quality(&small, budget, floor)? {
            let choice = PortraitChoice {
                width: w,
                height: h,
                quality,
                bytes: bytes.len(),
            };
            return Ok((bytes, choice));
        }
    }
    let (width, height) = PORTRAIT_SIZES[last];
    Err(ImageError::PortraitTooLarge {
        budget,
        width,
        height,
        quality: PORTRAIT_FLOOR_QUALITY,
    })
}

/// The central 3:4 part of `img` (the whole width or the whole height).
fn frame_3_4(img: &RgbImage) -> Result<RgbImage, ImageError> {
    let (w, h) = img.dimensions();
    let (min_w, min_h) = PORTRAIT_SIZES[PORTRAIT_SIZES.len() - 1];
    if w < min_w || h < min_h {
        return Err(ImageError::PortraitTooSmall {
            width: w,
            height: h,
        });
    }
    let (cw, ch) = if w * 4 > h * 3 {
        (h * 3 / 4, h)
    } else {
        (w, w * 4 / 3)
    };
    let (x, y) = ((w - cw) / 2, (h - ch) / 2);
    Ok(image::imageops::crop_imm(img, x, y, cw, ch).to_image())
}

/// Baseline JPEG of `img` at `quality`.
pub fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let (w, h) = img.dimensions();
    let (w, h) = (
        u16::try_from(w).map_err(|_| ImageError::Encode("image too wide".into()))?,
        u16::try_from(h).map_err(|_| ImageError::Encode("image too high".into()))?,
    );
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    enc.set_optimized_huffman_tables(true);
    enc.encode(img.as_raw(), w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

/// The highest quality in `floor..=PORTRAIT_MAX_QUALITY` whose JPEG fits in `budget` bytes,
/// with that JPEG; `None` when even `floor` does not fit.
fn best_quality(
    img: &RgbImage,
    budget: usize,
    floor: u8,
) -> Result<Option<(Vec<u8>, u8)>, ImageError> {
    let at_floor = encode_jpeg(img, floor)?;
    if at_floor.len() > budget {
        return Ok(None);
    }
    // Invariant: `best` (at quality `lo`) fits; qualities above `hi` were not all tried but
    // `hi + 1` did not fit (or is past the maximum).
    let mut best = (at_floor, floor);
    let (mut lo, mut hi) = (floor, PORTRAIT_MAX_QUALITY);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        let bytes = encode_jpeg(img, mid)?;
        if bytes.len() <= budget {
            lo = mid;
            best = (bytes, mid);
        } else {
            hi = mid - 1;
        }
    }
    Ok(Some(best))
}

/// The signature for the chip: a 1-bit PNG of the ink, and its size.
pub fn signature_for_chip(png: &[u8]) -> Result<(Vec<u8>, u32, u32), ImageError> {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .map_err(|e| ImageError::SignatureUnreadable(e.to_string()))?
        .to_luma8();
    let (x0, y0, x1, y1) = ink_box(&img).ok_or(ImageError::SignatureBlank)?;
    let ink = image::imageops::crop_imm(&img, x0, y0, x1 - x0 + 1, y1 - y0 + 1).to_image();
    let (iw, ih) = ink.dimensions();
    let room_w = SIGNATURE_MAX_WIDTH - 2 * SIGNATURE_MARGIN;
    let room_h = SIGNATURE_MAX_HEIGHT - 2 * SIGNATURE_MARGIN;
    // Never enlarge: a small signature stays as drawn.
    let scale = (room_w as f32 / iw as f32)
        .min(room_h as f32 / ih as f32)
        .min(1.0);
    let sw = ((iw as f32 * scale).round() as u32).max(1);
    let sh = ((ih as f32 * scale).round() as u32).max(1);
    // Triangle averages the pixels each output pixel covers; a partly covered pixel darker
    // than INK_LEVEL stays ink, so thin strokes survive the downscale.
    let scaled = image::imageops::resize(&ink, sw, sh, FilterType::Triangle);
    let (w, h) = (sw + 2 * SIGNATURE_MARGIN, sh + 2 * SIGNATURE_MARGIN);
    let mut bits = GrayImage::from_pixel(w, h, image::Luma([255]));
    for (x, y, p) in scaled.enumerate_pixels() {
        if p.0[0] < INK_LEVEL {
            bits.put_pixel(x + SIGNATURE_MARGIN, y + SIGNATURE_MARGIN, image::Luma([0]));
        }
    }
    Ok((encode_png_1bit(&bits)?, w, h))
}

/// The smallest box holding every ink pixel, inclusive.
fn ink_box(img: &GrayImage) -> Option<(u32, u32, u32, u32)> {
    let mut b: Option<(u32, u32, u32, u32)> = None;
    for (x, y, p) in img.enumerate_pixels() {
        if p.0[0] < INK_LEVEL {
            b = Some(match b {
                None => (x, y, x, y),
                Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            });
        }
    }
    b
}

/// `img` (black 0 / white 255) as a 1-bit grayscale PNG.
pub fn encode_png_1bit(img: &GrayImage) -> Result<Vec<u8>, ImageError> {
    let (w, h) = img.dimensions();
    let stride = w.div_ceil(8) as usize;
    let mut packed = vec![0u8; stride * h as usize];
    for (x, y, p) in img.enumerate_pixels() {
        if p.0[0] >= 128 {
            packed[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::One);
        enc.set_compression(png::Compression::High);
        let mut writer = enc
            .write_header()
            .map_err(|e| ImageError::Encode(e.to_string()))?;
        writer
            .write_image_data(&packed)
            .map_err(|e| ImageError::Encode(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| ImageError::Encode(e.to_string()))?;
    }
    Ok(out)
}

/// Width and height of a PNG, read from its header; `None` when it is no PNG.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().ok()?;
    let info = reader.info();
    Some((info.width, info.height))
}

/// Width and height of a JPEG, read from its header; `None` when it is no JPEG.
pub fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    use image::ImageDecoder as _;
    let decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(bytes)).ok()?;
    Some(decoder.dimensions())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn portrait(subject: u64) -> Vec<u8> {
        let rgb = ktpel_sim::camera::portrait_rgb(subject);
        let img = RgbImage::from_raw(480, 640, rgb).unwrap();
        encode_jpeg(&img, 92).unwrap()
    }

    #[test]
    fn the_portrait_fills_the_budget_it_is_given() {
        let jpeg = portrait(3);
        for budget in [3000usize, 4500, 6000] {
            let (bytes, choice) = portrait_for_chip(&jpeg, budget).unwrap();
            assert!(bytes.len() <= budget, "{budget}: {choice:?}");
            assert_eq!(jpeg_size(&bytes), Some((choice.width, choice.height)));
            // One quality step more would not have fitted (or is the ceiling).
            if choice.quality < PORTRAIT_MAX_QUALITY {
                let img = image::load_from_memory(&jpeg).unwrap().to_rgb8();
                let framed = frame_3_4(&img).unwrap();
                let small = image::imageops::resize(
                    &framed,
                    choice.width,
                    choice.height,
                    FilterType::Lanczos3,
                );
                let more = encode_jpeg(&small, choice.quality + 1).unwrap();
                assert!(more.len() > budget || choice.quality + 1 > PORTRAIT_MAX_QUALITY);
            }
        }
        assert!(matches!(
            portrait_for_chip(&jpeg, 300),
            Err(ImageError::PortraitTooLarge { .. })
        ));
        assert!(matches!(
            portrait_for_chip(b"not a jpeg", 5000),
            Err(ImageError::PortraitUnreadable(_))
        ));
    }

    #[test]
    fn the_signature_keeps_its_ink_in_one_bit() {
        let mut img = GrayImage::from_pixel(600, 200, image::Luma([255]));
        for x in 100..500 {
            let y = 100 + ((x as f32 / 20.0).sin() * 40.0) as u32;
            img.put_pixel(x, y, image::Luma([0]));
            img.put_pixel(x, y + 1, image::Luma([0]));
        }
        let mut png_bytes = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut png_bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
        let (bytes, w, h) = signature_for_chip(&png_bytes).unwrap();
        assert!(w <= SIGNATURE_MAX_WIDTH && h <= SIGNATURE_MAX_HEIGHT);
        assert_eq!(png_size(&bytes), Some((w, h)));
        let back = image::load_from_memory(&bytes).unwrap().to_luma8();
        let ink = back.pixels().filter(|p| p.0[0] < 128).count();
        // A 400-pixel-long stroke scaled by 0.74 keeps a connected line of ink.
        assert!(ink > 250, "{ink} ink pixels");
        assert!(bytes.len() < 1500, "{} bytes", bytes.len());

        let blank = GrayImage::from_pixel(60, 20, image::Luma([255]));
        let mut blank_png = Vec::new();
        blank
            .write_to(
                &mut std::io::Cursor::new(&mut blank_png),
                image::ImageFormat::Png,
            )
            .unwrap();
        assert_eq!(
            signature_for_chip(&blank_png),
            Err(ImageError::SignatureBlank)
        );
    }
}
