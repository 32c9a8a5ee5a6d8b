//! The backend wired to the `boltline` driver: [`Boltline`] implements
//! [`Handles`] with boltline's types, and [`handle`] answers the requests
//! that need the driver.
//!
//! Managed transactions (`SessionReadTransaction` and
//! `SessionWriteTransaction`) are driven by testkit one attempt at a time.
//! The driver's retry loop (`Session::execute`) runs as a local task that
//! owns the session; its transaction function announces each attempt
//! (answered to testkit with `RetryableTry`) and then takes commands over a
//! channel: run a query (`TransactionRun` on the managed transaction),
//! succeed (`RetryablePositive`) or fail with an error
//! (`RetryableNegative`). When the loop ends the task hands the session
//! back. The task is spawned with `tokio::task::spawn_local`, so the
//! backend must run inside a `tokio::task::LocalSet` (as the binary does).

// The helpers' `Err` is the `Response` testkit gets (one per request), so
// its size costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use boltline::Clock;
use boltline::{
    AccessMode, Address, AuthManager, AuthToken as BoltAuthToken, Bookmarks, Config, Driver, Error,
    FetchSize, GqlStatusObject, ManagedTransaction, Map, Neo4jBookmarkManager, Notification,
    NotificationFilter, NotificationSeverity, Query, QueryResult, QueryType, Record, ResultSummary,
    RoutingTable, Session, SessionConfig, Transaction, TransactionConfig,
};
use boltline::{GqlCause as BoltGqlCause, Secret};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::cypher::{from_packstream, to_packstream, CypherValue};
use crate::protocol::{
    AuthToken, CypherParams, DriverError, GqlCause, GqlError, GqlStatusObject as TkGqlStatusObject,
    Id, InputPosition as TkInputPosition, RecordValues, Request, Response, ServerInfo, Summary,
    SummaryCounters, SummaryQuery, TriState,
};
use crate::registry::{CallbackHub, CallbackKind, CallbackReply, Handles, Registries};

/// The driver name to run testkit with (`TEST_DRIVER_NAME`); see
/// `docs/CONFORMANCE.md` for why.
pub const DRIVER_NAME: &str = "rust";

/// boltline's types in the backend's registries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boltline {}

impl Handles for Boltline {
    type Driver = DriverEntry;
    type Session = SessionEntry;
    type Transaction = TxEntry;
    type Result = QueryResult;
    type BookmarkManager = Arc<Neo4jBookmarkManager>;
    type AuthTokenManager = Arc<dyn AuthManager>;
    type ClientCertificateProvider = ();
    type Error = Error;

    fn driver_request(
        reg: &mut Registries<Self>,
        request: Request,
    ) -> impl std::future::Future<Output = Response> {
        handle(reg, request)
    }
}

/// A driver and its id (sessions remember which driver made them).
pub struct DriverEntry {
    /// The driver.
    pub driver: Driver,
}

/// A session: idle (owned here) or lent to a managed transaction's task.
pub struct SessionEntry {
    /// The driver that made it.
    pub driver_id: Id,
    state: SessionState,
}

enum SessionState {
    Idle(Box<Session>),
    Managed(ManagedRun),
    /// The task running a managed transaction failed (it panicked): the
    /// session is gone.
    Lost,
}

/// A managed transaction in progress.
struct ManagedRun {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<Event>,
    task: JoinHandle<Session>,
}

/// What testkit asks of the transaction function of a managed transaction.
pub enum Command {
    /// Run a query in the attempt's transaction; the result goes back.
    Run(Query, oneshot::Sender<Result<QueryResult, Error>>),
    /// The function succeeds (the driver commits).
    Succeed,
    /// The function fails with this error (the driver may retry).
    Fail(Error),
}

/// What the managed transaction task reports.
enum Event {
    /// A new attempt began; the function waits for commands.
    Try,
    /// The retry loop ended.
    Done(Result<(), Error>),
}

/// A transaction: explicit, or an attempt of a managed one.
pub enum TxEntry {
    /// From `SessionBeginTransaction`; `None` once ended.
    Explicit(Option<Transaction>),
    /// An attempt of a managed transaction: queries go to its task.
    Managed(mpsc::UnboundedSender<Command>),
}

impl std::fmt::Debug for TxEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TxEntry::Explicit(t) => write!(f, "Explicit(open: {})", t.is_some()),
            TxEntry::Managed(_) => f.write_str("Managed"),
        }
    }
}

type Reg = Registries<Boltline>;

/// Answers a request that needs the driver.
pub async fn handle(reg: &mut Reg, request: Request) -> Response {
    let name = request.name();
    match request {
        Request::NewDriver(r) => new_driver(reg, r),
        Request::NewAuthTokenManager(_) => crate::auth::new_custom(reg),
        Request::NewBasicAuthTokenManager(_) => crate::auth::new_basic(reg),
        Request::NewBearerAuthTokenManager(_) => crate::auth::new_bearer(reg),
        Request::VerifyAuthentication(r) => crate::auth::verify_authentication(reg, r).await,
        Request::CheckSessionAuthSupport(r) => {
            crate::auth::check_session_auth_support(reg, r.driver_id).await
        }
        Request::DriverClose(r) => match reg.drivers.remove(r.driver_id) {
            Ok(d) => {
                d.driver.close().await;
                Response::Driver { id: r.driver_id }
            }
            Err(e) => e.into(),
        },
        Request::VerifyConnectivity(r) => match reg.drivers.get(r.driver_id) {
            Ok(d) => {
                let driver = d.driver.clone();
                match driver.verify_connectivity().await {
                    Ok(()) => Response::Driver { id: r.driver_id },
                    Err(e) => driver_error(reg, e),
                }
            }
            Err(e) => e.into(),
        },
        Request::GetServerInfo(r) => match reg.drivers.get(r.driver_id) {
            Ok(d) => {
                let driver = d.driver.clone();
                match driver.get_server_info().await {
                    Ok(i) => Response::ServerInfo(ServerInfo {
                        address: i.address().to_string(),
                        agent: i.agent().to_owned(),
                        protocol_version: i.protocol_version().to_string(),
                    }),
                    Err(e) => driver_error(reg, e),
                }
            }
            Err(e) => e.into(),
        },
        Request::CheckDriverIsEncrypted(r) => match reg.drivers.get(r.driver_id) {
            Ok(d) => Response::DriverIsEncrypted {
                encrypted: d.driver.is_encrypted(),
            },
            Err(e) => e.into(),
        },
        Request::CheckMultiDBSupport(r) => match reg.drivers.get(r.driver_id) {
            Ok(d) => {
                let driver = d.driver.clone();
                match driver.get_server_info().await {
                    Ok(i) => Response::MultiDBSupport {
                        id: r.driver_id,
                        available: i.protocol_version().major >= 4,
                    },
                    Err(e) => driver_error(reg, e),
                }
            }
            Err(e) => e.into(),
        },
        Request::GetConnectionPoolMetrics(r) => match reg.drivers.get(r.driver_id) {
            Ok(d) => match Address::parse(&r.address) {
                Ok(address) => {
                    // A server with no pool has no connections.
                    let stats = d.driver.pool_metrics().remove(&address).unwrap_or_default();
                    Response::ConnectionPoolMetrics {
                        in_use: u64::try_from(stats.in_use).unwrap_or(u64::MAX),
                        idle: u64::try_from(stats.idle).unwrap_or(u64::MAX),
                    }
                }
                Err(e) => Response::backend_error(format!(
                    "GetConnectionPoolMetrics: bad address {:?}: {e}",
                    r.address
                )),
            },
            Err(e) => e.into(),
        },
        Request::GetRoutingTable(r) => match reg.drivers.get(r.driver_id) {
            Ok(d) => routing_table_response(
                r.database.as_deref(),
                d.driver.routing_table(r.database.as_deref()),
            ),
            Err(e) => e.into(),
        },
        Request::ForcedRoutingTableUpdate(r) => match reg.drivers.get(r.driver_id) {
            Ok(d) => {
                let driver = d.driver.clone();
                let bookmarks = r.bookmarks.unwrap_or_default();
                match driver
                    .update_routing_table(r.database.as_deref(), bookmarks)
                    .await
                {
                    Ok(_) => Response::Driver { id: r.driver_id },
                    Err(e) => driver_error(reg, e),
                }
            }
            Err(e) => e.into(),
        },
        Request::NewBookmarkManager(r) => new_bookmark_manager(reg, r),
        Request::NewSession(r) => new_session(reg, r),
        Request::SessionClose(r) => {
            let Ok(entry) = reg.sessions.remove(r.session_id) else {
                return Response::backend_error(format!("no session with id {}", r.session_id));
            };
            match entry.state {
                SessionState::Idle(mut s) => match s.close().await {
                    // The connection died earlier (the failure was reported
                    // then): there is nothing left to close.
                    Ok(()) | Err(Error::ConnectionLost(_)) => {
                        Response::Session { id: r.session_id }
                    }
                    Err(e) => driver_error(reg, e),
                },
                _ => Response::Session { id: r.session_id },
            }
        }
        Request::SessionLastBookmarks(r) => match idle_session(reg, r.session_id) {
            Ok(s) => Response::Bookmarks {
                bookmarks: s
                    .last_bookmarks()
                    .await
                    .raw_values()
                    .map(str::to_owned)
                    .collect(),
            },
            Err(resp) => resp,
        },
        Request::SessionRun(r) => {
            let query = match query(&r.cypher, r.params.as_ref()) {
                Ok(q) => q,
                Err(resp) => return resp,
            };
            let config = match tx_config(r.tx_meta.as_ref(), &r.timeout) {
                Ok(c) => c,
                Err(resp) => return resp,
            };
            let session = match idle_session(reg, r.session_id) {
                Ok(s) => s,
                Err(resp) => return resp,
            };
            let result = session.run_with(query, config).await;
            register_result(reg, result)
        }
        Request::SessionBeginTransaction(r) => {
            let config = match tx_config(r.tx_meta.as_ref(), &r.timeout) {
                Ok(c) => c,
                Err(resp) => return resp,
            };
            let session = match idle_session(reg, r.session_id) {
                Ok(s) => s,
                Err(resp) => return resp,
            };
            match session.begin_transaction_with(config).await {
                Ok(tx) => {
                    let id = reg
                        .transactions
                        .insert(&reg.ids.clone(), TxEntry::Explicit(Some(tx)));
                    Response::Transaction { id }
                }
                Err(e) => driver_error(reg, e),
            }
        }
        Request::SessionReadTransaction(r) => {
            managed(
                reg,
                r.session_id,
                AccessMode::Read,
                r.tx_meta.as_ref(),
                &r.timeout,
            )
            .await
        }
        Request::SessionWriteTransaction(r) => {
            managed(
                reg,
                r.session_id,
                AccessMode::Write,
                r.tx_meta.as_ref(),
                &r.timeout,
            )
            .await
        }
        Request::RetryablePositive(r) => retryable_end(reg, r.session_id, Command::Succeed).await,
        Request::RetryableNegative(r) => {
            let error = match r.error_id {
                Some(id) => match reg.errors.remove(id) {
                    Ok(e) => e,
                    Err(e) => return e.into(),
                },
                None => Error::user("the transaction function failed in testkit (client error)"),
            };
            retryable_end(reg, r.session_id, Command::Fail(error)).await
        }
        Request::TransactionRun(r) => {
            let query = match query(&r.cypher, r.params.as_ref()) {
                Ok(q) => q,
                Err(resp) => return resp,
            };
            let result = match reg.transactions.get_mut(r.tx_id) {
                Err(e) => return e.into(),
                Ok(TxEntry::Explicit(Some(tx))) => tx.run(query).await,
                Ok(TxEntry::Explicit(None)) => {
                    Err(Error::TransactionClosed("committed, rolled back or closed"))
                }
                Ok(TxEntry::Managed(commands)) => {
                    let (tx, rx) = oneshot::channel();
                    if commands.send(Command::Run(query, tx)).is_err() {
                        Err(Error::TransactionClosed("the managed transaction ended"))
                    } else {
                        rx.await.unwrap_or(Err(Error::TransactionClosed(
                            "the managed transaction ended",
                        )))
                    }
                }
            };
            register_result(reg, result)
        }
        Request::TransactionCommit(r) => end_tx(reg, r.tx_id, TxEnd::Commit).await,
        Request::TransactionRollback(r) => end_tx(reg, r.tx_id, TxEnd::Rollback).await,
        Request::TransactionClose(r) => end_tx(reg, r.tx_id, TxEnd::Close).await,
        Request::ResultNext(r) => {
            let res = match reg.results.get_mut(r.result_id) {
                Ok(res) => res.next().await,
                Err(e) => return e.into(),
            };
            match res {
                Ok(Some(record)) => record_response(&record),
                Ok(None) => Response::NullRecord {},
                Err(e) => driver_error(reg, e),
            }
        }
        Request::ResultPeek(r) => {
            let res = match reg.results.get_mut(r.result_id) {
                Ok(res) => res.peek().await.map(|r| r.map(record_values)),
                Err(e) => return e.into(),
            };
            match res {
                Ok(Some(Ok(values))) => Response::Record { values },
                Ok(Some(Err(resp))) => resp,
                Ok(None) => Response::NullRecord {},
                Err(e) => driver_error(reg, e),
            }
        }
        Request::ResultSingle(r) => {
            let res = match reg.results.get_mut(r.result_id) {
                Ok(res) => res.single().await,
                Err(e) => return e.into(),
            };
            match res {
                Ok(record) => record_response(&record),
                Err(e) => driver_error(reg, e),
            }
        }
        Request::ResultSingleOptional(r) => {
            let res = match reg.results.get_mut(r.result_id) {
                Ok(res) => single_optional(res).await,
                Err(e) => return e.into(),
            };
            match res {
                Ok((record, warnings)) => match record.map(|r| record_values(&r)).transpose() {
                    Ok(values) => Response::RecordOptional {
                        record: values.map(|values| RecordValues { values }),
                        warnings,
                    },
                    Err(resp) => resp,
                },
                Err(e) => driver_error(reg, e),
            }
        }
        Request::ResultList(r) => {
            let res = match reg.results.get_mut(r.result_id) {
                Ok(res) => res.collect_records().await,
                Err(e) => return e.into(),
            };
            match res {
                Ok(records) => match record_list(&records) {
                    Ok(records) => Response::RecordList { records },
                    Err(resp) => resp,
                },
                Err(e) => driver_error(reg, e),
            }
        }
        Request::ResultConsume(r) => {
            let res = match reg.results.get_mut(r.result_id) {
                Ok(res) => res.consume().await,
                Err(e) => return e.into(),
            };
            match res {
                Ok(s) => match summary(&s) {
                    Ok(s) => Response::Summary(Box::new(s)),
                    Err(resp) => resp,
                },
                Err(e) => driver_error(reg, e),
            }
        }
        Request::ExecuteQuery(r) => execute_query(reg, r).await,
        _ => crate::dispatch::not_wired(name),
    }
}

/// Testkit's fetch size: `-1` for all, else a positive count.
fn testkit_fetch_size(n: i64) -> Result<FetchSize, Error> {
    if n == -1 {
        return Ok(FetchSize::All);
    }
    u64::try_from(n)
        .ok()
        .and_then(FetchSize::records)
        .ok_or_else(|| {
            Error::InvalidConfig(format!(
                "fetch_size must be positive, or -1 to fetch everything at once; got {n}"
            ))
        })
}

fn new_driver(reg: &mut Reg, r: crate::protocol::NewDriver) -> Response {
    let manager = match r.auth_token_manager_id {
        Some(id) => match reg.auth_token_managers.get(id) {
            Ok(m) => Some(m.clone()),
            Err(e) => return e.into(),
        },
        None => None,
    };
    let auth = match &r.authorization_token {
        Some(t) => match auth_token(t) {
            Ok(a) => a,
            Err(resp) => return resp,
        },
        None => BoltAuthToken::none(),
    };
    // Every driver of the connection reads the connection's (fake) clock.
    let mut b = Config::builder().with_clock(Clock::fake(reg.fake_time.clone()));
    if let Some(ua) = r.user_agent {
        b = b.with_user_agent(ua);
    }
    if let Some(ms) = r.connection_timeout_ms {
        b = b.with_connection_timeout(Some(millis(ms)));
    }
    if let Some(n) = r.fetch_size {
        match testkit_fetch_size(n) {
            Ok(n) => b = b.with_fetch_size(n),
            Err(e) => return driver_error(reg, e),
        }
    }
    if let Some(ms) = r.max_tx_retry_time_ms {
        b = b.with_max_transaction_retry_time(millis(ms));
    }
    if let Some(ms) = r.liveness_check_timeout_ms {
        b = b.with_liveness_check_timeout(Some(millis(ms)));
    }
    if let Some(n) = r.max_connection_pool_size {
        b = b.with_max_connection_pool_size(usize::try_from(n).unwrap_or(0));
    }
    if let Some(ms) = r.connection_acquisition_timeout_ms {
        b = b.with_connection_acquisition_timeout(millis(ms));
    }
    if let Some(d) = r.telemetry_disabled {
        b = b.with_telemetry_disabled(d);
    }
    match notification_filter(
        r.notifications_min_severity.as_deref(),
        r.notifications_disabled_categories.as_ref(),
    ) {
        Ok(Some(f)) => b = b.with_notification_filter(f),
        Ok(None) => {}
        Err(resp) => return resp,
    }
    if r.resolver_registered {
        let hub = reg.callbacks.clone();
        b = b.with_resolver(move |address: Address| resolve(hub.clone(), address));
    }
    if r.domain_name_resolver_registered {
        let hub = reg.callbacks.clone();
        b = b.with_dns_resolver(move |address: Address| resolve_domain_name(hub.clone(), address));
    }
    let config = match b.build() {
        Ok(c) => c,
        Err(e) => return driver_error(reg, e),
    };
    let driver = match manager {
        Some(m) => Driver::with_auth_manager(&r.uri, m, config),
        None => Driver::with_config(&r.uri, auth, config),
    };
    match driver {
        Ok(driver) => {
            let id = reg.drivers.insert(&reg.ids.clone(), DriverEntry { driver });
            Response::Driver { id }
        }
        Err(e) => driver_error(reg, e),
    }
}

/// The answer to `GetRoutingTable`: the table held, or an empty one (no
/// routers, readers or writers, TTL 0) when the driver holds none, as after
/// a failed discovery.
fn routing_table_response(requested: Option<&str>, table: Option<RoutingTable>) -> Response {
    let texts = |a: &[Address]| a.iter().map(ToString::to_string).collect::<Vec<_>>();
    match table {
        Some(t) => Response::RoutingTable {
            database: (!t.is_unnamed())
                .then(|| t.database().to_owned())
                .or_else(|| requested.map(str::to_owned)),
            ttl: i64::try_from(t.ttl().as_secs()).unwrap_or(i64::MAX),
            routers: texts(t.routers()),
            readers: texts(t.readers()),
            writers: texts(t.writers()),
        },
        None => Response::RoutingTable {
            database: requested.map(str::to_owned),
            ttl: 0,
            routers: Vec::new(),
            readers: Vec::new(),
            writers: Vec::new(),
        },
    }
}

/// The resolver callback: asks testkit, waits for its answer.
async fn resolve(hub: CallbackHub, address: Address) -> std::io::Result<Vec<Address>> {
    let reply = hub
        .call(CallbackKind::Resolver, |id| {
            Response::ResolverResolutionRequired {
                id,
                address: address.to_string(),
            }
        })
        .await
        .map_err(std::io::Error::other)?;
    let CallbackReply::Resolver(addresses) = reply else {
        return Err(std::io::Error::other("resolver: unexpected callback reply"));
    };
    addresses
        .iter()
        .map(|a| Address::parse(a).map_err(std::io::Error::other))
        .collect()
}

/// The domain-name resolver callback: asks testkit for the addresses of
/// the host name (testkit answers with IP addresses, without port).
async fn resolve_domain_name(hub: CallbackHub, address: Address) -> std::io::Result<Vec<Address>> {
    let reply = hub
        .call(CallbackKind::DomainNameResolver, |id| {
            Response::DomainNameResolutionRequired {
                id,
                name: address.host().to_owned(),
            }
        })
        .await
        .map_err(std::io::Error::other)?;
    let CallbackReply::DomainNameResolver(ips) = reply else {
        return Err(std::io::Error::other(
            "domain-name resolver: unexpected callback reply",
        ));
    };
    Ok(ips
        .into_iter()
        .map(|ip| Address::new(ip, address.port()))
        .collect())
}

fn millis(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// The clock the basic and bearer auth token managers measure token
/// expiry with: the connection's fake clock, as the drivers' (real time
/// until `FakeTimeInstall`).
pub(crate) fn auth_clock(reg: &Reg) -> Clock {
    Clock::fake(reg.fake_time.clone())
}

/// testkit's token as boltline's.
pub(crate) fn auth_token(t: &AuthToken) -> Result<BoltAuthToken, Response> {
    let principal = t.principal.clone();
    let credentials = t.credentials.clone();
    Ok(match t.scheme.as_str() {
        "basic" if t.parameters.is_none() => match t.realm.clone().filter(|r| !r.is_empty()) {
            Some(realm) => BoltAuthToken::basic_with_realm(
                principal.unwrap_or_default(),
                credentials.unwrap_or_default(),
                realm,
            ),
            None => BoltAuthToken::basic(
                principal.unwrap_or_default(),
                credentials.unwrap_or_default(),
            ),
        },
        "bearer" => BoltAuthToken::bearer(credentials.unwrap_or_default()),
        "kerberos" => BoltAuthToken::kerberos(credentials.unwrap_or_default()),
        "none" if t.parameters.is_none() => BoltAuthToken::none(),
        scheme => {
            let parameters = match &t.parameters {
                None => None,
                Some(p) => {
                    let mut map = Map::new();
                    for (k, v) in p {
                        let value = plain_json_value(v).ok_or_else(|| {
                            Response::backend_error(format!("auth parameter {k}: not a value"))
                        })?;
                        map.insert(k.clone(), value);
                    }
                    Some(map)
                }
            };
            // Empty parts are left out (testkit's minimal scripts expect
            // only the scheme and the principal then).
            BoltAuthToken::custom(
                scheme,
                principal,
                credentials.filter(|c| !c.is_empty()).map(Secret::new),
                t.realm.clone().filter(|r| !r.is_empty()),
                parameters.filter(|p| !p.is_empty()),
            )
        }
    })
}

/// A plain JSON value (testkit sends auth token parameters untyped) as a
/// PackStream value; a value tagged as a Cypher value is taken as such.
fn plain_json_value(v: &serde_json::Value) -> Option<boltline::Value> {
    use boltline::Value;
    if let Ok(c) = serde_json::from_value::<CypherValue>(v.clone()) {
        return to_packstream(&c).ok();
    }
    Some(match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(n.as_f64()?),
        },
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => {
            Value::List(a.iter().map(plain_json_value).collect::<Option<_>>()?)
        }
        serde_json::Value::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| plain_json_value(v).map(|v| (k.clone(), v)))
                .collect::<Option<_>>()?,
        ),
    })
}

fn notification_filter(
    min_severity: Option<&str>,
    disabled: Option<&Vec<String>>,
) -> Result<Option<NotificationFilter>, Response> {
    if min_severity.is_none() && disabled.is_none() {
        return Ok(None);
    }
    let minimum_severity = match min_severity {
        None => None,
        Some("OFF") => Some(NotificationSeverity::Off),
        Some("WARNING") => Some(NotificationSeverity::Warning),
        Some("INFORMATION") => Some(NotificationSeverity::Information),
        Some(other) => {
            return Err(Response::backend_error(format!(
                "unknown notification severity {other:?}"
            )))
        }
    };
    Ok(Some(NotificationFilter {
        minimum_severity,
        disabled_classifications: disabled.cloned(),
    }))
}

fn new_bookmark_manager(reg: &mut Reg, r: crate::protocol::NewBookmarkManager) -> Response {
    let id = reg.ids.next_id();
    let mut m = Neo4jBookmarkManager::new();
    if let Some(b) = r.initial_bookmarks {
        m = m.with_initial_bookmarks(Bookmarks::from_raw(b));
    }
    if r.bookmarks_supplier_registered {
        let hub = reg.callbacks.clone();
        m = m.with_supplier(move || {
            let hub = hub.clone();
            async move {
                match hub
                    .call(CallbackKind::BookmarksSupplier, |cid| {
                        Response::BookmarksSupplierRequest {
                            id: cid,
                            bookmark_manager_id: id,
                        }
                    })
                    .await
                {
                    Ok(CallbackReply::BookmarksSupplier(b)) => Bookmarks::from_raw(b),
                    _ => Bookmarks::new(),
                }
            }
        });
    }
    if r.bookmarks_consumer_registered {
        let hub = reg.callbacks.clone();
        m = m.with_consumer(move |bookmarks: Bookmarks| {
            let hub = hub.clone();
            async move {
                let bookmarks: Vec<String> = bookmarks.raw_values().map(str::to_owned).collect();
                let _ = hub
                    .call(CallbackKind::BookmarksConsumer, |cid| {
                        Response::BookmarksConsumerRequest {
                            id: cid,
                            bookmark_manager_id: id,
                            bookmarks,
                        }
                    })
                    .await;
            }
        });
    }
    reg.bookmark_managers.insert_with_id(id, Arc::new(m));
    Response::BookmarkManager { id }
}

fn new_session(reg: &mut Reg, r: crate::protocol::NewSession) -> Response {
    let driver = match reg.drivers.get(r.driver_id) {
        Ok(d) => d.driver.clone(),
        Err(e) => return e.into(),
    };
    let mode = match r.access_mode.as_str() {
        "r" => AccessMode::Read,
        _ => AccessMode::Write,
    };
    let mut c = SessionConfig::new().with_default_access_mode(mode);
    if let Some(db) = r.database {
        c = c.with_database(db);
    }
    if let Some(b) = r.bookmarks {
        c = c.with_bookmarks(Bookmarks::from_raw(b));
    }
    if let Some(n) = r.fetch_size {
        match testkit_fetch_size(n) {
            Ok(n) => c = c.with_fetch_size(n),
            Err(e) => return driver_error(reg, e),
        }
    }
    if let Some(u) = r.impersonated_user {
        c = c.with_impersonated_user(u);
    }
    if let Some(id) = r.bookmark_manager_id {
        match reg.bookmark_managers.get(id) {
            Ok(m) => c = c.with_bookmark_manager(m.clone()),
            Err(e) => return e.into(),
        }
    }
    if let Some(t) = &r.authorization_token {
        match auth_token(t) {
            Ok(a) => c = c.with_auth(a),
            Err(resp) => return resp,
        }
    }
    match notification_filter(
        r.notifications_min_severity.as_deref(),
        r.notifications_disabled_categories.as_ref(),
    ) {
        Ok(Some(f)) => c = c.with_notification_filter(f),
        Ok(None) => {}
        Err(resp) => return resp,
    }
    let session = driver.session(c);
    let id = reg.sessions.insert(
        &reg.ids.clone(),
        SessionEntry {
            driver_id: r.driver_id,
            state: SessionState::Idle(Box::new(session)),
        },
    );
    Response::Session { id }
}

fn idle_session(reg: &mut Reg, id: Id) -> Result<&mut Session, Response> {
    match reg.sessions.get_mut(id) {
        Err(e) => Err(e.into()),
        Ok(SessionEntry {
            state: SessionState::Idle(s),
            ..
        }) => Ok(s),
        Ok(_) => Err(Response::backend_error(format!(
            "session {id} is busy with a managed transaction"
        ))),
    }
}

fn query(cypher: &str, params: Option<&CypherParams>) -> Result<Query, Response> {
    let mut q = Query::new(cypher);
    if let Some(p) = params {
        let mut map = Map::new();
        for (k, v) in p {
            let v = to_packstream(v)
                .map_err(|e| Response::backend_error(format!("parameter {k}: {e}")))?;
            map.insert(k.clone(), v);
        }
        q = q.with_parameters(map);
    }
    Ok(q)
}

fn tx_config(
    meta: Option<&CypherParams>,
    timeout: &TriState<i64>,
) -> Result<TransactionConfig, Response> {
    let mut c = TransactionConfig::new();
    if let Some(m) = meta {
        let mut map = Map::new();
        for (k, v) in m {
            let v = to_packstream(v)
                .map_err(|e| Response::backend_error(format!("txMeta {k}: {e}")))?;
            map.insert(k.clone(), v);
        }
        c = c.with_metadata(map);
    }
    if let TriState::Value(ms) = timeout {
        if *ms < 0 {
            return Err(driver_error_unregistered(&Error::InvalidConfig(format!(
                "the transaction timeout must not be negative; got {ms} ms"
            ))));
        }
        c = c.with_timeout(millis(*ms));
    }
    Ok(c)
}

fn register_result(reg: &mut Reg, result: Result<QueryResult, Error>) -> Response {
    match result {
        Ok(res) => {
            let keys = res.keys().to_vec();
            let id = reg.results.insert(&reg.ids.clone(), res);
            Response::Result { id, keys }
        }
        Err(e) => driver_error(reg, e),
    }
}

fn record_values(record: &Record) -> Result<Vec<CypherValue>, Response> {
    let values = record
        .values()
        .map_err(|e| Response::backend_error(e.to_string()))?;
    values
        .iter()
        .map(|v| from_packstream(v).map_err(|e| Response::backend_error(e.to_string())))
        .collect()
}

fn record_response(record: &Record) -> Response {
    match record_values(record) {
        Ok(values) => Response::Record { values },
        Err(resp) => resp,
    }
}

fn record_list(records: &[Record]) -> Result<Vec<RecordValues>, Response> {
    records
        .iter()
        .map(|r| record_values(r).map(|values| RecordValues { values }))
        .collect()
}

async fn single_optional(res: &mut QueryResult) -> Result<(Option<Record>, Vec<String>), Error> {
    let first = res.next().await?;
    let more = res.next().await?.is_some();
    res.consume().await?;
    let warnings = if more {
        vec!["expected a result with a single record, but found more".to_owned()]
    } else {
        Vec::new()
    };
    Ok((first, warnings))
}

enum TxEnd {
    Commit,
    Rollback,
    Close,
}

async fn end_tx(reg: &mut Reg, id: Id, how: TxEnd) -> Response {
    let tx = match reg.transactions.get_mut(id) {
        Err(e) => return e.into(),
        Ok(TxEntry::Managed(_)) => {
            return driver_error(
                reg,
                Error::TransactionClosed("a managed transaction is committed by the driver"),
            )
        }
        Ok(TxEntry::Explicit(tx)) => tx.take(),
    };
    let r = match (tx, how) {
        (Some(tx), TxEnd::Commit) => tx.commit().await,
        (Some(tx), TxEnd::Rollback) => tx.rollback().await,
        (Some(tx), TxEnd::Close) => tx.close().await,
        (None, TxEnd::Close) => Ok(()),
        (None, _) => Err(Error::TransactionClosed("committed, rolled back or closed")),
    };
    match r {
        Ok(()) => Response::Transaction { id },
        Err(e) => driver_error(reg, e),
    }
}

/// Starts a managed transaction: the session goes to a task running the
/// driver's retry loop; answers with the first attempt (or the outcome).
async fn managed(
    reg: &mut Reg,
    session_id: Id,
    mode: AccessMode,
    meta: Option<&CypherParams>,
    timeout: &TriState<i64>,
) -> Response {
    let config = match tx_config(meta, timeout) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let entry = match reg.sessions.get_mut(session_id) {
        Ok(e) => e,
        Err(e) => return e.into(),
    };
    let session = match std::mem::replace(&mut entry.state, SessionState::Lost) {
        SessionState::Idle(s) => s,
        other => {
            entry.state = other;
            return Response::backend_error(format!(
                "session {session_id} is busy with a managed transaction"
            ));
        }
    };
    let (commands, mut command_rx) = mpsc::unbounded_channel::<Command>();
    let (event_tx, events) = mpsc::unbounded_channel::<Event>();
    let task = tokio::task::spawn_local(async move {
        let mut session = *session;
        let r = session
            .execute(mode, config, async |tx: &mut ManagedTransaction<'_>| {
                let _ = event_tx.send(Event::Try);
                loop {
                    match command_rx.recv().await {
                        Some(Command::Run(q, reply)) => {
                            let _ = reply.send(tx.run(q).await);
                        }
                        Some(Command::Succeed) => return Ok(()),
                        Some(Command::Fail(e)) => return Err(e),
                        None => return Err(Error::user("the testkit connection closed")),
                    }
                }
            })
            .await;
        let _ = event_tx.send(Event::Done(r));
        session
    });
    entry.state = SessionState::Managed(ManagedRun {
        commands,
        events,
        task,
    });
    next_attempt(reg, session_id).await
}

/// Waits for the managed transaction's next step: a new attempt
/// (`RetryableTry`) or the end (`RetryableDone` or the error).
async fn next_attempt(reg: &mut Reg, session_id: Id) -> Response {
    let entry = match reg.sessions.get_mut(session_id) {
        Ok(e) => e,
        Err(e) => return e.into(),
    };
    let SessionState::Managed(run) = &mut entry.state else {
        return Response::backend_error(format!(
            "session {session_id} runs no managed transaction"
        ));
    };
    match run.events.recv().await {
        Some(Event::Try) => {
            let commands = run.commands.clone();
            let id = reg
                .transactions
                .insert(&reg.ids.clone(), TxEntry::Managed(commands));
            Response::RetryableTry { id }
        }
        other => {
            let SessionState::Managed(run) =
                std::mem::replace(&mut entry.state, SessionState::Lost)
            else {
                return Response::backend_error("managed transaction state lost");
            };
            // The retry loop has ended: the task returns the session.
            if let Ok(session) = run.task.await {
                entry.state = SessionState::Idle(Box::new(session));
            }
            // Attempts' transactions are over.
            reg.transactions.remove_where(
                |t| matches!(t, TxEntry::Managed(c) if c.same_channel(&run.commands)),
            );
            match other {
                Some(Event::Done(Ok(()))) => Response::RetryableDone {},
                Some(Event::Done(Err(Error::User(e)))) => Response::frontend_error(e.to_string()),
                Some(Event::Done(Err(e))) => driver_error(reg, e),
                Some(Event::Try) | None => {
                    Response::backend_error("the managed transaction task ended unexpectedly")
                }
            }
        }
    }
}

async fn retryable_end(reg: &mut Reg, session_id: Id, command: Command) -> Response {
    match reg.sessions.get(session_id) {
        Ok(SessionEntry {
            state: SessionState::Managed(run),
            ..
        }) => {
            let _ = run.commands.send(command);
        }
        Ok(_) => {
            return Response::backend_error(format!(
                "session {session_id} runs no managed transaction"
            ))
        }
        Err(e) => return e.into(),
    }
    next_attempt(reg, session_id).await
}

async fn execute_query(reg: &mut Reg, r: crate::protocol::ExecuteQuery) -> Response {
    use crate::protocol::BookmarkManagerChoice;
    let q = match query(&r.cypher, r.params.as_ref()) {
        Ok(q) => q,
        Err(resp) => return resp,
    };
    let config = match tx_config(r.config.tx_meta.as_ref(), &r.config.timeout) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let driver = match reg.drivers.get(r.driver_id) {
        Ok(d) => d.driver.clone(),
        Err(e) => return e.into(),
    };
    let mut eq = driver.execute_query(q).with_transaction_config(config);
    if let Some(db) = r.config.database {
        eq = eq.with_database(db);
    }
    if let Some(u) = r.config.impersonated_user {
        eq = eq.with_impersonated_user(u);
    }
    if r.config.routing.as_deref() == Some("r") {
        eq = eq.with_routing(AccessMode::Read);
    }
    if let Some(t) = &r.config.authorization_token {
        match auth_token(t) {
            Ok(a) => eq = eq.with_auth(a),
            Err(resp) => return resp,
        }
    }
    match r.config.bookmark_manager_id {
        BookmarkManagerChoice::Default => {}
        BookmarkManagerChoice::Disabled => eq = eq.with_bookmark_manager(None),
        BookmarkManagerChoice::Id(id) => match reg.bookmark_managers.get(id) {
            Ok(m) => eq = eq.with_bookmark_manager(Some(m.clone())),
            Err(e) => return e.into(),
        },
    }
    match eq.run().await {
        Ok(res) => {
            let records = match record_list(res.records()) {
                Ok(r) => r,
                Err(resp) => return resp,
            };
            match summary(res.summary()) {
                Ok(s) => Response::EagerResult {
                    keys: res.keys().to_vec(),
                    records,
                    summary: Box::new(s),
                },
                Err(resp) => resp,
            }
        }
        Err(e) => driver_error(reg, e),
    }
}

fn summary(s: &ResultSummary) -> Result<Summary, Response> {
    let c = s.counters();
    let mut parameters = BTreeMap::new();
    for (k, v) in s.parameters() {
        let v = from_packstream(v).map_err(|e| Response::backend_error(e.to_string()))?;
        parameters.insert(k.clone(), v);
    }
    let plain = |key: &str| {
        s.metadata()
            .get(key)
            .and_then(|v| crate::cypher::to_plain_json(v).ok())
    };
    Ok(Summary {
        server_info: ServerInfo {
            address: s.server().address().to_string(),
            agent: s.server().agent().to_owned(),
            protocol_version: s.server().protocol_version().to_string(),
        },
        counters: SummaryCounters {
            constraints_added: c.constraints_added(),
            constraints_removed: c.constraints_removed(),
            contains_system_updates: c.contains_system_updates(),
            contains_updates: c.contains_updates(),
            indexes_added: c.indexes_added(),
            indexes_removed: c.indexes_removed(),
            labels_added: c.labels_added(),
            labels_removed: c.labels_removed(),
            nodes_created: c.nodes_created(),
            nodes_deleted: c.nodes_deleted(),
            properties_set: c.properties_set(),
            relationships_created: c.relationships_created(),
            relationships_deleted: c.relationships_deleted(),
            system_updates: c.system_updates(),
        },
        query: SummaryQuery {
            text: s.query().to_owned(),
            parameters,
        },
        database: s.database().map(str::to_owned),
        // `None` when the server sent neither notifications nor (5.6+)
        // statuses; else the driver's notifications, derived from the
        // statuses for 5.6+.
        notifications: (s.metadata().contains_key("notifications")
            || s.metadata().contains_key("statuses"))
        .then(|| notifications(s.notifications())),
        gql_status_objects: s
            .gql_status_objects()
            .iter()
            .map(gql_status_object)
            .collect::<Result<_, _>>()?,
        plan: plain("plan"),
        profile: plain("profile"),
        query_type: s.query_type().map(|t| {
            match t {
                QueryType::Read => "r",
                QueryType::Write => "w",
                QueryType::ReadWrite => "rw",
                QueryType::Schema => "s",
            }
            .to_owned()
        }),
        result_available_after: s
            .result_available_after()
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        result_consumed_after: s
            .result_consumed_after()
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
    })
}

/// The driver's notifications in testkit's form: the raw severity and
/// category (`""` when the server sent none) next to the driver's parsed
/// `severityLevel` / `category`; `position` only when there is one.
fn notifications(list: &[Notification]) -> serde_json::Value {
    let position = |p: &boltline::InputPosition| serde_json::json!({"column": p.column(), "line": p.line(), "offset": p.offset()});
    serde_json::Value::Array(
        list.iter()
            .map(|n| {
                let raw_severity = n.raw_severity_level().unwrap_or_default();
                let mut m = serde_json::Map::new();
                m.insert("code".into(), n.code().to_owned().into());
                m.insert("title".into(), n.title().to_owned().into());
                m.insert("description".into(), n.description().to_owned().into());
                m.insert("severity".into(), raw_severity.into());
                if let Some(p) = n.position() {
                    m.insert("position".into(), position(&p));
                }
                m.insert("rawSeverityLevel".into(), raw_severity.into());
                m.insert("severityLevel".into(), n.severity_level().as_str().into());
                m.insert(
                    "rawCategory".into(),
                    n.raw_category().unwrap_or_default().into(),
                );
                m.insert("category".into(), n.category().as_str().into());
                serde_json::Value::Object(m)
            })
            .collect(),
    )
}

/// One of the driver's GQL status objects in testkit's form.
fn gql_status_object(g: &GqlStatusObject) -> Result<TkGqlStatusObject, Response> {
    let mut diagnostic_record = BTreeMap::new();
    for (k, v) in g.diagnostic_record() {
        let v = from_packstream(v).map_err(|e| Response::backend_error(e.to_string()))?;
        diagnostic_record.insert(k.clone(), v);
    }
    Ok(TkGqlStatusObject {
        gql_status: g.gql_status().to_owned(),
        status_description: g.status_description().to_owned(),
        position: g.position().map(|p| TkInputPosition {
            column: p.column(),
            line: p.line(),
            offset: p.offset(),
        }),
        classification: g.classification().as_str().to_owned(),
        raw_classification: g.raw_classification().map(str::to_owned),
        severity: g.severity().as_str().to_owned(),
        raw_severity: g.raw_severity().map(str::to_owned),
        diagnostic_record,
        is_notification: g.is_notification(),
    })
}

/// The GQL classification testkit expects: the diagnostic record's
/// `_classification` as sent (`raw`), and the driver's reading of it, one of
/// the three known classifications or `UNKNOWN`.
fn classification(diagnostic_record: &Map) -> (Option<String>, Option<String>) {
    let raw = match diagnostic_record.get("_classification") {
        Some(boltline::Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let known = raw
        .as_deref()
        .filter(|c| matches!(*c, "CLIENT_ERROR" | "DATABASE_ERROR" | "TRANSIENT_ERROR"))
        .unwrap_or("UNKNOWN");
    (Some(known.to_owned()), raw)
}

fn gql_cause(c: &BoltGqlCause) -> GqlCause {
    let (classification, raw_classification) = classification(&c.diagnostic_record);
    GqlCause::GqlError(Box::new(GqlError {
        msg: c.message.clone(),
        gql_status: Some(c.gql_status.clone()),
        status_description: Some(c.description.clone()),
        cause: c.cause.as_deref().map(gql_cause),
        diagnostic_record: diagnostic(&c.diagnostic_record),
        classification,
        raw_classification,
    }))
}

fn diagnostic(m: &Map) -> Option<BTreeMap<String, CypherValue>> {
    m.iter()
        .map(|(k, v)| from_packstream(v).ok().map(|v| (k.clone(), v)))
        .collect()
}

/// The `DriverError` for `e`, without registering it.
fn driver_error_unregistered(e: &Error) -> Response {
    let server = e.server_error();
    let (classification, raw_classification) = server
        .map(|s| classification(&s.diagnostic_record))
        .unwrap_or_default();
    Response::driver_error(DriverError {
        id: None,
        error_type: crate::errors::error_type(e).to_owned(),
        msg: server.map_or_else(|| crate::errors::message(e), |s| s.message.clone()),
        code: e.code().unwrap_or_default().to_owned(),
        retryable: Some(e.is_retryable()),
        gql_status: server.map(|s| s.gql_status.clone()),
        status_description: server.map(|s| s.description.clone()),
        cause: server.and_then(|s| s.cause.as_deref().map(gql_cause)),
        diagnostic_record: server.and_then(|s| diagnostic(&s.diagnostic_record)),
        classification,
        raw_classification,
    })
}

/// Registers `e` (testkit may hand it back in `RetryableNegative`) and
/// answers with its `DriverError`.
pub(crate) fn driver_error(reg: &mut Reg, e: Error) -> Response {
    let mut resp = driver_error_unregistered(&e);
    let id = reg.errors.insert(&reg.ids.clone(), e);
    if let Response::DriverError(d) = &mut resp {
        d.id = Some(id);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::Backend;
    use crate::protocol::parse_request;
    use serde_json::{json, Value as Json};

    async fn ask(b: &mut Backend<Boltline>, j: Json) -> Json {
        let req = match parse_request(&j.to_string()) {
            Ok(r) => r,
            Err(e) => panic!("{j}: {e}"),
        };
        match b.handle(req).await {
            Some(r) => serde_json::from_str(&r.to_json()).unwrap_or_default(),
            None => Json::Null,
        }
    }

    #[tokio::test]
    async fn drivers_and_sessions_without_a_server() {
        let mut b = Backend::<Boltline>::new(mpsc::unbounded_channel().0);
        let bad = ask(
            &mut b,
            json!({"name": "NewDriver", "data": {"uri": "nope://x", "authorizationToken": null}}),
        )
        .await;
        assert_eq!(bad["name"], "DriverError");
        assert_eq!(bad["data"]["errorType"], "ConnectionConfigParseError");
        assert_eq!(bad["data"]["retryable"], false);

        let d = ask(
            &mut b,
            json!({"name": "NewDriver", "data": {
                "uri": "bolt://127.0.0.1:1",
                "authorizationToken": {"name": "AuthorizationToken", "data": {
                    "scheme": "basic", "principal": "neo4j", "credentials": "pass"}},
                "userAgent": "testkit", "maxConnectionPoolSize": 3}}),
        )
        .await;
        assert_eq!(d["name"], "Driver", "{d}");
        let driver_id = d["data"]["id"].clone();
        let enc = ask(
            &mut b,
            json!({"name": "CheckDriverIsEncrypted", "data": {"driverId": driver_id}}),
        )
        .await;
        assert_eq!(enc["data"]["encrypted"], false);

        let s = ask(
            &mut b,
            json!({"name": "NewSession", "data": {"driverId": driver_id, "accessMode": "r",
                "bookmarks": ["bm1"]}}),
        )
        .await;
        assert_eq!(s["name"], "Session", "{s}");
        let session_id = s["data"]["id"].clone();
        let bm = ask(
            &mut b,
            json!({"name": "SessionLastBookmarks", "data": {"sessionId": session_id}}),
        )
        .await;
        assert_eq!(bm["data"]["bookmarks"], json!(["bm1"]));
        let closed = ask(
            &mut b,
            json!({"name": "SessionClose", "data": {"sessionId": session_id}}),
        )
        .await;
        assert_eq!(closed["name"], "Session");
        let gone = ask(
            &mut b,
            json!({"name": "SessionClose", "data": {"sessionId": session_id}}),
        )
        .await;
        assert_eq!(gone["name"], "BackendError");
        let dc = ask(
            &mut b,
            json!({"name": "DriverClose", "data": {"driverId": driver_id}}),
        )
        .await;
        assert_eq!(dc["name"], "Driver");
    }

    #[tokio::test]
    async fn managed_transaction_on_an_idle_session_needs_a_session() {
        let mut b = Backend::<Boltline>::new(mpsc::unbounded_channel().0);
        let r = ask(
            &mut b,
            json!({"name": "RetryablePositive", "data": {"sessionId": 77}}),
        )
        .await;
        assert_eq!(r["name"], "BackendError");
        let r = ask(
            &mut b,
            json!({"name": "ResultNext", "data": {"resultId": 5}}),
        )
        .await;
        assert_eq!(r["data"]["msg"], "no result with id 5");
    }

    #[test]
    fn auth_tokens_map_to_boltline() {
        let t = |scheme: &str| AuthToken {
            scheme: scheme.into(),
            principal: Some("p".into()),
            credentials: Some("c".into()),
            realm: None,
            parameters: None,
        };
        for s in ["basic", "bearer", "kerberos", "none", "custom-x"] {
            let a = auth_token(&t(s)).unwrap_or_else(|_| BoltAuthToken::none());
            assert_eq!(a.scheme(), s);
        }
    }
}
