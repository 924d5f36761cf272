//! Seeded sampling that gives the same result on every platform: a SplitMix64 generator, a
//! Fisher–Yates shuffle, few-shot id samples and held-out splits.

/// The SplitMix64 pseudo-random generator (Steele, Lea & Flood 2014): tiny, fast, and fully
/// specified by its seed, so a seed recorded in a plan reproduces a sample anywhere.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..bound` (Lemire's multiply-and-reject, no modulo bias); 0 when
    /// `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(bound);
            // The low half decides acceptance, the high half is the result.
            if product as u64 >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// Shuffles `items` in place (Fisher–Yates, from the back).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// A few-shot sample: `ids` shuffled with `seed`, then the first `k`.
///
/// For one seed the sample of size k is a prefix of every larger sample, so the 16-shot set is
/// contained in the 64-shot set. `k >= ids.len()` returns all ids, shuffled.
pub fn sample_ids<S: AsRef<str>>(ids: &[S], k: usize, seed: u64) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|id| id.as_ref().to_owned()).collect();
    SplitMix64::new(seed).shuffle(&mut ids);
    ids.truncate(k);
    ids
}

/// Splits `items` into (kept, held out): `count` items chosen with `seed` are held out. Both
/// parts keep the original order; `count` larger than the number of items holds out all of them.
pub fn holdout<T>(items: Vec<T>, count: usize, seed: u64) -> (Vec<T>, Vec<T>) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    SplitMix64::new(seed).shuffle(&mut order);
    let mut held = vec![false; items.len()];
    for &index in order.iter().take(count) {
        held[index] = true;
    }
    let (mut kept, mut held_out) = (Vec::new(), Vec::new());
    for (item, is_held) in items.into_iter().zip(held) {
        if is_held {
            held_out.push(item);
        } else {
            kept.push(item);
        }
    }
    (kept, held_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // First outputs for seed 1234567, as published with the reference implementation.
        let mut rng = SplitMix64::new(1_234_567);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SplitMix64::new(7);
        assert!((0..1000).all(|_| rng.below(3) < 3));
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn samples_are_prefixes_of_larger_samples() {
        let ids: Vec<String> = (0..100).map(|i| format!("doc{i}")).collect();
        let small = sample_ids(&ids, 16, 42);
        let large = sample_ids(&ids, 64, 42);
        assert_eq!(small.len(), 16);
        assert_eq!(large[..16], small[..]);
        assert_ne!(sample_ids(&ids, 16, 43), small);
    }

    #[test]
    fn samples_are_pinned() {
        // Cross-checked against an independent Python implementation of the same algorithm.
        let ids = ["a", "b", "c", "d", "e", "f", "g", "h"];
        assert_eq!(sample_ids(&ids, 3, 0), ["b", "c", "g"]);
    }

    #[test]
    fn oversized_samples_return_every_id() {
        let ids = ["a", "b", "c"];
        let mut all = sample_ids(&ids, 10, 1);
        all.sort();
        assert_eq!(all, ids);
        assert!(sample_ids::<&str>(&[], 4, 1).is_empty());
    }

    #[test]
    fn holdout_is_disjoint_complete_and_deterministic() {
        let items: Vec<u32> = (0..50).collect();
        let (kept, held) = holdout(items.clone(), 10, 9);
        assert_eq!(held.len(), 10);
        assert_eq!(kept.len(), 40);
        assert!(kept.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(held.windows(2).all(|pair| pair[0] < pair[1]));
        let mut union = [kept.clone(), held.clone()].concat();
        union.sort_unstable();
        assert_eq!(union, items);
        assert_eq!(holdout(items.clone(), 10, 9), (kept, held));
        assert_eq!(holdout(items.clone(), 99, 9).1, items);
    }
}
