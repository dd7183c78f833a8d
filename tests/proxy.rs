//! `leakguard::proxy` over real HTTP on loopback: a stand-in upstream
//! records what reaches it; a raw hyper client plays the AI tool.

use std::{
    convert::Infallible,
    io::Write,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{
    body::{Body, Frame, Incoming},
    server::conn::http1,
    service::service_fn,
    HeaderMap, Request, Response, StatusCode,
};
use hyper_util::rt::TokioIo;
use leakguard::{
    proxy::{ProxyBuilder, Route},
    Action, Category, Policy, RuleSet, ScannerBuilder,
};
use serde_json::{json, Value};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{mpsc, oneshot, Notify},
};

use crate::gen::{self, Rng};

/// What the stand-in upstream received.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

struct Upstream {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// The streaming answer waits for this after its first event.
    gate: Arc<Notify>,
}

/// A response body fed from a channel, so the upstream can pause.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

type TestBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// The text of the last message, which the upstream echoes back.
fn last_text(v: &Value) -> String {
    let m = v["messages"].as_array().and_then(|m| m.last());
    m.and_then(|m| m["content"].as_str()).unwrap_or("").to_string()
}

/// Cuts `text` in the middle of its first placeholder, if any.
fn split_point(text: &str) -> usize {
    match text.find("[REDACTED:") {
        Some(i) => i + 6,
        None => text.len() / 2,
    }
}

fn sse(event: Option<&str>, data: &Value) -> Bytes {
    let name = event.map(|e| format!("event: {e}\n")).unwrap_or_default();
    Bytes::from(format!("{name}data: {data}\n\n"))
}

async fn answer(
    req: Request<Incoming>,
    seen: Arc<Mutex<Vec<Seen>>>,
    gate: Arc<Notify>,
) -> Result<Response<TestBody>, Infallible> {
    let path = req.uri().path().to_string();
    let headers = req.headers().clone();
    let body = req.into_body().collect().await.unwrap().to_bytes().to_vec();
    seen.lock().unwrap().push(Seen {
        path: path.clone(),
        headers,
        body: body.clone(),
    });
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = last_text(&v);
    let anthropic = path == "/v1/messages";
    if v["stream"] != json!(true) {
        let out = if anthropic {
            json!({"type": "message", "role": "assistant",
                   "content": [{"type": "text", "text": text}]})
        } else {
            json!({"object": "chat.completion", "choices": [{"index": 0,
                   "message": {"role": "assistant", "content": text},
                   "finish_reason": "stop"}]})
        };
        let mut r =
            Response::new(Full::new(Bytes::from(out.to_string())).boxed());
        r.headers_mut()
            .insert("content-type", "application/json".parse().unwrap());
        return Ok(r);
    }
    let (tx, rx) = mpsc::channel(8);
    let cut = split_point(&text);
    let (a, b) = (text[..cut].to_string(), text[cut..].to_string());
    tokio::spawn(async move {
        let events = if anthropic {
            let d = |t: &str| {
                sse(
                    Some("content_block_delta"),
                    &json!({"type": "content_block_delta", "index": 0,
                            "delta": {"type": "text_delta", "text": t}}),
                )
            };
            vec![
                d(&a),
                d(&b),
                sse(
                    Some("content_block_stop"),
                    &json!({"type": "content_block_stop", "index": 0}),
                ),
                sse(Some("message_stop"), &json!({"type": "message_stop"})),
            ]
        } else {
            let d = |t: &str| {
                sse(
                    None,
                    &json!({"object": "chat.completion.chunk", "choices": [{"index": 0,
                            "delta": {"content": t}, "finish_reason": null}]}),
                )
            };
            vec![
                d(&a),
                d(&b),
                sse(
                    None,
                    &json!({"object": "chat.completion.chunk", "choices": [{"index": 0,
                            "delta": {}, "finish_reason": "stop"}]}),
                ),
                Bytes::from_static(b"data: [DONE]\n\n"),
            ]
        };
        for (i, e) in events.into_iter().enumerate() {
            if tx.send(e).await.is_err() {
                return;
            }
            if i == 0 {
                // Wait until the client has seen the first event.
                let _ = tokio::time::timeout(
                    Duration::from_secs(5),
                    gate.notified(),
                )
                .await;
            }
        }
    });
    let mut r = Response::new(ChannelBody(rx).boxed());
    r.headers_mut()
        .insert("content-type", "text/event-stream".parse().unwrap());
    Ok(r)
}

async fn upstream() -> Upstream {
    upstream_over(None).await
}

/// The stand-in upstream, over TLS when given an acceptor.
async fn upstream_over(tls: Option<tokio_rustls::TlsAcceptor>) -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let gate = Arc::new(Notify::new());
    let (s, g) = (seen.clone(), gate.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let (s, g, tls) = (s.clone(), g.clone(), tls.clone());
            tokio::spawn(async move {
                let svc =
                    service_fn(move |req| answer(req, s.clone(), g.clone()));
                let conn = http1::Builder::new();
                let _ = match tls {
                    None => {
                        conn.serve_connection(TokioIo::new(stream), svc).await
                    }
                    Some(tls) => {
                        let Ok(stream) = tls.accept(stream).await else {
                            return;
                        };
                        conn.serve_connection(TokioIo::new(stream), svc).await
                    }
                };
            });
        }
    });
    Upstream { addr, seen, gate }
}

/// A certificate authority of its own and a server certificate for
/// `localhost` it signed: the acceptor and the authority's PEM.
fn test_authority() -> (tokio_rustls::TlsAcceptor, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    let provider =
        Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config =
        tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(
                    key.serialize_der().into(),
                ),
            )
            .unwrap();
    (tokio_rustls::TlsAcceptor::from(Arc::new(config)), ca.pem())
}

/// An audit log the test can read.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(5), self.done)
            .await
            .expect("graceful shutdown")
            .unwrap()
            .unwrap();
    }
}

fn policy(block: &[Category]) -> Policy {
    let mut p = Policy::filter();
    for c in block {
        p.category(*c, Action::Block);
    }
    p
}

fn route(name: &str, upstream: &str, block: &[Category]) -> Route {
    let scanner = ScannerBuilder::new()
        .policy(policy(block))
        .build(&RuleSet::builtin())
        .unwrap();
    Route::new(name, upstream, scanner).unwrap()
}

async fn start(b: &mut ProxyBuilder) -> Running {
    let proxy = b.build().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel();
    let done = tokio::spawn(leakguard::proxy::run(listener, proxy, async {
        let _ = rx.await;
    }));
    Running { addr, stop: Some(tx), done }
}

/// Sends one request on a fresh connection; returns the answer with its
/// body unread.
async fn send(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Response<Incoming> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut s, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    let mut req = Request::post(path)
        .header("host", addr.to_string())
        .header("content-type", "application/json");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    s.send_request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap()
}

async fn read_all(r: Response<Incoming>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let (head, body) = r.into_parts();
    (
        head.status,
        head.headers,
        body.collect().await.unwrap().to_bytes().to_vec(),
    )
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_in_every_part_of_a_chat_never_reach_the_upstream() {
    let up = upstream().await;
    let audit = Shared::default();
    let mut b = ProxyBuilder::new();
    b.route(route("openai", &format!("http://{}", up.addr), &[]))
        .audit_log(Box::new(audit.clone()));
    let proxy = start(&mut b).await;

    let mut r = Rng::new(501);
    let aws = gen::aws_key_id(&mut r);
    let gh = gen::github_pat(&mut r);
    let pg = gen::postgres_uri(&mut r);
    let phone = gen::china_mobile(&mut r);
    let mail = gen::email(&mut r);
    let args =
        json!({"query": format!("select * where owner = '{}'", mail.text)})
            .to_string();
    let body = json!({
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": format!("deploy key:\n{}", aws.text)},
            {"role": "user", "content": format!("call {} about\n{}", phone.text, gh.text)},
            {"role": "assistant", "content": null, "tool_calls": [{"id": "c1",
                "type": "function", "function": {"name": "sql", "arguments": args}}]},
            {"role": "tool", "tool_call_id": "c1", "content": format!("dsn {}", pg.text)},
        ]
    });
    let token = "Bearer sk-test-auth-header-value-0123456789";
    let resp = send(
        proxy.addr,
        "/v1/chat/completions",
        &[("authorization", token), ("x-custom", "kept")],
        body.to_string().into_bytes(),
    )
    .await;
    let (status, headers, _) = read_all(resp).await;
    assert_eq!(status, StatusCode::OK);
    let redacted = headers["x-leakguard-redacted"].to_str().unwrap();
    assert!(redacted.contains("aws-access-key-id"), "{redacted}");

    let seen = up.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let got = &seen[0];
    for p in [&aws, &gh, &pg, &phone, &mail] {
        assert!(
            !contains(&got.body, &p.secret),
            "{} reached the upstream",
            p.kind
        );
    }
    let v: Value =
        serde_json::from_slice(&got.body).expect("valid JSON upstream");
    assert_eq!(v["messages"].as_array().unwrap().len(), 4);
    let args = v["messages"][2]["tool_calls"][0]["function"]["arguments"]
        .as_str()
        .unwrap();
    serde_json::from_str::<Value>(args).expect("arguments stay JSON");
    assert_eq!(
        got.headers["content-length"],
        got.body.len().to_string().as_str()
    );
    assert_eq!(got.headers["authorization"], token);
    assert_eq!(got.headers["x-custom"], "kept");

    let log = String::from_utf8(audit.0.lock().unwrap().clone()).unwrap();
    let line: Value =
        serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(line["outcome"], "redacted");
    assert_eq!(line["path"], "/v1/chat/completions");
    assert!(line["findings"][0]["fingerprint"].as_str().unwrap().len() == 32);
    assert!(!log.contains("sk-test-auth") && !log.contains("Bearer"));
    for p in [&aws, &gh, &pg, &phone, &mail] {
        assert!(!log.contains(&p.secret), "{} in the audit log", p.kind);
    }
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_policy_answers_in_the_provider_shape_and_forwards_nothing()
{
    let up = upstream().await;
    let base = format!("http://{}", up.addr);
    let mut b = ProxyBuilder::new();
    // Customer data to the foreign provider is blocked; the in-house
    // model only gets it redacted.
    b.route(
        route("anthropic", &base, &[Category::Pii])
            .path_prefix("/v1/messages"),
    )
    .route(route("in-house", &base, &[]));
    let proxy = start(&mut b).await;
    let phone = gen::china_mobile(&mut Rng::new(502));
    let msg = |text: &str| {
        json!({"model": "m", "max_tokens": 10,
               "messages": [{"role": "user", "content": text}]})
        .to_string()
        .into_bytes()
    };
    let prompt = format!("customer phone {}", phone.text);

    let (status, headers, body) = read_all(
        send(proxy.addr, "/v1/messages", &[("x-api-key", "k")], msg(&prompt))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let ids = headers["x-leakguard-blocked"].to_str().unwrap();
    assert!(ids.contains("china-mobile-number"), "{ids}");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["type"], "error");
    assert_eq!(v["error"]["type"], "permission_error");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("china-mobile-number"), "{message}");
    assert!(!contains(&body, &phone.secret));
    assert!(
        up.seen.lock().unwrap().is_empty(),
        "a blocked request was forwarded"
    );

    // Blocking pii covers its low-confidence rules: an email alone.
    let (status, headers, _) = read_all(
        send(
            proxy.addr,
            "/v1/messages",
            &[],
            msg("write to li.wei@zhongda-logistics.com.cn today"),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(headers["x-leakguard-blocked"]
        .to_str()
        .unwrap()
        .contains("email"));
    assert!(up.seen.lock().unwrap().is_empty());

    // The same prompt to the in-house route is redacted and forwarded.
    let (status, _, _) = read_all(
        send(proxy.addr, "/v1/chat/completions", &[], msg(&prompt)).await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let seen = up.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert!(!contains(&seen[0].body, &phone.secret));

    // OpenAI shape on an OpenAI path.
    let mut b = ProxyBuilder::new();
    b.route(route("openai", &base, &[Category::Secret]));
    let strict = start(&mut b).await;
    let aws = gen::aws_key_id(&mut Rng::new(503));
    let (status, headers, body) = read_all(
        send(strict.addr, "/v1/chat/completions", &[], msg(&aws.text)).await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(headers["x-leakguard-blocked"], "aws-access-key-id");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "leakguard_blocked");
    assert!(
        v["error"]["type"].is_string() && v["error"]["message"].is_string()
    );
    assert!(!contains(&body, &aws.secret));
    assert_eq!(up.seen.lock().unwrap().len(), 1);
    proxy.stop().await;
    strict.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sse_reaches_the_client_event_by_event() {
    let up = upstream().await;
    let mut b = ProxyBuilder::new();
    b.route(route("openai", &format!("http://{}", up.addr), &[]));
    let proxy = start(&mut b).await;
    let body = json!({"model": "m", "stream": true,
                      "messages": [{"role": "user", "content": "hello there"}]});
    let resp = send(
        proxy.addr,
        "/v1/chat/completions",
        &[],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let mut body = resp.into_body();
    // The upstream holds its second event until the gate opens, so the
    // first must arrive on its own.
    let first = tokio::time::timeout(Duration::from_secs(3), body.frame())
        .await
        .expect("first event before the second is sent")
        .unwrap()
        .unwrap()
        .into_data()
        .unwrap();
    assert!(contains(&first, "\"content\":\"hello\""), "{first:?}");
    assert!(!contains(&first, "there"));
    up.gate.notify_one();
    let rest = body.collect().await.unwrap().to_bytes();
    assert!(contains(&rest, " there") && contains(&rest, "[DONE]"));
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_puts_originals_back_per_request_even_split_across_events() {
    let up = upstream().await;
    let mut b = ProxyBuilder::new();
    b.route(route("any", &format!("http://{}", up.addr), &[])).restore(true);
    let proxy = start(&mut b).await;
    let aws = gen::aws_key_id(&mut Rng::new(504));
    let prompt = format!("why is {} rejected?", aws.text);

    for (path, stream) in [
        ("/v1/chat/completions", true),
        ("/v1/messages", true),
        ("/v1/chat/completions", false),
        ("/v1/messages", false),
    ] {
        up.gate.notify_one();
        let body = json!({"model": "m", "stream": stream, "max_tokens": 5,
                          "messages": [{"role": "user", "content": prompt}]});
        let (status, _, out) = read_all(
            send(proxy.addr, path, &[], body.to_string().into_bytes()).await,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let seen = up.seen.lock().unwrap().last().unwrap().clone();
        assert_eq!(seen.path, path);
        assert!(!contains(&seen.body, &aws.secret));
        assert!(contains(&seen.body, "[REDACTED:aws-access-key-id:1]"));
        let text = String::from_utf8(out).unwrap();
        let echoed: String = if stream {
            text.lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .filter_map(|d| serde_json::from_str::<Value>(d).ok())
                .filter_map(|v| {
                    v["choices"][0]["delta"]["content"]
                        .as_str()
                        .or(v["delta"]["text"].as_str())
                        .map(str::to_string)
                })
                .collect()
        } else {
            let v: Value = serde_json::from_str(&text).unwrap();
            v["choices"][0]["message"]["content"]
                .as_str()
                .or(v["content"][0]["text"].as_str())
                .unwrap()
                .to_string()
        };
        assert_eq!(echoed, prompt, "{path} stream={stream}: {text}");
    }

    // A later request typing a placeholder gets no earlier original.
    up.gate.notify_one();
    let body = json!({"model": "m", "stream": true,
        "messages": [{"role": "user", "content": "[REDACTED:aws-access-key-id:1]"}]});
    let (_, _, out) = read_all(
        send(
            proxy.addr,
            "/v1/chat/completions",
            &[],
            body.to_string().into_bytes(),
        )
        .await,
    )
    .await;
    assert!(!contains(&out, &aws.secret));
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_upstream_failures_answer_in_the_provider_shape() {
    let up = upstream().await;
    let mut b = ProxyBuilder::new();
    b.route(route("openai", &format!("http://{}", up.addr), &[]))
        .max_body(1024);
    let proxy = start(&mut b).await;
    let big =
        json!({"messages": [{"role": "user", "content": "x".repeat(2000)}]});
    let (status, _, body) = read_all(
        send(
            proxy.addr,
            "/v1/chat/completions",
            &[],
            big.to_string().into_bytes(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["error"]["code"], "request_too_large");
    assert!(up.seen.lock().unwrap().is_empty());

    // A compressed body cannot be scanned: blocked.
    let (status, _, _) = read_all(
        send(
            proxy.addr,
            "/v1/chat/completions",
            &[("content-encoding", "gzip")],
            b"\x1f\x8b".to_vec(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(up.seen.lock().unwrap().is_empty());

    // Failing open, the same body goes through unscanned.
    let mut b = ProxyBuilder::new();
    b.route(route("open", &format!("http://{}", up.addr), &[]))
        .max_body(1024)
        .fail_open(true);
    let open = start(&mut b).await;
    let raw = big.to_string().into_bytes();
    let (status, _, _) = read_all(
        send(open.addr, "/v1/chat/completions", &[], raw.clone()).await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(up.seen.lock().unwrap()[0].body, raw);
    open.stop().await;

    // Upstream down: 502 in Anthropic's shape on an Anthropic path.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = closed.local_addr().unwrap();
    drop(closed);
    let mut b = ProxyBuilder::new();
    b.route(route("down", &format!("http://{dead}"), &[]));
    let down = start(&mut b).await;
    let msg = json!({"messages": [{"role": "user", "content": "hi"}]});
    let (status, _, body) = read_all(
        send(down.addr, "/v1/messages", &[], msg.to_string().into_bytes())
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["type"], "error");
    assert_eq!(v["error"]["type"], "api_error");

    // A malformed chunked body: 400 in the provider's shape, nothing sent.
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut c = TcpStream::connect(proxy.addr).await.unwrap();
        c.write_all(
            b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n\
              transfer-encoding: chunked\r\n\r\nzz\r\n",
        )
        .await
        .unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            c.read_to_end(&mut answer),
        )
        .await;
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 400"), "{text}");
        let json = &text[text.find("\r\n\r\n").unwrap() + 4..];
        let v: Value = serde_json::from_str(json).unwrap();
        assert_eq!(v["error"]["code"], "bad_request", "{text}");
        assert!(up.seen.lock().unwrap().len() == 1, "only the fail-open one");
    }

    // Health and metrics.
    let stream = TcpStream::connect(proxy.addr).await.unwrap();
    let (mut s, conn) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    for (path, want) in
        [("/healthz", "ok"), ("/metrics", "outcome=\"too_large\"")]
    {
        let req = Request::get(path)
            .header("host", "x")
            .body(Full::new(Bytes::new()))
            .unwrap();
        s.ready().await.unwrap();
        let (status, _, body) =
            read_all(s.send_request(req).await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            contains(&body, want),
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    proxy.stop().await;
    down.stop().await;
}

/// The command as a user runs it: routes from leakguard.toml, `--block`
/// from the flags, stopped by SIGTERM.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_routes_by_config_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let up = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("leakguard.toml"),
        format!(
            "[proxy]\nupstream = \"http://{0}\"\n\
             [[proxy.route]]\nname = \"foreign\"\npath_prefix = \"/v1/messages\"\n\
             upstream = \"http://{0}\"\npolicy = {{ pii = \"block\" }}\n",
            up.addr
        ),
    )
    .unwrap();
    /// Ends the proxy if the test fails before it does.
    struct Guard(std::process::Child);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Guard(
        Command::new(env!("CARGO_BIN_EXE_leakguard"))
            .args(["proxy", "--listen", "127.0.0.1:0", "--block", "secret"])
            .current_dir(dir.path())
            .env("LEAKGUARD_KEY_FILE", dir.path().join("key"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut err = BufReader::new(child.0.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let addr: SocketAddr = line
        .trim()
        .rsplit("http://")
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));

    let phone = gen::china_mobile(&mut Rng::new(505));
    let phone = format!("customer phone {}", phone.text);
    let aws = gen::aws_key_id(&mut Rng::new(506));
    let msg = |text: &str| {
        json!({"messages": [{"role": "user", "content": text}]})
            .to_string()
            .into_bytes()
    };
    let status = |r: Response<Incoming>| r.status();
    // The foreign route blocks customer data; the default route redacts it.
    let r = send(addr, "/v1/messages", &[], msg(&phone)).await;
    assert_eq!(status(r), StatusCode::FORBIDDEN);
    let r = send(addr, "/v1/chat/completions", &[], msg(&phone)).await;
    assert_eq!(status(r), StatusCode::OK);
    // --block secret holds on every route.
    let r = send(addr, "/v1/chat/completions", &[], msg(&aws.text)).await;
    assert_eq!(status(r), StatusCode::FORBIDDEN);
    assert_eq!(up.seen.lock().unwrap().len(), 1);

    let pid = child.0.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let exit = child.0.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    assert!(exit.success(), "{exit:?} {rest}");
    assert!(rest.contains("proxy stopped"), "{rest}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_upstream_is_verified_and_gets_the_redacted_body() {
    let (tls, ca_pem) = test_authority();
    let up = upstream_over(Some(tls)).await;
    let base = format!("https://localhost:{}", up.addr.port());
    let key = gen::aws_key_id(&mut Rng::new(21)).secret;
    let body = json!({"model": "gpt-4o", "messages": [
        {"role": "user", "content": format!("aws_access_key_id={key} why?")}]})
    .to_string()
    .into_bytes();

    // Trusting the upstream's authority: redacted, forwarded, answered.
    let mut b = ProxyBuilder::new();
    b.route(route("in-house", &base, &[]))
        .upstream_ca(ca_pem.as_bytes())
        .unwrap();
    let px = start(&mut b).await;
    let (status, _, answer) = read_all(
        send(px.addr, "/v1/chat/completions", &[], body.clone()).await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer));
    {
        let seen = up.seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert!(!contains(&seen[0].body, &key));
        let v: Value = serde_json::from_slice(&seen[0].body).unwrap();
        assert!(v["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("why?"));
    }
    px.stop().await;

    // Not trusting it: the handshake fails, 502 in the provider shape.
    let mut b = ProxyBuilder::new();
    b.route(route("in-house", &base, &[]));
    let px = start(&mut b).await;
    let (status, _, answer) =
        read_all(send(px.addr, "/v1/chat/completions", &[], body).await).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    let v: Value = serde_json::from_slice(&answer).unwrap();
    assert!(v["error"]["message"].is_string(), "{v}");
    assert!(!contains(&answer, &key));
    assert_eq!(up.seen.lock().unwrap().len(), 1, "nothing more arrived");
    px.stop().await;

    let mut b = ProxyBuilder::new();
    assert!(b.upstream_ca(b"not a certificate").is_err());
}
