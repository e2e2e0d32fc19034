//! `export --to DIR`: the backlog by hand-carry. Writes the packets the centre still has to be
//! sent, still sealed, into a new folder under DIR (a mounted removable drive) with a manifest
//! signed by the booth, reads it back, and marks them exported; they stay in the queue until
//! the centre confirms them (docs/packet.md, section 8).

use anyhow::Context as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::util::out;
use ktpel_booth::booth::{self, export::export_backlog};
use ktpel_booth::config::Config;
use ktpel_booth::queue::Queue;

#[derive(clap::Args)]
pub struct Args {
    /// The folder to write into, usually a mounted drive (`/media/<user>/<label>`); the export
    /// is a new folder inside it.
    #[arg(long, value_name = "DIR")]
    to: PathBuf,
}

pub fn run(args: Args, config: &Config, dir: &Path) -> anyhow::Result<()> {
    let store = booth::open_store_with(
        dir,
        config.booth.number,
        &booth::keys::KeySettings::of(&config.booth),
    )
    .with_context(|| format!("cannot open the queue in {}", dir.display()))?;
    let key = Arc::new(
        booth::keys::read_booth_key(dir, &booth::keys::KeySettings::of(&config.booth))
            .context("cannot read the booth's key")?,
    );
    let queue = Queue::spawn(store);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = rt
        .block_on(export_backlog(
            &queue,
            key,
            &config.booth.id,
            jiff::Timestamp::now(),
            &args.to,
        ))
        .context("the export failed")?;
    match report.folder {
        None => out("nothing to export: every packet has reached the centre"),
        Some(folder) => {
            out(&format!(
                "{} packets ({} bytes) written to {} and read back whole",
                report.verified,
                report.bytes,
                folder.display()
            ));
            out(&format!(
                "{} marked exported; they stay in the queue until the centre confirms them",
                report.marked
            ));
        }
    }
    Ok(())
}
