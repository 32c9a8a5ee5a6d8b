//! Authentication against a real Neo4j: verify_authentication, session
//! auth, and an auth token manager whose first password is wrong.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use boltline::{auth, AuthToken, Config, Driver, SessionConfig};
use boltline_itests::server;

fn driver() -> Driver {
    let s = server();
    Driver::new(s.uri(), AuthToken::basic(s.user(), s.password())).expect("driver")
}

async fn current_user(d: &Driver, config: SessionConfig) -> boltline::Result<String> {
    let mut s = d.session(config.with_database("system"));
    let mut r = s.run("SHOW CURRENT USER YIELD user").await?;
    let record = r.single().await?;
    s.close().await?;
    record.get_as::<String>("user")
}

#[tokio::test]
async fn verify_authentication_and_session_auth() {
    let srv = server();
    let d = driver();
    assert!(d.supports_session_auth().await.unwrap());
    assert!(d.verify_authentication(None).await.unwrap());
    let right = AuthToken::basic(srv.user(), srv.password());
    assert!(d.verify_authentication(Some(right.clone())).await.unwrap());
    let wrong = AuthToken::basic(srv.user(), "not-the-password");
    assert!(!d.verify_authentication(Some(wrong.clone())).await.unwrap());

    // A session with its own (valid) credentials runs as that user; one
    // with wrong credentials fails with an authentication error; the
    // driver's own sessions are unaffected.
    let as_session = SessionConfig::new().with_auth(right);
    assert_eq!(current_user(&d, as_session).await.unwrap(), srv.user());
    let e = current_user(&d, SessionConfig::new().with_auth(wrong))
        .await
        .unwrap_err();
    assert!(e.is_authentication_error() && !e.is_retryable(), "{e:?}");
    assert_eq!(
        current_user(&d, SessionConfig::new()).await.unwrap(),
        srv.user()
    );
    d.close().await;
}

#[tokio::test]
async fn a_basic_manager_recovers_from_a_rejected_password() {
    let srv = server();
    let calls = Arc::new(AtomicUsize::new(0));
    let (c, user, password) = (
        calls.clone(),
        srv.user().to_owned(),
        srv.password().to_owned(),
    );
    // The first password is wrong (as if it was rotated): the server says
    // Unauthorized, the manager handles it, the work is retried with the
    // provider's next answer.
    let manager = auth::basic(move || {
        let first = c.fetch_add(1, Ordering::SeqCst) == 0;
        let token = if first {
            AuthToken::basic(user.clone(), "stale-password")
        } else {
            AuthToken::basic(user.clone(), password.clone())
        };
        async move { Ok(token) }
    });
    let d = Driver::with_auth_manager(srv.uri(), manager.into_shared(), Config::default()).unwrap();
    let result = d
        .execute_query("RETURN 42 AS answer")
        .with_database("neo4j")
        .run()
        .await
        .unwrap();
    assert_eq!(result.records()[0].get_as::<i64>("answer").unwrap(), 42);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    d.close().await;
}
