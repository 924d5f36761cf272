//! Fixture-driven tests: every `tests/fixtures/*.exp` yields an AST snapshot (its canonical
//! text) and a plan snapshot; every `tests/fixtures/err_*.exp` yields its rendered diagnostics.

mod support;

use expc::check::{CheckOptions, check};
use expc::diagnostic::{Code, RenderOptions, render_all};
use expc::plan::{self, Plan, PlanOptions};
use expc::source::FileId;
use expc::syntax;
use std::path::Path;
use support::root;

/// Fixtures read models and data from folders committed next to them.
fn options() -> CheckOptions {
    CheckOptions {
        model_root: Some(root().join("tests/fixtures/models")),
        data_root: Some(root().join("tests/data")),
    }
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex_escape(&root().display().to_string()), "[ROOT]");
    settings
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

fn is_error_fixture(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("err_"))
}

/// Runs from the package root so that diagnostics show paths relative to it.
fn in_root<T>(f: impl FnOnce() -> T) -> T {
    std::env::set_current_dir(root()).expect("package root exists");
    f()
}

#[test]
fn valid_fixtures() {
    settings().bind(|| {
        insta::glob!("fixtures/*.exp", |path| {
            if is_error_fixture(path) {
                return;
            }
            in_root(|| {
                let text = std::fs::read_to_string(path).expect("fixture is readable");
                let ast = syntax::parse(FileId(0), &text)
                    .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
                let formatted = syntax::format(&ast);
                let reparsed = syntax::parse(FileId(0), &formatted).expect("formatted text parses");
                assert_eq!(
                    syntax::format(&reparsed),
                    formatted,
                    "formatting is idempotent"
                );
                insta::assert_snapshot!("ast", formatted);

                let checked = check(path, &options());
                let rendered = render_all(
                    &checked.diagnostics,
                    &checked.sources,
                    RenderOptions::default(),
                );
                let study = checked
                    .study
                    .unwrap_or_else(|| panic!("{} has errors:\n{rendered}", path.display()));
                let plan = plan::build(&study, PlanOptions::default());
                let json = plan.to_json();
                assert_eq!(
                    Plan::from_json(&json, "plan.json").expect("plan reads back"),
                    plan,
                    "parse(serialize(plan)) == plan"
                );
                let compact = plan.to_json_compact();
                assert_eq!(
                    Plan::from_json(&compact, "plan.json").expect("compact reads"),
                    plan,
                    "parse(compact(plan)) == plan"
                );
                // The compact writer works by hand; it must write serde's document.
                assert_eq!(
                    compact,
                    without_whitespace(&json),
                    "compact = pretty, minified"
                );
                for run in &plan.runs {
                    // The fast key writer must give the text the `Value` form gives, byte for
                    // byte, or every run id would change.
                    assert_eq!(run.key_text(), run.key().to_string(), "canonical key text");
                    // Planning derives ids with the key's shared head hashed once per stretch
                    // of runs; that must give the id of the whole text.
                    assert_eq!(run.id, run.derive_id(), "id of the key text");
                }
                insta::assert_snapshot!(
                    "plan",
                    format!(
                        "{rendered}{}\n{}",
                        plan::render_table(&plan),
                        plan::summary(&plan)
                    )
                );
            });
        });
    });
}

#[test]
fn error_fixtures() {
    settings().bind(|| {
        insta::glob!("fixtures/err_*.exp", |path| {
            in_root(|| {
                let relative = path.strip_prefix(root()).unwrap_or(path);
                let checked = check(relative, &options());
                assert!(checked.has_errors(), "{} should not check", path.display());
                insta::assert_snapshot!(
                    "diagnostics",
                    render_all(
                        &checked.diagnostics,
                        &checked.sources,
                        RenderOptions::default()
                    )
                );
            });
        });
    });
}

/// Every diagnostic code is shown by at least one error fixture, as the user sees it.
#[test]
fn every_code_has_an_error_fixture() {
    let fixtures = root().join("tests/fixtures");
    let mut rendered = String::new();
    in_root(|| {
        for entry in std::fs::read_dir(&fixtures).expect("fixtures folder") {
            let path = entry.expect("fixture entry").path();
            if is_error_fixture(&path) && path.extension().is_some_and(|e| e == "exp") {
                let checked = check(path.strip_prefix(root()).unwrap_or(&path), &options());
                rendered.push_str(&render_all(
                    &checked.diagnostics,
                    &checked.sources,
                    RenderOptions::default(),
                ));
            }
        }
    });
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !rendered.contains(&format!("[{code}]:")))
        .collect();
    assert!(missing.is_empty(), "no err_*.exp fixture shows {missing:?}");
}

/// JSON text with the whitespace between tokens removed (strings kept as they are).
fn without_whitespace(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c.is_whitespace() {
            continue;
        } else {
            in_string = c == '"';
        }
        out.push(c);
    }
    out
}
