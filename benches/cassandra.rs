//! Benchmarks of `pillars_kit::storage::cassandra`.
//!
//! - `cursor`: encode + verify of one cursor (signed, signed + encrypted)
//!   beside the naive token (the paging state as plain base64url).
//! - `paging`: rows per second listing a whole table of `ROWS` rows at page
//!   sizes 100 / 1000 / 5000 through the paginator (cursor round trip per
//!   page, as an HTTP client would), through `stream::rows` (prefetch), and
//!   through the driver's own `execute_iter` + `rows_stream`, all against the
//!   same in-process `kassandra` server over TCP. Every run checks a checksum.
//!
//! Run: `cargo bench --bench cassandra -- --warm-up-time 1 --measurement-time 2`

use std::hint::black_box;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures::{StreamExt, TryStreamExt};
use pillars_kit::storage::cassandra::cursor::{CursorCodec, CursorKey, Fingerprint};
use pillars_kit::storage::cassandra::testing::TestServer;
use pillars_kit::storage::cassandra::{Page, Paginator, stream};
use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

/// Rows in the paged table: 1000 partitions of 100 clustering rows.
const PARTITIONS: i32 = 1000;
const ROWS_PER_PARTITION: i32 = 100;
const ROWS: u64 = 100_000;

type Row = (i32, i32, String);

fn cursor(c: &mut Criterion) {
    let fp = Fingerprint::new(
        "SELECT pk, ck, v FROM bench.items WHERE pk = ?",
        b"\0\0\0\x04\0\0\0\x2a",
        100,
    );
    // The size of a typical paging state (partition key + clustering key + counters).
    let state = [0x5au8; 40];
    let mut g = c.benchmark_group("cursor");
    g.throughput(Throughput::Elements(1));
    for encrypt in [false, true] {
        let codec = CursorCodec::new(CursorKey::new(1, [7u8; 32])).with_encryption(encrypt);
        let name = if encrypt {
            "pillars_signed_encrypted"
        } else {
            "pillars_signed"
        };
        g.bench_function(name, |b| {
            b.iter(|| {
                let c = codec.encode(black_box(&state), &fp).expect("encode");
                let back = codec.decode(c.as_str(), &fp).expect("verify");
                assert_eq!(back.len(), state.len());
                back
            });
        });
    }
    g.bench_function("naive_base64_token", |b| {
        b.iter(|| {
            let t = URL_SAFE_NO_PAD.encode(black_box(&state));
            let back = URL_SAFE_NO_PAD.decode(t.as_bytes()).expect("decode");
            assert_eq!(back.len(), state.len());
            back
        });
    });
    g.finish();
}

async fn load(session: &Session) {
    session
        .query_unpaged(
            "CREATE KEYSPACE bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
            &[],
        )
        .await
        .expect("keyspace");
    session
        .query_unpaged(
            "CREATE TABLE bench.items (pk int, ck int, v text, PRIMARY KEY (pk, ck))",
            &[],
        )
        .await
        .expect("table");
    let insert = session
        .prepare("INSERT INTO bench.items (pk, ck, v) VALUES (?, ?, ?)")
        .await
        .expect("prepare");
    let rows = (0..PARTITIONS).flat_map(|pk| (0..ROWS_PER_PARTITION).map(move |ck| (pk, ck)));
    futures::stream::iter(rows)
        .map(|(pk, ck)| {
            let insert = &insert;
            async move {
                session
                    .execute_unpaged(insert, (pk, ck, format!("value-{pk}-{ck}")))
                    .await
                    .expect("insert");
            }
        })
        .buffer_unordered(64)
        .collect::<()>()
        .await;
}

fn expected_checksum() -> i64 {
    i64::from(PARTITIONS) * (0..i64::from(ROWS_PER_PARTITION)).sum::<i64>()
}

fn checksum(rows: &[Row]) -> i64 {
    rows.iter().map(|r| i64::from(r.1)).sum()
}

async fn via_paginator(
    p: &Paginator,
    session: &Session,
    stmt: &PreparedStatement,
    size: u32,
) -> (u64, i64) {
    let (mut n, mut sum) = (0u64, 0i64);
    let mut cursor: Option<String> = None;
    loop {
        let page: Page<Row> = p
            .page(session, stmt, (), Some(size), cursor.as_deref())
            .await
            .expect("page");
        n += page.items.len() as u64;
        sum += checksum(&page.items);
        match page.next {
            Some(c) => cursor = Some(c.into_string()),
            None => return (n, sum),
        }
    }
}

async fn via_stream(session: &Arc<Session>, stmt: &PreparedStatement, size: u32) -> (u64, i64) {
    stream::rows::<Row, _>(Arc::clone(session), stmt.clone(), (), size)
        .try_fold((0u64, 0i64), |(n, s), r| async move {
            Ok((n + 1, s + i64::from(r.1)))
        })
        .await
        .expect("stream")
}

async fn via_driver(session: &Session, stmt: &PreparedStatement, size: u32) -> (u64, i64) {
    let mut stmt = stmt.clone();
    stmt.set_page_size(i32::try_from(size).unwrap_or(i32::MAX));
    session
        .execute_iter(stmt, ())
        .await
        .expect("iter")
        .rows_stream::<Row>()
        .expect("typed")
        .try_fold((0u64, 0i64), |(n, s), r| async move {
            Ok((n + 1, s + i64::from(r.1)))
        })
        .await
        .expect("driver stream")
}

fn paging(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = TestServer::start().expect("server");
    let (session, stmt) = rt.block_on(async {
        let session = server.session().await.expect("session");
        load(&session).await;
        let stmt = session
            .prepare("SELECT pk, ck, v FROM bench.items")
            .await
            .expect("prepare");
        (Arc::new(session), stmt)
    });
    let p = Paginator::new(CursorCodec::new(CursorKey::new(1, [7u8; 32])).with_encryption(true))
        .with_max_page_size(10_000);
    let expected = (ROWS, expected_checksum());

    let mut g = c.benchmark_group("paging_100k");
    g.throughput(Throughput::Elements(ROWS));
    g.sample_size(10);
    for size in [100u32, 1000, 5000] {
        g.bench_with_input(
            BenchmarkId::new("pillars_paginator", size),
            &size,
            |b, &size| {
                b.to_async(&rt).iter(|| async {
                    let got = via_paginator(&p, &session, &stmt, size).await;
                    assert_eq!(got, expected);
                    got
                });
            },
        );
        g.bench_with_input(
            BenchmarkId::new("pillars_stream", size),
            &size,
            |b, &size| {
                b.to_async(&rt).iter(|| async {
                    let got = via_stream(&session, &stmt, size).await;
                    assert_eq!(got, expected);
                    got
                });
            },
        );
        g.bench_with_input(
            BenchmarkId::new("driver_execute_iter", size),
            &size,
            |b, &size| {
                b.to_async(&rt).iter(|| async {
                    let got = via_driver(&session, &stmt, size).await;
                    assert_eq!(got, expected);
                    got
                });
            },
        );
    }
    g.finish();
    drop(session);
    server.stop();
}

criterion_group!(benches, cursor, paging);
criterion_main!(benches);
