//! Bookmarks across sessions: two sessions create people and their
//! employers; a third, started from both sessions' bookmarks, is sure to
//! see their work when it makes the people friends.
//!
//! `cargo run -p boltline --example bookmarks`

mod common;

use boltline::{Bookmarks, Driver, ManagedTransaction, Query, SessionConfig};

async fn hire(driver: &Driver, person: &str, company: &str) -> boltline::Result<Bookmarks> {
    let mut session = driver.session(SessionConfig::new().with_database("neo4j"));
    session
        .execute_write(async |tx: &mut ManagedTransaction| {
            let q = Query::new("MERGE (:Person {name: $name})").param("name", person);
            tx.run(q).await?.consume().await?;
            let q = Query::new(
                "MATCH (p:Person {name: $person}) MERGE (c:Company {name: $company}) \
                 MERGE (p)-[:WORKS_FOR]->(c)",
            )
            .param("person", person)
            .param("company", company);
            tx.run(q).await?.consume().await?;
            Ok(())
        })
        .await?;
    let bookmarks = session.last_bookmarks().await;
    session.close().await?;
    Ok(bookmarks)
}

#[tokio::main]
async fn main() -> boltline::Result<()> {
    let driver = common::driver()?;

    let alice = hire(&driver, "Alice", "Wayne Enterprises").await?;
    let bob = hire(&driver, "Bob", "LexCorp").await?;

    // Waits for both sessions' work, even on a cluster.
    let mut session = driver.session(
        SessionConfig::new()
            .with_database("neo4j")
            .with_bookmarks(alice.combine(&bob)),
    );
    session
        .execute_write(async |tx: &mut ManagedTransaction| {
            tx.run(
                "MATCH (a:Person {name: 'Alice'}), (b:Person {name: 'Bob'}) \
                 MERGE (a)-[:KNOWS]->(b)",
            )
            .await?
            .consume()
            .await?;
            Ok(())
        })
        .await?;
    let pairs: Vec<(String, String)> = session
        .execute_read(async |tx: &mut ManagedTransaction| {
            tx.run("MATCH (a:Person)-[:KNOWS]->(b:Person) RETURN a.name, b.name")
                .await?
                .collect()
                .await
        })
        .await?;
    for (a, b) in pairs {
        println!("{a} knows {b}");
    }

    session.close().await?;
    driver.close().await;
    Ok(())
}
