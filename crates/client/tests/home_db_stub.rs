//! The home-database cache over `neo4j://` (Bolt 5.8, servers routing
//! server-side): once a user's home database is known, a session naming no
//! database costs no `ROUTE` round trip, and the `db` the server names in
//! its `RUN` or `BEGIN` answer keeps the cache current (testkit's ADR 031).

use std::net::SocketAddr;
use std::time::Duration;

use boltline::{AuthToken, Config, Driver, SessionConfig};
use boltline_stub::{map, sig, Received, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

fn reserve() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("address")
}

/// A routing table naming `db`, with `server` in every role.
fn rt(db: &str, server: SocketAddr) -> Value {
    let all = || Value::List(vec![Value::from(server.to_string())]);
    Value::from_iter([
        ("ttl", Value::from(300)),
        ("db", Value::from(db)),
        (
            "servers",
            Value::List(vec![
                Value::from_iter([("role", Value::from("ROUTE")), ("addresses", all())]),
                Value::from_iter([("role", Value::from("READ")), ("addresses", all())]),
                Value::from_iter([("role", Value::from("WRITE")), ("addresses", all())]),
            ]),
        ),
    ])
}

/// Bolt 5.8 with the server-side-routing hint.
fn hello_ssr() -> Script {
    Script::bolt(5, 8).hello_ok(
        map([(
            "hints",
            Value::from_iter([("ssr.enabled", Value::from(true))]),
        )]),
        true,
    )
}

/// `RUN`+`PULL` of an auto-commit query; the `RUN` answer names `db` when
/// given.
fn auto_commit(s: Script, db: Option<&str>) -> Script {
    let mut run = vec![("fields", Value::from_iter(["x"]))];
    if let Some(db) = db {
        run.push(("db", Value::from(db)));
    }
    s.expect(sig::RUN)
        .expect(sig::PULL)
        .success(run)
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
}

fn db_of(m: &Received, extra: usize) -> Option<String> {
    m.entry(extra, "db")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

async fn run_one(d: &Driver) {
    let mut s = d.session(SessionConfig::new());
    let x: Vec<i64> = tokio::time::timeout(LIMIT, async {
        s.run("RETURN 1 AS x").await?.collect::<i64>().await
    })
    .await
    .expect("hung")
    .unwrap();
    assert_eq!(x, [1]);
    s.close().await.unwrap();
}

#[tokio::test]
async fn a_known_home_database_costs_no_route_and_replies_keep_it_current() {
    let server = reserve();
    // 1. Nothing known: ROUTE resolves the home database (db1), and the
    //    query names it.
    let s = hello_ssr()
        .expect(sig::ROUTE)
        .success([("rt", rt("db1", server))]);
    let s = auto_commit(s, Some("db1"));
    // 2. Known: no ROUTE, no name sent; the server says it used db1.
    let s = auto_commit(s, Some("db1"));
    // 3. execute_query: pipelined BEGIN, whose answer says the home
    //    database is now db2.
    let s = s
        .expect(sig::BEGIN)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("db", Value::from("db2"))])
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from("bm-1"))]);
    // 4. The cache says db2, whose table is not known yet: one ROUTE.
    let s = s.expect(sig::ROUTE).success([("rt", rt("db2", server))]);
    let s = auto_commit(s, Some("db2"));
    // 5. Known and fresh again: no ROUTE.
    let s = auto_commit(s, Some("db2"));
    let stub = StubServer::start_on(server, [s.expect(sig::GOODBYE).expect_close()])
        .await
        .unwrap();
    let config = Config::builder()
        .with_max_connection_pool_size(1)
        .build()
        .unwrap();
    let d = Driver::with_config(
        &format!("neo4j://{server}"),
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .unwrap();
    run_one(&d).await;
    run_one(&d).await;
    let r = tokio::time::timeout(LIMIT, d.execute_query("RETURN 1 AS x").run())
        .await
        .expect("hung")
        .unwrap();
    assert_eq!(r.records().len(), 1);
    run_one(&d).await;
    run_one(&d).await;
    d.close().await;
    let reports = stub.finish_within(LIMIT).await;
    reports[0].assert_completed();
    let r = &reports[0];
    assert_eq!(
        r.names()
            .iter()
            .filter(|n| matches!(n.as_str(), "ROUTE" | "RUN" | "BEGIN"))
            .collect::<Vec<_>>(),
        ["ROUTE", "RUN", "RUN", "BEGIN", "RUN", "ROUTE", "RUN", "RUN"]
    );
    let runs: Vec<Option<String>> = r.messages(sig::RUN).iter().map(|m| db_of(m, 2)).collect();
    // Only the first query, pinned by the ROUTE that resolved the name,
    // names the database; the others leave it to the server.
    assert_eq!(runs, [Some("db1".to_owned()), None, None, None, None]);
    assert_eq!(db_of(r.messages(sig::BEGIN)[0], 0), None);
    // Round trips: a cold query 2 (ROUTE, RUN+PULL), a warm one 1.
    let batches = r.batches();
    let route_batches = batches.iter().filter(|b| b.contains(&"ROUTE".to_owned()));
    assert_eq!(route_batches.count(), 2);
}
