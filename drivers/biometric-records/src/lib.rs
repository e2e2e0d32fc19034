//! Standard biometric records for the enrollment packet: each finger as an ISO/IEC
//! 19794-4:2011 finger image record, each iris as an ISO/IEC 19794-6:2011 iris image record,
//! the face as an ISO/IEC 19794-5:2011 face image record, every one wrapped in a CBEFF BIR
//! ([`cbeff`]); a finger or iris that could not be captured is a BIR with an exception and no
//! BDB, as MOSIP carries them.
//!
//! * [`finger_bir`], [`iris_bir`], [`face_bir`] build BIRs from the booth's captures, with the
//!   images compressed per [`Profile`] (JPEG 2000 through OpenJPEG);
//! * [`read_finger`], [`read_iris`], [`read_face`] go back: the BIR header is checked, the
//!   record parsed field by field ([`iso`]), the image decoded and checked against the header.

pub mod cbeff;
pub mod iso;
mod wire;

pub use cbeff::{decode_list, encode_list, Bir, BirException, BirHeader, Modality};
pub use iso::{
    CaptureTime, FaceDataType, FaceImageRecord, FingerCompression, FingerImageRecord, ImageBounds,
    IrisImageRecord, FACE_BOUNDS, FINGER_BOUNDS, IRIS_BOUNDS,
};

use cbeff::*;
use image::ImageEncoder;
use ktpel_hal::{
    EncodedImage, Eye, FaceCapture, FingerCapture, FingerException, FingerPosition, FingerRecord,
    GrayImage, ImageFormat, IrisCapture, IrisException, IrisRecord, Quality,
};
use ktpel_jpeg2000 as j2k;
use serde::{Deserialize, Serialize};

/// Which record a field or an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Finger,
    Iris,
    Face,
}

impl RecordKind {
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Finger => "ISO/IEC 19794-4 finger image record",
            RecordKind::Iris => "ISO/IEC 19794-6 iris image record",
            RecordKind::Face => "ISO/IEC 19794-5 face image record",
        }
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("the {record} ends early: {field} needs {need} bytes at offset {at}, {have} left")]
    Truncated {
        record: RecordKind,
        field: &'static str,
        at: usize,
        need: usize,
        have: usize,
    },
    #[error("not an {record}: format identifier {found:02x?}")]
    FormatIdentifier { record: RecordKind, found: [u8; 4] },
    #[error("the {record} has version {found:02x?}; only the 2011 generation is read")]
    Version { record: RecordKind, found: [u8; 4] },
    #[error("the {record} says it is {declared} bytes long but {actual} bytes were given")]
    RecordLength {
        record: RecordKind,
        declared: u32,
        actual: usize,
    },
    #[error("the {record}'s representation says {declared} bytes but {actual} remain")]
    RepresentationLength {
        record: RecordKind,
        declared: u32,
        actual: usize,
    },
    #[error("the {record}'s image data says {declared} bytes but {available} remain")]
    ImageDataLength {
        record: RecordKind,
        declared: u32,
        available: usize,
    },
    #[error("the {record} has {field} = {value}, which is not allowed here")]
    Field {
        record: RecordKind,
        field: &'static str,
        value: u32,
    },
    #[error("{what} is {len} bytes; at most {max} are accepted")]
    TooLarge {
        what: &'static str,
        len: usize,
        max: usize,
    },
    #[error("the {record} claims a {width}×{height} image; at most {max_side} per side and {max_pixels} pixels are accepted")]
    ImageTooLarge {
        record: RecordKind,
        width: u32,
        height: u32,
        max_side: u32,
        max_pixels: u64,
    },
    #[error("the image is {width}×{height}; ISO/IEC 19794 records hold at most 65535 per side")]
    ImageSize { width: u32, height: u32 },
    #[error("time {0} ms cannot be written as a capture date")]
    Time(i64),
    #[error("the {record} holds a {what} image, which is not decoded here")]
    UnsupportedImage {
        record: RecordKind,
        what: &'static str,
    },
    #[error("the {record}'s image is {got_width}×{got_height}, its header says {width}×{height}")]
    ImageMismatch {
        record: RecordKind,
        width: u32,
        height: u32,
        got_width: u32,
        got_height: u32,
    },
    #[error("the {record}'s image could not be coded: {reason}")]
    Image { record: RecordKind, reason: String },
    #[error("the {record} has no quality block")]
    NoQuality { record: RecordKind },
    #[error("the BIR has {field} = {value}, which is not allowed here")]
    BirField { field: &'static str, value: u32 },
    #[error("the BIR's header says {header}, its record says {record}")]
    BirMismatch {
        header: &'static str,
        record: &'static str,
    },
    #[error("the BIR has both a BDB and an exception")]
    BdbAndException,
    #[error("the BIR has neither a BDB nor an exception")]
    NoBdb,
    #[error("the BIR holds a {found:?} record where a {wanted:?} one was expected")]
    WrongModality { wanted: Modality, found: Modality },
    #[error("{0} BIRs in one list; at most {MAX_BIRS} are accepted")]
    TooManyBirs(usize),
    #[error("the BIR list is not valid CBOR: {0}")]
    Cbor(String),
}

impl RecordError {
    /// The hal kind: every record error says the bytes are not a record the booth accepts
    /// (too large ones included), so each is [`ktpel_hal::ErrorKind::BadData`].
    pub fn kind(&self) -> ktpel_hal::ErrorKind {
        ktpel_hal::ErrorKind::BadData
    }
}

impl From<RecordError> for ktpel_hal::DeviceError {
    fn from(e: RecordError) -> Self {
        ktpel_hal::DeviceError::new(e.kind(), e.to_string())
    }
}

/// How the images are compressed in the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// JPEG 2000 reversible 5/3: fingers and irises exactly as captured; the face as the
    /// camera's own JPEG (or lossless JPEG 2000 when the camera gave PNG).
    Lossless,
    /// JPEG 2000 irreversible 9/7 at the ratios below: small enough for district links and GSM.
    #[default]
    Field,
}

/// Field profile compression ratios (against the raw 8-bit samples). Fingers: NIST's AFIS
/// guidance for 500 ppi prints is WSQ at about 15:1; JPEG 2000 keeps more ridge detail than
/// WSQ at the same ratio, and 15:1 keeps ≥ 95 % of the minutiae (see tests/fidelity.rs).
pub const FIELD_FINGER_RATIO: f32 = 15.0;
/// Irises: ISO/IEC 29794-6 and NIST IREX found recognition unaffected down to about 20:1 on
/// VGA irises; 12:1 keeps a margin.
pub const FIELD_IRIS_RATIO: f32 = 12.0;
/// The face (RGB 4:4:4 samples): 40:1 gives roughly a 20 KB portrait, about JPEG quality 80.
pub const FIELD_FACE_RATIO: f32 = 40.0;

impl Profile {
    fn grey(self, field_ratio: f32) -> j2k::Profile {
        match self {
            Profile::Lossless => j2k::Profile::Lossless,
            Profile::Field => j2k::Profile::Field { ratio: field_ratio },
        }
    }
}

/// The CBEFF subtype bits of a finger.
pub fn finger_subtype(p: FingerPosition) -> u8 {
    use FingerPosition::*;
    let side = match p {
        RightThumb | RightIndex | RightMiddle | RightRing | RightLittle => SUBTYPE_RIGHT,
        _ => SUBTYPE_LEFT,
    };
    let finger = match p {
        RightThumb | LeftThumb => SUBTYPE_THUMB,
        RightIndex | LeftIndex => SUBTYPE_INDEX,
        RightMiddle | LeftMiddle => SUBTYPE_MIDDLE,
        RightRing | LeftRing => SUBTYPE_RING,
        RightLittle | LeftLittle => SUBTYPE_LITTLE,
    };
    side | finger
}

/// The finger CBEFF subtype bits name, if any.
pub fn finger_from_subtype(bits: u8) -> Option<FingerPosition> {
    FingerPosition::ALL
        .into_iter()
        .find(|&p| finger_subtype(p) == bits)
}

pub fn iris_subtype(eye: Eye) -> u8 {
    match eye {
        Eye::Right => SUBTYPE_RIGHT,
        Eye::Left => SUBTYPE_LEFT,
    }
}

fn header(
    biometric_type: u32,
    subtype: u8,
    format_type: u16,
    quality: Option<u8>,
    created_ms: i64,
    exception: Option<BirException>,
) -> BirHeader {
    BirHeader {
        version: BIR_VERSION,
        biometric_type,
        subtype,
        format_owner: FORMAT_OWNER_SC37,
        format_type,
        quality,
        purpose: PURPOSE_ENROLL,
        processed_level: PROCESSED_LEVEL_RAW,
        created_ms,
        exception,
    }
}

fn side(width: u32, height: u32) -> Result<(u16, u16), RecordError> {
    match (u16::try_from(width), u16::try_from(height)) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 => Ok((w, h)),
        _ => Err(RecordError::ImageSize { width, height }),
    }
}

fn codec(record: RecordKind) -> impl Fn(j2k::Error) -> RecordError {
    move |e| RecordError::Image {
        record,
        reason: e.to_string(),
    }
}

/// A finger as a BIR: an ISO/IEC 19794-4:2011 record with the image in JPEG 2000, or an
/// exception without BDB. `created_ms` is the capture (and BIR creation) time.
pub fn finger_bir(
    record: &FingerRecord,
    profile: Profile,
    created_ms: i64,
) -> Result<Bir, RecordError> {
    const K: RecordKind = RecordKind::Finger;
    let _span = tracing::debug_span!("finger_bir", position = record.position().as_str()).entered();
    let c = match record {
        FingerRecord::Exception {
            position,
            exception,
        } => {
            let exception = match exception {
                FingerException::Missing => BirException::Missing,
                FingerException::Bandaged => BirException::Bandaged,
                FingerException::Unusable => BirException::Unusable,
            };
            return Ok(Bir {
                header: header(
                    BIOMETRIC_TYPE_FINGER,
                    finger_subtype(*position),
                    FORMAT_TYPE_FINGER_IMAGE,
                    None,
                    created_ms,
                    Some(exception),
                ),
                bdb: None,
            });
        }
        FingerRecord::Captured(c) => c,
    };
    let (width, height) = side(c.image.width, c.image.height)?;
    let image = j2k::Image::grey(c.image.width, c.image.height, c.image.pixels.clone());
    let bytes = j2k::encode(
        &image,
        profile.grey(FIELD_FINGER_RATIO),
        j2k::Container::J2k,
    )
    .map_err(codec(K))?;
    let quality = c.quality.0.min(100);
    let iso = FingerImageRecord {
        captured: CaptureTime::from_unix_ms(created_ms)?,
        quality: Some(quality),
        position: c.position,
        ppi: c.resolution_ppi,
        compression: match profile {
            Profile::Lossless => FingerCompression::Jpeg2000Lossless,
            Profile::Field => FingerCompression::Jpeg2000Lossy,
        },
        width,
        height,
        image: bytes,
    };
    Ok(Bir {
        header: header(
            BIOMETRIC_TYPE_FINGER,
            finger_subtype(c.position),
            FORMAT_TYPE_FINGER_IMAGE,
            Some(quality),
            created_ms,
            None,
        ),
        bdb: Some(iso.encode()?),
    })
}

/// An iris as a BIR: an ISO/IEC 19794-6:2011 record (mono JPEG 2000), or an exception.
pub fn iris_bir(
    record: &IrisRecord,
    profile: Profile,
    created_ms: i64,
) -> Result<Bir, RecordError> {
    const K: RecordKind = RecordKind::Iris;
    let _span = tracing::debug_span!("iris_bir", eye = ?record.eye()).entered();
    let c = match record {
        IrisRecord::Exception { eye, exception } => {
            let exception = match exception {
                IrisException::Missing => BirException::Missing,
                IrisException::Unusable => BirException::Unusable,
            };
            return Ok(Bir {
                header: header(
                    BIOMETRIC_TYPE_IRIS,
                    iris_subtype(*eye),
                    FORMAT_TYPE_IRIS_IMAGE,
                    None,
                    created_ms,
                    Some(exception),
                ),
                bdb: None,
            });
        }
        IrisRecord::Captured(c) => c,
    };
    let (width, height) = side(c.image.width, c.image.height)?;
    let image = j2k::Image::grey(c.image.width, c.image.height, c.image.pixels.clone());
    let bytes = j2k::encode(&image, profile.grey(FIELD_IRIS_RATIO), j2k::Container::J2k)
        .map_err(codec(K))?;
    let quality = c.quality.0.min(100);
    let iso = IrisImageRecord {
        captured: CaptureTime::from_unix_ms(created_ms)?,
        quality: Some(quality),
        eye: c.eye,
        image_type: if (width, height) == (640, 480) {
            iso::IRIS_IMAGE_TYPE_VGA
        } else {
            0x01 // uncropped
        },
        format: iso::IRIS_FORMAT_MONO_JPEG2000,
        compression: match profile {
            Profile::Lossless => iso::IRIS_COMPRESSION_LOSSLESS,
            Profile::Field => iso::IRIS_COMPRESSION_LOSSY,
        },
        width,
        height,
        image: bytes,
    };
    Ok(Bir {
        header: header(
            BIOMETRIC_TYPE_IRIS,
            iris_subtype(c.eye),
            FORMAT_TYPE_IRIS_IMAGE,
            Some(quality),
            created_ms,
            None,
        ),
        bdb: Some(iso.encode()?),
    })
}

/// Decodes a camera's JPEG or PNG to RGB8, refusing anything larger than `max_side`.
fn decode_camera_image(
    bytes: &[u8],
    format: image::ImageFormat,
    max_side: u32,
) -> Result<image::RgbImage, String> {
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max_side);
    limits.max_image_height = Some(max_side);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    reader
        .decode()
        .map(|i| i.to_rgb8())
        .map_err(|e| e.to_string())
}

/// The face as a BIR: an ISO/IEC 19794-5:2011 record. `Lossless` keeps the camera's JPEG as
/// it is (a PNG from the camera becomes lossless JPEG 2000); `Field` re-codes it as JPEG 2000
/// at [`FIELD_FACE_RATIO`].
pub fn face_bir(face: &FaceCapture, profile: Profile, created_ms: i64) -> Result<Bir, RecordError> {
    const K: RecordKind = RecordKind::Face;
    let _span = tracing::debug_span!("face_bir").entered();
    let src = &face.image;
    let (width, height) = side(src.width, src.height)?;
    let format = match src.format {
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Png => image::ImageFormat::Png,
    };
    let max_side = src.width.max(src.height);
    let (data_type, bytes) = match (profile, src.format) {
        (Profile::Lossless, ImageFormat::Jpeg) => {
            // Carried as captured; still check that it is the JPEG its header says.
            let rgb = decode_camera_image(&src.bytes, format, max_side)
                .map_err(|reason| RecordError::Image { record: K, reason })?;
            if rgb.dimensions() != (src.width, src.height) {
                return Err(RecordError::ImageMismatch {
                    record: K,
                    width: src.width,
                    height: src.height,
                    got_width: rgb.width(),
                    got_height: rgb.height(),
                });
            }
            (FaceDataType::Jpeg, src.bytes.clone())
        }
        (profile, _) => {
            let rgb = decode_camera_image(&src.bytes, format, max_side)
                .map_err(|reason| RecordError::Image { record: K, reason })?;
            if rgb.dimensions() != (src.width, src.height) {
                return Err(RecordError::ImageMismatch {
                    record: K,
                    width: src.width,
                    height: src.height,
                    got_width: rgb.width(),
                    got_height: rgb.height(),
                });
            }
            let image = j2k::Image::rgb(src.width, src.height, rgb.into_raw());
            let (p, t) = match profile {
                Profile::Lossless => (j2k::Profile::Lossless, FaceDataType::Jpeg2000Lossless),
                Profile::Field => (
                    j2k::Profile::Field {
                        ratio: FIELD_FACE_RATIO,
                    },
                    FaceDataType::Jpeg2000Lossy,
                ),
            };
            (
                t,
                j2k::encode(&image, p, j2k::Container::J2k).map_err(codec(K))?,
            )
        }
    };
    let quality = face.quality.0.min(100);
    let iso = FaceImageRecord {
        captured: CaptureTime::from_unix_ms(created_ms)?,
        quality: Some(quality),
        data_type,
        width,
        height,
        image: bytes,
    };
    Ok(Bir {
        header: header(
            BIOMETRIC_TYPE_FACE,
            0,
            FORMAT_TYPE_FACE_IMAGE,
            Some(quality),
            created_ms,
            None,
        ),
        bdb: Some(iso.encode()?),
    })
}

fn expect(bir: &Bir, wanted: Modality) -> Result<(), RecordError> {
    let found = bir.check()?;
    if found != wanted {
        return Err(RecordError::WrongModality { wanted, found });
    }
    Ok(())
}

fn same_quality(
    header: Option<u8>,
    record: Option<u8>,
    kind: RecordKind,
) -> Result<u8, RecordError> {
    let q = record.ok_or(RecordError::NoQuality { record: kind })?;
    if header != Some(q) {
        return Err(RecordError::BirMismatch {
            header: "one quality",
            record: "another",
        });
    }
    Ok(q)
}

/// Decodes a grey JPEG 2000 image whose header says `width × height`.
fn decode_grey(
    bytes: &[u8],
    width: u16,
    height: u16,
    kind: RecordKind,
) -> Result<GrayImage, RecordError> {
    ImageBounds::check(kind, width, height)?;
    let limits = j2k::Limits {
        max_side: u32::from(width.max(height)),
        max_pixels: u64::from(width) * u64::from(height),
    };
    let img = j2k::decode_with_limits(bytes, limits).map_err(codec(kind))?;
    if (img.width, img.height) != (u32::from(width), u32::from(height))
        || img.colour != j2k::Colour::Grey
    {
        return Err(RecordError::ImageMismatch {
            record: kind,
            width: width.into(),
            height: height.into(),
            got_width: img.width,
            got_height: img.height,
        });
    }
    GrayImage::new(img.width, img.height, img.pixels).ok_or(RecordError::Image {
        record: kind,
        reason: "sample count".into(),
    })
}

impl FingerImageRecord {
    /// The image as 8-bit grey pixels (JPEG 2000 only), checked against the header's size.
    pub fn to_gray(&self) -> Result<GrayImage, RecordError> {
        match self.compression {
            FingerCompression::Jpeg2000Lossy | FingerCompression::Jpeg2000Lossless => {
                decode_grey(&self.image, self.width, self.height, RecordKind::Finger)
            }
            other => Err(RecordError::UnsupportedImage {
                record: RecordKind::Finger,
                what: match other {
                    FingerCompression::Wsq => "WSQ",
                    FingerCompression::Jpeg => "JPEG",
                    FingerCompression::Png => "PNG",
                    _ => "uncompressed",
                },
            }),
        }
    }
}

impl IrisImageRecord {
    /// The image as 8-bit grey pixels (mono JPEG 2000 only).
    pub fn to_gray(&self) -> Result<GrayImage, RecordError> {
        if self.format != iso::IRIS_FORMAT_MONO_JPEG2000 {
            return Err(RecordError::UnsupportedImage {
                record: RecordKind::Iris,
                what: "non-JPEG 2000 or colour",
            });
        }
        decode_grey(&self.image, self.width, self.height, RecordKind::Iris)
    }
}

impl FaceImageRecord {
    /// The image as RGB8 pixels, checked against the header's size.
    pub fn to_rgb(&self) -> Result<Vec<u8>, RecordError> {
        const K: RecordKind = RecordKind::Face;
        ImageBounds::check(K, self.width, self.height)?;
        let (w, h) = (u32::from(self.width), u32::from(self.height));
        let (got_w, got_h, rgb) = match self.data_type {
            FaceDataType::Jpeg2000Lossy | FaceDataType::Jpeg2000Lossless => {
                let limits = j2k::Limits {
                    max_side: w.max(h),
                    max_pixels: u64::from(w) * u64::from(h),
                };
                let img = j2k::decode_with_limits(&self.image, limits).map_err(codec(K))?;
                let rgb = match img.colour {
                    j2k::Colour::Rgb => img.pixels,
                    j2k::Colour::Grey => img.pixels.iter().flat_map(|&v| [v, v, v]).collect(),
                };
                (img.width, img.height, rgb)
            }
            FaceDataType::Jpeg | FaceDataType::Png => {
                let format = if self.data_type == FaceDataType::Jpeg {
                    image::ImageFormat::Jpeg
                } else {
                    image::ImageFormat::Png
                };
                let rgb = decode_camera_image(&self.image, format, w.max(h))
                    .map_err(|reason| RecordError::Image { record: K, reason })?;
                (rgb.width(), rgb.height(), rgb.into_raw())
            }
        };
        if (got_w, got_h) != (w, h) {
            return Err(RecordError::ImageMismatch {
                record: K,
                width: w,
                height: h,
                got_width: got_w,
                got_height: got_h,
            });
        }
        Ok(rgb)
    }
}

/// A finger back from its BIR: header checked, record parsed, image decoded.
pub fn read_finger(bir: &Bir) -> Result<FingerRecord, RecordError> {
    const K: RecordKind = RecordKind::Finger;
    expect(bir, Modality::Finger)?;
    let position = finger_from_subtype(bir.header.subtype).ok_or(RecordError::BirField {
        field: "subtype",
        value: bir.header.subtype.into(),
    })?;
    let Some(bdb) = &bir.bdb else {
        let exception = match bir.header.exception {
            Some(BirException::Missing) => FingerException::Missing,
            Some(BirException::Bandaged) => FingerException::Bandaged,
            Some(BirException::Unusable) | None => FingerException::Unusable,
        };
        return Ok(FingerRecord::Exception {
            position,
            exception,
        });
    };
    let iso = FingerImageRecord::parse(bdb)?;
    if iso.position != position {
        return Err(RecordError::BirMismatch {
            header: "one finger position",
            record: "another",
        });
    }
    let quality = same_quality(bir.header.quality, iso.quality, K)?;
    let image = iso.to_gray()?;
    Ok(FingerRecord::Captured(FingerCapture {
        position,
        image,
        resolution_ppi: iso.ppi,
        quality: Quality(quality),
    }))
}

/// An iris back from its BIR.
pub fn read_iris(bir: &Bir) -> Result<IrisRecord, RecordError> {
    const K: RecordKind = RecordKind::Iris;
    expect(bir, Modality::Iris)?;
    let eye = if bir.header.subtype == SUBTYPE_RIGHT {
        Eye::Right
    } else {
        Eye::Left
    };
    let Some(bdb) = &bir.bdb else {
        let exception = match bir.header.exception {
            Some(BirException::Missing) => IrisException::Missing,
            _ => IrisException::Unusable,
        };
        return Ok(IrisRecord::Exception { eye, exception });
    };
    let iso = IrisImageRecord::parse(bdb)?;
    if iso.eye != eye {
        return Err(RecordError::BirMismatch {
            header: "one eye",
            record: "the other",
        });
    }
    let quality = same_quality(bir.header.quality, iso.quality, K)?;
    let image = iso.to_gray()?;
    Ok(IrisRecord::Captured(IrisCapture {
        eye,
        image,
        quality: Quality(quality),
    }))
}

/// JPEG quality of a face decoded from JPEG 2000 or PNG and handed on as JPEG.
pub const FACE_JPEG_QUALITY: u8 = 95;

/// The face back from its BIR: a JPEG record gives the JPEG as it came (checked to decode to
/// its header's size); JPEG 2000 and PNG records give the decoded pixels as a JPEG at
/// [`FACE_JPEG_QUALITY`], since a camera's portrait is a JPEG everywhere else in the booth
/// (the chip's DG2 and the card face are made from one).
pub fn read_face(bir: &Bir) -> Result<FaceCapture, RecordError> {
    const K: RecordKind = RecordKind::Face;
    expect(bir, Modality::Face)?;
    let bdb = bir.bdb.as_deref().ok_or(RecordError::NoBdb)?;
    let iso = FaceImageRecord::parse(bdb)?;
    let quality = same_quality(bir.header.quality, iso.quality, K)?;
    let rgb = iso.to_rgb()?;
    let (width, height) = (u32::from(iso.width), u32::from(iso.height));
    let bytes = match iso.data_type {
        FaceDataType::Jpeg => iso.image,
        _ => {
            let mut jpeg = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, FACE_JPEG_QUALITY)
                .write_image(&rgb, width, height, image::ExtendedColorType::Rgb8)
                .map_err(|e| RecordError::Image {
                    record: K,
                    reason: e.to_string(),
                })?;
            jpeg
        }
    };
    let image = EncodedImage {
        format: ImageFormat::Jpeg,
        width,
        height,
        bytes,
    };
    Ok(FaceCapture {
        image,
        quality: Quality(quality),
    })
}
