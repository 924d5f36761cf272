//! `expc extractor STUDY --task T`: the extractor derived from the task's target template.

use super::study::{Roots, load};
use super::task;
use expc::extract::Extractor;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `expc extractor`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file).
    study: PathBuf,
    /// The task whose extractor is printed.
    #[arg(long)]
    task: String,
    #[command(flatten)]
    roots: Roots,
}

/// Prints the pattern(s) and how a text is cut into relation sentences.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(study) = load(&args.study, &args.roots) else {
        return Ok(ExitCode::from(1));
    };
    let parts = task::find(&study, &args.task)?;
    let spec = &parts.template.spec;
    let extractor = Extractor::derive(spec)?;
    let origin = if spec.extractor.is_some() {
        "explicit (from the template's `extractor`)"
    } else {
        "derived from the relation template"
    };
    println!(
        "task {} · template {} · {origin}",
        parts.name, parts.template_name
    );
    for pattern in extractor.patterns() {
        println!("pattern:    {pattern}");
    }
    println!("null:       {:?}", spec.null);
    println!("separator:  {:?} (also its trimmed form)", spec.separator);
    println!(
        "terminator: {:?} (one, stripped from the end)",
        spec.terminator
    );
    for (label, word) in &spec.labels {
        println!("label:      {word:?} → {label}");
    }
    if let Some(role) = spec.list_role() {
        println!(
            "list role:  {role} split on {:?}, {:?}, {:?}",
            spec.list.last, spec.list.separator, spec.list.pair
        );
    }
    Ok(ExitCode::SUCCESS)
}
