//! The tokenizer of a checkpoint folder, whichever format it comes in: a `tokenizer.json` (read
//! with the `tokenizers` crate), or BioGPT's `vocab.json` + `merges.txt` (Moses + BPE, which has
//! no `tokenizer.json`; see [`BioGptTokenizer`]).

use super::biogpt_tokenizer::BioGptTokenizer;
use super::error::{ModelError, ModelResult};
use serde_json::Value;
use std::path::{Path, PathBuf};
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

/// The `tokenizer_class` of `tokenizer_config.json` that is read from `vocab.json` + `merges.txt`.
const BIOGPT_CLASS: &str = "BioGptTokenizer";

/// A checkpoint's tokenizer, with the operations the runs and checks use.
#[derive(Debug, Clone)]
pub enum TextTokenizer {
    /// `tokenizer.json`.
    HuggingFace {
        /// The tokenizer (with its truncation settings).
        tokenizer: Box<Tokenizer>,
        /// `tokenizer.json`, for errors.
        path: PathBuf,
    },
    /// BioGPT's `vocab.json` + `merges.txt`.
    BioGpt {
        /// The tokenizer.
        tokenizer: Box<BioGptTokenizer>,
        /// The most ids an encoding has (sequence start included), if limited.
        max_length: Option<usize>,
    },
}

impl TextTokenizer {
    /// Reads the tokenizer of `folder`: `tokenizer.json` if present, else `vocab.json` +
    /// `merges.txt` where `tokenizer_config.json` names `BioGptTokenizer`; anything else is an
    /// error naming the folder and the files looked for.
    pub fn read(folder: &Path) -> ModelResult<Self> {
        let json = folder.join("tokenizer.json");
        if json.is_file() {
            let tokenizer = Tokenizer::from_file(&json).map_err(|e| ModelError::Tokenizer {
                path: json.clone(),
                message: e.to_string(),
            })?;
            return Ok(Self::HuggingFace {
                tokenizer: Box::new(tokenizer),
                path: json,
            });
        }
        let missing = |message: String| ModelError::Tokenizer {
            path: folder.to_owned(),
            message,
        };
        if !folder.join("vocab.json").is_file() || !folder.join("merges.txt").is_file() {
            return Err(missing(format!(
                "not found: looked for tokenizer.json, or vocab.json + merges.txt \
                 (with tokenizer_config.json naming {BIOGPT_CLASS})"
            )));
        }
        match tokenizer_class(&folder.join("tokenizer_config.json"))? {
            Some(class) if class == BIOGPT_CLASS => Ok(Self::BioGpt {
                tokenizer: Box::new(BioGptTokenizer::from_folder(folder)?),
                max_length: None,
            }),
            Some(class) => Err(missing(format!(
                "no tokenizer.json, and vocab.json + merges.txt are read only for \
                 {BIOGPT_CLASS}, but tokenizer_config.json names {class}"
            ))),
            None => Err(missing(format!(
                "no tokenizer.json, and vocab.json + merges.txt are read only where \
                 tokenizer_config.json names {BIOGPT_CLASS} (it has no tokenizer_class, or is missing)"
            ))),
        }
    }

    /// A copy whose encodings hold at most `max_length` ids, special tokens included: the text's
    /// tokens are cut on the right, as transformers' `truncation=True` does.
    pub fn truncating(&self, max_length: usize) -> ModelResult<Self> {
        match self {
            Self::HuggingFace { tokenizer, path } => {
                let mut tokenizer = tokenizer.clone();
                tokenizer
                    .with_truncation(Some(TruncationParams {
                        direction: TruncationDirection::Right,
                        max_length,
                        strategy: TruncationStrategy::LongestFirst,
                        stride: 0,
                    }))
                    .map_err(|e| ModelError::Tokenizer {
                        path: path.clone(),
                        message: e.to_string(),
                    })?;
                Ok(Self::HuggingFace {
                    tokenizer,
                    path: path.clone(),
                })
            }
            Self::BioGpt { tokenizer, .. } => Ok(Self::BioGpt {
                tokenizer: tokenizer.clone(),
                max_length: Some(max_length),
            }),
        }
    }

    /// The ids of `text`, with the tokenizer's special tokens when `add_special_tokens`.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> ModelResult<Vec<u32>> {
        match self {
            Self::HuggingFace { tokenizer, path } => tokenizer
                .encode(text, add_special_tokens)
                .map(|encoding| encoding.get_ids().to_vec())
                .map_err(|e| ModelError::Tokenizer {
                    path: path.clone(),
                    message: e.to_string(),
                }),
            Self::BioGpt {
                tokenizer,
                max_length,
            } => Ok(tokenizer.encode_truncated(
                text,
                add_special_tokens,
                max_length.unwrap_or(usize::MAX),
            )),
        }
    }

    /// The text of `ids`, without special tokens when `skip_special_tokens`.
    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> ModelResult<String> {
        match self {
            Self::HuggingFace { tokenizer, path } => tokenizer
                .decode(ids, skip_special_tokens)
                .map_err(|e| ModelError::Tokenizer {
                    path: path.clone(),
                    message: e.to_string(),
                }),
            Self::BioGpt { tokenizer, .. } => Ok(tokenizer.decode(ids, skip_special_tokens)),
        }
    }

    /// Tokens in the vocabulary, added tokens included.
    pub fn vocab_size(&self) -> usize {
        match self {
            Self::HuggingFace { tokenizer, .. } => tokenizer.get_vocab_size(true),
            Self::BioGpt { tokenizer, .. } => tokenizer.vocab_size(),
        }
    }
}

/// `tokenizer_class` of `tokenizer_config.json`, if the file exists and names one.
fn tokenizer_class(path: &Path) -> ModelResult<Option<String>> {
    if !path.is_file() {
        return Ok(None);
    }
    let error = |message: String| ModelError::Tokenizer {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let config: Value = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
    Ok(config
        .get("tokenizer_class")
        .and_then(Value::as_str)
        .map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::TextTokenizer;
    use std::path::Path;

    fn biogpt_folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/biogpt_tokenizer");
        for file in ["vocab.json", "merges.txt"] {
            std::fs::copy(data.join(file), dir.path().join(file)).unwrap();
        }
        dir
    }

    #[test]
    fn vocab_and_merges_named_biogpt_read_as_biogpt() {
        let dir = biogpt_folder();
        std::fs::write(
            dir.path().join("tokenizer_config.json"),
            r#"{"tokenizer_class": "BioGptTokenizer"}"#,
        )
        .unwrap();
        let tokenizer = TextTokenizer::read(dir.path()).unwrap();
        assert!(matches!(tokenizer, TextTokenizer::BioGpt { .. }));
        assert_eq!(tokenizer.vocab_size(), 616);
        let ids = tokenizer
            .encode("The mutation was in exon 3.", true)
            .unwrap();
        assert_eq!(ids[..2], [2, 11]);
        assert_eq!(
            tokenizer.decode(&ids, true).unwrap(),
            "The mutation was in exon 3."
        );
        let short = tokenizer.truncating(3).unwrap();
        assert_eq!(
            short.encode("The mutation was in exon 3.", true).unwrap(),
            ids[..3]
        );
    }

    #[test]
    fn other_folders_are_errors_naming_the_files_looked_for() {
        let dir = biogpt_folder();
        let error = TextTokenizer::read(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains("tokenizer_config.json") && error.contains("BioGptTokenizer"),
            "{error}"
        );
        std::fs::write(
            dir.path().join("tokenizer_config.json"),
            r#"{"tokenizer_class": "GPT2Tokenizer"}"#,
        )
        .unwrap();
        let error = TextTokenizer::read(dir.path()).unwrap_err().to_string();
        assert!(error.contains("names GPT2Tokenizer"), "{error}");
        let empty = tempfile::tempdir().unwrap();
        let error = TextTokenizer::read(empty.path()).unwrap_err().to_string();
        assert!(
            error.contains("tokenizer.json") && error.contains("vocab.json + merges.txt"),
            "{error}"
        );
    }
}
