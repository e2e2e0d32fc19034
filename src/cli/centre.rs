//! `central-sim`: the centre simulator (SIAK, ingest, verdicts) on this machine.

use anyhow::Context as _;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::util::{out, run_async};
use ktpel_booth::centre_sim::import::Outcome;
use ktpel_booth::centre_sim::{population_of, CentreSim, CentreSimConfig, Fault};
use ktpel_booth::clock::Clock;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8470")]
    listen: SocketAddr,
    /// Keep keys and received packets here (default: in memory).
    #[arg(long, value_name = "DIR", global = true)]
    state_dir: Option<PathBuf>,
    /// Seconds from receipt to verdict.
    #[arg(long, default_value_t = 20)]
    verdict_delay: u64,
    /// Hours after which an upload with no request is deleted (an abandoned one, or what is
    /// left of an ingested one).
    #[arg(long, default_value_t = 168)]
    upload_expiry_hours: u64,
    /// Synthetic residents in SIAK.
    #[arg(long, default_value_t = 600)]
    population: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    #[arg(long, default_value = "siak-sim-key")]
    siak_key: String,
    #[arg(long, default_value = "centre-sim-key")]
    centre_key: String,
    /// Start in a fault mode: none, down, slow:<ms>, 5xx, garbage, reset.
    #[arg(long, default_value = "none")]
    fault: Fault,
    /// Print the first N residents' NIKs and names (to try the booth with) and exit.
    #[arg(long, value_name = "N")]
    list_residents: Option<usize>,
    #[command(subcommand)]
    command: Option<CentreCommand>,
}

#[derive(clap::Subcommand)]
pub enum CentreCommand {
    /// Ingest a booth's hand-carried backlog (the folder `ktpel-booth export` wrote, or a
    /// drive holding several) into the centre's store at --state-dir, then exit. Each packet is
    /// taken once by its id; a tampered or foreign one is refused with its reason (exit 1).
    Import {
        /// The export folder, or a folder (a drive) holding export folders.
        dir: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(n) = args.list_residents {
        for r in population_of(args.seed, args.population).iter().take(n) {
            out(&format!("{}  {}", r.nik.as_str(), r.name));
        }
        return Ok(());
    }
    let config = CentreSimConfig {
        bind: args.listen,
        verdict_delay: Duration::from_secs(args.verdict_delay),
        population_size: args.population,
        population_seed: args.seed,
        siak_api_key: args.siak_key,
        centre_api_key: args.centre_key,
        state_dir: args.state_dir,
        clock: Clock::System,
        prepare_bundles: true,
        upload_expiry: Duration::from_secs(args.upload_expiry_hours.saturating_mul(3600)),
    };
    match args.command {
        Some(CentreCommand::Import { dir, json }) => run_async(import(config, dir, json)),
        None => run_async(serve(config, args.fault)),
    }
}

async fn import(mut config: CentreSimConfig, dir: PathBuf, json: bool) -> anyhow::Result<()> {
    if config.state_dir.is_none() {
        anyhow::bail!(
            "import needs --state-dir: the centre's store to add the packets to (in memory they \
             would be lost on exit)"
        );
    }
    // Not on the serving port: a simulator may be running on this store already.
    config.bind = SocketAddr::from(([127, 0, 0, 1], 0));
    let sim = CentreSim::start(config)
        .await
        .context("the centre simulator could not start")?;
    let report = sim
        .import(&dir)
        .await
        .with_context(|| format!("cannot import {}", dir.display()))?;
    if json {
        let folders: Vec<serde_json::Value> = report
            .folders
            .iter()
            .map(|(path, r)| match r {
                Ok(f) => serde_json::json!({ "folder": path, "booth_id": f.booth_id, "packets": f.packets }),
                Err(e) => serde_json::json!({ "folder": path, "refused": e.to_string() }),
            })
            .collect();
        out(&serde_json::to_string_pretty(&folders)?);
    } else {
        for (path, r) in &report.folders {
            match r {
                Ok(f) => {
                    out(&format!(
                        "{}: booth {}: {} ingested, {} already held, {} refused",
                        path.display(),
                        f.booth_id,
                        f.ingested(),
                        f.already_held(),
                        f.refused()
                    ));
                    for p in &f.packets {
                        if let Outcome::Refused { code, reason } = &p.outcome {
                            out(&format!("  refused {}: {reason} ({code})", p.file));
                        }
                    }
                }
                Err(e) => out(&format!("{}: refused whole: {e}", path.display())),
            }
        }
    }
    if !report.all_taken() {
        anyhow::bail!("part of the backlog was refused (see above)");
    }
    Ok(())
}

async fn serve(config: CentreSimConfig, fault: Fault) -> anyhow::Result<()> {
    let sim = CentreSim::start(config)
        .await
        .context("the centre simulator could not start")?;
    sim.set_fault(fault);
    let keys = sim.keys();
    out(&format!("centre simulator on {}", sim.base_url()));
    out(&format!(
        "  hpke_public_key     = \"{}\"",
        keys.hpke_public_b64
    ));
    match sim.csca_certificate_file() {
        Some(path) => out(&format!("  csca_certificate    = \"{}\"", path.display())),
        None => out(&format!(
            "  CSCA certificate (save it to a file for csca_certificate; no --state-dir, so it \
             is new on every start):\n{}",
            keys.csca_certificate_pem
        )),
    }
    out(&format!(
        "  {} residents in SIAK; Ctrl-C stops",
        sim.population().len()
    ));
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    Ok(())
}
