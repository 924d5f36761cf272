//! The paper's paired comparisons: each model whose `counterpart` tag names another model of the
//! study (biomedical vs general, instruction-tuned vs base) against that model, per task, shot
//! setting and seed, on the same test documents.

use super::bootstrap::{Interval, paired_bootstrap};
use super::error::ReportError;
use super::outcome::Outcome;
use crate::check::study::Shots;
use crate::score::{CountingMode, Counts};
use crate::store::RunResult;
use serde::Serialize;
use std::collections::BTreeMap;

/// The F1 of a model minus that of its counterpart, with a paired bootstrap interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The model.
    pub model: String,
    /// The model its `counterpart` tag names.
    pub counterpart: String,
    /// Task name.
    pub task: String,
    /// Shot setting.
    pub shots: Shots,
    /// Seed.
    pub seed: u64,
    /// Test documents both were scored on.
    pub documents: usize,
    /// The model's micro F1, percent.
    pub model_f1: f64,
    /// The counterpart's micro F1, percent.
    pub counterpart_f1: f64,
    /// `model_f1 − counterpart_f1`, percentage points.
    pub difference: f64,
    /// The 95% paired bootstrap interval of the difference, percentage points.
    pub interval: Interval,
}

/// Every comparison `outcomes` allow: for each model with a `counterpart` tag naming a model
/// that has runs too, each (task, shots, seed) where both runs are done, in plan order.
pub fn compare(outcomes: &[Outcome], mode: CountingMode) -> Result<Vec<Comparison>, ReportError> {
    let mut comparisons = Vec::new();
    for outcome in outcomes {
        let run = &outcome.run;
        let (Some(counterpart), Some(result)) =
            (run.spec.model.tags.get("counterpart"), &outcome.result)
        else {
            continue;
        };
        let other = outcomes.iter().find(|o| {
            &o.run.model == counterpart
                && o.run.task == run.task
                && o.run.shots == run.shots
                && o.run.seed == run.seed
        });
        let Some(other_result) = other.and_then(|o| o.result.as_ref()) else {
            continue;
        };
        let pairs = paired_counts(result, other_result, mode).ok_or_else(|| {
            ReportError::DocumentsDiffer {
                model: run.model.clone(),
                run: run.id.clone(),
                counterpart: counterpart.clone(),
                counterpart_run: other_result.run.id.clone(),
            }
        })?;
        let Some(interval) =
            paired_bootstrap(&pairs, bootstrap_seed(&run.id, &other_result.run.id))
        else {
            continue;
        };
        let model_f1 = 100.0 * result.metrics.scores(mode).micro.f1;
        let counterpart_f1 = 100.0 * other_result.metrics.scores(mode).micro.f1;
        comparisons.push(Comparison {
            model: run.model.clone(),
            counterpart: counterpart.clone(),
            task: run.task.clone(),
            shots: run.shots,
            seed: run.seed,
            documents: pairs.len(),
            model_f1,
            counterpart_f1,
            difference: model_f1 - counterpart_f1,
            interval: Interval {
                low: 100.0 * interval.low,
                high: 100.0 * interval.high,
            },
        });
    }
    Ok(comparisons)
}

/// Each document's counts in `a` and in `b`, in document id order; `None` when the two were
/// scored on different documents.
fn paired_counts(
    a: &RunResult,
    b: &RunResult,
    mode: CountingMode,
) -> Option<Vec<(Counts, Counts)>> {
    let (a, b) = (document_counts(a, mode), document_counts(b, mode));
    if !a.keys().eq(b.keys()) {
        return None;
    }
    Some(a.values().copied().zip(b.values().copied()).collect())
}

/// Each document's counts in `result`, by document id.
fn document_counts(result: &RunResult, mode: CountingMode) -> BTreeMap<&str, Counts> {
    result
        .predictions
        .iter()
        .map(|p| (p.id.as_str(), p.counts.get(mode)))
        .collect()
}

/// A seed for the resampling of one pair of runs: the same every time, different per pair.
fn bootstrap_seed(run: &str, counterpart_run: &str) -> u64 {
    let hash = blake3::hash(format!("{run}/{counterpart_run}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&hash.as_bytes()[..8]);
    u64::from_le_bytes(bytes)
}
