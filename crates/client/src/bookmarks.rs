//! Bookmarks and bookmark managers: causal consistency across sessions.
//!
//! A bookmark names a point in a database's transaction history. A session
//! started with a bookmark waits until the server it works on has caught up
//! to it, so it reads what the bookmarked work wrote. A session ends with
//! the bookmark of its last transaction ([`Session::last_bookmarks`]);
//! bookmarks [combine](Bookmarks::combine) to wait for several.
//!
//! A [`BookmarkManager`] does that bookkeeping for a group of sessions: each
//! session starts with the manager's bookmarks and hands its new ones back.
//!
//! [`Session::last_bookmarks`]: crate::Session::last_bookmarks

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;

/// A set of bookmarks (opaque strings from the server).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Bookmarks {
    set: BTreeSet<String>,
}

impl Bookmarks {
    /// No bookmarks.
    pub fn new() -> Self {
        Bookmarks::default()
    }

    /// Bookmarks from raw strings (empty strings are skipped).
    pub fn from_raw(values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Bookmarks {
            set: values
                .into_iter()
                .map(Into::into)
                .filter(|s: &String| !s.is_empty())
                .collect(),
        }
    }

    /// The raw strings, sorted.
    pub fn raw_values(&self) -> impl Iterator<Item = &str> {
        self.set.iter().map(String::as_str)
    }

    /// The raw strings as a vector (for the Bolt layer).
    pub(crate) fn to_vec(&self) -> Vec<String> {
        self.set.iter().cloned().collect()
    }

    /// Number of bookmarks.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Both sets together: a session given them waits for all.
    #[must_use]
    pub fn combine(mut self, other: &Bookmarks) -> Bookmarks {
        self.set.extend(other.set.iter().cloned());
        self
    }

    /// Removes the given bookmarks.
    pub(crate) fn remove_all(&mut self, other: &Bookmarks) {
        for b in &other.set {
            self.set.remove(b);
        }
    }
}

impl<S: Into<String>> FromIterator<S> for Bookmarks {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Bookmarks::from_raw(iter)
    }
}

impl std::ops::Add for Bookmarks {
    type Output = Bookmarks;
    fn add(self, rhs: Bookmarks) -> Bookmarks {
        self.combine(&rhs)
    }
}

/// Keeps the bookmarks of a group of sessions: sessions configured with the
/// manager start from [`get_bookmarks`](BookmarkManager::get_bookmarks) and
/// report each transaction's outcome with
/// [`update_bookmarks`](BookmarkManager::update_bookmarks).
///
/// Implementations must be quick and must not use the driver (a deadlock
/// otherwise waits for the connection the session holds).
pub trait BookmarkManager: Send + Sync + fmt::Debug {
    /// The bookmarks a new transaction must wait for.
    fn get_bookmarks(&self) -> BoxFuture<'_, Bookmarks>;

    /// A transaction that started from `previous` ended with `new`: the new
    /// bookmark supersedes the previous ones.
    fn update_bookmarks<'a>(
        &'a self,
        previous: &'a Bookmarks,
        new: &'a Bookmarks,
    ) -> BoxFuture<'a, ()>;
}

/// Supplies extra bookmarks to [`Neo4jBookmarkManager::get_bookmarks`].
pub type BookmarksSupplier = Arc<dyn Fn() -> BoxFuture<'static, Bookmarks> + Send + Sync>;
/// Receives the manager's bookmarks after every update.
pub type BookmarksConsumer = Arc<dyn Fn(Bookmarks) -> BoxFuture<'static, ()> + Send + Sync>;

/// The default [`BookmarkManager`]: keeps the latest bookmarks in memory.
/// Optionally starts from initial bookmarks, asks a supplier for more on
/// every `get`, and tells a consumer the new set after every update.
#[derive(Default)]
pub struct Neo4jBookmarkManager {
    bookmarks: Mutex<Bookmarks>,
    supplier: Option<BookmarksSupplier>,
    consumer: Option<BookmarksConsumer>,
}

impl fmt::Debug for Neo4jBookmarkManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Neo4jBookmarkManager")
            .field("bookmarks", &self.current())
            .field("supplier", &self.supplier.is_some())
            .field("consumer", &self.consumer.is_some())
            .finish()
    }
}

impl Neo4jBookmarkManager {
    /// A manager with no bookmarks yet.
    pub fn new() -> Self {
        Neo4jBookmarkManager::default()
    }

    /// Starts from these bookmarks.
    pub fn with_initial_bookmarks(self, bookmarks: Bookmarks) -> Self {
        *self.lock() = bookmarks;
        self
    }

    /// Adds the supplier's bookmarks to every `get_bookmarks` (e.g. from
    /// another process).
    pub fn with_supplier<F, Fut>(mut self, supplier: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Bookmarks> + Send + 'static,
    {
        self.supplier = Some(Arc::new(move || Box::pin(supplier())));
        self
    }

    /// Hands the current bookmarks to the consumer after every update
    /// (e.g. to share them with another process).
    pub fn with_consumer<F, Fut>(mut self, consumer: F) -> Self
    where
        F: Fn(Bookmarks) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.consumer = Some(Arc::new(move |b| Box::pin(consumer(b))));
        self
    }

    /// The bookmarks held now (without the supplier's).
    pub fn current(&self) -> Bookmarks {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Bookmarks> {
        // Every critical section is a single set operation: a panic cannot
        // leave the set half-updated, so a poisoned lock is still usable.
        boltline_pool::sync::lock(&self.bookmarks)
    }
}

impl BookmarkManager for Neo4jBookmarkManager {
    fn get_bookmarks(&self) -> BoxFuture<'_, Bookmarks> {
        Box::pin(async move {
            let mut current = self.current();
            if let Some(supplier) = &self.supplier {
                current = current.combine(&supplier().await);
            }
            current
        })
    }

    fn update_bookmarks<'a>(
        &'a self,
        previous: &'a Bookmarks,
        new: &'a Bookmarks,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if new.is_empty() {
                return;
            }
            let now = {
                let mut held = self.lock();
                held.remove_all(previous);
                held.set.extend(new.set.iter().cloned());
                held.clone()
            };
            if let Some(consumer) = &self.consumer {
                consumer(now).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookmarks_combine_and_skip_empty() {
        let a = Bookmarks::from_raw(["b1", "", "b2"]);
        assert_eq!(a.len(), 2);
        let b: Bookmarks = ["b2", "b3"].into_iter().collect();
        let all = a.clone() + b.clone();
        assert_eq!(all.raw_values().collect::<Vec<_>>(), ["b1", "b2", "b3"]);
        assert_eq!(a.combine(&Bookmarks::new()).len(), 2);
        assert!(Bookmarks::new().is_empty());
    }

    #[tokio::test]
    async fn manager_replaces_previous_with_new() {
        let m = Neo4jBookmarkManager::new().with_initial_bookmarks(Bookmarks::from_raw(["a"]));
        let start = m.get_bookmarks().await;
        assert_eq!(start, Bookmarks::from_raw(["a"]));
        m.update_bookmarks(&start, &Bookmarks::from_raw(["b"]))
            .await;
        assert_eq!(m.get_bookmarks().await, Bookmarks::from_raw(["b"]));
        // A transaction that ended without a bookmark changes nothing.
        m.update_bookmarks(&Bookmarks::from_raw(["b"]), &Bookmarks::new())
            .await;
        assert_eq!(m.current(), Bookmarks::from_raw(["b"]));
        // Another session's concurrent work is kept.
        m.update_bookmarks(&Bookmarks::new(), &Bookmarks::from_raw(["c"]))
            .await;
        assert_eq!(m.current(), Bookmarks::from_raw(["b", "c"]));
    }

    #[tokio::test]
    async fn supplier_and_consumer() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let m = Neo4jBookmarkManager::new()
            .with_supplier(|| async { Bookmarks::from_raw(["remote"]) })
            .with_consumer(move |b| {
                let sink = sink.clone();
                async move { sink.lock().unwrap().push(b) }
            });
        assert_eq!(m.get_bookmarks().await, Bookmarks::from_raw(["remote"]));
        assert_eq!(m.current(), Bookmarks::new());
        m.update_bookmarks(&Bookmarks::new(), &Bookmarks::from_raw(["x"]))
            .await;
        assert_eq!(*seen.lock().unwrap(), vec![Bookmarks::from_raw(["x"])]);
    }
}
