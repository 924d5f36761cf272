//! Token ids of training examples and prompts: sources and targets rendered by the run's
//! template, tokenised with the checkpoint's tokenizer and truncated as transformers does.
//!
//! Encoder-decoder families: the source to the encoder (the tokenizer's special tokens kept
//! through truncation, so T5 sources end with EOS), the target as labels (ending with EOS), and
//! the decoder reading the labels shifted right behind the decoder start token.
//!
//! Decoder-only families: one sequence `source + decoder_join + target + EOS`. The prompt
//! (`source + decoder_join`) and the target are tokenised separately and concatenated, so the
//! prompt's tokens are exactly those generation starts from (a BPE tokenizer would otherwise
//! merge across the join); the prompt's labels are ignored (-100), so the loss covers the target
//! and its EOS only. The target is tokenised without special tokens: a tokenizer that starts
//! every sequence with one (BioGPT's `</s>`, Llama's `<s>`) must not start the continuation too.

use super::error::RunError;
use crate::corpus::Document;
use crate::model::TextTokenizer;
use crate::template::{TemplateSpec, render_source, render_target};

/// The label of a position the loss ignores.
pub const IGNORED_LABEL: i64 = -100;

/// One training example as token ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// Encoder input (encoder-decoder) or the whole sequence (decoder-only).
    pub input: Vec<i64>,
    /// Decoder input: the labels shifted right (encoder-decoder only).
    pub decoder_input: Option<Vec<i64>>,
    /// One label per predicted position; [`IGNORED_LABEL`] where the loss is not taken.
    pub labels: Vec<i64>,
}

impl Example {
    /// Positions the example occupies in a batch (encoder and decoder together).
    pub fn length(&self) -> usize {
        self.input.len() + self.decoder_input.as_ref().map_or(0, Vec::len)
    }

    /// Tokens the model reads (what throughput counts).
    pub fn tokens(&self) -> usize {
        self.length()
    }
}

/// How a family shapes its examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Encoder-decoder: the decoder starts from `decoder_start`.
    EncoderDecoder {
        /// First decoder token.
        decoder_start: i64,
    },
    /// Decoder-only: the target is followed by `eos`.
    DecoderOnly {
        /// End-of-sequence token appended to targets.
        eos: i64,
    },
}

/// Tokenises texts with truncation limits for sources and targets.
pub struct Encoder {
    source: TextTokenizer,
    target: TextTokenizer,
    shape: Shape,
    max_target_tokens: usize,
}

impl Encoder {
    /// An encoder truncating sources to `max_source` tokens and targets to `max_target`
    /// (special tokens and, for decoder-only families, the EOS included).
    pub fn new(
        tokenizer: &TextTokenizer,
        shape: Shape,
        max_source: usize,
        max_target: usize,
    ) -> Result<Self, RunError> {
        let truncating = |max_length: usize| tokenizer.truncating(max_length.max(1));
        let target_limit = match shape {
            Shape::EncoderDecoder { .. } => max_target,
            Shape::DecoderOnly { .. } => max_target.saturating_sub(1),
        };
        Ok(Self {
            source: truncating(max_source)?,
            target: truncating(target_limit)?,
            shape,
            max_target_tokens: max_target,
        })
    }

    /// The family's shape.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    fn ids(
        tokenizer: &TextTokenizer,
        text: &str,
        add_special_tokens: bool,
    ) -> Result<Vec<i64>, RunError> {
        let ids = tokenizer.encode(text, add_special_tokens)?;
        Ok(ids.iter().map(|&id| i64::from(id)).collect())
    }

    /// The prompt generation starts from: the source (encoder-decoder) or
    /// `source + decoder_join` (decoder-only).
    pub fn prompt(&self, spec: &TemplateSpec, doc: &Document) -> Result<Vec<i64>, RunError> {
        let source = render_source(spec, doc)?;
        let text = match self.shape {
            Shape::EncoderDecoder { .. } => source,
            Shape::DecoderOnly { .. } => format!("{source}{}", spec.decoder_join),
        };
        Self::ids(&self.source, &text, true)
    }

    /// The training example of `doc`.
    pub fn example(&self, spec: &TemplateSpec, doc: &Document) -> Result<Example, RunError> {
        let prompt = self.prompt(spec, doc)?;
        let target_specials = matches!(self.shape, Shape::EncoderDecoder { .. });
        let target = Self::ids(&self.target, &render_target(spec, doc)?, target_specials)?;
        Ok(match self.shape {
            Shape::EncoderDecoder { decoder_start } => {
                seq2seq_example(prompt, target, decoder_start)
            }
            Shape::DecoderOnly { eos } => {
                causal_example(&prompt, &target, eos, self.max_target_tokens)
            }
        })
    }
}

/// An encoder-decoder example: labels = target, decoder input = start token + target[..-1].
pub fn seq2seq_example(source: Vec<i64>, target: Vec<i64>, decoder_start: i64) -> Example {
    let mut decoder_input = Vec::with_capacity(target.len());
    decoder_input.push(decoder_start);
    decoder_input.extend_from_slice(&target[..target.len().saturating_sub(1)]);
    Example {
        input: source,
        decoder_input: Some(decoder_input),
        labels: target,
    }
}

/// A decoder-only example: `prompt + target + eos` (target cut so that, with EOS, it has at most
/// `max_target` tokens), labels ignored over the prompt.
pub fn causal_example(prompt: &[i64], target: &[i64], eos: i64, max_target: usize) -> Example {
    let kept = target.len().min(max_target.saturating_sub(1));
    let mut input = Vec::with_capacity(prompt.len() + kept + 1);
    input.extend_from_slice(prompt);
    input.extend_from_slice(&target[..kept]);
    input.push(eos);
    let mut labels = vec![IGNORED_LABEL; prompt.len()];
    labels.extend_from_slice(&input[prompt.len()..]);
    Example {
        input,
        decoder_input: None,
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::{IGNORED_LABEL, causal_example, seq2seq_example};

    #[test]
    fn decoder_only_labels_cover_the_target_and_eos_only() {
        let example = causal_example(&[10, 11, 12], &[20, 21], 2, 512);
        assert_eq!(example.input, vec![10, 11, 12, 20, 21, 2]);
        assert_eq!(
            example.labels,
            vec![IGNORED_LABEL, IGNORED_LABEL, IGNORED_LABEL, 20, 21, 2]
        );
        assert_eq!(example.decoder_input, None);
    }

    #[test]
    fn decoder_only_targets_are_truncated_before_the_eos() {
        let example = causal_example(&[10], &[20, 21, 22, 23], 2, 3);
        assert_eq!(example.input, vec![10, 20, 21, 2]);
        assert_eq!(example.labels, vec![IGNORED_LABEL, 20, 21, 2]);
    }

    #[test]
    fn seq2seq_decoder_reads_the_labels_shifted_right() {
        let example = seq2seq_example(vec![5, 6, 1], vec![7, 8, 1], 0);
        assert_eq!(example.decoder_input, Some(vec![0, 7, 8]));
        assert_eq!(example.labels, vec![7, 8, 1]);
        assert_eq!(example.length(), 6);
    }
}
