//! Credentials are an argument of the acquisition: they reach the
//! connection whatever task opens or prepares it, and a refusal is the
//! acquisition's own error.

mod common;

use std::sync::Arc;
use std::time::Duration;

use boltline_bolt::{AuthToken, Error, Query, TxOptions, Value};
use boltline_pool::{AuthScope, Pool, PoolError};
use boltline_stub::{sig, Script, StubServer};
use common::{config, manager, return_one, LIMIT};

fn alice() -> AuthToken {
    AuthToken::basic("alice", "alice-secret")
}

fn as_alice() -> Option<AuthScope> {
    Some(AuthScope::new(Arc::new(alice())))
}

fn principal(m: &boltline_stub::Received) -> Option<&str> {
    m.entry(0, "principal").and_then(Value::as_str)
}

async fn run_one(conn: &mut boltline_pool::BoltConnection) {
    let mut s = conn
        .run(&Query::new("RETURN 1 AS x"), &TxOptions::new())
        .await
        .expect("run");
    assert!(conn.next_record(&mut s).await.expect("record").is_some());
    assert!(conn.next_record(&mut s).await.expect("end").is_none());
}

/// The case a task-local lost: the acquisition (and so the connection's
/// opening) runs on a task spawned by the caller.
#[tokio::test]
async fn credentials_reach_a_connection_opened_on_a_spawned_task() {
    let script = Script::bolt(5, 4)
        .expect(sig::HELLO)
        .success([("server", Value::from("Neo4j/5.26.0"))])
        .expect(sig::LOGON)
        .success(Vec::<(&str, Value)>::new())
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let pool = Pool::new(manager(&server), config(1)).await.unwrap();
    let auth = as_alice();
    let spawned = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let conn = pool.acquire_with(&auth).await.expect("acquire");
            conn.auth().cloned()
        })
    };
    let used = tokio::time::timeout(LIMIT, spawned).await.unwrap().unwrap();
    assert_eq!(used, Some(alice()), "the connection names alice's token");
    pool.close().await;
    let reports = server.finish_and_assert().await;
    let logons = reports[0].messages(sig::LOGON);
    assert_eq!(logons.len(), 1);
    assert_eq!(principal(logons[0]), Some("alice"), "{:?}", logons[0]);
}

/// An idle connection logged in as the configured user is switched for an
/// acquisition with other credentials made on a spawned task: LOGOFF and
/// LOGON go out with that task's first request.
#[tokio::test]
async fn an_idle_connection_is_switched_for_a_spawned_acquisition() {
    let script = Script::authenticated(5, 4)
        .expect(sig::LOGOFF)
        .expect(sig::LOGON)
        .success(Vec::<(&str, Value)>::new())
        .success(Vec::<(&str, Value)>::new())
        .then(return_one())
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let pool = Pool::new(manager(&server), config(1)).await.unwrap();
    drop(
        pool.acquire()
            .await
            .expect("a connection as the configured user"),
    );
    let auth = as_alice();
    let spawned = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut conn = pool.acquire_with(&auth).await.expect("acquire");
            run_one(&mut conn).await;
            conn.auth().cloned()
        })
    };
    let used = tokio::time::timeout(LIMIT, spawned).await.unwrap().unwrap();
    assert_eq!(used, Some(alice()));
    assert_eq!(pool.stats().created, 1, "switched, not replaced");
    pool.close().await;
    let reports = server.finish_and_assert().await;
    let logons = reports[0].messages(sig::LOGON);
    assert_eq!(logons.len(), 2);
    assert_eq!(principal(logons[0]), Some("neo4j"));
    assert_eq!(principal(logons[1]), Some("alice"));
}

/// Verifying credentials (a forced scope) that the server refuses fails the
/// acquisition with the server's error, returned by the acquisition itself;
/// no new connection is opened just to be refused again.
#[tokio::test]
async fn refused_credentials_fail_the_acquisition_with_the_server_error() {
    let script = Script::authenticated(5, 4)
        .expect(sig::LOGOFF)
        .expect(sig::LOGON)
        .success(Vec::<(&str, Value)>::new())
        .failure("Neo.ClientError.Security.Unauthorized", "wrong password")
        .close();
    let server = StubServer::start_one(script).await.unwrap();
    let pool = Pool::new(manager(&server), config(1)).await.unwrap();
    drop(
        pool.acquire()
            .await
            .expect("a connection as the configured user"),
    );
    let forced = Some(AuthScope::new(Arc::new(alice())).forced());
    let err = tokio::time::timeout(LIMIT, pool.acquire_with(&forced))
        .await
        .unwrap()
        .expect_err("refused");
    match &err {
        PoolError::Connect(Error::Server(e)) => {
            assert_eq!(e.code, "Neo.ClientError.Security.Unauthorized");
            assert_eq!(e.message, "wrong password");
        }
        other => panic!("expected the server's refusal, got {other:?}"),
    }
    let stats = pool.stats();
    assert_eq!(stats.created, 1, "no connection opened after the refusal");
    assert_eq!(stats.size, 0, "the refused connection was retired");
    assert_eq!(server.accepted(), 1);
}

/// An acquisition cancelled while its connection is being opened (with its
/// credentials) leaves no place taken and no empty slot behind.
#[tokio::test]
async fn an_acquisition_cancelled_while_connecting_frees_its_place() {
    let slow = Script::bolt(5, 4)
        .expect(sig::HELLO)
        .expect(sig::LOGON)
        .delay(Duration::from_secs(3))
        .close();
    let server = StubServer::start([slow, Script::authenticated(5, 4)])
        .await
        .unwrap();
    let pool = Pool::new(manager(&server), config(1)).await.unwrap();
    let cancelled =
        tokio::time::timeout(Duration::from_millis(300), pool.acquire_with(&as_alice())).await;
    assert!(cancelled.is_err(), "the slow HELLO outlasts the timeout");
    let stats = pool.stats();
    assert_eq!((stats.size, stats.in_use, stats.created), (0, 0, 0));
    // max_size 1: this succeeds only if the cancelled place was freed.
    let conn = tokio::time::timeout(LIMIT, pool.acquire_with(&as_alice()))
        .await
        .unwrap()
        .expect("a new connection");
    assert_eq!(conn.auth(), Some(&alice()));
    assert_eq!(pool.stats().created, 1);
}
