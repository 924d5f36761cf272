//! `expc diff A B`: each side a `.exp` study or a saved plan.

use super::study::{Roots, load};
use expc::diff;
use expc::plan::{self, Plan, PlanOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `expc diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old side: a `.exp` study or a saved plan (`.json`).
    old: PathBuf,
    /// The new side: a `.exp` study or a saved plan (`.json`).
    new: PathBuf,
    /// Print the diff as versioned JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    roots: Roots,
}

/// Exit 0 when the plans are equivalent, 2 when they differ, 1 on error.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (old, new) = if is_saved_plan(&args.old) && is_saved_plan(&args.new) {
        // Two saved plans are read at once (a study's diagnostics would interleave).
        let (old, new) = std::thread::scope(|scope| {
            let old = scope.spawn(|| read_side(&args.old, &args.roots));
            let new = read_side(&args.new, &args.roots);
            let old = old
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (old, new)
        });
        (old?, new?)
    } else {
        (
            read_side(&args.old, &args.roots)?,
            read_side(&args.new, &args.roots)?,
        )
    };
    let (Some(old), Some(new)) = (old, new) else {
        return Ok(ExitCode::from(1));
    };
    let difference = diff::diff(&old, &new);
    if args.json {
        println!("{}", diff::render_json(&difference));
    } else {
        print!("{}", diff::render_human(&difference));
    }
    Ok(if difference.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn is_saved_plan(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

fn read_side(path: &Path, roots: &Roots) -> anyhow::Result<Option<Plan>> {
    if is_saved_plan(path) {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        return Ok(Some(Plan::from_json(&text, &path.display().to_string())?));
    }
    Ok(load(path, roots).map(|study| plan::build(&study, PlanOptions::default())))
}
