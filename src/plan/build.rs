//! Study → plan: the grid expanded, every run resolved and identified.

use super::{
    InputHasher, Interner, ModelSpec, NamedDataset, Plan, Run, RunSpec, Sample, Shared, Weights,
};
use crate::check::study::{Dataset, ModelSource, Shots, Study};
use crate::corpus::{ValidationSpec, load_dataset, sample_ids};
use crate::template::spec::TemplateSpec;
use std::collections::{BTreeMap, HashMap};

/// What planning may read besides the study.
#[derive(Debug, Clone, Copy)]
pub struct PlanOptions {
    /// Read corpora to draw few-shot samples and hash their ids (part of run identity).
    pub read_corpora: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self { read_corpora: true }
    }
}

/// Expands every experiment of `study` into runs, in declaration order.
pub fn build(study: &Study, options: PlanOptions) -> Plan {
    let mut hasher = InputHasher::default();
    // Keyed by names borrowed from the study: looking a run's sample up allocates nothing.
    let mut train_ids: HashMap<&str, Result<Vec<String>, String>> = HashMap::new();
    let mut samples: HashMap<(&str, u32, u64), String> = HashMap::new();
    let mut trainings = Interner::default();
    let mut input_sets = Interner::default();
    let mut runs = Vec::with_capacity(
        study
            .experiments
            .iter()
            .map(|e| e.models.len() * e.tasks.len() * e.shots.len() * e.seeds.len())
            .sum(),
    );
    // Each model, dataset and template is resolved once and shared by its runs.
    let models: BTreeMap<&str, Shared<ModelSpec>> = study
        .models
        .iter()
        .map(|(name, model)| {
            let spec = ModelSpec {
                family: model.family,
                weights: match &model.source {
                    ModelSource::Checkpoint { path, .. } => Weights::Checkpoint(path.clone()),
                    ModelSource::Scratch(scratch) => Weights::Init(scratch.clone()),
                },
                generation: model.generation.clone(),
                tags: model.tags.clone(),
            };
            (name.as_str(), Shared::new(spec))
        })
        .collect();
    let datasets: BTreeMap<&str, Shared<NamedDataset>> = study
        .datasets
        .iter()
        .map(|(name, dataset)| {
            (
                name.as_str(),
                Shared::new(NamedDataset {
                    name: name.clone(),
                    spec: dataset.spec.clone(),
                }),
            )
        })
        .collect();
    let templates: BTreeMap<&str, Shared<TemplateSpec>> = study
        .templates
        .iter()
        .map(|(name, template)| (name.as_str(), Shared::new(template.spec.clone())))
        .collect();
    for experiment in &study.experiments {
        let training = experiment
            .training
            .as_ref()
            .and_then(|name| study.trainings.get(name));
        for model_name in &experiment.models {
            let Some(model) = study.models.get(model_name) else {
                continue;
            };
            for task_name in &experiment.tasks {
                let Some(task) = study.tasks.get(task_name) else {
                    continue;
                };
                let (Some(dataset), true) = (
                    study.datasets.get(&task.dataset),
                    templates.contains_key(task.template.as_str()),
                ) else {
                    continue;
                };
                let mut inputs = dataset_inputs(dataset, &mut hasher);
                let mut blocked = Vec::new();
                if let ModelSource::Checkpoint { path, available } = &model.source {
                    inputs.insert(
                        "checkpoint".into(),
                        hasher.hash(path).unwrap_or_else(|| "missing".into()),
                    );
                    if !available {
                        blocked.push(format!("checkpoint folder missing: {}", path.display()));
                    }
                }
                for path in &dataset.missing {
                    blocked.push(format!("corpus file missing: {}", path.display()));
                }
                let inputs = input_sets.intern(inputs);
                for &shots in &experiment.shots {
                    for &seed in &experiment.seeds {
                        let params = trainings.intern(
                            training
                                .map(|t| t.resolve(model_name, task_name, shots, seed))
                                .unwrap_or_default(),
                        );
                        let mut blocked = blocked.clone();
                        let sample = match shots {
                            Shots::Full => None,
                            Shots::Few(count) => {
                                let ids_hash = if options.read_corpora && dataset.missing.is_empty()
                                {
                                    let ids = train_ids
                                        .entry(task.dataset.as_str())
                                        .or_insert_with(|| read_train_ids(dataset));
                                    match ids {
                                        // A sample depends on the dataset, size and seed
                                        // only: drawn once, shared by every model and task.
                                        Ok(ids) => Some(
                                            samples
                                                .entry((task.dataset.as_str(), count, seed))
                                                .or_insert_with(|| {
                                                    hash_ids(&sample_ids(ids, count as usize, seed))
                                                })
                                                .clone(),
                                        ),
                                        Err(reason) => {
                                            blocked.push(reason.clone());
                                            None
                                        }
                                    }
                                } else {
                                    None
                                };
                                Some(Sample { count, ids_hash })
                            }
                        };
                        runs.push(Run {
                            id: String::new(),
                            experiment: experiment.name.clone(),
                            model: model_name.clone(),
                            task: task_name.clone(),
                            shots,
                            seed,
                            blocked,
                            spec: RunSpec {
                                model: models[model_name.as_str()].clone(),
                                dataset: datasets[task.dataset.as_str()].clone(),
                                template_name: task.template.clone(),
                                template: templates[task.template.as_str()].clone(),
                                training: params,
                                sample,
                                inputs: inputs.clone(),
                            },
                        });
                    }
                }
            }
        }
    }
    super::parallel::derive_ids(&mut runs);
    Plan {
        format_version: super::FORMAT_VERSION,
        study: study.name.clone(),
        source: study.path.clone(),
        results: study.results.clone(),
        runs,
    }
}

fn dataset_inputs(dataset: &Dataset, hasher: &mut InputHasher) -> BTreeMap<String, String> {
    let spec = &dataset.spec;
    let mut inputs = BTreeMap::new();
    let mut add = |role: &str, path: &std::path::Path| {
        inputs.insert(
            role.to_string(),
            hasher.hash(path).unwrap_or_else(|| "missing".into()),
        );
    };
    add("train", &spec.train);
    add("test", &spec.test);
    match &spec.validation {
        ValidationSpec::File(path) => add("validation", path),
        ValidationSpec::TrainIds(path) => add("validation_ids", path),
        ValidationSpec::Holdout { .. } => {}
    }
    inputs
}

fn read_train_ids(dataset: &Dataset) -> Result<Vec<String>, String> {
    load_dataset(&dataset.spec)
        .map(|splits| splits.train.into_iter().map(|d| d.id).collect())
        .map_err(|e| format!("corpus unreadable: {e}"))
}

/// The blake3 (hex) of sampled ids, one per line, in sample order: [`Sample::ids_hash`].
pub fn hash_ids(ids: &[String]) -> String {
    let mut hasher = blake3::Hasher::new();
    for id in ids {
        hasher.update(id.as_bytes());
        hasher.update(b"\n");
    }
    hasher.finalize().to_hex().to_string()
}
