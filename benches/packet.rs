//! The sealed packet, per profile and per part (`cargo bench --bench packet`, release build):
//!
//! * the sealed packet's bytes (HPKE envelope included) for `lossless` and `field`, and what
//!   the same capture weighed with raw pixels (envelope version 1), for comparison;
//! * the bytes of each part inside it: face, ten fingers, two irises (their ISO/IEC 19794
//!   records), signature, and the rest (demographics, timings, operator, BIR headers);
//! * for `field`: the share of minutiae (ktpel-minutiae, the same parameters as the chip's DG3)
//!   found on the decoded fingers within 10 px and 15° of those on the originals, the share of
//!   new ones, and the PSNR of the decoded irises and face;
//! * the time to build (encode and decode-check) and to open a packet.
//!
//! Simulated prints and irises are smoother than real ones (no pores, scars, sensor noise or
//! eyelashes): real captures compress less at the same fidelity, so these sizes are a lower
//! bound and the fidelity floors in the tests are regression guards.
//!
//! Under `cargo test` (no `--bench` argument) it runs on one applicant so it stays working.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
mod common;

use ktpel_biometric_records::{FaceImageRecord, Modality, Profile};
use ktpel_booth::enrollment::{Enrollment, PacketBody};
use ktpel_booth::seal::{self, BoothKey, CentreSecretKey};
use ktpel_hal::{FingerRecord, IrisRecord};
use ktpel_minutiae::Minutia;
use std::time::Instant;

fn cbor_len<T: serde::Serialize>(v: &T) -> usize {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out.len()
}

fn kb(n: f64) -> String {
    format!("{:.1} KB", n / 1000.0)
}

/// One sealed packet's size and parts, in bytes.
#[derive(Default, Clone, Copy)]
struct Sizes {
    sealed: f64,
    face: f64,
    fingers: f64,
    irises: f64,
    signature: f64,
    rest: f64,
}

fn sizes(body: &PacketBody, sealed: usize) -> Sizes {
    let plain = cbor_len(body);
    let (mut face, mut fingers, mut irises) = (0, 0, 0);
    for bir in &body.biometrics {
        let n = bir.bdb.as_ref().map_or(0, Vec::len);
        match bir.check().unwrap() {
            Modality::Face => face += n,
            Modality::Finger => fingers += n,
            Modality::Iris => irises += n,
        }
    }
    let signature = cbor_len(&body.signature);
    Sizes {
        sealed: sealed as f64,
        face: face as f64,
        fingers: fingers as f64,
        irises: irises as f64,
        signature: signature as f64,
        rest: (plain - face - fingers - irises - signature) as f64,
    }
}

fn matches(a: &Minutia, b: &Minutia) -> bool {
    let (dx, dy) = (
        f32::from(a.x) - f32::from(b.x),
        f32::from(a.y) - f32::from(b.y),
    );
    let d = (a.angle_deg - b.angle_deg).rem_euclid(360.0);
    (dx * dx + dy * dy).sqrt() <= 10.0 && d.min(360.0 - d) <= 15.0
}

#[derive(Default)]
struct Fidelity {
    minutiae: usize,
    found: usize,
    new: usize,
    iris_psnr: Vec<f64>,
    face_psnr: Vec<f64>,
}

fn fidelity(e: &Enrollment, body: &PacketBody, opened: &Enrollment, f: &mut Fidelity) {
    for (a, b) in e.fingers.iter().zip(&opened.fingers) {
        let (FingerRecord::Captured(a), FingerRecord::Captured(b)) = (a, b) else {
            continue;
        };
        let before = ktpel_minutiae::extract(&a.image, a.resolution_ppi)
            .unwrap()
            .minutiae;
        let after = ktpel_minutiae::extract(&b.image, b.resolution_ppi)
            .unwrap()
            .minutiae;
        f.minutiae += before.len();
        f.found += before
            .iter()
            .filter(|m| after.iter().any(|n| matches(m, n)))
            .count();
        f.new += after
            .iter()
            .filter(|n| !before.iter().any(|m| matches(m, n)))
            .count();
    }
    for (a, b) in e.irises.iter().zip(&opened.irises) {
        if let (IrisRecord::Captured(a), IrisRecord::Captured(b)) = (a, b) {
            f.iris_psnr
                .push(ktpel_jpeg2000::psnr(&a.image.pixels, &b.image.pixels).unwrap());
        }
    }
    // The face against the camera's JPEG as the booth captured it, decoded.
    let captured = image::load_from_memory(&e.face.image.bytes)
        .unwrap()
        .to_rgb8()
        .into_raw();
    let face_bdb = body.biometrics[0].bdb.as_deref().unwrap();
    let decoded = FaceImageRecord::parse(face_bdb).unwrap().to_rgb().unwrap();
    f.face_psnr
        .push(ktpel_jpeg2000::psnr(&captured, &decoded).unwrap());
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let applicants: u64 = if full { 8 } else { 1 };
    let residents = ktpel_booth::domain::population::generate(
        2026,
        applicants as usize,
        ktpel_booth::clock::wib_date(common::start_time()),
    );
    let centre = CentreSecretKey::generate();
    let booth = BoothKey::generate();
    let enrollments: Vec<Enrollment> = residents
        .iter()
        .enumerate()
        .map(|(i, r)| common::enrollment(r, 1 + i as u64, common::start_time()))
        .collect();

    // Raw pixels in the booth's own layout, as version 1 of the envelope carried them.
    let raw: Vec<f64> = enrollments.iter().map(|e| cbor_len(e) as f64).collect();
    println!("packet: {applicants} simulated applicant(s), 10 fingers 256x288, 2 irises 640x480, face 480x640 JPEG");
    println!("  raw pixels (v1 plaintext): {}", kb(mean(&raw)));

    for profile in [Profile::Lossless, Profile::Field] {
        let mut all = Vec::new();
        let mut fid = Fidelity::default();
        let (mut build_ms, mut seal_ms, mut open_ms) = (Vec::new(), Vec::new(), Vec::new());
        for e in &enrollments {
            let t = Instant::now();
            let body = e.to_packet_body(profile).unwrap();
            let built = t.elapsed();
            let sealed = seal::seal_body(&body, &centre.public(), &booth).unwrap();
            build_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            seal_ms.push((t.elapsed() - built).as_secs_f64() * 1000.0);
            let cbor = sealed.to_cbor().unwrap();
            all.push(sizes(&body, cbor.len()));
            let t = Instant::now();
            let opened = seal::SealedPacket::from_cbor(&cbor)
                .unwrap()
                .open(&centre)
                .unwrap();
            open_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            fidelity(e, &body, &opened, &mut fid);
        }
        let avg = |f: fn(&Sizes) -> f64| mean(&all.iter().map(f).collect::<Vec<_>>());
        let sealed = avg(|s| s.sealed);
        println!("  profile {profile:?}:");
        println!(
            "    sealed packet {} (max {}), {:.1} % of raw{}",
            kb(sealed),
            kb(all.iter().map(|s| s.sealed).fold(0.0, f64::max)),
            100.0 * sealed / mean(&raw),
            if profile == Profile::Field {
                format!(
                    ", goal <= 300 KB: {}",
                    if sealed <= 300_000.0 {
                        "met"
                    } else {
                        "NOT met"
                    }
                )
            } else {
                String::new()
            }
        );
        println!(
            "    parts: face {}, fingers {} (10), irises {} (2), signature {}, rest {}",
            kb(avg(|s| s.face)),
            kb(avg(|s| s.fingers)),
            kb(avg(|s| s.irises)),
            kb(avg(|s| s.signature)),
            kb(avg(|s| s.rest)),
        );
        println!(
            "    minutiae: {} on the originals, {:.1} % found again within 10 px/15 deg, {:.1} % new",
            fid.minutiae,
            100.0 * fid.found as f64 / fid.minutiae.max(1) as f64,
            100.0 * fid.new as f64 / fid.minutiae.max(1) as f64,
        );
        println!(
            "    PSNR: irises mean {:.1} dB (min {:.1}), face mean {:.1} dB (min {:.1}) against the camera's JPEG",
            mean(&fid.iris_psnr),
            min(&fid.iris_psnr),
            mean(&fid.face_psnr),
            min(&fid.face_psnr),
        );
        println!(
            "    time: build (encode + decode check) and seal {:.0} ms, of which the seal (CBOR, HPKE, signature) {:.2} ms; open and decode {:.0} ms",
            mean(&build_ms),
            mean(&seal_ms),
            mean(&open_ms)
        );
    }
}
