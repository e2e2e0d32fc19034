//! The booth at run time: its keys, its queue, its centre (embedded or remote) and the
//! operations the workflow calls — look a NIK up in SIAK, record an enrollment.

pub mod centre_client;
pub mod desk_client;
pub mod devices;
pub mod discovery;
pub mod disk;
pub mod doctor;
pub mod export;
pub mod issuance;
pub mod keys;
pub mod procedure;
pub mod recording;
pub mod report;
pub mod selftest;
pub mod service;
pub mod transmit;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

use crate::booth::centre_client::{CentreClient, CentreError};
use crate::booth::transmit::{Settings, Transmitter};
use crate::clock::{add, Clock};
use crate::config::{CentreConfig, Config};
use crate::domain::nik::{Nik, NikError};
use crate::domain::resident::Resident;
use crate::enrollment::{Enrollment, IncompleteEnrollment};
use crate::queue::{ApplicantSummary, Committed, NewRecord, Queue, QueueError};
use crate::seal::{self, BoothKey, CentrePublicKey, SealError};

pub const QUEUE_FILE: &str = "queue.db";
pub use keys::{BOOTH_KEY_FILE, BOOTH_TPM_KEY_FILE, LOCAL_KEY_FILE, LOCAL_TPM_KEY_FILE};
/// `[complaints] desk = "embedded"`: the desk runs inside the booth (the `embedded` module).
pub const EMBEDDED: &str = "embedded";

#[derive(Debug, thiserror::Error)]
pub enum BoothError {
    #[error("key file: {0}")]
    Keys(String),
    #[error("{0}")]
    Queue(#[from] QueueError),
    #[error("{0} is configured as embedded: start the booth through `embedded::start`")]
    NeedsEmbedded(&'static str),
    #[error("the embedded {what} could not start: {why}")]
    Embedded { what: &'static str, why: String },
    #[error("the centre client could not be set up: {0}")]
    Client(#[from] CentreError),
    #[error("a configured key is not valid: {0}")]
    BadKey(#[from] SealError),
    #[error("the complaint desk: {0}")]
    Desk(String),
    #[error("the devices could not be set up: {0}")]
    Devices(String),
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum LookupError {
    #[error("{0}")]
    InvalidNik(#[from] NikError),
    #[error("{0}")]
    Centre(#[from] CentreError),
    #[error(transparent)]
    NotYours(service::NotYours),
    #[error("this booth's records could not be read: {0}")]
    Queue(QueueError),
    /// A new recording refused: its sealed record might not fit on the disk.
    #[error(transparent)]
    LowDisk(disk::LowDisk),
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    NotYours(service::NotYours),
    #[error("the record is incomplete: {0}")]
    Incomplete(#[from] IncompleteEnrollment),
    #[error("the record could not be sealed: {0}")]
    Seal(String),
    #[error("{0}")]
    Queue(#[from] QueueError),
    /// The office's rules ask a supervisor to approve this record first (the cases, as codes).
    #[error("a supervisor must approve this record before it is saved ({0})")]
    NeedsApproval(String),
}

/// The data directory's files, for tools that only read the queue (keys where the default
/// settings find them: files, or the TPM at the default TCTI).
pub fn open_store(data_dir: &Path, booth_number: u8) -> Result<crate::queue::Store, BoothError> {
    open_store_with(data_dir, booth_number, &keys::KeySettings::default())
}

/// The data directory's files with the keys where `settings` say.
pub fn open_store_with(
    data_dir: &Path,
    booth_number: u8,
    settings: &keys::KeySettings,
) -> Result<crate::queue::Store, BoothError> {
    let local = keys::local_key(data_dir, settings)?;
    Ok(crate::queue::Store::open(
        &data_dir.join(QUEUE_FILE),
        local,
        booth_number,
    )?)
}

pub struct Booth {
    pub config: Config,
    pub data_dir: PathBuf,
    pub clock: Clock,
    pub queue: Queue,
    pub client: CentreClient,
    centre_public: CentrePublicKey,
    trusted_csca: ktpel_icao_lds::Certificate,
    booth_key: Arc<BoothKey>,
    key_place: keys::KeyPlace,
    /// The office's complaint desk.
    pub desk: crate::booth::desk_client::DeskClient,
    /// Services started for this booth (the embedded simulators of a demonstration config),
    /// kept running as long as the booth is.
    services: Vec<Box<dyn std::any::Any + Send + Sync>>,
}

impl Booth {
    /// Opens the data directory (creating keys on first start), the queue, and the clients of
    /// the centre and the complaint desk the config names. A config that asks for the embedded
    /// simulators is started by the `embedded` module, which points it at them first.
    pub async fn start(
        config: Config,
        data_dir: PathBuf,
        clock: Clock,
    ) -> Result<Self, BoothError> {
        let CentreConfig::Remote(remote) = &config.centre else {
            return Err(BoothError::NeedsEmbedded("the centre"));
        };
        if config.complaints.desk == EMBEDDED {
            return Err(BoothError::NeedsEmbedded("the complaint desk"));
        }
        let timeout = Duration::from_secs(config.transmit.request_timeout_secs);
        let client = CentreClient::new(
            &remote.siak_url,
            &remote.centre_url,
            &remote.siak_api_key,
            &remote.centre_api_key,
            timeout,
        )?
        .with_upload_request(
            usize::try_from(config.transmit.upload_request_kib.saturating_mul(1024))
                .unwrap_or(usize::MAX),
        );
        let centre_public = CentrePublicKey::from_bytes(&remote.hpke_public_key)?;
        let trusted_csca = std::fs::read(&remote.csca_certificate)
            .map_err(|e| e.to_string())
            .and_then(|b| ktpel_icao_lds::pki::read_certificate(&b).map_err(|e| e.to_string()))
            .map_err(|e| {
                BoothError::Keys(format!(
                    "the CSCA certificate {}: {e}",
                    remote.csca_certificate.display()
                ))
            })?;
        let desk = crate::booth::desk_client::DeskClient::new(
            &config.complaints.desk,
            &config.complaints.api_key,
            timeout,
        )
        .map_err(|e| BoothError::Desk(e.to_string()))?;
        crate::private_fs::create_dir(&data_dir)
            .map_err(|e| BoothError::Keys(format!("{}: {e}", data_dir.display())))?;
        let settings = keys::KeySettings::of(&config.booth);
        let keys_dir = data_dir.clone();
        let opened = tokio::task::spawn_blocking(move || keys::open(&keys_dir, &settings))
            .await
            .map_err(|e| BoothError::Keys(e.to_string()))??;
        let booth_key = Arc::new(opened.booth);
        let local = opened.local;
        let key_place = opened.place;
        if !key_place.in_tpm() {
            tracing::warn!(booth = %config.booth.id, "{}", key_place.summary());
        }
        let queue_path = data_dir.join(QUEUE_FILE);
        let number = config.booth.number;
        let queue = tokio::task::spawn_blocking(move || Queue::open(&queue_path, local, number))
            .await
            .map_err(|e| BoothError::Queue(QueueError::Io(e.to_string())))??;
        tracing::info!(
            booth = %config.booth.id,
            data_dir = %data_dir.display(),
            booth_key = %B64.encode(booth_key.public()),
            key_algorithm = booth_key.algorithm().name(),
            keys = %key_place.summary(),
            "booth started"
        );
        Ok(Self {
            config,
            data_dir,
            clock,
            queue,
            client,
            centre_public,
            trusted_csca,
            booth_key,
            key_place,
            desk,
            services: Vec::new(),
        })
    }

    /// Keeps `service` running as long as the booth (an embedded simulator).
    pub fn keep_running(&mut self, service: Box<dyn std::any::Any + Send + Sync>) {
        self.services.push(service);
    }

    /// Where this booth's keys are (the technician area and the logs say it).
    pub fn key_place(&self) -> &keys::KeyPlace {
        &self.key_place
    }

    /// The public half of this booth's signing key, as its packets carry it.
    pub fn booth_public_key(&self) -> Vec<u8> {
        self.booth_key.public()
    }

    /// The transmitter for this booth's queue and centre (not yet running).
    /// The country signing CA the booth trusts for chip security objects.
    pub fn trusted_csca(&self) -> &ktpel_icao_lds::Certificate {
        &self.trusted_csca
    }

    pub fn transmitter(&self) -> Transmitter {
        Transmitter::new(
            self.queue.clone(),
            self.client.clone(),
            self.clock.clone(),
            Settings::from(&self.config.transmit),
            self.trusted_csca.clone(),
        )
        .with_desk(self.desk.clone())
    }

    /// Checks the NIK here first (so the operator learns exactly which part is wrong), then asks
    /// SIAK for the resident.
    pub async fn lookup(&self, nik: &str) -> Result<Resident, LookupError> {
        let today = crate::clock::wib_date(self.clock.now());
        let nik = Nik::parse(nik.trim(), today)?;
        Ok(self.client.resident(nik.as_str()).await?)
    }

    /// Seals `enrollment` and makes it durable. Only when this returns `Ok` may the UI say
    /// "recorded". `wake` (the transmitter's) is notified so sending starts at once.
    pub async fn record(
        &self,
        enrollment: Enrollment,
        wake: Option<&Notify>,
    ) -> Result<Committed, RecordError> {
        enrollment.check_complete()?;
        let centre = self.centre_public.clone();
        let key = self.booth_key.clone();
        let profile = self.config.packet.profile;
        let summary = ApplicantSummary {
            name: enrollment.resident.name.clone(),
            nik: enrollment.resident.nik.to_string(),
        };
        let packet_id = enrollment.packet_id;
        let approvals = enrollment.approvals.clone();
        let facts = statistics_facts(&enrollment);
        let envelope = tokio::task::spawn_blocking(move || {
            seal::seal(&enrollment, profile, &centre, &key).and_then(|p| p.to_cbor())
        })
        .await
        .map_err(|e| RecordError::Seal(e.to_string()))?
        .map_err(|e| RecordError::Seal(e.to_string()))?;
        let now = self.clock.now();
        let committed = self
            .queue
            .commit(NewRecord {
                packet_id,
                envelope,
                summary,
                recorded_at: now,
                deadline_at: add(now, self.config.verdict_wait()),
                approvals,
                facts,
                awaiting_review: self.config.procedure.review_before_send,
            })
            .await?;
        if let Some(w) = wake {
            w.notify_one();
        }
        Ok(committed)
    }
}

/// What the office's statistics keep of `enrollment`: the step times against the SOP's
/// standard, the exceptions and the operator, nothing personal.
fn statistics_facts(enrollment: &Enrollment) -> crate::queue::RecordingFacts {
    use ktpel_hal::{FingerRecord, IrisRecord};
    use recording::{slot_code, Exception, Slot};
    let captured = |slot: Slot, q: ktpel_hal::Quality| crate::queue::CaptureFact {
        slot: slot_code(slot).to_string(),
        quality: Some(q.0),
        min: Some(slot.quality_min().0),
        exception: None,
    };
    let excepted = |slot: Slot, x: Exception| crate::queue::CaptureFact {
        slot: slot_code(slot).to_string(),
        quality: None,
        min: None,
        exception: Some(recording::exception_code(x).to_string()),
    };
    let mut captures = vec![captured(Slot::Face, enrollment.face.quality)];
    captures.extend(enrollment.fingers.iter().map(|f| match f {
        FingerRecord::Captured(c) => captured(Slot::Finger(c.position), c.quality),
        FingerRecord::Exception {
            position,
            exception,
        } => excepted(Slot::Finger(*position), Exception::Finger(*exception)),
    }));
    captures.extend(enrollment.irises.iter().map(|i| match i {
        IrisRecord::Captured(c) => captured(Slot::Iris(c.eye), c.quality),
        IrisRecord::Exception { eye, exception } => {
            excepted(Slot::Iris(*eye), Exception::Iris(*exception))
        }
    }));
    let exceptions = captures.iter().filter(|c| c.exception.is_some()).count();
    crate::queue::RecordingFacts {
        operator_id: enrollment.operator_id.clone(),
        steps: enrollment
            .step_timings
            .iter()
            .map(|t| crate::queue::StepFact {
                step: t.step.clone(),
                seconds: t.seconds,
                standard: procedure::Step::from_key(&t.step)
                    .map_or(0, |s| s.standard().as_secs() as u32),
            })
            .collect(),
        exceptions: exceptions as u32,
        captures,
    }
}
