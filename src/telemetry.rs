//! Logging, set up once. Log lines carry ids, states and error classes, never personal data:
//! types that hold such data print themselves masked in `Debug`.

use std::io::IsTerminal as _;
use tracing_subscriber::EnvFilter;

/// Logs to stderr at the level in `RUST_LOG` (default `info`, or `warn` for CLI tools), in
/// colour only for a person at a terminal (see [`colour`]).
pub fn init(default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let ansi = colour(std::io::stderr().is_terminal(), |k| std::env::var_os(k));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

/// Whether log lines carry colour codes: only on a terminal, never under `NO_COLOR`
/// (no-color.org) nor when systemd sends the output to the journal (`JOURNAL_STREAM`, which the
/// booth's unit gets even when cage hands its clients a terminal).
pub fn colour(stderr_is_terminal: bool, env: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    stderr_is_terminal && !set("NO_COLOR") && !set("JOURNAL_STREAM")
}

/// malloc arenas for the whole process: measured over 80 applicants, one keeps resident memory
/// flat (+1.7 MB after the tenth) where glibc's default (16 on two cores) drifted up by 2 MB an
/// applicant; per-thread caches keep small allocations off the shared lock.
pub const ALLOCATOR_ARENAS: u8 = 1;

/// Sets the allocator up for a process that runs all day (see `ktpel_malloc`). Call first in
/// `main`, before any thread starts.
pub fn tune_allocator() {
    ktpel_malloc::limit_arenas(ALLOCATOR_ARENAS);
}

/// The process's resident memory in bytes (Linux `/proc/self/statm`), for benchmarks and the
/// headless day; `None` where it cannot be read.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[cfg(test)]
mod tests {
    use super::colour;
    use std::ffi::OsString;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |k| {
            pairs
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn the_journal_a_pipe_and_no_color_get_plain_text() {
        assert!(colour(true, env(&[])));
        assert!(!colour(false, env(&[])));
        assert!(!colour(true, env(&[("JOURNAL_STREAM", "8:12345")])));
        assert!(!colour(true, env(&[("NO_COLOR", "1")])));
        assert!(colour(true, env(&[("NO_COLOR", "")])));
    }
}
