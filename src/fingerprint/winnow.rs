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

/// Multiplier of the k-gram hash.
const BASE: u64 = 0x100_0000_01b3;

/// Hashes the last `k` tokens.
///
/// An identifier enters the hash as the distance back to the previous
/// occurrence of the same name inside the k-gram (or "first"), not as its
/// name: consistent renaming keeps every hash, while `a.f(a)` and `a.f(b)`
/// still differ. Costs O(k) per token.
#[derive(Clone, Debug)]
pub(crate) struct Roller {
    k: usize,
    /// (value, name, distance back to the previous token with the same
    /// name, or 0) of the last k tokens.
    toks: VecDeque<(u64, u64, usize)>,
}

impl Roller {
    pub(crate) fn new(k: usize) -> Roller {
        let k = k.max(1);
        Roller { k, toks: VecDeque::with_capacity(k + 1) }
    }

    /// Adds a token (`name` 0 for a non-identifier); returns the hash of
    /// the last `k` tokens once there are `k`.
    pub(crate) fn push(&mut self, value: u64, name: u64) -> Option<u64> {
        let back = if name == 0 {
            0
        } else {
            self.toks
                .iter()
                .rev()
                .position(|t| t.1 == name)
                .map_or(0, |p| p + 1)
        };
        self.toks.push_back((value, name, back));
        if self.toks.len() > self.k {
            self.toks.pop_front();
        }
        if self.toks.len() < self.k {
            return None;
        }
        let mut h: u64 = 0;
        for (i, &(value, _, back)) in self.toks.iter().enumerate() {
            let x = if back != 0 && back <= i {
                mix(value ^ back as u64)
            } else {
                value
            };
            h = h.wrapping_mul(BASE).wrapping_add(x);
        }
        Some(mix(h))
    }

    /// Forgets every token (a break in the token sequence).
    pub(crate) fn clear(&mut self) {
        self.toks.clear();
    }
}

/// The k-gram hashes of a token sequence of (value, name).
pub(crate) fn kgrams(tokens: &[(u64, u64)], k: usize) -> Vec<u64> {
    let mut r = Roller::new(k);
    tokens.iter().filter_map(|&(v, n)| r.push(v, n)).collect()
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
    fn consistent_renaming_keeps_hashes_and_reuse_matters() {
        const I: u64 = 7;
        let a = [(I, 1), (3, 0), (I, 2), (4, 0), (I, 1), (5, 0), (I, 2)];
        let renamed = [(I, 9), (3, 0), (I, 8), (4, 0), (I, 9), (5, 0), (I, 8)];
        let other = [(I, 1), (3, 0), (I, 2), (4, 0), (I, 2), (5, 0), (I, 2)];
        assert_eq!(kgrams(&a, 4), kgrams(&renamed, 4));
        assert_ne!(kgrams(&a, 4), kgrams(&other, 4));
        assert_eq!(kgrams(&a, 4).len(), 4);
        // A repeat further back than the k-gram counts as a first use.
        assert_eq!(kgrams(&a, 3)[0], kgrams(&[(I, 5), (3, 0), (I, 6)], 3)[0]);
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
