//! The session's connection slot, a result's states and the managed
//! transaction retry budget, against the scripted Bolt stub server: each
//! legal and illegal transition, with the typed error an illegal one gives.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use boltline::{AuthToken, Config, Driver, Error, ManagedTransaction, SessionConfig};
use boltline_stub::{map, sig, steps, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

fn driver(server: &StubServer, config: Config) -> Driver {
    Driver::with_config(
        &format!("bolt://{}", server.host_port()),
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .expect("driver")
}

fn one_connection() -> Config {
    Config::builder()
        .with_max_connection_pool_size(1)
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// An auto-commit `RUN` answered with `rows` of column `x`.
fn auto_commit(s: Script, rows: &[i64], bookmark: &str) -> Script {
    s.expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .records(rows.iter().map(|&x| vec![Value::from(x)]))
        .success([("bookmark", Value::from(bookmark))])
}

/// `BEGIN` then a `RUN` answered with `rows`, left open.
fn begin_and_run(s: Script, rows: &[i64]) -> Script {
    s.expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .records(rows.iter().map(|&x| vec![Value::from(x)]))
        .success([("type", Value::from("r"))])
}

fn xs(records: &[boltline::Record]) -> Vec<i64> {
    records.iter().map(|r| r.get_as("x").unwrap()).collect()
}

/// InTransaction → (transaction dropped) → Idle: the session is usable
/// again at once, and the transaction was never committed (the pool's
/// reset rolled it back).
#[tokio::test]
async fn a_dropped_transaction_leaves_the_session_usable_and_rolls_back() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .records([vec![Value::from(1)], vec![Value::from(2)]])
        .success([("type", Value::from("w"))])
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .repeat_until_closed(auto_commit(steps(), &[7], "bm-auto"));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, one_connection());
    let mut s = d.session(SessionConfig::new());
    let mut tx = tokio::time::timeout(LIMIT, s.begin_transaction())
        .await
        .unwrap()
        .unwrap();
    let r = tx.run("CREATE (n) RETURN 1 AS x").await.unwrap();
    drop(r);
    drop(tx);
    let mut r = tokio::time::timeout(LIMIT, s.run("RETURN 7 AS x"))
        .await
        .unwrap()
        .expect("the session is usable after a dropped transaction");
    assert_eq!(xs(&r.collect_records().await.unwrap()), [7]);
    drop(r);
    s.close().await.unwrap();
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    let names = reports[0].names();
    assert!(names.iter().any(|n| n == "RESET"), "{names:?}");
    assert!(!names.iter().any(|n| n == "COMMIT"), "{names:?}");
}

/// Result Streaming → (its transaction ends) → Consumed: reading it then
/// is `ResultOutOfScope` (its transaction is gone); its summary is still
/// there.
#[tokio::test]
async fn a_result_read_after_its_transaction_ended_is_out_of_scope() {
    let script = begin_and_run(Script::authenticated(5, 4), &[1, 2])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from("bm-1"))]);
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, one_connection());
    let mut s = d.session(SessionConfig::new());
    let mut tx = s.begin_transaction().await.unwrap();
    let mut r = tx.run("RETURN 1 AS x").await.unwrap();
    tokio::time::timeout(LIMIT, tx.commit())
        .await
        .unwrap()
        .unwrap();
    assert!(r.is_closed());
    assert!(matches!(r.next().await, Err(Error::ResultOutOfScope)));
    assert!(matches!(r.peek().await, Err(Error::ResultOutOfScope)));
    let summary = r.consume().await.expect("the summary outlives the records");
    assert_eq!(summary.query(), "RETURN 1 AS x");
    assert!(matches!(r.next().await, Err(Error::ResultOutOfScope)));
    // The transaction's end moved the session's bookmark.
    assert_eq!(
        s.last_bookmarks().await.raw_values().collect::<Vec<_>>(),
        ["bm-1"]
    );
    s.close().await.unwrap();
    d.close().await;
    server.finish_within(LIMIT).await;
}

/// A result consumed inside its open transaction reads as
/// `ResultConsumed`; once the transaction has ended, as `ResultOutOfScope`.
#[tokio::test]
async fn a_consumed_result_is_out_of_scope_once_its_transaction_ended() {
    let script = begin_and_run(Script::authenticated(5, 4), &[1, 2])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from("bm-1"))]);
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, one_connection());
    let mut s = d.session(SessionConfig::new());
    let mut tx = s.begin_transaction().await.unwrap();
    let mut r = tx.run("RETURN 1 AS x").await.unwrap();
    assert_eq!(xs(&r.collect_records().await.unwrap()), [1, 2]);
    r.consume().await.unwrap();
    assert!(matches!(r.next().await, Err(Error::ResultConsumed)));
    tokio::time::timeout(LIMIT, tx.commit())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(r.next().await, Err(Error::ResultOutOfScope)));
    s.close().await.unwrap();
    d.close().await;
    server.finish_within(LIMIT).await;
}

/// Result Streaming → (the session runs something else) → Buffered: it
/// stays readable to its end, then Done; after `consume` it is Consumed.
/// A result of a closed session is Consumed.
#[tokio::test]
async fn a_result_read_after_the_session_moved_on() {
    let script = auto_commit(
        auto_commit(
            auto_commit(Script::authenticated(5, 4), &[1, 2, 3], "bm-a"),
            &[4],
            "bm-b",
        ),
        &[5],
        "bm-c",
    );
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, one_connection());
    let mut s = d.session(SessionConfig::new());
    let mut first = s.run("RETURN 1 AS x").await.unwrap();
    assert_eq!(
        first
            .next()
            .await
            .unwrap()
            .unwrap()
            .get_as::<i64>("x")
            .unwrap(),
        1
    );
    let mut second = tokio::time::timeout(LIMIT, s.run("RETURN 4 AS x"))
        .await
        .unwrap()
        .unwrap();
    // Buffered: the rest of the first result survived the second query.
    assert_eq!(xs(&first.collect_records().await.unwrap()), [2, 3]);
    assert!(
        first.next().await.unwrap().is_none(),
        "Done reads as the end"
    );
    let summary = first.consume().await.unwrap();
    assert_eq!(summary.query(), "RETURN 1 AS x");
    assert!(matches!(first.next().await, Err(Error::ResultConsumed)));
    assert_eq!(xs(&second.collect_records().await.unwrap()), [4]);
    // The session ends while a result is unread: it is discarded.
    let mut third = s.run("RETURN 5 AS x").await.unwrap();
    s.close().await.unwrap();
    assert!(matches!(third.next().await, Err(Error::ResultConsumed)));
    d.close().await;
    server.finish_within(LIMIT).await;
}

/// Result Streaming → (the connection fails mid-stream) → Failed: the
/// error is `ConnectionLost`, and reading or consuming again gives the same
/// kind; the session can run again on a new connection.
#[tokio::test]
async fn a_connection_failing_mid_stream_fails_the_result_for_good() {
    let broken = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .close();
    let healthy =
        Script::authenticated(5, 4).repeat_until_closed(auto_commit(steps(), &[9], "bm-9"));
    let server = StubServer::start([broken, healthy]).await.unwrap();
    let d = driver(&server, one_connection());
    let mut s = d.session(SessionConfig::new());
    let mut r = s.run("RETURN 1 AS x").await.unwrap();
    let mut seen = Vec::new();
    let err = loop {
        match tokio::time::timeout(LIMIT, r.next()).await.unwrap() {
            Ok(Some(rec)) => seen.push(rec.get_as::<i64>("x").unwrap()),
            Ok(None) => panic!("the stream cannot end well"),
            Err(e) => break e,
        }
    };
    assert!(seen.len() <= 1, "{seen:?}");
    assert!(matches!(err, Error::ConnectionLost(_)), "{err:?}");
    assert!(err.is_session_expired() && err.is_retryable());
    let again = r.next().await.unwrap_err();
    assert!(matches!(again, Error::ConnectionLost(_)), "{again:?}");
    // The original error, not a re-wrapped copy of its text.
    assert_eq!(again.to_string(), err.to_string());
    let consumed = r.consume().await.unwrap_err();
    assert!(matches!(consumed, Error::ConnectionLost(_)), "{consumed:?}");
    let mut next = tokio::time::timeout(LIMIT, s.run("RETURN 9 AS x"))
        .await
        .unwrap()
        .expect("a new connection after the failure");
    assert_eq!(xs(&next.collect_records().await.unwrap()), [9]);
    drop(next);
    s.close().await.unwrap();
    d.close().await;
    server.finish_within(LIMIT).await;
}

/// InTransaction: `begin` and `run` on the session are `TransactionOpen`
/// (the transaction stays usable); after the transaction ends the session
/// is Idle again.
#[tokio::test]
async fn begin_or_run_while_a_transaction_is_open_is_refused() {
    let script = auto_commit(
        begin_and_run(Script::authenticated(5, 4), &[1])
            .expect(sig::ROLLBACK)
            .success(map::<&str>([])),
        &[2],
        "bm-2",
    );
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, one_connection());
    let mut s = d.session(SessionConfig::new());
    let mut tx = s.begin_transaction().await.unwrap();
    assert!(matches!(
        s.begin_transaction().await,
        Err(Error::TransactionOpen)
    ));
    assert!(matches!(
        s.run("RETURN 2").await,
        Err(Error::TransactionOpen)
    ));
    let mut r = tx.run("RETURN 1 AS x").await.unwrap();
    assert_eq!(xs(&r.collect_records().await.unwrap()), [1]);
    tx.rollback().await.unwrap();
    let mut r = s.run("RETURN 2 AS x").await.unwrap();
    assert_eq!(xs(&r.collect_records().await.unwrap()), [2]);
    drop(r);
    s.close().await.unwrap();
    d.close().await;
    server.finish_within(LIMIT).await;
}

/// Closed: every operation is `SessionClosed`; a transaction the closing
/// rolled back is `TransactionClosed`.
#[tokio::test]
async fn a_closed_session_refuses_work() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::ROLLBACK)
        .success(map::<&str>([]));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, one_connection());
    let mut s = d.session(SessionConfig::new());
    let mut tx = s.begin_transaction().await.unwrap();
    tokio::time::timeout(LIMIT, s.close())
        .await
        .unwrap()
        .unwrap();
    assert!(s.is_closed());
    assert!(matches!(s.run("RETURN 1").await, Err(Error::SessionClosed)));
    assert!(matches!(
        s.begin_transaction().await,
        Err(Error::SessionClosed)
    ));
    assert!(matches!(
        s.execute_read(async |tx: &mut ManagedTransaction| tx.run("RETURN 1").await.map(drop))
            .await,
        Err(Error::SessionClosed)
    ));
    assert!(matches!(
        tx.run("RETURN 1").await,
        Err(Error::TransactionClosed(_))
    ));
    assert!(matches!(
        tx.commit().await,
        Err(Error::TransactionClosed(_))
    ));
    d.close().await;
    server.finish_within(LIMIT).await;
}

/// A server whose every transaction fails with a transient deadlock, and a
/// one-connection driver retrying within `budget`.
async fn always_deadlocking(budget: Duration) -> (StubServer, Driver) {
    let failing = steps()
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure(
            "Neo.TransientError.Transaction.DeadlockDetected",
            "deadlock, try again",
        )
        .ignored()
        .expect(sig::RESET)
        .success(map::<&str>([]));
    let script = Script::authenticated(5, 4).repeat_until_closed(failing);
    let server = StubServer::start_one(script).await.unwrap();
    let config = Config::builder()
        .with_max_connection_pool_size(1)
        .with_max_transaction_retry_time(budget)
        .build()
        .unwrap();
    let d = driver(&server, config);
    (server, d)
}

/// A transaction that failed every time, within a 1.5 s budget: the first
/// retry (0.8 to 1.2 s) fits, the second (1.6 to 2.4 s more) would end
/// after the budget, so it is not made: two attempts, the last error
/// returned at once with the count.
#[tokio::test]
async fn retries_never_sleep_past_the_budget() {
    let budget = Duration::from_millis(1500);
    let (server, d) = always_deadlocking(budget).await;
    let mut s = d.session(SessionConfig::new());
    let attempts = AtomicUsize::new(0);
    let start = Instant::now();
    let err = tokio::time::timeout(
        LIMIT,
        s.execute_write(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            let mut r = tx.run("RETURN 1 AS x").await?;
            r.collect_records().await
        }),
    )
    .await
    .unwrap()
    .unwrap_err();
    let elapsed = start.elapsed();
    assert!(elapsed < budget, "{elapsed:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    match &err {
        Error::RetriesExhausted { attempts, last } => {
            assert_eq!(*attempts, 2);
            assert!(matches!(**last, Error::Server { .. }), "{last:?}");
        }
        other => panic!("expected RetriesExhausted, got {other:?}"),
    }
    assert_eq!(err.attempts(), Some(2));
    assert_eq!(
        err.code(),
        Some("Neo.TransientError.Transaction.DeadlockDetected")
    );
    let source = std::error::Error::source(&err).expect("the last error is the source");
    assert!(source.to_string().contains("deadlock"), "{source}");
    drop(s);
    d.close().await;
    server.finish_within(LIMIT).await;
}

/// `execute_query` runs through the same loop: same budget, same error.
#[tokio::test]
async fn execute_query_respects_the_budget_too() {
    let budget = Duration::from_millis(1500);
    let (server, d) = always_deadlocking(budget).await;
    let start = Instant::now();
    let err = tokio::time::timeout(LIMIT, d.execute_query("RETURN 1 AS x").run())
        .await
        .unwrap()
        .unwrap_err();
    assert!(start.elapsed() < budget, "{:?}", start.elapsed());
    assert_eq!(err.attempts(), Some(2), "{err:?}");
    assert!(err.last_attempt().server_error().is_some());
    d.close().await;
    server.finish_within(LIMIT).await;
}

/// InTransaction → (a query fails) → failed: the other open result ends
/// with the same failure after the records it already received, with no
/// further PULL; running again and committing are refused at once
/// (`TransactionClosed`, nothing sent); the pool's reset ends it.
#[tokio::test]
async fn a_failed_transaction_ends_its_other_results_and_refuses_more_work() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .records([vec![Value::from(1)], vec![Value::from(2)]])
        .success([("has_more", Value::from(true))])
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .failure("Neo.ClientError.MadeUp.Code", "made up")
        .repeat_until_closed(steps().expect(sig::RESET).success(map::<&str>([])));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, one_connection());
    let mut s = d.session(SessionConfig::new());
    let mut tx = tokio::time::timeout(LIMIT, s.begin_transaction())
        .await
        .unwrap()
        .unwrap();
    let mut first = tx.run("RETURN 1 AS x").await.unwrap();
    let failing = tx.run("failing on pull").await;
    let err = match failing {
        Ok(mut r) => r.next().await.expect_err("the PULL fails"),
        Err(e) => e,
    };
    assert_eq!(err.code(), Some("Neo.ClientError.MadeUp.Code"));
    // The records received before the failure, then the failure itself.
    assert_eq!(
        first
            .next()
            .await
            .unwrap()
            .unwrap()
            .get_as::<i64>("x")
            .unwrap(),
        1
    );
    assert_eq!(
        first
            .next()
            .await
            .unwrap()
            .unwrap()
            .get_as::<i64>("x")
            .unwrap(),
        2
    );
    let again = first.next().await.expect_err("the transaction failed");
    assert_eq!(again.code(), Some("Neo.ClientError.MadeUp.Code"));
    assert_eq!(
        first.consume().await.expect_err("idem").code(),
        Some("Neo.ClientError.MadeUp.Code")
    );
    assert!(matches!(
        tx.run("RETURN 2 AS x").await,
        Err(Error::TransactionClosed(_))
    ));
    let committed = tx.commit().await;
    s.close().await.unwrap();
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    let names = reports[0].names();
    assert!(
        matches!(committed, Err(Error::TransactionClosed(_))),
        "{committed:?} {names:?}"
    );
    assert_eq!(names.iter().filter(|n| *n == "RUN").count(), 2, "{names:?}");
    assert_eq!(
        names.iter().filter(|n| *n == "PULL").count(),
        2,
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n == "COMMIT"), "{names:?}");
}

/// A server failure that also closes the connection ends the transaction:
/// rolling it back afterwards succeeds (nothing is left to roll back).
#[tokio::test]
async fn rolling_back_a_transaction_a_failure_ended_succeeds_after_the_server_left() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .failure("Neo.ClientError.Security.TokenExpired", "expired")
        .close();
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, one_connection());
    let mut s = d.session(SessionConfig::new());
    let mut tx = tokio::time::timeout(LIMIT, s.begin_transaction())
        .await
        .unwrap()
        .unwrap();
    let err = match tx.run("RETURN 1 AS n").await {
        Ok(mut r) => r.next().await.expect_err("RUN fails"),
        Err(e) => e,
    };
    assert_eq!(err.code(), Some("Neo.ClientError.Security.TokenExpired"));
    tokio::time::timeout(LIMIT, tx.rollback())
        .await
        .unwrap()
        .expect("the failure ended the transaction; nothing to roll back");
    s.close().await.unwrap();
    d.close().await;
    server.finish_within(LIMIT).await;
}
