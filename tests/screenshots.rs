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

/// Where the pictures go: `KTPEL_SCREENSHOTS_DIR`, or target/screenshots; created.
fn screenshots_dir() -> PathBuf {
    let out = std::env::var_os("KTPEL_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots"))
        });
    std::fs::create_dir_all(&out).unwrap();
    out
}

fn click(s: &str) -> String {
    format!("click \"{s}\"")
}

#[test]
fn every_screen_renders() {
    let out = screenshots_dir();
    let office = common::Office::open();
    let (rt, hand) = (&office.rt, &office.hand);
    let mut k = emulator::boot(office.config(), office.clock.clone());
    k.load_blanks(50);
    let mut written = Vec::new();
    // Every action's label fits its button, in both languages (measured with the embedded font).
    let mut cut: Vec<String> = Vec::new();
    macro_rules! shot {
        ($k:expr, $name:expr) => {{
            written.extend($k.shot_both(&out, $name));
            cut.extend($k.labels_cut_both($name));
        }};
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
    // The story, typed on a USB keyboard: longer than the box, which keeps the newest line in view.
    let story = "saya sudah merekam tiga bulan lalu di kantor kecamatan, tetapi kartu belum jadi \
                 dan petugas bilang blangko habis. mohon dicek status perekaman saya";
    k.drive(&[&click("Apa yang terjadi?")]);
    k.type_text(story);
    k.wait_for_text(&format!("{story}▏"), Duration::from_secs(10));
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
    assert_eq!(written.len(), 40);
    assert!(cut.is_empty(), "labels cut:\n{}", cut.join("\n"));
    drop(office);
}

/// Records one applicant through the screens, from home to "recorded", and back home.
fn record_through_the_screens<P>(k: &mut emulator::Kiosk<P>, nik: &str)
where
    P: iced::Program<
            State = ktpel_booth::kiosk::App,
            Message = ktpel_booth::kiosk::Message,
            Theme = iced::Theme,
        > + 'static,
{
    k.drive(&[
        &click("Mulai perekaman"),
        &click("☐  Fotokopi Kartu Keluarga (KK)"),
        &click("☐  Formulir permohonan KTP-el"),
        &click("Lanjut"),
    ]);
    k.type_digits(nik);
    k.drive(&[&click("Periksa ke SIAK")]);
    k.wait_for_text("Data sesuai, lanjut", Duration::from_secs(10));
    k.drive(&[
        &click("Data sesuai, lanjut"),
        &click("Ambil foto"),
        &click("Lanjut"),
        &click("Pindai"),
        &click("Pindai"),
        &click("Mulai tanda tangan"),
        &click("Lanjut"),
        &click("Simpan rekaman"),
    ]);
    k.wait_for_text("Selesai", Duration::from_secs(10));
    k.drive(&[&click("Selesai")]);
}

/// The papers and screens of trustworthy issuance: no blanks left, the awaiting-blanks paper,
/// a duplicate's own notice, the PIN lockout with its countdown and override, the supervisor.
#[test]
fn issuance_screens_render() {
    let out = screenshots_dir();
    let office = common::Office::open();
    let (rt, hand) = (&office.rt, &office.hand);
    let ready = office.centre.population()[0].clone();
    let duplicate = office.centre.population()[1].clone();
    office.centre.script_verdict(
        &duplicate.nik,
        ktpel_booth::wire::centre::CentreStatus::Duplicate,
    );
    // No blank cards are loaded: the office has run out.
    let mut k = emulator::boot(office.config(), office.clock.clone());
    let mut written = Vec::new();
    // Every action's label fits its button, in both languages (measured with the embedded font).
    let mut cut: Vec<String> = Vec::new();
    macro_rules! shot {
        ($k:expr, $name:expr) => {{
            written.extend($k.shot_both(&out, $name));
            cut.extend($k.labels_cut_both($name));
        }};
    }
    emulator::sign_in(&mut k);
    record_through_the_screens(&mut k, ready.nik.as_str());
    record_through_the_screens(&mut k, duplicate.nik.as_str());
    let running = k.running();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let counts = rt.block_on(running.queue().counts()).unwrap();
        if counts.get(State::PrintReady) == 1 && counts.get(State::Duplicate) == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no verdicts: {counts:?}"
        );
        hand.advance(Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(100));
    }
    k.wait_for_text("SIAP CETAK — panggil pemohon", Duration::from_secs(30));
    shot!(k, "21-home-no-blanks");
    k.drive(&[&click(&ready.name)]);
    k.wait_for_text("Cetak surat menunggu blanko", Duration::from_secs(10));
    k.drive(&[&click("Cetak surat menunggu blanko")]);
    shot!(k, "22-awaiting-blanks-paper");
    k.drive(&[&click("Kembali"), &click(&duplicate.name)]);
    k.wait_for_text("Cetak surat pemberitahuan", Duration::from_secs(10));
    k.drive(&[&click("Cetak surat pemberitahuan")]);
    shot!(k, "23-duplicate-notice");
    k.drive(&[&click("Kembali"), &click("Keluar")]);
    for _ in 0..5 {
        k.type_digits("111111");
        k.drive(&[&click("Masuk")]);
    }
    k.wait_for_text("Buka kunci (supervisor)", Duration::from_secs(10));
    shot!(k, "24-signin-locked");
    k.drive(&[&click("Buka kunci (supervisor)")]);
    k.wait_for_text(
        "PIN supervisor untuk membuka kunci",
        Duration::from_secs(10),
    );
    // The supervisor's PIN clears the lockout and signs the supervisor in.
    k.type_digits("975310");
    k.drive(&[&click("Masuk")]);
    k.wait_for_text("Area supervisor", Duration::from_secs(10));
    k.drive(&[&click("Area supervisor")]);
    shot!(k, "25-supervisor-area");
    // The day's numbers in pictures: drawn off the UI thread from the queue's statistics.
    k.drive(&[&click("Dasbor layanan")]);
    k.wait_for_text("Tulis laporan harian", Duration::from_secs(30));
    k.wait_for_text(
        "Direkam 2 · terkirim 2 · ditolak saat tinjauan 0 · siap cetak 1 · diserahkan 0 · bukti perekaman 0 · diambil 0 · \
         duplikat 1 · gagal rekam 0 · pengaduan 0 · blangko terpakai 0, rusak 0",
        Duration::from_secs(30),
    );
    shot!(k, "26-dashboard");
    assert_eq!(written.len(), 12);
    assert!(cut.is_empty(), "labels cut:\n{}", cut.join("\n"));
    drop(office);
}

/// The supervisor's part in the record: the exception approval on the record's review (the
/// supervisor's PIN before the save), and, where the office reviews before sending, the review
/// list, one record opened, and a rejection being given.
#[test]
fn supervisor_review_screens_render() {
    let out = screenshots_dir();
    let office = common::Office::open();
    let mut config = office.config();
    config.procedure.review_before_send = true;
    let bandaged = office.centre.population()[5].clone();
    let clean = office.centre.population()[6].clone();
    let mut k = emulator::boot(config, office.clock.clone());
    let mut written = Vec::new();
    let mut cut: Vec<String> = Vec::new();
    macro_rules! shot {
        ($k:expr, $name:expr) => {{
            written.extend($k.shot_both(&out, $name));
            cut.extend($k.labels_cut_both($name));
        }};
    }
    emulator::sign_in(&mut k);
    emulator::record_until_approval(&mut k, bandaged.nik.as_str());
    k.drive(&["type \"9753\""]);
    shot!(k, "27-record-exception-approval");
    k.drive(&["type \"10\"", "type enter"]);
    k.wait_for_text(
        "Rekaman menunggu tinjauan supervisor, lalu dikirim ke pusat. Pemohon menunggu di daftar tunggu.",
        Duration::from_secs(20),
    );
    k.drive(&[&click("Selesai")]);
    record_through_the_screens(&mut k, clean.nik.as_str());
    k.wait_for_text("Tinjau rekaman (2)", Duration::from_secs(10));
    shot!(k, "31-home-awaiting-review");
    // An applicant who cannot wait for the review: the proof of recording says it is under review.
    k.drive(&[&click(&clean.name)]);
    k.wait_for_text("Cetak bukti perekaman", Duration::from_secs(10));
    shot!(k, "33-applicant-under-review");
    k.drive(&[&click("Kembali")]);
    k.drive(&[&click("Tinjau rekaman (2)"), "type \"97\""]);
    shot!(k, "32-review-pin");
    k.drive(&[&click("Kembali")]);
    k.drive(&[&click("Keluar"), "type \"975310\"", "type enter"]);
    k.wait_for_text("Area supervisor", Duration::from_secs(10));
    k.drive(&[&click("Area supervisor")]);
    k.wait_for_text("Tinjau rekaman (2)", Duration::from_secs(10));
    k.drive(&[&click("Tinjau rekaman (2)")]);
    k.wait_for_text(
        "2 rekaman menunggu tinjauan sebelum dikirim ke pusat. Sentuh satu untuk memeriksanya.",
        Duration::from_secs(10),
    );
    shot!(k, "28-review-list");
    let at = ktpel_booth::papers::receipt::local_datetime(
        common::start_time(),
        ktpel_booth::clock::Zone::Wib,
    );
    k.drive(&[&click(&format!("No. 001 · {at} · op-01 · 1 pengecualian"))]);
    k.wait_for_text("Perlu diperhatikan", Duration::from_secs(10));
    shot!(k, "29-review-record");
    k.drive(&[&click("Tolak"), &click("Lainnya")]);
    for key in ["J", "A", "R", "I"] {
        k.drive(&[&click(key)]);
    }
    shot!(k, "30-review-reject");
    assert_eq!(written.len(), 14);
    assert!(cut.is_empty(), "labels cut:\n{}", cut.join("\n"));
    drop(office);
}
