//! The run store: atomic writes, status transitions, folders that must never count as done
//! (no `DONE`, a `DONE` that does not match, files changed afterwards), clear errors for corrupt
//! files, scoring real documents into consistent records, and a writer process killed with
//! SIGKILL at arbitrary moments.

#[path = "results/crafted.rs"]
mod crafted;
mod support;

use crafted::{crafted, is_left_new, is_left_partial, study_plan, write_fixture};
use expc::corpus::load_dataset;
use expc::extract::Extractor;
use expc::plan::Run;
use expc::store::{
    LogEvent, Metrics, RunStatus, RunStore, StoreError, Timing, evaluate, write_atomically,
};
use expc::template::render_target;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The first ready run of the fixture plan whose model and task are given.
fn ready_run(model: &str, task: &str) -> Run {
    study_plan()
        .runs
        .into_iter()
        .find(|r| r.model == model && r.task == task && r.blocked.is_empty())
        .expect("the fixture plans this run")
}

/// Writes `run` to the end through `store`.
fn finish(store: &RunStore, run: &Run) {
    let (log, predictions, metrics) = crafted(run);
    let mut writer = store.begin(run).expect("begin");
    for event in &log {
        writer.log(event).expect("log");
    }
    writer.write_predictions(&predictions).expect("predictions");
    writer.finish(metrics).expect("finish");
}

fn temporary_files(folder: &Path) -> Vec<String> {
    fs::read_dir(folder)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".tmp-"))
        .collect()
}

#[test]
fn atomic_writes_replace_whole_files_and_leave_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("metrics.json");
    write_atomically(&path, b"first").expect("write");
    write_atomically(&path, b"second, longer").expect("write");
    assert_eq!(fs::read(&path).expect("read"), b"second, longer");
    assert!(temporary_files(dir.path()).is_empty());
    let error = write_atomically(&dir.path().join("missing/file"), b"x").expect_err("no folder");
    assert!(error.to_string().contains("missing/.tmp-"), "{error}");
}

#[test]
fn status_moves_from_new_through_partial_to_done() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = RunStore::open(dir.path().join("results"));
    let run = ready_run("t5_tiny", "dce");
    let (log, predictions, metrics) = crafted(&run);
    assert_eq!(store.status(&run).expect("status"), RunStatus::New);
    let mut writer = store.begin(&run).expect("begin");
    assert_eq!(store.status(&run).expect("status"), RunStatus::Partial);
    for event in &log {
        writer.log(event).expect("log");
    }
    writer.checkpoint_folder().expect("checkpoint folder");
    writer.write_predictions(&predictions).expect("predictions");
    assert_eq!(store.status(&run).expect("status"), RunStatus::Partial);
    writer.finish(metrics.clone()).expect("finish");
    assert_eq!(store.status(&run).expect("status"), RunStatus::Done);

    let folder = store.folder(&run).expect("folder");
    let names: BTreeSet<String> = fs::read_dir(&folder)
        .expect("run folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let expected = [
        "DONE",
        "checkpoint",
        "log.jsonl",
        "metrics.json",
        "predictions.jsonl",
        "spec.json",
    ];
    assert_eq!(names, expected.iter().map(|s| s.to_string()).collect());
    let logged: Vec<LogEvent> = fs::read_to_string(folder.join("log.jsonl"))
        .expect("log")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a log line"))
        .collect();
    assert_eq!(logged, log);

    let result = store.load(&run).expect("load");
    assert_eq!(result.run, run);
    assert_eq!(result.metrics, metrics);
    assert_eq!(result.predictions, predictions);
    assert!(matches!(
        store.begin(&run),
        Err(StoreError::AlreadyDone { .. })
    ));
    assert_eq!(store.finished_runs().expect("finished runs"), vec![run]);
}

#[test]
fn blocked_runs_are_blocked_until_done_and_the_fixture_has_every_status() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let plan = study_plan();
    write_fixture(dir.path(), &plan);
    let store = RunStore::open(dir.path());
    let mut counts: BTreeMap<RunStatus, usize> = BTreeMap::new();
    for run in &plan.runs {
        let status = store.status(run).expect("status");
        let expected = if !run.blocked.is_empty() {
            RunStatus::Blocked
        } else if is_left_partial(run) {
            RunStatus::Partial
        } else if is_left_new(run) {
            RunStatus::New
        } else {
            RunStatus::Done
        };
        assert_eq!(status, expected, "{} {} {}", run.model, run.task, run.shots);
        *counts.entry(status).or_default() += 1;
    }
    assert_eq!(
        counts,
        BTreeMap::from([
            (RunStatus::Done, 18),
            (RunStatus::Blocked, 4),
            (RunStatus::Partial, 1),
            (RunStatus::New, 1)
        ])
    );
    assert_eq!(store.finished_runs().expect("finished runs").len(), 18);

    // A run that finished stays done when the plan later says blocked.
    let mut now_blocked = plan.runs[0].clone();
    now_blocked.blocked = vec!["checkpoint folder missing".into()];
    assert_eq!(store.status(&now_blocked).expect("status"), RunStatus::Done);
}

#[test]
fn a_folder_without_a_matching_done_is_never_done_and_begin_clears_it() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = RunStore::open(dir.path());
    let run = ready_run("bart_tiny", "cdr");
    finish(&store, &run);
    let folder = store.folder(&run).expect("folder");
    let done = fs::read_to_string(folder.join("DONE")).expect("DONE");

    // No DONE: every other file present.
    fs::remove_file(folder.join("DONE")).expect("remove");
    assert_eq!(store.status(&run).expect("status"), RunStatus::Partial);
    assert!(matches!(store.load(&run), Err(StoreError::NotDone { .. })));

    // A DONE whose hash is not that of metrics.json.
    fs::write(folder.join("DONE"), "0".repeat(64)).expect("write");
    assert_eq!(store.status(&run).expect("status"), RunStatus::Partial);

    // The right DONE, but metrics.json changed (or missing).
    fs::write(folder.join("DONE"), &done).expect("write");
    assert_eq!(store.status(&run).expect("status"), RunStatus::Done);
    let metrics = fs::read_to_string(folder.join("metrics.json")).expect("metrics");
    fs::write(folder.join("metrics.json"), metrics.replace("60.0", "61.0")).expect("write");
    assert_eq!(store.status(&run).expect("status"), RunStatus::Partial);
    fs::remove_file(folder.join("metrics.json")).expect("remove");
    assert_eq!(store.status(&run).expect("status"), RunStatus::Partial);

    // begin clears what is left (stale DONE, temporary files, checkpoint) and the run finishes.
    fs::write(folder.join(".tmp-1-metrics.json"), "{").expect("write");
    fs::create_dir_all(folder.join("checkpoint/step-1")).expect("checkpoint");
    fs::write(folder.join("notes.txt"), "mine").expect("write");
    let writer = store.begin(&run).expect("begin");
    assert!(!folder.join("DONE").exists());
    assert!(!folder.join("predictions.jsonl").exists());
    assert!(!folder.join("checkpoint").exists());
    assert!(temporary_files(&folder).is_empty());
    assert!(
        folder.join("notes.txt").exists(),
        "files the store did not write are kept"
    );
    drop(writer);
    assert_eq!(store.status(&run).expect("status"), RunStatus::Partial);
    finish(&store, &run);
    assert_eq!(store.status(&run).expect("status"), RunStatus::Done);
}

#[test]
fn finish_refuses_metrics_that_are_not_those_of_the_predictions() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = RunStore::open(dir.path());
    let run = ready_run("gpt2_tiny", "dce");
    let (_, predictions, metrics) = crafted(&run);

    let writer = store.begin(&run).expect("begin");
    let error = writer.finish(metrics.clone()).expect_err("no predictions");
    assert_eq!(
        error.to_string(),
        format!("run {} cannot finish: no predictions were written", run.id)
    );

    let mut writer = store.begin(&run).expect("begin again");
    writer
        .write_predictions(&predictions[1..])
        .expect("predictions");
    let error = writer
        .finish(metrics.clone())
        .expect_err("a document short");
    assert!(
        error
            .to_string()
            .ends_with("strict scores count 12 documents, the predictions 11"),
        "{error}"
    );

    let mut writer = store.begin(&run).expect("begin again");
    writer.write_predictions(&predictions).expect("predictions");
    let mut wrong = metrics.clone();
    wrong.paper = metrics.strict.clone();
    wrong.paper.mode = expc::score::CountingMode::Paper;
    let error = writer.finish(wrong).expect_err("paper counts differ");
    assert!(error.to_string().contains("paper micro counts"), "{error}");
    assert_eq!(store.status(&run).expect("status"), RunStatus::Partial);
}

#[test]
fn corrupt_files_of_a_done_run_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = RunStore::open(dir.path());
    let run = ready_run("t5_tiny", "cdr");
    let folder = store.folder(&run).expect("folder");
    let load_error = |edit: &dyn Fn()| {
        finish_again(&store, &run);
        edit();
        store.load(&run).expect_err("corrupt").to_string()
    };
    let metrics_edit = |from: &str, to: &str| {
        let path = folder.join("metrics.json");
        let text = fs::read_to_string(&path)
            .expect("metrics")
            .replacen(from, to, 1);
        fs::write(&path, &text).expect("write");
        let hash = blake3::hash(text.as_bytes()).to_hex().to_string();
        fs::write(folder.join("DONE"), format!("{hash}\n")).expect("write");
    };

    let error = load_error(&|| {
        let path = folder.join("predictions.jsonl");
        let text = fs::read_to_string(&path).expect("predictions");
        fs::write(&path, text.replacen("cdr-01", "cdr-99", 1)).expect("write");
    });
    assert!(
        error.ends_with(
            "predictions.jsonl: changed after the run finished (its blake3 differs from metrics.json's record)"
        ),
        "{error}"
    );

    let error = load_error(&|| metrics_edit("\"format_version\": 1", "\"format_version\": 9"));
    assert!(
        error.ends_with(
            "metrics.json: results format version 9 is not supported (this expc reads version 1)"
        ),
        "{error}"
    );

    let error = load_error(&|| metrics_edit("\"strict\": {", "\"strict\": {\"x\": "));
    assert!(error.contains("metrics.json: "), "{error}");

    let error = load_error(&|| fs::write(folder.join("spec.json"), "{}").expect("write"));
    assert!(error.contains("spec.json: missing field"), "{error}");

    // A predictions file rewritten consistently with metrics.json but broken on line 3.
    let error = load_error(&|| {
        let path = folder.join("predictions.jsonl");
        let mut lines: Vec<String> = fs::read_to_string(&path)
            .expect("predictions")
            .lines()
            .map(str::to_owned)
            .collect();
        lines[2] = "{\"id\": 3}".into();
        let text = format!("{}\n", lines.join("\n"));
        fs::write(&path, &text).expect("write");
        let hash = blake3::hash(text.as_bytes()).to_hex().to_string();
        let metrics = fs::read_to_string(folder.join("metrics.json")).expect("metrics");
        let value: serde_json::Value = serde_json::from_str(&metrics).expect("json");
        let old = value["predictions_blake3"]
            .as_str()
            .expect("hash")
            .to_owned();
        metrics_edit(&old, &hash);
    });
    assert!(error.contains("predictions.jsonl:3: "), "{error}");
}

/// Clears `run`'s folder and writes it to the end again.
fn finish_again(store: &RunStore, run: &Run) {
    if let Ok(folder) = store.folder(run) {
        let _ = fs::remove_dir_all(folder);
    }
    finish(store, run);
}

#[test]
fn invalid_run_ids_name_no_folder() {
    let store = RunStore::open("results");
    let mut run = ready_run("t5_tiny", "cdr");
    run.id = "../../etc".into();
    assert_eq!(
        store.status(&run).expect_err("invalid").to_string(),
        "`../../etc` is not a run id (64 lowercase hexadecimal digits)"
    );
}

#[test]
fn a_shared_results_folder_serves_every_study_with_the_run() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let shared = RunStore::open(dir.path().join("shared"));
    let run = ready_run("flan_t5_tiny", "cdr");
    finish(&shared, &run);
    // Another study declares the same run under other names and tags: same id, same result.
    let mut other = run.clone();
    other.model = "flan_small".into();
    other.spec.model = other.spec.model.with(|model| {
        model.tags.insert("name".into(), "Flan".into());
    });
    assert_eq!(other.derive_id(), run.id);
    assert_eq!(shared.status(&other).expect("status"), RunStatus::Done);
    assert_eq!(shared.load(&other).expect("load").run, run);
}

#[test]
fn evaluate_scores_real_documents_into_records_that_agree_with_the_scores() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = RunStore::open(dir.path());
    let run = ready_run("t5_tiny", "dce");
    let spec = &run.spec.template;
    let extractor = Extractor::derive(spec).expect("extractor");
    let test = load_dataset(&run.spec.dataset.spec).expect("dataset").test;
    assert!(!test.is_empty());
    // Perfect output for the first document, nothing for the others.
    let generated = BTreeMap::from([(
        test[0].id.clone(),
        render_target(spec, &test[0]).expect("target"),
    )]);
    let evaluation = evaluate(spec, &extractor, &test, &generated).expect("evaluate");
    assert_eq!(evaluation.predictions.len(), test.len());
    let first = &evaluation.predictions[0];
    assert_eq!(first.extracted.len(), first.gold.len());
    assert_eq!(first.counts.strict.true_positives, first.gold.len());
    assert_eq!(
        evaluation.strict.documents_without_prediction,
        test.len() - 1
    );
    assert_eq!(
        evaluation.strict.micro.counts(),
        evaluation.predictions.iter().map(|p| p.counts.strict).sum()
    );
    let scored = expc::score::score(
        spec,
        &extractor,
        &test,
        &generated,
        expc::score::CountingMode::Paper,
    )
    .expect("score");
    assert_eq!(evaluation.paper, scored);

    let mut writer = store.begin(&run).expect("begin");
    writer
        .write_predictions(&evaluation.predictions)
        .expect("predictions");
    let metrics = Metrics {
        strict: evaluation.strict,
        paper: evaluation.paper,
        timing: Timing {
            training_seconds: 1.0,
            generation_seconds: 2.0,
        },
    };
    writer.finish(metrics.clone()).expect("finish");
    assert_eq!(store.load(&run).expect("load").metrics, metrics);
}

/// The environment variable that makes [`child_writes_runs_until_killed`] the writer process.
const CHILD_RESULTS: &str = "EXPC_STORE_TEST_CHILD_RESULTS";

/// The child process of [`a_writer_killed_at_any_moment_never_leaves_a_done_run_behind`]; does
/// nothing unless that test starts it. Writes every ready run of the fixture, round after
/// round, into a fresh folder per round, printing each run it finishes.
#[test]
fn child_writes_runs_until_killed() {
    let Some(folder) = std::env::var_os(CHILD_RESULTS) else {
        return;
    };
    let plan = study_plan();
    for round in 0..100 {
        let store = RunStore::open(Path::new(&folder).join(format!("round-{round}")));
        for run in plan.runs.iter().filter(|r| r.blocked.is_empty()) {
            finish(&store, run);
            println!("finished round-{round} {}", run.id);
        }
    }
}

#[test]
fn a_writer_killed_at_any_moment_never_leaves_a_done_run_behind() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let plan = study_plan();
    let ready: Vec<&Run> = plan.runs.iter().filter(|r| r.blocked.is_empty()).collect();
    let (mut done, mut partial) = (0, 0);
    for trial in 0..6u64 {
        let results = dir.path().join(format!("trial-{trial}"));
        let mut child = Command::new(std::env::current_exe().expect("test executable"))
            .args([
                "--exact",
                "child_writes_runs_until_killed",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_RESULTS, &results)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the test executable starts");
        std::thread::sleep(Duration::from_millis(60 + 70 * trial));
        child.kill().expect("SIGKILL");
        let output = child.wait_with_output().expect("the child ends");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let finished: BTreeSet<&str> = stdout
            .lines()
            .filter_map(|line| line.strip_prefix("finished "))
            .collect();
        let Ok(rounds) = fs::read_dir(&results) else {
            continue; // killed before its first run began
        };
        for round in rounds {
            let round = round.expect("round folder");
            let name = round.file_name().to_string_lossy().into_owned();
            let store = RunStore::open(round.path());
            for run in &ready {
                match store.status(run).expect("status") {
                    RunStatus::Done => {
                        done += 1;
                        let result = store.load(run).expect("a done run loads");
                        let (_, predictions, metrics) = crafted(run);
                        assert_eq!(result.metrics, metrics);
                        assert_eq!(result.predictions, predictions);
                    }
                    RunStatus::Partial => {
                        partial += 1;
                        assert!(
                            !finished.contains(format!("{name} {}", run.id).as_str()),
                            "a run whose finish returned is done"
                        );
                        // A later invocation resumes it from scratch.
                        finish(&store, run);
                        assert_eq!(store.status(run).expect("status"), RunStatus::Done);
                        let folder = store.folder(run).expect("folder");
                        assert!(temporary_files(&folder).is_empty());
                    }
                    RunStatus::New => {}
                    RunStatus::Blocked => panic!("ready runs are never blocked"),
                }
            }
        }
    }
    assert!(
        done > 0,
        "no run finished before a kill: the test proves nothing"
    );
    assert!(
        partial > 0,
        "no kill hit a run mid-way: the test proves nothing"
    );
}
