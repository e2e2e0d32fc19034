//! Backlog by hand-carry (docs/packet.md, section 8): the booth writes its unsent packets to a
//! drive, the centre imports them, and when the link returns the transmitter sends only what
//! the centre does not hold. A copy cut short or altered on the drive, and a foreign folder or
//! packet, are refused with their reasons. The real transmitter against the centre simulator
//! over loopback, on a manual clock; the command line as a technician runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::run;
use common::{emulator, enrollment, rig, rig_on, start_time, Rig};
use jiff::Timestamp;
use ktpel_booth::booth::export::write_folder;
use ktpel_booth::booth::transmit::{TransmitStatus, TransmitterHandle};
use ktpel_booth::centre_sim::import::{ImportError, Outcome};
use ktpel_booth::centre_sim::{CentreSimConfig, Fault};
use ktpel_booth::queue::State;
use ktpel_booth::seal::BoothKey;
use ktpel_booth::wire::handcarry::{self, FolderError, MANIFEST_FILE, PACKETS_DIR};
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;

async fn step(rig: &Rig, tx: &TransmitterHandle, by: Duration) -> TransmitStatus {
    rig.hand.advance(by);
    let at: Timestamp = rig.clock.now();
    tokio::time::timeout(Duration::from_secs(120), tx.pass_after(at))
        .await
        .expect("the transmitter finished a pass")
}

fn packet_file(folder: &Path, id: Uuid) -> std::path::PathBuf {
    folder.join(PACKETS_DIR).join(handcarry::file_name(id))
}

/// Cuts the file short, as a drive pulled out too early leaves it.
fn truncate(path: &Path) -> u64 {
    let len = std::fs::metadata(path).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(len / 2).unwrap();
    len
}

/// Flips one byte in the middle of the file.
fn alter(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(path, bytes).unwrap();
}

fn outcome_of(f: &ktpel_booth::centre_sim::import::FolderReport, id: Uuid) -> Outcome {
    f.packets
        .iter()
        .find(|p| p.packet_id == Some(id))
        .map(|p| p.outcome.clone())
        .expect("the packet is in the report")
}

fn refusal_code(o: &Outcome) -> &str {
    match o {
        Outcome::Refused { code, .. } => code,
        _ => "",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_packets_imported_at_the_centre_are_not_uploaded_when_the_link_returns() {
    let rig = rig(Duration::from_secs(20)).await;
    let a = rig.record(0).await.packet_id;
    let b = rig.record(1).await.packet_id;
    let usb = tempfile::tempdir().unwrap();
    let report = rig.booth.export_backlog(usb.path()).await.unwrap();
    assert_eq!((report.verified, report.marked), (2, 2));
    let folder = report.folder.clone().unwrap();
    let name = folder.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("ktpel-3273-01-"), "{name}");
    // Marked, not moved: still waiting for the centre, the sealed packets still held.
    for id in [a, b] {
        let row = rig.booth.queue.get(id).await.unwrap().unwrap();
        assert_eq!(row.state, State::Recorded);
        assert!(row.holds_sealed_captures);
        let mark = rig
            .booth
            .queue
            .call(move |s| s.export_mark(id))
            .await
            .unwrap()
            .expect("marked exported");
        assert_eq!(mark.1, name);
    }
    assert!(rig.booth.queue.verify_audit().await.unwrap().ok());
    // Recorded after the export: only the link can carry this one.
    let c = rig.record(2).await.packet_id;

    let imported = rig.centre.import(usb.path()).await.unwrap();
    assert_eq!(imported.folders.len(), 1);
    let f = imported.folders[0].1.as_ref().unwrap();
    assert_eq!((f.ingested(), f.already_held(), f.refused()), (2, 0, 0));
    assert_eq!(f.booth_id, "3273-01");
    assert_eq!(rig.centre.enrollments(), 2);
    // The same drive again: each packet is taken once, by its id.
    let again = rig.centre.import(&folder).await.unwrap();
    let f = again.folders[0].1.as_ref().unwrap();
    assert_eq!((f.ingested(), f.already_held(), f.refused()), (0, 2, 0));
    assert_eq!(rig.centre.enrollments(), 2);

    // The link returns.
    let ingests_before = rig.centre.packets_received();
    let tx = rig.booth.transmitter().spawn();
    let s = step(&rig, &tx, Duration::ZERO).await;
    assert_eq!(
        s.already_held, 2,
        "the carried packets are confirmed as held"
    );
    assert_eq!(
        s.sent, 1,
        "only the packet recorded after the export is uploaded"
    );
    assert_eq!(
        rig.centre.packets_received() - ingests_before,
        1,
        "a carried packet went up again"
    );
    assert_eq!(rig.centre.upload_of(a).unwrap(), None);
    assert_eq!(rig.centre.upload_of(b).unwrap(), None);
    assert!(rig.centre.upload_of(c).unwrap().is_some());
    assert_eq!(rig.centre.enrollments(), 3);
    for id in [a, b, c] {
        let row = rig.booth.queue.get(id).await.unwrap().unwrap();
        assert_eq!(row.state, State::Received);
        assert!(
            !row.holds_sealed_captures,
            "purged once the centre confirmed"
        );
    }
    // And on to the verdicts, as for any packet.
    step(&rig, &tx, Duration::from_secs(60)).await;
    let s = step(&rig, &tx, Duration::from_secs(60)).await;
    assert_eq!(s.verdicts, 3);
    assert!(rig.booth.queue.verify_audit().await.unwrap().ok());
    // Nothing unsent is left to export.
    let empty = tempfile::tempdir().unwrap();
    let none = rig.booth.export_backlog(empty.path()).await.unwrap();
    assert_eq!((none.folder, none.verified), (None, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_cut_short_or_altered_on_the_drive_is_refused_with_its_reason_and_sent_online() {
    let rig = rig(Duration::from_secs(20)).await;
    let a = rig.record(0).await.packet_id;
    let b = rig.record(1).await.packet_id;
    let c = rig.record(2).await.packet_id;
    let usb = tempfile::tempdir().unwrap();
    let folder = rig
        .booth
        .export_backlog(usb.path())
        .await
        .unwrap()
        .folder
        .unwrap();
    let size = truncate(&packet_file(&folder, a));
    alter(&packet_file(&folder, b));

    let imported = rig.centre.import(&folder).await.unwrap();
    let f = imported.folders[0].1.as_ref().unwrap();
    assert_eq!((f.ingested(), f.refused()), (1, 2));
    match outcome_of(f, a) {
        Outcome::Refused { code, reason } => {
            assert_eq!(code, "truncated");
            assert_eq!(reason, format!("truncated: {} of {size} bytes", size / 2));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(refusal_code(&outcome_of(f, b)), "altered");
    assert_eq!(outcome_of(f, c), Outcome::Ingested);
    assert!(!imported.all_taken());
    assert_eq!(rig.centre.enrollments(), 1);

    // The refused ones still wait at the booth and go up when the link returns.
    let ingests_before = rig.centre.packets_received();
    let tx = rig.booth.transmitter().spawn();
    let s = step(&rig, &tx, Duration::ZERO).await;
    assert_eq!((s.already_held, s.sent), (1, 2));
    assert_eq!(rig.centre.packets_received() - ingests_before, 2);
    assert_eq!(rig.centre.enrollments(), 3);
    assert!(rig.booth.queue.verify_audit().await.unwrap().ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_folder_a_foreign_packet_and_an_altered_manifest_are_refused() {
    let rig = rig(Duration::from_secs(20)).await;
    rig.record(0).await;
    rig.record(1).await;
    let usb = tempfile::tempdir().unwrap();
    let folder = rig
        .booth
        .export_backlog(usb.path())
        .await
        .unwrap()
        .folder
        .unwrap();
    // The centre learns the booth's key from its first packets.
    let first = rig.centre.import(&folder).await.unwrap();
    assert!(first.all_taken());
    let envelopes = rig.booth.queue.call(|s| s.exportable()).await.unwrap();
    assert_eq!(envelopes.len(), 2);
    let impostor = BoothKey::generate();

    // A folder that says it is this booth's, signed by another key: refused whole.
    let other = tempfile::tempdir().unwrap();
    let forged =
        write_folder(other.path(), "3273-01", &impostor, &envelopes, start_time()).unwrap();
    let r = rig.centre.import(&forged).await.unwrap();
    assert_eq!(
        r.folders[0].1.as_ref().unwrap_err(),
        &ImportError::ForeignBooth("3273-01".into())
    );

    // Another booth's folder carrying this booth's packets: each packet refused as foreign.
    let foreign =
        write_folder(other.path(), "3273-09", &impostor, &envelopes, start_time()).unwrap();
    let r = rig.centre.import(&foreign).await.unwrap();
    let f = r.folders[0].1.as_ref().unwrap();
    assert_eq!(f.refused(), 2);
    for p in &f.packets {
        assert_eq!(refusal_code(&p.outcome), "foreign", "{p:?}");
    }

    // The booth's own manifest altered on the drive: its signature no longer verifies.
    let manifest = folder.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replacen("\"size\": ", "\"size\": 1", 1)).unwrap();
    let r = rig.centre.import(&folder).await.unwrap();
    assert_eq!(
        r.folders[0].1.as_ref().unwrap_err(),
        &ImportError::Folder(FolderError::BadSignature)
    );
    assert_eq!(rig.centre.enrollments(), 2);
}

/// `ktpel-booth export --to` on the booth, `ktpel-booth central-sim import` at the centre (on
/// the centre's own store), then the link: nothing goes up twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_exports_and_imports_and_the_link_sends_nothing_twice() {
    let office = tempfile::tempdir().unwrap();
    let state = office.path().join("centre");
    let centre = CentreSimConfig {
        state_dir: Some(state.clone()),
        ..CentreSimConfig::default()
    };
    let rig = rig_on(centre, |_| {}).await;
    for i in 0..2 {
        rig.record(i).await;
    }
    let data_dir = rig.dir.path().to_str().unwrap().to_string();
    let usb = tempfile::tempdir().unwrap();
    let usb_path = usb.path().to_str().unwrap().to_string();

    // A drive that is not mounted is not written to.
    let missing = usb.path().join("not-mounted");
    let (code, _, err) = run(&[
        "--data-dir",
        &data_dir,
        "export",
        "--to",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("is the drive mounted?"), "{err}");

    let (code, out, err) = run(&["--data-dir", &data_dir, "export", "--to", &usb_path]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("2 packets") && out.contains("read back whole"),
        "{out}"
    );
    // `queue show` tells the technician where a packet went.
    let folder_name = handcarry::folders_in(usb.path()).unwrap()[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let first_id = rig.booth.queue.list().await.unwrap()[0]
        .packet_id
        .to_string();
    let (code, out, _) = run(&["--data-dir", &data_dir, "queue", "show", &first_id]);
    assert_eq!(code, Some(0));
    let line = out
        .lines()
        .find(|l| l.starts_with("exported"))
        .unwrap_or("");
    assert!(line.ends_with(&format!(" to {folder_name}")), "{out}");

    let state_dir = state.to_str().unwrap().to_string();
    let (code, out, err) = run(&[
        "central-sim",
        "--state-dir",
        &state_dir,
        "import",
        &usb_path,
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("2 ingested, 0 already held, 0 refused"),
        "{out}"
    );
    assert_eq!(rig.centre.enrollments(), 2, "the centre's store holds them");

    // A copy cut short on the drive: named, with its reason, and a failing exit.
    let folder = handcarry::folders_in(usb.path()).unwrap().remove(0);
    let first = std::fs::read_dir(folder.join(PACKETS_DIR))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    truncate(&first.path());
    let (code, out, _) = run(&[
        "central-sim",
        "--state-dir",
        &state_dir,
        "import",
        &usb_path,
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("0 ingested, 1 already held, 1 refused") && out.contains("(truncated)"),
        "{out}"
    );
    // Without a store to add to, import refuses to run.
    let (code, _, err) = run(&["central-sim", "import", &usb_path]);
    assert_eq!(code, Some(1));
    assert!(err.contains("--state-dir"), "{err}");

    let ingests_before = rig.centre.packets_received();
    let tx = rig.booth.transmitter().spawn();
    let s = step(&rig, &tx, Duration::ZERO).await;
    assert_eq!((s.already_held, s.sent), (2, 0));
    assert_eq!(rig.centre.packets_received(), ingests_before);
    assert!(rig.booth.queue.verify_audit().await.unwrap().ok());
}

/// The supervisor, in the kiosk's supervisor area, exports the backlog to a USB drive plugged
/// in while the area is open; the real update loop, the real booth, a folder on the "drive".
#[test]
fn the_supervisor_exports_the_backlog_to_a_usb_drive_from_the_kiosk() {
    let office = common::Office::open();
    let media = tempfile::tempdir().unwrap();
    let mut config = office.config();
    config.export.removable_roots = vec![media.path().to_path_buf()];
    office.centre.set_fault(Fault::Down);
    let mut k = emulator::boot(config, office.clock.clone());
    // Two applicants recorded while the link is down, through the booth's own recording path.
    let running = k.running();
    let mut ids = Vec::new();
    for i in 0..2 {
        let e = enrollment(
            &office.centre.population()[i],
            i as u64 + 1,
            office.clock.now(),
        );
        ids.push(
            office
                .rt
                .block_on(running.booth().record(e, None))
                .unwrap()
                .packet_id,
        );
    }
    k.drive(&["type \"975310\"", "type enter"]);
    k.wait_for_text("Area supervisor", Duration::from_secs(10));
    k.drive(&["click \"Area supervisor\""]);
    k.wait_for_text("Tidak ada flashdisk terpasang.", Duration::from_secs(10));
    // The drive is plugged in and mounted; the supervisor looks for it.
    let drive = media.path().join("petugas").join("KTPEL-USB");
    std::fs::create_dir_all(&drive).unwrap();
    k.drive(&["click \"Periksa flashdisk\""]);
    k.wait_for_text(
        &format!("Flashdisk: {}", drive.display()),
        Duration::from_secs(10),
    );
    k.drive(&["click \"Ekspor ke flashdisk\""]);
    let name = "ktpel-3273-01-20261125T020000Z";
    k.wait_for_text(
        &format!("2 paket ditulis dan diperiksa ulang di {name}."),
        Duration::from_secs(60),
    );
    // On the drive: the signed folder, whole.
    let folder = handcarry::open(&drive.join(name)).unwrap();
    assert!(folder.problems().unwrap().is_empty());
    let listed: Vec<Uuid> = folder
        .manifest
        .packets
        .iter()
        .map(|e| e.packet_id)
        .collect();
    assert_eq!(listed, ids);
    // In the queue: marked, still waiting for the centre.
    for id in ids {
        let row = office
            .rt
            .block_on(running.queue().get(id))
            .unwrap()
            .unwrap();
        assert!(row.state.unsent() && row.holds_sealed_captures);
        let mark = office
            .rt
            .block_on(running.queue().call(move |s| s.export_mark(id)))
            .unwrap();
        assert_eq!(mark.map(|m| m.1).as_deref(), Some(name));
    }
}
