//! The daily report (laporan harian) of a simulated day: `simulate-day` through the real
//! workflow, then `ktpel-booth report --day … --out …`; the PDF rendered with poppler's
//! `pdftoppm` and read back with `pdftotext` (its counts, its header, no name or NIK), the CSV
//! parsed back to the same numbers, and the next day's report with the day's pickups.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;

const BOOTH: &str = env!("CARGO_BIN_EXE_ktpel-booth");

/// poppler-utils' tools; a missing one fails under CI and says how to get it elsewhere.
fn poppler(tool: &str) -> Command {
    let found = Command::new(tool).arg("-v").output().is_ok();
    assert!(
        found,
        "{tool} is not installed: `.ci/deps test` installs poppler-utils"
    );
    Command::new(tool)
}

fn report(data: &Path, day: &str, out: &Path) -> std::process::Output {
    Command::new(BOOTH)
        .arg("--data-dir")
        .arg(data)
        .args(["report", "--day", day, "--out"])
        .arg(out)
        .output()
        .unwrap()
}

/// `kunci -> nilai` of the CSV's `jumlah` rows (the counts).
fn csv_counts(path: &Path) -> BTreeMap<String, u64> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["bagian", "kunci", "uraian", "nilai"]
    );
    let mut counts = BTreeMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[0] == "jumlah" {
            counts.insert(rec[1].to_string(), rec[3].parse().unwrap());
        }
    }
    counts
}

/// The number at the end of the report's line that begins with `label`.
fn pdf_count(text: &str, label: &str) -> u64 {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(label) && l[label.len()..].trim().parse::<u64>().is_ok())
        .unwrap_or_else(|| panic!("no line '{label} N' in the report:\n{text}"));
    line[label.len()..].trim().parse().unwrap()
}

#[test]
fn a_day_s_report_holds_its_numbers_in_pdf_and_csv_and_nothing_personal() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("booth");
    // The simulated day starts at 08:00 WIB of today (the default config's zone).
    let today = |offset: i32| {
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
            .date()
            .checked_add(jiff::Span::new().days(offset))
            .unwrap()
    };
    let before = today(0);
    common::simulate_day(None, &data, 20, 12);
    assert_eq!(
        before,
        today(0),
        "the day turned at midnight during the run"
    );
    let day = before.to_string();

    let reports = dir.path().join("laporan");
    let run = report(&data, &day, &reports);
    assert!(
        run.status.success(),
        "report failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let pdf = reports.join(format!("laporan-harian-3273-01-{day}.pdf"));
    let csv = reports.join(format!("laporan-harian-3273-01-{day}.csv"));
    let printed = String::from_utf8_lossy(&run.stdout);
    assert!(printed.contains(pdf.to_str().unwrap()), "{printed}");
    for f in [&pdf, &csv] {
        let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is {mode:o}", f.display());
    }

    // The CSV: 20 recorded; 12 cards handed over while blanks lasted (3 more print-ready
    // applicants left with the out-of-blanks paper, 2 with the proof of recording: all five
    // collect tomorrow); one of each non-printable verdict; two complaints; 12 blanks used.
    let counts = csv_counts(&csv);
    let want = [
        ("recorded", 20),
        ("sent", 20),
        ("print_ready", 17),
        ("issued", 12),
        ("receipts", 2),
        ("picked_up", 0),
        ("duplicates", 1),
        ("adjudicate", 1),
        ("failures", 1),
        ("complaints", 2),
        ("blanks_used", 12),
        ("blanks_spoiled", 0),
    ];
    for (k, v) in want {
        assert_eq!(counts.get(k), Some(&v), "{k}: {counts:?}");
    }

    // The PDF renders (poppler's own renderer draws both pages) ...
    let png_prefix = dir.path().join("page");
    let ppm = poppler("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(&pdf)
        .arg(&png_prefix)
        .output()
        .unwrap();
    assert!(
        ppm.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&ppm.stderr)
    );
    let pages: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("page"))
        .collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    for p in &pages {
        assert!(std::fs::metadata(p.path()).unwrap().len() > 5_000);
    }
    // ... and its text is the same numbers, under the office's header, in Indonesian.
    let txt = poppler("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(txt.status.success());
    let text = String::from_utf8(txt.stdout).unwrap();
    assert!(text.contains("LAPORAN HARIAN PEREKAMAN KTP-el"), "{text}");
    assert!(
        text.contains("DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KOTA BANDUNG"),
        "{text}"
    );
    for (label, key) in [
        ("Perekaman", "recorded"),
        ("Terkirim ke pusat", "sent"),
        ("Siap cetak", "print_ready"),
        ("KTP-el diserahkan", "issued"),
        ("Bukti perekaman dicetak", "receipts"),
        ("KTP-el diambil dengan bukti", "picked_up"),
        ("Duplikat", "duplicates"),
        ("Gagal rekam", "failures"),
        ("Pengaduan", "complaints"),
        ("Blangko terpakai", "blanks_used"),
        ("Blangko rusak", "blanks_spoiled"),
    ] {
        assert_eq!(pdf_count(&text, label), counts[key], "{label}");
    }
    // The step-time table: every step of the 20 recordings, against its standard.
    for step in ["Pemeriksaan berkas", "Verifikasi SIAK", "Perekaman"] {
        let row = text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(step) && l.contains('%'))
            .unwrap_or_else(|| panic!("no step row for {step}:\n{text}"));
        let cells: Vec<&str> = row[step.len()..].split_whitespace().collect();
        assert_eq!(cells[1], "20", "{row}");
    }

    // Nothing personal: not one of the day's names or NIKs, in the PDF's text or the CSV.
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    let residents = ktpel_booth::centre_sim::population_of(2026, 600);
    for r in residents.iter().take(20) {
        for needle in [r.name.as_str(), r.nik.as_str()] {
            assert!(!text.contains(needle), "{needle} in the PDF");
            assert!(!csv_text.contains(needle), "{needle} in the CSV");
        }
    }

    // Tomorrow's report has the five who came back for their cards, and no recordings.
    let next = report(&data, &today(1).to_string(), &reports);
    assert!(next.status.success());
    let next = csv_counts(&reports.join(format!("laporan-harian-3273-01-{}.csv", today(1))));
    assert_eq!(next["picked_up"], 5, "{next:?}");
    assert_eq!(next["recorded"], 0, "{next:?}");
}

#[test]
fn a_day_that_is_not_a_date_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = report(dir.path(), "2026-13-01", &dir.path().join("out"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--day") && err.contains("2026-13-01"), "{err}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}
