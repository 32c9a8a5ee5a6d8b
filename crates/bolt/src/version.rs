//! Bolt protocol versions and what each one changes.
//!
//! Everything version-dependent asks the negotiated [`Version`] through the
//! predicates here, so the rules live in one place and read like the spec's
//! "Summary of changes per version" (bolt/message, bolt/handshake).

use std::fmt;

use boltline_packstream::Dialect;

/// A Bolt protocol version, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major version.
    pub major: u8,
    /// Minor version.
    pub minor: u8,
}

impl Version {
    /// Bolt 4.4 (Neo4j 4.4; still spoken by newer servers).
    pub const V4_4: Version = Version::new(4, 4);
    /// Bolt 5.0: element ids, UTC date-times.
    pub const V5_0: Version = Version::new(5, 0);
    /// Bolt 5.1: `LOGON`/`LOGOFF`, credentials leave `HELLO`.
    pub const V5_1: Version = Version::new(5, 1);
    /// Bolt 5.2: notification filters.
    pub const V5_2: Version = Version::new(5, 2);
    /// Bolt 5.3: `bolt_agent` in `HELLO`.
    pub const V5_3: Version = Version::new(5, 3);
    /// Bolt 5.4: `TELEMETRY`.
    pub const V5_4: Version = Version::new(5, 4);
    /// Bolt 5.6: GQL statuses replace notifications.
    pub const V5_6: Version = Version::new(5, 6);
    /// Bolt 5.7: GQL errors in `FAILURE`, handshake manifest.
    pub const V5_7: Version = Version::new(5, 7);
    /// Bolt 5.8: home-database resolution, `advertised_address`.
    pub const V5_8: Version = Version::new(5, 8);
    /// Bolt 6.0: vectors and `UnsupportedType`.
    pub const V6_0: Version = Version::new(6, 0);

    /// Every version this crate speaks, highest (most preferred) first.
    ///
    /// 5.5 is absent on purpose: the spec calls it flawed and no server
    /// negotiates it.
    pub const SUPPORTED: [Version; 10] = [
        Version::V6_0,
        Version::V5_8,
        Version::V5_7,
        Version::V5_6,
        Version::V5_4,
        Version::V5_3,
        Version::V5_2,
        Version::V5_1,
        Version::V5_0,
        Version::V4_4,
    ];

    /// A version from its parts.
    pub const fn new(major: u8, minor: u8) -> Version {
        Version { major, minor }
    }

    /// Whether this crate speaks the version.
    pub fn is_supported(self) -> bool {
        Version::SUPPORTED.contains(&self)
    }

    /// The PackStream dialect of this version; `utc_patch` tells whether a
    /// 4.4 server acknowledged the `utc` patch in `HELLO`.
    pub fn dialect(self, utc_patch: bool) -> Dialect {
        if self >= Version::V6_0 {
            Dialect::BOLT_6
        } else if self >= Version::V5_0 {
            Dialect::BOLT_5
        } else if utc_patch {
            Dialect::BOLT_4_4_UTC
        } else {
            Dialect::BOLT_4_4
        }
    }

    /// The version as the handshake writes it: `00 00 minor major`.
    pub const fn to_be_bytes(self) -> [u8; 4] {
        [0, 0, self.minor, self.major]
    }

    /// `LOGON`/`LOGOFF` exist; credentials no longer go in `HELLO` (5.1+).
    pub(crate) fn has_logon(self) -> bool {
        self >= Version::V5_1
    }

    /// `HELLO`, `BEGIN` and `RUN` accept notification filters (5.2+).
    pub(crate) fn has_notification_filters(self) -> bool {
        self >= Version::V5_2
    }

    /// The key naming disabled notification groups: renamed in 5.6.
    pub(crate) fn disabled_notifications_key(self) -> &'static str {
        if self >= Version::V5_6 {
            "notifications_disabled_classifications"
        } else {
            "notifications_disabled_categories"
        }
    }

    /// `HELLO` carries `bolt_agent` (5.3+, where it is mandatory).
    pub(crate) fn has_bolt_agent(self) -> bool {
        self >= Version::V5_3
    }

    /// `TELEMETRY` exists (5.4+).
    pub(crate) fn has_telemetry(self) -> bool {
        self >= Version::V5_4
    }

    /// `FAILURE` carries GQL fields and `neo4j_code` instead of `code` (5.7+).
    pub(crate) fn has_gql_errors(self) -> bool {
        self >= Version::V5_7
    }

    /// `HELLO` may request the `utc` patch (4.3 and 4.4 only).
    pub(crate) fn has_utc_patch(self) -> bool {
        self.major == 4
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_follows_major_then_minor() {
        assert!(Version::V4_4 < Version::V5_0);
        assert!(Version::V5_8 < Version::V6_0);
        assert!(Version::new(5, 10) > Version::V5_8);
    }

    #[test]
    fn supported_is_sorted_highest_first_and_skips_5_5() {
        let mut sorted = Version::SUPPORTED;
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(sorted, Version::SUPPORTED);
        assert!(!Version::new(5, 5).is_supported());
        assert!(!Version::new(4, 3).is_supported());
        assert!(Version::V6_0.is_supported());
    }

    #[test]
    fn wire_form_is_minor_then_major_in_the_low_bytes() {
        assert_eq!(Version::V4_4.to_be_bytes(), [0, 0, 4, 4]);
        assert_eq!(Version::new(5, 7).to_be_bytes(), [0, 0, 7, 5]);
    }

    #[test]
    fn dialect_depends_on_version_and_patch() {
        assert_eq!(Version::V6_0.dialect(false), Dialect::BOLT_6);
        assert_eq!(Version::V5_8.dialect(false), Dialect::BOLT_5);
        assert_eq!(Version::V5_0.dialect(false), Dialect::BOLT_5);
        assert_eq!(Version::V4_4.dialect(false), Dialect::BOLT_4_4);
        assert_eq!(Version::V4_4.dialect(true), Dialect::BOLT_4_4_UTC);
    }

    #[test]
    fn feature_predicates_match_the_spec_changelog() {
        assert!(!Version::V5_0.has_logon());
        assert!(Version::V5_1.has_logon());
        assert!(!Version::V5_1.has_notification_filters());
        assert!(Version::V5_2.has_notification_filters());
        assert_eq!(
            Version::V5_4.disabled_notifications_key(),
            "notifications_disabled_categories"
        );
        assert_eq!(
            Version::V5_6.disabled_notifications_key(),
            "notifications_disabled_classifications"
        );
        assert!(!Version::V5_2.has_bolt_agent());
        assert!(Version::V5_3.has_bolt_agent());
        assert!(!Version::V5_3.has_telemetry());
        assert!(Version::V5_4.has_telemetry());
        assert!(!Version::V5_6.has_gql_errors());
        assert!(Version::V5_7.has_gql_errors());
        assert!(Version::V4_4.has_utc_patch());
        assert!(!Version::V5_0.has_utc_patch());
        assert_eq!(Version::new(5, 8).to_string(), "5.8");
    }
}
