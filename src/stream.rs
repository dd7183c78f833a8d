//! Streaming scan and redaction over `Read`/`Write` in bounded memory.
//!
//! The stream reads into one buffer (as ripgrep's `LineBuffer` does) and
//! scans the candidates whose hit starts before `end - hold_back`: every
//! such hit has its whole window in the buffer, so it is decided exactly as
//! a buffer scan decides it. What is left over is kept for the next read.
//! Findings are emitted, and output written, once no later hit can produce
//! a finding before them, so the stream reports the same findings in the
//! same order, and writes the same redacted bytes, as a buffer scan at any
//! chunk size.

use std::io::{self, Read, Write};

use crate::{
    finding::Finding,
    redact::{group_order, groups, Redactor},
    scan::{order, LinePos, Scanner},
};

/// Default read size.
const CHUNK: usize = 64 << 10;

/// The buffer is compacted once its consumed front is this many times the
/// kept tail, so moving bytes costs at most 1/COMPACT of what is read and
/// the buffer stays under `chunk + (COMPACT + 1) * (hold + back)`.
const COMPACT: usize = 4;

/// What a streaming scan saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamSummary {
    /// Bytes read.
    pub bytes: u64,
    /// Findings reported (any action but allow).
    pub findings: u64,
    /// Secrets replaced in the output (groups of overlapping secrets count
    /// once).
    pub redacted: u64,
}

/// Scans or redacts a stream with a bounded hold-back window.
///
/// ```
/// use leakguard::{Redactor, RedactStyle, RuleSet, Scanner, StreamScanner};
///
/// let scanner = Scanner::new(&RuleSet::builtin()).unwrap();
/// let input: &[u8] = b"key = AKIAZ3MSJV4WWNKWW5FG\n";
/// let mut out = Vec::new();
/// let mut redactor = Redactor::new(RedactStyle::Placeholder);
/// StreamScanner::new(&scanner)
///     .redact(input, &mut out, &mut redactor, |_| {})
///     .unwrap();
/// assert_eq!(out, b"key = [REDACTED:aws-access-key-id:1]\n");
/// ```
#[derive(Clone, Debug)]
pub struct StreamScanner<'s> {
    scanner: &'s Scanner,
    chunk: usize,
}

impl<'s> StreamScanner<'s> {
    /// A stream scanner over `scanner`'s rules.
    pub fn new(scanner: &'s Scanner) -> StreamScanner<'s> {
        StreamScanner { scanner, chunk: CHUNK }
    }

    /// Bytes asked of the reader per read (default 64 KiB; at least 1).
    pub fn chunk_size(&mut self, bytes: usize) -> &mut Self {
        self.chunk = bytes.max(1);
        self
    }

    /// Scans `reader` to its end, calling `on_finding` for each finding in
    /// the order a buffer scan returns them.
    ///
    /// # Errors
    ///
    /// Only the reader's errors.
    pub fn scan<R: Read, F: FnMut(&Finding)>(
        &self,
        reader: R,
        mut on_finding: F,
    ) -> io::Result<StreamSummary> {
        self.run::<R, io::Sink, _>(reader, None, |f, _| on_finding(f))
    }

    /// Like [`StreamScanner::scan`], but the callback also sees the secret
    /// bytes of each finding (for baselines and allowlists kept by the
    /// caller). Handle them with care: never log them.
    ///
    /// # Errors
    ///
    /// Only the reader's errors.
    pub fn scan_with_secrets<R: Read, F: FnMut(&Finding, &[u8])>(
        &self,
        reader: R,
        on_finding: F,
    ) -> io::Result<StreamSummary> {
        self.run::<R, io::Sink, F>(reader, None, on_finding)
    }

    /// Copies `reader` to `writer`, replacing the secret of every finding
    /// whose action is redact or block. Bytes outside secrets are copied
    /// unchanged. `on_finding` sees every finding.
    ///
    /// # Errors
    ///
    /// The reader's and writer's errors.
    pub fn redact<R: Read, W: Write, F: FnMut(&Finding)>(
        &self,
        reader: R,
        mut writer: W,
        redactor: &mut Redactor,
        mut on_finding: F,
    ) -> io::Result<StreamSummary> {
        let summary =
            self.run(reader, Some((&mut writer, redactor)), |f, _| {
                on_finding(f)
            })?;
        writer.flush()?;
        Ok(summary)
    }

    fn run<R: Read, W: Write, F: FnMut(&Finding, &[u8])>(
        &self,
        mut reader: R,
        mut out: Option<(&mut W, &mut Redactor)>,
        mut on_finding: F,
    ) -> io::Result<StreamSummary> {
        let sc = self.scanner;
        let hold = sc.hold_back();
        let back = sc.look_back();
        let mut scratch = sc.scratch();
        let mut summary = StreamSummary::default();
        let mut buf: Vec<u8> =
            Vec::with_capacity(self.chunk + (COMPACT + 1) * (hold + back));
        // Absolute offsets (bytes since the start of the stream):
        let mut base = 0; // of buf[0]
        let mut done = 0; // hits starting before it have been scanned
        let mut out_pos = 0; // output written up to here
        let mut lines = LinePos::START;
        let mut pending: Vec<Finding> = Vec::new(); // found, not yet emitted
        let mut queue: Vec<Finding> = Vec::new(); // emitted, to redact
        let mut round: Vec<Finding> = Vec::new();
        let mut eof = false;
        loop {
            let len = buf.len();
            buf.resize(len + self.chunk, 0);
            let n = loop {
                match reader.read(&mut buf[len..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            buf.truncate(len + n);
            summary.bytes += n as u64;
            eof = eof || n == 0;
            let end = base + buf.len();

            // Scan every hit whose window is complete.
            let limit = if eof { end } else { end.saturating_sub(hold) };
            if limit > done {
                round.clear();
                let range = done - base..limit - base;
                sc.scan_round(
                    &mut scratch,
                    &buf,
                    base,
                    range,
                    lines,
                    &mut round,
                );
                done = limit;
                // `pending` is sorted (by `order`, whose key is exactly
                // span and rule); the round is sorted here, so both look-ups
                // are cheap. A linear look-up per finding was quadratic
                // when a rule matches at every byte (`(a+)+$` over `aaa…`).
                let key =
                    |p: &Finding| (p.span.start, p.span.end, p.rule_index);
                round.sort_by(order);
                let known = pending.len();
                for f in round.drain(..) {
                    let k = key(&f);
                    let dup = pending[..known]
                        .binary_search_by(|p| key(p).cmp(&k))
                        .is_ok()
                        || pending[known..]
                            .last()
                            .is_some_and(|p| key(p) == k);
                    if !dup {
                        pending.push(f);
                    }
                }
            }

            // No later hit can yield a finding starting before `settled`.
            let settled = if eof {
                end
            } else {
                done.saturating_sub(back).min(scratch.index_hold_from())
            };
            pending.sort_by(order);
            let ready = pending.partition_point(|f| f.span.start < settled);
            for f in pending.drain(..ready) {
                // Not yet emitted means it starts at or after the previous
                // `settled`, which the buffer still holds.
                on_finding(
                    &f,
                    &buf[f.secret.start - base..f.secret.end - base],
                );
                summary.findings += 1;
                if out.is_some() && Redactor::applies_to(&f) {
                    queue.push(f);
                }
            }
            lines.advance(&buf, base, settled.max(lines.pos));

            if let Some((w, redactor)) = out.as_mut() {
                queue.sort_by(group_order);
                let refs: Vec<&Finding> = queue.iter().collect();
                let (final_groups, used) = groups(&refs, settled, out_pos);
                for (span, first) in final_groups {
                    w.write_all(&buf[out_pos - base..span.start - base])?;
                    let secret = &buf[span.start - base..span.end - base];
                    let text = redactor.replacement(first, secret);
                    w.write_all(text.as_bytes())?;
                    summary.redacted += 1;
                    out_pos = span.end;
                }
                queue.drain(..used);
                // Plain bytes up to `settled`, stopping at a group that a
                // later finding may still extend.
                let stop = queue.first().map_or(settled, |f| {
                    f.secret.start.clamp(out_pos, settled)
                });
                if stop > out_pos {
                    w.write_all(&buf[out_pos - base..stop - base])?;
                    out_pos = stop;
                }
            }
            if eof {
                debug_assert!(pending.is_empty() && queue.is_empty());
                return Ok(summary);
            }

            // Drop what no later step needs, once it is most of the
            // buffer: the kept tail (up to hold + back bytes, 32 KiB and
            // more with private-key rules) moves to the front, and moving
            // it after every read would copy about as much as is read.
            let keep =
                if out.is_some() { out_pos.min(lines.pos) } else { lines.pos };
            let consumed = keep - base;
            if consumed > 0 && consumed >= COMPACT * (buf.len() - consumed) {
                buf.drain(..consumed);
                base = keep;
            }
        }
    }
}
