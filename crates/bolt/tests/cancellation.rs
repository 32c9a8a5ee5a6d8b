//! Dropped futures never leave a connection out of sync: the next request
//! reads what the abandoned one was owed, or the connection is defunct.

mod common;

use std::time::Duration;

use boltline_bolt::chunk::{write_message, Dechunker};
use boltline_bolt::packstream::{write_struct_header, Dialect, Unpacker};
use boltline_bolt::{Connection, DefunctCause, Error, Map, Query, ServerState, TxOptions, Value};
use boltline_stub::{map, sig, Script, StubServer};
use bytes::BytesMut;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

fn no_meta() -> Vec<(&'static str, Value)> {
    Vec::new()
}

#[tokio::test]
async fn a_timed_out_run_is_drained_by_the_next_query() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .delay(Duration::from_millis(300))
        .success([fields(&["x"])])
        .record(vec![Value::from(1)])
        .success(no_meta())
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["x"])])
        .record(vec![Value::from(2)])
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let abandoned = tokio::time::timeout(
        Duration::from_millis(50),
        conn.run(&Query::new("RETURN 1"), &TxOptions::new()),
    )
    .await;
    assert!(abandoned.is_err(), "the stub delays: the run must time out");
    assert!(!conn.is_defunct());
    assert!(conn.needs_reset() && conn.has_pending_responses());
    // The abandoned result's record (1) is skipped, not mistaken for ours.
    assert_eq!(ints(&run_all(&mut conn, "RETURN 2").await.unwrap()), [2]);
    assert!(!conn.needs_reset());
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    assert_eq!(r.names(), ["HELLO", "LOGON", "RUN", "PULL", "RUN", "PULL"]);
}

#[tokio::test]
async fn a_dropped_result_is_discarded_before_the_next_query() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .success([fields(&["i"])])
        // First PULL n=2 gets two rows and has_more; then the DISCARD.
        .serve_stream(int_rows(0..100), map([("bookmark", Value::from("a"))]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["x"])])
        .record(vec![Value::from(42)])
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("q").with_fetch_size(2), &TxOptions::new()))
        .await
        .unwrap();
    assert_eq!(
        first(bounded(conn.next_record(&mut s)).await.unwrap()),
        Value::from(0)
    );
    drop(s);
    assert_eq!(ints(&run_all(&mut conn, "RETURN 42").await.unwrap()), [42]);
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    assert_eq!(
        r.names(),
        ["HELLO", "LOGON", "RUN", "PULL", "DISCARD", "RUN", "PULL"]
    );
}

#[tokio::test]
async fn a_cancelled_next_record_resumes_in_order() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["i"])])
        .records(int_rows(0..2))
        .success([("has_more", Value::from(true))])
        .expect(sig::PULL)
        .delay(Duration::from_millis(300))
        .records(int_rows(2..4))
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("q").with_fetch_size(2), &TxOptions::new()))
        .await
        .unwrap();
    let mut got = ints(&[
        bounded(conn.next_record(&mut s))
            .await
            .unwrap()
            .unwrap()
            .values()
            .unwrap(),
        bounded(conn.next_record(&mut s))
            .await
            .unwrap()
            .unwrap()
            .values()
            .unwrap(),
    ]);
    tokio::select! {
        r = conn.next_record(&mut s) => panic!("the stub delays the batch, got {r:?}"),
        _ = tokio::time::sleep(Duration::from_millis(50)) => {}
    }
    assert!(!conn.is_defunct());
    got.extend(ints(&collect(&mut conn, &mut s).await.unwrap()));
    assert_eq!(got, [0, 1, 2, 3]);
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    assert_eq!(
        r.messages(sig::PULL).len(),
        2,
        "the cancelled PULL is not repeated"
    );
}

#[tokio::test]
async fn a_timed_out_commit_is_settled_before_the_next_request() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(no_meta())
        .expect(sig::COMMIT)
        .delay(Duration::from_millis(300))
        .success([("bookmark", Value::from("bm"))])
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["x"])])
        .record(vec![Value::from(3)])
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    bounded(conn.begin(&TxOptions::new())).await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(50), conn.commit())
            .await
            .is_err()
    );
    assert!(!conn.is_defunct());
    assert_eq!(ints(&run_all(&mut conn, "RETURN 3").await.unwrap()), [3]);
    assert_eq!(conn.server_state(), ServerState::Ready);
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn a_stalled_server_past_the_recv_timeout_hint_makes_the_connection_defunct() {
    let hints = Map::from([(
        "hints".to_owned(),
        Value::Map(map([(
            "connection.recv_timeout_seconds",
            Value::from(1i64),
        )])),
    )]);
    let script = Script::bolt(5, 4)
        .hello_ok(hints, true)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .delay(Duration::from_millis(2500));
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    assert_eq!(
        conn.server_info().recv_timeout,
        Some(Duration::from_secs(1))
    );
    let err = bounded(conn.run(&Query::new("q"), &TxOptions::new()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { timeout, .. } if timeout == Duration::from_secs(1)),
        "{err}"
    );
    assert!(conn.is_defunct() && !conn.needs_reset());
    assert!(matches!(
        bounded(conn.run(&Query::new("q"), &TxOptions::new())).await,
        Err(Error::Defunct(DefunctCause::Broken(m))) if m.contains("timed out")
    ));
}

#[tokio::test]
async fn a_configured_read_timeout_overrides_the_hint() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RESET)
        .delay(Duration::from_millis(1000));
    let server = StubServer::start_one(script).await.unwrap();
    let config = config().with_read_timeout(Some(Duration::from_millis(100)));
    let mut conn = connect_with(&server, &config).await.unwrap();
    let err = bounded(conn.reset()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(conn.is_defunct());
}

// --- A cancelled write, over an in-memory duplex stream ----------------------

fn message(signature: u8, fields: &[Value]) -> BytesMut {
    let mut out = BytesMut::new();
    write_message::<boltline_bolt::packstream::Error>(&mut out, |b| {
        write_struct_header(b, signature, fields.len())?;
        for f in fields {
            f.encode(b, Dialect::BOLT_5)?;
        }
        Ok(())
    })
    .unwrap();
    out
}

async fn read_message(
    io: &mut DuplexStream,
    buf: &mut BytesMut,
    d: &mut Dechunker,
) -> (u8, Vec<Value>) {
    loop {
        if let Some(m) = d.decode(buf).unwrap() {
            let mut u = Unpacker::from_bytes(&m);
            let (sig, n) = u.read_struct_header().unwrap();
            return (sig, (0..n).map(|_| u.read_value().unwrap()).collect());
        }
        assert!(io.read_buf(buf).await.unwrap() > 0, "client closed");
    }
}

/// A tiny Bolt 5.4 server on the other end of a duplex: it authenticates the
/// client, waits for `gate`, then answers two queries, returning what it read.
async fn duplex_server(
    mut io: DuplexStream,
    gate: tokio::sync::oneshot::Receiver<()>,
) -> Vec<(u8, Vec<Value>)> {
    let mut hs = [0u8; 20];
    io.read_exact(&mut hs).await.unwrap();
    io.write_all(&[0, 0, 4, 5]).await.unwrap();
    let (mut buf, mut d) = (BytesMut::new(), Dechunker::default());
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(read_message(&mut io, &mut buf, &mut d).await);
    }
    let server = Value::Map(map([("server", Value::from("Neo4j/5.26.0"))]));
    io.write_all(&message(sig::SUCCESS, &[server]))
        .await
        .unwrap();
    io.write_all(&message(sig::SUCCESS, &[Value::Map(Map::new())]))
        .await
        .unwrap();
    gate.await.unwrap();
    for answer in [1, 2] {
        seen.push(read_message(&mut io, &mut buf, &mut d).await);
        seen.push(read_message(&mut io, &mut buf, &mut d).await);
        let f = Value::Map(map([("fields", Value::from_iter(["x"]))]));
        io.write_all(&message(sig::SUCCESS, &[f])).await.unwrap();
        io.write_all(&message(
            sig::RECORD,
            &[Value::List(vec![Value::from(answer)])],
        ))
        .await
        .unwrap();
        io.write_all(&message(sig::SUCCESS, &[Value::Map(Map::new())]))
            .await
            .unwrap();
    }
    seen
}

#[tokio::test]
async fn a_run_cancelled_mid_write_is_completed_by_the_next_request() {
    // 64 bytes of buffer: the 200 kB RUN cannot be written until the server
    // reads, and the server reads only after the client gave up.
    let (client, server_io) = tokio::io::duplex(64);
    let (open_gate, gate) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(duplex_server(server_io, gate));
    let mut conn = bounded(Connection::open(client, &config())).await.unwrap();
    let big = "x".repeat(200_000);
    let q = Query::new("RETURN size($s)").param("s", big.as_str());
    let cut =
        tokio::time::timeout(Duration::from_millis(100), conn.run(&q, &TxOptions::new())).await;
    assert!(cut.is_err(), "the write must still be blocked");
    assert!(!conn.is_defunct());
    open_gate.send(()).unwrap();
    let mut s = bounded(conn.run(&Query::new("RETURN 2"), &TxOptions::new()))
        .await
        .unwrap();
    let mut got = Vec::new();
    while let Some(r) = bounded(conn.next_record(&mut s)).await.unwrap() {
        got.push(r.values().unwrap()[0].clone());
    }
    assert_eq!(
        got,
        [Value::from(2)],
        "the abandoned query's record is not ours"
    );
    drop(conn);
    let seen = bounded(server).await.unwrap();
    let names: Vec<u8> = seen.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        names,
        [
            sig::HELLO,
            sig::LOGON,
            sig::RUN,
            sig::PULL,
            sig::RUN,
            sig::PULL
        ]
    );
    // The big query arrived whole.
    assert_eq!(seen[2].1[1].as_map().unwrap()["s"], Value::from(big));
}
