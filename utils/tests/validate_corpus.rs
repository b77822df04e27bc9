//! Conformance against outside corpora we did not write, read in place from
//! `$PILLARS_CORPORA` (default `../shared/corpora` from the workspace root):
//!
//! - isemail v3.05 `tests.xml` (BSD 3-Clause, Dominic Sayers): 164 addresses,
//!   each with a category. An address is a usable SMTP mailbox when its
//!   category is `ISEMAIL_VALID_CATEGORY`, `ISEMAIL_DNSWARN` (valid syntax;
//!   DNS is not our job) or `ISEMAIL_RFC5321`; `ISEMAIL_CFWS`,
//!   `ISEMAIL_DEPREC`, `ISEMAIL_RFC5322` and `ISEMAIL_ERR` are not.
//! - WHATWG URL `urltestdata.json` (web-platform-tests, BSD 3-Clause): the
//!   541 cases with no base, valid unless marked `failure`.
//!
//! Run with `--nocapture` to see the pass-rate tables (ours beside
//! `validator` and `garde`). A missing corpus is reported and skipped,
//! unless `PILLARS_REQUIRE_CORPORA=1` (as `.ci/run` sets where the corpora
//! exist), when it fails.

use std::path::PathBuf;

use pillars_utils::validate::{Email, UrlRule, url};

fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("PILLARS_CORPORA").map_or_else(
        // utils/ -> the workspace root -> its sibling `shared/corpora`.
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora"),
        PathBuf::from,
    );
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            std::env::var_os("PILLARS_REQUIRE_CORPORA").is_none_or(|v| v != "1"),
            "PILLARS_REQUIRE_CORPORA=1 but the corpora are not at {} (set PILLARS_CORPORA)",
            dir.display()
        );
        eprintln!(
            "corpora not found at {} (set PILLARS_CORPORA): skipped",
            dir.display()
        );
        None
    }
}

struct EmailCase {
    id: u32,
    address: String,
    category: String,
    diagnosis: String,
}

/// Decodes XML character references; U+2400+n stands for control char n.
fn xml_text(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').map_or(rest.len(), |e| i + e);
        let ent = &rest[i + 1..end];
        let c = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        out.push(c.expect("known entity"));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out.chars()
        .map(|c| match c as u32 {
            n @ 0x2400..=0x241f => char::from_u32(n - 0x2400).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn tag<'a>(block: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = block.find(&open)? + open.len();
    let end = block[start..].find(&format!("</{name}>"))? + start;
    Some(&block[start..end])
}

fn isemail_cases(dir: &std::path::Path) -> Vec<EmailCase> {
    let xml = std::fs::read_to_string(dir.join("isemail/tests.xml")).expect("read tests.xml");
    let mut out = Vec::new();
    for block in xml.split("<test id=\"").skip(1) {
        let id: u32 = block[..block.find('"').expect("id")].parse().expect("id");
        let block = &block[..block.find("</test>").expect("end")];
        let address = tag(block, "address").map(xml_text).unwrap_or_default();
        out.push(EmailCase {
            id,
            address,
            category: tag(block, "category").expect("category").to_owned(),
            diagnosis: tag(block, "diagnosis").expect("diagnosis").to_owned(),
        });
    }
    out
}

fn mailbox_expected(category: &str) -> bool {
    matches!(
        category,
        "ISEMAIL_VALID_CATEGORY" | "ISEMAIL_DNSWARN" | "ISEMAIL_RFC5321"
    )
}

/// Cases that a profile with quoted local parts or address literals off
/// rejects by configuration (not a disagreement with the RFC).
fn needs_option(diagnosis: &str) -> bool {
    matches!(
        diagnosis,
        "ISEMAIL_RFC5321_QUOTEDSTRING" | "ISEMAIL_RFC5321_ADDRESSLITERAL"
    )
}

struct Tally {
    name: &'static str,
    agree: usize,
    total: usize,
    claimed_agree: usize,
    claimed_total: usize,
    misses: Vec<String>,
}

fn tally(
    name: &'static str,
    cases: &[EmailCase],
    claims: impl Fn(&EmailCase) -> bool,
    accept: impl Fn(&str) -> bool,
) -> Tally {
    let mut t = Tally {
        name,
        agree: 0,
        total: 0,
        claimed_agree: 0,
        claimed_total: 0,
        misses: Vec::new(),
    };
    for c in cases {
        let ok = accept(&c.address) == mailbox_expected(&c.category);
        t.total += 1;
        t.agree += usize::from(ok);
        if claims(c) {
            t.claimed_total += 1;
            t.claimed_agree += usize::from(ok);
            if !ok {
                t.misses
                    .push(format!("#{} {:?} ({})", c.id, c.address, c.diagnosis));
            }
        }
    }
    t
}

#[allow(clippy::cast_precision_loss)]
fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        100.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn print(title: &str, rows: &[Tally]) {
    println!("\n{title}");
    println!("| rule | agrees (all cases) | agrees (cases it claims) |");
    println!("| --- | --- | --- |");
    for t in rows {
        println!(
            "| {} | {}/{} ({:.1} %) | {}/{} ({:.1} %) |",
            t.name,
            t.agree,
            t.total,
            pct(t.agree, t.total),
            t.claimed_agree,
            t.claimed_total,
            pct(t.claimed_agree, t.claimed_total)
        );
    }
}

#[test]
fn isemail_corpus() {
    let Some(dir) = corpora() else { return };
    let cases = isemail_cases(&dir);
    assert_eq!(cases.len(), 164, "isemail v3.05 has 164 cases");

    let strict = Email::strict();
    let strict_full = Email::strict()
        .allow_quoted_local(true)
        .allow_ip_literal(true);
    let html5 = Email::html5();
    let html5_full = Email::html5()
        .allow_quoted_local(true)
        .allow_ip_literal(true);
    let all = |_: &EmailCase| true;
    let no_options = |c: &EmailCase| !needs_option(&c.diagnosis);

    let rows = [
        tally("pillars strict (defaults)", &cases, no_options, |s| {
            strict.is_valid(s)
        }),
        tally("pillars strict + quoted + literals", &cases, all, |s| {
            strict_full.is_valid(s)
        }),
        tally("pillars default (HTML5)", &cases, no_options, |s| {
            html5.is_valid(s)
        }),
        tally("pillars default + quoted + literals", &cases, all, |s| {
            html5_full.is_valid(s)
        }),
        tally("validator 0.20", &cases, all, |s| {
            validator::ValidateEmail::validate_email(&s)
        }),
        tally("garde 0.22", &cases, all, |s| {
            garde::rules::email::Email::validate_email(&s).is_ok()
        }),
    ];
    print(
        "isemail v3.05 (164 cases; expected: usable SMTP mailbox)",
        &rows,
    );
    println!("\nper category (accepted / cases):");
    let cats = [
        "ISEMAIL_VALID_CATEGORY",
        "ISEMAIL_DNSWARN",
        "ISEMAIL_RFC5321",
        "ISEMAIL_CFWS",
        "ISEMAIL_DEPREC",
        "ISEMAIL_RFC5322",
        "ISEMAIL_ERR",
    ];
    println!("| category | cases | strict | strict+opts | default | validator | garde |");
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for cat in cats {
        let in_cat: Vec<&EmailCase> = cases.iter().filter(|c| c.category == cat).collect();
        let n = |f: &dyn Fn(&str) -> bool| in_cat.iter().filter(|c| f(&c.address)).count();
        println!(
            "| {cat} | {} | {} | {} | {} | {} | {} |",
            in_cat.len(),
            n(&|s| strict.is_valid(s)),
            n(&|s| strict_full.is_valid(s)),
            n(&|s| html5.is_valid(s)),
            n(&|s| validator::ValidateEmail::validate_email(&s)),
            n(&|s| garde::rules::email::Email::validate_email(&s).is_ok()),
        );
    }
    for t in &rows[..4] {
        assert!(
            t.misses.is_empty(),
            "{} disagrees on claimed cases: {:#?}",
            t.name,
            t.misses
        );
    }
    // The default profile does at least as well as validator on the whole corpus.
    assert!(
        rows[2].agree >= rows[4].agree,
        "default {} < validator {}",
        rows[2].agree,
        rows[4].agree
    );
    // Whatever strict accepts, the default accepts too.
    for c in &cases {
        if strict_full.is_valid(&c.address) {
            assert!(html5_full.is_valid(&c.address), "#{}", c.id);
        }
        if strict.is_valid(&c.address) {
            assert!(html5.is_valid(&c.address), "#{}", c.id);
        }
    }
}

fn raw_ws_or_control(s: &str) -> bool {
    s.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[test]
fn whatwg_url_corpus() {
    let Some(dir) = corpora() else { return };
    let text = std::fs::read_to_string(dir.join("whatwg-url/urltestdata.json"))
        .expect("read urltestdata.json");
    let data: serde_json::Value = serde_json::from_str(&text).expect("json");
    let cases: Vec<(String, bool)> = data
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c.as_object())
        .filter(|c| c.get("base").is_none_or(serde_json::Value::is_null))
        .map(|c| {
            let input = c["input"].as_str().expect("input").to_owned();
            (
                input,
                !c.get("failure")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        cases.len(),
        541,
        "541 absolute cases in this urltestdata.json"
    );

    let any = UrlRule::any();
    // Claimed: every case whose raw input has no white space or control
    // character (those we reject on purpose; the WHATWG parser strips them).
    let mk = |name: &'static str, f: &dyn Fn(&str) -> bool| {
        let mut t = Tally {
            name,
            agree: 0,
            total: 0,
            claimed_agree: 0,
            claimed_total: 0,
            misses: Vec::new(),
        };
        for (input, valid) in &cases {
            let ok = f(input) == *valid;
            t.total += 1;
            t.agree += usize::from(ok);
            if !raw_ws_or_control(input) {
                t.claimed_total += 1;
                t.claimed_agree += usize::from(ok);
                if !ok {
                    t.misses.push(format!("{input:?} expected valid={valid}"));
                }
            }
        }
        t
    };
    let rows = [
        mk("pillars UrlRule::any()", &|s| any.is_valid(s)),
        mk("validator 0.20", &|s| {
            validator::ValidateUrl::validate_url(&s)
        }),
        mk("garde 0.22", &|s| {
            garde::rules::url::Url::validate_url(&s).is_ok()
        }),
    ];
    print(
        "WHATWG urltestdata.json (541 cases without base; claimed = no raw white space / control)",
        &rows,
    );
    let ws: Vec<&(String, bool)> = cases.iter().filter(|(i, _)| raw_ws_or_control(i)).collect();
    println!(
        "raw white space / control cases: {} ({} valid per WHATWG after stripping); pillars rejects all of them by policy",
        ws.len(),
        ws.iter().filter(|(_, v)| *v).count()
    );
    for (input, _) in &ws {
        assert!(!any.is_valid(input), "{input:?}");
    }
    assert!(
        rows[0].misses.is_empty(),
        "UrlRule::any() disagrees: {:#?}",
        rows[0].misses
    );
    // The default rule (http/https, host required) accepts nothing the corpus rejects.
    for (input, valid) in &cases {
        if url().is_valid(input) {
            assert!(*valid, "{input:?}");
        }
    }
}

/// The peers' known weak spots (`STYLE.md`), side by side. Not a corpus:
/// our own cases, printed for the README and asserted for pillars.
#[test]
fn peer_weak_spots() {
    let yn = |b: bool| if b { "accept" } else { "reject" };
    println!("\n| input | pillars | validator | garde |");
    println!("| --- | --- | --- | --- |");
    let email_cases: &[(&str, bool)] = &[
        ("John..Doe@example.com", false),
        (".john@example.com", false),
        ("john@example.com.", false),
        ("a@b", true),
        ("user@[IPv6:2001:db8::1]", true),
        ("\"john doe\"@example.com", true),
    ];
    let rfc = Email::strict()
        .allow_quoted_local(true)
        .allow_ip_literal(true);
    let long_local = format!("{}@example.com", "a".repeat(65));
    for (s, want) in email_cases
        .iter()
        .copied()
        .chain([(long_local.as_str(), false)])
    {
        let ours = rfc.is_valid(s);
        assert_eq!(ours, want, "{s:?}");
        println!(
            "| email `{}` | {} (strict + options) | {} | {} |",
            if s.len() > 40 { "a×65@example.com" } else { s },
            yn(ours),
            yn(validator::ValidateEmail::validate_email(&s)),
            yn(garde::rules::email::Email::validate_email(&s).is_ok())
        );
    }
    for (s, label) in [
        ("javascript:alert(1)", "`javascript:alert(1)`"),
        (" https://example.com", "leading space"),
        ("https://example.com/\n", "trailing newline"),
        ("https://exa\tmple.com", "tab in host"),
        ("java\nscript:alert(1)", "newline in scheme"),
    ] {
        let ours = url().is_valid(s);
        assert!(!ours, "{s:?}");
        println!(
            "| url {label} | {} (`url()`) | {} | {} |",
            yn(ours),
            yn(validator::ValidateUrl::validate_url(&s)),
            yn(garde::rules::url::Url::validate_url(&s).is_ok())
        );
    }
}
