//! Vectors as parameters against the scripted stub: below Bolt 6.0 the
//! client refuses them (and `UnsupportedType` values) with a typed error
//! before anything is sent; on 6.0 they go over the wire.

use std::time::Duration;

use boltline::packstream::UnsupportedType;
use boltline::Version;
use boltline::{AuthToken, BoltError, Config, Driver, Error, Query, SessionConfig, Value, Vector};
use boltline_stub::{map, sig, Script, StubServer};

const LIMIT: Duration = Duration::from_secs(20);

fn driver(server: &StubServer) -> Driver {
    let config = Config::builder()
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    Driver::with_config(
        &format!("bolt://{}", server.host_port()),
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .expect("driver")
}

fn unsupported() -> UnsupportedType {
    UnsupportedType {
        name: "QuantumFloat".into(),
        minimum_protocol_major: 6,
        minimum_protocol_minor: 0,
        extra: Default::default(),
    }
}

/// The error a value the connection cannot carry must produce.
#[track_caller]
fn assert_needs_bolt_6(result: boltline::Result<impl std::fmt::Debug>, what: &str) {
    let bolt = match &result {
        Err(Error::Bolt(b)) => Some(&**b),
        _ => None,
    };
    match bolt {
        Some(BoltError::Unsupported {
            feature,
            needs,
            version,
        }) => {
            assert_eq!(*feature, what);
            assert_eq!(*needs, Version::V6_0);
            assert_eq!(*version, Version::V5_8);
        }
        _ => panic!("expected the Bolt 6.0 refusal for {what}, got {result:?}"),
    }
}

#[tokio::test]
async fn below_bolt_6_vectors_are_refused_before_anything_is_sent() {
    // The connection must stay usable: a query without vectors follows.
    let script = Script::authenticated(5, 8)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server);
    let mut s = d.session(SessionConfig::new());

    let vector = Query::new("RETURN $v AS v").param("v", Vector::F32(vec![1.0, 2.0]));
    assert_needs_bolt_6(s.run(vector).await.map(|_| ()), "a Vector value");
    // Nested in a list too.
    let nested = Query::new("RETURN $v AS v").param(
        "v",
        Value::List(vec![Value::from(1), Value::Vector(Vector::I8(vec![1]))]),
    );
    assert_needs_bolt_6(s.run(nested).await.map(|_| ()), "a Vector value");
    let unknown = Query::new("RETURN $v AS v").param("v", Value::Unsupported(unsupported()));
    assert_needs_bolt_6(s.run(unknown).await.map(|_| ()), "an UnsupportedType value");
    let err = s
        .run(Query::new("RETURN $v").param("v", Vector::I64(vec![7])))
        .await
        .map(|_| ())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("a Vector value needs Bolt 6.0 or later; this connection speaks Bolt 5.8"),
        "{err}"
    );

    let mut r = s.run("RETURN 1 AS x").await.unwrap();
    assert_eq!(r.collect::<i64>().await.unwrap(), [1]);
    drop(s);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    // Only the query without vectors reached the server.
    assert_eq!(reports[0].messages(sig::RUN).len(), 1);
}

#[tokio::test]
async fn on_bolt_6_vectors_are_sent() {
    let script = Script::authenticated(6, 0)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["v"]))])
        .record(vec![Value::Vector(Vector::F32(vec![1.0, 2.0]))])
        .success(map::<&str>([]))
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server);
    let mut s = d.session(SessionConfig::new());
    let sent = Vector::F32(vec![1.0, 2.0]);
    let mut r = s
        .run(Query::new("RETURN $v AS v").param("v", sent.clone()))
        .await
        .unwrap();
    let rows = r.collect::<(Vector,)>().await.unwrap();
    assert_eq!(rows, [(sent.clone(),)]);
    drop(s);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    let runs = reports[0].messages(sig::RUN);
    assert_eq!(
        runs[0].map(1).and_then(|p| p.get("v")),
        Some(&Value::Vector(sent))
    );
}
