//! End-to-end driver benchmark (issue 6): boltline against neo4rs (and,
//! optionally, the official Python driver), in the same run, on the
//! scripted stub server and on a real Neo4j.
//!
//! ```text
//! cargo run --release -p boltline-bench -- [--target stub,neo4j] \
//!     [--case latency,ints,nodes] [--driver boltline,neo4rs] [--runs 3] [--secs 1.0] \
//!     [--ints 1000000] [--nodes 200000] [--python <python with `neo4j`>]
//! ```
//!
//! The real server is read from `BOLTLINE_TEST_URI`, `BOLTLINE_TEST_USER`,
//! `BOLTLINE_TEST_PASSWORD` (else from the `target/neo4j/server.env` that
//! `cargo xtask neo4j start` writes). Each measurement is repeated `--runs`
//! times, the drivers alternating (boltline first on even runs, neo4rs
//! first on odd ones) after one warm-up each; the table shows medians.

// A binary: its items are no API, `missing_docs` does not apply.
#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::future::Future;
use std::process::Command;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use boltline::packstream::bytes::BytesMut;
use boltline::packstream::{write_struct_header, Dialect};
use boltline::{AuthToken, Config, Driver, SessionConfig};
use boltline_stub::{map, sig, steps, Map, Script, StubServer, Value};
use serde::Deserialize;
use tokio::runtime::Handle;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = std::result::Result<T, BoxError>;

/// Label of the benchmark's nodes on the real server (created in setup,
/// deleted at the end).
const LABEL: &str = "BoltlineBenchPerson";
/// Fetch size and pool size, the same for every driver.
const FETCH: usize = 1000;
const POOL: usize = 100;
const DB: &str = "neo4j";
const CONCURRENCY: [usize; 3] = [1, 16, 256];
/// Slices per latency run (see `latency_case`).
const SLICES: usize = 4;

/// A node's properties, decoded by each driver's serde support.
#[derive(Debug, Deserialize)]
struct Person {
    name: String,
    age: i64,
    email: String,
    score: f64,
}

/// One record of `MATCH (p:...) RETURN p`.
#[derive(Debug, Deserialize)]
struct PersonRow {
    p: Person,
}

fn checksum(people: &[PersonRow]) -> i64 {
    people
        .iter()
        .map(|r| {
            let p = &r.p;
            // Touch every field so nothing is optimised away.
            p.age
                + i64::from(p.name.len() > 3)
                + i64::from(p.email.is_empty())
                + i64::from(p.score < 0.0)
        })
        .sum()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Stub,
    Neo4j,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Case {
    Latency,
    Ints,
    Nodes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Drv {
    Boltline,
    Neo4rs,
}

impl Drv {
    fn name(self) -> &'static str {
        match self {
            Drv::Boltline => "boltline",
            Drv::Neo4rs => "neo4rs 0.8",
        }
    }
}

struct Opts {
    targets: Vec<Target>,
    cases: Vec<Case>,
    drivers: Vec<Drv>,
    runs: usize,
    secs: f64,
    ints: usize,
    nodes: usize,
    python: Option<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: boltline-bench [--target stub,neo4j] [--case latency,ints,nodes] [--driver boltline,neo4rs] [--runs N] \
         [--secs S] [--ints N] [--nodes N] [--python PYTHON]"
    );
    std::process::exit(2)
}

fn parse_args() -> Opts {
    let mut o = Opts {
        targets: vec![Target::Stub, Target::Neo4j],
        cases: vec![Case::Latency, Case::Ints, Case::Nodes],
        drivers: vec![Drv::Boltline, Drv::Neo4rs],
        runs: 3,
        secs: 1.0,
        ints: 1_000_000,
        nodes: 200_000,
        python: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--target" => {
                o.targets = val()
                    .split(',')
                    .map(|t| match t {
                        "stub" => Target::Stub,
                        "neo4j" => Target::Neo4j,
                        _ => usage(),
                    })
                    .collect()
            }
            "--case" => {
                o.cases = val()
                    .split(',')
                    .map(|c| match c {
                        "latency" => Case::Latency,
                        "ints" => Case::Ints,
                        "nodes" => Case::Nodes,
                        _ => usage(),
                    })
                    .collect()
            }
            "--driver" => {
                o.drivers = val()
                    .split(',')
                    .map(|d| match d {
                        "boltline" => Drv::Boltline,
                        "neo4rs" => Drv::Neo4rs,
                        _ => usage(),
                    })
                    .collect()
            }
            "--runs" => o.runs = num(&val()),
            "--secs" => o.secs = num(&val()),
            "--ints" => o.ints = num(&val()),
            "--nodes" => o.nodes = num(&val()),
            "--python" => o.python = Some(val()),
            _ => usage(),
        }
    }
    o
}

fn num<T: FromStr>(s: &str) -> T {
    s.parse().unwrap_or_else(|_| usage())
}

/// Where the drivers connect.
#[derive(Clone)]
struct Server {
    /// `host:port`.
    host_port: String,
    user: String,
    password: String,
}

fn neo4j_server() -> Option<Server> {
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/neo4j/server.env");
    if let Ok(text) = std::fs::read_to_string(file) {
        for line in text.lines() {
            if let Some((k, v)) = line.split_once('=') {
                env.insert(k.trim().to_owned(), v.trim().to_owned());
            }
        }
    }
    let get = |k: &str| std::env::var(k).ok().or_else(|| env.get(k).cloned());
    let uri = get("BOLTLINE_TEST_URI")?;
    let host_port = uri.split_once("://").map_or(uri.as_str(), |(_, r)| r);
    Some(Server {
        host_port: host_port.trim_end_matches('/').to_owned(),
        user: get("BOLTLINE_TEST_USER").unwrap_or_else(|| "neo4j".into()),
        password: get("BOLTLINE_TEST_PASSWORD").unwrap_or_default(),
    })
}

// ---------------------------------------------------------------- drivers

async fn boltline_driver(s: &Server) -> Res<Driver> {
    let config = Config::builder()
        .with_fetch_size(boltline::FetchSize::records(FETCH as u64).ok_or("FETCH is not zero")?)
        .with_max_connection_pool_size(POOL)
        .build()?;
    let d = Driver::with_config(
        &format!("bolt://{}", s.host_port),
        AuthToken::basic(s.user.as_str(), s.password.as_str()),
        config,
    )?;
    Ok(d)
}

async fn neo4rs_graph(s: &Server) -> Res<neo4rs::Graph> {
    let config = neo4rs::ConfigBuilder::default()
        .uri(s.host_port.as_str())
        .user(s.user.as_str())
        .password(s.password.as_str())
        .db(DB)
        .fetch_size(FETCH)
        .max_connections(POOL)
        .build()?;
    Ok(neo4rs::Graph::connect(config).await?)
}

enum Client {
    Boltline(Driver),
    Neo4rs(neo4rs::Graph),
}

impl Client {
    async fn new(drv: Drv, s: &Server) -> Res<Client> {
        Ok(match drv {
            Drv::Boltline => Client::Boltline(boltline_driver(s).await?),
            Drv::Neo4rs => Client::Neo4rs(neo4rs_graph(s).await?),
        })
    }

    async fn close(self) {
        if let Client::Boltline(d) = self {
            d.close().await;
        }
    }
}

async fn boltline_return_one(session: &mut boltline::Session) -> Res<()> {
    let mut r = session.run("RETURN 1 AS x").await?;
    let mut n = 0;
    while let Some(rec) = r.next().await? {
        n += rec.get_as::<i64>("x")?;
    }
    check(n == 1, "RETURN 1")
}

async fn neo4rs_return_one(g: &neo4rs::Graph) -> Res<()> {
    let mut st = g.execute(neo4rs::query("RETURN 1 AS x")).await?;
    let mut n = 0;
    while let Some(row) = st.next().await? {
        n += row.get::<i64>("x")?;
    }
    check(n == 1, "RETURN 1")
}

fn check(ok: bool, what: &str) -> Res<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("wrong result for {what}").into())
    }
}

/// Streams the ints query into a `Vec<i64>`; returns the sum.
async fn stream_ints(c: &Client, query: &str, n: usize) -> Res<i64> {
    let v: Vec<i64> = match c {
        Client::Boltline(d) => {
            let mut s = d.session(SessionConfig::new().with_database(DB));
            let mut r = s.run(query).await?;
            r.collect::<i64>().await?
        }
        Client::Neo4rs(g) => {
            let mut st = g.execute(neo4rs::query(query)).await?;
            let mut v = Vec::new();
            while let Some(row) = st.next().await? {
                v.push(row.get::<i64>("i")?);
            }
            v
        }
    };
    check(v.len() == n, "the ints stream")?;
    // Both targets stream 1..=n.
    let sum: i64 = v.iter().sum();
    let n = i64::try_from(n)?;
    check(sum == n * (n + 1) / 2, "the ints stream's sum")?;
    Ok(sum)
}

/// Streams the nodes query into `Vec<PersonRow>`; returns a checksum.
async fn stream_nodes(c: &Client, query: &str, n: usize) -> Res<i64> {
    let v: Vec<PersonRow> = match c {
        Client::Boltline(d) => {
            let mut s = d.session(SessionConfig::new().with_database(DB));
            let mut r = s.run(query).await?;
            r.collect::<PersonRow>().await?
        }
        Client::Neo4rs(g) => {
            let mut st = g.execute(neo4rs::query(query)).await?;
            let mut v = Vec::new();
            while let Some(row) = st.next().await? {
                v.push(row.to::<PersonRow>()?);
            }
            v
        }
    };
    check(v.len() == n, "the nodes stream")?;
    Ok(checksum(&v))
}

async fn stream_once(c: &Client, nodes: bool, query: &str, n: usize) -> Res<i64> {
    if nodes {
        stream_nodes(c, query, n).await
    } else {
        stream_ints(c, query, n).await
    }
}

/// `conc` tasks run `RETURN 1` back to back for `dur`; per-query latencies.
async fn latency(c: &Client, conc: usize, dur: Duration) -> Res<(f64, Vec<Duration>)> {
    let lat = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let deadline = start + dur;
    let mut tasks = Vec::with_capacity(conc);
    for _ in 0..conc {
        let lat = lat.clone();
        let task: tokio::task::JoinHandle<Res<()>> = match c {
            Client::Boltline(d) => {
                let d = d.clone();
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    let mut s = d.session(SessionConfig::new().with_database(DB));
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        boltline_return_one(&mut s).await?;
                        mine.push(t.elapsed());
                    }
                    s.close().await?;
                    lat.lock().map_err(|_| "poisoned")?.extend(mine);
                    Ok(())
                })
            }
            Client::Neo4rs(g) => {
                let g = g.clone();
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        neo4rs_return_one(&g).await?;
                        mine.push(t.elapsed());
                    }
                    lat.lock().map_err(|_| "poisoned")?.extend(mine);
                    Ok(())
                })
            }
        };
        tasks.push(task);
    }
    for t in tasks {
        t.await??;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let lat = std::mem::take(&mut *lat.lock().map_err(|_| "poisoned")?);
    #[allow(clippy::cast_precision_loss)]
    let qps = lat.len() as f64 / elapsed;
    Ok((qps, lat))
}

// ---------------------------------------------------------------- stub

/// What the stub answers to one query.
#[derive(Clone)]
enum QueryBody {
    ReturnOne,
    /// A result of one column served from pre-encoded batches: each batch
    /// answers one `PULL {n: FETCH}` with its `RECORD`s and `SUCCESS`
    /// (`has_more` but for the last). Encoding them ahead keeps the stub's
    /// own work to a copy, so the client's decoding is what is measured
    /// (`serve_stream` would clone and encode every row on the stub's
    /// thread, on the same two cores).
    Stream {
        field: &'static str,
        batches: Arc<Vec<Vec<u8>>>,
    },
}

fn summary() -> Map {
    map([
        ("type", Value::from("r")),
        ("t_last", Value::from(0)),
        ("db", Value::from(DB)),
    ])
}

/// Appends one chunked message (struct `tag` with `fields`).
fn put_message(out: &mut Vec<u8>, tag: u8, fields: &[Value], dialect: Dialect) -> Res<()> {
    let mut body = BytesMut::new();
    write_struct_header(&mut body, tag, fields.len())?;
    for f in fields {
        f.encode(&mut body, dialect)?;
    }
    for chunk in body.chunks(65_535) {
        out.extend_from_slice(&u16::try_from(chunk.len())?.to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&[0, 0]);
    Ok(())
}

/// The stub's answers to the `PULL`s of a stream of `rows`.
fn encode_batches(
    rows: impl Iterator<Item = Value>,
    n: usize,
    dialect: Dialect,
) -> Res<Vec<Vec<u8>>> {
    let mut batches = Vec::new();
    let mut out = Vec::new();
    for (i, v) in rows.enumerate() {
        put_message(&mut out, sig::RECORD, &[Value::List(vec![v])], dialect)?;
        let sent = i + 1;
        if sent == n {
            put_message(&mut out, sig::SUCCESS, &[Value::Map(summary())], dialect)?;
            batches.push(std::mem::take(&mut out));
        } else if sent.is_multiple_of(FETCH) {
            let more = map([("has_more", Value::from(true))]);
            put_message(&mut out, sig::SUCCESS, &[Value::Map(more)], dialect)?;
            batches.push(std::mem::take(&mut out));
        }
    }
    Ok(batches)
}

impl QueryBody {
    fn apply(&self, s: Script) -> Script {
        match self {
            QueryBody::ReturnOne => s
                .expect(sig::RUN)
                .success([
                    ("fields", Value::from_iter(["x"])),
                    ("t_first", Value::from(0)),
                ])
                .expect(sig::PULL)
                .record(vec![Value::from(1)])
                .success_map(summary()),
            QueryBody::Stream { field, batches } => {
                let fetch = i64::try_from(FETCH).unwrap_or(i64::MAX);
                let mut s = s.expect(sig::RUN).success([
                    ("fields", Value::from_iter([*field])),
                    ("t_first", Value::from(0)),
                ]);
                for b in batches.iter() {
                    s = s
                        .expect_with(sig::PULL, move |f| {
                            let n = f.first().and_then(|m| match m {
                                Value::Map(m) => m.get("n").and_then(Value::as_i64),
                                _ => None,
                            });
                            if n == Some(fetch) {
                                Ok(())
                            } else {
                                Err(format!(
                                    "PULL n = {n:?}, the script serves batches of {fetch}"
                                ))
                            }
                        })
                        .send_raw(b.clone());
                }
                s
            }
        }
    }

    /// The script of one connection. boltline speaks Bolt 5.4 (HELLO +
    /// LOGON, RUN and PULL pipelined); neo4rs 0.8 offers only Bolt 4.1/4.0
    /// (HELLO with credentials) and sends RESET whenever it takes a pooled
    /// connection back out of its pool.
    fn script(&self, drv: Drv) -> Script {
        match drv {
            Drv::Boltline => Script::authenticated(5, 4).repeat_until_closed(self.apply(steps())),
            Drv::Neo4rs => {
                let first = self.apply(Script::authenticated(4, 1));
                first
                    .repeat_until_closed(self.apply(steps().expect(sig::RESET).success(Map::new())))
            }
        }
    }
}

/// A stub server on the stub runtime with `conns` scripted connections.
async fn start_stub(
    stub_rt: &Handle,
    drv: Drv,
    body: &QueryBody,
    conns: usize,
) -> Res<(StubServer, Server)> {
    let scripts: Vec<Script> = (0..conns).map(|_| body.script(drv)).collect();
    let server = stub_rt.spawn(StubServer::start(scripts)).await??;
    let s = Server {
        host_port: server.host_port(),
        user: "neo4j".into(),
        password: "pass".into(),
    };
    Ok((server, s))
}

fn int_values(n: usize) -> impl Iterator<Item = Value> {
    (1..=i64::try_from(n).unwrap_or(i64::MAX)).map(Value::from)
}

fn person(i: i64) -> Map {
    map([
        ("name", Value::from(format!("person-{i}"))),
        ("age", Value::from(i % 100)),
        ("email", Value::from(format!("person-{i}@example.com"))),
        #[allow(clippy::cast_precision_loss)]
        ("score", Value::from(i as f64 * 0.5)),
    ])
}

fn node_values(n: usize, bolt5: bool) -> impl Iterator<Item = Value> {
    (1..=i64::try_from(n).unwrap_or(i64::MAX)).map(move |i| {
        Value::Node(boltline::Node {
            id: i,
            labels: vec![LABEL.to_owned()],
            properties: person(i),
            element_id: bolt5.then(|| format!("4:bench:{i}")),
        })
    })
}

// ---------------------------------------------------------------- results

#[derive(Default)]
struct Cell {
    /// Rate per run (records/s or queries/s).
    rates: Vec<f64>,
    p50: Vec<f64>,
    p99: Vec<f64>,
}

type Table = BTreeMap<(Target, String, String), Cell>;

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

fn percentile(lat: &mut [Duration], p: f64) -> f64 {
    lat.sort();
    if lat.is_empty() {
        return f64::NAN;
    }
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let i = ((lat.len() - 1) as f64 * p).round() as usize;
    lat[i].as_secs_f64() * 1e3
}

fn order(run: usize) -> [Drv; 2] {
    if run.is_multiple_of(2) {
        [Drv::Boltline, Drv::Neo4rs]
    } else {
        [Drv::Neo4rs, Drv::Boltline]
    }
}

// ---------------------------------------------------------------- cases

struct Bench {
    opts: Opts,
    stub_rt: Handle,
    table: Table,
}

impl Bench {
    fn record(&mut self, t: Target, case: String, drv: &str, rate: f64, lat: Option<(f64, f64)>) {
        let cell = self.table.entry((t, case, drv.to_owned())).or_default();
        cell.rates.push(rate);
        if let Some((p50, p99)) = lat {
            cell.p50.push(p50);
            cell.p99.push(p99);
        }
    }

    /// A client for `drv` on `target`, with its stub (kept alive) if any.
    async fn client(
        &self,
        target: Target,
        drv: Drv,
        body: &QueryBody,
        conns: usize,
    ) -> Res<(Client, Option<StubServer>)> {
        match target {
            Target::Stub => {
                let (stub, s) = start_stub(&self.stub_rt, drv, body, conns).await?;
                Ok((Client::new(drv, &s).await?, Some(stub)))
            }
            Target::Neo4j => {
                let s = neo4j_server().ok_or("no Neo4j: set BOLTLINE_TEST_URI")?;
                Ok((Client::new(drv, &s).await?, None))
            }
        }
    }

    async fn latency_case(&mut self, target: Target) -> Res<()> {
        let dur = Duration::from_secs_f64(self.opts.secs);
        for conc in CONCURRENCY {
            let case = format!("RETURN 1, {conc} task{}", if conc == 1 { "" } else { "s" });
            let mut clients = Vec::new();
            for drv in self.opts.drivers.clone() {
                let (c, stub) = self
                    .client(target, drv, &QueryBody::ReturnOne, POOL + 4)
                    .await?;
                // Warm-up: fills the pool to what this concurrency needs.
                latency(&c, conc, dur / 2).await?;
                clients.push((drv, c, stub));
            }
            for run in 0..self.opts.runs {
                // A run is SLICES short slices per driver, alternating, so
                // that load from elsewhere on the machine falls on both.
                let mut acc: BTreeMap<Drv, (usize, f64, Vec<Duration>)> = BTreeMap::new();
                for slice in 0..SLICES {
                    for drv in order(run + slice) {
                        let Some((_, c, _)) = clients.iter().find(|(d, ..)| *d == drv) else {
                            continue;
                        };
                        let t = Instant::now();
                        let (_, lat) = latency(c, conc, dur / u32::try_from(SLICES)?).await?;
                        let a = acc.entry(drv).or_default();
                        a.0 += lat.len();
                        a.1 += t.elapsed().as_secs_f64();
                        a.2.extend(lat);
                    }
                }
                for drv in order(run) {
                    let Some((n, secs, mut lat)) = acc.remove(&drv) else {
                        continue;
                    };
                    #[allow(clippy::cast_precision_loss)]
                    let qps = n as f64 / secs;
                    let p = (percentile(&mut lat, 0.5), percentile(&mut lat, 0.99));
                    eprintln!(
                        "  {target:?} {case} {}: {qps:.0} q/s p50 {:.3} ms p99 {:.3} ms",
                        drv.name(),
                        p.0,
                        p.1
                    );
                    self.record(target, case.clone(), drv.name(), qps, Some(p));
                }
            }
            for (_, c, stub) in clients {
                c.close().await;
                drop(stub);
            }
        }
        Ok(())
    }

    async fn stream_case(&mut self, target: Target, nodes: bool) -> Res<()> {
        let n = if nodes {
            self.opts.nodes
        } else {
            self.opts.ints
        };
        let query = if nodes {
            format!("MATCH (p:{LABEL}) RETURN p")
        } else {
            format!("UNWIND range(1, {n}) AS i RETURN i")
        };
        let case = if nodes {
            format!("stream {}k nodes -> struct", n / 1000)
        } else {
            format!("stream {}k ints", n / 1000)
        };
        let mut clients = Vec::new();
        for drv in self.opts.drivers.clone() {
            let body = if target == Target::Stub {
                let dialect = if drv == Drv::Boltline {
                    Dialect::BOLT_5
                } else {
                    Dialect::BOLT_4_4
                };
                let batches = if nodes {
                    encode_batches(node_values(n, drv == Drv::Boltline), n, dialect)?
                } else {
                    encode_batches(int_values(n), n, dialect)?
                };
                QueryBody::Stream {
                    field: if nodes { "p" } else { "i" },
                    batches: Arc::new(batches),
                }
            } else {
                QueryBody::ReturnOne
            };
            let (c, stub) = self.client(target, drv, &body, 1).await?;
            drop(body);
            clients.push((drv, c, stub));
        }
        // Warm-up (one full stream each). Every stream of every driver must
        // give the same checksum: a fast but wrong decode fails the run.
        let mut expected: Option<i64> = None;
        let mut same = |sum: i64| -> Res<()> {
            let want = *expected.get_or_insert(sum);
            check(sum == want, "the stream's checksum (drivers disagree)")
        };
        for (_, c, _) in &clients {
            same(stream_once(c, nodes, &query, n).await?)?;
        }
        for run in 0..self.opts.runs {
            for drv in order(run) {
                let Some((_, c, _)) = clients.iter().find(|(d, ..)| *d == drv) else {
                    continue;
                };
                let t = Instant::now();
                let sum = stream_once(c, nodes, &query, n).await?;
                #[allow(clippy::cast_precision_loss)]
                let rate = n as f64 / t.elapsed().as_secs_f64();
                same(sum)?;
                eprintln!("  {target:?} {case} {}: {rate:.0} records/s", drv.name());
                self.record(target, case.clone(), drv.name(), rate, None);
            }
        }
        for (_, c, stub) in clients {
            c.close().await;
            drop(stub);
        }
        Ok(())
    }
}

/// Creates the real server's benchmark nodes (after deleting leftovers).
async fn setup_nodes(s: &Server, n: usize) -> Res<()> {
    teardown_nodes(s).await?;
    let d = boltline_driver(s).await?;
    let mut session = d.session(SessionConfig::new().with_database(DB));
    let batch = 20_000;
    let mut from = 1;
    while from <= n {
        let to = (from + batch - 1).min(n);
        let q = boltline::Query::new(format!(
            "UNWIND range($from, $to) AS i CREATE (:{LABEL} {{name: 'person-' + i, age: i % 100, \
             email: 'person-' + i + '@example.com', score: i * 0.5}})"
        ))
        .param("from", i64::try_from(from)?)
        .param("to", i64::try_from(to)?);
        session.run(q).await?.consume().await?;
        from = to + 1;
    }
    session.close().await?;
    d.close().await;
    Ok(())
}

async fn teardown_nodes(s: &Server) -> Res<()> {
    let d = boltline_driver(s).await?;
    let mut session = d.session(SessionConfig::new().with_database(DB));
    session
        .run(format!(
            "MATCH (p:{LABEL}) CALL {{ WITH p DETACH DELETE p }} IN TRANSACTIONS OF 20000 ROWS"
        ))
        .await?
        .consume()
        .await?;
    session.close().await?;
    d.close().await;
    Ok(())
}

/// Runs `python/bench.py` against the real server; its JSON lines go into
/// the table.
fn run_python(python: &str, s: &Server, opts: &Opts, table: &mut Table) -> Res<()> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/bench.py");
    let cases: Vec<&str> = opts
        .cases
        .iter()
        .map(|c| match c {
            Case::Latency => "latency",
            Case::Ints => "ints",
            Case::Nodes => "nodes",
        })
        .collect();
    let out = Command::new(python)
        .arg(script)
        .args(["--uri", &format!("bolt://{}", s.host_port)])
        .args([
            "--user",
            &s.user,
            "--password",
            &s.password,
            "--database",
            DB,
        ])
        .args(["--label", LABEL, "--case", &cases.join(",")])
        .args([
            "--runs",
            &opts.runs.to_string(),
            "--secs",
            &opts.secs.to_string(),
        ])
        .args([
            "--ints",
            &opts.ints.to_string(),
            "--nodes",
            &opts.nodes.to_string(),
        ])
        .args(["--fetch", &FETCH.to_string(), "--pool", &POOL.to_string()])
        .args(["--stream-runs", "1"])
        .stderr(std::process::Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("{python} bench.py failed: {}", out.status).into());
    }
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        // {"case": ..., "driver": ..., "rate": .., "p50": .., "p99": ..}
        let Some(fields) = parse_json_line(line) else {
            continue;
        };
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let cell = table
            .entry((Target::Neo4j, get("case"), get("driver")))
            .or_default();
        if let Ok(r) = get("rate").parse() {
            cell.rates.push(r);
        }
        if let (Ok(a), Ok(b)) = (get("p50").parse(), get("p99").parse()) {
            cell.p50.push(a);
            cell.p99.push(b);
        }
    }
    Ok(())
}

/// A flat JSON object of strings and numbers (what bench.py prints).
fn parse_json_line(line: &str) -> Option<BTreeMap<String, String>> {
    let inner = line.trim().strip_prefix('{')?.strip_suffix('}')?;
    let mut out = BTreeMap::new();
    for part in inner.split(", \"") {
        let (k, v) = part.split_once("\": ")?;
        out.insert(
            k.trim_matches('"').to_owned(),
            v.trim().trim_matches('"').to_owned(),
        );
    }
    Some(out)
}

fn print_table(table: &Table) {
    println!("| target | case | driver | rate (median) | runs | p50 ms | p99 ms | vs neo4rs |");
    println!("|---|---|---|---:|---|---:|---:|---:|");
    for ((target, case, drv), cell) in table {
        let unit = if case.starts_with("RETURN") {
            "queries/s"
        } else {
            "records/s"
        };
        let rate = median(&cell.rates);
        let base = table
            .get(&(*target, case.clone(), Drv::Neo4rs.name().to_owned()))
            .map(|c| median(&c.rates));
        let ratio = match base {
            Some(b) if drv != Drv::Neo4rs.name() => format!("{:.2}×", rate / b),
            _ => String::new(),
        };
        let runs: Vec<String> = cell.rates.iter().map(|r| format!("{:.0}", r)).collect();
        let (p50, p99) = if cell.p50.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!("{:.3}", median(&cell.p50)),
                format!("{:.3}", median(&cell.p99)),
            )
        };
        println!(
            "| {} | {case} | {drv} | {rate:.0} {unit} | {} | {p50} | {p99} | {ratio} |",
            match target {
                Target::Stub => "stub",
                Target::Neo4j => "Neo4j",
            },
            runs.join(" / ")
        );
    }
}

fn block<F: Future>(rt: &tokio::runtime::Runtime, f: F) -> F::Output {
    rt.block_on(f)
}

fn main() -> Res<()> {
    let opts = parse_args();
    // The stub runs on its own thread, as a separate server process would.
    let stub_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("stub")
        .enable_all()
        .build()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut bench = Bench {
        stub_rt: stub_rt.handle().clone(),
        opts,
        table: Table::new(),
    };
    let started = Instant::now();
    for target in bench.opts.targets.clone() {
        let server = neo4j_server();
        if target == Target::Neo4j {
            let Some(s) = &server else {
                eprintln!(
                    "no Neo4j (BOLTLINE_TEST_URI unset, no server.env): skipping the real server"
                );
                continue;
            };
            if bench.opts.cases.contains(&Case::Nodes) {
                eprintln!("setup: creating {} :{LABEL} nodes", bench.opts.nodes);
                block(&rt, setup_nodes(s, bench.opts.nodes))?;
            }
        }
        let result: Res<()> = block(&rt, async {
            for case in bench.opts.cases.clone() {
                match case {
                    Case::Latency => bench.latency_case(target).await?,
                    Case::Ints => bench.stream_case(target, false).await?,
                    Case::Nodes => bench.stream_case(target, true).await?,
                }
            }
            Ok(())
        });
        if target == Target::Neo4j {
            if let (Ok(()), Some(py), Some(s)) = (&result, &bench.opts.python, &server) {
                if let Err(e) = run_python(py, s, &bench.opts, &mut bench.table) {
                    eprintln!("python: {e}");
                }
            }
            if let Some(s) = &server {
                if bench.opts.cases.contains(&Case::Nodes) {
                    block(&rt, teardown_nodes(s))?;
                }
            }
        }
        result?;
    }
    print_table(&bench.table);
    eprintln!("total {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_answer_one_pull_each() {
        let batches = encode_batches(int_values(2500), 2500, Dialect::BOLT_5).unwrap();
        assert_eq!(batches.len(), 3);
    }

    #[test]
    fn reads_the_python_lines() {
        let line =
            r#"{"case": "stream 1000k ints", "driver": "python neo4j 6.4.1", "rate": 49708.2}"#;
        let m = parse_json_line(line).unwrap();
        assert_eq!(m["case"], "stream 1000k ints");
        assert_eq!(m["rate"], "49708.2");
    }
}
