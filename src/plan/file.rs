//! The plan as written to disk: models, datasets and templates in tables, written once, and
//! runs that name them. Reading it back shares each table entry between its runs.

use super::{ModelSpec, NamedDataset, Plan, Run, RunSpec, Sample, Shared};
use crate::check::study::{Shots, TrainingParams};
use crate::corpus::DatasetSpec;
use crate::template::spec::TemplateSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The JSON document of a plan.
#[derive(Serialize, Deserialize)]
pub struct PlanFile {
    format_version: u32,
    study: String,
    source: PathBuf,
    results: PathBuf,
    models: BTreeMap<String, ModelSpec>,
    datasets: BTreeMap<String, DatasetSpec>,
    templates: BTreeMap<String, TemplateSpec>,
    runs: Vec<RunEntry>,
}

/// One run, naming its model, dataset and template.
#[derive(Serialize, Deserialize)]
struct RunEntry {
    id: String,
    experiment: String,
    model: String,
    task: String,
    dataset: String,
    template: String,
    shots: Shots,
    seed: u64,
    blocked: Vec<String>,
    training: TrainingParams,
    sample: Option<Sample>,
    inputs: BTreeMap<String, String>,
}

impl From<&Plan> for PlanFile {
    fn from(plan: &Plan) -> Self {
        let mut file = PlanFile {
            format_version: plan.format_version,
            study: plan.study.clone(),
            source: plan.source.clone(),
            results: plan.results.clone(),
            models: BTreeMap::new(),
            datasets: BTreeMap::new(),
            templates: BTreeMap::new(),
            runs: Vec::with_capacity(plan.runs.len()),
        };
        for run in &plan.runs {
            let spec = &run.spec;
            file.models
                .entry(run.model.clone())
                .or_insert_with(|| ModelSpec::clone(&spec.model));
            file.datasets
                .entry(spec.dataset.name.clone())
                .or_insert_with(|| spec.dataset.spec.clone());
            file.templates
                .entry(spec.template_name.clone())
                .or_insert_with(|| TemplateSpec::clone(&spec.template));
            file.runs.push(RunEntry {
                id: run.id.clone(),
                experiment: run.experiment.clone(),
                model: run.model.clone(),
                task: run.task.clone(),
                dataset: spec.dataset.name.clone(),
                template: spec.template_name.clone(),
                shots: run.shots,
                seed: run.seed,
                blocked: run.blocked.clone(),
                training: spec.training.clone(),
                sample: spec.sample.clone(),
                inputs: spec.inputs.clone(),
            });
        }
        file
    }
}

impl PlanFile {
    /// The version the file declares.
    pub fn format_version(&self) -> u32 {
        self.format_version
    }

    /// The in-memory plan; an error names a run entry whose table entry is missing.
    pub fn into_plan(self) -> Result<Plan, String> {
        let models: BTreeMap<String, Shared<ModelSpec>> = self
            .models
            .into_iter()
            .map(|(k, v)| (k, Shared::new(v)))
            .collect();
        let datasets: BTreeMap<String, Shared<NamedDataset>> = self
            .datasets
            .into_iter()
            .map(|(name, spec)| (name.clone(), Shared::new(NamedDataset { name, spec })))
            .collect();
        let templates: BTreeMap<String, Shared<TemplateSpec>> = self
            .templates
            .into_iter()
            .map(|(k, v)| (k, Shared::new(v)))
            .collect();
        let mut runs = Vec::with_capacity(self.runs.len());
        for entry in self.runs {
            let model = models.get(&entry.model).cloned().ok_or_else(|| {
                format!(
                    "a run names model `{}`, which the plan does not list",
                    entry.model
                )
            })?;
            let dataset = datasets.get(&entry.dataset).cloned().ok_or_else(|| {
                format!(
                    "a run names dataset `{}`, which the plan does not list",
                    entry.dataset
                )
            })?;
            let template = templates.get(&entry.template).cloned().ok_or_else(|| {
                format!(
                    "a run names template `{}`, which the plan does not list",
                    entry.template
                )
            })?;
            runs.push(Run {
                id: entry.id,
                experiment: entry.experiment,
                model: entry.model,
                task: entry.task,
                shots: entry.shots,
                seed: entry.seed,
                blocked: entry.blocked,
                spec: RunSpec {
                    model,
                    dataset,
                    template_name: entry.template,
                    template,
                    training: entry.training,
                    sample: entry.sample,
                    inputs: entry.inputs,
                },
            });
        }
        Ok(Plan {
            format_version: self.format_version,
            study: self.study,
            source: self.source,
            results: self.results,
            runs,
        })
    }
}
