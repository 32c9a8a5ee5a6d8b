//! Every request testkit sends (as of the testkit commit named in
//! `docs/CONFORMANCE.md`), as serde types.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use super::{tri_state, Id, TriState};
use crate::cypher::CypherValue;

/// Query parameters or transaction metadata: a map of Cypher values.
pub type CypherParams = BTreeMap<String, CypherValue>;

macro_rules! requests {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// A request from testkit, tagged by `name` with its fields in `data`.
        #[derive(Debug, Clone, PartialEq, Deserialize)]
        #[serde(tag = "name", content = "data")]
        pub enum Request {
            $( $(#[$doc])* $name($name), )*
        }

        impl Request {
            /// The names of all requests this backend understands.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// The request's name, as testkit spells it.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Request::$name(_) => stringify!($name), )*
                }
            }
        }
    };
}

requests! {
    /// Asks whether to run a test (answer: RunTest, RunSubTests, SkipTest).
    StartTest,
    /// Asks whether to run a subtest (answer: RunTest or SkipTest).
    StartSubTest,
    /// Asks for the supported features (answer: FeatureList).
    GetFeatures,
    /// Creates a driver (answer: Driver).
    NewDriver,
    /// Creates a custom auth token manager backed by testkit callbacks.
    NewAuthTokenManager,
    /// Result of an auth token manager's `get_auth` callback (no answer).
    AuthTokenManagerGetAuthCompleted,
    /// Result of an auth token manager's security exception callback (no answer).
    AuthTokenManagerHandleSecurityExceptionCompleted,
    /// Frees an auth token manager (of any kind; answer: AuthTokenManager).
    AuthTokenManagerClose,
    /// Creates the driver's basic (password rotation) auth token manager.
    NewBasicAuthTokenManager,
    /// Result of a basic auth token provider callback (no answer).
    BasicAuthTokenProviderCompleted,
    /// Creates the driver's bearer (expiring token) auth token manager.
    NewBearerAuthTokenManager,
    /// Result of a bearer auth token provider callback (no answer).
    BearerAuthTokenProviderCompleted,
    /// Creates a client certificate provider backed by testkit callbacks.
    NewClientCertificateProvider,
    /// Frees a client certificate provider.
    ClientCertificateProviderClose,
    /// Result of a client certificate provider callback (no answer).
    ClientCertificateProviderCompleted,
    /// `driver.verify_connectivity()` (answer: Driver).
    VerifyConnectivity,
    /// `driver.get_server_info()` (answer: ServerInfo).
    GetServerInfo,
    /// Whether the server supports multiple databases (answer: MultiDBSupport).
    CheckMultiDBSupport,
    /// `driver.verify_authentication()` (answer: DriverIsAuthenticated).
    VerifyAuthentication,
    /// Whether the server supports session auth (answer: SessionAuthSupport).
    CheckSessionAuthSupport,
    /// Whether the driver encrypts (answer: DriverIsEncrypted).
    CheckDriverIsEncrypted,
    /// Result of a custom address resolver callback (no answer).
    ResolverResolutionCompleted,
    /// Result of a bookmark supplier callback (no answer).
    BookmarksSupplierCompleted,
    /// Completion of a bookmark consumer callback (no answer).
    BookmarksConsumerCompleted,
    /// Creates a bookmark manager (answer: BookmarkManager).
    NewBookmarkManager,
    /// Frees a bookmark manager (answer: BookmarkManager).
    BookmarkManagerClose,
    /// Result of a DNS resolver callback (no answer).
    DomainNameResolutionCompleted,
    /// Closes a driver (answer: Driver).
    DriverClose,
    /// Opens a session (answer: Session).
    NewSession,
    /// Closes a session (answer: Session).
    SessionClose,
    /// Auto-commit query (answer: Result).
    SessionRun,
    /// Managed read transaction (answer: RetryableTry / RetryableDone).
    SessionReadTransaction,
    /// Managed write transaction (answer: RetryableTry / RetryableDone).
    SessionWriteTransaction,
    /// Unmanaged transaction (answer: Transaction).
    SessionBeginTransaction,
    /// The session's last bookmarks (answer: Bookmarks).
    SessionLastBookmarks,
    /// Query in a transaction (answer: Result).
    TransactionRun,
    /// Commit (answer: Transaction).
    TransactionCommit,
    /// Rollback (answer: Transaction).
    TransactionRollback,
    /// Close (answer: Transaction).
    TransactionClose,
    /// Next record (answer: Record or NullRecord).
    ResultNext,
    /// Exactly one record (answer: Record).
    ResultSingle,
    /// At most one record (answer: RecordOptional).
    ResultSingleOptional,
    /// Peek at the next record (answer: Record or NullRecord).
    ResultPeek,
    /// Discard the rest and summarise (answer: Summary).
    ResultConsume,
    /// All remaining records (answer: RecordList).
    ResultList,
    /// The managed transaction's function succeeded: commit.
    RetryablePositive,
    /// The managed transaction's function failed: roll back.
    RetryableNegative,
    /// Forces a routing table refresh (answer: Driver).
    ForcedRoutingTableUpdate,
    /// Reads the routing table (answer: RoutingTable).
    GetRoutingTable,
    /// Reads pool metrics (answer: ConnectionPoolMetrics).
    GetConnectionPoolMetrics,
    /// Reads one field of a graph value in the next record (answer: Field).
    CypherTypeField,
    /// `driver.execute_query()` (answer: EagerResult).
    ExecuteQuery,
    /// Freezes the driver's clock (answer: FakeTimeAck).
    FakeTimeInstall,
    /// Advances the frozen clock (answer: FakeTimeAck).
    FakeTimeTick,
    /// Unfreezes the clock (answer: FakeTimeAck).
    FakeTimeUninstall,
}

// --- values nested in requests ----------------------------------------------

/// An auth token, sent wrapped as `{"name": "AuthorizationToken", "data": ...}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuthToken {
    /// `basic`, `bearer`, `kerberos`, `none` or a custom scheme.
    pub scheme: String,
    /// User name (basic, custom).
    pub principal: Option<String>,
    /// Password, token or ticket.
    pub credentials: Option<String>,
    /// Realm (basic, custom).
    pub realm: Option<String>,
    /// Extra parameters of a custom scheme, as plain JSON.
    pub parameters: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct AuthTokenData {
    scheme: String,
    #[serde(default)]
    principal: Option<String>,
    #[serde(default)]
    credentials: Option<String>,
    #[serde(default)]
    realm: Option<String>,
    #[serde(default)]
    parameters: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(tag = "name", content = "data")]
enum AuthTokenWire {
    AuthorizationToken(AuthTokenData),
}

impl<'de> Deserialize<'de> for AuthToken {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let AuthTokenWire::AuthorizationToken(t) = AuthTokenWire::deserialize(d)?;
        Ok(AuthToken {
            scheme: t.scheme,
            principal: t.principal,
            credentials: t.credentials,
            realm: t.realm,
            parameters: t.parameters,
        })
    }
}

impl serde::Serialize for AuthToken {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut data = serde_json::Map::new();
        data.insert("scheme".into(), self.scheme.clone().into());
        for (key, value) in [
            ("principal", &self.principal),
            ("credentials", &self.credentials),
            ("realm", &self.realm),
        ] {
            if let Some(v) = value {
                data.insert(key.into(), v.clone().into());
            }
        }
        if let Some(p) = &self.parameters {
            data.insert("parameters".into(), serde_json::Value::Object(p.clone()));
        }
        let mut outer = serde_json::Map::new();
        outer.insert("name".into(), "AuthorizationToken".into());
        outer.insert("data".into(), serde_json::Value::Object(data));
        serde_json::Value::Object(outer).serialize(s)
    }
}

/// A token with its lifetime, sent wrapped as `AuthTokenAndExpiration`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthTokenAndExpiration {
    /// The token.
    pub auth: AuthToken,
    /// Milliseconds until it expires; `None`: never.
    pub expires_in_ms: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthTokenAndExpirationData {
    auth: AuthToken,
    #[serde(default)]
    expires_in_ms: Option<i64>,
}

#[derive(Deserialize)]
#[serde(tag = "name", content = "data")]
enum AuthTokenAndExpirationWire {
    AuthTokenAndExpiration(AuthTokenAndExpirationData),
}

impl<'de> Deserialize<'de> for AuthTokenAndExpiration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let AuthTokenAndExpirationWire::AuthTokenAndExpiration(t) =
            AuthTokenAndExpirationWire::deserialize(d)?;
        Ok(AuthTokenAndExpiration {
            auth: t.auth,
            expires_in_ms: t.expires_in_ms,
        })
    }
}

/// Paths of a client certificate and key, sent wrapped as `ClientCertificate`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientCertificate {
    /// Certificate file.
    pub certfile: String,
    /// Private key file.
    pub keyfile: String,
    /// Key password.
    pub password: Option<String>,
}

#[derive(Deserialize)]
struct ClientCertificateData {
    certfile: String,
    keyfile: String,
    #[serde(default)]
    password: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "name", content = "data")]
enum ClientCertificateWire {
    ClientCertificate(ClientCertificateData),
}

impl<'de> Deserialize<'de> for ClientCertificate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ClientCertificateWire::ClientCertificate(c) = ClientCertificateWire::deserialize(d)?;
        Ok(ClientCertificate {
            certfile: c.certfile,
            keyfile: c.keyfile,
            password: c.password,
        })
    }
}

/// Which bookmark manager `ExecuteQuery` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BookmarkManagerChoice {
    /// Not given: the driver's default execute-query bookmark manager.
    #[default]
    Default,
    /// `-1`: none at all.
    Disabled,
    /// One created with `NewBookmarkManager`.
    Id(Id),
}

fn bookmark_manager_choice<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BookmarkManagerChoice, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Int(i64),
        Text(String),
    }
    Ok(match Option::<Repr>::deserialize(d)? {
        None => BookmarkManagerChoice::Default,
        Some(Repr::Int(-1)) => BookmarkManagerChoice::Disabled,
        Some(Repr::Int(i)) => BookmarkManagerChoice::Id(Id(u64::try_from(i)
            .map_err(|_| serde::de::Error::custom(format!("bad bookmark manager id {i}")))?)),
        Some(Repr::Text(t)) if t == "-1" => BookmarkManagerChoice::Disabled,
        Some(Repr::Text(t)) => BookmarkManagerChoice::Id(Id(t
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("bad bookmark manager id {t:?}")))?)),
    })
}

fn error_ref<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Id>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Int(u64),
        Text(String),
    }
    match Option::<Repr>::deserialize(d)? {
        None => Ok(None),
        Some(Repr::Int(i)) => Ok(Some(Id(i))),
        Some(Repr::Text(t)) if t.is_empty() => Ok(None),
        Some(Repr::Text(t)) => t
            .parse()
            .map(|i| Some(Id(i)))
            .map_err(|_| serde::de::Error::custom(format!("bad error id {t:?}"))),
    }
}

// --- the requests -------------------------------------------------------------

/// See [`Request::StartTest`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartTest {
    /// Test id, e.g. `stub.routing.test_routing_v5x0.RoutingV5x0.test_should_...`.
    pub test_name: String,
}

/// See [`Request::StartSubTest`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartSubTest {
    /// Test id.
    pub test_name: String,
    /// The subtest's parameters, as plain JSON.
    #[serde(default)]
    pub subtest_arguments: serde_json::Map<String, serde_json::Value>,
}

/// See [`Request::GetFeatures`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GetFeatures {}

/// See [`Request::NewDriver`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDriver {
    /// `bolt://`, `neo4j://`, with `+s`/`+ssc` variants.
    pub uri: String,
    /// A static token (exclusive with `auth_token_manager_id`).
    #[serde(default)]
    pub authorization_token: Option<AuthToken>,
    /// A token manager created earlier.
    #[serde(default)]
    pub auth_token_manager_id: Option<Id>,
    /// User agent override.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Whether testkit registered a custom address resolver.
    #[serde(default)]
    pub resolver_registered: bool,
    /// Whether testkit registered a DNS resolver.
    #[serde(default)]
    pub domain_name_resolver_registered: bool,
    /// Connection timeout.
    #[serde(default)]
    pub connection_timeout_ms: Option<i64>,
    /// Records per PULL.
    #[serde(default)]
    pub fetch_size: Option<i64>,
    /// Managed transaction retry budget.
    #[serde(default)]
    pub max_tx_retry_time_ms: Option<i64>,
    /// Idle time after which a pooled connection is checked before use.
    #[serde(default)]
    pub liveness_check_timeout_ms: Option<i64>,
    /// Pool size per server.
    #[serde(default)]
    pub max_connection_pool_size: Option<i64>,
    /// Time to wait for a pooled connection.
    #[serde(default)]
    pub connection_acquisition_timeout_ms: Option<i64>,
    /// A static client certificate (exclusive with the provider id).
    #[serde(default)]
    pub client_certificate: Option<ClientCertificate>,
    /// A client certificate provider created earlier.
    #[serde(default)]
    pub client_certificate_provider_id: Option<Id>,
    /// Notification filter: minimum severity (`OFF` disables all).
    #[serde(default)]
    pub notifications_min_severity: Option<String>,
    /// Notification filter: disabled categories.
    #[serde(default)]
    pub notifications_disabled_categories: Option<Vec<String>>,
    /// Whether to opt out of telemetry.
    #[serde(default)]
    pub telemetry_disabled: Option<bool>,
    /// Encryption on or off; absent: driver default (off).
    #[serde(default)]
    pub encrypted: Option<bool>,
    /// Absent: driver default; `null`: system CAs; `[]`: trust anything;
    /// paths: custom CAs.
    #[serde(default, deserialize_with = "tri_state")]
    pub trusted_certificates: TriState<Vec<String>>,
}

/// See [`Request::NewAuthTokenManager`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NewAuthTokenManager {}

/// See [`Request::AuthTokenManagerGetAuthCompleted`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthTokenManagerGetAuthCompleted {
    /// The callback request answered.
    pub request_id: Id,
    /// The token.
    pub auth: AuthToken,
}

/// See [`Request::AuthTokenManagerHandleSecurityExceptionCompleted`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthTokenManagerHandleSecurityExceptionCompleted {
    /// The callback request answered.
    pub request_id: Id,
    /// Whether the manager handled the error (the driver may retry).
    pub handled: bool,
}

/// See [`Request::AuthTokenManagerClose`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AuthTokenManagerClose {
    /// The manager.
    pub id: Id,
}

/// See [`Request::NewBasicAuthTokenManager`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NewBasicAuthTokenManager {}

/// See [`Request::BasicAuthTokenProviderCompleted`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BasicAuthTokenProviderCompleted {
    /// The callback request answered.
    pub request_id: Id,
    /// The token.
    pub auth: AuthToken,
}

/// See [`Request::NewBearerAuthTokenManager`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NewBearerAuthTokenManager {}

/// See [`Request::BearerAuthTokenProviderCompleted`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BearerAuthTokenProviderCompleted {
    /// The callback request answered.
    pub request_id: Id,
    /// The token and its lifetime.
    pub auth: AuthTokenAndExpiration,
}

/// See [`Request::NewClientCertificateProvider`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NewClientCertificateProvider {}

/// See [`Request::ClientCertificateProviderClose`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClientCertificateProviderClose {
    /// The provider.
    pub id: Id,
}

/// See [`Request::ClientCertificateProviderCompleted`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientCertificateProviderCompleted {
    /// The callback request answered.
    pub request_id: Id,
    /// Whether the certificate changed since the last call.
    pub has_update: bool,
    /// The certificate.
    pub client_certificate: ClientCertificate,
}

macro_rules! driver_only {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The driver.
            pub driver_id: Id,
        }
    )*};
}

driver_only! {
    /// See [`Request::VerifyConnectivity`].
    VerifyConnectivity,
    /// See [`Request::GetServerInfo`].
    GetServerInfo,
    /// See [`Request::CheckMultiDBSupport`].
    CheckMultiDBSupport,
    /// See [`Request::CheckSessionAuthSupport`].
    CheckSessionAuthSupport,
    /// See [`Request::CheckDriverIsEncrypted`].
    CheckDriverIsEncrypted,
    /// See [`Request::DriverClose`].
    DriverClose,
}

/// See [`Request::VerifyAuthentication`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyAuthentication {
    /// The driver.
    pub driver_id: Id,
    /// The token to check; `None`: the driver's own.
    #[serde(default)]
    pub authorization_token: Option<AuthToken>,
}

/// See [`Request::ResolverResolutionCompleted`] and
/// [`Request::DomainNameResolutionCompleted`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolverResolutionCompleted {
    /// The callback request answered.
    pub request_id: Id,
    /// Resolved addresses (`host:port` for the resolver, IPs for DNS).
    pub addresses: Vec<String>,
}

/// See [`Request::DomainNameResolutionCompleted`].
pub type DomainNameResolutionCompleted = ResolverResolutionCompleted;

/// See [`Request::BookmarksSupplierCompleted`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookmarksSupplierCompleted {
    /// The callback request answered.
    pub request_id: Id,
    /// Supplied bookmarks.
    pub bookmarks: Vec<String>,
}

/// See [`Request::BookmarksConsumerCompleted`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookmarksConsumerCompleted {
    /// The callback request answered.
    pub request_id: Id,
}

/// See [`Request::NewBookmarkManager`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewBookmarkManager {
    /// Bookmarks to start with.
    #[serde(default)]
    pub initial_bookmarks: Option<Vec<String>>,
    /// Whether testkit supplies extra bookmarks through callbacks.
    #[serde(default)]
    pub bookmarks_supplier_registered: bool,
    /// Whether testkit wants to be told of new bookmarks through callbacks.
    #[serde(default)]
    pub bookmarks_consumer_registered: bool,
}

/// See [`Request::BookmarkManagerClose`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BookmarkManagerClose {
    /// The manager.
    pub id: Id,
}

/// See [`Request::NewSession`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSession {
    /// The driver.
    pub driver_id: Id,
    /// `"r"` or `"w"`.
    pub access_mode: String,
    /// Initial bookmarks.
    #[serde(default)]
    pub bookmarks: Option<Vec<String>>,
    /// Target database.
    #[serde(default)]
    pub database: Option<String>,
    /// Records per PULL.
    #[serde(default)]
    pub fetch_size: Option<i64>,
    /// User to impersonate.
    #[serde(default)]
    pub impersonated_user: Option<String>,
    /// A bookmark manager created earlier.
    #[serde(default)]
    pub bookmark_manager_id: Option<Id>,
    /// Session-scoped auth.
    #[serde(default)]
    pub authorization_token: Option<AuthToken>,
    /// Notification filter: minimum severity.
    #[serde(default)]
    pub notifications_min_severity: Option<String>,
    /// Notification filter: disabled categories.
    #[serde(default)]
    pub notifications_disabled_categories: Option<Vec<String>>,
}

/// See [`Request::SessionClose`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionClose {
    /// The session.
    pub session_id: Id,
}

/// See [`Request::SessionLastBookmarks`].
pub type SessionLastBookmarks = SessionClose;
/// See [`Request::RetryablePositive`].
pub type RetryablePositive = SessionClose;

/// See [`Request::SessionRun`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRun {
    /// The session.
    pub session_id: Id,
    /// The query.
    pub cypher: String,
    /// Parameters.
    #[serde(default)]
    pub params: Option<CypherParams>,
    /// Transaction metadata.
    #[serde(default)]
    pub tx_meta: Option<CypherParams>,
    /// Transaction timeout in milliseconds (absent, null, or a value).
    #[serde(default, deserialize_with = "tri_state")]
    pub timeout: TriState<i64>,
}

/// See [`Request::SessionBeginTransaction`] and the managed variants.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionBeginTransaction {
    /// The session.
    pub session_id: Id,
    /// Transaction metadata.
    #[serde(default)]
    pub tx_meta: Option<CypherParams>,
    /// Transaction timeout in milliseconds (absent, null, or a value).
    #[serde(default, deserialize_with = "tri_state")]
    pub timeout: TriState<i64>,
}

/// See [`Request::SessionReadTransaction`].
pub type SessionReadTransaction = SessionBeginTransaction;
/// See [`Request::SessionWriteTransaction`].
pub type SessionWriteTransaction = SessionBeginTransaction;

/// See [`Request::TransactionRun`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionRun {
    /// The transaction.
    pub tx_id: Id,
    /// The query.
    pub cypher: String,
    /// Parameters.
    #[serde(default)]
    pub params: Option<CypherParams>,
}

/// See [`Request::TransactionCommit`] and its siblings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionCommit {
    /// The transaction.
    pub tx_id: Id,
}

/// See [`Request::TransactionRollback`].
pub type TransactionRollback = TransactionCommit;
/// See [`Request::TransactionClose`].
pub type TransactionClose = TransactionCommit;

/// See [`Request::ResultNext`] and its siblings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultNext {
    /// The result.
    pub result_id: Id,
}

/// See [`Request::ResultSingle`].
pub type ResultSingle = ResultNext;
/// See [`Request::ResultSingleOptional`].
pub type ResultSingleOptional = ResultNext;
/// See [`Request::ResultPeek`].
pub type ResultPeek = ResultNext;
/// See [`Request::ResultConsume`].
pub type ResultConsume = ResultNext;
/// See [`Request::ResultList`].
pub type ResultList = ResultNext;

/// See [`Request::RetryableNegative`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryableNegative {
    /// The session running the managed transaction.
    pub session_id: Id,
    /// The driver error that made the function fail, or `None` (`""` on
    /// the wire) for an error of testkit's own (answered with FrontendError).
    #[serde(default, deserialize_with = "error_ref")]
    pub error_id: Option<Id>,
}

/// See [`Request::ForcedRoutingTableUpdate`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForcedRoutingTableUpdate {
    /// The driver.
    pub driver_id: Id,
    /// The database; `None`: the default.
    #[serde(default)]
    pub database: Option<String>,
    /// Bookmarks to send with ROUTE.
    #[serde(default)]
    pub bookmarks: Option<Vec<String>>,
}

/// See [`Request::GetRoutingTable`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetRoutingTable {
    /// The driver.
    pub driver_id: Id,
    /// The database; `None`: the default.
    #[serde(default)]
    pub database: Option<String>,
}

/// See [`Request::GetConnectionPoolMetrics`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetConnectionPoolMetrics {
    /// The driver.
    pub driver_id: Id,
    /// `host:port` of the pool.
    pub address: String,
}

/// See [`Request::CypherTypeField`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CypherTypeField {
    /// The result.
    pub result_id: Id,
    /// The record key holding the graph value.
    pub record_key: String,
    /// `node`, `relationship` or `path`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The field of that value to read.
    pub field: String,
}

/// See [`Request::ExecuteQuery`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteQuery {
    /// The driver.
    pub driver_id: Id,
    /// The query.
    pub cypher: String,
    /// Parameters.
    #[serde(default)]
    pub params: Option<CypherParams>,
    /// Options.
    #[serde(default)]
    pub config: ExecuteQueryConfig,
}

/// The options of [`ExecuteQuery`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecuteQueryConfig {
    /// Target database.
    #[serde(default)]
    pub database: Option<String>,
    /// `"r"` or `"w"`.
    #[serde(default)]
    pub routing: Option<String>,
    /// User to impersonate.
    #[serde(default)]
    pub impersonated_user: Option<String>,
    /// Bookmark manager to use.
    #[serde(default, deserialize_with = "bookmark_manager_choice")]
    pub bookmark_manager_id: BookmarkManagerChoice,
    /// Transaction metadata.
    #[serde(default)]
    pub tx_meta: Option<CypherParams>,
    /// Transaction timeout in milliseconds.
    #[serde(default, deserialize_with = "tri_state")]
    pub timeout: TriState<i64>,
    /// Query-scoped auth.
    #[serde(default)]
    pub authorization_token: Option<AuthToken>,
}

/// See [`Request::FakeTimeInstall`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FakeTimeInstall {}

/// See [`Request::FakeTimeTick`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FakeTimeTick {
    /// How far to advance the clock.
    pub increment_ms: i64,
}

/// See [`Request::FakeTimeUninstall`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FakeTimeUninstall {}

#[cfg(test)]
mod tests {
    use super::super::parse_request;
    use super::*;
    use serde_json::json;

    fn parse(j: serde_json::Value) -> Request {
        match parse_request(&j.to_string()) {
            Ok(r) => r,
            Err(e) => panic!("{j}: {e}"),
        }
    }

    #[test]
    fn new_driver_as_testkit_sends_it() {
        let r = parse(json!({"name": "NewDriver", "data": {
            "uri": "bolt://127.0.0.1:9001",
            "authorizationToken": {"name": "AuthorizationToken", "data": {
                "scheme": "basic", "principal": "neo4j", "credentials": "pass"}},
            "authTokenManagerId": null, "userAgent": null, "resolverRegistered": false,
            "domainNameResolverRegistered": false, "connectionTimeoutMs": null,
            "fetchSize": null, "maxTxRetryTimeMs": null, "livenessCheckTimeoutMs": null,
            "maxConnectionPoolSize": null, "connectionAcquisitionTimeoutMs": null,
            "clientCertificate": null, "clientCertificateProviderId": null,
            "trustedCertificates": null
        }}));
        let Request::NewDriver(d) = r else {
            panic!("not NewDriver")
        };
        assert_eq!(d.uri, "bolt://127.0.0.1:9001");
        let auth = d.authorization_token.unwrap_or_default();
        assert_eq!(auth.scheme, "basic");
        assert_eq!(auth.principal.as_deref(), Some("neo4j"));
        assert_eq!(d.trusted_certificates, TriState::Null);
        assert_eq!(d.encrypted, None);
    }

    #[test]
    fn tri_states() {
        let run = |extra: serde_json::Value| {
            let mut data = json!({"sessionId": 1, "cypher": "RETURN 1", "params": null});
            if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
                d.extend(e.clone());
            }
            match parse(json!({"name": "SessionRun", "data": data})) {
                Request::SessionRun(r) => r.timeout,
                _ => TriState::Absent,
            }
        };
        assert_eq!(run(json!({})), TriState::Absent);
        assert_eq!(run(json!({"timeout": null})), TriState::Null);
        assert_eq!(run(json!({"timeout": 17})), TriState::Value(17));
    }

    #[test]
    fn params_are_cypher_values() {
        let r = parse(
            json!({"name": "TransactionRun", "data": {"txId": "3", "cypher": "RETURN $x",
            "params": {"x": {"name": "CypherInt", "data": {"value": 1}}}}}),
        );
        let Request::TransactionRun(t) = r else {
            panic!("not TransactionRun")
        };
        assert_eq!(t.tx_id, Id(3));
        assert_eq!(
            t.params.unwrap_or_default().get("x"),
            Some(&CypherValue::Int(1))
        );
    }

    #[test]
    fn execute_query_bookmark_manager_choices() {
        let bm = |v: serde_json::Value| match parse(json!({"name": "ExecuteQuery", "data": {
            "driverId": 1, "cypher": "RETURN 1", "params": null,
            "config": {"routing": "w", "bookmarkManagerId": v}}}))
        {
            Request::ExecuteQuery(q) => q.config.bookmark_manager_id,
            _ => BookmarkManagerChoice::Default,
        };
        assert_eq!(bm(json!(-1)), BookmarkManagerChoice::Disabled);
        assert_eq!(bm(json!(4)), BookmarkManagerChoice::Id(Id(4)));
        assert_eq!(bm(json!(null)), BookmarkManagerChoice::Default);
    }

    #[test]
    fn retryable_negative_error_ids() {
        let neg = |v: serde_json::Value| match parse(json!({"name": "RetryableNegative",
            "data": {"sessionId": 1, "errorId": v}}))
        {
            Request::RetryableNegative(n) => n.error_id,
            _ => None,
        };
        assert_eq!(neg(json!("")), None);
        assert_eq!(neg(json!(5)), Some(Id(5)));
    }

    #[test]
    fn callbacks_with_wrapped_values() {
        let r = parse(
            json!({"name": "BearerAuthTokenProviderCompleted", "data": {"requestId": 2,
            "auth": {"name": "AuthTokenAndExpiration", "data": {
                "auth": {"name": "AuthorizationToken", "data": {"scheme": "bearer", "credentials": "t"}},
                "expiresInMs": 1000}}}}),
        );
        let Request::BearerAuthTokenProviderCompleted(b) = r else {
            panic!("wrong request")
        };
        assert_eq!(b.auth.expires_in_ms, Some(1000));
        assert_eq!(b.auth.auth.credentials.as_deref(), Some("t"));
        let r = parse(
            json!({"name": "ClientCertificateProviderCompleted", "data": {"requestId": 2,
            "hasUpdate": true, "clientCertificate": {"name": "ClientCertificate", "data": {
                "certfile": "c.pem", "keyfile": "k.pem", "password": null}}}}),
        );
        assert!(matches!(r, Request::ClientCertificateProviderCompleted(c) if c.has_update));
    }
}
