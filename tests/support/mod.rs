//! What the integration tests share: the package root, running the `expc` binary as a user
//! would, and where snapshots live.

// Each test crate uses only some of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The package root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one `expc` invocation did.
pub struct Output {
    /// The exit status (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Exit status and both streams, for snapshots and failure messages.
    pub fn show(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `expc ARGS` in `cwd` without colours and with exactly the roots given in `roots`
/// (`EXPC_MODELS`, `EXPC_DATA`): the caller's environment does not leak into the test.
pub fn expc(args: &[&str], cwd: &Path, roots: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_expc"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("EXPC_MODELS")
        .env_remove("EXPC_DATA")
        .env("NO_COLOR", "1");
    for (name, value) in roots {
        command.env(name, value);
    }
    let output = command.output().expect("expc runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// insta settings writing to the repository's `snapshots/` folder without module prefixes.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}
