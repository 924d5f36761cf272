//! `dataset NAME { format, train, validation, test }`.

use super::fields::{self, Bound, Fields};
use super::study::Dataset;
use crate::corpus::{DatasetSpec, Format, ValidationSpec};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{Block, Value, ValueKind};
use std::path::{Path, PathBuf};

/// Checks a dataset block; paths are relative to `data_root`.
pub fn check(
    block: &Block,
    name: &str,
    data_root: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Dataset> {
    let mut fields = Fields::new(
        &block.fields,
        format!("dataset `{name}`"),
        block.name_span(),
        diagnostics,
    );
    let formats: Vec<(&str, Format)> = Format::ALL.iter().map(|f| (f.name(), *f)).collect();
    let format = fields
        .require("format", "\"pubtator\"")
        .and_then(|f| fields::option(&f.value, "corpus format", &formats, diagnostics));
    let mut paths: Vec<(PathBuf, Span)> = Vec::new();
    let mut path = |value: &Value, diagnostics: &mut Vec<Diagnostic>| {
        fields::string(value, diagnostics).map(|s| {
            let p = super::load::normalize(&data_root.join(s));
            paths.push((p.clone(), value.span));
            p
        })
    };
    let train = fields
        .require("train", "\"cdr/train.txt\"")
        .and_then(|f| path(&f.value, diagnostics));
    let test = fields
        .require("test", "\"cdr/test.txt\"")
        .and_then(|f| path(&f.value, diagnostics));
    let validation = match fields.require("validation", "{ holdout = 0.2, seed = 0 }") {
        Some(f) => match &f.value.kind {
            ValueKind::String(_) => path(&f.value, diagnostics).map(ValidationSpec::File),
            ValueKind::Object(entries) => {
                validation_object(entries, f.value.span, &mut path, diagnostics)
            }
            _ => {
                diagnostics.push(fields::wrong_type(
                    &f.value,
                    "a path or `{ holdout = …, seed = … }` or `{ ids = \"…\" }`",
                ));
                None
            }
        },
        None => None,
    };
    fields.finish(diagnostics);

    let mut missing = Vec::new();
    for (p, span) in paths {
        if !p.exists() {
            diagnostics.push(
                Diagnostic::new(Code::MissingCorpus, format!("a file of dataset `{name}` is missing"))
                    .at(span, "not found")
                    .note(format!("resolved path: {}", p.display()))
                    .help("the study still plans; runs on this dataset are blocked (set the data root with --data-root or EXPC_DATA)"),
            );
            missing.push(p);
        }
    }
    Some(Dataset {
        spec: DatasetSpec {
            format: format?,
            train: train?,
            validation: validation?,
            test: test?,
        },
        missing,
        span: block.span,
    })
}

fn validation_object(
    entries: &[crate::syntax::ast::Field],
    span: Span,
    path: &mut impl FnMut(&Value, &mut Vec<Diagnostic>) -> Option<PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ValidationSpec> {
    let mut fields = Fields::new(entries, "`validation`", span, diagnostics);
    let holdout = fields.get("holdout");
    let seed = fields.get("seed");
    let ids = fields.get("ids");
    fields.finish(diagnostics);
    match (holdout, ids) {
        (Some(h), None) => {
            let fraction = fields::number(&h.value, Bound::UnitOpen, diagnostics);
            let seed = match seed {
                Some(s) => {
                    fields::integer(&s.value, 0, i64::MAX, diagnostics).map(|s| s.unsigned_abs())
                }
                None => {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::MissingField,
                            "a held-out validation split needs a `seed`",
                        )
                        .at(h.key.span, "held out here")
                        .help("add `seed = 0`: an unseeded split cannot be reproduced"),
                    );
                    None
                }
            };
            Some(ValidationSpec::Holdout {
                fraction: fraction?,
                seed: seed?,
            })
        }
        (None, Some(i)) => path(&i.value, diagnostics).map(ValidationSpec::TrainIds),
        (Some(h), Some(i)) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnknownField,
                    "`validation` takes either `holdout` or `ids`, not both",
                )
                .at(i.key.span, "second way of making validation")
                .also(h.key.span, "first way"),
            );
            None
        }
        (None, None) => {
            diagnostics.push(
                Diagnostic::new(
                    Code::MissingField,
                    "`validation` needs `holdout = FRACTION` (with `seed`) or `ids = \"FILE\"`",
                )
                .at(span, "empty validation")
                .help("e.g. `validation = { holdout = 0.2, seed = 0 }`"),
            );
            None
        }
    }
}
