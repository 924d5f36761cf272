//! Checkpoint loading, saving and `verify` against transformers' reference numbers.

use expc::model::verify::{read_reference, verify};
use expc::model::{Checkpoint, save_weights};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/models")
        .join(name)
}

/// The repository's own fixture of every family.
const FAMILIES: [&str; 7] = [
    "t5-tiny",
    "t5v11-tiny",
    "bart-tiny",
    "gpt2-tiny",
    "gptneo-tiny",
    "llama-tiny",
    "biogpt-tiny",
];

fn cpu() -> burn::tensor::Device {
    burn::tensor::Device::flex()
}

fn assert_verifies(folder: &Path, device: &burn::tensor::Device) {
    let checkpoint = Checkpoint::open(folder).unwrap();
    let network = checkpoint.network(device).unwrap();
    let reference = read_reference(&folder.join("reference.json")).unwrap();
    let results = verify(&checkpoint, &network, &reference).unwrap();
    for result in &results {
        println!(
            "{} {} {:?} {}",
            folder.display(),
            result.name,
            result.max_abs_diff,
            result.detail
        );
    }
    let failed: Vec<_> = results.iter().filter(|r| !r.passed).collect();
    assert!(failed.is_empty(), "{}: {failed:#?}", folder.display());
}

#[test]
fn t5_verifies_on_cpu() {
    assert_verifies(&fixture("t5-tiny"), &cpu());
}

#[test]
fn t5_v1_1_verifies_on_cpu() {
    assert_verifies(&fixture("t5v11-tiny"), &cpu());
}

#[test]
fn bart_verifies_on_cpu() {
    assert_verifies(&fixture("bart-tiny"), &cpu());
}

#[test]
fn gpt2_verifies_on_cpu() {
    assert_verifies(&fixture("gpt2-tiny"), &cpu());
}

#[test]
fn gpt_neo_verifies_on_cpu() {
    assert_verifies(&fixture("gptneo-tiny"), &cpu());
}

#[test]
fn llama_verifies_on_cpu() {
    assert_verifies(&fixture("llama-tiny"), &cpu());
}

#[test]
fn biogpt_verifies_on_cpu_from_the_reference_token_ids() {
    assert_verifies(&fixture("biogpt-tiny"), &cpu());
}

#[test]
fn saved_weights_reload_bit_for_bit() {
    for name in FAMILIES {
        let original = Checkpoint::open(&fixture(name)).unwrap();
        let network = original.network(&cpu()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for file in [
            "config.json",
            "generation_config.json",
            "tokenizer.json",
            "vocab.json",
            "merges.txt",
            "tokenizer_config.json",
        ] {
            if fixture(name).join(file).is_file() {
                std::fs::copy(fixture(name).join(file), dir.path().join(file)).unwrap();
            }
        }
        save_weights(&network, &dir.path().join("model.safetensors")).unwrap();
        let saved = Checkpoint::open(dir.path()).unwrap();
        assert_eq!(
            saved.tensors.keys().collect::<Vec<_>>(),
            original.tensors.keys().collect::<Vec<_>>(),
            "{name}: tensor names"
        );
        for (tensor_name, tensor) in &original.tensors {
            let bits = |values: &[f32]| values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                tensor.shape, saved.tensors[tensor_name].shape,
                "{name} {tensor_name}"
            );
            assert_eq!(
                bits(&tensor.values),
                bits(&saved.tensors[tensor_name].values),
                "{name} {tensor_name}"
            );
        }
        saved.network(&cpu()).unwrap();
    }
}

/// A copy of the t5-tiny folder to break.
fn broken_copy() -> tempfile::TempDir {
    copy_of("t5-tiny")
}

/// A copy of one of the repository's fixture folders.
fn copy_of(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture(name)).unwrap() {
        let path = entry.unwrap().path();
        if let Some(file) = path.file_name() {
            std::fs::copy(&path, dir.path().join(file)).unwrap();
        }
    }
    dir
}

fn load_error(dir: &Path) -> String {
    match Checkpoint::open(dir).and_then(|c| c.network(&cpu())) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(error) => error.to_string(),
    }
}

fn rewrite_tensors(dir: &Path, edit: impl FnOnce(&mut expc::model::safetensors_file::TensorMap)) {
    let path = dir.join("model.safetensors");
    let mut tensors = expc::model::safetensors_file::read_safetensors(&path).unwrap();
    edit(&mut tensors);
    expc::model::safetensors_file::write_safetensors(&path, &tensors).unwrap();
}

#[test]
fn missing_config_field_is_named() {
    let dir = broken_copy();
    let path = dir.path().join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config.as_object_mut().unwrap().remove("d_model");
    std::fs::write(&path, config.to_string()).unwrap();
    let error = load_error(dir.path());
    assert!(
        error.contains("config.json") && error.contains("d_model"),
        "{error}"
    );
}

#[test]
fn missing_tensor_is_named() {
    let dir = broken_copy();
    rewrite_tensors(dir.path(), |t| {
        t.remove("decoder.block.1.layer.2.DenseReluDense.wo.weight");
    });
    let error = load_error(dir.path());
    assert!(
        error.contains("missing tensor `decoder.block.1.layer.2.DenseReluDense.wo.weight`"),
        "{error}"
    );
}

#[test]
fn llama_missing_tensor_is_named_with_its_folder() {
    let dir = copy_of("llama-tiny");
    rewrite_tensors(dir.path(), |t| {
        t.remove("model.layers.1.self_attn.k_proj.bias");
    });
    let error = load_error(dir.path());
    assert!(
        error.contains("missing tensor `model.layers.1.self_attn.k_proj.bias`")
            && error.contains(&dir.path().display().to_string()),
        "{error}"
    );
}

#[test]
fn llama_key_value_projection_shape_follows_the_key_value_heads() {
    let dir = copy_of("llama-tiny");
    let path = dir.path().join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["num_key_value_heads"] = serde_json::json!(3);
    std::fs::write(&path, config.to_string()).unwrap();
    let error = load_error(dir.path());
    assert!(
        error.contains(
            "`model.layers.0.self_attn.k_proj.weight` has shape [24, 48], expected [36, 48]"
        ),
        "{error}"
    );
}

#[test]
fn unsupported_rope_type_is_named() {
    let dir = copy_of("llama-tiny");
    let path = dir.path().join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["rope_parameters"]["rope_type"] = serde_json::json!("yarn");
    std::fs::write(&path, config.to_string()).unwrap();
    let error = load_error(dir.path());
    assert!(
        error.contains("config.json") && error.contains("RoPE type `yarn`"),
        "{error}"
    );
}

#[test]
fn buffers_of_older_checkpoints_are_ignored() {
    let buffers = [
        ("gptneo-tiny", "transformer.h.0.attn.attention.bias"),
        ("gptneo-tiny", "transformer.h.0.attn.attention.masked_bias"),
        ("llama-tiny", "model.layers.0.self_attn.rotary_emb.inv_freq"),
    ];
    for (name, buffer) in buffers {
        let dir = copy_of(name);
        rewrite_tensors(dir.path(), |t| {
            let any = t.values().next().unwrap().clone();
            t.insert(buffer.to_owned(), any);
        });
        Checkpoint::open(dir.path())
            .and_then(|c| c.network(&cpu()))
            .unwrap_or_else(|e| panic!("{name} with {buffer}: {e}"));
    }
}

#[test]
fn gpt_neo_attention_types_must_cover_every_layer() {
    let dir = copy_of("gptneo-tiny");
    let path = dir.path().join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["attention_types"] = serde_json::json!([[["global", "local"], 1]]);
    std::fs::write(&path, config.to_string()).unwrap();
    let error = load_error(dir.path());
    assert!(
        error.contains("attention_types expands to 2 layers, but num_layers is 3"),
        "{error}"
    );
}

#[test]
fn misshaped_tensor_is_named() {
    let dir = broken_copy();
    rewrite_tensors(dir.path(), |t| {
        if let Some(tensor) = t.get_mut("encoder.final_layer_norm.weight") {
            tensor.values.pop();
            tensor.shape = vec![63];
        }
    });
    let error = load_error(dir.path());
    assert!(
        error.contains("`encoder.final_layer_norm.weight` has shape [63], expected [64]"),
        "{error}"
    );
}

#[test]
fn unexpected_tensor_is_named() {
    let dir = broken_copy();
    rewrite_tensors(dir.path(), |t| {
        let extra = t["encoder.final_layer_norm.weight"].clone();
        t.insert("encoder.extra.weight".to_owned(), extra);
    });
    let error = load_error(dir.path());
    assert!(
        error.contains("unexpected tensors") && error.contains("encoder.extra.weight"),
        "{error}"
    );
}

#[test]
fn corrupt_safetensors_is_an_error() {
    let dir = broken_copy();
    let path = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let error = load_error(dir.path());
    assert!(error.contains("corrupt safetensors"), "{error}");
}

#[test]
fn missing_tokenizer_is_an_error() {
    let dir = broken_copy();
    std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    let error = load_error(dir.path());
    assert!(
        error.contains("tokenizer.json") && error.contains("not found"),
        "{error}"
    );
}

/// One short wgpu check on the smallest fixture (kernel compilation is slow on lavapipe).
#[test]
fn gpt2_logits_match_on_wgpu() {
    let backend = match expc::backend::select_backend(expc::backend::BackendChoice::Wgpu) {
        Ok(backend) => backend,
        Err(reason) => {
            println!("skipped: {reason}");
            return;
        }
    };
    let folder = fixture("gpt2-tiny");
    let cpu_network = Checkpoint::open(&folder).unwrap().network(&cpu()).unwrap();
    let gpu_network = Checkpoint::open(&folder)
        .unwrap()
        .network(&backend.device)
        .unwrap();
    let batch = expc::model::TokenBatch::pad(&[vec![10, 20, 30, 40], vec![50, 60]], 511, false);
    let read = |network: &expc::model::Network| {
        let output = network.forward(&batch, None).unwrap();
        expc::model::weights::read_values(output.logits).unwrap()
    };
    let (ours, theirs) = (read(&gpu_network), read(&cpu_network));
    let diff = ours
        .iter()
        .zip(&theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    println!("wgpu vs cpu logits max abs diff {diff:e}");
    assert!(diff < 1e-4, "{diff}");
}

/// The full shared fixture sets (main and trained) when `EXPC_FIXTURES` points at them.
#[test]
fn shared_fixtures_verify_on_cpu() {
    let Some(root) = std::env::var_os("EXPC_FIXTURES") else {
        println!("skipped: EXPC_FIXTURES is not set");
        return;
    };
    let root = PathBuf::from(root);
    for set in ["", "trained"] {
        for name in [
            "t5-tiny",
            "t5v11-tiny",
            "bart-tiny",
            "gpt2-tiny",
            "gptneo-tiny",
            "llama-tiny",
            "biogpt-tiny",
        ] {
            assert_verifies(&root.join(set).join(name), &cpu());
        }
    }
}

#[test]
fn sharded_checkpoint_loads_like_the_single_file() {
    let dir = broken_copy();
    let single = dir.path().join("model.safetensors");
    let tensors = expc::model::safetensors_file::read_safetensors(&single).unwrap();
    let (first, second): (Vec<_>, Vec<_>) = tensors
        .into_iter()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let mut weight_map = serde_json::Map::new();
    for (shard, part) in [
        ("model-00001-of-00002.safetensors", first),
        ("model-00002-of-00002.safetensors", second),
    ] {
        let part: expc::model::safetensors_file::TensorMap =
            part.into_iter().map(|(_, t)| t).collect();
        for name in part.keys() {
            weight_map.insert(name.clone(), serde_json::json!(shard));
        }
        expc::model::safetensors_file::write_safetensors(&dir.path().join(shard), &part).unwrap();
    }
    std::fs::remove_file(&single).unwrap();
    std::fs::write(
        dir.path().join("model.safetensors.index.json"),
        serde_json::json!({"metadata": {}, "weight_map": weight_map}).to_string(),
    )
    .unwrap();
    assert_verifies(dir.path(), &cpu());
}

#[test]
fn gpt2_keys_without_the_transformer_prefix_load() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture("gpt2-tiny")).unwrap() {
        let path = entry.unwrap().path();
        if let Some(file) = path.file_name() {
            std::fs::copy(&path, dir.path().join(file)).unwrap();
        }
    }
    rewrite_tensors(dir.path(), |t| {
        let renamed = std::mem::take(t)
            .into_iter()
            .map(|(name, tensor)| (name.trim_start_matches("transformer.").to_owned(), tensor))
            .collect();
        *t = renamed;
    });
    assert_verifies(dir.path(), &cpu());
}

#[test]
fn no_repeat_ngram_size_stops_the_repetition() {
    let checkpoint = Checkpoint::open(&fixture("bart-tiny")).unwrap();
    let network = checkpoint.network(&cpu()).unwrap();
    let prompts = expc::model::TokenBatch::pad(&[vec![0, 40, 41, 42, 2]], 1, false);
    let mut settings = checkpoint.generation.clone();
    let repeats = |tokens: &[i64]| {
        let bigrams: Vec<_> = tokens.windows(2).collect();
        bigrams.len()
            - bigrams
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
    };
    let plain = expc::model::greedy::greedy(&network, &prompts, &settings).unwrap();
    assert!(repeats(&plain[0]) > 0, "{plain:?}");
    settings.no_repeat_ngram_size = 2;
    for beams in [1, 3] {
        settings.num_beams = beams;
        let tokens = if beams == 1 {
            expc::model::greedy::greedy(&network, &prompts, &settings).unwrap()
        } else {
            expc::model::beam::beam_search(&network, &prompts, &settings)
                .unwrap()
                .new_tokens
        };
        let mut sequence = vec![2];
        sequence.extend(&tokens[0]);
        assert_eq!(repeats(&sequence), 0, "{beams} beams: {tokens:?}");
        assert_eq!(tokens[0].last(), Some(&2), "forced EOS: {tokens:?}");
    }
}
