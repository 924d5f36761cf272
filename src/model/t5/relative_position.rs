//! T5's bucketed relative positions (`T5Attention._relative_position_bucket`), computed on the
//! host in `f32` exactly as transformers does.

/// The bucket of `key - query` distance `relative`.
pub fn bucket(relative: i64, bidirectional: bool, num_buckets: usize, max_distance: usize) -> i64 {
    let mut buckets = num_buckets as i64;
    let mut result = 0;
    let distance = if bidirectional {
        buckets /= 2;
        if relative > 0 {
            result += buckets;
        }
        relative.abs()
    } else {
        (-relative).max(0)
    };
    let max_exact = buckets / 2;
    if distance < max_exact {
        return result + distance;
    }
    let log_ratio = (distance as f32 / max_exact as f32).ln();
    let log_range = (max_distance as f64 / max_exact as f64).ln() as f32;
    let large = max_exact + (log_ratio / log_range * (buckets - max_exact) as f32) as i64;
    result + large.min(buckets - 1)
}

/// Bucket ids `[queries, keys]` for queries at `first_query..first_query + queries` over keys
/// `0..keys`, row-major.
pub fn bucket_matrix(
    first_query: usize,
    queries: usize,
    keys: usize,
    bidirectional: bool,
    num_buckets: usize,
    max_distance: usize,
) -> Vec<i64> {
    let mut ids = Vec::with_capacity(queries * keys);
    for q in first_query..first_query + queries {
        for k in 0..keys {
            let relative = k as i64 - q as i64;
            ids.push(bucket(relative, bidirectional, num_buckets, max_distance));
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::bucket;

    #[test]
    fn buckets_match_transformers() {
        // transformers' formula evaluated in f32 (32 buckets, max distance 128).
        let bidirectional: Vec<i64> = [-200, -64, -20, -8, -1, 0, 1, 7, 8, 20, 100]
            .iter()
            .map(|&r| bucket(r, true, 32, 128))
            .collect();
        assert_eq!(bidirectional, vec![15, 14, 10, 8, 1, 0, 17, 23, 24, 26, 31]);
        let causal: Vec<i64> = [-200, -20, -16, -15, -1, 0, 5]
            .iter()
            .map(|&r| bucket(r, false, 32, 128))
            .collect();
        assert_eq!(causal, vec![31, 17, 16, 15, 1, 0, 0]);
    }
}
