//! A query's result: records read lazily, batch by batch, then a summary.

use std::sync::Arc;

use boltline_bolt::{Map, RecordStream, Value};
use boltline_pool::BoltConnection;
use futures_core::Stream;
use serde::de::DeserializeOwned;

use crate::driver_context::DriverInner;
use crate::error::{Error, Result};
use crate::record::{Column, Record};
use crate::session_state::{End, Records, ResultCell, ResultState, Slot, SlotRef, TxId};
use crate::summary::ResultSummary;
use boltline_pool::sync::lock;

mod buffer;

use buffer::SeenGraph;

/// Why a [`QueryResult::read`] `take` stopped.
enum Taken {
    /// The connection failed: recorded and reported like any read failure.
    Connection(crate::BoltError),
    /// The caller's own error (e.g. a record that does not deserialise).
    Other(Error),
}

/// All records of a query, its keys and its summary.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EagerResult {
    /// The records.
    pub(crate) records: Vec<Record>,
    /// The summary.
    pub(crate) summary: ResultSummary,
    /// Column names.
    pub(crate) keys: Vec<String>,
}

impl EagerResult {
    /// The records.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The summary.
    pub fn summary(&self) -> &ResultSummary {
        &self.summary
    }

    /// Column names.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The records, taken out of the result.
    pub fn into_records(self) -> Vec<Record> {
        self.records
    }

    /// The records, the summary and the column names, taken apart.
    pub fn into_parts(self) -> (Vec<Record>, ResultSummary, Vec<String>) {
        (self.records, self.summary, self.keys)
    }
}

/// The result of [`Session::run`](crate::Session::run) or
/// [`Transaction::run`](crate::Transaction::run).
///
/// Records arrive in batches of the fetch size as they are read, with
/// [`next`](QueryResult::next) or as a [`Stream`]
/// ([`into_stream`](QueryResult::into_stream),
/// [`into_typed_stream`](QueryResult::into_typed_stream)). The result does
/// not borrow its session: running the next query in the session first
/// reads what is left of this one into memory (it stays readable), and the
/// end of a transaction discards the records of its results (reading them
/// then gives [`Error::ResultConsumed`]).
///
/// Dropping a result is always fine: the rest is discarded on the server
/// before the connection's next request.
#[must_use = "a result holds records; read them, or call consume() for the summary"]
#[derive(Debug)]
pub struct QueryResult {
    cell: Arc<ResultCell>,
    slot: SlotRef,
    driver: Arc<DriverInner>,
    keys: Arc<[String]>,
    auto_commit: bool,
    /// The explicit transaction it belongs to (`None`: auto-commit).
    tx: Option<TxId>,
    peeked: Option<Record>,
    /// The graph entities of the records handed out so far, for
    /// [`graph`](QueryResult::graph).
    seen: SeenGraph,
}

impl QueryResult {
    pub(crate) fn new(
        cell: Arc<ResultCell>,
        slot: SlotRef,
        driver: Arc<DriverInner>,
        keys: Arc<[String]>,
        tx: Option<TxId>,
    ) -> Self {
        QueryResult {
            cell,
            slot,
            driver,
            keys,
            auto_commit: tx.is_none(),
            tx,
            peeked: None,
            seen: SeenGraph::default(),
        }
    }

    /// Column names.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The next record; `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Record>> {
        let r = match self.peeked.take() {
            Some(r) => Some(r),
            None => self.fetch_one().await?,
        };
        if let Some(r) = &r {
            self.seen.note(r.as_bolt());
        }
        Ok(r)
    }

    /// The next record without moving past it.
    pub async fn peek(&mut self) -> Result<Option<&Record>> {
        if self.peeked.is_none() {
            self.peeked = self.fetch_one().await?;
        }
        Ok(self.peeked.as_ref())
    }

    /// Up to `n` records.
    pub async fn fetch(&mut self, n: usize) -> Result<Vec<Record>> {
        let mut out = Vec::with_capacity(n.min(1024));
        while out.len() < n {
            match self.next().await? {
                Some(r) => out.push(r),
                None => break,
            }
        }
        Ok(out)
    }

    /// The rest of the records.
    pub async fn collect_records(&mut self) -> Result<Vec<Record>> {
        self.fetch(usize::MAX).await
    }

    /// The rest of the records, each deserialised into `T` (see
    /// [`Record::to`]).
    pub async fn collect<T: DeserializeOwned>(&mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        if let Some(r) = self.peeked.take() {
            self.seen.note(r.as_bolt());
            out.push(r.to()?);
        }
        let keys = self.keys.clone();
        let mut seen = std::mem::take(&mut self.seen);
        let mut sink = |raw: &[u8]| -> Result<()> {
            out.push(boltline_bolt::packstream::from_record(&keys, raw)?);
            seen.note_raw(&keys, raw);
            Ok(())
        };
        let r = async {
            while self.fetch_batch(&mut sink).await? {}
            Ok::<_, Error>(())
        }
        .await;
        self.seen = seen;
        r.map(|()| out)
    }

    /// The one and only record; the result is consumed either way.
    ///
    /// No record, or more than one, is [`Error::ResultNotSingle`] (with
    /// `found` 0, or 2 for "two or more").
    pub async fn single(&mut self) -> Result<Record> {
        match self.at_most_one().await? {
            (Some(r), false) => Ok(r),
            (None, _) => Err(Error::ResultNotSingle { found: 0 }),
            (Some(_), true) => Err(Error::ResultNotSingle { found: 2 }),
        }
    }

    /// No record or exactly one; the result is consumed either way.
    ///
    /// No record gives `None`; more than one is [`Error::ResultNotSingle`]
    /// (with `found` 2, for "two or more").
    pub async fn single_opt(&mut self) -> Result<Option<Record>> {
        match self.at_most_one().await? {
            (first, false) => Ok(first),
            (_, true) => Err(Error::ResultNotSingle { found: 2 }),
        }
    }

    /// The first record and whether there was another; consumes the rest.
    async fn at_most_one(&mut self) -> Result<(Option<Record>, bool)> {
        let first = self.next().await?;
        let more = first.is_some() && self.next().await?.is_some();
        self.consume().await?;
        Ok((first, more))
    }

    /// The value in `column` (a name or an index) of each remaining
    /// record, `default` where a record has no such column: the Python
    /// driver's `Result.value(key=0, default=None)`.
    pub async fn value<'k>(
        &mut self,
        column: impl Into<Column<'k>>,
        default: Value,
    ) -> Result<Vec<Value>> {
        let column = column.into();
        let mut out = Vec::new();
        while let Some(r) = self.next().await? {
            out.push(r.value(column, default.clone())?);
        }
        Ok(out)
    }

    /// The values of `columns` (all when empty) of each remaining record;
    /// a missing name gives `Null`: the Python driver's
    /// `Result.values(*keys)`.
    pub async fn values(&mut self, columns: &[Column<'_>]) -> Result<Vec<Vec<Value>>> {
        let mut out = Vec::new();
        while let Some(r) = self.next().await? {
            out.push(r.values_of(columns)?);
        }
        Ok(out)
    }

    /// Each remaining record as plain data (see [`Record::data`]), with
    /// only `columns` (all when empty): the Python driver's
    /// `Result.data(*keys)`.
    pub async fn data(&mut self, columns: &[Column<'_>]) -> Result<Vec<Map>> {
        let mut out = Vec::new();
        while let Some(r) = self.next().await? {
            out.push(r.data_of(columns)?);
        }
        Ok(out)
    }

    /// The remaining records, the keys and the summary.
    pub async fn to_eager_result(&mut self) -> Result<EagerResult> {
        let records = self.collect_records().await?;
        let summary = self.consume().await?;
        Ok(EagerResult {
            keys: self.keys.to_vec(),
            records,
            summary,
        })
    }

    /// Discards the remaining records and returns the summary. Records can
    /// no longer be read afterwards ([`Error::ResultConsumed`]).
    pub async fn consume(&mut self) -> Result<ResultSummary> {
        self.peeked = None;
        loop {
            if let Some(answer) = lock(&self.cell.state).consume() {
                return answer;
            }
            let mut slot = self.slot.lock().await;
            if !lock(&self.cell.state).is_streaming() {
                // Ended while we waited for the lock, or its transaction
                // or session gave the connection up: the state answers.
                continue;
            }
            // Discarding is finishing without keeping the records.
            let r = slot
                .finish_result(&self.cell, false, &self.driver.provider)
                .await;
            if self.auto_commit {
                slot.release_if_idle();
            }
            drop(slot);
            r?;
        }
    }

    /// Whether the records are gone: consumed, or discarded by the end of
    /// the transaction or session.
    pub fn is_closed(&self) -> bool {
        lock(&self.cell.state).is_consumed()
    }

    /// The records as a stream.
    pub fn into_stream(self) -> impl Stream<Item = Result<Record>> + Send {
        futures_util::stream::unfold(Some(self), |state| async move {
            let mut r = state?;
            match r.next().await {
                Ok(Some(rec)) => Some((Ok(rec), Some(r))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        })
    }

    /// The records as a stream of `T` (see [`Record::to`]).
    pub fn into_typed_stream<T: DeserializeOwned + Send>(
        self,
    ) -> impl Stream<Item = Result<T>> + Send {
        futures_util::StreamExt::map(self.into_stream(), |r| r.and_then(|rec| rec.to()))
    }

    /// Cancel safe: records stay with the connection (or in the buffer)
    /// until handed out, so a dropped call loses nothing.
    async fn fetch_one(&mut self) -> Result<Option<Record>> {
        let cell = &self.cell;
        self.read(ResultState::next_record, |conn, stream, first| {
            // Take what else arrived with it while we hold the lock, so the
            // next records cost no lock of the connection.
            let mut more = Vec::new();
            while let Ok(Some(next)) = conn.next_buffered(stream) {
                more.push(next);
            }
            if !more.is_empty() {
                lock(&cell.state).extend(more);
            }
            Ok(Some(Record::new(first)))
        })
        .await
    }

    /// Hands the records available now to `sink` as raw bytes (see
    /// [`Record::raw`]), reading the next batch first when none is: the
    /// batch path of [`collect`](QueryResult::collect), which builds no
    /// [`Record`] for records it can decode in place. `false` at the end.
    /// Records handed to a failing `sink` are used up; the rest stay.
    async fn fetch_batch<F>(&mut self, sink: &mut F) -> Result<bool>
    where
        F: FnMut(&[u8]) -> Result<()>,
    {
        let batch = self
            .read(
                |st| st.next_batch(true),
                |conn, stream, first| {
                    sink(first.raw()).map_err(Taken::Other)?;
                    match conn.drain_buffered(stream, &mut *sink) {
                        Ok(Ok(_)) => Ok(Some(Records::new())),
                        Ok(Err(e)) => Err(Taken::Other(e)),
                        Err(e) => Err(Taken::Connection(e)),
                    }
                },
            )
            .await?;
        let Some(mut batch) = batch else {
            return Ok(false);
        };
        while let Some(r) = batch.pop_front() {
            if let Err(e) = sink(r.raw()) {
                // The rest stay readable, ahead of anything buffered since.
                lock(&self.cell.state).put_back(batch);
                return Err(e);
            }
        }
        Ok(true)
    }

    /// One read: what the result's state gives without IO (`ready`, asked
    /// again once the slot is locked, as the session may have buffered or
    /// ended the result meanwhile), else the next record from the
    /// connection (awaited), handed to `take`, which may take whatever else
    /// has arrived without IO; the end records the summary; a failure is
    /// recorded and reported.
    ///
    /// Records that are gone because their transaction ended read as
    /// [`Error::ResultOutOfScope`], others as [`Error::ResultConsumed`].
    async fn read<R>(
        &self,
        ready: impl Fn(&mut ResultState) -> Option<Result<R>>,
        take: impl FnOnce(
            &mut BoltConnection,
            &mut RecordStream,
            boltline_bolt::Record,
        ) -> std::result::Result<R, Taken>,
    ) -> Result<R> {
        match self.read_state(ready, take).await {
            Err(Error::ResultConsumed) if self.tx_ended().await => Err(Error::ResultOutOfScope),
            other => other,
        }
    }

    /// Whether the result's explicit transaction has ended (committed,
    /// rolled back, closed, or given up by its session).
    async fn tx_ended(&self) -> bool {
        match self.tx {
            Some(tx) => !self.slot.lock().await.owns(tx),
            None => false,
        }
    }

    async fn read_state<R>(
        &self,
        ready: impl Fn(&mut ResultState) -> Option<Result<R>>,
        take: impl FnOnce(
            &mut BoltConnection,
            &mut RecordStream,
            boltline_bolt::Record,
        ) -> std::result::Result<R, Taken>,
    ) -> Result<R> {
        if let Some(answer) = ready(&mut lock(&self.cell.state)) {
            return answer;
        }
        let mut slot = self.slot.lock().await;
        if let Some(answer) = ready(&mut lock(&self.cell.state)) {
            return answer;
        }
        // Streaming, so its stream is in the slot.
        let Some((conn, stream)) = slot.stream(self.cell.id) else {
            lock(&self.cell.state).discard();
            return Err(Error::ResultConsumed);
        };
        match conn.next_record(stream).await {
            Ok(Some(first)) => match take(conn, stream, first) {
                Ok(t) => Ok(t),
                Err(Taken::Other(e)) => Err(e),
                Err(Taken::Connection(e)) => Err(self.failed(&mut slot, e).await),
            },
            Ok(None) => {
                let end = stream.summary().cloned().unwrap_or_default();
                self.cell.complete(stream, &end);
                self.ended(&mut slot, &end).await;
                ready(&mut lock(&self.cell.state)).unwrap_or(Err(Error::ResultConsumed))
            }
            Err(e) => Err(self.failed(&mut slot, e).await),
        }
    }

    /// The stream ended well (its summary is recorded): it leaves the slot.
    async fn ended(&self, slot: &mut Slot, end: &boltline_bolt::Success) {
        slot.remove_stream(self.cell.id);
        self.cell.report_bookmark(end).await;
        if self.auto_commit {
            slot.release_if_idle();
        }
    }

    /// The stream failed: it leaves the slot, the failure is recorded for
    /// later readers and reported to routing.
    async fn failed(&self, slot: &mut Slot, e: crate::BoltError) -> Error {
        slot.remove_stream(self.cell.id);
        let handled = slot.report_error(&self.driver.provider, &e).await;
        let lost = e.is_connection_error();
        let e = Error::from(e).security_handled(handled);
        lock(&self.cell.state).finish(End::Failed(e.clone()));
        if !self.auto_commit {
            // The server ended the transaction with this failure.
            slot.transaction_failed(&e);
        }
        if self.auto_commit || lost {
            slot.release_if_idle();
        }
        e
    }
}
