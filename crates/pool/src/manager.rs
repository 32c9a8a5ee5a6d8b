//! What the pool needs from the thing it pools.

use std::future::Future;

/// The state of a connection as known without any network round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Health {
    /// Idle and in sync: can be handed out again as is.
    Clean,
    /// Usable after a reset (an unfinished result, a failed transaction,
    /// responses still owed).
    Dirty,
    /// Cannot be used again: broken by the server or the network
    /// (desynchronised, protocol error, socket gone). py2neo's `broken`.
    Broken,
    /// Closed by its user on purpose: cannot be used again, but nothing
    /// failed (no `on_broken` hook, not counted as broken). py2neo's
    /// `closed`.
    Closed,
}

/// Why an idle connection could not be prepared for an acquisition
/// ([`ManageConnection::prepare`]).
#[derive(Debug)]
pub enum PrepareError<E> {
    /// This connection cannot serve the acquisition (it was closed, or
    /// cannot be switched): the pool retires it and lends another one.
    Retire(E),
    /// The acquisition itself is refused (for Bolt: the server refused the
    /// credentials while verifying them): the pool retires the connection
    /// and `acquire` fails with this error, rather than open a new
    /// connection only to be refused again.
    Refused(E),
}

impl<E> PrepareError<E> {
    /// The underlying error.
    pub fn into_inner(self) -> E {
        match self {
            PrepareError::Retire(e) | PrepareError::Refused(e) => e,
        }
    }
}

/// Opens, inspects, resets and closes the pooled connections. Implement it
/// to pool your own connection type; `boltline-bolt` connections have
/// [`BoltManager`](crate::BoltManager) (feature `bolt`).
///
/// `health` must not do IO: the pool calls it on every release and
/// acquisition. The async methods do IO and may be cancelled at any await
/// point (when an acquiring task is dropped); the pool then drops the
/// connection rather than reuse it.
///
/// What an acquisition needs to open or prepare a connection for its
/// caller (for Bolt: the credentials) is passed to
/// [`Pool::acquire_with`](crate::Pool::acquire_with) as a
/// [`Context`](ManageConnection::Context) and handed to
/// [`connect`](ManageConnection::connect) and
/// [`prepare`](ManageConnection::prepare) as an argument; it reaches them
/// whatever task the acquisition runs on.
pub trait ManageConnection: Send + Sync + 'static {
    /// The pooled connection.
    type Connection: Send + 'static;
    /// What opening, resetting or checking a connection can fail with.
    type Error: std::error::Error + Send + Sync + 'static;
    /// What one acquisition asks for (for Bolt: credentials). Its default
    /// is what [`Pool::acquire`](crate::Pool::acquire) passes.
    type Context: Default + Send + Sync + 'static;

    /// Opens a new connection for an acquisition made with `ctx`.
    fn connect(
        &self,
        ctx: &Self::Context,
    ) -> impl Future<Output = Result<Self::Connection, Self::Error>> + Send;

    /// The connection's state, without IO.
    fn health(&self, conn: &Self::Connection) -> Health;

    /// Brings a [`Health::Dirty`] connection back to a clean state (for
    /// Bolt: RESET). Called only for dirty connections, or for every
    /// acquisition when the pool is configured with `force_reset`.
    fn reset(
        &self,
        conn: &mut Self::Connection,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Proves an idle connection is still alive with one round trip. Called
    /// only for connections idle longer than the liveness threshold.
    fn check_alive(
        &self,
        conn: &mut Self::Connection,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// The pool's name in metrics (`db.client.connection.pool.name`, with
    /// the `metrics` feature), e.g. the server's address. Default: empty.
    fn pool_name(&self) -> String {
        String::new()
    }

    /// Brings an idle connection up to date for an acquisition made with
    /// `ctx`, after any reset or liveness check (for Bolt: switches it to
    /// the credentials wanted, see [`AuthScope`](crate::AuthScope)). An
    /// error retires the connection; see [`PrepareError`] for what the
    /// pool does next. The default does nothing.
    fn prepare(
        &self,
        conn: &mut Self::Connection,
        ctx: &Self::Context,
    ) -> impl Future<Output = Result<(), PrepareError<Self::Error>>> + Send {
        let _ = (conn, ctx);
        async { Ok(()) }
    }

    /// Closes a connection politely (for Bolt: GOODBYE). Errors are not
    /// interesting at this point and are not reported.
    fn close(&self, conn: Self::Connection) -> impl Future<Output = ()> + Send;
}
