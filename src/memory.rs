//! Keeping reviewpub's resident memory small on glibc.
//!
//! glibc's allocator gives threads their own arenas (up to eight per core) and seldom hands
//! freed memory back to the system. A fan-out signs on many blocking-pool threads at once, so
//! without limits the process kept ~140 MiB after delivering 10,000 requests (BENCHMARKS.md).
//! Two arenas and a periodic trim bring it back down; elsewhere both calls do nothing.

use std::time::Duration;

/// How often freed memory is handed back to the system.
pub const TRIM_EVERY: Duration = Duration::from_secs(30);

/// Caps the allocator at two arenas. Call before the runtime starts its threads.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Returns free heap pages to the system (`malloc_trim`); takes about a millisecond.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` is thread-safe and only releases memory that is already free.
    unsafe {
        libc::malloc_trim(0);
    }
}
