//! The starting checkpoint of a model built from scratch (`init { … }`): a tokenizer learned
//! from the run's training split, the declared configuration, and seeded random weights,
//! written once as an ordinary checkpoint folder under `RESULTS/initial/` and shared by every
//! run that would build the same one.
//!
//! The tokenizer learns from text without labels: every training document rendered with the
//! source template, and the target template's fixed wording (each label's sentence with empty
//! arguments, the null sentence). So a 16-shot run and a full-data run of one dataset and
//! template start from the same model, and no run's tokenizer has seen gold relations.

use super::error::RunError;
use crate::check::study::{Family, ScratchModel};
use crate::corpus::document::Document;
use crate::model::scratch::write_initial_checkpoint;
use crate::model::tokenizer_training::{TokenizerLayout, train_tokenizer};
use crate::template::spec::TemplateSpec;
use crate::template::{fixed_phrases, render_source};
use std::path::{Path, PathBuf};

/// The folder of the starting checkpoint, written first if no run wrote it before.
pub fn initial_checkpoint(
    results: &Path,
    family: Family,
    scratch: &ScratchModel,
    template: &TemplateSpec,
    train: &[Document],
) -> Result<PathBuf, RunError> {
    let layout = TokenizerLayout::of_family(family.name()).ok_or_else(|| {
        RunError::Invalid(format!("family {family} cannot be built from scratch"))
    })?;
    let mut texts = train
        .iter()
        .map(|doc| render_source(template, doc))
        .collect::<Result<Vec<_>, _>>()?;
    texts.extend(fixed_phrases(template)?);

    let mut identity = blake3::Hasher::new();
    identity.update(family.name().as_bytes());
    identity.update(
        serde_json::to_string(scratch)
            .unwrap_or_default()
            .as_bytes(),
    );
    for text in &texts {
        identity.update(&(text.len() as u64).to_le_bytes());
        identity.update(text.as_bytes());
    }
    let digest = identity.finalize().to_hex();
    let parent = results.join("initial");
    let folder = parent.join(format!("{family}-{}", &digest[..16]));
    if folder.join("model.safetensors").is_file() {
        return Ok(folder);
    }

    let io = |path: &Path, error: std::io::Error| {
        RunError::Invalid(format!("write {}: {error}", path.display()))
    };
    std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
    // Written aside and renamed into place, so a half-written folder is never used.
    let partial = parent.join(format!(".partial-{}-{}", &digest[..16], std::process::id()));
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(|e| io(&partial, e))?;
    }
    let tokenizer = train_tokenizer(
        layout,
        &texts,
        scratch.vocab_size as usize,
        u64::from(scratch.min_frequency),
    )?;
    write_initial_checkpoint(&partial, &scratch.config, &tokenizer, scratch.seed)?;
    match std::fs::rename(&partial, &folder) {
        Ok(()) => Ok(folder),
        // Another process finished the same folder first: theirs is identical.
        Err(_) if folder.join("model.safetensors").is_file() => {
            std::fs::remove_dir_all(&partial).map_err(|e| io(&partial, e))?;
            Ok(folder)
        }
        Err(error) => Err(io(&folder, error)),
    }
}
