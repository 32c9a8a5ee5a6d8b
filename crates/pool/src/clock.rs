//! The clock the pool (and the layers above it) read ages and lifetimes from.
//!
//! Connection lifetimes, idle times, routing-table TTLs and token expiry are
//! measured against a [`Clock`]. Normally that is the system's monotonic clock;
//! a test (or a conformance harness) can give the stack a clock backed by a
//! `FakeTime` it controls, freeze it, and move it forward by hand, so that
//! "one hour later" takes no time at all. Timers that bound waiting (the
//! acquisition timeout, socket timeouts) keep running on real time.
//!
//! `FakeTime` and `Clock::fake` exist only with the `test-util` feature:
//! they are for tests, not part of the production API.

use std::fmt;
#[cfg(any(test, feature = "test-util"))]
use std::sync::{Arc, Mutex};

#[cfg(any(test, feature = "test-util"))]
use crate::sync::lock;
use std::time::{Duration, Instant};

/// A source of monotonic time: the system clock, or (with the `test-util`
/// feature) a `FakeTime`.
///
/// Cheap to clone; clones share the same `FakeTime`.
#[derive(Clone, Default)]
pub struct Clock {
    #[cfg(any(test, feature = "test-util"))]
    fake: Option<Arc<FakeTime>>,
}

impl Clock {
    /// The system's monotonic clock ([`Instant::now`]).
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that follows `fake`: real time until it is frozen, then the
    /// frozen instant plus whatever it was advanced by. For tests: only with
    /// the `test-util` feature.
    #[cfg(any(test, feature = "test-util"))]
    pub fn fake(fake: Arc<FakeTime>) -> Clock {
        Clock { fake: Some(fake) }
    }

    /// The current instant of this clock.
    pub fn now(&self) -> Instant {
        #[cfg(any(test, feature = "test-util"))]
        if let Some(f) = &self.fake {
            return f.now();
        }
        Instant::now()
    }

    /// Time passed since `earlier` on this clock (zero if `earlier` is later).
    pub fn elapsed_since(&self, earlier: Instant) -> Duration {
        self.now().saturating_duration_since(earlier)
    }

    /// True when this is the system clock.
    pub fn is_system(&self) -> bool {
        #[cfg(any(test, feature = "test-util"))]
        return self.fake.is_none();
        #[cfg(not(any(test, feature = "test-util")))]
        true
    }
}

impl PartialEq for Clock {
    fn eq(&self, other: &Clock) -> bool {
        #[cfg(any(test, feature = "test-util"))]
        return match (&self.fake, &other.fake) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        #[cfg(not(any(test, feature = "test-util")))]
        {
            let _ = other;
            true
        }
    }
}

impl Eq for Clock {}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[cfg(any(test, feature = "test-util"))]
        if let Some(t) = &self.fake {
            return f.debug_tuple("Clock::Fake").field(t).finish();
        }
        f.write_str("Clock::System")
    }
}

/// Hand-controlled time for [`Clock::fake`] (feature `test-util`).
///
/// Runs with real time until [`FakeTime::freeze`]; from then on time stands
/// still except for [`FakeTime::advance`]. [`FakeTime::release`] returns to
/// real time.
#[cfg(any(test, feature = "test-util"))]
#[derive(Debug, Default)]
pub struct FakeTime {
    /// `Some((frozen at, advanced by))` while frozen.
    frozen: Mutex<Option<(Instant, Duration)>>,
}

#[cfg(any(test, feature = "test-util"))]
impl FakeTime {
    /// Real time, not frozen yet.
    pub fn new() -> FakeTime {
        FakeTime::default()
    }

    /// Stops time at the current instant (a no-op when already frozen).
    pub fn freeze(&self) {
        let mut g = lock(&self.frozen);
        if g.is_none() {
            *g = Some((Instant::now(), Duration::ZERO));
        }
    }

    /// Moves frozen time forward by `by` (freezing it first if needed).
    pub fn advance(&self, by: Duration) {
        let mut g = lock(&self.frozen);
        let (at, advanced) = g.get_or_insert_with(|| (Instant::now(), Duration::ZERO));
        *g = Some((*at, advanced.saturating_add(by)));
    }

    /// Lets time run with the system clock again.
    pub fn release(&self) {
        *lock(&self.frozen) = None;
    }

    /// True while frozen.
    pub fn is_frozen(&self) -> bool {
        lock(&self.frozen).is_some()
    }

    /// The current fake instant.
    pub fn now(&self) -> Instant {
        match *lock(&self.frozen) {
            None => Instant::now(),
            // An advance too large for `Instant` saturates at the frozen
            // instant plus the largest representable step.
            Some((at, by)) => at.checked_add(by).unwrap_or(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_time_stands_still_until_advanced() {
        let fake = Arc::new(FakeTime::new());
        let clock = Clock::fake(fake.clone());
        fake.freeze();
        let t0 = clock.now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now(), t0);
        fake.advance(Duration::from_secs(3600));
        assert_eq!(clock.elapsed_since(t0), Duration::from_secs(3600));
        fake.release();
        assert!(!fake.is_frozen());
        assert!(clock.now() >= t0);
    }

    #[test]
    fn clocks_compare_by_source() {
        let fake = Arc::new(FakeTime::new());
        assert_eq!(Clock::system(), Clock::default());
        assert_eq!(Clock::fake(fake.clone()), Clock::fake(fake));
        assert_ne!(Clock::system(), Clock::fake(Arc::new(FakeTime::new())));
        assert!(Clock::system().is_system());
    }
}
