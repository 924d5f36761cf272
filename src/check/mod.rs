//! Meaning: turns the AST of a study (and its imports) into a checked [`Study`], reporting
//! **all** problems in one pass as located diagnostics.

mod dataset;
pub mod example;
mod example_check;
mod experiment;
mod fields;
mod load;
mod model;
mod names;
pub mod study;
mod task;
mod template;
mod training;

pub use load::{absolute, normalize};
pub use names::Kind;
pub use study::Study;

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::Sources;
use crate::syntax::ast::Block;
use fields::Fields;
use names::Names;
use std::path::{Path, PathBuf};

/// Overrides of where models and data live (command line or environment).
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Replaces the study's `model_root`.
    pub model_root: Option<PathBuf>,
    /// Replaces the study's `data_root`.
    pub data_root: Option<PathBuf>,
}

/// The outcome of checking: the study when there is no error, and every diagnostic.
pub struct Checked {
    /// The checked study (`None` when any error was reported).
    pub study: Option<Study>,
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read, for rendering diagnostics.
    pub sources: Sources,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads, parses and checks the study at `path` and everything it imports.
pub fn check(path: &Path, options: &CheckOptions) -> Checked {
    let mut diagnostics = Vec::new();
    let loaded = load::load(path, &mut diagnostics);
    finish(loaded, options, diagnostics)
}

/// Checks a study whose root text is given, as if it were the file at `path` (used by fuzzing
/// and by editors with unsaved text).
pub fn check_text(path: &Path, text: String, options: &CheckOptions) -> Checked {
    let mut diagnostics = Vec::new();
    let loaded = load::load_text(path, text, &mut diagnostics);
    finish(loaded, options, diagnostics)
}

fn finish(
    loaded: load::Loaded,
    options: &CheckOptions,
    mut diagnostics: Vec<Diagnostic>,
) -> Checked {
    let study = if loaded.sources.is_empty() {
        None
    } else {
        check_files(&loaded, options, &mut diagnostics)
    };
    let study = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        study
    };
    Checked {
        study,
        diagnostics,
        sources: loaded.sources,
    }
}

struct Declared<'a> {
    kind: names::Kind,
    name: String,
    block: &'a Block,
    dir: PathBuf,
}

fn check_files(
    loaded: &load::Loaded,
    options: &CheckOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Study> {
    let root_path = loaded.sources.get(crate::source::FileId(0)).path.clone();
    let root_dir = root_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut names = Names::default();
    if loaded.incomplete {
        names.set_incomplete();
    }
    let mut declared = Vec::new();
    let mut study_block: Option<&Block> = None;
    for (file, ast) in &loaded.files {
        let dir = loaded
            .sources
            .get(*file)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for block in &ast.blocks {
            let Some(kind) = names::Kind::from_keyword(&block.kind.node) else {
                let keywords = names::Kind::ALL.map(names::Kind::keyword);
                diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownBlock,
                        format!("unknown block kind `{}`", block.kind.node),
                    )
                    .at(block.kind.span, "not a block kind")
                    .maybe_help(did_you_mean(&block.kind.node, keywords))
                    .note(format!("block kinds: {}", keywords.join(", "))),
                );
                if let Some(name) = &block.name {
                    names.excuse(&name.node);
                }
                continue;
            };
            if kind == names::Kind::Study {
                if let Some(name) = &block.name {
                    diagnostics.push(
                        Diagnostic::new(Code::BlockName, "the `study` block takes no name")
                            .at(name.span, "remove this name")
                            .help(format!(
                                "name the study with a field: `study {{ name = \"{}\" }}`",
                                name.node
                            )),
                    );
                }
                if *file != crate::source::FileId(0) {
                    diagnostics.push(
                        Diagnostic::new(Code::NotAStudy, "an imported file cannot have a `study` block")
                            .at(block.kind.span, "study settings belong to the root file")
                            .help("imported files share models, datasets, templates, trainings and tasks; the importing study sets roots and results"),
                    );
                } else if let Some(first) = study_block {
                    diagnostics.push(
                        Diagnostic::new(Code::NotAStudy, "a study has one `study` block")
                            .at(block.kind.span, "second `study` block")
                            .also(first.kind.span, "first `study` block"),
                    );
                } else {
                    study_block = Some(block);
                }
                continue;
            }
            let Some(name) = &block.name else {
                diagnostics.push(
                    Diagnostic::new(Code::BlockName, format!("a {kind} needs a name"))
                        .at(block.kind.span, "name missing after this")
                        .help(format!("write `{kind} NAME {{ … }}`")),
                );
                continue;
            };
            if names.declare(kind, &name.node, name.span, diagnostics) {
                declared.push(Declared {
                    kind,
                    name: name.node.clone(),
                    block,
                    dir: dir.clone(),
                });
            }
        }
    }

    let settings = settings(study_block, &root_path, &root_dir, options, diagnostics);
    let mut study = Study {
        name: settings.name,
        path: root_path,
        results: settings.results,
        models: Default::default(),
        datasets: Default::default(),
        templates: Default::default(),
        trainings: Default::default(),
        tasks: Default::default(),
        experiments: Vec::new(),
    };
    for d in &declared {
        // Each block's diagnostics in source order, whatever order its fields are read in.
        let first = diagnostics.len();
        match d.kind {
            names::Kind::Model => {
                if let Some(m) = model::check(d.block, &d.name, &settings.model_root, diagnostics) {
                    study.models.insert(d.name.clone(), m);
                }
            }
            names::Kind::Dataset => {
                if let Some(x) = dataset::check(d.block, &d.name, &settings.data_root, diagnostics)
                {
                    study.datasets.insert(d.name.clone(), x);
                }
            }
            names::Kind::Template => {
                if let Some(t) = template::check(d.block, &d.name, &d.dir, diagnostics) {
                    task::check_template(&d.name, &t, d.block, &loaded.sources, diagnostics);
                    study.templates.insert(d.name.clone(), t);
                }
            }
            names::Kind::Training => {
                study.trainings.insert(
                    d.name.clone(),
                    training::check(d.block, &d.name, &names, diagnostics),
                );
            }
            names::Kind::Task => {
                if let Some(t) = experiment::check_task(d.block, &d.name, &names, diagnostics) {
                    study.tasks.insert(d.name.clone(), t);
                }
            }
            names::Kind::Experiment => {
                if let Some(e) = experiment::check_experiment(d.block, &d.name, &names, diagnostics)
                {
                    study.experiments.push(e);
                }
            }
            names::Kind::Study => {}
        }
        diagnostics[first..]
            .sort_by_key(|d| d.primary.as_ref().map(|(span, _)| (span.file, span.start)));
    }
    for d in declared.iter().filter(|d| d.kind == names::Kind::Task) {
        if let Some(t) = study.tasks.get(&d.name) {
            task::check_task_variables(&d.name, t, &study, &loaded.sources, diagnostics);
        }
    }
    experiment::check_duplicate_runs(&study.experiments, diagnostics);
    let has_experiment = loaded
        .files
        .iter()
        .flat_map(|(_, ast)| &ast.blocks)
        .any(|b| b.kind.node == names::Kind::Experiment.keyword());
    if !has_experiment && !diagnostics.iter().any(Diagnostic::is_error) {
        // Reported only when nothing else is wrong: a misspelled or broken experiment block is
        // reported as such.
        diagnostics.push(
            Diagnostic::new(Code::NotAStudy, format!("`{}` declares no experiment", loaded.sources.get(crate::source::FileId(0)).display))
                .help("a study needs `experiment NAME { models = […], tasks = […], shots = […], seeds = […] }`; a file of shared declarations is meant to be imported by one"),
        );
    }
    Some(study)
}

struct Settings {
    name: String,
    model_root: PathBuf,
    data_root: PathBuf,
    results: PathBuf,
}

fn settings(
    block: Option<&Block>,
    root_path: &Path,
    root_dir: &Path,
    options: &CheckOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Settings {
    let stem = root_path
        .file_stem()
        .map_or_else(|| "study".to_string(), |s| s.to_string_lossy().into_owned());
    let mut settings = Settings {
        name: stem.clone(),
        model_root: root_dir.to_path_buf(),
        data_root: root_dir.to_path_buf(),
        results: root_dir.join("results").join(&stem),
    };
    if let Some(block) = block {
        let mut fields = Fields::new(
            &block.fields,
            "the `study` block",
            block.kind.span,
            diagnostics,
        );
        if let Some(f) = fields.get("name") {
            settings.name = fields::string(&f.value, diagnostics).unwrap_or(stem);
        }
        for (key, slot) in [
            ("model_root", &mut settings.model_root),
            ("data_root", &mut settings.data_root),
            ("results", &mut settings.results),
        ] {
            if let Some(f) = fields.get(key)
                && let Some(p) = fields::string(&f.value, diagnostics)
            {
                *slot = normalize(&root_dir.join(p));
            }
        }
        fields.finish(diagnostics);
    }
    if let Some(root) = &options.model_root {
        settings.model_root = absolute(root);
    }
    if let Some(root) = &options.data_root {
        settings.data_root = absolute(root);
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::{CheckOptions, check_text};
    use crate::diagnostic::{RenderOptions, render_all};
    use proptest::prelude::*;
    use std::path::Path;

    /// Checks `text` as a study and renders its diagnostics: any input must come back as
    /// diagnostics, never as a panic.
    fn check_and_render(text: &str) -> String {
        let checked = check_text(
            Path::new("robustness.exp"),
            text.to_string(),
            &CheckOptions::default(),
        );
        render_all(
            &checked.diagnostics,
            &checked.sources,
            RenderOptions::default(),
        )
    }

    #[test]
    fn odd_inputs_are_reported() {
        let long = format!("model m {{ tags = {{ {} }} }}", "k = 1, ".repeat(2000));
        let inputs = [
            "",
            "\u{feff}",
            "// only a comment\n# and another\n/* and a block */",
            "/* unterminated",
            "\"",
            "\"\"\"",
            "{",
            "}",
            "model x {",
            "model x { a = [1, 2",
            "model x { a = \"\\u{d800}\" }",
            "model x { a = \"\\u{zz}\" }",
            "model x { a = \"\\",
            "model x {\r\n  family = \"t5\r\n}\r\n",
            "\t\tmodel\tx\t{\tfamily\t\"t5\"\t}",
            "model 🚀 { family = \"t5\" }",
            "model é { family = \"ü\", checkpoint = \"🚀\" }",
            "template t { source = \"\"\"\n\n{{ txt }}{% if %}\n\"\"\" }",
            "template t { source = \"{{\" relation = \"{{\" arguments = [a] labels = {} null = \"\" extractor = \"(\" }",
            "model x { a = 99999999999999999999999, b = 1e999 }",
            "study x y { }",
            "import \"\"",
            &long,
        ];
        for input in inputs {
            assert!(!check_and_render(input).is_empty(), "{input:?} is reported");
        }
    }

    const TOKENS: &[&str] = &[
        "model",
        "template",
        "experiment",
        "study",
        "task",
        "x",
        "source",
        "models",
        "shots",
        "full",
        " ",
        "\n",
        "\r\n",
        "\t",
        "{",
        "}",
        "[",
        "]",
        "=",
        ",",
        "\"",
        "\"\"\"",
        "\\",
        "\\u{",
        "é",
        "🚀",
        "#",
        "//",
        "/*",
        "*/",
        "when",
        "import",
        "1",
        "-2.5e3",
        "\"{{ text }}\"",
        "\"{% if %}\"",
    ];

    proptest! {
        #[test]
        fn token_soup_is_reported(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..40)) {
            check_and_render(&tokens.concat());
        }

        #[test]
        fn any_text_is_reported(text in "\\PC{0,200}") {
            check_and_render(&text);
        }
    }
}
