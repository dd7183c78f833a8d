//! The finding model: what was found, where, and what to do about it.

use std::{fmt, ops::Index, sync::Arc};

use crate::records::ColumnKind;

/// A half-open range of byte offsets `[start, end)` into the scanned input.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// Creates a span.
    ///
    /// # Panics
    ///
    /// When `start > end`.
    pub fn new(start: usize, end: usize) -> Span {
        assert!(start <= end, "invalid span: {start} > {end}");
        Span { start, end }
    }

    /// Number of bytes covered.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no byte.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// True when the two spans share at least one byte.
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The span moved `by` bytes to the right.
    pub fn offset(self, by: usize) -> Span {
        Span { start: self.start + by, end: self.end + by }
    }
}

impl Index<Span> for [u8] {
    type Output = [u8];
    fn index(&self, span: Span) -> &[u8] {
        &self[span.start..span.end]
    }
}

macro_rules! name_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The lowercase name used in rule files, config and reports.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            /// Parses the lowercase name used in rule files and config.
            pub fn from_name(name: &str) -> Option<$name> {
                match name { $($s => Some($name::$v),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

name_enum!(
    /// What kind of data a rule finds.
    Category {
        /// Credentials: API keys, tokens, private keys, passwords.
        Secret => "secret",
        /// Personal and customer data: cards, IDs, phones, emails.
        Pii => "pii",
        /// Rules written by the user for their own data.
        Custom => "custom",
        /// The company's own source code, matched against a code
        /// fingerprint index.
        Code => "code",
        /// One of the company's customer records, matched against a hashed
        /// records index.
        Record => "record",
    }
);

name_enum!(
    /// How bad a leak of this kind is.
    Severity {
        /// Worth knowing.
        Low => "low",
        /// Should be fixed.
        Medium => "medium",
        /// A usable credential or personal record.
        High => "high",
        /// Broad access: cloud root keys, private keys.
        Critical => "critical",
    }
);

name_enum!(
    /// How sure a rule is that a match is real.
    Confidence {
        /// Generic or entropy-only rules: false alarms are expected.
        Low => "low",
        /// A distinctive format: a match is almost surely real.
        High => "high",
    }
);

name_enum!(
    /// What the policy decided to do with a finding.
    Action {
        /// Dropped: neither reported nor acted on.
        Allow => "allow",
        /// Reported, but does not fail a scan or change a payload.
        Report => "report",
        /// Replaced by a placeholder in the output.
        Redact => "redact",
        /// Stops the payload, commit or scan (exit status 1).
        Block => "block",
    }
);

/// A keyed fingerprint of a secret: the first 16 bytes of
/// HMAC-SHA256(key, rule id ‖ 0 ‖ secret).
///
/// It identifies the same secret across reports and runs that share the
/// key, without revealing it; see [`FingerprintKey`](crate::FingerprintKey).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(pub [u8; 16]);

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// One confirmed match of a rule in the input.
///
/// A finding never holds the secret itself: only its position, a masked
/// preview and a keyed fingerprint. Its `Debug` and `Display` are therefore
/// safe to log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub(crate) rule_index: usize,
    pub(crate) rule_id: Arc<str>,
    pub(crate) category: Category,
    pub(crate) severity: Severity,
    pub(crate) confidence: Confidence,
    pub(crate) span: Span,
    pub(crate) secret: Span,
    pub(crate) line: u64,
    pub(crate) column: u64,
    pub(crate) preview: String,
    pub(crate) fingerprint: Fingerprint,
    pub(crate) action: Action,
    /// What an index matched (code and record findings only).
    pub(crate) index_match: Option<Arc<IndexMatch>>,
}

impl Finding {
    /// The id of the rule that matched, e.g. `aws-access-key-id`.
    pub fn rule_id(&self) -> &str {
        &self.rule_id
    }

    /// Position of the rule in the [`RuleSet`](crate::RuleSet).
    pub fn rule_index(&self) -> usize {
        self.rule_index
    }

    /// The rule's category.
    pub fn category(&self) -> Category {
        self.category
    }

    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The rule's confidence tier.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }

    /// Byte span of the whole match (the secret and its context, such as
    /// `password = `).
    pub fn span(&self) -> Span {
        self.span
    }

    /// Byte span of the secret itself: what redaction replaces.
    pub fn secret_span(&self) -> Span {
        self.secret
    }

    /// 1-based line of the secret's first byte.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// 1-based byte column of the secret's first byte within its line.
    pub fn column(&self) -> u64 {
        self.column
    }

    /// A masked preview such as `AKIA…W5FG`, never the whole secret.
    pub fn preview(&self) -> &str {
        &self.preview
    }

    /// Keyed fingerprint of rule and secret.
    pub fn fingerprint(&self) -> Fingerprint {
        self.fingerprint
    }

    /// What the policy decided.
    pub fn action(&self) -> Action {
        self.action
    }

    /// What the code or records index matched; `None` for rule findings.
    pub fn index_match(&self) -> Option<&IndexMatch> {
        self.index_match.as_deref()
    }

    /// Overrides the action (for callers that apply their own policy).
    pub fn set_action(&mut self, action: Action) {
        self.action = action;
    }

    /// Moves the finding `by` bytes to the right, for callers that scan a
    /// region of a larger input.
    pub fn shift(&mut self, by: usize) {
        self.span = self.span.offset(by);
        self.secret = self.secret.offset(by);
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} {} ({}, {}) {} [{}]",
            self.line,
            self.column,
            self.rule_id,
            self.category,
            self.severity,
            self.preview,
            self.action
        )
    }
}

/// What an index matched, for findings of category `code` and `record`.
///
/// It names indexed files and columns, never the matched text, so it is as
/// safe to log as the rest of a [`Finding`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexMatch {
    /// A region copied from indexed code.
    Code {
        /// Up to three indexed files with the most matching k-grams, best
        /// first: plain paths or `#id (path sha256:…)`, as the index
        /// stores them.
        files: Vec<Arc<str>>,
        /// Tokens of the region covered by indexed k-grams.
        tokens: u32,
        /// Lines the region spans.
        lines: u32,
        /// Covered tokens per thousand tokens of the region.
        share_permille: u16,
    },
    /// A value of one customer record.
    Record {
        /// The column it matched.
        column: Arc<str>,
        /// How that column is normalized.
        kind: ColumnKind,
        /// Row of the record in the indexed table (0-based, header
        /// excluded).
        row: u32,
        /// Columns of that row found within a few hundred bytes,
        /// this one included.
        columns: u16,
    },
}

impl fmt::Display for IndexMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexMatch::Code { files, tokens, lines, .. } => {
                write!(f, "{tokens} tokens, {lines} lines of ")?;
                for (i, file) in files.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{file}")?;
                }
                Ok(())
            }
            IndexMatch::Record { column, row, columns, .. } => {
                write!(f, "column {column} of row {row}")?;
                if *columns > 1 {
                    write!(f, " ({columns} columns of the row nearby)")?;
                }
                Ok(())
            }
        }
    }
}

/// A masked preview of a secret: at most a fifth of it, and at most four
/// characters, from each end, e.g. `AKIA…W5FG` for a 20-byte key and `…`
/// for anything shorter than five characters.
pub fn mask_preview(secret: &[u8]) -> String {
    if secret.is_ascii() {
        // One byte per char: no list of chars to collect.
        let keep = (secret.len() / 5).min(4);
        let mut out = String::with_capacity(keep * 2 + 3);
        let shown =
            secret[..keep].iter().chain(&secret[secret.len() - keep..]);
        for (i, &b) in shown.enumerate() {
            if i == keep {
                out.push('…');
            }
            out.push(printable(char::from(b)));
        }
        if keep == 0 {
            out.push('…');
        }
        return out;
    }
    let text = String::from_utf8_lossy(secret);
    let chars: Vec<char> = text.chars().collect();
    let keep = (chars.len() / 5).min(4);
    let mut out = String::with_capacity(keep * 2 + 3);
    out.extend(chars[..keep].iter().map(|&c| printable(c)));
    out.push('…');
    out.extend(chars[chars.len() - keep..].iter().map(|&c| printable(c)));
    out
}

/// Control characters in a preview would let input steer a terminal.
fn printable(c: char) -> char {
    if c.is_control() {
        '?'
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_never_shows_more_than_two_fifths() {
        assert_eq!(mask_preview(b"AKIAZ3MSJV4WWNKWW5FG"), "AKIA…W5FG");
        assert_eq!(mask_preview(b"hunter2pass"), "hu…ss");
        assert_eq!(mask_preview(b"abcd"), "…");
        assert_eq!(mask_preview(b""), "…");
        for n in 0..200 {
            let s = "k".repeat(n);
            let p = mask_preview(s.as_bytes());
            let shown = p.chars().filter(|&c| c == 'k').count();
            assert!(shown * 5 <= n * 2, "{n}: {p}");
        }
    }

    proptest::proptest! {
        /// ASCII previews, made without a list of chars, are the ones the
        /// general path makes.
        #[test]
        fn ascii_previews_are_the_general_ones(
            s in "[\\x00-\\x7f]{0,40}",
        ) {
            let chars: Vec<char> = s.chars().collect();
            let keep = (chars.len() / 5).min(4);
            let want: String = chars[..keep]
                .iter()
                .chain(['…'].iter())
                .chain(&chars[chars.len() - keep..])
                .map(|&c| printable(c))
                .collect();
            proptest::prop_assert_eq!(mask_preview(s.as_bytes()), want);
        }
    }

    #[test]
    fn preview_masks_control_bytes_and_invalid_utf8() {
        let p = mask_preview(b"\x1b[31mAAAAAAAAAAAAAAAAAAA\xff");
        assert!(!p.contains('\x1b'));
        assert!(p.starts_with("?[3"));
    }

    #[test]
    #[should_panic]
    fn span_rejects_inverted_range() {
        Span::new(3, 2);
    }

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_name(c.as_str()), Some(*c));
        }
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.as_str()), Some(*a));
        }
        assert_eq!(Severity::from_name("urgent"), None);
    }
}
