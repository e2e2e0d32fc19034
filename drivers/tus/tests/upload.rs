//! The client against the server, over the netem proxy where a link matters. Assertions are
//! on byte counts and on what the server holds, not on time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use ktpel_netem::{LinkProfile, Proxy};
use ktpel_tus::client::{ClientConfig, TusClient, TusError};
use ktpel_tus::server::{
    router, Completion, FileStore, MemoryStore, Rejection, ServerConfig, TusServer, UploadInfo,
    UploadStore,
};
use ktpel_tus::{Algorithm, Metadata};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Records what completed; refuses while `refuse` is set.
#[derive(Default)]
struct Inbox {
    done: Mutex<Vec<(UploadInfo, Vec<u8>)>>,
    refuse: Mutex<bool>,
}

impl Completion for Inbox {
    fn complete(&self, upload: &UploadInfo, data: &[u8]) -> Result<(), Rejection> {
        if *self.refuse.lock().unwrap() {
            return Err(Rejection {
                status: http::StatusCode::SERVICE_UNAVAILABLE,
                content_type: "text/plain",
                body: "ingest is down".into(),
            });
        }
        self.done
            .lock()
            .unwrap()
            .push((upload.clone(), data.to_vec()));
        Ok(())
    }
}

fn config() -> ServerConfig {
    ServerConfig {
        base_path: "/uploads".into(),
        idempotency_key: Some("packet-id".into()),
        require_checksum: true,
        ..ServerConfig::default()
    }
}

async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn tus_server(store: Arc<dyn UploadStore>) -> (SocketAddr, Arc<Inbox>) {
    let inbox = Arc::new(Inbox::default());
    let server = Arc::new(TusServer::new(store, inbox.clone(), config()));
    (serve(router(server)).await, inbox)
}

fn packet(n: usize) -> Bytes {
    Bytes::from((0..n).map(|i| (i * 131 % 253) as u8).collect::<Vec<_>>())
}

fn meta(id: &str) -> Metadata {
    let mut m = Metadata::new();
    m.insert("packet-id".into(), id.as_bytes().to_vec());
    m
}

fn client(chunk_size: usize) -> TusClient {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    TusClient::new(
        http,
        ClientConfig {
            chunk_size,
            checksum: Some(Algorithm::Sha256),
        },
    )
}

/// Creates and sends the whole packet; answers the upload URL.
async fn upload_all(c: &TusClient, base: &str, id: &str, data: &Bytes) -> Result<String, TusError> {
    let created = c
        .create(&format!("{base}/uploads"), data.len() as u64, &meta(id))
        .await?;
    c.send_from(&created.url, data, created.offset.unwrap_or(0), |_| {})
        .await?;
    Ok(created.url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_upload_arrives_intact_and_completes_once() {
    let (addr, inbox) = tus_server(Arc::new(MemoryStore::default())).await;
    let proxy = Proxy::start(addr, LinkProfile::unlimited()).await.unwrap();
    let data = packet(280_000);
    let c = client(16 * 1024);
    let caps = c
        .capabilities(&format!("{}/uploads", proxy.http_url()))
        .await
        .unwrap();
    assert!(caps.extensions.contains(&"checksum".to_string()));
    assert!(caps.checksum_algorithms.contains(&"sha256".to_string()));
    upload_all(&c, &proxy.http_url(), "p-1", &data)
        .await
        .unwrap();
    let done = inbox.done.lock().unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].1, data.to_vec());
    assert_eq!(done[0].0.metadata["packet-id"], b"p-1");
    // Headers cost something, but the payload went through once.
    assert!(proxy.bytes_up() >= 280_000 && proxy.bytes_up() < 280_000 + 18 * 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_at_ninety_percent_then_resume_sends_at_most_five_percent_more() {
    let data = packet(280_000);
    let chunk = 8 * 1024;

    // The same upload without a cut: what the link carries for it, headers included.
    let (addr, _) = tus_server(Arc::new(MemoryStore::default())).await;
    let clean = Proxy::start(addr, LinkProfile::unlimited()).await.unwrap();
    upload_all(&client(chunk), &clean.http_url(), "p-clean", &data)
        .await
        .unwrap();
    let baseline = clean.bytes_up();

    let (addr, inbox) = tus_server(Arc::new(MemoryStore::default())).await;
    let proxy = Proxy::start(addr, LinkProfile::unlimited()).await.unwrap();
    let c = client(chunk);
    let created = c
        .create(
            &format!("{}/uploads", proxy.http_url()),
            data.len() as u64,
            &meta("p-cut"),
        )
        .await
        .unwrap();
    proxy.cut_after(data.len() as u64 * 9 / 10);
    let mut acked = 0;
    let first = c.send_from(&created.url, &data, 0, |o| acked = o).await;
    assert!(matches!(first, Err(TusError::Transport(_))), "{first:?}");
    assert_eq!(proxy.cuts(), 1);
    assert!(
        acked < data.len() as u64 && acked > data.len() as u64 * 8 / 10,
        "acked {acked}"
    );

    // Resume: HEAD says where the server is, and only the rest goes again.
    let from = c.resume(&created.url, &data, |o| acked = o).await.unwrap();
    assert!(
        from <= acked && from > data.len() as u64 * 8 / 10,
        "resumed from {from}"
    );
    assert_eq!(acked, data.len() as u64);
    assert_eq!(inbox.done.lock().unwrap()[0].1, data.to_vec());
    let extra = proxy.bytes_up() - baseline;
    assert!(
        extra * 20 <= data.len() as u64,
        "re-sent {extra} bytes (baseline {baseline}, with the cut {})",
        proxy.bytes_up()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_again_with_the_same_packet_id_answers_the_same_upload() {
    let (addr, inbox) = tus_server(Arc::new(MemoryStore::default())).await;
    let base = format!("http://{addr}/uploads");
    let c = client(10_000);
    let data = packet(50_000);
    let first = c.create(&base, 50_000, &meta("p-7")).await.unwrap();
    assert_eq!(first.offset, Some(0));
    c.send_from(&first.url, &data.slice(..20_000), 0, |_| {})
        .await
        .unwrap();
    let again = c.create(&base, 50_000, &meta("p-7")).await.unwrap();
    assert_eq!(again.url, first.url);
    assert_eq!(again.offset, Some(20_000));
    let other = c.create(&base, 50_000, &meta("p-8")).await.unwrap();
    assert_ne!(other.url, first.url);
    // The same packet id with another length is a conflict, not a second upload.
    let clash = c.create(&base, 49_999, &meta("p-7")).await;
    assert!(
        matches!(clash, Err(TusError::Refused { status: 409, .. })),
        "{clash:?}"
    );
    c.resume(&again.url, &data, |_| {}).await.unwrap();
    assert_eq!(inbox.done.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_completion_leaves_the_last_chunk_unacknowledged_until_it_is_accepted() {
    let (addr, inbox) = tus_server(Arc::new(MemoryStore::default())).await;
    let base = format!("http://{addr}/uploads");
    let c = client(10_000);
    let data = packet(25_000);
    *inbox.refuse.lock().unwrap() = true;
    let r = upload_all(&c, &format!("http://{addr}"), "p-9", &data).await;
    assert!(
        matches!(r, Err(TusError::Refused { status: 503, .. })),
        "{r:?}"
    );
    let url = c.create(&base, 25_000, &meta("p-9")).await.unwrap().url;
    assert_eq!(c.progress(&url).await.unwrap().offset, 20_000);
    *inbox.refuse.lock().unwrap() = false;
    assert_eq!(c.resume(&url, &data, |_| {}).await.unwrap(), 20_000);
    assert_eq!(inbox.done.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_in_a_file_store_survive_a_server_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = packet(30_000);
    let c = client(10_000);
    let url_path;
    {
        let (addr, _) = tus_server(Arc::new(FileStore::open(dir.path()).unwrap())).await;
        let created = c
            .create(&format!("http://{addr}/uploads"), 30_000, &meta("p-f"))
            .await
            .unwrap();
        c.send_from(&created.url, &data.slice(..20_000), 0, |_| {})
            .await
            .unwrap();
        url_path = reqwest::Url::parse(&created.url)
            .unwrap()
            .path()
            .to_string();
    }
    #[cfg(unix)]
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "upload files are private");
    }
    // A new server process on the same directory (another port).
    let (addr, inbox) = tus_server(Arc::new(FileStore::open(dir.path()).unwrap())).await;
    let url = format!("http://{addr}{url_path}");
    assert_eq!(c.resume(&url, &data, |_| {}).await.unwrap(), 20_000);
    assert_eq!(inbox.done.lock().unwrap()[0].1, data.to_vec());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_cut_at_ninety_percent_resends_only_what_never_arrived_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = packet(280_000);
    // The whole upload in one PATCH.
    let c = client(data.len());
    let (addr, _) = tus_server(Arc::new(FileStore::open(dir.path()).unwrap())).await;
    let proxy = Proxy::start(addr, LinkProfile::unlimited()).await.unwrap();
    let created = c
        .create(
            &format!("{}/uploads", proxy.http_url()),
            data.len() as u64,
            &meta("p-one"),
        )
        .await
        .unwrap();
    let path = reqwest::Url::parse(&created.url)
        .unwrap()
        .path()
        .to_string();
    let before = proxy.bytes_up();
    proxy.cut_after(data.len() as u64 * 9 / 10);
    let first = c.send_from(&created.url, &data, 0, |_| {}).await;
    assert!(matches!(first, Err(TusError::Transport(_))), "{first:?}");
    let carried = proxy.bytes_up() - before;

    // The server restarts on the same directory: it kept every body byte that reached it.
    let (addr, inbox) = tus_server(Arc::new(FileStore::open(dir.path()).unwrap())).await;
    let proxy = Proxy::start(addr, LinkProfile::unlimited()).await.unwrap();
    let url = format!("{}{path}", proxy.http_url());
    let mut from = 0;
    for _ in 0..50 {
        // The first server's task may still be storing what it received.
        from = c.progress(&url).await.unwrap().offset;
        if from > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let head = 600; // what the cut request's line and headers took of the link
    assert!(
        from + head >= carried && from < data.len() as u64,
        "kept {from} of the {carried} bytes that reached the server"
    );
    assert_eq!(c.resume(&url, &data, |_| {}).await.unwrap(), from);
    assert_eq!(inbox.done.lock().unwrap()[0].1, data.to_vec());
    // Everything the link carried beyond the packet: headers, not data.
    let total = carried + proxy.bytes_up();
    assert!(
        total <= data.len() as u64 + 2048,
        "{total} bytes up for {}",
        data.len()
    );
    // Ingested: the server's copy of the bytes is deleted, the record stays.
    let files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!files.iter().any(|f| f.ends_with(".bin")), "{files:?}");
    assert_eq!(c.progress(&url).await.unwrap().offset, data.len() as u64);
}

// ---- Servers that misbehave ------------------------------------------------------------

/// A server that answers every PATCH and HEAD with the given status and headers.
async fn scripted(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
) -> String {
    let answer = move || async move {
        let mut resp = axum::response::Response::new(axum::body::Body::from(body));
        *resp.status_mut() = http::StatusCode::from_u16(status).unwrap();
        for (k, v) in headers {
            resp.headers_mut()
                .insert(*k, http::HeaderValue::from_static(v));
        }
        resp
    };
    let app = axum::Router::new().route("/uploads/{id}", axum::routing::patch(answer).head(answer));
    format!("http://{}/uploads/abc", serve(app).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_offset_answer_is_an_offset_conflict_naming_the_servers_offset() {
    let url = scripted(
        409,
        &[("tus-resumable", "1.0.0"), ("upload-offset", "4096")],
        "",
    )
    .await;
    let r = client(1000)
        .patch(&url, 0, Bytes::from_static(b"abc"))
        .await;
    assert_eq!(
        r,
        Err(TusError::OffsetConflict {
            sent: 0,
            server: Some(4096)
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offset_beyond_what_was_sent_is_refused() {
    let url = scripted(
        204,
        &[("tus-resumable", "1.0.0"), ("upload-offset", "999999")],
        "",
    )
    .await;
    let r = client(1000)
        .patch(&url, 10, Bytes::from_static(b"abc"))
        .await;
    assert_eq!(
        r,
        Err(TusError::OffsetBeyondSent {
            acknowledged: 999_999,
            sent: 13
        })
    );
    // A HEAD claiming more than the whole upload.
    let r = client(1000)
        .resume(&url, &Bytes::from_static(b"abcdef"), |_| {})
        .await;
    assert_eq!(
        r,
        Err(TusError::OffsetBeyondSent {
            acknowledged: 999_999,
            sent: 6
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_answers_are_garbage_errors() {
    // A captive portal: 200 and HTML, no tus headers at all.
    let url = scripted(200, &[("content-type", "text/html")], "<html>login</html>").await;
    let r = client(1000)
        .patch(&url, 0, Bytes::from_static(b"abc"))
        .await;
    assert!(matches!(r, Err(TusError::Garbage(_))), "{r:?}");
    let r = client(1000).progress(&url).await;
    assert!(matches!(r, Err(TusError::Garbage(_))), "{r:?}");
    // tus-looking, but the offset is not a number.
    let url = scripted(
        204,
        &[("tus-resumable", "1.0.0"), ("upload-offset", "12abc")],
        "",
    )
    .await;
    let r = client(1000)
        .patch(&url, 0, Bytes::from_static(b"abc"))
        .await;
    assert!(matches!(r, Err(TusError::Garbage(_))), "{r:?}");
    // An acknowledgement of nothing would loop forever: refused.
    let url = scripted(
        204,
        &[("tus-resumable", "1.0.0"), ("upload-offset", "0")],
        "",
    )
    .await;
    let r = client(1000)
        .send_from(&url, &Bytes::from_static(b"abc"), 0, |_| {})
        .await;
    assert!(matches!(r, Err(TusError::Garbage(_))), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checksum_mismatch_answer_is_its_own_error() {
    let url = scripted(460, &[("tus-resumable", "1.0.0")], "Checksum Mismatch").await;
    let r = client(1000)
        .patch(&url, 7, Bytes::from_static(b"abc"))
        .await;
    assert_eq!(r, Err(TusError::ChecksumMismatch { offset: 7 }));
}
