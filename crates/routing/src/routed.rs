//! What an acquisition asks for, and the connection it gets.

use std::fmt;
use std::ops::{Deref, DerefMut};

use boltline_bolt::{AccessMode, Address};
use boltline_pool::{AuthScope, BoltConnection, BoltManager, Pooled};

use crate::HomeDbKey;

/// What [`Connector::acquire_with`](crate::Connector::acquire_with) asks for.
#[derive(Debug, Clone, Default)]
pub struct AcquireOptions {
    /// The database; `None` for the user's home database.
    pub database: Option<String>,
    /// Read (a reader) or write (a writer).
    pub mode: AccessMode,
    /// Bookmarks any `ROUTE` sent for this acquisition carries, so the
    /// table reflects the work they stand for.
    pub bookmarks: Vec<String>,
    /// The user to impersonate: their home database is resolved, and they
    /// key the home-database cache.
    pub imp_user: Option<String>,
    /// For sessions with credentials of their own: who they log in as
    /// (keys the home-database cache; the client re-authenticates the
    /// connection itself).
    pub session_user: Option<String>,
    /// The credentials every connection lent for this acquisition is
    /// logged in with (the `ROUTE` connections of discovery included);
    /// `None`: the connector's configured ones. `Debug` shows no secret.
    pub auth: Option<AuthScope>,
}

impl AcquireOptions {
    /// Options for `mode` on the home database.
    pub fn new(mode: AccessMode) -> Self {
        AcquireOptions {
            mode,
            ..AcquireOptions::default()
        }
    }

    /// Sets the database.
    pub fn with_database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// Sets the bookmarks.
    pub fn with_bookmarks(
        mut self,
        bookmarks: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.bookmarks = bookmarks.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the impersonated user.
    pub fn with_imp_user(mut self, user: impl Into<String>) -> Self {
        self.imp_user = Some(user.into());
        self
    }

    /// Sets the credentials of this acquisition.
    pub fn with_auth(mut self, auth: AuthScope) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Sets the session's own user.
    pub fn with_session_user(mut self, user: impl Into<String>) -> Self {
        self.session_user = Some(user.into());
        self
    }

    /// Whose home database this acquisition is about: the impersonated
    /// user, else the session's user, else the connector's.
    pub fn home_db_key(&self) -> HomeDbKey {
        match (&self.imp_user, &self.session_user) {
            (Some(u), _) => HomeDbKey::Impersonated(u.clone()),
            (None, Some(u)) => HomeDbKey::User(u.clone()),
            (None, None) => HomeDbKey::Driver,
        }
    }
}

/// How the connection's database was chosen, for home-database requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HomeDb {
    pub(crate) key: HomeDbKey,
    pub(crate) guessed: bool,
}

/// A connection lent by a [`Connector`](crate::Connector) to one server of
/// the cluster; dereferences to the Bolt connection and goes back to that
/// server's pool when dropped.
#[must_use = "dropping the connection returns it to its pool at once"]
pub struct RoutedConnection {
    pub(crate) conn: Pooled<BoltManager>,
    pub(crate) address: Address,
    pub(crate) database: String,
    pub(crate) mode: AccessMode,
    pub(crate) home: Option<HomeDb>,
}

impl RoutedConnection {
    /// The server, as the routing table names it. Pass it to
    /// [`Connector::on_error`](crate::Connector::on_error) when work on
    /// this connection fails.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The database whose routing table chose the server; empty for the
    /// home database when the server did not name it (then no database is
    /// named in `BEGIN`/`RUN` either).
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The access mode it was acquired for.
    pub fn mode(&self) -> AccessMode {
        self.mode
    }

    /// Whether no database was named (the home database was wanted).
    pub fn is_home_database(&self) -> bool {
        self.home.is_some()
    }

    /// Whether [`database`](RoutedConnection::database) is the cached guess
    /// of the home database rather than a name just resolved. Then the
    /// client sends no `db` in `BEGIN`/`RUN` (the server picks the home
    /// database and, when it routes server-side, forwards the work) and
    /// reports the `db` of the reply with
    /// [`Connector::home_database_seen`](crate::Connector::home_database_seen).
    /// Otherwise the client may pin the session to the resolved name.
    pub fn database_is_guess(&self) -> bool {
        self.home.as_ref().is_some_and(|h| h.guessed)
    }

    /// Whose home database it is about, for home-database acquisitions.
    pub fn home_db_key(&self) -> Option<&HomeDbKey> {
        self.home.as_ref().map(|h| &h.key)
    }

    /// The pool guard, without the routing details.
    pub fn into_pooled(self) -> Pooled<BoltManager> {
        self.conn
    }

    /// The pool guard, borrowed (its age, whether the lease began with a
    /// round trip, [`Pooled::ensure_alive`]).
    pub fn pooled_mut(&mut self) -> &mut Pooled<BoltManager> {
        &mut self.conn
    }
}

impl Deref for RoutedConnection {
    type Target = BoltConnection;
    fn deref(&self) -> &BoltConnection {
        &self.conn
    }
}

impl DerefMut for RoutedConnection {
    fn deref_mut(&mut self) -> &mut BoltConnection {
        &mut self.conn
    }
}

impl fmt::Debug for RoutedConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoutedConnection")
            .field("address", &format_args!("{}", self.address))
            .field("database", &self.database)
            .field("mode", &self.mode)
            .field("home", &self.home)
            .field("connection", &*self.conn)
            .finish()
    }
}

/// What [`Connector::on_error`](crate::Connector::on_error) did about an
/// error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorAction {
    /// Nothing: the error says nothing about the server's role.
    None,
    /// The connection broke, or the server could not serve the database
    /// (`DatabaseUnavailable`): the server was removed from every routing
    /// table and its idle connections closed.
    ServerRemoved,
    /// The server is no longer a writer of the database (`NotALeader`,
    /// `ForbiddenOnReadOnlyDatabase`): it was removed as a writer.
    WriterRemoved,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_db_keys() {
        let o = AcquireOptions::new(AccessMode::Read);
        assert_eq!(o.home_db_key(), HomeDbKey::Driver);
        let o = o.with_session_user("ann");
        assert_eq!(o.home_db_key(), HomeDbKey::User("ann".into()));
        let o = o
            .with_imp_user("bob")
            .with_bookmarks(["b"])
            .with_database("x");
        assert_eq!(o.home_db_key(), HomeDbKey::Impersonated("bob".into()));
        assert_eq!(o.bookmarks, ["b"]);
        assert_eq!(o.database.as_deref(), Some("x"));
    }
}
