//! What the booth configures for its camera, and how the configured device is found among the
//! cameras present (a pure function of the listing, so it is tested without hardware).

use crate::error::UvcError;
use crate::mode::{Mode, Size};
use serde::{Deserialize, Serialize};

/// The camera section of the booth configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UvcConfig {
    /// Which camera: empty for the first one that captures video; a number `N` or a path
    /// `/dev/videoN` (or a `/dev/v4l/by-id/...` link, stable across reboots and ports) for
    /// that node; anything else is matched against the camera names (exact first, then
    /// case-insensitive substring).
    pub device: String,
    /// The live preview size (the kiosk scales it to its widget).
    pub preview: Size,
    /// The size of the still; the largest the booth asks of the camera.
    pub still: Size,
    /// The preview frame rate to aim for when choosing a mode.
    pub min_fps: u32,
    /// Frames thrown away after the camera switches mode (auto-exposure settles meanwhile).
    pub warmup_frames: u32,
    /// JPEG quality of the stored still, 1–100.
    pub jpeg_quality: u8,
    /// Crop the still to the ICAO-style portrait (3:4, head centred); with `false` the whole
    /// frame is stored.
    pub portrait: bool,
}

impl Default for UvcConfig {
    fn default() -> Self {
        Self {
            device: String::new(),
            preview: Size::new(640, 480),
            still: Size::new(1280, 720),
            min_fps: 25,
            warmup_frames: 5,
            jpeg_quality: 92,
            portrait: true,
        }
    }
}

/// How a camera is named in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The first camera that captures video.
    First,
    /// `/dev/videoN`.
    Index(u32),
    /// A name (exact, else case-insensitive substring).
    Name(String),
}

impl Selector {
    /// Reads the configured `device` string. Symbolic links (`/dev/v4l/by-id/...`) are
    /// resolved to the node they point at.
    pub fn parse(device: &str) -> Selector {
        let device = device.trim();
        if device.is_empty() {
            return Selector::First;
        }
        if let Ok(n) = device.parse::<u32>() {
            return Selector::Index(n);
        }
        if device.starts_with('/') {
            let resolved = std::fs::canonicalize(device)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| device.to_string());
            if let Some(n) = resolved
                .strip_prefix("/dev/video")
                .and_then(|n| n.parse::<u32>().ok())
            {
                return Selector::Index(n);
            }
        }
        Selector::Name(device.to_string())
    }
}

/// One camera node as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraListing {
    /// N of `/dev/videoN`.
    pub index: u32,
    pub name: String,
    /// `/dev/videoN`.
    pub path: String,
    /// Every mode the node offers in a format the driver decodes (empty for a node that does
    /// not capture video, or that could not be opened: see `note`).
    pub modes: Vec<Mode>,
    /// Why the modes could not be read, if they could not.
    pub note: Option<String>,
}

impl CameraListing {
    /// "name (/dev/videoN)".
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.path)
    }

    /// Whether the node captures video in a format the driver decodes.
    pub fn captures(&self) -> bool {
        !self.modes.is_empty()
    }
}

/// The indices to try for `selector`, best first. A node whose modes could not be read stays
/// a candidate (it may be free by the time it is opened) unless it plainly is not a capture
/// node; nodes that capture come first.
pub fn candidates(selector: &Selector, cameras: &[CameraListing]) -> Result<Vec<u32>, UvcError> {
    let wanted = match selector {
        Selector::First => String::new(),
        Selector::Index(n) => format!("/dev/video{n}"),
        Selector::Name(s) => s.clone(),
    };
    if cameras.is_empty() {
        return Err(UvcError::NoCameras { wanted });
    }
    let mut found: Vec<&CameraListing> = match selector {
        Selector::First => cameras.iter().collect(),
        Selector::Index(n) => cameras.iter().filter(|c| c.index == *n).collect(),
        Selector::Name(name) => {
            let exact: Vec<_> = cameras.iter().filter(|c| c.name == *name).collect();
            if exact.is_empty() {
                let lower = name.to_lowercase();
                cameras
                    .iter()
                    .filter(|c| c.name.to_lowercase().contains(&lower))
                    .collect()
            } else {
                exact
            }
        }
    };
    // Capturing nodes first, then by index.
    found.sort_by_key(|c| (!c.captures(), c.index));
    if found.is_empty() {
        return Err(UvcError::NoMatch {
            wanted,
            available: cameras.iter().map(CameraListing::label).collect(),
        });
    }
    Ok(found.iter().map(|c| c.index).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::convert::PixelFormat;
    use ktpel_hal::{DeviceError, ErrorKind};

    fn cam(index: u32, name: &str, captures: bool) -> CameraListing {
        CameraListing {
            index,
            name: name.into(),
            path: format!("/dev/video{index}"),
            modes: if captures {
                vec![Mode {
                    format: PixelFormat::Mjpeg,
                    size: Size::new(640, 480),
                    fps: 30,
                }]
            } else {
                vec![]
            },
            note: None,
        }
    }

    /// Two UVC cameras, each with its metadata node.
    fn booth() -> Vec<CameraListing> {
        vec![
            cam(0, "Integrated Camera", true),
            cam(1, "Integrated Camera", false),
            cam(2, "Logitech BRIO", true),
            cam(3, "Logitech BRIO", false),
        ]
    }

    #[test]
    fn selectors_parse() {
        assert_eq!(Selector::parse(""), Selector::First);
        assert_eq!(Selector::parse(" 2 "), Selector::Index(2));
        assert_eq!(Selector::parse("/dev/video4"), Selector::Index(4));
        assert_eq!(
            Selector::parse("Logitech BRIO"),
            Selector::Name("Logitech BRIO".into())
        );
        // A by-id link that does not exist on this machine stays a name to match.
        assert!(matches!(
            Selector::parse("/dev/v4l/by-id/usb-none-video-index0"),
            Selector::Name(_)
        ));
    }

    #[test]
    fn names_match_exactly_then_by_substring_capture_nodes_first() {
        let cams = booth();
        assert_eq!(
            candidates(&Selector::Name("Logitech BRIO".into()), &cams).unwrap(),
            vec![2, 3]
        );
        assert_eq!(
            candidates(&Selector::Name("brio".into()), &cams).unwrap(),
            vec![2, 3]
        );
        assert_eq!(
            candidates(&Selector::First, &cams).unwrap(),
            vec![0, 2, 1, 3]
        );
        assert_eq!(candidates(&Selector::Index(3), &cams).unwrap(), vec![3]);
    }

    #[test]
    fn nothing_plugged_in_is_not_present() {
        let err = candidates(&Selector::First, &[]).unwrap_err();
        let d: DeviceError = err.into();
        assert_eq!(d.kind, ErrorKind::NotPresent);
        assert!(d.message.contains("no camera found"), "{}", d.message);
        let err = candidates(&Selector::Index(0), &[]).unwrap_err();
        assert!(err.to_string().contains("/dev/video0"), "{err}");
    }

    #[test]
    fn an_unknown_name_lists_what_is_there() {
        let err = candidates(&Selector::Name("Canon".into()), &booth()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotPresent);
        let text = err.to_string();
        assert!(text.contains("\"Canon\"") && text.contains("Logitech BRIO (/dev/video2)"));
        let err = candidates(&Selector::Index(9), &booth()).unwrap_err();
        assert!(err.to_string().contains("/dev/video9"));
    }

    #[test]
    fn config_defaults_ask_for_a_still_at_least_as_large_as_the_preview() {
        let c = UvcConfig::default();
        assert_eq!(c.preview, Size::new(640, 480));
        assert!(c.still.covers(c.preview));
        assert!(c.portrait);
    }
}
