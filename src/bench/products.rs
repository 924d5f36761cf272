//! The matrix products a finetuning step and a decoding step of a seq2seq shape spend most of
//! their time in, each timed alone (the reference times the same
//! products with `torch.matmul`). They say how much of a network workload's gap to PyTorch is
//! the matrix-multiplication kernel itself.

use super::models::Shape;
use super::{Measurement, peak_rss_mib, time_median};
use crate::model::weights::read_values;
use anyhow::Context as _;
use burn::tensor::{Device, Distribution, Tensor};
use serde::Serialize;

/// One product `[m, k] × [k, n]`; a transposed operand is the transposed view of a contiguous
/// `[k, m]` (left) or `[n, k]` (right) matrix, as autodiff and tied output heads hand them over.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Product {
    /// Name in the table (`product_<shape>_<role>`).
    pub name: String,
    /// What the product is in the network.
    pub role: &'static str,
    /// Rows of the result.
    pub m: usize,
    /// The summed axis.
    pub k: usize,
    /// Columns of the result.
    pub n: usize,
    /// Whether the left operand is a transposed view.
    pub transpose_lhs: bool,
    /// Whether the right operand is a transposed view.
    pub transpose_rhs: bool,
}

impl Product {
    /// Floating-point operations of one product (a multiply and an add per term).
    pub fn flops(&self) -> f64 {
        2.0 * (self.m * self.k * self.n) as f64
    }
}

/// The products of `shape` (a T5 shape: `d_model`, `d_ff`, `vocab_size`): the feed-forward
/// input layer over the encoder's rows forward and both its gradients, the tied output head
/// over the decoder's rows forward and both its gradients, and the same two layers for one
/// decoding step of the batch.
pub fn products(shape: &Shape) -> anyhow::Result<Vec<Product>> {
    let field = |name: &str| {
        shape.config[name]
            .as_u64()
            .map(|v| v as usize)
            .with_context(|| format!("{}: no `{name}` in its config", shape.name))
    };
    let (model, inner, vocab) = (field("d_model")?, field("d_ff")?, field("vocab_size")?);
    let encoder_rows = shape.batch * shape.source_tokens;
    let decoder_rows = shape.batch * shape.target_tokens;
    let product = |role, m, k, n, transpose_lhs, transpose_rhs| Product {
        name: format!("product_{}_{role}", shape.name),
        role,
        m,
        k,
        n,
        transpose_lhs,
        transpose_rhs,
    };
    Ok(vec![
        product("dense_forward", encoder_rows, model, inner, false, false),
        product("dense_input_grad", encoder_rows, inner, model, false, true),
        product("dense_weight_grad", model, encoder_rows, inner, true, false),
        product("head_forward", decoder_rows, model, vocab, false, true),
        product("head_input_grad", decoder_rows, vocab, model, false, false),
        product("head_weight_grad", vocab, decoder_rows, model, true, false),
        product("decode_dense", shape.batch, model, inner, false, false),
        product("decode_head", shape.batch, model, vocab, false, true),
    ])
}

/// Times every product of `shape` on `device` (median of `repeats` after a warm-up), in
/// GFLOP/s.
pub fn measure(shape: &Shape, repeats: usize, device: &Device) -> anyhow::Result<Vec<Measurement>> {
    products(shape)?
        .into_iter()
        .map(|product| measure_one(&product, repeats, device))
        .collect()
}

fn operand(rows: usize, columns: usize, transposed: bool, device: &Device) -> Tensor<2> {
    if transposed {
        Tensor::random([columns, rows], Distribution::Default, device).transpose()
    } else {
        Tensor::random([rows, columns], Distribution::Default, device)
    }
}

fn measure_one(product: &Product, repeats: usize, device: &Device) -> anyhow::Result<Measurement> {
    let lhs = operand(product.m, product.k, product.transpose_lhs, device);
    let rhs = operand(product.k, product.n, product.transpose_rhs, device);
    let seconds = time_median(1, repeats, || -> anyhow::Result<()> {
        let result = lhs.clone().matmul(rhs.clone());
        // Reading one value forces a lazy backend to finish the product.
        read_values(result.slice([0..1, 0..1]))?;
        Ok(())
    })?;
    Ok(Measurement {
        workload: product.name.clone(),
        metric: "GFLOP/s".into(),
        value: product.flops() / seconds / 1e9,
        seconds,
        peak_rss_mib: peak_rss_mib(),
        detail: format!(
            "{}: [{}, {}]{} × [{}, {}]{}, median of {repeats}",
            product.role,
            product.m,
            product.k,
            if product.transpose_lhs {
                " (transposed view)"
            } else {
                ""
            },
            product.k,
            product.n,
            if product.transpose_rhs {
                " (transposed view)"
            } else {
                ""
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::models::shapes;

    #[test]
    fn products_follow_the_shape() {
        let tiny = &shapes(true)[0];
        let list = products(tiny).unwrap();
        assert_eq!(list.len(), 8);
        let head = list.iter().find(|p| p.role == "head_forward").unwrap();
        assert_eq!((head.m, head.k, head.n), (2 * 6, 32, 128));
        assert!(head.transpose_rhs && !head.transpose_lhs);
        let measured = measure_one(&list[0], 1, &Device::flex()).unwrap();
        assert_eq!(measured.workload, "product_tiny_t5_dense_forward");
        assert!(measured.value > 0.0 && measured.value.is_finite());
    }
}
