//! The scanner: engine candidates, confirmed by one shared stage.

use std::{ops::Range, path::PathBuf, sync::Arc};

use regex_automata::{
    dfa::{dense::DFA, Automaton},
    hybrid,
    util::captures::Captures,
    Anchored, Input,
};

use crate::{
    allow::{InlineAllow, SecretAllowlist, ALLOW_WINDOW},
    checks::{self, Check},
    engine::{AnyEngine, AnyScratch, Candidate, EngineKind},
    finding::{mask_preview, Action, Finding, Span},
    fingerprint::{CodeIndex, CodeThresholds},
    indexes::{IndexConfig, IndexScratch, Indexes},
    keyed::FingerprintKey,
    policy::Policy,
    precision,
    records::RecordsIndex,
    rules::{Rule, RuleError, RuleSet, SecretRun},
};

/// Bytes of look-around context kept on each side of a rule's window, so
/// that `\b` and `$` at a window edge see the real neighbouring character
/// (up to 4 bytes in UTF-8).
pub(crate) const CONTEXT: usize = 4;

/// Bytes of hits a buffer scan confirms per round (see `scan_with`).
const BATCH: usize = 256 << 10;

/// Builds a [`Scanner`].
///
/// ```
/// use leakguard::{Policy, RuleSet, ScannerBuilder};
///
/// let scanner = ScannerBuilder::new()
///     .policy(Policy::scan())
///     .build(&RuleSet::builtin())
///     .unwrap();
/// assert!(scanner.scan(b"nothing to see").is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct ScannerBuilder {
    config: Config,
}

#[derive(Clone, Debug, Default)]
struct Config {
    key: Option<FingerprintKey>,
    policy: Policy,
    inline_allow: bool,
    allow_secrets: Vec<String>,
    indexes: IndexConfig,
    engine: EngineKind,
    engine_cache: Option<PathBuf>,
}

impl ScannerBuilder {
    /// A builder with the default configuration: a random fingerprint key
    /// and the `filter` policy.
    pub fn new() -> ScannerBuilder {
        ScannerBuilder::default()
    }

    /// The key for finding fingerprints.
    pub fn fingerprint_key(&mut self, key: FingerprintKey) -> &mut Self {
        self.config.key = Some(key);
        self
    }

    /// The policy that sets each finding's action.
    pub fn policy(&mut self, policy: Policy) -> &mut Self {
        self.config.policy = policy;
        self
    }

    /// Whether inline markers such as `leakguard:allow` (and the other
    /// scanners' syntaxes in [`INLINE_MARKERS`](crate::INLINE_MARKERS)) on
    /// a finding's line or the line before drop it. Default no: in a prompt
    /// leaving the company, the sender must not be able to unlock redaction
    /// by typing a comment. `scan` and the hook turn it on.
    pub fn inline_allow(&mut self, yes: bool) -> &mut Self {
        self.config.inline_allow = yes;
        self
    }

    /// Regexes for secrets that never count (documentation values, test
    /// fixtures); each must match a whole secret.
    pub fn allow_secrets(&mut self, patterns: &[String]) -> &mut Self {
        self.config.allow_secrets = patterns.to_vec();
        self
    }

    /// Also finds copies of the indexed code (findings of category
    /// `code`).
    pub fn code_index(&mut self, index: Arc<CodeIndex>) -> &mut Self {
        self.config.indexes.code = Some(index);
        self
    }

    /// What a region matching the code index must reach to be reported.
    pub fn code_thresholds(&mut self, limits: CodeThresholds) -> &mut Self {
        self.config.indexes.thresholds = limits;
        self
    }

    /// Also finds values of the indexed customer records (findings of
    /// category `record`).
    pub fn records_index(&mut self, index: Arc<RecordsIndex>) -> &mut Self {
        self.config.indexes.records = Some(index);
        self
    }

    /// The prefilter backend (default [`EngineKind::Auto`]: Hyperscan when
    /// built with the `hyperscan` feature). Every backend gives the same
    /// findings.
    pub fn engine(&mut self, kind: EngineKind) -> &mut Self {
        self.config.engine = kind;
        self
    }

    /// A directory where the engine may cache its compiled database
    /// between runs (default none). Only the Hyperscan engine uses it; a
    /// cache file that fails any check is rebuilt, and one that cannot be
    /// written is skipped.
    pub fn engine_cache(&mut self, dir: Option<PathBuf>) -> &mut Self {
        self.config.engine_cache = dir;
        self
    }

    /// Compiles the rules into a scanner.
    ///
    /// # Errors
    ///
    /// When the prefilter cannot be built (or the chosen engine is not in
    /// this build) or an allowlist regex does not compile.
    pub fn build(&self, rules: &RuleSet) -> Result<Scanner, RuleError> {
        let engine = AnyEngine::build(
            rules,
            self.config.engine,
            self.config.engine_cache.as_deref(),
        )?;
        let longest =
            rules.rules().iter().map(|r| r.max_len()).max().unwrap_or(0);
        // Inline markers are looked for around each match, so a stream
        // must keep that much more on both sides.
        let around = if self.config.inline_allow { ALLOW_WINDOW } else { 0 };
        let indexes = Indexes::new(
            &self.config.indexes,
            &self.config.policy,
            rules.len(),
        );
        let look_back = (longest + CONTEXT + around).max(indexes.look_back());
        let hold_back = (engine.max_hit_len() + longest + CONTEXT + around)
            .max(indexes.hold_back());
        let allow_secrets = if self.config.allow_secrets.is_empty() {
            None
        } else {
            Some(SecretAllowlist::new(&self.config.allow_secrets)?)
        };
        let actions =
            rules.rules().iter().map(|r| self.config.policy.action_for(r));
        Ok(Scanner {
            inner: Arc::new(Inner {
                actions: actions.collect(),
                rules: rules.clone(),
                engine,
                key: self.config.key.clone().unwrap_or_default(),
                policy: self.config.policy.clone(),
                inline_allow: self.config.inline_allow.then(InlineAllow::new),
                allow_secrets,
                look_back,
                hold_back,
                indexes,
            }),
        })
    }
}

/// A compiled set of rules that finds leaks in bytes.
///
/// Compile once, share everywhere: `Scanner` is `Send + Sync` and cheap to
/// clone. Each thread scanning with [`Scanner::scan_with`] keeps its own
/// [`Scratch`].
#[derive(Clone, Debug)]
pub struct Scanner {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    rules: RuleSet,
    actions: Vec<Action>,
    engine: AnyEngine,
    key: FingerprintKey,
    policy: Policy,
    inline_allow: Option<InlineAllow>,
    allow_secrets: Option<SecretAllowlist>,
    look_back: usize,
    hold_back: usize,
    indexes: Indexes,
}

/// Mutable per-thread state for [`Scanner::scan_with`]: reused buffers, so a
/// warm scan allocates only for the findings it returns.
#[derive(Debug)]
pub struct Scratch {
    engine: AnyScratch,
    candidates: Vec<Candidate>,
    /// Room for sorting the candidates, and a count per rule.
    spare: Vec<Candidate>,
    counts: Vec<u32>,
    raw: Vec<Raw>,
    locs: Vec<Option<Captures>>,
    /// Per rule, the cache of its follow check's lazy DFA.
    follow: Vec<Option<hybrid::dfa::Cache>>,
    sweep: Sweep,
    /// Whether candidates share regex work through `sweep` (off only in
    /// the test that checks it changes nothing).
    share: bool,
    /// Whether the checks made before a rule's regex runs in a window
    /// (secret run, window DFA, follow) are made (off only in tests, to
    /// compare both ways).
    precheck: bool,
    /// What the secret-run check learnt of the current rule's windows.
    runs: RunMemo,
    /// Per rule, what its secret-run checks have cost so far.
    run_cost: Vec<RunCost>,
    indexes: IndexScratch,
}

/// How a rule's secret-run checks have gone in this scratch: once it has
/// judged [`RunCost::SAMPLE`] windows, the order of the rule's two checks
/// is fixed for good. Both are necessary conditions, so the order changes
/// only the cost, never a finding.
#[derive(Clone, Copy, Debug, Default)]
struct RunCost {
    windows: u32,
    passed: u32,
    bytes: u64,
    follow_first: Option<bool>,
}

impl RunCost {
    /// Windows judged before the order is fixed.
    const SAMPLE: u32 = 64;
    /// Bytes per window above which the follow check goes first.
    const FOLLOW_FIRST_BYTES: u64 = 256;

    /// Whether the follow check goes first. The run check goes first while
    /// the rule is sampled: its memo shares the bytes of overlapping
    /// windows, and most windows fail it for a few instructions each. When
    /// most windows pass it anyway (keywords in assignments that are not
    /// the rule's), or it reads many bytes per window, the follow check,
    /// which dies a few bytes after the hit in most text, goes first.
    fn follow_first(&mut self) -> bool {
        if let Some(first) = self.follow_first {
            return first;
        }
        if self.windows < Self::SAMPLE {
            return false;
        }
        let first = 2 * self.passed >= self.windows
            || self.bytes > Self::FOLLOW_FIRST_BYTES * u64::from(self.windows);
        self.follow_first = Some(first);
        first
    }
}

impl Scratch {
    /// The earliest offset an index finding not yet reported may start at.
    pub(crate) fn index_hold_from(&self) -> usize {
        self.indexes.hold_from()
    }
}

/// A confirmed match before it becomes a [`Finding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Raw {
    rule: u32,
    span: Span,
    secret: Span,
}

/// Where a line starts, so line and column can be counted forward.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LinePos {
    /// Absolute offset up to which newlines have been counted.
    pub(crate) pos: usize,
    /// 1-based line number at `pos`.
    pub(crate) line: u64,
    /// Absolute offset where that line starts.
    pub(crate) line_start: usize,
}

impl LinePos {
    pub(crate) const START: LinePos =
        LinePos { pos: 0, line: 1, line_start: 0 };

    /// Counts lines forward to absolute offset `to`; `hay[0]` is at `base`.
    pub(crate) fn advance(&mut self, hay: &[u8], base: usize, to: usize) {
        if to <= self.pos {
            return;
        }
        let region = &hay[self.pos - base..to - base];
        let newlines = memchr::memchr_iter(b'\n', region).count();
        if newlines > 0 {
            self.line += newlines as u64;
            let last = memchr::memrchr(b'\n', region).expect("counted one");
            self.line_start = self.pos + last + 1;
        }
        self.pos = to;
    }
}

impl Scanner {
    /// A scanner over `rules` with the default configuration.
    ///
    /// # Errors
    ///
    /// See [`ScannerBuilder::build`].
    pub fn new(rules: &RuleSet) -> Result<Scanner, RuleError> {
        ScannerBuilder::new().build(rules)
    }

    /// The rules this scanner runs.
    pub fn rules(&self) -> &RuleSet {
        &self.inner.rules
    }

    /// The prefilter backend it runs (never [`EngineKind::Auto`]).
    pub fn engine(&self) -> EngineKind {
        self.inner.engine.kind()
    }

    /// The policy it applies.
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// The fingerprint key.
    pub fn fingerprint_key(&self) -> &FingerprintKey {
        &self.inner.key
    }

    /// Bytes a streaming scan holds back before it can decide: the longest
    /// hit plus the longest match plus context.
    pub fn hold_back(&self) -> usize {
        self.inner.hold_back
    }

    /// Bytes before a hit that a match can start at (plus context).
    pub(crate) fn look_back(&self) -> usize {
        self.inner.look_back
    }

    /// Fresh scratch space for [`Scanner::scan_with`].
    pub fn scratch(&self) -> Scratch {
        Scratch {
            engine: self.inner.engine.new_scratch(),
            candidates: Vec::new(),
            spare: Vec::new(),
            counts: Vec::new(),
            raw: Vec::new(),
            locs: vec![None; self.inner.rules.len()],
            follow: vec![None; self.inner.rules.len()],
            indexes: self.inner.indexes.scratch(),
            sweep: Sweep::default(),
            share: true,
            precheck: true,
            runs: RunMemo::default(),
            run_cost: vec![RunCost::default(); self.inner.rules.len()],
        }
    }

    /// Scans a buffer and returns its findings in order of position.
    ///
    /// Findings whose action is [`Action::Allow`] are dropped.
    pub fn scan(&self, hay: &[u8]) -> Vec<Finding> {
        let mut out = Vec::new();
        self.scan_with(&mut self.scratch(), hay, &mut out);
        out
    }

    /// Scans a buffer into `out` (cleared first), reusing `scratch`.
    ///
    /// Findings are ordered by match start, then match end, then rule.
    pub fn scan_with(
        &self,
        scratch: &mut Scratch,
        hay: &[u8],
        out: &mut Vec<Finding>,
    ) {
        out.clear();
        // Rounds of at most BATCH bytes of hits, as the stream does: the
        // candidates of one round are held at once, one per keyword hit and
        // rule, so a whole 64 MiB buffer dense with keywords (or one run of
        // `a`s, where Twitter's `AAAA…` keyword hits at every byte) would
        // hold gigabytes. A round is long enough that only neighbours can
        // find the same match; it is kept once, as in the stream.
        let batch = BATCH.max(4 * self.hold_back());
        let mut lines = LinePos::START;
        let mut start = 0;
        let mut rounds = 0;
        loop {
            let end = (start + batch).min(hay.len());
            self.scan_round(scratch, hay, 0, start..end, lines, out);
            rounds += 1;
            if end == hay.len() {
                break;
            }
            start = end;
            lines.advance(hay, 0, start.saturating_sub(self.look_back()));
        }
        if rounds == 1 {
            out.sort_by(order);
            return;
        }
        out.sort_by(|a, b| {
            order(a, b).then_with(|| {
                (a.secret.start, a.secret.end)
                    .cmp(&(b.secret.start, b.secret.end))
            })
        });
        out.dedup_by(|a, b| {
            a.span == b.span
                && a.rule_index == b.rule_index
                && a.secret == b.secret
        });
    }

    /// Scans the candidates whose hit starts in `range` of `hay` (where
    /// `hay[0]` sits at absolute offset `base`), appending findings with
    /// absolute spans to `out`. `lines` must be at or before every finding.
    pub(crate) fn scan_round(
        &self,
        s: &mut Scratch,
        hay: &[u8],
        base: usize,
        range: Range<usize>,
        mut lines: LinePos,
        out: &mut Vec<Finding>,
    ) {
        let inner = &*self.inner;
        let (i, k) = (&inner.indexes, &inner.key);
        i.scan_round(&mut s.indexes, k, hay, base, range.clone(), lines, out);
        s.candidates.clear();
        s.raw.clear();
        let cands = &mut s.candidates;
        inner.engine.candidates(hay, range, &mut s.engine, |c| cands.push(c));
        if s.candidates.is_empty() {
            return;
        }
        // By rule, then hit start: a rule's windows come in order, so one
        // sweep per rule can share the regex work of overlapping windows.
        by_rule(
            &mut s.candidates,
            &mut s.spare,
            &mut s.counts,
            inner.rules.len(),
        );
        s.candidates.dedup();
        s.sweep.reset();
        s.runs = RunMemo::default();
        for c in &s.candidates {
            let rule = &inner.rules.rules()[c.rule as usize];
            if inner.actions[c.rule as usize] == Action::Allow {
                continue;
            }
            // A rule with a window DFA is confirmed only where it matches
            // (the capture search can find nothing else there); the others
            // where a secret's bytes could be and, for a rule with a follow
            // check, where the rest of its pattern can follow the hit. The
            // run check goes first (its memo makes it the cheaper of the
            // two) unless this rule's windows have mostly passed it or cost
            // it many bytes each (`RunCost`).
            if s.precheck {
                let w = window(rule, c.hit, hay.len());
                let may = if let Some(dfa) = rule.window_dfa() {
                    may_match(dfa, hay, w)
                } else {
                    let cost = &mut s.run_cost[c.rule as usize];
                    let follow_first = cost.follow_first();
                    // Counted only until the order is fixed.
                    let sampling = cost.follow_first.is_none();
                    let mut run = || {
                        rule.secret_run().is_none_or(|run| {
                            let (runs, bytes) = (&mut s.runs, &mut cost.bytes);
                            let holds =
                                runs.holds(c.rule, run, hay, w.clone(), bytes);
                            if sampling {
                                cost.windows += 1;
                                cost.passed += u32::from(holds);
                            }
                            holds
                        })
                    };
                    let follow = |follow_cache: &mut Vec<Option<_>>| {
                        rule.follow().is_none_or(|f| {
                            let cache = follow_cache[c.rule as usize]
                                .get_or_insert_with(|| f.create_cache());
                            follows(f, cache, hay, c.hit, &w)
                        })
                    };
                    // The follow check, then the run check, or the other way.
                    (!follow_first || follow(&mut s.follow))
                        && run()
                        && (follow_first || follow(&mut s.follow))
                };
                if !may {
                    continue;
                }
            }
            let locs = s.locs[c.rule as usize]
                .get_or_insert_with(|| rule.regex().create_captures());
            if !(s.share && s.sweep.confirm(rule, c, hay, locs, &mut s.raw)) {
                confirm(rule, c, hay, locs, &mut s.raw);
            }
        }
        // The same match may come from several hits.
        s.raw.sort_unstable_by_key(|r| (r.secret.start, r.span, r.rule));
        s.raw.dedup();
        for raw in &s.raw {
            let rule = &inner.rules.rules()[raw.rule as usize];
            let secret = &hay[raw.secret];
            if inner
                .inline_allow
                .as_ref()
                .is_some_and(|a| a.allows(hay, raw.span))
                || inner
                    .allow_secrets
                    .as_ref()
                    .is_some_and(|a| a.allows(secret))
            {
                continue;
            }
            lines.advance(hay, base, base + raw.secret.start);
            out.push(Finding {
                rule_index: raw.rule as usize,
                rule_id: rule.id.clone(),
                category: rule.category(),
                severity: rule.severity(),
                confidence: rule.confidence(),
                span: raw.span.offset(base),
                secret: raw.secret.offset(base),
                line: lines.line,
                column: (base + raw.secret.start - lines.line_start) as u64
                    + 1,
                preview: mask_preview(secret),
                fingerprint: inner.key.fingerprint(rule.id(), secret),
                action: inner.actions[raw.rule as usize],
                index_match: None,
            });
        }
    }
}

/// Orders `cands` by rule, then hit start; the order among candidates of
/// one rule with the same start is left as it comes, which does not matter
/// (see `Sweep`). A counting sort by rule keeps each rule's candidates in
/// the order the engine reported them, which is by start already for the
/// Rust engine and nearly so for Hyperscan (by end), so a rule's run only
/// needs sorting when it is out of order. Compared with sorting all of
/// them, it took a tenth of the instructions on code, where candidates are
/// many.
fn by_rule(
    cands: &mut Vec<Candidate>,
    spare: &mut Vec<Candidate>,
    counts: &mut Vec<u32>,
    rules: usize,
) {
    counts.clear();
    counts.resize(rules + 1, 0);
    for c in cands.iter() {
        counts[c.rule as usize + 1] += 1;
    }
    for i in 0..rules {
        counts[i + 1] += counts[i];
    }
    spare.clear();
    spare.extend_from_slice(cands);
    for c in cands.iter() {
        let slot = &mut counts[c.rule as usize];
        spare[*slot as usize] = *c;
        *slot += 1;
    }
    // `counts[r]` is now where rule r's candidates end.
    let mut start = 0;
    for &end in &counts[..rules] {
        let run = &mut spare[start..end as usize];
        if run.windows(2).any(|w| w[0].hit.start > w[1].hit.start) {
            run.sort_unstable_by_key(|c| c.hit.start);
        }
        start = end as usize;
    }
    std::mem::swap(cands, spare);
}

/// The order of findings in every output: by match start, match end, rule.
pub(crate) fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (a.span.start, a.span.end, a.rule_index).cmp(&(
        b.span.start,
        b.span.end,
        b.rule_index,
    ))
}

/// The bytes a candidate's confirmation searches: a match overlapping the
/// hit starts at most `max_len` before it and ends before `hit.end +
/// max_len`; CONTEXT more bytes let a trailing `\b` see the next character.
/// Truncating the haystack here, not at its end, keeps the work bounded by
/// the window.
fn window(rule: &Rule, hit: Span, len: usize) -> Range<usize> {
    let start = hit.start.saturating_sub(rule.max_len);
    start..(hit.end + rule.max_len + CONTEXT).min(len)
}

/// Whether the rule's regex has a match in `hay[w]`, judged as
/// [`confirm`] searches it: within `hay[..w.end]`, from `w.start`, with
/// the bytes before `w.start` for look-behind. `true` when the DFA gives
/// up, which it cannot here (no Unicode word boundary), so that an error
/// costs only time.
fn may_match(dfa: &DFA<&'static [u32]>, hay: &[u8], w: Range<usize>) -> bool {
    let input = Input::new(&hay[..w.end]).span(w).earliest(true);
    !matches!(dfa.try_search_fwd(&input), Ok(None))
}

/// Whether the rest of the rule's pattern after its keyword part
/// ([`Rule::follow`]) matches at the hit's end, searched within
/// `hay[..w.end]` as [`confirm`] searches the window.
fn follows(
    rest: &hybrid::dfa::DFA,
    cache: &mut hybrid::dfa::Cache,
    hay: &[u8],
    hit: Span,
    w: &Range<usize>,
) -> bool {
    let input = Input::new(&hay[..w.end])
        .span(hit.end..w.end)
        .anchored(Anchored::Yes)
        .earliest(true);
    // A DFA that gives up (its cache thrashing) costs only time.
    !matches!(rest.try_search_fwd(cache, &input), Ok(None))
}

/// Runs the rule's regex in a window around the hit: every match that
/// overlaps the hit and whose secret passes the rule's filters is kept.
fn confirm(
    rule: &Rule,
    c: &Candidate,
    hay: &[u8],
    locs: &mut Captures,
    out: &mut Vec<Raw>,
) {
    let hit = c.hit;
    let Range { start: window_start, end: window_end } =
        window(rule, hit, hay.len());
    let window = &hay[..window_end];
    // Native rules' keywords occur inside every match, so only matches
    // overlapping the hit count; imported rules may name context words, and
    // then any match in the window counts.
    let stop = if rule.keyword_in_match { hit.end } else { window_end };
    let mut at = window_start;
    while at < stop {
        let Some(m) = captures_at(rule, locs, window, at) else {
            break;
        };
        if m.start() >= stop {
            break;
        }
        if m.end() > hit.start || !rule.keyword_in_match {
            if let Some((s, e)) = group(locs, rule.secret_group) {
                if s < e && accept(rule, &hay[s..e]) {
                    out.push(Raw {
                        rule: c.rule,
                        span: Span::new(m.start(), m.end()),
                        secret: Span::new(s, e),
                    });
                }
            }
        }
        // Patterns cannot match empty (checked at load), so this advances.
        at = m.end().max(m.start() + 1);
    }
}

/// The rule's first match in `hay` starting at or after `at` (looking at
/// the bytes before `at` for look-behind), with its groups in `locs`: what
/// `regex::bytes::Regex::captures_read_at` does.
fn captures_at(
    rule: &Rule,
    locs: &mut Captures,
    hay: &[u8],
    at: usize,
) -> Option<regex_automata::Match> {
    let input = Input::new(hay).span(at..hay.len());
    rule.regex().search_captures(&input, locs);
    locs.get_match()
}

/// Where capture group `i` of the last search matched.
fn group(locs: &Captures, i: usize) -> Option<(usize, usize)> {
    locs.get_group(i).map(|g| (g.start, g.end))
}

/// One rule's regex matches, found once and shared by that rule's
/// candidates whose windows overlap.
///
/// From a start position `w`, `confirm` walks the rule's leftmost-first
/// matches `m1, m2, ...` (each search resuming at the previous match's
/// end). The match found from a position depends only on the first
/// position at or after it where the regex can match, so two walks agree
/// from the moment one's start falls in a *gap* of the other (between the
/// resume point after a match and the next match's start). For a bounded
/// rule whose keyword is in the match, every match that can overlap a hit
/// lies, with its 4 bytes of context, inside the hit's window, so a walk
/// within one window is a walk over the whole haystack. The sweep keeps
/// the walk of the rule's earlier candidates; a later candidate whose
/// window starts in one of its gaps reuses the matches found there and
/// extends the walk, instead of searching its window again. A window that
/// starts inside a known match is searched on its own, as before.
#[derive(Debug, Default)]
struct Sweep {
    /// The rule being swept.
    rule: Option<u32>,
    /// Matches of the walk, in order, each with its secret if the rule's
    /// filters accept it.
    found: Vec<(Span, Option<Span>)>,
    /// The walk is known up to here: every match starting before it is in
    /// `found`.
    cursor: usize,
}

impl Sweep {
    fn reset(&mut self) {
        self.rule = None;
        self.found.clear();
        self.cursor = 0;
    }

    /// Confirms `c` as [`confirm`] does, sharing the walk; `false` when the
    /// rule or the window does not allow it and `confirm` must run.
    fn confirm(
        &mut self,
        rule: &Rule,
        c: &Candidate,
        hay: &[u8],
        locs: &mut Captures,
        out: &mut Vec<Raw>,
    ) -> bool {
        if !rule.bounded || !rule.keyword_in_match {
            return false;
        }
        let hit = c.hit;
        let Range { start: window_start, end: window_end } =
            window(rule, hit, hay.len());
        let stop = hit.end;
        if self.rule != Some(c.rule) || window_start >= self.cursor {
            self.rule = Some(c.rule);
            self.found.clear();
            self.cursor = window_start;
        } else {
            // Candidates come by hit, so the window starts at or after the
            // walk's start; it must start in a gap of the walk.
            let before =
                self.found.partition_point(|(m, _)| m.start < window_start);
            let inside = before > 0 && {
                let m = self.found[before - 1].0;
                window_start < m.end.max(m.start + 1)
            };
            if inside {
                return false;
            }
        }
        let window = &hay[..window_end];
        while self.cursor < stop {
            let m = captures_at(rule, locs, window, self.cursor);
            let Some(m) = m.filter(|m| m.start() < stop) else {
                // No match can start in [cursor, stop): it would have been
                // found within the window.
                self.cursor = stop;
                break;
            };
            let secret = group(locs, rule.secret_group)
                .filter(|&(s, e)| s < e && accept(rule, &hay[s..e]))
                .map(|(s, e)| Span::new(s, e));
            self.found.push((Span::new(m.start(), m.end()), secret));
            // Patterns cannot match empty (checked at load): this advances.
            self.cursor = m.end().max(m.start() + 1);
        }
        let first =
            self.found.partition_point(|(m, _)| m.start < window_start);
        for &(span, secret) in &self.found[first..] {
            if span.start >= stop {
                break;
            }
            if let Some(secret) = secret.filter(|_| span.end > hit.start) {
                out.push(Raw { rule: c.rule, span, secret });
            }
        }
        true
    }
}

/// The secret-run check of one rule's windows, which come in order of hit
/// and overlap: a place found in one window answers for every later window
/// that holds it, and a scan that found none goes on from where it stopped,
/// so each byte is looked at about once per rule.
#[derive(Debug, Default)]
struct RunMemo {
    rule: Option<u32>,
    /// Where a secret could be, as [`SecretRun::scan`] names it.
    found: Option<Range<usize>>,
    /// A scan of `.0` found no place that ends inside it; `.1` is the
    /// scan's state at its end.
    clean: Option<(Range<usize>, Option<usize>)>,
}

impl RunMemo {
    /// Whether window `w` of `rule` may hold a secret the rule reports:
    /// the same answer as a scan of `w` alone. Adds the bytes it reads to
    /// `read`.
    fn holds(
        &mut self,
        rule: u32,
        run: &SecretRun,
        hay: &[u8],
        w: Range<usize>,
        read: &mut u64,
    ) -> bool {
        if self.rule != Some(rule) {
            *self = RunMemo { rule: Some(rule), found: None, clean: None };
        }
        if self
            .found
            .as_ref()
            .is_some_and(|f| w.start <= f.start && f.end <= w.end)
        {
            return true;
        }
        let resumed = match &self.clean {
            Some((c, start)) if c.start <= w.start && w.start <= c.end => {
                run.restart(*start, w.start).map(|start| (c.end, start))
            }
            _ => None,
        };
        let (at, start) = resumed.unwrap_or((w.start, run.fresh(w.start)));
        if w.end <= at {
            // The earlier scan passed the window's end and found nothing
            // ending before it.
            return w.end == at && run.at_end(start, at).is_some();
        }
        let place = match run.scan(hay, at..w.end, start) {
            Ok(place) => {
                *read += place.end.min(w.end).saturating_sub(at) as u64;
                Some(place)
            }
            Err(start) => {
                *read += (w.end - at) as u64;
                self.clean = Some((w.start..w.end, start));
                run.at_end(start, w.end)
            }
        };
        let hit = place.is_some();
        if hit {
            self.found = place;
        }
        hit
    }
}

/// The rule's filters on the secret bytes.
fn accept(rule: &Rule, secret: &[u8]) -> bool {
    if let Some(min) = rule.min_entropy {
        if checks::shannon_entropy(secret) < min {
            return false;
        }
    }
    if rule.check != Check::None && !rule.check.validate(secret) {
        return false;
    }
    if rule.allow.as_ref().is_some_and(|a| a.is_match(secret)) {
        return false;
    }
    if !rule.stopwords.is_empty() {
        // Stopwords are stored lowercase; compare without a lowercase copy.
        let hit = rule.stopwords.iter().any(|w| {
            let w = w.as_bytes();
            secret.windows(w.len()).any(|s| s.eq_ignore_ascii_case(w))
        });
        if hit {
            return false;
        }
    }
    if rule.noise_filter && precision::is_noise(secret) {
        return false;
    }
    // Placeholders (`<your-key>`, `xxxx`) are short. A long random body, a
    // private key say, contains `xxxx` or `sample` by chance (proptest found
    // an EC key whose base64 held `xXXx`), and must still count.
    !(rule.placeholder_filter
        && secret.len() <= PLACEHOLDER_MAX_LEN
        && checks::is_placeholder(secret))
}

/// Longest secret the placeholder filter judges.
const PLACEHOLDER_MAX_LEN: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner(toml: &str) -> Scanner {
        with_key(&RuleSet::from_toml("t", toml).unwrap())
    }

    fn with_key(rules: &RuleSet) -> Scanner {
        ScannerBuilder::new()
            .fingerprint_key(FingerprintKey::from_bytes([1; 32]))
            .build(rules)
            .unwrap()
    }

    fn builtin_scanner() -> (RuleSet, Scanner) {
        let rules = RuleSet::builtin();
        let s = with_key(&rules);
        (rules, s)
    }

    const AWS: &str = r#"
[[rule]]
id = "aws-access-key-id"
name = "AWS access key ID"
category = "secret"
severity = "high"
keywords = ["akia", "asia"]
pattern = '''\b((?:AKIA|ASIA)[A-Z2-7]{16})\b'''
secret_group = 1
examples = ['k = AKIAZ3MSJV4WWNKWW5FG']
negatives = ['AKIAXXXXXXXXXXXXXXXX']

[[rule]]
id = "mobile"
name = "mobile"
category = "pii"
severity = "medium"
prefilter = "digits"
min_digits = 11
pattern = '''\b(1[3-9][0-9]{9})\b'''
secret_group = 1
examples = ['13812345678']
negatives = ['23812345678']
"#;

    #[test]
    fn finds_spans_lines_and_columns() {
        let s = scanner(AWS);
        let hay = "line one\n密钥AKIAZ3MSJV4WWNKWW5FG\n手机号13812345678谢谢";
        let f = s.scan(hay.as_bytes());
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].rule_id(), "aws-access-key-id");
        assert_eq!(
            &hay[f[0].secret.start..f[0].secret.end],
            "AKIAZ3MSJV4WWNKWW5FG"
        );
        assert_eq!((f[0].line(), f[0].column()), (2, 7));
        assert_eq!(f[0].preview(), "AKIA…W5FG");
        assert_eq!(f[1].rule_id(), "mobile");
        assert_eq!(&hay[f[1].secret.start..f[1].secret.end], "13812345678");
        assert_eq!((f[1].line(), f[1].column()), (3, 10));
    }

    #[test]
    fn boundaries_and_placeholders_reject() {
        let s = scanner(AWS);
        assert!(s.scan(b"XAKIAZ3MSJV4WWNKWW5FG").is_empty());
        assert!(s.scan(b"AKIAZ3MSJV4WWNKWW5FGA").is_empty());
        assert!(s.scan(b"AKIAXXXXXXXXXXXXXXXX").is_empty());
        assert!(s.scan(b"138123456789").is_empty());
    }

    #[test]
    fn debug_of_finding_holds_no_secret() {
        let s = scanner(AWS);
        let f = s.scan(b"AKIAZ3MSJV4WWNKWW5FG");
        let shown = format!("{:?} {}", f[0], f[0]);
        assert!(!shown.contains("Z3MSJV4WWNKWW"), "{shown}");
    }

    /// Keyword-dense text where windows of one rule overlap, start inside
    /// earlier matches and in gaps: sharing the walk must change nothing.
    #[test]
    fn shared_windows_give_the_same_findings() {
        let (rules, s) = builtin_scanner();
        let mut pieces: Vec<String> = rules
            .rules()
            .iter()
            .flat_map(|r| r.examples().iter().chain(r.keywords()).cloned())
            .collect();
        pieces.extend(
            [" = ", "\"", "'", ": ", "\n", "token", "secret=", "key ", "12"]
                .map(String::from),
        );
        let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15u64);
        let mut next = |n: usize| rng.below(n);
        let mut total = 0;
        for _ in 0..200 {
            let mut hay = String::new();
            for _ in 0..next(30) {
                hay.push_str(&pieces[next(pieces.len())]);
                if next(3) == 0 {
                    hay.push(' ');
                }
            }
            let (mut shared, mut plain) = (s.scratch(), s.scratch());
            plain.share = false;
            let (mut a, mut b) = (Vec::new(), Vec::new());
            s.scan_with(&mut shared, hay.as_bytes(), &mut a);
            s.scan_with(&mut plain, hay.as_bytes(), &mut b);
            assert_eq!(a, b, "{hay:?}");
            // Neither shared walks nor the secret-run check change anything.
            plain.precheck = false;
            b.clear();
            s.scan_with(&mut plain, hay.as_bytes(), &mut b);
            assert_eq!(a, b, "{hay:?}");
            total += a.len();
        }
        assert!(total > 200, "{total}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        /// Over a rule's windows in order, the memo answers as a fresh
        /// look at each window would.
        #[test]
        fn the_run_memo_answers_as_each_window_alone(
            hay in proptest::collection::vec(
                proptest::sample::select(b"ab1=\"' :_x".to_vec()), 0..60),
            mut hits in proptest::collection::vec((0usize..60, 1usize..4), 1..16),
            len in 2usize..12,
            which in 0usize..3,
        ) {
            let pattern = [
                r#"k=["']([a-z0-9]{4,})["']"#,
                r"k:?\b([0-9ab]{5,})",
                r#"(?:[ "]([a-z1]{2,6})=?)+k"#,
            ][which];
            let toml = format!(
                "[[rule]]\nid = \"r\"\nname = \"r\"\ncategory = \"secret\"\n\
                 severity = \"high\"\nkeywords = [\"k\"]\n\
                 pattern = '''{pattern}'''\nsecret_group = 1\nmax_len = {len}\n\
                 examples = [\"-\"]\nnegatives = [\"-\"]\n"
            );
            let rules = RuleSet::from_toml("t", &toml).unwrap();
            let rule = &rules.rules()[0];
            let run = rule.secret_run().unwrap();
            hits.sort_unstable();
            let mut memo = RunMemo::default();
            for (start, n) in hits {
                let start = start.min(hay.len());
                let hit = Span::new(start, (start + n).min(hay.len()));
                let w = window(rule, hit, hay.len());
                let alone = run.find(&hay, w.clone()).is_some();
                proptest::prop_assert_eq!(memo.holds(0, run, &hay, w, &mut 0), alone);
            }
        }
    }

    /// Scans `hay` with the checks made before the capture search and
    /// without them, requires the same findings, and returns how many and
    /// the checked scan's candidates.
    fn same_with_and_without_checks(
        s: &Scanner,
        hay: &str,
    ) -> (usize, Vec<Candidate>) {
        same_with_and_without_checks_in(s, s.scratch(), hay)
    }

    /// As [`same_with_and_without_checks`], the checked scan in `on`.
    fn same_with_and_without_checks_in(
        s: &Scanner,
        mut on: Scratch,
        hay: &str,
    ) -> (usize, Vec<Candidate>) {
        let mut off = s.scratch();
        off.precheck = false;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        s.scan_with(&mut on, hay.as_bytes(), &mut a);
        s.scan_with(&mut off, hay.as_bytes(), &mut b);
        assert_eq!(a, b, "{hay:?}");
        (a.len(), on.candidates)
    }

    #[test]
    fn the_secret_run_check_changes_no_finding() {
        // Values around the run lengths the check asks for (entropy 3.0
        // and 3.5 need 8 and 12 distinct-enough bytes, a 40-hex token 40),
        // after the keywords of the rules it skips most often.
        let (rules, s) = builtin_scanner();
        let keys = [
            "secret",
            "token",
            "api_key",
            "github",
            "GITHUB_CLIENT_SECRET",
            "password",
            "passwd",
            "aws_secret_access_key",
            "slack",
            "sk-",
        ];
        let joins = ["=", " = \"", ": '", "\": \"", " is ", "=\"", "\n"];
        let alphabet = b"0123456789abcdefABCDEF_-+/=.~ghijkXYZ";
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1du64);
        let mut next = |n: usize| rng.below(n);
        let (mut total, mut skipped) = (0, 0);
        for _ in 0..400 {
            let mut hay = String::new();
            for _ in 0..1 + next(4) {
                hay.push_str(keys[next(keys.len())]);
                hay.push_str(joins[next(joins.len())]);
                // Draw from a prefix of the alphabet: hex only, or wider.
                let width = [10, 16, 22, alphabet.len()][next(4)];
                for _ in 0..next(48) {
                    hay.push(char::from(alphabet[next(width)]));
                }
                hay.push_str(["\"", "'", "\n", " ", ""][next(5)]);
            }
            let (found, candidates) = same_with_and_without_checks(&s, &hay);
            total += found;
            // Count windows the check rules out, so the test shows it ran.
            for c in &candidates {
                let rule = &rules.rules()[c.rule as usize];
                if let Some(run) = rule.secret_run() {
                    let w = window(rule, c.hit, hay.len());
                    skipped += usize::from(!run.within(&hay.as_bytes()[w]));
                }
            }
        }
        assert!(total > 100 && skipped > 100, "{total} {skipped}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// A window DFA says there is a match exactly where the rule's
        /// regex finds one, searched as `confirm` searches: around every
        /// digit rule's examples, cut and joined at random places, with
        /// random windows.
        #[test]
        fn window_dfas_answer_as_the_regex(
            picks in proptest::collection::vec((0usize..64, 0usize..64), 1..4),
            noise in proptest::collection::vec(
                proptest::sample::select(b"0123456789 -.()AZx:".to_vec()), 0..12),
            cut in (0usize..80, 0usize..80),
        ) {
            let (rules, _) = builtin_scanner();
            let with: Vec<&Rule> =
                rules.rules().iter().filter(|r| r.window_dfa().is_some()).collect();
            let mut hay = Vec::new();
            for &(r, e) in &picks {
                let rule = with[r % with.len()];
                let texts: Vec<&String> =
                    rule.examples().iter().chain(rule.negatives()).collect();
                hay.extend_from_slice(texts[e % texts.len()].as_bytes());
                hay.extend_from_slice(&noise);
            }
            let (a, b) = (cut.0.min(hay.len()), cut.1.min(hay.len()));
            let w = a.min(b)..a.max(b);
            for rule in &with {
                let input = Input::new(&hay[..w.end]).span(w.clone());
                let regex = rule.regex().is_match(input);
                let dfa = may_match(rule.window_dfa().unwrap(), &hay, w.clone());
                proptest::prop_assert_eq!(dfa, regex, "{}", rule.id());
            }
        }
    }

    /// Digit rules' windows are skipped where their DFA finds no match:
    /// the findings are those of a scan without any check before the
    /// capture search.
    #[test]
    fn window_dfas_change_no_finding() {
        let (rules, s) = builtin_scanner();
        let with: Vec<&Rule> = rules
            .rules()
            .iter()
            .filter(|r| r.window_dfa().is_some())
            .collect();
        let mut pieces: Vec<String> = with
            .iter()
            .flat_map(|r| r.examples().iter().chain(r.negatives()))
            .cloned()
            .collect();
        pieces.extend(
            ["123456", "A1234567", " ", "-", "(", ")", "\n", "0", "SSN "]
                .map(String::from),
        );
        let seed = 0x5851_f42d_4c95_7f2du64;
        let (total, skipped) = same_findings_on_soup(
            &s,
            &rules,
            &pieces,
            seed,
            |rule, c, hay| {
                rule.window_dfa().is_some_and(|dfa| {
                    !may_match(dfa, hay, window(rule, c.hit, hay.len()))
                })
            },
        );
        assert!(total > 100 && skipped > 100, "{total} {skipped}");
    }

    /// Scans 300 texts of one to six random `pieces` with and without
    /// the checks made before the capture search, which must give the
    /// same findings, and returns how many there were and how many of the
    /// checked scans' candidates `skips` says a check ruled out.
    fn same_findings_on_soup(
        s: &Scanner,
        rules: &RuleSet,
        pieces: &[String],
        seed: u64,
        mut skips: impl FnMut(&Rule, &Candidate, &[u8]) -> bool,
    ) -> (usize, usize) {
        same_findings_on_soup_in(
            s,
            rules,
            pieces,
            seed,
            || s.scratch(),
            &mut skips,
        )
    }

    /// As [`same_findings_on_soup`], each checked scan in a scratch from
    /// `scratch`.
    fn same_findings_on_soup_in(
        s: &Scanner,
        rules: &RuleSet,
        pieces: &[String],
        seed: u64,
        scratch: impl Fn() -> Scratch,
        mut skips: impl FnMut(&Rule, &Candidate, &[u8]) -> bool,
    ) -> (usize, usize) {
        let mut rng = crate::test_rng::XorShift::new(seed);
        let mut next = |n: usize| rng.below(n);
        let (mut total, mut skipped) = (0, 0);
        for _ in 0..300 {
            let mut hay = String::new();
            for _ in 0..1 + next(6) {
                hay.push_str(&pieces[next(pieces.len())]);
            }
            let (found, candidates) =
                same_with_and_without_checks_in(s, scratch(), &hay);
            total += found;
            for c in &candidates {
                let rule = &rules.rules()[c.rule as usize];
                skipped += usize::from(skips(rule, c, hay.as_bytes()));
            }
        }
        (total, skipped)
    }

    /// Every match of a rule with a follow check holds a keyword hit that
    /// the check lets through: each example and negative of every such
    /// rule, alone and joined to the next, every match of its regex.
    #[test]
    fn every_match_has_a_hit_its_follow_check_passes() {
        let (rules, _) = builtin_scanner();
        let with: Vec<&Rule> =
            rules.rules().iter().filter(|r| r.follow().is_some()).collect();
        assert!(with.len() >= 100, "{}", with.len());
        let (mut matches, mut rejected) = (0, 0);
        for rule in &with {
            let f = rule.follow().unwrap();
            let mut cache = f.create_cache();
            let texts: Vec<&String> =
                rule.examples().iter().chain(rule.negatives()).collect();
            for (k, text) in texts.iter().enumerate() {
                let next = texts[(k + 1) % texts.len()];
                for hay in [text.to_string(), format!("{text} {next}")] {
                    let hay = hay.as_bytes();
                    let lower = hay.to_ascii_lowercase();
                    let hits: Vec<Span> = rule
                        .keywords()
                        .iter()
                        .flat_map(|kw| {
                            memchr::memmem::find_iter(&lower, kw.as_bytes())
                                .map(|i| Span::new(i, i + kw.len()))
                        })
                        .collect();
                    let w = 0..hay.len();
                    let passes: Vec<bool> = hits
                        .iter()
                        .map(|&h| follows(f, &mut cache, hay, h, &w))
                        .collect();
                    rejected += passes.iter().filter(|p| !**p).count();
                    for m in rule.regex().find_iter(hay) {
                        matches += 1;
                        let ok = hits.iter().zip(&passes).any(|(h, &p)| {
                            p && m.start() <= h.start && h.end <= m.end()
                        });
                        assert!(ok, "{}: {:?}", rule.id(), &hay[m.range()]);
                    }
                }
            }
        }
        assert!(matches > 500 && rejected > 100, "{matches} {rejected}");
    }

    /// Keyword hits the rest of their rule's pattern cannot follow are
    /// skipped: findings are those of a scan without any check, on the
    /// examples and negatives of the rules with a follow check, cut into
    /// pieces and joined with keywords and separators.
    #[test]
    fn follow_checks_change_no_finding() {
        let (rules, s) = builtin_scanner();
        let with: Vec<&Rule> =
            rules.rules().iter().filter(|r| r.follow().is_some()).collect();
        let mut pieces: Vec<String> = with
            .iter()
            .flat_map(|r| r.examples().iter().chain(r.negatives()))
            .flat_map(|t| {
                // Whole, and cut in two at a character boundary.
                let cut = (0..=t.len() / 2)
                    .rev()
                    .find(|&i| t.is_char_boundary(i))
                    .unwrap_or(0);
                [t.clone(), t[..cut].to_string(), t[cut..].to_string()]
            })
            .collect();
        pieces.extend(
            [
                "token", "secret", "password", "api_key", " = ", ": ", "\\n",
                "\n", " ", "\"", "=", "export ", "TOKEN=",
            ]
            .map(String::from),
        );
        let seed = 0x9e37_79b9_7f4a_7c15u64;
        let skips = |rule: &Rule, c: &Candidate, hay: &[u8]| {
            rule.follow().is_some_and(|f| {
                let w = window(rule, c.hit, hay.len());
                !follows(f, &mut f.create_cache(), hay, c.hit, &w)
            })
        };
        // The run check first, as a fresh scratch has it, then the follow
        // check first for every rule.
        let (total, skipped) =
            same_findings_on_soup(&s, &rules, &pieces, seed, skips);
        assert!(total > 100 && skipped > 100, "{total} {skipped}");
        let follow_first = || {
            let mut on = s.scratch();
            for cost in &mut on.run_cost {
                cost.follow_first = Some(true);
            }
            on
        };
        let (total, skipped) = same_findings_on_soup_in(
            &s,
            &rules,
            &pieces,
            seed,
            follow_first,
            skips,
        );
        assert!(total > 100 && skipped > 100, "{total} {skipped}");
    }

    /// A rule most of whose windows pass the secret-run check gets its
    /// follow check first once sampled, one whose windows fail it keeps
    /// the run check first, and the findings are those of a scan without
    /// checks.
    #[test]
    fn the_order_of_the_checks_follows_their_cost() {
        let (rules, s) = builtin_scanner();
        let id = |name: &str| {
            rules.rules().iter().position(|r| r.id() == name).unwrap()
        };
        // `xml-secret-element`'s windows hold the bytes of a secret (the
        // values, between spaces), but no element follows its keyword.
        // `airtable-personal-access-token`'s keyword `pat` comes with no
        // run of secret bytes long enough.
        let mut hay = String::new();
        for i in 0..200 {
            hay.push_str(&format!(
                "token = Zq{i:04}wJ8rT2vLx9bN4mK7pQ3sY6dF1hG5cV0n is set\n\
                 the path of pat {i}\n"
            ));
        }
        // A finding of each rule after the sampling.
        hay.push_str("<apiKey>Zq9wJ8rT2vLx9bN4mK7pQ3</apiKey>\n");
        hay.push_str("AIRTABLE_TOKEN=patAbCdEfGhIjKlMn.");
        hay.push_str(&"0123456789abcdef".repeat(4));
        hay.push('\n');
        let mut on = s.scratch();
        let (mut off, mut found, mut unchecked) =
            (s.scratch(), Vec::new(), Vec::new());
        off.precheck = false;
        s.scan_with(&mut on, hay.as_bytes(), &mut found);
        s.scan_with(&mut off, hay.as_bytes(), &mut unchecked);
        assert_eq!(found, unchecked);
        let xml = id("xml-secret-element");
        let pat = id("airtable-personal-access-token");
        assert!(rules.rules()[xml].follow().is_some());
        assert!(rules.rules()[pat].follow().is_some());
        assert_eq!(on.run_cost[xml].follow_first, Some(true));
        assert_eq!(on.run_cost[pat].follow_first, Some(false));
        let ids: Vec<&str> = found.iter().map(|f| &*f.rule_id).collect();
        assert!(ids.contains(&"xml-secret-element"), "{ids:?}");
        assert!(ids.contains(&"airtable-personal-access-token"), "{ids:?}");
    }

    /// Digit rules whose matches begin with a lead literal (`tel`, `DNI`,
    /// `电话`) are proposed only when one starts close enough before the
    /// run: with every gate open instead, findings must be the same.
    #[test]
    fn digit_gates_change_no_finding() {
        let (rules, s) = builtin_scanner();
        let gated: Vec<u32> = (0..rules.len() as u32)
            .filter(|&i| !rules.rules()[i as usize].lead().is_empty())
            .collect();
        assert!(gated.len() >= 5, "{gated:?}");
        let mut words: Vec<String> = gated
            .iter()
            .flat_map(|&i| rules.rules()[i as usize].lead().to_vec())
            .collect();
        words.extend(words.clone().iter().map(|w| w.to_ascii_uppercase()));
        words.extend(
            ["Phone number", "Tel.", "mobile no", "card", "call me", "x"]
                .map(String::from),
        );
        let joins = [" ", ": ", "=", "\n", "：", " no. ", " is ", "", "#"];
        let mut rng = crate::test_rng::XorShift::new(0x51ed_27a3_b6c0_9d41u64);
        let mut next = |n: usize| rng.below(n);
        let (mut total, mut dropped) = (0, 0);
        let mut found = std::collections::BTreeSet::new();
        let mut long = String::new();
        for _ in 0..1200 {
            let mut hay = String::new();
            for _ in 0..1 + next(5) {
                if next(4) != 0 {
                    hay.push_str(&words[next(words.len())]);
                }
                // Padding moves the number across the gate's reach.
                for _ in 0..[0, 1, 5, 30][next(4)] {
                    hay.push(['a', ' ', '-', '\n'][next(4)]);
                }
                hay.push_str(joins[next(joins.len())]);
                hay.push_str(["", "+", "(", "+86 ", "+1 "][next(5)]);
                for k in 0..6 + next(14) {
                    if k > 0 && next(5) == 0 {
                        hay.push([' ', '-', '.'][next(3)]);
                    }
                    hay.push(char::from(b'0' + next(10) as u8));
                }
                hay.push_str(["", " ", ")", "\n", "X"][next(5)]);
            }
            let (mut on, mut off) = (s.scratch(), s.scratch());
            off.engine.gates().open = true;
            let (mut a, mut b) = (Vec::new(), Vec::new());
            s.scan_with(&mut on, hay.as_bytes(), &mut a);
            s.scan_with(&mut off, hay.as_bytes(), &mut b);
            assert_eq!(a, b, "{hay:?}");
            long.push_str(&hay);
            for f in &a {
                if gated.contains(&(f.rule_index as u32)) {
                    total += 1;
                    found.insert(f.rule_id().to_string());
                }
            }
            let count = |c: &[Candidate]| {
                c.iter().filter(|c| gated.contains(&c.rule)).count()
            };
            dropped += count(&off.candidates) - count(&on.candidates);
        }
        // A stream reads gate hits across its rounds' edges too.
        let want = s.scan(long.as_bytes());
        for chunk in [1, 5, 64, 1000] {
            let mut stream = crate::stream::StreamScanner::new(&s);
            stream.chunk_size(chunk);
            let mut got = Vec::new();
            stream.scan(long.as_bytes(), |f| got.push(f.clone())).unwrap();
            assert!(got == want, "chunk {chunk}");
        }
        // Both ways happen: gated rules find things, and runs are dropped.
        assert!(total > 100 && dropped > 1000, "{total} {dropped}");
        assert!(found.len() >= 4, "{found:?}");
    }

    #[test]
    fn same_secret_same_fingerprint() {
        let s = scanner(AWS);
        let f = s.scan(b"AKIAZ3MSJV4WWNKWW5FG AKIAZ3MSJV4WWNKWW5FG");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].fingerprint(), f[1].fingerprint());
    }
}
