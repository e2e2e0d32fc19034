//! The audit chain: every transition appends an event whose hash covers the previous event's
//! hash, so a changed, removed or reordered event breaks every hash after it. Events carry ids,
//! states and error classes only: never names, NIKs or captures.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::QueueError;

pub const GENESIS: [u8; 32] = [0u8; 32];

pub struct Event<'a> {
    pub at_ms: i64,
    pub packet_id: &'a str,
    pub event: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub detail: &'a str,
}

fn digest(seq: i64, prev: &[u8], e: &Event<'_>) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(e.at_ms.to_be_bytes());
    for field in [e.packet_id, e.event, e.from, e.to, e.detail] {
        h.update((field.len() as u32).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().to_vec()
}

/// Appends `e` to the chain; call inside the transaction that makes the change.
pub fn append(conn: &Connection, e: &Event<'_>) -> Result<(), QueueError> {
    let last: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_vec()),
    };
    let hash = digest(seq, &prev, e);
    conn.execute(
        "INSERT INTO audit (seq, at, packet_id, event, from_state, to_state, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![seq, e.at_ms, e.packet_id, e.event, e.from, e.to, e.detail, prev, hash],
    )?;
    Ok(())
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditReport {
    pub events: u64,
    /// Problems, each naming the event (by sequence number) or packet concerned.
    pub problems: Vec<String>,
}

impl AuditReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Walks the whole chain, and checks that each packet's current state and hand-over are what its
/// last events say.
pub fn verify(conn: &Connection) -> Result<AuditReport, QueueError> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT seq, at, packet_id, event, from_state, to_state, detail, prev_hash, hash
         FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_vec();
    let mut events = 0u64;
    let mut last_state: std::collections::HashMap<String, (String, String)> =
        std::collections::HashMap::new();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let packet_id: String = r.get(2)?;
        let event: String = r.get(3)?;
        let from: String = r.get(4)?;
        let to: String = r.get(5)?;
        let detail: String = r.get(6)?;
        let prev_hash: Vec<u8> = r.get(7)?;
        let hash: Vec<u8> = r.get(8)?;
        let e = Event {
            at_ms: r.get(1)?,
            packet_id: &packet_id,
            event: &event,
            from: &from,
            to: &to,
            detail: &detail,
        };
        events += 1;
        if seq != expected_seq {
            problems.push(format!(
                "event {seq}: expected sequence number {expected_seq}"
            ));
        }
        if prev_hash != prev {
            problems.push(format!(
                "event {seq}: does not follow the previous event's hash"
            ));
        }
        if digest(seq, &prev_hash, &e) != hash {
            problems.push(format!("event {seq}: its contents do not match its hash"));
        }
        let entry = last_state
            .entry(packet_id.clone())
            .or_insert_with(|| ("".into(), "none".into()));
        if event == "handover" {
            entry.1 = to.clone();
        } else {
            entry.0 = to.clone();
        }
        prev = hash;
        expected_seq = seq + 1;
    }
    drop(rows);
    let mut stmt = conn.prepare("SELECT id, state, handover FROM packets")?;
    let packets = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for p in packets {
        let (id, state, handover) = p?;
        match last_state.get(&id) {
            None => problems.push(format!("packet {id}: no audit events")),
            Some((s, h)) => {
                if *s != state {
                    problems.push(format!(
                        "packet {id}: state is {state} but the audit chain says {s}"
                    ));
                }
                if *h != handover {
                    problems.push(format!(
                        "packet {id}: hand-over is {handover} but the audit chain says {h}"
                    ));
                }
            }
        }
    }
    Ok(AuditReport { events, problems })
}
