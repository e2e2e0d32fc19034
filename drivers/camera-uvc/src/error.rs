//! The driver's errors, how a nokhwa / V4L2 failure becomes one, and how each maps to the hal's
//! [`ErrorKind`]. Every message names the device and says what a technician should check.

use crate::convert::ConvertError;
use ktpel_hal::{DeviceError, ErrorKind};
use nokhwa::NokhwaError;
use std::fmt;

/// What the driver was doing when the camera failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Query,
    Open,
    Configure,
    StartStream,
    ReadFrame,
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Query => "listing cameras",
            Op::Open => "opening",
            Op::Configure => "setting the video mode",
            Op::StartStream => "starting the stream",
            Op::ReadFrame => "reading a frame",
        })
    }
}

/// Why a camera call failed, as far as the driver can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The device node is not there (never plugged in, or unplugged before we opened it).
    Missing,
    /// The device was open and went away (cable pulled, USB reset).
    Gone,
    /// The device node exists but this user may not open it.
    Permission,
    /// Another program holds the camera.
    InUse,
    /// The camera did not deliver in time.
    Timeout,
    /// The node is not a video capture device (a UVC camera's second, metadata-only node).
    NotCapture,
    /// The camera refused the mode or offers nothing the driver can decode.
    Unsupported,
    /// Anything else.
    Other,
}

impl Cause {
    pub fn kind(self) -> ErrorKind {
        match self {
            Cause::Missing | Cause::NotCapture => ErrorKind::NotPresent,
            Cause::Gone => ErrorKind::Disconnected,
            Cause::Permission => ErrorKind::NeedsAttention,
            Cause::InUse => ErrorKind::Busy,
            Cause::Timeout => ErrorKind::Timeout,
            Cause::Unsupported => ErrorKind::BadData,
            Cause::Other => ErrorKind::Other,
        }
    }

    /// What a person should look at.
    fn advice(self, device: &str) -> String {
        match self {
            Cause::Missing => format!(
                "check that {device} is plugged in (USB cable, powered hub) and shows up as /dev/video*"
            ),
            Cause::Gone => format!(
                "check the USB cable of {device}; the driver reopens it on the next call"
            ),
            Cause::Permission => format!(
                "the booth's user may not open {device}: add it to the 'video' group (ls -l /dev/video*)"
            ),
            Cause::InUse => format!(
                "{device} is in use by another program: close it (fuser -v /dev/video*) and try again"
            ),
            Cause::Timeout => format!(
                "{device} sent no frame in time: replug it, or try another USB port"
            ),
            Cause::NotCapture => format!(
                "{device} is not a video capture node (UVC cameras have a second, metadata node): configure the other /dev/video* of this camera"
            ),
            Cause::Unsupported => format!(
                "{device} refused the video mode: pick a size it lists (ktpel-booth selftest lists the modes)"
            ),
            Cause::Other => format!("see the driver log for {device}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UvcError {
    #[error("no camera found{}: check that the camera is plugged in (USB cable) and shows up as /dev/video*", wanted_suffix(.wanted))]
    NoCameras { wanted: String },
    #[error("no camera matches {wanted:?} (found: {}): check the camera name or index in the booth configuration", .available.join(", "))]
    NoMatch {
        wanted: String,
        available: Vec<String>,
    },
    #[error("{op} {device} failed ({detail}): {}", .cause.advice(.device))]
    Device {
        device: String,
        op: Op,
        cause: Cause,
        detail: String,
    },
    #[error("{device} offers no mode the driver can decode (it lists: {offered}): use a UVC camera with MJPEG or YUYV")]
    NoUsableMode { device: String, offered: String },
    #[error("bad frame from {device}: {source}")]
    Frame {
        device: String,
        #[source]
        source: ConvertError,
    },
    #[error("could not encode the still from {device} as JPEG: {reason}")]
    Encode { device: String, reason: String },
    #[error("the still from {device} has no usable portrait: {reason}")]
    NoPortrait { device: String, reason: String },
}

fn wanted_suffix(wanted: &str) -> String {
    if wanted.is_empty() {
        String::new()
    } else {
        format!(" (looking for {wanted:?})")
    }
}

impl UvcError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            UvcError::NoCameras { .. } | UvcError::NoMatch { .. } => ErrorKind::NotPresent,
            UvcError::Device { cause, .. } => cause.kind(),
            UvcError::NoUsableMode { .. }
            | UvcError::Frame { .. }
            | UvcError::NoPortrait { .. } => ErrorKind::BadData,
            UvcError::Encode { .. } => ErrorKind::Other,
        }
    }
}

impl From<UvcError> for DeviceError {
    fn from(e: UvcError) -> Self {
        DeviceError::new(e.kind(), e.to_string())
    }
}

/// The `errno` in an error text such as "Device or resource busy (os error 16)".
fn os_error(text: &str) -> Option<i32> {
    let start = text.rfind("os error ")? + "os error ".len();
    let digits: String = text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What a failure text says, by errno first and by wording second (some paths of the V4L2
/// bindings lose the errno).
fn cause_of(op: Op, text: &str) -> Cause {
    let lower = text.to_ascii_lowercase();
    let at_open = matches!(op, Op::Open | Op::Query);
    match os_error(text) {
        Some(2) => return if at_open { Cause::Missing } else { Cause::Gone },
        Some(19 | 6) => return if at_open { Cause::Missing } else { Cause::Gone },
        Some(5 | 32 | 108) => return Cause::Gone, // EIO, EPIPE, ESHUTDOWN
        Some(1 | 13) => return Cause::Permission,
        Some(16) => return Cause::InUse,
        Some(11 | 62 | 110) => return Cause::Timeout, // EAGAIN, ETIME, ETIMEDOUT
        Some(25) => return Cause::NotCapture,         // ENOTTY: not a V4L2 node
        Some(22) if op == Op::Configure => return Cause::Unsupported,
        _ => {}
    }
    if lower.contains("permission denied") {
        Cause::Permission
    } else if lower.contains("resource busy") {
        Cause::InUse
    } else if lower.contains("no such file") || lower.contains("no such device") {
        if at_open {
            Cause::Missing
        } else {
            Cause::Gone
        }
    } else if lower.contains("timed out") {
        Cause::Timeout
    } else {
        Cause::Other
    }
}

/// Turns a nokhwa error met while doing `op` on `device` into the driver's error.
pub fn classify(device: &str, op: Op, err: &NokhwaError) -> UvcError {
    let detail = err.to_string();
    let cause = match err {
        // The backend found no format at all on the node: not a capture device.
        NokhwaError::GetPropertyError { property, error }
            if property == "CameraFormat" && error.contains("Fufill") =>
        {
            Cause::NotCapture
        }
        NokhwaError::SetPropertyError { error, .. } => match cause_of(Op::Configure, error) {
            Cause::Other => Cause::Unsupported,
            c => c,
        },
        NokhwaError::OpenDeviceError(_, msg) => cause_of(Op::Open, msg),
        NokhwaError::OpenStreamError(msg) => cause_of(op, msg),
        NokhwaError::ReadFrameError(msg) => match cause_of(Op::ReadFrame, msg) {
            Cause::Other if msg.contains("Not Started") => Cause::Other,
            c => c,
        },
        NokhwaError::UnsupportedOperationError(_) | NokhwaError::NotImplementedError(_) => {
            Cause::Unsupported
        }
        other => cause_of(op, &other.to_string()),
    };
    UvcError::Device {
        device: device.to_string(),
        op,
        cause,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAM: &str = "camera \"HD Webcam\" (/dev/video0)";

    fn kind_of(op: Op, err: NokhwaError) -> (ErrorKind, String) {
        let e = classify(CAM, op, &err);
        let d: DeviceError = e.into();
        (d.kind, d.message)
    }

    #[test]
    fn a_missing_node_at_open_is_not_present_and_says_to_check_the_cable() {
        let (kind, msg) = kind_of(
            Op::Open,
            NokhwaError::OpenDeviceError(
                "0".into(),
                "V4L2 Error: No such file or directory (os error 2)".into(),
            ),
        );
        assert_eq!(kind, ErrorKind::NotPresent);
        assert!(
            msg.contains("/dev/video0") && msg.contains("plugged in"),
            "{msg}"
        );
    }

    #[test]
    fn a_camera_that_goes_away_while_streaming_is_disconnected() {
        for text in [
            "No such device (os error 19)",
            "Input/output error (os error 5)",
            "No such device",
        ] {
            let (kind, msg) = kind_of(Op::ReadFrame, NokhwaError::ReadFrameError(text.into()));
            assert_eq!(kind, ErrorKind::Disconnected, "{text}");
            assert!(
                msg.contains("USB cable") && msg.contains("HD Webcam"),
                "{msg}"
            );
        }
    }

    #[test]
    fn permissions_busy_and_timeouts() {
        let (kind, msg) = kind_of(
            Op::Open,
            NokhwaError::OpenDeviceError(
                "0".into(),
                "V4L2 Error: Permission denied (os error 13)".into(),
            ),
        );
        assert_eq!(kind, ErrorKind::NeedsAttention);
        assert!(msg.contains("'video' group"), "{msg}");

        let (kind, msg) = kind_of(
            Op::StartStream,
            NokhwaError::OpenStreamError("Device or resource busy (os error 16)".into()),
        );
        assert_eq!(kind, ErrorKind::Busy);
        assert!(msg.contains("another program"), "{msg}");

        let (kind, _) = kind_of(
            Op::ReadFrame,
            NokhwaError::ReadFrameError("Connection timed out (os error 110)".into()),
        );
        assert_eq!(kind, ErrorKind::Timeout);
    }

    #[test]
    fn a_metadata_node_is_not_a_capture_device() {
        let (kind, msg) = kind_of(
            Op::Open,
            NokhwaError::GetPropertyError {
                property: "CameraFormat".into(),
                error: "Failed to Fufill".into(),
            },
        );
        assert_eq!(kind, ErrorKind::NotPresent);
        assert!(msg.contains("metadata"), "{msg}");
    }

    #[test]
    fn a_refused_mode_is_bad_data() {
        let (kind, msg) = kind_of(
            Op::Configure,
            NokhwaError::SetPropertyError {
                property: "Resolution, FrameFormat".into(),
                value: "1920x1080".into(),
                error: "Invalid argument (os error 22)".into(),
            },
        );
        assert_eq!(kind, ErrorKind::BadData);
        assert!(msg.contains("refused the video mode"), "{msg}");
    }

    #[test]
    fn errno_parsing() {
        assert_eq!(os_error("x (os error 16)"), Some(16));
        assert_eq!(os_error("V4L2 Error: y (os error 2)"), Some(2));
        assert_eq!(os_error("no errno here"), None);
    }

    #[test]
    fn lookup_errors_are_not_present_and_list_what_was_found() {
        let e = UvcError::NoMatch {
            wanted: "Logitech".into(),
            available: vec!["HD Webcam (/dev/video0)".into()],
        };
        assert_eq!(e.kind(), ErrorKind::NotPresent);
        assert!(e.to_string().contains("HD Webcam (/dev/video0)"));
        let e = UvcError::NoCameras {
            wanted: String::new(),
        };
        assert_eq!(e.kind(), ErrorKind::NotPresent);
        assert!(e.to_string().contains("plugged in"));
    }
}
