//! The learning-rate schedule: linear warm-up from 0 over the first steps, then linear decay to
//! 0 at the last step (transformers' `get_linear_schedule_with_warmup`).

/// A linear warm-up and decay over a fixed number of optimiser steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinearSchedule {
    peak: f64,
    warmup_steps: u64,
    total_steps: u64,
}

impl LinearSchedule {
    /// `total_steps` optimiser steps, the first `ceil(warmup_ratio · total_steps)` of them
    /// warming up to `peak` (transformers rounds the warm-up up the same way).
    pub fn new(peak: f64, warmup_ratio: f64, total_steps: u64) -> Self {
        let warmup_steps = (warmup_ratio.max(0.0) * total_steps as f64).ceil() as u64;
        Self {
            peak,
            warmup_steps: warmup_steps.min(total_steps),
            total_steps,
        }
    }

    /// Steps with a rising learning rate.
    pub fn warmup_steps(&self) -> u64 {
        self.warmup_steps
    }

    /// The learning rate of the optimiser step with 0-based index `step`: `peak · step / warmup`
    /// during warm-up (0 at the very first step, as in transformers), then
    /// `peak · (total − step) / (total − warmup)`.
    pub fn learning_rate(&self, step: u64) -> f64 {
        if step < self.warmup_steps {
            return self.peak * step as f64 / self.warmup_steps as f64;
        }
        let remaining = self.total_steps.saturating_sub(step) as f64;
        let decay = self.total_steps.saturating_sub(self.warmup_steps).max(1) as f64;
        self.peak * (remaining / decay).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::LinearSchedule;

    #[test]
    fn warms_up_from_zero_then_decays_to_zero() {
        let schedule = LinearSchedule::new(1e-3, 0.1, 100);
        assert_eq!(schedule.warmup_steps(), 10);
        assert_eq!(schedule.learning_rate(0), 0.0);
        assert!((schedule.learning_rate(5) - 5e-4).abs() < 1e-15);
        assert!((schedule.learning_rate(10) - 1e-3).abs() < 1e-15);
        assert!((schedule.learning_rate(55) - 5e-4).abs() < 1e-15);
        assert!((schedule.learning_rate(99) - 1e-3 / 90.0).abs() < 1e-15);
        assert_eq!(schedule.learning_rate(100), 0.0);
    }

    #[test]
    fn warmup_is_rounded_up_and_zero_ratio_starts_at_the_peak() {
        assert_eq!(LinearSchedule::new(1.0, 0.1, 6).warmup_steps(), 1);
        let flat_start = LinearSchedule::new(2.0, 0.0, 4);
        assert_eq!(flat_start.learning_rate(0), 2.0);
        assert_eq!(flat_start.learning_rate(2), 1.0);
    }
}
