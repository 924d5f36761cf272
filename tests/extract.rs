//! Extraction end to end for the four paper templates: generated patterns, rendered sources and
//! targets, crafted generations read back, and the round trip `extract(render(gold)) == gold` on
//! the committed corpus excerpts (always) and the full corpora (when `EXPC_DATA` names the data
//! root, e.g. `EXPC_DATA=/work/shared/data`).

mod support;

use expc::corpus::{Document, Entity, Format, Mention, Relation, load};
use expc::extract::{ExtractError, Extraction, Extractor, roundtrip};
use expc::template::{
    TemplateError, TemplateSpec, decoder_text, known_strings, render_source, render_target,
    target_relations,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The four templates of the paper, exactly as `experiments/paper_tasks.exp` declares them.
mod paper {
    use expc::check::{CheckOptions, Study, check};
    use expc::template::TemplateSpec;
    use std::sync::OnceLock;

    fn study() -> &'static Study {
        static STUDY: OnceLock<Study> = OnceLock::new();
        STUDY.get_or_init(|| {
            let path = crate::support::root().join("experiments/domain_specificity.exp");
            check(&path, &CheckOptions::default())
                .study
                .expect("the paper's study checks")
        })
    }

    fn template(name: &str) -> TemplateSpec {
        study().templates[name].spec.clone()
    }

    pub fn cdr() -> TemplateSpec {
        template("cdr_paper")
    }

    pub fn chemprot() -> TemplateSpec {
        template("chemprot_paper")
    }

    pub fn ddi() -> TemplateSpec {
        template("ddi_paper")
    }

    pub fn dce() -> TemplateSpec {
        template("dce_paper")
    }

    pub fn all() -> Vec<(&'static str, TemplateSpec)> {
        vec![
            ("cdr", cdr()),
            ("chemprot", chemprot()),
            ("ddi", ddi()),
            ("dce", dce()),
        ]
    }
}

/// A document from entities `(id, kind, mentions)` and relations `(label, argument indices)`.
fn document(
    id: &str,
    text: &str,
    entities: &[(&str, &str, &[&str])],
    relations: &[(&str, &[usize])],
) -> Document {
    Document {
        id: id.into(),
        text: text.into(),
        fields: BTreeMap::new(),
        entities: entities
            .iter()
            .map(|&(id, kind, mentions)| Entity {
                id: id.into(),
                kind: kind.into(),
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

/// Round-trips `docs`, failing with the first problems when less than 99.5% is recovered.
fn assert_roundtrip(name: &str, spec: &TemplateSpec, docs: &[Document]) -> f64 {
    let result = roundtrip(spec, docs).unwrap_or_else(|error| panic!("{name}: {error}"));
    println!(
        "{name}: {} documents, {} relations, {} recovered ({:.4}), {} failures",
        result.documents,
        result.relations,
        result.recovered,
        result.recovery(),
        result.failures.len()
    );
    for failure in result.failures.iter().take(20) {
        println!("  {}: {}", failure.document_id, failure.reason);
    }
    assert!(
        result.recovery() >= 0.995,
        "{name}: recovery {}",
        result.recovery()
    );
    result.recovery()
}

/// The full data root, or `None` (after saying so) when `EXPC_DATA` is unset.
fn data_root(test: &str) -> Option<PathBuf> {
    let root = std::env::var_os("EXPC_DATA").map(PathBuf::from);
    if root.is_none() {
        println!("{test}: skipped (set EXPC_DATA to the data root to run it)");
    }
    root
}

fn load_ok(format: Format, path: &Path) -> Vec<Document> {
    load(format, path).unwrap_or_else(|error| panic!("{error}"))
}

/// Every split of every corpus under `root`, laid out as in `/work/shared/data`.
fn corpora(root: &Path) -> Vec<(String, TemplateSpec, Vec<Document>)> {
    let mut all = Vec::new();
    for split in ["Training", "Development", "Test"] {
        let path = root.join(format!("cdr/CDR_{split}Set.PubTator.txt"));
        all.push((
            format!("cdr {split}"),
            paper::cdr(),
            load_ok(Format::Pubtator, &path),
        ));
    }
    for split in [
        "chemprot_training",
        "chemprot_development",
        "chemprot_test_gs",
    ] {
        let path = root.join("chemprot").join(split);
        all.push((
            format!("chemprot {split}"),
            paper::chemprot(),
            load_ok(Format::ChemprotTsv, &path),
        ));
    }
    for split in ["Train", "Test"] {
        let path = root.join("ddi/DDICorpusBrat").join(split);
        all.push((
            format!("ddi {split}"),
            paper::ddi(),
            load_ok(Format::DdiBrat, &path),
        ));
    }
    for split in ["final_train_set", "final_test_set"] {
        let path = root.join(format!("dce/{split}.jsonl"));
        all.push((
            format!("dce {split}"),
            paper::dce(),
            load_ok(Format::DceJsonl, &path),
        ));
    }
    all
}

#[test]
fn roundtrip_recovers_the_full_corpora() {
    let Some(root) = data_root("roundtrip_recovers_the_full_corpora") else {
        return;
    };
    for (name, spec, docs) in corpora(&root) {
        assert_roundtrip(&name, &spec, &docs);
    }
}

/// Hand-built documents per template: the first is the one crafted generations are read against.
fn samples(name: &str) -> Vec<Document> {
    match name {
        "cdr" => vec![
            document(
                "227508",
                "Naloxone reverses the antihypertensive effect of clonidine. ... alpha-methyldopa ... hypotensive ... hypotension",
                &[
                    ("D009270", "Chemical", &["Naloxone"]),
                    ("D003000", "Chemical", &["clonidine"]),
                    ("D006973", "Disease", &["hypertensive"]),
                    ("D008750", "Chemical", &["alpha-methyldopa", "methyldopa"]),
                    ("D007022", "Disease", &["hypotensive", "hypotension"]),
                ],
                &[("CID", &[3, 4])],
            ),
            document(
                "9284778",
                "HCFCs 123 and 124 ... liver disease ... desferrioxamine ... Ocular and auditory toxicity ... hearing loss",
                &[
                    ("C067411", "Chemical", &["HCFCs 123 and 124", "HCFC 123"]),
                    ("D008107", "Disease", &["liver disease"]),
                    ("D003676", "Chemical", &["desferrioxamine"]),
                    ("D014786", "Disease", &["Ocular and auditory toxicity"]),
                    (
                        "D006311",
                        "Disease",
                        &["Ocular and auditory toxicity", "hearing loss"],
                    ),
                ],
                &[("CID", &[0, 1]), ("CID", &[2, 3]), ("CID", &[2, 4])],
            ),
            document(
                "1",
                "No relation here.",
                &[("D1", "Chemical", &["water"])],
                &[],
            ),
        ],
        "chemprot" => vec![document(
            "10047461",
            "Cyclin E ... the thymidylate synthase inhibitor Tomudex. Tomudex ...",
            &[
                ("T1", "CHEMICAL", &["Tomudex"]),
                ("T2", "CHEMICAL", &["Tomudex"]),
                ("T3", "GENE-N", &["thymidylate synthase"]),
                ("T4", "GENE-Y", &["Cyclin E"]),
            ],
            &[("CPR:4", &[0, 2]), ("CPR:4", &[1, 2]), ("CPR:9", &[0, 3])],
        )],
        "ddi" => vec![
            document(
                "Acamprosate_ddi",
                "Co-administration of naltrexone with Acamprosate ... acamprosate.",
                &[
                    ("T1", "DRUG", &["naltrexone"]),
                    ("T2", "DRUG", &["Acamprosate"]),
                    ("T3", "DRUG", &["acamprosate"]),
                ],
                &[("MECHANISM", &[0, 1]), ("ADVISE", &[0, 2])],
            ),
            document(
                "Ketoconazole_ddi",
                "aluminum and magnesium hydroxide reduce the absorption of ketoconazole.",
                &[
                    ("T1", "DRUG", &["aluminum and magnesium hydroxide"]),
                    ("T2", "DRUG", &["ketoconazole"]),
                ],
                &[("EFFECT", &[0, 1])],
            ),
        ],
        _ => vec![
            document(
                "a44bb4123bef8777",
                "Cisplatin plus gemcitabine , with or without paclitaxel and carboplatin , improved survival .",
                &[
                    ("0", "drug", &["Cisplatin"]),
                    ("1", "drug", &["gemcitabine"]),
                    ("2", "drug", &["paclitaxel"]),
                    ("3", "drug", &["carboplatin"]),
                ],
                &[
                    ("POS", &[0, 1]),
                    ("COMB", &[0, 1, 2]),
                    ("NEG", &[0, 1, 2, 3]),
                    ("POS", &[3]),
                ],
            ),
            document(
                "d2",
                "amoxicillin and clavulanate with azithromycin .",
                &[
                    ("0", "drug", &["amoxicillin and clavulanate"]),
                    ("1", "drug", &["azithromycin"]),
                ],
                &[("COMB", &[0, 1])],
            ),
        ],
    }
}

/// Crafted generations per template, read against the template's first sample document.
fn crafted(name: &str) -> Vec<(&'static str, &'static str)> {
    match name {
        "cdr" => vec![
            (
                "null sentence",
                "No chemical-induced diseases are established.",
            ),
            (
                "null sentence without period",
                " No chemical-induced diseases are established ",
            ),
            (
                "missing period",
                "The relation between methyldopa and hypotensive exists",
            ),
            (
                "extra spaces",
                "  The relation between methyldopa and hypotensive exists ;   The relation between Naloxone and hypertensive exists .  ",
            ),
            (
                "repeated relation",
                "The relation between methyldopa and hypotensive exists; The relation between methyldopa and hypotensive exists.",
            ),
            (
                "another mention of each entity",
                "The relation between alpha-methyldopa and hypotension exists.",
            ),
            (
                "truncated",
                "The relation between methyldopa and hypotensive exists; The relation between clonidine and hypo",
            ),
            (
                "stray text",
                "Sure! The relation between methyldopa and hypotensive exists.",
            ),
            ("empty", "   "),
        ],
        "chemprot" => vec![
            (
                "unknown label word",
                "the relation between tomudex and thymidylate synthase is inhibition.",
            ),
            (
                "label word with and",
                "the relation between tomudex and cyclin e is substrate and/or product.",
            ),
            (
                "case kept as generated",
                "the relation between Tomudex and thymidylate synthase is downregulation.",
            ),
            (
                "null sentence",
                "No drug-gene relationships are established.",
            ),
        ],
        "ddi" => vec![
            (
                "repeated relation, odd spacing",
                "the relation between naltrexone and Acamprosate is mechanism ;the relation between naltrexone and Acamprosate is mechanism.",
            ),
            (
                "truncated",
                "the relation between naltrexone and Acamprosate is mechanism; the relation between naltrexone and acampro",
            ),
            (
                "label word missing",
                "the relation between naltrexone and Acamprosate is .",
            ),
        ],
        _ => vec![
            (
                "one member",
                "carboplatin participate in a positive drug combination.",
            ),
            (
                "members in another order, repeated",
                "gemcitabine and Cisplatin participate in a positive drug combination; Cisplatin and gemcitabine participate in a positive drug combination.",
            ),
            (
                "empty label word written with one space",
                "Cisplatin and gemcitabine participate in a drug combination.",
            ),
            (
                "unknown label word",
                "Cisplatin and gemcitabine participate in a negative drug combination.",
            ),
            (
                "a list missing its last joiner",
                "Cisplatin, gemcitabine, paclitaxel participate in a  drug combination.",
            ),
        ],
    }
}

/// One extraction, one line per relation and unparseable piece.
fn show(extraction: &Extraction) -> String {
    let mut lines: Vec<String> = extraction
        .relations
        .iter()
        .map(|r| format!("  {} {:?}", r.label, r.arguments))
        .collect();
    lines.extend(
        extraction
            .unparseable
            .iter()
            .map(|piece| format!("  unparseable: {piece:?}")),
    );
    if lines.is_empty() {
        lines.push("  (nothing)".into());
    }
    lines.join("\n")
}

/// A generation read with and, where it differs, without the document's known strings.
fn show_reading(extractor: &Extractor, doc: &Document, spec: &TemplateSpec, text: &str) -> String {
    let known = extractor.extract_in(text, &known_strings(spec, doc));
    let leftmost = extractor.extract(text);
    let mut shown = format!("text: {text:?}\n{}", show(&known));
    if leftmost != known {
        shown.push_str(&format!(
            "\nleftmost, without known strings:\n{}",
            show(&leftmost)
        ));
    }
    shown
}

fn derive(spec: &TemplateSpec) -> Extractor {
    Extractor::derive(spec).unwrap_or_else(|error| panic!("{error}"))
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn generated_patterns() {
    let patterns: Vec<String> = paper::all()
        .iter()
        .map(|(name, spec)| format!("{name}:\n  {}", derive(spec).patterns().join("\n  ")))
        .collect();
    snapshot("extract_patterns", &patterns.join("\n"));
}

#[test]
fn rendered_sources_and_targets() {
    for (name, spec) in paper::all() {
        let mut shown = Vec::new();
        for doc in samples(name) {
            let render =
                |result: Result<String, TemplateError>| result.unwrap_or_else(|e| panic!("{e}"));
            let source = render(render_source(&spec, &doc));
            let target = render(render_target(&spec, &doc));
            let gold = target_relations(&spec, &doc).unwrap_or_else(|e| panic!("{e}"));
            shown.push(format!(
                "== {}\nsource: {source:?}\ntarget: {target:?}",
                doc.id
            ));
            for relation in gold {
                let arguments: Vec<String> = relation
                    .arguments
                    .iter()
                    .map(|a| format!("{:?} accepting {:?}", a.rendered, a.accepted))
                    .collect();
                shown.push(format!("  {}: {}", relation.label, arguments.join(", ")));
            }
        }
        snapshot(&format!("extract_rendered_{name}"), &shown.join("\n"));
    }
}

#[test]
fn crafted_generations() {
    for (name, spec) in paper::all() {
        let extractor = derive(&spec);
        let docs = samples(name);
        let mut shown = Vec::new();
        for doc in &docs {
            let perfect = render_target(&spec, doc).unwrap_or_else(|e| panic!("{e}"));
            shown.push(format!(
                "== perfect target of {}\n{}",
                doc.id,
                show_reading(&extractor, doc, &spec, &perfect)
            ));
        }
        for (case, text) in crafted(name) {
            shown.push(format!(
                "== {case}\n{}",
                show_reading(&extractor, &docs[0], &spec, text)
            ));
        }
        snapshot(&format!("extract_crafted_{name}"), &shown.join("\n"));
    }
}

#[test]
fn decoder_text_joins_source_and_target() {
    assert_eq!(
        decoder_text(&paper::cdr(), "prompt\n\n", "target."),
        "prompt\n\n\n\ntarget."
    );
}

#[test]
fn ambiguous_and_resolves_to_known_strings_else_leftmost() {
    let spec = paper::cdr();
    let extractor = derive(&spec);
    let doc = &samples("cdr")[1];
    let text = "The relation between HCFCs 123 and 124 and liver disease exists.";
    let arguments = |extraction: Extraction| {
        extraction
            .relations
            .into_iter()
            .map(|r| r.arguments)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        arguments(extractor.extract(text)),
        vec![vec!["HCFCs 123", "124 and liver disease"]]
    );
    assert_eq!(
        arguments(extractor.extract_in(text, &known_strings(&spec, doc))),
        vec![vec!["HCFCs 123 and 124", "liver disease"]]
    );
    // A string the document does not mention: the leftmost split stays.
    let unknown = "The relation between A and B and C exists.";
    assert_eq!(
        arguments(extractor.extract_in(unknown, &known_strings(&spec, doc))),
        vec![vec!["A", "B and C"]]
    );

    let dce = paper::dce();
    let extractor = derive(&dce);
    let doc = &samples("dce")[1];
    let text = "amoxicillin and clavulanate and azithromycin participate in a  drug combination.";
    assert_eq!(
        arguments(extractor.extract(text)),
        vec![vec!["amoxicillin", "clavulanate and azithromycin"]]
    );
    assert_eq!(
        arguments(extractor.extract_in(text, &known_strings(&dce, doc))),
        vec![vec!["amoxicillin and clavulanate", "azithromycin"]]
    );
}

#[test]
fn dce_lists_of_one_to_four_members_and_the_empty_label_word() {
    let spec = paper::dce();
    let extractor = derive(&spec);
    let drugs = ["A", "B", "C", "D"];
    for count in 1..=4 {
        let members = &drugs[..count];
        let text = format!(
            "{} participate in a  drug combination.",
            spec.list.join(members)
        );
        let extraction = extractor.extract(&text);
        assert_eq!(extraction.unparseable, Vec::<String>::new(), "{text}");
        assert_eq!(extraction.relations.len(), 1, "{text}");
        assert_eq!(extraction.relations[0].label, "COMB");
        assert_eq!(
            extraction.relations[0].arguments,
            members.to_vec(),
            "{text}"
        );
    }
    let target = render_target(&spec, &samples("dce")[0]).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        target
            .contains("Cisplatin, gemcitabine, and paclitaxel participate in a  drug combination")
    );
}

#[test]
fn an_explicit_pattern_replaces_the_generated_one() {
    let spec = TemplateSpec {
        extractor: Some(
            r"(?i)the relation between (?P<drug1>.+?) and (?P<drug2>.+?) is (?P<label>\w+)".into(),
        ),
        ..paper::ddi()
    };
    let extractor = derive(&spec);
    assert_eq!(
        extractor.patterns(),
        vec![
            r"^(?:(?i)the relation between (?P<drug1>.+?) and (?P<drug2>.+?) is (?P<label>\w+))$"
                .to_owned()
        ]
    );
    let extraction = extractor
        .extract("The relation between a and b is effect; The relation between a and b is bad.");
    assert_eq!(extraction.relations.len(), 1);
    assert_eq!(extraction.relations[0].arguments, vec!["a", "b"]);
    assert_eq!(
        extraction.unparseable,
        vec!["The relation between a and b is bad"]
    );

    let missing = TemplateSpec {
        extractor: Some("(?P<drug1>.+) and (?P<drug2>.+)".into()),
        ..paper::ddi()
    };
    assert_eq!(
        Extractor::derive(&missing).map(|_| ()),
        Err(ExtractError::MissingGroup {
            group: "label".into(),
            label_needed: true
        })
    );
    let unknown = TemplateSpec {
        extractor: Some("(?P<drug>.+) and (?P<drug2>.+) (?P<label>.+)".into()),
        ..paper::ddi()
    };
    assert!(Extractor::derive(&unknown).is_err());
    let broken = TemplateSpec {
        extractor: Some("(?P<drug1>".into()),
        ..paper::ddi()
    };
    assert!(matches!(
        Extractor::derive(&broken),
        Err(ExtractError::Pattern { .. })
    ));
}

#[test]
fn invalid_templates_are_reported_whole() {
    let spec = TemplateSpec {
        relation: "{{ drug1 }} with {{ drug1 }}".into(),
        labels: BTreeMap::from([("INT".into(), "x".into()), ("EFFECT".into(), "x".into())]),
        ..paper::ddi()
    };
    let messages: Vec<String> = expc::template::validate(&spec)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        vec![
            "relation template, line 1, column 18: `drug1` is used more than once; each variable is written exactly once",
            "relation: role `drug2` is never written by the relation template",
            "relation: there are 2 labels but the relation template has no `{{ label }}` to tell them apart",
            "labels: labels `EFFECT` and `INT` are both written as \"x\"; merge them with `merge_labels` instead",
        ]
    );
    assert!(
        matches!(Extractor::derive(&spec), Err(ExtractError::InvalidTemplate(errors)) if errors.len() == 4)
    );
}

#[test]
fn a_gold_label_the_template_does_not_know_is_an_error() {
    let doc = document(
        "d9",
        "a b",
        &[("1", "drug", &["a"]), ("2", "drug", &["b"])],
        &[("CPR:1", &[0, 1])],
    );
    let error = render_target(&paper::chemprot(), &doc)
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert_eq!(
        error,
        Err(
            "document `d9`: relation label `CPR:1` is in neither `labels` nor `merge_labels`"
                .into()
        )
    );
}

#[test]
fn roundtrip_recovers_the_samples() {
    for (name, spec) in paper::all() {
        let result = roundtrip(&spec, &samples(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(result.failures, vec![], "{name}");
        assert_eq!(result.recovered, result.relations, "{name}");
    }
}

#[test]
fn roundtrip_recovers_the_committed_excerpts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let excerpts = [
        (
            "cdr",
            paper::cdr(),
            load_ok(Format::Pubtator, &root.join("cdr/CDR_sample.PubTator.txt")),
        ),
        (
            "chemprot",
            paper::chemprot(),
            load_ok(
                Format::ChemprotTsv,
                &root.join("chemprot/chemprot_training"),
            ),
        ),
        (
            "ddi",
            paper::ddi(),
            load_ok(Format::DdiBrat, &root.join("ddi/DDICorpusBrat/Train")),
        ),
        (
            "dce",
            paper::dce(),
            load_ok(Format::DceJsonl, &root.join("dce/final_train_set.jsonl")),
        ),
    ];
    for (name, spec, docs) in excerpts {
        assert_eq!(assert_roundtrip(name, &spec, &docs), 1.0, "{name}");
    }
}

proptest::proptest! {
    /// Any text, however broken, is read without panicking, and every piece it does not read is
    /// kept.
    #[test]
    fn any_text_is_read_without_panicking(
        text in "(\\PC|The relation between | and |, and |, | is | participate in a |; |\\.){0,40}",
    ) {
        for (name, spec) in paper::all() {
            let extractor = derive(&spec);
            let known = known_strings(&spec, &samples(name)[0]);
            let extraction = extractor.extract_in(&text, &known);
            for piece in &extraction.unparseable {
                proptest::prop_assert!(text.contains(piece.as_str()));
            }
        }
    }
}
