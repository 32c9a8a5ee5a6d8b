//! The request pipeline: queueing encoded requests, writing them, reading
//! and dispatching responses in order.
//!
//! Every request gets a ticket and a [`Pending`] entry in send order; the
//! server answers in the same order, so each summary pops the head. A caller
//! waits for its own ticket, and answers to earlier requests are applied on
//! the way (state machine, result buffers, last failure).
//!
//! All state lives in the connection, and every `.await` is on a
//! cancellation-safe primitive (`write_buf`, `read_buf`, a timeout around
//! them), with decoding and bookkeeping done synchronously between awaits.
//! So a future dropped at any point leaves bytes either in `out` (unsent) or
//! in `inbuf` (unread), never half-processed, and the pending queue still
//! says what the server owes. A pending entry whose owner (a waiting call or
//! a result handle) is gone is *stale*; [`Connection::settle`] reads past
//! stale entries before the next request, which is what keeps the
//! connection in sync after a cancellation.

use std::io;
use std::sync::{Arc, Weak};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tracing::{debug, trace};

use super::{Connection, DefunctCause};
use crate::chunk::{self, MessageTooLarge};
use crate::message::{Ctx, Discard, Record, Request, Response, Success};
use crate::result::{Failure, Phase};
use crate::state::RequestKind;
use crate::{Error, Result, ServerError, Version};

/// Bytes reserved per socket read. Large enough that a batch of small records
/// takes few reads; records slice this buffer, so a record kept alive pins
/// at most one block.
const READ_BUFFER: usize = 32 * 1024;

/// How long closing a timed-out connection may take (a TLS `close_notify`
/// cannot be written if the peer stopped reading; the socket is dropped
/// with the connection anyway).
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// A request the server has not answered yet.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) ticket: u64,
    pub(super) kind: RequestKind,
    /// The result it belongs to (`RUN`, `PULL`, `DISCARD`).
    pub(super) stream: Option<u64>,
    /// Who waits for the answer: `None` for requests whose answer goes to
    /// whoever comes next (pipelined `BEGIN`, `TELEMETRY`, internal ones).
    pub(super) owner: Option<Weak<()>>,
}

/// The summary a request got.
#[derive(Debug, Clone)]
pub(super) enum Outcome {
    Success(Success),
    Failure(Box<ServerError>),
    Ignored,
}

impl<S> Connection<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// Encodes a request into the output buffer and records what it owes.
    /// Nothing is written to the socket; an encoding error leaves the
    /// connection exactly as it was.
    pub(super) fn send<R: Request>(
        &mut self,
        request: &R,
        kind: RequestKind,
        stream: Option<u64>,
        owner: Option<&Arc<()>>,
    ) -> Result<u64> {
        let ctx = Ctx {
            version: self.version,
            dialect: self.dialect,
        };
        chunk::write_message(&mut self.out, |buf| request.encode(buf, ctx))
            .map_err(|e| needs_newer_version(e, self.version))?;
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.pending.push_back(Pending {
            ticket,
            kind,
            stream,
            owner: owner.map(Arc::downgrade),
        });
        if kind == RequestKind::Reset {
            self.state.on_reset_sent();
            // A queued COMMIT's answer no longer matters: the RESET ends
            // whatever it left.
            self.pipelined_commit = None;
        }
        debug!(parent: &self.span, "C: {}", R::NAME);
        Ok(ticket)
    }

    /// Writes everything queued.
    pub(super) async fn flush(&mut self) -> Result<()> {
        // Set before the first await and cleared only when the transport's
        // flush completed, so a cancelled flush is resumed (see `recv`).
        self.flush_pending = true;
        let written: io::Result<()> = async {
            while !self.out.is_empty() {
                if self.io.write_buf(&mut self.out).await? == 0 {
                    return Err(io::ErrorKind::WriteZero.into());
                }
            }
            self.io.flush().await
        }
        .await;
        self.flush_pending = false;
        written.map_err(|e| self.broken(e.into()))
    }

    /// Reads the next whole message.
    async fn read_message(&mut self) -> Result<Bytes> {
        loop {
            match self.dechunker.decode(&mut self.inbuf) {
                Ok(Some(message)) => return Ok(message),
                Ok(None) => {}
                Err(MessageTooLarge { size, limit }) => {
                    return Err(self.broken(Error::MessageTooLarge { size, limit }))
                }
            }
            self.inbuf.reserve(READ_BUFFER);
            let read = self.io.read_buf(&mut self.inbuf);
            let n = match self.read_timeout {
                Some(limit) => match tokio::time::timeout(limit, read).await {
                    Ok(r) => r,
                    Err(_) => {
                        let e = self.broken(Error::Timeout {
                            during: "waiting for the server's response",
                            timeout: limit,
                        });
                        // The server is too slow for the read timeout (the
                        // configured one, or its own `recv_timeout_seconds`
                        // hint): the connection is out of sync for good, so
                        // close it now rather than when its owner lets go
                        // of it (which may be a transaction held open). It
                        // stays defunct, not `closed`: its users are told it
                        // broke.
                        let _ = tokio::time::timeout(SHUTDOWN_GRACE, self.io.shutdown()).await;
                        return Err(e);
                    }
                },
                None => read.await,
            };
            match n {
                Ok(0) => {
                    let during = if self.dechunker.in_message() || !self.inbuf.is_empty() {
                        "a message (it was cut off)"
                    } else {
                        "a request (no response came)"
                    };
                    return Err(self.broken(Error::ConnectionClosed { during }));
                }
                Ok(_) => {}
                Err(e) => return Err(self.broken(e.into())),
            }
        }
    }

    /// Applies the next message if it is already complete in the input
    /// buffer (no IO) and answers the `PULL` of `stream` at the head of the
    /// queue (a `RECORD` or that `PULL`'s summary, which `apply` turns into
    /// the stream's phase: nobody waits for its ticket). `Ok(false)`
    /// otherwise, and then nothing was read.
    pub(super) fn apply_buffered(&mut self, stream: u64) -> Result<bool> {
        let head_is_our_pull = self
            .pending
            .front()
            .is_some_and(|p| p.kind == RequestKind::Pull && p.stream == Some(stream));
        if !head_is_our_pull || self.flush_pending || !self.out.is_empty() {
            // Other answers come first, or requests are still on their way.
            return Ok(false);
        }
        let message = match self.dechunker.decode(&mut self.inbuf) {
            Ok(Some(m)) => m,
            Ok(None) => return Ok(false),
            Err(MessageTooLarge { size, limit }) => {
                return Err(self.broken(Error::MessageTooLarge { size, limit }))
            }
        };
        self.dispatch(&message).map_err(|e| self.broken(e))?;
        Ok(true)
    }

    /// Flushes, reads one message and applies it; returns the ticket and
    /// outcome when it was a summary.
    pub(super) async fn recv(&mut self) -> Result<Option<(u64, Outcome)>> {
        // Also when `out` is empty but a flush was cancelled: a buffering
        // transport (TLS) may still hold those bytes, and the server cannot
        // answer a request it never received.
        if !self.out.is_empty() || self.flush_pending {
            self.flush().await?;
        }
        let message = self.read_message().await?;
        self.dispatch(&message).map_err(|e| self.broken(e))
    }

    /// Reads until the request with `ticket` is answered.
    pub(super) async fn wait(&mut self, ticket: u64) -> Result<Outcome> {
        loop {
            if !self.pending.iter().any(|p| p.ticket == ticket) {
                // Cannot happen: tickets leave the queue only through `recv`,
                // which hands them to this loop.
                return Err(self.broken(Error::Protocol(format!(
                    "internal: response {ticket} is not pending"
                ))));
            }
            if let Some((t, outcome)) = self.recv().await? {
                if t == ticket {
                    return Ok(outcome);
                }
            }
            if self.state.is_defunct() {
                return Err(self.state.defunct_error());
            }
        }
    }

    /// Reads past every stale pending entry (see the module docs), then
    /// queues `DISCARD` for orphaned results the server still holds open.
    pub(super) async fn settle(&mut self) -> Result<()> {
        while self.pending.iter().any(|p| self.is_stale(p)) {
            self.recv().await?;
            if self.state.is_defunct() {
                return Err(self.state.defunct_error());
            }
        }
        if self.state.is_failed() {
            // A failure ended the transaction on the server: its paused
            // results are gone with it, so there is nothing to discard (a
            // DISCARD would only be IGNORED); they end with that failure.
            let failure = self
                .state
                .last_failure()
                .map_or(Failure::Ignored, |f| Failure::Server(Box::new(f.clone())));
            for e in &mut self.streams {
                if e.orphaned() && matches!(e.phase, Phase::Paused) {
                    e.buffer.clear();
                    e.phase = Phase::Failed(failure.clone());
                }
            }
        }
        let mut discards = Vec::new();
        for e in &mut self.streams {
            if e.orphaned() && matches!(e.phase, Phase::Paused) {
                e.phase = Phase::Pulling;
                e.drop_records = true;
                discards.push((e.id, e.qid));
            }
        }
        for (id, qid) in discards {
            self.send_discard_all(id, qid)?;
        }
        self.streams.retain(|e| !e.forgotten());
        Ok(())
    }

    /// Queues `DISCARD n=-1` for stream `id` (query `qid`).
    pub(super) fn send_discard_all(&mut self, id: u64, qid: i64) -> Result<()> {
        let qid = self.wire_qid(id, qid);
        self.send(
            &Discard { n: -1, qid },
            RequestKind::Discard,
            Some(id),
            None,
        )?;
        Ok(())
    }

    /// The `qid` to put in a PULL/DISCARD for result `id` whose query the
    /// server numbered `qid`: `-1` (left out on the wire, meaning "the last
    /// query") when it is the most recent RUN sent on this connection, as
    /// the official drivers do; the explicit number for an earlier one.
    pub(super) fn wire_qid(&self, id: u64, qid: i64) -> i64 {
        if id.checked_add(1) == Some(self.next_stream) {
            -1
        } else {
            qid
        }
    }

    pub(super) fn is_stale(&self, p: &Pending) -> bool {
        match p.stream {
            Some(id) => self
                .streams
                .iter()
                .find(|e| e.id == id)
                .is_none_or(|e| e.orphaned()),
            None => p.owner.as_ref().is_some_and(|w| w.strong_count() == 0),
        }
    }

    /// Applies one message from the server.
    fn dispatch(&mut self, message: &Bytes) -> Result<Option<(u64, Outcome)>> {
        let outcome = match Response::decode(message)? {
            Response::Record(raw) => {
                let head = self.pending.front().ok_or_else(|| {
                    Error::Protocol("RECORD while no request is outstanding".into())
                })?;
                let (RequestKind::Pull, Some(id)) = (head.kind, head.stream) else {
                    return Err(Error::Protocol(format!(
                        "RECORD in response to {}",
                        head.kind.name()
                    )));
                };
                trace!(parent: &self.span, "S: RECORD");
                if let Some(e) = self.streams.iter_mut().find(|e| e.id == id) {
                    e.count_record()?;
                    if !e.drop_records && !e.orphaned() {
                        e.buffer.push_back(Record::new(e.keys.clone(), raw));
                    }
                }
                return Ok(None);
            }
            Response::Success(m) => Outcome::Success(Success::new(m)),
            Response::Failure(m) => Outcome::Failure(Box::new(ServerError::from_metadata(
                m,
                self.version.has_gql_errors(),
            ))),
            Response::Ignored => Outcome::Ignored,
        };
        let pending = self.pending.pop_front().ok_or_else(|| {
            Error::Protocol("a summary arrived while no request is outstanding".into())
        })?;
        match &outcome {
            Outcome::Success(_) => {
                debug!(parent: &self.span, "S: SUCCESS ({})", pending.kind.name())
            }
            Outcome::Failure(e) => {
                debug!(parent: &self.span, code = %e.code, "S: FAILURE ({})", pending.kind.name())
            }
            Outcome::Ignored => debug!(parent: &self.span, "S: IGNORED ({})", pending.kind.name()),
        }
        if let (Outcome::Success(success), RequestKind::Pull | RequestKind::Discard) =
            (&outcome, pending.kind)
        {
            if let Some(code) = success.str("type") {
                if crate::QueryType::from_code(code).is_none() {
                    return Err(Error::Protocol(format!(
                        "the summary names an unknown query type {code:?}"
                    )));
                }
            }
        }
        if matches!(outcome, Outcome::Ignored)
            && matches!(
                pending.kind,
                RequestKind::Hello | RequestKind::Logon | RequestKind::Logoff | RequestKind::Reset
            )
        {
            // After an ignored HELLO/LOGON/LOGOFF the connection's identity
            // is unknown, so it must not be used under either; RESET is the
            // one request a server never ignores.
            return Err(Error::Protocol(format!(
                "the server ignored {}",
                pending.kind.name()
            )));
        }
        self.apply(&pending, &outcome);
        if let (RequestKind::Begin, Outcome::Success(s)) = (pending.kind, &outcome) {
            self.begin_db = s.db().map(str::to_owned);
        }
        if let Some((ticket, answer)) = &mut self.pipelined_commit {
            if *ticket == pending.ticket {
                *answer = Some(outcome.clone());
            }
        }
        Ok(Some((pending.ticket, outcome)))
    }

    /// Moves results and the state machine on a summary.
    fn apply(&mut self, p: &Pending, outcome: &Outcome) {
        let entry = p
            .stream
            .and_then(|id| self.streams.iter_mut().find(|e| e.id == id));
        match outcome {
            Outcome::Success(s) => {
                if let Some(e) = entry {
                    match p.kind {
                        RequestKind::Run => {
                            e.keys = Arc::from(s.fields());
                            if let Some(qid) = s.qid() {
                                e.qid = qid;
                            }
                        }
                        _ if s.has_more() => e.phase = Phase::Paused,
                        _ => e.phase = Phase::Done(s.clone()),
                    }
                }
                let tx_open = self.streams.iter().any(|e| e.in_tx && e.is_open());
                self.state
                    .on_success(p.kind, s.has_more(), tx_open, self.version.has_logon());
                if p.kind == RequestKind::Reset {
                    // Results opened before the RESET are gone on the server.
                    // Requests still pending were sent after it: theirs live.
                    let pending = &self.pending;
                    for e in &mut self.streams {
                        if e.is_open() && !pending.iter().any(|q| q.stream == Some(e.id)) {
                            e.buffer.clear();
                            e.phase = Phase::Failed(Failure::Reset);
                        }
                    }
                }
            }
            Outcome::Failure(err) => {
                if let Some(e) = entry {
                    e.phase = Phase::Failed(Failure::Server(err.clone()));
                }
                // The server closes the connection after some failures:
                // the state turns defunct then.
                self.state.on_failure(p.kind, err);
            }
            Outcome::Ignored => {
                if let Some(e) = entry {
                    e.phase = Phase::Failed(
                        self.state
                            .last_failure()
                            .map_or(Failure::Ignored, |f| Failure::Server(Box::new(f.clone()))),
                    );
                }
            }
        }
        self.streams.retain(|e| !e.forgotten());
    }

    /// Marks the connection defunct when `e` means it broke.
    pub(super) fn broken(&mut self, e: Error) -> Error {
        if e.is_connection_error() && self.state.break_with(DefunctCause::Broken(e.to_string())) {
            debug!(parent: &self.span, error = %e, "connection is defunct");
        }
        e
    }
}

/// A value the negotiated version cannot carry (a vector below Bolt 6.0)
/// becomes [`Error::Unsupported`], which names the version needed; other
/// errors pass through.
fn needs_newer_version(e: Error, version: Version) -> Error {
    match e {
        Error::PackStream(boltline_packstream::Error::NeedsNewerProtocol {
            what,
            major,
            minor,
        }) => Error::Unsupported {
            feature: what,
            needs: Version::new(major, minor),
            version,
        },
        e => e,
    }
}
