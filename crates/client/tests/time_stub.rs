//! The driver against the scripted Bolt stub server: connection ages on a
//! hand-controlled clock, the liveness check of connectivity checks, pool
//! metrics.

use std::sync::Arc;
use std::time::Duration;

use boltline::boltline_pool::{Clock, FakeTime};
use boltline::{Address, AuthToken, Config, Driver, SessionConfig};
use boltline_stub::{map, sig, Script, StubServer, Value};

const LIMIT: Duration = Duration::from_secs(20);

fn driver(server: &StubServer, config: Config) -> Driver {
    Driver::with_config(
        &format!("bolt://{}", server.host_port()),
        AuthToken::basic("neo4j", "pass"),
        config,
    )
    .expect("driver")
}

fn address(server: &StubServer) -> Address {
    Address::parse(&server.host_port()).unwrap()
}

/// An auto-commit `RETURN 1 AS x`.
fn return_one(script: Script) -> Script {
    script
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
}

async fn run_return_one(d: &Driver) {
    let mut s = d.session(SessionConfig::new());
    let mut r = tokio::time::timeout(LIMIT, s.run("RETURN 1 AS x"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.collect::<i64>().await.unwrap(), [1]);
}

#[tokio::test]
async fn connectivity_checks_reset_a_connection_lent_from_the_pool() {
    let script = return_one(Script::authenticated(5, 4))
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, Config::default());
    // A new connection: the handshake proved the server alive, no RESET.
    run_return_one(&d).await;
    // Lent as is from the pool: one RESET each time.
    d.verify_connectivity().await.unwrap();
    let info = d.get_server_info().await.unwrap();
    assert_eq!(info.address(), &address(&server));
    let metrics = d.pool_metrics();
    let stats = metrics[&address(&server)];
    assert_eq!((stats.in_use, stats.idle), (0, 1));
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    assert_eq!(reports[0].messages(sig::RESET).len(), 2);
}

#[tokio::test]
async fn a_pooled_connection_failing_the_check_is_replaced() {
    let dead = return_one(Script::authenticated(5, 4))
        .expect(sig::RESET)
        .close();
    let fresh = Script::authenticated(5, 4)
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start([dead, fresh]).await.unwrap();
    let d = driver(&server, Config::default());
    run_return_one(&d).await;
    d.verify_connectivity().await.unwrap();
    assert_eq!(server.accepted(), 2);
    let stats = d.pool_metrics()[&address(&server)];
    assert_eq!((stats.size, stats.closed), (1, 1));
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[1].assert_completed();
    assert!(reports[1].messages(sig::RESET).is_empty());
}

#[tokio::test]
async fn the_configured_clock_retires_connections_past_their_lifetime() {
    let fake = Arc::new(FakeTime::new());
    fake.freeze();
    let config = Config::builder()
        .with_max_connection_lifetime(Some(Duration::from_secs(3600)))
        .with_clock(Clock::fake(fake.clone()))
        .build()
        .unwrap();
    let first = return_one(return_one(Script::authenticated(5, 4)));
    let second = return_one(Script::authenticated(5, 4))
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start([first, second]).await.unwrap();
    let d = driver(&server, config);
    run_return_one(&d).await;
    fake.advance(Duration::from_secs(3599));
    run_return_one(&d).await;
    assert_eq!(server.accepted(), 1, "younger than the lifetime: reused");
    fake.advance(Duration::from_secs(1));
    run_return_one(&d).await;
    assert_eq!(server.accepted(), 2, "at the lifetime: replaced");
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[1].assert_completed();
}

#[tokio::test]
async fn the_configured_clock_drives_the_liveness_check() {
    let fake = Arc::new(FakeTime::new());
    fake.freeze();
    let config = Config::builder()
        .with_liveness_check_timeout(Some(Duration::from_secs(2)))
        .with_clock(Clock::fake(fake.clone()))
        .build()
        .unwrap();
    let script = return_one(
        return_one(return_one(Script::authenticated(5, 4)))
            .expect(sig::RESET)
            .success(map::<&str>([])),
    )
    .expect(sig::GOODBYE)
    .expect_close();
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(&server, config);
    run_return_one(&d).await;
    fake.advance(Duration::from_millis(1999));
    run_return_one(&d).await;
    fake.advance(Duration::from_millis(2001));
    run_return_one(&d).await;
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    // RESET only after the idle time passed the threshold, before the third
    // query.
    let names = reports[0].names();
    let reset = names.iter().position(|n| n == "RESET").unwrap();
    assert_eq!(names.iter().filter(|n| *n == "RUN").count(), 3);
    assert_eq!(names.iter().filter(|n| *n == "RESET").count(), 1);
    assert_eq!(
        names[..reset].iter().filter(|n| *n == "RUN").count(),
        2,
        "{names:?}"
    );
}

fn telemetry_enabled() -> Script {
    let hints = map([(
        "hints",
        Value::Map(map([("telemetry.enabled", Value::from(true))])),
    )]);
    Script::bolt(5, 4).hello_ok(hints, true)
}

#[tokio::test]
async fn telemetry_is_sent_again_only_until_the_server_answered_it() {
    // Attempt 1: the connection dies before TELEMETRY is answered.
    let dead = telemetry_enabled().expect(sig::TELEMETRY).close();
    // Attempt 2: TELEMETRY answered, BEGIN fails with a transient error;
    // attempt 3 (after the RESET) goes without TELEMETRY.
    let second = telemetry_enabled()
        .expect(sig::TELEMETRY)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .failure("Neo.TransientError.General.PleaseRetry", "try again")
        .expect(sig::RESET)
        .success(map::<&str>([]))
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::COMMIT)
        .success(map::<&str>([]))
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start([dead, second]).await.unwrap();
    let d = driver(&server, Config::default());
    let mut s = d.session(SessionConfig::new());
    let attempts = std::sync::atomic::AtomicUsize::new(0);
    let v = tokio::time::timeout(
        LIMIT,
        s.execute_read(async |tx: &mut boltline::ManagedTransaction| {
            attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut r = tx.run("RETURN 1 AS x").await?;
            r.collect::<i64>().await
        }),
    )
    .await;
    let reports = server.reports();
    let v = v.unwrap_or_else(|_| {
        panic!(
            "hung: {:?}",
            reports
                .iter()
                .map(|r| (r.names(), r.outcome.clone()))
                .collect::<Vec<_>>()
        )
    });
    assert_eq!(v.unwrap(), [1], "{:?}", reports[1].names());
    // BEGIN is answered before the work runs: the two failed attempts
    // (lost connection, failed BEGIN) never called it.
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 1);
    drop(s);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[1].assert_completed();
    assert_eq!(reports[1].messages(sig::TELEMETRY).len(), 1);
}

/// `HELLO` answered with the `connection.recv_timeout_seconds` hint.
fn recv_timeout_hint(seconds: i64) -> Script {
    let hints = map([(
        "hints",
        Value::Map(map([(
            "connection.recv_timeout_seconds",
            Value::from(seconds),
        )])),
    )]);
    Script::bolt(5, 4).hello_ok(hints, true)
}

#[tokio::test]
async fn the_servers_recv_timeout_hint_closes_a_slow_connection_and_the_work_is_retried() {
    // The first connection answers too late: the driver gives up after the
    // hinted second, closes the socket (the script sees it close), and the
    // managed transaction is retried on a new connection.
    let slow = recv_timeout_hint(1)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .delay(Duration::from_millis(1500))
        .expect_close();
    let fast = recv_timeout_hint(1)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .success([("fields", Value::from_iter(["x"]))])
        .record(vec![Value::from(1)])
        .success([("type", Value::from("r"))])
        .expect(sig::COMMIT)
        .success(map::<&str>([]))
        .expect(sig::GOODBYE)
        .expect_close();
    let server = StubServer::start([slow, fast]).await.unwrap();
    let d = driver(&server, Config::default());
    let mut s = d.session(SessionConfig::new());
    let mut errors = Vec::new();
    let v = tokio::time::timeout(
        LIMIT,
        s.execute_write(async |tx: &mut boltline::ManagedTransaction| {
            let r = async { tx.run("RETURN 1 AS x").await?.collect::<i64>().await }.await;
            if let Err(e) = &r {
                errors.push((e.to_string(), e.is_retryable()));
            }
            r
        }),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(v, [1]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .0
            .contains("timed out after 1s waiting for the server"),
        "{errors:?}"
    );
    assert!(errors[0].1, "a read timeout is retryable: {errors:?}");
    drop(s);
    d.close().await;
    let reports = server.finish_within(LIMIT).await;
    reports[0].assert_completed();
    reports[1].assert_completed();
}

#[tokio::test]
async fn a_read_timeout_in_an_explicit_transaction_ends_it_and_closes_the_connection() {
    let slow = recv_timeout_hint(1)
        .expect(sig::BEGIN)
        .success(map::<&str>([]))
        .expect(sig::RUN)
        .expect(sig::PULL)
        .delay(Duration::from_millis(1500))
        .expect_close();
    let server = StubServer::start([slow]).await.unwrap();
    let d = driver(&server, Config::default());
    let mut s = d.session(SessionConfig::new());
    let mut tx = s.begin_transaction().await.unwrap();
    let first = tokio::time::timeout(LIMIT, tx.run("RETURN 1 AS x"))
        .await
        .unwrap();
    let Err(e) = first else {
        panic!("the read did not time out")
    };
    assert!(e.is_retryable(), "{e}");
    // The socket is closed while the transaction is still held.
    let reports = tokio::time::timeout(LIMIT, async {
        loop {
            let r = server.reports();
            if r[0].outcome.is_ok() {
                break r;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the connection was closed");
    reports[0].assert_completed();
    // Further use of the transaction fails.
    assert!(tx.run("RETURN 2 AS x").await.is_err());
    drop(tx);
    drop(s);
    d.close().await;
}
