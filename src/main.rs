use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;
use std::process::ExitCode;

use libmimalloc_sys as mi;

// mimalloc: the tool allocates many small nodes per document; measured faster than the system
// allocator on large streams (docs/performance.md).
#[global_allocator]
static GLOBAL: Mimalloc = Mimalloc;

/// mimalloc, called through its plain entry points when the alignment asked for is one every
/// block has (its blocks are multiples of a word, in word-aligned pages). The `mimalloc` crate
/// calls the aligned entry points for every allocation, and those take a slow path for a block
/// over 1 KiB whose size is not a power of two: over-allocation, and a slower free
/// (`mi_theap_malloc_zero_aligned_at_overalloc` was 5% of a run's samples at 1,000 resources).
struct Mimalloc;

/// The alignment of every mimalloc block.
const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: every entry point returns a block of at least `layout.size()` bytes aligned to
// `layout.align()` (the plain ones only when that alignment is at most a word, which every
// mimalloc block has), or null; every block is freed or reallocated by mimalloc.
unsafe impl GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain calls into the allocator with a valid size and power-of-two alignment.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` was allocated by mimalloc (the caller's contract).
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was allocated by mimalloc with `layout` (the caller's contract).
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}

/// mimalloc's `mi_option_purge_delay` (the same index in its v2 and v3 headers).
const MI_OPTION_PURGE_DELAY: mi::mi_option_t = 15;

fn main() -> ExitCode {
    // Keep freed pages for 100 ms (mimalloc's default: 10 ms) before returning them to the OS:
    // each window frees what the next one allocates, and a returned page costs a fault and a
    // zeroed page when it is used again. Measured on 40,000 resources (docs/performance.md): page
    // faults 49,070 (10 ms), 18,152 (100 ms), 203 (never); peak RSS at 100,000 resources 59, 68
    // and 100 MB. 100 ms is as fast as never on 1,000 and 10,000 resources and stays well under
    // the 100 MB goal.
    // SAFETY: sets a plain integer option of the allocator; no allocation depends on it.
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, 100) };
    let code = kubeopencode_inject::run(std::env::args_os().collect());
    // At exit mimalloc would return every free page to the OS, one madvise at a time, just before
    // the process gives all of them back anyway: 5% of a run over one Deployment, 3% of one over
    // 1,000 resources (docs/performance.md). A purge delay of -1 turns that off.
    // SAFETY: as above.
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    code
}
