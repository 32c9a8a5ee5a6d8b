//! Counters the pool keeps, and the snapshot it reports.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

/// A snapshot of the pool's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolStats {
    /// Connections open, in use and idle.
    pub size: usize,
    /// Connections lent out.
    pub in_use: usize,
    /// Connections open and waiting in the pool.
    pub idle: usize,
    /// The size limit.
    pub max_size: usize,
    /// Tasks waiting for a connection.
    pub waiting: usize,
    /// Connections opened since the pool was built.
    pub created: u64,
    /// Connections closed since the pool was built (broken, expired,
    /// pruned, failed a reset or liveness check, or the pool closed).
    pub closed: u64,
    /// Connections found broken on release or acquisition.
    pub broken: u64,
    /// Successful acquisitions.
    pub acquired: u64,
    /// Acquisitions that gave up with [`PoolError::Unavailable`](crate::PoolError).
    pub timed_out: u64,
    /// Total time spent in successful acquisitions.
    pub acquire_wait_total: Duration,
    /// Longest single successful acquisition.
    pub acquire_wait_max: Duration,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub in_use: AtomicUsize,
    pub created: AtomicU64,
    pub closed: AtomicU64,
    pub broken: AtomicU64,
    pub acquired: AtomicU64,
    pub timed_out: AtomicU64,
    pub wait_total_ns: AtomicU64,
    pub wait_max_ns: AtomicU64,
}

impl Counters {
    pub fn record_wait(&self, waited: Duration) {
        let ns = u64::try_from(waited.as_nanos()).unwrap_or(u64::MAX);
        self.acquired.fetch_add(1, Relaxed);
        self.wait_total_ns.fetch_add(ns, Relaxed);
        self.wait_max_ns.fetch_max(ns, Relaxed);
    }

    pub fn fill(&self, stats: &mut PoolStats) {
        stats.in_use = self.in_use.load(Relaxed);
        stats.created = self.created.load(Relaxed);
        stats.closed = self.closed.load(Relaxed);
        stats.broken = self.broken.load(Relaxed);
        stats.acquired = self.acquired.load(Relaxed);
        stats.timed_out = self.timed_out.load(Relaxed);
        stats.acquire_wait_total = Duration::from_nanos(self.wait_total_ns.load(Relaxed));
        stats.acquire_wait_max = Duration::from_nanos(self.wait_max_ns.load(Relaxed));
    }
}
