//! Vectors against a real Neo4j. On a server speaking Bolt 6.0 (Neo4j
//! 2025.x): vectors of every element type decode into [`Vector`] and, by
//! serde, into `Vec<i8>`, ..., `Vec<f32>` fields; they go back as parameters
//! and the server compares them; they are stored as node properties and read
//! back. On a connection below 6.0 the client refuses to send one, and the
//! server sends one as a map with a 01N83 warning.
//!
//! Each test asks the server's version first: where a server lacks a
//! feature (Neo4j 5.26 has no vectors and no Cypher 25), the test checks
//! what that server does instead; nothing is skipped.

use std::time::Duration;

use boltline::serde::Deserialize;
use boltline::Version;
use boltline::{AuthToken, BoltError, Driver, Error, Query, Value, Vector};
use boltline_itests::{
    driver, neo4j_session as session, run_consumed, server, single_record, unique_tag,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const LIMIT: Duration = Duration::from_secs(60);

fn driver_at(uri: &str) -> Driver {
    let s = server();
    Driver::new(uri, AuthToken::basic(s.user(), s.password())).expect("driver")
}

/// A label no other test (or concurrent run) uses.
fn tag() -> String {
    unique_tag("Vec")
}

/// The Bolt version the driver negotiates with the server, and its agent.
async fn negotiated(d: &Driver) -> (Version, String) {
    let info = tokio::time::timeout(LIMIT, d.get_server_info())
        .await
        .expect("server info in time")
        .expect("server info");
    (info.protocol_version(), info.agent().to_owned())
}

/// One case per element type: the Cypher type name, the list literal and
/// the vector it must arrive as.
fn cases() -> Vec<(&'static str, &'static str, Vector)> {
    vec![
        ("INTEGER8", "[1, -2, 127]", Vector::I8(vec![1, -2, 127])),
        (
            "INTEGER16",
            "[1, -2, 30000]",
            Vector::I16(vec![1, -2, 30000]),
        ),
        (
            "INTEGER32",
            "[1, -2, 2000000000]",
            Vector::I32(vec![1, -2, 2_000_000_000]),
        ),
        (
            "INTEGER64",
            "[1, -2, 9000000000000]",
            Vector::I64(vec![1, -2, 9_000_000_000_000]),
        ),
        (
            "FLOAT32",
            "[0.5, -1.25, 3.0]",
            Vector::F32(vec![0.5, -1.25, 3.0]),
        ),
        (
            "FLOAT64",
            "[0.1, -2.5, 1.0E300]",
            Vector::F64(vec![0.1, -2.5, 1.0e300]),
        ),
    ]
}

/// Runs a query to its end: a server failure may come with the first
/// records or only at the end.
async fn exec(s: &mut boltline::Session, q: Query) -> boltline::Result<()> {
    s.run(q).await?.consume().await.map(drop)
}

/// The client's refusal of a value the connection cannot carry.
#[track_caller]
fn assert_refused(result: boltline::Result<impl std::fmt::Debug>, what: &str, version: Version) {
    match result {
        Err(Error::Bolt(bolt)) => {
            let BoltError::Unsupported {
                feature,
                needs,
                version: speaks,
            } = &*bolt
            else {
                panic!("expected the client to refuse {what} below Bolt 6.0, got {bolt:?}")
            };
            let (feature, needs, speaks) = (*feature, *needs, *speaks);
            assert_eq!(feature, what);
            assert_eq!(needs, Version::V6_0);
            assert_eq!(speaks, version);
        }
        other => panic!("expected the client to refuse {what} below Bolt 6.0, got {other:?}"),
    }
}

/// Neo4j 5.26 has no vectors: `CYPHER 25` (and so `vector(...)`) is a
/// client error of the server's.
async fn assert_no_cypher_25(s: &mut boltline::Session, agent: &str) {
    assert!(agent.starts_with("Neo4j/5."), "{agent}");
    let err = s
        .run("CYPHER 25 RETURN vector([1, 2, 3], 3, INTEGER8) AS v")
        .await
        .map(|_| ())
        .unwrap_err();
    let server_error = match &err {
        Error::Server { error, .. } => error,
        other => panic!("expected a server error on {agent}, got {other:?}"),
    };
    assert!(
        server_error.code.starts_with("Neo.ClientError.Statement."),
        "{server_error:?}"
    );
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(crate = "boltline::serde")]
struct Embeddings {
    i8s: Vec<i8>,
    i16s: Vec<i16>,
    i32s: Vec<i32>,
    i64s: Vec<i64>,
    f32s: Vec<f32>,
    f64s: Vec<f64>,
}

#[tokio::test]
async fn vectors_of_every_element_type_decode_and_go_back_as_parameters() {
    let d = driver();
    let (version, agent) = negotiated(&d).await;
    let mut s = session(&d);
    if version < Version::V6_0 {
        // Neo4j 5.26: no vectors on the server, and the client refuses to
        // send one on this connection.
        assert_no_cypher_25(&mut s, &agent).await;
        for (_, _, vector) in cases() {
            let q = Query::new("RETURN $v AS v").param("v", vector);
            assert_refused(exec(&mut s, q).await, "a Vector value", version);
        }
        d.close().await;
        return;
    }
    assert_eq!(version, Version::V6_0, "{agent}");
    for (cypher_type, list, expected) in cases() {
        // Returned by the server: the element type is kept.
        let text = format!("CYPHER 25 RETURN vector({list}, 3, {cypher_type}) AS v");
        let mut r = s.run(text.as_str()).await.unwrap();
        let record = r.single().await.unwrap();
        assert_eq!(
            record.get("v").unwrap(),
            Value::Vector(expected.clone()),
            "{cypher_type}"
        );
        assert_eq!(record.get_as::<Vector>("v").unwrap(), expected);

        // Sent back and compared by the server, with the same element type
        // and values (a vector is equal only to one of its type).
        let text =
            format!("CYPHER 25 RETURN $v = vector({list}, 3, {cypher_type}) AS same, $v AS echo");
        let q = Query::new(text).param("v", expected.clone());
        let mut r = s.run(q).await.unwrap();
        let record = r.single().await.unwrap();
        assert_eq!(
            record.get("same").unwrap(),
            Value::from(true),
            "{cypher_type}"
        );
        assert_eq!(record.get("echo").unwrap(), Value::Vector(expected));
    }
    // A different vector compares unequal: the comparison is real.
    let q = Query::new("CYPHER 25 RETURN $v = vector([1, 2, 4], 3, INTEGER8) AS same")
        .param("v", Vector::I8(vec![1, 2, 3]));
    let mut r = s.run(q).await.unwrap();
    let same = r.single().await.unwrap().get("same").unwrap();
    assert_eq!(same, Value::from(false));

    // Into struct fields by serde.
    let mut r = s
        .run(
            "CYPHER 25 RETURN vector([1, -2], 2, INTEGER8) AS i8s, \
             vector([300, -2], 2, INTEGER16) AS i16s, \
             vector([70000, -2], 2, INTEGER32) AS i32s, \
             vector([9000000000000, -2], 2, INTEGER64) AS i64s, \
             vector([0.5, -2.0], 2, FLOAT32) AS f32s, \
             vector([0.1, -2.0], 2, FLOAT64) AS f64s",
        )
        .await
        .unwrap();
    let rows: Vec<Embeddings> = r.collect().await.unwrap();
    assert_eq!(
        rows,
        [Embeddings {
            i8s: vec![1, -2],
            i16s: vec![300, -2],
            i32s: vec![70000, -2],
            i64s: vec![9_000_000_000_000, -2],
            f32s: vec![0.5, -2.0],
            f64s: vec![0.1, -2.0],
        }]
    );
    d.close().await;
}

#[tokio::test]
async fn vectors_are_stored_as_node_properties_and_read_back() {
    let d = driver();
    let (version, agent) = negotiated(&d).await;
    let mut s = session(&d);
    let label = tag();
    if version < Version::V6_0 {
        assert_no_cypher_25(&mut s, &agent).await;
        let q = Query::new(format!("CREATE (n:{label} {{v: $v}})"))
            .param("v", Vector::F32(vec![1.0, 2.0]));
        assert_refused(exec(&mut s, q).await, "a Vector value", version);
        // Nothing was created.
        let mut r = s
            .run(format!("MATCH (n:{label}) RETURN count(n) AS c").as_str())
            .await
            .unwrap();
        let c = r.single().await.unwrap().get("c").unwrap();
        assert_eq!(c, Value::from(0));
        d.close().await;
        return;
    }
    // Community servers keep the "aligned" store format, which cannot hold
    // vector properties (the "block" format, Enterprise only, can): the
    // server refuses the write, and says why.
    let mut r = s
        .run(
            "CALL dbms.components() YIELD name, edition WHERE name = 'Neo4j Kernel' RETURN edition",
        )
        .await
        .unwrap();
    let edition = single_record(&mut r).await.get("edition").unwrap();
    if edition == Value::from("community") {
        let q = Query::new(format!("CYPHER 25 CREATE (n:{label} {{v: $v}})"))
            .param("v", Vector::F32(vec![1.0, 2.0]));
        let err = exec(&mut s, q).await.unwrap_err();
        let Error::Server { error: e, .. } = &err else {
            panic!("expected the server's refusal, got {err:?}")
        };
        assert_eq!(
            e.code, "Neo.ClientError.Data.DataUnsupportedByStoreFormat",
            "{e:?}"
        );
        assert_eq!(e.gql_status, "51N77", "{e:?}");
        // As a value in a query (not a stored property) it is fine.
        let q = Query::new("CYPHER 25 WITH $v AS v RETURN v").param("v", Vector::I8(vec![4]));
        let mut r = s.run(q).await.unwrap();
        let v = r.single().await.unwrap().get("v").unwrap();
        assert_eq!(v, Value::Vector(Vector::I8(vec![4])));
        d.close().await;
        return;
    }
    for (i, (cypher_type, _, vector)) in cases().into_iter().enumerate() {
        let q = Query::new(format!(
            "CYPHER 25 CREATE (n:{label} {{i: $i, v: $v}}) RETURN n"
        ))
        .param("i", i64::try_from(i).unwrap())
        .param("v", vector.clone());
        let mut r = s.run(q).await.unwrap();
        let node = r.single().await.unwrap().get("n").unwrap();
        let Value::Node(node) = node else {
            panic!("a node, got {node:?}")
        };
        assert_eq!(
            node.properties.get("v"),
            Some(&Value::Vector(vector.clone())),
            "{cypher_type}"
        );
    }
    // Read back in a later query, and the server knows the stored type.
    let mut r = s
        .run(
            format!(
                "CYPHER 25 MATCH (n:{label}) RETURN n.v AS v, valueType(n.v) AS t ORDER BY n.i"
            )
            .as_str(),
        )
        .await
        .unwrap();
    let rows = r.collect_records().await.unwrap();
    assert_eq!(rows.len(), cases().len());
    for (row, (cypher_type, _, vector)) in rows.iter().zip(cases()) {
        assert_eq!(row.get("v").unwrap(), Value::Vector(vector));
        let t = row.get("t").unwrap();
        let t = t.as_str().unwrap_or_default().to_owned();
        assert!(t.contains("VECTOR") && t.contains(cypher_type), "{t}");
    }
    run_consumed(&mut s, format!("MATCH (n:{label}) DELETE n").as_str()).await;
    d.close().await;
}

/// A TCP proxy to the test server that rewrites the client's handshake to
/// propose only Bolt 5.0-5.8: a Bolt 5 connection to a server that speaks
/// 6.0. Returns the proxy's URI.
async fn bolt_5_proxy() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let upstream = server().address();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let mut hello = [0u8; 20];
                if client.read_exact(&mut hello).await.is_err() {
                    return;
                }
                let Ok(mut server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                // Magic preamble, then 5.8 with the 8 minors below it, and
                // three empty slots.
                let mut proposal = [0u8; 20];
                proposal[..4].copy_from_slice(&hello[..4]);
                proposal[4..8].copy_from_slice(&[0, 8, 8, 5]);
                if server.write_all(&proposal).await.is_err() {
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    format!("bolt://127.0.0.1:{port}")
}

#[tokio::test]
async fn below_bolt_6_a_vector_arrives_as_a_map_with_a_warning() {
    let direct = driver();
    let (version, agent) = negotiated(&direct).await;
    direct.close().await;
    if version < Version::V6_0 {
        // Neo4j 5.26 cannot make a vector at all.
        let d = driver();
        assert_no_cypher_25(&mut session(&d), &agent).await;
        d.close().await;
        return;
    }
    let d = driver_at(&bolt_5_proxy().await);
    let (version, _) = negotiated(&d).await;
    assert_eq!(
        version,
        Version::V5_8,
        "the proxy makes it a Bolt 5 connection"
    );
    let mut s = session(&d);
    let mut r = s
        .run("CYPHER 25 RETURN vector([1, 2, 3], 3, INTEGER8) AS v")
        .await
        .unwrap();
    let record = r.single_opt().await.unwrap().unwrap();
    let v = record.get("v").unwrap();
    let map = v.as_map().unwrap_or_else(|| panic!("a map, got {v:?}"));
    assert_eq!(
        map.get("reason"),
        Some(&Value::from("UNKNOWN_TYPE")),
        "{map:?}"
    );
    let original = map
        .get("originalType")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("originalType in {map:?}"));
    assert!(original.contains("VECTOR"), "{original}");
    let summary = r.consume().await.unwrap();
    assert!(
        summary
            .gql_status_objects()
            .iter()
            .any(|g| g.gql_status() == "01N83"),
        "{:#?}",
        summary.gql_status_objects()
    );
    // And the client will not send one on this connection.
    let q = Query::new("RETURN $v AS v").param("v", Vector::F64(vec![1.0]));
    assert_refused(exec(&mut s, q).await, "a Vector value", Version::V5_8);
    drop(s);
    d.close().await;
}
