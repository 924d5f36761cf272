//! Work done on the host for tensors of the CPU backend: burn's `flex` runs element-wise
//! operations on one thread, while loops here run on every core (rayon, burn's own pool).

use burn::tensor::{Device, Tensor};

/// Elements per rayon task in host loops: large enough to amortise scheduling, small enough to
/// balance two to a few dozen cores.
pub const CHUNK: usize = 1 << 14;

/// Whether `tensor` lives on the CPU backend (with or without autodiff).
pub fn on_cpu_backend<const D: usize>(tensor: &Tensor<D>) -> bool {
    tensor.device().without_autodiff() == Device::flex()
}
