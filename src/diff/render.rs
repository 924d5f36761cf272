//! Human and JSON views of a [`PlanDiff`].

use super::{FieldChange, PlanDiff, RunRef};
use crate::check::study::Shots;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

/// The version of the diff JSON format.
pub const FORMAT_VERSION: u32 = 1;

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// Writes "model / task / shots / seed N".
fn describe(out: &mut String, run: &RunRef) {
    out.push_str(run.model);
    out.push_str(" / ");
    out.push_str(run.task);
    out.push_str(" / ");
    match run.shots {
        Shots::Full => out.push_str("full data"),
        Shots::Few(k) => {
            let _ = write!(out, "{k} shots");
        }
    }
    let _ = write!(out, " / seed {}", run.seed);
}

fn show(value: &serde_json::Value) -> String {
    let text = match value {
        serde_json::Value::Null => "(absent)".to_string(),
        other => other.to_string(),
    };
    if text.chars().count() > 72 {
        format!("{}…", text.chars().take(71).collect::<String>())
    } else {
        text
    }
}

/// Whether two lists hold the very same changes.
fn same_changes(a: &[Arc<FieldChange>], b: &[Arc<FieldChange>]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Arc::ptr_eq(x, y))
}

/// `+`/`-`/`~` lines with the changed fields, then "N to add, N to change, N to remove".
pub fn render_human(diff: &PlanDiff) -> String {
    let mut out = String::new();
    for (sign, runs) in [('+', &diff.added), ('-', &diff.removed)] {
        for run in runs {
            out.push(sign);
            out.push(' ');
            describe(&mut out, run);
            let _ = writeln!(out, "  {}", short(run.id));
        }
    }
    // A change shared by many runs is rendered once, and so is the list of changes of a run
    // that has the same ones as the run before it.
    let mut lines: HashMap<*const FieldChange, String> = HashMap::new();
    let mut last: Option<(&[Arc<FieldChange>], String)> = None;
    for changed in &diff.changed {
        out.push_str("~ ");
        describe(&mut out, &changed.run);
        out.push_str("  ");
        out.push_str(short(changed.old_id));
        out.push_str(" → ");
        out.push_str(short(changed.run.id));
        out.push('\n');
        let fields = changed.fields.as_slice();
        let block = match &mut last {
            Some((previous, block)) if same_changes(previous, fields) => block,
            slot => {
                let mut block = String::new();
                for field in fields {
                    let line = lines.entry(Arc::as_ptr(field)).or_insert_with(|| {
                        format!(
                            "    {}: {} → {}\n",
                            field.field,
                            show(&field.old),
                            show(&field.new)
                        )
                    });
                    block.push_str(line);
                }
                &mut slot.insert((fields, block)).1
            }
        };
        out.push_str(block);
    }
    if !diff.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} to add, {} to change, {} to remove, {} unchanged.",
        diff.added.len(),
        diff.changed.len(),
        diff.removed.len(),
        diff.unchanged
    );
    out
}

/// The diff as versioned JSON.
pub fn render_json(diff: &PlanDiff) -> String {
    let value = serde_json::json!({ "format_version": FORMAT_VERSION, "diff": diff });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
