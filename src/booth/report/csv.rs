//! The daily report's numbers as CSV, written with the `csv` crate: one table of
//! `bagian,kunci,uraian,nilai` (section, key, Indonesian label, value) — the counts, each SOP
//! step's times, and the recordings per hour — so a spreadsheet or the Dinas's own tools read
//! the same numbers the PDF shows.

use super::plots::Labels;
use super::{count_rows, step_rows, ReportError};
use crate::queue::DayStats;

/// The columns.
pub const HEADER: [&str; 4] = ["bagian", "kunci", "uraian", "nilai"];

/// The CSV text of `stats`.
pub fn render(stats: &DayStats) -> Result<String, ReportError> {
    let fail = |e: csv::Error| ReportError::Csv(e.to_string());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).map_err(fail)?;
    w.write_record(["laporan", "tanggal", "Tanggal", &stats.day.to_string()])
        .map_err(fail)?;
    w.write_record([
        "laporan",
        "zona_waktu",
        "Zona waktu",
        stats.zone.abbreviation(),
    ])
    .map_err(fail)?;
    for r in count_rows(&stats.counts) {
        w.write_record(["jumlah", r.key, r.label, &r.value.to_string()])
            .map_err(fail)?;
    }
    for r in step_rows(stats, &Labels::indonesian()) {
        let fields: [(&str, &str, String); 7] = [
            ("standar_detik", "standar (detik)", r.standard.to_string()),
            ("jumlah", "jumlah rekaman", r.count.to_string()),
            ("median_detik", "median (detik)", r.median.to_string()),
            (
                "rata_rata_detik",
                "rata-rata (detik)",
                format!("{:.1}", r.mean),
            ),
            ("maks_detik", "maksimum (detik)", r.max.to_string()),
            ("di_atas_standar", "di atas standar", r.over.to_string()),
            (
                "persen_di_atas_standar",
                "persen di atas standar",
                format!("{:.1}", r.over_percent),
            ),
        ];
        for (key, what, value) in fields {
            w.write_record([
                "langkah",
                &format!("{}.{key}", r.key),
                &format!("{}: {what}", r.name),
                &value,
            ])
            .map_err(fail)?;
        }
    }
    for (h, n) in stats.per_hour.iter().enumerate() {
        w.write_record([
            "per_jam",
            &format!("{h:02}"),
            &format!("Perekaman jam {h:02}.00–{h:02}.59"),
            &n.to_string(),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| ReportError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ReportError::Csv(e.to_string()))
}
