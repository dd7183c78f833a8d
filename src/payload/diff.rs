//! Unified diffs (`git diff -U1`): which lines each file adds, and an
//! excerpt of the new file to scan.
//!
//! The excerpt holds every hunk's new-side lines (added and context) in
//! order; hunks that are not adjacent are separated by an empty line, so no
//! match can join them. With one line of context, the line before each added
//! run is there for inline allow comments, and no other read of the file is
//! needed. Parsing is a pure function over bytes: paths may be any bytes git
//! allows (spaces, Unicode, C-quoted names), lines need not be UTF-8, and
//! malformed input yields what could be understood, never a panic.

use std::ops::Range;

use crate::{
    finding::Finding,
    scan::{Scanner, Scratch},
};

/// What a diff adds to one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileChange {
    /// Path in the new tree (lossy UTF-8 for display).
    pub path: String,
    /// Object id of the new blob (from the `index` line), if present.
    pub blob: Option<String>,
    /// Added lines of the new file, 1-based, as merged half-open ranges.
    pub added: Vec<Range<u64>>,
    /// Git reported a binary difference.
    pub binary: bool,
    /// The file is deleted in the new tree.
    pub deleted: bool,
    /// The excerpt: new-side lines of every hunk, each ending in `\n`.
    text: Vec<u8>,
    /// For each excerpt line, its 1-based line in the new file (0 for the
    /// separators between hunks).
    line_map: Vec<u64>,
}

impl FileChange {
    /// True when any line in `lines` (1-based, inclusive start, exclusive
    /// end) was added.
    pub fn adds_any(&self, lines: Range<u64>) -> bool {
        self.added.iter().any(|a| a.start < lines.end && lines.start < a.end)
    }

    /// The excerpt that [`FileChange::scan_added`] scans; finding spans
    /// are offsets into it.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// Scans the excerpt and keeps the findings whose secret touches an
    /// added line, with line numbers of the new file.
    pub fn scan_added(
        &self,
        scanner: &Scanner,
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
    ) {
        scanner.scan_with(scratch, &self.text, out);
        out.retain_mut(|f| {
            let first = f.line as usize;
            let span = f.secret_span();
            let newlines =
                memchr::memchr_iter(b'\n', &self.text[span.start..span.end])
                    .count();
            let lines = first..first + newlines + 1;
            let Some(mapped) = self.line_map.get(first - 1) else {
                return false;
            };
            let touches = self.line_map
                [lines.start - 1..(lines.end - 1).min(self.line_map.len())]
                .iter()
                .any(|&l| l != 0 && self.adds_any(l..l + 1));
            f.line = *mapped;
            touches && *mapped != 0
        });
    }
}

/// Parses a unified diff into one [`FileChange`] per file.
pub fn parse_diff(diff: &[u8]) -> Vec<FileChange> {
    let mut files: Vec<FileChange> = Vec::new();
    let mut line_no: u64 = 0;
    let mut in_hunk = false;
    for line in diff.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.starts_with(b"diff --git ") {
            files.push(FileChange {
                path: path_from_git_header(&line[11..]).unwrap_or_default(),
                ..FileChange::default()
            });
            in_hunk = false;
            continue;
        }
        let Some(file) = files.last_mut() else { continue };
        if in_hunk {
            match line.first() {
                Some(b'+') => {
                    push_line(&mut file.added, line_no);
                    file.push_text(line_no, &line[1..]);
                    line_no += 1;
                    continue;
                }
                Some(b' ') => {
                    file.push_text(line_no, &line[1..]);
                    line_no += 1;
                    continue;
                }
                Some(b'-') | Some(b'\\') => continue,
                _ => in_hunk = false,
            }
        }
        if let Some(rest) = line.strip_prefix(b"@@ ") {
            if let Some(start) = hunk_new_start(rest) {
                line_no = start;
                in_hunk = true;
            }
        } else if let Some(rest) = line.strip_prefix(b"+++ ") {
            if rest == b"/dev/null" {
                file.deleted = true;
            } else if let Some(p) = unquote(rest) {
                file.path = strip_prefix(&p, b"b/");
            }
        } else if let Some(rest) = line.strip_prefix(b"index ") {
            // `index <old>..<new>[ <mode>]`
            let ids = rest.split(|&b| b == b' ').next().unwrap_or_default();
            if let Some(dots) = ids.windows(2).position(|w| w == b"..") {
                let new = &ids[dots + 2..];
                if !new.is_empty() && new.iter().all(u8::is_ascii_hexdigit) {
                    file.blob =
                        Some(String::from_utf8_lossy(new).into_owned());
                }
            }
        } else if line.starts_with(b"Binary files ")
            || line.starts_with(b"GIT binary patch")
        {
            file.binary = true;
        } else if line.starts_with(b"deleted file mode") {
            file.deleted = true;
        } else if let Some(rest) = line.strip_prefix(b"rename to ") {
            if let Some(p) = unquote(rest) {
                file.path = String::from_utf8_lossy(&p).into_owned();
            }
        }
    }
    // Git writes hunks in order; a malformed diff may not, and the ranges
    // are promised sorted and disjoint.
    for file in &mut files {
        normalize(&mut file.added);
    }
    files
}

fn normalize(ranges: &mut Vec<Range<u64>>) {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<u64>> = Vec::with_capacity(ranges.len());
    for r in ranges.drain(..) {
        match out.last_mut() {
            Some(last) if r.start <= last.end => {
                last.end = last.end.max(r.end)
            }
            _ => out.push(r),
        }
    }
    *ranges = out;
}

impl FileChange {
    fn push_text(&mut self, line_no: u64, text: &[u8]) {
        // A gap in line numbers means a new hunk: separate it.
        if let Some(&last) = self.line_map.last() {
            if last != 0 && last + 1 != line_no {
                self.text.push(b'\n');
                self.line_map.push(0);
            }
        }
        self.text.extend_from_slice(text);
        self.text.push(b'\n');
        self.line_map.push(line_no);
    }
}

fn push_line(added: &mut Vec<Range<u64>>, line: u64) {
    match added.last_mut() {
        Some(last) if last.end == line => last.end = line + 1,
        _ => added.push(line..line + 1),
    }
}

/// `-a,b +c,d @@ ...` → `c`.
fn hunk_new_start(rest: &[u8]) -> Option<u64> {
    let plus = rest.iter().position(|&b| b == b'+')?;
    let digits: Vec<u8> = rest[plus + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// The `b/` path of a `diff --git a/X b/Y` header, when it can be told
/// apart (binary files have no `+++` line to take it from).
fn path_from_git_header(rest: &[u8]) -> Option<String> {
    if rest.first() == Some(&b'"') {
        // a/ is quoted: skip it, then take the second name.
        let end = closing_quote(rest)?;
        let second = rest.get(end + 2..)?;
        return unquote(second).map(|p| strip_prefix(&p, b"b/"));
    }
    // Unquoted names: "a/X b/X" where both halves are equal for
    // modifications; split in the middle.
    let n = rest.len();
    if n % 2 == 1 {
        let (a, b) = (&rest[..n / 2], &rest[n / 2 + 1..]);
        if a.strip_prefix(b"a/") == b.strip_prefix(b"b/") {
            return Some(strip_prefix(b, b"b/"));
        }
    }
    let pos = rest.windows(3).rposition(|w| w == b" b/")?;
    Some(strip_prefix(&rest[pos + 1..], b"b/"))
}

fn strip_prefix(p: &[u8], prefix: &[u8]) -> String {
    String::from_utf8_lossy(p.strip_prefix(prefix).unwrap_or(p)).into_owned()
}

fn closing_quote(s: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// A path as git prints it: plain (a trailing tab, added when the name has
/// spaces, is dropped) or C-quoted with `\t`, `\n`, `\"`, `\\` and octal
/// escapes.
fn unquote(s: &[u8]) -> Option<Vec<u8>> {
    if s.first() != Some(&b'"') {
        return Some(s.strip_suffix(b"\t").unwrap_or(s).to_vec());
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'"' => return Some(out),
            b'\\' => {
                let c = *s.get(i + 1)?;
                i += 2;
                match c {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'0'..=b'7' => {
                        let mut v = u32::from(c - b'0');
                        for _ in 0..2 {
                            match s.get(i) {
                                Some(d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(u8::try_from(v).ok()?);
                    }
                    other => out.push(other),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIFF: &str = "\
diff --git a/src/app.py b/src/app.py
index 1111111111111111111111111111111111111111..2222222222222222222222222222222222222222 100644
--- a/src/app.py
+++ b/src/app.py
@@ -3,0 +4,2 @@ def main():
+KEY = 'x'
+OTHER = 'y'
@@ -10 +12 @@
-old
+new
diff --git a/my file.txt b/my file.txt
new file mode 100644
index 0000000000000000000000000000000000000000..3333333333333333333333333333333333333333
--- /dev/null
+++ b/my file.txt\t
@@ -0,0 +1 @@
+hello
diff --git \"a/\\345\\256\\242\\346\\210\\267.txt\" \"b/\\345\\256\\242\\346\\210\\267.txt\"
index 4444444444444444444444444444444444444444..5555555555555555555555555555555555555555 100644
Binary files \"a/\\345\\256\\242\\346\\210\\267.txt\" and \"b/\\345\\256\\242\\346\\210\\267.txt\" differ
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index 6666666666666666666666666666666666666666..0000000000000000000000000000000000000000
--- a/gone.txt
+++ /dev/null
@@ -1 +0,0 @@
-bye
";

    #[test]
    fn parses_files_lines_blobs_and_odd_paths() {
        let files = parse_diff(DIFF.as_bytes());
        assert_eq!(files.len(), 4);
        assert_eq!(files[0].path, "src/app.py");
        assert_eq!(files[0].added, vec![4..6, 12..13]);
        assert_eq!(files[0].blob.as_deref(), Some(&"2".repeat(40)[..]));
        assert!(files[0].adds_any(5..6) && !files[0].adds_any(6..12));
        assert_eq!(files[1].path, "my file.txt");
        assert_eq!(files[1].added, vec![1..2]);
        assert_eq!(files[2].path, "客户.txt");
        assert!(files[2].binary && files[2].added.is_empty());
        assert!(files[3].deleted && files[3].added.is_empty());
        assert_eq!(files[0].text(), b"KEY = 'x'\nOTHER = 'y'\n\nnew\n");
        assert_eq!(files[0].line_map, vec![4, 5, 0, 12]);
    }

    /// Found by `cargo fuzz run diff`: hunks out of order.
    #[test]
    fn regression_unsorted_hunks() {
        let diff = include_bytes!("testdata/diff-crash-unsorted-hunks");
        for file in parse_diff(diff) {
            for w in file.added.windows(2) {
                assert!(w[0].end < w[1].start, "{:?}", file.added);
            }
        }
        let files = parse_diff(
            b"diff --git a/x b/x\n+++ b/x\n@@ -9 +9,2 @@\n+a\n+b\n@@ -1 +1 @@\n+c\n@@ -5 +10 @@\n+d\n",
        );
        assert_eq!(files[0].added, vec![1..2, 9..11]);
    }

    #[test]
    fn garbage_never_panics() {
        for s in [
            &b"@@ -1 +x @@\n+a"[..],
            b"diff --git \"a/\\",
            b"diff --git \n+++ \"b/\\777\"\n@@ -0,0 +99999999999999999999 @@\n+x",
            b"\xff\xfe+++ b/x\n",
        ] {
            let _ = parse_diff(s);
        }
    }
}
