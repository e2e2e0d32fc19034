//! The complaint desk: the office side of complaints. It receives complaints from the booths
//! (HTTP, [`server`]) and from the secretariat's own phone and counter, keeps them with an
//! audit of every action ([`store`], [`audit`]), escalates what nobody resolved in time
//! ([`escalation`]), and gives each role its list and its actions on a touchscreen ([`gui`]).
//!
//! [`run`] is the `complaint-desk` command: the server and the escalation task, plus the GUI
//! unless `--headless`.

pub mod audit;
pub mod config;
pub mod escalation;
pub mod gui;
pub mod server;
pub mod store;

use jiff::Timestamp;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::clock::Clock;
use crate::seal::LocalKey;
use crate::wire::complaint::{Action, Complaint, Stage, SubmitReply};
pub use config::DeskConfig;
use store::{DeskError, DeskStore, Draft, StaffRef, Via};

/// The file name of the desk's database inside its data directory.
pub const DB_FILE: &str = "desk.sqlite";
/// The desk's storage key (0600), which seals the complaints at rest.
pub const KEY_FILE: &str = "keys/desk-storage.key";

/// What the server, the escalation task and the GUI share. Cheap to clone.
#[derive(Clone)]
pub struct DeskCore {
    pub store: DeskStore,
    pub config: Arc<DeskConfig>,
    pub clock: Clock,
    /// Wakes the escalation task when a complaint with a new deadline arrives.
    wake: Arc<Notify>,
    /// The clock reading of the escalation task's last completed look at the deadlines.
    checked: Arc<watch::Sender<Option<Timestamp>>>,
}

impl DeskCore {
    pub fn new(store: DeskStore, config: Arc<DeskConfig>, clock: Clock) -> Self {
        Self {
            store,
            config,
            clock,
            wake: Arc::new(Notify::new()),
            checked: Arc::new(watch::channel(None).0),
        }
    }

    /// When the escalation task last looked at the deadlines (the clock's reading then): a
    /// test that moves the clock waits for a look at or after the new time.
    pub fn escalation_checked(&self) -> watch::Receiver<Option<Timestamp>> {
        self.checked.subscribe()
    }

    /// A complaint from a booth (or any [`Via`]); see [`store::Store::submit`].
    pub async fn submit(&self, c: Complaint, via: Via) -> Result<SubmitReply, DeskError> {
        let now = self.clock.now();
        let deadline = self.config.deadline();
        let reply = self
            .store
            .call(move |s| s.submit(&c, &via, now, deadline))
            .await?;
        if !reply.repeat {
            self.wake.notify_one();
        }
        Ok(reply)
    }

    /// The secretariat writes down a phone or walk-in complaint.
    pub async fn record(&self, draft: Draft, staff: StaffRef) -> Result<Complaint, DeskError> {
        let now = self.clock.now();
        let deadline = self.config.deadline();
        let c = self
            .store
            .call(move |s| s.record(draft, &staff, now, deadline))
            .await?;
        self.wake.notify_one();
        Ok(c)
    }

    /// A member of staff acts on a complaint; see [`store::Store::act`].
    pub async fn act(
        &self,
        id: Uuid,
        staff: StaffRef,
        action: Action,
        text: Option<String>,
    ) -> Result<Stage, DeskError> {
        let now = self.clock.now();
        self.store
            .call(move |s| s.act(id, &staff, action, text.as_deref(), now))
            .await
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the desk database: {0}")]
    Store(#[from] DeskError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A running desk: its server on a real TCP port and its escalation task.
pub struct Desk {
    pub core: DeskCore,
    /// Where the booth API listens (the port is real even when the config said 0).
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Desk {
    /// Opens the database in `data_dir`, listens on the config's address, and starts the
    /// server and the escalation task on the current tokio runtime.
    pub async fn start(
        config: DeskConfig,
        data_dir: &Path,
        clock: Clock,
    ) -> Result<Desk, StartError> {
        let path = data_dir.join(DB_FILE);
        let key_path = data_dir.join(KEY_FILE);
        let store = tokio::task::spawn_blocking(move || {
            let key = crate::keyfile::load_or_create(&key_path, 32, || {
                LocalKey::generate_bytes().to_vec()
            })
            .map_err(|e| DeskError::Io(format!("the desk's storage key: {e}")))?;
            let key = LocalKey::from_bytes(&key).map_err(|e| DeskError::Io(e.to_string()))?;
            DeskStore::open(&path, key)
        })
        .await
        .map_err(|e| DeskError::Io(format!("the database opener stopped: {e}")))??;
        let addr = config.desk.listen;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Listen { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Listen { addr, source })?;
        let core = DeskCore::new(store, Arc::new(config), clock);
        let (stop, stopped) = watch::channel(false);
        let mut server_stop = stopped.clone();
        let app = server::router(core.clone());
        let server = tokio::spawn(async move {
            let shutdown = async move {
                while !*server_stop.borrow_and_update() {
                    if server_stop.changed().await.is_err() {
                        break;
                    }
                }
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(error = %e, "the desk server stopped");
            }
        });
        let escalation = tokio::spawn(escalation::run(core.clone(), stopped));
        tracing::info!(%addr, "complaint desk listening");
        Ok(Desk {
            core,
            addr,
            stop,
            tasks: vec![server, escalation],
        })
    }

    /// `http://<addr>`, for booths and tests.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server (finishing requests in flight) and the escalation task.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// The `complaint-desk` command's options.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `--config PATH`: the desk's config (default: the built-in config/desk.toml).
    pub config: Option<PathBuf>,
    /// `--data-dir DIR`: where the database lives (overrides `desk.data_dir`).
    pub data_dir: Option<PathBuf>,
    /// `--headless`: only the server and the escalation task, no window (a server room).
    pub headless: bool,
    /// `--listen ADDR`: overrides `desk.listen`.
    pub listen: Option<SocketAddr>,
}

/// Runs the desk until the window closes (or, headless, until Ctrl-C / SIGTERM).
///
/// Exit codes: 0 done, 1 the desk could not start or failed, 2 the config is not usable,
/// 3 no display for the GUI (use `--headless` or run under X).
pub fn run(opts: RunOptions) -> ExitCode {
    let mut config = match DeskConfig::load(opts.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ktpel-booth complaint-desk: the configuration is not usable:\n  {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(listen) = opts.listen {
        config.desk.listen = listen;
    }
    if !opts.headless && std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        eprintln!(
            "ktpel-booth complaint-desk: no display: the desk's window needs an X11 display \
                 (DISPLAY is not set). On a machine without a screen run it under Xvfb \
                 (`Xvfb :99 & DISPLAY=:99 ktpel-booth complaint-desk`), or add --headless to run \
                 only the booth API and the deadline escalation (a server room)."
        );
        return ExitCode::from(3);
    }
    let data_dir = opts.data_dir.unwrap_or_else(|| config.data_dir());
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("desk")
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ktpel-booth complaint-desk: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let desk = match rt.block_on(Desk::start(config, &data_dir, Clock::System)) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("ktpel-booth complaint-desk: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "complaint desk: booth API on {} (database {})",
        desk.base_url(),
        data_dir.join(DB_FILE).display()
    );
    let code = if opts.headless {
        rt.block_on(wait_for_signal());
        ExitCode::SUCCESS
    } else {
        // The server and the escalation keep running on the runtime's worker threads while
        // the window owns this one.
        gui::run_window(desk.core.clone())
    };
    rt.block_on(desk.stop());
    code
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("complaint desk stopping");
}
