//! The audit log: one JSON line per request, with rule ids, actions and
//! keyed fingerprints; never a secret, a preview or a header value.

use std::{
    io::Write,
    sync::Mutex,
    time::{SystemTime, UNIX_EPOCH},
};

use serde_json::json;

use crate::Finding;

pub(crate) struct Audit {
    out: Option<Mutex<Box<dyn Write + Send>>>,
}

/// What the log says about one request.
pub(crate) struct Record<'a> {
    pub(crate) id: &'a str,
    pub(crate) method: &'a str,
    /// The path without the query (a query can carry a key).
    pub(crate) path: &'a str,
    pub(crate) route: &'a str,
    /// Scheme and host of the upstream.
    pub(crate) upstream: &'a str,
    pub(crate) outcome: &'a str,
    pub(crate) status: u16,
    pub(crate) findings: &'a [Finding],
    pub(crate) scan_us: u64,
    pub(crate) bytes: usize,
}

impl Audit {
    pub(crate) fn new(out: Option<Box<dyn Write + Send>>) -> Audit {
        Audit { out: out.map(Mutex::new) }
    }

    /// Writes one line; a failing log is reported on stderr once per
    /// failure, and does not fail the request.
    pub(crate) fn write(&self, r: &Record<'_>) {
        let Some(out) = &self.out else { return };
        let findings: Vec<_> = r
            .findings
            .iter()
            .map(|f| {
                json!({
                    "rule": f.rule_id(),
                    "category": f.category().as_str(),
                    "action": f.action().as_str(),
                    "fingerprint": f.fingerprint().to_string(),
                })
            })
            .collect();
        let line = json!({
            "time": rfc3339(SystemTime::now()),
            "request_id": r.id,
            "method": r.method,
            "path": r.path,
            "route": r.route,
            "upstream": r.upstream,
            "outcome": r.outcome,
            "status": r.status,
            "bytes": r.bytes,
            "scan_us": r.scan_us,
            "findings": findings,
        });
        let mut out = out.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
            let _ = writeln!(
                std::io::stderr(),
                "leakguard: warning: cannot write the audit log: {e}"
            );
        }
    }
}

/// `2024-05-01T12:00:00.123Z`.
fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps() {
        let t = |s| rfc3339(UNIX_EPOCH + Duration::from_millis(s));
        assert_eq!(t(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(t(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(t(1_714_564_800_123), "2024-05-01T12:00:00.123Z");
    }
}
