//! Counters the pool keeps, and the snapshot it reports.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::Duration;

use crate::export::Export;
#[cfg(feature = "metrics")]
use crate::export::Gauges;

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
    /// The `metrics` export (feature `metrics`; nothing otherwise).
    pub export: Export,
    /// Acquisitions under way (waiting for, or opening, a connection).
    pub pending: AtomicUsize,
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
    /// Counters for a pool called `name` in metrics.
    pub fn new(name: String) -> Counters {
        Counters {
            export: Export::new(name),
            ..Counters::default()
        }
    }

    /// A connection was opened.
    pub fn count_created(&self) {
        self.created.fetch_add(1, Relaxed);
        self.export.created();
    }

    /// A connection was closed.
    pub fn count_closed(&self) {
        self.closed.fetch_add(1, Relaxed);
        self.export.closed();
    }

    /// A connection was found broken.
    pub fn count_broken(&self) {
        self.broken.fetch_add(1, Relaxed);
        self.export.broken();
    }

    /// An acquisition timed out.
    pub fn count_timed_out(&self) {
        self.timed_out.fetch_add(1, Relaxed);
        self.export.timed_out();
    }

    /// Publishes the gauges for a pool of `size` connections.
    #[cfg(feature = "metrics")]
    pub fn publish(&self, size: usize, max: usize) {
        let in_use = self.in_use.load(Relaxed);
        self.export.gauges(Gauges {
            idle: size.saturating_sub(in_use),
            in_use,
            waiting: self.pending.load(Relaxed),
            max,
        });
    }

    pub fn record_wait(&self, waited: Duration) {
        self.export.waited(waited);
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
