//! The simulated devices through the hal traits: captures, faults, self-tests and identity.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_hal::{
    Align, Camera, DeviceKind, DeviceResult, ErrorKind, Eye, FingerPosition, FingerprintScanner,
    ImageFormat, IrisScanner, ReceiptDoc, ReceiptLine, SignaturePad,
};
use ktpel_sim::finger::render_finger;
use ktpel_sim::{
    mean_abs_diff, BoxedBooth, Fault, SimBooth, SimCamera, SimControl, SimFingerprint, SimIris,
    SimSignaturePad, VirtualCard,
};
use std::time::{Duration, Instant};

const T: Duration = Duration::from_millis(200);

fn front_png() -> ktpel_hal::EncodedImage {
    let mut bytes = Vec::new();
    let img = image::RgbImage::from_pixel(101, 64, image::Rgb([200, 30, 30]));
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    ktpel_hal::EncodedImage {
        format: ImageFormat::Png,
        width: 101,
        height: 64,
        bytes,
    }
}

fn receipt() -> ReceiptDoc {
    ReceiptDoc {
        lines: vec![
            ReceiptLine::Text {
                text: "BUKTI PEREKAMAN KTP-el".into(),
                align: Align::Center,
                bold: true,
                size: 1,
            },
            ReceiptLine::Qr {
                payload: "KTPEL:1234".into(),
            },
            ReceiptLine::Feed(1),
            ReceiptLine::Cut,
        ],
    }
}

/// One ordinary call of a device of `kind`, through its trait object.
fn call(booth: &mut BoxedBooth, kind: DeviceKind) -> DeviceResult<()> {
    match kind {
        DeviceKind::Camera => booth.camera.capture_face().map(drop),
        DeviceKind::FingerprintScanner => booth
            .fingerprint
            .capture_finger(FingerPosition::LeftThumb, T)
            .map(drop),
        DeviceKind::IrisScanner => booth.iris.capture_iris(Eye::Left, T).map(drop),
        DeviceKind::SignaturePad => booth.signature.capture_signature(T).map(drop),
        DeviceKind::CardEncoder => booth.card_encoder.wait_card(T).map(drop),
        DeviceKind::CardPrinter => booth.card_printer.print_card(&front_png()).map(drop),
        DeviceKind::ReceiptPrinter => booth.receipt_printer.print(&receipt()),
    }
}

fn self_test(booth: &mut BoxedBooth, kind: DeviceKind) -> DeviceResult<ktpel_hal::SelfTestReport> {
    match kind {
        DeviceKind::Camera => booth.camera.self_test(),
        DeviceKind::FingerprintScanner => booth.fingerprint.self_test(),
        DeviceKind::IrisScanner => booth.iris.self_test(),
        DeviceKind::SignaturePad => booth.signature.self_test(),
        DeviceKind::CardEncoder => booth.card_encoder.self_test(),
        DeviceKind::CardPrinter => booth.card_printer.self_test(),
        DeviceKind::ReceiptPrinter => booth.receipt_printer.self_test(),
    }
}

fn booth() -> (BoxedBooth, ktpel_sim::SimBoothControls) {
    let booth = SimBooth::new(7, None);
    let controls = booth.controls();
    (booth.into_boxed(), controls)
}

#[test]
fn every_device_answers_every_fault_kind() {
    let (mut booth, controls) = booth();
    for kind in DeviceKind::ALL {
        let control = controls.get(kind);
        control.script(vec![
            Fault::Timeout,
            Fault::Busy,
            Fault::Error(ErrorKind::NotPresent),
            Fault::Pass,
            Fault::PoorQuality,
            Fault::Slow(Duration::from_millis(40)),
        ]);
        assert_eq!(
            call(&mut booth, kind).unwrap_err().kind,
            ErrorKind::Timeout,
            "{kind:?}"
        );
        assert_eq!(
            call(&mut booth, kind).unwrap_err().kind,
            ErrorKind::Busy,
            "{kind:?}"
        );
        assert_eq!(
            call(&mut booth, kind).unwrap_err().kind,
            ErrorKind::NotPresent,
            "{kind:?}"
        );
        call(&mut booth, kind).unwrap();
        call(&mut booth, kind).unwrap();
        let t = Instant::now();
        call(&mut booth, kind).unwrap();
        assert!(t.elapsed() >= Duration::from_millis(40), "{kind:?} slow");
        assert_eq!(control.pending_faults(), 0);
        call(&mut booth, kind).unwrap();
    }
}

#[test]
fn unplugged_devices_fail_everything_until_replugged() {
    let (mut booth, controls) = booth();
    for kind in DeviceKind::ALL {
        let control = controls.get(kind);
        control.script(vec![Fault::Unplugged]);
        for _ in 0..3 {
            let e = call(&mut booth, kind).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Disconnected, "{kind:?}");
            assert!(e.message.contains("unplugged"), "{kind:?}: {}", e.message);
        }
        let e = self_test(&mut booth, kind).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Disconnected, "{kind:?} self-test");
        control.replug();
        call(&mut booth, kind).unwrap();
        assert!(self_test(&mut booth, kind).unwrap().passed(), "{kind:?}");
        // unplug() works without a script too.
        control.unplug();
        assert_eq!(
            call(&mut booth, kind).unwrap_err().kind,
            ErrorKind::Disconnected
        );
        control.replug();
    }
}

#[test]
fn self_tests_pass_when_healthy_and_fail_a_check_under_a_fault() {
    let (mut booth, controls) = booth();
    for kind in DeviceKind::ALL {
        let report = self_test(&mut booth, kind).unwrap();
        assert!(report.passed(), "{kind:?}: {:?}", report.checks);
        assert_eq!(report.device.kind, kind);
        for fault in [Fault::Timeout, Fault::Busy] {
            controls.get(kind).script(vec![fault.clone()]);
            let report = self_test(&mut booth, kind).unwrap();
            assert!(
                !report.passed(),
                "{kind:?} under {fault:?}: {:?}",
                report.checks
            );
            controls.get(kind).script(vec![]);
        }
    }
    // Degraded captures fail the quality checks.
    for kind in [
        DeviceKind::Camera,
        DeviceKind::FingerprintScanner,
        DeviceKind::IrisScanner,
    ] {
        controls
            .get(kind)
            .script(vec![Fault::PoorQuality, Fault::PoorQuality]);
        let report = self_test(&mut booth, kind).unwrap();
        assert!(
            !report.passed(),
            "{kind:?} poor quality: {:?}",
            report.checks
        );
    }
    // A printer out of paper fails its paper check.
    controls.receipt_printer.set_paper_out(true);
    assert!(!booth.receipt_printer.self_test().unwrap().passed());
    controls.card_printer.set_cover_open(true);
    assert!(!booth.card_printer.self_test().unwrap().passed());
}

#[test]
fn identity_follows_the_seed() {
    let a = SimBooth::new(1, None).into_boxed();
    let b = SimBooth::new(1, None).into_boxed();
    let c = SimBooth::new(2, None).into_boxed();
    let infos = |x: &BoxedBooth| {
        vec![
            x.camera.info(),
            x.fingerprint.info(),
            x.iris.info(),
            x.signature.info(),
            x.card_encoder.info(),
            x.card_printer.info(),
            x.receipt_printer.info(),
        ]
    };
    let (ia, ib, ic) = (infos(&a), infos(&b), infos(&c));
    assert_eq!(ia, ib);
    let serials: std::collections::HashSet<_> =
        ia.iter().chain(&ic).map(|i| i.serial.clone()).collect();
    assert_eq!(serials.len(), 14, "serials differ across devices and seeds");
    for (info, kind) in ia.iter().zip(DeviceKind::ALL) {
        assert_eq!(
            (info.kind, info.driver.as_str(), info.firmware.as_str()),
            (kind, "sim", "sim-1")
        );
        assert!(!info.model.is_empty());
    }
}

#[test]
fn camera_preview_is_live_and_follows_the_subject() {
    let mut cam = SimCamera::new(3);
    let control = cam.control();
    let f1 = cam.preview_frame().unwrap();
    let f2 = cam.preview_frame().unwrap();
    assert_eq!(
        (f1.width, f1.height, f1.rgb.len()),
        (640, 480, 640 * 480 * 3)
    );
    let live = mean_abs_diff(&f1.rgb, &f2.rgb);
    assert!(
        live > 0.5 && live < 20.0,
        "consecutive frames differ by {live}"
    );
    control.set_subject(99);
    let other = cam.preview_frame().unwrap();
    assert!(mean_abs_diff(&f2.rgb, &other.rgb) > 6.0);
    let t = Instant::now();
    for _ in 0..5 {
        cam.preview_frame().unwrap();
    }
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "preview frames are cheap once rendered"
    );
}

#[test]
fn camera_portrait_is_a_good_jpeg() {
    let mut cam = SimCamera::new(3);
    for subject in 0..3 {
        cam.control().set_subject(subject);
        let face = cam.capture_face().unwrap();
        assert_eq!(
            (face.image.format, face.image.width, face.image.height),
            (ImageFormat::Jpeg, 480, 640)
        );
        let kb = face.image.bytes.len() / 1024;
        assert!((50..=150).contains(&kb), "portrait of {kb} KB");
        assert!((70..=95).contains(&face.quality.0));
        let decoded = image::load_from_memory(&face.image.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (480, 640));
    }
    cam.control().script(vec![Fault::PoorQuality]);
    let poor = cam.capture_face().unwrap();
    assert!((5..=25).contains(&poor.quality.0));
}

#[test]
fn captures_are_reproducible_from_the_seed() {
    let run = |seed| {
        let mut f = SimFingerprint::new(seed);
        let mut i = SimIris::new(seed);
        let mut s = SimSignaturePad::new(seed);
        let mut c = SimCamera::new(seed);
        f.control().set_subject(11);
        (
            f.capture_finger(FingerPosition::RightIndex, T).unwrap(),
            f.capture_finger(FingerPosition::RightIndex, T).unwrap(),
            i.capture_iris(Eye::Right, T).unwrap(),
            s.capture_signature(T).unwrap(),
            c.capture_face().unwrap(),
        )
    };
    let (a, b) = (run(5), run(5));
    assert_eq!(a, b);
    let c = run(6);
    // Another scanner sees the same finger with other noise.
    assert_ne!(a.0.image, c.0.image);
    assert!(mean_abs_diff(&a.0.image.pixels, &c.0.image.pixels) < 12.0);
    // Two captures of one finger: same finger, other acquisition.
    assert_ne!(a.0.image, a.1.image);
    assert!(mean_abs_diff(&a.0.image.pixels, &a.1.image.pixels) < 12.0);
    assert!(
        mean_abs_diff(
            &a.0.image.pixels,
            &render_finger(11, FingerPosition::RightIndex).pixels
        ) < 12.0
    );
}

#[test]
fn fingerprint_capture_shape_and_poor_quality() {
    let mut f = SimFingerprint::new(1);
    let c = f.capture_finger(FingerPosition::LeftLittle, T).unwrap();
    assert_eq!(
        (c.position, c.image.width, c.image.height, c.resolution_ppi),
        (FingerPosition::LeftLittle, 256, 288, 500)
    );
    assert!((60..=95).contains(&c.quality.0));
    f.control().script(vec![Fault::PoorQuality]);
    let p = f.capture_finger(FingerPosition::LeftLittle, T).unwrap();
    assert!((5..=25).contains(&p.quality.0));
    assert!(
        mean_abs_diff(&c.image.pixels, &p.image.pixels) > 15.0,
        "degraded image differs"
    );
}

#[test]
fn iris_and_signature_captures() {
    let mut iris = SimIris::new(1);
    let c = iris.capture_iris(Eye::Left, T).unwrap();
    assert_eq!(
        (c.eye, c.image.width, c.image.height),
        (Eye::Left, 640, 480)
    );
    assert!((60..=95).contains(&c.quality.0));
    iris.control().script(vec![Fault::PoorQuality]);
    assert!((5..=25).contains(&iris.capture_iris(Eye::Left, T).unwrap().quality.0));

    let mut pad = SimSignaturePad::new(1);
    pad.clear().unwrap();
    let s = pad.capture_signature(T).unwrap();
    assert_eq!((s.max_x, s.max_y, s.max_pressure), (12000, 4000, 1023));
    assert_eq!(
        (s.image.format, s.image.width, s.image.height),
        (ImageFormat::Png, 600, 200)
    );
    assert!(!s.strokes.is_empty());
    let again = pad.capture_signature(T).unwrap();
    assert_ne!(s.strokes, again.strokes, "each signing differs a little");
    pad.control().set_subject(2);
    assert_ne!(pad.capture_signature(T).unwrap().strokes.len(), 0);
}

#[test]
fn latency_applies_to_every_call() {
    let control = SimControl::new(DeviceKind::Camera);
    let mut cam = SimCamera::new(1);
    drop(control);
    cam.control().set_latency(Some(Duration::from_millis(30)));
    let t = Instant::now();
    cam.preview_frame().unwrap();
    cam.preview_frame().unwrap();
    assert!(t.elapsed() >= Duration::from_millis(60));
}

#[test]
fn booth_bundles_a_card_feeder() {
    let booth = SimBooth::new(3, None);
    booth.set_subject(4);
    let controls = booth.controls();
    assert!(controls.all().iter().all(|c| c.subject() == 4));
    let mut boxed = booth.into_boxed();
    let info = boxed.card_encoder.wait_card(T).unwrap();
    assert!(info.extended_length);
    assert_eq!(info.atr, VirtualCard::new().atr());
}
