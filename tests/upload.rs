//! Resumable uploads (tus 1.0.0) from the booth's transmitter to the centre simulator through
//! a weak link (the netem proxy): a cut part way resumes from the centre's acknowledged offset
//! after a restart of the booth or of the centre. Assertions are on byte counts, the queue and
//! what the centre holds; the clock is manual.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{config_for, start_time};
use jiff::Timestamp;
use ktpel_booth::booth::transmit::{TransmitStatus, TransmitterHandle};
use ktpel_booth::booth::Booth;
use ktpel_booth::centre_sim::{CentreSim, CentreSimConfig};
use ktpel_booth::clock::{Clock, ManualClock};
use ktpel_booth::config::{CentreConfig, Config};
use ktpel_booth::queue::State;
use ktpel_netem::{LinkProfile, Proxy};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// An allowance for request headers (about 500 B per tus request, a handful per upload) in
/// byte-count assertions.
const HEADERS: u64 = 4 * 1024;

/// What the centre holds of packet `id`'s upload, once the task storing a cut request's
/// bytes has run (it goes on after the connection is gone).
async fn kept_by_centre(centre: &CentreSim, id: uuid::Uuid) -> u64 {
    for _ in 0..500 {
        if let Some((held, _)) = centre.upload_of(id).unwrap() {
            if held > 0 {
                return held;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the centre kept nothing of the cut request");
}

async fn step(
    clock: &Clock,
    hand: &ManualClock,
    tx: &TransmitterHandle,
    by: Duration,
) -> TransmitStatus {
    hand.advance(by);
    let at: Timestamp = clock.now();
    tokio::time::timeout(Duration::from_secs(120), tx.pass_after(at))
        .await
        .expect("the transmitter finished a pass")
}

/// Passes until the transmitter has confirmed `n` packets (a connection the pool kept across a
/// restart may fail once before a fresh one is made).
async fn until_sent(
    clock: &Clock,
    hand: &ManualClock,
    tx: &TransmitterHandle,
    n: u64,
) -> TransmitStatus {
    let mut s = step(clock, hand, tx, Duration::from_secs(600)).await;
    for _ in 0..3 {
        if s.sent >= n {
            break;
        }
        s = step(clock, hand, tx, Duration::from_secs(600)).await;
    }
    s
}

async fn centre(clock: &Clock, state: &Path, bind: std::net::SocketAddr) -> CentreSim {
    let config = CentreSimConfig {
        bind,
        verdict_delay: Duration::from_secs(20),
        population_size: 50,
        clock: clock.clone(),
        state_dir: Some(state.to_path_buf()),
        prepare_bundles: false,
        ..CentreSimConfig::default()
    };
    // A stopped centre's listener closes when its aborted task is dropped, a moment after
    // the stop: binding its address again may need a few tries.
    let mut tries = 0;
    loop {
        match CentreSim::start(config.clone()).await {
            Ok(c) => return c,
            Err(ktpel_booth::centre_sim::CentreSimError::Bind { .. }) if tries < 100 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("centre simulator: {e}"),
        }
    }
}

/// The booth's config with the centre behind the proxy.
fn behind(centre: &CentreSim, proxy: &Proxy, data: &Path) -> Config {
    let mut config = config_for(centre, data);
    if let CentreConfig::Remote(r) = &mut config.centre {
        r.centre_url = proxy.http_url();
    }
    config
}

async fn booth(config: &Config, data: &Path, clock: &Clock) -> Booth {
    let (booth, _) =
        ktpel_booth::embedded::start(config.clone(), data.to_path_buf(), clock.clone())
            .await
            .unwrap();
    booth
}

struct Office {
    clock: Clock,
    hand: Arc<ManualClock>,
    centre_dir: tempfile::TempDir,
    booth_dir: tempfile::TempDir,
    centre: CentreSim,
    proxy: Proxy,
}

async fn office() -> Office {
    let (clock, hand) = Clock::manual(start_time());
    let centre_dir = tempfile::tempdir().unwrap();
    let booth_dir = tempfile::tempdir().unwrap();
    let centre = centre(&clock, centre_dir.path(), ([127, 0, 0, 1], 0).into()).await;
    let proxy = Proxy::start(centre.addr(), LinkProfile::unlimited())
        .await
        .unwrap();
    Office {
        clock,
        hand,
        centre_dir,
        booth_dir,
        centre,
        proxy,
    }
}

async fn record(o: &Office, b: &Booth, i: usize) -> (uuid::Uuid, u64) {
    let resident = o.centre.population()[i].clone();
    let e = common::enrollment(&resident, i as u64 + 1, o.clock.now());
    let c = b.record(e, None).await.unwrap();
    let row = b.queue.get(c.packet_id).await.unwrap().unwrap();
    let size = row.sealed_size.expect("the queue keeps the sealed size");
    (c.packet_id, size)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_at_ninety_percent_resumes_after_a_booth_restart_resending_under_five_percent() {
    let o = office().await;
    let config = behind(&o.centre, &o.proxy, o.booth_dir.path());
    let b = booth(&config, o.booth_dir.path(), &o.clock).await;
    let (id, size) = record(&o, &b, 0).await;
    let row = b.queue.get(id).await.unwrap().unwrap();
    assert!(row.holds_sealed_captures && row.upload_offset == 0);

    // The link drops once 90 % of the packet has gone up (the creation's few hundred bytes
    // count too), in the middle of the one PATCH that carries the packet.
    o.proxy.cut_after(size * 9 / 10);
    let tx = b.transmitter().spawn();
    let s = step(&o.clock, &o.hand, &tx, Duration::ZERO).await;
    assert_eq!(o.proxy.cuts(), 1);
    assert_eq!(s.sent, 0);
    assert!(s.last_error.unwrap_or_default().starts_with("unreachable"));
    let row = b.queue.get(id).await.unwrap().unwrap();
    assert_eq!(row.state, State::Sending);
    assert_eq!(o.centre.enrollments(), 0);
    // The centre kept what reached it: all but the creation's and the PATCH's headers.
    let kept = kept_by_centre(&o.centre, id).await;
    assert!(
        kept + HEADERS > size * 9 / 10 && kept < size,
        "kept {kept} of {size}"
    );

    // The booth restarts: the upload URL comes back from the queue, the offset from a HEAD.
    drop(tx);
    drop(b);
    let b = booth(&config, o.booth_dir.path(), &o.clock).await;
    let tx = b.transmitter().spawn();
    let s = step(&o.clock, &o.hand, &tx, Duration::from_secs(600)).await;
    assert_eq!(s.sent, 1, "{s:?}");
    // Only what the centre had not kept went up again.
    assert_eq!(s.bytes_acknowledged, size - kept);
    let row = b.queue.get(id).await.unwrap().unwrap();
    assert_eq!(row.state, State::Received);
    assert_eq!(row.upload_offset, size);
    assert_eq!(row.sealed_size, Some(size));
    assert!(!row.holds_sealed_captures);
    assert_eq!(o.centre.enrollments(), 1);
    assert_eq!(o.centre.packets_received(), 1);
    // Everything the link carried up beyond the packet: request headers, no packet byte twice
    // (the goal is at most 5 % of the packet).
    let up = o.proxy.bytes_up();
    assert!(
        up >= size && up <= size + HEADERS && up - size <= size / 20,
        "{up} bytes up for {size}"
    );
    assert_eq!(b.queue.counts().await.unwrap().backlog_bytes, 0);
    // Ingested: the centre's upload store deleted the packet's bytes.
    let left = std::fs::read_dir(o.centre_dir.path().join("uploads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".bin"))
        .count();
    assert_eq!(left, 0, "no uploaded bytes are left at the centre");
    assert_eq!(o.centre.upload_of(id).unwrap(), Some((size, size)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_then_a_centre_restart_resumes_from_what_the_centre_kept() {
    let o = office().await;
    let config = behind(&o.centre, &o.proxy, o.booth_dir.path());
    let b = booth(&config, o.booth_dir.path(), &o.clock).await;
    let (id, size) = record(&o, &b, 1).await;
    let counts = b.queue.counts().await.unwrap();
    assert_eq!(counts.backlog_bytes, size);

    o.proxy.cut_after(size / 2);
    let tx = b.transmitter().spawn();
    step(&o.clock, &o.hand, &tx, Duration::ZERO).await;
    let kept = kept_by_centre(&o.centre, id).await;
    assert!(kept + HEADERS > size / 2 && kept < size, "kept {kept}");

    // The centre goes down and comes back on the same address and state directory.
    let Office {
        clock,
        hand,
        centre_dir,
        booth_dir,
        centre: old,
        proxy,
    } = o;
    let addr = old.addr();
    drop(old);
    let centre = centre(&clock, centre_dir.path(), addr).await;
    assert_eq!(centre.upload_of(id).unwrap(), Some((kept, size)));
    let s = until_sent(&clock, &hand, &tx, 1).await;
    assert_eq!(s.sent, 1, "{s:?}");
    assert_eq!(
        s.bytes_acknowledged,
        size - kept,
        "the rest, acknowledged once"
    );
    // Half a packet acknowledged in one request is enough to measure the link's rate.
    assert!(s.link_rate_bps.is_some());
    assert_eq!(centre.enrollments(), 1);
    let up = proxy.bytes_up();
    assert!(
        up <= size + HEADERS && up - size <= size / 20,
        "{up} bytes up for {size}"
    );
    assert_eq!(b.queue.counts().await.unwrap().backlog_bytes, 0);
    let _ = booth_dir;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_url_lost_by_the_booth_is_found_again_by_packet_id() {
    let o = office().await;
    let config = behind(&o.centre, &o.proxy, o.booth_dir.path());
    let b = booth(&config, o.booth_dir.path(), &o.clock).await;
    let (id, size) = record(&o, &b, 2).await;
    o.proxy.cut_after(size / 3);
    let tx = b.transmitter().spawn();
    step(&o.clock, &o.hand, &tx, Duration::ZERO).await;
    let kept = kept_by_centre(&o.centre, id).await;
    // As if the booth had crashed between creating the upload and keeping its URL.
    b.queue.call(move |s| s.upload_forgotten(id)).await.unwrap();
    let before = o.proxy.bytes_up();
    let s = until_sent(&o.clock, &o.hand, &tx, 1).await;
    assert_eq!(s.sent, 1, "{s:?}");
    assert_eq!(o.centre.enrollments(), 1);
    // Creation by the same packet id found the same upload: only the rest went up.
    let resent = o.proxy.bytes_up() - before;
    assert!(
        resent <= size - kept + HEADERS,
        "{resent} bytes for the {} left",
        size - kept
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_left_idle_past_the_expiry_is_deleted_and_the_packet_goes_up_again_whole() {
    let o = office().await;
    let config = behind(&o.centre, &o.proxy, o.booth_dir.path());
    let b = booth(&config, o.booth_dir.path(), &o.clock).await;
    let (id, size) = record(&o, &b, 5).await;
    o.proxy.cut_after(size / 2);
    let tx = b.transmitter().spawn();
    step(&o.clock, &o.hand, &tx, Duration::ZERO).await;
    kept_by_centre(&o.centre, id).await;
    drop(tx);

    // A week and a day without a word from the booth: the centre deletes the half upload.
    o.hand.advance(Duration::from_secs(8 * 24 * 3600));
    assert_eq!(o.centre.expire_uploads().unwrap(), 1);
    assert_eq!(o.centre.upload_of(id).unwrap(), None);
    let files = std::fs::read_dir(o.centre_dir.path().join("uploads"))
        .unwrap()
        .count();
    assert_eq!(files, 0, "nothing of the packet is left at the centre");

    // The booth still holds the packet: it finds the upload gone and sends it again, once.
    let before = o.proxy.bytes_up();
    let tx = b.transmitter().spawn();
    let s = until_sent(&o.clock, &o.hand, &tx, 1).await;
    assert_eq!(s.sent, 1, "{s:?}");
    assert_eq!(o.centre.enrollments(), 1);
    assert_eq!(o.centre.packets_received(), 1);
    let up = o.proxy.bytes_up() - before;
    assert!(up >= size && up <= size + HEADERS, "{up} bytes for {size}");
}

// ---- A centre whose answers go wrong ----------------------------------------------------

/// Between the booth and the centre: forwards every request, and spoils the answers to the
/// first PATCHes as scripted (after the centre has handled them).
async fn spoiler(centre: std::net::SocketAddr, script: Vec<Spoil>) -> std::net::SocketAddr {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    let script = Arc::new(std::sync::Mutex::new(script));
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let (http, script) = (http.clone(), script.clone());
            async move {
                let url = format!("http://{centre}{}", uri.path());
                let mut req = http.request(method.clone(), url).body(body);
                for (k, v) in &headers {
                    if k != "host" && k != "content-length" {
                        req = req.header(k, v);
                    }
                }
                let resp = req.send().await.unwrap();
                let status = resp.status();
                let mut out = axum::response::Response::builder().status(status.as_u16());
                for (k, v) in resp.headers() {
                    if k != "content-length" && k != "transfer-encoding" {
                        out = out.header(k, v);
                    }
                }
                let body = resp.bytes().await.unwrap();
                let spoil = if method == Method::PATCH {
                    let mut s = script.lock().unwrap();
                    (!s.is_empty()).then(|| s.remove(0))
                } else {
                    None
                };
                match spoil {
                    None => out.body(axum::body::Body::from(body)).unwrap(),
                    Some(Spoil::OffsetBeyond) => axum::response::Response::builder()
                        .status(StatusCode::NO_CONTENT)
                        .header("tus-resumable", "1.0.0")
                        .header("upload-offset", "99999999")
                        .body(axum::body::Body::empty())
                        .unwrap(),
                    Some(Spoil::Garbage) => axum::response::Response::builder()
                        .status(StatusCode::OK)
                        .header("content-type", "text/html")
                        .body(axum::body::Body::from("<html>Login to continue</html>"))
                        .unwrap(),
                }
            }
        },
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[derive(Debug, Clone, Copy)]
enum Spoil {
    OffsetBeyond,
    Garbage,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patch_answered_with_a_wrong_offset_or_garbage_is_a_clear_error_and_nothing_is_lost_or_sent_twice(
) {
    let o = office().await;
    let spoiler = spoiler(o.centre.addr(), vec![Spoil::OffsetBeyond, Spoil::Garbage]).await;
    let proxy = Proxy::start(spoiler, LinkProfile::unlimited())
        .await
        .unwrap();
    let config = behind(&o.centre, &proxy, o.booth_dir.path());
    let b = booth(&config, o.booth_dir.path(), &o.clock).await;
    let (first, size1) = record(&o, &b, 3).await;
    let (second, size2) = record(&o, &b, 4).await;

    let tx = b.transmitter().spawn();
    let s = step(&o.clock, &o.hand, &tx, Duration::ZERO).await;
    assert_eq!(s.sent, 0, "a spoiled answer is not a confirmation: {s:?}");
    assert_eq!(s.send_failures, 2);
    let mut errors = Vec::new();
    for id in [first, second] {
        let row = b.queue.get(id).await.unwrap().unwrap();
        assert_eq!(row.state, State::Sending);
        assert!(
            row.holds_sealed_captures,
            "the packet is still in the queue"
        );
        errors.push(row.last_error.unwrap_or_default());
    }
    errors.sort();
    assert!(
        errors[0].starts_with("garbage: ") && errors[0].contains("Tus-Resumable"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("tus_offset_beyond_sent: ") && errors[1].contains("99999999"),
        "{errors:?}"
    );

    // The centre did take both packets; the next pass finds them complete by HEAD and sends
    // nothing again.
    assert_eq!(o.centre.enrollments(), 2);
    let before = proxy.bytes_up();
    let s = step(&o.clock, &o.hand, &tx, Duration::from_secs(600)).await;
    assert_eq!(s.sent, 2, "{s:?}");
    assert_eq!(o.centre.enrollments(), 2);
    assert_eq!(o.centre.packets_received(), 2, "each packet ingested once");
    assert!(
        proxy.bytes_up() - before <= HEADERS,
        "{} bytes sent again",
        proxy.bytes_up() - before
    );
    assert!(proxy.bytes_up() <= size1 + size2 + 2 * HEADERS);
    for id in [first, second] {
        assert_eq!(
            b.queue.get(id).await.unwrap().unwrap().state,
            State::Received
        );
    }
}
