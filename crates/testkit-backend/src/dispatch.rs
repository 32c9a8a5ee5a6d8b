//! From request to response.
//!
//! [`Backend::handle`] answers the requests that need no driver for real:
//! test selection (`StartTest`, `StartSubTest`), `GetFeatures`, the routing
//! of testkit's callback answers (`...Completed`) to the driver code waiting
//! for them, the connection's fake clock (`FakeTimeInstall`, `FakeTimeTick`,
//! `FakeTimeUninstall`: drivers read it, so it needs none), and freeing backend-side objects (`BookmarkManagerClose`,
//! `AuthTokenManagerClose`, `ClientCertificateProviderClose`). Every other
//! request needs the driver and goes to [`Handles::driver_request`]
//! (implemented by [`crate::wired::Boltline`]); [`NOT_WIRED`] lists those
//! it still answers with a `BackendError`.

use std::future::Future;

use tokio::sync::mpsc;

use crate::features;
use crate::protocol::{Request, Response};
use crate::registry::{CallbackHub, CallbackReply, Handles, Registries, Unwired};
use crate::skips::{self, Skip, TestDecision};

/// The requests the boltline backend ([`crate::wired::Boltline`]) does not
/// wire to the driver (the driver lacks what they need); they are answered
/// with a `BackendError` saying "not wired".
pub const NOT_WIRED: &[&str] = &["NewClientCertificateProvider", "CypherTypeField"];

/// The answer to a request that needs the driver, until it is wired.
pub fn not_wired(request_name: &str) -> Response {
    Response::backend_error(format!(
        "{request_name}: not wired to the driver yet (boltline-testkit-backend)"
    ))
}

/// One testkit connection's backend: its objects and its skip list.
pub struct Backend<H: Handles = Unwired> {
    /// Everything the connection created; dropped with the backend.
    pub registries: Registries<H>,
    skips: &'static [Skip],
}

impl<H: Handles> std::fmt::Debug for Backend<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("registries", &self.registries)
            .field("skips", &self.skips.len())
            .finish()
    }
}

impl<H: Handles> Backend<H> {
    /// A backend with the crate's skip list; callback requests (and
    /// anything else sent outside the request/response rhythm) go to
    /// `outbox`, which the connection writes to testkit.
    pub fn new(outbox: mpsc::UnboundedSender<Response>) -> Self {
        Self::with_skips(skips::SKIPS, outbox)
    }

    /// A backend with another skip list (for tests).
    pub fn with_skips(skips: &'static [Skip], outbox: mpsc::UnboundedSender<Response>) -> Self {
        Backend {
            registries: Registries::new(outbox),
            skips,
        }
    }

    /// Answers one request. `None` when testkit expects no answer (its
    /// answers to callback requests).
    ///
    /// Async because wired requests await the driver; while one does, the
    /// connection keeps routing testkit's callback answers (see
    /// [`answer_callback`]).
    pub async fn handle(&mut self, request: Request) -> Option<Response> {
        let request = match answer_callback(&self.registries.callbacks, request) {
            Ok(answered) => return answered,
            Err(request) => *request,
        };
        let reg = &mut self.registries;
        Some(match request {
            Request::StartTest(t) => match skips::decide_test(self.skips, &t.test_name) {
                TestDecision::Run => Response::RunTest {},
                TestDecision::RunSubTests => Response::RunSubTests {},
                TestDecision::Skip(reason) => Response::skip(reason),
            },
            Request::StartSubTest(t) => {
                match skips::decide_subtest(self.skips, &t.test_name, &t.subtest_arguments) {
                    Some(reason) => Response::skip(reason),
                    None => Response::RunTest {},
                }
            }
            Request::GetFeatures(_) => Response::FeatureList {
                features: features::supported_names(),
            },

            // Answered by `answer_callback` above; listed for exhaustiveness.
            Request::ResolverResolutionCompleted(_)
            | Request::DomainNameResolutionCompleted(_)
            | Request::BookmarksSupplierCompleted(_)
            | Request::BookmarksConsumerCompleted(_)
            | Request::AuthTokenManagerGetAuthCompleted(_)
            | Request::AuthTokenManagerHandleSecurityExceptionCompleted(_)
            | Request::BasicAuthTokenProviderCompleted(_)
            | Request::BearerAuthTokenProviderCompleted(_)
            | Request::ClientCertificateProviderCompleted(_) => return None,

            // Backend-side objects with nothing to close in the driver.
            Request::BookmarkManagerClose(c) => match reg.bookmark_managers.remove(c.id) {
                Ok(_) => Response::BookmarkManager { id: c.id },
                Err(e) => e.into(),
            },
            Request::AuthTokenManagerClose(c) => match reg.auth_token_managers.remove(c.id) {
                Ok(_) => Response::AuthTokenManager { id: c.id },
                Err(e) => e.into(),
            },
            Request::ClientCertificateProviderClose(c) => {
                match reg.client_certificate_providers.remove(c.id) {
                    Ok(_) => Response::ClientCertificateProvider { id: c.id },
                    Err(e) => e.into(),
                }
            }

            // The connection's clock, which its drivers were given.
            Request::FakeTimeInstall(_) => {
                reg.fake_time.freeze();
                Response::FakeTimeAck {}
            }
            Request::FakeTimeTick(t) => match u64::try_from(t.increment_ms) {
                Ok(ms) => {
                    reg.fake_time.advance(std::time::Duration::from_millis(ms));
                    Response::FakeTimeAck {}
                }
                Err(_) => Response::backend_error(format!(
                    "FakeTimeTick: incrementMs must not be negative, got {}",
                    t.increment_ms
                )),
            },
            Request::FakeTimeUninstall(_) => {
                reg.fake_time.release();
                Response::FakeTimeAck {}
            }

            // Everything below needs the driver.
            Request::NewDriver(_)
            | Request::NewAuthTokenManager(_)
            | Request::NewBasicAuthTokenManager(_)
            | Request::NewBearerAuthTokenManager(_)
            | Request::NewClientCertificateProvider(_)
            | Request::VerifyConnectivity(_)
            | Request::GetServerInfo(_)
            | Request::CheckMultiDBSupport(_)
            | Request::VerifyAuthentication(_)
            | Request::CheckSessionAuthSupport(_)
            | Request::CheckDriverIsEncrypted(_)
            | Request::NewBookmarkManager(_)
            | Request::DriverClose(_)
            | Request::NewSession(_)
            | Request::SessionClose(_)
            | Request::SessionRun(_)
            | Request::SessionReadTransaction(_)
            | Request::SessionWriteTransaction(_)
            | Request::SessionBeginTransaction(_)
            | Request::SessionLastBookmarks(_)
            | Request::TransactionRun(_)
            | Request::TransactionCommit(_)
            | Request::TransactionRollback(_)
            | Request::TransactionClose(_)
            | Request::ResultNext(_)
            | Request::ResultSingle(_)
            | Request::ResultSingleOptional(_)
            | Request::ResultPeek(_)
            | Request::ResultConsume(_)
            | Request::ResultList(_)
            | Request::RetryablePositive(_)
            | Request::RetryableNegative(_)
            | Request::ForcedRoutingTableUpdate(_)
            | Request::GetRoutingTable(_)
            | Request::GetConnectionPoolMetrics(_)
            | Request::CypherTypeField(_)
            | Request::ExecuteQuery(_) => H::driver_request(reg, request).await,
        })
    }
}

/// If `request` is testkit's answer to a callback request, delivers it to
/// the waiting driver code: `Ok(None)` when delivered (testkit expects no
/// response), `Ok(Some(BackendError))` when it matches no pending callback
/// (testkit then fails the request it is waiting on, which is where the
/// confusion started). Any other request comes back as `Err` (boxed: a
/// request is large).
pub fn answer_callback(
    hub: &CallbackHub,
    request: Request,
) -> Result<Option<Response>, Box<Request>> {
    let (id, reply) = match request {
        Request::ResolverResolutionCompleted(c) => {
            (c.request_id, CallbackReply::Resolver(c.addresses))
        }
        Request::DomainNameResolutionCompleted(c) => {
            (c.request_id, CallbackReply::DomainNameResolver(c.addresses))
        }
        Request::BookmarksSupplierCompleted(c) => {
            (c.request_id, CallbackReply::BookmarksSupplier(c.bookmarks))
        }
        Request::BookmarksConsumerCompleted(c) => (c.request_id, CallbackReply::BookmarksConsumer),
        Request::AuthTokenManagerGetAuthCompleted(c) => {
            (c.request_id, CallbackReply::AuthTokenManagerGetAuth(c.auth))
        }
        Request::AuthTokenManagerHandleSecurityExceptionCompleted(c) => (
            c.request_id,
            CallbackReply::AuthTokenManagerHandleSecurityException(c.handled),
        ),
        Request::BasicAuthTokenProviderCompleted(c) => {
            (c.request_id, CallbackReply::BasicAuthTokenProvider(c.auth))
        }
        Request::BearerAuthTokenProviderCompleted(c) => {
            (c.request_id, CallbackReply::BearerAuthTokenProvider(c.auth))
        }
        Request::ClientCertificateProviderCompleted(c) => (
            c.request_id,
            CallbackReply::ClientCertificateProvider {
                has_update: c.has_update,
                certificate: c.client_certificate,
            },
        ),
        other => return Err(Box::new(other)),
    };
    Ok(hub
        .complete(id, reply)
        .err()
        .map(|e| Response::backend_error(e.to_string())))
}

/// What the connection loop needs from a request handler: [`Backend`], or
/// a stand-in in tests.
pub trait Dispatch {
    /// Answers one request (`None`: testkit expects no answer).
    fn handle(&mut self, request: Request) -> impl Future<Output = Option<Response>>;
    /// Where testkit's callback answers go while a request is in progress.
    fn callbacks(&self) -> CallbackHub;
}

impl<H: Handles> Dispatch for Backend<H> {
    fn handle(&mut self, request: Request) -> impl Future<Output = Option<Response>> {
        Backend::handle(self, request)
    }

    fn callbacks(&self) -> CallbackHub {
        self.registries.callbacks.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::parse_request;
    use crate::registry::CallbackKind;
    use serde_json::json;

    async fn ask<H: Handles>(
        b: &mut Backend<H>,
        j: serde_json::Value,
    ) -> Option<serde_json::Value> {
        let req = match parse_request(&j.to_string()) {
            Ok(r) => r,
            Err(e) => panic!("{j}: {e}"),
        };
        b.handle(req)
            .await
            .map(|r| serde_json::from_str(&r.to_json()).unwrap_or_default())
    }

    fn backend<H: Handles>() -> Backend<H> {
        Backend::new(mpsc::unbounded_channel().0)
    }

    #[tokio::test]
    async fn features_and_tests() {
        let mut b = backend::<Unwired>();
        assert_eq!(
            ask(&mut b, json!({"name": "GetFeatures", "data": {}})).await,
            Some(json!({"name": "FeatureList", "data": {"features": features::supported_names()}}))
        );
        assert_eq!(
            ask(
                &mut b,
                json!({"name": "StartTest", "data": {"testName": "stub.x.T.test"}})
            )
            .await,
            Some(json!({"name": "RunTest", "data": {}}))
        );
        assert_eq!(
            ask(
                &mut b,
                json!({"name": "StartSubTest", "data": {"testName": "stub.x.T.test", "subtestArguments": {"a": 1}}})
            ).await,
            Some(json!({"name": "RunTest", "data": {}}))
        );
    }

    #[tokio::test]
    async fn skip_list_is_applied() {
        const LIST: &[Skip] = &[Skip::new("stub.x.T.test", "needs what boltline lacks")];
        let mut b = Backend::<Unwired>::with_skips(LIST, mpsc::unbounded_channel().0);
        assert_eq!(
            ask(
                &mut b,
                json!({"name": "StartTest", "data": {"testName": "stub.x.T.test"}})
            )
            .await,
            Some(json!({"name": "SkipTest", "data": {"reason": "needs what boltline lacks"}}))
        );
    }

    #[tokio::test]
    async fn driver_requests_say_not_wired() {
        let mut b = backend::<Unwired>();
        for j in [
            json!({"name": "CypherTypeField", "data": {"resultId": 1, "recordKey": "n", "type": "node", "field": "id"}}),
            json!({"name": "NewClientCertificateProvider", "data": {}}),
        ] {
            let r = ask(&mut b, j.clone()).await.unwrap_or_default();
            assert_eq!(r["name"], "BackendError", "{j}");
            let msg = r["data"]["msg"].as_str().unwrap_or_default();
            assert!(msg.contains("not wired"), "{msg}");
            assert!(NOT_WIRED.contains(&j["name"].as_str().unwrap_or_default()));
        }
        // Every name in NOT_WIRED is a real request name.
        for n in NOT_WIRED {
            assert!(Request::NAMES.contains(n), "{n}");
        }
    }

    #[tokio::test]
    async fn fake_time_requests_drive_the_connection_clock() {
        let mut b = backend::<Unwired>();
        let ack = Some(json!({"name": "FakeTimeAck", "data": {}}));
        let clock = b.registries.fake_time.clone();
        assert_eq!(
            ask(&mut b, json!({"name": "FakeTimeInstall", "data": {}})).await,
            ack
        );
        assert!(clock.is_frozen());
        let t0 = clock.now();
        assert_eq!(
            ask(
                &mut b,
                json!({"name": "FakeTimeTick", "data": {"incrementMs": 1500}})
            )
            .await,
            ack
        );
        assert_eq!(clock.now() - t0, std::time::Duration::from_millis(1500));
        let r = ask(
            &mut b,
            json!({"name": "FakeTimeTick", "data": {"incrementMs": -1}}),
        )
        .await
        .unwrap_or_default();
        assert_eq!(r["name"], "BackendError");
        assert_eq!(clock.now() - t0, std::time::Duration::from_millis(1500));
        assert_eq!(
            ask(&mut b, json!({"name": "FakeTimeUninstall", "data": {}})).await,
            ack
        );
        assert!(!clock.is_frozen());
    }

    #[tokio::test]
    async fn closing_unknown_objects_is_a_backend_error() {
        let mut b = backend::<Unwired>();
        let r = ask(
            &mut b,
            json!({"name": "BookmarkManagerClose", "data": {"id": 5}}),
        )
        .await
        .unwrap_or_default();
        assert_eq!(r["name"], "BackendError");
        assert_eq!(r["data"]["msg"], "no bookmark manager with id 5");
    }

    type Strings = crate::registry::Uniform<String>;

    #[tokio::test]
    async fn closing_known_objects_frees_them() {
        let mut b = backend::<Strings>();
        let reg = &mut b.registries;
        let bm = reg.bookmark_managers.insert(&reg.ids.clone(), "bm".into());
        let am = reg
            .auth_token_managers
            .insert(&reg.ids.clone(), "am".into());
        assert_eq!(
            ask(
                &mut b,
                json!({"name": "BookmarkManagerClose", "data": {"id": bm.0}})
            )
            .await,
            Some(json!({"name": "BookmarkManager", "data": {"id": bm.0}}))
        );
        assert_eq!(
            ask(
                &mut b,
                json!({"name": "AuthTokenManagerClose", "data": {"id": am.0}})
            )
            .await,
            Some(json!({"name": "AuthTokenManager", "data": {"id": am.0}}))
        );
        assert!(b.registries.bookmark_managers.is_empty());
        assert!(b.registries.auth_token_managers.is_empty());
    }

    #[tokio::test]
    async fn callback_answers_reach_the_waiting_code() {
        let mut b = backend::<Unwired>();
        let (id, mut rx) = b.registries.callbacks.register(CallbackKind::Resolver);
        assert_eq!(
            ask(
                &mut b,
                json!({"name": "ResolverResolutionCompleted", "data": {"requestId": id.0, "addresses": ["h:1"]}})
            ).await,
            None
        );
        assert_eq!(
            rx.try_recv(),
            Ok(CallbackReply::Resolver(vec!["h:1".into()]))
        );
        // A second answer (or one to a request never sent) is reported.
        let r = ask(&mut b, json!({"name": "ResolverResolutionCompleted", "data": {"requestId": id.0, "addresses": []}})).await
            .unwrap_or_default();
        assert_eq!(r["name"], "BackendError");
    }
}
