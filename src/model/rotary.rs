//! Rotary position embeddings (RoPE) as transformers' Llama applies them: `rotate_half` pairs
//! `(i, i + width/2)`, `inv_freq = theta^(-2i/width)`, angle = position × `inv_freq`, with the
//! `linear`, `dynamic` (NTK) and `llama3` frequency scalings. Angles are computed on the host in
//! `f64` (the float64 reference does the same; stock transformers uses `f32`).

use super::config::{RopeScaling, RopeSettings};
use burn::tensor::{Device, Tensor, TensorData};

/// The frequencies of one model's rotary embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct RotaryEmbedding {
    /// Width of one head (all of it is rotated).
    pub head_width: usize,
    /// Base and scaling.
    pub settings: RopeSettings,
    /// `max_position_embeddings`: where dynamic scaling starts.
    pub trained_positions: usize,
}

/// `cos` and `sin` of every (row, position, frequency), `[rows, 1, time, head_width]` each.
#[derive(Debug, Clone)]
pub struct RotaryAngles {
    cos: Tensor<4>,
    sin: Tensor<4>,
}

impl RotaryEmbedding {
    /// The inverse frequencies (`head_width / 2` of them) for a call whose positions reach
    /// `sequence_length - 1`. Only dynamic scaling depends on that length: it recomputes the
    /// base from the longest position of the call, as a fresh transformers model does.
    pub fn inverse_frequencies(&self, sequence_length: usize) -> Vec<f64> {
        let width = self.head_width as f64;
        let mut theta = self.settings.theta;
        if let RopeScaling::Dynamic { factor } = self.settings.scaling {
            let trained = self.trained_positions as f64;
            let length = (sequence_length as f64).max(trained);
            theta *= (factor * length / trained - (factor - 1.0)).powf(width / (width - 2.0));
        }
        (0..self.head_width / 2)
            .map(|i| {
                let frequency = 1.0 / theta.powf((2 * i) as f64 / width);
                self.scaled(frequency)
            })
            .collect()
    }

    fn scaled(&self, frequency: f64) -> f64 {
        match self.settings.scaling {
            RopeScaling::None | RopeScaling::Dynamic { .. } => frequency,
            RopeScaling::Linear { factor } => frequency / factor,
            RopeScaling::Llama3 {
                factor,
                low_freq_factor,
                high_freq_factor,
                original_max_position_embeddings: original,
            } => {
                let wavelength = 2.0 * std::f64::consts::PI / frequency;
                if wavelength < original / high_freq_factor {
                    frequency
                } else if wavelength > original / low_freq_factor {
                    frequency / factor
                } else {
                    let smooth = (original / wavelength - low_freq_factor)
                        / (high_freq_factor - low_freq_factor);
                    (1.0 - smooth) * frequency / factor + smooth * frequency
                }
            }
        }
    }

    /// The angles of `positions` (`[rows][time]`, as the model sees them).
    pub fn angles(&self, positions: &[Vec<i64>], device: &Device) -> RotaryAngles {
        let rows = positions.len();
        let time = positions.first().map_or(0, Vec::len);
        let longest = positions.iter().flatten().copied().max().unwrap_or(0);
        let frequencies = self.inverse_frequencies(usize::try_from(longest + 1).unwrap_or(0));
        let mut cos = Vec::with_capacity(rows * time * self.head_width);
        let mut sin = Vec::with_capacity(cos.capacity());
        for &position in positions.iter().flatten() {
            for _ in 0..2 {
                for frequency in &frequencies {
                    let angle = position as f64 * frequency;
                    cos.push(angle.cos() as f32);
                    sin.push(angle.sin() as f32);
                }
            }
        }
        let shape = [rows, 1, time, self.head_width];
        RotaryAngles {
            cos: Tensor::from_data(TensorData::new(cos, shape), device),
            sin: Tensor::from_data(TensorData::new(sin, shape), device),
        }
    }
}

impl RotaryAngles {
    /// Rotates queries or keys `[rows, heads, time, head_width]`:
    /// `x · cos + rotate_half(x) · sin`.
    pub fn rotate(&self, input: Tensor<4>) -> Tensor<4> {
        let half = input.dims()[3] / 2;
        let first = input.clone().narrow(3, 0, half);
        let second = input.clone().narrow(3, half, half);
        let rotated = Tensor::cat(vec![second.neg(), first], 3);
        input * self.cos.clone() + rotated * self.sin.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::weights::read_values;

    fn rope(scaling: RopeScaling) -> RotaryEmbedding {
        RotaryEmbedding {
            head_width: 8,
            settings: RopeSettings {
                theta: 10_000.0,
                scaling,
            },
            trained_positions: 16,
        }
    }

    #[test]
    fn frequencies_follow_theta_and_linear_scaling() {
        let plain = rope(RopeScaling::None).inverse_frequencies(4);
        assert_eq!(plain.len(), 4);
        assert_eq!(plain[0], 1.0);
        assert!((plain[1] - 0.1).abs() < 1e-15, "{plain:?}");
        let linear = rope(RopeScaling::Linear { factor: 4.0 }).inverse_frequencies(4);
        assert_eq!(linear[1], plain[1] / 4.0);
    }

    #[test]
    fn dynamic_scaling_starts_beyond_the_trained_length() {
        let dynamic = rope(RopeScaling::Dynamic { factor: 2.0 });
        let plain = rope(RopeScaling::None).inverse_frequencies(16);
        assert_eq!(dynamic.inverse_frequencies(16), plain);
        let longer = dynamic.inverse_frequencies(32);
        // base 10000 · (2 · 32/16 − 1)^(8/6)
        let theta = 10_000.0 * 3.0f64.powf(8.0 / 6.0);
        assert!((longer[1] - theta.powf(-0.25)).abs() < 1e-15, "{longer:?}");
    }

    #[test]
    fn llama3_scaling_keeps_high_and_divides_low_frequencies() {
        let scaled = rope(RopeScaling::Llama3 {
            factor: 8.0,
            low_freq_factor: 1.0,
            high_freq_factor: 4.0,
            original_max_position_embeddings: 64.0,
        })
        .inverse_frequencies(4);
        let plain = rope(RopeScaling::None).inverse_frequencies(4);
        // Wavelengths: 2π (kept), 62.8 (smoothed), 628 and 6283 (divided by 8).
        assert_eq!(scaled[0], plain[0]);
        assert!(scaled[1] < plain[1] && scaled[1] > plain[1] / 8.0);
        assert_eq!(scaled[2], plain[2] / 8.0);
        assert_eq!(scaled[3], plain[3] / 8.0);
    }

    #[test]
    fn rotation_pairs_each_coordinate_with_the_one_half_a_head_away() {
        let device = Device::flex();
        let angles = rope(RopeScaling::None).angles(&[vec![0, 1]], &device);
        let ones: Tensor<4> = Tensor::ones([1, 1, 2, 8], &device);
        let rotated = read_values(angles.rotate(ones)).unwrap();
        // Position 0 is the identity; at position 1 the first coordinate is cos 1 − sin 1.
        assert_eq!(&rotated[..8], &[1.0; 8]);
        assert!((rotated[8] - (1f32.cos() - 1f32.sin())).abs() < 1e-6);
        assert!((rotated[12] - (1f32.cos() + 1f32.sin())).abs() < 1e-6);
    }
}
