//! What devices hand back: images, finger and iris captures with their exceptions, pen strokes,
//! and the documents printers take.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An 8-bit greyscale image, row-major, `pixels.len() == width * height`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrayImage {
    pub width: u32,
    pub height: u32,
    #[serde(with = "serde_bytes")]
    pub pixels: Vec<u8>,
}

impl GrayImage {
    /// A new image; `None` when the pixel count does not match the size.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Option<Self> {
        (pixels.len() as u64 == u64::from(width) * u64::from(height)).then_some(Self {
            width,
            height,
            pixels,
        })
    }
}

// Pixels are biometric data: never print them, not even in debug output.
impl fmt::Debug for GrayImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GrayImage({}x{})", self.width, self.height)
    }
}

/// An RGB8 frame for the live preview, row-major, `rgb.len() == width * height * 3`.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Frame({}x{})", self.width, self.height)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    Png,
    Jpeg,
}

/// A compressed image as it is stored and sent.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodedImage {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
}

impl fmt::Debug for EncodedImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "EncodedImage({:?} {}x{}, {} bytes)",
            self.format,
            self.width,
            self.height,
            self.bytes.len()
        )
    }
}

/// A quality score from 1 (unusable) to 100 (best), as NFIQ 2 and SBI report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Quality(pub u8);

/// The portrait taken by the camera.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceCapture {
    pub image: EncodedImage,
    pub quality: Quality,
}

/// The ten fingers, numbered as ISO/IEC 19794-2 numbers finger positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FingerPosition {
    RightThumb = 1,
    RightIndex = 2,
    RightMiddle = 3,
    RightRing = 4,
    RightLittle = 5,
    LeftThumb = 6,
    LeftIndex = 7,
    LeftMiddle = 8,
    LeftRing = 9,
    LeftLittle = 10,
}

impl FingerPosition {
    /// The fixed order in which the booth captures fingers.
    pub const ALL: [FingerPosition; 10] = [
        FingerPosition::RightThumb,
        FingerPosition::RightIndex,
        FingerPosition::RightMiddle,
        FingerPosition::RightRing,
        FingerPosition::RightLittle,
        FingerPosition::LeftThumb,
        FingerPosition::LeftIndex,
        FingerPosition::LeftMiddle,
        FingerPosition::LeftRing,
        FingerPosition::LeftLittle,
    ];

    /// The ISO/IEC 19794-2 finger position code (1–10).
    pub fn iso_code(self) -> u8 {
        self as u8
    }

    pub fn from_iso_code(code: u8) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.iso_code() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FingerPosition::RightThumb => "right_thumb",
            FingerPosition::RightIndex => "right_index",
            FingerPosition::RightMiddle => "right_middle",
            FingerPosition::RightRing => "right_ring",
            FingerPosition::RightLittle => "right_little",
            FingerPosition::LeftThumb => "left_thumb",
            FingerPosition::LeftIndex => "left_index",
            FingerPosition::LeftMiddle => "left_middle",
            FingerPosition::LeftRing => "left_ring",
            FingerPosition::LeftLittle => "left_little",
        }
    }
}

/// Why a finger could not be captured; recorded instead of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FingerException {
    /// Amputated or absent from birth.
    Missing,
    /// Temporarily covered (bandage, cast).
    Bandaged,
    /// Present but no usable print (scars, worn ridges).
    Unusable,
}

/// One finger as captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerCapture {
    pub position: FingerPosition,
    pub image: GrayImage,
    /// Capture resolution in pixels per inch (500 for the usual scanners).
    pub resolution_ppi: u16,
    pub quality: Quality,
}

/// A finger in an enrollment: its image, or the exception the operator recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FingerRecord {
    Captured(FingerCapture),
    Exception {
        position: FingerPosition,
        exception: FingerException,
    },
}

impl FingerRecord {
    pub fn position(&self) -> FingerPosition {
        match self {
            FingerRecord::Captured(c) => c.position,
            FingerRecord::Exception { position, .. } => *position,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eye {
    Right,
    Left,
}

impl Eye {
    pub const BOTH: [Eye; 2] = [Eye::Right, Eye::Left];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IrisException {
    Missing,
    Unusable,
}

/// One iris as captured (ISO/IEC 19794-6 style: 640 × 480 greyscale).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrisCapture {
    pub eye: Eye,
    pub image: GrayImage,
    pub quality: Quality,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IrisRecord {
    Captured(IrisCapture),
    Exception { eye: Eye, exception: IrisException },
}

impl IrisRecord {
    pub fn eye(&self) -> Eye {
        match self {
            IrisRecord::Captured(c) => c.eye,
            IrisRecord::Exception { eye, .. } => *eye,
        }
    }
}

/// One sample of the pen, in the pad's own coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenPoint {
    pub x: u32,
    pub y: u32,
    pub pressure: u16,
    /// Milliseconds since the signature began.
    pub t_ms: u32,
}

/// The pen touching the surface from down to up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stroke {
    pub points: Vec<PenPoint>,
}

/// A signature: the strokes as drawn and the image rendered from them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureCapture {
    pub strokes: Vec<Stroke>,
    /// The pad's coordinate range (max x, max y) and pressure range.
    pub max_x: u32,
    pub max_y: u32,
    pub max_pressure: u16,
    pub image: EncodedImage,
}

/// A smart card seen in the encoder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardInfo {
    #[serde(with = "serde_bytes")]
    pub atr: Vec<u8>,
    /// The reader's name.
    pub reader: String,
    /// Whether the reader and card accept extended-length APDUs.
    pub extended_length: bool,
    /// The most data bytes one command APDU may carry through this reader to this card (its
    /// Lc): 255 when only short APDUs pass, up to 65535 with extended length.
    #[serde(default = "short_max_command_data")]
    pub max_command_data: usize,
    /// The most data bytes one response APDU may carry (its Le): 256 when only short APDUs
    /// pass, up to 65536 with extended length.
    #[serde(default = "short_max_response_data")]
    pub max_response_data: usize,
}

impl CardInfo {
    /// Lc of a short command APDU.
    pub const SHORT_MAX_COMMAND_DATA: usize = 255;
    /// Le of a short command APDU.
    pub const SHORT_MAX_RESPONSE_DATA: usize = 256;
    /// Lc of an extended command APDU.
    pub const EXTENDED_MAX_COMMAND_DATA: usize = 65535;
    /// Le of an extended command APDU.
    pub const EXTENDED_MAX_RESPONSE_DATA: usize = 65536;
}

fn short_max_command_data() -> usize {
    CardInfo::SHORT_MAX_COMMAND_DATA
}

fn short_max_response_data() -> usize {
    CardInfo::SHORT_MAX_RESPONSE_DATA
}

/// Horizontal alignment of a receipt line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    Left,
    Center,
    Right,
}

/// One element of a receipt, in the order it is printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptLine {
    Text {
        text: String,
        align: Align,
        bold: bool,
        /// Character magnification, 1 (normal) to 8.
        size: u8,
    },
    Qr {
        payload: String,
    },
    Image(GrayImage),
    Feed(u8),
    Cut,
}

/// A receipt: a list of lines for a line printer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReceiptDoc {
    pub lines: Vec<ReceiptLine>,
}

/// What a printer says of itself before and after a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrinterStatus {
    pub online: bool,
    pub paper_out: bool,
    pub cover_open: bool,
    pub error: bool,
}

impl PrinterStatus {
    pub fn ready(&self) -> bool {
        self.online && !self.paper_out && !self.cover_open && !self.error
    }
}
