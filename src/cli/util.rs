//! What every command shares: loading the config, printing, the async runtime, Ctrl-C.

use anyhow::Context as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ktpel_booth::config::Config;

/// The booth's queue in `dir`, for the commands that read it; `Err` after saying why on stderr.
pub fn open_queue(
    config: &Config,
    dir: &std::path::Path,
) -> Result<ktpel_booth::queue::Store, ExitCode> {
    ktpel_booth::booth::open_store_with(
        dir,
        config.booth.number,
        &ktpel_booth::booth::keys::KeySettings::of(&config.booth),
    )
    .map_err(|e| {
        eprintln!(
            "ktpel-booth: cannot open the queue in {}: {e}",
            dir.display()
        );
        ExitCode::FAILURE
    })
}

pub fn load(
    path: &Option<PathBuf>,
    data_dir: &Option<PathBuf>,
) -> Result<(Config, PathBuf), ktpel_booth::config::ConfigError> {
    let mut config = Config::load(path.as_deref())?;
    if let Some(dir) = data_dir {
        config.booth.data_dir = Some(dir.clone());
    }
    let dir = config.data_dir();
    Ok((config, dir))
}

pub fn config_failure(e: ktpel_booth::config::ConfigError) -> ExitCode {
    eprintln!("ktpel-booth: the configuration is not usable:\n  {e}");
    ExitCode::from(2)
}

#[cfg(feature = "centre-sim")]
pub fn run_async<F: std::future::Future<Output = anyhow::Result<()>>>(f: F) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(f)
}

pub fn report(r: anyhow::Result<()>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ktpel-booth: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Blocks until Ctrl-C.
pub fn wait_for_ctrl_c() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(tokio::signal::ctrl_c())
        .context("cannot wait for Ctrl-C")
}

/// Calls `tick` five times a second until Ctrl-C, or until it answers `false`.
pub fn tick_until_ctrl_c(mut tick: impl FnMut() -> bool) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
            if !tick() {
                break;
            }
        }
    });
    Ok(())
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth a panic.
pub fn out(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}
