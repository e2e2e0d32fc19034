//! A PNG of every kiosk screen, with simulated devices and a centre simulator on loopback,
//! rendered by iced_test's headless emulator through the real update loop (no display needed).
//!
//! `cargo test --test screenshots` writes them to `target/screenshots/`;
//! `KTPEL_SCREENSHOTS_DIR=docs/screenshots cargo test --test screenshots` refreshes the ones the
//! README shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::emulator;
use ktpel_booth::queue::State;
use std::path::PathBuf;
use std::time::Duration;

fn click(s: &str) -> String {
    format!("click \"{s}\"")
}

#[test]
fn every_screen_renders() {
    let out = std::env::var_os("KTPEL_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots"))
        });
    std::fs::create_dir_all(&out).unwrap();
    let office = common::Office::open();
    let (rt, hand) = (&office.rt, &office.hand);
    let mut k = emulator::boot(office.config(), office.clock.clone());
    k.load_blanks(50);
    let mut written = Vec::new();
    macro_rules! shot {
        ($k:expr, $name:expr) => {
            written.push($k.shot(&out, $name))
        };
    }

    shot!(k, "01-signin");
    emulator::sign_in(&mut k);
    shot!(k, "02-home");
    k.drive(&[
        &click("Mulai perekaman"),
        &click("☐  Fotokopi Kartu Keluarga (KK)"),
    ]);
    shot!(k, "03-documents");
    k.drive(&[&click("☐  Formulir permohonan KTP-el"), &click("Lanjut")]);
    k.type_digits("3273019208900001");
    k.drive(&[&click("Periksa ke SIAK")]);
    shot!(k, "04-verify-invalid-nik");
    k.drive(&[&click("C")]);
    k.type_digits("3275022207460020");
    k.drive(&[&click("Periksa ke SIAK")]);
    k.wait_for_text("Data sesuai, lanjut", Duration::from_secs(10));
    shot!(k, "05-verify-resident");
    k.drive(&[&click("Data sesuai, lanjut")]);
    shot!(k, "06-record-face");
    k.drive(&[&click("Ambil foto")]);
    shot!(k, "07-record-face-taken");
    k.drive(&[&click("Lanjut")]);
    shot!(k, "08-record-finger");
    k.drive(&[&click("Pindai")]);
    shot!(k, "09-record-iris");
    k.drive(&[&click("Pindai")]);
    shot!(k, "10-record-signature");
    k.drive(&[&click("Mulai tanda tangan"), &click("Lanjut")]);
    shot!(k, "11-review");
    k.drive(&[&click("Simpan rekaman")]);
    shot!(k, "12-recorded");
    k.drive(&[&click("Selesai")]);
    shot!(k, "13-home-waiting-list");
    k.drive(&[&click("HADI SETIAWAN")]);
    shot!(k, "14-applicant-receipt");
    k.drive(&[&click("Kembali"), &click("Ambil KTP-el")]);
    k.type_digits("2611250100015");
    shot!(k, "15-pickup");
    k.drive(&[&click("Batal")]);

    // The verdict arrives: the card is issued.
    let running = k.running();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while rt
        .block_on(running.queue().counts())
        .unwrap()
        .get(State::PrintReady)
        == 0
    {
        assert!(std::time::Instant::now() < deadline, "no verdict");
        hand.advance(Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(100));
    }
    k.wait_for_text("SIAP CETAK — panggil pemohon", Duration::from_secs(30));
    k.drive(&[&click("HADI SETIAWAN"), &click("Terbitkan KTP-el")]);
    k.wait_for_text("Cetak KTP-el", Duration::from_secs(30));
    shot!(k, "16-issue-card-face");
    k.drive(&[&click("Cetak KTP-el"), &click("Tulis chip")]);
    k.wait_for_text("Serahkan KTP-el kepada pemohon", Duration::from_secs(30));
    shot!(k, "17-issue-chip-verified");
    k.drive(&[&click("Serahkan KTP-el kepada pemohon"), &click("Kembali")]);

    // A complaint, then the technician's area.
    k.drive(&[&click("Pengaduan"), &click("KTP-el belum jadi")]);
    for c in "SITI AMINAH".chars() {
        k.drive(&[&click(&if c == ' ' {
            "␣".to_string()
        } else {
            c.to_string()
        })]);
    }
    shot!(k, "18-complaint");
    k.drive(&[&click("Batal"), &click("Keluar")]);
    k.type_digits("135790");
    k.drive(&[
        &click("Masuk"),
        &click("Area teknisi"),
        &click("Uji semua alat"),
    ]);
    shot!(k, "19-technician");
    k.drive(&[&click("Kembali"), &click("English")]);
    shot!(k, "20-home-english");
    assert_eq!(written.len(), 20);
    drop(office);
}
