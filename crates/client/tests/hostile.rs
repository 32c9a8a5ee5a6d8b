//! Hostile and broken servers, played by a raw TCP listener: each makes
//! the driver fail with a typed error within the bound the user set
//! (the connection timeout, the message size limit), never hang or hold
//! more memory than the limit.

use std::time::{Duration, Instant};

use boltline::PoolError;
use boltline::{AuthToken, BoltError, Config, Driver, Error, SessionConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Far above every bound under test: a test failing on it has hung.
const HANG: Duration = Duration::from_secs(20);
/// The acquisition timeout given to the driver (its connection timeout is
/// far longer).
const CONNECT: Duration = Duration::from_millis(500);

/// Serves every accepted socket with `serve` on its own task.
async fn hostile<F, Fut>(serve: F) -> String
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(serve(socket));
        }
    });
    address
}

/// Reads the client's preamble and version proposals (20 bytes) and agrees
/// on Bolt 5.4.
async fn agree(socket: &mut TcpStream) -> std::io::Result<()> {
    let mut hello = [0u8; 20];
    socket.read_exact(&mut hello).await?;
    socket.write_all(&[0, 0, 4, 5]).await
}

/// Keeps reading so the client's writes never block; never answers.
async fn drain(mut socket: TcpStream) {
    let mut buf = [0u8; 4096];
    while matches!(socket.read(&mut buf).await, Ok(n) if n > 0) {}
}

/// A driver with a short acquisition timeout and a long connection
/// timeout: the acquisition timeout bounds the Bolt handshake and
/// authentication (the connection timeout only DNS, TCP and TLS), so a
/// failure within it proves which one bounds a silent server.
fn driver(address: &str, config: boltline::ConfigBuilder) -> Driver {
    Driver::with_config(
        &format!("bolt://{address}"),
        AuthToken::basic("neo4j", "pass"),
        config
            .with_connection_timeout(Some(Duration::from_secs(15)))
            .with_connection_acquisition_timeout(CONNECT)
            .with_max_transaction_retry_time(Duration::from_secs(1))
            .build()
            .unwrap(),
    )
    .unwrap()
}

/// Runs one query; returns its error and how long it took.
async fn first_error(d: &Driver) -> (Error, Duration) {
    let start = Instant::now();
    let mut s = d.session(SessionConfig::new());
    let r = tokio::time::timeout(HANG, async {
        let mut r = s.run("RETURN 1").await?;
        r.next().await
    })
    .await
    .expect("bounded");
    (
        r.expect_err("a hostile server must fail the query"),
        start.elapsed(),
    )
}

/// The acquisition ran out of time while opening the connection (the
/// handshake or authentication never finished).
#[track_caller]
fn assert_acquisition_timed_out(e: &Error) {
    match e {
        Error::ServiceUnavailable(pool) => assert!(
            matches!(
                &**pool,
                PoolError::Unavailable {
                    connecting: true,
                    ..
                }
            ) || matches!(&**pool, PoolError::Connect(BoltError::Timeout { .. })),
            "expected the acquisition to time out while connecting, got {pool:?}"
        ),
        other => panic!("expected the acquisition to time out, got {other:?}"),
    }
}

fn connect_error(e: &Error) -> &BoltError {
    match e {
        Error::ServiceUnavailable(pool) => match &**pool {
            PoolError::Connect(b) => b,
            other => panic!("expected a connection failure, got {other:?}"),
        },
        other => panic!("expected a connection failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_silent_server_fails_within_the_acquisition_timeout() {
    let address = hostile(drain).await;
    let (e, took) = first_error(&driver(&address, Config::builder())).await;
    assert_acquisition_timed_out(&e);
    assert!(took < CONNECT * 3, "took {took:?}");
}

#[tokio::test]
async fn a_server_silent_after_the_handshake_fails_within_the_acquisition_timeout() {
    let address = hostile(|mut s| async move {
        if agree(&mut s).await.is_ok() {
            drain(s).await;
        }
    })
    .await;
    let (e, took) = first_error(&driver(&address, Config::builder())).await;
    assert_acquisition_timed_out(&e);
    assert!(took < CONNECT * 3, "took {took:?}");
}

#[tokio::test]
async fn a_garbage_handshake_answer_is_a_typed_error_at_once() {
    let address = hostile(|mut s| async move {
        let mut hello = [0u8; 20];
        if s.read_exact(&mut hello).await.is_ok() {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
            drain(s).await;
        }
    })
    .await;
    let (e, took) = first_error(&driver(&address, Config::builder())).await;
    let b = connect_error(&e);
    assert!(
        matches!(
            b,
            BoltError::Protocol(_) | BoltError::UnsupportedVersion { .. }
        ),
        "{e:?}"
    );
    assert!(took < CONNECT, "took {took:?}");
}

#[tokio::test]
async fn a_close_after_the_handshake_is_a_typed_error_at_once() {
    let address = hostile(|mut s| async move {
        let _ = agree(&mut s).await;
        // Dropping the socket closes it.
    })
    .await;
    let (e, took) = first_error(&driver(&address, Config::builder())).await;
    assert!(
        matches!(
            connect_error(&e),
            BoltError::ConnectionClosed { .. } | BoltError::Io(_)
        ),
        "{e:?}"
    );
    assert!(took < CONNECT, "took {took:?}");
}

/// One chunk header announcing 65 535 bytes, then those bytes, forever:
/// one endless message. The size limit stops it; memory held stays
/// within the limit.
#[tokio::test]
async fn an_endless_message_stops_at_the_size_limit() {
    const LIMIT: usize = 1024 * 1024;
    let address = hostile(|mut s| async move {
        if agree(&mut s).await.is_err() {
            return;
        }
        let mut chunk = vec![0xFF, 0xFF];
        chunk.extend(std::iter::repeat_n(0x42, 65_535));
        // Bounded so a client that kept reading ends the test anyway.
        for _ in 0..10_000 {
            if s.write_all(&chunk).await.is_err() {
                return;
            }
        }
    })
    .await;
    let d = driver(&address, Config::builder().with_max_message_size(LIMIT));
    let (e, took) = first_error(&d).await;
    assert!(
        matches!(connect_error(&e), BoltError::MessageTooLarge { size, limit }
            if *limit == LIMIT && *size <= LIMIT + 65_535),
        "{e:?}"
    );
    assert!(took < CONNECT, "took {took:?}");
}

/// Endless `NOOP` keep-alives instead of an answer to `HELLO`: a server
/// that keeps the socket busy without ever answering is still bounded by
/// the acquisition timeout.
#[tokio::test]
async fn endless_keep_alives_are_bounded_by_the_acquisition_timeout() {
    let address = hostile(|mut s| async move {
        if agree(&mut s).await.is_err() {
            return;
        }
        loop {
            if s.write_all(&[0, 0]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let (e, took) = first_error(&driver(&address, Config::builder())).await;
    assert_acquisition_timed_out(&e);
    assert!(took < CONNECT * 3, "took {took:?}");
}

#[test]
fn the_default_message_limit_is_64_mib() {
    assert_eq!(
        boltline_bolt::chunk::DEFAULT_MAX_MESSAGE_SIZE,
        64 * 1024 * 1024
    );
    assert!(matches!(
        Config::builder().with_max_message_size(10).build(),
        Err(Error::InvalidConfig(_))
    ));
}

/// A server that stops answering mid-request: the user's read timeout
/// bounds the wait, and the error says the connection was lost.
#[tokio::test]
async fn a_server_silent_mid_request_fails_within_the_read_timeout() {
    use boltline_stub::{sig, Script, StubServer};
    const READ: Duration = Duration::from_millis(300);
    let script = Script::authenticated(5, 4)
        .expect(sig::RUN)
        .expect(sig::PULL)
        .delay(HANG);
    let server = StubServer::start_one(script).await.unwrap();
    let d = driver(
        &server.host_port(),
        Config::builder().with_read_timeout(Some(READ)),
    );
    let (e, took) = first_error(&d).await;
    assert!(
        matches!(&e, Error::ConnectionLost(b) if matches!(&**b, BoltError::Timeout { timeout, .. } if *timeout == READ)),
        "{e:?}"
    );
    assert!(took < READ * 3, "took {took:?}");
}
