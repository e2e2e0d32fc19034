//! The `ktpel-booth` binary as a technician or maintainer uses it: exit codes, messages, and
//! no personal data in what the queue tools print.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ktpel-booth");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn nik_explain_decodes_or_names_the_wrong_part() {
    let o = run(&["nik", "explain", "3273014508900001"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out.contains("PEREMPUAN") && out.contains("05-08-1990") && out.contains("Jawa Barat"),
        "{out}"
    );
    for (nik, expected) in [
        ("2073014508900001", "province code 20"),
        ("3200014508900001", "regency"),
        ("3273004508900001", "district"),
        ("3273013202900001", "day 32"),
        ("3273014513900001", "month 13"),
        ("3273012902010001", "29 February 2001"),
        ("3273014508900000", "serial"),
        ("32730145089000x1", "character 15"),
        ("327301450890001", "16 digits"),
    ] {
        let o = run(&["nik", "explain", nik]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{nik}: {err}");
        assert!(
            err.contains(expected),
            "{nik}: expected {expected:?} in {err:?}"
        );
    }
}

#[test]
fn a_bad_config_names_the_key_and_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("booth.toml");
    let text_ =
        ktpel_booth::config::DEFAULT_TOML.replace("come_back_days = 14", "come_back_days = -3");
    std::fs::write(&path, &text_).unwrap();
    let line = text_
        .lines()
        .position(|l| l.starts_with("come_back_days"))
        .unwrap()
        + 1;
    let o = run(&["--config", path.to_str().unwrap(), "queue", "list"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("line {line}")) && err.contains("come_back_days"),
        "{err}"
    );
    let o = run(&["--config", "/nonexistent/booth.toml", "selftest"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("/nonexistent/booth.toml"), "{err}");
}

/// `card read`'s exit status is what its help says: 1 when nothing could be checked (here an
/// unreadable CSCA file, or a config that is not usable), never the 2 of "not verified".
#[test]
fn card_read_exits_as_its_help_says() {
    let o = run(&["card", "read", "--help"]);
    let (help, _) = text(&o);
    assert!(
        help.contains("Exit status: 0 the card verified; 2 a card was read")
            && help.contains("1 nothing could be checked"),
        "{help}"
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let o = run(&[
        "--data-dir",
        data,
        "card",
        "read",
        "--csca",
        "/nonexistent/csca.pem",
        "--wait",
        "1",
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("/nonexistent/csca.pem"), "{err}");
    let o = run(&["--config", "/nonexistent/booth.toml", "card", "read"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
}

#[test]
fn the_kiosk_without_a_display_says_so_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["--data-dir", dir.path().to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("no display") && !err.contains("panicked"),
        "{err}"
    );
}

fn selftest_json(config: Option<&Path>, data: &Path) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["--data-dir", data.to_str().unwrap(), "selftest", "--json"];
    if let Some(c) = config {
        args.splice(0..0, ["--config", c.to_str().unwrap()]);
    }
    let o = run(&args);
    let (out, err) = text(&o);
    (
        o.status.code(),
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}")),
    )
}

#[test]
fn selftest_reports_every_device_and_fails_on_an_unplugged_one() {
    let dir = tempfile::tempdir().unwrap();
    let (code, v) = selftest_json(None, dir.path());
    assert_eq!(code, Some(0));
    let reports = v.as_array().unwrap();
    let roles: Vec<&str> = reports
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "camera",
            "fingerprint",
            "iris",
            "signature",
            "card_encoder",
            "card_printer",
            "receipt_printer"
        ]
    );
    for r in reports {
        assert_eq!(r["passed"], true, "{r}");
        assert!(!r["checks"].as_array().unwrap().is_empty(), "{r}");
    }
    let config = dir.path().join("unplugged.toml");
    std::fs::write(
        &config,
        ktpel_booth::config::DEFAULT_TOML.replace("seed = 2\n", "seed = 2\nunplugged = true\n"),
    )
    .unwrap();
    let (code, v) = selftest_json(Some(&config), dir.path());
    assert_eq!(code, Some(1));
    let finger = &v.as_array().unwrap()[1];
    assert_eq!(finger["passed"], false);
    assert_eq!(finger["error"]["kind"], "disconnected");
    assert!(
        finger["next_step"].as_str().unwrap().contains("cable"),
        "{finger}"
    );
    assert_eq!(
        v.as_array().unwrap()[0]["passed"],
        true,
        "one device's fault is its own"
    );
    // Both runs are in the booth's self-test history, newest first.
    let store = ktpel_booth::booth::open_store(dir.path(), 1).unwrap();
    let history = store.selftest_history(20).unwrap();
    assert_eq!(history.len(), 14, "{history:?}");
    let failed: Vec<_> = history.iter().filter(|h| !h.passed).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].role, "fingerprint");
    assert!(failed[0].summary.contains("unplugged"), "{:?}", failed[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_tools_show_states_but_no_personal_data_and_catch_tampering() {
    let rig = common::rig(Duration::from_secs(20)).await;
    let c = rig.record(0).await;
    let resident = rig.resident(0);
    let data = rig.dir.path().to_str().unwrap().to_string();
    let rows = rig.booth.queue.list().await.unwrap();
    assert_eq!(rows.len(), 1);
    // The CLI opens the same file while the booth holds it, as a technician would.
    let o = run(&["--data-dir", &data, "queue", "list"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.contains(&c.receipt_no) && out.contains("recorded") && out.contains("1 packets"),
        "{out}"
    );
    for args in [
        vec!["--data-dir", &data, "queue", "show", &c.receipt_no],
        vec![
            "--data-dir",
            &data,
            "queue",
            "show",
            "--json",
            &c.receipt_no,
        ],
        vec!["--data-dir", &data, "queue", "list", "--json"],
    ] {
        let o = run(&args);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(out.contains(&c.packet_id.to_string()), "{out}");
        assert!(
            !out.contains(&resident.name) && !out.contains(resident.nik.as_str()),
            "{out}"
        );
        assert!(
            !err.contains(&resident.name) && !err.contains(resident.nik.as_str()),
            "{err}"
        );
    }
    // Each packet's sealed size, for a technician judging what the link must carry.
    let o = run(&["--data-dir", &data, "queue", "list", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&text(&o).0).unwrap();
    assert_eq!(
        listed[0]["sealed_size"].as_u64(),
        rows[0].sealed_size,
        "{listed}"
    );
    assert!(rows[0].sealed_size.is_some_and(|n| n > 1000));
    // `queue show` reads in the office's time zone: a booth in Jayapura is on WIT (UTC+9).
    let wit = rig.dir.path().join("wit.toml");
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/booth.toml")).unwrap();
    std::fs::write(
        &wit,
        base.replace("time_zone = \"WIB\"", "time_zone = \"WIT\""),
    )
    .unwrap();
    let o = run(&[
        "--config",
        wit.to_str().unwrap(),
        "--data-dir",
        &data,
        "queue",
        "show",
        &c.receipt_no,
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let local = rows[0]
        .recorded_at
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)));
    let recorded = format!("{} WIT", local.strftime("%Y-%m-%d %H:%M:%S"));
    assert!(
        out.lines()
            .any(|l| l.starts_with("recorded") && l.ends_with(&recorded)),
        "recorded at {recorded} expected in:\n{out}"
    );
    assert!(
        out.contains("next attempt") && !out.contains("WIB"),
        "an unsent packet shows its next attempt, all in WIT:\n{out}"
    );
    let o = run(&["--data-dir", &data, "queue", "show", "0000000000000"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--data-dir", &data, "queue", "verify-audit"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("intact"), "{out}");
    // Someone edits a state behind the queue's back.
    let conn = rusqlite::Connection::open(rig.dir.path().join("queue.db")).unwrap();
    conn.execute("UPDATE packets SET state = 'print_ready'", [])
        .unwrap();
    drop(conn);
    let o = run(&["--data-dir", &data, "queue", "verify-audit"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("BROKEN") && out.contains("print_ready"),
        "{out}"
    );
}

/// The kiosk really opens a window on an X server and shows the booth once it has started.
#[test]
fn the_kiosk_starts_and_draws_under_xvfb() {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let have = |tool: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !(have("Xvfb") && have("import")) {
        assert!(
            !in_ci,
            "Xvfb and ImageMagick are required under CI (.ci/deps test installs them)"
        );
        eprintln!("SKIPPED outside CI: Xvfb or ImageMagick missing; run .ci/deps test");
        return;
    }
    let display = format!(":{}", 90 + std::process::id() % 500);
    let mut xvfb = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("xdg");
    std::fs::create_dir_all(&runtime).unwrap();
    let log = std::fs::File::create(dir.path().join("kiosk.log")).unwrap();
    let mut kiosk = Command::new(BIN)
        .args(["--data-dir", dir.path().join("data").to_str().unwrap()])
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_RUNTIME_DIR", &runtime)
        .stderr(log)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let log_path = dir.path().join("kiosk.log");
    let mut ready = false;
    while started.elapsed() < Duration::from_secs(30) {
        let l = std::fs::read_to_string(&log_path).unwrap_or_default();
        if l.contains("transmitter started") {
            ready = true;
            break;
        }
        if let Ok(Some(status)) = kiosk.try_wait() {
            panic!("the kiosk exited with {status}: {l}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let shot = dir.path().join("kiosk.png");
    let grabbed = Command::new("import")
        .args([
            "-display",
            &display,
            "-window",
            "root",
            shot.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    let alive = kiosk.try_wait().unwrap().is_none();
    let _ = kiosk.kill();
    let _ = kiosk.wait();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let l = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(ready, "the booth did not start: {l}");
    assert!(alive, "the kiosk died: {l}");
    assert!(grabbed.success());
    // Text was drawn: a white screen has no dark pixels.
    let img = image::open(&shot).unwrap().to_luma8();
    let dark = img.pixels().filter(|p| p.0[0] < 80).count();
    assert!(dark > 2_000, "the window looks empty ({dark} dark pixels)");
}

/// The complaint desk as a real process on loopback: a booth's complaint goes in through the
/// booth API, the status check answers, and both survive the desk being killed and restarted.
#[test]
fn the_complaint_desk_runs_as_a_process_and_keeps_what_it_was_given() {
    use ktpel_booth::booth::desk_client::DeskClient;
    use ktpel_booth::wire::complaint::{Category, Channel, Complaint, Stage, TicketNo};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let start = || {
        let child = Command::new(env!("CARGO_BIN_EXE_ktpel-booth"))
            .args([
                "complaint-desk",
                "--headless",
                "--listen",
                &listen,
                "--data-dir",
            ])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&listen).is_err() {
            assert!(
                Instant::now() < deadline,
                "the desk did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        child
    };
    let mut desk = start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = DeskClient::new(
        &format!("http://{listen}"),
        "demo-booth-key-3273-01",
        Duration::from_secs(5),
    )
    .unwrap();
    let now = jiff::Timestamp::now();
    let complaint = Complaint {
        id: uuid::Uuid::now_v7(),
        ticket_no: TicketNo::new(now, 1, 1).unwrap(),
        booth_id: "3273-01".into(),
        received_at: now,
        channel: Channel::Booth,
        complainant: "SITI AMINAH".into(),
        contact: "081234567890".into(),
        category: Category::CardNotReady,
        description: "kartu belum jadi".into(),
        link: None,
    };
    let reply = rt.block_on(client.submit(&complaint)).unwrap();
    assert!(!reply.repeat);
    // kill -9: what the desk confirmed is on its disk.
    desk.kill().unwrap();
    desk.wait().unwrap();
    let mut desk = start();
    let again = rt.block_on(client.submit(&complaint)).unwrap();
    assert!(
        again.repeat,
        "the same complaint again is recognised, not stored twice"
    );
    let status = rt.block_on(client.status(&complaint.ticket_no)).unwrap();
    assert_eq!(status.stage, Stage::Received);
    desk.kill().unwrap();
    desk.wait().unwrap();
}

/// `devices --json` finds an SBI device service on its port (the SBI simulator, a real
/// process, on the free port of the range it took) and offers it for its role.
#[test]
fn devices_lists_an_sbi_device_with_its_role() {
    // No port given: the simulator takes the first free one of the SBI range and says which.
    let mut sim = Command::new(env!("CARGO_BIN_EXE_ktpel-booth"))
        .args(["sim", "sbi", "--kind", "finger"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut said = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(sim.stdout.take().unwrap()),
        &mut said,
    )
    .unwrap();
    let port: u16 = said
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("the SBI simulator said {said:?}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the SBI simulator did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = run(&["devices", "--json"]);
    sim.kill().unwrap();
    sim.wait().unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let found = v["found"].as_array().unwrap();
    let sbi = found
        .iter()
        .find(|f| f["id"].as_str() == Some(port.to_string().as_str()))
        .unwrap_or_else(|| panic!("not found: {v}"));
    assert_eq!(sbi["kind"], "sbi_device");
    assert_eq!(sbi["roles"][0]["role"], "fingerprint_scanner");
    assert_eq!(sbi["roles"][0]["driver"], "sbi");
    assert!(sbi["problem"].is_null(), "{sbi}");
}

/// `devices assign` puts a device in a role in the config file, keeps the previous file, and
/// refuses a setting the booth would not start with (the file untouched).
#[test]
fn devices_assign_writes_a_checked_config_and_keeps_the_previous_one() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("booth.toml");
    std::fs::write(&config, ktpel_booth::config::DEFAULT_TOML).unwrap();
    let cfg = config.to_str().unwrap();
    let o = run(&[
        "--config",
        cfg,
        "devices",
        "assign",
        "fingerprint",
        "driver=zfm",
        "port=/dev/ttyUSB0",
        "baud=57600",
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.contains("driver = \"zfm\""), "{written}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("booth.toml.prev")).unwrap(),
        ktpel_booth::config::DEFAULT_TOML
    );
    let c = ktpel_booth::config::Config::load(Some(&config)).unwrap();
    assert!(matches!(
        c.devices.fingerprint,
        ktpel_booth::config::FingerprintConfig::Zfm(_)
    ));
    // A scanner in the camera role is refused; nothing changes.
    let o = run(&[
        "--config",
        cfg,
        "devices",
        "assign",
        "camera",
        "driver=zfm",
        "port=/dev/ttyUSB0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("zfm"), "{:?}", text(&o));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), written);
}
