#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A whole LDS1 chip image built, signed and verified, and each tampering refused with its own
//! error; `openssl cms -verify` reads the same EF.SOD as an independent implementation.

use std::process::Command;
use std::time::{Duration, SystemTime};

use ktpel_icao_lds::lds::{Com, Dg11, Dg12, Face, ImageType};
use ktpel_icao_lds::mrz::{Date, Sex, Td1};
use ktpel_icao_lds::pa::{self, PaError};
use ktpel_icao_lds::pki::{self, KeyAndCertificate};
use ktpel_icao_lds::sod;

const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

fn csca(name: &str) -> KeyAndCertificate {
    KeyAndCertificate::new_csca(name, SystemTime::now() - DAY, 15 * YEAR).unwrap()
}

fn groups() -> Vec<(u8, Vec<u8>)> {
    let td1 = Td1 {
        document_code: "ID".into(),
        issuing_state: "IDN".into(),
        document_number: "3275021506470020".into(),
        birth: Date {
            year: 1947,
            month: 6,
            day: 15,
        },
        sex: Sex::Male,
        expiry: None,
        nationality: "IDN".into(),
        optional2: String::new(),
        primary: "HADI SETIAWAN".into(),
        secondary: String::new(),
    };
    let face = Face {
        gender: 1,
        image_type: ImageType::Jpeg,
        width: 4,
        height: 4,
        image: vec![0xFF, 0xD8, 0xFF, 0xD9],
    };
    let dg11 = Dg11 {
        full_name: Some("HADI SETIAWAN".into()),
        personal_number: Some("3275021506470020".into()),
        ..Dg11::default()
    };
    let dg12 = Dg12 {
        issuing_authority: Some("KOTA BEKASI".into()),
        ..Dg12::default()
    };
    vec![
        (1, ktpel_icao_lds::lds::encode_dg1(&td1).unwrap()),
        (2, face.encode_dg2().unwrap()),
        (11, dg11.encode().unwrap()),
        (12, dg12.encode().unwrap()),
    ]
}

fn borrowed(g: &[(u8, Vec<u8>)]) -> Vec<(u8, &[u8])> {
    g.iter().map(|(n, d)| (*n, d.as_slice())).collect()
}

fn signer(ca: &KeyAndCertificate) -> KeyAndCertificate {
    ca.issue_document_signer(
        "CN=DS KTP-el 1,O=Dukcapil simulation,C=ID",
        &["ID"],
        SystemTime::now() - DAY,
        YEAR,
    )
    .unwrap()
}

#[test]
fn a_signed_chip_passes_passive_authentication() {
    let ca = csca("CN=CSCA Indonesia simulation,O=Dukcapil simulation,C=ID");
    let ds = signer(&ca);
    let g = groups();
    let ef_sod = sod::sign(&ds, &borrowed(&g)).unwrap();
    let report = pa::verify(&ef_sod, &borrowed(&g), &ca.certificate, SystemTime::now()).unwrap();
    assert_eq!(report.groups, vec![1, 2, 11, 12]);
    assert_eq!(report.signer_issuer, report.csca_subject);
    // EF.COM lists what is on the chip; it stays outside the SOD as part 10 says.
    let com = Com::new(vec![0x61, 0x75, 0x6B, 0x6C]).encode().unwrap();
    assert_eq!(Com::decode(&com).unwrap().lds_version, *b"0107");
    // About 0.9 KB with the certificate inside.
    assert!((600..1100).contains(&ef_sod.len()), "{}", ef_sod.len());
}

#[test]
fn one_changed_data_group_byte_is_a_hash_mismatch() {
    let ca = csca("CN=CSCA Indonesia simulation,O=Dukcapil simulation,C=ID");
    let ds = signer(&ca);
    let g = groups();
    let ef_sod = sod::sign(&ds, &borrowed(&g)).unwrap();
    let mut tampered = g.clone();
    let last = tampered[1].1.len() - 1;
    tampered[1].1[last] ^= 0x01;
    assert_eq!(
        pa::verify(
            &ef_sod,
            &borrowed(&tampered),
            &ca.certificate,
            SystemTime::now()
        ),
        Err(PaError::HashMismatch { dg: 2 })
    );
    // A group dropped, or one added, is named too.
    assert_eq!(
        pa::verify(
            &ef_sod,
            &borrowed(&g[..3]),
            &ca.certificate,
            SystemTime::now()
        ),
        Err(PaError::Missing { dg: 12 })
    );
    let mut extra = g.clone();
    extra.push((3, vec![0x63, 0x00]));
    assert_eq!(
        pa::verify(
            &ef_sod,
            &borrowed(&extra),
            &ca.certificate,
            SystemTime::now()
        ),
        Err(PaError::Unlisted { dg: 3 })
    );
}

#[test]
fn a_changed_signature_is_refused() {
    let ca = csca("CN=CSCA Indonesia simulation,O=Dukcapil simulation,C=ID");
    let ds = signer(&ca);
    let g = groups();
    let ef_sod = sod::sign(&ds, &borrowed(&g)).unwrap();
    let parsed = sod::parse(&ef_sod).unwrap();
    let sig = parsed.signed_data.signer_infos.0.as_slice()[0]
        .signature
        .as_bytes()
        .to_vec();
    let at = ef_sod
        .windows(sig.len())
        .position(|w| w == sig.as_slice())
        .unwrap();
    let mut tampered = ef_sod.clone();
    tampered[at + sig.len() - 1] ^= 0x01;
    assert_eq!(
        pa::verify(&tampered, &borrowed(&g), &ca.certificate, SystemTime::now()),
        Err(PaError::BadSignature)
    );
}

#[test]
fn a_document_signer_from_another_csca_is_refused() {
    let trusted = csca("CN=CSCA Indonesia simulation,O=Dukcapil simulation,C=ID");
    let g = groups();
    // Another CSCA under another name.
    let other = csca("CN=CSCA Elsewhere,O=Someone,C=UT");
    let ef_sod = sod::sign(&signer(&other), &borrowed(&g)).unwrap();
    assert!(matches!(
        pa::verify(
            &ef_sod,
            &borrowed(&g),
            &trusted.certificate,
            SystemTime::now()
        ),
        Err(PaError::OtherCsca { .. })
    ));
    // Another CSCA that copies the trusted one's name: only its signature tells.
    let impostor = csca("CN=CSCA Indonesia simulation,O=Dukcapil simulation,C=ID");
    let ef_sod = sod::sign(&signer(&impostor), &borrowed(&g)).unwrap();
    assert_eq!(
        pa::verify(
            &ef_sod,
            &borrowed(&g),
            &trusted.certificate,
            SystemTime::now()
        ),
        Err(PaError::CertificateSignature)
    );
}

#[test]
fn an_expired_document_signer_is_refused() {
    let ca = KeyAndCertificate::new_csca(
        "CN=CSCA Indonesia simulation,O=Dukcapil simulation,C=ID",
        SystemTime::now() - 5 * YEAR,
        15 * YEAR,
    )
    .unwrap();
    let ds = ca
        .issue_document_signer(
            "CN=DS KTP-el 0,O=Dukcapil simulation,C=ID",
            &["ID"],
            SystemTime::now() - 3 * YEAR,
            YEAR,
        )
        .unwrap();
    let g = groups();
    let ef_sod = sod::sign(&ds, &borrowed(&g)).unwrap();
    assert!(matches!(
        pa::verify(&ef_sod, &borrowed(&g), &ca.certificate, SystemTime::now()),
        Err(PaError::SignerExpired { .. })
    ));
    // The same chip verified at a time inside the signer's validity passes.
    assert!(pa::verify(
        &ef_sod,
        &borrowed(&g),
        &ca.certificate,
        SystemTime::now() - 2 * YEAR - DAY
    )
    .is_ok());
}

#[test]
fn keys_and_certificates_survive_a_round_trip_and_a_wrong_key_is_refused() {
    let ca = csca("CN=CSCA Indonesia simulation,O=Dukcapil simulation,C=ID");
    let ds = signer(&ca);
    let back = KeyAndCertificate::from_der(
        &ds.private_key_der().unwrap(),
        &ds.certificate_der().unwrap(),
    )
    .unwrap();
    assert_eq!(back.certificate, ds.certificate);
    assert!(KeyAndCertificate::from_der(
        &ca.private_key_der().unwrap(),
        &ds.certificate_der().unwrap()
    )
    .is_err());
    let pem = pki::certificate_pem(&ca.certificate).unwrap();
    assert_eq!(
        pki::read_certificate(pem.as_bytes()).unwrap(),
        ca.certificate
    );
}

/// OpenSSL's CMS implementation, an independent reader, verifies EF.SOD against the CSCA and
/// returns exactly the LDSSecurityObject that was signed.
#[test]
fn openssl_verifies_the_sod_against_the_csca() {
    let ca = csca("CN=CSCA Indonesia simulation,O=Dukcapil simulation,C=ID");
    let ds = signer(&ca);
    let g = groups();
    let ef_sod = sod::sign(&ds, &borrowed(&g)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sod_path = dir.path().join("sod.der");
    let ca_path = dir.path().join("csca.pem");
    let out_path = dir.path().join("content.der");
    std::fs::write(&sod_path, sod::content_info_der(&ef_sod).unwrap()).unwrap();
    std::fs::write(&ca_path, pki::certificate_pem(&ca.certificate).unwrap()).unwrap();
    let run = |sod: &std::path::Path, ca: &std::path::Path| {
        Command::new("openssl")
            .args([
                "cms", "-verify", "-inform", "DER", "-binary", "-purpose", "any", "-in",
            ])
            .arg(sod)
            .arg("-CAfile")
            .arg(ca)
            .arg("-out")
            .arg(&out_path)
            .output()
            .expect("openssl must be installed for this cross-check (.ci/deps test installs it)")
    };
    let ok = run(&sod_path, &ca_path);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let content = std::fs::read(&out_path).unwrap();
    assert_eq!(content, sod::parse(&ef_sod).unwrap().econtent);

    // And it refuses the same SOD against another CSCA.
    let other = csca("CN=CSCA Elsewhere,O=Someone,C=UT");
    let other_path = dir.path().join("other.pem");
    std::fs::write(
        &other_path,
        pki::certificate_pem(&other.certificate).unwrap(),
    )
    .unwrap();
    assert!(!run(&sod_path, &other_path).status.success());
}
