//! Names written in Han characters (`王小明`, `李娜`, `欧阳晓峰`).
//!
//! Chinese text puts no space around a name, so any run of Han characters
//! may hold one anywhere. The scan tries, at each Han character that may
//! begin a stored name, the next two to [`MAX_CHARS`] characters as a name
//! (those of a length some stored name has). Which characters may begin a
//! name comes from the index: a bitmap of keyed hashes of the first
//! characters of its Han names ([`HanFirst`]), so the index holds no
//! character, and a scan decodes it once into a bitmap of code points.
//! Surnames are common characters (2.4% of the Han characters of the
//! Chinese text of `bench/records_speed.py --chinese`), so a second
//! bitmap, of keyed hashes of the names' first two characters, is tested
//! (one SipHash) before a candidate is made.
//!
//! Han characters here are the CJK Unified Ideographs (U+4E00 to U+9FFF)
//! and their Extension A (U+3400 to U+4DBF): three bytes each in UTF-8,
//! with a first byte from `0xE3` to `0xE9`.

use wide::u8x16;

use super::{
    candidates::{below, with_block},
    length_bit,
    prefilter::QuickHash,
    ColumnKind,
};
use crate::finding::Span;

/// The most characters a Han name found in text has.
pub(crate) const MAX_CHARS: usize = 6;

/// Words of the keyed bitmaps in an index file: of first characters,
/// then of first pairs.
const FIRST_WORDS: usize = 1024;
const PAIR_WORDS: usize = 2048;
pub(crate) const WORDS: usize = FIRST_WORDS + PAIR_WORDS;

/// Tags of a first character's and a first pair's keyed hashes (no kind
/// has them).
const FIRST_TAG: u8 = 0x80;
const PAIR_TAG: u8 = 0x81;

/// The code points that count as Han.
const RANGES: [(u32, u32); 2] = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF)];
/// The code points of three-byte UTF-8 whose first byte is `0xE3` to
/// `0xE9` start here, and fit in the bits of this many words (a power of
/// two, so an index masked to it needs no bounds check).
const LOW: u32 = 0x3000;
const CHAR_WORDS: usize = 512;
const _: () = assert!(0x9FFF - LOW < CHAR_WORDS as u32 * 64);

/// A block of [`leads`] and the two bytes that end its last character.
const BLOCK_AND_TWO: usize = 66;

/// Whether `c` is a Han character.
pub(crate) fn is_han(c: char) -> bool {
    han_code_point(c as u32)
}

fn han_code_point(cp: u32) -> bool {
    RANGES.iter().any(|&(lo, hi)| (lo..=hi).contains(&cp))
}

/// The code point of the Han character whose UTF-8 starts at `p`.
pub(crate) fn han_at(hay: &[u8], p: usize) -> Option<u32> {
    let &[a, b, c] = hay.get(p..p + 3)? else {
        return None;
    };
    let cont = |x: u8| x & 0xC0 == 0x80;
    if !(0xE3..=0xE9).contains(&a) || !cont(b) || !cont(c) {
        return None;
    }
    let cp = u32::from(a & 0x0F) << 12
        | u32::from(b & 0x3F) << 6
        | u32::from(c & 0x3F);
    han_code_point(cp).then_some(cp)
}

/// Whether `form` (a normal form) is one or more Han characters only.
pub(crate) fn all_han(form: &[u8]) -> bool {
    !form.is_empty()
        && form.len().is_multiple_of(3)
        && (0..form.len()).step_by(3).all(|p| han_at(form, p).is_some())
}

/// Bit `i` set when byte `at + i` of `hay` (below `to`) may begin a Han
/// character (`0xE3` to `0xE9`), for the 64 bytes from `at`.
fn leads(hay: &[u8], at: usize, to: usize) -> u64 {
    with_block::<64, _>(&hay[..to], at, |b| {
        b.chunks_exact(16).enumerate().fold(0, |m, (k, chunk)| {
            let v = u8x16::from(<[u8; 16]>::try_from(chunk).expect("16"));
            let lead = below(v - u8x16::splat(0xE3), 7).to_bitmask();
            m | u64::from(lead) << (16 * k)
        })
    })
}

/// Which Han characters begin a stored name, as stored: [`FIRST_WORDS`]
/// words of bits, bit `quick(FIRST_TAG ‖ char) mod 2^16` set for each
/// name's first character, then [`PAIR_WORDS`] words, bit
/// `quick(PAIR_TAG ‖ two chars) mod 2^17` set for its first two. Decoded
/// with the key, the first holds one bit per code point from U+3000 to
/// U+9FFF (every three-byte sequence with a first byte `0xE3` to `0xE9`).
#[derive(Clone)]
pub(crate) struct HanFirst {
    words: Vec<u64>,
    /// The byte lengths of the Han names ([`length_bit`]).
    lengths: u64,
    chars: Box<[u64; CHAR_WORDS]>,
    quick: QuickHash,
}

fn first_bit(quick: &QuickHash, first: &[u8]) -> usize {
    let mut tagged = [FIRST_TAG, 0, 0, 0];
    tagged[1..].copy_from_slice(first);
    (quick.hash(&tagged) & 0xFFFF) as usize
}

fn pair_bit(quick: &QuickHash, pair: &[u8]) -> usize {
    let mut tagged = [PAIR_TAG, 0, 0, 0, 0, 0, 0];
    tagged[1..].copy_from_slice(pair);
    FIRST_WORDS * 64 + (quick.hash(&tagged) & 0x1FFFF) as usize
}

fn set(words: &mut [u64], bit: usize) {
    words[bit / 64] |= 1 << (bit % 64);
}

fn get(words: &[u64], bit: usize) -> bool {
    words[bit / 64] >> (bit % 64) & 1 == 1
}

impl HanFirst {
    /// From the normal forms of the Han names (two characters or more);
    /// `None` when there is none.
    pub(crate) fn build<'a>(
        names: impl IntoIterator<Item = &'a [u8]>,
        quick: &QuickHash,
    ) -> Option<HanFirst> {
        let mut words = vec![0u64; WORDS];
        let mut lengths = 0;
        for name in names {
            set(&mut words, first_bit(quick, &name[..3]));
            set(&mut words, pair_bit(quick, &name[..6]));
            lengths |= length_bit(name.len());
        }
        (lengths != 0).then(|| HanFirst::from_words(words, lengths, quick))
    }

    /// From an index file's words (which must be [`WORDS`] of them) and
    /// lengths.
    pub(crate) fn from_words(
        words: Vec<u64>,
        lengths: u64,
        quick: &QuickHash,
    ) -> HanFirst {
        debug_assert_eq!(words.len(), WORDS);
        let mut chars = Box::new([0u64; CHAR_WORDS]);
        for &(lo, hi) in &RANGES {
            for cp in lo..=hi {
                let c = char::from_u32(cp).expect("a Han character");
                let mut utf8 = [0; 4];
                let first = c.encode_utf8(&mut utf8).as_bytes();
                if get(&words, first_bit(quick, first)) {
                    set(&mut chars[..], (cp - LOW) as usize);
                }
            }
        }
        HanFirst { words, lengths, chars, quick: quick.clone() }
    }

    /// The words as stored.
    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    /// The byte lengths of the Han names ([`length_bit`]).
    pub(crate) fn lengths(&self) -> u64 {
        self.lengths
    }

    /// Of the lead bytes `leads` of the block at `at` (bit `i` for byte
    /// `at + i`), those whose three-byte character may begin a stored
    /// name; a lead whose next bytes are not continuation bytes may stay.
    fn beginnings(&self, hay: &[u8], at: usize, leads: u64) -> u64 {
        if leads == 0 {
            return 0;
        }
        // The block and the two bytes after it, zeros past the end.
        with_block(hay, at, |b| self.beginnings_in(b, leads))
    }

    #[inline(always)]
    fn beginnings_in(&self, b: &[u8; BLOCK_AND_TWO], mut leads: u64) -> u64 {
        let mut out = 0;
        while leads != 0 {
            let i = leads.trailing_zeros() as usize & 63;
            leads &= leads - 1;
            let byte = |k: usize| u32::from(b[i + k]);
            // A first byte 0xE3 to 0xE9 gives U+3000 to U+9FFF.
            let cp = (byte(0) & 0x0F) << 12
                | (byte(1) & 0x3F) << 6
                | byte(2) & 0x3F;
            let k = cp.wrapping_sub(LOW) as usize;
            let word = self.chars[k >> 6 & (CHAR_WORDS - 1)];
            out |= (word >> (k & 63) & 1) << i;
        }
        out
    }

    /// Whether the two characters (six bytes) may begin a stored name.
    fn pair_may_begin(&self, pair: &[u8]) -> bool {
        get(&self.words, pair_bit(&self.quick, pair))
    }
}

/// Calls `f` with every Han name candidate anchored in `from..to` of
/// `hay`: anchor, span, kind and tagged form (built in `form`). A
/// candidate is two to [`MAX_CHARS`] Han characters in a row whose first
/// may begin a stored name ([`HanFirst`]) and whose length in bytes a
/// stored one has; candidates come in order of position, the shorter
/// first.
pub(crate) fn names(
    hay: &[u8],
    (from, to): (usize, usize),
    first: &HanFirst,
    form: &mut Vec<u8>,
    mut f: impl FnMut(usize, Span, ColumnKind, &[u8]),
) {
    let to = to.min(hay.len());
    let mut at = from;
    while at < to {
        // The lead bytes whose character may begin a name, without a
        // branch per character (in Chinese text a third of the bytes
        // lead, and a few in a hundred characters are surnames).
        let mut m = first.beginnings(hay, at, leads(hay, at, to));
        while m != 0 {
            let s = at + m.trailing_zeros() as usize;
            m &= m - 1;
            if han_at(hay, s).is_none()
                || han_at(hay, s + 3).is_none()
                || !first.pair_may_begin(&hay[s..s + 6])
            {
                continue;
            }
            let mut e = s + 6;
            for _ in 2..=MAX_CHARS {
                if first.lengths & length_bit(e - s) != 0 {
                    form.clear();
                    form.push(ColumnKind::Name as u8);
                    form.extend_from_slice(&hay[s..e]);
                    f(s, Span::new(s, e), ColumnKind::Name, form);
                }
                if han_at(hay, e).is_none() {
                    break;
                }
                e += 3;
            }
        }
        at += 64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn quick() -> QuickHash {
        QuickHash::new(&[9; 16])
    }

    /// Whether the decoded bitmap has the character `cp`.
    fn may_begin(first: &HanFirst, cp: u32) -> bool {
        get(&first.chars[..], (cp - LOW) as usize)
    }

    #[test]
    fn han_at_is_utf8_decoding_in_the_ranges() {
        for cp in 0x3000..0xA100u32 {
            let Some(c) = char::from_u32(cp) else { continue };
            let mut buf = [0; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            let want = is_han(c).then_some(cp);
            assert_eq!(han_at(bytes, 0), want, "{cp:X}");
            // Cut short, or with a byte that does not continue it.
            assert_eq!(han_at(&bytes[..2], 0), None);
            let mut bad = bytes.to_vec();
            bad[2] = b'a';
            assert_eq!(han_at(&bad, 0), None, "{cp:X}");
        }
        for (cp, han) in [
            (0x33FF, false),
            (0x3400, true),
            (0x4DBF, true),
            (0x4DC0, false),
            (0x4DFF, false),
            (0x4E00, true),
            (0x9FFF, true),
            (0xA000, false),
        ] {
            assert_eq!(is_han(char::from_u32(cp).unwrap()), han, "{cp:X}");
        }
        assert!(all_han("王小明".as_bytes()));
        assert!(!all_han("王 小明".as_bytes()));
        assert!(!all_han(b""));
        assert!(!all_han("王x".as_bytes()));
    }

    #[test]
    fn the_bitmap_holds_the_first_characters() {
        let names = ["王小明", "李娜", "欧阳晓峰", "王伟"];
        let first = HanFirst::build(names.map(str::as_bytes), &quick())
            .expect("names");
        for c in ['王', '李', '欧'] {
            assert!(may_begin(&first, c as u32), "{c}");
        }
        // Of all the others, about 3 in 65,536 share a bit by chance.
        let others = RANGES
            .iter()
            .flat_map(|&(lo, hi)| lo..=hi)
            .filter(|&cp| !"王李欧".contains(char::from_u32(cp).unwrap()))
            .filter(|&cp| may_begin(&first, cp))
            .count();
        assert!(others < 20, "{others}");
        let back = HanFirst::from_words(
            first.words().to_vec(),
            first.lengths(),
            &quick(),
        );
        assert_eq!(back.chars, first.chars);
        // The first two characters of each name, and few other pairs.
        for name in names {
            assert!(first.pair_may_begin(&name.as_bytes()[..6]), "{name}");
        }
        let pairs = ["王小", "李娜", "欧阳", "王伟"];
        let chars: Vec<char> = "王李欧小娜阳伟明天地人和".chars().collect();
        let mut passed = 0;
        for a in &chars {
            for b in &chars {
                let pair = format!("{a}{b}");
                if !pairs.contains(&pair.as_str()) {
                    passed +=
                        usize::from(first.pair_may_begin(pair.as_bytes()));
                }
            }
        }
        assert!(passed < 3, "{passed}");
        // Another key decodes other characters.
        let other = HanFirst::from_words(
            first.words().to_vec(),
            first.lengths(),
            &QuickHash::new(&[8; 16]),
        );
        assert_ne!(other.chars, first.chars);
        assert!(HanFirst::build(std::iter::empty(), &quick()).is_none());
    }

    /// Every position, every length: what [`names`] must list.
    fn reference(
        hay: &[u8],
        (from, to): (usize, usize),
        first: &HanFirst,
        lengths: u64,
    ) -> Vec<(usize, Span)> {
        let mut out = Vec::new();
        for s in from..to.min(hay.len()) {
            let Some(cp) = han_at(hay, s) else { continue };
            if !may_begin(first, cp)
                || han_at(hay, s + 3).is_none()
                || !first.pair_may_begin(&hay[s..s + 6])
            {
                continue;
            }
            for n in 2..=MAX_CHARS {
                if (0..n).any(|k| han_at(hay, s + 3 * k).is_none()) {
                    break;
                }
                if lengths & length_bit(3 * n) != 0 {
                    out.push((s, Span::new(s, s + 3 * n)));
                }
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 1000,
            ..Default::default()
        })]

        /// `names` lists exactly the reference's candidates, for any cut
        /// of text mixing Han and other characters and broken UTF-8.
        #[test]
        fn names_are_every_run_from_a_first_character(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::sample::select(
                        &["王", "李", "小", "明", "娜", "欧", "阳", "㐀", "䶿", "鿿"][..],
                    ).prop_map(|s| s.as_bytes().to_vec()),
                    1 => proptest::sample::select(
                        &[" ", "，", "a1", "。", "𠀀", "é", "\u{4DC0}", "ｱ"][..],
                    ).prop_map(|s| s.as_bytes().to_vec()),
                    1 => proptest::collection::vec(proptest::num::u8::ANY, 1..4),
                ],
                0..60,
            ),
            starts in proptest::collection::vec(
                proptest::sample::select(
                    &["王小", "王明", "李娜", "欧阳", "㐀鿿", "鿿王"][..],
                ),
                1..5,
            ),
            cut in (0usize..400, 0usize..400),
            lengths in proptest::prop_oneof![
                proptest::strategy::Just(u64::MAX),
                proptest::num::u64::ANY,
            ],
        ) {
            let hay: Vec<u8> = parts.concat();
            let mut first = HanFirst::build(
                starts.iter().map(|s| s.as_bytes()),
                &quick(),
            ).expect("names");
            // Any lengths, not only the names' own.
            first.lengths = lengths;
            let (a, b) = (cut.0 % (hay.len() + 1), cut.1 % (hay.len() + 1));
            let range = (a.min(b), a.max(b));
            let mut got = Vec::new();
            let mut form = Vec::new();
            names(&hay, range, &first, &mut form, |at, span, kind, form| {
                assert_eq!(kind, ColumnKind::Name);
                assert_eq!(form[0], ColumnKind::Name as u8);
                assert_eq!(&form[1..], &hay[span.start..span.end]);
                got.push((at, span));
            });
            proptest::prop_assert_eq!(got, reference(&hay, range, &first, lengths));
        }
    }

    /// Every byte value at every place of a block, the block whole or
    /// cut short by `to`.
    #[test]
    fn leads_are_the_lead_bytes() {
        for b in 0..=255u8 {
            for place in 0..64 {
                let mut hay = [b'x'; 70];
                hay[place + 3] = b;
                for to in [hay.len(), place + 4, place + 3] {
                    let want = u64::from(
                        (0xE3..=0xE9).contains(&b) && place + 3 < to,
                    ) << place;
                    assert_eq!(leads(&hay, 3, to), want, "{b} {place} {to}");
                }
            }
        }
    }
}
