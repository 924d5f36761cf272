//! Plan diffs: runs paired by grid coordinates (model, task, shots, seed) and compared field
//! by field. Computed here; rendered by [`render`].

mod render;

pub use render::{render_human, render_json};

use crate::check::study::Shots;
use crate::plan::{Plan, Run, Shared};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Grid coordinates and id of a run, borrowed from its plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRef<'a> {
    /// Model name.
    pub model: &'a str,
    /// Task name.
    pub task: &'a str,
    /// Shots.
    pub shots: Shots,
    /// Seed.
    pub seed: u64,
    /// Run id.
    pub id: &'a str,
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
pub struct ChangedRun<'a> {
    /// The run in the new plan.
    #[serde(flatten)]
    pub run: RunRef<'a>,
    /// Its id in the old plan.
    pub old_id: &'a str,
    /// What changed; a change shared with other runs (the same pair of training profiles, say)
    /// is held once.
    pub fields: Vec<Arc<FieldChange>>,
}

/// The difference between two plans, borrowing names and ids from them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDiff<'a> {
    /// Runs only in the new plan.
    pub added: Vec<RunRef<'a>>,
    /// Runs only in the old plan.
    pub removed: Vec<RunRef<'a>>,
    /// Runs in both that differ.
    pub changed: Vec<ChangedRun<'a>>,
    /// Runs in both that are identical.
    pub unchanged: usize,
}

impl PlanDiff<'_> {
    /// Whether the plans are equivalent.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

type Coordinates<'a> = (&'a str, &'a str, Shots, u64);

fn coordinates(run: &Run) -> Coordinates<'_> {
    (&run.model, &run.task, run.shots, run.seed)
}

fn reference(run: &Run) -> RunRef<'_> {
    RunRef {
        model: &run.model,
        task: &run.task,
        shots: run.shots,
        seed: run.seed,
        id: &run.id,
    }
}

/// Compares `old` with `new`, in the new plan's order (removed runs in the old plan's order).
pub fn diff<'a>(old: &'a Plan, new: &'a Plan) -> PlanDiff<'a> {
    // Each old run by coordinates (the last of duplicates), and whether the new plan has them.
    let mut old_runs: HashMap<Coordinates, (&Run, bool)> = HashMap::with_capacity(old.runs.len());
    for run in &old.runs {
        old_runs.insert(coordinates(run), (run, false));
    }
    let mut known = KnownChanges::default();
    let mut result = PlanDiff {
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
    };
    for run in &new.runs {
        let Some((previous, seen)) = old_runs.get_mut(&coordinates(run)) else {
            result.added.push(reference(run));
            continue;
        };
        *seen = true;
        let previous: &Run = previous;
        // Structural equality first: field paths are only needed to name what changed.
        if previous == run {
            result.unchanged += 1;
            continue;
        }
        let fields = known.run(previous, run);
        if fields.is_empty() && previous.id == run.id {
            result.unchanged += 1;
        } else {
            result.changed.push(ChangedRun {
                run: reference(run),
                old_id: &previous.id,
                fields,
            });
        }
    }
    result.removed = old
        .runs
        .iter()
        .filter(|run| {
            !old_runs
                .get(&coordinates(run))
                .is_some_and(|&(_, seen)| seen)
        })
        .map(reference)
        .collect();
    result
}

/// Field changes already worked out, for the pairs of values many paired runs have: shared
/// parts (model, dataset, template, training, inputs) by part and pair of digests, the
/// reasons runs are blocked by their pair of lists, and the whole list of the last pair of
/// runs.
#[derive(Default)]
struct KnownChanges<'a> {
    shared: HashMap<(&'static str, &'a str, &'a str), Changes>,
    blocked: HashMap<(&'a [String], &'a [String]), Changes>,
    /// The last pair of runs compared and their changes in every field but the sample.
    last: Option<(&'a Run, &'a Run, Changes)>,
}

/// Field changes held once and shared by every run they apply to.
type Changes = Vec<Arc<FieldChange>>;

impl<'a> KnownChanges<'a> {
    /// The changes between two paired runs, sorted by field. Plans list runs grid by grid, so
    /// a pair usually shares every part but the sample with the pair before it, whose changes
    /// are then reused.
    fn run(&mut self, old: &'a Run, new: &'a Run) -> Changes {
        let mut changes = match &self.last {
            Some((last_old, last_new, changes))
                if same_parts(last_old, old) && same_parts(last_new, new) =>
            {
                changes.clone()
            }
            _ => {
                let changes = self.parts(old, new);
                self.last = Some((old, new, changes.clone()));
                changes
            }
        };
        if old.spec.sample != new.spec.sample {
            changes.extend(part_changes("sample", &old.spec.sample, &new.spec.sample));
            changes.sort_by(|x, y| x.field.cmp(&y.field));
        }
        changes
    }

    /// The changes between two runs in every field but the sample, sorted by field.
    fn parts(&mut self, old: &'a Run, new: &'a Run) -> Changes {
        let mut changes = Vec::new();
        if old.experiment != new.experiment {
            changes.extend(part_changes("experiment", &old.experiment, &new.experiment));
        }
        self.blocked(&old.blocked, &new.blocked, &mut changes);
        let (a, b) = (&old.spec, &new.spec);
        self.shared("model", &a.model, &b.model, &mut changes);
        self.shared("dataset", &a.dataset, &b.dataset, &mut changes);
        self.shared("template", &a.template, &b.template, &mut changes);
        if a.template_name != b.template_name {
            changes.extend(part_changes(
                "template_name",
                &a.template_name,
                &b.template_name,
            ));
        }
        self.shared("training", &a.training, &b.training, &mut changes);
        self.shared("inputs", &a.inputs, &b.inputs, &mut changes);
        changes.sort_by(|x, y| x.field.cmp(&y.field));
        changes
    }

    /// Appends the changes between two versions of a shared part (none when their digests are
    /// equal: the part is not serialised).
    fn shared<T: Serialize>(
        &mut self,
        part: &'static str,
        old: &'a Shared<T>,
        new: &'a Shared<T>,
        out: &mut Changes,
    ) {
        if old == new {
            return;
        }
        let changes = self
            .shared
            .entry((part, old.digest(), new.digest()))
            .or_insert_with(|| part_changes(part, &**old, &**new));
        out.extend(changes.iter().cloned());
    }

    /// Appends the changes between two runs' reasons to wait.
    fn blocked(&mut self, old: &'a [String], new: &'a [String], out: &mut Changes) {
        if old == new {
            return;
        }
        let changes = self
            .blocked
            .entry((old, new))
            .or_insert_with(|| part_changes("blocked", &old, &new));
        out.extend(changes.iter().cloned());
    }
}

/// The changes between two versions of one part of a run, named from `name`.
fn part_changes<T: Serialize + ?Sized>(name: &str, old: &T, new: &T) -> Changes {
    use serde_json::to_value;
    let mut changes = Vec::new();
    compare(
        name,
        to_value(old).ok().as_ref(),
        to_value(new).ok().as_ref(),
        &mut changes,
    );
    changes.into_iter().map(Arc::new).collect()
}

/// Whether two runs of one plan have the same values in every field [`KnownChanges::parts`]
/// compares (shared parts the very same ones).
fn same_parts(a: &Run, b: &Run) -> bool {
    let (x, y) = (&a.spec, &b.spec);
    a.experiment == b.experiment
        && a.blocked == b.blocked
        && x.template_name == y.template_name
        && x.model.same(&y.model)
        && x.dataset.same(&y.dataset)
        && x.template.same(&y.template)
        && x.training.same(&y.training)
        && x.inputs.same(&y.inputs)
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
