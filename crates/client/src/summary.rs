//! What the server reported about a finished query.

use std::time::Duration;

use boltline_bolt::{Address, Map, QueryStats, QueryType, Success, Value, Version};

/// Update counters of a query; absent counters are zero.
pub type Counters = QueryStats;

/// The server a query ran on.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerInfo {
    /// The address connected to.
    pub address: Address,
    /// The server's agent, e.g. `Neo4j/5.26.0`.
    pub agent: String,
    /// The Bolt version of the connection.
    pub protocol_version: Version,
}

/// A position in the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputPosition {
    /// Character offset, from 0.
    pub offset: i64,
    /// Line, from 1.
    pub line: i64,
    /// Column, from 1.
    pub column: i64,
}

impl InputPosition {
    fn from_value(v: Option<&Value>) -> Option<InputPosition> {
        let m = v?.as_map()?;
        let n = |k: &str| m.get(k).and_then(Value::as_i64).unwrap_or(0);
        Some(InputPosition {
            offset: n("offset"),
            line: n("line"),
            column: n("column"),
        })
    }
}

/// A notification: the server's advice about the query (a deprecated
/// feature, a missing index, a cartesian product, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// Status code, e.g. `Neo.ClientNotification.Statement.CartesianProduct`.
    pub code: String,
    /// Short summary.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// `WARNING`, `INFORMATION` (or `UNKNOWN`).
    pub severity: String,
    /// `HINT`, `UNRECOGNIZED`, `PERFORMANCE`, `DEPRECATION`, ... (or `UNKNOWN`).
    pub category: String,
    /// Where in the query it applies.
    pub position: Option<InputPosition>,
}

impl Notification {
    /// Bolt 5.5+ servers send notifications only as GQL status objects
    /// (those with a `neo4j_code`); the official drivers derive the
    /// notification from them.
    fn from_status(v: &Value) -> Option<Notification> {
        let m = v.as_map()?;
        let code = m.get("neo4j_code")?.as_str()?.to_owned();
        let s = |k: &str| {
            m.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let diag = m.get("diagnostic_record").and_then(Value::as_map);
        let d = |k: &str| {
            diag.and_then(|d| d.get(k))
                .and_then(Value::as_str)
                .unwrap_or("UNKNOWN")
                .to_owned()
        };
        Some(Notification {
            code,
            title: s("title"),
            description: s("description"),
            severity: d("_severity"),
            category: d("_classification"),
            position: InputPosition::from_value(diag.and_then(|d| d.get("_position"))),
        })
    }

    fn from_value(v: &Value) -> Option<Notification> {
        let m = v.as_map()?;
        let s = |k: &str| {
            m.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let or_unknown = |k: &str| {
            let v = s(k);
            if v.is_empty() {
                "UNKNOWN".to_owned()
            } else {
                v
            }
        };
        Some(Notification {
            code: s("code"),
            title: s("title"),
            description: s("description"),
            severity: or_unknown("severity"),
            category: or_unknown("category"),
            position: InputPosition::from_value(m.get("position")),
        })
    }
}

/// A GQL status object (Bolt 5.5+): the outcome of the query and its
/// notifications in the GQL standard's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct GqlStatusObject {
    /// GQL status code, e.g. `00000` (success) or `01N50`.
    pub gql_status: String,
    /// Description of the status.
    pub status_description: String,
    /// Where in the query it applies.
    pub position: Option<InputPosition>,
    /// `_classification` of the diagnostic record.
    pub classification: String,
    /// `_severity` of the diagnostic record.
    pub severity: String,
    /// Whether it is also a notification.
    pub is_notification: bool,
    /// The diagnostic record as sent.
    pub diagnostic_record: Map,
}

impl GqlStatusObject {
    fn from_value(v: &Value) -> Option<GqlStatusObject> {
        let m = v.as_map()?;
        let s = |k: &str| {
            m.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let diagnostic_record = m
            .get("diagnostic_record")
            .and_then(Value::as_map)
            .cloned()
            .unwrap_or_default();
        let d = |k: &str| {
            diagnostic_record
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("UNKNOWN")
                .to_owned()
        };
        Some(GqlStatusObject {
            gql_status: s("gql_status"),
            status_description: s("status_description"),
            position: InputPosition::from_value(diagnostic_record.get("_position")),
            classification: d("_classification"),
            severity: d("_severity"),
            // Successful-completion and "no data" statuses are outcomes,
            // not notifications (GQL: classes 00 and 02).
            is_notification: m.contains_key("neo4j_code"),
            diagnostic_record,
        })
    }
}

/// One operator of an execution plan (`EXPLAIN`), or of a profile
/// (`PROFILE`) with the measured figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The operator, e.g. `ProduceResults@neo4j`.
    pub operator_type: String,
    /// Its arguments (estimates, expressions, ...).
    pub arguments: Map,
    /// Variables it produces.
    pub identifiers: Vec<String>,
    /// Operators feeding it.
    pub children: Vec<Plan>,
    /// Database hits (profiles only).
    pub db_hits: Option<i64>,
    /// Rows produced (profiles only).
    pub rows: Option<i64>,
    /// Page cache hits (profiles only).
    pub page_cache_hits: Option<i64>,
    /// Page cache misses (profiles only).
    pub page_cache_misses: Option<i64>,
    /// Time spent, in the server's unit (profiles only).
    pub time: Option<i64>,
}

impl Plan {
    fn from_map(m: &Map) -> Plan {
        let n = |k: &str| m.get(k).and_then(Value::as_i64);
        Plan {
            operator_type: m
                .get("operatorType")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            arguments: m
                .get("args")
                .and_then(Value::as_map)
                .cloned()
                .unwrap_or_default(),
            identifiers: m
                .get("identifiers")
                .and_then(Value::as_list)
                .map(|l| {
                    l.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            children: m
                .get("children")
                .and_then(Value::as_list)
                .map(|l| {
                    l.iter()
                        .filter_map(Value::as_map)
                        .map(Plan::from_map)
                        .collect()
                })
                .unwrap_or_default(),
            db_hits: n("dbHits"),
            rows: n("rows"),
            page_cache_hits: n("pageCacheHits"),
            page_cache_misses: n("pageCacheMisses"),
            time: n("time"),
        }
    }
}

/// The summary of a finished query.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultSummary {
    /// The query text.
    pub query: String,
    /// Its parameters.
    pub parameters: Map,
    /// Read, write, read-write or schema.
    pub query_type: Option<QueryType>,
    /// Update counters.
    pub counters: Counters,
    /// The database it ran on.
    pub database: Option<String>,
    /// The server.
    pub server: ServerInfo,
    /// Notifications.
    pub notifications: Vec<Notification>,
    /// GQL status objects (Bolt 5.5+).
    pub gql_status_objects: Vec<GqlStatusObject>,
    /// The plan, for `EXPLAIN`.
    pub plan: Option<Plan>,
    /// The profile, for `PROFILE`.
    pub profile: Option<Plan>,
    /// Time until the first record was available.
    pub result_available_after: Option<Duration>,
    /// Time until the last record was consumed.
    pub result_consumed_after: Option<Duration>,
    /// The bookmark of the transaction, for auto-commit queries.
    pub bookmark: Option<String>,
    /// Every metadata entry of the final reply, as sent.
    pub metadata: Map,
}

impl ResultSummary {
    pub(crate) fn new(
        query: String,
        parameters: Map,
        server: ServerInfo,
        run: &Success,
        end: &Success,
    ) -> ResultSummary {
        let millis = |v: Option<i64>| {
            v.and_then(|ms| u64::try_from(ms).ok())
                .map(Duration::from_millis)
        };
        ResultSummary {
            query,
            parameters,
            query_type: end.query_type(),
            counters: end.stats().unwrap_or_default(),
            database: end.db().or_else(|| run.db()).map(str::to_owned),
            server,
            notifications: if end.get("notifications").is_some() {
                end.notifications()
                    .iter()
                    .filter_map(Notification::from_value)
                    .collect()
            } else {
                end.statuses()
                    .iter()
                    .filter_map(Notification::from_status)
                    .collect()
            },
            gql_status_objects: end
                .statuses()
                .iter()
                .filter_map(GqlStatusObject::from_value)
                .collect(),
            plan: end.plan().map(Plan::from_map),
            profile: end.profile().map(Plan::from_map),
            result_available_after: millis(run.t_first()),
            result_consumed_after: millis(end.t_last()),
            bookmark: end.bookmark().map(str::to_owned),
            metadata: end.metadata().clone(),
        }
    }
}
