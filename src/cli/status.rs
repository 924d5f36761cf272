//! `expc status STUDY.exp|PLAN.json [--results DIR]`: every planned run with its status in the
//! results folder (done, partial, new or blocked) and a count of each.

use super::study::{Roots, load};
use expc::plan::{self, Plan, PlanOptions};
use expc::report::render_status;
use expc::store::{RunStore, StoreError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `expc status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file) or a saved plan (`.json`).
    input: PathBuf,
    /// The results folder (default: the study's `results`).
    #[arg(long, value_name = "DIR")]
    results: Option<PathBuf>,
    #[command(flatten)]
    roots: Roots,
}

/// Prints the status table.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(plan) = read_plan(&args.input, &args.roots)? else {
        return Ok(ExitCode::from(1));
    };
    let store = RunStore::open(args.results.clone().unwrap_or_else(|| plan.results.clone()));
    let statuses = plan
        .runs
        .iter()
        .map(|run| Ok((run, store.status(run)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    print!("{}", render_status(&statuses));
    println!("results: {}", store.results().display());
    Ok(ExitCode::SUCCESS)
}

/// The plan of a saved plan (`.json`) or of a study (`.exp`); `None` when the study has errors
/// (already printed).
pub fn read_plan(path: &Path, roots: &Roots) -> anyhow::Result<Option<Plan>> {
    if path.extension().is_some_and(|e| e == "json") {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        return Ok(Some(Plan::from_json(&text, &path.display().to_string())?));
    }
    Ok(load(path, roots).map(|study| plan::build(&study, PlanOptions::default())))
}
