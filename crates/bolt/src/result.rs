//! Results streamed in batches: the caller's [`RecordStream`] handle and the
//! connection's bookkeeping for it.
//!
//! The handle does not borrow the connection, so a transaction can keep
//! several results open and the client layer can store them; records are
//! fetched with [`Connection::next_record`](crate::Connection::next_record).
//! The connection buffers at most the batch in flight (`fetch_size`
//! records) per result, and asks for the next batch only when the buffer is
//! empty, so memory stays bounded however large the result.
//!
//! Each handle holds a liveness token whose weak half the connection keeps:
//! when a handle is dropped (or the future creating it is cancelled), the
//! connection sees the result is orphaned, stops buffering its records and
//! discards the rest of it on the server before the next request.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use crate::{Error, Record, ServerError, Success};

/// Why a result ended without its summary.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// The server failed it (or an earlier request in the pipeline).
    Server(Box<ServerError>),
    /// The server ignored it with no known failure before it.
    Ignored,
    /// A `RESET` discarded it.
    Reset,
}

impl Failure {
    pub(crate) fn to_error(&self) -> Error {
        match self {
            Failure::Server(e) => Error::Server(e.clone()),
            Failure::Ignored => Error::Ignored,
            Failure::Reset => {
                Error::InvalidState("the result was discarded by a RESET of the connection".into())
            }
        }
    }
}

/// Where a result stands on the wire.
#[derive(Debug, Clone)]
pub(crate) enum Phase {
    /// A `PULL` or `DISCARD` for it is outstanding.
    Pulling,
    /// The last batch ended with `has_more`; nothing outstanding.
    Paused,
    /// Finished; the final summary.
    Done(Success),
    /// Ended in failure.
    Failed(Failure),
}

/// The connection's view of one result.
#[derive(Debug)]
pub(crate) struct StreamEntry {
    pub(crate) id: u64,
    pub(crate) owner: Weak<()>,
    pub(crate) in_tx: bool,
    /// `-1` until an explicit transaction's `RUN` reply names it.
    pub(crate) qid: i64,
    pub(crate) fetch_size: i64,
    pub(crate) keys: Arc<[String]>,
    pub(crate) buffer: VecDeque<Record>,
    pub(crate) phase: Phase,
    /// Records arriving now are thrown away (discarding, or orphaned).
    pub(crate) drop_records: bool,
    pub(crate) batches: u32,
    pub(crate) records: u64,
}

impl StreamEntry {
    pub(crate) fn new(id: u64, owner: Weak<()>, in_tx: bool, fetch_size: i64) -> Self {
        StreamEntry {
            id,
            owner,
            in_tx,
            qid: -1,
            fetch_size,
            keys: Arc::from(Vec::new()),
            buffer: VecDeque::new(),
            phase: Phase::Pulling,
            drop_records: false,
            batches: 1,
            records: 0,
        }
    }

    /// Counts one `RECORD` received for it. Each `PULL` asked for
    /// `fetch_size` records (all, when negative): more is a protocol
    /// violation, and buffering it would let a server grow our memory
    /// without bound.
    pub(crate) fn count_record(&mut self) -> Result<(), Error> {
        self.records += 1;
        if let Ok(n) = u64::try_from(self.fetch_size) {
            let allowed = u64::from(self.batches).saturating_mul(n);
            if n > 0 && self.records > allowed {
                return Err(Error::Protocol(format!(
                    "the server sent more records than the {allowed} pulled"
                )));
            }
        }
        Ok(())
    }

    /// When the server is done with it: the end its handle sees from now
    /// on, with the count of records received.
    pub(crate) fn end_for(&self, stream: &mut RecordStream) {
        let end = match &self.phase {
            Phase::Done(s) => End::Done(s.clone()),
            Phase::Failed(f) => End::Failed(f.clone()),
            Phase::Pulling | Phase::Paused => return,
        };
        stream.records = self.records;
        stream.end = Some(end);
    }

    /// Whether its handle is gone.
    pub(crate) fn orphaned(&self) -> bool {
        self.owner.strong_count() == 0
    }

    /// Whether nobody will ever ask about it again: its handle is gone and
    /// the server is done with it.
    pub(crate) fn forgotten(&self) -> bool {
        self.orphaned() && !self.is_open()
    }

    /// Whether the server still holds the result open.
    pub(crate) fn is_open(&self) -> bool {
        matches!(self.phase, Phase::Pulling | Phase::Paused)
    }
}

/// How a handle's result ended, once the caller has seen the end.
#[derive(Debug, Clone)]
pub(crate) enum End {
    Done(Success),
    Failed(Failure),
}

/// A result of [`run`](crate::Connection::run) or
/// [`run_in_tx`](crate::Connection::run_in_tx), read with
/// [`Connection::next_record`](crate::Connection::next_record).
///
/// Dropping it before the end is fine: the connection discards the rest.
#[derive(Debug)]
#[must_use = "a result is read with Connection::next_record; dropping it discards the records"]
pub struct RecordStream {
    pub(crate) id: u64,
    pub(crate) connection: u64,
    _owner: Arc<()>,
    keys: Arc<[String]>,
    run: Success,
    pub(crate) end: Option<End>,
    /// Records the server sent for it, kept or not (set at the end).
    pub(crate) records: u64,
}

impl RecordStream {
    pub(crate) fn new(
        id: u64,
        connection: u64,
        owner: Arc<()>,
        keys: Arc<[String]>,
        run: Success,
    ) -> Self {
        RecordStream {
            id,
            connection,
            _owner: owner,
            keys,
            run,
            end: None,
            records: 0,
        }
    }

    /// Column names.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The `RUN` reply's metadata (`fields`, `t_first`, `qid`, ...).
    pub fn run_metadata(&self) -> &Success {
        &self.run
    }

    /// How many records the server sent for this result, including those
    /// discarded or dropped unread; final once the result has ended.
    pub fn records_received(&self) -> u64 {
        self.records
    }

    /// The query id in an explicit transaction.
    pub fn qid(&self) -> Option<i64> {
        self.run.qid()
    }

    /// The final summary (`bookmark`, `stats`, `type`, ...), once the last
    /// record has been read or the rest discarded.
    pub fn summary(&self) -> Option<&Success> {
        match &self.end {
            Some(End::Done(s)) => Some(s),
            _ => None,
        }
    }

    /// Whether the end (summary or failure) has been reached.
    pub fn is_finished(&self) -> bool {
        self.end.is_some()
    }
}

/// Counters of a result's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamStats {
    /// Records received and not yet handed out.
    pub buffered: usize,
    /// `PULL` requests sent (batches asked for).
    pub batches: u32,
    /// Records received in all.
    pub records: u64,
}
