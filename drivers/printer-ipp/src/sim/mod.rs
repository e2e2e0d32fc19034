//! An IPP card printer on loopback, for the tests and `ktpel-booth sim ipp-printer`: it speaks
//! the same protocol as a CUPS queue or an IPP Everywhere printer (Get-Printer-Attributes,
//! Print-Job, Validate-Job, Get-Job-Attributes over HTTP/1.1), keeps every document it is sent,
//! and lets a test script the faults a card printer has: no cards, a stopped queue, a jam
//! during the job, a slow job.
//!
//! ```no_run
//! use ktpel_printer_ipp::sim::{IppPrinterSim, SimOptions};
//! let sim = IppPrinterSim::start(SimOptions::default())?;
//! sim.control().set_reasons(&["media-empty-error"]);
//! println!("{}", sim.uri()); // ipp://127.0.0.1:PORT/ipp/print
//! # Ok::<(), std::io::Error>(())
//! ```

mod printer;
mod server;

pub use printer::{SimJob, CARD_MEDIA, PRINTER_PATH};

use printer::Printer;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// What the simulated printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOptions {
    /// Port on 127.0.0.1; 0 takes any free one.
    pub port: u16,
    /// `document-format-supported`. The default is what a CUPS queue for a card printer
    /// lists: PNG, JPEG and `application/octet-stream` (auto-typed).
    pub formats: Vec<String>,
    /// `printer-make-and-model`.
    pub make_and_model: String,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            port: 0,
            formats: vec![
                "image/png".into(),
                "image/jpeg".into(),
                "application/octet-stream".into(),
            ],
            make_and_model: "KTP-el simulated card printer".into(),
        }
    }
}

/// A running simulated printer. Dropping it stops the server and waits for its thread.
pub struct IppPrinterSim {
    port: u16,
    printer: Arc<Printer>,
    shutdown: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for IppPrinterSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IppPrinterSim")
            .field("port", &self.port)
            .finish()
    }
}

impl IppPrinterSim {
    /// Binds 127.0.0.1:`options.port` and serves on its own thread.
    pub fn start(options: SimOptions) -> std::io::Result<IppPrinterSim> {
        let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, options.port))?;
        let port = listener.local_addr()?.port();
        listener.set_nonblocking(true)?;
        let uri = format!("ipp://127.0.0.1:{port}{PRINTER_PATH}");
        let printer = Arc::new(Printer::new(
            uri,
            options
                .formats
                .iter()
                .map(|f| f.to_ascii_lowercase())
                .collect(),
            options.make_and_model,
            port,
        ));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let (shutdown, watcher) = watch::channel(false);
        let p = printer.clone();
        let thread = std::thread::Builder::new()
            .name(format!("ipp-sim-{port}"))
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => server::serve(l, p, watcher).await,
                        Err(e) => tracing::warn!(port, error = %e, "IPP simulator cannot listen"),
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        tracing::info!(port, "IPP printer simulator listening");
        Ok(Self {
            port,
            printer,
            shutdown,
            thread: Some(thread),
        })
    }

    /// `ipp://127.0.0.1:PORT/ipp/print`.
    pub fn uri(&self) -> String {
        self.printer.uri.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to script the printer while it runs.
    pub fn control(&self) -> PrinterControl {
        PrinterControl {
            printer: self.printer.clone(),
        }
    }
}

impl Drop for IppPrinterSim {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                tracing::warn!(port = self.port, "the IPP simulator thread panicked");
            }
        }
    }
}

/// Scripts the simulated printer's state and reads what it received.
#[derive(Clone)]
pub struct PrinterControl {
    printer: Arc<Printer>,
}

impl std::fmt::Debug for PrinterControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrinterControl")
            .field("uri", &self.printer.uri)
            .finish()
    }
}

impl PrinterControl {
    /// Sets `printer-state-reasons` (`["media-empty-error"]`); empty means "none". Reasons
    /// that stop printing (an `-error` suffix, or a known condition without suffix) make the
    /// printer `stopped` and refuse jobs with server-error-not-accepting-jobs.
    pub fn set_reasons(&self, reasons: &[&str]) {
        self.printer.lock().reasons = reasons.iter().map(|r| r.to_string()).collect();
    }

    /// Stops (or resumes) the printer: `printer-state` stopped, not accepting jobs, and the
    /// `paused` reason, as CUPS shows a disabled and rejecting queue.
    pub fn set_stopped(&self, stopped: bool) {
        self.printer.lock().stopped = stopped;
    }

    /// How long a job stays `processing` before it ends (default 500 ms).
    pub fn set_job_duration(&self, d: Duration) {
        self.printer.lock().job_duration = d;
    }

    /// The next job ends `aborted` with `reason` (`media-jam`) among its job-state-reasons.
    pub fn fail_next_job(&self, reason: &str) {
        self.printer.lock().fail_next = Some(reason.to_string());
    }

    /// Every document Print-Job delivered, in order: its format and bytes.
    pub fn documents(&self) -> Vec<(String, Vec<u8>)> {
        self.printer.lock().documents.clone()
    }

    /// Every job taken, in order, with the job settings it was sent with.
    pub fn jobs(&self) -> Vec<SimJob> {
        self.printer.jobs()
    }
}
