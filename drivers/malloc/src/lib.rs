//! glibc's allocator, tuned for a booth that runs all day.
//!
//! glibc gives each thread that allocates concurrently an arena of its own (up to eight per
//! core) and keeps the pages freed in each arena for reuse. The booth's work comes in bursts on
//! many threads — a capture on a device worker, sealing on a blocking thread, the card on
//! another — so every arena grows to its own peak and stays there: measured over a day of 80
//! applicants, resident memory was two to three times the live heap (heaptrack: 55 MB live,
//! 165 MB resident) and kept drifting up. Two settings fix that:
//!
//! - [`limit_arenas`]: at most `n` arenas (`mallopt(M_ARENA_MAX)`), set once at start, before
//!   threads are spawned;
//! - [`release_free_memory`]: hand freed pages in every arena back to the kernel
//!   (`malloc_trim(0)`), called when an applicant's work is done.
//!
//! Elsewhere than glibc both do nothing and say so.
//!
//! This is the only code of the booth's own that calls into C besides the JPEG 2000 codec; each
//! call is one libc function with plain integer arguments.

/// Caps the number of malloc arenas. `true` when glibc accepted the setting.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_arenas(n: u8) -> bool {
    // SAFETY: mallopt takes two integers, touches only the allocator's own settings, and is
    // safe to call at any time (glibc serialises it with the arenas' locks).
    #[allow(unsafe_code)]
    let accepted = unsafe { libc::mallopt(libc::M_ARENA_MAX, i32::from(n.max(1))) };
    accepted == 1
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn limit_arenas(_n: u8) -> bool {
    false
}

/// Returns freed memory in every arena to the kernel. `true` when some was returned.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn release_free_memory() -> bool {
    // SAFETY: malloc_trim takes the padding to keep and only releases pages no allocation
    // uses; it locks each arena while it works, so other threads may allocate meanwhile.
    #[allow(unsafe_code)]
    let released = unsafe { libc::malloc_trim(0) };
    released == 1
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_memory() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_accepts_the_arena_cap_and_returns_a_freed_block() {
        assert!(limit_arenas(2));
        // 64 MB touched and freed below the mmap threshold's reach: glibc's dynamic threshold
        // grows to it after the first big free, so the second block comes from the arena.
        let first = vec![1u8; 64 << 20];
        drop(first);
        let mut blocks: Vec<Vec<u8>> = (0..64).map(|i| vec![i as u8; 1 << 20]).collect();
        // Keep one block at the end so the heap cannot simply shrink from the top.
        let last = blocks.pop();
        drop(blocks);
        assert!(release_free_memory(), "freed arena pages were not returned");
        drop(last);
    }
}
