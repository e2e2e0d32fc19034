//! The centre simulator's memory: what it received, from which booth, and what it decided.
//! Only the sealed envelopes and keyed hashes of NIKs are kept; the clear record is rebuilt
//! from the envelope when a print-ready bundle is asked for.

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::path::Path;
use uuid::Uuid;

use crate::wire::centre::CentreStatus;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("centre store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("centre store is damaged: {0}")]
    Corrupt(String),
}

pub struct CentreStore {
    conn: Connection,
    nik_key: Vec<u8>,
}

pub struct Received {
    pub body_sha256: Vec<u8>,
    pub received_at_ms: i64,
}

pub struct Decision {
    pub status: CentreStatus,
    pub detail: Option<String>,
    pub decide_at_ms: i64,
    pub envelope: Vec<u8>,
}

fn status_name(s: CentreStatus) -> &'static str {
    match s {
        CentreStatus::Unknown => "unknown",
        CentreStatus::Processing => "processing",
        CentreStatus::PrintReady => "print_ready",
        CentreStatus::Duplicate => "duplicate",
        CentreStatus::Adjudicate => "adjudicate",
        CentreStatus::EnrollFailure => "enroll_failure",
    }
}

fn status_from(s: &str) -> Option<CentreStatus> {
    [
        CentreStatus::PrintReady,
        CentreStatus::Duplicate,
        CentreStatus::Adjudicate,
        CentreStatus::EnrollFailure,
    ]
    .into_iter()
    .find(|c| status_name(*c) == s)
}

impl CentreStore {
    /// `path` None keeps everything in memory.
    pub fn open(path: Option<&Path>, nik_key: Vec<u8>) -> Result<Self, StoreError> {
        let conn = match path {
            Some(p) => {
                crate::private_fs::create_file(p)
                    .map_err(|e| StoreError::Corrupt(format!("{}: {e}", p.display())))?;
                Connection::open(p)?
            }
            None => Connection::open_in_memory()?,
        };
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // The same small page cache as the booth's own files: the embedded simulator shares
        // the booth's process.
        conn.pragma_update(None, "cache_size", -crate::durable_db::PAGE_CACHE_KIB)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS enrollments (
                packet_id   TEXT PRIMARY KEY,
                booth_id    TEXT NOT NULL,
                body_sha256 BLOB NOT NULL,
                envelope    BLOB NOT NULL,
                nik_tag     BLOB NOT NULL,
                received_at INTEGER NOT NULL,
                decide_at   INTEGER NOT NULL,
                status      TEXT NOT NULL,
                detail      TEXT
             );
             CREATE INDEX IF NOT EXISTS enrollments_nik ON enrollments (nik_tag);
             CREATE TABLE IF NOT EXISTS issued (
                packet_id TEXT PRIMARY KEY REFERENCES enrollments (packet_id),
                issued_at INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS booths (
                booth_id TEXT PRIMARY KEY,
                key      BLOB NOT NULL
             );",
        )?;
        Ok(Self { conn, nik_key })
    }

    /// A keyed hash of the NIK, so the store can find re-recordings without holding NIKs.
    pub fn nik_tag(&self, nik: &str) -> Vec<u8> {
        let mut h = Sha256::new();
        h.update(&self.nik_key);
        h.update(nik.as_bytes());
        h.finalize().to_vec()
    }

    /// The key pinned for `booth_id`, if it has sent anything yet (nothing is pinned here).
    pub fn booth_key(&self, booth_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT key FROM booths WHERE booth_id = ?1",
                [booth_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The key pinned for `booth_id`, pinning `key` if the booth is new.
    pub fn pin_booth_key(&self, booth_id: &str, key: &[u8]) -> Result<bool, StoreError> {
        let known: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT key FROM booths WHERE booth_id = ?1",
                [booth_id],
                |r| r.get(0),
            )
            .optional()?;
        match known {
            Some(k) => Ok(k == key),
            None => {
                self.conn.execute(
                    "INSERT INTO booths (booth_id, key) VALUES (?1, ?2)",
                    params![booth_id, key],
                )?;
                Ok(true)
            }
        }
    }

    pub fn received(&self, id: Uuid) -> Result<Option<Received>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT body_sha256, received_at FROM enrollments WHERE packet_id = ?1",
                [id.to_string()],
                |r| {
                    Ok(Received {
                        body_sha256: r.get(0)?,
                        received_at_ms: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Whether another packet for this NIK was already enrolled (not failed).
    pub fn nik_enrolled(&self, nik_tag: &[u8]) -> Result<bool, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM enrollments WHERE nik_tag = ?1
             AND status IN ('print_ready', 'adjudicate')",
            [nik_tag],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        &self,
        id: Uuid,
        booth_id: &str,
        body_sha256: &[u8],
        envelope: &[u8],
        nik_tag: &[u8],
        received_at_ms: i64,
        decide_at_ms: i64,
        status: CentreStatus,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO enrollments (packet_id, booth_id, body_sha256, envelope, nik_tag,
                                      received_at, decide_at, status, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id.to_string(),
                booth_id,
                body_sha256,
                envelope,
                nik_tag,
                received_at_ms,
                decide_at_ms,
                status_name(status),
                detail
            ],
        )?;
        Ok(())
    }

    pub fn decision(&self, id: Uuid) -> Result<Option<Decision>, StoreError> {
        let row: Option<(String, Option<String>, i64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT status, detail, decide_at, envelope FROM enrollments WHERE packet_id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        row.map(|(status, detail, decide_at_ms, envelope)| {
            Ok(Decision {
                status: status_from(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
                detail,
                decide_at_ms,
                envelope,
            })
        })
        .transpose()
    }

    /// Every record of the NIK with this tag, oldest first: status (issued when a booth said
    /// so), when received, by which booth. `now_ms` tells a verdict still in the making.
    pub fn history(
        &self,
        nik_tag: &[u8],
        now_ms: i64,
    ) -> Result<Vec<crate::wire::centre::RecordFact>, StoreError> {
        use crate::wire::centre::{RecordFact, RecordStatus};
        let mut stmt = self.conn.prepare(
            "SELECT e.status, e.decide_at, e.received_at, e.booth_id, i.issued_at IS NOT NULL
             FROM enrollments e LEFT JOIN issued i USING (packet_id)
             WHERE e.nik_tag = ?1 ORDER BY e.received_at, e.packet_id",
        )?;
        let rows = stmt.query_map([nik_tag], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (status, decide_at, received_at, booth_id, issued) = row?;
            let status = status_from(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?;
            let status = match status {
                _ if decide_at > now_ms => RecordStatus::InProcess,
                CentreStatus::PrintReady if issued => RecordStatus::Issued,
                CentreStatus::PrintReady => RecordStatus::PrintReady,
                CentreStatus::Duplicate => RecordStatus::Duplicate,
                CentreStatus::Adjudicate => RecordStatus::Adjudicate,
                _ => RecordStatus::EnrollFailure,
            };
            out.push(RecordFact {
                status,
                recorded_at_ms: received_at,
                booth_id,
            });
        }
        Ok(out)
    }

    /// A booth reports the card of print-ready packet `id` handed over. `Ok(false)`: the
    /// packet is unknown or not print ready.
    pub fn mark_issued(&self, id: Uuid, at_ms: i64) -> Result<bool, StoreError> {
        let ready: Option<String> = self
            .conn
            .query_row(
                "SELECT status FROM enrollments WHERE packet_id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if ready.as_deref() != Some("print_ready") {
            return Ok(false);
        }
        self.conn.execute(
            "INSERT OR IGNORE INTO issued (packet_id, issued_at) VALUES (?1, ?2)",
            params![id.to_string(), at_ms],
        )?;
        Ok(true)
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM enrollments", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}
