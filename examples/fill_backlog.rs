//! Fills a booth's queue with N recorded enrollments (simulated captures of SIAK residents), so
//! the kiosk starts with a backlog to transmit — for measuring the UI while the queue drains:
//!
//!     cargo run --release --example fill_backlog -- DATA_DIR 500
//!     RUST_LOG=info,ktpel_booth::kiosk::preview=debug ktpel-booth --data-dir DATA_DIR
#![allow(clippy::print_stdout)]

use anyhow::Context as _;
use ktpel_booth::booth::devices::Devices;
use ktpel_booth::booth::recording::{capture_enrollment, Exceptions};
use ktpel_booth::clock::Clock;
use ktpel_booth::config::Config;
use std::path::PathBuf;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .context("usage: fill_backlog DATA_DIR [COUNT]")?,
    );
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(200);
    let mut config = Config::load(None)?;
    config.booth.data_dir = Some(dir.clone());
    let (booth, started) = ktpel_booth::embedded::start(config, dir, Clock::System).await?;
    let sim = started
        .centre
        .as_ref()
        .context("the default config embeds the centre")?;
    let residents = sim.population().to_vec();
    let mut devices = Devices::simulated(1);
    let template = capture_enrollment(
        &mut devices,
        residents[0].clone(),
        &Exceptions::default(),
        &booth.config.booth.id,
        "op-01",
        booth.clock.now(),
    )?;
    for i in 0..count {
        let mut e = template.clone();
        e.packet_id = uuid::Uuid::now_v7();
        e.resident = residents[(i + 1) % residents.len()].clone();
        booth.record(e, None).await?;
    }
    println!("{count} enrollments recorded in the queue");
    Ok(())
}
