//! The real driver against the module simulator on the other end of a pty pair.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_fingerprint_zfm::{ZfmConfig, ZfmScanner, ZfmState};
use ktpel_hal::{Device, ErrorKind, FingerPosition, FingerprintScanner};
use ktpel_sim::serial::{
    serve_zfm, zfm_wire_image, Pace, PtyDevice, SerialControl, SerialFault, ZfmSimOptions,
};
use std::time::{Duration, Instant};

/// A module on a pty behind a stable symlink (as udev's /dev/serial/by-id links are): a
/// replug is a new pty pair with the link pointed at it.
struct Bench {
    pty: PtyDevice,
    control: SerialControl,
}

impl Bench {
    fn new(opts: ZfmSimOptions) -> Self {
        let control = opts.control.clone();
        let pty = PtyDevice::plug_in("fingerprint", move |port, stop| {
            serve_zfm(port, opts.clone(), stop)
        })
        .unwrap();
        Self { pty, control }
    }

    fn config(&self) -> ZfmConfig {
        let mut c = ZfmConfig::new(self.pty.link().to_string_lossy());
        c.reply_timeout = Duration::from_millis(400);
        c.poll_interval = Duration::from_millis(5);
        c
    }

    fn scanner(&self) -> ZfmScanner {
        ZfmScanner::new(self.config())
    }
}

fn fast() -> ZfmSimOptions {
    ZfmSimOptions {
        pace: Pace::Instant,
        ..ZfmSimOptions::default()
    }
}

const WAIT: Duration = Duration::from_secs(3);

#[test]
fn captures_every_finger_exactly_as_the_module_sent_it() {
    let bench = Bench::new(fast());
    bench.control.set_subject(4242);
    let mut scanner = bench.scanner();
    for position in FingerPosition::ALL {
        bench.control.place_finger(position, 3);
        let capture = scanner.capture_finger(position, WAIT).unwrap();
        assert_eq!(capture.position, position);
        assert_eq!(capture.resolution_ppi, 500);
        assert_eq!(
            capture.image,
            zfm_wire_image(4242, Some(position)),
            "{position:?}"
        );
        assert!(
            capture.quality.0 >= 50,
            "{position:?}: {:?}",
            capture.quality
        );
        assert!(matches!(scanner.state(), ZfmState::Ready(_)));
    }
    // Ten fingers of another person differ from this one's.
    bench.control.set_subject(7);
    bench.control.place_finger(FingerPosition::RightThumb, 0);
    let other = scanner
        .capture_finger(FingerPosition::RightThumb, WAIT)
        .unwrap();
    assert_ne!(
        other.image,
        zfm_wire_image(4242, Some(FingerPosition::RightThumb))
    );
}

#[test]
fn no_finger_times_out_and_the_next_finger_is_taken() {
    let bench = Bench::new(fast());
    let mut scanner = bench.scanner();
    let started = Instant::now();
    let e = scanner
        .capture_finger(FingerPosition::LeftIndex, Duration::from_millis(300))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(e.message.contains("no finger"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(scanner.state(), ZfmState::Ready(_)));
    bench.control.place_finger(FingerPosition::LeftIndex, 1);
    scanner
        .capture_finger(FingerPosition::LeftIndex, WAIT)
        .unwrap();
}

#[test]
fn a_wrong_password_is_refused_with_a_clear_message() {
    let bench = Bench::new(ZfmSimOptions {
        password: 0x1234,
        ..fast()
    });
    let mut scanner = bench.scanner();
    let e = scanner
        .capture_finger(FingerPosition::RightIndex, WAIT)
        .unwrap_err();
    // Its own kind (not `other`), so the self-test's advice is about the password.
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert!(
        e.message.contains("refused the password")
            && e.message.contains("password in [devices.fingerprint]"),
        "{e}"
    );
    // The port is opened exclusively: let go of it first.
    drop(scanner);
    let mut config = bench.config();
    config.password = 0x1234;
    let mut scanner = ZfmScanner::new(config);
    bench.control.place_finger(FingerPosition::RightIndex, 0);
    scanner
        .capture_finger(FingerPosition::RightIndex, WAIT)
        .unwrap();
}

/// A module answers only its own address and only at its own speed (the R30x manual): silent
/// after the port opened, the driver names address, password and speed, not the port.
#[test]
fn a_silent_module_names_address_password_and_speed() {
    let strict = || ZfmSimOptions {
        strict_speed: true,
        ..fast()
    };
    // Configured for another address than the module's.
    let bench = Bench::new(strict());
    let mut config = bench.config();
    config.address = 0x1234_5678;
    let mut scanner = ZfmScanner::new(config);
    let e = scanner.connect().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    let msg = e.to_string();
    for cause in ["address", "password", "speed", "12345678"] {
        assert!(msg.contains(cause), "{cause}: {msg}");
    }
    assert_eq!(bench.control.commands(), 0, "the module ignored the packet");
    let report = scanner.self_test().unwrap();
    assert!(!report.passed());
    let handshake = report
        .checks
        .iter()
        .find(|c| c.name == "handshake")
        .unwrap();
    assert_eq!(handshake.kind, Some(ErrorKind::Timeout));
    assert!(handshake.detail.contains("address"), "{handshake:?}");
    drop(scanner);

    // Configured for another speed: the module hears noise.
    let mut config = bench.config();
    config.baud = 115_200;
    let e = ZfmScanner::new(config).connect().unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("115200 baud") && msg.contains("speed"),
        "{msg}"
    );
    assert_eq!(bench.control.commands(), 0);
    // The right settings: it answers.
    ZfmScanner::new(bench.config()).connect().unwrap();
}

#[test]
fn checksum_errors_are_bad_data_and_the_driver_goes_on() {
    let bench = Bench::new(fast());
    let mut scanner = bench.scanner();
    scanner.connect().unwrap();
    bench.control.place_finger(FingerPosition::RightMiddle, 0);
    // The GenImg ack arrives with a wrong checksum.
    bench.control.script(vec![SerialFault::Corrupt]);
    let e = scanner
        .capture_finger(FingerPosition::RightMiddle, WAIT)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadData, "{e}");
    assert!(e.message.contains("checksum"), "{e}");
    assert_eq!(scanner.state(), &ZfmState::Connected);
    // A data packet in the middle of the image is damaged: handshake, GenImg pass.
    bench.control.script(vec![
        SerialFault::Pass,
        SerialFault::Pass,
        SerialFault::Pass,
        SerialFault::Corrupt,
    ]);
    let e = scanner
        .capture_finger(FingerPosition::RightMiddle, WAIT)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadData, "{e}");
    let ok = scanner
        .capture_finger(FingerPosition::RightMiddle, WAIT)
        .unwrap();
    assert_eq!(
        ok.image,
        zfm_wire_image(0, Some(FingerPosition::RightMiddle))
    );
}

#[test]
fn noise_on_the_line_is_skipped() {
    let bench = Bench::new(fast());
    let mut scanner = bench.scanner();
    bench.control.place_finger(FingerPosition::LeftRing, 1);
    let noise = vec![0x00, 0xEF, 0x55, 0xEF, 0x01, 0xFF, 0x13];
    bench
        .control
        .script((0..6).map(|_| SerialFault::Noise(noise.clone())).collect());
    let capture = scanner
        .capture_finger(FingerPosition::LeftRing, WAIT)
        .unwrap();
    assert_eq!(
        capture.image,
        zfm_wire_image(0, Some(FingerPosition::LeftRing))
    );
}

#[test]
fn a_module_that_stops_answering_times_out_and_is_picked_up_again() {
    let bench = Bench::new(fast());
    let mut scanner = bench.scanner();
    scanner.connect().unwrap();
    bench.control.set_muted(true);
    let started = Instant::now();
    let e = scanner
        .capture_finger(FingerPosition::LeftThumb, WAIT)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(e.message.contains("did not answer"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(1));
    // One lost answer only.
    bench.control.set_muted(false);
    bench.control.script(vec![SerialFault::Silent]);
    assert_eq!(scanner.connect().unwrap_err().kind(), ErrorKind::Timeout);
    bench.control.place_finger(FingerPosition::LeftThumb, 0);
    scanner
        .capture_finger(FingerPosition::LeftThumb, WAIT)
        .unwrap();
}

#[test]
fn unplugging_is_disconnected_and_a_replug_is_picked_up() {
    let mut bench = Bench::new(fast());
    let mut scanner = bench.scanner();
    scanner.connect().unwrap();
    bench.control.place_finger(FingerPosition::RightLittle, 0);
    bench
        .control
        .script(vec![SerialFault::Pass, SerialFault::Unplug]);
    let e = scanner
        .capture_finger(FingerPosition::RightLittle, WAIT)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Disconnected, "{e}");
    assert_eq!(scanner.state(), &ZfmState::Closed);
    bench.pty.wait_unplugged().unwrap();
    // Still away: the port cannot be opened.
    let e = scanner
        .capture_finger(FingerPosition::RightLittle, WAIT)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Disconnected, "{e}");
    assert!(scanner.self_test().is_err());
    bench.pty.replug().unwrap();
    let capture = scanner
        .capture_finger(FingerPosition::RightLittle, WAIT)
        .unwrap();
    assert_eq!(
        capture.image,
        zfm_wire_image(0, Some(FingerPosition::RightLittle))
    );
}

#[test]
fn self_test_reports_identity_parameters_and_a_live_read() {
    let bench = Bench::new(ZfmSimOptions {
        packet_size: 256,
        library_size: 300,
        ..fast()
    });
    let mut scanner = bench.scanner();
    let report = scanner.self_test().unwrap();
    assert!(report.passed(), "{report:?}");
    let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["port", "handshake", "parameters", "sensor", "image upload"]
    );
    assert!(report.checks[2].detail.contains("library 300"));
    assert!(report.checks[2].detail.contains("packets 256 B"));
    assert!(report.checks[3].detail.contains("glass empty"));
    assert!(report.checks[4].detail.contains("256x288 in 144 packets"));
    drop(scanner);
    assert_eq!(report.device.driver, "zfm");
    assert!(report.device.firmware.contains("57600 baud"));
    // A baud rate other than the module's is a failed check, not an error.
    let mut config = bench.config();
    config.baud = 115_200;
    let report = ZfmScanner::new(config).self_test().unwrap();
    assert!(!report.passed());
}

/// The image transfer at the module's factory 57600 baud, paced 10× faster than real time.
#[test]
fn upload_time_follows_the_baud_rate() {
    let bench = Bench::new(ZfmSimOptions {
        pace: Pace::Wire {
            baud: 57_600,
            speedup: 10.0,
        },
        ..ZfmSimOptions::default()
    });
    let mut scanner = bench.scanner();
    scanner.connect().unwrap();
    bench.control.place_finger(FingerPosition::RightIndex, 0);
    let started = Instant::now();
    scanner
        .capture_finger(FingerPosition::RightIndex, WAIT)
        .unwrap();
    let real_time = started.elapsed() * 10;
    eprintln!("GenImg + UpImage at 57600 baud: {real_time:?} (real-time equivalent)");
    // 36,864 image bytes in 288 packets of 128 (+ 11 bytes framing each): 40,032 bytes,
    // 6.95 s at 57600 baud, plus the exposure.
    assert!(
        real_time >= Duration::from_millis(6900) && real_time < Duration::from_millis(9000),
        "{real_time:?}"
    );
}
