//! Connection settings shared by the examples.
//!
//! `BOLTLINE_URI`, `BOLTLINE_USER` and `BOLTLINE_PASSWORD` override the
//! defaults: the server of `cargo xtask neo4j start` (`bolt://127.0.0.1:17687`,
//! user `neo4j`, and the password it wrote to `target/neo4j/server.env`).

use boltline::{AuthToken, Driver};

/// A driver for the example server.
pub fn driver() -> boltline::Result<Driver> {
    let uri = std::env::var("BOLTLINE_URI").unwrap_or_else(|_| "bolt://127.0.0.1:17687".into());
    let user = std::env::var("BOLTLINE_USER").unwrap_or_else(|_| "neo4j".into());
    let password = std::env::var("BOLTLINE_PASSWORD")
        .ok()
        .or_else(password_from_xtask)
        .unwrap_or_default();
    Driver::new(&uri, AuthToken::basic(user, password))
}

/// The password `cargo xtask neo4j start` generated.
fn password_from_xtask() -> Option<String> {
    let env_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/neo4j/server.env");
    let text = std::fs::read_to_string(env_file).ok()?;
    text.lines().find_map(|l| {
        l.strip_prefix("BOLTLINE_TEST_PASSWORD=")
            .map(|v| v.trim().trim_matches('"').to_owned())
    })
}
