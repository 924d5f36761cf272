//! Benchmarks: each workload measured in its own process (so its peak memory is its own), the
//! same workloads measured by `bench/torch_reference.py` (PyTorch + transformers), and a table
//! of both with their ratio. `expc bench` drives it; `docs/performance.md` records a run.

pub mod models;
pub mod pipeline;
pub mod products;
pub mod suite;
pub mod synthetic;
pub mod table;

use serde::{Deserialize, Serialize};

/// One measured workload, as both `expc bench` and the PyTorch reference print it (one JSON
/// object per line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// The workload's name (`train_t5_small`, `plan_100k`, …).
    pub workload: String,
    /// What `value` counts (`tokens/s`, `runs/s`, `sentences/s`, `s`).
    pub metric: String,
    /// The throughput (or the seconds, for `s`).
    pub value: f64,
    /// Wall seconds of the measured part (median repetition).
    pub seconds: f64,
    /// Peak resident memory of the process that measured it, in MiB (`None`: unknown).
    pub peak_rss_mib: Option<f64>,
    /// Shapes, settings and anything needed to read the number.
    pub detail: String,
}

impl Measurement {
    /// Whether a larger value is better (throughputs) or smaller (`s`).
    pub fn higher_is_better(&self) -> bool {
        self.metric != "s"
    }
}

/// The peak resident set size of this process so far, in MiB (Linux `VmHWM`).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The median of `samples` (seconds); 0 when empty.
pub fn median(samples: &mut [f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Times `work` `repeats` times after `warmup` untimed calls; the median in seconds.
pub fn time_median<E>(
    warmup: usize,
    repeats: usize,
    mut work: impl FnMut() -> Result<(), E>,
) -> Result<f64, E> {
    for _ in 0..warmup {
        work()?;
    }
    let mut samples = Vec::with_capacity(repeats);
    for _ in 0..repeats.max(1) {
        let start = std::time::Instant::now();
        work()?;
        samples.push(start.elapsed().as_secs_f64());
    }
    Ok(median(&mut samples))
}
