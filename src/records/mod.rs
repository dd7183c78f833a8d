//! The customer-records index: exact-data matching of chosen CSV columns
//! through keyed hashes, with no plaintext cell in the index.
//!
//! Each cell is normalized by the kind of its column (email, phone, ID,
//! name) and stored as HMAC-SHA256(kind ‖ value), cut to 64 bits, under a
//! key derived from the user's key, with its row and column. The key stays
//! with the user: without it the index cannot be tested against guesses,
//! which matters because phone numbers and names are guessable. A Bloom
//! filter ([`prefilter`]) of SipHash-2-4(kind ‖ value), under a second
//! key derived from the user's, turns away nearly every candidate that is
//! not in the table for the price of one SipHash; only the few that pass
//! pay the HMAC and read the table.
//!
//! # File format (version 6, little-endian)
//!
//! ```text
//! "LGRECSIX" u32 version=6
//! 16 bytes key check (HMAC of a constant: tells a wrong key at load)
//! u32 rows, u16 columns × (u8 kind, u16 length, name bytes)
//! 4 × u64 lengths              per kind (email, phone, ID, name), bit n
//!                              set when a cell's normal form has n bytes
//!                              (63 for 63 and more)
//! u32 words, words × u64       first characters and pairs of the Han
//!                              names ([`han::HanFirst`]): 0 words when
//!                              there is no Han name, else 3072,
//! [u64 lengths]                then their lengths (the name lengths
//!                              above are the other names')
//! u64 entries
//! entries × u64 HMAC           sorted ascending
//! entries × (u32 row, u16 column)
//! words × u64 pre-filter       Bloom filter of the SipHashes; words =
//!                              2^(log2 - 6), log2 from the count of
//!                              distinct HMACs (Prefilter::log2_for)
//! 32 bytes SHA-256 of everything before
//! ```
//!
//! Version 1 had no pre-filter; version 2 had these two hashes, its HMAC
//! under the user's key itself (also the key check's); version 3 stored
//! the SipHashes in the table, sparing the HMAC of candidates that pass
//! the filter; version 4 had no lengths; version 5 no Han names (it
//! stored those of three characters or more, which no scan looked for).
//! None can be converted without the
//! cells, so loading one asks for a rebuild.
//!
//! The lengths let a scan skip the candidates whose normal form has a
//! length no cell of their kind has (most IDs in text, when the table's
//! IDs have one format) before any hash. They tell how long the values
//! are, as the file's size tells how many there are, and nothing of what
//! they are.

pub(crate) mod candidates;
pub(crate) mod han;
pub(crate) mod prefilter;

use std::{fmt, io::Read, path::Path, sync::Arc};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{
    indexes::table::{
        read_file, IndexError, IndexErrorKind, Reader, SortedHashes, Writer,
    },
    keyed::FingerprintKey,
};

use self::prefilter::{Prefilter, QuickHash};

const MAGIC: &[u8; 8] = b"LGRECSIX";
const VERSION: u32 = 6;

/// How a column's cells are normalized and found in text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColumnKind {
    /// Email addresses: trimmed, lowercased.
    Email,
    /// Phone numbers: digits only, the last 10 kept (so `+1 (555)
    /// 010-2345` and `555.010.2345` are one value); at least 7 digits.
    Phone,
    /// Identifiers (customer numbers, national IDs): uppercased, without
    /// spaces, `-`, `_`, `.` and `/`; at least 4 characters and a digit.
    Id,
    /// Names: lowercased, spaces collapsed; found in text as two or three
    /// capitalized words. A name of Han characters (`王小明`, `李娜`) is
    /// its characters without spaces, at least two; found in text as two
    /// to six Han characters in a row.
    Name,
}

impl ColumnKind {
    /// Every kind, in order.
    pub const ALL: &'static [ColumnKind] = &[
        ColumnKind::Email,
        ColumnKind::Phone,
        ColumnKind::Id,
        ColumnKind::Name,
    ];

    /// `email`, `phone`, `id` or `name`.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Email => "email",
            ColumnKind::Phone => "phone",
            ColumnKind::Id => "id",
            ColumnKind::Name => "name",
        }
    }

    /// Parses [`ColumnKind::as_str`]'s names.
    pub fn from_name(name: &str) -> Option<ColumnKind> {
        ColumnKind::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    fn tag(self) -> u8 {
        self as u8
    }

    /// Guesses the kind from the header, else from sample cells.
    fn infer(header: &str, samples: &[String]) -> Option<ColumnKind> {
        let h = header.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
        if has(&["mail", "邮箱"]) {
            return Some(ColumnKind::Email);
        }
        if has(&["phone", "tel", "mobile", "cell", "手机", "电话"]) {
            return Some(ColumnKind::Phone);
        }
        if has(&["name", "姓名"]) {
            return Some(ColumnKind::Name);
        }
        let filled: Vec<&String> =
            samples.iter().filter(|s| !s.trim().is_empty()).collect();
        if filled.is_empty() {
            return None;
        }
        let all = |f: &dyn Fn(&str) -> bool| filled.iter().all(|s| f(s));
        if all(&|s| normalize(ColumnKind::Email, s).is_some()) {
            Some(ColumnKind::Email)
        } else if h.split(|c: char| !c.is_alphanumeric()).any(|w| {
            ["id", "number", "account", "ssn", "passport"].contains(&w)
        }) || has(&["号"])
            || all(&|s| normalize(ColumnKind::Id, s).is_some())
        {
            Some(ColumnKind::Id)
        } else {
            None
        }
    }
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The normalized form of a cell or a candidate from text; `None` when it
/// cannot be a value of this kind.
pub(crate) fn normalize(kind: ColumnKind, s: &str) -> Option<String> {
    let s = s.trim();
    let out = match kind {
        ColumnKind::Email => {
            let s = s.trim_matches(|c: char| !c.is_alphanumeric());
            let (local, domain) = s.split_once('@')?;
            let ok = !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !s.contains(char::is_whitespace);
            ok.then(|| s.to_lowercase())?
        }
        ColumnKind::Phone => {
            let ok =
                s.chars().all(|c| c.is_ascii_digit() || " +()-.".contains(c));
            let digits: String =
                s.chars().filter(char::is_ascii_digit).collect();
            if !ok || !(7..=15).contains(&digits.len()) {
                return None;
            }
            digits[digits.len().saturating_sub(10)..].to_string()
        }
        ColumnKind::Id => {
            let v: String = s
                .chars()
                .filter(|c| !(c.is_whitespace() || "-_./".contains(*c)))
                .flat_map(char::to_uppercase)
                .collect();
            let ok = v.chars().count() >= 4
                && v.chars().any(|c| c.is_ascii_digit())
                && v.chars().all(char::is_alphanumeric);
            ok.then_some(v)?
        }
        ColumnKind::Name => {
            let han: String = s.split_whitespace().collect();
            if han.chars().all(han::is_han) {
                return (han.chars().count() >= 2).then_some(han);
            }
            let v = s.split_whitespace().collect::<Vec<_>>().join(" ");
            let v = v.to_lowercase();
            (v.chars().count() >= 3).then_some(v)?
        }
    };
    Some(out)
}

/// Writes `kind`'s tag and the normal form of `text` into `out` (cleared
/// first), as hashed for the index; false when `text` is not a value of
/// that kind. ASCII text, which every candidate found in scanned text is,
/// is normalized in place without the `String`s of [`normalize`]; other
/// text goes through it. A property test checks both agree.
pub(crate) fn tagged_form(
    kind: ColumnKind,
    text: &[u8],
    out: &mut Vec<u8>,
) -> bool {
    out.clear();
    out.push(kind.tag());
    if !text.is_ascii() {
        let Ok(text) = std::str::from_utf8(text) else { return false };
        let Some(v) = normalize(kind, text) else { return false };
        out.extend_from_slice(v.as_bytes());
        return true;
    }
    // `str::trim` and `split_whitespace` on ASCII: char::is_whitespace,
    // which unlike u8::is_ascii_whitespace includes vertical tab.
    let space = |b: &u8| matches!(b, b' ' | b'\t'..=b'\r');
    let Some(first) = text.iter().position(|b| !space(b)) else {
        return false;
    };
    let last = text.iter().rposition(|b| !space(b)).expect("non-space");
    let s = &text[first..=last];
    match kind {
        ColumnKind::Email => {
            let Some(a) = s.iter().position(u8::is_ascii_alphanumeric) else {
                return false;
            };
            let b = s.iter().rposition(u8::is_ascii_alphanumeric).expect("a");
            let s = &s[a..=b];
            let Some(at) = s.iter().position(|&c| c == b'@') else {
                return false;
            };
            let domain = &s[at + 1..];
            if at == 0
                || !domain.contains(&b'.')
                || domain.contains(&b'@')
                || s.iter().any(space)
            {
                return false;
            }
            out.extend_from_slice(s);
            out[1..].make_ascii_lowercase();
        }
        ColumnKind::Phone => {
            let mut digits = 0;
            for &c in s {
                if c.is_ascii_digit() {
                    digits += 1;
                } else if !matches!(c, b' ' | b'+' | b'(' | b')' | b'-' | b'.')
                {
                    return false;
                }
            }
            if !(7..=15).contains(&digits) {
                return false;
            }
            let skip = digits - digits.min(10);
            out.extend(s.iter().filter(|c| c.is_ascii_digit()).skip(skip));
        }
        ColumnKind::Id => {
            let mut digit = false;
            for &c in s {
                if space(&c) || matches!(c, b'-' | b'_' | b'.' | b'/') {
                    continue;
                }
                if !c.is_ascii_alphanumeric() {
                    return false;
                }
                digit |= c.is_ascii_digit();
                out.push(c.to_ascii_uppercase());
            }
            if out.len() - 1 < 4 || !digit {
                return false;
            }
        }
        ColumnKind::Name => {
            // Candidates from text have single spaces between words, so
            // they are copied whole.
            let single = s
                .iter()
                .zip(&s[1..])
                .all(|(&a, &b)| !space(&a) || (a == b' ' && !space(&b)));
            if single {
                out.extend_from_slice(s);
                out[1..].make_ascii_lowercase();
                // The tag and at least three bytes.
                return out.len() > 3;
            }
            // Runs of spaces become one (`s` is trimmed).
            out.reserve(s.len());
            let mut gap = false;
            for &c in s {
                if space(&c) {
                    gap = true;
                    continue;
                }
                if gap {
                    out.push(b' ');
                    gap = false;
                }
                out.push(c.to_ascii_lowercase());
            }
            if out.len() - 1 < 3 {
                return false;
            }
        }
    }
    true
}

/// A column to index: a header name and, optionally, its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The header name, as in the CSV.
    pub name: String,
    /// The kind; guessed from the header and cells when `None`.
    pub kind: Option<ColumnKind>,
}

impl ColumnSpec {
    /// Parses `name` or `name:kind` (kind one of email, phone, id, name).
    ///
    /// # Errors
    ///
    /// [`IndexErrorKind::Input`] for an unknown kind.
    pub fn parse(s: &str) -> Result<ColumnSpec, IndexError> {
        match s.rsplit_once(':') {
            Some((name, kind)) => match ColumnKind::from_name(kind) {
                Some(k) => Ok(ColumnSpec { name: name.into(), kind: Some(k) }),
                None => Err(IndexError::new(
                    IndexErrorKind::Input,
                    format!(
                        "column kind {kind:?} is not one of email, phone, \
                         id, name"
                    ),
                )),
            },
            None => Ok(ColumnSpec { name: s.into(), kind: None }),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Column {
    pub(crate) name: Arc<str>,
    pub(crate) kind: ColumnKind,
}

/// A loaded customer-records index, with the key that made it.
///
/// Build one with [`RecordsIndex::from_csv`], store it with
/// [`RecordsIndex::to_bytes`], load it with [`RecordsIndex::load`] and the
/// same key, and give it to a scanner with
/// [`ScannerBuilder::records_index`](crate::ScannerBuilder::records_index).
#[derive(Clone)]
pub struct RecordsIndex {
    key: FingerprintKey,
    rows: u32,
    columns: Vec<Column>,
    table: SortedHashes,
    /// (row, column) parallel to the hashes.
    cells: Vec<(u32, u16)>,
    /// The keyed pre-filter of every stored value.
    filter: Prefilter,
    /// Which kinds any column has, so the scan extracts only those.
    kinds: [bool; 4],
    /// Per kind, the lengths of the cells' normal forms ([`length_bit`]),
    /// but for the names of Han characters (in `han`).
    lengths: [u64; 4],
    /// The first characters of the Han names, if there is one.
    han: Option<han::HanFirst>,
    /// Name cells no scan can find (as built; 0 when loaded).
    lost_names: usize,
}

/// Whether a scan may find a name of normal form `form` at all (`han`:
/// it is Han characters only): two to [`han::MAX_CHARS`] Han characters,
/// or two or three ASCII words (found when written capitalized).
fn may_be_found(form: &[u8], han: bool) -> bool {
    if han {
        return form.len() <= 3 * han::MAX_CHARS;
    }
    form.is_ascii() && (2..=3).contains(&form.split(|&b| b == b' ').count())
}

/// The bit of [`RecordsIndex`]'s lengths for a normal form of `len` bytes.
pub(crate) fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

impl fmt::Debug for RecordsIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordsIndex")
            .field("rows", &self.rows)
            .field("columns", &self.columns.len())
            .field("cells", &self.table.len())
            .finish_non_exhaustive()
    }
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key)
        .expect("HMAC accepts keys of any length")
}

fn key_check(key: &FingerprintKey) -> [u8; 16] {
    let mut m = mac(key.as_bytes());
    m.update(b"leakguard records index key check");
    let tag = m.finalize().into_bytes();
    tag[..16].try_into().expect("16")
}

/// Hashes normalized values under two subkeys of the user's key
/// ([`FingerprintKey::derive`], HMAC as the key-derivation function): the
/// table stores HMAC-SHA256 under one, cut to 64 bits; the pre-filter's
/// bits come from SipHash-2-4 under the other (128 bits). A candidate from
/// scanned text costs one SipHash; only one that passes the filter (a
/// value of the table, or about one absent value in 200) costs the HMAC.
///
/// Both are keyed PRFs, which is what keeps low-entropy values (phone
/// numbers, names) from being found by hashing guesses: without the key,
/// neither the stored values nor the filter's bits can be computed for a
/// guess. With the key, the values could be tested whatever the hash.
#[derive(Clone)]
pub(crate) struct ValueHasher {
    quick: QuickHash,
    /// The HMAC with its key absorbed; cloned per value.
    mac: HmacSha256,
}

impl ValueHasher {
    pub(crate) fn new(key: &FingerprintKey) -> ValueHasher {
        let filter = key.derive("records filter v4");
        let stored = key.derive("records values v4");
        ValueHasher {
            quick: QuickHash::new(filter[..16].try_into().expect("16")),
            mac: mac(&stored),
        }
    }

    /// The pre-filter's hash of a [`tagged_form`].
    pub(crate) fn quick(&self, tagged: &[u8]) -> u64 {
        self.quick.hash(tagged)
    }

    /// The stored hash of a [`tagged_form`]: its HMAC's first 8 bytes.
    pub(crate) fn stored(&self, tagged: &[u8]) -> u64 {
        let mut mac = self.mac.clone();
        mac.update(tagged);
        let tag = mac.finalize().into_bytes();
        u64::from_le_bytes(tag[..8].try_into().expect("8"))
    }

    /// The tagged form of a normal form.
    #[cfg(test)]
    pub(crate) fn tagged(kind: ColumnKind, value: &str) -> Vec<u8> {
        let mut tagged = vec![kind.tag()];
        tagged.extend_from_slice(value.as_bytes());
        tagged
    }
}

impl fmt::Debug for ValueHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ValueHasher(…)")
    }
}

/// Distinct hashes of sorted entries: what sizes the pre-filter.
fn distinct(entries: &[(u64, u32, u16)]) -> usize {
    let mut n = 0;
    for (i, e) in entries.iter().enumerate() {
        if i == 0 || e.0 != entries[i - 1].0 {
            n += 1;
        }
    }
    n
}

/// Rows read from one CSV at most (the table must fit in memory).
const MAX_ROWS: usize = u32::MAX as usize;
/// Cells used to guess a column's kind.
const SAMPLE: usize = 100;

impl RecordsIndex {
    /// Builds an index from a CSV table with a header row, hashing the
    /// cells of `columns` (all columns whose kind can be guessed when
    /// empty) under `key`.
    ///
    /// # Errors
    ///
    /// [`IndexErrorKind::Input`] for malformed CSV, a named column that is
    /// not in the header or whose kind cannot be guessed, or no column to
    /// index.
    pub fn from_csv<R: Read>(
        reader: R,
        columns: &[ColumnSpec],
        key: &FingerprintKey,
    ) -> Result<RecordsIndex, IndexError> {
        let input = |m: String| IndexError::new(IndexErrorKind::Input, m);
        let mut csv = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(reader);
        let header: Vec<String> = csv
            .headers()
            .map_err(|e| input(format!("cannot read the CSV header: {e}")))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let mut rows: Vec<Vec<String>> = Vec::new();
        for rec in csv.records() {
            let rec = rec.map_err(|e| input(format!("bad CSV: {e}")))?;
            if rows.len() == MAX_ROWS {
                return Err(input("too many rows".into()));
            }
            rows.push(rec.iter().map(str::to_string).collect());
        }
        let sample = |c: usize| -> Vec<String> {
            rows.iter()
                .filter_map(|r| r.get(c).cloned())
                .filter(|s| !s.trim().is_empty())
                .take(SAMPLE)
                .collect()
        };
        // (position in the CSV, column)
        let mut chosen: Vec<(usize, Column)> = Vec::new();
        if columns.is_empty() {
            for (i, h) in header.iter().enumerate() {
                if let Some(kind) = ColumnKind::infer(h, &sample(i)) {
                    chosen.push((i, Column { name: h.as_str().into(), kind }));
                }
            }
        } else {
            for spec in columns {
                let i = header.iter().position(|h| *h == spec.name);
                let i = i.ok_or_else(|| {
                    input(format!(
                        "column {:?} is not in the CSV header ({})",
                        spec.name,
                        header.join(", ")
                    ))
                })?;
                let kind = spec
                    .kind
                    .or_else(|| ColumnKind::infer(&spec.name, &sample(i)))
                    .ok_or_else(|| {
                        input(format!(
                            "cannot tell the kind of column {:?}; name it, \
                             e.g. {}:id",
                            spec.name, spec.name
                        ))
                    })?;
                chosen.push((
                    i,
                    Column { name: spec.name.as_str().into(), kind },
                ));
            }
        }
        if chosen.is_empty() {
            return Err(input(
                "no column to index: name them with --columns \
                 (e.g. email,phone,customer_id:id)"
                    .into(),
            ));
        }
        if chosen.len() > u16::MAX as usize {
            return Err(input("too many columns".into()));
        }
        let hasher = ValueHasher::new(key);
        let mut entries: Vec<(u64, u32, u16)> = Vec::new();
        // The pre-filter's hashes, one per cell (repeats set no new bit).
        let mut quick: Vec<u64> = Vec::new();
        let mut form = Vec::new();
        let mut lengths = [0u64; 4];
        // The normal forms of the Han names.
        let mut han_names: Vec<Vec<u8>> = Vec::new();
        let mut lost_names = 0;
        for (row, cells) in rows.iter().enumerate() {
            for (c, (i, col)) in chosen.iter().enumerate() {
                let Some(cell) = cells.get(*i) else { continue };
                if tagged_form(col.kind, cell.as_bytes(), &mut form) {
                    entries.push((hasher.stored(&form), row as u32, c as u16));
                    quick.push(hasher.quick(&form));
                    let name = col.kind == ColumnKind::Name;
                    let han = name && han::all_han(&form[1..]);
                    if name && !may_be_found(&form[1..], han) {
                        lost_names += 1;
                    }
                    if han {
                        han_names.push(form[1..].to_vec());
                    } else {
                        lengths[col.kind as usize] |=
                            length_bit(form.len() - 1);
                    }
                }
            }
        }
        let han = han::HanFirst::build(
            han_names.iter().map(|n| &n[..]),
            &hasher.quick,
        );
        entries.sort_unstable();
        entries.dedup();
        // Sized by the distinct stored values, which a loaded file can
        // count too.
        let filter = Prefilter::build(distinct(&entries), quick);
        let columns: Vec<Column> =
            chosen.into_iter().map(|(_, c)| c).collect();
        let mut index = RecordsIndex::assemble(
            key.clone(),
            rows.len() as u32,
            columns,
            (lengths, han),
            entries,
            filter,
        );
        index.lost_names = lost_names;
        Ok(index)
    }

    fn assemble(
        key: FingerprintKey,
        rows: u32,
        columns: Vec<Column>,
        (lengths, han): ([u64; 4], Option<han::HanFirst>),
        entries: Vec<(u64, u32, u16)>,
        filter: Prefilter,
    ) -> RecordsIndex {
        let mut kinds = [false; 4];
        for c in &columns {
            kinds[c.kind as usize] = true;
        }
        RecordsIndex {
            key,
            rows,
            columns,
            table: SortedHashes::new(entries.iter().map(|e| e.0).collect()),
            cells: entries.iter().map(|e| (e.1, e.2)).collect(),
            filter,
            kinds,
            lengths,
            han,
            lost_names: 0,
        }
    }

    /// Rows of the table it was built from.
    pub fn rows(&self) -> usize {
        self.rows as usize
    }

    /// Indexed columns: names and kinds.
    pub fn columns(&self) -> impl Iterator<Item = (&str, ColumnKind)> {
        self.columns.iter().map(|c| (&*c.name, c.kind))
    }

    /// Name cells of the table that no scan can find, though they are
    /// stored: a scan looks for two or three ASCII words, or two to six
    /// Han characters, so a name of one word or of four, with a letter
    /// outside ASCII (`José García`), mixing scripts (`王 Wang`,
    /// `阿卜杜拉·艾买提`) or of seven Han characters is never found. Counted
    /// when the index is built from a table; 0 for a loaded one.
    pub fn lost_names(&self) -> usize {
        self.lost_names
    }

    /// Stored cell hashes.
    pub fn cells(&self) -> usize {
        self.table.len()
    }

    pub(crate) fn column(&self, c: u16) -> &Column {
        &self.columns[c as usize]
    }

    /// Bits of [`length_bit`] for the lengths of `kind`'s normal forms
    /// (of names, those not of Han characters).
    pub(crate) fn lengths(&self, kind: ColumnKind) -> u64 {
        self.lengths[kind as usize]
    }

    /// The first characters of the Han names, if there is one.
    pub(crate) fn han_first(&self) -> Option<&han::HanFirst> {
        self.han.as_ref()
    }

    pub(crate) fn hasher(&self) -> ValueHasher {
        ValueHasher::new(&self.key)
    }

    /// False when no stored value has pre-filter hash `h`
    /// ([`ValueHasher::quick`]).
    pub(crate) fn may_contain(&self, h: u64) -> bool {
        self.filter.may_contain(h)
    }

    /// The (row, column) cells holding hash `h`.
    #[cfg(test)]
    pub(crate) fn lookup(&self, h: u64) -> &[(u32, u16)] {
        &self.cells[self.table.find(h)]
    }

    /// Where the cells holding hash `h` are, for [`RecordsIndex::cells_in`].
    pub(crate) fn find_cells(&self, h: u64) -> std::ops::Range<usize> {
        self.table.find(h)
    }

    /// The (row, column) cells of a range from
    /// [`RecordsIndex::find_cells`].
    pub(crate) fn cells_in(
        &self,
        at: std::ops::Range<usize>,
    ) -> &[(u32, u16)] {
        &self.cells[at]
    }

    /// The index in its file format (the key is not in it).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MAGIC, VERSION);
        for b in key_check(&self.key) {
            w.u8(b);
        }
        w.u32(self.rows);
        w.u16(self.columns.len() as u16);
        for c in &self.columns {
            w.u8(c.kind.tag());
            w.bytes(c.name.as_bytes());
        }
        for &l in &self.lengths {
            w.u64(l);
        }
        let words = self.han.as_ref().map_or(&[][..], |h| h.words());
        w.u32(words.len() as u32);
        for &word in words {
            w.u64(word);
        }
        if let Some(han) = &self.han {
            w.u64(han.lengths());
        }
        w.u64(self.table.len() as u64);
        for &h in self.table.hashes() {
            w.u64(h);
        }
        for &(row, col) in &self.cells {
            w.u32(row);
            w.u16(col);
        }
        for &word in self.filter.words() {
            w.u64(word);
        }
        w.finish()
    }

    /// Parses an index file's bytes; `key` must be the key it was made
    /// with.
    ///
    /// # Errors
    ///
    /// [`IndexErrorKind::NotAnIndex`], [`IndexErrorKind::Version`],
    /// [`IndexErrorKind::Corrupt`] or [`IndexErrorKind::WrongKey`].
    pub fn from_bytes(
        bytes: &[u8],
        key: &FingerprintKey,
    ) -> Result<RecordsIndex, IndexError> {
        let mut r = Reader::open(bytes, MAGIC, VERSION, "records")?;
        let mut check = [0u8; 16];
        for b in &mut check {
            *b = r.u8()?;
        }
        let rows = r.u32()?;
        let ncol = r.u16()?;
        let mut columns = Vec::new();
        for _ in 0..ncol {
            let kind = r.u8()?;
            let kind = *ColumnKind::ALL
                .get(kind as usize)
                .ok_or_else(|| r.corrupt("bad column kind"))?;
            let name = String::from_utf8_lossy(r.bytes()?).into_owned();
            columns.push(Column { name: name.into(), kind });
        }
        let mut lengths = [0u64; 4];
        for l in &mut lengths {
            *l = r.u64()?;
        }
        let han_words = match r.u32()? as usize {
            0 => None,
            han::WORDS => {
                let raw = r.array(han::WORDS as u64, 8)?;
                let words: Vec<u64> = raw
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().expect("8")))
                    .collect();
                Some((words, r.u64()?))
            }
            _ => return Err(r.corrupt("bad Han name bitmap size")),
        };
        let n = r.u64()?;
        let hashes = r.sorted_hashes(n)?;
        let raw = r.array(n, 6)?;
        let mut entries = Vec::with_capacity(hashes.len());
        for (h, c) in hashes.into_iter().zip(raw.chunks_exact(6)) {
            let row = u32::from_le_bytes(c[..4].try_into().expect("4"));
            let col = u16::from_le_bytes(c[4..].try_into().expect("2"));
            if row >= rows || col >= ncol {
                return Err(r.corrupt("cell out of range"));
            }
            entries.push((h, row, col));
        }
        let distinct = distinct(&entries);
        let raw = r.array(Prefilter::words_for(distinct), 8)?;
        let words = raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8")))
            .collect();
        let filter = Prefilter::from_words(distinct, words)
            .ok_or_else(|| r.corrupt("bad pre-filter size"))?;
        r.end()?;
        if check != key_check(key) {
            return Err(IndexError::new(
                IndexErrorKind::WrongKey,
                "records index was made with another key; use the key file \
                 it was built with"
                    .into(),
            ));
        }
        let han = han_words.map(|(words, lengths)| {
            han::HanFirst::from_words(
                words,
                lengths,
                &ValueHasher::new(key).quick,
            )
        });
        Ok(RecordsIndex::assemble(
            key.clone(),
            rows,
            columns,
            (lengths, han),
            entries,
            filter,
        ))
    }

    /// Reads an index file.
    ///
    /// # Errors
    ///
    /// [`IndexErrorKind::Io`] when it cannot be read, else as
    /// [`RecordsIndex::from_bytes`]; the message names the file.
    pub fn load(
        path: &Path,
        key: &FingerprintKey,
    ) -> Result<RecordsIndex, IndexError> {
        let bytes = read_file(path, "records")?;
        RecordsIndex::from_bytes(&bytes, key).map_err(|e| {
            IndexError::new(e.kind(), format!("{}: {e}", path.display()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "customer_id,full_name,email,phone,city\n\
        CUST-0001,Alice Johnson,alice.johnson@example.com,+1 (555) 010-2345,Springfield\n\
        CUST-0002,Bob Lee,BOB@example.org,555.010.9999,Shelbyville\n";

    fn key() -> FingerprintKey {
        FingerprintKey::from_bytes([4; 32])
    }

    #[test]
    fn normalization() {
        use ColumnKind::*;
        assert_eq!(
            normalize(Email, " Bob@Example.ORG ").unwrap(),
            "bob@example.org"
        );
        assert_eq!(normalize(Email, "not an email"), None);
        assert_eq!(
            normalize(Phone, "+1 (555) 010-2345").unwrap(),
            "5550102345"
        );
        assert_eq!(normalize(Phone, "555.010.2345").unwrap(), "5550102345");
        assert_eq!(normalize(Phone, "12"), None);
        assert_eq!(normalize(Id, "cust-0001").unwrap(), "CUST0001");
        assert_eq!(normalize(Id, "abcd"), None);
        assert_eq!(
            normalize(Name, " Alice   JOHNSON ").unwrap(),
            "alice johnson"
        );
        // Han names: the characters without spaces, two or more.
        assert_eq!(normalize(Name, " 王 小明 ").unwrap(), "王小明");
        assert_eq!(normalize(Name, "李娜").unwrap(), "李娜");
        assert_eq!(normalize(Name, "王"), None);
        assert_eq!(normalize(Name, "王 Wang").unwrap(), "王 wang");
    }

    proptest::proptest! {
        /// The in-place forms of ASCII text are [`normalize`]'s, tagged.
        #[test]
        fn tagged_forms_are_the_normal_forms(
            text in "[ \t\n\x0b\x0c\r@.+()\\-_/'aAzZ09é]{0,24}",
            kind in 0usize..4,
        ) {
            let kind = ColumnKind::ALL[kind];
            let mut out = Vec::new();
            let ok = tagged_form(kind, text.as_bytes(), &mut out);
            match normalize(kind, &text) {
                Some(v) => {
                    proptest::prop_assert!(ok);
                    proptest::prop_assert_eq!(out[0], kind.tag());
                    proptest::prop_assert_eq!(&out[1..], v.as_bytes());
                }
                None => proptest::prop_assert!(!ok),
            }
        }
    }

    #[test]
    fn counts_the_names_no_scan_can_find() {
        let csv = "name\nAlice Johnson\nMary Ann Lee\n王小明\n李娜\n\
            Madonna\nJosé García\nAnne Marie de la Cruz\n王 Wang\n\
            阿卜杜拉·艾买提\n一二三四五六七\n";
        let idx = RecordsIndex::from_csv(csv.as_bytes(), &[], &key()).unwrap();
        assert_eq!(idx.cells(), 10);
        assert_eq!(idx.lost_names(), 6);
        let back = RecordsIndex::from_bytes(&idx.to_bytes(), &key()).unwrap();
        assert_eq!(back.lost_names(), 0);
    }

    #[test]
    fn older_versions_ask_for_a_rebuild() {
        for old in [1, 2, 3, 4, 5] {
            let mut w = Writer::new(MAGIC, old);
            w.u64(0);
            let e = RecordsIndex::from_bytes(&w.finish(), &key()).unwrap_err();
            assert_eq!(e.kind(), IndexErrorKind::Version);
            let msg = e.to_string();
            assert!(msg.contains(&format!("version {old} ")), "{msg}");
            assert!(msg.contains("reads version 6"), "{msg}");
            assert!(msg.contains("leakguard index records"), "{msg}");
        }
    }

    #[test]
    fn the_filter_passes_every_stored_value() {
        use ColumnKind::*;
        let idx = RecordsIndex::from_csv(CSV.as_bytes(), &[], &key()).unwrap();
        let back = RecordsIndex::from_bytes(&idx.to_bytes(), &key()).unwrap();
        let hasher = back.hasher();
        let values = [
            (Id, "CUST0001", (0, 0)),
            (Name, "alice johnson", (0, 1)),
            (Email, "alice.johnson@example.com", (0, 2)),
            (Phone, "5550102345", (0, 3)),
            (Id, "CUST0002", (1, 0)),
            (Name, "bob lee", (1, 1)),
            (Email, "bob@example.org", (1, 2)),
            (Phone, "5550109999", (1, 3)),
        ];
        for (kind, value, cell) in values {
            let tagged = ValueHasher::tagged(kind, value);
            assert!(back.may_contain(hasher.quick(&tagged)), "{value}");
            assert_eq!(back.lookup(hasher.stored(&tagged)), &[cell]);
        }
        // The two hashes are independent: the stored value is not the
        // filter's hash, and another kind's tag gives other hashes.
        let t = ValueHasher::tagged(Name, "alice johnson");
        assert_ne!(hasher.quick(&t), hasher.stored(&t));
        let other = ValueHasher::tagged(Id, "alice johnson");
        assert!(back.lookup(hasher.stored(&other)).is_empty());
        // The stored value is HMAC-SHA256 under the derived key, cut.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(
            &key().derive("records values v4"),
        )
        .unwrap();
        mac.update(&t);
        let tag = mac.finalize().into_bytes();
        assert_eq!(
            hasher.stored(&t),
            u64::from_le_bytes(tag[..8].try_into().unwrap())
        );
    }

    #[test]
    fn a_cut_or_resized_filter_is_corrupt() {
        let idx = RecordsIndex::from_csv(CSV.as_bytes(), &[], &key()).unwrap();
        let bytes = idx.to_bytes();
        // Rewrite the body without the filter's last word, with a valid
        // trailer: the size no longer fits the count of values.
        let body = &bytes[..bytes.len() - 32 - 8];
        let mut w = Writer::new(MAGIC, VERSION);
        for &b in &body[12..] {
            w.u8(b);
        }
        let e = RecordsIndex::from_bytes(&w.finish(), &key()).unwrap_err();
        assert_eq!(e.kind(), IndexErrorKind::Corrupt, "{e}");
    }

    #[test]
    fn builds_guessing_kinds_and_round_trips_without_plaintext() {
        let idx = RecordsIndex::from_csv(CSV.as_bytes(), &[], &key()).unwrap();
        let cols: Vec<_> =
            idx.columns().map(|(n, k)| (n.to_string(), k)).collect();
        assert_eq!(
            cols,
            [
                ("customer_id".to_string(), ColumnKind::Id),
                ("full_name".to_string(), ColumnKind::Name),
                ("email".to_string(), ColumnKind::Email),
                ("phone".to_string(), ColumnKind::Phone),
            ]
        );
        assert_eq!(idx.cells(), 8);
        let bytes = idx.to_bytes();
        for cell in [
            "CUST",
            "Alice",
            "alice",
            "johnson",
            "example",
            "5550102345",
            "0102345",
        ] {
            assert!(
                !bytes.windows(cell.len()).any(|w| w == cell.as_bytes()),
                "{cell}"
            );
        }
        let back = RecordsIndex::from_bytes(&bytes, &key()).unwrap();
        let t = ValueHasher::tagged(ColumnKind::Email, "bob@example.org");
        assert_eq!(back.lookup(back.hasher().stored(&t)), &[(1, 2)]);
        // The lengths of the normal forms, kind by kind: `CUST0001`,
        // `alice johnson` and `bob lee`, the two emails, 10 digits.
        let lengths = [
            (ColumnKind::Id, vec![8]),
            (ColumnKind::Name, vec![7, 13]),
            (ColumnKind::Email, vec![15, 25]),
            (ColumnKind::Phone, vec![10]),
        ];
        for (kind, want) in lengths {
            let bits = want.iter().fold(0, |m, &n| m | length_bit(n));
            assert_eq!(idx.lengths(kind), bits, "{kind:?}");
            assert_eq!(back.lengths(kind), bits, "{kind:?}");
        }
        let wrong = FingerprintKey::from_bytes([5; 32]);
        let e = RecordsIndex::from_bytes(&bytes, &wrong).unwrap_err();
        assert_eq!(e.kind(), IndexErrorKind::WrongKey);
    }

    #[test]
    fn named_columns_and_errors() {
        let spec = [
            ColumnSpec::parse("email").unwrap(),
            ColumnSpec::parse("city:name").unwrap(),
        ];
        let idx =
            RecordsIndex::from_csv(CSV.as_bytes(), &spec, &key()).unwrap();
        assert_eq!(idx.cells(), 4);
        let missing = [ColumnSpec::parse("nope").unwrap()];
        let e = RecordsIndex::from_csv(CSV.as_bytes(), &missing, &key())
            .unwrap_err();
        assert!(e.to_string().contains("\"nope\""), "{e}");
        assert!(ColumnSpec::parse("a:zip").is_err());
        let bad: &[u8] = b"a,b\n\xff\xfe,1\n";
        assert!(RecordsIndex::from_csv(bad, &[], &key()).is_err());
    }
}
