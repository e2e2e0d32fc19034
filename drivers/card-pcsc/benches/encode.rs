//! Chip encode + verify of a profile-sized file set (~7.5 KB: DG1 600 B, DG2 4.5 KB, DG3 900 B,
//! DG7 800 B, EF.SOD 700 B, EF.COM 30 B) with short and extended APDUs, on the in-process
//! virtual card and on the vpcd virtual card under a real pcscd: APDUs sent against the
//! minimum for the APDU length, and the time to write and to read back.
//!
//! `cargo bench -p ktpel-card-pcsc --bench encode` (pcscd is started as for the tests; without
//! it the pcscd rows are skipped unless CI=true).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/stack/mod.rs"]
mod stack;

use ktpel_card_pcsc::{write_files, PcscConfig, PcscEncoder, Phase, WriteOptions, WriteReport};
use ktpel_hal::{CardEncoder, CardInfo};
use ktpel_sim::{SimCardEncoder, VirtualCard, VpcdCard};
use std::time::{Duration, Instant};

const RUNS_SIM: usize = 50;
const RUNS_PCSCD: usize = 10;

fn files() -> Vec<(u16, Vec<u8>)> {
    [
        (0x0101, 600),
        (0x0102, 4500),
        (0x0103, 900),
        (0x0107, 800),
        (0x011D, 700),
        (0x011E, 30),
    ]
    .into_iter()
    .map(|(fid, len)| {
        (
            fid,
            (0..len).map(|i| (i * 7 + fid as usize) as u8).collect(),
        )
    })
    .collect()
}

/// One encode on a blank card: the report and the time spent writing (to the first read).
fn encode(
    enc: &mut dyn CardEncoder,
    info: &CardInfo,
    files: &[(u16, Vec<u8>)],
) -> (WriteReport, Duration) {
    let start = Instant::now();
    let mut writing = None;
    let report = write_files(enc, info, files, &WriteOptions::default(), &mut |p| {
        if p.phase == Phase::Verifying && writing.is_none() {
            writing = Some(start.elapsed());
        }
    })
    .expect("encode");
    (report, writing.unwrap_or_default())
}

struct Row {
    name: String,
    report: WriteReport,
    total: Vec<Duration>,
    write: Vec<Duration>,
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn print(rows: &[Row]) {
    println!(
        "{:<28} {:>6} {:>5} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "card / APDUs", "Lc", "APDUs", "minimum", "overhead", "write", "verify", "total"
    );
    for r in rows {
        let total = median(&r.total);
        let write = median(&r.write);
        println!(
            "{:<28} {:>6} {:>5} {:>8} {:>8.1}% {:>7.3}ms {:>7.3}ms {:>7.3}ms",
            r.name,
            r.report.limits.max_command_data,
            r.report.apdus,
            r.report.min_apdus,
            r.report.overhead_percent(),
            write.as_secs_f64() * 1e3,
            (total - write).as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3,
        );
    }
}

fn sim(name: &str, card: fn() -> VirtualCard, files: &[(u16, Vec<u8>)]) -> Row {
    let mut enc = SimCardEncoder::new(1, true);
    let control = enc.control();
    let (mut total, mut write) = (Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..RUNS_SIM {
        control.insert_card(card());
        let info = enc.wait_card(Duration::from_millis(100)).unwrap();
        let (report, w) = encode(&mut enc, &info, files);
        total.push(report.elapsed);
        write.push(w);
        last = Some(report);
    }
    Row {
        name: name.into(),
        report: last.unwrap(),
        total,
        write,
    }
}

fn pcscd(name: &str, card: fn() -> VirtualCard, files: &[(u16, Vec<u8>)]) -> Row {
    let reader = stack::reader(0);
    let mut enc = PcscEncoder::new(PcscConfig {
        reader: Some(reader.name.clone()),
        ..PcscConfig::default()
    });
    let mut handle = VpcdCard::connect(reader.addr, card()).unwrap();
    let (mut total, mut write) = (Vec::new(), Vec::new());
    let mut last = None;
    for run in 0..RUNS_PCSCD {
        if run > 0 {
            handle.remove();
            stack::wait_card_state(&reader.name, false);
            handle.insert(card()).unwrap();
        }
        let info = enc.wait_card(Duration::from_secs(5)).unwrap();
        let (report, w) = encode(&mut enc, &info, files);
        total.push(report.elapsed);
        write.push(w);
        last = Some(report);
    }
    enc.release().unwrap();
    drop(handle);
    stack::wait_card_state(&reader.name, false);
    Row {
        name: name.into(),
        report: last.unwrap(),
        total,
        write,
    }
}

fn main() {
    let files = files();
    let bytes: usize = files.iter().map(|(_, d)| d.len()).sum();
    println!(
        "encode + verify of {} files, {bytes} bytes (median of {RUNS_SIM} in-process / {RUNS_PCSCD} pcscd runs, blank cards)\n",
        files.len()
    );
    let mut rows = vec![
        sim(
            "in-process, short",
            || VirtualCard::new().short_only(),
            &files,
        ),
        sim("in-process, extended", VirtualCard::new, &files),
    ];
    if stack::available() {
        rows.push(pcscd(
            "pcscd+vpcd, short",
            || VirtualCard::new().short_only(),
            &files,
        ));
        rows.push(pcscd("pcscd+vpcd, extended", VirtualCard::new, &files));
    }
    print(&rows);
    println!(
        "\nminimum = per file CREATE + ceil(size/Lc) UPDATE + SELECT + ceil(size/Le) READ; \
         the personaliser adds its two marker files. Target: overhead within 10%."
    );
    let worst = rows
        .iter()
        .map(|r| r.report.overhead_percent())
        .fold(0.0, f64::max);
    println!(
        "worst overhead: {worst:.1}% ({})",
        if worst <= 10.0 {
            "within target"
        } else {
            "OVER TARGET"
        }
    );
}
