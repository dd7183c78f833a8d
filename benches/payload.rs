//! JSON payload inspection against scanning the same body as text: what
//! decoding every string and mapping findings back costs. Bodies are
//! OpenAI-shaped chat requests with prose, pasted code (escaped newlines and
//! quotes), Chinese text and a tool call, with planted keys; the finding
//! count is asserted inside the timed loop.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use leakguard::{
    payload::{Format, Inspector},
    RedactStyle, RuleSet, Scanner,
};

const PROSE: &str = "Can you help me refactor this module so the retry logic lives in one place? 客户反馈登录页面加载很慢，请帮我分析一下。 ";
const CODE: &str = "pub fn parse(path: &Path) -> Result<Config, Error> {\n    let text = std::fs::read_to_string(path)?;\n    Ok(toml::from_str(&text)?)\n}\n";

/// A chat body of about `size` bytes with one planted key per 4 KiB;
/// returns it and the number of keys.
fn body(size: usize) -> (Vec<u8>, usize) {
    let mut messages = Vec::new();
    let mut len = 0;
    let mut planted = 0;
    let mut n = 0u64;
    while len < size {
        let mut content = String::new();
        while content.len() < 3500 {
            content.push_str(PROSE);
            content.push_str(CODE);
        }
        // A fake key id in the AWS format (base32 body).
        n += 1;
        let key: String = (0..16)
            .map(|i| {
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
                    [((n * 7 + i * 13) % 32) as usize] as char
            })
            .collect();
        content.push_str(&format!("\nAWS_ACCESS_KEY_ID=AKIA{key}\n"));
        planted += 1;
        len += content.len() + 40;
        messages.push(serde_json::json!({"role": "user", "content": content}));
    }
    let body = serde_json::json!({"model": "gpt-4o", "messages": messages, "stream": true});
    (serde_json::to_vec(&body).unwrap(), planted)
}

fn bench(c: &mut Criterion) {
    let scanner = Scanner::new(&RuleSet::builtin()).unwrap();
    let inspector = Inspector::new(&scanner, RedactStyle::Placeholder);
    let mut scratch = scanner.scratch();
    for (name, size) in [("4k", 4 << 10), ("256k", 256 << 10)] {
        let (body, planted) = body(size);
        let mut g = c.benchmark_group(format!("payload-{name}"));
        g.throughput(Throughput::Bytes(body.len() as u64));
        for (label, format) in [("json", Format::Json), ("text", Format::Text)]
        {
            // Every planted key is found (other rules may match it too).
            let want = inspector
                .inspect(format, &body, &mut scratch)
                .findings()
                .len();
            assert!(want >= planted, "{want} < {planted}");
            g.bench_function(label, |b| {
                b.iter(|| {
                    let i = inspector.inspect(
                        format,
                        black_box(&body),
                        &mut scratch,
                    );
                    assert_eq!(i.format(), format);
                    assert_eq!(i.findings().len(), want);
                    black_box(i.redacted().map(<[u8]>::len))
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
