//! `expc run` with LoRA on the tiny checkpoints: runs finish, are reproducible bit for bit
//! (dropout included), and keep a merged Hugging Face folder that the plain loader reads and a
//! PEFT adapter folder that gives the same logits over the original checkpoint.

mod support;

use expc::check::{CheckOptions, check};
use expc::model::lora::load_adapters;
use expc::model::weights::read_values;
use expc::model::{Checkpoint, Network, TokenBatch};
use expc::plan::{self, Run, Weights};
use expc::run::ADAPTER_FOLDER;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::root;

fn study() -> PathBuf {
    root().join("tests/run/lora.exp")
}

fn run(results: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_expc"))
        .args([
            "run",
            study().to_str().expect("utf-8"),
            "--backend",
            "cpu",
            "--keep-checkpoints",
            "--results",
            results.to_str().expect("utf-8"),
        ])
        .env_remove("EXPC_DATA")
        .env_remove("EXPC_MODELS")
        .env("BURN_DEVICE", "flex")
        .env("NO_COLOR", "1")
        .output()
        .expect("expc runs")
}

fn runs() -> Vec<Run> {
    let checked = check(&study(), &CheckOptions::default());
    plan::build(
        &checked.study.expect("the study checks"),
        Default::default(),
    )
    .runs
}

fn logits(network: &Network) -> Vec<f32> {
    let inputs = TokenBatch::pad(&[vec![5, 6, 7, 8], vec![9, 10]], 1, false);
    let decoder = vec![vec![0, 11, 12], vec![0, 13, 14]];
    let decoder = network.is_encoder_decoder().then_some(decoder.as_slice());
    read_values(network.forward(&inputs, decoder).unwrap().logits).unwrap()
}

#[test]
fn lora_runs_are_reproducible_and_export_merged_weights_and_adapters() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    for results in [&first, &second] {
        let output = run(results);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(stderr.contains("parameters trainable"), "{stderr}");
    }
    let runs = runs();
    assert_eq!(runs.len(), 4);
    for run in &runs {
        let read = |results: &Path, name: &str| {
            std::fs::read(results.join(&run.id).join(name)).expect("run file")
        };
        assert_eq!(
            read(&first, "predictions.jsonl"),
            read(&second, "predictions.jsonl")
        );
        let losses = |results: &Path| -> Vec<f64> {
            String::from_utf8(read(results, "log.jsonl"))
                .expect("utf-8")
                .lines()
                .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("json"))
                .filter(|event| event["event"] == "step")
                .map(|event| event["loss"].as_f64().expect("loss"))
                .collect()
        };
        assert_eq!(losses(&first), losses(&second), "{}", run.model);
        assert_eq!(losses(&first).len(), 4, "4 documents, batch 2, 2 epochs");

        let folder = first.join(&run.id).join("checkpoint");
        let merged = Checkpoint::open(&folder)
            .and_then(|c| c.network(&burn::tensor::Device::flex()))
            .expect("the merged folder loads with the plain loader");
        let Weights::Checkpoint(checkpoint) = &run.spec.model.weights else {
            panic!("{}: the lora study finetunes checkpoints", run.model)
        };
        let original = Checkpoint::open(checkpoint).expect("checkpoint");
        let base = original.network(&burn::tensor::Device::flex()).unwrap();
        let (adapted, config) = load_adapters(base, &folder.join(ADAPTER_FOLDER)).unwrap();
        assert_eq!(config.rank, 4);
        let (merged, adapted) = (logits(&merged), logits(&adapted));
        let plain = logits(&original.network(&burn::tensor::Device::flex()).unwrap());
        let diff = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max)
        };
        assert!(
            diff(&merged, &adapted) <= 1e-5,
            "{}",
            diff(&merged, &adapted)
        );
        assert!(diff(&merged, &plain) > 1e-4, "the adapters trained");
    }
}

#[test]
fn the_llama_lora_example_checks_and_plans_blocked_runs() {
    let checked = check(
        &root().join("experiments/llama_lora.exp"),
        &CheckOptions::default(),
    );
    let study = checked.study.expect("the example checks");
    let runs = plan::build(&study, Default::default()).runs;
    assert_eq!(runs.len(), 9);
    for run in &runs {
        let training = &run.spec.training;
        let lora = training.lora.as_ref().expect("lora");
        assert_eq!((lora.rank, lora.targets.len()), (16, 7));
        assert_eq!(training.precision.to_string(), "bf16");
        assert!(
            run.blocked.iter().any(|why| why.contains("Llama-2-7b-hf")),
            "{:?}",
            run.blocked
        );
    }
}
