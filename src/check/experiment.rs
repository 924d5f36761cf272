//! `task NAME { dataset, template }` and `experiment NAME { models, tasks, shots, seeds, training }`.

use super::fields::{self, Fields};
use super::names::{Kind, Names};
use super::study::{Experiment, Shots, Task};
use super::training;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{Block, Value, ValueKind};
use std::collections::{BTreeMap, HashMap};

/// Checks a task block.
pub fn check_task(
    block: &Block,
    name: &str,
    names: &Names,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Task> {
    let mut fields = Fields::new(
        &block.fields,
        format!("task `{name}`"),
        block.name_span(),
        diagnostics,
    );
    let dataset = fields
        .require("dataset", "cdr")
        .and_then(|f| names.resolve(&f.value, Kind::Dataset, diagnostics));
    let template = fields
        .require("template", "cdr_paper")
        .and_then(|f| names.resolve(&f.value, Kind::Template, diagnostics));
    fields.finish(diagnostics);
    Some(Task {
        dataset: dataset?,
        template: template?,
        span: block.name_span(),
    })
}

/// Checks an experiment block.
pub fn check_experiment(
    block: &Block,
    name: &str,
    names: &Names,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Experiment> {
    let mut fields = Fields::new(
        &block.fields,
        format!("experiment `{name}`"),
        block.name_span(),
        diagnostics,
    );
    let before = diagnostics.len();
    let models = fields.require("models", "[t5_small]").map(|f| {
        grid(&f.value, "models", diagnostics, |v, d| {
            training::references(v, Kind::Model, names, d)
        })
    });
    let tasks = fields.require("tasks", "[cdr]").map(|f| {
        grid(&f.value, "tasks", diagnostics, |v, d| {
            training::references(v, Kind::Task, names, d)
        })
    });
    let shots = fields
        .require("shots", "[16, 64, full]")
        .map(|f| grid(&f.value, "shots", diagnostics, training::shots_list));
    let seeds = fields
        .require("seeds", "[0, 1, 2, 3, 4]")
        .map(|f| grid(&f.value, "seeds", diagnostics, training::seeds));
    let training = fields
        .get("training")
        .map(|f| names.resolve(&f.value, Kind::Training, diagnostics));
    fields.finish(diagnostics);
    for block_whens in &block.whens {
        diagnostics.push(
            Diagnostic::new(
                Code::WhenCondition,
                "`when` clauses belong in `training` blocks",
            )
            .at(
                Span::new(
                    block_whens.span.file,
                    block_whens.span.start,
                    block_whens.span.start + "when".len(),
                ),
                "not allowed in an experiment",
            )
            .help("move the override into the experiment's training profile"),
        );
    }
    if diagnostics.len() > before {
        return None;
    }
    Some(Experiment {
        name: name.to_string(),
        models: models?,
        tasks: tasks?,
        shots: shots?,
        seeds: seeds?,
        training: training.unwrap_or(None),
        span: block.name_span(),
    })
}

/// The values of one axis of the grid, read item by item so that a value listed twice is
/// reported where it is repeated.
fn grid<T: PartialEq>(
    value: &Value,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
    read: impl Fn(&Value, &mut Vec<Diagnostic>) -> Vec<T>,
) -> Vec<T> {
    let mut values: Vec<(T, Span)> = Vec::new();
    for item in fields::items(value) {
        for v in read(item, diagnostics) {
            if let Some((_, first)) = values.iter().find(|(x, _)| *x == v) {
                diagnostics.push(
                    Diagnostic::new(Code::DuplicateRun, format!("a value of `{what}` is listed twice"))
                        .at(item.span, "listed again")
                        .also(*first, "first listed here")
                        .help("every run of the experiment would be declared twice; remove the repeated value"),
                );
            } else {
                values.push((v, item.span));
            }
        }
    }
    if matches!(&value.kind, ValueKind::List(l) if l.is_empty()) {
        diagnostics.push(
            Diagnostic::new(Code::EmptyList, format!("`{what}` is empty"))
                .at(value.span, "no values")
                .help("an experiment with an empty axis has no runs; remove the experiment or list at least one value"),
        );
    }
    values.into_iter().map(|(v, _)| v).collect()
}

type Run<'e> = (&'e str, &'e str, Shots, u64);

/// Reports, once per pair of experiments, the runs both declare.
pub fn check_duplicate_runs(experiments: &[Experiment], diagnostics: &mut Vec<Diagnostic>) {
    // Hashed: a large grid declares 100,000 runs and more.
    let mut declared_by: HashMap<Run<'_>, usize> = HashMap::new();
    let mut shared: BTreeMap<(usize, usize), Vec<Run<'_>>> = BTreeMap::new();
    for (index, experiment) in experiments.iter().enumerate() {
        for model in &experiment.models {
            for task in &experiment.tasks {
                for &shots in &experiment.shots {
                    for &seed in &experiment.seeds {
                        let run = (model.as_str(), task.as_str(), shots, seed);
                        match declared_by.get(&run) {
                            Some(&first) if first != index => {
                                shared.entry((first, index)).or_default().push(run)
                            }
                            Some(_) => {}
                            None => {
                                declared_by.insert(run, index);
                            }
                        }
                    }
                }
            }
        }
    }
    for ((first, later), runs) in shared {
        let (first, later) = (&experiments[first], &experiments[later]);
        let shown: Vec<String> = runs.iter().take(3).map(|run| describe(*run)).collect();
        let more = if runs.len() > shown.len() {
            format!(", and {} more", runs.len() - shown.len())
        } else {
            String::new()
        };
        let count = if runs.len() == 1 {
            "1 run".to_string()
        } else {
            format!("{} runs", runs.len())
        };
        diagnostics.push(
            Diagnostic::new(Code::DuplicateRun, format!("experiments `{}` and `{}` both declare {count}", first.name, later.name))
                .at(later.span, format!("declares {count} of `{}` again", first.name))
                .also(first.span, "first declared here")
                .note(format!("declared twice: {}{more}", shown.join(", ")))
                .help("each (model, task, shots, seed) belongs to one experiment; narrow one of the two grids"),
        );
    }
}

fn describe((model, task, shots, seed): Run<'_>) -> String {
    let shots = match shots {
        Shots::Few(k) => format!("{k} shots"),
        Shots::Full => "full data".to_string(),
    };
    format!("({model}, {task}, {shots}, seed {seed})")
}
