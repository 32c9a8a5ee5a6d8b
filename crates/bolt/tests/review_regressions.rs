//! Regressions for faults a review of the pipeline found: each test failed
//! (hung, buffered without bound, or went on with an unknown identity)
//! before its fix.

mod common;

use std::time::Duration;

use boltline_bolt::chunk::{write_message, Dechunker};
use boltline_bolt::packstream::{write_struct_header, Dialect, Unpacker};
use boltline_bolt::{Connection, Error, Map, Query, TelemetryApi, TxOptions, Value};
use boltline_stub::{map, sig, Script, StubServer};
use bytes::BytesMut;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter, DuplexStream};

fn message(signature: u8, fields: &[Value]) -> BytesMut {
    let mut out = BytesMut::new();
    write_message::<boltline_bolt::packstream::Error>(&mut out, |b| {
        write_struct_header(b, signature, fields.len())?;
        for f in fields {
            f.encode(b, Dialect::BOLT_5)?;
        }
        Ok(())
    })
    .expect("encodable");
    out
}

async fn read_message(
    io: &mut DuplexStream,
    buf: &mut BytesMut,
    d: &mut Dechunker,
) -> (u8, Vec<Value>) {
    loop {
        if let Some(m) = d.decode(buf).expect("valid chunks") {
            let mut u = Unpacker::from_bytes(&m);
            let (sig, n) = u.read_struct_header().expect("a message");
            return (
                sig,
                (0..n).map(|_| u.read_value().expect("a field")).collect(),
            );
        }
        assert!(io.read_buf(buf).await.expect("read") > 0, "client closed");
    }
}

/// A Bolt 4.4 server over a duplex: answers HELLO, then (once `gate`
/// opens) two RUN+PULL pairs with 1 and 2.
async fn duplex_server(mut io: DuplexStream, gate: tokio::sync::oneshot::Receiver<()>) {
    let mut hs = [0u8; 20];
    io.read_exact(&mut hs).await.expect("handshake");
    io.write_all(&[0, 0, 4, 4]).await.expect("version");
    let (mut buf, mut d) = (BytesMut::new(), Dechunker::default());
    read_message(&mut io, &mut buf, &mut d).await; // HELLO
    let server = Value::Map(map([("server", Value::from("Neo4j/5.26.0"))]));
    io.write_all(&message(sig::SUCCESS, &[server]))
        .await
        .expect("write");
    let _ = gate.await;
    for answer in [1, 2] {
        read_message(&mut io, &mut buf, &mut d).await; // RUN
        read_message(&mut io, &mut buf, &mut d).await; // PULL
        let f = Value::Map(map([("fields", Value::from_iter(["x"]))]));
        io.write_all(&message(sig::SUCCESS, &[f]))
            .await
            .expect("write");
        let row = Value::List(vec![Value::from(answer)]);
        io.write_all(&message(sig::RECORD, &[row]))
            .await
            .expect("write");
        io.write_all(&message(sig::SUCCESS, &[Value::Map(Map::new())]))
            .await
            .expect("write");
    }
}

/// A transport that buffers in `poll_write` and sends in `poll_flush` (as
/// TLS does; `BufWriter` stands in for it): a request whose flush was
/// cancelled must be flushed before the connection waits for its answer.
#[tokio::test]
async fn a_cancelled_flush_is_resumed_before_waiting_for_answers() {
    let (client, server_io) = tokio::io::duplex(64);
    let client = BufWriter::with_capacity(1 << 20, client);
    let (open_gate, gate) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(duplex_server(server_io, gate));
    let mut conn = bounded(Connection::open(client, &config())).await.unwrap();
    let big = "x".repeat(200_000);
    let q = Query::new("RETURN size($s)").param("s", big.as_str());
    let cut =
        tokio::time::timeout(Duration::from_millis(100), conn.run(&q, &TxOptions::new())).await;
    assert!(
        cut.is_err(),
        "the flush is still blocked when the caller gives up"
    );
    assert!(!conn.is_defunct());
    open_gate.send(()).unwrap();
    let mut s = tokio::time::timeout(
        Duration::from_secs(5),
        conn.run(&Query::new("RETURN 2"), &TxOptions::new()),
    )
    .await
    .expect("the next request completes")
    .unwrap();
    let r = bounded(conn.next_record(&mut s)).await.unwrap().unwrap();
    assert_eq!(
        r.values().unwrap(),
        [Value::from(2)],
        "its own answer, in sync"
    );
    drop(conn);
    server.abort();
}

/// Records beyond what the PULLs asked for are a protocol violation, not
/// something to buffer without bound.
#[tokio::test]
async fn records_beyond_the_pull_size_end_the_connection() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(Vec::<(&str, Value)>::new())
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["i"]), ("qid", Value::from(0i64))])
        .records(int_rows(0..50_000))
        .success([("has_more", Value::from(true))])
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["i"]), ("qid", Value::from(1i64))])
        .success(Vec::<(&str, Value)>::new());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    bounded(conn.begin(&TxOptions::new())).await.unwrap();
    let a = bounded(conn.run_in_tx(&Query::new("a").with_fetch_size(2)))
        .await
        .unwrap();
    let err = bounded(conn.run_in_tx(&Query::new("b"))).await.unwrap_err();
    assert!(matches!(err, Error::Protocol(_)), "{err:?}");
    assert!(conn.is_defunct());
    assert!(conn.stream_stats(&a).is_none_or(|s| s.buffered <= 2));
    drop(conn);
    server.finish().await;
}

/// `LOGOFF`/`LOGON` answered `IGNORED` (the server was interrupted) leave
/// the connection's identity unknown: it must not go on as if clean.
#[tokio::test]
async fn an_ignored_logon_makes_the_connection_defunct() {
    let script = Script::authenticated(5, 4)
        .expect(sig::LOGOFF)
        .expect(sig::LOGON)
        .expect(sig::RESET)
        .ignored()
        .ignored()
        .success(Vec::<(&str, Value)>::new());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let other = boltline_bolt::AuthToken::basic("alice", "pw");
    // Cancel the reauth once LOGOFF+LOGON are on their way.
    let _ = tokio::time::timeout(Duration::from_millis(1), conn.reauth(&other)).await;
    let r = bounded(conn.reset()).await;
    assert!(r.is_err(), "{r:?}");
    assert!(conn.is_defunct());
    drop(conn);
    server.finish().await;
}

/// `TELEMETRY` is not sent while a dropped result still needs its
/// `DISCARD` (the server is still streaming it); the query goes on.
#[tokio::test]
async fn telemetry_never_overtakes_a_pending_discard() {
    let hello = map([
        ("server", Value::from("Neo4j/5.26.0")),
        (
            "hints",
            Value::Map(map([("telemetry.enabled", Value::from(true))])),
        ),
    ]);
    let script = Script::bolt(5, 4)
        .hello_ok(hello, true)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["i"])])
        .records(int_rows(0..2))
        .success([("has_more", Value::from(true))])
        .expect(sig::DISCARD)
        .success(Vec::<(&str, Value)>::new())
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["x"])])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))]);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let s = bounded(conn.run(&Query::new("q").with_fetch_size(2), &TxOptions::new()))
        .await
        .unwrap();
    drop(s);
    assert!(!conn.telemetry(TelemetryApi::ImplicitTransaction).unwrap());
    assert_eq!(
        run_all(&mut conn, "RETURN 1").await.unwrap(),
        [[Value::from(1)]]
    );
    drop(conn);
    let reports = server.finish_and_assert().await;
    assert!(!reports[0].names().iter().any(|n| n == "TELEMETRY"));
}
