//! The simulated printers: `SimCardPrinter` spools card fronts as PNG files, and
//! `SimReceiptPrinter` keeps every receipt and spools a plain-text rendering of it. Both run
//! out of paper (or cards) when told to by their [`SimControl`].

use crate::control::{PrintedCard, SimControl};
use crate::device::{self, check, step};
use crate::imaging::encode_png_rgb;
use ktpel_hal::{
    Align, CardPrinter, Check, Device, DeviceError, DeviceInfo, DeviceKind, DeviceResult,
    EncodedImage, ImageFormat, PrinterStatus, ReceiptDoc, ReceiptLine, ReceiptPrinter,
    SelfTestReport,
};
use std::fs::OpenOptions;
use std::io::{ErrorKind as IoErrorKind, Write};
use std::path::{Path, PathBuf};

/// How many printed card fronts a simulated printer keeps in memory (for tests and the kiosk's
/// demonstrations): a booth that prints all day must not grow with every card.
pub const KEPT_CARDS: usize = 8;
/// How many receipts a simulated receipt printer keeps in memory.
pub const KEPT_RECEIPTS: usize = 64;

/// Appends `item`, dropping the oldest beyond `cap`.
pub(crate) fn keep_last<T>(list: &mut Vec<T>, item: T, cap: usize) {
    list.push(item);
    if list.len() > cap {
        let extra = list.len() - cap;
        list.drain(..extra);
    }
}

/// Characters per line of the simulated 80 mm receipt printer (font A).
pub const RECEIPT_COLUMNS: usize = 48;

/// The printer's status as the control sets it.
fn status_of(control: &SimControl) -> PrinterStatus {
    let state = control.lock();
    PrinterStatus {
        online: true,
        paper_out: state.printer.paper_out,
        cover_open: state.printer.cover_open,
        error: false,
    }
}

fn status_checks(status: PrinterStatus, paper: &str) -> Vec<Check> {
    vec![
        check(
            "online",
            status.online,
            if status.online { "online" } else { "offline" },
        ),
        check(
            paper,
            !status.paper_out,
            if status.paper_out { "out" } else { "loaded" },
        ),
        check(
            "cover",
            !status.cover_open,
            if status.cover_open { "open" } else { "closed" },
        ),
    ]
}

/// Writes `bytes` to `<dir>/<prefix>-<n>.<ext>` with the first `n` from `start` whose file does
/// not exist yet; answers `n`.
fn spool(dir: &Path, prefix: &str, ext: &str, start: u64, bytes: &[u8]) -> DeviceResult<u64> {
    std::fs::create_dir_all(dir).map_err(|e| {
        DeviceError::other(format!("cannot create spool folder {}: {e}", dir.display()))
    })?;
    let mut n = start;
    loop {
        let path = dir.join(format!("{prefix}-{n:04}.{ext}"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(bytes).map_err(|e| {
                    DeviceError::other(format!("cannot write spool file {}: {e}", path.display()))
                })?;
                return Ok(n);
            }
            Err(e) if e.kind() == IoErrorKind::AlreadyExists => n += 1,
            Err(e) => {
                return Err(DeviceError::other(format!(
                    "cannot create spool file {}: {e}",
                    path.display()
                )))
            }
        }
    }
}

/// A simulated card printer.
#[derive(Debug)]
pub struct SimCardPrinter {
    seed: u64,
    control: SimControl,
    spool_dir: Option<PathBuf>,
    next_job: u64,
}

impl SimCardPrinter {
    /// A card printer writing `card-<job id>.png` into `spool_dir`, when given (jobs are kept
    /// in memory too, see [`SimControl::printed_cards`]).
    pub fn new(seed: u64, spool_dir: Option<PathBuf>) -> Self {
        Self {
            seed,
            control: SimControl::new(DeviceKind::CardPrinter),
            spool_dir,
            next_job: 1,
        }
    }

    /// The handle that empties the hopper and scripts faults.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    /// Every card printed so far.
    pub fn printed(&self) -> Vec<PrintedCard> {
        self.control.printed_cards()
    }
}

impl Device for SimCardPrinter {
    fn info(&self) -> DeviceInfo {
        device::info(
            DeviceKind::CardPrinter,
            "Sim ID-1 card printer (PNG spool)",
            self.seed,
        )
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span =
            tracing::debug_span!("sim_device", device = "card_printer", op = "self_test").entered();
        let control = self.control.clone();
        let status = control.begin("status").map(|_| status_of(&control));
        let mut checks = step("status", status, |s| status_checks(s, "card hopper"))?;
        if let Some(dir) = &self.spool_dir {
            let ok = std::fs::create_dir_all(dir).is_ok();
            checks.push(check("spool folder", ok, dir.display().to_string()));
        }
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl CardPrinter for SimCardPrinter {
    fn ready(&mut self) -> DeviceResult<()> {
        self.control.begin("ready")?;
        let status = status_of(&self.control);
        if status.paper_out {
            return Err(DeviceError::needs_attention(
                "card hopper empty: load blank cards and print again",
            ));
        }
        if status.cover_open {
            return Err(DeviceError::needs_attention(
                "printer cover open: close it and print again",
            ));
        }
        Ok(())
    }

    fn print_card(&mut self, front: &EncodedImage) -> DeviceResult<String> {
        let _span = tracing::debug_span!("sim_device", device = "card_printer", op = "print_card")
            .entered();
        self.control.begin("print_card")?;
        let status = status_of(&self.control);
        if status.paper_out {
            return Err(DeviceError::needs_attention(
                "card hopper empty: load blank cards and print again",
            ));
        }
        if status.cover_open {
            return Err(DeviceError::needs_attention(
                "printer cover open: close it and print again",
            ));
        }
        let format = match front.format {
            ImageFormat::Png => image::ImageFormat::Png,
            ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        };
        let decoded = image::load_from_memory_with_format(&front.bytes, format).map_err(|e| {
            DeviceError::bad_data(format!("card front is not a readable image: {e}"))
        })?;
        let png = match front.format {
            ImageFormat::Png => front.clone(),
            ImageFormat::Jpeg => {
                let rgb = decoded.to_rgb8();
                encode_png_rgb(rgb.as_raw(), rgb.width(), rgb.height())?
            }
        };
        let n = match &self.spool_dir {
            Some(dir) => spool(dir, "card", "png", self.next_job, &png.bytes)?,
            None => self.next_job,
        };
        self.next_job = n + 1;
        let job_id = format!("{n:04}");
        tracing::debug!(job = %job_id, bytes = png.bytes.len(), "card printed");
        keep_last(
            &mut self.control.lock().printer.cards,
            PrintedCard {
                job_id: job_id.clone(),
                front: png,
            },
            KEPT_CARDS,
        );
        Ok(job_id)
    }
}

/// A simulated receipt printer.
#[derive(Debug)]
pub struct SimReceiptPrinter {
    seed: u64,
    control: SimControl,
    spool_dir: Option<PathBuf>,
    next_receipt: u64,
}

impl SimReceiptPrinter {
    /// A receipt printer keeping every receipt in memory and, when `spool_dir` is given,
    /// writing `receipt-<n>.txt` there.
    pub fn new(seed: u64, spool_dir: Option<PathBuf>) -> Self {
        Self {
            seed,
            control: SimControl::new(DeviceKind::ReceiptPrinter),
            spool_dir,
            next_receipt: 1,
        }
    }

    /// The handle that takes the paper out and scripts faults.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    /// Every receipt printed so far, oldest first.
    pub fn printed(&self) -> Vec<ReceiptDoc> {
        self.control.printed_receipts()
    }
}

impl Device for SimReceiptPrinter {
    fn info(&self) -> DeviceInfo {
        device::info(
            DeviceKind::ReceiptPrinter,
            "Sim ESC/POS 80 mm thermal",
            self.seed,
        )
    }

    fn self_test(&mut self) -> DeviceResult<SelfTestReport> {
        let _span =
            tracing::debug_span!("sim_device", device = "receipt_printer", op = "self_test")
                .entered();
        let mut checks = step("status", self.status(), |s| status_checks(s, "paper"))?;
        if let Some(dir) = &self.spool_dir {
            let ok = std::fs::create_dir_all(dir).is_ok();
            checks.push(check("spool folder", ok, dir.display().to_string()));
        }
        Ok(SelfTestReport {
            device: self.info(),
            checks,
        })
    }
}

impl ReceiptPrinter for SimReceiptPrinter {
    fn status(&mut self) -> DeviceResult<PrinterStatus> {
        let _span =
            tracing::debug_span!("sim_device", device = "receipt_printer", op = "status").entered();
        self.control.begin("status")?;
        Ok(status_of(&self.control))
    }

    fn print(&mut self, doc: &ReceiptDoc) -> DeviceResult<()> {
        let _span = tracing::debug_span!(
            "sim_device",
            device = "receipt_printer",
            op = "print",
            lines = doc.lines.len()
        )
        .entered();
        self.control.begin("print")?;
        let status = status_of(&self.control);
        if status.paper_out {
            return Err(DeviceError::needs_attention(
                "paper out: load a new paper roll and print again",
            ));
        }
        if status.cover_open {
            return Err(DeviceError::needs_attention(
                "printer cover open: close it and print again",
            ));
        }
        if let Some(dir) = &self.spool_dir {
            let text = receipt_text(doc);
            self.next_receipt =
                spool(dir, "receipt", "txt", self.next_receipt, text.as_bytes())? + 1;
        }
        keep_last(
            &mut self.control.lock().printer.receipts,
            doc.clone(),
            KEPT_RECEIPTS,
        );
        Ok(())
    }
}

/// A plain-text rendering of a receipt, [`RECEIPT_COLUMNS`] wide: text wrapped and aligned
/// (magnified text counts as wider), QR codes as `[QR] payload`, images as `[IMAGE wxh]`,
/// feeds as blank lines and the cut as a dashed line.
pub fn receipt_text(doc: &ReceiptDoc) -> String {
    let mut out = String::new();
    for line in &doc.lines {
        match line {
            ReceiptLine::Text {
                text, align, size, ..
            } => {
                let size = usize::from((*size).clamp(1, 8));
                let width = (RECEIPT_COLUMNS / size).max(1);
                for piece in wrap(text, width) {
                    let used = piece.chars().count() * size;
                    let pad = match align {
                        Align::Left => 0,
                        Align::Center => RECEIPT_COLUMNS.saturating_sub(used) / 2,
                        Align::Right => RECEIPT_COLUMNS.saturating_sub(used),
                    };
                    out.push_str(&" ".repeat(pad));
                    out.push_str(&piece);
                    out.push('\n');
                }
            }
            ReceiptLine::Qr { payload } => {
                out.push_str("[QR] ");
                out.push_str(payload);
                out.push('\n');
            }
            ReceiptLine::Image(img) => {
                out.push_str(&format!("[IMAGE {}x{}]\n", img.width, img.height));
            }
            ReceiptLine::Feed(n) => {
                for _ in 0..*n {
                    out.push('\n');
                }
            }
            ReceiptLine::Cut => {
                out.push_str(&"-".repeat(RECEIPT_COLUMNS));
                out.push('\n');
            }
        }
    }
    out
}

/// Word-wraps `text` to `width` characters (words longer than a line are split); explicit
/// newlines are kept; an empty text is one empty line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut current = String::new();
        for word in para.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            loop {
                let used = current.chars().count();
                let sep = usize::from(used > 0);
                if used + sep + word.len() <= width {
                    if sep == 1 {
                        current.push(' ');
                    }
                    current.extend(word.iter());
                    break;
                }
                if used > 0 {
                    lines.push(std::mem::take(&mut current));
                    continue;
                }
                // A word longer than the line: split it.
                let rest = word.split_off(width.min(word.len()));
                lines.push(word.iter().collect());
                word = rest;
                if word.is_empty() {
                    break;
                }
            }
        }
        lines.push(current);
    }
    lines
}
