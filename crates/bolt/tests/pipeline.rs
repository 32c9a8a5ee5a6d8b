//! Queries, transactions, pipelining and failure handling against the stub.

mod common;

use std::time::Duration;

use boltline_bolt::{
    AccessMode, AuthToken, Classification, Error, Map, Query, RouteOptions, ServerState,
    TelemetryApi, TxOptions, Value, Version,
};
use boltline_stub::{map, sig, steps, Script, StubServer};
use common::*;

fn no_meta() -> Vec<(&'static str, Value)> {
    Vec::new()
}

/// The stub waits for both RUN and PULL before answering anything: a client
/// that waited for RUN's answer before sending PULL would time out here.
#[tokio::test]
async fn run_and_pull_go_out_together() {
    let script = Script::authenticated(5, 4)
        .read_timeout(Duration::from_secs(2))
        .expect_with(sig::RUN, |f| {
            (f[0] == Value::from("RETURN $x AS x") && f[1].as_map().unwrap()["x"] == Value::from(7))
                .then_some(())
                .ok_or_else(|| format!("{f:?}"))
        })
        .expect_with(sig::PULL, |f| {
            (f[0].as_map().unwrap()["n"] == Value::from(1000i64))
                .then_some(())
                .ok_or_else(|| format!("{f:?}"))
        })
        .success([fields(&["x"]), ("t_first", Value::from(1i64))])
        .record(vec![Value::from(7)])
        .success([
            ("bookmark", Value::from("bm:1")),
            ("type", Value::from("r")),
        ]);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let q = Query::new("RETURN $x AS x").param("x", 7);
    let mut s = bounded(conn.run(&q, &TxOptions::new())).await.unwrap();
    assert_eq!(s.keys(), ["x"]);
    assert_eq!(s.run_metadata().t_first(), Some(1));
    assert_eq!(conn.server_state(), ServerState::Streaming);
    let r = bounded(conn.next_record(&mut s)).await.unwrap().unwrap();
    assert_eq!(r.get("x").unwrap(), Some(Value::from(7)));
    assert!(bounded(conn.next_record(&mut s)).await.unwrap().is_none());
    assert_eq!(s.summary().unwrap().bookmark(), Some("bm:1"));
    assert_eq!(conn.server_state(), ServerState::Ready);
    assert!(!conn.needs_reset());
    // Reading past the end stays at the end.
    assert!(bounded(conn.next_record(&mut s)).await.unwrap().is_none());
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn results_come_in_fetch_size_batches() {
    let rows = int_rows(0..2500);
    let script = Script::authenticated(5, 8)
        .expect(sig::RUN)
        .success([fields(&["i"])])
        .serve_stream(rows, map([("type", Value::from("r"))]));
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("UNWIND ..."), &TxOptions::new()))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut max_buffered = 0;
    while let Some(r) = bounded(conn.next_record(&mut s)).await.unwrap() {
        if let Some(stats) = conn.stream_stats(&s) {
            max_buffered = max_buffered.max(stats.buffered);
            // Never more than one batch ahead of the reader.
            assert!(stats.records <= u64::try_from(seen.len()).unwrap() + 1 + 1000);
        }
        seen.push(r.values().unwrap()[0].as_i64().unwrap());
    }
    assert_eq!(seen, (0..2500).collect::<Vec<_>>());
    assert!(max_buffered <= 1000, "{max_buffered}");
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    let pulls: Vec<&Value> = r
        .messages(sig::PULL)
        .iter()
        .map(|m| m.entry(0, "n").unwrap())
        .collect();
    assert_eq!(pulls, [&Value::from(1000i64); 3]);
}

#[tokio::test]
async fn fetch_size_per_query_and_fetch_all() {
    let script = Script::authenticated(5, 4)
        .expect_with(sig::RUN, |_| Ok(()))
        .success([fields(&["i"])])
        .serve_stream(int_rows(0..5), Map::new())
        .expect(sig::RUN)
        .success([fields(&["i"])])
        .serve_stream(int_rows(0..5), Map::new());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect_with(&server, &config().with_fetch_size(-1))
        .await
        .unwrap();
    let mut s = bounded(conn.run(&Query::new("q").with_fetch_size(2), &TxOptions::new()))
        .await
        .unwrap();
    assert_eq!(
        ints(&collect(&mut conn, &mut s).await.unwrap()),
        [0, 1, 2, 3, 4]
    );
    assert_eq!(
        ints(&run_all(&mut conn, "q").await.unwrap()),
        [0, 1, 2, 3, 4]
    );
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    let ns: Vec<i64> = r
        .messages(sig::PULL)
        .iter()
        .map(|m| m.entry(0, "n").unwrap().as_i64().unwrap())
        .collect();
    assert_eq!(ns, [2, 2, 2, -1]);
}

#[tokio::test]
async fn noop_chunks_between_messages_are_skipped() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .noop()
        .success([fields(&["x"])])
        .noop()
        .noop()
        .record(vec![Value::from(1)])
        .noop()
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    assert_eq!(ints(&run_all(&mut conn, "RETURN 1").await.unwrap()), [1]);
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn begin_run_pull_in_one_write_then_commit() {
    let script = Script::authenticated(5, 4)
        .read_timeout(Duration::from_secs(2))
        .expect_with(sig::BEGIN, |f| {
            let m = f[0].as_map().unwrap();
            (m["db"] == Value::from("movies") && m["mode"] == Value::from("r"))
                .then_some(())
                .ok_or_else(|| format!("{m:?}"))
        })
        .expect_with(sig::RUN, |f| {
            f[2].as_map()
                .unwrap()
                .is_empty()
                .then_some(())
                .ok_or("RUN in a transaction carries no extra".into())
        })
        .expect(sig::PULL)
        .success(no_meta())
        .success([fields(&["n"]), ("qid", Value::from(0i64))])
        .record(vec![Value::from(1)])
        .success([("has_more", Value::from(false))])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from("bm:2"))]);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let opts = TxOptions::new()
        .with_db("movies")
        .with_mode(AccessMode::Read);
    bounded(conn.begin_pipelined(&opts)).await.unwrap();
    assert!(conn.in_transaction());
    let mut s = bounded(conn.run_in_tx(&Query::new("MATCH (n) RETURN n")))
        .await
        .unwrap();
    assert_eq!(s.qid(), Some(0));
    assert_eq!(conn.server_state(), ServerState::TxStreaming);
    assert_eq!(ints(&collect(&mut conn, &mut s).await.unwrap()), [1]);
    assert_eq!(conn.server_state(), ServerState::TxReady);
    let summary = bounded(conn.commit()).await.unwrap();
    assert_eq!(summary.bookmark(), Some("bm:2"));
    assert!(!conn.in_transaction());
    assert_eq!(conn.server_state(), ServerState::Ready);
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn two_results_in_a_transaction_use_their_qids() {
    let script = Script::authenticated(5, 0)
        .expect(sig::BEGIN)
        .success(no_meta())
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["a"]), ("qid", Value::from(0i64))])
        .records(int_rows(0..2))
        .success([("has_more", Value::from(true))])
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["b"]), ("qid", Value::from(1i64))])
        .records(int_rows(10..12))
        .success(no_meta())
        .expect_with(sig::PULL, |f| {
            (f[0].as_map().unwrap().get("qid") == Some(&Value::from(0i64)))
                .then_some(())
                .ok_or_else(|| format!("second PULL of the first result: {f:?}"))
        })
        .records(int_rows(2..3))
        .success(no_meta())
        .expect(sig::ROLLBACK)
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    bounded(conn.begin(&TxOptions::new())).await.unwrap();
    let mut a = bounded(conn.run_in_tx(&Query::new("A").with_fetch_size(2)))
        .await
        .unwrap();
    let first_a = first(bounded(conn.next_record(&mut a)).await.unwrap());
    let mut b = bounded(conn.run_in_tx(&Query::new("B"))).await.unwrap();
    assert_eq!(ints(&collect(&mut conn, &mut b).await.unwrap()), [10, 11]);
    let mut rest = vec![first_a.as_i64().unwrap()];
    rest.extend(ints(&collect(&mut conn, &mut a).await.unwrap()));
    assert_eq!(rest, [0, 1, 2]);
    bounded(conn.rollback()).await.unwrap();
    assert_eq!(conn.server_state(), ServerState::Ready);
    drop(conn);
    server.finish_and_assert().await;
}

/// PULL/DISCARD for the most recent query leave `qid` out (the server's
/// "last query"); only an earlier query's carry its number.
#[tokio::test]
async fn the_latest_query_is_pulled_and_discarded_without_a_qid() {
    fn no_qid(f: &[Value]) -> Result<(), String> {
        (!f[0].as_map().unwrap().contains_key("qid"))
            .then_some(())
            .ok_or_else(|| format!("latest query with a qid: {f:?}"))
    }
    let script = Script::authenticated(5, 0)
        .expect(sig::BEGIN)
        .success(no_meta())
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["a"]), ("qid", Value::from(0i64))])
        .records(int_rows(0..1))
        .success([("has_more", Value::from(true))])
        // The first query is still the latest: its next PULL has no qid.
        .expect_with(sig::PULL, no_qid)
        .records(int_rows(1..2))
        .success([("has_more", Value::from(true))])
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["b"]), ("qid", Value::from(1i64))])
        .records(int_rows(10..11))
        .success([("has_more", Value::from(true))])
        // Consuming the second (latest) result: DISCARD without qid.
        .expect_with(sig::DISCARD, no_qid)
        .success(no_meta())
        // The first is no longer the latest: its DISCARD names it.
        .expect_with(sig::DISCARD, |f| {
            (f[0].as_map().unwrap().get("qid") == Some(&Value::from(0i64)))
                .then_some(())
                .ok_or_else(|| format!("earlier query without its qid: {f:?}"))
        })
        .success(no_meta())
        .expect(sig::ROLLBACK)
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    bounded(conn.begin(&TxOptions::new())).await.unwrap();
    let mut a = bounded(conn.run_in_tx(&Query::new("A").with_fetch_size(1)))
        .await
        .unwrap();
    for want in [0, 1] {
        let v = first(bounded(conn.next_record(&mut a)).await.unwrap());
        assert_eq!(v.as_i64(), Some(want));
    }
    let mut b = bounded(conn.run_in_tx(&Query::new("B").with_fetch_size(1)))
        .await
        .unwrap();
    let v = first(bounded(conn.next_record(&mut b)).await.unwrap());
    assert_eq!(v.as_i64(), Some(10));
    bounded(conn.consume(&mut b)).await.unwrap();
    bounded(conn.consume(&mut a)).await.unwrap();
    bounded(conn.rollback()).await.unwrap();
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn failure_then_ignored_then_automatic_reset() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure("Neo.ClientError.Statement.SyntaxError", "Invalid input")
        .ignored()
        // The next query recovers with a RESET pipelined before it.
        .expect(sig::RESET)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success(no_meta())
        .success([fields(&["x"])])
        .record(vec![Value::from(2)])
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.run(&Query::new("RETRUN 1"), &TxOptions::new()))
        .await
        .unwrap_err();
    let e = err.server_error().unwrap();
    assert_eq!(e.code, "Neo.ClientError.Statement.SyntaxError");
    assert_eq!(e.classification, Classification::ClientError);
    assert!(!err.retry_action().is_retry() && !err.is_connection_error());
    assert!(!conn.is_defunct());
    assert!(conn.needs_reset());
    assert_eq!(conn.server_state(), ServerState::Failed);
    assert_eq!(ints(&run_all(&mut conn, "RETURN 2").await.unwrap()), [2]);
    assert!(!conn.needs_reset());
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn explicit_reset_after_a_failure() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure(
            "Neo.TransientError.Transaction.DeadlockDetected",
            "deadlock",
        )
        .ignored()
        .expect(sig::RESET)
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.run(&Query::new("q"), &TxOptions::new()))
        .await
        .unwrap_err();
    assert!(err.retry_action().is_retry());
    assert_eq!(conn.last_failure().unwrap().title(), "DeadlockDetected");
    bounded(conn.reset()).await.unwrap();
    assert!(!conn.needs_reset());
    assert!(conn.last_failure().is_none());
    assert_eq!(conn.server_state(), ServerState::Ready);
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn a_failed_pipelined_begin_is_reported_by_the_run() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure(
            "Neo.ClientError.Database.DatabaseNotFound",
            "no such database",
        )
        .ignored()
        .ignored()
        .expect(sig::RESET)
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    bounded(conn.begin_pipelined(&TxOptions::new().with_db("nope")))
        .await
        .unwrap();
    let err = bounded(conn.run_in_tx(&Query::new("RETURN 1")))
        .await
        .unwrap_err();
    assert!(err.server_error().unwrap().is_database_not_found(), "{err}");
    // Rolling back a failed transaction resets the connection.
    bounded(conn.rollback()).await.unwrap();
    assert!(!conn.needs_reset());
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn gql_failures_on_5_7() {
    let failure = map([
        (
            "neo4j_code",
            Value::from("Neo.TransientError.Transaction.Terminated"),
        ),
        ("message", Value::from("terminated")),
        ("gql_status", Value::from("25N05")),
        ("description", Value::from("transaction terminated")),
        (
            "diagnostic_record",
            Value::Map(map([("_classification", Value::from("CLIENT_ERROR"))])),
        ),
        (
            "cause",
            Value::Map(map([
                ("message", Value::from("inner")),
                ("gql_status", Value::from("25N06")),
                ("description", Value::from("d")),
            ])),
        ),
    ]);
    let script = Script::authenticated(5, 7)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure_map(failure)
        .ignored();
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.run(&Query::new("q"), &TxOptions::new()))
        .await
        .unwrap_err();
    let e = err.server_error().unwrap();
    assert_eq!(e.code, "Neo.ClientError.Transaction.Terminated");
    assert_eq!(e.gql_status, "25N05");
    assert_eq!(e.cause.as_ref().unwrap().gql_status, "25N06");
    assert_eq!(e.diagnostic_record["CURRENT_SCHEMA"], Value::from("/"));
    assert!(!e.retry_action().is_retry());
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn consume_discards_the_rest() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .success([fields(&["i"])])
        .serve_stream(int_rows(0..10), map([("bookmark", Value::from("bm"))]));
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("q").with_fetch_size(3), &TxOptions::new()))
        .await
        .unwrap();
    assert_eq!(
        first(bounded(conn.next_record(&mut s)).await.unwrap()),
        Value::from(0)
    );
    let summary = bounded(conn.consume(&mut s)).await.unwrap();
    assert_eq!(summary.bookmark(), Some("bm"));
    assert!(s.is_finished());
    assert!(bounded(conn.next_record(&mut s)).await.unwrap().is_none());
    assert!(!conn.needs_reset());
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    assert_eq!(r.names(), ["HELLO", "LOGON", "RUN", "PULL", "DISCARD"]);
    assert_eq!(r.received[4].entry(0, "n"), Some(&Value::from(-1i64)));
}

#[tokio::test]
async fn usage_errors_leave_the_connection_alone() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["x"])])
        .record(vec![Value::from(1)])
        .success([("has_more", Value::from(true))]);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    assert!(matches!(
        bounded(conn.commit()).await,
        Err(Error::InvalidState(_))
    ));
    assert!(matches!(
        bounded(conn.run_in_tx(&Query::new("q"))).await,
        Err(Error::InvalidState(_))
    ));
    let s = bounded(conn.run(&Query::new("q"), &TxOptions::new()))
        .await
        .unwrap();
    // The first result is open: a second auto-commit query must wait.
    let err = bounded(conn.run(&Query::new("q"), &TxOptions::new()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidState(_)), "{err}");
    assert!(matches!(
        bounded(conn.begin(&TxOptions::new())).await,
        Err(Error::InvalidState(_))
    ));
    assert!(!conn.is_defunct());
    drop(s);
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn route_message_shape() {
    let rt = map([
        ("ttl", Value::from(300i64)),
        ("db", Value::from("neo4j")),
        ("servers", Value::List(vec![])),
    ]);
    let script = Script::authenticated(5, 4)
        .expect_with(sig::ROUTE, |f| {
            let ok = f.len() == 3
                && f[0].as_map().unwrap()["address"] == Value::from("db:7687")
                && f[1] == Value::from_iter(["bm1"])
                && f[2].as_map().unwrap()["db"] == Value::from("neo4j");
            ok.then_some(()).ok_or_else(|| format!("{f:?}"))
        })
        .success([("rt", Value::Map(rt))]);
    let server = StubServer::start_one(script).await.unwrap();
    let ctx = map([("address", Value::from("db:7687"))]);
    let mut conn = connect_with(&server, &config().with_routing_context(Some(ctx)))
        .await
        .unwrap();
    let opts = RouteOptions {
        bookmarks: vec!["bm1".into()],
        db: Some("neo4j".into()),
        ..RouteOptions::default()
    };
    let s = bounded(conn.route(&opts)).await.unwrap();
    assert_eq!(s.routing_table().unwrap()["ttl"], Value::from(300i64));
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn telemetry_only_when_the_server_asks() {
    let hints = Map::from([(
        "hints".to_owned(),
        Value::Map(map([("telemetry.enabled", Value::from(true))])),
    )]);
    let script = Script::bolt(5, 4)
        .hello_ok(hints, true)
        .expect_with(sig::TELEMETRY, |f| {
            (f == [Value::from(2i64)])
                .then_some(())
                .ok_or_else(|| format!("{f:?}"))
        })
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success(no_meta())
        .success([fields(&[])])
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    assert!(conn.telemetry(TelemetryApi::ImplicitTransaction).unwrap());
    run_all(&mut conn, "RETURN 1").await.unwrap();
    drop(conn);
    server.finish_and_assert().await;

    // No hint, or a version without TELEMETRY: nothing is sent.
    for (major, minor) in [(5, 4), (5, 3)] {
        let server = StubServer::start_one(Script::authenticated(major, minor))
            .await
            .unwrap();
        let mut conn = connect(&server).await.unwrap();
        assert!(!conn.telemetry(TelemetryApi::ExecuteQuery).unwrap());
        drop(conn);
        server.finish_and_assert().await;
    }
}

#[tokio::test]
async fn reauth_with_logoff_and_logon() {
    let script = Script::authenticated(5, 1)
        .expect(sig::LOGOFF)
        .expect_with(sig::LOGON, |f| {
            (f[0].as_map().unwrap()["credentials"] == Value::from("token-2"))
                .then_some(())
                .ok_or("wrong token".into())
        })
        .success(no_meta())
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    bounded(conn.reauth(&AuthToken::bearer("token-2")))
        .await
        .unwrap();
    assert_eq!(conn.server_state(), ServerState::Ready);
    drop(conn);
    server.finish_and_assert().await;

    let server = StubServer::start_one(Script::authenticated(5, 0))
        .await
        .unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.reauth(&AuthToken::none())).await.unwrap_err();
    assert!(
        matches!(err, Error::Unsupported { needs, .. } if needs == Version::V5_1),
        "{err}"
    );
}

#[tokio::test]
async fn close_says_goodbye() {
    let script = Script::authenticated(5, 4)
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    bounded(conn.close()).await;
    assert!(conn.is_defunct());
    assert!(matches!(
        bounded(conn.run(&Query::new("q"), &TxOptions::new())).await,
        Err(Error::InvalidState(_))
    ));
    server.finish_and_assert().await;
}

#[tokio::test]
async fn a_stub_loop_serves_many_queries() {
    let body = steps()
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["x"])])
        .record(vec![Value::from(1)])
        .success(no_meta());
    let server = StubServer::start_one(Script::authenticated(5, 4).repeat_until_closed(body))
        .await
        .unwrap();
    let mut conn = connect(&server).await.unwrap();
    for _ in 0..50 {
        assert_eq!(ints(&run_all(&mut conn, "RETURN 1").await.unwrap()), [1]);
    }
    bounded(conn.close()).await;
    let r = &server.finish_and_assert().await[0];
    assert_eq!(r.messages(sig::RUN).len(), 50);
}

/// Records that arrived together are handed out without IO, in order, up
/// to the end of what was received; the end itself comes from
/// `next_record`.
#[tokio::test]
async fn buffered_records_are_available_without_io() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["i"])])
        .records(int_rows(0..5))
        .success([("type", Value::from("r"))]);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("q"), &TxOptions::new()))
        .await
        .unwrap();
    let first = bounded(conn.next_record(&mut s)).await.unwrap().unwrap();
    let mut seen = vec![first.values().unwrap()[0].as_i64().unwrap()];
    // Give the rest time to arrive, then take them without awaiting.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _ = bounded(conn.next_record(&mut s)).await.unwrap().map(|r| {
        seen.push(r.values().unwrap()[0].as_i64().unwrap());
    });
    while let Some(r) = conn.next_buffered(&mut s).unwrap() {
        seen.push(r.values().unwrap()[0].as_i64().unwrap());
    }
    assert_eq!(seen, [0, 1, 2, 3, 4], "in order, none lost");
    assert!(conn.next_buffered(&mut s).unwrap().is_none());
    assert!(bounded(conn.next_record(&mut s)).await.unwrap().is_none());
    assert_eq!(conn.server_state(), ServerState::Ready);
    drop(conn);
    server.finish_and_assert().await;
}

/// Reads the first value of a raw record (a PackStream list) as a number:
/// an integer as itself, a string as its length.
fn first_as_number(raw: &[u8]) -> i64 {
    let mut u = boltline_bolt::packstream::Unpacker::new(raw);
    assert_eq!(u.read_list_header().unwrap(), 1);
    match u.read_value().unwrap() {
        Value::Integer(i) => i,
        Value::String(s) => i64::try_from(s.len()).unwrap(),
        v => panic!("unexpected {v:?}"),
    }
}

/// `drain_buffered` hands over, in order and without IO, both records it
/// can read in place and one that came in several chunks; a failing
/// callback stops it and leaves the rest for the next reader.
#[tokio::test]
async fn drained_records_come_in_order_including_multi_chunk_ones() {
    let big = "x".repeat(70_000); // more than one chunk
    let mut rows = int_rows(0..3);
    rows.push(vec![Value::from(big.as_str())]);
    rows.extend(int_rows(4..8));
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["i"])])
        .records(rows)
        .success([("type", Value::from("r"))]);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("q"), &TxOptions::new()))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut stops = 0;
    // Read as a batch reader would: one awaited record, then what else is
    // in the input buffer. The callback fails once, on the first record it
    // gets: that record is used up, nothing else is lost.
    while let Some(r) = bounded(conn.next_record(&mut s)).await.unwrap() {
        seen.push(first_as_number(r.raw()));
        let drained = conn
            .drain_buffered(&mut s, |raw| {
                let n = first_as_number(raw);
                seen.push(n);
                if stops == 0 {
                    stops += 1;
                    Err("stop")
                } else {
                    Ok(())
                }
            })
            .unwrap();
        if let Err(e) = drained {
            assert_eq!(e, "stop");
        }
    }
    assert_eq!(seen, [0, 1, 2, 70_000, 4, 5, 6, 7], "in order, none lost");
    assert_eq!(stops, 1);
    assert_eq!(s.records_received(), 8);
    assert_eq!(conn.server_state(), ServerState::Ready);
    drop(conn);
    server.finish_and_assert().await;
}

/// A malformed record met by `drain_buffered` breaks the connection with a
/// protocol error: it is never handed to the callback.
#[tokio::test]
async fn drain_buffered_rejects_a_malformed_record() {
    // RECORD whose list claims two values but holds one.
    let bad: Vec<u8> = vec![0x00, 0x04, 0xB1, 0x71, 0x92, 0x01, 0x00, 0x00];
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["i"])])
        .records(int_rows(0..1))
        .send_raw(bad);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("q"), &TxOptions::new()))
        .await
        .unwrap();
    let first = bounded(conn.next_record(&mut s)).await.unwrap().unwrap();
    assert_eq!(first_as_number(first.raw()), 0);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut handed = 0;
    let r = conn.drain_buffered(&mut s, |_| {
        handed += 1;
        Ok::<_, ()>(())
    });
    assert!(matches!(r, Err(Error::Protocol(_))), "{r:?}");
    assert_eq!(handed, 0);
    assert!(conn.is_defunct());
    drop(conn);
    let _ = server.finish().await;
}
