//! Versioned migrations, applied in order under `PRAGMA user_version`, each in one transaction.

use rusqlite::Connection;

use super::QueueError;

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_complaints.sql"),
    include_str!("migrations/0003_selftests.sql"),
];

pub const LATEST: u32 = MIGRATIONS.len() as u32;

pub fn version(conn: &Connection) -> Result<u32, QueueError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema to [`LATEST`]. A file written by a newer booth is refused, not touched.
pub fn migrate(conn: &mut Connection) -> Result<u32, QueueError> {
    let current = version(conn)?;
    if current > LATEST {
        return Err(QueueError::NewerSchema {
            found: current,
            supported: LATEST,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "queue schema migrated");
    }
    version(conn)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
        // packets, sealed, applicant, personalization, audit; complaints (2); selftests (3),
        // and SQLite's own sqlite_sequence for its AUTOINCREMENT.
        assert_eq!(tables, 8);
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        assert!(matches!(
            migrate(&mut conn),
            Err(QueueError::NewerSchema { .. })
        ));
    }
}
