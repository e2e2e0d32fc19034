//! Sealing: only the centre can open a packet, tampering is caught, and the booth's SQLite files
//! hold no capture, name or NIK in clear.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

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
    let packet = seal::seal(&e, &centre.public(), &booth).unwrap();
    let cbor = packet.to_cbor().unwrap();
    let opened = SealedPacket::from_cbor(&cbor)
        .unwrap()
        .open(&centre)
        .unwrap();
    assert!(
        opened == e,
        "the centre reads back exactly what was recorded"
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
    assert!(
        wal.len() > 1_000_000,
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
