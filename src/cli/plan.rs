//! `expc plan STUDY [--json] [-o FILE] [-v]`.

use super::study::{Roots, load};
use expc::plan::{self, PlanOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `expc plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file).
    study: PathBuf,
    /// Print the plan as versioned JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the plan as JSON to this file.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print the key behind every run id.
    #[arg(short, long)]
    verbose: bool,
    #[command(flatten)]
    roots: Roots,
}

/// Plans the study and prints it.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(study) = load(&args.study, &args.roots) else {
        return Ok(ExitCode::from(1));
    };
    let plan = plan::build(&study, PlanOptions::default());
    if let Some(path) = &args.output {
        write_atomically(path, &plan)?;
    }
    if args.json {
        println!("{}", plan.to_json());
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", plan::render_table(&plan));
    if args.verbose {
        println!();
        for run in &plan.runs {
            println!("{}  {}", run.short_id(), run.key_text());
        }
    }
    println!("\n{}", plan::summary(&plan));
    if let Some(path) = &args.output {
        println!("plan written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the plan's compact JSON to a temporary file beside `path`, then renames it over
/// `path`.
fn write_atomically(path: &std::path::Path, plan: &expc::plan::Plan) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::File::create(&tmp)
        .and_then(|mut file| plan.write_json_compact(&mut file))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}
