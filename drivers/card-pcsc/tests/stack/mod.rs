//! The real stack for the integration tests and the bench: `pcscd` with vsmartcard's `vpcd`
//! reader driver, and a lock per vpcd reader so tests (and other test binaries) take turns.
//!
//! A pcscd that already offers the vpcd readers is reused. Otherwise one is started in the
//! foreground (`pcscd -f`) under a small shell watchdog that stops it when this process
//! exits. Under `CI=true` a missing stack is a failure; otherwise a test says "skipped: why".

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub use ktpel_sim::vpcd::{vpcd_reader_addr, vpcd_reader_name};

const VPCD_DRIVER: &str = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
/// Every process using the stack holds this file shared; the watchdog stops pcscd only once it
/// can hold it exclusively, so a pcscd started by an earlier test binary is not stopped under a
/// later one that is reusing it.
const USERS_LOCK: &str = "/tmp/ktpel-pcscd.users";

static STACK: OnceLock<Result<String, String>> = OnceLock::new();
static USERS: OnceLock<File> = OnceLock::new();

fn hold_users_lock() -> Result<(), String> {
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(USERS_LOCK)
        .map_err(|e| format!("cannot open {USERS_LOCK}: {e}"))?;
    // Waits while a watchdog is stopping a pcscd nobody uses any more.
    f.lock_shared()
        .map_err(|e| format!("cannot lock {USERS_LOCK}: {e}"))?;
    let _ = USERS.set(f);
    Ok(())
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn vpcd_readers() -> Result<Vec<String>, pcsc::Error> {
    let ctx = pcsc::Context::establish(pcsc::Scope::User)?;
    let readers = match ctx.list_readers_owned() {
        Ok(r) => r,
        Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok(readers
        .into_iter()
        .map(|r| r.to_string_lossy().into_owned())
        .filter(|r| r.starts_with("Virtual PCD"))
        .collect())
}

fn wait_for_readers(timeout: Duration) -> Result<Vec<String>, String> {
    let deadline = Instant::now() + timeout;
    loop {
        match vpcd_readers() {
            Ok(r) if r.len() >= 2 => return Ok(r),
            other if Instant::now() >= deadline => {
                return Err(format!("pcscd offers no two vpcd readers: {other:?}"))
            }
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn start() -> Result<String, String> {
    hold_users_lock()?;
    if let Ok(r) = vpcd_readers() {
        if r.len() >= 2 {
            return Ok(format!("reusing the running pcscd ({})", r.join(", ")));
        }
        if pcsc::Context::establish(pcsc::Scope::User).is_ok() {
            return Err(format!(
                "a pcscd is running without vpcd's two readers ({r:?}): install vsmartcard-vpcd and restart it"
            ));
        }
    }
    if !Path::new(VPCD_DRIVER).exists() {
        return Err(format!(
            "vpcd is not installed ({VPCD_DRIVER} missing): apt-get install vsmartcard-vpcd"
        ));
    }
    if Command::new("pcscd").arg("--version").output().is_err() {
        return Err("pcscd is not installed: apt-get install pcscd".into());
    }
    // pcscd -f stays in the foreground; the watchdog stops it once this test process is gone
    // and no other process holds the users' lock (util-linux `flock`).
    let me = std::process::id();
    let script = format!(
        "pcscd -f -e >/tmp/ktpel-test-pcscd.log 2>&1 & p=$!; \
         while kill -0 {me} 2>/dev/null && kill -0 $p 2>/dev/null; do sleep 0.3; done; \
         flock -x {USERS_LOCK} sh -c \"kill $p 2>/dev/null; \
           while [ -e /proc/$p ] && ! grep -q '^State:.*Z' /proc/$p/status; do sleep 0.1; done\"; \
         wait $p 2>/dev/null"
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start pcscd: {e}"))?;
    let readers = wait_for_readers(Duration::from_secs(10)).map_err(|e| {
        format!("{e} (pcscd must run as root; its log is /tmp/ktpel-test-pcscd.log)")
    })?;
    Ok(format!("started pcscd ({})", readers.join(", ")))
}

/// Makes sure pcscd with vpcd runs. `false` (after printing why) when the stack is missing
/// outside CI; panics under `CI=true`.
pub fn available() -> bool {
    match STACK.get_or_init(start) {
        Ok(how) => {
            static SAID: OnceLock<()> = OnceLock::new();
            SAID.get_or_init(|| eprintln!("pcscd stack: {how}"));
            true
        }
        Err(why) if on_ci() => panic!("the pcscd + vpcd stack is required under CI=true: {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            false
        }
    }
}

/// Exclusive use of vpcd reader `slot` (across threads and processes) while held.
pub struct Reader {
    pub slot: u16,
    pub name: String,
    pub addr: std::net::SocketAddr,
    _lock: File,
}

pub fn reader(slot: u16) -> Reader {
    let path = format!("/tmp/ktpel-vpcd-reader-{slot}.lock");
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .expect("open the reader lock file");
    lock.lock().expect("lock the vpcd reader");
    // The previous holder's card may still be on its way out.
    wait_card_state(&vpcd_reader_name(slot), false);
    Reader {
        slot,
        name: vpcd_reader_name(slot),
        addr: vpcd_reader_addr(slot),
        _lock: lock,
    }
}

/// Waits (up to 5 s) until pcscd reports a card in `reader` (`present`) or none.
pub fn wait_card_state(reader: &str, present: bool) {
    let ctx = pcsc::Context::establish(pcsc::Scope::User).expect("pcscd answers");
    let name = std::ffi::CString::new(reader).unwrap();
    let mut states = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match ctx.get_status_change(left, &mut states) {
            Ok(()) => {}
            Err(pcsc::Error::Timeout) => {
                panic!(
                    "pcscd did not report {reader} {}",
                    if present { "with a card" } else { "empty" }
                )
            }
            Err(e) => panic!("watching {reader}: {e}"),
        }
        if states[0].event_state().contains(pcsc::State::PRESENT) == present {
            return;
        }
        states[0].sync_current_state();
    }
}
