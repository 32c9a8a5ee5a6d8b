//! The listening stub server.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::peer::Peer;
use crate::report::ConnectionReport;
use crate::script::Script;

/// How long [`StubServer::finish`] waits for scripts to complete.
pub const DEFAULT_FINISH_TIMEOUT: Duration = Duration::from_secs(10);

/// A Bolt stub server on `127.0.0.1:<ephemeral>`. The n-th accepted
/// connection runs the n-th script; connections beyond the scripts are
/// closed at once and counted. Dropping the server stops everything.
#[derive(Debug)]
pub struct StubServer {
    address: SocketAddr,
    reports: Arc<Mutex<Vec<ConnectionReport>>>,
    accepted: Arc<AtomicUsize>,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
    acceptor: JoinHandle<()>,
}

impl StubServer {
    /// Starts a server for these scripts (one per expected connection).
    pub async fn start(scripts: impl IntoIterator<Item = Script>) -> io::Result<StubServer> {
        StubServer::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), scripts).await
    }

    /// Starts a server on a given address, e.g. the address of a server
    /// that was stopped, to play a server that went away and came back.
    pub async fn start_on(
        address: SocketAddr,
        scripts: impl IntoIterator<Item = Script>,
    ) -> io::Result<StubServer> {
        let scripts: Vec<Script> = scripts.into_iter().collect();
        let listener = TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let reports = Arc::new(Mutex::new(
            (0..scripts.len())
                .map(ConnectionReport::new)
                .collect::<Vec<_>>(),
        ));
        let accepted = Arc::new(AtomicUsize::new(0));
        let tasks = Arc::new(Mutex::new(Vec::new()));
        let acceptor = tokio::spawn({
            let (reports, accepted, tasks) = (reports.clone(), accepted.clone(), tasks.clone());
            async move {
                let mut scripts = scripts.into_iter();
                while let Ok((socket, _)) = listener.accept().await {
                    let index = accepted.fetch_add(1, Ordering::SeqCst);
                    let _ = socket.set_nodelay(true);
                    let Some(script) = scripts.next() else {
                        // No script: close at once.
                        drop(socket);
                        continue;
                    };
                    let task =
                        tokio::spawn(Peer::new(socket, script, index, reports.clone()).run());
                    if let Ok(mut t) = tasks.lock() {
                        t.push(task);
                    }
                }
            }
        });
        Ok(StubServer {
            address,
            reports,
            accepted,
            tasks,
            acceptor,
        })
    }

    /// Starts a server for one connection.
    pub async fn start_one(script: Script) -> io::Result<StubServer> {
        StubServer::start([script]).await
    }

    /// The socket address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `127.0.0.1:<port>`, as a Bolt address string.
    pub fn host_port(&self) -> String {
        self.address.to_string()
    }

    /// Connections accepted so far (scripted or not).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Snapshot of the reports now, without waiting.
    pub fn reports(&self) -> Vec<ConnectionReport> {
        self.reports.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Waits (up to 10 s) for every script to complete, stops the server and
    /// returns one report per script.
    pub async fn finish(self) -> Vec<ConnectionReport> {
        self.finish_within(DEFAULT_FINISH_TIMEOUT).await
    }

    /// [`finish`](StubServer::finish) with another deadline.
    pub async fn finish_within(self, limit: Duration) -> Vec<ConnectionReport> {
        let deadline = Instant::now() + limit;
        loop {
            let done = self
                .reports
                .lock()
                .map(|r| r.iter().all(|r| !is_running(r)))
                .unwrap_or(true);
            if done || Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut reports = self.reports();
        for r in &mut reports {
            if let Err(e) = &r.outcome {
                if is_running(r) {
                    r.outcome = Err(format!("did not finish within {limit:?}: {e}"));
                }
            }
        }
        reports
    }

    /// Asserts every script completed and returns the reports.
    pub async fn finish_and_assert(self) -> Vec<ConnectionReport> {
        let reports = self.finish().await;
        for r in &reports {
            r.assert_completed();
        }
        reports
    }
}

fn is_running(r: &ConnectionReport) -> bool {
    matches!(&r.outcome, Err(e) if e.starts_with("in progress") || e.starts_with("no client connected"))
}

impl Drop for StubServer {
    fn drop(&mut self) {
        self.acceptor.abort();
        if let Ok(tasks) = self.tasks.lock() {
            for t in tasks.iter() {
                t.abort();
            }
        }
    }
}
