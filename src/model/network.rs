//! The families behind one interface: a full forward pass (for checks and training) and
//! incremental decoding with a key/value cache (for generation).

use super::attention::{KvCache, int_vector, padding_bias};
use super::bart::BartModel;
use super::biogpt::BioGptModel;
use super::causal_lm::CausalLm;
use super::config::ModelConfig;
use super::decoder_cache::DecoderCache;
use super::error::{ModelError, ModelResult};
use super::gpt_neo::GptNeoModel;
use super::gpt2::Gpt2Model;
use super::llama::LlamaModel;
use super::t5::T5Model;
use super::weights::{WeightReader, WeightWriter};
use burn::module::Module;
use burn::tensor::{Device, Tensor};
use std::path::Path;

/// A loaded network of any supported family.
#[derive(Module, Debug)]
pub enum Network {
    /// T5 v1.0 / v1.1.
    T5(T5Model),
    /// BART.
    Bart(BartModel),
    /// GPT-2.
    Gpt2(Gpt2Model),
    /// GPT-Neo.
    GptNeo(GptNeoModel),
    /// Llama.
    Llama(LlamaModel),
    /// BioGPT.
    BioGpt(BioGptModel),
}

/// Padded token rows and their attention mask (1 = token, 0 = padding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBatch {
    /// `[rows][time]` token ids.
    pub ids: Vec<Vec<i64>>,
    /// `[rows][time]` 1 for tokens, 0 for padding.
    pub mask: Vec<Vec<i64>>,
}

impl TokenBatch {
    /// Pads sequences to a common length on the right (seq2seq) or on the left (decoder-only
    /// generation).
    pub fn pad(sequences: &[Vec<i64>], pad_id: i64, left: bool) -> Self {
        let width = sequences.iter().map(Vec::len).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(sequences.len());
        let mut mask = Vec::with_capacity(sequences.len());
        for sequence in sequences {
            let padding = width - sequence.len();
            let (mut row, mut row_mask) = (Vec::with_capacity(width), Vec::with_capacity(width));
            if left {
                row.extend(std::iter::repeat_n(pad_id, padding));
                row_mask.extend(std::iter::repeat_n(0, padding));
            }
            row.extend_from_slice(sequence);
            row_mask.extend(std::iter::repeat_n(1, sequence.len()));
            if !left {
                row.extend(std::iter::repeat_n(pad_id, padding));
                row_mask.extend(std::iter::repeat_n(0, padding));
            }
            ids.push(row);
            mask.push(row_mask);
        }
        Self { ids, mask }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.ids.len()
    }

    /// Columns.
    pub fn width(&self) -> usize {
        self.ids.first().map_or(0, Vec::len)
    }

    /// Each row repeated `copies` times in place (`[a, b]` → `[a, a, b, b]`), for beams.
    pub fn repeat_rows(&self, copies: usize) -> Self {
        let repeat = |rows: &Vec<Vec<i64>>| {
            rows.iter()
                .flat_map(|row| std::iter::repeat_n(row.clone(), copies))
                .collect()
        };
        Self {
            ids: repeat(&self.ids),
            mask: repeat(&self.mask),
        }
    }
}

/// Outputs of a full forward pass.
#[derive(Debug, Clone)]
pub struct ForwardOutput {
    /// `[batch, time, vocab]` (decoder time for seq2seq).
    pub logits: Tensor<3>,
    /// Encoder output (seq2seq only), `[batch, source, d_model]`.
    pub encoder_hidden: Option<Tensor<3>>,
    /// Final hidden states of the decoder (decoder-only models: after the final norm).
    pub last_hidden: Tensor<3>,
}

/// What a network keeps between generation steps.
#[derive(Debug, Clone)]
pub enum DecodingState {
    /// Encoder-decoder: the decoder cache.
    Seq2Seq(Box<DecoderCache>),
    /// Decoder-only: per-layer caches, the mask of every key so far, and the positions done.
    Causal {
        /// Per-layer keys and values.
        caches: Vec<Option<KvCache>>,
        /// `[rows][keys]` 1 for tokens, 0 for left padding.
        key_mask: Vec<Vec<i64>>,
        /// Positions processed.
        past: usize,
    },
}

impl Network {
    /// Loads the network a configuration describes from checkpoint tensors.
    pub fn load(
        config: &ModelConfig,
        reader: &mut WeightReader,
        config_path: &Path,
    ) -> ModelResult<Self> {
        Ok(match config {
            ModelConfig::T5(c) => Self::T5(T5Model::load(reader, c, config_path)?),
            ModelConfig::Bart(c) => Self::Bart(BartModel::load(reader, c, config_path)?),
            ModelConfig::Gpt2(c) => Self::Gpt2(Gpt2Model::load(reader, c, config_path)?),
            ModelConfig::GptNeo(c) => Self::GptNeo(GptNeoModel::load(reader, c, config_path)?),
            ModelConfig::Llama(c) => Self::Llama(LlamaModel::load(reader, c, config_path)?),
            ModelConfig::BioGpt(c) => Self::BioGpt(BioGptModel::load(reader, c, config_path)?),
        })
    }

    /// Writes every parameter under its Hugging Face name.
    pub fn save(&self, writer: &mut WeightWriter) -> ModelResult<()> {
        match self {
            Self::T5(m) => m.save(writer),
            Self::Bart(m) => m.save(writer),
            Self::Gpt2(m) => m.save(writer),
            Self::GptNeo(m) => m.save(writer),
            Self::Llama(m) => m.save(writer),
            Self::BioGpt(m) => m.save(writer),
        }
    }

    /// Whether the network has an encoder.
    pub fn is_encoder_decoder(&self) -> bool {
        self.causal().is_none()
    }

    /// The decoder-only families behind their shared interface (`None` for encoder-decoders).
    fn causal(&self) -> Option<&dyn CausalLm> {
        match self {
            Self::T5(_) | Self::Bart(_) => None,
            Self::Gpt2(m) => Some(m),
            Self::GptNeo(m) => Some(m),
            Self::Llama(m) => Some(m),
            Self::BioGpt(m) => Some(m),
        }
    }

    /// The device holding the parameters.
    pub fn device(&self) -> Device {
        match self {
            Self::T5(m) => m.shared.val().device(),
            Self::Bart(m) => m.shared.val().device(),
            Self::Gpt2(m) => m.wte.val().device(),
            Self::GptNeo(m) => m.wte.val().device(),
            Self::Llama(m) => m.embed_tokens.val().device(),
            Self::BioGpt(m) => m.embed_tokens.val().device(),
        }
    }

    /// The first row of the token embedding: a cheap read that makes a lazy backend finish
    /// the work queued before it (benchmarks time with it).
    pub fn embedding_probe(&self) -> Tensor<1> {
        let table = match self {
            Self::T5(m) => m.shared.val(),
            Self::Bart(m) => m.shared.val(),
            Self::Gpt2(m) => m.wte.val(),
            Self::GptNeo(m) => m.wte.val(),
            Self::Llama(m) => m.embed_tokens.val(),
            Self::BioGpt(m) => m.embed_tokens.val(),
        };
        let width = table.dims()[1];
        table.narrow(0, 0, 1).reshape([width])
    }

    fn vocab_size(&self) -> usize {
        match self {
            Self::T5(m) => m.shared.val().dims()[0],
            Self::Bart(m) => m.shared.val().dims()[0],
            Self::Gpt2(m) => m.wte.val().dims()[0],
            Self::GptNeo(m) => m.wte.val().dims()[0],
            Self::Llama(m) => m.embed_tokens.val().dims()[0],
            Self::BioGpt(m) => m.embed_tokens.val().dims()[0],
        }
    }

    fn max_positions(&self) -> Option<usize> {
        match self {
            // T5's relative positions and Llama's rotary ones have no table to run out of.
            Self::T5(_) | Self::Llama(_) => None,
            Self::Bart(m) => Some(m.max_positions),
            Self::Gpt2(m) => Some(m.max_positions()),
            Self::GptNeo(m) => Some(m.max_positions()),
            Self::BioGpt(m) => Some(m.max_positions()),
        }
    }

    /// Fails unless every id is in the vocabulary, rows are equally long and non-empty, and
    /// `extra` more positions still fit the position table.
    pub fn check_tokens(&self, batch: &[Vec<i64>], extra: usize) -> ModelResult<()> {
        let vocab = self.vocab_size() as i64;
        let width = batch.first().map_or(0, Vec::len);
        if batch.is_empty() || width == 0 {
            return Err(ModelError::InvalidInput("empty batch or sequence".into()));
        }
        if batch.iter().any(|row| row.len() != width) {
            return Err(ModelError::InvalidInput("rows of unequal length".into()));
        }
        if let Some(bad) = batch.iter().flatten().find(|&&id| id < 0 || id >= vocab) {
            return Err(ModelError::InvalidInput(format!(
                "token id {bad} outside the vocabulary of {vocab}"
            )));
        }
        if let Some(max) = self.max_positions()
            && width + extra > max
        {
            return Err(ModelError::InvalidInput(format!(
                "{} positions exceed the model's {max}",
                width + extra
            )));
        }
        Ok(())
    }

    /// Full forward pass. Seq2seq needs `decoder_input_ids` (causal mask only, as in training);
    /// decoder-only models use positions `0..time` and mask padded keys.
    pub fn forward(
        &self,
        inputs: &TokenBatch,
        decoder_input_ids: Option<&[Vec<i64>]>,
    ) -> ModelResult<ForwardOutput> {
        self.check_tokens(&inputs.ids, 0)?;
        let decoder_ids = || -> ModelResult<&[Vec<i64>]> {
            let ids = decoder_input_ids.ok_or_else(|| {
                ModelError::InvalidInput(
                    "an encoder-decoder forward pass needs decoder_input_ids".into(),
                )
            })?;
            self.check_tokens(ids, 0)?;
            Ok(ids)
        };
        Ok(match self {
            Self::Gpt2(m) => self.causal_forward(m, inputs),
            Self::GptNeo(m) => self.causal_forward(m, inputs),
            Self::Llama(m) => self.causal_forward(m, inputs),
            Self::BioGpt(m) => self.causal_forward(m, inputs),
            Self::T5(m) => {
                let ids = decoder_ids()?;
                let (encoder, bias) = m.encode(&inputs.ids, &inputs.mask);
                let mut cache = m.start_decoder(&encoder, bias);
                let hidden = m.decode(ids, &mut cache);
                ForwardOutput {
                    logits: m.logits(hidden.clone()),
                    encoder_hidden: Some(encoder),
                    last_hidden: hidden,
                }
            }
            Self::Bart(m) => {
                let ids = decoder_ids()?;
                let (encoder, bias) = m.encode(&inputs.ids, &inputs.mask);
                let mut cache = m.start_decoder(&encoder, bias);
                let hidden = m.decode(ids, &mut cache);
                ForwardOutput {
                    logits: m.logits(hidden.clone()),
                    encoder_hidden: Some(encoder),
                    last_hidden: hidden,
                }
            }
        })
    }

    fn causal_forward(&self, model: &dyn CausalLm, inputs: &TokenBatch) -> ForwardOutput {
        let positions: Vec<Vec<i64>> = (0..inputs.rows())
            .map(|_| (0..inputs.width() as i64).collect())
            .collect();
        let mut caches = vec![None; model.layers()];
        let hidden = model.forward(
            &inputs.ids,
            &positions,
            padding_bias(&inputs.mask, &self.device()),
            0,
            &mut caches,
        );
        ForwardOutput {
            logits: model.logits(hidden.clone()),
            encoder_hidden: None,
            last_hidden: hidden,
        }
    }

    /// Starts generation with every prompt row decoded `copies` times side by side (beam
    /// search; 1 otherwise): encodes the prompts once (seq2seq, each decoder row starting with
    /// `first_decoder_token`, the encoded rows repeated for the copies) or runs the left-padded
    /// prompts repeated (decoder-only). Returns the state and the logits `[rows · copies,
    /// vocab]` of the first new token.
    pub fn start_decoding(
        &self,
        prompts: &TokenBatch,
        copies: usize,
        first_decoder_token: i64,
        max_new_tokens: usize,
    ) -> ModelResult<(DecodingState, Tensor<2>)> {
        let (mut cache, logits) = match self {
            Self::Gpt2(m) => {
                return self.start_causal(m, &prompts.repeat_rows(copies), max_new_tokens);
            }
            Self::GptNeo(m) => {
                return self.start_causal(m, &prompts.repeat_rows(copies), max_new_tokens);
            }
            Self::Llama(m) => {
                return self.start_causal(m, &prompts.repeat_rows(copies), max_new_tokens);
            }
            Self::BioGpt(m) => {
                return self.start_causal(m, &prompts.repeat_rows(copies), max_new_tokens);
            }
            Self::T5(m) => {
                let first =
                    self.check_seq2seq_start(prompts, copies, first_decoder_token, max_new_tokens)?;
                let (encoder, bias) = m.encode(&prompts.ids, &prompts.mask);
                let mut cache = m.start_decoder(&encoder, bias);
                cache.repeat_sources(copies);
                let hidden = m.decode(&first, &mut cache);
                (cache, m.logits(hidden))
            }
            Self::Bart(m) => {
                let first =
                    self.check_seq2seq_start(prompts, copies, first_decoder_token, max_new_tokens)?;
                let (encoder, bias) = m.encode(&prompts.ids, &prompts.mask);
                let mut cache = m.start_decoder(&encoder, bias);
                cache.repeat_sources(copies);
                let hidden = m.decode(&first, &mut cache);
                (cache, m.logits(hidden))
            }
        };
        cache.past = 1;
        Ok((
            DecodingState::Seq2Seq(Box::new(cache)),
            last_position(logits),
        ))
    }

    fn check_seq2seq_start(
        &self,
        prompts: &TokenBatch,
        copies: usize,
        first_decoder_token: i64,
        max_new_tokens: usize,
    ) -> ModelResult<Vec<Vec<i64>>> {
        self.check_tokens(&prompts.ids, 0)?;
        let first = vec![vec![first_decoder_token]; prompts.rows() * copies];
        self.check_tokens(&first, max_new_tokens)?;
        Ok(first)
    }

    fn start_causal(
        &self,
        model: &dyn CausalLm,
        prompts: &TokenBatch,
        max_new_tokens: usize,
    ) -> ModelResult<(DecodingState, Tensor<2>)> {
        self.check_tokens(&prompts.ids, max_new_tokens)?;
        let device = self.device();
        let positions: Vec<Vec<i64>> = prompts
            .mask
            .iter()
            .map(|row| cumulative_positions(row))
            .collect();
        let mut caches = vec![None; model.layers()];
        let hidden = model.forward(
            &prompts.ids,
            &positions,
            padding_bias(&prompts.mask, &device),
            0,
            &mut caches,
        );
        let state = DecodingState::Causal {
            caches,
            key_mask: prompts.mask.clone(),
            past: prompts.width(),
        };
        Ok((state, last_position(model.logits(hidden))))
    }

    /// Feeds one new token per row; returns the next logits `[rows, vocab]`.
    pub fn decode_step(&self, state: &mut DecodingState, tokens: &[i64]) -> ModelResult<Tensor<2>> {
        let step: Vec<Vec<i64>> = tokens.iter().map(|&t| vec![t]).collect();
        self.check_tokens(&step, 0)?;
        match (self, self.causal(), state) {
            (Self::T5(m), _, DecodingState::Seq2Seq(cache)) => {
                Ok(last_position(m.logits(m.decode(&step, cache))))
            }
            (Self::Bart(m), _, DecodingState::Seq2Seq(cache)) => {
                Ok(last_position(m.logits(m.decode(&step, cache))))
            }
            (
                _,
                Some(m),
                DecodingState::Causal {
                    caches,
                    key_mask,
                    past,
                },
            ) => {
                let device = self.device();
                let positions: Vec<Vec<i64>> = key_mask
                    .iter_mut()
                    .map(|row| {
                        row.push(1);
                        vec![row.iter().sum::<i64>() - 1]
                    })
                    .collect();
                let hidden = m.forward(
                    &step,
                    &positions,
                    padding_bias(key_mask, &device),
                    *past,
                    caches,
                );
                *past += 1;
                Ok(last_position(m.logits(hidden)))
            }
            _ => Err(ModelError::InvalidInput(
                "decoding state of another family".into(),
            )),
        }
    }

    /// Reorders the cached rows (beam search): row `i` becomes old row `rows[i]`.
    pub fn select_rows(&self, state: &mut DecodingState, rows: &[usize]) {
        let device = self.device();
        let indices: Vec<i64> = rows.iter().map(|&r| r as i64).collect();
        let indices = int_vector(&indices, &device);
        match state {
            DecodingState::Seq2Seq(cache) => cache.select_rows(&indices),
            DecodingState::Causal {
                caches, key_mask, ..
            } => {
                for cache in caches.iter_mut() {
                    *cache = cache.take().map(|c| c.select_rows(&indices));
                }
                *key_mask = rows.iter().map(|&r| key_mask[r].clone()).collect();
            }
        }
    }
}

/// Decoder-only generation positions: `cumsum(mask) - 1`, with padding at 1 (the value at
/// padding does not matter: padded keys are masked).
fn cumulative_positions(mask: &[i64]) -> Vec<i64> {
    let mut seen = 0;
    mask.iter()
        .map(|&m| {
            seen += m;
            if m == 0 { 1 } else { seen - 1 }
        })
        .collect()
}

/// `[rows, time, vocab]` → `[rows, vocab]` at the last time step.
fn last_position(logits: Tensor<3>) -> Tensor<2> {
    let [rows, time, vocab] = logits.dims();
    logits.narrow(1, time - 1, 1).reshape([rows, vocab])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_padding_and_positions() {
        let batch = TokenBatch::pad(&[vec![5, 6, 7], vec![8]], 0, true);
        assert_eq!(batch.ids, vec![vec![5, 6, 7], vec![0, 0, 8]]);
        assert_eq!(batch.mask[1], vec![0, 0, 1]);
        assert_eq!(cumulative_positions(&batch.mask[1]), vec![1, 1, 0]);
        let right = TokenBatch::pad(&[vec![5, 6, 7], vec![8]], 9, false);
        assert_eq!(right.ids[1], vec![8, 9, 9]);
        assert_eq!(right.repeat_rows(2).ids.len(), 4);
    }
}
