//! The connector: one pool per server address, routing tables per database,
//! and the choice of a server for each acquisition.
//!
//! Locks: `state` (tables, pools, home-database cache) is a plain mutex,
//! never held across an await; discoveries are serialised per database by
//! async `refresh_locks`, so a burst of acquisitions on a stale table sends
//! one `ROUTE`, not one each.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use boltline_bolt::{AccessMode, Address, BoltUri, Security, TlsConfig, Value};
use boltline_pool::{BoltManager, Pool};

use crate::routed::HomeDb;
use crate::{
    AcquireOptions, ConnectorConfig, HomeDbCache, HomeDbKey, Result, RoutedConnection,
    RoutingError, RoutingTable,
};

/// `tracing` target of this crate's events.
pub(crate) const TARGET: &str = "boltline_routing";

/// What discovery locks are held on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum RefreshKey {
    Database(String),
    Home(HomeDbKey),
}

pub(crate) struct State {
    /// Tables by the database name they were asked for (or, for the home
    /// database, the name the server gave).
    pub(crate) tables: HashMap<String, RoutingTable>,
    pub(crate) pools: HashMap<Address, Pool<BoltManager>>,
    pub(crate) home_db: HomeDbCache,
    /// What the initial address last resolved to: their pools are kept
    /// although no table names them.
    pub(crate) initial_resolved: Vec<Address>,
}

pub(crate) struct Inner {
    pub(crate) initial: Address,
    pub(crate) config: ConnectorConfig,
    pub(crate) state: Mutex<State>,
    refresh_locks: Mutex<HashMap<RefreshKey, Arc<tokio::sync::Mutex<()>>>>,
    /// The `ssr.enabled` hint of the last connection opened to each server.
    pub(crate) ssr: Arc<Mutex<HashMap<Address, bool>>>,
    pub(crate) closed: AtomicBool,
    /// Rotates the start of the least-busy scan (see `least_busy`).
    pub(crate) next: AtomicUsize,
}

/// Locks a mutex, recovering the data if a thread panicked while holding
/// it (the maps stay consistent: every update is a single insert/remove).
pub(crate) use boltline_pool::sync::lock;

/// A routing connection pool for a Neo4j cluster (or Aura, or a single
/// server reached with `neo4j://`): py2neo's `Connector` with the official
/// drivers' routing.
///
/// It keeps one [`Pool`] per server address and one [`RoutingTable`] per
/// database. [`acquire`](Connector::acquire) refreshes the table when it is
/// stale (TTL passed, or no server for the access mode) and lends a
/// connection to the least busy reader or writer. The client reports
/// failures back with [`on_error`](Connector::on_error) so that unreachable
/// servers and former leaders are not chosen again.
///
/// Cheap to clone: clones share everything.
#[derive(Clone)]
pub struct Connector {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        let mut tables: Vec<_> = state.tables.values().collect();
        tables.sort_by(|a, b| a.database().cmp(b.database()));
        f.debug_struct("Connector")
            .field("initial", &format_args!("{}", self.inner.initial))
            .field("tables", &tables)
            .field("pools", &state.pools.len())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Connector {
    /// A connector whose first router is `initial`. No connection is opened
    /// until the first acquisition.
    ///
    /// Fails when the routing context holds the reserved `address` key.
    pub fn new(initial: Address, mut config: ConnectorConfig) -> Result<Connector> {
        if config.routing_context.contains_key("address") {
            return Err(RoutingError::Config(
                "`address` is reserved in the routing context: the connector sets it to the \
                 initial address"
                    .into(),
            ));
        }
        let mut context = config.routing_context.clone();
        context.insert("address".into(), Value::from(initial.to_string()));
        config.connection.routing_context = Some(context);
        let home_db = HomeDbCache::new(config.home_db_cache_size, config.home_db_cache_ttl);
        Ok(Connector {
            inner: Arc::new(Inner {
                initial,
                config,
                state: Mutex::new(State {
                    tables: HashMap::new(),
                    pools: HashMap::new(),
                    home_db,
                    initial_resolved: Vec::new(),
                }),
                refresh_locks: Mutex::new(HashMap::new()),
                ssr: Arc::new(Mutex::new(HashMap::new())),
                closed: AtomicBool::new(false),
                next: AtomicUsize::new(0),
            }),
        })
    }

    /// A connector for a `neo4j://`, `neo4j+s://` or `neo4j+ssc://` URI:
    /// its host is the initial address, its query string the routing
    /// context (added to the configured one), and `+s`/`+ssc` set TLS (then
    /// `config.connection.tls` must be unset).
    pub fn from_uri(uri: &str, mut config: ConnectorConfig) -> Result<Connector> {
        let parsed = BoltUri::parse(uri)?;
        if !parsed.routing {
            return Err(RoutingError::Config(format!(
                "{uri:?} is a direct (bolt://) URI; routing needs neo4j://"
            )));
        }
        if parsed.security != Security::Plain {
            if config.connection.tls.is_some() {
                return Err(RoutingError::Config(
                    "TLS is set both by the URI scheme (+s/+ssc) and the connection config".into(),
                ));
            }
            config.connection.tls = TlsConfig::for_security(parsed.security)?;
        }
        config.routing_context.extend(parsed.routing_context);
        Connector::new(parsed.address, config)
    }

    /// The current instant on the configured clock (table TTLs and the
    /// home-database cache are measured with it).
    pub(crate) fn now(&self) -> Instant {
        self.inner.config.pool.clock.now()
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    /// The address the connector started from.
    pub fn initial_address(&self) -> &Address {
        &self.inner.initial
    }

    /// The configuration (with the routing context, `address` included, in
    /// `connection.routing_context`).
    pub fn config(&self) -> &ConnectorConfig {
        &self.inner.config
    }

    /// Whether [`close`](Connector::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    pub(crate) fn ensure_open(&self) -> Result<()> {
        if self.is_closed() {
            Err(RoutingError::Closed)
        } else {
            Ok(())
        }
    }

    /// Lends a connection for `mode` on `database` (`None`: the home
    /// database). See [`acquire_with`](Connector::acquire_with).
    pub async fn acquire(
        &self,
        database: Option<&str>,
        mode: AccessMode,
    ) -> Result<RoutedConnection> {
        let mut options = AcquireOptions::new(mode);
        options.database = database.map(str::to_owned);
        self.acquire_with(&options).await
    }

    /// Lends a connection to the least busy reader (or writer) of the
    /// database, refreshing its routing table first when it is stale.
    ///
    /// With no database named, the home database is resolved with a
    /// `ROUTE` (whose reply names it), as the official drivers do; when the
    /// servers route server-side (`ssr.enabled`), the cached name is used
    /// instead and no `ROUTE` is needed while its table is fresh.
    ///
    /// A server that cannot be connected to is removed from every table and
    /// the next one is tried.
    pub async fn acquire_with(&self, options: &AcquireOptions) -> Result<RoutedConnection> {
        self.ensure_open()?;
        self.purge_tables(self.now());
        let mode = options.mode;
        if let Some(db) = &options.database {
            self.ensure_fresh(db, mode, options).await?;
            let (address, conn) = self.acquire_server(db, mode, options).await?;
            return Ok(RoutedConnection {
                conn,
                address,
                database: db.clone(),
                mode,
                home: None,
            });
        }
        let key = options.home_db_key();
        let guess = if self.is_ssr_enabled() {
            self.home_database(&key)
        } else {
            None
        };
        if let Some(guess) = guess {
            let db = self.ensure_fresh_guess(&guess, &key, mode, options).await?;
            let (address, conn) = self.acquire_server(&db, mode, options).await?;
            if conn.server_info().ssr_enabled {
                return Ok(RoutedConnection {
                    conn,
                    address,
                    database: db,
                    mode,
                    home: Some(HomeDb { key, guessed: true }),
                });
            }
            // The server does not route server-side after all (a member
            // without it joined): a guess could land on the wrong servers,
            // so resolve the home database explicitly.
            tracing::debug!(target: TARGET, %address, "no server-side routing; resolving the home database");
        }
        let (db, _) = self
            .refresh_locked(
                RefreshKey::Home(key.clone()),
                None,
                None,
                Some(&key),
                options,
            )
            .await?;
        let (address, conn) = self.acquire_server(&db, mode, options).await?;
        Ok(RoutedConnection {
            conn,
            address,
            database: db,
            mode,
            home: Some(HomeDb {
                key,
                guessed: false,
            }),
        })
    }

    /// Fetches the routing table of `options.database` (or of the home
    /// database) now, whether or not the current one is fresh, and returns
    /// it.
    pub async fn fetch_routing_table(&self, options: &AcquireOptions) -> Result<RoutingTable> {
        self.ensure_open()?;
        let (_, table) = match &options.database {
            Some(db) => {
                let key = RefreshKey::Database(db.clone());
                self.refresh_locked(key, Some(db), Some(db), None, options)
                    .await?
            }
            None => {
                let key = options.home_db_key();
                self.refresh_locked(
                    RefreshKey::Home(key.clone()),
                    None,
                    None,
                    Some(&key),
                    options,
                )
                .await?
            }
        };
        Ok(table)
    }

    fn is_fresh(&self, database: &str, mode: AccessMode) -> bool {
        let now = self.now();
        self.state()
            .tables
            .get(database)
            .is_some_and(|t| t.is_fresh(mode, now))
    }

    fn refresh_lock(&self, key: RefreshKey) -> Arc<tokio::sync::Mutex<()>> {
        lock(&self.inner.refresh_locks)
            .entry(key)
            .or_default()
            .clone()
    }

    /// Forgets refresh locks nobody holds or waits for (one per database
    /// and user would otherwise pile up). Under the map's lock no task can
    /// be between looking one up and cloning it, so a later discovery of
    /// the same key simply makes a new one.
    pub(crate) fn drop_idle_refresh_locks(&self) {
        lock(&self.inner.refresh_locks).retain(|_, m| Arc::strong_count(m) > 1);
    }

    /// Makes the table of a named database fresh for `mode`.
    async fn ensure_fresh(
        &self,
        db: &str,
        mode: AccessMode,
        options: &AcquireOptions,
    ) -> Result<()> {
        if self.is_fresh(db, mode) {
            return Ok(());
        }
        let lock = self.refresh_lock(RefreshKey::Database(db.to_owned()));
        let _guard = lock.lock().await;
        // Another task may have refreshed it while this one waited.
        if self.is_fresh(db, mode) {
            return Ok(());
        }
        self.refresh(Some(db), Some(db), None, options)
            .await
            .map(drop)
    }

    /// Like `ensure_fresh` for a cached home-database name; a refresh asks
    /// for the home database (the guess may be out of date) and returns
    /// the name the server gave.
    async fn ensure_fresh_guess(
        &self,
        guess: &str,
        key: &HomeDbKey,
        mode: AccessMode,
        options: &AcquireOptions,
    ) -> Result<String> {
        if self.is_fresh(guess, mode) {
            return Ok(guess.to_owned());
        }
        let lock = self.refresh_lock(RefreshKey::Database(guess.to_owned()));
        let _guard = lock.lock().await;
        if self.is_fresh(guess, mode) {
            return Ok(guess.to_owned());
        }
        let (name, _) = self.refresh(None, Some(guess), Some(key), options).await?;
        Ok(name)
    }

    async fn refresh_locked(
        &self,
        lock_key: RefreshKey,
        requested: Option<&str>,
        known: Option<&str>,
        home_key: Option<&HomeDbKey>,
        options: &AcquireOptions,
    ) -> Result<(String, RoutingTable)> {
        let lock = self.refresh_lock(lock_key);
        let _guard = lock.lock().await;
        // For the home database, start from what is known of the cached
        // name's table (its routers), if anything.
        let cached = match (known, home_key) {
            (None, Some(k)) => self.home_database(k),
            _ => None,
        };
        // With no cached name, the table of an unnamed home database (stored
        // under the empty name), if one is held.
        let known = known.or(cached.as_deref()).or(home_key.map(|_| ""));
        self.refresh(requested, known, home_key, options).await
    }

    /// The routing table of a database (by the name it was asked for; the
    /// home database's by its resolved name), if one is held.
    pub fn routing_table(&self, database: &str) -> Option<RoutingTable> {
        self.state().tables.get(database).cloned()
    }

    /// The routing table of `key`'s home database, if one is held: the
    /// table of its cached name, else the table of a home database the
    /// server did not name (see [`RoutingTable::is_unnamed`]).
    pub fn home_routing_table(&self, key: &HomeDbKey) -> Option<RoutingTable> {
        self.home_database(key)
            .and_then(|name| self.routing_table(&name))
            .or_else(|| self.routing_table(""))
    }

    /// Every routing table held, by database name.
    pub fn routing_tables(&self) -> BTreeMap<String, RoutingTable> {
        self.state()
            .tables
            .iter()
            .map(|(k, t)| (k.clone(), t.clone()))
            .collect()
    }

    /// Whether the servers route server-side: every server connected to
    /// so far sent the `ssr.enabled` hint (Bolt 5.8+) on its last new
    /// connection. False before the first connection.
    pub fn is_ssr_enabled(&self) -> bool {
        let ssr = lock(&self.inner.ssr);
        !ssr.is_empty() && ssr.values().all(|on| *on)
    }

    /// The cached home database of a user.
    pub fn home_database(&self, key: &HomeDbKey) -> Option<String> {
        self.state().home_db.get(key, self.now()).map(str::to_owned)
    }

    /// Caches `database` as `key`'s home database.
    pub fn cache_home_database(&self, key: HomeDbKey, database: &str) {
        self.state().home_db.insert(key, database, self.now());
    }

    /// Reports the database a server named in a reply on a connection
    /// acquired for the home database (the `db` of `BEGIN`/`RUN` `SUCCESS`,
    /// Bolt 5.8+): it becomes the cached home database of the user. Ignored
    /// for connections acquired for a named database.
    pub fn home_database_seen(&self, conn: &RoutedConnection, database: &str) {
        if let Some(key) = conn.home_db_key() {
            if self.home_database(key).as_deref() != Some(database) {
                tracing::debug!(target: TARGET, ?key, database, "home database cached");
            }
            self.cache_home_database(key.clone(), database);
        }
    }

    /// Drops tables unused past their TTL plus the purge delay.
    fn purge_tables(&self, now: Instant) {
        let delay = self.inner.config.routing_table_purge_delay;
        self.state().tables.retain(|name, t| {
            let keep = !t.should_purge(now, delay);
            if !keep {
                tracing::debug!(target: TARGET, database = %name, "routing table purged");
            }
            keep
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connector_and_futures_are_send() {
        fn send_sync<T: Send + Sync>(_: &T) {}
        fn send<T: Send>(_: T) {}
        let c = Connector::new(Address::new("h", 1), ConnectorConfig::default()).unwrap();
        send_sync(&c);
        send(c.acquire(None, AccessMode::Read));
        send(c.fetch_routing_table(&AcquireOptions::default()));
        send(c.close());
        send(c.deactivate(&Address::new("h", 1)));
    }

    #[test]
    fn address_is_reserved_and_set() {
        let mut ctx = boltline_bolt::Map::new();
        ctx.insert("address".into(), Value::from("x:1"));
        let err = Connector::new(
            Address::new("h", 1),
            ConnectorConfig::default().with_routing_context(ctx),
        )
        .unwrap_err();
        assert!(matches!(err, RoutingError::Config(_)), "{err}");

        let c = Connector::from_uri(
            "neo4j://db.example:7000?region=eu",
            ConnectorConfig::default(),
        )
        .unwrap();
        let ctx = c.config().connection.routing_context.clone().unwrap();
        assert_eq!(ctx["address"], Value::from("db.example:7000"));
        assert_eq!(ctx["region"], Value::from("eu"));
        assert_eq!(c.initial_address(), &Address::new("db.example", 7000));
        assert!(c.config().connection.tls.is_none());
    }

    #[test]
    fn uri_schemes() {
        let c = Connector::from_uri("neo4j+ssc://h", ConnectorConfig::default()).unwrap();
        assert!(c.config().connection.tls.is_some());
        assert!(matches!(
            Connector::from_uri("bolt://h", ConnectorConfig::default()),
            Err(RoutingError::Config(_))
        ));
        assert!(matches!(
            Connector::from_uri("http://h", ConnectorConfig::default()),
            Err(RoutingError::Bolt(_))
        ));
        let tls = ConnectorConfig::new(
            boltline_bolt::ConnectionConfig::new().with_tls(TlsConfig::trust_any().unwrap()),
        );
        assert!(matches!(
            Connector::from_uri("neo4j+s://h", tls),
            Err(RoutingError::Config(_))
        ));
    }

    #[tokio::test]
    async fn closed_connector_refuses_work() {
        let c = Connector::new(Address::new("h", 1), ConnectorConfig::default()).unwrap();
        c.close().await;
        assert!(c.is_closed());
        assert!(matches!(
            c.acquire(Some("neo4j"), AccessMode::Read).await,
            Err(RoutingError::Closed)
        ));
        assert!(matches!(
            c.add_pools([Address::new("h", 2)]).await,
            Err(RoutingError::Closed)
        ));
    }

    #[tokio::test]
    async fn pools_added_pruned_and_counted() {
        let c = Connector::new(Address::new("127.0.0.1", 1), ConnectorConfig::default()).unwrap();
        let a = Address::new("127.0.0.1", 2);
        c.add_pools([a.clone(), a.clone()]).await.unwrap();
        assert_eq!(c.in_use().get(&a), Some(&0));
        assert_eq!(c.in_use_at(&a), 0);
        assert_eq!(c.in_use_at(&Address::new("x", 1)), 0);
        assert_eq!(c.prune(&a).await, 0);
        assert_eq!(c.pool_stats().len(), 1);
        c.deactivate(&a).await;
        assert!(c.in_use().is_empty());
    }
}
