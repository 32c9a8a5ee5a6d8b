//! Observability of routing: a `route` span per `ROUTE` request (a child of
//! whatever acquisition needed the table) and, with the `metrics` feature,
//! a count of routing-table refreshes. Names follow the OpenTelemetry
//! database-client conventions (docs/OBSERVABILITY.md at the workspace
//! root lists them).

use tracing::field::Empty;
use tracing::Span;

use boltline_bolt::Address;

use crate::{DiscoveryFailure, RoutingError};

/// The span of one `ROUTE` to `address` for `database` (`None`: the home
/// database).
pub(crate) fn route_span(address: &Address, database: Option<&str>) -> Span {
    let span = tracing::info_span!(
        target: "boltline_routing",
        "route",
        otel.kind = "client",
        db.system.name = "neo4j",
        db.operation.name = "route",
        db.namespace = Empty,
        server.address = address.host(),
        server.port = i64::from(address.port()),
        db.response.status_code = Empty,
        error.type = Empty,
    );
    if let Some(db) = database {
        span.record("db.namespace", db);
    }
    span
}

/// Records the outcome of a `ROUTE`: nothing when it gave a table, else
/// the failure's kind (and the server's GQL status, when it sent one).
pub(crate) fn route_outcome<T>(
    span: &Span,
    outcome: &Result<Result<T, DiscoveryFailure>, RoutingError>,
) {
    if span.is_disabled() {
        return;
    }
    let (kind, gql) = match outcome {
        Ok(Ok(_)) => return,
        Ok(Err(f)) => (failure_type(f), None),
        Err(
            RoutingError::DatabaseNotFound { source, .. }
            | RoutingError::DiscoveryRefused { source, .. },
        ) => (source.code.as_str(), Some(source.gql_status.as_str())),
        Err(_) => ("Routing", None),
    };
    span.record("error.type", kind);
    if let Some(gql) = gql {
        span.record("db.response.status_code", gql);
    }
}

/// `error.type` for a router that gave no table.
fn failure_type(f: &DiscoveryFailure) -> &str {
    match f {
        DiscoveryFailure::Resolve(_) => "Resolve",
        DiscoveryFailure::Connect(_) => "Connect",
        DiscoveryFailure::Route(boltline_bolt::Error::Server(se)) => se.code.as_str(),
        DiscoveryFailure::Route(_) => "Route",
        DiscoveryFailure::InvalidTable(_) => "InvalidTable",
        DiscoveryFailure::NoRouters => "NoRouters",
        DiscoveryFailure::NoReaders => "NoReaders",
        #[allow(unreachable_patterns)]
        _ => "_OTHER",
    }
}

/// `neo4j.client.routing.refreshes`: one per routing-table refresh, by
/// database and outcome (`success`, `failure`).
#[cfg(feature = "metrics")]
pub(crate) fn refreshed(database: Option<&str>, ok: bool) {
    metrics::counter!(
        "neo4j.client.routing.refreshes",
        "db.system.name" => "neo4j",
        "db.namespace" => database.unwrap_or("").to_owned(),
        "outcome" => if ok { "success" } else { "failure" },
    )
    .increment(1);
}

/// Without the `metrics` feature: nothing.
#[cfg(not(feature = "metrics"))]
pub(crate) fn refreshed(_database: Option<&str>, _ok: bool) {}
