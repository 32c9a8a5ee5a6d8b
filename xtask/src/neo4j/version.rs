//! Which Neo4j version to run: its name, the short names, the Java it
//! needs, and the `--version`/`--neo4j` flags.

/// Environment variable choosing the server version (see [`ServerVersion`]).
pub(crate) const VERSION_ENV: &str = "BOLTLINE_NEO4J_VERSION";

/// A Neo4j version to run, as a full Maven Central version (`5.26.30`,
/// `2025.11.2`). The short names `5.26`/`lts` and `2025`/`latest` stand for
/// the versions the suite is tested with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerVersion(String);

impl ServerVersion {
    /// The 5.26 LTS release the suite runs by default.
    pub(crate) const LTS: &'static str = "5.26.30";
    /// The current release (Bolt 6.0).
    pub(crate) const CURRENT: &'static str = "2025.11.2";

    /// Parses a version or one of its short names.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let full = match text {
            "5.26" | "lts" => Self::LTS,
            "2025" | "2025.11" | "latest" | "current" => Self::CURRENT,
            other => other,
        };
        let well_formed = !full.is_empty()
            && full.split('.').count() >= 2
            && full
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
        if well_formed {
            Ok(Self(full.to_owned()))
        } else {
            Err(format!(
                "`{text}` is not a Neo4j version (expected 5.26, 2025, or a full version \
                 such as 5.26.30 or 2025.11.2)"
            ))
        }
    }

    /// The version of `BOLTLINE_NEO4J_VERSION`, or the LTS.
    pub(crate) fn from_env() -> Result<Self, String> {
        match std::env::var(VERSION_ENV) {
            Ok(v) if !v.trim().is_empty() => {
                Self::parse(&v).map_err(|e| format!("[neo4j] {VERSION_ENV}: {e}"))
            }
            _ => Ok(Self(Self::LTS.to_owned())),
        }
    }

    /// The full version.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The oldest Java this version runs on: 17 for 5.x and older, 21 for
    /// the calendar-versioned releases (2025.x and later).
    pub(crate) fn min_java(&self) -> u32 {
        let major: u32 = self
            .0
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if major >= 2025 {
            21
        } else {
            17
        }
    }
}

impl std::fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits `--version <v>` / `--version=<v>` (or `--neo4j`, the spelling of
/// `itest` and `test`) out of `args`; the version of the environment when
/// absent.
pub(crate) fn version_arg(
    args: &[String],
    flags: &[&str],
) -> Result<(Option<ServerVersion>, Vec<String>), String> {
    let mut version = None;
    let mut rest = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if flags.contains(&arg.as_str()) {
            let value = iter
                .next()
                .ok_or_else(|| format!("{arg} needs a value (e.g. {arg} 2025.11.2)"))?;
            version = Some(ServerVersion::parse(value)?);
        } else if let Some(value) = flags
            .iter()
            .find_map(|flag| arg.strip_prefix(&format!("{flag}=")))
        {
            version = Some(ServerVersion::parse(value)?);
        } else {
            rest.push(arg.clone());
        }
    }
    Ok((version, rest))
}

#[cfg(test)]
mod tests {
    use super::{version_arg, ServerVersion};

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn versions_and_their_short_names() {
        let v = |s| ServerVersion::parse(s).map(|v| v.as_str().to_owned());
        assert_eq!(v("5.26").unwrap(), ServerVersion::LTS);
        assert_eq!(v("2025").unwrap(), ServerVersion::CURRENT);
        assert_eq!(v("2025.10.1").unwrap(), "2025.10.1");
        assert!(v("").is_err());
        assert!(v("5").is_err());
        assert!(v("5.x").is_err());
        assert!(v("../5.26").is_err(), "a version names a directory");
        assert_eq!(ServerVersion::parse("5.26.30").unwrap().min_java(), 17);
        assert_eq!(ServerVersion::parse("2025.11.2").unwrap().min_java(), 21);
    }

    #[test]
    fn version_flags_are_taken_out_of_the_arguments() {
        let (v, rest) =
            version_arg(&args(&["start", "--version", "2025"]), &["--version"]).unwrap();
        assert_eq!(v.unwrap().as_str(), ServerVersion::CURRENT);
        assert_eq!(rest, ["start"]);
        let (v, rest) = version_arg(&args(&["--neo4j=5.26", "x"]), &["--neo4j"]).unwrap();
        assert_eq!(v.unwrap().as_str(), ServerVersion::LTS);
        assert_eq!(rest, ["x"]);
        let (v, _) = version_arg(&args(&["status"]), &["--version"]).unwrap();
        assert!(v.is_none());
        assert!(version_arg(&args(&["--version"]), &["--version"]).is_err());
    }
}
