//! The server's state machine without HTTP: each request's checks, in the order the spec
//! gives them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use http::{HeaderMap, HeaderValue, StatusCode};
use ktpel_tus::server::{KeepOnly, MemoryStore, ServerConfig, TusServer, UploadStore as _};
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
    assert_eq!(r.headers["tus-extension"], "creation,checksum,termination");
    assert_eq!(r.headers["tus-checksum-algorithm"], "sha1,sha256");
    assert_eq!(r.headers["tus-max-size"], "1000");
}

/// A server that checks the whole upload against its `checksum` metadata, expires idle
/// uploads after an hour by a clock the test turns, and records what it completed.
struct Kept {
    server: TusServer,
    store: Arc<MemoryStore>,
    done: Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
    now: Arc<std::sync::Mutex<std::time::SystemTime>>,
}

struct Record(Arc<std::sync::Mutex<Vec<Vec<u8>>>>);

impl ktpel_tus::server::Completion for Record {
    fn complete(
        &self,
        _: &ktpel_tus::server::UploadInfo,
        data: &[u8],
    ) -> Result<(), ktpel_tus::server::Rejection> {
        self.0.lock().unwrap().push(data.to_vec());
        Ok(())
    }
}

fn kept() -> Kept {
    let store = Arc::new(MemoryStore::default());
    let done = Arc::new(std::sync::Mutex::new(Vec::new()));
    let now = Arc::new(std::sync::Mutex::new(std::time::SystemTime::UNIX_EPOCH));
    let clock = now.clone();
    let server = TusServer::new(
        store.clone(),
        Arc::new(Record(done.clone())),
        ServerConfig {
            base_path: "/up".into(),
            idempotency_key: Some("packet-id".into()),
            require_checksum: true,
            upload_checksum_key: Some("checksum".into()),
            expire_after: Some(std::time::Duration::from_secs(3600)),
            ..ServerConfig::default()
        },
    )
    .with_clock(Arc::new(move || *clock.lock().unwrap()));
    Kept {
        server,
        store,
        done,
        now,
    }
}

fn create_whole(s: &TusServer, key: &str, data: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = |v: &[u8]| base64::engine::general_purpose::STANDARD.encode(v);
    let meta = format!(
        "packet-id {},checksum {}",
        b64(key.as_bytes()),
        b64(Algorithm::Sha256.header_value(data).as_bytes())
    );
    let r = s.create(&headers(&[
        ("upload-length", data.len().to_string()),
        ("upload-metadata", meta),
    ]));
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let loc = r.headers["location"].to_str().unwrap();
    loc.strip_prefix("/up/").unwrap().to_string()
}

#[test]
fn a_cut_request_keeps_what_arrived_and_the_rest_completes_the_upload() {
    let k = kept();
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let id = create_whole(&k.server, "p1", &data);
    // The whole upload in one request, cut after 9 000 bytes: they are kept.
    let h = patch_headers(0, &data);
    assert_eq!(k.server.patch_cut(&id, &h, &data[..9_000]).unwrap(), 9_000);
    assert_eq!(k.server.head(&id, &headers(&[])).offset(), Some(9_000));
    // A cut request at a stale offset keeps nothing.
    assert_eq!(k.server.patch_cut(&id, &h, &data[..100]).unwrap(), 9_000);
    // A cut can never complete an upload: the last byte waits for a whole request.
    let h = patch_headers(9_000, &data[9_000..]);
    assert_eq!(k.server.patch_cut(&id, &h, &data[9_000..]).unwrap(), 9_999);
    assert!(k.done.lock().unwrap().is_empty());
    let r = k
        .server
        .patch(&id, &patch_headers(9_999, &data[9_999..]), &data[9_999..]);
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(r.offset(), Some(10_000));
    assert_eq!(
        k.done.lock().unwrap().as_slice(),
        std::slice::from_ref(&data)
    );
    // Completed and taken by the hook: the bytes are gone, the record says it is done.
    assert!(k.store.read(&id).unwrap().is_empty());
    let h = k.server.head(&id, &headers(&[]));
    assert_eq!((h.status, h.offset()), (StatusCode::OK, Some(10_000)));
}

#[test]
fn damaged_bytes_kept_from_a_cut_fail_the_whole_checksum_and_the_upload_starts_again() {
    let k = kept();
    let data: Vec<u8> = (0..10_000u32).map(|i| (i * 13 % 251) as u8).collect();
    let id = create_whole(&k.server, "p2", &data);
    let mut damaged = data[..6_000].to_vec();
    damaged[1234] ^= 0x20;
    k.server
        .patch_cut(&id, &patch_headers(0, &data), &damaged)
        .unwrap();
    // The rest arrives whole and matches its own checksum; the whole does not.
    let rest = &data[6_000..];
    let r = k.server.patch(&id, &patch_headers(6_000, rest), rest);
    assert_eq!(r.status.as_u16(), 460, "{}", r.body);
    assert!(
        k.done.lock().unwrap().is_empty(),
        "nothing damaged is ingested"
    );
    assert_eq!(
        k.server.head(&id, &headers(&[])).status,
        StatusCode::NOT_FOUND
    );
    // Created again by the same key, it goes up whole and completes once.
    let again = create_whole(&k.server, "p2", &data);
    assert_eq!(again, id);
    let r = k.server.patch(&id, &patch_headers(0, &data), &data);
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(k.done.lock().unwrap().as_slice(), &[data]);
}

#[test]
fn idle_uploads_expire_and_termination_deletes() {
    let k = kept();
    let a = create_whole(&k.server, "idle", b"0123456789");
    let b = create_whole(&k.server, "busy", b"abcdefghij");
    *k.now.lock().unwrap() += std::time::Duration::from_secs(1800);
    let r = k.server.patch(&b, &patch_headers(0, b"abc"), b"abc");
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    *k.now.lock().unwrap() += std::time::Duration::from_secs(1801);
    assert_eq!(k.server.expire().unwrap(), 1);
    assert_eq!(
        k.server.head(&a, &headers(&[])).status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(k.server.head(&b, &headers(&[])).offset(), Some(3));
    assert_eq!(
        k.server.terminate(&b, &headers(&[])).status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        k.server.head(&b, &headers(&[])).status,
        StatusCode::NOT_FOUND
    );
    assert!(k.store.list().unwrap().is_empty());
}
