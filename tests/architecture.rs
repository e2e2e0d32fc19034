//! The layers of `src/` (see `src/lib.rs`): every `crate::<module>` a file names must be in its
//! own layer's reach. Fails with the file, the line and the reference that goes the wrong way.
//!
//! ```text
//! cli (src/cli, the binary) → embedded → {kiosk, desk, centre_sim} → booth → queue → papers
//!     → wire → core
//! widgets → core        (the kiosk and the desk use widgets; the booth never does)
//! ```
//!
//! Files that are nothing but unit tests (`tests.rs`, compiled only under `cfg(test)`) may borrow
//! fixtures from any layer: they are not part of the program.
//! ```text
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The core: domain rules, the card, sealing, time, configuration, papers.
const CORE: &[&str] = &[
    "assets",
    "audit_chain",
    "card",
    "clock",
    "config",
    "domain",
    "durable_db",
    "enrollment",
    "keyfile",
    "pin",
    "private_fs",
    "seal",
    "telemetry",
];

/// What each module outside the core may name, besides itself and the core.
fn allowed(module: &str) -> Option<&'static [&'static str]> {
    Some(match module {
        "wire" => &[],
        "papers" => &["wire"],
        "queue" => &["wire", "papers"],
        "booth" => &["wire", "papers", "queue"],
        "widgets" => &[],
        "kiosk" => &["wire", "papers", "queue", "booth", "widgets"],
        "desk" => &["wire", "papers", "widgets"],
        "centre_sim" => &["wire"],
        "embedded" => &["wire", "queue", "booth", "centre_sim", "desk"],
        "simulation" => &["wire", "papers", "queue", "booth", "centre_sim", "embedded"],
        m if CORE.contains(&m) => &[],
        _ => return None,
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top module a file under `src/` belongs to (`src/booth/issuance.rs` → `booth`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Every `crate::name` in `text`, with its line number (comments included: a doc link that
/// goes up the layers is a dependency of the reader's understanding too).
fn references(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `$crate::t!` and `crate::t!`: the kiosk's translation macro lives in the kiosk.
            if !name.is_empty() {
                out.push((n + 1, name));
            }
            rest = after;
        }
    }
    out
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut known: BTreeSet<String> = BTreeSet::new();
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap().display().to_string();
        let module = module_of(&src, file);
        if module == "cli" || module == "lib" {
            continue; // the binary sits on top of everything; lib.rs declares the modules
        }
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue; // unit tests only (see the module comment)
        }
        let Some(may) = allowed(&module) else {
            wrong.push(format!(
                "{rel}: module `{module}` has no layer in this test"
            ));
            continue;
        };
        known.insert(module.clone());
        let text = std::fs::read_to_string(file).unwrap();
        for (line, name) in references(&text) {
            // The kiosk's `t!` macro expands to `$crate::kiosk::…` inside kiosk files only.
            let ok =
                name == module || CORE.contains(&name.as_str()) || may.contains(&name.as_str());
            let ok = ok || (name == "t" && module == "kiosk");
            if !ok {
                wrong.push(format!("{rel}:{line}: `{module}` names `crate::{name}`"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "references that go up or across the layers:\n  {}",
        wrong.join("\n  ")
    );
    // The test saw the layers it is about (a move that hides a module from it fails here).
    for m in [
        "booth",
        "queue",
        "wire",
        "widgets",
        "kiosk",
        "desk",
        "centre_sim",
        "card",
    ] {
        assert!(known.contains(m), "no files of `{m}` found");
    }
}

#[test]
fn the_reference_scanner_finds_what_it_must() {
    let found = references("use crate::booth::Booth; // see crate::kiosk\n$crate::t!(x)");
    let names: Vec<_> = found.iter().map(|(l, n)| (*l, n.as_str())).collect();
    assert_eq!(names, [(1, "booth"), (1, "kiosk"), (2, "t")]);
}

/// A driver's `[dependencies]` entries for `ktpel-sim` that a real build would link: those not
/// marked optional (an optional one is pulled in only by the driver's `sim` feature).
fn linked_sim_dependency(manifest: &str) -> Result<bool, toml::de::Error> {
    let doc: toml::Table = toml::from_str(manifest)?;
    let Some(deps) = doc.get("dependencies").and_then(|d| d.as_table()) else {
        return Ok(false);
    };
    Ok(match deps.get("ktpel-sim") {
        None => false,
        Some(toml::Value::Table(t)) => t.get("optional").and_then(|o| o.as_bool()) != Some(true),
        Some(_) => true,
    })
}

#[test]
fn real_drivers_do_not_link_the_simulators() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("drivers");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let manifest = entry.path().join("Cargo.toml");
        if name == "sim" || !manifest.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest).unwrap();
        if linked_sim_dependency(&text).unwrap() {
            wrong.push(name);
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} driver crates found");
    assert!(
        wrong.is_empty(),
        "drivers that link ktpel-sim outside a `sim` feature: {wrong:?}"
    );
}

#[test]
fn the_manifest_check_tells_a_linked_simulator_from_an_optional_one() {
    let linked = "[dependencies]\nktpel-sim.workspace = true\n";
    let optional = "[dependencies]\nktpel-sim = { workspace = true, optional = true }\n";
    let dev = "[dev-dependencies]\nktpel-sim.workspace = true\n";
    assert!(linked_sim_dependency(linked).unwrap());
    assert!(!linked_sim_dependency(optional).unwrap());
    assert!(!linked_sim_dependency(dev).unwrap());
}
