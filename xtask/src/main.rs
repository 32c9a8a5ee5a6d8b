//! `cargo xtask`: the project's automation, written in Rust so it runs wherever
//! cargo does.
//!
//! Subcommands:
//! - `demo`: the main job (see the root README).
//! - `test`: everything CI checks: format, clippy, docs without warnings, the
//!   public API against `api/*.txt`, all unit and doc tests, and the
//!   integration suite and examples against a real Neo4j: 5.26 LTS, then
//!   2025.11.2 (Bolt 6.0), unless `--neo4j <v>` names one.
//! - `api`: regenerates `api/*.txt` (see [`api`]).
//! - `ci`: alias of `test`, used by `.ci/run`.
//! - `neo4j start|stop|restart|kill|status`: a local Neo4j Community server
//!   for tests (`kill` is SIGKILL, for the fault tests).
//! - `itest`: the integration suite alone (starts Neo4j when none is running).
//!
//! The Neo4j version: `--neo4j <v>` (for `neo4j`: `--version <v>`) or
//! `BOLTLINE_NEO4J_VERSION`; see [`neo4j::ServerVersion`].

mod api;
mod neo4j;

use std::process::{Command, ExitCode};
use std::time::Instant;

use neo4j::ServerVersion;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("api") => match args.get(1).map(String::as_str) {
            None => api::regenerate(),
            Some("--check") => api::check(),
            Some(other) => Err(format!("unexpected argument `{other}`\n\n{USAGE}")),
        },
        Some("test") | Some("ci") => versions_arg(&args[1..]).and_then(test_all),
        Some("neo4j") => neo4j::command(&args[1..]),
        Some("itest") => versions_arg(&args[1..]).and_then(|versions| itest_versions(&versions)),
        Some("help") | Some("--help") | Some("-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown xtask command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <command>

commands:
  demo                 the README's main job: the driver tour against Neo4j (started if
                       BOLTLINE_URI is not set), then the codec demo
  test [--neo4j <v>]   fmt check, clippy -D warnings, cargo doc warning-free, the public API
                       against api/*.txt, all tests with all features, each optional type
                       feature alone (chrono, chrono-tz, time, uuid, serde_json) and none,
                       real-Neo4j integration tests and examples, on Neo4j 5.26 LTS then
                       2025.11.2 (or on <v> only)
  ci                   same as test (what .ci/run calls)
  api [--check]        regenerate api/<crate>.txt, the pinned public API of each published
                       crate (rustdoc JSON on the stable toolchain); --check: compare only
  neo4j start|stop|restart|kill|status [--version <v>]
                       manage the local Neo4j test server (kill: SIGKILL, as a crash)
  itest [--neo4j <v>]  integration tests and examples only (starts Neo4j if none is running);
                       on BOLTLINE_NEO4J_VERSION, else 5.26 LTS

<v>: 5.26 (5.26.30, the default), 2025 (2025.11.2, Bolt 6.0), or a full Neo4j version.";

/// The versions `test`/`itest` run on: the one of `--neo4j` or
/// `BOLTLINE_NEO4J_VERSION`, or `None` for "the command's default".
fn versions_arg(args: &[String]) -> Result<Option<ServerVersion>, String> {
    let (version, rest) = neo4j::version_arg(args, &["--neo4j", "--version"])?;
    if let Some(extra) = rest.first() {
        return Err(format!("unexpected argument `{extra}`\n\n{USAGE}"));
    }
    match version {
        Some(v) => Ok(Some(v)),
        None if std::env::var_os(neo4j::VERSION_ENV).is_some() => {
            ServerVersion::from_env().map(Some)
        }
        None => Ok(None),
    }
}

/// The workspace package (directory `tests/`) holding the tests that need a
/// real server. They read `BOLTLINE_TEST_URI` and fail when it is missing.
const ITEST_PACKAGE: &str = "boltline-itests";

/// Runs a cargo subcommand, failing with a message naming the step.
pub(crate) fn cargo(step: &str, args: &[&str]) -> Result<(), String> {
    cargo_with_env(step, args, &[])
}

/// Runs a cargo subcommand with extra environment variables.
pub(crate) fn cargo_with_env(
    step: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("xtask: [{step}] cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("[{step}] could not start cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("[{step}] failed ({status})"))
    }
}

/// The main job: the driver tour (`crates/client/examples/demo.rs`) against
/// the server named by `BOLTLINE_URI`, or else a local Neo4j started (and
/// stopped afterwards) for the purpose; then the codec on its own.
fn demo() -> Result<(), String> {
    let run = ["run", "--quiet", "-p", "boltline", "--example", "demo"];
    if std::env::var_os("BOLTLINE_URI").is_some() {
        cargo("demo", &run)?;
    } else {
        neo4j::with_server(&ServerVersion::from_env()?, |server| {
            cargo_with_env(
                "demo",
                &run,
                &[
                    ("BOLTLINE_URI", server.uri()),
                    ("BOLTLINE_USER", server.user()),
                    ("BOLTLINE_PASSWORD", server.password()),
                ],
            )
        })?;
    }
    cargo(
        "codec demo",
        &[
            "run",
            "--quiet",
            "-p",
            "boltline-packstream",
            "--example",
            "codec_demo",
        ],
    )
}

fn test_all(version: Option<ServerVersion>) -> Result<(), String> {
    cargo("fmt", &["fmt", "--all", "--", "--check"])?;
    cargo(
        "clippy",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    docs()?;
    api::check()?;
    cargo(
        "unit tests",
        &[
            "test",
            "--workspace",
            "--all-features",
            "--exclude",
            ITEST_PACKAGE,
        ],
    )?;
    feature_matrix()?;
    let versions = match version {
        Some(v) => vec![v],
        None if std::env::var_os("BOLTLINE_TEST_URI").is_some() => {
            // A server of the caller's: run once, on it.
            vec![ServerVersion::from_env()?]
        }
        None => vec![
            ServerVersion::parse(ServerVersion::LTS)?,
            ServerVersion::parse(ServerVersion::CURRENT)?,
        ],
    };
    itest_on(&versions)
}

/// The API documentation of every crate, with every feature, warning-free
/// (broken intra-doc links, bare URLs, invalid code blocks...).
fn docs() -> Result<(), String> {
    cargo_with_env(
        "docs",
        &["doc", "--workspace", "--no-deps", "--all-features"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )
}

/// The optional types' features of the codec and the driver, each on its
/// own and none (the run above has them all).
const OPTIONAL_FEATURES: [&str; 5] = ["chrono", "chrono-tz", "time", "uuid", "serde_json"];

/// Each optional feature alone, and none: the codec's unit tests (its
/// feature code and tests live in the library; the slow property suites do
/// not change with features) and a check of the driver, which only passes
/// the features through; then the OGM's unit tests without features and
/// with `chrono` (its property types).
fn feature_matrix() -> Result<(), String> {
    cargo(
        "features: none",
        &["test", "-p", "boltline-packstream", "--lib"],
    )?;
    cargo("features: none", &["check", "-p", "boltline"])?;
    for feature in OPTIONAL_FEATURES {
        let step = format!("feature {feature}");
        cargo(
            &step,
            &[
                "test",
                "-p",
                "boltline-packstream",
                "--lib",
                "--features",
                feature,
            ],
        )?;
        cargo(&step, &["check", "-p", "boltline", "--features", feature])?;
    }
    // The OGM's own `chrono` feature adds property types (with tests), so
    // its unit tests run without it and with it alone.
    cargo(
        "ogm features: none",
        &["test", "-p", "boltline-ogm", "--lib"],
    )?;
    cargo(
        "ogm feature chrono",
        &[
            "test",
            "-p",
            "boltline-ogm",
            "--lib",
            "--features",
            "chrono",
        ],
    )?;
    Ok(())
}

/// `itest`: on the given version, else on `BOLTLINE_NEO4J_VERSION` or the LTS.
fn itest_versions(version: &Option<ServerVersion>) -> Result<(), String> {
    let version = match version {
        Some(v) => v.clone(),
        None => ServerVersion::from_env()?,
    };
    itest_on(&[version])
}

/// The integration suite and examples on each version in turn; says how
/// long each took.
fn itest_on(versions: &[ServerVersion]) -> Result<(), String> {
    let mut times = Vec::new();
    for version in versions {
        let started = Instant::now();
        eprintln!("xtask: [itest] Neo4j {version}");
        itest(version).map_err(|e| format!("{e} (on Neo4j {version})"))?;
        let secs = started.elapsed().as_secs_f64();
        eprintln!("xtask: [itest] Neo4j {version}: passed in {secs:.0} s");
        times.push(format!("Neo4j {version}: {secs:.0} s"));
    }
    if times.len() > 1 {
        eprintln!("xtask: [itest] all passed ({})", times.join(", "));
    }
    Ok(())
}

/// The integration suite against a real Neo4j of `version`. Starts a server
/// when none is running, and stops only what it started.
fn itest(version: &ServerVersion) -> Result<(), String> {
    neo4j::with_server(version, |server| {
        // The fault tests kill and restart the server through this binary.
        let xtask = std::env::current_exe()
            .map_err(|e| format!("[integration tests] locating xtask: {e}"))?;
        let xtask = xtask.to_string_lossy().into_owned();
        let mut env = server.env();
        env.push(("BOLTLINE_XTASK", &xtask));
        env.push(("BOLTLINE_NEO4J_VERSION", version.as_str()));
        cargo_with_env(
            "integration tests",
            &[
                "test",
                "-p",
                ITEST_PACKAGE,
                "--all-features",
                "--no-fail-fast",
            ],
            &env,
        )?;
        run_examples(server)
    })
}

/// The examples of the driver and the OGM, each run against the server: an
/// example that stops working fails the suite.
const EXAMPLES: &[(&str, &str)] = &[
    ("boltline", "hello_world"),
    ("boltline", "friends"),
    ("boltline", "bookmarks"),
    ("boltline", "bank_transfer"),
    ("boltline", "execute_query"),
    ("boltline", "demo"),
    ("boltline-ogm", "books"),
    ("boltline-ogm", "movies"),
    ("boltline-ogm", "neomodel_port"),
];

/// Examples that need a feature of their package: (package, example,
/// feature).
const FEATURE_EXAMPLES: &[(&str, &str, &str)] = &[("boltline", "otel_stdout", "opentelemetry")];

fn run_examples(server: &neo4j::TestServer) -> Result<(), String> {
    let env = [
        ("BOLTLINE_URI", server.uri()),
        ("BOLTLINE_USER", server.user()),
        ("BOLTLINE_PASSWORD", server.password()),
    ];
    for (package, example) in EXAMPLES {
        cargo_with_env(
            &format!("example {package}/{example}"),
            &["run", "--quiet", "-p", package, "--example", example],
            &env,
        )?;
    }
    for (package, example, feature) in FEATURE_EXAMPLES {
        cargo_with_env(
            &format!("example {package}/{example}"),
            &[
                "run",
                "--quiet",
                "-p",
                package,
                "--features",
                feature,
                "--example",
                example,
            ],
            &env,
        )?;
    }
    Ok(())
}
