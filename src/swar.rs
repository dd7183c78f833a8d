//! Byte-class searches eight bytes at a time, for the prefilters' hot
//! loops (digit runs, record candidates): most text has none of the bytes
//! looked for, and one word test replaces eight byte tests.

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

/// The first position in `bytes` whose byte `is` accepts. `flags` must
/// set exactly the high bits of the bytes of a little-endian word that
/// `is` accepts (built from [`in_range`]).
#[inline(always)]
pub(crate) fn find(
    bytes: &[u8],
    flags: impl Fn(u64) -> u64,
    is: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let m = flags(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        if m != 0 {
            return Some(at + (m.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| is(b)).map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

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
