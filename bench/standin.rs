//! A stand-in LLM upstream for trying and measuring `leakguard proxy` on
//! loopback: canned OpenAI chat and Anthropic messages answers, plain JSON
//! or SSE, with no parsing on the fast path.
//!
//!     cargo run --release --example standin -- 127.0.0.1:9901 [RECORD_FILE]
//!
//! - `"stream":true` in the body: an SSE answer (OpenAI chunks, or Anthropic
//!   events on `/v1/messages`), the text cut into small deltas.
//! - header `x-echo: 1`: the text is the last message's content (so a
//!   client sees the placeholders the proxy put in); else `ok`.
//! - RECORD_FILE: every request body is appended to it, one per line, so a
//!   check can prove what reached the upstream.
//! - header `x-fault` (for `bench/faults.py`): `slow` answers after 3 s,
//!   `drop` closes the connection without an answer, `error` answers 500
//!   in the provider's shape, `stall` sends one SSE event and then nothing.

use std::{
    convert::Infallible,
    io::Write,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::{
    body::{Body, Frame, Incoming},
    server::conn::http1,
    service::service_fn,
    Request, Response, StatusCode,
};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;

type Record = Option<Arc<Mutex<std::fs::File>>>;

fn text_of(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let last = v["messages"].as_array().and_then(|m| m.last()).cloned();
    let content = last.map(|m| m["content"].clone()).unwrap_or(Value::Null);
    match content {
        Value::String(s) => s,
        // Anthropic content blocks: the text of the first text block.
        Value::Array(blocks) => blocks
            .iter()
            .find_map(|b| b["text"].as_str())
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    }
}

fn sse(event: Option<&str>, data: Value) -> String {
    let name = event.map(|e| format!("event: {e}\n")).unwrap_or_default();
    format!("{name}data: {data}\n\n")
}

fn openai_stream(text: &str) -> String {
    let chunk = |delta: Value, finish: Value| {
        sse(
            None,
            json!({"id": "chatcmpl-standin", "object": "chat.completion.chunk",
                   "created": 1, "model": "standin",
                   "choices": [{"index": 0, "delta": delta,
                                "finish_reason": finish}]}),
        )
    };
    let mut out =
        chunk(json!({"role": "assistant", "content": ""}), Value::Null);
    for piece in pieces(text) {
        out += &chunk(json!({"content": piece}), Value::Null);
    }
    out += &chunk(json!({}), json!("stop"));
    out + "data: [DONE]\n\n"
}

fn anthropic_stream(text: &str) -> String {
    let mut out = sse(
        Some("message_start"),
        json!({"type": "message_start", "message": {
            "id": "msg_standin", "type": "message", "role": "assistant",
            "content": [], "model": "standin", "stop_reason": null,
            "stop_sequence": null,
            "usage": {"input_tokens": 1, "output_tokens": 1}}}),
    );
    out += &sse(
        Some("content_block_start"),
        json!({"type": "content_block_start", "index": 0,
               "content_block": {"type": "text", "text": ""}}),
    );
    for piece in pieces(text) {
        out += &sse(
            Some("content_block_delta"),
            json!({"type": "content_block_delta", "index": 0,
                   "delta": {"type": "text_delta", "text": piece}}),
        );
    }
    out += &sse(
        Some("content_block_stop"),
        json!({"type": "content_block_stop", "index": 0}),
    );
    out += &sse(
        Some("message_delta"),
        json!({"type": "message_delta",
               "delta": {"stop_reason": "end_turn", "stop_sequence": null},
               "usage": {"output_tokens": 1}}),
    );
    out + &sse(Some("message_stop"), json!({"type": "message_stop"}))
}

/// Deltas of 7 characters, so placeholders are split across events.
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(7).map(|c| c.iter().collect()).collect()
}

/// One SSE event, then nothing ever again (`x-fault: stall`).
struct Stall(Option<Bytes>);

impl Body for Stall {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.0.take() {
            Some(b) => Poll::Ready(Some(Ok(Frame::data(b)))),
            None => Poll::Pending,
        }
    }
}

type Answer = Response<BoxBody<Bytes, Infallible>>;

async fn answer(
    req: Request<Incoming>,
    record: Record,
) -> Result<Answer, std::io::Error> {
    let anthropic = req.uri().path().ends_with("/messages");
    let echo = req.headers().contains_key("x-echo");
    let fault = req
        .headers()
        .get("x-fault")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    if let Some(r) = &record {
        let mut f = r.lock().unwrap();
        let _ = f.write_all(&body);
        let _ = f.write_all(b"\n");
    }
    match fault.as_str() {
        "slow" => tokio::time::sleep(Duration::from_secs(3)).await,
        "drop" => return Err(std::io::Error::other("dropped on purpose")),
        "error" => {
            let e = if anthropic {
                json!({"type": "error", "error": {"type": "api_error",
                       "message": "standin: internal error"}})
            } else {
                json!({"error": {"message": "standin: internal error",
                       "type": "server_error", "code": null}})
            };
            let mut r =
                Response::new(Full::new(Bytes::from(e.to_string())).boxed());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            r.headers_mut()
                .insert("content-type", "application/json".parse().unwrap());
            return Ok(r);
        }
        "stall" => {
            let first = openai_stream("stalling");
            let first = first.split("\n\n").next().unwrap_or("").to_string();
            let mut r = Response::new(
                Stall(Some(Bytes::from(first + "\n\n"))).boxed(),
            );
            r.headers_mut()
                .insert("content-type", "text/event-stream".parse().unwrap());
            return Ok(r);
        }
        _ => {}
    }
    let stream = body.windows(13).any(|w| w == b"\"stream\":true")
        || body.windows(14).any(|w| w == b"\"stream\": true");
    let text = if echo { text_of(&body) } else { "ok".to_string() };
    let (ct, out) = match (stream, anthropic) {
        (true, false) => ("text/event-stream", openai_stream(&text)),
        (true, true) => ("text/event-stream", anthropic_stream(&text)),
        (false, false) => (
            "application/json",
            json!({"id": "chatcmpl-standin", "object": "chat.completion",
                   "created": 1, "model": "standin",
                   "choices": [{"index": 0, "finish_reason": "stop",
                                "message": {"role": "assistant", "content": text}}],
                   "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                             "total_tokens": 2}})
            .to_string(),
        ),
        (false, true) => (
            "application/json",
            json!({"id": "msg_standin", "type": "message", "role": "assistant",
                   "model": "standin", "stop_reason": "end_turn",
                   "stop_sequence": null,
                   "content": [{"type": "text", "text": text}],
                   "usage": {"input_tokens": 1, "output_tokens": 1}})
            .to_string(),
        ),
    };
    let mut r = Response::new(Full::new(Bytes::from(out)).boxed());
    r.headers_mut().insert("content-type", ct.parse().unwrap());
    Ok(r)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9901".into());
    let record: Record = match args.next() {
        Some(p) => Some(Arc::new(Mutex::new(
            std::fs::OpenOptions::new().create(true).append(true).open(p)?,
        ))),
        None => None,
    };
    let listener = TcpListener::bind(&addr).await?;
    eprintln!("standin: listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let record = record.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| answer(req, record.clone()));
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}
