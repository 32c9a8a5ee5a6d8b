//! Per-connection object registries.
//!
//! Testkit refers to every object it asked the backend to create (drivers,
//! sessions, transactions, results, bookmark managers, auth token managers,
//! client certificate providers, errors) and to every callback request the
//! backend sent by an [`Id`]. One [`Registries`] value holds them all for one
//! testkit connection; dropping it (when the connection ends) frees
//! everything that was left open.
//!
//! The object types are the driver's and come in through [`Handles`]. Until
//! the backend is wired to the `boltline` driver, [`Unwired`] stands in: its
//! types are uninhabited, so the registries that hold driver objects are
//! provably empty.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use boltline_pool::FakeTime;
use tokio::sync::{mpsc, oneshot};

use crate::protocol::{
    AuthToken, AuthTokenAndExpiration, ClientCertificate, Id, Request, Response,
};

/// Hands out ids, unique across all kinds of objects of one connection
/// (testkit expects auth token managers of all kinds to share one id space;
/// sharing one for everything is simplest). Clones share the counter, so
/// driver callbacks running on other tasks draw from the same space.
#[derive(Debug, Clone, Default)]
pub struct IdGenerator {
    last: Arc<AtomicU64>,
}

impl IdGenerator {
    /// The next unused id (the first is 1).
    pub fn next_id(&self) -> Id {
        Id(self.last.fetch_add(1, Ordering::Relaxed).wrapping_add(1))
    }
}

/// A lookup of an id that is not (or no longer) registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no {kind} with id {id}")]
pub struct UnknownId {
    /// What was looked up ("driver", "session", ...).
    pub kind: &'static str,
    /// The id.
    pub id: Id,
}

impl From<UnknownId> for Response {
    fn from(e: UnknownId) -> Response {
        Response::backend_error(e.to_string())
    }
}

/// Objects of one kind, by id.
#[derive(Debug)]
pub struct Registry<T> {
    kind: &'static str,
    items: HashMap<Id, T>,
}

impl<T> Registry<T> {
    /// An empty registry of objects called `kind` in error messages.
    pub fn new(kind: &'static str) -> Self {
        Registry {
            kind,
            items: HashMap::new(),
        }
    }

    /// Registers `item` under a fresh id.
    pub fn insert(&mut self, ids: &IdGenerator, item: T) -> Id {
        let id = ids.next_id();
        self.items.insert(id, item);
        id
    }

    /// Registers `item` under an id drawn beforehand (for objects whose
    /// callbacks must know their own id).
    pub fn insert_with_id(&mut self, id: Id, item: T) {
        self.items.insert(id, item);
    }

    /// The object with this id.
    pub fn get(&self, id: Id) -> Result<&T, UnknownId> {
        self.items.get(&id).ok_or(UnknownId {
            kind: self.kind,
            id,
        })
    }

    /// The object with this id, mutably.
    pub fn get_mut(&mut self, id: Id) -> Result<&mut T, UnknownId> {
        let kind = self.kind;
        self.items.get_mut(&id).ok_or(UnknownId { kind, id })
    }

    /// Unregisters and returns the object with this id.
    pub fn remove(&mut self, id: Id) -> Result<T, UnknownId> {
        self.items.remove(&id).ok_or(UnknownId {
            kind: self.kind,
            id,
        })
    }

    /// Number of registered objects.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether none are registered.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Unregisters and returns every object matching `pred` (e.g. all
    /// sessions of a driver being closed).
    pub fn remove_where(&mut self, mut pred: impl FnMut(&T) -> bool) -> Vec<(Id, T)> {
        let ids: Vec<Id> = self
            .items
            .iter()
            .filter(|(_, v)| pred(v))
            .map(|(k, _)| *k)
            .collect();
        ids.into_iter()
            .filter_map(|id| self.items.remove(&id).map(|v| (id, v)))
            .collect()
    }
}

/// The driver-side types the registries hold. Wiring the backend to the
/// driver means implementing this for types wrapping boltline's `Driver`,
/// `Session`, transactions, results, bookmark managers, auth token managers,
/// client certificate providers and errors.
pub trait Handles {
    /// A driver (plus whatever per-driver state the backend keeps).
    type Driver;
    /// A session (with the id of its driver).
    type Session;
    /// An open transaction, managed or not.
    type Transaction;
    /// A result stream.
    type Result;
    /// A bookmark manager created by `NewBookmarkManager`.
    type BookmarkManager;
    /// An auth token manager of any kind (custom, basic, bearer).
    type AuthTokenManager;
    /// A client certificate provider.
    type ClientCertificateProvider;
    /// A driver error reported to testkit, kept for `RetryableNegative`.
    type Error;

    /// Answers a request that needs the driver (everything
    /// [`Backend::handle`](crate::dispatch::Backend::handle) does not answer
    /// itself). The default says "not wired to the driver yet".
    fn driver_request(
        reg: &mut Registries<Self>,
        request: Request,
    ) -> impl std::future::Future<Output = Response>
    where
        Self: Sized,
    {
        let _ = reg;
        let name = request.name();
        async move { crate::dispatch::not_wired(name) }
    }
}

/// The stand-in until the backend is wired to the driver: no values exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwired {}

impl Handles for Unwired {
    type Driver = Unwired;
    type Session = Unwired;
    type Transaction = Unwired;
    type Result = Unwired;
    type BookmarkManager = Unwired;
    type AuthTokenManager = Unwired;
    type ClientCertificateProvider = Unwired;
    type Error = Unwired;
}

/// Test handles whose every kind of value is `T`.
#[cfg(test)]
pub(crate) struct Uniform<T>(std::marker::PhantomData<T>);

#[cfg(test)]
impl<T> Handles for Uniform<T> {
    type Driver = T;
    type Session = T;
    type Transaction = T;
    type Result = T;
    type BookmarkManager = T;
    type AuthTokenManager = T;
    type ClientCertificateProvider = T;
    type Error = T;
}

/// What kind of callback a pending callback request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackKind {
    /// `ResolverResolutionRequired` / `ResolverResolutionCompleted`.
    Resolver,
    /// `DomainNameResolutionRequired` / `DomainNameResolutionCompleted`.
    DomainNameResolver,
    /// `BookmarksSupplierRequest` / `BookmarksSupplierCompleted`.
    BookmarksSupplier,
    /// `BookmarksConsumerRequest` / `BookmarksConsumerCompleted`.
    BookmarksConsumer,
    /// `AuthTokenManagerGetAuthRequest` / `...Completed`.
    AuthTokenManagerGetAuth,
    /// `AuthTokenManagerHandleSecurityExceptionRequest` / `...Completed`.
    AuthTokenManagerHandleSecurityException,
    /// `BasicAuthTokenProviderRequest` / `...Completed`.
    BasicAuthTokenProvider,
    /// `BearerAuthTokenProviderRequest` / `...Completed`.
    BearerAuthTokenProvider,
    /// `ClientCertificateProviderRequest` / `...Completed`.
    ClientCertificateProvider,
}

/// Testkit's answer to a callback request.
#[derive(Debug, Clone, PartialEq)]
pub enum CallbackReply {
    /// Resolved `host:port` addresses.
    Resolver(Vec<String>),
    /// Resolved IP addresses.
    DomainNameResolver(Vec<String>),
    /// Supplied bookmarks.
    BookmarksSupplier(Vec<String>),
    /// The consumer ran.
    BookmarksConsumer,
    /// A token from a custom manager.
    AuthTokenManagerGetAuth(AuthToken),
    /// Whether a custom manager handled a security error.
    AuthTokenManagerHandleSecurityException(bool),
    /// A token from the basic manager's provider.
    BasicAuthTokenProvider(AuthToken),
    /// A token and lifetime from the bearer manager's provider.
    BearerAuthTokenProvider(AuthTokenAndExpiration),
    /// A certificate from a provider.
    ClientCertificateProvider {
        /// Whether it changed.
        has_update: bool,
        /// The certificate.
        certificate: ClientCertificate,
    },
}

impl CallbackReply {
    /// The kind of callback this answers.
    pub fn kind(&self) -> CallbackKind {
        match self {
            CallbackReply::Resolver(_) => CallbackKind::Resolver,
            CallbackReply::DomainNameResolver(_) => CallbackKind::DomainNameResolver,
            CallbackReply::BookmarksSupplier(_) => CallbackKind::BookmarksSupplier,
            CallbackReply::BookmarksConsumer => CallbackKind::BookmarksConsumer,
            CallbackReply::AuthTokenManagerGetAuth(_) => CallbackKind::AuthTokenManagerGetAuth,
            CallbackReply::AuthTokenManagerHandleSecurityException(_) => {
                CallbackKind::AuthTokenManagerHandleSecurityException
            }
            CallbackReply::BasicAuthTokenProvider(_) => CallbackKind::BasicAuthTokenProvider,
            CallbackReply::BearerAuthTokenProvider(_) => CallbackKind::BearerAuthTokenProvider,
            CallbackReply::ClientCertificateProvider { .. } => {
                CallbackKind::ClientCertificateProvider
            }
        }
    }
}

/// A completion testkit sent that matches no waiting callback.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// No callback request with this id is pending.
    #[error("no pending callback request with id {0}")]
    Unknown(Id),
    /// The id belongs to a callback of another kind.
    #[error("callback request {id} is a {expected:?} callback, not {got:?}")]
    WrongKind {
        /// The id.
        id: Id,
        /// What was pending.
        expected: CallbackKind,
        /// What arrived.
        got: CallbackKind,
    },
    /// The driver code that asked no longer waits (e.g. it timed out).
    #[error("callback request {0} was abandoned by the driver")]
    Abandoned(Id),
    /// The testkit connection is gone.
    #[error("the testkit connection closed")]
    Disconnected,
}

/// Pending callback requests: their kind and where the answer goes.
type PendingMap = HashMap<Id, (CallbackKind, oneshot::Sender<CallbackReply>)>;

/// The connection's callback machinery, shared (it is cheap to clone) with
/// driver code running anywhere: a resolver, a bookmark supplier or
/// consumer, an auth token manager, a client certificate provider.
///
/// Such code calls [`call`](Self::call): it registers a pending callback
/// request, queues the matching `...Request` response for testkit on the
/// connection's outbox, and waits. The connection keeps reading while a
/// driver request is in progress and hands testkit's `...Completed` answer
/// to [`complete`](Self::complete), which wakes the caller.
#[derive(Debug, Clone)]
pub struct CallbackHub {
    ids: IdGenerator,
    pending: Arc<Mutex<PendingMap>>,
    outbox: mpsc::UnboundedSender<Response>,
}

impl CallbackHub {
    /// A hub drawing ids from `ids` and sending callback requests to
    /// `outbox` (which the connection writes to testkit).
    pub fn new(ids: IdGenerator, outbox: mpsc::UnboundedSender<Response>) -> Self {
        CallbackHub {
            ids,
            pending: Arc::default(),
            outbox,
        }
    }

    fn lock(&self) -> MutexGuard<'_, PendingMap> {
        // A panic elsewhere while holding the lock leaves the map intact
        // (every operation on it is a single insert or remove).
        boltline_pool::sync::lock(&self.pending)
    }

    /// Registers a callback request; returns its id and where the reply
    /// will arrive. [`call`](Self::call) is the usual entry point.
    pub fn register(&self, kind: CallbackKind) -> (Id, oneshot::Receiver<CallbackReply>) {
        let id = self.ids.next_id();
        let (tx, rx) = oneshot::channel();
        self.lock().insert(id, (kind, tx));
        (id, rx)
    }

    /// Asks testkit: sends `request(id)` (e.g. a
    /// `ResolverResolutionRequired` with that id) and waits for the answer.
    pub async fn call(
        &self,
        kind: CallbackKind,
        request: impl FnOnce(Id) -> Response,
    ) -> Result<CallbackReply, CallbackError> {
        let (id, rx) = self.register(kind);
        if self.outbox.send(request(id)).is_err() {
            self.lock().remove(&id);
            return Err(CallbackError::Disconnected);
        }
        rx.await.map_err(|_| CallbackError::Disconnected)
    }

    /// Delivers testkit's reply to the waiting driver code.
    pub fn complete(&self, id: Id, reply: CallbackReply) -> Result<(), CallbackError> {
        let tx = {
            let mut pending = self.lock();
            let Some((kind, _)) = pending.get(&id) else {
                return Err(CallbackError::Unknown(id));
            };
            if *kind != reply.kind() {
                return Err(CallbackError::WrongKind {
                    id,
                    expected: *kind,
                    got: reply.kind(),
                });
            }
            match pending.remove(&id) {
                Some((_, tx)) => tx,
                None => return Err(CallbackError::Unknown(id)),
            }
        };
        tx.send(reply).map_err(|_| CallbackError::Abandoned(id))
    }

    /// Number of callbacks waiting for testkit.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none are waiting.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// Everything one testkit connection created. Dropped with the connection.
pub struct Registries<H: Handles> {
    /// The connection's id source.
    pub ids: IdGenerator,
    /// Drivers.
    pub drivers: Registry<H::Driver>,
    /// Sessions.
    pub sessions: Registry<H::Session>,
    /// Transactions.
    pub transactions: Registry<H::Transaction>,
    /// Results.
    pub results: Registry<H::Result>,
    /// Bookmark managers.
    pub bookmark_managers: Registry<H::BookmarkManager>,
    /// Auth token managers (custom, basic and bearer share one id space).
    pub auth_token_managers: Registry<H::AuthTokenManager>,
    /// Client certificate providers.
    pub client_certificate_providers: Registry<H::ClientCertificateProvider>,
    /// Driver errors reported to testkit.
    pub errors: Registry<H::Error>,
    /// Callback requests awaiting testkit's answer.
    pub callbacks: CallbackHub,
    /// The connection's clock (`FakeTimeInstall` / `Tick` / `Uninstall`):
    /// every driver this connection creates measures ages and lifetimes
    /// with it. Real time until installed.
    pub fake_time: Arc<FakeTime>,
}

impl<H: Handles> std::fmt::Debug for Registries<H> {
    /// Counts only: the driver's types need not be `Debug`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registries")
            .field("drivers", &self.drivers.len())
            .field("sessions", &self.sessions.len())
            .field("transactions", &self.transactions.len())
            .field("results", &self.results.len())
            .field("bookmark_managers", &self.bookmark_managers.len())
            .field("auth_token_managers", &self.auth_token_managers.len())
            .field(
                "client_certificate_providers",
                &self.client_certificate_providers.len(),
            )
            .field("errors", &self.errors.len())
            .field("pending_callbacks", &self.callbacks.len())
            .field("fake_time", &self.fake_time)
            .finish()
    }
}

impl<H: Handles> Registries<H> {
    /// Empty registries; callback requests go to `outbox`.
    pub fn new(outbox: mpsc::UnboundedSender<Response>) -> Self {
        let ids = IdGenerator::default();
        Registries {
            callbacks: CallbackHub::new(ids.clone(), outbox),
            ids,
            drivers: Registry::new("driver"),
            sessions: Registry::new("session"),
            transactions: Registry::new("transaction"),
            results: Registry::new("result"),
            bookmark_managers: Registry::new("bookmark manager"),
            auth_token_managers: Registry::new("auth token manager"),
            client_certificate_providers: Registry::new("client certificate provider"),
            errors: Registry::new("error"),
            fake_time: Arc::new(FakeTime::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn ids_are_unique_across_registries() {
        let ids = IdGenerator::default();
        let mut a = Registry::new("a");
        let mut b = Registry::new("b");
        let x = a.insert(&ids, 1);
        let y = b.insert(&ids, 2);
        assert_ne!(x, y);
        assert_eq!(a.get(x), Ok(&1));
        assert_eq!(a.get(y), Err(UnknownId { kind: "a", id: y }));
        assert_eq!(a.remove(x), Ok(1));
        assert!(a.remove(x).is_err());
        assert!(a.is_empty());
        let r: Response = UnknownId {
            kind: "session",
            id: Id(3),
        }
        .into();
        assert!(r.to_json().contains("no session with id 3"));
    }

    #[test]
    fn remove_where_takes_matching_items() {
        let ids = IdGenerator::default();
        let mut r = Registry::new("session");
        for driver in [1, 2, 1] {
            r.insert(&ids, driver);
        }
        let closed = r.remove_where(|d| *d == 1);
        assert_eq!(closed.len(), 2);
        assert_eq!(r.len(), 1);
    }

    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    type Test = Uniform<Counted>;

    #[test]
    fn dropping_the_registries_frees_everything() {
        let drops = Arc::new(AtomicUsize::new(0));
        {
            let (tx, _rx) = mpsc::unbounded_channel();
            let mut reg = Registries::<Test>::new(tx);
            let c = || Counted(drops.clone());
            reg.drivers.insert(&reg.ids.clone(), c());
            reg.sessions.insert(&reg.ids.clone(), c());
            reg.transactions.insert(&reg.ids.clone(), c());
            reg.results.insert(&reg.ids.clone(), c());
            reg.errors.insert(&reg.ids.clone(), c());
            reg.bookmark_managers.insert(&reg.ids.clone(), c());
        }
        assert_eq!(drops.load(Ordering::SeqCst), 6);
    }

    #[test]
    fn callbacks_are_routed_by_id_and_kind() {
        let (tx, _outbox) = mpsc::unbounded_channel();
        let cbs = CallbackHub::new(IdGenerator::default(), tx);
        let (id, mut rx) = cbs.register(CallbackKind::Resolver);
        assert_eq!(
            cbs.complete(id, CallbackReply::BookmarksConsumer),
            Err(CallbackError::WrongKind {
                id,
                expected: CallbackKind::Resolver,
                got: CallbackKind::BookmarksConsumer
            })
        );
        assert_eq!(
            cbs.complete(id, CallbackReply::Resolver(vec!["a:1".into()])),
            Ok(())
        );
        assert_eq!(
            rx.try_recv(),
            Ok(CallbackReply::Resolver(vec!["a:1".into()]))
        );
        assert_eq!(
            cbs.complete(id, CallbackReply::Resolver(vec![])),
            Err(CallbackError::Unknown(id))
        );
        let (id, rx) = cbs.register(CallbackKind::BookmarksConsumer);
        drop(rx);
        assert_eq!(
            cbs.complete(id, CallbackReply::BookmarksConsumer),
            Err(CallbackError::Abandoned(id))
        );
        assert!(cbs.is_empty());
    }

    #[tokio::test]
    async fn call_sends_the_request_and_waits_for_the_answer() {
        let (tx, mut outbox) = mpsc::unbounded_channel();
        let hub = CallbackHub::new(IdGenerator::default(), tx);
        let caller = {
            let hub = hub.clone();
            tokio::spawn(async move {
                hub.call(CallbackKind::Resolver, |id| {
                    Response::ResolverResolutionRequired {
                        id,
                        address: "h:1".into(),
                    }
                })
                .await
            })
        };
        let Some(Response::ResolverResolutionRequired { id, address }) = outbox.recv().await else {
            panic!("no callback request sent");
        };
        assert_eq!(address, "h:1");
        assert_eq!(
            hub.complete(id, CallbackReply::Resolver(vec!["x:2".into()])),
            Ok(())
        );
        assert!(matches!(caller.await, Ok(Ok(CallbackReply::Resolver(a))) if a == ["x:2"]));
        // With the connection gone, callers fail instead of hanging.
        drop(outbox);
        assert_eq!(
            hub.call(CallbackKind::Resolver, |id| {
                Response::ResolverResolutionRequired {
                    id,
                    address: String::new(),
                }
            })
            .await,
            Err(CallbackError::Disconnected)
        );
        assert!(hub.is_empty());
    }
}
