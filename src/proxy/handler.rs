//! One request: route, read, scan, then block or forward; relay the answer.

use std::{
    convert::Infallible,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::{
    body::Incoming,
    header::{self, HeaderMap, HeaderName, HeaderValue},
    Method, Request, Response, StatusCode, Uri,
};
use hyper_rustls::HttpsConnector;
use hyper_util::{
    client::legacy::{connect::HttpConnector, Client},
    rt::TokioExecutor,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{
    audit::{Audit, Record},
    body::{full, ProxyBody, Relay},
    metrics::{Metrics, NO_ROUTE},
    reply::{self, Kind},
    Route,
};
use crate::{
    payload::{Format, Inspection, Inspector, Provider},
    Finding, Restorer, Scratch, SseRestorer,
};

pub(crate) struct Settings {
    pub(crate) routes: Vec<Route>,
    pub(crate) restore: bool,
    pub(crate) fail_open: bool,
    pub(crate) max_body: usize,
    pub(crate) timeout: Duration,
    pub(crate) inline_scan: usize,
}

/// What every request shares.
pub(crate) struct Shared {
    settings: Settings,
    client: Client<HttpsConnector<HttpConnector>, ProxyBody>,
    permits: Arc<Semaphore>,
    audit: Audit,
    pub(crate) metrics: Metrics,
    /// Reusable scan buffers, one pool per route (each route has its own
    /// scanner).
    scratch: Vec<Mutex<Vec<Scratch>>>,
    next_id: AtomicU64,
    id_base: u64,
}

impl Shared {
    pub(crate) fn new(
        settings: Settings,
        max_concurrency: usize,
        upstream_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
        audit: Audit,
        metrics: Metrics,
    ) -> Shared {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(Duration::from_secs(10)));
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        // Checked by `ProxyBuilder::upstream_ca`.
        roots.add_parsable_certificates(upstream_roots);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(https);
        let mut seed = [0u8; 8];
        let _ = getrandom::getrandom(&mut seed);
        Shared {
            scratch: settings
                .routes
                .iter()
                .map(|_| Mutex::default())
                .collect(),
            settings,
            client,
            permits: Arc::new(Semaphore::new(max_concurrency)),
            audit,
            metrics,
            next_id: AtomicU64::new(0),
            id_base: u64::from_le_bytes(seed),
        }
    }
}

/// Headers that describe one connection, not the message (RFC 9110 7.6.1).
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
];

/// Removes hop-by-hop headers, those the `Connection` header names, and
/// the framing headers the proxy sets itself.
fn strip_hop_by_hop(h: &mut HeaderMap) {
    let named: Vec<HeaderName> = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        h.remove(n);
    }
    for n in HOP_BY_HOP {
        h.remove(n);
    }
    h.remove(header::TRANSFER_ENCODING);
    h.remove(header::CONTENT_LENGTH);
}

/// Everything known about a request once it is routed, for the answer,
/// the audit log and the metrics.
struct Ctx<'a> {
    shared: &'a Shared,
    id: String,
    method: String,
    path: String,
    provider: Provider,
    route: usize,
}

impl Ctx<'_> {
    fn route(&self) -> Option<&Route> {
        self.shared.settings.routes.get(self.route)
    }

    /// Counts, logs and returns an answer.
    fn done(
        &self,
        mut resp: Response<ProxyBody>,
        outcome: &'static str,
        findings: &[Finding],
        scan_us: u64,
        bytes: usize,
    ) -> Response<ProxyBody> {
        self.shared.metrics.request(self.route, outcome);
        let (route, upstream) = match self.route() {
            Some(r) => {
                let up = format!(
                    "{}://{}",
                    r.upstream.scheme_str().unwrap_or("http"),
                    r.upstream.authority().map_or("", |a| a.as_str())
                );
                (r.name.as_str(), up)
            }
            None => ("", String::new()),
        };
        self.shared.audit.write(&Record {
            id: &self.id,
            method: &self.method,
            path: &self.path,
            route,
            upstream: &upstream,
            outcome,
            status: resp.status().as_u16(),
            findings,
            scan_us,
            bytes,
        });
        if let Ok(v) = HeaderValue::from_str(&self.id) {
            resp.headers_mut().insert("x-leakguard-request-id", v);
        }
        resp
    }

    fn fail(
        &self,
        kind: Kind,
        message: &str,
        outcome: &'static str,
    ) -> Response<ProxyBody> {
        self.done(
            reply::error(self.provider, kind, message),
            outcome,
            &[],
            0,
            0,
        )
    }
}

/// The service function: never fails, every problem is an answer.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<ProxyBody>, Infallible> {
    let path = req.uri().path();
    if req.method() == Method::GET && path == "/healthz" {
        return Ok(reply::text(StatusCode::OK, "text/plain", "ok\n".into()));
    }
    if req.method() == Method::GET && path == "/metrics" {
        let text = shared.metrics.render();
        return Ok(reply::text(
            StatusCode::OK,
            "text/plain; version=0.0.4",
            text,
        ));
    }
    let n = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    let route = shared
        .settings
        .routes
        .iter()
        .position(|r| r.matches(path, host))
        .unwrap_or(NO_ROUTE);
    let ctx = Ctx {
        shared: &shared,
        id: format!("{:016x}", shared.id_base.wrapping_add(n)),
        method: req.method().to_string(),
        path: path.to_string(),
        provider: reply::provider(path, req.headers()),
        route,
    };
    if route == NO_ROUTE {
        return Ok(ctx.fail(
            Kind::NoRoute,
            "leakguard: no upstream is configured for this path",
            "no_route",
        ));
    }
    let timeout = shared.settings.timeout;
    let permit = match tokio::time::timeout(
        timeout,
        shared.permits.clone().acquire_owned(),
    )
    .await
    {
        Ok(Ok(p)) => p,
        _ => {
            return Ok(ctx.fail(
                Kind::Busy,
                "leakguard: too many requests in flight",
                "busy",
            ))
        }
    };
    Ok(proxy(&ctx, req, permit).await)
}

/// A body as read: whole, or cut off at the limit with the rest unread.
enum Read {
    Whole(Bytes),
    TooLarge(Vec<Bytes>, Incoming),
}

async fn read_body(
    mut body: Incoming,
    limit: usize,
) -> Result<Read, hyper::Error> {
    let mut chunks = Vec::new();
    let mut total = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            total += data.len();
            chunks.push(data);
            if total > limit {
                return Ok(Read::TooLarge(chunks, body));
            }
        }
    }
    Ok(Read::Whole(concat(chunks, total)))
}

fn concat(mut chunks: Vec<Bytes>, total: usize) -> Bytes {
    if chunks.len() == 1 {
        return chunks.pop().expect("one chunk");
    }
    let mut all = BytesMut::with_capacity(total);
    chunks.iter().for_each(|c| all.extend_from_slice(c));
    all.freeze()
}

async fn proxy(
    ctx: &Ctx<'_>,
    req: Request<Incoming>,
    permit: OwnedSemaphorePermit,
) -> Response<ProxyBody> {
    let s = &ctx.shared.settings;
    let (parts, body) = req.into_parts();
    let encoded = parts
        .headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"));
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > s.max_body) && !s.fail_open {
        return ctx.fail(Kind::TooLarge, &too_large(s.max_body), "too_large");
    }
    if encoded {
        // A compressed body cannot be scanned as it is.
        let why = Unscanned::new(
            Kind::Unscannable,
            "leakguard: compressed request bodies cannot be inspected; \
             send it without Content-Encoding",
            "unscannable",
        );
        let body = Relay::new(body, None, s.timeout, None).boxed();
        return cannot_scan(ctx, parts, body, why, permit).await;
    }
    let read = tokio::time::timeout(s.timeout, read_body(body, s.max_body));
    let body = match read.await {
        Err(_) => {
            return ctx.fail(
                Kind::Timeout,
                "leakguard: the request body did not arrive in time",
                "timeout",
            )
        }
        Ok(Err(_)) => {
            return ctx.fail(
                Kind::BadRequest,
                "leakguard: the request body could not be read \
                 (malformed chunked encoding or the client hung up)",
                "bad_request",
            )
        }
        Ok(Ok(Read::TooLarge(prefix, rest))) => {
            let why = Unscanned::new(
                Kind::TooLarge,
                &too_large(s.max_body),
                "too_large",
            );
            let body =
                Relay::new(rest, None, s.timeout, None).prefix(prefix).boxed();
            return cannot_scan(ctx, parts, body, why, permit).await;
        }
        Ok(Ok(Read::Whole(b))) => b,
    };

    let format = format_of(&parts.headers, &body);
    let started = Instant::now();
    let inspection = scan(ctx, format, body.clone()).await;
    let took = started.elapsed();
    let scan_us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
    let Some(inspection) = inspection else {
        let why = Unscanned::new(
            Kind::Unscannable,
            "leakguard: the request could not be scanned",
            "scan_failed",
        );
        return cannot_scan(ctx, parts, full(body), why, permit).await;
    };
    ctx.shared.metrics.scanned(took, inspection.findings());
    let findings = inspection.findings();
    if inspection.blocked() {
        let resp = reply::blocked(ctx.provider, findings);
        return ctx.done(resp, "blocked", findings, scan_us, body.len());
    }
    let (out, outcome) = match inspection.redacted() {
        Some(r) => (Bytes::copy_from_slice(r), "redacted"),
        None => (body, "forwarded"),
    };
    let table = inspection.restore_table();
    let restorer =
        (s.restore && !table.is_empty()).then(|| Restorer::new(table.iter()));
    let verdict = Verdict { findings, scan_us, outcome, restorer };
    forward(ctx, parts, full(out), verdict, permit).await
}

/// Why a request could not be scanned, and the answer when failing closed.
struct Unscanned {
    kind: Kind,
    message: String,
    outcome: &'static str,
}

impl Unscanned {
    fn new(kind: Kind, message: &str, outcome: &'static str) -> Unscanned {
        Unscanned { kind, message: message.to_string(), outcome }
    }
}

/// Blocks what could not be scanned, or forwards it unscanned when
/// failing open.
async fn cannot_scan(
    ctx: &Ctx<'_>,
    parts: hyper::http::request::Parts,
    body: ProxyBody,
    why: Unscanned,
    permit: OwnedSemaphorePermit,
) -> Response<ProxyBody> {
    if !ctx.shared.settings.fail_open {
        return ctx.fail(why.kind, &why.message, why.outcome);
    }
    let verdict = Verdict {
        findings: &[],
        scan_us: 0,
        outcome: "fail_open",
        restorer: None,
    };
    forward(ctx, parts, body, verdict, permit).await
}

/// What scanning decided for a forwarded request.
struct Verdict<'f> {
    findings: &'f [Finding],
    scan_us: u64,
    outcome: &'static str,
    restorer: Option<Restorer>,
}

fn too_large(limit: usize) -> String {
    format!(
        "leakguard: the request body is larger than the {limit}-byte limit"
    )
}

/// JSON when the content type says so or the body looks like it; JSON
/// lines for `ndjson`/`jsonl`; else text.
fn format_of(headers: &HeaderMap, body: &[u8]) -> Format {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.contains("ndjson") || ct.contains("jsonl") {
        return Format::Jsonl;
    }
    if ct.contains("json") {
        Format::Json
    } else {
        Format::sniff(body)
    }
}

/// Scans on this thread when small, else on the blocking pool. `None` when
/// the scan failed (it panicked).
async fn scan(
    ctx: &Ctx<'_>,
    format: Format,
    body: Bytes,
) -> Option<Inspection> {
    let s = &ctx.shared.settings;
    if body.len() <= s.inline_scan {
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            inspect(ctx.shared, ctx.route, format, &body)
        }))
        .ok();
    }
    // The blocking task needs owned, 'static values.
    let route = s.routes[ctx.route].clone();
    let restore = s.restore;
    tokio::task::spawn_blocking(move || {
        let mut scratch = route.scanner.scratch();
        let mut ins = Inspector::new(&route.scanner, route.style);
        ins.restorable(restore);
        ins.inspect(format, &body, &mut scratch)
    })
    .await
    .ok()
}

fn inspect(
    shared: &Shared,
    route: usize,
    format: Format,
    body: &[u8],
) -> Inspection {
    let r = &shared.settings.routes[route];
    let pool = &shared.scratch[route];
    let mut scratch = pool
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop()
        .unwrap_or_else(|| r.scanner.scratch());
    let mut ins = Inspector::new(&r.scanner, r.style);
    ins.restorable(shared.settings.restore);
    let out = ins.inspect(format, body, &mut scratch);
    pool.lock().unwrap_or_else(|e| e.into_inner()).push(scratch);
    out
}

/// Sends the request upstream and relays the answer.
async fn forward(
    ctx: &Ctx<'_>,
    mut parts: hyper::http::request::Parts,
    body: ProxyBody,
    verdict: Verdict<'_>,
    permit: OwnedSemaphorePermit,
) -> Response<ProxyBody> {
    let Verdict { findings, scan_us, outcome, restorer } = verdict;
    let s = &ctx.shared.settings;
    let route = &s.routes[ctx.route];
    let uri = match upstream_uri(&route.upstream, &parts.uri) {
        Some(u) => u,
        None => {
            return ctx.fail(
                Kind::BadGateway,
                "leakguard: bad upstream URL",
                "upstream_error",
            )
        }
    };
    strip_hop_by_hop(&mut parts.headers);
    parts.headers.remove(header::HOST);
    if let Some(n) = hyper::body::Body::size_hint(&body).exact() {
        parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    if restorer.is_some() {
        // Placeholders in a compressed answer could not be seen.
        parts.headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
    }
    parts.uri = uri;
    parts.version = hyper::Version::HTTP_11;
    let bytes =
        hyper::body::Body::size_hint(&body).exact().unwrap_or(0) as usize;
    let req = Request::from_parts(parts, body);
    let resp =
        match tokio::time::timeout(s.timeout, ctx.shared.client.request(req))
            .await
        {
            Err(_) => {
                return ctx.fail(
                    Kind::GatewayTimeout,
                    "leakguard: the upstream did not answer in time",
                    "upstream_timeout",
                )
            }
            Ok(Err(e)) => {
                let message = format!(
                    "leakguard: the upstream cannot be reached: {}",
                    cause(&e)
                );
                return ctx.fail(Kind::BadGateway, &message, "upstream_error");
            }
            Ok(Ok(r)) => r,
        };
    let (mut head, body) = resp.into_parts();
    let length = head.headers.get(header::CONTENT_LENGTH).cloned();
    strip_hop_by_hop(&mut head.headers);
    let ct = head
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let body: ProxyBody = match restorer {
        Some(r) if ct.starts_with("text/event-stream") => Relay::new(
            body,
            Some(SseRestorer::new(r)),
            s.timeout,
            Some(permit),
        )
        .boxed(),
        Some(r) if ct.contains("json") => {
            match tokio::time::timeout(s.timeout, read_body(body, s.max_body))
                .await
            {
                Ok(Ok(Read::Whole(b))) => {
                    let b = r.restore_json(&b).map_or(b, Bytes::from);
                    head.headers.insert(
                        header::CONTENT_LENGTH,
                        HeaderValue::from(b.len()),
                    );
                    full(b)
                }
                Ok(Ok(Read::TooLarge(prefix, rest))) => {
                    Relay::new(rest, None, s.timeout, Some(permit))
                        .prefix(prefix)
                        .boxed()
                }
                _ => {
                    return ctx.fail(
                        Kind::BadGateway,
                        "leakguard: the upstream answer could not be read",
                        "upstream_error",
                    )
                }
            }
        }
        _ => {
            if let Some(l) = length {
                head.headers.insert(header::CONTENT_LENGTH, l);
            }
            Relay::new(body, None, s.timeout, Some(permit)).boxed()
        }
    };
    let mut resp = Response::from_parts(head, body);
    let mut ids: Vec<&str> = findings
        .iter()
        .filter(|f| crate::Redactor::applies_to(f))
        .map(|f| f.rule_id())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if let Ok(v) = HeaderValue::from_str(&ids.join(",")) {
        if !ids.is_empty() {
            resp.headers_mut().insert("x-leakguard-redacted", v);
        }
    }
    ctx.done(resp, outcome, findings, scan_us, bytes)
}

/// The upstream base joined with the request's path and query.
fn upstream_uri(base: &Uri, req: &Uri) -> Option<Uri> {
    let prefix = base.path().trim_end_matches('/');
    let pq = req.path_and_query().map_or("/", |p| p.as_str());
    let mut b = Uri::builder().path_and_query(format!("{prefix}{pq}"));
    if let Some(s) = base.scheme() {
        b = b.scheme(s.clone());
    }
    if let Some(a) = base.authority() {
        b = b.authority(a.clone());
    }
    b.build().ok()
}

/// The innermost cause of a client error (connection refused, TLS), which
/// names no request data.
fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_upstream_and_path() {
        let j = |b: &str, r: &str| {
            upstream_uri(&b.parse().unwrap(), &r.parse().unwrap())
                .unwrap()
                .to_string()
        };
        assert_eq!(
            j("https://api.openai.com", "/v1/chat/completions?a=1"),
            "https://api.openai.com/v1/chat/completions?a=1"
        );
        assert_eq!(
            j("http://127.0.0.1:9/base/", "/v1/x"),
            "http://127.0.0.1:9/base/v1/x"
        );
    }

    #[test]
    fn hop_by_hop_headers_go() {
        let mut h = HeaderMap::new();
        h.insert(
            "connection",
            HeaderValue::from_static("keep-alive, x-private"),
        );
        h.insert("x-private", HeaderValue::from_static("1"));
        h.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        h.insert("authorization", HeaderValue::from_static("Bearer k"));
        h.insert("content-length", HeaderValue::from_static("3"));
        strip_hop_by_hop(&mut h);
        let left: Vec<&str> = h.keys().map(|k| k.as_str()).collect();
        assert_eq!(left, ["authorization"]);
    }

    #[test]
    fn formats() {
        let h = HeaderMap::new();
        assert_eq!(format_of(&h, b" {\"a\":1}"), Format::Json);
        assert_eq!(format_of(&h, b"hello"), Format::Text);
        let mut j = HeaderMap::new();
        j.insert(
            "content-type",
            HeaderValue::from_static("application/x-ndjson"),
        );
        assert_eq!(format_of(&j, b"{}"), Format::Jsonl);
    }
}
