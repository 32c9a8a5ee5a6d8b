//! The TCP side: accept testkit connections one at a time and serve each
//! until it closes.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::dispatch::{answer_callback, Backend, Dispatch};
use crate::framing::{encode_response, RequestReader};
use crate::protocol::{parse_request, Request, Response};
use crate::wired::Boltline;

/// The address testkit connects to by default (its `TEST_BACKEND_HOST` and
/// `TEST_BACKEND_PORT` defaults).
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:9876";

/// Server options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Log every request name and response to stderr.
    pub verbose: bool,
}

/// Accepts connections forever, serving one at a time (testkit opens one
/// per test and closes it at the test's end).
pub async fn serve(listener: TcpListener, options: Options) -> io::Result<()> {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                // E.g. out of file descriptors: wait a little, keep serving.
                eprintln!("testkit-backend: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        if options.verbose {
            eprintln!("testkit-backend: connection from {peer}");
        }
        let _ = stream.set_nodelay(true);
        match serve_connection(stream, options).await {
            Ok(()) => {
                if options.verbose {
                    eprintln!("testkit-backend: {peer} closed");
                }
            }
            Err(e) => eprintln!("testkit-backend: connection {peer} ended: {e}"),
        }
    }
}

/// Serves one testkit connection until it closes, with a fresh
/// [`Backend`] wired to boltline. Everything created on it is freed when
/// this returns. Must run inside a `tokio::task::LocalSet` (managed
/// transactions run as local tasks).
pub async fn serve_connection<S>(stream: S, options: Options) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (outbox, outgoing) = mpsc::unbounded_channel();
    let backend = Backend::<Boltline>::new(outbox);
    serve_connection_with(stream, backend, outgoing, options).await
}

/// Reads framed requests from one connection.
struct Input<R> {
    read: R,
    reader: RequestReader,
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> Input<R> {
    /// The next request, parsed; `Err(response)` for one that could not be
    /// (to be answered with that response); `None` at end of stream.
    ///
    /// Cancel safe: bytes are only consumed from the socket by a completed
    /// `read`, and pushed into the reader in the same poll.
    async fn next(&mut self) -> io::Result<Option<Result<Request, Response>>> {
        loop {
            if let Some(frame) = self.reader.next_request() {
                return Ok(Some(match frame {
                    Err(e) => Err(Response::backend_error(e.to_string())),
                    Ok(body) => parse_request(&body).map_err(Response::from),
                }));
            }
            let n = self.read.read(&mut self.buf).await?;
            if n == 0 {
                if self.reader.in_request() {
                    eprintln!("testkit-backend: connection closed inside a request");
                }
                return Ok(None);
            }
            self.reader.push(self.buf.get(..n).unwrap_or_default());
        }
    }
}

async fn send<W: AsyncWrite + Unpin>(
    write: &mut W,
    response: &Response,
    options: Options,
) -> io::Result<()> {
    let framed = encode_response(response);
    if options.verbose {
        eprint!("testkit-backend: -> {framed}");
    }
    write.write_all(framed.as_bytes()).await?;
    write.flush().await
}

/// Serves one connection with a given dispatcher. `outgoing` receives what
/// the dispatcher's callback hub sends outside the request/response rhythm
/// (callback requests such as `ResolverResolutionRequired`).
///
/// Testkit sends one request at a time. While a request is in progress
/// (the driver may be waiting on a callback), the loop keeps writing
/// callback requests and routing testkit's `...Completed` answers to the
/// hub; any other request in that window is answered with a BackendError.
pub async fn serve_connection_with<S, D>(
    stream: S,
    mut dispatcher: D,
    mut outgoing: mpsc::UnboundedReceiver<Response>,
    options: Options,
) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin,
    D: Dispatch,
{
    let (read, mut write) = tokio::io::split(stream);
    let mut input = Input {
        read,
        reader: RequestReader::default(),
        buf: vec![0u8; 64 * 1024],
    };
    let hub = dispatcher.callbacks();
    loop {
        let request = match input.next().await? {
            None => return Ok(()),
            Some(Err(response)) => {
                send(&mut write, &response, options).await?;
                continue;
            }
            Some(Ok(request)) => request,
        };
        let name = request.name();
        if options.verbose {
            eprintln!("testkit-backend: <- {name}");
        }
        let response = {
            let op = dispatcher.handle(request);
            tokio::pin!(op);
            loop {
                tokio::select! {
                    biased;
                    Some(message) = outgoing.recv() => send(&mut write, &message, options).await?,
                    response = &mut op => break response,
                    next = input.next() => match next? {
                        // Testkit went away mid-request: drop everything.
                        None => return Ok(()),
                        Some(Err(response)) => send(&mut write, &response, options).await?,
                        Some(Ok(other)) => {
                            if options.verbose {
                                eprintln!("testkit-backend: <- {} (during {name})", other.name());
                            }
                            let answer = match answer_callback(&hub, other) {
                                Ok(answer) => answer,
                                Err(other) => Some(Response::backend_error(format!(
                                    "{} arrived while {name} was in progress",
                                    other.name()
                                ))),
                            };
                            if let Some(answer) = answer {
                                send(&mut write, &answer, options).await?;
                            }
                        }
                    },
                }
            }
        };
        // Callback requests queued before the answer go out first.
        while let Ok(message) = outgoing.try_recv() {
            send(&mut write, &message, options).await?;
        }
        if let Some(response) = response {
            send(&mut write, &response, options).await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, BufReader};

    async fn read_response<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> serde_json::Value {
        let mut body = String::new();
        let mut line = String::new();
        let mut inside = false;
        loop {
            line.clear();
            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                return serde_json::Value::Null;
            }
            match line.trim() {
                "#response begin" => inside = true,
                "#response end" => return serde_json::from_str(&body).unwrap_or_default(),
                l if inside => body.push_str(l),
                _ => {}
            }
        }
    }

    #[tokio::test]
    async fn a_session_over_a_pipe() {
        let (client, server) = tokio::io::duplex(1024);
        let task = tokio::spawn(serve_connection(server, Options::default()));
        let (read, mut write) = tokio::io::split(client);
        let mut read = BufReader::new(read);

        // Two requests in one write, the second split across writes.
        write
            .write_all(b"#request begin\n{\"name\":\"GetFeatures\",\"data\":{}}\n#request end\n#request begin\n{\"name\":\"StartTest\",")
            .await
            .unwrap_or_default();
        write
            .write_all(b"\"data\":{\"testName\":\"stub.x.T.t\"}}\n#request end\n")
            .await
            .unwrap_or_default();
        assert_eq!(read_response(&mut read).await["name"], "FeatureList");
        assert_eq!(read_response(&mut read).await["name"], "RunTest");

        // Malformed JSON, an unknown request, garbage: answers, no crash.
        write
            .write_all(b"noise\n#request begin\n{nope\n#request end\n#request begin\n{\"name\":\"Frobnicate\",\"data\":{}}\n#request end\n")
            .await
            .unwrap_or_default();
        let r = read_response(&mut read).await;
        assert_eq!(r["name"], "BackendError");
        let r = read_response(&mut read).await;
        assert_eq!(r["name"], "BackendError");
        assert!(r["data"]["msg"]
            .as_str()
            .unwrap_or_default()
            .contains("Frobnicate"));

        // Still alive.
        write
            .write_all(b"#request begin\n{\"name\":\"NewDriver\",\"data\":{\"uri\":\"bolt://x\"}}\n#request end\n")
            .await
            .unwrap_or_default();
        let r = read_response(&mut read).await;
        assert_eq!(r["name"], "Driver", "{r}");

        drop(write);
        drop(read);
        assert!(matches!(task.await, Ok(Ok(()))));
    }

    /// A stand-in for the wired backend: `NewDriver` asks testkit's
    /// resolver and answers with a driver whose id is the number of
    /// addresses resolved.
    struct Resolving {
        hub: crate::registry::CallbackHub,
    }

    impl Dispatch for Resolving {
        async fn handle(&mut self, request: Request) -> Option<Response> {
            match request {
                Request::NewDriver(d) => {
                    let reply = self
                        .hub
                        .call(crate::registry::CallbackKind::Resolver, |id| {
                            Response::ResolverResolutionRequired {
                                id,
                                address: d.uri.clone(),
                            }
                        })
                        .await;
                    Some(match reply {
                        Ok(crate::registry::CallbackReply::Resolver(a)) => Response::Driver {
                            id: crate::protocol::Id(a.len() as u64),
                        },
                        other => Response::backend_error(format!("{other:?}")),
                    })
                }
                _ => Some(Response::backend_error("unexpected")),
            }
        }

        fn callbacks(&self) -> crate::registry::CallbackHub {
            self.hub.clone()
        }
    }

    #[tokio::test]
    async fn callbacks_are_served_while_a_request_is_in_progress() {
        let (outbox, outgoing) = mpsc::unbounded_channel();
        let hub = crate::registry::CallbackHub::new(Default::default(), outbox);
        let (client, server) = tokio::io::duplex(1024);
        let task = tokio::spawn(serve_connection_with(
            server,
            Resolving { hub },
            outgoing,
            Options::default(),
        ));
        let (read, mut write) = tokio::io::split(client);
        let mut read = BufReader::new(read);
        write
            .write_all(b"#request begin\n{\"name\":\"NewDriver\",\"data\":{\"uri\":\"neo4j://h:1\"}}\n#request end\n")
            .await
            .unwrap_or_default();
        let r = read_response(&mut read).await;
        assert_eq!(r["name"], "ResolverResolutionRequired");
        assert_eq!(r["data"]["address"], "neo4j://h:1");
        let id = r["data"]["id"].as_u64().unwrap_or_default();
        // A stray request meanwhile is refused, the request goes on.
        write
            .write_all(b"#request begin\n{\"name\":\"GetFeatures\",\"data\":{}}\n#request end\n")
            .await
            .unwrap_or_default();
        let r = read_response(&mut read).await;
        assert_eq!(r["name"], "BackendError");
        let answer = format!(
            "#request begin\n{{\"name\":\"ResolverResolutionCompleted\",\"data\":{{\"requestId\":{id},\"addresses\":[\"a:1\",\"b:2\"]}}}}\n#request end\n"
        );
        write.write_all(answer.as_bytes()).await.unwrap_or_default();
        let r = read_response(&mut read).await;
        assert_eq!(r, serde_json::json!({"name": "Driver", "data": {"id": 2}}));
        drop(write);
        drop(read);
        assert!(matches!(task.await, Ok(Ok(()))));
    }

    #[tokio::test]
    async fn tcp_connections_one_after_another() {
        let Ok(listener) = TcpListener::bind("127.0.0.1:0").await else {
            return; // no loopback networking in this sandbox
        };
        let Ok(addr) = listener.local_addr() else {
            return;
        };
        let server = tokio::spawn(serve(listener, Options::default()));
        for _ in 0..2 {
            let Ok(mut conn) = tokio::net::TcpStream::connect(addr).await else {
                panic!("connect failed");
            };
            let (read, mut write) = conn.split();
            let mut read = BufReader::new(read);
            write
                .write_all(
                    b"#request begin\n{\"name\":\"GetFeatures\",\"data\":{}}\n#request end\n",
                )
                .await
                .unwrap_or_default();
            assert_eq!(read_response(&mut read).await["name"], "FeatureList");
        }
        server.abort();
    }
}
