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

/// An allowance for request headers (about 400 B per tus request) in byte-count assertions.
const HEADERS: u64 = 24 * 1024;

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

    // The link drops once 90 % of the packet has gone up.
    o.proxy.cut_after(size * 9 / 10);
    let tx = b.transmitter().spawn();
    let s = step(&o.clock, &o.hand, &tx, Duration::ZERO).await;
    assert_eq!(o.proxy.cuts(), 1);
    assert_eq!(s.sent, 0);
    assert!(s.last_error.unwrap_or_default().starts_with("unreachable"));
    let row = b.queue.get(id).await.unwrap().unwrap();
    assert_eq!(row.state, State::Sending);
    assert!(
        row.upload_offset > size * 8 / 10 && row.upload_offset < size,
        "acknowledged {} of {size}",
        row.upload_offset
    );
    assert_eq!(o.centre.enrollments(), 0);
    let acknowledged = row.upload_offset;

    // The booth restarts: the upload URL and offset come back from the queue.
    drop(tx);
    drop(b);
    let b = booth(&config, o.booth_dir.path(), &o.clock).await;
    let tx = b.transmitter().spawn();
    let s = step(&o.clock, &o.hand, &tx, Duration::from_secs(600)).await;
    assert_eq!(s.sent, 1, "{s:?}");
    // Only what the centre had not acknowledged went up again.
    assert_eq!(s.bytes_acknowledged, size - acknowledged);
    let row = b.queue.get(id).await.unwrap().unwrap();
    assert_eq!(row.state, State::Received);
    assert_eq!(row.upload_offset, size);
    assert_eq!(row.sealed_size, Some(size));
    assert!(!row.holds_sealed_captures);
    assert_eq!(o.centre.enrollments(), 1);
    // Everything the link carried up beyond the packet: the chunk the cut interrupted (at most
    // a twentieth of the packet) and the headers of some thirty requests.
    let up = o.proxy.bytes_up();
    assert!(
        up >= size && up <= size + size / 20 + HEADERS,
        "{up} bytes up for {size}"
    );
    assert!(s.link_rate_bps.is_some());
    let counts = b.queue.counts().await.unwrap();
    assert_eq!(counts.backlog_bytes, 0);
    assert!(counts.link_rate_bps.is_some());
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
    let acknowledged = b.queue.get(id).await.unwrap().unwrap().upload_offset;
    assert!(acknowledged > size * 4 / 10 && acknowledged < size);
    assert_eq!(
        b.queue.counts().await.unwrap().backlog_bytes,
        size - acknowledged
    );

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
    let s = until_sent(&clock, &hand, &tx, 1).await;
    assert_eq!(s.sent, 1, "{s:?}");
    assert_eq!(
        s.bytes_acknowledged, size,
        "one acknowledged byte per byte of the packet"
    );
    assert_eq!(centre.enrollments(), 1);
    let up = proxy.bytes_up();
    assert!(up <= size + size / 20 + HEADERS, "{up} bytes up for {size}");
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
    let acknowledged = b.queue.get(id).await.unwrap().unwrap().upload_offset;
    assert!(acknowledged > 0);
    // As if the booth had crashed between creating the upload and keeping its URL.
    b.queue.call(move |s| s.upload_forgotten(id)).await.unwrap();
    let before = o.proxy.bytes_up();
    let s = until_sent(&o.clock, &o.hand, &tx, 1).await;
    assert_eq!(s.sent, 1, "{s:?}");
    assert_eq!(o.centre.enrollments(), 1);
    // Creation by the same packet id found the same upload: only the rest went up.
    let resent = o.proxy.bytes_up() - before;
    assert!(
        resent <= size - acknowledged + size / 20 + HEADERS,
        "{resent} bytes for the {} left",
        size - acknowledged
    );
}
