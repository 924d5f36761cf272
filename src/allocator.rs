//! The process's memory allocator settings.
//!
//! Tensor ops write every result into a fresh buffer, and many are large (a t5-small step makes
//! 16 MB attention scores and 66 MB logits). glibc serves blocks of that size with fresh
//! mappings, which the kernel zeroes page by page on first touch, and unmaps them again on free,
//! so every op pays for zeroing its output. Keeping freed blocks in the heap lets the next op
//! reuse them: measured here, a `[2048, 512] × [512, 2048]` product went from 116 to 157 GFLOP/s
//! and a t5-small finetuning step from 4.1 to 3.8 s (docs/performance.md, "The allocator").

/// Raises glibc's mmap and trim thresholds so that large buffers are recycled inside the heap
/// rather than mapped and unmapped for every tensor. The cost is that memory freed after the
/// peak stays with the process until it exits. A `GLIBC_TUNABLES` malloc setting or a `MALLOC_*`
/// variable of the user's own is left to govern instead. Does nothing off glibc.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let user_tuned = std::env::vars_os().any(|(name, value)| {
            let name = name.to_string_lossy();
            (name == "GLIBC_TUNABLES" && value.to_string_lossy().contains("glibc.malloc."))
                || name.starts_with("MALLOC_")
        });
        if user_tuned {
            return;
        }
        // Blocks below 2 GiB come from the heap; the heap is never trimmed below 2 GiB of free
        // space at its top; and it grows 256 MiB at a time, so growing is rare.
        let settings = [
            (libc::M_MMAP_THRESHOLD, i32::MAX),
            (libc::M_TRIM_THRESHOLD, i32::MAX),
            (libc::M_TOP_PAD, 256 << 20),
        ];
        for (parameter, value) in settings {
            // SAFETY: `mallopt` only changes the allocator's parameters, under glibc's own arena
            // lock; it reads and writes no memory of ours. It returns 0 when a value is refused,
            // which leaves glibc's default in place: harmless, so the result is not checked.
            #[allow(unsafe_code)]
            unsafe {
                libc::mallopt(parameter, value);
            }
        }
    }
}
