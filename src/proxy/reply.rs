//! Answers the proxy gives itself, in the caller's provider error shape.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{header, HeaderMap, Response, StatusCode};
use serde_json::json;

use super::body::ProxyBody;
use crate::{
    payload::{Api, Provider},
    Finding,
};

/// Which error shape the caller understands: by path, else by the headers
/// an Anthropic client sends.
pub(crate) fn provider(path: &str, headers: &HeaderMap) -> Provider {
    match Api::from_path(path).provider() {
        Provider::Unknown
            if headers.contains_key("anthropic-version")
                || headers.contains_key("x-api-key") =>
        {
            Provider::Anthropic
        }
        Provider::Unknown => Provider::OpenAi,
        p => p,
    }
}

/// Why the proxy answers itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Blocked,
    BadRequest,
    TooLarge,
    Unscannable,
    Timeout,
    Busy,
    BadGateway,
    GatewayTimeout,
    NoRoute,
}

impl Kind {
    fn status(self) -> StatusCode {
        match self {
            Kind::Blocked | Kind::Unscannable => StatusCode::FORBIDDEN,
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Timeout => StatusCode::REQUEST_TIMEOUT,
            Kind::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Kind::BadGateway | Kind::NoRoute => StatusCode::BAD_GATEWAY,
            Kind::GatewayTimeout => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// OpenAI's `error.type` and `error.code`, Anthropic's `error.type`.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Blocked => (
                "invalid_request_error",
                "leakguard_blocked",
                "permission_error",
            ),
            Kind::Unscannable => (
                "invalid_request_error",
                "leakguard_unscannable",
                "permission_error",
            ),
            Kind::BadRequest => (
                "invalid_request_error",
                "bad_request",
                "invalid_request_error",
            ),
            Kind::TooLarge => (
                "invalid_request_error",
                "request_too_large",
                "request_too_large",
            ),
            Kind::Timeout => {
                ("invalid_request_error", "request_timeout", "timeout_error")
            }
            Kind::Busy => {
                ("server_error", "leakguard_busy", "overloaded_error")
            }
            Kind::BadGateway | Kind::NoRoute => {
                ("server_error", "upstream_error", "api_error")
            }
            Kind::GatewayTimeout => {
                ("server_error", "upstream_timeout", "api_error")
            }
        }
    }
}

/// An error answer in the provider's shape. `message` must hold nothing
/// sensitive.
pub(crate) fn error(
    provider: Provider,
    kind: Kind,
    message: &str,
) -> Response<ProxyBody> {
    let (openai_type, code, anthropic_type) = kind.names();
    let body = match provider {
        Provider::Anthropic => json!({
            "type": "error",
            "error": {"type": anthropic_type, "message": message},
        }),
        _ => json!({
            "error": {
                "message": message,
                "type": openai_type,
                "param": null,
                "code": code,
            }
        }),
    };
    let mut r = Response::new(
        Full::new(Bytes::from(body.to_string()))
            .map_err(|never| match never {})
            .boxed(),
    );
    *r.status_mut() = kind.status();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    r
}

/// The answer to a blocked request: rule ids and masked previews, never
/// a secret, and the rule ids in `x-leakguard-blocked`.
pub(crate) fn blocked(
    provider: Provider,
    findings: &[Finding],
) -> Response<ProxyBody> {
    let blocking: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.action() == crate::Action::Block)
        .collect();
    let mut ids: Vec<&str> = blocking.iter().map(|f| f.rule_id()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut all: Vec<String> = blocking
        .iter()
        .map(|f| format!("{} ({})", f.rule_id(), f.preview()))
        .collect();
    all.dedup();
    let shown = &all[..all.len().min(10)];
    let more = all.len() - shown.len();
    let mut message = format!(
        "leakguard blocked this request: it must not leave the company: {}",
        shown.join(", ")
    );
    if more > 0 {
        message.push_str(&format!(" and {more} more"));
    }
    let mut r = error(provider, Kind::Blocked, &message);
    if let Ok(v) = header::HeaderValue::from_str(&ids.join(",")) {
        r.headers_mut().insert("x-leakguard-blocked", v);
    }
    r
}

/// A plain-text answer (health, metrics).
pub(crate) fn text(
    status: StatusCode,
    content_type: &'static str,
    body: String,
) -> Response<ProxyBody> {
    let mut r = Response::new(
        Full::new(Bytes::from(body)).map_err(|never| match never {}).boxed(),
    );
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(content_type),
    );
    r
}
