//! Auth token managers against the scripted stub server: the driver asks
//! the manager on each acquisition, switches pooled connections to a new
//! token (LOGOFF/LOGON, or a new connection before Bolt 5.1), and retries
//! work after a security error the manager handled.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use boltline::{
    auth, AuthManager, AuthToken, BoxFuture, Config, Driver, ExpiringAuth, ManagedTransaction,
    ProviderError, ServerError, SessionConfig,
};
use boltline_stub::{map, sig, ConnectionReport, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(10);

/// A manager whose token the test changes by hand, counting `get_auth`.
struct Rotating {
    current: Mutex<AuthToken>,
    asked: AtomicUsize,
}

impl Rotating {
    fn new(password: &str) -> Arc<Rotating> {
        Arc::new(Rotating {
            current: Mutex::new(AuthToken::basic("neo4j", password)),
            asked: AtomicUsize::new(0),
        })
    }

    fn set_password(&self, password: &str) {
        *self.current.lock().unwrap() = AuthToken::basic("neo4j", password);
    }
}

impl AuthManager for Rotating {
    fn get_auth(&self) -> BoxFuture<'_, Result<AuthToken, ProviderError>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let token = self.current.lock().unwrap().clone();
        Box::pin(async move { Ok(token) })
    }

    fn handle_security_exception<'a>(
        &'a self,
        _auth: &'a AuthToken,
        _error: &'a ServerError,
    ) -> BoxFuture<'a, bool> {
        Box::pin(async { false })
    }
}

fn quick() -> Config {
    Config::builder()
        .with_connection_acquisition_timeout(Duration::from_secs(5))
        .with_max_transaction_retry_time(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn uri(server: &StubServer) -> String {
    format!("bolt://{}", server.host_port())
}

/// An explicit transaction returning one record, committed, appended to
/// `script`.
fn then_tx(script: Script) -> Script {
    script
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::COMMIT)
        .success([("bookmark", Value::from("b"))])
}

async fn read_one(driver: &Driver) -> boltline::Result<i64> {
    let mut s = driver.session(SessionConfig::new());
    let r = tokio::time::timeout(
        LIMIT,
        s.execute_read(async |tx: &mut ManagedTransaction| {
            let mut r = tx.run("RETURN 1 AS x").await?;
            r.single().await?.get_as("x")
        }),
    )
    .await
    .expect("the work hung");
    s.close().await?;
    r
}

fn credentials(report: &ConnectionReport, signature: u8) -> Vec<String> {
    report
        .messages(signature)
        .iter()
        .filter_map(|m| {
            m.entry(0, "credentials")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

#[tokio::test]
async fn a_pooled_connection_switches_to_the_managers_new_token() {
    let script = then_tx(
        then_tx(Script::authenticated(5, 4))
            .expect(sig::LOGOFF)
            .success(map::<&str>([]))
            .expect(sig::LOGON)
            .success(map::<&str>([])),
    );
    let server = StubServer::start_one(script).await.unwrap();
    let manager = Rotating::new("pw1");
    let d = Driver::with_auth_manager(&uri(&server), manager.clone(), quick()).unwrap();
    assert_eq!(read_one(&d).await.unwrap(), 1);
    manager.set_password("pw2");
    assert_eq!(read_one(&d).await.unwrap(), 1);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(
        reports.len(),
        1,
        "the connection was replaced, not switched"
    );
    assert_eq!(credentials(&reports[0], sig::LOGON), ["pw1", "pw2"]);
    assert_eq!(manager.asked.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn before_bolt_5_1_a_new_token_means_a_new_connection() {
    let first = then_tx(Script::authenticated(5, 0))
        .expect(sig::GOODBYE)
        .expect_close();
    let second = then_tx(Script::authenticated(5, 0));
    let server = StubServer::start([first, second]).await.unwrap();
    let manager = Rotating::new("pw1");
    let d = Driver::with_auth_manager(&uri(&server), manager.clone(), quick()).unwrap();
    assert_eq!(read_one(&d).await.unwrap(), 1);
    manager.set_password("pw2");
    assert_eq!(read_one(&d).await.unwrap(), 1);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(reports.len(), 2);
    assert_eq!(credentials(&reports[0], sig::HELLO), ["pw1"]);
    assert_eq!(credentials(&reports[1], sig::HELLO), ["pw2"]);
    // Opened, lent again (token changed: closed), opened anew.
    assert_eq!(manager.asked.load(Ordering::SeqCst), 3);
}

/// A connection whose transaction fails with `TokenExpired`, after which
/// the server hangs up.
fn token_expires() -> Script {
    Script::authenticated(5, 4)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .failure("Neo.ClientError.Security.TokenExpired", "Token expired.")
        .ignored()
        .close()
}

#[tokio::test]
async fn a_bearer_manager_renews_an_expired_token_and_the_work_is_retried() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let manager = auth::bearer(move || {
        let n = c.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Ok(ExpiringAuth::new(AuthToken::bearer(format!("token-{n}")))) }
    });
    let server = StubServer::start([token_expires(), then_tx(Script::authenticated(5, 4))])
        .await
        .unwrap();
    let d = Driver::with_auth_manager(&uri(&server), manager.into_shared(), quick()).unwrap();
    assert_eq!(read_one(&d).await.unwrap(), 1);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(reports.len(), 2);
    assert_eq!(credentials(&reports[0], sig::LOGON), ["token-1"]);
    assert_eq!(credentials(&reports[1], sig::LOGON), ["token-2"]);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn an_expired_static_token_is_not_retried() {
    let server = StubServer::start_one(token_expires()).await.unwrap();
    let d = Driver::with_config(&uri(&server), AuthToken::bearer("fixed"), quick()).unwrap();
    let e = read_one(&d).await.unwrap_err();
    assert_eq!(e.code(), Some("Neo.ClientError.Security.TokenExpired"));
    assert!(!e.is_retryable(), "{e:?}");
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(reports.len(), 1, "the work was retried");
}

#[tokio::test]
async fn verify_authentication_answers_false_for_refused_credentials() {
    let server = StubServer::start([
        Script::bolt(5, 4)
            .expect(sig::HELLO)
            .success([("server", Value::from("Neo4j/5.26.0"))])
            .expect(sig::LOGON)
            .failure("Neo.ClientError.Security.Unauthorized", "bad credentials")
            .close(),
        // The second check's connection, then `supports_session_auth`
        // takes it from the pool and checks it with a RESET first.
        Script::authenticated(5, 4)
            .expect(sig::RESET)
            .success(Vec::<(&str, Value)>::new()),
    ])
    .await
    .unwrap();
    let d = Driver::new(&uri(&server), AuthToken::basic("neo4j", "pw")).unwrap();
    let wrong = AuthToken::basic("neo4j", "wrong");
    assert!(!d.verify_authentication(Some(wrong)).await.unwrap());
    assert!(d.verify_authentication(None).await.unwrap());
    assert!(d.supports_session_auth().await.unwrap());
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(credentials(&reports[0], sig::LOGON), ["wrong"]);
    assert_eq!(credentials(&reports[1], sig::LOGON), ["pw"]);
}

/// As testkit drives it: a provider that answers later (testkit's
/// callback), a session with a database, and work that hands the first
/// attempt's error back. The retry must start (it used to hang).
#[tokio::test]
async fn a_slow_bearer_provider_and_a_named_database_retry_after_token_expired() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let manager = auth::bearer(move || {
        let n = c.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(ExpiringAuth::new(AuthToken::bearer(format!("token-{n}"))))
        }
    });
    let server = StubServer::start([token_expires(), then_tx(Script::authenticated(5, 4))])
        .await
        .unwrap();
    let d = Driver::with_auth_manager(&uri(&server), manager.into_shared(), quick()).unwrap();
    let mut s = d.session(SessionConfig::new().with_database("adb"));
    let attempts = AtomicUsize::new(0);
    let r = tokio::time::timeout(
        LIMIT,
        s.execute_read(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            let mut r = tx.run("RETURN 1 AS x").await?;
            r.single().await?.get_as::<i64>("x")
        }),
    )
    .await
    .expect("the retry hung");
    assert_eq!(r.unwrap(), 1);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    s.close().await.unwrap();
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    assert_eq!(credentials(&reports[0], sig::LOGON), ["token-1"]);
    assert_eq!(credentials(&reports[1], sig::LOGON), ["token-2"]);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

/// A free local address to start a stub on later, so scripts can name it.
fn reserve() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("address")
}

/// A routing table for `neo4j`: `router` routes, `reader` reads and writes.
fn table(router: std::net::SocketAddr, reader: std::net::SocketAddr) -> Value {
    let one = |a: std::net::SocketAddr| Value::List(vec![Value::from(a.to_string())]);
    Value::from_iter([
        ("ttl", Value::from(1000)),
        ("db", Value::from("neo4j")),
        (
            "servers",
            Value::List(vec![
                Value::from_iter([("role", Value::from("ROUTE")), ("addresses", one(router))]),
                Value::from_iter([("role", Value::from("READ")), ("addresses", one(reader))]),
                Value::from_iter([("role", Value::from("WRITE")), ("addresses", one(reader))]),
            ]),
        ),
    ])
}

/// The reader fails the transaction with `TokenExpired` and hangs up (as
/// testkit's `token_expired_retry` scripts do). The connection was already
/// failed, so its loss must not drop the reader from the routing table:
/// the retry goes to the reader again without a second `ROUTE` (the
/// router allows one). It used to ask the router again, fail, and retry
/// that until the retry time ran out.
#[tokio::test]
async fn a_hang_up_after_token_expired_keeps_the_routing_table() {
    let (router, reader) = (reserve(), reserve());
    let router_server = StubServer::start_on(
        router,
        [Script::authenticated(5, 4)
            .expect(sig::ROUTE)
            .success([("rt", table(router, reader))])],
    )
    .await
    .unwrap();
    let reader_server = StubServer::start_on(
        reader,
        [token_expires(), then_tx(Script::authenticated(5, 4))],
    )
    .await
    .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let manager = auth::bearer(move || {
        let n = c.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Ok(ExpiringAuth::new(AuthToken::bearer(format!("token-{n}")))) }
    });
    let d = Driver::with_auth_manager(&format!("neo4j://{router}"), manager.into_shared(), quick())
        .unwrap();
    let mut s = d.session(SessionConfig::new().with_database("neo4j"));
    let attempts = AtomicUsize::new(0);
    let r = tokio::time::timeout(
        LIMIT,
        s.execute_read(async |tx: &mut ManagedTransaction| {
            attempts.fetch_add(1, Ordering::SeqCst);
            let mut r = tx.run("RETURN 1 AS x").await?;
            r.single().await?.get_as::<i64>("x")
        }),
    )
    .await
    .expect("the retry hung");
    assert_eq!(r.unwrap(), 1);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    s.close().await.unwrap();
    d.close().await;
    assert_eq!(router_server.accepted(), 1, "the router was asked again");
    let routes = router_server.finish_within(LIMIT).await;
    assert_eq!(routes[0].messages(sig::ROUTE).len(), 1);
    let reads = reader_server.finish_within(LIMIT).await;
    assert_eq!(credentials(&reads[1], sig::LOGON), ["token-2"]);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
