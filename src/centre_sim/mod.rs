//! The centre: the wire contract ([`api`]), the booth's client ([`client`]) and the centre
//! simulator — SIAK look-up over a synthetic population, enrollment ingest and verdicts — served
//! over real HTTP on loopback, in-process for the default config or as `ktpel-booth central-sim`.

mod bundles;
pub mod decide;
pub mod import;
pub mod server;
pub mod store;

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use uuid::Uuid;

use crate::wire::centre::{CentreKeys, CentreStatus, IngestReply, Personalization, VerdictEntry};
use store::CentreStore;

use crate::clock::{add, to_millis, Clock};
use crate::domain::resident::Resident;
use crate::domain::{nik::Nik, population};
use crate::enrollment::Enrollment;
use crate::keyfile;
use crate::seal::{CentreSecretKey, SealedPacket};
use ktpel_icao_lds::pki::KeyAndCertificate;

/// A fault the simulator can be told to show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Fault {
    #[default]
    None,
    /// Not listening: connections are refused.
    Down,
    /// Every answer comes after this delay.
    Slow(Duration),
    /// Every call answers 503.
    ServerError,
    /// Calls are processed but answered with noise.
    Garbage,
    /// Connections are reset as soon as they are accepted.
    Reset,
}

impl std::str::FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Fault::None),
            "down" => Ok(Fault::Down),
            "5xx" | "server-error" => Ok(Fault::ServerError),
            "garbage" => Ok(Fault::Garbage),
            "reset" => Ok(Fault::Reset),
            _ => match s
                .strip_prefix("slow:")
                .and_then(|ms| ms.parse::<u64>().ok())
            {
                Some(ms) => Ok(Fault::Slow(Duration::from_millis(ms))),
                None => Err(format!(
                    "unknown fault \"{s}\": use none, down, slow:<ms>, 5xx, garbage or reset"
                )),
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct CentreSimConfig {
    /// Where to listen; port 0 picks a free one.
    pub bind: SocketAddr,
    pub verdict_delay: Duration,
    pub population_size: usize,
    pub population_seed: u64,
    pub siak_api_key: String,
    pub centre_api_key: String,
    /// Keys and the store live here; `None` keeps everything in memory with fresh keys.
    pub state_dir: Option<PathBuf>,
    pub clock: Clock,
    /// Prepare a print-ready packet's card data right after its ingest (as a centre does when it
    /// decides), rather than when its verdict is first asked for.
    pub prepare_bundles: bool,
    /// Uploads (incomplete, or ingested and emptied) with no request for this long are
    /// deleted, by the clock above.
    pub upload_expiry: Duration,
}

impl Default for CentreSimConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            verdict_delay: Duration::from_secs(20),
            population_size: 600,
            population_seed: 2026,
            siak_api_key: "siak-sim-key".into(),
            centre_api_key: "centre-sim-key".into(),
            state_dir: None,
            clock: Clock::System,
            prepare_bundles: true,
            upload_expiry: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CentreSimError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("centre keys: {0}")]
    Keys(String),
    #[error("{0}")]
    Store(#[from] store::StoreError),
    #[error("centre upload store: {0}")]
    Uploads(String),
}

/// Why an ingest or a verdict query was refused.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("the packet cannot be read: {0}")]
    BadPacket(String),
    #[error("packet {0} was already received with different contents")]
    Conflict(Uuid),
    #[error("the envelope's id differs from the address it was sent to")]
    IdMismatch,
    #[error("booth {0} signed with a key other than the one registered for it")]
    WrongBoothKey(String),
    #[error("{0}")]
    Internal(String),
}

impl RequestError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            RequestError::BadPacket(_) | RequestError::IdMismatch => StatusCode::BAD_REQUEST,
            RequestError::WrongBoothKey(_) => StatusCode::FORBIDDEN,
            RequestError::Conflict(_) => StatusCode::CONFLICT,
            RequestError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
    pub(crate) fn code(&self) -> &'static str {
        match self {
            RequestError::BadPacket(_) => "bad_packet",
            RequestError::Conflict(_) => "conflict",
            RequestError::IdMismatch => "id_mismatch",
            RequestError::WrongBoothKey(_) => "wrong_booth_key",
            RequestError::Internal(_) => "internal",
        }
    }
}

impl From<store::StoreError> for RequestError {
    fn from(e: store::StoreError) -> Self {
        RequestError::Internal(e.to_string())
    }
}

pub(crate) enum IngestOutcome {
    New,
    Repeat,
}

pub(crate) struct Inner {
    config: CentreSimConfig,
    hpke: CentreSecretKey,
    /// The country signing CA: its key only ever signs document signer certificates.
    csca: KeyAndCertificate,
    /// The document signer that signs every chip's EF.SOD.
    signer: KeyAndCertificate,
    /// Where the CSCA certificate was written for booths to trust (with a state folder).
    csca_file: Option<PathBuf>,
    /// The CSCA certificate as PEM, as the keys endpoint publishes it.
    csca_pem: String,
    store: Mutex<CentreStore>,
    population: HashMap<String, Resident>,
    roster: Vec<Resident>,
    fault: watch::Sender<Fault>,
    scripted: Mutex<HashMap<String, CentreStatus>>,
    bundles: Mutex<bundles::Bundles<Personalization>>,
    /// Whole packets that reached ingest, repeats included: what a test counts to prove a
    /// packet was sent once.
    packets_received: std::sync::atomic::AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The simulator's synthetic SIAK residents for `seed` (the same on every day it runs).
pub fn population_of(seed: u64, size: usize) -> Vec<Resident> {
    population::generate(seed, size, POPULATION_REFERENCE_DATE)
}

/// Ages in the synthetic population are counted from this date, not from today, so the same
/// seed gives the same residents (and NIKs) on every day the booth runs.
pub const POPULATION_REFERENCE_DATE: jiff::civil::Date = jiff::civil::date(2026, 1, 1);

/// The answer to a packet the centre already holds: the same bytes are an idempotent repeat,
/// other bytes under the same id are refused.
fn repeat(
    id: Uuid,
    sha: &[u8],
    prev: &store::Received,
) -> Result<(IngestOutcome, IngestReply), RequestError> {
    if prev.body_sha256 != sha {
        return Err(RequestError::Conflict(id));
    }
    Ok((
        IngestOutcome::Repeat,
        IngestReply {
            packet_id: id,
            status: "received".into(),
            received_at_ms: prev.received_at_ms,
            repeat: true,
        },
    ))
}

impl Inner {
    fn fault(&self) -> Fault {
        self.fault.borrow().clone()
    }

    fn today(&self) -> jiff::civil::Date {
        crate::clock::wib_date(self.config.clock.now())
    }

    fn resident(&self, nik: &str) -> Option<&Resident> {
        self.population.get(nik)
    }

    fn public_keys(&self) -> CentreKeys {
        CentreKeys {
            hpke_public_b64: B64.encode(self.hpke.public().to_bytes()),
            csca_certificate_pem: self.csca_pem.clone(),
        }
    }

    fn ingest(&self, id: Uuid, body: &[u8]) -> Result<(IngestOutcome, IngestReply), RequestError> {
        let _span = tracing::info_span!("centre.ingest", packet = %id).entered();
        self.packets_received
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let sha = Sha256::digest(body).to_vec();
        if let Some(prev) = lock(&self.store).received(id)? {
            return repeat(id, &sha, &prev);
        }
        let packet =
            SealedPacket::from_cbor(body).map_err(|e| RequestError::BadPacket(e.to_string()))?;
        if packet.packet_id != id {
            return Err(RequestError::IdMismatch);
        }
        let enrollment = packet
            .open(&self.hpke)
            .map_err(|e| RequestError::BadPacket(e.to_string()))?;
        let nik = enrollment.resident.nik.to_string();
        let now = self.config.clock.now();
        let store = lock(&self.store);
        // Another request may have stored the same packet while this one was decrypting.
        if let Some(prev) = store.received(id)? {
            return repeat(id, &sha, &prev);
        }
        if !store.pin_booth_key(&packet.booth_id, &packet.booth_key)? {
            return Err(RequestError::WrongBoothKey(packet.booth_id.clone()));
        }
        let tag = store.nik_tag(&nik);
        let scripted = lock(&self.scripted).get(&nik).copied();
        let (status, code) = decide::decide(
            &enrollment,
            self.resident(&nik),
            store.nik_enrolled(&tag)?,
            scripted,
        );
        let decide_at = add(now, self.config.verdict_delay);
        store.insert(
            id,
            &packet.booth_id,
            &sha,
            body,
            &tag,
            to_millis(now),
            to_millis(decide_at),
            status,
            code,
        )?;
        drop(store);
        tracing::info!(packet = %id, "enrollment received");
        Ok((
            IngestOutcome::New,
            IngestReply {
                packet_id: id,
                status: "received".into(),
                received_at_ms: to_millis(now),
                repeat: false,
            },
        ))
    }

    fn verdicts(&self, ids: &[Uuid]) -> Result<Vec<VerdictEntry>, RequestError> {
        let now = to_millis(self.config.clock.now());
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let decision = lock(&self.store).decision(id)?;
            let entry = match decision {
                None => VerdictEntry {
                    packet_id: id,
                    status: CentreStatus::Unknown,
                    code: None,
                    personalization: None,
                },
                Some(d) if d.decide_at_ms > now => VerdictEntry {
                    packet_id: id,
                    status: CentreStatus::Processing,
                    code: None,
                    personalization: None,
                },
                Some(d) => {
                    let personalization = if d.status == CentreStatus::PrintReady {
                        Some(self.personalization(id, &d.envelope)?)
                    } else {
                        None
                    };
                    VerdictEntry {
                        packet_id: id,
                        status: d.status,
                        code: d.detail,
                        personalization,
                    }
                }
            };
            out.push(entry);
        }
        Ok(out)
    }

    /// What the centre holds for `nik`, for a booth verifying an applicant.
    fn records(&self, nik: &str) -> Result<crate::wire::centre::RecordHistory, RequestError> {
        let store = lock(&self.store);
        let tag = store.nik_tag(nik);
        let now = to_millis(self.config.clock.now());
        Ok(crate::wire::centre::RecordHistory {
            records: store.history(&tag, now)?,
        })
    }

    /// A booth handed packet `id`'s card over. `Ok(false)`: not a print-ready packet here.
    fn issued(&self, report: &crate::wire::centre::IssuedReport) -> Result<bool, RequestError> {
        let marked = lock(&self.store).mark_issued(report.packet_id, report.issued_at_ms)?;
        if marked {
            lock(&self.bundles).remove(&report.packet_id);
        }
        Ok(marked)
    }

    /// Prepares the card data of a packet that will be print-ready, as a real centre does when
    /// it decides, so verdict queries only read it. Runs after the ingest has been answered.
    pub(crate) fn prepare_bundle(&self, id: Uuid) {
        let decision = lock(&self.store).decision(id);
        if let Ok(Some(d)) = decision {
            if d.status == CentreStatus::PrintReady {
                if let Err(e) = self.personalization(id, &d.envelope) {
                    tracing::error!(packet = %id, error = %e, "print-ready bundle not built");
                }
            }
        }
    }

    fn personalization(&self, id: Uuid, envelope: &[u8]) -> Result<Personalization, RequestError> {
        if let Some(p) = lock(&self.bundles).get(&id) {
            return Ok(p.clone());
        }
        let packet =
            SealedPacket::from_cbor(envelope).map_err(|e| RequestError::Internal(e.to_string()))?;
        let e = packet
            .open(&self.hpke)
            .map_err(|e| RequestError::Internal(e.to_string()))?;
        self.build_bundle(id, &e)
    }

    /// Builds (and keeps) the print-ready bundle: chip profile with minutiae, SOD, card face data.
    fn build_bundle(&self, id: Uuid, e: &Enrollment) -> Result<Personalization, RequestError> {
        let profile = crate::card::profile::build(e, &self.signer)
            .map_err(|e| RequestError::Internal(format!("chip profile: {e}")))?;
        let (data_groups, sod) = crate::wire::sod::to_bundle(&profile);
        let bundle = Personalization {
            resident: e.resident.clone(),
            portrait_jpeg_b64: B64.encode(&e.face.image.bytes),
            signature_png_b64: B64.encode(&e.signature.image.bytes),
            data_groups,
            sod,
        };
        lock(&self.bundles).insert(id, bundle.clone());
        Ok(bundle)
    }
}

/// Subject of the simulated country signing CA.
pub const CSCA_SUBJECT: &str = "CN=CSCA Indonesia (simulation),O=Dukcapil (simulation),C=ID";
/// Subject of the simulated document signer.
pub const DOCUMENT_SIGNER_SUBJECT: &str =
    "CN=Document Signer KTP-el 1 (simulation),O=Dukcapil (simulation),C=ID";
/// The CSCA certificate's validity (Doc 9303 part 12: key usage 3–5 years plus the longest
/// validity of a document signer).
pub const CSCA_LIFETIME: Duration = Duration::from_secs(15 * 365 * 24 * 3600);
/// The document signer certificate's validity.
pub const DOCUMENT_SIGNER_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
/// How far before "now" certificates start: slack for a booth clock a little behind.
const BACKDATE: Duration = Duration::from_secs(24 * 3600);

const CSCA_KEY_FILE: &str = "csca-p256.pk8";
const CSCA_CERT_FILE: &str = "csca.pem";
const SIGNER_KEY_FILE: &str = "document-signer-p256.pk8";
const SIGNER_CERT_FILE: &str = "document-signer.der";

/// The chip PKI: the CSCA and the document signer it issued, loaded from `dir` or created
/// (and written there: private keys as PKCS #8 and certificates, each file 0600 and written
/// atomically). Without a folder both live in memory only.
fn chip_pki(
    dir: Option<&Path>,
    clock: &Clock,
) -> Result<(KeyAndCertificate, KeyAndCertificate, Option<PathBuf>), CentreSimError> {
    let keys = |e: String| CentreSimError::Keys(e);
    let not_before = std::time::SystemTime::from(clock.now()) - BACKDATE;
    let create = || -> Result<(KeyAndCertificate, KeyAndCertificate), CentreSimError> {
        let csca = KeyAndCertificate::new_csca(CSCA_SUBJECT, not_before, CSCA_LIFETIME)
            .map_err(|e| keys(e.to_string()))?;
        let signer = csca
            .issue_document_signer(
                DOCUMENT_SIGNER_SUBJECT,
                &[crate::card::dg1::DOCUMENT_CODE],
                not_before,
                DOCUMENT_SIGNER_LIFETIME,
            )
            .map_err(|e| keys(e.to_string()))?;
        Ok((csca, signer))
    };
    let Some(dir) = dir else {
        let (csca, signer) = create()?;
        return Ok((csca, signer, None));
    };
    let read = |name: &str| -> Result<Option<Vec<u8>>, CentreSimError> {
        match std::fs::read(dir.join(name)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(keys(format!("{}: {e}", dir.join(name).display()))),
        }
    };
    let files = (
        read(CSCA_KEY_FILE)?,
        read(CSCA_CERT_FILE)?,
        read(SIGNER_KEY_FILE)?,
        read(SIGNER_CERT_FILE)?,
    );
    let (csca, signer) = match files {
        (Some(ck), Some(cc), Some(sk), Some(sc)) => {
            let cc = ktpel_icao_lds::pki::read_certificate(&cc)
                .and_then(|c| ktpel_icao_lds::pki::certificate_der(&c))
                .map_err(|e| keys(format!("{CSCA_CERT_FILE}: {e}")))?;
            let csca = KeyAndCertificate::from_der(&ck, &cc)
                .map_err(|e| keys(format!("{CSCA_KEY_FILE}: {e}")))?;
            let signer = KeyAndCertificate::from_der(&sk, &sc)
                .map_err(|e| keys(format!("{SIGNER_KEY_FILE}: {e}")))?;
            (csca, signer)
        }
        (None, None, None, None) => {
            let (csca, signer) = create()?;
            let write = |name: &str, bytes: &[u8]| {
                keyfile::write_atomically(&dir.join(name), bytes)
                    .map_err(|e| keys(format!("{}: {e}", dir.join(name).display())))
            };
            let pem = ktpel_icao_lds::pki::certificate_pem(&csca.certificate)
                .map_err(|e| keys(e.to_string()))?;
            write(
                CSCA_KEY_FILE,
                &csca.private_key_der().map_err(|e| keys(e.to_string()))?,
            )?;
            write(CSCA_CERT_FILE, pem.as_bytes())?;
            write(
                SIGNER_KEY_FILE,
                &signer.private_key_der().map_err(|e| keys(e.to_string()))?,
            )?;
            write(
                SIGNER_CERT_FILE,
                &signer.certificate_der().map_err(|e| keys(e.to_string()))?,
            )?;
            (csca, signer)
        }
        _ => {
            return Err(keys(format!(
                "{} holds only part of the chip PKI ({CSCA_KEY_FILE}, {CSCA_CERT_FILE}, \
                 {SIGNER_KEY_FILE}, {SIGNER_CERT_FILE}): restore it from backup",
                dir.display()
            )))
        }
    };
    Ok((csca, signer, Some(dir.join(CSCA_CERT_FILE))))
}

/// A running centre simulator. Dropping it stops the server.
pub struct CentreSim {
    inner: Arc<Inner>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    uploads: Arc<ktpel_tus::server::TusServer>,
}

impl Drop for CentreSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CentreSim {
    /// Generates (or loads) keys, builds the population and starts serving.
    pub async fn start(config: CentreSimConfig) -> Result<Self, CentreSimError> {
        let (csca, signer, csca_file) = chip_pki(config.state_dir.as_deref(), &config.clock)?;
        let csca_pem = ktpel_icao_lds::pki::certificate_pem(&csca.certificate)
            .map_err(|e| CentreSimError::Keys(e.to_string()))?;
        let (hpke, nik_key, db) = match &config.state_dir {
            Some(dir) => {
                let load = |name: &str, gen: &dyn Fn() -> Vec<u8>| {
                    keyfile::load_or_create(&dir.join(name), 32, gen)
                        .map_err(|e| CentreSimError::Keys(e.to_string()))
                };
                let hpke = load("hpke-x25519.key", &|| {
                    CentreSecretKey::generate().to_bytes()
                })?;
                let nik_key = load("nik-tag.key", &|| {
                    crate::seal::LocalKey::generate_bytes().to_vec()
                })?;
                (hpke, nik_key, Some(dir.join("centre.db")))
            }
            None => (
                CentreSecretKey::generate().to_bytes(),
                crate::seal::LocalKey::generate_bytes().to_vec(),
                None,
            ),
        };
        let hpke =
            CentreSecretKey::from_bytes(&hpke).map_err(|e| CentreSimError::Keys(e.to_string()))?;
        let store = CentreStore::open(db.as_deref(), nik_key)?;
        let roster = population_of(config.population_seed, config.population_size);
        let population = roster
            .iter()
            .map(|r| (r.nik.to_string(), r.clone()))
            .collect();
        let listener =
            TcpListener::bind(config.bind)
                .await
                .map_err(|source| CentreSimError::Bind {
                    addr: config.bind,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| CentreSimError::Bind {
                addr: config.bind,
                source,
            })?;
        let (fault, faults) = watch::channel(Fault::None);
        let inner = Arc::new(Inner {
            config,
            hpke,
            csca,
            signer,
            csca_file,
            csca_pem,
            store: Mutex::new(store),
            population,
            roster,
            fault,
            scripted: Mutex::new(HashMap::new()),
            bundles: Mutex::new(bundles::Bundles::default()),
            packets_received: std::sync::atomic::AtomicU64::new(0),
        });
        let uploads = server::uploads(&inner).map_err(CentreSimError::Uploads)?;
        let router = server::router(inner.clone(), uploads.clone());
        let task = tokio::spawn(server::supervise(listener, addr, router, faults));
        tracing::info!(%addr, "centre simulator listening");
        Ok(Self {
            inner,
            addr,
            task,
            uploads,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn keys(&self) -> CentreKeys {
        self.inner.public_keys()
    }

    pub fn hpke_public(&self) -> crate::seal::CentrePublicKey {
        self.inner.hpke.public()
    }

    /// The country signing CA's certificate: what booths trust.
    pub fn csca_certificate(&self) -> &ktpel_icao_lds::Certificate {
        &self.inner.csca.certificate
    }

    /// The file the CSCA certificate was written to (PEM), when the simulator has a state
    /// folder.
    pub fn csca_certificate_file(&self) -> Option<&Path> {
        self.inner.csca_file.as_deref()
    }

    /// The document signer (key and certificate) that signs the chips.
    pub fn document_signer(&self) -> &KeyAndCertificate {
        &self.inner.signer
    }

    pub fn siak_api_key(&self) -> &str {
        &self.inner.config.siak_api_key
    }

    pub fn centre_api_key(&self) -> &str {
        &self.inner.config.centre_api_key
    }

    /// Where packet `id`'s upload stands: (bytes held, length); `None` when there is none.
    pub fn upload_of(&self, id: Uuid) -> Result<Option<(u64, u64)>, CentreSimError> {
        let key = ktpel_tus::server::TusServer::id_for_key(id.to_string().as_bytes());
        Ok(self
            .uploads
            .upload(&key)
            .map_err(|e| CentreSimError::Uploads(e.to_string()))?
            .map(|u| (u.offset, u.length)))
    }

    /// The key the centre pinned for booth `booth_id` (from its first packet); `None` before.
    pub fn pinned_booth_key(&self, booth_id: &str) -> Result<Option<Vec<u8>>, CentreSimError> {
        Ok(lock(&self.inner.store).booth_key(booth_id)?)
    }

    /// Deletes the uploads idle for longer than the upload expiry (creations do it too);
    /// answers how many.
    pub fn expire_uploads(&self) -> Result<usize, CentreSimError> {
        self.uploads
            .expire()
            .map_err(|e| CentreSimError::Uploads(e.to_string()))
    }

    pub fn set_fault(&self, fault: Fault) {
        tracing::info!(?fault, "centre simulator fault");
        self.inner.fault.send_replace(fault);
    }

    /// The verdict every later packet for `nik` gets.
    pub fn script_verdict(&self, nik: &Nik, status: CentreStatus) {
        lock(&self.inner.scripted).insert(nik.to_string(), status);
    }

    /// The synthetic residents SIAK knows, in generation order.
    pub fn population(&self) -> &[Resident] {
        &self.inner.roster
    }

    /// How many distinct packets the centre holds.
    pub fn enrollments(&self) -> u64 {
        lock(&self.inner.store).count().unwrap_or(0)
    }

    /// Ingests the hand-carried backlog folder(s) at `dir` (docs/packet.md, section 8).
    pub async fn import(&self, dir: &Path) -> Result<import::ImportReport, import::ImportError> {
        let inner = self.inner.clone();
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || inner.import(&dir))
            .await
            .map_err(|e| import::ImportError::Internal(e.to_string()))?
    }

    /// How many whole packets reached ingest since start, repeats of one packet included.
    pub fn packets_received(&self) -> u64 {
        self.inner
            .packets_received
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod pki_tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_chip_pki_is_created_once_kept_private_and_loaded_again() {
        let dir = tempfile::tempdir().unwrap();
        let (clock, _hand) = Clock::manual("2026-11-25T02:00:00Z".parse().unwrap());
        let (csca, signer, file) = chip_pki(Some(dir.path()), &clock).unwrap();
        assert_eq!(
            file.as_deref(),
            Some(dir.path().join(CSCA_CERT_FILE).as_path())
        );
        for name in [
            CSCA_KEY_FILE,
            CSCA_CERT_FILE,
            SIGNER_KEY_FILE,
            SIGNER_CERT_FILE,
        ] {
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        // The document signer chains to the CSCA and the booth's verifier accepts the pair.
        let now = std::time::SystemTime::from(clock.now());
        ktpel_icao_lds::pa::check_csca(&csca.certificate, now).unwrap();
        assert_eq!(
            signer.certificate.tbs_certificate.issuer,
            csca.certificate.tbs_certificate.subject
        );
        // Loaded again: the same CSCA and document signer, not new ones.
        let (again_csca, again_signer, _) = chip_pki(Some(dir.path()), &clock).unwrap();
        assert_eq!(again_csca.certificate, csca.certificate);
        assert_eq!(again_signer.certificate, signer.certificate);
        // Half a PKI is an error, never silently replaced.
        std::fs::remove_file(dir.path().join(SIGNER_KEY_FILE)).unwrap();
        assert!(matches!(
            chip_pki(Some(dir.path()), &clock),
            Err(CentreSimError::Keys(_))
        ));
    }
}
