//! The queue's versioned migrations, applied in order under `PRAGMA user_version` by
//! [`durable_db::migrate`], each in one transaction.
//! Most are SQL files; a migration that must compute something SQL cannot (a SHA-256 hash
//! chain) is a function.

use rusqlite::{params, Connection, Transaction};

use super::audit::{self, complaint_delivery, Event};
use super::QueueError;
use crate::durable_db::{self, Migration};

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[Migration<QueueError>] = &[
    Migration::Sql(include_str!("migrations/0001_init.sql")),
    Migration::Sql(include_str!("migrations/0002_complaints.sql")),
    Migration::Sql(include_str!("migrations/0003_selftests.sql")),
    Migration::Code(adopt_complaints_into_the_audit_chain),
    Migration::Sql(include_str!("migrations/0005_issuance.sql")),
    Migration::Sql(include_str!("migrations/0006_resumable_upload.sql")),
    Migration::Sql(include_str!("migrations/0007_statistics.sql")),
    Migration::Sql(include_str!("migrations/0008_export.sql")),
    Migration::Sql(include_str!("migrations/0009_review.sql")),
];

pub const LATEST: u32 = MIGRATIONS.len() as u32;

pub fn version(conn: &Connection) -> Result<u32, QueueError> {
    Ok(durable_db::schema_version(conn)?)
}

/// Brings the schema to [`LATEST`] with the one runner the booth's stores share. A file
/// written by a newer booth is refused, not touched.
pub fn migrate(conn: &mut Connection) -> Result<u32, QueueError> {
    durable_db::migrate(conn, MIGRATIONS, "queue")
}

/// 0004: complaints' deliveries join the audit chain. Complaints taken before this have no
/// events, so each gets one saying where its delivery stood when the chain took it over.
fn adopt_complaints_into_the_audit_chain(tx: &Transaction<'_>) -> Result<(), QueueError> {
    let mut stmt = tx.prepare(
        "SELECT id, delivered, COALESCE(delivered_at, created_at) FROM complaints
         ORDER BY created_at, id",
    )?;
    let rows = stmt
        .query_map(params![], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (id, delivered, at_ms) in rows {
        audit::append(
            tx,
            &Event {
                at_ms,
                packet_id: &id,
                event: "complaint_adopted",
                from: "",
                to: complaint_delivery(delivered),
                detail: "taken before complaints were audited",
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn complaints_taken_before_the_chain_covered_them_are_adopted_into_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        // A booth at schema 3, with one complaint delivered and one waiting.
        for m in &MIGRATIONS[..3] {
            let Migration::Sql(sql) = m else {
                panic!("the first three migrations are SQL")
            };
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO complaints (id, day, seq, ticket_no, sealed, delivered, next_attempt_at,
                                     created_at, delivered_at)
             VALUES ('c1', '261124', 1, 'P2611240100018', NULL, 1, 0, 1000, 2000),
                    ('c2', '261125', 1, 'P2611250100014', x'00', 0, 0, 3000, NULL);",
        )
        .unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), LATEST);
        let report = audit::verify(&conn).unwrap();
        assert!(report.ok(), "{:?}", report.problems);
        assert_eq!(report.events, 2);
        // The chain now holds them to their state: a delivery flipped in the file is found.
        conn.execute("UPDATE complaints SET delivered = 0 WHERE id = 'c1'", [])
            .unwrap();
        assert_eq!(
            audit::verify(&conn).unwrap().problems,
            vec![
                "complaint P2611240100018: delivery is pending but the audit chain says delivered"
            ]
        );
    }

    #[test]
    fn migrations_apply_once_and_refuse_a_newer_file() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), LATEST);
        // Running again changes nothing.
        assert_eq!(migrate(&mut conn).unwrap(), LATEST);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        // packets, sealed, applicant, personalization, audit; complaints (2); selftests (3);
        // card_prints, blank_stock, signin_lockout (5); link_rate (6); and SQLite's own
        // sqlite_sequence for the AUTOINCREMENTs; recording_stats, link_rate_samples (7).
        assert_eq!(tables, 14);
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(QueueError::Db(durable_db::DbError::NewerSchema { .. }))
        ));
    }
}
