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

impl<E: std::error::Error + 'static> PoolError<E> {
    /// Whether retrying later may succeed (the pool was busy or the
    /// connection attempt failed), as opposed to the pool being closed or
    /// misconfigured.
    pub fn is_retryable(&self) -> bool {
        matches!(self, PoolError::Unavailable { .. } | PoolError::Connect(_))
    }
}
