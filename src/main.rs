//! `ktpel-booth`: the kiosk by default, and the tools a technician or maintainer runs.

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use ktpel_booth::centre::{CentreSim, CentreSimConfig, Fault};
use ktpel_booth::clock::Clock;
use ktpel_booth::config::Config;
use ktpel_booth::domain::nik::{today_in_jakarta, Nik};
use ktpel_booth::{booth, selftest, telemetry, ui};

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
        command: QueueCommand,
    },
    /// Run the centre simulator (SIAK, ingest, verdicts) on this machine.
    CentralSim {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8470")]
        listen: SocketAddr,
        /// Keep keys and received packets here (default: in memory).
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
        /// Seconds from receipt to verdict.
        #[arg(long, default_value_t = 20)]
        verdict_delay: u64,
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
        /// Print the first N residents' NIKs and names, to try the booth with.
        #[arg(long, default_value_t = 0)]
        list_residents: usize,
    },
    /// Run a device simulator speaking the device's real protocol, for trying the drivers
    /// without hardware: on a serial port (e.g. one end of a `socat` pty pair), or an SBI
    /// device service or an IPP card printer on 127.0.0.1.
    Sim {
        #[command(subcommand)]
        device: SimDevice,
    },
    /// Run the office's complaint desk (pengaduan): the staff's window, the HTTP endpoint booths
    /// send complaints to, and escalation to the Kepala Dinas past the deadline. `--config`
    /// names the desk's config (default: the built-in config/desk.toml).
    ComplaintDesk {
        /// Only the server and the escalation task, no window (a server room, tests).
        #[arg(long)]
        headless: bool,
        /// Address to listen on (overrides desk.listen).
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// List the devices plugged into this machine (serial ports with USB identity, PC/SC
    /// readers, SBI services, cameras, USB printers), with the roles each can fill and what is in
    /// the way; `assign` puts one in a role in the config file.
    Devices {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        command: Option<DevicesCommand>,
    },
    /// The chip of a KTP-el.
    Card {
        #[command(subcommand)]
        command: CardCommand,
    },
    /// Hash an operator PIN for `[[operators]]` in the config (reads the PIN from stdin).
    HashPin,
    /// Population rules.
    Nik {
        #[command(subcommand)]
        command: NikCommand,
    },
}

#[derive(Subcommand)]
enum QueueCommand {
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

#[derive(Subcommand)]
enum SimDevice {
    /// An R30x/ZFM fingerprint module with a finger on the glass.
    Fingerprint {
        #[arg(long, value_name = "PATH")]
        tty: PathBuf,
        #[arg(long, default_value_t = 57_600)]
        baud: u32,
        /// The simulated person.
        #[arg(long, default_value_t = 1)]
        subject: u64,
        /// The finger on the glass, ISO/IEC 19794-2 number (1 right thumb … 10 left little).
        #[arg(long, default_value_t = 2)]
        finger: u8,
        /// Run the wire this many times faster than real time.
        #[arg(long, default_value_t = 1.0)]
        speedup: f32,
    },
    /// A Wacom ISDv4 pen pad with someone signing.
    Signature {
        #[arg(long, value_name = "PATH")]
        tty: PathBuf,
        #[arg(long, default_value_t = 38_400)]
        baud: u32,
        #[arg(long, default_value_t = 1)]
        subject: u64,
    },
    /// A MOSIP SBI 0.9.5 biometric device service on 127.0.0.1 (slap scanner, iris scanner or
    /// face camera), with its own key and certificate.
    Sbi {
        /// finger, iris or face.
        #[arg(long, default_value = "finger")]
        kind: String,
        /// Port in 4501–4600 (default: the first free one).
        #[arg(long)]
        port: Option<u16>,
        /// Faults: busy, not-ready, not-registered, bad-signature, foreign-certificate,
        /// broken-hash-chain, low-quality, slow=MS.
        #[arg(long = "fault", value_name = "FAULT")]
        faults: Vec<String>,
    },
    /// An IPP card printer on 127.0.0.1 (as a CUPS queue answers); keeps every card it is
    /// sent as a file in DIR.
    IppPrinter {
        /// Port to listen on (default: any free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Start without blank cards (media-empty).
        #[arg(long)]
        no_cards: bool,
    },
    /// An ESC/POS receipt printer; prints what it decodes.
    Printer {
        #[arg(long, value_name = "PATH")]
        tty: PathBuf,
        #[arg(long, default_value_t = 19_200)]
        baud: u32,
        /// Start with the paper roll empty.
        #[arg(long)]
        paper_out: bool,
    },
}

#[derive(Subcommand)]
enum DevicesCommand {
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

#[derive(Subcommand)]
enum CardCommand {
    /// Read the card in the reader: print the decoded profile and whether the security object's
    /// signature and every data group's hash verify. Exits 0 verified, 2 not verified.
    Read {
        /// Read through pcscd instead of the configured card encoder.
        #[arg(long)]
        pcsc: bool,
        /// The PC/SC reader's name (with --pcsc; default the first reader).
        #[arg(long, value_name = "NAME")]
        reader: Option<String>,
        /// The document signer's public key (base64); default the one the booth's config trusts.
        #[arg(long, value_name = "BASE64")]
        signer_key: Option<String>,
        /// Seconds to wait for a card.
        #[arg(long, default_value_t = 10)]
        wait: u64,
    },
}

#[derive(Subcommand)]
enum NikCommand {
    /// Decode a NIK, or say exactly which part is wrong (exit 2).
    Explain { nik: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Nik {
            command: NikCommand::Explain { nik },
        }) => nik_explain(&nik),
        Some(Command::HashPin) => hash_pin(),
        Some(Command::Sim { device }) => {
            telemetry::init("info");
            report(run_sim(device))
        }
        Some(Command::CentralSim {
            listen,
            state_dir,
            verdict_delay,
            population,
            seed,
            siak_key,
            centre_key,
            fault,
            list_residents,
        }) => {
            telemetry::init("info");
            let config = CentreSimConfig {
                bind: listen,
                verdict_delay: Duration::from_secs(verdict_delay),
                population_size: population,
                population_seed: seed,
                siak_api_key: siak_key,
                centre_api_key: centre_key,
                state_dir,
                clock: Clock::System,
                prepare_bundles: true,
            };
            report(run_async(central_sim(config, fault, list_residents)))
        }
        Some(Command::Queue { command }) => {
            telemetry::init("warn");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => queue_command(command, &config, &dir),
                Err(e) => config_failure(e),
            }
        }
        Some(Command::ComplaintDesk { headless, listen }) => {
            telemetry::init("info");
            ktpel_booth::complaint::desk::run(ktpel_booth::complaint::desk::RunOptions {
                config: cli.config.clone(),
                data_dir: cli.data_dir.clone(),
                headless,
                listen,
            })
        }
        Some(Command::Devices {
            command: Some(DevicesCommand::Assign { role, settings }),
            ..
        }) => {
            telemetry::init("warn");
            let Some(path) = cli.config.clone() else {
                eprintln!(
                    "ktpel-booth: give the config file to change with --config (the built-in default cannot be changed)"
                );
                return ExitCode::from(2);
            };
            match assign(&path, &role, &settings) {
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
        Some(Command::Devices {
            json,
            command: None,
        }) => {
            telemetry::init("warn");
            let found = ktpel_booth::discovery::discover();
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
        Some(Command::Card {
            command:
                CardCommand::Read {
                    pcsc,
                    reader,
                    signer_key,
                    wait,
                },
        }) => {
            telemetry::init("warn");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => {
                    match card_read(&config, &dir, pcsc, reader, signer_key, wait) {
                        Ok(true) => ExitCode::SUCCESS,
                        Ok(false) => ExitCode::from(2),
                        Err(e) => {
                            eprintln!("ktpel-booth: {e:#}");
                            ExitCode::FAILURE
                        }
                    }
                }
                Err(e) => config_failure(e),
            }
        }
        Some(Command::Selftest { json }) => {
            telemetry::init("warn");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => selftest_command(&config, &dir, json),
                Err(e) => config_failure(e),
            }
        }
        None => {
            telemetry::init("info");
            match load(&cli.config, &cli.data_dir) {
                Ok((config, dir)) => ui::run_kiosk(config, dir),
                Err(e) => config_failure(e),
            }
        }
    }
}

fn load(
    path: &Option<PathBuf>,
    data_dir: &Option<PathBuf>,
) -> Result<(Config, PathBuf), ktpel_booth::config::ConfigError> {
    let config = Config::load(path.as_deref())?;
    let dir = data_dir.clone().unwrap_or_else(|| config.data_dir());
    Ok((config, dir))
}

fn config_failure(e: ktpel_booth::config::ConfigError) -> ExitCode {
    eprintln!("ktpel-booth: the configuration is not usable:\n  {e}");
    ExitCode::from(2)
}

fn run_async<F: std::future::Future<Output = anyhow::Result<()>>>(f: F) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(f)
}

fn report(r: anyhow::Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ktpel-booth: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `card read`: reads the profile's files from a card and checks them. `Ok(true)` when the
/// security object and every hash verify.
fn card_read(
    config: &Config,
    dir: &std::path::Path,
    pcsc: bool,
    reader: Option<String>,
    signer_key: Option<String>,
    wait: u64,
) -> anyhow::Result<bool> {
    use base64::Engine as _;
    use ktpel_booth::issuance::PROFILE_FIDS;
    let signer = match signer_key {
        Some(k) => base64::engine::general_purpose::STANDARD
            .decode(k.trim())
            .context("--signer-key is not base64")?,
        None => {
            // The booth's own trust: its config's document signer, or the embedded centre's.
            let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let booth = rt
                .block_on(booth::Booth::start(
                    config.clone(),
                    dir.to_path_buf(),
                    Clock::System,
                ))
                .context("cannot open the booth to learn its document signer")?;
            booth.trusted_signer().to_vec()
        }
    };
    let mut encoder: Box<dyn ktpel_hal::CardEncoder> = if pcsc {
        Box::new(ktpel_card_pcsc::PcscEncoder::new(
            ktpel_card_pcsc::PcscConfig {
                reader,
                ..Default::default()
            },
        ))
    } else {
        let devices =
            ktpel_booth::devices::Devices::from_config(&config.devices, &dir.join("spool"));
        devices.card_encoder
    };
    let info = encoder
        .wait_card(Duration::from_secs(wait))
        .context("no card to read")?;
    out(&format!(
        "card in {} (ATR {})",
        info.reader,
        hex::encode_upper(&info.atr)
    ));
    let read = ktpel_card_pcsc::read_files(encoder.as_mut(), &info, &PROFILE_FIDS);
    let _ = encoder.release();
    let files = read.context("the card does not hold a KTP-el profile this booth can read")?;
    let profile = match ktpel_booth::card::decode(&files) {
        Ok(p) => p,
        Err(e) => {
            out(&format!("NOT VALID: {e}"));
            return Ok(false);
        }
    };
    let h = &profile.holder;
    for (label, value) in [
        ("NIK", h.nik.clone()),
        ("Nama", h.name.clone()),
        (
            "Tempat/Tgl Lahir",
            format!("{}, {}", h.birth_place, h.birth_date.strftime("%d-%m-%Y")),
        ),
        ("Jenis Kelamin", h.sex.to_string()),
        ("Gol. Darah", h.blood_type.to_string()),
        ("Alamat", h.address.clone()),
        ("RT/RW", format!("{}/{}", h.rt, h.rw)),
        ("Kel/Desa", h.kelurahan.clone()),
        ("Kecamatan", h.kecamatan.clone()),
        ("Kabupaten/Kota", h.kabupaten.clone()),
        ("Provinsi", h.provinsi.clone()),
        ("Agama", h.religion.to_string()),
        ("Status Perkawinan", h.marital_status.to_string()),
        ("Pekerjaan", h.occupation.clone()),
        ("Kewarganegaraan", h.nationality.clone()),
        ("Berlaku Hingga", h.valid_until.clone()),
    ] {
        out(&format!("  {label:<18}: {value}"));
    }
    out(&format!(
        "  portrait {}x{} JPEG, {} bytes; signature {}x{}",
        profile.portrait.width,
        profile.portrait.height,
        profile.portrait.jpeg.len(),
        profile.signature.width,
        profile.signature.height
    ));
    if let Some(f) = &profile.fingers {
        for v in &f.views {
            out(&format!(
                "  finger {}: {} minutiae",
                v.position.as_str(),
                v.template.minutiae.len()
            ));
        }
        for (p, gap) in &f.gaps {
            out(&format!("  finger {} not stored: {gap:?}", p.as_str()));
        }
    }
    match ktpel_booth::card::verify(&files, &signer) {
        Ok(_) => {
            out("VERIFIED: the security object is signed by the trusted document signer and every data group matches its hash");
            Ok(true)
        }
        Err(e) => {
            out(&format!("NOT VERIFIED: {e}"));
            Ok(false)
        }
    }
}

/// `devices assign`: `key=value` settings into the role's table of the config at `path`.
fn assign(
    path: &std::path::Path,
    role: &str,
    settings: &[String],
) -> Result<ktpel_booth::config_assign::Assigned, String> {
    let role = ktpel_booth::config_assign::parse_role(role).map_err(|e| e.to_string())?;
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
    ktpel_booth::config_assign::assign_role(path, role, &table).map_err(|e| e.to_string())
}

/// Blocks until Ctrl-C.
fn wait_for_ctrl_c() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(tokio::signal::ctrl_c())
        .context("cannot wait for Ctrl-C")
}

/// Calls `tick` five times a second until Ctrl-C, or until it answers `false`.
fn tick_until_ctrl_c(mut tick: impl FnMut() -> bool) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
            if !tick() {
                break;
            }
        }
    });
    Ok(())
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn out(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

fn run_sim(device: SimDevice) -> anyhow::Result<()> {
    use ktpel_sim::serial::{self, Pace, SerialControl};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    let (tty, baud) = match &device {
        SimDevice::Fingerprint { tty, baud, .. }
        | SimDevice::Signature { tty, baud, .. }
        | SimDevice::Printer { tty, baud, .. } => (tty.clone(), *baud),
        SimDevice::IppPrinter {
            port,
            out: dir,
            no_cards,
        } => return run_ipp_printer_sim(*port, dir, *no_cards),
        SimDevice::Sbi { kind, port, faults } => {
            let options = ktpel_sbi::sim::SimOptions::from_cli(kind, *port, faults)
                .map_err(anyhow::Error::msg)?;
            let handle = ktpel_sbi::sim::SimHandle::start(options)
                .context("cannot start the SBI simulator")?;
            out(&format!(
                "SBI {kind} device service on 127.0.0.1:{}; Ctrl-C stops",
                handle.port()
            ));
            wait_for_ctrl_c()?;
            handle
                .stop()
                .context("the SBI simulator did not stop cleanly")?;
            return Ok(());
        }
    };
    let port = serialport::new(tty.to_string_lossy(), baud)
        .open()
        .with_context(|| format!("cannot open {}", tty.display()))?;
    let control = SerialControl::new();
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let control = control.clone();
        let stop = stop.clone();
        std::thread::spawn(move || match device {
            SimDevice::Fingerprint {
                subject,
                finger,
                speedup,
                ..
            } => {
                control.set_subject(subject);
                if let Some(p) = ktpel_hal::FingerPosition::from_iso_code(finger) {
                    control.place_finger(p, 3);
                }
                let opts = serial::ZfmSimOptions {
                    control,
                    baud,
                    pace: Pace::Wire { baud, speedup },
                    ..Default::default()
                };
                serial::serve_zfm(port, opts, stop)
            }
            SimDevice::Signature { subject, .. } => {
                control.set_subject(subject);
                control.set_signer_present(true);
                let opts = serial::Isdv4SimOptions {
                    control,
                    pace: Pace::real(baud),
                    ..Default::default()
                };
                serial::serve_isdv4(port, opts, stop)
            }
            // Handled above: these simulators are not serial devices.
            SimDevice::Sbi { .. } | SimDevice::IppPrinter { .. } => Ok(()),
            SimDevice::Printer { paper_out, .. } => {
                control.set_paper_out(paper_out);
                let opts = serial::EscposSimOptions {
                    control,
                    pace: Pace::real(baud),
                };
                serial::serve_escpos(port, opts, stop)
            }
        })
    };
    out(&format!(
        "simulator on {} at {baud} baud; Ctrl-C stops",
        tty.display()
    ));
    let mut printed = 0;
    tick_until_ctrl_c(|| {
        for r in control.decoded_receipts().iter().skip(printed) {
            out(&format!("--- receipt {} ---", printed + 1));
            out(&ktpel_sim::receipt_text(&r.to_doc()));
            printed += 1;
        }
        !worker.is_finished()
    })?;
    stop.store(true, Ordering::SeqCst);
    match worker.join() {
        Ok(result) => result.context("the simulator stopped"),
        Err(_) => anyhow::bail!("the simulator thread panicked"),
    }
}

/// The IPP card printer simulator, until Ctrl-C: each card received is written to `dir`.
fn run_ipp_printer_sim(port: u16, dir: &Path, no_cards: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let sim = ktpel_printer_ipp::sim::IppPrinterSim::start(ktpel_printer_ipp::sim::SimOptions {
        port,
        ..Default::default()
    })
    .context("cannot start the IPP printer simulator")?;
    let control = sim.control();
    if no_cards {
        control.set_reasons(&["media-empty-error"]);
    }
    out(&format!(
        "IPP card printer at {}; cards are written to {}; Ctrl-C stops",
        sim.uri(),
        dir.display()
    ));
    let mut written = 0;
    tick_until_ctrl_c(|| {
        for (format, bytes) in control.documents().iter().skip(written) {
            written += 1;
            let ext = if format == "image/jpeg" { "jpg" } else { "png" };
            let path = dir.join(format!("card-{written:03}.{ext}"));
            match std::fs::write(&path, bytes) {
                Ok(()) => out(&format!("card {written} printed: {}", path.display())),
                Err(e) => eprintln!("ktpel-booth: cannot write {}: {e}", path.display()),
            }
        }
        true
    })
}

fn hash_pin() -> ExitCode {
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

fn nik_explain(nik: &str) -> ExitCode {
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

async fn central_sim(config: CentreSimConfig, fault: Fault, list: usize) -> anyhow::Result<()> {
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
    out(&format!(
        "  document_signer_key = \"{}\"",
        keys.document_signer_b64
    ));
    out(&format!(
        "  {} residents in SIAK; Ctrl-C stops",
        sim.population().len()
    ));
    for r in sim.population().iter().take(list) {
        out(&format!("  {}  {}", r.nik.as_str(), r.name));
    }
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    Ok(())
}

fn queue_command(command: QueueCommand, config: &Config, dir: &std::path::Path) -> ExitCode {
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
                    "{:<36}  {:>5}  {:<13}  {:<14}  {:<15}  {:>8}  last error",
                    "packet", "no", "receipt", "state", "hand-over", "attempts"
                ));
                for r in &rows {
                    out(&format!(
                        "{:<36}  {:>5}  {:<13}  {:<14}  {:<15}  {:>8}  {}",
                        r.packet_id,
                        r.queue_no,
                        r.receipt_no,
                        r.state.as_str(),
                        r.handover.as_str(),
                        r.attempts,
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
            if json {
                out(&serde_json::to_string_pretty(&row)?);
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

fn selftest_command(config: &Config, dir: &std::path::Path, json: bool) -> ExitCode {
    let reports = selftest::run_all(config, dir);
    // Kept in the booth's history, which the technician area shows.
    let recorded = booth::open_store(dir, config.booth.number)
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
    if reports.iter().all(|r| r.passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
