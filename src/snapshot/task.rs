//! The snapshots of one task: prompts, extractor, extraction and examples.

use super::file::Snapshot;
use super::{examples, extraction, extractor, prompts};
use crate::check::study::Template;
use crate::corpus::{Document, Splits, sample_ids};
use crate::extract::{ExtractError, Extractor};
use std::collections::BTreeMap;

/// The seed of the document sample; fixed so that snapshots only change when what they show
/// does, and written in the prompts snapshot.
pub const SAMPLE_SEED: u64 = 0;

/// A task of a checked study, with its loaded corpus.
#[derive(Debug, Clone, Copy)]
pub struct TaskSubject<'a> {
    /// The study's name (the first part of every snapshot file name).
    pub study: &'a str,
    /// The task's name.
    pub task: &'a str,
    /// The name of the task's template.
    pub template_name: &'a str,
    /// The task's template.
    pub template: &'a Template,
    /// The name of the task's dataset.
    pub dataset_name: &'a str,
    /// The dataset's three splits.
    pub splits: &'a Splits,
}

/// The documents shown of each split, in sample order.
pub struct Sample<'a> {
    /// How many documents were asked for per split.
    pub per_split: usize,
    /// Split name and its sampled documents, in split order.
    pub splits: Vec<(&'static str, Vec<&'a Document>)>,
}

/// The snapshots of `subject`: `prompts` (sources and targets of `per_split` documents of each
/// split, sampled with [`SAMPLE_SEED`]), `extractor` (its patterns), `extraction` (the round trip
/// of the whole corpus and the relations read back from the sampled targets) and `examples`.
pub fn task_snapshots(
    subject: &TaskSubject<'_>,
    per_split: usize,
) -> Result<Vec<Snapshot>, ExtractError> {
    let extractor = Extractor::derive(&subject.template.spec)?;
    let sample = sample(subject.splits, per_split);
    let snapshot =
        |kind: &str, content: String| Snapshot::new(subject.study, subject.task, kind, content);
    Ok(vec![
        snapshot("prompts", prompts::content(subject, &sample)),
        snapshot("extractor", extractor::content(subject, &extractor)),
        snapshot(
            "extraction",
            extraction::content(subject, &extractor, &sample)?,
        ),
        snapshot("examples", examples::content(subject, &extractor)),
    ])
}

/// `per_split` documents of each split: the few-shot sample of that size with [`SAMPLE_SEED`].
fn sample(splits: &Splits, per_split: usize) -> Sample<'_> {
    Sample {
        per_split,
        splits: vec![
            ("train", pick(&splits.train, per_split)),
            ("validation", pick(&splits.validation, per_split)),
            ("test", pick(&splits.test, per_split)),
        ],
    }
}

/// The documents of the few-shot sample of `count` ids (the first document of a repeated id).
fn pick(documents: &[Document], count: usize) -> Vec<&Document> {
    let ids: Vec<&str> = documents.iter().map(|d| d.id.as_str()).collect();
    let by_id: BTreeMap<&str, &Document> =
        documents.iter().rev().map(|d| (d.id.as_str(), d)).collect();
    sample_ids(&ids, count, SAMPLE_SEED)
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .collect()
}

/// Marks each line end with `⏎` (so trailing spaces and blank lines show) and indents by two.
pub fn visible(text: &str) -> String {
    text.split('\n')
        .map(|line| format!("  {line}⏎"))
        .collect::<Vec<_>>()
        .join("\n")
}
