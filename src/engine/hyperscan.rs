//! The Hyperscan engine (feature `hyperscan`): one block-mode database of
//! every distinct keyword as a caseless literal, plus the shared digit-run
//! pass.
//!
//! Hyperscan reports every occurrence of every literal (overlapping, with
//! its end offset), ASCII case-insensitively, which is exactly what the
//! Rust engine's literal search reports; both search the same region
//! ([`Prefilters::keyword_region`]), so their candidates are equal for any
//! haystack and range, and the stream's hold-back window is as exact as
//! with the Rust engine. The FFI lives in the `hyperscan` crate; this file
//! has no unsafe code.
//!
//! Compiling ~1,300 literals takes longer than start-up may, so the
//! database can be cached: serialized, in a file named by a hash of the
//! keywords and the library version, behind a header holding that key and
//! a SHA-256 of the bytes. A cached database is used only when the header,
//! the digest, Hyperscan's own checks and a probe scan that must find every
//! keyword all pass; anything else is rebuilt and rewritten.

use std::{
    fs,
    io::Write,
    ops::Range,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

use hyperscan::{
    prelude::{Builder, Matching},
    BlockDatabase, Literal, LiteralFlags, Literals, Scratch as HsScratch,
    Serialized,
};
use sha2::{Digest, Sha256};

use super::{engine_error, Candidate, Engine, Gates, Prefilters};
use crate::{finding::Span, rules::RuleError};

/// `hs_scan` takes a `u32` length; longer regions are searched in pieces
/// of this many bytes, overlapping by a keyword length.
const PIECE: usize = 1 << 30;

/// Tells apart databases of different scanners, so a scratch is never
/// used with a database it was not allocated for.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The compiled literal database and the keyword table behind its ids.
pub(crate) struct HyperscanEngine {
    /// `None` when no rule has keywords.
    db: Option<BlockDatabase>,
    /// Length of each keyword, by pattern id.
    lens: Vec<usize>,
    prefilters: Prefilters,
    id: u64,
}

/// Hyperscan's scratch for one thread, tagged with its database.
pub(crate) struct Scratch {
    hs: Option<HsScratch>,
    db: u64,
    pub(crate) gates: Gates,
}

impl std::fmt::Debug for HyperscanEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperscanEngine")
            .field("keywords", &self.lens.len())
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch").field("db", &self.db).finish_non_exhaustive()
    }
}

impl HyperscanEngine {
    /// Compiles the keywords, or loads them from `cache` (a directory).
    pub(crate) fn new(
        prefilters: Prefilters,
        cache: Option<&Path>,
    ) -> Result<HyperscanEngine, RuleError> {
        let lens: Vec<usize> =
            prefilters.keywords.iter().map(String::len).collect();
        let db = if prefilters.keywords.is_empty() {
            None
        } else {
            Some(load_or_build(&prefilters.keywords, cache)?)
        };
        Ok(HyperscanEngine {
            db,
            lens,
            prefilters,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }
}

impl Engine for HyperscanEngine {
    type Scratch = Scratch;

    fn new_scratch(&self) -> Scratch {
        Scratch {
            hs: self.db.as_ref().map(|db| {
                db.alloc_scratch().expect("scratch for a valid database")
            }),
            db: self.id,
            gates: Gates::default(),
        }
    }

    fn candidates<F: FnMut(Candidate)>(
        &self,
        hay: &[u8],
        range: Range<usize>,
        scratch: &mut Scratch,
        mut f: F,
    ) {
        let p = &self.prefilters;
        if scratch.db != self.id {
            let gates = std::mem::take(&mut scratch.gates);
            *scratch = Scratch { gates, ..self.new_scratch() };
        }
        let gates = &mut scratch.gates;
        p.reset(gates);
        if let Some(db) = &self.db {
            let s = scratch.hs.as_ref().expect("allocated with the database");
            let region = p.keyword_region(hay, &range);
            let overlap = p.longest_keyword.saturating_sub(1);
            let mut at = region.start;
            while at < region.end {
                // Matches starting at or after `own` belong to the next
                // piece.
                let own = region.end.min(at + PIECE);
                let piece = &hay[at..region.end.min(own + overlap)];
                db.scan(piece, s, |id, _, to, _| {
                    let id = id as usize;
                    let end = at + to as usize;
                    let start = end - self.lens[id];
                    if start < own {
                        let hit = Span::new(start, end);
                        p.keyword_hit(id, hit, &range, gates, &mut f);
                    }
                    Matching::Continue
                })
                .expect("hs_scan fails only on invalid arguments");
                at = own;
            }
        }
        p.digit_hits(hay, range, gates, &mut f);
    }

    fn max_hit_len(&self) -> usize {
        self.prefilters.max_hit_len()
    }
}

fn compile(keywords: &[String]) -> Result<BlockDatabase, RuleError> {
    let literals: Literals = keywords
        .iter()
        .enumerate()
        .map(|(i, kw)| Literal {
            expression: kw.clone(),
            flags: LiteralFlags::CASELESS,
            id: Some(i),
            som: None,
        })
        .collect();
    literals.build().map_err(engine_error)
}

/// Cache file header: magic, key, SHA-256 of the serialized database.
const MAGIC: &[u8; 8] = b"LGHSDB1\n";
const HEADER: usize = MAGIC.len() + 32 + 32;

/// What a cached database must have been built from: this file format,
/// the Hyperscan version, the CPU features Hyperscan compiles for (a
/// database built on a lesser CPU, or under valgrind, loads but runs
/// slower) and every keyword in order.
fn cache_key(keywords: &[String]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(hyperscan::version_str().to_bytes());
    h.update([0]);
    h.update(host_features());
    h.update([0]);
    for kw in keywords {
        h.update((kw.len() as u64).to_le_bytes());
        h.update(kw.as_bytes());
    }
    h.finalize().into()
}

/// The host CPU features that Hyperscan's compiler targets.
fn host_features() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        let features = [
            ("avx2", std::arch::is_x86_feature_detected!("avx2")),
            ("bmi2", std::arch::is_x86_feature_detected!("bmi2")),
            ("avx512f", std::arch::is_x86_feature_detected!("avx512f")),
            ("avx512bw", std::arch::is_x86_feature_detected!("avx512bw")),
            ("avx512vbmi", std::arch::is_x86_feature_detected!("avx512vbmi")),
        ];
        features
            .iter()
            .filter(|(_, yes)| *yes)
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(",")
    }
    #[cfg(not(target_arch = "x86_64"))]
    String::new()
}

fn cache_path(dir: &Path, key: &[u8; 32]) -> PathBuf {
    let name: String = key[..12].iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("hyperscan-{name}.db"))
}

fn load_or_build(
    keywords: &[String],
    cache: Option<&Path>,
) -> Result<BlockDatabase, RuleError> {
    let Some(dir) = cache else {
        return compile(keywords);
    };
    let key = cache_key(keywords);
    let path = cache_path(dir, &key);
    if let Some(db) = load(&path, &key, keywords) {
        return Ok(db);
    }
    let db = compile(keywords)?;
    // A cache that cannot be written costs only start-up time.
    let _ = store(&path, &key, &db);
    Ok(db)
}

/// The cached database, when every check passes.
fn load(
    path: &Path,
    key: &[u8; 32],
    keywords: &[String],
) -> Option<BlockDatabase> {
    let bytes = fs::read(path).ok()?;
    if bytes.len() <= HEADER
        || &bytes[..MAGIC.len()] != MAGIC
        || bytes[MAGIC.len()..MAGIC.len() + 32] != key[..]
    {
        return None;
    }
    let body = &bytes[HEADER..];
    let digest: [u8; 32] = Sha256::digest(body).into();
    if bytes[MAGIC.len() + 32..HEADER] != digest {
        return None;
    }
    let db: BlockDatabase = body.deserialize().ok()?;
    finds_every_keyword(&db, keywords).then_some(db)
}

/// Scans a probe holding every keyword once, separated by NUL bytes, and
/// checks each is reported where it was put.
fn finds_every_keyword(db: &BlockDatabase, keywords: &[String]) -> bool {
    let mut probe = Vec::new();
    let mut ends = Vec::with_capacity(keywords.len());
    for kw in keywords {
        probe.extend_from_slice(kw.as_bytes());
        ends.push(probe.len() as u64);
        probe.push(0);
    }
    let Ok(scratch) = db.alloc_scratch() else {
        return false;
    };
    let mut found = vec![false; keywords.len()];
    let scanned = db.scan(&probe, &scratch, |id, _, to, _| {
        if let Some(f) = found.get_mut(id as usize) {
            *f |= ends[id as usize] == to;
        }
        Matching::Continue
    });
    scanned.is_ok() && found.iter().all(|&f| f)
}

/// Writes the database next to its final name, then renames it there, so
/// a reader never sees half a file.
fn store(
    path: &Path,
    key: &[u8; 32],
    db: &BlockDatabase,
) -> std::io::Result<()> {
    let body = db.serialize().map_err(std::io::Error::other)?;
    let dir = path.parent().expect("cache file is in a directory");
    fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = fs::File::create(&tmp)?;
    f.write_all(MAGIC)?;
    f.write_all(key)?;
    f.write_all(&Sha256::digest(&body[..]))?;
    f.write_all(&body)?;
    drop(f);
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{engine::RustEngine, rules::RuleSet};

    fn engines() -> (RustEngine, HyperscanEngine) {
        let rules = RuleSet::builtin();
        (
            RustEngine::new(Prefilters::new(&rules)).unwrap(),
            HyperscanEngine::new(Prefilters::new(&rules), None).unwrap(),
        )
    }

    fn candidates<E: Engine>(
        e: &E,
        hay: &[u8],
        range: Range<usize>,
    ) -> Vec<Candidate> {
        let mut s = e.new_scratch();
        let mut out = Vec::new();
        e.candidates(hay, range, &mut s, |c| out.push(c));
        out.sort_unstable();
        out
    }

    #[test]
    fn same_candidates_for_every_range() {
        let (rust, hs) = engines();
        let hay = "x-api-key: Token SECRET password=ghp_ AKIA 密码 \
                   4111 1111 1111 1111 sk-proj- tokentoken xoxb-"
            .as_bytes();
        assert!(!candidates(&rust, hay, 0..hay.len()).is_empty());
        for start in 0..=hay.len() {
            for end in start..=hay.len() + 2 {
                assert_eq!(
                    candidates(&rust, hay, start..end),
                    candidates(&hs, hay, start..end),
                    "range {start}..{end}"
                );
            }
        }
    }

    #[test]
    fn cache_round_trip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let keywords: Vec<String> =
            ["akia", "token", "密码"].iter().map(|s| s.to_string()).collect();
        let key = cache_key(&keywords);
        let path = cache_path(dir.path(), &key);
        load_or_build(&keywords, Some(dir.path())).unwrap();
        assert!(load(&path, &key, &keywords).is_some());
        // Any flipped byte is caught, and the file is rebuilt.
        let good = fs::read(&path).unwrap();
        for i in [0, MAGIC.len() + 1, HEADER - 1, HEADER + 3, good.len() - 1] {
            let mut bad = good.clone();
            bad[i] ^= 0x20;
            fs::write(&path, &bad).unwrap();
            assert!(load(&path, &key, &keywords).is_none(), "byte {i}");
            load_or_build(&keywords, Some(dir.path())).unwrap();
            assert_eq!(fs::read(&path).unwrap(), good);
        }
        // A database for other keywords fails the probe.
        fs::write(&path, &good).unwrap();
        let other: Vec<String> =
            vec!["akia".into(), "token".into(), "x".into()];
        assert!(load(&path, &key, &other).is_none());
        // A truncated file too.
        fs::write(&path, &good[..HEADER + 10]).unwrap();
        assert!(load(&path, &key, &keywords).is_none());
    }
}
