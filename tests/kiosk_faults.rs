//! The kiosk when a device misbehaves mid-procedure: the fingerprint scanner is unplugged
//! during the recording → the operator sees what happened, nothing is saved; once it is back a
//! retake succeeds and the record is saved. Driven through iced_test's emulator (the real update
//! loop), with a hand on the simulated devices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use iced::futures::channel::mpsc;
use iced::futures::StreamExt;
use iced_test::emulator::{self, Emulator, Mode};
use iced_test::Instruction;
use ktpel_booth::clock::Clock;
use ktpel_booth::config::Config;
use ktpel_booth::ui::{self, App, Message, Running};
use ktpel_hal::DeviceKind;
use std::sync::{Arc, Mutex};

/// What the operator reads when the scanner is unplugged during the capture.
const FAILED: &str = "expect \"Alat terputus. Periksa kabel dan colokan, lalu ulangi.\"";
/// The driver's own words under it.
const DETAIL: &str =
    "expect \"Rincian teknis: sim fingerprint is unplugged (capture_finger failed): plug the cable back in\"";

type Slot = Arc<Mutex<Option<Arc<Running>>>>;

/// Waits until the emulator has finished what it was doing (booting, or the last instruction).
fn settle<P: iced::Program + 'static>(
    emu: &mut Emulator<P>,
    program: &P,
    rx: &mut mpsc::Receiver<emulator::Event<P>>,
) {
    loop {
        match iced::futures::executor::block_on(rx.next()).expect("emulator runs") {
            emulator::Event::Action(a) => emu.perform(program, a),
            emulator::Event::Failed(i) => panic!("failed: {i:?}"),
            emulator::Event::Ready => return,
        }
    }
}

/// Runs `lines` (ice instructions) one after the other, each after the tasks of the one before.
fn drive<P: iced::Program + 'static>(
    emu: &mut Emulator<P>,
    program: &P,
    rx: &mut mpsc::Receiver<emulator::Event<P>>,
    lines: &[&str],
) {
    for l in lines {
        emu.run(program, Instruction::parse(l).unwrap());
        settle(emu, program, rx);
    }
}

#[test]
fn a_scanner_unplugged_mid_capture_gives_an_error_then_a_retake_succeeds() {
    let slot: Slot = Arc::new(Mutex::new(None));
    let boot = {
        let slot = slot.clone();
        move || {
            let dir = tempfile::tempdir().unwrap().keep();
            let (clock, _hand) = Clock::manual(common::start_time());
            let (app, task) = App::boot_with(Config::load(None).unwrap(), dir, clock);
            let slot = slot.clone();
            let task = task.map(move |m| {
                if let Message::Started(Ok(r)) = &m {
                    *slot.lock().unwrap() = Some(r.clone());
                }
                m
            });
            (app, task)
        }
    };
    let program = ui::application(boot, false);
    let (sender, mut rx) = mpsc::channel(1);
    let mut emu = Emulator::new(sender, &program, Mode::Zen, iced::Size::new(1280.0, 800.0));
    let mut lines: Vec<String> = "246810".chars().map(|c| format!("click \"{c}\"")).collect();
    lines.extend(
        [
            "click \"Masuk\"",
            "click \"Mulai perekaman\"",
            "click \"☐  Fotokopi Kartu Keluarga (KK)\"",
            "click \"☐  Formulir permohonan KTP-el\"",
            "click \"Lanjut\"",
        ]
        .map(String::from),
    );
    lines.extend("3275022207460020".chars().map(|c| format!("click \"{c}\"")));
    lines.extend(
        [
            "click \"Periksa ke SIAK\"",
            "click \"Data sesuai, lanjut\"",
            "click \"Ambil foto\"",
            "click \"Lanjut\"",
            "expect \"Langkah 2 dari 14: Ibu jari kanan\"",
        ]
        .map(String::from),
    );
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    settle(&mut emu, &program, &mut rx);
    drive(&mut emu, &program, &mut rx, &refs);

    let running = slot.lock().unwrap().clone().expect("the booth started");
    let scanner = {
        let d = running.devices.lock().unwrap();
        d.sim
            .iter()
            .find(|c| c.kind() == DeviceKind::FingerprintScanner)
            .cloned()
            .unwrap()
    };
    // The third finger's scan meets a pulled cable.
    scanner.script(vec![
        ktpel_sim::Fault::Pass,
        ktpel_sim::Fault::Pass,
        ktpel_sim::Fault::Unplugged,
    ]);
    drive(
        &mut emu,
        &program,
        &mut rx,
        &[
            "click \"Pindai\"",
            "expect \"Langkah 4 dari 14: Jari tengah kanan\"",
            FAILED,
            DETAIL,
        ],
    );
    let counts = iced::futures::executor::block_on(running.booth.queue.counts()).unwrap();
    assert_eq!(
        counts.unsent(),
        0,
        "nothing is saved after a failed capture"
    );
    // Still unplugged: a retake fails the same way.
    drive(&mut emu, &program, &mut rx, &["click \"Ulangi\"", FAILED]);
    scanner.replug();
    drive(
        &mut emu,
        &program,
        &mut rx,
        &[
            "click \"Ulangi\"",
            "expect \"Langkah 12 dari 14: Iris mata kanan\"",
            "click \"Pindai\"",
            "click \"Mulai tanda tangan\"",
            "click \"Lanjut\"",
            "expect \"Simpan rekaman\"",
            "click \"Simpan rekaman\"",
            "expect \"Terekam\"",
        ],
    );
    let counts = iced::futures::executor::block_on(running.booth.queue.counts()).unwrap();
    assert_eq!(
        counts.unsent() + counts.get(ktpel_booth::queue::State::Received),
        1
    );
}
