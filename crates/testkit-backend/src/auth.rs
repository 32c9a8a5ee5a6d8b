//! Auth token managers backed by testkit callbacks, and the auth requests
//! (`NewAuthTokenManager`, `NewBasicAuthTokenManager`,
//! `NewBearerAuthTokenManager`, `VerifyAuthentication`,
//! `CheckSessionAuthSupport`).
//!
//! A custom manager asks testkit for every token (`AuthTokenManagerGetAuthRequest`)
//! and about every security error (`AuthTokenManagerHandleSecurityExceptionRequest`);
//! the basic and bearer managers are boltline's own
//! ([`auth::basic`], [`auth::bearer`]) with a provider that
//! asks testkit (`BasicAuthTokenProviderRequest`, `BearerAuthTokenProviderRequest`).

use std::sync::Arc;
use std::time::Duration;

use boltline::{
    auth, AuthManager, AuthToken as BoltAuthToken, BoxFuture, ExpiringAuth, ProviderError,
    ServerError, Value,
};

use crate::protocol::{AuthToken, Id, Response};
use crate::registry::{CallbackHub, CallbackKind, CallbackReply, Registries};
use crate::wired::{auth_clock, auth_token, driver_error, Boltline};

type Reg = Registries<Boltline>;

/// A custom manager: both callbacks go to testkit.
struct TestkitAuthManager {
    id: Id,
    hub: CallbackHub,
}

impl AuthManager for TestkitAuthManager {
    fn get_auth(&self) -> BoxFuture<'_, Result<BoltAuthToken, ProviderError>> {
        Box::pin(async move {
            let reply = self
                .hub
                .call(CallbackKind::AuthTokenManagerGetAuth, |id| {
                    Response::AuthTokenManagerGetAuthRequest {
                        id,
                        auth_token_manager_id: self.id,
                    }
                })
                .await?;
            match reply {
                CallbackReply::AuthTokenManagerGetAuth(t) => to_bolt(&t),
                _ => Err("get_auth: unexpected callback reply".into()),
            }
        })
    }

    fn handle_security_exception<'a>(
        &'a self,
        auth: &'a BoltAuthToken,
        error: &'a ServerError,
    ) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let reply = self
                .hub
                .call(
                    CallbackKind::AuthTokenManagerHandleSecurityException,
                    |id| Response::AuthTokenManagerHandleSecurityExceptionRequest {
                        id,
                        auth_token_manager_id: self.id,
                        auth: from_bolt(auth),
                        error_code: error.code.clone(),
                    },
                )
                .await;
            // No answer (testkit gone): not handled.
            matches!(
                reply,
                Ok(CallbackReply::AuthTokenManagerHandleSecurityException(true))
            )
        })
    }
}

fn to_bolt(t: &AuthToken) -> Result<BoltAuthToken, ProviderError> {
    auth_token(t).map_err(|_| "testkit sent an auth token boltline cannot use".into())
}

/// The token as testkit's `AuthorizationToken` (the token's own
/// dictionary, as the server would receive it).
fn from_bolt(t: &BoltAuthToken) -> AuthToken {
    let Value::Map(m) = Value::from(t.clone()) else {
        return AuthToken::default();
    };
    let text = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    AuthToken {
        scheme: text("scheme").unwrap_or_default(),
        principal: text("principal"),
        credentials: text("credentials"),
        realm: text("realm"),
        parameters: None,
    }
}

/// `NewAuthTokenManager`.
pub fn new_custom(reg: &mut Reg) -> Response {
    let id = reg.ids.next_id();
    let manager = TestkitAuthManager {
        id,
        hub: reg.callbacks.clone(),
    };
    reg.auth_token_managers
        .insert_with_id(id, Arc::new(manager) as Arc<dyn AuthManager>);
    Response::AuthTokenManager { id }
}

/// `NewBasicAuthTokenManager`.
pub fn new_basic(reg: &mut Reg) -> Response {
    let id = reg.ids.next_id();
    let hub = reg.callbacks.clone();
    let manager = auth::basic(move || {
        let hub = hub.clone();
        async move {
            let reply = hub
                .call(CallbackKind::BasicAuthTokenProvider, |cb| {
                    Response::BasicAuthTokenProviderRequest {
                        id: cb,
                        basic_auth_token_manager_id: id,
                    }
                })
                .await?;
            match reply {
                CallbackReply::BasicAuthTokenProvider(t) => to_bolt(&t),
                _ => Err("basic provider: unexpected callback reply".into()),
            }
        }
    })
    .with_clock(auth_clock(reg));
    reg.auth_token_managers
        .insert_with_id(id, manager.into_shared());
    Response::BasicAuthTokenManager { id }
}

/// `NewBearerAuthTokenManager`.
pub fn new_bearer(reg: &mut Reg) -> Response {
    let id = reg.ids.next_id();
    let hub = reg.callbacks.clone();
    let manager = auth::bearer(move || {
        let hub = hub.clone();
        async move {
            let reply = hub
                .call(CallbackKind::BearerAuthTokenProvider, |cb| {
                    Response::BearerAuthTokenProviderRequest {
                        id: cb,
                        bearer_auth_token_manager_id: id,
                    }
                })
                .await?;
            let CallbackReply::BearerAuthTokenProvider(t) = reply else {
                return Err("bearer provider: unexpected callback reply".into());
            };
            let auth = ExpiringAuth::new(to_bolt(&t.auth)?);
            Ok(match t.expires_in_ms {
                // A lifetime already over (or negative) expires at once.
                Some(ms) => auth.expires_in(Duration::from_millis(u64::try_from(ms).unwrap_or(0))),
                None => auth,
            })
        }
    })
    .with_clock(auth_clock(reg));
    reg.auth_token_managers
        .insert_with_id(id, manager.into_shared());
    Response::BearerAuthTokenManager { id }
}

/// `VerifyAuthentication`.
pub async fn verify_authentication(
    reg: &mut Reg,
    r: crate::protocol::VerifyAuthentication,
) -> Response {
    let auth = match r.authorization_token.as_ref().map(auth_token).transpose() {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    let driver = match reg.drivers.get(r.driver_id) {
        Ok(d) => d.driver.clone(),
        Err(e) => return e.into(),
    };
    match driver.verify_authentication(auth).await {
        Ok(authenticated) => Response::DriverIsAuthenticated {
            id: r.driver_id,
            authenticated,
        },
        Err(e) => driver_error(reg, e),
    }
}

/// `CheckSessionAuthSupport`.
pub async fn check_session_auth_support(reg: &mut Reg, driver_id: Id) -> Response {
    let driver = match reg.drivers.get(driver_id) {
        Ok(d) => d.driver.clone(),
        Err(e) => return e.into(),
    };
    match driver.supports_session_auth().await {
        Ok(available) => Response::SessionAuthSupport {
            id: driver_id,
            available,
        },
        Err(e) => driver_error(reg, e),
    }
}
