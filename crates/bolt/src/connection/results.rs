//! Reading results: records batch by batch, or discarding the rest.

use tokio::io::{AsyncRead, AsyncWrite};

use super::Connection;
use crate::message::{Discard, Pull};
use crate::result::{End, Phase, RecordStream};
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
            self.ensure_usable()?;
            let Some(e) = self.streams.iter_mut().find(|e| e.id == stream.id) else {
                return Err(Error::InvalidState(
                    "the result is no longer known to the connection".into(),
                ));
            };
            if let Some(r) = e.buffer.pop_front() {
                return Ok(Some(r));
            }
            match &e.phase {
                Phase::Done(s) => stream.end = Some(End::Done(s.clone())),
                Phase::Failed(f) => stream.end = Some(End::Failed(f.clone())),
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
            self.ensure_usable()?;
            let Some(e) = self.streams.iter_mut().find(|e| e.id == stream.id) else {
                return Err(Error::InvalidState(
                    "the result is no longer known to the connection".into(),
                ));
            };
            e.buffer.clear();
            e.drop_records = true;
            match &e.phase {
                Phase::Done(s) => stream.end = Some(End::Done(s.clone())),
                Phase::Failed(f) => stream.end = Some(End::Failed(f.clone())),
                Phase::Paused => {
                    let (id, qid) = (e.id, e.qid);
                    e.phase = Phase::Pulling;
                    let qid = self.wire_qid(id, qid);
                    self.send(
                        &Discard { n: -1, qid },
                        RequestKind::Discard,
                        Some(id),
                        None,
                    )?;
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
