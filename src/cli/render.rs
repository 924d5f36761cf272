//! `expc render STUDY --task T [--split S] [--limit N]`: the source and target texts of documents.

use super::study::{Roots, load};
use super::task::{self, SplitName};
use expc::template::{decoder_text, render_source, render_target};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `expc render`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file).
    study: PathBuf,
    /// The task to render.
    #[arg(long)]
    task: String,
    /// The split to render.
    #[arg(long, value_enum, default_value = "train")]
    split: SplitName,
    /// Render at most this many documents.
    #[arg(long, default_value_t = 3)]
    limit: usize,
    /// Show the single text a decoder-only model trains on (source, join, target).
    #[arg(long)]
    decoder: bool,
    #[command(flatten)]
    roots: Roots,
}

/// Prints each document's id, source and target, with whitespace made visible at line ends.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(study) = load(&args.study, &args.roots) else {
        return Ok(ExitCode::from(1));
    };
    let parts = task::find(&study, &args.task)?;
    let splits = task::load(&parts)?;
    let spec = &parts.template.spec;
    for document in args.split.of(&splits).iter().take(args.limit) {
        let source = render_source(spec, document)?;
        let target = render_target(spec, document)?;
        println!(
            "── {} ({} {}) ──",
            document.id,
            parts.name,
            args.split.name()
        );
        if args.decoder {
            println!("{}", visible(&decoder_text(spec, &source, &target)));
        } else {
            println!("source:\n{}", visible(&source));
            println!("target:\n{}", visible(&target));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Marks each line end with `⏎` so trailing spaces and blank lines can be seen.
fn visible(text: &str) -> String {
    text.split('\n')
        .map(|line| format!("  {line}⏎"))
        .collect::<Vec<_>>()
        .join("\n")
}
