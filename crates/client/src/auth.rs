//! Auth token managers: where the driver's credentials come from when they
//! change over the driver's life (rotated passwords, expiring SSO tokens).
//!
//! The driver asks its [`AuthManager`] for a token every time it lends a
//! connection (for a session's work, for a routing-table fetch). A pooled
//! connection logged in with another token is switched to the new one
//! (`LOGOFF`/`LOGON` on Bolt 5.1+, a new connection before that). When the
//! server rejects a token with a security error, the manager hears of it
//! ([`AuthManager::handle_security_exception`]); if it says it handled the
//! error (e.g. it will fetch a fresh token), the error counts as retryable
//! and managed transactions run the work again.
//!
//! The functions of this module build the common ones: a fixed token
//! ([`static_token`]), a user/password provider asked again after the
//! server refused the password ([`basic`]), and an expiring (bearer) token
//! provider asked again when the token expires ([`bearer`]). The tokens
//! themselves are made with [`AuthToken`]'s constructors.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use boltline_bolt::{AuthToken, ServerError, ServerErrorKind};
use boltline_pool::{AuthFuture, AuthSource, Clock};

use crate::error::BoltError;
use boltline_pool::sync::lock;

/// A boxed, sendable future (what the object-safe [`AuthManager`] methods
/// return).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a token provider could not provide a token.
pub type ProviderError = Box<dyn std::error::Error + Send + Sync>;

/// Supplies the driver's credentials. Give one to
/// [`Driver::with_auth_manager`](crate::Driver::with_auth_manager).
///
/// Implementations must be cheap when nothing changed: `get_auth` runs on
/// every connection acquisition. They must not block the executor, and
/// must never log or print the tokens.
pub trait AuthManager: Send + Sync {
    /// The token to log in with now.
    fn get_auth(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>>;

    /// The server rejected `auth` with a security error
    /// (`Neo.ClientError.Security.*`). Returns whether the manager handled
    /// it (e.g. it will supply a fresh token): the driver then treats the
    /// error as retryable.
    fn handle_security_exception<'a>(
        &'a self,
        auth: &'a AuthToken,
        error: &'a ServerError,
    ) -> BoxFuture<'a, bool>;
}

/// A token from a bearer provider, with how long it stays valid.
#[derive(Clone, Debug)]
pub struct ExpiringAuth {
    /// The token.
    pub auth: AuthToken,
    /// How long from now it may be used; `None`: until the server
    /// rejects it.
    pub expires_in: Option<Duration>,
}

impl ExpiringAuth {
    /// A token with no known expiry.
    pub fn new(auth: AuthToken) -> Self {
        ExpiringAuth {
            auth,
            expires_in: None,
        }
    }

    /// Sets how long from now the token may be used.
    pub fn expires_in(mut self, d: Duration) -> Self {
        self.expires_in = Some(d);
        self
    }
}

/// Always the same token: a driver built with a plain [`AuthToken`]
/// behaves the same. Security errors are never handled.
pub fn static_token(auth: AuthToken) -> Arc<dyn AuthManager> {
    Arc::new(StaticAuthManager { auth })
}

/// User name and password from `provider`, asked once and again only
/// after the server answered `Neo.ClientError.Security.Unauthorized`
/// (which the manager then handles, so the work is retried with the
/// new password).
pub fn basic<F, Fut>(provider: F) -> ExpirationBasedAuthManager
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AuthToken, ProviderError>> + Send + 'static,
{
    ExpirationBasedAuthManager::new(
        move || {
            let fut = provider();
            Box::pin(async move { fut.await.map(ExpiringAuth::new) })
        },
        &[ServerErrorKind::Unauthorized],
    )
}

/// An expiring token (e.g. SSO bearer) from `provider`, asked again
/// when the token has expired (by the manager's [`Clock`]), or after
/// the server answered `TokenExpired` or `Unauthorized` (both then
/// handled: the work is retried with a fresh token).
pub fn bearer<F, Fut>(provider: F) -> ExpirationBasedAuthManager
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ExpiringAuth, ProviderError>> + Send + 'static,
{
    ExpirationBasedAuthManager::new(
        move || Box::pin(provider()) as BoxFuture<'static, _>,
        &[ServerErrorKind::TokenExpired, ServerErrorKind::Unauthorized],
    )
}

/// See [`static_token`].
struct StaticAuthManager {
    auth: AuthToken,
}

impl AuthManager for StaticAuthManager {
    fn get_auth(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>> {
        Box::pin(async move { Ok(self.auth.clone()) })
    }

    fn handle_security_exception<'a>(
        &'a self,
        _auth: &'a AuthToken,
        _error: &'a ServerError,
    ) -> BoxFuture<'a, bool> {
        Box::pin(async { false })
    }
}

type Provider =
    Box<dyn Fn() -> BoxFuture<'static, Result<ExpiringAuth, ProviderError>> + Send + Sync>;

/// The current token of an [`ExpirationBasedAuthManager`].
struct Cached {
    auth: AuthToken,
    /// On the manager's clock; `None`: no known expiry.
    expires_at: Option<Instant>,
}

/// A token cached from a provider until it expires or the server rejects
/// it; built by [`basic`] and [`bearer`].
///
/// Only one provider call is in flight at a time: tasks that need a token
/// while it is being fetched wait for that fetch instead of starting their
/// own.
pub struct ExpirationBasedAuthManager {
    provider: Provider,
    handled_kinds: &'static [ServerErrorKind],
    clock: Clock,
    /// Held across the provider call (that is what keeps it single).
    current: tokio::sync::Mutex<Option<Cached>>,
}

impl fmt::Debug for ExpirationBasedAuthManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the token itself.
        f.debug_struct("ExpirationBasedAuthManager")
            .field("handled_kinds", &self.handled_kinds)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl ExpirationBasedAuthManager {
    fn new(
        provider: impl Fn() -> BoxFuture<'static, Result<ExpiringAuth, ProviderError>>
            + Send
            + Sync
            + 'static,
        handled_kinds: &'static [ServerErrorKind],
    ) -> Self {
        ExpirationBasedAuthManager {
            provider: Box::new(provider),
            handled_kinds,
            clock: Clock::system(),
            current: tokio::sync::Mutex::new(None),
        }
    }

    /// Measures expiry with `clock` (default: the system clock); a test
    /// can pass a `Clock::fake` (feature `test-util`) and move time by hand.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// This manager as the shared trait object the driver takes.
    pub fn into_shared(self) -> Arc<dyn AuthManager> {
        Arc::new(self)
    }
}

impl AuthManager for ExpirationBasedAuthManager {
    fn get_auth(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>> {
        Box::pin(async move {
            let mut current = self.current.lock().await;
            let now = self.clock.now();
            if let Some(c) = current.as_ref() {
                if c.expires_at.is_none_or(|at| now < at) {
                    return Ok(c.auth.clone());
                }
            }
            let fresh = (self.provider)().await?;
            // Expiry counts from when the token arrived.
            let arrived = self.clock.now();
            // A lifetime too long to represent never ends.
            let expires_at = fresh.expires_in.and_then(|d| arrived.checked_add(d));
            *current = Some(Cached {
                auth: fresh.auth.clone(),
                expires_at,
            });
            Ok(fresh.auth)
        })
    }

    fn handle_security_exception<'a>(
        &'a self,
        auth: &'a AuthToken,
        error: &'a ServerError,
    ) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            if !self.handled_kinds.contains(&error.kind) {
                return false;
            }
            let mut current = self.current.lock().await;
            // Only the rejected token is dropped: a newer one fetched in
            // the meantime stays.
            if current.as_ref().is_some_and(|c| c.auth == *auth) {
                *current = None;
            }
            true
        })
    }
}

/// An [`AuthManager`] as the pool's [`AuthSource`] for one acquisition,
/// remembering the last token it handed out (for reporting a rejection of
/// a connection that never opened).
pub(crate) struct ManagedSource {
    manager: Arc<dyn AuthManager>,
    last: std::sync::Mutex<Option<AuthToken>>,
}

impl ManagedSource {
    pub(crate) fn new(manager: Arc<dyn AuthManager>) -> Self {
        ManagedSource {
            manager,
            last: std::sync::Mutex::new(None),
        }
    }

    /// The token handed out last, if any.
    pub(crate) fn last(&self) -> Option<AuthToken> {
        lock(&self.last).clone()
    }
}

impl AuthSource for ManagedSource {
    fn auth(&self) -> AuthFuture<'_> {
        Box::pin(async move {
            let token = self
                .manager
                .get_auth()
                .await
                .map_err(BoltError::AuthProvider)?;
            *lock(&self.last) = Some(token.clone());
            Ok(token)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use boltline_pool::FakeTime;

    const UNAUTHORIZED: &str = "Neo.ClientError.Security.Unauthorized";
    const TOKEN_EXPIRED: &str = "Neo.ClientError.Security.TokenExpired";

    fn error(code: &str) -> ServerError {
        ServerError::new(code, "no")
    }

    fn counting_bearer(
        calls: Arc<AtomicUsize>,
        expires_in: Option<Duration>,
    ) -> ExpirationBasedAuthManager {
        bearer(move || {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                let auth = ExpiringAuth::new(AuthToken::bearer(format!("token-{n}")));
                Ok(match expires_in {
                    Some(d) => auth.expires_in(d),
                    None => auth,
                })
            }
        })
    }

    #[tokio::test]
    async fn static_manager_never_changes_nor_handles() {
        let m = static_token(AuthToken::basic("u", "p"));
        assert_eq!(m.get_auth().await.unwrap(), AuthToken::basic("u", "p"));
        let t = AuthToken::basic("u", "p");
        assert!(!m.handle_security_exception(&t, &error(UNAUTHORIZED)).await);
    }

    #[tokio::test]
    async fn bearer_token_is_refreshed_once_expired_on_its_clock() {
        let time = Arc::new(FakeTime::new());
        time.freeze();
        let calls = Arc::new(AtomicUsize::new(0));
        let m = counting_bearer(calls.clone(), Some(Duration::from_secs(60)))
            .with_clock(Clock::fake(time.clone()));
        let first = m.get_auth().await.unwrap();
        time.advance(Duration::from_secs(59));
        assert_eq!(m.get_auth().await.unwrap(), first);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        time.advance(Duration::from_secs(1));
        let second = m.get_auth().await.unwrap();
        assert_ne!(second, first);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn bearer_handles_expiry_and_unauthorized_only() {
        let calls = Arc::new(AtomicUsize::new(0));
        let m = counting_bearer(calls.clone(), None);
        let first = m.get_auth().await.unwrap();
        assert!(
            !m.handle_security_exception(&first, &error("Neo.ClientError.Security.Forbidden"))
                .await
        );
        assert_eq!(m.get_auth().await.unwrap(), first);
        assert!(
            m.handle_security_exception(&first, &error(TOKEN_EXPIRED))
                .await
        );
        let second = m.get_auth().await.unwrap();
        assert_ne!(second, first);
        // A late report about the old token does not drop the new one.
        assert!(
            m.handle_security_exception(&first, &error(UNAUTHORIZED))
                .await
        );
        assert_eq!(m.get_auth().await.unwrap(), second);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn basic_asks_again_only_after_unauthorized() {
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let m = basic(move || {
            let n = c.fetch_add(1, Ordering::SeqCst);
            async move { Ok(AuthToken::basic("neo4j", format!("pw{n}"))) }
        });
        let first = m.get_auth().await.unwrap();
        assert_eq!(m.get_auth().await.unwrap(), first);
        assert!(
            !m.handle_security_exception(&first, &error(TOKEN_EXPIRED))
                .await
        );
        assert_eq!(m.get_auth().await.unwrap(), first);
        assert!(
            m.handle_security_exception(&first, &error(UNAUTHORIZED))
                .await
        );
        assert_ne!(m.get_auth().await.unwrap(), first);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn one_provider_call_in_flight() {
        let calls = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Notify::new());
        let (c, g) = (calls.clone(), gate.clone());
        let m = Arc::new(bearer(move || {
            c.fetch_add(1, Ordering::SeqCst);
            let g = g.clone();
            async move {
                g.notified().await;
                Ok(ExpiringAuth::new(AuthToken::bearer("t")))
            }
        }));
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let m = m.clone();
                tokio::spawn(async move { m.get_auth().await.unwrap() })
            })
            .collect();
        // Let every task reach the manager before the provider answers.
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        gate.notify_one();
        for t in tasks {
            assert_eq!(t.await.unwrap(), AuthToken::bearer("t"));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn provider_failure_is_an_error_not_a_panic() {
        let m = basic(|| async { Err::<AuthToken, _>("vault is sealed".into()) });
        let e = m.get_auth().await.unwrap_err();
        assert!(e.to_string().contains("vault is sealed"));
    }

    #[test]
    fn debug_shows_no_token() {
        let m = bearer(|| async { Ok(ExpiringAuth::new(AuthToken::bearer("hunter2"))) });
        let s = format!("{m:?}");
        assert!(!s.contains("hunter2"), "{s}");
    }
}
