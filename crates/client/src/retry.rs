//! The retry policy of managed transactions: which errors are retried and
//! how long to wait in between. Pure, so it is tested without a server.
//!
//! As in the official drivers: the first retry waits about a second, each
//! further one twice as long, every delay spread by ±20 % (so clients that
//! failed together do not retry together), and retrying stops once the
//! configured time (`max_transaction_retry_time`, default 30 s) has passed
//! since the first attempt. A retry whose delay would end after that time
//! is not made: the last error is returned at once.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::Error;

/// Delays and limits of managed-transaction retries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RetryPolicy {
    /// Retrying stops once this much time has passed since the first try.
    pub(crate) max_retry_time: Duration,
    /// The delay before the first retry (before jitter).
    pub(crate) initial_delay: Duration,
    /// Each retry waits this many times longer than the one before.
    pub(crate) multiplier: f64,
    /// Relative spread of each delay: 0.2 gives ±20 %.
    pub(crate) jitter: f64,
}

impl RetryPolicy {
    /// The official drivers' policy within `max_retry_time`.
    pub(crate) fn new(max_retry_time: Duration) -> Self {
        RetryPolicy {
            max_retry_time,
            initial_delay: Duration::from_secs(1),
            multiplier: 2.0,
            jitter: 0.2,
        }
    }

    /// The delay before retry number `retry` (0 for the first), with
    /// `random` in `[0, 1)` choosing the point within the jitter range.
    pub(crate) fn delay(&self, retry: u32, random: f64) -> Duration {
        // Capped exponent: 2^30 s is past any sensible retry time, and the
        // cap keeps the float finite.
        let exp = self
            .multiplier
            .powi(i32::try_from(retry.min(30)).unwrap_or(30));
        let base = self.initial_delay.as_secs_f64() * exp;
        let spread = base * self.jitter;
        let secs = base - spread + 2.0 * spread * random.clamp(0.0, 1.0);
        Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(self.max_retry_time)
    }

    /// The delay before running the work again after `error` (retry number
    /// `retry`, 0 for the first), `elapsed` after the first attempt began;
    /// `None` to stop: the error is not retryable, or the delay would end
    /// after the budget.
    pub(crate) fn next_delay(
        &self,
        error: &Error,
        retry: u32,
        elapsed: Duration,
        random: f64,
    ) -> Option<Duration> {
        if !self.should_retry(error, elapsed) {
            return None;
        }
        let delay = self.delay(retry, random);
        (elapsed.saturating_add(delay) <= self.max_retry_time).then_some(delay)
    }

    /// Whether to run the work again after `error`, `elapsed` after the
    /// first attempt began.
    pub(crate) fn should_retry(&self, error: &Error, elapsed: Duration) -> bool {
        error.is_retryable() && elapsed < self.max_retry_time
    }
}

/// A number in `[0, 1)` from the standard library's per-process random
/// hasher keys: enough for jitter, without a dependency.
pub(crate) fn random_unit() -> f64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9_7f4a_7c15);
    // 53 random bits make an exactly representable f64 in [0, 1).
    let bits = h.finish() >> 11;
    #[allow(clippy::cast_precision_loss)] // 53 bits fit an f64 mantissa exactly
    let unit = bits as f64 / (1u64 << 53) as f64;
    unit
}

#[cfg(test)]
mod tests {
    use super::*;
    use boltline_bolt::ServerError;

    #[test]
    fn delays_grow_exponentially_within_jitter() {
        let p = RetryPolicy::new(Duration::from_secs(30));
        assert_eq!(p.delay(0, 0.5), Duration::from_secs(1));
        assert_eq!(p.delay(1, 0.5), Duration::from_secs(2));
        assert_eq!(p.delay(3, 0.5), Duration::from_secs(8));
        assert_eq!(p.delay(0, 0.0), Duration::from_millis(800));
        let top = p.delay(0, 0.999_999);
        assert!(top > Duration::from_millis(1199) && top <= Duration::from_millis(1200));
        assert_eq!(p.delay(2, 0.0), Duration::from_millis(3200));
        // Huge retry counts stay finite.
        assert!(p.delay(u32::MAX, 1.0) > Duration::from_secs(1_000_000));
    }

    #[test]
    fn no_delay_ends_past_the_budget() {
        let p = RetryPolicy::new(Duration::from_secs(30));
        let lost = Error::from(boltline_bolt::Error::ConnectionClosed { during: "PULL" });
        // The case seen: retry 6 (about 32 s) at 29 s elapsed.
        assert_eq!(p.next_delay(&lost, 5, Duration::from_secs(29), 0.5), None);
        // A delay that ends exactly at the budget is still made.
        assert_eq!(
            p.next_delay(&lost, 0, Duration::from_secs(29), 0.5),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            p.next_delay(&lost, 1, Duration::from_millis(28_100), 0.5),
            None
        );
        assert_eq!(
            p.next_delay(&lost, 1, Duration::from_secs(3), 0.0),
            Some(Duration::from_millis(1600))
        );
        let syntax = Error::from(ServerError::new(
            "Neo.ClientError.Statement.SyntaxError",
            "x",
        ));
        assert_eq!(p.next_delay(&syntax, 0, Duration::ZERO, 0.5), None);
    }

    #[test]
    fn random_is_in_range_and_varies() {
        let xs: Vec<f64> = (0..32).map(|_| random_unit()).collect();
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        assert!(xs.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn what_is_retried() {
        let p = RetryPolicy::new(Duration::from_secs(30));
        let transient = Error::from(ServerError::new(
            "Neo.TransientError.Transaction.LockClientStopped",
            "x",
        ));
        // Rewritten to a client error: the user stopped it; never retried.
        assert!(!p.should_retry(&transient, Duration::ZERO));
        let deadlock = Error::from(ServerError::new(
            "Neo.TransientError.Transaction.DeadlockDetected",
            "x",
        ));
        assert!(p.should_retry(&deadlock, Duration::from_secs(29)));
        assert!(!p.should_retry(&deadlock, Duration::from_secs(30)));
        let leader = Error::from(ServerError::new("Neo.ClientError.Cluster.NotALeader", "x"));
        assert!(p.should_retry(&leader, Duration::ZERO));
        let lost = Error::from(boltline_bolt::Error::ConnectionClosed { during: "PULL" });
        assert!(p.should_retry(&lost, Duration::ZERO));
        let syntax = Error::from(ServerError::new(
            "Neo.ClientError.Statement.SyntaxError",
            "x",
        ));
        assert!(!p.should_retry(&syntax, Duration::ZERO));
        assert!(!p.should_retry(&Error::user("app error"), Duration::ZERO));
        assert!(!p.should_retry(
            &Error::IncompleteCommit(std::sync::Arc::new(boltline_bolt::Error::Defunct(
                boltline_bolt::DefunctCause::Broken("test".into()),
            ))),
            Duration::ZERO
        ));
    }
}
