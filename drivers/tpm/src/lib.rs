//! The booth's keys in a TPM 2.0, through the TSS ESAPI (`tss-esapi`, which does the calling
//! into C; this crate has no `unsafe`).
//!
//! * A storage key (ECC P-256, restricted decryption) is derived again from the owner hierarchy's
//!   seed at every start: the same TPM always gives the same storage key, and nothing of it is
//!   kept on disk.
//! * The booth's signing key (ECDSA P-256 with SHA-256; `fixedTPM`, `fixedParent`, sign only) is
//!   created inside the TPM under the storage key. Its private part leaves the TPM only wrapped by
//!   the storage key ([`KeyBlob`]): the blob is useless on any other TPM.
//! * The booth's local storage key (32 bytes) is sealed under the storage key and unsealed into
//!   memory at start.
//!
//! ESAPI contexts are not `Send`: [`Tpm`] owns one on a thread of its own and sends it jobs.

use std::str::FromStr;
use std::sync::mpsc;
use std::sync::Mutex;
use std::thread::JoinHandle;

use tss_esapi::attributes::ObjectAttributesBuilder;
use tss_esapi::constants::tss::{TPM2_RH_NULL, TPM2_ST_HASHCHECK};
use tss_esapi::handles::{KeyHandle, ObjectHandle};
use tss_esapi::interface_types::algorithm::{HashingAlgorithm, PublicAlgorithm};
use tss_esapi::interface_types::ecc::EccCurve;
use tss_esapi::interface_types::resource_handles::Hierarchy;
use tss_esapi::structures::{
    Digest, EccPoint, EccScheme, HashScheme, KeyedHashScheme, Private, Public, PublicBuilder,
    PublicEccParametersBuilder, PublicKeyedHashParameters, SensitiveData, Signature,
    SignatureScheme, SymmetricDefinitionObject,
};
use tss_esapi::tcti_ldr::TctiNameConf;
use tss_esapi::traits::{Marshall, UnMarshall};
use tss_esapi::tss2_esys::TPMT_TK_HASHCHECK;
use tss_esapi::Context;
use zeroize::Zeroizing;

/// The TCTI of the kernel's resource manager, which a booth PC with a TPM 2.0 has.
pub const DEFAULT_TCTI: &str = "device:/dev/tpmrm0";

/// What a blob file starts with, so a wrong file is named as such.
const BLOB_MAGIC: &[u8] = b"KTPEL-TPM-BLOB-1\n";

#[derive(Debug, thiserror::Error)]
pub enum TpmError {
    #[error("no TPM reachable through \"{tcti}\": {why}")]
    Unreachable { tcti: String, why: String },
    #[error("the TPM refused to {op}: {why}")]
    Command { op: &'static str, why: String },
    #[error(
        "this key blob was not made by this TPM (another PC's TPM, or this TPM was cleared): \
         {why}. The keys it held cannot be recovered here."
    )]
    ForeignBlob { why: String },
    #[error("the key blob is damaged: {0}")]
    BadBlob(String),
    #[error("no signing key is loaded")]
    NoSigningKey,
    #[error("the TPM's worker thread has stopped")]
    Gone,
}

/// A TPM object as it is kept on disk: its public area and its private area, which the TPM
/// encrypted under the storage key. Only the TPM that made it can load it.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyBlob {
    public: Vec<u8>,
    private: Vec<u8>,
}

impl std::fmt::Debug for KeyBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KeyBlob({} + {} bytes)",
            self.public.len(),
            self.private.len()
        )
    }
}

impl KeyBlob {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = BLOB_MAGIC.to_vec();
        for part in [&self.public, &self.private] {
            out.extend_from_slice(&(part.len() as u32).to_be_bytes());
            out.extend_from_slice(part);
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TpmError> {
        let rest = bytes
            .strip_prefix(BLOB_MAGIC)
            .ok_or_else(|| TpmError::BadBlob("it is not a booth TPM blob".into()))?;
        let (public, rest) = take_part(rest)?;
        let (private, rest) = take_part(rest)?;
        if !rest.is_empty() {
            return Err(TpmError::BadBlob(format!("{} bytes too many", rest.len())));
        }
        Ok(Self {
            public: public.to_vec(),
            private: private.to_vec(),
        })
    }
}

fn take_part(bytes: &[u8]) -> Result<(&[u8], &[u8]), TpmError> {
    let (len, rest) = bytes
        .split_first_chunk::<4>()
        .ok_or_else(|| TpmError::BadBlob("it ends early".into()))?;
    let len = u32::from_be_bytes(*len) as usize;
    if rest.len() < len {
        return Err(TpmError::BadBlob("it ends early".into()));
    }
    Ok(rest.split_at(len))
}

type Job = Box<dyn FnOnce(&mut Worker) + Send>;

/// A TPM 2.0, opened through a TCTI string (`device:/dev/tpmrm0`, `swtpm:host=…,port=…`).
/// Dropping it flushes what it loaded.
pub struct Tpm {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Option<JoinHandle<()>>,
    tcti: String,
}

impl std::fmt::Debug for Tpm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tpm({})", self.tcti)
    }
}

struct Worker {
    context: Context,
    signing: Option<KeyHandle>,
}

impl Tpm {
    /// Opens the TPM and derives the storage key. Fails with [`TpmError::Unreachable`] when
    /// there is no TPM behind `tcti`.
    pub fn open(tcti: &str) -> Result<Self, TpmError> {
        let _span = tracing::info_span!("tpm_open", tcti).entered();
        let unreachable = |why: String| TpmError::Unreachable {
            tcti: tcti.to_string(),
            why,
        };
        check_device(tcti).map_err(unreachable)?;
        let conf = TctiNameConf::from_str(tcti).map_err(|e| unreachable(e.to_string()))?;
        let (jobs, receive) = mpsc::channel::<Job>();
        let (opened, wait_open) = mpsc::channel::<Result<(), TpmError>>();
        let owned_tcti = tcti.to_string();
        let thread = std::thread::Builder::new()
            .name("tpm".into())
            .spawn(move || {
                let mut worker = match Worker::open(conf, &owned_tcti) {
                    Ok(w) => {
                        let _ = opened.send(Ok(()));
                        w
                    }
                    Err(e) => {
                        let _ = opened.send(Err(e));
                        return;
                    }
                };
                while let Ok(job) = receive.recv() {
                    job(&mut worker);
                }
                worker.close();
            })
            .map_err(|e| unreachable(format!("cannot start its thread: {e}")))?;
        match wait_open.recv() {
            Ok(Ok(())) => Ok(Self {
                jobs: Mutex::new(Some(jobs)),
                thread: Some(thread),
                tcti: tcti.to_string(),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => {
                let _ = thread.join();
                Err(unreachable("its thread stopped while opening".into()))
            }
        }
    }

    /// The TCTI this TPM was opened with.
    pub fn tcti(&self) -> &str {
        &self.tcti
    }

    fn call<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Worker) -> Result<T, TpmError> + Send + 'static,
    ) -> Result<T, TpmError> {
        let (answer, wait) = mpsc::channel();
        {
            let jobs = self.jobs.lock().map_err(|_| TpmError::Gone)?;
            let jobs = jobs.as_ref().ok_or(TpmError::Gone)?;
            jobs.send(Box::new(move |w: &mut Worker| {
                let _ = answer.send(job(w));
            }))
            .map_err(|_| TpmError::Gone)?;
        }
        wait.recv().map_err(|_| TpmError::Gone)?
    }

    /// Creates a new ECDSA P-256 signing key inside the TPM and returns it wrapped for storage.
    /// It is not loaded: [`Tpm::load_signing_key`] does that.
    pub fn create_signing_key(&self) -> Result<KeyBlob, TpmError> {
        self.call(|w| {
            let _span = tracing::info_span!("tpm_create_signing_key").entered();
            w.create(signing_template()?, None)
        })
    }

    /// Loads `blob` as the key [`Tpm::sign`] uses and returns its public point
    /// (SEC1 uncompressed: `04 || x || y`, 65 bytes).
    pub fn load_signing_key(&self, blob: &KeyBlob) -> Result<[u8; 65], TpmError> {
        let blob = blob.clone();
        self.call(move |w| {
            let _span = tracing::info_span!("tpm_load_signing_key").entered();
            let handle = w.load(&blob)?;
            let public = match w.public_point(handle) {
                Ok(p) => p,
                Err(e) => {
                    w.flush(handle);
                    return Err(e);
                }
            };
            if let Some(old) = w.signing.replace(handle) {
                w.flush(old);
            }
            Ok(public)
        })
    }

    /// Signs SHA-256(`message`) with the loaded signing key: `r || s`, 32 bytes each.
    pub fn sign(&self, message: &[u8]) -> Result<[u8; 64], TpmError> {
        let digest = sha256(message);
        self.call(move |w| {
            let _span = tracing::debug_span!("tpm_sign").entered();
            w.sign(&digest)
        })
    }

    /// Seals `secret` (at most 128 bytes) under the storage key.
    pub fn seal(&self, secret: &[u8]) -> Result<KeyBlob, TpmError> {
        let data = SensitiveData::try_from(secret.to_vec()).map_err(|e| TpmError::Command {
            op: "seal",
            why: e.to_string(),
        })?;
        self.call(move |w| {
            let _span = tracing::info_span!("tpm_seal").entered();
            w.create(sealed_template()?, Some(data))
        })
    }

    /// Unseals what [`Tpm::seal`] sealed on this TPM.
    pub fn unseal(&self, blob: &KeyBlob) -> Result<Zeroizing<Vec<u8>>, TpmError> {
        let blob = blob.clone();
        self.call(move |w| {
            let _span = tracing::info_span!("tpm_unseal").entered();
            let handle = w.load(&blob)?;
            let out = w
                .context
                .execute_with_nullauth_session(|c| c.unseal(ObjectHandle::from(handle)))
                .map_err(|e| command("unseal", e));
            w.flush(handle);
            Ok(Zeroizing::new(out?.value().to_vec()))
        })
    }
}

impl Drop for Tpm {
    fn drop(&mut self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// For a `device:` TCTI, what the TSS would only call "response code not recognized": the device
/// file is missing (no TPM, or it is off in the firmware) or this user may not open it.
fn check_device(tcti: &str) -> Result<(), String> {
    let Some(path) = tcti.strip_prefix("device") else {
        return Ok(());
    };
    let path = match path.strip_prefix(':') {
        Some("") | None => "/dev/tpmrm0",
        Some(p) => p,
    };
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "{path} does not exist: this PC has no TPM 2.0, or it is disabled in the firmware"
        )),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(format!(
            "{path} cannot be opened by this user ({e}): it must be in the group that owns it \
             (tss)"
        )),
        Err(e) => Err(format!("{path} cannot be opened: {e}")),
    }
}

fn command(op: &'static str, e: tss_esapi::Error) -> TpmError {
    TpmError::Command {
        op,
        why: e.to_string(),
    }
}

impl Worker {
    fn open(conf: TctiNameConf, tcti: &str) -> Result<Self, TpmError> {
        let context = Context::new(conf).map_err(|e| TpmError::Unreachable {
            tcti: tcti.to_string(),
            why: e.to_string(),
        })?;
        let mut worker = Self {
            context,
            signing: None,
        };
        // Proves the TPM answers, and that it can make the storage key.
        let storage = worker.storage()?;
        worker.flush(storage);
        Ok(worker)
    }

    /// Loads the storage key, derived again from the owner seed (the same key every time).
    /// It is loaded only while it is used: a TPM without a resource manager (swtpm reached
    /// directly) has three object slots for every program using it.
    fn storage(&mut self) -> Result<KeyHandle, TpmError> {
        Ok(self
            .context
            .execute_with_nullauth_session(|c| {
                c.create_primary(
                    Hierarchy::Owner,
                    storage_template()?,
                    None,
                    None,
                    None,
                    None,
                )
            })
            .map_err(|e| command("create the storage key", e))?
            .key_handle)
    }

    fn create(
        &mut self,
        template: Public,
        data: Option<SensitiveData>,
    ) -> Result<KeyBlob, TpmError> {
        let storage = self.storage()?;
        let made = self
            .context
            .execute_with_nullauth_session(|c| c.create(storage, template, None, data, None, None))
            .map_err(|e| command("create a key", e));
        self.flush(storage);
        let made = made?;
        Ok(KeyBlob {
            public: made
                .out_public
                .marshall()
                .map_err(|e| command("encode a public area", e))?,
            private: made.out_private.value().to_vec(),
        })
    }

    fn load(&mut self, blob: &KeyBlob) -> Result<KeyHandle, TpmError> {
        let public = Public::unmarshall(&blob.public)
            .map_err(|e| TpmError::BadBlob(format!("its public area: {e}")))?;
        let private = Private::try_from(blob.private.clone())
            .map_err(|e| TpmError::BadBlob(format!("its private area: {e}")))?;
        let storage = self.storage()?;
        let loaded = self
            .context
            .execute_with_nullauth_session(|c| c.load(storage, private, public))
            .map_err(|e| TpmError::ForeignBlob { why: e.to_string() });
        self.flush(storage);
        loaded
    }

    fn public_point(&mut self, handle: KeyHandle) -> Result<[u8; 65], TpmError> {
        let (public, _, _) = self
            .context
            .read_public(handle)
            .map_err(|e| command("read a public key", e))?;
        let Public::Ecc { unique, .. } = public else {
            return Err(TpmError::BadBlob("the key is not an ECC key".into()));
        };
        let mut out = [0u8; 65];
        out[0] = 4;
        put_padded(&mut out[1..33], unique.x().value())?;
        put_padded(&mut out[33..65], unique.y().value())?;
        Ok(out)
    }

    fn sign(&mut self, digest: &[u8; 32]) -> Result<[u8; 64], TpmError> {
        let key = self.signing.ok_or(TpmError::NoSigningKey)?;
        let digest = Digest::try_from(digest.to_vec()).map_err(|e| command("take a digest", e))?;
        let validation = TPMT_TK_HASHCHECK {
            tag: TPM2_ST_HASHCHECK,
            hierarchy: TPM2_RH_NULL,
            digest: Default::default(),
        };
        let validation = validation
            .try_into()
            .map_err(|e| command("take a hash ticket", e))?;
        let signature = self
            .context
            .execute_with_nullauth_session(|c| {
                c.sign(key, digest, SignatureScheme::Null, validation)
            })
            .map_err(|e| command("sign", e))?;
        let Signature::EcDsa(ecc) = signature else {
            return Err(TpmError::Command {
                op: "sign",
                why: "it answered with a signature that is not ECDSA".into(),
            });
        };
        let mut out = [0u8; 64];
        put_padded(&mut out[..32], ecc.signature_r().value())?;
        put_padded(&mut out[32..], ecc.signature_s().value())?;
        Ok(out)
    }

    fn flush(&mut self, handle: KeyHandle) {
        if let Err(e) = self.context.flush_context(ObjectHandle::from(handle)) {
            tracing::warn!(error = %e, "a TPM object could not be flushed");
        }
    }

    fn close(mut self) {
        if let Some(h) = self.signing.take() {
            self.flush(h);
        }
    }
}

fn put_padded(out: &mut [u8], value: &[u8]) -> Result<(), TpmError> {
    let value = match value.iter().position(|b| *b != 0) {
        Some(first) => &value[first..],
        None => &[],
    };
    if value.len() > out.len() {
        return Err(TpmError::Command {
            op: "sign",
            why: format!("a {}-byte number where 32 fit", value.len()),
        });
    }
    let start = out.len() - value.len();
    out[..start].fill(0);
    out[start..].copy_from_slice(value);
    Ok(())
}

fn sha256(message: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(message).into()
}

fn template_error(e: tss_esapi::Error) -> TpmError {
    command("build a key template", e)
}

/// The owner hierarchy's storage key: derived from the seed, so the same on every start.
fn storage_template() -> Result<Public, tss_esapi::Error> {
    let attributes = ObjectAttributesBuilder::new()
        .with_fixed_tpm(true)
        .with_fixed_parent(true)
        .with_sensitive_data_origin(true)
        .with_user_with_auth(true)
        .with_decrypt(true)
        .with_restricted(true)
        .with_no_da(true)
        .build()?;
    PublicBuilder::new()
        .with_public_algorithm(PublicAlgorithm::Ecc)
        .with_name_hashing_algorithm(HashingAlgorithm::Sha256)
        .with_object_attributes(attributes)
        .with_ecc_parameters(
            PublicEccParametersBuilder::new_restricted_decryption_key(
                SymmetricDefinitionObject::AES_128_CFB,
                EccCurve::NistP256,
            )
            .build()?,
        )
        .with_ecc_unique_identifier(EccPoint::default())
        .build()
}

fn signing_template() -> Result<Public, TpmError> {
    let attributes = ObjectAttributesBuilder::new()
        .with_fixed_tpm(true)
        .with_fixed_parent(true)
        .with_sensitive_data_origin(true)
        .with_user_with_auth(true)
        .with_sign_encrypt(true)
        .with_decrypt(false)
        .with_restricted(false)
        .with_no_da(true)
        .build()
        .map_err(template_error)?;
    PublicBuilder::new()
        .with_public_algorithm(PublicAlgorithm::Ecc)
        .with_name_hashing_algorithm(HashingAlgorithm::Sha256)
        .with_object_attributes(attributes)
        .with_ecc_parameters(
            PublicEccParametersBuilder::new_unrestricted_signing_key(
                EccScheme::EcDsa(HashScheme::new(HashingAlgorithm::Sha256)),
                EccCurve::NistP256,
            )
            .build()
            .map_err(template_error)?,
        )
        .with_ecc_unique_identifier(EccPoint::default())
        .build()
        .map_err(template_error)
}

fn sealed_template() -> Result<Public, TpmError> {
    let attributes = ObjectAttributesBuilder::new()
        .with_fixed_tpm(true)
        .with_fixed_parent(true)
        .with_user_with_auth(true)
        .with_no_da(true)
        .build()
        .map_err(template_error)?;
    PublicBuilder::new()
        .with_public_algorithm(PublicAlgorithm::KeyedHash)
        .with_name_hashing_algorithm(HashingAlgorithm::Sha256)
        .with_object_attributes(attributes)
        .with_keyed_hash_parameters(PublicKeyedHashParameters::new(KeyedHashScheme::Null))
        .with_keyed_hash_unique_identifier(Default::default())
        .build()
        .map_err(template_error)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_blob_reads_back_and_a_wrong_file_is_named() {
        let blob = KeyBlob {
            public: vec![1, 2, 3],
            private: vec![9; 40],
        };
        assert_eq!(KeyBlob::from_bytes(&blob.to_bytes()).unwrap(), blob);
        let e = KeyBlob::from_bytes(&[0u8; 32]).unwrap_err();
        assert!(e.to_string().contains("not a booth TPM blob"), "{e}");
        let mut cut = blob.to_bytes();
        cut.truncate(cut.len() - 1);
        assert!(KeyBlob::from_bytes(&cut)
            .unwrap_err()
            .to_string()
            .contains("ends early"));
    }

    #[test]
    fn numbers_are_left_padded_to_32_bytes() {
        let mut out = [7u8; 32];
        put_padded(&mut out, &[0, 0, 1, 2]).unwrap();
        assert_eq!(out[..30], [0u8; 30]);
        assert_eq!(out[30..], [1, 2]);
        assert!(put_padded(&mut out, &[1u8; 33]).is_err());
    }

    #[test]
    fn a_missing_tpm_device_is_named() {
        let e = Tpm::open("device:/nonexistent/tpmrm0").unwrap_err();
        assert!(
            e.to_string()
                .contains("/nonexistent/tpmrm0 does not exist: this PC has no TPM 2.0"),
            "{e}"
        );
    }

    #[test]
    fn a_tcti_nobody_listens_on_is_unreachable() {
        let e = Tpm::open("swtpm:host=127.0.0.1,port=9").unwrap_err();
        assert!(matches!(e, TpmError::Unreachable { .. }), "{e}");
        assert!(e.to_string().contains("no TPM reachable"), "{e}");
    }
}
