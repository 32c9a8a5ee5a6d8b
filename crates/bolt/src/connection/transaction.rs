//! Explicit transactions: `BEGIN` (waited for or pipelined), `COMMIT`,
//! `ROLLBACK`.

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tracing::{debug_span, Instrument};

use super::Connection;
use crate::message::{Begin, Commit, Rollback};
use crate::state::RequestKind;
use crate::{Error, Result, Success, TxOptions};

impl<S> Connection<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// Begins an explicit transaction and waits for the server's answer.
    pub async fn begin(&mut self, options: &TxOptions) -> Result<Success> {
        let span = debug_span!(parent: &self.span, "BEGIN");
        async {
            let owner = Arc::new(());
            let ticket = self.queue_begin(options, Some(&owner)).await?;
            self.flush().await?;
            let outcome = self.wait(ticket).await?;
            let r = self.expect_success(outcome);
            if r.is_err() {
                self.state.set_tx_open(false);
            }
            r
        }
        .instrument(span)
        .await
    }

    /// Queues `BEGIN` without waiting: it goes out with the first
    /// [`run_in_tx`](Connection::run_in_tx) (`BEGIN`+`RUN`+`PULL` in one
    /// write). If it fails, that call reports the failure.
    pub async fn begin_pipelined(&mut self, options: &TxOptions) -> Result<()> {
        self.queue_begin(options, None).await.map(drop)
    }

    async fn queue_begin(&mut self, options: &TxOptions, owner: Option<&Arc<()>>) -> Result<u64> {
        self.ensure_usable()?;
        self.settle().await?;
        self.ensure_idle_for("begin a transaction")?;
        self.recover_if_failed()?;
        let ticket = self.send(&Begin { options }, RequestKind::Begin, None, owner)?;
        self.begin_db = None;
        self.state.set_tx_open(true);
        Ok(ticket)
    }

    /// Commits the open transaction; the summary holds the bookmark.
    ///
    /// Results of the transaction must be read to the end or consumed first
    /// (dropped ones are discarded automatically).
    ///
    /// If this future is dropped, the `COMMIT` may already be on its way,
    /// or (if it was still queued) goes out with the next request: treat
    /// the transaction's outcome as unknown, as for a connection lost
    /// during a commit.
    pub async fn commit(&mut self) -> Result<Success> {
        let span = debug_span!(parent: &self.span, "COMMIT");
        async {
            self.ensure_usable()?;
            self.settle().await?;
            if self.pipelined_commit.is_some() {
                return self.queued_commit_outcome().await;
            }
            self.ensure_in_tx("commit")?;
            if self.live_tx_streams_open() {
                return Err(Error::InvalidState(
                    "cannot commit while a result of the transaction is open; \
                     read it to the end or consume it"
                        .into(),
                ));
            }
            self.state.set_tx_open(false);
            if self.state.is_failed() {
                return Err(self.ignored_error());
            }
            self.request(&Commit, RequestKind::Commit).await
        }
        .instrument(span)
        .await
    }

    /// Reads up to the answer of the `COMMIT` queued by
    /// [`run_in_tx_then_commit`](Connection::run_in_tx_then_commit) and
    /// returns it.
    async fn queued_commit_outcome(&mut self) -> Result<Success> {
        loop {
            match self.pipelined_commit.take() {
                Some((_, Some(outcome))) => return self.expect_success(outcome),
                Some(waiting) => {
                    // Put back before awaiting: a cancelled wait leaves the
                    // connection as it was.
                    self.pipelined_commit = Some(waiting);
                    self.recv().await?;
                    if self.state.is_defunct() {
                        return Err(self.state.defunct_error());
                    }
                }
                None => {
                    return Err(Error::InvalidState(
                        "the queued COMMIT was ended by a RESET".into(),
                    ))
                }
            }
        }
    }

    /// Rolls the open transaction back. A failed transaction, or one with
    /// results still open, is rolled back with `RESET` instead.
    pub async fn rollback(&mut self) -> Result<()> {
        let span = debug_span!(parent: &self.span, "ROLLBACK");
        async {
            self.ensure_usable()?;
            self.settle().await?;
            if self.pipelined_commit.take().is_some() {
                // A COMMIT is already on its way (after a failed query it
                // is ignored): only a RESET ends the transaction now.
                return self.reset_inner().await;
            }
            self.ensure_in_tx("roll back")?;
            self.state.set_tx_open(false);
            if self.state.is_failed() || self.live_tx_streams_open() {
                return self.reset_inner().await;
            }
            self.request(&Rollback, RequestKind::Rollback)
                .await
                .map(drop)
        }
        .instrument(span)
        .await
    }
}
