//! The office's daily report (laporan harian) to the Dinas: the day's counts, the SOP step
//! times against the standard and the plots, as `laporan-harian-<booth>-<date>.pdf` and the
//! same numbers as `laporan-harian-<booth>-<date>.csv`. It reads only the queue's statistics
//! ([`DayStats`]): no name, NIK or image can reach it.

pub mod csv;
pub mod pdf;
pub mod plots;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::queue::{DayCounts, DayStats, QueueError};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Plot(#[from] plots::PlotError),
    #[error("the PDF could not be made: {0}")]
    Pdf(String),
    #[error("the CSV could not be made: {0}")]
    Csv(String),
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

/// Who the report is from, as its header prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub office: String,
    pub booth_id: String,
    pub region: String,
    /// When the report was made, in the office's time ("2026-11-25 17:02:11 WIB").
    pub generated: String,
}

impl Header {
    pub fn new(config: &Config, now: jiff::Timestamp) -> Header {
        Header {
            office: config.booth.office.clone(),
            booth_id: config.booth.id.clone(),
            region: config.booth.region.to_string(),
            generated: config.booth.time_zone.format(now),
        }
    }
}

/// One line of the counts, in the report's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountRow {
    /// The CSV's key.
    pub key: &'static str,
    /// The Indonesian label.
    pub label: &'static str,
    pub value: u64,
}

/// The day's counts as the report lists them.
pub fn count_rows(c: &DayCounts) -> Vec<CountRow> {
    let row = |key, label, value| CountRow { key, label, value };
    vec![
        row("recorded", "Perekaman", c.recorded),
        row("sent", "Terkirim ke pusat", c.sent),
        row("rejected", "Ditolak saat tinjauan supervisor", c.rejected),
        row("print_ready", "Siap cetak", c.print_ready),
        row("issued", "KTP-el diserahkan", c.issued),
        row("receipts", "Bukti perekaman dicetak", c.receipts),
        row("picked_up", "KTP-el diambil dengan bukti", c.picked_up),
        row("duplicates", "Duplikat", c.duplicates),
        row("adjudicate", "Adjudikasi", c.adjudicate),
        row("failures", "Gagal rekam", c.failures),
        row("complaints", "Pengaduan", c.complaints),
        row("blanks_used", "Blangko terpakai", c.blanks_used),
        row("blanks_spoiled", "Blangko rusak", c.blanks_spoiled),
    ]
}

/// One SOP step's line of the step-time table.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRow {
    pub key: String,
    pub name: String,
    pub standard: u32,
    pub count: usize,
    pub median: u32,
    pub mean: f64,
    pub max: u32,
    pub over: usize,
    pub over_percent: f64,
}

/// The steps the day's recordings have times for.
pub fn step_rows(stats: &DayStats, labels: &plots::Labels) -> Vec<StepRow> {
    stats
        .steps
        .iter()
        .filter(|s| s.count() > 0)
        .map(|s| StepRow {
            key: s.step.clone(),
            name: labels.step_name(&s.step),
            standard: s.standard,
            count: s.count(),
            median: s.median().unwrap_or(0),
            mean: s.mean().unwrap_or(0.0),
            max: s.max().unwrap_or(0),
            over: s.over(),
            over_percent: s.over_percent(),
        })
        .collect()
}

/// The two files of a day's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub pdf: PathBuf,
    pub csv: PathBuf,
}

/// `laporan-harian-<booth>-<date>` (the booth id made safe for a file name).
pub fn file_stem(booth_id: &str, day: jiff::civil::Date) -> String {
    let booth: String = booth_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("laporan-harian-{booth}-{day}")
}

/// Writes the day's PDF and CSV into `dir` (created 0700 when missing); each file 0600,
/// written beside its place and renamed into it, so a reader never sees half a report.
pub fn write(dir: &Path, header: &Header, stats: &DayStats) -> Result<Written, ReportError> {
    let pdf = pdf::render(header, stats)?;
    let csv = csv::render(stats)?;
    if !dir.is_dir() {
        crate::private_fs::create_dir(dir).map_err(|e| ReportError::Write {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
    }
    let stem = file_stem(&header.booth_id, stats.day);
    let written = Written {
        pdf: dir.join(format!("{stem}.pdf")),
        csv: dir.join(format!("{stem}.csv")),
    };
    put(&written.pdf, &pdf)?;
    put(&written.csv, csv.as_bytes())?;
    Ok(written)
}

fn put(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let fail = |e: std::io::Error| ReportError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    crate::private_fs::create_file(&tmp).map_err(fail)?;
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)?;
    Ok(())
}
