//! The chip through the real PC/SC stack: pcscd with vsmartcard's vpcd reader and the booth's
//! own virtual card. The booth's encoder writes the worst-case resident of the simulated
//! population, locks the card and proves it refuses writes; `ktpel-booth card read --csca`
//! reads it back, prints the chain and verifies it by passive authentication. Cards forged
//! four ways (a changed data group byte, a changed SOD signature, a document signer of another
//! CSCA, an expired document signer) are each refused with their own message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../drivers/card-pcsc/tests/stack/mod.rs"]
mod stack;

use ktpel_booth::card::profile::{self, ChipProfile, DG2, EF_SOD};
use ktpel_booth::card::DocumentSigner;
use ktpel_card_pcsc::{write_files, PcscConfig, PcscEncoder, WriteOptions, WriteReport};
use ktpel_hal::CardEncoder;
use ktpel_icao_lds::{pki, sod};
use ktpel_sim::card::VirtualCard;
use ktpel_sim::vpcd::{VpcdCard, VpcdHandle};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
const DAY: Duration = Duration::from_secs(24 * 3600);
const CSCA: &str = "CN=CSCA Indonesia (test),O=Dukcapil (test),C=ID";
const DS: &str = "CN=DS KTP-el (test),O=Dukcapil (test),C=ID";

fn csca(subject: &str) -> DocumentSigner {
    DocumentSigner::new_csca(subject, SystemTime::now() - 5 * YEAR, 15 * YEAR).unwrap()
}

fn signer(csca: &DocumentSigner, not_before: SystemTime, lifetime: Duration) -> DocumentSigner {
    csca.issue_document_signer(DS, &["ID"], not_before, lifetime)
        .unwrap()
}

/// The resident of the simulated population (the default config's seed and size) whose face
/// fields take the most room on the chip: every other file adapts to what they leave.
fn worst_case_resident() -> ktpel_booth::domain::resident::Resident {
    let population = ktpel_booth::centre_sim::population_of(2026, 600);
    population
        .into_iter()
        .max_by_key(|r| {
            let h = ktpel_booth::card::dg1::Holder::from_resident(r);
            let f = ktpel_booth::card::dg1::encode(&h).unwrap();
            f.dg1.len() + f.dg11.len() + f.dg12.len()
        })
        .unwrap()
}

/// Writes `files` onto a fresh blank virtual card in the reader with the booth's encoder.
fn encode(card: &mut VpcdHandle, reader: &stack::Reader, files: &[(u16, Vec<u8>)]) -> WriteReport {
    // A new blank: the old card leaves the reader first, as pcscd must see it go.
    card.remove();
    stack::wait_card_state(&reader.name, false);
    card.insert(VirtualCard::new()).unwrap();
    stack::wait_card_state(&reader.name, true);
    let mut encoder = PcscEncoder::new(PcscConfig {
        reader: Some(reader.name.clone()),
        ..Default::default()
    });
    let info = encoder.wait_card(Duration::from_secs(10)).unwrap();
    let report = write_files(
        &mut encoder,
        &info,
        files,
        &WriteOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    encoder.release().unwrap();
    report
}

fn card_read(reader: &stack::Reader, csca_file: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ktpel-booth"))
        .args(["card", "read", "--pcsc", "--reader", &reader.name])
        .arg("--csca")
        .arg(csca_file)
        .args(["--wait", "10"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.code(),
        format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr)),
    )
}

fn replaced(p: &ChipProfile, fid: u16, bytes: Vec<u8>) -> Vec<(u16, Vec<u8>)> {
    p.files
        .iter()
        .map(|(f, b)| (*f, if *f == fid { bytes.clone() } else { b.clone() }))
        .collect()
}

/// EF.SOD over the profile's data groups, signed by `ds`.
fn resigned(p: &ChipProfile, ds: &DocumentSigner) -> Vec<u8> {
    let groups: Vec<(u8, &[u8])> = p
        .files
        .iter()
        .filter_map(|(fid, b)| profile::data_group(*fid).map(|g| (g.number, b.as_slice())))
        .collect();
    sod::sign(ds, &groups).unwrap()
}

#[test]
fn an_encoded_card_is_locked_and_passes_passive_authentication_and_forgeries_are_named() {
    if !stack::available() {
        return;
    }
    let reader = stack::reader(1);
    let dir = tempfile::tempdir().unwrap();
    let trusted = csca(CSCA);
    let csca_file = dir.path().join("csca.pem");
    std::fs::write(
        &csca_file,
        pki::certificate_pem(&trusted.certificate).unwrap(),
    )
    .unwrap();
    let ds = signer(&trusted, SystemTime::now() - DAY, 10 * YEAR);

    let resident = worst_case_resident();
    let enrollment = common::enrollment(&resident, 4, common::start_time());
    let p = profile::build(&enrollment, &ds).unwrap();

    // Encode → lock → read back → passive authentication.
    let mut card = VpcdCard::connect(reader.addr, VirtualCard::new()).unwrap();
    let report = encode(&mut card, &reader, &p.files);
    let used = card.with_card(|c| c.used_bytes()).unwrap();
    eprintln!(
        "worst-case resident: {} files, {} bytes, {} bytes of EEPROM used of 8192 (markers \
         included), portrait {}x{} q{}; {} APDUs, minimum {} ({:.1} % over), lock {} APDUs",
        p.files.len(),
        report.bytes,
        used,
        p.portrait.width,
        p.portrait.height,
        p.portrait.quality,
        report.apdus,
        report.min_apdus,
        report.overhead_percent(),
        report.lock_apdus
    );
    assert!(used <= 8192 - profile::RESERVE_BYTES, "{used}");
    assert!(
        report.overhead_percent() <= 10.0,
        "{} APDUs against a minimum of {}",
        report.apdus,
        report.min_apdus
    );
    assert!(card.with_card(|c| c.is_operational()).unwrap());

    let (code, out) = card_read(&reader, &csca_file);
    // What the technician reads (shown with --nocapture).
    eprintln!("{out}");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(resident.nik.as_str()), "{out}");
    assert!(out.contains(&resident.name), "{out}");
    assert!(out.contains("IDIDN"), "the MRZ: {out}");
    assert!(out.contains("chain:"), "{out}");
    assert!(out.contains("CSCA Indonesia (test)"), "{out}");
    assert!(out.contains("DS KTP-el (test)"), "{out}");
    assert!(
        out.contains("hashes checked  DG1 DG2 DG3 DG7 DG11 DG12"),
        "{out}"
    );
    assert!(
        out.contains("VERIFIED: passive authentication succeeded"),
        "{out}"
    );

    // Write after lock, through pcscd: refused with 6982, and nothing changed.
    let before = card.card().unwrap();
    let mut encoder = PcscEncoder::new(PcscConfig {
        reader: Some(reader.name.clone()),
        ..Default::default()
    });
    encoder.wait_card(Duration::from_secs(10)).unwrap();
    let lds1 = [
        0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
    ];
    assert_eq!(encoder.transmit(&lds1).unwrap(), [0x90, 0x00]);
    assert_eq!(
        encoder
            .transmit(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x01])
            .unwrap(),
        [0x90, 0x00]
    );
    assert_eq!(
        encoder
            .transmit(&[0x00, 0xD6, 0x00, 0x08, 0x01, 0x5A])
            .unwrap(),
        [0x69, 0x82],
        "UPDATE BINARY after the lock"
    );
    assert_eq!(
        encoder
            .transmit(&[0x00, 0xE4, 0x00, 0x00, 0x02, 0x01, 0x01])
            .unwrap(),
        [0x69, 0x82],
        "DELETE FILE after the lock"
    );
    let create = [
        0x00, 0xE0, 0x00, 0x00, 0x0D, 0x62, 0x0B, 0x82, 0x01, 0x01, 0x83, 0x02, 0x01, 0x05, 0x80,
        0x02, 0x00, 0x10,
    ];
    assert_eq!(
        encoder.transmit(&create).unwrap(),
        [0x69, 0x82],
        "CREATE FILE after the lock"
    );
    encoder.release().unwrap();
    drop(encoder);
    assert_eq!(card.card().unwrap().contents(), before.contents());

    // Forgeries, each written to a blank card as a forger would, each refused by name.
    let dg2 = p.file(DG2).unwrap();
    let mut changed = dg2.to_vec();
    let at = changed.len() - 10;
    changed[at] ^= 0x55;
    let ef_sod = p.file(EF_SOD).unwrap().to_vec();
    let signature = sod::parse(&ef_sod)
        .unwrap()
        .signed_data
        .signer_infos
        .0
        .as_slice()[0]
        .signature
        .as_bytes()
        .to_vec();
    let sig_at = ef_sod
        .windows(signature.len())
        .position(|w| w == signature.as_slice())
        .unwrap();
    let mut bad_signature = ef_sod.clone();
    bad_signature[sig_at + signature.len() - 1] ^= 0x01;
    let other = csca("CN=CSCA Elsewhere (test),O=Someone,C=UT");
    let expired = signer(&trusted, SystemTime::now() - 3 * YEAR, YEAR);
    let forgeries = [
        (
            "a changed DG2 byte",
            replaced(&p, DG2, changed),
            "DG2 does not match its hash in EF.SOD",
        ),
        (
            "a changed SOD signature",
            replaced(&p, EF_SOD, bad_signature),
            "the SOD signature does not verify",
        ),
        (
            "a document signer of another CSCA",
            replaced(
                &p,
                EF_SOD,
                resigned(&p, &signer(&other, SystemTime::now() - DAY, YEAR)),
            ),
            "not by the trusted CSCA",
        ),
        (
            "an expired document signer",
            replaced(&p, EF_SOD, resigned(&p, &expired)),
            "the document signer certificate has expired",
        ),
    ];
    for (what, files, message) in forgeries {
        encode(&mut card, &reader, &files);
        let (code, out) = card_read(&reader, &csca_file);
        let verdict: Vec<&str> = out.lines().filter(|l| l.contains("VERIFIED")).collect();
        eprintln!("{what}: {}", verdict.join(" | "));
        assert_eq!(code, Some(2), "{what}: {out}");
        assert!(out.contains("NOT VERIFIED"), "{what}: {out}");
        assert!(out.contains(message), "{what}: {out}");
    }
    drop(card);
}
