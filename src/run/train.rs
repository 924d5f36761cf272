//! Finetuning: AdamW with every setting taken from the run, the linear schedule, gradient
//! accumulation over micro-batches, clipping by global norm, and length-bucketed batches in a
//! seeded order. The networks have no dropout layers: training is deterministic given the seed
//! on the CPU backend (transformers would apply the checkpoint's dropout; see `src/run/mod.rs`).
//! With LoRA the network arrives with adapters attached and every other weight frozen: only
//! the adapters get gradients, so AdamW keeps state for them alone. LoRA dropout draws its masks
//! from the device's generator, seeded before every optimiser step from the run's seed and the
//! step, so it is deterministic too (per backend: wgpu's generator differs from the CPU's).

use super::batches::{bucketed_batches, dropout_seed, epoch_seed};
use super::clip::clip_by_global_norm;
use super::encode::{Example, IGNORED_LABEL};
use super::error::RunError;
use super::schedule::LinearSchedule;
use crate::check::study::TrainingParams;
use crate::model::Network;
use crate::model::TokenBatch;
use crate::model::adamw::AdamWSettings;
use crate::model::train_step::{TrainingBatch, token_loss};
use crate::model::weights::read_values;
use burn::optim::{GradientsAccumulator, GradientsParams, ModuleOptimizer};
use std::time::Instant;

/// One optimiser step, as the trainer reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepReport {
    /// 1-based epoch.
    pub epoch: u32,
    /// 1-based optimiser step over the whole run.
    pub step: u64,
    /// Optimiser steps of the whole run.
    pub total_steps: u64,
    /// Mean loss of the step's micro-batches.
    pub loss: f64,
    /// Learning rate the step used.
    pub learning_rate: f64,
    /// Global gradient norm before clipping.
    pub gradient_norm: f64,
    /// Tokens read per second during the step.
    pub tokens_per_second: f64,
}

/// Pad ids of training batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PadIds {
    /// Encoder (or decoder-only) inputs.
    pub input: i64,
    /// Decoder inputs (encoder-decoder).
    pub decoder: i64,
}

/// The optimiser, schedule and step count of one run's finetuning.
pub struct Trainer {
    optimizer: ModuleOptimizer,
    schedule: LinearSchedule,
    params: TrainingParams,
    seed: u64,
    pads: PadIds,
    steps_done: u64,
    total_steps: u64,
}

impl Trainer {
    /// A trainer for `examples` training examples under `params`, seeded by the run's `seed`.
    pub fn new(params: &TrainingParams, examples: usize, seed: u64, pads: PadIds) -> Self {
        let batches = examples.div_ceil(params.batch_size.max(1) as usize) as u64;
        let steps_per_epoch = batches.div_ceil(u64::from(params.grad_accumulation.max(1)));
        let total_steps = steps_per_epoch * u64::from(params.epochs);
        // Clipping by global norm is done by `clip_by_global_norm` (burn's clips per tensor).
        let optimizer = AdamWSettings {
            beta_1: params.adam_beta1 as f32,
            beta_2: params.adam_beta2 as f32,
            epsilon: params.adam_epsilon as f32,
            weight_decay: params.weight_decay as f32,
        }
        .init();
        Self {
            optimizer,
            schedule: LinearSchedule::new(params.learning_rate, params.warmup_ratio, total_steps),
            params: params.clone(),
            seed,
            pads,
            steps_done: 0,
            total_steps,
        }
    }

    /// Optimiser steps of the whole run.
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }

    /// One pass over `examples` (epoch is 1-based); `network` must live on an autodiff device.
    /// `on_step` sees every optimiser step and may stop training with an error.
    pub fn train_epoch(
        &mut self,
        mut network: Network,
        epoch: u32,
        examples: &[Example],
        on_step: &mut dyn FnMut(&StepReport) -> Result<(), RunError>,
    ) -> Result<Network, RunError> {
        let lengths: Vec<usize> = examples.iter().map(Example::length).collect();
        let batches = bucketed_batches(
            &lengths,
            self.params.batch_size.max(1) as usize,
            epoch_seed(self.seed, epoch),
        );
        let dropout = self
            .params
            .lora
            .as_ref()
            .is_some_and(|lora| lora.dropout > 0.0);
        for group in batches.chunks(self.params.grad_accumulation.max(1) as usize) {
            let started = Instant::now();
            let step = self.steps_done + 1;
            if dropout {
                network.device().seed(dropout_seed(self.seed, step));
            }
            let mut accumulator = GradientsAccumulator::<Network>::new();
            let mut loss_sum = 0.0;
            let mut tokens = 0usize;
            for batch in group {
                let rows: Vec<&Example> = batch.iter().map(|&i| &examples[i]).collect();
                tokens += rows.iter().map(|e| e.tokens()).sum::<usize>();
                let loss = token_loss(&network, &collate(&rows, self.pads))?;
                loss_sum += read_values(loss.clone().detach())?
                    .first()
                    .map_or(f64::NAN, |&v| f64::from(v));
                let scaled = loss.div_scalar(group.len() as f64);
                let grads = GradientsParams::from_grads(scaled.backward(), &network);
                accumulator.accumulate(&network, grads);
            }
            let loss = loss_sum / group.len() as f64;
            if !loss.is_finite() {
                return Err(RunError::NonFiniteLoss { epoch, step, loss });
            }
            let mut grads = accumulator.grads();
            let gradient_norm =
                clip_by_global_norm(&network, &mut grads, self.params.max_grad_norm)?;
            let learning_rate = self.schedule.learning_rate(self.steps_done);
            network = self.optimizer.step(learning_rate, network, grads);
            self.steps_done = step;
            let seconds = started.elapsed().as_secs_f64().max(1e-9);
            on_step(&StepReport {
                epoch,
                step,
                total_steps: self.total_steps,
                loss,
                learning_rate,
                gradient_norm,
                tokens_per_second: tokens as f64 / seconds,
            })?;
        }
        Ok(network)
    }
}

/// Pads a micro-batch: inputs on the right, decoder inputs on the right, labels with
/// [`IGNORED_LABEL`].
pub fn collate(examples: &[&Example], pads: PadIds) -> TrainingBatch {
    let inputs: Vec<Vec<i64>> = examples.iter().map(|e| e.input.clone()).collect();
    let decoder: Option<Vec<Vec<i64>>> = examples.iter().map(|e| e.decoder_input.clone()).collect();
    let decoder_input_ids = decoder.map(|rows| TokenBatch::pad(&rows, pads.decoder, false).ids);
    let width = examples.iter().map(|e| e.labels.len()).max().unwrap_or(0);
    let labels = examples
        .iter()
        .map(|e| {
            let mut row = e.labels.clone();
            row.resize(width, IGNORED_LABEL);
            row
        })
        .collect();
    TrainingBatch {
        inputs: TokenBatch::pad(&inputs, pads.input, false),
        decoder_input_ids,
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::{PadIds, collate};
    use crate::run::encode::{IGNORED_LABEL, causal_example, seq2seq_example};

    #[test]
    fn collated_decoder_only_batches_pad_labels_with_the_ignored_label() {
        let short = causal_example(&[10], &[20], 2, 8);
        let long = causal_example(&[10, 11, 12], &[20, 21], 2, 8);
        let batch = collate(
            &[&short, &long],
            PadIds {
                input: 0,
                decoder: 0,
            },
        );
        assert_eq!(batch.inputs.ids[0], vec![10, 20, 2, 0, 0, 0]);
        assert_eq!(batch.inputs.mask[0], vec![1, 1, 1, 0, 0, 0]);
        assert_eq!(
            batch.labels[0],
            vec![
                IGNORED_LABEL,
                20,
                2,
                IGNORED_LABEL,
                IGNORED_LABEL,
                IGNORED_LABEL
            ]
        );
        assert!(batch.decoder_input_ids.is_none());
    }

    #[test]
    fn collated_seq2seq_batches_pad_decoder_inputs_with_the_pad_id() {
        let a = seq2seq_example(vec![5, 1], vec![7, 1], 0);
        let b = seq2seq_example(vec![5, 6, 6, 1], vec![7, 8, 9, 1], 0);
        let batch = collate(
            &[&a, &b],
            PadIds {
                input: 3,
                decoder: 4,
            },
        );
        assert_eq!(batch.inputs.ids[0], vec![5, 1, 3, 3]);
        assert_eq!(
            batch.decoder_input_ids,
            Some(vec![vec![0, 7, 4, 4], vec![0, 7, 8, 9]])
        );
        assert_eq!(batch.labels[0], vec![7, 1, IGNORED_LABEL, IGNORED_LABEL]);
    }
}
