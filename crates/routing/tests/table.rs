//! Routing-table logic without IO: parsing `ROUTE` replies, freshness and
//! TTL edges, forgetting servers, dropping writers, least-busy choice.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use boltline_routing::boltline_bolt::{Map, Success, Value};
use boltline_routing::{least_busy, AccessMode, Address, RoutingError, RoutingTable};

fn addr(s: &str) -> Address {
    Address::parse(s).unwrap()
}

/// Table `d` with a 60 s TTL, from the servers' `host:port`s.
fn table_of(routers: &[&str], readers: &[&str], writers: &[&str], now: Instant) -> RoutingTable {
    let addrs = |list: &[&str]| list.iter().map(|a| addr(a)).collect::<Vec<_>>();
    RoutingTable::new(
        "d",
        addrs(routers),
        addrs(readers),
        addrs(writers),
        Duration::from_secs(60),
        now,
    )
}

/// Table `d` (TTL 5 s) parsed from a reply with `servers`.
fn parsed(servers: Vec<Value>) -> RoutingTable {
    RoutingTable::parse(
        &rt(Value::from(5), Some("d"), servers),
        None,
        Instant::now(),
    )
    .unwrap()
}

fn role(role: &str, addresses: &[&str]) -> Value {
    Value::from_iter([
        ("role", Value::from(role)),
        (
            "addresses",
            Value::List(addresses.iter().map(|a| Value::from(*a)).collect()),
        ),
    ])
}

/// An `rt` map as a 4.4+/5.x server sends it.
fn rt(ttl: Value, db: Option<&str>, servers: Vec<Value>) -> Map {
    let mut m = Map::new();
    m.insert("ttl".into(), ttl);
    if let Some(db) = db {
        m.insert("db".into(), Value::from(db));
    }
    m.insert("servers".into(), Value::List(servers));
    m
}

fn cluster_rt(ttl: i64) -> Map {
    rt(
        Value::from(ttl),
        Some("neo4j"),
        vec![
            role("ROUTE", &["core1:7687", "core2:7687", "core3:7687"]),
            role("READ", &["core2:7687", "core3:7687"]),
            role("WRITE", &["core1:7687"]),
        ],
    )
}

fn invalid(result: Result<RoutingTable, RoutingError>) -> String {
    match result {
        Err(RoutingError::InvalidRoutingTable(reason)) => reason,
        other => panic!("expected an invalid table, got {other:?}"),
    }
}

#[test]
fn parses_the_spec_example() {
    let now = Instant::now();
    let t = RoutingTable::parse(&cluster_rt(300), None, now).unwrap();
    assert_eq!(t.database(), "neo4j");
    assert_eq!(
        t.routers(),
        [addr("core1:7687"), addr("core2:7687"), addr("core3:7687")]
    );
    assert_eq!(t.readers(), [addr("core2:7687"), addr("core3:7687")]);
    assert_eq!(t.writers(), [addr("core1:7687")]);
    assert_eq!(t.ttl(), Duration::from_secs(300));
    assert_eq!(t.fetched_at(), now);
    assert_eq!(t.servers_for(AccessMode::Read), t.readers());
    assert_eq!(t.servers_for(AccessMode::Write), t.writers());
    assert!(!t.initialized_without_writers());
    assert_eq!(t.servers().len(), 3);
}

#[test]
fn parses_a_route_success_and_defaults_ports() {
    let mut meta = Map::new();
    meta.insert(
        "rt".into(),
        Value::Map(rt(
            Value::from(10),
            None,
            vec![
                role("ROUTE", &["r"]),
                role("READ", &["[::1]:9000"]),
                role("WRITE", &[]),
            ],
        )),
    );
    let t = RoutingTable::from_route_reply(&Success::new(meta), Some("movies"), Instant::now())
        .unwrap();
    // No `db` in the reply: the requested name.
    assert_eq!(t.database(), "movies");
    assert_eq!(t.routers(), [Address::new("r", 7687)]);
    assert_eq!(t.readers(), [Address::new("::1", 9000)]);
    assert!(t.writers().is_empty());
    assert!(t.initialized_without_writers());

    let none = RoutingTable::from_route_reply(&Success::new(Map::new()), None, Instant::now());
    assert!(invalid(none).contains("no `rt`"));
}

#[test]
fn database_names_from_the_reply_or_the_request() {
    let now = Instant::now();
    let reply = rt(Value::from(1), None, vec![role("ROUTE", &["a"])]);
    // The home database's table without a name (testkit's routers send
    // none): accepted, with the empty name.
    let unnamed = RoutingTable::parse(&reply, None, now).unwrap();
    assert!(unnamed.is_unnamed());
    assert_eq!(unnamed.database(), "");
    assert_eq!(unnamed.routers(), [Address::new("a", 7687)]);
    let mut null_db = reply.clone();
    null_db.insert("db".into(), Value::Null);
    assert_eq!(
        RoutingTable::parse(&null_db, Some("x"), now)
            .unwrap()
            .database(),
        "x"
    );
    // The server's name wins over the requested one.
    let named = rt(Value::from(1), Some("home"), vec![role("ROUTE", &["a"])]);
    assert_eq!(
        RoutingTable::parse(&named, Some("alias"), now)
            .unwrap()
            .database(),
        "home"
    );
    assert!(!RoutingTable::parse(&named, None, now).unwrap().is_unnamed());
}

#[test]
fn malformed_replies_are_errors_not_panics() {
    let now = Instant::now();
    let cases: Vec<(Map, &str)> = vec![
        (Map::new(), "`ttl` is missing"),
        (
            rt(Value::from("300"), Some("d"), vec![]),
            "`ttl` is a STRING",
        ),
        (
            {
                let mut m = cluster_rt(1);
                m.insert("db".into(), Value::from(3));
                m
            },
            "`db` is a INTEGER",
        ),
        (
            {
                let mut m = cluster_rt(1);
                m.remove("servers");
                m
            },
            "`servers` is missing",
        ),
        (
            {
                let mut m = cluster_rt(1);
                m.insert("servers".into(), Value::from("x"));
                m
            },
            "`servers` is a STRING",
        ),
        (
            rt(Value::from(1), Some("d"), vec![Value::from(1)]),
            "not a map",
        ),
        (
            rt(
                Value::from(1),
                Some("d"),
                vec![Value::from_iter([("addresses", Value::List(vec![]))])],
            ),
            "no `role`",
        ),
        (
            rt(
                Value::from(1),
                Some("d"),
                vec![Value::from_iter([("role", Value::from("READ"))])],
            ),
            "no `addresses`",
        ),
        (
            rt(
                Value::from(1),
                Some("d"),
                vec![Value::from_iter([
                    ("role", Value::from("READ")),
                    ("addresses", Value::List(vec![Value::from(7)])),
                ])],
            ),
            "READ address is a INTEGER",
        ),
        (
            rt(
                Value::from(1),
                Some("d"),
                vec![role("WRITE", &["h:notaport"])],
            ),
            "WRITE address",
        ),
        (
            rt(Value::from(1), Some("d"), vec![role("ROUTE", &[""])]),
            "ROUTE address",
        ),
    ];
    for (reply, expected) in cases {
        let reason = invalid(RoutingTable::parse(&reply, Some("d"), now));
        assert!(reason.contains(expected), "{reason:?} lacks {expected:?}");
    }
}

#[test]
fn unknown_roles_are_ignored_and_repeated_roles_joined() {
    let t = parsed(vec![
        role("ROUTE", &["a:1"]),
        role("ARBITER", &["z:1"]),
        role("READ", &["b:1"]),
        role("READ", &["c:1", "b:1"]),
    ]);
    assert_eq!(t.readers(), [addr("b:1"), addr("c:1")]);
    assert!(!t.contains(&addr("z:1")));
}

#[test]
fn duplicate_addresses_are_kept_once_in_order() {
    let t = parsed(vec![
        role("ROUTE", &["b:1", "a:1", "b:1", "a:1"]),
        role("READ", &["a:1", "a:1"]),
        role("WRITE", &["a:1", "a:1"]),
    ]);
    assert_eq!(t.routers(), [addr("b:1"), addr("a:1")]);
    assert_eq!(t.readers(), [addr("a:1")]);
    assert_eq!(t.writers(), [addr("a:1")]);
    // One server in every role is still one server.
    assert_eq!(t.servers().len(), 2);
}

#[test]
fn freshness_follows_the_ttl() {
    let t0 = Instant::now();
    let s = Duration::from_secs(1);
    let t = RoutingTable::parse(&cluster_rt(10), None, t0).unwrap();
    assert_eq!(t.expires_at(), Some(t0 + 10 * s));
    assert!(t.is_fresh(AccessMode::Read, t0));
    assert!(t.is_fresh(AccessMode::Write, t0 + 9 * s));
    // Expiry is inclusive: at exactly fetched + ttl the table is stale.
    assert!(!t.is_fresh(AccessMode::Read, t0 + 10 * s));
    assert!(t.is_expired(t0 + 10 * s));
    assert!(!t.is_expired(t0 + 10 * s - Duration::from_nanos(1)));
    assert!(!t.is_fresh(AccessMode::Write, t0 + 11 * s));
}

#[test]
fn ttl_edge_cases() {
    let t0 = Instant::now();
    // 0: stale at once (the next acquisition fetches again).
    let zero = RoutingTable::parse(&cluster_rt(0), None, t0).unwrap();
    assert_eq!(zero.ttl(), Duration::ZERO);
    assert!(!zero.is_fresh(AccessMode::Read, t0));
    // Negative: treated as 0, never a panic.
    let negative = RoutingTable::parse(&cluster_rt(-5), None, t0).unwrap();
    assert_eq!(negative.ttl(), Duration::ZERO);
    assert!(negative.is_expired(t0));
    // Enormous: no overflow; it never expires.
    let huge = RoutingTable::parse(&cluster_rt(i64::MAX), None, t0).unwrap();
    assert_eq!(huge.ttl(), Duration::from_secs(i64::MAX.unsigned_abs()));
    assert_eq!(huge.expires_at(), None);
    assert!(huge.is_fresh(AccessMode::Read, t0 + Duration::from_secs(1 << 40)));
    assert!(!huge.should_purge(t0 + Duration::from_secs(1 << 40), Duration::from_secs(30)));
}

#[test]
fn stale_without_servers_for_the_mode_or_without_routers() {
    let t0 = Instant::now();
    let no_writer = table_of(&["a:1"], &["b:1"], &[], t0);
    assert!(no_writer.is_fresh(AccessMode::Read, t0));
    assert!(!no_writer.is_fresh(AccessMode::Write, t0));
    assert!(no_writer.initialized_without_writers());
    let no_router = table_of(&[], &["b:1"], &["c:1"], t0);
    assert!(!no_router.is_fresh(AccessMode::Read, t0));
    assert!(!no_router.is_fresh(AccessMode::Write, t0));
}

#[test]
fn purge_waits_past_the_ttl() {
    let t0 = Instant::now();
    let s = Duration::from_secs(1);
    let t = RoutingTable::parse(&cluster_rt(10), None, t0).unwrap();
    let delay = 30 * s;
    assert!(!t.should_purge(t0 + 39 * s, delay));
    assert!(t.should_purge(t0 + 40 * s, delay));
}

#[test]
fn forgetting_a_server_removes_it_everywhere() {
    let mut t = table_of(&["a:1", "b:1"], &["a:1", "c:1"], &["a:1"], Instant::now());
    assert!(t.contains(&addr("a:1")));
    assert!(t.forget(&addr("a:1")));
    assert!(!t.contains(&addr("a:1")));
    assert_eq!(t.routers(), [addr("b:1")]);
    assert_eq!(t.readers(), [addr("c:1")]);
    assert!(t.writers().is_empty());
    assert!(!t.is_fresh(AccessMode::Write, t.fetched_at()));
    // Forgetting an unknown server changes nothing.
    assert!(!t.forget(&addr("a:1")));
    assert!(!t.forget(&addr("zz:9")));
    // Only the host *and* port identify a server.
    assert!(!t.forget(&addr("b:2")));
    assert_eq!(t.routers(), [addr("b:1")]);
}

#[test]
fn dropping_a_writer_keeps_its_other_roles() {
    let mut t = RoutingTable::parse(&cluster_rt(60), None, Instant::now()).unwrap();
    let leader = addr("core1:7687");
    assert!(t.forget_writer(&leader));
    assert!(t.writers().is_empty());
    assert!(t.routers().contains(&leader));
    assert!(!t.forget_writer(&leader));
    assert!(!t.forget_writer(&addr("core2:7687")));
    assert_eq!(t.readers().len(), 2);
    // A write now needs a new table; reads can go on.
    assert!(!t.is_fresh(AccessMode::Write, t.fetched_at()));
    assert!(t.is_fresh(AccessMode::Read, t.fetched_at()));
    // Only the original table's state counts for "initialised without writers".
    assert!(!t.initialized_without_writers());
}

#[test]
fn least_busy_picks_the_fewest_in_use() {
    let servers = [addr("a:1"), addr("b:1"), addr("c:1")];
    let busy: HashMap<Address, usize> =
        [(addr("a:1"), 3), (addr("b:1"), 1), (addr("c:1"), 2)].into();
    let in_use = |a: &Address| busy[a];
    for start in 0..6 {
        assert_eq!(least_busy(&servers, start, in_use), Some(&servers[1]));
    }
    // A server without a pool counts as idle.
    let in_use = |a: &Address| busy.get(a).copied().unwrap_or(0);
    let more = [addr("a:1"), addr("new:1")];
    assert_eq!(least_busy(&more, 0, in_use), Some(&more[1]));
}

#[test]
fn least_busy_rotates_among_ties() {
    let servers = [addr("a:1"), addr("b:1"), addr("c:1")];
    let idle = |_: &Address| 0;
    let picks: Vec<&Address> = (0..4)
        .map(|i| least_busy(&servers, i, idle).unwrap())
        .collect();
    assert_eq!(picks, [&servers[0], &servers[1], &servers[2], &servers[0]]);
    // Ties among the least busy only: `a` is busy, `b` and `c` alternate.
    let busy = |a: &Address| usize::from(a.host() == "a");
    assert_eq!(least_busy(&servers, 0, busy), Some(&servers[1]));
    assert_eq!(least_busy(&servers, 2, busy), Some(&servers[2]));
    assert_eq!(least_busy(&servers, usize::MAX, busy), Some(&servers[1]));
    assert_eq!(least_busy(&[], 0, idle), None);
}
