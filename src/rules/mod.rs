//! Rules: loaded from TOML ([`RuleSpec`](spec::RuleSpec)), validated into
//! [`Rule`]s, gathered in a [`RuleSet`].

mod builtin;
mod check;
mod error;
mod follow;
mod gitleaks;
mod shape;
mod spec;
#[cfg(test)]
mod window_dfa;

use std::{
    ops::Range,
    path::Path,
    sync::{Arc, OnceLock},
};

use regex_automata::{
    dfa::dense::DFA, hybrid, meta::Regex, util::syntax, MatchKind,
};

pub use self::check::{check_examples, ExampleFailure, ExampleReport};
pub use self::error::{RuleError, RuleErrorKind};
pub(crate) use self::spec::{RuleFile, RuleSpec};
use crate::{
    checks::Check,
    finding::{Action, Category, Confidence, Severity},
};

/// Untrusted patterns get bounded compiled size (as Nosey Parker does).
const REGEX_SIZE_LIMIT: usize = 16 << 20;
/// Match length assumed for patterns with unbounded repetition.
pub(crate) const DEFAULT_MAX_LEN: usize = 256;
/// No rule may claim a longer match: it sets the streaming hold-back.
pub const MAX_RULE_LEN: usize = 64 << 10;

/// How a rule's candidate positions are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefilter {
    /// Occurrences of the rule's keywords (ASCII case-insensitive).
    Keywords,
    /// Runs of ASCII digits, single ` `, `-` or `.` allowed between digits,
    /// with at least `min_digits` digits.
    Digits {
        /// Fewest digits in a run that triggers the rule.
        min_digits: usize,
    },
}

/// A validated rule, ready to compile into an engine.
#[derive(Clone, Debug)]
pub struct Rule {
    pub(crate) id: Arc<str>,
    pub(crate) name: String,
    pub(crate) category: Category,
    pub(crate) severity: Severity,
    pub(crate) confidence: Confidence,
    pub(crate) keywords: Vec<String>,
    pub(crate) prefilter: Prefilter,
    /// For a digit rule: literals one of which begins every match
    /// (`tel`, `dni`, `电话`), so a run with none of them shortly before
    /// it cannot match; empty when the pattern has no such set.
    pub(crate) lead: Vec<String>,
    pub(crate) pattern: String,
    /// Compiled on first use: most rules never see a candidate in a given
    /// run, and compiling hundreds of regexes up front would dominate the
    /// start-up of a hook or a one-shot filter.
    pub(crate) regex: Arc<OnceLock<Regex>>,
    pub(crate) secret_group: usize,
    pub(crate) min_entropy: Option<f64>,
    pub(crate) check: Check,
    pub(crate) max_len: usize,
    /// Every match is at most `max_len` bytes long (the regex is bounded,
    /// not just declared), so a match near a hit is decided by the bytes of
    /// its window and the confirm stage may share work between windows.
    pub(crate) bounded: bool,
    /// What the pattern says of the secret group, and the check made of
    /// it on first use (most rules see no candidate in a run).
    secret_shape: Option<shape::GroupShape>,
    secret_run: OnceLock<Option<SecretRun>>,
    /// The built-in rule's window DFA, deserialized on first use.
    window_dfa: OnceLock<Option<DFA<&'static [u32]>>>,
    /// What must follow a keyword hit (`follow.rs`), compiled on first use.
    follow: OnceLock<Option<hybrid::dfa::DFA>>,
    pub(crate) placeholder_filter: bool,
    /// Drop UUIDs, hex digests, SRI hashes, identifiers and wordy values
    /// (see `precision.rs`); default on for low-confidence rules.
    pub(crate) noise_filter: bool,
    pub(crate) action: Option<Action>,
    pub(crate) description: Option<String>,
    pub(crate) references: Vec<String>,
    pub(crate) examples: Vec<String>,
    pub(crate) negatives: Vec<String>,
    pub(crate) allow: Option<regex::bytes::RegexSet>,
    pub(crate) stopwords: Vec<String>,
    /// The match must overlap the keyword hit (true for every native rule;
    /// imported rules may use context keywords).
    pub(crate) keyword_in_match: bool,
    pub(crate) source: Arc<str>,
}

impl Rule {
    /// Unique id, e.g. `aws-access-key-id`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Human name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Category.
    pub fn category(&self) -> Category {
        self.category
    }
    /// Severity.
    pub fn severity(&self) -> Severity {
        self.severity
    }
    /// Confidence tier.
    pub fn confidence(&self) -> Confidence {
        self.confidence
    }
    /// Lowercased prefilter keywords.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }
    /// A digit rule's lead literals: one of them begins every match.
    pub(crate) fn lead(&self) -> &[String] {
        &self.lead
    }
    /// How candidates are found.
    pub fn prefilter(&self) -> Prefilter {
        self.prefilter
    }
    /// The regular expression source.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }
    /// Capture group holding the secret (0 = whole match).
    pub fn secret_group(&self) -> usize {
        self.secret_group
    }
    /// Minimum Shannon entropy of the secret, if any.
    pub fn min_entropy(&self) -> Option<f64> {
        self.min_entropy
    }
    /// Validator applied to the secret.
    pub fn check(&self) -> Check {
        self.check
    }
    /// Longest match in bytes.
    pub fn max_len(&self) -> usize {
        self.max_len
    }
    /// Action set by the rule itself, overriding the category default.
    pub fn action(&self) -> Option<Action> {
        self.action
    }
    /// Why it matters, how to rotate.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    /// Links to the vendor's documentation of the format.
    pub fn references(&self) -> &[String] {
        &self.references
    }
    /// Inputs that must produce a finding of this rule.
    pub fn examples(&self) -> &[String] {
        &self.examples
    }
    /// Inputs that must not.
    pub fn negatives(&self) -> &[String] {
        &self.negatives
    }
    /// The file the rule came from (`patterns/aws.toml` for built-ins).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// What every secret the rule reports looks like, checked before the
    /// regex runs (worked out now if this is its first use).
    pub(crate) fn secret_run(&self) -> Option<&SecretRun> {
        self.secret_run
            .get_or_init(|| {
                self.secret_shape
                    .and_then(|g| SecretRun::new(g, self.min_entropy))
            })
            .as_ref()
    }

    /// A full DFA of the pattern, to tell whether a window holds any match
    /// before the capture search; built-in digit rules with a small one
    /// only (`window_dfa.rs`), `None` for the others.
    pub(crate) fn window_dfa(&self) -> Option<&DFA<&'static [u32]>> {
        self.window_dfa
            .get_or_init(|| builtin::window_dfa(&self.id, &self.pattern))
            .as_ref()
    }

    /// The rest of the pattern after the part of it that ends with a
    /// keyword, to be searched anchored at a keyword hit's end: a hit it
    /// cannot follow is in no match that a hit ending that part would not
    /// propose (`follow.rs`). Worked out and compiled on first use; `None`
    /// for digit rules, rules whose keywords may lie outside the match,
    /// unbounded patterns and patterns with no such part.
    pub(crate) fn follow(&self) -> Option<&hybrid::dfa::DFA> {
        self.follow
            .get_or_init(|| {
                // Unbounded patterns' matches may be cut by a window's end
                // (where `$` holds), so a hit's window may see a match that
                // the window of the hit ending the keyword part does not.
                if self.prefilter != Prefilter::Keywords
                    || !self.keyword_in_match
                    || !self.bounded
                {
                    return None;
                }
                let hir = shape::parse(&self.pattern).ok()?;
                follow::compile(&follow::after_keyword(&hir, &self.keywords)?)
            })
            .as_ref()
    }

    /// The compiled regex (compiled now if this is its first use).
    pub(crate) fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| {
            build_regex(&self.pattern).expect(
                "patterns are compiled at load, or are built-in ones that \
                 the test suite compiles",
            )
        })
    }

    /// Validates one spec. Collects every problem of the rule. `eager`
    /// compiles the regex now, so a user's pattern that exceeds the size
    /// limit fails at load rather than at first use.
    fn from_spec(
        spec: RuleSpec,
        source: &Arc<str>,
        eager: bool,
    ) -> Result<Rule, RuleError> {
        let mut errs = Vec::new();
        let mut bad = |msg: String| errs.push(RuleError::invalid(msg));

        if !valid_id(&spec.id) {
            bad(format!(
                "id {:?} must be lowercase kebab-case ([a-z0-9] words \
                 joined by '-')",
                spec.id
            ));
        }
        if spec.name.trim().is_empty() {
            bad("name is empty".into());
        }
        let category =
            Category::from_name(&spec.category).unwrap_or_else(|| {
                bad(format!(
                    "category {:?} is not one of secret, pii, custom",
                    spec.category
                ));
                Category::Custom
            });
        let severity =
            Severity::from_name(&spec.severity).unwrap_or_else(|| {
                bad(format!(
                    "severity {:?} is not one of low, medium, high, critical",
                    spec.severity
                ));
                Severity::Medium
            });
        let confidence = match spec.confidence.as_deref() {
            None => Confidence::High,
            Some(c) => Confidence::from_name(c).unwrap_or_else(|| {
                bad(format!("confidence {c:?} is not one of low, high"));
                Confidence::High
            }),
        };
        let keywords: Vec<String> =
            spec.keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
        if keywords.iter().any(|k| k.is_empty()) {
            bad("keywords must not be empty strings".into());
        }
        let prefilter = match spec.prefilter.as_deref() {
            None | Some("keywords") => {
                if keywords.is_empty() {
                    bad("has no keywords: add literal keywords that occur \
                         in every match, or set prefilter = \"digits\""
                        .into());
                }
                if spec.min_digits.is_some() {
                    bad("min_digits needs prefilter = \"digits\"".into());
                }
                Prefilter::Keywords
            }
            Some("digits") => {
                if !keywords.is_empty() {
                    bad("prefilter = \"digits\" takes no keywords".into());
                }
                let min_digits = spec.min_digits.unwrap_or(6);
                if !(1..=32).contains(&min_digits) {
                    bad(format!("min_digits {min_digits} is not in 1..=32"));
                }
                Prefilter::Digits { min_digits }
            }
            Some(p) => {
                bad(format!("prefilter {p:?} is not one of keywords, digits"));
                Prefilter::Keywords
            }
        };
        let check = match spec.check.as_deref() {
            None => Check::None,
            Some(c) => Check::from_name(c).unwrap_or_else(|| {
                let names: Vec<&str> =
                    Check::ALL.iter().map(|c| c.name()).collect();
                bad(format!("check {c:?} is not one of {}", names.join(", ")));
                Check::None
            }),
        };
        if let Some(e) = spec.min_entropy {
            if !(0.0..=8.0).contains(&e) {
                bad(format!("min_entropy {e} is not in 0.0..=8.0"));
            }
        }
        let action = spec.action.as_deref().and_then(|a| {
            let parsed = Action::from_name(a);
            if parsed.is_none() {
                bad(format!(
                    "action {a:?} is not one of allow, report, redact, block"
                ));
            }
            parsed
        });
        if spec.examples.is_empty() && !spec.imported {
            bad("has no examples: add inputs the rule must match".into());
        }
        if spec.negatives.is_empty() && !spec.imported {
            bad("has no negatives: add inputs the rule must not match".into());
        }
        let allow = if spec.allow.is_empty() {
            None
        } else {
            match regex::bytes::RegexSetBuilder::new(&spec.allow)
                .unicode(false)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                Ok(set) => Some(set),
                Err(e) => {
                    bad(format!("allow regex: {e}"));
                    None
                }
            }
        };
        let compiled = match compile(&spec, eager) {
            Ok(c) => Some(c),
            Err(e) => {
                errs.push(e);
                None
            }
        };
        let Compiled {
            regex,
            max_len,
            bounded,
            secret_group,
            secret_shape,
            lead,
        } = match (compiled, RuleError::join(errs)) {
            (Some(c), None) => c,
            (_, Some(e)) => return Err(e.in_rule(&spec.id)),
            // compile's error is in `errs`.
            (None, None) => {
                let e = pattern_error("pattern did not compile".into());
                return Err(e.in_rule(&spec.id));
            }
        };
        Ok(Rule {
            id: spec.id.into(),
            name: spec.name,
            category,
            severity,
            confidence,
            keywords,
            prefilter,
            lead,
            pattern: spec.pattern,
            regex: Arc::new(regex),
            secret_group,
            min_entropy: spec.min_entropy,
            check,
            max_len,
            bounded,
            secret_shape,
            secret_run: OnceLock::new(),
            window_dfa: OnceLock::new(),
            follow: OnceLock::new(),
            placeholder_filter: spec
                .placeholder_filter
                .unwrap_or(category == Category::Secret),
            noise_filter: spec
                .noise_filter
                .unwrap_or(confidence == Confidence::Low),
            action,
            description: spec.description,
            references: spec.references,
            examples: spec.examples,
            negatives: spec.negatives,
            allow,
            stopwords: spec
                .stopwords
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .filter(|w| !w.is_empty())
                .collect(),
            keyword_in_match: !spec.context_keywords,
            source: source.clone(),
        })
    }
}

fn pattern_error(m: String) -> RuleError {
    RuleError::new(RuleErrorKind::Pattern(m))
}

/// Compiles a rule's pattern as `regex::bytes::RegexBuilder` would (same
/// syntax and match semantics: bytes, no Unicode classes, leftmost-first),
/// but through `regex-automata`'s meta regex so the one-pass DFA can be
/// left out: building it was a tenth of the instructions of compiling the
/// rules a scan touches, and the bounded backtracker that extracts the
/// capture groups in its place costs about the same in small windows.
fn build_regex(pattern: &str) -> Result<Regex, RuleError> {
    let meta = regex_automata::meta::Config::new()
        .match_kind(MatchKind::LeftmostFirst)
        .utf8_empty(false)
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .hybrid_cache_capacity(REGEX_SIZE_LIMIT)
        .onepass(false)
        // Full DFAs only where `window_dfa` has them (the tests enable
        // `dfa-build`, which would let the meta regex build its own).
        .dfa(false);
    let syntax = syntax::Config::new().unicode(false).utf8(false);
    Regex::builder().configure(meta).syntax(syntax).build(pattern).map_err(
        |e| {
            // The regex crate's wording, which error messages have shown.
            pattern_error(match (e.size_limit(), e.syntax_error()) {
                (Some(limit), _) => format!(
                    "Compiled regex exceeds size limit of {limit} bytes."
                ),
                (None, Some(e)) => e.to_string(),
                (None, None) => e.to_string(),
            })
        },
    )
}

/// What [`compile`] works out of a pattern.
struct Compiled {
    regex: OnceLock<Regex>,
    max_len: usize,
    bounded: bool,
    secret_group: usize,
    secret_shape: Option<shape::GroupShape>,
    lead: Vec<String>,
}

/// Parses the pattern and works out its longest match, whether that bound
/// is the regex's own, its secret group and what that group can hold;
/// compiles it too when `eager`.
fn compile(spec: &RuleSpec, eager: bool) -> Result<Compiled, RuleError> {
    let secret_group = spec.secret_group.unwrap_or(0);
    let digits = spec.prefilter.as_deref() == Some("digits");
    // Lazily compiled rules are built-in ones: their shape was worked out
    // by build.rs, and parsing 600 patterns here was half of start-up.
    let (max, groups, empty, secret, lead) =
        match (eager, builtin::shape(&spec.id)) {
            (false, Some(s)) if s.group == secret_group => (
                (s.max > 0).then_some(s.max),
                s.groups,
                s.empty,
                Some(s.secret),
                s.lead.iter().map(|l| l.to_string()).collect(),
            ),
            _ => {
                let hir =
                    shape::parse(&spec.pattern).map_err(pattern_error)?;
                let p = hir.properties();
                (
                    p.maximum_len(),
                    p.explicit_captures_len(),
                    p.minimum_len() == Some(0),
                    shape::group_shape(&hir, secret_group),
                    if digits {
                        shape::lead_literals(&hir)
                    } else {
                        Vec::new()
                    },
                )
            }
        };
    if empty {
        return Err(pattern_error(
            "pattern can match the empty string".into(),
        ));
    }
    let max_len = match (spec.max_len, max) {
        (Some(n), _) => n,
        (None, Some(n)) => n,
        (None, None) => DEFAULT_MAX_LEN,
    };
    if max_len == 0 || max_len > MAX_RULE_LEN {
        return Err(RuleError::invalid(format!(
            "max_len {max_len} is not in 1..={MAX_RULE_LEN}"
        )));
    }
    if secret_group > groups {
        return Err(RuleError::invalid(format!(
            "secret_group {secret_group} does not exist (pattern has \
             {groups} capture groups)"
        )));
    }
    let regex = OnceLock::new();
    if eager {
        let _ = regex.set(build_regex(&spec.pattern)?);
    }
    Ok(Compiled {
        regex,
        max_len,
        bounded: max.is_some_and(|m| m <= max_len),
        secret_group,
        secret_shape: secret,
        lead,
    })
}

/// A necessary condition on a rule's window, checked before its regex runs:
/// every secret the rule reports is a run of at least `min` bytes that its
/// secret group can hold (its shortest match, or more if `min_entropy` asks
/// for more distinct bytes than a shorter run has), with a byte the pattern
/// allows right before and after it where the match holds one. A window
/// without such a run holds no secret the rule would report.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SecretRun {
    /// Per byte: bit 0 the secret may hold it, bit 1 it may come right
    /// before the secret, bit 2 right after.
    table: Arc<[u8; 256]>,
    min: usize,
    /// Every byte may come before (after) the secret: it may start (end)
    /// the window.
    any_before: bool,
    any_after: bool,
    /// The bytes allowed before the secret if they are three or fewer
    /// (found with `memchr`), else empty.
    before: Vec<u8>,
}

const IN: u8 = 1;
const BEFORE: u8 = 2;
const AFTER: u8 = 4;

impl SecretRun {
    /// `None` when the condition cannot rule anything out.
    fn new(
        g: shape::GroupShape,
        min_entropy: Option<f64>,
    ) -> Option<SecretRun> {
        // A run of n bytes has at most log2(n) bits of Shannon entropy per
        // byte; the margin covers the rounding of the entropy's sum.
        let entropic = min_entropy.map_or(0, |m| {
            (1..=256).find(|&n| (n as f64).log2() >= m - 1e-9).unwrap_or(256)
        });
        let min = g.least.max(entropic);
        let mut table = [0u8; 256];
        for (b, t) in table.iter_mut().enumerate() {
            let has = |set: [u64; 4]| set[b >> 6] >> (b & 63) & 1 == 1;
            *t = u8::from(has(g.bytes))
                | u8::from(has(g.before)) << 1
                | u8::from(has(g.after)) << 2;
        }
        if min < 2 || table.iter().all(|&t| t == IN | BEFORE | AFTER) {
            return None;
        }
        let before: Vec<u8> = (0..=255u8)
            .filter(|&b| table[usize::from(b)] & BEFORE != 0)
            .collect();
        Some(SecretRun {
            table: Arc::new(table),
            min,
            any_before: before.len() == 256,
            any_after: table.iter().all(|&b| b & AFTER != 0),
            before: if before.len() <= 3 { before } else { Vec::new() },
        })
    }

    /// Whether `hay` holds `min` consecutive secret bytes, right after a
    /// byte allowed before the secret (or at `hay`'s start if any byte is)
    /// and right before one allowed after it (or at `hay`'s end if any is).
    #[cfg(test)]
    pub(crate) fn within(&self, hay: &[u8]) -> bool {
        self.find(hay, 0..hay.len()).is_some()
    }

    /// The first place in `hay[range]` where a secret could be, judging
    /// the range alone (the definition the scanner's memo and `scan` are
    /// tested against): the secret's bytes with the bytes before and after
    /// it that the pattern asks for, so that any range holding this one
    /// holds a secret too.
    #[cfg(test)]
    pub(crate) fn find(
        &self,
        hay: &[u8],
        range: Range<usize>,
    ) -> Option<Range<usize>> {
        let start = self.fresh(range.start);
        let end = range.end;
        match self.scan(hay, range, start) {
            Ok(place) => Some(place),
            Err(start) => self.at_end(start, end),
        }
    }

    /// Scans `hay[range]` from the state `start` (the earliest start of a
    /// secret that could end at `range.start`): the first place whose
    /// secret ends before a byte of the range, or the state at its end.
    pub(crate) fn scan(
        &self,
        hay: &[u8],
        range: Range<usize>,
        mut start: Option<usize>,
    ) -> Result<Range<usize>, Option<usize>> {
        let t = &*self.table;
        let is = |i: usize, flag: u8| t[usize::from(hay[i])] & flag != 0;
        let end = range.end;
        let mut i = range.start;
        // While `start` is `Some(s)`, every byte in `s..i` is a secret byte.
        loop {
            let s = match start {
                Some(s) => s,
                // Outside a run only a byte allowed before the secret
                // matters: it starts one.
                None => {
                    let Some(j) = self.next_before(&hay[i..end]) else {
                        return Err(None);
                    };
                    i += j + 1;
                    start = Some(i);
                    i
                }
            };
            // The shortest secret from `s` ends with `hay[last]`: if that
            // or a byte before it is no secret byte, no secret starts at or
            // before it, and the next run starts after it.
            let last = s + self.min - 1;
            if i <= last && last < end {
                if let Some(k) = (i..=last).rev().find(|&k| !is(k, IN)) {
                    (start, i) = (None, k);
                    continue;
                }
                i = last + 1;
            }
            // Along a long enough run, a place ends wherever the next byte
            // may follow the secret.
            while i < end {
                if i - s >= self.min && is(i, AFTER) {
                    let after = usize::from(!self.any_after);
                    return Ok(s - usize::from(!self.any_before)..i + after);
                }
                if !is(i, IN) {
                    break;
                }
                i += 1;
            }
            if i == end {
                return Err(start);
            }
            // The run ends at `hay[i]`, which may start the next one.
            start = is(i, BEFORE).then_some(i + 1);
            i += 1;
        }
    }

    /// Where the first byte allowed before the secret is.
    fn next_before(&self, hay: &[u8]) -> Option<usize> {
        match self.before[..] {
            [a] => memchr::memchr(a, hay),
            [a, b] => memchr::memchr2(a, b, hay),
            [a, b, c] => memchr::memchr3(a, b, c, hay),
            _ => hay
                .iter()
                .position(|&b| self.table[usize::from(b)] & BEFORE != 0),
        }
    }

    /// The place of a secret that ends where a range ends, if any byte may
    /// follow a secret, from the state [`scan`](Self::scan) left there.
    pub(crate) fn at_end(
        &self,
        start: Option<usize>,
        end: usize,
    ) -> Option<Range<usize>> {
        start
            .filter(|&s| self.any_after && end - s >= self.min)
            .map(|s| s - usize::from(!self.any_before)..end)
    }

    /// The state of a scan that starts at `from`.
    pub(crate) fn fresh(&self, from: usize) -> Option<usize> {
        self.any_before.then_some(from)
    }

    /// The state a scan from `from` would have at a later position where a
    /// scan from an earlier position has the state `start`; `None` when
    /// only a new scan can tell.
    pub(crate) fn restart(
        &self,
        start: Option<usize>,
        from: usize,
    ) -> Option<Option<usize>> {
        match start {
            Some(s) if self.any_before => Some(Some(s.max(from))),
            // The byte before `s` is in the range: the later scan saw it.
            Some(s) if s > from => Some(Some(s)),
            // A later scan starts after a byte allowed before the secret,
            // which the earlier one may have passed over inside a run.
            Some(_) => None,
            None => Some(None),
        }
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A validated set of rules with unique ids, ready to build a
/// [`Scanner`](crate::Scanner).
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    // Shared: scanners and report writers keep the set, and rules carry
    // their examples, so a deep clone would copy thousands of strings.
    rules: Arc<[Rule]>,
}

impl RuleSet {
    /// The rules embedded from the crate's `patterns/` folder.
    pub fn builtin() -> RuleSet {
        RuleSet::builder()
            .build()
            .expect("built-in rules are validated by the test suite")
    }

    /// A builder that starts with the built-in rules.
    pub fn builder() -> RuleSetBuilder {
        RuleSetBuilder {
            builtin: true,
            eager_builtin: false,
            sources: Vec::new(),
        }
    }

    /// Loads rules from TOML text alone (no built-ins). `source` names the
    /// text in errors.
    pub fn from_toml(source: &str, text: &str) -> Result<RuleSet, RuleError> {
        let mut b = RuleSet::builder();
        b.builtin(false).add_toml(source, text);
        b.build()
    }

    /// The rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there is no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }
}

enum Source {
    Toml { name: String, text: String },
    Specs { name: String, specs: Vec<RuleSpec> },
    Path(std::path::PathBuf),
}

/// Gathers rule sources and validates them together, reporting every bad
/// rule of every file at once.
pub struct RuleSetBuilder {
    builtin: bool,
    eager_builtin: bool,
    sources: Vec<Source>,
}

impl RuleSetBuilder {
    /// Whether to include the built-in rules (default yes).
    pub fn builtin(&mut self, yes: bool) -> &mut RuleSetBuilder {
        self.builtin = yes;
        self
    }

    /// Whether to compile the built-in patterns at build time rather than
    /// on first use (default no; tests turn it on to check them all).
    pub fn eager(&mut self, yes: bool) -> &mut RuleSetBuilder {
        self.eager_builtin = yes;
        self
    }

    /// Adds rules from TOML text; `name` identifies it in errors.
    pub fn add_toml(&mut self, name: &str, text: &str) -> &mut RuleSetBuilder {
        self.sources.push(Source::Toml {
            name: name.to_string(),
            text: text.to_string(),
        });
        self
    }

    /// Adds rules from a TOML file, read when building.
    pub fn add_path(&mut self, path: impl AsRef<Path>) -> &mut RuleSetBuilder {
        self.sources.push(Source::Path(path.as_ref().to_path_buf()));
        self
    }

    pub(crate) fn add_specs(
        &mut self,
        name: &str,
        specs: Vec<RuleSpec>,
    ) -> &mut RuleSetBuilder {
        self.sources.push(Source::Specs { name: name.to_string(), specs });
        self
    }

    /// Validates every source.
    ///
    /// # Errors
    ///
    /// Every unreadable file, TOML error, invalid rule and duplicate id, all
    /// at once.
    pub fn build(&self) -> Result<RuleSet, RuleError> {
        let mut errs = Vec::new();
        // (source, spec, compile eagerly)
        let mut specs: Vec<(Arc<str>, RuleSpec, bool)> = Vec::new();
        // Built-in packs are read from their JSON form; one that does not
        // parse (the tests see that none fails) is read as TOML, which
        // reports what is wrong.
        let mut unparsed = Vec::new();
        for (name, text, json) in
            builtin::FILES.iter().filter(|_| self.builtin)
        {
            match serde_json::from_str::<RuleFile>(json) {
                Ok(file) => {
                    let name: Arc<str> = (*name).into();
                    let eager = self.eager_builtin;
                    specs.extend(
                        file.rule
                            .into_iter()
                            .map(|s| (name.clone(), s, eager)),
                    );
                }
                Err(_) => unparsed.push((*name, *text)),
            }
        }
        // Built-in patterns compile lazily unless asked: the test suite
        // compiles every one of them.
        let mut parse = |name: &str,
                         text: &str,
                         eager: bool,
                         errs: &mut Vec<RuleError>| {
            let name: Arc<str> = name.into();
            if gitleaks::looks_like(text) {
                match gitleaks::convert(text) {
                    Ok(converted) => specs.extend(
                        converted.into_iter().map(|s| (name.clone(), s, true)),
                    ),
                    Err(e) => errs.push(e.in_file(&name)),
                }
                return;
            }
            match toml::from_str::<RuleFile>(text) {
                Ok(file) => specs.extend(
                    file.rule.into_iter().map(|s| (name.clone(), s, eager)),
                ),
                Err(e) => errs.push(
                    RuleError::new(RuleErrorKind::Parse(
                        e.to_string().trim_end().to_string(),
                    ))
                    .in_file(&name),
                ),
            }
        };
        for (name, text) in unparsed {
            parse(name, text, self.eager_builtin, &mut errs);
        }
        let mut extra: Vec<(Arc<str>, RuleSpec, bool)> = Vec::new();
        for source in &self.sources {
            match source {
                Source::Toml { name, text } => {
                    parse(name, text, true, &mut errs)
                }
                Source::Specs { name, specs } => {
                    let name: Arc<str> = name.as_str().into();
                    extra.extend(
                        specs.iter().map(|s| (name.clone(), s.clone(), true)),
                    )
                }
                Source::Path(path) => {
                    let name = path.display().to_string();
                    match std::fs::read_to_string(path) {
                        Ok(text) => parse(&name, &text, true, &mut errs),
                        Err(e) => errs.push(
                            RuleError::new(RuleErrorKind::Io(e.to_string()))
                                .in_file(&name),
                        ),
                    }
                }
            }
        }
        specs.extend(extra);
        let mut rules: Vec<Rule> = Vec::with_capacity(specs.len());
        let mut seen = std::collections::HashMap::new();
        for (source, spec, eager) in specs {
            if let Some(first) = seen.insert(spec.id.clone(), source.clone()) {
                errs.push(
                    RuleError::new(RuleErrorKind::Invalid(format!(
                        "duplicate id (first defined in {first})"
                    )))
                    .in_rule(&spec.id)
                    .in_file(&source),
                );
                continue;
            }
            match Rule::from_spec(spec, &source, eager) {
                Ok(rule) => rules.push(rule),
                Err(e) => errs.push(flatten_in_file(e, &source)),
            }
        }
        match RuleError::join(errs) {
            Some(e) => Err(e),
            None => Ok(RuleSet { rules: rules.into() }),
        }
    }
}

/// Tags every problem inside `e` with its file and flattens nesting.
fn flatten_in_file(e: RuleError, file: &str) -> RuleError {
    let rule = e.rule().map(str::to_string);
    match e.kind().clone() {
        RuleErrorKind::Multiple(all) => RuleError::join(
            all.into_iter()
                .map(|p| {
                    let p = p.in_file(file);
                    match &rule {
                        Some(r) => p.in_rule(r),
                        None => p,
                    }
                })
                .collect(),
        )
        .expect("Multiple holds at least two errors"),
        _ => e.in_file(file),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::shannon_entropy;

    fn run_of(
        pattern: &str,
        group: usize,
        entropy: Option<f64>,
    ) -> Option<SecretRun> {
        let hir = shape::parse(pattern).unwrap();
        SecretRun::new(shape::group_shape(&hir, group)?, entropy)
    }

    fn bytes_with(run: &SecretRun, flag: u8) -> Vec<u8> {
        (0..=255u8)
            .filter(|&b| run.table[usize::from(b)] & flag != 0)
            .collect()
    }

    #[test]
    fn secret_runs_are_read_off_the_secret_group() {
        let p = r"(?i)key\s*=\s*([0-9a-f]{40})\b";
        let run = run_of(p, 1, None).unwrap();
        assert_eq!(run.min, 40);
        assert_eq!(bytes_with(&run, IN), b"0123456789ABCDEFabcdef");
        // `=` or a space comes before it; after it, `\b` is no byte.
        assert_eq!(bytes_with(&run, BEFORE), b"\t\n\x0b\x0c\r =");
        assert!(!run.any_before && run.any_after);
        // The whole match also holds the keyword, spaces and `=`, and is
        // the match: anything may come before and after it.
        let whole = run_of(p, 0, None).unwrap();
        let held = bytes_with(&whole, IN);
        assert!(held.contains(&b'K') && held.contains(&b' '));
        assert!(!held.contains(&b'g'));
        assert!(whole.any_before && whole.any_after);
        assert_eq!(whole.min, 44);
        assert!(run_of(p, 2, None).is_none());
        // Nothing to rule out: any byte anywhere, or runs of one.
        assert!(run_of(r"(?s)(.{8})", 1, None).is_none());
        assert!(run_of(r"key=([a-z])", 1, None).is_none());
        // Multi-byte literals count their bytes.
        let cn = run_of("(密码[0-9]{6})", 1, None).unwrap();
        let held = bytes_with(&cn, IN);
        assert!(held.contains(&"密".as_bytes()[1]) && !held.contains(&b'a'));
        // Quotes around the secret, the last one optional; a repetition
        // may put its own bytes next to the group.
        let q = r#"k=\\?["']([a-z0-9]{8,})(?:["']|\\[rn])?x"#;
        let q = run_of(q, 1, None).unwrap();
        assert_eq!(bytes_with(&q, BEFORE), b"\"'");
        assert_eq!(bytes_with(&q, AFTER), b"\"'\\x");
        let r = run_of(r"k:(?:-([a-z]{4}),?)+;", 1, None).unwrap();
        assert_eq!(bytes_with(&r, BEFORE), b"-");
        assert_eq!(bytes_with(&r, AFTER), b",-;");
    }

    #[test]
    fn a_secret_run_needs_its_neighbours() {
        let q = run_of(r#"k=["']([a-z0-9]{8,})["']"#, 1, None).unwrap();
        assert!(q.within(b"k = 'abcd1234'"));
        assert!(!q.within(b"k = 'abcd123'"));
        assert!(!q.within(b"k = abcd1234'"));
        assert!(!q.within(b"k = 'abcd1234"));
        assert!(!q.within(b"k = 'abcd1234_'"));
        assert!(q.within(b"'a' 'xabcd1234'"));
    }

    /// The definition `find` implements, tried at every start and end.
    fn naive_within(run: &SecretRun, hay: &[u8]) -> bool {
        let t =
            |i: usize, flag: u8| run.table[usize::from(hay[i])] & flag != 0;
        (0..=hay.len()).any(|s| {
            let open = if s == 0 { run.any_before } else { t(s - 1, BEFORE) };
            open && (s + run.min..=hay.len()).any(|e| {
                (s..e).all(|i| t(i, IN))
                    && if e == hay.len() { run.any_after } else { t(e, AFTER) }
            })
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        #[test]
        fn find_is_the_definition(
            hay in proptest::collection::vec(
                proptest::sample::select(b"ab1=\"' :_x".to_vec()), 0..40),
            which in 0usize..4,
        ) {
            let pattern = [
                r#"k=["']([a-z0-9]{4,})["']"#,
                r#"(?m)^k\s*[:=]\s*([a-z0-9_=]{3,9})\s*$"#,
                r"\b([0-9ab]{5})\b",
                r#"k:(?:[ "]([a-z1]{2,6})=?)+"#,
            ][which];
            let run = run_of(pattern, 1, None).unwrap();
            let found = run.find(&hay, 0..hay.len());
            proptest::prop_assert_eq!(found.is_some(), naive_within(&run, &hay));
            // The place it names is a window that holds a secret too.
            if let Some(p) = found {
                proptest::prop_assert!(naive_within(&run, &hay[p]));
            }
        }
    }

    #[test]
    fn entropy_asks_for_as_many_bytes_as_it_needs_and_no_more() {
        let hex = r"=([0-9a-z]{1,64})";
        for (m, n) in [(3.0, 8), (3.5, 12), (4.0, 16), (2.5, 6)] {
            let run = run_of(hex, 1, Some(m)).unwrap();
            assert_eq!(run.min, n, "{m}");
            // n distinct bytes reach m, n - 1 cannot.
            let distinct: Vec<u8> =
                (b'a'..=b'z').chain(b'0'..=b'9').take(n).collect();
            assert!(shannon_entropy(&distinct) >= m, "{m}");
            assert!(shannon_entropy(&distinct[..n - 1]) < m, "{m}");
        }
        let run = run_of(hex, 1, Some(3.5)).unwrap();
        assert!(run.within(b"x =abcdefghijkl"));
        assert!(!run.within(b"x =abcdefghijk =lmnopqrstuv"));
        assert!(!run.within(b"token=is a word of prose, not a secret."));
    }

    #[test]
    fn builtin_packs_read_the_same_as_json_and_as_toml() {
        for (name, text, json) in builtin::FILES {
            let from_toml: RuleFile = toml::from_str(text).unwrap();
            let from_json: RuleFile = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!from_toml.rule.is_empty(), "{name}");
            assert_eq!(
                format!("{:?}", from_toml.rule),
                format!("{:?}", from_json.rule),
                "{name}"
            );
        }
    }

    #[test]
    fn builtin_secret_runs_match_a_parse() {
        let mut b = RuleSet::builder();
        b.eager(true);
        let eager = b.build().unwrap();
        let lazy = RuleSet::builtin();
        let (mut checked, mut gated) = (0, 0);
        for (a, b) in eager.rules().iter().zip(lazy.rules()) {
            assert_eq!(a.secret_run(), b.secret_run(), "{}", a.id());
            assert_eq!(a.lead(), b.lead(), "{}", a.id());
            checked += usize::from(a.secret_run().is_some());
            gated += usize::from(!a.lead().is_empty());
        }
        assert!(checked > lazy.len() / 2, "{checked}");
        assert!(gated >= 5, "{gated}");
    }

    fn lead_of(pattern: &str) -> Vec<String> {
        shape::lead_literals(&shape::parse(pattern).unwrap())
    }

    #[test]
    fn lead_literals_begin_every_match() {
        assert_eq!(
            lead_of(r"(?i)\b(?:tel(?:ephone)?|phone)[: ]{0,3}([0-9]{7,12})"),
            ["phone", "tel"]
        );
        assert_eq!(
            lead_of("(?:电话号码:|(?i)fax ?no)([0-9]{8})"),
            ["fax no", "faxno", "电话号码:"]
        );
        // Literals are cut at 100 bytes; one cut inside a character keeps
        // the whole characters before it.
        let long = "电".repeat(40);
        assert_eq!(lead_of(&format!("{long}([0-9]{{6}})")), ["电".repeat(33)]);
        // Nothing useful: a class too wide to list, one byte, a digit.
        assert!(lead_of(r"\b[A-Z]{2}([0-9]{6})").is_empty());
        assert!(lead_of(r"(?:x|tel)([0-9]{6})").is_empty());
        assert!(lead_of(r"(?:0|tel)([0-9]{6})").is_empty());
        assert!(lead_of(r"([0-9]{6})").is_empty());
        // Every example of every gated built-in rule starts a match with
        // one of its literals.
        for r in
            RuleSet::builtin().rules().iter().filter(|r| !r.lead().is_empty())
        {
            for ex in r.examples() {
                for m in r.regex().find_iter(ex.as_bytes()) {
                    let at = ex.as_bytes()[m.start()..].to_ascii_lowercase();
                    assert!(
                        r.lead().iter().any(|l| at.starts_with(l.as_bytes())),
                        "{} {ex:?}",
                        r.id()
                    );
                }
            }
        }
    }

    const GOOD: &str = r#"
[[rule]]
id = "demo-token"
name = "Demo token"
category = "secret"
severity = "high"
keywords = ["DEMO_"]
pattern = '''\b(demo_[a-z0-9]{8})\b'''
secret_group = 1
examples = ["t = demo_k3j4h5g6"]
negatives = ["t = demo_short"]
"#;

    #[test]
    fn loads_a_good_rule() {
        let set = RuleSet::from_toml("good.toml", GOOD).unwrap();
        let r = set.get("demo-token").unwrap();
        assert_eq!(r.keywords(), ["demo_"]);
        assert_eq!(r.max_len(), 13);
        assert_eq!(r.secret_group(), 1);
        assert!(r.placeholder_filter);
        assert_eq!(r.source(), "good.toml");
    }

    #[test]
    fn reports_every_bad_rule_with_file_and_id() {
        let text = r#"
[[rule]]
id = "Bad_Id"
name = "x"
category = "secrets"
severity = "high"
keywords = ["x"]
pattern = '''x('''
examples = ["x"]
negatives = ["y"]

[[rule]]
id = "no-keywords"
name = "y"
category = "pii"
severity = "low"
pattern = '''y{3}'''
secret_group = 2
examples = ["yyy"]
"#;
        let err = RuleSet::from_toml("bad.toml", text).unwrap_err();
        let msg = err.to_string();
        for needle in [
            "bad.toml: rule `Bad_Id`: id \"Bad_Id\"",
            "category \"secrets\"",
            "rule `Bad_Id`: bad pattern",
            "rule `no-keywords`: has no keywords",
            "rule `no-keywords`: has no negatives",
            "secret_group 2 does not exist",
        ] {
            assert!(msg.contains(needle), "missing {needle:?} in:\n{msg}");
        }
        assert!(err.problems().len() >= 6, "{msg}");
    }

    #[test]
    fn duplicate_ids_across_files_are_named() {
        let mut b = RuleSet::builder();
        b.builtin(false).add_toml("a.toml", GOOD).add_toml("b.toml", GOOD);
        let msg = b.build().unwrap_err().to_string();
        assert!(msg.contains("b.toml: rule `demo-token`: duplicate id"));
        assert!(msg.contains("first defined in a.toml"), "{msg}");
    }

    #[test]
    fn toml_errors_name_the_file_and_unknown_fields_are_refused() {
        let err = RuleSet::from_toml("x.toml", "[[rule]\n").unwrap_err();
        assert!(err.to_string().starts_with("x.toml: invalid rule file"));
        let typo = GOOD.replace("secret_group", "secret_grp");
        let msg = RuleSet::from_toml("t.toml", &typo).unwrap_err().to_string();
        assert!(msg.contains("secret_grp"), "{msg}");
    }

    #[test]
    fn unbounded_patterns_get_default_or_declared_max_len() {
        let t = GOOD.replace("[a-z0-9]{8}", "[a-z0-9]+");
        let set = RuleSet::from_toml("t", &t).unwrap();
        assert_eq!(set.rules()[0].max_len(), DEFAULT_MAX_LEN);
        let t =
            t.replace("secret_group = 1", "secret_group = 1\nmax_len = 999");
        let set = RuleSet::from_toml("t", &t).unwrap();
        assert_eq!(set.rules()[0].max_len(), 999);
    }

    #[test]
    fn empty_matching_patterns_are_refused() {
        let t = GOOD.replace(r"\b(demo_[a-z0-9]{8})\b", "(demo_)?");
        let t = t.replace("secret_group = 1", "");
        let msg = RuleSet::from_toml("t", &t).unwrap_err().to_string();
        assert!(msg.contains("empty string"), "{msg}");
    }
}
