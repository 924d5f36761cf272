//! Command-line parsing and the subcommands, one file each.

mod check;
mod diff;
mod explain;
mod model;
mod plan;
mod study;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// expc: declare, check, plan and diff studies of generative relation extraction.
#[derive(Debug, Parser)]
#[command(name = "expc", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a study and report every error and warning.
    Check(check::Args),
    /// Expand a study into its runs (the execution plan).
    Plan(plan::Args),
    /// Compare two studies or saved plans run by run (exit 0: same, 2: different, 1: error).
    Diff(diff::Args),
    /// Explain a diagnostic code (what, why, example).
    Explain(explain::Args),
    /// Check or inspect a Hugging Face checkpoint (T5, BART, GPT-2).
    Model(model::Args),
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Model(args) => model::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
