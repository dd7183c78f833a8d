//! Byte-class searches eight bytes at a time, for the digit runs' hot
//! loop: most text has none of the bytes looked for, and one word test
//! replaces eight byte tests. (The records walk classifies whole blocks
//! instead: `records::candidates::Classes`.)

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that lies in `lo..=hi` (both below
/// 0x80), exactly: the sums stay within their byte, so no carry crosses.
#[inline(always)]
pub(crate) fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    debug_assert!(lo <= hi && hi < 0x80);
    let low7 = x & !HIGH;
    let at_least_lo = low7 + ONES * u64::from(0x80 - lo);
    let above_hi = low7 + ONES * u64::from(0x7f - hi);
    at_least_lo & !above_hi & !x & HIGH
}

/// Bytes in one block of [`find`]'s and [`any`]'s vector tests.
pub(crate) const BLOCK: usize = 16;

/// Whether `is` accepts any byte of `block`. It tests every byte and
/// folds the answers with `|` (no early exit), so that for a block of
/// [`BLOCK`] bytes and a simple `is` (a range or two) the compiler emits a
/// few vector compares and one mask test instead of a loop.
#[inline(always)]
pub(crate) fn any(block: &[u8; BLOCK], is: impl Fn(u8) -> bool) -> bool {
    block.iter().fold(0u8, |acc, &b| acc | u8::from(is(b))) != 0
}

/// The first position in `bytes` whose byte `is` accepts. `flags` must
/// set exactly the high bits of the bytes of a little-endian word that
/// `is` accepts (built from [`in_range`]).
#[inline(always)]
pub(crate) fn find(
    bytes: &[u8],
    flags: impl Fn(u64) -> u64,
    is: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut at = 0;
    // Sixteen bytes at a time while none is accepted: a test of every byte
    // folded with `|`, which the compiler turns into a few vector
    // instructions, skips such blocks at under a third of the word
    // loop's cost.
    while let Some(block) = bytes.get(at..at + BLOCK) {
        if any(block.try_into().expect("a block"), &is) {
            break;
        }
        at += BLOCK;
    }
    let mut chunks = bytes[at..].chunks_exact(8);
    for c in &mut chunks {
        let m = flags(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        if m != 0 {
            return Some(at + (m.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| is(b)).map(|i| at + i)
}

/// Index of the first ASCII digit: the digit runs' search.
#[inline]
pub(crate) fn find_digit(bytes: &[u8]) -> Option<usize> {
    find(bytes, |x| in_range(x, b'0', b'9'), |b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::{
        arbitrary::any as arb, collection::vec, prop_assert_eq, proptest,
        strategy::Strategy,
    };

    proptest! {
        /// Every length and offset: the block skip, the word loop and the
        /// tail agree with a byte-by-byte search.
        #[test]
        fn find_is_the_first_accepted_byte(
            mut bytes in vec(arb::<u8>(), 0..80),
            plant in vec((0..80usize, 0..=255u8), 0..3),
            (lo, hi) in (0..0x80u8, 0..0x80u8).prop_map(|(a, b)| (a.min(b), a.max(b))),
        ) {
            // Mostly bytes outside the range, so that blocks are skipped.
            for b in &mut bytes {
                if (lo..=hi).contains(b) {
                    *b = hi.wrapping_add(1) | 0x80;
                }
            }
            for (at, b) in plant {
                if let Some(x) = bytes.get_mut(at) {
                    *x = b;
                }
            }
            let is = |b: u8| (lo..=hi).contains(&b);
            let found = find(&bytes, |x| in_range(x, lo, hi), is);
            prop_assert_eq!(found, bytes.iter().position(|&b| is(b)));
            for block in bytes.chunks_exact(BLOCK) {
                let block: &[u8; BLOCK] = block.try_into().unwrap();
                prop_assert_eq!(any(block, is), block.iter().any(|&b| is(b)));
            }
        }
    }

    #[test]
    fn in_range_flags_exactly_the_bytes_in_range() {
        let ranges = [(b'0', b'9'), (b'A', b'Z'), (0, 0x7f), (b'a', b'a')];
        for (lo, hi) in ranges {
            for a in 0..=255u8 {
                for b in [0u8, 0x2f, 0x3a, 0x7f, 0x80, 0xff, b'5', b'Q'] {
                    let x = u64::from_le_bytes([b, a, b, a, a, b, 0xff, a]);
                    let m = in_range(x, lo, hi);
                    for (i, &byte) in x.to_le_bytes().iter().enumerate() {
                        let set = m >> (8 * i + 7) & 1 == 1;
                        assert_eq!(set, (lo..=hi).contains(&byte), "{x:x}");
                    }
                    assert_eq!(m & !HIGH, 0);
                }
            }
        }
    }
}
