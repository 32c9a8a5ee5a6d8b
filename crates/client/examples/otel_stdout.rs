//! The driver's spans exported with OpenTelemetry: a `tracing` subscriber
//! with the tracing-opentelemetry layer, writing each finished span to
//! stdout (swap the stdout exporter for an OTLP one to send them to a
//! collector). Runs an `execute_query`, a managed transaction and a failing
//! query, so the output shows the span tree, the database-client
//! attributes and an `error.type`.
//!
//! `cargo run -p boltline --features opentelemetry --example otel_stdout`
//! (see `common/mod.rs` for the server it connects to).

mod common;

use boltline::{ManagedTransaction, Query, SessionConfig};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    let tracer = provider.tracer("otel_stdout example");
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
    tracing::subscriber::set_global_default(subscriber)?;

    let driver = common::driver()?;
    let rows = driver
        .execute_query(Query::new("UNWIND range(1, $n) AS i RETURN i").param("n", 3))
        .with_database("neo4j")
        .run()
        .await?;
    println!("execute_query: {} records", rows.records().len());

    let mut session = driver.session(SessionConfig::new().with_database("neo4j"));
    let n: i64 = session
        .execute_read(async |tx: &mut ManagedTransaction| {
            tx.run("RETURN 42 AS n").await?.single().await?.get_as("n")
        })
        .await?;
    println!("managed transaction: {n}");

    // A failing query: its spans carry error.type and the GQL status.
    let failed = session.run("RETURN nonsense(").await;
    println!("failed query: {}", failed.is_err());
    session.close().await?;
    driver.close().await;

    // Flushes the spans still queued.
    provider.shutdown()?;
    Ok(())
}
