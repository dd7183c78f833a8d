//! The records index's pre-filter: a Bloom filter over SipHash-2-4 of the
//! normalized cells, under a key derived from the user's key, so that a
//! candidate from scanned text pays one SipHash and three bit tests, and
//! only the few that pass pay the HMAC-SHA256 of the stored value and read
//! the table.
//!
//! The SipHash key is derived from the user's key
//! ([`FingerprintKey::derive`](crate::keyed::FingerprintKey)), never
//! stored. That is what keeps the filter from leaking: an unkeyed hash of
//! an email or a phone number can be tested against a dictionary of
//! guesses, so it would be the plaintext in all but name. Without the key,
//! the filter's bits say nothing about the values.
//! The filter has no false negatives, so it changes what a scan costs,
//! never what it finds.

use siphasher::sip::SipHasher24;

/// Filter bits per distinct value, at least (rounded up to a power of
/// two, so 16 to 32). With three probes that lets through about 0.5% of
/// absent values at 16 bits per value and less above.
const BITS_PER_VALUE: usize = 16;
/// Bits tested per value.
const PROBES: u64 = 3;
/// The largest filter: 2^36 bits (8 GiB), far past any table that fits
/// in memory; a file claiming more is corrupt.
pub(crate) const MAX_LOG2: u32 = 36;

/// The pre-filter's hash: SipHash-2-4 under a key derived from the
/// user's key.
#[derive(Clone)]
pub(crate) struct QuickHash(SipHasher24);

impl QuickHash {
    pub(crate) fn new(key: &[u8; 16]) -> QuickHash {
        QuickHash(SipHasher24::new_with_key(key))
    }

    /// The hash of a tagged normal form (kind tag, then the value).
    pub(crate) fn hash(&self, tagged: &[u8]) -> u64 {
        self.0.hash(tagged)
    }
}

/// A Bloom filter of [`QuickHash`] values.
#[derive(Clone, Debug, Default)]
pub(crate) struct Prefilter {
    words: Vec<u64>,
    /// The filter has `1 << log2` bits.
    log2: u32,
}

impl Prefilter {
    /// The size the filter of `distinct` values has: chosen from the count
    /// alone, so a loaded file's size can be checked.
    pub(crate) fn log2_for(distinct: usize) -> u32 {
        let bits = distinct.saturating_mul(BITS_PER_VALUE).max(64);
        bits.checked_next_power_of_two()
            .map_or(usize::BITS, usize::trailing_zeros)
            .min(MAX_LOG2)
    }

    /// A filter of `distinct` values holding `hashes`.
    pub(crate) fn build(
        distinct: usize,
        hashes: impl IntoIterator<Item = u64>,
    ) -> Prefilter {
        let log2 = Prefilter::log2_for(distinct);
        let mut f = Prefilter { words: vec![0; 1 << (log2 - 6)], log2 };
        for h in hashes {
            for bit in f.bits(h) {
                f.words[(bit >> 6) as usize] |= 1 << (bit & 63);
            }
        }
        f
    }

    /// A filter from its stored words; `None` when their count is not
    /// that of a filter of `distinct` values.
    pub(crate) fn from_words(
        distinct: usize,
        words: Vec<u64>,
    ) -> Option<Prefilter> {
        let log2 = Prefilter::log2_for(distinct);
        (words.len() == 1 << (log2 - 6)).then_some(Prefilter { words, log2 })
    }

    /// How many u64 words the filter of `distinct` values has.
    pub(crate) fn words_for(distinct: usize) -> u64 {
        1 << (Prefilter::log2_for(distinct) - 6)
    }

    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    /// The bits of `h`: double hashing (Kirsch and Mitzenmacher, 2006)
    /// from its two halves; the step is odd, so the probes differ.
    fn bits(&self, h: u64) -> impl Iterator<Item = u64> {
        let mask = (1u64 << self.log2) - 1;
        let step = h.rotate_left(32) | 1;
        (0..PROBES).map(move |i| h.wrapping_add(i.wrapping_mul(step)) & mask)
    }

    /// False when no value with quick hash `h` was added.
    pub(crate) fn may_contain(&self, h: u64) -> bool {
        self.bits(h)
            .all(|bit| self.words[(bit >> 6) as usize] >> (bit & 63) & 1 == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        let q = QuickHash::new(&[9; 16]);
        let values: Vec<u64> =
            (0..5000u32).map(|i| q.hash(&i.to_le_bytes())).collect();
        let f = Prefilter::build(values.len(), values.iter().copied());
        assert!(values.iter().all(|&h| f.may_contain(h)));
        let passed = (5000..105_000u32)
            .filter(|i| f.may_contain(q.hash(&i.to_le_bytes())))
            .count();
        // 5000 values in 2^17 bits: about 0.2% expected.
        assert!(passed < 1000, "{passed} of 100000 absent values passed");
        let back = Prefilter::from_words(5000, f.words().to_vec()).unwrap();
        assert!(values.iter().all(|&h| back.may_contain(h)));
        assert!(Prefilter::from_words(5001 * 4, f.words().to_vec()).is_none());
    }

    #[test]
    fn sizes() {
        assert_eq!(Prefilter::log2_for(0), 6);
        assert_eq!(Prefilter::log2_for(4), 6);
        assert_eq!(Prefilter::log2_for(5), 7);
        assert_eq!(Prefilter::log2_for(5000), 17);
        assert_eq!(Prefilter::log2_for(usize::MAX), MAX_LOG2);
        let empty = Prefilter::build(0, []);
        assert!(!empty.may_contain(12345));
    }
}
