//! The connection's state machine (live / defunct with a cause / closed)
//! against the stub server: each transition, legal and illegal, with the
//! typed error it yields. The table is in the crate's README
//! ("Connection states").

mod common;

use boltline_bolt::{
    AuthToken, BoltStream, Connection, DefunctCause, Error, Query, ServerState, TxOptions, Value,
};
use boltline_stub::{sig, Script, StubServer};
use common::*;

fn no_meta() -> Vec<(&'static str, Value)> {
    Vec::new()
}

fn assert_invalid(err: Error, needle: &str) {
    assert!(
        matches!(&err, Error::InvalidState(m) if m.contains(needle)),
        "expected InvalidState containing {needle:?}, got {err:?}"
    );
}

/// Every request on a connection that is no longer live fails the same way
/// before anything is sent.
async fn assert_refuses_everything(conn: &mut Connection<BoltStream>, expect: fn(Error)) {
    expect(
        bounded(conn.run(&Query::new("RETURN 1"), &TxOptions::new()))
            .await
            .unwrap_err(),
    );
    expect(bounded(conn.begin(&TxOptions::new())).await.unwrap_err());
    expect(bounded(conn.commit()).await.unwrap_err());
    expect(bounded(conn.rollback()).await.unwrap_err());
    expect(bounded(conn.reset()).await.unwrap_err());
    expect(bounded(conn.reauth(&AuthToken::none())).await.unwrap_err());
    expect(
        conn.telemetry(boltline_bolt::TelemetryApi::ImplicitTransaction)
            .unwrap_err(),
    );
}

#[tokio::test]
async fn live_to_closed_then_every_request_is_refused() {
    let script = Script::authenticated(5, 4)
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    assert!(!conn.is_closed() && !conn.is_defunct());
    assert_eq!(conn.server_state(), ServerState::Ready);
    bounded(conn.close()).await;
    assert!(conn.is_closed());
    assert!(conn.is_defunct(), "a closed connection must be discarded");
    assert_eq!(conn.defunct_cause(), None, "closed, not broken");
    assert_eq!(conn.server_state(), ServerState::Defunct);
    assert!(!conn.needs_reset());
    assert_refuses_everything(&mut conn, |e| assert_invalid(e, "closed")).await;
    // Closing twice is a no-op (no second GOODBYE: the script would fail).
    bounded(conn.close()).await;
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn broken_mid_stream_turns_defunct_with_its_cause() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["x"])])
        .record(vec![Value::from(1)])
        .close_mid_message();
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let mut s = bounded(conn.run(&Query::new("q"), &TxOptions::new()))
        .await
        .unwrap();
    assert_eq!(conn.server_state(), ServerState::Streaming);
    let err = loop {
        match bounded(conn.next_record(&mut s)).await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("a stream cut mid-message was accepted"),
            Err(e) => break e,
        }
    };
    assert!(matches!(err, Error::ConnectionClosed { .. }), "{err:?}");
    assert!(conn.is_defunct() && !conn.is_closed());
    assert_eq!(conn.server_state(), ServerState::Defunct);
    assert!(
        matches!(conn.defunct_cause(), Some(DefunctCause::Broken(m)) if m.contains("closed")),
        "{:?}",
        conn.defunct_cause()
    );
    // The result itself now reports the defunct connection.
    let again = bounded(conn.next_record(&mut s)).await;
    assert!(
        matches!(&again, Err(Error::Defunct(DefunctCause::Broken(m))) if m.contains("closed")),
        "{again:?}"
    );
    assert_refuses_everything(&mut conn, |e| {
        assert!(
            matches!(&e, Error::Defunct(DefunctCause::Broken(m)) if m.contains("closed")),
            "{e:?}"
        )
    })
    .await;
    // The cause stays put; closing afterwards sends no GOODBYE.
    assert!(matches!(
        conn.defunct_cause(),
        Some(DefunctCause::Broken(_))
    ));
    bounded(conn.close()).await;
    assert!(conn.is_closed());
}

#[tokio::test]
async fn a_fatal_failure_turns_defunct_naming_the_server_error() {
    let script = Script::authenticated(5, 4)
        .expect(sig::LOGOFF)
        .expect(sig::LOGON)
        .success(no_meta())
        .failure("Neo.ClientError.Security.Unauthorized", "bad token")
        .close();
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.reauth(&AuthToken::basic("x", "wrong")))
        .await
        .unwrap_err();
    assert_eq!(
        err.server_error().map(|e| e.code.as_str()),
        Some("Neo.ClientError.Security.Unauthorized"),
        "{err:?}"
    );
    assert!(conn.is_defunct() && !conn.is_closed());
    match conn.defunct_cause() {
        Some(DefunctCause::Fatal(e)) => {
            assert_eq!(e.code, "Neo.ClientError.Security.Unauthorized");
            assert_eq!(e.message, "bad token");
        }
        other => panic!("expected a fatal server failure, got {other:?}"),
    }
    assert_eq!(
        conn.last_failure().map(|e| e.message.as_str()),
        Some("bad token")
    );
    assert!(conn.auth().is_none(), "a refused token is not trusted");
    assert_refuses_everything(&mut conn, |e| match &e {
        Error::Defunct(DefunctCause::Fatal(f)) => {
            assert_eq!(f.code, "Neo.ClientError.Security.Unauthorized")
        }
        other => panic!("expected the fatal cause, got {other:?}"),
    })
    .await;
}

#[tokio::test]
async fn failure_then_reset_returns_to_ready() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure("Neo.ClientError.Statement.SyntaxError", "typo")
        .ignored()
        .expect(sig::RESET)
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.run(&Query::new("RETRUN 1"), &TxOptions::new()))
        .await
        .unwrap_err();
    assert_eq!(
        err.server_error().map(|e| e.code.as_str()),
        Some("Neo.ClientError.Statement.SyntaxError")
    );
    // FAILED: live, not defunct; the failure explains what follows.
    assert_eq!(conn.server_state(), ServerState::Failed);
    assert!(!conn.is_defunct() && conn.defunct_cause().is_none());
    assert!(conn.needs_reset());
    assert_eq!(conn.last_failure().unwrap().message, "typo");
    bounded(conn.reset()).await.unwrap();
    assert_eq!(conn.server_state(), ServerState::Ready);
    assert!(conn.last_failure().is_none());
    assert!(!conn.needs_reset());
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn transaction_requests_without_a_transaction_are_refused() {
    // Nothing beyond the handshake may reach the server.
    let script = Script::authenticated(5, 4);
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    assert_invalid(
        bounded(conn.commit()).await.unwrap_err(),
        "no explicit transaction",
    );
    assert_invalid(
        bounded(conn.rollback()).await.unwrap_err(),
        "no explicit transaction",
    );
    assert_invalid(
        bounded(conn.run_in_tx(&Query::new("q"))).await.unwrap_err(),
        "no explicit transaction",
    );
    assert_eq!(conn.server_state(), ServerState::Ready);
    assert!(!conn.in_transaction() && !conn.is_defunct());
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn auto_commit_work_inside_a_transaction_is_refused() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(no_meta())
        .expect(sig::ROLLBACK)
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    bounded(conn.begin(&TxOptions::new())).await.unwrap();
    assert!(conn.in_transaction());
    assert_eq!(conn.server_state(), ServerState::TxReady);
    assert_invalid(
        bounded(conn.begin(&TxOptions::new())).await.unwrap_err(),
        "explicit transaction is open",
    );
    assert_invalid(
        bounded(conn.run(&Query::new("q"), &TxOptions::new()))
            .await
            .unwrap_err(),
        "explicit transaction is open",
    );
    // Still in the transaction; it ends normally.
    assert!(conn.in_transaction());
    bounded(conn.rollback()).await.unwrap();
    assert!(!conn.in_transaction());
    assert_eq!(conn.server_state(), ServerState::Ready);
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn commit_of_a_failed_transaction_reports_the_failure_and_ends_it() {
    let script = Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success(no_meta())
        .failure("Neo.ClientError.Statement.SyntaxError", "typo")
        .ignored()
        // The next auto-commit work recovers with a pipelined RESET.
        .expect(sig::RESET)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success(no_meta())
        .success([fields(&["x"])])
        .record(vec![Value::from(7)])
        .success(no_meta());
    let server = StubServer::start_one(script).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    bounded(conn.begin_pipelined(&TxOptions::new()))
        .await
        .unwrap();
    let err = bounded(conn.run_in_tx(&Query::new("RETRUN")))
        .await
        .unwrap_err();
    assert_eq!(err.server_error().unwrap().message, "typo");
    assert_eq!(conn.server_state(), ServerState::Failed);
    assert!(conn.in_transaction());
    // COMMIT is not sent: the failure is reported again, the transaction ends.
    let err = bounded(conn.commit()).await.unwrap_err();
    assert_eq!(err.server_error().unwrap().message, "typo");
    assert!(!conn.in_transaction());
    assert_eq!(ints(&run_all(&mut conn, "RETURN 7").await.unwrap()), [7]);
    assert_eq!(conn.server_state(), ServerState::Ready);
    drop(conn);
    server.finish_and_assert().await;
}
