//! The crate's one error type.
//!
//! Errors come in four groups, each with a helper:
//!
//! - the server refused the work ([`Error::Server`]): [`Error::server_error`]
//!   gives the code, its parsed [`ServerErrorKind`], classification and GQL
//!   status;
//! - the driver could not reach a server or lost its connection
//!   ([`Error::is_service_unavailable`], [`Error::is_session_expired`]);
//! - the API was misused (a consumed result read again, a closed session
//!   used, more than one record where one was expected);
//! - the configuration or URI is invalid.
//!
//! [`Error::is_retryable`] says whether running the unit of work again may
//! succeed; managed transactions (`execute_read`, `execute_write`,
//! `execute_query`) retry exactly those errors, within the driver's
//! `max_transaction_retry_time`. It is decided by [`Error::retry_action`],
//! which asks the Bolt layer's one decision ([`RetryAction`]). When the
//! budget runs out on a retryable error, the error returned is
//! [`Error::RetriesExhausted`]: it carries the number of attempts and the
//! last attempt's error (its [`source`](std::error::Error::source)); the
//! helpers above answer for that last error. A non-retryable error ends the
//! retries at once and is returned as it is.
//!
//! The error is `Clone` (payloads that are not are shared behind an `Arc`),
//! so a failed result can hand out the original error each time it is read.
//! `Display` shows each layer's message once; `source()` walks down to the
//! root cause (e.g. the `io::Error`).

use std::sync::Arc;

use boltline_bolt::{RetryAction, ServerError, ServerErrorKind};
use boltline_pool::PoolError;
use boltline_routing::RoutingError;

/// The error of the Bolt layer below.
pub type BoltError = boltline_bolt::Error;

/// What can go wrong using the driver.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a `FAILURE` (syntax error, constraint
    /// violation, transient error, security error, ...).
    #[error("{error}")]
    Server {
        /// The failure; [`ServerError::kind`] says what it means.
        error: Box<ServerError>,
        /// Whether this is a security failure the driver's
        /// [`AuthManager`](crate::AuthManager) handled (it will supply other
        /// credentials): then running the work again may succeed, so it is
        /// retryable ([`RetryAction::RetryAfterReauth`]).
        auth_handled: bool,
    },

    /// The connection to the server broke while working (I/O error, closed
    /// socket, timeout, protocol violation). The work may be retried on a
    /// new connection.
    #[error("the connection to the server was lost: {0}")]
    ConnectionLost(#[source] Arc<BoltError>),

    /// No connection could be had: the server is unreachable, refused the
    /// connection, or the pool stayed full for the whole acquisition timeout.
    #[error("service unavailable: {0}")]
    ServiceUnavailable(#[source] Arc<PoolError<BoltError>>),

    /// Client-side routing failed (`neo4j://`): no router answered, no
    /// reader or writer is known, the database does not exist, ...
    #[error("routing: {0}")]
    Routing(#[source] Arc<RoutingError>),

    /// The Bolt layer refused a request (an invalid state, an unsupported
    /// feature for the server's protocol version, an unencodable parameter).
    #[error("{0}")]
    Bolt(#[source] Arc<BoltError>),

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
    IncompleteCommit(#[source] Arc<BoltError>),

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

    /// The result belongs to an explicit or managed transaction that has
    /// ended (committed, rolled back or closed, or its transaction function
    /// returned): its records are gone, whether or not it was consumed.
    #[error(
        "the result is out of scope: its transaction has ended; read records before the \
         transaction that produced them ends"
    )]
    ResultOutOfScope,

    /// `single()` found no record or more than one, or `single_opt()` found
    /// more than one.
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
    User(#[source] Arc<dyn std::error::Error + Send + Sync>),
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
            BoltError::Server(s) => Error::server(s),
            BoltError::PackStream(p) => Error::Decode(p),
            e if e.is_connection_error() => Error::ConnectionLost(Arc::new(e)),
            e => Error::Bolt(Arc::new(e)),
        }
    }
}

impl From<ServerError> for Error {
    fn from(e: ServerError) -> Self {
        Error::server(Box::new(e))
    }
}

impl From<PoolError<BoltError>> for Error {
    fn from(e: PoolError<BoltError>) -> Self {
        match e {
            // A server that refuses the credentials is not "unavailable":
            // surface its failure as it is.
            PoolError::Connect(BoltError::Server(s)) => Error::server(s),
            // The auth manager failed: the server was never asked.
            PoolError::Connect(e @ BoltError::AuthProvider(_)) => Error::Bolt(Arc::new(e)),
            e => Error::ServiceUnavailable(Arc::new(e)),
        }
    }
}

impl From<RoutingError> for Error {
    fn from(e: RoutingError) -> Self {
        match e {
            RoutingError::Pool { source, .. } => Error::from(source),
            RoutingError::Bolt(b) => Error::from(b),
            e => Error::Routing(Arc::new(e)),
        }
    }
}

impl Error {
    /// Wraps an error of a transaction function, for
    /// [`Session::execute_read`](crate::Session::execute_read) closures
    /// returning errors of their own.
    pub fn user(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::User(Arc::from(e.into()))
    }

    /// A server failure the auth manager did not handle.
    pub(crate) fn server(error: Box<ServerError>) -> Self {
        Error::Server {
            error,
            auth_handled: false,
        }
    }

    /// The server's failure, if this is one (also when routing failed on
    /// a router's `FAILURE`: a database that does not exist, a refused
    /// `ROUTE`).
    pub fn server_error(&self) -> Option<&ServerError> {
        match self.last_attempt() {
            Error::Server { error, .. } => Some(error),
            Error::Routing(r) => match &**r {
                RoutingError::DatabaseNotFound { source, .. }
                | RoutingError::DiscoveryRefused { source, .. } => Some(source),
                _ => None,
            },
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

    /// What a server failure means to the driver (also when routing failed
    /// on a router's `FAILURE`), to match on instead of the code string.
    pub fn kind(&self) -> Option<ServerErrorKind> {
        self.server_error().map(|e| e.kind)
    }

    /// What to do about this error, from the Bolt layer's one decision
    /// ([`RetryAction::for_kind`]): a server failure by its kind (a security
    /// failure the auth manager handled: retry after re-authenticating); a
    /// lost connection: reconnect; an unreachable server or busy pool, a
    /// routing table without the needed servers: by the pool's and the
    /// router's [`retry_action`](RoutingError::retry_action). Misuse, user
    /// errors and [`Error::IncompleteCommit`] are never retried.
    pub fn retry_action(&self) -> RetryAction {
        match self.last_attempt() {
            Error::Server {
                error,
                auth_handled: true,
            } if error.is_security_error() => RetryAction::RetryAfterReauth,
            Error::Server { error, .. } => error.retry_action(),
            Error::ConnectionLost(_) => RetryAction::Reconnect,
            Error::ServiceUnavailable(p) => p.retry_action(),
            Error::Routing(r) => r.retry_action(),
            _ => RetryAction::NoRetry,
        }
    }

    /// Whether running the unit of work again may succeed: transient server
    /// errors, `NotALeader`-style cluster answers, security failures the
    /// auth manager handled, lost connections and unreachable servers.
    /// Client errors (syntax, constraints, security) and misuse never are;
    /// nor is an [`Error::IncompleteCommit`]. See [`Error::retry_action`].
    pub fn is_retryable(&self) -> bool {
        self.retry_action().is_retry()
    }

    /// This error, marked as handled by the auth manager when it is a
    /// server security failure and `handled`.
    pub(crate) fn security_handled(self, handled: bool) -> Error {
        if !handled {
            return self;
        }
        match self {
            Error::Server { error, .. } if error.is_security_error() => Error::Server {
                error,
                auth_handled: true,
            },
            other => match other.server_error() {
                Some(s) if s.is_security_error() => Error::Server {
                    error: Box::new(s.clone()),
                    auth_handled: true,
                },
                _ => other,
            },
        }
    }

    /// Whether no server could be reached (or the pool stayed full).
    pub fn is_service_unavailable(&self) -> bool {
        match self.last_attempt() {
            Error::ServiceUnavailable(_) => true,
            Error::Routing(r) => r.retry_action().is_retry(),
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
        assert!(!Error::IncompleteCommit(Arc::new(BoltError::Defunct(
            boltline_bolt::DefunctCause::Broken("test".into())
        )))
        .is_retryable());
        assert!(!Error::user("mine").is_retryable());
        assert!(!Error::from(BoltError::InvalidState("x".into())).is_retryable());
    }

    /// The chain of `source()`s below `e`.
    fn chain<'a>(
        e: &'a (dyn std::error::Error + 'static),
    ) -> Vec<&'a (dyn std::error::Error + 'static)> {
        let mut out = Vec::new();
        let mut next = e.source();
        while let Some(s) = next {
            out.push(s);
            next = s.source();
        }
        out
    }

    fn root_io_kind(e: &Error) -> Option<std::io::ErrorKind> {
        chain(e)
            .last()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind)
    }

    #[test]
    fn display_reads_once_and_source_reaches_the_io_error() {
        let lost = Error::from(BoltError::Io(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "pipe gone",
        )));
        let text = lost.to_string();
        assert_eq!(
            text,
            "the connection to the server was lost: I/O error: pipe gone"
        );
        assert_eq!(text.matches("I/O error").count(), 1, "{text}");
        assert_eq!(root_io_kind(&lost), Some(std::io::ErrorKind::BrokenPipe));
        // A clone (as a failed result hands out) is the same error.
        let again = lost.clone();
        assert_eq!(again.to_string(), text);
        assert_eq!(root_io_kind(&again), Some(std::io::ErrorKind::BrokenPipe));

        let refused = Error::from(PoolError::<BoltError>::Unavailable {
            waited: Duration::from_secs(1),
            in_use: 1,
            max_size: 1,
            connecting: true,
        });
        assert_eq!(chain(&refused).len(), 1, "{refused:?}");
        let refused = Error::from(PoolError::Connect(BoltError::Connect {
            address: "x:1".into(),
            source: std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused"),
        }));
        let text = refused.to_string();
        assert_eq!(text.matches("refused").count(), 1, "{text}");
        assert_eq!(
            root_io_kind(&refused),
            Some(std::io::ErrorKind::ConnectionRefused)
        );
    }

    #[test]
    fn retry_actions_and_handled_security_errors() {
        let unauthorized = || ServerError::new("Neo.ClientError.Security.Unauthorized", "no");
        let plain = Error::from(unauthorized());
        assert_eq!(plain.retry_action(), RetryAction::NoRetry);
        assert_eq!(plain.kind(), Some(ServerErrorKind::Unauthorized));
        let handled = Error::from(unauthorized()).security_handled(true);
        assert!(matches!(
            handled,
            Error::Server {
                auth_handled: true,
                ..
            }
        ));
        assert_eq!(handled.retry_action(), RetryAction::RetryAfterReauth);
        assert!(handled.is_retryable());
        let not_security = Error::from(ServerError::new(
            "Neo.ClientError.Statement.SyntaxError",
            "bad",
        ))
        .security_handled(true);
        assert_eq!(not_security.retry_action(), RetryAction::NoRetry);
        let leader = Error::from(ServerError::new("Neo.ClientError.Cluster.NotALeader", "x"));
        assert_eq!(leader.retry_action(), RetryAction::RefreshRouting);
        let lost = Error::from(BoltError::ConnectionClosed { during: "RUN" });
        assert_eq!(lost.retry_action(), RetryAction::Reconnect);
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
