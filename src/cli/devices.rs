//! `devices`: what is plugged into this machine, and `devices assign`.

use clap::Subcommand;
use std::path::Path;
use std::process::ExitCode;

use crate::util::out;

#[derive(Subcommand)]
pub enum DevicesCommand {
    /// Put a device in a role in the config file given with --config: the file is checked as a
    /// whole before it is written, and the previous one is kept as <file>.prev.
    /// Example: `devices assign fingerprint driver=zfm port=/dev/ttyUSB0 baud=57600`.
    Assign {
        /// camera, fingerprint, iris, signature, card_encoder, card_printer, receipt_printer.
        role: String,
        /// The role's settings, `key=value` each (numbers and true/false as such).
        #[arg(required = true)]
        settings: Vec<String>,
    },
}

/// `devices assign`: `key=value` settings into the role's table of the config at `path`.
fn assign(
    path: &std::path::Path,
    role: &str,
    settings: &[String],
) -> Result<ktpel_booth::config::assign::Assigned, String> {
    let role = ktpel_booth::config::assign::parse_role(role).map_err(|e| e.to_string())?;
    let mut table = toml::Table::new();
    for s in settings {
        let (key, value) = s
            .split_once('=')
            .ok_or_else(|| format!("\"{s}\" is not key=value"))?;
        // A number or true/false as TOML reads it; anything else is text.
        let parsed: Option<toml::Value> = format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .filter(|v| !matches!(v, toml::Value::Table(_) | toml::Value::Array(_)));
        table.insert(
            key.trim().to_string(),
            parsed.unwrap_or_else(|| toml::Value::String(value.to_string())),
        );
    }
    ktpel_booth::config::assign::assign_role(path, role, &table).map_err(|e| e.to_string())
}

pub fn run(config: Option<&Path>, json: bool, command: Option<DevicesCommand>) -> ExitCode {
    match command {
        Some(DevicesCommand::Assign { role, settings }) => {
            let Some(path) = config else {
                eprintln!(
                    "ktpel-booth: give the config file to change with --config (the built-in default cannot be changed)"
                );
                return ExitCode::from(2);
            };
            match assign(path, &role, &settings) {
                Ok(a) => {
                    out(&format!(
                        "{role} assigned in {} (previous file kept as {})",
                        a.path.display(),
                        a.previous.display()
                    ));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("ktpel-booth: {e}");
                    ExitCode::from(2)
                }
            }
        }
        None => {
            // SBI certificates are judged against the pins of the config (none when it
            // cannot be read: the list is still worth having).
            let pins = match ktpel_booth::config::Config::load(config) {
                Ok(c) => ktpel_booth::booth::discovery::pinned_certificates(&c.devices),
                Err(e) => {
                    eprintln!("ktpel-booth: {e}; SBI certificates are shown as not pinned");
                    Vec::new()
                }
            };
            let found = ktpel_booth::booth::discovery::discover_with(&pins);
            if json {
                match serde_json::to_string_pretty(&found) {
                    Ok(t) => out(&t),
                    Err(e) => {
                        eprintln!("ktpel-booth: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                if found.found.is_empty() {
                    out("no devices found");
                }
                for f in &found.found {
                    out(&f.line());
                }
                for n in &found.notes {
                    out(&format!("note: {n}"));
                }
            }
            ExitCode::SUCCESS
        }
    }
}
