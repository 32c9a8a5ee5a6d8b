//! The per-address pools: choosing a server and lending a connection to it,
//! creating pools on demand, py2neo's `add_pools`/`prune`/`in_use`, and
//! closing the pools of servers no table names any more.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use boltline_bolt::{AccessMode, Address};
use boltline_pool::{BoltConnection, BoltManager, Hooks, Pool, PoolError, PoolStats, Pooled};

use crate::connector::{lock, State, TARGET};
use crate::select::least_busy;
use crate::table::Addresses;
use crate::{AcquireOptions, Connector, Result, RoutingError};

/// How often one acquisition may find its chosen server's pool closed under
/// it (the server was removed meanwhile) before giving up.
const MAX_CLOSED_POOL_RETRIES: usize = 8;

impl Connector {
    /// Chooses the least busy server of the table for `mode` and lends a
    /// connection to it; servers that cannot be reached are removed and
    /// the next is tried. The connection is logged in with the
    /// acquisition's credentials (`options.auth`).
    pub(crate) async fn acquire_server(
        &self,
        db: &str,
        mode: AccessMode,
        options: &AcquireOptions,
    ) -> Result<(Address, Pooled<BoltManager>)> {
        let mut closed_pools = 0;
        loop {
            self.ensure_open()?;
            let (address, pool) = {
                let state = self.state();
                let candidates = state
                    .tables
                    .get(db)
                    .map(|t| t.servers_for(mode))
                    .unwrap_or_default();
                let start = self.inner.next.fetch_add(1, Ordering::Relaxed);
                let Some(address) = least_busy(candidates, start, |a| {
                    state.pools.get(a).map_or(0, Pool::in_use)
                }) else {
                    return Err(match mode {
                        AccessMode::Read => RoutingError::NoReaders {
                            database: db.to_owned(),
                        },
                        AccessMode::Write => RoutingError::NoWriters {
                            database: db.to_owned(),
                        },
                    });
                };
                (address.clone(), state.pools.get(address).cloned())
            };
            let pool = match pool {
                Some(p) => p,
                None => self.pool_for(&address).await?,
            };
            match pool.acquire_with(&options.auth).await {
                Ok(conn) => return Ok((address, conn)),
                Err(PoolError::Connect(e)) if e.is_connection_error() => {
                    tracing::info!(target: TARGET, %address, error = %e, "server unreachable");
                    self.deactivate(&address).await;
                }
                Err(PoolError::Closed) if closed_pools < MAX_CLOSED_POOL_RETRIES => {
                    // The server was removed (its pool closed) between the
                    // choice and the acquisition: choose again.
                    closed_pools += 1;
                }
                Err(source) => return Err(RoutingError::Pool { address, source }),
            }
        }
    }

    /// The pool of `address`, created when missing.
    pub(crate) async fn pool_for(&self, address: &Address) -> Result<Pool<BoltManager>> {
        self.pool_for_named(address, None).await
    }

    /// [`Self::pool_for`], with TLS certificates verified against
    /// `tls_name` rather than the address's host: for an IP address that DNS
    /// expansion produced from a router's host name.
    pub(crate) async fn pool_for_named(
        &self,
        address: &Address,
        tls_name: Option<&str>,
    ) -> Result<Pool<BoltManager>> {
        if let Some(p) = self.state().pools.get(address) {
            return Ok(p.clone());
        }
        let mut connection = self.inner.config.connection.clone();
        if let (Some(name), Some(tls)) = (tls_name, &connection.tls) {
            connection.tls = Some(tls.with_server_name(name));
        }
        let manager = BoltManager::new(address.clone(), connection);
        let ssr = self.inner.ssr.clone();
        let server = address.clone();
        let hooks = Hooks::new().on_create(move |c: &BoltConnection| {
            lock(&ssr).insert(server.clone(), c.server_info().ssr_enabled);
        });
        let pool = Pool::with_hooks(manager, self.inner.config.pool.clone(), hooks)
            .await
            .map_err(|source| RoutingError::Pool {
                address: address.clone(),
                source,
            })?;
        let (chosen, spare) = {
            let mut state = self.state();
            if self.is_closed() {
                (None, Some(pool))
            } else if let Some(existing) = state.pools.get(address) {
                // Another task created one meanwhile: keep theirs.
                (Some(existing.clone()), Some(pool))
            } else {
                state.pools.insert(address.clone(), pool.clone());
                (Some(pool), None)
            }
        };
        if let Some(spare) = spare {
            spare.close().await;
        }
        chosen.ok_or(RoutingError::Closed)
    }

    /// Adds pools for these addresses; existing pools are left alone (each
    /// new pool opens `init_size` connections).
    pub async fn add_pools(&self, addresses: impl IntoIterator<Item = Address>) -> Result<()> {
        self.ensure_open()?;
        for a in addresses {
            self.pool_for(&a).await?;
        }
        Ok(())
    }

    /// The pools of the servers that serve `mode` on `database` (`None`:
    /// the home database), as handles (py2neo's `get_pools(graph_name,
    /// readonly)`): the routing table is fetched first unless it is fresh,
    /// and missing pools are created. A handle shares the pool: acquire
    /// from it, read its figures, prune it or resize it
    /// ([`Pool::set_max_size`]).
    pub async fn get_pools(
        &self,
        database: Option<&str>,
        mode: AccessMode,
    ) -> Result<Vec<(Address, Pool<BoltManager>)>> {
        self.ensure_open()?;
        let fresh = database.and_then(|db| {
            let now = self.now();
            self.state()
                .tables
                .get(db)
                .filter(|t| t.is_fresh(mode, now))
                .cloned()
        });
        let table = match fresh {
            Some(t) => t,
            None => {
                let mut options = AcquireOptions::new(mode);
                options.database = database.map(str::to_owned);
                self.fetch_routing_table(&options).await?
            }
        };
        let mut out = Vec::new();
        for address in table.servers_for(mode) {
            out.push((address.clone(), self.pool_for(address).await?));
        }
        Ok(out)
    }

    /// Every pool the connector holds, as handles, per server address.
    pub fn pools(&self) -> BTreeMap<Address, Pool<BoltManager>> {
        self.state()
            .pools
            .iter()
            .map(|(a, p)| (a.clone(), p.clone()))
            .collect()
    }

    /// Closes the idle connections to `address` (connections in use are
    /// left alone; py2neo's `prune(profile)`). Returns how many were
    /// closed.
    pub async fn prune(&self, address: &Address) -> usize {
        let pool = self.state().pools.get(address).cloned();
        match pool {
            Some(p) => p.prune().await,
            None => 0,
        }
    }

    /// Closes every pool: idle connections now, connections in use when
    /// they are returned. Later acquisitions fail with
    /// [`RoutingError::Closed`].
    pub async fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        let pools: Vec<_> = {
            let mut state = self.state();
            state.tables.clear();
            state.pools.drain().map(|(_, p)| p).collect()
        };
        for p in pools {
            p.close().await;
        }
        tracing::debug!(target: TARGET, "connector closed");
    }

    /// Connections in use, per server address with a pool.
    pub fn in_use(&self) -> BTreeMap<Address, usize> {
        self.state()
            .pools
            .iter()
            .map(|(a, p)| (a.clone(), p.in_use()))
            .collect()
    }

    /// Connections in use to one server (0 when it has no pool).
    pub fn in_use_at(&self, address: &Address) -> usize {
        self.state().pools.get(address).map_or(0, Pool::in_use)
    }

    /// Each pool's figures, per server address.
    pub fn pool_stats(&self) -> BTreeMap<Address, PoolStats> {
        self.state()
            .pools
            .iter()
            .map(|(a, p)| (a.clone(), p.stats()))
            .collect()
    }

    /// Closes the pools of servers no table names any more (the initial
    /// address and what it resolved to excepted).
    pub(crate) async fn close_unused_pools(&self) {
        let unused: Vec<(Address, Pool<BoltManager>)> = {
            let mut state = self.state();
            let State {
                tables,
                pools,
                initial_resolved,
                ..
            } = &mut *state;
            let keep = |a: &Address| {
                *a == self.inner.initial
                    || initial_resolved.contains(a)
                    || tables.values().any(|t| t.contains(a))
            };
            let gone: Vec<Address> = pools.keys().filter(|a| !keep(a)).cloned().collect();
            gone.into_iter()
                .filter_map(|a| pools.remove(&a).map(|p| (a, p)))
                .collect()
        };
        if unused.is_empty() {
            return;
        }
        let addresses: Vec<Address> = unused.iter().map(|(a, _)| a.clone()).collect();
        tracing::debug!(target: TARGET, servers = %Addresses(&addresses), "closing pools of servers no longer routed to");
        let mut ssr = Vec::new();
        for (a, p) in unused {
            ssr.push(a);
            p.close().await;
        }
        let mut map = lock(&self.inner.ssr);
        for a in ssr {
            map.remove(&a);
        }
    }
}
