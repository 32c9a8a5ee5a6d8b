//! The poison-tolerant lock of the client's std mutexes.

use std::sync::{Mutex, MutexGuard};

/// Locks a std mutex whose data stays consistent even if a holder panicked
/// (each critical section is a few field assignments).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
