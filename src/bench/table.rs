//! The comparison table: expc's measurement beside the reference's, with their ratio.

use super::Measurement;
use std::fmt::Write as _;

/// One row: expc's measurement and, when the reference measured the same workload, its.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// expc's measurement.
    pub expc: Measurement,
    /// The PyTorch reference's.
    pub torch: Option<Measurement>,
}

impl Row {
    /// expc relative to the reference, > 1 meaning expc is better (faster or higher
    /// throughput).
    pub fn ratio(&self) -> Option<f64> {
        let torch = self.torch.as_ref()?;
        if torch.value <= 0.0 || self.expc.value <= 0.0 {
            return None;
        }
        Some(if self.expc.higher_is_better() {
            self.expc.value / torch.value
        } else {
            torch.value / self.expc.value
        })
    }
}

fn number(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

fn memory(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |m| format!("{m:.0}"))
}

/// A Markdown table: workload, metric, expc, torch, ratio (expc ÷ torch, > 1 = expc better),
/// peak memory of each side, and the workload's details.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::from(
        "| workload | metric | expc | torch | expc/torch | expc peak MiB | torch peak MiB | detail |\n\
         |---|---|---:|---:|---:|---:|---:|---|\n",
    );
    for row in rows {
        let torch = row.torch.as_ref();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            row.expc.workload,
            row.expc.metric,
            number(row.expc.value),
            torch.map_or_else(|| "–".into(), |t| number(t.value)),
            row.ratio()
                .map_or_else(|| "–".into(), |r| format!("{r:.2}×")),
            memory(row.expc.peak_rss_mib),
            memory(torch.and_then(|t| t.peak_rss_mib)),
            row.expc.detail,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement(workload: &str, metric: &str, value: f64) -> Measurement {
        Measurement {
            workload: workload.into(),
            metric: metric.into(),
            value,
            seconds: 1.0,
            peak_rss_mib: Some(100.0),
            detail: "d".into(),
        }
    }

    #[test]
    fn ratios_favour_the_better_side() {
        let faster = Row {
            expc: measurement("a", "tokens/s", 300.0),
            torch: Some(measurement("a", "tokens/s", 200.0)),
        };
        assert_eq!(faster.ratio(), Some(1.5));
        let quicker = Row {
            expc: measurement("b", "s", 2.0),
            torch: Some(measurement("b", "s", 3.0)),
        };
        assert_eq!(quicker.ratio(), Some(1.5));
        let alone = Row {
            expc: measurement("c", "runs/s", 5.0),
            torch: None,
        };
        assert_eq!(alone.ratio(), None);
        let table = render(&[faster, quicker, alone]);
        assert_eq!(table.lines().count(), 5);
        assert!(table.contains("| a | tokens/s | 300 | 200 | 1.50× | 100 | 100 | d |"));
        assert!(table.contains("| c | runs/s | 5.00 | – | – | 100 | – | d |"));
    }
}
