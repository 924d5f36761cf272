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
    let _ = write!(out, "{} / {} / ", run.model, run.task);
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
    // A change shared by many runs is rendered once.
    let mut lines: HashMap<*const FieldChange, String> = HashMap::new();
    for changed in &diff.changed {
        out.push_str("~ ");
        describe(&mut out, &changed.run);
        let _ = writeln!(
            out,
            "  {} → {}",
            short(changed.old_id),
            short(changed.run.id)
        );
        for field in &changed.fields {
            let line = lines.entry(Arc::as_ptr(field)).or_insert_with(|| {
                format!(
                    "    {}: {} → {}\n",
                    field.field,
                    show(&field.old),
                    show(&field.new)
                )
            });
            out.push_str(line);
        }
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
