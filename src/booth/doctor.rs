//! `ktpel-booth doctor`: what a technician checks after installing the booth, one line each —
//! the data directory, the free disk, the clock against the centre, where the keys are kept,
//! pcscd, the card printer's CUPS queue and every configured device. Each line is OK, a warning
//! or a failure, with what to do about it; the command line prints them (or JSON) and exits
//! non-zero when any failed.

use serde::Serialize;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::booth::{
    disk, keys, selftest, BOOTH_KEY_FILE, BOOTH_TPM_KEY_FILE, LOCAL_KEY_FILE, LOCAL_TPM_KEY_FILE,
};
use crate::config::{CardEncoderConfig, CardPrinterConfig, CentreConfig, Config};

/// The clock may be this far from the centre's without a word (the centre's `Date` has whole
/// seconds, and the round trip blurs it further).
pub const CLOCK_OK_SECS: f64 = 10.0;
/// Beyond this the clock is wrong enough to fail: recording times, verdict deadlines and TLS
/// certificate checks all read it.
pub const CLOCK_FAIL_SECS: f64 = 120.0;

/// Where a TPM 2.0 would show itself (the kernel's resource manager first).
pub const TPM_DEVICES: [&str; 2] = ["/dev/tpmrm0", "/dev/tpm0"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        }
    }
}

/// One thing checked: what was found and, unless it is fine, what to do.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// A stable name: `data_dir`, `disk`, `clock`, `keys`, `pcscd`, `cups`, `device.<role>`.
    pub check: String,
    pub status: Status,
    pub found: String,
    pub advice: Option<String>,
}

impl Line {
    fn new(check: &str, status: Status, found: impl Into<String>) -> Self {
        Self {
            check: check.to_string(),
            status,
            found: found.into(),
            advice: None,
        }
    }

    fn ok(check: &str, found: impl Into<String>) -> Self {
        Self::new(check, Status::Ok, found)
    }

    fn warn(check: &str, found: impl Into<String>, advice: impl Into<String>) -> Self {
        Self::new(check, Status::Warn, found).advise(advice)
    }

    fn fail(check: &str, found: impl Into<String>, advice: impl Into<String>) -> Self {
        Self::new(check, Status::Fail, found).advise(advice)
    }

    fn advise(mut self, advice: impl Into<String>) -> Self {
        self.advice = Some(advice.into());
        self
    }

    /// `OK   disk        12034 MB free …`, and the advice on its own line below.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{:<4} {:<24} {}",
            self.status.label(),
            self.check,
            self.found
        );
        if let Some(a) = &self.advice {
            s.push_str("\n     -> ");
            s.push_str(a);
        }
        s
    }
}

/// Everything the doctor found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// No line failed (warnings allowed).
    pub passed: bool,
    pub lines: Vec<Line>,
}

/// What the doctor looks at besides the config: fixed on a booth, chosen by tests.
#[derive(Debug, Clone)]
pub struct Probes {
    /// Device files that mean a TPM is present.
    pub tpm_devices: Vec<PathBuf>,
    /// How long the centre may take to answer the clock check.
    pub centre_timeout: Duration,
    /// Run every configured device's self-test (the kiosk must not hold the devices then).
    pub devices: bool,
}

impl Default for Probes {
    fn default() -> Self {
        Self {
            tpm_devices: TPM_DEVICES.iter().map(PathBuf::from).collect(),
            centre_timeout: Duration::from_secs(10),
            devices: true,
        }
    }
}

/// Runs every check for the booth `config` with its data in `data_dir`. Blocking: it waits for
/// the centre and the devices (call it from a plain thread, not inside an async runtime).
pub fn run(config: &Config, data_dir: &Path, probes: &Probes) -> Report {
    let mut lines = vec![
        data_dir_line(data_dir),
        disk_line(config, data_dir),
        clock_line(config, probes.centre_timeout),
        keys_line(
            data_dir,
            &keys::KeySettings::of(&config.booth),
            &probes.tpm_devices,
        ),
        pcscd_line(config),
        cups_line(config),
    ];
    if probes.devices {
        lines.extend(selftest::run_all(config).iter().map(device_line));
    }
    let passed = lines.iter().all(|l| l.status != Status::Fail);
    Report { passed, lines }
}

fn data_dir_line(dir: &Path) -> Line {
    const CHECK: &str = "data_dir";
    let shown = dir.display();
    let meta = match fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Line::fail(
                CHECK,
                format!("{shown} does not exist"),
                format!(
                    "create it for the booth's user: install -d -m 0700 -o ktpel -g ktpel {shown} \
                     (the package makes /var/lib/ktpel-booth; reinstall it if it is gone)"
                ),
            )
        }
        Err(e) => {
            return Line::fail(
                CHECK,
                format!("cannot read {shown}: {e}"),
                "run the doctor as the booth's user: sudo -u ktpel ktpel-booth --config /etc/ktpel-booth/booth.toml doctor",
            )
        }
    };
    if !meta.is_dir() {
        return Line::fail(
            CHECK,
            format!("{shown} is not a directory"),
            "point [booth] data_dir at a directory, or move the file away",
        );
    }
    let mode = meta.mode() & 0o777;
    if mode != 0o700 {
        return Line::fail(
            CHECK,
            format!("{shown} has mode {mode:04o}; the booth's data must be 0700"),
            format!("chmod 0700 {shown}"),
        );
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Line::fail(
            CHECK,
            format!(
                "{shown} belongs to uid {}, this command runs as uid {me}",
                meta.uid()
            ),
            format!(
                "run the doctor as the booth's user (sudo -u ktpel ktpel-booth --config \
                 /etc/ktpel-booth/booth.toml doctor), or give the folder to it: chown -R ktpel:ktpel {shown}"
            ),
        );
    }
    // Really writable (a read-only mount passes the mode check).
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    let written = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&probe)
        .and_then(|mut f| f.write_all(b"ok").and_then(|()| f.sync_all()));
    let _ = fs::remove_file(&probe);
    match written {
        Ok(()) => Line::ok(CHECK, format!("{shown}: 0700, owned by uid {me}, writable")),
        Err(e) => Line::fail(
            CHECK,
            format!("cannot write in {shown}: {e}"),
            "check that the disk is mounted read-write and not full (mount, df -h)",
        ),
    }
}

fn disk_line(config: &Config, dir: &Path) -> Line {
    const CHECK: &str = "disk";
    let (min, warn) = (
        config.booth.min_free_disk_mb,
        config.booth.warn_free_disk_mb,
    );
    match disk::free_mb(dir) {
        Err(e) => Line::fail(CHECK, e.to_string(), "check the disk (df -h, dmesg)"),
        Ok(free) if free < min => Line::fail(
            CHECK,
            format!("{free} MB free; a day's records need {min} MB: the kiosk refuses new recordings"),
            "send the waiting records (ktpel-booth queue list) and free the disk, or give the booth a larger one",
        ),
        Ok(free) if free < warn => Line::warn(
            CHECK,
            format!("{free} MB free; recordings stop below {min} MB (warning below {warn} MB)"),
            "free the disk soon: journalctl --vacuum-size=200M, apt-get clean, old files in /home",
        ),
        Ok(free) => Line::ok(
            CHECK,
            format!("{free} MB free (warning below {warn} MB, recordings stop below {min} MB)"),
        ),
    }
}

fn clock_line(config: &Config, timeout: Duration) -> Line {
    const CHECK: &str = "clock";
    let remote = match &config.centre {
        CentreConfig::Remote(r) => r,
        CentreConfig::Embedded(_) => {
            return Line::ok(
                CHECK,
                "the centre is simulated inside this booth (demonstration config): one clock",
            )
        }
    };
    let url = remote.centre_url.as_str();
    match centre_skew(url, timeout) {
        Err(e) => Line::fail(
            CHECK,
            format!("cannot compare with the centre at {url}: {e}"),
            "check the network and [centre] centre_url; the booth records offline, but its clock is unchecked",
        ),
        Ok(None) => Line::warn(
            CHECK,
            format!("the centre at {url} sent no Date header: the clock is unchecked"),
            "check that timedatectl says \"System clock synchronized: yes\"",
        ),
        Ok(Some(skew)) => {
            let ahead = if skew > 0.0 { "behind" } else { "ahead of" };
            let found = format!("{:.0} s {ahead} the centre ({url})", skew.abs());
            let fix = "turn on time synchronisation (timedatectl set-ntp true; systemd-timesyncd) \
                       or set the time (timedatectl set-time)";
            if skew.abs() <= CLOCK_OK_SECS {
                Line::ok(CHECK, found)
            } else if skew.abs() <= CLOCK_FAIL_SECS {
                Line::warn(CHECK, found, fix)
            } else {
                Line::fail(CHECK, found, fix)
            }
        }
    }
}

/// The centre's clock minus this machine's, in seconds, from the `Date` of one answer (any
/// status) measured against the middle of the round trip; `None` when it sends no `Date`.
fn centre_skew(url: &str, timeout: Duration) -> Result<Option<f64>, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        let sent = jiff::Timestamp::now();
        let answer = client.get(url).send().await.map_err(|e| {
            let mut s = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                s = format!("{s}: {inner}");
                source = inner.source();
            }
            s
        })?;
        let back = jiff::Timestamp::now();
        let Some(date) = answer.headers().get(reqwest::header::DATE) else {
            return Ok(None);
        };
        let date = date
            .to_str()
            .map_err(|_| "its Date header is not text".to_string())?;
        let theirs = jiff::fmt::rfc2822::parse(date)
            .map_err(|e| format!("its Date header {date:?} is not an HTTP date: {e}"))?
            .timestamp();
        let trip = back.duration_since(sent).as_secs_f64();
        let ours = sent.as_millisecond() as f64 / 1000.0 + trip / 2.0;
        Ok(Some(theirs.as_millisecond() as f64 / 1000.0 - ours))
    })
}

/// Where the keys are kept: in the TPM (both opened here, as at start), or in 0600 files,
/// which is said loudly (a warning), and fails on a key file anyone else can read, on TPM key
/// files the TPM cannot open, and on a config the booth would refuse to start with.
fn keys_line(dir: &Path, settings: &keys::KeySettings, tpm_devices: &[PathBuf]) -> Line {
    const CHECK: &str = "keys";
    let on_disk = keys::on_disk(dir);
    let tpm_files = [dir.join(BOOTH_TPM_KEY_FILE), dir.join(LOCAL_TPM_KEY_FILE)];
    let decision =
        match keys::decide(dir, settings) {
            Ok(d) => d,
            Err(e) => return Line::fail(
                CHECK,
                e.to_string(),
                "the booth will not start like this: fix key_store / tpm_tcti in the config or \
                 the TPM (firmware setting), as the line says",
            ),
        };
    let tpm = match decision {
        keys::Decision::Tpm(tpm) => tpm,
        keys::Decision::Files { why } => return files_line(dir, &why, tpm_devices),
    };
    if on_disk == keys::OnDisk::Nothing {
        return Line::ok(
            CHECK,
            format!(
                "the TPM answers at {}: both keys will be made in it at first start (ECDSA P-256)",
                settings.tcti
            ),
        );
    }
    let mut problems = Vec::new();
    for f in &tpm_files {
        match fs::metadata(f) {
            Ok(m) if m.mode() & 0o777 != 0o600 => {
                problems.push(format!("{} has mode {:04o}", f.display(), m.mode() & 0o777))
            }
            Ok(_) => {}
            Err(e) => problems.push(format!("{}: {e}", f.display())),
        }
    }
    if problems.is_empty() {
        if let Err(e) = keys::local_key(dir, settings) {
            problems.push(e.to_string());
        }
        if let Err(e) = keys::read_booth_key(dir, settings) {
            problems.push(e.to_string());
        }
    }
    drop(tpm);
    if !problems.is_empty() {
        return Line::fail(
            CHECK,
            problems.join("; "),
            "chmod 0600 the key files and chown them to the booth's user; a blob this TPM cannot \
             open means the TPM was cleared or the disk moved to another PC: its waiting records \
             can no longer be read, restore the PC's own TPM or send the records from a backup",
        );
    }
    Line::ok(
        CHECK,
        format!(
            "in the TPM (ECDSA P-256, {}): {} and {} open, useless on any other PC",
            settings.tcti,
            tpm_files[0].display(),
            tpm_files[1].display()
        ),
    )
}

/// Keys in 0600 files: a loud warning, or a failure when a file is open to others or damaged.
fn files_line(dir: &Path, why: &str, tpm_devices: &[PathBuf]) -> Line {
    const CHECK: &str = "keys";
    let files = [dir.join(BOOTH_KEY_FILE), dir.join(LOCAL_KEY_FILE)];
    let mut problems = Vec::new();
    let mut shown = Vec::new();
    for f in &files {
        match fs::metadata(f) {
            Ok(m) => {
                let mode = m.mode() & 0o777;
                if mode != 0o600 {
                    problems.push(format!("{} has mode {mode:04o}", f.display()));
                } else if m.len() != 32 {
                    problems.push(format!(
                        "{} holds {} bytes; a key is 32",
                        f.display(),
                        m.len()
                    ));
                }
                shown.push(f.display().to_string());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                shown.push(format!("{} (made at first start)", f.display()));
            }
            Err(e) => problems.push(format!("cannot read {}: {e}", f.display())),
        }
    }
    if !problems.is_empty() {
        return Line::fail(
            CHECK,
            problems.join("; "),
            format!(
                "chmod 0600 the key files and chown them to the booth's user; a damaged key is \
                 restored from backup, never deleted while records wait ({})",
                dir.display()
            ),
        );
    }
    let found = match tpm_devices.iter().find(|p| p.exists()) {
        None => format!(
            "in files (no TPM): keys in 0600 files {} ({why})",
            shown.join(", ")
        ),
        Some(t) => format!(
            "in files, not in the TPM at {}: keys in 0600 files {} ({why})",
            t.display(),
            shown.join(", ")
        ),
    };
    Line::warn(
        CHECK,
        found,
        "keep the disk encrypted (LUKS) and the data directory 0700: whoever reads these files \
         can sign as this booth. A new booth with a TPM keeps its keys in it (key_store = \"auto\" \
         or \"tpm\")",
    )
}

fn pcscd_line(config: &Config) -> Line {
    const CHECK: &str = "pcscd";
    let CardEncoderConfig::Pcsc(p) = &config.devices.card_encoder else {
        return Line::ok(CHECK, "not needed: the card encoder is not a PC/SC reader");
    };
    let mut encoder = ktpel_card_pcsc::PcscEncoder::new(ktpel_card_pcsc::PcscConfig {
        reader: p.reader.clone(),
        ..Default::default()
    });
    let _span = tracing::info_span!("doctor", check = CHECK).entered();
    match encoder.readers() {
        Err(e) => Line::fail(
            CHECK,
            format!("pcscd does not answer: {e}"),
            "sudo systemctl enable --now pcscd.socket (package pcscd)",
        ),
        Ok(readers) if readers.is_empty() => Line::fail(
            CHECK,
            "pcscd answers but sees no reader",
            "plug the card encoder in; its CCID driver is in libccid (apt-get install libccid)",
        ),
        Ok(readers) => match &p.reader {
            Some(want) if !readers.iter().any(|r| r == want) => Line::fail(
                CHECK,
                format!("pcscd sees {}, not the configured \"{want}\"", readers.join(", ")),
                "put one of those names in [devices.card_encoder] reader (ktpel-booth devices assign)",
            ),
            _ => Line::ok(CHECK, format!("pcscd sees {}", readers.join(", "))),
        },
    }
}

fn cups_line(config: &Config) -> Line {
    const CHECK: &str = "cups";
    let CardPrinterConfig::Ipp(p) = &config.devices.card_printer else {
        return Line::ok(CHECK, "not needed: the card printer is not a CUPS queue");
    };
    let Ok(url) = reqwest::Url::parse(&p.uri) else {
        return Line::fail(
            CHECK,
            format!("{} is not a URI", p.uri),
            "fix [devices.card_printer] uri",
        );
    };
    let Some(name) = url
        .path()
        .strip_prefix("/printers/")
        .map(|n| n.trim_end_matches('/'))
    else {
        return Line::ok(
            CHECK,
            format!("not used: the card printer speaks IPP itself at {}", p.uri),
        );
    };
    let server = format!(
        "{}://{}:{}/",
        url.scheme(),
        url.host_str().unwrap_or("localhost"),
        url.port().unwrap_or(631)
    );
    let _span = tracing::info_span!("doctor", check = CHECK).entered();
    match ktpel_printer_ipp::list_queues(&server, Duration::from_secs(10)) {
        Err(e) => Line::fail(
            CHECK,
            format!("CUPS does not answer at {server}: {e}"),
            "sudo systemctl enable --now cups (packages cups-daemon, cups-client)",
        ),
        Ok(queues) => match queues.iter().find(|q| q.name == name || q.uri == p.uri) {
            None => {
                let have: Vec<&str> = queues.iter().map(|q| q.name.as_str()).collect();
                Line::fail(
                    CHECK,
                    format!(
                        "CUPS at {server} has no queue \"{name}\" (it has: {})",
                        if have.is_empty() { "none".to_string() } else { have.join(", ") }
                    ),
                    format!("add it: lpadmin -p {name} -E -v <the printer's device URI> -m everywhere (config/devices.md)"),
                )
            }
            Some(q) if q.state == Some(5) => Line::fail(
                CHECK,
                format!("CUPS queue \"{name}\" is stopped"),
                format!("cupsenable {name}; if it stops again, lpstat -l -p {name} says why"),
            ),
            Some(q) => Line::ok(
                CHECK,
                format!(
                    "CUPS queue \"{name}\" is {}{}",
                    match q.state {
                        Some(4) => "printing",
                        _ => "idle",
                    },
                    q.make_and_model
                        .as_deref()
                        .map(|m| format!(" ({m})"))
                        .unwrap_or_default()
                ),
            ),
        },
    }
}

fn device_line(r: &selftest::DeviceReport) -> Line {
    let check = format!("device.{}", r.role);
    let found = format!(
        "{} (serial {}, driver {}){}",
        r.model,
        r.serial,
        r.driver,
        r.error
            .as_ref()
            .map(|e| format!(": {}", e.message))
            .unwrap_or_default()
    );
    if r.passed {
        Line::ok(&check, found)
    } else {
        Line::fail(
            &check,
            found,
            r.next_step
                .clone()
                .unwrap_or_else(|| "see `ktpel-booth selftest` for the failed check".into()),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn config() -> Config {
        Config::load(None).unwrap()
    }

    fn private_dir() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        fs::set_permissions(d.path(), fs::Permissions::from_mode(0o700)).unwrap();
        d
    }

    #[test]
    fn a_private_writable_data_dir_passes_and_an_open_one_fails_with_the_fix() {
        let d = private_dir();
        assert_eq!(data_dir_line(d.path()).status, Status::Ok);
        fs::set_permissions(d.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let l = data_dir_line(d.path());
        assert_eq!(l.status, Status::Fail);
        assert!(l.found.contains("0755"), "{l:?}");
        assert!(l.advice.unwrap().contains("chmod 0700"));
        let l = data_dir_line(&d.path().join("missing"));
        assert_eq!(l.status, Status::Fail);
        assert!(l.advice.unwrap().contains("install -d -m 0700"));
    }

    #[test]
    fn disk_marks_warn_then_fail() {
        let d = private_dir();
        let mut c = config();
        assert_eq!(disk_line(&c, d.path()).status, Status::Ok);
        c.booth.min_free_disk_mb = 1;
        c.booth.warn_free_disk_mb = u64::MAX;
        assert_eq!(disk_line(&c, d.path()).status, Status::Warn);
        c.booth.min_free_disk_mb = u64::MAX;
        let l = disk_line(&c, d.path());
        assert_eq!(l.status, Status::Fail);
        assert!(l.found.contains("refuses new recordings"), "{l:?}");
    }

    fn no_tpm(store: crate::config::KeyStore) -> keys::KeySettings {
        keys::KeySettings {
            store,
            tcti: "swtpm:host=127.0.0.1,port=9".into(),
        }
    }

    #[test]
    fn keys_without_a_tpm_are_a_loud_warning_and_an_open_key_fails() {
        use crate::config::KeyStore;
        let d = private_dir();
        let none = [d.path().join("no-tpm")];
        let auto = no_tpm(KeyStore::Auto);
        let l = keys_line(d.path(), &auto, &none);
        assert_eq!(l.status, Status::Warn);
        assert!(
            l.found.starts_with("in files (no TPM): keys in 0600 files"),
            "{l:?}"
        );
        assert!(l.found.contains("no TPM answers"), "{l:?}");
        assert!(l.found.contains(BOOTH_KEY_FILE) && l.found.contains(LOCAL_KEY_FILE));
        // Asked for the TPM, without one: the booth would not start.
        let l = keys_line(d.path(), &no_tpm(KeyStore::Tpm), &none);
        assert_eq!(l.status, Status::Fail);
        assert!(l.found.contains("the TPM cannot be used"), "{l:?}");
        let key = d.path().join(LOCAL_KEY_FILE);
        crate::keyfile::write_atomically(&key, &[7; 32]).unwrap();
        assert_eq!(keys_line(d.path(), &auto, &none).status, Status::Warn);
        let tpm = d.path().join("tpmrm0");
        fs::write(&tpm, b"").unwrap();
        let l = keys_line(d.path(), &auto, std::slice::from_ref(&tpm));
        assert!(l.found.contains("not in the TPM at"), "{l:?}");
        assert!(l.found.contains("made in files before"), "{l:?}");
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        let l = keys_line(d.path(), &auto, &none);
        assert_eq!(l.status, Status::Fail);
        assert!(l.found.contains("mode 0644"), "{l:?}");
    }

    #[test]
    fn simulated_roles_need_neither_pcscd_nor_cups() {
        let c = config();
        assert_eq!(pcscd_line(&c).status, Status::Ok);
        assert_eq!(cups_line(&c).status, Status::Ok);
        assert_eq!(clock_line(&c, Duration::from_secs(1)).status, Status::Ok);
    }

    #[test]
    fn text_puts_the_advice_under_its_line() {
        let l = Line::fail("disk", "1 MB free", "free the disk");
        assert_eq!(
            l.to_text(),
            format!("FAIL {:<24} 1 MB free\n     -> free the disk", "disk")
        );
    }
}
