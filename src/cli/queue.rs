//! `queue`: the packets, their states and the audit chain (no personal data is shown).

use clap::Subcommand;
use std::process::ExitCode;

use crate::util::out;
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
    /// Bring the queue's schema up to this version, keeping every record (opening the queue
    /// does this; the package's upgrade runs it before the kiosk starts again).
    Migrate,
}

pub fn run(command: QueueCommand, config: &Config, dir: &std::path::Path) -> ExitCode {
    let store = match crate::util::open_queue(config, dir) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let result: anyhow::Result<ExitCode> = (|| match command {
        QueueCommand::Migrate => {
            out(&format!(
                "the queue in {} is at schema version {} ({} packets kept)",
                dir.display(),
                ktpel_booth::queue::schema::LATEST,
                store.list()?.len()
            ));
            Ok(ExitCode::SUCCESS)
        }
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
            let exported = store.export_mark(row.packet_id)?;
            let zone = config.booth.time_zone;
            if json {
                let mut v = serde_json::to_value(&row)?;
                if let Some(map) = v.as_object_mut() {
                    map.insert("card_prints".into(), serde_json::to_value(&prints)?);
                    if let Some((at, folder)) = &exported {
                        map.insert(
                            "exported".into(),
                            serde_json::json!({ "at": at, "folder": folder }),
                        );
                    }
                }
                out(&serde_json::to_string_pretty(&v)?);
            } else {
                for (k, v) in shown_fields(&row, config.booth.time_zone) {
                    out(&format!("{k:<22} {v}"));
                }
                if let Some((at, folder)) = &exported {
                    out(&format!(
                        "{:<22} {} to {folder}",
                        "exported",
                        zone.format(*at)
                    ));
                }
                if prints.is_empty() {
                    out("card prints            none");
                }
                for p in &prints {
                    let mut line = format!(
                        "card {}                 {} at {}",
                        p.attempt,
                        p.outcome.as_str(),
                        zone.format(p.started_at)
                    );
                    if let Some(job) = &p.printer_job {
                        line.push_str(&format!(", printer job {job}"));
                    }
                    if let Some(at) = p.chip_at {
                        line.push_str(&format!(", chip verified {}", zone.format(at)));
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

/// A packet's fields as a person reads them: times in the office's zone, and only what means
/// something for the packet's state (a finished packet has no next attempt or upload offset).
fn shown_fields(
    row: &ktpel_booth::queue::QueueRow,
    zone: ktpel_booth::clock::Zone,
) -> Vec<(&'static str, String)> {
    use ktpel_booth::queue::State;
    let at = |t: jiff::Timestamp| zone.format(t);
    let sending = matches!(row.state, State::Recorded | State::Sending);
    let waiting = matches!(
        row.state,
        State::Recorded | State::Sending | State::Received | State::Adjudicate
    );
    let mut f = vec![
        ("packet", row.packet_id.to_string()),
        ("queue number", row.queue_no.to_string()),
        ("receipt", row.receipt_no.clone()),
        ("state", row.state.as_str().to_owned()),
        ("hand-over", row.handover.as_str().to_owned()),
        ("recorded", at(row.recorded_at)),
        ("updated", at(row.updated_at)),
    ];
    if waiting {
        f.push(("verdict due", at(row.deadline_at)));
    } else if row.state == State::AwaitingReview {
        f.push((
            "verdict due",
            "the window starts at the supervisor's approval".to_owned(),
        ));
    }
    if let Some(code) = &row.verdict_code {
        f.push(("verdict", code.clone()));
    }
    if sending {
        f.push(("attempts", row.attempts.to_string()));
        f.push(("next attempt", at(row.next_attempt_at)));
        if let Some(size) = row.sealed_size {
            f.push(("uploaded", format!("{} of {size} bytes", row.upload_offset)));
        }
    } else if let Some(size) = row.sealed_size {
        f.push(("sealed size", format!("{size} bytes")));
    }
    if let Some(e) = &row.last_error {
        f.push(("last error", e.clone()));
    }
    let held: Vec<&str> = [
        (row.holds_sealed_captures, "sealed captures"),
        (row.holds_applicant, "applicant data"),
        (row.holds_personalization, "card data"),
    ]
    .iter()
    .filter(|(held, _)| *held)
    .map(|(_, what)| *what)
    .collect();
    f.push((
        "held here",
        if held.is_empty() {
            "nothing personal (purged)".to_owned()
        } else {
            held.join(", ")
        },
    ));
    f
}
