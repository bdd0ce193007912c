use std::process::ExitCode;

use kubeopencode_inject::alloc;

// mimalloc: the tool allocates many small nodes per document; measured faster than the system
// allocator on large streams (docs/performance.md).
#[global_allocator]
static GLOBAL: alloc::Mimalloc = alloc::Mimalloc;

fn main() -> ExitCode {
    alloc::at_start();
    let code = kubeopencode_inject::run(std::env::args_os().collect());
    alloc::at_exit();
    code
}
