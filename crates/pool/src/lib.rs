#![doc = include_str!("../README.md")]

#[cfg(feature = "bolt")]
mod bolt;
mod clock;
mod config;
mod error;
mod export;
mod hooks;
mod manager;
mod metrics;
mod pool;
#[doc(hidden)]
pub mod sync;

#[cfg(feature = "bolt")]
pub use bolt::{AuthFuture, AuthScope, AuthSource, BoltConnection, BoltManager};
pub use clock::{Clock, FakeTime};
pub use config::PoolConfig;
pub use error::PoolError;
pub use hooks::Hooks;
pub use manager::{Health, ManageConnection, PrepareError};
pub use metrics::PoolStats;
pub use pool::{Pool, Pooled};
