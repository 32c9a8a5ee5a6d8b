//! `boltline-pool` with Bolt connections against a real Neo4j (started by
//! `cargo xtask itest`).

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use boltline_bolt::{Address, AuthToken, ConnectionConfig, Query, TxOptions, Value};
use boltline_itests::server;
use boltline_pool::{BoltManager, Pool, PoolConfig, PoolError};

const LIMIT: Duration = Duration::from_secs(120);

fn manager() -> BoltManager {
    let s = server();
    BoltManager::new(
        Address::new(s.host(), s.port()),
        ConnectionConfig::new().with_auth(AuthToken::basic(s.user(), s.password())),
    )
}

/// A pool of connections to the server under test.
async fn pool(config: PoolConfig) -> Pool<BoltManager> {
    Pool::new(manager(), config).await.expect("pool")
}

async fn echo(pool: &Pool<BoltManager>, i: i64) -> i64 {
    let mut conn = pool.acquire().await.expect("acquire");
    let mut s = conn
        .run(
            &Query::new("RETURN $i AS i").param("i", i),
            &TxOptions::new(),
        )
        .await
        .expect("run");
    let r = conn
        .next_record(&mut s)
        .await
        .expect("record")
        .expect("row");
    let v = r.values().expect("values")[0].as_i64().expect("int");
    assert!(conn.next_record(&mut s).await.expect("end").is_none());
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_tasks_over_ten_connections() {
    let pool = pool(PoolConfig::default().max_size(10)).await;
    let peak = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..500i64)
        .map(|i| {
            let (pool, peak) = (pool.clone(), peak.clone());
            tokio::spawn(async move {
                let got = echo(&pool, i).await;
                peak.fetch_max(pool.stats().size, SeqCst);
                assert_eq!(got, i);
            })
        })
        .collect();
    tokio::time::timeout(LIMIT, async {
        for t in tasks {
            t.await.expect("task");
        }
    })
    .await
    .expect("all 500 finished");
    let s = pool.stats();
    assert!(peak.load(SeqCst) <= 10 && s.created <= 10, "{s:?}");
    assert_eq!((s.in_use, s.acquired), (0, 500));
    pool.close().await;
}

#[tokio::test]
async fn a_half_read_result_is_reset_and_the_connection_reused() {
    let pool = pool(PoolConfig::default().max_size(1)).await;
    {
        let mut conn = pool.acquire().await.unwrap();
        let mut s = conn
            .run(
                &Query::new("UNWIND range(1, 5000) AS x RETURN x").with_fetch_size(100),
                &TxOptions::new(),
            )
            .await
            .unwrap();
        conn.next_record(&mut s).await.unwrap().unwrap();
    }
    assert_eq!(echo(&pool, 42).await, 42);
    assert_eq!(pool.stats().created, 1, "the same connection, after RESET");
    pool.close().await;
}

#[tokio::test]
async fn an_open_transaction_left_behind_is_rolled_back_by_the_reset() {
    let pool = pool(PoolConfig::default().max_size(1)).await;
    let marker = format!("pool-tx-{}", std::process::id());
    {
        let mut conn = pool.acquire().await.unwrap();
        conn.begin(&TxOptions::new()).await.unwrap();
        let mut s = conn
            .run_in_tx(&Query::new("CREATE (:PoolTx {m: $m})").param("m", marker.clone()))
            .await
            .unwrap();
        conn.consume(&mut s).await.unwrap();
        // Dropped with the transaction open.
    }
    let mut conn = pool.acquire().await.unwrap();
    let mut s = conn
        .run(
            &Query::new("MATCH (n:PoolTx {m: $m}) RETURN count(n) AS c").param("m", marker),
            &TxOptions::new(),
        )
        .await
        .unwrap();
    let r = conn.next_record(&mut s).await.unwrap().unwrap();
    assert_eq!(
        r.values().unwrap()[0],
        Value::from(0),
        "uncommitted write rolled back"
    );
    conn.consume(&mut s).await.unwrap();
    drop(conn);
    pool.close().await;
}

#[tokio::test]
async fn max_age_retires_and_timeouts_report_the_full_pool() {
    let config = PoolConfig::default()
        .max_size(1)
        .max_age(Some(Duration::from_millis(200)))
        .acquisition_timeout(Duration::from_millis(300));
    let pool = pool(config).await;
    assert_eq!(echo(&pool, 1).await, 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(echo(&pool, 2).await, 2);
    let s = pool.stats();
    assert_eq!((s.created, s.closed), (2, 1), "{s:?}");

    let held = pool.acquire().await.unwrap();
    let err = pool.acquire().await.unwrap_err();
    assert!(
        matches!(
            err,
            PoolError::Unavailable {
                in_use: 1,
                max_size: 1,
                ..
            }
        ),
        "{err:?}"
    );
    drop(held);
    pool.close().await;
}

#[tokio::test]
async fn close_while_busy_then_the_returning_connection_is_closed() {
    let pool = pool(PoolConfig::default().max_size(3).init_size(2)).await;
    let held = pool.acquire().await.unwrap();
    pool.close().await;
    assert!(matches!(pool.acquire().await, Err(PoolError::Closed)));
    assert_eq!(pool.size(), 1);
    drop(held);
    assert_eq!(pool.size(), 0);
}
