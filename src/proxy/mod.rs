//! A reverse proxy for LLM APIs that redacts or blocks every prompt before
//! it leaves (feature `proxy`).
//!
//! A thin async shell (tokio, hyper) over the synchronous scanner: each
//! request body is buffered up to a limit and handed to
//! [`Inspector`](crate::payload::Inspector) (off the async threads when it
//! is big); then the request is blocked with an error in the caller's
//! provider shape, or forwarded with the redacted body. Responses stream
//! back chunk by chunk; with [`ProxyBuilder::restore`] the placeholders a
//! model echoes are replaced by the request's own originals
//! ([`SseRestorer`](crate::SseRestorer)).
//!
//! ```no_run
//! use leakguard::{proxy, RuleSet, Scanner};
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let scanner = Scanner::new(&RuleSet::builtin())?;
//! let route = proxy::Route::new("openai", "https://api.openai.com", scanner)?;
//! let proxy = proxy::ProxyBuilder::new().route(route).build()?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8787").await?;
//! proxy::run(listener, proxy, tokio::signal::ctrl_c()).await?;
//! # Ok(()) }
//! ```

mod audit;
mod body;
mod handler;
mod metrics;
mod reply;
mod server;

use std::{fmt, io::Write, sync::Arc, time::Duration};

use hyper::Uri;

use crate::{RedactStyle, Scanner};

pub use self::server::run;

/// An error in the proxy's configuration.
#[derive(Clone, Debug)]
pub struct ProxyError {
    message: String,
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProxyError {}

fn error(message: String) -> ProxyError {
    ProxyError { message }
}

/// One destination: which requests it takes, where they go and the
/// scanner (with its policy) they pass.
#[derive(Clone, Debug)]
pub struct Route {
    name: String,
    path_prefix: Option<String>,
    host: Option<String>,
    upstream: Uri,
    scanner: Scanner,
    style: RedactStyle,
}

impl Route {
    /// A route to `upstream`, a base URL with scheme `http` or `https`
    /// (a path in it is put before each request's path), taking every
    /// request until [`Route::path_prefix`] or [`Route::host`] narrow it.
    ///
    /// # Errors
    ///
    /// When `upstream` is not an absolute http(s) URL, or carries user
    /// information or a query.
    pub fn new(
        name: &str,
        upstream: &str,
        scanner: Scanner,
    ) -> Result<Route, ProxyError> {
        // User information in a URL is a credential: never echoed.
        let shown = match upstream.rfind('@') {
            Some(at) => {
                let from = upstream.find("://").map_or(0, |s| s + 3);
                let from = if from <= at { from } else { 0 };
                format!("{}…{}", &upstream[..from], &upstream[at..])
            }
            None => upstream.to_string(),
        };
        let bad = |why: &str| error(format!("upstream {shown:?}: {why}"));
        let uri: Uri = upstream.parse().map_err(|_| bad("not a URL"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => return Err(bad("scheme must be http or https")),
        }
        let Some(auth) = uri.authority() else {
            return Err(bad("no host"));
        };
        if auth.as_str().contains('@') {
            return Err(bad("user information is not allowed"));
        }
        if uri.query().is_some() {
            return Err(bad("a query is not allowed"));
        }
        Ok(Route {
            name: name.to_string(),
            path_prefix: None,
            host: None,
            upstream: uri,
            scanner,
            style: RedactStyle::Placeholder,
        })
    }

    /// Takes only requests whose path starts with `prefix`.
    pub fn path_prefix(mut self, prefix: &str) -> Route {
        self.path_prefix = Some(prefix.to_string());
        self
    }

    /// Takes only requests whose `Host` (without port) is `host`, ASCII
    /// case-insensitively.
    pub fn host(mut self, host: &str) -> Route {
        self.host = Some(host.to_ascii_lowercase());
        self
    }

    /// How redacted values are written (default: placeholders, which
    /// restoring needs).
    pub fn style(mut self, style: RedactStyle) -> Route {
        self.style = style;
        self
    }

    fn matches(&self, path: &str, host: Option<&str>) -> bool {
        let path_ok =
            self.path_prefix.as_deref().is_none_or(|p| path.starts_with(p));
        let host_ok = match (&self.host, host) {
            (None, _) => true,
            (Some(want), Some(h)) => {
                let h = h.rsplit_once(':').map_or(h, |(h, _)| h);
                want.eq_ignore_ascii_case(h)
            }
            (Some(_), None) => false,
        };
        path_ok && host_ok
    }
}

/// Builds a [`Proxy`].
#[derive(Default)]
pub struct ProxyBuilder {
    config: Config,
}

struct Config {
    routes: Vec<Route>,
    restore: bool,
    fail_open: bool,
    max_body: usize,
    timeout: Duration,
    max_concurrency: usize,
    inline_scan: usize,
    audit: Option<Box<dyn Write + Send>>,
    /// Trusted besides the webpki roots, for https upstreams.
    upstream_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            routes: Vec::new(),
            restore: false,
            fail_open: false,
            max_body: DEFAULT_MAX_BODY,
            timeout: DEFAULT_TIMEOUT,
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            inline_scan: 64 << 10,
            audit: None,
            upstream_roots: Vec::new(),
        }
    }
}

/// Default largest request body: 32 MiB (prompts with images).
pub const DEFAULT_MAX_BODY: usize = 32 << 20;
/// Default time to wait for a request body or an upstream's answer head.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Default number of requests handled at once.
pub const DEFAULT_MAX_CONCURRENCY: usize = 256;

impl ProxyBuilder {
    /// A builder with no routes, restoring off, failing closed.
    pub fn new() -> ProxyBuilder {
        ProxyBuilder::default()
    }

    /// Adds a destination; the first route that matches a request takes
    /// it. Requests no route takes are answered 502.
    pub fn route(&mut self, route: Route) -> &mut Self {
        self.config.routes.push(route);
        self
    }

    /// Replace placeholders the model echoes back by the originals, per
    /// request (default no).
    pub fn restore(&mut self, yes: bool) -> &mut Self {
        self.config.restore = yes;
        self
    }

    /// Forward requests that cannot be scanned (too big, compressed, scan
    /// failure) unscanned instead of blocking them (default no).
    pub fn fail_open(&mut self, yes: bool) -> &mut Self {
        self.config.fail_open = yes;
        self
    }

    /// Largest request body scanned (default [`DEFAULT_MAX_BODY`]); a
    /// bigger one is answered 413, or forwarded unscanned when failing
    /// open.
    pub fn max_body(&mut self, bytes: usize) -> &mut Self {
        self.config.max_body = bytes;
        self
    }

    /// Time allowed to receive a request body, to wait for a free slot,
    /// and for the upstream to answer or send the next chunk.
    pub fn timeout(&mut self, timeout: Duration) -> &mut Self {
        self.config.timeout = timeout;
        self
    }

    /// Requests handled at once (default [`DEFAULT_MAX_CONCURRENCY`]);
    /// more wait up to the timeout, then are refused with 503.
    pub fn max_concurrency(&mut self, n: usize) -> &mut Self {
        self.config.max_concurrency = n.max(1);
        self
    }

    /// Bodies up to this size are scanned on the async thread; bigger
    /// ones on tokio's blocking pool (default 64 KiB).
    pub fn inline_scan(&mut self, bytes: usize) -> &mut Self {
        self.config.inline_scan = bytes;
        self
    }

    /// Where to write the audit log, one JSON line per request.
    pub fn audit_log(&mut self, out: Box<dyn Write + Send>) -> &mut Self {
        self.config.audit = Some(out);
        self
    }

    /// Also trusts the certificates in `pem` (one or more PEM
    /// `CERTIFICATE` blocks) for https upstreams, such as the authority of
    /// an in-house model server. The built-in webpki roots stay trusted.
    ///
    /// # Errors
    ///
    /// When `pem` holds no certificate or a malformed one.
    pub fn upstream_ca(
        &mut self,
        pem: &[u8],
    ) -> Result<&mut Self, ProxyError> {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        let mut certs = Vec::new();
        for c in CertificateDer::pem_slice_iter(pem) {
            certs.push(c.map_err(|e| {
                error(format!("upstream CA: malformed PEM: {e}"))
            })?);
        }
        if certs.is_empty() {
            return Err(error("upstream CA: no PEM CERTIFICATE in it".into()));
        }
        // Checked now, so a bad certificate fails here, not per request.
        let mut store = rustls::RootCertStore::empty();
        for c in &certs {
            store.add(c.clone()).map_err(|e| {
                error(format!("upstream CA: unusable certificate: {e}"))
            })?;
        }
        self.config.upstream_roots.extend(certs);
        Ok(self)
    }

    /// Builds the proxy; the builder's audit log moves into it.
    ///
    /// # Errors
    ///
    /// When there is no route.
    pub fn build(&mut self) -> Result<Proxy, ProxyError> {
        if self.config.routes.is_empty() {
            return Err(error(
                "no upstream: give a default upstream or a route".into(),
            ));
        }
        let c = std::mem::take(&mut self.config);
        let routes = c.routes.iter().map(|r| r.name.clone()).collect();
        Ok(Proxy {
            shared: Arc::new(handler::Shared::new(
                handler::Settings {
                    routes: c.routes,
                    restore: c.restore,
                    fail_open: c.fail_open,
                    max_body: c.max_body,
                    timeout: c.timeout,
                    inline_scan: c.inline_scan,
                },
                c.max_concurrency,
                c.upstream_roots,
                audit::Audit::new(c.audit),
                metrics::Metrics::new(routes),
            )),
        })
    }
}

/// A configured proxy, ready for [`run`].
#[derive(Clone)]
pub struct Proxy {
    shared: Arc<handler::Shared>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleSet;

    fn route(upstream: &str) -> Result<Route, ProxyError> {
        Route::new("r", upstream, Scanner::new(&RuleSet::builtin()).unwrap())
    }

    #[test]
    fn routes_match_by_path_prefix_and_host() {
        let r = route("https://api.anthropic.com").unwrap();
        assert!(r.matches("/anything", None));
        let r = r.path_prefix("/v1/messages").host("LLM.internal");
        assert!(r.matches("/v1/messages", Some("llm.internal:8787")));
        assert!(!r.matches("/v1/chat/completions", Some("llm.internal")));
        assert!(!r.matches("/v1/messages", Some("other")));
        assert!(!r.matches("/v1/messages", None));
    }

    #[test]
    fn upstreams_must_be_plain_http_urls() {
        assert!(route("http://127.0.0.1:9/base").is_ok());
        for bad in
            ["ftp://x", "api.openai.com", "https://u:p@x", "http://x/?k=1"]
        {
            assert!(route(bad).is_err(), "{bad}");
        }
    }
}
