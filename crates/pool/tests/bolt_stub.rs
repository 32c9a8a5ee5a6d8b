//! The pool with real Bolt connections, against the scripted stub server:
//! what goes over the wire when connections are reused, reset or broken.

mod common;

use std::time::Duration;

use boltline_bolt::{Address, ConnectionConfig, Query, TxOptions, Value};
use boltline_pool::{BoltManager, Pool, PoolError};
use boltline_stub::{sig, Script, StubServer};
use common::{config, manager, return_one, LIMIT};

async fn query_one(pool: &Pool<BoltManager>) -> i64 {
    let mut conn = pool.acquire().await.expect("acquire");
    let mut s = conn
        .run(&Query::new("RETURN 1 AS x"), &TxOptions::new())
        .await
        .expect("run");
    let r = conn
        .next_record(&mut s)
        .await
        .expect("record")
        .expect("one");
    let v = r.values().expect("values")[0].as_i64().expect("int");
    assert!(conn.next_record(&mut s).await.expect("end").is_none());
    v
}

#[tokio::test]
async fn a_clean_connection_is_reused_with_no_reset() {
    let script = Script::authenticated(5, 4)
        .repeat_until_closed(return_one())
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let pool = Pool::new(manager(&server), config(2)).await.unwrap();
    for _ in 0..3 {
        assert_eq!(
            tokio::time::timeout(LIMIT, query_one(&pool)).await.unwrap(),
            1
        );
    }
    assert_eq!(server.accepted(), 1);
    pool.close().await;
    let reports = server.finish_and_assert().await;
    let names = reports[0].names();
    assert!(
        !names.iter().any(|n| n == "RESET"),
        "no RESET for a clean connection: {names:?}"
    );
    assert_eq!(names.iter().filter(|n| *n == "RUN").count(), 3);
}

#[tokio::test]
async fn a_connection_left_mid_result_is_reset_before_reuse() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .record(vec![Value::from(2)])
        .success([("type", Value::from("r"))])
        .expect(sig::RESET)
        .success(Vec::<(&str, Value)>::new())
        .repeat_until_closed(return_one())
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let pool = Pool::new(manager(&server), config(1)).await.unwrap();
    {
        let mut conn = pool.acquire().await.unwrap();
        let mut s = conn
            .run(
                &Query::new("UNWIND [1, 2] AS x RETURN x"),
                &TxOptions::new(),
            )
            .await
            .unwrap();
        // Read one record of two and give the connection back.
        conn.next_record(&mut s).await.unwrap().unwrap();
    }
    assert_eq!(
        tokio::time::timeout(LIMIT, query_one(&pool)).await.unwrap(),
        1
    );
    pool.close().await;
    let reports = server.finish_and_assert().await;
    assert_eq!(reports[0].messages(sig::RESET).len(), 1);
}

#[tokio::test]
async fn a_holder_cancelled_mid_request_never_desynchronises_the_next_user() {
    // The answer to the first query is slow; its caller gives up.
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .delay(Duration::from_millis(300))
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(99)])
        .success([("type", Value::from("r"))])
        .expect(sig::RESET)
        .success(Vec::<(&str, Value)>::new())
        .repeat_until_closed(return_one())
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let pool = Pool::new(manager(&server), config(1)).await.unwrap();
    let abandoned = tokio::time::timeout(Duration::from_millis(50), async {
        let mut conn = pool.acquire().await.unwrap();
        conn.run(&Query::new("RETURN 99 AS x"), &TxOptions::new())
            .await
    })
    .await;
    assert!(abandoned.is_err(), "the first caller was cancelled");
    // The next user gets 1 (its own answer), not the 99 still owed.
    assert_eq!(
        tokio::time::timeout(LIMIT, query_one(&pool)).await.unwrap(),
        1
    );
    assert_eq!(server.accepted(), 1, "the same connection, resynchronised");
    pool.close().await;
    server.finish_and_assert().await;
}

#[tokio::test]
async fn a_connection_the_server_dropped_is_replaced() {
    let first = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .close();
    let second = Script::authenticated(5, 4)
        .repeat_until_closed(return_one())
        .expect_close();
    let server = StubServer::start([first, second]).await.unwrap();
    let pool = Pool::new(manager(&server), config(1)).await.unwrap();
    {
        let mut conn = pool.acquire().await.unwrap();
        let r = conn.run(&Query::new("RETURN 1"), &TxOptions::new()).await;
        assert!(r.is_err(), "server closed mid-request");
        assert!(conn.is_defunct());
    }
    let s = pool.stats();
    assert_eq!(
        (s.size, s.broken),
        (0, 1),
        "broken connection closed at release"
    );
    assert_eq!(
        tokio::time::timeout(LIMIT, query_one(&pool)).await.unwrap(),
        1
    );
    assert_eq!(server.accepted(), 2);
    pool.close().await;
    server.finish_and_assert().await;
}

#[tokio::test]
async fn a_failed_liveness_check_replaces_the_connection() {
    // The first connection dies while idle: the RESET of the liveness check
    // finds it closed.
    let first =
        Script::authenticated(5, 4).repeat_until_closed(return_one().expect(sig::RESET).close());
    let second = Script::authenticated(5, 4)
        .repeat_until_closed(return_one())
        .expect_close();
    let server = StubServer::start([first, second]).await.unwrap();
    let config = config(1).liveness_check_after(Some(Duration::from_millis(30)));
    let pool = Pool::new(manager(&server), config).await.unwrap();
    assert_eq!(query_one(&pool).await, 1);
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(
        tokio::time::timeout(LIMIT, query_one(&pool)).await.unwrap(),
        1
    );
    assert_eq!(server.accepted(), 2);
    pool.close().await;
    server.finish().await;
}

#[tokio::test]
async fn closing_the_pool_says_goodbye() {
    let script = Script::authenticated(5, 4)
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let pool = Pool::new(manager(&server), config(1).init_size(1))
        .await
        .unwrap();
    pool.close().await;
    assert!(matches!(pool.acquire().await, Err(PoolError::Closed)));
    server.finish_and_assert().await;
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    // Bind and drop a listener to find a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let manager = BoltManager::new(Address::new("127.0.0.1", port), ConnectionConfig::new());
    let pool = Pool::new(manager, config(1)).await.unwrap();
    let err = pool.acquire().await.unwrap_err();
    assert!(matches!(err, PoolError::Connect(_)), "{err:?}");
    assert_eq!(pool.size(), 0);
}

#[tokio::test]
async fn a_server_that_goes_away_and_comes_back() {
    let first = Script::authenticated(5, 4).repeat_until_closed(return_one());
    let server = StubServer::start_one(first).await.unwrap();
    let address = server.address();
    let pool = Pool::new(manager(&server), config(2)).await.unwrap();
    assert_eq!(query_one(&pool).await, 1);

    // The server goes away: the idle connection is dead, and new ones are
    // refused while it is down.
    drop(server);
    let err = tokio::time::timeout(LIMIT, async {
        let mut conn = pool.acquire().await?;
        conn.run(&Query::new("RETURN 1"), &TxOptions::new())
            .await
            .map_err(PoolError::Connect)
    })
    .await
    .expect("no hang")
    .expect_err("the server is gone");
    assert!(matches!(err, PoolError::Connect(_)), "{err:?}");
    let err = pool.acquire().await.expect_err("refused while down");
    assert!(matches!(err, PoolError::Connect(_)), "{err:?}");
    assert_eq!(
        (pool.size(), pool.in_use()),
        (0, 0),
        "nothing leaked: {:?}",
        pool.stats()
    );

    // It comes back on the same address: the pool recovers by itself.
    let again = Script::authenticated(5, 4)
        .repeat_until_closed(return_one())
        .expect_close();
    let server = StubServer::start_on(address, [again]).await.unwrap();
    assert_eq!(
        tokio::time::timeout(LIMIT, query_one(&pool)).await.unwrap(),
        1
    );
    pool.close().await;
    server.finish_and_assert().await;
}

#[tokio::test]
async fn an_abandoned_transaction_is_reset_at_once_not_when_next_lent() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(Vec::<(&str, Value)>::new())
        .expect(sig::RESET)
        .success(Vec::<(&str, Value)>::new())
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let pool = Pool::new(manager(&server), config(1)).await.unwrap();
    {
        let mut conn = pool.acquire().await.unwrap();
        conn.begin(&TxOptions::new()).await.unwrap();
        // Dropped with the transaction open (its locks held on the server).
    }
    // Nobody acquires again; the RESET goes out anyway.
    tokio::time::timeout(LIMIT, async {
        while !server.reports()[0].names().iter().any(|n| n == "RESET") {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("RESET sent on release");
    tokio::time::sleep(Duration::from_millis(20)).await;
    pool.close().await;
    server.finish_and_assert().await;
}

/// A connection the server closed while it sat idle is found dead by the
/// socket check when lent (no liveness round trip is configured) and
/// replaced: the caller never sees it.
#[tokio::test]
async fn an_idle_connection_the_server_closed_is_not_lent() {
    let first = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .close();
    let second = Script::authenticated(5, 4)
        .repeat_until_closed(return_one())
        .expect_close();
    let server = StubServer::start([first, second]).await.unwrap();
    let pool = Pool::new(manager(&server), config(1)).await.unwrap();
    assert_eq!(query_one(&pool).await, 1);
    // Let the server's close reach the client's socket.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        tokio::time::timeout(LIMIT, query_one(&pool)).await.unwrap(),
        1
    );
    assert_eq!(server.accepted(), 2, "a fresh connection");
    assert_eq!(pool.stats().broken, 1, "the closed one counted broken");
    pool.close().await;
    server.finish().await;
}

/// `deactivate` closes every idle connection at once, so the next
/// acquisition connects afresh; connections in use stay lent.
#[tokio::test]
async fn deactivate_closes_the_idle_connections() {
    let serve = || {
        Script::authenticated(5, 4)
            .repeat_until_closed(return_one())
            .expect_close()
    };
    let server = StubServer::start([serve(), serve(), serve(), serve()])
        .await
        .unwrap();
    let pool = Pool::new(manager(&server), config(3).init_size(3))
        .await
        .unwrap();
    assert_eq!(pool.idle(), 3);
    let held = pool.acquire().await.unwrap();
    assert_eq!(pool.deactivate(), 2);
    assert_eq!((pool.size(), pool.in_use()), (1, 1));
    drop(held);
    assert_eq!(pool.idle(), 1, "the lent connection came back");
    assert_eq!(pool.deactivate(), 1);
    assert_eq!(
        tokio::time::timeout(LIMIT, query_one(&pool)).await.unwrap(),
        1
    );
    assert_eq!(
        server.accepted(),
        4,
        "a fresh connection after deactivation"
    );
    pool.close().await;
    server.finish().await;
}

/// A Bolt connection its user closed is `Health::Closed`, not broken: it
/// leaves the pool without counting as broken or calling `on_broken`.
#[tokio::test]
async fn a_connection_closed_by_its_user_is_not_counted_broken() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let script = Script::authenticated(5, 4).expect(sig::GOODBYE);
    let server = StubServer::start_one(script).await.unwrap();
    let broken = Arc::new(AtomicUsize::new(0));
    let seen = broken.clone();
    let hooks = boltline_pool::Hooks::new().on_broken(move |_: &boltline_pool::BoltConnection| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let pool = Pool::with_hooks(manager(&server), config(1), hooks)
        .await
        .unwrap();
    let mut conn = tokio::time::timeout(LIMIT, pool.acquire())
        .await
        .unwrap()
        .unwrap();
    tokio::time::timeout(LIMIT, conn.close()).await.unwrap();
    assert!(conn.is_closed() && conn.is_defunct());
    assert_eq!(
        boltline_pool::ManageConnection::health(pool.manager(), &conn),
        boltline_pool::Health::Closed
    );
    drop(conn);
    let stats = pool.stats();
    assert_eq!((stats.size, stats.broken, stats.closed), (0, 0, 1));
    assert_eq!(broken.load(Ordering::SeqCst), 0);
    server.finish_and_assert().await;
}
