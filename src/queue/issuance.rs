//! Card issuance as facts in the queue: every card put through the printer (written *before*
//! the job is sent, so a crash mid-print leaves a card the booth knows about), its chip, the
//! spoiled ones and who allowed a reprint; the blank-card stock as a ledger. Each change is one
//! transaction with an audit event, like every other transition.
//!
//! Where a record's issuance stands is derived from these facts ([`IssueProgress`]): leaving
//! the issue screen, or a restart, resumes at the first unfinished step and never prints a
//! second card without a supervisor's approval.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use uuid::Uuid;

use super::audit::{self, Event};
use super::state::State;
use super::store::Store;
use super::QueueError;
use crate::clock::{from_millis, to_millis};

/// What happened to one card put through the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintOutcome {
    /// The job was being sent when the booth last knew of it (or is being sent now).
    Sending,
    Printed,
    /// The printer reported a failure after the job was sent: the blank may be used.
    Failed,
    /// The card is not fit to hand over (misprint, bad chip, jam) and was replaced.
    Spoiled,
}

impl PrintOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            PrintOutcome::Sending => "sending",
            PrintOutcome::Printed => "printed",
            PrintOutcome::Failed => "failed",
            PrintOutcome::Spoiled => "spoiled",
        }
    }

    fn parse(s: &str) -> Result<Self, QueueError> {
        [
            PrintOutcome::Sending,
            PrintOutcome::Printed,
            PrintOutcome::Failed,
            PrintOutcome::Spoiled,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
        .ok_or_else(|| QueueError::Corrupt(format!("unknown print outcome \"{s}\"")))
    }
}

/// Why a card is printed again. The reason travels in the audit chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReprintReason {
    /// The print is wrong or unreadable.
    Misprint,
    /// The chip cannot be written or does not verify.
    ChipFailure,
    /// The card stuck in the printer.
    Jam,
    /// The printer stopped mid-job or the booth restarted while printing.
    Interrupted,
}

impl ReprintReason {
    pub const ALL: [ReprintReason; 4] = [
        ReprintReason::Misprint,
        ReprintReason::ChipFailure,
        ReprintReason::Jam,
        ReprintReason::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReprintReason::Misprint => "misprint",
            ReprintReason::ChipFailure => "chip_failure",
            ReprintReason::Jam => "jam",
            ReprintReason::Interrupted => "interrupted",
        }
    }
}

/// One card put through the printer for a record, as `queue show` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardPrint {
    pub id: i64,
    pub attempt: u32,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub outcome: PrintOutcome,
    pub printer_job: Option<String>,
    pub error: Option<String>,
    /// When its chip was written and verified.
    pub chip_at: Option<Timestamp>,
    pub reprint_of: Option<i64>,
    pub reason: Option<String>,
    pub approved_by: Option<String>,
}

/// The next step of issuing a print-ready record's card, derived from its prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueProgress {
    /// No card yet: print one.
    Print,
    /// A card went to the printer and did not come back printed (or was spoiled): another one
    /// is a reprint, which needs a supervisor.
    NeedsReprint { last: CardPrint },
    /// The card `print` is printed: write its chip.
    Chip { print: CardPrint },
    /// The card's chip is verified: hand it over.
    HandOver { print: CardPrint },
    /// Handed over already.
    Done,
}

/// A supervisor's approval given at the booth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub supervisor_id: String,
    pub reason: ReprintReason,
}

/// The booth's blank-card stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BlankStock {
    pub on_hand: i64,
    /// Cards printed and handed over or kept for pickup, over the ledger's life.
    pub used: i64,
    /// Cards spoiled, over the ledger's life.
    pub spoiled: i64,
}

const PRINT_COLUMNS: &str = "id, attempt, started_at, finished_at, outcome, printer_job, error,
     chip_at, reprint_of, reason, approved_by";

fn print_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(CardPrint, String)> {
    let outcome: String = r.get(4)?;
    Ok((
        CardPrint {
            id: r.get(0)?,
            attempt: r.get(1)?,
            started_at: from_millis(r.get(2)?),
            finished_at: r.get::<_, Option<i64>>(3)?.map(from_millis),
            outcome: PrintOutcome::Sending,
            printer_job: r.get(5)?,
            error: r.get(6)?,
            chip_at: r.get::<_, Option<i64>>(7)?.map(from_millis),
            reprint_of: r.get(8)?,
            reason: r.get(9)?,
            approved_by: r.get(10)?,
        },
        outcome,
    ))
}

fn prints_of(tx: &rusqlite::Connection, id: Uuid) -> Result<Vec<CardPrint>, QueueError> {
    let mut stmt = tx.prepare(&format!(
        "SELECT {PRINT_COLUMNS} FROM card_prints WHERE packet_id = ?1 ORDER BY attempt"
    ))?;
    let rows = stmt.query_map([id.to_string()], print_row)?;
    let mut out = Vec::new();
    for r in rows {
        let (mut p, outcome) = r?;
        p.outcome = PrintOutcome::parse(&outcome)?;
        out.push(p);
    }
    Ok(out)
}

fn state_of(tx: &rusqlite::Connection, id: Uuid) -> Result<State, QueueError> {
    let state: Option<String> = tx
        .query_row(
            "SELECT state FROM packets WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    state
        .ok_or(QueueError::UnknownPacket(id))?
        .parse()
        .map_err(QueueError::Corrupt)
}

/// The progress of `id`'s issuance from its state and prints.
fn progress(state: State, prints: &[CardPrint]) -> Result<IssueProgress, QueueError> {
    match state {
        State::Issued | State::PickedUp => return Ok(IssueProgress::Done),
        State::PrintReady => {}
        other => return Err(QueueError::NotPrintReady { state: other }),
    }
    let Some(last) = prints.last() else {
        return Ok(IssueProgress::Print);
    };
    Ok(match (last.outcome, last.chip_at) {
        (PrintOutcome::Printed, Some(_)) => IssueProgress::HandOver {
            print: last.clone(),
        },
        (PrintOutcome::Printed, None) => IssueProgress::Chip {
            print: last.clone(),
        },
        (PrintOutcome::Sending | PrintOutcome::Failed | PrintOutcome::Spoiled, _) => {
            IssueProgress::NeedsReprint { last: last.clone() }
        }
    })
}

fn append(
    tx: &Transaction<'_>,
    at: Timestamp,
    id: &str,
    event: &str,
    to: &str,
    detail: &str,
) -> Result<(), QueueError> {
    audit::append(
        tx,
        &Event {
            at_ms: to_millis(at),
            packet_id: id,
            event,
            from: "",
            to,
            detail,
        },
    )
}

/// The id under which the blank stock's events are chained.
pub const STOCK_EVENTS: &str = "blank-stock";

impl Store {
    /// Where the issuance of print-ready record `id` stands.
    pub fn issue_progress(&self, id: Uuid) -> Result<IssueProgress, QueueError> {
        let state = state_of(self.conn(), id)?;
        progress(state, &prints_of(self.conn(), id)?)
    }

    /// Every card put through the printer for `id`, first first.
    pub fn card_prints(&self, id: Uuid) -> Result<Vec<CardPrint>, QueueError> {
        prints_of(self.conn(), id)
    }

    /// Records that a card is about to be sent to the printer for `id` and takes a blank from the
    /// stock; answers the print's id. Refused unless the record is print ready and the card is
    /// due: the first card, or a reprint with a supervisor's `approval` (which marks the card
    /// before it spoiled).
    pub fn begin_card_print(
        &mut self,
        id: Uuid,
        approval: Option<&Approval>,
        by: &str,
        now: Timestamp,
    ) -> Result<i64, QueueError> {
        let tx = self
            .conn_and_key()
            .0
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let state = state_of(&tx, id)?;
        let prints = prints_of(&tx, id)?;
        let reprint_of = match (progress(state, &prints)?, approval) {
            (IssueProgress::Print, _) => None,
            (IssueProgress::NeedsReprint { last }, Some(_))
            | (IssueProgress::Chip { print: last }, Some(_))
            | (IssueProgress::HandOver { print: last }, Some(_)) => Some(last),
            (
                IssueProgress::NeedsReprint { .. }
                | IssueProgress::Chip { .. }
                | IssueProgress::HandOver { .. },
                None,
            ) => return Err(QueueError::ReprintNeedsApproval(id)),
            (IssueProgress::Done, _) => return Err(QueueError::AlreadyIssued(id)),
        };
        let attempt = prints.len() as u32 + 1;
        let key = id.to_string();
        if let Some(last) = &reprint_of {
            if last.outcome != PrintOutcome::Spoiled {
                tx.execute(
                    "UPDATE card_prints SET outcome = 'spoiled', finished_at = COALESCE(finished_at, ?1)
                     WHERE id = ?2",
                    params![to_millis(now), last.id],
                )?;
                append(
                    &tx,
                    now,
                    &key,
                    "card_print",
                    PrintOutcome::Spoiled.as_str(),
                    &format!("card {}", last.attempt),
                )?;
            }
        }
        let (reason, approver) = match approval {
            Some(a) if reprint_of.is_some() => {
                (Some(a.reason.as_str()), Some(a.supervisor_id.as_str()))
            }
            _ => (None, None),
        };
        tx.execute(
            "INSERT INTO card_prints (packet_id, attempt, started_at, outcome, reprint_of, reason, approved_by)
             VALUES (?1, ?2, ?3, 'sending', ?4, ?5, ?6)",
            params![key, attempt, to_millis(now), reprint_of.as_ref().map(|p| p.id), reason, approver],
        )?;
        let print_id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO blank_stock (at, delta, reason, print_id, by_whom) VALUES (?1, -1, 'printed', ?2, ?3)",
            params![to_millis(now), print_id, by],
        )?;
        let detail = match (reason, approver) {
            (Some(r), Some(s)) => format!("card {attempt}; reprint ({r}) approved by {s}"),
            _ => format!("card {attempt}"),
        };
        append(
            &tx,
            now,
            &key,
            "card_print",
            PrintOutcome::Sending.as_str(),
            &detail,
        )?;
        append(
            &tx,
            now,
            STOCK_EVENTS,
            "blanks",
            "-1",
            &format!("card {attempt} of {key}"),
        )?;
        tx.commit()?;
        Ok(print_id)
    }

    /// The printer's answer for print `print_id`: the job id, or why it failed.
    pub fn finish_card_print(
        &mut self,
        print_id: i64,
        result: Result<&str, &str>,
        now: Timestamp,
    ) -> Result<(), QueueError> {
        let tx = self
            .conn_and_key()
            .0
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (packet, attempt): (String, u32) = tx
            .query_row(
                "SELECT packet_id, attempt FROM card_prints WHERE id = ?1 AND outcome = 'sending'",
                [print_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(QueueError::UnknownPrint(print_id))?;
        let (outcome, job, error) = match result {
            Ok(job) => (PrintOutcome::Printed, Some(job), None),
            Err(e) => (PrintOutcome::Failed, None, Some(e)),
        };
        tx.execute(
            "UPDATE card_prints SET outcome = ?1, printer_job = ?2, error = ?3, finished_at = ?4
             WHERE id = ?5",
            params![outcome.as_str(), job, error, to_millis(now), print_id],
        )?;
        append(
            &tx,
            now,
            &packet,
            "card_print",
            outcome.as_str(),
            &format!("card {attempt}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The chip of print `print_id` was written and read back verified.
    pub fn card_chip_verified(&mut self, print_id: i64, now: Timestamp) -> Result<(), QueueError> {
        let tx = self
            .conn_and_key()
            .0
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (packet, attempt): (String, u32) = tx
            .query_row(
                "SELECT packet_id, attempt FROM card_prints WHERE id = ?1 AND outcome = 'printed'",
                [print_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(QueueError::UnknownPrint(print_id))?;
        tx.execute(
            "UPDATE card_prints SET chip_at = ?1 WHERE id = ?2",
            params![to_millis(now), print_id],
        )?;
        append(
            &tx,
            now,
            &packet,
            "card_chip",
            "verified",
            &format!("card {attempt}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The chip of print `print_id` can never be written (locked without a verified write of
    /// this record, or not locking at all): the card is spent, counted as spoiled, and only a
    /// reprint on a new blank can issue the record.
    pub fn card_chip_spent(
        &mut self,
        print_id: i64,
        why: &str,
        now: Timestamp,
    ) -> Result<(), QueueError> {
        let tx = self
            .conn_and_key()
            .0
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (packet, attempt): (String, u32) = tx
            .query_row(
                "SELECT packet_id, attempt FROM card_prints
                 WHERE id = ?1 AND outcome = 'printed' AND chip_at IS NULL",
                [print_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(QueueError::UnknownPrint(print_id))?;
        tx.execute(
            "UPDATE card_prints SET outcome = 'spoiled', error = ?1 WHERE id = ?2",
            params![why, print_id],
        )?;
        append(
            &tx,
            now,
            &packet,
            "card_print",
            PrintOutcome::Spoiled.as_str(),
            &format!("card {attempt}; chip spent: {why}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The technician loads (`delta` > 0) or corrects the count of blank cards.
    pub fn adjust_blanks(
        &mut self,
        delta: i64,
        loaded: bool,
        by: &str,
        now: Timestamp,
    ) -> Result<BlankStock, QueueError> {
        if delta == 0 || (loaded && delta < 0) {
            return Err(QueueError::Invalid(format!(
                "{delta} blank cards cannot be {}",
                if loaded { "loaded" } else { "counted" }
            )));
        }
        let tx = self
            .conn_and_key()
            .0
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let reason = if loaded { "loaded" } else { "adjusted" };
        tx.execute(
            "INSERT INTO blank_stock (at, delta, reason, by_whom) VALUES (?1, ?2, ?3, ?4)",
            params![to_millis(now), delta, reason, by],
        )?;
        append(
            &tx,
            now,
            STOCK_EVENTS,
            "blanks",
            &format!("{delta:+}"),
            &format!("{reason} by {by}"),
        )?;
        tx.commit()?;
        self.blank_stock()
    }

    /// The latest `limit` cards put through the printer at this booth, newest first, with the
    /// receipt number of their record (no personal data).
    pub fn recent_prints(&self, limit: usize) -> Result<Vec<(String, CardPrint)>, QueueError> {
        let cols: String = PRINT_COLUMNS
            .split(',')
            .map(|c| format!("c.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {cols}, p.receipt_no FROM card_prints c JOIN packets p ON p.id = c.packet_id
             ORDER BY c.id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit as i64], |r| {
            let (p, outcome) = print_row(r)?;
            Ok((p, outcome, r.get::<_, String>(11)?))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (mut p, outcome, receipt) = r?;
            p.outcome = PrintOutcome::parse(&outcome)?;
            out.push((receipt, p));
        }
        Ok(out)
    }

    /// Handed-over records the centre has not been told of yet (up to `limit`).
    pub fn issue_reports_due(&self, limit: usize) -> Result<Vec<(Uuid, Timestamp)>, QueueError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, updated_at FROM packets WHERE state IN ('issued', 'picked_up')
             AND issue_reported = 0 ORDER BY updated_at LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (id, at) = r?;
            let id = Uuid::parse_str(&id).map_err(|e| QueueError::Corrupt(e.to_string()))?;
            out.push((id, from_millis(at)));
        }
        Ok(out)
    }

    /// The centre knows `id`'s card was handed over.
    pub fn issue_reported(&mut self, id: Uuid) -> Result<(), QueueError> {
        self.conn().execute(
            "UPDATE packets SET issue_reported = 1 WHERE id = ?1",
            [id.to_string()],
        )?;
        Ok(())
    }

    pub fn blank_stock(&self) -> Result<BlankStock, QueueError> {
        let on_hand: i64 =
            self.conn()
                .query_row("SELECT COALESCE(SUM(delta), 0) FROM blank_stock", [], |r| {
                    r.get(0)
                })?;
        let (used, spoiled): (i64, i64) = self.conn().query_row(
            "SELECT COALESCE(SUM(outcome = 'printed'), 0), COALESCE(SUM(outcome IN ('spoiled', 'failed')), 0)
             FROM card_prints",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(BlankStock {
            on_hand,
            used,
            spoiled,
        })
    }
}

#[cfg(test)]
mod tests;
