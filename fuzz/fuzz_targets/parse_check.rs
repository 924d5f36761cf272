//! Fuzz target: parse → format idempotence, then check + render diagnostics. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A path inside a fresh, empty temporary folder, so every import resolves to a missing file.
fn study_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("expc-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the fuzz temp folder");
        dir.join("study.exp")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();

    if let Ok(ast) = expc::syntax::parse(expc::source::FileId(0), &text) {
        let formatted = expc::syntax::format(&ast);
        let reparsed = match expc::syntax::parse(expc::source::FileId(0), &formatted) {
            Ok(ast) => ast,
            Err(diagnostic) => panic!(
                "formatted text does not parse again\n--- input ---\n{text}\n--- formatted ---\n{formatted}\n--- error ---\n{diagnostic:?}"
            ),
        };
        let again = expc::syntax::format(&reparsed);
        assert_eq!(
            formatted, again,
            "format is not idempotent\n--- input ---\n{text}\n--- formatted once ---\n{formatted}\n--- formatted twice ---\n{again}"
        );
    }

    let checked = expc::check::check_text(study_path(), text, &expc::check::CheckOptions::default());
    let _ = expc::diagnostic::render_all(
        &checked.diagnostics,
        &checked.sources,
        expc::diagnostic::RenderOptions::default(),
    );
});
