//! A real Neo4j Community server for the integration tests: 5.26 LTS (Bolt
//! 5.8) by default, or 2025.11.2 (Bolt 6.0), or another version from Maven
//! Central (see [`ServerVersion`]).
//!
//! `cargo xtask neo4j start [--version <v>]` builds a small Java launcher
//! (`xtask/neo4j-launcher`, Maven) that runs the embedded Neo4j DBMS from
//! Maven Central, and starts it detached on a Java new enough for that
//! version (see [`java`]), with:
//!
//! - Bolt on `127.0.0.1:17687` (or `$BOLTLINE_NEO4J_PORT`), no HTTP;
//! - authentication on: user `neo4j`, password `boltline-test-pw`;
//! - TLS optional on the Bolt port (plain and TLS on the same port), with a
//!   test CA generated here (see [`tls`]);
//! - a small memory footprint (128 MiB page cache, 1 GiB heap at most).
//!
//! Everything lives in `target/neo4j/`: the Maven repository (`m2/`) and the
//! certificates (`tls/`) are shared; each version has its own directory
//! `target/neo4j/<version>/` with the classpath, the compiled launcher, the
//! Neo4j home (data, logs), the pid file, the console log `neo4j.log` and
//! `server.env`, the environment for the tests as `KEY=VALUE` lines (copied
//! to `target/neo4j/server.env` for the server started last). A second
//! start reuses all of it and needs no network. Delete
//! `target/neo4j/<version>/home` to start from an empty database.
//!
//! `stop` stops it (SIGTERM, then SIGKILL after a minute); `status` reports.
//! [`with_server`] runs the integration tests against a server, starting and
//! stopping one if none is running.

mod bolt;
mod java;
mod launcher;
mod paths;
mod process;
mod tls;
mod version;

use paths::Paths;
pub(crate) use version::{version_arg, ServerVersion, VERSION_ENV};

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Bolt port when `BOLTLINE_NEO4J_PORT` is not set: not Neo4j's 7687, so
/// that a developer's own Neo4j does not clash with the test server.
const DEFAULT_PORT: u16 = 17687;
/// Environment variable overriding [`DEFAULT_PORT`].
const PORT_ENV: &str = "BOLTLINE_NEO4J_PORT";
/// The test server's user and password.
const USER: &str = "neo4j";
const PASSWORD: &str = "boltline-test-pw";
/// Page cache size, in MiB.
const PAGE_CACHE_MIB: u32 = 128;
/// JVM options: a capped heap, plus the options Neo4j's own launch scripts
/// pass that matter for an embedded DBMS on Java 17 (Netty and the page
/// cache use JDK internals).
const JVM_OPTIONS: &[&str] = &[
    "-Xms128m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
];
/// How long Neo4j may take to answer Bolt after being started: a start
/// took close to two minutes on a loaded two-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a graceful shutdown may take before the process is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variables the integration tests read (see
/// `tests/src/lib.rs`).
const ENV_URI: &str = "BOLTLINE_TEST_URI";
const ENV_USER: &str = "BOLTLINE_TEST_USER";
const ENV_PASSWORD: &str = "BOLTLINE_TEST_PASSWORD";
const ENV_CA: &str = "BOLTLINE_TEST_CA";
const ENV_OTHER_CA: &str = "BOLTLINE_TEST_OTHER_CA";
const ALL_ENV: [&str; 5] = [ENV_URI, ENV_USER, ENV_PASSWORD, ENV_CA, ENV_OTHER_CA];

const USAGE: &str = "usage: cargo xtask neo4j start|stop|status [--version <v>]

  start    build the launcher if needed, start Neo4j in the background, wait for Bolt
  stop     stop the server started by `start`
  status   say whether it runs, and where (without --version: each version's server)

--version <v> (or BOLTLINE_NEO4J_VERSION) chooses the Neo4j version: 5.26 (the
default, 5.26 LTS), 2025 (2025.11.2, Bolt 6.0), or a full version on Maven
Central such as 5.26.30 or 2025.11.2.
Bolt listens on 127.0.0.1:17687 (set BOLTLINE_NEO4J_PORT to change it).
Everything is kept in target/neo4j/<version>/; its server.env holds the
BOLTLINE_TEST_* variables of the running server.";

/// `cargo xtask neo4j <args>`.
pub(crate) fn command(args: &[String]) -> Result<(), String> {
    let (version, args) = version_arg(args, &["--version"])?;
    let chosen = version.is_some() || std::env::var_os(VERSION_ENV).is_some();
    let version = match version {
        Some(v) => v,
        None => ServerVersion::from_env()?,
    };
    let paths = Paths::new(&version);
    match args.as_slice() {
        // Without a version, `status` reports every version's server.
        [cmd] if cmd == "status" && !chosen => status_all(&paths),
        [cmd] if cmd == "start" => {
            let started = Instant::now();
            let server = start(&paths)?;
            if server.child.is_some() {
                eprintln!(
                    "xtask: [neo4j] started in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
            println!("{}", server.env.uri());
            // Dropping the `Child` leaves the process running: it is
            // detached and outlives xtask.
            Ok(())
        }
        [cmd] if cmd == "stop" => stop(&paths),
        [cmd] if cmd == "status" => status(&paths),
        _ => Err(USAGE.to_owned()),
    }
}

/// Runs `f` with a server to test against:
///
/// - the one described by the environment when `BOLTLINE_TEST_URI` is set
///   (used as is);
/// - else the one `cargo xtask neo4j start` left running (left running);
/// - else a new one, stopped after `f`, whether `f` failed or not.
pub(crate) fn with_server(
    version: &ServerVersion,
    f: impl FnOnce(&TestServer) -> Result<(), String>,
) -> Result<(), String> {
    if std::env::var_os(ENV_URI).is_some() {
        let server = TestServer::from_environment();
        eprintln!(
            "xtask: [neo4j] using the server of {ENV_URI}={}",
            server.uri()
        );
        return f(&server);
    }
    let paths = Paths::new(version);
    let Server { pid, child, env } = start(&paths)?;
    let Some(child) = child else {
        eprintln!(
            "xtask: [neo4j] using the running server at {} (pid {pid}); it stays running",
            env.uri()
        );
        return f(&env);
    };
    let result = f(&env);
    let stopped = stop_server(&paths, pid, Some(child));
    match (result, stopped) {
        (Err(e), Err(stop_error)) => {
            Err(format!("{e}\n(also, stopping Neo4j failed: {stop_error})"))
        }
        (Err(e), Ok(())) => Err(e),
        (Ok(()), stopped) => stopped,
    }
}

/// The connection details of a test server, as passed to the test process.
pub(crate) struct TestServer {
    vars: Vec<(&'static str, String)>,
}

impl TestServer {
    /// Our server at `port`.
    fn ours(paths: &Paths, port: u16) -> Self {
        let tls = paths.tls_dir();
        Self {
            vars: vec![
                (ENV_URI, format!("bolt://127.0.0.1:{port}")),
                (ENV_USER, USER.to_owned()),
                (ENV_PASSWORD, PASSWORD.to_owned()),
                (ENV_CA, tls.join("ca.pem").display().to_string()),
                (ENV_OTHER_CA, tls.join("other-ca.pem").display().to_string()),
            ],
        }
    }

    /// The variables that are set in xtask's own environment.
    fn from_environment() -> Self {
        let vars = ALL_ENV
            .iter()
            .filter_map(|&key| std::env::var(key).ok().map(|value| (key, value)))
            .collect();
        Self { vars }
    }

    /// The Bolt URI (`BOLTLINE_TEST_URI`).
    pub(crate) fn uri(&self) -> &str {
        self.get(ENV_URI).unwrap_or_default()
    }

    /// The user name (`BOLTLINE_TEST_USER`).
    pub(crate) fn user(&self) -> &str {
        self.get(ENV_USER).unwrap_or_default()
    }

    /// The password (`BOLTLINE_TEST_PASSWORD`).
    pub(crate) fn password(&self) -> &str {
        self.get(ENV_PASSWORD).unwrap_or_default()
    }

    /// The environment variables for the test process.
    pub(crate) fn env(&self) -> Vec<(&str, &str)> {
        self.vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The contents of `server.env`.
    fn to_env_file(&self) -> String {
        self.vars
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect()
    }

    /// Parses `server.env`; `None` if it does not name a local port.
    fn from_env_file(text: &str) -> Option<(Self, u16)> {
        let vars: Vec<(&'static str, String)> = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .filter_map(|(k, v)| {
                let key = ALL_ENV.iter().find(|&&known| known == k)?;
                Some((*key, v.to_owned()))
            })
            .collect();
        let server = Self { vars };
        let port = server
            .uri()
            .strip_prefix("bolt://127.0.0.1:")?
            .parse()
            .ok()?;
        Some((server, port))
    }
}

/// A server we manage, running (and answering Bolt).
struct Server {
    pid: u32,
    /// Set when this xtask process started it.
    child: Option<Child>,
    env: TestServer,
}

/// Returns the running server, or starts one and waits until Bolt answers.
fn start(paths: &Paths) -> Result<Server, String> {
    if let Some((pid, env, port)) = find_running(paths)? {
        return match bolt::handshake(local(port), Duration::from_secs(5)) {
            Ok(_) => {
                eprintln!("xtask: [neo4j] already running (pid {pid})");
                Ok(Server {
                    pid,
                    child: None,
                    env,
                })
            }
            Err(e) => Err(format!(
                "[neo4j start] a server started earlier (pid {pid}) is running but Bolt \
                 does not answer at {} ({e}); is it still starting? Otherwise run \
                 `cargo xtask neo4j stop`.",
                env.uri()
            )),
        };
    }

    let port = port_from_env()?;
    // Fail clearly, rather than after a Neo4j bind error, when another
    // program (another Neo4j?) holds the port.
    TcpListener::bind(local(port)).map_err(|e| {
        format!(
            "[neo4j start] 127.0.0.1:{port} is not free ({e}); \
             set {PORT_ENV} to a free port"
        )
    })?;

    let jdk = java::find_or_install(paths.version.min_java(), &paths.jdk_dir())?;
    eprintln!(
        "xtask: [neo4j] Neo4j {} on Java {} ({})",
        paths.version,
        jdk.major,
        jdk.java().display()
    );
    let classpath = launcher::ensure_built(paths)?;
    tls::ensure(&paths.tls_dir())?;
    let home = paths.home();
    fs::create_dir_all(&home)
        .map_err(|e| format!("[neo4j start] creating {}: {e}", home.display()))?;

    let log_path = paths.log_file();
    let log = File::create(&log_path)
        .map_err(|e| format!("[neo4j start] creating {}: {e}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("[neo4j start] opening {}: {e}", log_path.display()))?;
    let java = jdk.java();
    let mut command = Command::new(&java);
    command
        .current_dir(&home)
        // The class path (200+ jars) goes by environment, which keeps the
        // command line short and readable in `ps`.
        .env("CLASSPATH", classpath)
        .args(JVM_OPTIONS)
        .arg(launcher::MAIN_CLASS)
        .arg(format!("home={}", home.display()))
        .arg(format!("port={port}"))
        .arg(format!("password={PASSWORD}"))
        .arg(format!("tls={}", paths.tls_dir().display()))
        .arg(format!("pagecache={PAGE_CACHE_MIB}"))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    detach(&mut command);
    eprintln!(
        "xtask: [neo4j] starting Neo4j; console log: {}",
        log_path.display()
    );
    let mut child = command.spawn().map_err(|e| {
        format!(
            "[neo4j start] could not run `{}` (Neo4j {} needs Java {} or newer): {e}",
            java.display(),
            paths.version,
            paths.version.min_java()
        )
    })?;
    let pid = child.id();
    let env = TestServer::ours(paths, port);
    let written = fs::write(paths.pid_file(), format!("{pid}\n"))
        .and_then(|()| fs::write(paths.env_file(), env.to_env_file()))
        .and_then(|()| fs::write(paths.latest_env_file(), env.to_env_file()))
        .map_err(|e| format!("[neo4j start] writing the pid file and server.env: {e}"));

    match written.and_then(|()| wait_until_ready(&mut child, port, &log_path)) {
        Ok((major, minor)) => {
            eprintln!("xtask: [neo4j] Neo4j answers Bolt {major}.{minor}");
            Ok(Server {
                pid,
                child: Some(child),
                env,
            })
        }
        Err(e) => {
            // Leave nothing half-started behind.
            let _ = child.kill();
            let _ = child.wait();
            remove_state(paths);
            Err(e)
        }
    }
}

/// Polls with a Bolt handshake until the server answers, exits, or
/// [`START_TIMEOUT`] passes.
fn wait_until_ready(child: &mut Child, port: u16, log: &Path) -> Result<(u8, u8), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let mut last_error;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "[neo4j start] Neo4j exited ({status}) before Bolt answered. \
                 Last lines of {}:\n{}",
                log.display(),
                log_tail(log)
            ));
        }
        match bolt::handshake(local(port), Duration::from_secs(2)) {
            Ok(version) => return Ok(version),
            Err(e) => last_error = e,
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "[neo4j start] Bolt did not answer at 127.0.0.1:{port} within {} s \
                 (last attempt: {last_error}); Neo4j was killed. Last lines of {}:\n{}",
                START_TIMEOUT.as_secs(),
                log.display(),
                log_tail(log)
            ));
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn stop(paths: &Paths) -> Result<(), String> {
    match find_running(paths)? {
        Some((pid, _, _)) => stop_server(paths, pid, None),
        None => {
            println!("Neo4j test server: not running");
            Ok(())
        }
    }
}

/// Stops the server: SIGTERM, then SIGKILL after [`STOP_TIMEOUT`]. `child`
/// is the handle when this process started it (to reap it).
fn stop_server(paths: &Paths, pid: u32, mut child: Option<Child>) -> Result<(), String> {
    let mut exited = || match child.as_mut() {
        Some(child) => !matches!(child.try_wait(), Ok(None)),
        None => !process::is_running(pid, launcher::MAIN_CLASS),
    };
    eprintln!("xtask: [neo4j] stopping Neo4j (pid {pid})");
    let started = Instant::now();
    if let Err(e) = process::terminate(pid) {
        if !exited() {
            return Err(format!("[neo4j stop] {e}"));
        }
    }
    while !exited() {
        if started.elapsed() > STOP_TIMEOUT {
            eprintln!(
                "xtask: [neo4j] no clean shutdown within {} s; killing it",
                STOP_TIMEOUT.as_secs()
            );
            process::kill(pid).map_err(|e| format!("[neo4j stop] {e}"))?;
            let killed = Instant::now();
            while !exited() {
                if killed.elapsed() > Duration::from_secs(10) {
                    return Err(format!("[neo4j stop] pid {pid} survived SIGKILL"));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    remove_state(paths);
    eprintln!(
        "xtask: [neo4j] stopped in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn status(paths: &Paths) -> Result<(), String> {
    let version = &paths.version;
    match find_running(paths)? {
        None => println!("Neo4j {version} test server: not running"),
        Some((pid, env, port)) => match bolt::handshake(local(port), Duration::from_secs(5)) {
            Ok((major, minor)) => println!(
                "Neo4j {version} test server: running (pid {pid}) at {}, Bolt {major}.{minor}",
                env.uri()
            ),
            Err(e) => println!(
                "Neo4j {version} test server: process running (pid {pid}) but Bolt does not \
                 answer at {} ({e})",
                env.uri()
            ),
        },
    }
    Ok(())
}

/// `status` for every version that has a directory under `target/neo4j`.
fn status_all(default: &Paths) -> Result<(), String> {
    let mut versions: Vec<ServerVersion> = fs::read_dir(&default.top)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .filter_map(|e| ServerVersion::parse(&e.file_name().to_string_lossy()).ok())
                .collect()
        })
        .unwrap_or_default();
    if versions.is_empty() {
        versions.push(default.version.clone());
    }
    versions.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    for version in &versions {
        status(&Paths::new(version))?;
    }
    Ok(())
}

/// The server recorded in the pid file, if that process still runs our
/// launcher. A stale pid file (crash, reboot) is removed.
fn find_running(paths: &Paths) -> Result<Option<(u32, TestServer, u16)>, String> {
    let Ok(text) = fs::read_to_string(paths.pid_file()) else {
        return Ok(None);
    };
    let Ok(pid) = text.trim().parse::<u32>() else {
        remove_state(paths);
        return Ok(None);
    };
    if !process::is_running(pid, launcher::MAIN_CLASS) {
        remove_state(paths);
        return Ok(None);
    }
    let env_file = paths.env_file();
    let parsed = fs::read_to_string(&env_file)
        .ok()
        .and_then(|text| TestServer::from_env_file(&text));
    match parsed {
        Some((env, port)) => Ok(Some((pid, env, port))),
        None => Err(format!(
            "[neo4j] Neo4j (pid {pid}) runs but {} is missing or unreadable; \
             stop it with `kill {pid}`",
            env_file.display()
        )),
    }
}

fn remove_state(paths: &Paths) {
    let _ = fs::remove_file(paths.pid_file());
    // The shared copy goes only if it still describes this server.
    let ours = fs::read_to_string(paths.env_file()).ok();
    if ours.is_some() && fs::read_to_string(paths.latest_env_file()).ok() == ours {
        let _ = fs::remove_file(paths.latest_env_file());
    }
    let _ = fs::remove_file(paths.env_file());
}

fn port_from_env() -> Result<u16, String> {
    match std::env::var(PORT_ENV) {
        Err(_) => Ok(DEFAULT_PORT),
        Ok(value) => value
            .trim()
            .parse()
            .ok()
            .filter(|&port| port != 0)
            .ok_or_else(|| format!("[neo4j] {PORT_ENV}={value} is not a port number")),
    }
}

fn local(port: u16) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))
}

/// Puts the server in its own process group, so that Ctrl-C in the terminal
/// that ran xtask does not kill it along with xtask.
fn detach(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    #[cfg(not(unix))]
    let _ = command;
}

fn log_tail(log: &Path) -> String {
    match fs::read_to_string(log) {
        Ok(text) => tail(&text, 40),
        Err(e) => format!("(could not read it: {e})"),
    }
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
