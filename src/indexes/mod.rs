//! The scanner's look-ups in the code and records indexes.
//!
//! [`Indexes::scan_round`] is the one call the scanner makes per round (a
//! buffer scan is one round; a stream makes many). It turns code regions
//! and record candidates into [`Finding`]s of category `code` and `record`.
//! Code detection carries state from round to round ([`IndexScratch`]);
//! records are decided from a bounded window around each candidate. Both
//! need only the look-back and hold-back they declare, so the stream
//! reports what a buffer scan reports.

pub(crate) mod table;

use std::sync::Arc;

use crate::{
    finding::{
        mask_preview, Action, Category, Confidence, Finding, IndexMatch,
        Severity, Span,
    },
    fingerprint::{CodeHit, CodeIndex, CodeState, CodeThresholds},
    keyed::FingerprintKey,
    policy::Policy,
    records::{
        candidates::{self, Candidate},
        ColumnKind, RecordsIndex, ValueHasher,
    },
    scan::LinePos,
};

/// Several columns of one row within this many bytes of each other raise a
/// record finding's confidence.
pub(crate) const ROW_WINDOW: usize = 256;

/// The index options of a scanner builder.
#[derive(Clone, Debug, Default)]
pub(crate) struct IndexConfig {
    pub(crate) code: Option<Arc<CodeIndex>>,
    pub(crate) thresholds: CodeThresholds,
    pub(crate) records: Option<Arc<RecordsIndex>>,
}

#[derive(Debug)]
struct CodeSide {
    index: Arc<CodeIndex>,
    limits: CodeThresholds,
    action: Action,
    rule_index: usize,
    id: Arc<str>,
}

#[derive(Debug)]
struct RecordSide {
    index: Arc<RecordsIndex>,
    hasher: ValueHasher,
    /// Actions for low and high confidence.
    actions: [Action; 2],
    rule_index: usize,
    id: Arc<str>,
}

/// The compiled index side of a scanner.
#[derive(Debug, Default)]
pub(crate) struct Indexes {
    code: Option<CodeSide>,
    records: Option<RecordSide>,
}

/// Per-input state: the code detector's position and open region.
#[derive(Debug, Default)]
pub(crate) struct IndexScratch {
    code: Option<CodeState>,
    hits: Vec<CodeHit>,
    cands: Vec<Candidate>,
    /// Columns of one row near a record candidate.
    cols: Vec<u16>,
    found: Vec<Finding>,
}

impl IndexScratch {
    /// The earliest absolute offset a finding not yet reported may start
    /// at (`usize::MAX` when none): a stream must not settle past it.
    pub(crate) fn hold_from(&self) -> usize {
        self.code.as_ref().map_or(usize::MAX, CodeState::hold_from)
    }
}

impl Indexes {
    /// Index findings get rule indexes past the rules: `rules` for code,
    /// `rules + 1` for records.
    pub(crate) fn new(
        cfg: &IndexConfig,
        policy: &Policy,
        rules: usize,
    ) -> Indexes {
        let code = cfg.code.as_ref().map(|index| CodeSide {
            index: index.clone(),
            limits: cfg.thresholds,
            action: policy.index_action(Category::Code, Confidence::High),
            rule_index: rules,
            id: Category::Code.as_str().into(),
        });
        let records = cfg.records.as_ref().map(|index| RecordSide {
            index: index.clone(),
            hasher: index.hasher(),
            actions: [Confidence::Low, Confidence::High]
                .map(|c| policy.index_action(Category::Record, c)),
            rule_index: rules + 1,
            id: Category::Record.as_str().into(),
        });
        Indexes { code, records }
    }

    /// Bytes past a round's end that must be in the haystack.
    pub(crate) fn hold_back(&self) -> usize {
        let code = self
            .code
            .as_ref()
            .map_or(0, |_| crate::fingerprint::token::LOOKAHEAD);
        let rec = self
            .records
            .as_ref()
            .map_or(0, |_| ROW_WINDOW + 2 * candidates::CONTEXT);
        code.max(rec) + 1
    }

    /// Bytes before a round's start that must be in the haystack.
    pub(crate) fn look_back(&self) -> usize {
        self.records
            .as_ref()
            .map_or(0, |_| ROW_WINDOW + 2 * candidates::CONTEXT)
    }

    pub(crate) fn scratch(&self) -> IndexScratch {
        IndexScratch {
            code: self.code.as_ref().map(|c| CodeState::new(c.index.k())),
            ..IndexScratch::default()
        }
    }

    /// Finds code and records in the round `range` of `hay` (`hay[0]` at
    /// absolute `base`), appending findings with absolute spans to `out`.
    /// A round whose range ends at the end of `hay` is the last of its
    /// input (a stream's rounds stop short of that by its hold-back).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn scan_round(
        &self,
        s: &mut IndexScratch,
        key: &FingerprintKey,
        hay: &[u8],
        base: usize,
        range: std::ops::Range<usize>,
        lines: LinePos,
        out: &mut Vec<Finding>,
    ) {
        if self.code.is_none() && self.records.is_none() {
            return;
        }
        s.found.clear();
        let eof = range.end == hay.len();
        if let (Some(c), Some(state)) = (&self.code, s.code.as_mut()) {
            s.hits.clear();
            state.run(
                &c.index,
                &c.limits,
                hay,
                base,
                base + range.start,
                base + range.end,
                eof,
                &mut s.hits,
            );
            for hit in s.hits.drain(..) {
                if c.action != Action::Allow {
                    s.found.push(code_finding(c, key, hay, base, hit));
                }
            }
        }
        if let Some(r) = &self.records {
            records_round(
                r,
                key,
                hay,
                base,
                range,
                &mut s.cands,
                &mut s.cols,
                &mut s.found,
            );
        }
        // Lines are counted forward, so in order of position.
        s.found.sort_by_key(|f| f.secret.start);
        let mut lines = lines;
        for mut f in s.found.drain(..) {
            lines.advance(hay, base, f.secret.start);
            f.line = lines.line;
            f.column =
                f.secret.start.saturating_sub(lines.line_start) as u64 + 1;
            out.push(f);
        }
    }
}

/// A finding with no line yet; `span` is absolute.
#[allow(clippy::too_many_arguments)]
fn index_finding(
    id: &Arc<str>,
    rule_index: usize,
    category: Category,
    severity: Severity,
    confidence: Confidence,
    action: Action,
    key: &FingerprintKey,
    bytes: &[u8],
    span: Span,
    detail: IndexMatch,
) -> Finding {
    Finding {
        rule_index,
        rule_id: id.clone(),
        category,
        severity,
        confidence,
        span,
        secret: span,
        line: 0,
        column: 0,
        preview: mask_preview(bytes),
        fingerprint: key.fingerprint(id, bytes),
        action,
        index_match: Some(Arc::new(detail)),
    }
}

fn code_finding(
    c: &CodeSide,
    key: &FingerprintKey,
    hay: &[u8],
    base: usize,
    hit: CodeHit,
) -> Finding {
    let bytes = &hay[hit.span.start - base..hit.span.end - base];
    let lines = memchr::memchr_iter(b'\n', bytes).count() as u32 + 1;
    let files = hit
        .files
        .iter()
        .take(3)
        .map(|&(id, _)| c.index.label_arc(id))
        .collect();
    let detail = IndexMatch::Code {
        files,
        tokens: hit.tokens,
        lines,
        share_permille: hit.share_permille,
    };
    index_finding(
        &c.id,
        c.rule_index,
        Category::Code,
        Severity::High,
        Confidence::High,
        c.action,
        key,
        bytes,
        hit.span,
        detail,
    )
}

/// Record candidates anchored in the round, judged with their neighbours
/// up to [`ROW_WINDOW`] bytes away on both sides.
#[allow(clippy::too_many_arguments)]
fn records_round(
    r: &RecordSide,
    key: &FingerprintKey,
    hay: &[u8],
    base: usize,
    range: std::ops::Range<usize>,
    cands: &mut Vec<Candidate>,
    cols: &mut Vec<u16>,
    out: &mut Vec<Finding>,
) {
    let from = range.start.saturating_sub(ROW_WINDOW);
    let to = (range.end + ROW_WINDOW).min(hay.len());
    cands.clear();
    candidates::find(&r.index, &r.hasher, hay, from, to, |c| cands.push(c));
    // By anchor, so each candidate's neighbours are one slice.
    cands.sort_by_key(|c| c.anchor);
    for c in cands.iter().filter(|c| range.contains(&c.anchor)) {
        let lo = cands.partition_point(|o| o.anchor + ROW_WINDOW < c.anchor);
        let hi = cands.partition_point(|o| o.anchor <= c.anchor + ROW_WINDOW);
        let neighbours = &cands[lo..hi];
        // The cell of this value whose row has the most other columns
        // close by.
        let mut best = (0usize, 0u32, 0u16);
        // Each candidate's cells were found once, by `find`; only slices
        // of them are read here.
        for (i, &(row, col)) in
            r.index.cells_in(c.cells.clone()).iter().enumerate()
        {
            cols.clear();
            for o in neighbours {
                for &(orow, ocol) in r.index.cells_in(o.cells.clone()) {
                    if orow == row && ocol != col {
                        cols.push(ocol);
                    }
                }
            }
            cols.sort_unstable();
            cols.dedup();
            if i == 0 || cols.len() > best.0 {
                best = (cols.len(), row, col);
            }
        }
        let (others, row, col) = best;
        let confident = others > 0 || c.kind != ColumnKind::Name;
        let (confidence, severity) = if confident {
            (Confidence::High, Severity::High)
        } else {
            (Confidence::Low, Severity::Medium)
        };
        let action = r.actions[usize::from(confident)];
        if action == Action::Allow {
            continue;
        }
        let column = r.index.column(col);
        let detail = IndexMatch::Record {
            column: column.name.clone(),
            kind: column.kind,
            row,
            columns: others as u16 + 1,
        };
        out.push(index_finding(
            &r.id,
            r.rule_index,
            Category::Record,
            severity,
            confidence,
            action,
            key,
            &hay[c.span],
            c.span.offset(base),
            detail,
        ));
    }
}
