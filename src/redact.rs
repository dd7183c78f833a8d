//! Redaction: replacing the secret bytes of findings in the output.

use std::collections::HashMap;
use std::sync::Arc;

use crate::finding::{Action, Finding, Fingerprint, Span};

/// How a redacted secret is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RedactStyle {
    /// `[REDACTED:aws-access-key-id:1]`: says what was there; the same value
    /// gets the same number within one input, different values different
    /// numbers.
    #[default]
    Placeholder,
    /// One `*` per character of the secret.
    Mask,
    /// `[REDACTED:aws-access-key-id:3f9a1c2e]`: the start of the keyed
    /// fingerprint, stable across inputs that share the key.
    Hash,
}

/// Groups of overlapping secrets are cut at this length, so that a chain of
/// overlapping matches cannot make a stream hold back without bound.
pub(crate) const MAX_GROUP: usize = 64 << 10;

/// Turns findings into replacements, keeping placeholder numbers consistent
/// across one input (one buffer or one stream).
///
/// Use one `Redactor` per input: numbering restarts with each.
#[derive(Debug, Default)]
pub struct Redactor {
    style: RedactStyle,
    numbers: HashMap<Fingerprint, u32>,
    next: HashMap<Arc<str>, u32>,
}

/// Fingerprints remembered for consistent numbering; past this many
/// distinct values, new values still get fresh numbers.
const MAX_REMEMBERED: usize = 1 << 16;

impl Redactor {
    /// A redactor writing `style`.
    pub fn new(style: RedactStyle) -> Redactor {
        Redactor { style, ..Redactor::default() }
    }

    /// True when the finding's secret must not reach the output: its
    /// action is [`Action::Redact`] or [`Action::Block`].
    pub fn applies_to(f: &Finding) -> bool {
        matches!(f.action(), Action::Redact | Action::Block)
    }

    /// The text that replaces `secret` (the bytes of `f`'s secret span).
    pub fn replacement(&mut self, f: &Finding, secret: &[u8]) -> String {
        match self.style {
            RedactStyle::Placeholder => {
                let n = match self.numbers.get(&f.fingerprint()) {
                    Some(&n) => n,
                    None => {
                        let next =
                            self.next.entry(f.rule_id.clone()).or_insert(0);
                        *next += 1;
                        if self.numbers.len() < MAX_REMEMBERED {
                            self.numbers.insert(f.fingerprint(), *next);
                        }
                        *next
                    }
                };
                format!("[REDACTED:{}:{}]", f.rule_id(), n)
            }
            RedactStyle::Mask => {
                let chars = match std::str::from_utf8(secret) {
                    Ok(s) => s.chars().count(),
                    Err(_) => secret.len(),
                };
                "*".repeat(chars)
            }
            RedactStyle::Hash => {
                let hex = f.fingerprint().to_string();
                format!("[REDACTED:{}:{}]", f.rule_id(), &hex[..8])
            }
        }
    }

    /// Returns `hay` with every secret of a finding in `findings` that
    /// [`applies`](Redactor::applies_to) replaced. Overlapping secrets are
    /// replaced together by the first one's replacement. Bytes outside them
    /// are copied unchanged.
    pub fn redact(&mut self, hay: &[u8], findings: &[Finding]) -> Vec<u8> {
        let mut queue: Vec<&Finding> =
            findings.iter().filter(|f| Redactor::applies_to(f)).collect();
        queue.sort_by(|a, b| group_order(a, b));
        let mut out = Vec::with_capacity(hay.len());
        let mut pos = 0;
        for (span, first) in groups(&queue, usize::MAX, 0).0 {
            out.extend_from_slice(&hay[pos..span.start]);
            let text = self.replacement(first, &hay[first.secret_span()]);
            out.extend_from_slice(text.as_bytes());
            pos = span.end;
        }
        out.extend_from_slice(&hay[pos..]);
        out
    }
}

/// The order in which redaction groups secrets: by start, longest first,
/// then by rule, so every path picks the same first finding of a group.
pub(crate) fn group_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (a.secret.start, std::cmp::Reverse(a.secret.end), a.rule_index).cmp(&(
        b.secret.start,
        std::cmp::Reverse(b.secret.end),
        b.rule_index,
    ))
}

/// Sweeps findings sorted by [`group_order`] into groups of overlapping
/// secrets. A group is final when it ends at or before `settled` (no later
/// finding can reach into it) or has reached [`MAX_GROUP`]. Returns the final
/// groups and how many findings they used.
/// Secrets are cut to start at `floor`, where the output already is.
pub(crate) fn groups<'f>(
    queue: &[&'f Finding],
    settled: usize,
    mut floor: usize,
) -> (Vec<(Span, &'f Finding)>, usize) {
    let mut out = Vec::new();
    let mut used = 0;
    let mut i = 0;
    while i < queue.len() {
        let first = queue[i];
        let start = first.secret.start.max(floor);
        let mut end = first.secret.end.max(start);
        let mut j = i + 1;
        while j < queue.len()
            && queue[j].secret.start < end
            && end - start < MAX_GROUP
        {
            end = end.max(queue[j].secret.end);
            j += 1;
        }
        let capped = end - start >= MAX_GROUP;
        if end > settled && !capped {
            break;
        }
        if end > start {
            out.push((Span::new(start, end), first));
        }
        floor = end;
        i = j;
        used = j;
    }
    (out, used)
}
