//! The supervisor carries the backlog to the centre: the removable drives mounted now, and the
//! export to one of them (`booth::export`).

use std::path::{Path, PathBuf};

use super::{allow, Action, Service, Staff};
use crate::booth::export::{self, ExportError, ExportReport};

impl Service {
    /// The removable drives mounted now, under `[export] removable_roots` (blocking briefly on
    /// the file system: call it off the UI thread).
    pub fn removable_drives(&self) -> Vec<PathBuf> {
        export::removable_drives(&self.booth.config.export.removable_roots)
    }

    /// Writes the unsent backlog to `drive`, reads it back and marks it exported.
    pub async fn export_backlog(
        &self,
        who: &Staff,
        drive: &Path,
    ) -> Result<ExportReport, ExportError> {
        allow(who, Action::Export)?;
        tracing::info!(supervisor = %who.id, "backlog export");
        self.booth.export_backlog(drive).await
    }
}
