//! Where the booth keeps its two keys — its signing key (its identity at the centre) and its
//! local storage key (the queue's few personal fields) — and opening them at start.
//!
//! * In the TPM: the signing key is an ECDSA P-256 key made inside the TPM, kept on disk only as
//!   a blob the TPM wrapped ([`BOOTH_TPM_KEY_FILE`]); the local key's 32 bytes are sealed by the
//!   TPM ([`LOCAL_TPM_KEY_FILE`]) and unsealed into memory at start. Both files are useless
//!   without this PC's TPM.
//! * In files, on a booth without a TPM: Ed25519 and the local key in 0600 files
//!   ([`BOOTH_KEY_FILE`], [`LOCAL_KEY_FILE`]), which `selftest`, `doctor` and the technician area
//!   say loudly.
//!
//! `[booth] key_store` chooses: "auto" uses the TPM when one answers and the booth has no key
//! files yet (a booth whose key is pinned at the centre never changes it silently), "tpm"
//! refuses to start without the TPM, "files" keeps files.

use std::path::Path;
use std::sync::Arc;

use ktpel_tpm::{KeyBlob, Tpm};

use crate::booth::BoothError;
use crate::config::{BoothConfig, KeyStore};
use crate::keyfile;
use crate::seal::{BoothKey, Ed25519Key, LocalKey, TpmKey};

pub const BOOTH_KEY_FILE: &str = "keys/booth-ed25519.key";
pub const LOCAL_KEY_FILE: &str = "keys/local-storage.key";
/// The TPM-wrapped signing key (public and private areas; the private one encrypted by the TPM).
pub const BOOTH_TPM_KEY_FILE: &str = "keys/booth-signing.tpm";
/// The local storage key sealed by the TPM.
pub const LOCAL_TPM_KEY_FILE: &str = "keys/local-storage.tpm";

/// `[booth] key_store` and `tpm_tcti`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySettings {
    pub store: KeyStore,
    pub tcti: String,
}

impl Default for KeySettings {
    fn default() -> Self {
        Self {
            store: KeyStore::Auto,
            tcti: ktpel_tpm::DEFAULT_TCTI.to_string(),
        }
    }
}

impl KeySettings {
    pub fn of(booth: &BoothConfig) -> Self {
        Self {
            store: booth.key_store,
            tcti: booth.tpm_tcti.clone(),
        }
    }
}

/// Where the keys are, as technicians are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPlace {
    /// Both keys in the TPM reached through `tcti`.
    Tpm { tcti: String },
    /// Both keys in 0600 files; `why` the TPM is not used.
    Files { why: String },
}

impl KeyPlace {
    pub fn in_tpm(&self) -> bool {
        matches!(self, KeyPlace::Tpm { .. })
    }

    /// One line for logs and the command line.
    pub fn summary(&self) -> String {
        match self {
            KeyPlace::Tpm { tcti } => format!("keys: in the TPM (ECDSA P-256, {tcti})"),
            KeyPlace::Files { why } => format!(
                "keys: IN FILES (NO TPM): {why}. Whoever copies the data directory can sign as \
                 this booth; keep the disk encrypted"
            ),
        }
    }
}

/// The booth's keys, opened.
pub struct Keys {
    pub booth: BoothKey,
    pub local: LocalKey,
    pub place: KeyPlace,
}

/// What the data directory already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDisk {
    Tpm,
    Files,
    Nothing,
}

pub fn on_disk(dir: &Path) -> OnDisk {
    let any = |names: [&str; 2]| names.iter().any(|n| dir.join(n).exists());
    if any([BOOTH_TPM_KEY_FILE, LOCAL_TPM_KEY_FILE]) {
        OnDisk::Tpm
    } else if any([BOOTH_KEY_FILE, LOCAL_KEY_FILE]) {
        OnDisk::Files
    } else {
        OnDisk::Nothing
    }
}

fn keys_error(why: impl Into<String>) -> BoothError {
    BoothError::Keys(why.into())
}

/// Where the keys are to be found (or made), opening the TPM when they are in it. Creates
/// nothing.
pub enum Decision {
    Tpm(Arc<Tpm>),
    Files { why: String },
}

pub fn decide(dir: &Path, settings: &KeySettings) -> Result<Decision, BoothError> {
    let tcti = &settings.tcti;
    let open = || {
        let _span = tracing::info_span!("tpm_open", tcti = %tcti).entered();
        Tpm::open(tcti).map(Arc::new)
    };
    match (settings.store, on_disk(dir)) {
        (KeyStore::Files, OnDisk::Tpm) => Err(keys_error(format!(
            "key_store = \"files\", but this booth's keys are in the TPM ({BOOTH_TPM_KEY_FILE}, \
             {LOCAL_TPM_KEY_FILE} in {}): set key_store = \"tpm\" or \"auto\"",
            dir.display()
        ))),
        (KeyStore::Files, _) => Ok(Decision::Files {
            why: "key_store = \"files\" in the config".into(),
        }),
        (_, OnDisk::Tpm) => open().map(Decision::Tpm).map_err(|e| {
            keys_error(format!(
                "this booth's keys are in the TPM, which cannot be used: {e}. Check that the TPM \
                 is enabled in the firmware and that tpm_tcti is right; the keys cannot be \
                 used on any other PC"
            ))
        }),
        (KeyStore::Tpm, OnDisk::Files) => Err(keys_error(format!(
            "key_store = \"tpm\", but this booth already has its keys in files ({BOOTH_KEY_FILE} \
             in {}) and the centre knows it by that key. Keep key_store = \"auto\" or \"files\"; \
             a booth moves to the TPM only with an empty queue, by moving its keys folder away \
             and having the centre accept its new key",
            dir.display()
        ))),
        (KeyStore::Auto, OnDisk::Files) => Ok(Decision::Files {
            why: "this booth's keys were made in files before it used a TPM, and the centre \
                  knows it by that key"
                .into(),
        }),
        (KeyStore::Tpm, OnDisk::Nothing) => open().map(Decision::Tpm).map_err(|e| {
            keys_error(format!(
                "key_store = \"tpm\", but the TPM cannot be used: {e}. Enable the TPM in the \
                 firmware (or fix tpm_tcti), or set key_store = \"auto\""
            ))
        }),
        (KeyStore::Auto, OnDisk::Nothing) => match open() {
            Ok(tpm) => Ok(Decision::Tpm(tpm)),
            Err(e) => Ok(Decision::Files {
                why: format!("no TPM answers ({e})"),
            }),
        },
    }
}

/// Where the keys are (or would be made at first start), without making any.
pub fn place(dir: &Path, settings: &KeySettings) -> Result<KeyPlace, BoothError> {
    Ok(match decide(dir, settings)? {
        Decision::Tpm(_) => KeyPlace::Tpm {
            tcti: settings.tcti.clone(),
        },
        Decision::Files { why } => KeyPlace::Files { why },
    })
}

/// Opens both keys, making those that are missing (a new booth).
pub fn open(dir: &Path, settings: &KeySettings) -> Result<Keys, BoothError> {
    match decide(dir, settings)? {
        Decision::Tpm(tpm) => Ok(Keys {
            local: tpm_local_key(dir, &tpm)?,
            booth: tpm_booth_key(dir, &tpm, true)?,
            place: KeyPlace::Tpm {
                tcti: settings.tcti.clone(),
            },
        }),
        Decision::Files { why } => {
            tracing::warn!(why = %why, "the booth's keys are in files, not in a TPM");
            let bytes = keyfile::load_or_create(&dir.join(BOOTH_KEY_FILE), 32, || {
                Ed25519Key::generate().to_bytes().to_vec()
            })
            .map_err(|e| keys_error(e.to_string()))?;
            Ok(Keys {
                booth: BoothKey::File(Ed25519Key::from_bytes(&bytes)?),
                local: file_local_key(dir)?,
                place: KeyPlace::Files { why },
            })
        }
    }
}

/// The local storage key alone (tools that only read the queue); made when missing, as at start.
pub fn local_key(dir: &Path, settings: &KeySettings) -> Result<LocalKey, BoothError> {
    match decide(dir, settings)? {
        Decision::Tpm(tpm) => tpm_local_key(dir, &tpm),
        Decision::Files { .. } => file_local_key(dir),
    }
}

/// The signing key alone (`ktpel-booth export`). Never makes one: a booth without a key has
/// signed nothing.
pub fn read_booth_key(dir: &Path, settings: &KeySettings) -> Result<BoothKey, BoothError> {
    match decide(dir, settings)? {
        Decision::Tpm(tpm) => tpm_booth_key(dir, &tpm, false),
        Decision::Files { .. } => {
            let path = dir.join(BOOTH_KEY_FILE);
            let bytes =
                std::fs::read(&path).map_err(|e| keys_error(format!("{}: {e}", path.display())))?;
            Ok(BoothKey::File(Ed25519Key::from_bytes(&bytes)?))
        }
    }
}

fn file_local_key(dir: &Path) -> Result<LocalKey, BoothError> {
    let bytes = keyfile::load_or_create(&dir.join(LOCAL_KEY_FILE), 32, || {
        LocalKey::generate_bytes().to_vec()
    })
    .map_err(|e| keys_error(e.to_string()))?;
    Ok(LocalKey::from_bytes(&bytes)?)
}

/// Reads a blob file; `None` when there is none.
fn read_blob(path: &Path) -> Result<Option<KeyBlob>, BoothError> {
    match std::fs::read(path) {
        Ok(bytes) => KeyBlob::from_bytes(&bytes)
            .map(Some)
            .map_err(|e| keys_error(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(keys_error(format!("cannot read {}: {e}", path.display()))),
    }
}

fn tpm_error(path: &Path, e: ktpel_tpm::TpmError) -> BoothError {
    keys_error(format!("{}: {e}", path.display()))
}

fn tpm_local_key(dir: &Path, tpm: &Tpm) -> Result<LocalKey, BoothError> {
    let path = dir.join(LOCAL_TPM_KEY_FILE);
    let _span = tracing::info_span!("tpm_local_key", tcti = %tpm.tcti()).entered();
    let secret = match read_blob(&path)? {
        Some(blob) => tpm.unseal(&blob).map_err(|e| tpm_error(&path, e))?,
        None => {
            let secret = zeroize::Zeroizing::new(LocalKey::generate_bytes().to_vec());
            let blob = tpm.seal(&secret).map_err(|e| tpm_error(&path, e))?;
            keyfile::write_atomically(&path, &blob.to_bytes())
                .map_err(|e| keys_error(format!("{}: {e}", path.display())))?;
            secret
        }
    };
    Ok(LocalKey::from_bytes(&secret)?)
}

fn tpm_booth_key(dir: &Path, tpm: &Arc<Tpm>, create: bool) -> Result<BoothKey, BoothError> {
    let path = dir.join(BOOTH_TPM_KEY_FILE);
    let _span = tracing::info_span!("tpm_booth_key", tcti = %tpm.tcti()).entered();
    let blob = match read_blob(&path)? {
        Some(blob) => blob,
        None if create => {
            let blob = tpm.create_signing_key().map_err(|e| tpm_error(&path, e))?;
            keyfile::write_atomically(&path, &blob.to_bytes())
                .map_err(|e| keys_error(format!("{}: {e}", path.display())))?;
            blob
        }
        None => {
            return Err(keys_error(format!(
                "{} is missing: this booth has no signing key in the TPM",
                path.display()
            )))
        }
    };
    let public = tpm
        .load_signing_key(&blob)
        .map_err(|e| tpm_error(&path, e))?;
    Ok(BoothKey::Tpm(TpmKey::new(tpm.clone(), public)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn settings(store: KeyStore) -> KeySettings {
        KeySettings {
            store,
            // Nothing listens on the discard port: no TPM.
            tcti: "swtpm:host=127.0.0.1,port=9".into(),
        }
    }

    #[test]
    fn without_a_tpm_auto_keeps_files_and_says_why_and_tpm_refuses_to_start() {
        let d = tempfile::tempdir().unwrap();
        let keys = open(d.path(), &settings(KeyStore::Auto)).unwrap();
        assert!(keys.booth.algorithm().is_ed25519());
        let KeyPlace::Files { why } = &keys.place else {
            panic!("{:?}", keys.place);
        };
        assert!(why.contains("no TPM answers"), "{why}");
        assert!(keys.place.summary().contains("IN FILES (NO TPM)"));
        assert!(d.path().join(BOOTH_KEY_FILE).exists());

        let fresh = tempfile::tempdir().unwrap();
        let Err(e) = open(fresh.path(), &settings(KeyStore::Tpm)) else {
            panic!("started without a TPM");
        };
        assert!(
            e.to_string()
                .contains("key_store = \"tpm\", but the TPM cannot be used"),
            "{e}"
        );
        assert_eq!(on_disk(fresh.path()), OnDisk::Nothing, "nothing was made");

        // A booth with key files is not moved to the TPM behind the centre's back.
        let Err(e) = open(d.path(), &settings(KeyStore::Tpm)) else {
            panic!("moved to the TPM");
        };
        assert!(
            e.to_string().contains("already has its keys in files"),
            "{e}"
        );
        let KeyPlace::Files { why } = open(d.path(), &settings(KeyStore::Auto)).unwrap().place
        else {
            panic!()
        };
        assert!(why.contains("made in files before"), "{why}");
    }

    #[test]
    fn keys_in_the_tpm_are_never_read_as_files() {
        let d = tempfile::tempdir().unwrap();
        keyfile::write_atomically(&d.path().join(LOCAL_TPM_KEY_FILE), b"blob").unwrap();
        let Err(e) = open(d.path(), &settings(KeyStore::Files)) else {
            panic!("opened TPM keys as files");
        };
        assert!(e.to_string().contains("keys are in the TPM"), "{e}");
        let Err(e) = open(d.path(), &settings(KeyStore::Auto)) else {
            panic!("opened TPM keys without a TPM");
        };
        assert!(
            e.to_string().contains("cannot be used on any other PC"),
            "{e}"
        );
        assert!(!d.path().join(BOOTH_KEY_FILE).exists());
    }
}
