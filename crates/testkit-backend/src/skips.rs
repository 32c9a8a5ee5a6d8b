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
const TESTKIT_PYTHON_ONLY: &str = "testkit (branch rust, e2187cb) asserts here only for the drivers it lists (python, java, ...), with no case for 'rust': the assertion fails for any other driver; boltline's error for it is 'Disconnect' (connection lost) or, for single_optional with 2 records, a warning testkit checks for Python's wording only";
/// A skip reason shared by several entries.
const UNKNOWN_ZONE: &str = "the backend cannot express a date-time in a zone unknown to its IANA rules (chrono-tz) in testkit's form, which needs the UTC offset";
/// A skip reason shared by several entries.
const LEGACY_ZONED_DATETIME: &str = "boltline cannot send a zoned date-time to a Bolt 4.4 server without the utc patch (legacy local-time encoding not implemented)";
/// The skip list: each entry names the gap (see docs/CONFORMANCE.md).
pub const SKIPS: &[Skip] = &[
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
        "stub.iteration.test_result_list.TestResultList.test_result_list_with_disconnect",
        TESTKIT_PYTHON_ONLY,
    ),
    Skip::new(
        "stub.iteration.test_result_optional_single.TestResultSingleOptional.test_result_single_optional_with_2_records",
        TESTKIT_PYTHON_ONLY,
    ),
    Skip::new(
        "stub.iteration.test_result_optional_single.TestResultSingleOptional.test_result_single_optional_with_disconnect",
        TESTKIT_PYTHON_ONLY,
    ),
    Skip::new(
        "stub.iteration.test_result_peek.TestResultPeek.test_result_peek_with_disconnect",
        TESTKIT_PYTHON_ONLY,
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
