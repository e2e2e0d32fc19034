//! Face quality at capture time, for the live overlay and the still, and the crop of the still
//! to an ICAO-style portrait.
//!
//! - [`assess`] / [`assess_frame`]: finds faces with SeetaFace's frontal detector (the
//!   `rustface` crate; its model ships in this crate) and checks, each as a named
//!   [`Check`] with the measured value, its [`Limit`] and an [`Advice`]: a face found, one
//!   face only, large enough, the portrait fits around the head, centred, eyes level (head roll),
//!   exposure, blown highlights, left/right light balance and sharpness. [`Assessment`] adds
//!   an overall `ok`, a 0–100 score (≥ 60 exactly when `ok`) and the face box.
//! - [`crop_portrait`]: the 35:45 portrait (413 × 531 = 35 × 45 mm at 300 dpi by default) with
//!   the head about 75 % of the height.
//!
//! Measures are taken on the face box resampled to a fixed size ([`measure`]), so limits mean
//! the same on a 320 × 240 preview and a 1280 × 720 still. Detection runs on a copy about
//! 320 pixels wide. Nothing here logs pixels.

mod assess;
mod detect;
pub mod measure;
mod portrait;

pub use assess::{
    assess, assess_frame, assess_with, Advice, Assessment, Check, CheckId, Limit, QualityError,
    Thresholds,
};
pub use detect::{FaceBox, MIN_FACE_FRACTION, SCORE_THRESHOLD, WORK_WIDTH};
pub use portrait::{
    crop_portrait, portrait_frame, CropError, Edge, PortraitFrame, PortraitSpec, CHIN_BELOW_BOX,
    CROWN_ABOVE_BOX,
};
