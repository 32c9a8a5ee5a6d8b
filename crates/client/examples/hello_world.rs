//! Hello world: create a greeting node in a write transaction and print it.
//!
//! `cargo run -p boltline --example hello_world` (see `common/mod.rs` for
//! the server it connects to).

mod common;

use boltline::{ManagedTransaction, Query, SessionConfig};

#[tokio::main]
async fn main() -> boltline::Result<()> {
    let driver = common::driver()?;
    driver.verify_connectivity().await?;

    let mut session = driver.session(SessionConfig::new().with_database("neo4j"));
    let greeting: String = session
        .execute_write(async |tx: &mut ManagedTransaction| {
            let query = Query::new(
                "CREATE (a:Greeting) SET a.message = $message \
                 RETURN a.message + ', from node ' + elementId(a) AS greeting",
            )
            .param("message", "hello, world");
            let mut result = tx.run(query).await?;
            let record = result.single().await?;
            record.get_as("greeting")
        })
        .await?;
    println!("{greeting}");

    session.close().await?;
    driver.close().await;
    Ok(())
}
