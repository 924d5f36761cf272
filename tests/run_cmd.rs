//! `expc run` end to end on the tiny checkpoints and the committed DCE excerpt: finished runs
//! in the store and the report, bit-for-bit reproducibility, best-validation selection, resume
//! after SIGKILL, filters, dry runs, stale saved plans, blocked and failing runs.

mod support;

use expc::check::{CheckOptions, check};
use expc::plan::{self, Plan, PlanOptions, Run};
use expc::store::{RunStatus, RunStore};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::root;

/// The two ready models of the fixture study.
const READY: &str = "model=t5_tiny,model=gpt2_tiny";

fn study() -> PathBuf {
    root().join("tests/run/study.exp")
}

/// `expc ARGS` on the CPU backend with the study's own roots (the caller's `EXPC_DATA` and
/// `EXPC_MODELS` would otherwise replace them).
fn expc(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_expc"));
    command
        .args(args)
        .env_remove("EXPC_DATA")
        .env_remove("EXPC_MODELS")
        .env("BURN_DEVICE", "flex")
        .env("NO_COLOR", "1");
    command
}

/// Runs `expc run STUDY --backend cpu --results RESULTS ARGS…`.
fn run(results: &Path, args: &[&str]) -> Output {
    let study = study();
    let mut all = vec![
        "run",
        study.to_str().expect("utf-8 path"),
        "--backend",
        "cpu",
        "--results",
        results.to_str().expect("utf-8 path"),
    ];
    all.extend_from_slice(args);
    expc(&all).output().expect("expc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn fixture_plan() -> Plan {
    let checked = check(&study(), &CheckOptions::default());
    plan::build(
        &checked.study.expect("the study checks"),
        PlanOptions::default(),
    )
}

fn ready_runs(plan: &Plan) -> Vec<&Run> {
    plan.runs.iter().filter(|r| r.blocked.is_empty()).collect()
}

/// The losses of the `step` events of a run's log.
fn step_losses(results: &Path, run: &Run) -> Vec<f64> {
    let log = fs::read_to_string(results.join(&run.id).join("log.jsonl")).expect("log");
    log.lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("json"))
        .filter(|event| event["event"] == "step")
        .map(|event| event["loss"].as_f64().expect("loss"))
        .collect()
}

#[test]
fn ready_runs_finish_and_are_reported_then_cached() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let results = dir.path().join("results");
    let output = run(&results, &["--only", READY, "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = fixture_plan();
    let store = RunStore::open(&results);
    for run in ready_runs(&plan) {
        assert_eq!(
            store.status(run).expect("status"),
            RunStatus::Done,
            "{}",
            run.model
        );
        let result = store.load(run).expect("a finished run loads");
        assert_eq!(result.predictions.len(), 2);
        assert!(!step_losses(&results, run).is_empty());
    }
    let report = expc(&[
        "report",
        study().to_str().expect("utf-8"),
        "--results",
        results.to_str().expect("utf-8"),
    ])
    .output()
    .expect("report runs");
    let text = String::from_utf8_lossy(&report.stdout);
    assert!(
        text.contains("t5_tiny") && text.contains("gpt2_tiny"),
        "{text}"
    );
    assert!(text.contains("0.0 ± 0.0"), "{text}");

    let again = run(&results, &["--only", READY]);
    assert!(again.status.success());
    assert_eq!(
        stderr(&again).matches("cached ").count(),
        6,
        "{}",
        stderr(&again)
    );
}

#[test]
fn two_invocations_give_identical_results_bit_for_bit() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    for results in [&first, &second] {
        let output = run(
            results,
            &["--only", READY, "--only", "shots=full", "--quiet"],
        );
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let plan = fixture_plan();
    let runs: Vec<&Run> = ready_runs(&plan)
        .into_iter()
        .filter(|r| r.shots.to_string() == "full")
        .collect();
    assert_eq!(runs.len(), 2);
    for run in runs {
        let read = |results: &Path, name: &str| {
            fs::read(results.join(&run.id).join(name)).expect("run file")
        };
        assert_eq!(
            read(&first, "predictions.jsonl"),
            read(&second, "predictions.jsonl")
        );
        let store = |results: &Path| RunStore::open(results).load(run).expect("load");
        let (a, b) = (store(&first), store(&second));
        assert_eq!(a.metrics.strict, b.metrics.strict);
        assert_eq!(a.metrics.paper, b.metrics.paper);
        let losses = step_losses(&first, run);
        assert_eq!(losses, step_losses(&second, run));
        assert_eq!(losses.len(), 4, "5 documents, batch 2 × 2, 2 epochs");
    }
}

#[test]
fn best_validation_keeps_the_best_logged_epoch() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let results = dir.path().join("results");
    let output = run(&results, &["--only", "model=gpt2_tiny,shots=full"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = fixture_plan();
    let run = plan
        .runs
        .iter()
        .find(|r| r.model == "gpt2_tiny" && r.shots.to_string() == "full")
        .expect("planned");
    let log = fs::read_to_string(results.join(&run.id).join("log.jsonl")).expect("log");
    let scores: Vec<(u64, f64)> = log
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("json"))
        .filter(|event| event["event"] == "validation")
        .map(|event| {
            (
                event["epoch"].as_u64().expect("epoch"),
                event["f1"].as_f64().expect("f1"),
            )
        })
        .collect();
    assert_eq!(scores.iter().map(|s| s.0).collect::<Vec<_>>(), vec![1, 2]);
    let best = scores
        .iter()
        .fold(scores[0], |best, &s| if s.1 > best.1 { s } else { best });
    let text = stderr(&output);
    assert!(
        text.contains(&format!("(epoch {};", best.0)),
        "best epoch {best:?} not selected: {text}"
    );
}

#[test]
fn a_run_killed_with_sigkill_resumes_finished_runs_cached_and_redoes_the_rest() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let results = dir.path().join("results");
    let study = study();
    let mut child = expc(&[
        "run",
        study.to_str().expect("utf-8"),
        "--backend",
        "cpu",
        "--results",
        results.to_str().expect("utf-8"),
        "--only",
        READY,
        "--quiet",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("expc starts");
    let plan = fixture_plan();
    let store = RunStore::open(&results);
    let ready = ready_runs(&plan);
    let done_count = || {
        ready
            .iter()
            .filter(|r| store.status(r).ok() == Some(RunStatus::Done))
            .count()
    };
    let started = Instant::now();
    while done_count() == 0 && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let finished_before = done_count();
    assert!(finished_before >= 1);
    assert!(
        finished_before < ready.len(),
        "every run finished before the kill"
    );

    let output = run(&results, &["--only", READY, "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output).matches("cached ").count(),
        finished_before,
        "{}",
        stderr(&output)
    );
    assert_eq!(done_count(), ready.len());
}

#[test]
fn only_and_dry_run_list_the_selected_runs_without_running_them() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let results = dir.path().join("results");
    let output = run(
        &results,
        &["--dry-run", "--only", "model=t5_tiny", "--only", "seed=1"],
    );
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("1 run: 0 done, 0 partial, 1 new, 0 blocked"),
        "{text}"
    );
    assert!(
        text.contains("t5_tiny") && !text.contains("gpt2_tiny"),
        "{text}"
    );
    assert!(!results.exists(), "a dry run writes nothing");

    let bad = run(&results, &["--only", "size=big"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("unknown filter key `size`"));
}

#[test]
fn blocked_runs_are_refused_and_a_failing_run_does_not_stop_the_others() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let models = dir.path().join("models");
    for name in ["t5-tiny", "gpt2-tiny"] {
        fs::create_dir_all(models.join(name)).expect("folder");
        for entry in fs::read_dir(root().join("tests/models").join(name)).expect("fixture") {
            let entry = entry.expect("entry");
            fs::copy(entry.path(), models.join(name).join(entry.file_name())).expect("copy");
        }
    }
    fs::write(models.join("t5-tiny/model.safetensors"), b"not safetensors").expect("corrupt");
    let results = dir.path().join("results");
    let model_root = models.to_str().expect("utf-8");
    let output = run(
        &results,
        &["--only", "shots=full", "--model-root", model_root],
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("failed ") && text.contains("t5_tiny / dce / full"),
        "{text}"
    );
    assert!(
        text.contains("done ") && text.contains("gpt2_tiny / dce / full"),
        "{text}"
    );
    assert!(
        text.contains("refused ") && text.contains("blocked: checkpoint folder missing"),
        "{text}"
    );
    assert!(text.contains("1 finished, 0 cached, 2 failed"), "{text}");

    let other = dir.path().join("fail-fast");
    let output = run(
        &other,
        &[
            "--only",
            "shots=full",
            "--model-root",
            model_root,
            "--fail-fast",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("0 finished, 0 cached, 1 failed"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_saved_plan_whose_inputs_changed_is_refused_as_stale() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path().join("data/dce");
    fs::create_dir_all(data.join("paper_split")).expect("folder");
    for name in [
        "final_train_set.jsonl",
        "final_test_set.jsonl",
        "paper_split/valid_doc_ids.txt",
    ] {
        fs::copy(root().join("tests/data/dce").join(name), data.join(name)).expect("copy");
    }
    let data_root = dir.path().join("data");
    let data_root = data_root.to_str().expect("utf-8");
    let saved = dir.path().join("plan.json");
    let planned = expc(&[
        "plan",
        study().to_str().expect("utf-8"),
        "--data-root",
        data_root,
        "-o",
        saved.to_str().expect("utf-8"),
    ])
    .output()
    .expect("plan runs");
    assert!(planned.status.success(), "{}", stderr(&planned));
    let results = dir.path().join("results");
    let dry_run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            saved.to_str().expect("utf-8"),
            "--dry-run",
            "--data-root",
            data_root,
            "--results",
            results.to_str().expect("utf-8"),
        ];
        args.extend_from_slice(extra);
        expc(&args).output().expect("expc runs")
    };
    assert!(dry_run(&[]).status.success(), "{}", stderr(&dry_run(&[])));

    let test = data.join("final_test_set.jsonl");
    let text = fs::read_to_string(&test).expect("test split");
    fs::write(
        &test,
        text.lines()
            .next()
            .map(|l| format!("{l}\n"))
            .unwrap_or_default(),
    )
    .expect("edit");
    let refused = dry_run(&[]);
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert!(message.contains("is stale: 7 of its 7 runs"), "{message}");
    assert!(
        message.contains("t5_tiny / dce / 4 / seed 0  (now "),
        "{message}"
    );
}

#[test]
fn keep_checkpoints_saves_a_loadable_hugging_face_folder() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let results = dir.path().join("results");
    let only = "model=t5_tiny,shots=4,seed=0";
    let output = run(&results, &["--only", only, "--keep-checkpoints", "--quiet"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = fixture_plan();
    let run = plan
        .runs
        .iter()
        .find(|r| r.model == "t5_tiny" && r.shots.to_string() == "4" && r.seed == 0)
        .expect("planned");
    let folder = results.join(&run.id).join("checkpoint");
    let inspect = expc(&["model", "inspect", folder.to_str().expect("utf-8")])
        .output()
        .expect("inspect runs");
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    assert_eq!(
        RunStore::open(&results).status(run).expect("status"),
        RunStatus::Done
    );
}
