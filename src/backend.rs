//! Choosing where tensors live: wgpu on a Vulkan adapter, or the `flex` CPU backend.
//!
//! `Device::default()` is never used: with wgpu compiled in it may pick OpenGL, which deadlocks
//! on software rasterisers. wgpu is always initialised with the Vulkan API pinned.
//!
//! `auto` takes wgpu only on a real GPU: a software Vulkan driver (Mesa's lavapipe, which CI
//! machines have) computes correctly but about 20× slower than the `flex` CPU backend.

use burn::tensor::wgpu::{WgpuBackend, wgpu};
use burn::tensor::{Device, FloatDType};

/// The backend a command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    /// wgpu when a Vulkan GPU adapter initialises, else the CPU.
    Auto,
    /// wgpu on Vulkan (an error when no adapter initialises).
    Wgpu,
    /// The pure-Rust `flex` CPU backend.
    Cpu,
}

/// The device chosen and why.
#[derive(Debug, Clone)]
pub struct SelectedBackend {
    /// Where tensors are created.
    pub device: Device,
    /// `wgpu` or `cpu`.
    pub name: &'static str,
    /// Why this backend was chosen.
    pub reason: String,
}

/// Initialises the requested backend.
pub fn select_backend(choice: BackendChoice) -> Result<SelectedBackend, String> {
    let cpu = |reason: String| SelectedBackend {
        device: Device::flex(),
        name: "cpu",
        reason,
    };
    match choice {
        BackendChoice::Cpu => Ok(cpu("requested with --backend cpu".into())),
        BackendChoice::Wgpu => init_vulkan().map(|(device, adapter)| SelectedBackend {
            device,
            name: "wgpu",
            reason: format!(
                "requested with --backend wgpu (Vulkan adapter {})",
                adapter.name
            ),
        }),
        BackendChoice::Auto => Ok(match init_vulkan() {
            Ok((device, adapter)) if adapter.device_type != wgpu::DeviceType::Cpu => {
                SelectedBackend {
                    device,
                    name: "wgpu",
                    reason: format!("auto: Vulkan adapter {}", adapter.name),
                }
            }
            Ok((_, adapter)) => cpu(format!(
                "auto: the Vulkan adapter {} is a software driver, slower than the CPU backend",
                adapter.name
            )),
            Err(error) => cpu(format!("auto: no Vulkan adapter ({error})")),
        }),
    }
}

/// Initialises wgpu on Vulkan; returns the device and what the adapter is.
fn init_vulkan() -> Result<(Device, wgpu::AdapterInfo), String> {
    Device::wgpu_options()
        .graphics_api(WgpuBackend::Vulkan)
        .init_with_setup()
        .map(|(device, setup)| (device, setup.adapter.get_info()))
        .map_err(|e| format!("wgpu/Vulkan initialisation failed: {e}"))
}

/// Whether `device` computes correctly in `dtype`. `f32` works everywhere. `bf16` is refused
/// off the CPU: Vulkan has no bf16 arithmetic, and wgpu computes garbage in it without an error
/// (measured on lavapipe). `f16` needs the backend's support (wgpu on lavapipe has it, about 40×
/// slower than `f32`).
pub fn check_dtype(device: &Device, dtype: FloatDType) -> Result<(), String> {
    let on_cpu = *device == Device::flex();
    match dtype {
        FloatDType::F32 => Ok(()),
        FloatDType::BF16 if !on_cpu => Err(
            "bf16 weights need the CPU backend: wgpu (Vulkan) has no bf16 arithmetic and computes wrong numbers silently; use precision = \"f16\" or --backend cpu".into(),
        ),
        _ if device.supports_dtype(dtype) => Ok(()),
        _ => Err(format!("the backend does not compute in {dtype:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::check_dtype;
    use burn::tensor::{Device, DeviceKind, FloatDType};

    #[test]
    fn bf16_is_refused_on_wgpu_and_allowed_on_the_cpu() {
        // Lazy: no adapter is initialised by creating or comparing the device.
        let wgpu = Device::wgpu(DeviceKind::DefaultDevice);
        let error = check_dtype(&wgpu, FloatDType::BF16).unwrap_err();
        assert!(error.contains("silently"), "{error}");
        assert!(check_dtype(&wgpu, FloatDType::F32).is_ok());
        let cpu = Device::flex();
        for dtype in [FloatDType::F32, FloatDType::BF16, FloatDType::F16] {
            assert_eq!(check_dtype(&cpu, dtype), Ok(()));
            assert_eq!(check_dtype(&cpu.clone().autodiff(), dtype), Ok(()));
        }
    }
}
