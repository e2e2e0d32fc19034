//! Memory over a day (`cargo bench --bench memory`, release build): 80 applicants through the
//! headless day (`simulate-day`'s engine), then 80 through the kiosk's own update loop in the
//! headless emulator (sign-in, documents, SIAK, every capture with the live preview, save,
//! verdict, card printed and encoded, hand-over, as an operator taps it). Prints the process's
//! resident memory after each applicant and checks the goal: after the first ten, RSS stays
//! within 10 MB of its value at applicant 10, and under 100 MB.
//!
//! Under `cargo test` (no `--bench` argument) it runs three applicants of each, so the code
//! stays working without slowing the test run. `KTPEL_MEMORY_APPLICANTS=n` sets the count
//! (a short run under heaptrack, say).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
mod common;

use common::emulator;
use ktpel_booth::simulation::{Day, DayOptions};
use ktpel_booth::telemetry::resident_bytes;
use std::time::Duration;

fn mb(b: u64) -> f64 {
    b as f64 / 1_048_576.0
}

/// Prints the series and whether it met the goal; answers whether it did.
fn judge(what: &str, rss: &[u64]) -> bool {
    if rss.len() < 11 {
        println!("{what}: {} applicants (smoke run)", rss.len());
        return true;
    }
    let at10 = rss[9];
    let max = rss[10..].iter().copied().max().unwrap_or(at10);
    let last = *rss.last().unwrap_or(&at10);
    let flat = max <= at10 + 10 * 1_048_576;
    let under = max < 100 * 1_048_576;
    println!(
        "{what}: RSS at applicant 1 {:.1} MB, 10 {:.1} MB, max after 10 {:.1} MB (+{:.1}), at {} {:.1} MB — {}",
        mb(rss[0]),
        mb(at10),
        mb(max),
        mb(max.saturating_sub(at10)),
        rss.len(),
        mb(last),
        if flat && under { "flat, under 100 MB: goal met" } else { "GOAL MISSED" }
    );
    flat && under
}

fn headless_day(n: usize) -> Vec<u64> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let options = DayOptions {
            applicants: n,
            blanks: n as u32,
            data_dir: None,
        };
        let config = ktpel_booth::config::Config::load(None).unwrap();
        let day = Day::open(config, &options).await.unwrap();
        let mut rss = Vec::new();
        day.run(&options, |a| {
            if a.queue_no > 0 {
                println!(
                    "  day {:>3}: {:>6.1} MB  {:?}",
                    a.n,
                    mb(a.rss_bytes),
                    a.outcome
                );
                rss.push(a.rss_bytes);
            }
        })
        .await
        .unwrap();
        day.close();
        rss
    })
}

fn kiosk_day(n: usize) -> Vec<u64> {
    // The centre runs in this process for the test's sake; its records go to disk, as a real
    // centre's do, so the figures are the booth's.
    let office = common::Office::open_with_centre_on_disk();
    let mut config = office.config();
    config.transmit.verdict_poll_secs = 5;
    let mut k = emulator::boot(config, office.clock.clone());
    // The kiosk's window draws after every change; so does this run (see `Kiosk::redraw`).
    k.redraw_each_step = true;
    k.load_blanks(n as u32 + 5);
    emulator::sign_in(&mut k);
    let residents = office.centre.population().to_vec();
    let mut rss = Vec::new();
    for i in 0..n {
        let r = &residents[i % residents.len()];
        emulator::record(&mut k, r.nik.as_str());
        // The verdict comes; the operator calls the applicant and issues the card.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            office.hand.advance(Duration::from_secs(30));
            let counts = office.rt.block_on(k.running().queue().counts()).unwrap();
            if counts.get(ktpel_booth::queue::State::PrintReady) > 0 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no print-ready verdict for applicant {}: queue {counts:?}",
                i + 1
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        k.wait_for_text("SIAP CETAK — panggil pemohon", Duration::from_secs(30));
        k.drive(&[
            &format!("click \"{}\"", r.name),
            "click \"Terbitkan KTP-el\"",
        ]);
        k.wait_for_text("Cetak KTP-el", Duration::from_secs(30));
        k.drive(&["click \"Cetak KTP-el\"", "click \"Tulis chip\""]);
        k.wait_for_text("Serahkan KTP-el kepada pemohon", Duration::from_secs(30));
        k.drive(&[
            "click \"Serahkan KTP-el kepada pemohon\"",
            "click \"Kembali\"",
        ]);
        let now = resident_bytes().unwrap_or(0);
        println!("  kiosk {:>3}: {:>6.1} MB", i + 1, mb(now));
        rss.push(now);
    }
    rss
}

/// Each day runs in a process of its own, so one's memory is not counted in the other's.
const PART: &str = "KTPEL_MEMORY_PART";

fn main() {
    // As the booth's own main does before any thread starts.
    ktpel_booth::telemetry::tune_allocator();
    let bench = std::env::args().any(|a| a == "--bench");
    // KTPEL_MEMORY_APPLICANTS overrides the count (e.g. a short run under heaptrack).
    let n = std::env::var("KTPEL_MEMORY_APPLICANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench { 80 } else { 3 });
    match std::env::var(PART).as_deref() {
        Ok("day") => {
            let ok = judge("simulate-day", &headless_day(n));
            std::process::exit(if ok { 0 } else { 3 });
        }
        Ok("kiosk") => {
            let ok = judge("kiosk update loop", &kiosk_day(n));
            std::process::exit(if ok { 0 } else { 3 });
        }
        _ => {}
    }
    println!("memory over a day of {n} applicants (release: cargo bench --bench memory)");
    let exe = std::env::current_exe().unwrap();
    let mut missed = false;
    for part in ["day", "kiosk"] {
        let status = std::process::Command::new(&exe)
            .args(std::env::args().skip(1))
            .env(PART, part)
            .status()
            .unwrap();
        match status.code() {
            Some(0) => {}
            Some(3) => missed = true,
            _ => panic!("the {part} run failed: {status}"),
        }
    }
    if missed {
        println!("memory goal missed (see above)");
    }
}
