//! `boltline-bolt` against a real Neo4j (started by `cargo xtask itest`):
//! version negotiation, authentication, batched streaming, value round trips,
//! graph values, transactions, RESET, TLS.

use std::time::{SystemTime, UNIX_EPOCH};

use boltline_bolt::packstream::{
    Date, DateTime, DateTimeZoneId, Duration as BoltDuration, LocalDateTime, LocalTime, Point2D,
    Point3D, Time, TimeBasis, SRID_CARTESIAN, SRID_CARTESIAN_3D, SRID_WGS84,
};
use boltline_bolt::{
    Address, AuthToken, BoltStream, Classification, Connection, ConnectionConfig, Error, Map,
    Query, ServerState, TlsConfig, TxOptions, Value, Version,
};
use boltline_itests::{bounded, server, TestServer};

fn address(s: &TestServer) -> Address {
    Address::new(s.host(), s.port())
}

fn config(s: &TestServer) -> ConnectionConfig {
    ConnectionConfig::new()
        .with_auth(AuthToken::basic(s.user(), s.password()))
        .with_user_agent("boltline-itests/0")
}

async fn connect() -> Connection<BoltStream> {
    let s = server();
    bounded(Connection::connect(&address(&s), &config(&s)))
        .await
        .unwrap_or_else(|e| panic!("connecting to {}: {e}", s.uri()))
}

async fn rows(conn: &mut Connection<BoltStream>, q: Query) -> Vec<Vec<Value>> {
    let mut s = bounded(conn.run(&q, &TxOptions::new())).await.unwrap();
    let mut out = Vec::new();
    while let Some(r) = bounded(conn.next_record(&mut s)).await.unwrap() {
        out.push(r.values().unwrap());
    }
    out
}

async fn single(conn: &mut Connection<BoltStream>, q: Query) -> Value {
    let mut r = rows(conn, q).await;
    assert_eq!(r.len(), 1, "one row expected");
    r.remove(0).remove(0)
}

/// A marker unique to this run, so tests never see each other's data.
fn marker() -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    format!("{}-{}", std::process::id(), t.as_nanos())
}

#[tokio::test]
async fn negotiates_the_newest_version_with_the_manifest() {
    let conn = connect().await;
    assert!(conn.version() >= Version::V5_0, "{}", conn.version());
    let info = conn.server_info();
    // Both servers answer the manifest handshake; Neo4j 5.26 speaks up to
    // 5.8, the calendar-versioned releases (2025.x) up to 6.0.
    assert!(info.manifest_handshake);
    if info.agent.starts_with("Neo4j/5.") {
        assert_eq!(conn.version(), Version::V5_8);
    } else {
        assert!(info.agent.starts_with("Neo4j/2025."), "{}", info.agent);
        assert_eq!(conn.version(), Version::V6_0, "{}", info.agent);
    }
    assert!(info.connection_id.is_some());
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_authentication_error() {
    let s = server();
    let cfg = config(&s).with_auth(AuthToken::basic(s.user(), "certainly-not-the-password"));
    let err = bounded(Connection::connect(&address(&s), &cfg))
        .await
        .unwrap_err();
    let e = err
        .server_error()
        .unwrap_or_else(|| panic!("not a server error: {err}"));
    assert_eq!(e.code, "Neo.ClientError.Security.Unauthorized", "{err}");
    assert!(err.is_security_error() && e.is_authentication_error());
    assert!(!err.retry_action().is_retry());
    // The message never echoes the password.
    assert!(!err.to_string().contains("certainly-not-the-password"));
}

#[tokio::test]
async fn a_hundred_thousand_rows_stream_in_batches() {
    const N: i64 = 100_000;
    const FETCH: i64 = 1000;
    let mut conn = connect().await;
    let q = Query::new("UNWIND range(1, $n) AS i RETURN i")
        .param("n", N)
        .with_fetch_size(FETCH);
    let mut s = bounded(conn.run(&q, &TxOptions::new())).await.unwrap();
    let (mut count, mut sum, mut max_buffered) = (0i64, 0i64, 0usize);
    while let Some(r) = bounded(conn.next_record(&mut s)).await.unwrap() {
        let stats = conn.stream_stats(&s).expect("the stream is open");
        max_buffered = max_buffered.max(stats.buffered);
        // Memory is bounded by design: never more than one batch received
        // ahead of what was read.
        let batch = u64::try_from(FETCH).unwrap();
        assert!(stats.records <= u64::try_from(count).unwrap() + 1 + batch);
        count += 1;
        sum += r.values().unwrap()[0].as_i64().unwrap();
    }
    assert_eq!(count, N);
    assert_eq!(sum, N * (N + 1) / 2);
    assert!(max_buffered < 1000, "{max_buffered}");
    let summary = s.summary().expect("summary after the last record");
    assert!(summary.bookmark().is_some());
    assert_eq!(conn.server_state(), ServerState::Ready);
    // The stats are gone with the stream; count the PULLs from the shape of
    // the run instead: a second run, counting batches as they start.
    let mut s = bounded(conn.run(&q, &TxOptions::new())).await.unwrap();
    let mut batches = 1;
    while bounded(conn.next_record(&mut s)).await.unwrap().is_some() {
        if let Some(st) = conn.stream_stats(&s) {
            batches = st.batches;
        }
    }
    // 100 full batches; the server may need one more PULL to learn the end.
    assert!((100..=101).contains(&batches), "{batches} batches");
}

fn round_trip_values() -> Vec<(&'static str, Value)> {
    let map: Map = [
        ("a".to_owned(), Value::from(1)),
        (
            "nested".to_owned(),
            Value::from_iter([Value::from("x"), Value::Null]),
        ),
    ]
    .into();
    vec![
        ("null", Value::Null),
        ("true", Value::from(true)),
        ("false", Value::from(false)),
        ("tiny int", Value::from(-16)),
        ("int8", Value::from(-128)),
        ("int16", Value::from(30_000)),
        ("int32", Value::from(2_000_000_000i64)),
        ("int64 max", Value::from(i64::MAX)),
        ("int64 min", Value::from(i64::MIN)),
        ("float", Value::from(1.5f64)),
        ("float tiny", Value::from(f64::MIN_POSITIVE)),
        ("float inf", Value::from(f64::NEG_INFINITY)),
        ("empty string", Value::from("")),
        ("unicode string", Value::from("grüße, 世界, 🚀")),
        ("long string", Value::from("y".repeat(100_000))),
        ("bytes", Value::from(vec![0u8, 1, 2, 255])),
        ("empty bytes", Value::from(Vec::<u8>::new())),
        (
            "list",
            Value::List(vec![
                Value::from(1),
                Value::from("two"),
                Value::List(vec![]),
            ]),
        ),
        ("long list", (0..1000).map(Value::from).collect()),
        ("map", Value::Map(map)),
        ("empty map", Value::Map(Map::new())),
        ("date", Value::Date(Date { days: 19_000 })),
        ("date before epoch", Value::Date(Date { days: -200_000 })),
        (
            "time with offset",
            Value::Time(Time {
                nanoseconds: 45_296_000_000_123,
                tz_offset_seconds: 3600,
            }),
        ),
        (
            "local time",
            Value::LocalTime(LocalTime {
                nanoseconds: 86_399_999_999_999,
            }),
        ),
        (
            "date-time with offset",
            Value::DateTime(DateTime {
                seconds: 1_700_000_000,
                nanoseconds: 123_456_789,
                tz_offset_seconds: -5 * 3600,
            }),
        ),
        (
            "date-time with zone id",
            Value::DateTimeZoneId(DateTimeZoneId {
                seconds: 1_700_000_000,
                nanoseconds: 1,
                tz_id: "Europe/Stockholm".into(),
                basis: TimeBasis::Utc,
            }),
        ),
        (
            "date-time in a zone across DST",
            Value::DateTimeZoneId(DateTimeZoneId {
                seconds: 1_688_000_000,
                nanoseconds: 0,
                tz_id: "America/New_York".into(),
                basis: TimeBasis::Utc,
            }),
        ),
        (
            "local date-time",
            Value::LocalDateTime(LocalDateTime {
                seconds: -1_000_000_000,
                nanoseconds: 999_999_999,
            }),
        ),
        (
            "duration",
            Value::Duration(BoltDuration {
                months: 14,
                days: 3,
                seconds: 3_661,
                nanoseconds: 5,
            }),
        ),
        (
            "cartesian point",
            Value::Point2D(Point2D {
                srid: SRID_CARTESIAN,
                x: 1.5,
                y: -2.0,
            }),
        ),
        (
            "WGS-84 point",
            Value::Point2D(Point2D {
                srid: SRID_WGS84,
                x: 12.97,
                y: 55.6,
            }),
        ),
        (
            "3D point",
            Value::Point3D(Point3D {
                srid: SRID_CARTESIAN_3D,
                x: 1.0,
                y: 2.0,
                z: 3.0,
            }),
        ),
    ]
}

#[tokio::test]
async fn every_value_type_round_trips_through_the_server() {
    let mut conn = connect().await;
    for (what, v) in round_trip_values() {
        let got = single(&mut conn, Query::new("RETURN $x").param("x", v.clone())).await;
        assert_eq!(got, v, "{what}");
    }
    // NaN is not equal to itself: check it apart.
    let nan = single(&mut conn, Query::new("RETURN $x").param("x", f64::NAN)).await;
    assert!(nan.as_f64().unwrap().is_nan());
    // Values built by Cypher decode to the same types.
    let built = single(
        &mut conn,
        Query::new(
            "RETURN [date('2024-02-29'), time('12:00:00+01:00'), \
             datetime('2024-03-31T02:30:00[Europe/Berlin]'), duration('P1Y2M3DT4H'), \
             point({x: 1, y: 2})]",
        ),
    )
    .await;
    let items = built.as_list().unwrap();
    assert_eq!(items[0], Value::Date(Date { days: 19_782 }));
    assert!(matches!(&items[2], Value::DateTimeZoneId(z) if z.tz_id == "Europe/Berlin"));
    assert_eq!(
        items[3],
        Value::Duration(BoltDuration {
            months: 14,
            days: 3,
            seconds: 4 * 3600,
            nanoseconds: 0
        })
    );
}

#[tokio::test]
async fn nodes_relationships_and_paths_carry_element_ids() {
    let mut conn = connect().await;
    let id = marker();
    bounded(conn.begin(&TxOptions::new())).await.unwrap();
    let q = Query::new(
        "CREATE p = (a:BoltItest {name: 'A', run: $id})-[r:KNOWS {since: 2020}]->\
         (b:BoltItest {name: 'B', run: $id}) RETURN a, r, b, p",
    )
    .param("id", id.as_str());
    let mut s = bounded(conn.run_in_tx(&q)).await.unwrap();
    assert_eq!(s.keys(), ["a", "r", "b", "p"]);
    let rec = bounded(conn.next_record(&mut s)).await.unwrap().unwrap();
    assert!(bounded(conn.next_record(&mut s)).await.unwrap().is_none());
    let v = rec.values().unwrap();
    let (a, r, b) = (
        v[0].as_node().unwrap(),
        v[1].as_relationship().unwrap(),
        v[2].as_node().unwrap(),
    );
    assert_eq!(a.labels, ["BoltItest"]);
    assert_eq!(a.get("name"), Some(&Value::from("A")));
    assert_eq!(a.get("run"), Some(&Value::from(id.as_str())));
    let (a_id, b_id) = (a.element_id.clone().unwrap(), b.element_id.clone().unwrap());
    assert_ne!(a_id, b_id);
    assert_eq!(r.rel_type, "KNOWS");
    assert_eq!(r.get("since"), Some(&Value::from(2020)));
    assert!(r.element_id.is_some());
    assert_eq!(r.start_node_element_id.as_deref(), Some(a_id.as_str()));
    assert_eq!(r.end_node_element_id.as_deref(), Some(b_id.as_str()));
    let path = v[3].as_path().unwrap();
    let segments = path.segments().unwrap();
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].start.element_id.as_deref(), Some(a_id.as_str()));
    assert_eq!(segments[0].end.element_id.as_deref(), Some(b_id.as_str()));
    assert!(segments[0].forward);
    assert_eq!(segments[0].relationship.element_id, r.element_id);
    // Nothing stays behind.
    bounded(conn.rollback()).await.unwrap();
    let n = single(
        &mut conn,
        Query::new("MATCH (n:BoltItest {run: $id}) RETURN count(n)").param("id", id.as_str()),
    )
    .await;
    assert_eq!(n, Value::from(0));
}

#[tokio::test]
async fn explicit_transactions_commit_and_roll_back() {
    let mut conn = connect().await;
    let id = marker();
    let create = Query::new("CREATE (:BoltItestTx {id: $id})").param("id", id.as_str());
    let count =
        Query::new("MATCH (n:BoltItestTx {id: $id}) RETURN count(n)").param("id", id.as_str());

    bounded(conn.begin(&TxOptions::new())).await.unwrap();
    let mut s = bounded(conn.run_in_tx(&create)).await.unwrap();
    while bounded(conn.next_record(&mut s)).await.unwrap().is_some() {}
    assert_eq!(s.summary().unwrap().stats().unwrap().nodes_created(), 1);
    bounded(conn.rollback()).await.unwrap();
    assert_eq!(single(&mut conn, count.clone()).await, Value::from(0));

    // Pipelined BEGIN + RUN + PULL, then COMMIT.
    bounded(conn.begin_pipelined(&TxOptions::new()))
        .await
        .unwrap();
    let mut s = bounded(conn.run_in_tx(&create)).await.unwrap();
    while bounded(conn.next_record(&mut s)).await.unwrap().is_some() {}
    let committed = bounded(conn.commit()).await.unwrap();
    assert!(committed.bookmark().is_some());
    // A second connection sees it.
    let mut other = connect().await;
    assert_eq!(single(&mut other, count.clone()).await, Value::from(1));
    rows(
        &mut other,
        Query::new("MATCH (n:BoltItestTx {id: $id}) DELETE n").param("id", id.as_str()),
    )
    .await;
    assert_eq!(single(&mut conn, count).await, Value::from(0));
}

#[tokio::test]
async fn reset_after_a_failure() {
    let mut conn = connect().await;
    let err = bounded(conn.run(&Query::new("RETURN 1 +"), &TxOptions::new()))
        .await
        .unwrap_err();
    let e = err.server_error().unwrap_or_else(|| panic!("{err}"));
    assert_eq!(e.code, "Neo.ClientError.Statement.SyntaxError");
    assert_eq!(e.classification, Classification::ClientError);
    // Bolt 5.7+: the GQL fields come from the server (Neo4j 5.26 still
    // answers this one with the generic 50N42); the pre-5.7 polyfill would
    // have appended the message to the description.
    assert_eq!(e.gql_status.len(), 5, "{e:#?}");
    assert!(!e.description.ends_with(e.message.as_str()), "{e:#?}");
    assert!(conn.needs_reset());
    bounded(conn.reset()).await.unwrap();
    assert!(!conn.needs_reset());
    assert_eq!(
        single(&mut conn, Query::new("RETURN 1")).await,
        Value::from(1)
    );
    // And without an explicit reset: the next query recovers by itself.
    let _ = bounded(conn.run(&Query::new("RETURN 1 +"), &TxOptions::new())).await;
    assert_eq!(
        single(&mut conn, Query::new("RETURN 2")).await,
        Value::from(2)
    );
    // A failed transaction rolls back with a RESET.
    bounded(conn.begin(&TxOptions::new())).await.unwrap();
    let mut s = bounded(conn.run_in_tx(&Query::new("UNWIND [1, 0] AS x RETURN 1 / x")))
        .await
        .unwrap();
    let failed = loop {
        match bounded(conn.next_record(&mut s)).await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("division by zero succeeded"),
            Err(e) => break e,
        }
    };
    assert!(failed.server_error().is_some(), "{failed}");
    assert_eq!(conn.server_state(), ServerState::Failed);
    bounded(conn.rollback()).await.unwrap();
    assert_eq!(
        single(&mut conn, Query::new("RETURN 3")).await,
        Value::from(3)
    );
}

#[tokio::test]
async fn reauthentication_on_the_same_connection() {
    let s = server();
    let mut conn = connect().await;
    bounded(conn.reauth(&AuthToken::basic(s.user(), s.password())))
        .await
        .unwrap();
    assert_eq!(
        single(&mut conn, Query::new("RETURN 1")).await,
        Value::from(1)
    );
}

async fn connect_tls(tls: TlsConfig) -> boltline_bolt::Result<Connection<BoltStream>> {
    let s = server();
    bounded(Connection::connect(&address(&s), &config(&s).with_tls(tls))).await
}

#[tokio::test]
async fn tls_with_the_test_ca_and_not_with_another() {
    let s = server();
    let mut conn = connect_tls(TlsConfig::with_ca_file(s.ca()).unwrap())
        .await
        .unwrap_or_else(|e| panic!("TLS with the test CA: {e}"));
    assert!(conn.get_ref().is_encrypted());
    assert_eq!(
        single(&mut conn, Query::new("RETURN 1")).await,
        Value::from(1)
    );
    let err = connect_tls(TlsConfig::with_ca_file(s.other_ca()).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err}");
}

#[tokio::test]
async fn ssc_trust_any_connects() {
    let mut conn = connect_tls(TlsConfig::trust_any().unwrap()).await.unwrap();
    assert!(conn.get_ref().is_encrypted());
    assert_eq!(
        single(&mut conn, Query::new("RETURN 1")).await,
        Value::from(1)
    );
}
