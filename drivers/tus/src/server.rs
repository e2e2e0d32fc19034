//! The server side: a state machine that answers each tus request from an [`UploadStore`],
//! and an axum router over it.
//!
//! One state per upload: *open* (`offset < length`) or *complete* (`offset == length`). A
//! `PATCH` moves an open upload forward only when its `Upload-Offset` is the upload's offset
//! (else 409), its checksum matches (else 460) and it stays within the length (else 413). The
//! `PATCH` that would complete an upload first hands the whole upload to the [`Completion`]
//! hook; if the hook refuses, the last bytes are not acknowledged and the client's retry asks
//! again, so the hook sees each upload complete at least once and must itself be idempotent.
//!
//! A `PATCH` whose body is cut short (the connection drops) keeps what arrived, as the core
//! protocol asks ("the Server SHOULD always attempt to store as much of the received data as
//! possible"): a client may send the whole rest of an upload in one request and, after a cut,
//! resend only what the server did not receive. Its `Upload-Checksum` covers the whole body and
//! cannot be checked on a part, so such bytes are unverified; the checksum of the whole upload
//! ([`ServerConfig::upload_checksum_key`], a metadata value) is checked before completion, and
//! an upload that fails it is deleted (460): the client starts it again.
//!
//! Once the hook has taken a completed upload, its bytes are deleted; the upload is kept as a
//! record (complete, no data) so that a client that missed the last answer finds it done. Open
//! uploads and those records are deleted after [`ServerConfig::expire_after`] without activity
//! (extensions: creation, checksum, termination).

// Early answers travel as `Err(Reply)` inside one request's handling and are never stored:
// boxing them would buy nothing.
#![allow(clippy::result_large_err)]

use http::{HeaderMap, HeaderValue, StatusCode};
use sha2::Digest as _;
use std::collections::HashMap;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::proto::{self, Algorithm, Metadata, TUS_VERSION};

/// What the server knows of one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadInfo {
    pub id: String,
    pub length: u64,
    /// Bytes received and acknowledged.
    pub offset: u64,
    pub metadata: Metadata,
}

impl UploadInfo {
    pub fn is_complete(&self) -> bool {
        self.offset == self.length
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("the upload holds {current} bytes, not {claimed}")]
    OffsetMismatch { current: u64, claimed: u64 },
    #[error("no such upload")]
    NotFound,
    #[error("the upload exists with length {existing}")]
    LengthConflict { existing: u64 },
    #[error("upload storage: {0}")]
    Io(String),
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(e.to_string())
    }
}

/// Where uploads live. Implementations serialise their own writes; the server additionally
/// never runs two requests on one upload at once.
pub trait UploadStore: Send + Sync + 'static {
    /// Creates upload `id`, or answers the existing one (`false`) when `id` exists with the
    /// same length.
    fn create(
        &self,
        id: &str,
        length: u64,
        metadata: &Metadata,
    ) -> Result<(UploadInfo, bool), StoreError>;
    fn get(&self, id: &str) -> Result<Option<UploadInfo>, StoreError>;
    /// Appends `data` at `offset`, which must be the upload's offset; durable when it returns.
    fn append(&self, id: &str, offset: u64, data: &[u8]) -> Result<UploadInfo, StoreError>;
    /// The acknowledged bytes.
    fn read(&self, id: &str) -> Result<Vec<u8>, StoreError>;
    /// Marks the upload complete (offset = length) and deletes its bytes: the completion hook
    /// has taken them.
    fn finish(&self, id: &str) -> Result<UploadInfo, StoreError>;
    /// Deletes the upload, bytes and record; deleting one that does not exist is not an error.
    fn delete(&self, id: &str) -> Result<(), StoreError>;
    /// Every upload's id.
    fn list(&self) -> Result<Vec<String>, StoreError>;
}

/// A refusal by the [`Completion`] hook, answered as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: String,
}

/// Called with an upload's whole content before its last bytes are acknowledged.
pub trait Completion: Send + Sync + 'static {
    fn complete(&self, upload: &UploadInfo, data: &[u8]) -> Result<(), Rejection>;
}

/// Keeps completed uploads in the store and does nothing else.
pub struct KeepOnly;

impl Completion for KeepOnly {
    fn complete(&self, _: &UploadInfo, _: &[u8]) -> Result<(), Rejection> {
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The creation URL; uploads live at `{base_path}/{id}`.
    pub base_path: String,
    pub max_size: u64,
    /// The largest `PATCH` body accepted.
    pub max_chunk: usize,
    /// The metadata key whose value identifies an upload (creation is idempotent by it), and
    /// which every creation must carry.
    pub idempotency_key: Option<String>,
    /// Refuse `PATCH`es without `Upload-Checksum`.
    pub require_checksum: bool,
    /// The metadata key whose value is the checksum of the whole upload (`<algorithm>
    /// <base64>`, as `Upload-Checksum`): checked before completion, which covers bytes kept
    /// from a cut request. `None`: not checked.
    pub upload_checksum_key: Option<String>,
    /// Uploads (open, or completed and emptied) with no request for this long are deleted.
    /// `None`: kept until deleted by the client.
    pub expire_after: Option<std::time::Duration>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            base_path: "/files".into(),
            max_size: 64 * 1024 * 1024,
            max_chunk: 8 * 1024 * 1024,
            idempotency_key: None,
            require_checksum: false,
            upload_checksum_key: None,
            expire_after: None,
        }
    }
}

/// An answer, before it is turned into an HTTP response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    fn new(status: StatusCode) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(proto::TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
        Self {
            status,
            headers,
            body: String::new(),
        }
    }

    fn text(status: StatusCode, body: impl Into<String>) -> Self {
        let mut r = Self::new(status);
        r.headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r.body = body.into();
        r
    }

    fn header(mut self, name: &'static str, value: impl ToString) -> Self {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            self.headers.insert(name, v);
        }
        self
    }

    /// The offset header, read back by tests.
    pub fn offset(&self) -> Option<u64> {
        self.headers
            .get(proto::UPLOAD_OFFSET)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }
}

fn parse_u64(h: &HeaderMap, name: &str) -> Result<Option<u64>, Reply> {
    proto::header_u64(h, name).map_err(|_| {
        Reply::text(
            StatusCode::BAD_REQUEST,
            format!("{name} is not a non-negative integer"),
        )
    })
}

/// Upload ids are lowercase hex: safe as file names and in URLs.
fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The time the server reads to expire uploads.
pub type Now = Arc<dyn Fn() -> std::time::SystemTime + Send + Sync>;

/// The tus server. Cheap to share behind an `Arc`.
pub struct TusServer {
    store: Arc<dyn UploadStore>,
    completion: Arc<dyn Completion>,
    config: ServerConfig,
    /// One lock per upload: two `PATCH`es on one upload never interleave.
    busy: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    now: Now,
    /// When each upload last saw a request, as this server ran. An upload found in the store
    /// after a restart counts from when this server first saw it (kept longer, never shorter).
    touched: Mutex<HashMap<String, std::time::SystemTime>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TusServer {
    pub fn new(
        store: Arc<dyn UploadStore>,
        completion: Arc<dyn Completion>,
        config: ServerConfig,
    ) -> Self {
        Self {
            store,
            completion,
            config,
            busy: Mutex::new(HashMap::new()),
            now: Arc::new(std::time::SystemTime::now),
            touched: Mutex::new(HashMap::new()),
        }
    }

    /// Reads the time from `now` (a simulated clock) instead of the system's.
    pub fn with_clock(mut self, now: Now) -> Self {
        self.now = now;
        self
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// What the store holds of upload `id`.
    pub fn upload(&self, id: &str) -> Result<Option<UploadInfo>, StoreError> {
        if !valid_id(id) {
            return Ok(None);
        }
        self.store.get(id)
    }

    fn touch(&self, id: &str) {
        let now = (self.now)();
        lock(&self.touched).insert(id.to_string(), now);
    }

    /// Deletes the uploads that saw no request for [`ServerConfig::expire_after`]; answers
    /// how many. Runs at each creation; a centre may also call it on a timer.
    pub fn expire(&self) -> Result<usize, StoreError> {
        let Some(after) = self.config.expire_after else {
            return Ok(0);
        };
        let now = (self.now)();
        let mut expired = 0;
        for id in self.store.list()? {
            let last = *lock(&self.touched).entry(id.clone()).or_insert(now);
            if now.duration_since(last).unwrap_or_default() < after {
                continue;
            }
            let guard = self.upload_lock(&id);
            let _held = lock(&guard);
            self.store.delete(&id)?;
            lock(&self.touched).remove(&id);
            lock(&self.busy).remove(&id);
            tracing::info!(upload = %id, "tus upload expired");
            expired += 1;
        }
        Ok(expired)
    }

    /// The upload URL path of `id`.
    pub fn location(&self, id: &str) -> String {
        format!("{}/{id}", self.config.base_path.trim_end_matches('/'))
    }

    /// The id an idempotency key value maps to.
    pub fn id_for_key(value: &[u8]) -> String {
        hex::encode(&sha2::Sha256::digest(value)[..16])
    }

    fn version_ok(headers: &HeaderMap) -> Result<(), Reply> {
        if proto::header(headers, proto::TUS_RESUMABLE) == Some(TUS_VERSION) {
            Ok(())
        } else {
            Err(Reply::text(
                StatusCode::PRECONDITION_FAILED,
                "Tus-Resumable must be 1.0.0",
            )
            .header(proto::TUS_VERSION_HEADER, TUS_VERSION))
        }
    }

    fn storage_failure(e: &StoreError) -> Reply {
        tracing::error!(error = %e, "tus storage failed");
        Reply::text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }

    /// `OPTIONS`: what this server speaks.
    pub fn options(&self) -> Reply {
        let algorithms = Algorithm::ALL.map(Algorithm::name).join(",");
        let mut r = Reply::new(StatusCode::NO_CONTENT)
            .header(proto::TUS_VERSION_HEADER, TUS_VERSION)
            .header(proto::TUS_EXTENSION, "creation,checksum,termination")
            .header(proto::TUS_MAX_SIZE, self.config.max_size)
            .header(proto::TUS_CHECKSUM_ALGORITHM, algorithms);
        // The spec allows OPTIONS answers without Tus-Resumable; ours carry it anyway.
        r.status = StatusCode::NO_CONTENT;
        r
    }

    /// `POST` to the creation URL.
    pub fn create(&self, headers: &HeaderMap) -> Reply {
        self.create_inner(headers).unwrap_or_else(|r| r)
    }

    fn create_inner(&self, headers: &HeaderMap) -> Result<Reply, Reply> {
        Self::version_ok(headers)?;
        if headers.contains_key("upload-defer-length") {
            return Err(Reply::text(
                StatusCode::BAD_REQUEST,
                "deferred lengths are not supported",
            ));
        }
        let length = parse_u64(headers, proto::UPLOAD_LENGTH)?
            .ok_or_else(|| Reply::text(StatusCode::BAD_REQUEST, "Upload-Length is missing"))?;
        if length > self.config.max_size {
            return Err(Reply::text(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("at most {} bytes", self.config.max_size),
            ));
        }
        let metadata = match proto::header(headers, proto::UPLOAD_METADATA) {
            None => Metadata::new(),
            Some(v) => proto::decode_metadata(v)
                .map_err(|e| Reply::text(StatusCode::BAD_REQUEST, e.to_string()))?,
        };
        let id = match &self.config.idempotency_key {
            Some(key) => match metadata.get(key) {
                Some(v) if !v.is_empty() => Self::id_for_key(v),
                _ => {
                    return Err(Reply::text(
                        StatusCode::BAD_REQUEST,
                        format!("Upload-Metadata must carry {key}"),
                    ))
                }
            },
            None => hex::encode(rand::random::<[u8; 16]>()),
        };
        if let Some(key) = &self.config.upload_checksum_key {
            if let Some(v) = metadata.get(key) {
                std::str::from_utf8(v)
                    .map_err(|_| proto::ChecksumHeaderError::Malformed)
                    .and_then(proto::parse_checksum)
                    .map_err(|e| Reply::text(StatusCode::BAD_REQUEST, format!("{key}: {e}")))?;
            }
        }
        if let Err(e) = self.expire() {
            tracing::warn!(error = %e, "tus expiry failed");
        }
        let guard = self.upload_lock(&id);
        let _held = lock(&guard);
        self.touch(&id);
        let (info, created) = match self.store.create(&id, length, &metadata) {
            Ok(x) => x,
            Err(StoreError::LengthConflict { existing }) => {
                return Err(Reply::text(
                    StatusCode::CONFLICT,
                    format!("this upload exists with Upload-Length {existing}"),
                ))
            }
            Err(e) => return Err(Self::storage_failure(&e)),
        };
        tracing::info!(upload = %id, length, created, offset = info.offset, "tus creation");
        if created && length == 0 {
            self.completion
                .complete(&info, &[])
                .map_err(Self::rejected)?;
            self.store
                .finish(&id)
                .map_err(|e| Self::storage_failure(&e))?;
        }
        Ok(Reply::new(StatusCode::CREATED)
            .header("location", self.location(&id))
            // Not required by creation; saves a HEAD when an idempotent creation finds an
            // upload already under way (as creation-with-upload answers).
            .header(proto::UPLOAD_OFFSET, info.offset))
    }

    fn rejected(r: Rejection) -> Reply {
        let mut reply = Reply::new(r.status);
        if let Ok(v) = HeaderValue::from_str(r.content_type) {
            reply.headers.insert(http::header::CONTENT_TYPE, v);
        }
        reply.body = r.body;
        reply
    }

    fn upload_lock(&self, id: &str) -> Arc<Mutex<()>> {
        lock(&self.busy).entry(id.to_string()).or_default().clone()
    }

    fn info(&self, id: &str) -> Result<UploadInfo, Reply> {
        if !valid_id(id) {
            return Err(Reply::new(StatusCode::NOT_FOUND));
        }
        match self.store.get(id) {
            Ok(Some(info)) => Ok(info),
            Ok(None) => Err(Reply::new(StatusCode::NOT_FOUND)),
            Err(e) => Err(Self::storage_failure(&e)),
        }
    }

    /// `HEAD` of an upload URL: where the upload stands.
    pub fn head(&self, id: &str, headers: &HeaderMap) -> Reply {
        let r = Self::version_ok(headers).and_then(|()| self.info(id));
        match r {
            Ok(info) => {
                let mut r = Reply::new(StatusCode::OK)
                    .header(proto::UPLOAD_OFFSET, info.offset)
                    .header(proto::UPLOAD_LENGTH, info.length)
                    .header("cache-control", "no-store");
                if !info.metadata.is_empty() {
                    r = r.header(
                        proto::UPLOAD_METADATA,
                        proto::encode_metadata(&info.metadata),
                    );
                }
                r
            }
            Err(r) => r,
        }
    }

    /// `PATCH` of an upload URL: `body` goes at `Upload-Offset`.
    pub fn patch(&self, id: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
        self.patch_inner(id, headers, body).unwrap_or_else(|r| r)
    }

    /// A `PATCH` whose body was cut short after `received` bytes: keeps them when the request
    /// was otherwise in order (the checksum, of the whole body, cannot be checked). Never
    /// completes an upload. Answers the new offset, for logs: nobody hears the answer.
    pub fn patch_cut(&self, id: &str, headers: &HeaderMap, received: &[u8]) -> Result<u64, Reply> {
        Self::version_ok(headers)?;
        let offset = self.patch_offset(headers)?;
        let guard = self.upload_lock(id);
        let _held = lock(&guard);
        let info = self.info(id)?;
        self.touch(id);
        if offset != info.offset || received.is_empty() {
            return Ok(info.offset);
        }
        // The last byte is only ever stored with the completion hook's consent.
        let keep = received
            .len()
            .min((info.length - offset).saturating_sub(1) as usize);
        let info = self
            .store
            .append(id, offset, &received[..keep])
            .map_err(|e| Self::storage_failure(&e))?;
        tracing::info!(upload = %id, from = offset, kept = keep, "tus kept a cut request's bytes");
        Ok(info.offset)
    }

    fn patch_offset(&self, headers: &HeaderMap) -> Result<u64, Reply> {
        if proto::header(headers, http::header::CONTENT_TYPE.as_str())
            != Some(proto::OFFSET_OCTET_STREAM)
        {
            return Err(Reply::text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be application/offset+octet-stream",
            ));
        }
        parse_u64(headers, proto::UPLOAD_OFFSET)?
            .ok_or_else(|| Reply::text(StatusCode::BAD_REQUEST, "Upload-Offset is missing"))
    }

    /// `DELETE` of an upload URL (termination): the upload and its bytes are gone.
    pub fn terminate(&self, id: &str, headers: &HeaderMap) -> Reply {
        let r = Self::version_ok(headers).and_then(|()| self.info(id));
        match r {
            Ok(_) => {
                let guard = self.upload_lock(id);
                let _held = lock(&guard);
                match self.store.delete(id) {
                    Ok(()) => {
                        lock(&self.touched).remove(id);
                        tracing::info!(upload = %id, "tus upload terminated");
                        Reply::new(StatusCode::NO_CONTENT)
                    }
                    Err(e) => Self::storage_failure(&e),
                }
            }
            Err(r) => r,
        }
    }

    /// Checks the whole upload against the checksum its creation announced, if any.
    fn whole_checksum_ok(&self, info: &UploadInfo, whole: &[u8]) -> Result<(), Reply> {
        let Some(key) = &self.config.upload_checksum_key else {
            return Ok(());
        };
        let Some(value) = info.metadata.get(key) else {
            return Ok(());
        };
        let ok = std::str::from_utf8(value)
            .ok()
            .and_then(|v| proto::parse_checksum(v).ok())
            .is_some_and(|(alg, digest)| alg.digest(whole) == digest);
        if ok {
            return Ok(());
        }
        tracing::warn!(upload = %info.id, "tus whole-upload checksum mismatch: upload deleted");
        self.store
            .delete(&info.id)
            .map_err(|e| Self::storage_failure(&e))?;
        Err(Reply::text(
            StatusCode::from_u16(proto::CHECKSUM_MISMATCH).unwrap_or(StatusCode::BAD_REQUEST),
            "Checksum Mismatch: the whole upload differs from its Upload-Metadata checksum; it is deleted, create it again",
        ))
    }

    fn patch_inner(&self, id: &str, headers: &HeaderMap, body: &[u8]) -> Result<Reply, Reply> {
        Self::version_ok(headers)?;
        let offset = self.patch_offset(headers)?;
        let checksum = match proto::header(headers, proto::UPLOAD_CHECKSUM) {
            Some(v) => Some(
                proto::parse_checksum(v)
                    .map_err(|e| Reply::text(StatusCode::BAD_REQUEST, e.to_string()))?,
            ),
            None if self.config.require_checksum => {
                return Err(Reply::text(
                    StatusCode::BAD_REQUEST,
                    "Upload-Checksum is required",
                ))
            }
            None => None,
        };
        let guard = self.upload_lock(id);
        let _held = lock(&guard);
        let info = self.info(id)?;
        self.touch(id);
        if offset != info.offset {
            tracing::info!(upload = %id, claimed = offset, current = info.offset, "tus offset conflict");
            return Err(Reply::text(
                StatusCode::CONFLICT,
                "Upload-Offset is not the upload's offset",
            )
            .header(proto::UPLOAD_OFFSET, info.offset));
        }
        let end = offset + body.len() as u64;
        if end > info.length {
            return Err(Reply::text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the chunk runs past Upload-Length",
            ));
        }
        if body.is_empty() {
            return Ok(Reply::new(StatusCode::NO_CONTENT).header(proto::UPLOAD_OFFSET, info.offset));
        }
        if let Some((alg, digest)) = checksum {
            if alg.digest(body) != digest {
                tracing::warn!(upload = %id, offset, "tus checksum mismatch");
                return Err(Reply::text(
                    StatusCode::from_u16(proto::CHECKSUM_MISMATCH)
                        .unwrap_or(StatusCode::BAD_REQUEST),
                    "Checksum Mismatch",
                ));
            }
        }
        if end == info.length {
            let mut whole = self.store.read(id).map_err(|e| Self::storage_failure(&e))?;
            whole.extend_from_slice(body);
            self.whole_checksum_ok(&info, &whole)?;
            let done = UploadInfo {
                offset: end,
                ..info.clone()
            };
            self.completion
                .complete(&done, &whole)
                .map_err(Self::rejected)?;
            // The hook holds the upload now: its bytes here are not needed any more.
            let info = self
                .store
                .finish(id)
                .map_err(|e| Self::storage_failure(&e))?;
            tracing::debug!(upload = %id, length = info.length, "tus upload complete, bytes deleted");
            return Ok(Reply::new(StatusCode::NO_CONTENT).header(proto::UPLOAD_OFFSET, info.offset));
        }
        let info = match self.store.append(id, offset, body) {
            Ok(i) => i,
            Err(StoreError::OffsetMismatch { current, .. }) => {
                return Err(Reply::text(StatusCode::CONFLICT, "offset moved")
                    .header(proto::UPLOAD_OFFSET, current))
            }
            Err(e) => return Err(Self::storage_failure(&e)),
        };
        tracing::debug!(upload = %id, offset = info.offset, length = info.length, "tus chunk stored");
        Ok(Reply::new(StatusCode::NO_CONTENT).header(proto::UPLOAD_OFFSET, info.offset))
    }
}

/// Uploads in memory: for tests and a simulator that need not survive a restart.
#[derive(Default)]
pub struct MemoryStore {
    uploads: Mutex<HashMap<String, (UploadInfo, Vec<u8>)>>,
}

impl UploadStore for MemoryStore {
    fn create(
        &self,
        id: &str,
        length: u64,
        metadata: &Metadata,
    ) -> Result<(UploadInfo, bool), StoreError> {
        let mut m = lock(&self.uploads);
        if let Some((info, _)) = m.get(id) {
            return if info.length == length {
                Ok((info.clone(), false))
            } else {
                Err(StoreError::LengthConflict {
                    existing: info.length,
                })
            };
        }
        let info = UploadInfo {
            id: id.into(),
            length,
            offset: 0,
            metadata: metadata.clone(),
        };
        m.insert(id.into(), (info.clone(), Vec::new()));
        Ok((info, true))
    }

    fn get(&self, id: &str) -> Result<Option<UploadInfo>, StoreError> {
        Ok(lock(&self.uploads).get(id).map(|(i, _)| i.clone()))
    }

    fn append(&self, id: &str, offset: u64, data: &[u8]) -> Result<UploadInfo, StoreError> {
        let mut m = lock(&self.uploads);
        let (info, bytes) = m.get_mut(id).ok_or(StoreError::NotFound)?;
        if info.offset != offset {
            return Err(StoreError::OffsetMismatch {
                current: info.offset,
                claimed: offset,
            });
        }
        bytes.extend_from_slice(data);
        info.offset += data.len() as u64;
        Ok(info.clone())
    }

    fn read(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        lock(&self.uploads)
            .get(id)
            .map(|(_, b)| b.clone())
            .ok_or(StoreError::NotFound)
    }

    fn finish(&self, id: &str) -> Result<UploadInfo, StoreError> {
        let mut m = lock(&self.uploads);
        let (info, bytes) = m.get_mut(id).ok_or(StoreError::NotFound)?;
        info.offset = info.length;
        *bytes = Vec::new();
        Ok(info.clone())
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        lock(&self.uploads).remove(id);
        Ok(())
    }

    fn list(&self) -> Result<Vec<String>, StoreError> {
        Ok(lock(&self.uploads).keys().cloned().collect())
    }
}

/// Uploads in a directory, surviving a restart: `<id>.meta` (length and metadata),
/// `<id>.bin` (the bytes) and `<id>.off` (the acknowledged offset, replaced atomically after
/// the bytes are synced; bytes past it from a write cut short are discarded on the next append).
pub struct FileStore {
    dir: PathBuf,
    write: Mutex<()>,
}

impl FileStore {
    /// Opens (creating it) the directory; directory and files are readable by their owner
    /// only (uploads are packets at rest).
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&dir)?;
        Ok(Self {
            dir,
            write: Mutex::new(()),
        })
    }

    fn path(&self, id: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{id}.{ext}"))
    }

    fn replace(&self, id: &str, ext: &str, contents: &[u8]) -> Result<(), StoreError> {
        let tmp = self.path(id, &format!("{ext}.tmp"));
        let mut f = private_file(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, self.path(id, ext))?;
        Ok(())
    }

    fn offset(&self, id: &str) -> Result<u64, StoreError> {
        match std::fs::read_to_string(self.path(id, "off")) {
            Ok(s) => s
                .trim()
                .parse()
                .map_err(|_| StoreError::Io(format!("{id}.off is damaged"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(e.into()),
        }
    }
}

/// Creates (or truncates) `path`, readable and writable by its owner only.
fn private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
}

impl UploadStore for FileStore {
    fn create(
        &self,
        id: &str,
        length: u64,
        metadata: &Metadata,
    ) -> Result<(UploadInfo, bool), StoreError> {
        let _w = lock(&self.write);
        if let Some(info) = self.get(id)? {
            return if info.length == length {
                Ok((info, false))
            } else {
                Err(StoreError::LengthConflict {
                    existing: info.length,
                })
            };
        }
        private_file(&self.path(id, "bin"))?;
        self.replace(id, "off", b"0")?;
        let meta = format!("{length}\n{}\n", proto::encode_metadata(metadata));
        self.replace(id, "meta", meta.as_bytes())?;
        let info = UploadInfo {
            id: id.into(),
            length,
            offset: 0,
            metadata: metadata.clone(),
        };
        Ok((info, true))
    }

    fn get(&self, id: &str) -> Result<Option<UploadInfo>, StoreError> {
        let meta = match std::fs::read_to_string(self.path(id, "meta")) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut lines = meta.lines();
        let length = lines
            .next()
            .and_then(|l| l.parse().ok())
            .ok_or_else(|| StoreError::Io(format!("{id}.meta is damaged")))?;
        let metadata = proto::decode_metadata(lines.next().unwrap_or(""))
            .map_err(|e| StoreError::Io(format!("{id}.meta: {e}")))?;
        Ok(Some(UploadInfo {
            id: id.into(),
            length,
            offset: self.offset(id)?,
            metadata,
        }))
    }

    fn append(&self, id: &str, offset: u64, data: &[u8]) -> Result<UploadInfo, StoreError> {
        let _w = lock(&self.write);
        let mut info = self.get(id)?.ok_or(StoreError::NotFound)?;
        if info.offset != offset {
            return Err(StoreError::OffsetMismatch {
                current: info.offset,
                claimed: offset,
            });
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(self.path(id, "bin"))?;
        f.set_len(offset)?;
        f.seek(SeekFrom::Start(offset))?;
        f.write_all(data)?;
        f.sync_data()?;
        info.offset = offset + data.len() as u64;
        self.replace(id, "off", info.offset.to_string().as_bytes())?;
        Ok(info)
    }

    fn read(&self, id: &str) -> Result<Vec<u8>, StoreError> {
        let offset = self.offset(id)?;
        let mut f = std::fs::File::open(self.path(id, "bin"))?;
        let mut out = Vec::with_capacity(offset as usize);
        std::io::Read::by_ref(&mut f)
            .take(offset)
            .read_to_end(&mut out)?;
        if (out.len() as u64) < offset {
            return Err(StoreError::Io(format!(
                "{id}.bin is shorter than its offset"
            )));
        }
        Ok(out)
    }

    fn finish(&self, id: &str) -> Result<UploadInfo, StoreError> {
        let _w = lock(&self.write);
        let mut info = self.get(id)?.ok_or(StoreError::NotFound)?;
        info.offset = info.length;
        self.replace(id, "off", info.offset.to_string().as_bytes())?;
        remove_if_present(&self.path(id, "bin"))?;
        Ok(info)
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        let _w = lock(&self.write);
        // The record last: a delete cut short leaves an upload that lists and deletes again.
        for ext in ["bin", "off", "off.tmp", "meta.tmp", "meta"] {
            remove_if_present(&self.path(id, ext))?;
        }
        Ok(())
    }

    fn list(&self) -> Result<Vec<String>, StoreError> {
        let mut ids = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let name = entry?.file_name();
            if let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".meta")) {
                if valid_id(id) {
                    ids.push(id.to_string());
                }
            }
        }
        Ok(ids)
    }
}

fn remove_if_present(path: &std::path::Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A request body as it arrived.
enum Received {
    Whole(Vec<u8>),
    /// The connection dropped after these bytes.
    Cut(Vec<u8>),
    TooLarge,
}

async fn receive(mut body: axum::body::Body, limit: usize) -> Received {
    use http_body_util::BodyExt as _;
    let mut got = Vec::new();
    loop {
        match body.frame().await {
            None => return Received::Whole(got),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if got.len() + data.len() > limit {
                        return Received::TooLarge;
                    }
                    got.extend_from_slice(&data);
                }
            }
            Some(Err(e)) => {
                tracing::debug!(error = %e, received = got.len(), "tus request body cut short");
                return Received::Cut(got);
            }
        }
    }
}

/// The axum side: `OPTIONS`/`POST` on the base path, `HEAD`/`PATCH`/`DELETE` on
/// `{base}/{id}`.
pub fn router<S: Clone + Send + Sync + 'static>(server: Arc<TusServer>) -> axum::Router<S> {
    use axum::extract::{DefaultBodyLimit, Path};
    use axum::routing::{head, options};

    fn respond(r: Reply) -> axum::response::Response {
        let mut resp = axum::response::Response::new(axum::body::Body::from(r.body));
        *resp.status_mut() = r.status;
        *resp.headers_mut() = r.headers;
        resp
    }

    let base = server.config.base_path.trim_end_matches('/').to_string();
    let limit = server.config.max_chunk;
    let (s1, s2, s3, s4, s5) = (
        server.clone(),
        server.clone(),
        server.clone(),
        server.clone(),
        server.clone(),
    );
    axum::Router::new()
        .route(
            &base,
            options(move || {
                let s = s1.clone();
                async move { respond(s.options()) }
            })
            .post(move |headers: HeaderMap| {
                let s = s2.clone();
                async move {
                    match tokio::task::spawn_blocking(move || s.create(&headers)).await {
                        Ok(r) => respond(r),
                        Err(e) => respond(Reply::text(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            format!("creation task failed: {e}"),
                        )),
                    }
                }
            }),
        )
        .route(
            &format!("{base}/{{id}}"),
            head(move |Path(id): Path<String>, headers: HeaderMap| {
                let s = s3.clone();
                async move {
                    match tokio::task::spawn_blocking(move || s.head(&id, &headers)).await {
                        Ok(r) => respond(r),
                        Err(e) => respond(Reply::text(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            format!("head task failed: {e}"),
                        )),
                    }
                }
            })
            .patch(
                move |Path(id): Path<String>, headers: HeaderMap, body: axum::body::Body| {
                    let s = s4.clone();
                    async move {
                        // Read and stored in a task of its own: when the connection drops
                        // mid-body this handler is dropped with it, and the task still keeps
                        // what arrived.
                        let task = tokio::spawn(async move {
                            let received = receive(body, limit).await;
                            tokio::task::spawn_blocking(move || match received {
                                Received::Whole(b) => s.patch(&id, &headers, &b),
                                Received::Cut(b) => match s.patch_cut(&id, &headers, &b) {
                                    Ok(offset) => Reply::new(StatusCode::BAD_REQUEST)
                                        .header(proto::UPLOAD_OFFSET, offset),
                                    Err(r) => r,
                                },
                                Received::TooLarge => Reply::text(
                                    StatusCode::PAYLOAD_TOO_LARGE,
                                    format!("a PATCH body is at most {limit} bytes"),
                                ),
                            })
                            .await
                        });
                        match task.await {
                            Ok(Ok(r)) => respond(r),
                            Ok(Err(e)) => respond(Reply::text(
                                StatusCode::INTERNAL_SERVER_ERROR,
                                format!("patch task failed: {e}"),
                            )),
                            Err(e) => respond(Reply::text(
                                StatusCode::INTERNAL_SERVER_ERROR,
                                format!("patch task failed: {e}"),
                            )),
                        }
                    }
                },
            )
            .delete(move |Path(id): Path<String>, headers: HeaderMap| {
                let s = s5.clone();
                async move {
                    match tokio::task::spawn_blocking(move || s.terminate(&id, &headers)).await {
                        Ok(r) => respond(r),
                        Err(e) => respond(Reply::text(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            format!("termination task failed: {e}"),
                        )),
                    }
                }
            })
            .layer(DefaultBodyLimit::max(limit)),
        )
}
