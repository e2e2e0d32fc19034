//! The queue's SQLite file, used from one thread only (see [`super::Queue`]).

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;

use super::audit::{self, AuditReport, Event};
use super::state::{Handover, State};
use super::statistics;
use super::{ApplicantSummary, Committed, Counts, NewRecord, Outgoing, QueueError, QueueRow};
use crate::clock::{add, from_millis, to_millis};
use crate::domain::numbers::{local_day, luhn_digit};
use crate::durable_db::{self, DbError};
use crate::seal::LocalKey;
use crate::wire::centre::{CentreStatus, Personalization};

pub struct Store {
    conn: Connection,
    local: LocalKey,
    booth_number: u8,
}

const ROW_COLUMNS: &str = "p.id, p.queue_no, p.receipt_no, p.state, p.handover, p.recorded_at,
     p.deadline_at, p.attempts, p.next_attempt_at, p.last_error, p.verdict_code, p.updated_at,
     EXISTS (SELECT 1 FROM sealed s WHERE s.id = p.id),
     EXISTS (SELECT 1 FROM applicant a WHERE a.id = p.id),
     EXISTS (SELECT 1 FROM personalization z WHERE z.id = p.id),
     p.sealed_size, p.upload_offset";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<QueueRow> {
    let id: String = r.get(0)?;
    let state: String = r.get(3)?;
    let handover: String = r.get(4)?;
    let bad = |i: usize, m: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, m.into())
    };
    Ok(QueueRow {
        packet_id: Uuid::parse_str(&id).map_err(|e| bad(0, e.to_string()))?,
        queue_no: r.get(1)?,
        receipt_no: r.get(2)?,
        state: state.parse().map_err(|e: String| bad(3, e))?,
        handover: handover.parse().map_err(|e: String| bad(4, e))?,
        recorded_at: from_millis(r.get(5)?),
        deadline_at: from_millis(r.get(6)?),
        attempts: r.get(7)?,
        next_attempt_at: from_millis(r.get(8)?),
        last_error: r.get(9)?,
        verdict_code: r.get(10)?,
        updated_at: from_millis(r.get(11)?),
        holds_sealed_captures: r.get(12)?,
        holds_applicant: r.get(13)?,
        holds_personalization: r.get(14)?,
        sealed_size: r.get::<_, Option<i64>>(15)?.map(|n| n as u64),
        upload_offset: r.get::<_, i64>(16)? as u64,
    })
}

impl Store {
    pub(super) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection and the local key at once (a transaction that seals).
    pub(super) fn conn_and_key(&mut self) -> (&mut Connection, &LocalKey) {
        (&mut self.conn, &self.local)
    }

    pub(super) fn local_key(&self) -> &LocalKey {
        &self.local
    }

    pub(super) fn booth_number(&self) -> u8 {
        self.booth_number
    }

    /// Opens (creating if needed) the queue at `path`: durable (see [`crate::durable_db`]),
    /// migrated to the latest schema, and checked.
    pub fn open(path: &Path, local: LocalKey, booth_number: u8) -> Result<Self, QueueError> {
        let mut conn = durable_db::open(path)?;
        super::schema::migrate(&mut conn)?;
        if let Some(damage) = durable_db::damage(&conn)? {
            return Err(DbError::Corrupt(damage).into());
        }
        Ok(Self {
            conn,
            local,
            booth_number,
        })
    }

    /// Reads back the pragmas the queue depends on (for tests and the self-test).
    pub fn durability(&self) -> Result<(String, i64), QueueError> {
        Ok(durable_db::durability(&self.conn)?)
    }

    pub(super) fn transition(
        tx: &Transaction<'_>,
        id: Uuid,
        from: State,
        to: State,
        now: Timestamp,
        detail: &str,
    ) -> Result<(), QueueError> {
        if !from.can_become(to) {
            return Err(QueueError::IllegalMove { id, from, to });
        }
        let n = tx.execute(
            "UPDATE packets SET state = ?1, updated_at = ?2 WHERE id = ?3 AND state = ?4",
            params![to.as_str(), to_millis(now), id.to_string(), from.as_str()],
        )?;
        if n != 1 {
            return Err(QueueError::NotInState { id, expected: from });
        }
        let _span = tracing::info_span!("queue.transition", %id, from = %from, to = %to).entered();
        statistics::on_state(tx, &id.to_string(), to, to_millis(now))?;
        audit::append(
            tx,
            &Event {
                at_ms: to_millis(now),
                packet_id: &id.to_string(),
                event: "state",
                from: from.as_str(),
                to: to.as_str(),
                detail,
            },
        )
    }

    fn set_handover(
        tx: &Transaction<'_>,
        id: Uuid,
        from: &[Handover],
        to: Handover,
        now: Timestamp,
        detail: &str,
    ) -> Result<Handover, QueueError> {
        let current: Option<String> = tx
            .query_row(
                "SELECT handover FROM packets WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let current: Handover = current
            .ok_or(QueueError::UnknownPacket(id))?
            .parse()
            .map_err(QueueError::Corrupt)?;
        if !from.contains(&current) {
            return Err(QueueError::HandoverNotAllowed { id, current, to });
        }
        tx.execute(
            "UPDATE packets SET handover = ?1, updated_at = ?2 WHERE id = ?3",
            params![to.as_str(), to_millis(now), id.to_string()],
        )?;
        let _span = tracing::info_span!("queue.handover", %id, from = %current, to = %to).entered();
        if to == Handover::ReceiptPrinted {
            statistics::on_receipt(tx, &id.to_string(), to_millis(now))?;
        }
        audit::append(
            tx,
            &Event {
                at_ms: to_millis(now),
                packet_id: &id.to_string(),
                event: "handover",
                from: current.as_str(),
                to: to.as_str(),
                detail,
            },
        )?;
        Ok(current)
    }

    /// Makes a sealed enrollment durable. When this returns, the record survives power loss.
    pub fn commit(&mut self, rec: NewRecord) -> Result<Committed, QueueError> {
        let id = rec.packet_id.to_string();
        let day = local_day(rec.recorded_at);
        let summary =
            serde_json::to_vec(&rec.summary).map_err(|e| QueueError::Io(e.to_string()))?;
        let applicant = self.local.seal(rec.packet_id, &summary)?;
        let nik_tag = self.nik_tag(&rec.summary.nik);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let queue_no: u32 = tx.query_row(
            "SELECT COALESCE(MAX(queue_no), 0) + 1 FROM packets WHERE day = ?1",
            [&day],
            |r| r.get(0),
        )?;
        if queue_no > 9999 {
            return Err(QueueError::DayFull);
        }
        let base = format!("{day}{:02}{queue_no:04}", self.booth_number);
        let receipt_no = format!("{base}{}", luhn_digit(&base));
        let now = to_millis(rec.recorded_at);
        // A record awaiting review has no verdict window yet: it starts at the approval
        // (`deadline_at` is set then; until then no receipt falls due for it).
        let state = if rec.awaiting_review {
            State::AwaitingReview
        } else {
            State::Recorded
        };
        tx.execute(
            "INSERT INTO packets (id, day, queue_no, receipt_no, state, recorded_at, deadline_at,
                                  next_attempt_at, updated_at, nik_tag, sealed_size)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?6, ?8, ?9)",
            params![
                id,
                day,
                queue_no,
                receipt_no,
                state.as_str(),
                now,
                to_millis(rec.deadline_at),
                nik_tag.as_slice(),
                rec.envelope.len() as i64
            ],
        )?;
        tx.execute(
            "INSERT INTO sealed (id, envelope) VALUES (?1, ?2)",
            params![id, rec.envelope],
        )?;
        tx.execute(
            "INSERT INTO applicant (id, sealed) VALUES (?1, ?2)",
            params![id, applicant],
        )?;
        statistics::record(&tx, &id, now, state, &rec.facts, &rec.approvals)?;
        audit::append(
            &tx,
            &Event {
                at_ms: now,
                packet_id: &id,
                event: "state",
                from: "",
                to: state.as_str(),
                detail: "",
            },
        )?;
        for a in &rec.approvals {
            audit::append(
                &tx,
                &Event {
                    at_ms: a.at_ms,
                    packet_id: &id,
                    event: "approval",
                    from: "",
                    to: &a.what,
                    detail: &format!("{} · {}", a.supervisor_id, a.reason),
                },
            )?;
        }
        tx.commit()?;
        tracing::info!(packet = %rec.packet_id, queue_no, state = %state, "recorded");
        Ok(Committed {
            packet_id: rec.packet_id,
            queue_no,
            receipt_no,
            state,
        })
    }

    /// Takes up to `limit` packets due for sending; each is leased until `now + lease` so that
    /// no other pass sends it meanwhile. A packet left `sending` by a crash is simply due again.
    pub fn claim_sendable(
        &mut self,
        now: Timestamp,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Outgoing>, QueueError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        type Due = (String, String, u32, Vec<u8>, Option<String>, i64, bool);
        let due: Vec<Due> = {
            let mut stmt = tx.prepare(
                "SELECT p.id, p.state, p.attempts, s.envelope, p.upload_url, p.upload_offset,
                        p.exported_at IS NOT NULL
                 FROM packets p JOIN sealed s USING (id)
                 WHERE p.state IN ('recorded', 'sending') AND p.next_attempt_at <= ?1
                 ORDER BY p.next_attempt_at, p.id LIMIT ?2",
            )?;
            let rows =
                stmt.query_map(params![to_millis(now), limit as i64], |r| Due::try_from(r))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(due.len());
        let lease_end = to_millis(add(now, lease));
        for (id, state, attempts, envelope, upload_url, upload_offset, exported) in due {
            let packet_id = Uuid::parse_str(&id).map_err(|e| QueueError::Corrupt(e.to_string()))?;
            if state == State::Recorded.as_str() {
                Self::transition(&tx, packet_id, State::Recorded, State::Sending, now, "")?;
            }
            tx.execute(
                "UPDATE packets SET next_attempt_at = ?1 WHERE id = ?2",
                params![lease_end, id],
            )?;
            out.push(Outgoing {
                packet_id,
                envelope,
                attempts,
                upload_url,
                upload_offset: upload_offset.max(0) as u64,
                exported,
            });
        }
        tx.commit()?;
        Ok(out)
    }

    /// The centre has the packet: forget the sealed captures and start asking for the verdict.
    pub fn mark_received(
        &mut self,
        id: Uuid,
        now: Timestamp,
        first_poll: Timestamp,
    ) -> Result<(), QueueError> {
        self.mark_received_because(id, now, first_poll, "")
    }

    /// [`Self::mark_received`] with the audit event saying how the centre came to hold it
    /// (`held_at_centre`: carried there on a drive, so not uploaded).
    pub fn mark_received_because(
        &mut self,
        id: Uuid,
        now: Timestamp,
        first_poll: Timestamp,
        detail: &str,
    ) -> Result<(), QueueError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Self::transition(&tx, id, State::Sending, State::Received, now, detail)?;
        tx.execute("DELETE FROM sealed WHERE id = ?1", [id.to_string()])?;
        tx.execute(
            "UPDATE packets SET next_attempt_at = ?1, attempts = 0, last_error = NULL WHERE id = ?2",
            params![to_millis(first_poll), id.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The packets the centre still has to be sent, with their sealed envelopes, oldest first:
    /// what a hand-carried export writes.
    pub fn exportable(&self) -> Result<Vec<(Uuid, Vec<u8>)>, QueueError> {
        let mut stmt = self.conn.prepare(
            "SELECT p.id, s.envelope FROM packets p JOIN sealed s USING (id)
             WHERE p.state IN ('recorded', 'sending') ORDER BY p.recorded_at, p.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        rows.map(|r| {
            let (id, envelope) = r?;
            let id = Uuid::parse_str(&id).map_err(|e| QueueError::Corrupt(e.to_string()))?;
            Ok((id, envelope))
        })
        .collect()
    }

    /// Packets `ids` were written to the hand-carried folder `folder` and read back whole.
    /// A mark and an audit event each, not a move: they keep waiting for the centre's
    /// confirmation, and their sealed envelopes stay until it comes. A packet confirmed
    /// meanwhile is left alone. Answers how many were marked.
    pub fn mark_exported(
        &mut self,
        ids: &[Uuid],
        folder: &str,
        now: Timestamp,
    ) -> Result<usize, QueueError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut marked = 0;
        for id in ids {
            let state = Self::state_in(&tx, *id)?;
            if !state.unsent() {
                continue;
            }
            tx.execute(
                "UPDATE packets SET exported_at = ?1, export_folder = ?2 WHERE id = ?3",
                params![to_millis(now), folder, id.to_string()],
            )?;
            let _span = tracing::info_span!("queue.exported", %id, folder).entered();
            audit::append(
                &tx,
                &Event {
                    at_ms: to_millis(now),
                    packet_id: &id.to_string(),
                    event: "exported",
                    from: state.as_str(),
                    to: state.as_str(),
                    detail: folder,
                },
            )?;
            marked += 1;
        }
        tx.commit()?;
        Ok(marked)
    }

    /// When packet `id` was last exported and to which folder (None when never).
    pub fn export_mark(&self, id: Uuid) -> Result<Option<(Timestamp, String)>, QueueError> {
        let mark: Option<(Option<i64>, Option<String>)> = self
            .conn
            .query_row(
                "SELECT exported_at, export_folder FROM packets WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match mark {
            None => Err(QueueError::UnknownPacket(id)),
            Some((Some(at), folder)) => Ok(Some((from_millis(at), folder.unwrap_or_default()))),
            Some((None, _)) => Ok(None),
        }
    }

    /// The centre created the upload of packet `id` at `url` (tus creation).
    pub fn upload_created(&mut self, id: Uuid, url: &str, offset: u64) -> Result<(), QueueError> {
        let n = self.conn.execute(
            "UPDATE packets SET upload_url = ?1, upload_offset = ?2 WHERE id = ?3",
            params![url, offset as i64, id.to_string()],
        )?;
        if n == 0 {
            return Err(QueueError::UnknownPacket(id));
        }
        Ok(())
    }

    /// The centre acknowledged `offset` bytes of packet `id`'s upload.
    pub fn upload_acked(&mut self, id: Uuid, offset: u64) -> Result<(), QueueError> {
        let n = self.conn.execute(
            "UPDATE packets SET upload_offset = ?1 WHERE id = ?2",
            params![offset as i64, id.to_string()],
        )?;
        if n == 0 {
            return Err(QueueError::UnknownPacket(id));
        }
        Ok(())
    }

    /// The centre no longer knows packet `id`'s upload: the next send creates it again.
    pub fn upload_forgotten(&mut self, id: Uuid) -> Result<(), QueueError> {
        self.conn.execute(
            "UPDATE packets SET upload_url = NULL, upload_offset = 0 WHERE id = ?1",
            [id.to_string()],
        )?;
        Ok(())
    }

    /// Keeps the link's measured rate for the queue panel, and the measurement for the day's
    /// statistics.
    pub fn set_link_rate(&mut self, bits_per_s: u64, at: Timestamp) -> Result<(), QueueError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO link_rate (id, bits_per_s, measured_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET bits_per_s = ?1, measured_at = ?2",
            params![bits_per_s as i64, to_millis(at)],
        )?;
        tx.execute(
            "INSERT INTO link_rate_samples (at, bits_per_s) VALUES (?1, ?2)",
            params![to_millis(at), bits_per_s as i64],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A send or a verdict poll failed; try again at `retry_at`.
    pub fn mark_failed(
        &mut self,
        id: Uuid,
        error: &str,
        retry_at: Timestamp,
    ) -> Result<u32, QueueError> {
        let attempts: Option<u32> = self
            .conn
            .query_row(
                "UPDATE packets SET attempts = attempts + 1, last_error = ?1, next_attempt_at = ?2
                 WHERE id = ?3 RETURNING attempts",
                params![error, to_millis(retry_at), id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        attempts.ok_or(QueueError::UnknownPacket(id))
    }

    /// Packets at the centre whose verdict is due to be asked for.
    pub fn verdict_due(&self, now: Timestamp, limit: usize) -> Result<Vec<Uuid>, QueueError> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM packets WHERE state = 'received' AND next_attempt_at <= ?1
             ORDER BY next_attempt_at, id LIMIT ?2",
        )?;
        let ids = stmt.query_map(params![to_millis(now), limit as i64], |r| {
            r.get::<_, String>(0)
        })?;
        ids.map(|i| {
            i.map_err(QueueError::from)
                .and_then(|s| Uuid::parse_str(&s).map_err(|e| QueueError::Corrupt(e.to_string())))
        })
        .collect()
    }

    /// Still processing: ask again at `next_poll`.
    pub fn poll_again(&mut self, id: Uuid, next_poll: Timestamp) -> Result<(), QueueError> {
        self.conn.execute(
            "UPDATE packets SET next_attempt_at = ?1, attempts = 0, last_error = NULL
             WHERE id = ?2 AND state = 'received'",
            params![to_millis(next_poll), id.to_string()],
        )?;
        Ok(())
    }

    /// Records the centre's verdict (and, with print ready, the card's data, locally sealed).
    pub fn apply_verdict(
        &mut self,
        id: Uuid,
        status: CentreStatus,
        code: Option<&str>,
        personalization: Option<&Personalization>,
        now: Timestamp,
    ) -> Result<State, QueueError> {
        let to = match status {
            CentreStatus::PrintReady => State::PrintReady,
            CentreStatus::Duplicate => State::Duplicate,
            CentreStatus::Adjudicate => State::Adjudicate,
            CentreStatus::EnrollFailure => State::EnrollFailure,
            CentreStatus::Unknown | CentreStatus::Processing => {
                return Err(QueueError::NotAVerdict(status))
            }
        };
        let sealed_bundle = match (to, personalization) {
            (State::PrintReady, Some(p)) => {
                let bytes = serde_json::to_vec(p).map_err(|e| QueueError::Io(e.to_string()))?;
                Some(self.local.seal(id, &bytes)?)
            }
            (State::PrintReady, None) => return Err(QueueError::MissingPersonalization(id)),
            _ => None,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let class = match to {
            State::PrintReady => "print_ready",
            _ => "not_printable",
        };
        Self::transition(&tx, id, State::Received, to, now, class)?;
        tx.execute(
            "UPDATE packets SET verdict_code = ?1, last_error = NULL WHERE id = ?2",
            params![code, id.to_string()],
        )?;
        if let Some(bundle) = sealed_bundle {
            tx.execute(
                "INSERT INTO personalization (id, sealed) VALUES (?1, ?2)",
                params![id.to_string(), bundle],
            )?;
        }
        tx.commit()?;
        Ok(to)
    }

    /// Marks every packet whose verdict window closed without print ready for a receipt.
    pub fn mark_receipts_due(&mut self, now: Timestamp) -> Result<Vec<Uuid>, QueueError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ids: Vec<String> = {
            // Only records still waiting for a verdict: a judged one gets its own paper.
            let mut stmt = tx.prepare(
                "SELECT id FROM packets WHERE handover = 'none' AND deadline_at <= ?1
                 AND state IN ('recorded', 'sending', 'received') ORDER BY id",
            )?;
            let rows = stmt.query_map([to_millis(now)], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let id = Uuid::parse_str(&id).map_err(|e| QueueError::Corrupt(e.to_string()))?;
            Self::set_handover(&tx, id, &[Handover::None], Handover::ReceiptDue, now, "")?;
            out.push(id);
        }
        tx.commit()?;
        Ok(out)
    }

    /// The proof of recording has been printed and handed over.
    pub fn mark_receipt_printed(&mut self, id: Uuid, now: Timestamp) -> Result<(), QueueError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Self::set_handover(
            &tx,
            id,
            &[Handover::None, Handover::ReceiptDue],
            Handover::ReceiptPrinted,
            now,
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The card was printed, encoded, verified and handed over: purge what is left of the
    /// applicant on this booth.
    pub fn mark_handed_over(&mut self, id: Uuid, now: Timestamp) -> Result<State, QueueError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let handover: Option<String> = tx
            .query_row(
                "SELECT handover FROM packets WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let handover: Handover = handover
            .ok_or(QueueError::UnknownPacket(id))?
            .parse()
            .map_err(QueueError::Corrupt)?;
        // Handed over in the window, or collected later by someone who had left with a paper.
        let to = if handover.waiting() {
            State::Issued
        } else {
            State::PickedUp
        };
        Self::transition(&tx, id, State::PrintReady, to, now, "")?;
        tx.execute("DELETE FROM applicant WHERE id = ?1", [id.to_string()])?;
        tx.execute(
            "DELETE FROM personalization WHERE id = ?1",
            [id.to_string()],
        )?;
        tx.commit()?;
        Ok(to)
    }

    /// The keyed tag the queue keeps of a NIK (see [`LocalKey::tag`]).
    pub fn nik_tag(&self, nik: &str) -> [u8; 32] {
        self.local.tag(nik.as_bytes())
    }

    /// The records of `nik` at this booth, oldest first.
    pub fn find_by_nik(&self, nik: &str) -> Result<Vec<QueueRow>, QueueError> {
        let tag = self.nik_tag(nik);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM packets p WHERE p.nik_tag = ?1 ORDER BY p.recorded_at, p.id"
        ))?;
        let rows = stmt.query_map([tag.as_slice()], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A non-printable verdict's own paper was printed (again, when it is reprinted).
    pub fn mark_notice_printed(&mut self, id: Uuid, now: Timestamp) -> Result<(), QueueError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let state = Self::state_in(&tx, id)?;
        if !state.not_printable() {
            return Err(QueueError::Invalid(format!(
                "a {state} record has no verdict notice"
            )));
        }
        let current = Self::handover_in(&tx, id)?;
        if current != Handover::NoticePrinted {
            Self::set_handover(
                &tx,
                id,
                &[
                    Handover::None,
                    Handover::ReceiptDue,
                    Handover::ReceiptPrinted,
                ],
                Handover::NoticePrinted,
                now,
                "",
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A print-ready applicant leaves with the out-of-blanks paper.
    pub fn mark_awaiting_blanks(&mut self, id: Uuid, now: Timestamp) -> Result<(), QueueError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let state = Self::state_in(&tx, id)?;
        if state != State::PrintReady {
            return Err(QueueError::NotPrintReady { state });
        }
        Self::set_handover(
            &tx,
            id,
            &[Handover::None, Handover::ReceiptDue],
            Handover::AwaitingBlanks,
            now,
            "",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The applicant left without a paper: off the waiting list, with `reason` in the audit.
    pub fn dismiss(&mut self, id: Uuid, reason: &str, now: Timestamp) -> Result<(), QueueError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Self::set_handover(
            &tx,
            id,
            &[Handover::None, Handover::ReceiptDue],
            Handover::Dismissed,
            now,
            reason,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Print-ready records whose applicants wait for blank cards, oldest first.
    pub fn awaiting_blanks(&self) -> Result<Vec<super::WaitingEntry>, QueueError> {
        let rows = self.list()?;
        let mut out = Vec::new();
        for r in rows
            .into_iter()
            .filter(|r| r.state == State::PrintReady && r.handover == Handover::AwaitingBlanks)
        {
            out.push(self.entry(r)?);
        }
        Ok(out)
    }

    fn entry(&self, r: QueueRow) -> Result<super::WaitingEntry, QueueError> {
        let name = self
            .applicant(r.packet_id)?
            .map(|a| a.name)
            .unwrap_or_default();
        Ok(super::WaitingEntry {
            packet_id: r.packet_id,
            queue_no: r.queue_no,
            receipt_no: r.receipt_no,
            name,
            state: r.state,
            handover: r.handover,
            deadline_at: r.deadline_at,
        })
    }

    fn state_in(tx: &Transaction<'_>, id: Uuid) -> Result<State, QueueError> {
        let s: Option<String> = tx
            .query_row(
                "SELECT state FROM packets WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        s.ok_or(QueueError::UnknownPacket(id))?
            .parse()
            .map_err(QueueError::Corrupt)
    }

    fn handover_in(tx: &Transaction<'_>, id: Uuid) -> Result<Handover, QueueError> {
        let h: Option<String> = tx
            .query_row(
                "SELECT handover FROM packets WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        h.ok_or(QueueError::UnknownPacket(id))?
            .parse()
            .map_err(QueueError::Corrupt)
    }

    pub fn get(&self, id: Uuid) -> Result<Option<QueueRow>, QueueError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {ROW_COLUMNS} FROM packets p WHERE p.id = ?1"),
                [id.to_string()],
                row,
            )
            .optional()?)
    }

    pub fn find_by_receipt(&self, receipt_no: &str) -> Result<Option<QueueRow>, QueueError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {ROW_COLUMNS} FROM packets p WHERE p.receipt_no = ?1"),
                [receipt_no],
                row,
            )
            .optional()?)
    }

    pub fn list(&self) -> Result<Vec<QueueRow>, QueueError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM packets p ORDER BY p.recorded_at, p.id"
        ))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn counts(&self) -> Result<Counts, QueueError> {
        let mut counts = Counts::default();
        let mut stmt = self
            .conn
            .prepare("SELECT state, handover, count(*) FROM packets GROUP BY state, handover")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)? as u64,
            ))
        })?;
        for r in rows {
            let (state, handover, n) = r?;
            let state: State = state.parse().map_err(QueueError::Corrupt)?;
            *counts.by_state.entry(state).or_default() += n;
            if handover == Handover::ReceiptDue.as_str() {
                counts.receipts_due += n;
            }
        }
        counts.oldest_unsent = self
            .conn
            .query_row(
                "SELECT MIN(recorded_at) FROM packets WHERE state IN ('recorded', 'sending')",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )?
            .map(from_millis);
        counts.backlog_bytes = self.conn.query_row(
            "SELECT COALESCE(SUM(MAX(COALESCE(sealed_size, 0) - upload_offset, 0)), 0)
             FROM packets WHERE state IN ('recorded', 'sending')",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64;
        counts.link_rate_bps = self
            .conn
            .query_row("SELECT bits_per_s FROM link_rate WHERE id = 1", [], |r| {
                r.get::<_, i64>(0)
            })
            .optional()?
            .map(|n| n.max(0) as u64);
        counts.last_error = self
            .conn
            .query_row(
                "SELECT last_error FROM packets WHERE last_error IS NOT NULL
                 ORDER BY updated_at DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(counts)
    }

    /// When the transmitter next has something to do.
    pub fn next_wake(&self) -> Result<Option<Timestamp>, QueueError> {
        let t: Option<i64> = self.conn.query_row(
            "SELECT MIN(t) FROM (
                SELECT MIN(next_attempt_at) AS t FROM packets p
                  WHERE (state IN ('recorded', 'sending')
                         AND EXISTS (SELECT 1 FROM sealed s WHERE s.id = p.id))
                     OR state = 'received'
                UNION ALL
                SELECT MIN(deadline_at) FROM packets WHERE handover = 'none'
                  AND state IN ('recorded', 'sending', 'received')
                UNION ALL
                SELECT MIN(next_attempt_at) FROM complaints WHERE delivered = 0)",
            [],
            |r| r.get(0),
        )?;
        Ok(t.map(from_millis))
    }

    /// Opens the locally sealed JSON row of `table` for `id` (`applicant` or `personalization`).
    fn open_local<T: serde::de::DeserializeOwned>(
        &self,
        table: &'static str,
        id: Uuid,
    ) -> Result<Option<T>, QueueError> {
        let sealed: Option<Vec<u8>> = self
            .conn
            .query_row(
                &format!("SELECT sealed FROM {table} WHERE id = ?1"),
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let plain = self.local.open(id, &sealed)?;
        serde_json::from_slice(&plain)
            .map(Some)
            .map_err(|e| QueueError::Corrupt(e.to_string()))
    }

    pub fn applicant(&self, id: Uuid) -> Result<Option<ApplicantSummary>, QueueError> {
        self.open_local("applicant", id)
    }

    pub fn personalization(&self, id: Uuid) -> Result<Option<Personalization>, QueueError> {
        self.open_local("personalization", id)
    }

    /// Applicants still at the office waiting for their verdict (or called back to collect
    /// their card): hand-over not done, receipt not printed, oldest first.
    pub fn waiting_list(&self) -> Result<Vec<super::WaitingEntry>, QueueError> {
        let rows = self.list()?;
        let mut out = Vec::new();
        for r in rows.into_iter().filter(|r| {
            r.handover.waiting()
                && !matches!(r.state, State::Issued | State::PickedUp | State::Rejected)
        }) {
            out.push(self.entry(r)?);
        }
        Ok(out)
    }

    pub fn verify_audit(&self) -> Result<AuditReport, QueueError> {
        audit::verify(&self.conn)
    }

    /// Writes the WAL back into the main file (used at clean shutdown and by tests).
    pub fn checkpoint(&self) -> Result<(), QueueError> {
        Ok(durable_db::checkpoint(&self.conn)?)
    }
}
