//! The server's version and edition, parsed.

use std::fmt;

/// A Neo4j server version: `major.minor.patch`, for semantic versions
/// (`5.26.0`) and calendar versions alike (`2025.11.2`: year, month,
/// patch). Suffixes (`-aura`, build numbers) are ignored; a missing minor
/// or patch reads as 0. Ordered numerically, so a calendar version is
/// later than every 5.x.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Neo4jVersion {
    /// Major version (or year, for calendar versions).
    pub major: u32,
    /// Minor version (or month).
    pub minor: u32,
    /// Patch.
    pub patch: u32,
}

impl Neo4jVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Neo4jVersion {
            major,
            minor,
            patch,
        }
    }

    /// Parses `5.26.0`, `5.26`, `2025.11.2`, `5.26.0-aura`, or an agent
    /// string `Neo4j/5.26.0`. `None` when no major version can be read.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.strip_prefix("Neo4j/").unwrap_or(text);
        let mut parts = text.splitn(3, '.');
        let number = |part: Option<&str>| -> Option<u32> {
            let part = part?;
            let end = part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len());
            part[..end].parse().ok()
        };
        let major = number(parts.next())?;
        let minor = number(parts.next()).unwrap_or(0);
        let patch = number(parts.next()).unwrap_or(0);
        Some(Neo4jVersion::new(major, minor, patch))
    }

    /// Whether this is a calendar version (`2025.x` and later): Neo4j
    /// numbers its releases by year and month since 2025.
    pub fn is_calendar(&self) -> bool {
        self.major >= 2025
    }
}

impl fmt::Display for Neo4jVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The server's edition, as `dbms.components()` names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Edition {
    /// Community Edition: no clustering, no role-based access control.
    Community,
    /// Enterprise Edition (Aura included).
    Enterprise,
    /// Another name, as the server gave it.
    Other(String),
}

impl Edition {
    /// The edition a server names (case does not matter).
    pub fn parse(name: &str) -> Self {
        match name.to_ascii_lowercase().as_str() {
            "community" => Edition::Community,
            "enterprise" => Edition::Enterprise,
            _ => Edition::Other(name.to_owned()),
        }
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Edition::Community => f.write_str("community"),
            Edition::Enterprise => f.write_str("enterprise"),
            Edition::Other(name) => f.write_str(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semantic_and_calendar_versions_parse() {
        assert_eq!(
            Neo4jVersion::parse("5.26.0"),
            Some(Neo4jVersion::new(5, 26, 0))
        );
        assert_eq!(
            Neo4jVersion::parse("5.26"),
            Some(Neo4jVersion::new(5, 26, 0))
        );
        assert_eq!(
            Neo4jVersion::parse("2025.11.2"),
            Some(Neo4jVersion::new(2025, 11, 2))
        );
        assert_eq!(
            Neo4jVersion::parse("Neo4j/5.26.30"),
            Some(Neo4jVersion::new(5, 26, 30))
        );
        assert_eq!(
            Neo4jVersion::parse("5.27-aura"),
            Some(Neo4jVersion::new(5, 27, 0))
        );
        assert_eq!(
            Neo4jVersion::parse("2025.01.0-12345"),
            Some(Neo4jVersion::new(2025, 1, 0))
        );
        assert_eq!(Neo4jVersion::parse("Neo4j/dev"), None);
        assert_eq!(Neo4jVersion::parse(""), None);
    }

    #[test]
    fn calendar_versions_sort_after_semantic_ones() {
        let v5 = Neo4jVersion::parse("5.26.30").unwrap();
        let cal = Neo4jVersion::parse("2025.11.2").unwrap();
        assert!(cal > v5);
        assert!(cal.is_calendar() && !v5.is_calendar());
        assert!(Neo4jVersion::new(5, 9, 0) < Neo4jVersion::new(5, 10, 0));
        assert_eq!(cal.to_string(), "2025.11.2");
    }

    #[test]
    fn editions_parse_by_name() {
        assert_eq!(Edition::parse("community"), Edition::Community);
        assert_eq!(Edition::parse("Enterprise"), Edition::Enterprise);
        assert_eq!(Edition::parse("aura"), Edition::Other("aura".into()));
        assert_eq!(Edition::Community.to_string(), "community");
    }
}
