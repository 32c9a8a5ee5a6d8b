//! The pool's error type.

use std::time::Duration;

/// Why a connection could not be acquired.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError<E: std::error::Error + 'static> {
    /// No connection became available within the acquisition timeout.
    #[error(
        "no connection available after waiting {waited:?}: {in_use} of {max_size} connections \
         in use{}",
        if *.connecting { " (and a new connection was still being opened)" } else { "" }
    )]
    Unavailable {
        /// How long `acquire` waited.
        waited: Duration,
        /// Connections in use when it gave up.
        in_use: usize,
        /// The pool's limit.
        max_size: usize,
        /// Whether the time ran out while opening a new connection rather
        /// than waiting for a busy one.
        connecting: bool,
    },
    /// The pool has been closed.
    #[error("the connection pool is closed")]
    Closed,
    /// Opening a new connection failed.
    #[error("could not open a connection: {0}")]
    Connect(#[source] E),
    /// The pool's configuration is invalid.
    #[error("invalid pool configuration: {0}")]
    Config(String),
}

#[cfg(feature = "bolt")]
impl PoolError<boltline_bolt::Error> {
    /// What to do about this error: a busy pool is retried later; a failed
    /// connection attempt decides by the Bolt error
    /// ([`boltline_bolt::Error::retry_action`]); a closed or misconfigured
    /// pool is not retried.
    pub fn retry_action(&self) -> boltline_bolt::RetryAction {
        use boltline_bolt::RetryAction;
        match self {
            PoolError::Unavailable { .. } => RetryAction::Retry,
            PoolError::Connect(e) => e.retry_action(),
            PoolError::Closed | PoolError::Config(_) => RetryAction::NoRetry,
        }
    }
}
