//! A [`VirtualCard`] inserted into a real `pcscd` through vsmartcard's `vpcd` reader driver.
//!
//! `vpcd` makes pcscd offer a reader ("Virtual PCD 00 00", "Virtual PCD 00 01", ...) that
//! listens on a TCP port (35963, 35964, ...); the *card* side connects to it. Connecting is
//! inserting the card, closing the connection is pulling it out. Every message either way is
//! a 2-byte big-endian length and a payload. From the reader, a 1-byte payload is a control
//! code ([`ctrl`]: power off, power on, reset, get ATR — the last answered with the ATR, the
//! others with nothing); any longer payload is a command APDU, answered with the response APDU.
//!
//! The card side sets `TCP_NODELAY` and re-arms `TCP_QUICKACK` after every read: without them
//! each exchange waits ~40 ms for a delayed ACK (Nagle against delayed ACKs on loopback).
//!
//! Faults come from the card's own [`CardFault`](crate::CardFault) script:
//! - a **tear** (`TearAfter`) writes what fits in the budget, then the card side drops the
//!   connection without answering: pcscd sees the card leave in the middle of the command;
//! - **mute** holds the answer for [`VpcdOptions::mute_hold`] and then drops the connection —
//!   vpcd has no reader time-out of its own (it would wait for ever), so "the reader gave up on
//!   a silent card" is modelled the way vpcd reports any failed exchange: the card is gone. The
//!   card then re-inserts itself (it never left the slot) with its files intact;
//! - a **wrong status word** is answered like any response.
//!
//! File contents never reach a log line: only lengths, instruction bytes and status words.

use crate::card::{CardReply, VirtualCard};
use socket2::{SockRef, TcpKeepalive};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// vpcd's control codes (a 1-byte payload from the reader).
pub mod ctrl {
    pub const POWER_OFF: u8 = 0;
    pub const POWER_ON: u8 = 1;
    pub const RESET: u8 = 2;
    pub const GET_ATR: u8 = 4;
}

/// The port of vpcd's first reader ("Virtual PCD 00 00"); reader `n` listens on `35963 + n`.
pub const VPCD_FIRST_PORT: u16 = 35963;

/// The address of vpcd's reader number `slot` on this machine.
pub fn vpcd_reader_addr(slot: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], VPCD_FIRST_PORT + slot))
}

/// The PC/SC name pcscd gives vpcd's reader number `slot` (with the reader.conf Debian ships).
pub fn vpcd_reader_name(slot: u16) -> String {
    format!("Virtual PCD 00 {slot:02}")
}

/// How the virtual card behaves on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VpcdOptions {
    /// How long a mute card stays silent before the connection is dropped (see the module
    /// docs).
    pub mute_hold: Duration,
    /// How long to keep trying to reach the reader's port when inserting.
    pub connect_timeout: Duration,
}

impl Default for VpcdOptions {
    fn default() -> Self {
        Self {
            mute_hold: Duration::from_millis(300),
            connect_timeout: Duration::from_secs(2),
        }
    }
}

/// Namespace for [`VpcdCard::connect`].
#[derive(Debug)]
pub struct VpcdCard;

impl VpcdCard {
    /// Inserts `card` into the vpcd reader listening at `addr` (see [`vpcd_reader_addr`]).
    pub fn connect(addr: impl ToSocketAddrs, card: VirtualCard) -> io::Result<VpcdHandle> {
        VpcdHandle::connect_with(addr, card, VpcdOptions::default())
    }
}

#[derive(Debug, Default)]
struct Slot {
    /// The card, in the reader or (after a tear or removal) in the test's hand.
    card: Option<VirtualCard>,
    /// Whether the connection to the reader is up (the card is in the reader).
    inserted: bool,
    /// Command APDUs answered since the handle was made.
    apdus: u64,
    /// A clone of the live connection's socket, to shut it down from the handle.
    stream: Option<TcpStream>,
    /// The handle is taking the card out: a mute card must not come back.
    closing: bool,
}

/// Shared between the handle and the card's connection thread.
type Shared = Arc<Mutex<Slot>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Slot> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One live connection: the thread serving it (its socket sits in the shared slot).
#[derive(Debug)]
struct Connection {
    thread: JoinHandle<()>,
}

impl Connection {
    fn close(self, shared: &Shared) {
        {
            let mut slot = lock(shared);
            slot.closing = true;
            // The peer may already be gone (a tear): nothing to shut down then.
            if let Some(stream) = slot.stream.take() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        let _ = self.thread.join();
        lock(shared).closing = false;
    }
}

/// A virtual card in (or out of) a vpcd reader. Dropping the handle removes the card.
#[derive(Debug)]
pub struct VpcdHandle {
    addrs: Vec<SocketAddr>,
    options: VpcdOptions,
    shared: Shared,
    connection: Option<Connection>,
}

impl VpcdHandle {
    /// Inserts `card` into the vpcd reader at `addr` with these options.
    pub fn connect_with(
        addr: impl ToSocketAddrs,
        card: VirtualCard,
        options: VpcdOptions,
    ) -> io::Result<VpcdHandle> {
        let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
        if addrs.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no address for the vpcd reader",
            ));
        }
        let mut handle = VpcdHandle {
            addrs,
            options,
            shared: Shared::default(),
            connection: None,
        };
        handle.insert(card)?;
        Ok(handle)
    }

    /// Puts `card` into the reader (taking out any card there first). The card is powered up
    /// afresh (no current file, not torn); its scripted faults stay.
    pub fn insert(&mut self, mut card: VirtualCard) -> io::Result<()> {
        let _span = tracing::debug_span!("vpcd_card", op = "insert").entered();
        self.remove();
        card.power_up();
        lock(&self.shared).card = Some(card);
        let connection = open(&self.addrs, self.options, Arc::clone(&self.shared))?;
        self.connection = Some(connection);
        Ok(())
    }

    /// Takes the card out of the reader (or out of the test's hand after a tear) and returns
    /// it. `None` when there was no card.
    pub fn remove(&mut self) -> Option<VirtualCard> {
        let _span = tracing::debug_span!("vpcd_card", op = "remove").entered();
        if let Some(connection) = self.connection.take() {
            connection.close(&self.shared);
        }
        let mut slot = lock(&self.shared);
        slot.inserted = false;
        slot.card.take()
    }

    /// Takes the card out and puts it back (what an operator does with a torn card).
    pub fn reinsert(&mut self) -> io::Result<()> {
        match self.remove() {
            Some(card) => self.insert(card),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no card to reinsert",
            )),
        }
    }

    /// Whether the card is in the reader (false after [`remove`](Self::remove), a tear or a
    /// mute exchange that has not yet re-inserted the card).
    pub fn is_inserted(&self) -> bool {
        lock(&self.shared).inserted
    }

    /// Runs `f` on the card (to inspect its files or script its faults); `None` without a
    /// card.
    pub fn with_card<R>(&self, f: impl FnOnce(&mut VirtualCard) -> R) -> Option<R> {
        lock(&self.shared).card.as_mut().map(f)
    }

    /// A copy of the card as it is now.
    pub fn card(&self) -> Option<VirtualCard> {
        lock(&self.shared).card.clone()
    }

    /// How many command APDUs the card has answered (control codes not counted).
    pub fn apdu_count(&self) -> u64 {
        lock(&self.shared).apdus
    }
}

impl Drop for VpcdHandle {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            connection.close(&self.shared);
        }
    }
}

/// Connects to the reader's port (retrying until the connect timeout: pcscd may still be
/// starting) and starts the card's thread.
fn open(addrs: &[SocketAddr], options: VpcdOptions, shared: Shared) -> io::Result<Connection> {
    let stream = connect(addrs, options.connect_timeout)?;
    configure(&stream)?;
    {
        let mut slot = lock(&shared);
        slot.stream = Some(stream.try_clone()?);
        slot.inserted = true;
    }
    let addrs = addrs.to_vec();
    let thread = std::thread::Builder::new()
        .name("vpcd-card".into())
        .spawn(move || serve(stream, &addrs, options, &shared))?;
    Ok(Connection { thread })
}

fn connect(addrs: &[SocketAddr], timeout: Duration) -> io::Result<TcpStream> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match TcpStream::connect(addrs) {
            Ok(stream) => return Ok(stream),
            Err(e) if std::time::Instant::now() >= deadline => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("no vpcd reader listening at {addrs:?} (is pcscd running?): {e}"),
                ))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

fn configure(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let sock = SockRef::from(stream);
    sock.set_tcp_quickack(true)?;
    // A reader that vanishes (pcscd killed) must not leave the thread blocked for ever.
    sock.set_tcp_keepalive(&TcpKeepalive::new().with_time(Duration::from_secs(5)))?;
    Ok(())
}

/// Reads one message: the 2-byte length, then the payload. `Ok(None)` when the reader closed
/// the connection.
fn read_message(stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 2];
    match stream.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    // vpcd sends the length and the payload in two writes without TCP_NODELAY: its payload
    // waits (Nagle) for our ACK of the length. Quick ACK mode falls back to delayed ACKs
    // after every exchange, so it is re-armed after each read, this one included.
    let sock = SockRef::from(&*stream);
    sock.set_tcp_quickack(true)?;
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut payload)?;
    SockRef::from(&*stream).set_tcp_quickack(true)?;
    Ok(Some(payload))
}

fn write_message(stream: &mut TcpStream, payload: &[u8]) -> io::Result<()> {
    let len = u16::try_from(payload.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message over 65535 bytes"))?;
    let mut message = Vec::with_capacity(payload.len() + 2);
    message.extend_from_slice(&len.to_be_bytes());
    message.extend_from_slice(payload);
    stream.write_all(&message)
}

/// What the connection thread does after one message.
enum Next {
    Continue,
    /// The card left the reader (torn): drop the connection.
    Gone,
    /// The card went mute: drop the connection, then come back.
    Reinsert,
}

/// The card's side of the connection, until the reader or the handle closes it or the card
/// leaves.
fn serve(mut stream: TcpStream, addrs: &[SocketAddr], options: VpcdOptions, shared: &Shared) {
    let _span = tracing::debug_span!("vpcd_card", op = "serve").entered();
    loop {
        let next = match read_message(&mut stream) {
            Ok(Some(message)) => answer(&mut stream, &message, options, shared),
            Ok(None) => Ok(Next::Gone),
            Err(e) => Err(e),
        };
        match next {
            Ok(Next::Continue) => {}
            Ok(Next::Gone) => break,
            Ok(Next::Reinsert) => {
                let _ = stream.shutdown(Shutdown::Both);
                {
                    let mut slot = lock(shared);
                    slot.inserted = false;
                    slot.stream = None;
                    if slot.closing {
                        return;
                    }
                }
                // Come back as the same card, powered up afresh, on a new connection that
                // this thread keeps serving.
                match reconnect(addrs, options, shared) {
                    Ok(Some(s)) => {
                        stream = s;
                        continue;
                    }
                    Ok(None) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "the mute card could not come back");
                        return;
                    }
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "connection to the reader ended");
                break;
            }
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
    let mut slot = lock(shared);
    slot.inserted = false;
    slot.stream = None;
}

/// The mute card's way back into the reader; `None` when the handle took it out meanwhile.
fn reconnect(
    addrs: &[SocketAddr],
    options: VpcdOptions,
    shared: &Shared,
) -> io::Result<Option<TcpStream>> {
    let stream = connect(addrs, options.connect_timeout)?;
    configure(&stream)?;
    let mut slot = lock(shared);
    if slot.closing {
        return Ok(None);
    }
    slot.stream = Some(stream.try_clone()?);
    if let Some(card) = slot.card.as_mut() {
        card.power_up();
    }
    slot.inserted = true;
    Ok(Some(stream))
}

fn answer(
    stream: &mut TcpStream,
    message: &[u8],
    options: VpcdOptions,
    shared: &Shared,
) -> io::Result<Next> {
    let mut slot = lock(shared);
    if slot.card.is_some() && message.len() > 1 {
        slot.apdus += 1;
    }
    let Some(card) = slot.card.as_mut() else {
        return Ok(Next::Gone);
    };
    if let [code] = message {
        let reply = match *code {
            ctrl::GET_ATR => Some(card.atr()),
            ctrl::POWER_ON | ctrl::RESET => {
                card.power_up();
                None
            }
            ctrl::POWER_OFF => None,
            other => {
                tracing::debug!(code = other, "unknown vpcd control code ignored");
                None
            }
        };
        drop(slot);
        if let Some(reply) = reply {
            write_message(stream, &reply)?;
        }
        return Ok(Next::Continue);
    }
    let ins = message.get(1).copied().unwrap_or(0);
    match card.exchange(message) {
        CardReply::Response(response) => {
            drop(slot);
            tracing::trace!(
                ins,
                len = message.len(),
                response = response.len(),
                "apdu answered"
            );
            write_message(stream, &response)?;
            Ok(Next::Continue)
        }
        CardReply::Torn => {
            tracing::debug!(ins, "card torn out of the reader during the command");
            Ok(Next::Gone)
        }
        CardReply::Mute => {
            drop(slot);
            tracing::debug!(ins, "card mute");
            std::thread::sleep(options.mute_hold);
            Ok(Next::Reinsert)
        }
    }
}

/// The card against a stand-in for vpcd's reader side on loopback: the wire format, control
/// codes, APDUs, insertion and removal, tearing and mute cards. (Under a real pcscd it is
/// exercised by ktpel-card-pcsc's integration tests.)
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::{ctrl, VpcdCard, VpcdHandle, VpcdOptions};
    use crate::{CardFault, VirtualCard};
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::time::{Duration, Instant};

    /// vpcd's side of one connection.
    struct Reader {
        stream: TcpStream,
    }

    impl Reader {
        fn accept(listener: &TcpListener) -> Reader {
            let (stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            Reader { stream }
        }

        fn send(&mut self, payload: &[u8]) {
            let mut m = (payload.len() as u16).to_be_bytes().to_vec();
            m.extend_from_slice(payload);
            self.stream.write_all(&m).unwrap();
        }

        /// The next message, or `None` when the card closed the connection.
        fn recv(&mut self) -> Option<Vec<u8>> {
            let mut len = [0u8; 2];
            self.stream.read_exact(&mut len).ok()?;
            let mut payload = vec![0; usize::from(u16::from_be_bytes(len))];
            self.stream.read_exact(&mut payload).ok()?;
            Some(payload)
        }

        fn apdu(&mut self, apdu: &[u8]) -> Option<Vec<u8>> {
            self.send(apdu);
            self.recv()
        }
    }

    fn listener() -> TcpListener {
        TcpListener::bind("127.0.0.1:0").unwrap()
    }

    fn create(fid: u16, size: u16) -> Vec<u8> {
        let [f1, f2] = fid.to_be_bytes();
        let [s1, s2] = size.to_be_bytes();
        vec![
            0x00, 0xE0, 0x00, 0x00, 0x0D, 0x62, 0x0B, 0x82, 0x01, 0x01, 0x83, 0x02, f1, f2, 0x80,
            0x02, s1, s2,
        ]
    }

    fn update(data: &[u8]) -> Vec<u8> {
        let mut a = vec![0x00, 0xD6, 0x00, 0x00, 0x00];
        a.extend_from_slice(&(data.len() as u16).to_be_bytes());
        a.extend_from_slice(data);
        a
    }

    const OK: [u8; 2] = [0x90, 0x00];

    fn wait_until(what: &str, f: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !f() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn control_codes_and_apdus_follow_the_vpcd_protocol() {
        let l = listener();
        let handle = VpcdCard::connect(l.local_addr().unwrap(), VirtualCard::new()).unwrap();
        let mut r = Reader::accept(&l);
        r.send(&[ctrl::POWER_ON]);
        r.send(&[ctrl::GET_ATR]);
        assert_eq!(
            r.recv().unwrap(),
            VirtualCard::new().atr(),
            "only GET ATR is answered"
        );
        r.send(&[ctrl::RESET]);
        r.send(&[ctrl::POWER_OFF]);
        assert_eq!(r.apdu(&create(0x0101, 3000)).unwrap(), OK);
        let data: Vec<u8> = (0..3000).map(|i| i as u8).collect();
        assert_eq!(r.apdu(&update(&data)).unwrap(), OK);
        // An extended READ of the whole file in one message.
        let answer = r.apdu(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x0B, 0xB8]).unwrap();
        assert_eq!(&answer[..3000], &data[..]);
        assert_eq!(&answer[3000..], OK);
        assert_eq!(handle.apdu_count(), 3);
        assert_eq!(
            handle
                .with_card(|c| c.file(0x0101).map(<[u8]>::to_vec))
                .unwrap(),
            Some(data)
        );
        assert!(handle.is_inserted());
    }

    #[test]
    fn remove_closes_the_connection_and_insert_opens_a_new_one() {
        let l = listener();
        let mut handle = VpcdCard::connect(l.local_addr().unwrap(), VirtualCard::new()).unwrap();
        let mut r = Reader::accept(&l);
        assert_eq!(r.apdu(&create(0x0101, 10)).unwrap(), OK);
        let card = handle.remove().unwrap();
        assert!(!handle.is_inserted());
        assert!(r.recv().is_none(), "the reader sees the card go");
        assert!(card.file(0x0101).is_some());
        handle.insert(VirtualCard::new().short_only()).unwrap();
        let mut r = Reader::accept(&l);
        r.send(&[ctrl::GET_ATR]);
        assert_eq!(r.recv().unwrap(), VirtualCard::new().short_only().atr());
        assert_eq!(
            r.apdu(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x01, 0x01]).unwrap(),
            [0x6A, 0x82]
        );
        drop(handle);
        assert!(r.recv().is_none(), "dropping the handle removes the card");
    }

    #[test]
    fn a_tear_drops_the_connection_mid_command_and_the_card_keeps_what_landed() {
        let l = listener();
        let mut handle = VpcdCard::connect(l.local_addr().unwrap(), VirtualCard::new()).unwrap();
        let mut r = Reader::accept(&l);
        assert_eq!(r.apdu(&create(0x0101, 1000)).unwrap(), OK);
        handle.with_card(|c| c.script(vec![CardFault::TearAfter(300)]));
        assert!(
            r.apdu(&update(&[7; 1000])).is_none(),
            "no answer: the card is gone"
        );
        wait_until("the card to leave", || !handle.is_inserted());
        let card = handle.card().unwrap();
        assert!(card.is_torn());
        assert_eq!(
            card.file(0x0101)
                .unwrap()
                .iter()
                .filter(|&&b| b == 7)
                .count(),
            300
        );
        // Put back, it is powered up and answers again.
        handle.reinsert().unwrap();
        let mut r = Reader::accept(&l);
        assert_eq!(
            r.apdu(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x01, 0x01]).unwrap(),
            OK
        );
    }

    #[test]
    fn a_mute_card_drops_the_exchange_and_comes_back_with_its_files() {
        let l = listener();
        let options = VpcdOptions {
            mute_hold: Duration::from_millis(50),
            ..VpcdOptions::default()
        };
        let handle =
            VpcdHandle::connect_with(l.local_addr().unwrap(), VirtualCard::new(), options).unwrap();
        let mut r = Reader::accept(&l);
        assert_eq!(r.apdu(&create(0x0101, 10)).unwrap(), OK);
        handle.with_card(|c| c.script(vec![CardFault::Mute]));
        let t = Instant::now();
        assert!(r.apdu(&update(&[1; 10])).is_none());
        assert!(
            t.elapsed() >= Duration::from_millis(50),
            "silent for the hold time"
        );
        let mut r = Reader::accept(&l);
        assert_eq!(
            r.apdu(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x01, 0x01]).unwrap(),
            OK
        );
        assert!(handle.is_inserted());
        assert_eq!(
            handle.card().unwrap().file(0x0101).unwrap(),
            &[0; 10],
            "not executed"
        );
    }

    #[test]
    fn wrong_status_words_are_answered_like_any_response() {
        let l = listener();
        let handle = VpcdCard::connect(l.local_addr().unwrap(), VirtualCard::new()).unwrap();
        let mut r = Reader::accept(&l);
        handle.with_card(|c| c.script(vec![CardFault::Pass, CardFault::WrongStatus(0x6581)]));
        assert_eq!(r.apdu(&create(0x0101, 10)).unwrap(), OK);
        assert_eq!(r.apdu(&update(&[1; 10])).unwrap(), [0x65, 0x81]);
    }

    #[test]
    fn no_reader_listening_is_a_clear_error() {
        let addr = listener().local_addr().unwrap(); // bound, then closed
        let options = VpcdOptions {
            connect_timeout: Duration::from_millis(100),
            ..VpcdOptions::default()
        };
        let e = VpcdHandle::connect_with(addr, VirtualCard::new(), options).unwrap_err();
        assert!(e.to_string().contains("is pcscd running"), "{e}");
    }
}
