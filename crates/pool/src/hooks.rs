//! Callbacks for embedders.

use std::fmt;
use std::sync::Arc;

type Hook<C> = Arc<dyn Fn(&C) + Send + Sync>;

/// Callbacks run synchronously at points of a connection's life. Keep them
/// short: they run on the task that triggered them (inside `acquire` or the
/// release of a connection).
///
/// py2neo's pool hooks by the same names: `on_bind` when a connection is
/// lent (py2neo binds a transaction to it), `on_unbind` when the lease
/// ends, whatever the connection's state, then `on_release` if it goes
/// back to the pool or `on_broken` if it is broken. The `init_size`
/// connections a pool opens at start are lent and returned once to do so,
/// so they pass through `on_create`, `on_bind`, `on_unbind` and
/// `on_release` too.
pub struct Hooks<C> {
    pub(crate) on_create: Option<Hook<C>>,
    pub(crate) on_bind: Option<Hook<C>>,
    pub(crate) on_unbind: Option<Hook<C>>,
    pub(crate) on_broken: Option<Hook<C>>,
    pub(crate) on_release: Option<Hook<C>>,
}

impl<C> Default for Hooks<C> {
    fn default() -> Self {
        Hooks {
            on_create: None,
            on_bind: None,
            on_unbind: None,
            on_broken: None,
            on_release: None,
        }
    }
}

impl<C> Clone for Hooks<C> {
    fn clone(&self) -> Self {
        Hooks {
            on_create: self.on_create.clone(),
            on_bind: self.on_bind.clone(),
            on_unbind: self.on_unbind.clone(),
            on_broken: self.on_broken.clone(),
            on_release: self.on_release.clone(),
        }
    }
}

impl<C> fmt::Debug for Hooks<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hooks")
            .field("on_create", &self.on_create.is_some())
            .field("on_bind", &self.on_bind.is_some())
            .field("on_unbind", &self.on_unbind.is_some())
            .field("on_broken", &self.on_broken.is_some())
            .field("on_release", &self.on_release.is_some())
            .finish()
    }
}

impl<C> Hooks<C> {
    /// No hooks.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs after a new connection opened, before it is first lent out.
    pub fn on_create(mut self, f: impl Fn(&C) + Send + Sync + 'static) -> Self {
        self.on_create = Some(Arc::new(f));
        self
    }

    /// Runs each time a connection is lent (new or idle), once it is ready
    /// for its user.
    pub fn on_bind(mut self, f: impl Fn(&C) + Send + Sync + 'static) -> Self {
        self.on_bind = Some(Arc::new(f));
        self
    }

    /// Runs each time a lease ends (the guard is dropped or released),
    /// before the pool looks at the connection's state.
    pub fn on_unbind(mut self, f: impl Fn(&C) + Send + Sync + 'static) -> Self {
        self.on_unbind = Some(Arc::new(f));
        self
    }

    /// Runs when a connection is found broken (on release or acquisition),
    /// just before it is closed.
    pub fn on_broken(mut self, f: impl Fn(&C) + Send + Sync + 'static) -> Self {
        self.on_broken = Some(Arc::new(f));
        self
    }

    /// Runs when a healthy connection comes back to the pool.
    pub fn on_release(mut self, f: impl Fn(&C) + Send + Sync + 'static) -> Self {
        self.on_release = Some(Arc::new(f));
        self
    }
}
