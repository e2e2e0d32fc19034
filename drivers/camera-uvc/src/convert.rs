//! Raw camera buffers → the hal's RGB8 [`Frame`]: MJPEG, YUYV (YUY2), NV12, RGB24, BGR24 and
//! 8-bit grey. Pure functions over byte slices, so every format is tested with synthetic
//! buffers; nothing here touches a device.
//!
//! YUV is converted with the BT.601 "studio range" matrix (Y 16–235, Cb/Cr 16–240), which is
//! what UVC webcams send. Odd widths and heights are handled the way V4L2 lays them out
//! (chroma for a pixel pair / a 2 × 2 block, rounded up). A buffer shorter than its format and
//! size require is an error, never a partly black frame; a longer one (V4L2 buffers are often
//! padded) is read up to the size the format needs.

use ktpel_hal::Frame;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The pixel formats the driver can take from a camera, in the order it prefers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PixelFormat {
    /// Motion JPEG: every frame a JPEG (the only format that gives 720p and above at 25–30 fps
    /// over USB 2).
    Mjpeg,
    /// Packed 4:2:2, `Y0 U Y1 V` per pixel pair.
    Yuyv,
    /// Planar Y followed by interleaved `U V` at quarter resolution.
    Nv12,
    /// Packed 8-bit R, G, B.
    Rgb24,
    /// Packed 8-bit B, G, R.
    Bgr24,
    /// 8-bit luminance only.
    Gray,
}

impl PixelFormat {
    /// Every format, most preferred first.
    pub const PREFERENCE: [PixelFormat; 6] = [
        PixelFormat::Mjpeg,
        PixelFormat::Yuyv,
        PixelFormat::Nv12,
        PixelFormat::Rgb24,
        PixelFormat::Bgr24,
        PixelFormat::Gray,
    ];

    /// The V4L2 four-character code.
    pub fn fourcc(self) -> &'static str {
        match self {
            PixelFormat::Mjpeg => "MJPG",
            PixelFormat::Yuyv => "YUYV",
            PixelFormat::Nv12 => "NV12",
            PixelFormat::Rgb24 => "RGB3",
            PixelFormat::Bgr24 => "BGR3",
            PixelFormat::Gray => "GREY",
        }
    }

    /// How many bytes one uncompressed `width` × `height` frame takes (`None` for MJPEG, whose
    /// size varies, or when the size overflows).
    pub fn frame_len(self, width: u32, height: u32) -> Option<usize> {
        let (w, h) = (usize::try_from(width).ok()?, usize::try_from(height).ok()?);
        match self {
            PixelFormat::Mjpeg => None,
            PixelFormat::Yuyv => w.div_ceil(2).checked_mul(4)?.checked_mul(h),
            PixelFormat::Nv12 => {
                let luma = w.checked_mul(h)?;
                let chroma = w.div_ceil(2).checked_mul(2)?.checked_mul(h.div_ceil(2))?;
                luma.checked_add(chroma)
            }
            PixelFormat::Rgb24 | PixelFormat::Bgr24 => w.checked_mul(h)?.checked_mul(3),
            PixelFormat::Gray => w.checked_mul(h),
        }
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.fourcc())
    }
}

/// Why a camera buffer could not be turned into a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("frame size {width}x{height} is empty")]
    EmptySize { width: u32, height: u32 },
    #[error("frame size {width}x{height} is too large")]
    TooLarge { width: u32, height: u32 },
    #[error("{format} frame {width}x{height} needs {expected} bytes but the camera sent {got}")]
    Truncated {
        format: PixelFormat,
        width: u32,
        height: u32,
        expected: usize,
        got: usize,
    },
    #[error("MJPEG frame could not be decoded ({got} bytes): {reason}")]
    Jpeg { got: usize, reason: String },
}

/// The largest frame accepted (8K UHD); anything bigger is a corrupt header, not a webcam.
const MAX_SIDE: u32 = 8192;

/// Converts one raw buffer of `format` at `width` × `height` into an RGB8 frame.
///
/// For MJPEG the size comes from the JPEG itself (a camera may send a size other than the one
/// negotiated); `width` and `height` are only checked for the uncompressed formats.
pub fn to_frame(
    format: PixelFormat,
    width: u32,
    height: u32,
    data: &[u8],
) -> Result<Frame, ConvertError> {
    if format == PixelFormat::Mjpeg {
        return mjpeg(data);
    }
    if width == 0 || height == 0 {
        return Err(ConvertError::EmptySize { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ConvertError::TooLarge { width, height });
    }
    let expected = format
        .frame_len(width, height)
        .ok_or(ConvertError::TooLarge { width, height })?;
    if data.len() < expected {
        return Err(ConvertError::Truncated {
            format,
            width,
            height,
            expected,
            got: data.len(),
        });
    }
    let data = &data[..expected];
    let (w, h) = (width as usize, height as usize);
    let rgb = match format {
        PixelFormat::Yuyv => yuyv(data, w, h),
        PixelFormat::Nv12 => nv12(data, w, h),
        PixelFormat::Rgb24 => data.to_vec(),
        PixelFormat::Bgr24 => data
            .chunks_exact(3)
            .flat_map(|p| [p[2], p[1], p[0]])
            .collect(),
        PixelFormat::Gray => data.iter().flat_map(|&g| [g, g, g]).collect(),
        PixelFormat::Mjpeg => Vec::new(), // handled above
    };
    Ok(Frame { width, height, rgb })
}

/// One BT.601 studio-range YCbCr sample → RGB (fixed point, 8 fractional bits).
#[inline]
pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = 298 * (i32::from(y) - 16);
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
    [
        clamp(c + 409 * e),
        clamp(c - 100 * d - 208 * e),
        clamp(c + 516 * d),
    ]
}

fn yuyv(data: &[u8], w: usize, h: usize) -> Vec<u8> {
    let stride = w.div_ceil(2) * 4;
    let mut rgb = Vec::with_capacity(w * h * 3);
    for row in data.chunks_exact(stride).take(h) {
        let mut left = w;
        for q in row.chunks_exact(4) {
            let (y0, u, y1, v) = (q[0], q[1], q[2], q[3]);
            rgb.extend_from_slice(&yuv_to_rgb(y0, u, v));
            left -= 1;
            if left == 0 {
                break; // odd width: the last pair's second pixel is padding
            }
            rgb.extend_from_slice(&yuv_to_rgb(y1, u, v));
            left -= 1;
        }
    }
    rgb
}

fn nv12(data: &[u8], w: usize, h: usize) -> Vec<u8> {
    let (luma, chroma) = data.split_at(w * h);
    let cstride = w.div_ceil(2) * 2;
    let mut rgb = Vec::with_capacity(w * h * 3);
    for (y, row) in luma.chunks_exact(w).enumerate() {
        let crow = &chroma[(y / 2) * cstride..(y / 2 + 1) * cstride];
        for (x, &l) in row.iter().enumerate() {
            let c = (x / 2) * 2;
            rgb.extend_from_slice(&yuv_to_rgb(l, crow[c], crow[c + 1]));
        }
    }
    rgb
}

// The "typical" Huffman tables of ITU-T T.81 Annex K.3 (as in the `image` crate's encoder).
const DC_LUMA_BITS: [u8; 16] = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_CHROMA_BITS: [u8; 16] = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const DC_VALUES: [u8; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_LUMA_BITS: [u8; 16] = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D];
#[rustfmt::skip]
const AC_LUMA_VALUES: [u8; 162] = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
    0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
    0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
    0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
];
const AC_CHROMA_BITS: [u8; 16] = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
#[rustfmt::skip]
const AC_CHROMA_VALUES: [u8; 162] = [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
    0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
    0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5,
    0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3,
    0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
    0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
    0xF9, 0xFA,
];

/// The DHT segment with the four standard tables.
fn standard_dht() -> Vec<u8> {
    let tables: [(u8, &[u8], &[u8]); 4] = [
        (0x00, &DC_LUMA_BITS, &DC_VALUES),
        (0x10, &AC_LUMA_BITS, &AC_LUMA_VALUES),
        (0x01, &DC_CHROMA_BITS, &DC_VALUES),
        (0x11, &AC_CHROMA_BITS, &AC_CHROMA_VALUES),
    ];
    let len: usize = 2 + tables.iter().map(|t| 17 + t.2.len()).sum::<usize>();
    let mut out = vec![0xFF, 0xC4, (len >> 8) as u8, len as u8];
    for (class_id, bits, values) in tables {
        out.push(class_id);
        out.extend_from_slice(bits);
        out.extend_from_slice(values);
    }
    out
}

/// Many UVC cameras send "AVI1"-style MJPEG: JPEGs without Huffman tables, meant to be
/// decoded with the standard ones. When the headers before the scan have no DHT segment,
/// this returns the JPEG with the standard tables inserted before the scan; otherwise (or
/// when the headers cannot be walked) `None`, and the data is decoded as it is.
pub fn with_standard_huffman(data: &[u8]) -> Option<Vec<u8>> {
    let mut i = 2; // after SOI
    loop {
        if *data.get(i)? != 0xFF {
            return None;
        }
        // Fill bytes before a marker.
        while *data.get(i + 1)? == 0xFF {
            i += 1;
        }
        let marker = *data.get(i + 1)?;
        match marker {
            0xDA => break,       // start of scan, no DHT seen
            0xC4 => return None, // the JPEG has its own tables
            0x01 | 0xD0..=0xD7 => {
                // no length
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(*data.get(i + 2)?) << 8 | usize::from(*data.get(i + 3)?);
        if len < 2 {
            return None;
        }
        i += 2 + len;
    }
    let mut out = Vec::with_capacity(data.len() + 420);
    out.extend_from_slice(&data[..i]);
    out.extend_from_slice(&standard_dht());
    out.extend_from_slice(&data[i..]);
    Some(out)
}

fn mjpeg(data: &[u8]) -> Result<Frame, ConvertError> {
    let fail = |reason: String| ConvertError::Jpeg {
        got: data.len(),
        reason,
    };
    if data.len() < 4 || data[0] != 0xFF || data[1] != 0xD8 {
        return Err(fail("no JPEG start-of-image marker".into()));
    }
    let patched = with_standard_huffman(data);
    let data = patched.as_deref().unwrap_or(data);
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(data), image::ImageFormat::Jpeg);
    // A webcam frame is at most a few megapixels; refuse absurd headers before allocating.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| fail(e.to_string()))?;
    let rgb = decoded.into_rgb8();
    let (width, height) = rgb.dimensions();
    if width == 0 || height == 0 {
        return Err(ConvertError::EmptySize { width, height });
    }
    Ok(Frame {
        width,
        height,
        rgb: rgb.into_raw(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Studio-range YCbCr of an sRGB colour (the inverse of `yuv_to_rgb`, in floating point).
    fn rgb_to_yuv([r, g, b]: [u8; 3]) -> [u8; 3] {
        let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
        let y = 16.0 + 0.257 * r + 0.504 * g + 0.098 * b;
        let u = 128.0 - 0.148 * r - 0.291 * g + 0.439 * b;
        let v = 128.0 + 0.439 * r - 0.368 * g - 0.071 * b;
        [y, u, v].map(|c| c.round().clamp(0.0, 255.0) as u8)
    }

    fn close(a: &[u8], b: &[u8], tol: u8) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.abs_diff(*y) <= tol)
    }

    #[test]
    fn bt601_anchors() {
        assert_eq!(yuv_to_rgb(16, 128, 128), [0, 0, 0]);
        assert_eq!(yuv_to_rgb(235, 128, 128), [255, 255, 255]);
        assert_eq!(yuv_to_rgb(126, 128, 128), [128, 128, 128]);
        // Saturated primaries come back within a few levels.
        for c in [[255, 0, 0], [0, 255, 0], [0, 0, 255], [200, 150, 100]] {
            let [y, u, v] = rgb_to_yuv(c);
            assert!(close(&yuv_to_rgb(y, u, v), &c, 3), "{c:?}");
        }
        // Out-of-range chroma clamps rather than wrapping.
        assert_eq!(yuv_to_rgb(255, 255, 255)[0], 255);
        assert_eq!(yuv_to_rgb(0, 0, 0)[0], 0);
    }

    /// A YUYV buffer for an image whose pixel pairs share chroma.
    fn yuyv_of(pixels: &[[u8; 3]], w: usize, h: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for y in 0..h {
            for x in (0..w).step_by(2) {
                let a = rgb_to_yuv(pixels[y * w + x]);
                let b = if x + 1 < w {
                    rgb_to_yuv(pixels[y * w + x + 1])
                } else {
                    [0, a[1], a[2]]
                };
                out.extend_from_slice(&[a[0], a[1], b[0], a[2]]);
            }
        }
        out
    }

    #[test]
    fn yuyv_even_and_odd_widths() {
        for (w, h) in [(4usize, 2usize), (3, 3), (1, 1), (5, 2)] {
            // The two pixels of a pair differ in brightness only, so they share chroma and the
            // round trip is exact up to rounding.
            let pixels: Vec<[u8; 3]> = (0..w * h)
                .map(|i| {
                    let (x, y) = (i % w, i / w);
                    let base = [((y * 7 + x / 2) * 37 % 200) as u8, 90, 160];
                    let bright = if x % 2 == 0 { 0 } else { 20 };
                    [base[0] + bright, base[1] + bright, base[2] + bright]
                })
                .collect();
            let buf = yuyv_of(&pixels, w, h);
            assert_eq!(
                Some(buf.len()),
                PixelFormat::Yuyv.frame_len(w as u32, h as u32)
            );
            let frame = to_frame(PixelFormat::Yuyv, w as u32, h as u32, &buf).unwrap();
            assert_eq!((frame.width, frame.height), (w as u32, h as u32));
            let want: Vec<u8> = pixels.iter().flatten().copied().collect();
            assert!(close(&frame.rgb, &want, 4), "{w}x{h}");
        }
    }

    #[test]
    fn nv12_planes_and_odd_sizes() {
        // 3 × 3: luma 9 bytes, chroma rows of 4 bytes (2 pairs), 2 chroma rows.
        let (w, h) = (3u32, 3u32);
        assert_eq!(PixelFormat::Nv12.frame_len(w, h), Some(9 + 8));
        let red = rgb_to_yuv([220, 30, 30]);
        let blue = rgb_to_yuv([30, 30, 220]);
        let mut buf = vec![red[0]; 9];
        // Column 2 is blue (its own chroma block), rows 0–2.
        for y in 0..3 {
            buf[y * 3 + 2] = blue[0];
        }
        for _ in 0..2 {
            buf.extend_from_slice(&[red[1], red[2], blue[1], blue[2]]);
        }
        let frame = to_frame(PixelFormat::Nv12, w, h, &buf).unwrap();
        for y in 0..3 {
            for x in 0..3 {
                let i = (y * 3 + x) * 3;
                let want = if x == 2 { [30, 30, 220] } else { [220, 30, 30] };
                assert!(close(&frame.rgb[i..i + 3], &want, 4), "({x},{y})");
            }
        }
    }

    #[test]
    fn rgb_bgr_and_grey() {
        let rgb = [1, 2, 3, 4, 5, 6];
        assert_eq!(to_frame(PixelFormat::Rgb24, 2, 1, &rgb).unwrap().rgb, rgb);
        assert_eq!(
            to_frame(PixelFormat::Bgr24, 2, 1, &rgb).unwrap().rgb,
            [3, 2, 1, 6, 5, 4]
        );
        assert_eq!(
            to_frame(PixelFormat::Gray, 2, 1, &[7, 9]).unwrap().rgb,
            [7, 7, 7, 9, 9, 9]
        );
    }

    #[test]
    fn padded_buffers_are_read_to_the_frame_size() {
        let mut buf = vec![10, 20, 30, 40, 50, 60];
        buf.extend_from_slice(&[0xAA; 64]); // driver padding after the image
        let frame = to_frame(PixelFormat::Rgb24, 2, 1, &buf).unwrap();
        assert_eq!(frame.rgb, [10, 20, 30, 40, 50, 60]);
    }

    #[test]
    fn truncated_buffers_are_errors_naming_the_sizes() {
        for format in [
            PixelFormat::Yuyv,
            PixelFormat::Nv12,
            PixelFormat::Rgb24,
            PixelFormat::Bgr24,
            PixelFormat::Gray,
        ] {
            let need = format.frame_len(640, 480).unwrap();
            let err = to_frame(format, 640, 480, &vec![0; need - 1]).unwrap_err();
            assert_eq!(
                err,
                ConvertError::Truncated {
                    format,
                    width: 640,
                    height: 480,
                    expected: need,
                    got: need - 1
                }
            );
            let text = err.to_string();
            assert!(
                text.contains("640x480") && text.contains(&need.to_string()),
                "{text}"
            );
            assert!(to_frame(format, 640, 480, &vec![0; need]).is_ok());
            assert!(to_frame(format, 640, 480, &[]).is_err());
        }
    }

    #[test]
    fn empty_and_absurd_sizes_are_refused() {
        assert_eq!(
            to_frame(PixelFormat::Rgb24, 0, 10, &[]),
            Err(ConvertError::EmptySize {
                width: 0,
                height: 10
            })
        );
        assert!(matches!(
            to_frame(PixelFormat::Yuyv, 100_000, 100_000, &[0; 16]),
            Err(ConvertError::TooLarge { .. })
        ));
    }

    fn jpeg_of(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 128])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn mjpeg_decodes_and_takes_its_own_size() {
        let jpeg = jpeg_of(64, 48);
        // The negotiated size is ignored for MJPEG: the JPEG header is the truth.
        let frame = to_frame(PixelFormat::Mjpeg, 640, 480, &jpeg).unwrap();
        assert_eq!((frame.width, frame.height), (64, 48));
        assert_eq!(frame.rgb.len(), 64 * 48 * 3);
        // The gradient survived: left edge dark red, right edge bright red.
        assert!(frame.rgb[0] < 30 && frame.rgb[(63) * 3] > 220);
        // Odd sizes too.
        let frame = to_frame(PixelFormat::Mjpeg, 0, 0, &jpeg_of(33, 17)).unwrap();
        assert_eq!((frame.width, frame.height), (33, 17));
    }

    /// Many UVC cameras send "AVI1" MJPEG: JPEGs without Huffman tables, relying on the
    /// standard ones (ITU T.81 K.3). The decoder must fill them in.
    #[test]
    fn mjpeg_without_huffman_tables_decodes() {
        let jpeg = jpeg_of(32, 16);
        let mut stripped = Vec::new();
        let mut i = 0;
        let mut removed = 0;
        while i < jpeg.len() {
            if jpeg[i] == 0xFF && jpeg.get(i + 1) == Some(&0xC4) {
                let len = usize::from(jpeg[i + 2]) << 8 | usize::from(jpeg[i + 3]);
                i += 2 + len;
                removed += 1;
                continue;
            }
            if jpeg[i] == 0xFF && jpeg.get(i + 1) == Some(&0xDA) {
                stripped.extend_from_slice(&jpeg[i..]);
                break;
            }
            stripped.push(jpeg[i]);
            i += 1;
        }
        assert!(removed > 0, "the encoder wrote Huffman tables to strip");
        assert!(with_standard_huffman(&stripped).is_some());
        assert!(
            with_standard_huffman(&jpeg).is_none(),
            "tables present: left alone"
        );
        let frame = to_frame(PixelFormat::Mjpeg, 32, 16, &stripped).unwrap();
        let reference = to_frame(PixelFormat::Mjpeg, 32, 16, &jpeg).unwrap();
        // Only equal if the encoder used the standard tables, which `image` does.
        assert!(close(&frame.rgb, &reference.rgb, 2));
    }

    #[test]
    fn the_standard_tables_are_well_formed() {
        for (bits, values) in [
            (&DC_LUMA_BITS[..], &DC_VALUES[..]),
            (&DC_CHROMA_BITS[..], &DC_VALUES[..]),
            (&AC_LUMA_BITS[..], &AC_LUMA_VALUES[..]),
            (&AC_CHROMA_BITS[..], &AC_CHROMA_VALUES[..]),
        ] {
            let count: usize = bits.iter().map(|&b| usize::from(b)).sum();
            assert_eq!(count, values.len());
        }
        let dht = standard_dht();
        assert_eq!(dht.len(), 2 + 418);
        assert_eq!(usize::from(dht[2]) << 8 | usize::from(dht[3]), 418);
    }

    #[test]
    fn broken_mjpeg_is_an_error_not_a_panic() {
        let jpeg = jpeg_of(64, 48);
        for bad in [
            &[][..],
            &[0xFF, 0xD8][..],
            &jpeg[..jpeg.len() / 3],
            &b"not a jpeg at all"[..],
        ] {
            let err = to_frame(PixelFormat::Mjpeg, 64, 48, bad).unwrap_err();
            assert!(matches!(err, ConvertError::Jpeg { .. }), "{err:?}");
        }
    }
}
