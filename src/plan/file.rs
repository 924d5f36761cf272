//! The plan as written to disk: models, datasets and templates in tables, written once, and
//! runs that name them. Writing borrows from the plan; reading it back shares each table entry,
//! and each run of identical training parameters or inputs, between its runs.

use super::{Interner, ModelSpec, NamedDataset, Plan, Run, RunSpec, Sample, Shared};
use crate::check::study::{Shots, TrainingParams};
use crate::corpus::DatasetSpec;
use crate::template::spec::TemplateSpec;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

/// The JSON document of a plan: borrowed from a [`Plan`] when written, owned when read.
#[derive(Serialize, Deserialize)]
pub struct PlanFile<'a> {
    format_version: u32,
    study: Cow<'a, str>,
    source: Cow<'a, Path>,
    results: Cow<'a, Path>,
    models: BTreeMap<Cow<'a, str>, Cow<'a, ModelSpec>>,
    datasets: BTreeMap<Cow<'a, str>, Cow<'a, DatasetSpec>>,
    templates: BTreeMap<Cow<'a, str>, Cow<'a, TemplateSpec>>,
    /// Last: [`compact_json`] writes the runs after the rest of the document.
    runs: Vec<RunEntry<'a>>,
}

/// One run, naming its model, dataset and template.
#[derive(Serialize, Deserialize)]
struct RunEntry<'a> {
    id: Cow<'a, str>,
    experiment: Cow<'a, str>,
    model: Cow<'a, str>,
    task: Cow<'a, str>,
    dataset: Cow<'a, str>,
    template: Cow<'a, str>,
    shots: Shots,
    seed: u64,
    blocked: Cow<'a, [String]>,
    training: Cow<'a, TrainingParams>,
    sample: Option<Cow<'a, Sample>>,
    inputs: Cow<'a, BTreeMap<String, String>>,
}

impl<'a> From<&'a Plan> for PlanFile<'a> {
    fn from(plan: &'a Plan) -> Self {
        let mut file = PlanFile {
            format_version: plan.format_version,
            study: Cow::Borrowed(&plan.study),
            source: Cow::Borrowed(&plan.source),
            results: Cow::Borrowed(&plan.results),
            models: BTreeMap::new(),
            datasets: BTreeMap::new(),
            templates: BTreeMap::new(),
            runs: Vec::with_capacity(plan.runs.len()),
        };
        for run in &plan.runs {
            let spec = &run.spec;
            file.models
                .entry(Cow::Borrowed(&run.model))
                .or_insert_with(|| Cow::Borrowed(&*spec.model));
            file.datasets
                .entry(Cow::Borrowed(&spec.dataset.name))
                .or_insert_with(|| Cow::Borrowed(&spec.dataset.spec));
            file.templates
                .entry(Cow::Borrowed(&spec.template_name))
                .or_insert_with(|| Cow::Borrowed(&*spec.template));
            file.runs.push(RunEntry::from(run));
        }
        file
    }
}

impl<'a> From<&'a Run> for RunEntry<'a> {
    fn from(run: &'a Run) -> Self {
        let spec = &run.spec;
        RunEntry {
            id: Cow::Borrowed(&run.id),
            experiment: Cow::Borrowed(&run.experiment),
            model: Cow::Borrowed(&run.model),
            task: Cow::Borrowed(&run.task),
            dataset: Cow::Borrowed(&spec.dataset.name),
            template: Cow::Borrowed(&spec.template_name),
            shots: run.shots,
            seed: run.seed,
            blocked: Cow::Borrowed(&run.blocked),
            training: Cow::Borrowed(&*spec.training),
            sample: spec.sample.as_ref().map(Cow::Borrowed),
            inputs: Cow::Borrowed(&*spec.inputs),
        }
    }
}

/// The compact JSON of `plan`, byte for byte `serde_json::to_string(&PlanFile::from(plan))`,
/// with the runs serialised in parallel chunks of at least `min_chunk`.
pub fn compact_json(plan: &Plan, min_chunk: usize) -> String {
    let mut file = PlanFile::from(plan);
    let runs = std::mem::take(&mut file.runs);
    // Without runs the document ends `"runs":[]}`; the runs go between the brackets.
    let head = serde_json::to_string(&file).unwrap_or_default();
    let Some(head) = head.strip_suffix("]}") else {
        return String::new();
    };
    let parts = super::parallel::map_chunks(&runs, min_chunk, |part| {
        serde_json::to_string(part).unwrap_or_default()
    });
    let mut out = String::with_capacity(head.len() + parts.iter().map(String::len).sum::<usize>());
    out.push_str(head);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Each part is `[run,run,…]`.
        out.push_str(&part[1..part.len() - 1]);
    }
    out.push_str("]}");
    out
}

impl PlanFile<'_> {
    /// The version the file declares.
    pub fn format_version(&self) -> u32 {
        self.format_version
    }

    /// The in-memory plan; an error names a run entry whose table entry is missing.
    pub fn into_plan(self) -> Result<Plan, String> {
        let models: BTreeMap<Cow<str>, Shared<ModelSpec>> = self
            .models
            .into_iter()
            .map(|(name, spec)| (name, Shared::new(spec.into_owned())))
            .collect();
        let datasets: BTreeMap<Cow<str>, Shared<NamedDataset>> = self
            .datasets
            .into_iter()
            .map(|(name, spec)| {
                let dataset = NamedDataset {
                    name: name.to_string(),
                    spec: spec.into_owned(),
                };
                (name, Shared::new(dataset))
            })
            .collect();
        let templates: BTreeMap<Cow<str>, Shared<TemplateSpec>> = self
            .templates
            .into_iter()
            .map(|(name, spec)| (name, Shared::new(spec.into_owned())))
            .collect();
        let mut trainings = Interner::default();
        let mut input_sets = Interner::default();
        let mut runs = Vec::with_capacity(self.runs.len());
        for entry in self.runs {
            let missing = |kind: &str, name: &str| {
                format!("a run names {kind} `{name}`, which the plan does not list")
            };
            let model = models
                .get(&entry.model)
                .cloned()
                .ok_or_else(|| missing("model", &entry.model))?;
            let dataset = datasets
                .get(&entry.dataset)
                .cloned()
                .ok_or_else(|| missing("dataset", &entry.dataset))?;
            let template = templates
                .get(&entry.template)
                .cloned()
                .ok_or_else(|| missing("template", &entry.template))?;
            runs.push(Run {
                id: entry.id.into_owned(),
                experiment: entry.experiment.into_owned(),
                model: entry.model.into_owned(),
                task: entry.task.into_owned(),
                shots: entry.shots,
                seed: entry.seed,
                blocked: entry.blocked.into_owned(),
                spec: RunSpec {
                    model,
                    dataset,
                    template_name: entry.template.into_owned(),
                    template,
                    training: trainings.intern(entry.training.into_owned()),
                    sample: entry.sample.map(Cow::into_owned),
                    inputs: input_sets.intern(entry.inputs.into_owned()),
                },
            });
        }
        Ok(Plan {
            format_version: self.format_version,
            study: self.study.into_owned(),
            source: self.source.into_owned(),
            results: self.results.into_owned(),
            runs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{PlanFile, compact_json};
    use crate::bench::synthetic::{Grid, write_study};
    use crate::check::{CheckOptions, check};
    use crate::plan::{PlanOptions, build};

    #[test]
    fn runs_written_in_chunks_give_the_document_written_whole() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let grid = Grid {
            models: 3,
            tasks: 2,
            shots: 3,
            seeds: 2,
            documents: 10,
        };
        let path = write_study(dir.path(), grid, 1e-4).expect("study written");
        let study = check(&path, &CheckOptions::default())
            .study
            .expect("the synthetic study checks");
        let plan = build(&study, PlanOptions::default());
        let whole = serde_json::to_string(&PlanFile::from(&plan)).expect("serialises");
        for min_chunk in [1, 5, 1000] {
            assert_eq!(compact_json(&plan, min_chunk), whole);
        }
    }
}
