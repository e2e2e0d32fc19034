//! The hash chain under both audit trails (the booth's queue and the complaint desk): each event
//! row in a table named `audit` carries its sequence number, the previous event's hash and its
//! own hash, which covers the previous hash, the number, the time and every field. A changed,
//! removed or reordered event therefore breaks every hash after it.
//!
//! Each trail decides its own fields and what its last events must say about the rows they
//! describe; this module only links and walks.

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// The "previous hash" of the first event.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// The hash of event `seq` at `at_ms` with `fields`, following `prev`. Each field is
/// length-prefixed, so moving text from one field to the next changes the hash.
pub fn digest(seq: i64, prev: &[u8], at_ms: i64, fields: &[&str]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(at_ms.to_be_bytes());
    for field in fields {
        h.update((field.len() as u32).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().to_vec()
}

/// The next event's link: its sequence number, the previous event's hash, and its own hash.
/// Call inside the transaction that inserts it.
pub struct Link {
    pub seq: i64,
    pub prev: Vec<u8>,
    pub hash: Vec<u8>,
}

/// The link for a new event at `at_ms` with `fields`, after the last one in `audit`.
pub fn next_link(conn: &Connection, at_ms: i64, fields: &[&str]) -> rusqlite::Result<Link> {
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
    let hash = digest(seq, &prev, at_ms, fields);
    Ok(Link { seq, prev, hash })
}

/// A walk along the chain in sequence order, collecting what is wrong with it.
pub struct Walk {
    expected_seq: i64,
    prev: Vec<u8>,
    /// Events seen.
    pub events: u64,
    /// Problems, each naming the event by its sequence number.
    pub problems: Vec<String>,
}

impl Default for Walk {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS.to_vec(),
            events: 0,
            problems: Vec::new(),
        }
    }
}

impl Walk {
    /// Checks one event row against the chain so far.
    pub fn step(&mut self, seq: i64, at_ms: i64, fields: &[&str], prev_hash: &[u8], hash: &[u8]) {
        self.events += 1;
        if seq != self.expected_seq {
            self.problems.push(format!(
                "event {seq}: expected sequence number {}",
                self.expected_seq
            ));
        }
        if prev_hash != self.prev.as_slice() {
            self.problems.push(format!(
                "event {seq}: does not follow the previous event's hash"
            ));
        }
        if digest(seq, prev_hash, at_ms, fields) != hash {
            self.problems
                .push(format!("event {seq}: its contents do not match its hash"));
        }
        self.prev = hash.to_vec();
        self.expected_seq = seq + 1;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// seq, at, fields, previous hash, hash: an `audit` row.
    type Row = (i64, i64, [String; 2], Vec<u8>, Vec<u8>);

    fn chain(events: &[(i64, [&str; 2])]) -> Vec<Row> {
        let mut prev = GENESIS.to_vec();
        let mut out = Vec::new();
        for (i, (at, f)) in events.iter().enumerate() {
            let seq = i as i64 + 1;
            let hash = digest(seq, &prev, *at, f);
            out.push((seq, *at, f.map(String::from), prev.clone(), hash.clone()));
            prev = hash;
        }
        out
    }

    fn walk(rows: &[Row]) -> Walk {
        let mut w = Walk::default();
        for (seq, at, f, prev, hash) in rows {
            let fields: Vec<&str> = f.iter().map(String::as_str).collect();
            w.step(*seq, *at, &fields, prev, hash);
        }
        w
    }

    #[test]
    fn an_intact_chain_walks_clean_and_each_kind_of_tampering_is_named() {
        let rows = chain(&[(1, ["a", "created"]), (2, ["a", "sent"]), (3, ["b", "x"])]);
        let w = walk(&rows);
        assert_eq!((w.events, w.problems.len()), (3, 0));

        let mut edited = rows.clone();
        edited[1].2[1] = "confirmed".into();
        assert_eq!(
            walk(&edited).problems,
            vec!["event 2: its contents do not match its hash"]
        );

        let mut removed = rows.clone();
        removed.remove(1);
        let p = walk(&removed).problems;
        assert!(
            p.contains(&"event 3: expected sequence number 2".to_string()),
            "{p:?}"
        );
        assert!(
            p.iter().any(|m| m.contains("previous event's hash")),
            "{p:?}"
        );

        // Text moved across a field boundary is a different event.
        let mut moved = rows.clone();
        moved[0].2 = ["ac".into(), "reated".into()];
        assert_eq!(
            walk(&moved).problems,
            vec!["event 1: its contents do not match its hash"]
        );
    }
}
