//! Reading results: records batch by batch, or discarding the rest.

use bytes::Buf;
use tokio::io::{AsyncRead, AsyncWrite};

use super::Connection;
use crate::message::Pull;
use crate::result::{End, Phase, RecordStream, StreamEntry};
use crate::state::RequestKind;
use crate::{Error, Record, Result, Success};

impl<S> Connection<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// The next record of a result, fetching the next batch (`PULL n`) when
    /// the buffered one is used up; `None` at the end, after which the
    /// summary is in [`RecordStream::summary`].
    pub async fn next_record(&mut self, stream: &mut RecordStream) -> Result<Option<Record>> {
        self.check_stream(stream)?;
        loop {
            match &stream.end {
                Some(End::Done(_)) => return Ok(None),
                Some(End::Failed(f)) => return Err(f.to_error()),
                None => {}
            }
            let e = self.usable_stream(stream.id)?;
            if let Some(r) = e.buffer.pop_front() {
                return Ok(Some(r));
            }
            e.end_for(stream);
            match &e.phase {
                Phase::Done(_) | Phase::Failed(_) => {}
                Phase::Paused => {
                    let (id, n, qid) = (e.id, e.fetch_size, e.qid);
                    let qid = self.wire_qid(id, qid);
                    self.send(&Pull { n, qid }, RequestKind::Pull, Some(id), None)?;
                    if let Some(e) = self.streams.iter_mut().find(|e| e.id == id) {
                        e.phase = Phase::Pulling;
                        e.batches += 1;
                    }
                    self.flush().await?;
                }
                Phase::Pulling => {
                    self.recv().await?;
                }
            }
            if stream.end.is_some() {
                self.streams.retain(|e| e.id != stream.id);
            }
        }
    }

    /// The next record if it is available without IO (already received, or
    /// complete in the input buffer); `Ok(None)` when getting one (or the
    /// end) needs [`Connection::next_record`]. For callers that hand records
    /// over in batches: one await for the batch, then this in a loop.
    pub fn next_buffered(&mut self, stream: &mut RecordStream) -> Result<Option<Record>> {
        self.check_stream(stream)?;
        if stream.end.is_some() {
            return Ok(None);
        }
        self.ensure_usable()?;
        loop {
            let Some(e) = self.streams.iter_mut().find(|e| e.id == stream.id) else {
                return Ok(None);
            };
            if let Some(r) = e.buffer.pop_front() {
                return Ok(Some(r));
            }
            if !matches!(e.phase, Phase::Pulling) || !self.apply_buffered(stream.id)? {
                return Ok(None);
            }
        }
    }

    /// Hands every record of `stream` that is available without IO
    /// (received, or complete in the input buffer) to `f`, as the raw bytes
    /// [`Record::raw`](crate::Record::raw) would hold: the PackStream list of
    /// the record's values. No [`Record`] is built for a record that arrived
    /// in one chunk: `f` reads it in place, which makes this the cheapest way
    /// to decode a stream (e.g. with serde, straight from the input buffer).
    ///
    /// Returns how many records were handed over (`Ok(Ok(0))` when the next
    /// record, or the end, needs [`Connection::next_record`]). An error of
    /// `f` stops the loop and is returned as `Ok(Err(e))`; the record it
    /// failed on is used up, the others stay. Records are checked for
    /// well-formedness before `f` sees them, as everywhere else: a malformed
    /// one breaks the connection with a protocol error.
    pub fn drain_buffered<E>(
        &mut self,
        stream: &mut RecordStream,
        mut f: impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> Result<std::result::Result<usize, E>> {
        self.check_stream(stream)?;
        if stream.end.is_some() {
            return Ok(Ok(0));
        }
        self.ensure_usable()?;
        let mut handed = 0;
        loop {
            // Records already decoded (a multi-chunk one, or left by
            // `next_record`'s batch) go first, in order.
            let Some(e) = self.streams.iter_mut().find(|e| e.id == stream.id) else {
                return Ok(Ok(handed));
            };
            while let Some(r) = e.buffer.pop_front() {
                handed += 1;
                if let Err(err) = f(r.raw()) {
                    return Ok(Err(err));
                }
            }
            match self.raw_record_in_place(stream.id)? {
                Some(body) => {
                    let result = f(&self.inbuf[body.clone()]);
                    // The body, its two-byte chunk header before and the
                    // end marker after.
                    self.inbuf.advance(body.end + 2);
                    handed += 1;
                    if let Err(err) = result {
                        return Ok(Err(err));
                    }
                }
                None => {
                    // Anything else (a summary, a record in several chunks)
                    // takes the general path, one message at a time.
                    if !self.apply_buffered(stream.id)? {
                        return Ok(Ok(handed));
                    }
                }
            }
        }
    }

    /// When the next message in the input buffer is a whole single-chunk
    /// `RECORD` for `stream`, to be kept: its value list's place in
    /// `inbuf`, counted as received. `None` sends the caller the general way
    /// (which also produces the right error for anything malformed).
    fn raw_record_in_place(&mut self, stream: u64) -> Result<Option<std::ops::Range<usize>>> {
        let head_is_our_pull = self
            .pending
            .front()
            .is_some_and(|p| p.kind == RequestKind::Pull && p.stream == Some(stream));
        if !head_is_our_pull
            || self.flush_pending
            || !self.out.is_empty()
            || self.dechunker.in_message()
        {
            return Ok(None);
        }
        let Some(&[h0, h1, 0xB1, 0x71]) = self.inbuf.get(..4) else {
            return Ok(None);
        };
        let len = usize::from(u16::from_be_bytes([h0, h1]));
        if self.inbuf.get(2 + len..4 + len) != Some(&[0, 0][..]) {
            return Ok(None);
        }
        let body = 4..2 + len;
        let mut u = boltline_packstream::Unpacker::new(&self.inbuf[body.clone()]);
        let well_formed = u.peek_kind().ok() == Some(boltline_packstream::Kind::List)
            && u.skip_value().is_ok()
            && u.position() == body.len();
        if !well_formed {
            return Ok(None);
        }
        let Some(e) = self.streams.iter_mut().find(|e| e.id == stream) else {
            return Ok(None);
        };
        if e.drop_records || e.orphaned() {
            return Ok(None);
        }
        if let Err(err) = e.count_record() {
            return Err(self.broken(err));
        }
        Ok(Some(body))
    }

    /// The entry of result `id`, on a connection that can still serve it.
    fn usable_stream(&mut self, id: u64) -> Result<&mut StreamEntry> {
        self.ensure_usable()?;
        self.streams.iter_mut().find(|e| e.id == id).ok_or_else(|| {
            Error::InvalidState("the result is no longer known to the connection".into())
        })
    }

    /// Discards the rest of a result (`DISCARD n=-1`) and returns its
    /// summary. Records already buffered are dropped too.
    pub async fn consume(&mut self, stream: &mut RecordStream) -> Result<Success> {
        self.check_stream(stream)?;
        loop {
            match &stream.end {
                Some(End::Done(s)) => return Ok(s.clone()),
                Some(End::Failed(f)) => return Err(f.to_error()),
                None => {}
            }
            let e = self.usable_stream(stream.id)?;
            e.buffer.clear();
            e.drop_records = true;
            e.end_for(stream);
            match &e.phase {
                Phase::Done(_) | Phase::Failed(_) => {}
                Phase::Paused => {
                    let (id, qid) = (e.id, e.qid);
                    e.phase = Phase::Pulling;
                    self.send_discard_all(id, qid)?;
                    self.flush().await?;
                }
                Phase::Pulling => {
                    self.recv().await?;
                }
            }
            if stream.end.is_some() {
                self.streams.retain(|e| e.id != stream.id);
            }
        }
    }
}
