//! Small tools: PIN hashing, NIK explanation, the device self-test.

use std::process::ExitCode;

use crate::util::out;
use ktpel_booth::booth::{self, selftest};
use ktpel_booth::config::Config;
use ktpel_booth::domain::nik::{today_in_jakarta, Nik};

pub fn hash_pin() -> ExitCode {
    let mut line = String::new();
    if let Err(e) = std::io::stdin().read_line(&mut line) {
        eprintln!("ktpel-booth: cannot read the PIN: {e}");
        return ExitCode::FAILURE;
    }
    match ktpel_booth::pin::hash(line.trim()) {
        Ok(h) => {
            out(&format!("pin_hash = \"{h}\""));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ktpel-booth: {e}");
            ExitCode::from(2)
        }
    }
}

pub fn nik_explain(nik: &str) -> ExitCode {
    match Nik::parse(nik.trim(), today_in_jakarta()) {
        Ok(n) => {
            out(&format!("NIK {} is valid", n.as_str()));
            for (label, value) in n.describe() {
                out(&format!("  {label:<14} {value}"));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("NIK is not valid: {e}");
            ExitCode::from(2)
        }
    }
}

pub fn selftest_command(config: &Config, dir: &std::path::Path, json: bool) -> ExitCode {
    let reports = selftest::run_all(config);
    // Where the keys are, loudly when they are not in a TPM (on stderr beside JSON); asked
    // before the history below opens the queue, which makes a new booth's keys.
    let keys = booth::keys::KeySettings::of(&config.booth);
    let (line, keys_ok) = match booth::keys::place(dir, &keys) {
        Ok(p @ booth::keys::KeyPlace::Tpm { .. }) => (p.summary(), true),
        Ok(p) => (format!("WARNING {}", p.summary()), true),
        Err(e) => (format!("FAIL keys: {e}"), false),
    };
    // Kept in the booth's history, which the technician area shows.
    let recorded = booth::open_store_with(dir, config.booth.number, &keys)
        .map_err(|e| e.to_string())
        .and_then(|mut s| {
            s.record_selftests(&reports, jiff::Timestamp::now())
                .map_err(|e| e.to_string())
        });
    if let Err(e) = recorded {
        eprintln!("ktpel-booth: the results were not added to the test history: {e}");
    }
    if json {
        match serde_json::to_string_pretty(&reports) {
            Ok(s) => out(&s),
            Err(e) => {
                eprintln!("ktpel-booth: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        for r in &reports {
            out(&r.to_text());
        }
    }
    if json {
        eprintln!("{line}");
    } else {
        out(&line);
    }
    if keys_ok && reports.iter().all(|r| r.passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
