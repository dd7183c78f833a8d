//! The proprietary-code index: token k-gram hashes, winnowed, with the ids
//! of the files they come from, and never a byte of source text.
//!
//! # File format (version 4, little-endian)
//!
//! ```text
//! "LGCODEIX" u32 version=4
//! u32 tokenizer version, u32 k, u32 w, u32 files
//! three times, normalized k-grams, named ones, then common ones
//! (normalized k-grams in more than `max_files` files):
//!   u64 entries
//!   entries × u64 hash        sorted ascending
//!   entries × u32 file id     parallel to the hashes
//!   entries × u32 position    token offset of the k-gram in its file
//! files × (u32 tokens, u8 path kind (0 none, 1 sha-256 prefix, 2 plain),
//!          u16 length, bytes)
//! 32 bytes SHA-256 of everything before
//! ```
//!
//! It loads with one read and one pass of checks; the bucket directory for
//! look-ups is rebuilt in memory.

mod detect;
mod explain;
pub(crate) mod token;
mod winnow;

use std::{collections::HashSet, fmt, path::Path, sync::Arc};

use sha2::{Digest, Sha256};

pub(crate) use self::detect::{CodeHit, CodeState};
#[doc(hidden)]
pub use self::explain::{explain_code, CodeExplain};
use crate::indexes::table::{
    read_file, IndexError, IndexErrorKind, Reader, SortedHashes, Writer,
};

const MAGIC: &[u8; 8] = b"LGCODEIX";
const VERSION: u32 = 4;
/// Bumped whenever tokens or their normalized values change, since hashes
/// of two tokenizer versions never match.
const TOKENIZER_VERSION: u32 = 3;

/// Default k-gram length in tokens; see ARCHITECTURE.md for the
/// measurements behind it.
pub const DEFAULT_K: usize = 30;
/// Default winnowing window in k-grams.
pub const DEFAULT_WINDOW: usize = 8;

/// How an index names the files it was built from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PathStorage {
    /// Only a file number.
    None,
    /// A file number and the first 8 bytes of the SHA-256 of the path, so
    /// the owner can confirm a path without the index listing them.
    #[default]
    Hashed,
    /// The relative path as given.
    Plain,
}

#[derive(Clone, Debug)]
struct FileMeta {
    tokens: u32,
    kind: u8,
    name: Vec<u8>,
    label: Arc<str>,
}

impl FileMeta {
    fn new(id: usize, tokens: u32, kind: u8, name: Vec<u8>) -> FileMeta {
        let label = match kind {
            1 => {
                let hex: String =
                    name.iter().map(|b| format!("{b:02x}")).collect();
                format!("#{id} (path sha256:{hex})")
            }
            2 => String::from_utf8_lossy(&name).into_owned(),
            _ => format!("#{id}"),
        };
        FileMeta { tokens, kind, name, label: label.into() }
    }
}

/// A loaded code fingerprint index.
///
/// Build one with [`CodeIndexBuilder`], store it with
/// [`CodeIndex::to_bytes`], load it with [`CodeIndex::load`], and give it
/// to a scanner with
/// [`ScannerBuilder::code_index`](crate::ScannerBuilder::code_index).
#[derive(Clone)]
pub struct CodeIndex {
    k: u32,
    w: u32,
    /// Normalized k-grams.
    norm: Entries,
    /// Named k-grams, where boilerplate left a gap: a table of their own,
    /// so that its presence bitmap is small enough to stay in cache and
    /// the second look-up per k-gram costs little.
    named: Entries,
    /// Normalized k-grams in more than `max_files` files (boilerplate):
    /// only a long chain that is most of its surroundings counts them
    /// (`CodeThresholds::common_tokens`).
    common: Entries,
    files: Vec<FileMeta>,
}

/// Sorted hashes with the file and token offset of each.
#[derive(Clone, Debug, Default)]
struct Entries {
    table: SortedHashes,
    file_of: Vec<u32>,
    /// Token offset of each entry's k-gram in its file: a copy's matches
    /// keep their distances, scattered idioms do not.
    pos_of: Vec<u32>,
}

impl Entries {
    /// From (hash, file, offset) sorted by hash.
    fn new(sorted: &[(u64, u32, u32)]) -> Entries {
        Entries {
            table: SortedHashes::new(sorted.iter().map(|e| e.0).collect()),
            file_of: sorted.iter().map(|e| e.1).collect(),
            pos_of: sorted.iter().map(|e| e.2).collect(),
        }
    }

    fn lookup(&self, h: u64) -> (&[u32], &[u32]) {
        let r = self.table.find(h);
        (&self.file_of[r.clone()], &self.pos_of[r])
    }

    fn write(&self, w: &mut Writer) {
        w.u64(self.table.len() as u64);
        for &h in self.table.hashes() {
            w.u64(h);
        }
        for &f in &self.file_of {
            w.u32(f);
        }
        for &p in &self.pos_of {
            w.u32(p);
        }
    }

    /// Reads what `write` wrote; ids and offsets are checked once the
    /// files are known.
    fn read(r: &mut Reader<'_>) -> Result<Entries, IndexError> {
        let n = r.u64()?;
        let hashes = r.sorted_hashes(n)?;
        let u32s = |r: &mut Reader<'_>| -> Result<Vec<u32>, IndexError> {
            Ok(r.array(n, 4)?
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes(c.try_into().expect("4")))
                .collect())
        };
        let file_of = u32s(r)?;
        let pos_of = u32s(r)?;
        Ok(Entries { table: SortedHashes::new(hashes), file_of, pos_of })
    }

    /// Whether every entry names a file and lies inside it.
    fn inside(&self, files: &[FileMeta]) -> bool {
        self.file_of.iter().zip(&self.pos_of).all(|(&f, &p)| {
            files.get(f as usize).is_some_and(|m| p < m.tokens)
        })
    }
}

impl fmt::Debug for CodeIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeIndex")
            .field("k", &self.k)
            .field("w", &self.w)
            .field("files", &self.files.len())
            .field("fingerprints", &self.fingerprints())
            .finish()
    }
}

impl CodeIndex {
    /// k-gram length in tokens.
    pub fn k(&self) -> usize {
        self.k as usize
    }

    /// Winnowing window in k-grams.
    pub fn window(&self) -> usize {
        self.w as usize
    }

    /// Number of indexed files.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// Number of stored (hash, file) fingerprints, normalized, named and
    /// common.
    pub fn fingerprints(&self) -> usize {
        self.norm.table.len()
            + self.named.table.len()
            + self.common.table.len()
    }

    /// How reports name file `id`: its path when stored in plain, else
    /// `#id` and, when stored, a SHA-256 prefix of its path.
    pub fn file_label(&self, id: u32) -> Option<&str> {
        self.files.get(id as usize).map(|f| &*f.label)
    }

    /// Tokens in file `id` when it was indexed.
    pub fn file_tokens(&self, id: u32) -> Option<u32> {
        self.files.get(id as usize).map(|f| f.tokens)
    }

    pub(crate) fn label_arc(&self, id: u32) -> Arc<str> {
        self.files[id as usize].label.clone()
    }

    /// The files holding normalized k-gram hash `h`, and the k-gram's
    /// token offset in each.
    pub(crate) fn lookup(&self, h: u64) -> (&[u32], &[u32]) {
        self.norm.lookup(h)
    }

    /// The same for a named k-gram hash.
    pub(crate) fn lookup_named(&self, h: u64) -> (&[u32], &[u32]) {
        self.named.lookup(h)
    }

    /// The same for a normalized hash in more than `max_files` files.
    pub(crate) fn lookup_common(&self, h: u64) -> (&[u32], &[u32]) {
        self.common.lookup(h)
    }

    /// Whether the index holds common (boilerplate) k-grams at all.
    pub(crate) fn has_common(&self) -> bool {
        self.common.table.len() > 0
    }

    /// The index in its file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MAGIC, VERSION);
        w.u32(TOKENIZER_VERSION);
        w.u32(self.k);
        w.u32(self.w);
        w.u32(self.files.len() as u32);
        self.norm.write(&mut w);
        self.named.write(&mut w);
        self.common.write(&mut w);
        for f in &self.files {
            w.u32(f.tokens);
            w.u8(f.kind);
            w.bytes(&f.name);
        }
        w.finish()
    }

    /// Parses an index file's bytes.
    ///
    /// # Errors
    ///
    /// [`IndexErrorKind::NotAnIndex`], [`IndexErrorKind::Version`] (another
    /// format or tokenizer version) or [`IndexErrorKind::Corrupt`].
    pub fn from_bytes(bytes: &[u8]) -> Result<CodeIndex, IndexError> {
        let mut r = Reader::open(bytes, MAGIC, VERSION, "code")?;
        let tokenizer = r.u32()?;
        if tokenizer != TOKENIZER_VERSION {
            return Err(IndexError::new(
                IndexErrorKind::Version,
                format!(
                    "code index was made by tokenizer version {tokenizer}, \
                     this leakguard has version {TOKENIZER_VERSION}; \
                     rebuild it"
                ),
            ));
        }
        let (k, w) = (r.u32()?, r.u32()?);
        if !(MIN_K..=MAX_K).contains(&(k as usize))
            || !(1..=MAX_W).contains(&(w as usize))
        {
            return Err(r.corrupt("k or w out of range"));
        }
        let nfiles = r.u32()?;
        let norm = Entries::read(&mut r)?;
        let named = Entries::read(&mut r)?;
        let common = Entries::read(&mut r)?;
        let mut files = Vec::new();
        for id in 0..nfiles as usize {
            let tokens = r.u32()?;
            let kind = r.u8()?;
            let name = r.bytes()?.to_vec();
            if kind > 2 {
                return Err(r.corrupt("bad path kind"));
            }
            files.push(FileMeta::new(id, tokens, kind, name));
        }
        r.end()?;
        if [&norm, &named, &common].iter().any(|e| !e.inside(&files)) {
            return Err(r.corrupt("file id or k-gram position out of range"));
        }
        Ok(CodeIndex { k, w, norm, named, common, files })
    }

    /// Reads an index file.
    ///
    /// # Errors
    ///
    /// [`IndexErrorKind::Io`] when it cannot be read, else as
    /// [`CodeIndex::from_bytes`]; the message names the file.
    pub fn load(path: &Path) -> Result<CodeIndex, IndexError> {
        let bytes = read_file(path, "code")?;
        CodeIndex::from_bytes(&bytes).map_err(|e| {
            IndexError::new(e.kind(), format!("{}: {e}", path.display()))
        })
    }
}

const MIN_K: usize = 4;
/// Occurrences of one hash kept per file (see `add_file`).
const MAX_REPEATS: usize = 8;
const MAX_K: usize = 256;
const MAX_W: usize = 1024;

/// Builds a [`CodeIndex`] from source files.
///
/// ```
/// use leakguard::CodeIndexBuilder;
///
/// let mut b = CodeIndexBuilder::new();
/// b.kgram(8).window(4);
/// b.add_file("src/lib.rs", b"fn add(a: u32, b: u32) -> u32 { a + b }");
/// let index = b.build();
/// assert_eq!(index.files(), 1);
/// assert!(index.fingerprints() > 0);
/// ```
#[derive(Clone, Debug)]
pub struct CodeIndexBuilder {
    k: usize,
    w: usize,
    max_files: usize,
    paths: PathStorage,
    files: Vec<FileMeta>,
    /// (hash, file, token offset of the k-gram).
    entries: Vec<(u64, u32, u32)>,
    /// The same for named k-grams (`winnow::Kgram::named`).
    named: Vec<(u64, u32, u32)>,
    /// Named k-grams whose normalized k-gram is a table.
    named_tables: Vec<(u64, u32, u32)>,
    common: HashSet<u64>,
}

impl Default for CodeIndexBuilder {
    fn default() -> CodeIndexBuilder {
        CodeIndexBuilder {
            k: DEFAULT_K,
            w: DEFAULT_WINDOW,
            max_files: 0,
            paths: PathStorage::default(),
            files: Vec::new(),
            entries: Vec::new(),
            named: Vec::new(),
            named_tables: Vec::new(),
            common: HashSet::new(),
        }
    }
}

impl CodeIndexBuilder {
    /// A builder with the default k and window.
    pub fn new() -> CodeIndexBuilder {
        CodeIndexBuilder::default()
    }

    /// The k-gram length in tokens (clamped to 4..=256). Set it before
    /// adding files.
    pub fn kgram(&mut self, k: usize) -> &mut Self {
        self.k = k.clamp(MIN_K, MAX_K);
        self
    }

    /// The winnowing window in k-grams (clamped to 1..=1024). Set it
    /// before adding files.
    pub fn window(&mut self, w: usize) -> &mut Self {
        self.w = w.clamp(1, MAX_W);
        self
    }

    /// K-grams found in more than `n` files (boilerplate: license
    /// headers, generated code, common idioms) go to a table of their own,
    /// which only long chains that are most of their surroundings count
    /// ([`CodeThresholds::common_tokens`]); 0 treats every k-gram alike.
    pub fn max_files(&mut self, n: usize) -> &mut Self {
        self.max_files = n;
        self
    }

    /// How file paths are stored.
    pub fn paths(&mut self, p: PathStorage) -> &mut Self {
        self.paths = p;
        self
    }

    /// Leaves out every k-gram of `common` (an index of public code).
    ///
    /// # Errors
    ///
    /// [`IndexErrorKind::Mismatch`] when `common` was made with another k
    /// or window.
    pub fn exclude_common(
        &mut self,
        common: &CodeIndex,
    ) -> Result<&mut Self, IndexError> {
        if common.k() != self.k || common.window() != self.w {
            return Err(IndexError::new(
                IndexErrorKind::Mismatch,
                format!(
                    "the common-code index has k={} w={}, this index k={} \
                     w={}; build both with the same --k and --window",
                    common.k(),
                    common.window(),
                    self.k,
                    self.w
                ),
            ));
        }
        self.common.extend(common.norm.table.hashes());
        self.common.extend(common.named.table.hashes());
        self.common.extend(common.common.table.hashes());
        Ok(self)
    }

    /// Adds one file; returns its number of tokens. Files shorter than k
    /// tokens leave no fingerprint.
    pub fn add_file(&mut self, path: &str, source: &[u8]) -> usize {
        let mut values = Vec::new();
        token::tokens(source, |t| values.push((t.value, t.name, t.shape)));
        let id = self.files.len() as u32;
        let (kind, name) = match self.paths {
            PathStorage::None => (0, Vec::new()),
            PathStorage::Hashed => {
                (1, Sha256::digest(path.as_bytes())[..8].to_vec())
            }
            PathStorage::Plain => (2, path.as_bytes().to_vec()),
        };
        let tokens = u32::try_from(values.len()).unwrap_or(u32::MAX);
        self.files.push(FileMeta::new(id as usize, tokens, kind, name));
        let grams = winnow::kgram_pairs(&values, self.k);
        let last = tokens.saturating_sub(1);
        let at = |p: usize| u32::try_from(p).unwrap_or(u32::MAX).min(last);
        let norm: Vec<u64> = grams.iter().map(|g| g.norm).collect();
        let start = self.entries.len();
        self.entries.extend(
            winnow::winnow(&norm, self.w)
                .iter()
                .filter(|&&(_, h)| h != winnow::TABLE)
                .map(|&(p, h)| (h, id, at(p))),
        );
        keep_repeats(&mut self.entries, start);
        // The named stream, winnowed on its own; `build` keeps only the
        // entries that fill a gap of the normalized one.
        let named: Vec<u64> = grams.iter().map(|g| g.named).collect();
        let start = self.named.len();
        let tstart = self.named_tables.len();
        // Identifiers among the first i tokens: a table k-gram without one
        // (rows of strings or chars) is as alike everywhere by name.
        let mut names = vec![0usize; values.len() + 1];
        for (i, t) in values.iter().enumerate() {
            names[i + 1] = names[i] + usize::from(t.1 != 0);
        }
        for &(p, h) in &winnow::winnow(&named, self.w) {
            if grams[p].norm == winnow::TABLE {
                if names[p + self.k] > names[p] {
                    self.named_tables.push((h, id, at(p)));
                }
            } else {
                self.named.push((h, id, at(p)));
            }
        }
        keep_repeats(&mut self.named, start);
        keep_repeats(&mut self.named_tables, tstart);
        values.len()
    }

    /// Files added so far.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// The finished index.
    pub fn build(&self) -> CodeIndex {
        let mut entries = self.entries.clone();
        entries.sort_unstable();
        let mut dropped = Vec::new();
        let mut kept = drop_common(&entries, self.max_files, &mut dropped);
        // Named k-grams fill the gaps boilerplate leaves: kept where no
        // normalized entry of the file was kept within `w` tokens, and
        // one was dropped as in too many files. Elsewhere they would add
        // size and match nothing a normalized k-gram does not (measured:
        // filling every gap, tables included, made the index 42% larger
        // for 0.5 point more verbatim 20-line copies found, see
        // ARCHITECTURE.md). Code in the common index is no gap: it is
        // public, not boilerplate, so that filter comes after.
        let w = self.w as u32;
        let near = |at: &[(u32, u32)], f: u32, p: u32| {
            let i = at.partition_point(|&x| x < (f, p.saturating_sub(w)));
            at.get(i).is_some_and(|&(g, q)| g == f && q <= p + w)
        };
        let mut kept_at: Vec<(u32, u32)> =
            kept.iter().map(|e| (e.1, e.2)).collect();
        kept_at.sort_unstable();
        let mut dropped_at: Vec<(u32, u32)> =
            dropped.iter().map(|e| (e.1, e.2)).collect();
        dropped_at.sort_unstable();
        let mut named: Vec<(u64, u32, u32)> = self
            .named
            .iter()
            .filter(|&&(_, f, p)| {
                !near(&kept_at, f, p) && near(&dropped_at, f, p)
            })
            .copied()
            .chain(self.named_tables.iter().copied())
            .collect();
        named.sort_unstable();
        let mut named = drop_common(&named, self.max_files, &mut Vec::new());
        kept.retain(|e| !self.common.contains(&e.0));
        named.retain(|e| !self.common.contains(&e.0));
        // `dropped` is sorted (by hash, file, offset) as `entries` was;
        // a look-up follows the first `MAX_COMMON_ENTRIES` entries of a
        // hash, so no more are stored.
        dropped.retain(|e| !self.common.contains(&e.0));
        let mut run = 0;
        let mut prev = None;
        dropped.retain(|e| {
            run = if prev == Some(e.0) { run + 1 } else { 0 };
            prev = Some(e.0);
            run < detect::MAX_COMMON_ENTRIES
        });
        CodeIndex {
            k: self.k as u32,
            w: self.w as u32,
            norm: Entries::new(&kept),
            named: Entries::new(&named),
            common: Entries::new(&dropped),
            files: self.files.clone(),
        }
    }
}

/// Sorts the entries of one file (from `start` on) and keeps at most
/// [`MAX_REPEATS`] of each hash: code that repeats itself inside a file
/// (impl blocks per type, syscall wrappers) matches a copy of its second
/// occurrence only at the second occurrence's offset, and a chain needs
/// the right offset.
fn keep_repeats(entries: &mut Vec<(u64, u32, u32)>, start: usize) {
    entries[start..].sort_unstable();
    let mut kept = start;
    let mut run = 0;
    for i in start..entries.len() {
        run = if i > start && entries[i].0 == entries[i - 1].0 {
            run + 1
        } else {
            0
        };
        if run < MAX_REPEATS {
            entries[kept] = entries[i];
            kept += 1;
        }
    }
    entries.truncate(kept);
}

/// The entries of `entries` (sorted by hash, then file) whose hash is in
/// at most `max_files` distinct files (0: no limit); the others go to
/// `dropped`.
fn drop_common(
    entries: &[(u64, u32, u32)],
    max_files: usize,
    dropped: &mut Vec<(u64, u32, u32)>,
) -> Vec<(u64, u32, u32)> {
    let mut out = Vec::with_capacity(entries.len());
    let mut i = 0;
    while i < entries.len() {
        let h = entries[i].0;
        let run = entries[i..].iter().take_while(|e| e.0 == h).count();
        let group = &entries[i..i + run];
        let files = 1 + group.windows(2).filter(|p| p[0].1 != p[1].1).count();
        if max_files == 0 || files <= max_files {
            out.extend_from_slice(group);
        } else {
            dropped.extend_from_slice(group);
        }
        i += run;
    }
    out
}

/// Thresholds a matched region must reach to become a `code` finding.
///
/// The longest chain of a region (hits of one indexed file at steady
/// distances) covers some tokens; it is reported when those reach
/// `min_tokens` and either `sure_tokens` or `min_share` of the tokens
/// around it (the region and up to `k + w` tokens on each side).
///
/// K-grams in more than the index's `max_files` files (boilerplate) are
/// followed apart: a region where they are counted too is reported when
/// its longest chain covers `common_tokens` and `common_share` of the
/// tokens around it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CodeThresholds {
    /// Tokens a copy must cover at least.
    pub min_tokens: usize,
    /// Tokens a copy needs to be reported whatever surrounds it.
    pub sure_tokens: usize,
    /// Covered tokens as a share of the tokens around them (0 to 1),
    /// enough for a copy shorter than `sure_tokens`.
    pub min_share: f64,
    /// Tokens a copy needs when boilerplate k-grams count.
    pub common_tokens: usize,
    /// Share of the tokens around them those must cover (0 to 1).
    pub common_share: f64,
}

impl Default for CodeThresholds {
    fn default() -> CodeThresholds {
        CodeThresholds {
            min_tokens: DEFAULT_MIN_TOKENS,
            sure_tokens: DEFAULT_SURE_TOKENS,
            min_share: DEFAULT_MIN_SHARE,
            common_tokens: DEFAULT_COMMON_TOKENS,
            common_share: DEFAULT_COMMON_SHARE,
        }
    }
}

/// Default [`CodeThresholds::min_tokens`].
pub const DEFAULT_MIN_TOKENS: usize = 45;
/// Default [`CodeThresholds::sure_tokens`].
pub const DEFAULT_SURE_TOKENS: usize = 90;
/// Default [`CodeThresholds::min_share`].
pub const DEFAULT_MIN_SHARE: f64 = 0.6;
/// Default [`CodeThresholds::common_tokens`].
pub const DEFAULT_COMMON_TOKENS: usize = 100;
/// Default [`CodeThresholds::common_share`].
pub const DEFAULT_COMMON_SHARE: f64 = 0.7;

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "pub fn checksum(data: &[u8]) -> u32 {\n    let mut \
                       acc: u32 = 0x811c9dc5;\n    for b in data {\n        \
                       acc ^= *b as u32;\n        acc = \
                       acc.wrapping_mul(16777619);\n    }\n    acc\n}\n";

    fn small() -> CodeIndexBuilder {
        let mut b = CodeIndexBuilder::new();
        b.kgram(8).window(4).paths(PathStorage::Plain);
        b
    }

    #[test]
    fn round_trip_and_no_source_text() {
        let mut b = small();
        b.add_file("src/a.rs", SRC.as_bytes());
        b.add_file("src/tiny.rs", b"x");
        let index = b.build();
        let bytes = index.to_bytes();
        let back = CodeIndex::from_bytes(&bytes).unwrap();
        assert_eq!(back.fingerprints(), index.fingerprints());
        assert_eq!(back.file_label(0), Some("src/a.rs"));
        assert_eq!((back.k(), back.window()), (8, 4));
        for line in SRC.lines().map(str::trim).filter(|l| l.len() >= 4) {
            assert!(
                !bytes.windows(line.len()).any(|w| w == line.as_bytes()),
                "{line}"
            );
        }
    }

    #[test]
    fn hashed_paths_and_common_code() {
        let mut b = small();
        b.paths(PathStorage::Hashed);
        b.add_file("secret/path.rs", SRC.as_bytes());
        let index = b.build();
        let label = index.file_label(0).unwrap();
        assert!(label.starts_with("#0 (path sha256:"), "{label}");
        assert!(!index.to_bytes().windows(6).any(|w| w == b"secret"));

        let mut c = small();
        c.exclude_common(&index).unwrap();
        c.add_file("copy.rs", SRC.as_bytes());
        assert_eq!(c.build().fingerprints(), 0);
        let mut other = CodeIndexBuilder::new();
        let e = other.exclude_common(&index).unwrap_err();
        assert_eq!(e.kind(), IndexErrorKind::Mismatch);
    }

    #[test]
    fn kgrams_in_too_many_files_are_dropped() {
        let mut b = small();
        b.max_files(2);
        for i in 0..3 {
            b.add_file(&format!("f{i}.rs"), SRC.as_bytes());
        }
        // Dropped from the normalized table, kept in the common one.
        let index = b.build();
        assert_eq!(index.norm.table.len(), 0);
        assert!(index.common.table.len() > 0);
        assert_eq!(index.fingerprints(), index.common.table.len());
        b.max_files(3);
        let index = b.build();
        assert!(index.norm.table.len() > 0);
        assert_eq!(index.common.table.len(), 0);
    }

    #[test]
    fn common_kgrams_keep_what_a_lookup_follows() {
        // One hash in more files than a look-up follows: the common table
        // keeps the first `MAX_COMMON_ENTRIES` entries of it, in file
        // order.
        let mut b = small();
        b.max_files(1);
        let n = detect::MAX_COMMON_ENTRIES + 20;
        for i in 0..n {
            b.add_file(&format!("f{i}.rs"), SRC.as_bytes());
        }
        let index = b.build();
        let mut values = Vec::new();
        token::tokens(SRC.as_bytes(), |t| {
            values.push((t.value, t.name, t.shape))
        });
        let norm = winnow::kgrams(&values, 8);
        let (_, h) = winnow::winnow(&norm, 4)[0];
        let (files, _) = index.lookup_common(h);
        assert_eq!(files.len(), detect::MAX_COMMON_ENTRIES);
        let want: Vec<u32> = (0..detect::MAX_COMMON_ENTRIES as u32).collect();
        assert_eq!(files, &want[..]);
        assert!(index.lookup(h).0.is_empty());
    }

    #[test]
    fn boilerplate_is_found_only_as_a_long_copy() {
        // A renamed copy of code whose every k-gram is in too many files:
        // the wide tracker finds it when its chain reaches `common_tokens`
        // and is most of what is there, not otherwise.
        let body: String = (0..6)
            .map(|i| SRC.replace("checksum", &format!("sum{i}")))
            .collect();
        let mut b = small();
        b.max_files(2);
        for i in 0..3 {
            b.add_file(&format!("f{i}.rs"), body.as_bytes());
        }
        let index = b.build();
        let renamed = body.replace("acc", "total").replace("data", "bytes");
        let mut st = detect::CodeState::new(index.k());
        let run = |st: &mut detect::CodeState,
                   limits: &CodeThresholds,
                   hay: &str| {
            let mut out = Vec::new();
            let hay = hay.as_bytes();
            st.run(&index, limits, hay, 0, 0, hay.len(), true, &mut out);
            out
        };
        let mut limits = CodeThresholds {
            min_tokens: 40,
            sure_tokens: 40,
            min_share: 0.0,
            common_tokens: 100,
            common_share: 0.7,
        };
        let hits = run(&mut st, &limits, &renamed);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].tokens >= 100, "{hits:?}");
        // In a long prompt of other text, it is no longer most of it.
        let other: String = (0..40)
            .map(|i| {
                format!(
                    "let v{i} = w{i}.get({i}).unwrap_or(0) * {};\n",
                    i * 977
                )
            })
            .collect();
        let diluted =
            format!("{other}{}{other}", &renamed[..renamed.len() / 3]);
        limits.common_tokens = 60;
        limits.common_share = 0.95;
        assert!(run(&mut st, &limits, &diluted).is_empty());
        limits.common_share = 0.0;
        assert_eq!(run(&mut st, &limits, &diluted).len(), 1);
        // Too short for `common_tokens`.
        limits.common_tokens = 10_000;
        assert!(run(&mut st, &limits, &renamed).is_empty());
        // Not followed at all without a common table.
        b.max_files(0);
        let all = b.build();
        assert!(!all.has_common());
    }

    #[test]
    fn a_copy_found_by_both_trackers_is_reported_once() {
        let mut b = small();
        b.max_files(2);
        // Boilerplate in three files, and one file of its own.
        for i in 0..3 {
            b.add_file(&format!("f{i}.rs"), SRC.as_bytes());
        }
        let own = format!(
            "{SRC}fn unrelated(x: i64) -> i64 {{ let y = x * 3 - 7; if y > \
             0 {{ y }} else {{ -y }} }}\n{}",
            SRC.replace("checksum", "digest")
        );
        b.add_file("own.rs", own.as_bytes());
        let index = b.build();
        assert!(index.has_common());
        let limits = CodeThresholds {
            min_tokens: 20,
            sure_tokens: 20,
            min_share: 0.0,
            common_tokens: 20,
            common_share: 0.0,
        };
        let mut out = Vec::new();
        let mut st = detect::CodeState::new(index.k());
        let hay = own.as_bytes();
        st.run(&index, &limits, hay, 0, 0, hay.len(), true, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
    }

    #[test]
    fn repeated_code_keeps_each_offset_up_to_a_cap() {
        // The same function twice, around other code: each of its k-grams
        // must be found at both offsets, or a copy of the second one
        // would chain at the wrong distance.
        let other = "fn unrelated(x: i64) -> i64 { let y = x * 3 - 7; \
                     if y > 0 { y } else { -y } }\n";
        let twice = format!("{SRC}{other}{SRC}");
        let mut b = small();
        b.add_file("twice.rs", twice.as_bytes());
        b.add_file("other.rs", other.as_bytes());
        let index = b.build();
        let mut values = Vec::new();
        token::tokens(SRC.as_bytes(), |t| {
            values.push((t.value, t.name, t.shape))
        });
        let n = values.len() as u32;
        let mut both = 0;
        for h in winnow::kgrams(&values, 8) {
            let (files, pos) = index.lookup(h);
            let mine: Vec<u32> = files
                .iter()
                .zip(pos)
                .filter(|(&f, _)| f == 0)
                .map(|(_, &p)| p)
                .collect();
            if mine.len() == 2 {
                assert!(mine[1] > mine[0] + n, "{mine:?}");
                both += 1;
            }
            assert!(mine.len() <= 2, "{mine:?}");
        }
        assert!(both > 5, "{both}");

        // Twenty copies in one file keep at most MAX_REPEATS offsets per
        // hash, and count as one file for `max_files`.
        let many = format!("{SRC}{other}").repeat(20);
        let mut b = small();
        b.max_files(1);
        b.add_file("many.rs", many.as_bytes());
        let index = b.build();
        assert!(index.fingerprints() > 0);
        let mut i = 0;
        let hashes = index.norm.table.hashes();
        while i < hashes.len() {
            let run = hashes[i..].iter().take_while(|&&h| h == hashes[i]);
            let run = run.count();
            assert!(run <= MAX_REPEATS, "{run}");
            i += run;
        }
    }

    fn found(index: &CodeIndex, hay: &str) -> bool {
        let limits = CodeThresholds {
            min_tokens: 40,
            sure_tokens: 40,
            min_share: 0.0,
            common_tokens: usize::MAX,
            common_share: 1.0,
        };
        let mut out = Vec::new();
        let mut st = detect::CodeState::new(index.k());
        let hay = hay.as_bytes();
        st.run(index, &limits, hay, 0, 0, hay.len(), true, &mut out);
        !out.is_empty()
    }

    #[test]
    fn named_kgrams_fill_the_gaps_boilerplate_leaves() {
        // The same function in three files, under other names in each:
        // with `max_files` 2 its normalized k-grams are boilerplate and
        // dropped, and each file's own names still find a verbatim copy.
        let files: Vec<String> = ["crc", "fnv", "sum"]
            .iter()
            .map(|p| {
                let f =
                    SRC.replace("checksum", p).replace("acc", &p.repeat(2));
                format!("{f}{}", f.replace(p, &p.to_uppercase()))
            })
            .collect();
        let mut b = small();
        b.max_files(2);
        for (i, f) in files.iter().enumerate() {
            b.add_file(&format!("f{i}.rs"), f.as_bytes());
        }
        let index = b.build();
        assert!(index.fingerprints() > 0);
        for f in &files {
            assert!(found(&index, f), "{f}");
            let reformatted = f.replace('\n', " ").replace(": u32", ":u32");
            assert!(found(&index, &reformatted), "{f}");
        }
        // Renamed, the copy is boilerplate again: not found.
        let renamed = files[0].replace("crc", "xyz").replace("CRC", "XYZ");
        assert!(!found(&index, &renamed));
        // Names are hashed, never stored.
        let bytes = index.to_bytes();
        for word in ["crccrc", "FNVFNV", "wrapping_mul", "data"] {
            let w = word.as_bytes();
            assert!(!bytes.windows(w.len()).any(|x| x == w), "{word}");
        }

        // Where the normalized stream kept entries there is no gap, and
        // no named entry is kept.
        let mut b = small();
        b.add_file("a.rs", SRC.as_bytes());
        let mut values = Vec::new();
        token::tokens(SRC.as_bytes(), |t| {
            values.push((t.value, t.name, t.shape))
        });
        let norm = winnow::kgrams(&values, 8);
        let kept = winnow::winnow(&norm, 4);
        let kept = kept.iter().filter(|e| e.1 != winnow::TABLE).count();
        assert_eq!(b.build().fingerprints(), kept);
    }

    #[test]
    fn named_kgrams_stand_in_for_tables() {
        // A table's normalized k-grams are neither indexed nor looked up;
        // its named k-grams are, so a verbatim or reformatted copy of a
        // table of named constants is found, and a renamed one is not.
        let table: String = (0..40)
            .map(|i| format!("pub const OPT_{:X}: u32 = {};\n", i * 7919, i))
            .collect();
        let mut b = CodeIndexBuilder::new();
        b.kgram(20).window(4);
        b.add_file("a.rs", table.as_bytes());
        // Rows of strings: a table with no name, left out.
        let strings = "(\"a\", \"b\"),\n".repeat(60);
        b.add_file("b.rs", strings.as_bytes());
        let index = b.build();
        let mut values = Vec::new();
        token::tokens(table.as_bytes(), |t| {
            values.push((t.value, t.name, t.shape))
        });
        let grams = winnow::kgram_pairs(&values, 20);
        // Once past the first row (whose type is a first use).
        assert!(grams[5..].iter().all(|g| g.norm == winnow::TABLE));
        assert!(index.norm.table.len() <= 2, "{}", index.norm.table.len());
        let named: Vec<u64> = grams.iter().map(|g| g.named).collect();
        let picked = winnow::winnow(&named, 4);
        let in_tables = picked
            .iter()
            .filter(|&&(p, _)| grams[p].norm == winnow::TABLE)
            .count();
        assert!(in_tables > 20, "{in_tables}");
        assert_eq!(index.named.table.len(), in_tables);
        assert!(index.named.file_of.iter().all(|&f| f == 0));
        assert!(found(&index, &table));
        assert!(found(&index, &table.replace(": u32 = ", ":u32=")));
        assert!(!found(&index, &table.replace("OPT_", "FLAG_")));
        assert!(!found(&index, &strings));
        let bytes = index.to_bytes();
        assert!(!bytes.windows(4).any(|w| w == b"OPT_"));
    }

    #[test]
    fn older_format_versions_are_refused() {
        let mut b = small();
        b.add_file("a.rs", SRC.as_bytes());
        let mut w = Writer::new(MAGIC, 2);
        w.u32(TOKENIZER_VERSION);
        let e = CodeIndex::from_bytes(&w.finish()).unwrap_err();
        assert_eq!(e.kind(), IndexErrorKind::Version);
        let msg = e.to_string();
        assert!(msg.contains("version 2") && msg.contains("rebuild"), "{msg}");
        // Version 3, without the common table, is refused the same way.
        let mut w = Writer::new(MAGIC, 3);
        w.u32(TOKENIZER_VERSION);
        let e = CodeIndex::from_bytes(&w.finish()).unwrap_err();
        assert_eq!(e.kind(), IndexErrorKind::Version);
        let msg = e.to_string();
        assert!(msg.contains("version 3") && msg.contains("rebuild"), "{msg}");
        assert!(CodeIndex::from_bytes(&b.build().to_bytes()).is_ok());
    }

    #[test]
    fn damaged_files_are_errors() {
        let mut b = small();
        b.add_file("a.rs", SRC.as_bytes());
        let bytes = b.build().to_bytes();
        for cut in [0, 5, 12, 40, bytes.len() - 1] {
            assert!(CodeIndex::from_bytes(&bytes[..cut]).is_err());
        }
        let mut v = bytes.clone();
        v[12] = 99; // tokenizer version, caught by the checksum first
        assert_eq!(
            CodeIndex::from_bytes(&v).unwrap_err().kind(),
            IndexErrorKind::Corrupt
        );
    }
}
