//! The command line as a user sees it: `--help`, `plan`, `diff` and `explain` outputs and exit
//! codes, snapshot-tested with paths and hashes redacted.

mod support;

use std::path::Path;
use support::{Output, root};

/// Runs expc with the committed fixture models and corpus excerpts as roots.
fn expc(args: &[&str], cwd: &Path) -> Output {
    support::expc(
        args,
        cwd,
        &[
            ("EXPC_MODELS", &root().join("tests/fixtures/models")),
            ("EXPC_DATA", &root().join("tests/data")),
        ],
    )
}

fn settings() -> insta::Settings {
    let mut settings = support::snapshot_settings();
    settings.add_filter(r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]");
    settings.add_filter(&root().display().to_string(), "[ROOT]");
    settings.add_filter(r"\b[0-9a-f]{12}\b", "[ID]");
    settings
}

fn show(output: &Output) -> String {
    output.show()
}

#[test]
fn help() {
    settings().bind(|| {
        insta::assert_snapshot!("cli_help", show(&expc(&["--help"], &root())));
        insta::assert_snapshot!("cli_plan_help", show(&expc(&["plan", "--help"], &root())));
        insta::assert_snapshot!("cli_diff_help", show(&expc(&["diff", "--help"], &root())));
    });
}

#[test]
fn plan() {
    let output = expc(&["plan", "tests/fixtures/grid.exp"], &root());
    assert_eq!(output.code, 0);
    settings().bind(|| insta::assert_snapshot!("cli_plan", show(&output)));
}

#[test]
fn plan_json_round_trips_through_diff() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let saved = dir.path().join("plan.json");
    let saved_arg = saved.display().to_string();
    assert_eq!(
        expc(
            &["plan", "tests/fixtures/grid.exp", "-o", &saved_arg],
            &root()
        )
        .code,
        0
    );
    let same = expc(&["diff", &saved_arg, "tests/fixtures/grid.exp"], &root());
    assert_eq!(same.code, 0, "{}", show(&same));
    assert!(
        same.stdout
            .contains("0 to add, 0 to change, 0 to remove, 17 unchanged.")
    );
}

/// Copies the `grid` fixture (with the files it reads) into a fresh folder, editing its text.
fn edited_grid_copy(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let study = dir.path().join("a/b");
    std::fs::create_dir_all(study.join("zoo")).expect("folders");
    std::fs::create_dir_all(dir.path().join("templates")).expect("folders");
    let grid = std::fs::read_to_string(root().join("tests/fixtures/grid.exp")).expect("fixture");
    std::fs::write(study.join("grid.exp"), edit(grid)).expect("write");
    std::fs::copy(
        root().join("tests/fixtures/zoo/models.exp"),
        study.join("zoo/models.exp"),
    )
    .expect("copy");
    std::fs::copy(
        root().join("templates/cdr_source.j2"),
        dir.path().join("templates/cdr_source.j2"),
    )
    .expect("copy");
    dir
}

#[test]
fn diff_names_the_changed_field_on_exactly_the_affected_runs() {
    let copy =
        edited_grid_copy(|text| text.replace("learning_rate = 1e-4", "learning_rate = 2e-4"));
    let edited = copy.path().join("a/b/grid.exp").display().to_string();
    let output = expc(&["diff", "tests/fixtures/grid.exp", &edited], &root());
    assert_eq!(output.code, 2, "{}", show(&output));
    // The `when` clause pins seed 1 of the 2-shot `tiny` runs at 3e-4: those two keep their ids.
    assert!(
        output
            .stdout
            .contains("0 to add, 15 to change, 0 to remove, 2 unchanged."),
        "{}",
        output.stdout
    );
    assert_eq!(
        output
            .stdout
            .matches("training.learning_rate: 0.0001 → 0.0002")
            .count(),
        15
    );
    settings().bind(|| insta::assert_snapshot!("cli_diff", show(&output)));

    let json = expc(
        &["diff", "tests/fixtures/grid.exp", &edited, "--json"],
        &root(),
    );
    assert_eq!(json.code, 2);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).expect("diff JSON");
    assert_eq!(value["format_version"], 1);
    assert_eq!(value["diff"]["changed"].as_array().map(Vec::len), Some(15));
}

#[test]
fn cosmetic_edits_diff_to_nothing() {
    let copy = edited_grid_copy(|text| {
        format!(
            "// a new comment\n\n{}",
            text.replace("  epochs = 2\n", "  epochs   =   2 // two\n")
        )
    });
    let edited = copy.path().join("a/b/grid.exp").display().to_string();
    let output = expc(&["diff", "tests/fixtures/grid.exp", &edited], &root());
    assert_eq!(output.code, 0, "{}", show(&output));
}

#[test]
fn diff_of_a_broken_study_is_an_error() {
    let output = expc(
        &[
            "diff",
            "tests/fixtures/grid.exp",
            "tests/fixtures/err_unknown_model.exp",
        ],
        &root(),
    );
    assert_eq!(output.code, 1);
    assert!(output.stderr.contains("error[E0009]"));
}

#[test]
fn explain() {
    let output = expc(&["explain", "E0009"], &root());
    assert_eq!(output.code, 0);
    assert!(output.stdout.starts_with("E0009: unknown reference"));
    assert!(output.stdout.contains("Why:"));
    assert_eq!(expc(&["explain", "E9999"], &root()).code, 1);
}

#[test]
fn check_exit_codes() {
    assert_eq!(expc(&["check", "tests/fixtures/grid.exp"], &root()).code, 0);
    assert_eq!(
        expc(&["check", "tests/fixtures/err_unknown_model.exp"], &root()).code,
        1
    );
    assert_eq!(
        expc(&["check", "tests/fixtures/no_such_file.exp"], &root()).code,
        1
    );
}
