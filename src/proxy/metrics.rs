//! `/metrics`: counters and a scan-time histogram in the Prometheus text
//! format, written by hand (a handful of series needs no metrics stack).

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::Duration,
};

use crate::Finding;

/// Upper bounds of the scan-time buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.5,
];

pub(crate) struct Metrics {
    routes: Vec<String>,
    /// (route index, outcome) -> requests.
    requests: Mutex<BTreeMap<(usize, &'static str), u64>>,
    /// (rule id, action) -> findings.
    findings: Mutex<BTreeMap<(String, &'static str), u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    scans: AtomicU64,
    scan_nanos: AtomicU64,
}

/// Route index used for requests no route took.
pub(crate) const NO_ROUTE: usize = usize::MAX;

impl Metrics {
    pub(crate) fn new(routes: Vec<String>) -> Metrics {
        Metrics {
            routes,
            requests: Mutex::default(),
            findings: Mutex::default(),
            buckets: Default::default(),
            scans: AtomicU64::new(0),
            scan_nanos: AtomicU64::new(0),
        }
    }

    pub(crate) fn request(&self, route: usize, outcome: &'static str) {
        let mut m = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry((route, outcome)).or_default() += 1;
    }

    pub(crate) fn scanned(&self, took: Duration, findings: &[Finding]) {
        let secs = took.as_secs_f64();
        for (b, le) in self.buckets.iter().zip(BUCKETS) {
            if secs <= le {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.scans.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.scan_nanos.fetch_add(nanos, Ordering::Relaxed);
        if findings.is_empty() {
            return;
        }
        let mut m = self.findings.lock().unwrap_or_else(|e| e.into_inner());
        for f in findings {
            *m.entry((f.rule_id().to_string(), f.action().as_str()))
                .or_default() += 1;
        }
    }

    /// The exposition text.
    pub(crate) fn render(&self) -> String {
        let mut s = String::new();
        s.push_str(
            "# HELP leakguard_requests_total Requests by route and outcome.\n\
             # TYPE leakguard_requests_total counter\n",
        );
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        let mut blocked = 0;
        for (&(route, outcome), n) in requests.iter() {
            let name = self.routes.get(route).map_or("none", String::as_str);
            let _ = writeln!(
                s,
                "leakguard_requests_total{{route=\"{}\",outcome=\"{outcome}\"}} {n}",
                label(name)
            );
            if outcome == "blocked" {
                blocked += n;
            }
        }
        drop(requests);
        let _ = write!(
            s,
            "# HELP leakguard_blocked_total Requests blocked by policy.\n\
             # TYPE leakguard_blocked_total counter\n\
             leakguard_blocked_total {blocked}\n\
             # HELP leakguard_findings_total Findings by rule and action.\n\
             # TYPE leakguard_findings_total counter\n"
        );
        let findings = self.findings.lock().unwrap_or_else(|e| e.into_inner());
        for ((rule, action), n) in findings.iter() {
            let _ = writeln!(
                s,
                "leakguard_findings_total{{rule=\"{}\",action=\"{action}\"}} {n}",
                label(rule)
            );
        }
        drop(findings);
        s.push_str(
            "# HELP leakguard_scan_seconds Time to scan a request body.\n\
             # TYPE leakguard_scan_seconds histogram\n",
        );
        for (b, le) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                s,
                "leakguard_scan_seconds_bucket{{le=\"{le}\"}} {}",
                b.load(Ordering::Relaxed)
            );
        }
        let count = self.scans.load(Ordering::Relaxed);
        let sum = self.scan_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        let _ = write!(
            s,
            "leakguard_scan_seconds_bucket{{le=\"+Inf\"}} {count}\n\
             leakguard_scan_seconds_sum {sum}\n\
             leakguard_scan_seconds_count {count}\n"
        );
        s
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
