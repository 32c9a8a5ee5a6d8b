//! Pooling `boltline-bolt` connections to one server address.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use boltline_bolt::{Address, AuthToken, BoltStream, Connection, ConnectionConfig, Error};

use crate::{Health, ManageConnection, PrepareError};

/// A future of an auth token, as [`AuthSource::auth`] returns it.
pub type AuthFuture<'a> = Pin<Box<dyn Future<Output = Result<AuthToken, Error>> + Send + 'a>>;

/// Where the credentials of an acquisition come from: asked once when a
/// connection is opened for it, and once when an idle connection is lent
/// for it (a connection logged in with other credentials is switched, or
/// replaced before Bolt 5.1). A fixed [`AuthToken`] is one; the driver's
/// auth token managers are others.
pub trait AuthSource: Send + Sync {
    /// The token to log in with. A failure is reported as
    /// [`Error::AuthProvider`] (or any error the source chooses).
    fn auth(&self) -> AuthFuture<'_>;
}

impl AuthSource for AuthToken {
    fn auth(&self) -> AuthFuture<'_> {
        Box::pin(async move { Ok(self.clone()) })
    }
}

/// The credentials of one acquisition: the [`BoltManager`]'s context,
/// passed to [`Pool::acquire_with`](crate::Pool::acquire_with) as
/// `Some(scope)`.
///
/// Without one (`None`, what [`Pool::acquire`](crate::Pool::acquire)
/// passes), a [`BoltManager`] logs connections in with its
/// [`ConnectionConfig::auth`] (and switches connections that another
/// acquisition left logged in as someone else back to it). Every layer
/// that acquires on the caller's behalf (the routing connector's `ROUTE`
/// connections included) passes it on explicitly, so it reaches the
/// connection whatever task opens it.
#[derive(Clone)]
pub struct AuthScope {
    source: Arc<dyn AuthSource>,
    force: bool,
    keep_unswitchable: bool,
}

impl fmt::Debug for AuthScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthScope")
            .field("force", &self.force)
            .field("keep_unswitchable", &self.keep_unswitchable)
            .finish_non_exhaustive()
    }
}

impl AuthScope {
    /// Credentials from `source`.
    pub fn new(source: Arc<dyn AuthSource>) -> AuthScope {
        AuthScope {
            source,
            force: false,
            keep_unswitchable: false,
        }
    }

    /// Lends an idle connection that cannot switch credentials (before
    /// Bolt 5.1) as it is, instead of replacing it: for credentials of one
    /// session, which the caller then refuses to run on such a connection,
    /// rather than have the pool trade the shared connections for ones
    /// logged in as that session's user.
    pub fn keep_unswitchable(mut self) -> AuthScope {
        self.keep_unswitchable = true;
        self
    }

    /// Also re-authenticates idle connections already logged in with the
    /// same token (to prove the token is still accepted, as
    /// `verify_authentication` must). The server refusing the token then
    /// fails the acquisition ([`PrepareError::Refused`]).
    pub fn forced(mut self) -> AuthScope {
        self.force = true;
        self
    }
}

/// A Bolt connection as the pool lends it.
pub type BoltConnection = Connection<BoltStream>;

/// Opens and maintains Bolt connections to one address.
///
/// - health: defunct → broken; responses still owed, an unfinished result,
///   an open transaction or a failed state → dirty; a socket the server
///   closed (seen by a non-blocking peek) → broken; otherwise clean (reused
///   with no round trip);
/// - reset and liveness check: `RESET`, which the official drivers also use
///   as their liveness check (one round trip, and it leaves the connection
///   in a known state);
/// - close: `GOODBYE`;
/// - context: `Option<AuthScope>`, the acquisition's credentials (`None`:
///   the configured ones), used to log new connections in and to switch
///   idle ones.
#[derive(Debug, Clone)]
pub struct BoltManager {
    address: Address,
    config: ConnectionConfig,
    resolver: Option<AddressResolver>,
}

/// The future an [`AddressResolver`] returns: the addresses to try, in
/// order.
pub type ResolveAddresses =
    Pin<Box<dyn Future<Output = std::io::Result<Vec<Address>>> + Send + 'static>>;

/// A custom resolver for a [`BoltManager`]'s address: each new connection
/// tries the addresses it returns in turn (as the Python driver resolves
/// the address of every connection, direct ones included).
#[derive(Clone)]
pub struct AddressResolver(Arc<dyn Fn(&Address) -> ResolveAddresses + Send + Sync>);

impl AddressResolver {
    /// A resolver from a function.
    pub fn new(f: impl Fn(&Address) -> ResolveAddresses + Send + Sync + 'static) -> Self {
        AddressResolver(Arc::new(f))
    }
}

impl fmt::Debug for AddressResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AddressResolver")
    }
}

impl BoltManager {
    /// A manager for connections to `address`.
    pub fn new(address: Address, config: ConnectionConfig) -> Self {
        BoltManager {
            address,
            config,
            resolver: None,
        }
    }

    /// Resolves the address with `resolver` before each new connection and
    /// tries what it returns in turn: a connection error moves on to the
    /// next address, any other error (the server refused the credentials)
    /// ends the attempt.
    pub fn with_resolver(mut self, resolver: AddressResolver) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Opens a connection with `config`, through the resolver if any.
    async fn open(&self, config: &ConnectionConfig) -> Result<BoltConnection, Error> {
        let Some(resolver) = &self.resolver else {
            return Connection::connect(&self.address, config).await;
        };
        let addresses = (resolver.0)(&self.address).await.map_err(Error::Io)?;
        let mut last = None;
        for a in &addresses {
            match Connection::connect(a, config).await {
                Ok(c) => return Ok(c),
                Err(e) if e.is_connection_error() => {
                    tracing::debug!(target: "boltline_pool", address = %a, error = %e, "resolved address unreachable, trying the next");
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::Io(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("the resolver returned no address for {}", self.address),
            ))
        }))
    }

    /// The server address.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The connection settings.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }
}

impl ManageConnection for BoltManager {
    type Connection = BoltConnection;
    type Error = Error;
    type Context = Option<AuthScope>;

    fn pool_name(&self) -> String {
        self.address.to_string()
    }

    async fn connect(&self, scope: &Option<AuthScope>) -> Result<BoltConnection, Error> {
        match scope {
            None => self.open(&self.config).await,
            Some(scope) => {
                let auth = scope.source.auth().await?;
                let config = ConnectionConfig {
                    auth,
                    ..self.config.clone()
                };
                self.open(&config).await
            }
        }
    }

    /// Switches the connection to the credentials of the acquisition's
    /// [`AuthScope`] (or the configured ones) when it is logged in with
    /// others: `LOGOFF`/`LOGON` from Bolt 5.1; before that the connection is
    /// closed, and the pool opens a new one (logged in with the right
    /// credentials from the start).
    async fn prepare(
        &self,
        conn: &mut BoltConnection,
        scope: &Option<AuthScope>,
    ) -> Result<(), PrepareError<Error>> {
        let (wanted, force, keep) = match scope {
            None => (Cow::Borrowed(&self.config.auth), false, false),
            Some(scope) => (
                Cow::Owned(scope.source.auth().await.map_err(PrepareError::Retire)?),
                scope.force,
                scope.keep_unswitchable,
            ),
        };
        if !force && conn.auth() == Some(&*wanted) {
            return Ok(());
        }
        if !conn.supports_reauth() {
            if keep {
                return Ok(());
            }
            tracing::debug!(target: "boltline_pool", "credentials changed; replacing a connection that cannot switch them");
            conn.close().await;
            return Err(PrepareError::Retire(Error::Unsupported {
                feature: "re-authentication",
                needs: boltline_bolt::Version::V5_1,
                version: conn.version(),
            }));
        }
        if force {
            // Verifying credentials: the answer is the point. The server
            // refusing them refuses the acquisition (another connection
            // would only be refused again).
            conn.reauth(&wanted).await.map_err(|e| match e {
                e @ Error::Server(_) => PrepareError::Refused(e),
                e => PrepareError::Retire(e),
            })
        } else {
            // Goes out with the acquirer's first request (one round trip
            // less); a rejected token fails that request.
            conn.reauth_pipelined(&wanted)
                .await
                .map_err(PrepareError::Retire)
        }
    }

    /// Also peeks at the socket of a connection that would be clean (one
    /// non-blocking system call, no round trip): a peer that closed it, or
    /// sent bytes an idle connection does not expect, makes it broken, so a
    /// connection the server dropped while idle (a restart) is never lent.
    fn health(&self, conn: &BoltConnection) -> Health {
        if conn.is_closed() {
            // Closed by its owner (`Connection::close`), not broken.
            Health::Closed
        } else if conn.is_defunct() {
            Health::Broken
        } else if conn.needs_reset() || conn.has_pending_responses() || conn.in_transaction() {
            Health::Dirty
        } else if conn.get_ref().peer_gone() {
            tracing::debug!(target: "boltline_pool", address = %self.address, "idle connection closed by the server");
            Health::Broken
        } else {
            Health::Clean
        }
    }

    async fn reset(&self, conn: &mut BoltConnection) -> Result<(), Error> {
        conn.reset().await
    }

    async fn check_alive(&self, conn: &mut BoltConnection) -> Result<(), Error> {
        conn.reset().await
    }

    async fn close(&self, mut conn: BoltConnection) {
        conn.close().await;
    }
}
