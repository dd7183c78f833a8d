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

/// Periods (in tokens) up to which a k-gram is checked for repeating
/// itself.
const PERIODS: usize = 12;

/// The hash given to a table k-gram, which is neither indexed nor looked
/// up (no real k-gram hash takes this value).
pub(crate) const TABLE: u64 = u64::MAX;

/// Hashes the last `k` tokens.
///
/// An identifier enters the hash as the distance back to the previous
/// occurrence of the same name inside the k-gram (or "first"), not as its
/// name: consistent renaming keeps every hash, while `a.f(a)` and `a.f(b)`
/// still differ. Costs O(k) per token.
///
/// A k-gram that repeats itself with a period of at most [`PERIODS`]
/// tokens, once names are normalized and numbers below 256 are one class,
/// is a *table* (`pub const A: u32 = 1;` rows, struct fields of one type,
/// enumerations, lookup tables of small numbers) and hashes to [`TABLE`]:
/// every such table looks like every other, so its k-grams matched
/// unrelated code far more often than they told a copy (measured, see
/// ARCHITECTURE.md). Tables of large numbers are not periodic and stay.
#[derive(Clone, Debug)]
pub(crate) struct Roller {
    k: usize,
    /// (value, name, distance back to the previous token with the same
    /// name or 0, shape) of the last k tokens.
    toks: VecDeque<(u64, u64, usize, u64)>,
    /// Bit i of `same[p]`: the token i places back from the newest had
    /// the shape (and name distance) of the one p places before it.
    same: [u64; PERIODS + 1],
}

impl Roller {
    pub(crate) fn new(k: usize) -> Roller {
        let k = k.max(1);
        Roller {
            k,
            toks: VecDeque::with_capacity(k + 1),
            same: [0; PERIODS + 1],
        }
    }

    /// Adds a token (`name` 0 for a non-identifier); returns the hash of
    /// the last `k` tokens once there are `k` ([`TABLE`] for a table).
    pub(crate) fn push(
        &mut self,
        value: u64,
        name: u64,
        shape: u64,
    ) -> Option<u64> {
        let back = if name == 0 {
            0
        } else {
            self.toks
                .iter()
                .rev()
                .position(|t| t.1 == name)
                .map_or(0, |p| p + 1)
        };
        for p in 1..=PERIODS {
            let same = self.toks.len() >= p && {
                let t = self.toks[self.toks.len() - p];
                t.3 == shape && t.2 == back
            };
            self.same[p] = self.same[p] << 1 | u64::from(same);
        }
        self.toks.push_back((value, name, back, shape));
        if self.toks.len() > self.k {
            self.toks.pop_front();
        }
        if self.toks.len() < self.k {
            return None;
        }
        // Periodic with period p: each of the last k - p tokens (at most
        // 63 looked at) repeats the one p before it.
        let table = (1..=PERIODS.min(self.k - 1)).any(|p| {
            let mask = (1u64 << (self.k - p).min(63)) - 1;
            self.same[p] & mask == mask
        });
        if table {
            return Some(TABLE);
        }
        let mut h: u64 = 0;
        for (i, &(value, _, back, _)) in self.toks.iter().enumerate() {
            let x = if back != 0 && back <= i {
                mix(value ^ back as u64)
            } else {
                value
            };
            h = h.wrapping_mul(BASE).wrapping_add(x);
        }
        Some(mix(h).min(TABLE - 1))
    }

    /// Forgets every token (a break in the token sequence).
    pub(crate) fn clear(&mut self) {
        self.toks.clear();
        self.same = [0; PERIODS + 1];
    }
}

/// The k-gram hashes of a token sequence of (value, name, shape);
/// [`TABLE`] for tables.
pub(crate) fn kgrams(tokens: &[(u64, u64, u64)], k: usize) -> Vec<u64> {
    let mut r = Roller::new(k);
    tokens.iter().filter_map(|&(v, n, s)| r.push(v, n, s)).collect()
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
        let t = |v: &[(u64, u64)]| -> Vec<(u64, u64, u64)> {
            v.iter().map(|&(v, n)| (v, n, v)).collect()
        };
        let a = t(&[(I, 1), (3, 0), (I, 2), (4, 0), (I, 1), (5, 0), (I, 2)]);
        let renamed =
            t(&[(I, 9), (3, 0), (I, 8), (4, 0), (I, 9), (5, 0), (I, 8)]);
        let other = t(&[(I, 1), (3, 0), (I, 2), (4, 0), (I, 2), (5, 0), (I, 2)]);
        assert_eq!(kgrams(&a, 4), kgrams(&renamed, 4));
        assert_ne!(kgrams(&a, 4), kgrams(&other, 4));
        assert_eq!(kgrams(&a, 4).len(), 4);
        // A repeat further back than the k-gram counts as a first use.
        let b = t(&[(I, 5), (3, 0), (I, 6)]);
        assert_eq!(kgrams(&a, 3)[0], kgrams(&b, 3)[0]);
        assert!(!kgrams(&a, 4).contains(&TABLE));
    }

    #[test]
    fn tables_are_found_by_their_period() {
        // `pub const N: T = 1;` rows: 8 tokens, names new, type repeated.
        const I: u64 = 7;
        let mut rows = Vec::new();
        for i in 0..6u64 {
            let row = [(1, 0, 1), (2, 0, 2), (I, 100 + i, I), (3, 0, 3)];
            rows.extend(row);
            rows.extend([(I, 1, I), (4, 0, 4), (50 + i, 0, 9), (5, 0, 5)]);
        }
        // Once the k-gram has left the first row (whose type is a first
        // use), every k-gram is a table.
        let h = kgrams(&rows, 20);
        assert!(h[..4].iter().all(|&h| h != TABLE), "{h:?}");
        assert!(h[5..].iter().all(|&h| h == TABLE), "{h:?}");
        // Large numbers are kept in the shape: not a table.
        for (i, t) in rows.iter_mut().enumerate() {
            if t.0 >= 50 {
                t.2 = 1000 + i as u64;
            }
        }
        assert!(kgrams(&rows, 20).iter().all(|&h| h != TABLE));
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
