//! HTTP/1.1 for the simulator: hyper on a loopback listener, routing the SBI verbs.

use super::device::Shared;
use super::preview::PreviewSource;
use super::{SimFault, SimKind, SIM_CODE_BAD_REQUEST};
use crate::codes::SbiCode;
use crate::mjpeg::write_part;
use crate::wire::{ErrorBody, StreamRequest};
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

type Body = UnsyncBoxBody<Bytes, Infallible>;

/// The multipart boundary of the preview.
const BOUNDARY: &str = "ktpelsbiframe";
/// The largest request body read.
const MAX_BODY: usize = 1 << 20;

/// Serves until `shutdown` turns true; open connections (streams too) are cut then.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let s = shared.clone();
                    let sd = shutdown.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |req| handle(req, s.clone(), sd.clone()));
                        if let Err(e) = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                        {
                            tracing::debug!(error = %e, "SBI simulator connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "SBI simulator accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            _ = shutdown.changed() => break,
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed_unsync()
}

fn json_response<T: serde::Serialize>(
    shared: &Shared,
    status: StatusCode,
    body: &T,
) -> Response<Body> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut r = Response::new(full(bytes));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("http://127.0.0.1:{}", shared.port)) {
        h.insert(LOCATION, v);
    }
    r
}

fn error_only(code: SbiCode, info: &str) -> serde_json::Value {
    serde_json::json!({ "error": ErrorBody::new(code, info) })
}

async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) -> Result<Response<Body>, Infallible> {
    use tracing::Instrument;
    let span = tracing::debug_span!("sbi_sim", port = shared.port, verb = %req.method());
    answer(req, shared, shutdown).instrument(span).await
}

async fn answer(
    req: Request<Incoming>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
) -> Result<Response<Body>, Infallible> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => {
            return Ok(json_response(
                &shared,
                StatusCode::BAD_REQUEST,
                &error_only(
                    SbiCode::Vendor(SIM_CODE_BAD_REQUEST),
                    "request body unreadable or too large",
                ),
            ))
        }
    };
    let delay = shared.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let ok = StatusCode::OK;
    let response = match (method.as_str(), path.as_str()) {
        ("MOSIPDISC", "/device") => json_response(&shared, ok, &shared.discover(&body)),
        ("MOSIPDINFO", "/info") => json_response(&shared, ok, &shared.info()),
        ("RCAPTURE", "/capture") => capture(&shared, &body).await,
        ("CAPTURE", "/capture") => json_response(&shared, ok, &shared.auth_capture()),
        ("STREAM", "/stream") => stream(&shared, &body, shutdown),
        (_, "/device" | "/info" | "/capture" | "/stream") => json_response(
            &shared,
            StatusCode::METHOD_NOT_ALLOWED,
            &error_only(
                SbiCode::Vendor(SIM_CODE_BAD_REQUEST),
                &format!("{method} is not an SBI verb for {path}"),
            ),
        ),
        _ => json_response(
            &shared,
            StatusCode::NOT_FOUND,
            &error_only(
                SbiCode::Vendor(SIM_CODE_BAD_REQUEST),
                &format!("no {path} here"),
            ),
        ),
    };
    Ok(response)
}

async fn capture(shared: &Arc<Shared>, body: &[u8]) -> Response<Body> {
    let (job, busy) = match shared.begin_capture(body) {
        Ok(v) => v,
        Err(refusal) => return json_response(shared, StatusCode::OK, &refusal),
    };
    if let Some(SimFault::Slow(d)) = &job.once {
        tokio::time::sleep(*d).await;
    }
    let s = shared.clone();
    let answer = tokio::task::spawn_blocking(move || s.capture(&job)).await;
    drop(busy);
    match answer {
        Ok(response) => json_response(shared, StatusCode::OK, &response),
        Err(_) => json_response(
            shared,
            StatusCode::OK,
            &error_only(
                SbiCode::ExtractionError,
                "the capture failed inside the device",
            ),
        ),
    }
}

fn stream(
    shared: &Arc<Shared>,
    body: &[u8],
    mut shutdown: watch::Receiver<bool>,
) -> Response<Body> {
    let ok = StatusCode::OK;
    let request: StreamRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return json_response(
                shared,
                ok,
                &error_only(
                    SbiCode::Vendor(SIM_CODE_BAD_REQUEST),
                    &format!("the stream request is not valid JSON: {e}"),
                ),
            )
        }
    };
    if let Some(code) = shared.status(&[]).refusal().filter(|c| *c != SbiCode::Busy) {
        return json_response(shared, ok, &error_only(code, code.describe()));
    }
    if !request.device_id.trim().is_empty() && request.device_id.trim() != shared.device_id {
        return json_response(
            shared,
            ok,
            &error_only(SbiCode::DeviceNotFound, "no device with that id here"),
        );
    }
    let sub_id: u8 = request.device_sub_id.trim().parse().unwrap_or(0);
    let valid = match shared.kind {
        SimKind::Finger => (1..=3).contains(&sub_id),
        SimKind::Iris => sub_id <= 3,
        SimKind::Face => sub_id == 0,
    };
    if !valid {
        return json_response(
            shared,
            ok,
            &error_only(
                SbiCode::CountNotSupported,
                &format!("device sub id {sub_id} is not a module of this device"),
            ),
        );
    }
    let (tx, rx) = mpsc::channel::<Bytes>(2);
    let s = shared.clone();
    let period = Duration::from_secs(1) / s.stream_fps;
    tokio::spawn(async move {
        let mut source = Some(PreviewSource::new(sub_id));
        let mut next = tokio::time::Instant::now();
        loop {
            // No preview frames while a capture is answered (spec: "Registration Capture").
            let capturing = s.lock().capturing;
            if !capturing {
                let s2 = s.clone();
                let Some(mut src) = source.take() else { break };
                let made = tokio::task::spawn_blocking(move || {
                    let r = src.next_jpeg(&s2);
                    (src, r)
                })
                .await;
                let Ok((src, result)) = made else { break };
                source = Some(src);
                match result {
                    Ok(jpeg) => {
                        if tx
                            .send(Bytes::from(write_part(BOUNDARY, &jpeg)))
                            .await
                            .is_err()
                        {
                            break;
                        }
                        s.lock().frames += 1;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "SBI simulator preview frame failed");
                        break;
                    }
                }
            }
            next += period;
            let now = tokio::time::Instant::now();
            if next < now {
                next = now;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(next) => {}
                _ = tx.closed() => break,
                _ = shutdown.changed() => break,
            }
        }
    });
    let frames = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, Infallible>(Frame::data(b)), rx))
    });
    let mut r = Response::new(StreamBody::new(frames).boxed_unsync());
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("multipart/x-mixed-replace; boundary={BOUNDARY}"))
    {
        h.insert(CONTENT_TYPE, v);
    }
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
