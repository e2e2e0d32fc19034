//! The booth with its serial drivers against the device simulators on real pty pairs made by
//! `socat`, the way a technician tries them: `ktpel-booth sim …` on one end, the booth's config
//! on the other, `ktpel-booth selftest`. Under CI a missing socat is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ktpel-booth");

struct Killer(Vec<Child>);
impl Drop for Killer {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A pty pair; returns the two link paths once they exist.
fn pty_pair(dir: &Path, name: &str, procs: &mut Killer) -> (PathBuf, PathBuf) {
    let (a, b) = (dir.join(format!("{name}-a")), dir.join(format!("{name}-b")));
    let child = Command::new("socat")
        .arg(format!("pty,raw,echo=0,link={}", a.display()))
        .arg(format!("pty,raw,echo=0,link={}", b.display()))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    procs.0.push(child);
    let t = Instant::now();
    while !(a.exists() && b.exists()) {
        assert!(t.elapsed() < Duration::from_secs(5), "socat made no ptys");
        std::thread::sleep(Duration::from_millis(20));
    }
    (a, b)
}

fn sim(args: &[&str], procs: &mut Killer) -> usize {
    let child = Command::new(BIN)
        .arg("sim")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    procs.0.push(child);
    procs.0.len() - 1
}

fn selftest(config: &Path, data: &Path) -> (Option<i32>, serde_json::Value) {
    let o = Command::new(BIN)
        .args([
            "--config",
            config.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .args(["selftest", "--json"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    (
        o.status.code(),
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")),
    )
}

fn report<'a>(v: &'a serde_json::Value, role: &str) -> &'a serde_json::Value {
    v.as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == role)
        .unwrap()
}

#[test]
fn selftest_reaches_serial_devices_and_names_the_one_that_went_away() {
    if !have("socat") {
        let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !in_ci,
            "socat is required under CI (.ci/deps test installs it)"
        );
        eprintln!("SKIPPED outside CI: socat missing; run .ci/deps test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut procs = Killer(Vec::new());
    let (fp_sim, fp) = pty_pair(dir.path(), "fp", &mut procs);
    let (sg_sim, sg) = pty_pair(dir.path(), "sg", &mut procs);
    let (pr_sim, pr) = pty_pair(dir.path(), "pr", &mut procs);
    let fp_index = sim(
        &[
            "fingerprint",
            "--tty",
            fp_sim.to_str().unwrap(),
            "--speedup",
            "20",
        ],
        &mut procs,
    );
    sim(
        &["signature", "--tty", sg_sim.to_str().unwrap()],
        &mut procs,
    );
    sim(&["printer", "--tty", pr_sim.to_str().unwrap()], &mut procs);
    std::thread::sleep(Duration::from_millis(300));
    let config = ktpel_booth::config::DEFAULT_TOML
        .replace(
            "[devices.fingerprint]\ndriver = \"sim\"\nseed = 2",
            &format!(
                "[devices.fingerprint]\ndriver = \"zfm\"\nport = \"{}\"",
                fp.display()
            ),
        )
        .replace(
            "[devices.signature]\ndriver = \"sim\"\nseed = 4",
            &format!(
                "[devices.signature]\ndriver = \"isdv4\"\nport = \"{}\"",
                sg.display()
            ),
        )
        .replace(
            "[devices.receipt_printer]\ndriver = \"sim\"\nseed = 7",
            &format!(
                "[devices.receipt_printer]\ndriver = \"escpos_serial\"\nport = \"{}\"",
                pr.display()
            ),
        );
    let config_path = dir.path().join("serial.toml");
    std::fs::write(&config_path, config).unwrap();
    let data = dir.path().join("data");

    let (code, v) = selftest(&config_path, &data);
    for role in ["fingerprint", "signature", "receipt_printer"] {
        let r = report(&v, role);
        assert_eq!(r["passed"], true, "{r}");
    }
    assert_eq!(code, Some(0), "{v}");
    let fp_report = report(&v, "fingerprint");
    assert_eq!(fp_report["driver"], "zfm");
    let checks = fp_report["checks"].to_string();
    assert!(
        checks.contains("password accepted") && checks.contains("256x288"),
        "{checks}"
    );

    // The fingerprint module goes away.
    let mut gone = procs.0.remove(fp_index);
    gone.kill().unwrap();
    gone.wait().unwrap();
    let (code, v) = selftest(&config_path, &data);
    assert_eq!(code, Some(1));
    let r = report(&v, "fingerprint");
    assert_eq!(r["passed"], false, "{r}");
    assert!(
        r["next_step"].as_str().is_some_and(|s| !s.is_empty()),
        "{r}"
    );
    assert_eq!(report(&v, "receipt_printer")["passed"], true);
}

/// The booth's own proof of recording, through the configured ESC/POS driver on a pty pair, to
/// the printer simulator: what it decodes is exactly what the booth meant to print, QR included.
#[test]
fn the_proof_of_recording_prints_over_escpos_as_meant() {
    use ktpel_booth::booth::devices::Devices;
    use ktpel_booth::config::{Config, EscposSerialParams, ReceiptPrinterConfig};
    use ktpel_booth::papers::receipt::ProofOfRecording;
    use ktpel_sim::serial::{serve_escpos, EscposSimOptions, Pace, SerialControl};
    use serialport::{SerialPort, TTYPort};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let (master, slave) = TTYPort::pair().unwrap();
    let link = dir.path().join("printer");
    std::os::unix::fs::symlink(slave.name().unwrap(), &link).unwrap();
    drop(slave);
    let control = SerialControl::new();
    let stop = Arc::new(AtomicBool::new(false));
    let sim = {
        let opts = EscposSimOptions {
            control: control.clone(),
            pace: Pace::Instant,
        };
        let stop = stop.clone();
        std::thread::spawn(move || serve_escpos(Box::new(master), opts, stop))
    };
    let mut config = Config::load(None).unwrap();
    config.devices.receipt_printer = ReceiptPrinterConfig::EscposSerial(EscposSerialParams {
        port: link.to_string_lossy().into_owned(),
        baud: 19_200,
        paper_mm: 80,
        font: ktpel_booth::config::EscposFont::A,
    });
    let mut devices = Devices::from_config(&config.devices);
    let receipt = ProofOfRecording {
        holder: ktpel_booth::papers::Holder {
            office: config.booth.office.clone(),
            booth_id: config.booth.id.clone(),
            receipt_no: "2611250100015".into(),
            queue_no: 7,
            name: "SITI RAHAYU".into(),
            nik_masked: "327301******0001".into(),
            recorded_at: "2026-11-25T02:12:00Z".parse().unwrap(),
            zone: config.booth.time_zone,
        },
        come_back_from: jiff::civil::date(2026, 12, 9),
        under_review: false,
    };
    let doc = receipt.document();
    devices.receipt_printer.print(&doc).unwrap();
    stop.store(true, Ordering::Relaxed);
    let _ = sim.join();
    let got = control.decoded_receipts();
    assert_eq!(got.len(), 1);
    let laid_out =
        ktpel_printer_escpos::layout(&doc, &ktpel_printer_escpos::EncodeOptions::default());
    assert_eq!(
        got[0].lines, laid_out.lines,
        "decoded receipt differs from the booth's"
    );
    // On 80 mm paper no word of the office's name is cut at the paper's edge.
    let paper = got[0].paper_lines(80);
    for line in &paper {
        for w in line.split_whitespace() {
            assert!(
                doc.lines.iter().any(|l| matches!(l, ktpel_hal::ReceiptLine::Text { text, .. } if text.split_whitespace().any(|x| x == w))),
                "{w:?} cut in two: {paper:#?}"
            );
        }
    }
    let text = ktpel_sim::receipt_text(&got[0].to_doc());
    assert!(text.contains("[QR] 2611250100015"), "{text}");
    assert!(text.contains("BUKTI PEREKAMAN KTP-el") && text.contains("TIDAK DIPUNGUT BIAYA"));
}
