//! The connector's own requests about the server (py2neo's
//! `Connector.graph_names` and `default_graph_name`): each lends a
//! connection to a router of the system database and asks on it (the
//! requests themselves are the Bolt connection's; see
//! `boltline_bolt::Connection::graph_names`).

use boltline_bolt::{AccessMode, ServerComponents};

use crate::{Connector, Result};

/// The database the requests go to: administration commands run there,
/// and any member of a cluster answers for all of it.
const SYSTEM: &str = "system";

impl Connector {
    /// The names of the databases of the cluster (py2neo's
    /// `graph_names`), each once.
    pub async fn graph_names(&self) -> Result<Vec<String>> {
        let mut conn = self.acquire(Some(SYSTEM), AccessMode::Read).await?;
        Ok(conn.pooled_mut().graph_names().await?)
    }

    /// The default database, as the server names it now (py2neo's
    /// `default_graph_name`), not a cached home database (which is per
    /// user and may differ).
    pub async fn default_graph_name(&self) -> Result<String> {
        let mut conn = self.acquire(Some(SYSTEM), AccessMode::Read).await?;
        Ok(conn.pooled_mut().default_graph_name().await?)
    }

    /// The version and edition of a server of the cluster (py2neo's
    /// `neo4j_version` and `neo4j_edition`, on the connector).
    pub async fn server_components(&self) -> Result<ServerComponents> {
        let mut conn = self.acquire(Some(SYSTEM), AccessMode::Read).await?;
        Ok(conn.pooled_mut().server_components().await?)
    }
}
