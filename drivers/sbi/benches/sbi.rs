//! SBI figures (`cargo bench -p ktpel-sbi --bench sbi`): discovery time over 4501–4600 with
//! nothing listening and with two devices, capture round trips per kind (request to verified
//! answer: signature, ISO record, hash chain), the ten-finger sequence through the hal
//! adapter, and the preview's frame rate.
//!
//! Without `--bench` (e.g. `cargo test --benches`) it runs a small smoke version.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
mod common;

use common::{client_config, options, shared_identity};
use ktpel_hal::{FingerPosition, FingerprintScanner};
use ktpel_sbi::client::{CaptureSpec, ClientConfig, Slap, SBI_PORTS};
use ktpel_sbi::sim::{PortChoice, SimHandle, SimKind};
use ktpel_sbi::wire::{BioType, DiscoverType};
use ktpel_sbi::{HashChain, SbiClient, SbiConfig, SbiFingerprintScanner};
use std::time::{Duration, Instant};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let rounds = if full { 10 } else { 1 };
    let _ = shared_identity();

    // Discovery with nothing listening (on this process's side) over the whole range.
    let client = SbiClient::new(ClientConfig::default()).unwrap();
    let scans: Vec<f64> = (0..rounds)
        .map(|_| {
            let d = client.discover(DiscoverType::Any).unwrap();
            assert_eq!(d.ports_scanned, 100);
            ms(d.elapsed)
        })
        .collect();
    println!(
        "discovery 4501-4600, nothing listening: median {:.1} ms over {rounds} scans",
        median(scans)
    );

    let finger =
        SimHandle::start(options(SimKind::Finger, PortChoice::FirstFree(SBI_PORTS))).unwrap();
    let iris = SimHandle::start(options(SimKind::Iris, PortChoice::FirstFree(SBI_PORTS))).unwrap();
    let scans: Vec<f64> = (0..rounds)
        .map(|_| {
            let d = client.discover(DiscoverType::Any).unwrap();
            assert!(d.devices.len() >= 2);
            ms(d.elapsed)
        })
        .collect();
    println!(
        "discovery 4501-4600, 2 devices (ports {} and {}): median {:.1} ms",
        finger.port(),
        iris.port(),
        median(scans)
    );

    let c = SbiClient::new(client_config()).unwrap();
    let fd = c.open(finger.port(), BioType::Finger).unwrap();
    let id = c.open(iris.port(), BioType::Iris).unwrap();
    let face = SimHandle::start(options(SimKind::Face, PortChoice::Fixed(0))).unwrap();
    let cd = c.open(face.port(), BioType::Face).unwrap();
    let mut chain = HashChain::new();
    let mut time = |name: &str, d: &ktpel_sbi::SbiDevice, spec: CaptureSpec| {
        let t: Vec<f64> = (0..rounds)
            .map(|_| ms(d.capture(&spec, &mut chain).unwrap().elapsed))
            .collect();
        println!("capture round trip, {name}: median {:.0} ms", median(t));
    };
    time(
        "right slap (4 fingers)",
        &fd,
        CaptureSpec::slap(Slap::RightFour, &[], 40),
    );
    time(
        "thumbs (2 fingers)",
        &fd,
        CaptureSpec::slap(Slap::Thumbs, &[], 40),
    );
    time("both irises", &id, CaptureSpec::irises(&[], 60));
    time("face", &cd, CaptureSpec::face(40));

    let mut scanner = SbiFingerprintScanner::new(SbiConfig::on_port(finger.port())).unwrap();
    let started = Instant::now();
    for p in FingerPosition::ALL {
        scanner.capture_finger(p, Duration::from_secs(10)).unwrap();
    }
    println!(
        "hal adapter, ten fingers in the kiosk's order (3 slaps): {:.0} ms",
        ms(started.elapsed())
    );

    let secs = if full { 5.0 } else { 1.0 };
    for (name, device, sub_id) in [("face", &cd, 0u8), ("right slap", &fd, 2u8)] {
        let stream = device.stream(sub_id).unwrap();
        stream.next_frame(Duration::from_secs(5)).unwrap().unwrap();
        let started = Instant::now();
        let mut frames = 0u32;
        while started.elapsed().as_secs_f64() < secs {
            stream.next_frame(Duration::from_secs(5)).unwrap().unwrap();
            frames += 1;
        }
        println!(
            "STREAM preview, {name}: {:.1} fps (simulator set to 10)",
            f64::from(frames) / started.elapsed().as_secs_f64()
        );
    }
}
