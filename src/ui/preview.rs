//! The camera's live preview: a dedicated thread asks the camera for frames and hands the UI
//! only the newest one (a channel of one, frames dropped rather than queued when the UI is
//! busy), so neither the camera nor the UI ever waits for the other.

use iced::futures::SinkExt;
use iced::widget::image;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::devices::Devices;

/// Frames per second the preview asks for.
pub const TARGET_FPS: u64 = 30;

/// The devices whose camera feeds the preview; identifies the subscription.
#[derive(Clone)]
pub struct Feed(pub Arc<Mutex<Devices>>);

impl Hash for Feed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.0) as usize).hash(state);
    }
}

#[derive(Debug, Clone)]
pub enum Event {
    Frame(image::Handle),
    /// The camera failed; the message says why (the preview keeps trying).
    Failed(String),
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
    let devices = feed.0.clone();
    iced::stream::channel(1, async move |mut output| {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Event>(1);
        let spawned = std::thread::Builder::new()
            .name("camera-preview".into())
            .spawn(move || {
                let period = Duration::from_millis(1000 / TARGET_FPS);
                let mut frames = 0u32;
                let mut window = Instant::now();
                loop {
                    let started = Instant::now();
                    let frame = match devices.lock() {
                        Ok(mut d) => {
                            let _span = tracing::debug_span!("device.camera.preview").entered();
                            d.camera.preview_frame()
                        }
                        Err(_) => break,
                    };
                    let event = match frame {
                        Ok(f) => {
                            Event::Frame(image::Handle::from_rgba(f.width, f.height, rgba(&f.rgb)))
                        }
                        Err(e) => Event::Failed(e.to_string()),
                    };
                    if tx.is_closed() {
                        break;
                    }
                    // Full: the UI has not taken the last frame yet; this one is dropped.
                    if tx.try_send(event).is_ok() {
                        frames += 1;
                    }
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
            let _ = output.send(Event::Failed(e.to_string())).await;
            return;
        }
        while let Some(event) = rx.recv().await {
            if output.send(event).await.is_err() {
                break;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_becomes_opaque_rgba() {
        assert_eq!(rgba(&[1, 2, 3, 4, 5, 6]), vec![1, 2, 3, 255, 4, 5, 6, 255]);
    }
}
