//! Round trips per operation, counted on the scripted stub server: each
//! test names the client writes it expects (messages sent together share a
//! write), and the scripts are built so that a client waiting where it
//! should pipeline hangs (the stub reads every pipelined message before it
//! answers any).
//!
//! These back the optimisations the testkit backend announces:
//! `EagerTransactionBegin`, `ExecuteQueryPipelining`, `PullPipelining`,
//! `MinimalResets`, `AuthPipelining`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use boltline::{AuthToken, Config, Driver, Error, FetchSize, ManagedTransaction, SessionConfig};
use boltline_stub::{map, sig, ConnectionReport, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

fn driver(server: &StubServer) -> Driver {
    driver_fetching(server, FetchSize::default())
}

fn driver_fetching(server: &StubServer, fetch_size: FetchSize) -> Driver {
    let config = Config::builder()
        .with_max_connection_pool_size(1)
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .with_fetch_size(fetch_size)
        .with_max_transaction_retry_time(Duration::from_secs(5))
        .build()
        .unwrap();
    Driver::with_config(
        &format!("bolt://{}", server.host_port()),
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .expect("driver")
}

/// `HELLO` and `LOGON` read together before either is answered: a client
/// that waits for `HELLO`'s answer before sending `LOGON` hangs here.
fn logged_in() -> Script {
    Script::bolt(5, 4)
        .expect(sig::HELLO)
        .expect(sig::LOGON)
        .success([
            ("server", Value::from("Neo4j/5.26.0")),
            ("connection_id", Value::from("bolt-stub-1")),
        ])
        .success(map::<&str>([]))
}

/// The answers to `RUN` + `PULL` of a one-record result `x = 1`.
fn one_record(s: Script, query_type: &str) -> Script {
    s.success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from(query_type))])
}

fn batches(report: &ConnectionReport) -> Vec<Vec<String>> {
    report.batches()
}

fn names(batch: &[&str]) -> Vec<String> {
    batch.iter().map(|s| (*s).to_owned()).collect()
}

/// Client writes after login, each the messages it carried.
fn after_login(report: &ConnectionReport) -> Vec<Vec<String>> {
    let all = batches(report);
    assert_eq!(
        all.first(),
        Some(&names(&["HELLO", "LOGON"])),
        "HELLO and LOGON go out in one write: {all:?}"
    );
    all[1..]
        .iter()
        .filter(|b| b.as_slice() != [String::from("GOODBYE")])
        .cloned()
        .collect()
}

/// Auto-commit `session.run`: `RUN`+`PULL` in one write, and a clean
/// connection goes back to the pool without a `RESET`: two queries, two
/// round trips.
#[tokio::test]
async fn session_run_is_one_round_trip_and_a_clean_release_sends_no_reset() {
    let mut script = logged_in();
    for _ in 0..2 {
        script = one_record(script.expect(sig::RUN).expect(sig::PULL), "r");
    }
    let server = StubServer::start_one(script.expect(sig::GOODBYE).expect_close())
        .await
        .unwrap();
    let d = driver(&server);
    for _ in 0..2 {
        let mut s = d.session(SessionConfig::new());
        let x: Vec<i64> = tokio::time::timeout(LIMIT, async {
            s.run("RETURN 1 AS x").await?.collect::<i64>().await
        })
        .await
        .expect("hung: RUN and PULL must be pipelined")
        .unwrap();
        assert_eq!(x, [1]);
        s.close().await.unwrap();
    }
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    assert_eq!(
        after_login(&reports[0]),
        [names(&["RUN", "PULL"]), names(&["RUN", "PULL"])]
    );
    assert!(reports[0].messages(sig::RESET).is_empty());
}

/// `begin_transaction` waits for `BEGIN`'s answer: it reports a failing
/// `BEGIN` itself (typed, with the server's code), and the connection is
/// reset before its next use.
#[tokio::test]
async fn begin_transaction_reports_a_failing_begin_itself() {
    let script = logged_in()
        .expect(sig::BEGIN)
        .failure("Neo.ClientError.MadeUp.Code", "no transaction for you")
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL);
    let script = one_record(script, "r")
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from("bm-1"))])
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server);
    let mut s = d.session(SessionConfig::new());
    let e = tokio::time::timeout(LIMIT, s.begin_transaction())
        .await
        .expect("hung")
        .expect_err("the failing BEGIN is reported by begin_transaction");
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    assert_eq!(e.code(), Some("Neo.ClientError.MadeUp.Code"));
    // The same session and connection work afterwards.
    let mut tx = s.begin_transaction().await.unwrap();
    let x: Vec<i64> = tx
        .run("RETURN 1 AS x")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(x, [1]);
    tx.commit().await.unwrap();
    s.close().await.unwrap();
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    // The failed connection is reset (awaited) before it is used again.
    assert_eq!(
        after_login(&reports[0]),
        [
            names(&["BEGIN"]),
            names(&["RESET"]),
            names(&["BEGIN"]),
            names(&["RUN", "PULL"]),
            names(&["COMMIT"]),
        ]
    );
}

/// A managed transaction begins eagerly too: when `BEGIN` fails, the work
/// is never called (testkit's eager-begin semantics); a successful
/// attempt is `BEGIN`, `RUN`+`PULL`, `COMMIT`.
#[tokio::test]
async fn a_managed_transaction_does_not_run_its_work_when_begin_fails() {
    let script = logged_in()
        .expect(sig::BEGIN)
        .failure("Neo.TransientError.General.PleaseRetry", "try again")
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL);
    let script = one_record(script, "w")
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from("bm-1"))])
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server);
    let mut s = d.session(SessionConfig::new());
    let calls = AtomicUsize::new(0);
    let x = tokio::time::timeout(
        LIMIT,
        s.execute_write(async |tx: &mut ManagedTransaction| {
            calls.fetch_add(1, Ordering::SeqCst);
            tx.run("RETURN 1 AS x").await?.collect::<i64>().await
        }),
    )
    .await
    .expect("hung")
    .unwrap();
    assert_eq!(x, [1]);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "not called for the failed BEGIN"
    );
    s.close().await.unwrap();
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    assert_eq!(
        after_login(&reports[0]),
        [
            names(&["BEGIN"]),
            names(&["RESET"]),
            names(&["BEGIN"]),
            names(&["RUN", "PULL"]),
            names(&["COMMIT"]),
        ]
    );
}

/// `execute_query` on a warm driver: `BEGIN`+`RUN`+`PULL` in one write
/// (the stub answers none of them before it has all three).
#[tokio::test]
async fn execute_query_pipelines_begin_run_and_pull() {
    let mut script = logged_in();
    for bookmark in ["bm-1", "bm-2"] {
        let s = script
            .expect(sig::BEGIN)
            .expect(sig::RUN)
            .expect(sig::PULL)
            .success(map::<&str>([]));
        script = one_record(s, "r")
            .expect(sig::COMMIT)
            .success([("bookmark", Value::from(bookmark))]);
    }
    let server = StubServer::start_one(script.expect(sig::GOODBYE).expect_close())
        .await
        .unwrap();
    let d = driver(&server);
    for _ in 0..2 {
        let r = tokio::time::timeout(LIMIT, d.execute_query("RETURN 1 AS x").run())
            .await
            .expect("hung: BEGIN, RUN and PULL must be pipelined")
            .unwrap();
        assert_eq!(r.records().len(), 1);
    }
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    let tx = names(&["BEGIN", "RUN", "PULL"]);
    assert_eq!(
        after_login(&reports[0]),
        [tx.clone(), names(&["COMMIT"]), tx, names(&["COMMIT"])]
    );
}

/// `PULL` asking for every record (`n = -1`).
fn pull_all(fields: &[Value]) -> Result<(), String> {
    match fields
        .first()
        .and_then(|m| m.as_map())
        .and_then(|m| m.get("n"))
    {
        Some(Value::Integer(-1)) => Ok(()),
        other => Err(format!("n = {other:?}, not -1")),
    }
}

/// `execute_query` fetching every record at once: `COMMIT` goes in the
/// same write as `BEGIN`+`RUN`+`PULL`, so the query costs one round trip
/// (the stub reads all four before answering any).
#[tokio::test]
async fn execute_query_fetching_all_is_one_round_trip() {
    let mut script = logged_in();
    for bookmark in ["bm-1", "bm-2"] {
        let s = script
            .expect(sig::BEGIN)
            .expect(sig::RUN)
            .expect_with(sig::PULL, pull_all)
            .expect(sig::COMMIT)
            .success(map::<&str>([]));
        script = one_record(s, "w").success([("bookmark", Value::from(bookmark))]);
    }
    let server = StubServer::start_one(script.expect(sig::GOODBYE).expect_close())
        .await
        .unwrap();
    let d = driver_fetching(&server, FetchSize::All);
    for bookmark in ["bm-1", "bm-2"] {
        let r = tokio::time::timeout(LIMIT, d.execute_query("CREATE () RETURN 1 AS x").run())
            .await
            .expect("hung: COMMIT must be pipelined with the query")
            .unwrap();
        assert_eq!(r.records().len(), 1);
        assert_eq!(r.records()[0].get_as::<i64>("x").unwrap(), 1);
        // The commit's bookmark reached the driver's query bookmark manager.
        let held = d.query_bookmark_manager().get_bookmarks().await;
        assert_eq!(held.raw_values().collect::<Vec<_>>(), [bookmark]);
    }
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    let tx = names(&["BEGIN", "RUN", "PULL", "COMMIT"]);
    assert_eq!(after_login(&reports[0]), [tx.clone(), tx]);
}

/// A failure at `RUN` with `COMMIT` already queued: the server ignores
/// `PULL` and `COMMIT`, the driver resets the connection (one `RESET`,
/// after the ignored `COMMIT`) and reports the server's error, typed; the
/// connection then serves the next query.
#[tokio::test]
async fn a_failure_at_run_with_a_queued_commit_leaves_the_connection_clean() {
    let script = logged_in()
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect_with(sig::PULL, pull_all)
        .expect(sig::COMMIT)
        .success(map::<&str>([]))
        .failure("Neo.ClientError.Statement.SyntaxError", "bad query")
        .ignored()
        .ignored()
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect_with(sig::PULL, pull_all)
        .expect(sig::COMMIT)
        .success(map::<&str>([]));
    let script = one_record(script, "r")
        .success([("bookmark", Value::from("bm-1"))])
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver_fetching(&server, FetchSize::All);
    let e = tokio::time::timeout(LIMIT, d.execute_query("RETURN oops").run())
        .await
        .expect("hung")
        .expect_err("the query failed");
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    assert_eq!(e.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    assert!(!e.is_retryable());
    let r = tokio::time::timeout(LIMIT, d.execute_query("RETURN 1 AS x").run())
        .await
        .expect("hung")
        .expect("the connection is clean again");
    assert_eq!(r.records().len(), 1);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    assert_eq!(reports[0].messages(sig::RESET).len(), 1);
    let names_seen = reports[0].names();
    let reset = names_seen.iter().position(|n| n == "RESET").unwrap();
    assert_eq!(
        names_seen[reset - 1],
        "COMMIT",
        "the RESET follows the ignored COMMIT: {names_seen:?}"
    );
}

/// A failure at `PULL` (after a record) with `COMMIT` queued: the error
/// is the server's, typed; the transaction is not committed (the server
/// ignored `COMMIT`), no bookmark moves, and a `RESET` cleans the
/// connection before it serves again.
#[tokio::test]
async fn a_failure_at_pull_with_a_queued_commit_leaves_the_connection_clean() {
    let script = logged_in()
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect_with(sig::PULL, pull_all)
        .expect(sig::COMMIT)
        .success(map::<&str>([]))
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .failure("Neo.ClientError.Statement.ArithmeticError", "/ by zero")
        .ignored()
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL);
    let script = one_record(script, "r").expect(sig::GOODBYE).expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver_fetching(&server, FetchSize::All);
    let e = tokio::time::timeout(LIMIT, d.execute_query("RETURN 1 / 0 AS x").run())
        .await
        .expect("hung")
        .expect_err("the query failed");
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    assert_eq!(e.code(), Some("Neo.ClientError.Statement.ArithmeticError"));
    let held = d.query_bookmark_manager().get_bookmarks().await;
    assert_eq!(held.raw_values().count(), 0, "nothing was committed");
    let mut s = d.session(SessionConfig::new());
    let x: Vec<i64> = tokio::time::timeout(LIMIT, async {
        s.run("RETURN 1 AS x").await?.collect::<i64>().await
    })
    .await
    .expect("hung")
    .unwrap();
    assert_eq!(x, [1]);
    s.close().await.unwrap();
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    assert_eq!(
        after_login(&reports[0]),
        [
            names(&["BEGIN", "RUN", "PULL", "COMMIT"]),
            names(&["RESET"]),
            names(&["RUN", "PULL"]),
        ]
    );
}

/// The connection is lost after `COMMIT` went out behind the query: the
/// server may have committed, so the error is `IncompleteCommit` and the
/// query is not run again (a retry could write twice).
#[tokio::test]
async fn a_lost_connection_after_a_queued_commit_is_an_incomplete_commit() {
    let script = logged_in()
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect_with(sig::PULL, pull_all)
        .expect(sig::COMMIT)
        .success(map::<&str>([]))
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .close();
    let server = StubServer::start([script.clone(), script]).await.unwrap();
    let d = driver_fetching(&server, FetchSize::All);
    let e = tokio::time::timeout(LIMIT, d.execute_query("CREATE () RETURN 1 AS x").run())
        .await
        .expect("hung")
        .expect_err("the connection was lost");
    assert!(matches!(e, Error::IncompleteCommit(_)), "{e:?}");
    assert!(!e.is_retryable());
    d.close().await;
    assert_eq!(server.accepted(), 1, "not retried");
}
