//! Property tests of `pillars_utils::strings`: nothing panics on any input
//! (combining marks, ZWJ emoji, RTL text, controls), truncation returns a
//! prefix that ends on a grapheme boundary within the limit, and redaction
//! never lets an embedded secret through.

use std::collections::BTreeMap;
use std::time::Duration;

use pillars_utils::strings::{self, Case, MaskOptions, MaskUnit, SlugOptions};
use proptest::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

/// Text that stresses segmentation: plain ASCII, combining marks, ZWJ
/// sequences, skin tones, regional indicators, Hebrew and Arabic with marks,
/// bidi controls, CJK, controls and arbitrary scalar values.
fn nasty_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 .:@=/_-]{1,8}",
        Just("e\u{301}".to_owned()),
        Just("\u{301}\u{302}".to_owned()),
        Just("👨\u{200d}👩\u{200d}👧\u{200d}👦".to_owned()),
        Just("👍🏽".to_owned()),
        Just("🇫🇷🇩🇪🇺".to_owned()),
        Just("שָׁלוֹם".to_owned()),
        Just("مرحبا".to_owned()),
        Just("\u{202e}\u{2066}\u{200f}".to_owned()),
        Just("日本語".to_owned()),
        Just("\u{0}\r\n\t".to_owned()),
        Just("क्षि".to_owned()),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn boundaries(s: &str) -> Vec<usize> {
    let mut b: Vec<usize> = s.grapheme_indices(true).map(|(i, _)| i).collect();
    b.push(s.len());
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn truncate_graphemes_is_a_boundary_prefix(s in nasty_text(), max in 0usize..40) {
        let t = strings::truncate_graphemes(&s, max);
        prop_assert!(s.starts_with(t));
        prop_assert!(boundaries(&s).contains(&t.len()));
        let n = s.graphemes(true).count();
        prop_assert_eq!(t.graphemes(true).count(), n.min(max));
    }

    #[test]
    fn truncate_bytes_is_the_longest_boundary_prefix(s in nasty_text(), max in 0usize..80) {
        let t = strings::truncate_bytes(&s, max);
        prop_assert!(s.starts_with(t));
        prop_assert!(t.len() <= max);
        let b = boundaries(&s);
        prop_assert!(b.contains(&t.len()));
        // Model: the largest boundary that fits.
        let want = b.iter().copied().filter(|&i| i <= max).max().unwrap_or(0);
        prop_assert_eq!(t.len(), want);
    }

    #[test]
    fn ellipsis_variants_stay_within_the_limit(
        s in nasty_text(),
        max in 0usize..40,
        ellipsis in prop_oneof![Just(""), Just("…"), Just("..."), Just("👨\u{200d}👩")],
    ) {
        let g = strings::truncate_graphemes_with_ellipsis(&s, max, ellipsis);
        prop_assert!(g.graphemes(true).count() <= max || g == s);
        let kept = if g == s { g.as_ref() } else { g.strip_suffix(ellipsis).unwrap_or(&g) };
        prop_assert!(s.starts_with(kept));
        prop_assert!(boundaries(&s).contains(&kept.len()));

        let b = strings::truncate_bytes_with_ellipsis(&s, max, ellipsis);
        prop_assert!(b.len() <= max || b == s);
        prop_assert!(s.len() > max || b == s);
        let kept = if b == s { b.as_ref() } else { b.strip_suffix(ellipsis).unwrap_or(&b) };
        prop_assert!(s.starts_with(kept));
        prop_assert!(boundaries(&s).contains(&kept.len()));
    }

    #[test]
    fn nothing_panics(s in nasty_text(), n in 0usize..20, t in nasty_text()) {
        let _ = strings::redact(&s);
        let _ = strings::stringify(&s);
        let _ = strings::slugify(&s);
        let _ = strings::mask(&s, n);
        let _ = strings::mask_with(&s, &MaskOptions { unit: MaskUnit::Chars, keep_last: n, ..MaskOptions::default() });
        for case in [Case::Snake, Case::ScreamingSnake, Case::Kebab, Case::ScreamingKebab, Case::Camel, Case::Pascal, Case::Title, Case::Train] {
            let _ = strings::to_case(&s, case);
        }
        let _ = strings::levenshtein(&s, &t);
        let _ = strings::normalized_levenshtein(&s, &t);
        let _ = strings::jaro_winkler(&s, &t);
        let _ = strings::did_you_mean(&s, [t.as_str(), "status"]);
        let _ = strings::parse_size(&s);
        let _ = strings::parse_duration(&s);
    }

    #[test]
    fn parsers_never_panic_on_numbers(s in "[0-9. ]{0,30}[a-zA-Z ]{0,8}") {
        let _ = strings::parse_size(&s);
        let _ = strings::parse_duration(&s);
    }

    #[test]
    fn durations_round_trip(secs in 0u64..10_000_000_000, nanos in 0u32..1_000_000_000) {
        let d = Duration::new(secs, nanos);
        prop_assert_eq!(strings::parse_duration(&strings::format_duration(d)).ok(), Some(d));
    }

    #[test]
    fn sizes_format_anything(n in any::<u64>()) {
        prop_assert!(!strings::format_size(n).is_empty());
        prop_assert!(!strings::format_size_si(n).is_empty());
        prop_assert_eq!(strings::parse_size(&n.to_string()).ok(), Some(n));
    }

    #[test]
    fn slugs_are_never_empty_and_clean(s in nasty_text(), max in proptest::option::of(0usize..30)) {
        let opts = SlugOptions { max_len: max, ..SlugOptions::default() };
        let slug = strings::slugify_with(&s, &opts);
        prop_assert!(!slug.is_empty());
        if slug != opts.fallback {
            prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"));
            prop_assert!(slug.len() <= max.unwrap_or(usize::MAX));
        }
    }

    #[test]
    fn mask_shows_at_most_half_and_only_the_tail(s in nasty_text(), keep in 0usize..12) {
        let m = strings::mask(&s, keep);
        let total = s.graphemes(true).count();
        let shown = keep.min(total / 2);
        let tail: String = m.chars().skip(total - shown).collect();
        prop_assert!(s.ends_with(tail.as_str()));
        prop_assert!(m.starts_with(&"*".repeat(total - shown)));
    }

    #[test]
    fn stringify_hides_secret_named_entries(
        entries in prop::collection::btree_map(
            prop_oneof![Just("password"), Just("API-Key"), Just("name"), Just("sessionToken"), Just("id")],
            "[a-z]{10,16}",
            0..5,
        ),
        opt in proptest::option::of("[a-z]{10,16}"),
    ) {
        #[derive(serde::Serialize)]
        struct S<'a> { client_secret: Option<&'a str>, map: &'a BTreeMap<&'static str, String> }
        let out = strings::stringify(&S { client_secret: opt.as_deref(), map: &entries });
        for (k, v) in &entries {
            let secret = matches!(*k, "password" | "API-Key" | "sessionToken");
            prop_assert_eq!(out.contains(v.as_str()), !secret, "{}", out);
        }
        if let Some(o) = &opt {
            prop_assert!(!out.contains(o.as_str()));
        }
    }
}

/// A secret embedded in text, and the part of it that must disappear.
#[derive(Debug, Clone)]
struct Secret {
    written: String,
    hidden: String,
}

fn luhn_complete(digits: &[u8]) -> u8 {
    // The check digit that makes `digits` + check Luhn-valid.
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let d = u32::from(d);
        sum += if i % 2 == 0 {
            let d2 = d * 2;
            if d2 > 9 { d2 - 9 } else { d2 }
        } else {
            d
        };
    }
    u8::try_from((10 - sum % 10) % 10).unwrap_or(0)
}

fn secret() -> impl Strategy<Value = Secret> {
    let token = "[A-Za-z0-9]{12,32}";
    prop_oneof![
        ("[a-z0-9._+-]{1,12}[a-z0-9]", "[a-z0-9]{1,10}", "[a-z]{2,6}").prop_map(|(l, d, t)| {
            let e = format!("{l}@{d}.{t}");
            Secret {
                written: e.clone(),
                hidden: e,
            }
        }),
        (
            prop::sample::select(vec![2u8, 3, 4, 5, 6]),
            prop::collection::vec(0u8..10, 11..17),
            any::<bool>()
        )
            .prop_map(|(first, mut rest, spaced)| {
                rest.insert(0, first);
                let check = luhn_complete(&rest);
                rest.push(check);
                let digits: String = rest.iter().map(|d| char::from(b'0' + d)).collect();
                let written = if spaced {
                    digits
                        .as_bytes()
                        .chunks(4)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect::<Vec<_>>()
                        .join(" ")
                } else {
                    digits.clone()
                };
                Secret {
                    written,
                    hidden: digits,
                }
            }),
        "(AKIA|ASIA)[A-Z0-9]{16}".prop_map(|k| Secret {
            written: k.clone(),
            hidden: k
        }),
        (
            token,
            prop::sample::select(vec![
                "password",
                "token",
                "api_key",
                "client_secret",
                "passwd",
                "X-Amz-Signature"
            ]),
            prop::sample::select(vec!["=", ": ", "=\"", "\": \""])
        )
            .prop_map(|(v, k, sep)| Secret {
                written: format!("{k}{sep}{v}"),
                hidden: v
            }),
        (token, "[a-z]{1,8}").prop_map(|(p, u)| Secret {
            written: format!("https://{u}:{p}@host.example/x"),
            hidden: p
        }),
        token.prop_map(|t| Secret {
            written: format!("Authorization: Bearer {t}"),
            hidden: t
        }),
        token.prop_map(|t| Secret {
            written: format!("bearer {t}"),
            hidden: t
        }),
        (
            "[A-Za-z0-9_-]{4,20}",
            "[A-Za-z0-9_-]{4,40}",
            "[A-Za-z0-9_-]{0,40}"
        )
            .prop_map(|(a, b, c)| {
                let j = format!("eyJ{a}.{b}.{c}");
                Secret {
                    written: j.clone(),
                    hidden: j,
                }
            }),
        any::<[u8; 4]>().prop_map(|o| {
            let ip = std::net::Ipv4Addr::from(o).to_string();
            Secret {
                written: ip.clone(),
                hidden: ip,
            }
        }),
        any::<u128>().prop_filter_map("needs a digit", |v| {
            let ip = std::net::Ipv6Addr::from(v).to_string();
            ip.bytes().any(|b| b.is_ascii_digit()).then(|| Secret {
                written: ip.clone(),
                hidden: ip,
            })
        }),
    ]
}

/// Filler: words of letters and non-ASCII text, never digits or the
/// punctuation that secrets are made of, so a secret cannot be found in the
/// filler itself.
fn filler() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        "[a-zA-Z]{1,10}",
        Just("é".to_owned()),
        Just("👨\u{200d}👩\u{200d}👧".to_owned()),
        Just("שָׁלוֹם".to_owned()),
        Just("日本".to_owned()),
        Just("\n".to_owned()),
    ];
    prop::collection::vec(word, 0..8).prop_map(|w| w.join(" "))
}

fn digits_only(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn redaction_removes_every_embedded_secret(
        parts in prop::collection::vec((filler(), secret()), 1..5),
        tail in filler(),
    ) {
        let mut text = String::new();
        for (f, s) in &parts {
            text.push_str(f);
            text.push(' ');
            text.push_str(&s.written);
            text.push(' ');
        }
        text.push_str(&tail);
        let out = strings::redact(&text);
        let out_digits = digits_only(&out);
        for (_, s) in &parts {
            prop_assert!(!out.contains(&s.hidden), "{:?} leaked in {:?}", s.hidden, out);
            let d = digits_only(&s.hidden);
            if d.len() >= 13 && d == s.hidden {
                prop_assert!(!out_digits.contains(&d), "card digits leaked in {:?}", out);
            }
        }
    }

    #[test]
    fn clean_text_comes_back_borrowed(text in filler()) {
        let out = strings::redact(&text);
        prop_assert!(matches!(out, std::borrow::Cow::Borrowed(_)));
        prop_assert_eq!(out.as_ref(), text.as_str());
    }
}
