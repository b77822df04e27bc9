//! Token-range scan planning and checkpoints, tested on their own, and the
//! scan run against the in-process `kassandra` server as far as it goes: it
//! ignores `token()` restrictions, so only a single full-ring range gives the
//! true answer there (see `kassandra_ignores_token_ranges`).
#![cfg(feature = "cassandra-testing")]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::StreamExt;
use pillars_storage::cassandra::scan::{
    Keyset, RangeProgress, ScanCheckpoint, plan_ranges, scan, scan_cql, scan_with,
};
use proptest::prelude::*;
use support::{Row, setup, table_rows};

proptest! {
    #[test]
    fn ranges_cover_the_ring_once(n in 1usize..3000, tokens in proptest::collection::vec(any::<i64>(), 1..50)) {
        let ranges = plan_ranges(n);
        prop_assert_eq!(ranges.len(), n);
        prop_assert_eq!(ranges[0].start, i64::MIN);
        prop_assert_eq!(ranges[n - 1].end, i64::MAX);
        for w in ranges.windows(2) {
            prop_assert_eq!(w[0].end, w[1].start);
        }
        let widths: Vec<i128> = ranges.iter().map(|r| i128::from(r.end) - i128::from(r.start)).collect();
        let (min, max) = (widths.iter().min().copied().unwrap_or(0), widths.iter().max().copied().unwrap_or(0));
        prop_assert!(min > 0 && max - min <= 1, "near equal widths");
        for t in tokens.into_iter().filter(|&t| t != i64::MIN) {
            prop_assert_eq!(ranges.iter().filter(|r| r.contains(t)).count(), 1);
        }
    }

    /// The checkpoint against a model: index -> Pending / Paging(state) / Done,
    /// Done sticky, unknown indexes ignored, serde round trip exact.
    #[test]
    fn checkpoint_matches_model(n in 1usize..20, ops in proptest::collection::vec((0usize..25, proptest::option::of(proptest::collection::vec(any::<u8>(), 0..12))), 0..60)) {
        let mut cp = ScanCheckpoint::new(n);
        let mut model: BTreeMap<usize, Option<Option<Vec<u8>>>> = (0..n).map(|i| (i, None)).collect();
        for (index, next) in ops {
            cp.record(index, next.as_deref());
            if let Some(m) = model.get_mut(&index) {
                let done = matches!(m, Some(None));
                if !done {
                    *m = Some(next);
                }
            }
            let json = serde_json::to_string(&cp).expect("json");
            let back: ScanCheckpoint = serde_json::from_str(&json).expect("parse");
            prop_assert_eq!(&back, &cp);
        }
        let remaining: Vec<usize> = cp.remaining().map(|(i, _, _)| i).collect();
        let expected: Vec<usize> = model.iter().filter(|(_, m)| !matches!(m, Some(None))).map(|(i, _)| *i).collect();
        prop_assert_eq!(remaining, expected);
        prop_assert_eq!(cp.is_complete(), model.values().all(|m| matches!(m, Some(None))));
        for (i, (_, p)) in cp.ranges.iter().enumerate() {
            let ok = matches!(
                (&model[&i], p),
                (None, RangeProgress::Pending)
                    | (Some(None), RangeProgress::Done)
                    | (Some(Some(_)), RangeProgress::Paging { .. })
            );
            prop_assert!(ok, "range {} is {:?}", i, p);
        }
    }
}

#[test]
fn bad_checkpoint_json_is_an_error_not_a_panic() {
    for bad in [
        "",
        "{}",
        r#"{"ranges":[[{"start":1,"end":2},{"status":"paging"}]]}"#,
        r#"{"ranges":"x"}"#,
    ] {
        assert!(
            serde_json::from_str::<ScanCheckpoint>(bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn cql_text() {
    assert_eq!(
        scan_cql("pg.items", &["pk", "ck", "v"], &["pk"]).expect("cql"),
        "SELECT pk, ck, v FROM pg.items WHERE token(pk) > ? AND token(pk) <= ?"
    );
    assert_eq!(
        scan_cql("t", &["a"], &["a", "b"]).expect("cql"),
        "SELECT a FROM t WHERE token(a, b) > ? AND token(a, b) <= ?"
    );
    for bad in ["", "a.b.c", "x y", "1t", "t;", "ks.\"T\""] {
        assert!(scan_cql(bad, &["a"], &["a"]).is_err(), "{bad}");
    }
    assert!(scan_cql("t", &[], &["a"]).is_err());
    assert!(Keyset::new("t", &["a"], &[], "b").is_err());
    let k = Keyset::new("ks.t", &["a", "b", "c"], &["a", "b"], "c").expect("keyset");
    assert_eq!(
        k.next_page,
        "SELECT a, b, c FROM ks.t WHERE a = ? AND b = ? AND c > ? LIMIT ?"
    );
}

/// Runs the scan machinery with a statement kassandra can serve: no
/// `token()` (it would drop it anyway), so the bound values are `()`.
async fn scan_all(
    session: &Arc<scylla::client::session::Session>,
    stmt: &scylla::statement::prepared::PreparedStatement,
    checkpoint: &mut ScanCheckpoint,
    page_size: u32,
    stop_after: Option<usize>,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut pages =
        scan_with::<Row, _, _>(Arc::clone(session), stmt, checkpoint, page_size, 4, |_| ());
    let mut n = 0;
    while let Some(page) = pages.next().await {
        let page = page.expect("page");
        rows.extend(page.rows);
        checkpoint.apply(page.range_index, page.progress);
        n += 1;
        if stop_after == Some(n) {
            break;
        }
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_range_scan_reads_each_row_once_and_resumes() {
    let (_server, session) = setup().await;
    let session = Arc::new(session);
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items")
        .await
        .expect("prepare");
    let expected: BTreeSet<(i32, i32)> = table_rows().into_iter().collect();

    let mut cp = ScanCheckpoint::new(1);
    let rows = scan_all(&session, &stmt, &mut cp, 16, None).await;
    assert!(cp.is_complete());
    assert_eq!(rows.len(), expected.len());
    assert_eq!(
        rows.iter().map(|r| (r.0, r.1)).collect::<BTreeSet<_>>(),
        expected
    );

    // Stop after 3 pages, persist, resume from JSON: each row exactly once.
    let mut cp = ScanCheckpoint::new(1);
    let mut rows = scan_all(&session, &stmt, &mut cp, 16, Some(3)).await;
    assert_eq!(rows.len(), 48);
    assert!(!cp.is_complete());
    let json = serde_json::to_string(&cp).expect("json");
    let mut resumed: ScanCheckpoint = serde_json::from_str(&json).expect("parse");
    rows.extend(scan_all(&session, &stmt, &mut resumed, 16, None).await);
    assert!(resumed.is_complete());
    assert_eq!(rows.len(), expected.len());
    assert_eq!(
        rows.iter().map(|r| (r.0, r.1)).collect::<BTreeSet<_>>(),
        expected
    );
    // A complete checkpoint scans nothing.
    assert!(
        scan_all(&session, &stmt, &mut resumed, 16, None)
            .await
            .is_empty()
    );
}

/// What kassandra does with `token()` ranges: it parses them and drops them
/// (the prepared statement has no bind markers), so `scan` with its two range
/// bounds cannot run there. On Cassandra or ScyllaDB the statement has two
/// `bigint` markers. This test documents the test server, not pillars.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kassandra_drops_token_restrictions() {
    let (_server, session) = setup().await;
    let session = Arc::new(session);
    let stmt = session
        .prepare(scan_cql("pg.items", &["pk", "ck", "v"], &["pk"]).expect("cql"))
        .await
        .expect("kassandra parses token() restrictions");
    assert_eq!(
        stmt.get_variable_col_specs().len(),
        0,
        "kassandra reports no markers"
    );
    let mut pages = scan::<Row>(Arc::clone(&session), &stmt, &ScanCheckpoint::new(4), 50, 4);
    let first = pages.next().await.expect("an item");
    let err = first.expect_err("two bound values for zero markers");
    assert!(
        matches!(err, pillars_storage::cassandra::Error::Execution(_)),
        "{err}"
    );
}
