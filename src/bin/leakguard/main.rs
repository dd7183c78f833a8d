//! The `leakguard` command: flags in, library calls, exit status out.

mod args;
mod cmd_baseline;
mod cmd_filter;
mod cmd_hook;
mod cmd_index;
#[cfg(feature = "proxy")]
mod cmd_proxy;
mod cmd_rules;
mod cmd_scan;
mod collect;
mod git;
mod setup;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Scan(a) => cmd_scan::run(&cli.global, a),
        Command::Filter(a) => cmd_filter::run(&cli.global, a),
        Command::Rules(a) => cmd_rules::run(&cli.global, a),
        Command::Hook(a) => cmd_hook::run(&cli.global, a),
        Command::Baseline(a) => cmd_baseline::run(&cli.global, a),
        Command::Index(a) => cmd_index::run(&cli.global, a),
        #[cfg(feature = "proxy")]
        Command::Proxy(a) => cmd_proxy::run(&cli.global, a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // A closed pipe downstream (`leakguard ... | head`) is not an
            // error, as in grep.
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("leakguard: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
