//! Managed transactions: the one retry loop behind
//! [`Session::execute_read`], [`Session::execute_write`], their boxed forms
//! and [`Driver::execute_query`](crate::Driver::execute_query).
//!
//! Each attempt begins a transaction, runs the work, commits (or rolls back
//! after failed work); the [`RetryPolicy`] decides whether and when to run
//! it again. A retry whose delay would end after the budget
//! (`max_transaction_retry_time`) is not made, and a retryable error that
//! ends the retries is returned as [`Error::RetriesExhausted`] with the
//! attempt count.

use futures_util::future::BoxFuture;

use boltline_bolt::{AccessMode, TelemetryApi};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::retry::{random_unit, RetryPolicy};
use crate::session::{Begin, Session};
use crate::telemetry::{self, Operation};
use crate::transaction::{ManagedTransaction, TransactionConfig};

/// The retry loop: runs `$work` (a block using `$tx`, a
/// `&mut ManagedTransaction`) in transactions of `$session` until it
/// succeeds, fails with an error that is not retried, or the budget runs
/// out; evaluates to the outcome. `$api` tells the server (telemetry) which
/// driver API ran it; `$begin` says when `BEGIN` is answered.
///
/// A macro rather than a generic function so the work's future is awaited
/// inline: a caller's future stays `Send` whenever the work's is, without
/// higher-ranked bounds on it (which the compiler cannot yet prove for
/// futures borrowing the transaction). The decisions live in [`Retries`].
macro_rules! managed_loop {
    ($session:expr, $mode:expr, $tx_config:expr, $api:expr, $begin:expr, |$tx:ident| $work:block) => {
        $crate::managed::managed_loop!(
            $session,
            $mode,
            $tx_config,
            $api,
            $begin,
            None::<&str>,
            |$tx| $work
        )
    };
    ($session:expr, $mode:expr, $tx_config:expr, $api:expr, $begin:expr, $query_text:expr, |$tx:ident| $work:block) => {{
        // Spans: one for the whole managed transaction (or execute_query),
        // a child per attempt, the operations of the attempt below it.
        let observed = $crate::telemetry::Observed::start(
            $crate::managed::operation_of($api),
            $session.database_hint(),
        );
        // Recorded once, after the loop: exporters keep every value a
        // field is given, so per-attempt values go on the attempt spans.
        let namespace_known = $session.database_hint().is_some();
        let mut last_server: Option<$crate::ServerInfo> = None;
        if let Some(text) = $query_text {
            observed.query_text($session.driver_config().query_text_in_traces, text);
        }
        let r = tracing::Instrument::instrument(
            async {
                let mut retries = $crate::managed::Retries::new($session.driver_config(), $api);
                loop {
                    let attempt_span = $crate::telemetry::attempt_span(retries.attempts() + 1);
                    let attempt = tracing::Instrument::instrument(
                        async {
                            match $session
                                .begin($mode, $tx_config, retries.telemetry(), $begin)
                                .await
                            {
                                Ok(tx) => {
                                    if !observed.span.is_disabled() {
                                        last_server = Some(tx.server.clone());
                                    }
                                    $crate::telemetry::record_server(
                                        &tracing::Span::current(),
                                        &tx.server,
                                    );
                                    let mut managed =
                                        $crate::transaction::ManagedTransaction::new(tx);
                                    let r = {
                                        let $tx = &mut managed;
                                        $work
                                    };
                                    $crate::managed::finish(managed, r).await
                                }
                                Err(e) => Err(e),
                            }
                        },
                        attempt_span.clone(),
                    )
                    .await;
                    if let Some(outcome) = retries.after(attempt, &attempt_span).await {
                        break outcome;
                    }
                }
            },
            observed.span.clone(),
        )
        .await;
        if let (false, Some(db)) = (namespace_known, $session.database_hint()) {
            observed.span.record("db.namespace", db);
        }
        if let Some(server) = &last_server {
            observed.server(server);
        }
        observed.finish(&r);
        r
    }};
}
pub(crate) use managed_loop;

/// The state of one managed transaction's retries: the attempts made, the
/// time since the first, whether telemetry still has to be sent.
#[derive(Debug)]
pub(crate) struct Retries {
    policy: RetryPolicy,
    start: tokio::time::Instant,
    attempts: u32,
    telemetry: Option<TelemetryApi>,
}

impl Retries {
    /// Before the first attempt, under the driver's retry budget.
    pub(crate) fn new(config: &Config, api: TelemetryApi) -> Self {
        Retries {
            policy: RetryPolicy::new(config.max_transaction_retry_time),
            start: tokio::time::Instant::now(),
            attempts: 0,
            telemetry: Some(api),
        }
    }

    /// The attempts made so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The telemetry to send with the next attempt's `BEGIN`, if any.
    pub(crate) fn telemetry(&self) -> Option<TelemetryApi> {
        self.telemetry
    }

    /// After an attempt (observed by `span`): `Some(outcome)` to return
    /// it; `None` after sleeping the delay before the next attempt.
    pub(crate) async fn after<T>(
        &mut self,
        attempt: Result<T>,
        span: &tracing::Span,
    ) -> Option<Result<T>> {
        self.attempts += 1;
        if telemetry_answered(&attempt) {
            self.telemetry = None;
        }
        let error = match attempt {
            Ok(v) => return Some(Ok(v)),
            Err(e) => e,
        };
        let elapsed = self.start.elapsed();
        match self
            .policy
            .next_delay(&error, self.attempts - 1, elapsed, random_unit())
        {
            Some(delay) => {
                telemetry::retrying(span, &error, delay);
                tracing::info!(
                    target: "boltline",
                    error = %error,
                    retry = self.attempts,
                    ?delay,
                    "managed transaction failed; retrying"
                );
                tokio::time::sleep(delay).await;
                None
            }
            None if error.is_retryable() && self.attempts > 1 => {
                telemetry::record_error(span, &error);
                Some(Err(Error::RetriesExhausted {
                    attempts: self.attempts,
                    last: Box::new(error),
                }))
            }
            None => {
                telemetry::record_error(span, &error);
                Some(Err(error))
            }
        }
    }
}

/// The operation a managed transaction started through `api` is observed
/// as.
pub(crate) fn operation_of(api: TelemetryApi) -> Operation {
    match api {
        TelemetryApi::ExecuteQuery => Operation::ExecuteQuery,
        _ => Operation::ManagedTransaction,
    }
}

impl Session {
    /// Runs `work` in a read transaction, committing if it succeeds and
    /// retrying it on transient failures, lost connections and cluster
    /// role changes (with growing, jittered delays, within the driver's
    /// `max_transaction_retry_time`). `work` may run more than once: it
    /// should only touch the database through the transaction.
    ///
    /// ```no_run
    /// # async fn demo(session: &mut boltline::Session) -> boltline::Result<()> {
    /// let names: Vec<String> = session
    ///     .execute_read(async |tx: &mut boltline::ManagedTransaction| {
    ///         let mut result = tx.run("MATCH (p:Person) RETURN p.name AS name").await?;
    ///         result.collect().await
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// The future is `Send` only when the closure captures nothing by
    /// reference (a limitation of today's compiler with async closures);
    /// inside `tokio::spawn` or a web handler, use
    /// [`execute_read_boxed`](Session::execute_read_boxed).
    pub async fn execute_read<T, F>(&mut self, work: F) -> Result<T>
    where
        F: AsyncFnMut(&mut ManagedTransaction<'_>) -> Result<T>,
    {
        self.execute(AccessMode::Read, TransactionConfig::default(), work)
            .await
    }

    /// Like [`execute_read`](Session::execute_read), in a write transaction.
    pub async fn execute_write<T, F>(&mut self, work: F) -> Result<T>
    where
        F: AsyncFnMut(&mut ManagedTransaction<'_>) -> Result<T>,
    {
        self.execute(AccessMode::Write, TransactionConfig::default(), work)
            .await
    }

    /// A managed transaction with an explicit access mode and
    /// configuration (timeout, metadata).
    pub async fn execute<T, F>(
        &mut self,
        mode: AccessMode,
        tx_config: TransactionConfig,
        mut work: F,
    ) -> Result<T>
    where
        F: AsyncFnMut(&mut ManagedTransaction<'_>) -> Result<T>,
    {
        managed_loop!(
            self,
            mode,
            &tx_config,
            TelemetryApi::ManagedTransaction,
            Begin::Eager,
            |tx| { work(tx).await }
        )
    }

    /// [`execute_read`](Session::execute_read) for closures returning a
    /// boxed future: the resulting future is `Send` whatever the closure
    /// borrows, so it works in `tokio::spawn` and web handlers.
    ///
    /// ```no_run
    /// # async fn demo(mut session: boltline::Session, name: String) -> boltline::Result<()> {
    /// tokio::spawn(async move {
    ///     session
    ///         .execute_read_boxed(|tx| {
    ///             Box::pin(async {
    ///                 let query = boltline::Query::new("MATCH (p {name: $n}) RETURN p")
    ///                     .param("n", name.as_str());
    ///                 tx.run(query).await?.collect_records().await
    ///             })
    ///         })
    ///         .await
    /// });
    /// # Ok(()) }
    /// ```
    pub async fn execute_read_boxed<'s, T, F>(&mut self, work: F) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut ManagedTransaction<'s>) -> BoxFuture<'t, Result<T>>,
    {
        self.execute_boxed(
            AccessMode::Read,
            TransactionConfig::default(),
            TelemetryApi::ManagedTransaction,
            work,
        )
        .await
    }

    /// [`execute_write`](Session::execute_write) for closures returning a
    /// boxed future (see [`execute_read_boxed`](Session::execute_read_boxed)).
    pub async fn execute_write_boxed<'s, T, F>(&mut self, work: F) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut ManagedTransaction<'s>) -> BoxFuture<'t, Result<T>>,
    {
        self.execute_boxed(
            AccessMode::Write,
            TransactionConfig::default(),
            TelemetryApi::ManagedTransaction,
            work,
        )
        .await
    }

    /// The retry loop for boxed work; the telemetry API tells the server
    /// which driver API ran it.
    pub(crate) async fn execute_boxed<'s, T, F>(
        &mut self,
        mode: AccessMode,
        tx_config: TransactionConfig,
        api: TelemetryApi,
        mut work: F,
    ) -> Result<T>
    where
        F: for<'t> FnMut(&'t mut ManagedTransaction<'s>) -> BoxFuture<'t, Result<T>>,
    {
        managed_loop!(self, mode, &tx_config, api, Begin::Eager, |tx| {
            work(tx).await
        })
    }
}

/// Commits after successful work; rolls back after failed work (whose
/// error is what counts: the rollback's own failure, often the same cause,
/// is dropped).
pub(crate) async fn finish<T>(managed: ManagedTransaction<'_>, r: Result<T>) -> Result<T> {
    match r {
        Ok(v) => managed.tx.commit_managed().await.map(|()| v),
        Err(e) => {
            let _ = managed.tx.rollback().await;
            Err(e)
        }
    }
}

/// Whether the server answered the `TELEMETRY` sent before an attempt of a
/// managed transaction, so retries need not send it again (as testkit and
/// the official drivers expect). Responses come in order, and TELEMETRY
/// goes out ahead of BEGIN: a successful attempt or a server `FAILURE`
/// (to BEGIN, a query or COMMIT) means it was answered. A lost connection
/// or an acquisition failure leaves that unknown, and it is sent again.
fn telemetry_answered<T>(attempt: &Result<T>) -> bool {
    matches!(attempt, Ok(_) | Err(Error::Server { .. }))
}
