//! `boltline-routing` against a real Neo4j (started by `cargo xtask itest`)
//! through the `neo4j://` scheme. The test server is a single instance: its
//! own router, reader and writer.

use std::time::Duration;

use boltline_bolt::{AuthToken, ConnectionConfig, Query, TxOptions};
use boltline_itests::{bounded, server, TestServer};
use boltline_routing::{
    AccessMode, AcquireOptions, Connector, ConnectorConfig, HomeDbKey, RoutedConnection,
};

fn connector(s: &TestServer) -> Connector {
    let config = ConnectorConfig::new(
        ConnectionConfig::new()
            .with_auth(AuthToken::basic(s.user(), s.password()))
            .with_user_agent("boltline-itests/0"),
    );
    let uri = format!("neo4j://{}?purpose=itest", s.address());
    Connector::from_uri(&uri, config).unwrap_or_else(|e| panic!("{uri}: {e}"))
}

async fn return_1(conn: &mut RoutedConnection) -> i64 {
    let options = TxOptions::new()
        .with_db(conn.database())
        .with_mode(conn.mode());
    let mut result = bounded(conn.run(&Query::new("RETURN 1 AS one"), &options))
        .await
        .unwrap();
    let mut rows = Vec::new();
    while let Some(record) = bounded(conn.next_record(&mut result)).await.unwrap() {
        rows.push(record.values().unwrap());
    }
    assert_eq!(rows.len(), 1, "one row expected");
    rows[0][0].as_i64().expect("an integer")
}

#[tokio::test]
async fn neo4j_scheme_against_a_single_server() {
    let s = server();
    let c = connector(&s);

    // The server routes for itself: one router, reader and writer.
    let table = bounded(
        c.fetch_routing_table(&AcquireOptions::new(AccessMode::Read).with_database("neo4j")),
    )
    .await
    .unwrap_or_else(|e| panic!("routing table from {}: {e}", s.uri()));
    assert_eq!(table.database(), "neo4j");
    assert_eq!(table.routers().len(), 1, "{table:?}");
    assert_eq!(table.readers().len(), 1, "{table:?}");
    assert_eq!(table.writers().len(), 1, "{table:?}");
    assert_eq!(table.readers(), table.writers());
    assert!(table.ttl() > Duration::ZERO);

    for mode in [AccessMode::Read, AccessMode::Write] {
        let mut conn = bounded(c.acquire(Some("neo4j"), mode))
            .await
            .unwrap_or_else(|e| panic!("{mode:?} connection: {e}"));
        assert_eq!(conn.address(), &table.readers()[0]);
        assert_eq!(return_1(&mut conn).await, 1, "{mode:?}");
    }
    assert!(c.in_use().values().all(|n| *n == 0));
}

#[tokio::test]
async fn home_database_is_resolved_by_the_server() {
    let s = server();
    let c = connector(&s);
    let mut conn = bounded(c.acquire(None, AccessMode::Write))
        .await
        .unwrap_or_else(|e| panic!("home database connection: {e}"));
    // Community edition: the home database is the default, `neo4j`.
    assert_eq!(conn.database(), "neo4j");
    assert!(conn.is_home_database());
    assert_eq!(return_1(&mut conn).await, 1);
    drop(conn);
    assert_eq!(
        c.home_database(&HomeDbKey::Driver).as_deref(),
        Some("neo4j")
    );
    assert!(c.routing_table("neo4j").is_some());

    // A database that does not exist is reported as such.
    let err = bounded(c.acquire(Some("no-such-db-boltline"), AccessMode::Read))
        .await
        .unwrap_err();
    assert!(
        matches!(err, boltline_routing::RoutingError::DatabaseNotFound { .. }),
        "{err}"
    );
    c.close().await;
}

/// Over TLS with DNS expansion on: discovery through `localhost` (expanded
/// to its IP addresses) connects and verifies, and an unknown issuer is
/// refused. (The test certificate names both `localhost` and `127.0.0.1`,
/// so which name was checked is covered by the bolt unit tests of
/// `TlsConfig::with_server_name`, not here.)
#[tokio::test]
async fn routing_over_tls_with_dns_expansion() {
    let s = server();
    let tls = boltline_bolt::TlsConfig::with_ca_file(s.ca()).expect("test CA");
    let config = ConnectorConfig::new(
        ConnectionConfig::new()
            .with_auth(AuthToken::basic(s.user(), s.password()))
            .with_tls(tls),
    );
    let address = boltline_bolt::Address::new("localhost", s.port());
    let c = Connector::new(address, config).expect("connector");
    let mut conn = bounded(c.acquire(Some("neo4j"), AccessMode::Write))
        .await
        .unwrap_or_else(|e| panic!("TLS routing to localhost:{}: {e}", s.port()));
    assert_eq!(return_1(&mut conn).await, 1);
    drop(conn);
    c.close().await;

    // With a CA that did not issue the certificate, discovery fails.
    let other = boltline_bolt::TlsConfig::with_ca_file(s.other_ca()).expect("other CA");
    let config = ConnectorConfig::new(
        ConnectionConfig::new()
            .with_auth(AuthToken::basic(s.user(), s.password()))
            .with_tls(other),
    );
    let c = Connector::new(boltline_bolt::Address::new("localhost", s.port()), config)
        .expect("connector");
    let err = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .expect_err("an unknown issuer must not be trusted");
    assert!(
        err.to_string().to_lowercase().contains("certificate")
            || format!("{err:?}").contains("Tls"),
        "{err}"
    );
    c.close().await;
}
