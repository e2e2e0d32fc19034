//! A simulated serial device on a pty pair, as the drivers' tests plug it in: the simulator
//! serves the pair's master end on its own thread, and the driver opens a stable symbolic link
//! to the slave end (as udev's `/dev/serial/by-id` links are). Unplugging is the simulator
//! closing its end; plugging back in is a new pair with the link pointed at it.

use serialport::{SerialPort, TTYPort};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

type Serve = dyn Fn(Box<dyn SerialPort>, Arc<AtomicBool>) -> io::Result<()> + Send + Sync;

pub struct PtyDevice {
    dir: PathBuf,
    link: PathBuf,
    serve: Arc<Serve>,
    stop: Arc<AtomicBool>,
    sim: Option<JoinHandle<io::Result<()>>>,
}

impl PtyDevice {
    /// Plugs in a device whose side `serve` speaks (e.g. `serve_zfm` with its options), behind
    /// a link named `name` in a fresh directory of its own.
    pub fn plug_in<F>(name: &str, serve: F) -> io::Result<Self>
    where
        F: Fn(Box<dyn SerialPort>, Arc<AtomicBool>) -> io::Result<()> + Send + Sync + 'static,
    {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ktpel-pty-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)?;
        let mut device = Self {
            link: dir.join(name),
            dir,
            serve: Arc::new(serve),
            stop: Arc::new(AtomicBool::new(false)),
            sim: None,
        };
        device.replug()?;
        Ok(device)
    }

    /// The path the driver opens.
    pub fn link(&self) -> &Path {
        &self.link
    }

    /// Plugs the device back in (after it unplugged itself): a new pair, the link moved to it.
    pub fn replug(&mut self) -> io::Result<()> {
        let (master, slave) = TTYPort::pair().map_err(io::Error::other)?;
        let name = slave
            .name()
            .ok_or_else(|| io::Error::other("the pty's slave end has no name"))?;
        drop(slave);
        match std::fs::remove_file(&self.link) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        std::os::unix::fs::symlink(name, &self.link)?;
        let (serve, stop) = (self.serve.clone(), self.stop.clone());
        self.sim = Some(std::thread::spawn(move || serve(Box::new(master), stop)));
        Ok(())
    }

    /// Waits for a simulator that unplugged itself (its script said so) and answers how it
    /// ended.
    pub fn wait_unplugged(&mut self) -> io::Result<()> {
        match self.sim.take() {
            Some(sim) => sim
                .join()
                .map_err(|_| io::Error::other("the simulator thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for PtyDevice {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(sim) = self.sim.take() {
            let _ = sim.join();
        }
        // Best effort: a temporary directory with one link in it.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
