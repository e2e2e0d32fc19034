//! What to capture (`CaptureSpec`) and what came back, verified (`Capture`, `Biometric`).

use crate::iso::{FaceImageRecord, FingerImageRecord, IrisImageRecord};
use crate::wire::{BioSubType, BioType};
use ktpel_hal::{Eye, FingerPosition, GrayImage};
use std::time::Duration;

/// The three slaps of a slap scanner, by `deviceSubId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slap {
    /// deviceSubId 1: the left hand's four fingers.
    LeftFour,
    /// deviceSubId 2: the right hand's four fingers.
    RightFour,
    /// deviceSubId 3: both thumbs.
    Thumbs,
}

impl Slap {
    pub const ALL: [Slap; 3] = [Slap::LeftFour, Slap::RightFour, Slap::Thumbs];

    pub fn sub_id(self) -> u8 {
        match self {
            Slap::LeftFour => 1,
            Slap::RightFour => 2,
            Slap::Thumbs => 3,
        }
    }

    pub fn from_sub_id(id: u8) -> Option<Self> {
        Slap::ALL.into_iter().find(|s| s.sub_id() == id)
    }

    /// The fingers on the glass for this slap.
    pub fn fingers(self) -> &'static [FingerPosition] {
        use FingerPosition::*;
        match self {
            Slap::LeftFour => &[LeftIndex, LeftMiddle, LeftRing, LeftLittle],
            Slap::RightFour => &[RightIndex, RightMiddle, RightRing, RightLittle],
            Slap::Thumbs => &[LeftThumb, RightThumb],
        }
    }

    /// The slap a finger is captured in.
    pub fn containing(finger: FingerPosition) -> Slap {
        Slap::ALL
            .into_iter()
            .find(|s| s.fingers().contains(&finger))
            .unwrap_or(Slap::Thumbs)
    }
}

/// One capture request (one `bio[]` entry of `RCAPTURE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureSpec {
    pub bio_type: BioType,
    pub device_sub_id: u8,
    /// The fingers or eyes wanted (exceptions already removed); empty for the face.
    pub sub_types: Vec<BioSubType>,
    /// Fingers or eyes excluded (missing, bandaged).
    pub exceptions: Vec<BioSubType>,
    /// The score at which the device may stop and answer (1–100).
    pub requested_score: u8,
    /// How long the device may take; `None` uses the client's `capture_timeout`.
    pub timeout: Option<Duration>,
}

impl CaptureSpec {
    /// A slap, less the `exceptions` (fingers of other slaps are ignored).
    pub fn slap(slap: Slap, exceptions: &[FingerPosition], requested_score: u8) -> Self {
        let excluded: Vec<FingerPosition> = slap
            .fingers()
            .iter()
            .copied()
            .filter(|f| exceptions.contains(f))
            .collect();
        Self {
            bio_type: BioType::Finger,
            device_sub_id: slap.sub_id(),
            sub_types: slap
                .fingers()
                .iter()
                .copied()
                .filter(|f| !excluded.contains(f))
                .map(BioSubType::Finger)
                .collect(),
            exceptions: excluded.into_iter().map(BioSubType::Finger).collect(),
            requested_score,
            timeout: None,
        }
    }

    /// Both irises of a double iris scanner (deviceSubId 3), less the `exceptions`.
    pub fn irises(exceptions: &[Eye], requested_score: u8) -> Self {
        let eyes = [Eye::Left, Eye::Right];
        Self {
            bio_type: BioType::Iris,
            device_sub_id: 3,
            sub_types: eyes
                .iter()
                .filter(|e| !exceptions.contains(e))
                .map(|e| BioSubType::Iris(*e))
                .collect(),
            exceptions: eyes
                .iter()
                .filter(|e| exceptions.contains(e))
                .map(|e| BioSubType::Iris(*e))
                .collect(),
            requested_score,
            timeout: None,
        }
    }

    /// The face (deviceSubId 0, count 1, no sub type).
    pub fn face(requested_score: u8) -> Self {
        Self {
            bio_type: BioType::Face,
            device_sub_id: 0,
            sub_types: Vec::new(),
            exceptions: Vec::new(),
            requested_score,
            timeout: None,
        }
    }

    /// How many biometrics the device is asked for.
    pub fn count(&self) -> usize {
        match self.bio_type {
            BioType::Face => 1,
            _ => self.sub_types.len(),
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

/// The ISO record a biometric carried, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IsoRecord {
    Finger(FingerImageRecord),
    Iris(IrisImageRecord),
    Face(FaceImageRecord),
}

/// One verified biometric: its signature, certificate, transaction, ISO record and hash
/// link all checked.
#[derive(Clone, PartialEq)]
pub struct Biometric {
    pub bio_type: BioType,
    /// `None` for the face.
    pub sub_type: Option<BioSubType>,
    /// The device's `qualityScore` (0–100).
    pub quality: f32,
    pub requested_score: Option<f32>,
    /// The device's `timestamp`.
    pub timestamp: String,
    /// The raw ISO record (what the hash covers).
    pub iso: Vec<u8>,
    pub record: IsoRecord,
    /// The finger or iris image decoded from the record (`None` for the face, whose JPEG is
    /// kept as is in the record).
    pub gray: Option<GrayImage>,
    /// This biometric's link in the hash chain (upper-case hex).
    pub hash: String,
}

// Biometric data: sizes and scores only.
impl std::fmt::Debug for Biometric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Biometric")
            .field("bio_type", &self.bio_type)
            .field("sub_type", &self.sub_type)
            .field("quality", &self.quality)
            .field("iso_bytes", &self.iso.len())
            .finish_non_exhaustive()
    }
}

impl Biometric {
    /// The quality as a whole score 0–100.
    pub fn quality_u8(&self) -> u8 {
        self.quality.round().clamp(0.0, 100.0) as u8
    }
}

/// One `RCAPTURE` answer, verified.
#[derive(Debug, Clone)]
pub struct Capture {
    pub transaction_id: String,
    pub biometrics: Vec<Biometric>,
    /// Request to verified answer.
    pub elapsed: Duration,
}

impl Capture {
    /// The lowest quality in the capture (the score a slap is judged by here).
    pub fn min_quality(&self) -> f32 {
        self.biometrics
            .iter()
            .map(|b| b.quality)
            .fold(f32::INFINITY, f32::min)
    }

    pub fn mean_quality(&self) -> f32 {
        if self.biometrics.is_empty() {
            return 0.0;
        }
        self.biometrics.iter().map(|b| b.quality).sum::<f32>() / self.biometrics.len() as f32
    }

    /// Whether every biometric reaches `threshold`.
    pub fn meets(&self, threshold: u8) -> bool {
        !self.biometrics.is_empty() && self.min_quality() >= f32::from(threshold)
    }

    pub fn get(&self, sub_type: BioSubType) -> Option<&Biometric> {
        self.biometrics
            .iter()
            .find(|b| b.sub_type == Some(sub_type))
    }
}

/// The best of one or more captures of the same thing.
#[derive(Debug, Clone)]
pub struct BestCapture {
    pub capture: Capture,
    /// How many `RCAPTURE`s were made.
    pub attempts: u32,
    pub threshold: u8,
    /// Whether the kept capture reaches the threshold (if not, it is the best seen).
    pub met_threshold: bool,
}
