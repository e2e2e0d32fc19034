//! The self-test history in the queue file: every device test a technician runs, kept so the
//! next one can see when a device last passed and what failed before.

use jiff::Timestamp;
use rusqlite::params;

use super::store::Store;
use super::QueueError;
use crate::clock::{from_millis, to_millis};

/// What the history keeps of one device's test: who the device is, whether it passed, and the
/// whole report as JSON (its `error.message` or first failed check's `name`/`detail` make the
/// summary the list shows). The booth's self-test reports are these.
pub trait SelftestRow: serde::Serialize {
    fn role(&self) -> &str;
    fn driver(&self) -> &str;
    fn model(&self) -> &str;
    fn serial(&self) -> &str;
    fn passed(&self) -> bool;
}

/// One past test, as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SelftestEntry {
    pub at: Timestamp,
    pub role: String,
    pub driver: String,
    pub model: String,
    pub serial: String,
    pub passed: bool,
    /// The first failed check or error, for the list.
    pub summary: String,
}

impl Store {
    /// Keeps the reports of one test run.
    pub fn record_selftests<R: SelftestRow>(
        &mut self,
        reports: &[R],
        at: Timestamp,
    ) -> Result<(), QueueError> {
        let tx = self.conn_and_key().0.transaction()?;
        for r in reports {
            let json = serde_json::to_string(r).map_err(|e| QueueError::Corrupt(e.to_string()))?;
            tx.execute(
                "INSERT INTO selftests (at, role, driver, model, serial, passed, report)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    to_millis(at),
                    r.role(),
                    r.driver(),
                    r.model(),
                    r.serial(),
                    r.passed(),
                    json
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The latest `limit` tests, newest first.
    pub fn selftest_history(&self, limit: usize) -> Result<Vec<SelftestEntry>, QueueError> {
        let mut stmt = self.conn().prepare(
            "SELECT at, role, driver, model, serial, passed, report FROM selftests
             ORDER BY at DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (at, role, driver, model, serial, passed, report) = row?;
            let v: serde_json::Value =
                serde_json::from_str(&report).map_err(|e| QueueError::Corrupt(e.to_string()))?;
            let summary = if passed {
                String::new()
            } else {
                v["error"]["message"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| {
                        v["checks"].as_array().and_then(|cs| {
                            cs.iter().find(|c| c["passed"] == false).map(|c| {
                                format!(
                                    "{}: {}",
                                    c["name"].as_str().unwrap_or(""),
                                    c["detail"].as_str().unwrap_or("")
                                )
                            })
                        })
                    })
                    .unwrap_or_default()
            };
            out.push(SelftestEntry {
                at: from_millis(at),
                role,
                driver,
                model,
                serial,
                passed,
                summary,
            });
        }
        Ok(out)
    }
}
