//! kill -9 at random moments: a real child process records enrollments through the booth's
//! seal-and-commit path (and moves some on to "received", which deletes their sealed captures),
//! printing each id only after the call returned. The parent kills it with SIGKILL at random
//! moments (50 times, or `KTPEL_CRASH_TRIALS` times: `.ci/crash-trials` runs 200 in release) and checks, after every kill, that every record the child reported is there in
//! the state it reported, that the audit chain is intact, and that SQLite's integrity check passes.
//!
//! `harness = false`: the same binary is the child (`--child DIR`) and the parent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use ktpel_booth::booth::open_store;
use ktpel_booth::clock::Clock;
use ktpel_booth::config::{CentreConfig, Config, RemoteCentreConfig};
use ktpel_booth::queue::State;
use rand::Rng;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Kills when `KTPEL_CRASH_TRIALS` is not set: CI's quick count.
const DEFAULT_KILLS: usize = 50;

/// How many kills this run makes: `KTPEL_CRASH_TRIALS`, or [`DEFAULT_KILLS`].
fn kills() -> Result<usize, String> {
    match std::env::var("KTPEL_CRASH_TRIALS") {
        Err(_) => Ok(DEFAULT_KILLS),
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "KTPEL_CRASH_TRIALS={v:?}: a count of kills (1 or more) was expected"
            )),
        },
    }
}

fn config(dir: &Path) -> Config {
    let mut c = Config::load(None).unwrap();
    c.booth.data_dir = Some(dir.to_path_buf());
    // Nothing listens there: this child only records.
    c.centre = CentreConfig::Remote(RemoteCentreConfig {
        siak_url: "http://127.0.0.1:9".into(),
        centre_url: "http://127.0.0.1:9".into(),
        siak_api_key: "k".into(),
        centre_api_key: "k".into(),
        hpke_public_key: ktpel_booth::seal::CentreSecretKey::generate()
            .public()
            .to_bytes(),
        csca_certificate: csca_file(dir),
    });
    c
}

/// A CSCA certificate for the booth to trust (nothing here is ever verified against it).
fn csca_file(dir: &Path) -> PathBuf {
    let path = dir.join("csca.pem");
    if !path.exists() {
        let now = std::time::SystemTime::now();
        let csca = ktpel_icao_lds::pki::KeyAndCertificate::new_csca(
            "CN=CSCA crash test,C=ID",
            now,
            std::time::Duration::from_secs(3600),
        )
        .unwrap();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            &path,
            ktpel_icao_lds::pki::certificate_pem(&csca.certificate).unwrap(),
        )
        .unwrap();
    }
    path
}

fn child(dir: PathBuf) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async move {
        let (booth, _) = ktpel_booth::embedded::start(config(&dir), dir.clone(), Clock::System)
            .await
            .unwrap();
        let resident = ktpel_booth::domain::population::generate(
            7,
            1,
            ktpel_booth::clock::wib_date(jiff::Timestamp::now()),
        )
        .remove(0);
        let template = common::enrollment(&resident, 3, jiff::Timestamp::now());
        let mut out = std::io::stdout().lock();
        writeln!(out, "READY").unwrap();
        out.flush().unwrap();
        for n in 0u64.. {
            let mut e = template.clone();
            e.packet_id = Uuid::now_v7();
            let c = booth.record(e, None).await.unwrap();
            writeln!(out, "COMMITTED {}", c.packet_id).unwrap();
            out.flush().unwrap();
            if n % 3 == 0 {
                let now = jiff::Timestamp::now();
                let id = c.packet_id;
                booth
                    .queue
                    .call(move |s| {
                        // Claims every due packet (older ones stay `sending`, as after a
                        // failed send), then confirms this one.
                        s.claim_sendable(now, Duration::from_secs(60), 10_000)?;
                        s.mark_received(id, now, now)
                    })
                    .await
                    .unwrap();
                writeln!(out, "RECEIVED {id}").unwrap();
                out.flush().unwrap();
            }
        }
    });
}

fn parent() -> Result<(), String> {
    let kills = kills()?;
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut reported: HashMap<Uuid, State> = HashMap::new();
    let mut rng = rand::rng();
    let started = Instant::now();
    for kill in 1..=kills {
        let mut proc = Command::new(&exe)
            .arg("--child")
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the child: {e}"))?;
        let stdout = proc.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .map_err(|_| "the child never became ready".to_string())?;
        if line != "READY" {
            return Err(format!("child said {line:?}"));
        }
        // Let it commit a few records first (so every run exercises commits, however slow the
        // machine), then kill at a random moment: mid-seal, mid-commit or mid-transition.
        let wait_for = rng.random_range(0..=3);
        let mut lines = Vec::new();
        while lines
            .iter()
            .filter(|l: &&String| l.starts_with("COMMITTED"))
            .count()
            < wait_for
        {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .map_err(|_| format!("kill {kill}: the child stopped committing"))?;
            lines.push(line);
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(0..250)));
        if let Ok(Some(status)) = proc.try_wait() {
            return Err(format!("kill {kill}: the child died by itself ({status})"));
        }
        proc.kill().map_err(|e| format!("kill: {e}"))?; // SIGKILL
        proc.wait().map_err(|e| format!("wait: {e}"))?;
        reader.join().ok();
        lines.extend(rx.try_iter());
        for line in lines {
            let (what, id) = line.split_once(' ').ok_or(format!("odd line {line:?}"))?;
            let id = Uuid::parse_str(id).map_err(|e| e.to_string())?;
            let state = match what {
                "COMMITTED" => State::Recorded,
                "RECEIVED" => State::Received,
                _ => return Err(format!("odd line {line:?}")),
            };
            reported.insert(id, state);
        }
        // Reopen as the next start of the booth would, and check everything reported.
        let store = open_store(dir.path(), 1).map_err(|e| format!("kill {kill}: reopen: {e}"))?;
        let rows: HashMap<Uuid, _> = store
            .list()
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|r| (r.packet_id, r))
            .collect();
        for (id, state) in &reported {
            let row = rows
                .get(id)
                .ok_or(format!("kill {kill}: committed record {id} is gone"))?;
            match state {
                State::Received if row.state != State::Received || row.holds_sealed_captures => {
                    return Err(format!("kill {kill}: {id} lost its received state"))
                }
                State::Recorded if !row.holds_sealed_captures && row.state != State::Received => {
                    return Err(format!("kill {kill}: {id} lost its sealed captures"))
                }
                _ => {}
            }
        }
        let audit = store.verify_audit().map_err(|e| e.to_string())?;
        if !audit.ok() {
            return Err(format!("kill {kill}: audit chain: {:?}", audit.problems));
        }
        drop(store);
        let conn = rusqlite::Connection::open(dir.path().join("queue.db")).unwrap();
        let integrity: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        if integrity != "ok" {
            return Err(format!("kill {kill}: integrity_check: {integrity}"));
        }
    }
    println!(
        "crash: {kills} SIGKILLs, {} records reported committed, all present with an intact \
         audit chain ({:.1} s)",
        reported.len(),
        started.elapsed().as_secs_f64()
    );
    if reported.len() < kills / 2 {
        return Err(format!(
            "only {} records were committed in {kills} runs: the test did not exercise commits",
            reported.len()
        ));
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(PathBuf::from(&args[i + 1]));
        return;
    }
    // `cargo test -- --list` and filters: this target has one test, "crash".
    if args.iter().any(|a| a == "--list") {
        println!("crash: test");
        return;
    }
    match parent() {
        Ok(()) => println!("test result: ok. 1 passed; 0 failed; 0 ignored"),
        Err(e) => {
            println!("crash: FAILED: {e}");
            println!("test result: FAILED. 0 passed; 1 failed; 0 ignored");
            std::process::exit(1);
        }
    }
}
