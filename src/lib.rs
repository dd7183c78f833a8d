//! leakguard finds secrets, customer data and proprietary code in outbound
//! AI prompts, and blocks them or redacts what must not leave.
//!
//! It scans bytes (a prompt, a file, an LLM request body, a stream) with a
//! compiled set of rules and reports each leak as a [`Finding`]: which rule,
//! where (byte spans, line and column), a masked preview and a keyed
//! fingerprint, never the secret itself.
//!
//! # Overview
//!
//! - [`RuleSet`]: validated rules, from the built-in packs
//!   ([`RuleSet::builtin`]) and user TOML files ([`RuleSet::builder`]).
//! - [`Scanner`]: rules compiled once, shared across threads; scans buffers
//!   ([`Scanner::scan`], [`Scanner::scan_with`] with a reusable
//!   [`Scratch`]).
//! - [`StreamScanner`]: the same findings over `Read`/`Write` in bounded
//!   memory, with redaction on the fly.
//! - [`Redactor`]: replaces secrets by placeholders, masks or hashes.
//! - [`Policy`]: decides each finding's [`Action`].
//! - [`Restorer`] and [`SseRestorer`]: put redacted values back into a
//!   model's answer, whole or streamed.
//!
//! # Example
//!
//! ```
//! use leakguard::{Redactor, RedactStyle, RuleSet, Scanner};
//!
//! let scanner = Scanner::new(&RuleSet::builtin()).unwrap();
//! let prompt = b"why does this fail? aws_key=AKIAZ3MSJV4WWNKWW5FG";
//! let findings = scanner.scan(prompt);
//! assert_eq!(findings[0].rule_id(), "aws-access-key-id");
//! assert_eq!(findings[0].preview(), "AKIA\u{2026}W5FG");
//!
//! let clean = Redactor::new(RedactStyle::Placeholder).redact(prompt, &findings);
//! assert_eq!(
//!     String::from_utf8(clean).unwrap(),
//!     "why does this fail? aws_key=[REDACTED:aws-access-key-id:1]"
//! );
//! ```
//!
//! # Crate features
//!
//! - `cli` (default): the `leakguard` binary and the crates only it needs
//!   (clap, ignore, anyhow, tempfile). With `default-features =
//!   false` the library is synchronous and light: aho-corasick, regex,
//!   memchr, serde, toml, serde_json and the HMAC crates.
//! - `proxy` (default): [`proxy`], a reverse proxy for LLM APIs on tokio,
//!   hyper and rustls, and the `leakguard proxy` command.
//! - `hyperscan`: the Hyperscan prefilter engine ([`EngineKind`]), linked
//!   against the system library (Debian: `libhyperscan-dev`). It becomes
//!   the default backend; findings are the same with either.
//!
//! # Untrusted input
//!
//! Haystacks are arbitrary bytes: invalid UTF-8, NUL bytes and binary data
//! are scanned as bytes and never cause a panic. Scanning time is linear in
//! the input: every rule's regex runs only in a window of at most its
//! `max_len` bytes around a prefilter hit, and regexes are finite automata
//! with compiled-size limits. Rule files are untrusted too: loading reports
//! errors, never panics.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod allow;
mod baseline;
mod checks;
mod config;
mod engine;
mod finding;
mod fingerprint;
mod indexes;
mod keyed;
pub mod payload;
mod policy;
mod precision;
#[cfg(feature = "proxy")]
pub mod proxy;
mod records;
mod redact;
mod report;
mod rules;
mod scan;
mod stream;
mod swar;
#[cfg(test)]
mod test_rng;

pub use crate::{
    allow::INLINE_MARKERS,
    baseline::{Baseline, BaselineError},
    checks::{
        bech32_checksum, br_cnpj_check_digits, br_cpf_check_digits,
        china_id_check_char, de_tax_id_check_digit, es_dni_letter, fr_nir_key,
        hk_id_check_char, iban_check_digits, is_placeholder,
        it_fiscal_code_check_char, jp_my_number_check_digit, luhn_check_digit,
        mx_curp_check_digit, pl_pesel_check_digit, sg_nric_check_char,
        shannon_entropy, tw_id_check_digit, uk_nhs_check_digit,
        uscc_check_char, verhoeff_check_digit, Check,
    },
    config::{Config, ConfigError, ProxySettings, RouteSpec},
    engine::EngineKind,
    finding::{
        mask_preview, Action, Category, Confidence, Finding, Fingerprint,
        IndexMatch, Severity, Span,
    },
    fingerprint::{
        explain_code, token::check_tokenizer, CodeExplain, CodeIndex,
        CodeIndexBuilder, CodeThresholds, PathStorage, DEFAULT_COMMON_SHARE,
        DEFAULT_COMMON_TOKENS, DEFAULT_K, DEFAULT_MIN_SHARE,
        DEFAULT_MIN_TOKENS, DEFAULT_SURE_TOKENS, DEFAULT_WINDOW,
    },
    indexes::table::{IndexError, IndexErrorKind},
    keyed::FingerprintKey,
    payload::diff::{parse_diff, FileChange},
    payload::restore::{Restorer, SseRestorer},
    policy::Policy,
    records::{ColumnKind, ColumnSpec, RecordsIndex},
    redact::{RedactStyle, Redactor},
    report::{human_line, ReportFormat, ReportWriter},
    rules::{
        check_examples, ExampleFailure, ExampleReport, Prefilter, Rule,
        RuleError, RuleErrorKind, RuleSet, RuleSetBuilder, MAX_RULE_LEN,
    },
    scan::{Scanner, ScannerBuilder, Scratch},
    stream::{StreamScanner, StreamSummary},
};

/// The README's Rust examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
