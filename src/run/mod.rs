//! Running a plan: each run finetunes its checkpoint on its training documents, selects its
//! weights, generates on the test split and is scored into the run store.
//!
//! Decisions:
//! - the networks carry no dropout layers, so training is deterministic given the run's seed
//!   on the CPU backend (transformers would apply the checkpoint's dropout); the seed orders
//!   the batches of each epoch;
//! - batches are length-bucketed: a seeded shuffle, then each chunk of
//!   [`CHUNK_BATCHES`](batches::CHUNK_BATCHES) batches sorted by length;
//! - the learning rate warms up linearly from 0 and decays linearly to 0 (transformers'
//!   schedule); gradients are accumulated over `grad_accumulation` micro-batches of
//!   `batch_size`, each micro-batch's mean loss divided by the micro-batches of the step, and
//!   clipped by their global norm;
//! - best-validation selection keeps the best epoch's weights in memory (the first of equal
//!   scores);
//! - `lora` attaches adapters (seeded by the run's seed) to the checkpoint's dense layers and
//!   trains them alone; `precision` loads the frozen weights in bf16 or f16 (bf16 on the CPU
//!   backend only); LoRA dropout is seeded per optimiser step.

pub mod batches;
pub mod clip;
pub mod encode;
mod error;
mod execute;
mod filter;
pub mod generate;
pub mod schedule;
mod scratch;
pub mod train;

pub use error::RunError;
pub use execute::{ADAPTER_FOLDER, GENERATION_BATCH, Progress, RunOptions, RunOutcome, execute};
pub use filter::RunFilter;
