//! Scoring end to end: crafted prediction sets on hand-built documents, counted strictly and as
//! the paper did, with hand-computed numbers; and the DCE official scorer's unit-test fixtures
//! (`tests/data/dce_eval/`, from `allenai/drug-combo-extraction`), whose exact-match scores the
//! upstream scorer asserts.

use expc::corpus::{Document, Entity, Mention, Relation};
use expc::extract::Extractor;
use expc::score::{CountingMode, LabelScores, ScoreError, Scores, read_predictions, score};
use expc::template::{
    GoldDedup, ListStyle, MentionChoice, MentionMatch, TemplateSpec, render_target,
};
use std::collections::BTreeMap;
use std::path::Path;

/// A paper-style template: relations joined by "; ", ended by ".".
fn spec(
    relation: &str,
    arguments: &[&str],
    labels: &[(&str, &str)],
    dedup: GoldDedup,
) -> TemplateSpec {
    TemplateSpec {
        source: "{{ text }}".into(),
        relation: relation.into(),
        arguments: arguments.iter().map(|&a| a.into()).collect(),
        labels: labels.iter().map(|&(l, w)| (l.into(), w.into())).collect(),
        merge_labels: BTreeMap::new(),
        separator: "; ".into(),
        terminator: ".".into(),
        null: "None.".into(),
        list: ListStyle::default(),
        mention: MentionChoice::First,
        matching: MentionMatch::Rendered,
        lowercase: false,
        decoder_join: "\n\n".into(),
        paper_gold_dedup: dedup,
        extractor: None,
    }
}

/// The paper's DDI template (gold not de-duplicated by the paper).
fn ddi() -> TemplateSpec {
    spec(
        "the relation between {{ drug1 }} and {{ drug2 }} is {{ label }}",
        &["drug1", "drug2"],
        &[
            ("INT", "interaction"),
            ("MECHANISM", "mechanism"),
            ("EFFECT", "effect"),
            ("ADVISE", "advice"),
        ],
        GoldDedup::None,
    )
}

/// The paper's CDR template: largest mention written, any mention accepted.
fn cdr() -> TemplateSpec {
    TemplateSpec {
        mention: MentionChoice::Largest,
        matching: MentionMatch::AnyMention,
        ..spec(
            "The relation between {{ chemical }} and {{ disease }} exists",
            &["chemical", "disease"],
            &[("CID", "")],
            GoldDedup::Exact,
        )
    }
}

/// The paper's DCE template: drug sets, NEG merged into COMB.
fn dce() -> TemplateSpec {
    TemplateSpec {
        merge_labels: BTreeMap::from([("NEG".into(), "COMB".into())]),
        ..spec(
            "{{ drugs }} participate in a {{ label }} drug combination",
            &["drugs"],
            &[("POS", "positive"), ("COMB", "")],
            GoldDedup::Exact,
        )
    }
}

/// DCE's "any combination" evaluation: every label merged into one.
fn dce_any_combination() -> TemplateSpec {
    TemplateSpec {
        merge_labels: BTreeMap::from([
            ("NEG".into(), "COMB".into()),
            ("POS".into(), "COMB".into()),
        ]),
        ..spec(
            "{{ drugs }} participate in a drug combination",
            &["drugs"],
            &[("COMB", "")],
            GoldDedup::Exact,
        )
    }
}

/// A document from entities `(kind, mentions)` and relations `(label, argument indices)`.
fn document(id: &str, entities: &[&[&str]], relations: &[(&str, &[usize])]) -> Document {
    Document {
        id: id.into(),
        text: String::new(),
        fields: BTreeMap::new(),
        entities: entities
            .iter()
            .enumerate()
            .map(|(index, mentions)| Entity {
                id: format!("T{index}"),
                kind: "drug".into(),
                mentions: mentions
                    .iter()
                    .map(|&m| Mention {
                        text: m.into(),
                        spans: vec![],
                    })
                    .collect(),
            })
            .collect(),
        relations: relations
            .iter()
            .map(|&(label, arguments)| Relation {
                label: label.into(),
                arguments: arguments.to_vec(),
                unordered: false,
            })
            .collect(),
    }
}

/// Three DDI documents: two relations; one relation annotated twice on mentions written alike;
/// none. Strict gold: 3 relations; the paper's (no de-duplication): 4.
fn ddi_docs() -> Vec<Document> {
    vec![
        document(
            "d1",
            &[&["naltrexone"], &["Acamprosate"], &["acamprosate"]],
            &[("MECHANISM", &[0, 1]), ("ADVISE", &[0, 2])],
        ),
        document(
            "d2",
            &[&["warfarin"], &["aspirin"], &["warfarin"], &["aspirin"]],
            &[("EFFECT", &[0, 1]), ("EFFECT", &[2, 3])],
        ),
        document("d3", &[&["warfarin"], &["aspirin"]], &[]),
    ]
}

fn predictions(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|&(id, text)| (id.to_owned(), text.to_owned()))
        .collect()
}

fn run(
    spec: &TemplateSpec,
    docs: &[Document],
    predicted: &BTreeMap<String, String>,
    mode: CountingMode,
) -> Scores {
    let extractor = Extractor::derive(spec).unwrap_or_else(|e| panic!("{e}"));
    score(spec, &extractor, docs, predicted, mode).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts (gold, predicted, TP, FP, FN) and P/R/F1 (to 1e-12).
fn assert_scores(
    scores: &LabelScores,
    counts: (usize, usize, usize, usize, i64),
    prf: (f64, f64, f64),
) {
    let actual = (
        scores.gold,
        scores.predicted,
        scores.true_positives,
        scores.false_positives,
        scores.false_negatives,
    );
    assert_eq!(actual, counts, "counts of {scores:?}");
    for (name, got, want) in [
        ("P", scores.precision, prf.0),
        ("R", scores.recall, prf.1),
        ("F1", scores.f1, prf.2),
    ] {
        assert!(
            (got - want).abs() < 1e-12,
            "{name}: {got} != {want} in {scores:?}"
        );
    }
}

fn perfect(spec: &TemplateSpec, docs: &[Document]) -> BTreeMap<String, String> {
    docs.iter()
        .map(|doc| {
            (
                doc.id.clone(),
                render_target(spec, doc).unwrap_or_else(|e| panic!("{e}")),
            )
        })
        .collect()
}

#[test]
fn perfect_predictions() {
    let (spec, docs) = (ddi(), ddi_docs());
    let predicted = perfect(&spec, &docs);
    let strict = run(&spec, &docs, &predicted, CountingMode::Strict);
    assert_scores(&strict.micro, (3, 3, 3, 0, 0), (1.0, 1.0, 1.0));
    // The paper keeps both annotations of d2's relation: recall is capped at 3/4.
    let paper = run(&spec, &docs, &predicted, CountingMode::Paper);
    assert_scores(&paper.micro, (4, 3, 3, 0, 1), (1.0, 0.75, 6.0 / 7.0));
    assert_scores(
        &paper.labels["EFFECT"],
        (2, 1, 1, 0, 1),
        (1.0, 0.5, 2.0 / 3.0),
    );
}

#[test]
fn empty_predictions() {
    let (spec, docs) = (ddi(), ddi_docs());
    let scores = run(&spec, &docs, &BTreeMap::new(), CountingMode::Strict);
    assert_eq!(
        (
            scores.documents,
            scores.documents_without_prediction,
            scores.unparseable
        ),
        (3, 3, 0)
    );
    assert_scores(&scores.micro, (3, 0, 0, 0, 3), (0.0, 0.0, 0.0));
    let nulls = predictions(&[("d1", "None."), ("d2", "None."), ("d3", "None.")]);
    let scores = run(&spec, &docs, &nulls, CountingMode::Strict);
    assert_eq!(scores.documents_without_prediction, 0);
    assert_scores(&scores.micro, (3, 0, 0, 0, 3), (0.0, 0.0, 0.0));
}

#[test]
fn shuffled_predictions_score_as_perfect() {
    let (spec, docs) = (ddi(), ddi_docs());
    let shuffled = predictions(&[
        (
            "d1",
            "the relation between naltrexone and acamprosate is advice; the relation between naltrexone and Acamprosate is mechanism.",
        ),
        ("d2", "the relation between warfarin and aspirin is effect"),
        ("d3", "None."),
    ]);
    let scores = run(&spec, &docs, &shuffled, CountingMode::Strict);
    assert_scores(&scores.micro, (3, 3, 3, 0, 0), (1.0, 1.0, 1.0));
}

/// d1 writes MECHANISM as effect: one FP (EFFECT) and one FN (MECHANISM).
fn partially_wrong() -> BTreeMap<String, String> {
    predictions(&[
        (
            "d1",
            "the relation between naltrexone and Acamprosate is effect; the relation between naltrexone and acamprosate is advice.",
        ),
        ("d2", "the relation between warfarin and aspirin is effect."),
        ("d3", "None."),
    ])
}

#[test]
fn partially_wrong_labels() {
    let (spec, docs) = (ddi(), ddi_docs());
    let strict = run(&spec, &docs, &partially_wrong(), CountingMode::Strict);
    assert_scores(
        &strict.micro,
        (3, 3, 2, 1, 1),
        (2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0),
    );
    assert_scores(
        &strict.labels["MECHANISM"],
        (1, 0, 0, 0, 1),
        (0.0, 0.0, 0.0),
    );
    assert_scores(&strict.labels["ADVISE"], (1, 1, 1, 0, 0), (1.0, 1.0, 1.0));
    assert_scores(
        &strict.labels["EFFECT"],
        (1, 2, 1, 1, 0),
        (0.5, 1.0, 2.0 / 3.0),
    );
    assert_scores(&strict.labels["INT"], (0, 0, 0, 0, 0), (0.0, 0.0, 0.0));
    let paper = run(&spec, &docs, &partially_wrong(), CountingMode::Paper);
    assert_scores(&paper.micro, (4, 3, 2, 1, 2), (2.0 / 3.0, 0.5, 4.0 / 7.0));
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_json_snapshot!("score_partially_wrong_strict", strict);
        insta::assert_json_snapshot!("score_partially_wrong_paper", paper);
    });
}

#[test]
fn extra_text_is_unparseable_and_extra_relations_are_false_positives() {
    let (spec, docs) = (ddi(), ddi_docs());
    let noisy = predictions(&[
        (
            "d1",
            "Here are the relations; the relation between naltrexone and Acamprosate is mechanism; the relation between naltrexone and acamprosate is advice; that is all.",
        ),
        (
            "d2",
            "the relation between warfarin and aspirin is effect; the relation between warfarin and aspirin is effect.",
        ),
        ("d3", "the relation between warfarin and aspirin is effect."),
    ]);
    let scores = run(&spec, &docs, &noisy, CountingMode::Strict);
    assert_eq!(scores.unparseable, 2);
    assert_scores(&scores.micro, (3, 4, 3, 1, 0), (0.75, 1.0, 6.0 / 7.0));
}

#[test]
fn any_mention_matching_and_the_papers_many_to_one_counting() {
    let spec = cdr();
    let docs = vec![document(
        "p1",
        &[&["cocaine", "Cocaine"], &["MI", "myocardial infarction"]],
        &[("CID", &[0, 1])],
    )];
    let two_names = predictions(&[(
        "p1",
        "The relation between cocaine and MI exists; The relation between Cocaine and myocardial infarction exists.",
    )]);
    // Strict: one gold relation matches one prediction; the other is a false positive.
    let strict = run(&spec, &docs, &two_names, CountingMode::Strict);
    assert_scores(&strict.micro, (1, 2, 1, 1, 0), (0.5, 1.0, 2.0 / 3.0));
    // Paper: both predictions match the gold relation, so TP = 2 and FN = 1 − 2 = −1.
    let paper = run(&spec, &docs, &two_names, CountingMode::Paper);
    assert_scores(&paper.micro, (1, 2, 2, 0, -1), (1.0, 2.0, 4.0 / 3.0));
    // Matching is case-sensitive: "COCAINE" is no mention.
    let shouted = predictions(&[("p1", "The relation between COCAINE and MI exists.")]);
    assert_scores(
        &run(&spec, &docs, &shouted, CountingMode::Strict).micro,
        (1, 1, 0, 1, 1),
        (0.0, 0.0, 0.0),
    );
}

#[test]
fn relations_written_alike_are_one_statement_accepting_each_ones_mentions() {
    // Two entities are written "zz" (the largest mention): strict counting counts their
    // relations once, accepting either entity's other mention; the paper's exact
    // de-duplication keeps the first relation as it is.
    let spec = cdr();
    let docs = vec![document(
        "p1",
        &[&["zz", "a1"], &["zz", "b1"], &["d"]],
        &[("CID", &[0, 2]), ("CID", &[1, 2])],
    )];
    let second_name = predictions(&[("p1", "The relation between b1 and d exists.")]);
    let strict = run(&spec, &docs, &second_name, CountingMode::Strict);
    assert_scores(&strict.micro, (1, 1, 1, 0, 0), (1.0, 1.0, 1.0));
    let paper = run(&spec, &docs, &second_name, CountingMode::Paper);
    assert_scores(&paper.micro, (1, 1, 0, 1, 1), (0.0, 0.0, 0.0));
}

#[test]
fn lowercase_deduplication_counts_relations_differing_in_case_once() {
    let spec = spec(
        "the relation between {{ drug1 }} and {{ drug2 }} is {{ label }}",
        &["drug1", "drug2"],
        &[("INT", "interaction"), ("EFFECT", "effect")],
        GoldDedup::Lowercase,
    );
    let docs = vec![document(
        "d1",
        &[&["Aspirin"], &["aspirin"], &["warfarin"]],
        &[("INT", &[0, 2]), ("INT", &[1, 2]), ("INT", &[0, 2])],
    )];
    let one = predictions(&[(
        "d1",
        "the relation between Aspirin and warfarin is interaction.",
    )]);
    // Strict: "Aspirin" and "aspirin" are written differently, two statements.
    let strict = run(&spec, &docs, &one, CountingMode::Strict);
    assert_scores(&strict.micro, (2, 1, 1, 0, 1), (1.0, 0.5, 2.0 / 3.0));
    let paper = run(&spec, &docs, &one, CountingMode::Paper);
    assert_scores(&paper.micro, (1, 1, 1, 0, 0), (1.0, 1.0, 1.0));
}

#[test]
fn a_prediction_for_an_unknown_document_is_an_error() {
    let (spec, docs) = (ddi(), ddi_docs());
    let extractor = Extractor::derive(&spec).unwrap_or_else(|e| panic!("{e}"));
    let stray = predictions(&[("d1", "None."), ("zz", "None."), ("aa", "None.")]);
    let error = score(&spec, &extractor, &docs, &stray, CountingMode::Strict).map(|_| ());
    assert_eq!(
        error,
        Err(ScoreError::UnknownDocuments {
            ids: vec!["aa".into(), "zz".into()]
        })
    );
}

#[test]
fn prediction_files_are_read_with_file_and_line_in_errors() {
    let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = folder.path().join("predictions.jsonl");
    let write = |text: &str| std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    write("{\"id\": \"d1\", \"generated\": \"None.\"}\n{\"id\": \"d2\", \"generated\": \"x\"}\n");
    assert_eq!(
        read_predictions(&path),
        Ok(predictions(&[("d1", "None."), ("d2", "x")]))
    );
    write("{\"id\": \"d1\", \"generated\": \"None.\"}\n{\"id\": \"d1\", \"generated\": \"x\"}\n");
    let message = read_predictions(&path).map_err(|e| e.to_string());
    assert_eq!(
        message,
        Err(format!(
            "{}:2: document `d1` was already predicted on line 1",
            path.display()
        ))
    );
    let missing = read_predictions(&folder.path().join("absent.jsonl"));
    assert!(matches!(missing, Err(ScoreError::Read { .. })));
}

/// The DCE fixtures as documents with four drugs each (ids 1–8, every id of either file) and the
/// predicted relations rendered through `spec`, as a model would have written them.
fn dce_fixtures(spec: &TemplateSpec) -> (Vec<Document>, BTreeMap<String, String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dce_eval");
    let read = |name: &str| -> BTreeMap<String, Vec<(String, Vec<usize>)>> {
        let text = std::fs::read_to_string(root.join(name)).unwrap_or_else(|e| panic!("{e}"));
        let mut by_doc: BTreeMap<String, Vec<(String, Vec<usize>)>> = BTreeMap::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}"));
            let drugs: Vec<usize> = value["drug_idxs"]
                .as_array()
                .map(|idxs| {
                    idxs.iter()
                        .filter_map(serde_json::Value::as_u64)
                        .filter_map(|i| usize::try_from(i).ok())
                        .collect()
                })
                .unwrap_or_default();
            let label = value["relation_label"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            by_doc
                .entry(value["doc_id"].to_string())
                .or_default()
                .push((label, drugs));
        }
        by_doc
    };
    let (gold, predicted) = (read("unittest_gold.jsonl"), read("unittest_pred.jsonl"));
    let drugs: [&[&str]; 4] = [&["aspirin"], &["warfarin"], &["heparin"], &["clopidogrel"]];
    let with = |id: &str, relations: Option<&Vec<(String, Vec<usize>)>>| {
        let relations: Vec<(&str, &[usize])> = relations
            .map(|rs| rs.iter().map(|(l, d)| (l.as_str(), d.as_slice())).collect())
            .unwrap_or_default();
        document(id, &drugs, &relations)
    };
    let ids: Vec<String> = (1..=8).map(|i| i.to_string()).collect();
    let docs = ids.iter().map(|id| with(id, gold.get(id))).collect();
    let texts = predicted
        .iter()
        .map(|(id, relations)| {
            (
                id.clone(),
                render_target(spec, &with(id, Some(relations))).unwrap_or_else(|e| panic!("{e}")),
            )
        })
        .collect();
    (docs, texts)
}

#[test]
fn dce_official_fixtures_exact_match() {
    // Upstream: exact-match, any-combination (F1, P, R) = (0.3157894736842105, 1/3, 0.3).
    let any = dce_any_combination();
    let (docs, predicted) = dce_fixtures(&any);
    let scores = run(&any, &docs, &predicted, CountingMode::Strict);
    assert_scores(
        &scores.micro,
        (10, 9, 3, 6, 7),
        (1.0 / 3.0, 0.3, 0.3157894736842105),
    );
    // Upstream: exact-match, labeled positive combination (F1, P, R) = (0.1666…, 1/7, 0.2).
    let labeled = dce();
    let (docs, predicted) = dce_fixtures(&labeled);
    let scores = run(&labeled, &docs, &predicted, CountingMode::Strict);
    assert_scores(
        &scores.labels["POS"],
        (5, 7, 1, 6, 4),
        (1.0 / 7.0, 0.2, 0.16666666666666666),
    );
}
