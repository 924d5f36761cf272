//! Reports: a results folder written through the run store for the fixture study
//! (`tests/results/study.exp`, crafted scores), rendered as a terminal table, Markdown, CSV and
//! JSON (snapshots); mean ± std checked by hand; the paired bootstrap; the SVG figures; the
//! `status` and `report` commands on the committed results folder `tests/results/runs/`.

#[path = "results/crafted.rs"]
mod crafted;
mod support;

use crafted::{hits, study_plan, write_fixture};
use expc::check::study::Shots;
use expc::plan::Plan;
use expc::report::{
    self, Metric, Outcome, Report, ReportOptions, paired_bootstrap, render_csv, render_json,
    render_markdown, render_terminal,
};
use expc::score::{CountingMode, Counts};
use expc::store::{RunStatus, RunStore};
use support::{Output, root};

/// A fresh results folder for the fixture study, its plan and the outcomes of its runs.
fn fixture() -> (tempfile::TempDir, Plan, Vec<Outcome>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let plan = study_plan();
    write_fixture(dir.path(), &plan);
    let outcomes = report::collect(&RunStore::open(dir.path()), &plan.runs).expect("outcomes");
    (dir, plan, outcomes)
}

fn build(outcomes: &[Outcome], options: ReportOptions) -> Report {
    report::build("results_fixture", outcomes, options).expect("report")
}

fn settings() -> insta::Settings {
    let mut settings = support::snapshot_settings();
    settings.add_filter(&root().display().to_string(), "[ROOT]");
    settings.add_filter(r"\b[0-9a-f]{64}\b", "[RUN ID]");
    settings.add_filter(r"\b[0-9a-f]{12}\b", "[ID]");
    settings
}

#[test]
fn the_report_in_every_format() {
    let (_dir, _, outcomes) = fixture();
    let strict = build(&outcomes, ReportOptions::default());
    let paper_recall = build(
        &outcomes,
        ReportOptions {
            metric: Metric::Recall,
            mode: CountingMode::Paper,
        },
    );
    settings().bind(|| {
        insta::assert_snapshot!("report_terminal", render_terminal(&strict, true));
        insta::assert_snapshot!("report_markdown", render_markdown(&strict, false));
        insta::assert_snapshot!(
            "report_terminal_paper_recall",
            render_terminal(&paper_recall, false)
        );
        insta::assert_snapshot!("report_csv", render_csv(&strict, false));
        insta::assert_snapshot!("report_csv_runs", render_csv(&strict, true));
        insta::assert_snapshot!("report_json", render_json(&strict));
    });
    let json: serde_json::Value = serde_json::from_str(&render_json(&strict)).expect("JSON");
    assert_eq!(json["format_version"], 1);
}

#[test]
fn cells_are_means_and_sample_standard_deviations_over_seeds() {
    let (_dir, plan, outcomes) = fixture();
    let report = build(&outcomes, ReportOptions::default());
    let table = &report.table;
    let labels: Vec<String> = table.columns.iter().map(|c| c.label()).collect();
    assert_eq!(labels, ["cdr full", "dce 4", "dce full"]);
    let models: Vec<&str> = table.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        models,
        [
            "GPT-2-Tiny",
            "BioGPT-Tiny",
            "BART-Tiny",
            "BioBART-Tiny",
            "T5-Tiny",
            "Flan-T5-Tiny",
            "SciFive-Tiny"
        ]
    );
    let cell = |model: &str, column: usize| {
        let row = table.rows.iter().find(|r| r.model == model).expect("row");
        row.cells[column]
    };
    // BART-Tiny, DCE 4 shots: 5 and 7 of 24 gold relations right, as many predicted as gold, so
    // F1 = 20.83% and 29.17%: mean 25%, sample std sqrt(2 × (100/24)²) = 5.893%.
    let bart = cell("bart_tiny", 1).summary.expect("two seeds");
    assert_eq!(bart.n, 2);
    assert!((bart.mean - 25.0).abs() < 1e-9, "{}", bart.mean);
    let std = bart.std.expect("two seeds");
    assert!((std - 100.0 * 2f64.sqrt() / 24.0).abs() < 1e-9, "{std}");
    assert!((std - 5.892_556).abs() < 1e-6);
    // T5-Tiny, DCE full: one seed, 12 of 24 right, so exactly 50%, no std.
    let t5 = cell("t5_tiny", 2).summary.expect("one seed");
    assert_eq!((t5.n, t5.mean, t5.std), (1, 50.0, None));
    // GPT-2-Tiny, CDR full: 3 of 15 right, 16 predicted (one extra): F1 = 2·3 / (15 + 16).
    let gpt2 = cell("gpt2_tiny", 0).summary.expect("one seed");
    assert!((gpt2.mean - 600.0 / 31.0).abs() < 1e-9);
    // Flan-T5-Tiny, DCE 4: seed 1 is partial, so the cell is seed 0 alone (8 of 24), marked.
    let flan = cell("flan_t5_tiny", 1);
    assert_eq!((flan.planned, flan.summary.map(|s| s.n)), (2, Some(1)));
    assert!(flan.is_incomplete());
    // BioBART-Tiny, CDR full never began; SciFive-Tiny is blocked: blank, but planned.
    assert_eq!(cell("biobart_tiny", 0).summary, None);
    assert_eq!(cell("biobart_tiny", 0).planned, 1);
    assert_eq!(cell("scifive_tiny", 1).summary, None);
    assert_eq!(cell("scifive_tiny", 1).planned, 2);
    // Decoder-only models have no few-shot runs: not in the plan.
    assert_eq!(cell("gpt2_tiny", 1).planned, 0);
    // The crafted hits behind the table are what the plan's runs get.
    let few_shot_bart: Vec<usize> = plan
        .runs
        .iter()
        .filter(|r| r.model == "bart_tiny" && r.shots == Shots::Few(4))
        .map(hits)
        .collect();
    assert_eq!(few_shot_bart, [5, 7]);
}

#[test]
fn paired_bootstrap_intervals_contain_the_observed_difference_and_repeat() {
    let (_dir, _, outcomes) = fixture();
    let report = build(&outcomes, ReportOptions::default());
    let pairs: Vec<(String, String, String, String)> = report
        .comparisons
        .iter()
        .map(|c| {
            (
                c.model.clone(),
                c.counterpart.clone(),
                format!("{} {}", c.task, c.shots),
                c.seed.to_string(),
            )
        })
        .collect();
    let expected = [
        ("biogpt_tiny", "gpt2_tiny", "cdr full", "0"),
        ("biogpt_tiny", "gpt2_tiny", "dce full", "0"),
        ("biobart_tiny", "bart_tiny", "dce 4", "0"),
        ("biobart_tiny", "bart_tiny", "dce 4", "1"),
        ("flan_t5_tiny", "t5_tiny", "dce 4", "0"),
        ("biobart_tiny", "bart_tiny", "dce full", "0"),
        ("flan_t5_tiny", "t5_tiny", "cdr full", "0"),
        ("flan_t5_tiny", "t5_tiny", "dce full", "0"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(pairs, expected);
    for comparison in &report.comparisons {
        assert!(
            comparison.interval.low <= comparison.difference
                && comparison.difference <= comparison.interval.high,
            "{comparison:?}"
        );
        assert!(
            (comparison.difference - (comparison.model_f1 - comparison.counterpart_f1)).abs()
                < 1e-12
        );
    }
    // BioBART-Tiny vs BART-Tiny at DCE full: 11 vs 10 of 24 right, a difference of 1/24.
    let dce_full = &report.comparisons[5];
    assert!((dce_full.difference - 100.0 / 24.0).abs() < 1e-9);
    assert_eq!(dce_full.documents, 12);
    // Deterministic: the same report twice gives the same intervals.
    assert_eq!(
        build(&outcomes, ReportOptions::default()).comparisons,
        report.comparisons
    );

    // Directly: identical systems differ by exactly 0; a seed repeats its interval.
    let counts = |gold, predicted, true_positives| Counts {
        gold,
        predicted,
        true_positives,
    };
    let same: Vec<(Counts, Counts)> = (0..20)
        .map(|i| (counts(2, 2, i % 3 / 2), counts(2, 2, i % 3 / 2)))
        .collect();
    let interval = paired_bootstrap(&same, 7).expect("documents");
    assert_eq!((interval.low, interval.high), (0.0, 0.0));
    let better: Vec<(Counts, Counts)> = (0..20)
        .map(|i| (counts(2, 2, 1 + i % 2), counts(2, 2, i % 2)))
        .collect();
    let first = paired_bootstrap(&better, 7).expect("documents");
    assert_eq!(paired_bootstrap(&better, 7), Some(first));
    assert!(
        first.low > 0.0,
        "always better on every document: {first:?}"
    );
    assert_eq!(paired_bootstrap(&[], 7), None);
}

#[test]
fn figures_are_well_formed_svg_with_a_bar_per_model() {
    let (_dir, _, outcomes) = fixture();
    let report = build(&outcomes, ReportOptions::default());
    let figures = report::figures(&report).expect("figures");
    let names: Vec<&str> = figures.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(names, ["cdr_full.svg", "dce_4.svg", "dce_full.svg"]);
    for figure in &figures {
        let mut reader = quick_xml::Reader::from_str(&figure.svg);
        let mut texts = Vec::new();
        let mut root_seen = false;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(tag)) => {
                    root_seen |= tag.name().as_ref() == b"svg";
                }
                Ok(quick_xml::events::Event::Text(text)) => {
                    texts.push(text.decode().expect("text").trim().to_owned());
                }
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(error) => panic!("{}: not well-formed: {error}", figure.file_name),
            }
        }
        assert!(root_seen, "{}", figure.file_name);
        for label in ["T5-Tiny", "Flan-T5-Tiny", "BART-Tiny", "T5", "BART"] {
            assert!(
                texts.iter().any(|t| t == label),
                "{}: {label}",
                figure.file_name
            );
        }
    }
    // DCE 4 shots: no decoder-only bar, no SciFive (blocked).
    let few_shot = &figures[1].svg;
    assert!(!few_shot.contains("GPT-2-Tiny") && !few_shot.contains("SciFive-Tiny"));
    assert!(few_shot.contains("results_fixture: dce 4 shots · F1 (%), strict counting"));
}

/// Whether the committed folder `tests/results/runs/` holds what [`write_fixture`] writes now;
/// with `EXPC_BLESS_RESULTS=1` it is rewritten.
#[test]
fn the_committed_results_folder_is_what_the_fixture_writes() {
    let committed = root().join("tests/results/runs");
    let plan = study_plan();
    if std::env::var_os("EXPC_BLESS_RESULTS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        write_fixture(&committed, &plan);
    }
    let (_dir, _, fresh) = fixture();
    let stored = report::collect(&RunStore::open(&committed), &plan.runs).expect("outcomes");
    for (stored, fresh) in stored.iter().zip(&fresh) {
        let coordinates = format!(
            "{} {} {} {}",
            stored.run.model, stored.run.task, stored.run.shots, stored.run.seed
        );
        assert_eq!(
            stored.status, fresh.status,
            "{coordinates}: the committed results are stale; rerun with EXPC_BLESS_RESULTS=1"
        );
        let content = |o: &Outcome| {
            o.result
                .as_ref()
                .map(|r| (r.metrics.clone(), r.predictions.clone()))
        };
        assert_eq!(content(stored), content(fresh), "{coordinates}");
    }
}

/// Runs expc from the package root with no roots from the environment.
fn expc(args: &[&str]) -> Output {
    support::expc(args, &root(), &[])
}

fn show(output: &Output) -> String {
    output.show()
}

#[test]
fn the_status_and_report_commands_on_the_committed_results() {
    let status = expc(&["status", "tests/results/study.exp"]);
    assert_eq!(status.code, 0, "{}", show(&status));
    assert!(
        status
            .stdout
            .contains("24 runs: 18 done, 1 partial, 1 new, 4 blocked")
    );
    let report = expc(&["report", "tests/results/study.exp", "--runs"]);
    assert_eq!(report.code, 0, "{}", show(&report));
    settings().bind(|| {
        insta::assert_snapshot!("cli_status", show(&status));
        insta::assert_snapshot!("cli_report", show(&report));
    });

    // A results folder alone: its finished runs, by model, task, shots and seed.
    let folder = expc(&["report", "tests/results/runs", "--format", "csv"]);
    assert_eq!(folder.code, 0, "{}", show(&folder));
    assert!(
        folder
            .stdout
            .starts_with("group,model,name,params,task,shots,mean,std,n,planned\n")
    );
    assert!(
        folder
            .stdout
            .contains("\nT5,t5_tiny,T5-Tiny,1M,dce,full,50.0000,,1,1\n")
    );

    let dir = tempfile::tempdir().expect("temporary folder");
    let figures = dir.path().join("figures");
    let argument = format!("--figures={}", figures.display());
    let written = expc(&[
        "report",
        "tests/results/study.exp",
        "--format",
        "json",
        &argument,
    ]);
    assert_eq!(written.code, 0, "{}", show(&written));
    assert!(
        written.stderr.contains("\n3 figure(s) written to "),
        "{}",
        written.stderr
    );
    for name in ["cdr_full.svg", "dce_4.svg", "dce_full.svg"] {
        assert!(figures.join(name).is_file(), "{name}");
    }

    // `--figures` alone writes into the results folder; a saved plan reads like its study.
    let (fresh, _, _) = fixture();
    let fresh_path = fresh.path().display().to_string();
    let beside = expc(&["report", &fresh_path, "--figures", "--format", "markdown"]);
    assert_eq!(beside.code, 0, "{}", show(&beside));
    assert!(fresh.path().join("figures/dce_4.svg").is_file());
    let plan = dir.path().join("plan.json").display().to_string();
    assert_eq!(
        expc(&["plan", "tests/results/study.exp", "-o", &plan]).code,
        0
    );
    let from_plan = expc(&["status", &plan, "--results", "tests/results/runs"]);
    let table = |stdout: &str| stdout.split("results: ").next().unwrap_or("").to_owned();
    assert_eq!(table(&from_plan.stdout), table(&status.stdout));

    let missing = expc(&["report", "tests/results/study.exp", "--results", "nowhere"]);
    assert_eq!(missing.code, 0, "no results yet is an empty table");
    let not_a_folder = expc(&["report", "tests/results/runs", "--results", "x"]);
    assert_eq!(not_a_folder.code, 1);
}

#[test]
fn done_runs_read_from_the_store_are_what_the_outcomes_hold() {
    let (dir, plan, outcomes) = fixture();
    let store = RunStore::open(dir.path());
    for (run, outcome) in plan.runs.iter().zip(&outcomes) {
        assert_eq!(outcome.status, store.status(run).expect("status"));
        assert_eq!(outcome.result.is_some(), outcome.status == RunStatus::Done);
    }
    assert!(dir.path().join(&plan.runs[0].id).join("DONE").is_file());
}
