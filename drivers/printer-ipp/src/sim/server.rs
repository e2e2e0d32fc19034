//! HTTP/1.1 for the simulator: hyper on a loopback listener; every POST of `application/ipp`
//! goes to the printer.

use super::printer::Printer;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The largest request taken (a card image is a few MB at most).
const MAX_BODY: usize = 64 << 20;

/// Serves until `shutdown` turns true; open connections are cut then.
pub(crate) async fn serve(
    listener: TcpListener,
    printer: Arc<Printer>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let p = printer.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |req| handle(req, p.clone()));
                        if let Err(e) = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                        {
                            tracing::debug!(error = %e, "IPP simulator connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "IPP simulator accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            _ = shutdown.changed() => break,
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    r
}

async fn handle(
    req: Request<Incoming>,
    printer: Arc<Printer>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.method() != Method::POST {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "this IPP printer takes POST application/ipp\n",
        );
        r.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return Ok(r);
    }
    let is_ipp = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/ipp"));
    if !is_ipp {
        return Ok(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be application/ipp\n",
        ));
    }
    let path = req.uri().path().to_string();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            tracing::debug!(error = %e, "IPP simulator cannot read a request body");
            return Ok(plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request is too large or was cut off\n",
            ));
        }
    };
    match printer.answer(&path, body) {
        Ok(answer) => {
            let mut r = Response::new(Full::new(answer));
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/ipp"));
            Ok(r)
        }
        Err(e) => {
            tracing::warn!(error = %e, "IPP simulator cannot encode its answer");
            Ok(plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the simulator cannot encode its answer\n",
            ))
        }
    }
}
