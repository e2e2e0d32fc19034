//! Shared set-up for the loopback tests and the bench: simulators on loopback ports and
//! clients pointed at them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ktpel_sbi::client::ClientConfig;
use ktpel_sbi::sim::{DeviceIdentity, PortChoice, SimHandle, SimKind, SimOptions};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::ops::RangeInclusive;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// One device key for most simulators of a test run (RSA key generation is the slow part of
/// starting one); tests about identities start their own.
pub fn shared_identity() -> DeviceIdentity {
    static ID: OnceLock<DeviceIdentity> = OnceLock::new();
    ID.get_or_init(|| DeviceIdentity::generate("KTP-el SBI test device").expect("identity"))
        .clone()
}

pub fn options(kind: SimKind, port: PortChoice) -> SimOptions {
    let mut o = SimOptions::new(kind);
    o.port = port;
    o.identity = Some(shared_identity());
    o.seed = 7;
    o.subject = 42;
    o
}

/// A simulator on a port the system picks (outside discovery tests).
pub fn sim(kind: SimKind) -> SimHandle {
    SimHandle::start(options(kind, PortChoice::Fixed(0))).expect("start the SBI simulator")
}

/// A client for the device tests: short timeouts so a failing test fails quickly.
pub fn client_config() -> ClientConfig {
    ClientConfig {
        info_timeout: Duration::from_secs(5),
        capture_timeout: Duration::from_secs(10),
        answer_margin: Duration::from_secs(5),
        ..ClientConfig::default()
    }
}

fn free(port: u16) -> bool {
    TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// A block of `n` consecutive free ports inside 4501–4600, disjoint from every other block
/// handed out in this process (tests run in parallel and scan their own block).
pub fn port_block(n: u16) -> RangeInclusive<u16> {
    static NEXT: Mutex<u16> = Mutex::new(4501);
    let mut next = NEXT.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let start = *next;
        let end = start + n - 1;
        assert!(
            end <= 4600,
            "the SBI port range has no room left for a block of {n}"
        );
        *next = end + 1;
        if (start..=end).all(free) {
            return start..=end;
        }
    }
}
