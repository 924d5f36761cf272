//! `expc check STUDY`.

use super::study::{Roots, load};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `expc check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file).
    study: PathBuf,
    #[command(flatten)]
    roots: Roots,
}

/// Checks the study; exit 1 when it has errors.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(study) = load(&args.study, &args.roots) else {
        return Ok(ExitCode::from(1));
    };
    let runs: usize = study
        .experiments
        .iter()
        .map(|e| e.models.len() * e.tasks.len() * e.shots.len() * e.seeds.len())
        .sum();
    println!(
        "study `{}` is valid: {} models, {} datasets, {} templates, {} tasks, {} experiments, {} runs",
        study.name,
        study.models.len(),
        study.datasets.len(),
        study.templates.len(),
        study.tasks.len(),
        study.experiments.len(),
        runs
    );
    Ok(ExitCode::SUCCESS)
}
