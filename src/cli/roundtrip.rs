//! `expc roundtrip STUDY [--task T] [--json]`: render every gold target, extract it back, and
//! report how many relations come back (`extract(render(gold)) == gold`).

use super::study::{Roots, load};
use super::task::{self, SplitName};
use expc::extract::roundtrip;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `expc roundtrip`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file).
    study: PathBuf,
    /// Only this task (default: every task of the study).
    #[arg(long)]
    task: Option<String>,
    /// Print JSON lines (one per task and split) instead of a table.
    #[arg(long)]
    json: bool,
    /// List at most this many failures per task and split in the table.
    #[arg(long, default_value_t = 10)]
    show_failures: usize,
    #[command(flatten)]
    roots: Roots,
}

/// Exit 0 when every relation of every split comes back, 1 otherwise.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(study) = load(&args.study, &args.roots) else {
        return Ok(ExitCode::from(1));
    };
    let names: Vec<&String> = match &args.task {
        Some(name) => vec![
            study
                .tasks
                .get_key_value(name.as_str())
                .map(|(k, _)| k)
                .ok_or_else(|| anyhow::anyhow!("no task `{name}`"))?,
        ],
        None => study.tasks.keys().collect(),
    };
    if !args.json {
        println!(
            "{:<10} {:<10} {:>9} {:>9} {:>9} {:>9}",
            "task", "split", "documents", "relations", "recovered", "share"
        );
    }
    let mut complete = true;
    for name in names {
        let parts = task::find(&study, name)?;
        let splits = task::load(&parts)?;
        for split in SplitName::ALL {
            let result = roundtrip(&parts.template.spec, split.of(&splits))?;
            complete &= result.failures.is_empty();
            if args.json {
                let line = serde_json::json!({
                    "task": name,
                    "split": split.name(),
                    "documents": result.documents,
                    "relations": result.relations,
                    "recovered": result.recovered,
                    "failures": result.failures,
                });
                println!("{line}");
            } else {
                println!(
                    "{:<10} {:<10} {:>9} {:>9} {:>9} {:>8.2}%",
                    name,
                    split.name(),
                    result.documents,
                    result.relations,
                    result.recovered,
                    100.0 * result.recovery()
                );
                for failure in result.failures.iter().take(args.show_failures) {
                    println!("    {}: {}", failure.document_id, failure.reason);
                }
                if result.failures.len() > args.show_failures {
                    println!(
                        "    … and {} more failures (--json lists all)",
                        result.failures.len() - args.show_failures
                    );
                }
            }
        }
    }
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
