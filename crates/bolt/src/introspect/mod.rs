//! Server introspection: what py2neo's `Connection` asks the server about
//! itself (`get_queries`, `get_transactions`, `get_connections`,
//! `get_config`, `get_cluster_overview`, `get_management_data`,
//! `neo4j_version`, `neo4j_edition`), plus the database names, as typed
//! answers parsed from the server's own administration commands.
//!
//! They live here, on one [`Connection`], because each is one connection's
//! request (py2neo puts them on its `Connection` too): they need nothing
//! but a Bolt connection, and every layer above (the pool's connections,
//! the routing connector's) reaches them through it. Each runs in an
//! auto-commit transaction, so the connection must not be in an explicit
//! one; a server failure resets the connection before it is returned, so
//! the connection stays usable.

mod records;
mod version;

use std::collections::BTreeMap;

use boltline_packstream::{Map, Value};
use tokio::io::{AsyncRead, AsyncWrite};

pub use records::{ConnectionRecord, QueryRecord, TransactionRecord};
pub use version::{Edition, Neo4jVersion};

use crate::{AccessMode, Connection, Error, Query, Result, TxOptions};

/// The database administration commands run against.
const SYSTEM: &str = "system";

/// What `dbms.components()` says about the server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerComponents {
    /// The version (parsed from the server's own answer, not the agent).
    pub version: Neo4jVersion,
    /// The version as the server wrote it.
    pub version_text: String,
    /// The edition.
    pub edition: Edition,
}

/// Whether a failure says the command or procedure does not exist on this
/// server (as opposed to the request being refused or failing).
fn is_missing_command(e: &Error) -> bool {
    e.server_error().is_some_and(|s| {
        matches!(
            s.code.as_str(),
            "Neo.ClientError.Procedure.ProcedureNotFound"
                | "Neo.ClientError.Statement.SyntaxError"
                | "Neo.ClientError.Statement.NotSystemDatabaseError"
                | "Neo.ClientError.Statement.UnsupportedAdministrationCommand"
        )
    })
}

impl<S> Connection<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    /// Runs `cypher` in an auto-commit transaction on `db` (`None`: the
    /// home database) and reads every row as column name → value. A
    /// server failure resets the connection (so it stays usable) and is
    /// returned.
    async fn rows(&mut self, cypher: &str, params: Map, db: Option<&str>) -> Result<Vec<Map>> {
        let mut options = TxOptions::new().with_mode(AccessMode::Read);
        if let Some(db) = db {
            options = options.with_db(db);
        }
        let query = Query::new(cypher).with_parameters(params);
        let outcome = async {
            let mut stream = self.run(&query, &options).await?;
            let mut rows = Vec::new();
            while let Some(r) = self.next_record(&mut stream).await? {
                let row: Map = r.keys().iter().cloned().zip(r.values()?).collect();
                rows.push(row);
            }
            Ok::<_, Error>(rows)
        }
        .await;
        if let Err(e) = &outcome {
            if e.server_error().is_some() && !self.is_defunct() {
                // Best effort: a reset that fails leaves the connection
                // defunct, which says so itself.
                let _ = self.reset().await;
            }
        }
        outcome
    }

    /// The server's version and edition, from `dbms.components()`.
    pub async fn server_components(&mut self) -> Result<ServerComponents> {
        let rows = self
            .rows(
                "CALL dbms.components() YIELD name, versions, edition",
                Map::new(),
                None,
            )
            .await?;
        let kernel = rows
            .iter()
            .find(|r| r.get("name").and_then(Value::as_str) == Some("Neo4j Kernel"))
            .or_else(|| rows.first())
            .ok_or_else(|| Error::Protocol("dbms.components() returned no row".into()))?;
        let version_text = kernel
            .get("versions")
            .and_then(Value::as_list)
            .and_then(|l| l.first())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let version = Neo4jVersion::parse(&version_text).ok_or_else(|| {
            Error::Protocol(format!("unreadable server version {version_text:?}"))
        })?;
        let edition = Edition::parse(
            kernel
                .get("edition")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        Ok(ServerComponents {
            version,
            version_text,
            edition,
        })
    }

    /// The server's version (py2neo's `neo4j_version`), parsed from what
    /// the server says of itself; see
    /// [`ServerInfo::neo4j_version`](crate::ServerInfo::neo4j_version) for
    /// the agent string's, which needs no request.
    pub async fn neo4j_version(&mut self) -> Result<Neo4jVersion> {
        Ok(self.server_components().await?.version)
    }

    /// The server's edition (py2neo's `neo4j_edition`).
    pub async fn neo4j_edition(&mut self) -> Result<Edition> {
        Ok(self.server_components().await?.edition)
    }

    /// The request is not on this server: the typed error, with what the
    /// server is.
    async fn not_supported(&mut self, request: &'static str) -> Error {
        match self.server_components().await {
            Ok(c) => Error::NotSupported {
                request,
                edition: c.edition,
                version: c.version,
            },
            Err(e) => e,
        }
    }

    /// The transactions running on the server (py2neo's
    /// `get_transactions`), from `SHOW TRANSACTIONS` (Neo4j 4.4 and later,
    /// both editions); this request's own transaction included.
    pub async fn get_transactions(&mut self) -> Result<Vec<TransactionRecord>> {
        match self
            .rows("SHOW TRANSACTIONS YIELD *", Map::new(), None)
            .await
        {
            Ok(rows) => Ok(rows
                .into_iter()
                .filter_map(TransactionRecord::from_row)
                .collect()),
            Err(e) if is_missing_command(&e) => Err(self.not_supported("get_transactions").await),
            Err(e) => Err(e),
        }
    }

    /// The queries running on the server (py2neo's `get_queries`): the
    /// current query of each transaction of `SHOW TRANSACTIONS` (Neo4j 5
    /// has no `dbms.listQueries`); this request's own included.
    pub async fn get_queries(&mut self) -> Result<Vec<QueryRecord>> {
        match self
            .rows("SHOW TRANSACTIONS YIELD *", Map::new(), None)
            .await
        {
            Ok(rows) => Ok(rows.into_iter().filter_map(QueryRecord::from_row).collect()),
            Err(e) if is_missing_command(&e) => Err(self.not_supported("get_queries").await),
            Err(e) => Err(e),
        }
    }

    /// The connections to the server (py2neo's `get_connections`), from
    /// `dbms.listConnections()` (Community from 4.2, Enterprise always);
    /// [`Error::NotSupported`] where the server lacks it.
    pub async fn get_connections(&mut self) -> Result<Vec<ConnectionRecord>> {
        match self
            .rows("CALL dbms.listConnections()", Map::new(), None)
            .await
        {
            Ok(rows) => Ok(rows
                .into_iter()
                .filter_map(ConnectionRecord::from_row)
                .collect()),
            Err(e) if is_missing_command(&e) => Err(self.not_supported("get_connections").await),
            Err(e) => Err(e),
        }
    }

    /// The server's settings, name → value (py2neo's `get_config`), from
    /// `SHOW SETTINGS` (Neo4j 5), or `dbms.listConfig()` before it.
    pub async fn get_config(&mut self) -> Result<BTreeMap<String, Value>> {
        let rows = match self
            .rows("SHOW SETTINGS YIELD name, value", Map::new(), None)
            .await
        {
            Ok(rows) => rows,
            Err(e) if is_missing_command(&e) => {
                match self
                    .rows("CALL dbms.listConfig() YIELD name, value", Map::new(), None)
                    .await
                {
                    Ok(rows) => rows,
                    Err(e) if is_missing_command(&e) => {
                        return Err(self.not_supported("get_config").await)
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        Ok(name_value(rows, "value"))
    }

    /// The members of the cluster, by server id (py2neo's
    /// `get_cluster_overview`), from `SHOW SERVERS` (Neo4j 5 Enterprise),
    /// or `dbms.cluster.overview()` before it. Community Edition has no
    /// cluster: [`Error::NotSupported`] with
    /// [`Edition::Community`], never an empty answer.
    pub async fn get_cluster_overview(&mut self) -> Result<BTreeMap<String, Map>> {
        let components = self.server_components().await?;
        if components.edition == Edition::Community {
            return Err(Error::NotSupported {
                request: "get_cluster_overview",
                edition: components.edition,
                version: components.version,
            });
        }
        let (rows, id) = match self
            .rows("SHOW SERVERS YIELD *", Map::new(), Some(SYSTEM))
            .await
        {
            Ok(rows) => (rows, "serverId"),
            Err(e) if is_missing_command(&e) => {
                match self
                    .rows("CALL dbms.cluster.overview()", Map::new(), None)
                    .await
                {
                    Ok(rows) => (rows, "id"),
                    Err(e) if is_missing_command(&e) => {
                        return Err(Error::NotSupported {
                            request: "get_cluster_overview",
                            edition: components.edition,
                            version: components.version,
                        })
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        Ok(keyed(rows, id))
    }

    /// The server's JMX management beans, name → attributes (py2neo's
    /// `get_management_data`), from `dbms.queryJmx("*:*")`; their shape
    /// varies with the server's version and edition.
    /// [`Error::NotSupported`] where the server lacks the procedure.
    pub async fn get_management_data(&mut self) -> Result<BTreeMap<String, Value>> {
        let params: Map = [("query".to_owned(), Value::from("*:*"))].into();
        match self
            .rows(
                "CALL dbms.queryJmx($query) YIELD name, attributes",
                params,
                None,
            )
            .await
        {
            Ok(rows) => Ok(name_value(rows, "attributes")),
            Err(e) if is_missing_command(&e) => {
                Err(self.not_supported("get_management_data").await)
            }
            Err(e) => Err(e),
        }
    }

    /// The names of the databases (py2neo's `graph_names`), each once,
    /// from `SHOW DATABASES` on the system database.
    pub async fn graph_names(&mut self) -> Result<Vec<String>> {
        let rows = self
            .rows("SHOW DATABASES YIELD name", Map::new(), Some(SYSTEM))
            .await?;
        let mut names: Vec<String> = rows
            .into_iter()
            .filter_map(|mut r| match r.remove("name") {
                Some(Value::String(s)) => Some(s),
                _ => None,
            })
            .collect();
        // A cluster lists each database once per server hosting it.
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The server's default database (py2neo's `default_graph_name`), from
    /// `SHOW DEFAULT DATABASE`.
    pub async fn default_graph_name(&mut self) -> Result<String> {
        let rows = self
            .rows("SHOW DEFAULT DATABASE YIELD name", Map::new(), Some(SYSTEM))
            .await?;
        rows.into_iter()
            .find_map(|mut r| match r.remove("name") {
                Some(Value::String(s)) => Some(s),
                _ => None,
            })
            .ok_or_else(|| Error::Protocol("SHOW DEFAULT DATABASE returned no name".into()))
    }
}

/// Rows of `name` and `value_column` as a map (rows without a text name
/// are skipped).
fn name_value(rows: Vec<Map>, value_column: &str) -> BTreeMap<String, Value> {
    rows.into_iter()
        .filter_map(|mut r| match (r.remove("name"), r.remove(value_column)) {
            (Some(Value::String(n)), v) => Some((n, v.unwrap_or(Value::Null))),
            _ => None,
        })
        .collect()
}

/// Rows keyed by their `id` column (rows without one are skipped).
fn keyed(rows: Vec<Map>, id: &str) -> BTreeMap<String, Map> {
    rows.into_iter()
        .filter_map(|r| match r.get(id) {
            Some(Value::String(k)) => Some((k.clone(), r)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerError;

    #[test]
    fn missing_commands_are_told_apart_from_other_failures() {
        let missing = Error::from(ServerError::new(
            "Neo.ClientError.Procedure.ProcedureNotFound",
            "no such procedure",
        ));
        assert!(is_missing_command(&missing));
        let refused = Error::from(ServerError::new(
            "Neo.ClientError.Security.Forbidden",
            "not allowed",
        ));
        assert!(!is_missing_command(&refused));
        assert!(!is_missing_command(&Error::Ignored));
    }

    #[test]
    fn settings_and_overview_rows_are_keyed() {
        let row = |pairs: &[(&str, &str)]| -> Map {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                .collect()
        };
        let config = name_value(
            vec![
                row(&[("name", "db.tx_timeout"), ("value", "0s")]),
                row(&[("value", "orphan")]),
            ],
            "value",
        );
        assert_eq!(config.len(), 1);
        assert_eq!(config["db.tx_timeout"], Value::from("0s"));
        let servers = keyed(
            vec![
                row(&[("serverId", "a1"), ("address", "h1:7687")]),
                row(&[("serverId", "b2"), ("address", "h2:7687")]),
            ],
            "serverId",
        );
        assert_eq!(servers.keys().collect::<Vec<_>>(), ["a1", "b2"]);
        assert_eq!(servers["b2"]["address"], Value::from("h2:7687"));
    }
}
