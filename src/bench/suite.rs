//! The list of workloads, what each measures, and what the PyTorch reference is told to do
//! for the same workload (a JSON spec it reads).

use super::models::{self, Shape};
use super::products::{self, Product};
use super::synthetic::Grid;
use super::{Measurement, pipeline};
use burn::tensor::Device;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One workload of the suite.
#[derive(Debug, Clone, PartialEq)]
pub enum Workload {
    /// Check, plan and save a synthetic study; read two saved plans back and diff them.
    PlanAndDiff(Grid),
    /// Extraction and strict scoring of a study's gold targets.
    Extraction {
        /// A study with the DCE dataset `dce` and template `dce_paper`.
        study: PathBuf,
    },
    /// One finetuning step.
    Train(Shape),
    /// The matrix products of a finetuning and a decoding step, each alone.
    Products(Shape),
    /// Generation with `beams` beams (1: greedy).
    Generate {
        /// The model and batch.
        shape: Shape,
        /// Beams per row.
        beams: usize,
    },
    /// Loading a checkpoint folder.
    Load(Shape),
}

impl Workload {
    /// The name `--one` takes and the table shows.
    pub fn name(&self) -> String {
        match self {
            Self::PlanAndDiff(grid) => format!("plan_diff_{}", grid.runs()),
            Self::Extraction { .. } => "extract_score".into(),
            Self::Train(shape) => format!("train_{}", shape.name),
            Self::Products(shape) => format!("products_{}", shape.name),
            Self::Generate { shape, beams: 1 } => format!("greedy_{}", shape.name),
            Self::Generate { shape, beams } => format!("beam{beams}_{}", shape.name),
            Self::Load(shape) => format!("load_{}", shape.name),
        }
    }

    /// The shape whose `config.json` the workload reads, if any.
    pub fn shape(&self) -> Option<&Shape> {
        match self {
            Self::Train(shape)
            | Self::Products(shape)
            | Self::Generate { shape, .. }
            | Self::Load(shape) => Some(shape),
            Self::PlanAndDiff(_) | Self::Extraction { .. } => None,
        }
    }
}

/// The suite: the workloads, or tiny stand-ins (`quick`) for tests.
pub fn workloads(quick: bool, extraction_study: &Path) -> Vec<Workload> {
    let grid = if quick {
        Grid {
            models: 3,
            tasks: 2,
            shots: 3,
            seeds: 2,
            documents: 20,
        }
    } else {
        Grid::HUNDRED_THOUSAND
    };
    let shapes = models::shapes(quick);
    let mut list = vec![
        Workload::PlanAndDiff(grid),
        Workload::Extraction {
            study: extraction_study.to_owned(),
        },
    ];
    list.extend(shapes.iter().cloned().map(Workload::Train));
    list.push(Workload::Products(shapes[0].clone()));
    list.push(Workload::Generate {
        shape: shapes[0].clone(),
        beams: 1,
    });
    list.push(Workload::Generate {
        shape: shapes[0].clone(),
        beams: 4,
    });
    list.push(Workload::Load(if quick {
        shapes[0].clone()
    } else {
        models::t5_base()
    }));
    list
}

/// What the PyTorch reference reads to run the same workload.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceSpec {
    /// The workload's name (the reference reports under it).
    pub workload: String,
    /// `train`, `products`, `generate` or `load`.
    pub kind: &'static str,
    /// The folder holding `config.json` (and, for `load`, `model.safetensors`).
    pub folder: PathBuf,
    /// The model and batch.
    pub shape: Shape,
    /// Beams (generation).
    pub beams: usize,
    /// Timed repetitions (after one warm-up), of each product for `products`.
    pub repeats: usize,
    /// Threads (`torch.set_num_threads`).
    pub threads: usize,
    /// The products to time (`products`; empty otherwise).
    pub products: Vec<Product>,
}

/// Prepares `workload` under `work` (configuration files; the checkpoint for loading) and
/// returns the spec the reference reads, or `None` when the reference has no counterpart.
pub fn prepare(
    workload: &Workload,
    work: &Path,
    repeats: usize,
    threads: usize,
) -> anyhow::Result<Option<ReferenceSpec>> {
    let (kind, shape, beams) = match workload {
        Workload::Train(shape) => ("train", shape, 1),
        Workload::Products(shape) => ("products", shape, 1),
        Workload::Generate { shape, beams } => ("generate", shape, *beams),
        Workload::Load(shape) => ("load", shape, 1),
        Workload::PlanAndDiff(_) | Workload::Extraction { .. } => return Ok(None),
    };
    let folder = if kind == "load" {
        models::ensure_checkpoint(&work.join("checkpoints"), shape)?
    } else {
        models::write_config(&work.join("configs"), shape)?
    };
    Ok(Some(ReferenceSpec {
        workload: workload.name(),
        kind,
        folder,
        shape: shape.clone(),
        beams,
        repeats: timed_repeats(workload, repeats),
        threads,
        products: match workload {
            Workload::Products(shape) => products::products(shape)?,
            _ => Vec::new(),
        },
    }))
}

/// Measures `workload` in this process (call [`prepare`] first); the network workloads run on
/// `device`.
pub fn measure(
    workload: &Workload,
    work: &Path,
    repeats: usize,
    device: &Device,
) -> anyhow::Result<Vec<Measurement>> {
    match workload {
        Workload::PlanAndDiff(grid) => {
            let folder = work.join("synthetic");
            let mut repetitions = Vec::new();
            for _ in 0..repeats.max(1) {
                let measured = pipeline::plan_and_diff(&folder, *grid);
                let _ = std::fs::remove_dir_all(&folder);
                repetitions.push(measured?);
            }
            Ok(median_repetition(repetitions))
        }
        Workload::Extraction { study } => Ok(vec![pipeline::extraction(study, repeats * 20)?]),
        Workload::Train(shape) => Ok(vec![models::train_step(
            &work.join("configs").join(&shape.name),
            shape,
            repeats,
            device,
        )?]),
        Workload::Products(shape) => {
            products::measure(shape, timed_repeats(workload, repeats), device)
        }
        Workload::Generate { shape, beams } => Ok(vec![models::generation(
            &work.join("configs").join(&shape.name),
            shape,
            *beams,
            repeats,
            device,
        )?]),
        Workload::Load(shape) => Ok(vec![models::load(
            &work.join("checkpoints").join(&shape.name),
            &shape.name,
            device,
        )?]),
    }
}

/// How often each side times `workload` for `repeats` asked: single products take
/// milliseconds, so five times as often as the networks.
fn timed_repeats(workload: &Workload, repeats: usize) -> usize {
    match workload {
        Workload::Products(_) => repeats * 5,
        _ => repeats,
    }
}

/// For each workload of a repeated measurement (the same list every repetition), the
/// repetition with the median value, with that repetition's detail.
fn median_repetition(repetitions: Vec<Vec<Measurement>>) -> Vec<Measurement> {
    let workloads = repetitions.first().map_or(0, Vec::len);
    let mut by_workload: Vec<Vec<Measurement>> = (0..workloads).map(|_| Vec::new()).collect();
    for repetition in repetitions {
        for (slot, measurement) in by_workload.iter_mut().zip(repetition) {
            slot.push(measurement);
        }
    }
    by_workload
        .into_iter()
        .filter_map(|mut measured| {
            measured.sort_by(|a, b| a.value.total_cmp(&b.value));
            let middle = measured.len() / 2;
            measured.into_iter().nth(middle)
        })
        .collect()
}
