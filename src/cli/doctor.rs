//! `doctor`: the checks a technician runs after installing a booth (see `booth::doctor`).

use std::path::Path;
use std::process::ExitCode;

use crate::util::out;
use ktpel_booth::booth::doctor::{self, Probes};
use ktpel_booth::config::Config;

pub fn run(config: &Config, dir: &Path, json: bool, no_devices: bool) -> ExitCode {
    let probes = Probes {
        devices: !no_devices,
        ..Probes::default()
    };
    let report = doctor::run(config, dir, &probes);
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => out(&s),
            Err(e) => {
                eprintln!("ktpel-booth: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        let source = config
            .source
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "the built-in config/booth.toml".into());
        out(&format!(
            "config {source}, data directory {}",
            dir.display()
        ));
        for line in &report.lines {
            out(&line.to_text());
        }
        let failed = report
            .lines
            .iter()
            .filter(|l| l.status == doctor::Status::Fail)
            .count();
        out(&if failed == 0 {
            "all checks passed".to_string()
        } else {
            format!("{failed} check(s) failed: do what the arrows say, then run the doctor again")
        });
    }
    if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
