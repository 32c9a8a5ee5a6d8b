//! State shared by a session, its transaction and its results.
//!
//! A session owns (at most) one pooled connection at a time, in a [`Slot`]
//! behind an async mutex. Results and transactions hold the slot too, so a
//! result does not borrow its session; every request takes the lock, so
//! requests on one connection never interleave.
//!
//! Each result's records and end live in a [`ResultCell`] that the result
//! owns and the slot only knows weakly: when the session moves on (a new
//! query, a transaction's end), it reads or discards what each still-open
//! result is owed, so the connection is free for the next request; when a
//! result is dropped, its cell and Bolt stream go with it and the
//! connection discards the rest before its next request.
//!
//! Lock order: the slot's async mutex first, then a cell's (never held
//! across an await).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, Weak};

use boltline_bolt::{Map, RecordStream, ServerError, Success};

use crate::auth::AuthManager;
use crate::bookmarks::{BookmarkManager, Bookmarks};
use crate::driver_context::{Lease, Provider};
use crate::error::{BoltError, Error, Result};
use crate::summary::{ResultShape, ResultSummary, ServerInfo};
use crate::sync::lock;

/// Marks an open explicit transaction; the transaction holds the strong
/// half, the slot the weak one, so a dropped transaction is noticed.
#[derive(Debug)]
pub(crate) struct TxToken;

/// The connection of a session, and what is open on it.
#[derive(Default)]
pub(crate) struct Slot {
    pub(crate) lease: Option<Lease>,
    /// The database the lease was acquired for (for routing error reports).
    pub(crate) database: String,
    /// Results that may still be owed records by the server.
    pub(crate) open: Vec<Weak<ResultCell>>,
    /// Their Bolt streams, by result id. Kept here, under the slot's lock,
    /// rather than in the result, so a cancelled read leaves the stream in
    /// place (the result stays readable); a dropped result's stream is
    /// dropped at the slot's next use, and the connection discards the rest.
    pub(crate) streams: HashMap<u64, RecordStream>,
    next_id: u64,
    /// The explicit transaction open on the lease.
    pub(crate) tx: Option<Weak<TxToken>>,
    /// A request of that transaction failed: the server has ended it, so
    /// the session may begin another (as the official drivers allow) while
    /// the failed one's handle only reports itself closed.
    pub(crate) tx_failed: bool,
    /// The driver's auth manager, when the lease is logged in with its
    /// token (not a session's own): told about security failures.
    pub(crate) auth_manager: Option<Arc<dyn AuthManager>>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot")
            .field("lease", &self.lease)
            .field("database", &self.database)
            .field("open", &self.open.len())
            .field("tx", &self.tx.is_some())
            .field("tx_failed", &self.tx_failed)
            .finish_non_exhaustive()
    }
}

/// Async mutex around the slot, shared by a session and what it created.
pub(crate) type SlotRef = Arc<tokio::sync::Mutex<Slot>>;

impl Slot {
    /// Whether a transaction handle still exists for the open transaction.
    pub(crate) fn tx_alive(&self) -> bool {
        self.tx.as_ref().is_some_and(|t| t.strong_count() > 0)
    }

    /// Registers a new result's stream; returns its cell.
    pub(crate) fn add_result(&mut self, stream: RecordStream, meta: ResultMeta) -> Arc<ResultCell> {
        self.prune();
        let id = self.next_id;
        self.next_id += 1;
        let cell = Arc::new(ResultCell {
            id,
            state: Mutex::new(CellState {
                buffer: VecDeque::new(),
                end: None,
                consumed: false,
            }),
            meta,
        });
        self.streams.insert(id, stream);
        self.open.push(Arc::downgrade(&cell));
        cell
    }

    /// Forgets results nobody holds (their streams are dropped, so the
    /// connection discards the rest) and results that have ended.
    pub(crate) fn prune(&mut self) {
        let streams = &mut self.streams;
        self.open
            .retain(|w| w.upgrade().is_some_and(|c| streams.contains_key(&c.id)));
        let alive: Vec<u64> = self
            .open
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
        self.open.iter().filter_map(Weak::upgrade).collect()
    }

    /// Drops every result's stream and the connection: the results read as
    /// consumed. For ends that give the connection up without a round trip.
    pub(crate) fn abandon_all(&mut self) {
        for cell in self.open.drain(..).filter_map(|w| w.upgrade()) {
            lock(&cell.state).consumed = true;
        }
        self.streams.clear();
        self.tx = None;
        self.tx_failed = false;
        self.lease = None;
    }

    /// Reads every open result to its end into its buffer, so the
    /// connection is free (the session runs something else). Results that
    /// end report their bookmarks.
    pub(crate) async fn buffer_open_results(&mut self, provider: &Provider) -> Result<()> {
        let cells = self.live_results();
        self.open.clear();
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
        self.open.clear();
        for cell in cells {
            // Failures are reported by the transaction's own end.
            let _ = self.finish_result(&cell, false, provider).await;
            lock(&cell.state).consumed = true;
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
        let Slot { lease, streams, .. } = self;
        let Some(stream) = streams.get_mut(&cell.id) else {
            return Ok(());
        };
        let Some(conn) = lease.as_mut() else {
            streams.remove(&cell.id);
            lock(&cell.state).consumed = true;
            return Ok(());
        };
        let outcome: std::result::Result<Success, BoltError> = if keep {
            loop {
                match conn.next_record(stream).await {
                    // Pushed one by one: a cancelled read loses nothing.
                    Ok(Some(r)) => lock(&cell.state).buffer.push_back(r),
                    Ok(None) => break Ok(stream.summary().cloned().unwrap_or_default()),
                    Err(e) => break Err(e),
                }
            }
        } else {
            conn.consume(stream).await
        };
        let stream = streams.remove(&cell.id);
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
                lock(&cell.state).end = Some(End::Failed(StoredError::from_bolt(&e, handled)));
                Err(Error::from(e).security_handled(handled))
            }
        }
    }

    /// Tells the routing layer about an error on this slot's connection,
    /// and the driver's auth manager about a security failure. Returns
    /// whether the manager handled it (the error is then retryable).
    pub(crate) async fn report_error(&self, provider: &Provider, e: &BoltError) -> bool {
        let Some(lease) = &self.lease else {
            return false;
        };
        provider.on_error(lease.address(), &self.database, e).await;
        match (&self.auth_manager, e.server_error(), lease.auth()) {
            (Some(manager), Some(se), Some(auth)) if se.is_security_error() => {
                manager.handle_security_exception(auth, se).await
            }
            _ => false,
        }
    }

    /// Returns the connection to its pool when nothing is open on it.
    pub(crate) fn release_if_idle(&mut self) {
        if self.tx.is_none() && self.live_results().is_empty() {
            self.lease = None;
        }
    }
}

/// How a result ended, for readers who come later.
#[derive(Debug, Clone)]
pub(crate) enum StoredError {
    /// With whether the auth manager handled it.
    Server(Box<ServerError>, bool),
    ConnectionLost(String),
    Other(String),
}

impl StoredError {
    pub(crate) fn from_bolt(e: &BoltError, handled: bool) -> StoredError {
        match e {
            BoltError::Server(s) => StoredError::Server(s.clone(), handled),
            e if e.is_connection_error() => StoredError::ConnectionLost(e.to_string()),
            e => StoredError::Other(e.to_string()),
        }
    }

    pub(crate) fn to_error(&self) -> Error {
        match self {
            StoredError::Server(s, handled) => Error::Server(s.clone()).security_handled(*handled),
            StoredError::ConnectionLost(m) => Error::ConnectionLost(BoltError::Io(
                std::io::Error::new(std::io::ErrorKind::ConnectionAborted, m.clone()),
            )),
            StoredError::Other(m) => Error::Bolt(BoltError::InvalidState(m.clone())),
        }
    }
}

/// The end of a result.
#[derive(Debug, Clone)]
pub(crate) enum End {
    Done(Arc<ResultSummary>),
    Failed(StoredError),
}

/// A result's records and end.
#[derive(Debug)]
pub(crate) struct CellState {
    /// Records received and not yet handed out.
    pub(crate) buffer: VecDeque<boltline_bolt::Record>,
    pub(crate) end: Option<End>,
    /// `consume()` was called, or the transaction ended: records are gone.
    pub(crate) consumed: bool,
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
}

/// One result's shared part.
#[derive(Debug)]
pub(crate) struct ResultCell {
    /// Key of its stream in the slot.
    pub(crate) id: u64,
    pub(crate) state: Mutex<CellState>,
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
        lock(&self.state).end = Some(End::Done(Arc::new(summary)));
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
}

impl SessionShared {
    /// A session's shared state, starting from `bookmarks`.
    pub(crate) fn new(bookmarks: Bookmarks, manager: Option<Arc<dyn BookmarkManager>>) -> Self {
        SessionShared {
            bookmarks: Mutex::new(bookmarks),
            manager,
            sent: Mutex::new(Bookmarks::new()),
        }
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
