//! The centre: the wire contract ([`api`]), the booth's client ([`client`]) and the centre
//! simulator — SIAK look-up over a synthetic population, enrollment ingest and verdicts — served
//! over real HTTP on loopback, in-process for the default config or as `ktpel-booth central-sim`.

pub mod decide;
pub mod server;
pub mod store;

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
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
use crate::seal::{CentreSecretKey, DocumentSigner, SealedPacket};

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
    signer: DocumentSigner,
    store: Mutex<CentreStore>,
    population: HashMap<String, Resident>,
    roster: Vec<Resident>,
    fault: watch::Sender<Fault>,
    scripted: Mutex<HashMap<String, CentreStatus>>,
    bundles: Mutex<HashMap<Uuid, Personalization>>,
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
            document_signer_b64: B64.encode(self.signer.public()),
        }
    }

    fn ingest(&self, id: Uuid, body: &[u8]) -> Result<(IngestOutcome, IngestReply), RequestError> {
        let _span = tracing::info_span!("centre.ingest", packet = %id).entered();
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
        Ok(lock(&self.store).mark_issued(report.packet_id, report.issued_at_ms)?)
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

/// A running centre simulator. Dropping it stops the server.
pub struct CentreSim {
    inner: Arc<Inner>,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for CentreSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CentreSim {
    /// Generates (or loads) keys, builds the population and starts serving.
    pub async fn start(config: CentreSimConfig) -> Result<Self, CentreSimError> {
        let (hpke, signer, nik_key, db) = match &config.state_dir {
            Some(dir) => {
                let load = |name: &str, gen: &dyn Fn() -> Vec<u8>| {
                    keyfile::load_or_create(&dir.join(name), 32, gen)
                        .map_err(|e| CentreSimError::Keys(e.to_string()))
                };
                let hpke = load("hpke-x25519.key", &|| {
                    CentreSecretKey::generate().to_bytes()
                })?;
                let signer = load("document-signer-ed25519.key", &|| {
                    DocumentSigner::generate().to_bytes().to_vec()
                })?;
                let nik_key = load("nik-tag.key", &|| {
                    crate::seal::LocalKey::generate_bytes().to_vec()
                })?;
                (hpke, signer, nik_key, Some(dir.join("centre.db")))
            }
            None => (
                CentreSecretKey::generate().to_bytes(),
                DocumentSigner::generate().to_bytes().to_vec(),
                crate::seal::LocalKey::generate_bytes().to_vec(),
                None,
            ),
        };
        let hpke =
            CentreSecretKey::from_bytes(&hpke).map_err(|e| CentreSimError::Keys(e.to_string()))?;
        let signer =
            DocumentSigner::from_bytes(&signer).map_err(|e| CentreSimError::Keys(e.to_string()))?;
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
            signer,
            store: Mutex::new(store),
            population,
            roster,
            fault,
            scripted: Mutex::new(HashMap::new()),
            bundles: Mutex::new(HashMap::new()),
        });
        let uploads = server::uploads(&inner).map_err(CentreSimError::Uploads)?;
        let router = server::router(inner.clone(), uploads);
        let task = tokio::spawn(server::supervise(listener, addr, router, faults));
        tracing::info!(%addr, "centre simulator listening");
        Ok(Self { inner, addr, task })
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

    pub fn document_signer_public(&self) -> [u8; 32] {
        self.inner.signer.public()
    }

    pub fn siak_api_key(&self) -> &str {
        &self.inner.config.siak_api_key
    }

    pub fn centre_api_key(&self) -> &str {
        &self.inner.config.centre_api_key
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
}
