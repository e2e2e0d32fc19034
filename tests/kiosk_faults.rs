//! The kiosk when a device misbehaves mid-procedure: the fingerprint scanner is unplugged
//! during the recording → the operator sees what happened, nothing is saved; once it is back a
//! retake succeeds and the record is saved. Driven through iced_test's emulator (the real update
//! loop), with a hand on the simulated devices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::emulator;
use ktpel_booth::clock::Clock;
use ktpel_booth::config::Config;
use ktpel_hal::DeviceKind;

/// What the operator reads when the scanner is unplugged during the capture.
const FAILED: &str = "expect \"Alat terputus. Periksa kabel dan colokan, lalu ulangi.\"";
/// The driver's own words under it.
const DETAIL: &str =
    "expect \"Rincian teknis: sim fingerprint is unplugged (capture_finger failed): plug the cable back in\"";

#[test]
fn a_scanner_unplugged_mid_capture_gives_an_error_then_a_retake_succeeds() {
    let (clock, _hand) = Clock::manual(common::start_time());
    let mut k = emulator::boot(Config::load(None).unwrap(), clock);
    emulator::sign_in(&mut k);
    k.drive(&[
        "click \"Mulai perekaman\"",
        "click \"☐  Fotokopi Kartu Keluarga (KK)\"",
        "click \"☐  Formulir permohonan KTP-el\"",
        "click \"Lanjut\"",
    ]);
    k.type_digits("3275022207460020");
    k.drive(&[
        "click \"Periksa ke SIAK\"",
        "click \"Data sesuai, lanjut\"",
        "click \"Ambil foto\"",
        "click \"Lanjut\"",
        "expect \"Langkah 2 dari 14: Ibu jari kanan\"",
    ]);
    let running = k.running();
    let scanner = k.sim(DeviceKind::FingerprintScanner);
    // The third finger's scan meets a pulled cable.
    scanner.script(vec![
        ktpel_sim::Fault::Pass,
        ktpel_sim::Fault::Pass,
        ktpel_sim::Fault::Unplugged,
    ]);
    k.drive(&[
        "click \"Pindai\"",
        "expect \"Langkah 4 dari 14: Jari tengah kanan\"",
        FAILED,
        DETAIL,
    ]);
    let counts = iced::futures::executor::block_on(running.queue().counts()).unwrap();
    assert_eq!(
        counts.unsent(),
        0,
        "nothing is saved after a failed capture"
    );
    // Still unplugged: a retake fails the same way.
    k.drive(&["click \"Ulangi\"", FAILED]);
    scanner.replug();
    k.drive(&[
        "click \"Ulangi\"",
        "expect \"Langkah 12 dari 14: Iris mata kanan\"",
        "click \"Pindai\"",
        "click \"Mulai tanda tangan\"",
        "click \"Lanjut\"",
        "expect \"Simpan rekaman\"",
        "click \"Simpan rekaman\"",
        "expect \"Terekam\"",
    ]);
    let counts = iced::futures::executor::block_on(running.queue().counts()).unwrap();
    assert_eq!(
        counts.unsent() + counts.get(ktpel_booth::queue::State::Received),
        1
    );
}
