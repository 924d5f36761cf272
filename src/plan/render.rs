//! The human view of a plan: a compact table and a summary line.

use super::Plan;
use std::collections::BTreeSet;
use std::fmt::Write;

/// One line per run: id prefix, model, task, shots, seed, and why it is blocked.
pub fn render_table(plan: &Plan) -> String {
    let width = |f: &dyn Fn(&super::Run) -> usize, title: &str| {
        plan.runs.iter().map(f).max().unwrap_or(0).max(title.len())
    };
    let model_w = width(&|r| r.model.len(), "model");
    let task_w = width(&|r| r.task.len(), "task");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12}  {:<model_w$}  {:<task_w$}  {:>5}  {:>4}  status",
        "id", "model", "task", "shots", "seed"
    );
    for run in &plan.runs {
        let status = if run.blocked.is_empty() {
            "ready".to_string()
        } else {
            format!("blocked: {}", run.blocked.join("; "))
        };
        let _ = writeln!(
            out,
            "{:<12}  {:<model_w$}  {:<task_w$}  {:>5}  {:>4}  {status}",
            run.short_id(),
            run.model,
            run.task,
            run.shots.to_string(),
            run.seed
        );
    }
    out
}

/// "336 runs: 19 models × 4 tasks, shots 16/64/full, 5 seeds; 0 ready, 336 blocked".
pub fn summary(plan: &Plan) -> String {
    let models: BTreeSet<&str> = plan.runs.iter().map(|r| r.model.as_str()).collect();
    let tasks: BTreeSet<&str> = plan.runs.iter().map(|r| r.task.as_str()).collect();
    let shots: BTreeSet<_> = plan.runs.iter().map(|r| r.shots).collect();
    let seeds: BTreeSet<u64> = plan.runs.iter().map(|r| r.seed).collect();
    let blocked = plan.runs.iter().filter(|r| !r.blocked.is_empty()).count();
    let shots: Vec<String> = shots.iter().map(ToString::to_string).collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}: {} × {}, shots {}, {}; {} ready, {} blocked",
        plural(plan.runs.len(), "run"),
        plural(models.len(), "model"),
        plural(tasks.len(), "task"),
        shots.join("/"),
        plural(seeds.len(), "seed"),
        plan.runs.len() - blocked,
        blocked
    )
}
