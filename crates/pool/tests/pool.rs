//! The pool's policy, against an in-memory connection type whose every
//! open, reset, check and close is counted.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use boltline_pool::{
    Clock, FakeTime, Health, Hooks, ManageConnection, Pool, PoolConfig, PoolError,
};

#[derive(Default)]
struct World {
    next_id: AtomicUsize,
    connects: AtomicUsize,
    resets: AtomicUsize,
    checks: AtomicUsize,
    closes: AtomicUsize,
    live: AtomicUsize,
    max_live: AtomicUsize,
    server_down: AtomicBool,
    reset_delay_ms: AtomicUsize,
    fail_check: AtomicBool,
}

struct Conn {
    id: usize,
    dirty: bool,
    broken: bool,
    /// Closed by its user (not broken).
    closed: bool,
    world: Arc<World>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.world.live.fetch_sub(1, SeqCst);
    }
}

#[derive(Clone)]
struct Fake(Arc<World>);

#[derive(Debug, thiserror::Error)]
#[error("fake server: {0}")]
struct FakeError(&'static str);

impl ManageConnection for Fake {
    type Connection = Conn;
    type Error = FakeError;
    type Context = ();

    async fn connect(&self, _: &()) -> Result<Conn, FakeError> {
        tokio::task::yield_now().await;
        if self.0.server_down.load(SeqCst) {
            return Err(FakeError("connection refused"));
        }
        self.0.connects.fetch_add(1, SeqCst);
        let live = self.0.live.fetch_add(1, SeqCst) + 1;
        self.0.max_live.fetch_max(live, SeqCst);
        Ok(Conn {
            id: self.0.next_id.fetch_add(1, SeqCst),
            dirty: false,
            broken: false,
            closed: false,
            world: self.0.clone(),
        })
    }

    fn health(&self, c: &Conn) -> Health {
        match (c.broken, c.dirty) {
            _ if c.closed => Health::Closed,
            (true, _) => Health::Broken,
            (false, true) => Health::Dirty,
            _ => Health::Clean,
        }
    }

    async fn reset(&self, c: &mut Conn) -> Result<(), FakeError> {
        let delay = self.0.reset_delay_ms.load(SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay as u64)).await;
        }
        self.0.resets.fetch_add(1, SeqCst);
        c.dirty = false;
        Ok(())
    }

    async fn check_alive(&self, _c: &mut Conn) -> Result<(), FakeError> {
        self.0.checks.fetch_add(1, SeqCst);
        if self.0.fail_check.load(SeqCst) {
            Err(FakeError("dead"))
        } else {
            Ok(())
        }
    }

    async fn close(&self, _c: Conn) {
        self.0.closes.fetch_add(1, SeqCst);
    }
}

async fn pool(config: PoolConfig) -> (Pool<Fake>, Arc<World>) {
    let world = Arc::new(World::default());
    let pool = Pool::new(Fake(world.clone()), config).await.expect("pool");
    (pool, world)
}

/// `config` on a frozen fake clock, and that clock.
fn on_frozen_clock(config: PoolConfig) -> (PoolConfig, Arc<FakeTime>) {
    let fake = Arc::new(FakeTime::new());
    fake.freeze();
    (config.clock(Clock::fake(fake.clone())), fake)
}

fn small(max: usize) -> PoolConfig {
    PoolConfig::default()
        .max_size(max)
        .acquisition_timeout(Duration::from_secs(5))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_tasks_share_ten_connections() {
    let (pool, world) = pool(small(10)).await;
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let (pool, in_flight, peak) = (pool.clone(), in_flight.clone(), peak.clone());
            tokio::spawn(async move {
                let mut c = pool.acquire().await.expect("acquire");
                let now = in_flight.fetch_add(1, SeqCst) + 1;
                peak.fetch_max(now, SeqCst);
                if i % 7 == 0 {
                    c.dirty = true;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
                in_flight.fetch_sub(1, SeqCst);
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task finished");
    }
    assert!(peak.load(SeqCst) <= 10, "peak {}", peak.load(SeqCst));
    assert!(world.max_live.load(SeqCst) <= 10);
    let s = pool.stats();
    assert_eq!((s.in_use, s.acquired, s.waiting), (0, 500, 0));
    assert!(s.created <= 10 && s.size <= 10, "{s:?}");
    assert!(
        world.resets.load(SeqCst) > 0,
        "dirty connections were reset"
    );
}

#[tokio::test]
async fn a_full_pool_times_out_with_a_clear_error() {
    let config = small(2).acquisition_timeout(Duration::from_millis(100));
    let (pool, _) = pool(config).await;
    let _a = pool.acquire().await.unwrap();
    let _b = pool.acquire().await.unwrap();
    let err = pool.acquire().await.unwrap_err();
    match &err {
        PoolError::Unavailable {
            waited,
            in_use,
            max_size,
            connecting,
        } => {
            assert!(*waited >= Duration::from_millis(100));
            assert_eq!((*in_use, *max_size, *connecting), (2, 2, false));
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("2 of 2") && msg.contains("waiting"), "{msg}");
    assert_eq!(pool.stats().timed_out, 1);
}

#[tokio::test]
async fn clean_connections_are_reused_without_a_round_trip() {
    let (pool, world) = pool(small(4)).await;
    for _ in 0..5 {
        let c = pool.acquire().await.unwrap();
        assert_eq!(c.id, 0);
    }
    assert_eq!(world.connects.load(SeqCst), 1);
    assert_eq!(world.resets.load(SeqCst), 0);
    assert_eq!(world.checks.load(SeqCst), 0);
}

#[tokio::test]
async fn a_dirty_connection_is_reset_on_release_without_waiting_for_a_user() {
    let (pool, world) = pool(small(4)).await;
    pool.acquire().await.unwrap().dirty = true;
    // The reset runs on a spawned task: no acquisition needed.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(world.resets.load(SeqCst), 1);
    let c = pool.acquire().await.unwrap();
    assert_eq!((c.id, c.dirty), (0, false));
    assert_eq!(world.resets.load(SeqCst), 1, "clean now: no second reset");
}

#[tokio::test]
async fn force_reset_resets_every_acquisition() {
    let (pool, world) = pool(small(4).force_reset(true)).await;
    drop(pool.acquire().await.unwrap());
    drop(pool.acquire().await.unwrap());
    drop(pool.acquire().await.unwrap());
    // The first one is new; the next two come from the pool.
    assert_eq!(world.resets.load(SeqCst), 2);
}

#[tokio::test]
async fn a_broken_connection_is_closed_and_replaced() {
    let (pool, world) = pool(small(1)).await;
    {
        let mut c = pool.acquire().await.unwrap();
        c.broken = true;
    }
    // Its place is free at once.
    let s = pool.stats();
    assert_eq!((s.size, s.broken, s.closed), (0, 1, 1));
    assert_eq!(world.live.load(SeqCst), 0);
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 1);
}

#[tokio::test]
async fn idle_connections_past_the_threshold_are_checked() {
    let config = small(2).liveness_check_after(Some(Duration::from_millis(40)));
    let (pool, world) = pool(config).await;
    drop(pool.acquire().await.unwrap());
    drop(pool.acquire().await.unwrap());
    assert_eq!(
        world.checks.load(SeqCst),
        0,
        "fresh idle connection not checked"
    );
    tokio::time::sleep(Duration::from_millis(80)).await;
    drop(pool.acquire().await.unwrap());
    assert_eq!(world.checks.load(SeqCst), 1);
    // A failing check replaces the connection instead of lending it.
    world.fail_check.store(true, SeqCst);
    tokio::time::sleep(Duration::from_millis(80)).await;
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 1, "dead connection replaced");
    assert_eq!(world.live.load(SeqCst), 1);
}

#[tokio::test]
async fn connections_past_max_age_are_closed_not_reused() {
    let config = small(2).max_age(Some(Duration::from_millis(50)));
    let (pool, world) = pool(config).await;
    drop(pool.acquire().await.unwrap());
    tokio::time::sleep(Duration::from_millis(80)).await;
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 1);
    assert_eq!(world.connects.load(SeqCst), 2);
    assert_eq!(pool.stats().closed, 1);
}

#[tokio::test]
async fn fake_time_past_max_age_retires_a_connection_without_sleeping() {
    let (config, fake) = on_frozen_clock(small(2).max_age(Some(Duration::from_secs(3600))));
    let (pool, world) = pool(config).await;
    drop(pool.acquire().await.unwrap());
    fake.advance(Duration::from_secs(3599));
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 0, "one second short of max_age: reused");
    assert_eq!(c.age(), Duration::from_secs(3599));
    drop(c);
    fake.advance(Duration::from_secs(1));
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 1, "at max_age: closed, a new one opened");
    assert_eq!(world.connects.load(SeqCst), 2);
    assert_eq!(pool.stats().closed, 1);
}

#[tokio::test]
async fn fake_idle_time_triggers_the_liveness_check_and_acquisition_resets_it() {
    let (config, fake) =
        on_frozen_clock(small(2).liveness_check_after(Some(Duration::from_secs(60))));
    let (pool, world) = pool(config).await;
    drop(pool.acquire().await.unwrap());
    fake.advance(Duration::from_secs(59));
    drop(pool.acquire().await.unwrap());
    assert_eq!(world.checks.load(SeqCst), 0, "idle 59 s: no check");
    fake.advance(Duration::from_secs(60));
    drop(pool.acquire().await.unwrap());
    assert_eq!(world.checks.load(SeqCst), 1, "idle 60 s: checked");
    // Idle time counts from the last release, not from creation.
    fake.advance(Duration::from_secs(30));
    drop(pool.acquire().await.unwrap());
    assert_eq!(world.checks.load(SeqCst), 1);
}

#[tokio::test]
async fn prune_by_idle_time_reads_the_fake_clock() {
    let (config, fake) = on_frozen_clock(small(3).init_size(2));
    let (pool, _world) = pool(config).await;
    assert_eq!(
        pool.prune_idle_longer_than(Duration::from_secs(10)).await,
        0
    );
    fake.advance(Duration::from_secs(10));
    assert_eq!(
        pool.prune_idle_longer_than(Duration::from_secs(10)).await,
        2
    );
}

#[tokio::test]
async fn ensure_alive_checks_only_connections_lent_without_a_round_trip() {
    let (pool, world) = pool(small(2)).await;
    let mut c = pool.acquire().await.unwrap();
    assert!(c.is_verified(), "just opened");
    c.ensure_alive().await.unwrap();
    assert_eq!(world.checks.load(SeqCst), 0);
    drop(c);
    let mut c = pool.acquire().await.unwrap();
    assert!(!c.is_verified(), "clean idle connection lent as is");
    c.ensure_alive().await.unwrap();
    assert!(c.is_verified());
    c.ensure_alive().await.unwrap();
    assert_eq!(world.checks.load(SeqCst), 1, "one check per lease");
    c.dirty = true;
    drop(c);
    let c = pool.acquire().await.unwrap();
    assert!(c.is_verified(), "reset on release or acquisition");
    drop(c);
    world.fail_check.store(true, SeqCst);
    let mut c = pool.acquire().await.unwrap();
    assert!(c.ensure_alive().await.is_err());
}

#[tokio::test]
async fn prune_closes_idle_connections_only() {
    let (pool, world) = pool(small(5).init_size(3)).await;
    assert_eq!(pool.idle(), 3);
    let held = pool.acquire().await.unwrap();
    assert_eq!(pool.prune().await, 2);
    assert_eq!(world.closes.load(SeqCst), 2);
    assert_eq!((pool.size(), pool.in_use(), pool.idle()), (1, 1, 0));
    drop(held);
    assert_eq!(pool.idle(), 1);
}

#[tokio::test]
async fn close_while_busy_closes_returning_connections() {
    let (pool, world) = pool(small(5).init_size(3)).await;
    let held = pool.acquire().await.unwrap();
    pool.close().await;
    assert!(pool.is_closed());
    assert_eq!(world.closes.load(SeqCst), 2, "idle ones closed at once");
    assert!(matches!(pool.acquire().await, Err(PoolError::Closed)));
    drop(held);
    // The returning connection is closed (politely, on a spawned task).
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(world.closes.load(SeqCst), 3);
    assert_eq!(world.live.load(SeqCst), 0);
    assert_eq!(pool.size(), 0);
}

#[tokio::test]
async fn cancelled_waiters_leak_nothing() {
    let (pool, _) = pool(small(1)).await;
    let held = pool.acquire().await.unwrap();
    for _ in 0..20 {
        let r = tokio::time::timeout(Duration::from_millis(5), pool.acquire()).await;
        assert!(
            r.is_err(),
            "waiter cancelled while the only connection is held"
        );
    }
    drop(held);
    let s = pool.stats();
    assert_eq!((s.waiting, s.in_use, s.size), (0, 0, 1));
    let c = tokio::time::timeout(Duration::from_millis(100), pool.acquire())
        .await
        .expect("not blocked by cancelled waiters")
        .unwrap();
    assert_eq!(c.id, 0);
}

#[tokio::test]
async fn a_cancelled_holder_returns_its_connection_for_reset() {
    let (pool, world) = pool(small(1)).await;
    let p = pool.clone();
    let task = tokio::spawn(async move {
        let mut c = p.acquire().await.unwrap();
        c.dirty = true; // mid-exchange when cancelled
        std::future::pending::<()>().await;
    });
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(pool.in_use(), 1);
    task.abort();
    let _ = task.await;
    assert_eq!(pool.in_use(), 0);
    let c = pool.acquire().await.unwrap();
    assert_eq!((c.id, c.dirty), (0, false));
    assert_eq!(world.resets.load(SeqCst), 1);
}

#[tokio::test]
async fn a_reset_interrupted_by_cancellation_closes_the_connection() {
    // force_reset makes the acquisition itself reset the connection.
    let (pool, world) = pool(small(1).force_reset(true)).await;
    drop(pool.acquire().await.unwrap());
    world.reset_delay_ms.store(200, SeqCst);
    let r = tokio::time::timeout(Duration::from_millis(30), pool.acquire()).await;
    assert!(r.is_err(), "cancelled during the reset");
    // The half-reset connection was dropped, not put back.
    assert_eq!(world.live.load(SeqCst), 0);
    assert_eq!(pool.size(), 0);
    world.reset_delay_ms.store(0, SeqCst);
    let c = pool.acquire().await.unwrap();
    assert_eq!((c.id, c.dirty), (1, false));
}

#[tokio::test]
async fn a_waiter_cancelled_behind_a_slow_release_reset_leaks_nothing() {
    let (pool, world) = pool(small(1)).await;
    world.reset_delay_ms.store(200, SeqCst);
    pool.acquire().await.unwrap().dirty = true;
    // The only connection is being reset: a waiter gives up.
    let r = tokio::time::timeout(Duration::from_millis(30), pool.acquire()).await;
    assert!(r.is_err());
    tokio::time::sleep(Duration::from_millis(250)).await;
    let c = pool.acquire().await.unwrap();
    assert_eq!((c.id, c.dirty), (0, false), "the reset connection, clean");
    assert_eq!((world.resets.load(SeqCst), world.live.load(SeqCst)), (1, 1));
}

#[tokio::test]
async fn a_server_that_disappears_and_comes_back() {
    let (pool, world) = pool(small(2)).await;
    drop(pool.acquire().await.unwrap());
    pool.prune().await;
    world.server_down.store(true, SeqCst);
    for _ in 0..3 {
        let err = pool.acquire().await.unwrap_err();
        assert!(matches!(err, PoolError::Connect(_)), "{err:?}");
        assert!(err.to_string().contains("connection refused"));
    }
    assert_eq!(
        (pool.size(), pool.in_use()),
        (0, 0),
        "failed opens hold no place"
    );
    world.server_down.store(false, SeqCst);
    let c = pool.acquire().await.unwrap();
    assert_eq!(c.id, 1);
}

#[tokio::test]
async fn hooks_run_at_their_moments() {
    let created = Arc::new(AtomicUsize::new(0));
    let released = Arc::new(AtomicUsize::new(0));
    let broken = Arc::new(AtomicUsize::new(0));
    let hooks = Hooks::new()
        .on_create({
            let n = created.clone();
            move |_: &Conn| {
                n.fetch_add(1, SeqCst);
            }
        })
        .on_release({
            let n = released.clone();
            move |_: &Conn| {
                n.fetch_add(1, SeqCst);
            }
        })
        .on_broken({
            let n = broken.clone();
            move |c: &Conn| {
                assert!(c.broken);
                n.fetch_add(1, SeqCst);
            }
        });
    let world = Arc::new(World::default());
    let pool = Pool::with_hooks(Fake(world), small(2), hooks)
        .await
        .unwrap();
    drop(pool.acquire().await.unwrap());
    pool.acquire().await.unwrap().broken = true;
    assert_eq!(
        (
            created.load(SeqCst),
            released.load(SeqCst),
            broken.load(SeqCst)
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn detach_frees_the_place() {
    let (pool, world) = pool(small(1)).await;
    let conn = pool.acquire().await.unwrap().detach();
    assert_eq!((pool.size(), pool.in_use()), (0, 0));
    let other = pool.acquire().await.unwrap();
    assert_ne!(other.id, conn.id);
    assert_eq!(world.live.load(SeqCst), 2);
    assert_eq!(pool.stats().closed, 0);
}

#[tokio::test]
async fn invalid_configurations_are_refused() {
    let world = Arc::new(World::default());
    let err = Pool::new(Fake(world.clone()), small(0)).await.unwrap_err();
    assert!(matches!(err, PoolError::Config(_)));
    let err = Pool::new(Fake(world), small(1).init_size(2))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("init_size"));
}

#[tokio::test]
async fn a_reset_on_release_that_never_ends_frees_its_place() {
    let config = small(1).acquisition_timeout(Duration::from_millis(100));
    let (pool, world) = pool(config).await;
    world.reset_delay_ms.store(60_000, SeqCst); // a server that never answers
    pool.acquire().await.unwrap().dirty = true;
    tokio::time::sleep(Duration::from_millis(250)).await;
    // The stuck connection was given up; a new one takes its place.
    world.reset_delay_ms.store(0, SeqCst);
    let c = pool.acquire().await.unwrap();
    assert_eq!((c.id, c.dirty), (1, false));
    assert_eq!(world.live.load(SeqCst), 1);
}

#[tokio::test]
async fn closing_during_a_release_reset_still_closes_politely() {
    let (pool, world) = pool(small(2)).await;
    world.reset_delay_ms.store(50, SeqCst);
    pool.acquire().await.unwrap().dirty = true; // reset starts on release
    pool.close().await;
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(world.resets.load(SeqCst), 1);
    assert_eq!(
        world.closes.load(SeqCst),
        1,
        "closed with a goodbye, not dropped"
    );
    assert_eq!(world.live.load(SeqCst), 0);
}

/// Counts of each hook's calls.
#[derive(Default)]
struct HookCounts {
    bind: AtomicUsize,
    unbind: AtomicUsize,
    release: AtomicUsize,
    broken: AtomicUsize,
}

impl HookCounts {
    fn get(&self) -> [usize; 4] {
        [
            self.bind.load(SeqCst),
            self.unbind.load(SeqCst),
            self.release.load(SeqCst),
            self.broken.load(SeqCst),
        ]
    }
}

#[tokio::test]
async fn bind_unbind_release_and_broken_hooks_follow_the_lease() {
    let n = Arc::new(HookCounts::default());
    let (b, u, r, k) = (n.clone(), n.clone(), n.clone(), n.clone());
    let hooks = Hooks::new()
        .on_bind(move |_: &Conn| {
            b.bind.fetch_add(1, SeqCst);
        })
        .on_unbind(move |_: &Conn| {
            u.unbind.fetch_add(1, SeqCst);
        })
        .on_release(move |_: &Conn| {
            r.release.fetch_add(1, SeqCst);
        })
        .on_broken(move |_: &Conn| {
            k.broken.fetch_add(1, SeqCst);
        });
    let world = Arc::new(World::default());
    let pool = Pool::with_hooks(Fake(world.clone()), small(2), hooks)
        .await
        .unwrap();
    assert_eq!(n.get(), [0, 0, 0, 0]);
    let c = pool.acquire().await.unwrap();
    assert_eq!(n.get(), [1, 0, 0, 0]);
    drop(c);
    assert_eq!(n.get(), [1, 1, 1, 0], "a clean lease ends in release");
    // The idle one is bound again.
    let mut c = pool.acquire().await.unwrap();
    assert_eq!(n.get(), [2, 1, 1, 0]);
    c.broken = true;
    drop(c);
    assert_eq!(n.get(), [2, 2, 1, 1], "broken: unbound, not released");
    assert_eq!(pool.stats().broken, 1);
    // Closed by its user: unbound and closed, but not broken.
    let mut c = pool.acquire().await.unwrap();
    c.closed = true;
    drop(c);
    assert_eq!(n.get(), [3, 3, 1, 1]);
    let stats = pool.stats();
    assert_eq!((stats.broken, stats.closed, stats.size), (1, 2, 0));
}

#[tokio::test]
async fn force_reset_can_be_asked_per_acquisition_and_per_release() {
    let (pool, world) = pool(small(2)).await;
    // A new connection has nothing to reset.
    let c = pool.acquire_with_reset(&(), true).await.unwrap();
    assert_eq!(world.resets.load(SeqCst), 0);
    drop(c);
    // A clean idle one: reset only when asked.
    drop(pool.acquire().await.unwrap());
    assert_eq!(world.resets.load(SeqCst), 0);
    let c = pool.acquire_with_reset(&(), true).await.unwrap();
    assert_eq!(world.resets.load(SeqCst), 1);
    assert!(c.is_verified(), "a reset is a round trip");
    c.release(false).await;
    assert_eq!(
        world.resets.load(SeqCst),
        1,
        "a clean release costs nothing"
    );
    let c = pool.acquire().await.unwrap();
    c.release(true).await;
    assert_eq!(world.resets.load(SeqCst), 2);
    assert_eq!((pool.idle(), pool.in_use()), (1, 0));
    // A forced reset that does not finish in time closes the connection.
    let (pool, world) = self::pool(small(2).acquisition_timeout(Duration::from_millis(50))).await;
    let c = pool.acquire().await.unwrap();
    world.reset_delay_ms.store(500, SeqCst);
    c.release(true).await;
    assert_eq!((pool.size(), pool.in_use()), (0, 0));
    assert_eq!(world.live.load(SeqCst), 0);
}

#[tokio::test]
async fn max_size_changes_while_the_pool_runs() {
    let (pool, world) = pool(small(1).acquisition_timeout(Duration::from_millis(200))).await;
    let a = pool.acquire().await.unwrap();
    assert!(matches!(
        pool.acquire().await,
        Err(PoolError::Unavailable { max_size: 1, .. })
    ));
    pool.set_max_size(2);
    assert_eq!((pool.max_size(), pool.stats().max_size), (2, 2));
    let b = pool.acquire().await.expect("room for a second connection");
    assert_eq!(pool.size(), 2);
    // Zero refuses at once; connections in use are not touched.
    pool.set_max_size(0);
    match pool.acquire().await {
        Err(PoolError::Unavailable {
            waited, max_size, ..
        }) => {
            assert_eq!(waited, Duration::ZERO);
            assert_eq!(max_size, 0);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(pool.in_use(), 2);
    // Back to one: the connections over the limit close as they return.
    pool.set_max_size(1);
    drop(a);
    drop(b);
    assert_eq!(pool.size(), 1);
    assert_eq!(world.live.load(SeqCst), 1);
    drop(pool.acquire().await.expect("the limit is one again"));
}

#[tokio::test]
async fn a_connection_opened_outside_the_pool_is_not_counted() {
    let (pool, world) = pool(small(1)).await;
    let held = pool.acquire().await.unwrap();
    // The pool is full; an unpooled connection still opens.
    let extra = pool.connect_unpooled(&()).await.unwrap();
    assert_eq!(world.connects.load(SeqCst), 2);
    assert_eq!((pool.size(), pool.stats().created), (1, 1));
    drop(extra);
    drop(held);
    assert_eq!(pool.size(), 1);
    world.server_down.store(true, SeqCst);
    assert!(matches!(
        pool.connect_unpooled(&()).await,
        Err(PoolError::Connect(FakeError("connection refused")))
    ));
}
