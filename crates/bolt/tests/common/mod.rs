//! Helpers shared by the stub-server tests.
#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use boltline_bolt::{
    Address, AuthToken, BoltStream, Connection, ConnectionConfig, Query, Record, RecordStream,
    Result, TxOptions, Value,
};
use boltline_stub::{Script, StubServer};

/// Every test step is bounded: a hang fails the test instead of blocking CI.
pub const LIMIT: Duration = Duration::from_secs(10);

pub async fn bounded<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("the client hung (no answer within 10 s)")
}

pub fn config() -> ConnectionConfig {
    ConnectionConfig::new()
        .with_auth(AuthToken::basic("neo4j", "pass"))
        .with_connect_timeout(Some(Duration::from_secs(5)))
}

pub fn address(server: &StubServer) -> Address {
    Address::parse(&server.host_port()).expect("stub address")
}

pub async fn connect(server: &StubServer) -> Result<Connection<BoltStream>> {
    connect_with(server, &config()).await
}

/// Connects to a stub server playing `script`, which must refuse the
/// connection: the error.
pub async fn connect_refused(script: Script) -> boltline_bolt::Error {
    let server = StubServer::start_one(script).await.unwrap();
    match connect(&server).await {
        Ok(_) => panic!("the connection was expected to fail"),
        Err(err) => err,
    }
}

pub async fn connect_with(
    server: &StubServer,
    config: &ConnectionConfig,
) -> Result<Connection<BoltStream>> {
    bounded(Connection::connect(&address(server), config)).await
}

/// Reads a result to the end, returning each record's values.
pub async fn collect(
    conn: &mut Connection<BoltStream>,
    stream: &mut RecordStream,
) -> Result<Vec<Vec<Value>>> {
    let mut rows = Vec::new();
    while let Some(r) = bounded(conn.next_record(stream)).await? {
        rows.push(r.values()?);
    }
    Ok(rows)
}

pub async fn run_all(conn: &mut Connection<BoltStream>, q: &str) -> Result<Vec<Vec<Value>>> {
    let mut s = bounded(conn.run(&Query::new(q), &TxOptions::new())).await?;
    collect(conn, &mut s).await
}

pub fn ints(rows: &[Vec<Value>]) -> Vec<i64> {
    rows.iter()
        .map(|r| r[0].as_i64().expect("an integer"))
        .collect()
}

pub fn int_rows(range: std::ops::Range<i64>) -> Vec<Vec<Value>> {
    range.map(|i| vec![Value::from(i)]).collect()
}

pub fn fields(names: &[&str]) -> (&'static str, Value) {
    ("fields", Value::from_iter(names.iter().copied()))
}

pub fn first(record: Option<Record>) -> Value {
    record.expect("a record").values().expect("decodable")[0].clone()
}
