//! The live preview worker, for any [`ktpel_hal::Camera`]: a thread asks the camera for frames
//! and leaves only the newest in a slot of one. The producer overwrites the slot, so a slow
//! consumer never finds a queue, only the latest frame (and a count of the ones it missed).
//!
//! - **Errors surface once.** When the camera fails, the error is put in the slot once; the
//!   worker keeps retrying every `retry_after` without repeating it (unless the kind of
//!   failure changes). The first good frame ends the episode, so a later failure is reported
//!   again.
//! - **Stopping.** [`PreviewWorker::stop`] stops the thread and waits for it;
//!   dropping the worker stops it without waiting (the UI thread never blocks on a camera
//!   that hangs in a read). Consumers learn it through [`PreviewReceiver::is_running`].
//! - **Sharing the camera.** [`PreviewWorker::spawn`] takes the camera behind an
//!   `Arc<Mutex<_>>`, so the still can be taken with the same camera between two preview
//!   frames; [`PreviewWorker::spawn_with`] takes any frame source.

use ktpel_hal::{Camera, DeviceError, DeviceResult, ErrorKind, Frame};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How the worker paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewOptions {
    /// At most this many frames per second (`None`: as fast as the camera delivers; a real
    /// camera blocks until its next frame, a simulated one does not).
    pub max_fps: Option<u32>,
    /// How long to wait before asking a failed camera again.
    pub retry_after: Duration,
}

impl Default for PreviewOptions {
    fn default() -> Self {
        Self {
            max_fps: Some(30),
            retry_after: Duration::from_millis(500),
        }
    }
}

/// A frame from the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewFrame {
    pub frame: Frame,
    /// 1 for the first frame the worker produced, then counting up.
    pub seq: u64,
    /// Frames overwritten since the consumer last took one (what it missed).
    pub missed: u64,
    /// When the camera handed it over.
    pub captured_at: Instant,
}

/// What a consumer takes from the slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviewEvent {
    Frame(PreviewFrame),
    /// The camera failed; the worker keeps retrying and says so only once per failure.
    Failed(DeviceError),
}

/// Counters of the worker since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PreviewStats {
    /// Frames put in the slot.
    pub published: u64,
    /// Frames overwritten before anyone took them.
    pub dropped: u64,
    /// Frames taken by consumers.
    pub taken: u64,
    /// Camera calls that failed (reported or not).
    pub failures: u64,
    /// Failures put in the slot.
    pub errors_reported: u64,
}

#[derive(Default)]
struct Slot {
    frame: Option<PreviewFrame>,
    error: Option<DeviceError>,
    missed: u64,
    stats: PreviewStats,
    stopped: bool,
}

struct Shared {
    slot: Mutex<Slot>,
    changed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sleeps up to `d`, waking early when asked to stop.
    fn pause(&self, d: Duration) {
        let guard = self.lock();
        let _ = self
            .changed
            .wait_timeout_while(guard, d, |_| !self.stop.load(Ordering::Acquire));
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }
}

/// Marks the slot stopped when the worker thread ends, even by a panic in the camera code.
struct StoppedOnExit(Arc<Shared>);

impl Drop for StoppedOnExit {
    fn drop(&mut self) {
        self.0.lock().stopped = true;
        self.0.changed.notify_all();
    }
}

/// The consumer's side: cheap to clone, one per place that shows or analyses frames.
#[derive(Clone)]
pub struct PreviewReceiver {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for PreviewReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewReceiver")
            .field("stats", &self.stats())
            .finish()
    }
}

impl PreviewReceiver {
    fn take_from(slot: &mut Slot) -> Option<PreviewEvent> {
        if let Some(e) = slot.error.take() {
            return Some(PreviewEvent::Failed(e));
        }
        let mut frame = slot.frame.take()?;
        frame.missed = std::mem::take(&mut slot.missed);
        slot.stats.taken += 1;
        Some(PreviewEvent::Frame(frame))
    }

    /// The pending event, if any, without waiting: an error not yet seen, else the newest
    /// frame not yet taken.
    pub fn try_take(&self) -> Option<PreviewEvent> {
        Self::take_from(&mut self.shared.lock())
    }

    /// Waits up to `timeout` for an event; `None` on timeout or once the worker has stopped
    /// and nothing is left.
    pub fn take_timeout(&self, timeout: Duration) -> Option<PreviewEvent> {
        let deadline = Instant::now() + timeout;
        let mut slot = self.shared.lock();
        loop {
            if let Some(event) = Self::take_from(&mut slot) {
                return Some(event);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            if slot.stopped || left.is_zero() {
                return None;
            }
            slot = self
                .shared
                .changed
                .wait_timeout(slot, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Whether the worker thread is still running.
    pub fn is_running(&self) -> bool {
        !self.shared.lock().stopped
    }

    pub fn stats(&self) -> PreviewStats {
        self.shared.lock().stats
    }
}

/// The worker: owns the preview thread. Dropping it stops the thread without waiting.
pub struct PreviewWorker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for PreviewWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreviewWorker")
            .field("stats", &self.receiver().stats())
            .finish()
    }
}

impl PreviewWorker {
    /// Streams `camera`'s preview frames. The camera is locked only for each
    /// `preview_frame` call, so others may use it (for the still) in between.
    pub fn spawn<C>(camera: Arc<Mutex<C>>, options: PreviewOptions) -> std::io::Result<Self>
    where
        C: Camera + ?Sized + 'static,
    {
        Self::spawn_with(
            move || {
                let mut camera = camera.lock().unwrap_or_else(PoisonError::into_inner);
                camera.preview_frame()
            },
            options,
        )
    }

    /// Streams frames from any source (one call per frame).
    pub fn spawn_with<F>(mut source: F, options: PreviewOptions) -> std::io::Result<Self>
    where
        F: FnMut() -> DeviceResult<Frame> + Send + 'static,
    {
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::default()),
            changed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("camera-preview".into())
            .spawn(move || {
                let _exit = StoppedOnExit(worker.clone());
                run(&worker, &mut source, options);
            })?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// A handle for consumers.
    pub fn receiver(&self) -> PreviewReceiver {
        PreviewReceiver {
            shared: self.shared.clone(),
        }
    }

    fn signal_stop(&self) {
        self.shared.stop.store(true, Ordering::Release);
        // Take the lock so a `pause` that checked the flag is already waiting.
        drop(self.shared.lock());
        self.shared.changed.notify_all();
    }

    /// Stops the thread and waits for it (at most one camera call plus a little).
    pub fn stop(mut self) {
        self.signal_stop();
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                tracing::warn!("camera preview thread panicked");
            }
        }
    }
}

impl Drop for PreviewWorker {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

fn run<F>(shared: &Shared, source: &mut F, options: PreviewOptions)
where
    F: FnMut() -> DeviceResult<Frame>,
{
    let period = options
        .max_fps
        .filter(|f| *f > 0)
        .map(|f| Duration::from_secs(1) / f);
    let mut seq = 0u64;
    // The kind of the failure episode in progress, if any.
    let mut failing: Option<ErrorKind> = None;
    let mut window = (Instant::now(), 0u32);
    while !shared.stopping() {
        let started = Instant::now();
        let result = {
            let _span = tracing::debug_span!("camera_preview", op = "preview_frame").entered();
            source()
        };
        if shared.stopping() {
            break;
        }
        match result {
            Ok(frame) => {
                seq += 1;
                if failing.take().is_some() {
                    tracing::info!("camera preview recovered");
                }
                let mut slot = shared.lock();
                if slot.frame.is_some() {
                    slot.stats.dropped += 1;
                    slot.missed += 1;
                }
                slot.stats.published += 1;
                slot.frame = Some(PreviewFrame {
                    frame,
                    seq,
                    missed: 0,
                    captured_at: Instant::now(),
                });
                drop(slot);
                shared.changed.notify_all();
                window.1 += 1;
                if window.0.elapsed() >= Duration::from_secs(10) {
                    tracing::debug!(
                        fps = f64::from(window.1) / window.0.elapsed().as_secs_f64(),
                        "camera preview"
                    );
                    window = (Instant::now(), 0);
                }
            }
            Err(e) => {
                let mut slot = shared.lock();
                slot.stats.failures += 1;
                if failing != Some(e.kind) {
                    tracing::warn!(kind = %e.kind, error = %e.message, "camera preview failed");
                    failing = Some(e.kind);
                    slot.stats.errors_reported += 1;
                    // The frame still in the slot is older than the failure: let it go.
                    if slot.frame.take().is_some() {
                        slot.stats.dropped += 1;
                    }
                    slot.error = Some(e);
                    drop(slot);
                    shared.changed.notify_all();
                } else {
                    drop(slot);
                }
                shared.pause(options.retry_after);
                continue;
            }
        }
        if let Some(rest) = period.and_then(|p| p.checked_sub(started.elapsed())) {
            shared.pause(rest);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use ktpel_sim::{Fault, SimCamera};

    const WAIT: Duration = Duration::from_secs(5);

    fn fast() -> PreviewOptions {
        PreviewOptions {
            max_fps: None,
            retry_after: Duration::from_millis(5),
        }
    }

    fn frame_of(event: Option<PreviewEvent>) -> PreviewFrame {
        match event {
            Some(PreviewEvent::Frame(f)) => f,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    /// Waits until `cond` holds (or fails the test after `WAIT`).
    fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
        let deadline = Instant::now() + WAIT;
        while !cond() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    #[test]
    fn frames_arrive_from_a_simulated_camera() {
        let camera = Arc::new(Mutex::new(SimCamera::new(7)));
        let worker = PreviewWorker::spawn(camera, fast()).unwrap();
        let rx = worker.receiver();
        let f = frame_of(rx.take_timeout(WAIT));
        assert_eq!((f.frame.width, f.frame.height), (640, 480));
        assert_eq!(f.frame.rgb.len(), 640 * 480 * 3);
        let g = frame_of(rx.take_timeout(WAIT));
        assert!(g.seq > f.seq);
        worker.stop();
    }

    #[test]
    fn a_slow_consumer_finds_one_frame_not_a_queue() {
        let camera = Arc::new(Mutex::new(SimCamera::new(1)));
        let worker = PreviewWorker::spawn(camera, fast()).unwrap();
        let rx = worker.receiver();
        // Nobody takes anything while the camera produces many frames.
        eventually("20 frames", || rx.stats().published >= 20);
        worker.stop();
        let stats = rx.stats();
        // Everything but the newest was dropped, and only the newest can be taken.
        assert_eq!(stats.dropped, stats.published - 1);
        let f = frame_of(rx.try_take());
        assert_eq!(f.seq, stats.published);
        assert_eq!(f.missed, stats.published - 1);
        assert_eq!(rx.try_take(), None);
        assert!(!rx.is_running());
    }

    #[test]
    fn a_consumer_always_gets_the_newest_frame() {
        let camera = Arc::new(Mutex::new(SimCamera::new(2)));
        let worker = PreviewWorker::spawn(camera, fast()).unwrap();
        let rx = worker.receiver();
        let mut last = 0;
        for _ in 0..5 {
            // Slower than the camera: frames pile up behind our back.
            std::thread::sleep(Duration::from_millis(30));
            let published_before = rx.stats().published;
            let f = frame_of(rx.take_timeout(WAIT));
            assert!(f.seq >= published_before, "{} < {published_before}", f.seq);
            assert!(f.seq > last);
            last = f.seq;
        }
        assert!(
            rx.stats().dropped > 0,
            "the consumer was slow: frames were dropped"
        );
        worker.stop();
    }

    #[test]
    fn a_camera_that_fails_mid_stream_reports_once_and_recovers() {
        let camera = SimCamera::new(3);
        let control = camera.control();
        control.script(vec![Fault::Pass, Fault::Pass, Fault::Unplugged]);
        let worker = PreviewWorker::spawn(Arc::new(Mutex::new(camera)), fast()).unwrap();
        let rx = worker.receiver();

        // Drain until the failure shows.
        let error = loop {
            match rx.take_timeout(WAIT) {
                Some(PreviewEvent::Frame(_)) => continue,
                Some(PreviewEvent::Failed(e)) => break e,
                None => panic!("no failure reported"),
            }
        };
        assert_eq!(error.kind, ErrorKind::Disconnected);
        assert!(error.message.contains("unplugged"), "{}", error.message);

        // The worker keeps asking, but says nothing more.
        let calls = control.calls();
        eventually("retries", || control.calls() >= calls + 10);
        assert_eq!(rx.try_take(), None);
        assert_eq!(rx.stats().errors_reported, 1);
        assert!(rx.stats().failures >= 10);

        // Plugged back in: frames again; a second unplug is a second report.
        control.replug();
        frame_of(rx.take_timeout(WAIT));
        control.unplug();
        let again = loop {
            match rx.take_timeout(WAIT) {
                Some(PreviewEvent::Frame(_)) => continue,
                Some(PreviewEvent::Failed(e)) => break e,
                None => panic!("second failure not reported"),
            }
        };
        assert_eq!(again.kind, ErrorKind::Disconnected);
        assert_eq!(rx.stats().errors_reported, 2);
        worker.stop();
    }

    #[test]
    fn a_change_of_failure_is_reported() {
        let camera = SimCamera::new(4);
        let control = camera.control();
        control.script(vec![
            Fault::Busy,
            Fault::Busy,
            Fault::Busy,
            Fault::Error(ErrorKind::NotPresent),
        ]);
        let worker = PreviewWorker::spawn(Arc::new(Mutex::new(camera)), fast()).unwrap();
        let rx = worker.receiver();
        eventually("a frame after the faults", || rx.stats().published >= 1);
        worker.stop();
        // Busy once, NotPresent once; the Busy event was overwritten only if not taken — the
        // slot keeps the newest error, so the count says what happened.
        assert_eq!(rx.stats().errors_reported, 2);
        assert_eq!(rx.stats().failures, 4);
    }

    #[test]
    fn dropping_the_worker_stops_the_camera_calls() {
        let camera = SimCamera::new(5);
        let control = camera.control();
        let worker = PreviewWorker::spawn(Arc::new(Mutex::new(camera)), fast()).unwrap();
        let rx = worker.receiver();
        frame_of(rx.take_timeout(WAIT));
        drop(worker);
        eventually("the thread to stop", || !rx.is_running());
        let calls = control.calls();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(control.calls(), calls);
        // A consumer waiting on a stopped worker is not left hanging.
        let t = Instant::now();
        let _ = rx.try_take();
        assert_eq!(rx.take_timeout(WAIT), None);
        assert!(t.elapsed() < WAIT);
    }

    #[test]
    fn the_still_can_be_taken_while_the_preview_runs() {
        let camera = Arc::new(Mutex::new(SimCamera::new(6)));
        let worker = PreviewWorker::spawn(camera.clone(), PreviewOptions::default()).unwrap();
        let rx = worker.receiver();
        frame_of(rx.take_timeout(WAIT));
        let still = camera.lock().unwrap().capture_face().unwrap();
        assert!(still.image.width > 0);
        frame_of(rx.take_timeout(WAIT));
        worker.stop();
    }

    #[test]
    fn max_fps_paces_a_camera_that_never_blocks() {
        let camera = Arc::new(Mutex::new(SimCamera::new(8)));
        let options = PreviewOptions {
            max_fps: Some(20),
            ..PreviewOptions::default()
        };
        let worker = PreviewWorker::spawn(camera, options).unwrap();
        let rx = worker.receiver();
        std::thread::sleep(Duration::from_millis(500));
        worker.stop();
        // 20 fps for half a second is 10 frames; unpaced it would be hundreds.
        let n = rx.stats().published;
        assert!((1..=12).contains(&n), "{n} frames in 500 ms at max 20 fps");
    }

    #[test]
    fn a_panicking_source_leaves_the_receiver_informed() {
        let worker = PreviewWorker::spawn_with(
            || -> DeviceResult<Frame> { panic!("camera code bug") },
            fast(),
        )
        .unwrap();
        let rx = worker.receiver();
        eventually("the thread to end", || !rx.is_running());
        assert_eq!(rx.take_timeout(Duration::from_millis(10)), None);
        worker.stop();
    }
}
