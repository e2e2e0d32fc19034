//! The technician's side: self-tests of every device (each on its own worker, so a hung one
//! is reported busy while the others answer), their history, device discovery and assignment,
//! and the blank-card stock.

use ktpel_hal::DeviceKind;

use super::staff::{allow, Action, NotYours, Staff};
use super::Service;
use crate::booth::devices::set::SELF_TEST_LIMIT;
use crate::booth::discovery::Discovery;
use crate::booth::selftest::DeviceReport;
use crate::config::assign::{assign_role, Assigned};
use crate::queue::{BlankStock, QueueError, SelftestEntry};

#[derive(Debug, Clone, thiserror::Error)]
pub enum TechnicianError {
    #[error(transparent)]
    NotYours(#[from] NotYours),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("the built-in config cannot be changed: start the booth with --config FILE")]
    NoConfigFile,
    #[error("{0}")]
    Assign(String),
}

impl Service {
    /// Self-tests `roles` (every role when empty) at once and keeps the results in the history.
    pub async fn self_test(
        &self,
        who: &Staff,
        roles: Vec<DeviceKind>,
    ) -> Result<Vec<DeviceReport>, TechnicianError> {
        allow(who, Action::Devices)?;
        let reports = if roles.is_empty() {
            self.devices.self_test_all(SELF_TEST_LIMIT).await
        } else {
            let tests = roles
                .into_iter()
                .map(|r| self.devices.self_test(r, SELF_TEST_LIMIT));
            futures::future::join_all(tests)
                .await
                .into_iter()
                .flatten()
                .collect()
        };
        let keep = reports.clone();
        let now = self.clock().now();
        self.queue()
            .call(move |s| s.record_selftests(&keep, now))
            .await?;
        Ok(reports)
    }

    /// The latest `limit` self-tests, newest first.
    pub async fn selftest_history(&self, limit: usize) -> Result<Vec<SelftestEntry>, QueueError> {
        self.queue().call(move |s| s.selftest_history(limit)).await
    }

    /// What is plugged into this machine (off the async threads: it opens device files).
    pub async fn discover(&self, who: &Staff) -> Result<Discovery, TechnicianError> {
        allow(who, Action::Devices)?;
        let pins = crate::booth::discovery::pinned_certificates(&self.config().devices);
        Ok(
            tokio::task::spawn_blocking(move || crate::booth::discovery::discover_with(&pins))
                .await
                .unwrap_or_default(),
        )
    }

    /// Puts a device in `role` in the config file the booth was started with.
    pub async fn assign(
        &self,
        who: &Staff,
        role: DeviceKind,
        settings: toml::Table,
    ) -> Result<Assigned, TechnicianError> {
        allow(who, Action::Devices)?;
        let path = self
            .config()
            .source
            .clone()
            .ok_or(TechnicianError::NoConfigFile)?;
        tokio::task::spawn_blocking(move || assign_role(&path, role, &settings))
            .await
            .map_err(|e| TechnicianError::Assign(e.to_string()))?
            .map_err(|e| TechnicianError::Assign(e.to_string()))
    }

    /// The technician loads `count` blank cards into the booth's stock.
    pub async fn load_blanks(
        &self,
        who: &Staff,
        count: u32,
    ) -> Result<BlankStock, TechnicianError> {
        allow(who, Action::Blanks)?;
        let by = who.id.clone();
        let now = self.clock().now();
        Ok(self
            .queue()
            .call(move |s| s.adjust_blanks(i64::from(count), true, &by, now))
            .await?)
    }

    /// The technician corrects the count after counting the cards by hand.
    pub async fn count_blanks(
        &self,
        who: &Staff,
        counted: u32,
    ) -> Result<BlankStock, TechnicianError> {
        allow(who, Action::Blanks)?;
        let by = who.id.clone();
        let now = self.clock().now();
        Ok(self
            .queue()
            .call(move |s| {
                let delta = i64::from(counted) - s.blank_stock()?.on_hand;
                if delta == 0 {
                    return s.blank_stock();
                }
                s.adjust_blanks(delta, false, &by, now)
            })
            .await?)
    }

    pub async fn blank_stock(&self) -> Result<BlankStock, QueueError> {
        self.queue().call(|s| s.blank_stock()).await
    }
}
