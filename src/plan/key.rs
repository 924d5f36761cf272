//! A run's identity: its key (what it computes, inputs named by content), the key's canonical
//! JSON text, and the blake3 of that text, its id.

use super::{ModelSpec, NamedDataset, Run, Sample, Shared, Weights, canonical};
use crate::corpus::{DatasetSpec, ValidationSpec};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write as _;

impl Run {
    /// The identity of the run: what it computes, with inputs named by content rather than by
    /// path, so that moving files or renaming declarations keeps finished runs. The template,
    /// long and shared by many runs, enters by the digest of its canonical JSON.
    pub fn key(&self) -> serde_json::Value {
        let spec = &self.spec;
        let mut key = serde_json::json!({
            "family": spec.model.family,
            "generation": spec.model.generation,
            "format": spec.dataset.spec.format,
            "validation": validation_key(&spec.dataset.spec),
            "template": spec.template.digest(),
            "training": spec.training,
            "shots": self.shots,
            "seed": self.seed,
            "sample": spec.sample,
            "inputs": spec.inputs,
        });
        // Checkpoints enter by content hash (in `inputs`); a model built from scratch by its
        // whole definition.
        if let Weights::Init(scratch) = &spec.model.weights {
            key["init"] = serde_json::json!(scratch);
        }
        key
    }

    /// The canonical JSON text of [`Run::key`] (sorted keys, no whitespace), written field by
    /// field in sorted order by the canonical writer, without building the
    /// [`serde_json::Value`] tree: byte-identical to `self.key().to_string()` (pinned by tests),
    /// several times faster on large plans.
    pub fn key_text(&self) -> String {
        let mut fields = KeyWriter::default();
        self.write_key_head(&mut fields);
        let validation = validation_text(&self.spec.dataset.spec);
        self.write_key_tail(&validation, &mut fields);
        String::from_utf8(fields.out).unwrap_or_default()
    }

    /// The id derived from [`Run::key_text`].
    pub fn derive_id(&self) -> String {
        blake3::hash(self.key_text().as_bytes())
            .to_hex()
            .to_string()
    }

    /// The key's fields up to `inputs`: what the run shares with every run of its model,
    /// dataset and inputs.
    fn write_key_head(&self, fields: &mut KeyWriter) {
        let spec = &self.spec;
        fields.field("family", &spec.model.family);
        fields.field("format", &spec.dataset.spec.format);
        fields.field("generation", &spec.model.generation);
        if let Weights::Init(scratch) = &spec.model.weights {
            fields.field("init", scratch);
        }
        fields.raw("inputs", spec.inputs.canonical());
    }

    /// The key's fields after `inputs` and its closing brace, with the dataset's validation
    /// field already written as `validation`.
    fn write_key_tail(&self, validation: &[u8], fields: &mut KeyWriter) {
        let spec = &self.spec;
        fields.name("sample");
        write_sample(&mut fields.out, spec.sample.as_ref());
        fields.field("seed", &self.seed);
        fields.field("shots", &self.shots);
        fields.field("template", spec.template.digest());
        fields.raw("training", spec.training.canonical());
        fields.name("validation");
        fields.out.extend_from_slice(validation);
        fields.out.push(b'}');
    }
}

/// How a run's validation split enters its key: a holdout by its fraction and seed, a file or
/// an id list by name only (their content hashes are in `inputs`).
#[derive(Serialize)]
#[serde(untagged)]
enum ValidationKey {
    Holdout { holdout: f64, seed: u64 },
    Named(&'static str),
}

fn validation_key(spec: &DatasetSpec) -> ValidationKey {
    match &spec.validation {
        ValidationSpec::Holdout { fraction, seed } => ValidationKey::Holdout {
            holdout: *fraction,
            seed: *seed,
        },
        ValidationSpec::File(_) => ValidationKey::Named("file"),
        ValidationSpec::TrainIds(_) => ValidationKey::Named("ids"),
    }
}

/// The canonical text of [`validation_key`].
fn validation_text(spec: &DatasetSpec) -> Vec<u8> {
    let mut out = Vec::new();
    if canonical::write_canonical(&mut out, &validation_key(spec)).is_err() {
        out.extend_from_slice(b"null");
    }
    out
}

/// The canonical JSON of a run's sample, its two fields written in sorted order by hand rather
/// than through the canonical writer's object buffer (a sample is in every few-shot run's key).
fn write_sample(out: &mut Vec<u8>, sample: Option<&Sample>) {
    // Every field by name: a new field is a compile error here until it is written.
    let Some(Sample { count, ids_hash }) = sample else {
        out.extend_from_slice(b"null");
        return;
    };
    out.extend_from_slice(b"{\"count\":");
    // Writing into a `Vec` cannot fail.
    let _ = write!(out, "{count}");
    out.extend_from_slice(b",\"ids_hash\":");
    if canonical::write_canonical(out, ids_hash).is_err() {
        out.extend_from_slice(b"null");
    }
    out.push(b'}');
}

/// Writes the fields of a JSON object, which the caller adds in sorted key order, each value in
/// its canonical form.
struct KeyWriter {
    out: Vec<u8>,
    /// Whether a field has been written (the next one needs a comma).
    open: bool,
}

impl Default for KeyWriter {
    /// An object: `{` and no field yet.
    fn default() -> Self {
        Self::continuing(Vec::with_capacity(1024), false)
    }
}

impl KeyWriter {
    /// Writes into `out` (cleared), after fields written elsewhere when `after_fields`.
    fn continuing(mut out: Vec<u8>, after_fields: bool) -> Self {
        out.clear();
        if !after_fields {
            out.push(b'{');
        }
        Self {
            out,
            open: after_fields,
        }
    }

    fn name(&mut self, key: &str) {
        if self.open {
            self.out.push(b',');
        }
        self.open = true;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// A field written in canonical form.
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.name(key);
        if canonical::write_canonical(&mut self.out, value).is_err() {
            self.out.extend_from_slice(b"null");
        }
    }

    /// A field whose canonical text is already made (`None`: not serialisable, `null`).
    fn raw(&mut self, key: &str, canonical: Option<&str>) {
        self.name(key);
        self.out
            .extend_from_slice(canonical.unwrap_or("null").as_bytes());
    }
}

/// Derives the ids of runs taken in plan order: the head of the key (see
/// [`Run::write_key_head`]) is written and hashed once for each stretch of runs that share
/// their model, dataset and inputs, and only the rest of each key is hashed on from there.
/// Gives [`Run::derive_id`] (pinned by tests).
#[derive(Default)]
pub(super) struct IdDeriver {
    head: Option<Head>,
    /// The last key tail's buffer, reused.
    tail: Vec<u8>,
}

/// The hashed head of the current stretch of runs.
struct Head {
    model: Shared<ModelSpec>,
    dataset: Shared<NamedDataset>,
    inputs: Shared<BTreeMap<String, String>>,
    /// blake3 state after the head's text.
    hasher: blake3::Hasher,
    /// The dataset's validation field.
    validation: Vec<u8>,
}

impl Head {
    fn new(run: &Run) -> Self {
        let spec = &run.spec;
        let mut fields = KeyWriter::default();
        run.write_key_head(&mut fields);
        let mut hasher = blake3::Hasher::new();
        hasher.update(&fields.out);
        Self {
            model: spec.model.clone(),
            dataset: spec.dataset.clone(),
            inputs: spec.inputs.clone(),
            hasher,
            validation: validation_text(&spec.dataset.spec),
        }
    }

    fn heads(&self, run: &Run) -> bool {
        let spec = &run.spec;
        self.model.same(&spec.model)
            && self.dataset.same(&spec.dataset)
            && self.inputs.same(&spec.inputs)
    }
}

impl IdDeriver {
    /// The id of `run`.
    pub(super) fn derive(&mut self, run: &Run) -> String {
        let head = match &mut self.head {
            Some(head) if head.heads(run) => head,
            slot => slot.insert(Head::new(run)),
        };
        let mut fields = KeyWriter::continuing(std::mem::take(&mut self.tail), true);
        run.write_key_tail(&head.validation, &mut fields);
        let mut hasher = head.hasher.clone();
        hasher.update(&fields.out);
        self.tail = fields.out;
        hasher.finalize().to_hex().to_string()
    }
}
