//! `expc model verify DIR` and `expc model inspect DIR`.

use expc::backend::{BackendChoice, select_backend};
use expc::model::Checkpoint;
use expc::model::verify::{read_reference, verify};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `expc model`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Recompute a transformers `reference.json` (ids, logits, hidden states, loss,
    /// greedy and beam generations) and compare (exit 0: all pass, 1: a check failed).
    Verify(VerifyArgs),
    /// Show a checkpoint's family, sizes, tokenizer and tensors.
    Inspect(InspectArgs),
}

/// Arguments of `expc model verify`.
#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The checkpoint folder.
    dir: PathBuf,
    /// The reference file (default: DIR/reference.json).
    #[arg(long)]
    reference: Option<PathBuf>,
    /// Where to compute.
    #[arg(long, value_enum, default_value = "auto")]
    backend: BackendChoice,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `expc model inspect`.
#[derive(Debug, clap::Args)]
struct InspectArgs {
    /// The checkpoint folder.
    dir: PathBuf,
}

/// Runs `expc model …`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        Command::Verify(verify_args) => run_verify(verify_args),
        Command::Inspect(inspect_args) => run_inspect(inspect_args),
    }
}

fn run_verify(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let backend = select_backend(args.backend).map_err(anyhow::Error::msg)?;
    if !args.json {
        println!("backend: {} ({})", backend.name, backend.reason);
    }
    let checkpoint = Checkpoint::open(&args.dir)?;
    let network = checkpoint.network(&backend.device)?;
    let reference_path = args
        .reference
        .clone()
        .unwrap_or_else(|| args.dir.join("reference.json"));
    let reference = read_reference(&reference_path)?;
    let results = verify(&checkpoint, &network, &reference)?;
    let seconds = started.elapsed().as_secs_f64();
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.name.as_str())
        .collect();
    if args.json {
        let report = json!({
            "format_version": 1,
            "checkpoint": args.dir,
            "family": checkpoint.config.family(),
            "backend": backend.name,
            "backend_reason": backend.reason,
            "seconds": seconds,
            "passed": failed.is_empty(),
            "checks": results,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{} {}", checkpoint.config.family(), args.dir.display());
        for result in &results {
            let status = if result.passed { "ok  " } else { "FAIL" };
            match (result.max_abs_diff, result.tolerance) {
                (Some(diff), Some(tolerance)) => println!(
                    "  {status} {:<26} max diff {diff:.2e} (tolerance {tolerance:.0e}; {})",
                    result.name, result.detail
                ),
                _ => println!("  {status} {:<26} {}", result.name, result.detail),
            }
        }
        if failed.is_empty() {
            println!("all {} checks passed in {seconds:.2} s", results.len());
        } else {
            println!("failed: {} ({seconds:.2} s)", failed.join(", "));
        }
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_inspect(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let checkpoint = Checkpoint::open(&args.dir)?;
    println!("family:     {}", checkpoint.config.family());
    println!("parameters: {}", checkpoint.parameter_count());
    println!("vocab:      {} (config)", checkpoint.config.vocab_size());
    println!("tokenizer:  {} tokens", checkpoint.tokenizer.vocab_size());
    println!("generation: {:?}", checkpoint.generation);
    println!("tensors:");
    for (name, tensor) in &checkpoint.tensors {
        println!("  {name} {:?} {}", tensor.shape, tensor.stored_dtype);
    }
    Ok(ExitCode::SUCCESS)
}
