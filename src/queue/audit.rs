//! The queue's audit trail on the [`crate::audit_chain`]: every packet transition and every step
//! of a complaint's delivery (recorded, a failed attempt, delivered and its personal part
//! deleted) appends an event. Events carry ids, states and error classes only: never names,
//! NIKs, complaint texts or captures.

use rusqlite::{params, Connection};
use std::collections::HashMap;

use super::QueueError;
use crate::audit_chain::{next_link, Walk};

pub struct Event<'a> {
    pub at_ms: i64,
    /// The packet's id, or the complaint's for `complaint_*` events.
    pub packet_id: &'a str,
    pub event: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub detail: &'a str,
}

impl Event<'_> {
    fn fields(&self) -> [&str; 5] {
        [self.packet_id, self.event, self.from, self.to, self.detail]
    }
}

/// Events about complaints (the rest are about packets) start with this.
pub const COMPLAINT_EVENT: &str = "complaint_";

/// Appends `e` to the chain; call inside the transaction that makes the change.
pub fn append(conn: &Connection, e: &Event<'_>) -> Result<(), QueueError> {
    let link = next_link(conn, e.at_ms, &e.fields())?;
    conn.execute(
        "INSERT INTO audit (seq, at, packet_id, event, from_state, to_state, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![link.seq, e.at_ms, e.packet_id, e.event, e.from, e.to, e.detail, link.prev, link.hash],
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

/// Walks the whole chain, and checks that each packet's current state and hand-over, and each
/// complaint's delivery, are what their last events say.
pub fn verify(conn: &Connection) -> Result<AuditReport, QueueError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, packet_id, event, from_state, to_state, detail, prev_hash, hash
         FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut walk = Walk::default();
    let mut last_state: HashMap<String, (String, String)> = HashMap::new();
    let mut complaint_state: HashMap<String, String> = HashMap::new();
    // (packet, "card N") → the card's last outcome; the blank stock's running sum.
    let mut card_outcome: HashMap<(String, String), String> = HashMap::new();
    let mut chip_verified: HashMap<(String, String), bool> = HashMap::new();
    let mut blanks: i64 = 0;
    while let Some(r) = rows.next()? {
        let packet_id: String = r.get(2)?;
        let event: String = r.get(3)?;
        let from: String = r.get(4)?;
        let to: String = r.get(5)?;
        let detail: String = r.get(6)?;
        let e = Event {
            at_ms: r.get(1)?,
            packet_id: &packet_id,
            event: &event,
            from: &from,
            to: &to,
            detail: &detail,
        };
        let prev_hash: Vec<u8> = r.get(7)?;
        let hash: Vec<u8> = r.get(8)?;
        walk.step(r.get(0)?, e.at_ms, &e.fields(), &prev_hash, &hash);
        if event.starts_with(COMPLAINT_EVENT) {
            complaint_state.insert(packet_id, to);
            continue;
        }
        match event.as_str() {
            "card_print" => {
                let card = card_of(&detail);
                card_outcome.insert((packet_id, card), to);
                continue;
            }
            "card_chip" => {
                chip_verified.insert((packet_id, card_of(&detail)), true);
                continue;
            }
            "blanks" => {
                match to.parse::<i64>() {
                    Ok(d) => blanks += d,
                    Err(_) => walk.problems.push(format!(
                        "event {}: blank count \"{to}\" is not a number",
                        walk.events
                    )),
                }
                continue;
            }
            "signin" => continue,
            // A mark, not a move: the packet's state and hand-over stay as they were.
            "exported" => continue,
            // A supervisor's approval given at the booth, appended with the save: not a move.
            "approval" => continue,
            _ => {}
        }
        let entry = last_state
            .entry(packet_id)
            .or_insert_with(|| ("".into(), "none".into()));
        if event == "handover" {
            entry.1 = to;
        } else {
            entry.0 = to;
        }
    }
    drop(rows);
    let mut problems = walk.problems;
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
    let mut stmt = conn.prepare("SELECT id, ticket_no, delivered FROM complaints")?;
    let complaints = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, bool>(2)?,
        ))
    })?;
    for c in complaints {
        let (id, ticket, delivered) = c?;
        let delivery = complaint_delivery(delivered);
        match complaint_state.get(&id) {
            None => problems.push(format!("complaint {ticket}: no audit events")),
            Some(s) if s != delivery => problems.push(format!(
                "complaint {ticket}: delivery is {delivery} but the audit chain says {s}"
            )),
            Some(_) => {}
        }
    }
    let mut stmt = conn.prepare(
        "SELECT packet_id, attempt, outcome, chip_at IS NOT NULL FROM card_prints ORDER BY id",
    )?;
    let prints = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, bool>(3)?,
        ))
    })?;
    let mut seen = 0usize;
    for p in prints {
        let (packet, attempt, outcome, chip) = p?;
        seen += 1;
        let key = (packet.clone(), format!("card {attempt}"));
        match card_outcome.get(&key) {
            None => problems.push(format!(
                "packet {packet}: card {attempt} has no audit events"
            )),
            Some(o) if *o != outcome => problems.push(format!(
                "packet {packet}: card {attempt} is {outcome} but the audit chain says {o}"
            )),
            Some(_) => {}
        }
        if chip != chip_verified.contains_key(&key) {
            problems.push(format!(
                "packet {packet}: card {attempt}'s chip record differs from the audit chain"
            ));
        }
    }
    if seen != card_outcome.len() {
        problems.push(format!(
            "the audit chain names {} cards, the print log holds {seen}",
            card_outcome.len()
        ));
    }
    let stock: i64 =
        conn.query_row("SELECT COALESCE(SUM(delta), 0) FROM blank_stock", [], |r| {
            r.get(0)
        })?;
    if stock != blanks {
        problems.push(format!(
            "the blank-card stock is {stock} but the audit chain adds up to {blanks}"
        ));
    }
    Ok(AuditReport {
        events: walk.events,
        problems,
    })
}

/// "card 2" from a card event's detail ("card 2; reprint (jam) approved by spv-01").
fn card_of(detail: &str) -> String {
    detail.split(';').next().unwrap_or("").trim().to_string()
}

/// A complaint's delivery as the audit chain names it.
pub fn complaint_delivery(delivered: bool) -> &'static str {
    if delivered {
        "delivered"
    } else {
        "pending"
    }
}
