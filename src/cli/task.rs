//! Finding a task of a checked study and loading its corpus, for the data subcommands.

use anyhow::{Context, anyhow};
use expc::check::Study;
use expc::check::study::{Dataset, Template};
use expc::corpus::{Document, Splits, load_dataset};

/// A task with its dataset and template.
pub struct TaskParts<'s> {
    /// The task's name.
    pub name: &'s str,
    /// Its dataset.
    pub dataset: &'s Dataset,
    /// Its template's name.
    pub template_name: &'s str,
    /// Its template.
    pub template: &'s Template,
}

/// The task `name`, or an error listing the study's tasks.
pub fn find<'s>(study: &'s Study, name: &str) -> anyhow::Result<TaskParts<'s>> {
    let (name, task) = study.tasks.get_key_value(name).ok_or_else(|| {
        let names: Vec<&str> = study.tasks.keys().map(String::as_str).collect();
        let hint = expc::diagnostic::did_you_mean(name, names.iter().copied())
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        anyhow!(
            "study `{}` has no task `{name}`{hint}; its tasks: {}",
            study.name,
            names.join(", ")
        )
    })?;
    let dataset = study
        .datasets
        .get(&task.dataset)
        .ok_or_else(|| anyhow!("task `{name}` names an unknown dataset"))?;
    let template = study
        .templates
        .get(&task.template)
        .ok_or_else(|| anyhow!("task `{name}` names an unknown template"))?;
    Ok(TaskParts {
        name,
        dataset,
        template_name: &task.template,
        template,
    })
}

/// The task's three splits.
pub fn load(parts: &TaskParts<'_>) -> anyhow::Result<Splits> {
    load_dataset(&parts.dataset.spec)
        .with_context(|| format!("cannot load the corpus of task `{}`", parts.name))
}

/// A split chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SplitName {
    /// The training split.
    Train,
    /// The validation split.
    Validation,
    /// The test split.
    Test,
}

impl SplitName {
    /// Every split, in order.
    pub const ALL: [SplitName; 3] = [SplitName::Train, SplitName::Validation, SplitName::Test];

    /// The split's documents.
    pub fn of(self, splits: &Splits) -> &[Document] {
        match self {
            SplitName::Train => &splits.train,
            SplitName::Validation => &splits.validation,
            SplitName::Test => &splits.test,
        }
    }

    /// The split's name.
    pub fn name(self) -> &'static str {
        match self {
            SplitName::Train => "train",
            SplitName::Validation => "validation",
            SplitName::Test => "test",
        }
    }
}
