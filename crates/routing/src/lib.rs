#![doc = include_str!("../README.md")]

mod config;
mod connector;
mod discovery;
mod error;
mod failover;
mod home_db;
mod introspect;
mod pools;
mod resolver;
mod routed;
mod select;
mod table;
mod telemetry;

pub use config::ConnectorConfig;
pub use connector::Connector;
pub use error::{BoltError, DiscoveryAttempt, DiscoveryFailure, Result, RoutingError};
pub use home_db::{HomeDbCache, HomeDbKey};
pub use resolver::{resolve_dns, Resolve, ResolveFuture};
pub use routed::{AcquireOptions, ErrorAction, RoutedConnection};
pub use select::least_busy;
pub use table::RoutingTable;

pub use boltline_bolt;
pub use boltline_bolt::{AccessMode, Address};
pub use boltline_pool;
