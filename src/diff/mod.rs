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
    use serde_json::{Value, to_value};
    let mut changes = Vec::new();
    let mut part =
        |name: &str, a: Result<Value, serde_json::Error>, b: Result<Value, serde_json::Error>| {
            compare(name, a.ok().as_ref(), b.ok().as_ref(), &mut changes);
        };
    if old.experiment != new.experiment {
        part(
            "experiment",
            to_value(&old.experiment),
            to_value(&new.experiment),
        );
    }
    if old.blocked != new.blocked {
        part("blocked", to_value(&old.blocked), to_value(&new.blocked));
    }
    let (a, b) = (&old.spec, &new.spec);
    // Parts that are equal (the shared model, dataset and template by digest) hold no change
    // and are not serialised: on a large plan that would dominate the diff.
    if a.model != b.model {
        part("model", to_value(&a.model), to_value(&b.model));
    }
    if a.dataset != b.dataset {
        part("dataset", to_value(&a.dataset), to_value(&b.dataset));
    }
    if a.template != b.template {
        part("template", to_value(&a.template), to_value(&b.template));
    }
    if a.template_name != b.template_name {
        part(
            "template_name",
            to_value(&a.template_name),
            to_value(&b.template_name),
        );
    }
    if a.training != b.training {
        part("training", to_value(&a.training), to_value(&b.training));
    }
    if a.sample != b.sample {
        part("sample", to_value(&a.sample), to_value(&b.sample));
    }
    if a.inputs != b.inputs {
        part("inputs", to_value(&a.inputs), to_value(&b.inputs));
    }
    changes.sort_by(|x, y| x.field.cmp(&y.field));
    changes
}

/// The changes between two values seen as dotted field paths → leaves (a non-empty object is
/// a node, anything else a leaf; an absent leaf reads as `null`), without building the flat
/// maps: paths are made only for leaves that differ.
fn compare(
    prefix: &str,
    old: Option<&serde_json::Value>,
    new: Option<&serde_json::Value>,
    out: &mut Vec<FieldChange>,
) {
    use serde_json::Value;
    fn node(value: Option<&Value>) -> Option<&serde_json::Map<String, Value>> {
        match value {
            Some(Value::Object(map)) if !map.is_empty() => Some(map),
            _ => None,
        }
    }
    let path = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match (node(old), node(new)) {
        (Some(a), Some(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                compare(&path(key), a.get(key), b.get(key), out);
            }
        }
        (Some(a), None) => {
            for (key, child) in a {
                compare(&path(key), Some(child), None, out);
            }
            compare(prefix, None, new, out);
        }
        (None, Some(b)) => {
            compare(prefix, old, None, out);
            for (key, child) in b {
                compare(&path(key), None, Some(child), out);
            }
        }
        (None, None) => {
            let a = old.cloned().unwrap_or(Value::Null);
            let b = new.cloned().unwrap_or(Value::Null);
            if a != b {
                out.push(FieldChange {
                    field: prefix.to_string(),
                    old: a,
                    new: b,
                });
            }
        }
    }
}

#[cfg(test)]
mod compare_tests {
    use super::compare;
    use serde_json::json;

    #[test]
    fn only_differing_leaves_are_named_and_nodes_against_leaves_expand() {
        let mut out = Vec::new();
        let old = json!({ "a": 1, "b": { "c": 2, "d": [1] }, "e": {}, "f": { "g": 1 } });
        let new = json!({ "a": 1, "b": { "c": 3, "d": [1] }, "e": { "h": 1 }, "f": null });
        compare("x", Some(&old), Some(&new), &mut out);
        out.sort_by(|p, q| p.field.cmp(&q.field));
        let fields: Vec<(&str, String, String)> = out
            .iter()
            .map(|c| (c.field.as_str(), c.old.to_string(), c.new.to_string()))
            .collect();
        assert_eq!(
            fields,
            [
                ("x.b.c", "2".into(), "3".into()),
                ("x.e", "{}".into(), "null".into()),
                ("x.e.h", "null".into(), "1".into()),
                ("x.f.g", "1".into(), "null".into()),
            ]
        );
    }
}
