//! ISO/IEC 19794-2:2005 finger minutiae records (the "FMR" record format).
//!
//! The layout followed here, all multi-byte fields big-endian:
//!
//! | bytes | field |
//! |---|---|
//! | 4 | format identifier `"FMR\0"` |
//! | 4 | version `" 20\0"` |
//! | 4 | length of the whole record |
//! | 2 | capture equipment: compliance (4 bits) + equipment id (12 bits); 0 = not reported |
//! | 2, 2 | image width, height (pixels) |
//! | 2, 2 | horizontal, vertical resolution (pixels per **centimetre**) |
//! | 1 | number of finger views |
//! | 1 | reserved (0) |
//! | per view: 1 | finger position (ISO code 0–10) |
//! | 1 | view number (4 bits) + impression type (4 bits; 0 = live-scan plain) |
//! | 1 | finger quality (0–100) |
//! | 1 | number of minutiae |
//! | per minutia: 2 | type (2 bits: 01 ending, 10 bifurcation, 00 other) + x (14 bits) |
//! | 2 | reserved (2 bits) + y (14 bits) |
//! | 1 | angle in units of 360/256 = 1.40625°, counter-clockwise |
//! | 1 | quality (0–100) |
//! | per view: 2 | extended data block length (0 here) |
//!
//! So a record is `24 + Σ (4 + 6·n + 2)` bytes. Checked against public descriptions: Robert
//! Važan's summary of ISO/IEC 19794-2:2005 written for SourceAFIS
//! (templates.machinezoo.com/iso-19794-2-2005) and his FingerprintIO decoder
//! (`com/machinezoo/fingerprintio/iso19794p2v2005/Iso19794p2v2005Template.java`,
//! `…Fingerprint.java`, `…Minutia.java`: 8-byte magic, 4-byte length ≥ 24, 2 skipped equipment
//! bytes, size, resolution, view count, 1 reserved byte; per view position, skipped view/impression
//! byte, quality, count, minutiae as type≫14 / x&0x3FFF / y / angle / quality, 2-byte extension
//! length), and an independent C codec for "ISO FMR v2.0" (`iso_fmr_v20_decode`: format id
//! 0x464D5200, version 0x20323000, equipment as 4 + 12 bits, view number in the high nibble and
//! impression type in the low nibble, finger and minutia quality ≤ 100). Angles count
//! counter-clockwise from the x axis as in ANSI INCITS 378 / NIST's minutiae conventions.
//!
//! The e-KTP chip holds two fingers of about 0.4 KB each: with one view per record that is
//! `30 + 6·n ≤ 400`, so [`CHIP_MAX_MINUTIAE_PER_VIEW`] = 60 (390 bytes per finger; a record with
//! both index fingers at that limit is 24 + 2 × 366 = 756 bytes).

use crate::{Minutia, MinutiaKind, Template};
use ktpel_hal::FingerPosition;

/// `"FMR\0"`.
pub const FORMAT_ID: [u8; 4] = *b"FMR\0";
/// `" 20\0"`: version 2.0 (ISO/IEC 19794-2:2005).
pub const VERSION: [u8; 4] = *b" 20\0";
/// General record header.
pub const HEADER_LEN: usize = 24;
/// Finger view header.
pub const VIEW_HEADER_LEN: usize = 4;
/// One minutia.
pub const MINUTIA_LEN: usize = 6;
/// The extended data block length field that closes each view.
pub const EXTENDED_LENGTH_LEN: usize = 2;
/// One angle unit, degrees.
pub const ANGLE_UNIT_DEG: f32 = 360.0 / 256.0;
/// The most minutiae per finger that keep one finger's record within ~0.4 KB (390 bytes).
pub const CHIP_MAX_MINUTIAE_PER_VIEW: usize = 60;
/// The count field is one byte.
pub const MAX_MINUTIAE_PER_VIEW: usize = 255;

/// Impression type written: live-scan plain.
const IMPRESSION_LIVE_SCAN_PLAIN: u8 = 0;
/// Highest impression type code ISO/IEC 19794-2:2005 assigns (8 = swipe).
const MAX_IMPRESSION_TYPE: u8 = 8;

/// The length of a record whose views carry these numbers of minutiae.
pub const fn encoded_len(minutiae_per_view: &[usize]) -> usize {
    let mut len = HEADER_LEN;
    let mut i = 0;
    while i < minutiae_per_view.len() {
        len += VIEW_HEADER_LEN + MINUTIA_LEN * minutiae_per_view[i] + EXTENDED_LENGTH_LEN;
        i += 1;
    }
    len
}

/// One finger view: the ISO finger position code (ktpel_hal::FingerPosition::iso_code()) and its template.
#[derive(Debug, Clone, PartialEq)]
pub struct FingerView {
    pub position: FingerPosition,
    pub template: crate::Template,
}

/// Why a record could not be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeError {
    #[error("no finger views to encode")]
    NoViews,
    #[error("{count} finger views; a record holds at most 255")]
    TooManyViews { count: usize },
    #[error("{count} views of finger {position}; a record numbers at most 16 per finger")]
    TooManyViewsOfFinger { position: u8, count: usize },
    #[error(
        "view {view} is {width}×{height} at {ppi} ppi but the record header, from view 0, says \
         {header_width}×{header_height} at {header_ppi} ppi"
    )]
    GeometryMismatch {
        view: usize,
        width: u16,
        height: u16,
        ppi: u16,
        header_width: u16,
        header_height: u16,
        header_ppi: u16,
    },
    #[error("image size {width}×{height} is empty or beyond the 14-bit coordinates (16383)")]
    ImageSizeOutOfRange { width: u16, height: u16 },
    #[error("resolution {ppi} ppi cannot be written as pixels per centimetre")]
    ResolutionOutOfRange { ppi: u16 },
    #[error("view {view}: finger quality {quality} is above 100")]
    FingerQualityOutOfRange { view: usize, quality: u8 },
    #[error("view {view}: a minutia at ({x}, {y}) lies outside the {width}×{height} image")]
    MinutiaOutsideImage {
        view: usize,
        x: u16,
        y: u16,
        width: u16,
        height: u16,
    },
    #[error("view {view}: minutia quality {quality} is above 100")]
    MinutiaQualityOutOfRange { view: usize, quality: u8 },
    #[error("view {view}: a minutia angle is not a finite number")]
    AngleNotFinite { view: usize },
}

/// Why bytes are not a record this decoder accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("record ends at byte {available} while reading the {what} (needs {needed} more)")]
    Truncated {
        what: &'static str,
        needed: usize,
        available: usize,
    },
    #[error("format identifier is {0:02x?}, not \"FMR\\0\"")]
    BadFormatId([u8; 4]),
    #[error("version is {0:02x?}, not \" 20\\0\" (ISO/IEC 19794-2:2005)")]
    UnsupportedVersion([u8; 4]),
    #[error("the header says the record is {declared} bytes long but it is {actual}")]
    LengthMismatch { declared: u32, actual: usize },
    #[error("image size {width}×{height} is empty or beyond the 14-bit coordinates")]
    ImageSizeOutOfRange { width: u16, height: u16 },
    #[error("resolution {x}×{y} pixels/cm: zero, unequal, or beyond 65535 ppi")]
    ResolutionOutOfRange { x: u16, y: u16 },
    #[error("reserved header byte is {0:#04x}, not 0")]
    ReservedByte(u8),
    #[error("record holds no finger views")]
    NoViews,
    #[error("view {view}: finger position code {code} is not a finger (1–10)")]
    FingerPosition { view: usize, code: u8 },
    #[error("view {view}: impression type {code} is not defined")]
    ImpressionType { view: usize, code: u8 },
    #[error("view {view}: finger quality {quality} is above 100")]
    FingerQuality { view: usize, quality: u8 },
    #[error(
        "view {view}, minutia {index}: type code {code} is neither ending (1) nor bifurcation (2)"
    )]
    MinutiaType { view: usize, index: usize, code: u8 },
    #[error("view {view}, minutia {index}: reserved bits of y are set")]
    ReservedBits { view: usize, index: usize },
    #[error("view {view}, minutia {index}: ({x}, {y}) lies outside the {width}×{height} image")]
    MinutiaOutsideImage {
        view: usize,
        index: usize,
        x: u16,
        y: u16,
        width: u16,
        height: u16,
    },
    #[error("view {view}, minutia {index}: quality {quality} is above 100")]
    MinutiaQuality {
        view: usize,
        index: usize,
        quality: u8,
    },
}

/// ISO/IEC 19794-2:2005 finger minutiae record ("FMR\0", " 20\0", header, one view per finger,
/// minutiae in the standard 6-byte form, angle in 1.40625° units, extended data length 0).
/// Keeps at most `max_minutiae_per_view` minutiae per view, the highest-quality ones.
///
/// `max_minutiae_per_view` is capped at 255 (the count is one byte); for the chip use
/// [`CHIP_MAX_MINUTIAE_PER_VIEW`]. Among minutiae of equal quality the ones nearer the centre
/// of mass of the view are kept (the rule of ISO/IEC 19794-2:2011 §9.3.2 for cards). All views
/// must share one image size and resolution (the record header holds only one); views of the
/// same finger are numbered 0, 1, …; the impression type is live-scan plain and the capture
/// equipment is not reported.
pub fn encode(views: &[FingerView], max_minutiae_per_view: usize) -> Result<Vec<u8>, EncodeError> {
    let first = views.first().ok_or(EncodeError::NoViews)?;
    if views.len() > 255 {
        return Err(EncodeError::TooManyViews { count: views.len() });
    }
    let (width, height, ppi) = (
        first.template.width,
        first.template.height,
        first.template.ppi,
    );
    if width == 0 || height == 0 || u32::from(width) > 0x3FFF || u32::from(height) > 0x3FFF {
        return Err(EncodeError::ImageSizeOutOfRange { width, height });
    }
    let ppcm = ppi_to_ppcm(ppi).ok_or(EncodeError::ResolutionOutOfRange { ppi })?;
    let keep = max_minutiae_per_view.min(MAX_MINUTIAE_PER_VIEW);

    let mut chosen: Vec<Vec<&Minutia>> = Vec::with_capacity(views.len());
    for (v, view) in views.iter().enumerate() {
        let t = &view.template;
        if (t.width, t.height, t.ppi) != (width, height, ppi) {
            return Err(EncodeError::GeometryMismatch {
                view: v,
                width: t.width,
                height: t.height,
                ppi: t.ppi,
                header_width: width,
                header_height: height,
                header_ppi: ppi,
            });
        }
        if t.quality > 100 {
            return Err(EncodeError::FingerQualityOutOfRange {
                view: v,
                quality: t.quality,
            });
        }
        for m in &t.minutiae {
            if m.x >= width || m.y >= height {
                return Err(EncodeError::MinutiaOutsideImage {
                    view: v,
                    x: m.x,
                    y: m.y,
                    width,
                    height,
                });
            }
            if m.quality > 100 {
                return Err(EncodeError::MinutiaQualityOutOfRange {
                    view: v,
                    quality: m.quality,
                });
            }
            if !m.angle_deg.is_finite() {
                return Err(EncodeError::AngleNotFinite { view: v });
            }
        }
        chosen.push(best_minutiae(&t.minutiae, keep));
    }

    let counts: Vec<usize> = chosen.iter().map(Vec::len).collect();
    let len = encoded_len(&counts);
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&FORMAT_ID);
    out.extend_from_slice(&VERSION);
    out.extend_from_slice(&(len as u32).to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes()); // capture equipment: not reported
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&ppcm.to_be_bytes());
    out.extend_from_slice(&ppcm.to_be_bytes());
    out.push(views.len() as u8);
    out.push(0); // reserved
    let mut seen = [0usize; 11];
    for (v, (view, minutiae)) in views.iter().zip(&chosen).enumerate() {
        let code = view.position.iso_code();
        let view_number = seen[usize::from(code)];
        if view_number > 15 {
            return Err(EncodeError::TooManyViewsOfFinger {
                position: code,
                count: view_number + 1,
            });
        }
        seen[usize::from(code)] += 1;
        out.push(code);
        out.push(((view_number as u8) << 4) | IMPRESSION_LIVE_SCAN_PLAIN);
        out.push(views[v].template.quality);
        out.push(minutiae.len() as u8);
        for m in minutiae {
            let kind: u16 = match m.kind {
                MinutiaKind::Ending => 0b01,
                MinutiaKind::Bifurcation => 0b10,
            };
            out.extend_from_slice(&((kind << 14) | m.x).to_be_bytes());
            out.extend_from_slice(&m.y.to_be_bytes());
            out.push(angle_to_units(m.angle_deg));
            out.push(m.quality);
        }
        out.extend_from_slice(&0u16.to_be_bytes()); // no extended data
    }
    debug_assert_eq!(out.len(), len);
    Ok(out)
}

/// Reads a record written by [`encode`] or by any ISO/IEC 19794-2:2005 encoder whose minutiae
/// are endings and bifurcations of known fingers. Extended data blocks are skipped.
pub fn decode(bytes: &[u8]) -> Result<Vec<FingerView>, DecodeError> {
    let mut r = Reader { bytes, pos: 0 };
    let format = r.array::<4>("format identifier")?;
    if format != FORMAT_ID {
        return Err(DecodeError::BadFormatId(format));
    }
    let version = r.array::<4>("version")?;
    if version != VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let declared = u32::from_be_bytes(r.array::<4>("record length")?);
    if declared as usize != bytes.len() {
        return Err(DecodeError::LengthMismatch {
            declared,
            actual: bytes.len(),
        });
    }
    let _equipment = r.u16("capture equipment")?;
    let width = r.u16("image width")?;
    let height = r.u16("image height")?;
    if width == 0 || height == 0 || width > 0x3FFF || height > 0x3FFF {
        return Err(DecodeError::ImageSizeOutOfRange { width, height });
    }
    let res_x = r.u16("horizontal resolution")?;
    let res_y = r.u16("vertical resolution")?;
    let ppi = ppcm_to_ppi(res_x)
        .filter(|_| res_x == res_y)
        .ok_or(DecodeError::ResolutionOutOfRange { x: res_x, y: res_y })?;
    let count = usize::from(r.u8("number of views")?);
    let reserved = r.u8("reserved byte")?;
    if reserved != 0 {
        return Err(DecodeError::ReservedByte(reserved));
    }
    if count == 0 {
        return Err(DecodeError::NoViews);
    }
    let mut views = Vec::with_capacity(count);
    for view in 0..count {
        let code = r.u8("finger position")?;
        let position = FingerPosition::from_iso_code(code)
            .ok_or(DecodeError::FingerPosition { view, code })?;
        let impression = r.u8("view number and impression type")? & 0x0F;
        if impression > MAX_IMPRESSION_TYPE {
            return Err(DecodeError::ImpressionType {
                view,
                code: impression,
            });
        }
        let quality = r.u8("finger quality")?;
        if quality > 100 {
            return Err(DecodeError::FingerQuality { view, quality });
        }
        let n = usize::from(r.u8("number of minutiae")?);
        let mut minutiae = Vec::with_capacity(n);
        for index in 0..n {
            let tx = r.u16("minutia type and x")?;
            let ry = r.u16("minutia y")?;
            let angle = r.u8("minutia angle")?;
            let mq = r.u8("minutia quality")?;
            let kind = match tx >> 14 {
                0b01 => MinutiaKind::Ending,
                0b10 => MinutiaKind::Bifurcation,
                code => {
                    return Err(DecodeError::MinutiaType {
                        view,
                        index,
                        code: code as u8,
                    })
                }
            };
            if ry >> 14 != 0 {
                return Err(DecodeError::ReservedBits { view, index });
            }
            let (x, y) = (tx & 0x3FFF, ry);
            if x >= width || y >= height {
                return Err(DecodeError::MinutiaOutsideImage {
                    view,
                    index,
                    x,
                    y,
                    width,
                    height,
                });
            }
            if mq > 100 {
                return Err(DecodeError::MinutiaQuality {
                    view,
                    index,
                    quality: mq,
                });
            }
            minutiae.push(Minutia {
                x,
                y,
                angle_deg: f32::from(angle) * ANGLE_UNIT_DEG,
                kind,
                quality: mq,
            });
        }
        let extended = usize::from(r.u16("extended data length")?);
        r.take(extended, "extended data")?;
        views.push(FingerView {
            position,
            template: Template {
                width,
                height,
                ppi,
                quality,
                minutiae,
            },
        });
    }
    if r.pos != bytes.len() {
        // The declared length matched the buffer, so the views ended early.
        return Err(DecodeError::LengthMismatch {
            declared,
            actual: r.pos,
        });
    }
    Ok(views)
}

/// The `keep` best minutiae: highest quality, then nearest the centre of mass; in their
/// original order.
fn best_minutiae(minutiae: &[Minutia], keep: usize) -> Vec<&Minutia> {
    if minutiae.len() <= keep {
        return minutiae.iter().collect();
    }
    let n = minutiae.len() as f32;
    let cx = minutiae.iter().map(|m| f32::from(m.x)).sum::<f32>() / n;
    let cy = minutiae.iter().map(|m| f32::from(m.y)).sum::<f32>() / n;
    let dist = |m: &Minutia| (f32::from(m.x) - cx).hypot(f32::from(m.y) - cy);
    let mut order: Vec<usize> = (0..minutiae.len()).collect();
    order.sort_by(|&a, &b| {
        let (ma, mb) = (&minutiae[a], &minutiae[b]);
        mb.quality
            .cmp(&ma.quality)
            .then(dist(ma).total_cmp(&dist(mb)))
            .then(a.cmp(&b))
    });
    order.truncate(keep);
    order.sort_unstable();
    order.into_iter().map(|i| &minutiae[i]).collect()
}

/// Degrees → 1.40625° units, rounded, modulo 256.
fn angle_to_units(deg: f32) -> u8 {
    let units = (deg.rem_euclid(360.0) / ANGLE_UNIT_DEG).round();
    (units as u32 % 256) as u8
}

/// Pixels per inch → pixels per centimetre, rounded; `None` for 0.
fn ppi_to_ppcm(ppi: u16) -> Option<u16> {
    let ppcm = (u32::from(ppi) * 100 + 127) / 254;
    (ppcm > 0).then_some(ppcm as u16)
}

/// Pixels per centimetre → pixels per inch, rounded; `None` for 0 or beyond `u16`.
fn ppcm_to_ppi(ppcm: u16) -> Option<u16> {
    let ppi = (u32::from(ppcm) * 254 + 50) / 100;
    (ppcm > 0)
        .then_some(ppi)
        .and_then(|p| u16::try_from(p).ok())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        match end {
            Some(end) => {
                let s = &self.bytes[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(DecodeError::Truncated {
                what,
                needed: n - (self.bytes.len() - self.pos),
                available: self.bytes.len(),
            }),
        }
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array::<2>(what)?))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn minutia(x: u16, y: u16, angle_deg: f32, kind: MinutiaKind, quality: u8) -> Minutia {
        Minutia {
            x,
            y,
            angle_deg,
            kind,
            quality,
        }
    }

    fn view(position: FingerPosition, minutiae: Vec<Minutia>) -> FingerView {
        FingerView {
            position,
            template: Template {
                width: 256,
                height: 288,
                ppi: 500,
                quality: 77,
                minutiae,
            },
        }
    }

    /// A record written by hand from the field table above.
    #[test]
    fn encodes_the_documented_layout_byte_for_byte() {
        let v = view(
            FingerPosition::RightIndex,
            vec![
                minutia(100, 200, 90.0, MinutiaKind::Ending, 60),
                minutia(255, 5, 358.0, MinutiaKind::Bifurcation, 100),
            ],
        );
        let bytes = encode(&[v], 60).unwrap();
        #[rustfmt::skip]
        let expected: Vec<u8> = vec![
            b'F', b'M', b'R', 0, b' ', b'2', b'0', 0,
            0, 0, 0, 42,            // 24 + 4 + 2·6 + 2
            0, 0,                   // equipment not reported
            0x01, 0x00, 0x01, 0x20, // 256 × 288
            0x00, 197, 0x00, 197,   // 500 ppi = 197 px/cm
            1, 0,                   // one view, reserved
            2, 0x00, 77, 2,         // right index, view 0 live-scan plain, quality 77, 2 minutiae
            0x40, 100, 0x00, 200, 64, 60,   // ending (01) x=100, y=200, 90° = 64 units, q 60
            0x80, 0xFF, 0x00, 5, 255, 100,  // bifurcation (10) x=255, y=5, 358° ≈ 255 units
            0, 0,                   // no extended data
        ];
        assert_eq!(bytes, expected);
        assert_eq!(encoded_len(&[2]), 42);
    }

    #[test]
    fn keeps_the_best_minutiae_when_limited() {
        let ms: Vec<Minutia> = (0..10)
            .map(|i| minutia(10 * i, 10, 0.0, MinutiaKind::Ending, (i * 10) as u8))
            .collect();
        let bytes = encode(&[view(FingerPosition::LeftIndex, ms)], 3).unwrap();
        let back = decode(&bytes).unwrap();
        let q: Vec<u8> = back[0]
            .template
            .minutiae
            .iter()
            .map(|m| m.quality)
            .collect();
        assert_eq!(q, vec![70, 80, 90]);
        assert_eq!(bytes.len(), encoded_len(&[3]));
    }

    #[test]
    fn chip_limit_keeps_one_finger_within_0_4_kb() {
        assert_eq!(encoded_len(&[CHIP_MAX_MINUTIAE_PER_VIEW]), 390);
        assert!(encoded_len(&[CHIP_MAX_MINUTIAE_PER_VIEW + 2]) > 400);
        assert_eq!(encoded_len(&[60, 60]), 756);
    }

    #[test]
    fn numbers_repeated_views_of_a_finger() {
        let v = view(FingerPosition::LeftThumb, vec![]);
        let bytes = encode(&[v.clone(), v], 10).unwrap();
        assert_eq!(bytes[24 + 1] >> 4, 0);
        assert_eq!(bytes[24 + 6 + 1] >> 4, 1);
    }

    #[test]
    fn refuses_what_it_cannot_write() {
        assert_eq!(encode(&[], 10), Err(EncodeError::NoViews));
        let mut a = view(FingerPosition::RightIndex, vec![]);
        let b = view(FingerPosition::LeftIndex, vec![]);
        a.template.width = 300;
        assert!(matches!(
            encode(&[a, b.clone()], 10),
            Err(EncodeError::GeometryMismatch { view: 1, .. })
        ));
        let mut c = b.clone();
        c.template
            .minutiae
            .push(minutia(256, 0, 0.0, MinutiaKind::Ending, 50));
        assert!(matches!(
            encode(&[c], 10),
            Err(EncodeError::MinutiaOutsideImage { x: 256, .. })
        ));
        let mut d = b.clone();
        d.template
            .minutiae
            .push(minutia(1, 1, f32::NAN, MinutiaKind::Ending, 50));
        assert_eq!(
            encode(&[d], 10),
            Err(EncodeError::AngleNotFinite { view: 0 })
        );
        let mut e = b;
        e.template.ppi = 0;
        assert_eq!(
            encode(&[e], 10),
            Err(EncodeError::ResolutionOutOfRange { ppi: 0 })
        );
    }

    fn good_record() -> Vec<u8> {
        encode(
            &[view(
                FingerPosition::RightIndex,
                vec![minutia(100, 200, 90.0, MinutiaKind::Ending, 60)],
            )],
            60,
        )
        .unwrap()
    }

    #[test]
    fn decode_names_what_is_wrong() {
        let good = good_record();
        assert_eq!(decode(&good).unwrap().len(), 1);

        let mut b = good.clone();
        b[0] = b'X';
        assert!(matches!(decode(&b), Err(DecodeError::BadFormatId(_))));
        let mut b = good.clone();
        b[5] = b'3';
        assert!(matches!(
            decode(&b),
            Err(DecodeError::UnsupportedVersion(_))
        ));
        let mut b = good.clone();
        b.push(0);
        assert!(matches!(
            decode(&b),
            Err(DecodeError::LengthMismatch {
                declared: 36,
                actual: 37
            })
        ));
        assert!(matches!(
            decode(&good[..10]),
            Err(DecodeError::Truncated {
                what: "record length",
                ..
            })
        ));
        let mut b = good.clone();
        b[24] = 0; // finger position "unknown"
        assert_eq!(
            decode(&b),
            Err(DecodeError::FingerPosition { view: 0, code: 0 })
        );
        let mut b = good.clone();
        b[26] = 101;
        assert_eq!(
            decode(&b),
            Err(DecodeError::FingerQuality {
                view: 0,
                quality: 101
            })
        );
        let mut b = good.clone();
        b[28] |= 0xC0; // minutia type 11
        assert_eq!(
            decode(&b),
            Err(DecodeError::MinutiaType {
                view: 0,
                index: 0,
                code: 3
            })
        );
        let mut b = good.clone();
        b[30] |= 0x40;
        assert_eq!(
            decode(&b),
            Err(DecodeError::ReservedBits { view: 0, index: 0 })
        );
        let mut b = good.clone();
        b[30] = 0x01; // y = 456 > 288
        assert!(matches!(
            decode(&b),
            Err(DecodeError::MinutiaOutsideImage { y: 456, .. })
        ));
        let mut b = good.clone();
        b[33] = 200;
        assert!(matches!(
            decode(&b),
            Err(DecodeError::MinutiaQuality { quality: 200, .. })
        ));
        let mut b = good.clone();
        b[19] = 0; // vertical resolution differs
        assert!(matches!(
            decode(&b),
            Err(DecodeError::ResolutionOutOfRange { .. })
        ));
        let mut b = good;
        b[27] = 2; // claims two minutiae; the record is too short for them
        assert!(matches!(decode(&b), Err(DecodeError::Truncated { .. })));
    }

    #[test]
    fn skips_extended_data() {
        let mut b = good_record();
        // Replace the zero extended length with 3 bytes of data and fix the record length.
        let n = b.len();
        b[n - 1] = 3;
        b.extend_from_slice(&[1, 2, 3]);
        let len = b.len() as u32;
        b[8..12].copy_from_slice(&len.to_be_bytes());
        let views = decode(&b).unwrap();
        assert_eq!(views[0].template.minutiae.len(), 1);
    }

    /// (x, y, angle units, bifurcation?, quality)
    type RawMinutia = (u16, u16, u8, bool, u8);
    /// (finger code, finger quality, minutiae)
    type RawView = (u8, u8, Vec<RawMinutia>);

    fn arb_view() -> impl Strategy<Value = RawView> {
        (
            1u8..=10,
            0u8..=100,
            prop::collection::vec(
                (0u16..256, 0u16..288, any::<u8>(), any::<bool>(), 0u8..=100),
                0..80,
            ),
        )
    }

    proptest! {
        #[test]
        fn decode_never_panics_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn decode_never_panics_on_corrupted_records(
            views in prop::collection::vec(arb_view(), 1..4),
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
            cut in any::<prop::sample::Index>(),
        ) {
            let views = to_views(&views, 256, 288, 500);
            let mut bytes = encode(&views, 255).unwrap();
            for (i, v) in flips {
                let i = i.index(bytes.len());
                bytes[i] = v;
            }
            let _ = decode(&bytes);
            let _ = decode(&bytes[..cut.index(bytes.len())]);
        }

        #[test]
        fn encode_then_decode_round_trips(
            views in prop::collection::vec(arb_view(), 1..4),
            ppcm in 99u16..=394,
        ) {
            let ppi = ppcm_to_ppi(ppcm).unwrap();
            let views = to_views(&views, 256, 288, ppi);
            let bytes = encode(&views, 255).unwrap();
            prop_assert_eq!(bytes.len(), encoded_len(
                &views.iter().map(|v| v.template.minutiae.len()).collect::<Vec<_>>()));
            let back = decode(&bytes).unwrap();
            prop_assert_eq!(&back, &views);
            prop_assert_eq!(encode(&back, 255).unwrap(), bytes);
        }
    }

    fn to_views(raw: &[RawView], width: u16, height: u16, ppi: u16) -> Vec<FingerView> {
        raw.iter()
            .map(|(code, quality, ms)| FingerView {
                position: FingerPosition::from_iso_code(*code).unwrap(),
                template: Template {
                    width,
                    height,
                    ppi,
                    quality: *quality,
                    minutiae: ms
                        .iter()
                        .map(|&(x, y, a, bif, q)| Minutia {
                            x,
                            y,
                            angle_deg: f32::from(a) * ANGLE_UNIT_DEG,
                            kind: if bif {
                                MinutiaKind::Bifurcation
                            } else {
                                MinutiaKind::Ending
                            },
                            quality: q,
                        })
                        .collect(),
                },
            })
            .collect()
    }
}
