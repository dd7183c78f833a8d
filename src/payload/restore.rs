//! Restoring redacted values in a model's response.
//!
//! When the proxy redacts a prompt, the model sees placeholders such as
//! `[REDACTED:aws-access-key-id:1]` and often echoes them back. With
//! restoring on, the response the caller gets has the original values in
//! their place, from that request's own table (never shared across
//! requests).
//!
//! Two shapes of response are handled, both without async code:
//!
//! - a whole JSON body ([`Restorer::restore_json`]): every string value is
//!   restored; a string that is itself JSON (tool-call `arguments`) gets
//!   the original escaped for that inner document;
//! - a server-sent-event stream ([`SseRestorer`]), fed chunk by chunk. The
//!   text deltas of OpenAI chat and completions, the Responses API and
//!   Anthropic messages are followed per channel (choice, content block),
//!   so a placeholder split across chunks *and* across events is restored:
//!   the tail of a delta that may be the start of a placeholder is held
//!   back and put in front of the next delta of the same channel. Any other
//!   event first flushes what is held, as one extra delta event of the
//!   channel's own shape, and is then restored as a whole JSON body.
//!   Events that need no change pass through byte for byte.
//!
//! Memory is bounded: an event is buffered only up to [`MAX_EVENT`] bytes
//! (past that it passes through unrestored), and what a channel holds back
//! is shorter than the longest placeholder.

use std::{collections::HashMap, fmt};

use aho_corasick::{AhoCorasick, MatchKind};
use serde_json::Value;

/// The longest server-sent event that is parsed for restoring; a longer one
/// is passed through as it is.
pub const MAX_EVENT: usize = 1 << 20;

/// Channels followed per stream; beyond this, new channels are not held
/// back (a placeholder split in them is not restored).
const MAX_CHANNELS: usize = 256;

/// A placeholder to original table, compiled for replacing.
///
/// Its `Debug` shows only how many entries it has.
#[derive(Clone, Default)]
pub struct Restorer {
    /// `None` when the table is empty.
    automaton: Option<AhoCorasick>,
    placeholders: Vec<Box<[u8]>>,
    originals: Vec<Box<[u8]>>,
}

impl fmt::Debug for Restorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Restorer")
            .field("entries", &self.placeholders.len())
            .finish()
    }
}

/// How an original is written where a placeholder was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Escape {
    /// As it is (decoded text).
    None,
    /// Escaped as the inside of a JSON string (the placeholder sat in a
    /// JSON document held in text, such as tool-call arguments).
    Json,
}

impl Restorer {
    /// A restorer for `(placeholder, original)` pairs. Empty placeholders
    /// are skipped.
    pub fn new<'a, I>(pairs: I) -> Restorer
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        let mut r = Restorer::default();
        for (p, o) in pairs {
            if !p.is_empty() {
                r.placeholders.push(p.as_bytes().into());
                r.originals.push(o.into());
            }
        }
        if !r.placeholders.is_empty() {
            r.automaton = Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&r.placeholders)
                    .expect("a few short literals always build"),
            );
        }
        r
    }

    /// True when there is nothing to restore.
    pub fn is_empty(&self) -> bool {
        self.automaton.is_none()
    }

    /// How many placeholders the table holds.
    pub fn len(&self) -> usize {
        self.placeholders.len()
    }

    /// True when `bytes` contains a whole placeholder.
    fn occurs_in(&self, bytes: &[u8]) -> bool {
        self.automaton.as_ref().is_some_and(|ac| ac.is_match(bytes))
    }

    /// `text` with every whole placeholder replaced by its original.
    fn replace(&self, text: &str, escape: Escape) -> String {
        let Some(ac) = &self.automaton else {
            return text.to_string();
        };
        let mut out = String::with_capacity(text.len());
        let mut pos = 0;
        for m in ac.find_iter(text) {
            out.push_str(&text[pos..m.start()]);
            let original =
                String::from_utf8_lossy(&self.originals[m.pattern()]);
            match escape {
                Escape::None => out.push_str(&original),
                Escape::Json => {
                    let quoted = Value::from(original.as_ref()).to_string();
                    out.push_str(&quoted[1..quoted.len() - 1]);
                }
            }
            pos = m.end();
        }
        out.push_str(&text[pos..]);
        out
    }

    /// Where the tail of `text` that may begin a placeholder starts:
    /// the smallest `i >= from` such that `text[i..]` is a proper prefix of
    /// some placeholder; `text.len()` when there is none.
    fn pending_from(&self, text: &str, from: usize) -> usize {
        let bytes = text.as_bytes();
        let longest =
            self.placeholders.iter().map(|p| p.len()).max().unwrap_or(0);
        let start = from.max(bytes.len().saturating_sub(longest));
        (start..bytes.len())
            .find(|&i| {
                text.is_char_boundary(i)
                    && self.placeholders.iter().any(|p| {
                        p.len() > bytes.len() - i && p.starts_with(&bytes[i..])
                    })
            })
            .unwrap_or(bytes.len())
    }

    /// Splits `text` into what can be written now, restored, and the tail
    /// to hold back until more text of the same channel arrives.
    fn split_pending(&self, text: &str, escape: Escape) -> (String, String) {
        let last_end = self
            .automaton
            .as_ref()
            .and_then(|ac| ac.find_iter(text).last())
            .map_or(0, |m| m.end());
        let cut = self.pending_from(text, last_end);
        (self.replace(&text[..cut], escape), text[cut..].to_string())
    }

    /// Restores a whole JSON body: every string value, keys untouched.
    /// A body that is not JSON is restored as text. Returns `None` when no
    /// placeholder occurs, so the caller forwards the body as it came.
    pub fn restore_json(&self, body: &[u8]) -> Option<Vec<u8>> {
        if !self.occurs_in(body) {
            return None;
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(mut v) => {
                self.restore_value(&mut v);
                Some(v.to_string().into_bytes())
            }
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                Some(self.replace(&text, Escape::None).into_bytes())
            }
        }
    }

    fn restore_value(&self, v: &mut Value) {
        match v {
            Value::String(s) if self.occurs_in(s.as_bytes()) => {
                *s = self.replace(s, escape_for(s));
            }
            Value::Array(items) => {
                items.iter_mut().for_each(|i| self.restore_value(i))
            }
            Value::Object(map) => {
                map.values_mut().for_each(|i| self.restore_value(i))
            }
            _ => {}
        }
    }
}

/// A string that holds a JSON document (tool-call arguments) needs the
/// originals escaped for it.
fn escape_for(s: &str) -> Escape {
    let t = s.trim_start();
    if (t.starts_with('{') || t.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok()
    {
        Escape::Json
    } else {
        Escape::None
    }
}

/// Restores a server-sent-event stream fed in chunks of any size.
///
/// ```
/// use leakguard::{Restorer, SseRestorer};
///
/// let table = Restorer::new([("[REDACTED:k:1]", &b"s3cr\"t"[..])]);
/// let mut sse = SseRestorer::new(table);
/// let mut out = Vec::new();
/// let e = |t: &str| {
///     format!("data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{t}\"}}}}]}}\n\n")
/// };
/// sse.push(e("key [REDAC").as_bytes(), &mut out);
/// sse.push(e("TED:k:1] ok").as_bytes(), &mut out);
/// sse.push(b"data: [DONE]\n\n", &mut out);
/// sse.finish(&mut out);
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.contains(r#""content":"key ""#));
/// assert!(text.contains(r#""content":"s3cr\"t ok""#));
/// ```
#[derive(Debug)]
pub struct SseRestorer {
    restorer: Restorer,
    /// Bytes of the event being received.
    event: Vec<u8>,
    /// The event in `event` is too long and passes through as it comes.
    passing: bool,
    /// Held-back text per channel, in first-seen order.
    held: Vec<Held>,
    index: HashMap<String, usize>,
}

/// What one channel holds back, with the shape to send it in.
#[derive(Debug)]
struct Held {
    text: String,
    /// The event name line (`event: ...`), if the stream names events.
    name: Option<String>,
    /// An event of this channel whose text at `path` is to be replaced.
    template: Value,
    path: Vec<Seg>,
    escape: Escape,
}

/// A step of a path into a JSON value.
#[derive(Clone, Debug)]
enum Seg {
    Key(&'static str),
    Idx(usize),
}

/// A text delta inside an event.
struct Delta {
    key: String,
    path: Vec<Seg>,
    /// The event reduced to this delta alone, for flushing held text.
    template: Value,
    escape: Escape,
}

impl SseRestorer {
    /// A stream restorer over one request's table.
    pub fn new(restorer: Restorer) -> SseRestorer {
        SseRestorer {
            restorer,
            event: Vec::new(),
            passing: false,
            held: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Feeds a chunk of the upstream stream; appends what can be sent to
    /// the client now to `out`.
    pub fn push(&mut self, mut chunk: &[u8], out: &mut Vec<u8>) {
        if self.restorer.is_empty() {
            out.extend_from_slice(chunk);
            return;
        }
        while !chunk.is_empty() {
            // A blank line may straddle the old end (`\r\n` + `\r\n`).
            let mut from = self.event.len().saturating_sub(3);
            let taken = chunk.len().min(MAX_EVENT + 4 - self.event.len());
            self.event.extend_from_slice(&chunk[..taken]);
            chunk = &chunk[taken..];
            while let Some(end) = event_end(&self.event, from) {
                let rest = self.event.split_off(end);
                let event = std::mem::replace(&mut self.event, rest);
                if std::mem::take(&mut self.passing) {
                    out.extend_from_slice(&event);
                } else {
                    self.on_event(&event, out);
                }
                from = 0;
            }
            if self.event.len() > MAX_EVENT {
                // Too long to parse: let it through as it comes.
                self.flush_held(out);
                out.append(&mut self.event);
                self.passing = true;
            }
        }
    }

    /// Ends the stream: writes what is held and any incomplete last event.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        let last = std::mem::take(&mut self.event);
        if !last.is_empty() && !self.passing {
            self.on_event(&last, out);
        } else {
            out.extend_from_slice(&last);
        }
        self.flush_held(out);
    }

    fn on_event(&mut self, event: &[u8], out: &mut Vec<u8>) {
        let Some(parsed) = Parsed::new(event) else {
            self.flush_held(out);
            out.extend_from_slice(event);
            return;
        };
        let mut value = match serde_json::from_str::<Value>(&parsed.data) {
            Ok(v) => v,
            Err(_) => {
                self.flush_held(out);
                out.extend_from_slice(event);
                return;
            }
        };
        let deltas = deltas(&value);
        if deltas.is_empty() {
            self.flush_held(out);
            if self.restorer.occurs_in(parsed.data.as_bytes()) {
                self.restorer.restore_value(&mut value);
                parsed.write(event, &value, out);
            } else {
                out.extend_from_slice(event);
            }
            return;
        }
        let mut changed = false;
        for d in deltas {
            let Some(text) = get_str(&value, &d.path) else { continue };
            let slot = match self.index.get(&d.key) {
                Some(&i) => Some(i),
                None if self.held.len() < MAX_CHANNELS => {
                    self.index.insert(d.key.clone(), self.held.len());
                    self.held.push(Held {
                        text: String::new(),
                        name: None,
                        template: Value::Null,
                        path: Vec::new(),
                        escape: d.escape,
                    });
                    Some(self.held.len() - 1)
                }
                None => None,
            };
            let (now, later) = match slot {
                Some(i) => {
                    let h = &mut self.held[i];
                    let whole = std::mem::take(&mut h.text) + text;
                    let (now, later) =
                        self.restorer.split_pending(&whole, d.escape);
                    h.text = later.clone();
                    h.name = parsed.name.clone();
                    h.template = d.template;
                    h.path = d.path.clone();
                    (now, later)
                }
                None => (self.restorer.replace(text, d.escape), String::new()),
            };
            if now != text || !later.is_empty() {
                set_str(&mut value, &d.path, now);
                changed = true;
            }
        }
        // Whole placeholders elsewhere in the event (rare) are restored too.
        if self.restorer.occurs_in(parsed.data.as_bytes()) {
            self.restorer.restore_value(&mut value);
            changed = true;
        }
        if changed {
            parsed.write(event, &value, out);
        } else {
            out.extend_from_slice(event);
        }
    }

    /// Sends what every channel holds, each as one delta event of its own
    /// shape.
    fn flush_held(&mut self, out: &mut Vec<u8>) {
        for h in &mut self.held {
            if h.text.is_empty() {
                continue;
            }
            let text = std::mem::take(&mut h.text);
            let mut v = h.template.clone();
            set_str(&mut v, &h.path, self.restorer.replace(&text, h.escape));
            if let Some(name) = &h.name {
                out.extend_from_slice(b"event: ");
                out.extend_from_slice(name.as_bytes());
                out.push(b'\n');
            }
            out.extend_from_slice(b"data: ");
            out.extend_from_slice(v.to_string().as_bytes());
            out.extend_from_slice(b"\n\n");
        }
    }
}

/// Where the first event in `buf` ends (after its blank line), looking for
/// the blank line from `from` on.
fn event_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < buf.len() {
        match buf[i] {
            b'\n' if buf.get(i + 1) == Some(&b'\n') => return Some(i + 2),
            b'\r' if buf[i + 1..].starts_with(b"\n\r\n") => {
                return Some(i + 4)
            }
            b'\r' if buf.get(i + 1) == Some(&b'\r') => return Some(i + 2),
            b'\n' if buf[i + 1..].starts_with(b"\r\n") => return Some(i + 3),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The fields of one event that restoring needs.
struct Parsed {
    name: Option<String>,
    data: String,
}

impl Parsed {
    /// `None` for an event that is not UTF-8 or has no JSON data.
    fn new(event: &[u8]) -> Option<Parsed> {
        let text = std::str::from_utf8(event).ok()?;
        let mut name = None;
        let mut data: Option<String> = None;
        for line in text.lines() {
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line, ""),
            };
            match field {
                "event" => name = Some(value.to_string()),
                "data" => match &mut data {
                    Some(d) => {
                        d.push('\n');
                        d.push_str(value);
                    }
                    None => data = Some(value.to_string()),
                },
                _ => {}
            }
        }
        let data = data?;
        data.trim_start().starts_with('{').then_some(Parsed { name, data })
    }

    /// Writes `event` with its data lines replaced by one line of `value`.
    fn write(&self, event: &[u8], value: &Value, out: &mut Vec<u8>) {
        let text = std::str::from_utf8(event).expect("checked by new");
        let mut wrote = false;
        for line in text.lines() {
            if line == "data" || line.starts_with("data:") {
                if !wrote {
                    out.extend_from_slice(b"data: ");
                    out.extend_from_slice(value.to_string().as_bytes());
                    out.push(b'\n');
                    wrote = true;
                }
            } else if !line.is_empty() {
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
        }
        out.push(b'\n');
    }
}

/// The text deltas an event carries, by provider shape.
fn deltas(v: &Value) -> Vec<Delta> {
    let mut found = Vec::new();
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64);
    match ty {
        // Anthropic messages.
        "content_block_delta" => {
            let i = num(v, "index").unwrap_or(0);
            let d = &v["delta"];
            let (field, escape) = match d.get("type").and_then(Value::as_str) {
                Some("text_delta") => ("text", Escape::None),
                Some("input_json_delta") => ("partial_json", Escape::Json),
                Some("thinking_delta") => ("thinking", Escape::None),
                _ => return found,
            };
            found.push(Delta {
                key: format!("anthropic/{i}/{field}"),
                path: vec![Seg::Key("delta"), Seg::Key(field)],
                template: v.clone(),
                escape,
            });
        }
        // OpenAI Responses API.
        "response.output_text.delta"
        | "response.function_call_arguments.delta"
        | "response.refusal.delta"
        | "response.reasoning_summary_text.delta" => {
            let escape = if ty == "response.function_call_arguments.delta" {
                Escape::Json
            } else {
                Escape::None
            };
            let (o, c) = (num(v, "output_index"), num(v, "content_index"));
            found.push(Delta {
                key: format!("{ty}/{o:?}/{c:?}"),
                path: vec![Seg::Key("delta")],
                template: v.clone(),
                escape,
            });
        }
        _ => chat_deltas(v, &mut found),
    }
    found
}

/// OpenAI chat completion chunks (`choices[].delta.content`, tool-call
/// arguments) and legacy completions (`choices[].text`).
fn chat_deltas(v: &Value, found: &mut Vec<Delta>) {
    let Some(choices) = v.get("choices").and_then(Value::as_array) else {
        return;
    };
    for (ci, choice) in choices.iter().enumerate() {
        let n = choice.get("index").and_then(Value::as_u64).unwrap_or(0);
        // The template keeps only this choice, with only this delta, so a
        // flush repeats nothing else.
        let template = |inner: Value| {
            let mut t = v.clone();
            let mut c = choice.clone();
            if let Some(obj) = c.as_object_mut() {
                obj.remove("finish_reason");
                obj.remove("logprobs");
                for (k, val) in inner.as_object().into_iter().flatten() {
                    obj.insert(k.clone(), val.clone());
                }
            }
            t["choices"] = Value::Array(vec![c]);
            t
        };
        if choice.get("text").is_some_and(Value::is_string) {
            found.push(Delta {
                key: format!("completion/{n}"),
                path: vec![
                    Seg::Key("choices"),
                    Seg::Idx(ci),
                    Seg::Key("text"),
                ],
                template: template(serde_json::json!({"text": ""})),
                escape: Escape::None,
            });
        }
        let delta = &choice["delta"];
        for field in ["content", "refusal", "reasoning_content"] {
            if delta.get(field).is_some_and(Value::is_string) {
                let mut d = serde_json::Map::new();
                d.insert(field.into(), Value::from(""));
                found.push(Delta {
                    key: format!("chat/{n}/{field}"),
                    path: vec![
                        Seg::Key("choices"),
                        Seg::Idx(ci),
                        Seg::Key("delta"),
                        Seg::Key(field),
                    ],
                    template: template(serde_json::json!({"delta": d})),
                    escape: Escape::None,
                });
            }
        }
        let calls = delta.get("tool_calls").and_then(Value::as_array);
        for (ti, call) in calls.into_iter().flatten().enumerate() {
            if !call["function"]["arguments"].is_string() {
                continue;
            }
            let t = call.get("index").and_then(Value::as_u64).unwrap_or(0);
            found.push(Delta {
                key: format!("chat/{n}/tool/{t}"),
                path: vec![
                    Seg::Key("choices"),
                    Seg::Idx(ci),
                    Seg::Key("delta"),
                    Seg::Key("tool_calls"),
                    Seg::Idx(ti),
                    Seg::Key("function"),
                    Seg::Key("arguments"),
                ],
                template: template(serde_json::json!({"delta": {
                    "tool_calls": [{"index": t, "function": {"arguments": ""}}]
                }})),
                escape: Escape::Json,
            });
        }
    }
}

fn get_str<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v str> {
    path.iter()
        .try_fold(v, |v, s| match s {
            Seg::Key(k) => v.get(k),
            Seg::Idx(i) => v.get(i),
        })?
        .as_str()
}

/// Sets the string at `path`; the path was found in a value of this shape.
fn set_str(v: &mut Value, path: &[Seg], text: String) {
    let mut cur = v;
    for s in path {
        let next = match s {
            Seg::Key(k) => cur.get_mut(k),
            Seg::Idx(i) => cur.get_mut(i),
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    *cur = Value::String(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Restorer {
        Restorer::new([
            ("[REDACTED:aws-access-key-id:1]", &b"AKIAZ3MSJV4WWNKWW5FG"[..]),
            ("[REDACTED:password:1]", &b"p\"w\\d\n"[..]),
            ("[REDACTED:password:12]", &b"second"[..]),
        ])
    }

    fn chat(text: &str) -> String {
        let v = serde_json::json!({
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": {"content": text},
                         "finish_reason": null}]
        });
        format!("data: {v}\n\n")
    }

    /// Concatenates the chat content deltas of an SSE stream.
    fn chat_text(stream: &[u8]) -> String {
        let text = std::str::from_utf8(stream).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            let Some(data) = line.strip_prefix("data: ") else { continue };
            let Ok(v) = serde_json::from_str::<Value>(data) else { continue };
            if let Some(s) = v["choices"][0]["delta"]["content"].as_str() {
                out.push_str(s);
            }
        }
        out
    }

    fn run(chunks: &[&[u8]], r: Restorer) -> Vec<u8> {
        let mut sse = SseRestorer::new(r);
        let mut out = Vec::new();
        for c in chunks {
            sse.push(c, &mut out);
        }
        sse.finish(&mut out);
        out
    }

    #[test]
    fn debug_shows_no_original() {
        let d = format!("{:?}", SseRestorer::new(table()));
        assert!(!d.contains("AKIA") && d.contains("entries: 3"), "{d}");
    }

    #[test]
    fn json_body_strings_and_nested_arguments() {
        let body = serde_json::json!({
            "choices": [{"message": {
                "content": "key [REDACTED:aws-access-key-id:1] pw [REDACTED:password:1]",
                "tool_calls": [{"function": {
                    "arguments": "{\"pw\":\"[REDACTED:password:1]\"}"
                }}]
            }}]
        })
        .to_string();
        let out = table().restore_json(body.as_bytes()).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let m = &v["choices"][0]["message"];
        assert_eq!(m["content"], "key AKIAZ3MSJV4WWNKWW5FG pw p\"w\\d\n");
        let args: Value = serde_json::from_str(
            m["tool_calls"][0]["function"]["arguments"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(args["pw"], "p\"w\\d\n");
        assert_eq!(table().restore_json(b"{\"a\":\"[REDACTED:x]\"}"), None);
        assert_eq!(
            table().restore_json(b"not json [REDACTED:password:12]").unwrap(),
            b"not json second"
        );
    }

    #[test]
    fn longest_placeholder_wins() {
        let r = table();
        assert_eq!(
            r.replace(
                "[REDACTED:password:12][REDACTED:password:1]",
                Escape::None
            ),
            "secondp\"w\\d\n"
        );
    }

    #[test]
    fn unchanged_events_pass_byte_for_byte() {
        let input = b": keep-alive\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n\
                      data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n\
                      data: [DONE]\n\n";
        assert_eq!(run(&[input], table()), input.to_vec());
        assert_eq!(run(&[input], Restorer::new([])), input.to_vec());
    }

    #[test]
    fn placeholder_split_across_events_and_chunks() {
        let stream = [
            chat("use [REDACTED:aws-acc"),
            chat("ess-key-id:1] and [REDACTED:pass"),
            chat("word:1]. [REDACTED:pass"),
            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n".into(),
            "data: [DONE]\n\n".into(),
        ]
        .concat();
        let want = "use AKIAZ3MSJV4WWNKWW5FG and p\"w\\d\n. [REDACTED:pass";
        for size in [1, 2, 3, 7, 64, stream.len()] {
            let chunks: Vec<&[u8]> = stream.as_bytes().chunks(size).collect();
            let out = run(&chunks, table());
            assert_eq!(chat_text(&out), want, "chunk size {size}");
            let text = String::from_utf8(out).unwrap();
            // The unfinished tail is flushed before the finishing chunk.
            let tail = text.find("[REDACTED:pass\"").unwrap();
            assert!(tail < text.find("\"stop\"").unwrap());
        }
    }

    #[test]
    fn anthropic_and_responses_deltas() {
        let a = |t: &str| {
            let v = serde_json::json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": t}});
            format!("event: content_block_delta\ndata: {v}\n\n")
        };
        let stream = [
            a("x [REDACTED:aws-"),
            a("access-key-id:1] y"),
            "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n".into(),
        ]
        .concat();
        let out =
            String::from_utf8(run(&[stream.as_bytes()], table())).unwrap();
        assert!(out.contains("\"text\":\"x \""), "{out}");
        assert!(out.contains("\"text\":\"AKIAZ3MSJV4WWNKWW5FG y\""), "{out}");
        assert!(out.contains("event: content_block_delta\ndata: {"));

        let r = |t: &str| {
            let v = serde_json::json!({"type": "response.output_text.delta",
                "output_index": 0, "content_index": 0, "delta": t});
            format!("event: response.output_text.delta\ndata: {v}\n\n")
        };
        let done = serde_json::json!({"type": "response.output_text.done",
            "text": "k [REDACTED:password:1]"});
        let stream = [
            r("k [REDACTED:pass"),
            format!("event: response.output_text.done\ndata: {done}\n\n"),
        ]
        .concat();
        let out =
            String::from_utf8(run(&[stream.as_bytes()], table())).unwrap();
        // Held text is flushed as a delta, then the done event restored.
        let flushed = out.find("\"delta\":\"[REDACTED:pass\"").unwrap();
        let done_at = out.find("\"text\":\"k p\\\"w\\\\d\\n\"").unwrap();
        assert!(flushed < done_at, "{out}");
    }

    #[test]
    fn tool_arguments_are_escaped_for_their_document() {
        let v = |args: &str| {
            let v = serde_json::json!({"choices": [{"index": 0, "delta": {
                "tool_calls": [{"index": 0, "function": {"arguments": args}}]}}]});
            format!("data: {v}\n\n")
        };
        let stream = [v("{\"pw\":\"[REDACTED:pa"), v("ssword:1]\"}")].concat();
        let out = run(&[stream.as_bytes()], table());
        let mut args = String::new();
        for line in std::str::from_utf8(&out).unwrap().lines() {
            let data: Value = serde_json::from_str(
                line.strip_prefix("data: ").unwrap_or("null"),
            )
            .unwrap_or(Value::Null);
            if let Some(a) = data["choices"][0]["delta"]["tool_calls"][0]
                ["function"]["arguments"]
                .as_str()
            {
                args.push_str(a);
            }
        }
        let parsed: Value = serde_json::from_str(&args).unwrap();
        assert_eq!(parsed["pw"], "p\"w\\d\n");
    }

    #[test]
    fn an_overlong_event_passes_through() {
        let big =
            format!("data: {{\"x\":\"{}\"}}\n\n", "a".repeat(MAX_EVENT + 10));
        let stream =
            [chat("[REDACTED:pass"), big.clone(), chat("word:1]")].concat();
        let out = run(&[stream.as_bytes()], table());
        assert!(out.len() >= big.len());
        assert_eq!(chat_text(&out), "[REDACTED:password:1]");
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// However the model's text is split into events and the byte
            /// stream into chunks, the client reads the same restored text.
            #[test]
            fn any_split_restores_the_same(
                parts in proptest::collection::vec(
                    prop_oneof![
                        Just("[REDACTED:aws-access-key-id:1]".to_string()),
                        Just("[REDACTED:password:1]".to_string()),
                        Just("[REDACTED:password:12]".to_string()),
                        Just("[REDACTED:".to_string()),
                        "[a-z \\[\\]:ü]{0,12}",
                    ],
                    0..8,
                ),
                cuts in proptest::collection::vec(0usize..200, 0..6),
                chunk in 1usize..50,
            ) {
                let text: String = parts.concat();
                let r = table();
                let want = r.replace(&text, Escape::None);
                let mut bounds: Vec<usize> = cuts
                    .iter()
                    .map(|c| c % (text.len() + 1))
                    .filter(|&c| text.is_char_boundary(c))
                    .collect();
                bounds.push(0);
                bounds.push(text.len());
                bounds.sort_unstable();
                bounds.dedup();
                let stream: String = bounds
                    .windows(2)
                    .map(|w| chat(&text[w[0]..w[1]]))
                    .collect();
                let chunks: Vec<&[u8]> = stream.as_bytes().chunks(chunk).collect();
                prop_assert_eq!(chat_text(&run(&chunks, r)), want);
            }

            /// Arbitrary streams, even malformed ones, come out the same
            /// however they are chunked.
            #[test]
            fn chunking_never_changes_the_output(
                parts in proptest::collection::vec(
                    prop_oneof![
                        Just("data: ".to_string()),
                        Just("event: x\n".to_string()),
                        Just("\n".to_string()),
                        Just("\r".to_string()),
                        Just(chat("[REDACTED:password:1]")),
                        Just(chat("[REDACTED:pass")),
                        "[a-z{}\\[\\]\":, ]{0,10}",
                    ],
                    0..12,
                ),
                chunk in 1usize..20,
            ) {
                let stream = parts.concat();
                let whole = run(&[stream.as_bytes()], table());
                let chunks: Vec<&[u8]> = stream.as_bytes().chunks(chunk).collect();
                prop_assert_eq!(run(&chunks, table()), whole);
            }
        }
    }
}
