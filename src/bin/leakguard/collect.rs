//! Gathers findings per file, from a directory walk or from git changes,
//! with path allowlists and the baseline applied.

use std::{
    fs::File,
    io::{self, Read},
    path::Path,
    sync::{
        atomic::{AtomicU64, Ordering::Relaxed},
        Mutex,
    },
};

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};
use leakguard::{
    payload::{Format, Inspector},
    Action, Baseline, Finding, RedactStyle, Scanner, Scratch, StreamScanner,
};

use crate::git::{self, Changes};

/// Files up to this size are read whole and scanned as one buffer; larger
/// ones are streamed. A buffer scan holds all its findings at once, and a
/// hostile file can hold one per byte (~150 bytes each), so this also
/// bounds what one walker thread holds; the stream hands findings over as
/// they settle, and the per-file cap below applies as they come.
const READ_WHOLE: u64 = 64 << 10;
/// Findings kept per file; the rest are counted and reported as an error,
/// so a file of millions of matches cannot exhaust memory.
pub const MAX_FINDINGS_PER_FILE: usize = 10_000;
/// JSON documents are scanned string by string decoded (as the proxy
/// reads bodies), so escapes such as `\"` or `\u0041` in a saved chat, a
/// notebook or a config do not hide a value. That needs the whole file,
/// its decoded view (at most 4x the file) and all its findings at once,
/// hence a cap of its own; bigger JSON files stream as text.
const JSON_EXTENSIONS: [&str; 4] = ["json", "jsonl", "ndjson", "ipynb"];
const READ_WHOLE_JSON: u64 = 1 << 20;
/// A NUL byte in the first this many bytes marks a file as binary.
const BINARY_PROBE: usize = 8 << 10;

/// Counters shown in the summary and the progress line.
#[derive(Default)]
pub struct Counts {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
    pub binary: AtomicU64,
    pub findings: AtomicU64,
    pub baselined: AtomicU64,
}

/// What to leave out.
pub struct Filters<'a> {
    pub allow_paths: Option<&'a GlobSet>,
    pub baseline: Option<&'a Baseline>,
}

impl Filters<'_> {
    fn path_allowed(&self, path: &str) -> bool {
        self.allow_paths.is_some_and(|g| g.is_match(path))
    }

    /// Keeps a finding unless it is allowed or baselined.
    fn keep(
        &self,
        f: &Finding,
        path: &str,
        secret: &[u8],
        c: &Counts,
    ) -> bool {
        if f.action() == Action::Allow {
            return false;
        }
        if self.baseline.is_some_and(|b| b.contains(f, path, secret)) {
            c.baselined.fetch_add(1, Relaxed);
            return false;
        }
        true
    }
}

/// Findings of one file, in order.
pub struct FileFindings {
    pub path: String,
    pub findings: Vec<Finding>,
    /// The secret bytes of each finding, only when asked for (baselines).
    pub secrets: Vec<Vec<u8>>,
    /// Findings past [`MAX_FINDINGS_PER_FILE`], not kept.
    pub dropped: u64,
}

impl FileFindings {
    fn new(path: &str) -> FileFindings {
        FileFindings {
            path: path.to_string(),
            findings: Vec::new(),
            secrets: Vec::new(),
            dropped: 0,
        }
    }

    /// Keeps `f` (and, when asked, its secret) unless it is allowed or
    /// baselined.
    fn offer(
        &mut self,
        f: Finding,
        secret: &[u8],
        filters: &Filters<'_>,
        counts: &Counts,
        keep_secrets: bool,
    ) {
        if filters.keep(&f, &self.path, secret, counts) {
            if self.findings.len() >= MAX_FINDINGS_PER_FILE {
                self.dropped += 1;
                return;
            }
            if keep_secrets {
                self.secrets.push(secret.to_vec());
            }
            self.findings.push(f);
        }
    }

    /// Counts what was kept; `None` when nothing was.
    fn finish(self, counts: &Counts) -> Option<FileFindings> {
        counts.findings.fetch_add(self.findings.len() as u64, Relaxed);
        (!self.findings.is_empty()).then_some(self)
    }
}

/// The result of a collection.
pub struct Collected {
    pub files: Vec<FileFindings>,
    pub errors: Vec<String>,
}

/// Path as shown and as matched: relative, `/`, no leading `./`.
fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// The error for a file whose findings passed the cap.
pub fn too_many(ff: &FileFindings) -> String {
    format!(
        "{}: {} more findings not reported (at most {} per file)",
        ff.path, ff.dropped, MAX_FINDINGS_PER_FILE
    )
}

pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_PROBE)].contains(&0)
}

/// Scans the files under `paths` in parallel.
pub fn walk(
    scanner: &Scanner,
    walk: WalkBuilder,
    filters: &Filters<'_>,
    counts: &Counts,
    keep_secrets: bool,
) -> Collected {
    let results: Mutex<Vec<FileFindings>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    walk.build_parallel().run(|| {
        let (results, errors) = (&results, &errors);
        let mut scratch = scanner.scratch();
        let mut buf = Vec::new();
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    errors.lock().unwrap().push(e.to_string());
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = display(entry.path());
            if filters.path_allowed(&path) {
                return WalkState::Continue;
            }
            match scan_file(
                scanner,
                &mut scratch,
                &mut buf,
                entry.path(),
                &path,
                filters,
                counts,
                keep_secrets,
            ) {
                Ok(Some(ff)) => {
                    if ff.dropped > 0 {
                        errors.lock().unwrap().push(too_many(&ff));
                    }
                    results.lock().unwrap().push(ff)
                }
                Ok(None) => {}
                Err(e) => errors.lock().unwrap().push(format!("{path}: {e}")),
            }
            WalkState::Continue
        })
    });
    let mut files = results.into_inner().unwrap();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut errors = errors.into_inner().unwrap();
    errors.sort();
    Collected { files, errors }
}

#[allow(clippy::too_many_arguments)]
fn scan_file(
    scanner: &Scanner,
    scratch: &mut Scratch,
    buf: &mut Vec<u8>,
    fs_path: &Path,
    path: &str,
    filters: &Filters<'_>,
    counts: &Counts,
    keep_secrets: bool,
) -> io::Result<Option<FileFindings>> {
    let mut file = File::open(fs_path)?;
    let len = file.metadata()?.len();
    let mut kept = FileFindings::new(path);
    let json = fs_path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        JSON_EXTENSIONS.iter().any(|j| e.eq_ignore_ascii_case(j))
    });
    if len <= READ_WHOLE || (json && len <= READ_WHOLE_JSON) {
        buf.clear();
        file.read_to_end(buf)?;
        if is_binary(buf) {
            counts.binary.fetch_add(1, Relaxed);
            return Ok(None);
        }
        let found = if json {
            Inspector::new(scanner, RedactStyle::Placeholder)
                .inspect(Format::Json, buf, scratch)
                .into_findings()
        } else {
            let mut found = Vec::new();
            scanner.scan_with(scratch, buf, &mut found);
            found
        };
        for f in found {
            let span = f.secret_span();
            kept.offer(
                f,
                &buf[span.start..span.end],
                filters,
                counts,
                keep_secrets,
            );
        }
    } else {
        let mut head = vec![0u8; BINARY_PROBE];
        let n = read_up_to(&mut file, &mut head)?;
        head.truncate(n);
        if is_binary(&head) {
            counts.binary.fetch_add(1, Relaxed);
            return Ok(None);
        }
        let reader = io::Cursor::new(head).chain(file);
        StreamScanner::new(scanner).scan_with_secrets(
            reader,
            |f, secret| {
                kept.offer(f.clone(), secret, filters, counts, keep_secrets)
            },
        )?;
    }
    counts.files.fetch_add(1, Relaxed);
    counts.bytes.fetch_add(len, Relaxed);
    Ok(kept.finish(counts))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Scans what a set of git changes adds: each file's diff excerpt (added
/// lines with one line of context), keeping findings on added lines. Paths
/// are relative to the repository root.
pub fn git_changes(
    scanner: &Scanner,
    root: &Path,
    which: &Changes,
    filters: &Filters<'_>,
    counts: &Counts,
    keep_secrets: bool,
) -> anyhow::Result<Collected> {
    let mut scratch = scanner.scratch();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut found = Vec::new();
    for change in git::changes(root, which)? {
        if change.deleted || change.added.is_empty() {
            continue;
        }
        if filters.path_allowed(&change.path) {
            continue;
        }
        let text = change.text();
        if change.binary || is_binary(text) {
            counts.binary.fetch_add(1, Relaxed);
            continue;
        }
        counts.files.fetch_add(1, Relaxed);
        counts.bytes.fetch_add(text.len() as u64, Relaxed);
        change.scan_added(scanner, &mut scratch, &mut found);
        let mut kept = FileFindings::new(&change.path);
        for f in found.drain(..) {
            let span = f.secret_span();
            let secret = &text[span.start..span.end];
            kept.offer(f, secret, filters, counts, keep_secrets);
        }
        if kept.dropped > 0 {
            errors.push(too_many(&kept));
        }
        files.extend(kept.finish(counts));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Collected { files, errors })
}
