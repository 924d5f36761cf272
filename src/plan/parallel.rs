//! Work over a plan's runs split into one chunk per core, and two plans' work side by side,
//! on scoped threads.

use super::Run;
use super::key::IdDeriver;

/// `first` and `second` run at once (`first` on a scoped thread), as `expc diff` reads or
/// plans its two sides; a panic in either is resumed here.
pub fn side_by_side<A: Send, B>(
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B,
) -> (A, B) {
    std::thread::scope(|scope| {
        let first = scope.spawn(first);
        let second = second();
        let first = first
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    })
}

/// `work` applied to consecutive chunks of `items` (at least `min_chunk` long), one thread per
/// available core; the results in chunk order.
pub(super) fn map_chunks<'a, T: Sync, R: Send>(
    items: &'a [T],
    min_chunk: usize,
    work: impl Fn(&'a [T]) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = items.len().div_ceil(threads).max(min_chunk).max(1);
    if items.len() <= chunk {
        return vec![work(items)];
    }
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || work(part)))
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Sets every run's id to the hash of its content.
pub(super) fn derive_ids(runs: &mut [Run]) {
    let ids = map_chunks(runs, 1024, |part| {
        let mut ids = IdDeriver::default();
        part.iter().map(|run| ids.derive(run)).collect::<Vec<_>>()
    });
    for (run, id) in runs.iter_mut().zip(ids.into_iter().flatten()) {
        run.id = id;
    }
}

/// The first run (in plan order) whose id is not the hash of its content, with the id it
/// should have.
pub(super) fn first_tampered(runs: &[Run]) -> Option<(&Run, String)> {
    map_chunks(runs, 1024, |part| {
        let mut ids = IdDeriver::default();
        part.iter().find_map(|run| {
            let expected = ids.derive(run);
            (run.id != expected).then_some((run, expected))
        })
    })
    .into_iter()
    .flatten()
    .next()
}
