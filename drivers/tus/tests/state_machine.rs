//! The server's state machine without HTTP: each request's checks, in the order the spec
//! gives them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use http::{HeaderMap, HeaderValue, StatusCode};
use ktpel_tus::server::{KeepOnly, MemoryStore, ServerConfig, TusServer};
use ktpel_tus::Algorithm;
use std::sync::Arc;

fn server() -> TusServer {
    TusServer::new(
        Arc::new(MemoryStore::default()),
        Arc::new(KeepOnly),
        ServerConfig {
            base_path: "/up".into(),
            max_size: 1000,
            idempotency_key: Some("packet-id".into()),
            require_checksum: true,
            ..ServerConfig::default()
        },
    )
}

fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("tus-resumable", HeaderValue::from_static("1.0.0"));
    for (k, v) in pairs {
        h.insert(*k, HeaderValue::from_str(v).unwrap());
    }
    h
}

fn create(s: &TusServer, length: u64) -> String {
    let r = s.create(&headers(&[
        ("upload-length", length.to_string()),
        ("upload-metadata", "packet-id cDE=".into()),
    ]));
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let loc = r.headers["location"].to_str().unwrap();
    loc.strip_prefix("/up/").unwrap().to_string()
}

fn patch_headers(offset: u64, body: &[u8]) -> HeaderMap {
    headers(&[
        ("content-type", "application/offset+octet-stream".into()),
        ("upload-offset", offset.to_string()),
        ("upload-checksum", Algorithm::Sha1.header_value(body)),
    ])
}

#[test]
fn creation_checks_version_length_size_and_the_idempotency_key() {
    let s = server();
    let mut h = headers(&[("upload-length", "10".into())]);
    h.remove("tus-resumable");
    let r = s.create(&h);
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(r.headers["tus-version"], "1.0.0");
    assert_eq!(s.create(&headers(&[])).status, StatusCode::BAD_REQUEST);
    assert_eq!(
        s.create(&headers(&[("upload-length", "-1".into())])).status,
        StatusCode::BAD_REQUEST
    );
    let too_big = headers(&[
        ("upload-length", "1001".into()),
        ("upload-metadata", "packet-id cDE=".into()),
    ]);
    assert_eq!(s.create(&too_big).status, StatusCode::PAYLOAD_TOO_LARGE);
    // Without the packet id there is nothing to be idempotent by.
    assert_eq!(
        s.create(&headers(&[("upload-length", "10".into())])).status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(create(&s, 10), create(&s, 10));
}

#[test]
fn patch_checks_type_offset_checksum_and_length() {
    let s = server();
    let id = create(&s, 10);
    let body = b"01234";
    let mut h = patch_headers(0, body);
    h.insert(
        "content-type",
        HeaderValue::from_static("application/octet-stream"),
    );
    assert_eq!(
        s.patch(&id, &h, body).status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    let r = s.patch(&id, &patch_headers(3, body), body);
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.offset(), Some(0));

    let mut h = patch_headers(0, body);
    h.insert(
        "upload-checksum",
        HeaderValue::from_str(&Algorithm::Sha1.header_value(b"other")).unwrap(),
    );
    assert_eq!(s.patch(&id, &h, body).status.as_u16(), 460);
    let mut h = patch_headers(0, body);
    h.remove("upload-checksum");
    assert_eq!(s.patch(&id, &h, body).status, StatusCode::BAD_REQUEST);
    // Nothing of the refused requests was kept.
    assert_eq!(s.head(&id, &headers(&[])).offset(), Some(0));

    let r = s.patch(&id, &patch_headers(0, body), body);
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.offset(), Some(5));
    let long = b"56789X";
    assert_eq!(
        s.patch(&id, &patch_headers(5, long), long).status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let head = s.head(&id, &headers(&[]));
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.offset(), Some(5));
    assert_eq!(head.headers["upload-length"], "10");
    assert_eq!(head.headers["cache-control"], "no-store");
    assert_eq!(
        s.head("../etc", &headers(&[])).status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.head("abcdef", &headers(&[])).status,
        StatusCode::NOT_FOUND
    );
}

#[test]
fn options_announce_version_extensions_and_algorithms() {
    let r = server().options();
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.headers["tus-version"], "1.0.0");
    assert_eq!(r.headers["tus-extension"], "creation,checksum");
    assert_eq!(r.headers["tus-checksum-algorithm"], "sha1,sha256");
    assert_eq!(r.headers["tus-max-size"], "1000");
}
