//! `--only model=…,task=…,shots=…,seed=…,id=<prefix>`: which runs of a plan to run.

use crate::plan::Run;
use std::collections::BTreeMap;

/// The runs to keep: for each key given, the run must match one of its values; keys not given
/// match every run. Values of one key accumulate over repeated `--only` flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    values: BTreeMap<FilterKey, Vec<String>>,
}

/// What a filter value is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FilterKey {
    Model,
    Task,
    Shots,
    Seed,
    Id,
}

impl RunFilter {
    /// Parses `--only` values, each a comma-separated list of `key=value`.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, String> {
        let mut filter = RunFilter::default();
        for item in items {
            for pair in item.as_ref().split(',').filter(|p| !p.trim().is_empty()) {
                let (key, value) = pair.split_once('=').ok_or_else(|| {
                    format!("`{pair}` is not key=value (keys: model, task, shots, seed, id)")
                })?;
                let key = match key.trim() {
                    "model" => FilterKey::Model,
                    "task" => FilterKey::Task,
                    "shots" => FilterKey::Shots,
                    "seed" => FilterKey::Seed,
                    "id" => FilterKey::Id,
                    other => {
                        return Err(format!(
                            "unknown filter key `{other}` (keys: model, task, shots, seed, id)"
                        ));
                    }
                };
                filter
                    .values
                    .entry(key)
                    .or_default()
                    .push(value.trim().to_owned());
            }
        }
        Ok(filter)
    }

    /// Whether `run` passes the filter.
    pub fn matches(&self, run: &Run) -> bool {
        self.values.iter().all(|(key, values)| {
            values.iter().any(|value| match key {
                FilterKey::Model => run.model == *value,
                FilterKey::Task => run.task == *value,
                FilterKey::Shots => run.shots.to_string() == *value,
                FilterKey::Seed => run.seed.to_string() == *value,
                FilterKey::Id => run.id.starts_with(value.as_str()),
            })
        })
    }
}
