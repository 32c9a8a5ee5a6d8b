//! The crate's one error type, and the record of a failed discovery.

use std::fmt;

use boltline_bolt::{Address, RetryAction, ServerError};
use boltline_pool::PoolError;

/// The error of one Bolt connection (the layer below the pool).
pub type BoltError = boltline_bolt::Error;

/// What can go wrong while routing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RoutingError {
    /// No router answered `ROUTE` with a usable routing table: every known
    /// router and the initial address were tried. `attempts` says which
    /// addresses were tried and why each failed.
    #[error(
        "unable to retrieve routing information for {}: no router could be used ({})",
        DbName(.database.as_deref()),
        Attempts(.attempts)
    )]
    NoRouterReachable {
        /// The database asked for (`None`: the user's home database).
        database: Option<String>,
        /// Every address tried, in order, with the reason it failed.
        attempts: Vec<DiscoveryAttempt>,
    },
    /// The server says the database does not exist
    /// (`Neo.ClientError.Database.DatabaseNotFound`).
    #[error("database {} does not exist: {source}", DbName(.database.as_deref()))]
    DatabaseNotFound {
        /// The database asked for.
        database: Option<String>,
        /// The server's failure.
        #[source]
        source: Box<ServerError>,
    },
    /// A router refused `ROUTE` for a reason that asking another router
    /// cannot fix (credentials, an invalid bookmark, an invalid request),
    /// so discovery stopped, as the official drivers do.
    #[error("router {router} refused to provide a routing table: {source}")]
    DiscoveryRefused {
        /// The router that answered.
        router: Address,
        /// The server's failure.
        #[source]
        source: Box<ServerError>,
    },
    /// The routing table has no reader left (all failed, or none listed).
    #[error("no reader available for database {database}")]
    NoReaders {
        /// The database.
        database: String,
    },
    /// The routing table has no writer left (a leader election may be
    /// under way; retrying later may succeed).
    #[error("no writer available for database {database}")]
    NoWriters {
        /// The database.
        database: String,
    },
    /// The pool of one server could not lend a connection (timed out,
    /// closed, misconfigured).
    #[error("connection pool for {address}: {source}")]
    Pool {
        /// The server.
        address: Address,
        /// The pool's error.
        #[source]
        source: PoolError<BoltError>,
    },
    /// An error of the Bolt layer (e.g. an invalid URI).
    #[error(transparent)]
    Bolt(#[from] BoltError),
    /// A `ROUTE` reply could not be read as a routing table.
    #[error("invalid routing table: {0}")]
    InvalidRoutingTable(String),
    /// The configuration cannot be used.
    #[error("invalid routing configuration: {0}")]
    Config(String),
    /// The connector has been closed.
    #[error("the connector is closed")]
    Closed,
}

impl RoutingError {
    /// What to do about this error: no router, reader or writer reachable
    /// now is retried later; a pool's or the Bolt layer's error decides by
    /// its own [`retry_action`](BoltError::retry_action); the rest is not
    /// retried.
    pub fn retry_action(&self) -> RetryAction {
        match self {
            RoutingError::NoRouterReachable { .. }
            | RoutingError::NoReaders { .. }
            | RoutingError::NoWriters { .. } => RetryAction::Retry,
            RoutingError::Pool { source, .. } => source.retry_action(),
            RoutingError::Bolt(e) => e.retry_action(),
            _ => RetryAction::NoRetry,
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = RoutingError> = std::result::Result<T, E>;

/// One address tried during discovery, and why it gave no routing table.
#[derive(Debug)]
pub struct DiscoveryAttempt {
    /// The router as known (from a routing table, or the initial address).
    pub router: Address,
    /// The address contacted, after resolution (custom resolver, DNS); the
    /// same as `router` when resolution failed or was not needed.
    pub address: Address,
    /// Why it failed.
    pub failure: DiscoveryFailure,
}

impl fmt::Display for DiscoveryAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.router == self.address {
            write!(f, "{}: {}", self.address, self.failure)
        } else {
            write!(
                f,
                "{} (for {}): {}",
                self.address, self.router, self.failure
            )
        }
    }
}

/// Why one router gave no routing table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryFailure {
    /// The custom resolver or DNS failed, or resolved to nothing.
    #[error("resolution failed: {0}")]
    Resolve(std::io::Error),
    /// No connection could be had (refused, timed out, TLS, handshake).
    #[error("no connection: {0}")]
    Connect(PoolError<BoltError>),
    /// The `ROUTE` exchange failed: the connection broke, or the server
    /// answered with a failure that another router may not share.
    #[error("ROUTE failed: {0}")]
    Route(BoltError),
    /// The reply is not a valid routing table.
    #[error("invalid routing table: {0}")]
    InvalidTable(String),
    /// The table lists no router (the official drivers treat it as a
    /// failed discovery from this router).
    #[error("the routing table lists no router")]
    NoRouters,
    /// The table lists no reader (likewise).
    #[error("the routing table lists no reader")]
    NoReaders,
}

/// Displays a database name, or "the home database".
struct DbName<'a>(Option<&'a str>);

impl fmt::Display for DbName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(db) => write!(f, "database {db:?}"),
            None => f.write_str("the home database"),
        }
    }
}

/// Displays the attempts of a discovery, `; `-separated.
struct Attempts<'a>(&'a [DiscoveryAttempt]);

impl fmt::Display for Attempts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no router known");
        }
        f.write_str("tried ")?;
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_router_lists_every_attempt() {
        let e = RoutingError::NoRouterReachable {
            database: Some("movies".into()),
            attempts: vec![
                DiscoveryAttempt {
                    router: Address::new("a", 1),
                    address: Address::new("10.0.0.1", 1),
                    failure: DiscoveryFailure::NoReaders,
                },
                DiscoveryAttempt {
                    router: Address::new("b", 2),
                    address: Address::new("b", 2),
                    failure: DiscoveryFailure::Resolve(std::io::Error::other("nxdomain")),
                },
            ],
        };
        let text = e.to_string();
        assert!(text.contains("database \"movies\""), "{text}");
        assert!(
            text.contains("10.0.0.1:1 (for a:1): the routing table lists no reader"),
            "{text}"
        );
        assert!(text.contains("b:2: resolution failed: nxdomain"), "{text}");
        assert!(e.retry_action().is_retry());
    }

    #[test]
    fn home_database_and_not_found() {
        let e = RoutingError::NoRouterReachable {
            database: None,
            attempts: Vec::new(),
        };
        assert!(e.to_string().contains("the home database"));
        assert!(e.to_string().contains("no router known"));
        let e = RoutingError::DatabaseNotFound {
            database: Some("x".into()),
            source: Box::new(ServerError::new(
                "Neo.ClientError.Database.DatabaseNotFound",
                "no such db",
            )),
        };
        assert!(!e.retry_action().is_retry());
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn errors_are_send_and_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<RoutingError>();
    }
}
