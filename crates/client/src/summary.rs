//! What the server reported about a finished query.

use std::time::Duration;

use boltline_bolt::{Address, Map, QueryStats, QueryType, Success, Value, Version};

/// Update counters of a query; absent counters are zero.
pub type Counters = QueryStats;

/// The server a query ran on.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServerInfo {
    /// The address connected to.
    pub(crate) address: Address,
    /// The server's agent, e.g. `Neo4j/5.26.0`.
    pub(crate) agent: String,
    /// The Bolt version of the connection.
    pub(crate) protocol_version: Version,
}

impl ServerInfo {
    /// The address connected to.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The server's agent, e.g. `Neo4j/5.26.0`.
    pub fn agent(&self) -> &str {
        &self.agent
    }

    /// The Bolt version of the connection.
    pub fn protocol_version(&self) -> Version {
        self.protocol_version
    }
}

/// A position in the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputPosition {
    /// Character offset, from 0.
    pub(crate) offset: i64,
    /// Line, from 1.
    pub(crate) line: i64,
    /// Column, from 1.
    pub(crate) column: i64,
}

impl InputPosition {
    /// Character offset, from 0.
    pub fn offset(&self) -> i64 {
        self.offset
    }

    /// Line, from 1.
    pub fn line(&self) -> i64 {
        self.line
    }

    /// Column, from 1.
    pub fn column(&self) -> i64 {
        self.column
    }
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

/// How serious a notification (or a GQL status that is one) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SeverityLevel {
    /// `WARNING`: the query may not do what was meant, or is slow.
    Warning,
    /// `INFORMATION`: worth knowing, nothing wrong.
    Information,
    /// Missing, or a level this driver does not know (see the raw value).
    Unknown,
}

impl SeverityLevel {
    fn parse(raw: Option<&str>) -> SeverityLevel {
        match raw {
            Some("WARNING") => SeverityLevel::Warning,
            Some("INFORMATION") => SeverityLevel::Information,
            _ => SeverityLevel::Unknown,
        }
    }

    /// The protocol's name (`UNKNOWN` for [`SeverityLevel::Unknown`]).
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityLevel::Warning => "WARNING",
            SeverityLevel::Information => "INFORMATION",
            SeverityLevel::Unknown => "UNKNOWN",
        }
    }
}

/// What a notification (or a GQL status that is one) is about: its
/// category before Bolt 5.6, its classification since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotificationClassification {
    /// A hint the planner could not follow.
    Hint,
    /// An unknown label, relationship type or property.
    Unrecognized,
    /// An unsupported or experimental feature.
    Unsupported,
    /// A performance problem (e.g. a cartesian product).
    Performance,
    /// A deprecated feature.
    Deprecation,
    /// A security matter.
    Security,
    /// A cluster topology matter.
    Topology,
    /// Anything else the server reports.
    Generic,
    /// A schema matter (indexes, constraints).
    Schema,
    /// Missing, or a classification this driver does not know (see the raw
    /// value).
    Unknown,
}

impl NotificationClassification {
    fn parse(raw: Option<&str>) -> NotificationClassification {
        use NotificationClassification as C;
        match raw {
            Some("HINT") => C::Hint,
            Some("UNRECOGNIZED") => C::Unrecognized,
            Some("UNSUPPORTED") => C::Unsupported,
            Some("PERFORMANCE") => C::Performance,
            Some("DEPRECATION") => C::Deprecation,
            Some("SECURITY") => C::Security,
            Some("TOPOLOGY") => C::Topology,
            Some("GENERIC") => C::Generic,
            Some("SCHEMA") => C::Schema,
            _ => C::Unknown,
        }
    }

    /// The protocol's name (`UNKNOWN` for [`NotificationClassification::Unknown`]).
    pub fn as_str(self) -> &'static str {
        use NotificationClassification as C;
        match self {
            C::Hint => "HINT",
            C::Unrecognized => "UNRECOGNIZED",
            C::Unsupported => "UNSUPPORTED",
            C::Performance => "PERFORMANCE",
            C::Deprecation => "DEPRECATION",
            C::Security => "SECURITY",
            C::Topology => "TOPOLOGY",
            C::Generic => "GENERIC",
            C::Schema => "SCHEMA",
            C::Unknown => "UNKNOWN",
        }
    }
}

/// A notification: the server's advice about the query (a deprecated
/// feature, a missing index, a cartesian product, ...).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notification {
    /// Status code, e.g. `Neo.ClientNotification.Statement.CartesianProduct`.
    pub(crate) code: String,
    /// Short summary.
    pub(crate) title: String,
    /// Longer description.
    pub(crate) description: String,
    /// The severity, parsed.
    pub(crate) severity_level: SeverityLevel,
    /// The severity as the server sent it (`None` if it sent none).
    pub(crate) raw_severity_level: Option<String>,
    /// The category (classification since Bolt 5.6), parsed.
    pub(crate) category: NotificationClassification,
    /// The category as the server sent it (`None` if it sent none).
    pub(crate) raw_category: Option<String>,
    /// Where in the query it applies.
    pub(crate) position: Option<InputPosition>,
}

impl Notification {
    /// Status code, e.g. `Neo.ClientNotification.Statement.CartesianProduct`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Short summary.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Longer description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The severity, parsed.
    pub fn severity_level(&self) -> SeverityLevel {
        self.severity_level
    }

    /// The severity as the server sent it (`None` if it sent none).
    pub fn raw_severity_level(&self) -> Option<&str> {
        self.raw_severity_level.as_deref()
    }

    /// The category (classification since Bolt 5.6), parsed.
    pub fn category(&self) -> NotificationClassification {
        self.category
    }

    /// The category as the server sent it (`None` if it sent none).
    pub fn raw_category(&self) -> Option<&str> {
        self.raw_category.as_deref()
    }

    /// Where in the query it applies.
    pub fn position(&self) -> Option<InputPosition> {
        self.position
    }
}

fn text(m: &Map, k: &str) -> Option<String> {
    m.get(k).and_then(Value::as_str).map(str::to_owned)
}

impl Notification {
    /// Bolt 5.6+ servers send notifications only as GQL status objects
    /// (those with a `neo4j_code`); the notification is derived from them.
    fn from_status(v: &Value) -> Option<Notification> {
        let m = v.as_map()?;
        let code = m.get("neo4j_code")?.as_str()?.to_owned();
        let empty = Map::new();
        let diag = m
            .get("diagnostic_record")
            .and_then(Value::as_map)
            .unwrap_or(&empty);
        Some(Notification::new(
            code,
            m,
            text(diag, "_severity"),
            text(diag, "_classification"),
            diag.get("_position"),
        ))
    }

    fn from_value(v: &Value) -> Option<Notification> {
        let m = v.as_map()?;
        Some(Notification::new(
            text(m, "code").unwrap_or_default(),
            m,
            text(m, "severity"),
            text(m, "category"),
            m.get("position"),
        ))
    }

    /// Title and description from `m`; severity and category parsed from
    /// their raw values.
    fn new(
        code: String,
        m: &Map,
        raw_severity_level: Option<String>,
        raw_category: Option<String>,
        position: Option<&Value>,
    ) -> Notification {
        Notification {
            code,
            title: text(m, "title").unwrap_or_default(),
            description: text(m, "description").unwrap_or_default(),
            severity_level: SeverityLevel::parse(raw_severity_level.as_deref()),
            raw_severity_level,
            category: NotificationClassification::parse(raw_category.as_deref()),
            raw_category,
            position: InputPosition::from_value(position),
        }
    }
}

/// A GQL status object: the outcome of the query, or one of its
/// notifications, in the GQL standard's terms.
///
/// Bolt 5.6+ servers send them; for older servers the driver derives them
/// from the notifications and the shape of the result, as the official
/// drivers do: `00000` (success), `00001` (success, no result columns) or
/// `02000` (no data), plus `01N42` / `03N42` for each warning / other
/// notification. The list is then ordered "no data" first, then warnings,
/// then success, then information; a server's own list is kept as sent.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GqlStatusObject {
    /// GQL status code, e.g. `00000` (success) or `01N50`.
    pub(crate) gql_status: String,
    /// Description of the status.
    pub(crate) status_description: String,
    /// Where in the query it applies.
    pub(crate) position: Option<InputPosition>,
    /// The diagnostic record's `_classification`, parsed.
    pub(crate) classification: NotificationClassification,
    /// `_classification` as sent (`None` when absent or not text).
    pub(crate) raw_classification: Option<String>,
    /// The diagnostic record's `_severity`, parsed.
    pub(crate) severity: SeverityLevel,
    /// `_severity` as sent (`None` when absent or not text).
    pub(crate) raw_severity: Option<String>,
    /// Whether it is also a notification (it carries a Neo4j code).
    pub(crate) is_notification: bool,
    /// The diagnostic record, with `OPERATION` (`""`), `OPERATION_CODE`
    /// (`"0"`) and `CURRENT_SCHEMA` (`"/"`) filled in when missing; other
    /// entries as sent.
    pub(crate) diagnostic_record: Map,
}

impl GqlStatusObject {
    /// GQL status code, e.g. `00000` (success) or `01N50`.
    pub fn gql_status(&self) -> &str {
        &self.gql_status
    }

    /// Description of the status.
    pub fn status_description(&self) -> &str {
        &self.status_description
    }

    /// Where in the query it applies.
    pub fn position(&self) -> Option<InputPosition> {
        self.position
    }

    /// The diagnostic record's `_classification`, parsed.
    pub fn classification(&self) -> NotificationClassification {
        self.classification
    }

    /// `_classification` as sent (`None` when absent or not text).
    pub fn raw_classification(&self) -> Option<&str> {
        self.raw_classification.as_deref()
    }

    /// The diagnostic record's `_severity`, parsed.
    pub fn severity(&self) -> SeverityLevel {
        self.severity
    }

    /// `_severity` as sent (`None` when absent or not text).
    pub fn raw_severity(&self) -> Option<&str> {
        self.raw_severity.as_deref()
    }

    /// Whether it is also a notification (it carries a Neo4j code).
    pub fn is_notification(&self) -> bool {
        self.is_notification
    }

    /// The diagnostic record, with `OPERATION` (`""`), `OPERATION_CODE`
    /// (`"0"`) and `CURRENT_SCHEMA` (`"/"`) filled in when missing; other
    /// entries as sent.
    pub fn diagnostic_record(&self) -> &Map {
        &self.diagnostic_record
    }
}

/// The diagnostic record's entries every status has, with their defaults.
const DIAGNOSTIC_DEFAULTS: [(&str, &str); 3] = [
    ("OPERATION", ""),
    ("OPERATION_CODE", "0"),
    ("CURRENT_SCHEMA", "/"),
];

fn default_diagnostic_record() -> Map {
    let mut m = Map::new();
    for (k, v) in DIAGNOSTIC_DEFAULTS {
        m.insert(k.to_owned(), Value::from(v));
    }
    m
}

impl GqlStatusObject {
    /// A status as a Bolt 5.6+ server sent it.
    fn from_value(v: &Value) -> Option<GqlStatusObject> {
        let m = v.as_map()?;
        let mut diagnostic_record = m
            .get("diagnostic_record")
            .and_then(Value::as_map)
            .cloned()
            .unwrap_or_default();
        for (k, v) in DIAGNOSTIC_DEFAULTS {
            if !diagnostic_record.contains_key(k) {
                diagnostic_record.insert(k.to_owned(), Value::from(v));
            }
        }
        let raw_classification = text(&diagnostic_record, "_classification");
        let raw_severity = text(&diagnostic_record, "_severity");
        Some(GqlStatusObject {
            gql_status: text(m, "gql_status").unwrap_or_default(),
            status_description: text(m, "status_description").unwrap_or_default(),
            position: InputPosition::from_value(diagnostic_record.get("_position")),
            classification: NotificationClassification::parse(raw_classification.as_deref()),
            raw_classification,
            severity: SeverityLevel::parse(raw_severity.as_deref()),
            raw_severity,
            is_notification: m.get("neo4j_code").is_some_and(|c| !c.is_null()),
            diagnostic_record,
        })
    }

    /// An outcome status the driver derives for a pre-5.6 server.
    fn outcome(gql_status: &str, status_description: &str) -> GqlStatusObject {
        GqlStatusObject {
            gql_status: gql_status.to_owned(),
            status_description: status_description.to_owned(),
            position: None,
            classification: NotificationClassification::Unknown,
            raw_classification: None,
            severity: SeverityLevel::Unknown,
            raw_severity: None,
            is_notification: false,
            diagnostic_record: default_diagnostic_record(),
        }
    }

    /// The status a pre-5.6 server's notification stands for.
    fn from_notification(v: &Value) -> Option<GqlStatusObject> {
        let m = v.as_map()?;
        let raw_severity = text(m, "severity");
        let raw_classification = text(m, "category");
        let warning = raw_severity.as_deref() == Some("WARNING");
        let (gql_status, fallback) = if warning {
            ("01N42", "warn: unknown warning")
        } else {
            ("03N42", "info: unknown notification")
        };
        let mut diagnostic_record = default_diagnostic_record();
        if let Some(s) = &raw_severity {
            diagnostic_record.insert("_severity".into(), Value::from(s.as_str()));
        }
        if let Some(c) = &raw_classification {
            diagnostic_record.insert("_classification".into(), Value::from(c.as_str()));
        }
        if let Some(p) = m.get("position").filter(|p| p.as_map().is_some()) {
            diagnostic_record.insert("_position".into(), p.clone());
        }
        Some(GqlStatusObject {
            gql_status: gql_status.to_owned(),
            status_description: text(m, "description").unwrap_or_else(|| fallback.to_owned()),
            position: InputPosition::from_value(m.get("position")),
            classification: NotificationClassification::parse(raw_classification.as_deref()),
            raw_classification,
            severity: SeverityLevel::parse(raw_severity.as_deref()),
            raw_severity,
            is_notification: true,
            diagnostic_record,
        })
    }
}

/// How a result ended, as far as GQL statuses derived for pre-5.6 servers
/// care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResultShape {
    /// The result has columns.
    pub(crate) has_keys: bool,
    /// The server sent at least one record.
    pub(crate) had_record: bool,
}

/// GQL status objects for a server that sends only notifications.
fn derived_statuses(notifications: &[Value], shape: ResultShape) -> Vec<GqlStatusObject> {
    let outcome = if shape.had_record {
        GqlStatusObject::outcome("00000", "note: successful completion")
    } else if shape.has_keys {
        GqlStatusObject::outcome("02000", "note: no data")
    } else {
        GqlStatusObject::outcome("00001", "note: successful completion - omitted result")
    };
    let mut all = vec![outcome];
    all.extend(
        notifications
            .iter()
            .filter_map(GqlStatusObject::from_notification),
    );
    // No data first, then warnings, success, information (a stable sort
    // keeps the server's order within each class).
    all.sort_by_key(|s| match s.gql_status.get(..2) {
        Some("02") => 0,
        Some("01") => 1,
        Some("00") => 2,
        Some("03") => 3,
        _ => 4,
    });
    all
}

/// One operator of an execution plan (`EXPLAIN`), or of a profile
/// (`PROFILE`) with the measured figures.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Plan {
    /// The operator, e.g. `ProduceResults@neo4j`.
    pub(crate) operator_type: String,
    /// Its arguments (estimates, expressions, ...).
    pub(crate) arguments: Map,
    /// Variables it produces.
    pub(crate) identifiers: Vec<String>,
    /// Operators feeding it.
    pub(crate) children: Vec<Plan>,
    /// Database hits (profiles only).
    pub(crate) db_hits: Option<i64>,
    /// Rows produced (profiles only).
    pub(crate) rows: Option<i64>,
    /// Page cache hits (profiles only).
    pub(crate) page_cache_hits: Option<i64>,
    /// Page cache misses (profiles only).
    pub(crate) page_cache_misses: Option<i64>,
    /// Time spent, in the server's unit (profiles only).
    pub(crate) time: Option<i64>,
}

impl Plan {
    /// The operator, e.g. `ProduceResults@neo4j`.
    pub fn operator_type(&self) -> &str {
        &self.operator_type
    }

    /// Its arguments (estimates, expressions, ...).
    pub fn arguments(&self) -> &Map {
        &self.arguments
    }

    /// Variables it produces.
    pub fn identifiers(&self) -> &[String] {
        &self.identifiers
    }

    /// Operators feeding it.
    pub fn children(&self) -> &[Plan] {
        &self.children
    }

    /// Database hits (profiles only).
    pub fn db_hits(&self) -> Option<i64> {
        self.db_hits
    }

    /// Rows produced (profiles only).
    pub fn rows(&self) -> Option<i64> {
        self.rows
    }

    /// Page cache hits (profiles only).
    pub fn page_cache_hits(&self) -> Option<i64> {
        self.page_cache_hits
    }

    /// Page cache misses (profiles only).
    pub fn page_cache_misses(&self) -> Option<i64> {
        self.page_cache_misses
    }

    /// Time spent, in the server's unit (profiles only).
    pub fn time(&self) -> Option<i64> {
        self.time
    }
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
#[non_exhaustive]
pub struct ResultSummary {
    /// The query text.
    pub(crate) query: String,
    /// Its parameters.
    pub(crate) parameters: Map,
    /// Read, write, read-write or schema.
    pub(crate) query_type: Option<QueryType>,
    /// Update counters.
    pub(crate) counters: Counters,
    /// The database it ran on.
    pub(crate) database: Option<String>,
    /// The server.
    pub(crate) server: ServerInfo,
    /// Notifications.
    pub(crate) notifications: Vec<Notification>,
    /// GQL status objects (Bolt 5.5+).
    pub(crate) gql_status_objects: Vec<GqlStatusObject>,
    /// The plan, for `EXPLAIN`.
    pub(crate) plan: Option<Plan>,
    /// The profile, for `PROFILE`.
    pub(crate) profile: Option<Plan>,
    /// Time until the first record was available.
    pub(crate) result_available_after: Option<Duration>,
    /// Time until the last record was consumed.
    pub(crate) result_consumed_after: Option<Duration>,
    /// The bookmark of the transaction, for auto-commit queries.
    pub(crate) bookmark: Option<String>,
    /// Every metadata entry of the final reply, as sent.
    pub(crate) metadata: Map,
}

impl ResultSummary {
    /// The query text.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// Its parameters.
    pub fn parameters(&self) -> &Map {
        &self.parameters
    }

    /// Read, write, read-write or schema.
    pub fn query_type(&self) -> Option<QueryType> {
        self.query_type
    }

    /// Update counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// The database it ran on.
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The server.
    pub fn server(&self) -> &ServerInfo {
        &self.server
    }

    /// Notifications.
    pub fn notifications(&self) -> &[Notification] {
        &self.notifications
    }

    /// GQL status objects (Bolt 5.5+).
    pub fn gql_status_objects(&self) -> &[GqlStatusObject] {
        &self.gql_status_objects
    }

    /// The plan, for `EXPLAIN`.
    pub fn plan(&self) -> Option<&Plan> {
        self.plan.as_ref()
    }

    /// The profile, for `PROFILE`.
    pub fn profile(&self) -> Option<&Plan> {
        self.profile.as_ref()
    }

    /// Time until the first record was available.
    pub fn result_available_after(&self) -> Option<Duration> {
        self.result_available_after
    }

    /// Time until the last record was consumed.
    pub fn result_consumed_after(&self) -> Option<Duration> {
        self.result_consumed_after
    }

    /// The bookmark of the transaction, for auto-commit queries.
    pub fn bookmark(&self) -> Option<&str> {
        self.bookmark.as_deref()
    }

    /// Every metadata entry of the final reply, as sent.
    pub fn metadata(&self) -> &Map {
        &self.metadata
    }
}

impl ResultSummary {
    pub(crate) fn new(
        query: String,
        parameters: Map,
        server: ServerInfo,
        run: &Success,
        end: &Success,
        shape: ResultShape,
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
            notifications: if end.get("statuses").is_some() {
                end.statuses()
                    .iter()
                    .filter_map(Notification::from_status)
                    .collect()
            } else {
                end.notifications()
                    .iter()
                    .filter_map(Notification::from_value)
                    .collect()
            },
            gql_status_objects: if end.get("statuses").is_some() {
                end.statuses()
                    .iter()
                    .filter_map(GqlStatusObject::from_value)
                    .collect()
            } else {
                derived_statuses(end.notifications(), shape)
            },
            plan: end.plan().map(Plan::from_map),
            profile: end.profile().map(Plan::from_map),
            result_available_after: millis(run.t_first()),
            result_consumed_after: millis(end.t_last()),
            bookmark: end.bookmark().map(str::to_owned),
            metadata: end.metadata().clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn notification(severity: Option<&str>, description: Option<&str>) -> Value {
        let mut e = vec![
            ("code", Value::from("Neo.ClientNotification.Statement.X")),
            ("title", Value::from("t")),
            ("category", Value::from("HINT")),
            (
                "position",
                map(&[
                    ("offset", Value::from(8i64)),
                    ("line", Value::from(1i64)),
                    ("column", Value::from(9i64)),
                ]),
            ),
        ];
        if let Some(s) = severity {
            e.push(("severity", Value::from(s)));
        }
        if let Some(d) = description {
            e.push(("description", Value::from(d)));
        }
        map(&e)
    }

    fn codes(list: &[GqlStatusObject]) -> Vec<&str> {
        list.iter().map(|s| s.gql_status.as_str()).collect()
    }

    #[test]
    fn outcome_follows_the_shape_of_the_result() {
        let shape = |has_keys, had_record| ResultShape {
            has_keys,
            had_record,
        };
        assert_eq!(codes(&derived_statuses(&[], shape(true, true))), ["00000"]);
        assert_eq!(codes(&derived_statuses(&[], shape(true, false))), ["02000"]);
        assert_eq!(
            codes(&derived_statuses(&[], shape(false, false))),
            ["00001"]
        );
        let s = &derived_statuses(&[], shape(true, true))[0];
        assert!(!s.is_notification);
        assert_eq!(s.severity, SeverityLevel::Unknown);
        assert_eq!(s.raw_severity, None);
        assert_eq!(s.position, None);
        assert_eq!(s.diagnostic_record, default_diagnostic_record());
    }

    #[test]
    fn notifications_become_statuses_in_gql_order() {
        let ns = [
            notification(Some("INFORMATION"), Some("i1")),
            notification(Some("WARNING"), Some("w1")),
            notification(Some("BANANA"), None),
            notification(Some("WARNING"), None),
        ];
        let shape = ResultShape {
            has_keys: true,
            had_record: true,
        };
        let all = derived_statuses(&ns, shape);
        assert_eq!(codes(&all), ["01N42", "01N42", "00000", "03N42", "03N42"]);
        assert_eq!(all[0].status_description, "w1");
        assert_eq!(all[1].status_description, "warn: unknown warning");
        assert_eq!(all[3].status_description, "i1");
        assert_eq!(all[4].status_description, "info: unknown notification");
        assert_eq!(all[4].severity, SeverityLevel::Unknown);
        assert_eq!(all[4].raw_severity.as_deref(), Some("BANANA"));
        assert_eq!(all[0].classification, NotificationClassification::Hint);
        assert!(all[0].is_notification);
        assert_eq!(
            all[0].position,
            Some(InputPosition {
                offset: 8,
                line: 1,
                column: 9
            })
        );
        let d = &all[0].diagnostic_record;
        assert_eq!(d.get("_severity"), Some(&Value::from("WARNING")));
        assert_eq!(d.get("OPERATION_CODE"), Some(&Value::from("0")));
        assert!(d.contains_key("_position"));
        // No data goes first of all.
        let no_data = ResultShape {
            has_keys: true,
            had_record: false,
        };
        assert_eq!(codes(&derived_statuses(&ns[..2], no_data))[0], "02000");
    }

    #[test]
    fn server_statuses_keep_their_order_and_get_defaults() {
        let status = map(&[
            ("gql_status", Value::from("01N01")),
            ("status_description", Value::from("warn: x")),
            ("neo4j_code", Value::from("Neo.ClientNotification.Foo.Bar")),
            (
                "diagnostic_record",
                map(&[
                    ("OPERATION", Value::Null),
                    ("_severity", Value::from("WARNING")),
                    ("_classification", Value::from("ANYCAT")),
                ]),
            ),
        ]);
        let s = GqlStatusObject::from_value(&status).expect("a map");
        assert!(s.is_notification);
        assert_eq!(s.severity, SeverityLevel::Warning);
        assert_eq!(s.classification, NotificationClassification::Unknown);
        assert_eq!(s.raw_classification.as_deref(), Some("ANYCAT"));
        // Present (even null) entries are kept; missing ones are filled.
        assert_eq!(s.diagnostic_record.get("OPERATION"), Some(&Value::Null));
        assert_eq!(
            s.diagnostic_record.get("CURRENT_SCHEMA"),
            Some(&Value::from("/"))
        );
        let n = Notification::from_status(&status).expect("has a neo4j_code");
        assert_eq!(n.code, "Neo.ClientNotification.Foo.Bar");
        assert_eq!(n.severity_level, SeverityLevel::Warning);
        assert_eq!(n.raw_category.as_deref(), Some("ANYCAT"));
        let success = map(&[("gql_status", Value::from("00000"))]);
        assert!(Notification::from_status(&success).is_none());
        assert!(
            !GqlStatusObject::from_value(&success)
                .unwrap()
                .is_notification
        );
    }
}
