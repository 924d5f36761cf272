//! The corpus layer end to end: committed excerpts and malformed inputs (always), and the full
//! corpora when `EXPC_DATA` names the data root (e.g. `EXPC_DATA=/work/shared/data`); without it
//! the full-corpus tests print that they are skipped and pass.

use expc::corpus::{
    CorpusError, DatasetSpec, Document, Format, Splits, ValidationSpec, load, load_dataset,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The committed excerpts.
fn excerpt_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The full data root, or `None` (after saying so) when `EXPC_DATA` is unset.
fn data_root(test: &str) -> Option<PathBuf> {
    let root = std::env::var_os("EXPC_DATA").map(PathBuf::from);
    if root.is_none() {
        println!("{test}: skipped (set EXPC_DATA to the data root to run it)");
    }
    root
}

/// Loads one split, failing the test with the error's message.
fn load_ok(format: Format, path: &Path) -> Vec<Document> {
    load(format, path).unwrap_or_else(|error| panic!("{error}"))
}

/// Loads a dataset, failing the test with the error's message.
fn load_dataset_ok(spec: &DatasetSpec) -> Splits {
    load_dataset(spec).unwrap_or_else(|error| panic!("{error}"))
}

/// A count table from literal pairs.
fn table(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs
        .iter()
        .map(|&(key, count)| (key.to_owned(), count))
        .collect()
}

/// Relations per label.
fn labels(documents: &[Document]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for relation in documents.iter().flat_map(|document| &document.relations) {
        *counts.entry(relation.label.clone()).or_default() += 1;
    }
    counts
}

/// Mentions per entity kind, counting a mention shared by several entities (a CDR composite
/// mention) once per distinct span.
fn mentions(documents: &[Document]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for document in documents {
        let distinct: BTreeSet<_> = document
            .entities
            .iter()
            .flat_map(|entity| {
                entity
                    .mentions
                    .iter()
                    .map(move |mention| (&entity.kind, &mention.spans))
            })
            .collect();
        for (kind, _) in distinct {
            *counts.entry(kind.clone()).or_default() += 1;
        }
    }
    counts
}

/// Document ids in order.
fn ids(documents: &[Document]) -> Vec<&str> {
    documents
        .iter()
        .map(|document| document.id.as_str())
        .collect()
}

/// What every loaded document satisfies: mention spans fit the text, a continuous mention's text
/// is what its span covers, relation arguments are entities, and the fields are the format's.
fn check_invariants(format: Format, documents: &[Document]) {
    let extra_fields: BTreeSet<&str> = format.template_fields()[4..].iter().copied().collect();
    for document in documents {
        let chars: Vec<char> = document.text.chars().collect();
        for mention in document.entities.iter().flat_map(|entity| &entity.mentions) {
            for &(start, end) in &mention.spans {
                assert!(
                    start <= end && end <= chars.len(),
                    "{}: span {start}..{end}",
                    document.id
                );
            }
            if let [(start, end)] = mention.spans[..] {
                let covered: String = chars[start..end].iter().collect();
                assert_eq!(covered, mention.text, "{}", document.id);
            }
        }
        for relation in &document.relations {
            assert!(!relation.arguments.is_empty(), "{}", document.id);
            assert!(
                relation
                    .arguments
                    .iter()
                    .all(|&argument| argument < document.entities.len())
            );
        }
        let fields: BTreeSet<&str> = document.fields.keys().map(String::as_str).collect();
        assert_eq!(fields, extra_fields, "{}", document.id);
    }
}

/// Every ChemProt relation goes from a CHEMICAL to a GENE-Y or GENE-N mention.
fn assert_chemical_to_gene(documents: &[Document]) {
    for document in documents {
        for relation in &document.relations {
            let [chemical, gene] = relation.arguments[..] else {
                panic!("{}: not two arguments", document.id)
            };
            assert_eq!(document.entities[chemical].kind, "CHEMICAL");
            assert!(document.entities[gene].kind.starts_with("GENE-"));
            assert!(!relation.unordered);
        }
    }
}

/// Snapshots the first document of a split as JSON under `snapshots/`.
fn snapshot_first(name: &str, documents: &[Document]) {
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_json_snapshot!(name, documents.first());
    });
}

mod excerpts {
    use super::*;

    #[test]
    fn dce() {
        let root = excerpt_root().join("dce");
        let train = load_ok(Format::DceJsonl, &root.join("final_train_set.jsonl"));
        check_invariants(Format::DceJsonl, &train);
        assert_eq!(train.len(), 7);
        assert_eq!(
            labels(&train),
            table(&[("COMB", 4), ("NEG", 1), ("POS", 1)])
        );
        assert!(
            train
                .iter()
                .flat_map(|d| &d.relations)
                .all(|relation| relation.unordered)
        );
        // The four spans with wrong `text` fields get their text from the offsets.
        let quirky = train
            .iter()
            .find(|d| d.id == "d404a0a64aefa9b15e1c76f398b14335");
        let texts: Vec<&str> = quirky
            .map(|d| {
                d.entities[5..9]
                    .iter()
                    .map(|e| e.mentions[0].text.as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            texts,
            [
                "cyclophosphamide",
                "doxorubicin",
                "vincristine",
                "prednisone"
            ]
        );
        let null_sources = train
            .iter()
            .filter(|d| d.fields["source"].is_empty())
            .count();
        assert_eq!(null_sources, 5);

        let splits = load_dataset_ok(&DatasetSpec {
            format: Format::DceJsonl,
            train: root.join("final_train_set.jsonl"),
            validation: ValidationSpec::TrainIds(root.join("paper_split/valid_doc_ids.txt")),
            test: root.join("final_test_set.jsonl"),
        });
        // Validation follows the order of the id file; train keeps the file order.
        assert_eq!(
            ids(&splits.validation),
            [
                "d404a0a64aefa9b15e1c76f398b14335",
                "26548f0a805861520e4097b0f1fb278f"
            ]
        );
        assert_eq!(splits.train.len(), 5);
        assert_eq!(labels(&splits.test), table(&[("POS", 1)]));
    }

    #[test]
    fn cdr() {
        let documents = load_ok(
            Format::Pubtator,
            &excerpt_root().join("cdr/CDR_sample.PubTator.txt"),
        );
        check_invariants(Format::Pubtator, &documents);
        assert_eq!(ids(&documents), ["227508", "2234245", "8638876"]);
        assert_eq!(
            mentions(&documents),
            table(&[("Chemical", 26), ("Disease", 30)])
        );
        assert_eq!(labels(&documents), table(&[("CID", 12)]));
        let first = &documents[0];
        let entity_ids: Vec<&str> = first.entities.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            entity_ids,
            [
                "D009270", "D003000", "D006973", "-1#1", "D007022", "D008750", "-1#2", "-1#3"
            ]
        );
        assert_eq!(first.entities[0].mentions.len(), 5);
        // A composite mention belongs to the entity of each of its ids, with its full span
        // ("Ocular and auditory toxicity"); a `-1` part is an entity of its own.
        let sharing = |document: &Document, span: (usize, usize)| -> Vec<String> {
            let entities = document.entities.iter();
            let sharing = entities.filter(|e| e.mentions.iter().any(|m| m.spans == [span]));
            sharing.map(|e| e.id.clone()).collect()
        };
        assert_eq!(sharing(&documents[1], (0, 28)), ["D014786", "D006311"]);
        assert_eq!(sharing(&documents[2], (708, 754)), ["D002544", "-1#1"]);
        for document in &documents {
            for relation in &document.relations {
                let [chemical, disease] = relation.arguments[..] else {
                    panic!("two arguments")
                };
                assert_eq!(document.entities[chemical].kind, "Chemical");
                assert_eq!(document.entities[disease].kind, "Disease");
                assert!(!relation.unordered);
            }
        }
    }

    #[test]
    fn chemprot() {
        let folder = excerpt_root().join("chemprot/chemprot_training");
        let documents = load_ok(Format::ChemprotTsv, &folder);
        check_invariants(Format::ChemprotTsv, &documents);
        assert_eq!(ids(&documents), ["16357751", "14967461", "23468099"]);
        assert_eq!(labels(&documents), table(&[("CPR:4", 17)]));
        assert_eq!(
            mentions(&documents),
            table(&[("CHEMICAL", 24), ("GENE-N", 4), ("GENE-Y", 20)])
        );
        let first = &documents[0];
        assert_eq!(
            first.text,
            format!("{} {}", first.fields["title"], first.fields["abstract"])
        );
        assert_chemical_to_gene(&documents);
    }

    #[test]
    fn ddi_xml_and_brat_agree() {
        let root = excerpt_root().join("ddi");
        let xml_train = load_ok(Format::DdiXml, &root.join("DDICorpus/Train"));
        let brat_train = load_ok(Format::DdiBrat, &root.join("DDICorpusBrat/Train"));
        check_invariants(Format::DdiXml, &xml_train);
        check_invariants(Format::DdiBrat, &brat_train);
        let expected = [
            "Acamprosate_ddi",
            "Dextroamphetamine_ddi",
            "Lenalidomide_ddi",
            "11211460",
        ];
        assert_eq!(ids(&xml_train), expected);
        let expected_labels = table(&[("EFFECT", 13), ("INT", 1), ("MECHANISM", 21)]);
        assert_eq!(labels(&xml_train), expected_labels);
        assert_eq!(labels(&brat_train), expected_labels);
        let discontinuous = xml_train[2]
            .entities
            .iter()
            .filter(|e| e.mentions[0].spans.len() == 2);
        assert_eq!(
            discontinuous
                .map(|e| e.mentions[0].text.as_str())
                .collect::<Vec<_>>(),
            ["R- warfarin"]
        );

        let xml_test = load_ok(Format::DdiXml, &root.join("DDICorpus/Test"));
        let brat_test = load_ok(Format::DdiBrat, &root.join("DDICorpusBrat/Test"));
        assert_eq!(ids(&xml_test), ["Phentermine", "21789791"]);
        assert_eq!(ids(&brat_test), ["Phentermine", "21789791"]);
        assert_eq!(labels(&xml_test), table(&[("INT", 1)]));
        for (xml, brat) in xml_train
            .iter()
            .chain(&xml_test)
            .zip(brat_train.iter().chain(&brat_test))
        {
            assert_eq!(xml.entities.len(), brat.entities.len(), "{}", xml.id);
            assert_eq!(
                labels(std::slice::from_ref(xml)),
                labels(std::slice::from_ref(brat))
            );
        }

        let splits = load_dataset_ok(&DatasetSpec {
            format: Format::DdiXml,
            train: root.join("DDICorpus/Train"),
            validation: ValidationSpec::TrainIds(root.join("paper_split/valid_doc_ids.txt")),
            test: root.join("DDICorpus/Test"),
        });
        assert_eq!(ids(&splits.validation), ["Lenalidomide_ddi"]);
        assert_eq!(
            ids(&splits.train),
            ["Acamprosate_ddi", "Dextroamphetamine_ddi", "11211460"]
        );
        assert_eq!(splits.test, xml_test);
    }

    #[test]
    fn holdout_is_seeded() {
        let root = excerpt_root().join("dce");
        let spec = DatasetSpec {
            format: Format::DceJsonl,
            train: root.join("final_train_set.jsonl"),
            validation: ValidationSpec::Holdout {
                fraction: 0.5,
                seed: 3,
            },
            test: root.join("final_test_set.jsonl"),
        };
        let splits = load_dataset_ok(&spec);
        assert_eq!((splits.train.len(), splits.validation.len()), (3, 4));
        assert_eq!(load_dataset_ok(&spec), splits);
        let mut all: Vec<&str> = ids(&splits.train)
            .into_iter()
            .chain(ids(&splits.validation))
            .collect();
        all.sort_unstable();
        let mut expected = ids(&load_ok(Format::DceJsonl, &spec.train))
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        expected.sort_unstable();
        assert_eq!(all, expected);

        let bad = DatasetSpec {
            validation: ValidationSpec::Holdout {
                fraction: 1.5,
                seed: 3,
            },
            ..spec
        };
        let error = load_dataset(&bad).expect_err("fraction above 1");
        assert!(error.message.contains("holdout fraction 1.5"), "{error}");
    }

    #[test]
    fn dataset_spec_serializes_in_kebab_case() {
        let spec = DatasetSpec {
            format: Format::DdiXml,
            train: "/d/Train".into(),
            validation: ValidationSpec::TrainIds("/d/valid.txt".into()),
            test: "/d/Test".into(),
        };
        let json = serde_json::to_string(&spec).expect("serializable");
        assert_eq!(
            json,
            r#"{"format":"ddi-xml","train":"/d/Train","validation":{"train-ids":"/d/valid.txt"},"test":"/d/Test"}"#
        );
        assert_eq!(
            serde_json::from_str::<DatasetSpec>(&json).expect("round trip"),
            spec
        );
        let holdout = ValidationSpec::Holdout {
            fraction: 0.2,
            seed: 7,
        };
        let json = serde_json::to_string(&holdout).expect("serializable");
        assert_eq!(json, r#"{"holdout":{"fraction":0.2,"seed":7}}"#);
    }
}

mod malformed {
    use super::*;

    /// A temporary folder holding `files` (relative path → content).
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("temporary folder");
        for (name, content) in files {
            let path = root.path().join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("create folder");
            }
            fs::write(path, content).expect("write file");
        }
        root
    }

    /// The error of loading `name` inside `root` in `format`, with the root shown as `ROOT`.
    fn error_of(format: Format, root: &tempfile::TempDir, name: &str) -> String {
        let error: CorpusError =
            load(format, &root.path().join(name)).expect_err("malformed input");
        error
            .to_string()
            .replace(&root.path().display().to_string(), "ROOT")
    }

    #[test]
    fn dce_bad_json() {
        let root = folder(&[("d.jsonl", "{\"doc_id\": \"a\", \"sentence\": \n")]);
        let error = error_of(Format::DceJsonl, &root, "d.jsonl");
        assert!(
            error.starts_with("ROOT/d.jsonl:1: invalid DCE line: EOF while parsing"),
            "{error}"
        );
    }

    #[test]
    fn pubtator_bad_offsets() {
        let block = "5|t|Aspirin.\n5|a|Pain.\n5\t0\t8\tAspirin\tChemical\tD001241\n";
        let root = folder(&[("c.txt", block)]);
        let error = error_of(Format::Pubtator, &root, "c.txt");
        assert_eq!(
            error,
            "ROOT/c.txt:3: mention text `Aspirin` differs from the text at 0..8: `Aspirin.`"
        );
    }

    #[test]
    fn pubtator_duplicated_document() {
        let block = "5|t|Aspirin.\n5|a|Pain.\n5\t0\t7\tAspirin\tChemical\tD001241\n\n";
        let root = folder(&[("c.txt", &format!("{block}{block}"))]);
        let error = error_of(Format::Pubtator, &root, "c.txt");
        assert_eq!(error, "ROOT/c.txt:5: duplicated document id `5`");
    }

    /// A ChemProt folder with the given entities and gold lines for one abstract.
    fn chemprot(entities: &str, gold: &str) -> tempfile::TempDir {
        folder(&[
            ("cp/x_abstracts.tsv", "7\tAspirin and COX1.\tNone.\n"),
            ("cp/x_entities.tsv", entities),
            ("cp/x_gold_standard.tsv", gold),
        ])
    }

    #[test]
    fn chemprot_missing_column() {
        let root = chemprot("7\tT1\tCHEMICAL\t0\t7\n", "");
        let error = error_of(Format::ChemprotTsv, &root, "cp");
        assert_eq!(
            error,
            "ROOT/cp/x_entities.tsv:1: expected 6 tab-separated columns, found 5"
        );
    }

    #[test]
    fn chemprot_unknown_entity_in_relation() {
        let entities = "7\tT1\tCHEMICAL\t0\t7\tAspirin\n7\tT2\tGENE-Y\t12\t16\tCOX1\n";
        let root = chemprot(
            entities,
            "7\tCPR:4\tArg1:T1\tArg2:T2\n7\tCPR:4\tArg1:T3\tArg2:T2\n",
        );
        let error = error_of(Format::ChemprotTsv, &root, "cp");
        assert_eq!(
            error,
            "ROOT/cp/x_gold_standard.tsv:2: Arg1 names entity `T3`, which document 7 does not have"
        );
    }

    #[test]
    fn chemprot_missing_file() {
        let root = folder(&[("cp/x_abstracts.tsv", ""), ("cp/x_entities.tsv", "")]);
        let error = error_of(Format::ChemprotTsv, &root, "cp");
        assert_eq!(error, "ROOT/cp: no file matches `*_gold_standard.tsv`");
    }

    #[test]
    fn ddi_truncated_xml() {
        let xml =
            "<?xml version=\"1.0\"?>\n<document id=\"d\">\n  <sentence id=\"d.s0\" text=\"x\">\n";
        let root = folder(&[("ddi/Train/a.xml", xml)]);
        let error = error_of(Format::DdiXml, &root, "ddi");
        assert_eq!(
            error,
            "ROOT/ddi/Train/a.xml:4: truncated XML: <sentence> is not closed"
        );
        let root = folder(&[("ddi/a.xml", "<document id=\"d\"><sentence id=\"d.s0\" te")]);
        let error = error_of(Format::DdiXml, &root, "ddi");
        assert!(
            error.starts_with("ROOT/ddi/a.xml:1: invalid XML"),
            "{error}"
        );
    }

    #[test]
    fn ddi_duplicated_document() {
        let xml = "<document id=\"d\"/>";
        let root = folder(&[("ddi/DrugBank/a.xml", xml), ("ddi/MedLine/a.xml", xml)]);
        let error = error_of(Format::DdiXml, &root, "ddi");
        assert_eq!(error, "ROOT/ddi/MedLine/a.xml: duplicated document id `a`");
    }

    #[test]
    fn brat_missing_annotation_file() {
        let root = folder(&[
            ("brat/a.txt", "text"),
            ("brat/b.txt", "text"),
            ("brat/a.ann", ""),
        ]);
        let error = error_of(Format::DdiBrat, &root, "brat");
        assert_eq!(
            error,
            "ROOT/brat/b.txt: text file without a matching .ann file"
        );
    }

    #[test]
    fn unknown_or_repeated_id_in_train_ids() {
        let root = folder(&[
            (
                "d.jsonl",
                r#"{"doc_id": "a", "sentence": "x", "spans": [], "rels": [], "paragraph": "x", "source": null}"#,
            ),
            ("valid.txt", "a\n\nb\n"),
        ]);
        let spec = DatasetSpec {
            format: Format::DceJsonl,
            train: root.path().join("d.jsonl"),
            validation: ValidationSpec::TrainIds(root.path().join("valid.txt")),
            test: root.path().join("d.jsonl"),
        };
        let error_of_spec = |spec: &DatasetSpec| {
            let error = load_dataset(spec).expect_err("bad id file").to_string();
            error.replace(&root.path().display().to_string(), "ROOT")
        };
        assert_eq!(
            error_of_spec(&spec),
            "ROOT/valid.txt:3: id `b` is not a training document"
        );
        fs::write(root.path().join("valid.txt"), "a\na\n").expect("write file");
        assert_eq!(
            error_of_spec(&spec),
            "ROOT/valid.txt:2: id `a` is listed twice"
        );
    }

    #[test]
    fn missing_file() {
        let root = folder(&[]);
        let error = error_of(Format::Pubtator, &root, "none.txt");
        assert!(error.starts_with("ROOT/none.txt: cannot open:"), "{error}");
    }
}

mod full {
    use super::*;

    /// The paper's split of a corpus: train minus the listed validation ids, and test.
    fn paper_split(format: Format, train: PathBuf, valid_ids: PathBuf, test: PathBuf) -> Splits {
        load_dataset_ok(&DatasetSpec {
            format,
            train,
            validation: ValidationSpec::TrainIds(valid_ids),
            test,
        })
    }

    /// The ids listed in a `paper_split` file, as a set.
    fn listed_ids(path: &Path) -> BTreeSet<String> {
        let text =
            fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        text.lines()
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The ids of `documents`, as a set.
    fn id_set(documents: &[Document]) -> BTreeSet<String> {
        documents
            .iter()
            .map(|document| document.id.clone())
            .collect()
    }

    #[test]
    fn dce() {
        let Some(root) = data_root("full::dce") else {
            return;
        };
        let root = root.join("dce");
        let train = load_ok(Format::DceJsonl, &root.join("final_train_set.jsonl"));
        let test = load_ok(Format::DceJsonl, &root.join("final_test_set.jsonl"));
        check_invariants(Format::DceJsonl, &train);
        check_invariants(Format::DceJsonl, &test);
        assert_eq!((train.len(), test.len()), (1362, 272));
        assert_eq!(
            labels(&train),
            table(&[("COMB", 235), ("NEG", 116), ("POS", 688)])
        );
        assert_eq!(
            labels(&test),
            table(&[("COMB", 43), ("NEG", 16), ("POS", 150)])
        );
        assert_eq!(mentions(&train), table(&[("drug", 4060)]));
        assert_eq!(mentions(&test), table(&[("drug", 775)]));
        assert_eq!(train.iter().filter(|d| d.relations.is_empty()).count(), 494);
        assert_eq!(test.iter().filter(|d| d.relations.is_empty()).count(), 97);
        assert_eq!(
            train
                .iter()
                .filter(|d| d.fields["source"].is_empty())
                .count(),
            94
        );

        let splits = paper_split(
            Format::DceJsonl,
            root.join("final_train_set.jsonl"),
            root.join("paper_split/valid_doc_ids.txt"),
            root.join("final_test_set.jsonl"),
        );
        assert_eq!(
            (
                splits.train.len(),
                splits.validation.len(),
                splits.test.len()
            ),
            (1089, 273, 272)
        );
        assert_eq!(
            id_set(&splits.train),
            listed_ids(&root.join("paper_split/train_doc_ids.txt"))
        );
        assert_eq!(
            id_set(&splits.test),
            listed_ids(&root.join("paper_split/test_doc_ids.txt"))
        );
        assert_eq!(
            labels(&splits.train),
            table(&[("COMB", 187), ("NEG", 97), ("POS", 547)])
        );
        assert_eq!(
            labels(&splits.validation),
            table(&[("COMB", 48), ("NEG", 19), ("POS", 141)])
        );
        snapshot_first("corpus_dce_train_first", &splits.train);
        snapshot_first("corpus_dce_validation_first", &splits.validation);
        snapshot_first("corpus_dce_test_first", &splits.test);
    }

    #[test]
    fn cdr() {
        let Some(root) = data_root("full::cdr") else {
            return;
        };
        let expected = [
            ("CDR_TrainingSet.PubTator.txt", 1038, 5203, 4182, "train"),
            (
                "CDR_DevelopmentSet.PubTator.txt",
                1012,
                5347,
                4244,
                "validation",
            ),
            ("CDR_TestSet.PubTator.txt", 1066, 5385, 4424, "test"),
        ];
        for (file, cid, chemical, disease, split) in expected {
            let documents = load_ok(Format::Pubtator, &root.join("cdr").join(file));
            check_invariants(Format::Pubtator, &documents);
            assert_eq!(documents.len(), 500, "{file}");
            assert_eq!(labels(&documents), table(&[("CID", cid)]), "{file}");
            assert_eq!(
                mentions(&documents),
                table(&[("Chemical", chemical), ("Disease", disease)])
            );
            assert!(documents.iter().all(|d| !d.relations.is_empty()), "{file}");
            snapshot_first(&format!("corpus_cdr_{split}_first"), &documents);
        }
    }

    #[test]
    fn chemprot() {
        let Some(root) = data_root("full::chemprot") else {
            return;
        };
        let expected = [
            (
                "chemprot_training",
                1020,
                [13_017, 4387, 8348],
                [768, 2254, 173, 235, 727],
                635,
                "train",
            ),
            (
                "chemprot_development",
                612,
                [8004, 2412, 5151],
                [550, 1094, 116, 199, 457],
                376,
                "validation",
            ),
            (
                "chemprot_test_gs",
                800,
                [10_810, 3360, 6658],
                [665, 1661, 195, 293, 644],
                514,
                "test",
            ),
        ];
        for (folder, count, kinds, groups, with_relations, split) in expected {
            let documents = load_ok(Format::ChemprotTsv, &root.join("chemprot").join(folder));
            check_invariants(Format::ChemprotTsv, &documents);
            assert_eq!(documents.len(), count, "{folder}");
            let [c3, c4, c5, c6, c9] = groups;
            let expected_labels = table(&[
                ("CPR:3", c3),
                ("CPR:4", c4),
                ("CPR:5", c5),
                ("CPR:6", c6),
                ("CPR:9", c9),
            ]);
            assert_eq!(labels(&documents), expected_labels, "{folder}");
            assert_eq!(
                documents.iter().filter(|d| !d.relations.is_empty()).count(),
                with_relations
            );
            let [chemical, gene_n, gene_y] = kinds;
            let expected_kinds = table(&[
                ("CHEMICAL", chemical),
                ("GENE-N", gene_n),
                ("GENE-Y", gene_y),
            ]);
            assert_eq!(mentions(&documents), expected_kinds, "{folder}");
            assert_chemical_to_gene(&documents);
            snapshot_first(&format!("corpus_chemprot_{split}_first"), &documents);
        }
        let sample = load_ok(Format::ChemprotTsv, &root.join("chemprot/chemprot_sample"));
        assert_eq!((sample.len(), entity_count(&sample)), (50, 1289));
        let expected_labels = [
            ("CPR:3", 78),
            ("CPR:4", 89),
            ("CPR:5", 13),
            ("CPR:6", 14),
            ("CPR:9", 45),
        ];
        assert_eq!(labels(&sample), table(&expected_labels));
    }

    /// DDI relation labels from literal counts (mechanism, effect, advise, int).
    fn ddi_labels([mechanism, effect, advise, int]: [usize; 4]) -> BTreeMap<String, usize> {
        table(&[
            ("ADVISE", advise),
            ("EFFECT", effect),
            ("INT", int),
            ("MECHANISM", mechanism),
        ])
    }

    /// The number of entities (= mentions) of `documents`.
    fn entity_count(documents: &[Document]) -> usize {
        documents
            .iter()
            .map(|document| document.entities.len())
            .sum()
    }

    #[test]
    fn ddi_xml() {
        let Some(root) = data_root("full::ddi_xml") else {
            return;
        };
        let root = root.join("ddi");
        let train = load_ok(Format::DdiXml, &root.join("DDICorpus/Train"));
        let test = load_ok(Format::DdiXml, &root.join("DDICorpus/Test"));
        check_invariants(Format::DdiXml, &train);
        check_invariants(Format::DdiXml, &test);
        assert_eq!((train.len(), test.len()), (714, 303));
        assert_eq!(labels(&train), ddi_labels([1319, 1687, 826, 189]));
        assert_eq!(labels(&test), ddi_labels([302, 360, 221, 96]));
        let kinds = |[drug, group, brand, drug_n]: [usize; 4]| {
            table(&[
                ("brand", brand),
                ("drug", drug),
                ("drug_n", drug_n),
                ("group", group),
            ])
        };
        assert_eq!(mentions(&train), kinds([9425, 3399, 1437, 504]));
        assert_eq!(mentions(&test), kinds([2215, 822, 428, 261]));
        let discontinuous = |documents: &[Document]| {
            documents
                .iter()
                .flat_map(|d| &d.entities)
                .filter(|e| e.mentions[0].spans.len() > 1)
                .count()
        };
        assert_eq!(discontinuous(&train) + discontinuous(&test), 49);
        let extraction = load_ok(
            Format::DdiXml,
            &root.join("DDICorpus/Test/Test for DDI Extraction task"),
        );
        let ner = load_ok(
            Format::DdiXml,
            &root.join("DDICorpus/Test/Test for DrugNER task"),
        );
        assert_eq!((extraction.len(), entity_count(&extraction)), (191, 3040));
        assert_eq!(
            (ner.len(), entity_count(&ner), labels(&ner).len()),
            (112, 686, 0)
        );

        let splits = paper_split(
            Format::DdiXml,
            root.join("DDICorpus/Train"),
            root.join("paper_split/valid_doc_ids.txt"),
            root.join("DDICorpus/Test"),
        );
        let sizes = (
            splits.train.len(),
            splits.validation.len(),
            splits.test.len(),
        );
        assert_eq!(sizes, (571, 143, 303));
        assert_eq!(
            id_set(&splits.train),
            listed_ids(&root.join("paper_split/train_doc_ids.txt"))
        );
        assert_eq!(
            id_set(&splits.test),
            listed_ids(&root.join("paper_split/test_doc_ids.txt"))
        );
        assert_eq!(labels(&splits.train), ddi_labels([1067, 1429, 709, 153]));
        assert_eq!(labels(&splits.validation), ddi_labels([252, 258, 117, 36]));
        assert_eq!(labels(&splits.test), ddi_labels([302, 360, 221, 96]));
        let entities = (
            entity_count(&splits.train),
            entity_count(&splits.validation),
            entity_count(&splits.test),
        );
        assert_eq!(entities, (12_024, 2741, 3726));
        snapshot_first("corpus_ddi_xml_train_first", &splits.train);
        snapshot_first("corpus_ddi_xml_validation_first", &splits.validation);
        snapshot_first("corpus_ddi_xml_test_first", &splits.test);
    }

    #[test]
    fn ddi_brat() {
        let Some(root) = data_root("full::ddi_brat") else {
            return;
        };
        let root = root.join("ddi");
        for (split, count, labels_expected, kinds) in [
            (
                "Train",
                714,
                [1319, 1687, 826, 189],
                [9425, 3399, 1437, 504],
            ),
            ("Test", 303, [302, 360, 221, 96], [2215, 822, 428, 261]),
        ] {
            let brat = load_ok(Format::DdiBrat, &root.join("DDICorpusBrat").join(split));
            check_invariants(Format::DdiBrat, &brat);
            assert_eq!(brat.len(), count);
            assert_eq!(labels(&brat), ddi_labels(labels_expected));
            let [drug, group, brand, drug_n] = kinds;
            let expected_kinds = table(&[
                ("BRAND", brand),
                ("DRUG", drug),
                ("DRUG_N", drug_n),
                ("GROUP", group),
            ]);
            assert_eq!(mentions(&brat), expected_kinds);
            // Document by document, the brat release has the XML release's entities and labels.
            let xml = load_ok(Format::DdiXml, &root.join("DDICorpus").join(split));
            let xml_by_id: BTreeMap<&str, &Document> =
                xml.iter().map(|d| (d.id.as_str(), d)).collect();
            for document in &brat {
                let Some(twin) = xml_by_id.get(document.id.as_str()) else {
                    panic!("{} not in XML", document.id)
                };
                assert_eq!(
                    document.entities.len(),
                    twin.entities.len(),
                    "{}",
                    document.id
                );
                let one = |d: &Document| labels(std::slice::from_ref(d));
                assert_eq!(one(document), one(twin), "{}", document.id);
            }
            snapshot_first(
                &format!("corpus_ddi_brat_{}_first", split.to_lowercase()),
                &brat,
            );
        }
    }

    /// Loading time of every split of the four corpora (both DDI releases); run with
    /// `EXPC_DATA=… cargo test --release --test corpora -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing; run in release mode"]
    fn load_everything_timing() {
        let Some(root) = data_root("full::load_everything_timing") else {
            return;
        };
        let splits = [
            (Format::DceJsonl, "dce/final_train_set.jsonl"),
            (Format::DceJsonl, "dce/final_test_set.jsonl"),
            (Format::Pubtator, "cdr/CDR_TrainingSet.PubTator.txt"),
            (Format::Pubtator, "cdr/CDR_DevelopmentSet.PubTator.txt"),
            (Format::Pubtator, "cdr/CDR_TestSet.PubTator.txt"),
            (Format::ChemprotTsv, "chemprot/chemprot_training"),
            (Format::ChemprotTsv, "chemprot/chemprot_development"),
            (Format::ChemprotTsv, "chemprot/chemprot_test_gs"),
            (Format::DdiXml, "ddi/DDICorpus/Train"),
            (Format::DdiXml, "ddi/DDICorpus/Test"),
            (Format::DdiBrat, "ddi/DDICorpusBrat/Train"),
            (Format::DdiBrat, "ddi/DDICorpusBrat/Test"),
        ];
        let start = std::time::Instant::now();
        let mut documents = 0;
        for (format, path) in splits {
            let split_start = std::time::Instant::now();
            let loaded = load_ok(format, &root.join(path));
            println!(
                "{path}: {} documents in {:?}",
                loaded.len(),
                split_start.elapsed()
            );
            documents += loaded.len();
        }
        println!("all: {documents} documents in {:?}", start.elapsed());
    }
}
