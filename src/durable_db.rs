//! What the booth's queue and the complaint desk's database share: one SQLite file opened for
//! durability, and one writer thread that owns its connection.
//!
//! Opening insists on WAL with `synchronous = FULL` (a commit that returned survives power
//! loss), `secure_delete` (freed pages holding sealed captures or complaints are overwritten)
//! and foreign keys, and reads every answer back, because SQLite ignores a pragma it does not
//! understand. The writer thread runs jobs one at a time in the order they were sent; callers
//! on any async runtime await their answer.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{mpsc, oneshot};

/// What went wrong with a durable database, whichever store owns it (the queue, the desk): the
/// one mapping from SQLite's answers to what a caller can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    #[error("cannot create {dir}: {reason}")]
    Directory { dir: String, reason: String },
    #[error("SQLite failed: {0}")]
    Sqlite(String),
    #[error("the disk is full: nothing was saved (free some space and try again)")]
    DiskFull,
    #[error("the database file is damaged: {0}")]
    Corrupt(String),
    #[error(
        "the database was written by a newer version (schema {found}, this one knows {supported})"
    )]
    NewerSchema { found: u32, supported: u32 },
    /// A setting did not take (its name and what SQLite answered).
    #[error("SQLite did not accept a setting durability depends on: {0}")]
    Pragma(String),
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => DbError::DiskFull,
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
                DbError::Corrupt(e.to_string())
            }
            _ => DbError::Sqlite(e.to_string()),
        }
    }
}

/// One step of a schema: migration `i` of a list takes the schema from version `i` to `i + 1`.
/// Most are SQL; one that must compute what SQL cannot (a hash chain) is a function.
pub enum Migration<E> {
    Sql(&'static str),
    Code(fn(&rusqlite::Transaction<'_>) -> Result<(), E>),
}

/// The schema version a file is at (`PRAGMA user_version`).
pub fn schema_version(conn: &Connection) -> Result<u32, DbError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings `conn`'s schema to the end of `migrations`, each step in one immediate transaction
/// together with its version number, so a crash leaves the file at a step's edge. A file
/// written by a newer program is refused, not touched. `what` names the store in the log.
pub fn migrate<E: From<DbError>>(
    conn: &mut Connection,
    migrations: &[Migration<E>],
    what: &'static str,
) -> Result<u32, E> {
    let latest = migrations.len() as u32;
    let current = schema_version(conn)?;
    if current > latest {
        return Err(DbError::NewerSchema {
            found: current,
            supported: latest,
        }
        .into());
    }
    for (i, migration) in migrations.iter().enumerate().skip(current as usize) {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(DbError::from)?;
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql).map_err(DbError::from)?,
            Migration::Code(f) => f(&tx)?,
        }
        tx.pragma_update(None, "user_version", i as u32 + 1)
            .map_err(DbError::from)?;
        tx.commit().map_err(DbError::from)?;
        tracing::info!(store = what, version = i + 1, "schema migrated");
    }
    Ok(schema_version(conn)?)
}

/// Opens (creating it and its directory if needed) the database at `path` for durable writes.
/// The folder is made 0700 and the file 0600 before SQLite opens it, so its WAL and shared-memory
/// files, which SQLite creates with the database file's mode, are private too.
pub fn open(path: &Path) -> Result<Connection, DbError> {
    crate::private_fs::create_file(path).map_err(|e| DbError::Directory {
        dir: path.parent().unwrap_or(path).display().to_string(),
        reason: e.to_string(),
    })?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    make_durable(&conn)?;
    Ok(conn)
}

/// Sets and reads back the pragmas durability depends on.
pub fn make_durable(conn: &Connection) -> Result<(), DbError> {
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(DbError::Pragma(format!("journal_mode is {mode}, not wal")));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    if sync != 2 {
        return Err(DbError::Pragma(format!(
            "synchronous is {sync}, not 2 (FULL)"
        )));
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    cap_page_cache(conn)?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    let secure: i64 = conn.query_row("PRAGMA secure_delete", [], |r| r.get(0))?;
    if secure != 1 {
        return Err(DbError::Pragma("secure_delete did not turn on".into()));
    }
    Ok(())
}

/// The page cache each connection may keep, in KiB. SQLite's default (2 MiB per connection)
/// fills slowly as the file grows with the day's sealed packets, so a booth's resident memory
/// crept up by the queue's, the desk's and the centre simulator's caches over a day; the booth
/// reads each packet once or twice, so a small cache costs it nothing it notices.
pub const PAGE_CACHE_KIB: i64 = 512;

/// Caps the connection's page cache at [`PAGE_CACHE_KIB`] and reads the setting back.
pub fn cap_page_cache(conn: &Connection) -> Result<(), DbError> {
    conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
    let size: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    if size != -PAGE_CACHE_KIB {
        return Err(DbError::Pragma(format!(
            "cache_size is {size}, not {}",
            -PAGE_CACHE_KIB
        )));
    }
    Ok(())
}

/// SQLite's quick integrity check: `None` when the file is sound, else what it found.
pub fn damage(conn: &Connection) -> rusqlite::Result<Option<String>> {
    let found: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    Ok((found != "ok").then_some(found))
}

/// The journal mode and synchronous level in force (for tests and the self-test).
pub fn durability(conn: &Connection) -> rusqlite::Result<(String, i64)> {
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
    Ok((mode, sync))
}

/// Folds the WAL back into the database file (at shutdown, so the file stands alone).
pub fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
}

/// The writer thread has stopped (it could not start, or it panicked): nothing more is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

type Job<S> = Box<dyn FnOnce(&mut S) + Send>;

/// A handle to the thread that owns `S` (a store around one connection). Cheap to clone.
pub struct Writer<S> {
    jobs: mpsc::UnboundedSender<Job<S>>,
}

impl<S> Clone for Writer<S> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<S: Send + 'static> Writer<S> {
    /// Starts thread `name` owning `store`; when the last handle is dropped it runs `at_stop`
    /// on the store and ends.
    pub fn spawn(name: &str, mut store: S, at_stop: fn(&mut S)) -> Self {
        let (jobs, mut rx) = mpsc::unbounded_channel::<Job<S>>();
        let spawned = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                while let Some(job) = rx.blocking_recv() {
                    job(&mut store);
                }
                at_stop(&mut store);
            });
        if let Err(e) = spawned {
            // Without a thread the channel's receiver is gone; every call answers Stopped.
            tracing::error!(thread = name, error = %e, "cannot start a database writer thread");
        }
        Self { jobs }
    }

    /// Runs `f` on the writer thread and awaits its answer.
    pub async fn call<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<Stopped> + Send + 'static,
        F: FnOnce(&mut S) -> Result<T, E> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Box::new(move |store: &mut S| {
                let _ = tx.send(f(store));
            }))
            .map_err(|_| E::from(Stopped))?;
        rx.await.map_err(|_| E::from(Stopped))?
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Failed {
        Stopped,
        Refused(&'static str),
    }

    impl From<Stopped> for Failed {
        fn from(_: Stopped) -> Self {
            Failed::Stopped
        }
    }

    #[tokio::test]
    async fn jobs_run_in_order_on_the_writer_and_a_dead_writer_says_so() {
        let w = Writer::spawn("test-writer", Vec::<u32>::new(), |_| {});
        for i in 0..50u32 {
            let w = w.clone();
            w.call(move |v: &mut Vec<u32>| {
                v.push(i);
                Ok::<_, Failed>(())
            })
            .await
            .unwrap();
        }
        let seen = w.call(|v: &mut Vec<u32>| Ok::<_, Failed>(v.clone())).await;
        assert_eq!(seen.unwrap(), (0..50).collect::<Vec<_>>());
        let refused = w
            .call(|_: &mut Vec<u32>| Err::<(), _>(Failed::Refused("no")))
            .await;
        assert_eq!(refused, Err(Failed::Refused("no")));
        // A job that panics takes the thread with it; later calls are told, not left hanging.
        let _ = w
            .call(|_: &mut Vec<u32>| -> Result<(), Failed> { panic!("job failed") })
            .await;
        assert_eq!(
            w.call(|_: &mut Vec<u32>| Ok::<_, Failed>(())).await,
            Err(Failed::Stopped)
        );
    }

    #[test]
    fn a_database_opens_durable_in_a_new_directory() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("a/b/x.db")).unwrap();
        assert_eq!(durability(&conn).unwrap(), ("wal".into(), 2));
        assert_eq!(damage(&conn).unwrap(), None);
        let secure: i64 = conn
            .query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .unwrap();
        assert_eq!(secure, 1);
    }
}
