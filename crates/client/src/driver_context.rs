//! What every session, transaction and result of a driver shares: the
//! driver's context ([`DriverInner`]: configuration, credentials, the
//! connection source) and where connections come from ([`Provider`]: one
//! pool for a `bolt://` URI, the routing connector, a pool per cluster
//! member, for `neo4j://`), with the connections it lends ([`Lease`]).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use boltline_bolt::{AccessMode, Address, AuthToken, Version};
use boltline_pool::{AuthScope, BoltConnection, BoltManager, Pool, PoolStats, Pooled};
use boltline_routing::{AcquireOptions, Connector, RoutedConnection};

use crate::auth::{AuthManager, ManagedSource};
use crate::bookmarks::Neo4jBookmarkManager;
use crate::config::Config;
use crate::error::{BoltError, Error, Result};

/// The driver's shared part: sessions and what they create hold it.
pub(crate) struct DriverInner {
    pub(crate) provider: Provider,
    pub(crate) config: Config,
    /// Where the driver's credentials come from (a fixed token is a
    /// static manager).
    pub(crate) auth_manager: Arc<dyn AuthManager>,
    pub(crate) encrypted: bool,
    pub(crate) query_bookmark_manager: Arc<Neo4jBookmarkManager>,
    pub(crate) closed: AtomicBool,
}

impl fmt::Debug for DriverInner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("provider", &self.provider)
            .field("encrypted", &self.encrypted)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl DriverInner {
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
}

/// What a session asks for.
#[derive(Debug, Clone, Default)]
pub(crate) struct AcquireRequest {
    pub(crate) database: Option<String>,
    pub(crate) mode: AccessMode,
    pub(crate) bookmarks: Vec<String>,
    pub(crate) imp_user: Option<String>,
    /// Credentials of the session, instead of the driver's.
    pub(crate) auth: Option<AuthToken>,
    /// Log in again even with the same token (verifying credentials).
    pub(crate) force_auth: bool,
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
    /// Proves the connection alive with one `RESET` unless the pool just
    /// opened, reset or liveness-checked it: a connectivity check must not
    /// answer from an idle connection the server may have dropped.
    pub(crate) async fn ensure_alive(&mut self) -> Result<(), BoltError> {
        let pooled = match self {
            Lease::Direct(p, _) => p,
            Lease::Routed(r) => r.pooled_mut(),
        };
        pooled.ensure_alive().await
    }

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
    /// Lends a connection for the request, logged in with the session's
    /// credentials if it has its own, else with the driver manager's
    /// current token. A security failure while connecting is reported to
    /// the manager (see [`AuthManager::handle_security_exception`]).
    pub(crate) async fn acquire(
        &self,
        request: &AcquireRequest,
        manager: &Arc<dyn AuthManager>,
    ) -> Result<Lease> {
        let span = crate::telemetry::acquire_span(request.database.as_deref(), request.mode);
        let r =
            tracing::Instrument::instrument(self.acquire_observed(request, manager), span.clone())
                .await;
        crate::telemetry::acquired(&span, &r);
        r
    }

    /// [`acquire`](Provider::acquire) inside its span.
    async fn acquire_observed(
        &self,
        request: &AcquireRequest,
        manager: &Arc<dyn AuthManager>,
    ) -> Result<Lease> {
        let managed = Arc::new(ManagedSource::new(manager.clone()));
        let scope = match &request.auth {
            Some(token) => AuthScope::new(Arc::new(token.clone())).keep_unswitchable(),
            None => AuthScope::new(managed.clone()),
        };
        let scope = if request.force_auth {
            scope.forced()
        } else {
            scope
        };
        let acquired = self.acquire_as(request, scope).await;
        match acquired {
            Ok(lease) => {
                if request.auth.is_some() && !lease.supports_reauth() {
                    // Before Bolt 5.1 a connection keeps the credentials it
                    // was opened with; the official drivers refuse rather
                    // than open a connection per session.
                    return Err(Error::from(BoltError::Unsupported {
                        feature: "session auth (credentials per session)",
                        needs: Version::V5_1,
                        version: lease.version(),
                    }));
                }
                Ok(lease)
            }
            Err(e) => {
                let handled = match (&request.auth, e.server_error(), managed.last()) {
                    (None, Some(se), Some(token)) if se.is_security_error() => {
                        manager.handle_security_exception(&token, se).await
                    }
                    _ => false,
                };
                Err(e.security_handled(handled))
            }
        }
    }

    /// Lends a connection for the request, logged in with `auth`.
    async fn acquire_as(&self, request: &AcquireRequest, auth: AuthScope) -> Result<Lease> {
        Ok(match self {
            Provider::Direct(pool) => {
                let conn = pool.acquire_with(&Some(auth)).await?;
                Lease::Direct(conn, pool.manager().address().clone())
            }
            Provider::Routing(connector) => {
                let mut options = AcquireOptions::new(request.mode);
                options.database = request.database.clone();
                options.bookmarks = request.bookmarks.clone();
                options.imp_user = request.imp_user.clone();
                options.auth = Some(auth);
                if let Some(token) = &request.auth {
                    options.session_user = Some(session_auth_key(token));
                }
                Lease::Routed(connector.acquire_with(&options).await?)
            }
        })
    }

    /// Tells the connection source about an error on a connection: the
    /// routing layer forgets a dead server or a demoted leader; a direct
    /// pool closes its idle connections after a failure that says the
    /// server went away (as routing does for its servers), so a retry
    /// connects afresh rather than take the next stale connection.
    pub(crate) async fn on_error(&self, address: &Address, database: &str, error: &BoltError) {
        match self {
            Provider::Routing(c) => {
                c.on_error(address, database, error).await;
            }
            Provider::Direct(pool) => {
                let unavailable = error
                    .server_error()
                    .is_some_and(|e| e.code == "Neo.TransientError.General.DatabaseUnavailable");
                if error.is_connection_error() || unavailable {
                    pool.deactivate();
                }
            }
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

    /// Each pool's figures, by server address.
    pub(crate) fn pool_stats(&self) -> BTreeMap<Address, PoolStats> {
        match self {
            Provider::Direct(p) => BTreeMap::from([(p.manager().address().clone(), p.stats())]),
            Provider::Routing(c) => c.pool_stats(),
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

/// The home-database cache key of a session's own credentials: the whole
/// token counts (testkit's ADR 031: two tokens with the same principal but
/// another scheme or secret may be different users), so the key is the
/// scheme and principal in clear plus a digest of the whole token. The
/// digest is keyed with a random per-process key, so the key (which the
/// routing layer may log) reveals nothing about the credentials.
fn session_auth_key(token: &AuthToken) -> String {
    use std::hash::{BuildHasher, Hasher};
    static KEY: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    let mut h = KEY.get_or_init(Default::default).build_hasher();
    hash_value(&mut h, &boltline_bolt::Value::from(token.clone()));
    format!(
        "{}:{}:{:016x}",
        token.scheme(),
        token.principal().unwrap_or(""),
        h.finish()
    )
}

/// Feeds a value to a hasher, maps in key order (their iteration order is
/// not stable), scalars by their PackStream encoding.
fn hash_value(h: &mut impl std::hash::Hasher, v: &boltline_bolt::Value) {
    use boltline_bolt::Value;
    match v {
        Value::Map(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            h.write_u8(0xA0);
            for k in keys {
                h.write(k.as_bytes());
                h.write_u8(0);
                hash_value(h, &m[k]);
            }
        }
        Value::List(l) => {
            h.write_u8(0x90);
            h.write_usize(l.len());
            for x in l {
                hash_value(h, x);
            }
        }
        other => {
            let mut buf = boltline_packstream::bytes::BytesMut::new();
            if other
                .encode(&mut buf, boltline_packstream::Dialect::BOLT_5)
                .is_ok()
            {
                h.write(&buf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_auth_keys_tell_tokens_apart_without_showing_secrets() {
        let basic = AuthToken::basic("p", "secret-1");
        let key = session_auth_key(&basic);
        assert_eq!(key, session_auth_key(&AuthToken::basic("p", "secret-1")));
        assert!(!key.contains("secret"), "{key}");
        assert!(key.starts_with("basic:p:"), "{key}");
        assert_ne!(key, session_auth_key(&AuthToken::basic("p", "secret-2")));
        assert_ne!(key, session_auth_key(&AuthToken::basic("q", "secret-1")));
        let custom = AuthToken::custom(
            "special",
            Some("p".into()),
            Some("secret-1".into()),
            None,
            None,
        );
        assert_ne!(key, session_auth_key(&custom));
    }
}
