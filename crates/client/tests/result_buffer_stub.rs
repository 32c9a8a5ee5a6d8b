//! Results read into memory and looked at without IO (py2neo's `buffer`,
//! `has_records`, `peek_records`, `take_record`), the Python driver's
//! `value`/`values`/`data` with columns and `graph()` over the whole
//! result, and `last_bookmarks` finishing an open auto-commit result:
//! against the scripted Bolt stub server.

use std::time::Duration;

use boltline::{AuthToken, Column, Config, Driver, Error, Node, SessionConfig};
use boltline_stub::{sig, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

fn driver(server: &StubServer, fetch: u64) -> Driver {
    let config = Config::builder()
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .with_fetch_size(boltline::FetchSize::records(fetch).unwrap())
        .build()
        .unwrap();
    Driver::with_config(
        &format!("bolt://{}", server.host_port()),
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .expect("driver")
}

/// `RUN` answered with `keys`, then `rows` served in batches of the fetch
/// size, ending with `bookmark`.
fn query(script: Script, keys: &[&str], rows: Vec<Vec<Value>>, bookmark: &str) -> Script {
    script
        .expect(sig::RUN)
        .success([("fields", Value::from_iter(keys.iter().copied()))])
        .serve_stream(
            rows,
            [("bookmark".to_owned(), Value::from(bookmark))].into(),
        )
}

fn ints(n: i64) -> Vec<Vec<Value>> {
    (1..=n).map(|i| vec![Value::from(i)]).collect()
}

fn int(r: &boltline::Record) -> i64 {
    r.get_as::<i64>("x").unwrap()
}

#[tokio::test]
async fn buffer_keeps_the_rest_readable_and_frees_the_connection() {
    let script = query(Script::authenticated(5, 4), &["x"], ints(5), "bm-1");
    let script = query(script, &["x"], ints(1), "bm-2");
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, 2);
    let mut s = d.session(SessionConfig::new());
    let mut r = tokio::time::timeout(LIMIT, s.run("UNWIND range(1, 5) AS x RETURN x"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(int(&r.next().await.unwrap().unwrap()), 1);
    // Record 2 came with the first batch; nothing else is here yet.
    assert_eq!(r.peek_records(10).iter().map(int).collect::<Vec<_>>(), [2]);
    tokio::time::timeout(LIMIT, r.buffer())
        .await
        .unwrap()
        .unwrap();
    assert!(r.has_records());
    assert_eq!(
        r.peek_records(2).iter().map(int).collect::<Vec<_>>(),
        [2, 3]
    );
    assert_eq!(r.take_record().map(|r| int(&r)), Some(2));
    assert_eq!(
        r.peek_records(10).iter().map(int).collect::<Vec<_>>(),
        [3, 4, 5]
    );
    // The connection is free: another query runs before this result is read.
    let mut other = s.run("RETURN 1 AS x").await.unwrap();
    assert_eq!(int(&other.single().await.unwrap()), 1);
    let rest: Vec<i64> = r.collect().await.unwrap();
    assert_eq!(rest, [3, 4, 5]);
    assert!(!r.has_records());
    assert!(r.take_record().is_none());
    assert!(r.peek_records(1).is_empty());
    // Consumed: buffer has nothing to keep.
    r.consume().await.unwrap();
    assert!(matches!(r.buffer().await, Err(Error::ResultConsumed)));
    s.close().await.unwrap();
    d.close().await;
    server.finish_and_assert().await;
}

#[tokio::test]
async fn take_record_does_no_io_and_peek_many_reads_ahead_without_moving() {
    let script = query(Script::authenticated(5, 4), &["x"], ints(5), "bm-1");
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, 2);
    let mut s = d.session(SessionConfig::new());
    let mut r = s.run("UNWIND range(1, 5) AS x RETURN x").await.unwrap();
    // Nothing read yet: take_record never waits for the server.
    let early = r.take_record();
    assert!(early.is_none() || early.as_ref().map(int) == Some(1));
    let first = if early.is_some() { 2 } else { 1 };
    let ahead = tokio::time::timeout(LIMIT, r.peek_many(3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        ahead.iter().map(int).collect::<Vec<_>>(),
        (first..first + 3).collect::<Vec<_>>()
    );
    assert!(r.has_records());
    // peek() and peek_many agree, and reading goes on in order.
    assert_eq!(int(r.peek().await.unwrap().unwrap()), first);
    assert_eq!(int(&r.peek_many(1).await.unwrap()[0]), first);
    let mut seen = Vec::new();
    while let Some(rec) = r.next().await.unwrap() {
        seen.push(int(&rec));
    }
    assert_eq!(seen, (first..=5).collect::<Vec<_>>());
    // At the end: fewer than asked, none.
    assert!(r.peek_many(4).await.unwrap().is_empty());
    s.close().await.unwrap();
    d.close().await;
    server.finish_and_assert().await;
}

#[tokio::test]
async fn value_values_and_data_take_columns_by_name_or_index() {
    let rows = || {
        vec![
            vec![Value::from(1), Value::from("a")],
            vec![Value::from(2), Value::from("b")],
        ]
    };
    let mut script = Script::authenticated(5, 4);
    for _ in 0..6 {
        script = query(script, &["x", "s"], rows(), "bm");
    }
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, 10);
    let mut s = d.session(SessionConfig::new());
    let q = "UNWIND [[1, 'a'], [2, 'b']] AS p RETURN p[0] AS x, p[1] AS s";

    let mut r = s.run(q).await.unwrap();
    assert_eq!(
        r.value(1, Value::Null).await.unwrap(),
        [Value::from("a"), Value::from("b")]
    );
    let mut r = s.run(q).await.unwrap();
    // A name the records lack gives the default.
    assert_eq!(
        r.value("nope", Value::from(0)).await.unwrap(),
        [Value::from(0), Value::from(0)]
    );
    let mut r = s.run(q).await.unwrap();
    // So does an index past the end (as in the Python driver).
    assert_eq!(
        r.value(5, Value::from(-1)).await.unwrap(),
        [Value::from(-1), Value::from(-1)]
    );
    let mut r = s.run(q).await.unwrap();
    assert_eq!(
        r.values(&["s".into(), "nope".into(), 0.into()])
            .await
            .unwrap(),
        [
            vec![Value::from("a"), Value::Null, Value::from(1)],
            vec![Value::from("b"), Value::Null, Value::from(2)]
        ]
    );
    let mut r = s.run(q).await.unwrap();
    let data = r.data(&[Column::Key("s")]).await.unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[1].len(), 1);
    assert_eq!(data[1]["s"], Value::from("b"));
    let mut r = s.run(q).await.unwrap();
    // An index past the end is an error, naming the columns.
    match r.values(&[Column::Index(2)]).await {
        Err(Error::NoSuchColumn { column, keys }) => {
            assert_eq!(column, "2");
            assert_eq!(keys, ["x", "s"]);
        }
        other => panic!("{other:?}"),
    }
    s.close().await.unwrap();
    d.close().await;
    server.finish_and_assert().await;
}

fn node(id: i64) -> Value {
    Value::Node(Node {
        id,
        labels: vec!["P".into()],
        properties: [("i".to_owned(), Value::from(id))].into(),
        element_id: Some(format!("4:x:{id}")),
    })
}

#[tokio::test]
async fn graph_covers_records_read_while_tracking_and_leaves_the_rest_readable() {
    // Node 1 twice: once in a record read before graph(), once after.
    let rows = vec![
        vec![node(1)],
        vec![Value::from(7)],
        vec![node(2)],
        vec![node(1)],
        vec![node(3)],
    ];
    let script = query(Script::authenticated(5, 4), &["n"], rows, "bm");
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, 2);
    let mut s = d.session(SessionConfig::new());
    let mut r = s.run("MATCH (n) RETURN n").await.unwrap();
    r.track_graph();
    r.next().await.unwrap().unwrap();
    r.next().await.unwrap().unwrap();
    let g = tokio::time::timeout(LIMIT, r.graph())
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<_> = g.nodes().iter().map(|n| n.id).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert!(g.node("4:x:1").is_some());
    // The rest is still here, in order.
    let rest: Vec<i64> = std::iter::from_fn(|| r.take_record())
        .map(|rec| match rec.get("n").unwrap() {
            Value::Node(n) => n.id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(rest, [2, 1, 3]);
    assert!(r.next().await.unwrap().is_none());
    // Everything handed out is still counted.
    assert_eq!(r.graph().await.unwrap().nodes().len(), 3);
    s.close().await.unwrap();
    d.close().await;
    server.finish_and_assert().await;
}

#[tokio::test]
async fn without_tracking_graph_covers_only_the_records_not_read_yet() {
    let rows = vec![vec![node(1)], vec![node(2)], vec![node(3)]];
    let script = query(Script::authenticated(5, 4), &["n"], rows, "bm");
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, 2);
    let mut s = d.session(SessionConfig::new());
    let mut r = s.run("MATCH (n) RETURN n").await.unwrap();
    // Read without tracking: node 1 is not remembered.
    r.next().await.unwrap().unwrap();
    let g = tokio::time::timeout(LIMIT, r.graph())
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<_> = g.nodes().iter().map(|n| n.id).collect();
    assert_eq!(ids, [2, 3]);
    s.close().await.unwrap();
    d.close().await;
    server.finish_and_assert().await;
}

#[tokio::test]
async fn last_bookmarks_finishes_the_open_auto_commit_result_first() {
    let script = query(Script::authenticated(5, 4), &["x"], ints(3), "bm-new");
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, 1);
    let mut s =
        d.session(SessionConfig::new().with_bookmarks(boltline::Bookmarks::from_raw(["bm-old"])));
    let mut r = s.run("UNWIND range(1, 3) AS x RETURN x").await.unwrap();
    let bookmarks = tokio::time::timeout(LIMIT, s.last_bookmarks())
        .await
        .unwrap();
    assert_eq!(bookmarks.raw_values().collect::<Vec<_>>(), ["bm-new"]);
    // Its records stayed readable.
    let all: Vec<i64> = r.collect().await.unwrap();
    assert_eq!(all, [1, 2, 3]);
    s.close().await.unwrap();
    d.close().await;
    server.finish_and_assert().await;
}
