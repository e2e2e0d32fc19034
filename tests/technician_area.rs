//! The technician area in Indonesian through the kiosk's real update loop: an SBI iris scanner
//! (the simulator, on its port, its certificate pinned in the config) is found with its make,
//! model, serial, firmware and certificate trust, and the self-test's checks read in
//! Indonesian, the drivers' own words under them as detail; a device with its cable pulled says
//! so and what to do, in Indonesian; blanks loaded from a keyboard.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::emulator;
use ktpel_booth::clock::Clock;
use std::time::Duration;

#[test]
fn the_technician_reads_devices_and_checks_in_indonesian() {
    const PORT: u16 = 4583;
    let sim = ktpel_sbi::sim::SimHandle::start(
        ktpel_sbi::sim::SimOptions::from_cli("iris", Some(PORT), &[]).unwrap(),
    )
    .unwrap();
    let pin = sim.certificate_fingerprint();
    // Who the device says it is, as a scan of its port reads it.
    let config = ktpel_sbi::ClientConfig {
        ports: PORT..=PORT,
        ..ktpel_sbi::ClientConfig::default()
    };
    let (_, found) = ktpel_sbi::scan(&config).unwrap();
    let info = found[0].info.as_ref().unwrap();
    let id = &info.digital_id;

    let text = ktpel_booth::config::DEFAULT_TOML.replace(
        "[devices.iris]\ndriver = \"sim\"\nseed = 3",
        &format!(
            "[devices.iris]\ndriver = \"sbi\"\nport = {PORT}\nenv = \"Production\"\n\
             trusted_certificates = [\"{pin}\"]"
        ),
    );
    assert_ne!(
        text,
        ktpel_booth::config::DEFAULT_TOML,
        "the iris section moved"
    );
    // The receipt printer's cable is pulled: its failure and what to do, in Indonesian.
    let printer = "[devices.receipt_printer]\ndriver = \"sim\"\nseed = 7";
    assert!(text.contains(printer), "the receipt printer section moved");
    let text = text
        .replace(printer, &format!("{printer}\nunplugged = true"))
        .replace(
            "tpm_tcti = \"device:/dev/tpmrm0\"",
            "tpm_tcti = \"swtpm:host=127.0.0.1,port=9\"",
        );
    assert!(text.contains("port=9"), "the tpm_tcti line moved");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("booth.toml");
    std::fs::write(&path, text).unwrap();
    let config = ktpel_booth::config::Config::load(Some(&path)).unwrap();
    let mut k = emulator::boot(config, Clock::manual(common::start_time()).0);
    k.type_digits("135790");
    k.drive(&["click \"Masuk\"", "click \"Area teknisi\""]);
    // No TPM on this booth (whatever the test machine has, nothing answers at the TCTI the
    // config names): the area says loudly that the keys are in files.
    k.wait_for_text("Kunci: DI BERKAS, TANPA TPM", Duration::from_secs(5));

    // Discovery: the device, who it is, and its certificate judged against the pin.
    k.wait_for_text(&format!("Perangkat SBI · {PORT}"), Duration::from_secs(20));
    k.wait_for_text(
        &format!(
            "{} {} · seri {} · firmware {}",
            id.make, id.model, id.serial_no, info.payload.firmware
        ),
        Duration::from_secs(5),
    );
    k.wait_for_text("Sertifikat: tepercaya (disematkan)", Duration::from_secs(5));
    k.wait_for_text(&pin, Duration::from_secs(5));

    // The self-test: every check by its Indonesian name, the driver's words as detail.
    k.drive(&["click \"Uji semua alat\""]);
    k.wait_for_text("✓  Koneksi", Duration::from_secs(30));
    k.wait_for_text("camera answers", Duration::from_secs(5));
    k.wait_for_text("✓  Kepercayaan sertifikat", Duration::from_secs(30));
    k.wait_for_text("trusted (pinned)", Duration::from_secs(5));
    k.wait_for_text("✓  Info alat bertanda tangan", Duration::from_secs(5));
    k.wait_for_text(
        "Alat terputus. Periksa kabel dan colokan, lalu ulangi.",
        Duration::from_secs(5),
    );
    k.wait_for_text(
        "Periksa kabel dan daya alat, lalu uji lagi.",
        Duration::from_secs(5),
    );

    // Blanks arrive: the technician types the count on a USB keyboard (digits, Backspace,
    // Enter), as on the on-screen keypad.
    k.drive(&["type \"259\"", "type backspace", "type enter"]);
    k.wait_for_text("Stok 25 · terpakai 0 · rusak 0", Duration::from_secs(10));
    sim.stop().unwrap();
}
