//! Where connections come from: one pool for a `bolt://` URI, the routing
//! connector (a pool per cluster member) for `neo4j://`.

use std::collections::HashMap;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

use boltline_bolt::{AccessMode, Address, AuthToken};
use boltline_pool::{BoltConnection, BoltManager, Pool, Pooled};
use boltline_routing::{AcquireOptions, Connector, RoutedConnection};

use crate::{BoltError, Result};

/// What a session asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct AcquireRequest {
    pub(crate) database: Option<String>,
    pub(crate) mode: AccessMode,
    pub(crate) bookmarks: Vec<String>,
    pub(crate) imp_user: Option<String>,
    /// Credentials of the session, when they differ from the driver's.
    pub(crate) auth: Option<AuthToken>,
}

/// The connection source.
pub(crate) enum Provider {
    Direct(Pool<BoltManager>),
    Routing(Connector),
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provider::Direct(p) => f.debug_tuple("Direct").field(&p.stats()).finish(),
            Provider::Routing(c) => f.debug_tuple("Routing").field(c.initial_address()).finish(),
        }
    }
}

/// A borrowed connection; back to its pool when dropped.
pub(crate) enum Lease {
    Direct(Pooled<BoltManager>, Address),
    Routed(RoutedConnection),
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("address", self.address())
            .field("connection", &**self)
            .finish()
    }
}

impl Deref for Lease {
    type Target = BoltConnection;
    fn deref(&self) -> &BoltConnection {
        match self {
            Lease::Direct(p, _) => p,
            Lease::Routed(r) => r,
        }
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut BoltConnection {
        match self {
            Lease::Direct(p, _) => p,
            Lease::Routed(r) => r,
        }
    }
}

impl Lease {
    /// The server.
    pub(crate) fn address(&self) -> &Address {
        match self {
            Lease::Direct(_, a) => a,
            Lease::Routed(r) => r.address(),
        }
    }

    /// The database to name in `BEGIN`/`RUN`, when the routing layer
    /// resolved the home database to a name (not a cached guess).
    pub(crate) fn resolved_database(&self) -> Option<&str> {
        match self {
            Lease::Direct(..) => None,
            Lease::Routed(r) if r.is_home_database() && r.database_is_guess() => None,
            // The server did not name the home database.
            Lease::Routed(r) if r.database().is_empty() => None,
            Lease::Routed(r) => Some(r.database()),
        }
    }

    /// The name of the routing table the connection was chosen from (for
    /// error reports to the routing layer); empty for a direct connection.
    pub(crate) fn routing_database(&self) -> &str {
        match self {
            Lease::Direct(..) => "",
            Lease::Routed(r) => r.database(),
        }
    }
}

impl Lease {
    /// Closes the connection at once (no `GOODBYE`, no reset): work in
    /// flight dies with it, and its place in the pool is freed.
    pub(crate) fn kill(self) {
        let conn = match self {
            Lease::Direct(p, _) => p.detach(),
            Lease::Routed(r) => r.into_pooled().detach(),
        };
        // Dropping the connection drops its socket.
        drop(conn);
    }
}

impl Provider {
    /// Lends a connection for the request, re-authenticated with the
    /// session's credentials if it has its own.
    pub(crate) async fn acquire(
        &self,
        request: &AcquireRequest,
        auths: &AuthTracker,
    ) -> Result<Lease> {
        let mut lease = match self {
            Provider::Direct(pool) => {
                let conn = pool.acquire().await?;
                Lease::Direct(conn, pool.manager().address().clone())
            }
            Provider::Routing(connector) => {
                let mut options = AcquireOptions::new(request.mode);
                options.database = request.database.clone();
                options.bookmarks = request.bookmarks.clone();
                options.imp_user = request.imp_user.clone();
                if let Some(user) = request.auth.as_ref().and_then(AuthToken::principal) {
                    options.session_user = Some(user.to_owned());
                }
                Lease::Routed(connector.acquire_with(&options).await?)
            }
        };
        auths.ensure(&mut lease, request.auth.as_ref()).await?;
        Ok(lease)
    }

    /// Tells the routing layer about an error on a connection, so a dead
    /// server or a demoted leader is not chosen again.
    pub(crate) async fn on_error(&self, address: &Address, database: &str, error: &BoltError) {
        if let Provider::Routing(c) = self {
            c.on_error(address, database, error).await;
        }
    }

    /// Reports the database a server named in a reply on a connection
    /// acquired for the home database, so the routing layer caches it
    /// (servers routing server-side rely on that cache).
    pub(crate) fn home_database_seen(&self, lease: &Lease, database: &str) {
        if let (Provider::Routing(c), Lease::Routed(r)) = (self, lease) {
            c.home_database_seen(r, database);
        }
    }

    /// Closes every pooled connection.
    pub(crate) async fn close(&self) {
        match self {
            Provider::Direct(p) => p.close().await,
            Provider::Routing(c) => c.close().await,
        }
    }
}

/// Which pooled connections are logged in with a session's credentials
/// instead of the driver's. A session with its own auth re-authenticates
/// its connection (`LOGOFF`/`LOGON`); the next user of that connection
/// switches it back. Keyed by the connection's process-unique id.
pub(crate) struct AuthTracker {
    driver_auth: AuthToken,
    /// Connections not logged in with the driver's credentials. Absent:
    /// the driver's.
    switched: Mutex<HashMap<u64, Identity>>,
}

/// Who a connection is logged in as, when not as the driver.
#[derive(Clone, PartialEq)]
enum Identity {
    /// A session's own credentials.
    Session(AuthToken),
    /// A switch was started and did not finish (cancelled or failed after
    /// LOGOFF/LOGON went out): the next user re-authenticates whatever it
    /// wants, never trusting what the connection might be.
    Unknown,
}

impl fmt::Debug for AuthTracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthTracker")
            .field("switched", &self.lock().len())
            .finish()
    }
}

impl AuthTracker {
    pub(crate) fn new(driver_auth: AuthToken) -> Self {
        AuthTracker {
            driver_auth,
            switched: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Identity>> {
        // A panic while holding this lock cannot leave the map inconsistent
        // (single inserts and removes), so a poisoned lock is still usable.
        self.switched.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn ensure(&self, conn: &mut BoltConnection, wanted: Option<&AuthToken>) -> Result<()> {
        let id = conn.id();
        let current = self.lock().get(&id).cloned();
        let wanted = wanted.filter(|w| **w != self.driver_auth);
        let up_to_date = match (&current, wanted) {
            (None, None) => true,
            (Some(Identity::Session(have)), Some(w)) => have == w,
            _ => false,
        };
        if up_to_date {
            return Ok(());
        }
        let target = wanted.unwrap_or(&self.driver_auth);
        // Unknown until LOGON has succeeded: if this future is dropped or
        // the switch fails after LOGOFF/LOGON went out, the connection is
        // attributed to nobody, and its next user switches it again.
        self.lock().insert(id, Identity::Unknown);
        match conn.reauth(target).await {
            Ok(()) => {
                match wanted {
                    Some(w) => self.lock().insert(id, Identity::Session(w.clone())),
                    None => self.lock().remove(&id),
                };
                Ok(())
            }
            Err(e) => {
                if matches!(
                    e,
                    BoltError::Unsupported { .. } | BoltError::InvalidState(_)
                ) {
                    // Refused before anything was sent: unchanged identity.
                    let mut map = self.lock();
                    match current {
                        Some(identity) => map.insert(id, identity),
                        None => map.remove(&id),
                    };
                }
                Err(e.into())
            }
        }
    }
}
