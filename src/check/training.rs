//! `training NAME { epochs = …, … when shots = 16 { … } }`.

use super::fields::{self, Bound, Fields};
use super::names::{Kind, Names};
use super::study::{
    Condition, LoraParams, Precision, Selection, Shots, Training, TrainingOverrides,
};
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
            half_precision_without_lora(&when.fields, &fields, &block.fields, diagnostics);
            (condition, fields)
        })
        .collect();
    half_precision_without_lora(&block.fields, &base, &block.fields, diagnostics);
    Training { base, whens }
}

/// A clause that sets a half precision must train LoRA adapters: set `lora` itself, or be a
/// `when` clause of a profile whose base sets it. Only frozen weights are stored in half
/// precision; a full finetune in it loses its updates to rounding (bf16) or overflows (f16).
fn half_precision_without_lora(
    entries: &[Field],
    clause: &TrainingOverrides,
    base: &[Field],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(precision) = clause.precision.filter(|p| !p.is_f32()) else {
        return;
    };
    // A `lora` field with errors of its own counts: its diagnostics say what to fix.
    let has_lora = |fields: &[Field]| fields.iter().any(|f| f.key.node == "lora");
    if has_lora(entries) || has_lora(base) {
        return;
    }
    if let Some(field) = entries.iter().find(|f| f.key.node == "precision") {
        diagnostics.push(
            Diagnostic::new(
                Code::LoraSettings,
                format!("precision `{precision}` needs LoRA adapters to train"),
            )
            .at(field.value.span, "no `lora` in this clause or the profile")
            .help("add `lora { rank = 8, alpha = 16, targets = [\"q\", \"v\"] }` next to it, or remove `precision`")
            .note("half precision stores the frozen base weights; the trained adapters stay in f32"),
        );
    }
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
    if let Some(f) = fields.get("precision") {
        o.precision = fields::option(&f.value, "precision", &Precision::NAMES, diagnostics);
    }
    if let Some(f) = fields.get("lora") {
        o.lora = lora(&f.value, diagnostics);
    }
    fields.finish(diagnostics);
    o
}

/// `lora { rank = 8, alpha = 16, dropout = 0.05, targets = ["q", "v"] }`.
fn lora(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<LoraParams> {
    let entries = fields::object(value, diagnostics)?;
    let mut fields = Fields::new(entries, "`lora`", value.span, diagnostics);
    let before = diagnostics.len();
    let rank = fields
        .require("rank", "8")
        .and_then(|f| fields::count(&f.value, 1, diagnostics));
    let alpha = fields
        .require("alpha", "16")
        .and_then(|f| fields::number(&f.value, Bound::Positive, diagnostics));
    let dropout = match fields.get("dropout") {
        Some(f) => fields::number(&f.value, Bound::UnitHalfOpen, diagnostics),
        None => Some(0.0),
    };
    let targets = fields
        .require("targets", "[\"q\", \"v\"]")
        .and_then(|f| targets(&f.value, diagnostics));
    fields.finish(diagnostics);
    if diagnostics.len() > before {
        return None;
    }
    Some(LoraParams {
        rank: rank?,
        alpha: alpha?,
        dropout: dropout?,
        targets: targets?,
    })
}

/// Target module names: a non-empty list of distinct, non-empty strings, returned sorted.
fn targets(value: &Value, diagnostics: &mut Vec<Diagnostic>) -> Option<Vec<String>> {
    let ValueKind::List(items) = &value.kind else {
        diagnostics.push(fields::wrong_type(value, "a list of module names"));
        return None;
    };
    if items.is_empty() {
        diagnostics.push(
            Diagnostic::new(Code::LoraSettings, "`targets` lists no module")
                .at(value.span, "no target modules")
                .help("name the layers to adapt by the last part of their Hugging Face module name, e.g. `[\"q\", \"v\"]` (T5) or `[\"q_proj\", \"v_proj\"]` (BART, Llama)"),
        );
        return None;
    }
    let mut names: Vec<(String, &Value)> = Vec::new();
    let mut valid = true;
    for item in items {
        let Some(name) = fields::string(item, diagnostics) else {
            valid = false;
            continue;
        };
        if name.is_empty() || name.starts_with('.') || name.ends_with('.') {
            diagnostics.push(
                Diagnostic::new(Code::LoraSettings, format!("`{name}` is not a module name"))
                    .at(item.span, "not a module name")
                    .help("write a module name or a dotted suffix of one, e.g. `\"q\"` or `\"SelfAttention.q\"`"),
            );
            valid = false;
        } else if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
            diagnostics.push(
                Diagnostic::new(
                    Code::LoraSettings,
                    format!("target `{name}` is listed twice"),
                )
                .at(item.span, "listed again")
                .also(first.span, "first listed here")
                .help("remove the repeated target"),
            );
            valid = false;
        } else {
            names.push((name, item));
        }
    }
    let mut names: Vec<String> = names.into_iter().map(|(n, _)| n).collect();
    names.sort();
    valid.then_some(names)
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
