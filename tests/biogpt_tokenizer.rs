//! The BioGPT tokenizer against transformers' `BioGptTokenizer` (sacremoses Moses + BPE): always
//! against the committed golden file (`tests/data/biogpt_tokenizer/`, made by
//! `tools/biogpt_tokenizer_golden.py`), and against the shared fixture references when
//! `EXPC_FIXTURES` points at them.

use expc::model::TextTokenizer;
use expc::model::biogpt_tokenizer::BioGptTokenizer;
use expc::model::biogpt_tokenizer::detokenize::detokenize;
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn golden_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/biogpt_tokenizer")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ids(value: &Value) -> Vec<u32> {
    serde_json::from_value(value.clone()).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap()
}

/// Collects the differences of many cases, to report them all at once.
#[derive(Default)]
struct Mismatches {
    checked: usize,
    found: Vec<String>,
}

impl Mismatches {
    fn compare<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, text: &str, got: T, want: T) {
        self.checked += 1;
        if got != want {
            self.found.push(format!(
                "{what} of {text:?}:\n  got  {got:?}\n  want {want:?}"
            ));
        }
    }

    fn assert_none(&self, source: &str) {
        println!(
            "{source}: {} comparisons, {} mismatches",
            self.checked,
            self.found.len()
        );
        assert!(
            self.found.is_empty(),
            "{source}: {} of {} comparisons differ:\n{}",
            self.found.len(),
            self.checked,
            self.found
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// A case of `reference.json` or the golden file: text, Moses tokens per chunk, ids (with the
/// sequence start) and both decodes; `ids_no_special` and `tokens` where the file has them.
fn check_case(tokenizer: &BioGptTokenizer, case: &Value, mismatches: &mut Mismatches) {
    let text = case["text"].as_str().unwrap();
    let want_ids = ids(&case["ids"]);
    let got_ids = tokenizer.encode(text, true);
    mismatches.compare("ids", text, &got_ids, &want_ids);
    let want_no_special = match case.get("ids_no_special") {
        Some(value) => ids(value),
        None => want_ids[1..].to_vec(),
    };
    mismatches.compare(
        "ids_no_special",
        text,
        tokenizer.encode(text, false),
        want_no_special,
    );
    let moses: Vec<Vec<String>> = serde_json::from_value(case["moses_tokens"].clone()).unwrap();
    mismatches.compare("moses tokens", text, tokenizer.moses_chunks(text), moses);
    if let Some(tokens) = case.get("tokens") {
        let tokens = strings(tokens);
        let by_id: Vec<String> = got_ids
            .iter()
            .map(|&id| tokenizer.id_to_token(id).unwrap().to_owned())
            .collect();
        mismatches.compare("tokens (by id)", text, &by_id, &tokens);
        let pieces: Vec<String> = std::iter::once("</s>".to_owned())
            .chain(tokenizer.tokenize(text))
            .map(|piece| {
                if tokenizer.token_to_id(&piece).is_some() {
                    piece
                } else {
                    "<unk>".to_owned()
                }
            })
            .collect();
        mismatches.compare("tokens", text, &pieces, &tokens);
    }
    check_decodes(tokenizer, &want_ids, case, text, mismatches);
}

fn check_decodes(
    tokenizer: &BioGptTokenizer,
    ids: &[u32],
    case: &Value,
    label: &str,
    mismatches: &mut Mismatches,
) {
    for (field, skip) in [
        ("decoded_skip_special", true),
        ("decoded_keep_special", false),
    ] {
        let want = case[field].as_str().unwrap();
        mismatches.compare(field, label, tokenizer.decode(ids, skip).as_str(), want);
    }
}

#[test]
fn golden_file_matches_transformers() {
    let tokenizer = BioGptTokenizer::from_folder(&golden_folder()).unwrap();
    let golden = read_json(&golden_folder().join("golden.json"));
    let mut mismatches = Mismatches::default();
    let cases = golden["cases"].as_array().unwrap();
    for case in cases {
        check_case(&tokenizer, case, &mut mismatches);
    }
    let decodes = golden["decode_cases"].as_array().unwrap();
    for case in decodes {
        let ids = ids(&case["ids"]);
        check_decodes(&tokenizer, &ids, case, &format!("{ids:?}"), &mut mismatches);
    }
    let detokenized = golden["detokenize_cases"].as_array().unwrap();
    for case in detokenized {
        let tokens = strings(&case["tokens"]);
        let label = format!("{tokens:?}");
        mismatches.compare(
            "detokenize",
            &label,
            detokenize(&tokens).as_str(),
            case["text"].as_str().unwrap(),
        );
    }
    println!(
        "golden: {} texts, {} id sequences, {} token lists",
        cases.len(),
        decodes.len(),
        detokenized.len()
    );
    assert!(cases.len() >= 300 && decodes.len() >= 50 && detokenized.len() >= 100);
    mismatches.assert_none("golden.json");
}

/// `tokenizers/biogpt-bpe/reference.json` and both biogpt-tiny references (main and trained):
/// the 20 probes (+3 prompts), the model's source tokens and input ids, and the decodes of every
/// generated sequence.
#[test]
fn shared_fixture_references_match() {
    let Some(root) = std::env::var_os("EXPC_FIXTURES") else {
        println!("skipped: EXPC_FIXTURES is not set");
        return;
    };
    let root = PathBuf::from(root);
    let tokenizer_folder = root.join("tokenizers/biogpt-bpe");
    let tokenizer = BioGptTokenizer::from_folder(&tokenizer_folder).unwrap();
    let reference = read_json(&tokenizer_folder.join("reference.json"));
    assert_eq!(
        tokenizer.vocab_size(),
        reference["vocab_size_with_added"].as_u64().unwrap() as usize
    );
    let mut mismatches = Mismatches::default();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 20);
    for case in cases {
        check_case(&tokenizer, case, &mut mismatches);
    }
    mismatches.assert_none("tokenizers/biogpt-bpe");

    for set in ["", "trained"] {
        let folder = root.join(set).join("biogpt-tiny");
        let tokenizer = BioGptTokenizer::from_folder(&folder).unwrap();
        let checkpoint_tokenizer = TextTokenizer::read(&folder).unwrap();
        assert!(matches!(checkpoint_tokenizer, TextTokenizer::BioGpt { .. }));
        let model = read_json(&folder.join("reference.json"));
        let mut mismatches = Mismatches::default();
        let cases = model["tokenizer_reference"]["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 23);
        for case in cases {
            check_case(&tokenizer, case, &mut mismatches);
        }
        let sources = strings(&model["texts"]["source"]);
        let rows = model["inputs"]["input_ids"].as_array().unwrap();
        let masks = model["inputs"]["attention_mask"].as_array().unwrap();
        for (i, text) in sources.iter().enumerate() {
            let tokens = strings(&model["tokens"]["source"][i]);
            let by_id: Vec<String> = tokenizer
                .encode(text, true)
                .iter()
                .map(|&id| tokenizer.id_to_token(id).unwrap().to_owned())
                .collect();
            mismatches.compare("tokens.source", text, by_id, tokens);
            let moses = strings(&model["tokens"]["source_moses"][i]);
            mismatches.compare(
                "tokens.source_moses",
                text,
                tokenizer.moses_chunks(text).concat(),
                moses,
            );
            let unpadded: Vec<u32> = ids(&rows[i])
                .into_iter()
                .zip(ids(&masks[i]))
                .filter(|&(_, mask)| mask == 1)
                .map(|(id, _)| id)
                .collect();
            mismatches.compare(
                "inputs.input_ids",
                text,
                tokenizer.encode(text, true),
                unpadded.clone(),
            );
            let checkpoint_ids = checkpoint_tokenizer.encode(text, true).unwrap();
            mismatches.compare("checkpoint tokenizer ids", text, checkpoint_ids, unpadded);
        }
        let mut generations = 0;
        for dtype in ["float64", "float32"] {
            for search in ["greedy", "beam4"] {
                for layout in ["single", "batched"] {
                    let runs = &model["generation"][dtype][search][layout];
                    let runs: Vec<&Value> = match runs {
                        Value::Array(runs) => runs.iter().collect(),
                        run => vec![run],
                    };
                    for run in runs {
                        let texts = strings(&run["text"]);
                        let with_special = strings(&run["text_with_special"]);
                        for (row, new_tokens) in
                            run["new_tokens"].as_array().unwrap().iter().enumerate()
                        {
                            let new_tokens = ids(new_tokens);
                            let label = format!("{set}/{dtype}/{search}/{layout} {new_tokens:?}");
                            mismatches.compare(
                                "text",
                                &label,
                                tokenizer.decode(&new_tokens, true),
                                texts[row].clone(),
                            );
                            mismatches.compare(
                                "text_with_special",
                                &label,
                                tokenizer.decode(&new_tokens, false),
                                with_special[row].clone(),
                            );
                            generations += 1;
                        }
                    }
                }
            }
        }
        assert!(generations >= 24, "{generations} generations");
        mismatches.assert_none(&format!("{}", folder.display()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn encoding_never_panics_and_starts_with_the_end_token(text in any::<String>()) {
        let tokenizer = BioGptTokenizer::from_folder(&golden_folder()).unwrap();
        let with_start = tokenizer.encode(&text, true);
        prop_assert_eq!(with_start[0], 2);
        prop_assert_eq!(with_start[1..].to_vec(), tokenizer.encode(&text, false));
        tokenizer.decode(&with_start, false);
    }

    #[test]
    fn awkward_text_never_panics(text in "[ \t\n.'`,\\-&|<>\"\\[\\](){}a-cA-C0-9³µβ细'/:;!?$€]{0,40}") {
        let tokenizer = BioGptTokenizer::from_folder(&golden_folder()).unwrap();
        let ids = tokenizer.encode(&text, true);
        tokenizer.decode(&ids, true);
    }

    #[test]
    fn decoding_any_ids_never_panics(ids in proptest::collection::vec(any::<u32>(), 0..24)) {
        let tokenizer = BioGptTokenizer::from_folder(&golden_folder()).unwrap();
        tokenizer.decode(&ids, true);
        tokenizer.decode(&ids, false);
    }
}
