//! `ktpel-booth`: the kiosk by default, and the tools a technician or maintainer runs. Each
//! command lives in its own module; this file parses the command line and dispatches.

mod card;
#[cfg(feature = "centre-sim")]
mod centre;
#[cfg(feature = "centre-sim")]
mod day;
mod devices;
mod doctor;
mod export;
mod queue;
mod report;
mod sim;
mod tools;
mod util;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use ktpel_booth::clock::Clock;
use ktpel_booth::{kiosk, telemetry};
use util::{config_failure, load, report};

#[derive(Parser)]
#[command(
    name = "ktpel-booth",
    version,
    about = "KTP-el recording booth. With no command, opens the kiosk."
)]
struct Cli {
    /// The booth's config file (default: the built-in config/booth.toml).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Where the queue and keys live (overrides booth.data_dir).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Self-test every configured device; exits non-zero when any fails.
    Selftest {
        /// Print the reports as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Inspect the queue (no personal data is shown).
    Queue {
        #[command(subcommand)]
        command: queue::QueueCommand,
    },
    /// Run the centre simulator (SIAK, ingest, verdicts) on this machine.
    #[cfg(feature = "centre-sim")]
    CentralSim(centre::Args),
    /// A day at the booth without a screen: N applicants through the real workflow with
    /// simulated devices and the embedded centre (print ready, receipt and later pickup,
    /// duplicate, adjudicate, enroll failure, out of blanks); prints each one's outcome, the
    /// software's time per SOP step and the process's memory. For training and soak tests.
    #[cfg(feature = "centre-sim")]
    SimulateDay(day::Args),
    /// Run a device simulator speaking the device's real protocol, for trying the drivers
    /// without hardware: on a serial port (e.g. one end of a `socat` pty pair), or an SBI
    /// device service or an IPP card printer on 127.0.0.1.
    Sim {
        #[command(subcommand)]
        device: sim::SimDevice,
    },
    /// Run the office's complaint desk (pengaduan): the staff's window, the HTTP endpoint booths
    /// send complaints to, and escalation to the Kepala Dinas past the deadline. `--config`
    /// names the desk's config (default: the built-in config/desk.toml).
    #[cfg(feature = "desk")]
    ComplaintDesk {
        /// Only the server and the escalation task, no window (a server room, tests).
        #[arg(long)]
        headless: bool,
        /// Address to listen on (overrides desk.listen).
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// List the devices plugged into this machine (serial ports with USB identity, PC/SC
    /// readers, SBI services, cameras, USB printers), with the roles each can fill and what is in
    /// the way; `assign` puts one in a role in the config file.
    Devices {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: Option<devices::DevicesCommand>,
    },
    /// The chip of a KTP-el.
    Card {
        #[command(subcommand)]
        command: card::CardCommand,
    },
    /// Backlog by hand-carry: write the unsent packets, still sealed, with a manifest signed
    /// by the booth, into a new folder under DIR (a removable drive); they stay in the queue,
    /// marked exported, until the centre confirms them.
    Export(export::Args),
    /// Hash an operator PIN for `[[operators]]` in the config (reads the PIN from stdin).
    HashPin,
    /// The daily report (laporan harian) of one day: `laporan-harian-<booth>-<date>.pdf` and
    /// `.csv` in `--out` — counts, SOP step times against the standard, plots; no personal data.
    Report(report::Args),
    /// After installing: the data directory, free disk, clock against the centre, keys, pcscd,
    /// the CUPS queue and every configured device, one line each (OK, WARN or FAIL with what to
    /// do); exits non-zero when any check failed. Stop the kiosk first: it holds the devices.
    Doctor {
        /// Print the lines as JSON.
        #[arg(long)]
        json: bool,
        /// Skip the devices' self-tests (the kiosk is running and holds them).
        #[arg(long)]
        no_devices: bool,
    },
    /// Population rules.
    Nik {
        #[command(subcommand)]
        command: NikCommand,
    },
}

#[derive(Subcommand)]
enum NikCommand {
    /// Decode a NIK, or say exactly which part is wrong (exit 2).
    Explain { nik: String },
}

fn main() -> ExitCode {
    // Before any thread starts: a day's memory stays flat.
    telemetry::tune_allocator();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Nik {
            command: NikCommand::Explain { nik },
        }) => tools::nik_explain(&nik),
        Some(Command::HashPin) => tools::hash_pin(),
        Some(Command::Sim { device }) => {
            telemetry::init("info");
            report(sim::run(device))
        }
        #[cfg(feature = "centre-sim")]
        Some(Command::CentralSim(args)) => {
            telemetry::init("info");
            report(centre::run(args))
        }
        #[cfg(feature = "centre-sim")]
        Some(Command::SimulateDay(args)) => {
            telemetry::init("warn");
            match load(&cli.config, &None) {
                Ok((config, _)) => day::run(config, cli.data_dir.clone(), args),
                Err(e) => config_failure(e),
            }
        }
        Some(Command::Queue { command }) => {
            telemetry::init("warn");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => queue::run(command, &config, &dir),
                Err(e) => config_failure(e),
            }
        }
        #[cfg(feature = "desk")]
        Some(Command::ComplaintDesk { headless, listen }) => {
            telemetry::init("info");
            ktpel_booth::desk::run(ktpel_booth::desk::RunOptions {
                config: cli.config.clone(),
                data_dir: cli.data_dir.clone(),
                headless,
                listen,
            })
        }
        Some(Command::Export(args)) => {
            telemetry::init("warn");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => report(export::run(args, &config, &dir)),
                Err(e) => config_failure(e),
            }
        }
        Some(Command::Devices { json, command }) => {
            telemetry::init("warn");
            devices::run(cli.config.as_deref(), json, command)
        }
        Some(Command::Card { command }) => {
            telemetry::init("warn");
            card::run(command, &cli.config, &cli.data_dir)
        }
        Some(Command::Report(args)) => {
            telemetry::init("warn");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => report::run(args, &config, &dir),
                Err(e) => config_failure(e),
            }
        }
        Some(Command::Selftest { json }) => {
            telemetry::init("warn");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => tools::selftest_command(&config, &dir, json),
                Err(e) => config_failure(e),
            }
        }
        Some(Command::Doctor { json, no_devices }) => {
            telemetry::init("warn");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => doctor::run(&config, &dir, json, no_devices),
                Err(e) => config_failure(e),
            }
        }
        None => {
            telemetry::init("info");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => {
                    let starting = config.clone();
                    kiosk::run_kiosk(config, move || {
                        let (config, dir) = (starting.clone(), dir.clone());
                        Box::pin(async move {
                            ktpel_booth::embedded::start(config, dir, Clock::System)
                                .await
                                .map(|(booth, _)| booth)
                        })
                    })
                }
                Err(e) => config_failure(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
