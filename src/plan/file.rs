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
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;

/// The JSON document of a plan, its runs written as [`RunEntry`]s and read as [`RunRecord`]s.
#[derive(Serialize, Deserialize)]
pub struct PlanFile<'a, R> {
    format_version: u32,
    study: Cow<'a, str>,
    source: Cow<'a, Path>,
    results: Cow<'a, Path>,
    models: BTreeMap<Cow<'a, str>, Cow<'a, ModelSpec>>,
    datasets: BTreeMap<Cow<'a, str>, Cow<'a, DatasetSpec>>,
    templates: BTreeMap<Cow<'a, str>, Cow<'a, TemplateSpec>>,
    /// Last: [`write_compact`] writes the runs after the rest of the document.
    runs: Vec<R>,
}

/// One run, naming its model, dataset and template, borrowed from a [`Plan`] to be written.
#[derive(Serialize)]
pub(super) struct RunEntry<'a> {
    id: &'a str,
    experiment: &'a str,
    model: &'a str,
    task: &'a str,
    dataset: &'a str,
    template: &'a str,
    shots: Shots,
    seed: u64,
    blocked: &'a [String],
    training: &'a TrainingParams,
    sample: &'a Option<Sample>,
    inputs: &'a BTreeMap<String, String>,
}

/// A [`RunEntry`] as read: what is only looked up or compared (the dataset's name, the
/// inputs) is borrowed from the text where it needs no unescaping.
#[derive(Deserialize)]
pub(super) struct RunRecord<'a> {
    id: String,
    experiment: String,
    model: String,
    task: String,
    #[serde(borrow)]
    dataset: Cow<'a, str>,
    template: String,
    shots: Shots,
    seed: u64,
    blocked: Vec<String>,
    training: TrainingParams,
    sample: Option<Sample>,
    #[serde(borrow)]
    inputs: Pairs<'a>,
}

/// A string borrowed from the text being read, or unescaped into a copy.
#[derive(Deserialize, PartialEq, Eq, PartialOrd, Ord)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// A JSON object of strings, its members in the order written: compared with the previous
/// run's input hashes without building a map for every run.
struct Pairs<'a>(Vec<(Text<'a>, Text<'a>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<'a>(std::marker::PhantomData<Pairs<'a>>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Members<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Pairs<'a>, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Pairs(members))
            }
        }
        deserializer.deserialize_map(Members(std::marker::PhantomData))
    }
}

impl Pairs<'_> {
    /// Whether the members, read as a map, are `known`: compared member by member when written
    /// in sorted order without repeats (as expc writes them); otherwise never (the caller then
    /// makes a new value from them).
    fn are(&self, known: &BTreeMap<String, String>) -> bool {
        let members = &self.0;
        members.len() == known.len()
            && members.windows(2).all(|pair| pair[0].0 < pair[1].0)
            && known
                .iter()
                .zip(members)
                .all(|((k, v), (rk, rv))| *k == rk.0 && *v == rv.0)
    }

    /// The members as a map (the last of repeated keys wins, as in a map read directly).
    fn into_map(self) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        for (key, value) in self.0 {
            map.insert(key.0.into_owned(), value.0.into_owned());
        }
        map
    }
}

/// Reads a plan document.
pub fn parse(text: &str) -> serde_json::Result<PlanFile<'_, RunRecord<'_>>> {
    serde_json::from_str(text)
}

impl<'a> From<&'a Plan> for PlanFile<'a, RunEntry<'a>> {
    fn from(plan: &'a Plan) -> Self {
        let mut file = PlanFile::tables(plan);
        file.runs = plan.runs.iter().map(RunEntry::from).collect();
        file
    }
}

impl<'a> PlanFile<'a, RunEntry<'a>> {
    /// The document without its runs: the tables of the models, datasets and templates the
    /// runs name.
    fn tables(plan: &'a Plan) -> Self {
        let mut file = PlanFile {
            format_version: plan.format_version,
            study: Cow::Borrowed(&plan.study),
            source: Cow::Borrowed(&plan.source),
            results: Cow::Borrowed(&plan.results),
            models: BTreeMap::new(),
            datasets: BTreeMap::new(),
            templates: BTreeMap::new(),
            runs: Vec::new(),
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
        }
        file
    }
}

impl<'a> From<&'a Run> for RunEntry<'a> {
    fn from(run: &'a Run) -> Self {
        let spec = &run.spec;
        RunEntry {
            id: &run.id,
            experiment: &run.experiment,
            model: &run.model,
            task: &run.task,
            dataset: &spec.dataset.name,
            template: &spec.template_name,
            shots: run.shots,
            seed: run.seed,
            blocked: &run.blocked,
            training: &spec.training,
            sample: &spec.sample,
            inputs: &spec.inputs,
        }
    }
}

/// Writes the compact JSON of `plan` to `out`: byte for byte
/// `serde_json::to_string(&PlanFile::from(plan))`. The runs are written by [`RunWriter`] in
/// batches of `batch` runs, each batch split between threads.
pub fn write_compact(plan: &Plan, batch: usize, out: &mut impl Write) -> io::Result<()> {
    // Without runs the document ends `"runs":[]}`; the runs go between the brackets.
    let head = serde_json::to_string(&PlanFile::tables(plan)).map_err(io::Error::other)?;
    let head = head
        .strip_suffix("]}")
        .ok_or_else(|| io::Error::other("the plan document does not end with its runs"))?;
    out.write_all(head.as_bytes())?;
    // Each batch's buffers are reused by the next: their pages are touched once.
    let free: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    for (index, runs) in plan.runs.chunks(batch.max(1)).enumerate() {
        let parts = super::parallel::map_chunks(runs, 1024, |part| {
            let mut text = free
                .lock()
                .ok()
                .and_then(|mut free| free.pop())
                .unwrap_or_default();
            text.clear();
            let mut writer = RunWriter::default();
            for (i, run) in part.iter().enumerate() {
                if i > 0 {
                    text.push(b',');
                }
                writer.write(run, &mut text);
            }
            text
        });
        for (i, part) in parts.into_iter().enumerate() {
            if index > 0 || i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(&part)?;
            if let Ok(mut free) = free.lock() {
                free.push(part);
            }
        }
    }
    out.write_all(b"]}")
}

/// Writes runs exactly as their [`RunEntry`] serialises, without going through serde for the
/// strings (most need no escaping) and with each shared training profile serialised once.
#[derive(Default)]
struct RunWriter {
    /// The last training profile written and its JSON.
    training: Option<(Shared<TrainingParams>, Vec<u8>)>,
}

impl RunWriter {
    fn write(&mut self, run: &Run, out: &mut Vec<u8>) {
        let spec = &run.spec;
        out.extend_from_slice(b"{\"id\":");
        write_str(out, &run.id);
        out.extend_from_slice(b",\"experiment\":");
        write_str(out, &run.experiment);
        out.extend_from_slice(b",\"model\":");
        write_str(out, &run.model);
        out.extend_from_slice(b",\"task\":");
        write_str(out, &run.task);
        out.extend_from_slice(b",\"dataset\":");
        write_str(out, &spec.dataset.name);
        out.extend_from_slice(b",\"template\":");
        write_str(out, &spec.template_name);
        out.extend_from_slice(b",\"shots\":");
        write_json(out, &run.shots);
        out.extend_from_slice(b",\"seed\":");
        write_json(out, &run.seed);
        out.extend_from_slice(b",\"blocked\":[");
        for (i, reason) in run.blocked.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, reason);
        }
        out.extend_from_slice(b"],\"training\":");
        let training = match &mut self.training {
            Some((last, text)) if last.same(&spec.training) => text,
            slot => {
                let mut text = Vec::new();
                write_json(&mut text, &*spec.training);
                &mut slot.insert((spec.training.clone(), text)).1
            }
        };
        out.extend_from_slice(training);
        out.extend_from_slice(b",\"sample\":");
        write_json(out, &spec.sample);
        out.extend_from_slice(b",\"inputs\":");
        // A map of strings: its canonical JSON is its compact JSON.
        match spec.inputs.canonical() {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => write_json(out, &*spec.inputs),
        }
        out.push(b'}');
    }
}

/// A JSON string as serde_json writes it: copied as it is unless it holds a character
/// serde_json escapes (a control character, `"` or `\\`).
fn write_str(out: &mut Vec<u8>, text: &str) {
    let escaped = |byte: u8| byte < 0x20 || byte == b'"' || byte == b'\\';
    // Sixteen bytes at a time without an early exit, so the check vectorises.
    let mut chunks = text.as_bytes().chunks_exact(16);
    let plain = chunks
        .by_ref()
        .all(|chunk| !chunk.iter().fold(false, |any, &byte| any | escaped(byte)))
        && !chunks.remainder().iter().any(|&byte| escaped(byte));
    if plain {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        write_json(out, text);
    }
}

/// `value` as serde_json writes it (`null` if it does not serialise).
fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let start = out.len();
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
}

impl<R> PlanFile<'_, R> {
    /// The version the file declares.
    pub fn format_version(&self) -> u32 {
        self.format_version
    }
}

impl PlanFile<'_, RunRecord<'_>> {
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
                .get(entry.model.as_str())
                .cloned()
                .ok_or_else(|| missing("model", &entry.model))?;
            let dataset = datasets
                .get(entry.dataset.as_ref())
                .cloned()
                .ok_or_else(|| missing("dataset", &entry.dataset))?;
            let template = templates
                .get(entry.template.as_str())
                .cloned()
                .ok_or_else(|| missing("template", &entry.template))?;
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
                    training: trainings.intern(entry.training),
                    sample: entry.sample,
                    inputs: input_sets.intern_with(
                        entry.inputs,
                        |known, read| read.are(known),
                        Pairs::into_map,
                    ),
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
    use super::{PlanFile, write_compact};
    use crate::bench::synthetic::{Grid, write_study};
    use crate::check::{CheckOptions, check};
    use crate::plan::{PlanOptions, build};

    #[test]
    fn runs_written_by_hand_in_batches_give_the_document_serde_writes() {
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
        let mut plan = build(&study, PlanOptions::default());
        // Strings that need escaping, and runs without a sample or a reason to wait.
        plan.runs[0].experiment = "quote \" backslash \\ tab \t é".into();
        plan.runs[1].blocked.clear();
        plan.runs[2].spec.sample = None;
        let whole = serde_json::to_string(&PlanFile::from(&plan)).expect("serialises");
        for batch in [1, 5, 1000] {
            let mut written = Vec::new();
            write_compact(&plan, batch, &mut written).expect("written");
            assert_eq!(String::from_utf8(written).ok(), Some(whole.clone()));
        }
    }
}
