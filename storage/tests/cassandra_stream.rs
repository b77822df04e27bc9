//! The typed row stream against the in-process `kassandra` server.
#![cfg(feature = "cassandra-testing")]

mod support;

use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use pillars_storage::cassandra::stream;
use support::{Row, reference_order, setup, table_rows};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_yields_every_row_once_in_order() {
    let (_server, session) = setup().await;
    let session = Arc::new(session);
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items")
        .await
        .expect("prepare");
    let reference = reference_order(&session, &stmt).await;
    assert_eq!(reference.len(), table_rows().len());
    for page_size in [1, 3, 17, 100, 179, 180, 181, 5000] {
        let rows: Vec<Row> = stream::rows(Arc::clone(&session), stmt.clone(), (), page_size)
            .try_collect()
            .await
            .expect("rows");
        assert_eq!(rows, reference, "page size {page_size}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_with_bound_values() {
    let (_server, session) = setup().await;
    let session = Arc::new(session);
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items WHERE pk = ?")
        .await
        .expect("prepare");
    let rows: Vec<Row> = stream::rows(Arc::clone(&session), stmt, (7,), 4)
        .try_collect()
        .await
        .expect("rows");
    assert_eq!(rows.len(), 15);
    assert!(rows.iter().all(|r| r.0 == 7));
    assert!(rows.windows(2).all(|w| w[0].1 < w[1].1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_early_and_type_errors() {
    let (_server, session) = setup().await;
    let session = Arc::new(session);
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items")
        .await
        .expect("prepare");
    // Take a few rows and drop the stream: the prefetch task stops.
    let first: Vec<Row> = stream::rows(Arc::clone(&session), stmt.clone(), (), 2)
        .take(3)
        .try_collect()
        .await
        .expect("rows");
    assert_eq!(first.len(), 3);
    // Wrong row type: one error, then the stream ends.
    let mut wrong = stream::rows::<(String,), _>(Arc::clone(&session), stmt, (), 10);
    let item = wrong.next().await.expect("an item");
    assert!(
        matches!(item, Err(pillars_storage::cassandra::Error::Rows(_))),
        "{item:?}"
    );
    assert!(wrong.next().await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_down_ends_the_stream_with_an_error() {
    let (server, session) = setup().await;
    let mut server = Some(server);
    let session = Arc::new(session);
    let stmt = session
        .prepare("SELECT pk, ck, v FROM pg.items")
        .await
        .expect("prepare");
    let mut rows = stream::rows::<Row, _>(Arc::clone(&session), stmt, (), 5);
    let mut ok = 0;
    while let Some(r) = rows.next().await {
        match r {
            Ok(_) => {
                ok += 1;
                if ok == 5
                    && let Some(s) = server.take()
                {
                    s.stop();
                }
            }
            Err(e) => {
                assert!(!e.is_client_error());
                assert!(rows.next().await.is_none());
                return;
            }
        }
    }
    panic!("stream ended without an error after the server stopped ({ok} rows)");
}
