//! Bad input from the server: a typed error and a defunct connection, never
//! a panic or a hang.

mod common;

use boltline_bolt::{
    BoltStream, Connection, DefunctCause, Error, Query, ServerState, TxOptions, Value,
};
use boltline_stub::{sig, Script, StubServer};
use common::*;

/// Runs a query against a server that misbehaves after RUN+PULL arrive;
/// checks the error and that the connection is defunct for good.
async fn run_against(
    misbehaviour: impl FnOnce(Script) -> Script,
) -> (Error, Connection<BoltStream>) {
    let script = misbehaviour(
        Script::authenticated(5, 4)
            .expect(sig::RUN)
            .expect(sig::PULL),
    );
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect_with(&server, &config().with_max_message_size(4096))
        .await
        .unwrap();
    let err = match bounded(conn.run(&Query::new("RETURN 1"), &TxOptions::new())).await {
        Ok(mut s) => loop {
            match bounded(conn.next_record(&mut s)).await {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("the faulty server's answer was accepted"),
                Err(e) => break e,
            }
        },
        Err(e) => e,
    };
    assert!(conn.is_defunct(), "defunct after {err}");
    assert!(!conn.needs_reset());
    assert_eq!(conn.server_state(), ServerState::Defunct);
    let again = bounded(conn.run(&Query::new("RETURN 1"), &TxOptions::new())).await;
    assert!(
        matches!(&again, Err(Error::Defunct(DefunctCause::Broken(m))) if *m == err.to_string()),
        "{again:?}"
    );
    (err, conn)
}

#[tokio::test]
async fn garbage_bytes_in_a_message() {
    // A well-formed chunk holding reserved PackStream markers.
    let (err, _) = run_against(|s| s.send_raw(vec![0x00, 0x02, 0xE5, 0xE5, 0x00, 0x00])).await;
    assert!(
        matches!(&err, Error::Protocol(m) if m.contains("structure")),
        "{err}"
    );
    assert!(err.is_connection_error());
}

#[tokio::test]
async fn a_truncated_chunk_then_close() {
    let (err, _) = run_against(|s| s.send_raw(vec![0x00, 0x40, 1, 2, 3]).close()).await;
    assert!(
        matches!(&err, Error::ConnectionClosed { during } if during.contains("message")),
        "{err}"
    );
}

#[tokio::test]
async fn closing_mid_message() {
    let (err, _) = run_against(|s| s.success([fields(&["x"])]).close_mid_message()).await;
    assert!(matches!(err, Error::ConnectionClosed { .. }), "{err}");
    assert!(err.retry_action().is_retry());
}

#[tokio::test]
async fn closing_instead_of_answering() {
    let (err, _) = run_against(|s| s.close()).await;
    assert!(
        matches!(&err, Error::ConnectionClosed { during } if during.contains("request")),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_message() {
    let (err, _) = run_against(|s| s.send(0x55, vec![])).await;
    assert!(
        matches!(&err, Error::Protocol(m) if m.contains("0x55")),
        "{err}"
    );
}

#[tokio::test]
async fn a_summary_with_the_wrong_field_count() {
    let (err, _) =
        run_against(|s| s.send(sig::SUCCESS, vec![Value::from(1), Value::from(2)])).await;
    assert!(
        matches!(&err, Error::Protocol(m) if m.contains("SUCCESS")),
        "{err}"
    );
}

#[tokio::test]
async fn a_record_that_is_not_a_list() {
    let (err, _) = run_against(|s| {
        s.success([fields(&["x"])])
            .send(sig::RECORD, vec![Value::from(1)])
    })
    .await;
    assert!(
        matches!(&err, Error::Protocol(m) if m.contains("RECORD")),
        "{err}"
    );
}

#[tokio::test]
async fn a_hostile_length_inside_a_message() {
    // RECORD [ <string claiming 4 GiB> ]
    let body = vec![0xB1, 0x71, 0x91, 0xD2, 0xFF, 0xFF, 0xFF, 0xFF, b'x'];
    let (err, _) = run_against(|s| s.success([fields(&["x"])]).send_message(body)).await;
    assert!(
        matches!(&err, Error::Protocol(m) if m.contains("RECORD")),
        "{err}"
    );
}

#[tokio::test]
async fn an_oversized_message() {
    let big = "x".repeat(10_000);
    let (err, _) =
        run_against(|s| s.success([fields(&["x"])]).record(vec![Value::from(big)])).await;
    assert!(
        matches!(err, Error::MessageTooLarge { limit: 4096, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_record_in_reply_to_begin() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .record(vec![Value::from(1)]);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.begin(&TxOptions::new())).await.unwrap_err();
    assert!(
        matches!(&err, Error::Protocol(m) if m.contains("BEGIN")),
        "{err}"
    );
    assert!(conn.is_defunct());
}

#[tokio::test]
async fn a_failed_reset_kills_the_connection() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RESET)
        .failure("Neo.ClientError.Request.Invalid", "cannot reset")
        .close();
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.reset()).await.unwrap_err();
    assert_eq!(
        err.server_error().unwrap().code,
        "Neo.ClientError.Request.Invalid"
    );
    assert!(conn.is_defunct());
}

#[tokio::test]
async fn a_failed_logoff_kills_the_connection_and_reports_why() {
    let script = Script::authenticated(5, 4)
        .expect(sig::LOGOFF)
        .expect(sig::LOGON)
        .failure("Neo.ClientError.Request.Invalid", "no logoff here")
        .close();
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.reauth(&boltline_bolt::AuthToken::none()))
        .await
        .unwrap_err();
    assert_eq!(
        err.server_error().unwrap().message,
        "no logoff here",
        "{err}"
    );
    assert!(conn.is_defunct());
}

#[tokio::test]
async fn closing_between_hello_and_logon() {
    let script = Script::bolt(5, 4)
        .expect(sig::HELLO)
        .expect(sig::LOGON)
        .success([("server", Value::from("Neo4j/5.26.0"))])
        .close();
    let err = connect_refused(script).await;
    assert!(matches!(err, Error::ConnectionClosed { .. }), "{err}");
}

#[tokio::test]
async fn garbage_instead_of_a_handshake_answer() {
    // Four bytes that name no version we offered.
    let script = Script::new(boltline_stub::Handshake::Raw(vec![0xDE, 0xAD, 0xBE, 0xEF]));
    let err = connect_refused(script).await;
    assert!(matches!(err, Error::UnsupportedVersion { .. }), "{err}");
}

/// A summary naming a query type that does not exist is a protocol
/// violation (as in the official drivers), not a summary without a type.
#[tokio::test]
async fn an_unknown_query_type_in_a_summary_is_a_protocol_error() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["n"])])
        .success([("type", Value::from("wr"))]);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("RETURN 1 AS n"), &TxOptions::new()))
        .await
        .unwrap();
    let err = bounded(conn.consume(&mut s)).await.unwrap_err();
    assert!(
        matches!(err, Error::Protocol(ref m) if m.contains("wr")),
        "{err:?}"
    );
    assert!(conn.is_defunct());
    drop(conn);
    server.finish().await;
}
