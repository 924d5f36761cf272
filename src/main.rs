//! The `expc` command line.

mod allocator;
mod cli;

fn main() -> std::process::ExitCode {
    allocator::keep_freed_memory();
    cli::main()
}
