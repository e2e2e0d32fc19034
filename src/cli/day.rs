//! `simulate-day`: the headless day (see `ktpel_booth::simulation`).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::util::out;
use ktpel_booth::config::Config;
use ktpel_booth::simulation::{Day, DayOptions};

#[derive(clap::Args)]
pub struct Args {
    /// How many applicants come.
    #[arg(long, default_value_t = 20)]
    applicants: usize,
    /// Blank cards at the start of the day (default: two thirds of the applicants, so the
    /// last print-ready ones meet the out-of-blanks practice).
    #[arg(long)]
    blanks: Option<u32>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(config: Config, data_dir: Option<PathBuf>, args: Args) -> ExitCode {
    let options = DayOptions {
        applicants: args.applicants,
        blanks: args
            .blanks
            .unwrap_or((args.applicants as u32 * 2).div_ceil(3)),
        data_dir,
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ktpel-booth: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let json = args.json;
    let result = rt.block_on(async {
        let day = Day::open(config, &options).await?;
        if !json {
            out(&format!(
                "{:>4} {:>5}  {:<14} {:<24} {:>8} {:>8} {:>9} {:>9} {:>8}",
                "n",
                "queue",
                "receipt",
                "outcome",
                "verify",
                "record",
                "transmit",
                "handover",
                "RSS MB"
            ));
        }
        let report = day
            .run(&options, |a| {
                if !json {
                    out(&a.line());
                }
            })
            .await;
        day.close();
        report
    });
    match result {
        Ok(report) => {
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(t) => out(&t),
                    Err(e) => {
                        eprintln!("ktpel-booth: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                let text = report.text();
                // The table was printed as the day went; the summary line closes it.
                out(text.lines().last().unwrap_or_default());
            }
            if report.audit_intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("ktpel-booth: {e}");
            ExitCode::FAILURE
        }
    }
}
