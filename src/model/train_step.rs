//! Token cross-entropy on the device and one AdamW step with PyTorch's settings, as the
//! reference fixtures' `training_step` runs it (dropout off).

use super::adamw::AdamWSettings;
use super::error::{ModelError, ModelResult};
use super::network::{Network, TokenBatch};
use super::weights::read_values;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::activation::softmax;
use burn::tensor::{FloatDType, IndexingUpdateOp, Int, Tensor, TensorData};

/// A training batch: inputs, decoder inputs (seq2seq) and labels (`-100` = ignored).
#[derive(Debug, Clone)]
pub struct TrainingBatch {
    /// Encoder (or GPT-2) inputs.
    pub inputs: TokenBatch,
    /// Decoder inputs (seq2seq only).
    pub decoder_input_ids: Option<Vec<Vec<i64>>>,
    /// Targets; GPT-2's are shifted by one inside the loss.
    pub labels: Vec<Vec<i64>>,
}

/// Mean cross-entropy over labels ≠ -100 (GPT-2: predicting token `t + 1` from position `t`),
/// computed in `f32` whatever the network's precision.
///
/// burn's autodiff builds `log_softmax` from five element-wise passes over the
/// `[rows, steps, vocab]` logits and recomputes `exp` in the backward pass, all on one thread.
/// Here the softmax runs once outside the graph (the CPU backend's fused kernel); the gradient
/// with respect to the logits is known in closed form, `(softmax − one_hot) · keep / count`, and
/// enters the graph through `Σ logits · gradient`, whose gradient is exactly that constant. The
/// returned tensor's value is the loss (that sum minus its own detached value, which is 0, plus
/// the loss computed outside the graph); its gradient is the cross-entropy's.
pub fn token_loss(network: &Network, batch: &TrainingBatch) -> ModelResult<Tensor<1>> {
    let logits = network
        .forward(&batch.inputs, batch.decoder_input_ids.as_deref())?
        .logits
        .cast(FloatDType::F32);
    let [rows, time, vocab] = logits.dims();
    let shift = !network.is_encoder_decoder();
    let (logits, labels): (Tensor<3>, Vec<Vec<i64>>) = if shift {
        (
            logits.narrow(1, 0, time.saturating_sub(1)),
            batch.labels.iter().map(|row| row[1..].to_vec()).collect(),
        )
    } else {
        (logits, batch.labels.clone())
    };
    let steps = labels.first().map_or(0, Vec::len);
    if labels.len() != rows || steps == 0 {
        return Err(ModelError::InvalidInput(
            "labels do not match the batch".into(),
        ));
    }
    let targets: Vec<i64> = labels.iter().flatten().map(|&l| l.max(0)).collect();
    let keep: Vec<f32> = labels
        .iter()
        .flatten()
        .map(|&l| {
            if l >= 0 && (l as usize) < vocab {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let count: f32 = keep.iter().sum();
    if count == 0.0 {
        return Err(ModelError::InvalidInput("every label is ignored".into()));
    }
    let constant = logits.clone().without_autodiff();
    let device = constant.device();
    let targets: Tensor<3, Int> =
        Tensor::from_data(TensorData::new(targets, [rows, steps, 1]), &device);
    let keep: Tensor<3> = Tensor::from_data(TensorData::new(keep, [rows, steps, 1]), &device);
    let probabilities = softmax(constant.clone(), 2);
    // log Σ exp(x) = max x − log(max softmax): the largest probability is at least 1 / vocab,
    // so its logarithm is exact where the target's own probability could underflow.
    let log_normaliser = constant.clone().max_dim(2) - probabilities.clone().max_dim(2).log();
    let picked = constant.gather(2, targets.clone());
    let loss = ((log_normaliser - picked) * keep.clone())
        .sum()
        .div_scalar(count);
    if !logits.is_autodiff() {
        return Ok(loss);
    }
    let gradient = probabilities
        .scatter(2, targets, keep.clone().neg(), IndexingUpdateOp::Add)
        .mul(keep.div_scalar(count));
    let linear = (logits * gradient).sum();
    Ok(linear.clone() - linear.detach() + loss.autodiff())
}

/// Losses and gradient norm of one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepReport {
    /// Loss before the step.
    pub loss_before: f64,
    /// L2 norm of all gradients (tied parameters once).
    pub grad_l2_norm: f64,
    /// Loss on the same batch after the step.
    pub loss_after: f64,
}

struct GradientNorm<'a> {
    grads: &'a GradientsParams,
    sum_of_squares: f64,
}

impl ModuleVisitor for GradientNorm<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        if let Some(grad) = self.grads.get::<D>(param.id) {
            // Summed on the host in f64: flex's `sum` accumulates in f32 and loses 5e-6.
            let values = read_values(grad).unwrap_or_else(|_| vec![f32::NAN]);
            self.sum_of_squares += values.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>();
        }
    }
}

fn scalar(tensor: Tensor<1>) -> ModelResult<f64> {
    let values = read_values(tensor)?;
    values
        .first()
        .map(|&v| f64::from(v))
        .ok_or_else(|| ModelError::Backend("empty loss".into()))
}

/// One AdamW step (`betas (0.9, 0.999)`, `eps 1e-8`, no weight decay: torch's defaults, not
/// burn's) on a network whose parameters live on an autodiff device.
pub fn adamw_step(
    network: Network,
    batch: &TrainingBatch,
    learning_rate: f64,
) -> ModelResult<(Network, StepReport)> {
    let loss = token_loss(&network, batch)?;
    let loss_before = scalar(loss.clone().detach())?;
    let grads = GradientsParams::from_grads(loss.backward(), &network);
    let mut norm = GradientNorm {
        grads: &grads,
        sum_of_squares: 0.0,
    };
    network.visit(&mut norm);
    let grad_l2_norm = norm.sum_of_squares.sqrt();
    let mut optimizer = AdamWSettings::torch(0.0).init();
    let network = optimizer.step(learning_rate, network, grads);
    let loss_after = scalar(token_loss(&network, batch)?.detach())?;
    Ok((
        network,
        StepReport {
            loss_before,
            grad_l2_norm,
            loss_after,
        },
    ))
}
