//! `execute_query`: one query, retried on transient failures, all records
//! in memory; chained causally with the driver's query bookmark manager.
//!
//! `cargo run -p boltline --example execute_query`

mod common;

use boltline::{AccessMode, QueryResult};

#[tokio::main]
async fn main() -> boltline::Result<()> {
    let driver = common::driver()?;

    let created = driver
        .execute_query("UNWIND $names AS name MERGE (p:Person {name: name}) RETURN count(p) AS n")
        .param(
            "names",
            boltline::Value::from_iter(["Alice", "Bob", "Carol"]),
        )
        .with_database("neo4j")
        .run()
        .await?;
    println!(
        "{} people merged, {} nodes created, in {:?}",
        created.records()[0].get_as::<i64>("n")?,
        created.summary().counters().nodes_created(),
        created.summary().result_available_after()
    );

    // Readers, with a transformer that keeps only the names.
    let names: Vec<String> = driver
        .execute_query("MATCH (p:Person) RETURN p.name AS name ORDER BY name")
        .with_routing(AccessMode::Read)
        .with_database("neo4j")
        .run_with(|mut result: QueryResult| async move { result.collect().await })
        .await?;
    println!("people: {names:?}");

    driver.close().await;
    Ok(())
}
