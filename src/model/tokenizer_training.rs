//! Training a tokenizer for a model built from scratch: byte-pair encoding learned with the
//! `tokenizers` trainer, laid out as the family's Hugging Face tokenizers are (T5: SentencePiece-
//! style pieces and `</s>` after every sequence; BART and GPT-2: byte-level BPE with their
//! special tokens), so the result is an ordinary `tokenizer.json`.
//!
//! The BPE trainer is deterministic: the same texts and settings give the same file.

use super::error::{ModelError, ModelResult};
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::decoders::metaspace::Metaspace as MetaspaceDecoder;
use tokenizers::models::TrainerWrapper;
use tokenizers::models::bpe::{BPE, BpeTrainerBuilder};
use tokenizers::normalizers::unicode::NFKC;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::whitespace::WhitespaceSplit;
use tokenizers::processors::roberta::RobertaProcessing;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{AddedToken, Tokenizer};

/// How a family's tokenizer is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenizerLayout {
    /// `<pad>`=0, `</s>`=1, `<unk>`=2; pieces marked with `▁`; `</s>` closes every sequence.
    T5,
    /// `<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3; byte-level; `<s> … </s>` around sequences.
    Bart,
    /// `<|endoftext|>`=0 (also bos, eos and padding); byte-level; nothing added.
    Gpt2,
}

impl TokenizerLayout {
    /// The layout of a family (`t5`, `bart`, `gpt2`), if it has one.
    pub fn of_family(family: &str) -> Option<Self> {
        match family {
            "t5" => Some(Self::T5),
            "bart" => Some(Self::Bart),
            "gpt2" => Some(Self::Gpt2),
            _ => None,
        }
    }

    /// Special tokens, in id order from 0.
    pub fn special_tokens(self) -> &'static [&'static str] {
        match self {
            Self::T5 => &["<pad>", "</s>", "<unk>"],
            Self::Bart => &["<s>", "<pad>", "</s>", "<unk>"],
            Self::Gpt2 => &["<|endoftext|>"],
        }
    }

    /// The id of special token `token`.
    pub fn id_of(self, token: &str) -> Option<u32> {
        self.special_tokens()
            .iter()
            .position(|t| *t == token)
            .map(|i| i as u32)
    }
}

/// Learns a BPE tokenizer of at most `vocab_size` tokens (special tokens included) from
/// `texts`; pieces seen fewer than `min_frequency` times are not merged.
pub fn train_tokenizer(
    layout: TokenizerLayout,
    texts: &[String],
    vocab_size: usize,
    min_frequency: u64,
) -> ModelResult<Tokenizer> {
    let specials = layout.special_tokens();
    let failed =
        |message: String| ModelError::InvalidInput(format!("tokenizer training: {message}"));
    if vocab_size <= specials.len() {
        return Err(failed(format!(
            "vocab_size {vocab_size} leaves no room beside {} special tokens",
            specials.len()
        )));
    }
    let mut builder = BpeTrainerBuilder::new()
        .vocab_size(vocab_size)
        .min_frequency(min_frequency)
        .show_progress(false)
        .special_tokens(
            specials
                .iter()
                .map(|t| AddedToken::from(*t, true))
                .collect(),
        );
    let model = match layout {
        TokenizerLayout::T5 => BPE::builder().unk_token("<unk>".into()).build(),
        TokenizerLayout::Bart | TokenizerLayout::Gpt2 => {
            builder = builder.initial_alphabet(ByteLevel::alphabet().into_iter().collect());
            BPE::builder().build()
        }
    }
    .map_err(|e| failed(e.to_string()))?;
    let mut tokenizer = Tokenizer::new(model);
    match layout {
        TokenizerLayout::T5 => {
            let metaspace = Metaspace::new('▁', PrependScheme::Always, true);
            tokenizer
                .with_normalizer(Some(NFKC))
                .with_pre_tokenizer(Some(Sequence::new(vec![
                    WhitespaceSplit.into(),
                    metaspace.clone().into(),
                ])))
                .with_decoder(Some(MetaspaceDecoder::new(
                    '▁',
                    PrependScheme::Always,
                    true,
                )));
            let processor = TemplateProcessing::builder()
                .try_single("$A </s>")
                .and_then(|b| b.try_pair("$A </s> $B </s>"))
                .map_err(failed)?
                .special_tokens(vec![("</s>", 1)])
                .build()
                .map_err(|e| failed(e.to_string()))?;
            tokenizer.with_post_processor(Some(processor));
        }
        TokenizerLayout::Bart | TokenizerLayout::Gpt2 => {
            tokenizer
                .with_pre_tokenizer(Some(ByteLevel::new(false, true, true)))
                .with_decoder(Some(ByteLevelDecoder::default()));
            if layout == TokenizerLayout::Bart {
                tokenizer.with_post_processor(Some(RobertaProcessing::new(
                    ("</s>".into(), 2),
                    ("<s>".into(), 0),
                )));
            } else {
                tokenizer.with_post_processor(Some(ByteLevel::new(false, false, true)));
            }
        }
    }
    let mut trainer: TrainerWrapper = builder.build().into();
    tokenizer
        .train(&mut trainer, texts.iter())
        .map_err(|e| failed(e.to_string()))?;
    Ok(tokenizer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<String> {
        [
            "Cisplatin and gemcitabine participate in a positive drug combination.",
            "Gemcitabine plus cisplatin improved survival in patients with lung cancer.",
            "No drug combinations are established.",
            "Paclitaxel and carboplatin were given every three weeks.",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn t5_layout_round_trips_and_closes_with_eos() {
        let tokenizer = train_tokenizer(TokenizerLayout::T5, &corpus(), 120, 1).unwrap();
        let encoding = tokenizer.encode("cisplatin and gemcitabine", true).unwrap();
        assert_eq!(encoding.get_ids().last(), Some(&1));
        assert_eq!(tokenizer.token_to_id("<pad>"), Some(0));
        let text = tokenizer.decode(encoding.get_ids(), true).unwrap();
        assert_eq!(text, "cisplatin and gemcitabine");
    }

    #[test]
    fn byte_level_layouts_cover_unseen_characters() {
        for layout in [TokenizerLayout::Gpt2, TokenizerLayout::Bart] {
            let tokenizer = train_tokenizer(layout, &corpus(), 400, 1).unwrap();
            let text = "Gemcitabine + µ-opioid 🧬";
            let ids = tokenizer.encode(text, false).unwrap().get_ids().to_vec();
            assert_eq!(tokenizer.decode(&ids, true).unwrap(), text, "{layout:?}");
        }
    }

    #[test]
    fn training_is_deterministic() {
        let a = train_tokenizer(TokenizerLayout::T5, &corpus(), 150, 1).unwrap();
        let b = train_tokenizer(TokenizerLayout::T5, &corpus(), 150, 1).unwrap();
        assert_eq!(a.to_string(false).unwrap(), b.to_string(false).unwrap());
    }

    #[test]
    fn too_small_a_vocabulary_is_refused() {
        let error = train_tokenizer(TokenizerLayout::Bart, &corpus(), 4, 1).unwrap_err();
        assert!(error.to_string().contains("vocab_size 4"), "{error}");
    }
}
