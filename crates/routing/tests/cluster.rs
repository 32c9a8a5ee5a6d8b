//! The connector against clusters of scripted stub servers: routing-table
//! fetch, reads to followers and writes to the leader, leader switch,
//! routers down, readers dropping, TTL expiry, per-database tables, the
//! home database and its cache, empty discovery results.
//!
//! A cluster member's routing table names members (itself included), so
//! each member's address is fixed before any script is written: a listener
//! is bound first and forwards every connection it accepts, in order, to a
//! stub server started afterwards (`Member`).

use std::fmt::Debug;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use boltline_routing::boltline_bolt::{ConnectionConfig, Query, ServerError, TxOptions};
use boltline_routing::boltline_pool::{Clock, FakeTime, PoolConfig};
use boltline_routing::{
    AccessMode, AcquireOptions, Address, BoltError, Connector, ConnectorConfig, DiscoveryFailure,
    ErrorAction, HomeDbKey, RoutedConnection, RoutingError,
};
use boltline_stub::{map, sig, ConnectionReport, Map, Received, Script, StubServer, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Bound on every test step: a hang fails the test instead of blocking.
const LIMIT: Duration = Duration::from_secs(20);

async fn bounded<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("no progress within the time limit")
}

/// A cluster member whose address is known before its scripts are.
struct Member {
    listener: TcpListener,
    address: Address,
}

/// A member serving its scripts.
struct Served {
    stub: StubServer,
    forwarder: JoinHandle<()>,
}

impl Member {
    async fn new() -> Member {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        Member {
            listener,
            address: Address::new("127.0.0.1", port),
        }
    }

    fn address(&self) -> Address {
        self.address.clone()
    }

    /// Starts the stub with one script per expected connection.
    async fn serve(self, scripts: Vec<Script>) -> Served {
        let stub = StubServer::start(scripts).await.unwrap();
        let backend = stub.address();
        let listener = self.listener;
        let forwarder = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                // Connect before accepting the next client, so the stub sees
                // connections (and assigns scripts) in the clients' order.
                let Ok(mut server) = TcpStream::connect(backend).await else {
                    continue;
                };
                tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
            }
        });
        Served { stub, forwarder }
    }
}

impl Served {
    /// Connections accepted by the stub so far.
    fn accepted(&self) -> usize {
        self.stub.accepted()
    }

    /// Stops forwarding; asserts every script completed; the reports.
    async fn finish(self) -> Vec<ConnectionReport> {
        self.forwarder.abort();
        self.stub.finish_and_assert().await
    }
}

/// An address where nothing listens (connections are refused).
async fn down_address() -> Address {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    Address::new("127.0.0.1", port)
}

fn config() -> ConnectorConfig {
    ConnectorConfig::new(
        ConnectionConfig::new()
            .with_connect_timeout(Some(Duration::from_secs(5)))
            .with_read_timeout(Some(Duration::from_secs(5))),
    )
    .with_pool(PoolConfig::default().acquisition_timeout(Duration::from_secs(5)))
}

fn connector(initial: &Address) -> Connector {
    Connector::new(initial.clone(), config()).unwrap()
}

/// `HELLO` (+ `LOGON`) answered by a Bolt 5.8 server, with or without the
/// `ssr.enabled` hint.
fn hello(ssr: bool) -> Script {
    let extra = if ssr {
        map([(
            "hints",
            Value::from_iter([("ssr.enabled", Value::from(true))]),
        )])
    } else {
        Map::new()
    };
    Script::bolt(5, 8).hello_ok(extra, true)
}

fn list(addresses: &[&Address]) -> Value {
    Value::List(
        addresses
            .iter()
            .map(|a| Value::from(a.to_string()))
            .collect(),
    )
}

/// A `ROUTE` reply.
fn rt(
    ttl: i64,
    db: &str,
    routers: &[&Address],
    readers: &[&Address],
    writers: &[&Address],
) -> Value {
    Value::from_iter([
        ("ttl", Value::from(ttl)),
        ("db", Value::from(db)),
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

trait ScriptExt {
    /// Expects `ROUTE` whose `extra` is exactly `{db?, imp_user?}`, answers `rt`.
    fn route(self, db: Option<&str>, imp_user: Option<&str>, rt: Value) -> Script;
    /// Expects `RUN` + `PULL`, answers one record `[1]`.
    fn run_ok(self) -> Script;
}

impl ScriptExt for Script {
    fn route(self, db: Option<&str>, imp_user: Option<&str>, rt: Value) -> Script {
        let (db, imp_user) = (db.map(str::to_owned), imp_user.map(str::to_owned));
        self.expect_with(sig::ROUTE, move |fields| {
            let extra = fields
                .get(2)
                .and_then(Value::as_map)
                .ok_or("ROUTE has no extra map")?;
            let got = |k: &str| extra.get(k).and_then(Value::as_str).map(str::to_owned);
            if got("db") != db || got("imp_user") != imp_user || extra.len() > 2 {
                return Err(format!(
                    "ROUTE extra {extra:?}, expected db {db:?}, imp_user {imp_user:?}"
                ));
            }
            Ok(())
        })
        .success([("rt", rt)])
    }

    fn run_ok(self) -> Script {
        self.expect(sig::RUN)
            .expect(sig::PULL)
            .success([("fields", Value::from_iter(["1"]))])
            .record(vec![Value::from(1)])
            .success([("type", Value::from("r"))])
    }
}

/// Runs `RETURN 1` on the connection, in its database and mode.
async fn return_1(conn: &mut RoutedConnection) -> Result<i64, BoltError> {
    let options = TxOptions::new()
        .with_db(conn.database())
        .with_mode(conn.mode());
    let mut result = conn.run(&Query::new("RETURN 1"), &options).await?;
    let mut value = None;
    while let Some(record) = conn.next_record(&mut result).await? {
        value = record.values()?.first().and_then(Value::as_i64);
    }
    Ok(value.expect("one record"))
}

fn messages(reports: &[ConnectionReport], signature: u8) -> Vec<Received> {
    reports
        .iter()
        .flat_map(|r| r.messages(signature).into_iter().cloned())
        .collect()
}

fn run_mode(run: &Received) -> Option<String> {
    run.entry(2, "mode")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn assert_err<T: Debug>(
    r: Result<T, RoutingError>,
    check: impl Fn(&RoutingError) -> bool,
) -> RoutingError {
    match r {
        Err(e) if check(&e) => e,
        other => panic!("unexpected outcome: {other:?}"),
    }
}

/// Captures this crate's `tracing` events per test.
///
/// One global subscriber, installed before any test runs connector code
/// (every test calls `setup` first), keeps each event's message in a
/// buffer of the thread it happened on: each `#[tokio::test]` runs its
/// runtime, and so the connector, on its own thread. (A scoped subscriber
/// per test would race with the other tests over tracing's global
/// call-site cache.)
mod capture {
    use std::cell::RefCell;
    use std::fmt::Debug;
    use std::sync::Once;

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    thread_local! {
        static EVENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    struct Global;

    struct Message(String);

    impl Visit for Message {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            if field.name() == "message" {
                self.0 = format!("{value:?}");
            }
        }
    }

    impl Subscriber for Global {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            metadata.target() == "boltline_routing"
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut m = Message(String::new());
            event.record(&mut m);
            EVENTS.with(|e| e.borrow_mut().push(m.0));
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    /// Installs the subscriber (once) and clears this thread's buffer.
    pub fn setup() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            tracing::subscriber::set_global_default(Global).expect("no other global subscriber");
        });
        EVENTS.with(|e| e.borrow_mut().clear());
    }

    /// The messages of the events on this thread since `setup`.
    pub fn messages() -> Vec<String> {
        EVENTS.with(|e| e.borrow().clone())
    }
}

#[tokio::test]
async fn three_member_cluster_reads_go_to_followers_and_writes_to_the_leader() {
    capture::setup();
    let (leader, f1, f2) = (
        Member::new().await,
        Member::new().await,
        Member::new().await,
    );
    let (l, a1, a2) = (leader.address(), f1.address(), f2.address());
    let table = rt(300, "neo4j", &[&l], &[&a1, &a2], &[&l]);
    let leader = leader
        .serve(vec![hello(false)
            .route(Some("neo4j"), None, table)
            .run_ok()])
        .await;
    let f1 = f1.serve(vec![hello(false).run_ok()]).await;
    let f2 = f2.serve(vec![hello(false).run_ok()]).await;
    let c = connector(&l);

    let mut r1 = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    let mut r2 = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    let mut w = bounded(c.acquire(Some("neo4j"), AccessMode::Write))
        .await
        .unwrap();
    // Both followers serve reads (the second read goes to the idle one);
    // the write goes to the leader.
    assert_eq!(r1.address(), &a1);
    assert_eq!(r2.address(), &a2);
    assert_eq!(w.address(), &l);
    assert_eq!((r1.database(), r1.mode()), ("neo4j", AccessMode::Read));
    assert!(!r1.is_home_database());
    let in_use = c.in_use();
    assert_eq!((in_use[&a1], in_use[&a2], in_use[&l]), (1, 1, 1));
    for conn in [&mut r1, &mut r2, &mut w] {
        assert_eq!(bounded(return_1(conn)).await.unwrap(), 1);
    }
    drop((r1, r2, w));
    assert!(c.in_use().values().all(|n| *n == 0));

    let t = c.routing_table("neo4j").unwrap();
    assert_eq!(t.routers(), vec![l.clone()]);
    assert_eq!(t.readers(), [a1.clone(), a2.clone()]);
    assert_eq!(t.writers(), vec![l.clone()]);
    assert_eq!(t.ttl(), Duration::from_secs(300));
    assert_eq!(c.routing_tables().len(), 1);

    // py2neo's `get_pools`: handles of the readers' pools, from the fresh
    // table (no ROUTE: the leader's script has none left), sharing state
    // with the connector's own.
    let readers = bounded(c.get_pools(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    let addresses: Vec<_> = readers.iter().map(|(a, _)| a.clone()).collect();
    assert_eq!(addresses, [a1.clone(), a2.clone()]);
    assert_eq!(readers[0].1.idle(), 1);
    let held = bounded(readers[0].1.acquire_with(&None)).await.unwrap();
    assert_eq!(c.in_use_at(&a1), 1);
    drop(held);
    let writers = bounded(c.get_pools(Some("neo4j"), AccessMode::Write))
        .await
        .unwrap();
    assert_eq!(writers.len(), 1);
    assert_eq!(writers[0].0, l);
    assert_eq!(c.pools().len(), 3);

    // py2neo's `prune`: the idle connection to a follower is closed.
    assert_eq!(c.prune(&a1).await, 1);
    assert_eq!(c.pool_stats()[&a1].size, 0);

    // Errors reported by the client layer.
    let forbidden = BoltError::from(ServerError::new(
        "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
        "read only",
    ));
    assert_eq!(
        c.on_error(&l, "neo4j", &forbidden).await,
        ErrorAction::WriterRemoved
    );
    let syntax = BoltError::from(ServerError::new(
        "Neo.ClientError.Statement.SyntaxError",
        "x",
    ));
    assert_eq!(c.on_error(&a1, "neo4j", &syntax).await, ErrorAction::None);
    let broken = BoltError::ConnectionClosed { during: "test" };
    assert_eq!(
        c.on_error(&a2, "neo4j", &broken).await,
        ErrorAction::ServerRemoved
    );
    let t = c.routing_table("neo4j").unwrap();
    assert!(t.writers().is_empty());
    assert_eq!(t.routers(), vec![l.clone()]);
    assert_eq!(t.readers(), vec![a1.clone()]);
    assert!(
        !c.in_use().contains_key(&a2),
        "the removed server's pool is closed"
    );
    c.close().await;

    let reports = leader.finish().await;
    let routes = messages(&reports, sig::ROUTE);
    assert_eq!(routes.len(), 1);
    // The routing context carries the initial address, in HELLO and ROUTE.
    assert_eq!(
        routes[0].entry(0, "address"),
        Some(&Value::from(l.to_string()))
    );
    let hello_routing = messages(&reports, sig::HELLO)[0]
        .entry(0, "routing")
        .and_then(Value::as_map)
        .cloned()
        .expect("HELLO asks for routing");
    assert_eq!(hello_routing["address"], Value::from(l.to_string()));
    let runs = messages(&reports, sig::RUN);
    assert_eq!(runs.len(), 1);
    assert_eq!(run_mode(&runs[0]), None, "the leader gets the write");
    for follower in [f1, f2] {
        let reports = follower.finish().await;
        let runs = messages(&reports, sig::RUN);
        assert_eq!(runs.len(), 1);
        assert_eq!(run_mode(&runs[0]).as_deref(), Some("r"));
        assert!(messages(&reports, sig::ROUTE).is_empty());
    }
}

#[tokio::test]
async fn leader_switch_mid_workload() {
    capture::setup();

    let (old, new, follower) = (
        Member::new().await,
        Member::new().await,
        Member::new().await,
    );
    let (o, n, f) = (old.address(), new.address(), follower.address());
    let before = rt(300, "neo4j", &[&o, &n], &[&f], &[&o]);
    let after = rt(300, "neo4j", &[&n, &o], &[&f], &[&n]);
    let old = old
        .serve(vec![hello(false)
            .route(Some("neo4j"), None, before)
            .expect(sig::RUN)
            .expect(sig::PULL)
            .failure(
                "Neo.ClientError.Cluster.NotALeader",
                "No write operations are allowed",
            )
            .ignored()
            // Released in a failed state, the connection is reset at once.
            .expect(sig::RESET)
            .success_map(Map::new())])
        .await;
    let new = new
        .serve(vec![hello(false)
            .route(Some("neo4j"), None, after)
            .run_ok()])
        .await;
    let follower = follower.serve(vec![hello(false).run_ok()]).await;
    let c = connector(&o);

    let mut w = bounded(c.acquire(Some("neo4j"), AccessMode::Write))
        .await
        .unwrap();
    assert_eq!(w.address(), &o);
    let err = bounded(return_1(&mut w)).await.unwrap_err();
    assert_eq!(
        err.server_error().map(|e| e.code.as_str()),
        Some("Neo.ClientError.Cluster.NotALeader")
    );
    assert_eq!(
        c.on_error(w.address(), w.database(), &err).await,
        ErrorAction::WriterRemoved
    );
    drop(w);
    let t = c.routing_table("neo4j").unwrap();
    assert!(t.writers().is_empty());
    assert_eq!(t.routers(), [o.clone(), n.clone()], "still a router");

    // No writer left: the next write fetches a new table (from the other
    // router first) and goes to the new leader.
    let mut w = bounded(c.acquire(Some("neo4j"), AccessMode::Write))
        .await
        .unwrap();
    assert_eq!(w.address(), &n);
    assert_eq!(bounded(return_1(&mut w)).await.unwrap(), 1);
    drop(w);
    assert_eq!(c.routing_table("neo4j").unwrap().writers(), vec![n.clone()]);
    // Reads were never disturbed.
    let mut r = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(r.address(), &f);
    assert_eq!(bounded(return_1(&mut r)).await.unwrap(), 1);
    drop(r);
    c.close().await;

    // The old leader was asked nothing more (discovery went to the other
    // router first) and not even reconnected to; its failed connection was
    // only reset (when released) so it is clean in its pool.
    assert_eq!(old.accepted(), 1);
    let reports = old.finish().await;
    assert_eq!(
        reports[0].names()[..6],
        ["HELLO", "LOGON", "ROUTE", "RUN", "PULL", "RESET"]
    );
    let reports = new.finish().await;
    assert_eq!(reports[0].names()[2..5], ["ROUTE", "RUN", "PULL"]);
    follower.finish().await;
    let logged = capture::messages();
    assert!(
        logged
            .iter()
            .any(|m| m == "writer removed from routing table"),
        "{logged:?}"
    );
    assert_eq!(
        logged
            .iter()
            .filter(|m| *m == "routing table updated")
            .count(),
        2,
        "{logged:?}"
    );
}

#[tokio::test]
async fn router_down_discovery_moves_on_to_the_next_router() {
    capture::setup();

    let (first, second) = (Member::new().await, Member::new().await);
    let (r1, r2) = (first.address(), second.address());
    let down = down_address().await;
    // A TTL of 0: the table is stale as soon as it has served one acquisition.
    let first = first
        .serve(vec![hello(false).route(
            Some("neo4j"),
            None,
            rt(0, "neo4j", &[&down, &r2], &[&r2], &[&r2]),
        )])
        .await;
    let second = second
        .serve(vec![hello(false)
            .run_ok()
            .route(
                Some("neo4j"),
                None,
                rt(300, "neo4j", &[&r2], &[&r2], &[&r2]),
            )
            .run_ok()])
        .await;
    let c = connector(&r1);

    let mut r = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(r.address(), &r2);
    assert_eq!(bounded(return_1(&mut r)).await.unwrap(), 1);
    drop(r);
    // Stale: routers are asked in order; the one that is down is skipped
    // (and forgotten), the next one answers.
    let mut r = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(r.address(), &r2);
    assert_eq!(bounded(return_1(&mut r)).await.unwrap(), 1);
    drop(r);
    let t = c.routing_table("neo4j").unwrap();
    assert_eq!(t.routers(), vec![r2.clone()]);
    assert!(!c.in_use().contains_key(&down));
    c.close().await;

    assert_eq!(messages(&first.finish().await, sig::ROUTE).len(), 1);
    assert_eq!(messages(&second.finish().await, sig::ROUTE).len(), 1);
    assert!(
        capture::messages()
            .iter()
            .any(|m| m == "server removed from routing tables"),
        "{:?}",
        capture::messages()
    );
}

#[tokio::test]
async fn custom_resolver_for_the_initial_address_only() {
    capture::setup();
    let member = Member::new().await;
    let r = member.address();
    let down = down_address().await;
    let table = rt(300, "neo4j", &[&r], &[&r], &[&r]);
    let member = member
        .serve(vec![hello(false)
            .route(Some("neo4j"), None, table.clone())
            .run_ok()
            .route(Some("neo4j"), None, table)])
        .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let resolver = {
        let (calls, seen, down, r) = (calls.clone(), seen.clone(), down.clone(), r.clone());
        move |a: Address| {
            calls.fetch_add(1, Ordering::SeqCst);
            seen.lock().unwrap().push(a);
            let out = vec![down.clone(), r.clone()];
            async move { Ok(out) }
        }
    };
    // A name no DNS knows: only the resolver can make sense of it.
    let initial = Address::new("cluster.boltline.invalid", 7687);
    let c = Connector::new(initial.clone(), config().with_resolver(resolver)).unwrap();

    let mut conn = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(conn.address(), &r);
    assert_eq!(bounded(return_1(&mut conn)).await.unwrap(), 1);
    drop(conn);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(*seen.lock().unwrap(), [initial]);

    // A refresh asks the known router directly; the resolver is not needed.
    let t = bounded(
        c.fetch_routing_table(&AcquireOptions::new(AccessMode::Read).with_database("neo4j")),
    )
    .await
    .unwrap();
    assert_eq!(t.readers(), vec![r.clone()]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    c.close().await;
    member.finish().await;
}

#[tokio::test]
async fn no_router_reachable_lists_what_was_tried() {
    capture::setup();
    let (d1, d2) = (down_address().await, down_address().await);
    let resolver = {
        let out = vec![d1.clone(), d2.clone()];
        move |_: Address| {
            let out = out.clone();
            async move { Ok(out) }
        }
    };
    let c = Connector::new(
        Address::new("cluster.boltline.invalid", 7687),
        config().with_resolver(resolver),
    )
    .unwrap();
    let err = assert_err(
        bounded(c.acquire(Some("neo4j"), AccessMode::Write)).await,
        |e| matches!(e, RoutingError::NoRouterReachable { .. }),
    );
    let RoutingError::NoRouterReachable { database, attempts } = &err else {
        unreachable!()
    };
    assert_eq!(database.as_deref(), Some("neo4j"));
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].address, d1);
    assert_eq!(attempts[1].address, d2);
    assert!(attempts
        .iter()
        .all(|a| matches!(a.failure, DiscoveryFailure::Connect(_))));
    let text = err.to_string();
    assert!(
        text.contains(&d1.to_string()) && text.contains(&d2.to_string()),
        "{text}"
    );
    assert!(err.retry_action().is_retry());

    // A resolver that fails is reported too.
    let failing = |_: Address| async { Err(std::io::Error::other("resolver exploded")) };
    let c = Connector::new(Address::new("x", 1), config().with_resolver(failing)).unwrap();
    let err = bounded(c.acquire(None, AccessMode::Read))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("resolver exploded"), "{err}");
}

#[tokio::test]
async fn reader_dropping_mid_query_is_removed() {
    capture::setup();

    let (leader, f1, f2) = (
        Member::new().await,
        Member::new().await,
        Member::new().await,
    );
    let (l, a1, a2) = (leader.address(), f1.address(), f2.address());
    let leader = leader
        .serve(vec![hello(false).route(
            Some("neo4j"),
            None,
            rt(300, "neo4j", &[&l], &[&a1, &a2], &[&l]),
        )])
        .await;
    let f1 = f1
        .serve(vec![hello(false)
            .expect(sig::RUN)
            .expect(sig::PULL)
            .success([("fields", Value::from_iter(["1"]))])
            .record(vec![Value::from(1)])
            .close()])
        .await;
    let f2 = f2.serve(vec![hello(false).run_ok()]).await;
    let c = connector(&l);

    let mut r = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(r.address(), &a1);
    let err = bounded(return_1(&mut r)).await.unwrap_err();
    assert!(err.is_connection_error(), "{err}");
    assert_eq!(
        c.on_error(r.address(), r.database(), &err).await,
        ErrorAction::ServerRemoved
    );
    drop(r);
    let t = c.routing_table("neo4j").unwrap();
    assert_eq!(t.readers(), vec![a2.clone()]);
    assert!(!t.contains(&a1));

    let mut r = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(r.address(), &a2);
    assert_eq!(bounded(return_1(&mut r)).await.unwrap(), 1);
    drop(r);
    c.close().await;
    leader.finish().await;
    f1.finish().await;
    assert_eq!(messages(&f2.finish().await, sig::RUN).len(), 1);
    assert!(capture::messages()
        .iter()
        .any(|m| m == "server removed from routing tables"));
}

#[tokio::test]
async fn unreachable_reader_is_skipped_at_acquisition() {
    capture::setup();
    let leader = Member::new().await;
    let l = leader.address();
    let down = down_address().await;
    let leader = leader
        .serve(vec![hello(false)
            .route(
                Some("neo4j"),
                None,
                rt(300, "neo4j", &[&l], &[&down, &l], &[&l]),
            )
            .run_ok()])
        .await;
    let c = connector(&l);
    // The rotation starts at the first reader, which is down: it is
    // removed and the next one serves.
    let mut r = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(r.address(), &l);
    assert_eq!(bounded(return_1(&mut r)).await.unwrap(), 1);
    drop(r);
    assert_eq!(c.routing_table("neo4j").unwrap().readers(), vec![l.clone()]);
    c.close().await;
    leader.finish().await;
}

#[tokio::test]
async fn stale_ttl_sends_a_new_route() {
    capture::setup();
    let member = Member::new().await;
    let r = member.address();
    let member = member
        .serve(vec![hello(false)
            .route(Some("neo4j"), None, rt(1, "neo4j", &[&r], &[&r], &[&r]))
            .run_ok()
            .route(Some("neo4j"), None, rt(300, "neo4j", &[&r], &[&r], &[&r]))
            .run_ok()])
        .await;
    let c = connector(&r);
    let mut conn = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(bounded(return_1(&mut conn)).await.unwrap(), 1);
    drop(conn);
    let first = c.routing_table("neo4j").unwrap();
    assert_eq!(first.ttl(), Duration::from_secs(1));

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut conn = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(bounded(return_1(&mut conn)).await.unwrap(), 1);
    drop(conn);
    let second = c.routing_table("neo4j").unwrap();
    assert_eq!(second.ttl(), Duration::from_secs(300));
    assert!(second.fetched_at() > first.fetched_at());
    // Fresh again: no further ROUTE.
    drop(
        bounded(c.acquire(Some("neo4j"), AccessMode::Write))
            .await
            .unwrap(),
    );
    c.close().await;
    assert_eq!(messages(&member.finish().await, sig::ROUTE).len(), 2);
}

#[tokio::test]
async fn ttl_and_home_db_cache_expire_on_a_fake_clock() {
    capture::setup();
    let member = Member::new().await;
    let r = member.address();
    let member = member
        .serve(vec![hello(true)
            .route(None, None, rt(300, "home1", &[&r], &[&r], &[&r]))
            .route(None, None, rt(300, "home1", &[&r], &[&r], &[&r]))
            .route(None, None, rt(300, "home2", &[&r], &[&r], &[&r]))])
        .await;
    let fake = Arc::new(FakeTime::new());
    fake.freeze();
    let config = config()
        .with_home_db_cache(10, Some(Duration::from_secs(600)))
        .with_clock(Clock::fake(fake.clone()));
    assert_eq!(config.clock(), &Clock::fake(fake.clone()));
    let c = Connector::new(r.clone(), config).unwrap();

    let first = bounded(c.acquire(None, AccessMode::Read)).await.unwrap();
    assert_eq!(first.database(), "home1");
    drop(first);
    let fetched = c.routing_table("home1").unwrap().fetched_at();
    // 299 fake seconds later the table is still fresh: no ROUTE.
    fake.advance(Duration::from_secs(299));
    drop(bounded(c.acquire(None, AccessMode::Read)).await.unwrap());
    assert_eq!(c.routing_table("home1").unwrap().fetched_at(), fetched);
    // At its TTL it is refreshed (asking for the home database again).
    fake.advance(Duration::from_secs(1));
    let conn = bounded(c.acquire(None, AccessMode::Read)).await.unwrap();
    assert_eq!(conn.database(), "home1");
    drop(conn);
    let refreshed = c.routing_table("home1").unwrap().fetched_at();
    assert_eq!(refreshed.duration_since(fetched), Duration::from_secs(300));
    // The refresh stored the name again; 600 s (the cache TTL) later it is
    // forgotten, and resolving the home database again names another one.
    fake.advance(Duration::from_secs(599));
    assert_eq!(
        c.home_database(&HomeDbKey::Driver).as_deref(),
        Some("home1")
    );
    fake.advance(Duration::from_secs(1));
    assert_eq!(c.home_database(&HomeDbKey::Driver), None);
    let conn = bounded(c.acquire(None, AccessMode::Read)).await.unwrap();
    assert_eq!(conn.database(), "home2");
    drop(conn);
    c.close().await;
    assert_eq!(messages(&member.finish().await, sig::ROUTE).len(), 3);
}

#[tokio::test]
async fn concurrent_acquisitions_share_one_discovery() {
    capture::setup();
    const N: usize = 8;
    let (router, follower) = (Member::new().await, Member::new().await);
    let (r, f) = (router.address(), follower.address());
    let router = router
        .serve(vec![hello(false).route(
            Some("neo4j"),
            None,
            rt(300, "neo4j", &[&r], &[&f], &[&r]),
        )])
        .await;
    let follower = follower.serve(vec![hello(false); N]).await;
    let c = connector(&r);
    let tasks: Vec<_> = (0..N)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.acquire(Some("neo4j"), AccessMode::Read).await })
        })
        .collect();
    let mut held = Vec::new();
    for t in tasks {
        held.push(bounded(t).await.unwrap().unwrap());
    }
    assert_eq!(c.in_use_at(&f), N);
    drop(held);
    c.close().await;
    assert_eq!(messages(&router.finish().await, sig::ROUTE).len(), 1);
    assert_eq!(follower.finish().await.len(), N);
}

#[tokio::test]
async fn tables_are_per_database() {
    capture::setup();
    let (router, f1, f2) = (
        Member::new().await,
        Member::new().await,
        Member::new().await,
    );
    let (r, a1, a2) = (router.address(), f1.address(), f2.address());
    let router = router
        .serve(vec![hello(false)
            .route(
                Some("movies"),
                None,
                rt(300, "movies", &[&r], &[&a1], &[&r]),
            )
            .route(
                Some("people"),
                Some("bob"),
                rt(300, "people", &[&r], &[&a2], &[&r]),
            )])
        .await;
    let f1 = f1.serve(vec![hello(false).run_ok()]).await;
    let f2 = f2.serve(vec![hello(false).run_ok()]).await;
    let c = Connector::from_uri(&format!("neo4j://{r}?region=eu&policy=fast"), config()).unwrap();

    let mut m = bounded(c.acquire(Some("movies"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!((m.address(), m.database()), (&a1, "movies"));
    assert_eq!(bounded(return_1(&mut m)).await.unwrap(), 1);
    drop(m);
    let options = AcquireOptions::new(AccessMode::Read)
        .with_database("people")
        .with_bookmarks(["bm:1", "bm:2"])
        .with_imp_user("bob");
    let mut p = bounded(c.acquire_with(&options)).await.unwrap();
    assert_eq!((p.address(), p.database()), (&a2, "people"));
    assert_eq!(bounded(return_1(&mut p)).await.unwrap(), 1);
    drop(p);

    let tables = c.routing_tables();
    assert_eq!(tables.keys().collect::<Vec<_>>(), ["movies", "people"]);
    assert_eq!(tables["movies"].readers(), vec![a1.clone()]);
    assert_eq!(tables["people"].readers(), vec![a2.clone()]);
    c.close().await;

    let reports = router.finish().await;
    let routes = messages(&reports, sig::ROUTE);
    assert_eq!(routes.len(), 2);
    let context = routes[1].map(0).unwrap();
    assert_eq!(context["address"], Value::from(r.to_string()));
    assert_eq!(context["region"], Value::from("eu"));
    assert_eq!(context["policy"], Value::from("fast"));
    assert_eq!(context.len(), 3);
    assert_eq!(
        routes[1].fields[1],
        Value::List(vec![Value::from("bm:1"), Value::from("bm:2")])
    );
    assert_eq!(routes[0].fields[1], Value::List(Vec::new()));
    f1.finish().await;
    f2.finish().await;
}

#[tokio::test]
async fn database_not_found_stops_discovery() {
    capture::setup();
    let (first, second) = (Member::new().await, Member::new().await);
    let (r1, r2) = (first.address(), second.address());
    let first = first
        .serve(vec![hello(false).expect(sig::ROUTE).failure(
            "Neo.ClientError.Database.DatabaseNotFound",
            "Database does not exist.",
        )])
        .await;
    let second = second.serve(Vec::new()).await;
    let resolver = {
        let out = vec![r1.clone(), r2.clone()];
        move |_: Address| {
            let out = out.clone();
            async move { Ok(out) }
        }
    };
    let c = Connector::new(
        Address::new("cluster.boltline.invalid", 7687),
        config().with_resolver(resolver),
    )
    .unwrap();
    let err = assert_err(
        bounded(c.acquire(Some("nope"), AccessMode::Read)).await,
        |e| matches!(e, RoutingError::DatabaseNotFound { .. }),
    );
    assert!(err.to_string().contains("\"nope\" does not exist"), "{err}");
    assert!(!err.retry_action().is_retry());
    assert!(c.routing_table("nope").is_none());
    assert_eq!(second.accepted(), 0, "no other router is asked");
    c.close().await;
    first.finish().await;
    second.finish().await;
}

#[tokio::test]
async fn empty_discovery_results_count_as_failures() {
    capture::setup();
    let (a, b, good) = (
        Member::new().await,
        Member::new().await,
        Member::new().await,
    );
    let (ra, rb, rg) = (a.address(), b.address(), good.address());
    let a = a
        .serve(vec![hello(false).route(
            Some("neo4j"),
            None,
            rt(300, "neo4j", &[], &[&ra], &[&ra]),
        )])
        .await;
    let b = b
        .serve(vec![hello(false).route(
            Some("neo4j"),
            None,
            rt(300, "neo4j", &[&rb], &[], &[&rb]),
        )])
        .await;
    let good = good
        .serve(vec![hello(false).route(
            Some("neo4j"),
            None,
            rt(300, "neo4j", &[&rg], &[&rg], &[&rg]),
        )])
        .await;
    let all = vec![ra.clone(), rb.clone(), rg.clone()];
    let resolver = move |_: Address| {
        let out = all.clone();
        async move { Ok(out) }
    };
    let c = Connector::new(
        Address::new("cluster.boltline.invalid", 7687),
        config().with_resolver(resolver),
    )
    .unwrap();
    let t = bounded(
        c.fetch_routing_table(&AcquireOptions::new(AccessMode::Read).with_database("neo4j")),
    )
    .await
    .unwrap();
    assert_eq!(t.routers(), vec![rg.clone()]);
    c.close().await;
    a.finish().await;
    b.finish().await;
    good.finish().await;

    // When every router answers so, discovery fails, saying why.
    let (a, b) = (Member::new().await, Member::new().await);
    let (ra, rb) = (a.address(), b.address());
    let a = a
        .serve(vec![hello(false).route(
            None,
            None,
            rt(300, "home", &[], &[&ra], &[&ra]),
        )])
        .await;
    let b = b
        .serve(vec![hello(false).route(
            None,
            None,
            rt(300, "home", &[&rb], &[], &[&rb]),
        )])
        .await;
    let all = vec![ra.clone(), rb.clone()];
    let resolver = move |_: Address| {
        let out = all.clone();
        async move { Ok(out) }
    };
    let c = Connector::new(
        Address::new("cluster.boltline.invalid", 7687),
        config().with_resolver(resolver),
    )
    .unwrap();
    let err = assert_err(bounded(c.acquire(None, AccessMode::Read)).await, |e| {
        matches!(e, RoutingError::NoRouterReachable { .. })
    });
    let RoutingError::NoRouterReachable { attempts, .. } = &err else {
        unreachable!()
    };
    assert!(matches!(attempts[0].failure, DiscoveryFailure::NoRouters));
    assert!(matches!(attempts[1].failure, DiscoveryFailure::NoReaders));
    assert!(err.to_string().contains("lists no router"), "{err}");
    c.close().await;
    a.finish().await;
    b.finish().await;
}

#[tokio::test]
async fn no_writer_during_an_election() {
    capture::setup();
    let member = Member::new().await;
    let r = member.address();
    let electing = rt(300, "neo4j", &[&r], &[&r], &[]);
    let member = member
        .serve(vec![hello(false)
            .route(Some("neo4j"), None, electing.clone())
            .route(Some("neo4j"), None, electing)])
        .await;
    let c = connector(&r);
    // A table without writers is accepted (reads go on) but writes fail with
    // a retryable error, and each write asks again.
    for _ in 0..2 {
        let err = assert_err(
            bounded(c.acquire(Some("neo4j"), AccessMode::Write)).await,
            |e| matches!(e, RoutingError::NoWriters { .. }),
        );
        assert!(err.retry_action().is_retry());
    }
    drop(
        bounded(c.acquire(Some("neo4j"), AccessMode::Read))
            .await
            .unwrap(),
    );
    c.close().await;
    assert_eq!(messages(&member.finish().await, sig::ROUTE).len(), 2);
}

#[tokio::test]
async fn database_unavailable_removes_the_server() {
    capture::setup();
    let (leader, follower) = (Member::new().await, Member::new().await);
    let (l, f) = (leader.address(), follower.address());
    let table = rt(300, "neo4j", &[&l, &f], &[&l, &f], &[&l]);
    let leader = leader
        .serve(vec![hello(false).route(Some("neo4j"), None, table)])
        .await;
    let c = connector(&l);
    let conn = bounded(c.acquire(Some("neo4j"), AccessMode::Write))
        .await
        .unwrap();
    assert_eq!(conn.address(), &l);
    // The server is copying its store: it must not be chosen again, in any
    // role, until a new table names it.
    let unavailable = BoltError::Server(Box::new(ServerError::new(
        "Neo.TransientError.General.DatabaseUnavailable",
        "Database is busy doing store copy",
    )));
    assert_eq!(
        c.on_error(&l, "neo4j", &unavailable).await,
        ErrorAction::ServerRemoved
    );
    drop(conn);
    let table = c.routing_table("neo4j").unwrap();
    assert!(!table.contains(&l), "{table:?}");
    assert_eq!(table.readers(), std::slice::from_ref(&f));
    assert!(c.in_use_at(&l) == 0 && !c.in_use().contains_key(&l));
    c.close().await;
    drop(follower);
    leader.finish().await;
}

#[tokio::test]
async fn home_database_resolution_without_server_side_routing() {
    capture::setup();
    let member = Member::new().await;
    let r = member.address();
    let home = rt(300, "home1", &[&r], &[&r], &[&r]);
    let member = member
        .serve(vec![hello(false)
            .route(None, None, home.clone())
            .route(None, None, home)
            .route(
                None,
                Some("bob"),
                rt(300, "bobs", &[&r], &[&r], &[&r]),
            )])
        .await;
    let c = connector(&r);
    for _ in 0..2 {
        // Without server-side routing, every home-database acquisition
        // resolves the name with a ROUTE, as the official drivers do.
        let conn = bounded(c.acquire(None, AccessMode::Read)).await.unwrap();
        assert_eq!(conn.database(), "home1");
        assert!(conn.is_home_database());
        assert!(!conn.database_is_guess());
        assert_eq!(conn.home_db_key(), Some(&HomeDbKey::Driver));
    }
    assert_eq!(
        c.home_database(&HomeDbKey::Driver).as_deref(),
        Some("home1")
    );
    assert!(c.routing_table("home1").is_some());

    let options = AcquireOptions::new(AccessMode::Write).with_imp_user("bob");
    let conn = bounded(c.acquire_with(&options)).await.unwrap();
    assert_eq!(conn.database(), "bobs");
    drop(conn);
    assert_eq!(
        c.home_database(&HomeDbKey::Impersonated("bob".into()))
            .as_deref(),
        Some("bobs")
    );
    assert_eq!(
        c.home_database(&HomeDbKey::Driver).as_deref(),
        Some("home1")
    );
    assert!(!c.is_ssr_enabled());
    c.close().await;
    assert_eq!(messages(&member.finish().await, sig::ROUTE).len(), 3);
}

#[tokio::test]
async fn home_database_table_without_a_name() {
    capture::setup();
    let member = Member::new().await;
    let r = member.address();
    let mut unnamed = rt(300, "x", &[&r], &[&r], &[&r]);
    if let Value::Map(m) = &mut unnamed {
        m.remove("db");
    }
    let member = member
        .serve(vec![hello(false)
            .route(None, None, rt(300, "home1", &[&r], &[&r], &[&r]))
            .route(None, None, unnamed.clone())
            .route(None, None, unnamed)])
        .await;
    let c = connector(&r);
    drop(bounded(c.acquire(None, AccessMode::Read)).await.unwrap());
    assert_eq!(
        c.home_database(&HomeDbKey::Driver).as_deref(),
        Some("home1")
    );
    // A router that does not name the home database (as testkit's do): the
    // table is accepted under the empty name, and the cached name, no
    // longer confirmed, is forgotten.
    for _ in 0..2 {
        let conn = bounded(c.acquire(None, AccessMode::Write)).await.unwrap();
        assert_eq!(conn.database(), "");
        assert!(conn.is_home_database() && !conn.database_is_guess());
        drop(conn);
    }
    assert_eq!(c.home_database(&HomeDbKey::Driver), None);
    let table = c.routing_table("").expect("the unnamed home table");
    assert!(table.is_unnamed());
    assert_eq!(table.writers(), std::slice::from_ref(&r));
    c.close().await;
    let reports = member.finish().await;
    assert_eq!(messages(&reports, sig::ROUTE).len(), 3);
}

#[tokio::test]
async fn home_database_cache_with_server_side_routing() {
    capture::setup();
    let member = Member::new().await;
    let r = member.address();
    let member = member
        .serve(vec![hello(true)
            .route(None, None, rt(300, "home1", &[&r], &[&r], &[&r]))
            .route(None, None, rt(300, "home2", &[&r], &[&r], &[&r]))])
        .await;
    let c = connector(&r);

    let first = bounded(c.acquire(None, AccessMode::Read)).await.unwrap();
    assert_eq!(first.database(), "home1");
    assert!(!first.database_is_guess(), "resolved, not guessed");
    drop(first);
    assert!(c.is_ssr_enabled());

    // Cached, and the table is fresh: no ROUTE.
    let second = bounded(c.acquire(None, AccessMode::Write)).await.unwrap();
    assert_eq!(second.database(), "home1");
    assert!(second.database_is_guess());
    // A Bolt 5.8 BEGIN/RUN reply names another home database.
    c.home_database_seen(&second, "home2");
    drop(second);
    assert_eq!(
        c.home_database(&HomeDbKey::Driver).as_deref(),
        Some("home2")
    );

    // No table for the new name yet: a ROUTE for the home database (the
    // guess may be stale) fetches it, under the name the server gives.
    let third = bounded(c.acquire(None, AccessMode::Read)).await.unwrap();
    assert_eq!(third.database(), "home2");
    assert!(third.database_is_guess());
    drop(third);
    assert!(c.routing_table("home2").is_some());

    // Connections for a named database do not touch the cache.
    let named = bounded(c.acquire(Some("home2"), AccessMode::Read))
        .await
        .unwrap();
    c.home_database_seen(&named, "elsewhere");
    drop(named);
    assert_eq!(
        c.home_database(&HomeDbKey::Driver).as_deref(),
        Some("home2")
    );
    c.close().await;
    assert_eq!(messages(&member.finish().await, sig::ROUTE).len(), 2);
}

#[tokio::test]
async fn route_on_bolt_4_4() {
    capture::setup();
    let member = Member::new().await;
    let r = member.address();
    // Bolt 4.4: no LOGON, the 4.4 value dialect; ROUTE has the same shape
    // as in 5.x (`routing, bookmarks, extra{db, imp_user}`).
    let member = member
        .serve(vec![Script::bolt(4, 4)
            .hello_ok(Map::new(), false)
            .route(
                Some("neo4j"),
                Some("bob"),
                rt(300, "neo4j", &[&r], &[&r], &[&r]),
            )
            .run_ok()])
        .await;
    let c = connector(&r);
    let options = AcquireOptions::new(AccessMode::Read)
        .with_database("neo4j")
        .with_imp_user("bob")
        .with_bookmarks(["bm"]);
    let mut conn = bounded(c.acquire_with(&options)).await.unwrap();
    assert_eq!(conn.version().to_string(), "4.4");
    assert_eq!(bounded(return_1(&mut conn)).await.unwrap(), 1);
    drop(conn);
    c.close().await;
    let reports = member.finish().await;
    let routes = messages(&reports, sig::ROUTE);
    assert_eq!(routes[0].fields.len(), 3);
    assert_eq!(routes[0].fields[1], Value::List(vec![Value::from("bm")]));
}

#[tokio::test]
async fn dns_names_are_expanded_for_discovery() {
    capture::setup();
    let member = Member::new().await;
    let ip = member.address();
    let named = Address::new("localhost", ip.port());
    // The table names the server by host name: its pool is keyed so, apart
    // from the pool of the IP address discovery used.
    let member = member
        .serve(vec![
            hello(false).route(
                Some("neo4j"),
                None,
                rt(300, "neo4j", &[&named], &[&named], &[&named]),
            ),
            hello(false).run_ok(),
        ])
        .await;
    let c = connector(&named);
    let mut conn = bounded(c.acquire(Some("neo4j"), AccessMode::Read))
        .await
        .unwrap();
    assert_eq!(conn.address(), &named);
    assert_eq!(bounded(return_1(&mut conn)).await.unwrap(), 1);
    drop(conn);
    // Discovery went to the IP address `localhost` resolved to.
    let pools = c.in_use();
    assert!(pools.contains_key(&ip), "{pools:?}");
    assert!(pools.contains_key(&named), "{pools:?}");
    c.close().await;
    member.finish().await;
}

#[tokio::test]
async fn domain_name_resolver_replaces_dns_after_the_custom_resolver() {
    capture::setup();
    let (first, second) = (Member::new().await, Member::new().await);
    let (a1, a2) = (first.address(), second.address());
    // The custom resolver turns the initial address into two host names no
    // DNS knows; the domain-name resolver maps each to its member's IP.
    let fake1 = Address::new("host1.boltline.invalid", a1.port());
    let fake2 = Address::new("host2.boltline.invalid", a2.port());
    let first = first
        .serve(vec![hello(false).route(
            Some("neo4j"),
            None,
            rt(300, "neo4j", &[], &[&a1], &[&a1]),
        )])
        .await;
    let second = second
        .serve(vec![hello(false).route(
            Some("neo4j"),
            None,
            rt(300, "neo4j", &[&a2], &[&a2], &[&a2]),
        )])
        .await;
    let fakes = vec![fake1.clone(), fake2.clone()];
    let names = Arc::new(Mutex::new(Vec::new()));
    let dns = {
        let names = names.clone();
        move |a: Address| {
            names.lock().unwrap().push(a.host().to_owned());
            let ip = Address::new("127.0.0.1", a.port());
            // Each name once, so a repeated address is tried once.
            async move { Ok(vec![ip.clone(), ip]) }
        }
    };
    let initial = Address::new("cluster.boltline.invalid", 7687);
    let config = config()
        .with_resolver(move |_| {
            let out = fakes.clone();
            async move { Ok(out) }
        })
        .with_dns_resolver(dns);
    let c = Connector::new(initial, config).unwrap();
    // The first member's table lists no router: discovery moves on to the
    // second name.
    let t = bounded(
        c.fetch_routing_table(&AcquireOptions::new(AccessMode::Read).with_database("neo4j")),
    )
    .await
    .unwrap();
    assert_eq!(t.routers(), std::slice::from_ref(&a2));
    assert_eq!(
        *names.lock().unwrap(),
        ["host1.boltline.invalid", "host2.boltline.invalid"]
    );
    // Again: the known router (an IP address, given to the domain-name
    // resolver too) has nothing more to say, then the initial address is
    // resolved again, through both resolvers.
    bounded(c.fetch_routing_table(&AcquireOptions::new(AccessMode::Read).with_database("neo4j")))
        .await
        .unwrap_err();
    assert_eq!(
        *names.lock().unwrap(),
        [
            "host1.boltline.invalid",
            "host2.boltline.invalid",
            "127.0.0.1",
            "host1.boltline.invalid",
            "host2.boltline.invalid"
        ]
    );
    c.close().await;
    first.finish().await;
    second.finish().await;
}

/// The acquisition's credentials are an argument: discovery's `ROUTE`
/// connection and the connection lent are both logged in with them, even
/// when the acquisition runs on a spawned task.
#[tokio::test]
async fn an_acquisitions_credentials_reach_discovery_and_the_lent_connection() {
    use boltline_routing::boltline_bolt::AuthToken;
    use boltline_routing::boltline_pool::AuthScope;
    capture::setup();
    let (leader, f1) = (Member::new().await, Member::new().await);
    let (l, a1) = (leader.address(), f1.address());
    let table = rt(300, "neo4j", &[&l], &[&a1], &[&l]);
    let leader = leader
        .serve(vec![hello(false).route(Some("neo4j"), None, table)])
        .await;
    let f1 = f1.serve(vec![hello(false).run_ok()]).await;
    let c = Arc::new(connector(&l));
    let options = AcquireOptions::new(AccessMode::Read)
        .with_database("neo4j")
        .with_auth(AuthScope::new(Arc::new(AuthToken::basic(
            "alice", "alice-pw",
        ))));
    let spawned = {
        let c = c.clone();
        tokio::spawn(async move {
            let mut conn = c.acquire_with(&options).await.unwrap();
            return_1(&mut conn).await.unwrap()
        })
    };
    assert_eq!(bounded(spawned).await.unwrap(), 1);
    c.close().await;
    let principal = |reports: &[ConnectionReport]| -> Vec<Option<String>> {
        messages(reports, sig::LOGON)
            .iter()
            .map(|m| {
                m.entry(0, "principal")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect()
    };
    assert_eq!(principal(&leader.finish().await), [Some("alice".into())]);
    assert_eq!(principal(&f1.finish().await), [Some("alice".into())]);
}
