//! Session settings.

use std::fmt;
use std::sync::Arc;

use boltline_bolt::{AccessMode, AuthToken, NotificationFilter};

use crate::bookmarks::{BookmarkManager, Bookmarks};
use crate::config::FetchSize;

/// Settings of a session. Build with [`SessionConfig::new`] and the
/// `with_*` methods.
#[derive(Clone, Default)]
pub struct SessionConfig {
    pub(crate) database: Option<String>,
    pub(crate) access_mode: AccessMode,
    pub(crate) bookmarks: Bookmarks,
    pub(crate) bookmark_manager: Option<Arc<dyn BookmarkManager>>,
    pub(crate) fetch_size: Option<FetchSize>,
    pub(crate) impersonated_user: Option<String>,
    pub(crate) auth: Option<AuthToken>,
    pub(crate) notification_filter: Option<NotificationFilter>,
}

impl fmt::Debug for SessionConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionConfig")
            .field("database", &self.database)
            .field("access_mode", &self.access_mode)
            .field("bookmarks", &self.bookmarks)
            .field("bookmark_manager", &self.bookmark_manager.is_some())
            .field("fetch_size", &self.fetch_size)
            .field("impersonated_user", &self.impersonated_user)
            // The token's Debug hides its secret; show only the scheme.
            .field("auth", &self.auth.as_ref().map(AuthToken::scheme))
            .field("notification_filter", &self.notification_filter)
            .finish()
    }
}

impl SessionConfig {
    /// The defaults: the home database, write access, no bookmarks.
    pub fn new() -> Self {
        SessionConfig::default()
    }

    /// The database to work on (default: the user's home database). Naming
    /// it saves a round trip on clusters.
    pub fn with_database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// The access mode of `run` and `begin_transaction` (default write):
    /// clusters send reads to followers.
    pub fn with_default_access_mode(mut self, mode: AccessMode) -> Self {
        self.access_mode = mode;
        self
    }

    /// Bookmarks the session's first transaction waits for.
    pub fn with_bookmarks(mut self, bookmarks: Bookmarks) -> Self {
        self.bookmarks = bookmarks;
        self
    }

    /// A bookmark manager shared with other sessions (e.g.
    /// [`Driver::query_bookmark_manager`](crate::Driver::query_bookmark_manager)).
    pub fn with_bookmark_manager(mut self, manager: Arc<dyn BookmarkManager>) -> Self {
        self.bookmark_manager = Some(manager);
        self
    }

    /// Records per batch for this session's queries (default: the
    /// driver's [`Config::fetch_size`](crate::Config::fetch_size)).
    pub fn with_fetch_size(mut self, n: FetchSize) -> Self {
        self.fetch_size = Some(n);
        self
    }

    /// Runs the work as another user (needs the `IMPERSONATE` privilege).
    pub fn with_impersonated_user(mut self, user: impl Into<String>) -> Self {
        self.impersonated_user = Some(user.into());
        self
    }

    /// Credentials of this session instead of the driver's (Bolt 5.1+; the
    /// connection re-authenticates).
    pub fn with_auth(mut self, auth: AuthToken) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Which notifications the server sends for this session's work.
    pub fn with_notification_filter(mut self, filter: NotificationFilter) -> Self {
        self.notification_filter = Some(filter);
        self
    }
}
