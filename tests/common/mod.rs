//! Shared fixtures: a booth wired to an in-process centre simulator on loopback, with a manual
//! clock, and enrollments captured from the simulated devices.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod emulator;

use jiff::Timestamp;
use ktpel_booth::booth::devices::Devices;
use ktpel_booth::booth::recording::{capture_enrollment, Exceptions};
use ktpel_booth::booth::Booth;
use ktpel_booth::centre_sim::{CentreSim, CentreSimConfig};
use ktpel_booth::clock::{Clock, ManualClock};
use ktpel_booth::config::{CentreConfig, Config, RemoteCentreConfig};
use ktpel_booth::domain::resident::Resident;
use ktpel_booth::enrollment::Enrollment;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Boots the kiosk on `config` with its data in `dir`, starting the embedded simulators the
/// config asks for (as the CLI does).
pub fn boot_kiosk(
    mut config: Config,
    dir: std::path::PathBuf,
    clock: Clock,
) -> (
    ktpel_booth::kiosk::App,
    iced::Task<ktpel_booth::kiosk::Message>,
) {
    config.booth.data_dir = Some(dir.clone());
    let starting: ktpel_booth::kiosk::Starting = Box::pin({
        let config = config.clone();
        async move {
            ktpel_booth::embedded::start(config, dir, clock)
                .await
                .map(|(booth, _)| booth)
        }
    });
    ktpel_booth::kiosk::App::boot(config, starting)
}

pub fn start_time() -> Timestamp {
    // 2026-11-25 09:00 WIB, a Wednesday morning at the office.
    "2026-11-25T02:00:00Z".parse().unwrap()
}

/// Captures a full enrollment for `resident` from simulated devices; `subject` picks the
/// simulated person (their fingers, irises, face).
pub fn enrollment(resident: &Resident, subject: u64, now: Timestamp) -> Enrollment {
    let mut devices = Devices::simulated(subject);
    devices.set_subject(subject);
    capture_enrollment(
        &mut devices,
        resident.clone(),
        &Exceptions::default(),
        "3273-01",
        "operator-01",
        now,
    )
    .expect("simulated capture")
}

pub struct Rig {
    pub centre: CentreSim,
    pub booth: Booth,
    pub clock: Clock,
    pub hand: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
}

/// What a kiosk journey starts from: a centre simulator on loopback on a manual clock, its own
/// runtime, and a data dir for the booth.
pub struct Office {
    pub rt: tokio::runtime::Runtime,
    pub clock: Clock,
    pub hand: Arc<ManualClock>,
    pub centre: CentreSim,
    pub dir: tempfile::TempDir,
}

impl Office {
    /// An office whose centre keeps its records in memory (quick, for tests).
    pub fn open() -> Self {
        Self::open_with(None)
    }

    /// An office whose centre keeps its records on disk in the office's folder, as a real
    /// centre does: what the booth's process holds in memory is then the booth's own.
    pub fn open_with_centre_on_disk() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("centre");
        Self::open_in(dir, Some(state))
    }

    fn open_with(state_dir: Option<std::path::PathBuf>) -> Self {
        Self::open_in(tempfile::tempdir().unwrap(), state_dir)
    }

    fn open_in(dir: tempfile::TempDir, state_dir: Option<std::path::PathBuf>) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (clock, hand) = Clock::manual(start_time());
        let centre = rt
            .block_on(CentreSim::start(CentreSimConfig {
                clock: clock.clone(),
                state_dir,
                ..CentreSimConfig::default()
            }))
            .unwrap();
        Self {
            rt,
            clock,
            hand,
            centre,
            dir,
        }
    }

    /// The booth's default config pointed at this office's centre and data dir.
    pub fn config(&self) -> Config {
        config_for(&self.centre, self.dir.path())
    }
}

/// The default config pointed at `centre`, with fast back-off for tests.
pub fn config_for(centre: &CentreSim, data_dir: &Path) -> Config {
    let mut config = Config::load(None).unwrap();
    config.booth.data_dir = Some(data_dir.to_path_buf());
    // Keys in files whatever the test machine has: a TPM of the host is not the tests' to use
    // (tests/tpm.rs starts its own).
    config.booth.key_store = ktpel_booth::config::KeyStore::Files;
    let keys = centre.keys();
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
    config.centre = CentreConfig::Remote(RemoteCentreConfig {
        siak_url: centre.base_url(),
        centre_url: centre.base_url(),
        siak_api_key: centre.siak_api_key().into(),
        centre_api_key: centre.centre_api_key().into(),
        hpke_public_key: b64(&keys.hpke_public_b64),
        csca_certificate: {
            let path = data_dir.join("csca.pem");
            std::fs::create_dir_all(data_dir).unwrap();
            std::fs::write(&path, &keys.csca_certificate_pem).unwrap();
            path
        },
    });
    config.transmit.backoff_base_secs = 2;
    config.transmit.backoff_max_secs = 300;
    config.transmit.verdict_poll_secs = 30;
    // Loose enough that a loaded test machine does not time out a healthy centre; the slow
    // fault in the tests waits longer than this.
    config.transmit.request_timeout_secs = 5;
    config
}

/// A centre simulator and a booth talking to it over loopback, both on one manual clock.
pub async fn rig(verdict_delay: Duration) -> Rig {
    rig_with(verdict_delay, |_| {}).await
}

/// As [`rig`], with the booth's config changed by `configure` before the booth starts.
pub async fn rig_with(verdict_delay: Duration, configure: impl FnOnce(&mut Config)) -> Rig {
    let centre = CentreSimConfig {
        verdict_delay,
        population_size: 600,
        ..CentreSimConfig::default()
    };
    rig_on(centre, configure).await
}

/// As [`rig_with`], with the centre simulator's config given (its clock is the rig's).
pub async fn rig_on(centre: CentreSimConfig, configure: impl FnOnce(&mut Config)) -> Rig {
    let (clock, hand) = Clock::manual(start_time());
    let centre = CentreSim::start(CentreSimConfig {
        clock: clock.clone(),
        ..centre
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_for(&centre, dir.path());
    configure(&mut config);
    let (booth, _) = ktpel_booth::embedded::start(config, dir.path().to_path_buf(), clock.clone())
        .await
        .unwrap();
    Rig {
        centre,
        booth,
        clock,
        hand,
        dir,
    }
}

impl Rig {
    pub fn resident(&self, i: usize) -> Resident {
        self.centre.population()[i].clone()
    }

    /// Records resident `i` (subject i) through the booth's real seal-and-commit path.
    pub async fn record(&self, i: usize) -> ktpel_booth::queue::Committed {
        let e = enrollment(&self.resident(i), i as u64 + 1, self.clock.now());
        self.booth.record(e, None).await.unwrap()
    }
}

/// `ktpel-booth [--config CONFIG] simulate-day --applicants N --blanks B --json --data-dir DATA`
/// run to its end, asserted to succeed: its JSON report.
pub fn simulate_day(
    config: Option<&Path>,
    data: &Path,
    applicants: u32,
    blanks: u32,
) -> serde_json::Value {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ktpel-booth"));
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let out = cmd
        .arg("simulate-day")
        .arg("--applicants")
        .arg(applicants.to_string())
        .arg("--blanks")
        .arg(blanks.to_string())
        .arg("--json")
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "simulate-day failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The audit chain's events for packet `id` in the queue file under `data_dir`, read with a
/// read-only connection of its own: (event, to_state, detail), in order.
pub fn audit_events(data_dir: &Path, id: uuid::Uuid) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open_with_flags(
        data_dir.join(ktpel_booth::booth::QUEUE_FILE),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = conn
        .prepare("SELECT event, to_state, detail FROM audit WHERE packet_id = ?1 ORDER BY seq")
        .unwrap();
    let rows = stmt
        .query_map([id.to_string()], |r| {
            <(String, String, String)>::try_from(r)
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

/// `ktpel-booth ARGS` with no display (the CLI, never the kiosk window): exit code, stdout,
/// stderr.
pub fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ktpel-booth"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
