//! The pool: deadpool's slots and semaphore, with our recycling policy.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool::managed::{self, Metrics, Object, RecycleError, RecycleResult};

use crate::metrics::Counters;
use crate::{Health, Hooks, ManageConnection, PoolConfig, PoolError, PoolStats, PrepareError};

mod runtime;

/// State shared by the pool handle, the deadpool manager and the guards.
struct Shared<M: ManageConnection> {
    manager: M,
    config: PoolConfig,
    counters: Arc<Counters>,
    hooks: Hooks<M::Connection>,
    /// The size limit now: `config.max_size` until
    /// [`Pool::set_max_size`] changes it.
    max_size: std::sync::atomic::AtomicUsize,
}

/// Counts a connection as closed when its slot is dropped, whichever path
/// drops it (expired, broken, pruned, returned to a closed pool, …).
struct CloseCounter(Option<Arc<Counters>>);

impl Drop for CloseCounter {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.count_closed();
        }
    }
}

/// A pooled connection with what the pool knows of it.
///
/// deadpool creates a slot empty (it cannot pass an acquisition's context);
/// the acquisition that got it opens its connection with its own context.
/// A slot is lent only filled; an empty one left idle (its acquisition was
/// cancelled) is retired when next recycled.
#[doc(hidden)]
pub struct Slot<C> {
    conn: Option<C>,
    /// When it was opened, on the configured clock (deadpool's own
    /// metrics read the system clock, which a fake clock cannot move).
    created_at: Instant,
    /// When it last came back to the pool, on the configured clock (for the
    /// liveness threshold; deadpool's metrics know when it last left, not
    /// came back).
    idle_since: Instant,
    /// Whether the current lease began with a round trip proving the
    /// connection alive (opened for it, reset, or liveness-checked).
    verified: bool,
    /// Whether the current lease began with a reset (or a new connection):
    /// a forced reset then has nothing left to do.
    fresh: bool,
    close_counter: CloseCounter,
}

impl<C> Slot<C> {
    /// The connection of a lent slot.
    fn conn(&mut self) -> &mut C {
        self.conn.as_mut().expect("a lent slot holds a connection")
    }
}

/// deadpool's view of our manager.
#[doc(hidden)]
pub struct Adapter<M: ManageConnection>(Arc<Shared<M>>);

impl<M: ManageConnection> managed::Manager for Adapter<M> {
    type Type = Slot<M::Connection>;
    type Error = M::Error;

    async fn create(&self) -> Result<Self::Type, M::Error> {
        let now = self.0.config.clock.now();
        Ok(Slot {
            conn: None,
            created_at: now,
            idle_since: now,
            verified: false,
            fresh: false,
            close_counter: CloseCounter(None),
        })
    }

    async fn recycle(&self, slot: &mut Self::Type, _: &Metrics) -> RecycleResult<M::Error> {
        let s = &self.0;
        let clock = &s.config.clock;
        slot.verified = false;
        slot.fresh = false;
        let Some(conn) = &mut slot.conn else {
            return Err(RecycleError::message("no connection was opened"));
        };
        if let Some(max_age) = s.config.max_age {
            let age = clock.elapsed_since(slot.created_at);
            if age >= max_age {
                tracing::debug!(target: "boltline_pool", ?age, "connection past max_age, closing");
                return Err(RecycleError::message("connection older than max_age"));
            }
        }
        let health = s.manager.health(conn);
        match (health, s.config.force_reset) {
            (Health::Broken, _) => {
                s.counters.count_broken();
                if let Some(hook) = &s.hooks.on_broken {
                    hook(conn);
                }
                tracing::debug!(target: "boltline_pool", "idle connection broken, closing");
                Err(RecycleError::message("connection broken"))
            }
            // Closed by its owner: retired, but not a failure.
            (Health::Closed, _) => Err(RecycleError::message("connection closed")),
            (Health::Dirty, _) | (Health::Clean, true) => {
                tracing::trace!(target: "boltline_pool", ?health, "resetting connection");
                s.manager.reset(conn).await.map_err(RecycleError::Backend)?;
                slot.verified = true;
                slot.fresh = true;
                Ok(())
            }
            (Health::Clean, false) => match s.config.liveness_check_after {
                Some(t) if clock.elapsed_since(slot.idle_since) >= t => {
                    tracing::trace!(target: "boltline_pool", idle = ?clock.elapsed_since(slot.idle_since), "liveness check");
                    s.manager
                        .check_alive(conn)
                        .await
                        .map_err(RecycleError::Backend)?;
                    slot.verified = true;
                    Ok(())
                }
                // The common case: no round trip at all.
                _ => Ok(()),
            },
        }
    }
}

/// Counts an acquisition as pending while it lives, publishing the
/// gauges as it starts and ends (also when it is cancelled).
struct Pending<'p, M: ManageConnection>(&'p Pool<M>);

impl<'p, M: ManageConnection> Pending<'p, M> {
    fn new(pool: &'p Pool<M>) -> Self {
        pool.shared.counters.pending.fetch_add(1, Relaxed);
        pool.publish();
        Pending(pool)
    }
}

impl<M: ManageConnection> Drop for Pending<'_, M> {
    fn drop(&mut self) {
        self.0.shared.counters.pending.fetch_sub(1, Relaxed);
        self.0.publish();
    }
}

/// An object deadpool lent for an acquisition still under way (its
/// connection being opened or prepared). Dropped before it is ready (an
/// error, or the acquisition was cancelled), the object leaves the pool
/// and its connection is dropped: a half-prepared connection is never
/// reused.
struct Unready<M: ManageConnection>(Option<Object<Adapter<M>>>);

impl<M: ManageConnection> Unready<M> {
    fn ready(mut self) -> Object<Adapter<M>> {
        self.0
            .take()
            .expect("an unready object is present until ready")
    }
}

impl<M: ManageConnection> Drop for Unready<M> {
    fn drop(&mut self) {
        if let Some(obj) = self.0.take() {
            drop(Object::take(obj));
        }
    }
}

/// An async pool of connections; cheap to clone (clones share the pool).
///
/// `acquire` lends a connection as a [`Pooled`] guard, which returns it
/// when dropped. See the crate docs for the policy.
pub struct Pool<M: ManageConnection> {
    inner: managed::Pool<Adapter<M>>,
    shared: Arc<Shared<M>>,
}

impl<M: ManageConnection> Clone for Pool<M> {
    fn clone(&self) -> Self {
        Pool {
            inner: self.inner.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<M: ManageConnection> fmt::Debug for Pool<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("config", &self.shared.config)
            .field("stats", &self.stats())
            .finish()
    }
}

impl<M: ManageConnection> Pool<M> {
    /// A pool with no hooks. Opens `init_size` connections before returning.
    pub async fn new(manager: M, config: PoolConfig) -> Result<Self, PoolError<M::Error>> {
        Self::with_hooks(manager, config, Hooks::default()).await
    }

    /// A pool with hooks. Opens `init_size` connections before returning.
    pub async fn with_hooks(
        manager: M,
        config: PoolConfig,
        hooks: Hooks<M::Connection>,
    ) -> Result<Self, PoolError<M::Error>> {
        let pool = Self::new_lazy(manager, config, hooks)?;
        pool.seed().await?;
        Ok(pool)
    }

    /// A pool that opens no connection until the first `acquire`, whatever
    /// `init_size` says: for building a pool outside async code.
    pub fn new_lazy(
        manager: M,
        config: PoolConfig,
        hooks: Hooks<M::Connection>,
    ) -> Result<Self, PoolError<M::Error>> {
        if config.max_size == 0 {
            return Err(PoolError::Config("max_size must be at least 1".into()));
        }
        if config.init_size > config.max_size {
            return Err(PoolError::Config(format!(
                "init_size {} is larger than max_size {}",
                config.init_size, config.max_size
            )));
        }
        let counters = Arc::new(Counters::new(manager.pool_name()));
        let shared = Arc::new(Shared {
            manager,
            max_size: config.max_size.into(),
            config,
            counters,
            hooks,
        });
        let inner = managed::Pool::builder(Adapter(shared.clone()))
            .max_size(shared.config.max_size)
            .build()
            .map_err(|e| PoolError::Config(e.to_string()))?;
        Ok(Pool { inner, shared })
    }

    /// Opens `init_size` connections and puts them in the pool.
    async fn seed(&self) -> Result<(), PoolError<M::Error>> {
        let mut held = Vec::with_capacity(self.shared.config.init_size);
        for _ in 0..self.shared.config.init_size {
            held.push(self.acquire().await?);
        }
        Ok(())
    }

    /// The configuration.
    pub fn config(&self) -> &PoolConfig {
        &self.shared.config
    }

    /// The connection manager.
    pub fn manager(&self) -> &M {
        &self.shared.manager
    }

    /// Lends a connection: an idle one (reset first if dirty, checked first
    /// if idle past the liveness threshold), or a new one while the pool is
    /// under `max_size`, or the first one released, waiting up to the
    /// acquisition timeout.
    ///
    /// Cancel-safe: dropping the future never leaks a place in the pool,
    /// and a connection whose reset or check was interrupted is closed,
    /// not reused.
    ///
    /// New and idle connections are prepared with the manager's default
    /// context; see [`Pool::acquire_with`].
    pub async fn acquire(&self) -> Result<Pooled<M>, PoolError<M::Error>> {
        self.acquire_with(&M::Context::default()).await
    }

    /// [`Pool::acquire`] for an acquisition that needs `ctx` (for Bolt: the
    /// credentials): a new connection is opened with it, an idle one is
    /// prepared with it ([`ManageConnection::prepare`]). A refusal
    /// ([`PrepareError::Refused`]) fails the acquisition with
    /// [`PoolError::Connect`].
    pub async fn acquire_with(&self, ctx: &M::Context) -> Result<Pooled<M>, PoolError<M::Error>> {
        self.acquire_with_reset(ctx, false).await
    }

    /// [`Pool::acquire_with`], resetting the connection first when
    /// `force_reset` even if it is clean (py2neo's
    /// `acquire(force_reset=True)`; [`PoolConfig::force_reset`] does it
    /// for every acquisition). A new connection, or one the pool just
    /// reset, is not reset again; one whose reset fails is closed and the
    /// next is tried.
    pub async fn acquire_with_reset(
        &self,
        ctx: &M::Context,
        force_reset: bool,
    ) -> Result<Pooled<M>, PoolError<M::Error>> {
        let timeout = self.shared.config.acquisition_timeout;
        let start = Instant::now();
        let counters = &self.shared.counters;
        let max_size = self.max_size();
        if max_size == 0 {
            // py2neo: a pool sized to zero refuses at once (a graceful
            // close is `set_max_size(0)` then `prune`).
            counters.count_timed_out();
            return Err(PoolError::Unavailable {
                waited: Duration::ZERO,
                in_use: counters.in_use.load(Relaxed),
                max_size,
                connecting: false,
            });
        }
        let pending = Pending::new(self);
        // Boxed: opening a connection (handshake, TLS, HELLO) is a deep
        // future, and callers nest acquisitions inside theirs.
        let got = tokio::time::timeout(timeout, Box::pin(self.lend(ctx, force_reset))).await;
        let waited = start.elapsed();
        match got {
            Ok(Ok(obj)) => {
                counters.in_use.fetch_add(1, Relaxed);
                counters.record_wait(waited);
                if let (Some(hook), Some(conn)) = (&self.shared.hooks.on_bind, &obj.conn) {
                    hook(conn);
                }
                drop(pending);
                Ok(Pooled {
                    obj: Some(obj),
                    shared: self.shared.clone(),
                })
            }
            Ok(Err(managed::PoolError::Backend(e))) => {
                tracing::debug!(target: "boltline_pool", error = %e, "opening a connection failed");
                Err(PoolError::Connect(e))
            }
            Ok(Err(managed::PoolError::Closed)) => Err(PoolError::Closed),
            Ok(Err(other)) => Err(PoolError::Config(other.to_string())),
            Err(_elapsed) => {
                counters.count_timed_out();
                let in_use = counters.in_use.load(Relaxed);
                let max_size = self.max_size();
                tracing::debug!(target: "boltline_pool", ?waited, in_use, max_size, "acquisition timed out");
                Err(PoolError::Unavailable {
                    waited,
                    in_use,
                    max_size,
                    connecting: in_use < max_size,
                })
            }
        }
    }

    /// Gets an object from deadpool and makes it ready for `ctx`: opens its
    /// connection if it is new, prepares it if it was idle (retiring
    /// connections that cannot serve `ctx` and trying the next).
    async fn lend(
        &self,
        ctx: &M::Context,
        force_reset: bool,
    ) -> Result<Object<Adapter<M>>, managed::PoolError<M::Error>> {
        let s = &self.shared;
        loop {
            let mut obj = Unready(Some(self.inner.get().await?));
            let slot: &mut Slot<M::Connection> = obj.0.as_mut().expect("present until ready");
            match &mut slot.conn {
                None => {
                    let connecting = Instant::now();
                    let conn = s
                        .manager
                        .connect(ctx)
                        .await
                        .map_err(managed::PoolError::Backend)?;
                    s.counters.export.connect_took(connecting.elapsed());
                    s.counters.count_created();
                    tracing::debug!(target: "boltline_pool", "connection opened");
                    if let Some(hook) = &s.hooks.on_create {
                        hook(&conn);
                    }
                    let now = s.config.clock.now();
                    slot.conn = Some(conn);
                    slot.created_at = now;
                    slot.idle_since = now;
                    slot.verified = true;
                    slot.fresh = true;
                    slot.close_counter = CloseCounter(Some(s.counters.clone()));
                    return Ok(obj.ready());
                }
                Some(conn) if force_reset && !slot.fresh => {
                    tracing::trace!(target: "boltline_pool", "forced reset on acquisition");
                    match s.manager.reset(conn).await {
                        Ok(()) => {
                            slot.verified = true;
                            slot.fresh = true;
                        }
                        Err(e) => {
                            tracing::debug!(target: "boltline_pool", error = %e, "forced reset failed, closing");
                            continue;
                        }
                    }
                    match s.manager.prepare(conn, ctx).await {
                        Ok(()) => return Ok(obj.ready()),
                        Err(PrepareError::Retire(e)) => {
                            tracing::debug!(target: "boltline_pool", error = %e, "idle connection cannot serve this acquisition, closing");
                        }
                        Err(PrepareError::Refused(e)) => {
                            return Err(managed::PoolError::Backend(e))
                        }
                    }
                }
                Some(conn) => match s.manager.prepare(conn, ctx).await {
                    Ok(()) => return Ok(obj.ready()),
                    Err(PrepareError::Retire(e)) => {
                        tracing::debug!(target: "boltline_pool", error = %e, "idle connection cannot serve this acquisition, closing");
                    }
                    Err(PrepareError::Refused(e)) => return Err(managed::PoolError::Backend(e)),
                },
            }
        }
    }

    /// Publishes the gauges (feature `metrics`; nothing otherwise).
    fn publish(&self) {
        #[cfg(feature = "metrics")]
        self.shared
            .counters
            .publish(self.inner.status().size, self.max_size());
    }

    /// Current figures.
    pub fn stats(&self) -> PoolStats {
        let status = self.inner.status();
        let mut stats = PoolStats {
            size: status.size,
            max_size: self.max_size(),
            waiting: status.waiting,
            ..PoolStats::default()
        };
        self.shared.counters.fill(&mut stats);
        stats.idle = stats.size.saturating_sub(stats.in_use);
        stats
    }

    /// Connections lent out.
    pub fn in_use(&self) -> usize {
        self.shared.counters.in_use.load(Relaxed)
    }

    /// Connections open and idle.
    pub fn idle(&self) -> usize {
        self.stats().idle
    }

    /// Connections open (in use and idle).
    pub fn size(&self) -> usize {
        self.inner.status().size
    }

    /// Closes every idle connection; connections in use are not affected.
    /// Returns how many were closed.
    pub async fn prune(&self) -> usize {
        let removed = self.inner.retain(|_, _| false).removed;
        let n = removed.len();
        for conn in removed.into_iter().filter_map(|slot| slot.conn) {
            self.shared.manager.close(conn).await;
        }
        if n > 0 {
            tracing::debug!(target: "boltline_pool", closed = n, "pruned idle connections");
        }
        n
    }

    /// Deactivates the server's connections after a failure that says the
    /// server went away (an I/O error, a closed connection, an unavailable
    /// database): closes every idle connection at once, without `GOODBYE`
    /// (the server is presumed gone, so nothing is awaited), so the next
    /// acquisition opens a fresh connection instead of trying each stale
    /// one in turn. Connections in use are left to their users; those that
    /// broke are closed when released. Returns how many were closed.
    pub fn deactivate(&self) -> usize {
        let removed = self.inner.retain(|_, _| false).removed;
        let n = removed.len();
        // Dropping a slot drops its socket and counts it closed.
        drop(removed);
        if n > 0 {
            tracing::debug!(target: "boltline_pool", closed = n, "server deactivated: idle connections closed");
        }
        n
    }

    /// Closes idle connections older than `max_age` or idle longer than
    /// `idle_for`, leaving the rest.
    pub async fn prune_idle_longer_than(&self, idle_for: Duration) -> usize {
        let max_age = self.shared.config.max_age;
        let clock = &self.shared.config.clock;
        let removed = self
            .inner
            .retain(|slot, _| {
                clock.elapsed_since(slot.idle_since) < idle_for
                    && max_age.is_none_or(|m| clock.elapsed_since(slot.created_at) < m)
            })
            .removed;
        let n = removed.len();
        for conn in removed.into_iter().filter_map(|slot| slot.conn) {
            self.shared.manager.close(conn).await;
        }
        n
    }

    /// Closes the pool: idle connections now, connections in use when they
    /// are released; further `acquire` calls fail with [`PoolError::Closed`].
    pub async fn close(&self) {
        let removed = self.inner.retain(|_, _| false).removed;
        self.inner.close();
        for conn in removed.into_iter().filter_map(|slot| slot.conn) {
            self.shared.manager.close(conn).await;
        }
        tracing::debug!(target: "boltline_pool", "pool closed");
    }

    /// Whether [`Pool::close`] has been called.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

/// A connection lent by a [`Pool`]; dereferences to the connection and
/// goes back to the pool when dropped.
///
/// On release a broken connection is closed and its place freed at once; a
/// dirty one is reset at once on a spawned task (or, outside a tokio
/// runtime, when next acquired); a connection released after the pool
/// closed is closed.
#[must_use = "dropping the guard returns the connection at once"]
pub struct Pooled<M: ManageConnection> {
    obj: Option<Object<Adapter<M>>>,
    shared: Arc<Shared<M>>,
}

impl<M: ManageConnection> Pooled<M> {
    fn slot(&self) -> &Slot<M::Connection> {
        // Invariant: `obj` is `Some` until `drop` or `detach` takes it.
        self.obj
            .as_ref()
            .expect("pooled connection present until dropped")
    }

    fn slot_mut(&mut self) -> &mut Slot<M::Connection> {
        self.obj
            .as_mut()
            .expect("pooled connection present until dropped")
    }

    /// How long ago the connection was opened (on the pool's clock).
    pub fn age(&self) -> Duration {
        self.obj
            .as_ref()
            .map(|o| self.shared.config.clock.elapsed_since(o.created_at))
            .unwrap_or_default()
    }

    /// Whether this lease began with a round trip that proved the connection
    /// alive: it was opened for it, or the pool reset or liveness-checked
    /// it. `false` for a clean idle connection lent as is (no round trip
    /// since it was last used); see [`Pooled::ensure_alive`].
    pub fn is_verified(&self) -> bool {
        self.obj.as_ref().is_some_and(|o| o.verified)
    }

    /// Proves the connection alive with the manager's liveness check (for
    /// Bolt: one `RESET`) unless this lease already began with a round trip
    /// ([`Pooled::is_verified`]): for callers that must know the server
    /// answers now, such as a connectivity check.
    pub async fn ensure_alive(&mut self) -> Result<(), M::Error> {
        if self.is_verified() {
            return Ok(());
        }
        let shared = self.shared.clone();
        let slot = self.slot_mut();
        shared.manager.check_alive(slot.conn()).await?;
        slot.verified = true;
        Ok(())
    }

    /// Takes the connection out of the pool for good, freeing its place.
    pub fn detach(mut self) -> M::Connection {
        let obj = self
            .obj
            .take()
            .expect("pooled connection present until dropped");
        self.shared.counters.in_use.fetch_sub(1, Relaxed);
        let Slot {
            conn,
            mut close_counter,
            ..
        } = Object::take(obj);
        // A detached connection is not closed by the pool.
        close_counter.0 = None;
        conn.expect("a lent slot holds a connection")
    }
}

impl<M: ManageConnection> Deref for Pooled<M> {
    type Target = M::Connection;
    fn deref(&self) -> &M::Connection {
        self.slot()
            .conn
            .as_ref()
            .expect("a lent slot holds a connection")
    }
}

impl<M: ManageConnection> DerefMut for Pooled<M> {
    fn deref_mut(&mut self) -> &mut M::Connection {
        self.slot_mut().conn()
    }
}

impl<M: ManageConnection> fmt::Debug for Pooled<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pooled")
            .field("age", &self.age())
            .finish_non_exhaustive()
    }
}

impl<M: ManageConnection> Drop for Pooled<M> {
    fn drop(&mut self) {
        let Some(mut obj) = self.obj.take() else {
            return;
        };
        let s = &self.shared;
        s.counters.in_use.fetch_sub(1, Relaxed);
        let Some(conn) = &obj.conn else {
            // Cannot happen: lent slots are filled.
            drop(Object::take(obj));
            return;
        };
        if let Some(hook) = &s.hooks.on_unbind {
            hook(conn);
        }
        let health = s.manager.health(conn);
        if health == Health::Closed {
            tracing::debug!(target: "boltline_pool", "released connection was closed by its user");
            drop(Object::take(obj));
            return;
        }
        #[cfg(feature = "metrics")]
        if let Some(pool) = Object::pool(&obj) {
            s.counters
                .publish(pool.status().size, s.max_size.load(Relaxed));
        }
        if health == Health::Broken {
            s.counters.count_broken();
            if let Some(hook) = &s.hooks.on_broken {
                hook(conn);
            }
            tracing::debug!(target: "boltline_pool", "released connection is broken, closing it");
            // Frees the place now rather than at the next acquisition.
            drop(Object::take(obj));
            return;
        }
        if let Some(hook) = &s.hooks.on_release {
            hook(conn);
        }
        let closed = Object::pool(&obj).is_none_or(|p| p.is_closed());
        if closed {
            // Say goodbye politely when a runtime is at hand; a plain drop
            // closes the socket otherwise.
            let slot = Object::take(obj);
            if let (Ok(rt), Some(conn)) = (tokio::runtime::Handle::try_current(), slot.conn) {
                let shared = s.clone();
                rt.spawn(async move { shared.manager.close(conn).await });
            }
            return;
        }
        if health == Health::Dirty {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                // Reset now rather than at the next acquisition: an
                // abandoned transaction holds its locks on the server until
                // then, and a quiet pool may not lend this connection again
                // for a long time. The object stays checked out meanwhile;
                // if the reset fails or the runtime goes away, the
                // connection is dropped or reset at acquisition as before.
                let shared = s.clone();
                rt.spawn(async move {
                    let mut obj = obj;
                    // Bounded like an acquisition: a server that never
                    // answers must not hold this place in the pool forever.
                    let limit = shared.config.acquisition_timeout;
                    match tokio::time::timeout(limit, shared.manager.reset(obj.conn())).await {
                        Ok(Ok(())) if Object::pool(&obj).is_none_or(|p| p.is_closed()) => {
                            // The pool closed meanwhile: say goodbye rather
                            // than let it drop the connection.
                            if let Some(conn) = Object::take(obj).conn {
                                shared.manager.close(conn).await;
                            }
                        }
                        Ok(Ok(())) => obj.idle_since = shared.config.clock.now(),
                        Ok(Err(e)) => {
                            tracing::debug!(target: "boltline_pool", error = %e, "reset after release failed, closing");
                            drop(Object::take(obj));
                        }
                        Err(_) => {
                            tracing::debug!(target: "boltline_pool", ?limit, "reset after release timed out, closing");
                            drop(Object::take(obj));
                        }
                    }
                });
                return;
            }
        }
        obj.idle_since = s.config.clock.now();
        // Dropping the object hands it back to deadpool's idle queue.
    }
}
