//! A whole day through `ktpel-booth simulate-day` (the booth-service operations the kiosk's
//! screens call, with simulated devices and the embedded centre and desk), then a look at what
//! it left on disk: nothing personal in clear — no name, NIK, phone number or address, no
//! picture — anywhere under the data directory, the embedded centre's and desk's folders
//! included; every folder 0700 and every file 0600.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const BOOTH: &str = env!("CARGO_BIN_EXE_ktpel-booth");

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        out.push(p.clone());
        if p.is_dir() {
            files(&p, out);
        }
    }
}

/// Pictures as their files begin: PNG, JPEG (JFIF, Exif, or straight to its tables), JPEG 2000
/// (a codestream, or the JP2 box).
const PICTURES: &[(&str, &[u8])] = &[
    ("PNG", b"\x89PNG\r\n\x1a\n"),
    ("JPEG/JFIF", b"\xff\xd8\xff\xe0"),
    ("JPEG/Exif", b"\xff\xd8\xff\xe1"),
    ("JPEG", b"\xff\xd8\xff\xdb"),
    ("JPEG 2000", b"\xff\x4f\xff\x51"),
    ("JP2", b"\x00\x00\x00\x0cjP  "),
];

/// Every needle found in the files under `dir`: (file, what).
fn scan(dir: &Path, needles: &[(String, Vec<u8>)]) -> Vec<(PathBuf, String)> {
    let mut all = Vec::new();
    files(dir, &mut all);
    let mut found = Vec::new();
    for f in all.iter().filter(|f| f.is_file()) {
        let bytes = std::fs::read(f).unwrap();
        for (what, needle) in needles {
            if bytes.windows(needle.len()).any(|w| w == needle.as_slice()) {
                found.push((f.clone(), what.clone()));
            }
        }
    }
    found
}

/// Needles shorter than this turn up in ciphertext by chance: a 4-byte one ("SUSI", a JPEG
/// marker) once in 2^32 bytes, so in about one day in 200 across a day's few megabytes of
/// sealed data. A leak is written the same way every day; chance is not.
const CHANCE_BELOW: usize = 8;

/// The needles found under `data` after a day, less the short ones that a second day of the
/// same applicants (under `again`) does not show in the same file: what is really in clear.
fn in_clear(data: &Path, again: &Path, needles: &[(String, Vec<u8>)]) -> Vec<(PathBuf, String)> {
    let short = |what: &str| {
        needles
            .iter()
            .any(|(w, n)| w == what && n.len() < CHANCE_BELOW)
    };
    let found = scan(data, needles);
    if !found.iter().any(|(_, w)| short(w)) {
        return found;
    }
    common::simulate_day(None, again, 20, 12);
    let repeated: Vec<(PathBuf, String)> = scan(again, needles)
        .into_iter()
        .filter_map(|(f, w)| Some((f.strip_prefix(again).ok()?.to_path_buf(), w)))
        .collect();
    found
        .into_iter()
        .filter(|(f, w)| {
            !short(w)
                || f.strip_prefix(data)
                    .is_ok_and(|rel| repeated.contains(&(rel.to_path_buf(), w.clone())))
        })
        .collect()
}

#[test]
fn a_day_issues_cards_prints_the_right_papers_and_leaves_nothing_personal_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("booth");
    let report = common::simulate_day(None, &data, 20, 12);
    let applicants = report["applicants"].as_array().unwrap();
    let outcomes: Vec<&str> = applicants
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    let count = |o: &str| outcomes.iter().filter(|x| **x == o).count();
    // 15 print ready with 12 blanks: 12 cards at once, 3 when blanks arrive; 2 pickups; one of
    // each notice; and the second recording of an issued NIK stopped at verification.
    assert_eq!(count("issued"), 12, "{outcomes:?}");
    assert_eq!(count("blanks_then_picked_up"), 3, "{outcomes:?}");
    assert_eq!(count("receipt_then_picked_up"), 2, "{outcomes:?}");
    assert_eq!(count("duplicate_notice"), 1, "{outcomes:?}");
    assert_eq!(count("adjudicate_notice"), 1, "{outcomes:?}");
    assert_eq!(count("enroll_failure_notice"), 1, "{outcomes:?}");
    assert_eq!(count("rerecording_caught"), 1, "{outcomes:?}");
    assert_eq!(
        report["cards_printed"], 17,
        "every card a fact in the queue"
    );
    assert_eq!(report["audit_intact"], true);
    let complaints = applicants
        .iter()
        .filter(|a| a["complaint"].is_string())
        .count();
    assert_eq!(complaints, 2, "every tenth applicant complained");
    for a in applicants.iter().take(20) {
        assert!(a["rss_bytes"].as_u64().unwrap() > 0);
        assert!(a["steps"]["record_ms"].as_u64().unwrap() > 0);
    }

    // `queue show` lists each card put through the printer for a record.
    let issued = applicants
        .iter()
        .find(|a| a["outcome"] == "issued")
        .unwrap();
    let shown = Command::new(BOOTH)
        .arg("--data-dir")
        .arg(&data)
        .args(["queue", "show", issued["receipt_no"].as_str().unwrap()])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("state                  issued"), "{shown}");
    let card = shown
        .lines()
        .find(|l| l.starts_with("card 1"))
        .unwrap_or_default();
    assert!(
        card.contains("printed") && card.contains("printer job") && card.contains("chip verified"),
        "{shown}"
    );

    // What a thief with the disk would look for: the day's names, NIKs, addresses, phone
    // numbers (the complaints'), and pictures.
    let residents = ktpel_booth::centre_sim::population_of(2026, 600);
    let mut needles: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, r) in residents.iter().take(20).enumerate() {
        needles.push((format!("name {}", i + 1), r.name.clone().into_bytes()));
        needles.push((format!("NIK {}", i + 1), r.nik.as_str().as_bytes().to_vec()));
        needles.push((format!("address {}", i + 1), r.address.clone().into_bytes()));
        needles.push((
            format!("phone {}", i + 1),
            format!("08{:010}", 1_000_000 + i + 1).into_bytes(),
        ));
    }
    for (what, magic) in PICTURES {
        needles.push((what.to_string(), magic.to_vec()));
    }
    let found = in_clear(&data, &dir.path().join("again"), &needles);
    assert!(
        found.is_empty(),
        "personal data in clear on disk: {found:?}"
    );
    // The scan finds what is there: a planted copy of a name and of a photo.
    let planted = dir.path().join("planted");
    std::fs::create_dir_all(&planted).unwrap();
    std::fs::write(
        planted.join("leak.bin"),
        [
            b"..".as_slice(),
            residents[3].name.as_bytes(),
            PICTURES[1].1,
        ]
        .concat(),
    )
    .unwrap();
    let leaks: Vec<String> = scan(&planted, &needles)
        .into_iter()
        .map(|(_, w)| w)
        .collect();
    assert_eq!(leaks, ["name 4", "JPEG/JFIF"]);

    // Only the booth's user may read any of it.
    let mut all = Vec::new();
    files(&data, &mut all);
    assert!(all.len() > 5, "{all:?}");
    for p in all {
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        let want = if p.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, want, "{} is {mode:o}", p.display());
    }
}

/// The same day at an office that reviews records before sending: the supervisor approves each
/// (and rejects one, recorded again), and the day ends as it does without review.
#[test]
fn a_day_with_review_before_sending_runs_through_and_audits_the_rejection() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("booth");
    let config = dir.path().join("booth.toml");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/booth.toml"))
        .unwrap()
        .replace("review_before_send = false", "review_before_send = true");
    assert!(text.contains("review_before_send = true"));
    std::fs::write(&config, text).unwrap();
    let report = common::simulate_day(Some(&config), &data, 20, 20);
    let applicants = report["applicants"].as_array().unwrap();
    let rejected: Vec<u64> = applicants
        .iter()
        .filter(|a| a["rejected_at_review"] == true)
        .map(|a| a["n"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected, vec![19], "the nineteenth is rejected once");
    let issued = applicants
        .iter()
        .filter(|a| a["outcome"] == "issued")
        .count();
    assert_eq!(issued, 15, "every print-ready applicant gets a card");
    assert_eq!(report["audit_intact"], true);
    // The rejected record stays in the queue as rejected, with nothing left to send.
    let list = Command::new(BOOTH)
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["queue", "list"])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    assert_eq!(list.matches("rejected").count(), 1, "{list}");
    assert!(!list.contains("awaiting_review"), "{list}");
}
