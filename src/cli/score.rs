//! `expc score STUDY --task T --predictions FILE [--mode …] [--json]`: strict P/R/F1 of model
//! outputs against the test split.

use super::study::{Roots, load};
use super::task::{self, SplitName};
use expc::extract::Extractor;
use expc::score::{CountingMode, Scores, read_predictions, score};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `expc score`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file).
    study: PathBuf,
    /// The task the predictions are for.
    #[arg(long)]
    task: String,
    /// JSON lines `{"id": …, "generated": …}`, one per document.
    #[arg(long, value_name = "FILE")]
    predictions: PathBuf,
    /// The split the predictions are for.
    #[arg(long, value_enum, default_value = "test")]
    split: SplitName,
    /// How matches are counted: `strict` (one-to-one), `paper` (the paper's quirks), or both.
    #[arg(long, value_enum, default_value = "both")]
    mode: ModeChoice,
    /// Print the scores as versioned JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    roots: Roots,
}

/// Which counting modes to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeChoice {
    /// One-to-one matching.
    Strict,
    /// The paper's counting.
    Paper,
    /// Both.
    Both,
}

/// The version of the scores JSON.
const FORMAT_VERSION: u32 = 1;

/// Prints the scores.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(study) = load(&args.study, &args.roots) else {
        return Ok(ExitCode::from(1));
    };
    let parts = task::find(&study, &args.task)?;
    let splits = task::load(&parts)?;
    let spec = &parts.template.spec;
    let extractor = Extractor::derive(spec)?;
    let predictions = read_predictions(&args.predictions)?;
    let modes: &[CountingMode] = match args.mode {
        ModeChoice::Strict => &[CountingMode::Strict],
        ModeChoice::Paper => &[CountingMode::Paper],
        ModeChoice::Both => &[CountingMode::Strict, CountingMode::Paper],
    };
    let results: Vec<Scores> = modes
        .iter()
        .map(|mode| {
            score(
                spec,
                &extractor,
                args.split.of(&splits),
                &predictions,
                *mode,
            )
        })
        .collect::<Result<_, _>>()?;
    if args.json {
        let value = serde_json::json!({ "format_version": FORMAT_VERSION, "task": parts.name, "split": args.split.name(), "scores": results });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        for scores in &results {
            print_table(scores);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(scores: &Scores) {
    let mode = match scores.mode {
        CountingMode::Strict => "strict",
        CountingMode::Paper => "paper",
    };
    println!(
        "{mode} counting · {} documents ({} without prediction) · {} unparseable pieces",
        scores.documents, scores.documents_without_prediction, scores.unparseable
    );
    println!(
        "{:<12} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7}",
        "label", "gold", "pred", "tp", "fp", "fn", "P", "R", "F1"
    );
    let rows = scores
        .labels
        .iter()
        .map(|(l, s)| (l.as_str(), s))
        .chain([("micro", &scores.micro)]);
    for (label, s) in rows {
        println!(
            "{:<12} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6.2}% {:>6.2}% {:>6.2}%",
            label,
            s.gold,
            s.predicted,
            s.true_positives,
            s.false_positives,
            s.false_negatives,
            100.0 * s.precision,
            100.0 * s.recall,
            100.0 * s.f1
        );
    }
    println!();
}
