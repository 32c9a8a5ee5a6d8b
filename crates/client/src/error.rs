//! The crate's one error type.
//!
//! Errors come in four groups, each with a helper:
//!
//! - the server refused the work ([`Error::Server`]): [`Error::server_error`]
//!   gives the code, classification and GQL status;
//! - the driver could not reach a server or lost its connection
//!   ([`Error::is_service_unavailable`], [`Error::is_session_expired`]);
//! - the API was misused (a consumed result read again, a closed session
//!   used, more than one record where one was expected);
//! - the configuration or URI is invalid.
//!
//! [`Error::is_retryable`] says whether running the unit of work again may
//! succeed; managed transactions (`execute_read`, `execute_write`,
//! `execute_query`) retry exactly those errors, within the driver's
//! `max_transaction_retry_time`. When that budget runs out on a retryable
//! error, the error returned is [`Error::RetriesExhausted`]: it carries the
//! number of attempts and the last attempt's error (its
//! [`source`](std::error::Error::source)); the helpers above answer for that
//! last error. A non-retryable error ends the retries at once and is
//! returned as it is.

use boltline_bolt::ServerError;
use boltline_pool::PoolError;
use boltline_routing::RoutingError;

/// The error of the Bolt layer below.
pub type BoltError = boltline_bolt::Error;

/// What can go wrong using the driver.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a `FAILURE` (syntax error, constraint
    /// violation, transient error, security error, ...).
    #[error("{0}")]
    Server(Box<ServerError>),

    /// The server refused the credentials with a security failure, and the
    /// driver's [`AuthManager`](crate::AuthManager) handled it (it will
    /// supply other credentials): unlike [`Error::Server`] with the same
    /// code, running the work again may succeed, so it is retryable.
    #[error("{0}")]
    SecurityRetryable(Box<ServerError>),

    /// The connection to the server broke while working (I/O error, closed
    /// socket, timeout, protocol violation). The work may be retried on a
    /// new connection.
    #[error("the connection to the server was lost: {0}")]
    ConnectionLost(#[source] BoltError),

    /// No connection could be had: the server is unreachable, refused the
    /// connection, or the pool stayed full for the whole acquisition timeout.
    #[error("service unavailable: {0}")]
    ServiceUnavailable(#[source] PoolError<BoltError>),

    /// Client-side routing failed (`neo4j://`): no router answered, no
    /// reader or writer is known, the database does not exist, ...
    #[error("routing: {0}")]
    Routing(#[source] RoutingError),

    /// The Bolt layer refused a request (an invalid state, an unsupported
    /// feature for the server's protocol version, an unencodable parameter).
    #[error("{0}")]
    Bolt(#[source] BoltError),

    /// A value could not be decoded into the requested type.
    #[error("could not decode the value: {0}")]
    Decode(#[from] boltline_bolt::packstream::Error),

    /// The connection broke during `COMMIT`: whether the transaction was
    /// committed is unknown. It is never retried automatically; check the
    /// database before running the work again.
    #[error(
        "the connection broke while committing; the transaction may or may not have been \
         committed: {0}"
    )]
    IncompleteCommit(#[source] BoltError),

    /// The URI cannot be used.
    #[error("invalid URI {uri:?}: {reason}")]
    InvalidUri {
        /// The URI given.
        uri: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A configuration value cannot be used.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// The result was consumed (or its transaction or session ended) before
    /// it was read: its records are gone.
    #[error(
        "the result was consumed: its records are gone; read records before calling consume(), \
         and before the transaction that produced them ends"
    )]
    ResultConsumed,

    /// `single()` found no record, or (in strict mode) more than one.
    #[error("expected exactly one record, {}", found_text(*.found))]
    ResultNotSingle {
        /// Records found: 0, or 2 meaning "more than one".
        found: usize,
    },

    /// A record has no column of that name or index.
    #[error("the record has no column {column} (columns: {keys:?})")]
    NoSuchColumn {
        /// The name or index asked for.
        column: String,
        /// The record's columns.
        keys: Vec<String>,
    },

    /// The session was closed; open a new one.
    #[error("the session is closed; open a new session from the driver")]
    SessionClosed,

    /// The transaction has ended (committed, rolled back, failed or closed).
    #[error("the transaction is closed ({0}); begin a new transaction")]
    TransactionClosed(&'static str),

    /// The session already has an open explicit transaction.
    #[error(
        "the session has an open transaction; commit, roll back or close it before running \
         another query or beginning another transaction"
    )]
    TransactionOpen,

    /// The driver was closed; create a new one.
    #[error("the driver is closed")]
    DriverClosed,

    /// A managed transaction (`execute_read`, `execute_write`,
    /// `execute_query`) was retried, and failed with a retryable error on
    /// every attempt until `max_transaction_retry_time` ran out (a retry
    /// whose delay would end after it is not made). A first attempt that
    /// fails with no time left for a retry returns its error as it is. The helpers ([`Error::server_error`],
    /// [`Error::is_session_expired`], ...) answer for `last`.
    #[error(
        "the managed transaction gave up after {attempts} attempts \
         (max_transaction_retry_time reached)"
    )]
    RetriesExhausted {
        /// How many times the work ran (the first attempt included).
        attempts: u32,
        /// The last attempt's error.
        #[source]
        last: Box<Error>,
    },

    /// A managed transaction function returned an error of its own; it is
    /// not retried.
    #[error("the transaction function failed: {0}")]
    User(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn found_text(found: usize) -> &'static str {
    if found == 0 {
        "but found none"
    } else {
        "but found more than one"
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<BoltError> for Error {
    fn from(e: BoltError) -> Self {
        match e {
            BoltError::Server(s) => Error::Server(s),
            BoltError::PackStream(p) => Error::Decode(p),
            e if e.is_connection_error() => Error::ConnectionLost(e),
            e => Error::Bolt(e),
        }
    }
}

impl From<ServerError> for Error {
    fn from(e: ServerError) -> Self {
        Error::Server(Box::new(e))
    }
}

impl From<PoolError<BoltError>> for Error {
    fn from(e: PoolError<BoltError>) -> Self {
        match e {
            // A server that refuses the credentials is not "unavailable":
            // surface its failure as it is.
            PoolError::Connect(BoltError::Server(s)) => Error::Server(s),
            // The auth manager failed: the server was never asked.
            PoolError::Connect(e @ BoltError::AuthProvider(_)) => Error::Bolt(e),
            e => Error::ServiceUnavailable(e),
        }
    }
}

impl From<RoutingError> for Error {
    fn from(e: RoutingError) -> Self {
        match e {
            RoutingError::Pool { source, .. } => Error::from(source),
            RoutingError::Bolt(b) => Error::from(b),
            e => Error::Routing(e),
        }
    }
}

impl Error {
    /// Wraps an error of a transaction function, for
    /// [`Session::execute_read`](crate::Session::execute_read) closures
    /// returning errors of their own.
    pub fn user(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::User(e.into())
    }

    /// The server's failure, if this is one (also when routing failed on
    /// a router's `FAILURE`: a database that does not exist, a refused
    /// `ROUTE`).
    pub fn server_error(&self) -> Option<&ServerError> {
        match self.last_attempt() {
            Error::Server(e) | Error::SecurityRetryable(e) => Some(e),
            Error::Routing(
                RoutingError::DatabaseNotFound { source, .. }
                | RoutingError::DiscoveryRefused { source, .. },
            ) => Some(source),
            _ => None,
        }
    }

    /// The error itself, or for [`Error::RetriesExhausted`] its last
    /// attempt's error.
    pub fn last_attempt(&self) -> &Error {
        match self {
            Error::RetriesExhausted { last, .. } => last.last_attempt(),
            e => e,
        }
    }

    /// How many attempts a managed transaction made before giving up, for
    /// [`Error::RetriesExhausted`].
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::RetriesExhausted { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }

    /// The Neo4j status code of a server failure
    /// (`Neo.ClientError.Statement.SyntaxError`, ...).
    pub fn code(&self) -> Option<&str> {
        self.server_error().map(|e| e.code.as_str())
    }

    /// The GQL status of a server failure (`42001`, ...; `50N42` from
    /// servers before 5.7).
    pub fn gql_status(&self) -> Option<&str> {
        self.server_error().map(|e| e.gql_status.as_str())
    }

    /// Whether running the unit of work again may succeed: transient server
    /// errors, `NotALeader`-style cluster answers, lost connections and
    /// unreachable servers. Client errors (syntax, constraints, security)
    /// and misuse never are; nor is an [`Error::IncompleteCommit`].
    pub fn is_retryable(&self) -> bool {
        match self.last_attempt() {
            Error::Server(e) => e.is_retryable(),
            Error::SecurityRetryable(_) | Error::ConnectionLost(_) => true,
            Error::ServiceUnavailable(p) => match p {
                PoolError::Connect(b) => b.is_retryable(),
                p => p.is_retryable(),
            },
            Error::Routing(r) => r.is_retryable(),
            _ => false,
        }
    }

    /// This error, made retryable when it is a server security failure the
    /// auth manager `handled`.
    pub(crate) fn security_handled(self, handled: bool) -> Error {
        if !handled {
            return self;
        }
        match self {
            Error::Server(s) if s.is_security_error() => Error::SecurityRetryable(s),
            other => match other.server_error() {
                Some(s) if s.is_security_error() => Error::SecurityRetryable(Box::new(s.clone())),
                _ => other,
            },
        }
    }

    /// Whether no server could be reached (or the pool stayed full).
    pub fn is_service_unavailable(&self) -> bool {
        match self.last_attempt() {
            Error::ServiceUnavailable(_) => true,
            Error::Routing(r) => r.is_retryable(),
            _ => false,
        }
    }

    /// Whether the connection the work was on was lost (the official
    /// drivers call this "session expired").
    pub fn is_session_expired(&self) -> bool {
        matches!(self.last_attempt(), Error::ConnectionLost(_))
    }

    /// Whether the server rejected the credentials (or the token expired).
    pub fn is_authentication_error(&self) -> bool {
        self.server_error()
            .is_some_and(ServerError::is_authentication_error)
    }

    /// Whether this is any security error (authentication, authorization).
    pub fn is_security_error(&self) -> bool {
        self.server_error()
            .is_some_and(ServerError::is_security_error)
    }

    /// Whether the server classifies the failure as a client error.
    pub fn is_client_error(&self) -> bool {
        self.server_error()
            .is_some_and(|e| e.classification == boltline_bolt::Classification::ClientError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn classification() {
        let transient = Error::from(ServerError::new(
            "Neo.TransientError.Transaction.DeadlockDetected",
            "deadlock",
        ));
        assert!(transient.is_retryable());
        assert_eq!(
            transient.code(),
            Some("Neo.TransientError.Transaction.DeadlockDetected")
        );
        let syntax = Error::from(ServerError::new(
            "Neo.ClientError.Statement.SyntaxError",
            "bad",
        ));
        assert!(!syntax.is_retryable());
        assert!(syntax.is_client_error());
        let leader = Error::from(ServerError::new("Neo.ClientError.Cluster.NotALeader", "no"));
        assert!(leader.is_retryable());
        let terminated = Error::from(ServerError::new(
            "Neo.TransientError.Transaction.Terminated",
            "terminated",
        ));
        assert!(!terminated.is_retryable(), "rewritten to a client error");
        let auth = Error::from(ServerError::new(
            "Neo.ClientError.Security.Unauthorized",
            "no",
        ));
        assert!(auth.is_authentication_error() && !auth.is_retryable());

        let lost = Error::from(BoltError::ConnectionClosed { during: "RUN" });
        assert!(lost.is_session_expired() && lost.is_retryable());
        let busy = Error::from(PoolError::<BoltError>::Unavailable {
            waited: Duration::from_secs(1),
            in_use: 1,
            max_size: 1,
            connecting: false,
        });
        assert!(busy.is_service_unavailable() && busy.is_retryable());
        let refused = Error::from(PoolError::Connect(BoltError::Connect {
            address: "x:1".into(),
            source: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        }));
        assert!(refused.is_retryable());
        let bad_auth = Error::from(PoolError::Connect(BoltError::Server(Box::new(
            ServerError::new("Neo.ClientError.Security.Unauthorized", "no"),
        ))));
        assert!(bad_auth.is_authentication_error() && !bad_auth.is_retryable());

        assert!(!Error::ResultConsumed.is_retryable());
        assert!(
            !Error::IncompleteCommit(BoltError::Defunct(boltline_bolt::DefunctCause::Broken(
                "test".into()
            )))
            .is_retryable()
        );
        assert!(!Error::user("mine").is_retryable());
        assert!(!Error::from(BoltError::InvalidState("x".into())).is_retryable());
    }

    #[test]
    fn messages_say_what_to_do() {
        assert!(Error::ResultNotSingle { found: 0 }
            .to_string()
            .contains("found none"));
        assert!(Error::ResultNotSingle { found: 2 }
            .to_string()
            .contains("more than one"));
        assert!(Error::SessionClosed.to_string().contains("new session"));
    }
}
