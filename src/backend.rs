//! Choosing where tensors live: wgpu on a Vulkan adapter, or the `flex` CPU backend.
//!
//! `Device::default()` is never used: with wgpu compiled in it may pick OpenGL, which deadlocks
//! on software rasterisers. wgpu is always initialised with the Vulkan API pinned.

use burn::tensor::Device;
use burn::tensor::wgpu::WgpuBackend;

/// The backend a command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    /// wgpu when a Vulkan adapter initialises, else the CPU.
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
        BackendChoice::Wgpu => init_vulkan().map(|device| SelectedBackend {
            device,
            name: "wgpu",
            reason: "requested with --backend wgpu (Vulkan adapter initialised)".into(),
        }),
        BackendChoice::Auto => Ok(match init_vulkan() {
            Ok(device) => SelectedBackend {
                device,
                name: "wgpu",
                reason: "auto: a Vulkan adapter initialised".into(),
            },
            Err(error) => cpu(format!("auto: no Vulkan adapter ({error})")),
        }),
    }
}

fn init_vulkan() -> Result<Device, String> {
    Device::wgpu_options()
        .graphics_api(WgpuBackend::Vulkan)
        .init()
        .map_err(|e| format!("wgpu/Vulkan initialisation failed: {e}"))
}
