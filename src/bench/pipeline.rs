//! The pure-Rust workloads: compiling and planning a 100,000-run study, diffing two saved
//! plans of it, and extraction with strict scoring.

use super::synthetic::{self, Grid};
use super::{Measurement, peak_rss_mib, time_median};
use crate::check::{CheckOptions, check};
use crate::diff::{diff, render_human};
use crate::extract::Extractor;
use crate::plan::{self, Plan, PlanOptions};
use crate::score::{CountingMode, GoldIndex, score};
use crate::template::{render_target, target_relations};
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

fn seconds(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

/// Checks, plans and saves a synthetic study of `grid` twice (two learning rates) under
/// `folder`, then reads both saved plans back and diffs them (`plan_*` and `diff_*`), and diffs
/// the two studies planned in memory (`diff_studies_*`).
pub fn plan_and_diff(folder: &Path, grid: Grid) -> anyhow::Result<Vec<Measurement>> {
    let runs = grid.runs();
    let label = if runs == 100_000 {
        "100k".to_string()
    } else {
        runs.to_string()
    };
    let mut saved = Vec::new();
    let mut studies = Vec::new();
    let mut plan_parts = (0.0, 0.0, 0.0);
    for (side, rate) in [("old", 5e-5), ("new", 1e-4)] {
        let dir = folder.join(side);
        let path = synthetic::write_study(&dir, grid, rate)?;
        studies.push(path.clone());
        let start = Instant::now();
        let checked = check(&path, &CheckOptions::default());
        let study = checked
            .study
            .context("the synthetic study does not check")?;
        let t_check = seconds(start);
        let start = Instant::now();
        let plan = plan::build(&study, PlanOptions::default());
        let t_build = seconds(start);
        anyhow::ensure!(plan.runs.len() == runs, "planned {} runs", plan.runs.len());
        let start = Instant::now();
        let file = dir.join("plan.json");
        plan.write_json_compact(&mut std::fs::File::create(&file)?)?;
        let t_save = seconds(start);
        // The second study is the one timed (caches warm, as a user's second `plan` is).
        plan_parts = (t_check, t_build, t_save);
        saved.push(file);
    }
    let (t_check, t_build, t_save) = plan_parts;
    let t_plan = t_check + t_build + t_save;
    // What `expc diff old.json new.json` does: both plans read (ids re-verified) at once, the
    // diff computed and rendered for the terminal.
    let start = Instant::now();
    let read = |file: &Path| -> anyhow::Result<Plan> {
        let text = std::fs::read_to_string(file)?;
        Ok(Plan::from_json(&text, &file.display().to_string())?)
    };
    let (old, new) = plan::side_by_side(|| read(&saved[0]), || read(&saved[1]));
    let (old, new) = (old?, new?);
    let t_read = seconds(start);
    let (t_diff, t_render, rendered) = diff_and_render(&old, &new, runs)?;
    let t_total = t_read + t_diff + t_render;
    let size = std::fs::metadata(&saved[1])?.len() as f64 / 1e6;
    let in_memory = diff_studies(&studies[0], &studies[1], runs)?;
    Ok(vec![
        Measurement {
            workload: format!("plan_{label}"),
            metric: "s".into(),
            value: t_plan,
            seconds: t_plan,
            peak_rss_mib: peak_rss_mib(),
            detail: format!(
                "check {t_check:.3} s + plan {t_build:.3} s + save {t_save:.3} s ({size:.0} MB compact JSON); {:.0} runs/s",
                runs as f64 / t_plan
            ),
        },
        Measurement {
            workload: format!("diff_{label}"),
            metric: "s".into(),
            value: t_total,
            seconds: t_total,
            peak_rss_mib: peak_rss_mib(),
            detail: format!(
                "read two saved plans {t_read:.3} s (in parallel, ids re-verified) + diff {t_diff:.3} s + render {t_render:.3} s ({:.0} MB), every run changed; plan + diff {:.3} s (target < 1 s)",
                rendered as f64 / 1e6,
                t_plan + t_total
            ),
        },
        in_memory.measurement(&label),
    ])
}

/// Diffs two plans of `runs` runs each, every run changed, and renders the diff for the
/// terminal, as `expc diff` does: the seconds of each, and the rendered bytes.
fn diff_and_render(old: &Plan, new: &Plan, runs: usize) -> anyhow::Result<(f64, f64, usize)> {
    let start = Instant::now();
    let difference = diff(old, new);
    let t_diff = seconds(start);
    let start = Instant::now();
    let rendered = render_human(&difference);
    let t_render = seconds(start);
    anyhow::ensure!(
        difference.changed.len() == runs && !rendered.is_empty(),
        "every run should change"
    );
    Ok((t_diff, t_render, rendered.len()))
}

/// The phases of `expc diff old.exp new.exp`.
struct StudiesDiff {
    /// Checking and planning both studies, at once.
    plan: f64,
    diff: f64,
    render: f64,
}

/// What `expc diff old.exp new.exp` does: both studies checked and planned at once, the diff
/// computed and rendered for the terminal.
fn diff_studies(old: &Path, new: &Path, runs: usize) -> anyhow::Result<StudiesDiff> {
    let start = Instant::now();
    let plan_study = |path: &Path| -> anyhow::Result<Plan> {
        let study = check(path, &CheckOptions::default())
            .study
            .context("the synthetic study does not check")?;
        Ok(plan::build(&study, PlanOptions::default()))
    };
    let (old, new) = plan::side_by_side(|| plan_study(old), || plan_study(new));
    let (old, new) = (old?, new?);
    let t_plan = seconds(start);
    let (t_diff, t_render, _) = diff_and_render(&old, &new, runs)?;
    Ok(StudiesDiff {
        plan: t_plan,
        diff: t_diff,
        render: t_render,
    })
}

impl StudiesDiff {
    fn measurement(&self, label: &str) -> Measurement {
        let total = self.plan + self.diff + self.render;
        Measurement {
            workload: format!("diff_studies_{label}"),
            metric: "s".into(),
            value: total,
            seconds: total,
            peak_rss_mib: peak_rss_mib(),
            detail: format!(
                "`expc diff old.exp new.exp`: check + plan both studies {:.3} s (in parallel) + diff {:.3} s + render {:.3} s, every run changed (target < 1 s)",
                self.plan, self.diff, self.render
            ),
        }
    }
}

/// Extraction and strict scoring of the DCE test split's own gold targets (as a perfect model
/// would generate them) with the paper's template, `repeats` times over: what scoring a split
/// again costs (model selection scores validation every epoch), with the gold index built once
/// beforehand (its cost, and that of one-shot [`score`], are in the detail).
pub fn extraction(study: &Path, repeats: usize) -> anyhow::Result<Measurement> {
    let checked = check(study, &CheckOptions::default());
    let study = checked.study.context("the DCE study does not check")?;
    let template = &study
        .templates
        .get("dce_paper")
        .context("no template dce_paper")?
        .spec;
    let dataset = &study.datasets.get("dce").context("no dataset dce")?.spec;
    let documents = crate::corpus::load_dataset(dataset)?.test;
    let extractor = Extractor::derive(template)?;
    let mut predictions = BTreeMap::new();
    let mut sentences = 0usize;
    for document in &documents {
        predictions.insert(document.id.clone(), render_target(template, document)?);
        sentences += target_relations(template, document)?.len().max(1);
    }
    let mut index = None;
    let index_seconds = time_median(1, repeats, || -> anyhow::Result<()> {
        index = Some(GoldIndex::new(template, &documents)?);
        Ok(())
    })?;
    let index = index.context("the gold index was never built")?;
    let one_shot_seconds = time_median(1, repeats, || -> anyhow::Result<()> {
        score(
            template,
            &extractor,
            &documents,
            &predictions,
            CountingMode::Strict,
        )?;
        Ok(())
    })?;
    let mut f1 = 0.0;
    let per_pass = time_median(1, repeats, || -> anyhow::Result<()> {
        f1 = index
            .score(&extractor, &predictions, CountingMode::Strict)?
            .micro
            .f1;
        Ok(())
    })?;
    anyhow::ensure!(
        (f1 - 1.0).abs() < 1e-9,
        "gold targets should score F1 = 1, got {f1}"
    );
    Ok(Measurement {
        workload: "extract_score".into(),
        metric: "sentences/s".into(),
        value: sentences as f64 / per_pass,
        seconds: per_pass,
        peak_rss_mib: peak_rss_mib(),
        detail: format!(
            "{} DCE test documents, {sentences} relation (or null) sentences per pass: extraction + strict counting against a gold index built once (build {:.0} µs, not in the rate); one-shot score() (index build + extraction + counting, what `expc score` does per evaluation) {:.0} sentences/s; 1 thread, median of {repeats}",
            documents.len(),
            index_seconds * 1e6,
            sentences as f64 / one_shot_seconds,
        ),
    })
}
