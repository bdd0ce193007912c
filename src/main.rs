use std::process::ExitCode;

// mimalloc: the tool allocates many small nodes per document; measured faster than the system
// allocator on large streams (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the same index in its v2 and v3 headers).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Keep freed pages instead of returning them to the OS 10 ms later: each window frees what
    // the next one allocates, and a returned page costs a fault and a zeroed page when it is used
    // again. Measured: 2,585 -> 197 page faults and about 25% less CPU on 40,000 resources; peak
    // RSS still follows the window (docs/performance.md).
    // SAFETY: sets a plain integer option of the allocator; no allocation depends on it.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    kubeopencode_inject::run(std::env::args_os().collect())
}
