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
pub use record::{Column, Record};
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
    ServerError, TlsConfig, TlsConfigBuilder, Value,
};
pub use boltline_bolt::{
    Classification, GqlCause, GqlClassification, Map, RetryAction, Secret, ServerErrorKind, Version,
};
/// A clock tests move by hand, for [`ConfigBuilder::with_clock`] (with
/// `Clock::fake`). Only with the `test-util` feature: not a production API.
#[cfg(feature = "test-util")]
pub use boltline_pool::FakeTime;
pub use boltline_pool::{Clock, PoolError, PoolStats};
pub use boltline_routing::{
    DiscoveryAttempt, DiscoveryFailure, Resolve, ResolveFuture, RoutingError, RoutingTable,
};

// The layers below are not re-exported whole (see "What the crate
// re-exports" in the README): every type of the driver's API is
// re-exported above, so a user never names boltline-bolt, -pool or
// -routing, and their semver is not the driver's.

/// The codec: values, serde support, and the optional types' helpers
/// (`boltline::packstream::ext`, e.g. `#[serde(with = "boltline::packstream::ext::temporal")]`).
/// Re-exported whole on purpose: its [`Value`] and the temporal, spatial and
/// graph types are the driver's data model.
pub use boltline_bolt::packstream;
/// The `Stream` trait results implement (`into_stream`).
pub use futures_core::Stream;
/// The serde version records deserialise with (for
/// `#[serde(crate = "boltline::serde")]` where serde is not a direct
/// dependency).
pub use serde;

/// The guide's pages (`docs/guide/`), compiled as doctests so their
/// snippets keep up with the API. Not part of the public API.
#[cfg(doctest)]
mod guide {
    #[doc = include_str!("../../../docs/guide/connecting.md")]
    pub struct Connecting;
    #[doc = include_str!("../../../docs/guide/sessions.md")]
    pub struct Sessions;
    #[doc = include_str!("../../../docs/guide/results.md")]
    pub struct Results;
    #[doc = include_str!("../../../docs/guide/errors.md")]
    pub struct Errors;
    #[doc = include_str!("../../../docs/guide/bookmarks.md")]
    pub struct Bookmarks;
    #[doc = include_str!("../../../docs/guide/routing.md")]
    pub struct Routing;
    #[doc = include_str!("../../../docs/guide/auth.md")]
    pub struct Auth;
    #[doc = include_str!("../../../docs/guide/coming-from.md")]
    pub struct ComingFrom;
}
