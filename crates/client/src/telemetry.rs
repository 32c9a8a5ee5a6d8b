//! Observability: the driver's `tracing` spans (named and attributed after
//! the OpenTelemetry semantic conventions for database clients), the
//! notification warnings (`warn_notification_severity`) and, with the
//! `metrics` feature, the operation and retry metrics.
//!
//! Everything here is built so that it costs nothing worth measuring when
//! nobody listens: a span macro with no subscriber interested returns a
//! disabled span after one cached check of its call site, `record` on a
//! disabled span does nothing, no value is formatted unless a subscriber
//! asked for it, and nothing runs per record (spans cover requests, not
//! the records streamed after them). docs/OBSERVABILITY.md lists every
//! span, attribute and metric.
//!
//! Attributes not known when a span opens (the server, the Bolt version,
//! the database the server chose, the error) are declared `Empty` and
//! recorded once known, so subscribers see one fixed set of field names
//! per span.

use std::time::Instant;

use tracing::field::Empty;
use tracing::Span;

use boltline_bolt::AccessMode;

use crate::driver_context::Lease;
use crate::error::Error;
use crate::summary::{ResultSummary, ServerInfo, SeverityLevel};

/// The `tracing` target of notification warnings: filter on it to silence
/// or route them without touching the driver's other logs.
pub(crate) const NOTIFICATION_TARGET: &str = "boltline::notifications";

/// The value of `db.system.name` (OpenTelemetry's registered name).
pub(crate) const SYSTEM: &str = "neo4j";

/// A span for one driver operation with every attribute of the
/// conventions declared (those not known yet left `Empty`).
macro_rules! operation_span {
    ($name:literal, $op:expr) => {
        tracing::info_span!(
            target: "boltline",
            $name,
            otel.kind = "client",
            db.system.name = $crate::telemetry::SYSTEM,
            db.operation.name = $op,
            db.namespace = Empty,
            db.query.text = Empty,
            server.address = Empty,
            server.port = Empty,
            neo4j.bolt.version = Empty,
            db.response.status_code = Empty,
            error.type = Empty,
        )
    };
}

/// Which driver operation a span or a duration measures (the value of
/// `db.operation.name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `Driver::execute_query`.
    ExecuteQuery,
    /// A managed transaction (`Session::execute_read`/`execute_write`).
    ManagedTransaction,
    /// An auto-commit query (`Session::run`).
    Run,
    /// A query in an explicit or managed transaction.
    TransactionRun,
    /// Beginning a transaction.
    Begin,
    /// Committing.
    Commit,
    /// Rolling back.
    Rollback,
}

impl Operation {
    /// The name spans and metrics carry.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Operation::ExecuteQuery => "execute_query",
            Operation::ManagedTransaction => "managed_transaction",
            Operation::Run => "run",
            Operation::TransactionRun => "transaction.run",
            Operation::Begin => "begin",
            Operation::Commit => "commit",
            Operation::Rollback => "rollback",
        }
    }
}

/// One operation being observed: its span and, for the duration metric,
/// its start.
#[derive(Debug)]
pub(crate) struct Observed {
    pub(crate) span: Span,
    op: Operation,
    start: Option<Instant>,
}

impl Observed {
    /// Opens the span of `op`; `database` is the one asked for, if any.
    pub(crate) fn start(op: Operation, database: Option<&str>) -> Observed {
        let span = match op {
            Operation::ExecuteQuery => operation_span!("execute_query", op.name()),
            Operation::ManagedTransaction => operation_span!("managed_transaction", op.name()),
            Operation::Run => operation_span!("run", op.name()),
            Operation::TransactionRun => operation_span!("transaction.run", op.name()),
            Operation::Begin => operation_span!("begin", op.name()),
            Operation::Commit => operation_span!("commit", op.name()),
            Operation::Rollback => operation_span!("rollback", op.name()),
        };
        if let Some(db) = database {
            span.record("db.namespace", db);
        }
        Observed {
            span,
            op,
            start: metrics_start(),
        }
    }

    /// Records the query text on the span, when the user opted in
    /// ([`ConfigBuilder::with_query_text_in_traces`](crate::ConfigBuilder::with_query_text_in_traces)).
    /// Parameters are never recorded.
    pub(crate) fn query_text(&self, opted_in: bool, text: &str) {
        if opted_in {
            self.span.record("db.query.text", text);
        }
    }

    /// Records where the work went.
    pub(crate) fn server(&self, server: &ServerInfo) {
        record_server(&self.span, server);
    }

    /// Records the outcome on the span and, with the `metrics` feature,
    /// the operation's duration.
    pub(crate) fn finish<T>(self, outcome: &Result<T, Error>) {
        let error = outcome.as_ref().err();
        if let Some(e) = error {
            record_error(&self.span, e);
        }
        metrics_operation(self.op, self.start, error);
    }
}

/// Records the server, port and Bolt version on `span`.
pub(crate) fn record_server(span: &Span, server: &ServerInfo) {
    if span.is_disabled() {
        return;
    }
    span.record("server.address", server.address().host());
    span.record("server.port", i64::from(server.address().port()));
    span.record(
        "neo4j.bolt.version",
        tracing::field::display(server.protocol_version()),
    );
}

/// Records an error's type and GQL status on `span`.
pub(crate) fn record_error(span: &Span, e: &Error) {
    if span.is_disabled() {
        return;
    }
    span.record("error.type", error_type(e));
    if let Some(status) = e.gql_status() {
        span.record("db.response.status_code", status);
    }
}

/// The span of a connection acquisition (from the pool, or through
/// routing: a `route` span may open below it).
pub(crate) fn acquire_span(database: Option<&str>, mode: AccessMode) -> Span {
    let span = tracing::info_span!(
        target: "boltline",
        "acquire",
        db.system.name = SYSTEM,
        db.namespace = Empty,
        neo4j.access_mode = if mode == AccessMode::Read { "read" } else { "write" },
        server.address = Empty,
        server.port = Empty,
        neo4j.bolt.version = Empty,
        error.type = Empty,
    );
    if let Some(db) = database {
        span.record("db.namespace", db);
    }
    span
}

/// Records the acquisition's outcome: the server lent from, or the error.
pub(crate) fn acquired(span: &Span, outcome: &Result<Lease, Error>) {
    if span.is_disabled() {
        return;
    }
    match outcome {
        Ok(lease) => record_lease(span, None, lease),
        Err(e) => record_error(span, e),
    }
}

/// Records the lent connection's server and Bolt version, and the
/// database, on `span` (nothing is built when no one listens).
pub(crate) fn record_lease(span: &Span, database: Option<&str>, lease: &Lease) {
    if span.is_disabled() {
        return;
    }
    if let Some(db) = database {
        span.record("db.namespace", db);
    }
    span.record("server.address", lease.address().host());
    span.record("server.port", i64::from(lease.address().port()));
    span.record(
        "neo4j.bolt.version",
        tracing::field::display(lease.version()),
    );
}

/// The span of one attempt of a managed transaction (`attempt` counts
/// from 1), a child of the managed transaction's or `execute_query`'s span.
pub(crate) fn attempt_span(attempt: u32) -> Span {
    tracing::info_span!(
        target: "boltline",
        "attempt",
        neo4j.retry.attempt = attempt,
        server.address = Empty,
        server.port = Empty,
        neo4j.bolt.version = Empty,
        db.response.status_code = Empty,
        error.type = Empty,
        neo4j.retry.delay_ms = Empty,
    )
}

/// After an attempt that will be retried: the cause and the delay, on the
/// attempt's span; with the `metrics` feature, a retry counted by cause.
pub(crate) fn retrying(span: &Span, error: &Error, delay: std::time::Duration) {
    record_error(span, error);
    span.record(
        "neo4j.retry.delay_ms",
        u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
    );
    metrics_retry(error);
}

/// What `error.type` says for an error: the Neo4j status code for a server
/// failure (`Neo.ClientError.Statement.SyntaxError`), else the driver's
/// error variant; `_OTHER` (the conventions' fallback) for the rest.
pub(crate) fn error_type(e: &Error) -> &str {
    if let Some(code) = e.code() {
        return code;
    }
    match e.last_attempt() {
        Error::ConnectionLost(_) => "ConnectionLost",
        Error::ServiceUnavailable(_) => "ServiceUnavailable",
        Error::Routing(_) => "Routing",
        Error::Bolt(_) => "Bolt",
        Error::Decode(_) => "Decode",
        Error::IncompleteCommit(_) => "IncompleteCommit",
        Error::InvalidUri { .. } | Error::InvalidConfig(_) => "InvalidConfig",
        Error::ResultConsumed
        | Error::ResultNotSingle { .. }
        | Error::NoSuchColumn { .. }
        | Error::SessionClosed
        | Error::TransactionClosed(_)
        | Error::TransactionOpen
        | Error::DriverClosed => "ClientMisuse",
        Error::User(_) => "User",
        _ => "_OTHER",
    }
}

/// Logs a result's notifications at or above `min` as `tracing` warnings
/// (target `boltline::notifications`), with the GQL status, the Neo4j code,
/// the classification and the position; never the query's parameters, and
/// not its text (which can hold data too).
pub(crate) fn warn_notifications(summary: &ResultSummary, min: SeverityLevel) {
    let rank = |s: SeverityLevel| match s {
        SeverityLevel::Warning => 2,
        SeverityLevel::Information => 1,
        _ => 0,
    };
    let floor = rank(min);
    for n in summary.notifications() {
        if rank(n.severity_level()) < floor {
            continue;
        }
        let gql = summary
            .gql_status_objects()
            .iter()
            .find(|g| g.is_notification() && g.status_description() == n.description())
            .map(|g| g.gql_status());
        let position = n.position();
        tracing::warn!(
            target: NOTIFICATION_TARGET,
            gql_status = gql.unwrap_or(""),
            code = n.code(),
            severity = n.severity_level().as_str(),
            classification = n.category().as_str(),
            offset = position.map(|p| p.offset()),
            line = position.map(|p| p.line()),
            column = position.map(|p| p.column()),
            "{}: {}",
            n.title(),
            n.description()
        );
    }
}

#[cfg(feature = "metrics")]
fn metrics_start() -> Option<Instant> {
    Some(Instant::now())
}

#[cfg(not(feature = "metrics"))]
fn metrics_start() -> Option<Instant> {
    None
}

/// `db.client.operation.duration` (seconds), by operation and error type.
#[cfg(feature = "metrics")]
fn metrics_operation(op: Operation, start: Option<Instant>, error: Option<&Error>) {
    let Some(start) = start else { return };
    let secs = start.elapsed().as_secs_f64();
    match error {
        None => metrics::histogram!(
            "db.client.operation.duration",
            "db.system.name" => SYSTEM,
            "db.operation.name" => op.name(),
        )
        .record(secs),
        Some(e) => metrics::histogram!(
            "db.client.operation.duration",
            "db.system.name" => SYSTEM,
            "db.operation.name" => op.name(),
            "error.type" => error_type(e).to_owned(),
        )
        .record(secs),
    }
}

#[cfg(not(feature = "metrics"))]
fn metrics_operation(_op: Operation, _start: Option<Instant>, _error: Option<&Error>) {}

/// `neo4j.client.retries`, by cause (`error.type`).
#[cfg(feature = "metrics")]
fn metrics_retry(error: &Error) {
    metrics::counter!(
        "neo4j.client.retries",
        "db.system.name" => SYSTEM,
        "error.type" => error_type(error).to_owned(),
    )
    .increment(1);
}

#[cfg(not(feature = "metrics"))]
fn metrics_retry(_error: &Error) {}

#[cfg(test)]
mod tests {
    use super::*;
    use boltline_bolt::ServerError;

    #[test]
    fn error_types_follow_the_conventions() {
        let syntax = Error::from(ServerError::new(
            "Neo.ClientError.Statement.SyntaxError",
            "x",
        ));
        assert_eq!(error_type(&syntax), "Neo.ClientError.Statement.SyntaxError");
        let lost = Error::from(boltline_bolt::Error::ConnectionClosed { during: "PULL" });
        assert_eq!(error_type(&lost), "ConnectionLost");
        assert_eq!(error_type(&Error::SessionClosed), "ClientMisuse");
        let exhausted = Error::RetriesExhausted {
            attempts: 3,
            last: Box::new(lost),
        };
        assert_eq!(error_type(&exhausted), "ConnectionLost");
    }

    #[test]
    fn operation_names_are_distinct() {
        let all = [
            Operation::ExecuteQuery,
            Operation::ManagedTransaction,
            Operation::Run,
            Operation::TransactionRun,
            Operation::Begin,
            Operation::Commit,
            Operation::Rollback,
        ];
        let mut names: Vec<_> = all.iter().map(|o| o.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }
}
