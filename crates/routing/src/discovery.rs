//! Discovery: fetching a routing table with `ROUTE` from the first router
//! that gives a usable one.
//!
//! The order is the official drivers': the routers of the current table,
//! then the initial address (resolved again: custom resolver, then DNS).
//! When the current table had no writer when fetched, or there is none yet,
//! the initial address goes first. A router that fails is removed from
//! every table. A reply without routers or without readers counts as a
//! failure of that router. Failures that another router would repeat
//! (database not found, credentials, bookmarks) stop discovery at once.

use std::io;

use boltline_bolt::{Address, RouteOptions, ServerError, ServerErrorKind};
use boltline_pool::PoolError;

use crate::connector::TARGET;
use crate::resolver::{is_ip, resolve_dns};
use crate::table::Addresses;
use crate::telemetry;
use crate::{
    AcquireOptions, BoltError, Connector, DiscoveryAttempt, DiscoveryFailure, HomeDbKey, Result,
    RoutingError, RoutingTable,
};

/// Whether a server failure during discovery ends it (see
/// [`ServerErrorKind::is_fatal_during_discovery`]).
pub(crate) fn is_fatal_during_discovery(e: &ServerError) -> bool {
    e.kind.is_fatal_during_discovery()
}

/// The outcome of asking one address.
type Fetched = std::result::Result<RoutingTable, DiscoveryFailure>;

impl Connector {
    /// Discovers the table of `requested` (`None`: the home database of
    /// `options`' user), starting from the routers of the table held under
    /// `known`; stores it and, for the home database, caches its name for
    /// `home_key`. Returns the name it is stored under (`requested`, or
    /// the home database's name) and the table. The caller holds the
    /// refresh lock.
    pub(crate) async fn refresh(
        &self,
        requested: Option<&str>,
        known: Option<&str>,
        home_key: Option<&HomeDbKey>,
        options: &AcquireOptions,
    ) -> Result<(String, RoutingTable)> {
        self.ensure_open()?;
        let known_table = known.and_then(|k| self.state().tables.get(k).cloned());
        let discovered = self
            .discover(requested, known_table.as_ref(), options)
            .await;
        telemetry::refreshed(requested, discovered.is_ok());
        let table = match discovered {
            Ok(t) => t,
            Err(e) => {
                if let (RoutingError::DatabaseNotFound { .. }, Some(db)) = (&e, requested) {
                    let mut state = self.state();
                    state.tables.remove(db);
                    state.home_db.remove_database(db);
                }
                return Err(e);
            }
        };
        let name = requested.unwrap_or(table.database()).to_owned();
        tracing::debug!(
            target: TARGET,
            database = %name,
            routers = %Addresses(table.routers()),
            readers = %Addresses(table.readers()),
            writers = %Addresses(table.writers()),
            ttl = ?table.ttl(),
            "routing table updated"
        );
        {
            let mut state = self.state();
            self.ensure_open()?;
            match home_key {
                // The server did not name the home database: nothing to
                // remember, and an earlier name may no longer hold.
                Some(key) if table.is_unnamed() => state.home_db.remove(key),
                Some(key) => state
                    .home_db
                    .insert(key.clone(), table.database(), self.now()),
                None => {}
            }
            state.tables.insert(name.clone(), table.clone());
        }
        self.close_unused_pools().await;
        self.drop_idle_refresh_locks();
        Ok((name, table))
    }

    async fn discover(
        &self,
        requested: Option<&str>,
        known: Option<&RoutingTable>,
        options: &AcquireOptions,
    ) -> Result<RoutingTable> {
        let mut attempts = Vec::new();
        let (routers, prefer_initial) = match known {
            Some(t) => (t.routers().to_vec(), t.initialized_without_writers()),
            None => (Vec::new(), true),
        };
        let initial = &self.inner.initial;
        if prefer_initial {
            if let Some(t) = self.ask_initial(requested, options, &mut attempts).await? {
                return Ok(t);
            }
        }
        for router in routers.iter().filter(|r| *r != initial) {
            if let Some(t) = self
                .ask_router(router, requested, options, &mut attempts)
                .await?
            {
                return Ok(t);
            }
        }
        if !prefer_initial {
            if let Some(t) = self.ask_initial(requested, options, &mut attempts).await? {
                return Ok(t);
            }
        }
        let error = RoutingError::NoRouterReachable {
            database: requested.map(str::to_owned),
            attempts,
        };
        tracing::warn!(target: TARGET, %error, "discovery failed");
        Err(error)
    }

    /// Asks the initial address, resolved again.
    async fn ask_initial(
        &self,
        requested: Option<&str>,
        options: &AcquireOptions,
        attempts: &mut Vec<DiscoveryAttempt>,
    ) -> Result<Option<RoutingTable>> {
        let initial = self.inner.initial.clone();
        let custom = match &self.inner.config.resolver {
            None => vec![initial.clone()],
            Some(resolver) => match resolver.resolve(&initial).await {
                Ok(list) if !list.is_empty() => list,
                result => {
                    let e = result.err().unwrap_or_else(|| {
                        io::Error::new(io::ErrorKind::NotFound, "the resolver returned no address")
                    });
                    attempts.push(DiscoveryAttempt {
                        router: initial.clone(),
                        address: initial,
                        failure: DiscoveryFailure::Resolve(e),
                    });
                    return Ok(None);
                }
            },
        };
        let mut resolved: Vec<Address> = Vec::new();
        for a in custom {
            match self.expand(&a).await {
                Ok(list) => {
                    for r in list {
                        if !resolved.contains(&r) {
                            resolved.push(r);
                        }
                    }
                }
                Err(e) => attempts.push(DiscoveryAttempt {
                    router: initial.clone(),
                    address: a,
                    failure: DiscoveryFailure::Resolve(e),
                }),
            }
        }
        self.state().initial_resolved = resolved.clone();
        for address in &resolved {
            if let Some(t) = self
                .try_address(&initial, address, requested, options, attempts)
                .await?
            {
                return Ok(Some(t));
            }
        }
        self.deactivate(&initial).await;
        Ok(None)
    }

    /// Asks a router of the current table (each of its DNS addresses).
    async fn ask_router(
        &self,
        router: &Address,
        requested: Option<&str>,
        options: &AcquireOptions,
        attempts: &mut Vec<DiscoveryAttempt>,
    ) -> Result<Option<RoutingTable>> {
        match self.expand(router).await {
            Ok(addresses) => {
                for address in &addresses {
                    if let Some(t) = self
                        .try_address(router, address, requested, options, attempts)
                        .await?
                    {
                        return Ok(Some(t));
                    }
                }
            }
            Err(e) => attempts.push(DiscoveryAttempt {
                router: router.clone(),
                address: router.clone(),
                failure: DiscoveryFailure::Resolve(e),
            }),
        }
        self.deactivate(router).await;
        Ok(None)
    }

    /// DNS expansion, where it applies (see `ConnectorConfig::resolve_dns`),
    /// with the configured domain-name resolver (asked about every host, IP
    /// addresses included, as the official drivers' hook is) or the
    /// system's (not needed for IP addresses).
    async fn expand(&self, address: &Address) -> io::Result<Vec<Address>> {
        let config = &self.inner.config;
        if !config.resolve_dns {
            return Ok(vec![address.clone()]);
        }
        let Some(resolver) = &config.dns_resolver else {
            if is_ip(address) {
                return Ok(vec![address.clone()]);
            }
            return resolve_dns(address).await;
        };
        let mut out: Vec<Address> = Vec::new();
        for a in resolver.resolve(address).await? {
            if !out.contains(&a) {
                out.push(a);
            }
        }
        if out.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("the domain-name resolver resolved {address} to no address"),
            ));
        }
        Ok(out)
    }

    async fn try_address(
        &self,
        router: &Address,
        address: &Address,
        requested: Option<&str>,
        options: &AcquireOptions,
        attempts: &mut Vec<DiscoveryAttempt>,
    ) -> Result<Option<RoutingTable>> {
        // An address DNS expansion produced keeps the router's host name for
        // TLS verification.
        let tls_name = (address != router).then(|| router.host());
        match self.fetch(address, tls_name, requested, options).await? {
            Ok(table) => Ok(Some(table)),
            Err(failure) => {
                tracing::debug!(target: TARGET, %address, %router, %failure, "no routing table from this router");
                if address != router {
                    // Its pool is not one a table would keep.
                    self.deactivate(address).await;
                }
                attempts.push(DiscoveryAttempt {
                    router: router.clone(),
                    address: address.clone(),
                    failure,
                });
                Ok(None)
            }
        }
    }

    /// One `ROUTE` to one address. The outer error ends discovery; the
    /// inner one moves it on to the next address.
    async fn fetch(
        &self,
        address: &Address,
        tls_name: Option<&str>,
        requested: Option<&str>,
        options: &AcquireOptions,
    ) -> Result<Fetched> {
        let span = telemetry::route_span(address, requested);
        let r = tracing::Instrument::instrument(
            self.fetch_observed(address, tls_name, requested, options),
            span.clone(),
        )
        .await;
        telemetry::route_outcome(&span, &r);
        r
    }

    /// [`fetch`](Connector::fetch) inside its span.
    async fn fetch_observed(
        &self,
        address: &Address,
        tls_name: Option<&str>,
        requested: Option<&str>,
        options: &AcquireOptions,
    ) -> Result<Fetched> {
        let pool = match self.pool_for_named(address, tls_name).await {
            Ok(p) => p,
            Err(RoutingError::Pool { source, .. }) => {
                return Ok(Err(DiscoveryFailure::Connect(source)))
            }
            Err(e) => return Err(e),
        };
        let mut conn = match pool.acquire_with(&options.auth).await {
            Ok(c) => c,
            Err(PoolError::Connect(e)) => {
                if let Some(se) = e.server_error().filter(|se| is_fatal_during_discovery(se)) {
                    return Err(fatal(address, requested, se.clone()));
                }
                return Ok(Err(DiscoveryFailure::Connect(PoolError::Connect(e))));
            }
            Err(e) => return Ok(Err(DiscoveryFailure::Connect(e))),
        };
        let route = RouteOptions {
            routing_context: None,
            bookmarks: options.bookmarks.clone(),
            db: requested.map(str::to_owned),
            imp_user: options.imp_user.clone(),
        };
        let reply = conn.route(&route).await;
        drop(conn);
        let reply = match reply {
            Ok(r) => r,
            Err(BoltError::Server(se)) if is_fatal_during_discovery(&se) => {
                return Err(fatal(address, requested, *se))
            }
            Err(e) => return Ok(Err(DiscoveryFailure::Route(e))),
        };
        let table = match RoutingTable::from_route_reply(&reply, requested, self.now()) {
            Ok(t) => t,
            Err(RoutingError::InvalidRoutingTable(reason)) => {
                return Ok(Err(DiscoveryFailure::InvalidTable(reason)))
            }
            Err(other) => return Ok(Err(DiscoveryFailure::InvalidTable(other.to_string()))),
        };
        Ok(if table.routers().is_empty() {
            Err(DiscoveryFailure::NoRouters)
        } else if table.readers().is_empty() {
            Err(DiscoveryFailure::NoReaders)
        } else {
            Ok(table)
        })
    }
}

/// The error that ends discovery for a fatal server failure.
fn fatal(address: &Address, requested: Option<&str>, e: ServerError) -> RoutingError {
    if e.kind == ServerErrorKind::DatabaseNotFound {
        RoutingError::DatabaseNotFound {
            database: requested.map(str::to_owned),
            source: Box::new(e),
        }
    } else {
        RoutingError::DiscoveryRefused {
            router: address.clone(),
            source: Box::new(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fatal_codes() {
        let f = |code: &str| is_fatal_during_discovery(&ServerError::new(code, "m"));
        assert!(f("Neo.ClientError.Database.DatabaseNotFound"));
        assert!(f("Neo.ClientError.Security.Unauthorized"));
        assert!(f("Neo.ClientError.Transaction.InvalidBookmark"));
        assert!(f("Neo.ClientError.Request.Invalid"));
        assert!(!f("Neo.ClientError.Security.AuthorizationExpired"));
        assert!(!f("Neo.TransientError.General.DatabaseUnavailable"));
        assert!(!f("Neo.ClientError.Cluster.NotALeader"));
        assert!(!f("Neo.DatabaseError.General.UnknownError"));
    }

    #[test]
    fn fatal_errors_name_what_failed() {
        let a = Address::new("r", 1);
        let e = fatal(
            &a,
            Some("movies"),
            ServerError::new("Neo.ClientError.Database.DatabaseNotFound", "gone"),
        );
        assert!(
            matches!(e, RoutingError::DatabaseNotFound { database: Some(ref d), .. } if d == "movies")
        );
        let e = fatal(
            &a,
            None,
            ServerError::new("Neo.ClientError.Security.Forbidden", "no"),
        );
        assert!(matches!(e, RoutingError::DiscoveryRefused { ref router, .. } if *router == a));
    }
}
