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

use boltline::{AuthToken, Config, Driver, Error, ManagedTransaction, SessionConfig};
use boltline_stub::{map, sig, ConnectionReport, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

fn driver(server: &StubServer) -> Driver {
    let config = Config::builder()
        .with_max_connection_pool_size(1)
        .with_connection_acquisition_timeout(Duration::from_secs(5))
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
