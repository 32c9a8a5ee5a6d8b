#![doc = include_str!("../README.md")]

pub mod auth;
mod bookmarks;
mod config;
mod driver;
mod driver_context;
mod error;
mod execute_query;
mod graph;
mod managed;
mod record;
mod result;
mod retry;
mod session;
mod session_config;
mod session_state;
mod summary;
mod telemetry;
mod transaction;

pub use auth::{AuthManager, BoxFuture, ExpirationBasedAuthManager, ExpiringAuth, ProviderError};
pub use bookmarks::{
    BookmarkManager, Bookmarks, BookmarksConsumer, BookmarksSupplier, Neo4jBookmarkManager,
};
pub use config::{Config, ConfigBuilder, FetchSize, TrustedCertificates};
pub use driver::Driver;
pub use error::{BoltError, Error, Result};
pub use execute_query::ExecuteQuery;
pub use graph::Graph;
pub use record::Record;
pub use result::{EagerResult, QueryResult};
pub use session::Session;
pub use session_config::SessionConfig;
pub use summary::{
    Counters, GqlStatusObject, InputPosition, Notification, NotificationClassification, Plan,
    ResultSummary, ServerInfo, SeverityLevel,
};
pub use transaction::{ManagedTransaction, Transaction, TransactionConfig};

pub use boltline_bolt::packstream::{
    Date, DateTime, DateTimeZoneId, Duration, LocalDateTime, LocalTime, Node, Path, Point2D,
    Point3D, Relationship, Time, TimeBasis, TypeMismatch, UnboundRelationship, Vector,
};
pub use boltline_bolt::{
    AccessMode, Address, AuthToken, NotificationFilter, NotificationSeverity, Query, QueryType,
    ServerError, Value,
};
pub use boltline_bolt::{Classification, GqlClassification, Map, RetryAction, ServerErrorKind};
pub use boltline_routing::{Resolve, RoutingTable};

/// The layers below, for what this crate does not re-export.
pub use boltline_bolt;
/// The codec: values, serde support, and the optional types' helpers
/// (`boltline::packstream::ext`, e.g. `#[serde(with = "boltline::packstream::ext::temporal")]`).
pub use boltline_bolt::packstream;
pub use boltline_pool;
pub use boltline_routing;
/// The `Stream` trait results implement (`into_stream`).
pub use futures_core::Stream;
/// The serde version records deserialise with (for
/// `#[serde(crate = "boltline::serde")]` where serde is not a direct
/// dependency).
pub use serde;
