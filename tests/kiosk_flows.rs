//! Whole applicant journeys through the kiosk's real update loop (iced_test's emulator) with
//! simulated devices and a centre simulator on loopback whose faults the test controls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::emulator;
use ktpel_booth::centre::{CentreSim, CentreSimConfig, Fault};
use ktpel_booth::clock::Clock;
use ktpel_hal::{DeviceKind, Frame};
use std::time::Duration;

/// A receipt's QR code as the camera would see it held up: dark modules on light paper.
fn qr_frame(payload: &str) -> Frame {
    let code = qrcode::QrCode::new(payload.as_bytes()).unwrap();
    let modules = code.width();
    let colors = code.to_colors();
    let (w, h, scale) = (640usize, 480usize, 8usize);
    let off = (h - modules * scale) / 2;
    let mut rgb = vec![228u8; w * h * 3];
    for y in 0..modules {
        for x in 0..modules {
            if colors[y * modules + x] == qrcode::Color::Dark {
                for dy in 0..scale {
                    for dx in 0..scale {
                        let i = ((off + y * scale + dy) * w + off + 80 + x * scale + dx) * 3;
                        rgb[i..i + 3].copy_from_slice(&[24, 24, 30]);
                    }
                }
            }
        }
    }
    Frame {
        width: w as u32,
        height: h as u32,
        rgb,
    }
}

/// The centre is down: the applicant goes home with a receipt, comes back, and the receipt's
/// QR code held up to the camera finds the record.
#[test]
fn centre_down_receipt_then_pickup_by_qr_scan() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (clock, hand) = Clock::manual(common::start_time());
    let centre = rt
        .block_on(CentreSim::start(CentreSimConfig {
            clock: clock.clone(),
            ..CentreSimConfig::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_for(&centre, dir.path());
    let mut k = emulator::boot(config, clock);
    emulator::sign_in(&mut k);
    // SIAK answers the verification; then the link to the centre goes down.
    emulator::record_with(&mut k, "3471012503550019", || centre.set_fault(Fault::Down));
    k.wait_for_text("TEGUH HERMAWAN", Duration::from_secs(10));
    // The SOP's hour passes without the centre.
    hand.advance(Duration::from_secs(3700));
    k.wait_for_text("cetak bukti perekaman", Duration::from_secs(30));
    k.drive(&[
        "click \"TEGUH HERMAWAN\"",
        "click \"Cetak bukti perekaman\"",
        "expect \"Bukti perekaman tercetak. Serahkan kepada pemohon.\"",
        "click \"Kembali\"",
        "click \"Ambil KTP-el\"",
        "click \"Pindai QR pada bukti dengan kamera\"",
    ]);
    k.sim(DeviceKind::Camera)
        .show_to_camera(Some(qr_frame("2611250100015")));
    k.wait_for_text(
        "Nomor bukti perekaman 2611250100015",
        Duration::from_secs(20),
    );
    k.drive(&["expect \"001 · TEGUH HERMAWAN\""]);
    drop(centre);
}

/// The live framing check speaks to the operator while the face is being framed: with nothing
/// but a sheet of paper in front of the camera it asks for the applicant's face.
#[test]
fn the_face_step_gives_live_framing_advice() {
    let (clock, _hand) = Clock::manual(common::start_time());
    let mut k = emulator::boot(ktpel_booth::config::Config::load(None).unwrap(), clock);
    emulator::sign_in(&mut k);
    k.sim(DeviceKind::Camera)
        .show_to_camera(Some(qr_frame("not a face")));
    k.drive(&[
        "click \"Mulai perekaman\"",
        "click \"☐  Fotokopi Kartu Keluarga (KK)\"",
        "click \"☐  Formulir permohonan KTP-el\"",
        "click \"Lanjut\"",
    ]);
    k.type_digits("3275022207460020");
    k.drive(&["click \"Periksa ke SIAK\"", "click \"Data sesuai, lanjut\""]);
    k.wait_for_text(
        "Wajah tidak terlihat: minta pemohon menatap kamera",
        Duration::from_secs(20),
    );
}
