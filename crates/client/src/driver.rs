//! The driver: configuration, connection pools, and the entry points.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use boltline_bolt::{
    AccessMode, Address, AuthToken, BoltUri, ConnectionConfig, Query, Security, TlsConfig,
};
use boltline_pool::{BoltManager, Hooks, Pool, PoolConfig, PoolStats};
use boltline_routing::{AcquireOptions, Connector, ConnectorConfig, HomeDbKey, RoutingTable};

use crate::auth::AuthManager;
use crate::bookmarks::{BookmarkManager, Neo4jBookmarkManager};
use crate::driver_context::{AcquireRequest, DriverInner, Provider};
use crate::execute_query::ExecuteQuery;
use crate::summary::ServerInfo;
use crate::{BoltError, Config, Error, Result, Session, SessionConfig};

/// The entry point: a pool of connections to one server (`bolt://`) or a
/// cluster (`neo4j://`), and the factory of sessions. Create one per
/// application and share it (cloning is cheap; clones share the pools).
///
/// ```no_run
/// use boltline::{AuthToken, Driver};
/// # async fn demo() -> boltline::Result<()> {
/// let driver = Driver::new("neo4j://localhost:7687", AuthToken::basic("neo4j", "secret"))?;
/// driver.verify_connectivity().await?;
/// let result = driver
///     .execute_query("MATCH (p:Person) RETURN p.name AS name")
///     .with_database("neo4j")
///     .run()
///     .await?;
/// for record in result.records() {
///     println!("{}", record.get_as::<String>("name")?);
/// }
/// driver.close().await;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Driver {
    inner: Arc<DriverInner>,
}

impl Driver {
    /// A driver with the default configuration. No connection is opened
    /// until the first use (see [`verify_connectivity`](Driver::verify_connectivity)).
    ///
    /// The URI is `scheme://host[:port][?routing context]`, the scheme one
    /// of `bolt` (one server), `neo4j` (a cluster, with routing), each
    /// optionally with `+s` (TLS, verified) or `+ssc` (TLS, any certificate).
    pub fn new(uri: &str, auth: AuthToken) -> Result<Driver> {
        Driver::with_config(uri, auth, Config::default())
    }

    /// A driver with a configuration from [`Config::builder`].
    pub fn with_config(uri: &str, auth: AuthToken, config: Config) -> Result<Driver> {
        let manager = crate::auth::static_token(auth.clone());
        Driver::build(uri, auth, manager, config)
    }

    /// A driver whose credentials come from an [`AuthManager`] (rotating
    /// passwords, expiring tokens; see [`auth`](crate::auth)): it is asked for
    /// the current token on every connection acquisition, and told about
    /// security failures.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use boltline::{auth, AuthToken, Config, Driver, ExpiringAuth};
    /// # async fn fetch_sso_token() -> Result<String, boltline::ProviderError> { Ok(String::new()) }
    /// # fn demo() -> boltline::Result<()> {
    /// let manager = auth::bearer(|| async {
    ///     let token = fetch_sso_token().await?;
    ///     Ok(ExpiringAuth::new(AuthToken::bearer(token)).expires_in(Duration::from_secs(3600)))
    /// });
    /// let driver = Driver::with_auth_manager(
    ///     "neo4j://localhost:7687",
    ///     manager.into_shared(),
    ///     Config::default(),
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn with_auth_manager(
        uri: &str,
        manager: Arc<dyn AuthManager>,
        config: Config,
    ) -> Result<Driver> {
        // Every acquisition asks the manager (see `Provider::acquire`); the
        // configured token is only a fallback nothing uses.
        Driver::build(uri, AuthToken::none(), manager, config)
    }

    fn build(
        uri: &str,
        auth: AuthToken,
        auth_manager: Arc<dyn AuthManager>,
        config: Config,
    ) -> Result<Driver> {
        let parsed = BoltUri::parse(uri).map_err(|e| Error::InvalidUri {
            uri: uri.to_owned(),
            reason: match e {
                boltline_bolt::Error::InvalidAddress { reason, .. } => reason,
                e => e.to_string(),
            },
        })?;
        let tls = match (parsed.security, &config.encryption) {
            (Security::Plain, None) => None,
            (Security::Plain, Some(trust)) => Some(trust.tls_config()?),
            (security, None) => TlsConfig::for_security(security)
                .map_err(|e| Error::InvalidConfig(format!("TLS: {e}")))?,
            (_, Some(_)) => {
                return Err(Error::InvalidConfig(format!(
                    "the URI scheme of {uri:?} already sets encryption and trust (+s/+ssc); \
                     use a bolt:// or neo4j:// URI with with_encryption(), or drop it"
                )))
            }
        };
        let encrypted = tls.is_some();
        let mut connection = ConnectionConfig::new()
            .with_auth(auth)
            .with_notification_filter(config.notification_filter.clone())
            .with_connect_timeout(config.connection_timeout)
            // The Bolt handshake and HELLO/LOGON are bounded by the
            // acquisition timeout (which bounds the whole acquisition
            // anyway), not by the connection timeout, which bounds DNS, TCP
            // and TLS: the conformance suite requires it (testkit's
            // `test_should_encompass_the_version_handshake_in_time`: "the
            // connection timeout should not affect the bolt handshake"), and
            // the Python driver bounds its handshake reads by the
            // acquisition deadline. A silent server therefore fails within
            // the acquisition timeout (docs/FAILURES.md).
            .with_handshake_timeout(Some(config.connection_acquisition_timeout))
            .with_keep_alive(config.keep_alive)
            .with_fetch_size(config.fetch_size.wire())
            .with_max_message_size(config.max_message_size)
            .with_read_timeout(config.read_timeout);
        if let Some(agent) = &config.user_agent {
            connection = connection.with_user_agent(agent.clone());
        }
        if let Some(tls) = tls {
            connection = connection.with_tls(tls);
        }
        let pool = PoolConfig::default()
            .max_size(config.max_connection_pool_size)
            .acquisition_timeout(config.connection_acquisition_timeout)
            .max_age(config.max_connection_lifetime)
            .liveness_check_after(config.liveness_check_timeout)
            .clock(config.clock.clone());
        let provider = if parsed.routing {
            let mut cc = ConnectorConfig::new(connection)
                .with_pool(pool)
                .with_routing_context(parsed.routing_context.clone());
            cc.resolver = config.resolver.clone();
            cc.dns_resolver = config.dns_resolver.clone();
            Provider::Routing(Connector::new(parsed.address.clone(), cc)?)
        } else {
            let mut manager = BoltManager::new(parsed.address.clone(), connection);
            if let Some(resolver) = config.resolver.clone() {
                // The custom resolver applies to direct connections too:
                // the Python driver resolves the address of every
                // connection it opens, bolt:// included.
                manager = manager.with_resolver(boltline_pool::AddressResolver::new(move |a| {
                    let (resolver, a) = (resolver.clone(), a.clone());
                    Box::pin(async move { resolver.resolve(&a).await })
                }));
            }
            let pool = Pool::new_lazy(manager, pool, Hooks::default()).map_err(Error::from)?;
            Provider::Direct(pool)
        };
        tracing::debug!(target: "boltline", address = %parsed.address, routing = parsed.routing, encrypted, "driver created");
        Ok(Driver {
            inner: Arc::new(DriverInner {
                provider,
                config,
                auth_manager,
                encrypted,
                query_bookmark_manager: Arc::new(Neo4jBookmarkManager::new()),
                closed: AtomicBool::new(false),
            }),
        })
    }

    /// A new session.
    pub fn session(&self, config: SessionConfig) -> Session {
        Session::new(self.inner.clone(), config)
    }

    /// Checks that a server can be reached and accepts the credentials
    /// (for `neo4j://`, that a routing table can be fetched).
    pub async fn verify_connectivity(&self) -> Result<()> {
        self.get_server_info().await.map(drop)
    }

    /// Connects (as [`verify_connectivity`](Driver::verify_connectivity))
    /// and tells which server answered.
    pub async fn get_server_info(&self) -> Result<ServerInfo> {
        if self.inner.is_closed() {
            return Err(Error::DriverClosed);
        }
        let request = AcquireRequest {
            mode: AccessMode::Read,
            ..AcquireRequest::default()
        };
        // A connection lent from the pool as is proves nothing about the
        // server now: one RESET does (as the official drivers' check). A
        // connection failing it is closed by the pool; the next one is
        // tried, ending at the latest with a newly opened one (which the
        // handshake just proved alive).
        let mut attempts = self.inner.config.max_connection_pool_size;
        let lease = loop {
            let mut lease = self
                .inner
                .provider
                .acquire(&request, &self.inner.auth_manager)
                .await?;
            // The check is part of acquiring: bounded like it. A server that
            // does not answer the RESET leaves the connection out of sync,
            // so it is closed, never returned to the pool.
            let limit = self.inner.config.connection_acquisition_timeout;
            let checked = match tokio::time::timeout(limit, lease.ensure_alive()).await {
                Ok(r) => r,
                Err(_) => {
                    let address = lease.address().clone();
                    lease.kill();
                    return Err(Error::from(BoltError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!(
                            "{address} did not answer the connectivity check (RESET) within {limit:?}"
                        ),
                    ))));
                }
            };
            match checked {
                Ok(()) => break lease,
                Err(e) => {
                    // Only this connection failed: the server is not
                    // forgotten for it (a stale idle socket is common).
                    let address = lease.address().clone();
                    drop(lease);
                    tracing::debug!(target: "boltline", %address, error = %e, "pooled connection failed its liveness check");
                    attempts = attempts.saturating_sub(1);
                    if attempts == 0 {
                        return Err(e.into());
                    }
                }
            }
        };
        Ok(ServerInfo {
            address: lease.address().clone(),
            agent: lease.server_info().agent.clone(),
            protocol_version: lease.version(),
        })
    }

    /// Each connection pool's figures (connections in use, idle, opened,
    /// closed, ...), by server address: one pool for a `bolt://` URI, one
    /// per cluster member with a pool for `neo4j://`. A server with no
    /// pool is absent.
    pub fn pool_metrics(&self) -> BTreeMap<Address, PoolStats> {
        self.inner.provider.pool_stats()
    }

    /// Checks whether the server accepts `auth` (the driver's credentials
    /// when `None`): `Ok(true)` if it does, `Ok(false)` if it refuses them
    /// (`Unauthorized`, `TokenExpired`, `CredentialsExpired`, `Forbidden`),
    /// and an error for any other failure. A pooled connection is logged in
    /// again even when it already uses the same token. Needs Bolt 5.1+.
    ///
    /// On a cluster the check uses a reader of the `system` database.
    pub async fn verify_authentication(&self, auth: Option<AuthToken>) -> Result<bool> {
        if self.inner.is_closed() {
            return Err(Error::DriverClosed);
        }
        let auth = match auth {
            Some(a) => a,
            None => self
                .inner
                .auth_manager
                .get_auth()
                .await
                .map_err(|e| Error::from(boltline_bolt::Error::AuthProvider(e)))?,
        };
        let request = AcquireRequest {
            database: Some("system".to_owned()),
            mode: AccessMode::Read,
            auth: Some(auth),
            force_auth: true,
            ..AcquireRequest::default()
        };
        match self
            .inner
            .provider
            .acquire(&request, &self.inner.auth_manager)
            .await
        {
            Ok(_lease) => Ok(true),
            Err(e)
                if e.server_error()
                    .is_some_and(|s| s.kind.refuses_credentials()) =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Whether sessions can have credentials of their own
    /// ([`SessionConfig::with_auth`]): the server must speak Bolt 5.1+.
    /// Connects (as [`verify_connectivity`](Driver::verify_connectivity))
    /// to find out.
    pub async fn supports_session_auth(&self) -> Result<bool> {
        let info = self.get_server_info().await?;
        Ok(info.protocol_version >= boltline_bolt::Version::V5_1)
    }

    /// Whether connections use TLS.
    pub fn is_encrypted(&self) -> bool {
        self.inner.encrypted
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The bookmark manager [`execute_query`](Driver::execute_query) uses
    /// by default: queries run through it see each other's writes. Give it
    /// to sessions to chain them with those queries.
    pub fn query_bookmark_manager(&self) -> Arc<dyn BookmarkManager> {
        self.inner.query_bookmark_manager.clone()
    }

    /// Runs one query in a managed transaction (retried like
    /// [`Session::execute_write`]) and returns all its records. Configure
    /// it with the builder's methods, then [`run`](ExecuteQuery::run) it.
    pub fn execute_query(&self, query: impl Into<Query>) -> ExecuteQuery<'_> {
        ExecuteQuery::new(self.inner.clone(), query.into())
    }

    /// The routing table the driver holds for `database` (`None`: the
    /// home database of the driver's user), for diagnostics: which servers
    /// route, read and write, and for how long the table holds. `None` for
    /// a direct (`bolt://`) driver, or when no table is held (none fetched
    /// yet, or the last discovery failed).
    ///
    /// A snapshot: the driver replaces and edits its tables as servers fail
    /// and tables expire.
    pub fn routing_table(&self, database: Option<&str>) -> Option<RoutingTable> {
        let Provider::Routing(connector) = &self.inner.provider else {
            return None;
        };
        match database {
            Some(db) => connector.routing_table(db),
            None => connector.home_routing_table(&HomeDbKey::Driver),
        }
    }

    /// Fetches the routing table of `database` (`None`: the home database)
    /// now, whether or not the one held is fresh, sending `bookmarks` with
    /// the `ROUTE` request, and returns it. For diagnostics and tests; work
    /// refreshes tables by itself.
    ///
    /// Fails with [`Error::InvalidConfig`] for a direct (`bolt://`) driver,
    /// which has no routing table, and like any acquisition when no router
    /// gives a usable table.
    pub async fn update_routing_table<I, S>(
        &self,
        database: Option<&str>,
        bookmarks: I,
    ) -> Result<RoutingTable>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if self.inner.is_closed() {
            return Err(Error::DriverClosed);
        }
        let Provider::Routing(connector) = &self.inner.provider else {
            return Err(Error::InvalidConfig(
                "a direct (bolt://) driver has no routing table; use a neo4j:// URI".into(),
            ));
        };
        let mut options = AcquireOptions::new(AccessMode::Read).with_bookmarks(bookmarks);
        options.database = database.map(str::to_owned);
        Ok(connector.fetch_routing_table(&options).await?)
    }

    /// Closes every idle connection and refuses new work. Connections still
    /// lent out close when given back.
    pub async fn close(&self) {
        if !self.inner.closed.swap(true, Ordering::SeqCst) {
            self.inner.provider.close().await;
            tracing::debug!(target: "boltline", "driver closed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TrustedCertificates;

    fn err(uri: &str, config: Config) -> String {
        Driver::with_config(uri, AuthToken::none(), config)
            .unwrap_err()
            .to_string()
    }

    #[tokio::test]
    async fn uris() {
        for uri in [
            "bolt://localhost",
            "bolt://localhost:7687",
            "bolt+s://example.com",
            "bolt+ssc://example.com:1",
            "neo4j://localhost",
            "neo4j+s://example.com?region=eu&policy=fast",
            "neo4j+ssc://[::1]:7687",
        ] {
            let d = Driver::new(uri, AuthToken::basic("u", "p")).expect(uri);
            assert_eq!(d.is_encrypted(), uri.contains('+'), "{uri}");
        }
        let e = err("http://localhost", Config::default());
        assert!(e.contains("scheme"), "{e}");
        let e = err("localhost:7687", Config::default());
        assert!(e.contains("scheme"), "{e}");
        let e = err("bolt://localhost?region=eu", Config::default());
        assert!(e.contains("routing context"), "{e}");
        let e = err("bolt://user:pw@localhost", Config::default());
        assert!(e.contains("credentials"), "{e}");
        assert!(!e.contains("pw@") || e.contains("invalid URI"), "{e}");
        let e = err("neo4j://localhost?address=x", Config::default());
        assert!(e.contains("address"), "{e}");
    }

    #[test]
    fn created_outside_a_runtime() {
        // No connection is opened and no task spawned until first use.
        let d = Driver::new("bolt://localhost:7687", AuthToken::none()).unwrap();
        assert!(!d.is_encrypted());
        let d = Driver::new("neo4j://localhost:7687", AuthToken::none()).unwrap();
        drop(d);
    }

    #[tokio::test]
    async fn encryption_config() {
        let tls = Config::builder()
            .with_encryption(TrustedCertificates::All)
            .build()
            .unwrap();
        let d = Driver::with_config("bolt://localhost", AuthToken::none(), tls.clone()).unwrap();
        assert!(d.is_encrypted());
        let e = err("bolt+s://localhost", tls);
        assert!(e.contains("+s/+ssc"), "{e}");
        let missing = Config::builder()
            .with_encryption(TrustedCertificates::CaFile("no/such/ca.pem".into()))
            .build()
            .unwrap();
        let e = err("bolt://localhost", missing);
        assert!(e.contains("TLS"), "{e}");
    }

    #[tokio::test]
    async fn closed_driver_refuses_work() {
        let d = Driver::new("bolt://127.0.0.1:1", AuthToken::none()).unwrap();
        d.close().await;
        assert!(matches!(
            d.verify_connectivity().await,
            Err(Error::DriverClosed)
        ));
        let mut s = d.session(SessionConfig::new());
        assert!(matches!(s.run("RETURN 1").await, Err(Error::DriverClosed)));
    }

    #[tokio::test]
    async fn unreachable_server_is_service_unavailable() {
        // Port 1 on localhost: nothing listens there.
        let d = Driver::new("bolt://127.0.0.1:1", AuthToken::none()).unwrap();
        let e = d.verify_connectivity().await.unwrap_err();
        assert!(e.is_service_unavailable() && e.is_retryable(), "{e:?}");
    }
}
