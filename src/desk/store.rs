//! The desk's SQLite file: the complaints and the audit chain, with the queue's durability rules
//! (WAL and `synchronous=FULL`, each read back; numbered migrations under `user_version`;
//! `quick_check` at open). One writer thread owns the connection ([`DeskStore`]); every action
//! is one transaction that changes the complaint and appends its audit event together.
//!
//! What is personal — the complaint itself (who, how to reach them, what happened), the
//! written answer and the escalation note — is sealed at rest with the desk's storage key
//! (XChaCha20-Poly1305, bound to the complaint's id); stages, times and tickets stay readable
//! for the lists. Rows from before sealing are sealed when the store opens.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;

use super::audit::{self, content_hash, AuditReport, Event};
use crate::clock::{add, from_millis, to_millis};
use crate::domain::numbers::local_day;
use crate::durable_db::{self, DbError, Migration, Stopped, Writer};
use crate::seal::LocalKey;
use crate::wire::complaint::{
    check_text, needs_answer, next_stage, Action, Actor, Category, Channel, Complaint,
    ComplaintError, Link, Refusal, Role, Stage, StatusReply, SubmitReply, TicketError, TicketNo,
    MAX_ANSWER, MAX_PER_DAY, SECRETARIAT_BOOTH,
};

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[Migration<DeskError>] = &[
    Migration::Sql(include_str!("migrations/0001_init.sql")),
    Migration::Sql(include_str!("migrations/0002_sealed.sql")),
];
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// The booth id written on complaints recorded at the secretariat.
pub const SECRETARIAT_ID: &str = "secretariat";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    #[error("the desk database: {0}")]
    Db(#[from] DbError),
    /// A row whose content does not read back (the file itself is sound).
    #[error("the desk holds a damaged entry: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Io(String),
    #[error("the complaint is not valid: {0}")]
    Invalid(ComplaintError),
    #[error("another complaint was already received under id {0}")]
    IdConflict(Uuid),
    #[error("ticket number {0} already belongs to another complaint")]
    TicketTaken(TicketNo),
    #[error("complaint {0} is not at this desk")]
    UnknownComplaint(Uuid),
    #[error("refused: {0}")]
    Refused(Refusal),
    #[error("{action} needs a written answer")]
    AnswerRequired { action: Action },
    #[error("the answer is not valid: {0}")]
    BadAnswer(ComplaintError),
    #[error("only the complaint secretariat records complaints at the desk ({0} may not)")]
    OnlySecretariatRecords(Role),
    #[error(
        "the secretariat has numbered {MAX_PER_DAY} complaints today; no ticket number is left"
    )]
    DayFull,
    #[error("the desk's writer thread has stopped")]
    Closed,
}

impl From<rusqlite::Error> for DeskError {
    fn from(e: rusqlite::Error) -> Self {
        DeskError::Db(e.into())
    }
}

impl From<Stopped> for DeskError {
    fn from(_: Stopped) -> Self {
        DeskError::Closed
    }
}

impl From<Refusal> for DeskError {
    fn from(r: Refusal) -> Self {
        DeskError::Refused(r)
    }
}

/// A member of staff acting at the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRef {
    pub id: String,
    pub role: Role,
}

/// Who hands a new complaint in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A booth through the API (its id from its key).
    Booth(String),
    /// The secretariat, writing down a phone or walk-in complaint.
    Staff(StaffRef),
}

/// A complaint typed in at the secretariat (phone or walk-in); the desk numbers it.
#[derive(Clone, PartialEq, Eq)]
pub struct Draft {
    pub channel: Channel,
    pub complainant: String,
    pub contact: String,
    pub category: Category,
    pub description: String,
    pub link: Option<Link>,
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Draft({:?}, {:?})", self.channel, self.category)
    }
}

/// A complaint at the desk with where it stands.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub complaint: Complaint,
    pub stage: Stage,
    pub deadline_at: Timestamp,
    pub escalation_note: Option<String>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub stored_at: Timestamp,
    pub updated_at: Timestamp,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Entry({:?}, {})", self.complaint, self.stage)
    }
}

/// One line of a complaint's history: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEvent {
    pub seq: i64,
    pub at: Timestamp,
    /// Staff id, "system", or "booth:<id>".
    pub actor: String,
    /// The actor's role, "system" or "booth".
    pub role: String,
    /// `submit`, `forward:<unit>`, `resolve`, `escalate`, `decide`.
    pub action: String,
    pub from: String,
    pub to: String,
}

pub struct Store {
    conn: Connection,
    key: LocalKey,
}

const ENTRY_COLUMNS: &str = "id, content, stage, deadline_at, escalation_note, answer,
     answered_by, answered_at, stored_at, updated_at";

/// One complaint's row as read: its fields still sealed.
struct SealedEntry {
    id: Uuid,
    content: Vec<u8>,
    stage: String,
    deadline_at: i64,
    escalation_note: Option<Vec<u8>>,
    answer: Option<Vec<u8>>,
    answered_by: Option<String>,
    answered_at: Option<i64>,
    stored_at: i64,
    updated_at: i64,
}

fn sealed_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<SealedEntry> {
    let id: String = r.get(0)?;
    Ok(SealedEntry {
        id: Uuid::parse_str(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
        })?,
        content: r.get(1)?,
        stage: r.get(2)?,
        deadline_at: r.get(3)?,
        escalation_note: r.get(4)?,
        answer: r.get(5)?,
        answered_by: r.get(6)?,
        answered_at: r.get(7)?,
        stored_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

impl Store {
    /// Opens (creating if needed) the desk database at `path`: durable (see
    /// [`crate::durable_db`]), migrated to the latest schema, and checked.
    pub fn open(path: &Path, key: LocalKey) -> Result<Self, DeskError> {
        let mut conn = durable_db::open(path)?;
        durable_db::migrate(&mut conn, MIGRATIONS, "desk")?;
        if let Some(damage) = durable_db::damage(&conn)? {
            return Err(DbError::Corrupt(damage).into());
        }
        let mut store = Self { conn, key };
        store.seal_old_rows()?;
        Ok(store)
    }

    /// Seals the personal fields of rows written before the desk sealed them (schema 2).
    fn seal_old_rows(&mut self) -> Result<(), DeskError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // id, content, escalation note, answer: as an older desk wrote them, in clear.
        type Clear = (String, Vec<u8>, Option<String>, Option<String>);
        let rows: Vec<Clear> = {
            let mut stmt = tx.prepare(
                "SELECT id, content, CAST(escalation_note AS TEXT), CAST(answer AS TEXT)
                 FROM complaints WHERE sealed = 0",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (id, content, note, answer) in &rows {
            let uuid = Uuid::parse_str(id).map_err(|e| DeskError::Corrupt(e.to_string()))?;
            let seal = |b: &[u8]| {
                self.key
                    .seal(uuid, b)
                    .map_err(|e| DeskError::Io(e.to_string()))
            };
            tx.execute(
                "UPDATE complaints SET content = ?1, escalation_note = ?2, answer = ?3, sealed = 1
                 WHERE id = ?4",
                params![
                    seal(content)?,
                    note.as_deref().map(|n| seal(n.as_bytes())).transpose()?,
                    answer.as_deref().map(|a| seal(a.as_bytes())).transpose()?,
                    id
                ],
            )?;
        }
        tx.commit()?;
        if !rows.is_empty() {
            tracing::info!(
                complaints = rows.len(),
                "complaints from before sealing sealed"
            );
        }
        Ok(())
    }

    fn seal(&self, id: Uuid, plain: &[u8]) -> Result<Vec<u8>, DeskError> {
        self.key
            .seal(id, plain)
            .map_err(|e| DeskError::Io(format!("sealing failed: {e}")))
    }

    fn open_bytes(&self, id: Uuid, sealed: &[u8]) -> Result<Vec<u8>, DeskError> {
        self.key.open(id, sealed).map_err(|_| {
            DeskError::Corrupt(format!(
                "complaint {id} cannot be opened with this desk's key"
            ))
        })
    }

    fn open_text(&self, id: Uuid, sealed: Option<Vec<u8>>) -> Result<Option<String>, DeskError> {
        sealed
            .map(|s| {
                String::from_utf8(self.open_bytes(id, &s)?)
                    .map_err(|e| DeskError::Corrupt(e.to_string()))
            })
            .transpose()
    }

    fn entry(&self, e: SealedEntry) -> Result<Entry, DeskError> {
        let content = self.open_bytes(e.id, &e.content)?;
        Ok(Entry {
            complaint: serde_json::from_slice(&content)
                .map_err(|err| DeskError::Corrupt(err.to_string()))?,
            stage: Stage::parse_key(&e.stage)
                .ok_or_else(|| DeskError::Corrupt(format!("stage {}", e.stage)))?,
            deadline_at: from_millis(e.deadline_at),
            escalation_note: self.open_text(e.id, e.escalation_note)?,
            answer: self.open_text(e.id, e.answer)?,
            answered_by: e.answered_by,
            answered_at: e.answered_at.map(from_millis),
            stored_at: from_millis(e.stored_at),
            updated_at: from_millis(e.updated_at),
        })
    }

    /// Reads back the pragmas the desk depends on.
    pub fn durability(&self) -> Result<(String, i64), DeskError> {
        Ok(durable_db::durability(&self.conn)?)
    }

    /// Stores a new complaint at the secretariat's stage, or recognises it again: the same
    /// content under the same id is a repeat (`repeat: true`), other content is a conflict.
    /// Its deadline is `deadline` after the citizen complained.
    pub fn submit(
        &mut self,
        c: &Complaint,
        via: &Via,
        now: Timestamp,
        deadline: Duration,
    ) -> Result<SubmitReply, DeskError> {
        c.validate().map_err(DeskError::Invalid)?;
        let (actor, role) = match via {
            Via::Booth(id) => (format!("booth:{id}"), "booth".to_string()),
            Via::Staff(s) if s.role == Role::Secretariat => {
                (s.id.clone(), s.role.as_str().to_string())
            }
            Via::Staff(s) => return Err(DeskError::OnlySecretariatRecords(s.role)),
        };
        let content = c.canonical_bytes();
        let sealed = self.seal(c.id, &content)?;
        let id = c.id.to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(Vec<u8>, String, i64)> = tx
            .query_row(
                "SELECT content, stage, stored_at FROM complaints WHERE id = ?1",
                [&id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((stored, stage, stored_at)) = existing {
            if self.key.open(c.id, &stored).ok().as_deref() != Some(content.as_slice()) {
                return Err(DeskError::IdConflict(c.id));
            }
            return Ok(SubmitReply {
                id: c.id,
                ticket_no: c.ticket_no.clone(),
                repeat: true,
                stage: Stage::parse_key(&stage).unwrap_or(Stage::Received),
                stored_at: from_millis(stored_at),
            });
        }
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM complaints WHERE ticket_no = ?1)",
            [c.ticket_no.as_str()],
            |r| r.get(0),
        )?;
        if taken {
            return Err(DeskError::TicketTaken(c.ticket_no.clone()));
        }
        let deadline_at = add(c.received_at, deadline);
        let stage = Stage::Received;
        tx.execute(
            "INSERT INTO complaints (id, ticket_no, day, booth_number, content, received_at,
                                     stage, deadline_at, stored_at, updated_at, sealed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 1)",
            params![
                id,
                c.ticket_no.as_str(),
                c.ticket_no.day(),
                c.ticket_no.booth_number(),
                sealed,
                to_millis(c.received_at),
                stage.key(),
                to_millis(deadline_at),
                to_millis(now)
            ],
        )?;
        let _span = tracing::info_span!("desk.submit", %id, channel = c.channel.as_str()).entered();
        audit::append(
            &tx,
            &Event {
                at_ms: to_millis(now),
                complaint_id: &id,
                actor: &actor,
                role: &role,
                action: "submit",
                from: "none",
                to: &stage.key(),
                detail: &format!("content {}", content_hash(&content)),
            },
        )?;
        tx.commit()?;
        Ok(SubmitReply {
            id: c.id,
            ticket_no: c.ticket_no.clone(),
            repeat: false,
            stage,
            stored_at: now,
        })
    }

    /// The secretariat writes down a phone or walk-in complaint: it gets the next ticket number
    /// of the day under booth number 00.
    pub fn record(
        &mut self,
        draft: Draft,
        staff: &StaffRef,
        now: Timestamp,
        deadline: Duration,
    ) -> Result<Complaint, DeskError> {
        if staff.role != Role::Secretariat {
            return Err(DeskError::OnlySecretariatRecords(staff.role));
        }
        let last: Option<String> = self.conn.query_row(
            "SELECT max(ticket_no) FROM complaints WHERE day = ?1 AND booth_number = ?2",
            params![local_day(now), SECRETARIAT_BOOTH],
            |r| r.get(0),
        )?;
        let next = last
            .and_then(|t| TicketNo::parse(&t).ok())
            .map_or(1, |t| t.sequence() + 1);
        let ticket_no = TicketNo::new(now, SECRETARIAT_BOOTH, next).map_err(|e| match e {
            TicketError::Sequence(_) => DeskError::DayFull,
            other => DeskError::Invalid(ComplaintError::Ticket(other)),
        })?;
        let complaint = Complaint {
            id: Uuid::now_v7(),
            ticket_no,
            booth_id: SECRETARIAT_ID.into(),
            received_at: now,
            channel: draft.channel,
            complainant: draft.complainant.trim().to_string(),
            contact: draft.contact.trim().to_string(),
            category: draft.category,
            description: draft.description.trim().to_string(),
            link: draft.link,
        };
        self.submit(&complaint, &Via::Staff(staff.clone()), now, deadline)?;
        Ok(complaint)
    }

    fn stage_of(&self, id: Uuid) -> Result<Stage, DeskError> {
        let stage: Option<String> = self
            .conn
            .query_row(
                "SELECT stage FROM complaints WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let stage = stage.ok_or(DeskError::UnknownComplaint(id))?;
        Stage::parse_key(&stage).ok_or_else(|| DeskError::Corrupt(format!("stage {stage}")))
    }

    /// A member of staff acts on a complaint; `text` is the answer (resolve, decide: required)
    /// or the reason for escalating (optional). Returns the new stage.
    pub fn act(
        &mut self,
        id: Uuid,
        staff: &StaffRef,
        action: Action,
        text: Option<&str>,
        now: Timestamp,
    ) -> Result<Stage, DeskError> {
        let from = self.stage_of(id)?;
        let to = next_stage(Actor::Staff(staff.role), action, from)?;
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        if needs_answer(action) && text.is_none() {
            return Err(DeskError::AnswerRequired { action });
        }
        if let Some(t) = text {
            check_text("answer", t, MAX_ANSWER, true).map_err(DeskError::BadAnswer)?;
        }
        let sealed_text = text.map(|t| self.seal(id, t.as_bytes())).transpose()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = if needs_answer(action) {
            tx.execute(
                "UPDATE complaints SET stage = ?1, answer = ?2, answered_by = ?3, answered_at = ?4,
                        updated_at = ?4
                 WHERE id = ?5 AND stage = ?6",
                params![
                    to.key(),
                    sealed_text,
                    staff.id,
                    to_millis(now),
                    id.to_string(),
                    from.key()
                ],
            )?
        } else if action == Action::Escalate {
            tx.execute(
                "UPDATE complaints SET stage = ?1, escalation_note = ?2, updated_at = ?3
                 WHERE id = ?4 AND stage = ?5",
                params![
                    to.key(),
                    sealed_text,
                    to_millis(now),
                    id.to_string(),
                    from.key()
                ],
            )?
        } else {
            tx.execute(
                "UPDATE complaints SET stage = ?1, updated_at = ?2 WHERE id = ?3 AND stage = ?4",
                params![to.key(), to_millis(now), id.to_string(), from.key()],
            )?
        };
        if n != 1 {
            // Only this thread writes, so the stage cannot have moved since it was read.
            return Err(DeskError::Corrupt(format!(
                "complaint {id} was not in stage {from}"
            )));
        }
        let detail = match (needs_answer(action), text) {
            (true, Some(t)) => format!("answer {}", content_hash(t.as_bytes())),
            (false, Some(t)) => format!("note {}", content_hash(t.as_bytes())),
            _ => String::new(),
        };
        let _span = tracing::info_span!("desk.act", %id, staff = %staff.id, action = %action,
            from = %from, to = %to)
        .entered();
        audit::append(
            &tx,
            &Event {
                at_ms: to_millis(now),
                complaint_id: &id.to_string(),
                actor: &staff.id,
                role: staff.role.as_str(),
                action: &action.key(),
                from: &from.key(),
                to: &to.key(),
                detail: &detail,
            },
        )?;
        tx.commit()?;
        tracing::info!("complaint moved");
        Ok(to)
    }

    /// Escalates, as the system, every open complaint not yet with the Kepala Dinas whose
    /// deadline is at or before `now`. Returns their ticket numbers.
    pub fn escalate_overdue(&mut self, now: Timestamp) -> Result<Vec<TicketNo>, DeskError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let due: Vec<(String, String, String, i64)> = {
            let mut stmt = tx.prepare(
                "SELECT id, ticket_no, stage, deadline_at FROM complaints
                 WHERE (stage = 'received' OR stage LIKE 'forwarded:%') AND deadline_at <= ?1
                 ORDER BY deadline_at",
            )?;
            let rows = stmt.query_map([to_millis(now)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let mut escalated = Vec::new();
        for (id, ticket, stage, deadline_at) in due {
            let from = Stage::parse_key(&stage)
                .ok_or_else(|| DeskError::Corrupt(format!("stage {stage}")))?;
            let to = next_stage(Actor::System, Action::Escalate, from)?;
            tx.execute(
                "UPDATE complaints SET stage = ?1, updated_at = ?2 WHERE id = ?3 AND stage = ?4",
                params![to.key(), to_millis(now), id, from.key()],
            )?;
            let _span =
                tracing::info_span!("desk.escalate", %id, from = %from, reason = "deadline")
                    .entered();
            audit::append(
                &tx,
                &Event {
                    at_ms: to_millis(now),
                    complaint_id: &id,
                    actor: "system",
                    role: "system",
                    action: &Action::Escalate.key(),
                    from: &from.key(),
                    to: &to.key(),
                    detail: &format!("deadline {}", from_millis(deadline_at)),
                },
            )?;
            if let Ok(t) = TicketNo::parse(&ticket) {
                escalated.push(t);
            }
        }
        tx.commit()?;
        Ok(escalated)
    }

    /// The earliest deadline among complaints that the system would still escalate.
    pub fn next_deadline(&self) -> Result<Option<Timestamp>, DeskError> {
        let ms: Option<i64> = self.conn.query_row(
            "SELECT min(deadline_at) FROM complaints
             WHERE stage = 'received' OR stage LIKE 'forwarded:%'",
            [],
            |r| r.get(0),
        )?;
        Ok(ms.map(from_millis))
    }

    /// Where the complaint with this ticket stands, for the citizen.
    pub fn status(&self, ticket: &TicketNo) -> Result<Option<StatusReply>, DeskError> {
        let row = self
            .conn
            .query_row(
                "SELECT stage, received_at, deadline_at, answer, answered_at, updated_at, id
                 FROM complaints WHERE ticket_no = ?1",
                [ticket.as_str()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        StatusReply {
                            ticket_no: ticket.clone(),
                            stage: Stage::Received,
                            holder: Role::Secretariat,
                            received_at: from_millis(r.get(1)?),
                            deadline_at: from_millis(r.get(2)?),
                            answer: None,
                            answered_at: r.get::<_, Option<i64>>(4)?.map(from_millis),
                            updated_at: from_millis(r.get(5)?),
                        },
                        r.get::<_, Option<Vec<u8>>>(3)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((stage, mut reply, answer, id)) = row else {
            return Ok(None);
        };
        let id = Uuid::parse_str(&id).map_err(|e| DeskError::Corrupt(e.to_string()))?;
        reply.answer = self.open_text(id, answer)?;
        let stage =
            Stage::parse_key(&stage).ok_or_else(|| DeskError::Corrupt(format!("stage {stage}")))?;
        reply.stage = stage;
        reply.holder = stage.holder();
        if !stage.is_closed() {
            reply.answer = None;
        }
        Ok(Some(reply))
    }

    pub fn get(&self, id: Uuid) -> Result<Option<Entry>, DeskError> {
        self.conn
            .query_row(
                &format!("SELECT {ENTRY_COLUMNS} FROM complaints WHERE id = ?1"),
                [id.to_string()],
                sealed_entry,
            )
            .optional()?
            .map(|e| self.entry(e))
            .transpose()
    }

    /// The open complaints `role` works on, the nearest deadline first.
    pub fn worklist(&self, role: Role) -> Result<Vec<Entry>, DeskError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM complaints
             WHERE stage NOT LIKE 'resolved:%' AND stage != 'decided'
             ORDER BY deadline_at, stored_at"
        ))?;
        let rows = stmt.query_map([], sealed_entry)?;
        let mut out = Vec::new();
        for e in rows {
            let e = self.entry(e?)?;
            if role.works_on(e.stage) {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Every complaint, newest first (for tests and tools).
    pub fn all(&self) -> Result<Vec<Entry>, DeskError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM complaints ORDER BY stored_at DESC"
        ))?;
        let rows = stmt.query_map([], sealed_entry)?;
        rows.map(|e| self.entry(e?)).collect()
    }

    /// Who did what to the complaint, in order.
    pub fn history(&self, id: Uuid) -> Result<Vec<HistoryEvent>, DeskError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, role, action, from_stage, to_stage FROM audit
             WHERE complaint_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok(HistoryEvent {
                seq: r.get(0)?,
                at: from_millis(r.get(1)?),
                actor: r.get(2)?,
                role: r.get(3)?,
                action: r.get(4)?,
                from: r.get(5)?,
                to: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn verify_audit(&self) -> Result<AuditReport, DeskError> {
        audit::verify(&self.conn, |id, sealed| {
            let id = Uuid::parse_str(id).ok()?;
            self.key.open(id, sealed).ok()
        })
    }

    /// Folds the WAL into the main file (at shutdown).
    pub fn checkpoint(&self) -> Result<(), DeskError> {
        Ok(durable_db::checkpoint(&self.conn)?)
    }
}

/// A handle to the desk database's writer thread. Cheap to clone; usable from any async runtime
/// (the server's and the GUI's).
#[derive(Clone)]
pub struct DeskStore {
    writer: Writer<Store>,
}

impl DeskStore {
    /// Opens the database and starts its writer thread.
    pub fn open(path: &Path, key: LocalKey) -> Result<Self, DeskError> {
        Ok(Self::spawn(Store::open(path, key)?))
    }

    pub fn spawn(store: Store) -> Self {
        let writer = Writer::spawn("desk-writer", store, |store| {
            if let Err(e) = store.checkpoint() {
                tracing::warn!(error = %e, "checkpoint at shutdown failed");
            }
        });
        Self { writer }
    }

    /// Runs `f` on the writer thread and awaits its answer.
    pub async fn call<T, F>(&self, f: F) -> Result<T, DeskError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, DeskError> + Send + 'static,
    {
        self.writer.call(f).await
    }
}

#[cfg(test)]
mod tests;
