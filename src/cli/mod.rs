//! Command-line parsing and the subcommands, one file each.

mod bench;
mod check;
mod diff;
mod explain;
mod extractor;
mod model;
mod plan;
mod render;
mod report;
mod roundtrip;
mod run;
mod sample;
mod score;
mod snapshot;
mod status;
mod study;
mod task;

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
    /// Print the few-shot sample of a task's training split for a seed.
    Sample(sample::Args),
    /// Show the source and target texts a task's template makes of documents.
    Render(render::Args),
    /// Print the extractor derived from a task's target template.
    Extractor(extractor::Args),
    /// Render every gold target and extract it back; report what is recovered.
    Roundtrip(roundtrip::Args),
    /// Score model outputs against gold relations (strict P/R/F1).
    Score(score::Args),
    /// Snapshot-test the study's prompts, targets, extractors and template examples.
    Snapshot(snapshot::Args),
    /// Show each planned run's status in the results folder: done, partial, new or blocked.
    Status(status::Args),
    /// Tabulate finished runs like the paper's Table 1, with paired comparisons and figures.
    Report(report::Args),
    /// Check or inspect a Hugging Face checkpoint (T5, BART, GPT-2).
    Model(model::Args),
    /// Run the plan: finetune, generate and score every run not done yet (resumable).
    Run(run::Args),
    /// Measure training, generation, planning, extraction and loading; compare with PyTorch.
    Bench(bench::Args),
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Sample(args) => sample::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Extractor(args) => extractor::run(&args),
        Command::Roundtrip(args) => roundtrip::run(&args),
        Command::Score(args) => score::run(&args),
        Command::Snapshot(args) => snapshot::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Model(args) => model::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Bench(args) => bench::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
