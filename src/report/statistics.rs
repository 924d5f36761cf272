//! Mean and sample standard deviation over seeds.

use serde::Serialize;

/// The mean of some values and, for two or more, their sample standard deviation (n − 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// How many values.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation; `None` for a single value.
    pub std: Option<f64>,
}

impl Summary {
    /// The summary of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let std = (n > 1).then(|| {
            let squares: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
            (squares / (n - 1) as f64).sqrt()
        });
        Some(Summary { n, mean, std })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sample_standard_deviation() {
        // mean 32, deviations −2, 0, 2: variance (4 + 0 + 4) / 2 = 4.
        let summary = Summary::of(&[30.0, 32.0, 34.0]).expect("values");
        assert_eq!(summary.n, 3);
        assert!((summary.mean - 32.0).abs() < 1e-12);
        assert!((summary.std.expect("n > 1") - 2.0).abs() < 1e-12);
        assert_eq!(
            Summary::of(&[44.1]),
            Some(Summary {
                n: 1,
                mean: 44.1,
                std: None
            })
        );
        assert_eq!(Summary::of(&[]), None);
    }
}
