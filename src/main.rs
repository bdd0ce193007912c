use std::process::ExitCode;

use kubeopencode_inject::alloc;

// mimalloc: the tool allocates many small nodes per document; measured faster than the system
// allocator on large streams (docs/performance.md).
#[global_allocator]
static GLOBAL: alloc::Mimalloc = alloc::Mimalloc;

// Small pages until the input is large (`alloc::HUGE_PAGES_AFTER`): set before the Rust runtime
// makes its first allocation, which reserves mimalloc's arena.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static SMALL_PAGES_FIRST: extern "C" fn() = alloc::small_pages_first;

fn main() -> ExitCode {
    alloc::at_start();
    let code = kubeopencode_inject::run(std::env::args_os().collect());
    alloc::at_exit();
    code
}
