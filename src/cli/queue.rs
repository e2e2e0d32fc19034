//! `queue`: the packets, their states and the audit chain (no personal data is shown).

use clap::Subcommand;
use std::process::ExitCode;

use crate::util::out;
use ktpel_booth::booth;
use ktpel_booth::config::Config;

#[derive(Subcommand)]
pub enum QueueCommand {
    /// Every packet: state, hand-over, attempts, last error.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One packet by id or receipt number.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Check the audit chain and that every packet's state matches it.
    VerifyAudit,
}

pub fn run(command: QueueCommand, config: &Config, dir: &std::path::Path) -> ExitCode {
    let store = match booth::open_store(dir, config.booth.number) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "ktpel-booth: cannot open the queue in {}: {e}",
                dir.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let result: anyhow::Result<ExitCode> = (|| match command {
        QueueCommand::List { json } => {
            let rows = store.list()?;
            if json {
                out(&serde_json::to_string_pretty(&rows)?);
            } else {
                out(&format!(
                    "{:<36}  {:>5}  {:<13}  {:<14}  {:<15}  {:>8}  {:>9}  last error",
                    "packet", "no", "receipt", "state", "hand-over", "attempts", "sealed B"
                ));
                for r in &rows {
                    out(&format!(
                        "{:<36}  {:>5}  {:<13}  {:<14}  {:<15}  {:>8}  {:>9}  {}",
                        r.packet_id,
                        r.queue_no,
                        r.receipt_no,
                        r.state.as_str(),
                        r.handover.as_str(),
                        r.attempts,
                        r.sealed_size.map(|n| n.to_string()).unwrap_or_default(),
                        r.last_error.as_deref().unwrap_or("")
                    ));
                }
                out(&format!("{} packets", rows.len()));
            }
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::Show { id, json } => {
            let row = match uuid::Uuid::parse_str(&id) {
                Ok(u) => store.get(u)?,
                Err(_) => store.find_by_receipt(&id)?,
            };
            let Some(row) = row else {
                eprintln!("no packet with id or receipt number {id}");
                return Ok(ExitCode::from(2));
            };
            let prints = store.card_prints(row.packet_id)?;
            if json {
                let mut v = serde_json::to_value(&row)?;
                if let Some(map) = v.as_object_mut() {
                    map.insert("card_prints".into(), serde_json::to_value(&prints)?);
                }
                out(&serde_json::to_string_pretty(&v)?);
            } else {
                let v = serde_json::to_value(&row)?;
                if let Some(map) = v.as_object() {
                    for (k, v) in map {
                        let v = match v {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Null => "-".into(),
                            other => other.to_string(),
                        };
                        out(&format!("{k:<22} {v}"));
                    }
                }
                if prints.is_empty() {
                    out("card prints            none");
                }
                for p in &prints {
                    let mut line = format!(
                        "card {}                 {} at {}",
                        p.attempt,
                        p.outcome.as_str(),
                        p.started_at
                    );
                    if let Some(job) = &p.printer_job {
                        line.push_str(&format!(", printer job {job}"));
                    }
                    if let Some(at) = p.chip_at {
                        line.push_str(&format!(", chip verified {at}"));
                    }
                    if let (Some(r), Some(by)) = (&p.reason, &p.approved_by) {
                        line.push_str(&format!(", reprint ({r}) approved by {by}"));
                    }
                    if let Some(e) = &p.error {
                        line.push_str(&format!(", error: {e}"));
                    }
                    out(&line);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        QueueCommand::VerifyAudit => {
            let report = store.verify_audit()?;
            if report.ok() {
                out(&format!(
                    "audit chain intact: {} events, every packet's state matches",
                    report.events
                ));
                Ok(ExitCode::SUCCESS)
            } else {
                out(&format!(
                    "audit chain BROKEN ({} events checked):",
                    report.events
                ));
                for p in &report.problems {
                    out(&format!("  {p}"));
                }
                Ok(ExitCode::FAILURE)
            }
        }
    })();
    result.unwrap_or_else(|e| {
        eprintln!("ktpel-booth: {e:#}");
        ExitCode::FAILURE
    })
}
