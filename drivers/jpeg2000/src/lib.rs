//! JPEG 2000 (ISO/IEC 15444-1) encoding and decoding of 8-bit grey and RGB images with
//! OpenJPEG, the reference open codec, built from the sources `openjpeg-sys` bundles.
//!
//! * [`encode`] takes an [`Image`] and a [`Profile`]: [`Profile::Lossless`] (the reversible
//!   5/3 wavelet, exact) or [`Profile::Field`] (the irreversible 9/7 wavelet at a target
//!   compression ratio), and writes a bare codestream ([`Container::J2k`]) or a JP2 file
//!   ([`Container::Jp2`]).
//! * [`decode`] reads either back to 8-bit pixels, refusing dimensions beyond [`Limits`]
//!   *before* OpenJPEG allocates anything for the pixels.
//!
//! All calls into C live in the private module `opj`, the only place in the workspace where
//! `unsafe` is allowed.

mod opj;

use std::fmt;

/// Largest side accepted by default, in pixels.
pub const DEFAULT_MAX_SIDE: u32 = 8192;
/// Most pixels accepted by default (a 16 MP image: 64 MB of samples per component in OpenJPEG).
pub const DEFAULT_MAX_PIXELS: u64 = 16 * 1024 * 1024;
/// Compression ratios [`Profile::Field`] accepts.
pub const MIN_RATIO: f32 = 1.0;
pub const MAX_RATIO: f32 = 400.0;

/// How the pixels are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Colour {
    /// One 8-bit sample per pixel.
    Grey,
    /// Three 8-bit samples per pixel, R G B, interleaved.
    Rgb,
}

impl Colour {
    pub fn channels(self) -> usize {
        match self {
            Colour::Grey => 1,
            Colour::Rgb => 3,
        }
    }
}

/// An 8-bit image, row-major, `pixels.len() == width * height * colour.channels()`.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub colour: Colour,
    pub pixels: Vec<u8>,
}

// Pixels may be biometric data: debug output shows the shape only.
impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Image({:?} {}x{})", self.colour, self.width, self.height)
    }
}

impl Image {
    pub fn grey(width: u32, height: u32, pixels: Vec<u8>) -> Self {
        Self {
            width,
            height,
            colour: Colour::Grey,
            pixels,
        }
    }

    pub fn rgb(width: u32, height: u32, pixels: Vec<u8>) -> Self {
        Self {
            width,
            height,
            colour: Colour::Rgb,
            pixels,
        }
    }
}

/// How an image is compressed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Profile {
    /// Reversible 5/3 wavelet and reversible colour transform: decoding gives back every pixel.
    Lossless,
    /// Irreversible 9/7 wavelet (and irreversible colour transform for RGB) with rate control
    /// aiming at `ratio`:1 against the raw 8-bit samples.
    Field { ratio: f32 },
}

/// The file form of the compressed image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// A bare codestream (ISO/IEC 15444-1 annex A), starting `FF 4F FF 51`: what ISO/IEC 19794
    /// records carry.
    J2k,
    /// A JP2 file (annex I): the codestream in boxes with a colour specification.
    Jp2,
}

/// The signature box every JP2 file starts with.
pub const JP2_SIGNATURE: [u8; 12] = [
    0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A,
];
/// SOC then SIZ: the first four bytes of every codestream.
pub const J2K_SIGNATURE: [u8; 4] = [0xFF, 0x4F, 0xFF, 0x51];

impl Container {
    /// Which container `bytes` start with, if any.
    pub fn sniff(bytes: &[u8]) -> Option<Container> {
        if bytes.starts_with(&J2K_SIGNATURE) {
            Some(Container::J2k)
        } else if bytes.starts_with(&JP2_SIGNATURE) {
            Some(Container::Jp2)
        } else {
            None
        }
    }
}

/// Bounds on the images [`decode`] and [`encode`] accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_side: u32,
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_side: DEFAULT_MAX_SIDE,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

impl Limits {
    fn check(&self, width: u32, height: u32) -> Result<(), Error> {
        if width == 0 || height == 0 || width > self.max_side || height > self.max_side {
            return Err(Error::Dimensions {
                width,
                height,
                max_side: self.max_side,
            });
        }
        let pixels = u64::from(width) * u64::from(height);
        if pixels > self.max_pixels {
            return Err(Error::TooManyPixels {
                width,
                height,
                max: self.max_pixels,
            });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the image is {width}×{height} pixels; each side must be 1–{max_side}")]
    Dimensions {
        width: u32,
        height: u32,
        max_side: u32,
    },
    #[error("the image is {width}×{height} pixels; at most {max} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, max: u64 },
    #[error("{actual} bytes of samples for a {width}×{height} image of {channels} channel(s); {expected} expected")]
    SampleCount {
        width: u32,
        height: u32,
        channels: usize,
        expected: u64,
        actual: usize,
    },
    #[error("compression ratio {0} is outside {MIN_RATIO}–{MAX_RATIO}")]
    Ratio(String),
    #[error("the data is neither a JPEG 2000 codestream nor a JP2 file")]
    NotJpeg2000,
    #[error("the JPEG 2000 image has {0} components; 1 (grey) or 3 (RGB) are supported")]
    Components(u32),
    #[error("JPEG 2000 component {component}: {what}")]
    Component { component: u32, what: &'static str },
    #[error("OpenJPEG failed to {stage}{}", if .detail.is_empty() { String::new() } else { format!(": {}", .detail) })]
    Codec { stage: &'static str, detail: String },
}

/// Compresses `image` with `profile` into `container`, refusing images beyond the default
/// [`Limits`].
pub fn encode(image: &Image, profile: Profile, container: Container) -> Result<Vec<u8>, Error> {
    encode_with_limits(image, profile, container, Limits::default())
}

pub fn encode_with_limits(
    image: &Image,
    profile: Profile,
    container: Container,
    limits: Limits,
) -> Result<Vec<u8>, Error> {
    let _span = tracing::debug_span!(
        "j2k_encode",
        width = image.width,
        height = image.height,
        ?profile,
        ?container
    )
    .entered();
    limits.check(image.width, image.height)?;
    let channels = image.colour.channels();
    let expected = u64::from(image.width) * u64::from(image.height) * channels as u64;
    if image.pixels.len() as u64 != expected {
        return Err(Error::SampleCount {
            width: image.width,
            height: image.height,
            channels,
            expected,
            actual: image.pixels.len(),
        });
    }
    if let Profile::Field { ratio } = profile {
        if !(MIN_RATIO..=MAX_RATIO).contains(&ratio) {
            return Err(Error::Ratio(ratio.to_string()));
        }
    }
    opj::encode(image, profile, container)
}

/// Decodes a J2K codestream or a JP2 file (told apart by their signatures) into 8-bit pixels,
/// refusing images beyond the default [`Limits`].
pub fn decode(bytes: &[u8]) -> Result<Image, Error> {
    decode_with_limits(bytes, Limits::default())
}

pub fn decode_with_limits(bytes: &[u8], limits: Limits) -> Result<Image, Error> {
    let _span = tracing::debug_span!("j2k_decode", bytes = bytes.len()).entered();
    let container = Container::sniff(bytes).ok_or(Error::NotJpeg2000)?;
    opj::decode(bytes, container, limits)
}

/// Peak signal-to-noise ratio in dB between two sample buffers of the same length (8-bit peak);
/// `f64::INFINITY` when they are equal, `None` when the lengths differ or are zero.
pub fn psnr(a: &[u8], b: &[u8]) -> Option<f64> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let sse: f64 = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| {
            let d = f64::from(x) - f64::from(y);
            d * d
        })
        .sum();
    if sse == 0.0 {
        return Some(f64::INFINITY);
    }
    let mse = sse / a.len() as f64;
    Some(10.0 * (255.0 * 255.0 / mse).log10())
}

/// The number of wavelet resolution levels for an image: OpenJPEG's default of 6, fewer for
/// images too small to be halved five times.
fn resolutions(width: u32, height: u32) -> i32 {
    let min_side = width.min(height).max(1);
    let fits = 32 - min_side.leading_zeros(); // floor(log2) + 1
    fits.clamp(1, 6) as i32
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn resolutions_shrink_for_small_images() {
        assert_eq!(resolutions(1, 1), 1);
        assert_eq!(resolutions(2, 100), 2);
        assert_eq!(resolutions(31, 40), 5);
        assert_eq!(resolutions(32, 40), 6);
        assert_eq!(resolutions(640, 480), 6);
    }

    #[test]
    fn psnr_of_equal_and_unequal() {
        assert_eq!(psnr(&[1, 2], &[1, 2]), Some(f64::INFINITY));
        assert_eq!(psnr(&[1], &[1, 2]), None);
        let p = psnr(&[0, 0], &[0, 255]).unwrap_or(0.0);
        assert!((p - 3.0103).abs() < 1e-3, "{p}");
    }
}
