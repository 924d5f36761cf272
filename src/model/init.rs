//! Seeded random weights for a network described by its configuration alone, so that a study
//! can train a model from scratch.
//!
//! The network's own loader asks for every tensor by Hugging Face name and shape; instead of a
//! checkpoint, an [`Initializer`] answers, following transformers' `_init_weights` rules for the
//! family. Each tensor draws from a generator seeded by the seed and the tensor's name, so the
//! weights depend on nothing else (not on load order, thread count or backend).

use super::config::ModelConfig;
use super::safetensors_file::HostTensor;
use crate::corpus::SplitMix64;

/// How one tensor is filled.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fill {
    Zeros,
    Ones,
    Normal { std: f64 },
}

/// Makes the tensors a configuration's network asks for.
#[derive(Debug, Clone)]
pub struct Initializer {
    config: ModelConfig,
    seed: u64,
}

impl Initializer {
    /// Weights for `config`, drawn with `seed`.
    pub fn new(config: ModelConfig, seed: u64) -> Self {
        Self { config, seed }
    }

    /// The tensor `name` of `shape`.
    pub fn tensor(&self, name: &str, shape: &[usize]) -> HostTensor {
        let len = shape.iter().product();
        let values = match self.fill(name) {
            Fill::Zeros => vec![0.0; len],
            Fill::Ones => vec![1.0; len],
            Fill::Normal { std } => normal_values(self.tensor_seed(name), len, std),
        };
        HostTensor {
            shape: shape.to_vec(),
            values,
            stored_dtype: "F32".to_owned(),
        }
    }

    fn tensor_seed(&self, name: &str) -> u64 {
        let mut hasher = blake3::Hasher::new();
        hasher.update(&self.seed.to_le_bytes());
        hasher.update(name.as_bytes());
        let bytes = hasher.finalize();
        u64::from_le_bytes(bytes.as_bytes()[..8].try_into().expect("32-byte digest"))
    }

    fn fill(&self, name: &str) -> Fill {
        let (module, kind) = name.rsplit_once('.').unwrap_or((name, ""));
        let last = module.rsplit('.').next().unwrap_or(module);
        if kind == "bias" || name == "final_logits_bias" {
            return Fill::Zeros;
        }
        if last.contains("norm") || last.starts_with("ln_") {
            return Fill::Ones;
        }
        match &self.config {
            ModelConfig::T5(c) => {
                let d_model = c.d_model as f64;
                let std = match last {
                    "shared" | "lm_head" => 1.0,
                    "q" => (d_model * c.d_kv as f64).powf(-0.5),
                    "o" => ((c.num_heads * c.d_kv) as f64).powf(-0.5),
                    "wo" => (c.d_ff as f64).powf(-0.5),
                    // k, v, wi, wi_0, wi_1 and the relative position bias.
                    _ => d_model.powf(-0.5),
                };
                Fill::Normal { std }
            }
            // transformers' default `initializer_range` / `init_std`.
            ModelConfig::Bart(_)
            | ModelConfig::GptNeo(_)
            | ModelConfig::Llama(_)
            | ModelConfig::BioGpt(_) => Fill::Normal { std: 0.02 },
            ModelConfig::Gpt2(c) => {
                // GPT-2 scales the residual projections by the depth.
                let std = if last == "c_proj" {
                    0.02 / (2.0 * c.n_layer as f64).sqrt()
                } else {
                    0.02
                };
                Fill::Normal { std }
            }
        }
    }
}

/// `len` draws from N(0, std²) (Box–Muller on a SplitMix64 stream).
fn normal_values(seed: u64, len: usize, std: f64) -> Vec<f32> {
    let mut random = SplitMix64::new(seed);
    let mut uniform = || (random.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let mut values = Vec::with_capacity(len + 1);
    while values.len() < len {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let radius = (-2.0 * (1.0 - uniform()).ln()).sqrt();
        let angle = std::f64::consts::TAU * uniform();
        values.push((std * radius * angle.cos()) as f32);
        values.push((std * radius * angle.sin()) as f32);
    }
    values.truncate(len);
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::T5Config;

    fn t5() -> Initializer {
        let config: T5Config = serde_json::from_str(
            r#"{"vocab_size":8,"d_model":16,"d_kv":4,"d_ff":32,"num_layers":1,"num_heads":2,
                "relative_attention_num_buckets":4}"#,
        )
        .unwrap();
        Initializer::new(ModelConfig::T5(config), 7)
    }

    #[test]
    fn norms_are_ones_biases_zeros() {
        let init = t5();
        let norm = init.tensor("encoder.final_layer_norm.weight", &[3]);
        assert_eq!(norm.values, vec![1.0; 3]);
        assert_eq!(init.fill("decoder.layer.0.bias"), Fill::Zeros);
    }

    #[test]
    fn t5_rules_follow_transformers() {
        let init = t5();
        assert_eq!(init.fill("shared.weight"), Fill::Normal { std: 1.0 });
        assert_eq!(
            init.fill("encoder.block.0.layer.1.DenseReluDense.wo.weight"),
            Fill::Normal {
                std: 32f64.powf(-0.5)
            }
        );
        assert_eq!(
            init.fill("encoder.block.0.layer.0.SelfAttention.q.weight"),
            Fill::Normal {
                std: 64f64.powf(-0.5)
            }
        );
    }

    #[test]
    fn draws_depend_on_seed_and_name_only() {
        let init = t5();
        let a = init.tensor("shared.weight", &[8, 16]);
        assert_eq!(a, init.tensor("shared.weight", &[8, 16]));
        assert_ne!(a, init.tensor("lm_head.weight", &[8, 16]));
        let other = Initializer::new(init.config.clone(), 8);
        assert_ne!(a, other.tensor("shared.weight", &[8, 16]));
    }

    #[test]
    fn normal_draws_have_the_asked_spread() {
        let values = normal_values(3, 20_000, 0.5);
        let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64;
        let var = values
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / values.len() as f64;
        assert!(mean.abs() < 0.02, "{mean}");
        assert!((var.sqrt() - 0.5).abs() < 0.02, "{}", var.sqrt());
    }
}
