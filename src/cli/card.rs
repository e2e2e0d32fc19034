//! `card read`: the chip of a KTP-el, decoded and verified.

use anyhow::Context as _;
use clap::Subcommand;
use std::process::ExitCode;
use std::time::Duration;

use crate::util::{load, out};
use ktpel_booth::clock::Clock;
use ktpel_booth::config::Config;

#[derive(Subcommand)]
pub enum CardCommand {
    /// Read the card in the reader: print the decoded profile, the certificate chain and the
    /// verdict of passive authentication (document signer chained to the trusted CSCA, EF.SOD's
    /// signature, every data group's hash).
    ///
    /// Exit status: 0 the card verified; 2 a card was read but is not a valid, verified KTP-el
    /// (the reason is printed); 1 nothing could be checked — no card within --wait, the reader
    /// failed or the card was pulled, the CSCA file is unreadable, or the configuration is not
    /// usable (the reason is on stderr).
    Read {
        /// Read through pcscd instead of the configured card encoder.
        #[arg(long)]
        pcsc: bool,
        /// The PC/SC reader's name (with --pcsc; default the first reader).
        #[arg(long, value_name = "NAME")]
        reader: Option<String>,
        /// The country signing CA's certificate (PEM or DER) to trust; default the one the
        /// booth's config trusts.
        #[arg(long, value_name = "FILE")]
        csca: Option<std::path::PathBuf>,
        /// Seconds to wait for a card.
        #[arg(long, default_value_t = 10)]
        wait: u64,
    },
}

pub fn run(
    command: CardCommand,
    config: &Option<std::path::PathBuf>,
    data_dir: &Option<std::path::PathBuf>,
) -> ExitCode {
    let CardCommand::Read {
        pcsc,
        reader,
        csca,
        wait,
    } = command;
    match load(config, data_dir) {
        Ok((config, dir)) => match card_read(&config, &dir, pcsc, reader, csca, wait) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(2),
            Err(e) => {
                eprintln!("ktpel-booth: {e:#}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            // Nothing was checked: 1, as the help says (not the other commands' 2).
            let _ = crate::util::config_failure(e);
            ExitCode::FAILURE
        }
    }
}

/// `card read`: reads the profile's files from a card and checks them. `Ok(true)` when passive
/// authentication succeeds.
fn card_read(
    config: &Config,
    dir: &std::path::Path,
    pcsc: bool,
    reader: Option<String>,
    csca: Option<std::path::PathBuf>,
    wait: u64,
) -> anyhow::Result<bool> {
    use ktpel_booth::booth::issuance::PROFILE_FIDS;
    let csca = match csca {
        Some(path) => {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            ktpel_icao_lds::pki::read_certificate(&bytes)
                .with_context(|| format!("{} is not an X.509 certificate", path.display()))?
        }
        None => {
            // The booth's own trust: its config's CSCA, or the embedded centre's.
            let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let (booth, _) = rt
                .block_on(ktpel_booth::embedded::start(
                    config.clone(),
                    dir.to_path_buf(),
                    Clock::System,
                ))
                .context("cannot open the booth to learn the CSCA it trusts")?;
            booth.trusted_csca().clone()
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
        let devices = ktpel_booth::booth::devices::Devices::from_config(&config.devices);
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
    out(&format!("  MRZ               : {}", &profile.mrz[0..30]));
    out(&format!("                      {}", &profile.mrz[30..60]));
    out(&format!("                      {}", &profile.mrz[60..90]));
    out(&format!("trusted CSCA: {}", csca.tbs_certificate.subject));
    match ktpel_booth::card::verify(&files, &csca, std::time::SystemTime::now()) {
        Ok(v) => {
            out("chain:");
            out(&format!("  CSCA            {}", v.chain.csca_subject));
            out(&format!(
                "  document signer {} (serial {}, issued by {}, valid {} to {})",
                v.chain.signer_subject,
                v.chain.signer_serial,
                v.chain.signer_issuer,
                v.chain.signer_not_before,
                v.chain.signer_not_after
            ));
            let groups: Vec<String> = v.chain.groups.iter().map(|g| format!("DG{g}")).collect();
            out(&format!("  hashes checked  {}", groups.join(" ")));
            out("VERIFIED: passive authentication succeeded (the document signer chains to the trusted CSCA, EF.SOD's signature verifies, every data group matches its hash)");
            Ok(true)
        }
        Err(e) => {
            out(&format!("NOT VERIFIED: {e}"));
            Ok(false)
        }
    }
}
