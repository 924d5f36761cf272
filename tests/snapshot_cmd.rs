//! `expc snapshot` on a temporary copy of a small study over the committed corpus excerpts:
//! pending `.snap.new` files, `--accept`, `--check` diffs that show exactly what changed, and
//! template examples checked by `expc check`.

mod support;

use std::path::Path;
use support::{Output, root};

/// A DCE study with a multi-line source template and examples of malformed outputs.
const STUDY: &str = r#"// A small study for snapshot tests.
model tiny { family = "t5", checkpoint = "t5-tiny" }

dataset dce {
  format = "dce-jsonl"
  train = "dce/final_train_set.jsonl"
  validation = { ids = "dce/paper_split/valid_doc_ids.txt" }
  test = "dce/final_test_set.jsonl"
}

template dce_paper {
  source = """
Passage:
{{ text }}
"""
  relation = "{{ drugs }} participate in a {{ label }} drug combination"
  arguments = [drugs]
  labels = { POS = "positive", COMB = "" }
  merge = { NEG = "COMB" }
  null = "No drug combinations are established."
  examples = [
    { note = "the empty label word leaves two spaces"
      output = "a and b participate in a  drug combination"
      relations = [{ label = NEG, arguments = ["b", "a"] }] },
    { note = "truncated"
      output = "a, b, and c participate in a positive drug combination; a and"
      relations = [{ label = POS, arguments = ["a", "b", "c"] }], unparseable = 1 },
  ]
}

task dce { dataset = dce, template = dce_paper }

experiment main { models = [tiny], tasks = [dce], shots = [full], seeds = [0] }
"#;

/// Runs expc in `cwd` with the fixture models and `data` as roots.
fn expc(args: &[&str], cwd: &Path, data: &Path) -> Output {
    support::expc(
        args,
        cwd,
        &[
            ("EXPC_MODELS", &root().join("tests/fixtures/models")),
            ("EXPC_DATA", data),
        ],
    )
}

/// A folder holding `study.exp` with `text`.
fn study(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("study.exp"), text).expect("write study");
    dir
}

fn snapshot(dir: &Path, flags: &[&str]) -> Output {
    let mut args = vec!["snapshot", "study.exp"];
    args.extend(flags);
    expc(&args, dir, &root().join("tests/data"))
}

/// The names of the files in `dir/snapshots`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("snapshots"))
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

const KINDS: [&str; 4] = ["examples", "extraction", "extractor", "prompts"];

fn names(task: &str, extension: &str) -> Vec<String> {
    KINDS
        .iter()
        .map(|kind| format!("study__{task}__{kind}.{extension}"))
        .collect()
}

#[test]
fn new_snapshots_are_pending_until_accepted() {
    let dir = study(STUDY);
    let first = snapshot(dir.path(), &[]);
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    assert!(first.stdout.contains("4 new"), "{}", first.stdout);
    assert!(first.stdout.contains("--accept"), "{}", first.stdout);
    assert_eq!(files(dir.path()), names("dce", "snap.new"));

    let missing = snapshot(dir.path(), &["--check"]);
    assert_eq!(missing.code, 1);
    assert_eq!(missing.stdout.matches("missing: ").count(), 4);

    let accepted = snapshot(dir.path(), &["--accept"]);
    assert_eq!(accepted.code, 0, "{}{}", accepted.stdout, accepted.stderr);
    assert_eq!(files(dir.path()), names("dce", "snap"));
    let check = snapshot(dir.path(), &["--check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(check.stdout.contains("4 unchanged"));

    // A new task: only its snapshots are pending; the stored ones are left alone.
    let text = STUDY.replace(
        "task dce {",
        "task dce_again { dataset = dce, template = dce_paper }\ntask dce {",
    );
    std::fs::write(dir.path().join("study.exp"), text).expect("write study");
    let added = snapshot(dir.path(), &[]);
    assert_eq!(added.code, 1);
    assert!(added.stdout.contains("4 unchanged, 0 changed, 4 new"));
    let mut expected = names("dce", "snap");
    expected.extend(names("dce_again", "snap.new"));
    expected.sort();
    assert_eq!(files(dir.path()), expected);

    // Back to the stored study: the pending files go, nothing is left to review.
    std::fs::write(dir.path().join("study.exp"), STUDY).expect("write study");
    let reverted = snapshot(dir.path(), &[]);
    assert_eq!(reverted.code, 0, "{}", reverted.stdout);
    assert_eq!(files(dir.path()), names("dce", "snap"));

    // Snapshots of a task that is gone are obsolete: `--check` fails, `--accept` removes them.
    for name in names("dce_gone", "snap") {
        std::fs::write(dir.path().join("snapshots").join(name), "---\n---\n").expect("write");
    }
    let obsolete = snapshot(dir.path(), &["--check"]);
    assert_eq!(obsolete.code, 1);
    assert_eq!(
        obsolete.stdout.matches("obsolete: ").count(),
        4,
        "{}",
        obsolete.stdout
    );
    assert_eq!(snapshot(dir.path(), &["--accept"]).code, 0);
    assert_eq!(files(dir.path()), names("dce", "snap"));
}

#[test]
fn snapshot_files_are_insta_files_without_paths() {
    let dir = study(STUDY);
    assert_eq!(snapshot(dir.path(), &["--accept"]).code, 0);
    let folder = dir.path().join("snapshots");
    for name in names("dce", "snap") {
        let text = std::fs::read_to_string(folder.join(&name)).expect("snapshot");
        let kind = name
            .trim_start_matches("study__dce__")
            .trim_end_matches(".snap");
        let header = format!("---\nsource: ../study.exp\nexpression: {kind} of task dce\n---\n");
        assert!(text.starts_with(&header), "{name}:\n{text}");
        assert!(!text.contains(&dir.path().display().to_string()));
        assert!(!text.contains(&root().display().to_string()));
    }
    let examples =
        std::fs::read_to_string(folder.join("study__dce__examples.snap")).expect("examples");
    assert!(examples.contains("2 examples, 2 hold"), "{examples}");
    assert!(examples.contains("COMB (\"a\", \"b\")"), "{examples}");

    // Another data root with the same corpus: the same snapshots.
    let data = tempfile::tempdir().expect("temporary folder");
    let dce = data.path().join("dce/paper_split");
    std::fs::create_dir_all(&dce).expect("folders");
    for file in [
        "final_train_set.jsonl",
        "final_test_set.jsonl",
        "paper_split/valid_doc_ids.txt",
    ] {
        std::fs::copy(
            root().join("tests/data/dce").join(file),
            data.path().join("dce").join(file),
        )
        .expect("copy");
    }
    let moved = expc(
        &["snapshot", "study.exp", "--check"],
        dir.path(),
        data.path(),
    );
    assert_eq!(moved.code, 0, "{}{}", moved.stdout, moved.stderr);
}

#[test]
fn one_word_edit_shows_exactly_the_changed_prompts() {
    let dir = study(STUDY);
    assert_eq!(snapshot(dir.path(), &["--accept"]).code, 0);
    let prompts = std::fs::read_to_string(dir.path().join("snapshots/study__dce__prompts.snap"))
        .expect("prompts");
    let documents = prompts.matches("\n── ").count();
    assert_eq!(documents, 7, "3 train, 2 validation and 2 test documents");

    std::fs::write(
        dir.path().join("study.exp"),
        STUDY.replace("Passage:", "Abstract:"),
    )
    .expect("write study");
    let check = snapshot(dir.path(), &["--check"]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    let headers: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.starts_with("--- ") || l.starts_with("+++ "))
        .collect();
    assert_eq!(
        headers,
        [
            "--- snapshots/study__dce__prompts.snap",
            "+++ snapshots/study__dce__prompts.snap.new"
        ]
    );
    let changed = |sign: char| -> Vec<&str> {
        check
            .stdout
            .lines()
            .filter(|l| l.starts_with(sign) && !l.starts_with("--- ") && !l.starts_with("+++ "))
            .collect()
    };
    assert_eq!(
        changed('-'),
        vec!["-  Passage:⏎"; documents],
        "{}",
        check.stdout
    );
    assert_eq!(
        changed('+'),
        vec!["+  Abstract:⏎"; documents],
        "{}",
        check.stdout
    );
    assert!(
        check
            .stdout
            .contains("3 unchanged, 1 changed, 0 new, 0 obsolete")
    );
    assert!(
        files(dir.path()).iter().all(|f| f.ends_with(".snap")),
        "--check writes nothing"
    );

    assert_eq!(snapshot(dir.path(), &["--accept"]).code, 0);
    let check = snapshot(dir.path(), &["--check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn a_failing_example_is_a_located_check_error() {
    let wrong = STUDY.replace(
        "relations = [{ label = NEG, arguments = [\"b\", \"a\"] }] },",
        "relations = [{ label = POS, arguments = [\"b\", \"a\"] }] },",
    );
    assert_ne!(wrong, STUDY);
    let dir = study(&wrong);
    let output = expc(
        &["check", "study.exp"],
        dir.path(),
        &root().join("tests/data"),
    );
    assert_eq!(output.code, 1, "{}", output.stderr);
    let line = 1 + wrong
        .lines()
        .position(|l| l.contains("output = \"a and b participate in a  drug combination\""))
        .expect("the example's output");
    assert!(
        output.stderr.contains(&format!(
            "error[E0026]: template `dce_paper`: an example does not extract as declared\n  --> study.exp:{line}:16\n"
        )),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains(
            "declared:  POS (\"a\", \"b\"); 0 unparseable pieces\n           extracted: COMB (\"a\", \"b\"); 0 unparseable pieces"
        ),
        "{}",
        output.stderr
    );
    // The study does not check, so it cannot be snapshot either.
    assert_eq!(snapshot(dir.path(), &[]).code, 1);
    assert!(!dir.path().join("snapshots").exists());
}
