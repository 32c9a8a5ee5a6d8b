//! Handshake and HELLO/LOGON against the stub server.

mod common;

use std::time::Duration;

use boltline_bolt::packstream::{DateTimeZoneId, TimeBasis};
use boltline_bolt::{
    Address, AuthToken, Connection, Error, NotificationFilter, Query, TxOptions, Value, Version,
};
use boltline_stub::{map, sig, Handshake, Script, StubServer};
use common::*;

#[tokio::test]
async fn proposes_manifest_5_8_to_5_0_and_4_4() {
    let server = StubServer::start_one(Script::authenticated(5, 4))
        .await
        .unwrap();
    let conn = connect(&server).await.unwrap();
    assert_eq!(conn.version(), Version::V5_4);
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    assert_eq!(
        r.handshake.unwrap(),
        [0x60, 0x60, 0xB0, 0x17, 0, 0, 1, 0xFF, 0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0]
    );
}

#[tokio::test]
async fn each_legacy_version_gets_its_hello() {
    for (major, minor) in [
        (4, 4),
        (5, 0),
        (5, 1),
        (5, 2),
        (5, 3),
        (5, 4),
        (5, 6),
        (5, 7),
        (5, 8),
    ] {
        let server = StubServer::start_one(Script::authenticated(major, minor))
            .await
            .unwrap();
        let conn = connect(&server).await.unwrap();
        assert_eq!(conn.version(), Version::new(major, minor));
        assert_eq!(conn.server_info().agent, "Neo4j/5.26.0");
        drop(conn);
        let r = &server.finish_and_assert().await[0];
        let hello = &r.received[0];
        assert_eq!(hello.signature, sig::HELLO);
        let extra = hello.map(0).unwrap();
        // Credentials in HELLO before 5.1, in LOGON after.
        let logon = (major, minor) >= (5, 1);
        assert_eq!(extra.contains_key("credentials"), !logon, "{major}.{minor}");
        assert_eq!(extra.contains_key("bolt_agent"), (major, minor) >= (5, 3));
        assert_eq!(extra.contains_key("patch_bolt"), major == 4);
        if logon {
            assert_eq!(r.received[1].signature, sig::LOGON);
            assert_eq!(
                r.received[1].entry(0, "principal"),
                Some(&Value::from("neo4j"))
            );
        }
    }
}

#[tokio::test]
async fn manifest_picks_our_highest_and_answers() {
    let script = Script::new(Handshake::Manifest {
        offers: vec![(5, 8, 2), (4, 4, 4)],
        capabilities: 0b1001,
    })
    .hello_ok(
        Map::from([("protocol_version".into(), Value::from("5.8"))]),
        true,
    );
    let server = StubServer::start_one(script).await.unwrap();
    let conn = connect(&server).await.unwrap();
    assert_eq!(conn.version(), Version::V5_8);
    assert!(conn.server_info().manifest_handshake);
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    assert_eq!(r.manifest_choice, Some(([0, 0, 8, 5], 0)));
}

type Map = boltline_bolt::Map;

#[tokio::test]
async fn manifest_with_bolt_6() {
    let script = Script::new(Handshake::Manifest {
        offers: vec![(6, 0, 0), (5, 8, 8)],
        capabilities: 0,
    })
    .hello_ok(Map::new(), true);
    let server = StubServer::start_one(script).await.unwrap();
    let conn = connect(&server).await.unwrap();
    assert_eq!(conn.version(), Version::V6_0);
    drop(conn);
    assert_eq!(
        server.finish_and_assert().await[0].manifest_choice,
        Some(([0, 0, 0, 6], 0))
    );
}

#[tokio::test]
async fn manifest_without_common_version_fails_and_says_so() {
    let script = Script::new(Handshake::Manifest {
        offers: vec![(3, 0, 0), (5, 5, 0)],
        capabilities: 0,
    });
    let server = StubServer::start_one(script).await.unwrap();
    let err = connect(&server).await.unwrap_err();
    assert!(
        matches!(&err, Error::UnsupportedVersion { server } if server.contains("5.5")),
        "{err}"
    );
    let r = &server.finish_and_assert().await[0];
    assert_eq!(r.manifest_choice, Some(([0, 0, 0, 0], 0)));
}

#[tokio::test]
async fn no_common_version_and_unoffered_versions_are_refused() {
    let server = StubServer::start_one(Script::new(Handshake::NoVersion))
        .await
        .unwrap();
    assert!(matches!(
        connect(&server).await,
        Err(Error::UnsupportedVersion { .. })
    ));
    for (major, minor) in [(5, 5), (3, 0), (4, 3)] {
        let err = connect_refused(Script::bolt(major, minor)).await;
        assert!(matches!(err, Error::UnsupportedVersion { .. }), "{err}");
    }
}

#[tokio::test]
async fn an_http_server_is_recognised() {
    let script = Script::new(Handshake::Raw(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()));
    let err = connect_refused(script).await;
    assert!(
        matches!(&err, Error::Protocol(m) if m.contains("HTTP")),
        "{err}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = StubServer::start_one(Script::new(Handshake::Raw(Vec::new())))
        .await
        .unwrap();
    let config = config().with_handshake_timeout(Some(Duration::from_millis(200)));
    let err = connect_with(&server, &config).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.retry_action().is_retry());
}

/// The connect timeout bounds reaching the server (TCP, TLS), not a slow
/// Bolt handshake once connected: that has its own limit.
#[tokio::test]
async fn the_connect_timeout_does_not_bound_the_bolt_handshake() {
    let server = StubServer::start_one(
        Script::authenticated(5, 4)
            .expect(sig::GOODBYE)
            .expect_close(),
    )
    .await
    .unwrap();
    // The handshake answer is delayed past the connect timeout.
    let slow = server.address();
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_address = proxy.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut client, _) = proxy.accept().await.unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        let mut upstream = tokio::net::TcpStream::connect(slow).await.unwrap();
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    });
    let address = Address::new("127.0.0.1", proxy_address.port());
    let patient = config()
        .with_connect_timeout(Some(Duration::from_millis(100)))
        .with_handshake_timeout(Some(Duration::from_secs(5)));
    let mut conn = Connection::connect(&address, &patient).await.unwrap();
    conn.close().await;
    server.finish_and_assert().await;

    // ... and the handshake timeout does.
    let silent = StubServer::start_one(Script::new(Handshake::Raw(Vec::new())))
        .await
        .unwrap();
    let impatient = config()
        .with_connect_timeout(Some(Duration::from_secs(5)))
        .with_handshake_timeout(Some(Duration::from_millis(200)));
    let err = connect_with(&silent, &impatient).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { timeout, .. } if timeout == Duration::from_millis(200)),
        "{err}"
    );
}

#[tokio::test]
async fn a_server_closing_during_the_handshake() {
    let err = connect_refused(Script::new(Handshake::Close)).await;
    assert!(matches!(err, Error::ConnectionClosed { .. }), "{err}");
}

#[tokio::test]
async fn servers_that_are_not_neo4j_are_rejected() {
    let script = Script::bolt(5, 4)
        .expect(sig::HELLO)
        .success([("server", Value::from("Memgraph/2.0"))]);
    let err = connect_refused(script).await;
    assert!(
        matches!(&err, Error::NotNeo4j { agent } if agent == "Memgraph/2.0"),
        "{err}"
    );
    assert!(err.to_string().contains("not Neo4j"));
}

#[tokio::test]
async fn wrong_password_before_5_1_fails_in_hello() {
    let script = Script::bolt(5, 0)
        .expect(sig::HELLO)
        .failure("Neo.ClientError.Security.Unauthorized", "bad credentials")
        .close();
    let server = StubServer::start_one(script).await.unwrap();
    let err = connect(&server).await.unwrap_err();
    let e = err.server_error().expect("a server error");
    assert_eq!(e.code, "Neo.ClientError.Security.Unauthorized");
    assert!(err.is_security_error() && e.is_authentication_error());
    server.finish_and_assert().await;
}

#[tokio::test]
async fn wrong_password_from_5_1_fails_in_logon() {
    let script = Script::bolt(5, 4)
        .expect(sig::HELLO)
        .expect(sig::LOGON)
        .success([("server", Value::from("Neo4j/5.26.0"))])
        .failure("Neo.ClientError.Security.Unauthorized", "bad credentials")
        .close();
    let server = StubServer::start_one(script).await.unwrap();
    let err = connect(&server).await.unwrap_err();
    assert!(err.is_security_error(), "{err}");
    // HELLO and LOGON were pipelined: the stub received both before answering.
    assert_eq!(
        server.finish_and_assert().await[0].names(),
        ["HELLO", "LOGON"]
    );
}

#[tokio::test]
async fn hello_carries_routing_agent_and_notification_filter() {
    let script = Script::authenticated(5, 6);
    let server = StubServer::start_one(script).await.unwrap();
    let routing = map([
        ("address", Value::from("db:7687")),
        ("region", Value::from("eu")),
    ]);
    let config = config()
        .with_user_agent("app/1.0")
        .with_routing_context(Some(routing.clone()))
        .with_notification_filter(NotificationFilter::off());
    let conn = connect_with(&server, &config).await.unwrap();
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    let extra = r.received[0].map(0).unwrap();
    assert_eq!(extra["user_agent"], Value::from("app/1.0"));
    assert_eq!(extra["routing"], Value::Map(routing));
    assert_eq!(extra["notifications_minimum_severity"], Value::from("OFF"));
    let agent = extra["bolt_agent"].as_map().unwrap();
    assert!(agent["product"].as_str().unwrap().starts_with("boltline/"));
}

#[tokio::test]
async fn notification_filters_need_5_2() {
    let server = StubServer::start_one(Script::bolt(5, 1)).await.unwrap();
    let config = config().with_notification_filter(NotificationFilter::off());
    let err = connect_with(&server, &config).await.unwrap_err();
    assert!(
        matches!(err, Error::Unsupported { needs, .. } if needs == Version::V5_2),
        "{err}"
    );
}

fn utc_zoned() -> Value {
    Value::DateTimeZoneId(DateTimeZoneId {
        seconds: 1_700_000_000,
        nanoseconds: 0,
        tz_id: "Europe/Berlin".into(),
        basis: TimeBasis::Utc,
    })
}

#[tokio::test]
async fn bolt_4_4_utc_patch_decides_the_date_time_encoding() {
    // The server accepts the patch: UTC date-times can be sent.
    let patched = Script::bolt(4, 4)
        .expect(sig::HELLO)
        .success([
            ("server", Value::from("Neo4j/4.4.30")),
            ("patch_bolt", Value::from_iter(["utc"])),
        ])
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["t"])])
        .success(Vec::<(&str, Value)>::new());
    let server = StubServer::start_one(patched).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    assert!(conn.server_info().utc_patch);
    let q = Query::new("RETURN $t").param("t", utc_zoned());
    let mut s = bounded(conn.run(&q, &TxOptions::new())).await.unwrap();
    assert!(collect(&mut conn, &mut s).await.unwrap().is_empty());
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    assert_eq!(r.received[1].map(1).unwrap()["t"], utc_zoned());

    // Without the patch, the same value cannot be sent; the connection
    // stays usable.
    let unpatched = Script::bolt(4, 4)
        .expect(sig::HELLO)
        .success([("server", Value::from("Neo4j/4.4.30"))])
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([fields(&["x"])])
        .record(vec![Value::from(1)])
        .success(Vec::<(&str, Value)>::new());
    let server = StubServer::start_one(unpatched).await.unwrap();
    let mut conn = connect(&server).await.unwrap();
    let err = bounded(conn.run(&q, &TxOptions::new())).await.unwrap_err();
    assert!(matches!(err, Error::PackStream(_)), "{err}");
    assert!(!conn.is_defunct() && !conn.needs_reset());
    assert_eq!(ints(&run_all(&mut conn, "RETURN 1").await.unwrap()), [1]);
    drop(conn);
    server.finish_and_assert().await;
}

#[tokio::test]
async fn open_works_over_any_stream() {
    // `Connection::open` takes any AsyncRead + AsyncWrite; here the stub's
    // TCP socket, connected by hand.
    let server = StubServer::start_one(Script::authenticated(5, 2))
        .await
        .unwrap();
    let tcp = tokio::net::TcpStream::connect(server.address())
        .await
        .unwrap();
    let conn = bounded(Connection::open(
        tcp,
        &config().with_auth(AuthToken::bearer("t")),
    ))
    .await
    .unwrap();
    assert_eq!(conn.version(), Version::V5_2);
    drop(conn);
    let r = &server.finish_and_assert().await[0];
    assert_eq!(
        r.received[1].entry(0, "scheme"),
        Some(&Value::from("bearer"))
    );
}
