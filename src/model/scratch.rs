//! Models declared by configuration instead of a checkpoint: the complete `config.json` a
//! declaration stands for, and the checkpoint folder (configuration, trained tokenizer, seeded
//! random weights) written from it, which then loads like any other.

use super::config::{BartConfig, Gpt2Config, ModelConfig, T5Config};
use super::error::{ModelError, ModelResult};
use super::init::Initializer;
use super::network::Network;
use super::safetensors_file::write_safetensors;
use super::tokenizer_training::TokenizerLayout;
use super::weights::WeightReader;
use burn::tensor::Device;
use serde_json::{Map, Value, json};
use std::path::Path;
use tokenizers::Tokenizer;

/// The full `config.json` of a `family` model declared with `declared` fields and a tokenizer of
/// `vocab_size` tokens: the family's defaults, the declared fields over them, and the special
/// token ids of the family's tokenizer layout. An error says which field is wrong.
pub fn scratch_config(
    family: &str,
    declared: &Map<String, Value>,
    vocab_size: usize,
) -> Result<Map<String, Value>, String> {
    let Some(layout) = TokenizerLayout::of_family(family) else {
        return Err(format!(
            "family `{family}` cannot be built from scratch yet (supported: t5, bart, gpt2)"
        ));
    };
    let id = |token: &str| layout.id_of(token).expect("the layout's own token");
    let defaults = match layout {
        TokenizerLayout::T5 => json!({
            "model_type": "t5",
            "architectures": ["T5ForConditionalGeneration"],
            "relative_attention_num_buckets": 32,
            "relative_attention_max_distance": 128,
            "feed_forward_proj": "relu",
            "tie_word_embeddings": true,
            "layer_norm_epsilon": 1e-6,
            "dropout_rate": 0.0,
            "pad_token_id": id("<pad>"),
            "eos_token_id": id("</s>"),
            "decoder_start_token_id": id("<pad>"),
        }),
        TokenizerLayout::Bart => json!({
            "model_type": "bart",
            "architectures": ["BartForConditionalGeneration"],
            "max_position_embeddings": 1024,
            "activation_function": "gelu",
            "scale_embedding": false,
            "dropout": 0.0,
            "bos_token_id": id("<s>"),
            "pad_token_id": id("<pad>"),
            "eos_token_id": id("</s>"),
            "decoder_start_token_id": id("</s>"),
            "forced_eos_token_id": id("</s>"),
        }),
        TokenizerLayout::Gpt2 => json!({
            "model_type": "gpt2",
            "architectures": ["GPT2LMHeadModel"],
            "n_positions": 1024,
            "activation_function": "gelu_new",
            "layer_norm_epsilon": 1e-5,
            "resid_pdrop": 0.0,
            "embd_pdrop": 0.0,
            "attn_pdrop": 0.0,
            "bos_token_id": id("<|endoftext|>"),
            "eos_token_id": id("<|endoftext|>"),
        }),
    };
    let mut fields = defaults.as_object().cloned().unwrap_or_default();
    for (key, value) in declared {
        if matches!(key.as_str(), "model_type" | "vocab_size") {
            return Err(format!(
                "`{key}` is set by expc (from the family and the tokenizer), not declared"
            ));
        }
        fields.insert(key.clone(), value.clone());
    }
    fields.insert("vocab_size".into(), vocab_size.into());
    if layout == TokenizerLayout::T5 && !fields.contains_key("d_kv") {
        // transformers' default: the model width split across the heads.
        if let (Some(width), Some(heads)) = (
            fields.get("d_model").and_then(Value::as_u64),
            fields.get("num_heads").and_then(Value::as_u64),
        ) && heads > 0
        {
            fields.insert("d_kv".into(), (width / heads).into());
        }
    }
    let config = Value::Object(fields.clone());
    let checked = match layout {
        TokenizerLayout::T5 => typed::<T5Config>(&config).and_then(|c| {
            c.feed_forward(Path::new("config"))
                .map(|_| ())
                .map_err(|e| e.to_string())
        }),
        TokenizerLayout::Bart => typed::<BartConfig>(&config).map(|_| ()),
        TokenizerLayout::Gpt2 => typed::<Gpt2Config>(&config).map(|_| ()),
    };
    checked.map(|()| fields)
}

fn typed<T: serde::de::DeserializeOwned>(config: &Value) -> Result<T, String> {
    serde_json::from_value(config.clone()).map_err(|e| e.to_string())
}

/// Writes `folder` as a checkpoint: `config.json`, `tokenizer.json` and `model.safetensors`
/// holding weights drawn with `seed` (see [`Initializer`]).
pub fn write_initial_checkpoint(
    folder: &Path,
    config: &Map<String, Value>,
    tokenizer: &Tokenizer,
    seed: u64,
) -> ModelResult<()> {
    std::fs::create_dir_all(folder).map_err(|e| ModelError::io(folder, e))?;
    let config_path = folder.join("config.json");
    let text = serde_json::to_string_pretty(config).expect("JSON values serialise");
    std::fs::write(&config_path, text + "\n").map_err(|e| ModelError::io(&config_path, e))?;
    let typed = ModelConfig::read(&config_path)?;
    let tokenizer_path = folder.join("tokenizer.json");
    tokenizer
        .save(&tokenizer_path, true)
        .map_err(|e| ModelError::Tokenizer {
            path: tokenizer_path.clone(),
            message: e.to_string(),
        })?;
    let mut reader =
        WeightReader::initialising(Initializer::new(typed.clone(), seed), Device::flex());
    Network::load(&typed, &mut reader, &config_path)?;
    write_safetensors(&folder.join("model.safetensors"), &reader.into_tensors())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Checkpoint;
    use crate::model::tokenizer_training::train_tokenizer;

    fn declared(text: &str) -> Map<String, Value> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn t5_defaults_fill_the_rest() {
        let config = scratch_config(
            "t5",
            &declared(r#"{"d_model": 32, "d_ff": 64, "num_layers": 2, "num_heads": 4}"#),
            100,
        )
        .unwrap();
        assert_eq!(config["d_kv"], 8);
        assert_eq!(config["vocab_size"], 100);
        assert_eq!(config["eos_token_id"], 1);
    }

    #[test]
    fn wrong_fields_are_named() {
        let missing = scratch_config("gpt2", &declared(r#"{"n_layer": 2}"#), 50).unwrap_err();
        assert!(missing.contains("n_embd"), "{missing}");
        let fixed = scratch_config("t5", &declared(r#"{"vocab_size": 3}"#), 50).unwrap_err();
        assert!(fixed.contains("vocab_size"), "{fixed}");
        let family = scratch_config("llama", &Map::new(), 50).unwrap_err();
        assert!(family.contains("llama"), "{family}");
        let activation = scratch_config(
            "t5",
            &declared(
                r#"{"d_model": 8, "d_ff": 8, "num_layers": 1, "num_heads": 2, "feed_forward_proj": "mish"}"#,
            ),
            50,
        )
        .unwrap_err();
        assert!(activation.contains("mish"), "{activation}");
    }

    #[test]
    fn written_folders_load_and_repeat_bit_for_bit() {
        let texts: Vec<String> = ["aspirin and warfarin", "no drug combinations"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (family, declared_fields) in [
            (
                "t5",
                r#"{"d_model": 16, "d_ff": 32, "num_layers": 1, "num_heads": 2}"#,
            ),
            (
                "bart",
                r#"{"d_model": 16, "encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2,
                    "decoder_attention_heads": 2, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32,
                    "max_position_embeddings": 64}"#,
            ),
            (
                "gpt2",
                r#"{"n_embd": 16, "n_layer": 1, "n_head": 2, "n_positions": 64}"#,
            ),
        ] {
            let layout = TokenizerLayout::of_family(family).unwrap();
            let tokenizer = train_tokenizer(layout, &texts, 300, 1).unwrap();
            let config = scratch_config(family, &declared(declared_fields), 300).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let (a, b) = (dir.path().join("a"), dir.path().join("b"));
            write_initial_checkpoint(&a, &config, &tokenizer, 5).unwrap();
            write_initial_checkpoint(&b, &config, &tokenizer, 5).unwrap();
            let bytes = |folder: &Path| std::fs::read(folder.join("model.safetensors")).unwrap();
            assert_eq!(bytes(&a), bytes(&b), "{family}");
            let checkpoint = Checkpoint::open(&a).unwrap();
            checkpoint.network(&Device::flex()).unwrap();
            assert_eq!(checkpoint.config.family(), family);
        }
    }
}
