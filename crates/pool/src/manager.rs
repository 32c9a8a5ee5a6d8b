//! What the pool needs from the thing it pools.

use std::future::Future;

/// The state of a connection as known without any network round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Idle and in sync: can be handed out again as is.
    Clean,
    /// Usable after a reset (an unfinished result, a failed transaction,
    /// responses still owed).
    Dirty,
    /// Cannot be used again (closed, desynchronised, protocol error).
    Broken,
}

/// Opens, inspects, resets and closes the pooled connections. Implement it
/// to pool your own connection type; `boltline-bolt` connections have
/// [`BoltManager`](crate::BoltManager) (feature `bolt`).
///
/// `health` must not do IO: the pool calls it on every release and
/// acquisition. The async methods do IO and may be cancelled at any await
/// point (when an acquiring task is dropped); the pool then drops the
/// connection rather than reuse it.
pub trait ManageConnection: Send + Sync + 'static {
    /// The pooled connection.
    type Connection: Send + 'static;
    /// What opening, resetting or checking a connection can fail with.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Opens a new connection.
    fn connect(&self) -> impl Future<Output = Result<Self::Connection, Self::Error>> + Send;

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

    /// Brings an idle connection up to date for the task acquiring it,
    /// after any reset or liveness check (for Bolt: switches it to the
    /// credentials wanted, see [`AuthScope`](crate::AuthScope)). An error
    /// retires the connection and the pool lends another one. The default
    /// does nothing.
    fn prepare(
        &self,
        conn: &mut Self::Connection,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        let _ = conn;
        async { Ok(()) }
    }

    /// Closes a connection politely (for Bolt: GOODBYE). Errors are not
    /// interesting at this point and are not reported.
    fn close(&self, conn: Self::Connection) -> impl Future<Output = ()> + Send;
}
