//! BioGPT's tokenizer, exactly as transformers' (slow) `BioGptTokenizer` works: the literal
//! special tokens are split out of the text first; every other chunk goes through the English
//! Moses tokenizer ([`moses`]) and then fastBPE ([`bpe`]) with `vocab.json` and `merges.txt`;
//! pieces missing from the vocabulary become `<unk>`. A sequence starts with `</s>` (not `<s>`).
//! Decoding joins the pieces (`</w>` ends a word) and runs the Moses detokenizer
//! ([`detokenize`]); it is not lossless (`mg/dL` comes back as `mg / dL`).

mod bpe;
mod char_class;
pub mod detokenize;
pub mod moses;
mod perl_classes;

use crate::model::error::{ModelError, ModelResult};
use bpe::{END_OF_WORD, Merges};
use detokenize::detokenize;
use moses::MosesTokenizer;
use std::collections::HashMap;
use std::path::Path;

/// The special tokens, as written in text and in `vocab.json`.
const SPECIAL_TOKENS: [&str; 4] = ["<s>", "<pad>", "</s>", "<unk>"];

/// The token every sequence starts with (BioGPT's `build_inputs_with_special_tokens`: `</s> X`).
const SEQUENCE_START: &str = "</s>";

/// The token of a piece missing from the vocabulary.
const UNKNOWN: &str = "<unk>";

/// BioGPT's Moses + BPE tokenizer, read from `vocab.json` and `merges.txt`.
#[derive(Debug, Clone)]
pub struct BioGptTokenizer {
    ids: HashMap<String, u32>,
    tokens: HashMap<u32, String>,
    merges: Merges,
    moses: MosesTokenizer,
    /// The ids of [`SPECIAL_TOKENS`], in that order.
    special_ids: [u32; 4],
    /// The id of [`SEQUENCE_START`].
    start_id: u32,
    /// The id of [`UNKNOWN`].
    unknown_id: u32,
}

/// A stretch of input text: a special token written literally (its index in
/// [`SPECIAL_TOKENS`]), or ordinary text.
enum Chunk<'a> {
    Special(usize),
    Text(&'a str),
}

impl BioGptTokenizer {
    /// Reads `vocab.json` and `merges.txt` from `folder`; errors name the file (and the line).
    pub fn from_folder(folder: &Path) -> ModelResult<Self> {
        let vocab_path = folder.join("vocab.json");
        let merges_path = folder.join("merges.txt");
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|error| ModelError::Tokenizer {
                path: path.to_owned(),
                message: error.to_string(),
            })
        };
        let vocab_error = |message: String| ModelError::Tokenizer {
            path: vocab_path.clone(),
            message,
        };
        let ids: HashMap<String, u32> = serde_json::from_str(&read(&vocab_path)?)
            .map_err(|error| vocab_error(error.to_string()))?;
        let mut tokens = HashMap::with_capacity(ids.len());
        for (token, &id) in &ids {
            if let Some(other) = tokens.insert(id, token.clone()) {
                let (first, second) = if &other < token {
                    (&other, token)
                } else {
                    (token, &other)
                };
                return Err(vocab_error(format!(
                    "{first:?} and {second:?} share the id {id}"
                )));
            }
        }
        let mut special_ids = [0; 4];
        for (slot, token) in special_ids.iter_mut().zip(SPECIAL_TOKENS) {
            *slot = *ids
                .get(token)
                .ok_or_else(|| vocab_error(format!("the special token {token} is missing")))?;
        }
        let merges = Merges::parse(&read(&merges_path)?, &merges_path)?;
        Ok(Self {
            start_id: ids[SEQUENCE_START],
            unknown_id: ids[UNKNOWN],
            ids,
            tokens,
            merges,
            moses: MosesTokenizer::english(),
            special_ids,
        })
    }

    /// Tokens in the vocabulary (special tokens included).
    pub fn vocab_size(&self) -> usize {
        self.ids.len()
    }

    /// The id of `token`, if it is in the vocabulary.
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    /// The token of `id`, if the vocabulary has one.
    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.tokens.get(&id).map(String::as_str)
    }

    /// The text split at the special tokens written in it (`<s>`, `</s>`, `<unk>`, `<pad>`),
    /// leftmost first; empty stretches of text are left out.
    fn chunks(text: &str) -> Vec<Chunk<'_>> {
        let mut chunks = Vec::new();
        let mut rest = text;
        while let Some((start, index)) = SPECIAL_TOKENS
            .iter()
            .enumerate()
            .filter_map(|(index, special)| rest.find(special).map(|start| (start, index)))
            .min()
        {
            if start > 0 {
                chunks.push(Chunk::Text(&rest[..start]));
            }
            chunks.push(Chunk::Special(index));
            rest = &rest[start + SPECIAL_TOKENS[index].len()..];
        }
        if !rest.is_empty() {
            chunks.push(Chunk::Text(rest));
        }
        chunks
    }

    /// The Moses tokens of each stretch of text between special tokens (empty stretches left
    /// out; a blank one gives an empty list).
    pub fn moses_chunks(&self, text: &str) -> Vec<Vec<String>> {
        Self::chunks(text)
            .into_iter()
            .filter_map(|chunk| match chunk {
                Chunk::Text(text) => Some(self.moses.tokenize(text)),
                Chunk::Special(_) => None,
            })
            .collect()
    }

    /// The pieces of `text` (special tokens as written, BPE pieces with `</w>` ending a word),
    /// without the sequence start; pieces missing from the vocabulary are kept as they are.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        let mut pieces = Vec::new();
        for chunk in Self::chunks(text) {
            match chunk {
                Chunk::Special(index) => pieces.push(SPECIAL_TOKENS[index].to_owned()),
                Chunk::Text(text) => {
                    for word in self.moses.tokenize(text) {
                        pieces.extend(self.merges.apply(&word));
                    }
                }
            }
        }
        pieces
    }

    /// The ids of `text`, starting with `</s>` when `add_special_tokens`; a piece missing from
    /// the vocabulary is `<unk>`.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Vec<u32> {
        self.encode_truncated(text, add_special_tokens, usize::MAX)
    }

    /// [`Self::encode`] with at most `max_length` ids: the text's ids are cut on the right so that
    /// they fit together with the sequence start, as transformers' `truncation=True` does.
    pub fn encode_truncated(
        &self,
        text: &str,
        add_special_tokens: bool,
        max_length: usize,
    ) -> Vec<u32> {
        let mut ids = Vec::new();
        if add_special_tokens {
            ids.push(self.start_id);
        }
        let pieces = self.tokenize(text);
        let room = max_length.saturating_sub(ids.len());
        ids.extend(
            pieces
                .iter()
                .take(room)
                .map(|piece| self.token_to_id(piece).unwrap_or(self.unknown_id)),
        );
        ids
    }

    /// The text of `ids`: pieces joined (`</w>` ends a word), then Moses-detokenised. Special
    /// tokens are left out when `skip_special_tokens`, else they stay glued to the next word
    /// (`</s>Aspirin`); an id outside the vocabulary reads `<unk>` either way.
    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> String {
        let mut joined = String::new();
        for &id in ids {
            if skip_special_tokens && self.special_ids.contains(&id) {
                continue;
            }
            let token = self.id_to_token(id).unwrap_or(UNKNOWN);
            joined.push_str(&token.replace(' ', "").replace(END_OF_WORD, " "));
        }
        let words: Vec<&str> = char_class::split_python_whitespace(&joined).collect();
        detokenize(&words)
    }
}

#[cfg(test)]
mod tests {
    use super::BioGptTokenizer;
    use std::path::Path;

    fn tokenizer() -> BioGptTokenizer {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/biogpt_tokenizer");
        BioGptTokenizer::from_folder(&folder).unwrap()
    }

    #[test]
    fn sequences_start_with_the_end_token() {
        let tokenizer = tokenizer();
        assert_eq!(tokenizer.encode("", true), [2]);
        assert_eq!(tokenizer.encode("", false), Vec::<u32>::new());
        assert_eq!(tokenizer.encode("of", true), [2, 6]);
    }

    #[test]
    fn special_tokens_in_text_are_matched_before_moses() {
        let tokenizer = tokenizer();
        assert_eq!(
            tokenizer.tokenize("<s>of</s> <pad>x<unk>"),
            ["<s>", "of</w>", "</s>", "<pad>", "x</w>", "<unk>"]
        );
        assert_eq!(
            tokenizer.moses_chunks("<s>a</s> <pad>"),
            [vec!["a".to_owned()], vec![]]
        );
    }

    #[test]
    fn truncation_keeps_the_sequence_start() {
        let tokenizer = tokenizer();
        let full = tokenizer.encode("The mutation was in exon 3 of BRCA1.", true);
        assert_eq!(
            tokenizer.encode_truncated("The mutation was in exon 3 of BRCA1.", true, 4),
            full[..4]
        );
        assert_eq!(tokenizer.encode_truncated("The mutation", true, 1), [2]);
    }

    #[test]
    fn decoding_skips_specials_but_reads_unknown_ids_as_unk() {
        let tokenizer = tokenizer();
        assert_eq!(
            tokenizer.decode(&[2, 11, 3, 6, 100_000], true),
            "The of <unk>"
        );
        assert_eq!(tokenizer.decode(&[2, 11, 3, 6], false), "</s>The <unk>of");
    }

    #[test]
    fn broken_files_are_errors_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let error = BioGptTokenizer::from_folder(dir.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("vocab.json"), "{error}");
        std::fs::write(dir.path().join("vocab.json"), "{\"<s>\": 0,\n \"a\": }").unwrap();
        let error = BioGptTokenizer::from_folder(dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("vocab.json") && error.contains("line 2"),
            "{error}"
        );
        std::fs::write(dir.path().join("vocab.json"), "{\"<s>\": 0, \"a\": 0}").unwrap();
        let error = BioGptTokenizer::from_folder(dir.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("share the id 0"), "{error}");
        std::fs::write(dir.path().join("vocab.json"), "{\"<s>\": 0}").unwrap();
        let error = BioGptTokenizer::from_folder(dir.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("<pad> is missing"), "{error}");
    }
}
