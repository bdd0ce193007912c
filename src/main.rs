use std::process::ExitCode;

use kubeopencode_inject::alloc;

// mimalloc: the tool allocates many small nodes per document; measured faster than the system
// allocator on large streams (docs/performance.md).
#[global_allocator]
static GLOBAL: alloc::Mimalloc = alloc::Mimalloc;

// Small pages, never transparent huge pages (`alloc::small_pages` says why): set before the Rust
// runtime makes its first allocation, which reserves mimalloc's arena.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static SMALL_PAGES: extern "C" fn() = alloc::small_pages;

fn main() -> ExitCode {
    alloc::at_start();
    let code = kubeopencode_inject::run(std::env::args_os().collect());
    alloc::at_exit();
    code
}
