//! UVC camera driver for the booth, over nokhwa's V4L2 backend.
//!
//! - [`list_cameras`]: every `/dev/videoN` with its name and modes (format × size × fps).
//! - [`UvcCamera`]: the hal [`Camera`](ktpel_hal::Camera) — opens the configured camera (by
//!   index, path or name, see [`UvcConfig`]), chooses its mode ([`choose_mode`]: MJPEG at the
//!   configured size first), streams preview frames and takes the still at the still size,
//!   cropped to the ICAO-style portrait by `ktpel-face-quality`.
//! - [`PreviewWorker`]: the live preview on its own thread for any hal camera, leaving only the
//!   newest frame for the UI (a slot of one that the producer overwrites).
//! - [`convert`]: raw MJPEG / YUYV / NV12 / RGB / BGR / grey buffers → the hal's RGB8 frame.
//! - [`UvcError`]: what went wrong, mapped to the hal's `ErrorKind` with a message naming the
//!   device and what to check (cable, `/dev/video*` permissions, another program).

mod config;
pub mod convert;
mod device;
mod error;
pub mod mode;
pub mod preview;

pub use config::{candidates, CameraListing, Selector, UvcConfig};
pub use convert::{to_frame, ConvertError, PixelFormat};
pub use device::{list_cameras, UvcCamera};
pub use error::{classify, Cause, Op, UvcError};
pub use mode::{choose_mode, Mode, Size};
pub use preview::{
    PreviewEvent, PreviewFrame, PreviewOptions, PreviewReceiver, PreviewStats, PreviewWorker,
};
