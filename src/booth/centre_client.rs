//! The booth's side of the wire: SIAK look-ups, sending packets, asking for verdicts.
//! Every answer is checked before it is believed; anything else is an error the transmitter
//! retries.

use bytes::Bytes;
use ktpel_tus::client::{ClientConfig, Created, Progress, TusClient, TusError};
use ktpel_tus::{Algorithm, Metadata};
use reqwest::StatusCode;
use std::time::Duration;
use tracing::Instrument as _;
use uuid::Uuid;

use crate::domain::resident::Resident;
use crate::wire::centre::{
    IngestReply, IssuedReport, RecordHistory, VerdictEntry, VerdictQuery, VerdictReply,
    CBOR_CONTENT_TYPE, INGEST_PATH, ISSUED_PATH, RECORDS_PATH, SIAK_RESIDENT_PATH, UPLOADS_PATH,
    UPLOAD_CHECKSUM_KEY, UPLOAD_PACKET_ID_KEY, VERDICTS_PATH,
};
use crate::wire::http::{json, refusal, transport, Trouble};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CentreError {
    #[error("the centre cannot be reached ({0})")]
    Unreachable(String),
    #[error("the centre did not answer in time")]
    Timeout,
    #[error("the centre answered HTTP {status}: {message}")]
    Http {
        status: u16,
        code: String,
        message: String,
    },
    #[error("the centre's answer could not be understood: {0}")]
    Garbage(String),
    #[error("SIAK has no resident with this NIK")]
    NotFound,
    #[error("SIAK refused the NIK: {0}")]
    InvalidNik(String),
    /// A resumable upload went wrong in a way only tus can say (a wrong offset, a checksum
    /// refusal, an offset beyond what was sent, an upload the centre no longer has).
    #[error("upload: {0}")]
    Upload(TusError),
}

impl CentreError {
    /// A short class for the queue's last error and the audit chain (no personal data).
    pub fn class(&self) -> String {
        match self {
            CentreError::Unreachable(_) => "unreachable".into(),
            CentreError::Timeout => "timeout".into(),
            CentreError::Http { status, code, .. } => format!("http_{status}_{code}"),
            CentreError::Garbage(_) => "garbage".into(),
            CentreError::NotFound => "not_found".into(),
            CentreError::InvalidNik(_) => "invalid_nik".into(),
            CentreError::Upload(e) => e.class(),
        }
    }
}

impl From<TusError> for CentreError {
    fn from(e: TusError) -> Self {
        match e {
            TusError::Transport(m) => CentreError::Unreachable(m),
            TusError::Timeout => CentreError::Timeout,
            TusError::Garbage(m) => CentreError::Garbage(m),
            // The centre explains refusals with its usual error body.
            TusError::Refused { status, message } => {
                match serde_json::from_str::<crate::wire::http::ApiError>(&message) {
                    Ok(body) => CentreError::Http {
                        status,
                        code: body.error,
                        message: body.message,
                    },
                    Err(_) => CentreError::Http {
                        status,
                        code: "unknown".into(),
                        message,
                    },
                }
            }
            other => CentreError::Upload(other),
        }
    }
}

/// The default largest tus `PATCH` body: 4 MiB, so a packet (a `field` one is about 150 KB, a
/// `lossless` one about 900 KB) goes up in one request, one round trip. A cut costs nothing
/// sent again: the centre keeps what reached it (tus core), and the whole packet's checksum,
/// checked before ingest, covers those bytes. See docs/packet.md, section 7.
pub const DEFAULT_UPLOAD_REQUEST: usize = 4 * 1024 * 1024;

/// The smallest request the link-rate cap goes down to.
const MIN_UPLOAD_REQUEST: usize = 16 * 1024;

/// The largest `PATCH` body for a link measured at `rate_bps` (if it was) with requests given
/// `timeout`: at most `max`, and at most what the link carries in half the timeout, so a
/// request on a slow link ends well within it.
pub fn upload_request_for(max: usize, rate_bps: Option<u64>, timeout: Duration) -> usize {
    let max = max.max(1);
    match rate_bps {
        Some(rate) if rate > 0 => {
            let fits = (rate as u128 * timeout.as_millis() / 2 / 8 / 1000) as usize;
            fits.clamp(MIN_UPLOAD_REQUEST.min(max), max)
        }
        _ => max,
    }
}

impl From<Trouble> for CentreError {
    fn from(t: Trouble) -> Self {
        match t {
            Trouble::Timeout => CentreError::Timeout,
            Trouble::Unreachable(m) => CentreError::Unreachable(m),
            Trouble::Garbage(m) => CentreError::Garbage(m),
            Trouble::Refused(r) => CentreError::Http {
                status: r.status.as_u16(),
                code: r.code,
                message: r.message,
            },
        }
    }
}

#[derive(Clone)]
pub struct CentreClient {
    http: reqwest::Client,
    siak_url: String,
    centre_url: String,
    siak_key: String,
    centre_key: String,
    tus: TusClient,
    /// The largest `PATCH` body (`[transmit] upload_request_kib`).
    upload_request: usize,
    timeout: Duration,
}

impl CentreClient {
    pub fn new(
        siak_url: &str,
        centre_url: &str,
        siak_key: &str,
        centre_key: &str,
        timeout: Duration,
    ) -> Result<Self, CentreError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("ktpel-booth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CentreError::Unreachable(e.to_string()))?;
        let bearer = reqwest::header::HeaderValue::from_str(&format!("Bearer {centre_key}"))
            .map_err(|_| CentreError::Unreachable("the centre key is not a header value".into()))?;
        let tus = TusClient::new(
            http.clone(),
            ClientConfig {
                chunk_size: DEFAULT_UPLOAD_REQUEST,
                checksum: Some(Algorithm::Sha256),
            },
        )
        .with_header(reqwest::header::AUTHORIZATION, bearer);
        Ok(Self {
            http,
            siak_url: siak_url.trim_end_matches('/').into(),
            centre_url: centre_url.trim_end_matches('/').into(),
            siak_key: siak_key.into(),
            centre_key: centre_key.into(),
            tus,
            upload_request: DEFAULT_UPLOAD_REQUEST,
            timeout,
        })
    }

    /// At most `bytes` per upload `PATCH` (`[transmit] upload_request_kib`).
    pub fn with_upload_request(mut self, bytes: usize) -> Self {
        self.upload_request = bytes.max(1);
        self
    }

    /// Bytes per upload `PATCH` on a link measured at `rate_bps`.
    pub fn upload_request_size(&self, rate_bps: Option<u64>) -> usize {
        upload_request_for(self.upload_request, rate_bps, self.timeout)
    }

    /// tus creation for packet `id`, whose sealed bytes are `packet`. Idempotent by packet id:
    /// the centre answers the same upload (and where it stands) when asked again. The
    /// metadata carries the whole packet's SHA-256, checked by the centre before ingest.
    pub async fn create_upload(&self, id: Uuid, packet: &[u8]) -> Result<Created, CentreError> {
        let length = packet.len() as u64;
        let mut metadata = Metadata::new();
        metadata.insert(UPLOAD_PACKET_ID_KEY.into(), id.to_string().into_bytes());
        metadata.insert(
            UPLOAD_CHECKSUM_KEY.into(),
            Algorithm::Sha256.header_value(packet).into_bytes(),
        );
        Ok(self
            .tus
            .create(
                &format!("{}{UPLOADS_PATH}", self.centre_url),
                length,
                &metadata,
            )
            .await?)
    }

    /// tus `HEAD`: how much of the upload at `url` the centre holds.
    pub async fn upload_progress(&self, url: &str) -> Result<Progress, CentreError> {
        Ok(self.tus.progress(url).await?)
    }

    /// tus `PATCH`: `chunk` at `offset`; answers the offset the centre acknowledged.
    pub async fn upload_chunk(
        &self,
        url: &str,
        offset: u64,
        chunk: Bytes,
    ) -> Result<u64, CentreError> {
        Ok(self.tus.patch(url, offset, chunk).await?)
    }

    /// SIAK: the resident with this NIK.
    pub async fn resident(&self, nik: &str) -> Result<Resident, CentreError> {
        self.resident_inner(nik)
            .instrument(tracing::info_span!("siak.lookup"))
            .await
    }

    async fn resident_inner(&self, nik: &str) -> Result<Resident, CentreError> {
        let resp = self
            .http
            .get(format!("{}{SIAK_RESIDENT_PATH}/{nik}", self.siak_url))
            .bearer_auth(&self.siak_key)
            .send()
            .await
            .map_err(transport)?;
        match resp.status() {
            StatusCode::OK => {
                let r: Resident = json(resp, &[StatusCode::OK]).await?;
                if r.nik.as_str() != nik {
                    return Err(CentreError::Garbage(
                        "SIAK answered with another resident".into(),
                    ));
                }
                Ok(r)
            }
            StatusCode::NOT_FOUND => Err(CentreError::NotFound),
            StatusCode::BAD_REQUEST => match refusal(resp).await {
                Trouble::Refused(r) => Err(CentreError::InvalidNik(r.message)),
                other => Err(other.into()),
            },
            _ => Err(refusal(resp).await.into()),
        }
    }

    /// Sends one sealed packet whole, in one `PUT` (the centre's older endpoint, kept for
    /// booths without resumable uploads); `Ok` only when the centre confirms this very packet.
    pub async fn send(&self, id: Uuid, envelope: Vec<u8>) -> Result<IngestReply, CentreError> {
        let resp = self
            .http
            .put(format!("{}{INGEST_PATH}/{id}", self.centre_url))
            .bearer_auth(&self.centre_key)
            .header(reqwest::header::CONTENT_TYPE, CBOR_CONTENT_TYPE)
            .body(envelope)
            .send()
            .await
            .map_err(transport)?;
        let reply: IngestReply = json(resp, &[StatusCode::OK, StatusCode::CREATED]).await?;
        if reply.packet_id != id || reply.status != "received" {
            return Err(CentreError::Garbage(
                "the centre confirmed another packet".into(),
            ));
        }
        Ok(reply)
    }

    /// Asks where these packets stand; answers only entries for packets that were asked for.
    pub async fn verdicts(&self, ids: &[Uuid]) -> Result<Vec<VerdictEntry>, CentreError> {
        let resp = self
            .http
            .post(format!("{}{VERDICTS_PATH}", self.centre_url))
            .bearer_auth(&self.centre_key)
            .json(&VerdictQuery {
                packet_ids: ids.to_vec(),
            })
            .send()
            .await
            .map_err(transport)?;
        let reply: VerdictReply = json(resp, &[StatusCode::OK]).await?;
        Ok(reply
            .verdicts
            .into_iter()
            .filter(|v| ids.contains(&v.packet_id))
            .collect())
    }

    /// What the centre holds for `nik` (empty when never recorded), so a re-recording is
    /// caught before capture.
    pub async fn records(&self, nik: &str) -> Result<RecordHistory, CentreError> {
        let resp = self
            .http
            .get(format!("{}{RECORDS_PATH}/{nik}", self.centre_url))
            .bearer_auth(&self.centre_key)
            .send()
            .instrument(tracing::info_span!("centre.records"))
            .await
            .map_err(transport)?;
        Ok(json(resp, &[StatusCode::OK]).await?)
    }

    /// Tells the centre the card of print-ready packet `id` was handed over.
    pub async fn report_issued(&self, id: Uuid, at: jiff::Timestamp) -> Result<(), CentreError> {
        let resp = self
            .http
            .post(format!("{}{ISSUED_PATH}", self.centre_url))
            .bearer_auth(&self.centre_key)
            .json(&IssuedReport {
                packet_id: id,
                issued_at_ms: at.as_millisecond(),
            })
            .send()
            .instrument(tracing::info_span!("centre.issued", packet = %id))
            .await
            .map_err(transport)?;
        if resp.status() == StatusCode::OK {
            Ok(())
        } else {
            Err(refusal(resp).await.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_size_is_the_configured_one_until_the_link_is_measured_then_what_it_carries_in_half_the_timeout(
    ) {
        let t = Duration::from_secs(30);
        assert_eq!(upload_request_for(4 << 20, None, t), 4 << 20);
        // 384 kbit/s for 15 s: 720 000 bytes.
        assert_eq!(upload_request_for(4 << 20, Some(384_000), t), 720_000);
        // A fast link: the configured bound.
        assert_eq!(upload_request_for(4 << 20, Some(100_000_000), t), 4 << 20);
        // A crawling link: never below 16 KiB, nor above the bound.
        assert_eq!(upload_request_for(4 << 20, Some(1_000), t), 16 * 1024);
        assert_eq!(upload_request_for(8 * 1024, Some(1_000), t), 8 * 1024);
    }
}
