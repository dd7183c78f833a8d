//! Suppression: inline allow comments and secret allowlists.
//!
//! An inline marker (`leakguard:allow`, or any peer scanner's syntax) on the
//! line of a match, or on the line before it, drops the finding. The search
//! looks at most [`ALLOW_WINDOW`] bytes to either side of the match, so a
//! streaming scan can hold back enough bytes to decide exactly as a buffer
//! scan does.

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::RegexSet;

use crate::{
    finding::Span,
    rules::{RuleError, RuleErrorKind},
};

/// How far from a match an inline marker is looked for.
pub(crate) const ALLOW_WINDOW: usize = 1024;

/// Markers that suppress a finding on their line and the next, in
/// leakguard's own syntax and the syntaxes of other scanners, so existing
/// annotations keep working.
pub const INLINE_MARKERS: &[&str] = &[
    "leakguard:allow",
    "gitleaks:allow",
    "trufflehog:ignore",
    "kingfisher:ignore",
    "pragma: allowlist",
    "secretlint-disable-line",
    "secretlint-disable-next-line",
];

/// Compiled inline markers.
#[derive(Clone, Debug)]
pub(crate) struct InlineAllow {
    markers: AhoCorasick,
}

impl InlineAllow {
    pub(crate) fn new() -> InlineAllow {
        let markers = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(INLINE_MARKERS)
            .expect("a handful of literals always builds");
        InlineAllow { markers }
    }

    /// True when a marker sits on the line(s) of `m` or the line before,
    /// within [`ALLOW_WINDOW`] bytes of it.
    pub(crate) fn allows(&self, hay: &[u8], m: Span) -> bool {
        let lo = m.start.saturating_sub(ALLOW_WINDOW);
        let hi = (m.end + ALLOW_WINDOW).min(hay.len());
        // Start of the match's line, then of the line before it.
        let line_start = memchr::memrchr(b'\n', &hay[lo..m.start])
            .map_or(lo, |i| lo + i + 1);
        let prev_start = if line_start > lo {
            memchr::memrchr(b'\n', &hay[lo..line_start - 1])
                .map_or(lo, |i| lo + i + 1)
        } else {
            line_start
        };
        let line_end =
            memchr::memchr(b'\n', &hay[m.end..hi]).map_or(hi, |i| m.end + i);
        self.markers.is_match(&hay[prev_start..line_end])
    }
}

/// Secrets that are known not to matter (documentation values, test
/// fixtures), given as regexes that must match the whole secret.
#[derive(Clone, Debug)]
pub(crate) struct SecretAllowlist {
    set: RegexSet,
}

impl SecretAllowlist {
    pub(crate) fn new(
        patterns: &[String],
    ) -> Result<SecretAllowlist, RuleError> {
        let anchored: Vec<String> =
            patterns.iter().map(|p| format!("^(?:{p})$")).collect();
        let set = regex::bytes::RegexSetBuilder::new(&anchored)
            .unicode(false)
            .size_limit(16 << 20)
            .build()
            .map_err(|e| {
                RuleError::new(RuleErrorKind::Pattern(format!(
                    "allowlist regex: {e}"
                )))
            })?;
        Ok(SecretAllowlist { set })
    }

    pub(crate) fn allows(&self, secret: &[u8]) -> bool {
        self.set.is_match(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(hay: &str, needle: &str) -> bool {
        let start = hay.find(needle).unwrap();
        InlineAllow::new()
            .allows(hay.as_bytes(), Span::new(start, start + needle.len()))
    }

    #[test]
    fn same_line_and_line_before() {
        assert!(allowed("k = SECRET # leakguard:allow\n", "SECRET"));
        assert!(allowed("// gitleaks:allow\nk = SECRET\n", "SECRET"));
        assert!(allowed(
            "x\n# pragma: allowlist nextline secret\nSECRET",
            "SECRET"
        ));
        assert!(allowed("k = SECRET // TruffleHog:Ignore", "SECRET"));
        assert!(!allowed("# leakguard:allow\nother\nk = SECRET\n", "SECRET"));
        assert!(!allowed("k = SECRET\n# leakguard:allow\n", "SECRET"));
        assert!(!allowed("k = SECRET\n", "SECRET"));
    }

    #[test]
    fn markers_further_than_the_window_do_not_count() {
        let far =
            format!("k = SECRET{} leakguard:allow", " ".repeat(ALLOW_WINDOW));
        assert!(!allowed(&far, "SECRET"));
        let near = format!("k = SECRET{} leakguard:allow", " ".repeat(10));
        assert!(allowed(&near, "SECRET"));
    }

    #[test]
    fn secret_allowlist_matches_whole_secret() {
        let a =
            SecretAllowlist::new(&["AKIA[A-Z0-9]{12}TEST".into()]).unwrap();
        assert!(a.allows(b"AKIA1234567890ABTEST"));
        assert!(!a.allows(b"xAKIA1234567890ABTEST"));
        assert!(SecretAllowlist::new(&["(".into()]).is_err());
    }
}
