//! The client side, over `reqwest`.
//!
//! The conversation, one state per step: *create* (`POST`, answers the upload URL) →
//! *locate* (`HEAD`, answers the server's offset) → *send* (`PATCH` chunks from that offset,
//! each acknowledged before the next) → *done* (offset == length). After any failure the
//! caller resumes at *locate* with the URL it kept: only bytes the server does not hold are
//! sent again.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, LOCATION};
use reqwest::{Method, Response, StatusCode, Url};
use std::time::Duration;
use tracing::Instrument as _;

use crate::proto::{self, Algorithm, Metadata, TUS_VERSION};

/// Why an exchange failed. Each is distinct so the caller can decide: retry later
/// (`Transport`, `Timeout`, `Refused` 5xx), locate again (`OffsetConflict`,
/// `ChecksumMismatch`), start over (`Gone`), or stop and tell someone (`Garbage`,
/// `OffsetBeyondSent`, `LengthMismatch`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TusError {
    #[error("the upload server cannot be reached ({0})")]
    Transport(String),
    #[error("the upload server did not answer in time")]
    Timeout,
    #[error("the server holds offset {server:?}, not {sent} (409 Conflict)")]
    OffsetConflict { sent: u64, server: Option<u64> },
    #[error("the server found the chunk at offset {offset} damaged (460 Checksum Mismatch)")]
    ChecksumMismatch { offset: u64 },
    #[error("the server acknowledged offset {acknowledged}, beyond the {sent} bytes sent")]
    OffsetBeyondSent { acknowledged: u64, sent: u64 },
    #[error("the server's upload has length {server:?}, this one {local}")]
    LengthMismatch { server: Option<u64>, local: u64 },
    #[error("the upload is gone from the server (HTTP {0})")]
    Gone(u16),
    #[error("the upload server refused: HTTP {status}: {message}")]
    Refused { status: u16, message: String },
    #[error("the upload server's answer is not tus: {0}")]
    Garbage(String),
}

impl TusError {
    /// A short class for logs and the queue (no data).
    pub fn class(&self) -> String {
        match self {
            TusError::Transport(_) => "unreachable".into(),
            TusError::Timeout => "timeout".into(),
            TusError::OffsetConflict { .. } => "tus_offset_conflict".into(),
            TusError::ChecksumMismatch { .. } => "tus_checksum_mismatch".into(),
            TusError::OffsetBeyondSent { .. } => "tus_offset_beyond_sent".into(),
            TusError::LengthMismatch { .. } => "tus_length_mismatch".into(),
            TusError::Gone(s) => format!("tus_gone_{s}"),
            TusError::Refused { status, .. } => format!("http_{status}"),
            TusError::Garbage(_) => "garbage".into(),
        }
    }
}

fn transport(e: reqwest::Error) -> TusError {
    if e.is_timeout() {
        return TusError::Timeout;
    }
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    TusError::Transport(msg)
}

/// How the client cuts and guards an upload.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Bytes per `PATCH`; each costs a round trip. Against a server that keeps what reached it
    /// of a cut request (this crate's does, as tus core asks) a cut loses nothing whatever the
    /// size, so one request for the whole rest is fastest; against one that discards a cut
    /// request, smaller chunks lose less.
    pub chunk_size: usize,
    /// The checksum sent with each chunk; `None` sends none.
    pub checksum: Option<Algorithm>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            chunk_size: 64 * 1024,
            checksum: Some(Algorithm::Sha256),
        }
    }
}

/// A created upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub url: String,
    /// The offset the creation answer announced, when it did (an idempotent re-creation of
    /// an upload under way).
    pub offset: Option<u64>,
}

/// Where an upload stands on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub offset: u64,
    pub length: Option<u64>,
}

/// What the server says it speaks (`OPTIONS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    pub versions: Vec<String>,
    pub extensions: Vec<String>,
    pub max_size: Option<u64>,
    pub checksum_algorithms: Vec<String>,
}

#[derive(Clone)]
pub struct TusClient {
    http: reqwest::Client,
    /// Sent with every request (authorisation, say).
    headers: HeaderMap,
    config: ClientConfig,
}

fn number(h: &HeaderMap, name: &str) -> Result<Option<u64>, TusError> {
    proto::header_u64(h, name).map_err(|_| TusError::Garbage(format!("{name} is not a number")))
}

fn list(h: &HeaderMap, name: &str) -> Vec<String> {
    proto::header(h, name)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Every tus answer carries `Tus-Resumable: 1.0.0`; one that does not is from something else
/// (a captive portal, a proxy's error page).
fn tus_answer(status: u16, h: &HeaderMap) -> Result<(), TusError> {
    match proto::header(h, proto::TUS_RESUMABLE) {
        Some(TUS_VERSION) => Ok(()),
        Some(v) => Err(TusError::Garbage(format!(
            "Tus-Resumable {:?}, not 1.0.0",
            v.chars().take(16).collect::<String>()
        ))),
        None => Err(TusError::Garbage(format!(
            "HTTP {status} without Tus-Resumable"
        ))),
    }
}

/// The most of a refusal's body that is read: its message is cut to 200 characters anyway,
/// and a proxy's error page may be any size.
pub const MAX_REFUSAL_BODY: usize = 4096;

/// The server's answers read apart from the exchange, so that each can be checked (and
/// fuzzed) on its own: the status and headers in, the client's view out.
pub mod answer {
    use super::*;

    /// The answer to `OPTIONS` (a success status).
    pub fn capabilities(h: &HeaderMap) -> Result<Capabilities, TusError> {
        let versions = list(h, proto::TUS_VERSION_HEADER);
        if !versions.iter().any(|v| v == TUS_VERSION) {
            return Err(TusError::Garbage(
                "the server does not speak tus 1.0.0".into(),
            ));
        }
        Ok(Capabilities {
            versions,
            extensions: list(h, proto::TUS_EXTENSION),
            max_size: number(h, proto::TUS_MAX_SIZE)?,
            checksum_algorithms: list(h, proto::TUS_CHECKSUM_ALGORITHM),
        })
    }

    /// The answer to the `POST` that creates an upload of `length` bytes at `endpoint` (a
    /// success status).
    pub fn created(
        status: u16,
        h: &HeaderMap,
        endpoint: &str,
        length: u64,
    ) -> Result<Created, TusError> {
        tus_answer(status, h)?;
        if status != StatusCode::CREATED.as_u16() {
            return Err(TusError::Garbage(format!(
                "creation answered HTTP {status}, not 201"
            )));
        }
        let location = proto::header(h, LOCATION.as_str())
            .ok_or_else(|| TusError::Garbage("201 without Location".into()))?;
        let url = Url::parse(endpoint)
            .and_then(|base| base.join(location))
            .map_err(|_| TusError::Garbage("Location is not a URL".into()))?;
        let offset = number(h, proto::UPLOAD_OFFSET)?;
        if let Some(o) = offset {
            if o > length {
                return Err(TusError::OffsetBeyondSent {
                    acknowledged: o,
                    sent: length,
                });
            }
        }
        Ok(Created {
            url: url.to_string(),
            offset,
        })
    }

    /// The answer to `HEAD` (a success status).
    pub fn progress(status: u16, h: &HeaderMap) -> Result<Progress, TusError> {
        tus_answer(status, h)?;
        let offset = number(h, proto::UPLOAD_OFFSET)?
            .ok_or_else(|| TusError::Garbage("HEAD answer without Upload-Offset".into()))?;
        let length = number(h, proto::UPLOAD_LENGTH)?;
        Ok(Progress { offset, length })
    }

    /// The answer to a `PATCH` of `len` bytes at `offset` with a status of 2xx or 409; the
    /// acknowledged offset.
    pub fn patched(status: u16, h: &HeaderMap, offset: u64, len: u64) -> Result<u64, TusError> {
        let sent = offset.saturating_add(len);
        if status == 409 {
            let server = if tus_answer(status, h).is_ok() {
                number(h, proto::UPLOAD_OFFSET).ok().flatten()
            } else {
                None
            };
            return Err(TusError::OffsetConflict {
                sent: offset,
                server,
            });
        }
        tus_answer(status, h)?;
        let acknowledged = number(h, proto::UPLOAD_OFFSET)?
            .ok_or_else(|| TusError::Garbage("PATCH answer without Upload-Offset".into()))?;
        if acknowledged > sent {
            return Err(TusError::OffsetBeyondSent { acknowledged, sent });
        }
        if acknowledged < offset {
            return Err(TusError::Garbage(format!(
                "PATCH at {offset} answered offset {acknowledged}, behind it"
            )));
        }
        Ok(acknowledged)
    }

    /// A refusal's status and the start of its body.
    pub fn refused(status: u16, body: &[u8]) -> TusError {
        let text = String::from_utf8_lossy(&body[..body.len().min(MAX_REFUSAL_BODY)]);
        let message: String = text.chars().take(200).collect();
        match status {
            404 | 410 => TusError::Gone(status),
            _ => TusError::Refused { status, message },
        }
    }
}

async fn refused(mut resp: Response) -> TusError {
    let status = resp.status().as_u16();
    // Only the start of the body is kept: read no more than that from the wire.
    let mut body = Vec::new();
    while body.len() < MAX_REFUSAL_BODY {
        match resp.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    answer::refused(status, &body)
}

impl TusClient {
    pub fn new(http: reqwest::Client, config: ClientConfig) -> Self {
        Self {
            http,
            headers: HeaderMap::new(),
            config,
        }
    }

    /// Sends `value` as `name` with every request.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The same client (connections, headers) with another configuration.
    pub fn reconfigure(mut self, config: ClientConfig) -> Self {
        self.config = config;
        self
    }

    fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .headers(self.headers.clone())
            .header(proto::TUS_RESUMABLE, TUS_VERSION)
    }

    /// `OPTIONS` on the creation URL.
    pub async fn capabilities(&self, endpoint: &str) -> Result<Capabilities, TusError> {
        let resp = self
            .request(Method::OPTIONS, endpoint)
            .send()
            .await
            .map_err(transport)?;
        if !resp.status().is_success() {
            return Err(refused(resp).await);
        }
        answer::capabilities(resp.headers())
    }

    /// `POST`: creates an upload of `length` bytes; answers its absolute URL.
    pub async fn create(
        &self,
        endpoint: &str,
        length: u64,
        metadata: &Metadata,
    ) -> Result<Created, TusError> {
        let span = tracing::info_span!("tus.create", length);
        async {
            let mut req = self
                .request(Method::POST, endpoint)
                .header(proto::UPLOAD_LENGTH, length);
            if !metadata.is_empty() {
                req = req.header(proto::UPLOAD_METADATA, proto::encode_metadata(metadata));
            }
            let resp = req.send().await.map_err(transport)?;
            let status = resp.status();
            if !status.is_success() {
                return Err(refused(resp).await);
            }
            answer::created(status.as_u16(), resp.headers(), endpoint, length)
        }
        .instrument(span)
        .await
    }

    /// `HEAD`: the server's offset for the upload at `url`.
    pub async fn progress(&self, url: &str) -> Result<Progress, TusError> {
        let resp = self
            .request(Method::HEAD, url)
            .header(reqwest::header::CACHE_CONTROL, "no-store")
            .send()
            .instrument(tracing::debug_span!("tus.head"))
            .await
            .map_err(transport)?;
        if !resp.status().is_success() {
            return Err(refused(resp).await);
        }
        answer::progress(resp.status().as_u16(), resp.headers())
    }

    /// `PATCH`: sends `chunk` at `offset`; answers the new offset, which must be exactly
    /// `offset + chunk.len()`.
    pub async fn patch(&self, url: &str, offset: u64, chunk: Bytes) -> Result<u64, TusError> {
        let sent = offset + chunk.len() as u64;
        let mut req = self
            .request(Method::PATCH, url)
            .header(CONTENT_TYPE, proto::OFFSET_OCTET_STREAM)
            .header(proto::UPLOAD_OFFSET, offset);
        if let Some(alg) = self.config.checksum {
            req = req.header(proto::UPLOAD_CHECKSUM, alg.header_value(&chunk));
        }
        let resp = req
            .body(chunk)
            .send()
            .instrument(tracing::debug_span!("tus.patch", offset))
            .await
            .map_err(transport)?;
        let len = sent - offset;
        match resp.status().as_u16() {
            status @ (200..=299 | 409) => answer::patched(status, resp.headers(), offset, len),
            proto::CHECKSUM_MISMATCH => Err(TusError::ChecksumMismatch { offset }),
            _ => Err(refused(resp).await),
        }
    }

    /// Sends `data[from..]` chunk by chunk; `on_ack` hears each acknowledged offset (to keep
    /// it durable). Answers when the server holds all of `data`.
    pub async fn send_from(
        &self,
        url: &str,
        data: &Bytes,
        from: u64,
        mut on_ack: impl FnMut(u64),
    ) -> Result<(), TusError> {
        let length = data.len() as u64;
        if from > length {
            return Err(TusError::OffsetBeyondSent {
                acknowledged: from,
                sent: length,
            });
        }
        let chunk = self.config.chunk_size.max(1) as u64;
        let mut offset = from;
        while offset < length {
            let end = (offset + chunk).min(length);
            let piece = data.slice(offset as usize..end as usize);
            let acknowledged = self.patch(url, offset, piece).await?;
            if acknowledged == offset {
                return Err(TusError::Garbage(format!(
                    "PATCH at {offset} acknowledged nothing"
                )));
            }
            offset = acknowledged;
            on_ack(offset);
        }
        Ok(())
    }

    /// Locates the upload at `url` and sends what the server does not hold yet.
    pub async fn resume(
        &self,
        url: &str,
        data: &Bytes,
        on_ack: impl FnMut(u64),
    ) -> Result<u64, TusError> {
        let length = data.len() as u64;
        let p = self.progress(url).await?;
        if p.length.is_some_and(|l| l != length) {
            return Err(TusError::LengthMismatch {
                server: p.length,
                local: length,
            });
        }
        if p.offset > length {
            return Err(TusError::OffsetBeyondSent {
                acknowledged: p.offset,
                sent: length,
            });
        }
        tracing::info!(offset = p.offset, length, "tus resuming");
        self.send_from(url, data, p.offset, on_ack).await?;
        Ok(p.offset)
    }
}

/// A reqwest client suited to uploads on a weak link: long total timeout, short connect
/// timeout, connections kept for the next chunk.
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, TusError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
        .map_err(transport)
}
