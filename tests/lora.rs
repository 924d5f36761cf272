//! LoRA on the tiny checkpoints of every family: a training step moves only the adapters, merged
//! weights compute what base + adapter compute, merged exports load with the plain loader, PEFT
//! adapter folders round-trip, and half-precision bases train their `f32` adapters.

use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{DType, Device, FloatDType, Tensor};
use expc::model::lora::{
    self, LoraConfig, dense_layers, load_adapters, merge, parameter_summary, save_adapters,
};
use expc::model::train_step::{TrainingBatch, adamw_step, token_loss};
use expc::model::weights::read_values;
use expc::model::{Checkpoint, ModelError, Network, TokenBatch, save_weights};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/models")
        .join(name)
}

fn cpu() -> Device {
    Device::flex()
}

/// Each family with targets in its own module names.
fn families() -> [(&'static str, Vec<&'static str>); 3] {
    [
        ("t5-tiny", vec!["q", "v", "wo"]),
        ("bart-tiny", vec!["q_proj", "v_proj", "fc1"]),
        ("gpt2-tiny", vec!["c_attn", "mlp.c_proj"]),
    ]
}

fn config(targets: &[&str], dropout: f64) -> LoraConfig {
    LoraConfig {
        rank: 4,
        alpha: 8.0,
        dropout,
        targets: targets.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn batch(network: &Network) -> TrainingBatch {
    let inputs = TokenBatch::pad(&[vec![5, 6, 7, 8, 9], vec![9, 10, 11]], 1, false);
    if network.is_encoder_decoder() {
        TrainingBatch {
            inputs,
            decoder_input_ids: Some(vec![vec![0, 12, 13, 14], vec![0, 15, 16, 1]]),
            labels: vec![vec![12, 13, 14, 2], vec![15, 16, 2, -100]],
        }
    } else {
        TrainingBatch {
            inputs,
            decoder_input_ids: None,
            labels: vec![vec![5, 6, 7, 8, 9], vec![9, 10, 11, -100, -100]],
        }
    }
}

fn logits(network: &Network, batch: &TrainingBatch) -> Vec<f32> {
    let output = network
        .forward(&batch.inputs, batch.decoder_input_ids.as_deref())
        .unwrap();
    read_values(output.logits).unwrap()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Every parameter's bits and dtype, by id.
fn parameters(network: &Network) -> BTreeMap<ParamId, (DType, Vec<u32>)> {
    struct Collect(BTreeMap<ParamId, (DType, Vec<u32>)>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let tensor = param.base();
            let dtype = tensor.dtype();
            let bits = read_values(tensor)
                .unwrap()
                .iter()
                .map(|v| v.to_bits())
                .collect();
            self.0.insert(param.id, (dtype, bits));
        }
    }
    let mut collect = Collect(BTreeMap::new());
    network.visit(&mut collect);
    collect.0
}

fn adapter_ids(network: &Network) -> BTreeSet<ParamId> {
    dense_layers(network)
        .unwrap()
        .into_iter()
        .filter_map(|layer| layer.adapter)
        .flat_map(|adapter| [adapter.a.id, adapter.b.id])
        .collect()
}

/// Loads `name` on the autodiff CPU device in `dtype` with adapters on `targets`.
fn adapted(name: &str, targets: &[&str], dtype: FloatDType) -> (Checkpoint, Network) {
    let checkpoint = Checkpoint::open(&fixture(name)).unwrap();
    let network = checkpoint.network_as(&cpu().autodiff(), dtype).unwrap();
    let network = lora::attach(network, &config(targets, 0.0), 7).unwrap();
    (checkpoint, network)
}

/// Checks that two steps moved every adapter factor and no other parameter (`A` moves from the
/// second step on: with `B = 0` its first gradient is zero); returns the network.
fn step_moves_only_adapters(name: &str, network: Network, batch: &TrainingBatch) -> Network {
    let adapters = adapter_ids(&network);
    let before = parameters(&network);
    // Gradients (hence AdamW state) exist for the adapters only.
    let loss = token_loss(&network, batch).unwrap();
    let grads = GradientsParams::from_grads(loss.backward(), &network);
    let with_grads: BTreeSet<ParamId> = before
        .keys()
        .filter(|id| grads.get::<2>(**id).is_some() || grads.get::<1>(**id).is_some())
        .copied()
        .collect();
    assert_eq!(with_grads, adapters, "{name}: gradients");
    let (network, first) = adamw_step(network, batch, 1e-2).unwrap();
    let (network, second) = adamw_step(network, batch, 1e-2).unwrap();
    assert!(
        second.loss_after < first.loss_before,
        "{name}: {first:?} {second:?}"
    );
    let after = parameters(&network);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (id, (dtype, bits)) in &before {
        if adapters.contains(id) {
            assert_eq!(*dtype, DType::F32, "{name}: adapters are f32");
            assert_ne!(&after[id].1, bits, "{name}: adapter {id} did not move");
        } else {
            assert_eq!(
                &after[id],
                &(*dtype, bits.clone()),
                "{name}: base {id} moved"
            );
        }
    }
    network
}

#[test]
fn a_lora_step_changes_only_adapter_weights() {
    for (name, targets) in families() {
        let (_, network) = adapted(name, &targets, FloatDType::F32);
        let summary = parameter_summary(&network);
        let adapters = adapter_ids(&network).len();
        assert!(adapters >= 4, "{name}: {adapters}");
        assert!(summary.trainable * 5 < summary.parameters, "{summary:?}");
        let batch = batch(&network);
        step_moves_only_adapters(name, network, &batch);
    }
}

#[test]
fn merged_weights_compute_base_plus_adapter_and_export_to_the_plain_loader() {
    for (name, targets) in families() {
        let (checkpoint, mut network) = adapted(name, &targets, FloatDType::F32);
        let batch = batch(&network);
        for _ in 0..3 {
            network = adamw_step(network, &batch, 1e-2).unwrap().0;
        }
        let network = network.valid();
        let adapter = logits(&network, &batch);
        let plain = logits(&checkpoint.network(&cpu()).unwrap(), &batch);
        let moved = max_diff(&adapter, &plain);
        assert!(
            moved > 1e-3,
            "{name}: the adapters changed nothing ({moved})"
        );

        let merged = logits(&merge(network.clone()), &batch);
        let merged_diff = max_diff(&adapter, &merged);
        println!("{name}: merged vs base + adapter: max |Δlogit| {merged_diff:e}");
        assert!(merged_diff <= 1e-5, "{name}: {merged_diff}");

        let dir = tempfile::tempdir().unwrap();
        for file in ["config.json", "tokenizer.json", "generation_config.json"] {
            std::fs::copy(fixture(name).join(file), dir.path().join(file)).unwrap();
        }
        save_weights(&network, &dir.path().join("model.safetensors")).unwrap();
        let reloaded = Checkpoint::open(dir.path())
            .unwrap()
            .network(&cpu())
            .unwrap();
        let exported = logits(&reloaded, &batch);
        let exported_diff = max_diff(&adapter, &exported);
        println!("{name}: exported vs base + adapter: max |Δlogit| {exported_diff:e}");
        assert!(exported_diff <= 1e-5, "{name}: {exported_diff}");
        assert_eq!(merged, exported, "{name}: export = in-memory merge");
    }
}

#[test]
fn peft_adapter_folders_round_trip() {
    for (name, targets) in families() {
        let (checkpoint, mut network) = adapted(name, &targets, FloatDType::F32);
        let batch = batch(&network);
        network = adamw_step(network, &batch, 1e-2).unwrap().0;
        let network = network.valid();
        let dir = tempfile::tempdir().unwrap();
        let wanted = config(&targets, 0.0);
        save_adapters(&network, &wanted, &checkpoint.folder, dir.path()).unwrap();
        let peft: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(lora::ADAPTER_CONFIG)).unwrap(),
        )
        .unwrap();
        assert_eq!(peft["peft_type"], "LORA");
        assert_eq!(peft["r"], 4);
        assert_eq!(peft["fan_in_fan_out"], name == "gpt2-tiny");
        let tensors = expc::model::safetensors_file::read_safetensors(
            &dir.path().join(lora::ADAPTER_WEIGHTS),
        )
        .unwrap();
        assert_eq!(tensors.len(), adapter_ids(&network).len());
        assert!(
            tensors
                .keys()
                .all(|k| k.starts_with("base_model.model.") && k.contains(".lora_")),
            "{:?}",
            tensors.keys()
        );

        let (loaded, config) =
            load_adapters(checkpoint.network(&cpu()).unwrap(), dir.path()).unwrap();
        assert_eq!(config, wanted);
        assert_eq!(logits(&loaded, &batch), logits(&network, &batch), "{name}");
    }
}

#[test]
fn targets_that_match_no_layer_are_an_error_naming_the_layers() {
    let checkpoint = Checkpoint::open(&fixture("t5-tiny")).unwrap();
    let network = checkpoint.network(&cpu()).unwrap();
    let error = lora::attach(network, &config(&["q", "q_proj", "SelfAttention"], 0.0), 0)
        .expect_err("unmatched targets");
    assert!(matches!(error, ModelError::LoraTargets { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("`q_proj`, `SelfAttention`"), "{message}");
    assert!(message.contains("…q, …v, …wi, …wo"), "{message}");
}

#[test]
fn half_precision_bases_train_f32_adapters() {
    for dtype in [FloatDType::BF16, FloatDType::F16] {
        for (name, targets) in families() {
            let (checkpoint, network) = adapted(name, &targets, dtype);
            let batch = batch(&network);
            let full = parameter_summary(&checkpoint.network(&cpu()).unwrap());
            let half = parameter_summary(&network);
            println!(
                "{name} {dtype:?}: {} bytes of parameters vs {} in f32 ({} trainable values)",
                half.bytes, full.bytes, half.trainable
            );
            assert!(half.bytes * 10 < full.bytes * 6, "{half:?} vs {full:?}");
            let network = step_moves_only_adapters(name, network, &batch).valid();
            // The half-precision forward drifts from the f32 one by rounding only.
            let base_half = logits(&checkpoint.network_as(&cpu(), dtype).unwrap(), &batch);
            let base_full = logits(&checkpoint.network(&cpu()).unwrap(), &batch);
            let drift = max_diff(&base_half, &base_full);
            // The adapters, moved onto the f32 base, give what they gave over the half base
            // up to the same rounding.
            let values = lora::adapter_values(&network).unwrap();
            let config = config(&targets, 0.0);
            let exported =
                lora::attach_values(checkpoint.network(&cpu()).unwrap(), &config, &values).unwrap();
            let adapted_drift = max_diff(&logits(&network, &batch), &logits(&exported, &batch));
            println!(
                "{name} {dtype:?}: max |Δlogit| vs f32: base {drift:e}, adapted {adapted_drift:e}"
            );
            assert!(
                drift < 0.1 && adapted_drift < 0.1,
                "{drift} {adapted_drift}"
            );
        }
    }
}

#[test]
fn lora_dropout_is_seeded_and_applies_only_while_training() {
    let checkpoint = Checkpoint::open(&fixture("t5-tiny")).unwrap();
    let device = cpu().autodiff();
    let network = checkpoint.network(&device).unwrap();
    let mut network = lora::attach(network, &config(&["q", "v"], 0.5), 3).unwrap();
    let batch = batch(&network);
    // Two steps give `B` non-zero values, without which dropout changes nothing.
    for _ in 0..2 {
        network = adamw_step(network, &batch, 1e-2).unwrap().0;
    }
    let loss = |seed: u64| {
        device.seed(seed);
        read_values(token_loss(&network, &batch).unwrap()).unwrap()[0]
    };
    assert_eq!(loss(1).to_bits(), loss(1).to_bits());
    assert_ne!(loss(1), loss(2));
    let inference = network.valid();
    assert_eq!(logits(&inference, &batch), logits(&inference, &batch));
}
