//! `expc run` on models built from scratch (`init { … }`): the starting checkpoint is written
//! once per model, dataset and template and shared by its runs, training learns, and two
//! invocations agree bit for bit.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::root;

fn study() -> PathBuf {
    root().join("tests/run/scratch.exp")
}

fn run(results: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_expc"))
        .args([
            "run",
            study().to_str().expect("utf-8 path"),
            "--backend",
            "cpu",
        ])
        .args([
            "--results",
            results.to_str().expect("utf-8 path"),
            "--quiet",
        ])
        .env_remove("EXPC_DATA")
        .env_remove("EXPC_MODELS")
        .env("NO_COLOR", "1")
        .output()
        .expect("expc runs")
}

/// Run folders (named by id) and the starting checkpoints under `initial/`.
fn folders(results: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let list = |path: &Path| -> Vec<PathBuf> {
        let mut entries: Vec<PathBuf> = fs::read_dir(path)
            .expect("folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        entries
    };
    let runs = list(results)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "initial"))
        .collect();
    (runs, list(&results.join("initial")))
}

fn step_losses(run: &Path) -> Vec<f64> {
    fs::read_to_string(run.join("log.jsonl"))
        .expect("log")
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("json"))
        .filter(|event| event["event"] == "step")
        .map(|event| event["loss"].as_f64().expect("loss"))
        .collect()
}

#[test]
fn scratch_models_train_from_one_shared_start_and_repeat_bit_for_bit() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    for results in [&first, &second] {
        let output = run(results);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (runs, initial) = folders(&first);
    assert_eq!(runs.len(), 4, "{runs:?}");
    // One starting checkpoint per model: few-shot and full runs share it.
    assert_eq!(initial.len(), 2, "{initial:?}");
    for folder in &initial {
        for file in ["config.json", "tokenizer.json", "model.safetensors"] {
            assert!(folder.join(file).is_file(), "{}", folder.display());
        }
        let name = folder.file_name().expect("name");
        let again = second.join("initial").join(name);
        assert_eq!(
            fs::read(folder.join("model.safetensors")).expect("weights"),
            fs::read(again.join("model.safetensors")).expect("weights"),
        );
    }
    for run in &runs {
        let id = run.file_name().expect("id");
        let other = second.join(id);
        for file in ["predictions.jsonl", "metrics.json"] {
            let (a, b) = (fs::read(run.join(file)), fs::read(other.join(file)));
            if file == "metrics.json" {
                // Timings differ; scores must not.
                let scores = |bytes: Vec<u8>| {
                    let mut value: serde_json::Value =
                        serde_json::from_slice(&bytes).expect("metrics json");
                    value.as_object_mut().expect("object").remove("timing");
                    value
                };
                assert_eq!(scores(a.expect("a")), scores(b.expect("b")));
            } else {
                assert_eq!(a.expect("a"), b.expect("b"), "{}", run.display());
            }
        }
        let losses = step_losses(run);
        assert_eq!(losses, step_losses(&other));
        assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
    }
    // The full-data runs take several steps; training lowers the loss.
    let longest = runs
        .iter()
        .map(|r| step_losses(r))
        .max_by_key(Vec::len)
        .expect("runs");
    assert!(longest.len() >= 6, "{longest:?}");
    let third = longest.len() / 3;
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len() as f64;
    assert!(
        mean(&longest[longest.len() - third..]) < mean(&longest[..third]),
        "{longest:?}"
    );
}
