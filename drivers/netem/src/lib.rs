//! A loopback TCP proxy that plays a weak link for tests and benches.
//!
//! [`Proxy::start`] listens on `127.0.0.1:0` and forwards every connection to a target. Each
//! direction has its own [`Direction`]: a line rate (bits per second) and a one-way delay, so a
//! request/answer exchange costs twice the delay (the round-trip time) plus the time the bytes
//! take to go through the line. The proxy counts the bytes it has forwarded each way, and can
//! cut every open connection once a given number of bytes has passed client → server, which is
//! how tests stage "the link dropped at 90 %" and then assert on byte counts, not on time.
//!
//! The model, per direction: a reader takes what the sender wrote in pieces of at most
//! [`PIECE`] bytes, holds each piece for its serialisation time at the line rate (so a fast
//! sender is slowed by TCP back-pressure, as behind a real slow line), then hands it to a delay
//! line that delivers it `one_way_delay` later, in order. The line is one per direction for
//! the whole proxy: connections at once share its rate, as on a real link.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::Instrument as _;

/// The largest piece a direction forwards at once: small enough that a 384 kbit/s line
/// delivers a piece every ~85 ms rather than in bursts.
pub const PIECE: usize = 4096;

/// How late a timer may wake before the line counts as having been idle.
const TIMER_SLACK: Duration = Duration::from_millis(20);

/// One direction of the link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Direction {
    /// Line rate in bits per second; `None` forwards as fast as the sockets allow.
    pub rate_bps: Option<u64>,
    /// Time from a byte leaving the line to its arrival at the other end.
    pub one_way_delay: Duration,
}

impl Direction {
    /// How long `bytes` occupy the line at this rate.
    pub fn serialisation(&self, bytes: usize) -> Duration {
        match self.rate_bps {
            Some(rate) if rate > 0 => {
                Duration::from_nanos((bytes as u64 * 8).saturating_mul(1_000_000_000) / rate)
            }
            _ => Duration::ZERO,
        }
    }
}

/// Both directions of the link. `up` is client → server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkProfile {
    pub up: Direction,
    pub down: Direction,
}

impl LinkProfile {
    /// No shaping at all: a transparent, counting proxy.
    pub fn unlimited() -> Self {
        Self::default()
    }

    /// The same rate both ways and a round-trip time of `rtt` (each way `rtt / 2`).
    pub fn symmetric(rate_bps: u64, rtt: Duration) -> Self {
        let d = Direction {
            rate_bps: Some(rate_bps),
            one_way_delay: rtt / 2,
        };
        Self { up: d, down: d }
    }
}

#[derive(Debug, Default)]
struct Counters {
    up: u64,
    down: u64,
    /// Cut every connection when `up` reaches this.
    cut_at: Option<u64>,
    cuts: u64,
    connections: u64,
}

struct Shared {
    counters: Mutex<Counters>,
    /// When each direction's line is next free (up, down), shared by every connection.
    lines: [Mutex<Instant>; 2],
    /// Bumped at each cut; every connection watches it.
    cut_epoch: watch::Sender<u64>,
}

impl Shared {
    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        // The counters stay consistent even if a holder panicked: every update is one
        // statement under the lock.
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Books `piece` on `way`'s line: answers when it has gone through.
    fn book(&self, way: Way, dir: Direction, piece: usize) -> Instant {
        let line = &self.lines[way as usize];
        let mut free_at = line.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        // A reader woken a little late by the timer has not left the line idle: carry on from
        // where the line was, or the lateness of every piece would add up and slow the line
        // below its rate on a busy machine.
        let start = if now.saturating_duration_since(*free_at) < TIMER_SLACK {
            *free_at
        } else {
            now
        };
        *free_at = start + dir.serialisation(piece);
        *free_at
    }

    fn cut(&self) {
        self.counters().cuts += 1;
        self.cut_epoch.send_modify(|e| *e += 1);
    }
}

/// A running proxy. Dropping it stops listening and drops every connection.
pub struct Proxy {
    addr: SocketAddr,
    target: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Listens on `127.0.0.1:0` and forwards each accepted connection to `target`.
    pub async fn start(target: SocketAddr, profile: LinkProfile) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (cut_epoch, _) = watch::channel(0u64);
        let shared = Arc::new(Shared {
            counters: Mutex::new(Counters::default()),
            lines: [Mutex::new(Instant::now()), Mutex::new(Instant::now())],
            cut_epoch,
        });
        let task = tokio::spawn(accept_loop(listener, target, profile, shared.clone()));
        tracing::debug!(%addr, %target, ?profile, "netem proxy listening");
        Ok(Self {
            addr,
            target,
            shared,
            task,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the proxy forwards to.
    pub fn target(&self) -> SocketAddr {
        self.target
    }

    /// `http://127.0.0.1:port`, for HTTP clients.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Bytes forwarded client → server, over every connection so far.
    pub fn bytes_up(&self) -> u64 {
        self.shared.counters().up
    }

    /// Bytes forwarded server → client.
    pub fn bytes_down(&self) -> u64 {
        self.shared.counters().down
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.shared.counters().connections
    }

    /// Cuts made so far.
    pub fn cuts(&self) -> u64 {
        self.shared.counters().cuts
    }

    /// Arms a cut: once `more` further bytes have passed client → server (counting from now,
    /// over all connections), exactly those bytes are delivered and every open connection is
    /// dropped. The cut fires once; connections made afterwards pass.
    pub fn cut_after(&self, more: u64) {
        let mut c = self.shared.counters();
        c.cut_at = Some(c.up + more);
    }

    /// Arms a cut at an absolute count of client → server bytes.
    pub fn cut_at_total(&self, total_up: u64) {
        self.shared.counters().cut_at = Some(total_up);
    }

    /// Disarms a cut that has not fired.
    pub fn disarm(&self) {
        self.shared.counters().cut_at = None;
    }

    /// Drops every open connection now.
    pub fn cut_now(&self) {
        self.shared.counters().cut_at = None;
        self.shared.cut();
    }
}

async fn accept_loop(
    listener: TcpListener,
    target: SocketAddr,
    profile: LinkProfile,
    shared: Arc<Shared>,
) {
    // Owned here so that aborting this task drops every connection with it.
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (client, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "netem accept failed");
                        continue;
                    }
                };
                let n = {
                    let mut c = shared.counters();
                    c.connections += 1;
                    c.connections
                };
                // Subscribed at accept: a cut from now on concerns this connection.
                let cut = shared.cut_epoch.subscribe();
                let span = tracing::debug_span!("netem.conn", n, %peer);
                conns.spawn(
                    connection(client, target, profile, shared.clone(), cut).instrument(span),
                );
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

async fn connection(
    client: TcpStream,
    target: SocketAddr,
    profile: LinkProfile,
    shared: Arc<Shared>,
    mut cut: watch::Receiver<u64>,
) {
    let server = match TcpStream::connect(target).await {
        Ok(s) => s,
        Err(e) => {
            // The client sees its connection closed, as behind a proxy whose upstream is gone.
            tracing::debug!(error = %e, "netem cannot reach the target");
            return;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pump(cr, sw, profile.up, shared.clone(), Way::Up);
    let down = pump(sr, cw, profile.down, shared, Way::Down);
    tokio::select! {
        _ = async { tokio::join!(up, down) } => {
            tracing::debug!("netem connection closed");
        }
        _ = cut.changed() => {
            tracing::debug!("netem connection cut");
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Up = 0,
    Down = 1,
}

/// One direction: read, hold for the line time, delay, write.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    dir: Direction,
    shared: Arc<Shared>,
    way: Way,
) {
    // Unbounded, but what waits in it is bounded by the line: at most rate × delay bytes
    // (or, unshaped, what the sockets hand over within one delay).
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Option<Vec<u8>>)>();
    let line_shared = shared.clone();
    let line = async move {
        let mut buf = vec![0u8; PIECE];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::debug!(error = %e, ?way, "netem read failed");
                    0
                }
            };
            if n == 0 {
                let _ = tx.send((Instant::now() + dir.one_way_delay, None));
                return;
            }
            let free_at = line_shared.book(way, dir, n);
            if free_at > Instant::now() {
                tokio::time::sleep_until(free_at).await;
            }
            if tx
                .send((free_at + dir.one_way_delay, Some(buf[..n].to_vec())))
                .is_err()
            {
                return;
            }
        }
    };
    let deliver = async move {
        while let Some((at, piece)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            let Some(piece) = piece else {
                let _ = to.shutdown().await;
                return;
            };
            let (allowed, cutting) = {
                let mut c = shared.counters();
                match way {
                    Way::Down => {
                        c.down += piece.len() as u64;
                        (piece.len(), false)
                    }
                    Way::Up => {
                        let room = c.cut_at.map(|at| at.saturating_sub(c.up));
                        match room {
                            Some(room) if room <= piece.len() as u64 => {
                                c.cut_at = None;
                                c.up += room;
                                (room as usize, true)
                            }
                            _ => {
                                c.up += piece.len() as u64;
                                (piece.len(), false)
                            }
                        }
                    }
                }
            };
            if let Err(e) = to.write_all(&piece[..allowed]).await {
                tracing::debug!(error = %e, ?way, "netem write failed");
                return;
            }
            if cutting {
                let _ = to.flush().await;
                tracing::info!("netem: cutting the link at the armed byte count");
                shared.cut();
                return;
            }
        }
    };
    tokio::join!(line, deliver);
}
