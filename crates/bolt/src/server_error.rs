//! A server `FAILURE`, typed and classified.
//!
//! Bolt 5.7 reshaped `FAILURE` around GQL (`gql_status`, `description`,
//! `diagnostic_record`, a `cause` chain, `neo4j_code` instead of `code`).
//! Older servers send only `code` and `message`; both forms map to the one
//! [`ServerError`], the old one with the GQL fields filled the way the
//! official drivers fill them (status `50N42`, "unexpected error").

use std::fmt;

use boltline_packstream::{Map, Value};

use crate::status::{self, RetryAction, ServerErrorKind, UNKNOWN_CODE};
/// Used when a server omits the message.
const UNKNOWN_MESSAGE: &str = "An unknown error occurred";
/// GQL status for errors without one (pre-5.7 servers, or a GQL field missing).
pub const UNKNOWN_GQL_STATUS: &str = "50N42";
/// Description that goes with [`UNKNOWN_GQL_STATUS`].
const UNKNOWN_GQL_DESCRIPTION: &str = "error: general processing exception - unexpected error";
/// Defaults of the GQL standard fields a server may omit from
/// `diagnostic_record` (bolt/message, `FAILURE`).
const DIAGNOSTIC_DEFAULTS: [(&str, &str); 3] = [
    ("OPERATION", ""),
    ("OPERATION_CODE", "0"),
    ("CURRENT_SCHEMA", "/"),
];

/// The classification part of a Neo4j code (`Neo.<Classification>.<Category>.<Title>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Classification {
    /// The request was wrong; retrying it as-is fails again.
    ClientError,
    /// A temporary condition; the same work may succeed if retried.
    TransientError,
    /// The database failed.
    DatabaseError,
    /// A code without a known classification.
    Unknown,
}

/// The GQL classification a 5.7+ server puts in `diagnostic_record._classification`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GqlClassification {
    /// `CLIENT_ERROR`.
    ClientError,
    /// `DATABASE_ERROR`.
    DatabaseError,
    /// `TRANSIENT_ERROR`.
    TransientError,
    /// Absent or unrecognised.
    Unknown,
}

/// One link of a GQL error's `cause` chain.
#[derive(Debug, Clone, PartialEq)]
pub struct GqlCause {
    /// GQL status code.
    pub gql_status: String,
    /// Message.
    pub message: String,
    /// Description of the status.
    pub description: String,
    /// Diagnostic record, defaults filled in.
    pub diagnostic_record: Map,
    /// The cause of this cause.
    pub cause: Option<Box<GqlCause>>,
}

/// A `FAILURE` the server sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerError {
    /// The Neo4j status code, e.g. `Neo.ClientError.Statement.SyntaxError`,
    /// after the official drivers' rewrites (see [`ServerError::classification`]).
    pub code: String,
    /// The message.
    pub message: String,
    /// GQL status code (`50N42` when the server sent none).
    pub gql_status: String,
    /// Description of the GQL status.
    pub description: String,
    /// The GQL diagnostic record with the standard defaults filled in.
    pub diagnostic_record: Map,
    /// The GQL cause chain (5.7+).
    pub cause: Option<Box<GqlCause>>,
    /// Classification from the code, after rewrites: Neo4j 4.x reports a
    /// user-terminated transaction (`Transaction.Terminated`,
    /// `Transaction.LockClientStopped`) as a transient error, which 5.0
    /// reclassified as a client error. Like the official drivers, the code and
    /// classification are rewritten so it is never retried; and an expired
    /// authorization (`Security.AuthorizationExpired`) counts as transient,
    /// as re-authenticating and retrying fixes it.
    pub classification: Classification,
    /// What the code means to the driver, parsed once from it (see
    /// [`ServerErrorKind`]; for [`ServerErrorKind::Other`] the raw code is
    /// [`code`](Self::code)).
    pub kind: ServerErrorKind,
}

impl ServerError {
    /// An error with a code and message, GQL fields as for a pre-5.7 server.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        let mut m = Map::new();
        m.insert("code".into(), Value::String(code.into()));
        m.insert("message".into(), Value::String(message.into()));
        ServerError::from_metadata(m, false)
    }

    /// Builds the error from `FAILURE` metadata; `gql` tells whether the
    /// connection speaks 5.7+ (GQL fields, `neo4j_code`).
    pub fn from_metadata(mut m: Map, gql: bool) -> Self {
        let code_key = if gql { "neo4j_code" } else { "code" };
        let raw_code = take_str(&mut m, code_key)
            .or_else(|| take_str(&mut m, "code"))
            .unwrap_or_else(|| UNKNOWN_CODE.to_owned());
        let code = status::rewrite(raw_code);
        let classification = status::classification(&code);
        let kind = status::kind(&code, classification);
        if gql {
            let message = take_str(&mut m, "message");
            let status = take_str(&mut m, "gql_status");
            let description = take_str(&mut m, "description");
            let (gql_status, message, description) = match (status, message, description) {
                (Some(s), Some(msg), Some(d)) => (s, msg, d),
                (_, msg, _) => (
                    UNKNOWN_GQL_STATUS.to_owned(),
                    msg.unwrap_or_else(|| UNKNOWN_MESSAGE.to_owned()),
                    UNKNOWN_GQL_DESCRIPTION.to_owned(),
                ),
            };
            ServerError {
                code,
                message,
                gql_status,
                description,
                diagnostic_record: diagnostic_record(m.remove("diagnostic_record")),
                cause: cause(m.remove("cause")),
                classification,
                kind,
            }
        } else {
            let message = take_str(&mut m, "message").unwrap_or_else(|| UNKNOWN_MESSAGE.to_owned());
            ServerError {
                description: format!("{UNKNOWN_GQL_DESCRIPTION}. {message}"),
                code,
                message,
                gql_status: UNKNOWN_GQL_STATUS.to_owned(),
                diagnostic_record: diagnostic_record(None),
                cause: None,
                classification,
                kind,
            }
        }
    }

    /// The category part of the code (`Statement` in `Neo.ClientError.Statement.SyntaxError`).
    pub fn category(&self) -> &str {
        self.code.split('.').nth(2).unwrap_or("")
    }

    /// The title part of the code (`SyntaxError` in `Neo.ClientError.Statement.SyntaxError`).
    pub fn title(&self) -> &str {
        self.code.split('.').nth(3).unwrap_or("")
    }

    /// The GQL classification from the diagnostic record (5.7+).
    pub fn gql_classification(&self) -> GqlClassification {
        match self.diagnostic_record.get("_classification") {
            Some(Value::String(s)) => match s.as_str() {
                "CLIENT_ERROR" => GqlClassification::ClientError,
                "DATABASE_ERROR" => GqlClassification::DatabaseError,
                "TRANSIENT_ERROR" => GqlClassification::TransientError,
                _ => GqlClassification::Unknown,
            },
            _ => GqlClassification::Unknown,
        }
    }

    /// What to do about this failure: retry, retry after re-authenticating,
    /// after refreshing routing, or not at all (decided from
    /// [`kind`](Self::kind) by [`RetryAction::for_kind`]).
    pub fn retry_action(&self) -> RetryAction {
        RetryAction::for_kind(self.kind)
    }

    /// Whether this is any security error (`Neo.ClientError.Security.*`).
    pub fn is_security_error(&self) -> bool {
        self.kind.is_security()
    }

    /// Whether the credentials were rejected (`Unauthorized`,
    /// `AuthorizationFailed`) or the token expired (`TokenExpired`).
    pub fn is_authentication_error(&self) -> bool {
        self.kind.is_authentication()
    }

    /// Whether an auth token expired and must be refreshed.
    pub fn is_token_expired(&self) -> bool {
        self.kind == ServerErrorKind::TokenExpired
    }

    /// Whether the server expired this connection's authorization: every
    /// connection with the same credentials must re-authenticate.
    pub fn is_authorization_expired(&self) -> bool {
        self.kind == ServerErrorKind::AuthorizationExpired
    }

    /// Whether a write went to a cluster member that cannot take writes.
    pub fn is_not_a_leader(&self) -> bool {
        self.kind == ServerErrorKind::NotALeader
    }

    /// Whether the named database does not exist.
    pub fn is_database_not_found(&self) -> bool {
        self.kind == ServerErrorKind::DatabaseNotFound
    }
}

fn take_str(m: &mut Map, key: &str) -> Option<String> {
    match m.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

fn diagnostic_record(v: Option<Value>) -> Map {
    let mut record = match v {
        Some(Value::Map(m)) => m,
        _ => Map::new(),
    };
    for (k, d) in DIAGNOSTIC_DEFAULTS {
        record
            .entry(k.to_owned())
            .or_insert_with(|| Value::String(d.to_owned()));
    }
    record
}

fn cause(v: Option<Value>) -> Option<Box<GqlCause>> {
    let Some(Value::Map(mut m)) = v else {
        return None;
    };
    let gql_status = take_str(&mut m, "gql_status");
    let message = take_str(&mut m, "message");
    let description = take_str(&mut m, "description");
    let (gql_status, message, description) = match (gql_status, message, description) {
        (Some(s), Some(msg), Some(d)) => (s, msg, d),
        (_, msg, _) => (
            UNKNOWN_GQL_STATUS.to_owned(),
            msg.unwrap_or_else(|| UNKNOWN_MESSAGE.to_owned()),
            UNKNOWN_GQL_DESCRIPTION.to_owned(),
        ),
    };
    Some(Box::new(GqlCause {
        gql_status,
        message,
        description,
        diagnostic_record: diagnostic_record(m.remove("diagnostic_record")),
        cause: cause(m.remove("cause")),
    }))
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if self.gql_status != UNKNOWN_GQL_STATUS {
            write!(f, " (GQL status {})", self.gql_status)?;
        }
        Ok(())
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Display for GqlCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (GQL status {})", self.message, self.gql_status)
    }
}

impl std::error::Error for GqlCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Map {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn s(v: &str) -> Value {
        Value::String(v.to_owned())
    }

    #[test]
    fn legacy_failure_gets_gql_polyfill() {
        let e = ServerError::from_metadata(
            map(&[
                ("code", s("Neo.ClientError.Statement.SyntaxError")),
                ("message", s("bad")),
            ]),
            false,
        );
        assert_eq!(e.code, "Neo.ClientError.Statement.SyntaxError");
        assert_eq!(e.classification, Classification::ClientError);
        assert_eq!(e.category(), "Statement");
        assert_eq!(e.title(), "SyntaxError");
        assert_eq!(e.gql_status, "50N42");
        assert_eq!(
            e.description,
            "error: general processing exception - unexpected error. bad"
        );
        assert_eq!(e.diagnostic_record.get("CURRENT_SCHEMA"), Some(&s("/")));
        assert!(!e.retry_action().is_retry());
        assert_eq!(e.to_string(), "Neo.ClientError.Statement.SyntaxError: bad");
    }

    #[test]
    fn gql_failure_with_cause_chain() {
        let e = ServerError::from_metadata(
            map(&[
                ("neo4j_code", s("Neo.ClientError.Request.Invalid")),
                ("message", s("outer")),
                ("gql_status", s("08N06")),
                ("description", s("protocol error")),
                (
                    "diagnostic_record",
                    Value::Map(map(&[("_classification", s("CLIENT_ERROR"))])),
                ),
                (
                    "cause",
                    Value::Map(map(&[
                        ("message", s("inner")),
                        ("gql_status", s("08N10")),
                        ("description", s("invalid server state")),
                    ])),
                ),
            ]),
            true,
        );
        assert_eq!(e.code, "Neo.ClientError.Request.Invalid");
        assert_eq!(e.gql_status, "08N06");
        assert_eq!(e.gql_classification(), GqlClassification::ClientError);
        assert_eq!(e.diagnostic_record.get("OPERATION_CODE"), Some(&s("0")));
        let cause = e.cause.as_deref().unwrap();
        assert_eq!(cause.gql_status, "08N10");
        assert_eq!(cause.message, "inner");
        assert_eq!(cause.diagnostic_record.get("OPERATION"), Some(&s("")));
        assert!(std::error::Error::source(&e).is_some());
        assert!(e.to_string().contains("GQL status 08N06"));
    }

    #[test]
    fn gql_failure_missing_fields_falls_back_to_unknown() {
        let e = ServerError::from_metadata(map(&[("message", s("m"))]), true);
        assert_eq!(e.code, "Neo.DatabaseError.General.UnknownError");
        assert_eq!(e.classification, Classification::DatabaseError);
        assert_eq!(e.gql_status, "50N42");
        assert_eq!(e.message, "m");
        assert_eq!(e.gql_classification(), GqlClassification::Unknown);
    }

    #[test]
    fn terminated_and_lock_client_stopped_are_not_retryable() {
        for (raw, rewritten) in [
            (
                "Neo.TransientError.Transaction.Terminated",
                "Neo.ClientError.Transaction.Terminated",
            ),
            (
                "Neo.TransientError.Transaction.LockClientStopped",
                "Neo.ClientError.Transaction.LockClientStopped",
            ),
        ] {
            for gql in [false, true] {
                let key = if gql { "neo4j_code" } else { "code" };
                let e = ServerError::from_metadata(map(&[(key, s(raw))]), gql);
                assert_eq!(e.code, rewritten);
                assert_eq!(e.classification, Classification::ClientError);
                assert!(!e.retry_action().is_retry(), "{raw}");
            }
        }
    }

    #[test]
    fn retryable_and_security_helpers() {
        let transient = ServerError::new("Neo.TransientError.Transaction.DeadlockDetected", "x");
        assert!(transient.retry_action().is_retry());
        let expired = ServerError::new("Neo.ClientError.Security.AuthorizationExpired", "x");
        assert_eq!(expired.classification, Classification::TransientError);
        assert!(expired.retry_action().is_retry());
        assert!(expired.is_security_error());
        assert!(expired.is_authorization_expired());
        assert!(!expired.is_authentication_error());
        let unauthorized = ServerError::new("Neo.ClientError.Security.Unauthorized", "x");
        assert!(unauthorized.is_security_error());
        assert!(unauthorized.is_authentication_error());
        assert!(!unauthorized.retry_action().is_retry());
        assert!(ServerError::new("Neo.ClientError.Security.TokenExpired", "x").is_token_expired());
        let leader = ServerError::new("Neo.ClientError.Cluster.NotALeader", "x");
        assert!(leader.retry_action().is_retry() && leader.is_not_a_leader());
        assert!(
            ServerError::new("Neo.ClientError.Database.DatabaseNotFound", "x")
                .is_database_not_found()
        );
        let odd = ServerError::new("Nonsense", "x");
        assert_eq!(odd.classification, Classification::Unknown);
        assert_eq!(odd.category(), "");
    }
}
