//! Helpers for boltline's integration tests, which run against a real Neo4j
//! server.
//!
//! `cargo xtask itest` provides the server (see `xtask/src/neo4j.rs`) and
//! describes it to the tests with environment variables:
//!
//! | variable                 | meaning                                          |
//! |--------------------------|--------------------------------------------------|
//! | `BOLTLINE_TEST_URI`      | Bolt URI, e.g. `bolt://127.0.0.1:17687`          |
//! | `BOLTLINE_TEST_USER`     | user name                                        |
//! | `BOLTLINE_TEST_PASSWORD` | that user's password                             |
//! | `BOLTLINE_TEST_CA`       | PEM file of the CA that signed the server's cert |
//! | `BOLTLINE_TEST_OTHER_CA` | PEM file of an unrelated CA                      |
//!
//! To run the tests against a server of your own, set these variables (at
//! least the URI) and run `cargo xtask itest` or `cargo test -p
//! boltline-itests`. With `cargo xtask neo4j start`, `target/neo4j/server.env`
//! holds them.
//!
//! A test that needs a server and finds none **fails** (it panics): these
//! tests never skip silently.

pub mod raw_bolt;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use boltline::serde::de::DeserializeOwned;
use boltline::{
    AuthToken, Driver, ManagedTransaction, Query, QueryResult, Record, ResultSummary, Session,
    SessionConfig, Transaction,
};
use boltline_ogm::Database;

/// Environment variable: the Bolt URI of the server.
pub const ENV_URI: &str = "BOLTLINE_TEST_URI";
/// Environment variable: the user to log in as.
pub const ENV_USER: &str = "BOLTLINE_TEST_USER";
/// Environment variable: that user's password.
pub const ENV_PASSWORD: &str = "BOLTLINE_TEST_PASSWORD";
/// Environment variable: the PEM file of the CA of the server's certificate.
pub const ENV_CA: &str = "BOLTLINE_TEST_CA";
/// Environment variable: the PEM file of a CA unrelated to the server.
pub const ENV_OTHER_CA: &str = "BOLTLINE_TEST_OTHER_CA";

/// The Neo4j server under test, as described by the environment.
#[derive(Debug, Clone)]
pub struct TestServer {
    uri: String,
    user: Option<String>,
    password: Option<String>,
    ca: Option<PathBuf>,
    other_ca: Option<PathBuf>,
}

/// The server under test.
///
/// # Panics
///
/// When `BOLTLINE_TEST_URI` is not set: run the tests with `cargo xtask
/// itest`, which starts a server.
pub fn server() -> TestServer {
    TestServer::from_env()
}

impl TestServer {
    /// Reads the `BOLTLINE_TEST_*` environment variables.
    ///
    /// # Panics
    ///
    /// When `BOLTLINE_TEST_URI` is not set.
    pub fn from_env() -> Self {
        let uri = std::env::var(ENV_URI).unwrap_or_else(|_| {
            panic!(
                "{ENV_URI} is not set: this test needs a real Neo4j server. \
                 Run it with `cargo xtask itest` (which starts one), or start one with \
                 `cargo xtask neo4j start` and export the variables of target/neo4j/server.env"
            )
        });
        let var = |key| std::env::var(key).ok().filter(|v| !v.is_empty());
        Self {
            uri,
            user: var(ENV_USER),
            password: var(ENV_PASSWORD),
            ca: var(ENV_CA).map(PathBuf::from),
            other_ca: var(ENV_OTHER_CA).map(PathBuf::from),
        }
    }

    /// The Bolt URI (`BOLTLINE_TEST_URI`).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The host of the URI (without brackets for an IPv6 address).
    pub fn host(&self) -> &str {
        let authority = self.authority();
        match authority.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or(rest),
            None => authority
                .rsplit_once(':')
                .map_or(authority, |(host, _)| host),
        }
    }

    /// The port of the URI; Bolt's 7687 when it has none.
    ///
    /// # Panics
    ///
    /// When the URI's port is not a number.
    pub fn port(&self) -> u16 {
        let authority = self.authority();
        let after_host = match authority.rsplit_once(']') {
            Some((_, rest)) => rest,
            None => authority,
        };
        match after_host.rsplit_once(':') {
            Some((_, port)) => port
                .parse()
                .unwrap_or_else(|_| panic!("{ENV_URI}={}: bad port `{port}`", self.uri)),
            None => 7687,
        }
    }

    /// `host:port`, as `std::net::TcpStream::connect` takes it.
    pub fn address(&self) -> String {
        let host = self.host();
        if host.contains(':') {
            format!("[{host}]:{}", self.port())
        } else {
            format!("{host}:{}", self.port())
        }
    }

    /// The user name (`BOLTLINE_TEST_USER`).
    ///
    /// # Panics
    ///
    /// When the variable is not set.
    pub fn user(&self) -> &str {
        required(self.user.as_deref(), ENV_USER)
    }

    /// The password (`BOLTLINE_TEST_PASSWORD`).
    ///
    /// # Panics
    ///
    /// When the variable is not set.
    pub fn password(&self) -> &str {
        required(self.password.as_deref(), ENV_PASSWORD)
    }

    /// The PEM file of the CA that signed the server's certificate
    /// (`BOLTLINE_TEST_CA`).
    ///
    /// # Panics
    ///
    /// When the variable is not set.
    pub fn ca(&self) -> &Path {
        required(self.ca.as_deref(), ENV_CA)
    }

    /// The PEM file of a CA that did not sign the server's certificate
    /// (`BOLTLINE_TEST_OTHER_CA`).
    ///
    /// # Panics
    ///
    /// When the variable is not set.
    pub fn other_ca(&self) -> &Path {
        required(self.other_ca.as_deref(), ENV_OTHER_CA)
    }

    /// The URI without scheme, path and user info: `host:port`.
    fn authority(&self) -> &str {
        let rest = self
            .uri
            .split_once("://")
            .map_or(self.uri.as_str(), |(_, rest)| rest);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        authority
            .rsplit_once('@')
            .map_or(authority, |(_, host_port)| host_port)
    }
}

/// Bound on a step of a test against the server: a hang fails instead of
/// blocking the suite.
pub const STEP_LIMIT: Duration = Duration::from_secs(60);

/// Awaits `f`, at most [`STEP_LIMIT`].
///
/// # Panics
///
/// When `f` takes longer.
pub async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(STEP_LIMIT, f)
        .await
        .expect("no answer within 60 s")
}

/// A name no other test (or concurrent run) uses: `prefix`, the time in
/// nanoseconds and a counter. Tests put it on the labels or properties of
/// the nodes they write so they see only their own data.
pub fn unique_tag(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}{nanos}_{}", N.fetch_add(1, Ordering::SeqCst))
}

/// A driver for the server under test, logged in as its user.
///
/// # Panics
///
/// When the server is not described (see [`server`]) or the driver cannot
/// be made.
pub fn driver() -> Driver {
    let s = server();
    Driver::new(s.uri(), AuthToken::basic(s.user(), s.password())).expect("driver")
}

/// A session on the `neo4j` database.
pub fn neo4j_session(d: &Driver) -> Session {
    d.session(SessionConfig::new().with_database("neo4j"))
}

/// What runs a query in a test: a session or an explicit transaction.
pub trait RunsQueries {
    /// Runs `query`.
    fn run_query(
        &mut self,
        query: Query,
    ) -> impl std::future::Future<Output = boltline::Result<QueryResult>>;
}

impl RunsQueries for Session {
    fn run_query(
        &mut self,
        query: Query,
    ) -> impl std::future::Future<Output = boltline::Result<QueryResult>> {
        self.run(query)
    }
}

impl RunsQueries for Transaction {
    fn run_query(
        &mut self,
        query: Query,
    ) -> impl std::future::Future<Output = boltline::Result<QueryResult>> {
        self.run(query)
    }
}

/// Runs `query` and consumes its result: its summary.
///
/// # Panics
///
/// When the query fails.
pub async fn run_consumed(runner: &mut impl RunsQueries, query: impl Into<Query>) -> ResultSummary {
    runner
        .run_query(query.into())
        .await
        .expect("run")
        .consume()
        .await
        .expect("consume")
}

/// The `key` column of the result's only record.
///
/// # Panics
///
/// When the result fails, has no record or more than one, or the column is
/// missing or not a `T`.
pub async fn single_as<T: DeserializeOwned>(r: &mut QueryResult, key: &str) -> T {
    single_record(r).await.get_as(key).expect("the column")
}

/// The result's only record.
///
/// # Panics
///
/// When the result fails or has no record or more than one.
pub async fn single_record(r: &mut QueryResult) -> Record {
    r.single().await.expect("exactly one record")
}

/// In a managed transaction (the body of `execute_read`/`execute_write`),
/// the `key` column of `query`'s only record; none or several is
/// [`boltline::Error::ResultNotSingle`].
pub async fn tx_single_as<T: DeserializeOwned>(
    tx: &mut ManagedTransaction<'_>,
    query: impl Into<Query>,
    key: &str,
) -> boltline::Result<T> {
    tx.run(query).await?.single().await?.get_as(key)
}

/// An OGM database handle on the server under test's `neo4j` database.
///
/// # Panics
///
/// When the server is not described (see [`server`]) or the driver cannot
/// be made.
pub fn ogm_db() -> Database {
    let s = server();
    Database::connect(s.uri(), AuthToken::basic(s.user(), s.password()))
        .expect("driver")
        .with_database("neo4j")
}

fn required<'a, T: ?Sized>(value: Option<&'a T>, key: &str) -> &'a T {
    value.unwrap_or_else(|| {
        panic!("{key} is not set; `cargo xtask itest` sets it for its own server")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_uri(uri: &str) -> TestServer {
        TestServer {
            uri: uri.to_owned(),
            user: None,
            password: None,
            ca: None,
            other_ca: None,
        }
    }

    #[test]
    fn splits_uris() {
        let s = with_uri("bolt://127.0.0.1:17687");
        assert_eq!((s.host(), s.port()), ("127.0.0.1", 17687));
        let s = with_uri("neo4j+s://user@example.com/db?x=1");
        assert_eq!((s.host(), s.port()), ("example.com", 7687));
        let s = with_uri("bolt://[::1]:7000");
        assert_eq!(
            (s.host(), s.port(), s.address().as_str()),
            ("::1", 7000, "[::1]:7000")
        );
    }

    #[test]
    #[should_panic(expected = "BOLTLINE_TEST_CA is not set")]
    fn missing_optional_values_panic_when_used() {
        let _ = with_uri("bolt://localhost").ca();
    }
}
