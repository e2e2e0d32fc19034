//! The thin part that talks to nokhwa's V4L2 backend: listing cameras and [`UvcCamera`], the
//! hal [`Camera`]. Everything that can be decided without a device (mode choice, frame
//! conversion, error mapping, the portrait) lives in the pure modules and is tested there.
//!
//! The camera is opened on first use and dropped when it fails with `Disconnected` or
//! `NotPresent`, so the next call finds it again once it is plugged back in. A read blocks
//! until the camera delivers its next frame (nokhwa exposes no timeout): run the calls on
//! their own thread, as [`crate::PreviewWorker`] does.

use crate::config::{candidates, CameraListing, Selector, UvcConfig};
use crate::convert::{to_frame, PixelFormat};
use crate::error::{classify, Op, UvcError};
use crate::mode::{choose_mode, Mode, Size};
use ktpel_face_quality::{assess, crop_portrait, PortraitSpec};
use ktpel_hal::{
    Camera, Check, Device, DeviceInfo, DeviceKind, DeviceResult, EncodedImage, ErrorKind,
    FaceCapture, Frame, ImageFormat, Quality, SelfTestReport,
};
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType,
    Resolution,
};

/// Every format nokhwa may pick when it opens a node (we choose the real mode afterwards).
const ALL_FORMATS: [FrameFormat; 6] = [
    FrameFormat::MJPEG,
    FrameFormat::YUYV,
    FrameFormat::NV12,
    FrameFormat::RAWRGB,
    FrameFormat::RAWBGR,
    FrameFormat::GRAY,
];

fn pixel_format(f: FrameFormat) -> PixelFormat {
    match f {
        FrameFormat::MJPEG => PixelFormat::Mjpeg,
        FrameFormat::YUYV => PixelFormat::Yuyv,
        FrameFormat::NV12 => PixelFormat::Nv12,
        FrameFormat::RAWRGB => PixelFormat::Rgb24,
        FrameFormat::RAWBGR => PixelFormat::Bgr24,
        FrameFormat::GRAY => PixelFormat::Gray,
    }
}

fn frame_format(f: PixelFormat) -> FrameFormat {
    match f {
        PixelFormat::Mjpeg => FrameFormat::MJPEG,
        PixelFormat::Yuyv => FrameFormat::YUYV,
        PixelFormat::Nv12 => FrameFormat::NV12,
        PixelFormat::Rgb24 => FrameFormat::RAWRGB,
        PixelFormat::Bgr24 => FrameFormat::RAWBGR,
        PixelFormat::Gray => FrameFormat::GRAY,
    }
}

fn mode_of(f: &CameraFormat) -> Mode {
    Mode {
        format: pixel_format(f.format()),
        size: Size::new(f.width(), f.height()),
        fps: f.frame_rate(),
    }
}

fn camera_format(m: Mode) -> CameraFormat {
    CameraFormat::new(
        Resolution::new(m.size.width, m.size.height),
        frame_format(m.format),
        m.fps,
    )
}

fn label(index: u32, name: &str) -> String {
    format!("camera {name:?} (/dev/video{index})")
}

/// Opens node `index` with whatever format nokhwa picks first, and reads its modes.
fn open_node(index: u32, name: &str) -> Result<(nokhwa::Camera, Vec<Mode>), UvcError> {
    let device = label(index, name);
    let _span = tracing::debug_span!("uvc", op = "open", device = %device).entered();
    let request = RequestedFormat::with_formats(RequestedFormatType::None, &ALL_FORMATS);
    let mut camera =
        nokhwa::Camera::with_backend(CameraIndex::Index(index), request, ApiBackend::Video4Linux)
            .map_err(|e| classify(&device, Op::Open, &e))?;
    let mut modes: Vec<Mode> = camera
        .compatible_camera_formats()
        .map_err(|e| classify(&device, Op::Open, &e))?
        .iter()
        .map(mode_of)
        .filter(|m| m.fps > 0 && m.size.area() > 0)
        .collect();
    modes.sort_by_key(|m| {
        (
            std::cmp::Reverse(m.size.area()),
            m.format,
            std::cmp::Reverse(m.fps),
        )
    });
    modes.dedup();
    Ok((camera, modes))
}

/// Every V4L2 video node with its name and modes. No camera gives an empty list, not an
/// error. A node that cannot be opened is listed with the reason in `note`.
pub fn list_cameras() -> Result<Vec<CameraListing>, UvcError> {
    let _span = tracing::debug_span!("uvc", op = "list").entered();
    let nodes = nokhwa::query(ApiBackend::Video4Linux)
        .map_err(|e| classify("the V4L2 device list", Op::Query, &e))?;
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        let Ok(index) = node.index().as_index() else {
            continue;
        };
        let name = node.human_name();
        let (modes, note) = match open_node(index, &name) {
            Ok((_, modes)) => (modes, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        out.push(CameraListing {
            index,
            path: format!("/dev/video{index}"),
            name,
            modes,
            note,
        });
    }
    out.sort_by_key(|c| c.index);
    tracing::debug!(nodes = out.len(), "cameras listed");
    Ok(out)
}

/// An open camera node.
struct Open {
    camera: nokhwa::Camera,
    index: u32,
    name: String,
    modes: Vec<Mode>,
    current: Option<Mode>,
    streaming: bool,
    /// Frames still to throw away after a mode switch.
    warmup: u32,
}

impl Open {
    fn device(&self) -> String {
        label(self.index, &self.name)
    }

    /// Switches to the mode for `wanted` if the camera is not in it already.
    fn set_mode(&mut self, wanted: Size, min_fps: u32, warmup: u32) -> Result<Mode, UvcError> {
        let mode =
            choose_mode(&self.modes, wanted, min_fps).ok_or_else(|| UvcError::NoUsableMode {
                device: self.device(),
                offered: "nothing".into(),
            })?;
        if self.current == Some(mode) {
            return Ok(mode);
        }
        let device = self.device();
        let _span =
            tracing::debug_span!("uvc", op = "set_mode", device = %device, mode = %mode).entered();
        if self.streaming {
            self.camera
                .stop_stream()
                .map_err(|e| classify(&device, Op::Configure, &e))?;
            self.streaming = false;
        }
        let exact = camera_format(mode);
        let formats = [exact.format()];
        self.camera
            .set_camera_requset(RequestedFormat::with_formats(
                RequestedFormatType::Exact(exact),
                &formats,
            ))
            .map_err(|e| classify(&device, Op::Configure, &e))?;
        self.current = Some(mode);
        self.warmup = warmup;
        Ok(mode)
    }

    fn read(&mut self, mode: Mode) -> Result<Frame, UvcError> {
        let device = self.device();
        if !self.streaming {
            let _span = tracing::debug_span!("uvc", op = "open_stream", device = %device).entered();
            self.camera
                .open_stream()
                .map_err(|e| classify(&device, Op::StartStream, &e))?;
            self.streaming = true;
        }
        loop {
            let _span = tracing::trace_span!("uvc", op = "frame", device = %device).entered();
            let raw = self
                .camera
                .frame_raw()
                .map_err(|e| classify(&device, Op::ReadFrame, &e))?;
            if self.warmup > 0 {
                self.warmup -= 1;
                continue;
            }
            return to_frame(mode.format, mode.size.width, mode.size.height, &raw).map_err(
                |source| UvcError::Frame {
                    device: device.clone(),
                    source,
                },
            );
        }
    }
}

/// A UVC camera through V4L2.
pub struct UvcCamera {
    config: UvcConfig,
    open: Option<Open>,
    /// What was last seen of the device, for `info()`.
    last_seen: Option<(u32, String)>,
}

impl std::fmt::Debug for UvcCamera {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UvcCamera")
            .field("device", &self.config.device)
            .field("open", &self.open.as_ref().map(Open::device))
            .finish()
    }
}

impl UvcCamera {
    /// A driver for the configured camera; nothing is opened until the first call.
    pub fn new(config: UvcConfig) -> Self {
        Self {
            config,
            open: None,
            last_seen: None,
        }
    }

    pub fn config(&self) -> &UvcConfig {
        &self.config
    }

    /// The modes of the open camera (empty before the first call).
    pub fn modes(&self) -> Vec<Mode> {
        self.open
            .as_ref()
            .map(|o| o.modes.clone())
            .unwrap_or_default()
    }

    /// The mode the camera is in, if open.
    pub fn current_mode(&self) -> Option<Mode> {
        self.open.as_ref().and_then(|o| o.current)
    }

    /// Finds and opens the configured camera now (the hal calls do it on demand).
    pub fn connect(&mut self) -> Result<(), UvcError> {
        self.ensure_open().map(|_| ())
    }

    fn ensure_open(&mut self) -> Result<&mut Open, UvcError> {
        if self.open.is_none() {
            let selector = Selector::parse(&self.config.device);
            let cameras = list_cameras()?;
            let mut last_err = None;
            for index in candidates(&selector, &cameras)? {
                let name = cameras
                    .iter()
                    .find(|c| c.index == index)
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                match open_node(index, &name) {
                    Ok((camera, modes)) if !modes.is_empty() => {
                        tracing::info!(device = %label(index, &name), modes = modes.len(), "camera opened");
                        self.last_seen = Some((index, name.clone()));
                        self.open = Some(Open {
                            camera,
                            index,
                            name,
                            modes,
                            current: None,
                            streaming: false,
                            warmup: 0,
                        });
                        break;
                    }
                    Ok(_) => {
                        last_err = Some(UvcError::NoUsableMode {
                            device: label(index, &name),
                            offered: "no format the driver decodes".into(),
                        })
                    }
                    Err(e) => last_err = Some(e),
                }
            }
            if self.open.is_none() {
                return Err(last_err.unwrap_or(UvcError::NoCameras {
                    wanted: self.config.device.clone(),
                }));
            }
        }
        self.open.as_mut().ok_or(UvcError::NoCameras {
            wanted: self.config.device.clone(),
        })
    }

    /// Drops the node after a failure that means it is gone, so the next call looks again.
    fn settle<T>(&mut self, result: Result<T, UvcError>) -> Result<T, UvcError> {
        if let Err(e) = &result {
            if matches!(e.kind(), ErrorKind::Disconnected | ErrorKind::NotPresent) {
                tracing::warn!(error = %e, "camera lost; it will be looked for again");
                self.open = None;
            }
        }
        result
    }

    /// One frame at the mode chosen for `wanted`.
    pub fn grab(&mut self, wanted: Size) -> Result<Frame, UvcError> {
        let (min_fps, warmup) = (self.config.min_fps, self.config.warmup_frames);
        let result = self.ensure_open().and_then(|open| {
            let mode = open.set_mode(wanted, min_fps, warmup)?;
            open.read(mode)
        });
        self.settle(result)
    }

    fn device_label(&self) -> String {
        match &self.last_seen {
            Some((index, name)) => label(*index, name),
            None if self.config.device.is_empty() => "the camera".into(),
            None => format!("camera {:?}", self.config.device),
        }
    }

    /// The still as stored: the ICAO portrait crop (if configured) as JPEG, and its quality.
    fn still(&mut self) -> Result<FaceCapture, UvcError> {
        let frame = self.grab(self.config.still)?;
        let device = self.device_label();
        let image = image::RgbImage::from_raw(frame.width, frame.height, frame.rgb).ok_or(
            UvcError::Encode {
                device: device.clone(),
                reason: "frame buffer does not match its size".into(),
            },
        )?;
        let (image, score) = if self.config.portrait {
            let found = assess(&image);
            let face = match (found.faces, found.face) {
                (1, Some(face)) => face,
                _ => {
                    return Err(UvcError::NoPortrait {
                        device,
                        reason: found.summary(),
                    })
                }
            };
            let portrait = crop_portrait(&image, &face, &PortraitSpec::default()).map_err(|e| {
                UvcError::NoPortrait {
                    device: device.clone(),
                    reason: e.to_string(),
                }
            })?;
            let score = assess(&portrait).score;
            (portrait, score)
        } else {
            let score = assess(&image).score;
            (image, score)
        };
        let (width, height) = image.dimensions();
        let mut bytes = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut bytes,
            self.config.jpeg_quality.clamp(1, 100),
        )
        .encode_image(&image)
        .map_err(|e| UvcError::Encode {
            device,
            reason: e.to_string(),
        })?;
        Ok(FaceCapture {
            image: EncodedImage {
                format: ImageFormat::Jpeg,
                width,
                height,
                bytes,
            },
            quality: Quality(score.clamp(1, 100)),
        })
    }
}

impl Device for UvcCamera {
    fn info(&self) -> DeviceInfo {
        let (model, serial) = match &self.last_seen {
            Some((index, name)) => (name.clone(), format!("/dev/video{index}")),
            None => (
                format!("UVC camera {:?} (not opened yet)", self.config.device),
                String::new(),
            ),
        };
        DeviceInfo {
            kind: DeviceKind::Camera,
            driver: "uvc".into(),
            model,
            serial,
            firmware: "n/a (V4L2 uvcvideo)".into(),
        }
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span = tracing::debug_span!("uvc", op = "self_test").entered();
        // Not found at all: the device cannot be reached.
        self.connect()?;
        let mut checks = Vec::new();
        let modes = self.modes();
        let min_fps = self.config.min_fps;
        let preview_mode = choose_mode(&modes, self.config.preview, min_fps);
        let still_mode = choose_mode(&modes, self.config.still, min_fps);
        checks.push(Check::new(
            "modes",
            preview_mode.is_some(),
            format!(
                "{} modes; preview {}; still {}",
                modes.len(),
                preview_mode.map_or("none".into(), |m| m.to_string()),
                still_mode.map_or("none".into(), |m| m.to_string()),
            ),
        ));
        if let Some(m) = preview_mode {
            checks.push(Check::new(
                "preview frame rate",
                m.fps >= min_fps,
                format!("{} fps (want {min_fps})", m.fps),
            ));
        }
        for (name, wanted) in [
            ("preview", self.config.preview),
            ("still", self.config.still),
        ] {
            match self.grab(wanted) {
                Ok(frame) => {
                    let spread = luma_spread(&frame);
                    checks.push(Check::new(
                        &format!("{name} frame"),
                        Size::new(frame.width, frame.height).covers(wanted),
                        format!("{}x{} (configured {wanted})", frame.width, frame.height),
                    ));
                    checks.push(Check::new(
                        &format!("{name} contrast"),
                        spread >= 12.0,
                        format!("luminance spread {spread:.0} (lens cap on or no light below 12)"),
                    ));
                }
                Err(e) => checks.push(Check::failed(name, e.kind(), e.to_string())),
            }
        }
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

/// The standard deviation of the frame's luminance.
fn luma_spread(frame: &Frame) -> f64 {
    let n = (frame.rgb.len() / 3).max(1) as f64;
    let (mut sum, mut sq) = (0.0, 0.0);
    for p in frame.rgb.chunks_exact(3) {
        let y = 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]);
        sum += y;
        sq += y * y;
    }
    let mean = sum / n;
    (sq / n - mean * mean).max(0.0).sqrt()
}

impl Camera for UvcCamera {
    fn preview_frame(&mut self) -> DeviceResult<Frame> {
        let _span = tracing::debug_span!("uvc", op = "preview_frame").entered();
        Ok(self.grab(self.config.preview)?)
    }

    fn capture_face(&mut self) -> DeviceResult<FaceCapture> {
        let _span = tracing::debug_span!("uvc", op = "capture_face").entered();
        let capture = self.still()?;
        tracing::debug!(
            width = capture.image.width,
            height = capture.image.height,
            quality = capture.quality.0,
            "still captured"
        );
        Ok(capture)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// This machine has no camera (and none can be made): listing is empty, not an error,
    /// and every call on a configured camera is `NotPresent` with a message to act on.
    /// On a machine with a camera the first assertion says so rather than passing silently.
    #[test]
    fn without_a_camera_listing_is_empty_and_calls_are_not_present() {
        let cameras = list_cameras().unwrap();
        if !cameras.is_empty() {
            eprintln!(
                "skipped: this machine has cameras ({:?}); the test needs one without",
                cameras.iter().map(CameraListing::label).collect::<Vec<_>>()
            );
            return;
        }
        for device in ["", "0", "/dev/video0", "HD Webcam"] {
            let mut cam = UvcCamera::new(UvcConfig {
                device: device.into(),
                ..UvcConfig::default()
            });
            let err = cam.preview_frame().unwrap_err();
            assert_eq!(err.kind, ErrorKind::NotPresent, "{device}: {err}");
            assert!(err.message.contains("plugged in"), "{}", err.message);
            let err = cam.capture_face().unwrap_err();
            assert_eq!(err.kind, ErrorKind::NotPresent);
            let err = cam.self_test().unwrap_err();
            assert_eq!(err.kind, ErrorKind::NotPresent);
            assert_eq!(cam.info().kind, DeviceKind::Camera);
            assert_eq!(cam.info().driver, "uvc");
        }
    }

    /// Opening a node directly (bypassing the listing) fails as "missing", naming the node.
    #[test]
    fn opening_a_missing_node_names_it() {
        let node = (0..64u32)
            .find(|n| !std::path::Path::new(&format!("/dev/video{n}")).exists())
            .unwrap();
        let Err(err) = open_node(node, "HD Webcam") else {
            panic!("/dev/video{node} does not exist, yet it opened");
        };
        assert_eq!(err.kind(), ErrorKind::NotPresent);
        let text = err.to_string();
        assert!(
            text.contains(&format!("/dev/video{node}")) && text.contains("HD Webcam"),
            "{text}"
        );
    }

    #[test]
    fn formats_map_both_ways() {
        for f in PixelFormat::PREFERENCE {
            assert_eq!(pixel_format(frame_format(f)), f);
        }
        let m = Mode {
            format: PixelFormat::Yuyv,
            size: Size::new(1280, 720),
            fps: 10,
        };
        assert_eq!(mode_of(&camera_format(m)), m);
    }

    #[test]
    fn spread_tells_a_capped_lens_from_a_scene() {
        let flat = Frame {
            width: 4,
            height: 1,
            rgb: vec![20; 12],
        };
        assert!(luma_spread(&flat) < 1.0);
        let scene = Frame {
            width: 2,
            height: 1,
            rgb: vec![0, 0, 0, 255, 255, 255],
        };
        assert!(luma_spread(&scene) > 100.0);
    }
}
