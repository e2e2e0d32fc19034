//! Logging, set up once. Log lines carry ids, states and error classes, never personal data:
//! types that hold such data print themselves masked in `Debug`.

use tracing_subscriber::EnvFilter;

/// Logs to stderr at the level in `RUST_LOG` (default `info`, or `warn` for CLI tools).
pub fn init(default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
