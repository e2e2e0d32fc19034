//! One device role owned by its own thread. Calls travel to it over a channel and come back
//! through a oneshot, so a device that hangs blocks only its own role: the camera preview, the
//! printers and the other devices' self-tests go on. While a call runs the role is *busy*; a
//! caller who would rather not queue behind it ([`Worker::try_call`]) hears so at once.

use ktpel_hal::{DeviceError, DeviceKind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

type Job<D> = Box<dyn FnOnce(&mut D) + Send>;

/// A handle to the thread that owns one device. Cheap to clone; the thread ends when the last
/// handle is dropped (after the call it is in, if any).
pub struct Worker<D: ?Sized> {
    kind: DeviceKind,
    jobs: mpsc::Sender<Job<D>>,
    busy: Arc<AtomicBool>,
}

impl<D: ?Sized> Clone for Worker<D> {
    fn clone(&self) -> Self {
        Self {
            kind: self.kind,
            jobs: self.jobs.clone(),
            busy: self.busy.clone(),
        }
    }
}

impl<D: ?Sized> std::fmt::Debug for Worker<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Worker({}, busy: {})",
            self.kind.as_str(),
            self.is_busy()
        )
    }
}

/// The worker thread has gone (it panicked inside a driver): the role is out of service.
fn gone(kind: DeviceKind) -> DeviceError {
    DeviceError::other(format!(
        "the {} worker has stopped; restart the booth",
        kind.as_str()
    ))
}

impl<D: ?Sized> Worker<D> {
    pub fn kind(&self) -> DeviceKind {
        self.kind
    }

    /// Tells workers apart (the same worker and its clones answer the same id).
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.busy) as usize
    }

    /// Whether a call is running on the device now.
    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst)
    }

    fn busy_error(&self) -> DeviceError {
        DeviceError::busy(format!(
            "the {} is still busy with an earlier call",
            self.kind.as_str()
        ))
    }
}

impl<D: ?Sized + Send + 'static> Worker<D> {
    /// Moves `device` onto a thread of its own.
    pub fn spawn(kind: DeviceKind, device: Box<D>) -> Self {
        let (jobs, rx) = mpsc::channel::<Job<D>>();
        let busy = Arc::new(AtomicBool::new(false));
        let flag = busy.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("device-{}", kind.as_str()))
            .spawn(move || {
                let mut device = device;
                // Each job clears the flag itself before it answers, so a caller that goes
                // straight on to the next call never finds the role still busy with its own.
                while let Ok(job) = rx.recv() {
                    flag.store(true, Ordering::SeqCst);
                    job(&mut device);
                }
            });
        if let Err(e) = spawned {
            tracing::error!(role = kind.as_str(), error = %e, "device worker not started");
        }
        Self { kind, jobs, busy }
    }

    fn send<T, F>(&self, f: F) -> Result<tokio::sync::oneshot::Receiver<T>, DeviceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut D) -> T + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let kind = self.kind;
        let busy = self.busy.clone();
        let job: Job<D> = Box::new(move |device: &mut D| {
            let _span = tracing::info_span!("device.call", role = kind.as_str()).entered();
            let answer = f(device);
            busy.store(false, Ordering::SeqCst);
            let _ = tx.send(answer);
        });
        self.jobs.send(job).map_err(|_| gone(self.kind))?;
        Ok(rx)
    }

    /// Runs `f` on the device, after any call already waiting for it.
    pub async fn call<T, F>(&self, f: F) -> Result<T, DeviceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut D) -> T + Send + 'static,
    {
        self.send(f)?.await.map_err(|_| gone(self.kind))
    }

    /// Runs `f` on the device unless it is busy with another call, in which case the answer is
    /// a `Busy` error at once.
    pub async fn try_call<T, F>(&self, f: F) -> Result<T, DeviceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut D) -> T + Send + 'static,
    {
        if self.is_busy() {
            return Err(self.busy_error());
        }
        self.call(f).await
    }

    /// As [`Worker::call`], giving up after `limit` (the call itself goes on on the device's
    /// thread; its answer is dropped).
    pub async fn call_within<T, F>(&self, limit: Duration, f: F) -> Result<T, DeviceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut D) -> T + Send + 'static,
    {
        let rx = self.send(f)?;
        match tokio::time::timeout(limit, rx).await {
            Ok(answer) => answer.map_err(|_| gone(self.kind)),
            Err(_) => Err(self.busy_error()),
        }
    }

    /// For code on a plain thread (the preview, tools): blocks until the device answers.
    pub fn call_blocking<T, F>(&self, f: F) -> Result<T, DeviceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut D) -> T + Send + 'static,
    {
        self.send(f)?.blocking_recv().map_err(|_| gone(self.kind))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ktpel_hal::ErrorKind;
    use std::sync::mpsc as std_mpsc;

    /// A device that blocks in a call until the test lets it go.
    struct Gate {
        release: std_mpsc::Receiver<()>,
        calls: u32,
    }

    #[tokio::test]
    async fn a_hung_call_makes_the_role_busy_and_blocks_only_that_role() {
        let (open, release) = std_mpsc::channel();
        let hung = Worker::spawn(
            DeviceKind::FingerprintScanner,
            Box::new(Gate { release, calls: 0 }),
        );
        let other = Worker::spawn(
            DeviceKind::ReceiptPrinter,
            Box::new(Gate {
                release: std_mpsc::channel().1,
                calls: 0,
            }),
        );
        // The first call waits on the gate: the role is busy.
        let waiting = {
            let hung = hung.clone();
            tokio::spawn(async move {
                hung.call(|g: &mut Gate| {
                    let _ = g.release.recv();
                    g.calls += 1;
                    g.calls
                })
                .await
            })
        };
        while !hung.is_busy() {
            tokio::task::yield_now().await;
        }
        let refused = hung.try_call(|g: &mut Gate| g.calls).await;
        assert_eq!(refused.unwrap_err().kind, ErrorKind::Busy);
        let late = hung
            .call_within(Duration::from_millis(50), |g: &mut Gate| {
                g.calls += 1;
                g.calls
            })
            .await;
        assert_eq!(late.unwrap_err().kind, ErrorKind::Busy);
        // Another role answers meanwhile.
        assert_eq!(other.call(|g: &mut Gate| g.calls + 7).await.unwrap(), 7);
        open.send(()).unwrap();
        assert_eq!(waiting.await.unwrap().unwrap(), 1);
        // The call that gave up waiting still ran afterwards, in order.
        assert_eq!(hung.call(|g: &mut Gate| g.calls).await.unwrap(), 2);
        assert!(!hung.is_busy());
    }

    #[tokio::test]
    async fn the_role_is_free_again_by_the_time_its_caller_hears_the_answer() {
        let w = Worker::spawn(
            DeviceKind::FingerprintScanner,
            Box::new(Gate {
                release: std_mpsc::channel().1,
                calls: 0,
            }),
        );
        for n in 1..=200u32 {
            // A good finger moves straight on to the next scan on the same scanner.
            let got = w
                .try_call(|g: &mut Gate| {
                    g.calls += 1;
                    g.calls
                })
                .await;
            assert_eq!(
                got.unwrap(),
                n,
                "call {n} found the scanner busy with its own"
            );
        }
    }

    #[tokio::test]
    async fn a_worker_whose_device_panicked_says_the_role_stopped() {
        let w = Worker::spawn(
            DeviceKind::Camera,
            Box::new(Gate {
                release: std_mpsc::channel().1,
                calls: 0,
            }),
        );
        let panicked = w.call(|_: &mut Gate| -> u32 { panic!("driver bug") }).await;
        assert!(panicked.unwrap_err().message.contains("has stopped"));
        let after = w.call(|g: &mut Gate| g.calls).await;
        assert!(after.unwrap_err().message.contains("has stopped"));
    }
}
