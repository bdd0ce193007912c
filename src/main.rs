use std::process::ExitCode;

// mimalloc: the tool allocates many small nodes per document; measured faster than the system
// allocator on large streams (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (the same index in its v2 and v3 headers).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Keep freed pages for 100 ms (mimalloc's default: 10 ms) before returning them to the OS:
    // each window frees what the next one allocates, and a returned page costs a fault and a
    // zeroed page when it is used again. Measured on 40,000 resources (docs/performance.md): page
    // faults 49,070 (10 ms), 18,152 (100 ms), 203 (never); peak RSS at 100,000 resources 59, 68
    // and 100 MB. 100 ms is as fast as never on 1,000 and 10,000 resources and stays well under
    // the 100 MB goal.
    // SAFETY: sets a plain integer option of the allocator; no allocation depends on it.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 100) };
    let code = kubeopencode_inject::run(std::env::args_os().collect());
    // At exit mimalloc would return every free page to the OS, one madvise at a time, just before
    // the process gives all of them back anyway: 5% of a run over one Deployment, 3% of one over
    // 1,000 resources (docs/performance.md). A purge delay of -1 turns that off.
    // SAFETY: as above.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    code
}
