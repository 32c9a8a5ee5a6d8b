//! What a pool's user changes while it runs (py2neo's `max_size` setter),
//! a connection opened outside the pool (py2neo's `connect`), and a
//! release that resets (py2neo's `release(cx, force_reset=True)`).

use std::sync::atomic::Ordering::Relaxed;

use deadpool::managed::Object;

use super::{Pool, Pooled};
use crate::{Health, ManageConnection, PoolError};

impl<M: ManageConnection> Pool<M> {
    /// The size limit now (the configured `max_size` until
    /// [`set_max_size`](Pool::set_max_size) changes it).
    pub fn max_size(&self) -> usize {
        self.shared.max_size.load(Relaxed)
    }

    /// Changes the size limit while the pool runs. Growing lets waiting
    /// acquisitions open connections at once; shrinking closes idle
    /// connections over the new limit now and connections in use over it
    /// when they are released. `0` refuses every acquisition at once with
    /// [`PoolError::Unavailable`] (with [`prune`](Pool::prune), py2neo's
    /// graceful close), until the limit is raised again.
    pub fn set_max_size(&self, max_size: usize) {
        self.shared.max_size.store(max_size, Relaxed);
        self.inner.resize(max_size);
        tracing::debug!(target: "boltline_pool", max_size, "pool resized");
    }

    /// Opens a connection that does not belong to the pool (py2neo's
    /// `ConnectionPool.connect()`): the manager's own `connect`, bounded by
    /// the acquisition timeout, not counted in the pool's size or figures
    /// and never returned to it; close it with the manager
    /// ([`ManageConnection::close`]) or by dropping it.
    pub async fn connect_unpooled(
        &self,
        ctx: &M::Context,
    ) -> Result<M::Connection, PoolError<M::Error>> {
        let limit = self.shared.config.acquisition_timeout;
        let start = std::time::Instant::now();
        match tokio::time::timeout(limit, Box::pin(self.shared.manager.connect(ctx))).await {
            Ok(Ok(conn)) => Ok(conn),
            Ok(Err(e)) => Err(PoolError::Connect(e)),
            Err(_) => Err(PoolError::Unavailable {
                waited: start.elapsed(),
                in_use: self.in_use(),
                max_size: self.max_size(),
                connecting: true,
            }),
        }
    }
}

impl<M: ManageConnection> Pooled<M> {
    /// Gives the connection back, reset first when `force_reset` even if it
    /// is clean (py2neo's `release(cx, force_reset=True)`; dropping the
    /// guard resets only a dirty connection). A connection whose reset
    /// fails, or does not finish within the acquisition timeout, is closed
    /// rather than returned.
    pub async fn release(mut self, force_reset: bool) {
        if force_reset {
            let shared = self.shared.clone();
            let slot = self.slot_mut();
            if matches!(
                shared.manager.health(slot.conn()),
                Health::Clean | Health::Dirty
            ) {
                let limit = shared.config.acquisition_timeout;
                match tokio::time::timeout(limit, shared.manager.reset(slot.conn())).await {
                    Ok(Ok(())) => slot.fresh = true,
                    Ok(Err(e)) => {
                        tracing::debug!(target: "boltline_pool", error = %e, "reset on release failed, closing");
                        return self.retire();
                    }
                    Err(_) => {
                        tracing::debug!(target: "boltline_pool", ?limit, "reset on release timed out, closing");
                        return self.retire();
                    }
                }
            }
        }
        drop(self);
    }

    /// Ends the lease and closes the connection (its place is freed).
    fn retire(mut self) {
        let Some(obj) = self.obj.take() else {
            return;
        };
        let s = &self.shared;
        s.counters.in_use.fetch_sub(1, Relaxed);
        if let (Some(hook), Some(conn)) = (&s.hooks.on_unbind, &obj.conn) {
            hook(conn);
        }
        drop(Object::take(obj));
    }
}
