//! The paginator against a real CQL server: the in-process `kassandra` 0.14
//! server, the real `scylla` 1.9 driver over TCP on 127.0.0.1.
#![cfg(feature = "cassandra-testing")]

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use pillars_storage::cassandra::cursor::ManualClock;
use pillars_storage::cassandra::testing::TestServer;
use pillars_storage::cassandra::{CursorCodec, CursorError, CursorKey, Error, Page, Paginator};
use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

use support::{ROWS_PER_PARTITION, Row, create_schema, insert, reference_order, setup, table_rows};

fn paginator() -> Paginator {
    Paginator::new(CursorCodec::new(CursorKey::new(1, [0x42; 32])).with_encryption(true))
        .with_max_page_size(10_000)
}

async fn list_all<V: scylla::serialize::row::SerializeRow + Clone>(
    p: &Paginator,
    session: &Session,
    stmt: &PreparedStatement,
    values: V,
    page_size: u32,
) -> Vec<Page<Row>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page: Page<Row> = p
            .page(
                session,
                stmt,
                values.clone(),
                Some(page_size),
                cursor.as_deref(),
            )
            .await
            .expect("page");
        cursor = page.next.as_ref().map(|c| c.as_str().to_string());
        pages.push(page);
        if cursor.is_none() {
            return pages;
        }
        assert!(pages.len() < 10_000, "listing does not end");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_size_lists_each_row_once_in_order() {
    let (_server, session) = setup().await;
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items")
        .await
        .expect("prepare");
    let reference = reference_order(&session, &stmt).await;
    let total = table_rows().len();
    assert_eq!(reference.len(), total);
    // Within a partition the clustering order holds; partitions are contiguous.
    let mut seen_pk = BTreeSet::new();
    for w in reference.windows(2) {
        if w[0].0 == w[1].0 {
            assert!(w[0].1 < w[1].1, "clustering order");
        } else {
            assert!(seen_pk.insert(w[0].0), "partition {} split", w[0].0);
        }
    }

    let p = paginator();
    for page_size in 1..=u32::try_from(total + 5).unwrap_or(u32::MAX) {
        let pages = list_all(&p, &session, &stmt, (), page_size).await;
        let rows: Vec<Row> = pages.iter().flat_map(|pg| pg.items.clone()).collect();
        assert_eq!(rows, reference, "page size {page_size}");
        for (i, page) in pages.iter().enumerate() {
            assert!(page.items.len() <= page_size as usize);
            if page.next.is_some() {
                assert!(!page.items.is_empty(), "empty page with a next cursor");
            }
            if i + 1 < pages.len() {
                assert!(page.next.is_some());
            }
        }
        assert!(pages.last().is_some_and(Page::is_last));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_query_pages_in_clustering_order() {
    let (_server, session) = setup().await;
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items WHERE pk = ?")
        .await
        .expect("prepare");
    let p = paginator();
    for page_size in [1, 2, 4, 7, 15, 16, 100] {
        let pages = list_all(&p, &session, &stmt, (5,), page_size).await;
        let cks: Vec<i32> = pages
            .iter()
            .flat_map(|pg| pg.items.iter().map(|r| r.1))
            .collect();
        assert_eq!(
            cks,
            (0..ROWS_PER_PARTITION).map(|c| c * 2).collect::<Vec<_>>()
        );
        assert!(pages.iter().flat_map(|pg| &pg.items).all(|r| r.0 == 5));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_cursors_are_refused_before_any_query() {
    let (_server, session) = setup().await;
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items WHERE pk = ?")
        .await
        .expect("prepare");
    let p = paginator();
    let first: Page<Row> = p
        .page(&session, &stmt, (3,), Some(4), None)
        .await
        .expect("page");
    let cursor = first.next.expect("more pages");

    // Other partition (the forged-cursor attack): refused.
    let other = p
        .page::<Row, _>(&session, &stmt, (4,), Some(4), Some(cursor.as_str()))
        .await;
    assert!(
        matches!(other, Err(Error::Cursor(CursorError::WrongQuery))),
        "{other:?}"
    );
    // Other page size: refused.
    let other = p
        .page::<Row, _>(&session, &stmt, (3,), Some(5), Some(cursor.as_str()))
        .await;
    assert!(matches!(other, Err(Error::Cursor(CursorError::WrongQuery))));
    // Other statement: refused.
    let all = session
        .prepare("SELECT pk, ck, v FROM pg.items")
        .await
        .expect("prepare");
    let other = p
        .page::<Row, _>(&session, &all, (), Some(4), Some(cursor.as_str()))
        .await;
    assert!(matches!(other, Err(Error::Cursor(CursorError::WrongQuery))));
    // Garbage and tampering.
    for bad in ["", "x", "not a cursor!", &"A".repeat(5000)] {
        let r = p
            .page::<Row, _>(&session, &stmt, (3,), Some(4), Some(bad))
            .await;
        assert!(
            r.as_ref().is_err_and(Error::is_client_error),
            "{bad:.20}: {r:?}"
        );
    }
    let mut forged = cursor.as_str().to_string();
    let mid = forged.len() / 2;
    let c = if &forged[mid..=mid] == "A" { "B" } else { "A" };
    forged.replace_range(mid..=mid, c);
    let r = p
        .page::<Row, _>(&session, &stmt, (3,), Some(4), Some(&forged))
        .await;
    assert!(
        matches!(r, Err(Error::Cursor(CursorError::Tampered))),
        "{r:?}"
    );
    // The genuine cursor still works.
    let second: Page<Row> = p
        .page(&session, &stmt, (3,), Some(4), Some(cursor.as_str()))
        .await
        .expect("page 2");
    assert_eq!(
        second.items.iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![8, 10, 12, 14]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_cursor_is_refused() {
    let (_server, session) = setup().await;
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items")
        .await
        .expect("prepare");
    let clock = Arc::new(ManualClock::new(1_800_000_000));
    let p = Paginator::new(
        CursorCodec::new(CursorKey::new(1, [1; 32]))
            .with_ttl(Duration::from_secs(60))
            .with_clock(clock.clone()),
    );
    let first: Page<Row> = p
        .page(&session, &stmt, (), Some(10), None)
        .await
        .expect("page");
    let cursor = first.next.expect("more");
    clock.advance(60);
    let r = p
        .page::<Row, _>(&session, &stmt, (), Some(10), Some(cursor.as_str()))
        .await;
    assert!(
        matches!(r, Err(Error::Cursor(CursorError::Expired { .. }))),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_reused_after_inserts_continues_without_repeats() {
    let (_server, session) = setup().await;
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items WHERE pk = ?")
        .await
        .expect("prepare");
    let p = paginator();
    let first: Page<Row> = p
        .page(&session, &stmt, (3,), Some(5), None)
        .await
        .expect("page");
    assert_eq!(
        first.items.iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![0, 2, 4, 6, 8]
    );
    let cursor = first.next.expect("more");
    // Rows before the cursor position, inside the rest, and after the end.
    insert(&session, [(3, 1), (3, 13), (3, 99)]).await;
    let mut rest = Vec::new();
    let mut next = Some(cursor.into_string());
    // The same cursor works twice (it is not single-use).
    for _ in 0..2 {
        rest.clear();
        let mut c = next.clone();
        while let Some(text) = c {
            let page: Page<Row> = p
                .page(&session, &stmt, (3,), Some(5), Some(&text))
                .await
                .expect("page");
            rest.extend(page.items.iter().map(|r| r.1));
            c = page
                .next
                .map(pillars_storage::cassandra::Cursor::into_string);
        }
    }
    next.take();
    let expected: Vec<i32> = (5..ROWS_PER_PARTITION)
        .map(|c| c * 2)
        .chain([13, 99])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        rest, expected,
        "no row before the cursor again, new rows after it seen once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_stopped_mid_listing_then_restarted() {
    let (server, session) = setup().await;
    let addr = server.addr();
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items")
        .await
        .expect("prepare");
    let p = paginator();
    let first: Page<Row> = p
        .page(&session, &stmt, (), Some(7), None)
        .await
        .expect("page");
    let cursor = first.next.clone().expect("more");

    server.stop();
    let down = p
        .page::<Row, _>(&session, &stmt, (), Some(7), Some(cursor.as_str()))
        .await;
    let err = down.expect_err("server is down");
    assert!(
        !err.is_client_error(),
        "a server failure is not the client's fault: {err}"
    );
    assert!(matches!(err, Error::Execution(_)), "{err}");
    assert!(!err.to_string().is_empty());

    // Restart on the same address. The server is in memory: re-create the data.
    let server = TestServer::start_on(addr).expect("restart");
    let mut resumed = None;
    let mut last_error = String::new();
    for _ in 0..100 {
        // The driver reconnects in the background.
        let probe = session
            .query_unpaged("SELECT key FROM system.local", &[])
            .await;
        if let Err(e) = &probe {
            last_error = e.to_string();
        }
        if probe.is_ok() {
            create_schema(&session).await;
            insert(&session, table_rows()).await;
            match p
                .page::<Row, _>(&session, &stmt, (), Some(7), Some(cursor.as_str()))
                .await
            {
                Ok(page) => {
                    resumed = Some(page);
                    break;
                }
                Err(e) => {
                    assert!(!e.is_client_error(), "cursor refused after restart: {e}");
                    last_error = e.to_string();
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = resumed.unwrap_or_else(|| panic!("listing resumes after restart: {last_error}"));
    // Same data, same order: the cursor continues right after the first page.
    let reference = reference_order(&session, &stmt).await;
    assert_eq!(page.items, reference[7..14].to_vec());
    let mut rows = first.items.clone();
    rows.extend(page.items.clone());
    let mut c = page
        .next
        .map(pillars_storage::cassandra::Cursor::into_string);
    while let Some(text) = c {
        let pg: Page<Row> = p
            .page(&session, &stmt, (), Some(7), Some(&text))
            .await
            .expect("page");
        rows.extend(pg.items);
        c = pg.next.map(pillars_storage::cassandra::Cursor::into_string);
    }
    assert_eq!(rows, reference);
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_serializes_for_an_http_handler() {
    let (_server, session) = setup().await;
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items WHERE pk = ?")
        .await
        .expect("prepare");
    let page: Page<Row> = paginator()
        .page(&session, &stmt, (1,), Some(2), None)
        .await
        .expect("page");
    let json = serde_json::to_value(&page).expect("json");
    assert_eq!(json["items"][0], serde_json::json!([1, 0, "v1-0"]));
    assert!(json["next"].is_string());
}
