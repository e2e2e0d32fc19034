//! The one small tokio runtime behind the blocking client: every SBI client in the process
//! shares it (one I/O thread), so a booth with three SBI devices does not start three.

use crate::error::SbiError;
use std::future::Future;
use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared runtime, built on first use.
pub(crate) fn handle() -> Result<Handle, SbiError> {
    let rt = RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("sbi-io")
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| e.to_string())
    });
    match rt {
        Ok(rt) => Ok(rt.handle().clone()),
        Err(e) => Err(SbiError::Runtime(e.clone())),
    }
}

/// Runs `fut` to completion from blocking code. Called from inside another tokio runtime
/// (where blocking in place would panic), it blocks a scoped helper thread instead.
pub(crate) fn block_on<F>(fut: F) -> Result<F::Output, SbiError>
where
    F: Future + Send,
    F::Output: Send,
{
    let handle = handle()?;
    if Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(|| handle.block_on(fut))
                .join()
                .map_err(|_| SbiError::Runtime("an SBI request panicked".into()))
        })
    } else {
        Ok(handle.block_on(fut))
    }
}
