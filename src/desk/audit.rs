//! The desk's audit trail on the [`crate::audit_chain`]: every action on a complaint appends an
//! event. Events name the actor (staff id, "system", or the booth) and the stages; the complaint's
//! content and its answer appear only as SHA-256 hashes, which [`verify`] checks against the
//! complaint as stored, so editing an answer in the file is found too.

use rusqlite::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use super::store::DeskError;
use crate::audit_chain::{next_link, Walk};

/// One event to append.
pub struct Event<'a> {
    pub at_ms: i64,
    pub complaint_id: &'a str,
    pub actor: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub detail: &'a str,
}

impl Event<'_> {
    fn fields(&self) -> [&str; 7] {
        [
            self.complaint_id,
            self.actor,
            self.role,
            self.action,
            self.from,
            self.to,
            self.detail,
        ]
    }
}

/// `sha256:<hex>` of `bytes`, as the audit records contents and answers.
pub fn content_hash(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Appends `e` to the chain; call inside the transaction that makes the change.
pub fn append(conn: &Connection, e: &Event<'_>) -> Result<(), DeskError> {
    let link = next_link(conn, e.at_ms, &e.fields())?;
    conn.execute(
        "INSERT INTO audit (seq, at, complaint_id, actor, role, action, from_stage, to_stage,
                            detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            link.seq,
            e.at_ms,
            e.complaint_id,
            e.actor,
            e.role,
            e.action,
            e.from,
            e.to,
            e.detail,
            link.prev,
            link.hash
        ],
    )?;
    Ok(())
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    pub events: u64,
    /// Problems, each naming the event (by sequence number) or the complaint concerned.
    pub problems: Vec<String>,
}

impl AuditReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Default)]
struct Last {
    stage: String,
    content: Option<String>,
    answer: Option<String>,
}

/// Walks the whole chain, then checks that each complaint's stage, content and answer are what
/// its events say. `open` unseals a stored field of the complaint with this id (`None`: it
/// cannot be opened, which is reported as a changed field).
pub fn verify(
    conn: &Connection,
    open: impl Fn(&str, &[u8]) -> Option<Vec<u8>>,
) -> Result<AuditReport, DeskError> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, complaint_id, actor, role, action, from_stage, to_stage, detail,
                prev_hash, hash
         FROM audit ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut walk = Walk::default();
    let mut last: HashMap<String, Last> = HashMap::new();
    while let Some(r) = rows.next()? {
        let complaint_id: String = r.get(2)?;
        let actor: String = r.get(3)?;
        let role: String = r.get(4)?;
        let action: String = r.get(5)?;
        let from: String = r.get(6)?;
        let to: String = r.get(7)?;
        let detail: String = r.get(8)?;
        let e = Event {
            at_ms: r.get(1)?,
            complaint_id: &complaint_id,
            actor: &actor,
            role: &role,
            action: &action,
            from: &from,
            to: &to,
            detail: &detail,
        };
        let prev_hash: Vec<u8> = r.get(9)?;
        let hash: Vec<u8> = r.get(10)?;
        walk.step(r.get(0)?, e.at_ms, &e.fields(), &prev_hash, &hash);
        let entry = last.entry(complaint_id).or_default();
        if let Some(h) = detail.strip_prefix("content ") {
            entry.content = Some(h.to_string());
        }
        if let Some(h) = detail.strip_prefix("answer ") {
            entry.answer = Some(h.to_string());
        }
        entry.stage = to;
    }
    drop(rows);
    let mut problems = walk.problems;
    let mut stmt = conn.prepare("SELECT id, stage, content, answer FROM complaints")?;
    let complaints = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, Option<Vec<u8>>>(3)?,
        ))
    })?;
    for c in complaints {
        let (id, stage, content, answer) = c?;
        let Some(l) = last.get(&id) else {
            problems.push(format!("complaint {id}: no audit events"));
            continue;
        };
        if l.stage != stage {
            problems.push(format!(
                "complaint {id}: stage is {stage} but the audit chain says {}",
                l.stage
            ));
        }
        let content = open(&id, &content).map(|c| content_hash(&c));
        if l.content != content {
            problems.push(format!(
                "complaint {id}: its content is not what was received"
            ));
        }
        let answer_hash = answer.map(|a| {
            open(&id, &a)
                .map(|a| content_hash(&a))
                .unwrap_or_else(|| "unreadable".into())
        });
        if l.answer != answer_hash {
            problems.push(format!(
                "complaint {id}: its answer is not the one recorded in the audit chain"
            ));
        }
    }
    Ok(AuditReport {
        events: walk.events,
        problems,
    })
}
