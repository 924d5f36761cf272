//! A synthetic study of any size, written to a folder: `models × tasks × shots × seeds` runs
//! over one small generated DCE-format corpus, with checkpoint folders absent (the runs plan,
//! blocked), as a study does before its checkpoints are fetched.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The grid of a synthetic study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    /// Models (`m0`, `m1`, …).
    pub models: usize,
    /// Tasks (`k0`, `k1`, …), all on the one dataset.
    pub tasks: usize,
    /// Few-shot sizes `2, 4, 8, …` (the last entry is `full`).
    pub shots: usize,
    /// Seeds `0, 1, …`.
    pub seeds: usize,
    /// Training documents in the generated corpus.
    pub documents: usize,
}

impl Grid {
    /// 100 models × 10 tasks × 10 shots × 10 seeds = 100,000 runs.
    pub const HUNDRED_THOUSAND: Grid = Grid {
        models: 100,
        tasks: 10,
        shots: 10,
        seeds: 10,
        documents: 1000,
    };

    /// Runs the study plans to.
    pub fn runs(&self) -> usize {
        self.models * self.tasks * self.shots * self.seeds
    }
}

/// Writes `synth.exp` and its corpus into `folder`; returns the study's path. `learning_rate`
/// is the training profile's rate (two studies differing in it differ in every run).
pub fn write_study(folder: &Path, grid: Grid, learning_rate: f64) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(folder)?;
    std::fs::write(folder.join("train.jsonl"), corpus(grid.documents, "train"))?;
    std::fs::write(
        folder.join("test.jsonl"),
        corpus(grid.documents / 4 + 1, "test"),
    )?;
    let path = folder.join("synth.exp");
    std::fs::write(&path, study_text(grid, learning_rate))?;
    Ok(path)
}

fn study_text(grid: Grid, learning_rate: f64) -> String {
    let mut text = String::new();
    for m in 0..grid.models {
        let _ = writeln!(
            text,
            "model m{m} {{ family = \"t5\", checkpoint = \"ckpt/m{m}\" }}"
        );
    }
    text.push_str(
        "dataset d { format = \"dce-jsonl\", train = \"train.jsonl\", \
         validation = { holdout = 0.2, seed = 1 }, test = \"test.jsonl\" }\n",
    );
    text.push_str(
        "template t { source = \"{{ text }}\", relation = \"{{ drugs }} combine as {{ label }}\", \
         arguments = [drugs], labels = { POS = \"good\", COMB = \"other\" }, null = \"none.\" }\n",
    );
    for k in 0..grid.tasks {
        let _ = writeln!(text, "task k{k} {{ dataset = d, template = t }}");
    }
    let _ = writeln!(
        text,
        "training p {{ epochs = 3, learning_rate = {learning_rate:e}  when shots = 16 {{ epochs = 100 }} }}"
    );
    let names = |prefix: &str, n: usize| {
        (0..n)
            .map(|i| format!("{prefix}{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut shots: Vec<String> = (1..grid.shots).map(|i| (1u64 << i).to_string()).collect();
    shots.push("full".into());
    let seeds: Vec<String> = (0..grid.seeds).map(|s| s.to_string()).collect();
    let _ = writeln!(
        text,
        "experiment e {{ models = [{}], tasks = [{}], shots = [{}], seeds = [{}], training = p }}",
        names("m", grid.models),
        names("k", grid.tasks),
        shots.join(", "),
        seeds.join(", "),
    );
    text
}

/// `count` DCE sentences, each with two drugs and (every other one) a positive combination.
fn corpus(count: usize, split: &str) -> String {
    let mut text = String::new();
    for i in 0..count {
        let (a, b) = (format!("drug{i}a"), format!("drug{i}b"));
        let sentence = format!("{a} was given with {b} in trial {i} .");
        let b_start = a.len() + " was given with ".len();
        let rels = if i % 2 == 0 {
            r#"[{"class": "POS", "spans": [0, 1]}]"#
        } else {
            "[]"
        };
        let _ = writeln!(
            text,
            r#"{{"doc_id": "{split}{i}", "sentence": "{sentence}", "spans": [{{"span_id": 0, "text": "{a}", "start": 0, "end": {}}}, {{"span_id": 1, "text": "{b}", "start": {b_start}, "end": {}}}], "rels": {rels}, "paragraph": null, "source": null}}"#,
            a.len(),
            b_start + b.len(),
        );
    }
    text
}
