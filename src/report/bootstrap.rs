//! The paired bootstrap: a confidence interval for the difference in micro F1 of two systems
//! scored on the same documents, resampling documents with replacement.

use crate::corpus::SplitMix64;
use crate::score::Counts;
use serde::Serialize;

/// Resamples drawn.
pub const RESAMPLES: usize = 1000;

/// A 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// The 2.5th percentile.
    pub low: f64,
    /// The 97.5th percentile.
    pub high: f64,
}

/// The 95% percentile interval of F1(a) − F1(b) over [`RESAMPLES`] resamples of `documents`
/// (each a document's counts for a and for b), drawn by SplitMix64 from `seed`; `None` without
/// documents. Each resample draws as many documents as there are, with replacement, and
/// recomputes both micro F1s from the summed counts.
pub fn paired_bootstrap(documents: &[(Counts, Counts)], seed: u64) -> Option<Interval> {
    if documents.is_empty() {
        return None;
    }
    let mut rng = SplitMix64::new(seed);
    let count = documents.len() as u64;
    let mut differences: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let (mut a, mut b) = (Counts::default(), Counts::default());
            for _ in 0..count {
                // `below(count)` < count = documents.len(), so the index is in range.
                let (doc_a, doc_b) = documents[rng.below(count) as usize];
                a = a + doc_a;
                b = b + doc_b;
            }
            a.scores().f1 - b.scores().f1
        })
        .collect();
    differences.sort_by(f64::total_cmp);
    let percentile = |q: f64| differences[((RESAMPLES - 1) as f64 * q).round() as usize];
    Some(Interval {
        low: percentile(0.025),
        high: percentile(0.975),
    })
}
