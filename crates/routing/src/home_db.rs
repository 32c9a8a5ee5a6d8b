//! The home-database cache: which database each user lands in when no
//! database is named.
//!
//! A user's home database is resolved by a `ROUTE` with no `db` (the reply's
//! `rt.db` names it; with `imp_user`, the impersonated user's), and since
//! Bolt 5.8 by the `db` field of `BEGIN`/`RUN` replies. The official drivers
//! cache it per user so that, when the cluster routes server-side (the
//! `ssr.enabled` hint), work can go straight to the cached database's
//! servers without a `ROUTE` first. Time is passed in, as for tables.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Whose home database an entry is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HomeDbKey {
    /// The user the connector's own credentials log in as.
    Driver,
    /// An impersonated user (`imp_user`).
    Impersonated(String),
    /// A user authenticated per session (with credentials of its own); the
    /// client chooses the string (e.g. the principal).
    User(String),
}

#[derive(Debug, Clone)]
struct Entry {
    database: String,
    stored: Instant,
    used: Instant,
}

/// A bounded cache from user to home-database name.
#[derive(Debug, Clone)]
pub struct HomeDbCache {
    entries: HashMap<HomeDbKey, Entry>,
    max_size: usize,
    ttl: Option<Duration>,
}

impl Default for HomeDbCache {
    fn default() -> Self {
        HomeDbCache::new(HomeDbCache::DEFAULT_MAX_SIZE, None)
    }
}

impl HomeDbCache {
    /// Default bound on the number of users remembered (the official
    /// drivers' figure).
    pub const DEFAULT_MAX_SIZE: usize = 10_000;

    /// A cache of at most `max_size` users (0 disables it), whose entries
    /// are forgotten `ttl` after they were stored (`None`: kept until
    /// evicted or replaced).
    pub fn new(max_size: usize, ttl: Option<Duration>) -> Self {
        HomeDbCache {
            entries: HashMap::new(),
            max_size,
            ttl,
        }
    }

    /// The cached home database of `key`, unless it expired.
    pub fn get(&mut self, key: &HomeDbKey, now: Instant) -> Option<&str> {
        let expired = match self.entries.get(key) {
            None => return None,
            Some(e) => self
                .ttl
                .is_some_and(|ttl| now.saturating_duration_since(e.stored) >= ttl),
        };
        if expired {
            self.entries.remove(key);
            return None;
        }
        let e = self.entries.get_mut(key)?;
        e.used = now;
        Some(&e.database)
    }

    /// Remembers `database` as `key`'s home database. When full, the least
    /// recently used entry is evicted first.
    pub fn insert(&mut self, key: HomeDbKey, database: impl Into<String>, now: Instant) {
        if self.max_size == 0 {
            return;
        }
        if !self.entries.contains_key(&key) && self.entries.len() >= self.max_size {
            // An O(n) scan, only when full; n is bounded by `max_size`.
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.entries.remove(&k);
            }
        }
        self.entries.insert(
            key,
            Entry {
                database: database.into(),
                stored: now,
                used: now,
            },
        );
    }

    /// Forgets `key`'s entry.
    pub fn remove(&mut self, key: &HomeDbKey) {
        self.entries.remove(key);
    }

    /// Forgets every entry naming `database` (e.g. after the server said it
    /// does not exist).
    pub fn remove_database(&mut self, database: &str) {
        self.entries.retain(|_, e| e.database != database);
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_user_entries() {
        let now = Instant::now();
        let mut c = HomeDbCache::default();
        c.insert(HomeDbKey::Driver, "neo4j", now);
        c.insert(HomeDbKey::Impersonated("bob".into()), "bobs", now);
        assert_eq!(c.get(&HomeDbKey::Driver, now), Some("neo4j"));
        assert_eq!(
            c.get(&HomeDbKey::Impersonated("bob".into()), now),
            Some("bobs")
        );
        assert_eq!(c.get(&HomeDbKey::User("bob".into()), now), None);
        c.insert(HomeDbKey::Driver, "other", now);
        assert_eq!(c.get(&HomeDbKey::Driver, now), Some("other"));
        assert_eq!(c.len(), 2);
        c.remove_database("other");
        assert_eq!(c.get(&HomeDbKey::Driver, now), None);
        c.remove(&HomeDbKey::Impersonated("bob".into()));
        assert!(c.is_empty());
    }

    #[test]
    fn ttl_expires_entries() {
        let t0 = Instant::now();
        let mut c = HomeDbCache::new(10, Some(Duration::from_secs(5)));
        c.insert(HomeDbKey::Driver, "neo4j", t0);
        assert_eq!(
            c.get(&HomeDbKey::Driver, t0 + Duration::from_secs(4)),
            Some("neo4j")
        );
        // Using an entry does not extend its life.
        assert_eq!(c.get(&HomeDbKey::Driver, t0 + Duration::from_secs(5)), None);
        assert!(c.is_empty());
    }

    #[test]
    fn evicts_least_recently_used_when_full() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        let mut c = HomeDbCache::new(2, None);
        c.insert(HomeDbKey::User("a".into()), "a", t0);
        c.insert(HomeDbKey::User("b".into()), "b", t0 + s);
        // `a` used after `b` was stored: `b` is now the least recent.
        assert!(c.get(&HomeDbKey::User("a".into()), t0 + 2 * s).is_some());
        c.insert(HomeDbKey::User("c".into()), "c", t0 + 3 * s);
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(&HomeDbKey::User("b".into()), t0 + 4 * s), None);
        assert_eq!(c.get(&HomeDbKey::User("a".into()), t0 + 4 * s), Some("a"));
        // Replacing an entry never evicts another.
        c.insert(HomeDbKey::User("a".into()), "a2", t0 + 5 * s);
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn size_zero_disables() {
        let now = Instant::now();
        let mut c = HomeDbCache::new(0, None);
        c.insert(HomeDbKey::Driver, "neo4j", now);
        assert_eq!(c.get(&HomeDbKey::Driver, now), None);
    }
}
