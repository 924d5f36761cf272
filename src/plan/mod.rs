//! Planning: expands every experiment of a checked [`Study`] into fully resolved runs, each
//! with a content-derived id. A plan is printed, saved as versioned JSON, and diffed.

mod build;
mod canonical;
mod file;
mod hash;
mod key;
mod parallel;
mod render;
mod shared;

pub use build::{PlanOptions, build, hash_ids};
pub use canonical::to_canonical_string;
pub use hash::InputHasher;
pub use parallel::side_by_side;
pub use render::{blocked, render_runs, render_table, summary};
pub use shared::{Identical, Interner, Shared};

use crate::check::study::{Family, Generation, ScratchModel, Shots, TrainingParams};
use crate::corpus::DatasetSpec;
use crate::template::spec::TemplateSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The version of the plan JSON format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 2;

/// Every run of a study, in plan order.
///
/// In memory every run is fully resolved; runs share their model, dataset and template. On disk
/// ([`Plan::to_json`]) those shared parts are written once, in tables the runs name.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The study's name.
    pub study: String,
    /// The `.exp` file the plan was made from.
    pub source: PathBuf,
    /// Where results are written.
    pub results: PathBuf,
    /// The runs.
    pub runs: Vec<Run>,
}

/// One run: grid coordinates, resolved specification and identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// blake3 (hex) of the canonical JSON of [`Run::key`].
    pub id: String,
    /// The experiment that declared the run.
    pub experiment: String,
    /// Grid coordinates: model name.
    pub model: String,
    /// Grid coordinates: task name.
    pub task: String,
    /// Grid coordinates: shots.
    pub shots: Shots,
    /// Grid coordinates: seed.
    pub seed: u64,
    /// Why the run cannot start yet (missing checkpoint or corpus); empty when ready.
    pub blocked: Vec<String>,
    /// The fully resolved run.
    pub spec: RunSpec,
}

/// Everything a run reads and does, after defaults and overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// The model to finetune.
    pub model: Shared<ModelSpec>,
    /// The dataset's name and files.
    pub dataset: Shared<NamedDataset>,
    /// The template's name.
    pub template_name: String,
    /// The template.
    pub template: Shared<TemplateSpec>,
    /// Training hyper-parameters (shared by the runs that resolve to identical ones).
    pub training: Shared<TrainingParams>,
    /// The few-shot sample (absent for full data).
    pub sample: Option<Sample>,
    /// Content hashes of every input file or folder, by role (`checkpoint`, `train`, …);
    /// `missing` for inputs not present (shared by the runs with identical inputs).
    pub inputs: Shared<BTreeMap<String, String>>,
}

/// A model as a run uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Architecture family.
    pub family: Family,
    /// Where the weights come from.
    #[serde(flatten)]
    pub weights: Weights,
    /// Decoding settings.
    pub generation: Generation,
    /// Descriptive tags (not part of the run's identity).
    pub tags: BTreeMap<String, String>,
}

/// Pretrained weights, or weights made from scratch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weights {
    /// An absolute checkpoint folder.
    Checkpoint(PathBuf),
    /// Built from a configuration with seeded random weights and a learned tokenizer.
    Init(ScratchModel),
}

/// A dataset with its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedDataset {
    /// The dataset's name in the study.
    pub name: String,
    /// Format and paths.
    #[serde(flatten)]
    pub spec: DatasetSpec,
}

/// A seeded few-shot sample of the training split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Number of training documents.
    pub count: u32,
    /// blake3 (hex) of the sampled ids, one per line, in sample order; `None` when the
    /// corpus could not be read at planning time.
    pub ids_hash: Option<String>,
}

impl Run {
    /// The short id shown in tables.
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }
}

/// Errors reading a saved plan.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Not JSON, or not a plan.
    #[error("{path}: not a plan: {source}")]
    Json {
        /// The file.
        path: String,
        /// The parse error.
        source: serde_json::Error,
    },
    /// Written by an incompatible version.
    #[error(
        "{path}: plan format version {found} is not supported (this expc reads version {FORMAT_VERSION})"
    )]
    Version {
        /// The file.
        path: String,
        /// The version found.
        found: u64,
    },
    /// A run naming a model, dataset or template the plan's tables do not have.
    #[error("{path}: {message}")]
    Dangling {
        /// The file.
        path: String,
        /// What is missing.
        message: String,
    },
    /// A run whose id does not match its content (edited by hand or corrupted).
    #[error("{path}: run {run} has id {id}, but its content hashes to {expected}")]
    Tampered {
        /// The file.
        path: String,
        /// The run's coordinates (model / task / shots / seed).
        run: String,
        /// The id written.
        id: String,
        /// The id its content gives.
        expected: String,
    },
}

impl Plan {
    /// The plan as pretty, versioned JSON with shared parts written once.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&file::PlanFile::from(self)).unwrap_or_default()
    }

    /// The same document as [`Plan::to_json`] without whitespace: what `expc plan -o` saves
    /// (about half the size of the pretty form, and faster to write and read back).
    pub fn to_json_compact(&self) -> String {
        let mut text = Vec::new();
        match self.write_json_compact(&mut text) {
            Ok(()) => String::from_utf8(text).unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Writes [`Plan::to_json_compact`]'s document to `out`, a batch of runs at a time, each
    /// batch written by all cores.
    pub fn write_json_compact(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        file::write_compact(self, 8192, out)
    }

    /// Reads a plan written by [`Plan::to_json`] or [`Plan::to_json_compact`], checking its
    /// version and run ids.
    pub fn from_json(text: &str, path: &str) -> Result<Plan, PlanError> {
        #[derive(Deserialize)]
        struct Version {
            format_version: Option<u64>,
        }
        // One parse on the good path; the version is looked at only when that parse fails, so
        // a plan of another version is reported as such rather than as a shape mismatch.
        let file = match file::parse(text) {
            Ok(file) => file,
            Err(source) => {
                let Ok(version) = serde_json::from_str::<Version>(text) else {
                    return Err(PlanError::Json {
                        path: path.into(),
                        source,
                    });
                };
                let found = version.format_version.unwrap_or(0);
                return Err(if found == u64::from(FORMAT_VERSION) {
                    PlanError::Json {
                        path: path.into(),
                        source,
                    }
                } else {
                    PlanError::Version {
                        path: path.into(),
                        found,
                    }
                });
            }
        };
        if file.format_version() != FORMAT_VERSION {
            return Err(PlanError::Version {
                path: path.into(),
                found: u64::from(file.format_version()),
            });
        }
        let plan = file.into_plan().map_err(|message| PlanError::Dangling {
            path: path.into(),
            message,
        })?;
        if let Some((run, expected)) = parallel::first_tampered(&plan.runs) {
            return Err(PlanError::Tampered {
                path: path.into(),
                run: format!(
                    "{} / {} / {} / {}",
                    run.model, run.task, run.shots, run.seed
                ),
                id: run.id.clone(),
                expected,
            });
        }
        Ok(plan)
    }
}
