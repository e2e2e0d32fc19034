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

pub fn run(
    command: CardCommand,
    config: &Option<std::path::PathBuf>,
    data_dir: &Option<std::path::PathBuf>,
) -> ExitCode {
    let CardCommand::Read {
        pcsc,
        reader,
        signer_key,
        wait,
    } = command;
    match load(config, data_dir) {
        Ok((config, dir)) => match card_read(&config, &dir, pcsc, reader, signer_key, wait) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(2),
            Err(e) => {
                eprintln!("ktpel-booth: {e:#}");
                ExitCode::FAILURE
            }
        },
        Err(e) => crate::util::config_failure(e),
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
    use ktpel_booth::booth::issuance::PROFILE_FIDS;
    let signer = match signer_key {
        Some(k) => base64::engine::general_purpose::STANDARD
            .decode(k.trim())
            .context("--signer-key is not base64")?,
        None => {
            // The booth's own trust: its config's document signer, or the embedded centre's.
            let rt = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let (booth, _) = rt
                .block_on(ktpel_booth::embedded::start(
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
