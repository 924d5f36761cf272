//! Training batches: a seeded shuffle, then length bucketing within chunks of the shuffled order,
//! so that documents of similar length share a batch (little padding) while every epoch still
//! sees a different order.

use crate::corpus::SplitMix64;

/// Batches per bucketing chunk: each chunk of `batch_size · CHUNK_BATCHES` shuffled examples is
/// sorted by length before it is cut into batches.
pub const CHUNK_BATCHES: usize = 16;

/// The batches of one epoch: indices into `lengths`, every index exactly once. The order of the
/// examples and of the batches follows from `seed` alone.
pub fn bucketed_batches(lengths: &[usize], batch_size: usize, seed: u64) -> Vec<Vec<usize>> {
    let batch_size = batch_size.max(1);
    let mut random = SplitMix64::new(seed);
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    random.shuffle(&mut order);
    let mut batches = Vec::with_capacity(lengths.len().div_ceil(batch_size));
    for chunk in order.chunks_mut(batch_size * CHUNK_BATCHES) {
        chunk.sort_by_key(|&index| lengths[index]);
        batches.extend(chunk.chunks(batch_size).map(<[usize]>::to_vec));
    }
    random.shuffle(&mut batches);
    batches
}

/// Padding positions the batches add: per batch, its longest example's length times its size,
/// less the lengths of its examples.
pub fn padding_waste(lengths: &[usize], batches: &[Vec<usize>]) -> usize {
    batches
        .iter()
        .map(|batch| {
            let longest = batch.iter().map(|&i| lengths[i]).max().unwrap_or(0);
            batch.iter().map(|&i| longest - lengths[i]).sum::<usize>()
        })
        .sum()
}

/// The seed of one epoch's batch order, derived from the run's seed.
pub fn epoch_seed(run_seed: u64, epoch: u32) -> u64 {
    SplitMix64::new(run_seed ^ (u64::from(epoch) << 32)).next_u64()
}

/// The seed of the device's generator for one optimiser step's LoRA dropout masks, derived
/// from the run's seed (a different stream from [`epoch_seed`]'s).
pub fn dropout_seed(run_seed: u64, step: u64) -> u64 {
    let mut random = SplitMix64::new(run_seed ^ 0x4C6F_5241_0000_0000);
    random.next_u64() ^ SplitMix64::new(step).next_u64()
}

#[cfg(test)]
mod tests {
    use super::{bucketed_batches, padding_waste};
    use crate::corpus::SplitMix64;

    fn lengths(count: usize) -> Vec<usize> {
        let mut random = SplitMix64::new(7);
        (0..count).map(|_| 5 + random.below(300) as usize).collect()
    }

    #[test]
    fn every_example_is_in_exactly_one_batch() {
        let lengths = lengths(1003);
        let batches = bucketed_batches(&lengths, 8, 3);
        let mut seen: Vec<usize> = batches.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..1003).collect::<Vec<_>>());
        assert!(batches.iter().all(|b| !b.is_empty() && b.len() <= 8));
        assert_eq!(batches.len(), 1003usize.div_ceil(8));
    }

    #[test]
    fn bucketing_wastes_less_padding_than_a_plain_shuffle() {
        let lengths = lengths(1000);
        let bucketed = bucketed_batches(&lengths, 8, 3);
        let mut order: Vec<usize> = (0..lengths.len()).collect();
        SplitMix64::new(3).shuffle(&mut order);
        let plain: Vec<Vec<usize>> = order.chunks(8).map(<[usize]>::to_vec).collect();
        let (bucketed, plain) = (
            padding_waste(&lengths, &bucketed),
            padding_waste(&lengths, &plain),
        );
        assert!(bucketed * 4 < plain, "bucketed {bucketed}, plain {plain}");
    }

    #[test]
    fn the_order_depends_on_the_seed_only() {
        let lengths = lengths(100);
        assert_eq!(
            bucketed_batches(&lengths, 4, 9),
            bucketed_batches(&lengths, 4, 9)
        );
        assert_ne!(
            bucketed_batches(&lengths, 4, 9),
            bucketed_batches(&lengths, 4, 10)
        );
    }
}
