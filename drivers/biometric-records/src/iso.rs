//! ISO/IEC 19794-4, -5 and -6 (2011 generation) image records: one representation each, the
//! layout MOSIP's `bio-utils` writes and reads (a 4-byte length before the image data).
//!
//! Offsets, sizes and values are listed field by field in `docs/packet.md` of the booth; the
//! encoders here write exactly those, and the parsers check every one of them.

use crate::wire::{Put, Reader};
use crate::{RecordError, RecordKind};
use ktpel_hal::{Eye, FingerPosition};

pub const FINGER_FORMAT_ID: [u8; 4] = *b"FIR\0";
pub const FINGER_VERSION: [u8; 4] = *b"020\0";
pub const IRIS_FORMAT_ID: [u8; 4] = *b"IIR\0";
pub const IRIS_VERSION: [u8; 4] = *b"020\0";
pub const FACE_FORMAT_ID: [u8; 4] = *b"FAC\0";
pub const FACE_VERSION: [u8; 4] = *b"030\0";

/// Finger and iris general headers are 16 bytes, the face's 17.
pub const FINGER_GENERAL_HEADER_LEN: usize = 16;
pub const IRIS_GENERAL_HEADER_LEN: usize = 16;
pub const FACE_GENERAL_HEADER_LEN: usize = 17;

/// The largest record accepted (a 16 MB image is far beyond any capture the booth makes).
pub const MAX_RECORD_LEN: usize = 16 * 1024 * 1024;

/// The largest image a record may claim: checked when the record is parsed, so before its
/// image is decoded and before anything is allocated for its pixels (a header claiming
/// 65535 × 65535 would otherwise ask the decoder for 4 GB of samples per component).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageBounds {
    pub max_side: u16,
    pub max_pixels: u32,
}

/// Fingers: a single finger at 500 ppi is about 400 × 500 and a four-finger slap at
/// 1000 ppi (3.2 × 3.0 inches, the largest platen FBI Appendix F describes) 3200 × 3000, so
/// 4096 per side and 12 MP leave room for every real scanner.
pub const FINGER_BOUNDS: ImageBounds = ImageBounds {
    max_side: 4096,
    max_pixels: 12_000_000,
};
/// Irises: 19794-6 images are VGA (640 × 480) or cropped from it; 1024 per side and 1 MP
/// leave room for a higher-resolution sensor.
pub const IRIS_BOUNDS: ImageBounds = ImageBounds {
    max_side: 1024,
    max_pixels: 1024 * 1024,
};
/// Faces: the booth's UVC cameras top out at 4K (3840 × 2160) and a DSLR-class SBI face camera
/// at about 16 MP; 8192 per side and 16 MP (48 MB as RGB) cover both.
pub const FACE_BOUNDS: ImageBounds = ImageBounds {
    max_side: 8192,
    max_pixels: 16 * 1024 * 1024,
};

impl ImageBounds {
    /// The bounds of `kind`'s images.
    pub fn of(kind: RecordKind) -> Self {
        match kind {
            RecordKind::Finger => FINGER_BOUNDS,
            RecordKind::Iris => IRIS_BOUNDS,
            RecordKind::Face => FACE_BOUNDS,
        }
    }

    /// `width × height` within the bounds of `kind`, or the error that names all four numbers.
    pub fn check(kind: RecordKind, width: u16, height: u16) -> Result<(), RecordError> {
        let b = Self::of(kind);
        let pixels = u64::from(width) * u64::from(height);
        if width > b.max_side || height > b.max_side || pixels > u64::from(b.max_pixels) {
            return Err(RecordError::ImageTooLarge {
                record: kind,
                width: width.into(),
                height: height.into(),
                max_side: b.max_side.into(),
                max_pixels: b.max_pixels.into(),
            });
        }
        Ok(())
    }
}

/// Quality algorithm vendor and algorithm identifiers written in quality blocks: 0 and 0,
/// "not registered". The score is the capture device's own (SBI or NFIQ-like), 1–100.
pub const QUALITY_VENDOR_UNREGISTERED: u16 = 0;
pub const QUALITY_ALGORITHM_UNREGISTERED: u16 = 0;

/// Capture date and time, UTC (ISO/IEC 19794-1:2011 9-byte form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub millisecond: u16,
}

impl CaptureTime {
    /// From Unix milliseconds.
    pub fn from_unix_ms(ms: i64) -> Result<Self, RecordError> {
        let ts = jiff::Timestamp::from_millisecond(ms).map_err(|_| RecordError::Time(ms))?;
        let dt = ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
        let year = u16::try_from(dt.year()).map_err(|_| RecordError::Time(ms))?;
        Ok(Self {
            year,
            month: dt.month() as u8,
            day: dt.day() as u8,
            hour: dt.hour() as u8,
            minute: dt.minute() as u8,
            second: dt.second() as u8,
            millisecond: (dt.subsec_nanosecond() / 1_000_000) as u16,
        })
    }

    /// To Unix milliseconds; `None` when the fields name no real instant.
    pub fn to_unix_ms(self) -> Option<i64> {
        let year = i16::try_from(self.year).ok()?;
        let dt = jiff::civil::DateTime::new(
            year,
            i8::try_from(self.month).ok()?,
            i8::try_from(self.day).ok()?,
            i8::try_from(self.hour).ok()?,
            i8::try_from(self.minute).ok()?,
            i8::try_from(self.second).ok()?,
            i32::from(self.millisecond) * 1_000_000,
        )
        .ok()?;
        let z = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
        Some(z.timestamp().as_millisecond())
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.u16(self.year);
        out.u8(self.month);
        out.u8(self.day);
        out.u8(self.hour);
        out.u8(self.minute);
        out.u8(self.second);
        out.u16(self.millisecond);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, RecordError> {
        let t = Self {
            year: r.u16("capture year")?,
            month: r.u8("capture month")?,
            day: r.u8("capture day")?,
            hour: r.u8("capture hour")?,
            minute: r.u8("capture minute")?,
            second: r.u8("capture second")?,
            millisecond: r.u16("capture millisecond")?,
        };
        let checks: [(&'static str, u32, u32, u32); 6] = [
            ("capture month", t.month.into(), 1, 12),
            ("capture day", t.day.into(), 1, 31),
            ("capture hour", t.hour.into(), 0, 23),
            ("capture minute", t.minute.into(), 0, 59),
            ("capture second", t.second.into(), 0, 59),
            ("capture millisecond", t.millisecond.into(), 0, 999),
        ];
        for (field, v, lo, hi) in checks {
            if !(lo..=hi).contains(&v) {
                return Err(r.bad(field, v));
            }
        }
        if !(1970..=9999).contains(&t.year) {
            return Err(r.bad("capture year", t.year.into()));
        }
        // The day must exist in its month.
        if t.to_unix_ms().is_none() {
            return Err(r.bad("capture day", t.day.into()));
        }
        Ok(t)
    }
}

fn read_general(
    r: &mut Reader<'_>,
    kind: RecordKind,
    total: usize,
    magic: [u8; 4],
    version: [u8; 4],
) -> Result<(), RecordError> {
    let found = r.array4("format identifier")?;
    if found != magic {
        return Err(RecordError::FormatIdentifier {
            record: kind,
            found,
        });
    }
    let found = r.array4("version number")?;
    if found != version {
        return Err(RecordError::Version {
            record: kind,
            found,
        });
    }
    let declared = r.u32("record length")?;
    if declared as usize != total {
        return Err(RecordError::RecordLength {
            record: kind,
            declared,
            actual: total,
        });
    }
    let representations = r.u16("number of representations")?;
    if representations != 1 {
        return Err(r.bad("number of representations", representations.into()));
    }
    let certification = r.u8("certification flag")?;
    if certification != 0 {
        // Certification blocks are not written by this booth and not read.
        return Err(r.bad("certification flag", certification.into()));
    }
    Ok(())
}

/// The fields every representation header starts with.
struct RepresentationStart {
    captured: CaptureTime,
    quality: Option<u8>,
}

fn write_representation_start(out: &mut Vec<u8>, captured: &CaptureTime, quality: Option<u8>) {
    out.u32(0); // representation length, patched when the representation is complete
    captured.write(out);
    out.u8(0); // capture device technology identifier: unspecified
    out.u16(0); // capture device vendor identifier: unreported
    out.u16(0); // capture device type identifier: unreported
    match quality {
        Some(q) => {
            out.u8(1); // one quality block
            out.u8(q.min(100));
            out.u16(QUALITY_VENDOR_UNREGISTERED);
            out.u16(QUALITY_ALGORITHM_UNREGISTERED);
        }
        None => out.u8(0),
    }
}

/// Reads the representation length (checked against what is left of the record) and the
/// common fields after it; returns the start fields and the end offset of the representation.
fn read_representation_start(
    r: &mut Reader<'_>,
    kind: RecordKind,
) -> Result<(RepresentationStart, usize), RecordError> {
    let start = r.at();
    let declared = r.u32("representation length")?;
    let left = r.remaining() + 4;
    if declared as usize != left {
        return Err(RecordError::RepresentationLength {
            record: kind,
            declared,
            actual: left,
        });
    }
    let captured = CaptureTime::read(r)?;
    let _technology = r.u8("capture device technology identifier")?;
    let _vendor = r.u16("capture device vendor identifier")?;
    let _device_type = r.u16("capture device type identifier")?;
    let blocks = r.u8("number of quality blocks")?;
    let mut quality = None;
    for _ in 0..blocks {
        let score = r.u8("quality score")?;
        let _vendor = r.u16("quality algorithm vendor identifier")?;
        let _algorithm = r.u16("quality algorithm identifier")?;
        if score > 100 && score != 255 {
            return Err(r.bad("quality score", score.into()));
        }
        // 255: the algorithm failed; keep the first real score.
        if quality.is_none() && score <= 100 {
            quality = Some(score);
        }
    }
    Ok((
        RepresentationStart { captured, quality },
        start + declared as usize,
    ))
}

fn write_image_data(out: &mut Vec<u8>, image: &[u8]) -> Result<(), RecordError> {
    let len = u32::try_from(image.len()).map_err(|_| RecordError::TooLarge {
        what: "image data",
        len: image.len(),
        max: MAX_RECORD_LEN,
    })?;
    out.u32(len);
    out.extend_from_slice(image);
    Ok(())
}

/// The image data that ends the representation: its length must be exactly what is left.
fn read_image_data(
    r: &mut Reader<'_>,
    kind: RecordKind,
    end: usize,
) -> Result<Vec<u8>, RecordError> {
    let declared = r.u32("image data length")?;
    let left = end.saturating_sub(r.at());
    if declared as usize != left || declared == 0 {
        return Err(RecordError::ImageDataLength {
            record: kind,
            declared,
            available: left,
        });
    }
    Ok(r.take(left, "image data")?.to_vec())
}

fn finish(mut rep: Vec<u8>, header: Vec<u8>, kind: RecordKind) -> Result<Vec<u8>, RecordError> {
    let rep_len = u32::try_from(rep.len()).map_err(|_| RecordError::TooLarge {
        what: kind.name(),
        len: rep.len(),
        max: MAX_RECORD_LEN,
    })?;
    rep[..4].copy_from_slice(&rep_len.to_be_bytes());
    let total = header.len() + rep.len();
    if total > MAX_RECORD_LEN {
        return Err(RecordError::TooLarge {
            what: kind.name(),
            len: total,
            max: MAX_RECORD_LEN,
        });
    }
    let mut out = header;
    // The record length sits at bytes 8..12 of every general header.
    out[8..12].copy_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&rep);
    Ok(out)
}

fn check_size(kind: RecordKind, total: usize) -> Result<(), RecordError> {
    if total > MAX_RECORD_LEN {
        return Err(RecordError::TooLarge {
            what: kind.name(),
            len: total,
            max: MAX_RECORD_LEN,
        });
    }
    Ok(())
}

fn dimension(r: &mut Reader<'_>, field: &'static str) -> Result<u16, RecordError> {
    let v = r.u16(field)?;
    if v == 0 {
        return Err(r.bad(field, 0));
    }
    Ok(v)
}

// ---- ISO/IEC 19794-4:2011 finger image ------------------------------------------------------

/// Compression algorithm of a finger image (19794-4:2011 table 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FingerCompression {
    Uncompressed = 0,
    UncompressedBitPacked = 1,
    Wsq = 2,
    Jpeg = 3,
    Jpeg2000Lossy = 4,
    Jpeg2000Lossless = 5,
    Png = 6,
}

impl FingerCompression {
    pub fn code(self) -> u8 {
        self as u8
    }
    pub fn from_code(code: u8) -> Option<Self> {
        use FingerCompression::*;
        [
            Uncompressed,
            UncompressedBitPacked,
            Wsq,
            Jpeg,
            Jpeg2000Lossy,
            Jpeg2000Lossless,
            Png,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

/// Scale units: pixels per inch.
pub const SCALE_UNITS_PPI: u8 = 1;
/// Scale units: pixels per centimetre.
pub const SCALE_UNITS_PPCM: u8 = 2;
/// Impression type: live-scan plain.
pub const IMPRESSION_LIVE_SCAN_PLAIN: u8 = 0;

/// One finger image, one representation.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerImageRecord {
    pub captured: CaptureTime,
    /// 0–100; `None` when the record has no quality block (or only failed ones).
    pub quality: Option<u8>,
    pub position: FingerPosition,
    /// Pixels per inch, the same horizontally and vertically, for the device and the image.
    pub ppi: u16,
    pub compression: FingerCompression,
    pub width: u16,
    pub height: u16,
    pub image: Vec<u8>,
}

impl std::fmt::Debug for FingerImageRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FingerImageRecord({:?} {}x{} {:?}, {} bytes)",
            self.position,
            self.width,
            self.height,
            self.compression,
            self.image.len()
        )
    }
}

impl FingerImageRecord {
    pub fn encode(&self) -> Result<Vec<u8>, RecordError> {
        let mut header = Vec::with_capacity(FINGER_GENERAL_HEADER_LEN);
        header.extend_from_slice(&FINGER_FORMAT_ID);
        header.extend_from_slice(&FINGER_VERSION);
        header.u32(0); // record length, patched by `finish`
        header.u16(1); // number of finger representations
        header.u8(0); // certification flag: no certification blocks
        header.u8(1); // number of distinct finger positions

        let mut rep = Vec::with_capacity(self.image.len() + 64);
        write_representation_start(&mut rep, &self.captured, self.quality);
        rep.u8(self.position.iso_code());
        rep.u8(0); // representation number
        rep.u8(SCALE_UNITS_PPI);
        rep.u16(self.ppi); // capture device spatial sampling rate, horizontal
        rep.u16(self.ppi); // vertical
        rep.u16(self.ppi); // image spatial sampling rate, horizontal
        rep.u16(self.ppi); // vertical
        rep.u8(8); // bit depth
        rep.u8(self.compression.code());
        rep.u8(IMPRESSION_LIVE_SCAN_PLAIN);
        rep.u16(self.width); // horizontal line length
        rep.u16(self.height); // vertical line length
        write_image_data(&mut rep, &self.image)?;
        finish(rep, header, RecordKind::Finger)
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, RecordError> {
        const K: RecordKind = RecordKind::Finger;
        check_size(K, bytes.len())?;
        let mut r = Reader::new(bytes, K);
        read_general(&mut r, K, bytes.len(), FINGER_FORMAT_ID, FINGER_VERSION)?;
        let positions = r.u8("number of distinct finger positions")?;
        if positions != 1 {
            return Err(r.bad("number of distinct finger positions", positions.into()));
        }
        let (start, end) = read_representation_start(&mut r, K)?;
        let code = r.u8("finger position")?;
        let position =
            FingerPosition::from_iso_code(code).ok_or(r.bad("finger position", code.into()))?;
        let number = r.u8("representation number")?;
        if number > 15 {
            return Err(r.bad("representation number", number.into()));
        }
        let units = r.u8_in("scale units", &[SCALE_UNITS_PPI, SCALE_UNITS_PPCM])?;
        let mut rates = [0u16; 4];
        for (i, rate) in rates.iter_mut().enumerate() {
            let field = [
                "capture device horizontal sampling rate",
                "capture device vertical sampling rate",
                "image horizontal sampling rate",
                "image vertical sampling rate",
            ][i];
            *rate = r.u16(field)?;
            if *rate == 0 {
                return Err(r.bad(field, 0));
            }
        }
        if rates[3] != rates[2] {
            return Err(r.bad("image vertical sampling rate", rates[3].into()));
        }
        let ppi = match units {
            SCALE_UNITS_PPI => rates[2],
            _ => ((f64::from(rates[2]) * 2.54).round() as u32)
                .try_into()
                .map_err(|_| r.bad("image horizontal sampling rate", rates[2].into()))?,
        };
        let depth = r.u8("bit depth")?;
        if depth != 8 {
            return Err(r.bad("bit depth", depth.into()));
        }
        let code = r.u8("compression algorithm")?;
        let compression = FingerCompression::from_code(code)
            .ok_or(r.bad("compression algorithm", code.into()))?;
        let impression = r.u8("impression type")?;
        if impression > 29 {
            return Err(r.bad("impression type", impression.into()));
        }
        let width = dimension(&mut r, "horizontal line length")?;
        let height = dimension(&mut r, "vertical line length")?;
        ImageBounds::check(K, width, height)?;
        let image = read_image_data(&mut r, K, end)?;
        Ok(Self {
            captured: start.captured,
            quality: start.quality,
            position,
            ppi,
            compression,
            width,
            height,
            image,
        })
    }
}

// ---- ISO/IEC 19794-6:2011 iris image --------------------------------------------------------

/// Image format codes of 19794-6:2011.
pub const IRIS_FORMAT_MONO_RAW: u8 = 0x02;
pub const IRIS_FORMAT_MONO_JPEG2000: u8 = 0x0A;
pub const IRIS_FORMAT_MONO_PNG: u8 = 0x0E;
const IRIS_FORMATS: [u8; 8] = [0x02, 0x04, 0x06, 0x08, 0x0A, 0x0C, 0x0E, 0x10];
/// Image type: VGA (640 × 480, uncropped).
pub const IRIS_IMAGE_TYPE_VGA: u8 = 0x02;
const IRIS_IMAGE_TYPES: [u8; 4] = [0x01, 0x02, 0x03, 0x07];
/// Image properties: orientation "base" horizontally (bits 0–1) and vertically (bits 2–3).
const IRIS_ORIENTATION_BASE: u8 = 0b01 | (0b01 << 2);
/// Compression history (bits 6–7): 1 lossless or none, 2 lossy.
pub const IRIS_COMPRESSION_LOSSLESS: u8 = 1;
pub const IRIS_COMPRESSION_LOSSY: u8 = 2;

/// One iris image, one representation.
#[derive(Clone, PartialEq, Eq)]
pub struct IrisImageRecord {
    pub captured: CaptureTime,
    pub quality: Option<u8>,
    pub eye: Eye,
    pub image_type: u8,
    pub format: u8,
    /// Compression history, 0–2.
    pub compression: u8,
    pub width: u16,
    pub height: u16,
    pub image: Vec<u8>,
}

impl std::fmt::Debug for IrisImageRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "IrisImageRecord({:?} {}x{} format {:#04x}, {} bytes)",
            self.eye,
            self.width,
            self.height,
            self.format,
            self.image.len()
        )
    }
}

pub fn eye_label(eye: Eye) -> u8 {
    match eye {
        Eye::Right => 1,
        Eye::Left => 2,
    }
}

impl IrisImageRecord {
    pub fn encode(&self) -> Result<Vec<u8>, RecordError> {
        let mut header = Vec::with_capacity(IRIS_GENERAL_HEADER_LEN);
        header.extend_from_slice(&IRIS_FORMAT_ID);
        header.extend_from_slice(&IRIS_VERSION);
        header.u32(0);
        header.u16(1); // number of iris representations
        header.u8(0); // certification flag
        header.u8(1); // number of eyes represented

        let mut rep = Vec::with_capacity(self.image.len() + 64);
        write_representation_start(&mut rep, &self.captured, self.quality);
        rep.u16(1); // representation number
        rep.u8(eye_label(self.eye));
        rep.u8(self.image_type);
        rep.u8(self.format);
        rep.u8(IRIS_ORIENTATION_BASE | ((self.compression & 0b11) << 6));
        rep.u16(self.width);
        rep.u16(self.height);
        rep.u8(8); // bit depth
        rep.u16(0); // range: unassigned
        rep.u16(0xFFFF); // roll angle of the eye: undefined
        rep.u16(0xFFFF); // roll angle uncertainty: undefined
        for _ in 0..6 {
            // iris centre smallest/largest x and y, iris diameter smallest/largest: undefined
            rep.u16(0);
        }
        write_image_data(&mut rep, &self.image)?;
        finish(rep, header, RecordKind::Iris)
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, RecordError> {
        const K: RecordKind = RecordKind::Iris;
        check_size(K, bytes.len())?;
        let mut r = Reader::new(bytes, K);
        read_general(&mut r, K, bytes.len(), IRIS_FORMAT_ID, IRIS_VERSION)?;
        let eyes = r.u8("number of eyes represented")?;
        if eyes != 1 {
            return Err(r.bad("number of eyes represented", eyes.into()));
        }
        let (start, end) = read_representation_start(&mut r, K)?;
        r.u16_is("representation number", 1)?;
        let eye = match r.u8("eye label")? {
            1 => Eye::Right,
            2 => Eye::Left,
            v => return Err(r.bad("eye label", v.into())),
        };
        let image_type = r.u8_in("image type", &IRIS_IMAGE_TYPES)?;
        let format = r.u8_in("image format", &IRIS_FORMATS)?;
        let props = r.u8("image properties")?;
        let (h, v, reserved, compression) = (
            props & 0b11,
            (props >> 2) & 0b11,
            (props >> 4) & 0b11,
            props >> 6,
        );
        if h == 3 || v == 3 || reserved != 0 || compression == 3 {
            return Err(r.bad("image properties", props.into()));
        }
        let width = dimension(&mut r, "image width")?;
        let height = dimension(&mut r, "image height")?;
        ImageBounds::check(K, width, height)?;
        let depth = r.u8("bit depth")?;
        if depth != 8 {
            return Err(r.bad("bit depth", depth.into()));
        }
        let _range = r.u16("range")?;
        let _roll = r.u16("roll angle of eye")?;
        let _roll_uncertainty = r.u16("roll angle uncertainty")?;
        for field in [
            "iris centre smallest x",
            "iris centre largest x",
            "iris centre smallest y",
            "iris centre largest y",
            "iris diameter smallest",
            "iris diameter largest",
        ] {
            r.u16(field)?;
        }
        let image = read_image_data(&mut r, K, end)?;
        Ok(Self {
            captured: start.captured,
            quality: start.quality,
            eye,
            image_type,
            format,
            compression,
            width,
            height,
            image,
        })
    }
}

// ---- ISO/IEC 19794-5:2011 face image --------------------------------------------------------

/// Image data type of a face image (19794-5:2011).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaceDataType {
    Jpeg = 0,
    Jpeg2000Lossy = 1,
    Jpeg2000Lossless = 2,
    Png = 3,
}

impl FaceDataType {
    pub fn code(self) -> u8 {
        self as u8
    }
    pub fn from_code(code: u8) -> Option<Self> {
        use FaceDataType::*;
        [Jpeg, Jpeg2000Lossy, Jpeg2000Lossless, Png]
            .into_iter()
            .find(|t| t.code() == code)
    }
}

/// Face image type: full frontal.
pub const FACE_IMAGE_TYPE_FULL_FRONTAL: u8 = 0x01;
const FACE_IMAGE_TYPES: [u8; 7] = [0x00, 0x01, 0x02, 0x03, 0x80, 0x81, 0x82];
/// Colour space: 24-bit RGB.
pub const FACE_COLOUR_SPACE_RGB24: u8 = 0x01;
/// Face capture device technology: static photograph from a digital still camera.
pub const FACE_TECHNOLOGY_DIGITAL_CAMERA: u8 = 0x02;
/// The most landmark points a record may list (each is 8 bytes).
pub const MAX_LANDMARK_POINTS: u16 = 256;

/// One face image, one representation, no landmark points, no 3D data.
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImageRecord {
    pub captured: CaptureTime,
    pub quality: Option<u8>,
    pub data_type: FaceDataType,
    pub width: u16,
    pub height: u16,
    pub image: Vec<u8>,
}

impl std::fmt::Debug for FaceImageRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FaceImageRecord({}x{} {:?}, {} bytes)",
            self.width,
            self.height,
            self.data_type,
            self.image.len()
        )
    }
}

impl FaceImageRecord {
    pub fn encode(&self) -> Result<Vec<u8>, RecordError> {
        let mut header = Vec::with_capacity(FACE_GENERAL_HEADER_LEN);
        header.extend_from_slice(&FACE_FORMAT_ID);
        header.extend_from_slice(&FACE_VERSION);
        header.u32(0);
        header.u16(1); // number of representations
        header.u8(0); // certification flag
        header.u16(0); // temporal semantics: one representation

        let mut rep = Vec::with_capacity(self.image.len() + 64);
        write_representation_start(&mut rep, &self.captured, self.quality);
        // Facial information, 17 bytes.
        rep.u16(0); // number of landmark points
        rep.u8(0); // gender: unspecified
        rep.u8(0); // eye colour: unspecified
        rep.u8(0); // hair colour: unspecified
        rep.u8(0); // subject height: unspecified
        rep.u24(0); // property mask: properties not specified
        rep.u16(0); // expression: unspecified
        rep.extend_from_slice(&[0, 0, 0]); // pose angle yaw, pitch, roll: unspecified
        rep.extend_from_slice(&[0, 0, 0]); // pose angle uncertainties
                                           // Image information, 11 bytes.
        rep.u8(FACE_IMAGE_TYPE_FULL_FRONTAL);
        rep.u8(self.data_type.code());
        rep.u16(self.width);
        rep.u16(self.height);
        rep.u8(0); // spatial sampling rate level: unspecified
        rep.u16(0); // post-acquisition processing: none
        rep.u8(0); // cross reference: basic
        rep.u8(FACE_COLOUR_SPACE_RGB24);
        write_image_data(&mut rep, &self.image)?;
        finish(rep, header, RecordKind::Face)
    }

    pub fn parse(bytes: &[u8]) -> Result<Self, RecordError> {
        const K: RecordKind = RecordKind::Face;
        check_size(K, bytes.len())?;
        let mut r = Reader::new(bytes, K);
        read_general(&mut r, K, bytes.len(), FACE_FORMAT_ID, FACE_VERSION)?;
        r.u16_is("temporal semantics", 0)?;
        let (start, end) = read_representation_start(&mut r, K)?;
        let landmarks = r.u16("number of landmark points")?;
        if landmarks > MAX_LANDMARK_POINTS {
            return Err(r.bad("number of landmark points", landmarks.into()));
        }
        r.u8_in("gender", &[0, 1, 2, 0xFF])?;
        let _eye_colour = r.u8("eye colour")?;
        let _hair_colour = r.u8("hair colour")?;
        let _height = r.u8("subject height")?;
        let _properties = r.u24("property mask")?;
        let _expression = r.u16("expression")?;
        for field in ["pose angle yaw", "pose angle pitch", "pose angle roll"] {
            let v = r.u8(field)?;
            if v > 181 {
                return Err(r.bad(field, v.into()));
            }
        }
        for field in [
            "pose angle uncertainty yaw",
            "pose angle uncertainty pitch",
            "pose angle uncertainty roll",
        ] {
            let v = r.u8(field)?;
            if v > 181 {
                return Err(r.bad(field, v.into()));
            }
        }
        for _ in 0..landmarks {
            // type, code, x, y, z: read to check the length, not kept.
            r.take(8, "landmark point")?;
        }
        r.u8_in("face image type", &FACE_IMAGE_TYPES)?;
        let code = r.u8("image data type")?;
        let data_type =
            FaceDataType::from_code(code).ok_or(r.bad("image data type", code.into()))?;
        let width = dimension(&mut r, "image width")?;
        let height = dimension(&mut r, "image height")?;
        ImageBounds::check(K, width, height)?;
        let level = r.u8("spatial sampling rate level")?;
        if level > 7 {
            return Err(r.bad("spatial sampling rate level", level.into()));
        }
        let _post = r.u16("post-acquisition processing")?;
        let _cross = r.u8("cross reference")?;
        let space = r.u8("image colour space")?;
        if (0x07..0x80).contains(&space) {
            return Err(r.bad("image colour space", space.into()));
        }
        let image = read_image_data(&mut r, K, end)?;
        Ok(Self {
            captured: start.captured,
            quality: start.quality,
            data_type,
            width,
            height,
            image,
        })
    }
}
