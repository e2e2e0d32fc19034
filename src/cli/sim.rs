//! `sim`: device simulators speaking the devices' real protocols, for trying the drivers
//! without hardware.

use anyhow::Context as _;
use clap::Subcommand;
use std::path::{Path, PathBuf};

use crate::util::{out, tick_until_ctrl_c, wait_for_ctrl_c};

#[derive(Subcommand)]
pub enum SimDevice {
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

pub fn run(device: SimDevice) -> anyhow::Result<()> {
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
