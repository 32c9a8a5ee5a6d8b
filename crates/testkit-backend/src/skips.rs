//! Tests the backend asks testkit to skip, each with a written reason.
//!
//! Most tests skip themselves through feature flags (see
//! [`crate::features`]). This list is for the rest: a test that needs no
//! flag but exercises something boltline does not do (yet). Every entry
//! must carry a reason that names the gap; [`Skip::new`] refuses (at compile
//! time, as the list is a `const`) a reason shorter than
//! [`MIN_REASON_LEN`] characters.

/// The shortest reason accepted: long enough to have to say something.
pub const MIN_REASON_LEN: usize = 16;

/// One skip entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skip {
    /// The test id as testkit sends it in `StartTest` (e.g.
    /// `stub.routing.test_routing_v5x0.RoutingV5x0.test_should_...`), or a
    /// prefix of it ending in `*` to skip a whole module or class.
    pub test: &'static str,
    /// For a subtest only: the subtest arguments that must all match (as
    /// `(name, JSON value)` pairs, e.g. `("routing", "true")`). Empty: the
    /// whole test.
    pub subtest: &'static [(&'static str, &'static str)],
    /// Why, naming the missing piece.
    pub reason: &'static str,
}

impl Skip {
    /// A skip for a whole test (or, with a trailing `*`, every test id with
    /// that prefix). Panics (a compile error in a `const`) when the reason
    /// is shorter than [`MIN_REASON_LEN`].
    pub const fn new(test: &'static str, reason: &'static str) -> Skip {
        assert!(
            reason.len() >= MIN_REASON_LEN,
            "a skip needs a reason that names the gap"
        );
        assert!(!test.is_empty(), "a skip needs a test id");
        Skip {
            test,
            subtest: &[],
            reason,
        }
    }

    /// A skip for the subtests of `test` whose arguments include `subtest`.
    pub const fn subtest(
        test: &'static str,
        subtest: &'static [(&'static str, &'static str)],
        reason: &'static str,
    ) -> Skip {
        let s = Skip::new(test, reason);
        Skip { subtest, ..s }
    }

    fn matches_test(&self, test_name: &str) -> bool {
        match self.test.strip_suffix('*') {
            Some(prefix) => test_name.starts_with(prefix),
            None => test_name == self.test,
        }
    }

    fn matches_subtest(&self, args: &serde_json::Map<String, serde_json::Value>) -> bool {
        self.subtest.iter().all(|(key, want)| {
            let want: Option<serde_json::Value> = serde_json::from_str(want).ok();
            want.is_some() && args.get(*key) == want.as_ref()
        })
    }
}

/// A skip reason shared by several entries.
const NO_ERROR_MAPPING: &str = "testkit (pinned commit) has no error-type mapping for driver name 'rust': the test ends in an else branch failing 'no error mapping is defined'";
/// A skip reason shared by several entries.
const UNKNOWN_ZONE: &str = "the backend cannot express a date-time in a zone unknown to its IANA rules (chrono-tz) in testkit's form, which needs the UTC offset";
/// A skip reason shared by several entries.
const LEGACY_ZONED_DATETIME: &str = "boltline cannot send a zoned date-time to a Bolt 4.4 server without the utc patch (legacy local-time encoding not implemented)";
/// The skip list: each entry names the gap (see docs/CONFORMANCE.md).
pub const SKIPS: &[Skip] = &[
    Skip::new(
        "stub.configuration_hints.test_connection_recv_timeout_seconds.TestDirectConnectionRecvTimeout.test_timeout",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.configuration_hints.test_connection_recv_timeout_seconds.TestDirectConnectionRecvTimeout.test_timeout_unmanaged_tx",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.configuration_hints.test_connection_recv_timeout_seconds.TestDirectConnectionRecvTimeout.test_timeout_unmanaged_tx_should_fail_subsequent_usage_after_timeout",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.configuration_hints.test_connection_recv_timeout_seconds.TestDirectConnectionRecvTimeout.test_timeout_managed_tx_retry",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.configuration_hints.test_connection_recv_timeout_seconds.TestRoutingConnectionRecvTimeout.test_timeout",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.configuration_hints.test_connection_recv_timeout_seconds.TestRoutingConnectionRecvTimeout.test_timeout_unmanaged_tx",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.configuration_hints.test_connection_recv_timeout_seconds.TestRoutingConnectionRecvTimeout.test_timeout_unmanaged_tx_should_fail_subsequent_usage_after_timeout",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.configuration_hints.test_connection_recv_timeout_seconds.TestRoutingConnectionRecvTimeout.test_timeout_managed_tx_retry",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.tx_lifetime.test_tx_lifetime.TestTxLifetime.test_unmanaged_tx_raises_tx_closed_exec",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.tx_run.test_tx_run.TestTxRun.test_should_prevent_commit_after_tx_termination",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.tx_run.test_tx_run.TestTxRun.test_should_prevent_discard_after_tx_termination_on_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.tx_run.test_tx_run.TestTxRun.test_should_prevent_pull_after_tx_termination_on_pull",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.tx_run.test_tx_run.TestTxRun.test_should_prevent_pull_after_tx_termination_on_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.tx_run.test_tx_run.TestTxRun.test_should_prevent_rollback_message_after_tx_termination",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.tx_run.test_tx_run.TestTxRun.test_should_prevent_run_after_tx_termination_on_pull",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.tx_run.test_tx_run.TestTxRun.test_should_prevent_run_after_tx_termination_on_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.types.test_temporal_types.TestTemporalTypesV4x4.test_unknown_then_known_zoned_date_time",
        UNKNOWN_ZONE,
    ),
    Skip::new(
        "stub.types.test_temporal_types.TestTemporalTypesV4x4.test_unknown_then_known_zoned_date_time_patched",
        UNKNOWN_ZONE,
    ),
    Skip::new(
        "stub.types.test_temporal_types.TestTemporalTypesV4x4.test_unknown_zoned_date_time",
        UNKNOWN_ZONE,
    ),
    Skip::new(
        "stub.types.test_temporal_types.TestTemporalTypesV4x4.test_unknown_zoned_date_time_patched",
        UNKNOWN_ZONE,
    ),
    Skip::new(
        "stub.types.test_temporal_types.TestTemporalTypesV5x0.test_unknown_then_known_zoned_date_time",
        UNKNOWN_ZONE,
    ),
    Skip::new(
        "stub.types.test_temporal_types.TestTemporalTypesV5x0.test_unknown_zoned_date_time",
        UNKNOWN_ZONE,
    ),
    Skip::new(
        "stub.types.test_temporal_types.TestTemporalTypesV4x4.test_zoned_date_time",
        LEGACY_ZONED_DATETIME,
    ),
    Skip::subtest(
        "stub.optimizations.test_optimizations.TestOptimizations.test_uses_implicit_default_arguments_multi_query",
        &[("version", "\"v4x3\"")],
        "Bolt 4.3 subtest run without a feature check: boltline speaks Bolt 4.4 and 5.x only",
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x0.test_should_fail_on_token_expired_on_commit_using_tx_function",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x0.test_should_fail_on_token_expired_on_pull_using_tx_function",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x0.test_should_fail_on_token_expired_on_run_using_tx_function",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x0.test_should_fail_with_token_expired_on_commit_using_tx_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x0.test_should_fail_with_token_expired_on_pull_using_session_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x0.test_should_fail_with_token_expired_on_pull_using_tx_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x0.test_should_fail_with_token_expired_on_run_using_tx_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x1.test_should_fail_on_token_expired_on_commit_using_tx_function",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x1.test_should_fail_on_token_expired_on_pull_using_tx_function",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x1.test_should_fail_on_token_expired_on_run_using_tx_function",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x1.test_should_fail_with_token_expired_on_commit_using_tx_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x1.test_should_fail_with_token_expired_on_pull_using_session_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x1.test_should_fail_with_token_expired_on_pull_using_tx_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_authorization.TestAuthorizationV5x1.test_should_fail_with_token_expired_on_run_using_tx_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_list.TestResultList.test_result_list_with_disconnect",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_optional_single.TestResultSingleOptional.test_result_single_optional_with_2_records",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_optional_single.TestResultSingleOptional.test_result_single_optional_with_disconnect",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_peek.TestResultPeek.test_result_peek_with_disconnect",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_scope.TestResultScope.test_result_is_invalid_after_consume_session_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_scope.TestResultScope.test_result_is_invalid_after_consume_tx_func",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_scope.TestResultScope.test_result_is_invalid_after_consume_tx_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_scope.TestResultScope.test_result_is_invalid_after_tx_ends_tx_func",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_scope.TestResultScope.test_result_is_invalid_after_tx_ends_tx_run",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_single.TestResultSingle.test_result_single_with_0_records",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_single.TestResultSingle.test_result_single_with_2_records",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.iteration.test_result_single.TestResultSingle.test_result_single_with_disconnect",
        NO_ERROR_MAPPING,
    ),
    // Auth token managers, session auth, verify_authentication: the driver
    // does it; the tests end in testkit's missing error mapping for 'rust'.
    Skip::new(
        "stub.authorization.test_auth_token_manager.TestAuthTokenManager5x0.test_error_on_*",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_basic_auth_manager.TestBasicAuthManager5x0.test_handles_unknown_auth",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_basic_auth_manager.TestBasicAuthManager5x0.test_renewing_on_expiration_error",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_bearer_auth_manager.TestBearerAuthManager5x0.test_handles_unknown_auth",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_bearer_auth_manager.TestBearerAuthManager5x0.test_renewing_on_expiration_error",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.token_expired_retry.test_token_expired_retry.TestTokenExpiredRetryV5x0.*",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_auth_token_manager.TestAuthTokenManager5x1.test_error_on_*",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_basic_auth_manager.TestBasicAuthManager5x1.test_handles_unknown_auth",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_basic_auth_manager.TestBasicAuthManager5x1.test_renewing_on_expiration_error",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_bearer_auth_manager.TestBearerAuthManager5x1.test_handles_unknown_auth",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_bearer_auth_manager.TestBearerAuthManager5x1.test_renewing_on_expiration_error",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.token_expired_retry.test_token_expired_retry.TestTokenExpiredRetryV5x1.*",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.test_user_switching.TestUserSwitchingV5x0.test_read_with_switch*",
        NO_ERROR_MAPPING,
    ),
    Skip::new(
        "stub.authorization.verify_authentication.test_verify_authentication.TestVerifyAuthenticationV5x0.test_is_not_supported",
        NO_ERROR_MAPPING,
    ),
];

/// What to answer to `StartTest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestDecision {
    /// Run it.
    Run,
    /// Run it, but ask about each subtest.
    RunSubTests,
    /// Skip it, for this reason.
    Skip(&'static str),
}

/// The decision for a whole test.
pub fn decide_test(skips: &[Skip], test_name: &str) -> TestDecision {
    let mut has_subtest_skips = false;
    for s in skips.iter().filter(|s| s.matches_test(test_name)) {
        if s.subtest.is_empty() {
            return TestDecision::Skip(s.reason);
        }
        has_subtest_skips = true;
    }
    if has_subtest_skips {
        TestDecision::RunSubTests
    } else {
        TestDecision::Run
    }
}

/// The decision for one subtest: `Some(reason)` to skip it.
pub fn decide_subtest(
    skips: &[Skip],
    test_name: &str,
    args: &serde_json::Map<String, serde_json::Value>,
) -> Option<&'static str> {
    skips
        .iter()
        .find(|s| s.matches_test(test_name) && s.matches_subtest(args))
        .map(|s| s.reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LIST: &[Skip] = &[
        Skip::new("stub.a.T.test_x", "no TLS 1.1 in rustls"),
        Skip::new("stub.b.*", "Kerberos auth is not implemented"),
        Skip::subtest(
            "stub.c.T.test_y",
            &[("routing", "true")],
            "no routing for this yet in boltline",
        ),
    ];

    #[test]
    fn whole_tests_and_prefixes() {
        assert_eq!(
            decide_test(LIST, "stub.a.T.test_x"),
            TestDecision::Skip("no TLS 1.1 in rustls")
        );
        assert_eq!(decide_test(LIST, "stub.a.T.test_x2"), TestDecision::Run);
        assert!(matches!(
            decide_test(LIST, "stub.b.T.any"),
            TestDecision::Skip(_)
        ));
        assert_eq!(decide_test(&[], "stub.b.T.any"), TestDecision::Run);
    }

    #[test]
    fn subtests() {
        assert_eq!(
            decide_test(LIST, "stub.c.T.test_y"),
            TestDecision::RunSubTests
        );
        let args = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
        assert!(decide_subtest(LIST, "stub.c.T.test_y", &args(json!({"routing": true}))).is_some());
        assert!(
            decide_subtest(LIST, "stub.c.T.test_y", &args(json!({"routing": false}))).is_none()
        );
        assert!(decide_subtest(LIST, "stub.c.T.test_y", &args(json!({}))).is_none());
    }

    #[test]
    fn every_real_skip_has_a_reason() {
        for s in SKIPS {
            assert!(s.reason.trim().len() >= MIN_REASON_LEN, "{s:?}");
        }
    }
}
