//! Scores: counts and precision/recall/F1, micro-averaged over labels and per label.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How true positives and false negatives are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CountingMode {
    /// One-to-one matching: each gold relation matches at most one prediction (a repeated
    /// prediction is a false positive); gold relations the target writes identically count once.
    Strict,
    /// The paper's counting: every prediction that matches some gold relation is a true positive,
    /// FN = |gold| − TP (negative when predictions share a gold relation), gold de-duplicated per
    /// the template's `paper_gold_dedup`.
    Paper,
}

/// The scores of one study output against gold documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// How they were counted.
    pub mode: CountingMode,
    /// Gold documents scored.
    pub documents: usize,
    /// Gold documents without a prediction (they predict nothing).
    pub documents_without_prediction: usize,
    /// Pieces of generated text that were no relation sentence.
    pub unparseable: usize,
    /// Micro average over all labels.
    pub micro: LabelScores,
    /// Per label (after merging), every label of the template.
    pub labels: BTreeMap<String, LabelScores>,
}

/// Counts and scores of one label, or of all labels together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LabelScores {
    /// Gold relations.
    pub gold: usize,
    /// Predicted relations.
    pub predicted: usize,
    /// Predictions counted as correct.
    pub true_positives: usize,
    /// Predictions counted as wrong.
    pub false_positives: usize,
    /// Gold relations counted as missed: |gold| − TP (negative only in paper mode).
    pub false_negatives: i64,
    /// TP / predicted (0 when nothing is predicted).
    pub precision: f64,
    /// TP / gold (0 when there is no gold relation).
    pub recall: f64,
    /// Harmonic mean of precision and recall (0 when both are 0).
    pub f1: f64,
}

/// Gold, predicted and true-positive relation counts: what precision, recall and F1 follow from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Gold relations.
    pub gold: usize,
    /// Predicted relations.
    pub predicted: usize,
    /// Predictions counted as correct.
    pub true_positives: usize,
}

impl Counts {
    /// Precision, recall and F1 of these counts.
    pub fn scores(self) -> LabelScores {
        LabelScores::from_counts(self.gold, self.predicted, self.true_positives)
    }
}

impl std::ops::Add for Counts {
    type Output = Counts;

    fn add(self, other: Counts) -> Counts {
        Counts {
            gold: self.gold + other.gold,
            predicted: self.predicted + other.predicted,
            true_positives: self.true_positives + other.true_positives,
        }
    }
}

impl std::iter::Sum for Counts {
    fn sum<I: Iterator<Item = Counts>>(iter: I) -> Counts {
        iter.fold(Counts::default(), |sum, counts| sum + counts)
    }
}

impl LabelScores {
    /// The counts these scores were computed from.
    pub fn counts(&self) -> Counts {
        Counts {
            gold: self.gold,
            predicted: self.predicted,
            true_positives: self.true_positives,
        }
    }

    /// Scores from counts; every division by zero gives 0.
    pub fn from_counts(gold: usize, predicted: usize, true_positives: usize) -> Self {
        let ratio = |part: usize, whole: usize| {
            if whole == 0 {
                0.0
            } else {
                part as f64 / whole as f64
            }
        };
        let precision = ratio(true_positives, predicted);
        let recall = ratio(true_positives, gold);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Self {
            gold,
            predicted,
            true_positives,
            false_positives: predicted.saturating_sub(true_positives),
            false_negatives: i64::try_from(gold).unwrap_or(i64::MAX)
                - i64::try_from(true_positives).unwrap_or(i64::MAX),
            precision,
            recall,
            f1,
        }
    }
}
