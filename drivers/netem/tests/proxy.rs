//! The proxy against a real echo server on loopback: byte counts, the cut, and lower bounds of
//! the time a shaped transfer must take (a limiter can make a transfer slower, never faster, so
//! a lower bound is a sound assertion on a loaded machine).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ktpel_netem::{Direction, LinkProfile, Proxy};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// An echo server; reports how many bytes each connection received.
async fn echo_server() -> (SocketAddr, mpsc::UnboundedReceiver<u64>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut total = 0u64;
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            total += n as u64;
                            if s.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    }
                }
                let _ = tx.send(total);
            });
        }
    });
    (addr, rx)
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

/// Writes `data`, half-closes, reads everything back.
async fn round_trip(addr: SocketAddr, data: &[u8]) -> std::io::Result<Vec<u8>> {
    let s = TcpStream::connect(addr).await?;
    let (mut r, mut w) = s.into_split();
    let owned = data.to_vec();
    let writer = tokio::spawn(async move {
        w.write_all(&owned).await?;
        w.shutdown().await
    });
    let mut back = Vec::new();
    r.read_to_end(&mut back).await?;
    writer.await.map_err(std::io::Error::other)??;
    Ok(back)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwards_both_ways_and_counts_every_byte() {
    let (target, mut received) = echo_server().await;
    let proxy = Proxy::start(target, LinkProfile::unlimited())
        .await
        .unwrap();
    let data = pattern(200_000);
    let back = round_trip(proxy.addr(), &data).await.unwrap();
    assert_eq!(back, data);
    assert_eq!(received.recv().await, Some(200_000));
    assert_eq!(proxy.bytes_up(), 200_000);
    assert_eq!(proxy.bytes_down(), 200_000);
    assert_eq!(proxy.connections(), 1);
    assert_eq!(proxy.cuts(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_delivers_exactly_the_armed_bytes_then_drops_the_connection() {
    let (target, mut received) = echo_server().await;
    let proxy = Proxy::start(target, LinkProfile::unlimited())
        .await
        .unwrap();
    proxy.cut_after(12_345);
    let data = pattern(100_000);
    // The client sees its connection end early (EOF or an error), never the whole echo.
    if let Ok(back) = round_trip(proxy.addr(), &data).await {
        assert!(back.len() < data.len(), "got all {} bytes back", back.len());
    }
    assert_eq!(
        received.recv().await,
        Some(12_345),
        "the server got exactly the armed bytes"
    );
    assert_eq!(proxy.bytes_up(), 12_345);
    assert_eq!(proxy.cuts(), 1);

    // The cut fired once: a new connection passes whole, and the count goes on from there.
    let back = round_trip(proxy.addr(), &data).await.unwrap();
    assert_eq!(back, data);
    assert_eq!(received.recv().await, Some(100_000));
    assert_eq!(proxy.bytes_up(), 112_345);
    assert_eq!(proxy.cuts(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_now_drops_idle_connections_too() {
    let (target, mut received) = echo_server().await;
    let proxy = Proxy::start(target, LinkProfile::unlimited())
        .await
        .unwrap();
    let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
    s.write_all(b"hello").await.unwrap();
    let mut five = [0u8; 5];
    s.read_exact(&mut five).await.unwrap();
    proxy.cut_now();
    let mut rest = Vec::new();
    // EOF or reset: either way the stream ends without more data.
    let n = s.read_to_end(&mut rest).await.unwrap_or(0);
    assert_eq!(n, 0);
    assert_eq!(received.recv().await, Some(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_line_rate_bounds_the_transfer_time_from_below() {
    let (target, _received) = echo_server().await;
    let up = Direction {
        rate_bps: Some(1_000_000),
        one_way_delay: Duration::ZERO,
    };
    let profile = LinkProfile {
        up,
        down: Direction::default(),
    };
    let proxy = Proxy::start(target, profile).await.unwrap();
    let data = pattern(50_000);
    let start = Instant::now();
    let back = round_trip(proxy.addr(), &data).await.unwrap();
    let took = start.elapsed();
    assert_eq!(back.len(), data.len());
    // 50 000 bytes at 1 Mbit/s: 400 ms on the line.
    assert!(took >= Duration::from_millis(400), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_at_once_share_the_line_rate() {
    let (target, _received) = echo_server().await;
    let up = Direction {
        rate_bps: Some(1_000_000),
        one_way_delay: Duration::ZERO,
    };
    let profile = LinkProfile {
        up,
        down: Direction::default(),
    };
    let proxy = Proxy::start(target, profile).await.unwrap();
    let data = pattern(25_000);
    let start = Instant::now();
    let (a, b) = tokio::join!(
        round_trip(proxy.addr(), &data),
        round_trip(proxy.addr(), &data)
    );
    let took = start.elapsed();
    assert_eq!((a.unwrap().len(), b.unwrap().len()), (25_000, 25_000));
    // 50 000 bytes through one 1 Mbit/s line, whichever connection carried them: 400 ms.
    assert!(took >= Duration::from_millis(400), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_exchange_costs_at_least_the_round_trip_time() {
    let (target, _received) = echo_server().await;
    let proxy = Proxy::start(
        target,
        LinkProfile::symmetric(10_000_000, Duration::from_millis(100)),
    )
    .await
    .unwrap();
    let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
    let start = Instant::now();
    for _ in 0..3 {
        s.write_all(b"x").await.unwrap();
        let mut one = [0u8; 1];
        s.read_exact(&mut one).await.unwrap();
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(300),
        "three round trips took {took:?}"
    );
}

#[test]
fn serialisation_time_is_bits_over_rate() {
    let d = Direction {
        rate_bps: Some(384_000),
        one_way_delay: Duration::ZERO,
    };
    assert_eq!(d.serialisation(48_000), Duration::from_secs(1));
    assert_eq!(Direction::default().serialisation(1 << 20), Duration::ZERO);
}
