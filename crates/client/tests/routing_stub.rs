//! The driver over `neo4j://` against scripted stub servers playing a
//! cluster: a write that meets a follower (`NotALeader`) is retried on the
//! new leader after the routing table is fetched again.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use boltline::{AuthToken, Config, Driver, ManagedTransaction, SessionConfig};
use boltline_stub::{map, sig, Map, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

/// A free local address to start a stub on later, so scripts can name it.
fn reserve() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("address")
}

fn list(addresses: &[SocketAddr]) -> Value {
    Value::List(
        addresses
            .iter()
            .map(|a| Value::from(a.to_string()))
            .collect(),
    )
}

fn rt(routers: &[SocketAddr], readers: &[SocketAddr], writers: &[SocketAddr]) -> Value {
    Value::from_iter([
        ("ttl", Value::from(300)),
        ("db", Value::from("neo4j")),
        (
            "servers",
            Value::List(vec![
                Value::from_iter([("role", Value::from("ROUTE")), ("addresses", list(routers))]),
                Value::from_iter([("role", Value::from("READ")), ("addresses", list(readers))]),
                Value::from_iter([("role", Value::from("WRITE")), ("addresses", list(writers))]),
            ]),
        ),
    ])
}

fn hello() -> Script {
    Script::bolt(5, 8).hello_ok(Map::new(), true)
}

#[tokio::test]
async fn a_write_that_meets_a_follower_is_retried_on_the_new_leader() {
    let (old, new, reader) = (reserve(), reserve(), reserve());
    let old_server = StubServer::start_on(
        old,
        [hello()
            .expect(sig::ROUTE)
            .success([("rt", rt(&[old, new], &[reader], &[old]))])
            .expect(sig::BEGIN)
            .failure(
                "Neo.ClientError.Cluster.NotALeader",
                "No write operations are allowed on this database",
            )
            // The failed transaction is cleared at once.
            .expect(sig::RESET)
            .success(map::<&str>([]))],
    )
    .await
    .unwrap();
    let new_server = StubServer::start_on(
        new,
        [hello()
            .expect(sig::ROUTE)
            .success([("rt", rt(&[new, old], &[reader], &[new]))])
            .expect(sig::BEGIN)
            .success(map::<&str>([]))
            .expect(sig::RUN)
            .expect(sig::PULL)
            .success([("fields", Value::from_iter(["x"]))])
            .record(vec![Value::from(1)])
            .success([("type", Value::from("w"))])
            .expect(sig::COMMIT)
            .success([("bookmark", Value::from("bm-after-switch"))])],
    )
    .await
    .unwrap();

    let config = Config::builder()
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .with_max_transaction_retry_time(Duration::from_secs(10))
        .build()
        .unwrap();
    let driver = Driver::with_config(
        &format!("neo4j://{old}"),
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .unwrap();
    let mut session = driver.session(SessionConfig::new().with_database("neo4j"));
    let attempts = AtomicUsize::new(0);
    let x: i64 = tokio::time::timeout(
        LIMIT,
        session.execute_write(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            let mut r = tx.run("CREATE (n:Thing) RETURN 1 AS x").await?;
            r.single().await?.get_as("x")
        }),
    )
    .await
    .unwrap_or_else(|_| {
        panic!(
            "hang; old saw {:?}, new saw {:?}",
            old_server
                .reports()
                .iter()
                .map(|r| (r.names(), r.outcome.clone()))
                .collect::<Vec<_>>(),
            new_server
                .reports()
                .iter()
                .map(|r| (r.names(), r.outcome.clone()))
                .collect::<Vec<_>>()
        )
    })
    .expect("retried to success on the new leader");
    assert_eq!(x, 1);
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        1,
        "the follower refused BEGIN before the work ran; the retry ran it once"
    );
    assert_eq!(
        session.last_bookmarks().raw_values().collect::<Vec<_>>(),
        ["bm-after-switch"]
    );
    drop(session);
    driver.close().await;

    // The follower was asked once and never again; the new leader got the
    // retried transaction after answering the new ROUTE.
    let old_accepted = old_server.accepted();
    let old_reports = old_server.finish_within(LIMIT).await;
    assert_eq!(
        old_server_names(&old_reports[0]),
        ["HELLO", "LOGON", "ROUTE", "BEGIN", "RESET"]
    );
    assert!(
        old_reports[0].outcome.is_ok(),
        "{:?}",
        old_reports[0].outcome
    );
    assert_eq!(old_accepted, 1, "no second connection to the follower");
    let new_reports = new_server.finish_and_assert().await;
    assert_eq!(
        new_reports[0].names()[..7],
        ["HELLO", "LOGON", "ROUTE", "BEGIN", "RUN", "PULL", "COMMIT"]
    );
}

/// The messages up to the failed transaction's reset (a GOODBYE at close
/// time may follow).
fn old_server_names(report: &boltline_stub::ConnectionReport) -> Vec<String> {
    report.names().into_iter().take(7).collect()
}

/// A router that does not name the home database (testkit's routers send
/// no `db`): the table is used, and the work names no database, so that
/// the server picks the home database itself.
#[tokio::test]
async fn home_database_table_without_a_name_is_used() {
    let server = reserve();
    let mut unnamed = rt(&[server], &[server], &[server]);
    if let Value::Map(m) = &mut unnamed {
        m.remove("db");
    }
    let served = |s: Script| {
        s.expect(sig::ROUTE)
            .success([("rt", unnamed.clone())])
            .expect(sig::RUN)
            .expect(sig::PULL)
            .success([("fields", Value::from_iter(["x"]))])
            .record(vec![Value::from(1)])
            .success([("type", Value::from("r"))])
    };
    let stub = StubServer::start_on(server, [served(served(hello()))])
        .await
        .unwrap();
    let driver = Driver::new(&format!("neo4j://{server}"), AuthToken::none()).unwrap();
    let mut session = driver.session(SessionConfig::new());
    for _ in 0..2 {
        let x: i64 = tokio::time::timeout(LIMIT, async {
            let mut r = session.run("RETURN 1 AS x").await?;
            r.single().await?.get_as("x")
        })
        .await
        .expect("no hang")
        .expect("the query ran");
        assert_eq!(x, 1);
    }
    drop(session);
    driver.close().await;
    let reports = stub.finish_and_assert().await;
    let routes = reports[0].messages(sig::ROUTE);
    assert_eq!(
        routes.len(),
        2,
        "each home-database acquisition resolves it"
    );
    assert_eq!(routes[0].entry(2, "db"), None);
    let runs = reports[0].messages(sig::RUN);
    assert_eq!(runs.len(), 2);
    for run in runs {
        assert_eq!(run.entry(2, "db"), None, "{run:?}");
    }
}

/// A leader that shuts the database down at `COMMIT`
/// (`DatabaseUnavailable`) is forgotten: the managed transaction is
/// retried on the leader the next routing table names, not on it again.
#[tokio::test]
async fn database_unavailable_on_commit_is_retried_elsewhere() {
    let (old, new) = (reserve(), reserve());
    let old_server = StubServer::start_on(
        old,
        [hello()
            .expect(sig::ROUTE)
            .success([("rt", rt(&[old, new], &[old, new], &[old]))])
            .expect(sig::BEGIN)
            .success(map::<&str>([]))
            .expect(sig::RUN)
            .expect(sig::PULL)
            .success([("fields", Value::from_iter(["x"]))])
            .record(vec![Value::from(1)])
            .success([("type", Value::from("w"))])
            .expect(sig::COMMIT)
            .failure(
                "Neo.TransientError.General.DatabaseUnavailable",
                "Database shut down.",
            )
            .close()],
    )
    .await
    .unwrap();
    let new_server = StubServer::start_on(
        new,
        [hello()
            .expect(sig::ROUTE)
            .success([("rt", rt(&[new], &[new], &[new]))])
            .expect(sig::BEGIN)
            .success(map::<&str>([]))
            .expect(sig::RUN)
            .expect(sig::PULL)
            .success([("fields", Value::from_iter(["x"]))])
            .record(vec![Value::from(2)])
            .success([("type", Value::from("w"))])
            .expect(sig::COMMIT)
            .success([("bookmark", Value::from("bm-new"))])],
    )
    .await
    .unwrap();
    let config = Config::builder()
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .with_max_transaction_retry_time(Duration::from_secs(10))
        .build()
        .unwrap();
    let driver = Driver::with_config(&format!("neo4j://{old}"), AuthToken::none(), config).unwrap();
    let mut session = driver.session(SessionConfig::new().with_database("neo4j"));
    let attempts = AtomicUsize::new(0);
    let x: i64 = tokio::time::timeout(
        LIMIT,
        session.execute_write(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            let mut r = tx.run("CREATE (n:Thing) RETURN 1 AS x").await?;
            r.single().await?.get_as("x")
        }),
    )
    .await
    .expect("no hang")
    .expect("retried to success on the new leader");
    assert_eq!(x, 2);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    drop(session);
    driver.close().await;
    assert_eq!(
        old_server.accepted(),
        1,
        "the old leader was not tried again"
    );
    let old_reports = old_server.finish_within(LIMIT).await;
    assert_eq!(old_reports[0].messages(sig::BEGIN).len(), 1);
    let new_reports = new_server.finish_and_assert().await;
    assert_eq!(new_reports[0].messages(sig::COMMIT).len(), 1);
}

/// The routing table as the driver holds it, and a forced refresh.
#[tokio::test]
async fn routing_table_is_exposed_and_can_be_refreshed() {
    let (router, reader) = (reserve(), reserve());
    let stub = StubServer::start_on(
        router,
        [hello()
            .expect_with(sig::ROUTE, |fields| {
                let bookmarks = fields.get(1).and_then(Value::as_list);
                if bookmarks.is_some_and(|b| b == [Value::from("bm1")]) {
                    Ok(())
                } else {
                    Err(format!("ROUTE bookmarks {bookmarks:?}"))
                }
            })
            .success([("rt", rt(&[router], &[reader], &[router]))])
            .expect(sig::ROUTE)
            .success([("rt", rt(&[router], &[router, reader], &[]))])],
    )
    .await
    .unwrap();
    let driver = Driver::new(&format!("neo4j://{router}"), AuthToken::none()).unwrap();
    assert!(driver.routing_table(Some("neo4j")).is_none(), "none yet");
    let fetched = tokio::time::timeout(LIMIT, driver.update_routing_table(Some("neo4j"), ["bm1"]))
        .await
        .expect("no hang")
        .expect("fetched");
    let held = driver.routing_table(Some("neo4j")).expect("held");
    assert_eq!(held, fetched);
    assert_eq!(held.database(), "neo4j");
    assert_eq!(held.ttl(), Duration::from_secs(300));
    let text = |a: &[boltline::Address]| a.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(text(held.routers()), [router.to_string()]);
    assert_eq!(text(held.readers()), [reader.to_string()]);
    assert_eq!(text(held.writers()), [router.to_string()]);
    // The home database (the server named it `neo4j`).
    let home = tokio::time::timeout(
        LIMIT,
        driver.update_routing_table(None, Vec::<String>::new()),
    )
    .await
    .expect("no hang")
    .expect("fetched");
    assert!(home.writers().is_empty());
    assert_eq!(driver.routing_table(None), Some(home));
    driver.close().await;
    stub.finish_and_assert().await;

    let direct = Driver::new(&format!("bolt://{router}"), AuthToken::none()).unwrap();
    assert!(direct.routing_table(None).is_none());
    let e = direct
        .update_routing_table(None, Vec::<String>::new())
        .await
        .unwrap_err();
    assert!(matches!(e, boltline::Error::InvalidConfig(_)), "{e:?}");
}

/// With routing, the bookmark manager (and its supplier) is asked once for
/// the `ROUTE` of an acquisition and again for `BEGIN`: each request carries
/// what the manager says at that moment.
#[tokio::test]
async fn bookmark_supplier_is_asked_for_route_and_for_begin() {
    use boltline::{Bookmarks, Neo4jBookmarkManager};
    use std::sync::Arc;

    let server = reserve();
    let stub = StubServer::start_on(
        server,
        [hello()
            .expect(sig::ROUTE)
            .success([("rt", rt(&[server], &[server], &[server]))])
            .expect(sig::BEGIN)
            .success(map::<&str>([]))
            .expect(sig::RUN)
            .expect(sig::PULL)
            .success([("fields", Value::from_iter(["x"]))])
            .record(vec![Value::from(1)])
            .success([("type", Value::from("w"))])
            .expect(sig::COMMIT)
            .success([("bookmark", Value::from("bm-new"))])],
    )
    .await
    .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let manager = {
        let calls = calls.clone();
        Neo4jBookmarkManager::new()
            .with_initial_bookmarks(Bookmarks::from_raw(["bm0"]))
            .with_supplier(move || {
                let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                async move { Bookmarks::from_raw([format!("supplied{n}")]) }
            })
    };
    let driver = Driver::new(&format!("neo4j://{server}"), AuthToken::none()).unwrap();
    let mut session = driver.session(
        SessionConfig::new()
            .with_database("neo4j")
            .with_bookmark_manager(Arc::new(manager)),
    );
    tokio::time::timeout(
        LIMIT,
        session.execute_write(async |tx: &mut ManagedTransaction| {
            tx.run("CREATE ()").await?.consume().await.map(drop)
        }),
    )
    .await
    .expect("no hang")
    .expect("committed");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    drop(session);
    driver.close().await;
    let reports = stub.finish_and_assert().await;
    let bookmarks = |v: Option<&Value>| -> Vec<String> {
        let mut b: Vec<String> = v
            .and_then(Value::as_list)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        b.sort();
        b
    };
    let route = &reports[0].messages(sig::ROUTE)[0];
    assert_eq!(bookmarks(route.fields.get(1)), ["bm0", "supplied1"]);
    let begin = &reports[0].messages(sig::BEGIN)[0];
    assert_eq!(bookmarks(begin.entry(0, "bookmarks")), ["bm0", "supplied2"]);
}
