//! Complaints in the booth's queue: taken at the counter, sealed with the local key, numbered
//! per day, and handed to the transmitter until the complaint desk confirms them — then the
//! personal part is deleted and only the ticket number and its delivery remain.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use super::audit::{self, complaint_delivery, Event};
use super::store::Store;
use super::QueueError;
use crate::clock::{from_millis, to_millis};
use crate::domain::numbers::local_day;
use crate::wire::complaint::{Category, Channel, Complaint, Link, TicketNo};

/// What the operator wrote down; the queue adds the id, the ticket number and the time.
#[derive(Clone, PartialEq, Eq)]
pub struct ComplaintDraft {
    pub channel: Channel,
    pub complainant: String,
    pub contact: String,
    pub category: Category,
    pub description: String,
    pub link: Option<Link>,
}

impl std::fmt::Debug for ComplaintDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ComplaintDraft({:?}, {:?})", self.channel, self.category)
    }
}

/// A complaint's delivery, without its personal part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRow {
    pub id: Uuid,
    pub ticket_no: String,
    pub delivered: bool,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
}

impl Store {
    /// Numbers, seals and stores a complaint in one transaction; answers it for the ticket.
    pub fn record_complaint(
        &mut self,
        draft: ComplaintDraft,
        booth_id: &str,
        now: Timestamp,
    ) -> Result<Complaint, QueueError> {
        let day = local_day(now);
        let booth_number = self.booth_number();
        let (conn, key) = self.conn_and_key();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seq: u16 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM complaints WHERE day = ?1",
            [&day],
            |r| r.get(0),
        )?;
        let ticket_no = TicketNo::new(now, booth_number, seq)
            .map_err(|e| QueueError::Invalid(format!("ticket number: {e}")))?;
        let complaint = Complaint {
            id: Uuid::now_v7(),
            ticket_no,
            booth_id: booth_id.to_string(),
            received_at: now,
            channel: draft.channel,
            complainant: draft.complainant,
            contact: draft.contact,
            category: draft.category,
            description: draft.description,
            link: draft.link,
        };
        complaint
            .validate()
            .map_err(|e| QueueError::Invalid(e.to_string()))?;
        let plain =
            serde_json::to_vec(&complaint).map_err(|e| QueueError::Corrupt(e.to_string()))?;
        let sealed = key.seal(complaint.id, &plain)?;
        tx.execute(
            "INSERT INTO complaints (id, day, seq, ticket_no, sealed, next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                complaint.id.to_string(),
                day,
                seq,
                complaint.ticket_no.as_str(),
                sealed,
                to_millis(now)
            ],
        )?;
        audit::append(
            &tx,
            &Event {
                at_ms: to_millis(now),
                packet_id: &complaint.id.to_string(),
                event: "complaint_recorded",
                from: "",
                to: complaint_delivery(false),
                detail: "",
            },
        )?;
        tx.commit()?;
        tracing::info!(complaint = %complaint.id, "complaint recorded");
        Ok(complaint)
    }

    /// Complaints due for delivery at `now`, opened for sending.
    pub fn due_complaints(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<Complaint>, QueueError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, sealed FROM complaints
             WHERE delivered = 0 AND sealed IS NOT NULL AND next_attempt_at <= ?1
             ORDER BY created_at LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![to_millis(now), limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, sealed) = row?;
            let id = Uuid::parse_str(&id).map_err(|e| QueueError::Corrupt(e.to_string()))?;
            let plain = self.local_key().open(id, &sealed)?;
            out.push(
                serde_json::from_slice(&plain).map_err(|e| QueueError::Corrupt(e.to_string()))?,
            );
        }
        Ok(out)
    }

    /// The desk has the complaint: its personal part is deleted, in the transaction that
    /// records the delivery in the audit chain. A second confirmation changes nothing.
    pub fn mark_complaint_delivered(&mut self, id: Uuid, now: Timestamp) -> Result<(), QueueError> {
        let _span = tracing::info_span!("queue.complaint_delivered", complaint = %id).entered();
        let (conn, _) = self.conn_and_key();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let delivered: bool = tx
            .query_row(
                "SELECT delivered FROM complaints WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(QueueError::UnknownPacket(id))?;
        if delivered {
            return Ok(());
        }
        tx.execute(
            "UPDATE complaints SET delivered = 1, sealed = NULL, delivered_at = ?2, last_error = NULL
             WHERE id = ?1",
            params![id.to_string(), to_millis(now)],
        )?;
        audit::append(
            &tx,
            &Event {
                at_ms: to_millis(now),
                packet_id: &id.to_string(),
                event: "complaint_delivered",
                from: complaint_delivery(false),
                to: complaint_delivery(true),
                detail: "personal part deleted",
            },
        )?;
        tx.commit()?;
        tracing::info!(complaint = %id, "complaint delivered to the desk");
        Ok(())
    }

    pub fn mark_complaint_failed(
        &mut self,
        id: Uuid,
        error: &str,
        retry_at: Timestamp,
    ) -> Result<(), QueueError> {
        self.conn().execute(
            "UPDATE complaints SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
             WHERE id = ?1",
            params![id.to_string(), error, to_millis(retry_at)],
        )?;
        Ok(())
    }

    /// How many times delivering `id` has failed.
    pub fn complaint_attempts(&self, id: Uuid) -> Result<u32, QueueError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT attempts FROM complaints WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// A complaint's delivery by ticket number.
    pub fn complaint(&self, ticket_no: &str) -> Result<Option<ComplaintRow>, QueueError> {
        self.conn()
            .query_row(
                "SELECT id, ticket_no, delivered, attempts, next_attempt_at, last_error
                 FROM complaints WHERE ticket_no = ?1",
                [ticket_no],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, u32>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()?
            .map(|(id, ticket_no, delivered, attempts, next, last_error)| {
                Ok(ComplaintRow {
                    id: Uuid::parse_str(&id).map_err(|e| QueueError::Corrupt(e.to_string()))?,
                    ticket_no,
                    delivered,
                    attempts,
                    next_attempt_at: from_millis(next),
                    last_error,
                })
            })
            .transpose()
    }

    /// Complaints not yet at the desk.
    pub fn undelivered_complaints(&self) -> Result<u64, QueueError> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM complaints WHERE delivered = 0",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }
}
