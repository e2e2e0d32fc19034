//! The TPM wrapper against a real (software) TPM 2.0: swtpm, started here.

#![allow(clippy::unwrap_used)]

mod swtpm;

use ktpel_tpm::{KeyBlob, Tpm, TpmError};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use swtpm::Swtpm;

#[test]
fn a_signing_key_made_in_the_tpm_signs_verifiably_and_comes_back_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let Some(sw) = Swtpm::start(&dir.path().join("state")) else {
        return;
    };
    let tpm = Tpm::open(&sw.tcti()).unwrap();
    let blob = tpm.create_signing_key().unwrap();
    let public = tpm.load_signing_key(&blob).unwrap();
    let message = b"KTPEL test message";
    let sig = tpm.sign(message).unwrap();
    let key = VerifyingKey::from_sec1_bytes(&public).unwrap();
    key.verify(message, &Signature::from_slice(&sig).unwrap())
        .unwrap();
    assert!(key
        .verify(b"another message", &Signature::from_slice(&sig).unwrap())
        .is_err());
    drop(tpm);

    // A new process (a new context) on the same TPM loads the same key from its blob.
    let stored = blob.to_bytes();
    let tpm = Tpm::open(&sw.tcti()).unwrap();
    let again = tpm
        .load_signing_key(&KeyBlob::from_bytes(&stored).unwrap())
        .unwrap();
    assert_eq!(again, public);
    let sig = tpm.sign(message).unwrap();
    key.verify(message, &Signature::from_slice(&sig).unwrap())
        .unwrap();
}

#[test]
fn a_sealed_secret_opens_on_its_tpm_only() {
    let dir = tempfile::tempdir().unwrap();
    let Some(sw) = Swtpm::start(&dir.path().join("a")) else {
        return;
    };
    let secret = [0x5au8; 32];
    let tpm = Tpm::open(&sw.tcti()).unwrap();
    let blob = tpm.seal(&secret).unwrap();
    let bytes = blob.to_bytes();
    assert!(
        !bytes.windows(32).any(|w| w == secret),
        "the secret is in the blob in clear"
    );
    assert_eq!(tpm.unseal(&blob).unwrap().as_slice(), secret);
    // Many opens in a row: nothing is left loaded in a TPM without a resource manager.
    for _ in 0..5 {
        drop(tpm_open_unseal(&sw, &blob, &secret));
    }
    drop(tpm);

    let Some(other) = Swtpm::start(&dir.path().join("b")) else {
        return;
    };
    let tpm = Tpm::open(&other.tcti()).unwrap();
    let e = tpm.unseal(&blob).unwrap_err();
    assert!(matches!(e, TpmError::ForeignBlob { .. }), "{e}");
    assert!(e.to_string().contains("not made by this TPM"), "{e}");
}

fn tpm_open_unseal(sw: &Swtpm, blob: &KeyBlob, secret: &[u8]) -> Tpm {
    let tpm = Tpm::open(&sw.tcti()).unwrap();
    assert_eq!(tpm.unseal(blob).unwrap().as_slice(), secret);
    tpm
}
