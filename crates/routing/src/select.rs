//! Choosing a server: the least busy one.

use boltline_bolt::Address;

/// The candidate with the fewest connections in use, or `None` when there
/// is no candidate.
///
/// Ties are broken round-robin: the scan starts at `start % len` and wraps,
/// and the first candidate with the lowest count wins. The caller passes a
/// counter that grows with every choice, so idle servers take turns instead
/// of the first listed taking all work (the official drivers pick randomly
/// among the tied; a rotating start spreads load the same way and keeps
/// tests deterministic).
pub fn least_busy(
    candidates: &[Address],
    start: usize,
    in_use: impl Fn(&Address) -> usize,
) -> Option<&Address> {
    let len = candidates.len();
    if len == 0 {
        return None;
    }
    let mut best: Option<(&Address, usize)> = None;
    for i in 0..len {
        let candidate = &candidates[(start % len + i) % len];
        let busy = in_use(candidate);
        if best.is_none_or(|(_, b)| busy < b) {
            best = Some((candidate, busy));
        }
    }
    best.map(|(a, _)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_has_no_choice() {
        assert_eq!(least_busy(&[], 3, |_| 0), None);
    }
}
