//! Where xtask keeps a server's things, all under `<workspace>/target/neo4j`.

use std::path::{Path, PathBuf};

use super::ServerVersion;

/// Where things are, all under `<workspace>/target/neo4j`: shared things at
/// the top, a version's own under `<version>/`.
pub(super) struct Paths {
    pub(super) workspace: PathBuf,
    /// `target/neo4j`.
    pub(super) top: PathBuf,
    /// `target/neo4j/<version>`.
    pub(super) dir: PathBuf,
    pub(super) version: ServerVersion,
}

impl Paths {
    pub(super) fn new(version: &ServerVersion) -> Self {
        // xtask's manifest directory is `<workspace>/xtask`.
        let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let workspace = manifest_dir.parent().unwrap_or(manifest_dir).to_owned();
        let top = workspace.join("target").join("neo4j");
        let dir = top.join(version.as_str());
        Self {
            workspace,
            top,
            dir,
            version: version.clone(),
        }
    }

    /// Where a JDK installed by xtask goes (`target/jdk`).
    pub(super) fn jdk_dir(&self) -> PathBuf {
        self.workspace.join("target").join("jdk")
    }

    /// The Maven project of the launcher (sources).
    pub(super) fn launcher_project(&self) -> PathBuf {
        self.workspace.join("xtask").join("neo4j-launcher")
    }

    /// Maven's local repository: the Neo4j jars and Maven's plugins.
    pub(super) fn maven_repo(&self) -> PathBuf {
        self.top.join("m2")
    }

    /// Maven's build directory for the launcher (`classes/` inside).
    pub(super) fn launcher_build_dir(&self) -> PathBuf {
        self.dir.join("launcher")
    }

    pub(super) fn launcher_main_class_file(&self) -> PathBuf {
        self.launcher_build_dir()
            .join("classes")
            .join("boltline")
            .join("launcher")
            .join("Neo4jLauncher.class")
    }

    /// The resolved dependency jars, as a class path.
    pub(super) fn classpath_file(&self) -> PathBuf {
        self.dir.join("classpath.txt")
    }

    /// A hash of the launcher sources the cached build was made from.
    pub(super) fn launcher_stamp(&self) -> PathBuf {
        self.dir.join("launcher.stamp")
    }

    /// The Neo4j home: `data/` (databases, `dbms/auth.ini`) and `logs/`.
    pub(super) fn home(&self) -> PathBuf {
        self.dir.join("home")
    }

    pub(super) fn tls_dir(&self) -> PathBuf {
        self.top.join("tls")
    }

    pub(super) fn pid_file(&self) -> PathBuf {
        self.dir.join("neo4j.pid")
    }

    /// The launcher's stdout and stderr (Neo4j's user log).
    pub(super) fn log_file(&self) -> PathBuf {
        self.dir.join("neo4j.log")
    }

    pub(super) fn env_file(&self) -> PathBuf {
        self.dir.join("server.env")
    }

    /// A copy of the `server.env` of the server started last, whatever its
    /// version, at the place examples and benchmarks look
    /// (`target/neo4j/server.env`).
    pub(super) fn latest_env_file(&self) -> PathBuf {
        self.top.join("server.env")
    }
}
