//! The driver against a real CUPS: a private `cupsd` on loopback (its own config, spool and
//! state in a temporary directory), with a queue made by `lpadmin` whose device is the IPP
//! printer simulator, so the card goes booth → CUPS → CUPS's own ipp backend → printer, as in an
//! office with an IPP card printer behind the booth's CUPS. Under `CI=true` a missing CUPS is a
//! failure; elsewhere the test says it is skipped and why.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{CardPrinter, Device, EncodedImage, ErrorKind, ImageFormat};
use ktpel_printer_ipp::sim::{IppPrinterSim, SimOptions};
use ktpel_printer_ipp::{list_queues, IppCardPrinter, IppConfig};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const QUEUE: &str = "card";

struct Cups {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
    /// The printer behind the queue.
    printer: IppPrinterSim,
}

impl Cups {
    /// Starts cupsd, or explains why it cannot (a failure under CI=true).
    fn start() -> Option<Cups> {
        let missing: Vec<&str> = [
            "/usr/sbin/cupsd",
            "/usr/sbin/lpadmin",
            "/usr/sbin/cupsdisable",
            "/usr/lib/cups/backend/ipp",
            "/usr/lib/cups/filter/gziptoany",
        ]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
        if !missing.is_empty() {
            let why = format!(
                "CUPS is not installed ({} missing; `.ci/deps test` installs cups-daemon, \
                 cups-client and cups-core-drivers)",
                missing.join(", ")
            );
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{why}");
            }
            eprintln!("skipped: {why}");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["spool", "tmp", "cache", "state"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        // cupsd runs its filters and backends as its unprivileged user (lp).
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        std::fs::write(
            root.join("cupsd.conf"),
            format!(
                "Listen 127.0.0.1:{port}\nBrowsing No\nWebInterface No\nDefaultAuthType None\n\
                 LogLevel warn\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
                 <Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n\
                 <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
            ),
        )
        .unwrap();
        let r = root.display();
        std::fs::write(
            root.join("cups-files.conf"),
            format!(
                "ServerRoot {r}\nRequestRoot {r}/spool\nTempDir {r}/tmp\nCacheDir {r}/cache\n\
                 StateDir {r}/state\nErrorLog {r}/error_log\nAccessLog {r}/access_log\n\
                 PageLog {r}/page_log\nFileDevice Yes\nSystemGroup root\n"
            ),
        )
        .unwrap();
        let child = Command::new("/usr/sbin/cupsd")
            .arg("-f")
            .arg("-c")
            .arg(root.join("cupsd.conf"))
            .arg("-s")
            .arg(root.join("cups-files.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cupsd starts");
        let printer = IppPrinterSim::start(SimOptions::default()).unwrap();
        let cups = Cups {
            child,
            dir,
            port,
            printer,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "cupsd did not listen on {port}: {}",
                cups.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        // A raw queue (deprecated in CUPS 2.4, still served) passes the card's bytes unchanged
        // to its device, the IPP printer.
        let device = cups.printer.uri();
        cups.admin(
            "/usr/sbin/lpadmin",
            &["-p", QUEUE, "-E", "-v", &device, "-m", "raw"],
        );
        Some(cups)
    }

    fn uri(&self) -> String {
        format!("ipp://127.0.0.1:{}/printers/{QUEUE}", self.port)
    }

    fn admin(&self, tool: &str, args: &[&str]) {
        let server = format!("127.0.0.1:{}", self.port);
        let out = Command::new(tool)
            .arg("-h")
            .arg(&server)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error_log")).unwrap_or_default()
    }
}

impl Drop for Cups {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn card_png() -> EncodedImage {
    let (w, h) = (1011u32, 638u32);
    let pixels: Vec<u8> = (0..w * h * 3).map(|i| (i % 251) as u8).collect();
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&pixels).unwrap();
    }
    EncodedImage {
        format: ImageFormat::Png,
        width: w,
        height: h,
        bytes,
    }
}

#[test]
fn a_card_goes_through_a_real_cups_queue_and_a_stopped_queue_gets_nothing() {
    let Some(cups) = Cups::start() else { return };
    let mut config = IppConfig::new(cups.uri());
    config.job_timeout = Duration::from_secs(20);
    config.poll_interval = Duration::from_millis(100);
    let mut printer = IppCardPrinter::new(config).unwrap();

    // CUPS lists the queue, with the URI the booth prints to.
    let server = format!("ipp://127.0.0.1:{}/", cups.port);
    let queues = list_queues(&server, Duration::from_secs(5)).unwrap();
    assert_eq!(
        queues.iter().map(|q| q.uri.as_str()).collect::<Vec<_>>(),
        [cups.uri().as_str()],
        "{queues:?}"
    );

    let report = printer.self_test().unwrap();
    assert!(report.passed(), "{report:?}");

    // The card reaches the printer byte for byte through CUPS, and the job is followed to its
    // end at CUPS.
    let front = card_png();
    let job = printer.print_card(&front).unwrap();
    assert!(job.starts_with("ipp job "), "{job}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while cups.printer.control().documents().is_empty() {
        assert!(
            Instant::now() < deadline,
            "CUPS passed nothing on: {}",
            cups.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let received = cups.printer.control().documents();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].1 == front.bytes,
        "the printer got other bytes than the card"
    );

    // A stopped queue: refused before anything is sent, with the command that resumes it.
    cups.admin("/usr/sbin/cupsdisable", &[QUEUE]);
    let e = printer.print_card(&front).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NeedsAttention, "{e}");
    assert!(e.message.contains("cupsenable card"), "{e}");
    let report = printer.self_test().unwrap();
    assert!(!report.passed(), "{report:?}");
    // Had a job been queued while stopped, CUPS would print it now that the queue runs again.
    cups.admin("/usr/sbin/cupsenable", &[QUEUE]);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        cups.printer.control().documents().len(),
        1,
        "nothing was sent while the queue was stopped"
    );

    // A queue that does not exist is named as such.
    let mut wrong =
        IppCardPrinter::new(IppConfig::new(cups.uri().replace("/card", "/kartu"))).unwrap();
    let e = wrong.print_card(&front).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotPresent, "{e}");
}
