//! Helpers shared by the pool's stub-server tests.
#![allow(dead_code)]

use std::time::Duration;

use boltline_bolt::{Address, AuthToken, ConnectionConfig, Value};
use boltline_pool::{BoltManager, PoolConfig};
use boltline_stub::{sig, steps, Script, StubServer};

/// Bound on the steps that could hang.
pub const LIMIT: Duration = Duration::from_secs(10);

/// A manager opening Bolt connections to `server` as `neo4j`.
pub fn manager(server: &StubServer) -> BoltManager {
    BoltManager::new(
        Address::parse(&server.host_port()).expect("address"),
        ConnectionConfig::new()
            .with_auth(AuthToken::basic("neo4j", "pass"))
            .with_connect_timeout(Some(Duration::from_secs(5))),
    )
}

/// A pool of at most `max` connections that waits 5 s for one.
pub fn config(max: usize) -> PoolConfig {
    PoolConfig::default()
        .max_size(max)
        .acquisition_timeout(Duration::from_secs(5))
}

/// The server's side of `RETURN 1 AS x`: RUN and PULL, one record, `1`.
pub fn return_one() -> Script {
    steps()
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
}
