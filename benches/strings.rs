//! `strings` benchmarks: redaction of a generated 1 MB log beside the naive
//! approach (each rule's regex applied in sequence with `regex`), and
//! grapheme-safe truncation beside a naive `char`-based cut.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pillars_kit::utils::strings::{self, Redactor};
use regex::Regex;

/// A deterministic xorshift generator (no `rand` dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> usize {
        usize::try_from(self.next() % n).unwrap_or(0)
    }
}

/// About 1 MB of log lines: 80% clean, 20% with one secret or personal datum.
fn generate_log(bytes: usize) -> Vec<String> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let paths = [
        "/api/v1/users",
        "/api/v1/orders",
        "/healthz",
        "/api/v2/search",
        "/static/app.js",
    ];
    let secrets = [
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "user=ana.lopez@example.com logged in",
        "payment card=4111 1111 1111 1111 accepted",
        "connecting to postgres://svc:Sup3rS3cret@db.internal:5432/app",
        "GET /cb?code=xyz&access_token=ya29.a0AfH6SMBx3 200",
        "aws key AKIAIOSFODNN7EXAMPLE used",
        "client 203.0.113.42 via 2001:db8::8a2e:370:7334",
        r#"{"event":"login","password":"hunter2","user":"bob"}"#,
    ];
    let mut lines = Vec::new();
    let mut total = 0;
    let mut i = 0u64;
    while total < bytes {
        i += 1;
        let ts = format!(
            "2026-11-23T14:{:02}:{:02}.{:03}Z",
            i / 60 % 60,
            i % 60,
            i % 1000
        );
        let line = if rng.below(5) == 0 {
            format!(
                "{ts} WARN  worker-{} {}",
                rng.below(16),
                secrets[rng.below(secrets.len() as u64)]
            )
        } else {
            format!(
                "{ts} INFO  http method=GET path={}/{} status=200 dur={}ms req_id={:016x} ua=\"Mozilla/5.0 (X11; Linux x86_64)\"",
                paths[rng.below(paths.len() as u64)],
                rng.below(100_000),
                rng.below(500),
                rng.next()
            )
        };
        total += line.len() + 1;
        lines.push(line);
    }
    lines
}

/// What users write without a library: one regex per rule, applied in
/// sequence, each `replace_all` rescanning (and often reallocating) the line.
fn naive_rules() -> Vec<(Regex, &'static str)> {
    [
        (r"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*", "[REDACTED]"),
        (r"(?i)(authorization:\s*(?:bearer|basic)?\s*)[^\s]+", "${1}[REDACTED]"),
        (r"(?i)(bearer\s+)[A-Za-z0-9._~+/-]+=*", "${1}[REDACTED]"),
        (r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", "[REDACTED]"),
        (r"(://[^\s/:@]*:)[^\s/@]+@", "${1}[REDACTED]@"),
        (r#"(?i)((?:password|passwd|pwd|secret|token|api_key)["']?\s*[:=]\s*)["']?[^\s"'&,;]+"#, "${1}[REDACTED]"),
        (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", "[EMAIL]"),
        (r"\b[2-6](?:[ -]?[0-9]){12,18}\b", "[CARD]"),
        (r"\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b", "[IPV4]"),
        (r"(?i)\b(?:[0-9a-f]{1,4}:){1,7}(?::?[0-9a-f]{1,4}){1,7}\b", "[IPV6]"),
    ]
    .into_iter()
    .map(|(p, r)| (Regex::new(p).expect("valid pattern"), r))
    .collect()
}

fn naive_redact(rules: &[(Regex, &'static str)], line: &str) -> String {
    let mut s = line.to_owned();
    for (re, rep) in rules {
        if let std::borrow::Cow::Owned(o) = re.replace_all(&s, *rep) {
            s = o;
        }
    }
    s
}

fn bench_redact(c: &mut Criterion) {
    let lines = generate_log(1 << 20);
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let redactor = Redactor::new();
    let naive = naive_rules();
    // Sanity: both hide the secrets of the sample.
    let ours: usize = lines.iter().map(|l| redactor.redact(l).len()).sum();
    let theirs: usize = lines.iter().map(|l| naive_redact(&naive, l).len()).sum();
    assert!(ours < bytes && theirs < bytes);
    assert!(
        lines
            .iter()
            .all(|l| !redactor.redact(l).contains("hunter2"))
    );

    let mut g = c.benchmark_group("redact_1mb_log");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function("pillars_redactor_per_line", |b| {
        b.iter(|| {
            let sum: usize = lines
                .iter()
                .map(|l| redactor.redact(black_box(l)).len())
                .sum();
            assert_eq!(sum, ours);
            sum
        });
    });
    g.bench_function("naive_regex_in_sequence_per_line", |b| {
        b.iter(|| {
            let sum: usize = lines
                .iter()
                .map(|l| naive_redact(&naive, black_box(l)).len())
                .sum();
            assert_eq!(sum, theirs);
            sum
        });
    });
    let whole = lines.join("\n");
    g.bench_function("pillars_redactor_whole_buffer", |b| {
        b.iter(|| redactor.redact(black_box(&whole)).len());
    });
    g.bench_function("naive_regex_in_sequence_whole_buffer", |b| {
        b.iter(|| naive_redact(&naive, black_box(&whole)).len());
    });
    g.finish();
}

fn bench_truncate(c: &mut Criterion) {
    let samples: Vec<String> = (0..1000)
        .map(|i| match i % 4 {
            0 => "The quick brown fox jumps over the lazy dog. ".repeat(4),
            1 => "Crème brûlée à la française, naïve café. ".repeat(4),
            2 => "👨\u{200d}👩\u{200d}👧 family 👍🏽 ok 🇫🇷 ".repeat(6),
            _ => "שָׁלוֹם עולם مرحبا بالعالم ".repeat(4),
        })
        .collect();
    let bytes: usize = samples.iter().map(String::len).sum();
    let mut g = c.benchmark_group("truncate_40");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("pillars_truncate_graphemes", |b| {
        b.iter(|| {
            samples
                .iter()
                .map(|s| strings::truncate_graphemes(black_box(s), 40).len())
                .sum::<usize>()
        });
    });
    g.bench_function("naive_chars_take_collect", |b| {
        b.iter(|| {
            samples
                .iter()
                .map(|s| black_box(s).chars().take(40).collect::<String>().len())
                .sum::<usize>()
        });
    });
    g.bench_function("pillars_truncate_bytes", |b| {
        b.iter(|| {
            samples
                .iter()
                .map(|s| strings::truncate_bytes(black_box(s), 40).len())
                .sum::<usize>()
        });
    });
    g.bench_function("naive_floor_char_boundary", |b| {
        b.iter(|| {
            samples
                .iter()
                .map(|s| {
                    let s = black_box(s);
                    let mut i = 40.min(s.len());
                    while !s.is_char_boundary(i) {
                        i -= 1;
                    }
                    s[..i].len()
                })
                .sum::<usize>()
        });
    });
    g.finish();
}

criterion_group!(benches, bench_redact, bench_truncate);
criterion_main!(benches);
