//! The `boltline` driver against a real Neo4j: managed transactions and
//! retries, bookmarks and bookmark managers, execute_query, connectivity,
//! graph().

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use boltline::{
    BookmarkManager, Bookmarks, Driver, EagerResult, Error, ManagedTransaction,
    Neo4jBookmarkManager, Query, QueryResult, ServerError, SessionConfig, Value,
};
use boltline_itests::{driver, run_consumed, server, single_as, tx_single_as, unique_tag};

fn tag() -> String {
    unique_tag("M")
}

fn neo4j() -> SessionConfig {
    SessionConfig::new().with_database("neo4j")
}

async fn cleanup(d: &Driver, label: &str) {
    d.execute_query(format!("MATCH (n:{label}) DETACH DELETE n"))
        .with_database("neo4j")
        .run()
        .await
        .unwrap();
}

#[tokio::test]
async fn execute_write_then_read() {
    let d = driver();
    let label = tag();
    let mut s = d.session(neo4j());
    let created = s
        .execute_write(async |tx: &mut ManagedTransaction| {
            let mut r = tx
                .run(
                    Query::new(format!(
                        "CREATE (n:{label} {{name: $n}}) RETURN n.name AS name"
                    ))
                    .param("n", "Ann"),
                )
                .await?;
            let rec = r.single().await?;
            rec.get_as::<String>("name")
        })
        .await
        .unwrap();
    assert_eq!(created, "Ann");
    let names: Vec<String> = s
        .execute_read(async |tx: &mut ManagedTransaction| {
            tx.run(format!("MATCH (n:{label}) RETURN n.name AS name"))
                .await?
                .collect()
                .await
        })
        .await
        .unwrap();
    assert_eq!(names, ["Ann"]);
    cleanup(&d, &label).await;
}

#[tokio::test]
async fn managed_transactions_retry_transient_errors_only() {
    let d = driver();
    let label = tag();
    let mut s = d.session(neo4j());
    // Fails twice with a transient error, then succeeds: three attempts,
    // the failed ones rolled back.
    let attempts = AtomicUsize::new(0);
    let v = s
        .execute_write(async |tx: &mut ManagedTransaction| {
            tx.run(format!("CREATE (:{label})"))
                .await?
                .consume()
                .await?;
            let n = attempts.fetch_add(1, Ordering::SeqCst);
            if n < 2 {
                return Err(Error::from(ServerError::new(
                    "Neo.TransientError.Transaction.DeadlockDetected",
                    "simulated deadlock",
                )));
            }
            Ok(n)
        })
        .await
        .unwrap();
    assert_eq!(v, 2);
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    let mut r = s
        .run(format!("MATCH (n:{label}) RETURN count(n) AS c"))
        .await
        .unwrap();
    assert_eq!(single_as::<i64>(&mut r, "c").await, 1);

    // A client error is not retried.
    let attempts = AtomicUsize::new(0);
    let e = s
        .execute_write(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            tx.run("RETURN nope(").await?.consume().await?;
            Ok(())
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    assert_eq!(attempts.load(Ordering::SeqCst), 1);

    // Nor is an error of the work itself.
    let attempts = AtomicUsize::new(0);
    let e = s
        .execute_read(
            async |_tx: &mut ManagedTransaction| -> boltline::Result<()> {
                attempts.fetch_add(1, Ordering::SeqCst);
                Err(Error::user("the application said no"))
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::User(_)));
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
    cleanup(&d, &label).await;
}

#[tokio::test]
async fn real_deadlocks_are_retried_to_success() {
    // Two tasks lock two nodes in opposite orders: Neo4j aborts one with a
    // transient DeadlockDetected, and its retry succeeds.
    let d = driver();
    let label = tag();
    d.execute_query(format!(
        "CREATE (:{label} {{k: 1, v: 0}}), (:{label} {{k: 2, v: 0}})"
    ))
    .with_database("neo4j")
    .run()
    .await
    .unwrap();
    let attempts = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (first, second) in [(1, 2), (2, 1)] {
        let d = d.clone();
        let label = label.clone();
        let attempts = attempts.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = d.session(neo4j());
            // In a spawned task the future must be Send: the boxed form.
            s.execute_write_boxed(|tx| {
                attempts.fetch_add(1, Ordering::SeqCst);
                Box::pin(async {
                    for k in [first, second] {
                        tx.run(
                            Query::new(format!("MATCH (n:{label} {{k: $k}}) SET n.v = n.v + 1"))
                                .param("k", k),
                        )
                        .await?
                        .consume()
                        .await?;
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    }
                    Ok(())
                })
            })
            .await
        }));
    }
    // execute_query and plain sessions are Send too.
    let d2 = d.clone();
    tokio::spawn(async move {
        d2.execute_query("RETURN 1")
            .with_database("neo4j")
            .run()
            .await
            .unwrap();
        let mut s = d2.session(neo4j());
        let mut r = s.run("RETURN 1 AS x").await.unwrap();
        r.next().await.unwrap();
        let mut tx = s.begin_transaction().await.unwrap();
        tx.run("RETURN 1").await.unwrap().consume().await.unwrap();
        tx.commit().await.unwrap();
    })
    .await
    .unwrap();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let r = d
        .execute_query(format!("MATCH (n:{label}) RETURN sum(n.v) AS total"))
        .with_database("neo4j")
        .run()
        .await
        .unwrap();
    assert_eq!(r.records()[0].get_as::<i64>("total").unwrap(), 4);
    // One of the two was aborted by the deadlock detector and ran again.
    assert!(attempts.load(Ordering::SeqCst) >= 3, "{attempts:?}");
    cleanup(&d, &label).await;
}

#[tokio::test]
async fn causal_chaining_with_bookmarks_across_sessions() {
    let d = driver();
    let label = tag();
    let mut a = d.session(neo4j());
    run_consumed(&mut a, format!("CREATE (:{label} {{who: 'a'}})")).await;
    let ba = a.last_bookmarks();
    let mut b = d.session(neo4j());
    b.execute_write(async |tx: &mut ManagedTransaction| {
        tx.run(format!("CREATE (:{label} {{who: 'b'}})"))
            .await?
            .consume()
            .await?;
        Ok(())
    })
    .await
    .unwrap();
    let bb = b.last_bookmarks();
    assert_eq!(ba.len(), 1);
    assert_eq!(bb.len(), 1);
    assert_ne!(ba, bb);
    // A session started from both sessions' bookmarks sees both writes.
    let mut c = d.session(neo4j().with_bookmarks(ba.clone().combine(&bb)));
    let mut r = c
        .run(format!(
            "MATCH (n:{label}) RETURN n.who AS who ORDER BY who"
        ))
        .await
        .unwrap();
    assert_eq!(r.collect::<String>().await.unwrap(), ["a", "b"]);
    // The read moved the session's bookmark on.
    assert_eq!(c.last_bookmarks().len(), 1);
    // An unknown bookmark is a client error from the server.
    let mut bad = d.session(neo4j().with_bookmarks(Bookmarks::from_raw(["not-a-bookmark"])));
    let e = bad.run("RETURN 1").await.unwrap_err();
    assert!(e.is_client_error(), "{e:?}");
    cleanup(&d, &label).await;
}

#[tokio::test]
async fn causal_chaining_with_a_bookmark_manager() {
    let d = driver();
    let label = tag();
    let updates = Arc::new(AtomicUsize::new(0));
    let counter = updates.clone();
    let manager: Arc<dyn BookmarkManager> =
        Arc::new(Neo4jBookmarkManager::new().with_consumer(move |_b| {
            counter.fetch_add(1, Ordering::SeqCst);
            async {}
        }));
    let cfg = || neo4j().with_bookmark_manager(manager.clone());
    let mut w = d.session(cfg());
    run_consumed(&mut w, format!("CREATE (:{label})")).await;
    let mut tx = w.begin_transaction().await.unwrap();
    run_consumed(&mut tx, format!("CREATE (:{label})")).await;
    tx.commit().await.unwrap();
    assert_eq!(updates.load(Ordering::SeqCst), 2);
    let held = manager.get_bookmarks().await;
    assert_eq!(held, w.last_bookmarks());
    // Another session of the same manager sees both writes without passing
    // bookmarks around.
    let mut r = d.session(cfg());
    let n: i64 = r
        .execute_read(async |tx: &mut ManagedTransaction| {
            tx_single_as(tx, format!("MATCH (n:{label}) RETURN count(n) AS c"), "c").await
        })
        .await
        .unwrap();
    assert_eq!(n, 2);
    // execute_query chains through the driver's query bookmark manager.
    d.execute_query(format!("CREATE (:{label})"))
        .with_database("neo4j")
        .run()
        .await
        .unwrap();
    let qbm = d.query_bookmark_manager().get_bookmarks().await;
    assert_eq!(qbm.len(), 1);
    let mut s = d.session(neo4j().with_bookmark_manager(d.query_bookmark_manager()));
    let mut res = s
        .run(format!("MATCH (n:{label}) RETURN count(n) AS c"))
        .await
        .unwrap();
    assert_eq!(single_as::<i64>(&mut res, "c").await, 3);
    cleanup(&d, &label).await;
}

#[tokio::test]
async fn execute_query_eager_result_and_transformer() {
    let d = driver();
    let label = tag();
    let r: EagerResult = d
        .execute_query(format!(
            "UNWIND range(1, $n) AS i CREATE (x:{label} {{i: i}}) RETURN i"
        ))
        .param("n", 3)
        .with_database("neo4j")
        .run()
        .await
        .unwrap();
    assert_eq!(r.keys(), ["i"]);
    assert_eq!(r.records().len(), 3);
    assert_eq!(r.summary().counters().nodes_created(), 3);
    assert_eq!(r.summary().database(), Some("neo4j"));

    let r = d
        .execute_query(format!("MATCH (x:{label}) RETURN x.i AS i ORDER BY i"))
        .with_routing(boltline::AccessMode::Read)
        .with_database("neo4j")
        .with_bookmark_manager(None)
        .run_with(async |mut r: QueryResult| r.collect::<i64>().await)
        .await
        .unwrap();
    assert_eq!(r, [1, 2, 3]);

    let summary = d
        .execute_query("RETURN 1")
        .with_database("neo4j")
        .run_with(async |mut r: QueryResult| r.consume().await)
        .await
        .unwrap();
    assert_eq!(summary.query(), "RETURN 1");

    let e = d.execute_query("RETURN nope(").run().await.unwrap_err();
    assert!(e.is_client_error());
    cleanup(&d, &label).await;
}

#[tokio::test]
async fn connectivity_and_server_info() {
    let d = driver();
    d.verify_connectivity().await.unwrap();
    let info = d.get_server_info().await.unwrap();
    assert!(info.agent().starts_with("Neo4j/"), "{info:?}");
    assert!(info.protocol_version().major >= 5);
    assert_eq!(info.address().port(), server().port());
    assert!(!d.is_encrypted());
    d.close().await;
    assert!(matches!(
        d.verify_connectivity().await,
        Err(Error::DriverClosed)
    ));
}

#[tokio::test]
async fn graph_deduplicates_nodes_and_relationships() {
    let d = driver();
    let label = tag();
    d.execute_query(format!(
        "CREATE (a:{label} {{n: 'a'}})-[:KNOWS {{since: 1}}]->(b:{label} {{n: 'b'}}), \
                (b)-[:KNOWS {{since: 2}}]->(c:{label} {{n: 'c'}})"
    ))
    .with_database("neo4j")
    .run()
    .await
    .unwrap();
    let mut s = d.session(neo4j());
    let mut r = s
        .run(format!(
            "MATCH p = (x:{label})-[:KNOWS*1..2]->(y:{label}) RETURN p, x, y, relationships(p) AS rs"
        ))
        .await
        .unwrap();
    let g = r.graph().await.unwrap();
    assert_eq!(g.nodes().len(), 3, "{:?}", g.nodes());
    assert_eq!(g.relationships().len(), 2);
    for rel in g.relationships() {
        assert_eq!(rel.rel_type, "KNOWS");
        let start = g
            .node(rel.start_node_element_id.as_deref().unwrap())
            .unwrap();
        let end = g.node(rel.end_node_element_id.as_deref().unwrap()).unwrap();
        let since = rel.properties["since"].as_i64().unwrap();
        let expected = if since == 1 { ("a", "b") } else { ("b", "c") };
        assert_eq!(
            (
                start.properties["n"].as_str().unwrap(),
                end.properties["n"].as_str().unwrap()
            ),
            expected
        );
    }
    // data(): graph values as plain property maps.
    let mut r = s
        .run(format!(
            "MATCH p = (x:{label} {{n: 'a'}})-[:KNOWS]->(y) RETURN x, p"
        ))
        .await
        .unwrap();
    let data = r.data().await.unwrap();
    assert_eq!(data[0]["x"].as_map().unwrap()["n"], Value::from("a"));
    let path = data[0]["p"].as_list().unwrap();
    assert_eq!(path.len(), 3);
    assert_eq!(path[1].as_map().unwrap()["since"], Value::Integer(1));
    cleanup(&d, &label).await;
}

/// `execute_query` fetching every record at once sends COMMIT in the same
/// write as the query: the server commits every row (none is cut off by
/// the pipelined COMMIT), a failing query is reported typed, and the
/// driver's connection serves the next query.
#[tokio::test]
async fn execute_query_with_commit_pipelined_commits_everything() {
    let s = server();
    let config = boltline::Config::builder()
        .with_fetch_size(boltline::FetchSize::All)
        .with_max_connection_pool_size(1)
        .build()
        .unwrap();
    let d = Driver::with_config(
        s.uri(),
        boltline::AuthToken::basic(s.user(), s.password()),
        config,
    )
    .unwrap();
    let label = tag();
    let r = d
        .execute_query(format!(
            "UNWIND range(1, 2500) AS i CREATE (n:{label} {{i: i}}) RETURN i"
        ))
        .with_database("neo4j")
        .run()
        .await
        .unwrap();
    assert_eq!(r.records().len(), 2500);
    let e = d
        .execute_query("RETURN 1 +")
        .with_database("neo4j")
        .run()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    let r = d
        .execute_query(format!("MATCH (n:{label}) RETURN count(n) AS c"))
        .with_database("neo4j")
        .run()
        .await
        .unwrap();
    assert_eq!(r.records()[0].get_as::<i64>("c").unwrap(), 2500);
    cleanup(&d, &label).await;
}
