//! Round trip of an auto-commit `RETURN 1` on an open connection: `RUN` and
//! `PULL` pipelined in one write, the record read, the summary read.
//!
//! Always measured against the in-process stub server (loopback TCP), and
//! against a real Neo4j when `BOLTLINE_TEST_URI` is set (with
//! `BOLTLINE_TEST_USER`, `BOLTLINE_TEST_PASSWORD`, and `BOLTLINE_TEST_CA`
//! for `+s` URIs), e.g. after `cargo xtask neo4j start` and sourcing
//! `target/neo4j/server.env`:
//!
//! ```text
//! cargo bench -p boltline-bolt --bench roundtrip
//! ```

use std::time::{Duration, Instant};

use boltline_bolt::{
    Address, AuthToken, BoltStream, BoltUri, Connection, ConnectionConfig, Query, Security,
    TlsConfig, TxOptions, Value,
};
use boltline_stub::{sig, steps, Script, StubServer};
use criterion::Criterion;
use tokio::runtime::{Builder, Runtime};

async fn return_one(conn: &mut Connection<BoltStream>, query: &Query) {
    let mut s = conn
        .run(query, &TxOptions::new())
        .await
        .expect("RUN failed");
    let mut n = 0;
    while let Some(r) = conn.next_record(&mut s).await.expect("PULL failed") {
        assert_eq!(r.values().expect("decodable")[0], Value::from(1));
        n += 1;
    }
    assert_eq!(n, 1);
}

fn bench_on(c: &mut Criterion, rt: &Runtime, name: &str, mut conn: Connection<BoltStream>) {
    let query = Query::new("RETURN 1 AS x");
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    return_one(&mut conn, &query).await;
                }
                start.elapsed()
            })
        })
    });
    rt.block_on(conn.close());
}

/// The stub and the client share the runtime: on a current-thread runtime
/// they take turns on one thread (no cross-thread wake-ups), on the
/// multi-thread one they run in parallel as a real server would.
fn stub(c: &mut Criterion, rt: &Runtime, name: &str) {
    let body = steps()
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([
            ("fields", Value::from_iter(["x"])),
            ("t_first", Value::from(0)),
        ])
        .record(vec![Value::from(1)])
        .success([
            ("bookmark", Value::from("FB:kcwQ")),
            ("type", Value::from("r")),
            ("t_last", Value::from(0)),
            ("db", Value::from("neo4j")),
        ]);
    let server = rt
        .block_on(StubServer::start_one(
            Script::authenticated(5, 8).repeat_until_closed(body),
        ))
        .expect("stub server");
    let address = Address::parse(&server.host_port()).expect("address");
    let conn = rt
        .block_on(Connection::connect(&address, &ConnectionConfig::new()))
        .expect("connect to the stub");
    bench_on(c, rt, name, conn);
    drop(server);
}

fn neo4j(c: &mut Criterion) {
    let Ok(uri) = std::env::var("BOLTLINE_TEST_URI") else {
        eprintln!("BOLTLINE_TEST_URI is not set: skipping the real-Neo4j benchmark");
        return;
    };
    let rt = Runtime::new().expect("runtime");
    let uri = BoltUri::parse(&uri).expect("BOLTLINE_TEST_URI");
    let user = std::env::var("BOLTLINE_TEST_USER").unwrap_or_else(|_| "neo4j".into());
    let password = std::env::var("BOLTLINE_TEST_PASSWORD").unwrap_or_default();
    let mut config = ConnectionConfig::new().with_auth(AuthToken::basic(user, password.as_str()));
    let tls = match (uri.security, std::env::var("BOLTLINE_TEST_CA")) {
        (Security::Verified, Ok(ca)) => Some(TlsConfig::with_ca_file(ca).expect("CA file")),
        (s, _) => TlsConfig::for_security(s).expect("TLS"),
    };
    if let Some(tls) = tls {
        config = config.with_tls(tls);
    }
    let conn = rt
        .block_on(Connection::connect(&uri.address, &config))
        .expect("connect to Neo4j");
    bench_on(c, &rt, "RETURN 1 (RUN+PULL pipelined), Neo4j", conn);
}

fn main() {
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let current = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    stub(
        &mut c,
        &current,
        "RETURN 1 (RUN+PULL pipelined), stub, current-thread runtime",
    );
    let multi = Runtime::new().expect("runtime");
    stub(
        &mut c,
        &multi,
        "RETURN 1 (RUN+PULL pipelined), stub, multi-thread runtime",
    );
    neo4j(&mut c);
    c.final_summary();
}
