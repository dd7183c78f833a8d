//! Suppression: inline allow comments and secret allowlists.
//!
//! An inline marker (`leakguard:allow`, or any peer scanner's syntax) on the
//! line of a match, or on the line before it, drops the finding. The search
//! looks at most [`ALLOW_WINDOW`] bytes to either side of the match, so a
//! streaming scan can hold back enough bytes to decide exactly as a buffer
//! scan does.

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

/// Inline markers, each found from its first `:` or `-`.
///
/// Every marker holds a `:` or a `-`, so the search jumps from one such
/// byte to the next (`memchr2`) and compares the markers around it, ASCII
/// case-insensitively. An Aho-Corasick automaton over the case-folded
/// markers has no byte rare enough to skip by and read every byte (about
/// 380 MB/s on prompt text); prompts have a `:` or `-` every few dozen
/// bytes, and only there is anything compared.
#[derive(Clone, Debug)]
pub(crate) struct InlineAllow {
    /// Each marker, lowercase, with the offset of its first `:` or `-`.
    markers: Vec<(&'static [u8], usize)>,
}

impl InlineAllow {
    pub(crate) fn new() -> InlineAllow {
        let markers = INLINE_MARKERS
            .iter()
            .map(|m| {
                let m = m.as_bytes();
                let sep = m
                    .iter()
                    .position(|&b| matches!(b, b':' | b'-'))
                    .expect("every marker holds a `:` or a `-`");
                (m, sep)
            })
            .collect();
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
        self.holds_marker(&hay[prev_start..line_end])
    }

    /// Whether a marker lies wholly in `text`.
    fn holds_marker(&self, text: &[u8]) -> bool {
        memchr::memchr2_iter(b':', b'-', text).any(|p| {
            self.markers.iter().any(|&(marker, sep)| {
                marker[sep] == text[p]
                    && p >= sep
                    && text
                        .get(p - sep..p - sep + marker.len())
                        .is_some_and(|t| t.eq_ignore_ascii_case(marker))
            })
        })
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

    proptest::proptest! {
        /// The search from separators finds a marker exactly where a
        /// comparison at every position does: texts built of marker
        /// pieces, whole markers in mixed case, separators and filler.
        #[test]
        fn markers_are_found_as_a_byte_by_byte_search_finds_them(
            parts in proptest::collection::vec(
                (0..INLINE_MARKERS.len(), 0usize..40, 0usize..40, 0u8..4),
                0..8,
            ),
            flips in proptest::collection::vec(proptest::bool::ANY, 64),
        ) {
            let mut text = Vec::new();
            for (k, a, b, glue) in parts {
                let m = INLINE_MARKERS[k].as_bytes();
                let (a, b) = (a.min(m.len()), b.min(m.len()));
                let piece = &m[a.min(b)..a.max(b)];
                let whole = glue == 0;
                let bytes = if whole { m } else { piece };
                for (i, &c) in bytes.iter().enumerate() {
                    let flip = flips[i % flips.len()];
                    text.push(if flip { c.to_ascii_uppercase() } else { c });
                }
                text.extend_from_slice(match glue {
                    1 => b":",
                    2 => b"- ",
                    _ => b"x",
                });
            }
            let naive = INLINE_MARKERS.iter().any(|m| {
                text.windows(m.len())
                    .any(|w| w.eq_ignore_ascii_case(m.as_bytes()))
            });
            proptest::prop_assert_eq!(
                InlineAllow::new().holds_marker(&text),
                naive
            );
        }
    }

    #[test]
    fn every_marker_is_found_alone_and_cut_short_is_not() {
        let allow = InlineAllow::new();
        for m in INLINE_MARKERS {
            assert!(allow.holds_marker(m.as_bytes()), "{m}");
            assert!(allow.holds_marker(m.to_uppercase().as_bytes()), "{m}");
            assert!(!allow.holds_marker(&m.as_bytes()[1..]), "{m}");
            assert!(!allow.holds_marker(&m.as_bytes()[..m.len() - 1]), "{m}");
        }
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
