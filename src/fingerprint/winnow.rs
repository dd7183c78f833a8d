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

/// Mixed into a named hash before its final mix, so that a named k-gram
/// and a normalized one never share a hash by construction.
const NAMED_SALT: u64 = 0x6e61_6d65_645f_6b67;

/// The two hashes of one k-gram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kgram {
    /// Identifiers as distances to their previous use: survives renaming
    /// ([`TABLE`] for a table).
    pub(crate) norm: u64,
    /// Identifiers by their names: survives only a verbatim (or
    /// reformatted) copy, but tells apart code of one shape whose names
    /// differ (bindings, declaration lists, tables of named constants).
    pub(crate) named: u64,
}

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
    /// The last k tokens.
    toks: VecDeque<Tok>,
    /// Index (counted from the first token since the last clear) of
    /// `toks[0]`.
    base: usize,
    /// `sum(term_i * BASE^(len-1-i))` over `toks`: the k-gram hash before
    /// its final mix, kept up to date token by token.
    h: u64,
    /// The same sum over each token's `named` term.
    hn: u64,
    /// `BASE^j` for j < k.
    pow: Vec<u64>,
    /// Bit i of `same[p]`: the token i places back from the newest had
    /// the shape (and name distance) of the one p places before it.
    same: [u64; PERIODS + 1],
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    value: u64,
    name: u64,
    /// Distance back to the previous token with the same name, or 0.
    back: usize,
    shape: u64,
    /// What the token adds to the hash at its place.
    term: u64,
    /// What it adds to the named hash: its name, or its value if it has
    /// none.
    named: u64,
    /// Index of the next token with the same name, if it refers to this
    /// one (`usize::MAX` if none).
    next: usize,
}

impl Roller {
    pub(crate) fn new(k: usize) -> Roller {
        let k = k.max(1);
        let mut pow = vec![1u64; k];
        for j in 1..k {
            pow[j] = pow[j - 1].wrapping_mul(BASE);
        }
        Roller {
            k,
            toks: VecDeque::with_capacity(k + 1),
            base: 0,
            h: 0,
            hn: 0,
            pow,
            same: [0; PERIODS + 1],
        }
    }

    /// Adds a token (`name` 0 for a non-identifier); returns the hashes of
    /// the last `k` tokens once there are `k`.
    ///
    /// The normalized hash is that of `kgram_hash` over the last k tokens,
    /// updated in O(1) per token (plus the O(k) search of an identifier's
    /// previous use): the leaving token is taken out, and the one later
    /// token whose name distance pointed at it now counts as a first use.
    /// The named hash is a plain rolling hash of names and values
    /// (`named_hash`).
    pub(crate) fn push(
        &mut self,
        value: u64,
        name: u64,
        shape: u64,
    ) -> Option<Kgram> {
        let back = if name == 0 {
            0
        } else {
            self.toks
                .iter()
                .rev()
                .position(|t| t.name == name)
                .map_or(0, |p| p + 1)
        };
        for p in 1..=PERIODS {
            let same = self.toks.len() >= p && {
                let t = self.toks[self.toks.len() - p];
                t.shape == shape && t.back == back
            };
            self.same[p] = self.same[p] << 1 | u64::from(same);
        }
        let index = self.base + self.toks.len();
        if back != 0 {
            let at = self.toks.len() - back;
            self.toks[at].next = index;
        }
        if self.toks.len() == self.k {
            let out = self.toks.pop_front().expect("k tokens");
            self.h = self
                .h
                .wrapping_sub(out.term.wrapping_mul(self.pow[self.k - 1]));
            self.hn = self
                .hn
                .wrapping_sub(out.named.wrapping_mul(self.pow[self.k - 1]));
            self.base += 1;
            if out.next != usize::MAX {
                // It referred to the token leaving; once that is gone, it
                // is a first use. It sits at `i` of the remaining tokens,
                // whose weights are still those of the old window (one
                // place further along).
                let i = out.next - self.base;
                if i < self.toks.len() {
                    let t = &mut self.toks[i];
                    let delta = t.value.wrapping_sub(t.term);
                    t.term = t.value;
                    self.h = self.h.wrapping_add(
                        delta.wrapping_mul(self.pow[self.k - 2 - i]),
                    );
                }
            }
        }
        // A distance pointing inside the k-gram (`back <= position`).
        let term = if back != 0 && back <= self.toks.len() {
            mix(value ^ back as u64)
        } else {
            value
        };
        self.h = self.h.wrapping_mul(BASE).wrapping_add(term);
        let named = if name == 0 { value } else { name };
        self.hn = self.hn.wrapping_mul(BASE).wrapping_add(named);
        self.toks.push_back(Tok {
            value,
            name,
            back,
            shape,
            term,
            named,
            next: usize::MAX,
        });
        if self.toks.len() < self.k {
            return None;
        }
        // Periodic with period p: each of the last k - p tokens (at most
        // 63 looked at) repeats the one p before it. Only p <= k / 2
        // counts: a longer period says little (with p = k - 1 any k-gram
        // whose first and last tokens agree would be a table), and skipping
        // such k-grams broke winnowing's guarantee for small k.
        let table = (1..=PERIODS.min(self.k / 2)).any(|p| {
            let mask = (1u64 << (self.k - p).min(63)) - 1;
            self.same[p] & mask == mask
        });
        let named = mix(self.hn ^ NAMED_SALT).min(TABLE - 1);
        let norm = if table { TABLE } else { mix(self.h).min(TABLE - 1) };
        Some(Kgram { norm, named })
    }

    /// Forgets every token (a break in the token sequence).
    pub(crate) fn clear(&mut self) {
        self.toks.clear();
        self.base = 0;
        self.h = 0;
        self.hn = 0;
        self.same = [0; PERIODS + 1];
    }
}

/// The hash of one k-gram of (value, distance back to the previous use of
/// the same name or 0), computed from scratch: the definition the
/// [`Roller`] keeps up to date.
#[cfg(test)]
fn kgram_hash(toks: &[(u64, usize)]) -> u64 {
    let mut h: u64 = 0;
    for (i, &(value, back)) in toks.iter().enumerate() {
        let x = if back != 0 && back <= i {
            mix(value ^ back as u64)
        } else {
            value
        };
        h = h.wrapping_mul(BASE).wrapping_add(x);
    }
    mix(h).min(TABLE - 1)
}

/// The named hash of one k-gram of (value, name), from scratch: the
/// definition the [`Roller`] keeps up to date.
#[cfg(test)]
fn named_hash(toks: &[(u64, u64)]) -> u64 {
    let mut h: u64 = 0;
    for &(value, name) in toks {
        let x = if name == 0 { value } else { name };
        h = h.wrapping_mul(BASE).wrapping_add(x);
    }
    mix(h ^ NAMED_SALT).min(TABLE - 1)
}

/// The k-gram hashes of a token sequence of (value, name, shape).
pub(crate) fn kgram_pairs(tokens: &[(u64, u64, u64)], k: usize) -> Vec<Kgram> {
    let mut r = Roller::new(k);
    tokens.iter().filter_map(|&(v, n, s)| r.push(v, n, s)).collect()
}

/// The normalized k-gram hashes of a token sequence of (value, name,
/// shape); [`TABLE`] for tables.
#[cfg(test)]
pub(crate) fn kgrams(tokens: &[(u64, u64, u64)], k: usize) -> Vec<u64> {
    kgram_pairs(tokens, k).iter().map(|g| g.norm).collect()
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
        if out.last().is_none_or(|&(p, _)| p != m) {
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
        let other =
            t(&[(I, 1), (3, 0), (I, 2), (4, 0), (I, 2), (5, 0), (I, 2)]);
        assert_eq!(kgrams(&a, 4), kgrams(&renamed, 4));
        assert_ne!(kgrams(&a, 4), kgrams(&other, 4));
        assert_eq!(kgrams(&a, 4).len(), 4);
        // A repeat further back than the k-gram counts as a first use.
        let b = t(&[(I, 5), (3, 0), (I, 6)]);
        assert_eq!(kgrams(&a, 3)[0], kgrams(&b, 3)[0]);
        assert!(!kgrams(&a, 4).contains(&TABLE));
    }

    #[test]
    fn the_rolling_hash_is_the_hash_of_each_kgram() {
        // Few names and values, so names repeat at every distance.
        let mut x: u64 = 0x1234_5678;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for k in [1, 2, 3, 5, 8, 30] {
            let toks: Vec<(u64, u64)> = (0..400)
                .map(|_| match next() % 3 {
                    0 => (7, next() % 6 + 1),
                    _ => (next() % 5 + 100, 0),
                })
                .collect();
            let mut r = Roller::new(k);
            for (i, &(v, n)) in toks.iter().enumerate() {
                // Shapes all different: never a table.
                let got = r.push(v, n, i as u64);
                if i + 1 < k {
                    assert_eq!(got, None);
                    continue;
                }
                let gram = &toks[i + 1 - k..=i];
                let with_back: Vec<(u64, usize)> = gram
                    .iter()
                    .enumerate()
                    .map(|(j, &(v, n))| {
                        let back = if n == 0 {
                            0
                        } else {
                            // Looked for among the k tokens before it,
                            // as the roller does.
                            let lo = (i + 1 - k + j).saturating_sub(k);
                            toks[lo..i + 1 - k + j]
                                .iter()
                                .rev()
                                .position(|t| t.1 == n)
                                .map_or(0, |p| p + 1)
                        };
                        (v, back)
                    })
                    .collect();
                let got = got.expect("k tokens");
                assert_eq!(got.norm, kgram_hash(&with_back), "k={k} i={i}");
                let names: Vec<(u64, u64)> = gram.to_vec();
                assert_eq!(got.named, named_hash(&names), "k={k} i={i}");
            }
        }
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
