//! How a [`Connector`](crate::Connector) connects, pools and routes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use boltline_bolt::{ConnectionConfig, Map};
use boltline_pool::{Clock, PoolConfig};

use crate::{HomeDbCache, Resolve};

/// Settings of a [`Connector`](crate::Connector). Build with
/// [`ConnectorConfig::new`] and the `with_*` methods.
#[derive(Clone)]
pub struct ConnectorConfig {
    /// How each connection opens (credentials, TLS, timeouts). Its
    /// `routing_context` is replaced by the connector's (see
    /// [`ConnectorConfig::routing_context`]).
    pub connection: ConnectionConfig,
    /// How each per-address pool behaves; `max_size` is per server.
    pub pool: PoolConfig,
    /// The routing context: the URI's query parameters (`neo4j://h?region=eu`
    /// gives `{region: "eu"}`). The connector adds the reserved `address`
    /// entry itself (the initial address, as the official drivers send it),
    /// so it must not be given here.
    pub routing_context: Map,
    /// Maps the initial address to the addresses to try (before DNS).
    pub resolver: Option<Arc<dyn Resolve>>,
    /// Whether router host names are expanded with DNS into IP addresses,
    /// each tried in turn (default true). With TLS, certificates are still
    /// verified against the router's host name, not the IP address.
    pub resolve_dns: bool,
    /// Replaces the system DNS lookup in that expansion (see
    /// [`ConnectorConfig::with_dns_resolver`]).
    pub dns_resolver: Option<Arc<dyn Resolve>>,
    /// How long past its TTL an unused table is kept (default 30 s, as the
    /// official drivers).
    pub routing_table_purge_delay: Duration,
    /// Users whose home database is remembered (default 10 000; 0: none).
    pub home_db_cache_size: usize,
    /// How long a remembered home database is trusted (default: until
    /// replaced or evicted).
    pub home_db_cache_ttl: Option<Duration>,
}

impl fmt::Debug for ConnectorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorConfig")
            .field("connection", &self.connection)
            .field("pool", &self.pool)
            .field("routing_context", &self.routing_context)
            .field("resolver", &self.resolver.is_some())
            .field("resolve_dns", &self.resolve_dns)
            .field("dns_resolver", &self.dns_resolver.is_some())
            .field("routing_table_purge_delay", &self.routing_table_purge_delay)
            .field("home_db_cache_size", &self.home_db_cache_size)
            .field("home_db_cache_ttl", &self.home_db_cache_ttl)
            .finish()
    }
}

impl Default for ConnectorConfig {
    fn default() -> Self {
        ConnectorConfig::new(ConnectionConfig::default())
    }
}

impl ConnectorConfig {
    /// Defaults around these connection settings.
    pub fn new(connection: ConnectionConfig) -> Self {
        ConnectorConfig {
            connection,
            pool: PoolConfig::default(),
            routing_context: Map::new(),
            resolver: None,
            resolve_dns: true,
            dns_resolver: None,
            routing_table_purge_delay: Duration::from_secs(30),
            home_db_cache_size: HomeDbCache::DEFAULT_MAX_SIZE,
            home_db_cache_ttl: None,
        }
    }

    /// Sets the per-address pool settings.
    pub fn with_pool(mut self, pool: PoolConfig) -> Self {
        self.pool = pool;
        self
    }

    /// Sets the routing context (without `address`).
    pub fn with_routing_context(mut self, context: Map) -> Self {
        self.routing_context = context;
        self
    }

    /// Sets the clock connection ages, routing-table TTLs and the
    /// home-database cache are measured with (the pool's clock: one clock
    /// for the whole connector; default the system clock).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.pool.clock = clock;
        self
    }

    /// The clock (see [`ConnectorConfig::with_clock`]).
    pub fn clock(&self) -> &Clock {
        &self.pool.clock
    }

    /// Sets a custom resolver for the initial address.
    pub fn with_resolver(mut self, resolver: impl Resolve) -> Self {
        self.resolver = Some(Arc::new(resolver));
        self
    }

    /// Turns DNS expansion of router host names on or off.
    pub fn with_dns_resolution(mut self, on: bool) -> Self {
        self.resolve_dns = on;
        self
    }

    /// Sets the domain-name resolver used instead of the system's to expand
    /// a router's host name (after the custom resolver, for the initial
    /// address) into the addresses to connect to, each tried in turn. It is
    /// given the router's address, IP addresses included (it may map one IP
    /// to another), and returns addresses, normally IP addresses with the
    /// same port. It is not asked when DNS expansion is off
    /// ([`with_dns_resolution`](Self::with_dns_resolution)).
    pub fn with_dns_resolver(mut self, resolver: impl Resolve) -> Self {
        self.dns_resolver = Some(Arc::new(resolver));
        self
    }

    /// Sets how long past its TTL an unused table is kept.
    pub fn with_routing_table_purge_delay(mut self, delay: Duration) -> Self {
        self.routing_table_purge_delay = delay;
        self
    }

    /// Sets the home-database cache's bound and entry lifetime.
    pub fn with_home_db_cache(mut self, max_size: usize, ttl: Option<Duration>) -> Self {
        self.home_db_cache_size = max_size;
        self.home_db_cache_ttl = ttl;
        self
    }
}
