//! The workspace's one poison-tolerant lock (used by the crates above this
//! one; not part of the public API).

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a std mutex, recovering the guard if a holder panicked.
///
/// For mutexes whose every critical section leaves the data consistent at
/// each step (single inserts, removes, assignments): a panic elsewhere
/// while holding the lock cannot leave them half-updated, so the data is
/// still usable and one panic does not cascade into every later user.
pub fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_lock_still_yields_its_data() {
        let m = std::sync::Arc::new(Mutex::new(1));
        let m2 = m.clone();
        let _ = std::thread::spawn(move || {
            let _g = m2.lock().unwrap();
            panic!("poison it");
        })
        .join();
        assert!(m.is_poisoned());
        *lock(&m) += 1;
        assert_eq!(*lock(&m), 2);
    }
}
