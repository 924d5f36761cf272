//! Human and JSON views of a [`PlanDiff`].

use super::{PlanDiff, RunRef};
use std::fmt::Write;

/// The version of the diff JSON format.
pub const FORMAT_VERSION: u32 = 1;

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn describe(run: &RunRef) -> String {
    let shots = match run.shots {
        crate::check::study::Shots::Full => "full data".to_string(),
        crate::check::study::Shots::Few(k) => format!("{k} shots"),
    };
    format!("{} / {} / {shots} / seed {}", run.model, run.task, run.seed)
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
    for run in &diff.added {
        let _ = writeln!(out, "+ {}  {}", describe(run), short(&run.id));
    }
    for run in &diff.removed {
        let _ = writeln!(out, "- {}  {}", describe(run), short(&run.id));
    }
    for changed in &diff.changed {
        let _ = writeln!(
            out,
            "~ {}  {} → {}",
            describe(&changed.run),
            short(&changed.old_id),
            short(&changed.run.id)
        );
        for field in &changed.fields {
            let _ = writeln!(
                out,
                "    {}: {} → {}",
                field.field,
                show(&field.old),
                show(&field.new)
            );
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
