//! Property tests of the rule combinators against plain reference
//! computations, and of the parsers' invariants on arbitrary input.

use std::collections::BTreeMap;

use pillars_utils::validate::{
    Email, LengthMode, PathSegment, Rule, RuleExt, UrlRule, Validation, Violation, count, custom,
    each, is_email, keys, length, not_one_of, one_of, optional, range, required, required_and,
    values, when,
};
use proptest::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

fn reference_len(mode: LengthMode, s: &str) -> usize {
    match mode {
        LengthMode::Bytes => s.len(),
        LengthMode::Chars => s.chars().count(),
        LengthMode::Graphemes => s.graphemes(true).count(),
        LengthMode::Utf16 => s.encode_utf16().count(),
    }
}

fn any_mode() -> impl Strategy<Value = LengthMode> {
    prop_oneof![
        Just(LengthMode::Bytes),
        Just(LengthMode::Chars),
        Just(LengthMode::Graphemes),
        Just(LengthMode::Utf16),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn length_matches_reference(s in "\\PC{0,12}|[a-z\u{301}\u{1F44D}\u{1F3FD}]{0,12}", lo in 0usize..12, span in 0usize..12, mode in any_mode()) {
        let hi = lo + span;
        let n = reference_len(mode, &s);
        let got = length(lo..=hi).mode(mode).check(s.as_str());
        prop_assert_eq!(got.is_ok(), (lo..=hi).contains(&n));
        if let Err(e) = got {
            let v = &e.violations()[0];
            prop_assert_eq!(v.code(), "length");
            prop_assert!(v.value().is_none());
        }
        // Half-open ranges agree with their inclusive twins.
        prop_assert_eq!(length(lo..hi + 1).mode(mode).check(s.as_str()).is_ok(), (lo..=hi).contains(&n));
        prop_assert_eq!(length(lo..).mode(mode).check(s.as_str()).is_ok(), n >= lo);
    }

    #[test]
    fn range_matches_reference(v in -50i64..50, lo in -50i64..50, hi in -50i64..50) {
        prop_assert_eq!(range(lo..=hi).check(&v).is_ok(), lo <= v && v <= hi);
        prop_assert_eq!(range(lo..hi).check(&v).is_ok(), lo <= v && v < hi);
        prop_assert_eq!(range(..hi).check(&v).is_ok(), v < hi);
    }

    #[test]
    fn count_matches_reference(items in prop::collection::vec(any::<u8>(), 0..20), lo in 0usize..20, hi in 0usize..20) {
        prop_assert_eq!(count(lo..=hi).check(&items).is_ok(), lo <= items.len() && items.len() <= hi);
    }

    #[test]
    fn one_of_and_not_one_of_are_complements(v in 0u8..20, set in prop::collection::vec(0u8..20, 0..8)) {
        let a = one_of(set.clone()).check(&v).is_ok();
        let b = not_one_of(set.clone()).check(&v).is_ok();
        prop_assert_eq!(a, set.contains(&v));
        prop_assert_ne!(a, b);
    }

    #[test]
    fn each_reports_exactly_the_failing_indices(items in prop::collection::vec(-20i32..20, 0..30)) {
        let got = each(range(0..10)).check(&items);
        let want: Vec<usize> = items.iter().enumerate().filter(|(_, x)| !(0..10).contains(*x)).map(|(i, _)| i).collect();
        let paths: Vec<usize> = got.err().map(|e| e.violations().iter().map(|v| match v.path().segments() {
            [PathSegment::Index(i)] => *i,
            other => panic!("unexpected path {other:?}"),
        }).collect()).unwrap_or_default();
        prop_assert_eq!(paths, want);
    }

    #[test]
    fn keys_and_values_report_by_key(m in prop::collection::btree_map("[a-c]{0,3}", -5i32..5, 0..10)) {
        let bad_keys = m.keys().filter(|k| k.is_empty()).count();
        let bad_vals: Vec<&String> = m.iter().filter(|(_, v)| **v < 0).map(|(k, _)| k).collect();
        prop_assert_eq!(keys(length(1..)).check(&m).err().map_or(0, |e| e.len()), bad_keys);
        let got: Vec<String> = values(range(0..)).check(&m).err().map(|e| e.violations().iter().map(|v| match v.path().segments() {
            [PathSegment::Key(k)] => k.clone(),
            other => panic!("unexpected path {other:?}"),
        }).collect()).unwrap_or_default();
        let want: Vec<String> = bad_vals.into_iter().cloned().collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn required_optional_and_when(v in prop::option::of(-5i32..5), cond: bool) {
        let inner = range(0..);
        prop_assert_eq!(required().check(&v).is_ok(), v.is_some());
        prop_assert_eq!(optional(inner.clone()).check(&v).is_ok(), v.is_none_or(|x| x >= 0));
        prop_assert_eq!(required_and(inner.clone()).check(&v).is_ok(), v.is_some_and(|x| x >= 0));
        let w = when(cond, required()).otherwise(optional(inner));
        let want = if cond { v.is_some() } else { v.is_none_or(|x| x >= 0) };
        prop_assert_eq!(w.check(&v).is_ok(), want);
    }

    #[test]
    fn tuple_stops_at_first_failure(v in -20i32..20) {
        let rules = (custom("a", |x: &i32| *x >= 0), custom("b", |x: &i32| *x < 10));
        let want = if v < 0 { Some("a") } else if v >= 10 { Some("b") } else { None };
        let got = rules.check(&v).err().map(|e| e.violations()[0].code().to_owned());
        prop_assert_eq!(got.as_deref(), want);
    }

    #[test]
    fn validation_collects_every_field(vals in prop::collection::vec(-5i32..5, 0..8)) {
        let mut val = Validation::new();
        for (i, x) in vals.iter().enumerate() {
            val = val.field(format!("f{i}"), x, range(0..));
        }
        let want: Vec<String> = vals.iter().enumerate().filter(|(_, x)| **x < 0).map(|(i, _)| format!("f{i}")).collect();
        let got: Vec<String> = val.finish().err().map(|e| e.violations().iter().map(|v| v.path().to_string()).collect()).unwrap_or_default();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn rejected_values_never_leak_unless_revealed(secret in "[A-Za-z0-9]{16,24}") {
        let err = Validation::new()
            .field("password", secret.as_str(), length(30..))
            .field("token", &secret, one_of(["x"]))
            .finish()
            .unwrap_err();
        let json = serde_json::to_string(&err).unwrap();
        prop_assert!(!json.contains(&secret));
        let problem = serde_json::to_string(&err.problem()).unwrap();
        prop_assert!(!problem.contains(&secret));
        prop_assert!(!err.to_string().contains(&secret));
        let revealed = length(30..).reveal().check(secret.as_str()).unwrap_err();
        prop_assert!(serde_json::to_string(&revealed).unwrap().contains(&secret));
    }

    #[test]
    fn strict_email_is_a_subset_of_default(s in "\\PC{0,40}|[a-z\"\\\\@.\\[\\]:0-9 -]{0,30}", q: bool, l: bool, i: bool) {
        let strict = Email::strict().allow_quoted_local(q).allow_ip_literal(l).allow_idna(i);
        let html5 = Email::html5().allow_quoted_local(q).allow_ip_literal(l).allow_idna(i);
        if strict.is_valid(&s) {
            prop_assert!(html5.is_valid(&s));
        }
        if Email::strict().is_valid(&s) {
            prop_assert!(is_email(&s));
        }
    }

    #[test]
    fn generated_mailboxes_are_accepted(local in "[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\\.[a-z0-9_-]{1,10}){0,2}", labels in prop::collection::vec("[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", 1..4)) {
        let addr = format!("{local}@{}", labels.join("."));
        prop_assert!(Email::strict().is_valid(&addr), "{}", addr);
        prop_assert!(Email::html5().is_valid(&addr));
        // A doubled dot anywhere breaks it.
        let broken = addr.replacen('@', ".@", 1);
        prop_assert!(!Email::html5().is_valid(&broken));
    }

    #[test]
    fn url_never_accepts_raw_whitespace(prefix in "[a-z]{0,5}", ws in prop::sample::select(vec![' ', '\t', '\n', '\r', '\u{0}', '\u{7f}', '\u{a0}', '\u{2028}']), suffix in "[a-z/.]{0,8}") {
        let s = format!("https://{prefix}{ws}{suffix}.com/");
        prop_assert!(!UrlRule::any().is_valid(&s));
        let s2 = format!("{ws}https://example.com/{prefix}");
        prop_assert!(!UrlRule::any().is_valid(&s2));
    }

    #[test]
    fn paths_nest(outer in "[a-z]{1,6}", inner in "[a-z]{1,6}", idx in 0usize..5) {
        let v = Violation::new("x").at(PathSegment::Index(idx)).at(PathSegment::field(inner.clone())).at(PathSegment::field(outer.clone()));
        prop_assert_eq!(v.path().to_string(), format!("{outer}.{inner}[{idx}]"));
        prop_assert_eq!(v.path().to_pointer(), format!("/{outer}/{inner}/{idx}"));
    }
}

#[test]
fn maps_work_with_hashmap_too() {
    let m: std::collections::HashMap<String, i32> = [("a".to_owned(), -1)].into();
    assert_eq!(values(range(0..)).check(&m).unwrap_err().len(), 1);
    let b: BTreeMap<String, i32> = BTreeMap::new();
    assert!(keys(length(1..)).check(&b).is_ok());
}
