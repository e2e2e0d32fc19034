//! What is plugged into this machine, for the technician: serial ports (with the USB vendor,
//! product and serial number the kernel knows, and whether the booth may open them), PC/SC
//! readers, MOSIP SBI device services on 127.0.0.1:4501–4600, V4L2 cameras and USB printers.
//! Each entry says which roles it can fill and, when something is in the way, what to check.
//! An SBI device also says who it is — make, model and serial from its signed digital id,
//! firmware from its signed device info — and whether its certificate is one the booth pinned.
//!
//! Problems and notes carry a kind the screens translate; their detail (the system's or the
//! device's own words) is technical detail, shown smaller.
//!
//! Serial and USB details come from sysfs (`/sys/class/tty`), the same place udev reads them.

use ktpel_hal::{DeviceKind, ErrorKind};
use ktpel_sbi::CertTrust;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One thing found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub kind: FoundKind,
    /// The device path, reader name or port, as the config takes it.
    pub id: String,
    /// What it says it is.
    pub description: String,
    pub usb: Option<UsbInfo>,
    /// The roles it can be assigned to, with the driver to use.
    pub roles: Vec<RoleOffer>,
    /// What is in the way, and what to check.
    pub problem: Option<Problem>,
    /// For an SBI device: who it is and whether its certificate is trusted.
    pub sbi: Option<SbiIdentity>,
}

/// An SBI device's identity: make, model and serial number from its signed digital id (MOSIP
/// SBI 0.9.5, "Digital ID"), firmware from its signed device info, and its certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SbiIdentity {
    pub make: String,
    pub model: String,
    pub serial: String,
    pub firmware: String,
    /// SHA-256 of the device certificate (upper-case hex), as `trusted_certificates` takes it.
    pub certificate: Option<String>,
    /// Against the certificates pinned in the booth's config.
    pub trust: CertTrust,
}

/// What is in the way of using a found device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The booth's user may not open the device file.
    NoPermission,
    /// Another program holds it.
    InUse,
    /// It cannot be opened for another reason.
    CannotOpen,
    /// An SBI device whose signed device info does not verify.
    InfoNotVerified,
    /// An SBI device that reports an error.
    DeviceReports,
    /// An SBI device whose certificate is not among the pinned ones.
    UntrustedCertificate,
    /// A camera that cannot be used as it is.
    CameraUnusable,
    /// A stopped print queue.
    QueueStopped,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 8] = [
        ProblemKind::NoPermission,
        ProblemKind::InUse,
        ProblemKind::CannotOpen,
        ProblemKind::InfoNotVerified,
        ProblemKind::DeviceReports,
        ProblemKind::UntrustedCertificate,
        ProblemKind::CameraUnusable,
        ProblemKind::QueueStopped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::NoPermission => "no_permission",
            ProblemKind::InUse => "in_use",
            ProblemKind::CannotOpen => "cannot_open",
            ProblemKind::InfoNotVerified => "info_not_verified",
            ProblemKind::DeviceReports => "device_reports",
            ProblemKind::UntrustedCertificate => "untrusted_certificate",
            ProblemKind::CameraUnusable => "camera_unusable",
            ProblemKind::QueueStopped => "queue_stopped",
        }
    }
}

/// A problem: its kind (translated on screen) and the technical detail (what to run, the
/// system's message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub detail: String,
}

impl Problem {
    fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// A kind of device that could not be searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The serial ports' sysfs cannot be read.
    SerialPorts,
    /// pcscd does not answer (or has no readers).
    CardReaders,
    /// The SBI scan failed.
    SbiDevices,
    /// Cameras cannot be listed.
    Cameras,
    /// No print server answers.
    NoPrintServer,
    /// The print server answered with an error.
    PrintQueues,
}

impl NoteKind {
    pub const ALL: [NoteKind; 6] = [
        NoteKind::SerialPorts,
        NoteKind::CardReaders,
        NoteKind::SbiDevices,
        NoteKind::Cameras,
        NoteKind::NoPrintServer,
        NoteKind::PrintQueues,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::SerialPorts => "serial_ports",
            NoteKind::CardReaders => "card_readers",
            NoteKind::SbiDevices => "sbi_devices",
            NoteKind::Cameras => "cameras",
            NoteKind::NoPrintServer => "no_print_server",
            NoteKind::PrintQueues => "print_queues",
        }
    }

    fn area(self) -> &'static str {
        match self {
            NoteKind::SerialPorts => "serial ports",
            NoteKind::CardReaders => "card readers",
            NoteKind::SbiDevices => "SBI devices",
            NoteKind::Cameras => "cameras",
            NoteKind::NoPrintServer | NoteKind::PrintQueues => "print queues",
        }
    }
}

/// What could not be searched: the kind (translated on screen) and the technical detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub kind: NoteKind,
    pub detail: String,
}

impl Note {
    fn new(kind: NoteKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }
}

/// "area: detail", as the command line prints it.
impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.area(), self.detail)
    }
}

/// A role a found device can fill, and the driver that speaks to it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoleOffer {
    pub role: DeviceKind,
    pub driver: &'static str,
}

const fn offer(role: DeviceKind, driver: &'static str) -> RoleOffer {
    RoleOffer { role, driver }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundKind {
    SerialPort,
    PcscReader,
    SbiDevice,
    Camera,
    UsbPrinter,
    PrintQueue,
}

impl FoundKind {
    pub const ALL: [FoundKind; 6] = [
        FoundKind::SerialPort,
        FoundKind::PcscReader,
        FoundKind::SbiDevice,
        FoundKind::Camera,
        FoundKind::UsbPrinter,
        FoundKind::PrintQueue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FoundKind::SerialPort => "serial_port",
            FoundKind::PcscReader => "pcsc_reader",
            FoundKind::SbiDevice => "sbi_device",
            FoundKind::Camera => "camera",
            FoundKind::UsbPrinter => "usb_printer",
            FoundKind::PrintQueue => "print_queue",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsbInfo {
    pub vendor_id: String,
    pub product_id: String,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial: Option<String>,
}

/// Everything found, and what could not be looked at.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Discovery {
    pub found: Vec<Found>,
    /// A kind of device that could not be searched (no pcscd, no sysfs), and why.
    pub notes: Vec<Note>,
}

/// Looks everywhere, with no SBI certificate pinned (every SBI device shows "not pinned").
pub fn discover() -> Discovery {
    discover_with(&[])
}

/// The SBI device certificates `devices` pins, over every role an SBI device fills.
pub fn pinned_certificates(devices: &crate::config::DevicesConfig) -> Vec<String> {
    use crate::config::{CameraConfig, FingerprintConfig, IrisConfig};
    let mut pins = Vec::new();
    if let CameraConfig::Sbi(p) = &devices.camera {
        pins.extend(p.trusted_certificates.iter().cloned());
    }
    if let FingerprintConfig::Sbi(p) = &devices.fingerprint {
        pins.extend(p.trusted_certificates.iter().cloned());
    }
    if let IrisConfig::Sbi(p) = &devices.iris {
        pins.extend(p.trusted_certificates.iter().cloned());
    }
    pins
}

/// Looks everywhere; SBI certificates are judged against `pins` (SHA-256 fingerprints). Takes
/// well under the SBI scan's 5 s budget.
pub fn discover_with(pins: &[String]) -> Discovery {
    let mut d = Discovery::default();
    let _span = tracing::info_span!("discovery").entered();
    serial_ports(Path::new("/sys/class/tty"), Path::new("/dev"), &mut d);
    pcsc_readers(&mut d);
    sbi_devices(&ktpel_sbi::ClientConfig::default(), pins, &mut d);
    cameras(&mut d);
    usb_printers(Path::new("/dev/usb"), &mut d);
    print_queues(ktpel_printer_ipp::LOCAL_CUPS, &mut d);
    d
}

fn read_trimmed(p: &Path) -> Option<String> {
    std::fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The USB device above a sysfs node: the nearest ancestor with an `idVendor` file.
fn usb_of(device: &Path) -> Option<UsbInfo> {
    let mut dir = std::fs::canonicalize(device).ok()?;
    for _ in 0..5 {
        if dir.join("idVendor").exists() {
            return Some(UsbInfo {
                vendor_id: read_trimmed(&dir.join("idVendor"))?,
                product_id: read_trimmed(&dir.join("idProduct"))?,
                manufacturer: read_trimmed(&dir.join("manufacturer")),
                product: read_trimmed(&dir.join("product")),
                serial: read_trimmed(&dir.join("serial")),
            });
        }
        dir = dir.parent()?.to_path_buf();
    }
    None
}

/// Whether this process may open `dev` for reading and writing (without waiting for a modem
/// line and without making it the controlling terminal).
fn open_problem(dev: &Path) -> Option<Problem> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(dev)
    {
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Some(Problem::new(
            ProblemKind::NoPermission,
            format!(
                "no permission to open {}: add the booth's user to the group that owns it \
                 (usually `dialout`: sudo usermod -aG dialout USER) and sign in again",
                dev.display()
            ),
        )),
        Err(e) if e.raw_os_error() == Some(libc::EBUSY) => Some(Problem::new(
            ProblemKind::InUse,
            format!(
                "{} is in use by another program (close it, or check `fuser {}`)",
                dev.display(),
                dev.display()
            ),
        )),
        Err(e) => Some(Problem::new(
            ProblemKind::CannotOpen,
            format!("{} cannot be opened: {e}", dev.display()),
        )),
    }
}

/// Serial ports under `sys` (a `/sys/class/tty`) backed by hardware, with their device files
/// under `dev`.
pub fn serial_ports(sys: &Path, dev: &Path, d: &mut Discovery) {
    let entries = match std::fs::read_dir(sys) {
        Ok(e) => e,
        Err(e) => {
            d.notes.push(Note::new(
                NoteKind::SerialPorts,
                format!("{} cannot be read ({e})", sys.display()),
            ));
            return;
        }
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let node = sys.join(&name);
        // Virtual terminals and ptys have no device behind them.
        if !node.join("device").exists() {
            continue;
        }
        // Legacy 8250 ports are listed whether or not a UART answers; type 0 means none.
        if name.starts_with("ttyS") && read_trimmed(&node.join("type")).as_deref() == Some("0") {
            continue;
        }
        let path: PathBuf = dev.join(&name);
        let usb = usb_of(&node.join("device"));
        let description = match &usb {
            Some(u) => format!(
                "{} {} (USB {}:{})",
                u.manufacturer.as_deref().unwrap_or(""),
                u.product.as_deref().unwrap_or("serial adapter"),
                u.vendor_id,
                u.product_id
            )
            .trim()
            .to_string(),
            None => "serial port".into(),
        };
        let wacom = usb.as_ref().is_some_and(|u| u.vendor_id == "056a");
        let roles = if wacom {
            vec![offer(DeviceKind::SignaturePad, "isdv4")]
        } else {
            vec![
                offer(DeviceKind::FingerprintScanner, "zfm"),
                offer(DeviceKind::SignaturePad, "isdv4"),
                offer(DeviceKind::ReceiptPrinter, "escpos_serial"),
            ]
        };
        d.found.push(Found {
            kind: FoundKind::SerialPort,
            id: path.display().to_string(),
            description,
            problem: open_problem(&path),
            usb,
            roles,
            sbi: None,
        });
    }
}

fn pcsc_readers(d: &mut Discovery) {
    let mut encoder = ktpel_card_pcsc::PcscEncoder::new(ktpel_card_pcsc::PcscConfig::default());
    match encoder.readers() {
        Ok(readers) => {
            for r in readers {
                d.found.push(Found {
                    kind: FoundKind::PcscReader,
                    description: format!("PC/SC reader {r}"),
                    id: r,
                    usb: None,
                    roles: vec![offer(DeviceKind::CardEncoder, "pcsc")],
                    problem: None,
                    sbi: None,
                });
            }
        }
        Err(e) => d
            .notes
            .push(Note::new(NoteKind::CardReaders, e.to_string())),
    }
}

/// The SBI device services `config` scans (4501–4600 on 127.0.0.1 by default), each with its
/// identity and its certificate judged against `pins`. The scan itself accepts any certificate
/// whose signatures verify, so that an unpinned device is shown, not hidden.
pub fn sbi_devices(config: &ktpel_sbi::ClientConfig, pins: &[String], d: &mut Discovery) {
    let config = ktpel_sbi::ClientConfig {
        trust: ktpel_sbi::Trust::AnyCertificate,
        ..config.clone()
    };
    match ktpel_sbi::scan(&config) {
        Ok((_, devices)) => {
            for s in devices {
                let f = &s.found;
                let role = match f.bio_type.map(|b| format!("{b:?}")).as_deref() {
                    Some("Finger") => Some(DeviceKind::FingerprintScanner),
                    Some("Iris") => Some(DeviceKind::IrisScanner),
                    Some("Face") => Some(DeviceKind::Camera),
                    _ => None,
                };
                let sbi = s.info.as_ref().ok().map(|info| SbiIdentity {
                    make: info.digital_id.make.clone(),
                    model: info.digital_id.model.clone(),
                    serial: info.digital_id.serial_no.clone(),
                    firmware: info.payload.firmware.clone(),
                    certificate: info.certificate.as_ref().map(|c| c.fingerprint_hex()),
                    trust: CertTrust::of(info.certificate.as_ref(), pins),
                });
                let problem = match (&s.info, &f.error, &sbi) {
                    (Err(e), _, _) => Some(Problem::new(
                        ProblemKind::InfoNotVerified,
                        format!("device info not verified: {e}"),
                    )),
                    (_, Some((code, msg)), _) => Some(Problem::new(
                        ProblemKind::DeviceReports,
                        format!("{code:?}: {msg}"),
                    )),
                    (_, _, Some(id)) if id.trust == CertTrust::Untrusted => Some(Problem::new(
                        ProblemKind::UntrustedCertificate,
                        format!(
                            "certificate {} is not in trusted_certificates: the booth refuses \
                             its captures until it is pinned",
                            id.certificate.as_deref().unwrap_or("?")
                        ),
                    )),
                    _ => None,
                };
                d.found.push(Found {
                    kind: FoundKind::SbiDevice,
                    id: f.port.to_string(),
                    description: format!(
                        "SBI {} device {} ({:?}) on 127.0.0.1:{}",
                        f.bio_type.map(|b| format!("{b:?}")).unwrap_or_default(),
                        f.device_id,
                        f.status,
                        f.port
                    ),
                    usb: None,
                    roles: role.map(|r| offer(r, "sbi")).into_iter().collect(),
                    problem,
                    sbi,
                });
            }
        }
        Err(e) => d.notes.push(Note::new(NoteKind::SbiDevices, e.to_string())),
    }
}

fn cameras(d: &mut Discovery) {
    match ktpel_camera_uvc::list_cameras() {
        Ok(list) => {
            for c in list {
                d.found.push(Found {
                    kind: FoundKind::Camera,
                    id: c.path.clone(),
                    description: format!("{} ({} modes)", c.name, c.modes.len()),
                    usb: None,
                    roles: vec![offer(DeviceKind::Camera, "uvc")],
                    problem: c
                        .note
                        .clone()
                        .map(|n| Problem::new(ProblemKind::CameraUnusable, n)),
                    sbi: None,
                });
            }
        }
        Err(e) => d.notes.push(Note::new(NoteKind::Cameras, e.to_string())),
    }
}

/// USB printer-class device files (`/dev/usb/lp*`).
pub fn usb_printers(dir: &Path, d: &mut Discovery) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("lp"))
        })
        .collect();
    paths.sort();
    for p in paths {
        d.found.push(Found {
            kind: FoundKind::UsbPrinter,
            id: p.display().to_string(),
            description: "USB printer".into(),
            usb: None,
            roles: vec![offer(DeviceKind::ReceiptPrinter, "escpos_usb")],
            problem: open_problem(&p),
            sbi: None,
        });
    }
}

/// The queues of the print server at `server` (CUPS on the booth), as card printers.
pub fn print_queues(server: &str, d: &mut Discovery) {
    let _span = tracing::debug_span!("discovery.print_queues").entered();
    match ktpel_printer_ipp::list_queues(server, std::time::Duration::from_secs(2)) {
        Ok(queues) => {
            for q in queues {
                let state = match q.state {
                    Some(3) => "idle",
                    Some(4) => "printing",
                    Some(5) => "stopped",
                    _ => "state unknown",
                };
                d.found.push(Found {
                    kind: FoundKind::PrintQueue,
                    id: q.uri.clone(),
                    description: format!(
                        "print queue {} ({}, {state})",
                        q.name,
                        q.make_and_model.as_deref().unwrap_or("unknown printer")
                    ),
                    usb: None,
                    roles: vec![offer(DeviceKind::CardPrinter, "ipp")],
                    problem: (q.state == Some(5)).then(|| {
                        Problem::new(
                            ProblemKind::QueueStopped,
                            format!("the queue is stopped: resume it (cupsenable {})", q.name),
                        )
                    }),
                    sbi: None,
                });
            }
        }
        Err(e) if matches!(e.kind, ErrorKind::Disconnected | ErrorKind::NotPresent) => {
            d.notes.push(Note::new(
                NoteKind::NoPrintServer,
                format!(
                    "no print server answers at {server} (the card printer's CUPS queue needs \
                     the cups service running)"
                ),
            ))
        }
        Err(e) => d
            .notes
            .push(Note::new(NoteKind::PrintQueues, e.to_string())),
    }
}

impl Found {
    /// The role's config settings that put this device in it with `driver`.
    pub fn settings(&self, driver: &str) -> toml::Table {
        let mut t = toml::Table::new();
        t.insert("driver".into(), toml::Value::String(driver.into()));
        let id = toml::Value::String(self.id.clone());
        match driver {
            "zfm" | "isdv4" | "escpos_serial" => {
                t.insert("port".into(), id);
            }
            "pcsc" => {
                t.insert("reader".into(), id);
            }
            "uvc" | "escpos_usb" => {
                t.insert("device".into(), id);
            }
            "ipp" => {
                t.insert("uri".into(), id);
            }
            "sbi" => {
                if let Ok(port) = self.id.parse::<i64>() {
                    t.insert("port".into(), toml::Value::Integer(port));
                }
            }
            _ => {}
        }
        t
    }

    /// One line for the CLI and the technician screen.
    pub fn line(&self) -> String {
        let roles: Vec<String> = self
            .roles
            .iter()
            .map(|o| format!("{} ({})", o.role.as_str(), o.driver))
            .collect();
        let mut s = format!("{:<24} {}", self.id, self.description);
        if let Some(u) = &self.usb {
            if let Some(serial) = &u.serial {
                s.push_str(&format!(" serial {serial}"));
            }
        }
        if !roles.is_empty() {
            s.push_str(&format!(" → {}", roles.join(", ")));
        }
        if let Some(id) = &self.sbi {
            s.push_str(&format!(
                "\n    {} {}, serial {}, firmware {}, certificate {}",
                id.make, id.model, id.serial, id.firmware, id.trust
            ));
            if let Some(c) = &id.certificate {
                s.push_str(&format!(" ({c})"));
            }
        }
        if let Some(p) = &self.problem {
            s.push_str(&format!("\n    ! {p}"));
        }
        s
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A fake sysfs: a USB serial adapter (FTDI), a Wacom pen, a legacy port without a UART,
    /// and a virtual terminal.
    #[test]
    fn serial_ports_come_with_their_usb_identity_and_roles() {
        let root = tempfile::tempdir().unwrap();
        let sys = root.path().join("class/tty");
        let dev = root.path().join("dev");
        std::fs::create_dir_all(&sys).unwrap();
        std::fs::create_dir_all(&dev).unwrap();
        let usb = |name: &str, vendor: &str, product_id: &str, product: &str| {
            let d = root.path().join(format!("devices/usb1/{name}"));
            let port = d.join(format!("{name}:1.0/{name}-port"));
            std::fs::create_dir_all(&port).unwrap();
            for (f, v) in [
                ("idVendor", vendor),
                ("idProduct", product_id),
                ("manufacturer", "Maker"),
                ("product", product),
                ("serial", "A1B2C3"),
            ] {
                std::fs::write(d.join(f), format!("{v}\n")).unwrap();
            }
            port
        };
        let ftdi = usb("1-1", "0403", "6001", "FT232R USB UART");
        let wacom = usb("1-2", "056a", "00ec", "ISDv4 EC");
        for (name, target) in [("ttyUSB0", &ftdi), ("ttyUSB1", &wacom)] {
            std::fs::create_dir_all(sys.join(name)).unwrap();
            symlink(target, sys.join(name).join("device")).unwrap();
            std::fs::write(dev.join(name), b"").unwrap();
        }
        // A legacy port with no UART behind it, and a virtual terminal without a device.
        let platform = root.path().join("devices/platform/serial8250");
        std::fs::create_dir_all(&platform).unwrap();
        std::fs::create_dir_all(sys.join("ttyS0")).unwrap();
        symlink(&platform, sys.join("ttyS0/device")).unwrap();
        std::fs::write(sys.join("ttyS0/type"), "0\n").unwrap();
        std::fs::create_dir_all(sys.join("tty1")).unwrap();

        let mut d = Discovery::default();
        serial_ports(&sys, &dev, &mut d);
        assert_eq!(d.found.len(), 2, "{:?}", d.found);
        let f = &d.found[0];
        assert_eq!(f.id, dev.join("ttyUSB0").display().to_string());
        let u = f.usb.as_ref().unwrap();
        assert_eq!(
            (u.vendor_id.as_str(), u.product_id.as_str()),
            ("0403", "6001")
        );
        assert_eq!(u.serial.as_deref(), Some("A1B2C3"));
        assert!(f.description.contains("FT232R"), "{}", f.description);
        assert!(f
            .roles
            .contains(&offer(DeviceKind::FingerprintScanner, "zfm")));
        assert_eq!(
            d.found[1].roles,
            vec![offer(DeviceKind::SignaturePad, "isdv4")]
        );
        assert!(f.line().contains("fingerprint (zfm)"));
    }

    #[test]
    fn each_driver_gets_the_setting_that_names_the_device() {
        let f = Found {
            kind: FoundKind::SbiDevice,
            id: "4501".into(),
            description: String::new(),
            usb: None,
            roles: vec![offer(DeviceKind::IrisScanner, "sbi")],
            problem: None,
            sbi: None,
        };
        let t = f.settings("sbi");
        assert_eq!(t["driver"].as_str(), Some("sbi"));
        assert_eq!(t["port"].as_integer(), Some(4501));
        let serial = Found {
            kind: FoundKind::SerialPort,
            id: "/dev/ttyUSB0".into(),
            ..f
        };
        assert_eq!(
            serial.settings("zfm")["port"].as_str(),
            Some("/dev/ttyUSB0")
        );
    }

    #[test]
    fn a_missing_sysfs_is_a_note_not_a_failure() {
        let mut d = Discovery::default();
        serial_ports(Path::new("/nonexistent/tty"), Path::new("/dev"), &mut d);
        assert!(d.found.is_empty());
        assert_eq!(d.notes[0].kind, NoteKind::SerialPorts);
        assert!(
            d.notes[0].detail.contains("cannot be read"),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn print_queues_are_offered_as_card_printers_with_their_uri() {
        let sim = ktpel_printer_ipp::sim::IppPrinterSim::start(Default::default()).unwrap();
        let mut d = Discovery::default();
        print_queues(&format!("ipp://127.0.0.1:{}/", sim.port()), &mut d);
        assert_eq!(d.found.len(), 1, "{:?}", d.notes);
        let q = &d.found[0];
        assert_eq!(q.roles, vec![offer(DeviceKind::CardPrinter, "ipp")]);
        let settings = q.settings("ipp");
        assert_eq!(settings["uri"].as_str(), Some(sim.uri().as_str()));
        // The settings make a config the booth accepts.
        let mut text = String::from(crate::config::DEFAULT_TOML);
        let at = text.find("[devices.card_printer]").unwrap();
        let end = at + text[at..].find("\n\n").unwrap();
        text.replace_range(
            at..end,
            &format!(
                "[devices.card_printer]\ndriver = \"ipp\"\nuri = \"{}\"",
                sim.uri()
            ),
        );
        crate::config::Config::parse(&text, Path::new("booth.toml")).unwrap();
        // No print server there: a note, not a failure.
        let port = sim.port();
        drop(sim);
        let mut d = Discovery::default();
        print_queues(&format!("ipp://127.0.0.1:{port}/"), &mut d);
        assert!(d.found.is_empty());
        assert_eq!(d.notes[0].kind, NoteKind::NoPrintServer);
        assert!(
            d.notes[0].to_string().starts_with("print queues: "),
            "{:?}",
            d.notes
        );
    }

    /// An SBI device says who it is (make, model, serial from its signed digital id, firmware
    /// from its device info) and how its certificate stands against the config's pins.
    #[test]
    fn sbi_devices_come_with_identity_and_certificate_trust() {
        use ktpel_sbi::sim::{PortChoice, SimHandle, SimKind, SimOptions};
        let mut o = SimOptions::new(SimKind::Finger);
        o.port = PortChoice::Fixed(0);
        let sim = SimHandle::start(o).unwrap();
        let config = ktpel_sbi::ClientConfig {
            ports: sim.port()..=sim.port(),
            ..ktpel_sbi::ClientConfig::default()
        };
        let pin = sim.certificate_fingerprint();
        let scan = |pins: &[String]| {
            let mut d = Discovery::default();
            sbi_devices(&config, pins, &mut d);
            assert_eq!(d.found.len(), 1, "{:?}", d.notes);
            d.found.remove(0)
        };
        let f = scan(&[]);
        assert_eq!(f.roles, vec![offer(DeviceKind::FingerprintScanner, "sbi")]);
        let id = f.sbi.as_ref().unwrap();
        assert_eq!(id.make, "KTP-el Sim");
        assert!(!id.model.is_empty() && !id.serial.is_empty(), "{id:?}");
        assert_eq!(id.firmware, "ktpel-sim-1");
        assert_eq!(id.certificate.as_deref(), Some(pin.as_str()));
        assert_eq!(id.trust, CertTrust::NotPinned);
        assert_eq!(f.problem, None);
        assert!(f.line().contains("KTP-el Sim"), "{}", f.line());

        let f = scan(std::slice::from_ref(&pin));
        assert_eq!(f.sbi.unwrap().trust, CertTrust::Trusted);
        assert_eq!(f.problem, None);

        // Pinned, but another certificate: shown (not hidden), untrusted, and why.
        let f = scan(&["AB".repeat(32)]);
        assert_eq!(f.sbi.unwrap().trust, CertTrust::Untrusted);
        assert_eq!(
            f.problem.map(|p| p.kind),
            Some(ProblemKind::UntrustedCertificate)
        );
    }

    #[test]
    fn the_pins_of_every_sbi_role_are_collected() {
        let pin = "0123456789ABCDEF".repeat(4);
        let text = crate::config::DEFAULT_TOML.replace(
            "[devices.iris]\ndriver = \"sim\"\nseed = 3",
            &format!(
                "[devices.iris]\ndriver = \"sbi\"\nenv = \"Production\"\n\
                 trusted_certificates = [\"{pin}\"]"
            ),
        );
        assert_ne!(text, crate::config::DEFAULT_TOML, "the iris section moved");
        let c = crate::config::Config::parse(&text, Path::new("booth.toml")).unwrap();
        assert_eq!(pinned_certificates(&c.devices), vec![pin]);
    }

    /// The production example pins its SBI device's certificate, and a production SBI device
    /// without pins is refused when the file is read, with the key that is missing.
    #[test]
    fn the_production_example_pins_its_sbi_certificates() {
        let text = include_str!("../../config/booth.production.toml");
        let c = crate::config::Config::parse(text, Path::new("booth.production.toml")).unwrap();
        let pins = pinned_certificates(&c.devices);
        assert_eq!(pins.len(), 1, "{pins:?}");
        let start = text.find("trusted_certificates = [").unwrap();
        let end = start + text[start..].find(']').unwrap() + 1;
        let mut unpinned = text.to_string();
        unpinned.replace_range(start..end, "");
        let e = crate::config::Config::parse(&unpinned, Path::new("booth.production.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs trusted_certificates"), "{e}");
    }

    #[test]
    fn usb_printers_are_offered_as_receipt_printers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lp0"), b"").unwrap();
        std::fs::write(dir.path().join("hiddev0"), b"").unwrap();
        let mut d = Discovery::default();
        usb_printers(dir.path(), &mut d);
        assert_eq!(d.found.len(), 1);
        assert_eq!(
            d.found[0].roles,
            vec![offer(DeviceKind::ReceiptPrinter, "escpos_usb")]
        );
        assert_eq!(d.found[0].problem, None);
    }
}
