//! Building the Java launcher (`xtask/neo4j-launcher`, a Maven project) and
//! resolving Neo4j's jars from Maven Central, cached under `target/neo4j/`
//! (the jars in the shared `m2/`, the rest per version).
//!
//! The launcher is compiled by the Eclipse compiler inside Maven (see the
//! POM), so Maven may run on any Java from 17 on that its own environment
//! names, whatever Java the chosen Neo4j version then runs on.
//!
//! Maven runs only when the launcher's sources changed since the last build
//! (a stamp file holds a hash of them) or a cached file is missing; otherwise
//! the cached classpath is used as is, without Maven and without network.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::Paths;

/// The launcher's main class, also how its process is recognised.
pub(super) const MAIN_CLASS: &str = "boltline.launcher.Neo4jLauncher";

/// The platform's separator of class path entries.
const CLASSPATH_SEPARATOR: char = if cfg!(windows) { ';' } else { ':' };

/// Builds the launcher if needed; returns the class path to run it with.
pub(super) fn ensure_built(paths: &Paths) -> Result<String, String> {
    let project = paths.launcher_project();
    fs::create_dir_all(&paths.dir)
        .map_err(|e| format!("[neo4j launcher] creating {}: {e}", paths.dir.display()))?;
    let stamp = source_stamp(&project)
        .map_err(|e| format!("[neo4j launcher] reading {}: {e}", project.display()))?;
    if let Some(classpath) = cached_classpath(paths, &stamp) {
        return Ok(classpath);
    }
    maven_build(paths, &project)?;
    let classpath = cached_classpath_unchecked(paths)?;
    fs::write(paths.launcher_stamp(), &stamp)
        .map_err(|e| format!("[neo4j launcher] writing the build stamp: {e}"))?;
    Ok(classpath)
}

/// The cached class path, if the cache is complete and built from the
/// current sources.
fn cached_classpath(paths: &Paths, stamp: &str) -> Option<String> {
    let built_from = fs::read_to_string(paths.launcher_stamp()).ok()?;
    if built_from != stamp || !paths.launcher_main_class_file().is_file() {
        return None;
    }
    let classpath = cached_classpath_unchecked(paths).ok()?;
    let all_jars_present = classpath
        .split(CLASSPATH_SEPARATOR)
        .all(|entry| Path::new(entry).exists());
    all_jars_present.then_some(classpath)
}

/// The compiled classes followed by the jars Maven resolved.
fn cached_classpath_unchecked(paths: &Paths) -> Result<String, String> {
    let file = paths.classpath_file();
    let jars = fs::read_to_string(&file)
        .map_err(|e| format!("[neo4j launcher] reading {}: {e}", file.display()))?;
    let classes = paths.launcher_build_dir().join("classes");
    Ok(format!(
        "{}{CLASSPATH_SEPARATOR}{}",
        classes.display(),
        jars.trim()
    ))
}

fn maven_build(paths: &Paths, project: &Path) -> Result<(), String> {
    eprintln!(
        "xtask: [neo4j] building the launcher for Neo4j {} with Maven; the first build \
         downloads Neo4j from Maven Central into {}",
        paths.version,
        paths.maven_repo().display()
    );
    let mvn = if cfg!(windows) { "mvn.cmd" } else { "mvn" };
    let output = Command::new(mvn)
        .current_dir(project)
        .args(["--batch-mode", "--no-transfer-progress", "--quiet"])
        // Everything Maven downloads or builds stays under target/neo4j.
        .arg(format!("-Dneo4j.version={}", paths.version))
        .arg(define("maven.repo.local", &paths.maven_repo()))
        .arg(define("launcher.buildDir", &paths.launcher_build_dir()))
        .arg(define("mdep.outputFile", &paths.classpath_file()))
        .arg("-Dmdep.includeScope=runtime")
        .args(["compile", "dependency:build-classpath"])
        .output()
        .map_err(|e| {
            format!("[neo4j launcher] could not run `{mvn}` (Maven 3.6.3 or newer is needed): {e}")
        })?;
    if output.status.success() {
        return Ok(());
    }
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Err(format!(
        "[neo4j launcher] the Maven build failed ({}); if it could not download \
         org.neo4j:neo4j, check access to Maven Central. Maven said:\n{}",
        output.status,
        super::tail(&log, 60)
    ))
}

fn define(name: &str, path: &Path) -> String {
    format!("-D{name}={}", path.display())
}

/// A hash of everything the build depends on: the POM and all sources.
fn source_stamp(project: &Path) -> std::io::Result<String> {
    let mut files = vec![project.join("pom.xml")];
    collect_files(&project.join("src"), &mut files)?;
    files.sort();
    let mut hash = Fnv1a::new();
    for file in &files {
        let relative = file.strip_prefix(project).unwrap_or(file);
        hash.write(relative.to_string_lossy().as_bytes());
        hash.write(&[0]);
        hash.write(&fs::read(file)?);
        hash.write(&[0]);
    }
    Ok(format!("{:016x}\n", hash.0))
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// 64-bit FNV-1a: stable across Rust releases (unlike `DefaultHasher`), and
/// enough to notice that a source changed.
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
