//! The `boltline` driver with a `neo4j://` URI (client-side routing)
//! against a real Neo4j: a single server answers ROUTE with itself in every
//! role.

use std::time::Duration;

use boltline::{AccessMode, AuthToken, Config, Driver, ManagedTransaction, SessionConfig};
use boltline_itests::{server, single_as, tx_single_as};

fn routing_driver() -> Driver {
    let s = server();
    let uri = format!("neo4j://{}?region=test", s.address());
    Driver::with_config(
        &uri,
        AuthToken::basic(s.user(), s.password()),
        Config::builder()
            .with_connection_acquisition_timeout(Duration::from_secs(20))
            .build()
            .unwrap(),
    )
    .expect("driver")
}

#[tokio::test]
async fn neo4j_scheme_routes_reads_and_writes() {
    let d = routing_driver();
    d.verify_connectivity().await.unwrap();
    let info = d.get_server_info().await.unwrap();
    assert!(info.agent().starts_with("Neo4j/"));

    // The home database is resolved by routing; the session stays on it.
    let mut s = d.session(SessionConfig::new());
    let mut r = s.run("RETURN 1 AS x").await.unwrap();
    assert_eq!(single_as::<i64>(&mut r, "x").await, 1);
    let summary = r.consume().await.unwrap();
    assert_eq!(summary.database(), Some("neo4j"));

    let n: i64 = s
        .execute_read(async |tx: &mut ManagedTransaction| {
            tx_single_as(tx, "RETURN 2 AS x", "x").await
        })
        .await
        .unwrap();
    assert_eq!(n, 2);
    s.execute_write(async |tx: &mut ManagedTransaction| {
        tx.run("RETURN 3").await?.consume().await?;
        Ok(())
    })
    .await
    .unwrap();

    // Readers and writers through execute_query.
    for routing in [AccessMode::Read, AccessMode::Write] {
        let r = d
            .execute_query("RETURN 4 AS x")
            .with_routing(routing)
            .run()
            .await
            .unwrap();
        assert_eq!(r.records()[0].get_as::<i64>("x").unwrap(), 4);
    }

    // A named database and a read session.
    let mut rs = d.session(
        SessionConfig::new()
            .with_database("neo4j")
            .with_default_access_mode(AccessMode::Read),
    );
    let mut r = rs.run("RETURN 5 AS x").await.unwrap();
    assert_eq!(r.collect::<i64>().await.unwrap(), [5]);

    // A database that does not exist: a clear, non-retryable error.
    let mut bad = d.session(SessionConfig::new().with_database("no-such-db"));
    let e = bad.run("RETURN 1").await.unwrap_err();
    assert!(!e.is_retryable(), "{e:?}");
    assert!(e.to_string().contains("no-such-db"), "{e}");
    d.close().await;
}
