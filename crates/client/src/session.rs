//! Sessions: causally chained sequences of transactions.

use std::sync::Arc;

use boltline_bolt::{AccessMode, Query, TelemetryApi, TxOptions};

use crate::bookmarks::Bookmarks;
use crate::driver_context::{AcquireRequest, DriverInner, Lease, Provider};
use crate::error::{Error, Result};
use crate::result::QueryResult;
use crate::session_config::SessionConfig;
use crate::session_state::{ResultMeta, SessionShared, Slot, SlotRef};
use crate::summary::ServerInfo;
use crate::telemetry::{Observed, Operation};
use crate::transaction::{Transaction, TransactionConfig};
use boltline_pool::sync::lock;
use tracing::Instrument;

/// A sequence of transactions, each seeing the work of the ones before
/// (through bookmarks, even on a cluster). Cheap to create; not for
/// concurrent use (methods take `&mut self`): use one session per task.
///
/// Open with [`Driver::session`](crate::Driver::session); close with
/// [`close`](Session::close) (dropping it is fine too: its connection goes
/// back to the pool, which resets it if needed).
#[derive(Debug)]
pub struct Session {
    driver: Arc<DriverInner>,
    config: SessionConfig,
    slot: SlotRef,
    shared: Arc<SessionShared>,
    /// The home database, once routing resolved it: later transactions of
    /// the session stay on it.
    resolved_db: Option<String>,
    closed: bool,
}

impl Session {
    pub(crate) fn new(driver: Arc<DriverInner>, config: SessionConfig) -> Session {
        let shared = Arc::new(SessionShared::new(
            config.bookmarks.clone(),
            config.bookmark_manager.clone(),
        ));
        Session {
            driver,
            config,
            slot: SlotRef::default(),
            shared,
            resolved_db: None,
            closed: false,
        }
    }

    /// Runs a query in an auto-commit transaction (the session's default
    /// access mode). Records are fetched lazily as the result is read.
    ///
    /// An unread result of the session is read into memory first, so it
    /// stays readable.
    pub async fn run(&mut self, query: impl Into<Query>) -> Result<QueryResult> {
        self.run_with(query, TransactionConfig::default()).await
    }

    /// [`run`](Session::run) with a timeout and metadata.
    pub async fn run_with(
        &mut self,
        query: impl Into<Query>,
        tx_config: TransactionConfig,
    ) -> Result<QueryResult> {
        let query: Query = query.into();
        let observed = Observed::start(Operation::Run, self.database_hint());
        observed.query_text(self.driver.config.query_text_in_traces, query.text());
        let r = self
            .run_observed(query, tx_config)
            .instrument(observed.span.clone())
            .await;
        observed.finish(&r);
        r
    }

    /// [`run_with`](Session::run_with) inside its span.
    async fn run_observed(
        &mut self,
        query: impl Into<Query>,
        tx_config: TransactionConfig,
    ) -> Result<QueryResult> {
        let mut query: Query = query.into();
        if let (None, Some(n)) = (query.fetch_size(), self.config.fetch_size) {
            query = query.with_fetch_size(n.wire());
        }
        let slot_ref = self.slot.clone();
        let mut slot = slot_ref.lock().await;
        self.prepare(&mut slot).await?;
        let mode = self.config.access_mode;
        let options = self.acquire(&mut slot, mode, &tx_config).await?;
        let Some(conn) = slot.conn() else {
            return Err(Error::SessionClosed);
        };
        if !self.driver.config.telemetry_disabled {
            // Best effort: sent only if the server asked for it.
            let _ = conn.telemetry(TelemetryApi::ImplicitTransaction);
        }
        let server = server_info(conn);
        match conn.run(&query, &options).await {
            Ok(stream) => {
                if let (None, Some(db)) = (&options.db, stream.run_metadata().db()) {
                    // The server named the home database it used (Bolt
                    // 5.8): the session stays on it, and routing caches it.
                    self.resolved_db = Some(db.to_owned());
                    if let Some(lease) = slot.lease() {
                        self.driver.provider.home_database_seen(lease, db);
                    }
                }
                let keys: Arc<[String]> = Arc::from(stream.keys());
                let cell = slot.add_result(
                    stream,
                    ResultMeta {
                        query: query.text().to_owned(),
                        parameters: query.parameters().clone(),
                        server,
                        session: Some(self.shared.clone()),
                        warn_severity: self.driver.config.warn_notification_severity,
                    },
                );
                drop(slot);
                Ok(QueryResult::new(
                    cell,
                    self.slot.clone(),
                    self.driver.clone(),
                    keys,
                    None,
                ))
            }
            Err(e) => {
                let handled = slot.report_error(&self.driver.provider, &e).await;
                slot.abandon_all();
                Err(Error::from(e).security_handled(handled))
            }
        }
    }

    /// Begins an explicit transaction (the session's default access mode).
    pub async fn begin_transaction(&mut self) -> Result<Transaction> {
        self.begin_transaction_with(TransactionConfig::default())
            .await
    }

    /// [`begin_transaction`](Session::begin_transaction) with a timeout and
    /// metadata.
    pub async fn begin_transaction_with(
        &mut self,
        tx_config: TransactionConfig,
    ) -> Result<Transaction> {
        let mode = self.config.access_mode;
        self.begin(
            mode,
            &tx_config,
            Some(TelemetryApi::ExplicitTransaction),
            Begin::Eager,
        )
        .await
    }

    /// The driver's configuration.
    pub(crate) fn driver_config(&self) -> &crate::config::Config {
        &self.driver.config
    }

    /// The bookmarks of the session's last transaction (or the ones it was
    /// created with): pass them to another session to make it see this
    /// session's work.
    ///
    /// An auto-commit result still streaming is read to its end first (its
    /// records stay readable): its transaction's bookmark only comes with
    /// that end, so without this the answer could be older than the last
    /// query (the Python driver's `AsyncSession.last_bookmarks` consumes
    /// its auto-commit result first, too).
    pub async fn last_bookmarks(&self) -> Bookmarks {
        let mut slot = self.slot.lock().await;
        if slot.transaction().is_none() {
            // A failure is recorded in the result, which reports it when
            // read; the failed query has no bookmark, so the previous one
            // is the right answer here.
            let _ = slot.buffer_open_results(&self.driver.provider).await;
            slot.release_if_idle();
        }
        drop(slot);
        lock(&self.shared.bookmarks).clone()
    }

    /// Ends the session: an open result's remaining records are discarded
    /// (their summary still reports the bookmark), an open transaction is
    /// rolled back, and the connection goes back to the pool.
    pub async fn close(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let mut slot = self.slot.lock().await;
        let provider = &self.driver.provider;
        let r = match slot.transaction() {
            // A transaction whose handle still exists (even a failed one)
            // is rolled back; open results are discarded first.
            Some((tx, _)) if !self.shared.was_abandoned(tx) => {
                let _ = slot.discard_open_results(provider).await;
                match (slot.end(tx), slot.conn()) {
                    (Ok(()), Some(conn)) => conn.rollback().await.map_err(Error::from),
                    _ => Ok(()),
                }
            }
            _ => slot.discard_open_results(provider).await,
        };
        slot.close();
        r
    }

    /// Stops the session at once: its connection is closed (work in flight
    /// is abandoned, an open transaction dies with it) and the session can
    /// no longer be used. Never blocks.
    pub fn cancel(&mut self) {
        self.closed = true;
        if let Ok(mut slot) = self.slot.try_lock() {
            slot.cancel();
        }
        // If the slot is busy (a result is being read elsewhere), its
        // connection goes back to the pool when the last handle is dropped,
        // and the pool resets it.
    }

    /// Whether the session was closed or cancelled.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The database the session works on, when known: the configured one,
    /// or the home database once resolved.
    pub(crate) fn database_hint(&self) -> Option<&str> {
        self.config
            .database
            .as_deref()
            .or(self.resolved_db.as_deref())
    }

    pub(crate) async fn begin(
        &mut self,
        mode: AccessMode,
        tx_config: &TransactionConfig,
        telemetry: Option<TelemetryApi>,
        begin: Begin,
    ) -> Result<Transaction> {
        let observed = Observed::start(Operation::Begin, self.database_hint());
        let r = self
            .begin_observed(mode, tx_config, telemetry, begin)
            .instrument(observed.span.clone())
            .await;
        observed.finish(&r);
        r
    }

    /// [`begin`](Session::begin) inside its span.
    async fn begin_observed(
        &mut self,
        mode: AccessMode,
        tx_config: &TransactionConfig,
        telemetry: Option<TelemetryApi>,
        begin: Begin,
    ) -> Result<Transaction> {
        let slot_ref = self.slot.clone();
        let mut slot = slot_ref.lock().await;
        self.prepare(&mut slot).await?;
        let options = self.acquire(&mut slot, mode, tx_config).await?;
        let Some(conn) = slot.conn() else {
            return Err(Error::SessionClosed);
        };
        if let (false, Some(api)) = (self.driver.config.telemetry_disabled, telemetry) {
            let _ = conn.telemetry(api);
        }
        let begun = match begin {
            // BEGIN goes out with the first RUN (one round trip less); a
            // failing BEGIN is reported by that RUN.
            Begin::Pipelined => conn.begin_pipelined(&options).await,
            // The server's answer is awaited: a failing BEGIN is reported
            // here, before any work runs.
            Begin::Eager => conn.begin(&options).await.map(drop),
        };
        if let Err(e) = begun {
            let handled = slot.report_error(&self.driver.provider, &e).await;
            slot.abandon_all();
            return Err(Error::from(e).security_handled(handled));
        }
        // An eager BEGIN's answer: the database the server used (for a
        // pipelined one, the first RUN reports it).
        let begin_db = slot.conn().and_then(|c| c.take_begin_db());
        if let (None, Some(db)) = (&options.db, begin_db) {
            // The server named the home database it used (Bolt 5.8): the
            // session stays on it, and routing caches it.
            if let Some(lease) = slot.lease() {
                self.driver.provider.home_database_seen(lease, &db);
            }
            self.resolved_db = Some(db);
        }
        let Some(conn) = slot.conn() else {
            return Err(Error::SessionClosed);
        };
        let server = server_info(conn);
        let tx = slot.begin()?;
        Ok(Transaction {
            slot: self.slot.clone(),
            driver: self.driver.clone(),
            session: self.shared.clone(),
            server,
            fetch_size: self.config.fetch_size,
            tx: Some(tx),
            commit_queued: false,
        })
    }

    /// Makes the slot free for new work: fails if a live transaction is
    /// open, cleans up after a dropped one, buffers open results, returns
    /// the connection.
    async fn prepare(&mut self, slot: &mut Slot) -> Result<()> {
        if self.closed {
            return Err(Error::SessionClosed);
        }
        if self.driver.is_closed() {
            return Err(Error::DriverClosed);
        }
        slot.check_open()?;
        if let Some((tx, failed)) = slot.transaction() {
            if !failed && !self.shared.was_abandoned(tx) {
                return Err(Error::TransactionOpen);
            }
            // A transaction was dropped while the slot was busy, or the
            // server ended it with a failure: hand its connection back; the
            // pool's reset rolls it back.
            slot.abandon_all();
        }
        let r = slot.buffer_open_results(&self.driver.provider).await;
        slot.abandon_all();
        r
    }

    /// Acquires a connection into the slot; returns the options for
    /// `BEGIN`/`RUN`.
    async fn acquire(
        &mut self,
        slot: &mut Slot,
        mode: AccessMode,
        tx_config: &TransactionConfig,
    ) -> Result<TxOptions> {
        // A routing driver may send ROUTE while acquiring: it asks the
        // bookmark manager for that on its own, and again for BEGIN/RUN (as
        // the official drivers do: each request carries what the manager,
        // and its supplier, say at that moment).
        let route_bookmarks = match &self.driver.provider {
            Provider::Routing(_) => self.shared.bookmarks_for_routing().await.to_vec(),
            Provider::Direct(_) => Vec::new(),
        };
        let database = self
            .config
            .database
            .clone()
            .or_else(|| self.resolved_db.clone());
        let request = AcquireRequest {
            database: database.clone(),
            mode,
            bookmarks: route_bookmarks,
            imp_user: self.config.impersonated_user.clone(),
            auth: self.config.auth.clone(),
            force_auth: false,
        };
        let lease = self
            .driver
            .provider
            .acquire(&request, &self.driver.auth_manager)
            .await?;
        let auth_manager = match self.config.auth {
            Some(_) => None,
            None => Some(self.driver.auth_manager.clone()),
        };
        let bookmarks = self.shared.bookmarks_for_work().await;
        let namespace_known = database.is_some();
        let db = database.or_else(|| lease.resolved_database().map(str::to_owned));
        if self.resolved_db.is_none() && self.config.database.is_none() {
            self.resolved_db.clone_from(&db);
        }
        // The operation's span (run, begin) learns where the work goes
        // (and the database, unless it opened knowing it).
        let learned = if namespace_known { None } else { db.as_deref() };
        crate::telemetry::record_lease(&tracing::Span::current(), learned, &lease);
        let routing_database = lease.routing_database().to_owned();
        slot.leased(lease, routing_database, auth_manager)?;
        Ok(TxOptions {
            bookmarks: bookmarks.to_vec(),
            tx_timeout: tx_config.timeout,
            tx_metadata: tx_config.metadata.clone(),
            mode,
            db,
            imp_user: self.config.impersonated_user.clone(),
            notification_filter: self.config.notification_filter.clone(),
        })
    }
}

/// When a transaction's `BEGIN` is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Begin {
    /// Before `begin` returns (explicit and managed transactions, as
    /// testkit's `Optimization:EagerTransactionBegin` asks): a failing
    /// `BEGIN` is reported at once and no work runs.
    Eager,
    /// With the first `RUN` of the transaction (`execute_query`, whose
    /// one query is known up front): `BEGIN`+`RUN`+`PULL` in one write.
    Pipelined,
}

fn server_info(lease: &Lease) -> ServerInfo {
    ServerInfo {
        address: lease.address().clone(),
        agent: lease.server_info().agent.clone(),
        protocol_version: lease.version(),
    }
}
