//! One Bolt connection: the public request API.
//!
//! Requests are pipelined where the protocol allows: `RUN` goes out with its
//! first `PULL`, a pipelined `BEGIN` with the first `RUN`, `HELLO` with
//! `LOGON`. How the connection stays in sync when futures are dropped is
//! described in `pipeline.rs`; in short, nothing is ever lost, and the next
//! request first reads whatever abandoned requests are still owed.

mod open;
mod pipeline;
mod results;
mod state;
mod transaction;

pub use self::state::DefunctCause;

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use boltline_packstream::{Dialect, Map};
use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tracing::{debug_span, Instrument, Span};

use self::pipeline::{Outcome, Pending};
use self::state::ConnectionState;
use crate::chunk::{self, Dechunker};
use crate::message::{Commit, Goodbye, Logoff, Logon, Pull, Request, Reset, Route, Run, Telemetry};
use crate::result::{RecordStream, StreamEntry, StreamStats};
use crate::state::RequestKind;
use crate::{
    AuthToken, Error, Query, Result, RouteOptions, ServerError, ServerInfo, ServerState, Success,
    TelemetryApi, TxOptions, Version,
};

/// Source of process-unique connection ids (for logs, and to catch a
/// [`RecordStream`] used on the wrong connection).
static NEXT_CONNECTION_ID: AtomicU64 = AtomicU64::new(1);

/// A Bolt connection over any byte stream.
///
/// Open one with [`Connection::connect`] (TCP, optionally TLS) or
/// [`Connection::open`] (any `AsyncRead + AsyncWrite`, e.g. an in-memory
/// duplex in tests). All methods take `&mut self`: one request at a time,
/// pipelined on the wire where the protocol allows.
///
/// A connection is never handed back out of sync: if a future is dropped
/// mid-request, the connection remembers what the server still owes and
/// reads it before the next request; if the transport or the protocol
/// breaks, it turns [defunct](Connection::is_defunct) and refuses all work.
pub struct Connection<S> {
    io: S,
    id: u64,
    version: Version,
    dialect: Dialect,
    info: ServerInfo,
    /// Encoded requests not yet written.
    out: BytesMut,
    /// Bytes read and not yet dechunked.
    inbuf: BytesMut,
    dechunker: Dechunker,
    /// Requests awaiting their summary, in send order.
    pending: VecDeque<Pending>,
    /// Results the server may still send records of, or whose end the
    /// caller has not seen yet.
    streams: Vec<StreamEntry>,
    /// Live (server state, open transaction, last failure), defunct (and
    /// why) or closed: the one answer to "can I send?".
    state: ConnectionState,
    read_timeout: Option<Duration>,
    /// Bytes were handed to the transport whose flush has not completed
    /// (it was cancelled): they must be flushed before waiting for answers.
    flush_pending: bool,
    fetch_size: i64,
    routing_context: Option<Map>,
    next_ticket: u64,
    next_stream: u64,
    /// The credentials the server accepted for this connection; `None`
    /// until authentication succeeded, and while a switch is under way (or
    /// after one was interrupted), so nobody trusts a half-done switch.
    auth: Option<AuthToken>,
    /// A `COMMIT` queued behind a transaction's last `RUN`+`PULL`
    /// ([`Connection::run_in_tx_then_commit`]): its ticket and, once the
    /// server answered, the answer, for [`Connection::commit`].
    pipelined_commit: Option<(u64, Option<Outcome>)>,
    /// The `db` the server named in its answer to the last `BEGIN` (Bolt
    /// 5.8+), until [`take_begin_db`](Connection::take_begin_db).
    begin_db: Option<String>,
    span: Span,
}

impl<S> fmt::Debug for Connection<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.id)
            .field("version", &self.version)
            .field("server", &self.info.agent)
            .field("state", &self.state.server())
            .field("defunct", &!self.state.is_live())
            .field("pending", &self.pending.len())
            .field("in_transaction", &self.state.tx_open())
            .finish()
    }
}

/// Inspection; no I/O.
impl<S> Connection<S> {
    /// The credentials the server accepted for this connection: `None`
    /// before authentication and while (or after an interrupted) switch of
    /// credentials. `Debug` of the token never shows its secrets.
    pub fn auth(&self) -> Option<&AuthToken> {
        self.auth.as_ref()
    }

    /// Whether credentials can be switched without reconnecting
    /// ([`Connection::reauth`], Bolt 5.1+).
    pub fn supports_reauth(&self) -> bool {
        self.version.has_logon()
    }

    /// Process-unique id of this connection (also in its tracing span).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The negotiated protocol version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// What the server said about itself in `HELLO`.
    pub fn server_info(&self) -> &ServerInfo {
        &self.info
    }

    /// The server state, as of the last response read.
    pub fn server_state(&self) -> ServerState {
        self.state.server()
    }

    /// Whether the connection is broken or closed; it must be discarded.
    pub fn is_defunct(&self) -> bool {
        !self.state.is_live()
    }

    /// Whether the connection was closed by its owner
    /// ([`close`](Connection::close)).
    pub fn is_closed(&self) -> bool {
        self.state.is_closed()
    }

    /// Why the connection turned defunct; `None` while it is live, and once
    /// it is closed by its owner.
    pub fn defunct_cause(&self) -> Option<&DefunctCause> {
        self.state.defunct_cause()
    }

    /// Whether the connection needs a [`reset`](Connection::reset) before it
    /// can be reused cleanly: responses are still owed, a transaction or a
    /// result is open, or a failure is unacknowledged. A pool resets only
    /// such connections; a clean one costs no round trip.
    pub fn needs_reset(&self) -> bool {
        !self.is_defunct()
            && (self.state.server() != ServerState::Ready
                || !self.pending.is_empty()
                || !self.out.is_empty()
                || self.state.tx_open())
    }

    /// Whether responses to sent (or queued) requests are still owed.
    pub fn has_pending_responses(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Whether an explicit transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.state.tx_open()
    }

    /// The last server failure since the last `RESET`.
    pub fn last_failure(&self) -> Option<&ServerError> {
        self.state.last_failure()
    }

    /// Progress of a result still known to the connection.
    pub fn stream_stats(&self, stream: &RecordStream) -> Option<StreamStats> {
        self.streams
            .iter()
            .find(|e| e.id == stream.id && stream.connection == self.id)
            .map(|e| StreamStats {
                buffered: e.buffer.len(),
                batches: e.batches,
                records: e.records,
            })
    }

    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        &self.io
    }

    fn ensure_usable(&self) -> Result<()> {
        self.state.ensure_usable()
    }

    /// Requests outside transactions need no transaction and no live
    /// auto-commit result open.
    fn ensure_idle_for(&self, what: &str) -> Result<()> {
        if self.state.tx_open() {
            return Err(Error::InvalidState(format!(
                "cannot {what} while an explicit transaction is open"
            )));
        }
        if self
            .streams
            .iter()
            .any(|e| !e.in_tx && e.is_open() && !e.orphaned())
        {
            return Err(Error::InvalidState(format!(
                "cannot {what} while an auto-commit result is open; read it to the end, \
                 consume it, or drop its RecordStream"
            )));
        }
        Ok(())
    }

    fn ensure_in_tx(&self, what: &str) -> Result<()> {
        if self.state.tx_open() {
            Ok(())
        } else {
            Err(Error::InvalidState(format!(
                "cannot {what}: no explicit transaction is open"
            )))
        }
    }

    fn live_tx_streams_open(&self) -> bool {
        self.streams
            .iter()
            .any(|e| e.in_tx && e.is_open() && !e.orphaned())
    }

    fn ignored_error(&self) -> Error {
        match self.state.last_failure() {
            Some(f) => Error::Server(Box::new(f.clone())),
            None => Error::Ignored,
        }
    }

    fn expect_success(&self, outcome: Outcome) -> Result<Success> {
        match outcome {
            Outcome::Success(s) => Ok(s),
            Outcome::Failure(e) => Err(Error::Server(e)),
            Outcome::Ignored => Err(self.ignored_error()),
        }
    }

    fn check_stream(&self, stream: &RecordStream) -> Result<()> {
        if stream.connection == self.id {
            Ok(())
        } else {
            Err(Error::InvalidState(
                "the RecordStream belongs to another connection".into(),
            ))
        }
    }
}

impl<S> Connection<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// Queues a `RESET` when the server is `FAILED`, so work outside a
    /// transaction recovers by itself (the failure was already reported).
    fn recover_if_failed(&mut self) -> Result<()> {
        if self.state.is_failed() {
            self.send(&Reset, RequestKind::Reset, None, None)?;
        }
        Ok(())
    }

    /// Sends one request, waits for its summary.
    async fn request<R: Request>(&mut self, request: &R, kind: RequestKind) -> Result<Success> {
        let owner = Arc::new(());
        let ticket = self.send(request, kind, None, Some(&owner))?;
        self.flush().await?;
        let outcome = self.wait(ticket).await?;
        self.expect_success(outcome)
    }

    /// Runs a query in an auto-commit transaction. `RUN` and the first
    /// `PULL` (of the query's fetch size, or the configured one) go out in
    /// one write; this returns once `RUN` is answered, records then arrive
    /// through [`next_record`](Connection::next_record).
    ///
    /// If the previous request failed, a `RESET` is sent first (pipelined).
    pub async fn run(&mut self, query: &Query, options: &TxOptions) -> Result<RecordStream> {
        let span = debug_span!(parent: &self.span, "RUN");
        self.run_inner(query, Some(options), false)
            .instrument(span)
            .await
    }

    /// Runs a query in the open explicit transaction (`RUN` + `PULL`).
    pub async fn run_in_tx(&mut self, query: &Query) -> Result<RecordStream> {
        let span = debug_span!(parent: &self.span, "RUN in transaction");
        self.run_inner(query, None, false).instrument(span).await
    }

    /// The database the server named in its answer to the last `BEGIN`
    /// (Bolt 5.8+: the home database it resolved, when none was named),
    /// once; also for a pipelined `BEGIN`, whose answer arrives with the
    /// transaction's first `RUN`.
    pub fn take_begin_db(&mut self) -> Option<String> {
        self.begin_db.take()
    }

    /// The `n` of the first `PULL` of `query`: its own fetch size, else the
    /// connection's (`-1`: every record at once).
    pub fn fetch_size_for(&self, query: &Query) -> i64 {
        query.fetch_size().unwrap_or(self.fetch_size)
    }

    /// Runs the last query of the open explicit transaction and queues
    /// `COMMIT` behind it: `RUN`, `PULL` and `COMMIT` go out in one write
    /// (with a pipelined `BEGIN`, the whole transaction is one round trip).
    /// The query must fetch every record in its first `PULL` (fetch size
    /// `-1`, see [`fetch_size_for`](Connection::fetch_size_for)): the
    /// server commits a transaction whose result is still streaming and
    /// drops the unpulled part (Neo4j 5.26 does so, and a lazily executed
    /// write then stops where the pull stopped), so a bounded fetch is
    /// refused here.
    ///
    /// Read the records, then call [`commit`](Connection::commit), which
    /// returns the queued `COMMIT`'s answer without sending anything. If
    /// the query fails, the `COMMIT` is ignored by the server and the
    /// transaction is over: [`rollback`](Connection::rollback) then
    /// resets the connection.
    pub async fn run_in_tx_then_commit(&mut self, query: &Query) -> Result<RecordStream> {
        if self.fetch_size_for(query) != -1 {
            return Err(Error::InvalidState(
                "COMMIT can only follow a PULL of every record (fetch size -1)".into(),
            ));
        }
        let span = debug_span!(parent: &self.span, "RUN in transaction, then COMMIT");
        self.run_inner(query, None, true).instrument(span).await
    }

    async fn run_inner(
        &mut self,
        query: &Query,
        auto_commit: Option<&TxOptions>,
        then_commit: bool,
    ) -> Result<RecordStream> {
        self.ensure_usable()?;
        self.settle().await?;
        if auto_commit.is_some() {
            self.ensure_idle_for("run an auto-commit query")?;
            self.recover_if_failed()?;
        } else {
            self.ensure_in_tx("run a query in a transaction")?;
            if self.state.is_failed() {
                return Err(self.ignored_error());
            }
        }
        let owner = Arc::new(());
        let id = self.next_stream;
        self.next_stream += 1;
        let fetch_size = query.fetch_size().unwrap_or(self.fetch_size);
        let run = Run {
            query: query.text(),
            parameters: query.parameters(),
            auto_commit,
        };
        let ticket = self.send(&run, RequestKind::Run, Some(id), Some(&owner))?;
        self.streams.push(StreamEntry::new(
            id,
            Arc::downgrade(&owner),
            auto_commit.is_none(),
            fetch_size,
        ));
        self.send(
            &Pull {
                n: fetch_size,
                qid: -1,
            },
            RequestKind::Pull,
            Some(id),
            None,
        )?;
        if then_commit {
            // Nobody waits for this ticket: `commit` picks up its answer.
            let commit = self.send(&Commit, RequestKind::Commit, None, None)?;
            self.state.set_tx_open(false);
            self.pipelined_commit = Some((commit, None));
        }
        self.flush().await?;
        let outcome = self.wait(ticket).await?;
        let run_metadata = self.expect_success(outcome)?;
        let keys = self
            .streams
            .iter()
            .find(|e| e.id == id)
            .map_or_else(|| Arc::from(Vec::new()), |e| e.keys.clone());
        Ok(RecordStream::new(id, self.id, owner, keys, run_metadata))
    }

    /// Returns the connection to `READY`: interrupts running work, rolls back
    /// any transaction, acknowledges failures, ends open results. Answers
    /// owed to earlier requests are read (they come back `IGNORED`). A
    /// `FAILURE` to `RESET` leaves the connection defunct.
    pub async fn reset(&mut self) -> Result<()> {
        let span = debug_span!(parent: &self.span, "RESET");
        self.reset_inner().instrument(span).await
    }

    async fn reset_inner(&mut self) -> Result<()> {
        self.ensure_usable()?;
        self.state.set_tx_open(false);
        self.request(&Reset, RequestKind::Reset).await.map(drop)
    }

    /// Fetches a routing table (`ROUTE`); its `rt` entry is in
    /// [`Success::routing_table`].
    pub async fn route(&mut self, options: &RouteOptions) -> Result<Success> {
        let span = debug_span!(parent: &self.span, "ROUTE");
        async {
            self.ensure_usable()?;
            self.settle().await?;
            self.ensure_idle_for("fetch a routing table")?;
            self.recover_if_failed()?;
            let routing = options
                .routing_context
                .as_ref()
                .or(self.routing_context.as_ref())
                .cloned()
                .unwrap_or_default();
            let route = Route {
                routing: &routing,
                bookmarks: &options.bookmarks,
                db: options.db.as_deref(),
                imp_user: options.imp_user.as_deref(),
            };
            self.request(&route, RequestKind::Route).await
        }
        .instrument(span)
        .await
    }

    /// Queues a `TELEMETRY` message, sent with the next request, if the
    /// protocol has it (5.4+) and the server asked for it (`telemetry.enabled`
    /// hint). Returns whether it was queued.
    pub fn telemetry(&mut self, api: TelemetryApi) -> Result<bool> {
        self.ensure_usable()?;
        if !self.version.has_telemetry() || !self.info.telemetry_enabled {
            return Ok(false);
        }
        self.ensure_idle_for("send telemetry")?;
        // Telemetry is best effort: while a dropped result still needs its
        // DISCARD, or answers to abandoned requests are still owed, the
        // server may not be READY, so skip it rather than send it ahead of
        // them.
        if self.pending.iter().any(|p| self.is_stale(p))
            || self.streams.iter().any(|e| e.orphaned() && e.is_open())
        {
            return Ok(false);
        }
        self.send(&Telemetry { api }, RequestKind::Telemetry, None, None)?;
        Ok(true)
    }

    /// Switches the connection to other credentials without reconnecting
    /// (`LOGOFF` + `LOGON`, Bolt 5.1+). A rejected token ends the connection.
    pub async fn reauth(&mut self, auth: &AuthToken) -> Result<()> {
        let span = debug_span!(parent: &self.span, "LOGOFF+LOGON");
        async {
            self.queue_logoff().await?;
            self.request(&Logon { auth }, RequestKind::Logon).await?;
            self.auth = Some(auth.clone());
            Ok(())
        }
        .instrument(span)
        .await
    }

    /// Queues `LOGOFF` + `LOGON` without waiting (Bolt 5.1+): they go out
    /// with the next request, which reports a rejected token (the server
    /// then closes the connection, so it is never used under the wrong
    /// identity). [`Connection::auth`] names the new token at once.
    pub async fn reauth_pipelined(&mut self, auth: &AuthToken) -> Result<()> {
        self.queue_logoff().await?;
        self.send(&Logon { auth }, RequestKind::Logon, None, None)?;
        self.auth = Some(auth.clone());
        Ok(())
    }

    /// The first half of a credential switch: checks the connection can
    /// switch (Bolt 5.1+, idle), then queues `LOGOFF`. The credentials are
    /// unknown from then until `LOGON` succeeds.
    async fn queue_logoff(&mut self) -> Result<()> {
        self.ensure_usable()?;
        if !self.version.has_logon() {
            return Err(Error::Unsupported {
                feature: "re-authentication",
                needs: Version::V5_1,
                version: self.version,
            });
        }
        self.settle().await?;
        self.ensure_idle_for("re-authenticate")?;
        self.recover_if_failed()?;
        self.auth = None;
        self.send(&Logoff, RequestKind::Logoff, None, None)?;
        Ok(())
    }

    /// Says `GOODBYE` and shuts the stream down. Best effort: errors are
    /// ignored, the connection is closed either way.
    pub async fn close(&mut self) {
        if self.state.is_closed() {
            return;
        }
        let send_goodbye = self.state.close();
        if send_goodbye {
            let ctx = crate::message::Ctx {
                version: self.version,
                dialect: self.dialect,
            };
            let mut goodbye = BytesMut::new();
            if chunk::write_message(&mut goodbye, |b| Goodbye.encode(b, ctx)).is_ok() {
                tracing::debug!(parent: &self.span, "C: GOODBYE");
                self.out.extend_from_slice(&goodbye);
                let _ = self.io.write_all_buf(&mut self.out).await;
            }
        }
        let _ = self.io.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BoltStream, Record};

    /// Compile-time check: connections and their futures can move between
    /// threads (pools and drivers spawn them on multi-threaded runtimes).
    #[allow(dead_code)]
    fn futures_are_send(c: &mut Connection<BoltStream>, q: &Query, s: &mut RecordStream) {
        fn send<T: Send>(_: T) {}
        let o = TxOptions::new();
        send(c.run(q, &o));
        send(c.next_record(s));
        send(c.consume(s));
        send(c.reset());
        send(c.close());
        send(Connection::connect(
            &crate::Address::new("h", 1),
            &crate::ConnectionConfig::new(),
        ));
    }

    #[test]
    fn connection_and_handles_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Connection<BoltStream>>();
        send_sync::<RecordStream>();
        send_sync::<Record>();
        send_sync::<Error>();
    }
}
