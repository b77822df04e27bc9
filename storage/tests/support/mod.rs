//! Shared set-up of the real-server tests: a table `pg.items` with
//! `PARTITIONS` partitions of `ROWS_PER_PARTITION` clustering rows each
//! (clustering keys 0, 2, 4, ...), on a fresh in-process server.
#![allow(dead_code, unreachable_pub)]

use futures::TryStreamExt;
use pillars_storage::cassandra::testing::TestServer;
use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

pub const PARTITIONS: i32 = 12;
pub const ROWS_PER_PARTITION: i32 = 15;

pub type Row = (i32, i32, String);

pub async fn create_schema(session: &Session) {
    session
        .query_unpaged(
            "CREATE KEYSPACE IF NOT EXISTS pg WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
            &[],
        )
        .await
        .expect("keyspace");
    session
        .query_unpaged(
            "CREATE TABLE IF NOT EXISTS pg.items (pk int, ck int, v text, PRIMARY KEY (pk, ck))",
            &[],
        )
        .await
        .expect("table");
}

pub async fn insert(session: &Session, rows: impl IntoIterator<Item = (i32, i32)>) {
    let stmt = session
        .prepare("INSERT INTO pg.items (pk, ck, v) VALUES (?, ?, ?)")
        .await
        .expect("prepare insert");
    for (pk, ck) in rows {
        session
            .execute_unpaged(&stmt, (pk, ck, format!("v{pk}-{ck}")))
            .await
            .expect("insert");
    }
}

pub fn table_rows() -> Vec<(i32, i32)> {
    (0..PARTITIONS)
        .flat_map(|pk| (0..ROWS_PER_PARTITION).map(move |ck| (pk, ck * 2)))
        .collect()
}

pub async fn setup() -> (TestServer, Session) {
    let server = TestServer::start().expect("server");
    let session = server.session().await.expect("session");
    create_schema(&session).await;
    insert(&session, table_rows()).await;
    (server, session)
}

/// The order the server itself returns, through the driver's own iterator.
pub async fn reference_order(session: &Session, stmt: &PreparedStatement) -> Vec<Row> {
    let mut stmt = stmt.clone();
    stmt.set_page_size(100);
    session
        .execute_iter(stmt, ())
        .await
        .expect("iter")
        .rows_stream::<Row>()
        .expect("typed")
        .try_collect()
        .await
        .expect("rows")
}
