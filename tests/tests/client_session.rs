//! The `boltline` driver against a real Neo4j: sessions, results, explicit
//! transactions, errors.

use std::time::Duration;

use boltline::serde::Deserialize;
use boltline::{
    AccessMode, AuthToken, Config, Driver, Error, Query, SessionConfig, TransactionConfig, Value,
};
use boltline_itests::{
    driver, neo4j_session as session, run_consumed, server, single_as, single_record, unique_tag,
};

/// A label no other test (or concurrent run) uses.
fn tag() -> String {
    unique_tag("T")
}

#[tokio::test]
async fn run_next_keys_consume() {
    let d = driver();
    let mut s = session(&d);
    let mut r = s
        .run(Query::new("UNWIND range(1, $n) AS i RETURN i, i * 2 AS twice").param("n", 3))
        .await
        .unwrap();
    assert_eq!(r.keys(), ["i", "twice"]);
    let first = r.next().await.unwrap().unwrap();
    assert_eq!(first.get("i").unwrap(), Value::Integer(1));
    assert_eq!(first.get_index(1).unwrap(), Value::Integer(2));
    assert_eq!(first.get_as::<i64>("twice").unwrap(), 2);
    assert!(matches!(first.get("nope"), Err(Error::NoSuchColumn { .. })));
    assert!(matches!(
        first.get_index(2),
        Err(Error::NoSuchColumn { .. })
    ));
    assert_eq!(
        r.peek().await.unwrap().unwrap().get_as::<i64>("i").unwrap(),
        2
    );
    assert_eq!(
        r.next().await.unwrap().unwrap().get_as::<i64>("i").unwrap(),
        2
    );
    assert!(!r.is_closed());
    let summary = r.consume().await.unwrap();
    assert!(r.is_closed());
    assert_eq!(
        summary.query(),
        "UNWIND range(1, $n) AS i RETURN i, i * 2 AS twice"
    );
    assert_eq!(summary.parameters()["n"], Value::Integer(3));
    assert_eq!(summary.query_type(), Some(boltline::QueryType::Read));
    assert_eq!(summary.database(), Some("neo4j"));
    assert!(summary.server().agent().starts_with("Neo4j/"));
    assert!(summary.bookmark().is_some());
    assert!(matches!(r.next().await, Err(Error::ResultConsumed)));
    // consume() again still gives the summary.
    assert_eq!(r.consume().await.unwrap().query(), summary.query());
    s.close().await.unwrap();
    d.close().await;
}

#[tokio::test]
async fn single_fetch_value_values_data() {
    let d = driver();
    let mut s = session(&d);

    let mut r = s.run("RETURN 1 AS x").await.unwrap();
    let one = r.single().await.unwrap();
    assert_eq!(one.get_as::<i64>("x").unwrap(), 1);
    assert!(matches!(r.next().await, Err(Error::ResultConsumed)));

    let mut r = s.run("UNWIND [1, 2] AS x RETURN x").await.unwrap();
    assert!(matches!(
        r.single().await,
        Err(Error::ResultNotSingle { found: 2 })
    ));
    let mut r = s.run("UNWIND [] AS x RETURN x").await.unwrap();
    assert!(matches!(
        r.single().await,
        Err(Error::ResultNotSingle { found: 0 })
    ));
    let mut r = s.run("UNWIND [] AS x RETURN x").await.unwrap();
    assert!(r.single_opt().await.unwrap().is_none());
    let mut r = s.run("UNWIND [7] AS x RETURN x").await.unwrap();
    let only = r.single_opt().await.unwrap().unwrap();
    assert_eq!(only.get_as::<i64>("x").unwrap(), 7);
    let mut r = s.run("UNWIND [7, 8] AS x RETURN x").await.unwrap();
    assert!(matches!(
        r.single_opt().await,
        Err(Error::ResultNotSingle { found: 2 })
    ));

    let mut r = s.run("UNWIND range(1, 10) AS x RETURN x").await.unwrap();
    assert_eq!(r.fetch(3).await.unwrap().len(), 3);
    assert_eq!(r.fetch(100).await.unwrap().len(), 7);
    assert!(r.fetch(5).await.unwrap().is_empty());

    let mut r = s
        .run("UNWIND range(1, 3) AS x RETURN x, 'n' + toString(x) AS name")
        .await
        .unwrap();
    assert_eq!(
        r.value("name", Value::Null).await.unwrap(),
        vec![Value::from("n1"), Value::from("n2"), Value::from("n3")]
    );
    let mut r = s
        .run("UNWIND range(1, 2) AS x RETURN x, -x AS y")
        .await
        .unwrap();
    assert_eq!(
        r.values(&[]).await.unwrap(),
        vec![
            vec![Value::Integer(1), Value::Integer(-1)],
            vec![Value::Integer(2), Value::Integer(-2)]
        ]
    );
    let mut r = s
        .run("RETURN {a: 1, b: [1, 2]} AS m, 'x' AS s")
        .await
        .unwrap();
    let data = r.data(&[]).await.unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["s"], Value::from("x"));
    assert_eq!(data[0]["m"].as_map().unwrap()["a"], Value::Integer(1));
    d.close().await;
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(crate = "boltline::serde")]
struct Person {
    name: String,
    age: Option<i64>,
    #[serde(rename = "tags")]
    labels: Vec<String>,
}

#[tokio::test]
async fn serde_into_structs() {
    let d = driver();
    let mut s = session(&d);
    let mut r = s
        .run(
            "UNWIND [{name: 'Ann', age: 31}, {name: 'Bob', age: null}] AS p \
             RETURN p.name AS name, p.age AS age, ['x', p.name] AS tags",
        )
        .await
        .unwrap();
    let people: Vec<Person> = r.collect().await.unwrap();
    assert_eq!(
        people,
        vec![
            Person {
                name: "Ann".into(),
                age: Some(31),
                labels: vec!["x".into(), "Ann".into()]
            },
            Person {
                name: "Bob".into(),
                age: None,
                labels: vec!["x".into(), "Bob".into()]
            },
        ]
    );
    // A typed stream, and a single record into a tuple and a scalar.
    use std::future::poll_fn;
    use std::pin::pin;
    let r = s.run("UNWIND range(1, 5) AS i RETURN i").await.unwrap();
    let mut stream = pin!(r.into_typed_stream::<i64>());
    let mut got = Vec::new();
    while let Some(v) = poll_fn(|cx| boltline::Stream::poll_next(stream.as_mut(), cx)).await {
        got.push(v.unwrap());
    }
    assert_eq!(got, [1, 2, 3, 4, 5]);
    let mut r = s.run("RETURN 1 AS a, 'b' AS b").await.unwrap();
    let rec = r.single().await.unwrap();
    assert_eq!(rec.to::<(i64, String)>().unwrap(), (1, "b".into()));
    // A type mismatch is a decode error, not a panic.
    assert!(matches!(
        rec.to::<(String, String)>(),
        Err(Error::Decode(_))
    ));
    d.close().await;
}

#[tokio::test]
async fn explicit_transactions_commit_rollback_drop() {
    let d = driver();
    let label = tag();
    let mut s = session(&d);
    let count = format!("MATCH (n:{label}) RETURN count(n) AS c");

    // Commit.
    let mut tx = s.begin_transaction().await.unwrap();
    let mut r = tx
        .run(Query::new(format!("CREATE (n:{label} {{v: $v}}) RETURN n.v AS v")).param("v", 1))
        .await
        .unwrap();
    assert_eq!(single_as::<i64>(&mut r, "v").await, 1);
    // While the transaction is open, the session refuses other work.
    assert!(matches!(
        s.run("RETURN 1").await,
        Err(Error::TransactionOpen)
    ));
    tx.commit().await.unwrap();
    let before = s.last_bookmarks().await;
    assert_eq!(before.len(), 1);

    // Rollback.
    let mut tx = s.begin_transaction().await.unwrap();
    run_consumed(&mut tx, format!("CREATE (:{label} {{v: 2}})")).await;
    tx.rollback().await.unwrap();

    // Drop without commit: rolled back, without blocking.
    {
        let mut tx = s.begin_transaction().await.unwrap();
        run_consumed(&mut tx, format!("CREATE (:{label} {{v: 3}})")).await;
    }
    // Cancel: same.
    let mut tx = s.begin_transaction().await.unwrap();
    run_consumed(&mut tx, format!("CREATE (:{label} {{v: 4}})")).await;
    tx.cancel();

    let mut r = s.run(count.as_str()).await.unwrap();
    assert_eq!(single_as::<i64>(&mut r, "c").await, 1);

    // Several results open at once in one transaction; the end of the
    // transaction discards what was not read.
    let mut tx = s.begin_transaction().await.unwrap();
    let mut a = tx.run("UNWIND range(1, 3) AS i RETURN i").await.unwrap();
    let mut b = tx.run("UNWIND range(10, 12) AS i RETURN i").await.unwrap();
    assert_eq!(
        b.next().await.unwrap().unwrap().get_as::<i64>("i").unwrap(),
        10
    );
    assert_eq!(
        a.next().await.unwrap().unwrap().get_as::<i64>("i").unwrap(),
        1
    );
    assert_eq!(
        b.next().await.unwrap().unwrap().get_as::<i64>("i").unwrap(),
        11
    );
    tx.close().await.unwrap();
    assert!(matches!(a.next().await, Err(Error::ResultOutOfScope)));
    assert!(b.is_closed());

    // Metadata and timeout reach the server.
    let mut md = boltline::Map::new();
    md.insert("app".into(), Value::from("boltline-itest"));
    let mut tx = s
        .begin_transaction_with(
            TransactionConfig::new()
                .with_metadata(md)
                .with_timeout(Duration::from_secs(30)),
        )
        .await
        .unwrap();
    let mut r = tx
        .run("SHOW TRANSACTIONS YIELD metaData, currentQuery WHERE currentQuery STARTS WITH 'SHOW' RETURN metaData")
        .await
        .unwrap();
    let md = single_record(&mut r).await.get("metaData").unwrap();
    assert_eq!(md.as_map().unwrap()["app"], Value::from("boltline-itest"));
    tx.commit().await.unwrap();

    run_consumed(&mut s, format!("MATCH (n:{label}) DETACH DELETE n")).await;
    s.close().await.unwrap();
    d.close().await;
}

#[tokio::test]
async fn transaction_misuse_and_server_errors() {
    let d = driver();
    let mut s = session(&d);
    let e = s.run("RETURN nope(").await.unwrap_err();
    assert!(e.is_client_error(), "{e:?}");
    assert_eq!(e.code(), Some("Neo.ClientError.Statement.SyntaxError"));
    assert!(!e.is_retryable());
    assert!(e.gql_status().is_some());
    // The session recovers.
    let mut r = s.run("RETURN 2 AS x").await.unwrap();
    assert_eq!(single_as::<i64>(&mut r, "x").await, 2);

    // A failure inside a transaction; the transaction then refuses work,
    // and rollback is fine.
    let mut tx = s.begin_transaction().await.unwrap();
    let e = tx.run("RETURN 1/0 AS x").await;
    let e = match e {
        Ok(mut r) => r.consume().await.unwrap_err(),
        Err(e) => e,
    };
    assert!(e.server_error().is_some(), "{e:?}");
    assert!(tx.run("RETURN 1").await.is_err());
    tx.rollback().await.ok();

    // A session's access mode: a write in a read session fails on a single
    // server only when the server enforces it; just check reads work.
    let mut rs = d.session(
        SessionConfig::new()
            .with_database("neo4j")
            .with_default_access_mode(AccessMode::Read),
    );
    let mut r = rs.run("RETURN 3 AS x").await.unwrap();
    assert_eq!(single_as::<i64>(&mut r, "x").await, 3);

    // A closed session refuses work.
    s.close().await.unwrap();
    assert!(matches!(s.run("RETURN 1").await, Err(Error::SessionClosed)));

    // Wrong credentials: an authentication error, not retryable.
    let srv = server();
    let bad = Driver::new(srv.uri(), AuthToken::basic(srv.user(), "wrong-password")).unwrap();
    let e = bad.verify_connectivity().await.unwrap_err();
    assert!(e.is_authentication_error(), "{e:?}");
    assert!(!e.is_retryable());
    d.close().await;
}

#[tokio::test]
async fn unconsumed_result_is_buffered_when_the_session_moves_on() {
    let d = driver();
    let mut s = d.session(
        SessionConfig::new()
            .with_database("neo4j")
            .with_fetch_size(boltline::FetchSize::records(2).unwrap()),
    );
    let mut first = s.run("UNWIND range(1, 7) AS i RETURN i").await.unwrap();
    assert_eq!(
        first
            .next()
            .await
            .unwrap()
            .unwrap()
            .get_as::<i64>("i")
            .unwrap(),
        1
    );
    let mut second = s.run("RETURN 'second' AS s").await.unwrap();
    let mut third = s.run("UNWIND range(1, 3) AS i RETURN i").await.unwrap();
    // All still readable, in any order.
    assert_eq!(third.collect::<i64>().await.unwrap(), [1, 2, 3]);
    assert_eq!(
        second
            .single()
            .await
            .unwrap()
            .get_as::<String>("s")
            .unwrap(),
        "second"
    );
    assert_eq!(first.collect::<i64>().await.unwrap(), [2, 3, 4, 5, 6, 7]);
    // A transaction after an open result buffers it too.
    let mut open = s.run("UNWIND range(1, 5) AS i RETURN i").await.unwrap();
    let tx = s.begin_transaction().await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(open.collect::<i64>().await.unwrap().len(), 5);
    d.close().await;
}

#[tokio::test]
async fn dropping_mid_stream_leaks_nothing_and_keeps_connections_in_sync() {
    let s = server();
    let d = Driver::with_config(
        s.uri(),
        AuthToken::basic(s.user(), s.password()),
        Config::builder()
            .with_max_connection_pool_size(2)
            .with_connection_acquisition_timeout(Duration::from_secs(10))
            .with_fetch_size(boltline::FetchSize::records(10).unwrap())
            .build()
            .unwrap(),
    )
    .unwrap();
    for round in 0..20 {
        // A session dropped in the middle of a large result.
        let mut sess = session(&d);
        let mut r = sess
            .run("UNWIND range(1, 100000) AS i RETURN i")
            .await
            .unwrap();
        assert_eq!(
            r.next().await.unwrap().unwrap().get_as::<i64>("i").unwrap(),
            1
        );
        drop(sess);
        drop(r);
        // A result dropped, the session kept.
        let mut sess = session(&d);
        let r = sess
            .run("UNWIND range(1, 1000) AS i RETURN i")
            .await
            .unwrap();
        drop(r);
        let mut tx = sess.begin_transaction().await.unwrap();
        let mut half = tx.run("UNWIND range(1, 1000) AS i RETURN i").await.unwrap();
        half.fetch(5).await.unwrap();
        drop(tx); // rolled back, with a result half read
                  // A future cancelled while waiting for records.
        let mut r = sess
            .run("UNWIND range(1, 100000) AS i RETURN i")
            .await
            .unwrap();
        let _ = tokio::time::timeout(Duration::from_micros(1), async {
            while r.next().await.unwrap().is_some() {}
        })
        .await;
        drop(r);
        // Cancelled session.
        let mut c = session(&d);
        let _r = c.run("UNWIND range(1, 1000) AS i RETURN i").await.unwrap();
        c.cancel();
        // The driver still works, with the right answers.
        let mut check = session(&d);
        let mut r = check
            .run(Query::new("RETURN $round AS r").param("round", round))
            .await
            .unwrap();
        assert_eq!(single_as::<i64>(&mut r, "r").await, round);
    }
    d.close().await;
}

#[tokio::test]
async fn summary_counters_plan_profile_notifications() {
    let d = driver();
    let label = tag();
    let mut s = session(&d);
    let summary = run_consumed(
        &mut s,
        format!("CREATE (a:{label} {{x: 1}})-[:R]->(b:{label}) SET a.y = 2"),
    )
    .await;
    let c = summary.counters();
    assert_eq!(c.nodes_created(), 2);
    assert_eq!(c.relationships_created(), 1);
    assert_eq!(c.properties_set(), 2);
    assert_eq!(c.labels_added(), 2);
    assert!(c.contains_updates());
    assert_eq!(summary.query_type(), Some(boltline::QueryType::Write));

    let explain = run_consumed(&mut s, format!("EXPLAIN MATCH (n:{label}) RETURN n")).await;
    let plan = explain.plan().expect("plan");
    assert!(
        plan.operator_type().starts_with("ProduceResults"),
        "{plan:?}"
    );
    assert!(!plan.children().is_empty());

    let profile = run_consumed(&mut s, format!("PROFILE MATCH (n:{label}) RETURN n")).await;
    let p = profile.profile().expect("profile");
    assert!(p.db_hits().is_some() && p.rows() == Some(2), "{p:?}");

    // A cartesian product draws a notification.
    let n = run_consumed(
        &mut s,
        format!("EXPLAIN MATCH (a:{label}), (b:{label}) RETURN a, b"),
    )
    .await;
    assert!(
        n.notifications()
            .iter()
            .any(|n| n.code().contains("CartesianProduct")),
        "{:?} / {:?}",
        n.notifications(),
        n.metadata()
    );
    let cartesian = n
        .notifications()
        .iter()
        .find(|n| n.code().contains("CartesianProduct"))
        .unwrap();
    assert_eq!(
        cartesian.severity_level(),
        boltline::SeverityLevel::Information
    );
    assert_eq!(
        cartesian.category(),
        boltline::NotificationClassification::Performance
    );
    // The same advice as a GQL status, next to the outcome of the query
    // (Neo4j 5.26 reports an EXPLAIN as "omitted result").
    let statuses: Vec<&str> = n
        .gql_status_objects()
        .iter()
        .map(|s| s.gql_status())
        .collect();
    assert!(statuses.contains(&"00001"), "{statuses:?}");
    assert!(
        n.gql_status_objects()
            .iter()
            .any(|s| s.is_notification() && s.classification() == cartesian.category()),
        "{:?}",
        n.gql_status_objects()
    );
    assert!(n.result_available_after().is_some());

    run_consumed(&mut s, format!("MATCH (n:{label}) DETACH DELETE n")).await;
    d.close().await;
}

#[tokio::test]
async fn reading_is_cancel_safe() {
    let s = server();
    let d = Driver::with_config(
        s.uri(),
        AuthToken::basic(s.user(), s.password()),
        Config::builder()
            .with_fetch_size(boltline::FetchSize::records(7).unwrap())
            .build()
            .unwrap(),
    )
    .unwrap();
    let mut sess = session(&d);
    let mut r = sess
        .run("UNWIND range(1, 3000) AS i RETURN i")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut cancelled = 0;
    loop {
        // Most calls are cut short while waiting for the server; none may
        // lose or repeat a record.
        match tokio::time::timeout(Duration::from_micros(20), r.next()).await {
            Ok(Ok(Some(rec))) => got.push(rec.get_as::<i64>("i").unwrap()),
            Ok(Ok(None)) => break,
            Ok(Err(e)) => panic!("{e}"),
            Err(_) => cancelled += 1,
        }
    }
    assert_eq!(got, (1..=3000).collect::<Vec<_>>());
    assert!(
        cancelled > 0,
        "no call was cancelled; the test proves nothing"
    );
    // The session moves on, buffering a result whose read was cancelled.
    let mut a = sess
        .run("UNWIND range(1, 100) AS i RETURN i")
        .await
        .unwrap();
    let first = tokio::time::timeout(Duration::from_micros(1), a.next()).await;
    let already = usize::from(matches!(first, Ok(Ok(Some(_)))));
    let mut b = sess.run("RETURN 1 AS one").await.unwrap();
    assert_eq!(a.collect::<i64>().await.unwrap().len() + already, 100);
    assert_eq!(b.collect::<i64>().await.unwrap(), [1]);
    d.close().await;
}
