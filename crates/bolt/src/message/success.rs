//! `SUCCESS` (0x70): a request succeeded. Its metadata depends on the
//! request; [`Success`] keeps the whole dictionary and offers typed
//! accessors for the keys the spec defines.

use boltline_packstream::{Map, Unpacker, Value};

use super::read_metadata;
use crate::Result;

/// Reads `SUCCESS {metadata}`'s field.
pub(crate) fn decode_fields(u: &mut Unpacker<'_>) -> Result<Map> {
    read_metadata(u, "SUCCESS")
}

/// The metadata of a `SUCCESS` message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Success {
    metadata: Map,
}

impl Success {
    /// Wraps a metadata dictionary.
    pub fn new(metadata: Map) -> Self {
        Success { metadata }
    }

    /// The whole dictionary.
    pub fn metadata(&self) -> &Map {
        &self.metadata
    }

    /// The dictionary, owned.
    pub fn into_metadata(self) -> Map {
        self.metadata
    }

    /// One entry.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata.get(key)
    }

    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    fn int(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Value::as_i64)
    }

    fn map(&self, key: &str) -> Option<&Map> {
        self.get(key).and_then(Value::as_map)
    }

    fn list(&self, key: &str) -> &[Value] {
        self.get(key).and_then(Value::as_list).unwrap_or(&[])
    }

    /// `RUN`: the result's column names.
    pub fn fields(&self) -> Vec<String> {
        self.list("fields")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    /// `RUN`: milliseconds until the first record was available.
    pub fn t_first(&self) -> Option<i64> {
        self.int("t_first")
    }

    /// `PULL`/`DISCARD`: milliseconds until the last record was consumed.
    pub fn t_last(&self) -> Option<i64> {
        self.int("t_last")
    }

    /// `RUN` in an explicit transaction: the query id for later `PULL`s.
    pub fn qid(&self) -> Option<i64> {
        self.int("qid")
    }

    /// `PULL`/`DISCARD`: whether more records remain (absent means `false`).
    pub fn has_more(&self) -> bool {
        self.get("has_more")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The bookmark after an auto-commit result or a `COMMIT`.
    pub fn bookmark(&self) -> Option<&str> {
        self.str("bookmark")
    }

    /// The database the work ran in (or, 5.8+ on `BEGIN`/`RUN`, the
    /// resolved home database).
    pub fn db(&self) -> Option<&str> {
        self.str("db")
    }

    /// What the query did: read, write, both, or schema.
    pub fn query_type(&self) -> Option<QueryType> {
        QueryType::from_code(self.str("type")?)
    }

    /// Update counters, when the query changed anything.
    pub fn stats(&self) -> Option<QueryStats> {
        self.map("stats").map(QueryStats::from_map)
    }

    /// The plan of an `EXPLAIN`ed query.
    pub fn plan(&self) -> Option<&Map> {
        self.map("plan")
    }

    /// The profile of a `PROFILE`d query.
    pub fn profile(&self) -> Option<&Map> {
        self.map("profile")
    }

    /// Notifications (before 5.6).
    pub fn notifications(&self) -> &[Value] {
        self.list("notifications")
    }

    /// GQL status objects (5.6+).
    pub fn statuses(&self) -> &[Value] {
        self.list("statuses")
    }

    /// `HELLO`: the server agent, e.g. `Neo4j/5.26.0`.
    pub fn server(&self) -> Option<&str> {
        self.str("server")
    }

    /// `HELLO`: the server's id for this connection.
    pub fn connection_id(&self) -> Option<&str> {
        self.str("connection_id")
    }

    /// `HELLO`: configuration hints (bolt appendix "Connection hints").
    pub fn hints(&self) -> Option<&Map> {
        self.map("hints")
    }

    /// `ROUTE`: the routing table.
    pub fn routing_table(&self) -> Option<&Map> {
        self.map("rt")
    }
}

/// What kind of work a query did (`type` in the final `SUCCESS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryType {
    /// `r`: read only.
    Read,
    /// `w`: write only.
    Write,
    /// `rw`: read and write.
    ReadWrite,
    /// `s`: schema changes.
    Schema,
}

impl QueryType {
    pub(crate) fn from_code(code: &str) -> Option<QueryType> {
        Some(match code {
            "r" => QueryType::Read,
            "w" => QueryType::Write,
            "rw" => QueryType::ReadWrite,
            "s" => QueryType::Schema,
            _ => return None,
        })
    }
}

/// Update counters of a query (`stats`); absent counters are zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryStats {
    /// Nodes created.
    pub(crate) nodes_created: i64,
    /// Nodes deleted.
    pub(crate) nodes_deleted: i64,
    /// Relationships created.
    pub(crate) relationships_created: i64,
    /// Relationships deleted.
    pub(crate) relationships_deleted: i64,
    /// Properties set.
    pub(crate) properties_set: i64,
    /// Labels added.
    pub(crate) labels_added: i64,
    /// Labels removed.
    pub(crate) labels_removed: i64,
    /// Indexes added.
    pub(crate) indexes_added: i64,
    /// Indexes removed.
    pub(crate) indexes_removed: i64,
    /// Constraints added.
    pub(crate) constraints_added: i64,
    /// Constraints removed.
    pub(crate) constraints_removed: i64,
    /// System updates.
    pub(crate) system_updates: i64,
    /// Whether the query changed data (`contains-updates`, or any data counter).
    pub(crate) contains_updates: bool,
    /// Whether the query changed the system database.
    pub(crate) contains_system_updates: bool,
}

impl QueryStats {
    /// Nodes created.
    pub fn nodes_created(&self) -> i64 {
        self.nodes_created
    }

    /// Nodes deleted.
    pub fn nodes_deleted(&self) -> i64 {
        self.nodes_deleted
    }

    /// Relationships created.
    pub fn relationships_created(&self) -> i64 {
        self.relationships_created
    }

    /// Relationships deleted.
    pub fn relationships_deleted(&self) -> i64 {
        self.relationships_deleted
    }

    /// Properties set.
    pub fn properties_set(&self) -> i64 {
        self.properties_set
    }

    /// Labels added.
    pub fn labels_added(&self) -> i64 {
        self.labels_added
    }

    /// Labels removed.
    pub fn labels_removed(&self) -> i64 {
        self.labels_removed
    }

    /// Indexes added.
    pub fn indexes_added(&self) -> i64 {
        self.indexes_added
    }

    /// Indexes removed.
    pub fn indexes_removed(&self) -> i64 {
        self.indexes_removed
    }

    /// Constraints added.
    pub fn constraints_added(&self) -> i64 {
        self.constraints_added
    }

    /// Constraints removed.
    pub fn constraints_removed(&self) -> i64 {
        self.constraints_removed
    }

    /// System updates.
    pub fn system_updates(&self) -> i64 {
        self.system_updates
    }

    /// Whether the query changed data (`contains-updates`, or any data counter).
    pub fn contains_updates(&self) -> bool {
        self.contains_updates
    }

    /// Whether the query changed the system database.
    pub fn contains_system_updates(&self) -> bool {
        self.contains_system_updates
    }
}

impl QueryStats {
    /// Reads the counters from a `stats` dictionary (keys as the server
    /// spells them: `nodes-created`, ...).
    pub fn from_map(m: &Map) -> QueryStats {
        let n = |k: &str| m.get(k).and_then(Value::as_i64).unwrap_or(0);
        let b = |k: &str| m.get(k).and_then(Value::as_bool);
        let mut s = QueryStats {
            nodes_created: n("nodes-created"),
            nodes_deleted: n("nodes-deleted"),
            relationships_created: n("relationships-created"),
            relationships_deleted: n("relationships-deleted"),
            properties_set: n("properties-set"),
            labels_added: n("labels-added"),
            labels_removed: n("labels-removed"),
            indexes_added: n("indexes-added"),
            indexes_removed: n("indexes-removed"),
            constraints_added: n("constraints-added"),
            constraints_removed: n("constraints-removed"),
            system_updates: n("system-updates"),
            contains_updates: false,
            contains_system_updates: false,
        };
        s.contains_updates = b("contains-updates").unwrap_or(
            s.nodes_created
                + s.nodes_deleted
                + s.relationships_created
                + s.relationships_deleted
                + s.properties_set
                + s.labels_added
                + s.labels_removed
                + s.indexes_added
                + s.indexes_removed
                + s.constraints_added
                + s.constraints_removed
                > 0,
        );
        s.contains_system_updates = b("contains-system-updates").unwrap_or(s.system_updates > 0);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn success(entries: &[(&str, Value)]) -> Success {
        Success::new(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn run_metadata() {
        let s = success(&[
            (
                "fields",
                Value::List(vec![Value::from("a"), Value::from("b")]),
            ),
            ("t_first", Value::from(3i64)),
            ("qid", Value::from(7i64)),
        ]);
        assert_eq!(s.fields(), ["a", "b"]);
        assert_eq!(s.t_first(), Some(3));
        assert_eq!(s.qid(), Some(7));
        assert!(!s.has_more());
        assert_eq!(s.bookmark(), None);
    }

    #[test]
    fn pull_metadata() {
        let mut stats = Map::new();
        stats.insert("nodes-created".into(), Value::from(2i64));
        let s = success(&[
            ("bookmark", Value::from("bm:1")),
            ("db", Value::from("neo4j")),
            ("type", Value::from("rw")),
            ("t_last", Value::from(1i64)),
            ("stats", Value::Map(stats)),
            ("statuses", Value::List(vec![Value::Map(Map::new())])),
            ("has_more", Value::from(false)),
        ]);
        assert_eq!(s.bookmark(), Some("bm:1"));
        assert_eq!(s.db(), Some("neo4j"));
        assert_eq!(s.query_type(), Some(QueryType::ReadWrite));
        assert_eq!(s.t_last(), Some(1));
        let st = s.stats().unwrap();
        assert_eq!(st.nodes_created, 2);
        assert!(st.contains_updates);
        assert!(!st.contains_system_updates);
        assert_eq!(s.statuses().len(), 1);
        assert!(s.notifications().is_empty());
        assert!(s.plan().is_none());
    }

    #[test]
    fn hello_metadata() {
        let mut hints = Map::new();
        hints.insert("telemetry.enabled".into(), Value::from(true));
        let s = success(&[
            ("server", Value::from("Neo4j/5.26.0")),
            ("connection_id", Value::from("bolt-1")),
            ("hints", Value::Map(hints)),
        ]);
        assert_eq!(s.server(), Some("Neo4j/5.26.0"));
        assert_eq!(s.connection_id(), Some("bolt-1"));
        assert_eq!(s.hints().unwrap().len(), 1);
        assert_eq!(s.clone().into_metadata().len(), 3);
    }
}
