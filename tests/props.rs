//! Property tests of the invariants: no redacted secret survives; stream
//! equals buffer under any chunking; spans stay in bounds; bytes outside
//! findings are untouched.

use proptest::prelude::*;

use leakguard::{RedactStyle, Redactor, StreamScanner};

use crate::{
    gen::{Rng, MAKERS},
    parity::{scanner, Chunked},
};

/// Fragments that make inputs dense with keywords, digits, separators and
/// multi-byte text, so candidates and near-misses are everywhere.
const FRAGMENTS: &[&str] = &[
    "AKIA",
    "akia",
    "ASIA",
    "ghp_",
    "glpat-",
    "sk-",
    "sk-proj-",
    "sk_live_",
    "xoxb-",
    "AIza",
    "AKID",
    "LTAI",
    "eyJ",
    "-----BEGIN ",
    "PRIVATE KEY-----",
    "-----END ",
    "password",
    "secret",
    "token",
    "=",
    ": ",
    "\"",
    "'",
    "@",
    "postgres://",
    "mysql://",
    ":",
    "/",
    ".",
    "-",
    " ",
    "\n",
    "\t",
    "密码",
    "身份证",
    "手机号",
    "客户",
    "１",
    "13812345678",
    "4111",
    "1111 ",
    "62",
    "110105",
    "19900101",
    "X",
    "DE",
    "GB82",
    "0",
    "7",
    "99",
    "ABCDEFGHIJ",
    "Zq3v",
    "a1B2c3D4e5",
    "\u{0}",
    "\u{ff}",
];

pub fn dense_text() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 0..8),
            1 => "[A-Za-z0-9+/]{1,40}".prop_map(|s| s.into_bytes()),
        ],
        0..120,
    )
    .prop_map(|parts| parts.concat())
}

/// Text with secrets planted between fragments, and the planted secrets.
pub fn planted_text() -> impl Strategy<Value = (Vec<u8>, Vec<String>)> {
    (
        prop::collection::vec(dense_text(), 1..6),
        prop::collection::vec((0..MAKERS.len(), any::<u64>()), 1..6),
    )
        .prop_map(|(fillers, picks)| {
            let mut text = Vec::new();
            let mut secrets = Vec::new();
            for (i, (which, seed)) in picks.into_iter().enumerate() {
                text.extend_from_slice(&fillers[i % fillers.len()]);
                let (make, context) = MAKERS[which];
                let planted = make(&mut Rng::new(seed));
                text.extend_from_slice(b"\n");
                text.extend_from_slice(context.as_bytes());
                text.extend_from_slice(planted.text.as_bytes());
                text.extend_from_slice(b"\n");
                secrets.push(planted.secret);
            }
            (text, secrets)
        })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_planted_secret_survives_redaction((text, secrets) in planted_text()) {
        let s = scanner();
        let findings = s.scan(&text);
        for style in [RedactStyle::Placeholder, RedactStyle::Mask, RedactStyle::Hash] {
            let red = Redactor::new(style).redact(&text, &findings);
            for secret in &secrets {
                prop_assert!(
                    !contains(&red, secret.as_bytes()),
                    "survived ({style:?}): {secret}"
                );
            }
        }
    }

    #[test]
    fn spans_in_bounds_and_secret_inside_match(text in dense_text()) {
        let s = scanner();
        for f in s.scan(&text) {
            let (m, sec) = (f.span(), f.secret_span());
            prop_assert!(m.start <= sec.start && sec.end <= m.end);
            prop_assert!(sec.start < sec.end && m.end <= text.len());
            prop_assert!(f.line() >= 1 && f.column() >= 1);
            let newlines = text[..sec.start].iter().filter(|&&b| b == b'\n').count();
            prop_assert_eq!(f.line(), newlines as u64 + 1);
        }
    }

    #[test]
    fn stream_equals_buffer_under_any_chunking(
        (text, _) in planted_text(),
        first in 0usize..300,
        chunk in 1usize..300,
    ) {
        let s = scanner();
        let want = s.scan(&text);
        let mut got = Vec::new();
        let mut stream = StreamScanner::new(&s);
        stream.chunk_size(chunk);
        stream.scan(Chunked::new(&text, first, chunk), |f| got.push(f.clone())).unwrap();
        prop_assert_eq!(&got, &want);

        let want_red = Redactor::new(RedactStyle::Placeholder).redact(&text, &want);
        let mut out = Vec::new();
        stream
            .redact(
                Chunked::new(&text, first, chunk),
                &mut out,
                &mut Redactor::new(RedactStyle::Placeholder),
                |_| {},
            )
            .unwrap();
        prop_assert_eq!(out, want_red);
    }

    #[test]
    fn bytes_outside_findings_are_untouched((text, _) in planted_text()) {
        let s = scanner();
        let findings = s.scan(&text);
        let red = Redactor::new(RedactStyle::Placeholder).redact(&text, &findings);
        // Walk the output: between redacted regions it must repeat the
        // input byte for byte; each region becomes one placeholder.
        let mut spans: Vec<_> = findings.iter().map(|f| f.secret_span()).collect();
        spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for sp in spans {
            match merged.last_mut() {
                Some(last) if sp.start < last.1 => last.1 = last.1.max(sp.end),
                _ => merged.push((sp.start, sp.end)),
            }
        }
        let (mut i, mut o) = (0, 0);
        for (start, end) in merged {
            prop_assert_eq!(&red[o..o + (start - i)], &text[i..start]);
            o += start - i;
            prop_assert!(red[o..].starts_with(b"[REDACTED:"));
            o += red[o..].iter().position(|&b| b == b']').unwrap() + 1;
            i = end;
        }
        prop_assert_eq!(&red[o..], &text[i..]);
    }
}

/// Writes `v` as JSON, escaping each character as `\uXXXX` (a surrogate
/// pair beyond the BMP) when `rng` says so: any escaping is valid JSON.
fn encode(v: &serde_json::Value, rng: &mut Rng, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if (c as u32) < 0x20 || rng.below(4) == 0 => {
                        let mut units = [0u16; 2];
                        for u in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{u:04x}"));
                        }
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                encode(x, rng, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, x)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                encode(&Value::String(k.clone()), rng, out);
                out.push_str(": ");
                encode(x, rng, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Every string of `v`, with strings that hold JSON opened too.
fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let Ok(inner @ (Value::Object(_) | Value::Array(_))) =
                serde_json::from_str::<Value>(s)
            {
                strings(&inner, out);
            }
            out.push(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|x| strings(x, out)),
        Value::Object(map) => {
            for (k, x) in map {
                out.push(k.clone());
                strings(x, out);
            }
        }
        _ => {}
    }
}

/// Same keys and lengths; a redacted number may become a string.
fn same_shape(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_shape(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|(v, w)| same_shape(v, w))
        }
        (Value::String(x), Value::String(y)) => {
            // JSON held in a string keeps its shape too.
            match (
                serde_json::from_str::<Value>(x),
                serde_json::from_str::<Value>(y),
            ) {
                (Ok(i @ (Value::Object(_) | Value::Array(_))), Ok(j)) => {
                    same_shape(&i, &j)
                }
                (Ok(Value::Object(_) | Value::Array(_)), Err(_)) => false,
                _ => true,
            }
        }
        (Value::Number(_), Value::String(_)) => true,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// An OpenAI- or Anthropic-shaped request with secrets planted in user
/// text, the system prompt, tool results and tool-call arguments.
fn planted_request(
) -> impl Strategy<Value = (serde_json::Value, Vec<String>, u64)> {
    (
        prop::collection::vec((0..MAKERS.len(), any::<u64>(), 0..5usize), 1..6),
        any::<u64>(),
    )
        .prop_map(|(picks, seed)| {
            use serde_json::json;
            let mut secrets = Vec::new();
            let mut messages = Vec::new();
            let mut system = String::from("You are a helpful assistant.");
            for (which, s, place) in picks {
                let (make, context) = MAKERS[which];
                let planted = make(&mut Rng::new(s));
                let text = format!("{context}{}", planted.text);
                secrets.push(planted.secret);
                match place {
                    0 => messages.push(json!({"role": "user", "content": format!("why?\n{text}\nthanks")})),
                    1 => system.push_str(&format!("\n{text}")),
                    2 => messages.push(json!({"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "t1", "content": text}]})),
                    3 => messages.push(json!({"role": "assistant", "tool_calls": [{"id": "c1", "type": "function",
                        "function": {"name": "run", "arguments": json!({"cmd": text, "n": 3}).to_string()}}]})),
                    _ => messages.push(json!({"role": "assistant", "content": [
                        {"type": "tool_use", "id": "t2", "name": "write", "input": {"env": {"VALUE": text}}}]})),
                }
            }
            let body = json!({"model": "m", "system": system, "messages": messages, "max_tokens": 100, "stream": true});
            (body, secrets, seed)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn json_redaction_keeps_structure_and_removes_secrets(
        (body, secrets, seed) in planted_request(),
    ) {
        use leakguard::payload::{Format, Inspector};
        let s = scanner();
        let mut raw = String::new();
        encode(&body, &mut Rng::new(seed), &mut raw);
        let inspection = Inspector::new(&s, RedactStyle::Placeholder)
            .inspect(Format::Json, raw.as_bytes(), &mut s.scratch());
        prop_assert_eq!(inspection.format(), Format::Json);
        for f in inspection.findings() {
            prop_assert!(f.secret_span().end <= raw.len());
            prop_assert!(f.span().start <= f.secret_span().start);
        }
        let out = inspection.redacted().expect("something redacted");
        let parsed: serde_json::Value = serde_json::from_slice(out).expect("valid JSON");
        prop_assert!(same_shape(&body, &parsed), "{}", String::from_utf8_lossy(out));
        let mut texts = Vec::new();
        strings(&parsed, &mut texts);
        for secret in &secrets {
            prop_assert!(!contains(out, secret.as_bytes()), "raw survived: {secret}");
            prop_assert!(
                !texts.iter().any(|t| t.contains(secret.as_str())),
                "decoded survived: {secret}"
            );
        }
    }
}
