//! State shared by a session, its transactions and its results: the two
//! state machines of the client, each with one owner.
//!
//! A session owns (at most) one pooled connection at a time, in a [`Slot`]
//! behind an async mutex: `Idle` → `Leased` (a connection, for auto-commit
//! results) → `InTransaction { tx }` (an explicit transaction, known by its
//! [`TxId`]) → back to `Leased`/`Idle`; `Closed` once the session is closed
//! or cancelled. Results and transactions hold the slot too, so a result
//! does not borrow its session; every request takes the lock, so requests
//! on one connection never interleave.
//!
//! Each result's records and end live in a [`ResultCell`] (its
//! [`ResultState`]: `Streaming` → `Buffered` / `Done` / `Failed` →
//! `Consumed`) that the result owns and the slot only knows weakly: when
//! the session moves on (a new query, a transaction's end), it reads or
//! discards what each still-open result is owed, so the connection is free
//! for the next request; when a result is dropped, its cell and Bolt stream
//! go with it and the connection discards the rest before its next
//! request.
//!
//! Lock order: the slot's async mutex first, then a cell's (never held
//! across an await).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use boltline_bolt::{Map, RecordStream, Success};

use crate::auth::AuthManager;
use crate::bookmarks::{BookmarkManager, Bookmarks};
use crate::driver_context::{Lease, Provider};
use crate::error::{BoltError, Error, Result};
use crate::record::Record;
use crate::summary::{ResultShape, ResultSummary, ServerInfo};
use boltline_pool::sync::lock;

/// Which explicit transaction of a session: a per-session counter, so a
/// transaction handle and its session agree on ownership by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TxId(u64);

/// A connection the slot holds, with what error reports need.
struct Held {
    lease: Lease,
    /// The database the lease was acquired for (for routing error reports).
    database: String,
    /// The driver's auth manager, when the lease is logged in with its
    /// token (not a session's own): told about security failures.
    auth_manager: Option<Arc<dyn AuthManager>>,
}

/// What the session's connection is doing.
#[derive(Default)]
enum SlotState {
    /// No connection.
    #[default]
    Idle,
    /// A connection, for auto-commit results still owed records (or about
    /// to run one).
    Leased(Held),
    /// A connection with an explicit transaction open on it. `failed`: a
    /// request of it failed, so the server has ended it; the session may
    /// begin another (as the official drivers allow) while the failed
    /// one's handle only reports itself closed.
    InTransaction { tx: TxId, failed: bool, conn: Held },
    /// The session was closed or cancelled: no more work.
    Closed,
}

/// The results open on the held connection.
#[derive(Default)]
struct OpenResults {
    /// Results that may still be owed records by the server.
    open: Vec<Weak<ResultCell>>,
    /// Their Bolt streams, by result id. Kept here, under the slot's lock,
    /// rather than in the result, so a cancelled read leaves the stream in
    /// place (the result stays readable); a dropped result's stream is
    /// dropped at the slot's next use, and the connection discards the rest.
    streams: HashMap<u64, RecordStream>,
    next_id: u64,
}

/// The connection of a session and what is open on it: one owner for the
/// session's connection state. Every operation checks the state first
/// (see the methods); fields are private.
#[derive(Default)]
pub(crate) struct Slot {
    state: SlotState,
    results: OpenResults,
    /// The last transaction id given out.
    last_tx: u64,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Slot");
        match &self.state {
            SlotState::Idle => d.field("state", &"Idle"),
            SlotState::Leased(h) => d.field("state", &"Leased").field("lease", &h.lease),
            SlotState::InTransaction { tx, failed, conn } => d
                .field("state", &"InTransaction")
                .field("tx", tx)
                .field("failed", failed)
                .field("lease", &conn.lease),
            SlotState::Closed => d.field("state", &"Closed"),
        };
        d.field("open", &self.results.open.len())
            .finish_non_exhaustive()
    }
}

/// Async mutex around the slot, shared by a session and what it created.
pub(crate) type SlotRef = Arc<tokio::sync::Mutex<Slot>>;

impl Slot {
    fn held(&self) -> Option<&Held> {
        match &self.state {
            SlotState::Leased(h) | SlotState::InTransaction { conn: h, .. } => Some(h),
            SlotState::Idle | SlotState::Closed => None,
        }
    }

    fn held_mut(&mut self) -> Option<&mut Held> {
        match &mut self.state {
            SlotState::Leased(h) | SlotState::InTransaction { conn: h, .. } => Some(h),
            SlotState::Idle | SlotState::Closed => None,
        }
    }

    /// `SessionClosed` once the session was closed or cancelled.
    pub(crate) fn check_open(&self) -> Result<()> {
        match self.state {
            SlotState::Closed => Err(Error::SessionClosed),
            _ => Ok(()),
        }
    }

    /// The connection held, if any.
    pub(crate) fn lease(&self) -> Option<&Lease> {
        self.held().map(|h| &h.lease)
    }

    /// The connection held, if any, to send on.
    pub(crate) fn conn(&mut self) -> Option<&mut Lease> {
        self.held_mut().map(|h| &mut h.lease)
    }

    /// Idle → Leased: holds `lease`, acquired for `database`.
    pub(crate) fn leased(
        &mut self,
        lease: Lease,
        database: String,
        auth_manager: Option<Arc<dyn AuthManager>>,
    ) -> Result<()> {
        match self.state {
            SlotState::Idle => {
                self.state = SlotState::Leased(Held {
                    lease,
                    database,
                    auth_manager,
                });
                Ok(())
            }
            SlotState::Closed => Err(Error::SessionClosed),
            _ => Err(Error::TransactionOpen),
        }
    }

    /// Leased → InTransaction: a new transaction, its id returned.
    pub(crate) fn begin(&mut self) -> Result<TxId> {
        match std::mem::take(&mut self.state) {
            SlotState::Leased(conn) => {
                self.last_tx += 1;
                let tx = TxId(self.last_tx);
                self.state = SlotState::InTransaction {
                    tx,
                    failed: false,
                    conn,
                };
                Ok(tx)
            }
            other => {
                let err = match other {
                    SlotState::Closed => Error::SessionClosed,
                    SlotState::InTransaction { .. } => Error::TransactionOpen,
                    _ => Error::TransactionClosed("its connection was lost"),
                };
                self.state = other;
                Err(err)
            }
        }
    }

    /// The open transaction, if any, and whether it failed.
    pub(crate) fn transaction(&self) -> Option<(TxId, bool)> {
        match self.state {
            SlotState::InTransaction { tx, failed, .. } => Some((tx, failed)),
            _ => None,
        }
    }

    /// Whether `tx` is the transaction open on the connection.
    pub(crate) fn owns(&self, tx: TxId) -> bool {
        self.transaction().is_some_and(|(open, _)| open == tx)
    }

    /// Whether transaction `tx` is open and a server failure ended it on a
    /// connection still usable (after a lost connection, using it again
    /// reports the loss instead).
    pub(crate) fn failed_on_live_connection(&mut self, tx: TxId) -> bool {
        self.transaction() == Some((tx, true)) && self.conn().is_some_and(|c| !c.is_defunct())
    }

    /// The connection of transaction `tx`, or `TransactionClosed` when the
    /// session ended it (or began another).
    pub(crate) fn tx_conn(&mut self, tx: TxId) -> Result<&mut Lease> {
        match &mut self.state {
            SlotState::InTransaction { tx: open, conn, .. } if *open == tx => Ok(&mut conn.lease),
            _ => Err(Error::TransactionClosed("its session ended it")),
        }
    }

    /// A request of the open transaction failed with `e`: the server ended
    /// it. Its other open results end with the same failure after the
    /// records they already received: nothing more is pulled for them.
    pub(crate) fn transaction_failed(&mut self, e: &Error) {
        if let SlotState::InTransaction { failed, .. } = &mut self.state {
            *failed = true;
        }
        for cell in self.live_results() {
            if let Some((conn, stream)) = self.stream(cell.id) {
                // Records the connection read ahead stay readable.
                let mut received = Vec::new();
                while let Ok(Some(r)) = conn.next_buffered(stream) {
                    received.push(r);
                }
                lock(&cell.state).extend(received);
            }
            self.remove_stream(cell.id);
            lock(&cell.state).finish(End::Failed(e.clone()));
        }
    }

    /// InTransaction `tx` → Leased, before its `COMMIT`/`ROLLBACK` goes out
    /// (open results must be discarded first).
    pub(crate) fn end(&mut self, tx: TxId) -> Result<()> {
        match std::mem::take(&mut self.state) {
            SlotState::InTransaction { tx: open, conn, .. } if open == tx => {
                self.state = SlotState::Leased(conn);
                Ok(())
            }
            other => {
                self.state = other;
                Err(Error::TransactionClosed("its session ended it"))
            }
        }
    }

    /// Gives the connection up (to its pool, which resets it): results
    /// read as consumed. Leased or InTransaction → Idle; Closed stays.
    pub(crate) fn abandon_all(&mut self) {
        for cell in self.results.open.drain(..).filter_map(|w| w.upgrade()) {
            lock(&cell.state).discard();
        }
        self.results.streams.clear();
        if !matches!(self.state, SlotState::Closed) {
            self.state = SlotState::Idle;
        }
    }

    /// → Closed: what is held is given up.
    pub(crate) fn close(&mut self) {
        self.abandon_all();
        self.state = SlotState::Closed;
    }

    /// → Closed at once: the connection is killed, not returned.
    pub(crate) fn cancel(&mut self) {
        if let SlotState::Leased(h) | SlotState::InTransaction { conn: h, .. } =
            std::mem::take(&mut self.state)
        {
            h.lease.kill();
        }
        self.close();
    }

    /// Registers a new result's stream; returns its cell.
    pub(crate) fn add_result(&mut self, stream: RecordStream, meta: ResultMeta) -> Arc<ResultCell> {
        self.prune();
        let results = &mut self.results;
        let id = results.next_id;
        results.next_id += 1;
        let cell = Arc::new(ResultCell {
            id,
            state: Mutex::new(ResultState::Streaming {
                buffer: VecDeque::new(),
            }),
            meta,
        });
        results.streams.insert(id, stream);
        results.open.push(Arc::downgrade(&cell));
        cell
    }

    /// Whether result `id`'s stream is still on the connection.
    pub(crate) fn has_stream(&self, id: u64) -> bool {
        self.results.streams.contains_key(&id)
    }

    /// Result `id`'s stream leaves the slot (it ended or failed).
    pub(crate) fn remove_stream(&mut self, id: u64) {
        self.results.streams.remove(&id);
    }

    /// The connection and result `id`'s stream, to read from.
    pub(crate) fn stream(&mut self, id: u64) -> Option<(&mut Lease, &mut RecordStream)> {
        let Slot { state, results, .. } = self;
        let conn = match state {
            SlotState::Leased(h) | SlotState::InTransaction { conn: h, .. } => &mut h.lease,
            SlotState::Idle | SlotState::Closed => return None,
        };
        Some((conn, results.streams.get_mut(&id)?))
    }

    /// Forgets results nobody holds (their streams are dropped, so the
    /// connection discards the rest) and results that have ended.
    fn prune(&mut self) {
        let OpenResults { open, streams, .. } = &mut self.results;
        open.retain(|w| w.upgrade().is_some_and(|c| streams.contains_key(&c.id)));
        let alive: Vec<u64> = open
            .iter()
            .filter_map(Weak::upgrade)
            .map(|c| c.id)
            .collect();
        streams.retain(|id, _| alive.contains(id));
    }

    /// Results still held by someone and still owed something by the
    /// server.
    fn live_results(&mut self) -> Vec<Arc<ResultCell>> {
        self.prune();
        self.results.open.iter().filter_map(Weak::upgrade).collect()
    }

    /// Reads every open result to its end into its buffer, so the
    /// connection is free (the session runs something else). Results that
    /// end report their bookmarks.
    pub(crate) async fn buffer_open_results(&mut self, provider: &Provider) -> Result<()> {
        let cells = self.live_results();
        self.results.open.clear();
        let mut first_error = None;
        for cell in cells {
            if let Err(e) = self.finish_result(&cell, true, provider).await {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Discards every open result (a transaction ends): they read as
    /// consumed afterwards.
    pub(crate) async fn discard_open_results(&mut self, provider: &Provider) -> Result<()> {
        let cells = self.live_results();
        self.results.open.clear();
        for cell in cells {
            // Failures are reported by the transaction's own end.
            let _ = self.finish_result(&cell, false, provider).await;
            lock(&cell.state).discard();
        }
        Ok(())
    }

    /// Drives one result to its end, keeping (`keep`) or discarding its
    /// records.
    pub(crate) async fn finish_result(
        &mut self,
        cell: &ResultCell,
        keep: bool,
        provider: &Provider,
    ) -> Result<()> {
        if !self.has_stream(cell.id) {
            return Ok(());
        }
        let Some((conn, stream)) = self.stream(cell.id) else {
            self.remove_stream(cell.id);
            lock(&cell.state).discard();
            return Ok(());
        };
        let outcome: std::result::Result<Success, BoltError> = if keep {
            loop {
                match conn.next_record(stream).await {
                    // Pushed one by one: a cancelled read loses nothing.
                    Ok(Some(r)) => lock(&cell.state).push(r),
                    Ok(None) => break Ok(stream.summary().cloned().unwrap_or_default()),
                    Err(e) => break Err(e),
                }
            }
        } else {
            conn.consume(stream).await
        };
        let stream = self.results.streams.remove(&cell.id);
        match outcome {
            Ok(s) => {
                if let Some(stream) = &stream {
                    cell.complete(stream, &s);
                }
                cell.report_bookmark(&s).await;
                Ok(())
            }
            Err(e) => {
                let handled = self.report_error(provider, &e).await;
                let e = Error::from(e).security_handled(handled);
                lock(&cell.state).finish(End::Failed(e.clone()));
                Err(e)
            }
        }
    }

    /// Tells the routing layer about an error on this slot's connection,
    /// and the driver's auth manager about a security failure. Returns
    /// whether the manager handled it (the error is then retryable).
    pub(crate) async fn report_error(&self, provider: &Provider, e: &BoltError) -> bool {
        let Some(held) = self.held() else {
            return false;
        };
        let lease = &held.lease;
        provider.on_error(lease.address(), &held.database, e).await;
        match (&held.auth_manager, e.server_error(), lease.auth()) {
            (Some(manager), Some(se), Some(auth)) if se.is_security_error() => {
                manager.handle_security_exception(auth, se).await
            }
            _ => false,
        }
    }

    /// Leased → Idle (the connection back to its pool) when no result is
    /// owed anything.
    pub(crate) fn release_if_idle(&mut self) {
        if matches!(self.state, SlotState::Leased(_)) && self.live_results().is_empty() {
            self.state = SlotState::Idle;
        }
    }
}

/// How a result's stream ended. A failure is kept as the original error
/// and handed out again (a clone) each time the result is read.
#[derive(Debug, Clone)]
pub(crate) enum End {
    Done(Arc<ResultSummary>),
    Failed(Error),
}

impl End {
    /// What `consume` answers for this end.
    fn summary(&self) -> Result<ResultSummary> {
        match self {
            End::Done(s) => Ok(ResultSummary::clone(s)),
            End::Failed(e) => Err(e.clone()),
        }
    }
}

/// Records received and not yet handed out.
pub(crate) type Records = VecDeque<boltline_bolt::Record>;

/// A result's state: one owner of what a reader can get. While a result is
/// `Streaming`, its Bolt stream is in the session's slot; every transition
/// out of it happens under the slot's lock, together with the stream
/// leaving the slot.
#[derive(Debug)]
pub(crate) enum ResultState {
    /// Records still come from the connection; `buffer` holds those
    /// received ahead of the reader.
    Streaming { buffer: Records },
    /// The stream ended (the session moved on, or the read that ended it
    /// took more than it handed out): records left, then the end.
    Buffered { buffer: Records, end: End },
    /// Every record handed out; the summary.
    Done(Arc<ResultSummary>),
    /// The stream failed; readers get the failure again.
    Failed(Error),
    /// The records are gone (`consume`, the end of the transaction or
    /// session, the connection given up); the end, if the stream had one,
    /// is still what `consume` answers.
    Consumed(Option<End>),
}

impl ResultState {
    /// Streaming: a record arrived.
    pub(crate) fn push(&mut self, r: boltline_bolt::Record) {
        if let ResultState::Streaming { buffer } = self {
            buffer.push_back(r);
        }
    }

    /// Streaming: records arrived.
    pub(crate) fn extend(&mut self, rs: impl IntoIterator<Item = boltline_bolt::Record>) {
        if let ResultState::Streaming { buffer } = self {
            buffer.extend(rs);
        }
    }

    /// Whether records still come from the connection.
    pub(crate) fn is_streaming(&self) -> bool {
        matches!(self, ResultState::Streaming { .. })
    }

    /// The records received and not yet handed out (no IO), if any can
    /// still be.
    pub(crate) fn buffered(&self) -> Option<&Records> {
        match self {
            ResultState::Streaming { buffer } | ResultState::Buffered { buffer, .. } => {
                Some(buffer)
            }
            _ => None,
        }
    }

    /// The failure the stream ended with, if it has no records left
    /// before it.
    pub(crate) fn failure(&self) -> Option<&Error> {
        match self {
            ResultState::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the records are gone.
    pub(crate) fn is_consumed(&self) -> bool {
        matches!(self, ResultState::Consumed(_))
    }

    /// Streaming → Buffered (records left), Done or Failed.
    pub(crate) fn finish(&mut self, end: End) {
        if let ResultState::Streaming { buffer } = self {
            let buffer = std::mem::take(buffer);
            *self = ResultState::after(buffer, end);
        }
    }

    fn after(buffer: Records, end: End) -> ResultState {
        match end {
            end if !buffer.is_empty() => ResultState::Buffered { buffer, end },
            End::Done(s) => ResultState::Done(s),
            End::Failed(e) => ResultState::Failed(e),
        }
    }

    /// Any state → Consumed, keeping the end if there was one.
    pub(crate) fn discard(&mut self) {
        let end = match std::mem::replace(self, ResultState::Consumed(None)) {
            ResultState::Streaming { .. } => None,
            ResultState::Buffered { end, .. } => Some(end),
            ResultState::Done(s) => Some(End::Done(s)),
            ResultState::Failed(e) => Some(End::Failed(e)),
            ResultState::Consumed(end) => end,
        };
        *self = ResultState::Consumed(end);
    }

    /// `consume`: the summary (or the failure) once the stream has ended,
    /// and the state becomes Consumed; `None` while Streaming (its buffer
    /// is dropped: the rest must be discarded from the connection).
    pub(crate) fn consume(&mut self) -> Option<Result<ResultSummary>> {
        if let ResultState::Streaming { buffer } = self {
            buffer.clear();
            return None;
        }
        self.discard();
        match self {
            ResultState::Consumed(Some(end)) => Some(end.summary()),
            _ => Some(Err(Error::ResultConsumed)),
        }
    }

    /// The next record without IO: `Some(Ok(None))` at the end, `None`
    /// when the connection must be read.
    pub(crate) fn next_record(&mut self) -> Option<Result<Option<Record>>> {
        self.next_batch(false)
            .map(|r| r.map(|b| b.and_then(|mut b| b.pop_front()).map(Record::new)))
    }

    /// The records available without IO (one, unless `all`):
    /// `Some(Ok(None))` at the end, `None` when the connection must be
    /// read.
    pub(crate) fn next_batch(&mut self, all: bool) -> Option<Result<Option<Records>>> {
        let take = |buffer: &mut Records| -> Records {
            if all {
                std::mem::take(buffer)
            } else {
                buffer.pop_front().into_iter().collect()
            }
        };
        match self {
            ResultState::Streaming { buffer } if buffer.is_empty() => None,
            ResultState::Streaming { buffer } => Some(Ok(Some(take(buffer)))),
            ResultState::Buffered { buffer, end } => {
                let batch = take(buffer);
                if buffer.is_empty() {
                    *self = ResultState::after(Records::new(), end.clone());
                }
                Some(Ok(Some(batch)))
            }
            ResultState::Done(_) => Some(Ok(None)),
            ResultState::Failed(e) => Some(Err(e.clone())),
            ResultState::Consumed(_) => Some(Err(Error::ResultConsumed)),
        }
    }

    /// Records handed out by [`next_batch`](Self::next_batch) come back
    /// (the reader failed on one): they are read first again.
    pub(crate) fn put_back(&mut self, mut batch: Records) {
        if batch.is_empty() {
            return;
        }
        match self {
            ResultState::Streaming { buffer } | ResultState::Buffered { buffer, .. } => {
                batch.append(buffer);
                *buffer = batch;
            }
            ResultState::Done(s) => {
                *self = ResultState::Buffered {
                    buffer: batch,
                    end: End::Done(s.clone()),
                }
            }
            ResultState::Failed(e) => {
                *self = ResultState::Buffered {
                    buffer: batch,
                    end: End::Failed(e.clone()),
                }
            }
            ResultState::Consumed(_) => {}
        }
    }
}

/// What a result's summary repeats about its query.
#[derive(Debug)]
pub(crate) struct ResultMeta {
    pub(crate) query: String,
    pub(crate) parameters: Map,
    pub(crate) server: ServerInfo,
    /// The session's bookkeeping, for auto-commit results (their end
    /// carries the transaction's bookmark).
    pub(crate) session: Option<Arc<SessionShared>>,
    /// Notifications at or above it are logged as warnings when the
    /// summary arrives (`warn_notification_severity`).
    pub(crate) warn_severity: Option<crate::summary::SeverityLevel>,
}

/// One result's shared part.
#[derive(Debug)]
pub(crate) struct ResultCell {
    /// Key of its stream in the slot.
    pub(crate) id: u64,
    pub(crate) state: Mutex<ResultState>,
    pub(crate) meta: ResultMeta,
}

impl ResultCell {
    /// Records the summary.
    pub(crate) fn complete(&self, stream: &RecordStream, end: &Success) {
        let summary = ResultSummary::new(
            self.meta.query.clone(),
            self.meta.parameters.clone(),
            self.meta.server.clone(),
            stream.run_metadata(),
            end,
            ResultShape {
                has_keys: !stream.keys().is_empty(),
                had_record: stream.records_received() > 0,
            },
        );
        if let Some(min) = self.meta.warn_severity {
            crate::telemetry::warn_notifications(&summary, min);
        }
        lock(&self.state).finish(End::Done(Arc::new(summary)));
    }

    /// An auto-commit result's end is its transaction's end: its bookmark
    /// becomes the session's.
    pub(crate) async fn report_bookmark(&self, end: &Success) {
        if let (Some(session), Some(b)) = (&self.meta.session, end.bookmark()) {
            session.transaction_ended(b).await;
        }
    }
}

/// A session's bookmarks.
#[derive(Debug)]
pub(crate) struct SessionShared {
    /// The bookmarks the session holds: the configured ones, then the
    /// bookmark of its last transaction.
    pub(crate) bookmarks: Mutex<Bookmarks>,
    pub(crate) manager: Option<Arc<dyn BookmarkManager>>,
    /// The bookmarks the latest transaction started from (the session's
    /// own plus the manager's): the ones its bookmark supersedes in the
    /// manager.
    pub(crate) sent: Mutex<Bookmarks>,
    /// The id of a transaction dropped while the slot was busy: the session
    /// gives its connection up on its next use.
    abandoned_tx: AtomicU64,
}

impl SessionShared {
    /// A session's shared state, starting from `bookmarks`.
    pub(crate) fn new(bookmarks: Bookmarks, manager: Option<Arc<dyn BookmarkManager>>) -> Self {
        SessionShared {
            bookmarks: Mutex::new(bookmarks),
            manager,
            sent: Mutex::new(Bookmarks::new()),
            abandoned_tx: AtomicU64::new(0),
        }
    }

    /// Transaction `tx` was dropped while the slot was busy.
    pub(crate) fn abandon(&self, tx: TxId) {
        self.abandoned_tx.store(tx.0, Ordering::SeqCst);
    }

    /// Whether transaction `tx` was dropped while the slot was busy.
    pub(crate) fn was_abandoned(&self, tx: TxId) -> bool {
        self.abandoned_tx.load(Ordering::SeqCst) == tx.0
    }

    /// The bookmarks the next transaction waits for.
    pub(crate) async fn bookmarks_for_work(&self) -> Bookmarks {
        let all = self.bookmarks_for_routing().await;
        lock(&self.sent).clone_from(&all);
        all
    }

    /// The bookmarks to send with a `ROUTE` for the next transaction: the
    /// session's and the manager's, asked now. Unlike
    /// [`bookmarks_for_work`](Self::bookmarks_for_work), not remembered as
    /// what the transaction started from.
    pub(crate) async fn bookmarks_for_routing(&self) -> Bookmarks {
        let own = lock(&self.bookmarks).clone();
        match &self.manager {
            Some(m) => own.combine(&m.get_bookmarks().await),
            None => own,
        }
    }

    /// A transaction ended with `bookmark`: it supersedes the session's
    /// previous bookmarks and, in the manager, every bookmark the
    /// transaction started from (the manager's included).
    pub(crate) async fn transaction_ended(&self, bookmark: &str) {
        let new = Bookmarks::from_raw([bookmark]);
        let own = std::mem::replace(&mut *lock(&self.bookmarks), new.clone());
        if let Some(m) = &self.manager {
            let previous = own.combine(&lock(&self.sent));
            m.update_bookmarks(&previous, &new).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boltline_bolt::{Address, Version};

    fn summary() -> Arc<ResultSummary> {
        let server = ServerInfo {
            address: Address::new("db", 7687),
            agent: "Neo4j/5.26.0".into(),
            protocol_version: Version::new(5, 4),
        };
        Arc::new(ResultSummary::new(
            "RETURN 1".into(),
            Map::new(),
            server,
            &Success::default(),
            &Success::default(),
            ResultShape {
                has_keys: true,
                had_record: false,
            },
        ))
    }

    fn streaming() -> ResultState {
        ResultState::Streaming {
            buffer: Records::new(),
        }
    }

    fn lost() -> Error {
        Error::from(BoltError::ConnectionClosed { during: "PULL" })
    }

    #[test]
    fn streaming_needs_the_connection_until_it_ends() {
        let mut st = streaming();
        assert!(st.is_streaming());
        assert!(st.next_record().is_none(), "nothing without IO yet");
        assert!(st.next_batch(true).is_none());
        assert!(st.consume().is_none(), "consume must discard on the wire");
        assert!(st.is_streaming());
    }

    #[test]
    fn done_reads_as_the_end_then_consume_keeps_the_summary() {
        let mut st = streaming();
        st.finish(End::Done(summary()));
        assert!(matches!(st, ResultState::Done(_)));
        assert!(matches!(st.next_record(), Some(Ok(None))));
        assert!(matches!(st.next_batch(true), Some(Ok(None))));
        let s = st.consume().unwrap().unwrap();
        assert_eq!(s.query, "RETURN 1");
        assert!(st.is_consumed());
        assert!(matches!(st.next_record(), Some(Err(Error::ResultConsumed))));
        // consume again: the same summary.
        assert_eq!(st.consume().unwrap().unwrap().query, "RETURN 1");
        // Illegal: a late end or record changes nothing.
        st.finish(End::Failed(lost()));
        assert!(st.consume().unwrap().is_ok());
    }

    #[test]
    fn failed_gives_the_same_error_kind_every_time() {
        let mut st = streaming();
        st.finish(End::Failed(lost()));
        assert!(matches!(st, ResultState::Failed(_)));
        for _ in 0..2 {
            let e = st.next_record().unwrap().unwrap_err();
            assert!(matches!(e, Error::ConnectionLost(_)), "{e:?}");
        }
        let e = st.consume().unwrap().unwrap_err();
        assert!(matches!(e, Error::ConnectionLost(_)), "{e:?}");
        // Consumed now: records are gone, the failure is still the answer
        // of consume.
        assert!(matches!(st.next_record(), Some(Err(Error::ResultConsumed))));
        assert!(matches!(st.consume(), Some(Err(Error::ConnectionLost(_)))));
        // Illegal: a late success does not revive it.
        st.finish(End::Done(summary()));
        assert!(matches!(st, ResultState::Consumed(Some(End::Failed(_)))));
    }

    #[test]
    fn discarded_while_streaming_is_consumed_without_a_summary() {
        let mut st = streaming();
        st.discard();
        assert!(st.is_consumed());
        assert!(matches!(st.next_record(), Some(Err(Error::ResultConsumed))));
        assert!(matches!(
            st.next_batch(true),
            Some(Err(Error::ResultConsumed))
        ));
        assert!(matches!(st.consume(), Some(Err(Error::ResultConsumed))));
        // Illegal: an end after the discard is ignored.
        st.finish(End::Done(summary()));
        assert!(matches!(st.consume(), Some(Err(Error::ResultConsumed))));
    }

    #[test]
    fn put_back_onto_an_ended_result_makes_it_buffered() {
        let mut st = streaming();
        st.finish(End::Done(summary()));
        st.put_back(Records::new());
        // Nothing put back: still the end.
        assert!(matches!(st, ResultState::Done(_)));
        assert!(matches!(st.next_record(), Some(Ok(None))));
        let mut st = streaming();
        st.finish(End::Failed(lost()));
        st.put_back(Records::new());
        assert!(matches!(
            st.next_record(),
            Some(Err(Error::ConnectionLost(_)))
        ));
        let mut st = ResultState::Consumed(None);
        st.put_back(Records::new());
        assert!(st.is_consumed());
    }
}
