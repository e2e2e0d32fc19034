//! A software TPM for the tests: `swtpm socket --tpm2` on two free local ports, its state in a
//! folder the test chooses, stopped when the [`Swtpm`] is dropped (and by a shell watchdog
//! if the test process dies first). Shared by this crate's tests and the booth's tests/tpm.rs.
//! Under `CI=true` a missing swtpm is a failure; otherwise a test says "skipped: why".

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::zombie_processes
)]

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Swtpm {
    child: Child,
    port: u16,
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Two consecutive free ports: the TCTI talks commands on `port` and control on `port + 1`.
fn free_port_pair() -> u16 {
    for _ in 0..200 {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = first.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
    panic!("no two consecutive free local ports");
}

impl Swtpm {
    /// Starts a TPM whose state lives in `state` (created if need be). `None` after printing
    /// why when swtpm is not installed outside CI; panics under `CI=true`.
    pub fn start(state: &Path) -> Option<Self> {
        if Command::new("swtpm").arg("--version").output().is_err() {
            let why = "swtpm is not installed (apt-get install swtpm swtpm-tools libtss2-tcti-swtpm0, or .ci/deps test)";
            assert!(!on_ci(), "{why}: required under CI=true");
            eprintln!("skipped: {why}");
            return None;
        }
        std::fs::create_dir_all(state).unwrap();
        let port = free_port_pair();
        let child = Command::new("swtpm")
            .args(["socket", "--tpm2"])
            .arg("--server")
            .arg(format!("type=tcp,port={port},bindaddr=127.0.0.1"))
            .arg("--ctrl")
            .arg(format!("type=tcp,port={},bindaddr=127.0.0.1", port + 1))
            .arg("--tpmstate")
            .arg(format!("dir={}", state.display()))
            .args(["--flags", "not-need-init,startup-clear"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("swtpm did not start");
        // Stops swtpm if this process dies without dropping the handle.
        let (me, pid) = (std::process::id(), child.id());
        Command::new("sh")
            .args([
                "-c",
                &format!(
                    "while kill -0 {me} 2>/dev/null && kill -0 {pid} 2>/dev/null; do sleep 0.5; done; kill {pid} 2>/dev/null"
                ),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start the swtpm watchdog");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port + 1)).is_err() {
            assert!(
                Instant::now() < deadline,
                "swtpm did not listen on {port}+1"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Self { child, port })
    }

    /// The TCTI string that reaches this TPM.
    pub fn tcti(&self) -> String {
        format!("swtpm:host=127.0.0.1,port={}", self.port)
    }
}

impl Drop for Swtpm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
