//! The SBI client against the SBI simulator on loopback: discovery, signed info, captures of
//! every kind, the hash chain, quality retries, error codes, timeouts, the preview stream and
//! the hal adapters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{client_config, options, port_block, sim};
use ktpel_hal::{Camera, Device, ErrorKind, Eye, FingerPosition, FingerprintScanner, IrisScanner};
use ktpel_sbi::chain::{genesis, link};
use ktpel_sbi::client::{CaptureSpec, ClientConfig, Slap, Trust};
use ktpel_sbi::jws::upper_hex;
use ktpel_sbi::sim::{PortChoice, SimFault, SimHandle, SimKind};
use ktpel_sbi::wire::{BioSubType, BioType, DeviceStatus, DiscoverType};
use ktpel_sbi::{
    HashChain, SbiCamera, SbiClient, SbiCode, SbiConfig, SbiError, SbiFingerprintScanner,
    SbiIrisScanner,
};
use std::time::{Duration, Instant};

fn client() -> SbiClient {
    SbiClient::new(client_config()).unwrap()
}

fn open(handle: &SimHandle) -> ktpel_sbi::SbiDevice {
    client()
        .open(handle.port(), handle.kind().bio_type())
        .unwrap()
}

// --- discovery ---

#[test]
fn discovery_finds_every_device_and_skips_closed_ports() {
    let block = port_block(6);
    let p = *block.start();
    let _finger = SimHandle::start(options(SimKind::Finger, PortChoice::Fixed(p))).unwrap();
    let _iris = SimHandle::start(options(SimKind::Iris, PortChoice::Fixed(p + 2))).unwrap();
    let _face = SimHandle::start(options(SimKind::Face, PortChoice::Fixed(p + 4))).unwrap();
    let c = SbiClient::new(ClientConfig {
        ports: block.clone(),
        ..client_config()
    })
    .unwrap();

    let all = c.discover(DiscoverType::Any).unwrap();
    assert_eq!(all.ports_scanned, 6);
    assert!(all.timed_out.is_empty());
    assert!(all.faulty.is_empty(), "{:?}", all.faulty);
    let mut seen: Vec<(u16, Option<BioType>)> =
        all.devices.iter().map(|d| (d.port, d.bio_type)).collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (p, Some(BioType::Finger)),
            (p + 2, Some(BioType::Iris)),
            (p + 4, Some(BioType::Face))
        ]
    );
    for d in &all.devices {
        assert_eq!(d.status, DeviceStatus::Ready);
        assert_eq!(d.spec_versions, vec!["0.9.5".to_string()]);
        assert_eq!(d.callback_id, format!("http://127.0.0.1:{}", d.port));
        assert_eq!(d.certification, "L0");
        assert!(d
            .digital_id
            .as_ref()
            .is_some_and(|id| !id.serial_no.is_empty()));
    }
    let finger = all.devices.iter().find(|d| d.port == p).unwrap();
    assert_eq!(finger.sub_ids, vec![1, 2, 3]);

    // A typed request: only the iris answers.
    let iris = c.discover(DiscoverType::Only(BioType::Iris)).unwrap();
    assert_eq!(iris.devices.len(), 1);
    assert_eq!(iris.devices[0].port, p + 2);
    assert!(all.elapsed < Duration::from_secs(5), "{:?}", all.elapsed);
}

#[test]
fn a_full_range_scan_finds_a_device_within_the_budget() {
    let block = port_block(1);
    let handle =
        SimHandle::start(options(SimKind::Iris, PortChoice::Fixed(*block.start()))).unwrap();
    let c = SbiClient::new(ClientConfig::default()).unwrap();
    let started = Instant::now();
    let d = c.discover(DiscoverType::Any).unwrap();
    let took = started.elapsed();
    assert_eq!(d.ports_scanned, 100);
    assert!(took < Duration::from_secs(5), "full scan took {took:?}");
    assert!(d
        .devices
        .iter()
        .any(|x| x.port == handle.port() && x.bio_type == Some(BioType::Iris)));
    // Found by type through the same scan.
    let device = c.find(BioType::Iris).unwrap();
    assert_eq!(device.bio_type(), Some(BioType::Iris));
}

#[test]
fn a_slow_port_does_not_hold_discovery_past_its_budget() {
    let block = port_block(2);
    let p = *block.start();
    let slow = SimHandle::start(options(SimKind::Face, PortChoice::Fixed(p))).unwrap();
    slow.set_fault(Some(SimFault::Slow(Duration::from_secs(3))));
    let _quick = SimHandle::start(options(SimKind::Finger, PortChoice::Fixed(p + 1))).unwrap();
    let c = SbiClient::new(ClientConfig {
        ports: block,
        discovery_budget: Duration::from_millis(600),
        ..client_config()
    })
    .unwrap();
    let started = Instant::now();
    let d = c.discover(DiscoverType::Any).unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1500), "{took:?}");
    assert_eq!(d.timed_out, vec![p]);
    assert_eq!(d.devices.len(), 1);
    assert_eq!(d.devices[0].port, p + 1);
}

// --- device info ---

#[test]
fn device_info_is_verified_against_the_device_certificate() {
    let h = sim(SimKind::Finger);
    let infos = client().device_info(h.port()).unwrap();
    assert_eq!(infos.len(), 1);
    let info = &infos[0];
    assert_eq!(info.status, DeviceStatus::Ready);
    assert_eq!(info.bio_type, Some(BioType::Finger));
    assert_eq!(info.digital_id.device_sub_type, "Slap");
    assert_eq!(info.payload.purpose, "Registration");
    let cert = info.certificate.as_ref().unwrap();
    assert_eq!(cert.fingerprint_hex(), h.certificate_fingerprint());
    assert!(info.usable().is_ok());
}

#[test]
fn a_bad_info_signature_is_refused() {
    let h = sim(SimKind::Iris);
    h.set_fault(Some(SimFault::BadSignature));
    let err = client().device_info(h.port()).unwrap_err();
    assert!(matches!(err, SbiError::Signature { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::BadData);
    h.set_fault(None);
    assert!(client().device_info(h.port()).is_ok());
}

#[test]
fn pinned_certificates_decide_trust() {
    let h = sim(SimKind::Face);
    let pinned = SbiClient::new(ClientConfig {
        trust: Trust::Pinned(vec![h.certificate_fingerprint().to_lowercase()]),
        ..client_config()
    })
    .unwrap();
    assert!(pinned.device_info(h.port()).is_ok());
    let other = SbiClient::new(ClientConfig {
        trust: Trust::Pinned(vec!["00".repeat(32)]),
        ..client_config()
    })
    .unwrap();
    let err = other.device_info(h.port()).unwrap_err();
    assert!(matches!(err, SbiError::Untrusted { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::NeedsAttention);
}

/// What the technician sees of a device found by a scan: who it is from its signed digital
/// id (make, model, serial) and device info (firmware), and how its certificate stands against
/// the pins: trusted, untrusted or not pinned.
#[test]
fn a_scan_names_each_device_and_its_certificate_trust() {
    let h = sim(SimKind::Iris);
    let config = ClientConfig {
        ports: h.port()..=h.port(),
        ..client_config()
    };
    let (_, devices) = ktpel_sbi::scan(&config).unwrap();
    assert_eq!(devices.len(), 1);
    let info = devices[0].info.as_ref().unwrap();
    let id = &info.digital_id;
    assert_eq!(id.make, "KTP-el Sim");
    assert!(!id.model.is_empty() && !id.serial_no.is_empty(), "{id:?}");
    assert_eq!(info.payload.firmware, "ktpel-sim-1");
    let cert = info.certificate.as_ref();
    let pin = h.certificate_fingerprint();
    use ktpel_sbi::CertTrust;
    assert_eq!(CertTrust::of(cert, &[]), CertTrust::NotPinned);
    assert_eq!(
        CertTrust::of(cert, &[pin.to_lowercase()]),
        CertTrust::Trusted
    );
    assert_eq!(
        CertTrust::of(cert, &["AB".repeat(32)]),
        CertTrust::Untrusted
    );
    assert_eq!(CertTrust::of(None, &[pin]), CertTrust::Unsigned);
}

/// A production booth pins its device certificates: `env = "Production"` without pins, or a
/// pin that is not a SHA-256 fingerprint, is refused when the config is read.
#[test]
fn production_needs_pinned_certificates() {
    let parse = |v: serde_json::Value| serde_json::from_value::<ktpel_sbi::SbiParams>(v);
    let e = parse(serde_json::json!({"port": 4501, "env": "Production"})).unwrap_err();
    assert!(e.to_string().contains("needs trusted_certificates"), "{e}");
    let e = parse(serde_json::json!({"env": "Production", "trusted_certificates": ["abc"]}))
        .unwrap_err();
    assert!(e.to_string().contains("not a SHA-256 fingerprint"), "{e}");
    let pin = "0123456789abcdef".repeat(4);
    let p = parse(serde_json::json!({"env": "Production", "trusted_certificates": [pin]})).unwrap();
    assert_eq!(p.to_config().client.trust, Trust::Pinned(vec![pin]));
    // Developer booths may go without (any certificate that verifies); unknown keys still fail.
    assert!(parse(serde_json::json!({"env": "Developer"})).is_ok());
    assert!(parse(serde_json::json!({"portt": 4501})).is_err());
}

// --- captures ---

#[test]
fn slaps_come_back_finger_by_finger_with_exceptions() {
    let h = sim(SimKind::Finger);
    let d = open(&h);
    let mut chain = HashChain::new();

    let left = d
        .capture(
            &CaptureSpec::slap(Slap::LeftFour, &[FingerPosition::LeftRing], 40),
            &mut chain,
        )
        .unwrap();
    let got: Vec<BioSubType> = left.biometrics.iter().filter_map(|b| b.sub_type).collect();
    assert_eq!(
        got,
        vec![
            BioSubType::Finger(FingerPosition::LeftIndex),
            BioSubType::Finger(FingerPosition::LeftMiddle),
            BioSubType::Finger(FingerPosition::LeftLittle)
        ]
    );
    for b in &left.biometrics {
        let g = b.gray.as_ref().unwrap();
        assert_eq!((g.width, g.height), (256, 288));
        assert!(b.quality >= 1.0 && b.quality <= 100.0);
        assert_eq!(b.requested_score, Some(40.0));
    }
    // The image is this person's finger: close to the generator's ideal, far from another.
    let index = left
        .get(BioSubType::Finger(FingerPosition::LeftIndex))
        .unwrap();
    let gray = index.gray.as_ref().unwrap();
    let ideal = ktpel_sim::finger::render_finger(42, FingerPosition::LeftIndex);
    let other = ktpel_sim::finger::render_finger(42, FingerPosition::LeftMiddle);
    let same = ktpel_sim::mean_abs_diff(&gray.pixels, &ideal.pixels);
    let diff = ktpel_sim::mean_abs_diff(&gray.pixels, &other.pixels);
    assert!(same * 3.0 < diff, "same finger {same}, other finger {diff}");

    let right = d
        .capture(&CaptureSpec::slap(Slap::RightFour, &[], 40), &mut chain)
        .unwrap();
    assert_eq!(right.biometrics.len(), 4);
    let thumbs = d
        .capture(&CaptureSpec::slap(Slap::Thumbs, &[], 40), &mut chain)
        .unwrap();
    let mut t: Vec<BioSubType> = thumbs
        .biometrics
        .iter()
        .filter_map(|b| b.sub_type)
        .collect();
    t.sort_by_key(|s| s.as_str());
    assert_eq!(
        t,
        vec![
            BioSubType::Finger(FingerPosition::LeftThumb),
            BioSubType::Finger(FingerPosition::RightThumb)
        ]
    );
    assert_eq!(chain.len(), 9);
}

#[test]
fn irises_both_or_one_with_an_exception() {
    let h = sim(SimKind::Iris);
    let d = open(&h);
    let mut chain = HashChain::new();
    let both = d
        .capture(&CaptureSpec::irises(&[], 60), &mut chain)
        .unwrap();
    assert_eq!(both.biometrics.len(), 2);
    for b in &both.biometrics {
        let g = b.gray.as_ref().unwrap();
        assert_eq!((g.width, g.height), (640, 480));
    }
    assert!(both.get(BioSubType::Iris(Eye::Left)).is_some());
    assert!(both.get(BioSubType::Iris(Eye::Right)).is_some());

    let one = d
        .capture(&CaptureSpec::irises(&[Eye::Left], 60), &mut chain)
        .unwrap();
    assert_eq!(one.biometrics.len(), 1);
    assert_eq!(
        one.biometrics[0].sub_type,
        Some(BioSubType::Iris(Eye::Right))
    );
    assert_eq!(chain.len(), 3);
}

#[test]
fn the_face_is_a_jpeg_portrait_in_a_19794_5_record() {
    let h = sim(SimKind::Face);
    let d = open(&h);
    let mut chain = HashChain::new();
    let face = d.capture(&CaptureSpec::face(40), &mut chain).unwrap();
    assert_eq!(face.biometrics.len(), 1);
    let b = &face.biometrics[0];
    assert_eq!(b.sub_type, None);
    let ktpel_sbi::client::IsoRecord::Face(rec) = &b.record else {
        panic!("not a face record");
    };
    assert_eq!(rec.data_type, ktpel_sbi::iso::FaceDataType::Jpeg);
    let img = image::load_from_memory(&rec.image).unwrap();
    assert_eq!((img.width(), img.height()), (480, 640));
}

#[test]
fn the_hash_chain_links_captures_and_a_broken_link_is_caught() {
    let h = sim(SimKind::Iris);
    let d = open(&h);
    let mut chain = HashChain::new();
    let first = d
        .capture(&CaptureSpec::irises(&[], 60), &mut chain)
        .unwrap();
    let second = d
        .capture(&CaptureSpec::irises(&[Eye::Right], 60), &mut chain)
        .unwrap();
    // Recompute the chain by hand from the ISO records.
    let mut head = genesis();
    for b in first.biometrics.iter().chain(&second.biometrics) {
        head = link(&head, &b.iso);
        assert_eq!(b.hash, upper_hex(&head));
    }
    assert_eq!(chain.head(), head);

    h.push_next(SimFault::BrokenHashChain);
    let before = chain.clone();
    let err = d
        .capture(&CaptureSpec::irises(&[], 60), &mut chain)
        .unwrap_err();
    assert!(matches!(err, SbiError::HashChain { index: 0, .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::BadData);
    assert_eq!(chain, before, "a refused capture leaves the chain alone");
    // The next honest capture links on.
    d.capture(&CaptureSpec::irises(&[], 60), &mut chain)
        .unwrap();
    assert_eq!(chain.len(), before.len() + 2);
}

#[test]
fn capture_signatures_and_certificates_are_checked() {
    let h = sim(SimKind::Finger);
    let d = open(&h);
    let mut chain = HashChain::new();
    h.push_next(SimFault::BadSignature);
    let err = d
        .capture(&CaptureSpec::slap(Slap::Thumbs, &[], 40), &mut chain)
        .unwrap_err();
    assert!(matches!(err, SbiError::Signature { .. }), "{err}");
    h.push_next(SimFault::ForeignCertificate);
    let err = d
        .capture(&CaptureSpec::slap(Slap::Thumbs, &[], 40), &mut chain)
        .unwrap_err();
    assert!(matches!(err, SbiError::CertificateMismatch { .. }), "{err}");
    assert!(chain.is_empty());
    d.capture(&CaptureSpec::slap(Slap::Thumbs, &[], 40), &mut chain)
        .unwrap();
    assert_eq!(chain.len(), 2);
}

#[test]
fn low_quality_is_retried_and_the_best_kept() {
    let h = sim(SimKind::Finger);
    let d = open(&h);
    let mut chain = HashChain::new();
    h.push_next(SimFault::LowQuality);
    h.push_next(SimFault::LowQuality);
    let before = h.captures();
    let best = d
        .capture_best(
            &CaptureSpec::slap(Slap::RightFour, &[], 40),
            &mut chain,
            40,
            2,
        )
        .unwrap();
    assert_eq!(h.captures() - before, 3);
    assert_eq!(best.attempts, 3);
    assert!(best.met_threshold);
    assert!(best.capture.min_quality() >= 40.0);
    assert_eq!(chain.len(), 4, "only the kept capture is in the chain");

    // Never good enough: every retry made, the best returned and flagged.
    h.set_fault(Some(SimFault::LowQuality));
    let best = d
        .capture_best(&CaptureSpec::slap(Slap::Thumbs, &[], 40), &mut chain, 40, 2)
        .unwrap();
    assert_eq!(best.attempts, 3);
    assert!(!best.met_threshold);
    assert!(best.capture.min_quality() < 40.0);
    assert_eq!(chain.len(), 6);
}

// --- device errors ---

#[test]
fn busy_not_ready_and_not_registered_are_mapped() {
    let h = sim(SimKind::Iris);
    let d = open(&h);
    let mut chain = HashChain::new();
    let spec = CaptureSpec::irises(&[], 60);

    h.set_fault(Some(SimFault::Busy));
    let err = d.capture(&spec, &mut chain).unwrap_err();
    assert_eq!(err.code(), Some(SbiCode::Busy));
    assert_eq!(err.kind(), ErrorKind::Busy);
    let dev_err = ktpel_hal::DeviceError::from(err);
    assert!(dev_err.message.contains("busy"), "{}", dev_err.message);

    h.set_fault(Some(SimFault::NotReady));
    let err = d.capture(&spec, &mut chain).unwrap_err();
    assert_eq!(err.code(), Some(SbiCode::NotReady));
    assert_eq!(err.kind(), ErrorKind::NeedsAttention);
    let info = &client().device_info(h.port()).unwrap()[0];
    assert_eq!(info.status, DeviceStatus::NotReady);
    assert_eq!(info.usable().unwrap_err().kind(), ErrorKind::NeedsAttention);

    h.set_fault(Some(SimFault::NotRegistered));
    let err = d.capture(&spec, &mut chain).unwrap_err();
    assert_eq!(err.code(), Some(SbiCode::NotRegistered));
    assert_eq!(err.kind(), ErrorKind::NeedsAttention);
    // The info of an unregistered device comes unsigned, with error 100.
    let info = &client().device_info(h.port()).unwrap()[0];
    assert!(info.certificate.is_none());
    assert_eq!(info.status, DeviceStatus::NotRegistered);
    assert_eq!(
        info.error.as_ref().map(|e| e.0),
        Some(SbiCode::NotRegistered)
    );
    let found = client().discover_port(h.port(), DiscoverType::Any).unwrap();
    assert_eq!(found[0].status, DeviceStatus::NotRegistered);

    h.set_fault(None);
    assert_eq!(chain.len(), 0);
    d.capture(&spec, &mut chain).unwrap();
}

#[test]
fn a_second_capture_during_one_in_progress_finds_the_device_busy() {
    let h = sim(SimKind::Face);
    let d = open(&h);
    h.push_next(SimFault::Slow(Duration::from_millis(1200)));
    let d2 = d.clone();
    let first = std::thread::spawn(move || {
        let mut chain = HashChain::new();
        d2.capture(&CaptureSpec::face(40), &mut chain)
    });
    // Once the device has taken the first capture in (however loaded the machine), it is busy
    // for the next 1.2 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while h.captures() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first capture never arrived"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(50));
    let mut chain = HashChain::new();
    let err = d.capture(&CaptureSpec::face(40), &mut chain).unwrap_err();
    assert_eq!(err.code(), Some(SbiCode::Busy), "{err}");
    assert!(first.join().unwrap().is_ok());
}

#[test]
fn a_slow_device_times_out() {
    let h = sim(SimKind::Face);
    let d = open(&h);
    h.set_fault(Some(SimFault::Slow(Duration::from_millis(1500))));
    let c = SbiClient::new(ClientConfig {
        info_timeout: Duration::from_millis(400),
        answer_margin: Duration::from_millis(100),
        ..client_config()
    })
    .unwrap();
    let started = Instant::now();
    let err = c.device_info(h.port()).unwrap_err();
    assert!(matches!(err, SbiError::Timeout { .. }), "{err}");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_millis(1200));

    // A capture waits the device's timeout plus the margin, then gives up.
    let slow_client = SbiClient::new(ClientConfig {
        answer_margin: Duration::from_millis(100),
        ..client_config()
    })
    .unwrap();
    let d_short = slow_client.open_verified_for_test(&d);
    let mut chain = HashChain::new();
    let spec = CaptureSpec::face(40).with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let err = d_short.capture(&spec, &mut chain).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(started.elapsed() < Duration::from_millis(1200));
    // Given time, the same slow device answers.
    let ok = d.capture(&CaptureSpec::face(40), &mut chain);
    assert!(ok.is_ok(), "{ok:?}");
}

/// `open` needs a `MOSIPDINFO`, which the slow device would delay: reuse the verified info.
trait OpenVerified {
    fn open_verified_for_test(&self, d: &ktpel_sbi::SbiDevice) -> ktpel_sbi::SbiDevice;
}

impl OpenVerified for SbiClient {
    fn open_verified_for_test(&self, d: &ktpel_sbi::SbiDevice) -> ktpel_sbi::SbiDevice {
        d.with_client(self.clone())
    }
}

/// One request with any verb, as a device-agnostic tool would send it.
fn raw(verb: &str, url: &str, body: serde_json::Value) -> serde_json::Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        reqwest::Client::new()
            .request(reqwest::Method::from_bytes(verb.as_bytes()).unwrap(), url)
            .body(body.to_string())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap()
    })
}

#[test]
fn raw_requests_get_spec_error_codes() {
    let h = sim(SimKind::Finger);
    let url = format!("http://127.0.0.1:{}/capture", h.port());
    let send = |verb: &str, body: serde_json::Value| -> serde_json::Value { raw(verb, &url, body) };
    let request = |tid: &str, count: &str| {
        serde_json::json!({
            "env": "Developer", "purpose": "Registration", "specVersion": "0.9.5",
            "timeout": "5000", "captureTime": "2025-01-01T00:00:00.000+07:00",
            "transactionId": tid,
            "bio": [{"type": "Finger", "count": count, "exception": [], "requestedScore": "40",
                     "deviceId": "", "deviceSubId": "3", "previousHash": ""}]
        })
    };
    let code = |v: &serde_json::Value| {
        v["biometrics"][0]["error"]["errorCode"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(code(&send("RCAPTURE", request("x", "2"))), "112");
    assert_eq!(code(&send("RCAPTURE", request("KTPEL-1", "4"))), "109");
    assert_eq!(code(&send("RCAPTURE", request("KTPEL-2", "2"))), "0");
    // Authentication capture is not offered by a registration device.
    assert_eq!(code(&send("CAPTURE", request("KTPEL-3", "2"))), "501");
}

// --- preview ---

#[test]
fn the_preview_streams_jpeg_frames_at_three_or_more_per_second() {
    let h = sim(SimKind::Face);
    let d = open(&h);
    let stream = d.stream(0).unwrap();
    let first = stream.next_frame(Duration::from_secs(5)).unwrap().unwrap();
    let img = image::load_from_memory(&first).unwrap();
    assert_eq!((img.width(), img.height()), (640, 480));
    let started = Instant::now();
    let mut frames = 0;
    while started.elapsed() < Duration::from_secs(2) {
        stream.next_frame(Duration::from_secs(2)).unwrap().unwrap();
        frames += 1;
    }
    let fps = f64::from(frames) / started.elapsed().as_secs_f64();
    assert!(fps >= 3.0, "{fps:.1} fps");
    drop(stream);
    // Stopping closes the connection: the device stops sending.
    std::thread::sleep(Duration::from_millis(300));
    let sent = h.frames_sent();
    std::thread::sleep(Duration::from_millis(500));
    assert!(h.frames_sent() <= sent + 1, "frames still sent after stop");
}

#[test]
fn a_slap_preview_and_a_refused_stream() {
    let h = sim(SimKind::Finger);
    let d = open(&h);
    let s = d.stream(Slap::LeftFour.sub_id()).unwrap();
    let frame = s.latest(Duration::from_secs(5)).unwrap().unwrap();
    let img = image::load_from_memory(&frame).unwrap();
    assert_eq!((img.width(), img.height()), (512, 144));
    drop(s);
    h.set_fault(Some(SimFault::NotReady));
    let err = d.stream(1).unwrap_err();
    assert_eq!(err.code(), Some(SbiCode::NotReady), "{err}");
}

// --- hal adapters ---

#[test]
fn ten_fingers_in_the_kiosk_order_take_three_slaps() {
    let h = sim(SimKind::Finger);
    let mut scanner = SbiFingerprintScanner::new(SbiConfig::on_port(h.port())).unwrap();
    let before = h.captures();
    for p in FingerPosition::ALL {
        let c = scanner.capture_finger(p, Duration::from_secs(10)).unwrap();
        assert_eq!(c.position, p);
        assert_eq!(
            (c.image.width, c.image.height, c.resolution_ppi),
            (256, 288, 500)
        );
        assert!(c.quality.0 >= 40, "{p:?} quality {}", c.quality.0);
    }
    assert_eq!(h.captures() - before, 3, "thumbs, right four, left four");
    assert!(scanner.kept_fingers().is_empty());
    assert_eq!(scanner.hash_chain().len(), 10);
    let info = scanner.info();
    assert_eq!(info.driver, "sbi");
    assert!(!info.serial.is_empty());

    // A retake captures again, that finger only.
    let before = h.captures();
    let again = scanner
        .capture_finger(FingerPosition::RightIndex, Duration::from_secs(10))
        .unwrap();
    assert_eq!(again.position, FingerPosition::RightIndex);
    assert_eq!(h.captures() - before, 1);
    assert!(scanner.kept_fingers().is_empty());
    assert_eq!(scanner.hash_chain().len(), 11);
}

#[test]
fn exceptions_are_sent_and_a_new_session_forgets_kept_fingers() {
    let h = sim(SimKind::Finger);
    let mut scanner = SbiFingerprintScanner::new(SbiConfig::on_port(h.port())).unwrap();
    scanner.set_exceptions(&[FingerPosition::RightRing]);
    scanner
        .capture_finger(FingerPosition::RightIndex, Duration::from_secs(10))
        .unwrap();
    assert_eq!(
        scanner.kept_fingers(),
        vec![FingerPosition::RightMiddle, FingerPosition::RightLittle]
    );
    scanner.new_session();
    assert!(scanner.kept_fingers().is_empty());
    assert!(scanner.hash_chain().is_empty());
    let before = h.captures();
    scanner
        .capture_finger(FingerPosition::RightMiddle, Duration::from_secs(10))
        .unwrap();
    assert_eq!(h.captures() - before, 1);
}

#[test]
fn kept_fingers_expire() {
    let h = sim(SimKind::Finger);
    let mut config = SbiConfig::on_port(h.port());
    config.transaction_ttl = Duration::from_millis(200);
    let mut scanner = SbiFingerprintScanner::new(config).unwrap();
    scanner
        .capture_finger(FingerPosition::LeftIndex, Duration::from_secs(10))
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let before = h.captures();
    scanner
        .capture_finger(FingerPosition::LeftMiddle, Duration::from_secs(10))
        .unwrap();
    assert_eq!(
        h.captures() - before,
        1,
        "an expired slap is captured again"
    );
}

#[test]
fn adapter_errors_keep_their_kind() {
    let h = sim(SimKind::Finger);
    let mut scanner = SbiFingerprintScanner::new(SbiConfig::on_port(h.port())).unwrap();
    h.set_fault(Some(SimFault::Busy));
    let err = scanner
        .capture_finger(FingerPosition::RightThumb, Duration::from_secs(10))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Busy, "{}", err.message);
    h.set_fault(None);
    assert!(scanner
        .capture_finger(FingerPosition::RightThumb, Duration::from_secs(10))
        .is_ok());
    // The device gone: Disconnected.
    let port = h.port();
    h.stop().unwrap();
    let mut gone = SbiFingerprintScanner::new(SbiConfig::on_port(port)).unwrap();
    let err = gone
        .capture_finger(FingerPosition::RightThumb, Duration::from_secs(2))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Disconnected, "{}", err.message);
    assert!(gone.self_test().is_err());
}

#[test]
fn both_irises_from_one_capture() {
    let h = sim(SimKind::Iris);
    let mut scanner = SbiIrisScanner::new(SbiConfig::on_port(h.port())).unwrap();
    let before = h.captures();
    let right = scanner
        .capture_iris(Eye::Right, Duration::from_secs(10))
        .unwrap();
    let left = scanner
        .capture_iris(Eye::Left, Duration::from_secs(10))
        .unwrap();
    assert_eq!(h.captures() - before, 1);
    assert_eq!((right.eye, left.eye), (Eye::Right, Eye::Left));
    assert_eq!((right.image.width, right.image.height), (640, 480));
    assert!(right.quality.0 >= 60 && left.quality.0 >= 60);
    assert_ne!(right.image.pixels, left.image.pixels);
    assert_eq!(scanner.hash_chain().len(), 2);
    let report = scanner.self_test().unwrap();
    assert!(report.passed(), "{:?}", report.checks);
}

#[test]
fn the_camera_previews_and_takes_the_portrait() {
    let h = sim(SimKind::Face);
    let mut camera = SbiCamera::new(SbiConfig::on_port(h.port())).unwrap();
    let f = camera.preview_frame().unwrap();
    assert_eq!((f.width, f.height, f.rgb.len()), (640, 480, 640 * 480 * 3));
    let f2 = camera.preview_frame().unwrap();
    assert_eq!(f2.width, 640);
    let face = camera.capture_face().unwrap();
    assert_eq!(face.image.format, ktpel_hal::ImageFormat::Jpeg);
    assert_eq!((face.image.width, face.image.height), (480, 640));
    assert!(image::load_from_memory(&face.image.bytes).is_ok());
    assert!(face.quality.0 >= 40);
    // The preview goes on after the capture.
    assert!(camera.preview_frame().is_ok());
    let report = camera.self_test().unwrap();
    assert!(report.passed(), "{:?}", report.checks);
    assert_eq!(camera.info().driver, "sbi");
}

#[test]
fn an_adapter_finds_its_device_by_discovery() {
    let block = port_block(3);
    let p = *block.start();
    let _finger = SimHandle::start(options(SimKind::Finger, PortChoice::Fixed(p))).unwrap();
    let iris = SimHandle::start(options(SimKind::Iris, PortChoice::Fixed(p + 2))).unwrap();
    let mut config = SbiConfig::default();
    config.client.ports = block.clone();
    let mut scanner = SbiIrisScanner::new(config).unwrap();
    scanner.connect().unwrap();
    assert!(scanner.info().model.contains(&iris.port().to_string()));
    assert!(scanner
        .capture_iris(Eye::Left, Duration::from_secs(10))
        .is_ok());

    // The technician's scan: both devices, each with verified info.
    let cfg = ClientConfig {
        ports: block,
        ..client_config()
    };
    let (discovery, scanned) = ktpel_sbi::scan(&cfg).unwrap();
    assert_eq!(discovery.devices.len(), 2);
    assert!(scanned
        .iter()
        .all(|s| s.info.as_ref().is_ok_and(|i| i.certificate.is_some())));
}
