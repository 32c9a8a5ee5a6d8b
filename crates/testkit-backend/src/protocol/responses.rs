//! Every response (and backend-initiated callback request) testkit
//! understands, with builders for the common ones.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{AuthToken, Id};
use crate::cypher::CypherValue;

/// A message from the backend to testkit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "name", content = "data")]
pub enum Response {
    /// Answer to GetFeatures.
    FeatureList {
        /// Feature names, e.g. `Feature:Bolt:5.0`.
        features: Vec<String>,
    },
    /// Run the test.
    RunTest {},
    /// Run the test, asking per subtest.
    RunSubTests {},
    /// Skip the test.
    SkipTest {
        /// Why; names the missing piece.
        reason: String,
    },
    /// A driver.
    Driver {
        /// Its id.
        id: Id,
    },
    /// A custom auth token manager.
    AuthTokenManager {
        /// Its id.
        id: Id,
    },
    /// Callback: the driver asks a custom manager for a token.
    AuthTokenManagerGetAuthRequest {
        /// The callback request's id.
        id: Id,
        /// The manager.
        #[serde(rename = "authTokenManagerId")]
        auth_token_manager_id: Id,
    },
    /// Callback: the driver reports a security error to a custom manager.
    AuthTokenManagerHandleSecurityExceptionRequest {
        /// The callback request's id.
        id: Id,
        /// The manager.
        #[serde(rename = "authTokenManagerId")]
        auth_token_manager_id: Id,
        /// The token that failed.
        auth: AuthToken,
        /// The server's error code.
        #[serde(rename = "errorCode")]
        error_code: String,
    },
    /// A basic (password rotation) auth token manager.
    BasicAuthTokenManager {
        /// Its id.
        id: Id,
    },
    /// Callback: the basic manager asks for a token.
    BasicAuthTokenProviderRequest {
        /// The callback request's id.
        id: Id,
        /// The manager.
        #[serde(rename = "basicAuthTokenManagerId")]
        basic_auth_token_manager_id: Id,
    },
    /// A bearer (expiring token) auth token manager.
    BearerAuthTokenManager {
        /// Its id.
        id: Id,
    },
    /// Callback: the bearer manager asks for a token.
    BearerAuthTokenProviderRequest {
        /// The callback request's id.
        id: Id,
        /// The manager.
        #[serde(rename = "bearerAuthTokenManagerId")]
        bearer_auth_token_manager_id: Id,
    },
    /// A client certificate provider.
    ClientCertificateProvider {
        /// Its id.
        id: Id,
    },
    /// Callback: the driver asks the provider for a certificate.
    ClientCertificateProviderRequest {
        /// The callback request's id.
        id: Id,
        /// The provider.
        #[serde(rename = "clientCertificateProviderId")]
        client_certificate_provider_id: Id,
    },
    /// Callback: the driver asks the custom resolver.
    ResolverResolutionRequired {
        /// The callback request's id.
        id: Id,
        /// The address to resolve.
        address: String,
    },
    /// A bookmark manager.
    BookmarkManager {
        /// Its id.
        id: Id,
    },
    /// Callback: a bookmark manager asks its supplier.
    BookmarksSupplierRequest {
        /// The callback request's id.
        id: Id,
        /// The manager.
        #[serde(rename = "bookmarkManagerId")]
        bookmark_manager_id: Id,
    },
    /// Callback: a bookmark manager tells its consumer.
    BookmarksConsumerRequest {
        /// The callback request's id.
        id: Id,
        /// The manager.
        #[serde(rename = "bookmarkManagerId")]
        bookmark_manager_id: Id,
        /// The new bookmarks.
        bookmarks: Vec<String>,
    },
    /// Callback: the driver asks the DNS resolver.
    DomainNameResolutionRequired {
        /// The callback request's id.
        id: Id,
        /// The host name.
        name: String,
    },
    /// Answer to CheckMultiDBSupport.
    MultiDBSupport {
        /// The driver.
        id: Id,
        /// Whether supported.
        available: bool,
    },
    /// Answer to VerifyAuthentication.
    DriverIsAuthenticated {
        /// The driver.
        id: Id,
        /// Whether the server accepted the token.
        authenticated: bool,
    },
    /// Answer to CheckSessionAuthSupport.
    SessionAuthSupport {
        /// The driver.
        id: Id,
        /// Whether supported.
        available: bool,
    },
    /// Answer to CheckDriverIsEncrypted.
    DriverIsEncrypted {
        /// Whether encrypted.
        encrypted: bool,
    },
    /// A session.
    Session {
        /// Its id.
        id: Id,
    },
    /// A transaction.
    Transaction {
        /// Its id.
        id: Id,
    },
    /// A result.
    Result {
        /// Its id.
        id: Id,
        /// Its keys.
        keys: Vec<String>,
    },
    /// A record.
    Record {
        /// Its values, in key order.
        values: Vec<CypherValue>,
    },
    /// Answer to CypherTypeField.
    Field {
        /// The field's value.
        value: CypherValue,
    },
    /// No more records.
    NullRecord {},
    /// Answer to ResultList.
    RecordList {
        /// The records.
        records: Vec<RecordValues>,
    },
    /// Answer to ResultSingleOptional.
    RecordOptional {
        /// The record, if any.
        record: Option<RecordValues>,
        /// Warnings (e.g. more records were left).
        warnings: Vec<String>,
    },
    /// Answer to ResultConsume.
    Summary(Box<Summary>),
    /// Answer to GetServerInfo.
    ServerInfo(ServerInfo),
    /// Answer to SessionLastBookmarks.
    Bookmarks {
        /// The bookmarks.
        bookmarks: Vec<String>,
    },
    /// A managed transaction attempt: testkit runs its function with this
    /// transaction id.
    RetryableTry {
        /// The transaction.
        id: Id,
    },
    /// The managed transaction committed.
    RetryableDone {},
    /// Answer to GetRoutingTable.
    RoutingTable {
        /// The database.
        database: Option<String>,
        /// Time to live in seconds.
        ttl: i64,
        /// Routers.
        routers: Vec<String>,
        /// Readers.
        readers: Vec<String>,
        /// Writers.
        writers: Vec<String>,
    },
    /// Answer to GetConnectionPoolMetrics.
    ConnectionPoolMetrics {
        /// Connections in use.
        #[serde(rename = "inUse")]
        in_use: u64,
        /// Idle connections.
        idle: u64,
    },
    /// Answer to ExecuteQuery.
    EagerResult {
        /// Keys.
        keys: Vec<String>,
        /// Records.
        records: Vec<RecordValues>,
        /// Summary.
        summary: Box<Summary>,
    },
    /// Answer to the fake time requests.
    FakeTimeAck {},
    /// An error raised by the driver.
    DriverError(Box<DriverError>),
    /// An error raised by testkit's own code, reported back (e.g. a managed
    /// transaction function that failed outside the driver).
    FrontendError {
        /// Message.
        msg: String,
    },
    /// An error of the backend itself (not the driver).
    BackendError {
        /// Message.
        msg: String,
    },
}

/// The values of one record, as nested in RecordList and friends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordValues {
    /// Values in key order.
    pub values: Vec<CypherValue>,
}

/// Server identity, alone or inside a [`Summary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    /// `host:port` the driver talked to.
    pub address: String,
    /// Server agent string.
    pub agent: String,
    /// Bolt version, e.g. `"5.4"`.
    pub protocol_version: String,
}

/// Update counters of a [`Summary`].
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(missing_docs)] // each field is the server's counter of the same name
pub struct SummaryCounters {
    pub constraints_added: i64,
    pub constraints_removed: i64,
    pub contains_system_updates: bool,
    pub contains_updates: bool,
    pub indexes_added: i64,
    pub indexes_removed: i64,
    pub labels_added: i64,
    pub labels_removed: i64,
    pub nodes_created: i64,
    pub nodes_deleted: i64,
    pub properties_set: i64,
    pub relationships_created: i64,
    pub relationships_deleted: i64,
    pub system_updates: i64,
}

/// The query a [`Summary`] is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryQuery {
    /// Query text.
    pub text: String,
    /// Parameters.
    pub parameters: BTreeMap<String, CypherValue>,
}

/// Position of a notification or status in the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InputPosition {
    /// Column (1-based).
    pub column: i64,
    /// Line (1-based).
    pub line: i64,
    /// Character offset (0-based).
    pub offset: i64,
}

/// A GQL status object of a [`Summary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlStatusObject {
    /// GQLSTATUS code.
    pub gql_status: String,
    /// Description.
    pub status_description: String,
    /// Position.
    pub position: Option<InputPosition>,
    /// Classification (driver's enum, as text).
    pub classification: String,
    /// Classification as the server sent it.
    pub raw_classification: Option<String>,
    /// Severity (driver's enum, as text).
    pub severity: String,
    /// Severity as the server sent it.
    pub raw_severity: Option<String>,
    /// Diagnostic record, values as Cypher values.
    pub diagnostic_record: BTreeMap<String, CypherValue>,
    /// Whether this status is also a notification.
    pub is_notification: bool,
}

/// Answer to ResultConsume (and part of EagerResult).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Server identity.
    pub server_info: ServerInfo,
    /// Update counters.
    pub counters: SummaryCounters,
    /// The query.
    pub query: SummaryQuery,
    /// Database.
    pub database: Option<String>,
    /// Notifications as plain JSON (testkit compares the server's maps,
    /// plus fields the driver derives), or `None` when there were none.
    pub notifications: Option<serde_json::Value>,
    /// GQL status objects.
    pub gql_status_objects: Vec<GqlStatusObject>,
    /// Plan as plain JSON.
    pub plan: Option<serde_json::Value>,
    /// Profile as plain JSON.
    pub profile: Option<serde_json::Value>,
    /// `r`, `w`, `rw` or `s`.
    pub query_type: Option<String>,
    /// Milliseconds until the first record was available.
    pub result_available_after: Option<i64>,
    /// Milliseconds until the result was consumed.
    pub result_consumed_after: Option<i64>,
}

/// A driver error as testkit sees it. The backend keeps the error itself in
/// its error registry under `id`, so testkit can refer to it later (e.g. in
/// RetryableNegative).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriverError {
    /// Registry id of the error.
    pub id: Option<Id>,
    /// The error's type name; testkit compares it per driver name.
    pub error_type: String,
    /// Message.
    pub msg: String,
    /// Neo4j status code, `""` when none.
    pub code: String,
    /// Whether the driver would retry it.
    pub retryable: Option<bool>,
    /// GQLSTATUS code.
    pub gql_status: Option<String>,
    /// GQL status description.
    pub status_description: Option<String>,
    /// The GQL cause chain.
    pub cause: Option<GqlCause>,
    /// GQL diagnostic record, values as Cypher values.
    pub diagnostic_record: Option<BTreeMap<String, CypherValue>>,
    /// GQL classification (driver's enum, as text).
    pub classification: Option<String>,
    /// Classification as the server sent it.
    pub raw_classification: Option<String>,
}

/// A GQL cause, sent wrapped as `{"name": "GqlError", "data": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "name", content = "data")]
pub enum GqlCause {
    /// The only form.
    GqlError(Box<GqlError>),
}

/// One link of a GQL cause chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlError {
    /// Message.
    pub msg: String,
    /// GQLSTATUS code.
    pub gql_status: Option<String>,
    /// Description.
    pub status_description: Option<String>,
    /// Next cause.
    pub cause: Option<GqlCause>,
    /// Diagnostic record.
    pub diagnostic_record: Option<BTreeMap<String, CypherValue>>,
    /// Classification.
    pub classification: Option<String>,
    /// Raw classification.
    pub raw_classification: Option<String>,
}

impl Response {
    /// A `BackendError` with this message.
    pub fn backend_error(msg: impl Into<String>) -> Response {
        Response::BackendError { msg: msg.into() }
    }

    /// A `FrontendError` with this message.
    pub fn frontend_error(msg: impl Into<String>) -> Response {
        Response::FrontendError { msg: msg.into() }
    }

    /// A `SkipTest` with this reason.
    pub fn skip(reason: impl Into<String>) -> Response {
        Response::SkipTest {
            reason: reason.into(),
        }
    }

    /// A `Record` response.
    pub fn record(values: Vec<CypherValue>) -> Response {
        Response::Record { values }
    }

    /// A `DriverError` response.
    pub fn driver_error(error: DriverError) -> Response {
        Response::DriverError(Box::new(error))
    }

    /// The response as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            // Only a map with non-string keys could fail, and every map here
            // is keyed by strings; still, never panic: report it instead.
            let msg = serde_json::Value::String(format!("response could not be encoded: {e}"));
            format!(r#"{{"name":"BackendError","data":{{"msg":{msg}}}}}"#)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_of(r: &Response) -> serde_json::Value {
        serde_json::from_str(&r.to_json()).unwrap_or_default()
    }

    #[test]
    fn shapes_match_testkit() {
        assert_eq!(
            json_of(&Response::RunTest {}),
            json!({"name": "RunTest", "data": {}})
        );
        assert_eq!(
            json_of(&Response::skip("no TLS yet")),
            json!({"name": "SkipTest", "data": {"reason": "no TLS yet"}})
        );
        assert_eq!(
            json_of(&Response::Result {
                id: Id(4),
                keys: vec!["n".into()]
            }),
            json!({"name": "Result", "data": {"id": 4, "keys": ["n"]}})
        );
        assert_eq!(
            json_of(&Response::record(vec![
                CypherValue::Null,
                CypherValue::Int(1)
            ])),
            json!({"name": "Record", "data": {"values": [
                {"name": "CypherNull", "data": {}}, {"name": "CypherInt", "data": {"value": 1}}]}})
        );
        assert_eq!(
            json_of(&Response::BookmarksConsumerRequest {
                id: Id(1),
                bookmark_manager_id: Id(2),
                bookmarks: vec!["bm".into()]
            }),
            json!({"name": "BookmarksConsumerRequest", "data": {"id": 1, "bookmarkManagerId": 2, "bookmarks": ["bm"]}})
        );
    }

    #[test]
    fn driver_errors_nest_gql_causes() {
        let e = DriverError {
            id: Some(Id(9)),
            error_type: "ServiceUnavailable".into(),
            msg: "gone".into(),
            code: String::new(),
            retryable: Some(true),
            gql_status: Some("08000".into()),
            status_description: None,
            cause: Some(GqlCause::GqlError(Box::new(GqlError {
                msg: "inner".into(),
                gql_status: Some("50N42".into()),
                status_description: None,
                cause: None,
                diagnostic_record: None,
                classification: None,
                raw_classification: None,
            }))),
            diagnostic_record: Some(BTreeMap::from([(
                "OPERATION".to_owned(),
                CypherValue::String(String::new()),
            )])),
            classification: Some("UNKNOWN".into()),
            raw_classification: None,
        };
        let j = json_of(&Response::driver_error(e));
        assert_eq!(j["name"], "DriverError");
        assert_eq!(j["data"]["errorType"], "ServiceUnavailable");
        assert_eq!(j["data"]["cause"]["name"], "GqlError");
        assert_eq!(j["data"]["cause"]["data"]["gqlStatus"], "50N42");
        assert_eq!(
            j["data"]["diagnosticRecord"]["OPERATION"]["name"],
            "CypherString"
        );
    }

    #[test]
    fn summaries_serialize_camel_case() {
        let s = Summary {
            server_info: ServerInfo {
                address: "127.0.0.1:9000".into(),
                agent: "Neo4j/5.0".into(),
                protocol_version: "5.0".into(),
            },
            counters: SummaryCounters::default(),
            query: SummaryQuery {
                text: "RETURN 1".into(),
                parameters: BTreeMap::new(),
            },
            database: Some("neo4j".into()),
            notifications: None,
            gql_status_objects: vec![],
            plan: None,
            profile: None,
            query_type: Some("r".into()),
            result_available_after: Some(1),
            result_consumed_after: None,
        };
        let j = json_of(&Response::Summary(Box::new(s)));
        assert_eq!(j["data"]["serverInfo"]["protocolVersion"], "5.0");
        assert_eq!(j["data"]["counters"]["containsUpdates"], false);
        assert_eq!(j["data"]["queryType"], "r");
        assert!(j["data"]["gqlStatusObjects"].is_array());
    }
}
