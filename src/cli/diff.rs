//! `expc diff A B`: each side a `.exp` study or a saved plan.

use super::study::{Roots, load_quietly};
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
    // The two sides are read or planned at once; a study's diagnostics are printed after, the
    // old side's first, so they never interleave.
    let (old, new) = plan::side_by_side(
        || read_side(&args.old, &args.roots),
        || read_side(&args.new, &args.roots),
    );
    let (old, old_diagnostics) = old?;
    eprint!("{old_diagnostics}");
    let (new, new_diagnostics) = new?;
    eprint!("{new_diagnostics}");
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

/// The plan of one side (`None` when its study has errors) and the study's rendered
/// diagnostics (empty for a saved plan).
fn read_side(path: &Path, roots: &Roots) -> anyhow::Result<(Option<Plan>, String)> {
    if is_saved_plan(path) {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let plan = Plan::from_json(&text, &path.display().to_string())?;
        return Ok((Some(plan), String::new()));
    }
    let (study, diagnostics) = load_quietly(path, roots);
    let plan = study.map(|study| plan::build(&study, PlanOptions::default()));
    Ok((plan, diagnostics))
}
