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
pub use bolt::{
    AddressResolver, AuthFuture, AuthScope, AuthSource, BoltConnection, BoltManager,
    ResolveAddresses,
};
pub use clock::Clock;
/// Hand-controlled time for tests (feature `test-util`).
#[cfg(any(test, feature = "test-util"))]
pub use clock::FakeTime;
pub use config::PoolConfig;
pub use error::PoolError;
pub use hooks::Hooks;
pub use manager::{Health, ManageConnection, PrepareError};
pub use metrics::PoolStats;
pub use pool::{Pool, Pooled};

/// The guide's page on embedding the pool (`docs/guide/pool.md`), compiled
/// as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide/pool.md")]
pub struct GuidePool;
