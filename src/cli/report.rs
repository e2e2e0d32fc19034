//! `report`: the office's daily report (laporan harian) for one local day, as a PDF and a CSV
//! of the same numbers, from the queue's statistics (nothing personal).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::util::out;
use ktpel_booth::booth::report::{self, Header};
use ktpel_booth::config::Config;

#[derive(clap::Args)]
pub struct Args {
    /// The office's local day, YYYY-MM-DD (default: today in the office's time zone).
    #[arg(long, value_name = "YYYY-MM-DD")]
    day: Option<jiff::civil::Date>,
    /// The folder the report is written to (created 0700 when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: Args, config: &Config, dir: &std::path::Path) -> ExitCode {
    let zone = config.booth.time_zone;
    let now = jiff::Timestamp::now();
    let day = args
        .day
        .unwrap_or_else(|| zone.offset().to_datetime(now).date());
    let store = match crate::util::open_queue(config, dir) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let written = store
        .day_stats(day, zone)
        .map_err(report::ReportError::from)
        .and_then(|stats| report::write(&args.out, &Header::new(config, now), &stats));
    match written {
        Ok(w) => {
            out(&w.pdf.display().to_string());
            out(&w.csv.display().to_string());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ktpel-booth: the daily report for {day}: {e}");
            ExitCode::FAILURE
        }
    }
}
