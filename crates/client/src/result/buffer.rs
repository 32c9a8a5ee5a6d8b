//! Reading a result into memory and looking at what is there without IO:
//! py2neo's `buffer`, `has_records`, `peek_records` and `take_record`, and
//! the Python driver's `Result.graph()`.

use boltline_bolt::Value;

use super::QueryResult;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::record::Record;
use boltline_pool::sync::lock;

/// The graph entities of the records a result has handed out, once
/// [`QueryResult::track_graph`] asked for them.
///
/// The Python driver's `Result.graph()` covers every record of the result,
/// the ones already read included (its hydration scope remembers each node
/// and relationship it built). Doing that for every result would decode
/// graph records twice and hold every distinct entity of a streamed result
/// in memory, for the rare caller of `graph()`; so it is opt-in: off, a
/// record handed out costs one branch here. On, each record is checked for
/// a graph structure's marker and only those are decoded, so the memory
/// held is the distinct entities, not the records.
#[derive(Debug, Default)]
pub(super) struct SeenGraph {
    /// `None` until tracking is turned on.
    graph: Option<Graph>,
}

impl SeenGraph {
    /// A record was handed out.
    pub(super) fn note(&mut self, r: &boltline_bolt::Record) {
        let Some(graph) = &mut self.graph else { return };
        if may_hold_graph(r.raw()) {
            // A record that does not decode is the reader's error to see,
            // not this bookkeeping's.
            if let Ok(values) = r.values() {
                values.into_iter().for_each(|v| graph.add_value(v));
            }
        }
    }

    /// A record was handed out as raw bytes (the batch path of `collect`).
    pub(super) fn note_raw(&mut self, keys: &[String], raw: &[u8]) {
        let Some(graph) = &mut self.graph else { return };
        if may_hold_graph(raw) {
            if let Ok(values) = boltline_bolt::packstream::from_record::<_, Vec<Value>>(keys, raw) {
                values.into_iter().for_each(|v| graph.add_value(v));
            }
        }
    }
}

/// Whether PackStream bytes may hold a node, relationship or path: a
/// structure marker (`0xB0`..=`0xBF`, PackStream spec "Structures")
/// followed by the tag of one of them (`N` 0x4E, `R` 0x52, `P` 0x50).
/// Conservative: a string or byte array can look the same (then the record
/// is decoded for nothing), a real entity never escapes it.
pub(super) fn may_hold_graph(raw: &[u8]) -> bool {
    raw.windows(2)
        .any(|w| w[0] & 0xF0 == 0xB0 && matches!(w[1], 0x4E | 0x52 | 0x50))
}

impl QueryResult {
    /// Reads the rest of the records into memory, where they stay readable
    /// (py2neo's `Result.buffer()`); the connection is free afterwards. An
    /// error if the stream fails now or had failed, or if the records are
    /// gone ([`Error::ResultConsumed`]).
    pub async fn buffer(&mut self) -> Result<()> {
        if lock(&self.cell.state).is_streaming() {
            let mut slot = self.slot.lock().await;
            // The session may have buffered or ended it while we waited.
            if lock(&self.cell.state).is_streaming() {
                let r = slot
                    .finish_result(&self.cell, true, &self.driver.provider)
                    .await;
                if let (Err(e), false) = (&r, self.auto_commit) {
                    // The server ended the transaction with this failure.
                    slot.transaction_failed(e);
                }
                if self.auto_commit {
                    slot.release_if_idle();
                }
                r?;
            }
        }
        let state = lock(&self.cell.state);
        if state.is_consumed() {
            return Err(Error::ResultConsumed);
        }
        match state.failure() {
            Some(e) if self.peeked.is_none() => Err(e.clone()),
            _ => Ok(()),
        }
    }

    /// Whether records are in memory, ready to read without IO (py2neo's
    /// `Result.has_records()`).
    pub fn has_records(&self) -> bool {
        self.peeked.is_some()
            || lock(&self.cell.state)
                .buffered()
                .is_some_and(|b| !b.is_empty())
    }

    /// Up to `limit` of the records in memory, without moving past them
    /// and without IO (py2neo's `Result.peek_records(limit)`); see
    /// [`peek_many`](QueryResult::peek_many) to read ahead.
    pub fn peek_records(&self, limit: usize) -> Vec<Record> {
        let state = lock(&self.cell.state);
        let buffered = state.buffered().into_iter().flatten();
        self.peeked
            .iter()
            .cloned()
            .chain(buffered.cloned().map(Record::new))
            .take(limit)
            .collect()
    }

    /// The next `n` records (fewer at the end) without moving past them,
    /// reading ahead from the server as needed (the Python driver's
    /// `Result.peek()`, for more than one record).
    pub async fn peek_many(&mut self, n: usize) -> Result<Vec<Record>> {
        let mut ahead: Vec<Record> = self.peeked.take().into_iter().collect();
        let mut failure = None;
        while ahead.len() < n {
            match self.fetch_one().await {
                Ok(Some(r)) => ahead.push(r),
                Ok(None) => break,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        // Back in front of whatever else was read meanwhile, in order.
        lock(&self.cell.state).put_back(ahead.iter().cloned().map(Record::into_bolt).collect());
        match failure {
            Some(e) => Err(e),
            None => Ok(ahead),
        }
    }

    /// The next record if one is in memory, without IO; `None` otherwise
    /// (py2neo's `Result.take_record()`; [`next`](QueryResult::next) reads
    /// from the server when needed).
    pub fn take_record(&mut self) -> Option<Record> {
        let r = match self.peeked.take() {
            Some(r) => r,
            None => match lock(&self.cell.state).next_record() {
                Some(Ok(Some(r))) => r,
                _ => return None,
            },
        };
        self.seen.note(r.as_bolt());
        Some(r)
    }

    /// From now on, remember the nodes and relationships of every record
    /// this result hands out, so that [`graph`](QueryResult::graph) covers
    /// the records read after this call too (the Python driver's
    /// `Result.graph()` always does). Off by default: tracking decodes graph
    /// records a second time and keeps each distinct entity in memory.
    pub fn track_graph(&mut self) {
        self.seen.graph.get_or_insert_with(Graph::default);
    }

    /// The distinct nodes and relationships of the records not read yet,
    /// which are read into memory and stay readable, plus those of the
    /// records read since [`track_graph`](QueryResult::track_graph) (the
    /// Python driver's `Result.graph()`, which always covers the records
    /// already read).
    pub async fn graph(&mut self) -> Result<Graph> {
        self.buffer().await?;
        let mut g = self.seen.graph.clone().unwrap_or_default();
        let state = lock(&self.cell.state);
        let ahead = self
            .peeked
            .iter()
            .map(Record::as_bolt)
            .chain(state.buffered().into_iter().flatten());
        for r in ahead {
            r.values()?.into_iter().for_each(|v| g.add_value(v));
        }
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::may_hold_graph;

    #[test]
    fn graph_markers_are_found_and_plain_values_are_not() {
        // [1, "ab"]: a list of two, a tiny int, a tiny string.
        assert!(!may_hold_graph(&[0x92, 0x01, 0x82, b'a', b'b']));
        // [Node(...)]: a list of one, a 4-field structure tagged 'N'.
        assert!(may_hold_graph(&[0x91, 0xB4, 0x4E, 0x01]));
        // A relationship (8 fields, 'R') and a path (3 fields, 'P').
        assert!(may_hold_graph(&[0x91, 0xB8, 0x52]));
        assert!(may_hold_graph(&[0x91, 0xB3, 0x50]));
        // A date structure ('D') is not a graph entity.
        assert!(!may_hold_graph(&[0x91, 0xB1, 0x44, 0x01]));
    }
}
