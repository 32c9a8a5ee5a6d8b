//! Typed records of the server's administration commands: py2neo's
//! `ConnectionRecord`, `QueryRecord` and `TransactionRecord`, read by
//! column name (columns a server version lacks read as `None` or empty;
//! the columns not mapped to a field stay in `extra`).

use boltline_packstream::{Map, Value};

/// A text column; `None` when missing, not text, or empty (the server
/// shows "nothing" as an empty string, e.g. `outerTransactionId`).
fn text(row: &mut Map, key: &str) -> Option<String> {
    match row.remove(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        _ => None,
    }
}

fn map(row: &mut Map, key: &str) -> Map {
    match row.remove(key) {
        Some(Value::Map(m)) => m,
        _ => Map::new(),
    }
}

fn list(row: &mut Map, key: &str) -> Vec<Value> {
    match row.remove(key) {
        Some(Value::List(l)) => l,
        _ => Vec::new(),
    }
}

/// One connection to the server (`dbms.listConnections()`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnectionRecord {
    /// The server's id of the connection (py2neo's `cxid`), e.g. `bolt-7`.
    pub connection_id: String,
    /// When it was opened (py2neo's `since`), as the server formats it.
    pub since: Option<String>,
    /// The client's address.
    pub client_address: Option<String>,
    /// The server's address the client connected to (py2neo's
    /// `server_profile`).
    pub server_address: Option<String>,
    /// The client's user agent.
    pub user_agent: Option<String>,
    /// The user logged in on it.
    pub username: Option<String>,
    /// The connector (`bolt`, `http`, ...).
    pub connector: Option<String>,
    /// Every other column.
    pub extra: Map,
}

impl ConnectionRecord {
    /// Reads a row of `dbms.listConnections()`; `None` without a
    /// `connectionId`.
    pub fn from_row(mut row: Map) -> Option<Self> {
        Some(ConnectionRecord {
            connection_id: text(&mut row, "connectionId")?,
            since: text(&mut row, "connectTime"),
            client_address: text(&mut row, "clientAddress"),
            server_address: text(&mut row, "serverAddress"),
            user_agent: text(&mut row, "userAgent"),
            username: text(&mut row, "username"),
            connector: text(&mut row, "connector"),
            extra: row,
        })
    }
}

/// One transaction running on the server (`SHOW TRANSACTIONS`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TransactionRecord {
    /// The transaction's id (py2neo's `txid`), e.g. `neo4j-transaction-9`.
    pub transaction_id: String,
    /// When it started (py2neo's `since`), as the server formats it.
    pub since: Option<String>,
    /// The connection it runs on (py2neo's `cxid`).
    pub connection_id: Option<String>,
    /// The client's address.
    pub client_address: Option<String>,
    /// The server address the request came to (`requestUri`; py2neo's
    /// `server_profile`).
    pub server_address: Option<String>,
    /// The transaction's metadata.
    pub metadata: Map,
    /// The database.
    pub database: Option<String>,
    /// The query running in it now, if any (py2neo's `current_qid`).
    pub current_query_id: Option<String>,
    /// That query's text (py2neo's `current_query`).
    pub current_query: Option<String>,
    /// The transaction's status, e.g. `Running`.
    pub status: Option<String>,
    /// The user running it.
    pub username: Option<String>,
    /// Every other column (py2neo's `stats`: times, locks, memory, ...).
    pub extra: Map,
}

impl TransactionRecord {
    /// Reads a row of `SHOW TRANSACTIONS YIELD *`; `None` without a
    /// `transactionId`.
    pub fn from_row(mut row: Map) -> Option<Self> {
        Some(TransactionRecord {
            transaction_id: text(&mut row, "transactionId")?,
            since: text(&mut row, "startTime"),
            connection_id: text(&mut row, "connectionId"),
            client_address: text(&mut row, "clientAddress"),
            server_address: text(&mut row, "requestUri"),
            metadata: map(&mut row, "metaData"),
            database: text(&mut row, "database"),
            current_query_id: text(&mut row, "currentQueryId"),
            current_query: text(&mut row, "currentQuery"),
            status: text(&mut row, "status"),
            username: text(&mut row, "username"),
            extra: row,
        })
    }
}

/// One query running on the server: the current query of a transaction
/// (`SHOW TRANSACTIONS`; Neo4j 5 has no `dbms.listQueries`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryRecord {
    /// The query's id (py2neo's `qid`), e.g. `query-12`.
    pub query_id: String,
    /// When it started (py2neo's `since`), as the server formats it.
    pub since: Option<String>,
    /// The transaction it runs in.
    pub transaction_id: Option<String>,
    /// The connection it came on (py2neo's `cxid`).
    pub connection_id: Option<String>,
    /// The client's address.
    pub client_address: Option<String>,
    /// The server address the request came to (py2neo's `server_profile`).
    pub server_address: Option<String>,
    /// The transaction's metadata.
    pub metadata: Map,
    /// The database.
    pub database: Option<String>,
    /// The query text.
    pub query: String,
    /// Its parameters.
    pub parameters: Map,
    /// The planner used.
    pub planner: Option<String>,
    /// The runtime used.
    pub runtime: Option<String>,
    /// The indexes it uses.
    pub indexes: Vec<Value>,
    /// The query's status, e.g. `running`.
    pub status: Option<String>,
    /// Every other column (py2neo's `stats`).
    pub extra: Map,
}

impl QueryRecord {
    /// Reads the current query of a row of `SHOW TRANSACTIONS YIELD *`;
    /// `None` when the transaction runs no query now.
    pub fn from_row(mut row: Map) -> Option<Self> {
        let query_id = text(&mut row, "currentQueryId")?;
        let query = text(&mut row, "currentQuery")?;
        Some(QueryRecord {
            query_id,
            since: text(&mut row, "currentQueryStartTime"),
            transaction_id: text(&mut row, "transactionId"),
            connection_id: text(&mut row, "connectionId"),
            client_address: text(&mut row, "clientAddress"),
            server_address: text(&mut row, "requestUri"),
            metadata: map(&mut row, "metaData"),
            database: text(&mut row, "database"),
            query,
            parameters: map(&mut row, "parameters"),
            planner: text(&mut row, "planner"),
            runtime: text(&mut row, "runtime"),
            indexes: list(&mut row, "indexes"),
            status: text(&mut row, "currentQueryStatus"),
            extra: row,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(entries: &[(&str, Value)]) -> Map {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn a_transaction_row_reads_by_column_name() {
        let r = row(&[
            ("transactionId", Value::from("neo4j-transaction-1")),
            ("currentQueryId", Value::from("query-1")),
            ("currentQuery", Value::from("RETURN 1")),
            ("connectionId", Value::from("bolt-1")),
            ("startTime", Value::from("2026-12-04T17:26:23.982Z")),
            ("outerTransactionId", Value::from("")),
            ("metaData", Value::Map(row(&[("app", Value::from("x"))]))),
            ("activeLockCount", Value::from(0)),
        ]);
        let t = TransactionRecord::from_row(r.clone()).unwrap();
        assert_eq!(t.transaction_id, "neo4j-transaction-1");
        assert_eq!(t.current_query.as_deref(), Some("RETURN 1"));
        assert_eq!(t.connection_id.as_deref(), Some("bolt-1"));
        assert_eq!(t.metadata.get("app"), Some(&Value::from("x")));
        assert_eq!(t.database, None);
        // Unmapped columns stay; an empty string is kept as it came.
        assert_eq!(t.extra.get("activeLockCount"), Some(&Value::from(0)));
        assert!(t.extra.contains_key("outerTransactionId"));
        let q = QueryRecord::from_row(r).unwrap();
        assert_eq!(
            (q.query_id.as_str(), q.query.as_str()),
            ("query-1", "RETURN 1")
        );
        assert_eq!(q.transaction_id.as_deref(), Some("neo4j-transaction-1"));
    }

    #[test]
    fn rows_without_their_id_are_not_records() {
        assert!(TransactionRecord::from_row(Map::new()).is_none());
        assert!(ConnectionRecord::from_row(row(&[("connectionId", Value::from(""))])).is_none());
        // A transaction between queries has no current query.
        let idle = row(&[
            ("transactionId", Value::from("neo4j-transaction-2")),
            ("currentQueryId", Value::from("")),
            ("currentQuery", Value::from("")),
        ]);
        assert!(QueryRecord::from_row(idle.clone()).is_none());
        assert!(TransactionRecord::from_row(idle)
            .unwrap()
            .current_query
            .is_none());
    }

    #[test]
    fn a_connection_row_reads_by_column_name() {
        let c = ConnectionRecord::from_row(row(&[
            ("connectionId", Value::from("bolt-2")),
            ("userAgent", Value::from("boltline/0.1.0")),
            ("connectTime", Value::from("2026-12-04T17:26:28.949Z")),
            ("connector", Value::from("bolt")),
        ]))
        .unwrap();
        assert_eq!(c.connection_id, "bolt-2");
        assert_eq!(c.user_agent.as_deref(), Some("boltline/0.1.0"));
        assert_eq!(c.connector.as_deref(), Some("bolt"));
        assert!(c.extra.is_empty());
    }
}
