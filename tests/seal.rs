//! Sealing: only the centre can open a packet, tampering is caught, and the booth's SQLite files
//! hold no capture, name or NIK in clear.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ktpel_biometric_records::{FingerImageRecord, Profile};
use ktpel_booth::enrollment::PacketError;
use ktpel_booth::seal::{self, BoothKey, CentreSecretKey, SealError, SealedPacket};
use ktpel_hal::{FingerRecord, IrisRecord};
use std::time::Duration;

fn population() -> Vec<ktpel_booth::domain::resident::Resident> {
    ktpel_booth::domain::population::generate(
        2026,
        10,
        ktpel_booth::clock::wib_date(common::start_time()),
    )
}

#[test]
fn only_the_centre_opens_a_packet_and_tampering_is_caught() {
    let resident = population().remove(0);
    let e = common::enrollment(&resident, 7, common::start_time());
    e.check_complete().unwrap();
    assert!(
        e.capture_bytes() > 1_000_000,
        "a full enrollment is about a megabyte or more"
    );
    let centre = CentreSecretKey::generate();
    let booth = BoothKey::generate();
    let packet = seal::seal(&e, Profile::Lossless, &centre.public(), &booth).unwrap();
    let cbor = packet.to_cbor().unwrap();
    let opened = SealedPacket::from_cbor(&cbor)
        .unwrap()
        .open(&centre)
        .unwrap();
    assert!(
        opened == e,
        "with the lossless profile the centre reads back exactly what was recorded"
    );

    // Another key cannot open it.
    let stranger = CentreSecretKey::generate();
    assert!(matches!(packet.open(&stranger), Err(SealError::Hpke(_))));

    // One flipped bit in the ciphertext breaks the booth's signature.
    let mut tampered = packet.clone();
    tampered.ciphertext[1000] ^= 1;
    assert!(matches!(
        tampered.open(&centre),
        Err(SealError::BadSignature)
    ));

    // Claiming the packet came from another booth breaks the signature too.
    let mut moved = packet.clone();
    moved.booth_id = "9999-99".into();
    assert!(matches!(moved.open(&centre), Err(SealError::BadSignature)));
}

#[test]
fn the_field_packet_carries_standard_records_in_a_fifth_of_the_size() {
    let resident = population().remove(1);
    let e = common::enrollment(&resident, 8, common::start_time());
    let centre = CentreSecretKey::generate();
    let booth = BoothKey::generate();
    let raw = {
        let mut out = Vec::new();
        ciborium::into_writer(&e, &mut out).unwrap();
        out.len()
    };
    let packet = seal::seal(&e, Profile::Field, &centre.public(), &booth).unwrap();
    let sealed = packet.to_cbor().unwrap().len();
    assert!(sealed <= 300_000, "field packet is {sealed} bytes");
    assert!(
        sealed * 5 <= raw,
        "field packet {sealed} bytes against {raw} raw"
    );

    let body = packet.open_body(&centre).unwrap();
    assert_eq!(body.profile, Profile::Field);
    assert_eq!(body.biometrics.len(), 13, "face, ten fingers, two irises");
    let formats: Vec<u16> = body
        .biometrics
        .iter()
        .map(|b| b.header.format_type)
        .collect();
    assert_eq!(formats, [8, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 9, 9]);
    let opened = body.into_enrollment().unwrap();
    // Everything but the pixels comes back as recorded.
    assert_eq!(opened.packet_id, e.packet_id);
    assert_eq!(opened.resident, e.resident);
    assert_eq!(opened.signature, e.signature);
    assert_eq!(opened.step_timings, e.step_timings);
    assert_eq!(opened.operator_id, e.operator_id);
    for (a, b) in e.fingers.iter().zip(&opened.fingers) {
        match (a, b) {
            (FingerRecord::Captured(a), FingerRecord::Captured(b)) => {
                assert_eq!(
                    (a.position, a.quality, a.resolution_ppi),
                    (b.position, b.quality, b.resolution_ppi)
                );
                assert_eq!(
                    (a.image.width, a.image.height),
                    (b.image.width, b.image.height)
                );
            }
            (a, b) => assert_eq!(a, b),
        }
    }
    assert_eq!(opened.irises.len(), 2);
    assert!(matches!(&opened.irises[0], IrisRecord::Captured(c) if c.image.width == 640));
}

#[test]
fn the_centre_refuses_a_packet_whose_records_do_not_check() {
    let resident = population().remove(2);
    let e = common::enrollment(&resident, 9, common::start_time());
    let centre = CentreSecretKey::generate();
    let booth = BoothKey::generate();
    let good = e.to_packet_body(Profile::Field).unwrap();

    // A finger record whose position disagrees with its BIR, sealed and signed by the booth.
    let mut body = good.clone();
    let bdb = body.biometrics[1].bdb.as_mut().unwrap();
    assert!(FingerImageRecord::parse(bdb).is_ok());
    bdb[40] = 9;
    let packet = seal::seal_body(&body, &centre.public(), &booth).unwrap();
    assert!(matches!(
        packet.open(&centre),
        Err(SealError::Packet(PacketError::Record { .. }))
    ));

    // A codestream cut short.
    let mut body = good.clone();
    let bdb = body.biometrics[12].bdb.as_mut().unwrap();
    let n = bdb.len();
    bdb.truncate(n - 100);
    let packet = seal::seal_body(&body, &centre.public(), &booth).unwrap();
    assert!(matches!(packet.open(&centre), Err(SealError::Packet(_))));

    // A finger left out.
    let mut body = good;
    body.biometrics.remove(3);
    let packet = seal::seal_body(&body, &centre.public(), &booth).unwrap();
    assert!(matches!(
        packet.open(&centre),
        Err(SealError::Packet(PacketError::Counts { fingers: 9, .. }))
    ));
}

/// The names of the `secrets` of which some 48-byte window appears in `haystack`. Windows are
/// sampled every 251 bytes and must look like data (at least 12 distinct byte values), so uniform
/// runs — a black pupil, a white background, SQLite's zeroed free space — are not matches.
/// Secrets shorter than a window (names, NIKs) are searched whole.
fn leaks<'a>(haystack: &[u8], secrets: &'a [(String, Vec<u8>)]) -> Vec<&'a str> {
    use std::collections::{HashMap, HashSet};
    const W: usize = 48;
    let mut samples: HashMap<u64, Vec<(&[u8], &str)>> = HashMap::new();
    let mut found = HashSet::new();
    for (name, bytes) in secrets {
        if bytes.len() < W {
            if haystack.windows(bytes.len()).any(|w| w == bytes.as_slice()) {
                found.insert(name.as_str());
            }
            continue;
        }
        for i in (0..=bytes.len() - W).step_by(251) {
            let w = &bytes[i..i + W];
            if w.iter().collect::<HashSet<_>>().len() >= 12 {
                let key = u64::from_le_bytes(w[..8].try_into().unwrap());
                samples.entry(key).or_default().push((w, name.as_str()));
            }
        }
    }
    for w in haystack.windows(W) {
        let key = u64::from_le_bytes(w[..8].try_into().unwrap());
        if let Some(cands) = samples.get(&key) {
            for (c, name) in cands {
                if *c == w {
                    found.insert(*name);
                }
            }
        }
    }
    let mut v: Vec<&str> = found.into_iter().collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_files_hold_no_capture_name_or_nik_in_clear() {
    let rig = common::rig(Duration::from_secs(20)).await;
    rig.centre.set_fault(ktpel_booth::centre_sim::Fault::Down);
    let mut secrets: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..3 {
        let resident = rig.resident(i);
        let e = common::enrollment(&resident, i as u64 + 1, rig.clock.now());
        secrets.push(("face".into(), e.face.image.bytes.clone()));
        for f in &e.fingers {
            if let FingerRecord::Captured(c) = f {
                secrets.push((format!("finger {:?}", c.position), c.image.pixels.clone()));
            }
        }
        for r in &e.irises {
            if let IrisRecord::Captured(c) = r {
                secrets.push((format!("iris {:?}", c.eye), c.image.pixels.clone()));
            }
        }
        secrets.push(("signature".into(), e.signature.image.bytes.clone()));
        secrets.push(("name".into(), resident.name.clone().into_bytes()));
        secrets.push(("nik".into(), resident.nik.as_str().as_bytes().to_vec()));
        secrets.push(("address".into(), resident.address.clone().into_bytes()));
        rig.booth.record(e, None).await.unwrap();
    }
    let db = std::fs::read(rig.dir.path().join("queue.db")).unwrap();
    let wal = std::fs::read(rig.dir.path().join("queue.db-wal")).unwrap();
    // Three field-profile packets of about 120 KB each.
    assert!(
        wal.len() > 300_000,
        "the records are in the WAL, not yet checkpointed"
    );
    assert_eq!(
        leaks(&db, &secrets),
        Vec::<&str>::new(),
        "found in clear in queue.db"
    );
    assert_eq!(
        leaks(&wal, &secrets),
        Vec::<&str>::new(),
        "found in clear in queue.db-wal"
    );
    // The scan itself works: a clear copy would have been found.
    let mut planted = wal.clone();
    planted.extend_from_slice(&secrets[1].1);
    planted.extend_from_slice(&secrets[secrets.len() - 2].1);
    assert_eq!(leaks(&planted, &secrets).len(), 2);
}

/// docs/packet.md, held to the code: the envelope's and the body's CBOR keys and types, and a
/// BIR's header.
#[test]
fn the_envelope_and_body_have_the_documented_layout() {
    use ciborium::value::Value;
    fn keys(v: &Value) -> Vec<String> {
        v.as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_text().unwrap().to_string())
            .collect()
    }
    fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
        &v.as_map()
            .unwrap()
            .iter()
            .find(|(k, _)| k.as_text() == Some(key))
            .unwrap()
            .1
    }
    let resident = population().remove(3);
    let e = common::enrollment(&resident, 10, common::start_time());
    let centre = CentreSecretKey::generate();
    let booth = BoothKey::generate();
    let body = e.to_packet_body(Profile::Field).unwrap();
    let packet = seal::seal_body(&body, &centre.public(), &booth).unwrap();

    let env: Value = ciborium::from_reader(packet.to_cbor().unwrap().as_slice()).unwrap();
    assert_eq!(
        keys(&env),
        [
            "version",
            "packet_id",
            "booth_id",
            "booth_key",
            "encapped_key",
            "ciphertext",
            "signature"
        ]
    );
    assert_eq!(get(&env, "version"), &Value::Integer(2.into()));
    assert_eq!(get(&env, "packet_id").as_bytes().unwrap().len(), 16);
    assert_eq!(get(&env, "booth_key").as_bytes().unwrap().len(), 32);
    assert_eq!(get(&env, "encapped_key").as_bytes().unwrap().len(), 32);
    assert_eq!(get(&env, "signature").as_bytes().unwrap().len(), 64);
    let mut plain = Vec::new();
    ciborium::into_writer(&body, &mut plain).unwrap();
    assert_eq!(
        get(&env, "ciphertext").as_bytes().unwrap().len(),
        plain.len() + 16
    );

    let b: Value = ciborium::from_reader(plain.as_slice()).unwrap();
    assert_eq!(
        keys(&b),
        [
            "version",
            "packet_id",
            "booth_id",
            "operator_id",
            "recorded_at_ms",
            "resident",
            "profile",
            "biometrics",
            "signature",
            "step_timings",
            "approvals"
        ]
    );
    assert_eq!(get(&b, "profile").as_text(), Some("field"));
    let birs = get(&b, "biometrics").as_array().unwrap();
    assert_eq!(birs.len(), 13);
    assert_eq!(keys(&birs[1]), ["header", "bdb"]);
    let h = get(&birs[1], "header");
    assert_eq!(
        keys(h),
        [
            "version",
            "biometric_type",
            "subtype",
            "format_owner",
            "format_type",
            "quality",
            "purpose",
            "processed_level",
            "created_ms",
            "exception"
        ]
    );
    assert_eq!(
        get(h, "subtype"),
        &Value::Integer(0x05.into()),
        "right thumb"
    );
    assert_eq!(get(h, "exception"), &Value::Null);
    assert_eq!(&get(&birs[1], "bdb").as_bytes().unwrap()[..4], b"FIR\0");
}

/// An independent reader: every JPEG 2000 codestream of one sealed packet, as the centre
/// receives it, decoded by OpenJPEG's own `opj_decompress` (`.ci/deps test` installs
/// libopenjp2-tools; under CI a missing tool fails the test).
#[test]
fn opj_decompress_reads_the_codestreams_of_a_sealed_packet() {
    use ktpel_biometric_records::{FaceImageRecord, IrisImageRecord, Modality};
    use std::process::Command;
    if Command::new("opj_decompress").arg("-h").output().is_err() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "opj_decompress is missing under CI"
        );
        eprintln!("skipping: opj_decompress not installed (libopenjp2-tools)");
        return;
    }
    let resident = population().remove(4);
    let e = common::enrollment(&resident, 11, common::start_time());
    let centre = CentreSecretKey::generate();
    let booth = BoothKey::generate();
    let cbor = seal::seal(&e, Profile::Field, &centre.public(), &booth)
        .unwrap()
        .to_cbor()
        .unwrap();
    let body = SealedPacket::from_cbor(&cbor)
        .unwrap()
        .open_body(&centre)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut decoded = 0;
    for (i, bir) in body.biometrics.iter().enumerate() {
        let Some(bdb) = &bir.bdb else { continue };
        let (codestream, w, h, ours, channels) = match bir.check().unwrap() {
            Modality::Finger => {
                let r = FingerImageRecord::parse(bdb).unwrap();
                let g = r.to_gray().unwrap();
                (r.image, g.width, g.height, g.pixels, 1)
            }
            Modality::Iris => {
                let r = IrisImageRecord::parse(bdb).unwrap();
                let g = r.to_gray().unwrap();
                (r.image, g.width, g.height, g.pixels, 1)
            }
            Modality::Face => {
                let r = FaceImageRecord::parse(bdb).unwrap();
                let rgb = r.to_rgb().unwrap();
                (r.image, u32::from(r.width), u32::from(r.height), rgb, 3)
            }
        };
        let input = dir.path().join(format!("{i}.j2k"));
        let output = dir
            .path()
            .join(format!("{i}.{}", if channels == 1 { "pgm" } else { "ppm" }));
        std::fs::write(&input, &codestream).unwrap();
        let run = Command::new("opj_decompress")
            .arg("-i")
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        assert!(run.status.success(), "opj_decompress failed on BIR {i}");
        let pnm = std::fs::read(&output).unwrap();
        let (magic, pw, ph, theirs) = parse_pnm(&pnm);
        assert_eq!(
            magic,
            if channels == 1 { *b"P5" } else { *b"P6" },
            "BIR {i}"
        );
        assert_eq!((pw, ph), (w, h), "BIR {i}");
        let theirs = theirs.as_slice();
        assert_eq!(theirs.len(), ours.len(), "BIR {i}");
        assert!(
            theirs.iter().zip(&ours).all(|(a, b)| a.abs_diff(*b) <= 1),
            "BIR {i}: opj_decompress and the centre disagree"
        );
        decoded += 1;
    }
    assert_eq!(decoded, 13, "face, ten fingers and two irises");
}

/// A binary PGM or PPM with maxval 255 (comments allowed, as opj_decompress writes one):
/// magic, width, height, samples.
fn parse_pnm(b: &[u8]) -> ([u8; 2], u32, u32, Vec<u8>) {
    let mut fields = Vec::new();
    let mut at = 2;
    while fields.len() < 3 {
        if b[at].is_ascii_whitespace() {
            at += 1;
        } else if b[at] == b'#' {
            while b[at] != b'\n' {
                at += 1;
            }
        } else {
            let start = at;
            while b[at].is_ascii_digit() {
                at += 1;
            }
            let text = std::str::from_utf8(&b[start..at]).unwrap();
            fields.push(text.parse::<u32>().unwrap());
        }
    }
    assert_eq!(fields[2], 255);
    ([b[0], b[1]], fields[0], fields[1], b[at + 1..].to_vec())
}
