//! Explicit and managed transactions.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use boltline_bolt::{Map, Query};

use crate::config::FetchSize;
use crate::driver_context::DriverInner;
use crate::error::{Error, Result};
use crate::result::QueryResult;
use crate::session_state::{ResultMeta, SessionShared, SlotRef, TxId};
use crate::summary::ServerInfo;
use crate::telemetry::{Observed, Operation};
use tracing::Instrument;

/// Settings of one transaction (the official drivers' `unit_of_work`):
/// a server-side timeout and metadata shown in the server's transaction
/// listings and query log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransactionConfig {
    pub(crate) timeout: Option<Duration>,
    pub(crate) metadata: Option<Map>,
}

impl TransactionConfig {
    /// No timeout (the server's default), no metadata.
    pub fn new() -> Self {
        TransactionConfig::default()
    }

    /// The server terminates the transaction after this long.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Attaches metadata (visible in `SHOW TRANSACTIONS` and the query log).
    pub fn with_metadata(mut self, metadata: Map) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// An explicit transaction, from
/// [`Session::begin_transaction`](crate::Session::begin_transaction).
///
/// Its work becomes visible with [`commit`](Transaction::commit) and is
/// undone with [`rollback`](Transaction::rollback). Dropping an open
/// transaction rolls it back without blocking: its connection goes back to
/// the pool, which resets it (ending the transaction) before reuse.
#[must_use = "a transaction is rolled back when dropped; call commit() to keep its work"]
#[derive(Debug)]
pub struct Transaction {
    pub(crate) slot: SlotRef,
    pub(crate) driver: Arc<DriverInner>,
    pub(crate) session: Arc<SessionShared>,
    pub(crate) server: ServerInfo,
    pub(crate) fetch_size: Option<FetchSize>,
    /// `Some` while open: the id the session's slot knows it by.
    pub(crate) tx: Option<TxId>,
    /// A `COMMIT` went out behind the last query
    /// ([`run_then_commit`](Transaction::run_then_commit)): from then on a
    /// lost connection leaves the outcome unknown.
    pub(crate) commit_queued: bool,
}

/// Why a failed transaction refuses more work.
const TX_FAILED: &str = "a query of it failed, so the server ended it";

impl Transaction {
    /// Runs a query in the transaction. Several results may be open at
    /// once; they must be read before the transaction ends (its end
    /// discards what is left).
    pub async fn run(&mut self, query: impl Into<Query>) -> Result<QueryResult> {
        self.run_traced(query.into(), false, true).await
    }

    /// Runs a query; `refuse_failed`: after a failure of the transaction,
    /// refuse at once ([`Error::TransactionClosed`]) rather than answer
    /// with the failure that ended it (what a managed transaction's work
    /// gets, so the retry policy judges the original error).
    pub(crate) async fn run_as(
        &mut self,
        query: Query,
        refuse_failed: bool,
    ) -> Result<QueryResult> {
        self.run_traced(query, false, refuse_failed).await
    }

    /// Runs the transaction's last query; when its first `PULL` fetches
    /// every record (fetch size -1), `COMMIT` is queued behind it, in the
    /// same write, and [`commit`](Transaction::commit) only reads its
    /// answer. For callers that read the whole result and then commit
    /// unconditionally (an eager `execute_query`): the server commits as
    /// soon as the records are out.
    pub(crate) async fn run_then_commit(&mut self, query: Query) -> Result<QueryResult> {
        self.run_traced(query, true, false).await
    }

    /// A query run inside its span.
    async fn run_traced(
        &mut self,
        query: Query,
        then_commit: bool,
        refuse_failed: bool,
    ) -> Result<QueryResult> {
        let observed = Observed::start(Operation::TransactionRun, None);
        observed.query_text(self.driver.config.query_text_in_traces, query.text());
        observed.server(&self.server);
        let r = self
            .run_inner(query, then_commit, refuse_failed)
            .instrument(observed.span.clone())
            .await;
        observed.finish(&r);
        r
    }

    async fn run_inner(
        &mut self,
        query: Query,
        then_commit: bool,
        refuse_failed: bool,
    ) -> Result<QueryResult> {
        let tx = self
            .tx
            .ok_or(Error::TransactionClosed("committed, rolled back or closed"))?;
        let mut query = query;
        if let (None, Some(n)) = (query.fetch_size(), self.fetch_size) {
            query = query.with_fetch_size(n.wire());
        }
        let mut slot = self.slot.lock().await;
        if refuse_failed && slot.failed_on_live_connection(tx) {
            return Err(Error::TransactionClosed(TX_FAILED));
        }
        let conn = slot.tx_conn(tx)?;
        let run = if then_commit && conn.fetch_size_for(&query) == -1 {
            self.commit_queued = true;
            conn.run_in_tx_then_commit(&query).await
        } else {
            conn.run_in_tx(&query).await
        };
        if let Some(db) = slot.conn().and_then(|c| c.take_begin_db()) {
            // A pipelined BEGIN was answered with the home database the
            // server resolved (Bolt 5.8): routing caches it.
            if let Some(lease) = slot.lease() {
                self.driver.provider.home_database_seen(lease, &db);
            }
        }
        match run {
            Ok(stream) => {
                let keys: Arc<[String]> = Arc::from(stream.keys());
                let cell = slot.add_result(
                    stream,
                    ResultMeta {
                        query: query.text().to_owned(),
                        parameters: query.parameters().clone(),
                        server: self.server.clone(),
                        session: None,
                        warn_severity: self.driver.config.warn_notification_severity,
                    },
                );
                drop(slot);
                Ok(QueryResult::new(
                    cell,
                    self.slot.clone(),
                    self.driver.clone(),
                    keys,
                    Some(tx),
                ))
            }
            Err(e) => {
                let handled = slot.report_error(&self.driver.provider, &e).await;
                let e = self.unknown_if_committing(Error::from(e).security_handled(handled));
                slot.transaction_failed(&e);
                Err(e)
            }
        }
    }

    /// After a `COMMIT` went out behind the query, a lost connection means
    /// the server may have committed: [`Error::IncompleteCommit`] (never
    /// retried), not a retryable [`Error::ConnectionLost`].
    pub(crate) fn unknown_if_committing(&self, e: Error) -> Error {
        match e {
            Error::ConnectionLost(cause) if self.commit_queued => Error::IncompleteCommit(cause),
            e => e,
        }
    }

    /// Commits: the work becomes visible, and the session's bookmark moves
    /// to this transaction. Open results are discarded first.
    ///
    /// If the connection breaks during the commit, the outcome is unknown:
    /// [`Error::IncompleteCommit`].
    pub async fn commit(mut self) -> Result<()> {
        self.end(true).await
    }

    /// Rolls the work back. Open results are discarded first.
    pub async fn rollback(mut self) -> Result<()> {
        self.end(false).await
    }

    /// Rolls back if still open; does nothing otherwise.
    pub async fn close(mut self) -> Result<()> {
        if self.tx.is_some() {
            self.end(false).await
        } else {
            Ok(())
        }
    }

    /// Ends the transaction at once, without a round trip: its connection
    /// goes back to the pool, which resets it (rolling back) before reuse.
    pub fn cancel(mut self) {
        self.abandon();
    }

    /// Whether the transaction has ended.
    pub fn is_closed(&self) -> bool {
        self.tx.is_none()
    }

    pub(crate) async fn end(&mut self, commit: bool) -> Result<()> {
        self.end_as(commit, true).await
    }

    /// A managed transaction's commit: when one of its queries failed (and
    /// the work swallowed the error), the commit reports that failure, so
    /// the retry policy judges the original error.
    pub(crate) async fn commit_managed(mut self) -> Result<()> {
        self.end_as(true, false).await
    }

    /// Ends the transaction inside its span; `refuse_failed`: committing a
    /// failed transaction is refused as [`Error::TransactionClosed`] rather
    /// than answered with the failure that ended it.
    async fn end_as(&mut self, commit: bool, refuse_failed: bool) -> Result<()> {
        if self.tx.is_none() {
            // Misuse, not an operation: no span.
            return self.end_observed(commit, refuse_failed).await;
        }
        let op = if commit {
            Operation::Commit
        } else {
            Operation::Rollback
        };
        let observed = Observed::start(op, None);
        observed.server(&self.server);
        let r = self
            .end_observed(commit, refuse_failed)
            .instrument(observed.span.clone())
            .await;
        observed.finish(&r);
        r
    }

    /// [`end_as`](Transaction::end_as) without the span.
    async fn end_observed(&mut self, commit: bool, refuse_failed: bool) -> Result<()> {
        let tx = self
            .tx
            .take()
            .ok_or(Error::TransactionClosed("committed, rolled back or closed"))?;
        let mut slot = self.slot.lock().await;
        if !slot.owns(tx) {
            return Err(Error::TransactionClosed("its session ended it"));
        }
        let failed = refuse_failed && slot.failed_on_live_connection(tx);
        // A failure already ended it on the server (which may also have
        // closed the connection): rolling back cannot fail any more.
        let ended_by_failure = slot.transaction() == Some((tx, true));
        slot.discard_open_results(&self.driver.provider).await?;
        slot.end(tx)?;
        let Some(conn) = slot.conn() else {
            if !commit && ended_by_failure {
                return Ok(());
            }
            return Err(Error::TransactionClosed("its connection was lost"));
        };
        // A failed transaction cannot be committed: it is rolled back (the
        // server ended it already, so nothing goes over the wire) and the
        // commit is refused.
        let outcome = if commit && !failed {
            conn.commit().await.map(Some)
        } else {
            conn.rollback().await.map(|()| None)
        };
        let r = match outcome {
            Ok(Some(success)) => {
                if let Some(b) = success.bookmark() {
                    self.session.transaction_ended(b).await;
                }
                Ok(())
            }
            Ok(None) => Ok(()),
            // The server failed the transaction and then hung up (as a
            // server does after some security errors): the connection was
            // already in its failed state, so its loss says nothing about
            // the server's availability, and routing keeps the server (as
            // the official drivers do).
            Err(e) if ended_by_failure && e.is_connection_error() => Err(Error::from(e)),
            Err(e) => {
                let handled = slot.report_error(&self.driver.provider, &e).await;
                if commit && e.is_connection_error() {
                    Err(Error::IncompleteCommit(Arc::new(e)))
                } else {
                    Err(Error::from(e).security_handled(handled))
                }
            }
        };
        let r = match r {
            Ok(()) if commit && failed => Err(Error::TransactionClosed(TX_FAILED)),
            r => r,
        };
        if r.is_err() {
            // Whatever state the server is in, the pool resets it.
            slot.abandon_all();
        } else {
            slot.release_if_idle();
        }
        if !commit && ended_by_failure {
            return Ok(());
        }
        r
    }

    /// Gives the connection back without ending the transaction on the
    /// server; the pool's reset rolls it back. Never blocks.
    fn abandon(&mut self) {
        let Some(tx) = self.tx.take() else {
            return;
        };
        match self.slot.try_lock() {
            Ok(mut slot) => {
                if slot.owns(tx) {
                    slot.abandon_all();
                    tracing::debug!(target: "boltline", "open transaction dropped; its connection is reset by the pool");
                }
            }
            // The slot is busy (a result of this transaction is being read
            // elsewhere): the session sees the abandoned id on its next use
            // and does the same.
            Err(_) => self.session.abandon(tx),
        }
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        self.abandon();
    }
}

/// The transaction a managed-transaction function receives
/// ([`Session::execute_read`](crate::Session::execute_read),
/// [`Session::execute_write`](crate::Session::execute_write)): it can only
/// run queries; the driver commits, rolls back and retries.
///
/// The lifetime is a scope marker for the boxed-closure APIs
/// ([`Session::execute_read_boxed`](crate::Session::execute_read_boxed)):
/// it lets the boxed future borrow what the closure captures. Write the
/// type without it (`&mut ManagedTransaction`).
#[derive(Debug)]
pub struct ManagedTransaction<'scope> {
    pub(crate) tx: Transaction,
    pub(crate) scope: PhantomData<&'scope ()>,
}

impl ManagedTransaction<'_> {
    pub(crate) fn new(tx: Transaction) -> Self {
        ManagedTransaction {
            tx,
            scope: PhantomData,
        }
    }

    /// Runs a query in the transaction.
    pub async fn run(&mut self, query: impl Into<Query>) -> Result<QueryResult> {
        self.tx.run_as(query.into(), false).await
    }
}
