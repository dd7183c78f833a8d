//! What the code and records indexes share: the error type, a sorted table
//! of 64-bit hashes with a bucket directory, and a checked little-endian
//! file reader and writer with a version header and a SHA-256 trailer.

use std::{fmt, ops::Range};

use sha2::{Digest, Sha256};

/// An error building, reading or loading a code or records index.
#[derive(Clone, Debug)]
pub struct IndexError {
    kind: IndexErrorKind,
    message: String,
}

/// What went wrong with an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexErrorKind {
    /// The file could not be read or written.
    Io,
    /// The file is not an index of the expected kind.
    NotAnIndex,
    /// The file was written by an unsupported format version.
    Version,
    /// The file is truncated, altered or inconsistent.
    Corrupt,
    /// The records index was made with another key.
    WrongKey,
    /// The input (CSV table, options) cannot make an index.
    Input,
    /// Two code indexes were made with different parameters.
    Mismatch,
}

impl IndexError {
    pub(crate) fn new(kind: IndexErrorKind, message: String) -> IndexError {
        IndexError { kind, message }
    }

    /// What went wrong.
    pub fn kind(&self) -> IndexErrorKind {
        self.kind
    }
}

impl fmt::Display for IndexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IndexError {}

/// Hashes sorted ascending, with a directory of their top bits so that a
/// look-up reads one or two cache lines instead of binary-searching.
#[derive(Clone, Debug, Default)]
pub(crate) struct SortedHashes {
    hashes: Vec<u64>,
    /// `buckets[b]..buckets[b + 1]` holds the hashes whose top `bits` are b.
    buckets: Vec<u32>,
    bits: u32,
    /// One bit per value of a hash's top `bits + 4` bits, set when some
    /// hash has them: about one byte per hash, small enough to stay in
    /// cache, so most look-ups of absent hashes (nearly all of them when
    /// scanning text that is not indexed) touch no other memory.
    present: Vec<u64>,
}

impl SortedHashes {
    /// Wraps sorted hashes (checked by the caller).
    pub(crate) fn new(hashes: Vec<u64>) -> SortedHashes {
        debug_assert!(hashes.windows(2).all(|w| w[0] <= w[1]));
        // About two hashes per bucket; at least 2^4, at most 2^24 buckets.
        let bits =
            (usize::BITS - (hashes.len() / 2).leading_zeros()).clamp(4, 24);
        let mut buckets = vec![0u32; (1 << bits) + 1];
        for &h in &hashes {
            buckets[(h >> (64 - bits)) as usize + 1] += 1;
        }
        for i in 1..buckets.len() {
            buckets[i] += buckets[i - 1];
        }
        let mut present = vec![0u64; 1 << (bits + 4 - 6)];
        for &h in &hashes {
            let f = h >> (64 - bits - 4);
            present[(f >> 6) as usize] |= 1 << (f & 63);
        }
        SortedHashes { hashes, buckets, bits, present }
    }

    /// The positions holding `h` (empty when absent).
    pub(crate) fn find(&self, h: u64) -> Range<usize> {
        let f = h >> (64 - self.bits - 4);
        if self.present[(f >> 6) as usize] & (1 << (f & 63)) == 0 {
            return 0..0;
        }
        let b = (h >> (64 - self.bits)) as usize;
        let (lo, hi) =
            (self.buckets[b] as usize, self.buckets[b + 1] as usize);
        let slice = &self.hashes[lo..hi];
        let start = slice.partition_point(|&x| x < h);
        let len = slice[start..].iter().take_while(|&&x| x == h).count();
        lo + start..lo + start + len
    }

    pub(crate) fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    pub(crate) fn len(&self) -> usize {
        self.hashes.len()
    }
}

/// Writes an index file: magic, version, fields, then a SHA-256 trailer.
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn new(magic: &[u8; 8], version: u32) -> Writer {
        let mut w = Writer { buf: magic.to_vec() };
        w.u32(version);
        w
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(crate) fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A length-prefixed (u16) byte string, cut at 65535 bytes.
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        let b = &b[..b.len().min(u16::MAX as usize)];
        self.u16(b.len() as u16);
        self.buf.extend_from_slice(b);
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        let sum = Sha256::digest(&self.buf);
        self.buf.extend_from_slice(&sum);
        self.buf
    }
}

/// Reads an index file written by [`Writer`], checking everything.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Checks magic, version and trailer.
    pub(crate) fn open(
        bytes: &'a [u8],
        magic: &[u8; 8],
        version: u32,
        what: &'static str,
    ) -> Result<Reader<'a>, IndexError> {
        if bytes.len() < 12 || &bytes[..8] != magic {
            return Err(IndexError::new(
                IndexErrorKind::NotAnIndex,
                format!("not a leakguard {what} index"),
            ));
        }
        let found = u32::from_le_bytes(bytes[8..12].try_into().expect("4"));
        if found != version {
            return Err(IndexError::new(
                IndexErrorKind::Version,
                format!(
                    "{what} index format version {found} is not supported \
                     (this leakguard reads version {version}); rebuild it \
                     from its source with `leakguard index {what}`"
                ),
            ));
        }
        let corrupt = || {
            IndexError::new(
                IndexErrorKind::Corrupt,
                format!("{what} index is truncated or corrupt"),
            )
        };
        let body = bytes.len().checked_sub(32).filter(|&n| n >= 12);
        let body = body.ok_or_else(corrupt)?;
        if Sha256::digest(&bytes[..body]).as_slice() != &bytes[body..] {
            return Err(corrupt());
        }
        Ok(Reader { bytes: &bytes[..body], pos: 12, what })
    }

    pub(crate) fn corrupt(&self, why: &str) -> IndexError {
        IndexError::new(
            IndexErrorKind::Corrupt,
            format!("{} index is corrupt: {why}", self.what),
        )
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], IndexError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| self.corrupt("truncated"))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, IndexError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, IndexError> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("2")))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, IndexError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4")))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, IndexError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8")))
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], IndexError> {
        let n = self.u16()? as usize;
        self.take(n)
    }

    /// `n` items of `size` bytes each, checked against what is left before
    /// anything is allocated.
    pub(crate) fn array(
        &mut self,
        n: u64,
        size: usize,
    ) -> Result<&'a [u8], IndexError> {
        let total = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(size))
            .ok_or_else(|| self.corrupt("bad count"))?;
        self.take(total)
    }

    /// Sorted u64 hashes, `n` of them.
    pub(crate) fn sorted_hashes(
        &mut self,
        n: u64,
    ) -> Result<Vec<u64>, IndexError> {
        let raw = self.array(n, 8)?;
        let hashes: Vec<u64> = raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8")))
            .collect();
        if hashes.windows(2).any(|w| w[0] > w[1]) {
            return Err(self.corrupt("hashes out of order"));
        }
        Ok(hashes)
    }

    pub(crate) fn end(&self) -> Result<(), IndexError> {
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(self.corrupt("trailing bytes"))
        }
    }
}

/// Reads an index file whole (a plain read: the format needs no mmap).
pub(crate) fn read_file(
    path: &std::path::Path,
    what: &str,
) -> Result<Vec<u8>, IndexError> {
    std::fs::read(path).map_err(|e| {
        IndexError::new(
            IndexErrorKind::Io,
            format!("cannot read {what} index {}: {e}", path.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_finds_runs_of_equal_hashes() {
        let mut hs: Vec<u64> = (0..1000u64)
            .map(|i| crate::fingerprint::token::mix(i / 3))
            .collect();
        hs.sort_unstable();
        let t = SortedHashes::new(hs.clone());
        for &h in &hs {
            let want = hs.iter().filter(|&&x| x == h).count();
            assert_eq!(t.find(h).len(), want);
        }
        assert!(t.find(12345).is_empty());
        assert!(SortedHashes::new(Vec::new()).find(7).is_empty());
    }

    #[test]
    fn reader_rejects_damage() {
        let mut w = Writer::new(b"LGTESTIX", 3);
        w.u64(42);
        w.bytes(b"abc");
        let good = w.finish();
        let mut r = Reader::open(&good, b"LGTESTIX", 3, "test").unwrap();
        assert_eq!(r.u64().unwrap(), 42);
        assert_eq!(r.bytes().unwrap(), b"abc");
        r.end().unwrap();
        let kind = |b: &[u8]| {
            Reader::open(b, b"LGTESTIX", 3, "test").err().map(|e| e.kind())
        };
        assert_eq!(kind(b"nonsense"), Some(IndexErrorKind::NotAnIndex));
        let mut v = good.clone();
        v[8] = 9;
        assert_eq!(kind(&v), Some(IndexErrorKind::Version));
        let mut c = good.clone();
        c[13] ^= 1;
        assert_eq!(kind(&c), Some(IndexErrorKind::Corrupt));
        assert_eq!(kind(&good[..20]), Some(IndexErrorKind::Corrupt));
    }
}
