//! The one table from boltline's errors to testkit's error type names.
//!
//! testkit compares `DriverError.errorType` with a name per driver. For the
//! driver name `rust` (testkit's `rust` branch) it expects the vocabulary of
//! a Rust driver: `ServerError`, `Disconnect`, `IncompleteCommit`,
//! `ProtocolError`, `ConnectionConfigParseError`, `ConfigError`,
//! `ResultConsumed`, `ResultOutOfScope`, `TransactionOutOfScope`. The table
//! below gives each [`boltline::Error`] variant (the taxonomy of
//! `crates/client/src/error.rs`) its name; variants testkit never names keep
//! boltline's own.
//!
//! | boltline error | testkit name | why |
//! | --- | --- | --- |
//! | `Server` (a `FAILURE`) | `ServerError` | the server refused the work |
//! | `Routing` caused by a router's `FAILURE` | `ServerError` | idem, seen while routing |
//! | `Routing` otherwise (no router, no writer) | `Disconnect` | no server could be reached |
//! | `ServiceUnavailable` | `Disconnect` | idem |
//! | `ConnectionLost` after a protocol violation | `ProtocolError` | the server broke the protocol |
//! | `ConnectionLost` otherwise (I/O, timeout, closed) | `Disconnect` | the connection broke |
//! | `IncompleteCommit` | `IncompleteCommit` | broke during `COMMIT` |
//! | `Bolt` `Unsupported` (feature needs a newer Bolt) | `ConfigError` | the configuration asks for what the server cannot do |
//! | `Bolt` otherwise | `ProtocolError` | the Bolt layer refused the request |
//! | `InvalidUri` | `ConnectionConfigParseError` | the URI cannot be parsed into a connection configuration |
//! | `InvalidConfig` | `ConfigError` | |
//! | `ResultNotSingle` | `ConfigError`, message prefixed `GetSingleRecordError:` | testkit's `rust` vocabulary for `single()` misuse |
//! | `ResultConsumed` | `ResultConsumed` | |
//! | `ResultOutOfScope` | `ResultOutOfScope` | its transaction ended |
//! | `TransactionClosed` | `TransactionOutOfScope` | the transaction ended |
//! | `Decode`, `NoSuchColumn`, `SessionClosed`, `TransactionOpen`, `DriverClosed`, `User` | boltline's names | testkit names none of them |
//!
//! A managed transaction that gave up after retries
//! ([`Error::RetriesExhausted`]) reports its last attempt's error.

use boltline::BoltError;
use boltline::Error;

/// testkit's error type name for `e` (see the module table).
pub fn error_type(e: &Error) -> &'static str {
    let e = e.last_attempt();
    match e {
        Error::Server { .. } => "ServerError",
        Error::Routing(_) if e.server_error().is_some() => "ServerError",
        Error::Routing(_) | Error::ServiceUnavailable(_) => "Disconnect",
        Error::ConnectionLost(b) if is_protocol_violation(b) => "ProtocolError",
        Error::ConnectionLost(_) => "Disconnect",
        Error::IncompleteCommit(_) => "IncompleteCommit",
        Error::Bolt(b) if matches!(**b, BoltError::Unsupported { .. }) => "ConfigError",
        Error::Bolt(_) => "ProtocolError",
        Error::InvalidUri { .. } => "ConnectionConfigParseError",
        Error::InvalidConfig(_) | Error::ResultNotSingle { .. } => "ConfigError",
        Error::ResultConsumed => "ResultConsumed",
        Error::ResultOutOfScope => "ResultOutOfScope",
        Error::TransactionClosed(_) => "TransactionOutOfScope",
        Error::Decode(_) => "DecodeError",
        Error::NoSuchColumn { .. } => "NoSuchColumn",
        Error::SessionClosed => "SessionClosed",
        Error::TransactionOpen => "TransactionOpen",
        Error::DriverClosed => "DriverClosed",
        Error::User(_) => "UserError",
        _ => "Error",
    }
}

/// The message testkit gets for an error that is not a server failure:
/// its `Display`, after testkit's `rust` kind name where the table says so.
pub fn message(e: &Error) -> String {
    match e.last_attempt() {
        Error::ResultNotSingle { .. } => format!("GetSingleRecordError: {e}"),
        _ => e.to_string(),
    }
}

/// Whether the connection broke because the server broke the protocol.
fn is_protocol_violation(e: &BoltError) -> bool {
    matches!(
        e,
        BoltError::Protocol(_) | BoltError::MessageTooLarge { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn names_follow_the_table() {
        let lost = |b: BoltError| Error::ConnectionLost(Arc::new(b));
        assert_eq!(
            error_type(&lost(BoltError::Protocol("bad".into()))),
            "ProtocolError"
        );
        assert_eq!(
            error_type(&lost(BoltError::ConnectionClosed { during: "PULL" })),
            "Disconnect"
        );
        assert_eq!(
            error_type(&Error::InvalidUri {
                uri: "bolt://x?a=b".into(),
                reason: "no routing context".into()
            }),
            "ConnectionConfigParseError"
        );
        assert_eq!(
            error_type(&Error::TransactionClosed("committed")),
            "TransactionOutOfScope"
        );
        assert_eq!(error_type(&Error::ResultOutOfScope), "ResultOutOfScope");
        assert_eq!(error_type(&Error::ResultConsumed), "ResultConsumed");
        let not_single = Error::ResultNotSingle { found: 2 };
        assert_eq!(error_type(&not_single), "ConfigError");
        assert!(message(&not_single).starts_with("GetSingleRecordError: expected exactly one"));
        let retried = Error::RetriesExhausted {
            attempts: 3,
            last: Box::new(lost(BoltError::ConnectionClosed { during: "RUN" })),
        };
        assert_eq!(error_type(&retried), "Disconnect");
    }
}
