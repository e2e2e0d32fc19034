//! `booth.toml`: what this booth is, where its data live, its devices and its centre.
//!
//! Every value is checked while the file is read, so a mistake is reported with the key and the
//! line it is on (`toml` carries the position into the error). Unknown keys are mistakes too.

pub mod assign;
pub(crate) mod values;

use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};

use crate::config::values::{
    default_language, is_identifier, language, pin_hash, positive, IDENTIFIER_RULE,
};
use crate::domain::region::RegionCode;

/// The default config, shipped in `config/booth.toml` and embedded so `--config` is optional.
pub const DEFAULT_TOML: &str = include_str!("../../config/booth.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub booth: BoothConfig,
    #[serde(default)]
    pub procedure: ProcedureConfig,
    pub centre: CentreConfig,
    #[serde(default)]
    pub transmit: TransmitConfig,
    pub devices: DevicesConfig,
    #[serde(default)]
    pub kiosk: KioskConfig,
    /// Who may sign in to the kiosk.
    #[serde(default)]
    pub operators: Vec<OperatorConfig>,
    #[serde(default)]
    pub complaints: ComplaintsConfig,
    #[serde(default)]
    pub issuance: IssuanceConfig,
    #[serde(default)]
    pub packet: PacketConfig,
    #[serde(default)]
    pub export: ExportConfig,
    /// The file this config was read from (`None` for the built-in default): where the
    /// technician's device choices are saved.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// Where complaints taken at the booth go, and what the citizen's ticket says.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplaintsConfig {
    /// The office's complaint desk: "embedded" runs one inside the booth (demonstration and
    /// training), otherwise its base URL ("https://pengaduan.dukcapil.example").
    pub desk: String,
    /// This booth's key at the desk (`[[booths]]` in the desk's config).
    pub api_key: String,
    /// The office's complaint telephone, printed on every ticket.
    pub phone: String,
}

impl Default for ComplaintsConfig {
    fn default() -> Self {
        Self {
            desk: "embedded".into(),
            api_key: "demo-booth-key-3273-01".into(),
            phone: "(022) 000 0000".into(),
        }
    }
}

/// Card issuance at this booth.
/// How the captures travel in the sealed packet.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PacketConfig {
    /// `field` (default): JPEG 2000 irreversible at the ratios of `ktpel-biometric-records`,
    /// about a tenth of the raw size, for district links and GSM. `lossless`: JPEG 2000
    /// reversible fingers and irises and the camera's own JPEG, about half the raw size.
    pub profile: ktpel_biometric_records::Profile,
}

/// Backlog by hand-carry: where the kiosk looks for a mounted removable drive.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExportConfig {
    /// Folders whose grandchildren are mounted removable drives (`/media/<user>/<label>`,
    /// `/run/media/<user>/<label>`, as udisks mounts them).
    pub removable_roots: Vec<PathBuf>,
}

impl Default for ExportConfig {
    fn default() -> Self {
        Self {
            removable_roots: vec!["/media".into(), "/run/media".into()],
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IssuanceConfig {
    /// The home screen warns when the blank-card stock is at or below this.
    pub low_blanks: u32,
}

impl Default for IssuanceConfig {
    fn default() -> Self {
        Self { low_blanks: 20 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KioskConfig {
    /// Minutes without a touch before the screen locks.
    #[serde(deserialize_with = "positive")]
    pub idle_lock_minutes: u32,
    /// Wrong PINs in a row before sign-in is locked.
    #[serde(deserialize_with = "positive")]
    pub pin_attempts: u32,
    /// How long sign-in stays locked after too many wrong PINs.
    #[serde(deserialize_with = "positive")]
    pub lockout_minutes: u32,
    /// Open full-screen (a kiosk); false gives a 1280x800 window for development.
    pub fullscreen: bool,
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self {
            idle_lock_minutes: 5,
            pin_attempts: 5,
            lockout_minutes: 15,
            fullscreen: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Records applicants, issues cards, serves pickups, takes complaints.
    Operator,
    /// Approves what needs a second person (reprints, re-recordings), clears sign-in lockouts.
    Supervisor,
    /// Devices, self-tests and the blank-card stock only.
    Technician,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::Technician => "technician",
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorConfig {
    #[serde(deserialize_with = "booth_id")]
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The PIN's argon2 hash (PHC string), from `ktpel-booth hash-pin`.
    #[serde(deserialize_with = "pin_hash")]
    pub pin_hash: String,
}

impl std::fmt::Debug for OperatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Operator({}, {:?})", self.id, self.role)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoothConfig {
    /// Unique id of this booth, sent with every packet ("3273-01").
    #[serde(deserialize_with = "booth_id")]
    pub id: String,
    /// The booth's number within the office (1–99), part of every receipt number.
    #[serde(deserialize_with = "booth_number")]
    pub number: u8,
    /// The office as printed on receipts.
    pub office: String,
    /// The office's region code: province, regency, district ("327301").
    #[serde(deserialize_with = "region_code")]
    pub region: RegionCode,
    /// Where the queue and keys live; empty means the per-user data directory.
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// "id" (Indonesian, default) or "en".
    #[serde(default = "default_language", deserialize_with = "language")]
    pub language: String,
    /// The office's time zone as staff read times: "WIB" (default), "WITA" or "WIT".
    #[serde(default)]
    pub time_zone: crate::clock::Zone,
    /// Free space (MB) the data directory's disk must have for a new recording to start: a
    /// day's sealed records with room to spare. Below it the kiosk refuses new applicants.
    #[serde(default = "min_free_disk_mb", deserialize_with = "positive")]
    pub min_free_disk_mb: u64,
    /// `ktpel-booth doctor` warns below this much free space (MB), before recordings stop.
    #[serde(default = "warn_free_disk_mb", deserialize_with = "positive")]
    pub warn_free_disk_mb: u64,
    /// Where the booth keeps its signing key and local storage key: "auto" (default), "tpm"
    /// or "files" (`booth::keys`).
    #[serde(default)]
    pub key_store: KeyStore,
    /// How the TPM is reached (a TSS2 TCTI string): the kernel's resource manager by default.
    #[serde(default = "default_tpm_tcti")]
    pub tpm_tcti: String,
}

/// Where the booth's keys live.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStore {
    /// In the TPM when one answers and the booth has no key files yet; otherwise in files.
    #[default]
    Auto,
    /// In the TPM; the booth does not start without it.
    Tpm,
    /// In 0600 files in the data directory, whether or not there is a TPM.
    Files,
}

fn default_tpm_tcti() -> String {
    ktpel_tpm::DEFAULT_TCTI.to_string()
}

/// A day of 200 applicants at the lossless profile (about 800 KB a sealed packet) is 160 MB;
/// the queue's WAL, the audit chain and SQLite's own checkpoint need their share besides.
fn min_free_disk_mb() -> u64 {
    500
}

/// About ten days at the lossless profile: time to clear the disk before recordings stop.
fn warn_free_disk_mb() -> u64 {
    2000
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcedureConfig {
    /// How long to wait for a verdict before the receipt is printed (SOP: up to 1 hour).
    #[serde(deserialize_with = "positive")]
    pub verdict_wait_minutes: u32,
    /// "Come back in N days" on the receipt.
    #[serde(deserialize_with = "positive")]
    pub come_back_days: u32,
    /// SOP steps 1–2 at the booth: the application and KK photocopy checked on screen. A mobile
    /// team that checks documents before the booth turns it off.
    pub check_documents: bool,
    /// A record with a finger or eye recorded as an exception needs the supervisor's PIN
    /// before it is saved.
    pub exceptions_need_supervisor: bool,
    /// A record with a capture kept below its quality threshold needs the supervisor's PIN
    /// before it is saved.
    pub low_quality_needs_supervisor: bool,
    /// Saved records wait for the supervisor's review (approve, or reject with a reason)
    /// before they are sent; the verdict window starts at the approval. Per office.
    pub review_before_send: bool,
}

impl Default for ProcedureConfig {
    fn default() -> Self {
        Self {
            verdict_wait_minutes: 60,
            come_back_days: 14,
            check_documents: true,
            exceptions_need_supervisor: true,
            low_quality_needs_supervisor: true,
            review_before_send: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum CentreConfig {
    /// The centre simulator runs inside the booth on a free 127.0.0.1 port.
    Embedded(EmbeddedCentreConfig),
    /// A real centre (or a `central-sim` elsewhere) at the given URLs.
    Remote(RemoteCentreConfig),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmbeddedCentreConfig {
    /// Seconds from receipt to verdict.
    pub verdict_delay_secs: u64,
    pub population_size: usize,
    pub population_seed: u64,
}

impl Default for EmbeddedCentreConfig {
    fn default() -> Self {
        Self {
            verdict_delay_secs: 20,
            population_size: 600,
            population_seed: 2026,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteCentreConfig {
    #[serde(deserialize_with = "http_url")]
    pub siak_url: String,
    #[serde(deserialize_with = "http_url")]
    pub centre_url: String,
    pub siak_api_key: String,
    pub centre_api_key: String,
    /// The centre's HPKE public key (base64, 32 bytes).
    #[serde(deserialize_with = "key32_b64")]
    pub hpke_public_key: Vec<u8>,
    /// The country signing CA's certificate file (PEM or DER): the trust anchor of the chips'
    /// passive authentication. Read when the booth starts.
    pub csca_certificate: std::path::PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransmitConfig {
    #[serde(deserialize_with = "positive")]
    pub backoff_base_secs: u64,
    #[serde(deserialize_with = "positive")]
    pub backoff_max_secs: u64,
    #[serde(deserialize_with = "positive")]
    pub verdict_poll_secs: u64,
    #[serde(deserialize_with = "positive")]
    pub request_timeout_secs: u64,
    /// Packets sent at once.
    #[serde(deserialize_with = "positive")]
    pub concurrency: usize,
    /// The largest tus `PATCH` body, in KiB. A packet's rest goes up in one request when it
    /// fits (one round trip per packet, not per chunk); a cut costs nothing sent again, since
    /// the centre keeps what reached it. Once the link's rate is measured, requests are also
    /// kept to what it carries in half of `request_timeout_secs`. docs/packet.md, section 7.
    #[serde(deserialize_with = "positive")]
    pub upload_request_kib: u64,
}

impl Default for TransmitConfig {
    fn default() -> Self {
        Self {
            backoff_base_secs: 2,
            backoff_max_secs: 300,
            verdict_poll_secs: 30,
            request_timeout_secs: 30,
            concurrency: 4,
            upload_request_kib: 4096,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevicesConfig {
    pub camera: CameraConfig,
    pub fingerprint: FingerprintConfig,
    pub iris: IrisConfig,
    pub signature: SignatureConfig,
    pub card_encoder: CardEncoderConfig,
    pub card_printer: CardPrinterConfig,
    pub receipt_printer: ReceiptPrinterConfig,
}

/// The in-process simulator of `drivers/sim`, for any role.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimParams {
    /// Seed for the device's serial number and generated data.
    #[serde(default)]
    pub seed: u64,
    /// Start with the cable pulled (to try the self-test and the error screens).
    #[serde(default)]
    pub unplugged: bool,
}

// One enum per role, so a driver configured for a role it cannot fill ("zfm" as the camera) is
// refused while the file is read, with its line.

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "driver", rename_all = "snake_case")]
pub enum CameraConfig {
    Sim(SimParams),
    /// A UVC (USB video class) camera through V4L2: `device` is empty (the first camera), an
    /// index, a /dev path or a name; preview and still sizes as in `ktpel_camera_uvc::UvcConfig`.
    Uvc(ktpel_camera_uvc::UvcConfig),
    /// A MOSIP SBI face camera (`port`, or discovered in 4501–4600).
    Sbi(ktpel_sbi::SbiParams),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "driver", rename_all = "snake_case")]
pub enum FingerprintConfig {
    Sim(SimParams),
    /// An R30x / ZFM / AS608 module on a serial port.
    Zfm(ZfmParams),
    /// A MOSIP SBI slap scanner (`port`, or discovered in 4501–4600).
    Sbi(ktpel_sbi::SbiParams),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZfmParams {
    #[serde(deserialize_with = "port_path")]
    pub port: String,
    #[serde(default = "zfm_baud", deserialize_with = "baud")]
    pub baud: u32,
    /// The module's address (factory 0xFFFFFFFF).
    #[serde(default = "zfm_address")]
    pub address: u32,
    /// The module's password (factory 0).
    #[serde(default)]
    pub password: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "driver", rename_all = "snake_case")]
pub enum IrisConfig {
    Sim(SimParams),
    /// A MOSIP SBI iris scanner (`port`, or discovered in 4501–4600).
    Sbi(ktpel_sbi::SbiParams),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "driver", rename_all = "snake_case")]
pub enum SignatureConfig {
    Sim(SimParams),
    /// A Wacom ISDv4 serial pen digitizer.
    Isdv4(SerialParams),
    /// No pad: the applicant signs on the kiosk's touchscreen.
    Touchscreen,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialParams {
    #[serde(deserialize_with = "port_path")]
    pub port: String,
    #[serde(default = "isdv4_baud", deserialize_with = "baud")]
    pub baud: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "driver", rename_all = "snake_case")]
pub enum CardEncoderConfig {
    Sim(SimParams),
    /// A PC/SC reader through pcscd.
    Pcsc(PcscParams),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PcscParams {
    /// The reader's name as the self-test or `pcsc_scan` lists it; absent: the first reader.
    #[serde(default)]
    pub reader: Option<String>,
    /// Never try extended-length APDUs (for readers that mishandle them).
    #[serde(default)]
    pub short_apdus_only: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "driver", rename_all = "snake_case")]
pub enum CardPrinterConfig {
    Sim(SimParams),
    /// A CUPS queue, or a card printer that speaks IPP itself.
    Ipp(IppParams),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IppParams {
    /// `ipp://localhost:631/printers/<queue>` for a CUPS queue, or the printer's own IPP URI.
    #[serde(deserialize_with = "ipp_uri")]
    pub uri: String,
    /// The card size as IPP names it (e.g. "iso_id-1_53.98x85.6mm"), sent with each job;
    /// absent: the queue's default.
    #[serde(default)]
    pub media: Option<String>,
    /// How long a card may take to come out before the operator is told (seconds).
    #[serde(default = "ipp_job_timeout", deserialize_with = "positive")]
    pub job_timeout_seconds: u64,
}

fn ipp_job_timeout() -> u64 {
    120
}

fn ipp_uri<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let ok = reqwest::Url::parse(&s)
        .map(|u| matches!(u.scheme(), "ipp" | "ipps" | "http" | "https") && u.host().is_some())
        .unwrap_or(false);
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "\"{s}\" is not an ipp:// or ipps:// URI (a CUPS queue is ipp://localhost:631/printers/NAME)"
        )));
    }
    Ok(s)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "driver", rename_all = "snake_case")]
pub enum ReceiptPrinterConfig {
    Sim(SimParams),
    /// ESC/POS on a serial port.
    EscposSerial(EscposSerialParams),
    /// ESC/POS on a USB printer-class device file (`/dev/usb/lp0`).
    EscposUsb(EscposUsbParams),
    /// ESC/POS over the network (raw TCP, usually port 9100).
    EscposTcp(EscposTcpParams),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscposSerialParams {
    #[serde(deserialize_with = "port_path")]
    pub port: String,
    #[serde(default = "escpos_baud", deserialize_with = "baud")]
    pub baud: u32,
    /// The roll's width: 80 (48 columns in font A, 64 in font B) or 58 (32 / 42).
    #[serde(default = "escpos_paper_mm", deserialize_with = "paper_mm")]
    pub paper_mm: u32,
    /// "a" (12 × 24 dots, the default) or "b" (9 × 17 dots); text is wrapped to the columns
    /// the roll and the font give.
    #[serde(default)]
    pub font: EscposFont,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
/// An ESC/POS printer's character font (`ESC M`).
pub enum EscposFont {
    #[default]
    A,
    B,
}

fn escpos_paper_mm() -> u32 {
    80
}

fn paper_mm<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    if n != 58 && n != 80 {
        return Err(serde::de::Error::custom(format!(
            "paper_mm = {n}: receipt rolls are 58 or 80 mm wide"
        )));
    }
    Ok(n)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscposUsbParams {
    #[serde(deserialize_with = "device_file")]
    pub device: String,
    /// The roll's width: 80 (48 columns in font A, 64 in font B) or 58 (32 / 42).
    #[serde(default = "escpos_paper_mm", deserialize_with = "paper_mm")]
    pub paper_mm: u32,
    /// "a" (12 × 24 dots, the default) or "b" (9 × 17 dots); text is wrapped to the columns
    /// the roll and the font give.
    #[serde(default)]
    pub font: EscposFont,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscposTcpParams {
    /// `host:port`, e.g. "192.0.2.10:9100".
    #[serde(deserialize_with = "socket_addr")]
    pub addr: String,
    /// The roll's width: 80 (48 columns in font A, 64 in font B) or 58 (32 / 42).
    #[serde(default = "escpos_paper_mm", deserialize_with = "paper_mm")]
    pub paper_mm: u32,
    /// "a" (12 × 24 dots, the default) or "b" (9 × 17 dots); text is wrapped to the columns
    /// the roll and the font give.
    #[serde(default)]
    pub font: EscposFont,
}

fn zfm_baud() -> u32 {
    57_600
}
fn zfm_address() -> u32 {
    0xFFFF_FFFF
}
fn isdv4_baud() -> u32 {
    38_400
}
fn escpos_baud() -> u32 {
    19_200
}

fn baud<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u32::deserialize(d)?;
    if !(1200..=921_600).contains(&n) {
        return Err(serde::de::Error::custom(format!(
            "baud = {n} is not a serial speed (1200–921600)"
        )));
    }
    Ok(n)
}

// Inside a `[devices.*]` table serde reports errors at the table, not at the value, so each
// of these names its key itself.

fn port_path<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    device_path("port", d)
}

fn device_file<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    device_path("device", d)
}

fn device_path<'de, D: Deserializer<'de>>(key: &str, d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if !s.starts_with('/') {
        return Err(serde::de::Error::custom(format!(
            "{key} = \"{s}\" is not a device path (e.g. /dev/ttyUSB0 or /dev/serial/by-id/…)"
        )));
    }
    Ok(s)
}

fn socket_addr<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let ok = s
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "addr = \"{s}\" is not host:port (e.g. 192.0.2.10:9100)"
        )));
    }
    Ok(s)
}

fn region_code<'de, D: Deserializer<'de>>(d: D) -> Result<RegionCode, D::Error> {
    let s = String::deserialize(d)?;
    RegionCode::parse(&s).map_err(serde::de::Error::custom)
}

fn booth_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if !is_identifier(&s) {
        return Err(serde::de::Error::custom(format!(
            "booth id \"{s}\" {IDENTIFIER_RULE}"
        )));
    }
    Ok(s)
}

fn booth_number<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let n = u8::deserialize(d)?;
    if !(1..=99).contains(&n) {
        return Err(serde::de::Error::custom(format!(
            "booth number {n} must be between 1 and 99"
        )));
    }
    Ok(n)
}

fn http_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    let ok = reqwest::Url::parse(&s)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .unwrap_or(false);
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "\"{s}\" is not an http:// or https:// URL"
        )));
    }
    Ok(s.trim_end_matches('/').to_string())
}

fn key32_b64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    use base64::Engine as _;
    let s = String::deserialize(d)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| serde::de::Error::custom(format!("not valid base64: {e}")))?;
    if bytes.len() != 32 {
        return Err(serde::de::Error::custom(format!(
            "a key is 32 bytes; this one is {}",
            bytes.len()
        )));
    }
    Ok(bytes)
}

impl Config {
    /// Parses `text`; `path` only names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let booth = &config.booth;
        if booth.warn_free_disk_mb < booth.min_free_disk_mb {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "[booth] warn_free_disk_mb = {} is below min_free_disk_mb = {}: the warning \
                     must come before recordings stop",
                    booth.warn_free_disk_mb, booth.min_free_disk_mb
                ),
            });
        }
        Ok(config)
    }

    /// Reads the file at `path`, or the embedded default when `None`.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                let mut config = Self::parse(&text, p)?;
                config.source = Some(p.to_path_buf());
                Ok(config)
            }
            None => Self::parse(DEFAULT_TOML, Path::new("config/booth.toml (built in)")),
        }
    }

    /// The data directory: the configured one, or the per-user data directory.
    pub fn data_dir(&self) -> PathBuf {
        crate::config::values::data_dir(self.booth.data_dir.as_ref(), "ktpel-booth")
    }

    pub fn verdict_wait(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.procedure.verdict_wait_minutes) * 60)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_shipped_default_parses() {
        let c = Config::load(None).expect("default config");
        assert_eq!(c.procedure.verdict_wait_minutes, 60);
        assert!(matches!(c.centre, CentreConfig::Embedded(_)));
        assert!(matches!(c.devices.camera, CameraConfig::Sim(_)));
    }

    #[test]
    fn the_production_example_parses() {
        let text = include_str!("../../config/booth.production.toml");
        let c = Config::parse(text, Path::new("booth.production.toml")).expect("example");
        assert!(matches!(c.centre, CentreConfig::Remote(_)));
        assert!(matches!(c.devices.camera, CameraConfig::Uvc(_)));
        assert_eq!(
            (c.booth.min_free_disk_mb, c.booth.warn_free_disk_mb),
            (500, 2000)
        );
    }

    #[test]
    fn the_disk_warning_must_come_before_recordings_stop() {
        let text = DEFAULT_TOML.replace(
            "min_free_disk_mb = 500\nwarn_free_disk_mb = 2000",
            "min_free_disk_mb = 800\nwarn_free_disk_mb = 700",
        );
        assert_ne!(text, DEFAULT_TOML);
        let e = error_of(&text);
        assert!(
            e.contains("warn_free_disk_mb = 700") && e.contains("min_free_disk_mb = 800"),
            "{e}"
        );
        let text = DEFAULT_TOML.replace("min_free_disk_mb = 500", "min_free_disk_mb = 0");
        assert!(error_of(&text).contains("greater than 0"));
    }

    fn error_of(text: &str) -> String {
        match Config::parse(text, Path::new("t.toml")) {
            Ok(_) => panic!("accepted a bad config"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_bad_value_names_its_key_and_line() {
        let text = DEFAULT_TOML.replace("verdict_wait_minutes = 60", "verdict_wait_minutes = 0");
        let line = text
            .lines()
            .position(|l| l.starts_with("verdict_wait_minutes"))
            .unwrap()
            + 1;
        let e = error_of(&text);
        assert!(e.contains(&format!("line {line}")), "{e}");
        assert!(e.contains("verdict_wait_minutes"), "{e}");
        assert!(e.contains("greater than 0"), "{e}");
    }

    #[test]
    fn an_unknown_key_is_a_mistake() {
        let text = DEFAULT_TOML.replace("[procedure]", "[procedure]\nverdict_wiat_minutes = 5");
        let e = error_of(&text);
        assert!(e.contains("verdict_wiat_minutes"), "{e}");
        assert!(e.contains("unknown field"), "{e}");
    }

    #[test]
    fn a_bad_region_and_driver_are_named() {
        let text = DEFAULT_TOML.replace("region = \"327301\"", "region = \"207301\"");
        let e = error_of(&text);
        assert!(e.contains("region"), "{e}");
        let text = DEFAULT_TOML.replacen("driver = \"sim\"", "driver = \"v4l9\"", 1);
        let e = error_of(&text);
        assert!(e.contains("v4l9"), "{e}");
    }

    #[test]
    fn a_driver_in_the_wrong_role_is_refused_with_its_line() {
        let text = DEFAULT_TOML.replacen(
            "[devices.camera]\ndriver = \"sim\"",
            "[devices.camera]\ndriver = \"zfm\"\nport = \"/dev/ttyUSB0\"",
            1,
        );
        let line = text.lines().position(|l| l == "driver = \"zfm\"").unwrap() + 1;
        let e = error_of(&text);
        assert!(e.contains(&format!("line {line}")), "{e}");
        assert!(
            e.contains("unknown variant `zfm`, expected one of `sim`, `uvc`, `sbi`"),
            "{e}"
        );
        let text = DEFAULT_TOML.replacen(
            "[devices.fingerprint]\ndriver = \"sim\"\nseed = 2",
            "[devices.fingerprint]\ndriver = \"zfm\"\nport = \"ttyUSB0\"",
            1,
        );
        let e = error_of(&text);
        assert!(e.contains("port = \"ttyUSB0\" is not a device path"), "{e}");
        // A bad value inside a device table names its key, not only the table.
        let text = DEFAULT_TOML.replacen(
            "[devices.fingerprint]\ndriver = \"sim\"\nseed = 2",
            "[devices.fingerprint]\ndriver = \"zfm\"\nport = \"/dev/ttyUSB0\"\nbaud = 0",
            1,
        );
        let e = error_of(&text);
        assert!(e.contains("baud = 0 is not a serial speed"), "{e}");
    }

    #[test]
    fn serial_drivers_take_their_parameters() {
        let text = DEFAULT_TOML
            .replacen(
                "[devices.fingerprint]\ndriver = \"sim\"\nseed = 2",
                "[devices.fingerprint]\ndriver = \"zfm\"\nport = \"/dev/ttyUSB0\"\naddress = 0xFFFFFFFF",
                1,
            )
            .replacen(
                "[devices.receipt_printer]\ndriver = \"sim\"\nseed = 7",
                "[devices.receipt_printer]\ndriver = \"escpos_tcp\"\naddr = \"192.0.2.10:9100\"",
                1,
            );
        let c = Config::parse(&text, Path::new("t.toml")).unwrap();
        match &c.devices.fingerprint {
            FingerprintConfig::Zfm(z) => assert_eq!((z.baud, z.address), (57_600, 0xFFFF_FFFF)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            c.devices.receipt_printer,
            ReceiptPrinterConfig::EscposTcp(_)
        ));
    }

    #[test]
    fn broken_toml_says_where() {
        let e = error_of("[booth\nid = 1");
        assert!(e.contains("line 1"), "{e}");
    }
}
