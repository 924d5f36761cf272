//! The largest one-to-one matching between two sets: found greedily when the greedy pairing is
//! largest, by augmenting paths otherwise.

/// Pairs each of `left` items with the first free one of `right` items it accepts. When that
/// pairs as many as the smaller side has (a largest matching, found without search, as it is for
/// the usual document), the left items paired, one bit each; `None` says nothing: a search may
/// still find a larger matching. Sides of more than 64 items are left to the search.
pub fn greedy_pairs(left: usize, right: usize, edge: impl Fn(usize, usize) -> bool) -> Option<u64> {
    let bits = u64::BITS as usize;
    if left > bits || right > bits {
        return None;
    }
    let (mut taken, mut paired) = (0u64, 0u64);
    for item in 0..left {
        if let Some(partner) = (0..right).find(|&r| taken & (1 << r) == 0 && edge(item, r)) {
            taken |= 1 << partner;
            paired |= 1 << item;
        }
    }
    (paired.count_ones() as usize == left.min(right)).then_some(paired)
}

/// A largest one-to-one matching between `left` and `right` items (augmenting paths): for each
/// left item, the right item it is matched with.
pub fn maximum_matching(
    left: usize,
    right: usize,
    edge: impl Fn(usize, usize) -> bool,
) -> Vec<Option<usize>> {
    let mut owner: Vec<Option<usize>> = vec![None; right];
    let mut visited = vec![false; right];
    for item in 0..left {
        visited.fill(false);
        augment(item, &edge, &mut owner, &mut visited);
    }
    let mut partner = vec![None; left];
    for (r, l) in owner.iter().enumerate() {
        if let Some(l) = l {
            partner[*l] = Some(r);
        }
    }
    partner
}

fn augment(
    item: usize,
    edge: &impl Fn(usize, usize) -> bool,
    owner: &mut [Option<usize>],
    visited: &mut [bool],
) -> bool {
    for r in 0..owner.len() {
        if visited[r] || !edge(item, r) {
            continue;
        }
        visited[r] = true;
        let free = match owner[r] {
            None => true,
            Some(other) => augment(other, edge, owner, visited),
        };
        if free {
            owner[r] = Some(item);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_largest_matching_not_the_greedy_one() {
        // left 0 accepts right 0 and 1; left 1 only right 0: greedy would leave left 1 alone.
        let edges = [(0, 0), (0, 1), (1, 0)];
        let pairs = maximum_matching(2, 2, |l, r| edges.contains(&(l, r)));
        assert_eq!(pairs, vec![Some(1), Some(0)]);
    }
}
