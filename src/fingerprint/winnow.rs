//! k-gram hashes of token sequences, and winnowing (Schleimer, Wilkerson
//! and Aiken, "Winnowing: local algorithms for document fingerprinting",
//! SIGMOD 2003).
//!
//! Winnowing keeps, from every window of `w` consecutive k-gram hashes, the
//! smallest (the rightmost one on ties), each position once. Any run of at
//! least `w + k - 1` tokens shared with an indexed file contains a whole
//! window, whose minimum the index kept; the query side hashes every k-gram,
//! so it finds that one.

use std::collections::VecDeque;

use super::token::mix;

/// Multiplier of the polynomial k-gram hash (odd, so invertible mod 2^64).
const BASE: u64 = 0x100_0000_01b3 | 1;

/// A rolling hash over the last `k` token values.
#[derive(Clone, Debug)]
pub(crate) struct Roller {
    k: usize,
    /// BASE^(k-1), to take the oldest value out.
    top: u64,
    hash: u64,
    values: VecDeque<u64>,
}

impl Roller {
    pub(crate) fn new(k: usize) -> Roller {
        let k = k.max(1);
        let top = (1..k).fold(1u64, |p, _| p.wrapping_mul(BASE));
        Roller { k, top, hash: 0, values: VecDeque::with_capacity(k) }
    }

    /// Adds a token value; returns the hash of the last `k` values once
    /// there are `k`.
    pub(crate) fn push(&mut self, value: u64) -> Option<u64> {
        if self.values.len() == self.k {
            let old = self.values.pop_front().expect("holds k values");
            self.hash = self.hash.wrapping_sub(old.wrapping_mul(self.top));
        }
        self.hash = self.hash.wrapping_mul(BASE).wrapping_add(value);
        self.values.push_back(value);
        (self.values.len() == self.k).then(|| mix(self.hash))
    }

    /// Forgets every value (a break in the token sequence).
    pub(crate) fn clear(&mut self) {
        self.values.clear();
        self.hash = 0;
    }
}

/// The k-gram hashes of a token-value sequence.
pub(crate) fn kgrams(values: &[u64], k: usize) -> Vec<u64> {
    let mut r = Roller::new(k);
    values.iter().filter_map(|&v| r.push(v)).collect()
}

/// The winnowed subset of `hashes` as `(position, hash)`, in order.
///
/// A sequence shorter than one window keeps its minimum, so short files
/// still leave a fingerprint.
pub(crate) fn winnow(hashes: &[u64], w: usize) -> Vec<(usize, u64)> {
    let w = w.max(1);
    let mut out: Vec<(usize, u64)> = Vec::new();
    if hashes.is_empty() {
        return out;
    }
    // Monotone deque of positions whose hashes increase: its front is the
    // minimum of the current window (the rightmost on ties, since an equal
    // later hash pops the earlier one).
    let mut q: VecDeque<usize> = VecDeque::new();
    for (i, &h) in hashes.iter().enumerate() {
        while q.back().is_some_and(|&j| hashes[j] >= h) {
            q.pop_back();
        }
        q.push_back(i);
        if i + 1 < w && i + 1 < hashes.len() {
            continue;
        }
        while q.front().is_some_and(|&j| j + w <= i) {
            q.pop_front();
        }
        let m = *q.front().expect("holds position i");
        if out.last().map_or(true, |&(p, _)| p != m) {
            out.push((m, hashes[m]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_equals_direct() {
        let values: Vec<u64> = (0..50u64).map(|i| mix(i * 7 + 1)).collect();
        let k = 5;
        let rolled = kgrams(&values, k);
        assert_eq!(rolled.len(), values.len() - k + 1);
        for (i, h) in rolled.iter().enumerate() {
            let direct = values[i..i + k]
                .iter()
                .fold(0u64, |a, &v| a.wrapping_mul(BASE).wrapping_add(v));
            assert_eq!(*h, mix(direct));
        }
    }

    #[test]
    fn winnow_picks_window_minima() {
        let h = [
            77, 74, 42, 17, 98, 50, 17, 98, 8, 88, 67, 39, 77, 74, 42, 17, 98,
        ];
        // The paper's example, w = 4.
        let got: Vec<u64> = winnow(&h, 4).iter().map(|&(_, v)| v).collect();
        assert_eq!(got, [17, 17, 8, 39, 17]);
        assert_eq!(winnow(&[5, 3, 9], 10), [(1, 3)]);
        assert!(winnow(&[], 4).is_empty());
    }
}
