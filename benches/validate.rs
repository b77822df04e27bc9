//! `validate` beside `validator` and `garde`: email, URL and IP checks per
//! input, and a derived struct validation. Each group runs the same inputs
//! through every crate and asserts the number accepted, so it measures real
//! work (the counts differ where the crates disagree: that is the point).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pillars_kit::utils::validate::{self as v, Email, Validation};

const EMAILS: &[&str] = &[
    "ada@example.com",
    "john.doe+tag@mail.example.co.uk",
    "a@b.io",
    "first_last-1984@sub.domain-name.org",
    "John..Doe@example.com",
    "not-an-email",
    "user@-bad.com",
    "user@[IPv6:2001:db8::1]",
    "x@example.com.",
    "very.long.local.part.with.many.dots.and.more.dots@example.org",
];

const URLS: &[&str] = &[
    "https://example.com/",
    "http://user:pw@example.com:8080/a/b?c=d#e",
    "https://api.example.co.uk/v1/users/42?fields=name,email",
    "javascript:alert(1)",
    " https://example.com",
    "https://exa mple.com",
    "ftp://files.example.com/pub",
    "not a url",
];

const IPS: &[&str] = &[
    "192.0.2.1",
    "10.0.0.255",
    "2001:db8::1",
    "::ffff:192.0.2.1",
    "256.1.1.1",
    "1.2.3",
    "fe80::1%eth0",
    "010.0.0.1",
];

fn count(inputs: &[&str], f: impl Fn(&str) -> bool) -> usize {
    inputs.iter().filter(|s| f(black_box(s))).count()
}

fn bench_email(c: &mut Criterion) {
    let mut g = c.benchmark_group("validate_email");
    g.throughput(Throughput::Elements(EMAILS.len() as u64));
    let html5 = Email::html5();
    let strict = Email::strict();
    assert_eq!(count(EMAILS, |s| html5.is_valid(s)), 5);
    assert_eq!(count(EMAILS, |s| strict.is_valid(s)), 5);
    let n_validator = count(EMAILS, |s| validator::ValidateEmail::validate_email(&s));
    let n_garde = count(EMAILS, |s| {
        garde::rules::email::Email::validate_email(&s).is_ok()
    });
    g.bench_function("pillars_default", |b| {
        b.iter(|| assert_eq!(count(EMAILS, |s| html5.is_valid(s)), 5))
    });
    g.bench_function("pillars_strict", |b| {
        b.iter(|| assert_eq!(count(EMAILS, |s| strict.is_valid(s)), 5))
    });
    g.bench_function("validator", |b| {
        b.iter(|| {
            assert_eq!(
                count(EMAILS, |s| validator::ValidateEmail::validate_email(&s)),
                n_validator
            )
        });
    });
    g.bench_function("garde", |b| {
        b.iter(|| {
            assert_eq!(
                count(EMAILS, |s| garde::rules::email::Email::validate_email(&s)
                    .is_ok()),
                n_garde
            )
        });
    });
    g.finish();
}

fn bench_url(c: &mut Criterion) {
    let mut g = c.benchmark_group("validate_url");
    g.throughput(Throughput::Elements(URLS.len() as u64));
    let rule = v::url();
    assert_eq!(count(URLS, |s| rule.is_valid(s)), 3);
    let n_validator = count(URLS, |s| validator::ValidateUrl::validate_url(&s));
    let n_garde = count(URLS, |s| garde::rules::url::Url::validate_url(&s).is_ok());
    g.bench_function("pillars", |b| {
        b.iter(|| assert_eq!(count(URLS, |s| rule.is_valid(s)), 3))
    });
    g.bench_function("validator", |b| {
        b.iter(|| {
            assert_eq!(
                count(URLS, |s| validator::ValidateUrl::validate_url(&s)),
                n_validator
            )
        });
    });
    g.bench_function("garde", |b| {
        b.iter(|| {
            assert_eq!(
                count(URLS, |s| garde::rules::url::Url::validate_url(&s).is_ok()),
                n_garde
            )
        });
    });
    g.finish();
}

fn bench_ip(c: &mut Criterion) {
    let mut g = c.benchmark_group("validate_ip");
    g.throughput(Throughput::Elements(IPS.len() as u64));
    assert_eq!(count(IPS, v::is_ip), 4);
    g.bench_function("pillars", |b| {
        b.iter(|| assert_eq!(count(IPS, v::is_ip), 4))
    });
    g.bench_function("validator", |b| {
        b.iter(|| assert_eq!(count(IPS, |s| validator::ValidateIp::validate_ip(&s)), 4));
    });
    g.bench_function("garde", |b| {
        b.iter(|| {
            assert_eq!(
                count(IPS, |s| garde::rules::ip::Ip::validate_ip(
                    &s,
                    garde::rules::ip::IpKind::Any
                )
                .is_ok()),
                4
            );
        });
    });
    g.finish();
}

#[derive(validator::Validate)]
struct WithValidator {
    #[validate(email)]
    email: String,
    #[validate(length(min = 1, max = 50))]
    name: String,
    #[validate(range(min = 18, max = 130))]
    age: u8,
    #[validate(url)]
    homepage: String,
}

#[derive(garde::Validate)]
struct WithGarde {
    #[garde(email)]
    email: String,
    #[garde(length(chars, min = 1, max = 50))]
    name: String,
    #[garde(range(min = 18, max = 130))]
    age: u8,
    #[garde(url)]
    homepage: String,
}

#[derive(pillars_kit::utils::validate::Validate)]
#[validate(crate = "pillars_kit::utils::validate::validator")]
struct WithBridge {
    #[validate(custom(function = "pillars_kit::utils::validate::derive::email"))]
    email: String,
    #[validate(length(min = 1, max = 50))]
    name: String,
    #[validate(range(min = 18, max = 130))]
    age: u8,
    #[validate(custom(function = "pillars_kit::utils::validate::derive::url"))]
    homepage: String,
}

struct Plain {
    email: String,
    name: String,
    age: u8,
    homepage: String,
}

impl v::Validatable for Plain {
    fn validate(&self) -> Result<(), v::Error> {
        Validation::new()
            .field("email", &self.email, v::email())
            .field("name", &self.name, v::length(1..=50))
            .field("age", &self.age, v::range(18..=130))
            .field("homepage", &self.homepage, v::url())
            .finish()
    }
}

fn bench_derive(c: &mut Criterion) {
    let mut g = c.benchmark_group("validate_struct");
    let good = (
        "ada@example.com",
        "Ada Lovelace",
        36_u8,
        "https://example.com/ada",
    );
    let bad = ("ada..x@example", "", 12_u8, "javascript:alert(1)");
    let mk = |t: (&str, &str, u8, &str)| (t.0.to_owned(), t.1.to_owned(), t.2, t.3.to_owned());
    let rows: Vec<_> = [good, bad, good, good].into_iter().map(mk).collect();
    g.throughput(Throughput::Elements(rows.len() as u64));
    let vals: Vec<WithValidator> = rows
        .iter()
        .map(|r| WithValidator {
            email: r.0.clone(),
            name: r.1.clone(),
            age: r.2,
            homepage: r.3.clone(),
        })
        .collect();
    let gardes: Vec<WithGarde> = rows
        .iter()
        .map(|r| WithGarde {
            email: r.0.clone(),
            name: r.1.clone(),
            age: r.2,
            homepage: r.3.clone(),
        })
        .collect();
    let bridges: Vec<WithBridge> = rows
        .iter()
        .map(|r| WithBridge {
            email: r.0.clone(),
            name: r.1.clone(),
            age: r.2,
            homepage: r.3.clone(),
        })
        .collect();
    let plains: Vec<Plain> = rows
        .iter()
        .map(|r| Plain {
            email: r.0.clone(),
            name: r.1.clone(),
            age: r.2,
            homepage: r.3.clone(),
        })
        .collect();
    g.bench_function("pillars_rules", |b| {
        b.iter(|| {
            assert_eq!(
                plains
                    .iter()
                    .filter(|p| v::Validatable::validate(black_box(*p)).is_ok())
                    .count(),
                3
            )
        });
    });
    g.bench_function("pillars_derive_bridge", |b| {
        b.iter(|| {
            assert_eq!(
                bridges
                    .iter()
                    .filter(|p| v::derive::check(black_box(*p)).is_ok())
                    .count(),
                3
            )
        });
    });
    g.bench_function("validator", |b| {
        b.iter(|| {
            assert_eq!(
                vals.iter()
                    .filter(|p| validator::Validate::validate(black_box(*p)).is_ok())
                    .count(),
                3
            )
        });
    });
    g.bench_function("garde", |b| {
        b.iter(|| {
            assert_eq!(
                gardes
                    .iter()
                    .filter(|p| garde::Validate::validate(black_box(*p)).is_ok())
                    .count(),
                3
            )
        });
    });
    g.finish();
}

criterion_group!(benches, bench_email, bench_url, bench_ip, bench_derive);
criterion_main!(benches);
