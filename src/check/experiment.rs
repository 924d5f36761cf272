//! `task NAME { dataset, template }` and `experiment NAME { models, tasks, shots, seeds, training }`.

use super::fields::Fields;
use super::names::{Kind, Names};
use super::study::{Experiment, Shots, Task};
use super::training;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{Block, Value};
use std::collections::BTreeMap;

/// Checks a task block.
pub fn check_task(block: &Block, name: &str, names: &Names, diagnostics: &mut Vec<Diagnostic>) -> Option<Task> {
    let mut fields = Fields::new(&block.fields, format!("task `{name}`"), block.span, diagnostics);
    let dataset = fields.require("dataset", "cdr", diagnostics).and_then(|f| names.resolve(&f.value, Kind::Dataset, diagnostics));
    let template = fields.require("template", "cdr_paper", diagnostics).and_then(|f| names.resolve(&f.value, Kind::Template, diagnostics));
    fields.finish(diagnostics);
    Some(Task { dataset: dataset?, template: template?, span: block.span })
}

/// Checks an experiment block.
pub fn check_experiment(block: &Block, name: &str, names: &Names, diagnostics: &mut Vec<Diagnostic>) -> Option<Experiment> {
    let mut fields = Fields::new(&block.fields, format!("experiment `{name}`"), block.span, diagnostics);
    let before = diagnostics.len();
    let models = fields.require("models", "[t5_small]", diagnostics).map(|f| grid(&f.value, "models", diagnostics, |v, d| training::references(v, Kind::Model, names, d)));
    let tasks = fields.require("tasks", "[cdr]", diagnostics).map(|f| grid(&f.value, "tasks", diagnostics, |v, d| training::references(v, Kind::Task, names, d)));
    let shots = fields.require("shots", "[16, 64, full]", diagnostics).map(|f| grid(&f.value, "shots", diagnostics, training::shots_list));
    let seeds = fields.require("seeds", "[0, 1, 2, 3, 4]", diagnostics).map(|f| grid(&f.value, "seeds", diagnostics, training::seeds));
    let training = fields.get("training").map(|f| names.resolve(&f.value, Kind::Training, diagnostics));
    fields.finish(diagnostics);
    for block_whens in &block.whens {
        diagnostics.push(
            Diagnostic::new(Code::WhenCondition, "`when` clauses belong in `training` blocks")
                .at(block_whens.span, "not allowed in an experiment")
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
        span: block.span,
    })
}

fn grid<T: PartialEq + std::fmt::Debug>(
    value: &Value,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
    read: impl Fn(&Value, &mut Vec<Diagnostic>) -> Vec<T>,
) -> Vec<T> {
    let items = read(value, diagnostics);
    if matches!(&value.kind, crate::syntax::ast::ValueKind::List(l) if l.is_empty()) {
        diagnostics.push(
            Diagnostic::new(Code::EmptyList, format!("`{what}` is empty"))
                .at(value.span, "no values")
                .help("an experiment with an empty axis has no runs; remove the experiment or list at least one value"),
        );
    }
    items
}

/// Reports runs that two experiments (or repeated values in one) both declare.
pub fn check_duplicate_runs(experiments: &[Experiment], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<(&str, &str, Shots, u64), (&str, Span)> = BTreeMap::new();
    let mut reported: BTreeMap<(&str, &str), ()> = BTreeMap::new();
    for experiment in experiments {
        for model in &experiment.models {
            for task in &experiment.tasks {
                for &shots in &experiment.shots {
                    for &seed in &experiment.seeds {
                        let key = (model.as_str(), task.as_str(), shots, seed);
                        if let Some((first, span)) = seen.get(&key) {
                            if reported.insert((first, experiment.name.as_str()), ()).is_none() {
                                diagnostics.push(
                                    Diagnostic::new(Code::DuplicateRun, format!("run ({model}, {task}, {shots} shots, seed {seed}) is declared twice"))
                                        .at(experiment.span, format!("declared by experiment `{}`", experiment.name))
                                        .also(*span, format!("and by experiment `{first}`"))
                                        .help("each (model, task, shots, seed) may appear in one experiment only; remove it from one of them"),
                                );
                            }
                        } else {
                            seen.insert(key, (experiment.name.as_str(), experiment.span));
                        }
                    }
                }
            }
        }
    }
}
