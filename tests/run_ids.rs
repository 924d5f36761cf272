//! Properties of run identity: cosmetic edits (whitespace, comments, declaration order) never
//! change a run id; a hyper-parameter change changes exactly the ids of the runs it affects.

mod support;

use expc::check::{CheckOptions, check_text};
use expc::plan::{self, PlanOptions, Run};
use expc::source::FileId;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use support::root;

fn fixture() -> PathBuf {
    root().join("tests/fixtures/grid.exp")
}

type Coordinates = (String, String, String, u64);

fn runs(text: &str) -> BTreeMap<Coordinates, Run> {
    let options = CheckOptions {
        model_root: Some(root().join("tests/fixtures/models")),
        data_root: Some(root().join("tests/data")),
    };
    let checked = check_text(&fixture(), text.to_string(), &options);
    let study = checked
        .study
        .unwrap_or_else(|| panic!("study does not check: {:?}\n{text}", checked.diagnostics));
    plan::build(&study, PlanOptions::default())
        .runs
        .into_iter()
        .map(|run| {
            (
                (
                    run.model.clone(),
                    run.task.clone(),
                    run.shots.to_string(),
                    run.seed,
                ),
                run,
            )
        })
        .collect()
}

fn canonical() -> String {
    let text = std::fs::read_to_string(fixture()).expect("fixture");
    expc::syntax::format(&expc::syntax::parse(FileId(0), &text).expect("fixture parses"))
}

/// Rewrites the canonical text: blocks reordered, comments and blank lines and spaces added.
fn cosmetic(text: &str, order: &[usize], comments: &[bool], spaces: &[u8]) -> String {
    let mut chunks: Vec<&str> = text.split("\n\n").collect();
    let imports = chunks.remove(0);
    let mut reordered = vec![imports.to_string()];
    let mut indices: Vec<usize> = (0..chunks.len()).collect();
    indices.sort_by_key(|i| order.get(*i).copied().unwrap_or(0));
    reordered.extend(indices.iter().map(|i| chunks[*i].to_string()));
    let joined = reordered.join("\n\n\n");
    joined
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let indent = " ".repeat(usize::from(
                spaces.get(i % spaces.len().max(1)).copied().unwrap_or(0) % 4,
            ));
            let comment = if comments
                .get(i % comments.len().max(1))
                .copied()
                .unwrap_or(false)
            {
                "   // a remark"
            } else {
                ""
            };
            format!("{indent}{line}{comment}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The ids of the runs of `text` with `clause` added to the training profile, by coordinates.
fn ids_with(text: &str, clause: &str) -> BTreeMap<Coordinates, String> {
    let edited = text.replacen(
        "}\n\nexperiment few_shot",
        &format!("  {clause}\n}}\n\nexperiment few_shot"),
        1,
    );
    assert_ne!(edited, text);
    runs(&edited)
        .into_iter()
        .map(|(coordinates, run)| (coordinates, run.id))
        .collect()
}

#[test]
fn lora_ids_ignore_the_order_of_targets_and_see_every_setting() {
    let text = canonical();
    let lora = |settings: &str| ids_with(&text, &format!("lora {{ {settings} }}"));
    let base = lora("rank = 8, alpha = 16, targets = [\"q\", \"v\"]");
    assert_eq!(base, lora("targets = [\"v\", \"q\"], alpha = 16, rank = 8"));
    assert_eq!(
        base,
        lora("rank = 8, alpha = 16.0, dropout = 0, targets = [\"q\", \"v\"]")
    );
    let plain: BTreeMap<Coordinates, String> = runs(&text)
        .into_iter()
        .map(|(coordinates, run)| (coordinates, run.id))
        .collect();
    let variants = [
        plain,
        lora("rank = 4, alpha = 16, targets = [\"q\", \"v\"]"),
        lora("rank = 8, alpha = 8, targets = [\"q\", \"v\"]"),
        lora("rank = 8, alpha = 16, dropout = 0.1, targets = [\"q\", \"v\"]"),
        lora("rank = 8, alpha = 16, targets = [\"q\"]"),
        ids_with(
            &text,
            "lora { rank = 8, alpha = 16, targets = [\"q\", \"v\"] }, precision = \"bf16\"",
        ),
        ids_with(
            &text,
            "lora { rank = 8, alpha = 16, targets = [\"q\", \"v\"] }, precision = \"f16\"",
        ),
    ];
    for (coordinates, id) in &base {
        for variant in &variants {
            assert_ne!(&variant[coordinates], id, "{coordinates:?}");
        }
    }
    assert_eq!(
        base,
        ids_with(
            &text,
            "lora { rank = 8, alpha = 16, targets = [\"q\", \"v\"] }, precision = \"f32\"",
        )
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn cosmetic_edits_keep_every_run_id(
        order in proptest::collection::vec(0usize..100, 12),
        comments in proptest::collection::vec(any::<bool>(), 1..20),
        spaces in proptest::collection::vec(any::<u8>(), 1..20),
    ) {
        let text = canonical();
        let before = runs(&text);
        let after = runs(&cosmetic(&text, &order, &comments, &spaces));
        prop_assert_eq!(before.len(), after.len());
        for (coordinates, run) in &before {
            prop_assert_eq!(&after[coordinates].id, &run.id);
        }
    }

    #[test]
    fn a_hyper_parameter_change_changes_exactly_the_affected_ids(
        field in prop_oneof![
            Just(("epochs", "7")),
            Just(("learning_rate", "3e-5")),
            Just(("batch_size", "16")),
            Just(("grad_accumulation", "4")),
            Just(("warmup_ratio", "0.25")),
            Just(("weight_decay", "0.1")),
            Just(("adam_epsilon", "1e-6")),
            Just(("max_grad_norm", "0.5")),
            Just(("max_target_tokens", "64")),
            Just(("selection", "\"last-epoch\"")),
            Just(("lora", "{ rank = 8, alpha = 16, targets = [\"q\", \"v\"] }")),
            Just(("lora", "{ rank = 4, alpha = 8, dropout = 0.1, targets = [\"o\"] }, precision = \"bf16\"")),
        ],
        shots in proptest::option::of(prop_oneof![Just("2"), Just("4"), Just("full"), Just("[2, full]")]),
        seeds in proptest::option::of(prop_oneof![Just("0"), Just("1")]),
        models in proptest::option::of(prop_oneof![Just("tiny"), Just("absent")]),
    ) {
        let mut conditions = Vec::new();
        if let Some(s) = shots { conditions.push(format!("shots = {s}")); }
        if let Some(s) = seeds { conditions.push(format!("seeds = {s}")); }
        if let Some(m) = models { conditions.push(format!("models = {m}")); }
        if conditions.is_empty() { conditions.push("tasks = [dce, cdr]".to_string()); }
        let text = canonical();
        let clause = format!("  when {} {{ {} = {} }}\n}}\n\nexperiment few_shot", conditions.join(", "), field.0, field.1);
        let edited = text.replacen("}\n\nexperiment few_shot", &clause, 1);
        prop_assert_ne!(&edited, &text);
        let before = runs(&text);
        let after = runs(&edited);
        for (coordinates, run) in &before {
            let changed = after[coordinates].spec.training != run.spec.training;
            prop_assert_eq!(after[coordinates].id != run.id, changed, "{:?}", coordinates);
        }
    }
}
