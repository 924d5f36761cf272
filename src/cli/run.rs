//! `expc run STUDY.exp|PLAN.json [--only …] [--backend …] [--dry-run] [--fail-fast] [--quiet]
//! [--keep-checkpoints] [--results DIR]`: runs every planned run that is not done, in plan
//! order, and reports each.

use super::study::{Roots, load};
use expc::backend::{BackendChoice, select_backend};
use expc::plan::{self, Plan, PlanOptions, Run};
use expc::report::render_status;
use expc::run::{Progress, RunFilter, RunOptions, execute};
use expc::store::{RunStatus, RunStore, StoreError};
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `expc run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The study (`.exp` file) or a saved plan (`.json`).
    input: PathBuf,
    /// Only the runs matching `key=value[,key=value…]` (keys: model, task, shots, seed, id
    /// prefix); values of one key are alternatives; repeatable.
    #[arg(long, value_name = "FILTER")]
    only: Vec<String>,
    /// Where tensors live.
    #[arg(long, value_enum, default_value = "auto")]
    backend: BackendChoice,
    /// Print the runs with their status and run nothing.
    #[arg(long)]
    dry_run: bool,
    /// Stop at the first failing run.
    #[arg(long)]
    fail_fast: bool,
    /// One line per run, no progress bars.
    #[arg(short, long)]
    quiet: bool,
    /// Save each finetuned model (Hugging Face format) into its run's `checkpoint/` folder.
    #[arg(long)]
    keep_checkpoints: bool,
    /// The results folder (default: the study's `results`).
    #[arg(long, value_name = "DIR")]
    results: Option<PathBuf>,
    #[command(flatten)]
    roots: Roots,
}

/// Runs the selected runs; exit 1 when any failed or was refused.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Some(plan) = read_current_plan(&args.input, &args.roots)? else {
        return Ok(ExitCode::from(1));
    };
    let filter = RunFilter::parse(&args.only).map_err(anyhow::Error::msg)?;
    let runs: Vec<&Run> = plan.runs.iter().filter(|r| filter.matches(r)).collect();
    let store = RunStore::open(args.results.clone().unwrap_or_else(|| plan.results.clone()));
    if args.dry_run {
        let statuses = runs
            .iter()
            .map(|run| Ok((*run, store.status(run)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        print!("{}", render_status(&statuses));
        println!("results: {}", store.results().display());
        return Ok(ExitCode::SUCCESS);
    }
    let backend = select_backend(args.backend).map_err(anyhow::Error::msg)?;
    let interactive = !args.quiet && std::io::stderr().is_terminal();
    let mut reporter = Reporter::new(interactive, args.quiet, runs.len());
    reporter.line(&format!("backend: {} ({})", backend.name, backend.reason));
    let options = RunOptions {
        device: backend.device,
        keep_checkpoints: args.keep_checkpoints,
    };
    let (mut finished, mut cached, mut failed) = (0, 0, 0);
    for run in runs {
        let label = describe(run);
        match store.status(run)? {
            RunStatus::Done => {
                cached += 1;
                reporter.line(&format!("cached {label}"));
                reporter.run_done();
                continue;
            }
            RunStatus::Blocked => {
                failed += 1;
                reporter.line(&format!(
                    "refused {label}: blocked: {}",
                    run.blocked.join("; ")
                ));
                reporter.run_done();
                if args.fail_fast {
                    break;
                }
                continue;
            }
            RunStatus::Partial | RunStatus::New => {}
        }
        reporter.line(&format!("run {label}"));
        let outcome = execute(run, &store, &options, &mut |event| {
            reporter.progress(&event)
        });
        reporter.run_done();
        match outcome {
            Ok(outcome) => {
                finished += 1;
                let timing = outcome.metrics.timing;
                reporter.line(&format!(
                    "done {label}: strict F1 {:.4} (epoch {}; training {:.1}s, generation {:.1}s)",
                    outcome.metrics.strict.micro.f1,
                    outcome.selected_epoch,
                    timing.training_seconds,
                    timing.generation_seconds
                ));
            }
            Err(error) => {
                failed += 1;
                reporter.line(&format!("failed {label}: {error}"));
                if args.fail_fast {
                    break;
                }
            }
        }
    }
    reporter.finish();
    eprintln!(
        "{finished} finished, {cached} cached, {failed} failed; results: {}",
        store.results().display()
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `<short id> model / task / shots / seed`.
fn describe(run: &Run) -> String {
    format!(
        "{} {} / {} / {} / seed {}",
        run.short_id(),
        run.model,
        run.task,
        run.shots,
        run.seed
    )
}

/// The plan to run: the study's, or a saved plan that its study still plans identically (a
/// stale saved plan is refused, naming its stale runs). `None` when refused (already printed).
fn read_current_plan(input: &Path, roots: &Roots) -> anyhow::Result<Option<Plan>> {
    if input.extension().is_none_or(|e| e != "json") {
        return Ok(load(input, roots).map(|study| plan::build(&study, PlanOptions::default())));
    }
    let text = std::fs::read_to_string(input)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", input.display()))?;
    let saved = Plan::from_json(&text, &input.display().to_string())?;
    let Some(study) = load(&saved.source, roots) else {
        eprintln!(
            "error: the saved plan's study {} no longer checks; plan again",
            saved.source.display()
        );
        return Ok(None);
    };
    let fresh = plan::build(&study, PlanOptions::default());
    let current: HashSet<&str> = fresh.runs.iter().map(|r| r.id.as_str()).collect();
    let stale: Vec<&Run> = saved
        .runs
        .iter()
        .filter(|r| !current.contains(r.id.as_str()))
        .collect();
    if stale.is_empty() {
        return Ok(Some(saved));
    }
    eprintln!(
        "error: the saved plan {} is stale: {} of its {} runs are planned differently now (inputs changed since it was saved); plan {} again",
        input.display(),
        stale.len(),
        saved.runs.len(),
        saved.source.display()
    );
    for run in stale {
        let now = fresh.runs.iter().find(|f| {
            f.model == run.model && f.task == run.task && f.shots == run.shots && f.seed == run.seed
        });
        match now {
            Some(now) => eprintln!("  {}  (now {})", describe(run), now.short_id()),
            None => eprintln!("  {}  (no longer planned)", describe(run)),
        }
    }
    Ok(None)
}

/// Progress on stderr: on a terminal, one status line rewritten in place (runs, epoch, step,
/// loss, tokens/s, generation with ETA); otherwise plain lines; only run lines with `--quiet`.
struct Reporter {
    interactive: bool,
    quiet: bool,
    runs_done: usize,
    runs: usize,
    training_started: Option<Instant>,
    generation_started: Option<Instant>,
    /// When the last plain step line was written (off a terminal, steps are sampled).
    last_step_line: Option<Instant>,
}

/// Off a terminal, at most one step line per this many seconds (plus the first and last step).
const PLAIN_STEP_INTERVAL_SECONDS: f64 = 10.0;

/// `, ETA 12s` from the time since `started` and the work done out of `total`.
fn eta(started: Option<Instant>, done: usize, total: usize) -> String {
    match started {
        Some(started) if done > 0 => {
            let per_item = started.elapsed().as_secs_f64() / done as f64;
            format!(", ETA {:.0}s", per_item * total.saturating_sub(done) as f64)
        }
        _ => String::new(),
    }
}

impl Reporter {
    fn new(interactive: bool, quiet: bool, runs: usize) -> Self {
        Self {
            interactive,
            quiet,
            runs_done: 0,
            runs,
            training_started: None,
            generation_started: None,
            last_step_line: None,
        }
    }

    /// A line that stays.
    fn line(&self, text: &str) {
        if self.interactive {
            eprint!("\r\x1b[2K");
        }
        eprintln!("{text}");
    }

    /// The status line, replaced by the next one (terminal only).
    fn status(&self, text: &str) {
        let mut stderr = std::io::stderr();
        let _ = write!(
            stderr,
            "\r\x1b[2K[run {}/{}] {text}",
            (self.runs_done + 1).min(self.runs),
            self.runs
        );
        let _ = stderr.flush();
    }

    fn run_done(&mut self) {
        self.runs_done += 1;
    }

    fn progress(&mut self, event: &Progress) {
        if self.quiet {
            return;
        }
        match *event {
            Progress::Training {
                epochs,
                total_steps,
                documents,
                trainable,
                parameters,
            } => {
                self.training_started = Some(Instant::now());
                self.last_step_line = None;
                let share = if trainable < parameters {
                    format!(
                        ", {trainable} of {parameters} parameters trainable ({:.2}%)",
                        100.0 * trainable as f64 / parameters.max(1) as f64
                    )
                } else {
                    String::new()
                };
                self.line(&format!(
                    "  training on {documents} documents: {epochs} epochs, {total_steps} optimiser steps{share}"
                ));
            }
            Progress::Step(report) => {
                let text = format!(
                    "epoch {} step {}/{} loss {:.4} lr {:.3e} {:.0} tokens/s",
                    report.epoch,
                    report.step,
                    report.total_steps,
                    report.loss,
                    report.learning_rate,
                    report.tokens_per_second
                );
                if self.interactive {
                    let eta = eta(
                        self.training_started,
                        report.step as usize,
                        report.total_steps as usize,
                    );
                    self.status(&format!("{text}{eta}"));
                } else {
                    let due = self.last_step_line.is_none_or(|last| {
                        last.elapsed().as_secs_f64() >= PLAIN_STEP_INTERVAL_SECONDS
                    });
                    if due || report.step == report.total_steps {
                        self.last_step_line = Some(Instant::now());
                        self.line(&format!("  {text}"));
                    }
                }
            }
            Progress::Validation { epoch, f1 } => {
                self.line(&format!("  epoch {epoch} validation strict F1 {f1:.4}"));
            }
            Progress::Generating { split, done, total } => {
                if done == 0 {
                    self.generation_started = Some(Instant::now());
                }
                if self.interactive {
                    let eta = eta(self.generation_started, done, total);
                    self.status(&format!("generating {split} {done}/{total}{eta}"));
                } else if done == total {
                    self.line(&format!("  generated {total} {split} texts"));
                }
            }
        }
    }

    fn finish(&self) {
        if self.interactive {
            eprint!("\r\x1b[2K");
        }
    }
}
