//! `expc sample STUDY --task T --shots K --seed S`: the few-shot sample a run trains on.

use super::study::{Roots, load};
use super::task;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `expc sample`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file).
    study: PathBuf,
    /// The task whose training split is sampled.
    #[arg(long)]
    task: String,
    /// Number of training documents.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    shots: u32,
    /// Sampling seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    roots: Roots,
}

/// Prints the sampled document ids, one per line, in sample order.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(study) = load(&args.study, &args.roots) else {
        return Ok(ExitCode::from(1));
    };
    let parts = task::find(&study, &args.task)?;
    let splits = task::load(&parts)?;
    let ids: Vec<&str> = splits.train.iter().map(|d| d.id.as_str()).collect();
    for id in expc::corpus::sample_ids(&ids, args.shots as usize, args.seed) {
        println!("{id}");
    }
    Ok(ExitCode::SUCCESS)
}
