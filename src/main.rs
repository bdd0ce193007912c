use std::process::ExitCode;

// mimalloc: the tool allocates many small nodes per document; measured faster than the system
// allocator on large streams (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    kubeopencode_inject::run(std::env::args_os().collect())
}
