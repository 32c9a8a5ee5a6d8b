//! The one place where Neo4j status codes are read.
//!
//! A server `FAILURE` carries a code such as
//! `Neo.ClientError.Cluster.NotALeader`. It is parsed once, when the
//! [`ServerError`](crate::ServerError) is built, into a [`ServerErrorKind`]:
//! the kinds the driver acts on, and [`ServerErrorKind::Other`] for the rest
//! (the raw code stays in [`ServerError::code`](crate::ServerError::code)).
//! Every layer above decides from the kind, never from the string; and
//! whether (and how) to retry is decided by one function,
//! [`RetryAction::for_kind`]. The table is in the crate's README.

use crate::Classification;

/// Used when a server omits the Neo4j code.
pub(crate) const UNKNOWN_CODE: &str = "Neo.DatabaseError.General.UnknownError";

const SECURITY_PREFIX: &str = "Neo.ClientError.Security.";

/// What a server failure means to the driver, parsed from its status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServerErrorKind {
    /// The credentials were refused (`Security.Unauthorized`).
    Unauthorized,
    /// Authentication failed (`Security.AuthorizationFailed`).
    AuthenticationFailed,
    /// The auth token expired (`Security.TokenExpired`).
    TokenExpired,
    /// The credentials expired (`Security.CredentialsExpired`).
    CredentialsExpired,
    /// The user may not do this (`Security.Forbidden`).
    Forbidden,
    /// The server expired this connection's authorization
    /// (`Security.AuthorizationExpired`): re-authenticate and retry.
    AuthorizationExpired,
    /// Any other security error (`Neo.ClientError.Security.*`).
    OtherSecurity,
    /// A write reached a cluster member that cannot take writes
    /// (`Cluster.NotALeader`, `General.ForbiddenOnReadOnlyDatabase`).
    NotALeader,
    /// The database does not exist (`Database.DatabaseNotFound`).
    DatabaseNotFound,
    /// The database cannot serve now on this server
    /// (`Neo.TransientError.General.DatabaseUnavailable`).
    DatabaseUnavailable,
    /// The transaction was terminated by a user or an administrator
    /// (`Transaction.Terminated`, `Transaction.LockClientStopped`, 4.x's
    /// transient forms rewritten to client errors).
    Terminated,
    /// A bookmark was invalid (`Transaction.InvalidBookmark`,
    /// `Transaction.InvalidBookmarkMixture`).
    InvalidBookmark,
    /// The request itself is invalid (`Statement.TypeError`,
    /// `Statement.ArgumentError`, `Request.Invalid`).
    InvalidRequest,
    /// A constraint was violated (`Schema.ConstraintValidationFailed`).
    ConstraintViolation,
    /// Any other transient error (`Neo.TransientError.*`): retry.
    Transient,
    /// Anything else; the raw code stays on the error.
    Other(Classification),
}

/// What to do about a failed unit of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryAction {
    /// Do not retry: the same work fails again.
    NoRetry,
    /// Retry the work as it is.
    Retry,
    /// Retry once the credentials have been renewed.
    RetryAfterReauth,
    /// Retry after refreshing the routing table (the server is not the
    /// writer any more).
    RefreshRouting,
    /// Retry on a new connection (this one broke).
    Reconnect,
}

impl RetryAction {
    /// Whether running the work again may succeed.
    pub fn is_retry(self) -> bool {
        self != RetryAction::NoRetry
    }

    /// The one decision from a server failure's kind.
    pub fn for_kind(kind: ServerErrorKind) -> RetryAction {
        use ServerErrorKind as K;
        match kind {
            K::Transient | K::DatabaseUnavailable | K::Other(Classification::TransientError) => {
                RetryAction::Retry
            }
            K::AuthorizationExpired => RetryAction::RetryAfterReauth,
            K::NotALeader => RetryAction::RefreshRouting,
            _ => RetryAction::NoRetry,
        }
    }
}

/// Applies the official drivers' rewrites to a raw code: Neo4j 4.x reports
/// a user-terminated transaction as transient, which 5.0 reclassified as a
/// client error (it must not be retried).
pub(crate) fn rewrite(code: String) -> String {
    match code.as_str() {
        "Neo.TransientError.Transaction.Terminated" => {
            "Neo.ClientError.Transaction.Terminated".into()
        }
        "Neo.TransientError.Transaction.LockClientStopped" => {
            "Neo.ClientError.Transaction.LockClientStopped".into()
        }
        _ => code,
    }
}

/// The classification of a (rewritten) code; an expired authorization
/// counts as transient, as re-authenticating and retrying fixes it.
pub(crate) fn classification(code: &str) -> Classification {
    if code == "Neo.ClientError.Security.AuthorizationExpired" {
        return Classification::TransientError;
    }
    let mut parts = code.split('.');
    let class = match (parts.next(), parts.next()) {
        (Some(_), Some(c)) => c,
        _ => return Classification::Unknown,
    };
    if parts.count() != 2 {
        return Classification::Unknown;
    }
    match class {
        "ClientError" => Classification::ClientError,
        "TransientError" => Classification::TransientError,
        "DatabaseError" => Classification::DatabaseError,
        _ => Classification::Unknown,
    }
}

/// The kind of a (rewritten) code.
pub(crate) fn kind(code: &str, classification: Classification) -> ServerErrorKind {
    use ServerErrorKind as K;
    match code {
        "Neo.ClientError.Security.Unauthorized" => K::Unauthorized,
        "Neo.ClientError.Security.AuthorizationFailed" => K::AuthenticationFailed,
        "Neo.ClientError.Security.TokenExpired" => K::TokenExpired,
        "Neo.ClientError.Security.CredentialsExpired" => K::CredentialsExpired,
        "Neo.ClientError.Security.Forbidden" => K::Forbidden,
        "Neo.ClientError.Security.AuthorizationExpired" => K::AuthorizationExpired,
        "Neo.ClientError.Cluster.NotALeader"
        | "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase" => K::NotALeader,
        "Neo.ClientError.Database.DatabaseNotFound" => K::DatabaseNotFound,
        "Neo.TransientError.General.DatabaseUnavailable" => K::DatabaseUnavailable,
        "Neo.ClientError.Transaction.Terminated"
        | "Neo.ClientError.Transaction.LockClientStopped" => K::Terminated,
        "Neo.ClientError.Transaction.InvalidBookmark"
        | "Neo.ClientError.Transaction.InvalidBookmarkMixture" => K::InvalidBookmark,
        "Neo.ClientError.Statement.TypeError"
        | "Neo.ClientError.Statement.ArgumentError"
        | "Neo.ClientError.Request.Invalid" => K::InvalidRequest,
        "Neo.ClientError.Schema.ConstraintValidationFailed" => K::ConstraintViolation,
        c if c.starts_with(SECURITY_PREFIX) => K::OtherSecurity,
        _ if classification == Classification::TransientError => K::Transient,
        _ => K::Other(classification),
    }
}

impl ServerErrorKind {
    /// Whether this is a security error (`Neo.ClientError.Security.*`).
    pub fn is_security(self) -> bool {
        matches!(
            self,
            ServerErrorKind::Unauthorized
                | ServerErrorKind::AuthenticationFailed
                | ServerErrorKind::TokenExpired
                | ServerErrorKind::CredentialsExpired
                | ServerErrorKind::Forbidden
                | ServerErrorKind::AuthorizationExpired
                | ServerErrorKind::OtherSecurity
        )
    }

    /// Whether the credentials were rejected (`Unauthorized`,
    /// `AuthorizationFailed`) or the token expired (`TokenExpired`).
    pub fn is_authentication(self) -> bool {
        matches!(
            self,
            ServerErrorKind::Unauthorized
                | ServerErrorKind::AuthenticationFailed
                | ServerErrorKind::TokenExpired
        )
    }

    /// Whether the server says the credentials themselves are not good
    /// (`CredentialsExpired`, `Forbidden`, `TokenExpired`, `Unauthorized`),
    /// as opposed to failing for another reason.
    pub fn refuses_credentials(self) -> bool {
        matches!(
            self,
            ServerErrorKind::CredentialsExpired
                | ServerErrorKind::Forbidden
                | ServerErrorKind::TokenExpired
                | ServerErrorKind::Unauthorized
        )
    }

    /// Whether this failure ends routing discovery: the error is the
    /// client's, and every router would answer the same (the official
    /// drivers' list). An expired authorization is not among them: a fresh
    /// connection fixes it.
    pub fn is_fatal_during_discovery(self) -> bool {
        matches!(
            self,
            ServerErrorKind::DatabaseNotFound
                | ServerErrorKind::InvalidBookmark
                | ServerErrorKind::InvalidRequest
        ) || (self.is_security() && self != ServerErrorKind::AuthorizationExpired)
    }

    /// What to do about a failure of this kind (see [`RetryAction::for_kind`]).
    pub fn retry_action(self) -> RetryAction {
        RetryAction::for_kind(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerError;
    use ServerErrorKind as K;

    fn k(code: &str) -> ServerErrorKind {
        ServerError::new(code, "m").kind
    }

    #[test]
    fn each_code_family_is_classified() {
        let cases = [
            ("Neo.ClientError.Security.Unauthorized", K::Unauthorized),
            (
                "Neo.ClientError.Security.AuthorizationFailed",
                K::AuthenticationFailed,
            ),
            ("Neo.ClientError.Security.TokenExpired", K::TokenExpired),
            (
                "Neo.ClientError.Security.CredentialsExpired",
                K::CredentialsExpired,
            ),
            ("Neo.ClientError.Security.Forbidden", K::Forbidden),
            (
                "Neo.ClientError.Security.AuthorizationExpired",
                K::AuthorizationExpired,
            ),
            ("Neo.ClientError.Security.Whatever", K::OtherSecurity),
            ("Neo.ClientError.Cluster.NotALeader", K::NotALeader),
            (
                "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
                K::NotALeader,
            ),
            (
                "Neo.ClientError.Database.DatabaseNotFound",
                K::DatabaseNotFound,
            ),
            (
                "Neo.TransientError.General.DatabaseUnavailable",
                K::DatabaseUnavailable,
            ),
            ("Neo.ClientError.Transaction.Terminated", K::Terminated),
            ("Neo.TransientError.Transaction.Terminated", K::Terminated),
            (
                "Neo.TransientError.Transaction.LockClientStopped",
                K::Terminated,
            ),
            (
                "Neo.ClientError.Transaction.InvalidBookmark",
                K::InvalidBookmark,
            ),
            (
                "Neo.ClientError.Transaction.InvalidBookmarkMixture",
                K::InvalidBookmark,
            ),
            ("Neo.ClientError.Statement.TypeError", K::InvalidRequest),
            ("Neo.ClientError.Statement.ArgumentError", K::InvalidRequest),
            ("Neo.ClientError.Request.Invalid", K::InvalidRequest),
            (
                "Neo.ClientError.Schema.ConstraintValidationFailed",
                K::ConstraintViolation,
            ),
            (
                "Neo.TransientError.Transaction.DeadlockDetected",
                K::Transient,
            ),
            (
                "Neo.ClientError.Statement.SyntaxError",
                K::Other(Classification::ClientError),
            ),
            (
                "Neo.DatabaseError.General.UnknownError",
                K::Other(Classification::DatabaseError),
            ),
        ];
        for (code, want) in cases {
            assert_eq!(k(code), want, "{code}");
        }
    }

    #[test]
    fn unknown_codes_keep_the_raw_code() {
        for (code, class) in [
            ("Neo.ClientError.Foo.Bar", Classification::ClientError),
            ("Neo.Strange.Foo.Bar", Classification::Unknown),
            ("not a code", Classification::Unknown),
            ("Neo.ClientError.Foo", Classification::Unknown),
        ] {
            let e = ServerError::new(code, "m");
            assert_eq!(e.code, code);
            assert_eq!(e.kind, K::Other(class), "{code}");
            assert_eq!(e.classification, class, "{code}");
            assert_eq!(e.retry_action(), RetryAction::NoRetry, "{code}");
        }
    }

    #[test]
    fn retry_action_table() {
        let cases = [
            (K::Transient, RetryAction::Retry),
            (K::DatabaseUnavailable, RetryAction::Retry),
            (K::Other(Classification::TransientError), RetryAction::Retry),
            (K::AuthorizationExpired, RetryAction::RetryAfterReauth),
            (K::NotALeader, RetryAction::RefreshRouting),
            (K::Unauthorized, RetryAction::NoRetry),
            (K::TokenExpired, RetryAction::NoRetry),
            (K::Forbidden, RetryAction::NoRetry),
            (K::Terminated, RetryAction::NoRetry),
            (K::DatabaseNotFound, RetryAction::NoRetry),
            (K::InvalidBookmark, RetryAction::NoRetry),
            (K::ConstraintViolation, RetryAction::NoRetry),
            (K::Other(Classification::ClientError), RetryAction::NoRetry),
            (
                K::Other(Classification::DatabaseError),
                RetryAction::NoRetry,
            ),
        ];
        for (kind, want) in cases {
            assert_eq!(RetryAction::for_kind(kind), want, "{kind:?}");
            assert_eq!(want.is_retry(), want != RetryAction::NoRetry);
        }
    }

    #[test]
    fn predicates() {
        assert!(K::OtherSecurity.is_security() && !K::NotALeader.is_security());
        assert!(K::TokenExpired.is_authentication() && !K::Forbidden.is_authentication());
        assert!(K::Forbidden.refuses_credentials());
        assert!(!K::AuthenticationFailed.refuses_credentials());
        assert!(K::DatabaseNotFound.is_fatal_during_discovery());
        assert!(K::Unauthorized.is_fatal_during_discovery());
        assert!(!K::AuthorizationExpired.is_fatal_during_discovery());
        assert!(!K::DatabaseUnavailable.is_fatal_during_discovery());
        assert!(!K::NotALeader.is_fatal_during_discovery());
    }
}
