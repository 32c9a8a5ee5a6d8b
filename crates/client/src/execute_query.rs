//! `Driver::execute_query`: one query, retried, all records in memory.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use boltline_bolt::{AccessMode, AuthToken, Query, TelemetryApi};

use crate::bookmarks::BookmarkManager;
use crate::driver_context::DriverInner;
use crate::error::Result;
use crate::managed::managed_loop;
use crate::result::{EagerResult, QueryResult};
use crate::session::{Begin, Session};
use crate::session_config::SessionConfig;
use crate::transaction::TransactionConfig;

/// A query prepared by [`Driver::execute_query`]; configure it, then
/// [`run`](ExecuteQuery::run) it.
#[derive(Debug)]
#[must_use = "the query runs only when run() is awaited"]
pub struct ExecuteQuery<'d> {
    driver: Arc<DriverInner>,
    /// Borrows the driver, as `Driver::execute_query` promises.
    scope: PhantomData<&'d ()>,
    query: Query,
    routing: AccessMode,
    database: Option<String>,
    impersonated_user: Option<String>,
    auth: Option<AuthToken>,
    bookmark_manager: Option<Arc<dyn BookmarkManager>>,
    tx_config: TransactionConfig,
}

impl<'d> ExecuteQuery<'d> {
    pub(crate) fn new(driver: Arc<DriverInner>, query: Query) -> Self {
        let bookmark_manager: Arc<dyn BookmarkManager> = driver.query_bookmark_manager.clone();
        ExecuteQuery {
            driver,
            scope: PhantomData,
            query,
            routing: AccessMode::Write,
            database: None,
            impersonated_user: None,
            auth: None,
            bookmark_manager: Some(bookmark_manager),
            tx_config: TransactionConfig::default(),
        }
    }

    /// Sets a parameter.
    pub fn param(
        mut self,
        name: impl Into<String>,
        value: impl Into<boltline_bolt::Value>,
    ) -> Self {
        self.query = self.query.param(name, value);
        self
    }

    /// Where the query goes on a cluster: [`AccessMode::Write`] to the
    /// leader (default), [`AccessMode::Read`] to a follower or read
    /// replica (the same setting as a session's access mode).
    pub fn with_routing(mut self, routing: AccessMode) -> Self {
        self.routing = routing;
        self
    }

    /// The database (default: the user's home database).
    pub fn with_database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// Runs it as another user.
    pub fn with_impersonated_user(mut self, user: impl Into<String>) -> Self {
        self.impersonated_user = Some(user.into());
        self
    }

    /// Runs it with other credentials than the driver's.
    pub fn with_auth(mut self, auth: AuthToken) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The bookmark manager to chain it with (default: the driver's
    /// [query bookmark manager](Driver::query_bookmark_manager)); `None`
    /// for no causal chaining.
    pub fn with_bookmark_manager(mut self, manager: Option<Arc<dyn BookmarkManager>>) -> Self {
        self.bookmark_manager = manager;
        self
    }

    /// A timeout and metadata for the transaction.
    pub fn with_transaction_config(mut self, config: TransactionConfig) -> Self {
        self.tx_config = config;
        self
    }

    /// Runs the query and collects every record.
    ///
    /// On a warm driver this is `BEGIN`+`RUN`+`PULL` in one write and
    /// `COMMIT` in a second; when every record is fetched at once (fetch
    /// size [`FetchSize::All`](crate::FetchSize::All) on the driver or the
    /// query), `COMMIT` goes in the same write: one round trip.
    pub async fn run(self) -> Result<EagerResult> {
        let transformer = |mut r: QueryResult| async move { r.to_eager_result().await };
        Box::pin(self.run_inner(transformer, true)).await
    }

    /// Runs the query and hands its result to `transformer` inside the
    /// transaction (which is retried, transformer included, on transient
    /// failures), e.g. to collect typed rows or keep only the summary.
    pub async fn run_with<T, F, Fut>(self, transformer: F) -> Result<T>
    where
        F: FnMut(QueryResult) -> Fut + Send,
        Fut: Future<Output = Result<T>> + Send,
        T: Send,
    {
        // Boxed: the retry loop's state (a session, a transaction, a
        // result) is large, and a caller's future should not carry it
        // inline (debug builds move futures around on the stack).
        Box::pin(self.run_inner(transformer, false)).await
    }

    /// `commit_early`: the transformer reads the whole result and cannot
    /// fail unless the query did, so `COMMIT` may be queued right behind
    /// the query (see [`Transaction::run_then_commit`]).
    async fn run_inner<T, F, Fut>(self, mut transformer: F, commit_early: bool) -> Result<T>
    where
        F: FnMut(QueryResult) -> Fut + Send,
        Fut: Future<Output = Result<T>> + Send,
        T: Send,
    {
        let mut config = SessionConfig::new();
        config.database = self.database;
        config.impersonated_user = self.impersonated_user;
        config.auth = self.auth;
        config.bookmark_manager = self.bookmark_manager;
        let mut session = Session::new(self.driver, config);
        let mode = self.routing;
        let query = self.query;
        let r = managed_loop!(
            session,
            mode,
            &self.tx_config,
            TelemetryApi::ExecuteQuery,
            Begin::Pipelined,
            |tx| {
                let run = if commit_early {
                    tx.tx.run_then_commit(query.clone()).await
                } else {
                    tx.run(query.clone()).await
                };
                match run {
                    // Reading the records may meet a lost connection after
                    // the queued COMMIT went out: outcome unknown.
                    Ok(result) => transformer(result)
                        .await
                        .map_err(|e| tx.tx.unknown_if_committing(e)),
                    Err(e) => Err(e),
                }
            }
        );
        let closed = session.close().await;
        let v = r?;
        closed?;
        Ok(v)
    }
}
