//! Faults on the real server: kill -9 and restarts (driven through
//! `cargo xtask neo4j kill|start|restart`, whose binary `cargo xtask itest`
//! names in `BOLTLINE_XTASK`), a cancellation soak and a 10M-record stream.
//! Each scenario is bounded in time and asserts outcomes; they run one at a
//! time (they share, and stop, the server) and each leaves it running.
//! Each prints how long it took.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use boltline::{AuthToken, Config, Driver, Error, ManagedTransaction, Query, SessionConfig};
use boltline_itests::server;

/// The scenarios stop the server: one at a time.
async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// Runs `xtask neo4j <cmd>` on the server under test. Fails (never skips)
/// without `BOLTLINE_XTASK`.
async fn neo4j(cmd: &str) {
    let xtask = std::env::var("BOLTLINE_XTASK").unwrap_or_else(|_| {
        panic!(
            "BOLTLINE_XTASK is not set: the fault tests kill and restart the server \
             through xtask; run them with `cargo xtask itest`"
        )
    });
    let started = Instant::now();
    let status = tokio::process::Command::new(xtask)
        .args(["neo4j", cmd])
        .stdout(std::process::Stdio::null())
        .status()
        .await
        .expect("running xtask");
    assert!(status.success(), "xtask neo4j {cmd} failed: {status}");
    eprintln!(
        "faults: neo4j {cmd} took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn uri(scheme: &str) -> String {
    format!("{scheme}://{}", server().address())
}

fn driver_with(scheme: &str, config: Config) -> Driver {
    let s = server();
    Driver::with_config(
        &uri(scheme),
        AuthToken::basic(s.user(), s.password()),
        config,
    )
    .expect("driver")
}

fn neo4j_db() -> SessionConfig {
    SessionConfig::new().with_database("neo4j")
}

/// The server answers queries: a fresh driver (not the one under test)
/// runs `RETURN 1`. Returns when it first succeeds.
async fn wait_until_serving() -> Instant {
    let probe = driver_with("bolt", Config::default());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let r = probe
            .execute_query("RETURN 1 AS x")
            .with_database("neo4j")
            .run()
            .await;
        if r.is_ok() {
            probe.close().await;
            return Instant::now();
        }
        assert!(Instant::now() < deadline, "server not serving: {r:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn in_use(d: &Driver) -> usize {
    d.pool_metrics().values().map(|p| p.in_use).sum()
}

fn idle(d: &Driver) -> usize {
    d.pool_metrics().values().map(|p| p.idle).sum()
}

async fn value_of(r: &mut boltline::QueryResult) -> boltline::Result<i64> {
    r.single().await?.get_as("x")
}

/// 100 queries, 25 of each kind, each checked; every one must succeed.
async fn hundred_queries(d: &Driver) {
    for i in 0..25i64 {
        let mut s = d.session(neo4j_db());
        let mut r = s
            .run(Query::new("RETURN $i AS x").param("i", i))
            .await
            .unwrap_or_else(|e| panic!("auto-commit {i}: {e:?}"));
        assert_eq!(value_of(&mut r).await.unwrap(), i);
        drop(r);

        let eager = d
            .execute_query(Query::new("RETURN $i AS x").param("i", i + 100))
            .with_database("neo4j")
            .run()
            .await
            .unwrap_or_else(|e| panic!("execute_query {i}: {e:?}"));
        assert_eq!(eager.records()[0].get_as::<i64>("x").unwrap(), i + 100);

        let v = s
            .execute_read(async |tx: &mut ManagedTransaction| {
                let mut r = tx
                    .run(Query::new("RETURN $i AS x").param("i", i + 200))
                    .await?;
                value_of(&mut r).await
            })
            .await
            .unwrap_or_else(|e| panic!("execute_read {i}: {e:?}"));
        assert_eq!(v, i + 200);

        let mut tx = s
            .begin_transaction()
            .await
            .unwrap_or_else(|e| panic!("begin {i}: {e:?}"));
        let mut r = tx
            .run(Query::new("RETURN $i AS x").param("i", i + 300))
            .await
            .unwrap_or_else(|e| panic!("explicit tx {i}: {e:?}"));
        assert_eq!(value_of(&mut r).await.unwrap(), i + 300);
        drop(r);
        tx.commit().await.expect("commit");
    }
}

/// Opens `n` connections at once (explicit transactions held together)
/// and leaves them idle in the pool.
async fn fill_pool(d: &Driver, n: usize) {
    let mut sessions: Vec<_> = (0..n).map(|_| d.session(neo4j_db())).collect();
    let mut txs = Vec::new();
    for s in &mut sessions {
        let mut tx = s.begin_transaction().await.expect("begin");
        let mut r = tx.run("RETURN 1 AS x").await.expect("run");
        assert_eq!(value_of(&mut r).await.unwrap(), 1);
        drop(r);
        txs.push(tx);
    }
    for tx in txs {
        tx.commit().await.expect("commit");
    }
    drop(sessions);
}

/// Within a few seconds of the server serving again, the driver that saw
/// it go runs 100 queries of every kind, all succeeding, and gives every
/// connection back.
async fn recovers(d: &Driver, ready: Instant, what: &str) {
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(60), hundred_queries(d))
        .await
        .unwrap_or_else(|_| panic!("{what}: 100 queries did not finish within 60 s"));
    let since_ready = ready.elapsed();
    eprintln!(
        "faults: {what}: 100 queries in {:.2} s ({:.2} s after the server served again)",
        started.elapsed().as_secs_f64(),
        since_ready.as_secs_f64()
    );
    assert!(
        since_ready < Duration::from_secs(15),
        "{what}: recovery took {since_ready:?}"
    );
    assert_eq!(in_use(d), 0, "{what}: a connection left in use");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_then_restart() {
    let _one = exclusive().await;
    let scenario = Instant::now();
    let d = driver_with("bolt", Config::default());
    fill_pool(&d, 5).await;
    let mut s = d.session(neo4j_db());
    let mut r = s
        .run("UNWIND range(1, 100000000) AS x RETURN x")
        .await
        .expect("stream");
    for _ in 0..2_000 {
        r.next().await.expect("record").expect("more records");
    }
    neo4j("kill").await;
    let killed = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match r.next().await {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("the stream ended normally after kill -9"),
                Err(e) => break e,
            }
        }
    })
    .await
    .expect("the lost connection is reported");
    let noticed = killed.elapsed();
    assert!(matches!(err, Error::ConnectionLost(_)), "{err:?}");
    assert!(
        noticed < Duration::from_secs(2),
        "noticed after {noticed:?}"
    );
    drop(r);
    drop(s);
    neo4j("start").await;
    let ready = wait_until_serving().await;
    recovers(&d, ready, "bolt:// after kill -9").await;
    d.close().await;
    eprintln!(
        "faults: kill -9 scenario: {:.1} s",
        scenario.elapsed().as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_restart_with_full_idle_pools_default_settings() {
    let _one = exclusive().await;
    let scenario = Instant::now();
    let direct = driver_with("bolt", Config::default());
    let routed = driver_with("neo4j", Config::default());
    fill_pool(&direct, 20).await;
    fill_pool(&routed, 20).await;
    assert_eq!(idle(&direct), 20);
    assert!(idle(&routed) >= 20);
    neo4j("restart").await;
    let ready = wait_until_serving().await;
    recovers(&direct, ready, "bolt:// after a restart").await;
    recovers(&routed, ready, "neo4j:// after a restart").await;
    direct.close().await;
    routed.close().await;
    eprintln!(
        "faults: graceful restart scenario: {:.1} s",
        scenario.elapsed().as_secs_f64()
    );
}

/// A small pseudo-random sequence (no dependency needed).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()) ^ d.as_secs())
        .unwrap_or(7)
}

/// One unit of work of the soak: a read, a write transaction creating two
/// nodes with the same `k` (so a partial write would show as one), or an
/// explicit transaction cancelled around its commit.
async fn soak_step(d: &Driver, tag: &str, op: u64, k: i64) -> boltline::Result<()> {
    match op {
        0 => {
            let mut s = d.session(neo4j_db());
            let mut r = s.run("UNWIND range(1, 2000) AS x RETURN x").await?;
            while r.next().await?.is_some() {}
            Ok(())
        }
        1 => {
            let mut s = d.session(neo4j_db());
            // In a spawned task the future must be Send: the boxed form.
            s.execute_write_boxed(|tx| {
                Box::pin(async move {
                    tx.run(
                        Query::new(format!("CREATE (:{tag} {{k: $k}}), (:{tag} {{k: $k}})"))
                            .param("k", k),
                    )
                    .await?
                    .consume()
                    .await?;
                    Ok(())
                })
            })
            .await
        }
        _ => {
            let mut s = d.session(neo4j_db());
            let mut tx = s.begin_transaction().await?;
            tx.run(
                Query::new(format!("CREATE (:{tag} {{k: $k}}), (:{tag} {{k: $k}})")).param("k", k),
            )
            .await?
            .consume()
            .await?;
            tx.commit().await?;
            Ok(())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_soak_then_checked_queries() {
    let _one = exclusive().await;
    let scenario = Instant::now();
    const SOAK: Duration = Duration::from_secs(15);
    const TASKS: usize = 16;
    let tag = format!("Soak{}", seed() % 1_000_000_000);
    let d = Arc::new(driver_with("bolt", Config::default()));
    let next_k = Arc::new(AtomicU64::new(0));
    let cancelled = Arc::new(AtomicUsize::new(0));
    let end = Instant::now() + SOAK;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let (d, tag, next_k, cancelled) =
            (d.clone(), tag.clone(), next_k.clone(), cancelled.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(seed() ^ ((t as u64 + 1) * 0x9E37_79B9));
            while Instant::now() < end {
                let op = rng.below(3);
                let k = next_k.fetch_add(1, Ordering::Relaxed) as i64;
                // Cancel at a random point: often mid-request, sometimes
                // after completion; one step in eight is left to finish
                // (bounded generously), so writes complete however slow the
                // server is and the partial-write check has data to check.
                let limit = match rng.below(8) {
                    0 => Duration::from_secs(10),
                    1..=3 => Duration::from_micros(rng.below(30_000)),
                    _ => Duration::from_micros(rng.below(400_000)),
                };
                let step = soak_step(&d, &tag, op, k);
                match tokio::time::timeout(limit, step).await {
                    Err(_) => {
                        cancelled.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Ok(())) => {}
                    // A failure of the work itself is a finding.
                    Ok(Err(e)) => panic!("soak step failed: {e:?}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("soak task");
    }
    let cancelled = cancelled.load(Ordering::Relaxed);
    assert!(cancelled > 100, "only {cancelled} cancellations");
    // Every connection comes back (dirty ones are reset on release).
    let back = Instant::now();
    while in_use(&d) > 0 {
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "{} connections still in use after the soak",
            in_use(&d)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // 1,000 checked queries, 8 at a time.
    let checked = Instant::now();
    let mut workers = Vec::new();
    for w in 0..8i64 {
        let d = d.clone();
        workers.push(tokio::spawn(async move {
            for i in 0..125i64 {
                let x = w * 1_000 + i;
                let r = d
                    .execute_query(Query::new("RETURN $x AS x").param("x", x))
                    .with_database("neo4j")
                    .run()
                    .await
                    .expect("checked query");
                assert_eq!(r.records().len(), 1);
                assert_eq!(r.records()[0].get_as::<i64>("x").unwrap(), x);
            }
        }));
    }
    for w in workers {
        tokio::time::timeout(Duration::from_secs(60), w)
            .await
            .expect("checked queries bounded")
            .expect("checked queries");
    }
    let checked = checked.elapsed();
    // No partial write: every k was written as two nodes or not at all.
    let partial = d
        .execute_query(format!(
            "MATCH (n:{tag}) WITH n.k AS k, count(*) AS c WHERE c <> 2 RETURN count(k) AS x"
        ))
        .with_database("neo4j")
        .run()
        .await
        .expect("partial-write check");
    assert_eq!(partial.records()[0].get_as::<i64>("x").unwrap(), 0);
    let written = d
        .execute_query(format!("MATCH (n:{tag}) RETURN count(n) AS x"))
        .with_database("neo4j")
        .run()
        .await
        .expect("count");
    let written = written.records()[0].get_as::<i64>("x").unwrap();
    // Otherwise the partial-write check above proved nothing.
    assert!(written > 0, "no write completed during the soak");
    d.execute_query(format!("MATCH (n:{tag}) DETACH DELETE n"))
        .with_database("neo4j")
        .run()
        .await
        .expect("cleanup");
    assert_eq!(in_use(&d), 0);
    eprintln!(
        "faults: soak {} s, {TASKS} tasks, {cancelled} cancelled, {} nodes written, \
         1,000 checked queries in {:.1} s; scenario {:.1} s",
        SOAK.as_secs(),
        written,
        checked.as_secs_f64(),
        scenario.elapsed().as_secs_f64()
    );
}

/// Resident set size of this process, in KiB (Linux).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

async fn stream(d: &Driver, n: i64, peak: &mut u64) -> i64 {
    let mut s = d.session(neo4j_db());
    let mut r = s
        .run(Query::new("UNWIND range(1, $n) AS x RETURN x").param("n", n))
        .await
        .expect("stream");
    let (mut count, mut sum) = (0i64, 0i64);
    while let Some(rec) = r.next().await.expect("record") {
        sum = sum.wrapping_add(rec.get_as::<i64>("x").expect("x"));
        count += 1;
        if count % 250_000 == 0 {
            *peak = (*peak).max(rss_kib());
        }
    }
    assert_eq!(count, n);
    assert_eq!(sum, n * (n + 1) / 2);
    count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_million_records_with_flat_memory() {
    let _one = exclusive().await;
    let started = Instant::now();
    let d = driver_with("bolt", Config::default());
    let mut small_peak = 0;
    stream(&d, 500_000, &mut small_peak).await;
    let small = small_peak.max(rss_kib());
    let mut big_peak = 0;
    tokio::time::timeout(
        Duration::from_secs(240),
        stream(&d, 10_000_000, &mut big_peak),
    )
    .await
    .expect("10M records within 240 s");
    eprintln!(
        "faults: 10M records in {:.1} s; RSS after 500k {} KiB, peak during 10M {} KiB",
        started.elapsed().as_secs_f64(),
        small,
        big_peak
    );
    assert!(
        big_peak <= small + 32 * 1024,
        "RSS grew from {small} KiB to {big_peak} KiB"
    );
    assert_eq!(in_use(&d), 0);
    d.close().await;
}
