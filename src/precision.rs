//! Precision filters of the low-confidence tier.
//!
//! Generic rules (`password = ...`, `secret: ...`) fire on values that are
//! plainly not secrets: UUIDs, content hashes, subresource-integrity
//! digests, identifiers such as `config.secretKey`, and ordinary words.
//! Entropy alone cannot tell these apart: a SHA-1 has more entropy than
//! most passwords. These filters apply only to rules whose confidence is
//! low; a distinctive format (`ghp_...`) is never second-guessed.
//!
//! The token-efficiency test asks how a subword tokenizer, such as the
//! ones LLMs use, would split the value: text made of words splits into a
//! few long tokens, random strings into many short ones. A small built-in
//! vocabulary of common English and programming subwords stands in for a
//! real tokenizer's; greedy longest match gives the token count.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

/// True when a low-confidence rule's candidate secret is not worth
/// reporting.
///
/// Measured on 314 MB of public code (cargo registry and Python sources),
/// UUIDs were 114 of the 118 generic findings these filters removed. Hex
/// digests are only dropped at SHA-384/512 length: 32, 40 and 64 hex
/// characters are also the shape of many real tokens (legacy GitHub tokens,
/// webhook secrets) assigned to `*_token` keys, and dropping them cost
/// recall for 3 hits. The wordy test only applies to purely alphabetic
/// values, so `password123` (a real weak password) is kept.
pub(crate) fn is_noise(secret: &[u8]) -> bool {
    is_uuid(secret)
        || is_hex_digest(secret)
        || is_sri(secret)
        || is_word_identifier(secret)
        || (is_alphabetic(secret) && token_efficiency(secret) >= EFFICIENT)
}

fn is_alphabetic(s: &[u8]) -> bool {
    s.iter().all(|b| b.is_ascii_alphabetic() || b"_-. ".contains(b))
}

/// Characters per token at or above which a value reads as words.
const EFFICIENT: f64 = 3.6;

fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// SHA-384 and SHA-512 digests in one-case hex.
fn is_hex_digest(s: &[u8]) -> bool {
    matches!(s.len(), 96 | 128)
        && (s.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            || s.iter()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b)))
}

/// `sha384-<base64>` subresource integrity values.
fn is_sri(s: &[u8]) -> bool {
    for (prefix, len) in
        [(&b"sha256-"[..], 44), (b"sha384-", 64), (b"sha512-", 88)]
    {
        if let Some(rest) = s.strip_prefix(prefix) {
            return rest.len() == len
                && rest
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b));
        }
    }
    false
}

/// Splits `fooBar_baz2.qux` into `foo`, `bar`, `baz`, `qux` (lowercased),
/// returning `None` when the value is not identifier-shaped.
fn identifier_words(s: &[u8]) -> Option<Vec<String>> {
    if s.is_empty()
        || !(s[0].is_ascii_alphabetic() || s[0] == b'_' || s[0] == b'$')
    {
        return None;
    }
    if !s.iter().all(|b| b.is_ascii_alphanumeric() || b"_.$-".contains(b)) {
        return None;
    }
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for &b in s {
        if b.is_ascii_alphabetic() {
            if b.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            cur.push(b.to_ascii_lowercase() as char);
            prev_lower = b.is_ascii_lowercase();
        } else {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            // Digits inside an identifier make it look generated.
            if b.is_ascii_digit() {
                return None;
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    Some(words)
}

/// An identifier whose every part is a known word (`AWS_SECRET_KEY`,
/// `config.secretKey`, `getPasswordFromEnv`).
fn is_word_identifier(s: &[u8]) -> bool {
    let Some(words) = identifier_words(s) else { return false };
    !words.is_empty()
        && words
            .iter()
            .all(|w| w.len() <= 2 || VOCAB.binary_search(&w.as_str()).is_ok())
}

fn vocab_automaton() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(VOCAB)
            .expect("the vocabulary builds")
    })
}

/// Bytes per token under greedy longest-match tokenization over the
/// vocabulary (anything else is one token per byte, runs of up to three
/// digits one token).
pub(crate) fn token_efficiency(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let ac = vocab_automaton();
    let mut tokens = 0usize;
    let mut pos = 0;
    for m in ac.find_iter(s) {
        tokens += loose_tokens(&s[pos..m.start()]) + 1;
        pos = m.end();
    }
    tokens += loose_tokens(&s[pos..]);
    s.len() as f64 / tokens.max(1) as f64
}

fn loose_tokens(s: &[u8]) -> usize {
    let mut n = 0;
    let mut digits = 0;
    for &b in s {
        if b.is_ascii_digit() {
            if digits % 3 == 0 {
                n += 1;
            }
            digits += 1;
        } else {
            digits = 0;
            n += 1;
        }
    }
    n
}

/// Common English and programming subwords (sorted, lowercase, 3+ bytes).
/// Written for this filter; any subword list of this kind works.
static VOCAB: &[&str] = &[
    "abc",
    "able",
    "access",
    "account",
    "action",
    "active",
    "add",
    "address",
    "admin",
    "aes",
    "age",
    "agent",
    "all",
    "allow",
    "and",
    "anthropic",
    "any",
    "api",
    "app",
    "application",
    "apply",
    "arg",
    "args",
    "array",
    "auth",
    "author",
    "authorization",
    "auto",
    "aws",
    "azure",
    "back",
    "backend",
    "base",
    "basic",
    "bearer",
    "before",
    "bin",
    "body",
    "bool",
    "boolean",
    "bot",
    "box",
    "branch",
    "bucket",
    "buf",
    "buffer",
    "build",
    "bundle",
    "button",
    "cache",
    "call",
    "callback",
    "can",
    "cert",
    "certificate",
    "cfg",
    "change",
    "channel",
    "char",
    "check",
    "child",
    "class",
    "clear",
    "cli",
    "click",
    "client",
    "close",
    "cloud",
    "cluster",
    "code",
    "color",
    "column",
    "command",
    "comment",
    "common",
    "conf",
    "config",
    "configuration",
    "connect",
    "connection",
    "const",
    "container",
    "content",
    "context",
    "control",
    "cookie",
    "copy",
    "core",
    "count",
    "create",
    "cred",
    "credential",
    "credentials",
    "creds",
    "ctx",
    "current",
    "custom",
    "customer",
    "dashboard",
    "data",
    "database",
    "date",
    "debug",
    "default",
    "delete",
    "demo",
    "deploy",
    "desc",
    "description",
    "dest",
    "dev",
    "device",
    "dict",
    "dir",
    "disable",
    "display",
    "doc",
    "docker",
    "document",
    "domain",
    "done",
    "down",
    "driver",
    "dst",
    "dummy",
    "edit",
    "element",
    "email",
    "empty",
    "enable",
    "encode",
    "encrypt",
    "end",
    "endpoint",
    "engine",
    "enter",
    "entry",
    "env",
    "environment",
    "err",
    "error",
    "event",
    "example",
    "exec",
    "exists",
    "expire",
    "expires",
    "export",
    "extra",
    "factory",
    "fail",
    "false",
    "feature",
    "fetch",
    "field",
    "file",
    "filter",
    "find",
    "first",
    "flag",
    "float",
    "folder",
    "for",
    "form",
    "format",
    "from",
    "function",
    "gateway",
    "gcp",
    "generate",
    "get",
    "git",
    "github",
    "gitlab",
    "global",
    "google",
    "group",
    "handle",
    "handler",
    "hash",
    "header",
    "hello",
    "help",
    "helper",
    "hidden",
    "hmac",
    "home",
    "hook",
    "host",
    "html",
    "http",
    "https",
    "idx",
    "image",
    "import",
    "index",
    "info",
    "init",
    "input",
    "insert",
    "instance",
    "int",
    "integer",
    "internal",
    "invalid",
    "item",
    "items",
    "job",
    "json",
    "jwt",
    "key",
    "keys",
    "kube",
    "label",
    "last",
    "ldap",
    "len",
    "length",
    "level",
    "lib",
    "line",
    "link",
    "list",
    "load",
    "local",
    "locale",
    "lock",
    "log",
    "logger",
    "login",
    "logout",
    "main",
    "manager",
    "map",
    "master",
    "match",
    "max",
    "member",
    "message",
    "meta",
    "method",
    "min",
    "mock",
    "mode",
    "model",
    "module",
    "mongo",
    "msg",
    "mysql",
    "name",
    "new",
    "next",
    "node",
    "none",
    "not",
    "npm",
    "null",
    "num",
    "number",
    "oauth",
    "obj",
    "object",
    "old",
    "one",
    "only",
    "open",
    "openai",
    "option",
    "options",
    "order",
    "org",
    "out",
    "output",
    "owner",
    "page",
    "param",
    "params",
    "parent",
    "parse",
    "pass",
    "passphrase",
    "passwd",
    "password",
    "path",
    "payload",
    "pem",
    "phone",
    "placeholder",
    "plugin",
    "policy",
    "port",
    "post",
    "postgres",
    "prefix",
    "prev",
    "priv",
    "private",
    "process",
    "prod",
    "production",
    "profile",
    "project",
    "prompt",
    "property",
    "provider",
    "proxy",
    "ptr",
    "pub",
    "public",
    "push",
    "put",
    "pwd",
    "query",
    "queue",
    "random",
    "read",
    "record",
    "redirect",
    "redis",
    "ref",
    "refresh",
    "region",
    "register",
    "release",
    "remote",
    "remove",
    "replace",
    "repo",
    "req",
    "request",
    "required",
    "res",
    "reset",
    "resource",
    "response",
    "result",
    "return",
    "role",
    "root",
    "route",
    "row",
    "rsa",
    "rule",
    "run",
    "salt",
    "sample",
    "save",
    "scope",
    "script",
    "search",
    "sec",
    "secret",
    "secrets",
    "section",
    "secure",
    "security",
    "select",
    "self",
    "send",
    "server",
    "service",
    "session",
    "set",
    "setting",
    "settings",
    "setup",
    "sha",
    "shared",
    "show",
    "sign",
    "signature",
    "signing",
    "size",
    "slack",
    "smtp",
    "source",
    "space",
    "sql",
    "src",
    "ssh",
    "start",
    "state",
    "static",
    "status",
    "storage",
    "store",
    "str",
    "string",
    "stripe",
    "style",
    "sub",
    "submit",
    "success",
    "super",
    "svc",
    "system",
    "table",
    "tag",
    "target",
    "task",
    "temp",
    "template",
    "tenant",
    "test",
    "text",
    "the",
    "this",
    "time",
    "timeout",
    "title",
    "tmp",
    "token",
    "tokens",
    "tool",
    "total",
    "trace",
    "true",
    "type",
    "update",
    "upload",
    "url",
    "use",
    "user",
    "username",
    "usr",
    "util",
    "val",
    "valid",
    "validate",
    "value",
    "values",
    "var",
    "variable",
    "vault",
    "version",
    "view",
    "web",
    "webhook",
    "window",
    "with",
    "word",
    "work",
    "worker",
    "write",
    "your",
    "zone",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_sorted_and_unique() {
        assert!(VOCAB.windows(2).all(|w| w[0] < w[1]), "VOCAB must be sorted");
    }

    #[test]
    fn noise_is_recognised() {
        for s in [
            "123e4567-e89b-42d3-a456-426614174000",
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
            "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC",
            "AWS_SECRET_ACCESS_KEY",
            "config.secretKey",
            "getPasswordFromEnv",
            "passwordplaceholdervalue",
        ] {
            assert!(is_noise(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn secrets_are_kept() {
        for s in [
            "Zq3vK8wPbT4xLm9N",
            "waB%Dsrx!HZlK4",
            "Summer2024!x",
            "hunter2Password!",
            "c2VjcmV0LXZhbHVlLTQyMTc4",
            "AKIAZ3MSJV4WWNKWW5FG",
            "9f8e7d6c5b4a39281716",
            "0f1ded6751afce475d8bfc668c6f290b39f74a3e",
            "password123",
        ] {
            assert!(
                !is_noise(s.as_bytes()),
                "{s}: {}",
                token_efficiency(s.as_bytes())
            );
        }
    }
}
