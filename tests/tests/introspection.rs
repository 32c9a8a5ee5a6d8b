//! Server introspection (py2neo's `Connection.get_*`, `neo4j_version`,
//! `graph_names`, ...) against a real Neo4j (started by `cargo xtask
//! itest`), on one Bolt connection and through the routing connector.

use boltline_bolt::{
    AccessMode, Address, AuthToken, BoltStream, Connection, ConnectionConfig, Edition, Error,
    Neo4jVersion, Query, TxOptions,
};
use boltline_itests::{bounded, server, TestServer};
use boltline_routing::{Connector, ConnectorConfig};

fn address(s: &TestServer) -> Address {
    Address::new(s.host(), s.port())
}

fn config(s: &TestServer) -> ConnectionConfig {
    ConnectionConfig::new()
        .with_auth(AuthToken::basic(s.user(), s.password()))
        .with_user_agent("boltline-itests/introspection")
}

async fn connect() -> Connection<BoltStream> {
    let s = server();
    bounded(Connection::connect(&address(&s), &config(&s)))
        .await
        .unwrap_or_else(|e| panic!("connecting to {}: {e}", s.uri()))
}

#[tokio::test]
async fn version_and_edition_are_parsed_from_the_server() {
    let mut conn = connect().await;
    let c = bounded(conn.server_components()).await.unwrap();
    // The version the server reports, parsed; the agent string agrees.
    assert_eq!(Neo4jVersion::parse(&c.version_text), Some(c.version));
    assert_eq!(conn.server_info().neo4j_version(), Some(c.version));
    assert!(
        c.version >= Neo4jVersion::new(5, 0, 0),
        "{} ({})",
        c.version,
        c.version_text
    );
    assert_eq!(c.version.is_calendar(), c.version.major >= 2025);
    // xtask runs the Community Edition.
    assert_eq!(c.edition, Edition::Community);
    assert_eq!(bounded(conn.neo4j_version()).await.unwrap(), c.version);
    assert_eq!(bounded(conn.neo4j_edition()).await.unwrap(), c.edition);
}

#[tokio::test]
async fn a_transaction_open_elsewhere_shows_up_with_its_query() {
    // One connection holds a transaction whose query is still streaming.
    let mut holder = connect().await;
    let marker = format!("introspection-{}", std::process::id());
    let text = format!("UNWIND range(1, 100000) AS x RETURN x, '{marker}' AS m");
    bounded(holder.begin(&TxOptions::new())).await.unwrap();
    let q = Query::new(text.clone()).with_fetch_size(1);
    let mut stream = bounded(holder.run_in_tx(&q)).await.unwrap();
    assert!(bounded(holder.next_record(&mut stream))
        .await
        .unwrap()
        .is_some());
    let holder_id = holder.server_info().connection_id.clone().unwrap();

    let mut conn = connect().await;
    let txs = bounded(conn.get_transactions()).await.unwrap();
    let held = txs
        .iter()
        .find(|t| t.current_query.as_deref() == Some(text.as_str()))
        .unwrap_or_else(|| panic!("no transaction runs {text:?}: {txs:#?}"));
    assert_eq!(held.connection_id.as_deref(), Some(holder_id.as_str()));
    assert_eq!(held.database.as_deref(), Some("neo4j"));
    assert!(held.transaction_id.starts_with("neo4j-transaction-"));
    // The query listing agrees.
    let queries = bounded(conn.get_queries()).await.unwrap();
    let q = queries
        .iter()
        .find(|q| q.query == text)
        .unwrap_or_else(|| panic!("no query {text:?}: {queries:#?}"));
    assert_eq!(
        q.transaction_id.as_deref(),
        Some(held.transaction_id.as_str())
    );
    assert_eq!(q.connection_id.as_deref(), Some(holder_id.as_str()));
    // So does the connection listing, with the holder's user agent.
    let cxs = bounded(conn.get_connections()).await.unwrap();
    let cx = cxs
        .iter()
        .find(|c| c.connection_id == holder_id)
        .unwrap_or_else(|| panic!("no connection {holder_id}: {cxs:#?}"));
    assert_eq!(
        cx.user_agent.as_deref(),
        Some("boltline-itests/introspection")
    );

    bounded(holder.rollback()).await.unwrap();
    let txs = bounded(conn.get_transactions()).await.unwrap();
    assert!(
        !txs.iter()
            .any(|t| t.current_query.as_deref() == Some(text.as_str())),
        "{txs:#?}"
    );
}

#[tokio::test]
async fn settings_databases_and_the_default_database() {
    let mut conn = connect().await;
    let config = bounded(conn.get_config()).await.unwrap();
    let listen = config
        .get("server.bolt.listen_address")
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("no bolt listen address in {} settings", config.len()));
    assert!(
        listen.ends_with(&format!(":{}", server().port())),
        "{listen}"
    );
    let names = bounded(conn.graph_names()).await.unwrap();
    assert!(names.iter().any(|n| n == "neo4j"), "{names:?}");
    assert!(names.iter().any(|n| n == "system"), "{names:?}");
    assert_eq!(bounded(conn.default_graph_name()).await.unwrap(), "neo4j");
}

#[tokio::test]
async fn community_has_no_cluster_overview_and_says_so() {
    let mut conn = connect().await;
    match bounded(conn.get_cluster_overview()).await {
        Err(Error::NotSupported {
            request, edition, ..
        }) => {
            assert_eq!(request, "get_cluster_overview");
            assert_eq!(edition, Edition::Community);
        }
        other => panic!("expected NotSupported on Community, got {other:?}"),
    }
    // The connection is still usable afterwards.
    assert!(!bounded(conn.graph_names()).await.unwrap().is_empty());
}

#[tokio::test]
async fn management_data_or_a_typed_refusal() {
    let mut conn = connect().await;
    match bounded(conn.get_management_data()).await {
        Ok(beans) => assert!(
            beans.keys().any(|k| k.starts_with("JMImplementation")),
            "{:?}",
            beans.keys().take(5).collect::<Vec<_>>()
        ),
        Err(Error::NotSupported { request, .. }) => assert_eq!(request, "get_management_data"),
        Err(e) => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn the_connector_asks_a_router_of_the_system_database() {
    let s = server();
    let c = Connector::new(address(&s), ConnectorConfig::new(config(&s))).unwrap();
    let names = bounded(c.graph_names()).await.unwrap();
    assert!(names.contains(&"neo4j".to_owned()) && names.contains(&"system".to_owned()));
    assert_eq!(bounded(c.default_graph_name()).await.unwrap(), "neo4j");
    let components = bounded(c.server_components()).await.unwrap();
    assert_eq!(components.edition, Edition::Community);
    // A handle of the pool that served it.
    let pools = bounded(c.get_pools(Some("system"), AccessMode::Read))
        .await
        .unwrap();
    assert!(!pools.is_empty());
    assert!(pools[0].1.idle() >= 1);
    c.close().await;
}
