//! `expc snapshot STUDY [--check | --accept] [--per-split N] [--dir DIR]`: snapshot tests of
//! the study's templates and extractors.

use super::study::{Roots, load};
use super::task;
use anyhow::Context;
use expc::snapshot::{
    Comparison, SAMPLE_SEED, Status, TaskSubject, pending_path, study_prefix, task_snapshots,
    unified_diff,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `expc snapshot`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file).
    study: PathBuf,
    /// Compare with the stored snapshots and write nothing: print a diff of each changed one and
    /// exit 1 when any is changed, missing or obsolete (for CI).
    #[arg(long, conflicts_with = "accept")]
    check: bool,
    /// Store the new snapshots, removing pending `.snap.new` files and obsolete snapshots.
    #[arg(long)]
    accept: bool,
    /// Documents sampled from each split (with a fixed seed) for the `prompts` snapshots.
    #[arg(long, default_value_t = 3, value_name = "N")]
    per_split: usize,
    /// The snapshot folder (default: `snapshots/` beside the study).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(flatten)]
    roots: Roots,
}

/// Without a flag, writes new and changed snapshots as pending `.snap.new` files and exits 1
/// when there are any (review needed); `--check` exits 1 on any difference; `--accept` exits 0.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(study) = load(&args.study, &args.roots) else {
        return Ok(ExitCode::from(1));
    };
    let mut snapshots = Vec::new();
    for (name, declared) in &study.tasks {
        let parts = task::find(&study, name)?;
        let splits = task::load(&parts)?;
        let subject = TaskSubject {
            study: &study.name,
            task: name,
            template_name: parts.template_name,
            template: parts.template,
            dataset_name: &declared.dataset,
            splits: &splits,
        };
        snapshots.extend(
            task_snapshots(&subject, args.per_split)
                .with_context(|| format!("cannot snapshot task `{name}`"))?,
        );
    }
    let dir = args.dir.clone().unwrap_or_else(|| {
        args.study
            .parent()
            .unwrap_or(Path::new(""))
            .join("snapshots")
    });
    let comparison = Comparison::new(&dir, &args.study, &study_prefix(&study.name), snapshots)
        .with_context(|| format!("cannot read the snapshots in {}", dir.display()))?;
    let summary = format!(
        "{} snapshots of `{}` (sample: {} per split, seed {SAMPLE_SEED}) in {}: {} unchanged, {} changed, {} new, {} obsolete",
        comparison.entries.len(),
        study.name,
        args.per_split,
        dir.display(),
        comparison.count(Status::Unchanged),
        comparison.count(Status::Changed),
        comparison.count(Status::New),
        comparison.obsolete.len()
    );
    let cannot_write = || format!("cannot write the snapshots in {}", dir.display());
    if args.check {
        print_differences(&comparison);
        println!("{summary}");
        if comparison.is_clean() {
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "to update them: expc snapshot {} --accept",
            args.study.display()
        );
        return Ok(ExitCode::from(1));
    }
    if args.accept {
        let written = comparison.accept(&dir).with_context(cannot_write)?;
        println!("{summary}");
        println!(
            "accepted: {} files written, {} removed",
            written.written.len(),
            written.removed.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let written = comparison.write_pending(&dir).with_context(cannot_write)?;
    println!("{summary}");
    for path in &written.written {
        println!("pending: {}", path.display());
    }
    for path in &comparison.obsolete {
        println!("obsolete: {} (no task or kind makes it)", path.display());
    }
    if written.written.is_empty() && comparison.obsolete.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "review the pending snapshots with `cargo insta review`, or accept them all with `expc snapshot {} --accept`",
        args.study.display()
    );
    Ok(ExitCode::from(1))
}

/// A unified diff of each changed snapshot, then one line per missing or obsolete one.
fn print_differences(comparison: &Comparison) {
    for entry in &comparison.entries {
        match (entry.status, &entry.stored) {
            (Status::Changed, Some(stored)) => {
                let old = entry.path.display().to_string();
                let new = pending_path(&entry.path).display().to_string();
                print!("{}", unified_diff(stored, &entry.text, &old, &new));
            }
            (Status::New, _) => println!("missing: {}", entry.path.display()),
            _ => {}
        }
    }
    for path in &comparison.obsolete {
        println!("obsolete: {} (no task or kind makes it)", path.display());
    }
}
