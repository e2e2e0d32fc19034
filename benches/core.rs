//! Booth core figures (`cargo bench --bench core`, release build):
//!
//! 1. seal-and-commit of one full enrollment against a bare rusqlite insert of the same number
//!    of bytes into a table in the same mode (WAL, synchronous=FULL), as a ratio;
//! 2. the rate at which a backlog drains to the centre simulator on loopback;
//! 3. the kiosk's camera preview pipeline (its own thread, a one-frame slot the newest frame overwrites, the live
//!    framing check on every third frame) while that backlog drains: frames per second the UI
//!    receives, which must stay at or above 25.
//!
//! Under `cargo test` (no `--bench` argument) it runs a small smoke version so the code stays
//! working without slowing the test run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
mod common;

use ktpel_biometric_records::Profile;
use ktpel_booth::centre_sim::{CentreSim, CentreSimConfig};
use ktpel_booth::clock::{add, Clock};
use ktpel_booth::queue::{ApplicantSummary, NewRecord, Store};
use ktpel_booth::seal::{self, BoothKey, CentreSecretKey, LocalKey};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn seal_and_commit(rounds: usize) {
    let resident = ktpel_booth::domain::population::generate(
        1,
        1,
        ktpel_booth::clock::wib_date(jiff::Timestamp::now()),
    )
    .remove(0);
    let template = common::enrollment(&resident, 1, jiff::Timestamp::now());
    let centre = CentreSecretKey::generate().public();
    let booth = BoothKey::generate();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(
        &dir.path().join("q.db"),
        LocalKey::from_bytes(&[1; 32]).unwrap(),
        1,
    )
    .unwrap();
    let mut sealed_ms = Vec::new();
    let mut envelope_len = 0;
    for _ in 0..rounds {
        let mut e = template.clone();
        e.packet_id = Uuid::now_v7();
        let t = Instant::now();
        let envelope = seal::seal(&e, Profile::Field, &centre, &booth)
            .unwrap()
            .to_cbor()
            .unwrap();
        envelope_len = envelope.len();
        let now = jiff::Timestamp::now();
        store
            .commit(NewRecord {
                packet_id: e.packet_id,
                envelope,
                summary: ApplicantSummary {
                    name: resident.name.clone(),
                    nik: resident.nik.to_string(),
                },
                recorded_at: now,
                deadline_at: add(now, Duration::from_secs(3600)),
                approvals: Vec::new(),
                facts: Default::default(),
                awaiting_review: false,
            })
            .unwrap();
        sealed_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // The baseline: the same bytes, one bare INSERT per transaction, same pragmas.
    let conn = rusqlite::Connection::open(dir.path().join("bare.db")).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)")
        .unwrap();
    let blob = vec![0x5Au8; envelope_len];
    let mut bare_ms = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        conn.execute("INSERT INTO t (b) VALUES (?1)", [&blob])
            .unwrap();
        bare_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (s, b) = (median(sealed_ms), median(bare_ms));
    println!(
        "seal+commit of one enrollment ({:.2} MB captures, {:.2} MB sealed): median {s:.2} ms \
         over {rounds} rounds; bare insert of the same bytes: {b:.2} ms; ratio {:.2}",
        template.capture_bytes() as f64 / 1e6,
        envelope_len as f64 / 1e6,
        s / b
    );
}

fn drain(packets: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let centre = CentreSim::start(CentreSimConfig {
            verdict_delay: Duration::from_secs(3600),
            // The centre's own work (chip profiles with minutiae) would run on the same two
            // cores as the booth; this measures the booth's side of the drain.
            prepare_bundles: false,
            ..CentreSimConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut config = common::config_for(&centre, dir.path());
        config.transmit.request_timeout_secs = 30;
        let (booth, _) =
            ktpel_booth::embedded::start(config, dir.path().to_path_buf(), Clock::System)
                .await
                .unwrap();
        let residents = centre.population().to_vec();
        let template = common::enrollment(&residents[0], 1, jiff::Timestamp::now());
        let fill = Instant::now();
        for i in 0..packets {
            let mut e = template.clone();
            e.packet_id = Uuid::now_v7();
            e.resident = residents[i % residents.len()].clone();
            booth.record(e, None).await.unwrap();
        }
        let fill_s = fill.elapsed().as_secs_f64();
        // The recording screen's preview, as the kiosk subscribes to it.
        let devices = ktpel_booth::booth::devices::DeviceSet::spawn(
            ktpel_booth::booth::devices::Devices::simulated(7),
        );
        let feed = ktpel_booth::kiosk::preview::Feed {
            camera: devices.camera.clone(),
            scan_qr: false,
            assess_face: true,
        };
        let frames = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let checks = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let preview = {
            let (frames, checks) = (frames.clone(), checks.clone());
            tokio::spawn(async move {
                use iced::futures::StreamExt;
                let mut stream = std::pin::pin!(ktpel_booth::kiosk::preview::stream(&feed));
                while let Some(e) = stream.next().await {
                    match e {
                        ktpel_booth::kiosk::preview::Event::Frame(_) => {
                            frames.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        ktpel_booth::kiosk::preview::Event::Face(_) => {
                            checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        _ => {}
                    }
                }
            })
        };
        let t = Instant::now();
        let tx = booth.transmitter().spawn();
        let mut status = tx.status();
        loop {
            if status.borrow_and_update().sent as usize >= packets {
                break;
            }
            if status.changed().await.is_err() {
                break;
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let shown = frames.load(std::sync::atomic::Ordering::Relaxed);
        let judged = checks.load(std::sync::atomic::Ordering::Relaxed);
        preview.abort();
        println!(
            "camera preview during the drain: {:.1} frames/s reached the UI, {:.1} framing \
             checks/s (goal: at least 25 frames/s)",
            shown as f64 / secs,
            judged as f64 / secs
        );
        let sent = status.borrow().sent;
        assert_eq!(centre.enrollments() as usize, packets);
        println!(
            "backlog drain: {sent} packets of {:.2} MB to the loopback centre in {secs:.2} s = \
             {:.1} packets/s ({:.1} MB/s); filling the backlog took {fill_s:.2} s",
            template.capture_bytes() as f64 / 1e6,
            sent as f64 / secs,
            sent as f64 * template.capture_bytes() as f64 / 1e6 / secs
        );
    });
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let packets = std::env::var("KTPEL_BENCH_PACKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    if full {
        seal_and_commit(30);
        drain(packets);
    } else {
        seal_and_commit(2);
        drain(4);
    }
}
