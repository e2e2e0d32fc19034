//! `ktpel-booth doctor` as a technician runs it after installing (each line OK or what to do,
//! a non-zero exit on any failure), and the disk mark it shares with the kiosk: a booth that
//! could not hold a day's records refuses a new applicant.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_ktpel-booth");

fn doctor(config: Option<&Path>, data_dir: &Path, extra: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    if let Some(p) = config {
        c.arg("--config").arg(p);
    }
    c.arg("--data-dir")
        .arg(data_dir)
        .arg("doctor")
        .args(extra)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn private_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

/// The line of check `name` in the JSON report.
fn line<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["check"] == name)
        .unwrap_or_else(|| panic!("no line {name} in {report:#}"))
}

#[test]
fn a_fresh_demonstration_booth_passes_and_says_loudly_where_its_keys_are() {
    let dir = private_dir();
    let o = doctor(None, dir.path(), &["--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["passed"], true);
    for check in ["data_dir", "disk", "clock", "pcscd", "cups"] {
        assert_eq!(line(&report, check)["status"], "ok", "{check}: {report:#}");
    }
    let keys = line(&report, "keys");
    assert_eq!(keys["status"], "warn");
    let found = keys["found"].as_str().unwrap();
    assert!(
        found.contains("keys in 0600 files") && found.contains("keys/booth-ed25519.key"),
        "{found}"
    );
    // Every configured device, by its role.
    for role in [
        "camera",
        "fingerprint",
        "iris",
        "signature",
        "card_encoder",
        "card_printer",
        "receipt_printer",
    ] {
        assert_eq!(line(&report, &format!("device.{role}"))["status"], "ok");
    }
    // The doctor only looks: it made no keys and no queue.
    assert!(!dir.path().join("keys").exists());
    assert!(!dir.path().join("queue.db").exists());
}

#[test]
fn each_failure_says_what_to_do_and_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = ktpel_booth::config::DEFAULT_TOML
        .replace(
            "min_free_disk_mb = 500\nwarn_free_disk_mb = 2000",
            "min_free_disk_mb = 999999999\nwarn_free_disk_mb = 999999999",
        )
        .replace(
            "[devices.camera]\ndriver = \"sim\"\n",
            "[devices.camera]\ndriver = \"sim\"\nunplugged = true\n",
        );
    let cfg = dir.path().join("booth.toml");
    std::fs::write(&cfg, &text).unwrap();
    let o = doctor(Some(&cfg), dir.path(), &[]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let after = |prefix: &str| -> (String, String) {
        let mut lines = out.lines();
        let l = lines
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in {out}"));
        (l.to_string(), lines.next().unwrap_or_default().to_string())
    };
    let (l, advice) = after("FAIL data_dir");
    assert!(l.contains("mode 0755"), "{l}");
    assert!(advice.contains("-> chmod 0700"), "{advice}");
    let (l, advice) = after("FAIL disk");
    assert!(l.contains("refuses new recordings"), "{l}");
    assert!(advice.starts_with("     -> "), "{advice}");
    let (_, advice) = after("FAIL device.camera");
    assert!(advice.starts_with("     -> "), "{advice}");
    assert!(out.contains("3 check(s) failed"), "{out}");
}

/// A centre that answers every request with a 404 carrying `Date: now + offset`.
fn centre_with_clock(offset: jiff::SignedDuration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { return };
            let mut reader = BufReader::new(s.try_clone().unwrap());
            let mut l = String::new();
            while reader.read_line(&mut l).is_ok_and(|n| n > 2) {
                l.clear();
            }
            let date = jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&(jiff::Timestamp::now() + offset))
                .unwrap();
            let _ = write!(
                s,
                "HTTP/1.1 404 Not Found\r\nDate: {date}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    url
}

fn remote_config(
    dir: &Path,
    centre_url: &str,
    card_printer_uri: Option<&str>,
) -> std::path::PathBuf {
    let production = include_str!("../config/booth.production.toml");
    let printer = match card_printer_uri {
        Some(uri) => format!("driver = \"ipp\"\nuri = \"{uri}\""),
        None => "driver = \"sim\"".to_string(),
    };
    let text = production
        .replace("https://pusat.example.go.id", centre_url)
        .replace(
            "driver = \"ipp\"\nuri = \"ipp://localhost:631/printers/card\"",
            &printer,
        );
    assert_ne!(text, production);
    let p = dir.join("booth.toml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn the_clock_is_compared_with_the_centre_and_an_absent_cups_fails() {
    let dir = private_dir();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();

    let right = centre_with_clock(jiff::SignedDuration::ZERO);
    let cfg = remote_config(dir.path(), &right, None);
    let o = doctor(Some(&cfg), &data, &["--json", "--no-devices"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(line(&report, "clock")["status"], "ok", "{report:#}");
    assert_eq!(o.status.code(), Some(0), "{report:#}");
    assert!(
        !report["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["check"].as_str().unwrap().starts_with("device.")),
        "--no-devices ran the devices: {report:#}"
    );

    // An hour slow against the centre: recording times and TLS checks would be wrong.
    let behind = centre_with_clock(jiff::SignedDuration::from_hours(-1));
    let cfg = remote_config(dir.path(), &behind, None);
    let o = doctor(Some(&cfg), &data, &["--json", "--no-devices"]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let clock = line(&report, "clock");
    assert_eq!(clock["status"], "fail", "{report:#}");
    let found = clock["found"].as_str().unwrap();
    assert!(found.contains("ahead of the centre"), "{found}");
    let secs: f64 = found.split(' ').next().unwrap().parse().unwrap();
    assert!((3590.0..3610.0).contains(&secs), "{found}");
    assert!(clock["advice"].as_str().unwrap().contains("timedatectl"));

    // No centre and no CUPS at all: both say so, with what to do.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = remote_config(
        dir.path(),
        &format!("http://127.0.0.1:{closed}/"),
        Some(&format!("ipp://127.0.0.1:{closed}/printers/card")),
    );
    let o = doctor(Some(&cfg), &data, &["--json", "--no-devices"]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let clock = line(&report, "clock");
    assert_eq!(clock["status"], "fail");
    assert!(clock["found"].as_str().unwrap().contains("cannot compare"));
    let cups = line(&report, "cups");
    assert_eq!(cups["status"], "fail", "{report:#}");
    assert!(cups["advice"]
        .as_str()
        .unwrap()
        .contains("systemctl enable --now cups"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booth_that_could_not_hold_a_days_records_refuses_a_new_applicant() {
    use ktpel_booth::booth::service::{Service, Staff};
    use ktpel_booth::booth::LookupError;
    use ktpel_booth::kiosk::screen::verify::lookup_message;
    use ktpel_booth::widgets::i18n::Lang;

    let rig = common::rig(Duration::from_secs(20)).await;
    let resident = rig.resident(3);
    let mut booth = rig.booth;
    booth.config.booth.min_free_disk_mb = u64::MAX;
    let service = Service::with_devices(booth, ktpel_booth::booth::devices::Devices::simulated(3));
    let op = Staff {
        id: "op-x".into(),
        name: "X".into(),
        role: ktpel_booth::config::Role::Operator,
    };
    let e = service
        .lookup(&op, resident.nik.as_str())
        .await
        .unwrap_err();
    let LookupError::LowDisk(low) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(low.needed_mb, u64::MAX);
    assert!(low.free_mb > 0);
    let id = lookup_message(Lang::Id, &e);
    assert!(id.starts_with("Perekaman baru ditolak"), "{id}");
    assert!(id.contains(&format!("{} MB", low.free_mb)), "{id}");
    let en = lookup_message(Lang::En, &e);
    assert!(en.starts_with("New recordings refused"), "{en}");
}
