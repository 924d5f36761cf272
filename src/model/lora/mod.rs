//! LoRA (Hu et al. 2021) on the dense layers of every family, with PEFT's semantics: adapters
//! `A` `[in, r]` (Kaiming-uniform, as PEFT) and `B` `[r, out]` (zero) on the layers whose
//! Hugging Face module name ends with a target (`"q"` matches `…SelfAttention.q`), scaled by
//! `alpha / r`, with dropout on the adapter's input while training.
//!
//! An adapter is a burn [`Reparameterization`] of a [`Dense`](super::dense::Dense) weight, so
//! attaching one is a generic walk over any [`Module`]: a family gets LoRA by building its
//! linear layers from `Dense` and saving them with `Dense::save_linear`/`save_conv1d`, whose
//! names are how targets are matched. Every other parameter is frozen (no gradient, so no
//! optimiser state); the adapters stay in `f32` whatever the base's precision. `Dense::forward`
//! computes `x W + scale · dropout(x) A B` without merging; [`merge`] folds the adapters into the
//! weights, and saving a network (`save_weights`) writes merged weights. [`save_adapters`] and
//! [`load_adapters`] read and write the adapters alone in PEFT's folder layout (`peft.rs`).

mod peft;

pub use peft::{ADAPTER_CONFIG, ADAPTER_WEIGHTS, load_adapters, save_adapters};

use super::error::{ModelError, ModelResult};
use super::network::Network;
use super::weights::{DenseLayer, WeightWriter, read_values};
use burn::module::{Module, ModuleVisitor, Param, ParamId, Reparameterization, Reparameterizer};
use burn::tensor::module::linear;
use burn::tensor::{DType, Distribution, Tensor, TensorData};
use std::collections::{BTreeMap, BTreeSet};

/// What to adapt and how.
#[derive(Debug, Clone, PartialEq)]
pub struct LoraConfig {
    /// Rank `r` of the adapters.
    pub rank: usize,
    /// `alpha`; the adapter's output is scaled by `alpha / r`.
    pub alpha: f64,
    /// Dropout probability on the adapter's input while training.
    pub dropout: f64,
    /// Module names (or dotted suffixes of them) whose dense layers get adapters.
    pub targets: Vec<String>,
}

impl LoraConfig {
    /// `alpha / r`.
    pub fn scale(&self) -> f64 {
        self.alpha / self.rank as f64
    }
}

/// The low-rank update of one dense weight: `W + scale · A B`.
#[derive(Module, Debug)]
pub struct Adapter {
    /// `[in, r]`, `f32`.
    pub a: Param<Tensor<2>>,
    /// `[r, out]`, `f32`.
    pub b: Param<Tensor<2>>,
    /// `alpha / r`.
    pub scale: f64,
    /// Dropout probability on the input while training.
    pub dropout: f64,
}

impl Reparameterization for Adapter {
    const NAME: &'static str = "lora";

    /// The merged weight, computed in the adapter's precision and returned in the base's.
    fn apply<const D: usize>(&self, base: Tensor<D>) -> Tensor<D> {
        let dtype = base.dtype();
        let delta = self.delta().reshape(base.shape());
        let merged = base.cast(delta.dtype()) + delta;
        merged.cast(dtype)
    }
}

impl Adapter {
    /// `scale · A B`, `[in, out]`.
    pub fn delta(&self) -> Tensor<2> {
        self.a.val().matmul(self.b.val()).mul_scalar(self.scale)
    }

    /// `scale · dropout(x) A B` over the last axis, in the adapter's precision. Dropout applies
    /// only on an autodiff device (training); its masks come from the device's seeded generator.
    pub fn forward<const D: usize>(&self, input: Tensor<D>) -> Tensor<D> {
        let a = self.a.val();
        let input = input.cast(a.dtype());
        let input = if self.dropout > 0.0 && input.device().is_autodiff() {
            let keep = 1.0 - self.dropout;
            let mask = input.random_like(Distribution::Bernoulli(keep));
            (input * mask).div_scalar(keep)
        } else {
            input
        };
        linear(linear(input, a, None), self.b.val(), None).mul_scalar(self.scale)
    }
}

/// Every dense layer of the network, by Hugging Face module name, in saving order.
pub fn dense_layers(network: &Network) -> ModelResult<Vec<DenseLayer>> {
    let mut writer = WeightWriter::layers_only();
    network.save(&mut writer)?;
    Ok(writer.into_layers())
}

/// Whether module `name` is targeted by `target` (PEFT: equal, or ending in `.target`).
fn matches_target(name: &str, target: &str) -> bool {
    name == target
        || name
            .strip_suffix(target)
            .is_some_and(|prefix| prefix.ends_with('.'))
}

/// Attaches fresh adapters (`A` Kaiming-uniform from `seed` and the module name, `B` zero) to
/// the targeted dense layers and freezes every other parameter. Fails, naming them and the
/// layers there are, when a target matches no layer.
pub fn attach(network: Network, config: &LoraConfig, seed: u64) -> ModelResult<Network> {
    let rank = config.rank;
    attach_with(network, config, |name, input, output| {
        // PEFT: kaiming_uniform_(a = √5) on lora_A's `[r, in]` weight is U(±1/√in).
        let bound = 1.0 / (input as f32).sqrt();
        let a = uniform(seed, name, input * rank)
            .into_iter()
            .map(|u| (2.0 * u - 1.0) * bound)
            .collect();
        Ok((a, vec![0.0; rank * output]))
    })
}

/// `[in, r]` and `[r, out]` factor values of a module, row-major.
pub type Factors = (Vec<f32>, Vec<f32>);

fn attach_with(
    network: Network,
    config: &LoraConfig,
    factors: impl FnMut(&str, usize, usize) -> ModelResult<Factors>,
) -> ModelResult<Network> {
    if config.rank == 0 {
        return Err(ModelError::InvalidInput("LoRA rank 0".into()));
    }
    let layers = dense_layers(&network)?;
    if let Some(layer) = layers.iter().find(|l| l.adapter.is_some()) {
        return Err(ModelError::InvalidInput(format!(
            "`{}` already has a LoRA adapter",
            layer.name
        )));
    }
    let unmatched: Vec<String> = config
        .targets
        .iter()
        .filter(|t| !layers.iter().any(|l| matches_target(&l.name, t)))
        .cloned()
        .collect();
    if !unmatched.is_empty() || config.targets.is_empty() {
        let available: BTreeSet<&str> = layers
            .iter()
            .map(|l| l.name.rsplit('.').next().unwrap_or(&l.name))
            .collect();
        return Err(ModelError::LoraTargets {
            unmatched,
            available: available.into_iter().map(str::to_owned).collect(),
        });
    }
    let chosen = layers
        .into_iter()
        .filter(|l| config.targets.iter().any(|t| matches_target(&l.name, t)))
        .map(|l| (l.weight, l.name))
        .collect();
    let mut attacher = Attacher {
        chosen,
        rank: config.rank,
        scale: config.scale(),
        dropout: config.dropout,
        factors,
        error: None,
    };
    let network = network.apply_reparameterization(&mut attacher);
    match attacher.error {
        Some(error) => Err(error),
        None => Ok(network),
    }
}

/// Freezes every parameter and gives the chosen weights an adapter.
struct Attacher<F> {
    chosen: BTreeMap<ParamId, String>,
    rank: usize,
    scale: f64,
    dropout: f64,
    factors: F,
    error: Option<ModelError>,
}

impl<F: FnMut(&str, usize, usize) -> ModelResult<Factors>> Reparameterizer for &mut Attacher<F> {
    type Reparam = Adapter;

    fn reparameterize<const D: usize>(
        &mut self,
        _path: &str,
        param: Param<Tensor<D>>,
    ) -> (Param<Tensor<D>>, Option<Adapter>) {
        let param = param.set_require_grad(false);
        let Some(name) = self.chosen.get(&param.id) else {
            return (param, None);
        };
        let shape = param.lazy_shape();
        if D != 2 || self.error.is_some() {
            return (param, None);
        }
        let (input, output) = (shape[0], shape[1]);
        let (a, b) = match (self.factors)(name, input, output) {
            Ok(factors) => factors,
            Err(error) => {
                self.error = Some(error);
                return (param, None);
            }
        };
        let device = param.lazy_device();
        let factor = |values: Vec<f32>, shape: [usize; 2]| {
            Param::from_tensor(Tensor::from_data(
                TensorData::new(values, shape),
                (&device, DType::F32),
            ))
        };
        let adapter = Adapter {
            a: factor(a, [input, self.rank]),
            b: factor(b, [self.rank, output]),
            scale: self.scale,
            dropout: self.dropout,
        };
        (param, Some(adapter))
    }
}

/// `count` uniform values in `[0, 1)` from blake3 of the seed and the module name: the same on
/// every platform and backend, and independent of the order layers are visited in.
fn uniform(seed: u64, name: &str, count: usize) -> Vec<f32> {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"expc lora A");
    hasher.update(&seed.to_le_bytes());
    hasher.update(name.as_bytes());
    let mut bytes = vec![0u8; 4 * count];
    hasher.finalize_xof().fill(&mut bytes);
    bytes
        .chunks_exact(4)
        .map(|b| (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) >> 8) as f32 / (1u32 << 24) as f32)
        .collect()
}

/// The network with every adapter folded into its weight (`W + scale · A B`, computed in `f32`
/// and stored in the weight's precision); the merged weights stay frozen.
pub fn merge(network: Network) -> Network {
    network.materialize()
}

/// Parameter counts and memory of a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParameterSummary {
    /// Every parameter value (adapters included).
    pub parameters: usize,
    /// Values that receive gradients (and optimiser state).
    pub trainable: usize,
    /// Bytes the parameters occupy at their precision.
    pub bytes: usize,
}

/// Counts the network's parameters; on a device without autodiff nothing is trainable.
pub fn parameter_summary(network: &Network) -> ParameterSummary {
    struct Count(ParameterSummary);
    impl ModuleVisitor for Count {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let tensor = param.base();
            let count = tensor.shape().num_elements();
            self.0.parameters += count;
            self.0.bytes += count * tensor.dtype().size();
            if tensor.is_require_grad() {
                self.0.trainable += count;
            }
        }
    }
    let mut count = Count(ParameterSummary {
        parameters: 0,
        trainable: 0,
        bytes: 0,
    });
    network.visit(&mut count);
    count.0
}

/// The adapters' factors on the host, by module name (`A` `[in, r]`, `B` `[r, out]`, row-major).
pub fn adapter_values(network: &Network) -> ModelResult<BTreeMap<String, Factors>> {
    dense_layers(network)?
        .into_iter()
        .filter_map(|layer| layer.adapter.map(|adapter| (layer.name, adapter)))
        .map(|(name, adapter)| {
            Ok((
                name,
                (read_values(adapter.a.val())?, read_values(adapter.b.val())?),
            ))
        })
        .collect()
}

/// Attaches adapters with the given factor values (as [`adapter_values`] reads them), e.g. to
/// move adapters trained over a half-precision base onto the `f32` base for export.
pub fn attach_values(
    network: Network,
    config: &LoraConfig,
    values: &BTreeMap<String, Factors>,
) -> ModelResult<Network> {
    attach_with(network, config, |name, _, _| {
        values
            .get(name)
            .cloned()
            .ok_or_else(|| ModelError::InvalidInput(format!("no adapter values for `{name}`")))
    })
}

#[cfg(test)]
mod tests {
    use super::{matches_target, uniform};

    #[test]
    fn targets_match_whole_trailing_components() {
        let name = "encoder.block.0.layer.0.SelfAttention.q";
        assert!(matches_target(name, "q"));
        assert!(matches_target(name, "SelfAttention.q"));
        assert!(matches_target(name, name));
        assert!(!matches_target(name, "Attention.q"));
        assert!(!matches_target("model.layers.0.self_attn.q_proj", "q"));
        assert!(matches_target("model.layers.0.self_attn.q_proj", "q_proj"));
    }

    #[test]
    fn uniform_values_are_in_range_and_depend_on_the_name() {
        let a = uniform(7, "x.q", 1000);
        assert!(a.iter().all(|&u| (0.0..1.0).contains(&u)));
        assert_ne!(a, uniform(7, "x.v", 1000));
        assert_eq!(a, uniform(7, "x.q", 1000));
        let mean = a.iter().sum::<f32>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05, "{mean}");
    }
}
