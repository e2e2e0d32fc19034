//! The centre simulator's HTTP side: routes, bearer keys, scripted faults, and an accept loop
//! that can really go down (stop listening) and really reset connections.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use uuid::Uuid;

use ktpel_tus::server::{
    Completion, FileStore, MemoryStore, Rejection, ServerConfig, TusServer, UploadInfo, UploadStore,
};

use super::{Fault, IngestOutcome, Inner};
use crate::domain::nik::Nik;
use crate::wire::centre::{
    ApiError, IssuedReport, VerdictQuery, VerdictReply, HEALTH_PATH, INGEST_PATH, ISSUED_PATH,
    KEYS_PATH, MAX_VERDICT_QUERY, RECORDS_PATH, SIAK_RESIDENT_PATH, UPLOADS_PATH,
    UPLOAD_CHECKSUM_KEY, UPLOAD_PACKET_ID_KEY, VERDICTS_PATH,
};

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    ApiError::response(status, code, message)
}

fn authorized(headers: &HeaderMap, key: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|v| v == key)
}

/// The tus upload server: uploads kept under `state_dir/uploads` (so a restarted centre
/// resumes them) or in memory, each completed upload ingested as a `PUT` of it would be and
/// its bytes then deleted; uploads idle for `upload_expiry` are deleted. What the store holds
/// is sealed packets (HPKE to the centre), as the booth's queue holds them: nothing in clear.
pub(crate) fn uploads(inner: &Arc<Inner>) -> Result<Arc<TusServer>, String> {
    let store: Arc<dyn UploadStore> = match &inner.config.state_dir {
        Some(dir) => Arc::new(FileStore::open(dir.join("uploads")).map_err(|e| e.to_string())?),
        None => Arc::new(MemoryStore::default()),
    };
    let config = ServerConfig {
        base_path: UPLOADS_PATH.into(),
        max_size: 32 * 1024 * 1024,
        max_chunk: 8 * 1024 * 1024,
        idempotency_key: Some(UPLOAD_PACKET_ID_KEY.into()),
        require_checksum: true,
        upload_checksum_key: Some(UPLOAD_CHECKSUM_KEY.into()),
        expire_after: Some(inner.config.upload_expiry),
    };
    let clock = inner.config.clock.clone();
    Ok(Arc::new(
        TusServer::new(store, Arc::new(IngestOnCompletion(inner.clone())), config)
            .with_clock(Arc::new(move || std::time::SystemTime::from(clock.now()))),
    ))
}

/// Ingests a completed upload exactly as the `PUT` endpoint ingests its body: same checks,
/// same idempotency by packet id, same bundle preparation.
struct IngestOnCompletion(Arc<Inner>);

impl IngestOnCompletion {
    fn refuse(status: StatusCode, code: &str, message: String) -> Rejection {
        let body = ApiError {
            error: code.into(),
            message,
            field: None,
        };
        Rejection {
            status,
            content_type: "application/json",
            body: serde_json::to_string(&body).unwrap_or_default(),
        }
    }
}

impl Completion for IngestOnCompletion {
    fn complete(&self, upload: &UploadInfo, data: &[u8]) -> Result<(), Rejection> {
        let Some(id) = upload
            .metadata
            .get(UPLOAD_PACKET_ID_KEY)
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| Uuid::parse_str(v).ok())
        else {
            return Err(Self::refuse(
                StatusCode::BAD_REQUEST,
                "bad_id",
                "the upload's packet id is not a UUID".into(),
            ));
        };
        let inner = &self.0;
        match inner.ingest(id, data) {
            Ok((IngestOutcome::New, _)) => {
                tracing::info!(packet = %id, size = data.len(), "upload ingested");
                if inner.config.prepare_bundles {
                    let worker = inner.clone();
                    tokio::task::spawn_blocking(move || worker.prepare_bundle(id));
                }
                Ok(())
            }
            Ok((IngestOutcome::Repeat, _)) => Ok(()),
            Err(e) => Err(Self::refuse(e.status(), e.code(), e.to_string())),
        }
    }
}

/// Only the booths may upload.
async fn centre_key(State(inner): State<Arc<Inner>>, req: Request, next: Next) -> Response {
    if authorized(req.headers(), &inner.config.centre_api_key) {
        next.run(req).await
    } else {
        error(StatusCode::UNAUTHORIZED, "unauthorized", "wrong centre key")
    }
}

pub(crate) fn router(inner: Arc<Inner>, uploads: Arc<TusServer>) -> Router {
    let tus = ktpel_tus::server::router(uploads)
        .route_layer(middleware::from_fn_with_state(inner.clone(), centre_key));
    Router::new()
        .merge(tus)
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .route(&format!("{SIAK_RESIDENT_PATH}/{{nik}}"), get(siak_lookup))
        .route(
            &format!("{INGEST_PATH}/{{id}}"),
            put(ingest).layer(DefaultBodyLimit::max(32 * 1024 * 1024)),
        )
        .route(VERDICTS_PATH, post(verdicts))
        .route(&format!("{RECORDS_PATH}/{{nik}}"), get(records))
        .route(ISSUED_PATH, post(issued))
        .route(KEYS_PATH, get(keys))
        .layer(middleware::from_fn_with_state(inner.clone(), faults))
        .with_state(inner)
}

async fn faults(State(inner): State<Arc<Inner>>, req: Request, next: Next) -> Response {
    match inner.fault() {
        Fault::Slow(d) => {
            tokio::time::sleep(d).await;
            next.run(req).await
        }
        Fault::ServerError => {
            // An overloaded centre behind its proxy still takes the request in before it
            // answers 503; answering mid-upload would make the booth see a broken pipe
            // instead of the status (and which of the two arrives would be a race).
            let _ = axum::body::to_bytes(req.into_body(), 32 * 1024 * 1024).await;
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the centre is overloaded (simulated)",
            )
        }
        Fault::Garbage => {
            // The work is done, but what comes back is noise (a broken proxy, say).
            let _ = next.run(req).await;
            let noise: Vec<u8> = (0..97u32).map(|i| (i * 37 % 251) as u8).collect();
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                noise,
            )
                .into_response()
        }
        Fault::None | Fault::Down | Fault::Reset => next.run(req).await,
    }
}

async fn siak_lookup(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Path(nik): Path<String>,
) -> Response {
    if !authorized(&headers, &inner.config.siak_api_key) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "wrong SIAK key");
    }
    if let Err(e) = Nik::parse(&nik, inner.today()) {
        return error(StatusCode::BAD_REQUEST, "invalid_nik", e.to_string());
    }
    match inner.resident(&nik) {
        Some(r) => Json(r.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no resident with this NIK in SIAK",
        ),
    }
}

async fn records(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Path(nik): Path<String>,
) -> Response {
    if !authorized(&headers, &inner.config.centre_api_key) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "wrong centre key");
    }
    if let Err(e) = Nik::parse(&nik, inner.today()) {
        return error(StatusCode::BAD_REQUEST, "invalid_nik", e.to_string());
    }
    match inner.records(&nik) {
        Ok(h) => Json(h).into_response(),
        Err(e) => error(e.status(), e.code(), e.to_string()),
    }
}

async fn issued(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&headers, &inner.config.centre_api_key) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "wrong centre key");
    }
    let Ok(report) = serde_json::from_slice::<IssuedReport>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_json",
            "the body is not an issued report",
        );
    };
    match inner.issued(&report) {
        Ok(true) => StatusCode::OK.into_response(),
        Ok(false) => error(
            StatusCode::NOT_FOUND,
            "not_print_ready",
            "no print-ready packet with this id",
        ),
        Err(e) => error(e.status(), e.code(), e.to_string()),
    }
}

async fn ingest(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if !authorized(&headers, &inner.config.centre_api_key) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "wrong centre key");
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_id",
            "the packet id is not a UUID",
        );
    };
    let worker = inner.clone();
    let outcome = tokio::task::spawn_blocking(move || worker.ingest(id, &body)).await;
    match outcome {
        Ok(Ok((IngestOutcome::New, reply))) => {
            // The card data are prepared beside the answer, not before it.
            if inner.config.prepare_bundles {
                let worker = inner.clone();
                tokio::task::spawn_blocking(move || worker.prepare_bundle(id));
            }
            (StatusCode::CREATED, Json(reply)).into_response()
        }
        Ok(Ok((IngestOutcome::Repeat, reply))) => (StatusCode::OK, Json(reply)).into_response(),
        Ok(Err(e)) => error(e.status(), e.code(), e.to_string()),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("ingest task failed: {e}"),
        ),
    }
}

async fn verdicts(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&headers, &inner.config.centre_api_key) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "wrong centre key");
    }
    let query: VerdictQuery = match serde_json::from_slice(&body) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_query", e.to_string()),
    };
    if query.packet_ids.len() > MAX_VERDICT_QUERY {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_query",
            format!("at most {MAX_VERDICT_QUERY} packet ids per query"),
        );
    }
    let worker = inner.clone();
    match tokio::task::spawn_blocking(move || worker.verdicts(&query.packet_ids)).await {
        Ok(Ok(verdicts)) => Json(VerdictReply { verdicts }).into_response(),
        Ok(Err(e)) => error(e.status(), e.code(), e.to_string()),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("verdict task failed: {e}"),
        ),
    }
}

async fn keys(State(inner): State<Arc<Inner>>) -> Response {
    Json(inner.public_keys()).into_response()
}

/// Serves `router` on `addr` until `faults` closes, following the fault in force: `Down`
/// closes the listening socket (connections are refused) and drops every open connection;
/// `Reset` drops open connections and resets each new one as soon as it is accepted.
pub(crate) async fn supervise(
    first: TcpListener,
    addr: SocketAddr,
    router: Router,
    mut faults: watch::Receiver<Fault>,
) {
    let mut listener = Some(first);
    let mut conns: JoinSet<()> = JoinSet::new();
    loop {
        let fault = faults.borrow_and_update().clone();
        match (&fault, listener.is_some()) {
            (Fault::Down, true) => {
                listener = None;
                conns.abort_all();
                tracing::info!(%addr, "centre simulator down");
            }
            (f, false) if *f != Fault::Down => match TcpListener::bind(addr).await {
                Ok(l) => {
                    listener = Some(l);
                    tracing::info!(%addr, "centre simulator back up");
                }
                Err(e) => {
                    tracing::warn!(%addr, error = %e, "cannot listen again yet");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ => {}
        }
        tokio::select! {
            changed = faults.changed() => {
                if changed.is_err() {
                    break;
                }
                if matches!(*faults.borrow(), Fault::Reset | Fault::Down) {
                    conns.abort_all();
                }
            }
            accepted = async {
                match listener.as_ref() {
                    Some(l) => l.accept().await,
                    None => std::future::pending().await,
                }
            } => {
                let Ok((stream, _peer)) = accepted else { continue };
                if fault == Fault::Reset {
                    // SO_LINGER 0: closing sends RST, the client sees "connection reset".
                    let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                    drop(stream);
                    continue;
                }
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(router.clone());
                conns.spawn(async move {
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service);
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "centre connection ended");
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.abort_all();
}
