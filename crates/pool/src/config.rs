//! Pool configuration.

use std::time::Duration;

use crate::Clock;

/// How the pool sizes, ages and checks its connections. Defaults follow the
/// official Neo4j drivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolConfig {
    /// Most connections open at once, in use and idle together (default 100).
    pub max_size: usize,
    /// How long `acquire` waits for a connection, including opening one
    /// (default 60 s).
    pub acquisition_timeout: Duration,
    /// Connections older than this are closed instead of reused
    /// (default 1 hour; `None`: no limit).
    pub max_age: Option<Duration>,
    /// A connection idle longer than this is checked with a round trip
    /// before reuse (default `None`: never; a clean connection is reused
    /// with no round trip).
    pub liveness_check_after: Option<Duration>,
    /// Connections opened when the pool is built (default 0).
    pub init_size: usize,
    /// Reset every connection on acquisition, clean or not (default false).
    pub force_reset: bool,
    /// The clock connection ages and idle times are measured with (default:
    /// the system clock; see [`Clock`]).
    pub clock: Clock,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_size: 100,
            acquisition_timeout: Duration::from_secs(60),
            max_age: Some(Duration::from_secs(3600)),
            liveness_check_after: None,
            init_size: 0,
            force_reset: false,
            clock: Clock::system(),
        }
    }
}

impl PoolConfig {
    /// Sets [`PoolConfig::max_size`].
    pub fn max_size(mut self, n: usize) -> Self {
        self.max_size = n;
        self
    }

    /// Sets [`PoolConfig::acquisition_timeout`].
    pub fn acquisition_timeout(mut self, d: Duration) -> Self {
        self.acquisition_timeout = d;
        self
    }

    /// Sets [`PoolConfig::max_age`].
    pub fn max_age(mut self, d: Option<Duration>) -> Self {
        self.max_age = d;
        self
    }

    /// Sets [`PoolConfig::liveness_check_after`].
    pub fn liveness_check_after(mut self, d: Option<Duration>) -> Self {
        self.liveness_check_after = d;
        self
    }

    /// Sets [`PoolConfig::init_size`].
    pub fn init_size(mut self, n: usize) -> Self {
        self.init_size = n;
        self
    }

    /// Sets [`PoolConfig::force_reset`].
    pub fn force_reset(mut self, yes: bool) -> Self {
        self.force_reset = yes;
        self
    }

    /// Sets [`PoolConfig::clock`].
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
}
