//! The paper's study over the full corpora (runs when `EXPC_DATA` names the data root, as CI
//! sets it): its plan has exactly the paper's 336 runs, and for every corpus the snapshots pin
//! the rendered first documents of each split, the derived extractor, the round-trip summary and
//! the scores of crafted prediction sets in both counting modes.

mod support;

use expc::check::{CheckOptions, Study, check};
use expc::corpus::{Document, load_dataset};
use expc::extract::{Extractor, roundtrip};
use expc::plan::{self, PlanOptions};
use expc::score::{CountingMode, score};
use expc::template::{render_source, render_target};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;
use support::root;

/// The checked study with the full corpora, or `None` (after saying so) without `EXPC_DATA`.
fn study(test: &str) -> Option<Study> {
    let Some(data) = std::env::var_os("EXPC_DATA").map(PathBuf::from) else {
        println!("{test}: skipped (set EXPC_DATA to the data root to run it)");
        return None;
    };
    let options = CheckOptions {
        model_root: Some(root().join("target/no-models")),
        data_root: Some(data),
    };
    let checked = check(&root().join("experiments/domain_specificity.exp"), &options);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    checked.study
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn the_plan_has_the_papers_336_runs() {
    let Some(study) = study("the_plan_has_the_papers_336_runs") else {
        return;
    };
    let plan = plan::build(&study, PlanOptions::default());
    assert_eq!(plan.runs.len(), 336);
    let count = |f: &dyn Fn(&plan::Run) -> bool| plan.runs.iter().filter(|r| f(r)).count();
    assert_eq!(count(&|r| !r.spec.model.family.is_encoder_decoder()), 24);
    assert_eq!(count(&|r| r.spec.sample.is_some()), 260);
    assert!(
        plan.runs
            .iter()
            .filter_map(|r| r.spec.sample.as_ref())
            .all(|s| s.ids_hash.is_some()),
        "few-shot samples are hashed"
    );
    let epochs = |model: &str, shots: u32| {
        plan.runs
            .iter()
            .find(|r| r.model == model && r.shots == expc::check::study::Shots::Few(shots))
            .map(|r| r.spec.training.epochs)
    };
    assert_eq!(
        (epochs("t5_small", 16), epochs("t5_small", 64)),
        (Some(160), Some(60))
    );
    assert_eq!(
        (epochs("bart_large", 16), epochs("biobart_large", 64)),
        (Some(75), Some(35))
    );
    let full = plan
        .runs
        .iter()
        .find(|r| r.model == "t5_large" && r.task == "ddi")
        .map(|r| &r.spec.training);
    assert_eq!(
        full.map(|t| (t.epochs, t.grad_accumulation, t.selection)),
        Some((30, 32, expc::check::study::Selection::BestValidation))
    );
}

/// Crafted outputs for the test documents: what a model might generate.
fn crafted(
    spec: &expc::template::TemplateSpec,
    docs: &[Document],
) -> Vec<(&'static str, BTreeMap<String, String>)> {
    let targets: Vec<String> = docs
        .iter()
        .map(|d| render_target(spec, d).expect("gold renders"))
        .collect();
    let by_id = |texts: Vec<String>| {
        docs.iter()
            .map(|d| d.id.clone())
            .zip(texts)
            .collect::<BTreeMap<_, _>>()
    };
    let mut shuffled = targets.clone();
    shuffled.rotate_left(1);
    let words: Vec<&String> = spec.labels.values().filter(|w| !w.is_empty()).collect();
    let relabelled = targets
        .iter()
        .map(|t| match (words.first(), words.get(1)) {
            (Some(a), Some(b)) => t.replacen(&format!(" is {a}"), &format!(" is {b}"), 1),
            _ => t.clone(),
        })
        .collect();
    let extra = targets
        .iter()
        .map(|t| format!("{t} I hope this helps"))
        .collect();
    vec![
        ("perfect", by_id(targets.clone())),
        ("empty", BTreeMap::new()),
        (
            "null everywhere",
            by_id(vec![spec.null.clone(); docs.len()]),
        ),
        ("shuffled between documents", by_id(shuffled)),
        ("first label word swapped", by_id(relabelled)),
        ("trailing chatter", by_id(extra)),
    ]
}

#[test]
fn corpus_snapshots() {
    let Some(study) = study("corpus_snapshots") else {
        return;
    };
    for (name, task) in &study.tasks {
        let spec = &study.templates[&task.template].spec;
        let splits = load_dataset(&study.datasets[&task.dataset].spec).expect("corpus loads");
        let mut text = String::new();
        let extractor = Extractor::derive(spec).expect("extractor derives");
        let _ = writeln!(text, "# extractor\n{}\n", extractor.patterns().join("\n"));
        let _ = writeln!(text, "# round trip");
        for (split, docs) in [
            ("train", &splits.train),
            ("validation", &splits.validation),
            ("test", &splits.test),
        ] {
            let r = roundtrip(spec, docs).expect("round trip");
            let _ = writeln!(
                text,
                "{split}: {} documents, {} relations, {} recovered, {} failures",
                r.documents,
                r.relations,
                r.recovered,
                r.failures.len()
            );
            assert!(r.recovery() >= 0.995, "{name} {split}: {}", r.recovery());
        }
        for (split, docs) in [
            ("train", &splits.train),
            ("validation", &splits.validation),
            ("test", &splits.test),
        ] {
            for doc in docs.iter().take(2) {
                let _ = writeln!(
                    text,
                    "\n# {split} {}\n## source\n{}\n## target\n{}",
                    doc.id,
                    render_source(spec, doc).expect("renders"),
                    render_target(spec, doc).expect("renders")
                );
            }
        }
        let _ = writeln!(
            text,
            "\n# scores on test (strict | paper): P R F1 tp fp fn unparseable"
        );
        for (label, predictions) in crafted(spec, &splits.test) {
            let mut row = format!("{label:<28}");
            for mode in [CountingMode::Strict, CountingMode::Paper] {
                let s = score(spec, &extractor, &splits.test, &predictions, mode).expect("scores");
                let m = s.micro;
                let _ = write!(
                    row,
                    " | {:.4} {:.4} {:.4} {} {} {} {}",
                    m.precision,
                    m.recall,
                    m.f1,
                    m.true_positives,
                    m.false_positives,
                    m.false_negatives,
                    s.unparseable
                );
            }
            let _ = writeln!(text, "{row}");
            if label == "perfect" {
                let strict = score(
                    spec,
                    &extractor,
                    &splits.test,
                    &predictions,
                    CountingMode::Strict,
                )
                .expect("scores");
                assert!(
                    (strict.micro.f1 - 1.0).abs() < 1e-12,
                    "{name}: gold targets must score F1 = 1 strictly"
                );
            }
        }
        snapshot(&format!("paper_{name}"), &text);
    }
}
