//! Why a text is or is not found: the numbers behind one query, for the
//! evaluation (`bench/code_eval.py --diagnose`), not for reports.

use super::{
    detect::CodeState,
    token::tokens,
    winnow::{Roller, TABLE},
    CodeIndex, CodeThresholds,
};

/// What happened to one query text.
#[doc(hidden)]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CodeExplain {
    /// Tokens of the text.
    pub tokens: usize,
    /// Its k-grams (tokens - k + 1, or 0).
    pub kgrams: usize,
    /// K-grams that were tables (neither indexed nor looked up).
    pub tables: usize,
    /// K-grams found in the index (any file).
    pub hits: usize,
    /// K-grams found in file `origin`.
    pub origin_hits: usize,
    /// Tokens covered by the longest chain of `origin`'s hits (the same
    /// drift rule as the detector).
    pub origin_chain: u64,
    /// With every threshold at zero, the best region: tokens of its
    /// longest chain, their share of the tokens around it, and whether
    /// `origin` is among its files.
    pub best_tokens: u32,
    /// See `best_tokens`, per thousand.
    pub best_share_permille: u16,
    /// See `best_tokens`.
    pub best_has_origin: bool,
}

/// Explains the query `hay` against `index`, with `origin` the file the
/// text was taken from (if it was).
#[doc(hidden)]
pub fn explain_code(
    index: &CodeIndex,
    hay: &[u8],
    origin: Option<u32>,
) -> CodeExplain {
    let k = index.k();
    let mut e = CodeExplain::default();
    let mut roller = Roller::new(k);
    // (input offset of the k-gram, file offset) of origin's hits.
    let mut mine: Vec<(u64, u32)> = Vec::new();
    let mut i = 0u64;
    tokens(hay, |t| {
        e.tokens += 1;
        if let Some(g) = roller.push(t.value, t.name, t.shape) {
            e.kgrams += 1;
            let first = i + 1 - k as u64;
            let norm = if g.norm == TABLE {
                e.tables += 1;
                (&[][..], &[][..])
            } else {
                index.lookup(g.norm)
            };
            let named = index.lookup_named(g.named);
            if !norm.0.is_empty() || !named.0.is_empty() {
                e.hits += 1;
            }
            let mut seen = None;
            for (files, pos) in [norm, named] {
                for (&f, &p) in files.iter().zip(pos) {
                    if Some(f) == origin && seen != Some(p) {
                        e.origin_hits += 1;
                        mine.push((first, p));
                        seen = Some(p);
                    }
                }
            }
        }
        i += 1;
    });
    // Longest chain among origin's hits: consecutive hits (input order)
    // at increasing file offsets, diagonal moving by at most 8.
    let mut chains: Vec<(i64, u32, u64, u64)> = Vec::new(); // diag, last, end, covered
    for &(first, p) in &mine {
        let diag = first as i64 - i64::from(p);
        let gap = (k + index.window()) as u64;
        if let Some(c) = chains
            .iter_mut()
            .find(|c| p > c.1 && (diag - c.0).abs() <= 8 && first <= c.2 + gap)
        {
            c.3 += (first + k as u64).saturating_sub(first.max(c.2));
            c.2 = first + k as u64;
            c.0 = diag;
            c.1 = p;
        } else {
            chains.push((diag, p, first + k as u64, k as u64));
        }
    }
    e.origin_chain = chains.iter().map(|c| c.3).max().unwrap_or(0);
    let zero = CodeThresholds {
        min_tokens: 0,
        sure_tokens: 0,
        min_share: 0.0,
        common_tokens: usize::MAX,
        common_share: 1.0,
    };
    let mut out = Vec::new();
    let mut st = CodeState::new(k);
    st.run(index, &zero, hay, 0, 0, hay.len(), true, &mut out);
    if let Some(best) = out.iter().max_by_key(|h| h.tokens) {
        e.best_tokens = best.tokens;
        e.best_share_permille = best.share_permille;
        e.best_has_origin = best.files.iter().any(|f| Some(f.0) == origin);
    }
    e
}
