//! Loading a study for a subcommand: roots from flags or environment, diagnostics to stderr.

use expc::check::{self, CheckOptions, Study};
use expc::diagnostic::{RenderOptions, render_all};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Where models and data live; shared by every subcommand that reads a study.
#[derive(Debug, Clone, clap::Args)]
pub struct Roots {
    /// Folder holding the checkpoint folders (overrides the study's `model_root`).
    #[arg(long, env = "EXPC_MODELS", value_name = "DIR")]
    pub model_root: Option<PathBuf>,
    /// Folder holding the corpora (overrides the study's `data_root`).
    #[arg(long, env = "EXPC_DATA", value_name = "DIR")]
    pub data_root: Option<PathBuf>,
}

/// Whether stderr gets colours: a terminal, and `NO_COLOR` unset.
pub fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Checks the study at `path`, printing its diagnostics to stderr; `None` when it has errors.
pub fn load(path: &std::path::Path, roots: &Roots) -> Option<Study> {
    let (study, diagnostics) = load_quietly(path, roots);
    eprint!("{diagnostics}");
    study
}

/// Checks the study at `path`; its diagnostics rendered for stderr (empty when there are
/// none), for a caller that checks several studies at once and prints them in order.
pub fn load_quietly(path: &std::path::Path, roots: &Roots) -> (Option<Study>, String) {
    let options = CheckOptions {
        model_root: roots.model_root.clone(),
        data_root: roots.data_root.clone(),
    };
    let checked = check::check(path, &options);
    let diagnostics = if checked.diagnostics.is_empty() {
        String::new()
    } else {
        render_all(
            &checked.diagnostics,
            &checked.sources,
            RenderOptions { color: color() },
        )
    };
    (checked.study, diagnostics)
}
