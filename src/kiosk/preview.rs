//! The camera's live preview: a dedicated thread asks the camera's worker for frames and hands
//! the UI only the newest one (a slot that each new frame overwrites: when the UI is busy the frame
//! it has not taken yet is dropped for the fresher one, never queued), so neither the camera
//! nor the UI ever waits for the other.

use iced::futures::SinkExt;
use iced::widget::image;
use ktpel_hal::Camera;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use crate::booth::devices::Worker;

/// Frames per second the preview asks for.
pub const TARGET_FPS: u64 = 30;

/// How often a frame is searched for a QR code while scanning (every n-th frame).
const SCAN_EVERY: u32 = 5;

/// The camera (its worker) that feeds the preview, and whether frames are searched for a QR
/// code; identifies the subscription.
#[derive(Clone)]
pub struct Feed {
    pub camera: Worker<dyn Camera>,
    pub scan_qr: bool,
    /// Judge every few frames as a portrait (face found, centred, level, lit, sharp).
    pub assess_face: bool,
}

impl Hash for Feed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.camera.id().hash(state);
        self.scan_qr.hash(state);
        self.assess_face.hash(state);
    }
}

/// How often a frame is judged as a portrait (every n-th frame; about 7 ms each).
const ASSESS_EVERY: u32 = 3;

/// The live verdict on the framing, for the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaceCheck {
    pub ok: bool,
    pub score: u8,
    /// What to tell the applicant first (a `face-<key>` translation), when not ok.
    pub advice: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub enum Event {
    Frame(image::Handle),
    /// The camera failed (the preview keeps trying).
    Failed(ktpel_hal::DeviceError),
    /// A QR code was read (only while scanning).
    Scanned(String),
    /// The framing of the face (only while assessing).
    Face(FaceCheck),
}

/// The text of the first QR code found in an RGB8 frame.
pub fn find_qr(frame: &ktpel_hal::Frame) -> Option<String> {
    let (w, h) = (frame.width as usize, frame.height as usize);
    if frame.rgb.len() < w * h * 3 || w == 0 || h == 0 {
        return None;
    }
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let i = (y * w + x) * 3;
        let (r, g, b) = (
            u16::from(frame.rgb[i]),
            u16::from(frame.rgb[i + 1]),
            u16::from(frame.rgb[i + 2]),
        );
        ((r * 77 + g * 150 + b * 29) >> 8) as u8
    });
    prepared
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, content)| content))
}

/// RGB8 → RGBA8 for the image widget.
pub fn rgba(rgb: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgb.len() / 3 * 4);
    for px in rgb.chunks_exact(3) {
        out.extend_from_slice(&[px[0], px[1], px[2], 255]);
    }
    out
}

pub fn stream(feed: &Feed) -> impl iced::futures::Stream<Item = Event> {
    let camera = feed.camera.clone();
    let scan_qr = feed.scan_qr;
    let assess_face = feed.assess_face;
    iced::stream::channel(1, async move |mut output| {
        // Frames go through a slot of one that the newest frame overwrites (a busy UI sees
        // the freshest picture, not a stale one); framing verdicts and read codes have their
        // own small channel, so they never take a frame's place.
        let (tx, mut rx) = tokio::sync::watch::channel::<Option<Event>>(None);
        let (side_tx, mut side_rx) = tokio::sync::mpsc::channel::<Event>(4);
        let spawned = std::thread::Builder::new()
            .name("camera-preview".into())
            .spawn(move || {
                let period = Duration::from_millis(1000 / TARGET_FPS);
                let mut frames = 0u32;
                let mut taken = 0u32;
                let mut window = Instant::now();
                loop {
                    let started = Instant::now();
                    let frame = {
                        let _span = tracing::debug_span!("device.camera.preview").entered();
                        camera.call_blocking(|c| c.preview_frame()).and_then(|f| f)
                    };
                    taken = taken.wrapping_add(1);
                    let scanned = match &frame {
                        Ok(f) if scan_qr && taken % SCAN_EVERY == 1 => find_qr(f),
                        _ => None,
                    };
                    let face = match &frame {
                        Ok(f) if assess_face && taken % ASSESS_EVERY == 1 => {
                            let t = ktpel_face_quality::Thresholds::default();
                            ktpel_face_quality::assess_frame(f, &t)
                                .ok()
                                .map(|a| FaceCheck {
                                    ok: a.ok,
                                    score: a.score,
                                    advice: a.advice().map(|x| x.key()),
                                })
                        }
                        _ => None,
                    };
                    let event = match frame {
                        Ok(f) => {
                            Event::Frame(image::Handle::from_rgba(f.width, f.height, rgba(&f.rgb)))
                        }
                        Err(e) => Event::Failed(e),
                    };
                    if tx.is_closed() {
                        break;
                    }
                    if let Some(check) = face {
                        // Dropping a verdict when the UI is behind is harmless: another follows.
                        let _ = side_tx.try_send(Event::Face(check));
                    }
                    if let Some(text) = scanned {
                        // A read code must not be dropped like a frame.
                        if side_tx.blocking_send(Event::Scanned(text)).is_err() {
                            break;
                        }
                    }
                    // The UI not having taken the previous frame yet drops that one: the
                    // preview always shows what the camera sees now.
                    tx.send_replace(Some(event));
                    frames += 1;
                    if window.elapsed() >= Duration::from_secs(5) {
                        tracing::debug!(
                            fps = f64::from(frames) / window.elapsed().as_secs_f64(),
                            "camera preview"
                        );
                        frames = 0;
                        window = Instant::now();
                    }
                    if let Some(rest) = period.checked_sub(started.elapsed()) {
                        std::thread::sleep(rest);
                    }
                }
            });
        if let Err(e) = spawned {
            let _ = output
                .send(Event::Failed(ktpel_hal::DeviceError::other(format!(
                    "the preview thread could not start: {e}"
                ))))
                .await;
            return;
        }
        loop {
            let event = tokio::select! {
                Ok(()) = rx.changed() => match rx.borrow_and_update().clone() {
                    Some(e) => e,
                    None => continue,
                },
                Some(e) = side_rx.recv() => e,
                else => break,
            };
            if output.send(event).await.is_err() {
                break;
            }
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_qr_held_up_to_the_camera_is_read() {
        let code = qrcode::QrCode::new(b"2611250100015").unwrap();
        let modules = code.width();
        let colors = code.to_colors();
        let (w, h, scale, off) = (640usize, 480usize, 6usize, 120usize);
        let mut rgb = vec![235u8; w * h * 3];
        for y in 0..modules {
            for x in 0..modules {
                if colors[y * modules + x] == qrcode::Color::Dark {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let i = ((off + y * scale + dy) * w + off + x * scale + dx) * 3;
                            rgb[i..i + 3].copy_from_slice(&[20, 20, 20]);
                        }
                    }
                }
            }
        }
        let frame = ktpel_hal::Frame {
            width: w as u32,
            height: h as u32,
            rgb,
        };
        assert_eq!(find_qr(&frame).as_deref(), Some("2611250100015"));
        let blank = ktpel_hal::Frame {
            width: 64,
            height: 48,
            rgb: vec![200; 64 * 48 * 3],
        };
        assert_eq!(find_qr(&blank), None);
        let short = ktpel_hal::Frame {
            width: 64,
            height: 48,
            rgb: vec![200; 10],
        };
        assert_eq!(
            find_qr(&short),
            None,
            "a truncated frame is not read past its end"
        );
    }

    /// A camera whose every frame is one pixel wide per frame taken so far, so a test can tell
    /// which frame reached it.
    struct Numbered(std::sync::Arc<std::sync::atomic::AtomicU32>);

    impl ktpel_hal::Device for Numbered {
        fn info(&self) -> ktpel_hal::DeviceInfo {
            ktpel_hal::DeviceInfo {
                kind: ktpel_hal::DeviceKind::Camera,
                driver: "test".into(),
                model: "numbered frames".into(),
                serial: String::new(),
                firmware: String::new(),
            }
        }
        fn self_test(&mut self) -> ktpel_hal::DeviceResult<ktpel_hal::SelfTestReport> {
            Err(ktpel_hal::DeviceError::other("not tested here"))
        }
    }

    impl ktpel_hal::Camera for Numbered {
        fn preview_frame(&mut self) -> ktpel_hal::DeviceResult<ktpel_hal::Frame> {
            let n = self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            Ok(ktpel_hal::Frame {
                width: n,
                height: 1,
                rgb: vec![128; n as usize * 3],
            })
        }
        fn capture_face(&mut self) -> ktpel_hal::DeviceResult<ktpel_hal::FaceCapture> {
            Err(ktpel_hal::DeviceError::other("no stills here"))
        }
    }

    fn frame_number(event: Option<Event>) -> u32 {
        match event {
            Some(Event::Frame(image::Handle::Rgba { width, .. })) => width,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_busy_ui_is_shown_the_newest_frame_not_a_stale_one() {
        use iced::futures::StreamExt;
        let taken = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let camera: Box<dyn Camera> = Box::new(Numbered(taken.clone()));
        let feed = Feed {
            camera: Worker::spawn(ktpel_hal::DeviceKind::Camera, camera),
            scan_qr: false,
            assess_face: false,
        };
        let mut stream = std::pin::pin!(stream(&feed));
        let first = frame_number(stream.next().await);
        // The UI is busy while the camera takes ten more frames (however slow the machine).
        let deadline = Instant::now() + Duration::from_secs(20);
        while taken.load(std::sync::atomic::Ordering::SeqCst) < first + 11 {
            assert!(
                Instant::now() < deadline,
                "the camera thread took no frames"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let after = frame_number(stream.next().await);
        // A queue would hand over the frame taken right after `first`; the slot holds the
        // newest (at least the tenth after `first`, the eleventh may still be on its way).
        assert!(
            after >= first + 10,
            "after a busy spell the UI got frame {after} (first {first}): stale frames were queued"
        );
    }

    #[test]
    fn rgb_becomes_opaque_rgba() {
        assert_eq!(rgba(&[1, 2, 3, 4, 5, 6]), vec![1, 2, 3, 255, 4, 5, 6, 255]);
    }
}
