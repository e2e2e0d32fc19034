//! A PNG of every kiosk screen, with simulated devices and the embedded centre, rendered by
//! iced_test's headless emulator through the real update loop (no display needed).
//!
//! `cargo test --test screenshots` writes them to `target/screenshots/`;
//! `KTPEL_SCREENSHOTS_DIR=docs/screenshots cargo test --test screenshots` refreshes the ones the
//! README shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use iced::futures::channel::mpsc;
use iced::futures::StreamExt;
use iced_test::emulator::{self, Emulator, Mode};
use iced_test::Instruction;
use ktpel_booth::clock::Clock;
use ktpel_booth::config::Config;
use ktpel_booth::ui::{self, App};
use std::path::PathBuf;

enum Step {
    Do(String),
    Shot(&'static str),
}

fn click(text: &str) -> Step {
    Step::Do(format!("click \"{text}\""))
}

fn digits(s: &str) -> Vec<Step> {
    s.chars().map(|c| click(&c.to_string())).collect()
}

fn boot() -> (App, iced::Task<ui::Message>) {
    let dir = tempfile::tempdir().unwrap().keep();
    let (clock, _hand) = Clock::manual(common::start_time());
    App::boot_with(Config::load(None).unwrap(), dir, clock)
}

#[test]
fn every_screen_renders() {
    let out = std::env::var_os("KTPEL_SCREENSHOTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots"))
        });
    std::fs::create_dir_all(&out).unwrap();
    let mut steps = vec![Step::Shot("01-signin")];
    steps.extend(digits("246810"));
    steps.extend([click("Masuk"), Step::Shot("02-home")]);
    steps.extend([
        click("Mulai perekaman"),
        click("☐  Fotokopi Kartu Keluarga (KK)"),
        Step::Shot("03-documents"),
        click("☐  Formulir permohonan KTP-el"),
        click("Lanjut"),
    ]);
    steps.extend(digits("3273019208900001"));
    steps.extend([
        click("Periksa ke SIAK"),
        Step::Shot("04-verify-invalid-nik"),
        click("C"),
    ]);
    steps.extend(digits("3275022207460020"));
    steps.extend([
        click("Periksa ke SIAK"),
        Step::Shot("05-verify-resident"),
        click("Data sesuai, lanjut"),
        Step::Shot("06-record-face"),
        click("Ambil foto"),
        Step::Shot("07-record-face-taken"),
        click("Lanjut"),
        Step::Shot("08-record-finger"),
        click("Pindai"),
        Step::Shot("09-record-iris"),
        click("Pindai"),
        Step::Shot("10-record-signature"),
        click("Mulai tanda tangan"),
        click("Lanjut"),
        Step::Shot("11-review"),
        click("Simpan rekaman"),
        Step::Shot("12-recorded"),
        click("Selesai"),
        Step::Shot("13-home-waiting-list"),
        click("HADI SETIAWAN"),
        Step::Shot("14-applicant-receipt"),
        click("Kembali"),
        click("Ambil KTP-el"),
    ]);
    steps.extend(digits("2611250100015"));
    steps.extend([Step::Shot("15-pickup"), click("Batal"), click("Keluar")]);
    // The technician's PIN opens the technician area.
    steps.extend(digits("135790"));
    steps.extend([
        click("Masuk"),
        click("Area teknisi"),
        click("Uji semua alat"),
        Step::Shot("16-technician"),
        click("Kembali"),
        click("English"),
        Step::Shot("17-home-english"),
    ]);

    let program = ui::application(boot, false);
    let (sender, mut receiver) = mpsc::channel(1);
    let mut emu = Emulator::new(sender, &program, Mode::Zen, iced::Size::new(1280.0, 800.0));
    let shots = steps.iter().filter(|s| matches!(s, Step::Shot(_))).count();
    let mut steps = steps.into_iter();
    let mut written = Vec::new();
    loop {
        let event = iced::futures::executor::block_on(receiver.next()).expect("emulator runs");
        match event {
            emulator::Event::Action(a) => emu.perform(&program, a),
            emulator::Event::Failed(i) => panic!("step failed: {i:?}"),
            emulator::Event::Ready => loop {
                match steps.next() {
                    None => break,
                    Some(Step::Shot(name)) => {
                        // Drawn from the emulator's current view by a simulator with the
                        // kiosk's fonts, at the kiosk's size.
                        let settings = iced::Settings {
                            default_font: ui::FONT,
                            fonts: vec![ui::FONT_REGULAR.into(), ui::FONT_BOLD.into()],
                            ..iced::Settings::default()
                        };
                        let mut sim = iced_test::Simulator::with_size(
                            settings,
                            iced::Size::new(1280.0, 800.0),
                            emu.view(&program),
                        );
                        let snapshot = sim.snapshot(&iced::Theme::Light).unwrap();
                        let base = out.join(name);
                        for old in std::fs::read_dir(&out).unwrap().flatten() {
                            if old.file_name().to_string_lossy().starts_with(name) {
                                std::fs::remove_file(old.path()).unwrap();
                            }
                        }
                        assert!(snapshot.matches_image(&base).unwrap());
                        let file = std::fs::read_dir(&out)
                            .unwrap()
                            .flatten()
                            .find(|f| f.file_name().to_string_lossy().starts_with(name))
                            .unwrap()
                            .path();
                        // The headless renderer draws at twice the size; keep the kiosk's.
                        let img = image::open(&file).unwrap().resize_exact(
                            1280,
                            800,
                            image::imageops::FilterType::Triangle,
                        );
                        std::fs::remove_file(&file).unwrap();
                        let luma = img.to_luma8();
                        let dark = luma.pixels().filter(|p| p.0[0] < 100).count();
                        assert!(dark > 1_500, "{name} looks empty ({dark} dark pixels)");
                        let path = out.join(format!("{name}.png"));
                        img.save(&path).unwrap();
                        written.push(path);
                    }
                    Some(Step::Do(line)) => {
                        let i = Instruction::parse(&line).unwrap();
                        emu.run(&program, i);
                        break;
                    }
                }
            },
        }
        if written.len() == shots {
            break;
        }
    }
    assert_eq!(written.len(), shots);
}
