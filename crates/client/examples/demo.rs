//! The driver tour that `cargo xtask demo` runs: connect, write a small
//! graph with `execute_query`, read it back into structs in a managed
//! transaction, move money in an explicit transaction, chain two sessions
//! with bookmarks, stream a large result in batches, look at a path as a
//! graph, and clean up.
//!
//! `cargo run -p boltline --example demo` (see `common/mod.rs` for the
//! server it connects to; `cargo xtask demo` starts one if needed).

mod common;

use std::time::Instant;

use boltline::{ManagedTransaction, Query, SessionConfig, Value};
use serde::Deserialize;

/// Everything the demo writes carries this label, so cleaning up touches
/// nothing else.
const LABEL: &str = "BoltlineDemo";

#[derive(Deserialize)]
struct Person {
    name: String,
    born: i64,
}

#[tokio::main]
async fn main() -> boltline::Result<()> {
    let driver = common::driver()?;
    driver.verify_connectivity().await?;
    let info = driver.get_server_info().await?;
    println!(
        "connected to {} at {} over Bolt {}",
        info.agent(),
        info.address(),
        info.protocol_version()
    );

    // 1. One statement, retried on transient errors, all records in memory.
    //    User values are always parameters, never pasted into the Cypher.
    let people = [
        ("Alice", 1990),
        ("Bob", 1985),
        ("Carol", 1979),
        ("Dave", 2001),
    ];
    let rows: Vec<Value> = people
        .iter()
        .map(|(name, born)| {
            Value::from_iter([("name", Value::from(*name)), ("born", Value::from(*born))])
        })
        .collect();
    let created = driver
        .execute_query(format!(
            "UNWIND $rows AS row CREATE (p:{LABEL}:Person {{name: row.name, born: row.born}})"
        ))
        .param("rows", Value::List(rows))
        .with_database("neo4j")
        .run()
        .await?;
    println!(
        "created {} people in {:?}",
        created.summary().counters().nodes_created(),
        created
            .summary()
            .result_available_after()
            .unwrap_or_default()
    );
    driver
        .execute_query(format!(
            "MATCH (a:{LABEL} {{name: 'Alice'}}), (b:{LABEL} {{name: 'Bob'}}), \
                   (c:{LABEL} {{name: 'Carol'}}) \
             CREATE (a)-[:KNOWS {{since: 2010}}]->(b)-[:KNOWS {{since: 2015}}]->(c)"
        ))
        .with_database("neo4j")
        .run()
        .await?;

    // 2. A managed read transaction, records straight into structs.
    let mut session = driver.session(SessionConfig::new().with_database("neo4j"));
    let older: Vec<Person> = session
        .execute_read(async |tx: &mut ManagedTransaction| {
            let query = Query::new(format!(
                "MATCH (p:{LABEL}) WHERE p.born < $year RETURN p.name AS name, p.born AS born \
                 ORDER BY p.born"
            ))
            .param("year", 1995);
            tx.run(query).await?.collect().await
        })
        .await?;
    let names: Vec<String> = older
        .iter()
        .map(|p| format!("{} ({})", p.name, p.born))
        .collect();
    println!("born before 1995: {}", names.join(", "));

    // 3. An explicit transaction: both updates or neither.
    let mut tx = session.begin_transaction().await?;
    for (name, delta) in [("Alice", -30), ("Bob", 30)] {
        let query = Query::new(format!(
            "MATCH (p:{LABEL} {{name: $name}}) SET p.balance = coalesce(p.balance, 100) + $delta"
        ))
        .param("name", name)
        .param("delta", delta);
        tx.run(query).await?.consume().await?;
    }
    tx.commit().await?;
    let bookmarks = session.last_bookmarks().await;
    session.close().await?;

    // 4. Another session sees that commit: it starts from the bookmarks.
    let mut reader = driver.session(
        SessionConfig::new()
            .with_database("neo4j")
            .with_bookmarks(bookmarks),
    );
    let mut result = reader
        .run(format!(
            "MATCH (p:{LABEL}) WHERE p.balance IS NOT NULL \
             RETURN p.name AS name, p.balance AS balance ORDER BY name"
        ))
        .await?;
    while let Some(record) = result.next().await? {
        let name: String = record.get_as("name")?;
        let balance: i64 = record.get_as("balance")?;
        println!("  {name}: {balance}");
    }

    // 5. A large result streams in fetch-size batches; memory stays flat.
    let started = Instant::now();
    let mut result = reader.run("UNWIND range(1, 200000) AS i RETURN i").await?;
    let (mut count, mut sum) = (0u64, 0i64);
    while let Some(record) = result.next().await? {
        sum += record.get_as::<i64>("i")?;
        count += 1;
    }
    let elapsed = started.elapsed();
    println!(
        "streamed {count} records (sum {sum}) in {elapsed:.2?}: {:.0} records/s{}",
        count as f64 / elapsed.as_secs_f64(),
        if cfg!(debug_assertions) {
            " (a debug build; see docs/BENCHMARKS.md for release figures)"
        } else {
            ""
        }
    );

    // 6. A path, seen as a graph of distinct nodes and relationships.
    let mut result = reader
        .run(format!(
            "MATCH p = (:{LABEL} {{name: 'Alice'}})-[:KNOWS*]->(:{LABEL} {{name: 'Carol'}}) RETURN p"
        ))
        .await?;
    let graph = result.graph().await?;
    println!(
        "Alice reaches Carol through {} people and {} relationships",
        graph.nodes().len(),
        graph.relationships().len()
    );
    reader.close().await?;

    // 7. Clean up what the demo wrote.
    let deleted = driver
        .execute_query(format!("MATCH (p:{LABEL}) DETACH DELETE p"))
        .with_database("neo4j")
        .run()
        .await?;
    println!(
        "deleted {} nodes",
        deleted.summary().counters().nodes_deleted()
    );
    driver.close().await;
    Ok(())
}
