//! The real driver against the pen simulator on the other end of a pty pair.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{Device, ErrorKind, SignatureCapture, SignaturePad, Stroke};
use ktpel_signature_isdv4::{Isdv4Config, Isdv4Pad, Isdv4State};
use ktpel_sim::serial::{
    isdv4_strokes, serve_isdv4, Isdv4SimOptions, Pace, PtyDevice, SerialControl, SerialFault,
};
use std::time::{Duration, Instant};

/// A pen digitizer on a pty behind a stable symlink; a replug is a new pair.
struct Bench {
    pty: PtyDevice,
    control: SerialControl,
}

impl Bench {
    fn new(opts: Isdv4SimOptions) -> Self {
        let control = opts.control.clone();
        let pty = PtyDevice::plug_in("pen", move |port, stop| {
            serve_isdv4(port, opts.clone(), stop)
        })
        .unwrap();
        Self { pty, control }
    }

    fn pad(&self) -> Isdv4Pad {
        let mut c = Isdv4Config::new(self.pty.link().to_string_lossy());
        c.query_timeout = Duration::from_millis(300);
        // Pen-up quiet that ends a signature: generous, so a loaded machine (the whole suite
        // on two cores) pausing the simulator between strokes does not end it early.
        c.done_after = Duration::from_millis(400);
        Isdv4Pad::new(c)
    }
}

/// Real report timing, eight times faster.
fn quick() -> Isdv4SimOptions {
    Isdv4SimOptions {
        pace: Pace::Wire {
            baud: 38_400,
            speedup: 8.0,
        },
        ..Isdv4SimOptions::default()
    }
}

const WAIT: Duration = Duration::from_secs(5);

fn assert_same_strokes(got: &[Stroke], want: &[Stroke]) {
    assert_eq!(got.len(), want.len(), "stroke count");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.points.len(), w.points.len());
        for (a, b) in g.points.iter().zip(&w.points) {
            assert!(
                a.x.abs_diff(b.x) <= 1 && a.y.abs_diff(b.y) <= 1,
                "{a:?} vs {b:?}"
            );
            assert_eq!(a.pressure, b.pressure);
        }
    }
}

fn ink_pixels(capture: &SignatureCapture) -> usize {
    let img = image::load_from_memory(&capture.image.bytes)
        .unwrap()
        .to_luma8();
    assert_eq!(img.dimensions(), (600, 200));
    img.pixels().filter(|p| p.0[0] < 128).count()
}

#[test]
fn a_signature_arrives_with_the_strokes_the_pen_drew() {
    let bench = Bench::new(quick());
    bench.control.set_subject(31);
    let mut pad = bench.pad();
    let started = Instant::now();
    let capture = pad.capture_signature(WAIT).unwrap();
    let took = started.elapsed();
    assert_same_strokes(&capture.strokes, &isdv4_strokes(31, 1));
    assert_eq!(
        (capture.max_x, capture.max_y, capture.max_pressure),
        (12000, 4000, 1023)
    );
    assert!(ink_pixels(&capture) > 500);
    // Timing: the pen's own pace, then the quiet period.
    let last_t = isdv4_strokes(31, 1)
        .last()
        .unwrap()
        .points
        .last()
        .unwrap()
        .t_ms;
    assert!(
        took >= Duration::from_millis(u64::from(last_t) / 8),
        "{took:?}"
    );
    // The host's clock: times start at the first tip-down and never go back.
    let times: Vec<u32> = capture
        .strokes
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.t_ms))
        .collect();
    assert_eq!(times[0], 0);
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    assert!(matches!(pad.state(), Isdv4State::Streaming(_)));
}

#[test]
fn clear_and_sign_again() {
    let bench = Bench::new(Isdv4SimOptions {
        pace: Pace::Instant,
        ..Isdv4SimOptions::default()
    });
    bench.control.set_subject(8);
    let mut pad = bench.pad();
    let first = pad.capture_signature(WAIT).unwrap();
    pad.clear().unwrap();
    assert!(matches!(pad.state(), Isdv4State::Idle(_)));
    let second = pad.capture_signature(WAIT).unwrap();
    assert_same_strokes(&first.strokes, &isdv4_strokes(8, 1));
    assert_same_strokes(&second.strokes, &isdv4_strokes(8, 2));
    assert_ne!(first.strokes, second.strokes);
    assert_eq!(bench.control.signatures_drawn(), 2);
}

#[test]
fn nobody_signing_times_out() {
    let bench = Bench::new(quick());
    bench.control.set_signer_present(false);
    let mut pad = bench.pad();
    let e = pad
        .capture_signature(Duration::from_millis(300))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    bench.control.set_signer_present(true);
    pad.capture_signature(WAIT).unwrap();
}

#[test]
fn stray_bytes_are_skipped_without_losing_a_point() {
    let bench = Bench::new(quick());
    bench.control.set_subject(77);
    // stop, query pass; the start meets noise between its reports.
    bench.control.script(vec![
        SerialFault::Pass,
        SerialFault::Pass,
        SerialFault::Noise(vec![0x00, 0x30, 0x7F, 0x12]),
    ]);
    let mut pad = bench.pad();
    let capture = pad.capture_signature(WAIT).unwrap();
    assert_same_strokes(&capture.strokes, &isdv4_strokes(77, 1));
    assert!(pad.line_stats().stray_bytes >= 4, "{:?}", pad.line_stats());
}

#[test]
fn a_cut_packet_loses_one_report_only() {
    let bench = Bench::new(quick());
    bench.control.set_subject(3);
    bench.control.script(vec![
        SerialFault::Pass,
        SerialFault::Pass,
        SerialFault::Corrupt,
    ]);
    let mut pad = bench.pad();
    let capture = pad.capture_signature(WAIT).unwrap();
    let want = isdv4_strokes(3, 1);
    let points = |s: &[Stroke]| s.iter().map(|s| s.points.len()).sum::<usize>();
    assert!(points(&capture.strokes) + 1 >= points(&want));
    assert_eq!(pad.line_stats().cut_packets, 1);
}

#[test]
fn query_faults_give_their_own_errors() {
    let bench = Bench::new(quick());
    let mut pad = bench.pad();
    // stop, then the query answer is cut short.
    bench
        .control
        .script(vec![SerialFault::Pass, SerialFault::Corrupt]);
    let e = pad.connect().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadData, "{e}");
    // stop, then no answer; the same at the other speed.
    bench.control.script(vec![
        SerialFault::Pass,
        SerialFault::Silent,
        SerialFault::Pass,
        SerialFault::Silent,
    ]);
    let e = pad.connect().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    let caps = pad.connect().unwrap();
    assert_eq!(
        (caps.max_x, caps.max_y, caps.max_pressure),
        (12000, 4000, 1023)
    );
}

#[test]
fn unplugging_mid_signature_is_disconnected_and_a_replug_is_picked_up() {
    let mut bench = Bench::new(quick());
    bench.control.set_subject(12);
    let mut pad = bench.pad();
    bench.control.script(vec![
        SerialFault::Pass,
        SerialFault::Pass,
        SerialFault::Unplug,
    ]);
    let e = pad.capture_signature(WAIT).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Disconnected, "{e}");
    assert_eq!(pad.state(), Isdv4State::Closed);
    bench.pty.wait_unplugged().unwrap();
    assert_eq!(
        pad.capture_signature(WAIT).unwrap_err().kind,
        ErrorKind::Disconnected
    );
    bench.pty.replug().unwrap();
    let capture = pad.capture_signature(WAIT).unwrap();
    // The first signature was cut off by the unplug; this is the person's second.
    assert_same_strokes(&capture.strokes, &isdv4_strokes(12, 2));
}

#[test]
fn self_test_reports_range_firmware_and_a_live_read() {
    let bench = Bench::new(quick());
    bench.control.set_signer_present(false);
    let mut pad = bench.pad();
    let report = pad.self_test().unwrap();
    assert!(report.passed(), "{report:?}");
    let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["port", "query", "live read"]);
    assert!(
        report.checks[1]
            .detail
            .contains("range 12000x4000 (120x40 mm)"),
        "{report:?}"
    );
    assert_eq!(report.device.firmware, "1.23");
    assert_eq!(report.device.driver, "isdv4");
}

/// A pad that runs at 19200 (some models do) behind a config that says 38400, the driver's
/// default: the query at 38400 reaches the pad as line noise, so the driver asks again at
/// 19200, says so, and the pad signs. A pad silent at both speeds names both.
#[test]
fn a_pad_at_the_other_standard_speed_is_found_and_named() {
    let bench = Bench::new(Isdv4SimOptions {
        pace: Pace::Wire {
            baud: 19_200,
            speedup: 8.0,
        },
        line_speed: Some(19_200),
        ..Isdv4SimOptions::default()
    });
    bench.control.set_subject(12);
    let mut pad = bench.pad();
    let report = pad.self_test().unwrap();
    assert!(report.passed(), "{report:?}");
    let port = &report.checks[0];
    assert_eq!(port.name, "port");
    assert!(
        port.detail
            .contains("answers at 19200 baud, not the configured 38400"),
        "{port:?}"
    );
    assert_eq!(pad.answered_at(), Some(19_200));
    let capture = pad.capture_signature(WAIT).unwrap();
    // The self-test's live read started the pen once already.
    let n = bench.control.signatures_drawn();
    assert_same_strokes(&capture.strokes, &isdv4_strokes(12, n));
    drop(pad);

    // Nothing at either speed (a pad fixed at 9600 here): both are named.
    let bench = Bench::new(Isdv4SimOptions {
        pace: Pace::Instant,
        line_speed: Some(9_600),
        ..Isdv4SimOptions::default()
    });
    let e = bench.pad().connect().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    let msg = e.to_string();
    assert!(msg.contains("38400") && msg.contains("19200"), "{msg}");
}
