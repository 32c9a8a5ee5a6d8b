//! The crate's one error type.

use std::time::Duration;

use crate::{RetryAction, ServerError, Version};

/// What can go wrong on a Bolt connection.
///
/// Errors fall in three groups, told apart by [`Error::is_connection_error`]:
/// the connection broke (it is now defunct; open a new one), the server
/// refused a request ([`Error::Server`]; the connection lives on), or the
/// caller asked for something invalid (the connection is untouched).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error on the socket.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Connecting (DNS or TCP) failed.
    #[error("could not connect to {address}: {source}")]
    Connect {
        /// The address tried.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Something took longer than its configured limit.
    #[error("timed out after {timeout:?} {during}")]
    Timeout {
        /// What was being waited for.
        during: &'static str,
        /// The limit.
        timeout: Duration,
    },
    /// TLS failed: handshake, certificate verification, host name.
    #[error("TLS error: {0}")]
    Tls(String),
    /// A TLS setting cannot be used (unreadable CA file, bad key, ...).
    #[error("invalid TLS configuration: {0}")]
    TlsConfig(String),
    /// The server closed the connection.
    #[error("the server closed the connection during {during}")]
    ConnectionClosed {
        /// What the connection was doing.
        during: &'static str,
    },
    /// The connection broke earlier and cannot be used again; the cause
    /// says how.
    #[error("the connection is defunct ({0}) and cannot be used")]
    Defunct(crate::DefunctCause),
    /// The server broke the protocol (bad bytes, unexpected message, ...).
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// No Bolt version both sides speak.
    #[error("no common Bolt protocol version: {server}")]
    UnsupportedVersion {
        /// What the server answered.
        server: String,
    },
    /// The server is not Neo4j (its agent does not start with `Neo4j/`).
    #[error("the server is not Neo4j (agent {agent:?}); only Neo4j servers are supported")]
    NotNeo4j {
        /// The agent the server announced.
        agent: String,
    },
    /// The server answered a request with `FAILURE`.
    #[error("{0}")]
    Server(Box<ServerError>),
    /// The server ignored a request and no earlier failure explains why.
    #[error("the server ignored the request")]
    Ignored,
    /// An incoming message exceeded the configured size limit.
    #[error("incoming message of at least {size} bytes exceeds the limit of {limit} bytes")]
    MessageTooLarge {
        /// Size reached when the limit was hit.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// PackStream could not encode a parameter, or decode what the server sent.
    #[error(transparent)]
    PackStream(#[from] boltline_packstream::Error),
    /// The request is not valid in the connection's current state (a usage
    /// error; nothing was sent).
    #[error("invalid request: {0}")]
    InvalidState(String),
    /// The feature needs a newer protocol version than the one negotiated.
    #[error(
        "{feature} needs Bolt {needs} or later; this connection speaks Bolt {version}, so it is \
         not supported"
    )]
    Unsupported {
        /// What was asked for.
        feature: &'static str,
        /// The first version that has it.
        needs: Version,
        /// The negotiated version.
        version: Version,
    },
    /// The source of the credentials (an auth token manager) failed to
    /// provide a token; nothing was sent.
    #[error("could not get an auth token: {0}")]
    AuthProvider(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The server has no such request: its edition or version lacks the
    /// command (Community Edition has no cluster overview, for one).
    #[error("{request} is not available on Neo4j {version} ({edition} edition)")]
    NotSupported {
        /// What was asked for (py2neo's method name).
        request: &'static str,
        /// The server's edition.
        edition: crate::Edition,
        /// The server's version.
        version: crate::Neo4jVersion,
    },
    /// An address or URI could not be parsed.
    #[error("invalid address {input:?}: {reason}")]
    InvalidAddress {
        /// What was given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<ServerError> for Error {
    fn from(e: ServerError) -> Self {
        Error::Server(Box::new(e))
    }
}

impl Error {
    /// The server failure, if this is one.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the connection is broken after this error (it reports
    /// [`is_defunct`](crate::Connection::is_defunct)): I/O, timeouts, closed
    /// sockets, protocol violations, TLS and handshake failures.
    pub fn is_connection_error(&self) -> bool {
        matches!(
            self,
            Error::Io(_)
                | Error::Connect { .. }
                | Error::Timeout { .. }
                | Error::Tls(_)
                | Error::ConnectionClosed { .. }
                | Error::Defunct(_)
                | Error::Protocol(_)
                | Error::MessageTooLarge { .. }
        )
    }

    /// What to do about this error: a server failure decides by its kind
    /// ([`ServerError::retry_action`]); a lost connection (I/O, refused
    /// connect, timeout, closed socket, defunct) is retried on a new
    /// connection; everything else is not retried.
    pub fn retry_action(&self) -> RetryAction {
        match self {
            Error::Server(e) => e.retry_action(),
            Error::Io(_)
            | Error::Connect { .. }
            | Error::Timeout { .. }
            | Error::ConnectionClosed { .. }
            | Error::Defunct(_) => RetryAction::Reconnect,
            _ => RetryAction::NoRetry,
        }
    }

    /// Whether this is a server security error (authentication, authorization).
    pub fn is_security_error(&self) -> bool {
        self.server_error()
            .is_some_and(ServerError::is_security_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_once_source_is_the_io_error() {
        let e = Error::Io(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "pipe gone",
        ));
        assert_eq!(e.to_string(), "I/O error: pipe gone");
        let io = std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind);
        assert_eq!(io, Some(std::io::ErrorKind::BrokenPipe));
        assert_eq!(e.retry_action(), RetryAction::Reconnect);
        assert_eq!(
            Error::Protocol("x".into()).retry_action(),
            RetryAction::NoRetry
        );
    }

    #[test]
    fn result_stays_small() {
        // Boxing the server error keeps `Result<()>` cheap to move around
        // (the largest variants hold two strings).
        assert!(std::mem::size_of::<Error>() <= 64);
    }

    #[test]
    fn classification_helpers() {
        let e = Error::from(ServerError::new(
            "Neo.TransientError.General.DatabaseUnavailable",
            "x",
        ));
        assert!(e.retry_action().is_retry());
        assert!(!e.is_connection_error());
        assert!(e.server_error().is_some());
        let closed = Error::ConnectionClosed { during: "x" };
        assert!(closed.retry_action().is_retry() && closed.is_connection_error());
        let proto = Error::Protocol("x".into());
        assert!(!proto.retry_action().is_retry() && proto.is_connection_error());
        let auth = Error::from(ServerError::new(
            "Neo.ClientError.Security.Unauthorized",
            "x",
        ));
        assert!(auth.is_security_error() && !auth.retry_action().is_retry());
        assert!(!Error::InvalidState("x".into()).is_connection_error());
    }
}
