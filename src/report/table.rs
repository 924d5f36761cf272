//! The paper's Table 1: one row per model, grouped by architecture family (decoder-only, then
//! BART, then T5), one column per task and shot setting, each cell a mean over seeds.

use super::metric::ReportOptions;
use super::outcome::Outcome;
use super::statistics::Summary;
use crate::check::study::{Family, Shots};
use serde::Serialize;
use std::fmt;

/// Models grouped as the paper's table groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// GPT-2, GPT-Neo, BioGPT, Llama.
    DecoderOnly,
    /// BART and its descendants.
    Bart,
    /// T5 and its descendants.
    T5,
}

impl Group {
    /// The group of a family.
    pub fn of(family: Family) -> Group {
        match family {
            Family::Bart => Group::Bart,
            Family::T5 => Group::T5,
            Family::Gpt2 | Family::GptNeo | Family::Biogpt | Family::Llama => Group::DecoderOnly,
        }
    }

    /// The heading shown above the group's rows.
    pub fn name(self) -> &'static str {
        match self {
            Group::DecoderOnly => "decoder-only",
            Group::Bart => "BART",
            Group::T5 => "T5",
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A column: a task at a shot setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The task's name.
    pub task: String,
    /// The shot setting.
    pub shots: Shots,
}

impl Column {
    /// The header: task and shots (`cdr 16`, `dce full`).
    pub fn label(&self) -> String {
        format!("{} {}", self.task, self.shots)
    }
}

/// A model's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The model's name in the study.
    pub model: String,
    /// Its display name (the `name` tag, else `model`).
    pub name: String,
    /// Its size (the `params` tag, else empty).
    pub params: String,
    /// Its group.
    pub group: Group,
    /// One cell per column, in column order.
    pub cells: Vec<Cell>,
}

/// The metric of one model at one column, over the seeds done.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cell {
    /// Runs (seeds) the plan has here; 0 when the plan has none.
    pub planned: usize,
    /// Mean and standard deviation over the done runs, in percent; `None` when none is done.
    pub summary: Option<Summary>,
}

impl Cell {
    /// Whether some, but not all, planned runs are done.
    pub fn is_incomplete(&self) -> bool {
        self.summary.is_some_and(|s| s.n < self.planned)
    }
}

/// The table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Tasks in plan order, each with its shot settings in increasing order (full last).
    pub columns: Vec<Column>,
    /// Groups in order (decoder-only, BART, T5), models within a group in plan order.
    pub rows: Vec<Row>,
}

impl Table {
    /// Whether some cell averages fewer seeds than planned (it is marked and footnoted).
    pub fn has_incomplete_cells(&self) -> bool {
        self.rows
            .iter()
            .flat_map(|r| &r.cells)
            .any(|c| c.is_incomplete())
    }

    /// The table of `outcomes`.
    pub fn build(outcomes: &[Outcome], options: ReportOptions) -> Table {
        let mut tasks: Vec<&str> = Vec::new();
        let mut models: Vec<&Outcome> = Vec::new();
        for outcome in outcomes {
            if !tasks.contains(&outcome.run.task.as_str()) {
                tasks.push(&outcome.run.task);
            }
            if !models.iter().any(|m| m.run.model == outcome.run.model) {
                models.push(outcome);
            }
        }
        let mut columns: Vec<Column> = Vec::new();
        for task in tasks {
            let mut shots: Vec<Shots> = outcomes
                .iter()
                .filter(|o| o.run.task == task)
                .map(|o| o.run.shots)
                .collect();
            shots.sort();
            shots.dedup();
            columns.extend(shots.into_iter().map(|shots| Column {
                task: task.to_owned(),
                shots,
            }));
        }
        models.sort_by_key(|m| Group::of(m.run.spec.model.family));
        let rows = models
            .iter()
            .map(|first| {
                let run = &first.run;
                let tag = |key: &str| run.spec.model.tags.get(key).cloned();
                Row {
                    model: run.model.clone(),
                    name: tag("name").unwrap_or_else(|| run.model.clone()),
                    params: tag("params").unwrap_or_default(),
                    group: Group::of(run.spec.model.family),
                    cells: columns
                        .iter()
                        .map(|column| cell(outcomes, &run.model, column, options))
                        .collect(),
                }
            })
            .collect();
        Table { columns, rows }
    }
}

fn cell(outcomes: &[Outcome], model: &str, column: &Column, options: ReportOptions) -> Cell {
    let planned: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| {
            o.run.model == model && o.run.task == column.task && o.run.shots == column.shots
        })
        .collect();
    let values: Vec<f64> = planned
        .iter()
        .filter_map(|o| o.result.as_ref())
        .map(|result| {
            options
                .metric
                .percent(&result.metrics.scores(options.mode).micro)
        })
        .collect();
    Cell {
        planned: planned.len(),
        summary: Summary::of(&values),
    }
}
