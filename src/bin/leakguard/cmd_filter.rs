//! `leakguard filter`: stdin to stdout, redacting (or blocking) leaks.

use std::{
    fs::File,
    io::{self, BufWriter, Seek, Write},
    process::ExitCode,
};

use anyhow::Context;
use leakguard::{
    human_line, Action, Finding, RedactStyle, Redactor, ReportFormat,
    ReportWriter, StreamScanner,
};

use crate::{
    args::{FilterArgs, GlobalArgs, Style},
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
    let can_block = setup
        .rules
        .rules()
        .iter()
        .any(|r| policy.action_for(r) == Action::Block);
    let scanner = setup
        .builder()
        .policy(policy)
        .fingerprint_key(setup::fingerprint_key(&setup.config)?)
        .build(&setup.rules)?;

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
    let mut sink = Sink { quiet: args.quiet, report, blocked: 0, err: None };
    let mut redactor = Redactor::new(style);
    let stream = StreamScanner::new(&scanner);
    let stdin = io::stdin().lock();
    if can_block {
        // A block must withhold everything, so the redacted output waits in
        // a temporary file (memory stays bounded) until the end is known.
        let mut spool = tempfile::tempfile().context("cannot create spool")?;
        stream
            .redact(stdin, BufWriter::new(&mut spool), &mut redactor, |f| {
                sink.finding(f)
            })
            .context("filter failed")?;
        let blocked = sink.finish()?;
        if blocked > 0 {
            eprintln!(
                "leakguard: blocked: {blocked} finding(s) must not leave; \
                 nothing was written"
            );
            return Ok(ExitCode::from(1));
        }
        spool.rewind()?;
        let mut out = io::stdout().lock();
        io::copy(&mut spool, &mut out)?;
        out.flush()?;
    } else {
        let out = BufWriter::with_capacity(64 << 10, io::stdout().lock());
        stream
            .redact(stdin, out, &mut redactor, |f| sink.finding(f))
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
