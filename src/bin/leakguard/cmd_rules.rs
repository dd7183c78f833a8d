//! `leakguard rules list|check`.

use std::{io::Write, process::ExitCode};

use leakguard::{check_examples, Prefilter};
use serde_json::json;

use crate::{
    args::{GlobalArgs, ListFormat, RulesCommand},
    setup,
};

pub fn run(
    global: &GlobalArgs,
    cmd: &RulesCommand,
) -> anyhow::Result<ExitCode> {
    match cmd {
        RulesCommand::List { format } => list(global, *format),
        RulesCommand::Check { files } => check(global, files),
    }
}

fn list(global: &GlobalArgs, format: ListFormat) -> anyhow::Result<ExitCode> {
    let setup = setup::load(global, &[], false)?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Human => {
            for r in setup.rules.rules() {
                writeln!(
                    out,
                    "{:<40} {:<7} {:<9} {:<5} {}",
                    r.id(),
                    r.category().as_str(),
                    r.severity().as_str(),
                    r.confidence().as_str(),
                    r.name()
                )?;
            }
        }
        ListFormat::Json => {
            let all: Vec<_> = setup
                .rules
                .rules()
                .iter()
                .map(|r| {
                    let prefilter = match r.prefilter() {
                        Prefilter::Keywords => json!("keywords"),
                        Prefilter::Digits { min_digits } => {
                            json!({"digits": min_digits})
                        }
                    };
                    json!({
                        "id": r.id(),
                        "name": r.name(),
                        "category": r.category().as_str(),
                        "severity": r.severity().as_str(),
                        "confidence": r.confidence().as_str(),
                        "keywords": r.keywords(),
                        "prefilter": prefilter,
                        "check": r.check().name(),
                        "min_entropy": r.min_entropy(),
                        "max_len": r.max_len(),
                        "source": r.source(),
                        "examples": r.examples().len(),
                        "negatives": r.negatives().len(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(
    global: &GlobalArgs,
    files: &[std::path::PathBuf],
) -> anyhow::Result<ExitCode> {
    let setup = setup::load(global, files, true)?;
    let report = check_examples(&setup.rules)?;
    let mut err = std::io::stderr().lock();
    for f in &report.failures {
        writeln!(err, "FAIL {f}")?;
    }
    writeln!(
        std::io::stdout(),
        "checked {} rules: {} examples, {} negatives, {} failures",
        report.rules,
        report.examples,
        report.negatives,
        report.failures.len()
    )?;
    Ok(if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
