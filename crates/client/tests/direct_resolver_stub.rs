//! A custom resolver applies to `bolt://` too: each new connection tries
//! the addresses it returns in turn (as the Python driver resolves every
//! connection's address).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use boltline::{Address, AuthToken, Config, Driver, SessionConfig};
use boltline_stub::{sig, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

/// An address nothing listens on: a listener bound then dropped.
async fn dead_address() -> Address {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    Address::new("127.0.0.1", port)
}

#[tokio::test]
async fn bolt_uri_connections_go_through_the_custom_resolver() {
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))]);
    let server = StubServer::start_one(script).await.unwrap();
    let live = Address::new("127.0.0.1", server.address().port());
    let dead = dead_address().await;
    let asked = Arc::new(AtomicUsize::new(0));
    let seen = asked.clone();
    let config = Config::builder()
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .with_resolver(move |a: Address| {
            let (dead, live, seen) = (dead.clone(), live.clone(), seen.clone());
            async move {
                // Asked for the URI's address, which does not exist.
                assert_eq!(a.host(), "cluster.invalid");
                seen.fetch_add(1, Ordering::SeqCst);
                Ok(vec![dead, live])
            }
        })
        .build()
        .unwrap();
    let d = Driver::with_config(
        "bolt://cluster.invalid:7687",
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .unwrap();
    let mut s = d.session(SessionConfig::new());
    let mut r = tokio::time::timeout(LIMIT, s.run("RETURN 1 AS x"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.single().await.unwrap().get_as::<i64>("x").unwrap(), 1);
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    s.close().await.unwrap();
    d.close().await;
    server.finish_and_assert().await;
}

#[tokio::test]
async fn a_resolver_with_no_usable_address_fails_the_acquisition() {
    let dead = dead_address().await;
    let config = Config::builder()
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .with_resolver(move |_: Address| {
            let dead = dead.clone();
            async move { Ok(vec![dead]) }
        })
        .build()
        .unwrap();
    let d = Driver::with_config(
        "bolt://cluster.invalid:7687",
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .unwrap();
    let err = tokio::time::timeout(LIMIT, d.verify_connectivity())
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.is_service_unavailable(), "{err:?}");
    d.close().await;
}
