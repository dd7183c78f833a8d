//! Every occurrence of many short literals, ASCII case-insensitive, in one
//! pass: the pure-Rust engine's keyword search.
//!
//! An aho-corasick automaton over the ~1,300 keywords of the built-in pack
//! follows one state transition per byte through a table far larger than
//! the L1 cache, and scanned prompt text at 30-90 MB/s on this project's
//! machine; Teddy, its SIMD prefilter, only takes a few dozen literals.
//! Keywords are rare in text, so this searcher instead asks, at every
//! position, a question that is almost always "no" and cheap to answer from
//! two 8 KiB bit tables that stay in L1:
//!
//! - keywords of four bytes or more: is the hash of the next four bytes,
//!   folded (`| 0x20` on each byte), the hash of some keyword's first four
//!   bytes folded the same way?
//! - three-byte keywords: the same with three bytes;
//! - shorter keywords: are the next two bytes, folded, a keyword's first
//!   two (any second byte for a one-byte keyword)? Three-byte keywords
//!   have their own table because their first two bytes are common
//!   bigrams (`ex`, `se`, `pa`): a two-byte test let a tenth of all
//!   positions through to the exact check.
//!
//! The fold maps both cases of a letter to one value (and a few other
//! bytes together), so a text that matches a keyword ASCII
//! case-insensitively always passes; a "yes" is then checked exactly
//! against the few keywords of its bucket. The result is what the
//! automaton's overlapping search reports: every occurrence that lies
//! inside the region, each as (keyword id, span), in order of start.

use std::ops::Range;

use crate::finding::Span;

const BITS: usize = 1 << 16;

/// A bit per hash value. A fixed length lets the compiler see that every
/// index (a 16-bit hash over 64) is in bounds, so the hot loop's table
/// tests carry no bounds checks.
type Bits = [u64; BITS / 64];

/// The compiled keyword tables.
#[derive(Debug)]
pub(crate) struct Literals {
    keywords: Vec<Box<[u8]>>,
    /// Set bits: hashes of long keywords' folded first four bytes.
    long_bits: Box<Bits>,
    /// Set bits: hashes of three-byte keywords, folded.
    three_bits: Box<Bits>,
    /// Set bits: folded first two bytes of one- and two-byte keywords.
    short_bits: Box<Bits>,
    /// The hot loop's test for keywords shorter than four bytes: set bits
    /// are the hashes of three-byte keywords and of each two-byte keyword
    /// followed by any byte (folded, 128 values), and `ones` marks the
    /// folded one-byte keywords. Two lookups instead of two hashes and
    /// three lookups per position; `verify` still asks the exact tables.
    fast_bits: Box<Bits>,
    ones: Box<[bool; 256]>,
    /// Per hash bucket, `long_ids[long_start[h]..long_start[h + 1]]` are
    /// the keywords whose first four bytes hash to `h`.
    long_start: Box<[u32]>,
    long_ids: Box<[u32]>,
    /// The same for three-byte keywords, by hash.
    three_start: Box<[u32]>,
    three_ids: Box<[u32]>,
    /// The same for short keywords, by folded first two bytes.
    short_start: Box<[u32]>,
    short_ids: Box<[u32]>,
}

#[inline(always)]
fn hash4(x: u32) -> usize {
    (x.wrapping_mul(0x9E37_79B1) >> 16) as usize
}

#[inline(always)]
fn hash3(x: u32) -> usize {
    hash4(x & 0x00ff_ffff)
}

#[inline(always)]
fn test(bits: &Bits, i: usize) -> bool {
    bits[i >> 6] & (1 << (i & 63)) != 0
}

fn set(bits: &mut Bits, i: usize) {
    bits[i >> 6] |= 1 << (i & 63);
}

/// Folds four bytes (little-endian) so ASCII case does not matter.
#[inline(always)]
fn fold(x: u32) -> u32 {
    x | 0x2020_2020
}

/// Compressed rows of `(bucket, id)` pairs: start offsets and ids.
fn buckets(mut pairs: Vec<(usize, u32)>) -> (Box<[u32]>, Box<[u32]>) {
    pairs.sort_unstable();
    let mut start = vec![0u32; BITS + 1];
    for &(b, _) in &pairs {
        start[b + 1] += 1;
    }
    for i in 0..BITS {
        start[i + 1] += start[i];
    }
    let ids = pairs.into_iter().map(|(_, id)| id).collect();
    (start.into(), ids)
}

impl Literals {
    /// Tables for `keywords` (non-empty, distinct); a keyword's id is its
    /// index.
    pub(crate) fn new(keywords: &[String]) -> Literals {
        let mut long_bits: Box<Bits> = Box::new([0; BITS / 64]);
        let mut three_bits: Box<Bits> = Box::new([0; BITS / 64]);
        let mut short_bits: Box<Bits> = Box::new([0; BITS / 64]);
        let mut fast_bits: Box<Bits> = Box::new([0; BITS / 64]);
        let mut ones = Box::new([false; 256]);
        let (mut long, mut three, mut short) =
            (Vec::new(), Vec::new(), Vec::new());
        for (id, kw) in keywords.iter().enumerate() {
            let id = u32::try_from(id).expect("fewer than 2^32 keywords");
            let b = kw.as_bytes();
            match b.len() {
                0 => {}
                1 => {
                    ones[usize::from(b[0] | 0x20)] = true;
                    for second in 0..=255u8 {
                        let k =
                            usize::from(u16::from_le_bytes([b[0], second]))
                                | 0x2020;
                        if !short.contains(&(k, id)) {
                            set(&mut short_bits, k);
                            short.push((k, id));
                        }
                    }
                }
                3 => {
                    let x = u32::from_le_bytes([b[0], b[1], b[2], 0]);
                    let h = hash3(fold(x));
                    set(&mut three_bits, h);
                    set(&mut fast_bits, h);
                    three.push((h, id));
                }
                2 => {
                    let k =
                        usize::from(u16::from_le_bytes([b[0], b[1]])) | 0x2020;
                    set(&mut short_bits, k);
                    short.push((k, id));
                    for third in 0..=255u8 {
                        let x = u32::from_le_bytes([b[0], b[1], third, 0]);
                        set(&mut fast_bits, hash3(fold(x)));
                    }
                }
                _ => {
                    let x = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    let h = hash4(fold(x));
                    set(&mut long_bits, h);
                    long.push((h, id));
                }
            }
        }
        let (long_start, long_ids) = buckets(long);
        let (three_start, three_ids) = buckets(three);
        let (short_start, short_ids) = buckets(short);
        Literals {
            keywords: keywords
                .iter()
                .map(|k| k.as_bytes().to_vec().into_boxed_slice())
                .collect(),
            long_bits,
            three_bits,
            short_bits,
            fast_bits,
            ones,
            long_start,
            long_ids,
            three_start,
            three_ids,
            short_start,
            short_ids,
        }
    }

    /// Calls `f(id, span)` for every keyword occurrence inside `region`
    /// of `hay`, overlapping ones included, by start.
    pub(crate) fn find<F: FnMut(usize, Span)>(
        &self,
        hay: &[u8],
        region: Range<usize>,
        mut f: F,
    ) {
        let end = region.end.min(hay.len());
        let mut i = region.start.min(end);
        // Eight bytes at a time give the four-byte words of five
        // positions.
        while i + 8 <= end {
            let w = u64::from_le_bytes(
                hay[i..i + 8].try_into().expect("eight bytes"),
            ) | 0x2020_2020_2020_2020;
            for k in 0..5 {
                let x = (w >> (8 * k)) as u32;
                if test(&self.long_bits, hash4(x))
                    | test(&self.fast_bits, hash3(x))
                    | self.ones[(x & 0xff) as usize]
                {
                    self.verify(hay, i + k, end, x, &mut f);
                }
            }
            i += 5;
        }
        // The last positions: missing bytes read as 0, which no check
        // below accepts past `end`.
        while i < end {
            let mut b = [0u8; 4];
            let n = (end - i).min(4);
            b[..n].copy_from_slice(&hay[i..i + n]);
            let x = fold(u32::from_le_bytes(b));
            self.verify(hay, i, end, x, &mut f);
            i += 1;
        }
    }

    /// Reports the keywords occurring at `at`, whose folded next four
    /// bytes are `x`.
    #[inline(never)]
    fn verify<F: FnMut(usize, Span)>(
        &self,
        hay: &[u8],
        at: usize,
        end: usize,
        x: u32,
        f: &mut F,
    ) {
        let text = &hay[at..end];
        let mut check = |ids: &[u32]| {
            for &id in ids {
                let kw = &self.keywords[id as usize];
                // The last byte first: a bucket's keywords mostly share
                // their first four bytes (`secret_key`, `secretkey`, ...),
                // so comparing from the start went a long way for each.
                let last = kw.len() - 1;
                if text
                    .get(last)
                    .is_some_and(|t| t.eq_ignore_ascii_case(&kw[last]))
                    && text[..last].eq_ignore_ascii_case(&kw[..last])
                {
                    f(id as usize, Span::new(at, at + kw.len()));
                }
            }
        };
        let h = hash4(x);
        if test(&self.long_bits, h) {
            let r =
                self.long_start[h] as usize..self.long_start[h + 1] as usize;
            check(&self.long_ids[r]);
        }
        let h = hash3(x);
        if test(&self.three_bits, h) {
            let r =
                self.three_start[h] as usize..self.three_start[h + 1] as usize;
            check(&self.three_ids[r]);
        }
        let k = (x & 0xffff) as usize;
        if test(&self.short_bits, k) {
            let r =
                self.short_start[k] as usize..self.short_start[k + 1] as usize;
            check(&self.short_ids[r]);
        }
    }
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasick, MatchKind};

    use super::*;

    /// The same occurrences as aho-corasick's overlapping search.
    fn oracle(
        keywords: &[String],
        hay: &[u8],
        r: Range<usize>,
    ) -> Vec<(usize, Span)> {
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(keywords)
            .unwrap();
        let mut out: Vec<_> = ac
            .find_overlapping_iter(&hay[r.clone()])
            .map(|m| {
                (
                    m.pattern().as_usize(),
                    Span::new(m.start(), m.end()).offset(r.start),
                )
            })
            .collect();
        out.sort_unstable_by_key(|&(id, s)| (s.start, s.end, id));
        out
    }

    fn found(l: &Literals, hay: &[u8], r: Range<usize>) -> Vec<(usize, Span)> {
        let mut out = Vec::new();
        l.find(hay, r, |id, s| out.push((id, s)));
        out.sort_unstable_by_key(|&(id, s)| (s.start, s.end, id));
        out
    }

    #[test]
    fn equals_the_automaton() {
        let keywords: Vec<String> = [
            "@", "sk", "sk-", "sk_live_", "akia", "token", "tok", "://",
            "密钥", "a", "ab", "abc", "abcd", "abcde", "`x", "_pw", "bcd",
        ]
        .map(String::from)
        .to_vec();
        let l = Literals::new(&keywords);
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1du64);
        let mut next = |n: usize| rng.below(n);
        let alphabet: Vec<&[u8]> = vec![
            b"a",
            b"A",
            b"b",
            b"B",
            b"c",
            b"d",
            b"e",
            b"s",
            b"K",
            b"k",
            b"-",
            b"_",
            b"@",
            b"`",
            b":",
            b"/",
            b"x",
            b"X",
            b"P",
            b"w",
            b"TOKEN",
            b"akIA",
            b"sk_LIVE_",
            "密钥".as_bytes(),
            b"\x80",
            b"\xe5",
            b" ",
            b"\0",
        ];
        for _ in 0..3000 {
            let mut hay = Vec::new();
            for _ in 0..next(40) {
                hay.extend_from_slice(alphabet[next(alphabet.len())]);
            }
            let a = next(hay.len() + 1);
            let b = a + next(hay.len() + 1 - a);
            assert_eq!(
                found(&l, &hay, a..b),
                oracle(&keywords, &hay, a..b),
                "{hay:?} {a}..{b}"
            );
        }
    }

    #[test]
    fn builtin_keywords_equal_the_automaton() {
        let rules = crate::rules::RuleSet::builtin();
        let keywords = super::super::Prefilters::new(&rules).keywords;
        let l = Literals::new(&keywords);
        let mut hay = Vec::new();
        for (i, kw) in keywords.iter().enumerate() {
            hay.extend_from_slice(kw.as_bytes());
            if i % 3 == 0 {
                hay.extend_from_slice(kw.to_ascii_uppercase().as_bytes());
            }
            hay.push(b" _x-"[i % 4]);
        }
        hay.extend_from_slice(include_bytes!("../../README.md"));
        let n = hay.len();
        assert_eq!(found(&l, &hay, 0..n), oracle(&keywords, &hay, 0..n));
        assert_eq!(
            found(&l, &hay, 7..n - 3),
            oracle(&keywords, &hay, 7..n - 3)
        );
    }
}
