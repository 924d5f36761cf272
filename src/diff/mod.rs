//! Plan diffs: runs paired by grid coordinates (model, task, shots, seed) and compared field
//! by field. Computed here; rendered by [`render`].

mod render;

pub use render::{render_human, render_json};

use crate::check::study::Shots;
use crate::plan::{Plan, Run};
use serde::Serialize;
use std::collections::BTreeMap;

/// Grid coordinates and id of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRef {
    /// Model name.
    pub model: String,
    /// Task name.
    pub task: String,
    /// Shots.
    pub shots: Shots,
    /// Seed.
    pub seed: u64,
    /// Run id.
    pub id: String,
}

/// One field that differs between two paired runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Dotted path of the field (`training.learning_rate`).
    pub field: String,
    /// Value in the old plan (`null` when absent).
    pub old: serde_json::Value,
    /// Value in the new plan (`null` when absent).
    pub new: serde_json::Value,
}

/// A run present in both plans whose content differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedRun {
    /// The run in the new plan.
    #[serde(flatten)]
    pub run: RunRef,
    /// Its id in the old plan.
    pub old_id: String,
    /// What changed.
    pub fields: Vec<FieldChange>,
}

/// The difference between two plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDiff {
    /// Runs only in the new plan.
    pub added: Vec<RunRef>,
    /// Runs only in the old plan.
    pub removed: Vec<RunRef>,
    /// Runs in both that differ.
    pub changed: Vec<ChangedRun>,
    /// Runs in both that are identical.
    pub unchanged: usize,
}

impl PlanDiff {
    /// Whether the plans are equivalent.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

type Coordinates = (String, String, Shots, u64);

fn coordinates(run: &Run) -> Coordinates {
    (run.model.clone(), run.task.clone(), run.shots, run.seed)
}

fn reference(run: &Run) -> RunRef {
    RunRef {
        model: run.model.clone(),
        task: run.task.clone(),
        shots: run.shots,
        seed: run.seed,
        id: run.id.clone(),
    }
}

/// Compares `old` with `new`, in the new plan's order (removed runs in the old plan's order).
pub fn diff(old: &Plan, new: &Plan) -> PlanDiff {
    let old_runs: BTreeMap<Coordinates, &Run> =
        old.runs.iter().map(|r| (coordinates(r), r)).collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut result = PlanDiff {
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
    };
    for run in &new.runs {
        let key = coordinates(run);
        match old_runs.get(&key) {
            None => result.added.push(reference(run)),
            // Structural equality first: flattening is only needed to name what changed.
            Some(previous) if *previous == run => result.unchanged += 1,
            Some(previous) => {
                let fields = changed_fields(previous, run);
                if fields.is_empty() && previous.id == run.id {
                    result.unchanged += 1;
                } else {
                    result.changed.push(ChangedRun {
                        run: reference(run),
                        old_id: previous.id.clone(),
                        fields,
                    });
                }
            }
        }
        seen.insert(key);
    }
    result.removed = old
        .runs
        .iter()
        .filter(|r| !seen.contains(&coordinates(r)))
        .map(reference)
        .collect();
    result
}

fn changed_fields(old: &Run, new: &Run) -> Vec<FieldChange> {
    let flat_old = flatten_run(old, new);
    let flat_new = flatten_run(new, old);
    let mut changes = Vec::new();
    let keys: std::collections::BTreeSet<&String> =
        flat_old.keys().chain(flat_new.keys()).collect();
    for key in keys {
        let a = flat_old
            .get(key)
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        let b = flat_new
            .get(key)
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        if a != b {
            changes.push(FieldChange {
                field: key.clone(),
                old: a,
                new: b,
            });
        }
    }
    changes
}

/// A run as dotted field paths → leaf values (lists are leaves). Parts equal to `other`'s (the
/// shared model, dataset and template by digest) are left out: they hold no change, and
/// flattening them for every run of a large plan would dominate the diff.
fn flatten_run(run: &Run, other: &Run) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    out.insert(
        "experiment".to_string(),
        serde_json::Value::String(run.experiment.clone()),
    );
    out.insert("blocked".to_string(), serde_json::json!(run.blocked));
    let (spec, theirs) = (&run.spec, &other.spec);
    let mut part = |name: &str, value: Result<serde_json::Value, serde_json::Error>| {
        if let Ok(value) = value {
            flatten(name, &value, &mut out);
        }
    };
    if spec.model != theirs.model {
        part("model", serde_json::to_value(&spec.model));
    }
    if spec.dataset != theirs.dataset {
        part("dataset", serde_json::to_value(&spec.dataset));
    }
    if spec.template != theirs.template {
        part("template", serde_json::to_value(&spec.template));
    }
    if spec.template_name != theirs.template_name {
        part("template_name", serde_json::to_value(&spec.template_name));
    }
    if spec.training != theirs.training {
        part("training", serde_json::to_value(&spec.training));
    }
    if spec.sample != theirs.sample {
        part("sample", serde_json::to_value(&spec.sample));
    }
    if spec.inputs != theirs.inputs {
        part("inputs", serde_json::to_value(&spec.inputs));
    }
    out
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, serde_json::Value>) {
    match value {
        serde_json::Value::Object(map) if !map.is_empty() => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, child, out);
            }
        }
        leaf => {
            out.insert(prefix.to_string(), leaf.clone());
        }
    }
}
