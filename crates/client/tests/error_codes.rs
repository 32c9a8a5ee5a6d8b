//! A routing failure caused by a router's `FAILURE` keeps the server's code
//! (found by testkit's `test_should_fail_with_routing_failure_on_*`).

use boltline::RoutingError;
use boltline::{Address, Error, ServerError};

#[test]
fn routing_failures_keep_the_servers_code() {
    let not_found = Error::from(RoutingError::DatabaseNotFound {
        database: Some("adb".into()),
        source: Box::new(ServerError::new(
            "Neo.ClientError.Database.DatabaseNotFound",
            "no such database",
        )),
    });
    assert_eq!(
        not_found.code(),
        Some("Neo.ClientError.Database.DatabaseNotFound")
    );
    assert!(!not_found.is_retryable());

    let refused = Error::from(RoutingError::DiscoveryRefused {
        router: Address::new("router", 7687),
        source: Box::new(ServerError::new("Neo.ClientError.Security.Forbidden", "no")),
    });
    assert_eq!(refused.code(), Some("Neo.ClientError.Security.Forbidden"));
    assert!(refused.is_security_error());
    assert!(!refused.is_retryable());

    let unreachable = Error::from(RoutingError::NoReaders {
        database: "adb".into(),
    });
    assert_eq!(unreachable.code(), None);
}
