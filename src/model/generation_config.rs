//! Generation settings: `generation_config.json` (when present) over `config.json`, with
//! per-call overrides.

use super::config::{ModelConfig, TokenIds};
use super::error::{ModelError, ModelResult};
use serde::Deserialize;
use std::path::Path;

/// When beam search may stop (transformers' `early_stopping`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarlyStopping {
    /// `False`: heuristic stop when no running beam can beat the worst finished one.
    Heuristic,
    /// `True`: stop as soon as `num_beams` hypotheses are finished.
    WhenFull,
    /// `"never"`: the canonical beam search stop.
    Never,
}

/// Everything greedy and beam search need.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationSettings {
    /// Tokens to generate at most.
    pub max_new_tokens: usize,
    /// 1 for greedy.
    pub num_beams: usize,
    /// Exponent of the length normalisation of finished beams.
    pub length_penalty: f32,
    /// Beam stopping rule.
    pub early_stopping: EarlyStopping,
    /// Forbid repeating any n-gram of this size (0: off).
    pub no_repeat_ngram_size: usize,
    /// Tokens that end a sequence.
    pub eos_token_ids: Vec<i64>,
    /// Fill for finished rows.
    pub pad_token_id: Option<i64>,
    /// First decoder token (seq2seq).
    pub decoder_start_token_id: Option<i64>,
    /// Token forced at the last position (BART).
    pub forced_eos_token_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum EarlyStoppingValue {
    Flag(bool),
    Word(String),
}

#[derive(Debug, Default, Deserialize)]
struct GenerationFile {
    max_new_tokens: Option<usize>,
    num_beams: Option<usize>,
    length_penalty: Option<f32>,
    early_stopping: Option<EarlyStoppingValue>,
    no_repeat_ngram_size: Option<usize>,
    eos_token_id: Option<TokenIds>,
    pad_token_id: Option<i64>,
    decoder_start_token_id: Option<i64>,
    forced_eos_token_id: Option<i64>,
}

impl GenerationSettings {
    /// Reads `generation_config.json` if it exists, falling back to `config.json`'s token ids.
    pub fn read(folder: &Path, config: &ModelConfig) -> ModelResult<Self> {
        let path = folder.join("generation_config.json");
        let file: GenerationFile = if path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(|e| ModelError::io(&path, e))?;
            serde_json::from_str(&text).map_err(|e| ModelError::json(&path, &e))?
        } else {
            GenerationFile::default()
        };
        let listed =
            |ids: &Option<TokenIds>| ids.as_ref().map(TokenIds::to_vec).unwrap_or_default();
        let (eos, pad, start, forced) = match config {
            ModelConfig::T5(c) => (
                c.eos_token_id.into_iter().collect(),
                c.pad_token_id,
                c.decoder_start_token_id,
                None,
            ),
            ModelConfig::Bart(c) => (
                c.eos_token_id.into_iter().collect(),
                c.pad_token_id,
                c.decoder_start_token_id,
                c.forced_eos_token_id,
            ),
            ModelConfig::Gpt2(c) => (
                c.eos_token_id.into_iter().collect(),
                c.pad_token_id,
                None,
                None,
            ),
            ModelConfig::GptNeo(c) => (listed(&c.eos_token_id), c.pad_token_id, None, None),
            ModelConfig::Llama(c) => (listed(&c.eos_token_id), c.pad_token_id, None, None),
            ModelConfig::BioGpt(c) => (listed(&c.eos_token_id), c.pad_token_id, None, None),
        };
        let eos_token_ids = match file.eos_token_id {
            Some(TokenIds::One(id)) => vec![id],
            Some(TokenIds::Many(ids)) => ids,
            None => eos,
        };
        let early_stopping = match file.early_stopping {
            Some(EarlyStoppingValue::Flag(true)) => EarlyStopping::WhenFull,
            Some(EarlyStoppingValue::Word(word)) if word == "never" => EarlyStopping::Never,
            Some(EarlyStoppingValue::Word(word)) => {
                return Err(ModelError::Json {
                    path,
                    message: format!("early_stopping `{word}` (expected true, false or \"never\")"),
                });
            }
            _ => EarlyStopping::Heuristic,
        };
        Ok(Self {
            max_new_tokens: file.max_new_tokens.unwrap_or(20),
            num_beams: file.num_beams.unwrap_or(1),
            length_penalty: file.length_penalty.unwrap_or(1.0),
            early_stopping,
            no_repeat_ngram_size: file.no_repeat_ngram_size.unwrap_or(0),
            eos_token_ids,
            pad_token_id: file.pad_token_id.or(pad),
            decoder_start_token_id: file.decoder_start_token_id.or(start),
            forced_eos_token_id: file.forced_eos_token_id.or(forced),
        })
    }

    /// The id written after a row has finished (greedy): the pad id, else the first EOS.
    pub fn greedy_fill(&self) -> i64 {
        self.pad_token_id
            .or_else(|| self.eos_token_ids.first().copied())
            .unwrap_or(0)
    }

    /// The id beam search fills with: transformers' `pad_token_id or eos_token_id`, where a pad
    /// id of 0 counts as absent (so T5 beam rows are filled with EOS).
    pub fn beam_fill(&self) -> i64 {
        match self.pad_token_id {
            Some(pad) if pad != 0 => pad,
            _ => self.eos_token_ids.first().copied().unwrap_or(-1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::ModelConfig;

    fn settings_for(generation: &str) -> ModelResult<GenerationSettings> {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.json");
        std::fs::write(
            &config,
            r#"{"model_type":"gpt2","vocab_size":8,"n_embd":4,"n_layer":1,"n_head":1,
                "n_positions":8,"eos_token_id":7}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("generation_config.json"), generation).unwrap();
        let config = ModelConfig::read(&config)?;
        GenerationSettings::read(dir.path(), &config)
    }

    #[test]
    fn generation_config_overrides_config() {
        let settings =
            settings_for(r#"{"eos_token_id":[5,6],"num_beams":4,"early_stopping":"never"}"#)
                .unwrap();
        assert_eq!(settings.eos_token_ids, vec![5, 6]);
        assert_eq!(settings.num_beams, 4);
        assert_eq!(settings.early_stopping, EarlyStopping::Never);
        assert_eq!(settings.greedy_fill(), 5);
        let fallback = settings_for("{}").unwrap();
        assert_eq!(fallback.eos_token_ids, vec![7]);
        assert_eq!(fallback.max_new_tokens, 20);
    }

    #[test]
    fn zero_pad_id_means_eos_fill_for_beams() {
        let mut settings = settings_for(r#"{"pad_token_id":0}"#).unwrap();
        assert_eq!(settings.beam_fill(), 7);
        settings.pad_token_id = Some(3);
        assert_eq!(settings.beam_fill(), 3);
    }

    #[test]
    fn unknown_early_stopping_is_an_error() {
        let error = settings_for(r#"{"early_stopping":"sometimes"}"#).unwrap_err();
        assert!(error.to_string().contains("early_stopping"), "{error}");
    }
}
