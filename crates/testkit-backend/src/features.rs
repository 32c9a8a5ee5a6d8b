//! The feature flags testkit knows, and the list this backend announces.
//!
//! Testkit skips every test that needs a feature the backend does not list
//! in its `FeatureList`, so [`SUPPORTED`] must name only what the driver
//! and this backend truly do. It is the one place to edit when wiring adds
//! support.

macro_rules! features {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// A testkit feature flag.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Feature {
            $($(#[$doc])* $variant,)*
        }

        impl Feature {
            /// Every feature testkit (at the pinned commit) knows.
            pub const ALL: &'static [Feature] = &[$(Feature::$variant,)*];

            /// The flag as testkit spells it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Feature::$variant => $text,)*
                }
            }
        }
    };
}

features! {
    /// `Feature:API:BookmarkManager`.
    ApiBookmarkManager = "Feature:API:BookmarkManager",
    /// `Feature:API:ConnectionAcquisitionTimeout`.
    ApiConnectionAcquisitionTimeout = "Feature:API:ConnectionAcquisitionTimeout",
    /// `Feature:API:Driver.ExecuteQuery`.
    ApiDriverExecuteQuery = "Feature:API:Driver.ExecuteQuery",
    /// `Feature:API:Driver.ExecuteQuery:WithAuth`.
    ApiDriverExecuteQueryWithAuth = "Feature:API:Driver.ExecuteQuery:WithAuth",
    /// `Feature:API:Driver:GetServerInfo`.
    ApiDriverGetServerInfo = "Feature:API:Driver:GetServerInfo",
    /// `Feature:API:Driver.IsEncrypted`.
    ApiDriverIsEncrypted = "Feature:API:Driver.IsEncrypted",
    /// `Feature:API:Driver:NotificationsConfig`.
    ApiDriverNotificationsConfig = "Feature:API:Driver:NotificationsConfig",
    /// `Feature:API:Driver.VerifyAuthentication`.
    ApiDriverVerifyAuthentication = "Feature:API:Driver.VerifyAuthentication",
    /// `Feature:API:Driver.VerifyConnectivity`.
    ApiDriverVerifyConnectivity = "Feature:API:Driver.VerifyConnectivity",
    /// `Feature:API:Driver.SupportsSessionAuth`.
    ApiDriverSupportsSessionAuth = "Feature:API:Driver.SupportsSessionAuth",
    /// `Feature:API:Liveness.Check`.
    ApiLivenessCheck = "Feature:API:Liveness.Check",
    /// `Feature:API:Result.List`.
    ApiResultList = "Feature:API:Result.List",
    /// `Feature:API:Result.Peek`.
    ApiResultPeek = "Feature:API:Result.Peek",
    /// `Feature:API:Result.Single`.
    ApiResultSingle = "Feature:API:Result.Single",
    /// `Feature:API:Result.SingleOptional`.
    ApiResultSingleOptional = "Feature:API:Result.SingleOptional",
    /// `Feature:API:RetryableExceptions`.
    ApiRetryableException = "Feature:API:RetryableExceptions",
    /// `Feature:API:Session:AuthConfig`.
    ApiSessionAuthConfig = "Feature:API:Session:AuthConfig",
    /// `Feature:API:Session:NotificationsConfig`.
    ApiSessionNotificationsConfig = "Feature:API:Session:NotificationsConfig",
    /// `Feature:API:SSLClientCertificate`.
    ApiSslClientCertificate = "Feature:API:SSLClientCertificate",
    /// `Feature:API:SSLConfig`.
    ApiSslConfig = "Feature:API:SSLConfig",
    /// `Feature:API:SSLSchemes`.
    ApiSslSchemes = "Feature:API:SSLSchemes",
    /// `Feature:API:Summary:GqlStatusObjects`.
    ApiSummaryGqlStatusObjects = "Feature:API:Summary:GqlStatusObjects",
    /// `Feature:API:Type.Spatial`.
    ApiTypeSpatial = "Feature:API:Type.Spatial",
    /// `Feature:API:Type.Temporal`.
    ApiTypeTemporal = "Feature:API:Type.Temporal",
    /// `Feature:Auth:Bearer`.
    AuthBearer = "Feature:Auth:Bearer",
    /// `Feature:Auth:Custom`.
    AuthCustom = "Feature:Auth:Custom",
    /// `Feature:Auth:Kerberos`.
    AuthKerberos = "Feature:Auth:Kerberos",
    /// `Feature:Auth:Managed`.
    AuthManaged = "Feature:Auth:Managed",
    /// `Feature:Bolt:3.0`.
    Bolt3_0 = "Feature:Bolt:3.0",
    /// `Feature:Bolt:4.1`.
    Bolt4_1 = "Feature:Bolt:4.1",
    /// `Feature:Bolt:4.2`.
    Bolt4_2 = "Feature:Bolt:4.2",
    /// `Feature:Bolt:4.3`.
    Bolt4_3 = "Feature:Bolt:4.3",
    /// `Feature:Bolt:4.4`.
    Bolt4_4 = "Feature:Bolt:4.4",
    /// `Feature:Bolt:5.0`.
    Bolt5_0 = "Feature:Bolt:5.0",
    /// `Feature:Bolt:5.1`.
    Bolt5_1 = "Feature:Bolt:5.1",
    /// `Feature:Bolt:5.2`.
    Bolt5_2 = "Feature:Bolt:5.2",
    /// `Feature:Bolt:5.3`.
    Bolt5_3 = "Feature:Bolt:5.3",
    /// `Feature:Bolt:5.4`.
    Bolt5_4 = "Feature:Bolt:5.4",
    /// `Feature:Bolt:5.5`.
    Bolt5_5 = "Feature:Bolt:5.5",
    /// `Feature:Bolt:5.6`.
    Bolt5_6 = "Feature:Bolt:5.6",
    /// `Feature:Bolt:5.7`.
    Bolt5_7 = "Feature:Bolt:5.7",
    /// `Feature:Bolt:Patch:UTC`.
    BoltPatchUtc = "Feature:Bolt:Patch:UTC",
    /// `Feature:Impersonation`.
    Impersonation = "Feature:Impersonation",
    /// `Feature:TLS:1.1`.
    Tls1_1 = "Feature:TLS:1.1",
    /// `Feature:TLS:1.2`.
    Tls1_2 = "Feature:TLS:1.2",
    /// `Feature:TLS:1.3`.
    Tls1_3 = "Feature:TLS:1.3",
    /// `AuthorizationExpiredTreatment`.
    OptAuthorizationExpiredTreatment = "AuthorizationExpiredTreatment",
    /// `Optimization:AuthPipelining`.
    OptAuthPipelining = "Optimization:AuthPipelining",
    /// `Optimization:ConnectionReuse`.
    OptConnectionReuse = "Optimization:ConnectionReuse",
    /// `Optimization:EagerTransactionBegin`.
    OptEagerTxBegin = "Optimization:EagerTransactionBegin",
    /// `Optimization:ExecuteQueryPipelining`.
    OptExecuteQueryPipelining = "Optimization:ExecuteQueryPipelining",
    /// `Optimization:HomeDatabaseCache`.
    OptHomeDbCache = "Optimization:HomeDatabaseCache",
    /// `Optimization:ImplicitDefaultArguments`.
    OptImplicitDefaultArguments = "Optimization:ImplicitDefaultArguments",
    /// `Optimization:MinimalBookmarksSet`.
    OptMinimalBookmarksSet = "Optimization:MinimalBookmarksSet",
    /// `Optimization:MinimalResets`.
    OptMinimalResets = "Optimization:MinimalResets",
    /// `Optimization:MinimalVerifyAuthentication`.
    OptMinimalVerifyAuthentication = "Optimization:MinimalVerifyAuthentication",
    /// `Optimization:PullPipelining`.
    OptPullPipelining = "Optimization:PullPipelining",
    /// `Optimization:ResultListFetchAll`.
    OptResultListFetchAll = "Optimization:ResultListFetchAll",
    /// `Detail:ClosedDriverIsEncrypted`.
    DetailClosedDriverIsEncrypted = "Detail:ClosedDriverIsEncrypted",
    /// `Detail:DefaultSecurityConfigValueEquality`.
    DetailDefaultSecurityConfigValueEquality = "Detail:DefaultSecurityConfigValueEquality",
    /// `Detail:NumberIsNumber`.
    DetailNumberIsNumber = "Detail:NumberIsNumber",
    /// `ConfHint:connection.recv_timeout_seconds`.
    ConfHintConRecvTimeout = "ConfHint:connection.recv_timeout_seconds",
    /// `Backend:MockTime`.
    BackendMockTime = "Backend:MockTime",
    /// `Backend:RTFetch`.
    BackendRtFetch = "Backend:RTFetch",
    /// `Backend:RTForceUpdate`.
    BackendRtForceUpdate = "Backend:RTForceUpdate",
}

/// The features this backend announces in answer to `GetFeatures`.
///
/// Empty until the backend is wired to the driver: nothing can be claimed
/// before a request can reach the driver. Add a feature here only together
/// with the wiring (and the passing tests) that back it.
pub const SUPPORTED: &[Feature] = &[
    Feature::Bolt4_4,
    Feature::Bolt5_0,
    Feature::Bolt5_1,
    Feature::Bolt5_2,
    Feature::Bolt5_3,
    Feature::Bolt5_4,
    Feature::Bolt5_5,
    Feature::Bolt5_6,
    Feature::Bolt5_7,
    Feature::BoltPatchUtc,
    Feature::ApiDriverVerifyConnectivity,
    Feature::ApiDriverGetServerInfo,
    Feature::ApiDriverIsEncrypted,
    Feature::ApiDriverExecuteQuery,
    Feature::ApiSummaryGqlStatusObjects,
    Feature::ApiDriverNotificationsConfig,
    Feature::ApiSessionNotificationsConfig,
    Feature::ApiBookmarkManager,
    Feature::ApiResultList,
    Feature::ApiResultPeek,
    Feature::ApiResultSingle,
    Feature::ApiResultSingleOptional,
    Feature::ApiTypeTemporal,
    Feature::ApiTypeSpatial,
    Feature::ApiConnectionAcquisitionTimeout,
    Feature::ApiLivenessCheck,
    Feature::ApiRetryableException,
    Feature::Impersonation,
    Feature::AuthBearer,
    Feature::AuthCustom,
    Feature::AuthKerberos,
    Feature::AuthManaged,
    Feature::ApiSessionAuthConfig,
    Feature::ApiDriverVerifyAuthentication,
    Feature::ApiDriverSupportsSessionAuth,
    Feature::ApiDriverExecuteQueryWithAuth,
    Feature::OptMinimalVerifyAuthentication,
    Feature::OptImplicitDefaultArguments,
    Feature::OptPullPipelining,
    Feature::OptConnectionReuse,
    Feature::OptAuthPipelining,
    Feature::OptMinimalResets,
    Feature::OptEagerTxBegin,
    Feature::OptExecuteQueryPipelining,
    Feature::OptHomeDbCache,
    Feature::BackendMockTime,
    Feature::ConfHintConRecvTimeout,
    Feature::BackendRtFetch,
    Feature::BackendRtForceUpdate,
];

/// The announced features as testkit spells them.
pub fn supported_names() -> Vec<String> {
    SUPPORTED.iter().map(|f| f.as_str().to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for f in Feature::ALL {
            assert!(seen.insert(f.as_str()), "{f:?} twice");
            assert!(!f.as_str().is_empty() && !f.as_str().contains(' '));
        }
        assert_eq!(Feature::ALL.len(), 65);
        assert_eq!(Feature::Bolt5_0.as_str(), "Feature:Bolt:5.0");
        assert_eq!(Feature::BackendMockTime.as_str(), "Backend:MockTime");
    }

    #[test]
    fn supported_is_a_subset_without_duplicates() {
        let mut seen = std::collections::HashSet::new();
        for f in SUPPORTED {
            assert!(Feature::ALL.contains(f));
            assert!(seen.insert(*f));
        }
    }
}
