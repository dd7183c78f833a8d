//! A small deterministic generator (xorshift64) for tests that make many
//! random choices from a fixed seed.

pub(crate) struct XorShift(u64);

impl XorShift {
    /// `seed` must not be 0.
    pub(crate) fn new(seed: u64) -> XorShift {
        XorShift(seed)
    }

    /// A number in `0..n`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}
