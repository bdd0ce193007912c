//! The allocator of the binary and of the benchmark: mimalloc 2, called through its plain entry
//! points when the alignment asked for is one every block has, and the options it runs with.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// mimalloc, called through its plain entry points when the alignment asked for is one every
/// block has (its blocks are multiples of a word, in word-aligned pages). The `mimalloc` crate
/// calls the aligned entry points for every allocation, and those take a slow path for a block
/// over 1 KiB whose size is not a power of two: over-allocation, and a slower free
/// (`mi_theap_malloc_zero_aligned_at_overalloc` was 5% of a run's samples at 1,000 resources).
pub struct Mimalloc;

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

/// Before the run: keep freed pages for 100 ms (mimalloc 2's default: 10 ms) before returning
/// them to the OS: each window frees what the next one allocates, and a returned page costs a
/// fault and a zeroed page when it is used again. Measured on 40,000 resources
/// (docs/performance.md): page faults 49,070 (10 ms), 18,152 (100 ms), 203 (never); 100 ms is as
/// fast as never on 1,000 and 10,000 resources and keeps the peak RSS well under the 100 MB goal.
pub fn at_start() {
    // SAFETY: sets a plain integer option of the allocator; no allocation depends on it.
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, 100) };
}

/// After the run: at exit mimalloc would return every free page to the OS, one madvise at a
/// time, just before the process gives all of them back anyway (5% of a run over one
/// Deployment, 3% of one over 1,000 resources). A purge delay of -1 turns that off.
pub fn at_exit() {
    // SAFETY: as in `at_start`.
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// The process flag behind the page policy: this process faults its memory in 4 KiB pages,
/// never in transparent huge pages. mimalloc asks for huge pages on its arena
/// (`madvise(MADV_HUGEPAGE)`), and each first touch of 2 MiB then zeroes the whole 2 MiB. That
/// is cheap only when the kernel has a warm 2 MiB block at hand: on a virtual machine that hands
/// free memory back to its host (free page reporting, as on these 2-core machines), a run that
/// follows a pause of a few seconds gets blocks the host must fault in again, measured at 0.1 to
/// 5 ms per 2 MiB page. A run over 10,000 resources after 2.5 s of idle took 97.5 ms in huge
/// pages and 50.6 ms in small ones (medians of six; `diff` 186 against 68 ms); run back to back,
/// huge pages were 5-9% faster there (docs/performance.md, session 11). A tool is run once,
/// not in a loop: small pages throughout. The flag is inherited by child processes; this tool
/// starts none.
#[cfg(target_os = "linux")]
mod thp {
    use std::ffi::{c_int, c_ulong};

    const PR_SET_THP_DISABLE: c_int = 41;

    unsafe extern "C" {
        fn prctl(option: c_int, ...) -> c_int;
    }

    pub fn turn_off() {
        // SAFETY: this option takes integers only, and sets a flag of this process.
        unsafe {
            prctl(
                PR_SET_THP_DISABLE,
                1 as c_ulong,
                0 as c_ulong,
                0 as c_ulong,
                0 as c_ulong,
            )
        };
    }
}

/// Before the first allocation (the binary runs it from `.init_array`, before the Rust runtime
/// allocates and so reserves mimalloc's arena): fault memory in 4 KiB pages (see [`thp`]).
pub extern "C" fn small_pages() {
    #[cfg(target_os = "linux")]
    thp::turn_off();
}
