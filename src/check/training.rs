//! `training NAME { epochs = …, … when shots = 16 { … } }`.

use super::fields::{self, Bound, Fields};
use super::names::{Kind, Names};
use super::study::{Condition, Selection, Shots, Training, TrainingOverrides};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::syntax::ast::{Block, Field, Value, ValueKind};

/// Checks a training block: its fields and its `when` clauses.
pub fn check(
    block: &Block,
    name: &str,
    names: &Names,
    diagnostics: &mut Vec<Diagnostic>,
) -> Training {
    let base = overrides(
        &block.fields,
        &format!("training `{name}`"),
        block.name_span(),
        diagnostics,
    );
    let whens = block
        .whens
        .iter()
        .map(|when| {
            let condition = condition(&when.conditions, names, diagnostics);
            let fields = overrides(
                &when.fields,
                &format!("a `when` clause of training `{name}`"),
                when.span,
                diagnostics,
            );
            (condition, fields)
        })
        .collect();
    Training { base, whens }
}

fn overrides(
    entries: &[Field],
    what: &str,
    span: crate::source::Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> TrainingOverrides {
    let mut fields = Fields::new(entries, what, span, diagnostics);
    let mut o = TrainingOverrides::default();
    macro_rules! count {
        ($key:ident, $min:expr) => {
            if let Some(f) = fields.get(stringify!($key)) {
                o.$key = fields::count(&f.value, $min, diagnostics);
            }
        };
    }
    macro_rules! number {
        ($key:ident, $bound:expr) => {
            if let Some(f) = fields.get(stringify!($key)) {
                o.$key = fields::number(&f.value, $bound, diagnostics);
            }
        };
    }
    count!(epochs, 1);
    number!(learning_rate, Bound::Positive);
    count!(batch_size, 1);
    count!(grad_accumulation, 1);
    number!(warmup_ratio, Bound::UnitHalfOpen);
    number!(weight_decay, Bound::NonNegative);
    number!(adam_beta1, Bound::UnitHalfOpen);
    number!(adam_beta2, Bound::UnitHalfOpen);
    number!(adam_epsilon, Bound::Positive);
    number!(max_grad_norm, Bound::Positive);
    count!(max_source_tokens, 1);
    count!(max_target_tokens, 1);
    if let Some(f) = fields.get("selection") {
        o.selection = fields::option(
            &f.value,
            "selection rule",
            &[
                ("best-validation", Selection::BestValidation),
                ("last-epoch", Selection::LastEpoch),
            ],
            diagnostics,
        );
    }
    fields.finish(diagnostics);
    o
}

const COORDINATES: [&str; 4] = ["shots", "models", "tasks", "seeds"];

fn condition(conditions: &[Field], names: &Names, diagnostics: &mut Vec<Diagnostic>) -> Condition {
    let mut condition = Condition::default();
    for (i, field) in conditions.iter().enumerate() {
        if conditions[..i].iter().any(|f| f.key.node == field.key.node) {
            diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateField,
                    format!("condition on `{}` is given twice", field.key.node),
                )
                .at(field.key.span, "given again here"),
            );
            continue;
        }
        match field.key.node.as_str() {
            "shots" => condition.shots = Some(shots_list(&field.value, diagnostics)),
            "seeds" => condition.seeds = Some(seeds(&field.value, diagnostics)),
            "models" => {
                condition.models = Some(references(&field.value, Kind::Model, names, diagnostics))
            }
            "tasks" => {
                condition.tasks = Some(references(&field.value, Kind::Task, names, diagnostics))
            }
            other => diagnostics.push(
                Diagnostic::new(Code::WhenCondition, format!("`when` cannot test `{other}`"))
                    .at(field.key.span, "not a run coordinate")
                    .maybe_help(did_you_mean(other, COORDINATES))
                    .note("a `when` clause tests run coordinates: shots, models, tasks, seeds"),
            ),
        }
    }
    condition
}

/// The names in a list (or a single name) of declarations of `kind`.
pub fn references(
    value: &Value,
    kind: Kind,
    names: &Names,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<String> {
    fields::items(value)
        .into_iter()
        .filter_map(|item| names.resolve(item, kind, diagnostics))
        .collect()
}

/// One shot setting: a positive count or `full`.
pub fn shots(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<Shots> {
    match &value.kind {
        ValueKind::Reference(word) | ValueKind::String(word) if word == "full" => Some(Shots::Full),
        ValueKind::Int(k) if *k < 1 => {
            diagnostics.push(
                fields::out_of_range(value, "must be at least 1").help(
                    "shots count training documents; write `full` for the whole training split",
                ),
            );
            None
        }
        ValueKind::Int(_) => fields::count(value, 1, diagnostics).map(Shots::Few),
        ValueKind::Reference(word) | ValueKind::String(word) => {
            diagnostics.push(
                fields::wrong_type(value, "a number of shots or `full`")
                    .maybe_help(did_you_mean(word, ["full"])),
            );
            None
        }
        _ => {
            diagnostics.push(fields::wrong_type(value, "a number of shots or `full`"));
            None
        }
    }
}

/// A list (or a single value) of shot settings.
pub fn shots_list(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Vec<Shots> {
    fields::items(value)
        .into_iter()
        .filter_map(|item| shots(item, diagnostics))
        .collect()
}

/// A list (or a single value) of seeds.
pub fn seeds(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Vec<u64> {
    fields::items(value)
        .into_iter()
        .filter_map(|item| fields::integer(item, 0, i64::MAX, diagnostics).map(i64::unsigned_abs))
        .collect()
}
