//! Friends: add people who know each other, then read them back into
//! structs with serde.
//!
//! `cargo run -p boltline --example friends`

mod common;

use boltline::{ManagedTransaction, Query, SessionConfig};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Friend {
    name: String,
    since: Option<i64>,
}

async fn add_friend(
    tx: &mut ManagedTransaction<'_>,
    name: &str,
    friend: &str,
    since: i64,
) -> boltline::Result<()> {
    let query = Query::new(
        "MERGE (a:Person {name: $name}) \
         MERGE (a)-[k:KNOWS]->(f:Person {name: $friend}) \
         SET k.since = $since",
    )
    .param("name", name)
    .param("friend", friend)
    .param("since", since);
    tx.run(query).await?.consume().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> boltline::Result<()> {
    let driver = common::driver()?;
    let mut session = driver.session(SessionConfig::new().with_database("neo4j"));

    session
        .execute_write(async |tx: &mut ManagedTransaction| {
            add_friend(tx, "Arthur", "Guinevere", 1999).await?;
            add_friend(tx, "Arthur", "Lancelot", 2003).await?;
            add_friend(tx, "Arthur", "Merlin", 1990).await
        })
        .await?;

    let friends: Vec<Friend> = session
        .execute_read(async |tx: &mut ManagedTransaction| {
            let query = Query::new(
                "MATCH (a:Person {name: $name})-[k:KNOWS]->(f) \
                 RETURN f.name AS name, k.since AS since ORDER BY name",
            )
            .param("name", "Arthur");
            tx.run(query).await?.collect().await
        })
        .await?;
    for f in &friends {
        println!("Arthur knows {} (since {:?})", f.name, f.since);
    }

    session.close().await?;
    driver.close().await;
    Ok(())
}
