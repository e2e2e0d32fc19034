//! The booth's keys in a TPM 2.0 (a software TPM, swtpm, started by each test): the signing
//! key made inside it signs packets and hand-carry manifests the centre accepts and pins; the
//! local storage key is sealed by it and never on disk in clear; the keys come back after a
//! restart, do not open on another TPM, and `key_store = "tpm"` without a TPM refuses to start.
//! Under `CI=true` a missing swtpm is a failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

#[path = "../drivers/tpm/tests/swtpm/mod.rs"]
mod swtpm;

use common::run;
use common::{config_for, enrollment, start_time};
use ktpel_booth::booth::doctor;
use ktpel_booth::booth::keys::KeyPlace;
use ktpel_booth::booth::transmit::TransmitterHandle;
use ktpel_booth::booth::{Booth, LOCAL_TPM_KEY_FILE};
use ktpel_booth::centre_sim::{CentreSim, CentreSimConfig};
use ktpel_booth::clock::{Clock, ManualClock};
use ktpel_booth::config::{Config, KeyStore};
use ktpel_booth::seal::{KeyAlgorithm, SealedPacket};
use ktpel_booth::wire::handcarry::{self, MANIFEST_FILE};
use ktpel_tpm::{KeyBlob, Tpm};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use swtpm::Swtpm;

fn tpm_config(centre: &CentreSim, data_dir: &Path, tcti: &str) -> Config {
    let mut config = config_for(centre, data_dir);
    config.booth.key_store = KeyStore::Tpm;
    config.booth.tpm_tcti = tcti.to_string();
    config
}

async fn start(config: Config, data_dir: &Path, clock: &Clock) -> Booth {
    ktpel_booth::embedded::start(config, data_dir.to_path_buf(), clock.clone())
        .await
        .unwrap()
        .0
}

async fn record(booth: &Booth, centre: &CentreSim, clock: &Clock, i: usize) -> uuid::Uuid {
    let e = enrollment(&centre.population()[i], i as u64 + 1, clock.now());
    booth.record(e, None).await.unwrap().packet_id
}

async fn pass(tx: &TransmitterHandle, hand: &Arc<ManualClock>, clock: &Clock) -> (u64, u64) {
    hand.advance(Duration::from_secs(1));
    let s = tokio::time::timeout(Duration::from_secs(120), tx.pass_after(clock.now()))
        .await
        .expect("the transmitter finished a pass");
    (s.sent, s.already_held)
}

/// Every file under `dir`, read whole.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p, bytes));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booth_with_its_keys_in_the_tpm_is_accepted_and_pinned_by_the_centre() {
    let office = tempfile::tempdir().unwrap();
    let Some(sw) = Swtpm::start(&office.path().join("tpm")) else {
        return;
    };
    let (clock, hand) = Clock::manual(start_time());
    let state = office.path().join("centre");
    let centre = CentreSim::start(CentreSimConfig {
        clock: clock.clone(),
        state_dir: Some(state.clone()),
        ..CentreSimConfig::default()
    })
    .await
    .unwrap();
    let dir = office.path().join("booth");
    let config = tpm_config(&centre, &dir, &sw.tcti());
    let booth = start(config.clone(), &dir, &clock).await;
    assert_eq!(
        booth.key_place(),
        &KeyPlace::Tpm {
            tcti: sw.tcti().clone()
        }
    );
    let public = booth.booth_public_key();
    assert_eq!((public.len(), public[0]), (65, 4), "a SEC1 P-256 point");
    assert!(
        !dir.join(ktpel_booth::booth::BOOTH_KEY_FILE).exists(),
        "no key file beside the TPM"
    );

    let a = record(&booth, &centre, &clock, 0).await;
    let b = record(&booth, &centre, &clock, 1).await;
    let row = booth.queue.call(move |s| s.exportable()).await.unwrap();
    let sealed = SealedPacket::from_cbor(&row[0].1).unwrap();
    assert_eq!(sealed.key_algorithm, KeyAlgorithm::EcdsaP256);
    assert_eq!(sealed.booth_key, public);
    sealed.verify_signature().unwrap();
    // The algorithm is part of what is signed: an envelope passed off as Ed25519 fails.
    let mut relabelled = sealed.clone();
    relabelled.key_algorithm = KeyAlgorithm::Ed25519;
    assert!(relabelled.verify_signature().is_err());

    // The local storage key: sealed by the TPM, its 32 bytes in no file of the data dir.
    let blob = KeyBlob::from_bytes(&std::fs::read(dir.join(LOCAL_TPM_KEY_FILE)).unwrap()).unwrap();
    let local = Tpm::open(&sw.tcti()).unwrap().unseal(&blob).unwrap();
    assert_eq!(local.len(), 32);
    for (path, bytes) in files_under(&dir) {
        assert!(
            !bytes.windows(32).any(|w| w == local.as_slice()),
            "the local key is in clear in {}",
            path.display()
        );
    }

    // Hand-carry: `export` on the command line signs the manifest in the TPM, and
    // `central-sim import` verifies it, learns the booth's key and pins it.
    let config_file = office.path().join("booth.toml");
    let text = std::fs::read_to_string("config/booth.toml")
        .unwrap()
        .replace(
            "data_dir = \"\"",
            &format!("data_dir = \"{}\"", dir.display()),
        )
        .replace("key_store = \"auto\"", "key_store = \"tpm\"")
        .replace(
            "tpm_tcti = \"device:/dev/tpmrm0\"",
            &format!("tpm_tcti = \"{}\"", sw.tcti()),
        );
    assert!(text.contains("key_store = \"tpm\"") && text.contains(&sw.tcti()));
    std::fs::write(&config_file, text).unwrap();
    let usb = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&[
        "--config",
        config_file.to_str().unwrap(),
        "export",
        "--to",
        usb.path().to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    let folder = handcarry::folders_in(usb.path()).unwrap().remove(0);
    let manifest = std::fs::read_to_string(folder.join(MANIFEST_FILE)).unwrap();
    assert!(
        manifest.contains("\"key_algorithm\": \"ecdsa-p256\""),
        "{manifest}"
    );
    assert_eq!(centre.pinned_booth_key("3273-01").unwrap(), None);
    let (code, out, err) = run(&[
        "central-sim",
        "--state-dir",
        state.to_str().unwrap(),
        "import",
        usb.path().to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("2 ingested, 0 already held, 0 refused"),
        "{out}"
    );
    assert_eq!(
        centre.pinned_booth_key("3273-01").unwrap(),
        Some(public.clone())
    );

    // A manifest altered after signing is refused.
    let altered = manifest.replacen("\"booth_id\": \"3273-01\"", "\"booth_id\": \"3273-02\"", 1);
    std::fs::write(folder.join(MANIFEST_FILE), altered).unwrap();
    assert!(matches!(
        handcarry::open(&folder),
        Err(handcarry::FolderError::BadSignature)
    ));

    // The link: the carried packets are held, the next one goes up under the pinned key.
    let c = record(&booth, &centre, &clock, 2).await;
    let tx = booth.transmitter().spawn();
    assert_eq!(pass(&tx, &hand, &clock).await, (1, 2));
    assert!(centre.upload_of(c).unwrap().is_some());
    for id in [a, b] {
        assert_eq!(centre.upload_of(id).unwrap(), None);
    }
    drop(tx);
    drop(booth);

    // Restarted: the same key from the TPM, the same local key (the queue reads), and the centre
    // still takes its packets.
    let config_again = config.clone();
    let booth = start(config, &dir, &clock).await;
    assert_eq!(booth.booth_public_key(), public);
    assert_eq!(booth.queue.list().await.unwrap().len(), 3);
    // The NIK's keyed tag is made under the local key: the same key finds the applicant again.
    let nik = centre.population()[0].nik.to_string();
    let found = booth
        .queue
        .call(move |s| s.find_by_nik(&nik))
        .await
        .unwrap();
    assert_eq!(
        found.len(),
        1,
        "the local key is the one the queue was written with"
    );
    let d = record(&booth, &centre, &clock, 3).await;
    let tx = booth.transmitter().spawn();
    assert_eq!(pass(&tx, &hand, &clock).await.0, 1);
    assert!(centre.upload_of(d).unwrap().is_some());
    assert_eq!(centre.pinned_booth_key("3273-01").unwrap(), Some(public));

    // `doctor` (beside the running kiosk): the keys are in the TPM and open there; a key blob
    // others can read fails, with the fix.
    let keys_line = |config: Config, dir: std::path::PathBuf| {
        let probes = doctor::Probes {
            devices: false,
            ..doctor::Probes::default()
        };
        doctor::run(&config, &dir, &probes)
            .lines
            .into_iter()
            .find(|l| l.check == "keys")
            .unwrap()
    };
    let (c, d) = (config_again.clone(), dir.clone());
    let line = tokio::task::spawn_blocking(move || keys_line(c, d))
        .await
        .unwrap();
    assert_eq!(line.status, doctor::Status::Ok, "{line:?}");
    assert!(
        line.found.starts_with("in the TPM (ECDSA P-256"),
        "{line:?}"
    );
    let blob = dir.join(LOCAL_TPM_KEY_FILE);
    std::fs::set_permissions(&blob, std::fs::Permissions::from_mode(0o644)).unwrap();
    let line = tokio::task::spawn_blocking(move || keys_line(config_again, dir))
        .await
        .unwrap();
    assert_eq!(line.status, doctor::Status::Fail, "{line:?}");
    assert!(line.found.contains("mode 0644"), "{line:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tpm_keys_do_not_open_on_another_tpm_and_key_store_tpm_needs_one() {
    let office = tempfile::tempdir().unwrap();
    let Some(first) = Swtpm::start(&office.path().join("tpm-a")) else {
        return;
    };
    let (clock, _hand) = Clock::manual(start_time());
    let centre = CentreSim::start(CentreSimConfig {
        clock: clock.clone(),
        ..CentreSimConfig::default()
    })
    .await
    .unwrap();
    let dir = office.path().join("booth");
    let booth = start(tpm_config(&centre, &dir, &first.tcti()), &dir, &clock).await;
    record(&booth, &centre, &clock, 0).await;
    drop(booth);
    drop(first);

    // The disk moved to another PC (or the TPM was cleared): a clear refusal, nothing lost.
    let Some(other) = Swtpm::start(&office.path().join("tpm-b")) else {
        return;
    };
    let keys = dir.join("keys");
    let before = files_under(&keys);
    let Err(e) = ktpel_booth::embedded::start(
        tpm_config(&centre, &dir, &other.tcti()),
        dir.clone(),
        clock.clone(),
    )
    .await
    else {
        panic!("the keys opened on another TPM");
    };
    assert!(e.to_string().contains("not made by this TPM"), "{e}");
    assert!(files_under(&keys) == before, "the key files were changed");

    // `key_store = "tpm"` where no TPM answers: the booth does not start, and says why.
    let fresh = office.path().join("fresh");
    let Err(e) = ktpel_booth::embedded::start(
        tpm_config(&centre, &fresh, "swtpm:host=127.0.0.1,port=9"),
        fresh.clone(),
        clock.clone(),
    )
    .await
    else {
        panic!("started without a TPM");
    };
    assert!(
        e.to_string()
            .contains("key_store = \"tpm\", but the TPM cannot be used"),
        "{e}"
    );
}
