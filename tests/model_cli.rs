//! `expc model verify` and `expc model inspect` as a user runs them: exit codes and reports.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/models")
        .join(name)
}

fn expc(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_expc"))
        .args(args)
        .env("BURN_DEVICE", "flex")
        .output()
        .expect("expc runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

#[test]
fn verify_passes_and_reports_json() {
    let dir = fixture("gpt2-tiny");
    let (code, output) = expc(&[
        "model",
        "verify",
        dir.to_str().unwrap(),
        "--backend",
        "cpu",
        "--json",
    ]);
    assert_eq!(code, 0, "{output}");
    let report: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["backend"], "cpu");
    assert_eq!(report["checks"].as_array().unwrap().len(), 11);
}

#[test]
fn verify_names_the_failing_check() {
    let dir = fixture("t5-tiny");
    let mut reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap())
            .unwrap();
    reference["float64"]["loss"] = serde_json::json!(1.0);
    let tampered = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tampered.path(), reference.to_string()).unwrap();
    let (code, output) = expc(&[
        "model",
        "verify",
        dir.to_str().unwrap(),
        "--reference",
        tampered.path().to_str().unwrap(),
        "--backend",
        "cpu",
    ]);
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("FAIL loss"), "{output}");
    assert!(output.contains("failed: loss"), "{output}");
}

#[test]
fn inspect_lists_family_and_tensors() {
    let dir = fixture("bart-tiny");
    let (code, output) = expc(&["model", "inspect", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("family:     bart"), "{output}");
    assert!(
        output.contains("final_logits_bias [1, 500] F32"),
        "{output}"
    );
}

#[test]
fn verify_of_a_broken_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, output) = expc(&[
        "model",
        "verify",
        dir.path().to_str().unwrap(),
        "--backend",
        "cpu",
    ]);
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("config.json"), "{output}");
}

#[test]
fn verify_of_biogpt_checks_its_moses_bpe_tokenizer_and_passes() {
    let dir = fixture("biogpt-tiny");
    let (code, output) = expc(&["model", "verify", dir.to_str().unwrap(), "--backend", "cpu"]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("ok   tokenizer"), "{output}");
    assert!(output.contains("all 11 checks passed"), "{output}");
    let (code, output) = expc(&["model", "inspect", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("family:     biogpt"), "{output}");
    assert!(output.contains("tokenizer:  "), "{output}");
}
