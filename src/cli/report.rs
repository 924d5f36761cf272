//! `expc report STUDY.exp|PLAN.json|RESULTS_DIR [--format …] [--metric …] [--mode …] [--runs]
//! [--figures[=DIR]]`: the paper's Table 1 of the finished runs, paired comparisons, per-run
//! detail and SVG bar charts.

use super::status::read_plan;
use super::study::Roots;
use expc::report::{self, Metric, ReportOptions};
use expc::score::CountingMode;
use expc::store::{RunStore, write_atomically};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `expc report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A study (`.exp`), a saved plan (`.json`), or a results folder (its finished runs).
    input: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    format: Format,
    /// The score in the table's cells (comparisons always compare F1).
    #[arg(long, value_enum, default_value = "f1")]
    metric: MetricChoice,
    /// How matches are counted.
    #[arg(long, value_enum, default_value = "strict")]
    mode: ModeChoice,
    /// Also show every run (with `--format csv`: one line per run instead of the table).
    #[arg(long)]
    runs: bool,
    /// Write SVG bar charts, one per task and shot setting: `--figures` into
    /// `<results>/figures/`, `--figures=DIR` into DIR.
    #[arg(long, value_name = "DIR", num_args = 0..=1, require_equals = true)]
    figures: Option<Option<PathBuf>>,
    /// The results folder of a study or plan (default: the study's `results`).
    #[arg(long, value_name = "DIR")]
    results: Option<PathBuf>,
    #[command(flatten)]
    roots: Roots,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Aligned text.
    Terminal,
    /// Markdown tables.
    Markdown,
    /// CSV: one line per model and column (or per run with `--runs`).
    Csv,
    /// Versioned JSON with everything.
    Json,
}

/// The metric of the table's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MetricChoice {
    /// Micro F1.
    F1,
    /// Micro precision.
    Precision,
    /// Micro recall.
    Recall,
}

/// The counting mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ModeChoice {
    /// One-to-one matching.
    Strict,
    /// The paper's counting.
    Paper,
}

/// Prints the report and writes the figures.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (study, store, runs) = if args.input.is_dir() {
        if args.results.is_some() {
            anyhow::bail!(
                "--results is for a study or a plan; {} is a results folder already",
                args.input.display()
            );
        }
        let store = RunStore::open(&args.input);
        let mut runs = store.finished_runs()?;
        // Runs found in a folder alone have no plan order: by model, task, shots and seed.
        runs.sort_by(|a, b| {
            (&a.model, &a.task, a.shots, a.seed).cmp(&(&b.model, &b.task, b.shots, b.seed))
        });
        (folder_name(&args.input), store, runs)
    } else {
        let Some(plan) = read_plan(&args.input, &args.roots)? else {
            return Ok(ExitCode::from(1));
        };
        let results = args.results.clone().unwrap_or_else(|| plan.results.clone());
        (plan.study, RunStore::open(results), plan.runs)
    };
    let options = ReportOptions {
        metric: match args.metric {
            MetricChoice::F1 => Metric::F1,
            MetricChoice::Precision => Metric::Precision,
            MetricChoice::Recall => Metric::Recall,
        },
        mode: match args.mode {
            ModeChoice::Strict => CountingMode::Strict,
            ModeChoice::Paper => CountingMode::Paper,
        },
    };
    let outcomes = report::collect(&store, &runs)?;
    let report = report::build(&study, &outcomes, options)?;
    match args.format {
        Format::Terminal => print!("{}", report::render_terminal(&report, args.runs)),
        Format::Markdown => print!("{}", report::render_markdown(&report, args.runs)),
        Format::Csv => print!("{}", report::render_csv(&report, args.runs)),
        Format::Json => println!("{}", report::render_json(&report)),
    }
    if let Some(folder) = &args.figures {
        let folder = folder
            .clone()
            .unwrap_or_else(|| store.results().join("figures"));
        write_figures(&report, &folder)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes every figure of `report` into `folder`, saying so on stderr.
fn write_figures(report: &report::Report, folder: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(folder)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", folder.display()))?;
    let figures = report::figures(report)?;
    for figure in &figures {
        write_atomically(&folder.join(&figure.file_name), figure.svg.as_bytes())?;
    }
    eprintln!(
        "{} figure(s) written to {}",
        figures.len(),
        folder.display()
    );
    Ok(())
}

/// The last component of a folder's path, for a report made from the folder alone.
fn folder_name(folder: &Path) -> String {
    std::path::absolute(folder)
        .ok()
        .and_then(|path| path.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "results".into())
}
