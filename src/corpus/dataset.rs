//! A dataset: the train, validation and test splits of one corpus, as a study names them.

use super::lines::Lines;
use super::{CorpusError, Document, Format, holdout, load};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A dataset after checking: a format and the (absolute) paths of its splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSpec {
    /// The format of every split.
    pub format: Format,
    /// The training split (file or folder, as the format needs).
    pub train: PathBuf,
    /// Where the validation split comes from.
    pub validation: ValidationSpec,
    /// The test split (file or folder, as the format needs).
    pub test: PathBuf,
}

/// Where the validation split of a dataset comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidationSpec {
    /// A split of its own (file or folder, as the format needs).
    File(PathBuf),
    /// A seeded held-out `fraction` of train (rounded to whole documents); the rest stays train.
    Holdout {
        /// The share of training documents held out, in `0.0..=1.0`.
        fraction: f64,
        /// The seed of the [`SplitMix64`](super::SplitMix64) shuffle that picks them.
        seed: u64,
    },
    /// A file of training-document ids, one per line, moved from train to validation (the
    /// paper's split: `data/*/paper_split/valid_doc_ids.txt`). Every id must exist in train.
    TrainIds(PathBuf),
}

/// The three splits of a loaded dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Splits {
    /// Training documents, in file order.
    pub train: Vec<Document>,
    /// Validation documents: file order, except for [`ValidationSpec::TrainIds`], whose order
    /// is that of the id file.
    pub validation: Vec<Document>,
    /// Test documents, in file order.
    pub test: Vec<Document>,
}

/// Loads the three splits of `spec`.
pub fn load_dataset(spec: &DatasetSpec) -> Result<Splits, CorpusError> {
    let train = load(spec.format, &spec.train)?;
    let (train, validation) = match &spec.validation {
        ValidationSpec::File(path) => (train, load(spec.format, path)?),
        ValidationSpec::Holdout { fraction, seed } => {
            if !(0.0..=1.0).contains(fraction) {
                let message = format!("holdout fraction {fraction} is not between 0 and 1");
                return Err(CorpusError::file(&spec.train, message));
            }
            let count = (fraction * train.len() as f64).round() as usize;
            holdout(train, count, *seed)
        }
        ValidationSpec::TrainIds(path) => move_ids(train, path)?,
    };
    let test = load(spec.format, &spec.test)?;
    Ok(Splits {
        train,
        validation,
        test,
    })
}

/// Splits `train` into (train, validation) by the ids listed in the file at `path`.
fn move_ids(
    train: Vec<Document>,
    path: &Path,
) -> Result<(Vec<Document>, Vec<Document>), CorpusError> {
    let ids = read_ids(Lines::open(path)?)?;
    let mut position: HashMap<&str, usize> = HashMap::new();
    for (index, (number, id)) in ids.iter().enumerate() {
        if position.insert(id.as_str(), index).is_some() {
            return Err(CorpusError::at(
                path,
                *number,
                format!("id `{id}` is listed twice"),
            ));
        }
    }
    let mut kept = Vec::new();
    let mut moved: Vec<Option<Document>> = vec![None; ids.len()];
    for document in train {
        match position.get(document.id.as_str()) {
            Some(&index) => moved[index] = Some(document),
            None => kept.push(document),
        }
    }
    let validation = ids
        .iter()
        .zip(moved)
        .map(|((number, id), document)| {
            document.ok_or_else(|| {
                CorpusError::at(
                    path,
                    *number,
                    format!("id `{id}` is not a training document"),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok((kept, validation))
}

/// Reads non-blank lines as ids (surrounding whitespace trimmed), with their line numbers.
fn read_ids<R: std::io::BufRead>(
    mut lines: Lines<'_, R>,
) -> Result<Vec<(usize, String)>, CorpusError> {
    let mut ids = Vec::new();
    while let Some((number, line)) = lines.next_line()? {
        let id = line.trim();
        if !id.is_empty() {
            ids.push((number, id.to_owned()));
        }
    }
    Ok(ids)
}
