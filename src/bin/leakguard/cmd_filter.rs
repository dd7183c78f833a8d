//! `leakguard filter`: stdin to stdout, redacting (or blocking) leaks.

use std::{
    fs::File,
    io::{self, BufWriter, Read, Seek, Write},
    process::ExitCode,
};

use anyhow::Context;
use leakguard::{
    human_line,
    payload::{Format, Inspector},
    Action, Finding, RedactStyle, Redactor, ReportFormat, ReportWriter,
    Scanner, StreamScanner,
};

use crate::{
    args::{FilterArgs, GlobalArgs, InputFormat, Style},
    setup,
};

pub fn run(
    global: &GlobalArgs,
    args: &FilterArgs,
) -> anyhow::Result<ExitCode> {
    let setup = setup::load(global, &[], false)?;
    let mut policy = setup.config.filter_policy();
    if args.block {
        policy.all(Action::Block);
    }
    let style = match args.style {
        Some(Style::Placeholder) => RedactStyle::Placeholder,
        Some(Style::Mask) => RedactStyle::Mask,
        Some(Style::Hash) => RedactStyle::Hash,
        None => setup.config.redact_style(),
    };
    let indexes = setup::load_indexes(&setup.config, &args.indexes)?;
    let can_block = setup
        .rules
        .rules()
        .iter()
        .any(|r| policy.action_for(r) == Action::Block)
        || indexes.can_block(&policy);
    let mut builder = setup.builder();
    builder.fingerprint_key(setup::fingerprint_key(&setup.config)?);
    indexes.apply(&mut builder);
    let scanner = builder.policy(policy).build(&setup.rules)?;

    let report =
        match &args.report {
            Some(p) => Some(ReportWriter::new(
                BufWriter::new(File::create(p).with_context(|| {
                    format!("cannot create {}", p.display())
                })?),
                ReportFormat::Jsonl,
                &setup.rules,
            )),
            None => None,
        };
    let sink = Sink { quiet: args.quiet, report, blocked: 0, err: None };
    let mut stdin = io::stdin().lock();
    let limit = args.max_json_bytes;
    let format = match args.format {
        InputFormat::Text => None,
        InputFormat::Json => Some(Format::Json),
        InputFormat::Jsonl => Some(Format::Jsonl),
        InputFormat::Auto => {
            // Read until the first byte that is not whitespace decides.
            let mut head = Vec::new();
            while head.iter().all(u8::is_ascii_whitespace)
                && head.len() < SNIFF_LIMIT
            {
                let n = (&mut stdin)
                    .take(4096)
                    .read_to_end(&mut head)
                    .context("cannot read stdin")?;
                if n == 0 {
                    break;
                }
            }
            if Format::sniff(&head) == Format::Json {
                let body = read_limited(head, &mut stdin, limit)?;
                return match body {
                    Ok(body) => {
                        json(&scanner, style, Format::Json, &body, sink)
                    }
                    // Too big to hold: scan it as a text stream.
                    Err(head) => text(
                        &scanner,
                        style,
                        can_block,
                        io::Cursor::new(head).chain(stdin),
                        sink,
                    ),
                };
            }
            return text(
                &scanner,
                style,
                can_block,
                io::Cursor::new(head).chain(stdin),
                sink,
            );
        }
    };
    match format {
        None => text(&scanner, style, can_block, stdin, sink),
        Some(format) => match read_limited(Vec::new(), &mut stdin, limit)? {
            Ok(body) => json(&scanner, style, format, &body, sink),
            Err(_) => anyhow::bail!(
                "input is larger than --max-json-bytes ({limit}); \
                 use --format text to stream it"
            ),
        },
    }
}

/// How much leading whitespace `--format auto` reads before deciding.
const SNIFF_LIMIT: usize = 64 << 10;

/// Reads the rest of `r` after `head`: `Ok` with everything when it fits in
/// `limit` bytes, `Err` with what was read when it does not.
fn read_limited(
    mut head: Vec<u8>,
    r: &mut impl Read,
    limit: u64,
) -> anyhow::Result<Result<Vec<u8>, Vec<u8>>> {
    let room = (limit + 1).saturating_sub(head.len() as u64);
    r.take(room).read_to_end(&mut head).context("cannot read stdin")?;
    Ok(if head.len() as u64 > limit { Err(head) } else { Ok(head) })
}

/// Filters one JSON (or JSON lines) body held in memory.
fn json(
    scanner: &Scanner,
    style: RedactStyle,
    format: Format,
    body: &[u8],
    mut sink: Sink,
) -> anyhow::Result<ExitCode> {
    let inspection = Inspector::new(scanner, style).inspect(
        format,
        body,
        &mut scanner.scratch(),
    );
    for f in inspection.findings() {
        sink.finding(f);
    }
    let n = sink.finish()?;
    if n > 0 {
        return Ok(blocked(n));
    }
    let mut out = io::stdout().lock();
    out.write_all(inspection.redacted().unwrap_or(body))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn blocked(n: u64) -> ExitCode {
    eprintln!(
        "leakguard: blocked: {n} finding(s) must not leave; nothing was \
         written"
    );
    ExitCode::from(1)
}

/// Filters a text stream: memory stays bounded whatever its length.
fn text(
    scanner: &Scanner,
    style: RedactStyle,
    can_block: bool,
    input: impl Read,
    mut sink: Sink,
) -> anyhow::Result<ExitCode> {
    let mut redactor = Redactor::new(style);
    let stream = StreamScanner::new(scanner);
    if can_block {
        // A block must withhold everything, so the redacted output waits in
        // a temporary file (memory stays bounded) until the end is known.
        let mut spool = tempfile::tempfile().context("cannot create spool")?;
        stream
            .redact(input, BufWriter::new(&mut spool), &mut redactor, |f| {
                sink.finding(f)
            })
            .context("filter failed")?;
        let n = sink.finish()?;
        if n > 0 {
            return Ok(blocked(n));
        }
        spool.rewind()?;
        let mut out = io::stdout().lock();
        io::copy(&mut spool, &mut out)?;
        out.flush()?;
    } else {
        let out = BufWriter::with_capacity(64 << 10, io::stdout().lock());
        stream
            .redact(input, out, &mut redactor, |f| sink.finding(f))
            .context("filter failed")?;
        sink.finish()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Where findings go: stderr lines, the JSONL report, the block count.
struct Sink {
    quiet: bool,
    report: Option<ReportWriter<BufWriter<File>>>,
    blocked: u64,
    err: Option<io::Error>,
}

impl Sink {
    fn finding(&mut self, f: &Finding) {
        if f.action() == Action::Block {
            self.blocked += 1;
        }
        if !self.quiet {
            // Not eprintln!: a closed stderr must not panic the filter.
            let _ =
                writeln!(io::stderr(), "leakguard: {}", human_line(None, f));
        }
        if let Some(r) = self.report.as_mut() {
            if let Err(e) = r.finding(None, f) {
                self.err.get_or_insert(e);
            }
        }
    }

    /// Flushes the report; returns how many findings block.
    fn finish(self) -> anyhow::Result<u64> {
        if let Some(e) = self.err {
            return Err(e).context("cannot write report");
        }
        if let Some(r) = self.report {
            r.finish().context("cannot write report")?;
        }
        Ok(self.blocked)
    }
}
