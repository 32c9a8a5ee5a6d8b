//! Connection settings shared by the examples: `BOLTLINE_URI`,
//! `BOLTLINE_USER` and `BOLTLINE_PASSWORD`, by default the server of
//! `cargo xtask neo4j start` (its password read from
//! `target/neo4j/server.env`).

use boltline_ogm::boltline::AuthToken;
use boltline_ogm::Database;

/// The example database.
pub fn database() -> boltline_ogm::Result<Database> {
    let uri = std::env::var("BOLTLINE_URI").unwrap_or_else(|_| "bolt://127.0.0.1:17687".into());
    let user = std::env::var("BOLTLINE_USER").unwrap_or_else(|_| "neo4j".into());
    let password = std::env::var("BOLTLINE_PASSWORD")
        .ok()
        .or_else(password_from_xtask)
        .unwrap_or_default();
    Ok(Database::connect(&uri, AuthToken::basic(user, password))?.with_database("neo4j"))
}

fn password_from_xtask() -> Option<String> {
    let env_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/neo4j/server.env");
    let text = std::fs::read_to_string(env_file).ok()?;
    text.lines().find_map(|l| {
        l.strip_prefix("BOLTLINE_TEST_PASSWORD=")
            .map(|v| v.trim().trim_matches('"').to_owned())
    })
}
