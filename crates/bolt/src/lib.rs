#![doc = include_str!("../README.md")]

mod address;
mod auth;
pub mod chunk;
mod config;
mod connection;
mod error;
mod handshake;
mod introspect;
mod message;
mod options;
mod query;
mod result;
mod server_error;
mod server_info;
mod state;
pub mod status;
mod stream;
mod tls;
mod uri;
mod varint;
mod version;

pub use address::Address;
pub use auth::{AuthToken, Secret};
pub use config::{ConnectionConfig, DEFAULT_FETCH_SIZE};
pub use connection::{Connection, DefunctCause};
pub use error::{Error, Result};
pub use introspect::{
    ConnectionRecord, Edition, Neo4jVersion, QueryRecord, ServerComponents, TransactionRecord,
};
pub use message::{signature, QueryStats, QueryType, Record, Success};
pub use options::{
    AccessMode, BoltAgent, NotificationFilter, NotificationSeverity, RouteOptions, TelemetryApi,
    TxOptions,
};
pub use query::Query;
pub use result::{RecordStream, StreamStats};
pub use server_error::{
    Classification, GqlCause, GqlClassification, ServerError, UNKNOWN_GQL_STATUS,
};
pub use server_info::ServerInfo;
pub use state::ServerState;
pub use status::{RetryAction, ServerErrorKind};
pub use stream::BoltStream;
pub use tls::{TlsConfig, TlsConfigBuilder};
pub use uri::{BoltUri, Security};
pub use version::Version;

pub use boltline_packstream as packstream;
pub use boltline_packstream::{Map, Value};
pub use rustls;
