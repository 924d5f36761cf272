//! The benchmark harness itself: the synthetic study has the runs its grid says, and the plan
//! and extraction workloads run (their timings are not checked).

use expc::bench::pipeline;
use expc::bench::synthetic::{Grid, write_study};
use expc::check::{CheckOptions, check};
use expc::plan::{self, PlanOptions};

const GRID: Grid = Grid {
    models: 3,
    tasks: 2,
    shots: 4,
    seeds: 2,
    documents: 30,
};

#[test]
fn synthetic_study_plans_to_its_grid() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_study(dir.path(), GRID, 5e-5).unwrap();
    let checked = check(&path, &CheckOptions::default());
    let study = checked.study.expect("the synthetic study checks");
    let plan = plan::build(&study, PlanOptions::default());
    assert_eq!(plan.runs.len(), GRID.runs());
    assert_eq!(GRID.runs(), 48);
    assert_eq!(Grid::HUNDRED_THOUSAND.runs(), 100_000);
    // Few-shot runs drew their sample from the generated corpus.
    assert!(
        plan.runs
            .iter()
            .filter_map(|r| r.spec.sample.as_ref())
            .all(|s| s.ids_hash.is_some())
    );
}

#[test]
fn plan_and_extraction_workloads_run() {
    let dir = tempfile::tempdir().unwrap();
    let measured = pipeline::plan_and_diff(dir.path(), GRID).unwrap();
    let names: Vec<&str> = measured.iter().map(|m| m.workload.as_str()).collect();
    assert_eq!(names, ["plan_48", "diff_48", "diff_studies_48"]);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let extraction = pipeline::extraction(&root.join("experiments/quickstart.exp"), 1).unwrap();
    assert!(extraction.value > 0.0);
}
