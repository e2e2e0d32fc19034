//! The ISO/IEC 19794 biometric data interchange records SBI devices put in `bioValue`:
//! 19794-4:2011 (finger image, "FIR"), 19794-6:2011 (iris image, "IIR") and 19794-5:2011
//! (face image, "FAC").
//!
//! What this follows: the 2011 general headers and representation headers field for field,
//! with the byte layout MOSIP's own `bio-utils` (`FingerBDIR`, `IrisBDIR`, `FaceBDIR`) writes
//! and reads — in particular the 4-byte image length before the image data of all three,
//! which is how MOSIP's device services encode records. One representation per record (SBI
//! sends one record per finger or eye). Quality blocks carry the device's score; certification
//! blocks are not written (certification flag 0) and are skipped when a record has them.
//!
//! What it leaves out: extended data blocks, segmentation and annotation blocks (finger),
//! landmark points (written as none, skipped when present) and 3D face data. The embedded
//! image is PNG (finger compression code 6, iris "mono PNG" 0x0E) or JPEG (face image data
//! type 0); a decoder is also given raw 8-bit images and JPEG 2000 (codestream or JP2 box,
//! lossless or lossy: what MOSIP recommends production devices send), through the pure-Rust
//! `hayro-jpeg2000`. WSQ is recognised and refused with a clear error: no maintained
//! pure-Rust WSQ decoder exists, and MOSIP's devices send JPEG 2000.

use ktpel_hal::{Eye, FingerPosition, GrayImage};

/// Why a record could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsoError {
    #[error("the {what} record ends early (needs {need} bytes at offset {at}, has {len})")]
    TooShort {
        what: &'static str,
        at: usize,
        need: usize,
        len: usize,
    },
    #[error("not an ISO/IEC {standard} record (format identifier {found:?})")]
    Magic {
        standard: &'static str,
        found: String,
    },
    #[error("the {what} record says {declared} bytes but has {actual}")]
    Length {
        what: &'static str,
        declared: u64,
        actual: u64,
    },
    #[error("the {what} record holds no representation")]
    NoRepresentation { what: &'static str },
    #[error("the {what} image is {encoding}, which this booth cannot decode")]
    Unsupported {
        what: &'static str,
        encoding: &'static str,
    },
    #[error("the embedded {what} image cannot be decoded: {reason}")]
    Image { what: &'static str, reason: String },
    #[error("the {what} record claims a {width}x{height} image; at most {max_side} per side and {max_pixels} pixels are accepted")]
    TooLarge {
        what: &'static str,
        width: u16,
        height: u16,
        max_side: u16,
        max_pixels: u32,
    },
}

/// The largest image a record may claim (the bounds `ktpel-biometric-records` documents for
/// the booth's own records, for the same devices): checked when the record is decoded, before
/// its image is, and handed to the image decoders as their limits.
/// Fingers: a four-finger slap at 1000 ppi is 3200 × 3000.
pub const FINGER_MAX: (u16, u32) = (4096, 12_000_000);
/// Irises: VGA (640 × 480), with room for a higher-resolution sensor.
pub const IRIS_MAX: (u16, u32) = (1024, 1024 * 1024);
/// Faces: 4K UVC cameras and 16 MP face cameras.
pub const FACE_MAX: (u16, u32) = (8192, 16 * 1024 * 1024);

fn check_size(
    what: &'static str,
    (max_side, max_pixels): (u16, u32),
    width: u16,
    height: u16,
) -> Result<(), IsoError> {
    if width > max_side
        || height > max_side
        || u64::from(width) * u64::from(height) > u64::from(max_pixels)
    {
        return Err(IsoError::TooLarge {
            what,
            width,
            height,
            max_side,
            max_pixels,
        });
    }
    Ok(())
}

/// An embedded PNG or JPEG decoded with its record's size as the decoder's limits: a picture
/// whose own header claims more is refused before its pixels are allocated.
fn load_bounded(
    bytes: &[u8],
    width: u16,
    height: u16,
    what: &'static str,
) -> Result<image::DynamicImage, IsoError> {
    let bad = |reason: String| IsoError::Image { what, reason };
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| bad(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width.into());
    limits.max_image_height = Some(height.into());
    // RGBA at 16 bits per sample: the most any decoder asks for per pixel.
    limits.max_alloc = Some(u64::from(width) * u64::from(height) * 8 + 64 * 1024);
    reader.limits(limits);
    reader.decode().map_err(|e| bad(e.to_string()))
}

/// Capture date and time of a representation (UTC, ISO/IEC 19794-1:2011).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
    /// Now, in UTC.
    pub fn now() -> Self {
        let dt = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .datetime();
        Self {
            year: u16::try_from(dt.year()).unwrap_or(0),
            month: u8::try_from(dt.month()).unwrap_or(0),
            day: u8::try_from(dt.day()).unwrap_or(0),
            hour: u8::try_from(dt.hour()).unwrap_or(0),
            minute: u8::try_from(dt.minute()).unwrap_or(0),
            second: u8::try_from(dt.second()).unwrap_or(0),
            millisecond: u16::try_from(dt.millisecond()).unwrap_or(0),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.year.to_be_bytes());
        out.extend_from_slice(&[self.month, self.day, self.hour, self.minute, self.second]);
        out.extend_from_slice(&self.millisecond.to_be_bytes());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, IsoError> {
        Ok(Self {
            year: r.u16()?,
            month: r.u8()?,
            day: r.u8()?,
            hour: r.u8()?,
            minute: r.u8()?,
            second: r.u8()?,
            millisecond: r.u16()?,
        })
    }
}

/// How a finger image is compressed (ISO/IEC 19794-4:2011 table 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FingerCompression {
    Raw,
    RawBitPacked,
    Wsq,
    Jpeg,
    Jpeg2000Lossy,
    Jpeg2000Lossless,
    Png,
    Other(u8),
}

impl FingerCompression {
    pub fn code(self) -> u8 {
        match self {
            FingerCompression::Raw => 0,
            FingerCompression::RawBitPacked => 1,
            FingerCompression::Wsq => 2,
            FingerCompression::Jpeg => 3,
            FingerCompression::Jpeg2000Lossy => 4,
            FingerCompression::Jpeg2000Lossless => 5,
            FingerCompression::Png => 6,
            FingerCompression::Other(c) => c,
        }
    }

    pub fn from_code(code: u8) -> Self {
        match code {
            0 => FingerCompression::Raw,
            1 => FingerCompression::RawBitPacked,
            2 => FingerCompression::Wsq,
            3 => FingerCompression::Jpeg,
            4 => FingerCompression::Jpeg2000Lossy,
            5 => FingerCompression::Jpeg2000Lossless,
            6 => FingerCompression::Png,
            c => FingerCompression::Other(c),
        }
    }
}

/// One finger image record (one representation).
#[derive(Clone, PartialEq, Eq)]
pub struct FingerImageRecord {
    pub captured: CaptureTime,
    /// `None` for finger position 0 ("unknown finger") or a slap code.
    pub position: Option<FingerPosition>,
    /// The quality block's score (0–100), if the record has one.
    pub quality: Option<u8>,
    /// Image sampling rate in pixels per inch.
    pub ppi: u16,
    pub width: u16,
    pub height: u16,
    pub bit_depth: u8,
    pub compression: FingerCompression,
    pub image: Vec<u8>,
}

impl std::fmt::Debug for FingerImageRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FingerImageRecord")
            .field("position", &self.position)
            .field("quality", &self.quality)
            .field("size", &(self.width, self.height))
            .field("compression", &self.compression)
            .field("image_bytes", &self.image.len())
            .finish()
    }
}

const FINGER_GENERAL_HEADER: usize = 16;
const IRIS_GENERAL_HEADER: usize = 16;
const FACE_GENERAL_HEADER: usize = 17;

impl FingerImageRecord {
    /// The record's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut rep = Vec::with_capacity(self.image.len() + 64);
        rep.extend_from_slice(&[0; 4]); // representation length, filled in below
        self.captured.write(&mut rep);
        rep.push(0); // capture device technology: unspecified
        rep.extend_from_slice(&0u16.to_be_bytes()); // vendor id
        rep.extend_from_slice(&0u16.to_be_bytes()); // device type id
        write_quality(&mut rep, self.quality);
        rep.push(self.position.map_or(0, FingerPosition::iso_code));
        rep.push(0); // representation number
        rep.push(1); // scale units: pixels per inch
        for _ in 0..4 {
            // capture device and image sampling rates, horizontal and vertical
            rep.extend_from_slice(&self.ppi.to_be_bytes());
        }
        rep.push(self.bit_depth);
        rep.push(self.compression.code());
        rep.push(0); // impression type: live-scan plain
        rep.extend_from_slice(&self.width.to_be_bytes());
        rep.extend_from_slice(&self.height.to_be_bytes());
        write_image(&mut rep, &self.image);
        patch_len(&mut rep, 0);

        let mut out = Vec::with_capacity(FINGER_GENERAL_HEADER + rep.len());
        out.extend_from_slice(b"FIR\0");
        out.extend_from_slice(b"020\0");
        out.extend_from_slice(&len32(FINGER_GENERAL_HEADER + rep.len()));
        out.extend_from_slice(&1u16.to_be_bytes()); // representations
        out.push(0); // certification flag
        out.push(1); // distinct finger positions
        out.extend_from_slice(&rep);
        out
    }

    /// Reads the first representation of a record.
    pub fn decode(bytes: &[u8]) -> Result<Self, IsoError> {
        const WHAT: &str = "finger image";
        let mut r = Reader::new(bytes, WHAT);
        expect_magic(&mut r, b"FIR\0", "19794-4 finger image")?;
        let _version = r.take(4)?;
        check_total(&mut r, bytes.len())?;
        let representations = r.u16()?;
        let certification = r.u8()?;
        let _positions = r.u8()?;
        if representations == 0 {
            return Err(IsoError::NoRepresentation { what: WHAT });
        }
        let rep_start = r.at;
        let rep_len = r.u32()? as usize;
        let captured = CaptureTime::read(&mut r)?;
        r.take(5)?; // technology, vendor, device type
        let quality = read_quality(&mut r)?;
        if certification != 0 {
            let n = usize::from(r.u8()?);
            r.take(n * 3)?;
        }
        let position = FingerPosition::from_iso_code(r.u8()?);
        let _representation_number = r.u8()?;
        let _scale_units = r.u8()?;
        r.take(4)?; // the capture device's horizontal and vertical sampling rates
        let ppi = r.u16()?; // the image's horizontal sampling rate
        r.take(2)?; // the image's vertical sampling rate
        let bit_depth = r.u8()?;
        let compression = FingerCompression::from_code(r.u8()?);
        let _impression = r.u8()?;
        let width = r.u16()?;
        let height = r.u16()?;
        check_size(WHAT, FINGER_MAX, width, height)?;
        let image = read_image(&mut r, rep_start, rep_len)?;
        Ok(Self {
            captured,
            position,
            quality,
            ppi,
            width,
            height,
            bit_depth,
            compression,
            image,
        })
    }

    /// The image as 8-bit grey pixels.
    pub fn to_gray(&self) -> Result<GrayImage, IsoError> {
        const WHAT: &str = "finger";
        match self.compression {
            FingerCompression::Png | FingerCompression::Jpeg => {
                decode_gray(&self.image, self.width, self.height, WHAT)
            }
            FingerCompression::Raw if self.bit_depth == 8 => {
                raw_gray(self.image.clone(), self.width, self.height, WHAT)
            }
            FingerCompression::Raw | FingerCompression::RawBitPacked => {
                Err(IsoError::Unsupported {
                    what: WHAT,
                    encoding: "raw at a bit depth other than 8",
                })
            }
            FingerCompression::Wsq => Err(IsoError::Unsupported {
                what: WHAT,
                encoding: "WSQ",
            }),
            FingerCompression::Jpeg2000Lossy | FingerCompression::Jpeg2000Lossless => {
                jpeg2000_gray(&self.image, self.width, self.height, WHAT)
            }
            FingerCompression::Other(_) => Err(IsoError::Unsupported {
                what: WHAT,
                encoding: "an unknown compression",
            }),
        }
    }
}

/// The encoding of an iris image (ISO/IEC 19794-6:2011 table 4, "image format").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IrisFormat {
    MonoRaw,
    MonoJpeg,
    MonoJpeg2000,
    MonoPng,
    Other(u8),
}

impl IrisFormat {
    pub fn code(self) -> u8 {
        match self {
            IrisFormat::MonoRaw => 0x02,
            IrisFormat::MonoJpeg => 0x06,
            IrisFormat::MonoJpeg2000 => 0x0A,
            IrisFormat::MonoPng => 0x0E,
            IrisFormat::Other(c) => c,
        }
    }

    pub fn from_code(code: u8) -> Self {
        match code {
            0x02 => IrisFormat::MonoRaw,
            0x06 => IrisFormat::MonoJpeg,
            0x0A => IrisFormat::MonoJpeg2000,
            0x0E => IrisFormat::MonoPng,
            c => IrisFormat::Other(c),
        }
    }
}

/// One iris image record (one representation).
#[derive(Clone, PartialEq, Eq)]
pub struct IrisImageRecord {
    pub captured: CaptureTime,
    pub eye: Option<Eye>,
    pub quality: Option<u8>,
    /// 0x02 = VGA 640 × 480 ("K3", what MOSIP asks registration devices for).
    pub image_type: u8,
    pub format: IrisFormat,
    pub width: u16,
    pub height: u16,
    pub image: Vec<u8>,
}

impl std::fmt::Debug for IrisImageRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IrisImageRecord")
            .field("eye", &self.eye)
            .field("quality", &self.quality)
            .field("size", &(self.width, self.height))
            .field("format", &self.format)
            .field("image_bytes", &self.image.len())
            .finish()
    }
}

/// ISO/IEC 19794-6:2011 image type "VGA" (K3).
pub const IRIS_IMAGE_TYPE_VGA: u8 = 0x02;

impl IrisImageRecord {
    pub fn encode(&self) -> Vec<u8> {
        let mut rep = Vec::with_capacity(self.image.len() + 64);
        rep.extend_from_slice(&[0; 4]);
        self.captured.write(&mut rep);
        rep.push(0); // technology: unspecified
        rep.extend_from_slice(&0u16.to_be_bytes()); // vendor
        rep.extend_from_slice(&0u16.to_be_bytes()); // device type
        write_quality(&mut rep, self.quality);
        rep.extend_from_slice(&1u16.to_be_bytes()); // representation number
                                                    // Image information (27 bytes).
        rep.push(match self.eye {
            None => 0,
            Some(Eye::Right) => 1,
            Some(Eye::Left) => 2,
        });
        rep.push(self.image_type);
        rep.push(self.format.code());
        // Orientation base (1) both ways, compression history "lossless or none" (1).
        rep.push(0b01 | (0b01 << 2) | (0b01 << 6));
        rep.extend_from_slice(&self.width.to_be_bytes());
        rep.extend_from_slice(&self.height.to_be_bytes());
        rep.push(8); // bit depth
        rep.extend_from_slice(&0u16.to_be_bytes()); // range: unassigned
        rep.extend_from_slice(&0xFFFFu16.to_be_bytes()); // roll angle: undefined
        rep.extend_from_slice(&0xFFFFu16.to_be_bytes()); // roll uncertainty: undefined
        for _ in 0..6 {
            // iris centre x/y range and diameter range: unassigned
            rep.extend_from_slice(&0u16.to_be_bytes());
        }
        write_image(&mut rep, &self.image);
        patch_len(&mut rep, 0);

        let mut out = Vec::with_capacity(IRIS_GENERAL_HEADER + rep.len());
        out.extend_from_slice(b"IIR\0");
        out.extend_from_slice(b"020\0");
        out.extend_from_slice(&len32(IRIS_GENERAL_HEADER + rep.len()));
        out.extend_from_slice(&1u16.to_be_bytes());
        out.push(0); // certification flag
        out.push(1); // eyes represented
        out.extend_from_slice(&rep);
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, IsoError> {
        const WHAT: &str = "iris image";
        let mut r = Reader::new(bytes, WHAT);
        expect_magic(&mut r, b"IIR\0", "19794-6 iris image")?;
        let _version = r.take(4)?;
        check_total(&mut r, bytes.len())?;
        let representations = r.u16()?;
        let _certification = r.u8()?;
        let _eyes = r.u8()?;
        if representations == 0 {
            return Err(IsoError::NoRepresentation { what: WHAT });
        }
        let rep_start = r.at;
        let rep_len = r.u32()? as usize;
        let captured = CaptureTime::read(&mut r)?;
        r.take(5)?;
        let quality = read_quality(&mut r)?;
        let _representation_number = r.u16()?;
        let eye = match r.u8()? {
            1 => Some(Eye::Right),
            2 => Some(Eye::Left),
            _ => None,
        };
        let image_type = r.u8()?;
        let format = IrisFormat::from_code(r.u8()?);
        let _properties = r.u8()?;
        let width = r.u16()?;
        let height = r.u16()?;
        check_size(WHAT, IRIS_MAX, width, height)?;
        r.take(1 + 2 + 2 + 2 + 12)?; // bit depth, range, roll, roll uncertainty, centre, diameter
        let image = read_image(&mut r, rep_start, rep_len)?;
        Ok(Self {
            captured,
            eye,
            quality,
            image_type,
            format,
            width,
            height,
            image,
        })
    }

    pub fn to_gray(&self) -> Result<GrayImage, IsoError> {
        const WHAT: &str = "iris";
        match self.format {
            IrisFormat::MonoPng | IrisFormat::MonoJpeg => {
                decode_gray(&self.image, self.width, self.height, WHAT)
            }
            IrisFormat::MonoRaw => raw_gray(self.image.clone(), self.width, self.height, WHAT),
            IrisFormat::MonoJpeg2000 => jpeg2000_gray(&self.image, self.width, self.height, WHAT),
            IrisFormat::Other(_) => Err(IsoError::Unsupported {
                what: WHAT,
                encoding: "a colour or unknown image format",
            }),
        }
    }
}

/// The encoding of a face image (ISO/IEC 19794-5:2011, "image data type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaceDataType {
    Jpeg,
    Jpeg2000Lossy,
    Jpeg2000Lossless,
    Png,
    Other(u8),
}

impl FaceDataType {
    pub fn code(self) -> u8 {
        match self {
            FaceDataType::Jpeg => 0,
            FaceDataType::Jpeg2000Lossy => 1,
            FaceDataType::Jpeg2000Lossless => 2,
            FaceDataType::Png => 3,
            FaceDataType::Other(c) => c,
        }
    }

    pub fn from_code(code: u8) -> Self {
        match code {
            0 => FaceDataType::Jpeg,
            1 => FaceDataType::Jpeg2000Lossy,
            2 => FaceDataType::Jpeg2000Lossless,
            3 => FaceDataType::Png,
            c => FaceDataType::Other(c),
        }
    }
}

/// One face image record (one representation).
#[derive(Clone, PartialEq, Eq)]
pub struct FaceImageRecord {
    pub captured: CaptureTime,
    pub quality: Option<u8>,
    /// 0x01 = full frontal.
    pub face_image_type: u8,
    pub data_type: FaceDataType,
    pub width: u16,
    pub height: u16,
    pub image: Vec<u8>,
}

impl std::fmt::Debug for FaceImageRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceImageRecord")
            .field("quality", &self.quality)
            .field("size", &(self.width, self.height))
            .field("data_type", &self.data_type)
            .field("image_bytes", &self.image.len())
            .finish()
    }
}

/// ISO/IEC 19794-5:2011 face image type "full frontal".
pub const FACE_IMAGE_TYPE_FULL_FRONTAL: u8 = 0x01;

impl FaceImageRecord {
    pub fn encode(&self) -> Vec<u8> {
        let mut rep = Vec::with_capacity(self.image.len() + 64);
        rep.extend_from_slice(&[0; 4]);
        self.captured.write(&mut rep);
        rep.push(0);
        rep.extend_from_slice(&0u16.to_be_bytes());
        rep.extend_from_slice(&0u16.to_be_bytes());
        write_quality(&mut rep, self.quality);
        // Facial information (17 bytes): no landmark points, everything unspecified, pose
        // angles and their uncertainties unspecified.
        rep.extend_from_slice(&0u16.to_be_bytes()); // landmark points
        rep.extend_from_slice(&[0, 0, 0, 0]); // gender, eye colour, hair colour, height
        rep.extend_from_slice(&[0, 0, 0]); // property mask
        rep.extend_from_slice(&0u16.to_be_bytes()); // expression
        rep.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // pose angles and uncertainties
                                                    // Image information (11 bytes).
        rep.push(self.face_image_type);
        rep.push(self.data_type.code());
        rep.extend_from_slice(&self.width.to_be_bytes());
        rep.extend_from_slice(&self.height.to_be_bytes());
        rep.push(0); // spatial sampling rate level: unspecified
        rep.extend_from_slice(&0u16.to_be_bytes()); // post-acquisition processing: none
        rep.push(0); // cross reference: basic
        rep.push(1); // colour space: 24-bit RGB
        write_image(&mut rep, &self.image);
        patch_len(&mut rep, 0);

        let mut out = Vec::with_capacity(FACE_GENERAL_HEADER + rep.len());
        out.extend_from_slice(b"FAC\0");
        out.extend_from_slice(b"030\0");
        out.extend_from_slice(&len32(FACE_GENERAL_HEADER + rep.len()));
        out.extend_from_slice(&1u16.to_be_bytes());
        out.push(0); // certification flag
        out.extend_from_slice(&0u16.to_be_bytes()); // temporal semantics: one representation
        out.extend_from_slice(&rep);
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, IsoError> {
        const WHAT: &str = "face image";
        let mut r = Reader::new(bytes, WHAT);
        expect_magic(&mut r, b"FAC\0", "19794-5 face image")?;
        let _version = r.take(4)?;
        check_total(&mut r, bytes.len())?;
        let representations = r.u16()?;
        let _certification = r.u8()?;
        let _temporal = r.u16()?;
        if representations == 0 {
            return Err(IsoError::NoRepresentation { what: WHAT });
        }
        let rep_start = r.at;
        let rep_len = r.u32()? as usize;
        let captured = CaptureTime::read(&mut r)?;
        r.take(5)?;
        let quality = read_quality(&mut r)?;
        let landmarks = usize::from(r.u16()?);
        r.take(15)?; // rest of the facial information block
        r.take(landmarks * 8)?;
        let face_image_type = r.u8()?;
        let data_type = FaceDataType::from_code(r.u8()?);
        let width = r.u16()?;
        let height = r.u16()?;
        check_size(WHAT, FACE_MAX, width, height)?;
        r.take(5)?; // sampling level, post-processing, cross reference, colour space
        let image = read_image(&mut r, rep_start, rep_len)?;
        Ok(Self {
            captured,
            quality,
            face_image_type,
            data_type,
            width,
            height,
            image,
        })
    }

    /// Checks the embedded image decodes and has the size the record claims.
    pub fn check_image(&self) -> Result<(), IsoError> {
        const WHAT: &str = "face";
        match self.data_type {
            FaceDataType::Jpeg | FaceDataType::Png => {
                let img = load_bounded(&self.image, self.width, self.height, WHAT)?;
                if img.width() != u32::from(self.width) || img.height() != u32::from(self.height) {
                    return Err(IsoError::Image {
                        what: WHAT,
                        reason: format!(
                            "it is {}x{}, the record says {}x{}",
                            img.width(),
                            img.height(),
                            self.width,
                            self.height
                        ),
                    });
                }
                Ok(())
            }
            FaceDataType::Jpeg2000Lossy | FaceDataType::Jpeg2000Lossless => {
                jpeg2000_rgb(&self.image, self.width, self.height, WHAT).map(|_| ())
            }
            FaceDataType::Other(_) => Err(IsoError::Unsupported {
                what: WHAT,
                encoding: "an unknown image data type",
            }),
        }
    }

    /// The portrait as PNG, for a record whose image is JPEG 2000 (lossless, so the booth's
    /// own JPEG encoding for the card is the only lossy step after the device's).
    pub fn jpeg2000_as_png(&self) -> Result<Vec<u8>, IsoError> {
        const WHAT: &str = "face";
        let rgb = jpeg2000_rgb(&self.image, self.width, self.height, WHAT)?;
        let mut png = Vec::new();
        rgb.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| IsoError::Image {
                what: WHAT,
                reason: e.to_string(),
            })?;
        Ok(png)
    }
}

// --- shared pieces ---

fn write_quality(out: &mut Vec<u8>, quality: Option<u8>) {
    match quality {
        Some(q) => {
            out.push(1);
            out.push(q.min(100));
            out.extend_from_slice(&0u16.to_be_bytes()); // quality algorithm vendor
            out.extend_from_slice(&0u16.to_be_bytes()); // quality algorithm
        }
        None => out.push(0),
    }
}

fn read_quality(r: &mut Reader<'_>) -> Result<Option<u8>, IsoError> {
    let blocks = usize::from(r.u8()?);
    let mut first = None;
    for _ in 0..blocks {
        let score = r.u8()?;
        r.take(4)?;
        // 255 means "failed to compute"; keep the first real score.
        if first.is_none() && score <= 100 {
            first = Some(score);
        }
    }
    Ok(first)
}

fn write_image(out: &mut Vec<u8>, image: &[u8]) {
    out.extend_from_slice(&len32(image.len()));
    out.extend_from_slice(image);
}

/// Reads the image data that ends the representation: a 4-byte length and the data (MOSIP's
/// layout), or — when the length does not fit — everything up to the representation's end.
fn read_image(r: &mut Reader<'_>, rep_start: usize, rep_len: usize) -> Result<Vec<u8>, IsoError> {
    let rep_end = rep_start.saturating_add(rep_len).min(r.bytes.len());
    let rest = rep_end.saturating_sub(r.at);
    if rest >= 4 {
        let declared = r.peek_u32()? as usize;
        if declared == rest - 4 {
            r.take(4)?;
            return Ok(r.take(declared)?.to_vec());
        }
    }
    if rest == 0 {
        return Err(IsoError::TooShort {
            what: r.what,
            at: r.at,
            need: 1,
            len: r.bytes.len(),
        });
    }
    Ok(r.take(rest)?.to_vec())
}

fn patch_len(buf: &mut [u8], at: usize) {
    let len = len32(buf.len());
    if let Some(slot) = buf.get_mut(at..at + 4) {
        slot.copy_from_slice(&len);
    }
}

fn len32(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes()
}

fn expect_magic(
    r: &mut Reader<'_>,
    magic: &[u8; 4],
    standard: &'static str,
) -> Result<(), IsoError> {
    let found = r.take(4)?;
    if found != magic {
        return Err(IsoError::Magic {
            standard,
            found: String::from_utf8_lossy(found).into_owned(),
        });
    }
    Ok(())
}

fn check_total(r: &mut Reader<'_>, actual: usize) -> Result<(), IsoError> {
    let declared = u64::from(r.u32()?);
    if declared != actual as u64 {
        return Err(IsoError::Length {
            what: r.what,
            declared,
            actual: actual as u64,
        });
    }
    Ok(())
}

fn decode_gray(
    bytes: &[u8],
    width: u16,
    height: u16,
    what: &'static str,
) -> Result<GrayImage, IsoError> {
    let img = load_bounded(bytes, width, height, what)?;
    let luma = img.to_luma8();
    let (w, h) = luma.dimensions();
    if w != u32::from(width) || h != u32::from(height) {
        return Err(IsoError::Image {
            what,
            reason: format!("it is {w}x{h}, the record says {width}x{height}"),
        });
    }
    GrayImage::new(w, h, luma.into_raw()).ok_or(IsoError::Image {
        what,
        reason: "pixel count does not match the size".into(),
    })
}

/// A JPEG 2000 image (codestream or JP2) decoded to 8-bit samples, checked against the size
/// the record claims: (channels without alpha, whether alpha follows, interleaved samples).
fn jpeg2000(
    bytes: &[u8],
    width: u16,
    height: u16,
    what: &'static str,
) -> Result<(u8, bool, Vec<u8>), IsoError> {
    let bad = |reason: String| IsoError::Image { what, reason };
    let img = hayro_jpeg2000::Image::new(bytes, &hayro_jpeg2000::DecodeSettings::default())
        .map_err(|e| bad(format!("JPEG 2000: {e}")))?;
    let (w, h) = (img.width(), img.height());
    if w != u32::from(width) || h != u32::from(height) {
        return Err(bad(format!(
            "it is {w}x{h}, the record says {width}x{height}"
        )));
    }
    let channels = match img.color_space() {
        hayro_jpeg2000::ColorSpace::Gray => 1,
        hayro_jpeg2000::ColorSpace::RGB => 3,
        other => {
            return Err(IsoError::Unsupported {
                what,
                encoding: match other {
                    hayro_jpeg2000::ColorSpace::CMYK => "JPEG 2000 in CMYK",
                    _ => "JPEG 2000 in an ICC or unknown colour space",
                },
            })
        }
    };
    let alpha = img.has_alpha();
    let samples = img.decode().map_err(|e| bad(format!("JPEG 2000: {e}")))?;
    Ok((channels, alpha, samples))
}

/// A JPEG 2000 image as 8-bit grey (colour is converted with the Rec. 601 weights).
fn jpeg2000_gray(
    bytes: &[u8],
    width: u16,
    height: u16,
    what: &'static str,
) -> Result<GrayImage, IsoError> {
    let (channels, alpha, samples) = jpeg2000(bytes, width, height, what)?;
    let stride = usize::from(channels) + usize::from(alpha);
    let pixels = if stride == 1 {
        samples
    } else if channels == 1 {
        samples.chunks_exact(stride).map(|p| p[0]).collect()
    } else {
        samples
            .chunks_exact(stride)
            .map(|p| {
                let l = 299 * u32::from(p[0]) + 587 * u32::from(p[1]) + 114 * u32::from(p[2]);
                ((l + 500) / 1000) as u8
            })
            .collect()
    };
    raw_gray(pixels, width, height, what)
}

/// A JPEG 2000 image as 8-bit RGB.
fn jpeg2000_rgb(
    bytes: &[u8],
    width: u16,
    height: u16,
    what: &'static str,
) -> Result<image::RgbImage, IsoError> {
    let (channels, alpha, samples) = jpeg2000(bytes, width, height, what)?;
    let stride = usize::from(channels) + usize::from(alpha);
    let rgb: Vec<u8> = samples
        .chunks_exact(stride)
        .flat_map(|p| {
            if channels == 1 {
                [p[0], p[0], p[0]]
            } else {
                [p[0], p[1], p[2]]
            }
        })
        .collect();
    image::RgbImage::from_raw(u32::from(width), u32::from(height), rgb).ok_or(IsoError::Image {
        what,
        reason: "pixel count does not match the size".into(),
    })
}

fn raw_gray(
    pixels: Vec<u8>,
    width: u16,
    height: u16,
    what: &'static str,
) -> Result<GrayImage, IsoError> {
    let len = pixels.len();
    GrayImage::new(u32::from(width), u32::from(height), pixels).ok_or(IsoError::Image {
        what,
        reason: format!("{len} raw bytes for a {width}x{height} image"),
    })
}

/// A big-endian reader that reports where a record ran short.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self { bytes, at: 0, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], IsoError> {
        let end = self.at.checked_add(n);
        match end.and_then(|e| self.bytes.get(self.at..e)) {
            Some(s) => {
                self.at += n;
                Ok(s)
            }
            None => Err(IsoError::TooShort {
                what: self.what,
                at: self.at,
                need: n,
                len: self.bytes.len(),
            }),
        }
    }

    fn u8(&mut self) -> Result<u8, IsoError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, IsoError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, IsoError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn peek_u32(&self) -> Result<u32, IsoError> {
        let mut copy = Reader {
            bytes: self.bytes,
            at: self.at,
            what: self.what,
        };
        copy.u32()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn png_gray(w: u32, h: u32) -> Vec<u8> {
        let pixels: Vec<u8> = (0..w * h).map(|i| (i * 7 % 251) as u8).collect();
        let img = image::GrayImage::from_raw(w, h, pixels).unwrap();
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn time() -> CaptureTime {
        CaptureTime {
            year: 2025,
            month: 11,
            day: 25,
            hour: 6,
            minute: 36,
            second: 1,
            millisecond: 250,
        }
    }

    #[test]
    fn a_record_claiming_65535_by_65535_is_refused_before_its_image_is_decoded() {
        let rec = FingerImageRecord {
            captured: time(),
            position: Some(FingerPosition::LeftRing),
            quality: Some(77),
            ppi: 500,
            width: 65535,
            height: 65535,
            bit_depth: 8,
            compression: FingerCompression::Raw,
            image: vec![0; 64],
        };
        let e = FingerImageRecord::decode(&rec.encode()).unwrap_err();
        assert_eq!(
            e,
            IsoError::TooLarge {
                what: "finger image",
                width: 65535,
                height: 65535,
                max_side: FINGER_MAX.0,
                max_pixels: FINGER_MAX.1,
            }
        );
        // Within the bounds, but the PNG inside claims more than the record: its decoder is
        // held to the record's size.
        let rec = FingerImageRecord {
            width: 8,
            height: 8,
            compression: FingerCompression::Png,
            image: png_gray(32, 40),
            ..rec
        };
        let decoded = FingerImageRecord::decode(&rec.encode()).unwrap();
        assert!(matches!(
            decoded.to_gray(),
            Err(IsoError::Image { what: "finger", .. })
        ));
    }

    #[test]
    fn finger_record_round_trip_with_the_2011_layout() {
        let rec = FingerImageRecord {
            captured: time(),
            position: Some(FingerPosition::LeftRing),
            quality: Some(77),
            ppi: 500,
            width: 32,
            height: 40,
            bit_depth: 8,
            compression: FingerCompression::Png,
            image: png_gray(32, 40),
        };
        let bytes = rec.encode();
        assert_eq!(&bytes[..8], b"FIR\x00020\x00");
        assert_eq!(
            u32::from_be_bytes(bytes[8..12].try_into().unwrap()) as usize,
            bytes.len()
        );
        // General header 16 + representation header 42 (one quality block) + 4-byte length.
        assert_eq!(bytes.len(), 16 + 42 + 4 + rec.image.len());
        // Finger position sits after length(4) time(9) device(5) quality(1+5).
        assert_eq!(bytes[16 + 24], 9);
        let back = FingerImageRecord::decode(&bytes).unwrap();
        assert_eq!(back, rec);
        let gray = back.to_gray().unwrap();
        assert_eq!((gray.width, gray.height), (32, 40));
        assert_eq!(gray.pixels[3], 21);
    }

    #[test]
    fn iris_record_round_trip() {
        let rec = IrisImageRecord {
            captured: time(),
            eye: Some(Eye::Left),
            quality: Some(64),
            image_type: IRIS_IMAGE_TYPE_VGA,
            format: IrisFormat::MonoPng,
            width: 20,
            height: 10,
            image: png_gray(20, 10),
        };
        let bytes = rec.encode();
        assert_eq!(&bytes[..4], b"IIR\0");
        // 16 + (4+9+5+1+5+2+27) + 4
        assert_eq!(bytes.len(), 16 + 53 + 4 + rec.image.len());
        let back = IrisImageRecord::decode(&bytes).unwrap();
        assert_eq!(back, rec);
        assert_eq!(back.to_gray().unwrap().width, 20);
    }

    #[test]
    fn face_record_round_trip() {
        let rec = FaceImageRecord {
            captured: time(),
            quality: Some(88),
            face_image_type: FACE_IMAGE_TYPE_FULL_FRONTAL,
            data_type: FaceDataType::Png,
            width: 12,
            height: 16,
            image: png_gray(12, 16),
        };
        let bytes = rec.encode();
        assert_eq!(&bytes[..8], b"FAC\x00030\x00");
        assert_eq!(
            bytes.len(),
            17 + (4 + 9 + 5 + 6 + 17 + 11) + 4 + rec.image.len()
        );
        let back = FaceImageRecord::decode(&bytes).unwrap();
        assert_eq!(back, rec);
        back.check_image().unwrap();
    }

    #[test]
    fn truncated_and_foreign_records_are_refused() {
        let rec = FingerImageRecord {
            captured: time(),
            position: Some(FingerPosition::RightThumb),
            quality: None,
            ppi: 500,
            width: 4,
            height: 4,
            bit_depth: 8,
            compression: FingerCompression::Raw,
            image: vec![9; 16],
        };
        let bytes = rec.encode();
        assert_eq!(
            FingerImageRecord::decode(&bytes)
                .unwrap()
                .to_gray()
                .unwrap()
                .pixels,
            vec![9; 16]
        );
        assert!(matches!(
            FingerImageRecord::decode(&bytes[..bytes.len() - 3]),
            Err(IsoError::Length { .. })
        ));
        assert!(matches!(
            FingerImageRecord::decode(&bytes[..20]),
            Err(IsoError::Length { .. } | IsoError::TooShort { .. })
        ));
        assert!(matches!(
            IrisImageRecord::decode(&bytes),
            Err(IsoError::Magic { .. })
        ));
    }

    fn finger_j2k(width: u16, height: u16, image: Vec<u8>) -> FingerImageRecord {
        FingerImageRecord {
            captured: time(),
            position: Some(FingerPosition::RightThumb),
            quality: Some(50),
            ppi: 500,
            width,
            height,
            bit_depth: 8,
            compression: FingerCompression::Jpeg2000Lossless,
            image,
        }
    }

    #[test]
    fn a_lossless_jpeg2000_finger_decodes_to_the_very_pixels_that_were_encoded() {
        // tests/fixtures/README.md says how the codestream was made from this render.
        let rendered = ktpel_sim::finger::render_finger(7, FingerPosition::RightThumb);
        let rec = finger_j2k(
            256,
            288,
            include_bytes!("../tests/fixtures/finger.j2k").to_vec(),
        );
        let gray = FingerImageRecord::decode(&rec.encode())
            .unwrap()
            .to_gray()
            .unwrap();
        assert_eq!((gray.width, gray.height), (256, 288));
        assert!(gray.pixels == rendered.pixels, "lossless means every pixel");
    }

    #[test]
    fn a_lossy_jp2_iris_decodes_close_to_what_was_rendered() {
        let rendered = ktpel_sim::iris::render_iris(7, Eye::Left);
        let rec = IrisImageRecord {
            captured: time(),
            eye: Some(Eye::Left),
            quality: Some(64),
            image_type: IRIS_IMAGE_TYPE_VGA,
            format: IrisFormat::MonoJpeg2000,
            width: 640,
            height: 480,
            image: include_bytes!("../tests/fixtures/iris.jp2").to_vec(),
        };
        let gray = IrisImageRecord::decode(&rec.encode())
            .unwrap()
            .to_gray()
            .unwrap();
        assert_eq!((gray.width, gray.height), (640, 480));
        let total: u64 = gray
            .pixels
            .iter()
            .zip(&rendered.pixels)
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum();
        let mean = total as f64 / gray.pixels.len() as f64;
        // Compressed 40:1 by its encoder; a wrong decode is off by tens of levels.
        assert!(mean < 4.0, "mean difference {mean:.2} grey levels");
    }

    #[test]
    fn a_jp2_colour_face_is_checked_and_becomes_a_png_portrait() {
        let rec = FaceImageRecord {
            captured: time(),
            quality: Some(88),
            face_image_type: FACE_IMAGE_TYPE_FULL_FRONTAL,
            data_type: FaceDataType::Jpeg2000Lossy,
            width: 320,
            height: 240,
            image: include_bytes!("../tests/fixtures/face.jp2").to_vec(),
        };
        let back = FaceImageRecord::decode(&rec.encode()).unwrap();
        back.check_image().unwrap();
        let png = back.jpeg2000_as_png().unwrap();
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap()
            .to_rgb8();
        assert_eq!(img.dimensions(), (320, 240));
        // The fixture is tinted #c08060: its colour survived (red well above blue).
        let (r, b) = img.pixels().fold((0u64, 0u64), |(r, b), p| {
            (r + u64::from(p[0]), b + u64::from(p[2]))
        });
        assert!(r > b + b / 4, "red {r} blue {b}");
    }

    #[test]
    fn a_jpeg2000_image_that_is_broken_or_of_another_size_is_refused_with_the_reason() {
        let bytes = include_bytes!("../tests/fixtures/finger.j2k").to_vec();
        let err = finger_j2k(256, 300, bytes.clone()).to_gray().unwrap_err();
        assert_eq!(
            err.to_string(),
            "the embedded finger image cannot be decoded: it is 256x288, the record says 256x300"
        );
        let err = finger_j2k(4, 4, vec![0, 0, 0, 0x0C]).to_gray().unwrap_err();
        assert!(err.to_string().contains("JPEG 2000"), "{err}");
        let mut cut = bytes;
        cut.truncate(cut.len() / 3);
        let err = finger_j2k(256, 288, cut).to_gray().unwrap_err();
        assert!(
            matches!(&err, IsoError::Image { reason, .. } if reason.starts_with("JPEG 2000: ")),
            "a codestream cut short: {err}"
        );
    }

    #[test]
    fn wsq_is_recognised_and_refused_plainly() {
        let mut rec = finger_j2k(4, 4, vec![0xFF, 0xA0]);
        rec.compression = FingerCompression::Wsq;
        let err = FingerImageRecord::decode(&rec.encode())
            .unwrap()
            .to_gray()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the finger image is WSQ, which this booth cannot decode"
        );
    }

    #[test]
    fn a_face_record_without_the_length_prefix_is_read_to_its_end() {
        // Strict 2011 layout: image data straight after the image information block.
        let rec = FaceImageRecord {
            captured: time(),
            quality: None,
            face_image_type: FACE_IMAGE_TYPE_FULL_FRONTAL,
            data_type: FaceDataType::Png,
            width: 12,
            height: 16,
            image: png_gray(12, 16),
        };
        let mut bytes = rec.encode();
        let image_at = bytes.len() - rec.image.len() - 4;
        bytes.drain(image_at..image_at + 4);
        let total = bytes.len() as u32;
        bytes[8..12].copy_from_slice(&total.to_be_bytes());
        let rep_len = total - 17;
        bytes[17..21].copy_from_slice(&rep_len.to_be_bytes());
        let back = FaceImageRecord::decode(&bytes).unwrap();
        assert_eq!(back.image, rec.image);
    }
}
