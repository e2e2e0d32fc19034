//! `ktpel-booth card read` on a card written through the real PC/SC stack: pcscd with
//! vsmartcard's vpcd reader and the booth's own virtual card. The booth's encoder writes a real
//! applicant's profile; the officer's tool reads it back, shows it and says it verifies; a
//! card with one byte changed is called out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../drivers/card-pcsc/tests/stack/mod.rs"]
mod stack;

use base64::Engine as _;
use ktpel_booth::seal::DocumentSigner;
use ktpel_card_pcsc::{write_files, PcscConfig, PcscEncoder, WriteOptions};
use ktpel_hal::CardEncoder;
use ktpel_sim::card::VirtualCard;
use ktpel_sim::vpcd::VpcdCard;
use std::process::Command;
use std::time::Duration;

#[test]
fn card_read_shows_and_verifies_what_the_encoder_wrote_and_catches_a_changed_byte() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(1);
    let population = ktpel_booth::domain::population::generate(
        2026,
        10,
        ktpel_booth::centre_sim::POPULATION_REFERENCE_DATE,
    );
    let resident = population[3].clone();
    let enrollment = common::enrollment(&resident, 4, common::start_time());
    let signer = DocumentSigner::generate();
    let profile = ktpel_booth::card::build(&enrollment, &signer).unwrap();

    let card = VpcdCard::connect(reader.addr, VirtualCard::new()).unwrap();
    let mut encoder = PcscEncoder::new(PcscConfig {
        reader: Some(reader.name.clone()),
        ..Default::default()
    });
    let info = encoder.wait_card(Duration::from_secs(10)).unwrap();
    write_files(
        &mut encoder,
        &info,
        &profile.files,
        &WriteOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    encoder.release().unwrap();
    drop(encoder);

    let key = base64::engine::general_purpose::STANDARD.encode(signer.public());
    let read = || {
        Command::new(env!("CARGO_BIN_EXE_ktpel-booth"))
            .args(["card", "read", "--pcsc", "--reader", &reader.name])
            .args(["--signer-key", &key, "--wait", "10"])
            .output()
            .unwrap()
    };
    let out = read();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(resident.nik.as_str()), "{stdout}");
    assert!(stdout.contains(&resident.name), "{stdout}");
    assert!(stdout.contains("minutiae"), "{stdout}");
    assert!(stdout.contains("VERIFIED"), "{stdout}");

    // One byte of DG1 changed on the card: the hash no longer matches.
    card.with_card(|c| {
        c.process_apdu(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x01, 0x01]);
        let r = c.process_apdu(&[0x00, 0xD6, 0x00, 0x08, 0x01, 0x5A]);
        assert_eq!(r, vec![0x90, 0x00]);
    })
    .unwrap();
    let out = read();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("NOT VERIFIED") || stdout.contains("NOT VALID"),
        "{stdout}"
    );
    drop(card);
}
