//! The driver against the scripted Bolt stub server: what goes over the
//! wire for retries, impersonation, notification filters, telemetry and
//! per-session credentials.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use boltline::{
    AuthToken, Config, Driver, Error, ManagedTransaction, NotificationFilter, NotificationSeverity,
    SessionConfig,
};
use boltline_stub::{map, sig, steps, ConnectionReport, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

fn driver(server: &StubServer, config: Config) -> Driver {
    Driver::with_config(
        &format!("bolt://{}", server.host_port()),
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .expect("driver")
}

fn quick() -> Config {
    Config::builder()
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .with_max_transaction_retry_time(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// An explicit transaction returning one record, committed.
fn tx_return_one(bookmark: &str) -> Script {
    steps()
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from(bookmark))])
}

async fn read_one(tx: &mut ManagedTransaction<'_>) -> boltline::Result<i64> {
    let mut r = tx.run("RETURN 1 AS x").await?;
    r.single().await?.get_as("x")
}

fn extra(report: &ConnectionReport, signature: u8) -> Vec<&boltline::Map> {
    report
        .messages(signature)
        .into_iter()
        .filter_map(|m| {
            // RUN's extra is its third field, BEGIN's and HELLO's the first.
            let i = if signature == sig::RUN { 2 } else { 0 };
            m.map(i)
        })
        .collect()
}

#[tokio::test]
async fn managed_transactions_retry_transient_failures() {
    let script = Script::authenticated(5, 4)
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
        .success(map::<&str>([]))
        .repeat_until_closed(tx_return_one("bm-1"));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, quick());
    let mut s = d.session(SessionConfig::new());
    let attempts = AtomicUsize::new(0);
    let v = tokio::time::timeout(
        LIMIT,
        s.execute_read(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            read_one(tx).await
        }),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(v, 1);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(
        s.last_bookmarks().raw_values().collect::<Vec<_>>(),
        ["bm-1"]
    );
    // Read mode went over the wire.
    drop(s);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    let begins = extra(&reports[0], sig::BEGIN);
    assert_eq!(begins.len(), 2, "{:?}", reports[0].names());
    assert!(begins
        .iter()
        .all(|b| b.get("mode") == Some(&Value::from("r"))));
    assert_eq!(server_accepted(&reports), 1);
}

fn server_accepted(reports: &[ConnectionReport]) -> usize {
    reports.iter().filter(|r| r.handshake.is_some()).count()
}

#[tokio::test]
async fn managed_transactions_retry_on_a_lost_connection() {
    let broken = Script::authenticated(5, 4).expect(sig::BEGIN).close();
    let healthy = Script::authenticated(5, 4).repeat_until_closed(tx_return_one("bm-2"));
    let server = StubServer::start([broken, healthy]).await.unwrap();
    let d = driver(&server, quick());
    let mut s = d.session(SessionConfig::new());
    let attempts = AtomicUsize::new(0);
    let v = tokio::time::timeout(
        LIMIT,
        s.execute_write(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            read_one(tx).await
        }),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(v, 1);
    // The connection was lost at BEGIN, which is answered before the work
    // runs: only the retry called it.
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    assert_eq!(
        s.last_bookmarks().raw_values().collect::<Vec<_>>(),
        ["bm-2"]
    );
    drop(s);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(server_accepted(&reports), 2);
}

/// bolt://: a connection lost mid-transaction deactivates the server's
/// other idle connections (one here, which still looks alive to a socket
/// check), so the retry connects afresh and succeeds on its first try
/// instead of taking the next stale connection.
#[tokio::test]
async fn a_direct_retry_after_a_lost_connection_gets_a_fresh_connection() {
    let stale = || {
        Script::authenticated(5, 4)
            .then(tx_return_one("bm-1"))
            .expect(sig::BEGIN)
            .close()
    };
    let fresh = Script::authenticated(5, 4).repeat_until_closed(tx_return_one("bm-2"));
    let server = StubServer::start([stale(), stale(), fresh]).await.unwrap();
    let d = driver(&server, quick());
    // Two connections in the pool, idle.
    let (mut s1, mut s2) = (
        d.session(SessionConfig::new()),
        d.session(SessionConfig::new()),
    );
    let mut t1 = s1.begin_transaction().await.unwrap();
    let mut t2 = s2.begin_transaction().await.unwrap();
    for tx in [&mut t1, &mut t2] {
        let mut r = tx.run("RETURN 1 AS x").await.unwrap();
        let x: i64 = r.single().await.unwrap().get_as("x").unwrap();
        assert_eq!(x, 1);
    }
    t1.commit().await.unwrap();
    t2.commit().await.unwrap();
    drop((s1, s2));
    let idle: usize = d.pool_metrics().values().map(|p| p.idle).sum();
    assert_eq!(idle, 2);

    let mut s = d.session(SessionConfig::new());
    let attempts = AtomicUsize::new(0);
    let v = tokio::time::timeout(
        LIMIT,
        s.execute_write(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            read_one(tx).await
        }),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(v, 1);
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        1,
        "the stale connection failed at BEGIN (before the work), then a fresh connection"
    );
    drop(s);
    let stats: Vec<_> = d.pool_metrics().into_values().collect();
    assert_eq!((stats[0].size, stats[0].in_use), (1, 0));
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(server_accepted(&reports), 3);
    let begins: Vec<usize> = reports
        .iter()
        .map(|r| r.messages(sig::BEGIN).len())
        .collect();
    assert_eq!(begins[2], 1, "the retry ran once, on the fresh connection");
    assert_eq!(
        begins[0] + begins[1],
        3,
        "one stale connection was tried, not both"
    );
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure("Neo.ClientError.Statement.SyntaxError", "bad query")
        .ignored()
        .expect(sig::RESET)
        .success(map::<&str>([]));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, quick());
    let mut s = d.session(SessionConfig::new());
    let attempts = AtomicUsize::new(0);
    let e = tokio::time::timeout(
        LIMIT,
        s.execute_write(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            read_one(tx).await
        }),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(e.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    drop(s);
    d.close().await;
}

#[tokio::test]
async fn impersonation_reaches_begin_and_run() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r")), ("bookmark", Value::from("b1"))])
        .repeat_until_closed(tx_return_one("b2"));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, quick());
    let mut s = d.session(
        SessionConfig::new()
            .with_database("movies")
            .with_impersonated_user("bob"),
    );
    let mut r = s.run("RETURN 1 AS x").await.unwrap();
    assert_eq!(r.collect::<i64>().await.unwrap(), [1]);
    s.execute_read(async |tx: &mut ManagedTransaction| read_one(tx).await)
        .await
        .unwrap();
    drop(s);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    let run = extra(&reports[0], sig::RUN);
    assert_eq!(run[0].get("imp_user"), Some(&Value::from("bob")));
    assert_eq!(run[0].get("db"), Some(&Value::from("movies")));
    let begin = extra(&reports[0], sig::BEGIN);
    assert_eq!(begin[0].get("imp_user"), Some(&Value::from("bob")));
    assert_eq!(begin[0].get("db"), Some(&Value::from("movies")));
    // The second transaction waits for the first one's bookmark.
    assert_eq!(begin[0].get("bookmarks"), Some(&Value::from_iter(["b1"])));
}

#[tokio::test]
async fn notification_filters_go_to_hello_and_per_session_to_begin() {
    let script = Script::authenticated(5, 4).repeat_until_closed(tx_return_one("b"));
    let server = StubServer::start_one(script).await.unwrap();
    let config = Config::builder()
        .with_notification_filter(NotificationFilter {
            minimum_severity: Some(NotificationSeverity::Warning),
            disabled_classifications: Some(vec!["HINT".into()]),
        })
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let d = driver(&server, config);
    let mut s = d.session(SessionConfig::new().with_notification_filter(NotificationFilter::off()));
    s.execute_write(async |tx: &mut ManagedTransaction| read_one(tx).await)
        .await
        .unwrap();
    let mut plain = d.session(SessionConfig::new());
    plain
        .execute_write(async |tx: &mut ManagedTransaction| read_one(tx).await)
        .await
        .unwrap();
    drop((s, plain));
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    let hello = extra(&reports[0], sig::HELLO);
    assert_eq!(
        hello[0].get("notifications_minimum_severity"),
        Some(&Value::from("WARNING"))
    );
    assert_eq!(
        hello[0].get("notifications_disabled_categories"),
        Some(&Value::from_iter(["HINT"]))
    );
    let begin = extra(&reports[0], sig::BEGIN);
    assert_eq!(
        begin[0].get("notifications_minimum_severity"),
        Some(&Value::from("OFF"))
    );
    assert_eq!(begin[1].get("notifications_minimum_severity"), None);
}

fn telemetry_script() -> Script {
    let hints = map([(
        "hints",
        Value::Map(map([("telemetry.enabled", Value::from(true))])),
    )]);
    Script::bolt(5, 4).hello_ok(hints, true)
}

#[tokio::test]
async fn telemetry_names_the_api_when_the_server_asks() {
    let script = telemetry_script()
        // execute_read: managed transaction (0).
        .expect(sig::TELEMETRY)
        .success(map::<&str>([]))
        .repeat_until_closed(
            tx_return_one("b")
                // begin_transaction: explicit (1)
                .expect(sig::TELEMETRY)
                .success(map::<&str>([]))
                .expect(sig::BEGIN)
                .success(map::<&str>([]))
                .expect(sig::RUN)
                .expect(sig::PULL)
                .success([("fields", Value::from_iter(["x"]))])
                .record(vec![Value::from(1)])
                .success([("type", Value::from("r"))])
                .expect(sig::COMMIT)
                .success([("bookmark", Value::from("b"))])
                // run: implicit (2)
                .expect(sig::TELEMETRY)
                .success(map::<&str>([]))
                .expect(sig::RUN)
                .expect(sig::PULL)
                .success([("fields", Value::from_iter(["x"]))])
                .record(vec![Value::from(1)])
                .success([("type", Value::from("r")), ("bookmark", Value::from("b"))])
                // execute_query (3)
                .expect(sig::TELEMETRY)
                .success(map::<&str>([])),
        );
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, quick());
    let mut s = d.session(SessionConfig::new());
    s.execute_read(async |tx: &mut ManagedTransaction| read_one(tx).await)
        .await
        .unwrap();
    let mut tx = s.begin_transaction().await.unwrap();
    read_one_tx(&mut tx).await;
    tx.commit().await.unwrap();
    let mut r = s.run("RETURN 1 AS x").await.unwrap();
    r.consume().await.unwrap();
    let eager = match d.execute_query("RETURN 1 AS x").run().await {
        Ok(e) => e,
        Err(e) => {
            d.close().await;
            let reports = server.finish_within(LIMIT).await;
            panic!("{e}: {:?} {:?}", reports[0].names(), reports[0].outcome);
        }
    };
    assert_eq!(eager.records().len(), 1);
    drop(s);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    let apis: Vec<i64> = reports[0]
        .messages(sig::TELEMETRY)
        .iter()
        // `TELEMETRY api`: the one field is the API's code.
        .filter_map(|m| m.fields.first().and_then(Value::as_i64))
        .collect();
    assert_eq!(apis, [0, 1, 2, 3]);
}

async fn read_one_tx(tx: &mut boltline::Transaction) {
    let mut r = tx.run("RETURN 1 AS x").await.unwrap();
    assert_eq!(r.collect::<i64>().await.unwrap(), [1]);
}

#[tokio::test]
async fn telemetry_can_be_disabled() {
    let script = telemetry_script().repeat_until_closed(tx_return_one("b"));
    let server = StubServer::start_one(script).await.unwrap();
    let config = Config::builder()
        .with_telemetry_disabled(true)
        .build()
        .unwrap();
    let d = driver(&server, config);
    let mut s = d.session(SessionConfig::new());
    s.execute_read(async |tx: &mut ManagedTransaction| read_one(tx).await)
        .await
        .unwrap();
    drop(s);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert!(reports[0].messages(sig::TELEMETRY).is_empty());
    assert_eq!(reports[0].messages(sig::BEGIN).len(), 1);
}

/// The steps of [`tx_return_one`] appended to `script`.
fn then_tx(script: Script, bookmark: &str) -> Script {
    script
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from(bookmark))])
}

fn logon_principals(report: &ConnectionReport) -> Vec<String> {
    report
        .messages(sig::LOGON)
        .iter()
        .filter_map(|m| {
            m.entry(0, "principal")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn per_session_credentials_reauthenticate_and_switch_back() {
    // A new connection for a session with its own credentials logs in
    // with them directly; later users switch it with LOGOFF/LOGON.
    let switch = steps()
        .expect(sig::LOGOFF)
        .success(map::<&str>([]))
        .expect(sig::LOGON)
        .success(map::<&str>([]));
    let script =
        then_tx(Script::authenticated(5, 4), "b").repeat_until_closed(then_tx(switch, "b"));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, quick());
    let alice = || SessionConfig::new().with_auth(AuthToken::basic("alice", "a-secret"));
    for config in [alice(), SessionConfig::new(), alice()] {
        let mut s = d.session(config);
        s.execute_read(async |tx: &mut ManagedTransaction| read_one(tx).await)
            .await
            .unwrap();
    }
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(logon_principals(&reports[0]), ["alice", "neo4j", "alice"]);
}

/// A server without re-authentication (Bolt 5.0) cannot run a session with
/// its own credentials: every such session fails, none runs as the
/// driver's user, the driver's pooled connection is kept (not replaced by
/// one logged in as the session's user), and the driver's own sessions
/// still work on it.
#[tokio::test]
async fn session_credentials_never_fall_back_to_the_driver_user() {
    let script = Script::authenticated(5, 0).repeat_until_closed(tx_return_one("bm"));
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, quick());
    let run_as_driver = || async {
        let mut s = d.session(SessionConfig::new());
        let v = tokio::time::timeout(
            LIMIT,
            s.execute_read(async |tx: &mut ManagedTransaction| read_one(tx).await),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(v, 1);
    };
    run_as_driver().await;
    let alice = || SessionConfig::new().with_auth(AuthToken::basic("alice", "a-secret"));
    for attempt in 0..2 {
        let mut s = d.session(alice());
        let r = tokio::time::timeout(
            LIMIT,
            s.execute_read(async |tx: &mut ManagedTransaction| read_one(tx).await),
        )
        .await
        .unwrap();
        let e = r.expect_err("a session with its own auth ran on Bolt 5.0");
        assert!(e.to_string().contains("5.1"), "attempt {attempt}: {e}");
        assert!(!e.is_retryable(), "attempt {attempt}: {e:?}");
    }
    run_as_driver().await;
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(reports.len(), 1, "the driver's connection was replaced");
    let names = reports[0].names();
    assert_eq!(
        names.iter().filter(|n| *n == "BEGIN").count(),
        2,
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n == "LOGON"), "{names:?}");
}

/// After a request of an explicit transaction fails, the server has ended
/// that transaction: the session may begin another without closing it
/// first, and the failed one only reports itself closed.
#[tokio::test]
async fn a_failed_transaction_does_not_block_the_next_one() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure("Neo.ClientError.Statement.SyntaxError", "bad query")
        .ignored()
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .repeat_until_closed(tx_return_one("bm-2"));
    let server = StubServer::start_one(script).await.unwrap();
    let config = Config::builder()
        .with_max_connection_pool_size(1)
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let d = driver(&server, config);
    let mut s = d.session(SessionConfig::new());
    let mut failed = tokio::time::timeout(LIMIT, s.begin_transaction())
        .await
        .unwrap()
        .unwrap();
    let err = tokio::time::timeout(LIMIT, async {
        let mut r = failed.run("RETURN oops").await?;
        r.next().await
    })
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(err.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    // A new transaction while `failed` still exists.
    let mut tx = tokio::time::timeout(LIMIT, s.begin_transaction())
        .await
        .unwrap()
        .expect("a new transaction after the failed one");
    let mut r = tx.run("RETURN 1 AS x").await.unwrap();
    let x: i64 = r.single().await.unwrap().get_as("x").unwrap();
    assert_eq!(x, 1);
    tx.commit().await.unwrap();
    assert!(matches!(
        failed.run("RETURN 1").await,
        Err(Error::TransactionClosed(_))
    ));
    drop(failed);
    drop(s);
    d.close().await;
    server.finish_within(LIMIT).await;
}

/// `collect` reads batch by batch (three PULLs of the fetch size here),
/// after a `peek`, and keeps every record in order; a record that does not
/// fit the target type fails the call with a typed error and the records
/// after it stay readable.
#[tokio::test]
async fn collect_reads_every_batch_and_a_bad_record_loses_nothing_else() {
    fn batch(mut s: Script, from: i64, to: i64, more: bool) -> Script {
        s = s.expect(sig::PULL);
        for i in from..to {
            s = s.record(vec![Value::from(i)]);
        }
        if more {
            s.success([("has_more", Value::from(true))])
        } else {
            s.success([("type", Value::from("r"))])
        }
    }
    let mut script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .success([("fields", Value::from_iter(["i"]))]);
    script = batch(script, 0, 3, true);
    script = batch(script, 3, 6, true);
    script = batch(script, 6, 8, false);
    // The second query: 0, "one", 2.
    script = script
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["i"]))])
        .record(vec![Value::from(0)])
        .record(vec![Value::from("one")])
        .record(vec![Value::from(2)])
        .success([("type", Value::from("r"))]);
    let server = StubServer::start_one(script).await.unwrap();
    let config = Config::builder()
        .with_fetch_size(boltline::FetchSize::records(3).unwrap())
        .build()
        .unwrap();
    let d = driver(&server, config);
    let mut s = d.session(SessionConfig::new());
    let mut r = tokio::time::timeout(LIMIT, s.run("UNWIND range(0, 7) AS i RETURN i"))
        .await
        .unwrap()
        .unwrap();
    let first = r.peek().await.unwrap().unwrap().get_as::<i64>("i").unwrap();
    assert_eq!(first, 0);
    let all: Vec<i64> = tokio::time::timeout(LIMIT, r.collect())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(all, (0..8).collect::<Vec<i64>>());
    assert!(r.next().await.unwrap().is_none());

    let mut r = s.run("RETURN mixed").await.unwrap();
    let err = r.collect::<i64>().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    let rest = r.next().await.unwrap().unwrap();
    assert_eq!(rest.get_as::<i64>("i").unwrap(), 2);
    assert!(r.next().await.unwrap().is_none());
    s.close().await.unwrap();
    d.close().await;
    let reports = server.finish_and_assert().await;
    assert_eq!(reports[0].messages(sig::PULL).len(), 4);
}

/// A pooled connection whose server never answers the connectivity
/// check's RESET: the check gives up within the acquisition timeout with a
/// typed error instead of hanging, and the connection is not reused.
#[tokio::test]
async fn a_connectivity_check_without_an_answer_does_not_hang() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RESET)
        .delay(Duration::from_secs(30));
    let server = StubServer::start_one(script).await.unwrap();
    let config = Config::builder()
        .with_connection_acquisition_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let d = driver(&server, config);
    // A new connection needs no check; back in the pool it does.
    tokio::time::timeout(LIMIT, d.verify_connectivity())
        .await
        .unwrap()
        .unwrap();
    let err = tokio::time::timeout(LIMIT, d.get_server_info())
        .await
        .expect("bounded by the acquisition timeout")
        .unwrap_err();
    assert!(matches!(err, Error::ConnectionLost(_)), "{err:?}");
    assert!(err.to_string().contains("connectivity check"), "{err}");
    let stats = d.pool_metrics();
    assert!(
        stats.values().all(|s| s.in_use == 0 && s.idle == 0),
        "{stats:?}"
    );
    d.close().await;
}
